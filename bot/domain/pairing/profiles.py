"""A member's profile and the small parsers around it: topics, intro, pause dates, timezone offsets, and the
conversation starters and halfway question of a pairing."""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.domain.pairing.model import INTRO_MAX, TOPICS_MAX, LookingFor
from bot.domain.pauses import latest_pause_day
from bot.errors import InvalidInput


def utc_offset_minutes(zone_name: str, at: datetime) -> int:
    """A zone's offset from UTC at ``at``, in minutes (unknown zones count as UTC)."""
    try:
        offset = at.astimezone(ZoneInfo(zone_name)).utcoffset()
    except (ZoneInfoNotFoundError, ValueError):
        return 0
    return int(offset.total_seconds() // 60) if offset else 0


STARTERS = 8  # buddy.starter.1 .. buddy.starter.8 in the message catalog


def conversation_starters(seed: int, count: int = 3) -> list[str]:
    """Gentle openers (keys into the message catalog), picked deterministically for a pairing."""
    keys = [f"buddy.starter.{i}" for i in range(1, STARTERS + 1)]
    random.Random(seed).shuffle(keys)
    return keys[:count]


def halfway(started: datetime, ends: datetime) -> datetime:
    """When to ask "did you two get a chance to talk?"."""
    return started + (ends - started) / 2


def parse_pause(text: str, today: date) -> date:
    """A pause end date as YYYY-MM-DD, today or later (at most a year away)."""
    try:
        until = date.fromisoformat(text.strip())
    except ValueError as exc:
        raise InvalidInput("buddy.error.date") from exc
    if until < today or until > latest_pause_day(today):
        raise InvalidInput("buddy.error.date")
    return until


def holds_listener_role(listener_role_id: int | None, role_ids: Iterable[int]) -> bool:
    """Whether a member holds the server's listener role (never, when the server set none)."""
    return listener_role_id is not None and listener_role_id in set(role_ids)


def may_look_for(looking_for: LookingFor, listener_role_id: int | None, is_listener: bool) -> bool:
    """Only listeners may offer to support someone, once the server set a listener role; anyone may otherwise."""
    return looking_for is not LookingFor.SUPPORT or listener_role_id is None or is_listener


def clean_topics(server_topics: Sequence[str], chosen: Iterable[str]) -> frozenset[str]:
    """The chosen topics that are on the server's list."""
    allowed = set(server_topics)
    return frozenset(t for t in chosen if t in allowed)


def clean_intro(text: str | None) -> str | None:
    """A member's intro, trimmed; None when empty. Too long is refused with the limit, never cut silently."""
    intro = (text or "").strip()
    if len(intro) > INTRO_MAX:
        raise InvalidInput("buddy.error.intro_too_long", max=INTRO_MAX, length=len(intro))
    return intro or None


def parse_topics(text: str) -> tuple[str, ...]:
    """A moderator's comma-separated topic list: trimmed, de-duplicated, each at most 50 characters, at most 25."""
    seen: dict[str, str] = {}
    for raw in text.split(","):
        topic = " ".join(raw.split())[:50]
        if topic and topic.lower() not in seen:
            seen[topic.lower()] = topic
    topics = tuple(seen.values())
    if not topics or len(topics) > TOPICS_MAX:
        raise InvalidInput("buddy.error.topics", max=TOPICS_MAX)
    return topics
