"""Collaborators handed to a feature's cog, views and persistent buttons by the composition root.

A cog and the views it builds get their collaborators in their constructors. Persistent buttons
(``discord.ui.DynamicItem``) are rebuilt by discord.py from a custom id alone, after a restart too; they find the
collaborators their cog registered for this very client with ``of(interaction.client)``: no cog looked up by
name, no reach through the bot.
"""

from __future__ import annotations

import weakref
from typing import Any, ClassVar, Self


class Collaborators:
    """Base of a feature's collaborators (a frozen dataclass), one registration per client."""

    _registered: ClassVar[weakref.WeakKeyDictionary[Any, Any]]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls._registered = weakref.WeakKeyDictionary()

    def register(self, client: Any) -> None:
        """Make these the collaborators of the persistent buttons ``client`` rebuilds."""
        type(self)._registered[client] = self

    def unregister(self, client: Any) -> None:
        """Forget the registration (when the cog unloads)."""
        type(self)._registered.pop(client, None)

    @classmethod
    def of(cls, client: Any) -> Self:
        """The collaborators registered for ``client``.

        Raises:
            LookupError: the feature's cog isn't loaded on this client.
        """
        found = cls._registered.get(client)
        if found is None:
            raise LookupError(f"{cls.__name__} aren't registered for this client")
        return found  # type: ignore[no-any-return]
