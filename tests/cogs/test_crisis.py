"""Crisis escalation through the real bot: cards, pings, buttons, the member's reply, DMs, and failures."""

from __future__ import annotations

import logging
from typing import Any

import discord
import pytest
import simcord

from bot.domain.alerts import CardState
from bot.services.crisis import MessageToScan
from bot.storage.engine import Database
from bot.wiring import build_bot
from tests.conftest import FakeClock
from tests.helpers import ModeratedServer, fields, haven


class World(ModeratedServer):
    async def configure(self) -> None:
        await self.moderator.slash(self.general, "setup alerts", channel=self.alerts, role=self.mods)

    def cards(self) -> list[discord.Message]:
        return [m for m in self.alerts.history() if m.embeds and "alert" in (m.embeds[0].title or "")]

    def card(self) -> discord.Message:
        cards = self.cards()
        assert len(cards) == 1, f"expected one card, found {len(cards)}"
        return cards[0]

    def card_fields(self) -> dict[str, str]:
        return fields(self.card().embeds[0])

    def dms(self, actor: Any) -> list[discord.Message]:
        return actor.user.dm_channel.history()


@pytest.fixture
async def world(env: simcord.Env) -> World:
    world = World(env)
    await world.configure()
    return world


def sent_to(env: simcord.Env, channel_id: int) -> list[Any]:
    return [
        r for r in env.http_requests if r.method == "POST" and r.path == f"/channels/{channel_id}/messages"
    ]


async def test_crisis_message_raises_a_card_that_pings_only_the_moderator_role(
    env: simcord.Env, world: World
) -> None:
    await world.member.send(world.general, "I want to kill myself tonight")

    card = world.card()
    assert card.content == world.mods.mention
    embed = card.embeds[0]
    assert embed.title == "Imminent alert: about the writer"
    values = fields(embed)
    assert values["Member"].startswith(world.member.mention)
    assert "I want to kill myself tonight" in values["Excerpt"]
    assert "want to kill myself" in values["What matched"]
    assert "Jump to message" in values["Where"]
    assert values["Last 7 days"] == "No other alerts for this member"
    buttons = [c for row in card.components for c in getattr(row, "children", [])]
    assert [getattr(b, "label", None) for b in buttons] == ["I'm on it", "Resolved", "False alarm"]
    [request] = sent_to(env, world.alerts.id)
    mentions = request.json["allowed_mentions"]
    assert mentions["parse"] == [] and [int(r) for r in mentions["roles"]] == [world.mods.id]


async def test_the_member_gets_a_kind_private_reply_with_help_and_no_assumed_country(
    env: simcord.Env, world: World
) -> None:
    await world.member.send(world.general, "i don't want to be alive anymore")

    [reply] = world.dms(world.member)
    assert "You're not alone" in reply.content
    assert "A moderator of Support Circle has been let know" in reply.content
    assert "not a crisis service" in reply.content
    assert "rule" not in reply.content.lower()
    embed = reply.embeds[0]
    assert embed.title == "Finding support"  # no country assumed
    assert "findahelpline.com" in (embed.description or "")
    assert "Sent: a kind message" in world.card_fields()["Private reply to the member"]
    assert not [m for m in world.general.history() if m.author.bot]  # nothing public


async def test_reply_uses_the_members_saved_country(env: simcord.Env, world: World) -> None:
    await haven(env).services.resources.remember_country(world.member.id, "GB")

    await world.member.send(world.general, "i want to die")

    [reply] = world.dms(world.member)
    embed = reply.embeds[0]
    assert embed.title == "Support in United Kingdom"
    assert (embed.description or "").startswith("**In immediate danger?** Call **999**")


async def test_moderate_alert_gets_a_card_without_a_ping(env: simcord.Env, world: World) -> None:
    await world.member.send(world.general, "everyone would be better off without me")

    card = world.card()
    assert card.content == ""
    assert card.embeds[0].title == "Moderate alert: about the writer"


