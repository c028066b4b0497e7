"""Errors that carry a member-facing message.

These are plain Python: domain, services and storage raise them, and the error funnel in
``bot.tree`` turns them into a kind, private reply through the translation layer.
"""

from __future__ import annotations

from typing import Any


class HavenError(Exception):
    """Base class for every error Haven raises on purpose."""


class DomainError(HavenError):
    """A rule said no. ``key`` names a message in the catalogs; ``params`` fill it in."""

    key: str = "error.generic"

    def __init__(self, key: str | None = None, /, **params: Any) -> None:
        self.key = key or type(self).key
        self.params: dict[str, Any] = params
        super().__init__(self.key)


class NotAllowed(DomainError):
    """The member may not do this here (missing a permission, wrong place)."""

    key = "error.not_allowed"


class InvalidInput(DomainError):
    """The member gave a value we cannot use."""

    key = "error.invalid_input"


class ConfigError(HavenError):
    """Settings are missing or invalid. ``problems`` lists every one of them."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = list(problems)
        super().__init__("; ".join(self.problems))


class DatabaseError(HavenError):
    """The database can't be used (unreachable, unwritable, or newer than this code)."""


class DatabaseTooNew(DatabaseError):
    """The database was migrated by a newer Haven than this one."""


class BackupError(DatabaseError):
    """A backup, restore or copy can't be done; the message says why in plain words."""


class DataKeyError(HavenError):
    """The data key is missing, malformed, or doesn't open the database's encrypted text; nothing was changed."""
