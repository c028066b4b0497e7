"""No words from a DM on an alert card before Reveal: not the excerpt, the "why", the matched phrase or the footer."""

from __future__ import annotations

import re

import pytest
import simcord

from tests.helpers import haven, strings_in
from tests.kit import World

EPHEMERAL = 64


class Place(World):
    def card_payloadstrings_in(self) -> list[str]:
        """Every string the bot sent for cards: posts and edits in the alert channel, and card updates by button."""
        strings: list[str] = []
        for request in self.env.http_requests:
            body = request.json
            if not isinstance(body, dict):
                continue
            if request.path.startswith(f"/channels/{self.alerts.id}/messages"):
                strings += list(strings_in(body))
            elif request.path.startswith("/interactions/"):
                data = body.get("data")
                if (
                    isinstance(data, dict)
                    and data.get("embeds")
                    and not int(data.get("flags") or 0) & EPHEMERAL
                ):
                    strings += list(strings_in(data))
        return strings


def phrase_words(matched: str) -> set[str]:
    """The words of the phrases quoted in an alert's "what matched" (the DM's own words)."""
    quoted = re.findall(r"[“\"]([^”\"]+)[”\"]", matched)
    assert quoted, f"no quoted phrase in {matched!r}"
    return {w for phrase in quoted for w in re.findall(r"[\w']+", phrase.lower())}


def words_on_card(strings: list[str], words: set[str]) -> list[str]:
    return [
        f"{word!r} in {s[:80]!r}"
        for s in strings
        for word in words
        if re.search(rf"(?<![\w']){re.escape(word)}(?![\w'])", s.lower())
    ]


@pytest.fixture
async def place(env: simcord.Env) -> Place:
    place = Place(env)
    await place.moderator.slash(place.general, "setup alerts", channel=place.alerts, role=place.mods)
    return place


async def test_a_dm_alert_card_shows_no_word_of_the_dm_until_reveal(env: simcord.Env, place: Place) -> None:
    dm = "tonight i will take all my pills"
    await place.member.send_dm(dm)
    [card] = place.cards()
    [alert] = await haven(env).services.crisis.active_alerts(place.guild.id)
    assert alert.from_dm
    words = phrase_words(alert.matched) | set(re.findall(r"[\w']+", dm)) - {"i"}

    claimed = await place.moderator.click(card, label="I'm on it")  # an edit of the card, by button
    assert claimed.response is not None

    assert not words_on_card(place.card_payloadstrings_in(), words)
    values = {str(f.name): str(f.value) for f in place.cards()[0].embeds[0].fields}
    assert "Press **Reveal**" in values["Excerpt"]
    assert "Reveal" in values["What matched"]

    revealed = await place.moderator.click(place.cards()[0], label="Reveal")
    assert revealed.ephemeral and revealed.response is not None
    assert dm in revealed.response.content
    assert alert.matched in revealed.response.content  # after Reveal: the excerpt and what matched
    assert not words_on_card(place.card_payloadstrings_in(), words)  # the card itself still shows none


async def test_a_dm_folded_into_an_alert_from_a_channel_is_hidden_too(env: simcord.Env, place: Place) -> None:
    await place.member.send(place.general, "I want to kill myself tonight")
    [card] = place.cards()
    assert "kill myself" in str(card.embeds[0].to_dict())  # a channel message is shown as before
    env.http_requests.clear()

    dm = "i will take all my pills"
    await place.member.send_dm(dm)
    await env.advance_time(5)

    [alert] = await haven(env).services.crisis.active_alerts(place.guild.id)
    assert alert.hits == 2 and alert.from_dm
    words = phrase_words(alert.matched) | set(re.findall(r"[\w']+", dm)) - {"i"}
    strings = place.card_payloadstrings_in()
    assert strings, "the card was not edited"
    assert not words_on_card(strings, words)
    revealed = await place.moderator.click(place.cards()[0], label="Reveal")
    assert revealed.response is not None and dm in revealed.response.content
