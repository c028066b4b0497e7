"""A member's privacy: their choices in one place, export and delete of everything, and servers Haven left."""

from __future__ import annotations

import json
import logging
from collections.abc import Collection, Sequence
from datetime import timedelta
from typing import Any

from bot.clock import Clock
from bot.domain.alerts import parse_reason
from bot.domain.consent import Consent, scanning_state
from bot.i18n import DEFAULT_LOCALE, Catalogs
from bot.services.buddies import BuddyService
from bot.services.checkins import CheckinService
from bot.services.crisis import CrisisService
from bot.services.guild_settings import GuildSettingsService
from bot.services.resources import ResourceService
from bot.storage.guild_data import GuildDataRepository
from bot.storage.member_data import MemberDataRepository

log = logging.getLogger(__name__)
EXPORT_REASON = (
    "export.reason."  # + a moderator-facing reason's key: the member's wording, naming no one else
)
REMOVAL_GRACE = timedelta(days=7)  # a server's data stays this long after Haven is removed, in case it's back


class PrivacyService:
    """Reads the features' own records for consent; exports and deletes across every table."""

    def __init__(
        self,
        members: MemberDataRepository,
        guilds: GuildDataRepository,
        *,
        guild_settings: GuildSettingsService,
        crisis: CrisisService,
        checkins: CheckinService,
        buddies: BuddyService,
        resources: ResourceService,
        clock: Clock,
        catalogs: Catalogs | None = None,
    ) -> None:
        self._members = members
        self._guilds = guilds
        self._settings = guild_settings
        self._crisis = crisis
        self._checkins = checkins
        self._buddies = buddies
        self._resources = resources
        self._clock = clock
        self._catalogs = (
            catalogs  # the export's wording of reasons Haven wrote for moderators; loaded when needed
        )

    # --- consent

    async def consent(self, guild_id: int, user_id: int) -> Consent:
        """The member's choices in one server, from each feature's own record."""
        settings = await self._settings.get(guild_id)
        crisis = await self._crisis.settings(guild_id)
        opted_out = await self._crisis.opted_out(user_id)
        schedule = await self._checkins.schedule_of(guild_id, user_id)
        member = await self._buddies.member(guild_id, user_id)
        country = await self._resources.saved_country(user_id)
        return Consent(
            guild_id=guild_id,
            user_id=user_id,
            checkins=schedule.status if schedule else None,
            buddy=member.status if member else None,
            tell_buddy=await self._checkins.follow_up(guild_id, user_id),
            scanning=scanning_state(
                server_scans=crisis.scanning and settings.alerts_configured,
                allow_optout=crisis.allow_optout,
                opted_out=opted_out,
            ),
            opted_out=opted_out,
            saved_country=country.name if country else None,
        )

    async def set_scanning(self, user_id: int, enabled: bool) -> None:
        """The member's own scanning choice (one for every server)."""
        await self._crisis.set_optout(user_id, not enabled)

    async def stop_checkins(self, guild_id: int, user_id: int) -> None:
        """No more scheduled check-ins here (past ones stay theirs)."""
        await self._checkins.stop(guild_id, user_id)

    async def leave_buddies(self, guild_id: int, user_id: int) -> None:
        """Leave buddy pairing here; any buddy is told kindly."""
        await self._buddies.leave(guild_id, user_id)

    async def stop_telling_buddy(self, guild_id: int, user_id: int) -> None:
        """No follow-up buttons after a low check-in."""
        await self._checkins.set_follow_up(guild_id, user_id, False)

    # --- export and delete

    async def servers_of(self, user_id: int) -> list[int]:
        """Servers where Haven holds something about the member."""
        return await self._members.servers_of(user_id)

    async def summary(self, guild_id: int, user_id: int) -> dict[str, int]:
        """How many of each kind of record Haven holds about the member in one server."""
        data = await self._members.export(user_id, [guild_id])
        return {
            "checkins": len(data["checkins"]["checkins"]),
            "notes": sum(1 for row in data["checkins"]["checkins"] if row.get("note")),
            "schedules": len(data["checkins"]["schedules"]),
            "buddy_profile": len(data["buddies"]["profiles"]),
            "pairings": len(data["buddies"]["pairings"]),
            "blocks": len(data["buddies"]["blocks"]),
            "reports": len(data["buddies"]["reports_you_made"]),
            "alerts": len(data["crisis"]["alerts_about_you"]),
        }

    async def export(self, user_id: int, servers: Sequence[int] | None) -> bytes:
        """Everything about the member as one JSON document."""
        data: dict[str, Any] = {
            "about": "Everything Haven stores about you. Times are UTC.",
            "user_id": str(user_id),
            "exported_at": self._clock().isoformat(),
            "servers": [str(g) for g in (servers if servers is not None else await self.servers_of(user_id))],
            "resource_reports": "Reports about a listed helpline are stored without who sent them.",
        }
        data.update(await self._members.export(user_id, servers))
        for alert in data["crisis"]["alerts_about_you"]:
            alert["matched"] = self._readable_reason(alert.get("matched") or "")
        return json.dumps(data, indent=2, ensure_ascii=False, default=str).encode()

    def _readable_reason(self, matched: str) -> str:
        """A reason Haven stored as a catalog key (``i18n:{...}``), as text. Where the catalog has the member's
        own wording (``export.reason.<key>``) that is used: it never names who reported or worried about them."""
        reason = parse_reason(matched)
        if reason is None:
            return matched
        if self._catalogs is None:
            self._catalogs = Catalogs.load()
        key, params = reason
        if EXPORT_REASON + key in self._catalogs.keys(DEFAULT_LOCALE):
            return self._catalogs.text(EXPORT_REASON + key, DEFAULT_LOCALE)
        return self._catalogs.text(key, DEFAULT_LOCALE, **params)

    async def delete(self, user_id: int, servers: Sequence[int] | None) -> dict[str, int]:
        """Delete everything about the member in ``servers`` (None: every server, and their per-person choices).

        Open buddy pairings end first through the buddy service, so the others are told kindly."""
        for guild_id in servers if servers is not None else await self.servers_of(user_id):
            await self._buddies.remove(guild_id, user_id)
        counts = await self._members.delete(user_id, servers)
        if servers is None:
            await self._crisis.set_optout(user_id, False)  # already gone; this also clears the cache
        log.info(
            "Deleted a member's data on request (%s)", "every server" if servers is None else "one server"
        )
        return counts

    # --- servers Haven was removed from

    async def server_removed(self, guild_id: int) -> None:
        """Haven left a server: its data is deleted after the grace period unless Haven comes back."""
        now = self._clock()
        await self._guilds.schedule_removal(guild_id, now, now + REMOVAL_GRACE)

    async def server_back(self, guild_id: int) -> bool:
        """Haven is in the server (again): nothing will be deleted."""
        return await self._guilds.cancel_removal(guild_id)

    async def removal_date(self, guild_id: int) -> Any:
        """When a server's data will be deleted, if Haven was removed from it."""
        return await self._guilds.removal(guild_id)

    async def sweep(self, present: Collection[int]) -> list[int]:
        """At start-up: servers with data that Haven is no longer in are scheduled for deletion."""
        missing = sorted((await self._guilds.servers_with_data()) - set(present))
        for guild_id in missing:
            await self.server_removed(guild_id)
        for guild_id in set(await self._guilds.pending_removals()) & set(present):
            await self._guilds.cancel_removal(guild_id)  # added back while Haven was offline
        return missing

    async def purge_due(self, present: Collection[int]) -> list[int]:
        """Delete the data of servers whose grace period is over (never one Haven is in)."""
        purged: list[int] = []
        for guild_id in await self._guilds.due_removals(self._clock()):
            if guild_id in present:
                await self._guilds.cancel_removal(guild_id)
                continue
            rows = await self._guilds.purge(guild_id)
            log.info("Deleted the data of a server Haven was removed from (%d rows)", rows)
            purged.append(guild_id)
        return purged
