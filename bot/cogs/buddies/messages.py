"""The words of pairing DMs: introductions, "You're buddies!", kind endings and the halfway question."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import discord

from bot.cogs.buddies.intro import COLOUR, intro_embed
from bot.cogs.buddies.views import pairing_view
from bot.services.buddies import MemberRow, OutboxRow, PairingRow

if TYPE_CHECKING:
    from bot.app import HavenBot


def render(
    bot: HavenBot,
    locale: Any,
    row: OutboxRow,
    guild: discord.Guild | None,
    pairing: PairingRow | None,
    profiles: dict[int, MemberRow],
) -> tuple[str, list[discord.Embed], discord.ui.View | None]:
    """Content, embeds and buttons for one outbox message."""
    t = bot.i18n.text
    server = guild.name if guild else t("buddy.a_server", locale)
    others = [m.user_id for m in pairing.present if m.user_id != row.user_id] if pairing else []
    mentions = " ".join(f"<@{u}>" for u in others)
    if row.kind == "intro" and pairing is not None:
        return _intro(bot, locale, row, server, pairing, profiles)
    if row.kind == "active" and pairing is not None:
        embed = discord.Embed(description=t("buddy.what_a_buddy_is", locale), colour=COLOUR)
        view = pairing_view(bot, locale, pairing.id, ("end", "worried"))
        return t("buddy.dm.active", locale, buddies=mentions, server=server), [embed], view
    if row.kind == "nudge" and pairing is not None:
        view = pairing_view(bot, locale, pairing.id, ("worried",))
        return t("buddy.dm.nudge", locale, member=f"<@{row.about_id}>", server=server), [], view
    if row.kind == "halfway" and pairing is not None:
        view = pairing_view(bot, locale, pairing.id, ("talked", "notyet", "end"))
        return t("buddy.dm.halfway", locale, buddies=mentions, server=server), [], view
    return t(f"buddy.dm.{row.kind}", locale, server=server), [], None


def _intro(
    bot: HavenBot,
    locale: Any,
    row: OutboxRow,
    server: str,
    pairing: PairingRow,
    profiles: dict[int, MemberRow],
) -> tuple[str, list[discord.Embed], discord.ui.View | None]:
    t = bot.i18n.text
    embed = intro_embed(bot, locale, row.user_id, pairing, profiles)
    deadline = f"<t:{int(pairing.respond_by.timestamp())}:R>"
    content = t("buddy.dm.intro", locale, server=server, deadline=deadline)
    view = pairing_view(bot, locale, pairing.id, ("hello", "notnow", "worried"))
    return content, [embed], view


def render_for_thread(
    bot: HavenBot,
    locale: Any,
    row: OutboxRow,
    guild: discord.Guild | None,
    pairing: PairingRow | None,
    profiles: dict[int, MemberRow],
) -> tuple[str, list[discord.Embed], discord.ui.View | None]:
    """The same message for the private-thread fallback, which moderators with Manage Threads can read.

    An introduction there holds the buttons only: who the buddy is, their topics and intro come privately
    (**Show my buddy** answers only the member who presses it, and so does `/buddy status`).
    """
    if row.kind != "intro" or pairing is None:
        return render(bot, locale, row, guild, pairing, profiles)
    t = bot.i18n.text
    server = guild.name if guild else t("buddy.a_server", locale)
    deadline = f"<t:{int(pairing.respond_by.timestamp())}:R>"
    content = t("buddy.thread.intro", locale, server=server, deadline=deadline)
    view = pairing_view(bot, locale, pairing.id, ("who", "hello", "notnow", "worried"))
    return content, [], view
