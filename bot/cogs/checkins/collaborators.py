"""What check-ins, their prompts and their buttons work with, handed over by the composition root."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from bot.delivery import DeliveryEngine
from bot.i18n import Catalogs
from bot.services.buddies import BuddyService
from bot.services.checkins import CheckinService
from bot.services.crisis import CrisisService
from bot.services.follow_up import FollowUpService
from bot.services.resources import ResourceService
from bot.ui.collaborators import Collaborators


@dataclass(frozen=True)
class CheckinCollaborators(Collaborators):
    """The services a check-in touches, and the senders its follow-up buttons start."""

    checkins: CheckinService
    follow_up: FollowUpService
    buddies: BuddyService
    crisis: CrisisService
    resources: ResourceService
    i18n: Catalogs
    deliver_alert: Callable[[int], Awaitable[None]]  # the alert's card and replies, now
    wake_buddies: Callable[[], None]  # send the buddy DMs just queued now, not at the next tick
    engine: DeliveryEngine  # the one delivery engine: this feature's handlers and due work register there
