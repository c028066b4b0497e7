"""Support requests and peer flags through the real bot: flag a message, check on a member, ask (anonymously),
claim, the relay both ways, endings, restarts and faults."""

from __future__ import annotations

from typing import Any

import discord
import pytest
import simcord
from sqlalchemy import select

from bot.errors import DomainError
from bot.storage.engine import Database
from bot.storage.member_data import MemberDataRepository
from bot.storage.schema import support_requests
from bot.wiring import build_bot
from tests.conftest import FakeClock
from tests.helpers import fields
from tests.kit import World

QUIET = "rough week, whatever"  # nothing the detector alerts on by itself


class Circle(World):
    """A moderated server with a listener role, a support channel and two listeners."""

    def __init__(self, env: simcord.Env) -> None:
        super().__init__(env)
        self.support = self.guild.create_text_channel("listeners")
        self.role = self.guild.create_role("Listeners")
        self.listeners = [
            self.guild.add_member(env.create_user(name), roles=[self.role]) for name in ("sam", "lee")
        ]

    async def configure(self) -> None:
        await self.moderator.slash(self.general, "setup alerts", channel=self.alerts, role=self.mods)
        shown = await self.moderator.slash(
            self.general,
            "support-admin setup",
            listener_role=self.role,
            channel=self.support,
            reping_minutes=10,
        )
        assert shown.response is not None and shown.response.ephemeral

    def alert_cards(self) -> list[discord.Message]:
        return [m for m in self.alerts.history() if m.embeds and "alert" in (m.embeds[0].title or "")]

    def request_cards(self) -> list[discord.Message]:
        return [
            m
            for m in self.support.history()
            if m.embeds and m.embeds[0].title == "Someone would like to talk"
        ]

    async def ask(self, member: Any, *, anonymous: bool = True, message: str | None = "hi") -> Any:
        options: dict[str, Any] = {"topic": "Anxiety", "anonymous": anonymous}
        if message is not None:
            options["message"] = message
        shown = await member.slash(self.general, "support request", **options)
        assert shown.response is not None and shown.response.ephemeral
        return await member.click(shown.response.message, label="Send my request")

    async def claim(self, listener: Any) -> Any:
        card = self.request_cards()[-1]
        return await listener.click(card, label="I'll talk")

    def thread(self) -> Any:
        [thread] = self.support.threads
        return thread


def said(result: Any) -> str:
    """Everything the bot answered to one interaction (a deferred answer is edited in place)."""
    texts = [result.response.content] if result.response is not None else []
    return "\n".join(texts + [f.content for f in result.followups])


def labels(message: Any) -> list[str | None]:
    return [getattr(c, "label", None) for row in message.components for c in row.children]


def dms(actor: Any) -> list[discord.Message]:
    return list(actor.user.dm_channel.history())


def dm_text(actor: Any) -> str:
    return "\n".join(m.content for m in dms(actor))


@pytest.fixture
async def circle(env: simcord.Env) -> Circle:
    circle = Circle(env)
    await circle.configure()
    return circle


# --- peers flagging a message


async def test_a_flag_raises_one_concern_card_with_a_jump_link_and_never_names_the_flagger(
    env: simcord.Env, circle: Circle
) -> None:
    kai = circle.guild.add_member(env.create_user("kai"))
    worrying = await circle.member.send(circle.general, QUIET)

    shown = await kai.context_menu(circle.general, "Worried about this person", worrying)
    assert shown.modal is not None and shown.modal["title"] == "Tell the moderators?"
    done = await kai.submit_modal(shown, {"note": "they've been posting like this all week"})

    assert done.response is not None and done.response.ephemeral
    assert "won't be told who flagged" in done.response.content
    [card] = circle.alert_cards()
    embed = card.embeds[0]
    assert embed.title == "Moderate alert: worried about someone else"
    text = " ".join(fields(embed).values())
    assert f"<@{circle.member.id}>" in text
    assert f"/{circle.general.id}/{worrying.id}" in text  # the jump link
    assert "posting like this all week" in text and "Flag #" in text
    assert str(kai.id) not in text and "kai" not in text
    assert not dms(circle.member)  # the author is told nothing

    lee = circle.listeners[1]
    again = await lee.context_menu(circle.general, "Worried about this person", worrying)
    await lee.submit_modal(again, {})
    assert len(circle.alert_cards()) == 1  # every flag of one message shares one card


