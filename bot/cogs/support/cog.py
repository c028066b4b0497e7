"""Members asking for a listener, claiming, and the bridge between them (the relay); faults on the way."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.cogs.support.admin import listener_guild
from bot.cogs.support.delivery import SupportDelivery
from bot.cogs.support.views import ConfirmRequest, ServerChoice, button_class, buttons
from bot.delivery import DeliveryEngine
from bot.domain.alerts import CARD as ALERT_CARD
from bot.domain.support import CARD, RELAY, RequestStatus, SupportRequest
from bot.errors import DomainError
from bot.services.support import SupportService

if TYPE_CHECKING:
    from bot.app import HavenBot

log = logging.getLogger(__name__)
PURGE_EVERY_SECONDS = 3600


class SupportCog(commands.Cog):
    """Ask for a listener (anonymously if you want); the listener's claim; the relay both ways."""

    support_group = app_commands.Group(
        name="support", description="Talk to a listener, anonymously if you want."
    )

    def __init__(self, bot: HavenBot, support: SupportService, engine: DeliveryEngine) -> None:
        self.bot = bot
        self.support = support
        self.engine = engine
        self.button = button_class(self.on_button)
        self.delivery = SupportDelivery(bot, support, engine, self.card_view)

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(self.button)
        self.delivery.register()
        self.engine.every(PURGE_EVERY_SECONDS, self.support.purge_relayed_text)

    async def cog_unload(self) -> None:
        self.bot.remove_dynamic_items(self.button)

    def t(self, interaction: discord.Interaction[Any] | Any, key: str, **params: Any) -> str:
        locale = interaction.locale if isinstance(interaction, discord.Interaction) else interaction
        return self.bot.i18n.text(key, locale, **params)

    def card_view(
        self, request: SupportRequest, locale: Any, *, member_side: bool = False
    ) -> discord.ui.View:
        t = self.bot.i18n.text
        if member_side:
            return buttons(
                self.button,
                request.id,
                ("cancel", t("support.button.stop_waiting", locale), discord.ButtonStyle.secondary),
            )
        return buttons(
            self.button, request.id, ("claim", t("support.button.claim", locale), discord.ButtonStyle.primary)
        )

    # --- members

    async def support_servers(self, user_id: int, here: discord.Guild | None) -> list[discord.Guild]:
        """Where the member can ask: this server, or (by DM) every server of theirs with support set up."""
        candidates = [here] if here is not None else [g for g in self.bot.guilds if g.get_member(user_id)]
        return [g for g in candidates if (await self.support.settings(g.id)).configured]

    async def topic_choices(
        self, interaction: discord.Interaction[HavenBot], current: str
    ) -> list[app_commands.Choice[str]]:
        topics: dict[str, str] = {}
        for guild in await self.support_servers(interaction.user.id, interaction.guild):
            for topic in (await self.support.settings(guild.id)).topics:
                topics.setdefault(topic.casefold(), topic)
        return [
            app_commands.Choice(name=topic, value=topic)
            for topic in topics.values()
            if current.casefold() in topic.casefold()
        ][:25]

    @support_group.command(name="request")
    @app_commands.describe(
        topic="What you'd like to talk about.",
        anonymous="Listeners see an alias instead of your name.",
        message="A first message for the listener (optional).",
    )
    @app_commands.autocomplete(topic=topic_choices)
    async def request(
        self,
        interaction: discord.Interaction[HavenBot],
        topic: app_commands.Range[str, 1, 100],
        anonymous: bool,
        message: app_commands.Range[str, 1, 1000] | None = None,
    ) -> None:
        """Ask to talk with a trained listener, anonymously if you want (in a server, or by DM to Haven)."""
        servers = await self.support_servers(interaction.user.id, interaction.guild)
        if not servers:
            raise DomainError("support.error.not_set_up" if interaction.guild else "support.error.no_server")
        if await self.support.open_for_member(interaction.user.id) is not None:
            raise DomainError("support.error.already_open")
        if len(servers) == 1:
            await self.offer(interaction, servers[0], topic, anonymous, message)
            return

        async def chosen(done: discord.Interaction[Any], guild_id: int) -> None:
            guild = next((g for g in servers if g.id == guild_id), None)
            if guild is None:
                raise DomainError("support.error.no_server")
            await self.offer(done, guild, topic, anonymous, message)

        view = ServerChoice([(g.name, g.id) for g in servers[:25]], chosen)
        await interaction.response.send_message(
            self.t(interaction, "support.request.which_server"), view=view
        )

    async def offer(
        self,
        interaction: discord.Interaction[Any],
        guild: discord.Guild,
        topic: str,
        anonymous: bool,
        message: str | None,
    ) -> None:
        """The honest notice, then the request goes out only when the member presses Send."""
        settings = await self.support.settings(guild.id)
        if not any(t.casefold() == topic.strip().casefold() for t in settings.topics):
            raise DomainError("support.error.topic")
        notice = self.t(
            interaction, "support.request.notice_anonymous" if anonymous else "support.request.notice_named"
        )

        async def send(done: discord.Interaction[Any]) -> None:
            origin = interaction.channel_id if interaction.guild is not None else None
            created = await self.support.request(guild.id, done.user.id, topic, message, anonymous, origin)
            await self.engine.run_now(CARD, created.id)
            fresh = await self.support.get(created.id) or created
            mentions = await self.delivery.listener_mentions(guild, fresh)
            key = "support.request.sent" if mentions else "support.request.nobody"
            await done.response.edit_message(content=self.t(done, key), view=None)

        await interaction.response.send_message(
            notice, view=ConfirmRequest(lambda key: self.t(interaction, key), send), ephemeral=True
        )

    @support_group.command(name="end")
    async def end(self, interaction: discord.Interaction[HavenBot]) -> None:
        """End your conversation with a listener (or, in a support thread, the one you're in)."""
        request = None
        if isinstance(interaction.channel, discord.Thread):
            request = await self.support.by_thread(interaction.channel.id)
        if request is None or request.status not in (RequestStatus.WAITING, RequestStatus.CLAIMED):
            request = await self.support.open_for_member(interaction.user.id)
        if request is None:
            raise DomainError("support.error.nothing_open")
        await self.finish(interaction, request)

    # --- buttons

    async def on_button(self, interaction: discord.Interaction[Any], action: str, ref: int) -> None:
        request = await self.support.get(ref)
        if request is None:
            raise DomainError("support.error.nothing_open")
        if action == "claim":
            await self.claim(interaction, request)
        elif action in ("end", "cancel"):
            await self.finish(interaction, request)
        elif action == "other":
            await self.someone_else(interaction, request)
        elif action in ("helped", "nothelped"):
            counted = await self.support.give_feedback(request.id, interaction.user.id, action == "helped")
            key = "support.feedback.thanks" if counted else "support.feedback.already"
            await interaction.response.edit_message(content=self.t(interaction, key), view=None)

    async def claim(self, interaction: discord.Interaction[Any], request: SupportRequest) -> None:
        guild = await listener_guild(self.support, interaction)
        if not await self.support.claim(request.id, guild.id, interaction.user.id):
            await interaction.response.send_message(
                self.t(interaction, "support.claim.taken"), ephemeral=True
            )
            return
        await interaction.response.defer(ephemeral=True, thinking=True)
        claimed = await self.support.get(request.id)
        assert claimed is not None
        channel = await self.delivery.channel(guild)
        if channel is None:
            raise DomainError("support.error.not_set_up")
        thread = await channel.create_thread(
            name=f"{claimed.alias_name if claimed.anonymous else 'Support'} #{claimed.id}"[:100],
            type=discord.ChannelType.private_thread,
            invitable=False,
        )
        await thread.add_user(interaction.user)
        await self.support.set_thread(claimed.id, thread.id)
        claimed = await self.support.get(request.id) or claimed
        loc = guild.preferred_locale
        end_view = buttons(
            self.button, claimed.id, ("end", self.t(loc, "support.button.end"), discord.ButtonStyle.danger)
        )
        await thread.send(
            self.t(loc, "support.thread.intro", who=self.delivery.who(guild, claimed), topic=claimed.topic),
            view=end_view,
        )
        if claimed.card_message_id and isinstance(interaction.message, discord.Message):
            await interaction.message.edit(embed=self.delivery.card(guild, claimed), view=None)
        await self.tell_member_claimed(guild, claimed, interaction.user, thread)
        await interaction.followup.send(
            self.t(interaction, "support.claim.won", thread=thread.mention), ephemeral=True
        )

    async def tell_member_claimed(
        self, guild: discord.Guild, request: SupportRequest, listener: Any, thread: discord.Thread
    ) -> None:
        """By DM; if the member's DMs are closed, in a private thread for them (when they asked in a server)."""
        loc = await self.bot.dm_locale(request.member_id, guild)
        view = buttons(
            self.button,
            request.id,
            ("end", self.t(loc, "support.button.end"), discord.ButtonStyle.danger),
            ("other", self.t(loc, "support.button.other"), discord.ButtonStyle.secondary),
        )
        text = self.t(loc, "support.member.claimed", name=listener.display_name, server=guild.name)
        if not await self.delivery.send_to_member(guild, request, text, view=view):
            log.info(
                "Support request #%d: the member's DMs are closed and no thread could be opened", request.id
            )
            await thread.send(self.t(guild.preferred_locale, "support.thread.member_unreachable"))

    async def finish(self, interaction: discord.Interaction[Any], request: SupportRequest) -> None:
        """Either side ends it (or the member stops waiting); the other side is told, nothing relays after."""
        user_id = interaction.user.id
        if user_id not in (request.member_id, request.listener_id):
            raise DomainError("support.error.not_yours")
        was_claimed = request.status is RequestStatus.CLAIMED
        status = RequestStatus.ENDED if was_claimed else RequestStatus.CANCELLED
        if not await self.support.end(request.id, status):
            await interaction.response.send_message(
                self.t(interaction, "support.end.already"), ephemeral=True
            )
            return
        await interaction.response.send_message(self.t(interaction, "support.end.done"), ephemeral=True)
        guild = self.bot.get_guild(request.guild_id)
        if guild is None or not was_claimed:
            return
        thread = guild.get_thread(request.thread_id or 0)
        if thread is not None:
            await thread.send(self.t(guild.preferred_locale, "support.thread.ended"))
        place = await self.delivery.member_place(guild, request)
        if place is not None:
            loc = await self.bot.dm_locale(request.member_id, guild)
            view = buttons(
                self.button,
                request.id,
                ("helped", self.t(loc, "support.button.helped"), discord.ButtonStyle.success),
                ("nothelped", self.t(loc, "support.button.not_helped"), discord.ButtonStyle.secondary),
            )
            try:
                await place.send(self.t(loc, "support.member.ended"), view=view)
            except discord.Forbidden:
                log.info("Support request #%d ended; the member's DMs are closed", request.id)

    async def someone_else(self, interaction: discord.Interaction[Any], request: SupportRequest) -> None:
        """The member asks for a different listener: the request goes back to the queue with a fresh card."""
        if interaction.user.id != request.member_id:
            raise DomainError("support.error.not_yours")
        if not await self.support.release(request):
            raise DomainError("support.end.already")
        await interaction.response.send_message(self.t(interaction, "support.member.requeued"))
        await self.tell_thread(request, "support.thread.someone_else")
        await self.engine.run_now(CARD, request.id)

    async def tell_thread(self, request: SupportRequest, key: str) -> None:
        guild = self.bot.get_guild(request.guild_id)
        thread = guild.get_thread(request.thread_id or 0) if guild is not None else None
        if guild is not None and thread is not None:
            try:
                await thread.send(self.t(guild.preferred_locale, key))
            except discord.HTTPException as exc:
                log.info(
                    "Support request #%d: couldn't post in the thread (status %s)", request.id, exc.status
                )

    async def tell_member(self, request: SupportRequest, key: str) -> None:
        guild = self.bot.get_guild(request.guild_id)
        place = await self.delivery.member_place(guild, request) if guild is not None else None
        if guild is None or place is None:
            return
        try:
            await place.send(self.t(await self.bot.dm_locale(request.member_id, guild), key))
        except discord.HTTPException as exc:
            log.info("Support request #%d: couldn't tell the member (status %s)", request.id, exc.status)

    @support_group.command(name="report")
    @app_commands.describe(reason="What happened, for the moderators (the other side isn't told).")
    async def report(
        self, interaction: discord.Interaction[HavenBot], reason: app_commands.Range[str, 1, 700]
    ) -> None:
        """Report the other side of your conversation to the moderators."""
        request = await self.current(interaction)
        alert_id = await self.support.report(request, interaction.user.id, reason)
        await interaction.response.send_message(self.t(interaction, "support.report.sent"), ephemeral=True)
        await self.engine.run_now(ALERT_CARD, alert_id)

    @support_group.command(name="block")
    async def block(self, interaction: discord.Interaction[HavenBot]) -> None:
        """End your conversation and never be matched with this person again."""
        request = await self.current(interaction)
        other = request.listener_id if interaction.user.id == request.member_id else request.member_id
        if other is not None:
            await self.support.block(request.guild_id, interaction.user.id, other)
        await self.finish(interaction, request)

    async def current(self, interaction: discord.Interaction[Any]) -> SupportRequest:
        """The conversation the user is in: their own as a member, or the one of the thread they're in."""
        request = None
        if isinstance(interaction.channel, discord.Thread):
            request = await self.support.by_thread(interaction.channel.id)
        if request is None or request.status is not RequestStatus.CLAIMED:
            request = await self.support.open_for_member(interaction.user.id)
        if request is None or request.status is not RequestStatus.CLAIMED:
            raise DomainError("support.error.nothing_open")
        if interaction.user.id not in (request.member_id, request.listener_id):
            raise DomainError("support.error.not_yours")
        return request

    # --- faults: a listener losing the role, members leaving

    @commands.Cog.listener()
    async def on_member_update(self, before: discord.Member, after: discord.Member) -> None:
        settings = await self.support.settings(after.guild.id)
        if settings.listener_role_id is None:
            return
        had = any(r.id == settings.listener_role_id for r in before.roles)
        has = any(r.id == settings.listener_role_id for r in after.roles)
        if had and not has:
            await self.support.set_available(after.guild.id, after.id, False)
            await self.hand_back(after.guild.id, after.id)

    @commands.Cog.listener()
    async def on_raw_member_remove(self, payload: discord.RawMemberRemoveEvent) -> None:
        await self.hand_back(payload.guild_id, payload.user.id)
        request = await self.support.open_for_member(payload.user.id)
        if request is not None and request.guild_id == payload.guild_id:
            was_claimed = request.status is RequestStatus.CLAIMED
            await self.support.end(
                request.id, RequestStatus.ENDED if was_claimed else RequestStatus.CANCELLED
            )
            if was_claimed:
                await self.tell_thread(request, "support.thread.member_left")

    async def hand_back(self, guild_id: int, listener_id: int) -> None:
        """A listener can't go on (lost the role, left): their conversations go back to the queue."""
        for request in await self.support.claimed_by(guild_id, listener_id):
            if await self.support.release(request):
                await self.tell_thread(request, "support.thread.listener_gone")
                await self.tell_member(request, "support.member.listener_gone")
                await self.engine.run_now(CARD, request.id)

    # --- the bridge

    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        if message.author.bot or message.webhook_id is not None:
            return
        if message.guild is None:
            request = await self.support.open_for_member(message.author.id)
            from_member = True
        elif isinstance(message.channel, discord.Thread):
            request = await self.support.by_thread(message.channel.id)
            # the listener's thread, or the member's own thread when their DMs are closed
            from_member = request is not None and message.channel.id == request.fallback_thread_id
            if request is not None and message.author.id != (
                request.member_id if from_member else request.listener_id
            ):
                return
        else:
            return
        if request is None or request.status is not RequestStatus.CLAIMED:
            return
        images = len(message.attachments)
        relay_id = await self.support.relay(request, from_member, message.id, message.content, images)
        if relay_id is not None:
            await self.engine.run_now(RELAY, relay_id)
