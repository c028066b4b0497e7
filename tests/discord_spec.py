"""Validate the REST requests the bot sent against Discord's OpenAPI spec and documented limits."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

SPEC_PATH = Path(__file__).resolve().parent / "reference" / "discord-openapi" / "openapi.json"
SPEC_URI = "urn:discord-openapi"

# Discord's documented limits for bots, on top of the schema (which allows 4,000-character content).
CONTENT_MAX = 2000
EMBEDS_MAX = 10
EMBED_TOTAL_MAX = 6000
EMBED_TITLE_MAX = 256
EMBED_DESCRIPTION_MAX = 4096
EMBED_FIELDS_MAX = 25
FIELD_NAME_MAX = 256
FIELD_VALUE_MAX = 1024
FOOTER_MAX = 2048
AUTHOR_NAME_MAX = 256
ROWS_MAX = 5
BUTTONS_PER_ROW_MAX = 5
SELECT_OPTIONS_MAX = 25
CUSTOM_ID_MAX = 100
BUTTON_LABEL_MAX = 80
COMMAND_NAME_RE = re.compile(r"^[-_\w]{1,32}$")
COMMAND_DESCRIPTION_MAX = 100
OPTIONS_MAX = 25
CHOICES_MAX = 25


def spec_path() -> Path:
    """Where the vendored spec lives (tests/reference, with its licence)."""
    return SPEC_PATH


@dataclass
class Route:
    method: str
    template: str
    pattern: re.Pattern[str]
    validator: Draft202012Validator | None


@cache
def _routes() -> tuple[Route, ...]:
    spec = json.loads(SPEC_PATH.read_text(encoding="utf-8"))
    registry: Registry = Registry().with_resource(
        SPEC_URI, Resource.from_contents(spec, default_specification=DRAFT202012)
    )  # pyright: ignore[reportUnknownMemberType]
    routes: list[Route] = []
    for template, methods in spec["paths"].items():
        regex = "^" + re.sub(r"\{[^}]+\}", r"[^/]+", template) + "$"
        for method, op in methods.items():
            if not isinstance(op, dict) or method.startswith("x-") or method == "parameters":
                continue
            schema = op.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
            validator = None
            if schema is not None:
                validator = Draft202012Validator(_rebase(schema), registry=registry)
            routes.append(Route(method.upper(), template, re.compile(regex), validator))
    # Literal segments first, so /users/@me does not match /users/{user_id}.
    routes.sort(key=lambda r: r.template.count("{"))
    return tuple(routes)


def _rebase(schema: Any) -> Any:
    """Point local ``#/components/...`` refs at the registered spec resource."""
    if isinstance(schema, dict):
        return {
            k: (SPEC_URI + v if k == "$ref" and isinstance(v, str) and v.startswith("#") else _rebase(v))
            for k, v in schema.items()
        }
    if isinstance(schema, list):
        return [_rebase(v) for v in schema]
    return schema


def find_route(method: str, path: str) -> Route | None:
    """The spec's route for a request, or ``None`` when the spec has no such route."""
    path = path.split("?", 1)[0]
    for route in _routes():
        if route.method == method.upper() and route.pattern.match(path):
            return route
    return None


def request_problems(method: str, path: str, body: Any) -> list[str]:
    """Why a request would not be valid for Discord (empty when it is)."""
    route = find_route(method, path)
    if route is None:
        return [f"{method} {path}: no such route in Discord's API"]
    problems: list[str] = []
    if body is not None and route.validator is not None:
        for error in route.validator.iter_errors(_snowflakes_as_strings(body)):
            problems.append(
                f"{method} {route.template}: {error.message[:300]} at {list(error.absolute_path)}"
            )
    if body is not None:
        problems += [f"{method} {route.template}: {p}" for p in limit_problems(body)]
    return problems


SNOWFLAKE_KEYS = frozenset({"roles", "users", "recipient_id", "id", "message_id", "channel_id", "guild_id"})


