"""HavenBot: the discord.py client. It holds the services and loads the cogs; it owns no rules."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.clock import Clock
from bot.delivery import DeliveryEngine
from bot.domain.commands import sync_scope
from bot.domain.delivery import DM_SEND_RATE
from bot.health import HealthServer, LoopMonitor, Probes
from bot.i18n import Catalogs
from bot.i18n.translator import HavenTranslator
from bot.metrics import Metrics
from bot.services.buddies import BuddyService
from bot.services.checkins import CheckinService
from bot.services.command_sync import CommandSyncService
from bot.services.crisis import CrisisService
from bot.services.guild_settings import GuildSettingsService
from bot.services.health import HealthService
from bot.services.member_locale import MemberLocaleService
from bot.services.privacy import PrivacyService
from bot.services.resources import ResourceService
from bot.services.retention import RetentionService
from bot.services.support import SupportService
from bot.storage.engine import Database
from bot.tree import HavenTree, send_private
from bot.ui.base import has_component_handler

log = logging.getLogger(__name__)


def haven_intents() -> discord.Intents:
    """The gateway intents Haven asks for. Message Content and Server Members are privileged."""
    intents = discord.Intents.default()
    intents.message_content = True  # crisis-language scanning reads messages
    intents.members = True  # buddy pairing notices members who leave
    return intents


def haven_permissions() -> discord.Permissions:
    """The server permissions Haven asks for in its invite link, and nothing more."""
    return discord.Permissions(
        view_channel=True,
        send_messages=True,
        send_messages_in_threads=True,
        create_private_threads=True,
        embed_links=True,
        attach_files=True,
        read_message_history=True,
        mention_everyone=True,  # lets alert cards ping a moderator role that isn't mentionable
    )


@dataclass(frozen=True)
class Services:
    """Every service the cogs use, built once in the composition root."""

    guild_settings: GuildSettingsService
    command_sync: CommandSyncService
    resources: ResourceService
    crisis: CrisisService
    checkins: CheckinService
    buddies: BuddyService
    health: HealthService
    privacy: PrivacyService
    delivery: DeliveryEngine
    clock: Clock
    locales: MemberLocaleService
    retention: RetentionService
    support: SupportService


class HavenBot(commands.Bot):
    """The Discord adapter: holds services, loads cogs, registers commands only when they changed."""

    tree: HavenTree  # pyright: ignore[reportIncompatibleMethodOverride]

    def __init__(
        self,
        *,
        db: Database,
        services: Services,
        catalogs: Catalogs,
        dev_guild_id: int | None = None,
        intents: discord.Intents | None = None,
        checkin_send_rate: float = DM_SEND_RATE,
        health_host: str = "127.0.0.1",
        health_port: int | None = None,
        sample_loop_lag: bool = True,
    ) -> None:
        super().__init__(
            command_prefix=commands.when_mentioned,
            help_command=None,
            intents=intents or haven_intents(),
            tree_cls=HavenTree,
            allowed_mentions=discord.AllowedMentions.none(),
        )
        self.db = db
        self.services = services
        self.i18n = catalogs
        self.dev_guild_id = dev_guild_id
        self.checkin_send_rate = checkin_send_rate
        self.loops = LoopMonitor()  # the cogs' loops beat here; /healthz reads it
        self.metrics = Metrics()  # this bot's own registry
        self.health_address = (health_host, health_port)
        self.sample_loop_lag = sample_loop_lag  # simcord's virtual timers make the sampler pointless in tests
        self.health_server: HealthServer | None = None
        self._closed_resources = False

    async def setup_hook(self) -> None:
        """Load cogs, install the translator, sync commands if the set changed, start the health endpoint."""
        from bot.composition import load_cogs

        await self.tree.set_translator(HavenTranslator(self.i18n))
        await self.services.delivery.start()  # takes back the leases this process's previous run held
        await load_cogs(self)  # features register their delivery handlers
        await self.sync_commands(force=False)
        await self.start_health()

    def gateway_connected(self) -> bool:
        """Whether the gateway connection is up and the bot is ready."""
        ws: Any = self.ws
        return (
            not self.is_closed() and self.is_ready() and ws is not None and bool(getattr(ws, "open", False))
        )

    async def start_health(self) -> None:
        """Serve /healthz and /metrics when HEALTH_PORT is set (off by default)."""
        host, port = self.health_address
        if port is None or self.health_server is not None:
            return
        probes = Probes(
            gateway_connected=self.gateway_connected,
            database_ok=self.services.health.database_ok,
            undelivered_alerts=self.services.health.undelivered_alerts,
        )
        server = HealthServer(probes, self.loops, self.metrics)
        try:
            await server.start(host, port)
        except OSError as exc:  # the bot matters more than its metrics: say so plainly and carry on
            log.error(
                "Couldn't serve health and metrics on %s port %s (%s); running without them",
                host,
                port,
                exc.strerror or type(exc).__name__,
            )
            return
        self.health_server = server
        if self.sample_loop_lag:
            self.metrics.start_lag_sampler()

    def _sync_guild(self) -> discord.abc.Snowflake | None:
        if self.dev_guild_id is None:
            return None
        guild = discord.Object(id=self.dev_guild_id)
        self.tree.copy_global_to(guild=guild)
        return guild

    async def command_payloads(self) -> list[dict[str, Any]]:
        """The payloads Discord receives on sync, translations included."""
        guild = self._sync_guild()
        translator = self.tree.translator
        payloads: list[dict[str, Any]] = []
        for command in self.tree.get_commands(guild=guild):
            if translator is None:
                payloads.append(command.to_dict(self.tree))
            else:
                payloads.append(await command.get_translated_payload(self.tree, translator))
        return payloads

    async def sync_commands(self, *, force: bool) -> bool:
        """Register slash commands when they changed since the last sync (or when ``force``).

        Returns whether a sync was sent. A failed sync is logged and retried at the next start.
        """
        guild = self._sync_guild()
        scope = sync_scope(self.dev_guild_id)
        payloads = await self.command_payloads()
        if not force and not await self.services.command_sync.needs_sync(scope, payloads):
            log.info("Slash commands unchanged since the last sync (%s); not syncing", scope)
            return False
        try:
            synced = await self.tree.sync(guild=guild)
        except discord.HTTPException as exc:
            log.error(
                "Syncing slash commands failed (status %s, code %s); will retry next start",
                exc.status,
                exc.code,
            )
            return False
        await self.services.command_sync.record_sync(scope, payloads)
        log.info("Synced %d slash commands (%s)", len(synced), scope)
        return True

    async def on_interaction(self, interaction: discord.Interaction[Any]) -> None:
        """Note the member's app language; a button or modal nothing handles any more gets a kind answer."""
        await self.remember_locale(interaction)
        if interaction.type not in (discord.InteractionType.component, discord.InteractionType.modal_submit):
            return
        if not has_component_handler(self, interaction):
            log.info("Answered a %s that no view handles any more", interaction.type.name)
            await send_private(interaction, self.i18n.text("error.stale_component", interaction.locale))

    async def remember_locale(self, interaction: discord.Interaction[Any]) -> None:
        """Keep the language of the member's Discord app for the DMs Haven sends them later."""
        try:
            await self.services.locales.remember(interaction.user.id, interaction.locale.value)
        except Exception as exc:  # a language is never worth failing an interaction over
            log.warning(
                "Couldn't note a member's app language (%s); DMs use the server's", type(exc).__name__
            )

    async def prefetch_locales(self, user_ids: list[int]) -> None:
        """Read the languages of a batch of members at once, before sending them DMs."""
        try:
            await self.services.locales.prefetch(user_ids)
        except Exception as exc:  # each DM then looks its member up (or uses the server's language)
            log.warning("Couldn't read members' app languages (%s)", type(exc).__name__)

    async def dm_locale(self, user_id: int, guild: discord.Guild | None) -> str | None:
        """The language for a DM Haven starts itself: the member's app, else the server's, else English."""
        try:
            remembered = await self.services.locales.locale_for(user_id)
        except Exception as exc:  # the server's language is a fine second choice; the DM still goes out
            log.warning("Couldn't read a member's app language (%s); using the server's", type(exc).__name__)
            remembered = None
        if remembered is not None:
            return remembered
        return guild.preferred_locale.value if guild is not None else None

    async def on_app_command_completion(
        self,
        interaction: discord.Interaction[Any],
        command: app_commands.Command[Any, ..., Any] | app_commands.ContextMenu,
    ) -> None:
        """A command that finished without replying still gets a short private answer."""
        if not interaction.response.is_done():
            log.warning("/%s finished without answering; sent the fallback reply", command.qualified_name)
            await send_private(interaction, self.i18n.text("common.done", interaction.locale))

    async def close(self) -> None:
        """Stop delivery (in-flight sends finish, leases are given back), unload cogs, close the gateway and DB."""
        try:
            await self.services.delivery.stop()
            await super().close()
        finally:
            await self.close_resources()

    async def close_resources(self) -> None:
        """Close what the bot owns beyond discord.py (the health endpoint, the database). Safe to call twice."""
        if self._closed_resources:
            return
        self._closed_resources = True
        try:
            await self.services.delivery.stop()  # gives back this process's leases
            if self.health_server is not None:
                await self.health_server.stop()
            await self.metrics.stop_lag_sampler()
            await self.services.buddies.workers.close()  # the matching process, if a round started one
        finally:
            await self.db.close()
