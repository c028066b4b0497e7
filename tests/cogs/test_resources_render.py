"""Every country and topic renders within Discord's limits, with the emergency number first."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.cogs.resources.embeds import render_answer
from bot.domain.resources import LINE_TOPICS, SELF_HELP_TOPICS
from bot.i18n import Catalogs
from bot.services.resources import ResourceService, load_directory
from tests.discord_spec import limit_problems

DIRECTORY = load_directory()
CATALOGS = Catalogs.load()
SERVICE = ResourceService(DIRECTORY, repo=None, clock=lambda: datetime(2026, 11, 22, 12, tzinfo=UTC))  # type: ignore[arg-type]


@pytest.mark.parametrize("code", sorted(DIRECTORY.countries))
def test_every_country_renders_for_every_topic_within_limits(code: str) -> None:
    for topic in (*LINE_TOPICS, *SELF_HELP_TOPICS):
        answer = SERVICE.help_for(code, topic)
        embed = render_answer(CATALOGS, "en-US", answer, DIRECTORY).to_dict()

        assert limit_problems({"embeds": [embed]}) == [], (code, topic)
        assert embed.get("description", "").startswith("**In immediate danger?** Call **"), (code, topic)
        assert len(embed.get("fields", [])) <= 3
