"""Asking once before something that can't be undone: one danger button that goes ahead, one that keeps things."""

from __future__ import annotations

from typing import Any

import discord

from bot.i18n import Catalogs
from bot.ui.base import BaseView


class ConfirmView(BaseView):
    """Two buttons labelled from the catalog; subclasses say what each does (``_delete`` and ``_keep``)."""

    def __init__(
        self, i18n: Catalogs, locale: Any, confirm_key: str, keep_key: str, *, timeout: float = 300
    ) -> None:
        super().__init__(timeout=timeout)
        confirm: discord.ui.Button[Any] = discord.ui.Button(
            label=i18n.text(confirm_key, locale)[:80], style=discord.ButtonStyle.danger
        )
        keep: discord.ui.Button[Any] = discord.ui.Button(
            label=i18n.text(keep_key, locale)[:80], style=discord.ButtonStyle.secondary
        )
        confirm.callback = self._delete
        keep.callback = self._keep
        self.add_item(confirm)
        self.add_item(keep)

    async def _delete(self, interaction: discord.Interaction[Any]) -> None:
        raise NotImplementedError

    async def _keep(self, interaction: discord.Interaction[Any]) -> None:
        raise NotImplementedError
