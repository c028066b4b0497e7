"""Discord permission helpers shared by cogs and ``python -m bot check``."""

from __future__ import annotations

import discord


def granted_names(permissions: discord.Permissions) -> set[str]:
    """Every granted permission by name, aliases included (``view_channel`` and ``read_messages``)."""
    return {name for name in discord.Permissions.VALID_FLAGS if getattr(permissions, name)}
