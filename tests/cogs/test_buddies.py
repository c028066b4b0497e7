"""Buddy pairing through the real bot: join, pair, consent, DMs closed, worries, endings, blocks, rounds."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
import simcord
import simcord.interactions as simcord_interactions

from bot.errors import InvalidInput
from bot.storage.engine import Database
from bot.wiring import build_bot
from tests.conftest import FakeClock
from tests.helpers import haven
from tests.kit import World, dms, tick


@pytest.fixture
async def place(world: World):
    return world.guild, world.general


@pytest.fixture
async def mod(world: World):
    return world.moderator, world.mods


async def join(env: simcord.Env, place, name: str, topics: list[str], **options: str):
    guild, channel = place
    member = guild.add_member(env.create_user(name))
    options.setdefault("looking_for", "both")
    options.setdefault("timezone", "Europe/Berlin")
    shown = await member.slash(channel, "buddy join", **options)
    assert shown.ephemeral and shown.response is not None, shown
    chosen = await member.select(shown.response.message, topics)
    assert chosen.response is not None
    await env.advance_time(1)
    return member, chosen.response.content


def intro(member):
    found = [m for m in dms(member) if "has a buddy for you" in m.content]
    return found[-1] if found else None


def intro_text(member) -> str:
    message = intro(member)
    assert message is not None, "no introduction DM"
    return " ".join(f.value for f in message.embeds[0].fields)


async def test_join_waits_then_pairs_on_demand_with_consent(env: simcord.Env, place) -> None:
    robin, said = await join(env, place, "robin", ["Anxiety", "Stress"], intro="I like long walks.")
    assert "You're in!" in said and intro(robin) is None

    sam, said = await join(env, place, "sam", ["Anxiety"], looking_for="talk")

    assert "someone who fits was already waiting" in said
    for member, other in ((robin, sam), (sam, robin)):
        message = intro(member)
        assert message is not None
        [embed] = message.embeds
        text = " ".join(f.value for f in embed.fields)
        assert f"<@{other.id}>" in text and "You share: Anxiety" in text
        assert "not a counsellor" in text and "/resources" in text
        [starters] = [f.value for f in embed.fields if f.name == "Ways to start"]
        assert 2 <= starters.count("\n- ") + 1 <= 3
        assert [b.label for row in message.components for b in row.children] == [
            "Say hello",
            "Not this time",
            "I'm worried about my buddy",
        ]
    assert "I like long walks." in intro_text(sam)

    first = await robin.user.click(intro(robin), label="Say hello")
    assert first.response is not None and "as soon as your buddy says hello" in first.response.content
    second = await sam.user.click(intro(sam), label="Say hello")
    assert second.response is not None and "You're both in" in second.response.content
    await env.advance_time(1)
    assert any("You're buddies!" in m.content for m in dms(robin))
    assert any("You're buddies!" in m.content for m in dms(sam))

    status = await robin.slash(place[1], "buddy status")
    assert status.response is not None and f"buddies with <@{sam.id}>" in status.response.content


async def test_not_this_time_sends_the_one_who_said_yes_back_first(env: simcord.Env, place) -> None:
    robin, _ = await join(env, place, "robin", ["Grief and loss"])
    sam, _ = await join(env, place, "sam", ["Grief and loss"])
    await robin.user.click(intro(robin), label="Say hello")

    declined = await sam.user.click(intro(sam), label="Not this time")

    assert declined.response is not None and "nobody is told why" in declined.response.content
    await env.advance_time(1)
    told = [m.content for m in dms(robin) if "won't go ahead this time" in m.content]
    assert told and "isn't about you" in told[0]
    service = haven(env).services.buddies
    assert (await service.member(place[0].id, robin.id)).priority  # type: ignore[union-attr]
    # The one who said no isn't offered again this round, even when someone new joins.
    kim, said = await join(env, place, "kim", ["Grief and loss"])
    assert "already waiting" in said
    assert f"<@{robin.id}>" in intro_text(kim)


async def test_buttons_pressed_twice_or_after_the_pairing_ended(env: simcord.Env, place) -> None:
    robin, _ = await join(env, place, "robin", ["Stress"])
    sam, _ = await join(env, place, "sam", ["Stress"])
    message = intro(robin)

    await robin.user.click(message, label="Say hello")
    again = await robin.user.click(message, label="Say hello")
    assert again.response is not None and "already answered" in again.response.content

    await sam.slash(place[1], "buddy end")
    late = await robin.user.click(message, label="Not this time")
    assert late.response is not None and "has finished" in late.response.content


async def test_closed_dms_use_a_private_thread_or_tell_them_later(env: simcord.Env, place, mod) -> None:
    guild, channel = place
    moderator, _ = mod
    buddies = guild.create_text_channel("buddies")
    await moderator.slash(channel, "buddy-admin settings", channel=buddies)
    robin, _ = await join(env, place, "robin", ["Health"])
    env.inject_error(
        "POST",
        f"/channels/{robin.user.dm_channel.id}/messages",
        status=403,
        code=50007,
        times=None,
        message="Cannot send messages to this user",
    )
    sam, _ = await join(env, place, "sam", ["Health"])

    assert intro(sam) is not None and intro(robin) is None
    [thread] = buddies.threads
    posted = [m for m in thread.history(viewer=robin) if f"<@{robin.id}>" in m.content]
    assert posted, "the introduction went to a private thread robin can read"
    with pytest.raises(simcord.SetupError):
        thread.history(viewer=moderator)  # private: not even moderators are added
    hello = await robin.click(posted[0], label="Say hello")
    assert hello.response is not None and "as soon as your buddy says hello" in hello.response.content


async def test_no_dm_and_no_thread_means_a_private_word_at_the_next_command(env: simcord.Env, place) -> None:
    robin, _ = await join(env, place, "robin", ["Family"])
    env.inject_error(
        "POST",
        "/channels/*/messages",
        status=403,
        code=50007,
        times=None,
        message="Cannot send messages to this user",
    )
    await join(env, place, "sam", ["Family"])

    status = await robin.slash(place[1], "buddy status")

    assert status.response is not None
    assert "couldn't reach you by DM" in status.response.content
    assert "paired with" in status.response.content
    # Inside /buddy status the notice doesn't send them to /buddy status: the buddy is right there.
    assert "`/buddy status` shows who" not in status.response.content
    assert "shown below" in status.response.content
    # The introduction never reached them, so the answer buttons come with /buddy status.
    hello = await robin.click(status.response.message, label="Say hello")
    assert hello.response is not None and "as soon as your buddy says hello" in hello.response.content
    again = await robin.slash(place[1], "buddy status")
    assert again.response is not None and "couldn't reach you by DM" not in again.response.content
    assert not again.response.message.components  # answered: no buttons any more


async def test_worried_reaches_moderators_once_and_never_the_buddy(env: simcord.Env, place, mod) -> None:
    guild, channel = place
    moderator, role = mod
    alerts = guild.create_text_channel("mod-alerts")
    await moderator.slash(channel, "setup alerts", channel=alerts, role=role)
    robin, _ = await join(env, place, "robin", ["Low mood"])
    sam, _ = await join(env, place, "sam", ["Low mood"])
    before = len(dms(sam))

    worried = await robin.user.click(intro(robin), label="I'm worried about my buddy")
    again = await robin.user.click(intro(robin), label="I'm worried about my buddy")

    assert worried.response is not None and "moderators have been told privately" in worried.response.content
    assert again.response is not None and "already let the moderators know" in again.response.content
    cards = [m for m in alerts.history() if m.embeds]
    assert len(cards) == 1
    assert f"<@{sam.id}>" in " ".join(f.value for f in cards[0].embeds[0].fields)
    assert f"<@{robin.id}> is worried about their buddy" in " ".join(
        f.value for f in cards[0].embeds[0].fields
    )
    await env.advance_time(1)
    assert len(dms(sam)) == before  # nothing was sent to the buddy


async def test_end_and_block_then_the_next_round_avoids_repeats(
    env: simcord.Env, place, mod, clock: FakeClock
) -> None:
    guild, channel = place
    moderator, _ = mod
    a, _ = await join(env, place, "ana", ["Work or school"])
    b, _ = await join(env, place, "ben", ["Work or school"])
    c, _ = await join(env, place, "cat", ["Hobbies"])
    d, _ = await join(env, place, "dan", ["Hobbies"])
    service = haven(env).services.buddies
    first = {
        frozenset(m.user_id for m in (await service.status(guild.id, x.id)).pairing.members)  # type: ignore[union-attr]
        for x in (a, c)
    }
    assert first == {frozenset({a.id, b.id}), frozenset({c.id, d.id})}
    for x in (a, b, c, d):
        await x.user.click(intro(x), label="Say hello")

    blocked = await a.slash(channel, "buddy block", member=c.user)
    assert blocked.response is not None and "never be paired with" in blocked.response.content

    clock.advance(days=5)  # pairs made in the first half of a round finish when the next one starts
    ran = await moderator.slash(channel, "buddy-admin run")
    assert ran.response is not None and "New round started" in ran.response.content
    second = set()
    for x in (a, b, c, d):
        pairing = (await service.status(guild.id, x.id)).pairing
        if pairing is not None:
            second.add(frozenset(m.user_id for m in pairing.members))
    assert frozenset({a.id, b.id}) not in second and frozenset({c.id, d.id}) not in second
    assert frozenset({a.id, c.id}) not in second
    assert second == {frozenset({a.id, d.id}), frozenset({b.id, c.id})}


async def test_a_member_who_leaves_the_server_mid_pairing(env: simcord.Env, place) -> None:
    guild, _ = place
    robin, _ = await join(env, place, "robin", ["Recovery"])
    sam, _ = await join(env, place, "sam", ["Recovery"])

    guild.remove_member(sam)
    await env.advance_time(1)

    assert any("has ended" in m.content and "isn't about you" in m.content for m in dms(robin))
    service = haven(env).services.buddies
    assert (await service.status(guild.id, robin.id)).pairing is None
    assert await service.member(guild.id, sam.id) is None


async def test_pairings_that_nobody_answers_lapse_after_48_hours(
    env: simcord.Env, place, clock: FakeClock
) -> None:
    robin, _ = await join(env, place, "robin", ["Identity"])
    sam, _ = await join(env, place, "sam", ["Identity"])
    await robin.user.click(intro(robin), label="Say hello")

    await tick(env, clock, hours=49)

    assert any("didn't get to answer in time" in m.content for m in dms(robin))
    assert any("no answer in 48 hours" in m.content for m in dms(sam))


async def test_halfway_question_and_stats_show_counts_only(
    env: simcord.Env, place, mod, clock: FakeClock
) -> None:
    _guild, channel = place
    moderator, _ = mod
    robin, _ = await join(env, place, "robin", ["Just chatting"])
    sam, _ = await join(env, place, "sam", ["Just chatting"])
    await robin.user.click(intro(robin), label="Say hello")
    await sam.user.click(intro(sam), label="Say hello")

    await tick(env, clock, days=4)
    [question] = [m for m in dms(robin) if "get a chance to talk" in m.content]
    answer = await robin.user.click(question, label="Yes, we talked")
    assert answer.response is not None and "great to hear" in answer.response.content

    stats = await moderator.slash(channel, "buddy-admin stats")
    assert stats.response is not None
    text = stats.response.content
    assert "**Active pairs:** 1" in text and "1 / 1" in text and "100%" in text
    assert str(robin.id) not in text and str(sam.id) not in text


async def test_bad_input_gets_clear_private_answers(env: simcord.Env, place, mod) -> None:
    guild, channel = place
    moderator, _ = mod
    member = guild.add_member(env.create_user("robin"))

    nozone = await member.slash(channel, "buddy join", looking_for="both")
    assert nozone.response is not None and "Which timezone are you in?" in nozone.response.content
    badzone = await member.slash(channel, "buddy join", looking_for="both", timezone="Atlantis/Nowhere")
    assert badzone.ephemeral and badzone.response is not None
    notjoined = await member.slash(channel, "buddy end")
    assert notjoined.response is not None and "haven't joined" in notjoined.response.content
    topics = await moderator.slash(channel, "buddy-admin topics", topics=" , ,")
    assert topics.response is not None and "between 1 and 25 topics" in topics.response.content
    alone, said = await join(env, place, "sam", ["Anxiety"])
    assert "You're in!" in said  # one member waiting: no crash, just waiting
    selfblock = await alone.slash(channel, "buddy block", member=alone.user)
    assert selfblock.response is not None and "That's you" in selfblock.response.content
    for _ in range(3):  # block, unblock, re-join repeatedly
        await alone.slash(channel, "buddy block", member=member.user)
        await alone.slash(channel, "buddy unblock", member=member.user)
        await alone.slash(channel, "buddy leave")
        alone_again = await alone.slash(channel, "buddy join", looking_for="both", timezone="UTC")
        assert alone_again.response is not None
        await alone.select(alone_again.response.message, ["Anxiety"])
    env.errors  # noqa: B018


async def test_both_saying_hello_at_the_same_moment_makes_one_pairing(env: simcord.Env, place) -> None:
    guild, _ = place
    robin, _ = await join(env, place, "robin", ["Stress"])
    sam, _ = await join(env, place, "sam", ["Stress"])
    service = haven(env).services.buddies
    pairing = (await service.status(guild.id, robin.id)).pairing
    assert pairing is not None

    # Two presses landing together (simcord runs one interaction at a time, so race the service directly).
    outcomes = await asyncio.gather(
        service.respond(pairing.id, robin.id, True), service.respond(pairing.id, sam.id, True)
    )
    again = await robin.user.click(intro(robin), label="Say hello")
    await env.advance_time(1)

    assert sorted(outcomes) == ["active", "waiting"] or outcomes == ["active", "active"]
    assert again.response is not None and "already answered" in again.response.content
    for member in (robin, sam):
        assert len([m for m in dms(member) if "You're buddies!" in m.content]) == 1
        state = await service.status(guild.id, member.id)
        assert state.pairing is not None and state.pairing.status == "active"


async def test_buttons_from_a_lapsed_introduction_say_so(env: simcord.Env, place, clock: FakeClock) -> None:
    robin, _ = await join(env, place, "robin", ["Loneliness"])
    await join(env, place, "sam", ["Loneliness"])
    old = intro(robin)
    await tick(env, clock, hours=49)

    late = await robin.user.click(old, label="Say hello")

    assert late.response is not None and late.response.ephemeral
    assert "has finished" in late.response.content


async def test_buttons_keep_working_after_a_restart(
    env: simcord.Env, place, clock: FakeClock, database: Database
) -> None:
    robin, _ = await join(env, place, "robin", ["Loneliness"])
    sam, _ = await join(env, place, "sam", ["Loneliness"])

    await env.restart_bot(build_bot(database, clock=clock))
    await robin.user.click(intro(robin), label="Say hello")
    both = await sam.user.click(intro(sam), label="Say hello")

    assert both.response is not None and "You're both in" in both.response.content


async def test_an_odd_number_makes_a_group_of_three_or_tells_the_one_left_over(
    env: simcord.Env, place, mod
) -> None:
    guild, channel = place
    moderator, _ = mod
    service = haven(env).services.buddies
    ran = await moderator.slash(channel, "buddy-admin run")  # nobody waiting: nothing happens
    assert ran.response is not None and "0 pairings made" in ran.response.content
    alone, _ = await join(env, place, "ana", ["Relationships"])
    ran = await moderator.slash(
        channel, "buddy-admin run"
    )  # one member waiting: told kindly, first next time
    assert ran.response is not None and "0 pairings made, 1 left over" in ran.response.content
    await env.advance_time(1)
    assert any("weren't paired this time" in m.content for m in dms(alone))
    assert (await service.member(guild.id, alone.id)).priority  # type: ignore[union-attr]
    # Nobody shares a topic, so nobody is paired on demand; the round pairs them anyway.
    ben, _ = await join(env, place, "ben", ["Family"])
    cat, _ = await join(env, place, "cat", ["Hobbies"])
    await moderator.slash(channel, "buddy-admin settings", odd_number="trio")

    await moderator.slash(channel, "buddy-admin run")
    await env.advance_time(1)

    state = await service.status(guild.id, cat.id)
    assert state.pairing is not None
    assert {m.user_id for m in state.pairing.members} == {alone.id, ben.id, cat.id}
    assert f"<@{alone.id}>" in intro_text(cat) and f"<@{ben.id}>" in intro_text(cat)

    await moderator.slash(channel, "buddy-admin settings", odd_number="next")
    dan, _ = await join(env, place, "dan", ["Identity"])
    eve, _ = await join(env, place, "eve", ["Recovery"])
    fay, _ = await join(env, place, "fay", ["Health"])
    await moderator.slash(channel, "buddy-admin run")
    await env.advance_time(1)
    left = [x for x in (dan, eve, fay) if any("weren't paired this time" in m.content for m in dms(x))]
    assert len(left) == 1
    assert (await service.member(guild.id, left[0].id)).priority  # type: ignore[union-attr]
    assert sum(intro(x) is not None for x in (dan, eve, fay)) == 2


async def test_listener_role_pairs_listeners_with_members_who_asked_for_support(
    env: simcord.Env, place, mod
) -> None:
    guild, channel = place
    moderator, _ = mod
    listeners = guild.create_role("Listeners")
    await moderator.slash(channel, "buddy-admin settings", listener_role=listeners)
    outsider = guild.add_member(env.create_user("eve"))
    refused = await outsider.slash(channel, "buddy join", looking_for="support", timezone="Europe/Berlin")
    assert refused.response is not None and "listener role" in refused.response.content
    env.errors  # the refusal went through the error funnel  # noqa: B018

    seeker, _ = await join(env, place, "robin", ["Anxiety"], looking_for="talk")
    listener = guild.add_member(env.create_user("lee"), roles=[listeners])
    shown = await listener.slash(channel, "buddy join", looking_for="support", timezone="Europe/Berlin")
    assert shown.response is not None
    await listener.select(shown.response.message, ["Anxiety"])
    await env.advance_time(1)

    assert f"<@{seeker.id}>" in intro_text(listener)


async def test_pause_resume_and_report(env: simcord.Env, place, mod) -> None:
    guild, channel = place
    moderator, role = mod
    alerts = guild.create_text_channel("mod-alerts")
    await moderator.slash(channel, "setup alerts", channel=alerts, role=role)
    robin, _ = await join(env, place, "robin", ["Anxiety"])

    paused = await robin.slash(channel, "buddy pause", until="2027-01-31")
    assert paused.response is not None and paused.response.ephemeral, paused
    sam, said = await join(env, place, "sam", ["Anxiety"])
    assert "You're in!" in said and intro(robin) is None  # paused members aren't paired
    nonsense = await robin.slash(channel, "buddy pause", until="someday")
    assert nonsense.response is not None and nonsense.response.ephemeral
    assert any(isinstance(getattr(e, "original", e), InvalidInput) for e in env.errors)  # the funnel answered

    resumed = await robin.slash(channel, "buddy resume")
    await env.advance_time(1)
    assert resumed.response is not None and intro(robin) is not None

    reported = await sam.slash(channel, "buddy report", member=robin.user, what="Rude messages.")
    assert reported.response is not None and reported.response.ephemeral
    cards = [m for m in alerts.history() if m.embeds]
    assert len(cards) == 1 and "Rude messages." in str(cards[0].embeds[0].to_dict())
    assert not [m for m in dms(robin) if "report" in m.content.lower()]


async def test_rounds_run_on_their_own_at_the_servers_cadence(
    env: simcord.Env, place, clock: FakeClock
) -> None:
    guild, _ = place
    members = [await join(env, place, name, ["Stress"]) for name in ("ana", "ben", "cat", "dan")]
    service = haven(env).services.buddies
    first = set()
    for x, _ in members:
        await x.user.click(intro(x), label="Say hello")
        pairing = (await service.status(guild.id, x.id)).pairing
        assert pairing is not None
        first.add(frozenset(m.user_id for m in pairing.members))

    await tick(env, clock, days=7, minutes=1)  # weekly by default

    second = set()
    for x, _ in members:
        pairing = (await service.status(guild.id, x.id)).pairing
        assert pairing is not None and pairing.status == "pending"
        second.add(frozenset(m.user_id for m in pairing.members))
    assert len(second) == 2 and not first & second  # a new round, and no repeats


async def test_after_a_low_check_in_a_member_may_let_their_buddy_know(env: simcord.Env, place) -> None:
    _guild, channel = place
    robin, _ = await join(env, place, "robin", ["Low mood"])
    sam, _ = await join(env, place, "sam", ["Low mood"])
    await robin.user.click(intro(robin), label="Say hello")
    await sam.user.click(intro(sam), label="Say hello")

    shown = await robin.slash(channel, "checkin now")
    assert shown.response is not None
    before = await robin.click(shown.response.message, label="Awful")
    assert before.response is not None
    offered = [getattr(b, "label", None) for row in before.response.message.components for b in row.children]
    assert "Let my buddy know" not in offered  # only for members who chose it
    await robin.slash(channel, "checkin follow-up", offer=True)
    shown = await robin.slash(channel, "checkin now")
    assert shown.response is not None
    saved = await robin.click(shown.response.message, label="Awful")
    assert saved.response is not None

    told = await robin.click(saved.response.message, label="Let my buddy know")
    again = await robin.click(saved.response.message, label="Let my buddy know")
    await env.advance_time(1)

    assert told.response is not None and "won't see your mood" in told.response.content
    assert again.response is not None and "already passed that on" in again.response.content
    nudges = [m for m in dms(sam) if "having a hard day" in m.content]
    assert len(nudges) == 1 and f"<@{robin.id}>" in nudges[0].content
    assert "Awful" not in nudges[0].content and "😫" not in nudges[0].content
    assert not [m for m in dms(robin) if "having a hard day" in m.content]

    await sam.slash(channel, "buddy end")
    none = await robin.click(saved.response.message, label="Let my buddy know")
    assert none.response is not None and none.response.ephemeral
    assert "don't have an active buddy right now, so nothing was sent" in none.response.content


async def test_an_over_long_intro_is_named_with_its_limit(
    env: simcord.Env, place, monkeypatch: pytest.MonkeyPatch
) -> None:
    guild, channel = place
    member = guild.add_member(env.create_user("talker"))
    # Discord checks the length itself while its copy of the command is current; a client still holding an older
    # copy (before a sync) can send more, and discord.py then refuses the value. Simulate that older copy.
    checked = simcord_interactions.validate_option_value

    def older_copy(command_name: str, option: dict[str, Any], value: Any) -> Any:
        return value if option["name"] == "intro" else checked(command_name, option, value)

    monkeypatch.setattr(simcord_interactions, "validate_option_value", older_copy)

    result = await member.slash(
        channel, "buddy join", looking_for="both", timezone="Europe/Berlin", intro="x" * 512
    )

    assert result.response is not None and result.response.ephemeral
    assert "Your intro can be up to 300 characters; this one has 512." in result.response.content
    env.errors  # noqa: B018


async def test_round_counts_read_right_and_a_block_is_not_called_an_odd_number(
    env: simcord.Env, place, mod
) -> None:
    _, channel = place
    moderator, _ = mod
    a, _ = await join(env, place, "ana", ["Hobbies"])
    b, _ = await join(env, place, "ben", ["Family"])  # no shared topic: both wait for the round
    await a.slash(channel, "buddy block", member=b.user)

    ran = await moderator.slash(channel, "buddy-admin run")
    await env.advance_time(1)

    assert ran.response is not None and "0 pairings made, 2 left over" in ran.response.content
    for member in (a, b):
        told = [m.content for m in dms(member) if "weren't paired this time" in m.content]
        assert (
            told and "odd number" not in told[-1]
        )  # two people: not an odd number, and the block isn't named
        assert "wasn't a match for you" in told[-1] and "block" not in told[-1].lower()

    for member in (a, b):
        await member.slash(channel, "buddy leave")
    await join(env, place, "cat", ["Health"])
    await join(env, place, "dan", ["Identity"])
    ran = await moderator.slash(channel, "buddy-admin run")
    assert ran.response is not None and "1 pairing made," in ran.response.content  # not "1 pairings"
