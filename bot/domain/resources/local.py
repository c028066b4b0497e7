"""A server's own local resources: their limits and the rules for checking and choosing them."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from bot.domain.resources.model import MAX_LINES, Topic
from bot.errors import InvalidInput

LOCAL_NAME_MAX = 80
LOCAL_DESCRIPTION_MAX = 200
LOCAL_URL_MAX = 200
LOCAL_MAX_PER_SERVER = 15
_PHONE_RE = re.compile(r"^\+?[0-9][0-9 ()\-.]{1,22}$")
_URL_RE = re.compile(r"^https?://[^\s/$.?#][^\s]*$", re.IGNORECASE)


@dataclass(frozen=True)
class LocalResource:
    """An entry a server's moderators added: a local clinic, the server's support channel."""

    id: int
    guild_id: int
    name: str
    description: str
    phone: str | None
    url: str | None
    topic: Topic | None


@dataclass(frozen=True)
class LocalDraft:
    """Validated fields for a new or edited local resource."""

    name: str
    description: str
    phone: str | None
    url: str | None
    topic: Topic | None


def validate_local(
    name: str, description: str, phone: str | None, url: str | None, topic: Topic | None
) -> LocalDraft:
    """Check a moderator's entry like the shipped data; raise ``InvalidInput`` naming what to fix."""
    name = " ".join(name.split())
    description = " ".join(description.split())
    phone = (phone or "").strip() or None
    url = (url or "").strip() or None
    if not 2 <= len(name) <= LOCAL_NAME_MAX:
        raise InvalidInput("resources.local.error.name", max=LOCAL_NAME_MAX)
    if len(description) > LOCAL_DESCRIPTION_MAX:
        raise InvalidInput("resources.local.error.description", max=LOCAL_DESCRIPTION_MAX)
    if phone is None and url is None and "<#" not in description:
        raise InvalidInput("resources.local.error.no_contact")
    if phone is not None and (not _PHONE_RE.match(phone) or sum(ch.isdigit() for ch in phone) < 3):
        raise InvalidInput("resources.local.error.phone")
    if url is not None and (len(url) > LOCAL_URL_MAX or not _URL_RE.match(url)):
        raise InvalidInput("resources.local.error.url")
    if "@everyone" in description or "@here" in description or "@everyone" in name or "@here" in name:
        raise InvalidInput("resources.local.error.mention")
    return LocalDraft(name=name, description=description, phone=phone, url=url, topic=topic)


def local_for_topic(
    entries: Sequence[LocalResource], topic: Topic, limit: int = MAX_LINES
) -> list[LocalResource]:
    """A server's entries for ``topic`` (entries without a topic fit every topic), at most ``limit``."""
    return [e for e in entries if e.topic is None or e.topic == topic][:limit]
