"""Support requests, listeners and the relay; peers flagging a worrying message; moderators checking on a member."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.cogs.support.delivery import SupportDelivery
from bot.cogs.support.views import ConfirmRequest, FlagModal, button_class, buttons
from bot.delivery import DeliveryEngine
from bot.domain.alerts import CARD as ALERT_CARD
from bot.domain.support import CARD, CHECKON, RELAY, RequestStatus, SupportRequest
from bot.errors import DomainError
from bot.permissions import require_manage_guild
from bot.services.guild_settings import GuildSettingsService
from bot.services.support import SupportService
from bot.ui.input import member_text

if TYPE_CHECKING:
    from bot.app import HavenBot

log = logging.getLogger(__name__)
PURGE_EVERY_SECONDS = 3600
COLOUR = discord.Colour(0x5B8DEF)


class SupportCog(commands.Cog):
    """Ask for a listener (anonymously if you want), listeners' commands, flags and check-ons."""

    admin_group = app_commands.Group(
        name="support-admin",
        description="Set up support requests: listener role, support channel, topics (moderators).",
        default_permissions=discord.Permissions(manage_guild=True),
        guild_only=True,
    )
    listener_group = app_commands.Group(
        name="listener",
        description="For listeners: say you're available or away, see the queue.",
        guild_only=True,
    )
    support_group = app_commands.Group(
        name="support", description="Talk to a listener, anonymously if you want."
    )

    def __init__(
        self,
        bot: HavenBot,
        support: SupportService,
        engine: DeliveryEngine,
        guild_settings: GuildSettingsService,
    ) -> None:
        self.bot = bot
        self.support = support
        self.engine = engine
        self.guild_settings = guild_settings
        self.button = button_class(self.on_button)
        self.delivery = SupportDelivery(bot, support, engine, self.card_view)
        self.menus = (
            app_commands.ContextMenu(name="Worried about this person", callback=self.worried),
            app_commands.ContextMenu(name="Check on this member", callback=self.check_on, guild_ids=None),
        )
        self.menus[0].guild_only = True
        self.menus[1].guild_only = True
        self.menus[1].default_permissions = discord.Permissions(manage_guild=True)

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(self.button)
        self.delivery.register()
        self.engine.every(PURGE_EVERY_SECONDS, self.support.purge_relayed_text)
        for menu in self.menus:
            self.bot.tree.add_command(menu)

    async def cog_unload(self) -> None:
        self.bot.remove_dynamic_items(self.button)
        for menu in self.menus:
            self.bot.tree.remove_command(menu.name, type=menu.type)

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

    # --- peers flagging a message

    async def worried(self, interaction: discord.Interaction[HavenBot], message: discord.Message) -> None:
        """Message menu for every member: tell the moderators privately, with an optional note."""
        if interaction.guild is None:
            raise app_commands.NoPrivateMessage()
        if message.author.id == interaction.user.id:
            raise DomainError("support.flag.self")
        if message.author.bot:
            raise DomainError("support.flag.bot")
        guild_id, author_id, channel_id, message_id = (
            interaction.guild.id,
            message.author.id,
            message.channel.id,
            message.id,
        )

        async def submit(done: discord.Interaction[Any], note: str) -> None:
            alert_id = await self.support.flag(
                guild_id, done.user.id, author_id, channel_id, message_id, note
            )
            if alert_id is None:
                await done.response.send_message(self.t(done, "support.flag.limited"), ephemeral=True)
                return
            await done.response.send_message(self.t(done, "support.flag.sent"), ephemeral=True)
            await self.engine.run_now(ALERT_CARD, alert_id)

        await interaction.response.send_modal(FlagModal(lambda key: self.t(interaction, key), submit))

    async def check_on(self, interaction: discord.Interaction[HavenBot], member: discord.Member) -> None:
        """User menu for moderators: a kind DM with the server's support options, recorded."""
        await self.require_moderator(interaction)
        assert interaction.guild is not None
        if member.bot:
            raise DomainError("support.flag.bot")
        checkon_id = await self.support.check_on(interaction.guild.id, member.id, interaction.user.id)
        if checkon_id is None:
            await interaction.response.send_message(
                self.t(interaction, "support.checkon.recently"), ephemeral=True
            )
            return
        await interaction.response.send_message(
            self.t(interaction, "support.checkon.queued", member=member.mention), ephemeral=True
        )
        await self.engine.run_now(CHECKON, checkon_id)

    async def require_moderator(self, interaction: discord.Interaction[Any]) -> None:
        if interaction.guild is None:
            raise app_commands.NoPrivateMessage()
        settings = await self.guild_settings.get(interaction.guild.id)
        roles = getattr(interaction.user, "roles", [])
        has_role = settings.moderator_role_id is not None and any(
            r.id == settings.moderator_role_id for r in roles
        )
        if not (has_role or interaction.permissions.manage_guild):
            raise app_commands.MissingPermissions(["manage_guild"])

    # --- moderators' set-up

    async def interaction_check(self, interaction: discord.Interaction[HavenBot]) -> bool:  # type: ignore[override]
        command = interaction.command
        if isinstance(command, app_commands.Command) and command.root_parent is self.admin_group:
            require_manage_guild(interaction)
        return True

    @admin_group.command(name="setup")
    @app_commands.describe(
        listener_role="The role of your trained listeners.",
        channel="A channel only listeners can see: request cards and private threads go there.",
        topics="Topics members choose from, separated by commas.",
        reping_minutes="Ping listeners again, then tell the member, if nobody answers within this time.",
        store_text="Keep relayed messages for the retention period (off: wiped once relayed).",
        retention_days="How long relayed messages are kept when stored.",
        requests_per_day="How many requests one member can make a day.",
    )
    async def setup(
        self,
        interaction: discord.Interaction[HavenBot],
        listener_role: discord.Role | None = None,
        channel: discord.TextChannel | None = None,
        topics: app_commands.Range[str, 1, 900] | None = None,
        reping_minutes: app_commands.Range[int, 1, 1440] | None = None,
        store_text: bool | None = None,
        retention_days: app_commands.Range[int, 1, 365] | None = None,
        requests_per_day: app_commands.Range[int, 1, 20] | None = None,
    ) -> None:
        """See or change how support requests work here."""
        assert interaction.guild is not None
        current = await self.support.update_settings(
            interaction.guild.id,
            listener_role_id=listener_role.id if listener_role else None,
            channel_id=channel.id if channel else None,
            topics=topics,
            reping_seconds=None if reping_minutes is None else reping_minutes * 60,
            store_text=store_text,
            retention_days=retention_days,
            requests_per_day=requests_per_day,
        )
        on, off = self.t(interaction, "support.admin.on"), self.t(interaction, "support.admin.off")
        embed = discord.Embed(title=self.t(interaction, "support.admin.title"), colour=COLOUR)
        for name, value in (
            ("listener_role", f"<@&{current.listener_role_id}>" if current.listener_role_id else off),
            ("channel", f"<#{current.channel_id}>" if current.channel_id else off),
            ("topics", member_text(", ".join(current.topics), 1000)),
            ("reping", f"{current.reping_seconds // 60} min"),
            ("store_text", on if current.store_text else off),
            ("retention", str(current.retention_days)),
            ("requests_per_day", str(current.requests_per_day)),
        ):
            embed.add_field(name=self.t(interaction, f"support.admin.{name}"), value=value)
        await interaction.response.send_message(embed=embed, ephemeral=True)

    @admin_group.command(name="stats")
    async def stats(self, interaction: discord.Interaction[HavenBot]) -> None:
        """Requests, waiting time, claimed share and time to claim over 30 days: counts, never content."""
        assert interaction.guild is not None
        counts = await self.support.counts(interaction.guild.id)
        share = "-" if counts.claimed_share is None else f"{counts.claimed_share * 100:.0f}%"
        text = self.t(
            interaction,
            "support.admin.stats",
            requests=counts.requests,
            claimed=share,
            waiting=counts.waiting_now,
            wait=_minutes(counts.median_wait_seconds),
            claim=_minutes(counts.median_claim_seconds),
            helped=counts.helped,
            not_helped=counts.not_helped,
        )
        await interaction.response.send_message(text, ephemeral=True)

    @admin_group.command(name="bad-faith")
    @app_commands.describe(flag="The flag number shown on the alert card (Flag #…).")
    async def bad_faith(
        self, interaction: discord.Interaction[HavenBot], flag: app_commands.Range[int, 1, 2_000_000_000]
    ) -> None:
        """Mark a peer's flag as made in bad faith; repeated ones limit that member's flags more."""
        assert interaction.guild is not None
        marked = await self.support.mark_bad_faith(flag, interaction.guild.id, interaction.user.id)
        key = "support.admin.bad_faith_marked" if marked else "support.admin.bad_faith_unknown"
        await interaction.response.send_message(self.t(interaction, key, flag=flag), ephemeral=True)

    # --- listeners

    async def require_listener(self, interaction: discord.Interaction[Any]) -> discord.Guild:
        guild = interaction.guild
        if guild is None:
            raise app_commands.NoPrivateMessage()
        settings = await self.support.settings(guild.id)
        if not settings.configured:
            raise DomainError("support.error.not_set_up")
        if not any(r.id == settings.listener_role_id for r in getattr(interaction.user, "roles", [])):
            raise DomainError("support.error.not_listener")
        return guild

    @listener_group.command(name="available")
    async def available(self, interaction: discord.Interaction[HavenBot]) -> None:
        """Say you're available: you'll be pinged for new requests."""
        guild = await self.require_listener(interaction)
        await self.support.set_available(guild.id, interaction.user.id, True)
        await interaction.response.send_message(
            self.t(interaction, "support.listener.available"), ephemeral=True
        )

    @listener_group.command(name="away")
    async def away(self, interaction: discord.Interaction[HavenBot]) -> None:
        """Say you're away: no pings until you're available again."""
        guild = await self.require_listener(interaction)
        await self.support.set_available(guild.id, interaction.user.id, False)
        await interaction.response.send_message(self.t(interaction, "support.listener.away"), ephemeral=True)

    @listener_group.command(name="queue")
    async def queue(self, interaction: discord.Interaction[HavenBot]) -> None:
        """Requests waiting for a listener."""
        guild = await self.require_listener(interaction)
        waiting = await self.support.waiting(guild.id)
        lines = [
            f"#{r.id} · {member_text(r.topic, 60)} · <t:{int(r.created_at.timestamp())}:R>"
            for r in waiting[:20]
        ]
        text = "\n".join(lines) or self.t(interaction, "support.listener.queue_empty")
        await interaction.response.send_message(text, ephemeral=True)

    @listener_group.command(name="guide")
    async def guide(self, interaction: discord.Interaction[HavenBot]) -> None:
        """What a listener does and doesn't do, and when to bring in a moderator."""
        await interaction.response.send_message(self.t(interaction, "support.listener.guide"), ephemeral=True)

    # --- members

    async def topic_choices(
        self, interaction: discord.Interaction[HavenBot], current: str
    ) -> list[app_commands.Choice[str]]:
        if interaction.guild is None:
            return []
        settings = await self.support.settings(interaction.guild.id)
        return [
            app_commands.Choice(name=topic, value=topic)
            for topic in settings.topics
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
        """Ask to talk with a trained listener, anonymously if you want."""
        if interaction.guild is None:
            raise DomainError("support.error.in_server")
        guild = interaction.guild
        settings = await self.support.settings(guild.id)
        if not settings.configured:
            raise DomainError("support.error.not_set_up")
        if await self.support.open_for_member(interaction.user.id) is not None:
            raise DomainError("support.error.already_open")
        notice = self.t(
            interaction, "support.request.notice_anonymous" if anonymous else "support.request.notice_named"
        )

        async def send(done: discord.Interaction[Any]) -> None:
            created = await self.support.request(guild.id, done.user.id, topic, message, anonymous)
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
        guild = await self.require_listener(interaction)
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
        member = guild.get_member(request.member_id)
        loc = await self.bot.dm_locale(request.member_id, guild)
        view = buttons(
            self.button,
            request.id,
            ("end", self.t(loc, "support.button.end"), discord.ButtonStyle.danger),
            ("other", self.t(loc, "support.button.other"), discord.ButtonStyle.secondary),
        )
        try:
            if member is not None:
                await member.send(
                    self.t(loc, "support.member.claimed", name=listener.display_name, server=guild.name),
                    view=view,
                )
                return
        except discord.Forbidden:
            log.info("Support request #%d: the member's DMs are closed", request.id)
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
        member = guild.get_member(request.member_id)
        if member is not None:
            loc = await self.bot.dm_locale(member.id, guild)
            view = buttons(
                self.button,
                request.id,
                ("helped", self.t(loc, "support.button.helped"), discord.ButtonStyle.success),
                ("nothelped", self.t(loc, "support.button.not_helped"), discord.ButtonStyle.secondary),
            )
            try:
                await member.send(self.t(loc, "support.member.ended"), view=view)
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
        member = guild.get_member(request.member_id) if guild is not None else None
        if member is None:
            return
        try:
            await member.send(self.t(await self.bot.dm_locale(member.id, guild), key))
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
            from_member = False
            if request is not None and message.author.id != request.listener_id:
                return
        else:
            return
        if request is None or request.status is not RequestStatus.CLAIMED:
            return
        images = len(message.attachments)
        relay_id = await self.support.relay(request, from_member, message.id, message.content, images)
        if relay_id is not None:
            await self.engine.run_now(RELAY, relay_id)


def _minutes(seconds: float | None) -> str:
    return "-" if seconds is None else f"{seconds / 60:.0f} min"
