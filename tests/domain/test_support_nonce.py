"""Nonces for the parts of one relayed message: stable across attempts, distinct per part, within Discord's limit."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.domain.delivery import NONCE_LENGTH, make_nonce
from bot.domain.support import RELAY, part_nonce


def test_each_part_has_its_own_stable_nonce_within_discords_limit() -> None:
    nonce = make_nonce(RELAY, 7, datetime(2026, 12, 2, tzinfo=UTC))
    parts = [part_nonce(nonce, index) for index in range(4)]
    assert parts[0] == nonce  # a one-part message carries the work item's own nonce
    assert len(set(parts)) == 4 and all(len(p) <= NONCE_LENGTH for p in parts)
    assert parts == [part_nonce(nonce, index) for index in range(4)]  # the same on a retry
    other = make_nonce(RELAY, 8, datetime(2026, 12, 2, tzinfo=UTC))
    assert not set(parts) & {part_nonce(other, index) for index in range(4)}
