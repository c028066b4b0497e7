"""Discord permission helpers shared by cogs and ``python -m bot check``."""

from __future__ import annotations

from typing import Any

import discord
from discord import app_commands


def granted_names(permissions: discord.Permissions) -> set[str]:
    """Every granted permission by name, aliases included (``view_channel`` and ``read_messages``)."""
    return {name for name in discord.Permissions.VALID_FLAGS if getattr(permissions, name)}


def require_manage_guild(interaction: discord.Interaction[Any]) -> None:
    """Moderator commands are checked again when run, whatever the server's command settings let people see."""
    if interaction.guild is None:
        raise app_commands.NoPrivateMessage()
    if not interaction.permissions.manage_guild:
        raise app_commands.MissingPermissions(["manage_guild"])
