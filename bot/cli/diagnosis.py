"""``python -m bot check``: a plain-words checklist an operator can act on.

Every line is ok, a problem with its fix, a note, or something that could not be checked and why; the verdict
never says "All good" when something was not checked.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import NamedTuple

import aiohttp
import discord

from bot.cli.common import invite_url
from bot.config import Settings
from bot.domain.guild_settings import CHANNEL_USES, missing_permissions
from bot.errors import DatabaseError
from bot.permissions import granted_names
from bot.redaction import redact
from bot.storage import migrate
from bot.storage.engine import Database, safe_url

PERMISSIONS_FIX = "Give Haven's role these in the channel's settings (Edit Channel > Permissions)."


class ConfiguredChannel(NamedTuple):
    """A channel a server configured for Haven; ``purpose`` is a key of ``CHANNEL_USES``."""

    guild_id: int
    channel_id: int
    purpose: str = "alert"


@dataclass
class Checklist:
    """Lines marked ok, problem, note or not checked; ``passed`` when there is no problem."""

    lines: list[tuple[str, str]] = field(default_factory=list)

    def ok(self, text: str) -> None:
        self.lines.append(("ok", text))

    def fail(self, text: str) -> None:
        self.lines.append(("fail", text))

    def note(self, text: str) -> None:
        self.lines.append(("note", text))

    def skip(self, what: str, why: str) -> None:
        """Something that could not be checked, and why."""
        self.lines.append(("skip", f"Not checked: {what} ({why})."))

    @property
    def passed(self) -> bool:
        return all(kind != "fail" for kind, _ in self.lines)

    @property
    def not_checked(self) -> int:
        return sum(1 for kind, _ in self.lines if kind == "skip")

    def render(self) -> str:
        marks = {"ok": "[ok]  ", "fail": "[FIX] ", "note": "[..]  ", "skip": "[--]  "}
        body = "\n".join(marks[kind] + redact(text) for kind, text in self.lines)
        skipped = self.not_checked
        unchecked = f"{skipped} thing{'s were' if skipped != 1 else ' was'} not checked (marked [--])"
        if not self.passed:
            verdict = "Some things need fixing (marked [FIX])." + (f" Also, {unchecked}." if skipped else "")
        elif skipped:
            verdict = f"Checked what could be checked; {unchecked}."
        else:
            verdict = "All good."
        return f"Haven check\n{body}\n{verdict}"


async def check_database(settings: Settings, checklist: Checklist) -> tuple[Database | None, bool]:
    """Reachability and migration state.

    Returns the open database (``None`` when it failed) and whether its schema is up to date.
    """
    try:
        db = await Database.open(
            settings.database_url, connect_timeout=min(settings.database_connect_timeout, 5)
        )
    except DatabaseError as exc:
        checklist.fail(str(exc))
        checklist.skip("the database schema", "the database couldn't be opened")
        return None, False
    checklist.ok(f"Database reachable: {safe_url(settings.database_url)}")
    state = await migrate.migration_state(db)
    if state.too_new:
        checklist.fail(
            f"The database is at revision {state.current}, newer than this Haven knows ({state.head}). "
            "Run the newer Haven, or restore a backup."
        )
    elif state.pending:
        checklist.note(
            f"{len(state.pending)} migration(s) pending ({state.current or 'empty'} -> {state.head}); "
            "Haven applies them when it starts, or run `python -m bot migrate`."
        )
    else:
        checklist.ok(f"Database schema up to date (revision {state.current}).")
    return db, not state.pending and not state.too_new


def skip_discord(checklist: Checklist, why: str, channels: list[ConfiguredChannel] | None) -> None:
    """Everything the Discord part of the check would have looked at, marked as not checked."""
    checklist.skip("privileged intents (Message Content, Server Members)", why)
    if channels is None:
        checklist.skip("Haven's permissions in the servers' configured channels", why)
    else:
        servers = len({c.guild_id for c in channels})
        checklist.skip(
            f"Haven's permissions in the {len(channels)} configured channel(s) of {servers} server(s)", why
        )
    checklist.skip("whether every server Haven is in has a reachable alert channel", why)


async def diagnose_discord(
    token: str, channels: list[ConfiguredChannel] | None, checklist: Checklist
) -> None:
    """Log in with ``token`` (REST only, no gateway) and check everything Discord-side."""
    from bot.app import haven_intents

    client = discord.Client(intents=haven_intents())
    try:
        await client.login(token)
        await check_discord(client, channels, checklist)
        checklist.note(f"Invite link: {invite_url(client.application_id or 0)}")
    except discord.LoginFailure:
        checklist.fail("Discord refused the token. Copy it again from the developer portal's Bot page.")
        skip_discord(checklist, "Discord refused the token", channels)
    except (discord.HTTPException, OSError, aiohttp.ClientError, TimeoutError) as exc:
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        checklist.fail(
            f"Couldn't reach Discord ({reason[:200]}). Check this machine's internet connection, "
            "a firewall or proxy, and https://discordstatus.com."
        )
        skip_discord(checklist, "Discord couldn't be reached", channels)
    finally:
        await client.close()


async def check_discord(
    client: discord.Client,
    channels: Iterable[tuple[int, int] | tuple[int, int, str]] | None,
    checklist: Checklist,
) -> None:
    """Token, privileged intents, and Haven's permissions in every configured channel of every server.

    ``channels`` are ``(guild_id, channel_id[, purpose])``; a missing purpose means the alert channel. ``None``
    when the database couldn't say which channels are configured.
    """
    checklist.ok(f"Logged in to Discord as {client.user} (application {client.application_id}).")
    flags = (await client.application_info()).flags
    for label, enabled in (
        ("Message Content", flags.gateway_message_content or flags.gateway_message_content_limited),
        ("Server Members", flags.gateway_guild_members or flags.gateway_guild_members_limited),
    ):
        if enabled:
            checklist.ok(f"Privileged intent '{label}' is on.")
        else:
            checklist.fail(
                f"Privileged intent '{label}' is off: switch it on at the developer portal's Bot page "
                "(Privileged Gateway Intents), then restart Haven."
            )
    if channels is None:
        checklist.skip("Haven's permissions in configured channels", "the database couldn't list them")
        return
    by_guild: dict[int, list[ConfiguredChannel]] = defaultdict(list)
    for item in channels:
        configured = ConfiguredChannel(item[0], item[1], item[2] if len(item) > 2 else "alert")
        by_guild[configured.guild_id].append(configured)
    await _check_servers_without_alerts(client, by_guild, checklist)
    for guild_id, configured in by_guild.items():
        await _check_server(client, guild_id, configured, checklist)


async def _check_servers_without_alerts(
    client: discord.Client, by_guild: dict[int, list[ConfiguredChannel]], checklist: Checklist
) -> None:
    guilds = [guild async for guild in client.fetch_guilds(limit=None)]
    checklist.ok(f"Haven is in {len(guilds)} server(s).")
    for guild in guilds:
        if not any(c.purpose == "alert" for c in by_guild.get(guild.id, [])):
            checklist.fail(
                f"{guild.name}: no alert channel is set, so crisis alerts have nowhere to go. "
                "A moderator runs /setup alerts there."
            )


async def _check_server(
    client: discord.Client, guild_id: int, configured: list[ConfiguredChannel], checklist: Checklist
) -> None:
    assert client.user is not None
    try:
        guild = await client.fetch_guild(guild_id)
        member = await guild.fetch_member(client.user.id)
    except (discord.NotFound, discord.Forbidden):
        checklist.fail(
            f"Server {guild_id} has Haven settings but Haven is no longer in it. Invite Haven again "
            "(`python -m bot check` prints the link), or ignore this if it was removed on purpose."
        )
        return
    for item in configured:
        use = CHANNEL_USES[item.purpose]
        try:
            channel = await guild.fetch_channel(item.channel_id)
        except (discord.NotFound, discord.Forbidden):
            checklist.fail(
                f"{guild.name}: the {use.label} is gone or hidden from Haven. Run {use.command} there."
            )
            continue
        missing = missing_permissions(use.needs, granted_names(channel.permissions_for(member)))
        name = getattr(channel, "name", item.channel_id)
        if missing:
            pretty = ", ".join(m.replace("_", " ").title() for m in missing)
            checklist.fail(
                f"{guild.name} #{name}: Haven can't {use.does}; it needs {pretty}. {PERMISSIONS_FIX}"
            )
        else:
            checklist.ok(f"{guild.name} #{name}: Haven can {use.can}.")