async def test_flags_are_rate_limited_and_bad_faith_ones_limit_harder(
    env: simcord.Env, circle: Circle, clock: FakeClock
) -> None:
    kai = circle.guild.add_member(env.create_user("kai"))
    answers = []
    for n in range(4):
        message = await circle.member.send(circle.general, f"{QUIET} {n}")
        shown = await kai.context_menu(circle.general, "Worried about this person", message)
        done = await kai.submit_modal(shown, {})
        assert done.response is not None
        answers.append(done.response.content)
    assert sum("won't be told who flagged" in a for a in answers) == 3
    assert "flagged several messages recently" in answers[-1]

    for flag in (1, 2):
        marked = await circle.moderator.slash(circle.general, "support-admin bad-faith", flag=flag)
        assert marked.response is not None and "bad faith" in marked.response.content
    repeat = await circle.moderator.slash(circle.general, "support-admin bad-faith", flag=1)
    assert repeat.response is not None and "There's no flag #1" in repeat.response.content
    clock.advance(days=8)  # a week on: two bad-faith flags leave one flag a week, not three a day
    answers = []
    for n in range(2):
        message = await circle.member.send(circle.general, f"{QUIET} again {n}")
        shown = await kai.context_menu(circle.general, "Worried about this person", message)
        done = await kai.submit_modal(shown, {})
        answers.append(said(done))
    assert "won't be told who flagged" in answers[0] and "flagged several messages recently" in answers[1]


async def test_flagging_your_own_message_points_to_support_instead(env: simcord.Env, circle: Circle) -> None:
    mine = await circle.member.send(circle.general, QUIET)
    done = await circle.member.context_menu(circle.general, "Worried about this person", mine)
    assert done.response is not None and "/support request" in done.response.content
    assert not circle.alert_cards()
    assert any(isinstance(getattr(e, "original", e), DomainError) for e in env.errors)  # the funnel answered


# --- moderators checking on a member


async def test_check_on_sends_one_kind_dm_with_the_support_options(env: simcord.Env, circle: Circle) -> None:
    done = await circle.moderator.context_menu(circle.general, "Check on this member", circle.member)

    assert (
        done.response is not None
        and done.response.ephemeral
        and "kind private message" in done.response.content
    )
    text = dm_text(circle.member)
    assert "wanted to check in on you" in text and "not in trouble" in text
    assert "/support request" in text and "/resources" in text
    assert (
        circle.moderator.mention not in text and str(circle.moderator.id) not in text
    )  # "a moderator", not who

    again = await circle.moderator.context_menu(circle.general, "Check on this member", circle.member)
    assert again.response is not None and "in the last day already" in again.response.content
    assert len(dms(circle.member)) == 1


async def test_only_moderators_can_check_on_a_member(env: simcord.Env, circle: Circle) -> None:
    kai = circle.guild.add_member(env.create_user("kai"))
    assert "Check on this member" not in kai.available_commands(
        circle.general
    )  # hidden by default permissions
    with pytest.raises(simcord.SetupError):
        await kai.context_menu(circle.general, "Check on this member", circle.member)
    assert not dms(circle.member)


# --- requests, claiming and the relay


