"""The introduction of a buddy: who, what you share, their intro. Shown only where only that member can read it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import discord

from bot.domain.pairing import conversation_starters
from bot.services.buddies import MemberRow, PairingRow

if TYPE_CHECKING:
    from bot.app import HavenBot

COLOUR = discord.Colour(0x5B8DEF)


def intro_embed(
    bot: HavenBot, locale: Any, user_id: int, pairing: PairingRow, profiles: dict[int, MemberRow]
) -> discord.Embed:
    """The other members of ``pairing`` as ``user_id`` should see them: topics in common, intros, starters.

    Private by nature: a DM or an ephemeral reply, never a thread (moderators with Manage Threads can read those).
    """
    t = bot.i18n.text
    me = profiles.get(user_id)
    embed = discord.Embed(title=t("buddy.intro.title", locale), colour=COLOUR)
    for other in [m.user_id for m in pairing.present if m.user_id != user_id]:
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
    return embed
