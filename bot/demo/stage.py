"""The stage the story plays on: people acting in the simulated Discord, each act written to the transcript."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import discord

from bot.demo.transcript import Transcript

if TYPE_CHECKING:
    import simcord

LOOP_TICK = 31.0  # seconds of simulated time: a little more than one run of Haven's 30-second loops


class DemoClock:
    """Haven's clock in the demo: it only moves when the story says time passes."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, delta: timedelta) -> None:
        self.now += delta


class Stage:
    """Members act here (commands, buttons, messages) and the transcript records who saw what."""

    def __init__(self, env: simcord.Env, transcript: Transcript, clock: DemoClock) -> None:
        self.env = env
        self.transcript = transcript
        self.clock = clock

    async def slash(
        self, who: simcord.MemberActor, where: simcord.ChannelHandle, command: str, /, **options: Any
    ) -> simcord.InteractionResult:
        shown = " ".join(f"{name}:{self.transcript.name_of(value)}" for name, value in options.items())
        self.transcript.action(f"{who.name} uses /{command}{' ' + shown if shown else ''}")
        result = await who.slash(where, command, **options)
        self._after(result, who)
        return result

    async def click(
        self, who: simcord.MemberActor, message: discord.Message, label: str
    ) -> simcord.InteractionResult:
        self.transcript.action(f"{who.name} presses [{label}]")
        if message.guild is None:  # a button in a DM
            result = await who.user.click(message, label=label)
        else:
            result = await who.click(message, label=label)
        self._after(result, who)
        return result

    async def select(
        self, who: simcord.MemberActor, message: discord.Message, values: list[str]
    ) -> simcord.InteractionResult:
        self.transcript.action(f"{who.name} chooses {', '.join(values)}")
        result = await who.select(message, values)
        self._after(result, who)
        return result

    def _after(self, result: simcord.InteractionResult, who: simcord.MemberActor) -> None:
        self.transcript.replies(result, who.name)
        self.transcript.flush(who.name)

    async def say(self, who: simcord.MemberActor, channel: simcord.ChannelHandle, text: str) -> None:
        self.transcript.action(f"{who.name} in #{channel.name}: “{text}”")
        await who.send(channel, text)
        self.transcript.flush(who.name)

    async def settle(self, *, quiet: bool = False) -> None:
        """Let Haven's loops run once (sending what its outboxes hold) without moving its clock."""
        await self.env.advance_time(1)
        self.transcript.flush(quiet=quiet)

    async def wait(self, delta: timedelta, *, quiet: bool = False) -> None:
        """Time passes: Haven's clock moves on and its loops run."""
        self.clock.advance(delta)
        await self.env.advance_time(LOOP_TICK)
        self.transcript.flush(quiet=quiet)

    def now_text(self) -> str:
        return self.clock.now.astimezone(UTC).strftime("%a %d %b %H:%M UTC")
