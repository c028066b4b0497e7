"""What buddy pairing, its DMs and their buttons work with, handed over by the composition root."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from bot.delivery import DeliveryEngine
from bot.services.buddies import BuddyService
from bot.services.checkins import CheckinService
from bot.ui.collaborators import Collaborators


@dataclass(frozen=True)
class BuddyCollaborators(Collaborators):
    """The buddy service, check-ins (a member's timezone), and the senders a button starts."""

    buddies: BuddyService
    checkins: CheckinService
    deliver_alert: Callable[[int], Awaitable[None]]  # the alert's card and replies, now
    wake: Callable[[], None]  # send the buddy DMs just queued now, not at the next tick
    engine: DeliveryEngine  # the one delivery engine: this feature's handlers and due work register there
