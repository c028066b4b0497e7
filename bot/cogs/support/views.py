"""The support buttons (persistent, so they work after a restart), the flag modal and the request confirmation."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import Any

import discord

from bot.ui.base import BaseModal, BaseView, funnelled

TEMPLATE = r"support:(?P<action>claim|end|helped|nothelped|cancel|other):(?P<id>\d+)"
OnButton = Callable[[discord.Interaction[Any], str, int], Awaitable[None]]
Text = Callable[[str], str]


def button_class(on_button: OnButton) -> type[discord.ui.DynamicItem[discord.ui.Button[Any]]]:
    """A persistent button class bound to the cog's handler (no lookups by name at click time)."""

    class SupportButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=TEMPLATE):
        def __init__(
            self,
            action: str,
            ref: int,
            label: str = "",
            style: discord.ButtonStyle = discord.ButtonStyle.secondary,
        ) -> None:
            super().__init__(
                discord.ui.Button(
                    label=label[:80] or action, style=style, custom_id=f"support:{action}:{ref}"
                )
            )
            self.action = action
            self.ref = ref

        @classmethod
        async def from_custom_id(
            cls, interaction: discord.Interaction[Any], item: discord.ui.Button[Any], match: re.Match[str], /
        ) -> Any:
            return cls(match["action"], int(match["id"]), item.label or "", item.style)

        @funnelled
        async def callback(self, interaction: discord.Interaction[Any]) -> None:
            await on_button(interaction, self.action, self.ref)

    return SupportButton


def buttons(
    cls: type[discord.ui.DynamicItem[discord.ui.Button[Any]]],
    ref: int,
    *actions: tuple[str, str, discord.ButtonStyle],
) -> discord.ui.View:
    """A view of persistent support buttons: (action, label, style) each."""
    view = discord.ui.View(timeout=None)
    for action, label, style in actions:
        view.add_item(cls(action, ref, label, style))  # type: ignore[call-arg]
    return view


class FlagModal(BaseModal):
    """ "Tell the moderators?" with an optional note. Submitting tells them; closing it tells nobody."""

    def __init__(
        self, t: Text, on_submit: Callable[[discord.Interaction[Any], str], Awaitable[None]]
    ) -> None:
        super().__init__(title=t("support.flag.title")[:45], custom_id="support:flagform")
        self.note: discord.ui.TextInput[Any] = discord.ui.TextInput(
            label=t("support.flag.note_label")[:45],
            placeholder=t("support.flag.note_placeholder")[:100],
            style=discord.TextStyle.paragraph,
            required=False,
            max_length=500,
            custom_id="note",
        )
        self.add_item(self.note)
        self._submit = on_submit

    async def on_submit(self, interaction: discord.Interaction[Any], /) -> None:
        await self._submit(interaction, self.note.value or "")


class ConfirmRequest(BaseView):
    """The honest notice before a request goes out, with one button to send it and one to leave it."""

    def __init__(self, t: Text, send: Callable[[discord.Interaction[Any]], Awaitable[None]]) -> None:
        super().__init__(timeout=600)
        go: discord.ui.Button[Any] = discord.ui.Button(
            label=t("support.request.send")[:80], style=discord.ButtonStyle.primary
        )
        stop: discord.ui.Button[Any] = discord.ui.Button(
            label=t("support.request.not_now")[:80], style=discord.ButtonStyle.secondary
        )
        self._send = send
        self._t = t
        go.callback = self._go
        stop.callback = self._stop
        self.add_item(go)
        self.add_item(stop)

    async def _go(self, interaction: discord.Interaction[Any]) -> None:
        try:
            await self._send(interaction)
        finally:
            self.stop()  # after answering: a stopped view no longer counts as handling the click

    async def _stop(self, interaction: discord.Interaction[Any]) -> None:
        await interaction.response.edit_message(content=self._t("support.request.left"), view=None)
        self.stop()


class ServerChoice(BaseView):
    """By DM: which server's listeners the member would like to talk with."""

    def __init__(
        self,
        servers: list[tuple[str, int]],
        chosen: Callable[[discord.Interaction[Any], int], Awaitable[None]],
    ) -> None:
        super().__init__(timeout=600)
        self._chosen = chosen
        menu: discord.ui.Select[Any] = discord.ui.Select(
            options=[
                discord.SelectOption(label=name[:100], value=str(guild_id)) for name, guild_id in servers
            ]
        )
        menu.callback = self._pick
        self._menu = menu
        self.add_item(menu)

    async def _pick(self, interaction: discord.Interaction[Any]) -> None:
        value = self._menu.values[0] if self._menu.values else ""
        await self._chosen(interaction, int(value) if value.isdigit() else 0)