@pytest.mark.parametrize(
    ("text", "why"),
    [
        (
            "goodbye forever everyone, thanks for everything",
            "a warning sign without a first-person statement",
        ),
        (
            "someone in this server just said they want to kill themselves",
            "concern about nobody in particular",
        ),
    ],
)
async def test_a_lower_confidence_signal_gets_a_quiet_card_that_never_pings(
    env: simcord.Env, world: World, clock: FakeClock, text: str, why: str
) -> None:
    await world.member.send(world.general, text)
    clock.advance(minutes=6)
    await env.advance_time(6)

    card = world.card()
    assert card.content == ""
    assert world.mods.mention not in str(card.embeds[0].to_dict())
    assert card.embeds[0].title is not None and card.embeds[0].title.startswith("Moderate alert")
    assert why in world.card_fields()["What matched"]
    [request] = sent_to(env, world.alerts.id)
    assert not request.json.get("allowed_mentions", {}).get("roles")
    assert not [m for m in world.alerts.history() if "still unclaimed" in m.content]  # no re-ping either


async def test_a_statement_of_intent_after_a_quiet_card_gets_a_card_that_pings(
    env: simcord.Env, world: World
) -> None:
    await world.member.send(world.general, "goodbye everyone, it was nice knowing you all")
    await world.member.send(world.general, "i'm going to kill myself tonight")

    quiet, loud = sorted(world.cards(), key=lambda m: m.id)
    assert quiet.content == "" and loud.content == world.mods.mention


@pytest.mark.parametrize(
    "text",
    [
        "this exam will kill me lol",
        "I keep dying on this boss",
        "i'm not going to hurt myself",
        "good morning!",
    ],
)
async def test_everyday_talk_raises_nothing(env: simcord.Env, world: World, text: str) -> None:
    await world.member.send(world.general, text)

    assert world.cards() == []
    assert world.dms(world.member) == []


async def test_nothing_is_scanned_until_alerts_are_set_up(env: simcord.Env) -> None:
    world = World(env)

    await world.member.send(world.general, "I want to kill myself")

    assert await haven(env).services.crisis.active_alerts(world.guild.id) == []


async def test_further_messages_update_the_open_card_instead_of_pinging_again(
    env: simcord.Env, world: World
) -> None:
    await world.member.send(world.general, "I want to kill myself")
    await world.member.send(world.general, "i really want to die")

    card = world.card()
    assert fields(card.embeds[0])["Messages"] == "2"
    assert "i really want to die" in fields(card.embeds[0])["Excerpt"]
    assert len(sent_to(env, world.alerts.id)) == 1


async def test_claim_resolve_and_who_may_press(env: simcord.Env, world: World) -> None:
    await world.member.send(world.general, "I want to kill myself")
    card = world.card()

    claimed = await world.moderator.click(card, label="I'm on it")
    assert claimed.acknowledged
    assert world.card_fields()["Status"] == f"{world.moderator.mention} is on it."

    other_mod = world.guild.add_member(world.env.create_user("mod2"), roles=[world.mods])
    again = await other_mod.click(world.card(), label="Resolved")
    assert world.card_fields()["Status"] == f"Resolved by {other_mod.mention}."
    assert again.acknowledged
    stats = await haven(env).services.crisis.stats(world.guild.id)
    assert stats[0].total == 1 and stats[0].median_claim_seconds is not None


async def test_members_cannot_press_card_buttons(env: simcord.Env, world: World) -> None:
    await world.member.send(world.general, "I want to kill myself")
    bystander = world.guild.add_member(world.env.create_user("bystander"))

    result = await bystander.click(world.card(), label="I'm on it")

    assert result.ephemeral
    assert result.response is not None
    assert result.response.content == "Only this server's moderators can use these buttons."
    assert world.card_fields()["Status"] == "Open: nobody has claimed it yet."