def _snowflakes_as_strings(value: Any, key: str = "") -> Any:
    """discord.py sends some IDs as JSON integers (allowed_mentions, recipient_id); Discord accepts them, while the
    spec's SnowflakeType only lists the string form. Treat an integer ID under a snowflake key as its string."""
    if isinstance(value, dict):
        return {k: _snowflakes_as_strings(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [_snowflakes_as_strings(v, key) for v in value]
    if key in SNOWFLAKE_KEYS and isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return value


def limit_problems(body: Any) -> list[str]:
    """Documented limits: message content, embeds, components, and command registrations."""
    problems: list[str] = []
    if isinstance(body, list):
        for item in body:
            if isinstance(item, dict) and "name" in item and ("description" in item or "type" in item):
                problems += _command_limits(item)
        return problems
    if not isinstance(body, dict):
        return problems
    message = body.get("data") if isinstance(body.get("data"), dict) else body
    assert isinstance(message, dict)
    content = message.get("content")
    if isinstance(content, str) and len(content) > CONTENT_MAX:
        problems.append(f"content is {len(content)} characters (max {CONTENT_MAX})")
    embeds = message.get("embeds") or []
    if len(embeds) > EMBEDS_MAX:
        problems.append(f"{len(embeds)} embeds (max {EMBEDS_MAX})")
    total = 0
    for embed in embeds:
        total += _embed_size(embed, problems)
    if total > EMBED_TOTAL_MAX:
        problems.append(f"embeds total {total} characters (max {EMBED_TOTAL_MAX})")
    problems += _component_limits(message.get("components") or [])
    return problems


def _embed_size(embed: dict[str, Any], problems: list[str]) -> int:
    def check(text: Any, limit: int, what: str) -> int:
        if not isinstance(text, str):
            return 0
        if len(text) > limit:
            problems.append(f"embed {what} is {len(text)} characters (max {limit})")
        return len(text)

    size = check(embed.get("title"), EMBED_TITLE_MAX, "title")
    size += check(embed.get("description"), EMBED_DESCRIPTION_MAX, "description")
    size += check((embed.get("footer") or {}).get("text"), FOOTER_MAX, "footer")
    size += check((embed.get("author") or {}).get("name"), AUTHOR_NAME_MAX, "author")
    fields = embed.get("fields") or []
    if len(fields) > EMBED_FIELDS_MAX:
        problems.append(f"embed has {len(fields)} fields (max {EMBED_FIELDS_MAX})")
    for field in fields:
        size += check(field.get("name"), FIELD_NAME_MAX, "field name")
        size += check(field.get("value"), FIELD_VALUE_MAX, "field value")
    return size


def _component_limits(rows: list[dict[str, Any]]) -> list[str]:
    problems: list[str] = []
    if len(rows) > ROWS_MAX:
        problems.append(f"{len(rows)} component rows (max {ROWS_MAX})")
    for row in rows:
        children = row.get("components") or []
        buttons = [c for c in children if c.get("type") == 2]
        if len(buttons) > BUTTONS_PER_ROW_MAX:
            problems.append(f"{len(buttons)} buttons in a row (max {BUTTONS_PER_ROW_MAX})")
        for child in children:
            custom_id = child.get("custom_id")
            if isinstance(custom_id, str) and len(custom_id) > CUSTOM_ID_MAX:
                problems.append(f"custom_id of {len(custom_id)} characters (max {CUSTOM_ID_MAX})")
            label = child.get("label")
            if child.get("type") == 2 and isinstance(label, str) and len(label) > BUTTON_LABEL_MAX:
                problems.append(f"button label of {len(label)} characters (max {BUTTON_LABEL_MAX})")
            options = child.get("options") or []
            if len(options) > SELECT_OPTIONS_MAX:
                problems.append(f"select with {len(options)} options (max {SELECT_OPTIONS_MAX})")
    return problems


def _command_limits(command: dict[str, Any], prefix: str = "") -> list[str]:
    problems: list[str] = []
    name = command.get("name", "")
    where = f"{prefix}{name}"
    if command.get("type", 1) == 1 and not COMMAND_NAME_RE.match(name):
        problems.append(f"command name {where!r} is not 1-32 lowercase word characters")
    description = command.get("description", "")
    if command.get("type", 1) == 1 and not 1 <= len(description) <= COMMAND_DESCRIPTION_MAX:
        problems.append(
            f"{where}: description of {len(description)} characters (1 to {COMMAND_DESCRIPTION_MAX})"
        )
    for localized in (command.get("description_localizations") or {}).values():
        if not 1 <= len(localized) <= COMMAND_DESCRIPTION_MAX:
            problems.append(f"{where}: a translated description of {len(localized)} characters")
    options = command.get("options") or []
    if len(options) > OPTIONS_MAX:
        problems.append(f"{where}: {len(options)} options (max {OPTIONS_MAX})")
    for option in options:
        if len(option.get("choices") or []) > CHOICES_MAX:
            problems.append(f"{where} {option.get('name')}: more than {CHOICES_MAX} choices")
        problems += _command_limits({**option, "type": 1}, prefix=f"{where} ")
    return problems
