"""/privacy show and its buttons, and the confirmation before /privacy delete."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any

import discord

from bot.cogs.privacy.collaborators import PrivacyCollaborators
from bot.domain.consent import Consent, Scanning
from bot.domain.retention import KINDS, Retention
from bot.ui.base import BaseView
from bot.ui.confirm import ConfirmView

COLOUR = discord.Colour(0x5B8DEF)
Action = Callable[[], Awaitable[None]]


def _stored_lines(t: Callable[..., str], summary: dict[str, int]) -> str:
    lines = [
        t(f"privacy.show.count.{name}", count=count)
        for name, count in summary.items()
        if count and name != "notes"
    ]
    if summary.get("notes"):
        lines.append(t("privacy.show.count.notes", count=summary["notes"]))
    return "\n".join(f"• {line}" for line in lines) or t("privacy.show.nothing")


def _country_name(parts: PrivacyCollaborators, locale: Any, saved: str | None) -> str | None:
    """The saved country as the member's language names it ("Alemania"), or as stored."""
    directory = parts.directory
    country = directory.resolve(saved) if saved else None
    return directory.name_in(country, parts.i18n.resolve_locale(locale)) if country else saved


def show_embed(
    parts: PrivacyCollaborators, locale: Any, consent: Consent, summary: dict[str, int], retention: Retention
) -> discord.Embed:
    """What Haven stores about the member here, for how long, and their choices."""

    def t(key: str, **params: Any) -> str:
        return parts.i18n.text(key, locale, **params)

    checkins = (
        t(f"privacy.show.checkins.{consent.checkins}")
        if consent.checkins
        else t("privacy.show.checkins.none")
    )
    buddy = t(f"privacy.show.buddy.{consent.buddy}") if consent.buddy else t("privacy.show.buddy.none")
    choices = "\n".join(
        (
            t("privacy.show.line.checkins", state=checkins),
            t("privacy.show.line.buddy", state=buddy),
            t(
                "privacy.show.line.tell_buddy",
                state=t("privacy.show.on" if consent.tell_buddy else "privacy.show.off"),
            ),
            t("privacy.show.line.scanning", state=t(f"privacy.scanning_state.{consent.scanning.value}")),
        )
    )
    country = _country_name(parts, locale, consent.saved_country) or t("privacy.show.no_country")
    embed = discord.Embed(title=t("privacy.show.title"), colour=COLOUR)
    embed.add_field(name=t("privacy.show.choices"), value=choices[:1024], inline=False)
    embed.add_field(name=t("privacy.show.stored"), value=_stored_lines(t, summary)[:1024], inline=False)
    kept = [t(f"setup.retention.{kind}", days=retention.days(kind)) for kind in KINDS]
    kept.append(t("privacy.show.retention_leave"))
    embed.add_field(name=t("setup.retention.title"), value="\n".join(kept)[:1024], inline=False)
    embed.add_field(
        name=t("privacy.show.across"), value=t("privacy.show.across_value", country=country), inline=False
    )
    embed.set_footer(text=t("privacy.show.footer"))
    return embed


class ChoicesView(BaseView):
    """Buttons to change the member's choices; shown privately, so only they can press them."""

    def __init__(self, parts: PrivacyCollaborators, locale: Any, consent: Consent) -> None:
        super().__init__(timeout=600)
        self.parts = parts
        self.consent = consent
        privacy = parts.privacy
        guild_id, user_id = consent.guild_id, consent.user_id
        buttons: list[tuple[str, Action]] = []
        if consent.may_change_scanning:
            on = consent.scanning is Scanning.OPTED_OUT
            buttons.append(
                (
                    "privacy.button.scanning_on" if on else "privacy.button.scanning_off",
                    lambda: privacy.set_scanning(user_id, on),
                )
            )
        if consent.checkins_on:
            buttons.append(("privacy.button.stop_checkins", lambda: privacy.stop_checkins(guild_id, user_id)))
        if consent.buddy:
            buttons.append(("privacy.button.leave_buddies", lambda: privacy.leave_buddies(guild_id, user_id)))
        if consent.tell_buddy:
            buttons.append(
                ("privacy.button.stop_telling", lambda: privacy.stop_telling_buddy(guild_id, user_id))
            )
        for key, action in buttons:
            button: discord.ui.Button[Any] = discord.ui.Button(
                label=parts.i18n.text(key, locale)[:80], style=discord.ButtonStyle.secondary
            )
            button.callback = self._pressed(action)  # pyright: ignore[reportAttributeAccessIssue]
            self.add_item(button)

    def _pressed(self, action: Action) -> Callable[[discord.Interaction[Any]], Awaitable[None]]:
        async def callback(interaction: discord.Interaction[Any]) -> None:
            await action()
            parts = self.parts
            privacy = parts.privacy
            consent = await privacy.consent(self.consent.guild_id, self.consent.user_id)
            summary = await privacy.summary(self.consent.guild_id, self.consent.user_id)
            retention = await parts.retention.periods(self.consent.guild_id)
            self.stop()
            await interaction.response.edit_message(
                content=parts.i18n.text("privacy.show.changed", interaction.locale),
                embed=show_embed(parts, interaction.locale, consent, summary, retention),
                view=ChoicesView(parts, interaction.locale, consent),
            )

        return callback


class DeleteView(ConfirmView):
    """Asks once before deleting everything about the member (here, or in every server)."""

    def __init__(self, parts: PrivacyCollaborators, locale: Any, servers: Sequence[int] | None) -> None:
        super().__init__(parts.i18n, locale, "privacy.delete.confirm", "privacy.delete.keep")
        self.parts = parts
        self.servers = servers

    async def _delete(self, interaction: discord.Interaction[Any]) -> None:
        parts = self.parts
        await parts.privacy.delete(interaction.user.id, self.servers)
        self.stop()
        key = "privacy.delete.done_everywhere" if self.servers is None else "privacy.delete.done_here"
        await interaction.response.edit_message(content=parts.i18n.text(key, interaction.locale), view=None)

    async def _keep(self, interaction: discord.Interaction[Any]) -> None:
        self.stop()
        await interaction.response.edit_message(
            content=self.parts.i18n.text("privacy.delete.kept", interaction.locale), view=None
        )
