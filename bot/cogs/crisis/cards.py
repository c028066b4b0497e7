"""Rendering an alert card and the member's private reply."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import discord

from bot.domain.alerts import Alert, ReplyState, Status, parse_reason
from bot.domain.crisis import Kind, Severity
from bot.ui.input import clip, member_text

if TYPE_CHECKING:
    from bot.app import HavenBot

COLOURS = {
    Severity.IMMINENT: discord.Colour(0xD83C3E),
    Severity.HIGH: discord.Colour(0xE67E22),
    Severity.MODERATE: discord.Colour(0xF1C40F),
    Severity.WATCH: discord.Colour(0x95A5A6),
}
CLOSED_COLOUR = discord.Colour(0x57F287)


def card_ref(alert_id: int) -> str:
    """The reference in a card's footer, also used to find a card after a crash."""
    return f"Alert #{alert_id}"


def reason_text(bot: HavenBot, matched: str, locale: Any) -> str:
    """What matched, or the reason Haven wrote for moderators, in the moderators' language."""
    reason = parse_reason(matched)
    if reason is None:
        return matched
    key, params = reason
    return bot.i18n.text(key, locale, **params)


def render_card(
    bot: HavenBot,
    alert: Alert,
    locale: Any,
    *,
    recent: int,
    revealed: bool = False,
    masked: str | None = None,
) -> discord.Embed:
    """The alert card for moderators (``masked``: an anonymous member's alias, shown instead of them)."""
    t = bot.i18n.text
    severity = t(f"crisis.severity.{alert.severity.label}", locale)
    kind = t(f"crisis.kind.{alert.kind.value}", locale)
    colour = CLOSED_COLOUR if not alert.status.active else COLOURS[alert.severity]
    embed = discord.Embed(title=t("crisis.card.title", locale, severity=severity, kind=kind), colour=colour)
    member = (
        t("crisis.card.member_masked", locale, alias=masked)
        if masked
        else f"<@{alert.member_id}> (`{alert.member_id}`)"
    )
    embed.add_field(name=t("crisis.card.member", locale), value=member)
    if alert.from_dm:
        where = t("crisis.card.where_dm", locale)
    else:
        link = f"https://discord.com/channels/{alert.guild_id}/{alert.channel_id}/{alert.message_id}"
        where = t("crisis.card.where_channel", locale, channel=f"<#{alert.channel_id}>", link=link)
    embed.add_field(name=t("crisis.card.where", locale), value=where)
    # Nothing of a DM's words on the card before Reveal. (A member's request has no excerpt: its reason is
    # written for the moderators and stays.)
    hidden = alert.from_dm and alert.excerpt is not None and not revealed
    if alert.excerpt is None:
        text = t("crisis.card.excerpt_deleted", locale)
    elif hidden:
        text = t("crisis.card.excerpt_hidden", locale)
    else:
        text = f">>> {member_text(alert.excerpt, 1000)}"
    embed.add_field(name=t("crisis.card.excerpt", locale), value=text[:1024], inline=False)
    if alert.matched:
        matched = (
            t("crisis.card.matched_hidden", locale)
            if hidden
            else clip(discord.utils.escape_markdown(reason_text(bot, alert.matched, locale)), 1024)
        )
        embed.add_field(name=t("crisis.card.matched", locale), value=matched, inline=False)
    history = (
        t("crisis.card.recent_none", locale) if recent == 0 else t("crisis.card.recent", locale, count=recent)
    )
    embed.add_field(name=t("crisis.card.history", locale), value=history)
    if alert.hits > 1:
        embed.add_field(name=t("crisis.card.hits", locale), value=str(alert.hits))
    embed.add_field(name=t("crisis.card.status", locale), value=_status(bot, alert, locale), inline=False)
    reply = {
        ReplyState.SENT: "crisis.card.reply_sent",
        ReplyState.CLOSED: "crisis.card.reply_closed",
        ReplyState.PENDING: "crisis.card.reply_pending",
        ReplyState.NONE: "crisis.card.reply_none",
    }[alert.reply_state]
    embed.add_field(name=t("crisis.card.reply", locale), value=t(reply, locale), inline=False)
    embed.set_footer(text=f"{card_ref(alert.id)} · {t('crisis.card.footer', locale)}")
    embed.timestamp = alert.created_at
    return embed


def _status(bot: HavenBot, alert: Alert, locale: Any) -> str:
    t = bot.i18n.text
    if alert.status is Status.CLAIMED:
        return t("crisis.card.claimed", locale, moderator=f"<@{alert.claimed_by}>")
    if alert.status is Status.RESOLVED:
        return t("crisis.card.resolved", locale, moderator=f"<@{alert.closed_by}>")
    if alert.status is Status.FALSE_ALARM:
        return t("crisis.card.false_alarm", locale, moderator=f"<@{alert.closed_by}>")
    return t("crisis.card.open", locale)


def render_member_reply(
    bot: HavenBot, alert: Alert, locale: Any, guild_name: str, *, tell_member: bool
) -> str:
    """The warm, private message to the member (the resources card follows it)."""
    t = bot.i18n.text
    if alert.kind is Kind.CONCERN:
        parts = [t("crisis.reply.concern", locale)]
    else:
        parts = [t("crisis.reply.self", locale)]
    if tell_member:
        parts.append(t("crisis.reply.moderators_told", locale, server=guild_name))
    parts.append(t("crisis.reply.peer_note", locale))
    return "\n\n".join(parts)
