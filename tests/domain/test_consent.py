"""The scanning part of the consent model: the server's settings and the member's own choice."""

from __future__ import annotations

import pytest

from bot.domain.consent import Scanning, scanning_state


@pytest.mark.parametrize(
    ("server_scans", "allow_optout", "opted_out", "expected"),
    [
        (False, True, False, Scanning.SERVER_OFF),
        (False, False, True, Scanning.SERVER_OFF),
        (True, True, False, Scanning.ON),
        (True, True, True, Scanning.OPTED_OUT),
        (True, False, False, Scanning.REQUIRED),
        (True, False, True, Scanning.SERVER_KEEPS_ON),
    ],
)
def test_scanning_state(server_scans: bool, allow_optout: bool, opted_out: bool, expected: Scanning) -> None:
    assert (
        scanning_state(server_scans=server_scans, allow_optout=allow_optout, opted_out=opted_out) is expected
    )
