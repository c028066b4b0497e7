"""/resources through the real bot: countries, topics, no country known, buttons, sharing and reports."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import discord
import pytest
import simcord

from tests.conftest import FakeClock
from tests.helpers import fields, haven
from tests.kit import World


@pytest.fixture
async def place(world: World):
    return world.guild, world.general, world.member


def embed_of(result) -> discord.Embed:
    assert result.response is not None
    return result.response.embeds[0]


def labels(result) -> list[str]:
    assert result.response is not None
    return [
        c.get("label") or c.get("placeholder")
        for row in result.response.components
        for c in row["components"]
    ]


async def test_lines_for_a_country_are_private_with_emergency_number_first(env: simcord.Env, place) -> None:
    _, channel, member = place

    result = await member.slash(channel, "resources", country="GB")

    assert result.ephemeral
    embed = embed_of(result)
    assert embed.title == "Support in United Kingdom"
    assert (embed.description or "").startswith("**In immediate danger?** Call **999** now")
    line_fields = list(fields(embed))
    assert line_fields[0] == "Samaritans"
    assert 1 <= len(line_fields) <= 3
    samaritans = fields(embed)["Samaritans"]
    assert "Call **116 123**" in samaritans
    assert "Open 24/7" in samaritans
    assert "checked 2026-11" in samaritans
    assert labels(result) == ["Share here", "Report a problem", "Remember United Kingdom for me"]


async def test_country_by_name_and_unverified_lines_are_labelled(env: simcord.Env, place) -> None:
    _, channel, member = place

    result = await member.slash(channel, "resources", country="bahrain")

    embed = embed_of(result)
    assert embed.title == "Support in Bahrain"
    value = next(iter(fields(embed).values()))
    assert "Unverified: only one source lists this number." in value
    assert "Call **3844 7588** (English)" in value


async def test_hours_show_whether_a_line_is_open_now_in_its_own_timezone(
    env: simcord.Env, place, clock: FakeClock
) -> None:
    _, channel, member = place
    clock.now = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)  # Sunday 15:00 in Nairobi

    closed = await member.slash(channel, "resources", country="KE")
    clock.now = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)  # Monday 10:00 in Nairobi
    open_ = await member.slash(channel, "resources", country="KE")

    assert "Closed now; opens Mon 09:00 (Nairobi time)" in fields(embed_of(closed))["Befrienders Kenya"]
    assert "Open now, until 17:00 (Nairobi time)" in fields(embed_of(open_))["Befrienders Kenya"]


async def test_no_country_known_shows_directory_and_a_picker_never_a_default(env: simcord.Env, place) -> None:
    _, channel, member = place

    result = await member.slash(channel, "resources")

    embed = embed_of(result)
    assert embed.title == "Finding support"
    description = embed.description or ""
    assert "Call your local emergency number now" in description
    assert "findahelpline.com" in description
    assert not embed.fields  # no country's lines are assumed
    assert "Choose your region" in labels(result)


async def test_picking_region_then_country_turns_the_picker_into_the_answer(env: simcord.Env, place) -> None:
    _, channel, member = place
    first = await member.slash(channel, "resources", topic="young_people")
    assert first.response is not None

    region = await member.select(first.response.message, ["Oceania"])
    assert region.response is not None
    assert region.response.content == "Which country are you in?"
    picked = await member.select(region.response.message, ["AU"], custom_id="res:pick:young_people:0")

    embed = embed_of(picked)
    assert embed.title == "Support in Australia"
    assert "Kids Helpline" in fields(embed)


async def test_remember_then_forget_my_country(env: simcord.Env, place) -> None:
    _, channel, member = place
    first = await member.slash(channel, "resources", country="NZ")
    assert first.response is not None

    remembered = await member.click(first.response.message, label="Remember New Zealand for me")
    assert remembered.ephemeral
    assert remembered.response is not None and "will show New Zealand" in remembered.response.content

    again = await member.slash(channel, "resources")
    embed = embed_of(again)
    assert embed.title == "Support in New Zealand"
    assert "the country you asked me to remember" in (embed.description or "")
    assert "Forget my country" in labels(again)

    assert again.response is not None
    forgotten = await member.click(again.response.message, label="Forget my country")
    assert forgotten.response is not None and "no longer keeps a country" in forgotten.response.content
    assert embed_of(await member.slash(channel, "resources")).title == "Finding support"


async def test_saved_country_is_private_to_each_member(env: simcord.Env, place) -> None:
    guild, channel, member = place
    other = guild.add_member(env.create_user("sam"))
    first = await member.slash(channel, "resources", country="IE")
    assert first.response is not None
    await member.click(first.response.message, label="Remember Ireland for me")

    result = await other.slash(channel, "resources")

    assert embed_of(result).title == "Finding support"


async def test_unknown_country_text_gets_a_kind_answer(env: simcord.Env, place) -> None:
    _, channel, member = place

    result = await member.slash(channel, "resources", country="Atlantis")

    embed = embed_of(result)
    assert "couldn't find a country called \u201cAtlantis\u201d" in (embed.description or "")
    assert "Choose your region" in labels(result)


async def test_country_without_a_crisis_line_shows_emergency_number_and_directory(
    env: simcord.Env, place
) -> None:
    _, channel, member = place

    result = await member.slash(channel, "resources", country="Somalia")

    embed = embed_of(result)
    description = embed.description or ""
    assert description.startswith("**In immediate danger?** Call")
    assert "I don't have a crisis line for Somalia yet" in description
    assert "findahelpline.com" in description


async def test_topic_without_a_line_falls_back_to_general_lines(env: simcord.Env, place) -> None:
    _, channel, member = place

    result = await member.slash(channel, "resources", country="DE", topic="eating_disorders")

    embed = embed_of(result)
    assert "I don't have a line for Eating disorders in Germany yet" in (embed.description or "")
    assert "TelefonSeelsorge" in fields(embed)


async def test_self_help_topic_shows_material_in_our_own_words(env: simcord.Env, place) -> None:
    _, channel, member = place

    result = await member.slash(channel, "resources", topic="grounding")

    assert result.ephemeral
    embed = embed_of(result)
    assert embed.title == "Grounding: 5-4-3-2-1"
    assert "**5** things you can see" in (embed.description or "")
    assert "Report a problem" not in labels(result)


async def test_share_here_posts_the_answer_for_the_channel(env: simcord.Env, place) -> None:
    _, channel, member = place
    first = await member.slash(channel, "resources", country="FR")
    assert first.response is not None

    shared = await member.click(first.response.message, label="Share here")

    assert not shared.ephemeral
    assert shared.response is not None
    public = shared.response.embeds[0]
    assert public.title == "Support in France"
    assert "remember" not in (public.description or "").lower()
    assert not shared.response.components


async def test_report_a_problem_reaches_moderators_and_the_log_without_the_text(
    env: simcord.Env, place, caplog: pytest.LogCaptureFixture
) -> None:
    guild, channel, member = place
    alerts = guild.create_text_channel("mod-alerts")
    mods = guild.create_role("Mods", permissions=discord.Permissions(manage_guild=True))
    moderator = guild.add_member(env.create_user("mod"), roles=[mods])
    await moderator.slash(channel, "setup alerts", channel=alerts, role=mods)
    caplog.set_level(logging.INFO)
    first = await member.slash(channel, "resources", country="JP")
    assert first.response is not None

    form = await member.click(first.response.message, label="Report a problem")
    assert form.modal is not None
    done = await member.submit_modal(form, {"details": "The free dial number rang out at 18:00."})

    assert done.ephemeral
    assert done.response is not None and "Thank you" in done.response.content
    card = alerts.last_message
    assert card is not None
    card_fields = fields(card.embeds[0])
    assert card_fields["Country"] == "Japan"
    assert card_fields["What's wrong"] == "The free dial number rang out at 18:00."
    assert card_fields["Reported by"] == member.mention
    log_text = "\n".join(r.getMessage() for r in caplog.records)
    assert "Resource correction report #1" in log_text
    assert "rang out" not in log_text
    reports = await haven(env).services.resources.recent_reports()
    assert reports[0]["country_code"] == "JP"


async def test_report_without_an_alert_channel_still_thanks_the_member(env: simcord.Env, place) -> None:
    _, channel, member = place
    first = await member.slash(channel, "resources", country="JP")
    assert first.response is not None

    form = await member.click(first.response.message, label="Report a problem")
    done = await member.submit_modal(form, {"details": "Wrong hours"})

    assert done.response is not None and "Thank you" in done.response.content


async def test_buttons_keep_working_after_a_restart(env: simcord.Env, place, database) -> None:
    from bot.wiring import build_bot

    _, channel, member = place
    first = await member.slash(channel, "resources", country="CA")
    assert first.response is not None
    await env.restart_bot(build_bot(database))

    shared = await member.click(first.response.message, label="Share here")

    assert shared.response is not None
    assert shared.response.embeds[0].title == "Support in Canada"


async def test_in_direct_messages_there_is_no_share_button(env: simcord.Env) -> None:
    user = env.create_user("dm-user")

    result = await user.slash("resources", country="US")

    assert result.response is not None
    assert "Share here" not in labels(result)
    assert embed_of(result).title == "Support in United States"


async def test_country_autocomplete_by_name_or_code(env: simcord.Env, place) -> None:
    _, channel, member = place

    by_name = await member.autocomplete(channel, "resources", "country", "germ")
    by_code = await member.autocomplete(channel, "resources", "country", "nz")
    long_input = await member.autocomplete(channel, "resources", "country", "x" * 100)

    assert by_name[0] == {"name": "Germany", "value": "DE"}
    assert by_code[0]["value"] == "NZ"
    assert long_input == []


@pytest.mark.parametrize(
    ("typo", "code"), [("germnay", "DE"), ("untied states", "US"), ("swizerland", "CH"), ("frnace", "FR")]
)
async def test_country_search_forgives_typos(env: simcord.Env, place, typo: str, code: str) -> None:
    _, channel, member = place

    choices = await member.autocomplete(channel, "resources", "country", typo)

    assert choices[0]["value"] == code and len(choices) <= 25


async def test_a_clear_typo_of_a_country_gets_its_help(env: simcord.Env, place) -> None:
    _, channel, member = place

    result = await member.slash(channel, "resources", country="germnay")

    assert result.response is not None
    assert embed_of(result).title == "Support in Germany"


class TestLocalResources:
    @pytest.fixture
    async def mods(self, env: simcord.Env, place):
        guild, _channel, _ = place
        role = guild.create_role("Mods", permissions=discord.Permissions(manage_guild=True))
        return guild.add_member(env.create_user("mod"), roles=[role])

    async def test_moderator_entry_shows_first_in_that_server_only(
        self, env: simcord.Env, place, mods
    ) -> None:
        _, channel, member = place
        added = await mods.slash(
            channel,
            "resources-admin add",
            name="City Youth Clinic",
            description="Walk-in, weekdays",
            phone="+44 20 7946 0000",
        )
        assert added.response is not None and "Added \u201cCity Youth Clinic\u201d" in added.response.content

        here = await member.slash(channel, "resources", country="GB")
        assert next(iter(fields(embed_of(here)))) == "From this server's moderators"
        assert "City Youth Clinic" in fields(embed_of(here))["From this server's moderators"]

        other_guild = env.create_guild("Elsewhere")
        other_channel = other_guild.create_text_channel("general")
        stranger = other_guild.add_member(env.create_user("kim"))
        there = await stranger.slash(other_channel, "resources", country="GB")
        assert "From this server's moderators" not in fields(embed_of(there))

    async def test_invalid_entry_gets_a_clear_private_message(self, env: simcord.Env, place, mods) -> None:
        _, channel, _ = place

        result = await mods.slash(channel, "resources-admin add", name="Clinic", phone="call us maybe")

        assert result.ephemeral
        assert result.response is not None
        assert "That phone number doesn't look right" in result.response.content
        env.errors  # noqa: B018

    async def test_edit_list_and_remove(self, env: simcord.Env, place, mods) -> None:
        _, channel, _ = place
        await mods.slash(channel, "resources-admin add", name="Clinic", url="https://clinic.example.org")
        choices = await mods.autocomplete(channel, "resources-admin edit", "entry", "cli")
        assert choices == [{"name": "#1 Clinic", "value": "1"}]

        edited = await mods.slash(
            channel, "resources-admin edit", entry="1", name="Town Clinic", topic="young_people"
        )
        assert edited.response is not None and "Updated \u201cTown Clinic\u201d" in edited.response.content
        listed = await mods.slash(channel, "resources-admin list")
        assert "#1 · Town Clinic (Young people)" in fields(embed_of(listed))

        removed = await mods.slash(channel, "resources-admin remove", entry="1")
        assert removed.response is not None and "Removed entry #1" in removed.response.content
        empty = await mods.slash(channel, "resources-admin list")
        assert "No entries yet" in (embed_of(empty).description or "")

    async def test_entries_of_another_server_cannot_be_touched(self, env: simcord.Env, place, mods) -> None:
        _, channel, _ = place
        await mods.slash(channel, "resources-admin add", name="Clinic", url="https://clinic.example.org")
        other = env.create_guild("Elsewhere")
        other_channel = other.create_text_channel("general")
        role = other.create_role("Mods", permissions=discord.Permissions(manage_guild=True))
        other_mod = other.add_member(env.create_user("othermod"), roles=[role])

        result = await other_mod.slash(other_channel, "resources-admin remove", entry="1")

        assert result.response is not None and "couldn't find that entry" in result.response.content
        env.errors  # noqa: B018

    async def test_members_without_manage_server_cannot_use_it(self, env: simcord.Env, place) -> None:
        _, channel, member = place

        assert "resources-admin add" not in member.available_commands(channel)