async def test_two_moderators_pressing_at_the_same_moment_claim_once(env: simcord.Env, world: World) -> None:
    await world.member.send(world.general, "I want to kill myself")
    crisis = haven(env).services.crisis
    [alert] = await crisis.active_alerts(world.guild.id)

    first, second = (
        await crisis.claim(alert.id, world.guild.id, 1),
        await crisis.claim(alert.id, world.guild.id, 2),
    )

    assert (first, second) == (True, False)
    assert (await crisis.alert(alert.id)).claimed_by == 1  # type: ignore[union-attr]


async def test_false_alarm_offers_an_allow_list_phrase(env: simcord.Env, world: World) -> None:
    await world.member.send(world.general, "ugh the raid boss made me want to die")
    card = world.card()

    result = await world.moderator.click(card, label="False alarm")

    assert "Marked a false alarm" in world.card_fields()["Status"]
    [offer] = result.followups
    assert offer.ephemeral
    form = await world.moderator.click(offer.message, label="Add an allow-list phrase")
    done = await world.moderator.submit_modal(form, {"phrase": "raid boss made me want to die"})
    assert done.response is not None and "allow-list" in done.response.content

    await world.member.send(world.general, "ugh the raid boss made me want to die")
    assert len(world.cards()) == 1


async def test_unclaimed_card_is_pinged_again_then_the_second_role(
    env: simcord.Env, world: World, clock: FakeClock
) -> None:
    seniors = world.guild.create_role("Seniors", mentionable=True)
    await world.moderator.slash(world.general, "crisis settings", escalation_role=seniors, reping_minutes=5)
    await world.member.send(world.general, "I want to kill myself")

    clock.advance(minutes=5, seconds=1)
    await env.advance_time(6)
    clock.advance(minutes=5, seconds=1)
    await env.advance_time(6)
    clock.advance(minutes=10)
    await env.advance_time(6)

    pings = [m for m in world.alerts.history() if "still unclaimed" in m.content]
    assert [m.content.split(",")[0] for m in pings] == [world.mods.mention, seniors.mention]


async def test_a_claimed_card_is_not_pinged_again(env: simcord.Env, world: World, clock: FakeClock) -> None:
    await world.member.send(world.general, "I want to kill myself")
    await world.moderator.click(world.card(), label="I'm on it")

    clock.advance(minutes=6)
    await env.advance_time(6)

    assert not [m for m in world.alerts.history() if "still unclaimed" in m.content]


async def test_closed_dms_mean_nothing_public_and_the_card_says_so(env: simcord.Env, world: World) -> None:
    env.inject_error(
        "POST",
        f"/channels/{world.member.user.dm_channel.id}/messages",
        status=403,
        code=50007,
        times=None,
        message="Cannot send messages to this user",
    )

    await world.member.send(world.general, "I want to kill myself")

    assert "Couldn't reach them privately" in world.card_fields()["Private reply to the member"]
    assert not [m for m in world.general.history() if m.author.bot]


async def test_a_dm_to_haven_alerts_with_the_excerpt_hidden_until_revealed(
    env: simcord.Env, world: World
) -> None:
    await world.member.send_dm("i want to end my life")

    card = world.card()
    values = fields(card.embeds[0])
    assert values["Where"] == "A direct message to Haven"
    assert "end my life" not in values["Excerpt"]
    assert "Press **Reveal**" in values["Excerpt"]

    revealed = await world.moderator.click(card, label="Reveal")
    assert revealed.ephemeral
    assert revealed.response is not None and "i want to end my life" in revealed.response.content
    assert "1 so far" in revealed.response.content


async def test_members_may_opt_out_unless_the_server_turned_that_off(env: simcord.Env, world: World) -> None:
    result = await world.member.slash(world.general, "privacy scanning", enabled=False)
    assert result.ephemeral

    await world.member.send(world.general, "I want to kill myself")
    assert world.cards() == []

    await world.moderator.slash(world.general, "crisis settings", allow_optout=False)
    await world.member.send(world.general, "I want to kill myself")
    assert len(world.cards()) == 1


