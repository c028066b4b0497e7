"""The one error funnel: commands, buttons and modals all end in a kind, private answer."""

from __future__ import annotations

import logging
import re
from collections.abc import AsyncIterator
from typing import Any

import discord
import pytest
import simcord
from discord import app_commands
from discord.ext import commands

from bot.app import HavenBot
from bot.errors import DomainError
from bot.i18n import Catalogs
from bot.storage.engine import Database
from bot.ui.base import BaseModal, BaseView, funnelled
from bot.wiring import build_services


class Boom(BaseView):
    def __init__(self) -> None:
        super().__init__(timeout=None)

    @discord.ui.button(label="Break", custom_id="probe:break")
    async def break_(self, interaction: discord.Interaction[Any], button: discord.ui.Button[Any]) -> None:
        raise RuntimeError("button broke")

    @discord.ui.button(label="Say nothing", custom_id="probe:silent")
    async def silent(self, interaction: discord.Interaction[Any], button: discord.ui.Button[Any]) -> None:
        return None

    @discord.ui.button(label="Ask", custom_id="probe:ask")
    async def ask(self, interaction: discord.Interaction[Any], button: discord.ui.Button[Any]) -> None:
        await interaction.response.send_modal(BrokenModal())


class BrokenModal(BaseModal, title="Tell us"):
    answer: discord.ui.TextInput[Any] = discord.ui.TextInput(label="Answer", custom_id="answer")

    async def on_submit(self, interaction: discord.Interaction[Any], /) -> None:
        raise RuntimeError("modal broke")


class PersistentBreak(discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"probe:dyn:(?P<n>\d+)"):
    def __init__(self, n: int) -> None:
        super().__init__(discord.ui.Button(label="Dynamic", custom_id=f"probe:dyn:{n}"))

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Button[Any], match: re.Match[str], /
    ) -> PersistentBreak:
        return cls(int(match["n"]))

    @funnelled
    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        raise RuntimeError("dynamic broke")


class Probe(commands.Cog):
    @app_commands.command(name="probe-crash")
    async def crash(self, interaction: discord.Interaction[Any]) -> None:
        """Always fails (test only)."""
        raise RuntimeError("secret member text should not be shown")

    @app_commands.command(name="probe-refuse")
    async def refuse(self, interaction: discord.Interaction[Any]) -> None:
        """Refuses politely (test only)."""
        raise DomainError("error.invalid_input")

    @app_commands.command(name="probe-late")
    async def late(self, interaction: discord.Interaction[Any]) -> None:
        """Defers, then fails (test only)."""
        await interaction.response.defer(ephemeral=True)
        raise RuntimeError("late failure")

    @app_commands.command(name="probe-quiet")
    async def quiet(self, interaction: discord.Interaction[Any]) -> None:
        """Finishes without answering (test only)."""

    @app_commands.command(name="probe-buttons")
    async def buttons(self, interaction: discord.Interaction[Any]) -> None:
        """Posts test buttons (test only)."""
        view = Boom()
        view.add_item(PersistentBreak(7))
        await interaction.response.send_message("buttons", view=view)


class ProbeBot(HavenBot):
    async def setup_hook(self) -> None:
        await self.add_cog(Probe())
        self.add_dynamic_items(PersistentBreak)
        await super().setup_hook()


@pytest.fixture
async def simcord_bot(database: Database, clock: Any) -> AsyncIterator[HavenBot]:
    bot = ProbeBot(db=database, services=build_services(database, clock), catalogs=Catalogs.load())
    try:
        yield bot
    finally:
        await bot.close_resources()


@pytest.fixture
async def place(env: simcord.Env):
    guild = env.create_guild()
    channel = guild.create_text_channel("general")
    member = guild.add_member(env.create_user("robin"))
    return channel, member


async def post_buttons(channel: simcord.ChannelHandle, member: simcord.MemberActor) -> discord.Message:
    await member.slash(channel, "probe-buttons")
    message = channel.last_message
    assert message is not None
    return message


CODE = re.compile(r"`(E-[A-Z0-9]{6})`")


async def test_unexpected_error_gets_private_reply_with_code_that_is_logged(
    env: simcord.Env, place, caplog: pytest.LogCaptureFixture
) -> None:
    channel, member = place
    caplog.set_level(logging.ERROR)

    result = await member.slash(channel, "probe-crash")

    assert result.ephemeral
    assert result.response is not None
    text = result.response.content
    assert "something went wrong on our side" in text
    assert "secret member text" not in text
    match = CODE.search(text)
    assert match, text
    assert any(match.group(1) in r.getMessage() for r in caplog.records)
    assert [str(e.__cause__ or e) for e in env.errors] == ["secret member text should not be shown"]


async def test_domain_error_becomes_its_friendly_message(env: simcord.Env, place) -> None:
    channel, member = place

    result = await member.slash(channel, "probe-refuse")

    assert result.ephemeral
    assert result.response is not None
    assert result.response.content == Catalogs.load().text("error.invalid_input")
    env.errors  # noqa: B018


async def test_error_after_defer_is_answered_with_a_followup(env: simcord.Env, place) -> None:
    channel, member = place

    result = await member.slash(channel, "probe-late")

    assert result.ephemeral
    assert result.response is not None
    assert "something went wrong" in result.response.content
    env.errors  # noqa: B018


async def test_command_that_forgets_to_answer_still_answers(env: simcord.Env, place) -> None:
    channel, member = place

    result = await member.slash(channel, "probe-quiet")

    assert result.ephemeral
    assert result.response is not None
    assert result.response.content == "Done."


async def test_button_error_reaches_the_funnel(env: simcord.Env, place) -> None:
    channel, member = place
    message = await post_buttons(channel, member)

    result = await member.click(message, label="Break")

    assert result.ephemeral
    assert result.response is not None
    assert CODE.search(result.response.content)
    assert [str(e) for e in env.errors] == ["button broke"]


async def test_modal_error_reaches_the_funnel(env: simcord.Env, place) -> None:
    channel, member = place
    message = await post_buttons(channel, member)

    shown = await member.click(message, label="Ask")
    result = await member.submit_modal(shown, {"answer": "hello"})

    assert result.ephemeral
    assert result.response is not None
    assert CODE.search(result.response.content)
    env.errors  # noqa: B018


async def test_persistent_dynamic_button_error_reaches_the_funnel(env: simcord.Env, place) -> None:
    channel, member = place
    message = await post_buttons(channel, member)

    result = await member.click(message, label="Dynamic")

    assert result.ephemeral
    assert result.response is not None
    assert CODE.search(result.response.content)
    env.errors  # noqa: B018


async def test_button_that_never_answers_is_acknowledged_quietly(env: simcord.Env, place) -> None:
    channel, member = place
    message = await post_buttons(channel, member)

    result = await member.click(message, label="Say nothing")

    assert result.acknowledged
    assert channel.last_message is not None and channel.last_message.id == message.id


async def test_button_nothing_handles_any_more_gets_a_kind_answer(env: simcord.Env, place) -> None:
    channel, member = place
    message = await post_buttons(channel, member)
    view_store = env.bot._connection._view_store
    view_store.remove_message_tracking(message.id)
    view_store._views.pop(message.id, None)  # as after a restart: the view is gone

    result = await member.click(message, label="Break")

    assert result.ephemeral
    assert result.response is not None
    assert "stopped working" in result.response.content
