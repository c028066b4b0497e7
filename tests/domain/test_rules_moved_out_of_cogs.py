"""Rules that used to live in the cogs, now in the domain: each testable without Discord."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.domain.alerts import help_topic, parse_reason, reason_ref
from bot.domain.checkins import FollowUpOffer, follow_up_offer, pause_resumes_at
from bot.domain.cooldown import Cooldown
from bot.domain.crisis import Kind
from bot.domain.pairing import LookingFor, holds_listener_role, may_look_for, parse_pause
from bot.domain.pauses import latest_pause_day
from bot.domain.resources import Topic
from bot.errors import InvalidInput

T0 = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)


def test_a_cooldown_allows_one_event_per_key_per_period() -> None:
    cooldown = Cooldown(timedelta(minutes=10))
    assert cooldown.allow(1, T0)
    assert not cooldown.allow(1, T0 + timedelta(minutes=9))
    assert cooldown.allow(2, T0 + timedelta(minutes=9))  # another person is counted apart
    assert cooldown.allow(1, T0 + timedelta(minutes=10))


def test_a_cooldown_remembers_a_bounded_number_of_people() -> None:
    cooldown = Cooldown(timedelta(minutes=10), size=3)
    for key in range(100):
        assert cooldown.allow(key, T0)
    assert len(cooldown) == 3
    assert not cooldown.allow(99, T0)  # the most recent are the ones kept
    assert cooldown.allow(0, T0)  # the oldest was forgotten: at worst one reply early


@pytest.mark.parametrize(
    ("kind", "topic"),
    [(Kind.CONCERN, Topic.SUPPORT_A_FRIEND), (Kind.SELF, Topic.SUICIDE_CRISIS), (None, Topic.SUICIDE_CRISIS)],
)
def test_the_help_shown_with_a_reply_follows_the_kind_of_alert(kind: Kind | None, topic: Topic) -> None:
    assert help_topic(kind) is topic


def test_a_reason_written_by_haven_is_a_catalog_key_and_anything_else_is_shown_as_stored() -> None:
    stored = reason_ref("crisis.request.check_in", member="<@1>")
    assert parse_reason(stored) == ("crisis.request.check_in", {"member": "<@1>"})
    assert parse_reason("kill myself") is None
    assert parse_reason("i18n:not json") is None
    assert parse_reason('i18n:{"params": {}}') is None


@pytest.mark.parametrize(
    ("opted_in", "moderator_followup", "alerts_configured", "has_buddy", "offer"),
    [
        (True, True, True, True, FollowUpOffer(ask_moderator=True, tell_buddy=True)),
        (False, True, True, True, FollowUpOffer(hint=True)),
        (True, False, True, False, FollowUpOffer()),
        (True, True, False, True, FollowUpOffer(tell_buddy=True)),
        (False, False, False, False, FollowUpOffer()),
    ],
)
def test_follow_up_buttons_only_for_members_who_chose_them(
    opted_in: bool, moderator_followup: bool, alerts_configured: bool, has_buddy: bool, offer: FollowUpOffer
) -> None:
    assert (
        follow_up_offer(
            opted_in=opted_in,
            moderator_followup=moderator_followup,
            alerts_configured=alerts_configured,
            has_buddy=has_buddy and opted_in,
        )
        == offer
    )


@pytest.mark.parametrize(
    ("looking_for", "role", "roles", "allowed", "listener"),
    [
        (LookingFor.SUPPORT, None, [], True, False),  # no listener role set: anyone may offer support
        (LookingFor.SUPPORT, 7, [7, 8], True, True),
        (LookingFor.SUPPORT, 7, [8], False, False),
        (LookingFor.BOTH, 7, [], True, False),
        (LookingFor.TALK, 7, [], True, False),
    ],
)
def test_only_listeners_offer_support_once_a_server_sets_a_listener_role(
    looking_for: LookingFor, role: int | None, roles: list[int], allowed: bool, listener: bool
) -> None:
    assert holds_listener_role(role, roles) is listener
    assert may_look_for(looking_for, role, listener) is allowed


def test_one_pause_limit_for_check_ins_and_buddy_pairing() -> None:
    today = date(2026, 11, 22)
    latest = latest_pause_day(today)
    assert latest == date(2027, 11, 22)
    assert parse_pause(latest.isoformat(), today) == latest
    with pytest.raises(InvalidInput):
        parse_pause((latest + timedelta(days=1)).isoformat(), today)
    with pytest.raises(InvalidInput):
        pause_resumes_at(latest + timedelta(days=1), ZoneInfo("UTC"), datetime(2026, 11, 22, 12, tzinfo=UTC))
