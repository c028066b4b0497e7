"""/buddy and /buddy-admin, and the delivery engine's handler that sends pairing DMs from the outbox."""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.cogs._loops import finish_tasks
from bot.cogs.buddies.collaborators import BuddyCollaborators
from bot.cogs.buddies.intro import intro_embed
from bot.cogs.buddies.messages import render, render_for_thread
from bot.cogs.buddies.views import DYNAMIC_ITEMS, JoinView, pairing_view
from bot.domain.buddy_states import DM, DmKind, MemberStatus, PairingStatus, Response
from bot.domain.delivery import DeliveryItem, Outcome
from bot.domain.pairing import INTRO_MAX, Cadence, LookingFor, OddRule, clean_intro
from bot.domain.timezones import resolve_timezone, timezone_choices
from bot.errors import InvalidInput
from bot.pacing import Pacer, ready_to_dm
from bot.permissions import require_manage_guild
from bot.services.buddies import NeedListenerRole, OutboxRow

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
    admin = app_commands.Group(
        name="buddy-admin",
        description="Buddy pairing for this server: topics, cadence, channel, rounds, stats (moderators).",
        default_permissions=discord.Permissions(manage_guild=True),
        guild_only=True,
    )

    def __init__(self, bot: HavenBot, parts: BuddyCollaborators, pacer: Pacer) -> None:
        self.bot = bot
        self.parts = parts
        self.buddies = parts.buddies
        self.delivery = parts.engine
        self.pacer = pacer  # shared with the check-in prompts
        self._woken: set[asyncio.Task[int]] = set()

    async def cog_load(self) -> None:
        self.parts.register(self.bot)
        self.bot.add_dynamic_items(*DYNAMIC_ITEMS)
        self.delivery.register(DM, self.handle_dm)
        # Rounds, expiries and halfway questions run from the delivery loop; no loop of our own.
        self.delivery.every(ROUNDS_EVERY_SECONDS, self.run_due_work)

    async def cog_unload(self) -> None:
        await finish_tasks(self._woken)
        self.bot.remove_dynamic_items(*DYNAMIC_ITEMS)
        self.parts.unregister(self.bot)

    async def interaction_check(self, interaction: discord.Interaction[HavenBot]) -> bool:  # type: ignore[override]
        command = interaction.command
        if isinstance(command, app_commands.Command) and command.root_parent is self.admin:
            require_manage_guild(interaction)
        return True

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
        task = asyncio.get_running_loop().create_task(self.delivery.tick())
        self._woken.add(task)  # keep a reference until it finishes, or asyncio may drop it half-way
        task.add_done_callback(self._woken.discard)

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
        roles = getattr(interaction.user, "roles", [])
        is_listener = settings.listener_role_id is not None and any(
            r.id == settings.listener_role_id for r in roles
        )
        if looking_for == LookingFor.SUPPORT and settings.listener_role_id is not None and not is_listener:
            raise NeedListenerRole()  # say so now, before the topic picker
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

    # --- moderator commands

    @admin.command(name="topics")
    @app_commands.describe(topics="Comma-separated, up to 25, e.g. Anxiety, Grief, Work or school, Gaming.")
    async def admin_topics(self, interaction: discord.Interaction[HavenBot], topics: str) -> None:
        """Set the topics members choose from."""
        assert interaction.guild is not None
        settings = await self.buddies.update_settings(interaction.guild.id, topics_text=topics)
        await interaction.response.send_message(
            self._t(interaction, "buddy.admin.topics", topics=", ".join(settings.topics)), ephemeral=True
        )

    @admin.command(name="settings")
    @app_commands.describe(
        cadence="How often new pairs are made.",
        channel="Where private threads go for members whose DMs are closed.",
        clear_channel="Stop using a buddy channel.",
        listener_role="Only members with this role may choose 'someone to support'.",
        clear_listener_role="Anyone may offer support.",
        odd_number="With an odd number: one group of three, or the one left over goes first next time.",
    )
    @app_commands.choices(
        cadence=[
            app_commands.Choice(name="Weekly", value="weekly"),
            app_commands.Choice(name="Every two weeks", value="biweekly"),
            app_commands.Choice(name="Monthly", value="monthly"),
        ],
        odd_number=[
            app_commands.Choice(name="One group of three", value="trio"),
            app_commands.Choice(name="Left over goes first next round", value="next"),
        ],
    )
    async def admin_settings(
        self,
        interaction: discord.Interaction[HavenBot],
        cadence: str | None = None,
        channel: discord.TextChannel | None = None,
        clear_channel: bool = False,
        listener_role: discord.Role | None = None,
        clear_listener_role: bool = False,
        odd_number: str | None = None,
    ) -> None:
        """See or change buddy pairing for this server."""
        assert interaction.guild is not None
        s = await self.buddies.update_settings(
            interaction.guild.id,
            cadence=Cadence(cadence) if cadence else None,
            channel_id=channel.id if channel else None,
            clear_channel=clear_channel,
            listener_role_id=listener_role.id if listener_role else None,
            clear_listener_role=clear_listener_role,
            odd_rule=OddRule(odd_number) if odd_number else None,
        )
        embed = discord.Embed(title=self._t(interaction, "buddy.admin.title"))
        embed.add_field(
            name=self._t(interaction, "buddy.admin.cadence"),
            value=self._t(interaction, f"buddy.cadence.{s.cadence.value}"),
        )
        embed.add_field(
            name=self._t(interaction, "buddy.admin.channel"),
            value=f"<#{s.channel_id}>" if s.channel_id else "-",
        )
        embed.add_field(
            name=self._t(interaction, "buddy.admin.listener"),
            value=f"<@&{s.listener_role_id}>" if s.listener_role_id else "-",
        )
        embed.add_field(
            name=self._t(interaction, "buddy.admin.odd"),
            value=self._t(interaction, f"buddy.odd.{s.odd_rule.value}"),
        )
        nxt = f"<t:{int(s.next_round_at.timestamp())}:F>" if s.next_round_at else "-"
        embed.add_field(name=self._t(interaction, "buddy.admin.next"), value=nxt)
        embed.add_field(
            name=self._t(interaction, "buddy.admin.topics_field"),
            value=", ".join(s.topics)[:1024],
            inline=False,
        )
        await interaction.response.send_message(embed=embed, ephemeral=True)

    @admin.command(name="run")
    async def admin_run(self, interaction: discord.Interaction[HavenBot]) -> None:
        """Start a new round now (the current round's pairs finish)."""
        assert interaction.guild is not None
        await interaction.response.defer(ephemeral=True, thinking=True)
        result = await self.buddies.run_round(interaction.guild.id)
        self.bot.metrics.paired(result.pairings if result else 0, trigger="round")
        if result is None:
            await interaction.followup.send(self._t(interaction, "buddy.admin.run_raced"), ephemeral=True)
            return
        await interaction.followup.send(
            self._t(
                interaction,
                "buddy.admin.ran",
                pairs=self._t(interaction, "buddy.admin.pairings", count=result.pairings),
                left=self._t(interaction, "buddy.admin.left", count=len(result.left_over)),
            ),
            ephemeral=True,
        )
        self.wake()

    @admin.command(name="remove")
    @app_commands.describe(member="The member to take out of buddy pairing.")
    async def admin_remove(self, interaction: discord.Interaction[HavenBot], member: discord.User) -> None:
        """Take a member out of buddy pairing (their buddy is told kindly)."""
        assert interaction.guild is not None
        removed = await self.buddies.remove(interaction.guild.id, member.id)
        key = "buddy.admin.removed" if removed else "buddy.admin.not_member"
        await interaction.response.send_message(
            self._t(interaction, key, member=member.mention),
            ephemeral=True,
            allowed_mentions=discord.AllowedMentions.none(),
        )
        self.wake()

    @admin.command(name="stats")
    async def admin_stats(self, interaction: discord.Interaction[HavenBot]) -> None:
        """Counts only: waiting, active pairs, acceptance, pairs that talked."""
        assert interaction.guild is not None
        s = await self.buddies.stats(interaction.guild.id)
        answered = s["accepted"] + s["declined"]
        rate = f"{100 * s['accepted'] / answered:.0f}%" if answered else "-"
        talked = f"{s['talked']} / {s['asked_halfway']}" if s["asked_halfway"] else "-"
        await interaction.response.send_message(
            self._t(
                interaction,
                "buddy.admin.stats",
                waiting=s["waiting"],
                active=s["active"],
                pairings=s["pairings"],
                rate=rate,
                talked=talked,
            ),
            ephemeral=True,
        )

    # --- due work and sending (from the delivery engine)

    async def run_due_work(self) -> None:
        """Rounds that are due, ended pauses, expired introductions, halfway questions (their DMs are queued)."""
        self.bot.metrics.paired(await self.buddies.tick(), trigger="round")

    async def handle_dm(self, item: DeliveryItem) -> Outcome:
        """Send one queued pairing DM (falling back to a private thread), paced by the shared DM budget."""
        row = await self.buddies.message(item.ref)
        if row is None:
            return Outcome.DONE  # sent, undeliverable or cancelled already
        guild = self.bot.get_guild(row.guild_id)
        locale = await self.bot.dm_locale(row.user_id, guild)
        pairing = await self.buddies.pairing(row.pairing_id) if row.pairing_id else None
        if guild is not None and guild.chunked and guild.get_member(row.user_id) is None:
            # They left while Haven was offline (no member-remove event): end their pairings kindly instead.
            await self.buddies.member_left_server(row.guild_id, row.user_id)
            await self.buddies.message_cancelled(row.id)
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