async def test_ignored_channels_are_not_scanned(env: simcord.Env, world: World) -> None:
    venting = world.guild.create_text_channel("memes")
    await world.moderator.slash(world.general, "crisis ignore", channel=venting)

    await world.member.send(venting, "kms")

    assert world.cards() == []


async def test_an_edit_into_crisis_language_raises_an_alert(env: simcord.Env, world: World) -> None:
    message = await world.member.send(world.general, "having a rough day")
    await world.member.edit(message, "having a rough day, i want to die")

    assert len(world.cards()) == 1


async def test_harassment_gets_its_own_kind_and_no_reply_to_the_sender(
    env: simcord.Env, world: World
) -> None:
    await world.member.send(world.general, "kys loser")

    assert world.card().embeds[0].title == "Moderate alert: harassment aimed at another member"
    assert world.dms(world.member) == []


async def test_concern_for_a_friend_gets_help_for_helping(env: simcord.Env, world: World) -> None:
    await world.member.send(world.general, "my friend says she wants to die and i don't know what to do")

    assert world.card().embeds[0].title == "High alert: worried about someone else"
    [reply] = world.dms(world.member)
    assert "worried about someone" in reply.content
    assert reply.embeds[0].title == "Supporting a friend who is struggling"


async def test_a_failed_card_is_retried_with_backoff_and_sent_once(
    env: simcord.Env, world: World, clock: FakeClock
) -> None:
    env.inject_error("POST", f"/channels/{world.alerts.id}/messages", status=503, times=1)

    await world.member.send(world.general, "I want to kill myself")
    assert world.cards() == []

    clock.advance(seconds=5)
    await env.advance_time(6)

    assert len(world.cards()) == 1


async def test_crash_between_detection_and_delivery_is_delivered_after_restart(
    env: simcord.Env, world: World, database: Database, clock: FakeClock
) -> None:
    crisis = haven(env).services.crisis
    # The alert reached the outbox, then the process died before sending anything.
    result = await crisis.scan(
        MessageToScan(world.guild.id, world.member.id, world.general.id, 4242, "I want to kill myself"),
        alerts_configured=True,
    )
    assert result.alert_id is not None

    await env.restart_bot(build_bot(database, clock=clock))
    await env.advance_time(6)

    assert len(world.cards()) == 1
    await env.restart_bot(build_bot(database, clock=clock))
    await env.advance_time(6)
    assert len(world.cards()) == 1


async def test_a_card_sent_just_before_a_crash_is_not_sent_twice(
    env: simcord.Env, world: World, database: Database, clock: FakeClock
) -> None:
    await world.member.send(world.general, "I want to kill myself")
    crisis = haven(env).services.crisis
    [alert] = await crisis.active_alerts(world.guild.id)
    # As if the process died after Discord created the card but before the outbox recorded it.
    await crisis._repo.set_fields(alert.id, clock(), card_state=CardState.SENDING.value, lease_until=clock())
    clock.advance(minutes=2)

    await env.restart_bot(build_bot(database, clock=clock))
    await env.advance_time(6)

    assert len(world.cards()) == 1
    refreshed = await crisis.alert(alert.id)
    assert refreshed is not None and refreshed.card_state is CardState.SENT


async def test_lost_permission_tells_the_owner_logs_loudly_and_delivers_later(
    env: simcord.Env, world: World, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.ERROR)
    env.inject_error(
        "POST",
        f"/channels/{world.alerts.id}/messages",
        status=403,
        code=50013,
        times=2,
        message="Missing Permissions",
    )

    await world.member.send(world.general, "I want to kill myself")

    assert world.cards() == []
    assert any("COULD NOT BE DELIVERED" in r.getMessage() for r in caplog.records)
    owner_dms = world.guild.owner.dm_channel.history()
    assert len(owner_dms) == 1 and "couldn't post a crisis alert" in owner_dms[0].content

    clock.advance(seconds=5)
    await env.advance_time(6)
    clock.advance(seconds=10)
    await env.advance_time(6)

    assert len(world.cards()) == 1
    assert len(world.guild.owner.dm_channel.history()) == 1  # told once


