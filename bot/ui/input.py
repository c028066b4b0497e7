"""What a member sends, checked once at the door, and member text made safe to post.

A modified Discord client can send any value for any option: text outside the declared choices, numbers
outside their range, IDs of 40 digits, lone surrogate characters that no database can store. Every slash
command's options are checked here against what the command declares, before its callback runs, and every
modal's fields are cleaned before it is submitted; a bad value gets the same kind, private answer as any
other wrong value (a ``DomainError``), never a traceback.
"""

from __future__ import annotations

import math
import re
from typing import Any

import discord
from discord import AppCommandOptionType as OptionType
from discord import app_commands

from bot.errors import DomainError

SNOWFLAKE_MAX = 2**63 - 1  # Discord IDs are positive 64-bit integers; the database stores signed 64-bit
INTEGER_LIMIT = 2**53  # what Discord itself accepts for an integer option
_UNSTORABLE = re.compile("[\ud800-\udfff\x00]")  # lone surrogates and NUL: no database can store them
_RESOLVED = {
    OptionType.user: ("users",),
    OptionType.channel: ("channels",),
    OptionType.role: ("roles",),
    OptionType.mentionable: ("users", "roles"),
    OptionType.attachment: ("attachments",),
}
ELLIPSIS = "…"


def clean_text(value: str) -> str:
    """``value`` without lone surrogates or NUL characters (a valid pair like an emoji is kept)."""
    if not _UNSTORABLE.search(value):
        return value
    # A well-formed pair arrives as one character in Python; whatever is left in the range is alone.
    return _UNSTORABLE.sub("", value)


