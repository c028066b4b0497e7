"""What the delivery engine sends for support: request cards and re-pings, relayed messages, check-on DMs.

Every send is a work item written in the same transaction as the change that causes it (bot/storage/support/),
so a restart loses nothing; a relayed message records each part it sent, so nothing is relayed twice.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import discord

from bot.delivery import DeliveryEngine
from bot.domain.delivery import DeliveryItem, Outcome
from bot.domain.support import (
    CARD,
    CHECKON,
    RELAY,
    REPING,
    REVEALED,
    RelayMessage,
    RequestStatus,
    SupportRequest,
    part_nonce,
    split_message,
)
from bot.services.support import SupportService
from bot.ui.input import member_text

if TYPE_CHECKING:
    from bot.app import HavenBot

log = logging.getLogger(__name__)
COLOUR = discord.Colour(0x5B8DEF)


class SupportDelivery:
    """The handlers the support cog registers with the delivery engine."""

    def __init__(
        self, bot: HavenBot, support: SupportService, engine: DeliveryEngine, card_view: Callable[..., Any]
    ) -> None:
        self.bot = bot
        self.support = support
        self.engine = engine
        self.card_view = card_view
        self._fallback_lock = (
            asyncio.Lock()
        )  # one private thread per member, however many sends find DMs closed

    def register(self) -> None:
        self.engine.register(CARD, self.handle_card)
        self.engine.register(REPING, self.handle_reping)
        self.engine.register(RELAY, self.handle_relay)
        self.engine.register(CHECKON, self.handle_checkon)
        self.engine.register(REVEALED, self.handle_revealed)

    def t(self, key: str, locale: Any, **params: Any) -> str:
        return self.bot.i18n.text(key, locale, **params)

    # --- places

    async def channel(self, guild: discord.Guild) -> discord.TextChannel | None:
        settings = await self.support.settings(guild.id)
        found = guild.get_channel(settings.channel_id) if settings.channel_id else None
        return found if isinstance(found, discord.TextChannel) else None

    async def thread(self, guild: discord.Guild, thread_id: int | None) -> discord.Thread | None:
        """A thread of the server by id (cached, or fetched if it was archived); None if it is gone."""
        if not thread_id:
            return None
        found = guild.get_thread(thread_id)
        if found is not None:
            return found
        try:
            fetched = await self.bot.fetch_channel(thread_id)
        except (discord.NotFound, discord.Forbidden):
            return None
        return fetched if isinstance(fetched, discord.Thread) else None

    async def member_place(
        self, guild: discord.Guild, request: SupportRequest
    ) -> discord.abc.Messageable | None:
        """Where the member reads Haven: their private thread if their DMs were closed, else their DMs."""
        if request.fallback_thread_id:
            return await self.thread(guild, request.fallback_thread_id)
        return guild.get_member(request.member_id)

    async def open_fallback(self, guild: discord.Guild, request: SupportRequest) -> discord.Thread | None:
        """The member's DMs are closed: a private thread for them in the channel they asked in (only if they asked
        in a server); the listener is told, and told it isn't anonymous there if the member asked anonymously."""
        async with self._fallback_lock:
            fresh = await self.support.get(request.id) or request
            if fresh.fallback_thread_id:
                return await self.thread(guild, fresh.fallback_thread_id)
            channel = guild.get_channel(request.origin_channel_id or 0)
            member = guild.get_member(request.member_id)
            if not isinstance(channel, discord.TextChannel) or member is None:
                return None
            try:
                thread = await channel.create_thread(
                    name=f"Support #{request.id}", type=discord.ChannelType.private_thread, invitable=False
                )
                await thread.add_user(member)
            except discord.HTTPException as exc:
                log.info(
                    "Support request #%d: couldn't open the member's thread (status %s)",
                    request.id,
                    exc.status,
                )
                return None
            await self.support.set_fallback_thread(request.id, thread.id)
        loc = await self.bot.dm_locale(member.id, guild)
        key = "support.member.in_thread_anonymous" if request.anonymous else "support.member.in_thread"
        await thread.send(
            self.t(key, loc, member=member.mention), allowed_mentions=discord.AllowedMentions(users=[member])
        )
        listener_thread = await self.thread(guild, request.thread_id)
        if listener_thread is not None:
            key = (
                "support.thread.member_in_thread_anonymous"
                if request.anonymous
                else "support.thread.member_in_thread"
            )
            await listener_thread.send(self.t(key, guild.preferred_locale))
        return thread

    async def send_to_member(
        self, guild: discord.Guild, request: SupportRequest, content: str, **options: Any
    ) -> bool:
        """Send the member something from the bridge: by DM, or in their private thread if DMs are closed."""
        target = await self.member_place(guild, request)
        if target is None:
            return False
        try:
            await target.send(content, **options)
            return True
        except discord.Forbidden:
            if request.fallback_thread_id:
                return False
        thread = await self.open_fallback(guild, request)
        if thread is None:
            return False
        await thread.send(content, **options)
        return True

    async def listener_mentions(self, guild: discord.Guild, request: SupportRequest) -> list[str]:
        """Available listeners who still hold the listener role (never the member themselves)."""
        settings = await self.support.settings(guild.id)
        found: list[str] = []
        for user_id in await self.support.available_listeners(guild.id):
            member = guild.get_member(user_id)
            if member is None or user_id == request.member_id:
                continue
            if any(role.id == settings.listener_role_id for role in member.roles):
                found.append(member.mention)
        return found

    def who(self, guild: discord.Guild, request: SupportRequest) -> str:
        if request.anonymous:
            return request.alias_name
        member = guild.get_member(request.member_id)
        return member.display_name if member is not None else request.alias_name

    def card(self, guild: discord.Guild, request: SupportRequest) -> discord.Embed:
        loc = guild.preferred_locale
        embed = discord.Embed(title=self.t("support.card.title", loc), colour=COLOUR)
        embed.add_field(name=self.t("support.card.topic", loc), value=member_text(request.topic, 100))
        who = request.alias_name if request.anonymous else f"<@{request.member_id}>"
        embed.add_field(name=self.t("support.card.who", loc), value=who)
        embed.add_field(
            name=self.t("support.card.waiting", loc), value=f"<t:{int(request.created_at.timestamp())}:R>"
        )
        first = (
            f">>> {member_text(request.first_message, 1000)}"
            if request.first_message
            else self.t("support.card.no_message", loc)
        )
        embed.add_field(name=self.t("support.card.first_message", loc), value=first[:1024], inline=False)
        if request.status is RequestStatus.CLAIMED and request.listener_id is not None:
            status = self.t("support.card.claimed", loc, listener=f"<@{request.listener_id}>")
        elif request.status is RequestStatus.WAITING:
            status = self.t("support.card.open", loc)
        else:
            status = self.t("support.card.closed", loc)
        embed.add_field(name=self.t("support.card.status", loc), value=status, inline=False)
        embed.set_footer(text=f"Request #{request.id}")
        return embed

    # --- handlers

    async def handle_card(self, item: DeliveryItem) -> Outcome:
        request = await self.support.get(item.ref)
        if request is None or request.status is not RequestStatus.WAITING:
            return Outcome.DONE
        guild = self.bot.get_guild(request.guild_id)
        channel = await self.channel(guild) if guild is not None else None
        if guild is None or channel is None:
            log.warning("Support request #%d: the support channel is missing; will retry", request.id)
            return Outcome.RETRY
        mentions = await self.listener_mentions(guild, request)
        content = self.t("support.card.ping", guild.preferred_locale, listeners=" ".join(mentions))
        message = await channel.send(
            content=content if mentions else None,
            embed=self.card(guild, request),
            view=self.card_view(request, guild.preferred_locale),
            allowed_mentions=discord.AllowedMentions(users=True),
            nonce=item.nonce,
        )
        await self.support.card_sent(request, message.id)
        return Outcome.DONE

    async def handle_reping(self, item: DeliveryItem) -> Outcome:
        """Nobody claimed it: ping listeners once more; the next time, tell the member honestly."""
        request = await self.support.get(item.ref)
        if request is None or request.status is not RequestStatus.WAITING:
            return Outcome.DONE
        guild = self.bot.get_guild(request.guild_id)
        if guild is None:
            return Outcome.RETRY
        if not await self.support.record_ping(request):
            return Outcome.DONE
        if request.pings == 0:
            channel = await self.channel(guild)
            mentions = await self.listener_mentions(guild, request)
            if channel is not None:
                text = self.t("support.card.reping", guild.preferred_locale, listeners=" ".join(mentions))
                await channel.send(text, allowed_mentions=discord.AllowedMentions(users=True))
            return Outcome.DONE
        await self.tell_member_waiting(guild, request)
        return Outcome.DONE

    async def tell_member_waiting(self, guild: discord.Guild, request: SupportRequest) -> None:
        """Nobody has answered yet: say so honestly, by DM or, with DMs closed, in the member's private thread."""
        if guild.get_member(request.member_id) is None:
            return
        loc = await self.bot.dm_locale(request.member_id, guild)
        view = self.card_view(request, loc, member_side=True)
        text = self.t("support.member.still_waiting", loc, server=guild.name)
        if not await self.send_to_member(guild, request, text, view=view):
            log.info(
                "Support request #%d: DMs closed and no thread to use; couldn't say it is still waiting",
                request.id,
            )

    async def handle_relay(self, item: DeliveryItem) -> Outcome:
        message = await self.support.message(item.ref)
        if message is None or message.state != "pending":
            return Outcome.DONE
        request = await self.support.get(message.request_id)
        guild = self.bot.get_guild(request.guild_id) if request is not None else None
        if request is None or request.status is not RequestStatus.CLAIMED or guild is None:
            if request is not None:
                await self.support.message_done(
                    message, request.guild_id, sent=False
                )  # nothing after the end
            return Outcome.DONE
        target = await self._relay_target(guild, request, message.from_member)
        if target is None:
            await self.support.message_done(message, guild.id, sent=False)
            return Outcome.DONE
        loc = (
            guild.preferred_locale
            if message.from_member
            else await self.bot.dm_locale(request.member_id, guild)
        )
        body = message.text or ""
        if message.images:
            body = f"{body}\n{self.t('support.relay.image', loc)}".strip()
        if message.from_member:
            speaker = self.who(guild, request)
        else:
            listener = guild.get_member(request.listener_id or 0)
            speaker = self.t("support.relay.listener", loc, name=listener.display_name if listener else "-")
        parts = split_message(f"**{discord.utils.escape_markdown(speaker)}:** {body}")
        try:
            await self._send_parts(target, message, parts, item.nonce)
        except discord.Forbidden:
            fallback = None
            if not message.from_member and not request.fallback_thread_id:
                fallback = await self.open_fallback(guild, request)  # the member's DMs are closed
            if fallback is None:
                log.info(
                    "Support request #%d: couldn't relay a message (DMs closed or thread gone)", request.id
                )
                await self.support.message_done(message, guild.id, sent=False)
                return Outcome.DONE
            fresh = await self.support.message(message.id) or message
            await self._send_parts(fallback, fresh, parts, item.nonce)
        await self.support.message_done(message, guild.id, sent=True)
        return Outcome.DONE

    async def _send_parts(
        self, target: discord.abc.Messageable, message: RelayMessage, parts: list[str], nonce: str
    ) -> None:
        """Each part not sent yet, each with its own nonce (Discord refuses a repeat create after a crash)."""
        for index in range(message.parts_sent, len(parts)):
            await target.send(
                parts[index], allowed_mentions=discord.AllowedMentions.none(), nonce=part_nonce(nonce, index)
            )
            if index + 1 < len(parts):  # the last part is recorded with the message's end, in one write
                await self.support.part_sent(message.id, index + 1)

    async def _relay_target(
        self, guild: discord.Guild, request: SupportRequest, from_member: bool
    ) -> discord.abc.Messageable | None:
        if from_member:
            return await self.thread(guild, request.thread_id)
        return await self.member_place(guild, request)

    async def handle_revealed(self, item: DeliveryItem) -> Outcome:
        """Tell the listener that a moderator saw who the anonymous member is (after a crisis alert)."""
        request = await self.support.get(item.ref)
        if request is None:
            return Outcome.DONE
        guild = self.bot.get_guild(request.guild_id)
        if guild is None:
            return Outcome.RETRY
        thread = await self.thread(guild, request.thread_id)
        if thread is None:
            return Outcome.DONE
        await thread.send(
            self.t("support.thread.identity_revealed", guild.preferred_locale), nonce=item.nonce
        )
        return Outcome.DONE

    async def handle_checkon(self, item: DeliveryItem) -> Outcome:
        """The moderator's kind DM with the server's support options, sent once."""
        row = await self.support.checkon(item.ref)
        if row is None or row.state != "pending":
            return Outcome.DONE
        guild = self.bot.get_guild(row.guild_id)
        if guild is None:
            return Outcome.RETRY
        member = guild.get_member(row.member_id)
        if member is None:
            await self.support.checkon_done(row.id, delivered=False)
            return Outcome.DONE
        loc = await self.bot.dm_locale(member.id, guild)
        settings = await self.support.settings(guild.id)
        lines = [self.t("support.checkon.dm", loc, server=guild.name)]
        if settings.configured:
            lines.append(self.t("support.checkon.listener", loc))
        lines.append(self.t("support.checkon.resources", loc))
        lines.append(self.t("support.checkon.no_reply", loc))
        try:
            await member.send("\n\n".join(lines), nonce=item.nonce)
        except discord.Forbidden:
            await self.support.checkon_done(row.id, delivered=False)
            return Outcome.DONE
        await self.support.checkon_done(row.id, delivered=True)
        return Outcome.DONE
