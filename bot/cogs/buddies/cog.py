"""/buddy: members join, pause, leave, end, block and report; the member-left event; rounds as due work.

Moderators' /buddy-admin lives in ``admin.py``; sending the pairing DMs the service queues, in ``delivery.py``.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.cogs.buddies.collaborators import BuddyCollaborators
from bot.cogs.buddies.delivery import BuddyDelivery
from bot.cogs.buddies.intro import intro_embed
from bot.cogs.buddies.views import DYNAMIC_ITEMS, JoinView, pairing_view
from bot.domain.buddy_states import DM, MemberStatus, PairingStatus, Response
from bot.domain.pairing import INTRO_MAX, LookingFor, clean_intro
from bot.domain.timezones import resolve_timezone, timezone_choices
from bot.errors import InvalidInput
from bot.pacing import Pacer

if TYPE_CHECKING:
    from bot.app import HavenBot

log = logging.getLogger(__name__)
ROUNDS_EVERY_SECONDS = 30  # how often due rounds, expiries and halfway questions are looked at

LOOKING_FOR = [
    app_commands.Choice(name="Someone to talk to", value="talk"),
    app_commands.Choice(name="Someone to support", value="support"),
    app_commands.Choice(name="Both", value="both"),
]


class BuddyCog(commands.Cog):
    """Peer buddy pairing."""

    buddy = app_commands.Group(
        name="buddy",
        description="Be paired with a peer who shares your topics, with consent.",
        guild_only=True,
    )

    def __init__(self, bot: HavenBot, parts: BuddyCollaborators, pacer: Pacer) -> None:
        self.bot = bot
        self.parts = parts
        self.buddies = parts.buddies
        self.delivery = parts.engine
        self.sender = BuddyDelivery(bot, parts, pacer)  # the pacer is shared with the check-in prompts

    async def cog_load(self) -> None:
        self.parts.register(self.bot)
        self.bot.add_dynamic_items(*DYNAMIC_ITEMS)
        self.delivery.register(DM, self.sender.handle_dm)
        # Rounds, expiries and halfway questions run from the delivery loop; no loop of our own.
        self.delivery.every(ROUNDS_EVERY_SECONDS, self.run_due_work)

    async def cog_unload(self) -> None:
        await self.sender.finish()
        self.bot.remove_dynamic_items(*DYNAMIC_ITEMS)
        self.parts.unregister(self.bot)

    def _t(self, interaction: discord.Interaction[Any], key: str, **params: Any) -> str:
        return self.bot.i18n.text(key, interaction.locale, **params)

    async def _reply(
        self, interaction: discord.Interaction[Any], text: str, *, in_status: bool = False, **kwargs: Any
    ) -> None:
        """Reply privately; first tell the member about anything Haven couldn't DM them. Inside ``/buddy status``
        a notice says the pairing is shown below, rather than pointing at the command they just used."""
        assert interaction.guild is not None
        notice = await self.buddies.take_notice(interaction.guild.id, interaction.user.id)
        if notice:
            key = f"buddy.notice.{notice}"
            if in_status and f"{key}_in_status" in self.bot.i18n.keys("en"):
                key = f"{key}_in_status"
            text = self._t(interaction, "buddy.notice", what=self._t(interaction, key)) + ("\n\n" + text)
        await interaction.response.send_message(text, ephemeral=True, **kwargs)

    def wake(self) -> None:
        """Send due DMs now instead of at the next delivery tick (after a join or a button)."""
        self.sender.wake()

    # --- member commands

    @buddy.command(name="join")
    @app_commands.describe(
        looking_for="What you're looking for.",
        timezone="Your timezone or a city near you (default: the one from your check-ins).",
        intro="A short hello for your buddy (up to 300 characters).",
    )
    @app_commands.choices(looking_for=LOOKING_FOR)
    async def join(
        self,
        interaction: discord.Interaction[HavenBot],
        looking_for: str,
        timezone: str | None = None,
        intro: app_commands.Range[str, 0, INTRO_MAX] | None = None,
    ) -> None:
        """Join buddy pairing (or change your topics), then choose your topics."""
        assert interaction.guild is not None
        guild_id, user_id = interaction.guild.id, interaction.user.id
        existing = await self.buddies.member(guild_id, user_id)
        if not timezone:
            schedule = await self.parts.checkins.schedule_of(guild_id, user_id)
            timezone = schedule.timezone if schedule else (existing.timezone if existing else None)
        if not timezone:
            raise InvalidInput("buddy.error.need_timezone")
        # Clear answers now, before the topic picker.
        zone = resolve_timezone(timezone, self.parts.checkins.now())
        intro = clean_intro(intro)
        settings = await self.buddies.settings(guild_id)
        roles = [r.id for r in getattr(interaction.user, "roles", [])]
        is_listener = self.buddies.listener_check(settings, LookingFor(looking_for), roles)
        view = JoinView(
            self.bot,
            interaction.locale,
            settings.topics,
            existing.topics if existing else (),
            timezone=zone.key,
            looking_for=LookingFor(looking_for),
            intro=intro,
            is_listener=is_listener,
        )
        await self._reply(interaction, self._t(interaction, "buddy.join.choose", zone=zone.key), view=view)

    @join.autocomplete("timezone")
    async def timezone_autocomplete(
        self, interaction: discord.Interaction[HavenBot], current: str
    ) -> list[app_commands.Choice[str]]:
        now = self.parts.checkins.now()
        found = await asyncio.to_thread(timezone_choices, current[:100], 25, now)
        return [app_commands.Choice(name=label[:100], value=z) for label, z in found]

    @buddy.command(name="status")
    async def status(self, interaction: discord.Interaction[HavenBot]) -> None:
        """Your buddy pairing: topics, and who you're paired with."""
        assert interaction.guild is not None
        state = await self.buddies.status(interaction.guild.id, interaction.user.id)
        member = state.member
        lines = [
            self._t(interaction, "buddy.status.topics", topics=", ".join(member.topics)),
            self._t(
                interaction,
                "buddy.status.looking",
                what=self._t(interaction, f"buddy.looking.{member.looking_for}"),
            ),
            self._t(interaction, "buddy.status.zone", zone=member.timezone),
        ]
        pairing = state.pairing
        if pairing is not None:
            others = " ".join(f"<@{m.user_id}>" for m in pairing.present if m.user_id != interaction.user.id)
            lines.append(self._t(interaction, f"buddy.status.pairing.{pairing.status}", buddies=others))
        elif member.status == MemberStatus.PAUSED and member.paused_until:
            lines.append(
                self._t(
                    interaction, "buddy.status.paused", until=f"<t:{int(member.paused_until.timestamp())}:D>"
                )
            )
        else:
            lines.append(self._t(interaction, "buddy.status.waiting"))
        kwargs: dict[str, Any] = {"allowed_mentions": discord.AllowedMentions.none()}
        if pairing is not None:  # private: who, what you share, their intro (never shown in a thread)
            ids = [m.user_id for m in pairing.members]
            profiles = await self.buddies.profiles(interaction.guild.id, ids)
            kwargs["embed"] = intro_embed(
                self.bot, interaction.locale, interaction.user.id, pairing, profiles
            )
        me = pairing.member(interaction.user.id) if pairing is not None else None
        if (
            pairing is not None
            and pairing.status == PairingStatus.PENDING
            and me is not None
            and me.response == Response.PENDING
        ):
            # The way to answer for someone whose introduction couldn't reach them.
            kwargs["view"] = pairing_view(self.bot, interaction.locale, pairing.id, ("hello", "notnow"))
        await self._reply(interaction, "\n".join(lines), in_status=True, **kwargs)

    @buddy.command(name="pause")
    @app_commands.describe(until="The last day without new pairings, as YYYY-MM-DD.")
    async def pause(self, interaction: discord.Interaction[HavenBot], until: str) -> None:
        """No new buddy for a while (your current pairing goes on)."""
        assert interaction.guild is not None
        day = await self.buddies.pause(interaction.guild.id, interaction.user.id, until)
        await self._reply(interaction, self._t(interaction, "buddy.paused", until=day.isoformat()))

    @buddy.command(name="resume")
    async def resume(self, interaction: discord.Interaction[HavenBot]) -> None:
        """Back in the queue for a buddy now."""
        assert interaction.guild is not None
        result = await self.buddies.resume(interaction.guild.id, interaction.user.id)
        self.bot.metrics.paired(1 if result.paired_with else 0, trigger="join")
        key = "buddy.join.paired" if result.paired_with else "buddy.resumed"
        await self._reply(interaction, self._t(interaction, key, topics=""))
        self.wake()

    @buddy.command(name="leave")
    async def leave(self, interaction: discord.Interaction[HavenBot]) -> None:
        """Leave buddy pairing; your topics and intro are deleted."""
        assert interaction.guild is not None
        await self.buddies.leave(interaction.guild.id, interaction.user.id)
        await self._reply(interaction, self._t(interaction, "buddy.left"))
        self.wake()

    @buddy.command(name="end")
    async def end(self, interaction: discord.Interaction[HavenBot]) -> None:
        """End your current pairing privately; no reason is given to anyone."""
        assert interaction.guild is not None
        await self.buddies.end(interaction.guild.id, interaction.user.id)
        await self._reply(interaction, self._t(interaction, "buddy.ended"))
        self.wake()

    @buddy.command(name="block")
    @app_commands.describe(member="Who you never want to be paired with.")
    async def block(self, interaction: discord.Interaction[HavenBot], member: discord.User) -> None:
        """Never be paired with this person (they aren't told)."""
        assert interaction.guild is not None
        added = await self.buddies.block(interaction.guild.id, interaction.user.id, member.id)
        key = "buddy.blocked" if added else "buddy.blocked_already"
        await self._reply(
            interaction,
            self._t(interaction, key, member=member.mention),
            allowed_mentions=discord.AllowedMentions.none(),
        )
        self.wake()

    @buddy.command(name="unblock")
    @app_commands.describe(member="Who may be paired with you again.")
    async def unblock(self, interaction: discord.Interaction[HavenBot], member: discord.User) -> None:
        """Allow pairing with someone you blocked."""
        assert interaction.guild is not None
        removed = await self.buddies.unblock(interaction.guild.id, interaction.user.id, member.id)
        key = "buddy.unblocked" if removed else "buddy.unblocked_not"
        await self._reply(
            interaction,
            self._t(interaction, key, member=member.mention),
            allowed_mentions=discord.AllowedMentions.none(),
        )

    @buddy.command(name="report")
    @app_commands.describe(member="Who this is about.", what="What happened (only moderators see it).")
    async def report(
        self,
        interaction: discord.Interaction[HavenBot],
        member: discord.User,
        what: app_commands.Range[str, 1, 1000],
    ) -> None:
        """Tell the moderators privately about a problem with someone in pairing."""
        assert interaction.guild is not None
        alert_id = await self.buddies.report(interaction.guild.id, interaction.user.id, member.id, what)
        key = "buddy.reported" if alert_id is not None else "buddy.error.too_many"
        await self._reply(interaction, self._t(interaction, key))
        if alert_id is not None:  # after answering, so a slow Discord never makes the command time out
            await self.parts.deliver_alert(alert_id)

    @commands.Cog.listener()
    async def on_raw_member_remove(self, payload: discord.RawMemberRemoveEvent) -> None:
        await self.buddies.member_left_server(payload.guild_id, payload.user.id)
        await self.delivery.tick()  # the kind notes to their buddies go now

    # --- due work and sending (from the delivery engine)

    async def run_due_work(self) -> None:
        """Rounds that are due, ended pauses, expired introductions, halfway questions (their DMs are queued)."""
        self.bot.metrics.paired(await self.buddies.tick(), trigger="round")
