"""One consent model per member and server, read from each feature's own records (nothing is stored twice).

- Check-ins: opted in by scheduling them (the schedule's status says whether they are running).
- Buddy pairing: opted in by joining (the profile's status says waiting, paired or paused).
- Telling a buddy (or a moderator) after a low check-in: opted in with ``/checkin follow-up``.
- Crisis scanning: on when the server enables it (and has alerts set up); a member may opt out unless the server
  turned that choice off.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Scanning(StrEnum):
    """Whether Haven looks at this member's messages in this server for crisis language, and why."""

    ON = "on"  # scanned; the member may turn it off
    OPTED_OUT = "opted_out"  # the member turned it off
    SERVER_KEEPS_ON = "server_keeps_on"  # scanned even though the member opted out: the server decided
    REQUIRED = "required"  # scanned; the server doesn't let members opt out
    SERVER_OFF = "server_off"  # the server doesn't scan at all


def scanning_state(*, server_scans: bool, allow_optout: bool, opted_out: bool) -> Scanning:
    """The member's scanning state from the server's settings and their own choice."""
    if not server_scans:
        return Scanning.SERVER_OFF
    if not allow_optout:
        return Scanning.SERVER_KEEPS_ON if opted_out else Scanning.REQUIRED
    return Scanning.OPTED_OUT if opted_out else Scanning.ON


@dataclass(frozen=True)
class Consent:
    """A member's choices in one server."""

    guild_id: int
    user_id: int
    checkins: str | None  # None: never scheduled; else active / paused / stopped / dm_closed
    buddy: str | None  # None: not in pairing; else waiting / paired / paused
    tell_buddy: bool  # follow-up buttons after a low check-in
    scanning: Scanning
    opted_out: bool  # their own scanning choice (one for every server)
    saved_country: str | None  # per person, across servers

    @property
    def checkins_on(self) -> bool:
        return self.checkins in ("active", "paused", "dm_closed")

    @property
    def may_change_scanning(self) -> bool:
        """Whether a button to change scanning makes sense here."""
        return self.scanning in (Scanning.ON, Scanning.OPTED_OUT)
