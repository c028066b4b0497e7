"""Buddy pairing through the real bot: join, pair, consent, DMs closed, worries, endings, blocks, rounds."""

from __future__ import annotations

import discord
import pytest
import simcord

from tests.conftest import FakeClock
from tests.helpers import haven


@pytest.fixture
async def place(env: simcord.Env):
    guild = env.create_guild("Support Circle")
    return guild, guild.create_text_channel("general")


@pytest.fixture
async def mod(env: simcord.Env, place):
    guild, _ = place
    role = guild.create_role("Mods", permissions=discord.Permissions(manage_guild=True), mentionable=True)
    return guild.add_member(env.create_user("mod"), roles=[role]), role


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


def dms(member) -> list:
    channel = member.user.dm_channel
    return list(channel.history()) if channel is not None else []


def intro(member):
    found = [m for m in dms(member) if "has a buddy for you" in m.content]
    return found[-1] if found else None


def intro_text(member) -> str:
    message = intro(member)
    assert message is not None, "no introduction DM"
    return " ".join(f.value for f in message.embeds[0].fields)


async def tick(env: simcord.Env, clock: FakeClock, **delta: float) -> None:
    clock.advance(**delta)
    await env.advance_time(31)


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
