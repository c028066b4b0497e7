"""The one error funnel: every failed command, button, select and modal ends here.

A ``DomainError`` becomes its friendly message; Discord-side checks become plain explanations; anything
unexpected is logged with a short code that the member also sees, so a moderator can find it in the log.
Every interaction gets an answer, privately.
"""

from __future__ import annotations

import logging
import secrets
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands

from bot.errors import DomainError
from bot.ui.input import check_command_options, clip, code_text, shown_value

if TYPE_CHECKING:
    from bot.app import HavenBot

log = logging.getLogger(__name__)


def new_error_code() -> str:
    """A short code that ties a member's message to a log line, e.g. ``E-7K3Q9P``."""
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return "E-" + "".join(secrets.choice(alphabet) for _ in range(6))


class HavenTree(app_commands.CommandTree["HavenBot"]):
    """CommandTree whose ``on_error`` is the funnel for commands, and (via ``report``) for views."""

    async def interaction_check(self, interaction: discord.Interaction[HavenBot], /) -> bool:
        """Every option is checked against what its command declares before the command runs."""
        try:
            check_command_options(interaction)
        except DomainError as error:
            raise app_commands.CheckFailure() from error
        return True

    async def on_error(
        self, interaction: discord.Interaction[HavenBot], error: app_commands.AppCommandError, /
    ) -> None:
        await self.report(interaction, error)

    async def report(self, interaction: discord.Interaction[Any], error: BaseException) -> None:
        """Answer the member privately for ``error`` and log what needs logging."""
        original = _unwrap(error)
        key, params = self._describe(interaction, original)
        text = self.client.i18n.text(key, interaction.locale, **_safe_params(params))
        await send_private(interaction, text)

    def _describe(
        self, interaction: discord.Interaction[Any], error: BaseException
    ) -> tuple[str, dict[str, Any]]:
        if isinstance(error, DomainError):
            return error.key, error.params
        if isinstance(error, app_commands.NoPrivateMessage):
            return "error.guild_only", {}
        if isinstance(error, app_commands.MissingPermissions):
            return "error.member_missing_permissions", {"missing": error.missing_permissions}
        if isinstance(error, app_commands.BotMissingPermissions):
            return "error.bot_missing_permissions", {"missing": error.missing_permissions}
        if isinstance(error, app_commands.CommandOnCooldown):
            return "error.cooldown", {"seconds": max(1, round(error.retry_after))}
        if isinstance(error, app_commands.TransformerError):
            return _invalid_value(interaction, error)
        if isinstance(error, app_commands.CheckFailure):
            return "error.not_allowed", {}
        if isinstance(error, discord.Forbidden):
            # Discord refused something the bot tried: usually a permission a moderator can grant.
            code = new_error_code()
            log.warning(
                "[%s] Discord refused a request (status %s, code %s) in %s",
                code,
                error.status,
                error.code,
                _where(interaction),
            )
            return "error.discord_forbidden", {"code": code}
        if isinstance(error, discord.RateLimited) or (
            isinstance(error, discord.HTTPException) and error.status >= 500
        ):
            code = new_error_code()
            log.warning(
                "[%s] Discord was unavailable (%s) in %s", code, type(error).__name__, _where(interaction)
            )
            return "error.discord_unavailable", {"code": code}
        code = new_error_code()
        log.error(
            "[%s] Unexpected error in %s",
            code,
            _where(interaction),
            exc_info=(type(error), error, error.__traceback__),
        )
        return "error.unexpected", {"code": code}


_QUOTED_PARAMS = ("text", "label", "name")  # what a member typed, quoted back in an answer
_CODE_PARAMS = ("phrase",)  # quoted back inside `code`


def _safe_params(params: dict[str, Any]) -> dict[str, Any]:
    """Member text named in an answer: short, one line, and unable to become a link, a mention or code."""
    safe = dict(params)
    for key, value in params.items():
        if isinstance(value, str) and key in _QUOTED_PARAMS:
            safe[key] = shown_value(value)
        elif isinstance(value, str) and key in _CODE_PARAMS:
            safe[key] = code_text(value, 100)
    return safe


def _invalid_value(
    interaction: discord.Interaction[Any], error: app_commands.TransformerError
) -> tuple[str, dict[str, Any]]:
    """Name the value and its limit when text is too long ("Your intro can be up to 300 characters; this one has
    512"); otherwise a general "couldn't use that value"."""
    value, maximum = error.value, getattr(error.transformer, "max_value", None)
    if isinstance(value, str) and isinstance(maximum, int) and len(value) > maximum:
        command = interaction.command
        parameters = command.parameters if isinstance(command, app_commands.Command) else []
        name = next(
            (
                p.display_name
                for p in parameters
                if getattr(interaction.namespace, p.display_name, None) == value
            ),
            None,
        )
        if name is not None:
            return "error.too_long", {"name": name, "max": maximum, "length": len(value)}
    return "error.invalid_input", {}


def _unwrap(error: BaseException) -> BaseException:
    if isinstance(error, app_commands.CheckFailure) and isinstance(error.__cause__, DomainError):
        # A check that refused with a friendly reason (``raise CheckFailure() from SomeDomainError()``).
        return error.__cause__
    while (
        isinstance(error, app_commands.CommandInvokeError | app_commands.TransformerError) and error.__cause__
    ):
        if isinstance(error, app_commands.TransformerError) and not isinstance(error.__cause__, DomainError):
            break
        error = error.__cause__
    return error


def _where(interaction: discord.Interaction[Any]) -> str:
    if interaction.command is not None:
        return f"/{interaction.command.qualified_name}"
    data: Any = interaction.data or {}
    custom_id = data.get("custom_id")
    if custom_id:
        return f"component {str(custom_id).split(':', 2)[:2]}"
    return f"interaction type {interaction.type.name}"


async def send_private(interaction: discord.Interaction[Any], text: str, **kwargs: Any) -> None:
    """Reply privately, whether or not the interaction was answered already. Never raises."""
    text = clip(text, 2000)  # Discord's limit for a message; member text in it never makes it longer
    try:
        if interaction.response.is_done():
            await interaction.followup.send(text, ephemeral=True, **kwargs)
        else:
            await interaction.response.send_message(text, ephemeral=True, **kwargs)
    except discord.HTTPException as exc:
        log.warning("Could not answer an interaction (status %s, code %s)", exc.status, exc.code)
