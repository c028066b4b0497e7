"""Support requests and peer flags: the rules, pure (no discord, no I/O; time comes in as a parameter).

A member asks for a listener (anonymously or by name), a listener claims the request, and Haven relays the
conversation both ways. Peers can flag a worrying message to the moderators, and moderators can check on a member.
"""

from __future__ import annotations

import hashlib
import statistics
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

# Delivery work item kinds (bot/delivery): the engine runs the handler the support cog registers for each.
RELAY = "support.relay"  # ref: a support_messages row
CHECKON = "support.checkon"  # ref: a support_checkons row
CARD = "support.card"  # ref: a support_requests row (the card in the listeners' channel, with the ping)
REPING = "support.reping"  # ref: a support_requests row (nobody claimed it yet)
REVEALED = "support.revealed"  # ref: a support_requests row (tell the listener: a moderator saw who it is)

DISCORD_LIMIT = 2000
TOPIC_LIMIT = 60
TOPICS_MAX = 15
FIRST_MESSAGE_LIMIT = 1000
NOTE_LIMIT = 500
RELAY_STORE_LIMIT = 4000  # one relayed message as kept until sent (Discord's own limit is 4,000 with Nitro)
DEFAULT_TOPICS = ("Feeling low", "Anxiety", "Stress", "Loneliness", "Something else")

FLAGS_PER_DAY = 3
FLAGS_PER_WEEK_AFTER_BAD_FAITH = 1
BAD_FAITH_LIMIT = 2  # this many flags marked bad faith (in 90 days) and the flagger gets the stricter limit
BAD_FAITH_WINDOW = timedelta(days=90)
CHECKON_EVERY = timedelta(hours=24)  # moderators check on one member at most once a day


class RequestStatus(StrEnum):
    """Where a support request stands."""

    WAITING = "waiting"
    CLAIMED = "claimed"
    ENDED = "ended"
    CANCELLED = "cancelled"

    @property
    def open(self) -> bool:
        return self in (RequestStatus.WAITING, RequestStatus.CLAIMED)


@dataclass(frozen=True)
class SupportSettings:
    """A server's support set-up. Nothing works until a listener role and a support channel are set."""

    guild_id: int
    listener_role_id: int | None = None
    channel_id: int | None = None
    topics: tuple[str, ...] = DEFAULT_TOPICS
    reping_seconds: int = 600
    store_text: bool = False
    retention_days: int = 30
    requests_per_day: int = 3

    @property
    def configured(self) -> bool:
        return self.listener_role_id is not None and self.channel_id is not None


@dataclass(frozen=True)
class SupportRequest:
    """One member's request for a listener, and the conversation it became."""

    id: int
    guild_id: int
    member_id: int
    anonymous: bool
    alias: int
    topic: str
    status: RequestStatus
    created_at: datetime
    first_message: str | None = None
    listener_id: int | None = None
    thread_id: int | None = None
    fallback_thread_id: int | None = None  # the private thread a member with closed DMs talks in
    card_message_id: int | None = None
    pings: int = 0
    claimed_at: datetime | None = None
    ended_at: datetime | None = None
    feedback_given: bool = False
    identity_revealed_by: int | None = None  # the moderator who revealed an anonymous member after an alert
    identity_revealed_at: datetime | None = None
    origin_channel_id: int | None = None  # the server channel the member asked in (None: asked by DM)

    @property
    def alias_name(self) -> str:
        """What listeners see for an anonymous member (never the name or the id)."""
        return f"Member {self.alias:04d}"


@dataclass(frozen=True)
class RelayMessage:
    """One message to relay across the bridge, kept until it is sent."""

    id: int
    request_id: int
    from_member: bool
    text: str | None
    images: int
    parts_sent: int
    state: str


@dataclass(frozen=True)
class SupportCounts:
    """Counts for moderators: never content."""

    requests: int
    claimed: int
    median_wait_seconds: float | None
    median_claim_seconds: float | None
    helped: int
    not_helped: int
    waiting_now: int

    @property
    def claimed_share(self) -> float | None:
        return self.claimed / self.requests if self.requests else None


def alias_for(request_id: int, salt: int) -> int:
    """A four-digit alias for one request: not the member's id, not guessable from it, stable for the request."""
    return 1000 + (request_id * 7919 + salt) % 9000


def split_message(text: str, limit: int = DISCORD_LIMIT) -> list[str]:
    """Cut text into pieces Discord accepts, at a line break or space where one is near the limit."""
    pieces: list[str] = []
    rest = text
    while len(rest) > limit:
        cut = rest.rfind("\n", limit // 2, limit)
        if cut == -1:
            cut = rest.rfind(" ", limit // 2, limit)
        if cut == -1:
            cut = limit
        pieces.append(rest[:cut])
        rest = rest[cut:].lstrip("\n ") if cut < limit else rest[cut:]
    if rest or not pieces:
        pieces.append(rest)
    return pieces


def parse_topics(text: str) -> tuple[str, ...]:
    """Topics from a comma-separated list: trimmed, de-duplicated, each at most TOPIC_LIMIT characters."""
    seen: dict[str, str] = {}
    for raw in text.split(","):
        topic = " ".join(raw.split())[:TOPIC_LIMIT]
        if topic and topic.casefold() not in seen:
            seen[topic.casefold()] = topic
    return tuple(seen.values())[:TOPICS_MAX]


def flag_limit(bad_faith_flags: int) -> tuple[int, timedelta]:
    """How many flags a member may raise, and over what period, given their flags marked bad faith."""
    if bad_faith_flags >= BAD_FAITH_LIMIT:
        return FLAGS_PER_WEEK_AFTER_BAD_FAITH, timedelta(days=7)
    return FLAGS_PER_DAY, timedelta(days=1)


def in_hours(now_hour: int, start: int | None, end: int | None) -> bool:
    """Whether a listener's local hour is inside their hours (none set: always; 22-6 wraps past midnight)."""
    if start is None or end is None or start == end:
        return True
    if start < end:
        return start <= now_hour < end
    return now_hour >= start or now_hour < end


def median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


def reping_due(created: datetime, reping_seconds: int, pings: int) -> datetime | None:
    """When to ping listeners again: once after the configured time, then tell the member (pings counts both)."""
    if pings >= 2:
        return None
    return created + timedelta(seconds=reping_seconds * (pings + 1))


def part_nonce(nonce: str, index: int) -> str:
    """The nonce for one part of a relayed message: the work item's for the first, derived for the others (so a
    retry after a crash repeats each part's own nonce, and Discord refuses a second create of that part)."""
    if index == 0:
        return nonce
    return hashlib.sha256(f"{nonce}:{index}".encode()).hexdigest()[: len(nonce)]
