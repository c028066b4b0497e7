"""The language each member's Discord app uses, remembered so DMs Haven starts itself are in that language.

Discord tells a bot a member's locale only inside an interaction (a command, button or form). Haven keeps the last
one it saw, so a scheduled check-in prompt, a buddy message or a crisis reply reads in the member's language; until
it has seen one, the server's preferred language is used. A small in-process cache keeps this to one write per member
per language change and one read per member per process.
"""

from __future__ import annotations

from bot.clock import Clock
from bot.storage.member_locale import MemberLocaleRepository

# Locales are short codes such as "es-ES" or "de"; anything longer isn't one.
MAX_LOCALE_LENGTH = 16
# Cached members before the cache starts over (a bound on memory, not a correctness limit).
CACHE_LIMIT = 100_000


class MemberLocaleService:
    """Remembers and looks up members' Discord locales."""

    def __init__(self, repository: MemberLocaleRepository, clock: Clock) -> None:
        self._repository = repository
        self._clock = clock
        self._cache: dict[int, str | None] = {}

    async def remember(self, user_id: int, locale: str) -> None:
        """Note the locale a member's app reported; writes only when it changed."""
        if not locale or len(locale) > MAX_LOCALE_LENGTH or self._cache.get(user_id) == locale:
            return
        await self._repository.set(user_id, locale, self._clock())
        self._keep(user_id, locale)

    async def locale_for(self, user_id: int) -> str | None:
        """The member's last seen locale, or ``None`` when Haven hasn't seen one."""
        if user_id in self._cache:
            return self._cache[user_id]
        locale = await self._repository.get(user_id)
        self._keep(user_id, locale)
        return locale

    async def prefetch(self, user_ids: list[int]) -> None:
        """Load the locales of many members in one query, before a batch of DMs."""
        wanted = list(dict.fromkeys(u for u in user_ids if u not in self._cache))
        if not wanted:
            return
        found = await self._repository.get_many(wanted)
        for user_id in wanted:
            self._keep(user_id, found.get(user_id))

    def _keep(self, user_id: int, locale: str | None) -> None:
        if len(self._cache) >= CACHE_LIMIT:
            self._cache.clear()
        self._cache[user_id] = locale
