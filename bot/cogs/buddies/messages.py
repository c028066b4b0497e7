"""The words of pairing DMs: introductions, "You're buddies!", kind endings and the halfway question."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import discord

from bot.cogs.buddies.views import pairing_view
from bot.domain.pairing import conversation_starters
from bot.storage.buddies import MemberRow, OutboxRow, PairingRow

if TYPE_CHECKING:
    from bot.app import HavenBot

COLOUR = discord.Colour(0x5B8DEF)


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
        return _intro(bot, locale, row, server, pairing, profiles, others)
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
    others: list[int],
) -> tuple[str, list[discord.Embed], discord.ui.View | None]:
    t = bot.i18n.text
    me = profiles.get(row.user_id)
    embed = discord.Embed(title=t("buddy.intro.title", locale), colour=COLOUR)
    for other in others:
        profile = profiles.get(other)
        shared = sorted(set(profile.topics) & set(me.topics)) if profile and me else []
        lines = [
            t(
                "buddy.intro.shared",
                locale,
                topics=", ".join(shared) if shared else t("buddy.intro.none", locale),
            )
        ]
        if profile and profile.intro:
            lines.append(
                t("buddy.intro.their_intro", locale, intro=discord.utils.escape_markdown(profile.intro))
            )
        embed.add_field(
            name=t("buddy.intro.who", locale), value=f"<@{other}>\n" + "\n".join(lines)[:900], inline=False
        )
    starters = "\n".join(f"- {t(key, locale)}" for key in conversation_starters(pairing.seed))
    embed.add_field(name=t("buddy.intro.starters", locale), value=starters[:1024], inline=False)
    embed.add_field(
        name=t("buddy.intro.what", locale), value=t("buddy.what_a_buddy_is", locale)[:1024], inline=False
    )
    deadline = f"<t:{int(pairing.respond_by.timestamp())}:R>"
    content = t("buddy.dm.intro", locale, server=server, deadline=deadline)
    view = pairing_view(bot, locale, pairing.id, ("hello", "notnow", "worried"))
    return content, [embed], view
