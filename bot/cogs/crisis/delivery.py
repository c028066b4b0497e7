"""Delivering alerts from the outbox: the card, its edits, re-pings, and the member's private reply.

Each is a handler of the delivery engine (bot/delivery), which leases the work item before it runs and retries it
with the one backoff policy. A card sent just before a crash is found again in the channel (by its footer) instead
of being sent twice, and every message create carries the item's nonce (Discord refuses a repeat).
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import TYPE_CHECKING, Any

import discord

from bot.cogs.crisis.cards import card_ref, render_card, render_member_reply
from bot.cogs.crisis.collaborators import CrisisCollaborators
from bot.cogs.crisis.views import card_view
from bot.cogs.resources.embeds import render_answer
from bot.cogs.resources.views import answer_view
from bot.domain.alerts import (
    CARD,
    EDIT,
    OWNER,
    REPING,
    REPLY,
    Alert,
    CardState,
    ReplyState,
    Status,
    help_topic,
    should_ping,
)
from bot.domain.crisis import Detection, Kind
from bot.domain.delivery import DeliveryItem, Outcome, backoff

if TYPE_CHECKING:
    from bot.app import HavenBot

log = logging.getLogger(__name__)
HISTORY_SEARCH = 50


class Delivery:
    """The Discord side of alert delivery: handlers the delivery engine runs, each under its lease."""

    def __init__(self, bot: HavenBot, parts: CrisisCollaborators) -> None:
        self.bot = bot
        self.parts = parts
        self.crisis = parts.crisis
        self.engine = parts.engine

    def register(self) -> None:
        """Hand the engine a handler per kind of alert work."""
        self.engine.register(CARD, self.handle_card)
        self.engine.register(EDIT, self.handle_edit)
        self.engine.register(REPLY, self.handle_reply)
        self.engine.register(REPING, self.handle_reping)
        self.engine.register(OWNER, self.handle_owner)

    async def deliver(self, alert_id: int) -> None:
        """The immediate path: the card, the member's reply, then the card edit that shows how it went.

        Each step leases its work item first; whatever the loop (or another process) holds is left to it. Each
        step reads the alert again on purpose: it must see what the step before wrote (the card's message id), or
        what another process did meanwhile. Server settings come from the services' short caches.
        """
        for kind in (CARD, OWNER, REPLY, EDIT):
            await self.engine.run_now(kind, alert_id)

    async def _guild_of(self, alert: Alert) -> discord.Guild | None:
        guild = self.bot.get_guild(alert.guild_id)
        if guild is None:
            log.error("Alert #%d: Haven is not in server %s any more; will retry", alert.id, alert.guild_id)
        return guild

    async def handle_card(self, item: DeliveryItem) -> Outcome:
        """Send an alert's card (or find the one an earlier attempt sent)."""
        alert = await self.crisis.alert(item.ref)
        if alert is None or alert.card_state is CardState.SENT:
            return Outcome.DONE
        guild = await self._guild_of(alert)
        if guild is None:
            await self.crisis.card_failed(alert, self._retry_at(item))
            return Outcome.RETRY
        return await self._send_card(alert, guild, item)

    async def handle_edit(self, item: DeliveryItem) -> Outcome:
        """Bring a sent card up to date (a card not sent yet waits: it will be sent up to date)."""
        alert = await self.crisis.alert(item.ref)
        if alert is None:
            return Outcome.DONE
        if alert.card_state is not CardState.SENT:
            return Outcome.RETRY
        guild = await self._guild_of(alert)
        if guild is None:
            return Outcome.RETRY
        return await self._edit_card(alert, guild)

    async def handle_reply(self, item: DeliveryItem) -> Outcome:
        """The member's private reply, sent once."""
        alert = await self.crisis.alert(item.ref)
        if alert is None or alert.reply_state is not ReplyState.PENDING:
            return Outcome.DONE
        guild = await self._guild_of(alert)
        if guild is None:
            return Outcome.RETRY
        return await self._reply(alert, guild, item)

    def _retry_at(self, item: DeliveryItem) -> datetime:
        return self.parts.clock() + backoff(item.attempts)

    async def _alert_place(
        self, guild: discord.Guild
    ) -> tuple[discord.TextChannel | None, discord.Role | None]:
        settings = await self.parts.guild_settings.get(guild.id)
        channel = guild.get_channel(settings.alert_channel_id) if settings.alert_channel_id else None
        role = guild.get_role(settings.moderator_role_id) if settings.moderator_role_id else None
        return (channel if isinstance(channel, discord.TextChannel) else None), role

    async def _card(self, alert: Alert, guild: discord.Guild) -> tuple[discord.Embed, discord.ui.View]:
        recent = await self.crisis.recent_alert_count(alert.guild_id, alert.member_id, exclude=alert.id)
        locale = guild.preferred_locale
        masked = await self.parts.masks.alias(alert)
        return (
            render_card(self.bot, alert, locale, recent=recent, masked=masked),
            card_view(self.bot, alert, locale, masked=masked),
        )

    async def _send_card(self, alert: Alert, guild: discord.Guild, item: DeliveryItem) -> Outcome:
        recovering = alert.card_state is CardState.SENDING or item.recovering
        await self.crisis.card_sending(alert.id)
        channel, role = await self._alert_place(guild)
        if channel is None:
            await self._undeliverable(alert, guild, "the alert channel is missing", item)
            return Outcome.RETRY
        try:
            if recovering:
                existing = await self._find_card(channel, alert.id)
                if existing is not None:
                    log.info(
                        "Alert #%d: found the card sent before a restart; not sending it again", alert.id
                    )
                    await self.crisis.card_sent(alert, existing.id)
                    return Outcome.DONE
            embed, view = await self._card(alert, guild)
            ping = role is not None and should_ping(alert.severity)
            message = await channel.send(
                content=role.mention if ping and role is not None else None,
                embed=embed,
                view=view,
                allowed_mentions=discord.AllowedMentions(
                    everyone=False, users=False, roles=[role] if ping and role is not None else False
                ),
                nonce=item.nonce,  # discord.py adds enforce_nonce: Discord refuses a second create
            )
        except (discord.Forbidden, discord.NotFound) as exc:
            await self._undeliverable(
                alert, guild, f"Discord refused the card ({exc.status}, code {exc.code})", item
            )
            return Outcome.RETRY
        except (discord.HTTPException, discord.RateLimited, OSError, TimeoutError) as exc:
            when = self._retry_at(item)
            await self.crisis.card_failed(alert, when)
            log.warning("Alert #%d: sending the card failed (%s); retrying at %s", alert.id, _why(exc), when)
            return Outcome.RETRY
        await self.crisis.card_sent(alert, message.id)
        self.bot.metrics.card_delivered(alert)
        return Outcome.DONE

    async def _find_card(self, channel: discord.TextChannel, alert_id: int) -> discord.Message | None:
        """A card for ``alert_id`` already in the channel (sent just before a crash)."""
        ref = card_ref(alert_id)
        me = self.bot.user
        async for message in channel.history(limit=HISTORY_SEARCH):
            if me is None or message.author.id != me.id:
                continue
            if any((e.footer.text or "").startswith(ref + " ") for e in message.embeds):
                return message
        return None

    async def _edit_card(self, alert: Alert, guild: discord.Guild) -> Outcome:
        channel, _ = await self._alert_place(guild)
        if channel is None or alert.card_message_id is None:
            return Outcome.DONE
        embed, view = await self._card(alert, guild)
        try:
            await channel.get_partial_message(alert.card_message_id).edit(embed=embed, view=view)
        except discord.NotFound:
            log.warning("Alert #%d: the card was deleted; not editing it", alert.id)
        except (discord.HTTPException, discord.RateLimited, OSError, TimeoutError) as exc:
            log.warning("Alert #%d: editing the card failed (%s); will retry", alert.id, _why(exc))
            return Outcome.RETRY
        await self.crisis.take_card_edit(alert.id)
        return Outcome.DONE

    async def _undeliverable(self, alert: Alert, guild: discord.Guild, why: str, item: DeliveryItem) -> None:
        """The alert channel is gone or Haven lost permission: retry later, log loudly, tell the owner once."""
        when = self._retry_at(item)
        await self.crisis.card_failed(alert, when, tell_owner=True)
        log.error(
            "ALERT #%d IN SERVER %s COULD NOT BE DELIVERED: %s. Retrying at %s", alert.id, guild.id, why, when
        )

    async def handle_owner(self, item: DeliveryItem) -> Outcome:
        """Tell the server owner, once per alert and without the member's words, that an alert couldn't be posted."""
        alert = await self.crisis.alert(item.ref)
        if alert is None or alert.owner_told:
            return Outcome.DONE
        guild = await self._guild_of(alert)
        if guild is None:
            return Outcome.DONE  # Haven left the server: nobody to tell there
        try:
            owner = guild.owner or await self.bot.fetch_user(guild.owner_id or 0)
            locale = await self.bot.dm_locale(owner.id, guild)
            text = self.bot.i18n.text("crisis.owner.undeliverable", locale, server=guild.name)
            await owner.send(text, nonce=item.nonce)
        except (discord.Forbidden, discord.NotFound) as exc:
            log.error(
                "Alert #%d: couldn't tell the owner of server %s either (%s)", alert.id, guild.id, _why(exc)
            )
            return Outcome.DONE
        except (discord.HTTPException, discord.RateLimited, OSError, TimeoutError) as exc:
            log.warning("Alert #%d: telling the owner failed (%s); will retry", alert.id, _why(exc))
            return Outcome.RETRY
        await self.crisis.owner_told(alert.id)
        return Outcome.DONE

    async def _reply(self, alert: Alert, guild: discord.Guild, item: DeliveryItem) -> Outcome:
        """The kind, private message to the member, with help for their country."""
        settings = await self.crisis.settings(alert.guild_id)
        user = self.bot.get_user(alert.member_id)
        locale: Any = await self.bot.dm_locale(alert.member_id, guild)
        try:
            if user is None:
                user = await self.bot.fetch_user(alert.member_id)
            text = render_member_reply(self.bot, alert, locale, guild.name, tell_member=settings.tell_member)
            answer = await self.parts.resources.answer(
                user_id=alert.member_id, guild_id=None, country_text=None, topic=help_topic(alert.kind)
            )
            embed = render_answer(self.bot.i18n, locale, answer, self.parts.resources.directory)
            view = answer_view(self.bot.i18n, self.parts.resources.directory, locale, answer, in_guild=False)
            await user.send(content=text, embed=embed, view=view, nonce=item.nonce)
        except discord.Forbidden as exc:
            self.bot.metrics.dm_failed("crisis_reply", exc)
            log.info(
                "Alert #%d: the member can't be reached privately (code %s); nothing posted publicly",
                alert.id,
                exc.code,
            )
            await self.crisis.reply_done(alert.id, ReplyState.CLOSED)
            return Outcome.DONE
        except (discord.HTTPException, discord.RateLimited, OSError, TimeoutError) as exc:
            self.bot.metrics.dm_failed("crisis_reply", exc)
            log.warning("Alert #%d: the private reply failed (%s); will retry", alert.id, _why(exc))
            return Outcome.RETRY
        await self.crisis.reply_done(alert.id, ReplyState.SENT)
        return Outcome.DONE

    async def reply_directly(self, user: discord.User | discord.Member, detection: Detection) -> None:
        """A kind reply with help to someone who wrote to Haven, when no server's moderators can be told."""
        kind = detection.kind or Kind.SELF
        key = "crisis.reply.concern" if kind is Kind.CONCERN else "crisis.reply.self"
        locale: Any = await self.bot.dm_locale(user.id, None)
        text = "\n\n".join(
            [self.bot.i18n.text(key, locale), self.bot.i18n.text("crisis.reply.peer_note", locale)]
        )
        answer = await self.parts.resources.answer(
            user_id=user.id, guild_id=None, country_text=None, topic=help_topic(kind)
        )
        embed = render_answer(self.bot.i18n, locale, answer, self.parts.resources.directory)
        try:
            await user.send(
                content=text,
                embed=embed,
                view=answer_view(
                    self.bot.i18n, self.parts.resources.directory, locale, answer, in_guild=False
                ),
            )
        except (discord.HTTPException, discord.RateLimited, OSError) as exc:
            self.bot.metrics.dm_failed("crisis_reply", exc)
            log.warning("Couldn't reply to a direct message in crisis (%s)", _why(exc))

    async def handle_reping(self, item: DeliveryItem) -> Outcome:
        """Ping again for an unclaimed high or imminent alert: the moderator role, then the second role."""
        alert = await self.crisis.alert(item.ref)
        if alert is None or alert.status is not Status.OPEN or alert.card_message_id is None:
            return Outcome.DONE  # claimed or closed meanwhile: no ping
        guild = await self._guild_of(alert)
        if guild is None:
            return Outcome.RETRY
        channel, role = await self._alert_place(guild)
        settings = await self.crisis.settings(alert.guild_id)
        target = role if alert.pings == 0 else guild.get_role(settings.escalation_role_id or 0)
        if channel is None or target is None or not await self.crisis.record_ping(alert):
            return Outcome.DONE
        text = self.bot.i18n.text(
            "crisis.reping", guild.preferred_locale, role=target.mention, ref=card_ref(alert.id)
        )
        try:
            await channel.send(
                text,
                reference=channel.get_partial_message(alert.card_message_id),
                allowed_mentions=discord.AllowedMentions(everyone=False, users=False, roles=[target]),
                mention_author=False,
                nonce=item.nonce,
            )
        except (discord.HTTPException, discord.RateLimited, OSError, TimeoutError) as exc:
            log.warning("Alert #%d: the re-ping failed (%s)", alert.id, _why(exc))
        return Outcome.DONE


def _why(exc: BaseException) -> str:
    if isinstance(exc, discord.HTTPException):
        return f"status {exc.status}, code {exc.code}"
    return type(exc).__name__