async def test_an_anonymous_request_is_claimed_and_relayed_both_ways(
    env: simcord.Env, circle: Circle
) -> None:
    sam = circle.listeners[0]
    await sam.slash(circle.general, "listener available")
    shown = await circle.member.slash(
        circle.general, "support request", topic="Anxiety", anonymous=True, message="hi"
    )
    assert shown.response is not None and "reveal who you are" in shown.response.content
    sent = await circle.member.click(shown.response.message, label="Send my request")
    assert sent.response is not None and "Your request is in" in sent.response.content

    [card] = circle.request_cards()
    assert (
        sam.mention in card.content and circle.listeners[1].mention not in card.content
    )  # only the available
    card_text = " ".join(fields(card.embeds[0]).values())
    assert "Member " in card_text and "Anxiety" in card_text and "hi" in card_text
    assert str(circle.member.id) not in card_text + card.content and "robin" not in card_text

    claimed = await circle.claim(sam)
    assert "private thread" in said(claimed)
    thread = circle.thread()
    assert "is here" in dm_text(circle.member)

    await circle.member.send_dm("today was really hard")
    relayed = [m.content for m in thread.history() if "today was really hard" in m.content]
    assert len(relayed) == 1 and relayed[0].startswith("**Member ") and "robin" not in relayed[0]

    await sam.send(thread, "I'm here, take your time")
    assert "I'm here, take your time" in dm_text(circle.member)
    assert "sam (listener)" in dm_text(circle.member)

    dm = circle.member.user.dm_channel
    await circle.member.send_dm(
        "", attachments=env.backend.store_attachments(dm.id, [("photo.png", b"\x89PNG")])
    )
    assert any("(an image was shared)" in m.content for m in thread.history())
    assert not any(m.attachments for m in thread.history())


async def test_long_messages_are_split_and_nothing_is_relayed_after_the_end(
    env: simcord.Env, circle: Circle
) -> None:
    sam = circle.listeners[0]
    await circle.ask(circle.member, anonymous=False)
    await circle.claim(sam)
    thread = circle.thread()
    card_text = " ".join(fields(circle.request_cards()[0].embeds[0]).values())
    assert f"<@{circle.member.id}>" in card_text  # named: the listeners see who it is

    long = ("word " * 399).strip()  # 1,994 characters: over 2,000 with the speaker's name in front
    await circle.member.send_dm(long)
    parts = [m.content for m in thread.history() if "word" in m.content]
    assert len(parts) == 2 and all(len(p) <= 2000 for p in parts)
    assert "".join(parts).count("word") == 399

    ended = await circle.member.slash(circle.general, "support end")
    assert ended.response is not None and "has ended" in ended.response.content
    assert any("has ended" in m.content for m in thread.history())
    feedback = [m for m in dms(circle.member) if "Did this help?" in m.content]
    assert len(feedback) == 1
    thanks = await circle.member.user.click(feedback[0], label="Yes, it helped")
    assert thanks.response is not None and "Thank you" in thanks.response.content
    assert not [
        m for m in dms(circle.member) if "Did this help?" in m.content and m.components
    ]  # one tap only

    before = len(thread.history())
    await circle.member.send_dm("are you still there?")
    assert len(thread.history()) == before

    stats = await circle.moderator.slash(circle.general, "support-admin stats")
    assert stats.response is not None
    assert "1 requests" in stats.response.content and "1 yes" in stats.response.content
    assert "are you still there" not in stats.response.content


async def test_a_claimed_card_shows_who_is_talking_and_offers_no_button(
    env: simcord.Env, circle: Circle
) -> None:
    # simcord runs one interaction at a time; the concurrent 20-listener race is in tests/storage/test_support_storage.py
    await circle.ask(circle.member)
    await circle.claim(circle.listeners[1])

    [card] = circle.request_cards()
    assert f"<@{circle.listeners[1].id}> is talking with them" in fields(card.embeds[0])["Status"]
    assert not card.components
    assert len(circle.support.threads) == 1


async def test_no_listener_available_says_so_and_the_member_can_stop_waiting(
    env: simcord.Env, circle: Circle
) -> None:
    sent = await circle.ask(circle.member)
    assert sent.response is not None and "no listener is available right now" in sent.response.content
    assert "/resources" in sent.response.content
    again = await circle.member.slash(circle.general, "support request", topic="Anxiety", anonymous=False)
    assert again.response is not None and "already have a request open" in again.response.content
    assert any(isinstance(getattr(e, "original", e), DomainError) for e in env.errors)