async def test_crisis_test_explains_privately(env: simcord.Env, world: World) -> None:
    result = await world.moderator.slash(world.general, "crisis test", text="my friend says she wants to die")

    assert result.ephemeral
    assert result.response is not None
    embed = result.response.embeds[0]
    assert "would raise a **High** alert card (worried about someone else)" in (embed.description or "")
    assert "wants to die" in fields(embed)["Why"]
    assert world.cards() == []


async def test_crisis_alerts_and_stats(env: simcord.Env, world: World) -> None:
    await world.member.send(world.general, "I want to kill myself")

    listing = await world.moderator.slash(world.general, "crisis alerts")
    stats = await world.moderator.slash(world.general, "crisis stats")

    assert listing.response is not None
    assert any(name.startswith("#1 · High · open") for name in fields(listing.response.embeds[0]))
    assert stats.response is not None
    assert "1 alerts (Imminent: 0, High: 1, Moderate: 0)" in fields(stats.response.embeds[0])["Last 7 days"]


async def test_server_phrases_work_and_bad_ones_are_refused(env: simcord.Env, world: World) -> None:
    added = await world.moderator.slash(
        world.general, "crisis phrase add", text="yeet myself*", severity="high"
    )
    assert added.response is not None and "Added `yeet myself*`" in added.response.content
    bad = await world.moderator.slash(world.general, "crisis phrase add", text="***", severity="high")
    assert bad.response is not None and "with some letters" in bad.response.content
    env.errors  # noqa: B018

    await world.member.send(world.general, "gonna yeet myselfff")

    assert world.card().embeds[0].title == "High alert: about the writer"


async def test_transparency_notice_is_posted_then_updated(env: simcord.Env, world: World) -> None:
    rules = world.guild.create_text_channel("rules")

    first = await world.moderator.slash(world.general, "setup transparency", channel=rules)
    second = await world.moderator.slash(world.general, "setup transparency", channel=rules)

    assert first.response is not None and "Posted" in first.response.content
    assert second.response is not None and "Updated" in second.response.content
    [notice] = rules.history()
    description = notice.embeds[0].description or ""
    for part in ("What is scanned", "Who sees alerts", "What is kept", "30 days", "/privacy scanning"):
        assert part in description


async def test_a_dm_from_someone_with_no_moderators_to_tell_still_gets_help(env: simcord.Env) -> None:
    stranger = env.create_user("stranger")

    await stranger.send_dm("i want to end my life")
    await stranger.send_dm("i want to end my life")  # one reply per ten minutes

    replies = [m for m in stranger.dm_channel.history() if m.author.bot]
    assert len(replies) == 1
    assert "You're not alone" in replies[0].content
    assert "moderator" not in replies[0].content
    assert replies[0].embeds[0].title == "Finding support"


async def test_a_429_on_the_card_is_retried_and_sent_once(
    env: simcord.Env, world: World, clock: FakeClock
) -> None:
    env.inject_error(
        "POST", f"/channels/{world.alerts.id}/messages", status=429, times=1, message="rate limited"
    )

    await world.member.send(world.general, "I want to kill myself")
    clock.advance(seconds=5)
    await env.advance_time(6)

    assert len(world.cards()) == 1
    env.errors  # noqa: B018  # discord.py may report the 429 it saw


async def test_transparency_in_a_channel_haven_cannot_post_in_is_refused_clearly(
    env: simcord.Env, world: World
) -> None:
    from tests.helpers import bot_member

    locked = world.guild.create_text_channel(
        "locked", overwrites={bot_member(env, world.guild): discord.PermissionOverwrite(send_messages=False)}
    )

    result = await world.moderator.slash(world.general, "setup transparency", channel=locked)

    assert result.response is not None and "Send Messages" in result.response.content
    env.errors  # noqa: B018
