"""List what each language's catalog lacks, for a translator's pass before a release.

    .venv/bin/python scripts/i18n_missing.py [LOCALE ...]

Compares every ``bot/i18n/locales/*.json`` with English and with the command texts of the real bot (descriptions,
option descriptions, choice names, and command and option names). Prints, per language, the missing keys with their
English text, keys English no longer has, keys whose ``{placeholders}`` differ from English, command texts over
Discord's 100 characters, names Discord refuses or siblings share, and texts that mention a command by a name the
language doesn't show. Exits 1 when anything is listed, so it can gate a release.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.i18n import DEFAULT_LOCALE, Catalogs  # noqa: E402
from bot.i18n.completeness import Gaps, command_texts, find_gaps  # noqa: E402


async def _commands() -> dict[str, str]:
    from discord.ext import tasks

    from bot.composition import load_cogs
    from bot.storage.engine import Database
    from bot.wiring import build_bot

    with tempfile.TemporaryDirectory() as folder:
        db = await Database.open(f"sqlite+aiosqlite:///{Path(folder) / 'i18n.db'}", connect_timeout=1)
        try:
            bot = build_bot(db)
            await load_cogs(bot)
            for cog in bot.cogs.values():  # never logged in: stop the loops the cogs start
                for value in vars(type(cog)).values():
                    if isinstance(value, tasks.Loop):
                        getattr(cog, value.coro.__name__).cancel()
            return await command_texts(bot.tree)  # type: ignore[arg-type]
        finally:
            await db.close()


def _print(locale: str, gaps: Gaps, english: dict[str, str]) -> None:
    print(f"## {locale}: {len(gaps.missing)} missing")
    for key in gaps.missing:
        print(f"  missing      {key} = {english.get(key, '')!r}")
    for key in gaps.stale:
        print(f"  stale        {key} (not in English any more)")
    for key in gaps.placeholders:
        print(f"  placeholders {key} (must match English: {english.get(key, '')!r})")
    for key in gaps.too_long:
        print(f"  too long     {key} (Discord allows 100 characters)")
    for key in gaps.bad_names:
        print(f"  bad name     {key} (1-32 lowercase letters, digits, - or _; no spaces)")
    for key in gaps.duplicate_names:
        print(f"  same name    {key} (a sibling command or option has it too)")
    for key, wrong in gaps.references.items():
        print(f"  mentions     {key}: {', '.join(wrong)} (use the names this language shows)")


def main(argv: list[str]) -> int:
    catalogs = Catalogs.load()
    commands = asyncio.run(_commands())
    english = {
        **commands,
        **{k: catalogs.lookup(k, DEFAULT_LOCALE) or "" for k in catalogs.keys(DEFAULT_LOCALE)},
    }
    report = find_gaps(catalogs, commands)
    chosen = [locale for locale in report if not argv or locale in argv]
    for locale in chosen:
        _print(locale, report[locale], english)
    return 1 if any(report[locale] for locale in chosen) else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