async def test_unclaimed_requests_ping_again_then_tell_the_member_honestly(
    env: simcord.Env, circle: Circle, clock: FakeClock
) -> None:
    await circle.listeners[0].slash(circle.general, "listener available")
    await circle.ask(circle.member)
    clock.advance(minutes=11)
    await env.advance_time(2)
    assert any("still waiting for a listener" in m.content for m in circle.support.history())
    clock.advance(minutes=11)
    await env.advance_time(2)
    text = dm_text(circle.member)
    assert "no listener" in text and "/resources" in text and "keep waiting" in text


async def test_a_crisis_phrase_in_the_relay_raises_the_usual_card(env: simcord.Env, circle: Circle) -> None:
    sam = circle.listeners[0]
    await circle.ask(circle.member)
    await circle.claim(sam)

    await circle.member.send_dm("i want to end my life")

    assert circle.alert_cards()  # the crisis detector read the DM, as for any DM to Haven
    assert any("end my life" in m.content for m in circle.thread().history())


async def test_an_anonymous_members_alert_shows_the_alias_until_a_moderator_reveals_them(
    env: simcord.Env, circle: Circle, database: Database
) -> None:
    sam = circle.listeners[0]
    await circle.ask(circle.member, anonymous=True)
    await circle.claim(sam)
    thread = circle.thread()
    [request_card] = circle.request_cards()
    alias = next(v for v in fields(request_card.embeds[0]).values() if v.startswith("Member "))

    await circle.member.send_dm("i want to end my life")

    [card] = circle.alert_cards()
    shown = " ".join(fields(card.embeds[0]).values()) + card.content
    assert alias in shown
    member = circle.member
    assert str(member.id) not in shown and member.mention not in shown and "robin" not in shown
    listing = await circle.moderator.slash(circle.general, "crisis alerts")
    assert listing.response is not None
    listed = " ".join(fields(listing.response.embeds[0]).values())
    assert alias in listed and str(member.id) not in listed

    pressed = await circle.moderator.click(card, label="Reveal identity")
    assert pressed.response is not None
    [card] = circle.alert_cards()
    shown = " ".join(fields(card.embeds[0]).values())
    assert str(member.id) in shown and alias not in shown
    assert "Reveal identity" not in labels(card)
    notices = [m.content for m in thread.history() if "has seen who this member is" in m.content]
    assert len(notices) == 1 and str(member.id) not in notices[0] and "robin" not in notices[0]

    exported = (await MemberDataRepository(database).export(member.id, None))["support"]
    assert exported["requests"][0]["identity_revealed_at"] is not None
    async with database.read() as conn:
        row = (await conn.execute(select(support_requests))).one()
    assert row.identity_revealed_by == circle.moderator.id and row.identity_revealed_at is not None

    await circle.moderator.click(card, label="Resolved")  # later edits keep naming the member
    [card] = circle.alert_cards()
    assert str(member.id) in " ".join(fields(card.embeds[0]).values())


async def test_a_named_members_alert_names_them_with_no_reveal_button(
    env: simcord.Env, circle: Circle
) -> None:
    await circle.ask(circle.member, anonymous=False)
    await circle.claim(circle.listeners[0])
    await circle.member.send_dm("i want to end my life")
    [card] = circle.alert_cards()
    assert str(circle.member.id) in " ".join(fields(card.embeds[0]).values())
    assert "Reveal identity" not in labels(card)


async def test_a_restart_mid_conversation_loses_nothing_and_relays_nothing_twice(
    env: simcord.Env, circle: Circle, database: Database, clock: FakeClock
) -> None:
    sam = circle.listeners[0]
    await circle.ask(circle.member)
    await circle.claim(sam)
    thread = circle.thread()
    env.inject_error(
        "POST",
        f"/channels/{thread.id}/messages",
        status=500,
        code=0,
        times=1,
        message="Internal Server Error",
    )
    await circle.member.send_dm("before the restart")
    assert not any("before the restart" in m.content for m in thread.history())

    await env.restart_bot(build_bot(database, clock=clock))
    clock.advance(minutes=5)
    await env.advance_time(3)
    await circle.member.send_dm("after the restart")
    await env.advance_time(3)

    history = [m.content for m in thread.history()]
    assert sum("before the restart" in c for c in history) == 1
    assert sum("after the restart" in c for c in history) == 1


