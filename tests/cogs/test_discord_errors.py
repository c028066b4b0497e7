"""Discord failing under the bot: the member still gets an answer, and nothing crashes."""

from __future__ import annotations

import pytest
import simcord

from tests.kit import World


@pytest.fixture
async def place(world: World):
    return world.general, world.member


async def test_a_5xx_on_the_reply_still_gets_the_member_an_answer(env: simcord.Env, place) -> None:
    channel, member = place
    env.inject_error("POST", "/interactions/*/callback", status=503, times=1)

    result = await member.slash(channel, "help")

    assert result.acknowledged
    assert result.ephemeral
    assert result.response is not None
    assert "Discord had a hiccup" in result.response.content
    assert len(env.errors) == 1


async def test_a_403_is_explained_as_a_permission_problem(env: simcord.Env, place) -> None:
    channel, member = place
    env.inject_error(
        "POST", "/interactions/*/callback", status=403, code=50013, message="Missing Permissions"
    )

    result = await member.slash(channel, "about")

    assert result.response is not None
    assert "probably a missing permission" in result.response.content
    assert len(env.errors) == 1


async def test_when_even_the_error_reply_fails_nothing_crashes(env: simcord.Env, place) -> None:
    channel, member = place
    env.inject_error("POST", "/interactions/*/callback", status=503, times=None)
    env.inject_error("POST", "/webhooks/*", status=503, times=None)

    result = await member.slash(channel, "help")

    assert not result.acknowledged
    assert len(env.errors) == 1  # the original failure, logged with a code; the bot keeps running
