"""The payload checker itself: it must catch what Discord would reject."""

from __future__ import annotations

from tests.discord_spec import request_problems


def test_valid_private_reply_passes() -> None:
    body = {"type": 4, "data": {"content": "hi", "flags": 64}}
    assert request_problems("POST", "/interactions/1/tok/callback", body) == []


def test_unknown_route_is_reported() -> None:
    assert request_problems("POST", "/no/such/route", {}) != []


def test_wrong_types_are_reported() -> None:
    assert request_problems("POST", "/channels/1/messages", {"content": 5}) != []


def test_bot_content_limit_is_2000_even_though_the_schema_allows_4000() -> None:
    found = request_problems("POST", "/channels/1/messages", {"content": "x" * 2001})
    assert found == ["POST /channels/{channel_id}/messages: content is 2001 characters (max 2000)"]


def test_embed_limits_are_checked() -> None:
    embed = {
        "title": "t",
        "fields": [{"name": "n", "value": "v" * 1025}] + [{"name": "n", "value": "v"}] * 25,
    }
    found = request_problems("POST", "/channels/1/messages", {"embeds": [embed]})
    assert any("26 fields" in p for p in found)
    assert any("field value is 1025" in p for p in found)


def test_six_buttons_in_a_row_are_reported() -> None:
    button = {"type": 2, "style": 1, "label": "b", "custom_id": "x"}
    body = {"content": "x", "components": [{"type": 1, "components": [button] * 6}]}
    assert any("6 buttons" in p for p in request_problems("POST", "/channels/1/messages", body))


def test_long_command_descriptions_are_reported() -> None:
    body = [{"name": "help", "type": 1, "description": "x" * 101}]
    assert any("description of 101" in p for p in request_problems("PUT", "/applications/1/commands", body))
