"""Rendering a lookup answer as an embed. Pure formatting: no I/O."""

from __future__ import annotations

from datetime import datetime

import discord

from bot.domain.resources import Country, Directory, Line, LocalResource, OpenStatus, Topic
from bot.i18n import Catalogs
from bot.services.resources import Answer

COLOUR = discord.Colour(0x3BA55D)
FIELD_VALUE_MAX = 1024
DESCRIPTION_MAX = 4096


def topic_label(i18n: Catalogs, locale: object, topic: Topic) -> str:
    """A topic's name for members."""
    return i18n.text(f"topic.{topic.value}", locale)


def emergency_text(i18n: Catalogs, locale: object, country: Country | None) -> str:
    """The line that always comes first: the emergency number for immediate danger."""
    if country is None:
        return i18n.text("resources.emergency_unknown", locale)
    also = ""
    if country.emergency.also:
        also = i18n.text("resources.emergency_also", locale, numbers=", ".join(country.emergency.also))
    return i18n.text("resources.emergency", locale, number=country.emergency.number, also=also)


def render_answer(i18n: Catalogs, locale: object, answer: Answer, directory: Directory) -> discord.Embed:
    """The private (or shared) card for a lookup answer."""
    if answer.topic.is_self_help:
        return render_self_help(i18n, locale, answer)
    t = i18n.text
    intl = directory.international
    country = answer.country
    parts = [emergency_text(i18n, locale, country)]
    if country is None:
        key = "resources.unknown_country" if answer.unknown_country else "resources.no_country"
        parts.append(t(key, locale, text=answer.unknown_country or "", directory=intl.name, url=intl.url))
        title = t("resources.title_no_country", locale)
    else:
        name = directory.name_in(country, i18n.resolve_locale(locale))  # "Alemania" for a Spanish member
        title = t("resources.title", locale, country=name)
        if answer.country_source == "saved":
            parts.append(t("resources.saved_note", locale, country=name))
        selection = answer.selection
        if selection is None or not selection.lines:
            parts.append(t("resources.no_lines", locale, country=name, directory=intl.name, url=intl.url))
        elif not selection.topic_matched:
            label = topic_label(i18n, locale, answer.topic)
            parts.append(t("resources.topic_fallback", locale, topic=label, country=name))
    embed = discord.Embed(title=title, description="\n\n".join(parts)[:DESCRIPTION_MAX], colour=COLOUR)
    if answer.local:
        embed.add_field(
            name=t("resources.local.heading", locale),
            value=render_local(answer.local)[:FIELD_VALUE_MAX],
            inline=False,
        )
    if answer.selection is not None:
        for line in answer.selection.lines:
            status = answer.statuses.get(line.id, OpenStatus(open=None))
            name, value = render_line(i18n, locale, line, status)
            embed.add_field(name=name, value=value, inline=False)
    embed.set_footer(text=t("resources.footer", locale))
    return embed


def render_line(i18n: Catalogs, locale: object, line: Line, status: OpenStatus) -> tuple[str, str]:
    """One line as an embed field: contacts, open now, languages, source; unverified lines say so."""
    t = i18n.text
    contacts: list[str] = []
    for phone in line.phones:
        text = t("resources.line.call", locale, number=phone.number)
        contacts.append(f"{text} ({phone.note})" if phone.note else text)
    if line.sms is not None:
        key = "resources.line.text_keyword" if line.sms.keyword else "resources.line.text"
        text = t(key, locale, keyword=line.sms.keyword or "", number=line.sms.number)
        contacts.append(f"{text} ({line.sms.note})" if line.sms.note else text)
    if line.chat_url:
        contacts.append(t("resources.line.chat", locale, url=line.chat_url))
    if line.website:
        contacts.append(t("resources.line.website", locale, url=line.website))
    facts = [open_text(i18n, locale, status, line)]
    if line.free:
        facts.append(t("resources.line.free", locale))
    if line.languages:
        facts.append(t("resources.line.languages", locale, languages=", ".join(line.languages)))
    rows = [" · ".join(contacts), " · ".join(facts)]
    if line.hours.note:
        rows.append(line.hours.note)
    if line.note:
        rows.append(line.note)
    if not line.verified:
        rows.append(t("resources.line.unverified", locale))
    rows.append(
        t("resources.line.source", locale, url=line.source_url, date=line.last_verified.strftime("%Y-%m"))
    )
    value = "\n".join(r for r in rows if r)
    return line.name[:256], value[:FIELD_VALUE_MAX]


def open_text(i18n: Catalogs, locale: object, status: OpenStatus, line: Line) -> str:
    """Open now / closed now / hours not listed, in the line's own timezone."""
    t = i18n.text
    if status.open is None:
        return t("resources.line.hours_unknown", locale)
    if status.always:
        return t("resources.line.open_always", locale)
    zone = (line.hours.timezone or "").rsplit("/", 1)[-1].replace("_", " ")
    change: datetime | None = status.next_change
    if status.open:
        time_text = change.strftime("%H:%M") if change else ""
        return t("resources.line.open_until", locale, time=time_text, zone=zone)
    if change is None:
        return t("resources.line.closed", locale)
    day = t(f"day.{change.weekday()}", locale)
    return t("resources.line.closed_next", locale, day=day, time=change.strftime("%H:%M"), zone=zone)


def render_local(entries: tuple[LocalResource, ...] | list[LocalResource]) -> str:
    """A server's own entries, one per line."""
    lines: list[str] = []
    for entry in entries:
        bits = [f"**{entry.name}**"]
        if entry.description:
            bits.append(entry.description)
        if entry.phone:
            bits.append(f"**{entry.phone}**")
        if entry.url:
            bits.append(entry.url)
        lines.append(" · ".join(bits))
    return "\n".join(lines)


def render_self_help(i18n: Catalogs, locale: object, answer: Answer) -> discord.Embed:
    """Self-help material in Haven's own words, with the emergency line first."""
    t = i18n.text
    key = f"selfhelp.{answer.topic.value}"
    description = f"{emergency_text(i18n, locale, answer.country)}\n\n{t(key + '.body', locale)}"
    embed = discord.Embed(
        title=t(key + ".title", locale), description=description[:DESCRIPTION_MAX], colour=COLOUR
    )
    if answer.local:
        embed.add_field(
            name=t("resources.local.heading", locale),
            value=render_local(answer.local)[:FIELD_VALUE_MAX],
            inline=False,
        )
    embed.set_footer(text=t("help.peer_note", locale))
    return embed
