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


@dataclass(frozen=True)
class ChannelUse:
    """What Haven does in a channel a moderator configured, the permissions that takes, and where it is set."""

    label: str
    does: str
    can: str
    needs: tuple[str, ...]
    command: str


# Every kind of channel a server can configure, keyed as ``bot/storage`` reports them.
CHANNEL_USES: dict[str, ChannelUse] = {
    "alert": ChannelUse(
        "alert channel", "post alerts", "post alert cards", ALERT_CHANNEL_PERMISSIONS, "/setup alerts"
    ),
    "transparency": ChannelUse(
        "transparency notice channel",
        "post or update the transparency notice",
        "post and update the transparency notice",
        ("view_channel", "send_messages", "embed_links"),
        "/setup transparency",
    ),
    "checkin_share": ChannelUse(
        "check-in share channel",
        "post check-ins members choose to share",
        "post shared check-ins",
        ("view_channel", "send_messages"),
        "/checkin-admin settings",
    ),
    "buddy": ChannelUse(
        "buddy channel",
        "open private threads for buddies whose DMs are closed",
        "open private threads for buddies",
        ("view_channel", "create_private_threads", "send_messages_in_threads"),
        "/buddy-admin settings",
    ),
}
