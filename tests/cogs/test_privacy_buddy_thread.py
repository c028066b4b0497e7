"""The buddy fallback stays private: a thread (which moderators can read) holds buttons, never topics or intros."""

from __future__ import annotations

import uuid

import discord
import pytest
import simcord

from bot.domain.pairing import DEFAULT_TOPICS
from tests.helpers import strings_in

TOPICS = ["Grief and loss", "Loneliness"]


def message_text(message: discord.Message) -> str:
    return " ".join([message.content, *(str(e.to_dict()) for e in message.embeds)])


@pytest.fixture
async def place(env: simcord.Env):
    guild = env.create_guild("Support Circle")
    general = guild.create_text_channel("general")
    buddies = guild.create_text_channel("buddies")
    mods = guild.create_role("Mods", permissions=discord.Permissions(manage_guild=True))
    moderator = guild.add_member(env.create_user("mod"), roles=[mods])
    await moderator.slash(general, "buddy-admin settings", channel=buddies)
    return guild, general, buddies


async def join(env: simcord.Env, guild, channel, name: str, intro: str):
    member = guild.add_member(env.create_user(name))
    shown = await member.slash(channel, "buddy join", looking_for="both", timezone="UTC", intro=intro)
    assert shown.response is not None
    await member.select(shown.response.message, TOPICS)
    await env.advance_time(1)
    return member


async def test_a_thread_holds_the_buttons_and_no_topics_or_intro(env: simcord.Env, place) -> None:
    guild, general, buddies = place
    robin_intro = f"I knit on Sundays {uuid.uuid4().hex[:8]}"
    sam_intro = f"I walk my dog at dawn {uuid.uuid4().hex[:8]}"
    robin = await join(env, guild, general, "robin", robin_intro)
    env.inject_error(
        "POST",
        f"/channels/{robin.user.dm_channel.id}/messages",
        status=403,
        code=50007,
        times=None,
        message="Cannot send messages to this user",
    )
    sam = await join(env, guild, general, "sam", sam_intro)

    [thread] = buddies.threads
    posted = list(thread.history(viewer=robin))
    assert posted, "the introduction went to the private thread"
    sent = [
        s
        for r in env.http_requests
        if r.path.startswith(f"/channels/{thread.id}/")
        for s in strings_in(r.json)
    ]
    seen = [message_text(m) for m in posted] + sent
    for text in seen:
        assert sam_intro not in text and robin_intro not in text
        assert not [topic for topic in DEFAULT_TOPICS if topic.lower() in text.lower()], text
    [intro] = [m for m in posted if f"<@{robin.id}>" in m.content]
    assert "moderators can read" in intro.content
    labels = [getattr(b, "label", None) for row in intro.components for b in row.children]
    assert labels == ["Show my buddy", "Say hello", "Not this time", "I'm worried about my buddy"]

    shown = await robin.click(intro, label="Show my buddy")
    assert shown.ephemeral and shown.response is not None
    privately = str(shown.response.embeds[0].to_dict())
    assert sam_intro in privately and "Grief and loss" in privately and f"<@{sam.id}>" in privately

    status = await robin.slash(general, "buddy status")
    assert status.ephemeral and status.response is not None
    privately = str(status.response.embeds[0].to_dict())
    assert sam_intro in privately and "You share: Grief and loss, Loneliness" in privately

    hello = await robin.click(intro, label="Say hello")
    assert hello.response is not None and "as soon as your buddy says hello" in hello.response.content
    # Sam, whose DMs are open, still gets the whole introduction by DM.
    [dm] = [m for m in sam.user.dm_channel.history() if "has a buddy for you" in m.content]
    assert robin_intro in str(dm.embeds[0].to_dict())


async def test_a_moderator_reading_the_thread_sees_no_introduction(env: simcord.Env, place) -> None:
    guild, general, buddies = place
    robin = await join(env, guild, general, "robin", "hello")
    env.inject_error(
        "POST", f"/channels/{robin.user.dm_channel.id}/messages", status=403, code=50007, times=None
    )
    await join(env, guild, general, "sam", "hi")
    [thread] = buddies.threads
    [intro] = [m for m in thread.history(viewer=robin) if f"<@{robin.id}>" in m.content]
    threads = guild.create_role("Thread mods", permissions=discord.Permissions(manage_threads=True))
    moderator = guild.add_member(env.create_user("kim"), roles=[threads])
    assert list(thread.history(viewer=moderator))  # moderators with Manage Threads can read the thread

    other = await moderator.click(intro, label="Show my buddy")

    assert other.response is not None and other.ephemeral and not other.response.embeds