def close_dms(env: simcord.Env, circle: Circle) -> None:
    env.inject_error(
        "POST",
        f"/channels/{circle.member.user.dm_channel.id}/messages",
        status=403,
        code=50007,
        times=None,
        message="Cannot send messages to this user",
    )


async def test_closed_dms_of_a_member_who_asked_by_dm_tell_the_listener(
    env: simcord.Env, circle: Circle
) -> None:
    close_dms(env, circle)
    shown = await circle.member.user.slash("support request", topic="Anxiety", anonymous=True, message="hi")
    assert shown.response is not None
    await circle.member.user.click(shown.response.message, label="Send my request")
    await circle.claim(circle.listeners[0])
    assert any("couldn't reach them by DM" in m.content for m in circle.thread().history())
    assert not circle.general.threads  # asked by DM: no server channel to open a thread in


async def test_closed_dms_move_the_member_to_a_private_thread_where_they_asked(
    env: simcord.Env, circle: Circle
) -> None:
    close_dms(env, circle)
    sam = circle.listeners[0]
    await circle.ask(circle.member, anonymous=True)
    await circle.claim(sam)
    listener_thread = circle.thread()
    [member_thread] = circle.general.threads
    welcome = "\n".join(m.content for m in member_thread.history())
    assert circle.member.mention in welcome and "is here" in welcome and "isn't anonymous" in welcome
    told = "\n".join(m.content for m in listener_thread.history())
    assert "private thread" in told and "isn't anonymous there" in told
    assert "couldn't reach them by DM" not in told and "robin" not in told

    await circle.member.send(member_thread, "thanks for being here")
    relayed = [m.content for m in listener_thread.history() if "thanks for being here" in m.content]
    assert len(relayed) == 1 and relayed[0].startswith("**Member ") and "robin" not in relayed[0]
    await sam.send(listener_thread, "take your time")
    assert sum("take your time" in m.content for m in member_thread.history()) == 1


async def test_a_member_with_closed_dms_hears_in_a_private_thread_that_nobody_answered_yet(
    env: simcord.Env, circle: Circle, clock: FakeClock
) -> None:
    close_dms(env, circle)
    await circle.listeners[0].slash(circle.general, "listener available")
    await circle.ask(circle.member)
    for _ in range(2):  # pinged once more, then the member is told
        clock.advance(minutes=11)
        await env.advance_time(2)
    [member_thread] = circle.general.threads
    text = "\n".join(m.content for m in member_thread.history())
    assert "no listener" in text and "/resources" in text and "keep waiting" in text


async def test_dms_closing_mid_conversation_move_the_member_to_a_private_thread(
    env: simcord.Env, circle: Circle
) -> None:
    sam = circle.listeners[0]
    await circle.ask(circle.member, anonymous=False)
    await circle.claim(sam)
    close_dms(env, circle)
    await sam.send(circle.thread(), "are you still there?")

    [member_thread] = circle.general.threads
    assert sum("are you still there?" in m.content for m in member_thread.history()) == 1
    told = "\n".join(m.content for m in circle.thread().history())
    assert "private thread" in told and "isn't anonymous" not in told  # they asked by name


async def test_someone_else_puts_the_request_back_with_a_fresh_card(env: simcord.Env, circle: Circle) -> None:
    await circle.ask(circle.member)
    await circle.claim(circle.listeners[0])
    offer = [m for m in dms(circle.member) if "is here" in m.content][-1]

    answer = await circle.member.user.click(offer, label="Someone else, please")

    assert "back in the queue" in said(answer)
    assert any("talk with someone else" in m.content for m in circle.thread().history())
    assert len(circle.request_cards()) == 2 and circle.request_cards()[-1].components  # a fresh card to claim
    before = len(circle.thread().history())
    await circle.member.send_dm("hello again")
    assert len(circle.thread().history()) == before  # nothing more to the last listener
    await circle.claim(circle.listeners[1])
    await circle.member.send_dm("hello, new listener")
    newest = circle.support.threads[-1]
    assert any("hello, new listener" in m.content for m in newest.history())


