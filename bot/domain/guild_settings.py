"""Server settings and the rules for where Haven may post."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

# What the bot needs in the alert channel, in the order a moderator would fix them.
ALERT_CHANNEL_PERMISSIONS: tuple[str, ...] = (
    "view_channel",
    "send_messages",
    "embed_links",
    "read_message_history",
)


@dataclass(frozen=True)
class GuildSettings:
    """One server's Haven settings. ``None`` means not set yet."""

    guild_id: int
    alert_channel_id: int | None = None
    moderator_role_id: int | None = None
    updated_at: datetime | None = None

    @property
    def alerts_configured(self) -> bool:
        """Whether escalations have somewhere to go."""
        return self.alert_channel_id is not None and self.moderator_role_id is not None


def missing_permissions(required: Iterable[str], granted: Iterable[str]) -> list[str]:
    """The required permission names that are not granted, in the order they were required."""
    have = set(granted)
    return [name for name in required if name not in have]
