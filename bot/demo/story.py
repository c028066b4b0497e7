"""The story the demo plays: one small server, a moderator and three members, one afternoon and a week.

Every step goes through the real bot as a member would: slash commands, buttons, select menus, messages and
Haven's own loops on simulated time. Names are invented; the crisis line says it is a demo.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

import discord

from bot.demo.stage import Stage

if TYPE_CHECKING:
    import simcord

SERVER = "Quiet Harbour"
CRISIS_LINE = "(Haven demo, not a real person) I want to end my life tonight."
WEEK_OF_MOODS = ("Low", "Okay", "Okay", "Good", "Low", "Good")  # the six days after the first check-in


@dataclass
class Cast:
    """The server and the people in the story."""

    guild: simcord.GuildHandle
    general: simcord.ChannelHandle
    welcome: simcord.ChannelHandle
    alerts: simcord.ChannelHandle
    moderators: simcord.RoleHandle
    alex: simcord.MemberActor  # a moderator
    robin: simcord.MemberActor
    sam: simcord.MemberActor
    kim: simcord.MemberActor


def build_cast(stage: Stage) -> Cast:
    """A server with three channels, a moderator role, a moderator and three members."""
    env, transcript = stage.env, stage.transcript
    guild = env.create_guild(SERVER)
    general = guild.create_text_channel("general")
    welcome = guild.create_text_channel("welcome")
    alerts = guild.create_text_channel("mod-alerts")
    moderators = guild.create_role(
        "Moderators", permissions=discord.Permissions(manage_guild=True), mentionable=True
    )
    alex = guild.add_member(env.create_user("Alex"), roles=[moderators])
    robin = guild.add_member(env.create_user("Robin"))
    sam = guild.add_member(env.create_user("Sam"))
    kim = guild.add_member(env.create_user("Kim"))
    for channel in (general, welcome, alerts):
        transcript.add_channel(channel)
    transcript.add_role(moderators)
    for member in (alex, robin, sam, kim):
        transcript.add_member(member)
    return Cast(guild, general, welcome, alerts, moderators, alex, robin, sam, kim)


async def setup_server(stage: Stage, cast: Cast) -> None:
    stage.transcript.heading("1. A moderator sets up alerts and the transparency notice")
    await stage.slash(cast.alex, cast.general, "setup alerts", channel=cast.alerts, role=cast.moderators)
    await stage.slash(cast.alex, cast.general, "setup transparency", channel=cast.welcome)


async def _join_buddies(stage: Stage, cast: Cast, who: simcord.MemberActor, topics: list[str]) -> None:
    shown = await stage.slash(who, cast.general, "buddy join", looking_for="both", timezone="Europe/Berlin")
    if shown.response is None:
        raise DemoStepFailed(f"/buddy join showed {who.name} nothing")
    await stage.select(who, shown.response.message, topics)
    await stage.settle()


def _latest_dm(who: simcord.MemberActor, containing: str) -> discord.Message:
    found = [m for m in who.user.dm_channel.history() if containing in m.content]
    if not found:
        raise DemoStepFailed(f"{who.name} got no DM with “{containing}”")
    return found[-1]


async def buddy_pairing(stage: Stage, cast: Cast) -> None:
    stage.transcript.heading("2. Two members join buddy pairing, accept, and become buddies")
    await _join_buddies(stage, cast, cast.robin, ["Anxiety", "Stress"])
    await _join_buddies(stage, cast, cast.sam, ["Anxiety"])
    await stage.click(cast.robin, _latest_dm(cast.robin, "has a buddy for you"), "Say hello")
    await stage.click(cast.sam, _latest_dm(cast.sam, "has a buddy for you"), "Say hello")
    await stage.settle()


async def check_ins(stage: Stage, cast: Cast) -> bytes:
    """Sam schedules a daily check-in, answers the prompt and, a week later, looks at the mood chart."""
    transcript = stage.transcript
    transcript.heading("3. A member schedules a check-in, gets the prompt by DM and answers")
    transcript.note(f"it is {stage.now_text()}, 19:30 in Berlin")
    await stage.slash(cast.sam, cast.general, "checkin schedule", time="20:00", timezone="Europe/Berlin")
    transcript.note("half an hour later Haven's check-in loop runs")
    await stage.wait(timedelta(minutes=31))
    first = _latest_dm(cast.sam, "check-in time")
    await stage.click(cast.sam, first, "Good")
    answered = {first.id}
    transcript.note(f"six more evenings pass; Sam answers each prompt ({', '.join(WEEK_OF_MOODS)})")
    for day, mood in enumerate(WEEK_OF_MOODS, start=2):
        await stage.wait(timedelta(days=1), quiet=True)
        prompt = _latest_dm(cast.sam, "check-in time")  # an answered prompt becomes "Saved: ..."
        if prompt.id in answered:
            raise DemoStepFailed(f"no check-in prompt reached Sam on day {day}")
        await cast.sam.user.click(prompt, label=mood)
        answered.add(prompt.id)
        transcript.flush(quiet=True)
    history = await stage.slash(cast.sam, cast.general, "checkin history", days=7)
    if history.response is None or not history.response.attachments:
        raise DemoStepFailed("/checkin history showed no chart")
    return await history.response.attachments[0].read()


async def resources(stage: Stage, cast: Cast) -> None:
    stage.transcript.heading("4. A member asks for support lines in their country")
    await stage.slash(cast.robin, cast.general, "resources", country="IE")


async def crisis(stage: Stage, cast: Cast) -> None:
    stage.transcript.heading("5. A crisis message raises an alert; a moderator claims and resolves it")
    await stage.say(cast.kim, cast.general, CRISIS_LINE)
    await stage.click(cast.alex, _alert_card(cast), "I'm on it")
    await stage.click(cast.alex, _alert_card(cast), "Resolved")


def _alert_card(cast: Cast) -> discord.Message:
    cards = [m for m in cast.alerts.history() if m.embeds and "alert" in (m.embeds[0].title or "")]
    if not cards:
        raise DemoStepFailed("no alert card reached #mod-alerts")
    return cards[-1]


async def play(stage: Stage) -> bytes:
    """The whole story; returns the mood chart (PNG bytes) Sam was shown."""
    cast = build_cast(stage)
    await setup_server(stage, cast)
    await buddy_pairing(stage, cast)
    chart = await check_ins(stage, cast)
    await resources(stage, cast)
    await crisis(stage, cast)
    return chart


class DemoStepFailed(Exception):
    """The bot did not do what the story expects (a bug to report, not a member's problem)."""
