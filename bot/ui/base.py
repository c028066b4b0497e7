"""Base view and modal whose errors feed the one error funnel in ``bot.tree``.

They also make sure every click and every submitted modal is acknowledged: a callback that returns
without answering is acknowledged quietly, so the member never sees "This interaction failed".
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Awaitable, Callable
from typing import Any

import discord

from bot.ui.input import check_modal_lengths, clean_modal_components


async def _funnel(interaction: discord.Interaction[Any], error: Exception) -> None:
    tree = interaction.client.tree
    report = getattr(tree, "report", None)
    if report is None:  # pragma: no cover - Haven always uses HavenTree
        raise error
    await report(interaction, error)


async def acknowledge_quietly(interaction: discord.Interaction[Any]) -> None:
    """Acknowledge an interaction nobody answered, without posting anything."""
    if not interaction.response.is_done():
        with contextlib.suppress(discord.HTTPException):  # expired, or answered elsewhere
            await interaction.response.defer()


class BaseView(discord.ui.View):
    """A view whose callback errors get the same kind, private answer as slash commands."""

    async def on_error(
        self, interaction: discord.Interaction[Any], error: Exception, item: discord.ui.Item[Any], /
    ) -> None:
        await _funnel(interaction, error)

    async def _scheduled_task(
        self, item: discord.ui.Item[Any], interaction: discord.Interaction[Any]
    ) -> None:
        await super()._scheduled_task(item, interaction)
        await acknowledge_quietly(interaction)


class BaseModal(discord.ui.Modal):
    """A modal whose submit errors get the same kind, private answer as slash commands."""

    async def on_error(self, interaction: discord.Interaction[Any], error: Exception, /) -> None:
        await _funnel(interaction, error)

    async def interaction_check(self, interaction: discord.Interaction[Any], /) -> bool:
        """Fields are checked against the lengths this modal declared (a modified client skips Discord's check)."""
        check_modal_lengths(self)
        return True

    async def _scheduled_task(self, interaction: discord.Interaction[Any], *args: Any) -> None:
        if args and isinstance(args[0], list):
            clean_modal_components(args[0])  # lone surrogates and NUL out of every field, at one door
        await super()._scheduled_task(interaction, *args)  # pyright: ignore[reportUnknownMemberType]
        await acknowledge_quietly(interaction)


def funnelled(
    callback: Callable[[Any, discord.Interaction[Any]], Awaitable[None]],
) -> Callable[[Any, discord.Interaction[Any]], Awaitable[None]]:
    """Wrap a persistent ``DynamicItem`` callback: errors reach the funnel, silence is acknowledged.

    discord.py only logs errors from ``DynamicItem`` callbacks and leaves the member without an
    answer; wrapped, they get the same private reply as a failed slash command.
    """

    @functools.wraps(callback)
    async def wrapper(self: Any, interaction: discord.Interaction[Any]) -> None:
        try:
            await callback(self, interaction)
        except Exception as error:
            await _funnel(interaction, error)
        await acknowledge_quietly(interaction)

    return wrapper


def has_component_handler(client: discord.Client, interaction: discord.Interaction[Any]) -> bool:
    """Whether any live view, persistent item or modal will handle this component or modal.

    Reads discord.py's view store (internal, checked against discord.py 2.7); if that ever changes,
    it answers ``True`` so nothing is answered twice.
    """
    store: Any = getattr(getattr(client, "_connection", None), "_view_store", None)
    data: Any = interaction.data or {}
    custom_id = data.get("custom_id")
    if store is None or not isinstance(custom_id, str):
        return True
    try:
        if interaction.type is discord.InteractionType.modal_submit:
            return custom_id in store._modals
        key = (data.get("component_type"), custom_id)
        message_id = interaction.message.id if interaction.message else None
        if key in store._views.get(message_id, {}) or key in store._views.get(None, {}):
            return True
        return any(pattern.fullmatch(custom_id) for pattern in store._dynamic_items)
    except (AttributeError, TypeError):
        return True
