"""Sending pairing DMs from the outbox: the delivery engine's handler, with a private thread as the fallback.

Each DM is a work item the engine leases before this runs; the buddy service says whether it is still wanted and
records how it went (sent, undeliverable, retry), so a restart loses nothing.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any

import discord

from bot.cogs._loops import finish_tasks
from bot.cogs.buddies.collaborators import BuddyCollaborators
from bot.cogs.buddies.messages import render, render_for_thread
from bot.domain.buddy_states import DmKind
from bot.domain.delivery import DeliveryItem, Outcome
from bot.pacing import Pacer, ready_to_dm
from bot.services.buddies import OutboxRow

if TYPE_CHECKING:
    from bot.app import HavenBot

log = logging.getLogger(__name__)


class BuddyDelivery:
    """The Discord side of pairing DMs: the handler the delivery engine runs, and ``wake`` to send them now."""

    def __init__(self, bot: HavenBot, parts: BuddyCollaborators, pacer: Pacer) -> None:
        self.bot = bot
        self.buddies = parts.buddies
        self.engine = parts.engine
        self.pacer = pacer  # shared with the check-in prompts
        self._woken: set[asyncio.Task[int]] = set()

    def wake(self) -> None:
        """Send due DMs now instead of at the next delivery tick (after a join or a button)."""
        task = asyncio.get_running_loop().create_task(self.engine.tick())
        self._woken.add(task)  # keep a reference until it finishes, or asyncio may drop it half-way
        task.add_done_callback(self._woken.discard)

    async def finish(self) -> None:
        """Wait for the sends ``wake`` started (on unload)."""
        await finish_tasks(self._woken)

    async def handle_dm(self, item: DeliveryItem) -> Outcome:
        """Send one queued pairing DM (falling back to a private thread), paced by the shared DM budget."""
        row = await self.buddies.message(item.ref)
        if row is None:
            return Outcome.DONE  # sent, undeliverable or cancelled already
        guild = self.bot.get_guild(row.guild_id)
        locale = await self.bot.dm_locale(row.user_id, guild)
        pairing = await self.buddies.pairing(row.pairing_id) if row.pairing_id else None
        if guild is not None and guild.chunked and guild.get_member(row.user_id) is None:
            await self.buddies.left_while_offline(row)  # no member-remove event reached Haven
            return Outcome.DONE
        if not self.buddies.deliverable(row, pairing):
            await self.buddies.message_cancelled(row.id)
            return Outcome.DONE
        profiles = (
            await self.buddies.profiles(row.guild_id, [m.user_id for m in pairing.members]) if pairing else {}
        )
        content, embeds, view = render(self.bot, locale, row, guild, pairing, profiles)
        try:
            user = await ready_to_dm(self.bot, self.pacer, row.user_id)
            kwargs: dict[str, Any] = {"embeds": embeds, "allowed_mentions": discord.AllowedMentions.none()}
            if view is not None:
                kwargs["view"] = view
            await user.send(content, nonce=item.nonce, **kwargs)
        except discord.Forbidden as exc:
            self.bot.metrics.dm_failed("buddy", exc)
            # "Your buddy is having a hard day" stays between the two of them: never in a thread moderators can read.
            if (
                row.kind != DmKind.NUDGE
                and pairing is not None
                and await self._thread_fallback(
                    row,
                    guild,
                    pairing.id,
                    *render_for_thread(self.bot, locale, row, guild, pairing, profiles),
                )
            ):
                await self.buddies.message_sent(row.id)
                return Outcome.DONE
            await self.buddies.message_undeliverable(row)
            log.info(
                "Buddy DM %d (%s): DMs closed and no thread possible; told at next command", row.id, row.kind
            )
            return Outcome.DONE
        except (discord.HTTPException, discord.RateLimited, OSError, TimeoutError) as exc:
            self.bot.metrics.dm_failed("buddy", exc)
            log.warning("Buddy DM %d could not be sent (%s)", row.id, type(exc).__name__)
            return Outcome.RETRY if await self.buddies.message_failed(row, item.attempts) else Outcome.DONE
        await self.buddies.message_sent(row.id)
        return Outcome.DONE

    async def _thread_fallback(
        self,
        row: OutboxRow,
        guild: discord.Guild | None,
        pairing_id: int,
        content: str,
        embeds: list[discord.Embed],
        view: discord.ui.View | None,
    ) -> bool:
        """A private thread in the buddy channel that only the pair (and Haven) can see."""
        if guild is None:
            return False
        settings = await self.buddies.settings(guild.id)
        channel = guild.get_channel(settings.channel_id) if settings.channel_id else None
        if not isinstance(channel, discord.TextChannel):
            return False
        pairing = await self.buddies.pairing(pairing_id)
        if pairing is None:
            return False
        try:
            thread = guild.get_thread(pairing.thread_id) if pairing.thread_id else None
            if thread is None:
                await self.pacer.wait()
                thread = await channel.create_thread(
                    name=self.bot.i18n.text("buddy.thread.name", guild.preferred_locale)[:100],
                    type=discord.ChannelType.private_thread,
                    invitable=False,
                    auto_archive_duration=10080,
                )
                await self.buddies.set_thread(pairing_id, thread.id)
            await self.pacer.wait()
            await thread.add_user(discord.Object(id=row.user_id))
            kwargs: dict[str, Any] = {
                "embeds": embeds,
                "allowed_mentions": discord.AllowedMentions(users=[discord.Object(id=row.user_id)]),
            }
            if view is not None:
                kwargs["view"] = view
            await self.pacer.wait()
            await thread.send(f"<@{row.user_id}> {content}"[:2000], **kwargs)
        except discord.HTTPException:
            log.info("Buddy DM %d: the private thread could not be used either", row.id)
            return False
        return True
