"""The demo's transcript: who sees what, one short line per thing that happened.

After every step of the story the transcript looks at every channel it watches (the server's channels and threads,
each member's DMs with Haven) and writes a line for each message Haven sent or changed. Messages only one member
can see (ephemeral replies) are written as ``(only Alex sees)``, DMs as ``[DM to Sam]``, channel messages as
``[#general]``, with the roles or members a message pings after an arrow.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, TextIO

import discord

if TYPE_CHECKING:
    import simcord

WIDTH = 110
USER_MENTION = re.compile(r"<@!?(\d+)>")
ROLE_MENTION = re.compile(r"<@&(\d+)>")
CHANNEL_MENTION = re.compile(r"<#(\d+)>")
TIMESTAMP = re.compile(r"<t:(-?\d+)(?::[tTdDfFR])?>")
MARKDOWN = re.compile(r"\*\*|__|~~|`")
SNOWFLAKE = re.compile(r"\s*\(\d{15,21}\)|\b\d{15,21}\b")  # IDs mean nothing to a reader
QUOTE = re.compile(r"^>(?:>>)? ?", re.MULTILINE)
SHOWN_FIELDS = ("Who", "Member", "Excerpt", "Status")  # enough of a card to follow the story
LINK = re.compile(r"\[([^\]]+)\]\((?:<)?https?://[^)>]+(?:>)?\)")


class Transcript:
    """Collects the story's lines, printing each as it is written."""

    def __init__(self, env: simcord.Env, stream: TextIO | None = None, width: int = WIDTH) -> None:
        self.env = env
        self.stream = stream
        self.width = width
        self.lines: list[str] = []
        self.names: dict[int, str] = {}
        self.roles: dict[int, str] = {}
        self.channel_names: dict[int, str] = {}
        self.guild_channels: list[simcord.ChannelHandle] = []
        self.dm_channels: dict[int, tuple[simcord.ChannelHandle, str]] = {}
        self.seen: dict[int, str] = {}

    # --- who is who

    def add_member(self, member: simcord.MemberActor) -> None:
        """Name a member in the transcript and watch their DMs with Haven."""
        self.names[member.id] = member.name
        dm = member.user.dm_channel
        self.dm_channels[dm.id] = (dm, member.name)

    def add_role(self, role: simcord.RoleHandle) -> None:
        self.roles[role.id] = role.name

    def add_channel(self, channel: simcord.ChannelHandle) -> None:
        self.channel_names[channel.id] = channel.name or "channel"
        self.guild_channels.append(channel)

    def name_of(self, value: Any) -> str:
        """A command option as a member would read it: #channel, @role, @member or the value itself."""
        identifier = getattr(value, "id", None)
        if identifier in self.channel_names:
            return f"#{self.channel_names[identifier]}"
        if identifier in self.roles:
            return f"@{self.roles[identifier]}"
        if identifier in self.names:
            return f"@{self.names[identifier]}"
        return str(value)

    # --- writing

    def write(self, line: str = "") -> None:
        self.lines.append(line)
        if self.stream is not None:
            print(line, file=self.stream, flush=True)

    def heading(self, text: str) -> None:
        self.write()
        self.write(f"== {text}")

    def note(self, text: str) -> None:
        """A narrator's line (in italics, as it were)."""
        self.write(self._fit(f"   ({text})"))

    def action(self, text: str) -> None:
        """Something a person did."""
        self.write(self._fit(f"-> {text}"))

    def text(self) -> str:
        return "\n".join(self.lines) + "\n"

    # --- what Haven did

    def flush(self, actor: str | None = None, *, quiet: bool = False) -> None:
        """Write a line for every message Haven sent or changed since the last flush (``quiet``: just note them)."""
        bot_user = self.env.bot.user
        bot_id = bot_user.id if bot_user is not None else 0
        for where, channel, dm_of in self._watched():
            for message in channel.history():
                if message.author.id != bot_id:
                    continue
                rendered = self.render(message)
                before = self.seen.get(message.id)
                if before == rendered:
                    continue
                self.seen[message.id] = rendered
                if quiet:
                    continue
                self._write_message(message, rendered, where, dm_of, actor, before=before)

    def replies(self, result: simcord.InteractionResult, actor: str) -> None:
        """Write the private (ephemeral) replies to what ``actor`` just did; public ones show in their channel."""
        shown = [result.response] if result.response is not None else []
        for response in [*shown, *result.followups]:
            if not response.ephemeral:
                continue
            message = response.message
            rendered = self.render(message)
            before = self.seen.get(message.id)
            if before != rendered:
                self.seen[message.id] = rendered
                self._write_message(message, rendered, "", None, actor, before=before)

    def _watched(self) -> Iterable[tuple[str, simcord.ChannelHandle, str | None]]:
        for channel in list(self.guild_channels):
            yield f"#{self.channel_names[channel.id]}", channel, None
            for thread in channel.threads:
                self.channel_names.setdefault(thread.id, thread.name or "thread")
                yield f"thread #{self.channel_names[thread.id]}", thread, None
        for channel, name in self.dm_channels.values():
            yield f"DM to {name}", channel, name

    def _write_message(
        self,
        message: discord.Message,
        rendered: str,
        where: str,
        dm_of: str | None,
        actor: str | None,
        *,
        before: str | None,
    ) -> None:
        if message.flags.ephemeral:
            head = f"(only {dm_of or actor or 'the member'} sees) Haven"
        else:
            head = f"[{where}] Haven"
        body = rendered.splitlines() or [""]
        if before is not None:  # an edit: only what changed, and an edit pings nobody
            old = set(before.splitlines())
            body = [line for line in body if line not in old] or ["(buttons removed)"]
            head += " updates its message"
        elif message.guild is not None and not message.flags.ephemeral:
            pings = [f"@{self.roles.get(r.id, r.name)}" for r in message.role_mentions]
            pings += [f"@{self.names.get(u.id, u.name)}" for u in message.mentions if u.id in self.names]
            head += f" → {', '.join(pings)}" if pings else ""
        head += ": "
        self.write(self._fit(head + body[0]))
        for extra in body[1:]:
            self.write(self._fit("      " + extra))

    # --- rendering one message

    def render(self, message: discord.Message) -> str:
        """A message as a few short lines: its text, its embeds, its buttons and files."""
        lines: list[str] = []
        only_pings = not ROLE_MENTION.sub("", message.content).strip()  # an alert card's ping
        content = "" if only_pings else self.plain(message.content).strip()
        if content:
            lines.append(content.splitlines()[0] + (" …" if "\n" in content else ""))
        for embed in message.embeds:
            lines.extend(self._embed(embed))
        controls = self._controls(message)
        if controls:
            lines.append(controls)
        if message.attachments:
            lines.append("attached: " + ", ".join(a.filename for a in message.attachments))
        return "\n".join(lines) or "(an empty message)"

    def _embed(self, embed: discord.Embed) -> list[str]:
        parts: list[str] = []
        if embed.title:
            parts.append(f"«{self.plain(embed.title)}»")
        if embed.description:
            first = next((ln for ln in self.plain(embed.description).splitlines() if ln.strip()), "")
            parts.append(first.strip())
        lines = [" ".join(parts) or "(an embed)"]
        for embed_field in embed.fields:
            if embed_field.name in SHOWN_FIELDS:
                value = " ".join(self.plain(str(embed_field.value)).split())
                lines.append(f"{embed_field.name}: {value}")
        return lines

    def _controls(self, message: discord.Message) -> str:
        labels: list[str] = []
        for row in message.components:
            for item in getattr(row, "children", []):
                label = getattr(item, "label", None)
                placeholder = getattr(item, "placeholder", None)
                if label:
                    labels.append(f"[{label}]")
                elif placeholder:
                    labels.append(f"<{placeholder}>")
        return "buttons: " + " ".join(labels) if labels else ""

    def plain(self, text: str) -> str:
        """Discord markup as plain text: names for mentions, dates for timestamps, no bold or links."""
        text = USER_MENTION.sub(lambda m: "@" + self.names.get(int(m.group(1)), "someone"), text)
        text = ROLE_MENTION.sub(lambda m: "@" + self.roles.get(int(m.group(1)), "a role"), text)
        text = CHANNEL_MENTION.sub(lambda m: "#" + self.channel_names.get(int(m.group(1)), "channel"), text)
        text = TIMESTAMP.sub(lambda m: _when(int(m.group(1))), text)
        text = LINK.sub(lambda m: m.group(1), text)
        return SNOWFLAKE.sub("", QUOTE.sub("", MARKDOWN.sub("", text)))

    def _fit(self, line: str) -> str:
        return line if len(line) <= self.width else line[: self.width - 2].rstrip() + " …"


def _when(timestamp: int) -> str:
    return datetime.fromtimestamp(timestamp, UTC).strftime("%a %d %b %H:%M UTC")
