"""``python -m bot check``: a plain-words checklist an operator can act on."""

from __future__ import annotations

from dataclasses import dataclass, field

import discord

from bot.config import Settings
from bot.domain.guild_settings import ALERT_CHANNEL_PERMISSIONS, missing_permissions
from bot.errors import DatabaseError
from bot.permissions import granted_names
from bot.storage import migrate
from bot.storage.engine import Database, safe_url


@dataclass
class Checklist:
    """Lines marked ok, problem or note; ``passed`` when there is no problem."""

    lines: list[tuple[str, str]] = field(default_factory=list)

    def ok(self, text: str) -> None:
        self.lines.append(("ok", text))

    def fail(self, text: str) -> None:
        self.lines.append(("fail", text))

    def note(self, text: str) -> None:
        self.lines.append(("note", text))

    @property
    def passed(self) -> bool:
        return all(kind != "fail" for kind, _ in self.lines)

    def render(self) -> str:
        marks = {"ok": "[ok]  ", "fail": "[FIX] ", "note": "[..]  "}
        body = "\n".join(marks[kind] + text for kind, text in self.lines)
        verdict = "All good." if self.passed else "Some things need fixing (marked [FIX])."
        return f"Haven check\n{body}\n{verdict}"


async def check_database(settings: Settings, checklist: Checklist) -> Database | None:
    """Reachability and migration state. Returns the open database, or ``None`` when it failed."""
    try:
        db = await Database.open(
            settings.database_url, connect_timeout=min(settings.database_connect_timeout, 5)
        )
    except DatabaseError as exc:
        checklist.fail(str(exc))
        return None
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
    return db


async def check_discord(
    client: discord.Client, alert_channels: list[tuple[int, int]], checklist: Checklist
) -> None:
    """Token, privileged intents, and Haven's permissions in every configured alert channel (REST only)."""
    user = client.user
    checklist.ok(f"Logged in to Discord as {user} (application {client.application_id}).")
    app = await client.application_info()
    flags = app.flags
    for label, enabled in (
        ("Message Content", flags.gateway_message_content or flags.gateway_message_content_limited),
        ("Server Members", flags.gateway_guild_members or flags.gateway_guild_members_limited),
    ):
        if enabled:
            checklist.ok(f"Privileged intent '{label}' is on.")
        else:
            checklist.fail(
                f"Privileged intent '{label}' is off: switch it on at the developer portal's Bot page "
                "(Privileged Gateway Intents)."
            )
    for guild_id, channel_id in alert_channels:
        await _check_alert_channel(client, guild_id, channel_id, checklist)


async def _check_alert_channel(
    client: discord.Client, guild_id: int, channel_id: int, checklist: Checklist
) -> None:
    assert client.user is not None
    try:
        guild = await client.fetch_guild(guild_id)
    except (discord.NotFound, discord.Forbidden):
        checklist.fail(f"Server {guild_id} has alert settings but Haven is no longer in it.")
        return
    try:
        channel = await guild.fetch_channel(channel_id)
        member = await guild.fetch_member(client.user.id)
    except (discord.NotFound, discord.Forbidden):
        checklist.fail(
            f"{guild.name}: the alert channel is gone or hidden from Haven. Run /setup alerts there."
        )
        return
    granted = granted_names(channel.permissions_for(member))
    missing = missing_permissions(ALERT_CHANNEL_PERMISSIONS, granted)
    name = getattr(channel, "name", channel_id)
    if missing:
        pretty = ", ".join(m.replace("_", " ").title() for m in missing)
        checklist.fail(f"{guild.name} #{name}: Haven can't post alerts; it needs {pretty}.")
    else:
        checklist.ok(f"{guild.name} #{name}: Haven can post alert cards.")