async def test_a_listener_losing_the_role_hands_the_conversation_back(
    env: simcord.Env, circle: Circle
) -> None:
    sam = circle.listeners[0]
    await circle.ask(circle.member)
    await circle.claim(sam)

    env.backend.remove_member_role(circle.guild.id, sam.id, circle.role.id)
    await env.advance_time(1)

    assert "can't continue the conversation" in dm_text(circle.member)
    assert any("went back to the queue" in m.content for m in circle.thread().history())
    assert len(circle.request_cards()) == 2


async def test_a_member_leaving_ends_the_conversation(env: simcord.Env, circle: Circle) -> None:
    await circle.ask(circle.member)
    await circle.claim(circle.listeners[0])

    circle.guild.remove_member(circle.member)
    await env.advance_time(1)

    assert any("left the server" in m.content for m in circle.thread().history())


async def test_either_side_can_report_and_block(env: simcord.Env, circle: Circle) -> None:
    sam, lee = circle.listeners
    await circle.ask(circle.member)
    await circle.claim(sam)

    reported = await sam.slash(circle.thread(), "support report", reason="they were abusive")
    assert "told privately" in said(reported)
    card_text = " ".join(fields(circle.alert_cards()[-1].embeds[0]).values())
    assert "reported the other side" in card_text and "they were abusive" in card_text

    blocked = await circle.member.user.slash("support block")
    assert "has ended" in said(blocked)
    await circle.ask(circle.member)
    refused = await circle.claim(sam)
    assert "can't take this request" in said(refused)
    env.errors  # noqa: B018  (the refusal went through the error funnel)
    await circle.claim(lee)
    assert len(circle.support.threads) == 2


async def test_help_lists_the_support_commands_and_the_apps_menu(env: simcord.Env, circle: Circle) -> None:
    shown = await circle.member.slash(circle.general, "help")
    assert shown.response is not None
    text = " ".join(str(f.value) for f in shown.response.embeds[0].fields)
    assert "/support" in text and "request" in text
    assert "Worried about this person" in text and "Check on this member" not in text

    moderator = await circle.moderator.slash(circle.general, "help")
    assert moderator.response is not None
    moderator_text = " ".join(str(f.value) for f in moderator.response.embeds[0].fields)
    assert "Check on this member" in moderator_text and "/support-admin" in moderator_text


async def test_asking_by_dm_asks_which_server(env: simcord.Env, circle: Circle) -> None:
    other = env.create_guild("Second Place")
    general = other.create_text_channel("general")
    listeners = other.create_text_channel("listeners")
    role = other.create_role("Listeners")
    admin = other.add_member(
        env.create_user("admin"),
        roles=[other.create_role("Mods", permissions=discord.Permissions(manage_guild=True))],
    )
    await admin.slash(general, "support-admin setup", listener_role=role, channel=listeners)
    other.add_member(circle.member.user)

    asked = await circle.member.user.slash("support request", topic="Anxiety", anonymous=True)
    assert asked.response is not None and "Which server" in asked.response.content
    notice = await circle.member.user.select(asked.response.message, [str(other.id)])
    assert notice.response is not None and "alias" in notice.response.content
    await circle.member.user.click(notice.response.message, label="Send my request")

    assert [m for m in listeners.history() if m.embeds] and not circle.request_cards()


async def test_listeners_are_pinged_only_within_their_hours(env: simcord.Env, circle: Circle) -> None:
    sam, lee = circle.listeners
    said_sam = await sam.slash(
        circle.general, "listener available", from_hour=22, to_hour=6, timezone="Europe/Berlin"
    )
    assert "from 22:00 to 6:00 (Europe/Berlin)" in said(said_sam)
    await lee.slash(
        circle.general, "listener available", from_hour=9, to_hour=17
    )  # UTC; the test clock is 12:00
    wrong = await lee.slash(
        circle.general, "listener available", from_hour=9, to_hour=17, timezone="Mars/Olympus"
    )
    assert "don't know that timezone" in said(wrong)
    env.errors  # noqa: B018  (the refusal went through the error funnel)

    await circle.ask(circle.member)

    [card] = circle.request_cards()
    assert lee.mention in card.content and sam.mention not in card.content