def clip(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters, with an ellipsis when something was cut."""
    return text if len(text) <= limit else text[: max(0, limit - 1)] + ELLIPSIS


def member_text(text: str, limit: int) -> str:
    """Member text to post: markdown and mentions escaped, cut to ``limit`` characters with an ellipsis."""
    escaped = discord.utils.escape_mentions(discord.utils.escape_markdown(clean_text(text)))
    return clip(escaped, limit)


def code_text(text: str, limit: int) -> str:
    """Member text to show inside `code`: no backtick can end the code span early; one line; short."""
    return clip(" ".join(clean_text(text).replace("`", "\u02cb").split()), limit)


def shown_value(value: Any) -> str:
    """A value a member sent, short and harmless enough to name in an answer."""
    return member_text(" ".join(str(value).split()), 60) or '""'


def clean_modal_components(components: list[dict[str, Any]]) -> None:
    """Clean every submitted modal field in place (before discord.py hands the values to the modal)."""
    for component in components:
        if isinstance(component.get("value"), str):
            component["value"] = clean_text(component["value"])
        if isinstance(component.get("components"), list):
            clean_modal_components(component["components"])
        if isinstance(component.get("component"), dict):
            clean_modal_components([component["component"]])


def check_modal_lengths(modal: discord.ui.Modal) -> None:
    """Refuse a modal field longer (or shorter) than the modal declared: Discord checks, a modified client not."""
    for item in modal.walk_children():
        if isinstance(item, discord.ui.TextInput):
            value = item.value or ""
            if item.max_length is not None and len(value) > item.max_length:
                raise DomainError("error.too_long", name=_label(item), max=item.max_length, length=len(value))
            if item.required and not value.strip():
                raise DomainError("error.input.empty", option=_label(item))


def _label(item: discord.ui.TextInput[Any]) -> str:
    # ``TextInput.label`` warns in discord.py 2.7 (it prefers ui.Label); the payload has the same label.
    return str(item.to_component_dict().get("label") or "")


def check_command_options(interaction: discord.Interaction[Any]) -> None:
    """Clean and check a slash command's options against what the command declares.

    Text is cleaned in place; text that is only whitespace counts as empty (left out when optional).
    Raises ``DomainError`` for a value the command could not have offered, or a required option left out.
    """
    data: Any = interaction.data or {}
    command = interaction.command
    if not isinstance(command, app_commands.Command):
        return
    options, resolved = _leaf_options(data), data.get("resolved") or {}
    params = {param.display_name: param for param in command.parameters}  # by the name Discord sends
    autocomplete = interaction.type is discord.InteractionType.autocomplete
    for option in list(options):
        if isinstance(option.get("value"), str):
            option["value"] = clean_text(option["value"])
        param = params.get(str(option.get("name")))
        if autocomplete:
            if (
                param is not None
                and param.type is OptionType.string
                and not isinstance(option.get("value"), str)
            ):
                option["value"] = ""  # half-typed text only: anything else suggests from nothing
            continue
        if param is None:
            raise DomainError("error.input.unknown_option", option=shown_value(option.get("name")))
        if param.type is OptionType.string and not str(option.get("value", "")).strip():
            if param.required:
                raise DomainError("error.input.empty", option=param.display_name)
            options.remove(option)  # whitespace only counts as empty: as if left out
            continue
        _check_value(param, option.get("value"), resolved)
    if not autocomplete:
        given = {str(option.get("name")) for option in options}
        for name, param in params.items():
            if param.required and name not in given:
                raise DomainError("error.input.empty", option=param.display_name)


def _leaf_options(data: dict[str, Any]) -> list[dict[str, Any]]:
    options: list[dict[str, Any]] = data.get("options") or []
    while options and options[0].get("type") in (1, 2):  # subcommand, subcommand group
        options = options[0].setdefault("options", [])
    return options


def _check_value(param: app_commands.Parameter, value: Any, resolved: dict[str, Any]) -> None:
    name, kind = param.display_name, param.type
    if kind in _RESOLVED:
        _check_snowflake(name, value, [resolved.get(k) or {} for k in _RESOLVED[kind]])
        return
    if not _has_type(kind, value):
        raise DomainError("error.input.wrong_type", option=name, value=shown_value(value))
    if param.choices and value not in [c.value for c in param.choices]:
        raise DomainError(
            "error.input.not_a_choice",
            option=name,
            value=shown_value(value),
            choices=", ".join(c.name for c in param.choices)[:300],
        )
    if kind in (OptionType.integer, OptionType.number):
        low = param.min_value if param.min_value is not None else -INTEGER_LIMIT
        high = param.max_value if param.max_value is not None else INTEGER_LIMIT
        if not low <= value <= high:
            raise DomainError(
                "error.input.out_of_range", option=name, value=shown_value(value), low=low, high=high
            )
    if kind is OptionType.string:
        if param.max_value is not None and len(value) > param.max_value:
            raise DomainError("error.too_long", name=name, max=param.max_value, length=len(value))
        if param.min_value is not None and len(value) < param.min_value:
            raise DomainError("error.input.empty", option=name)


def _has_type(kind: OptionType, value: Any) -> bool:
    if kind is OptionType.string:
        return isinstance(value, str)
    if kind is OptionType.boolean:
        return isinstance(value, bool)
    if isinstance(value, bool):
        return False
    if kind is OptionType.integer:
        return isinstance(value, int)
    if kind is OptionType.number:
        return isinstance(value, int | float) and math.isfinite(value)
    return True


def _check_snowflake(name: str, value: Any, pools: list[dict[str, Any]]) -> None:
    text = value if isinstance(value, str) else ""
    if not (text.isascii() and text.isdigit() and 0 < int(text) <= SNOWFLAKE_MAX):
        raise DomainError("error.input.bad_id", option=name, value=shown_value(value), max=SNOWFLAKE_MAX)
    if not any(text in pool for pool in pools):
        raise DomainError("error.input.unknown_id", option=name, value=text)


def parse_id(text: str) -> int | None:
    """An ID a member typed (``#12``, ``12 Name``), or ``None`` when it can't be one of ours."""
    digits = text.strip().lstrip("#").split(" ", 1)[0]
    if not (digits.isascii() and digits.isdigit()) or len(digits) > 19:
        return None
    number = int(digits)
    return number if 0 < number <= SNOWFLAKE_MAX else None


def component_id(digits: str) -> int:
    """A number from a button's ``custom_id`` (a row or Discord ID). One a modified client made too large for the
    database becomes 0, which names nothing, so the member gets the answer an old button gets."""
    number = int(digits[:20]) if len(digits) <= 19 else 0
    return number if 0 <= number <= SNOWFLAKE_MAX else 0
