"""/checkin commands and the loop that sends scheduled prompts by DM."""

from __future__ import annotations

import asyncio
import csv
import functools
import io
import logging
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import discord
from discord import app_commands
from discord.ext import commands

from bot.cogs.checkins.collaborators import CheckinCollaborators
from bot.cogs.checkins.history import Text, alt_text, chart_text
from bot.cogs.checkins.views import DYNAMIC_ITEMS, DeleteConfirmView, mood_view
from bot.domain.checkins import (
    EVERY_DAY,
    PROMPT,
    REMINDER,
    WEEKDAYS,
    WEEKENDS,
    Mood,
    spreadsheet_safe,
    suggest_days,
    trend_word,
)
from bot.domain.delivery import DeliveryItem, Outcome
from bot.domain.timezones import display_zone, format_offset, timezone_choices
from bot.errors import InvalidInput
from bot.pacing import Pacer, ready_to_dm
from bot.permissions import require_manage_guild
from bot.services.checkins import CheckinsDisabled, ScheduleView
from bot.ui.chart import mood_chart

if TYPE_CHECKING:
    from bot.app import HavenBot

log = logging.getLogger(__name__)
SCHEDULE_EVERY_SECONDS = 30  # how often due schedules become prompts


class CheckinCog(commands.Cog):
    """Mood check-ins."""

    checkin = app_commands.Group(
        name="checkin", description="Mood check-ins, now or by DM on a schedule.", guild_only=True
    )
    admin = app_commands.Group(
        name="checkin-admin",
        description="Check-ins for this server: on or off, default time, shared channel, weekly mood (moderators).",
        default_permissions=discord.Permissions(manage_guild=True),
        guild_only=True,
    )

    def __init__(self, bot: HavenBot, parts: CheckinCollaborators, pacer: Pacer) -> None:
        self.bot = bot
        self.parts = parts
        self.checkins = parts.checkins
        self.delivery = parts.engine
        self.pacer = pacer  # shared with the other cogs that send DMs in bulk

    async def cog_load(self) -> None:
        self.parts.register(self.bot)
        self.bot.add_dynamic_items(*DYNAMIC_ITEMS)
        self.delivery.register(PROMPT, self.handle_prompt)
        self.delivery.register(REMINDER, self.handle_reminder)
        # Due schedules become prompts (and their delivery items) from the delivery loop; no loop of our own.
        self.delivery.every(SCHEDULE_EVERY_SECONDS, self.checkins.claim_due)

    async def cog_unload(self) -> None:
        self.bot.remove_dynamic_items(*DYNAMIC_ITEMS)
        self.parts.unregister(self.bot)

    async def interaction_check(self, interaction: discord.Interaction[HavenBot]) -> bool:  # type: ignore[override]
        command = interaction.command
        if not isinstance(command, app_commands.Command) or interaction.guild is None:
            return True
        if command.root_parent is self.admin:
            require_manage_guild(interaction)
        elif command.name in ("now", "schedule", "resume"):
            try:
                await self.checkins.require_enabled(interaction.guild.id)
            except CheckinsDisabled as exc:
                # Checks must raise CheckFailure to reach the error funnel; the cause carries the kind wording.
                raise app_commands.CheckFailure() from exc
        return True

    def _t(self, interaction: discord.Interaction[Any], key: str, **params: Any) -> str:
        return self.bot.i18n.text(key, interaction.locale, **params)

    def _text(self, interaction: discord.Interaction[Any]) -> Text:
        return functools.partial(self._t, interaction)

    async def _reply(self, interaction: discord.Interaction[Any], text: str, **kwargs: Any) -> None:
        """Reply privately, telling the member first if their schedule was paused because DMs were closed."""
        assert interaction.guild is not None
        if await self.checkins.dm_closed_notice(interaction.guild.id, interaction.user.id):
            text = self._t(interaction, "checkin.dm_closed") + "\n\n" + text
        await interaction.response.send_message(text, ephemeral=True, **kwargs)

    # --- commands

    @checkin.command(name="now")
    async def now(self, interaction: discord.Interaction[HavenBot]) -> None:
        """Check in now: how are you feeling? Only you see it."""
        assert interaction.guild is not None
        view = mood_view(
            self.bot, interaction.locale, 0, interaction.guild.id, scheduled=False, request_id=interaction.id
        )
        await self._reply(interaction, self._t(interaction, "checkin.now.prompt"), view=view)

    @checkin.command(name="schedule")
    @app_commands.describe(
        timezone="Your timezone or a city near you, e.g. Europe/Berlin or New York.",
        time="When, in your own time: 21:30, 9pm or 9:30 am (default: the server's time).",
        days="Every day (default), weekdays, weekends, or days like mon wed fri.",
        reminder="A gentle reminder a few hours later if you haven't answered.",
    )
    async def schedule(
        self,
        interaction: discord.Interaction[HavenBot],
        timezone: str,
        time: str | None = None,
        days: str = "every day",
        reminder: bool = False,
    ) -> None:
        """Get a check-in by DM at the same local time each day."""
        assert interaction.guild is not None
        view = await self.checkins.set_schedule(
            interaction.guild.id, interaction.user.id, time, timezone, days, reminder=reminder
        )
        await self._reply(
            interaction, self._t(interaction, "checkin.schedule.saved", **self._describe(interaction, view))
        )

    @schedule.autocomplete("timezone")
    async def timezone_autocomplete(
        self, interaction: discord.Interaction[HavenBot], current: str
    ) -> list[app_commands.Choice[str]]:
        # A typo falls back to a fuzzy search over ~40,000 names: off the event loop, like the chart.
        found = await asyncio.to_thread(timezone_choices, current[:100], 25, self.checkins.now())
        return [app_commands.Choice(name=label[:100], value=z) for label, z in found]

    @schedule.autocomplete("days")
    async def days_autocomplete(
        self, interaction: discord.Interaction[HavenBot], current: str
    ) -> list[app_commands.Choice[str]]:
        return [app_commands.Choice(name=d, value=d) for d in suggest_days(current[:100])]

    @checkin.command(name="show")
    async def show(self, interaction: discord.Interaction[HavenBot]) -> None:
        """See your check-in schedule."""
        assert interaction.guild is not None
        view = await self.checkins.schedule_of(interaction.guild.id, interaction.user.id)
        if view is None:
            await self._reply(interaction, self._t(interaction, "checkin.schedule.none"))
            return
        params = self._describe(interaction, view)
        params["status"] = self._t(interaction, f"checkin.status.{view.status}")
        await self._reply(interaction, self._t(interaction, "checkin.schedule.show", **params))

    @checkin.command(name="pause")
    @app_commands.describe(until="The last day without check-ins, as YYYY-MM-DD (up to a year ahead).")
    async def pause(self, interaction: discord.Interaction[HavenBot], until: str) -> None:
        """Pause your check-ins until a date."""
        assert interaction.guild is not None
        try:
            day = date.fromisoformat(until.strip())
        except ValueError:
            raise InvalidInput("checkin.error.bad_date") from None
        await self.checkins.pause(interaction.guild.id, interaction.user.id, day)
        await self._reply(interaction, self._t(interaction, "checkin.paused", date=day.isoformat()))

    @checkin.command(name="resume")
    async def resume(self, interaction: discord.Interaction[HavenBot]) -> None:
        """Start your check-ins again."""
        assert interaction.guild is not None
        view = await self.checkins.resume(interaction.guild.id, interaction.user.id)
        await interaction.response.send_message(
            self._t(interaction, "checkin.resumed", next=self._describe(interaction, view)["next"]),
            ephemeral=True,
        )

    @checkin.command(name="stop")
    async def stop(self, interaction: discord.Interaction[HavenBot]) -> None:
        """Stop scheduled check-ins (your past check-ins stay yours)."""
        assert interaction.guild is not None
        await self.checkins.stop(interaction.guild.id, interaction.user.id)
        await interaction.response.send_message(self._t(interaction, "checkin.stopped"), ephemeral=True)

    @checkin.command(name="history")
    @app_commands.describe(days="How far back to look.")
    @app_commands.choices(days=[app_commands.Choice(name=f"{n} days", value=n) for n in (7, 30, 90, 365)])
    async def history(self, interaction: discord.Interaction[HavenBot], days: int = 30) -> None:
        """Your moods over time, privately."""
        assert interaction.guild is not None
        summary, _zone = await self.checkins.summary(interaction.guild.id, interaction.user.id, days)
        if summary.count == 0:
            await self._reply(interaction, self._t(interaction, "checkin.history.none"))
            return
        average = summary.average or 0
        tags = ", ".join(self._t(interaction, f"checkin.tag.{tag}") for tag, _ in summary.top_tags) or "-"
        word = self._t(interaction, f"checkin.mood.{Mood(round(average)).value}")
        trend = self._t(interaction, f"checkin.trend.{trend_word(summary.trend)}")
        text = self._t(
            interaction,
            "checkin.history.summary",
            count=summary.count,
            average=f"{average:.1f}",
            word=word,
            trend=trend,
            tags=tags,
        )
        alt = alt_text(self._text(interaction), summary, f"{average:.1f}", word, trend)
        embed = discord.Embed(
            title=self._t(interaction, "checkin.history.title", days=days), description=text + "\n\n" + alt
        )
        embed.set_footer(text=self._t(interaction, "checkin.history.legend"))
        # Drawing takes a few milliseconds; do it off the event loop so other members aren't kept waiting.
        png = await asyncio.to_thread(
            mood_chart,
            summary.daily,
            summary.rolling,
            summary.days[0],
            chart_text(self._text(interaction), summary),
        )
        embed.set_image(url="attachment://mood.png")
        # The attachment's description is what screen readers announce for the image.
        chart = discord.File(io.BytesIO(png), filename="mood.png", description=alt[:1024])
        await self._reply(interaction, "", embed=embed, file=chart)

    @checkin.command(name="export")
    async def export(self, interaction: discord.Interaction[HavenBot]) -> None:
        """Download your check-ins in this server as CSV, privately."""
        assert interaction.guild is not None
        rows = await self.checkins.export_rows(interaction.guild.id, interaction.user.id)
        if not rows:  # nothing stored: say so, rather than an empty file
            await self._reply(interaction, self._t(interaction, "checkin.export.none"))
            return
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(["time_utc", "mood", "tags", "note"])
        # A note such as "=HYPERLINK(...)" must stay text when the file is opened in a spreadsheet.
        writer.writerows([spreadsheet_safe(c) if isinstance(c, str) else c for c in row] for row in rows)
        # UTF-8 with a byte-order mark, so spreadsheets (Excel) show accents and emoji in notes correctly.
        file = discord.File(io.BytesIO(buffer.getvalue().encode("utf-8-sig")), filename="haven-checkins.csv")
        await self._reply(interaction, self._t(interaction, "checkin.export.ready"), file=file)

    @checkin.command(name="follow-up")
    @app_commands.describe(
        offer="After a low check-in, show buttons to ask a moderator or let your buddy know."
    )
    async def follow_up(self, interaction: discord.Interaction[HavenBot], offer: bool) -> None:
        """Whether low check-ins offer buttons to reach a moderator or your buddy (sent only if you press)."""
        assert interaction.guild is not None
        await self.checkins.set_follow_up(interaction.guild.id, interaction.user.id, offer)
        key = "checkin.follow_up.on" if offer else "checkin.follow_up.off"
        await self._reply(interaction, self._t(interaction, key))

    @checkin.command(name="delete")
    async def delete(self, interaction: discord.Interaction[HavenBot]) -> None:
        """Delete all your check-ins, notes and schedule in this server, for good (asks first)."""
        assert interaction.guild is not None
        view = DeleteConfirmView(self.bot.i18n, interaction.locale, interaction.guild.id)
        await interaction.response.send_message(
            self._t(interaction, "checkin.delete.ask"), view=view, ephemeral=True
        )

    def _describe(self, interaction: discord.Interaction[Any], view: ScheduleView) -> dict[str, Any]:
        if view.days == EVERY_DAY:
            days = self._t(interaction, "checkin.days.every")
        elif view.days == WEEKDAYS:
            days = self._t(interaction, "checkin.days.weekdays")
        elif view.days == WEEKENDS:
            days = self._t(interaction, "checkin.days.weekends")
        else:
            days = ", ".join(self._t(interaction, f"day.{d}") for d in sorted(view.days))
        nxt = f"<t:{int(view.next_local.timestamp())}:F>" if view.next_local else "-"
        local = self.checkins.now().astimezone(ZoneInfo(view.timezone))
        return {
            "time": view.local_time,
            "zone": display_zone(view.timezone),
            "days": days,
            "next": nxt,
            "local_now": local.strftime("%H:%M"),
            "offset": format_offset(local.utcoffset() or timedelta(0)),
        }

    @commands.Cog.listener()
    async def on_raw_member_remove(self, payload: discord.RawMemberRemoveEvent) -> None:
        await self.checkins.member_left(payload.guild_id, payload.user.id)

    # --- /checkin-admin

    @admin.command(name="settings")
    @app_commands.describe(
        enabled="Check-ins on or off in this server.",
        default_time="The time members get if they don't choose one (e.g. 20:00).",
        share_channel="A channel where members may choose to share a check-in (asked each time).",
        clear_share_channel="Stop offering to share check-ins.",
        moderator_followup="After a low check-in, members may ask a moderator to reach out.",
    )
    async def admin_settings(
        self,
        interaction: discord.Interaction[HavenBot],
        enabled: bool | None = None,
        default_time: str | None = None,
        share_channel: discord.TextChannel | None = None,
        clear_share_channel: bool = False,
        moderator_followup: bool | None = None,
    ) -> None:
        """See or change check-ins for this server."""
        assert interaction.guild is not None
        current = await self.checkins.update_server_settings(
            interaction.guild.id,
            enabled=enabled,
            default_time=default_time,
            share_channel_id=share_channel.id if share_channel else None,
            clear_share_channel=clear_share_channel,
            moderator_followup=moderator_followup,
        )
        on, off = self._t(interaction, "crisis.settings.on"), self._t(interaction, "crisis.settings.off")
        embed = discord.Embed(title=self._t(interaction, "checkin.admin.title"))
        embed.add_field(
            name=self._t(interaction, "checkin.admin.enabled"), value=on if current.enabled else off
        )
        embed.add_field(
            name=self._t(interaction, "checkin.admin.default_time"), value=current.default_time or "-"
        )
        share = f"<#{current.share_channel_id}>" if current.share_channel_id else off
        embed.add_field(name=self._t(interaction, "checkin.admin.share_channel"), value=share)
        embed.add_field(
            name=self._t(interaction, "checkin.admin.moderator_followup"),
            value=on if current.moderator_followup else off,
        )
        await interaction.response.send_message(embed=embed, ephemeral=True)

    @admin.command(name="mood")
    async def admin_mood(self, interaction: discord.Interaction[HavenBot]) -> None:
        """This server's average mood last week (only with at least 5 members; nobody's own check-ins)."""
        assert interaction.guild is not None
        week = await self.checkins.weekly_mood(interaction.guild.id)
        params = {"start": week.first_day.isoformat(), "end": week.last_day.isoformat()}
        if week.average is None:  # too few to show: not even how many, so nobody can be singled out
            text = self._t(interaction, "checkin.admin.mood_hidden", **params)
        else:
            text = self._t(
                interaction, "checkin.admin.mood", average=week.average, members=week.members, **params
            )
        await interaction.response.send_message(text, ephemeral=True)

    # --- sending prompts and reminders (handlers of the delivery engine)

    async def handle_prompt(self, item: DeliveryItem) -> Outcome:
        """Send one scheduled prompt by DM (the engine leased it; it retries with its one backoff policy)."""
        prompt = await self.checkins.prompt_to_send(item.ref)
        if prompt is None:
            return Outcome.DONE  # answered, stopped, paused, turned off, or past the grace window
        guild = self.bot.get_guild(prompt.guild_id)
        locale = await self.bot.dm_locale(prompt.user_id, guild)
        try:
            user = await ready_to_dm(self.bot, self.pacer, prompt.user_id)
            message = await user.send(
                self.bot.i18n.text("checkin.prompt.dm", locale, server=guild.name if guild else ""),
                view=mood_view(self.bot, locale, prompt.id, prompt.guild_id, scheduled=True),
                nonce=item.nonce,  # Discord refuses a second create of the same prompt
            )
        except discord.Forbidden as exc:
            self.bot.metrics.dm_failed("checkin_prompt", exc)
            await self.checkins.dms_closed(prompt)
            log.info("Check-in prompt %d: DMs closed; schedule paused", prompt.id)
            return Outcome.DONE
        except discord.NotFound as exc:
            self.bot.metrics.dm_failed("checkin_prompt", exc)
            await self.checkins.member_left(prompt.guild_id, prompt.user_id)  # the account is gone
            log.info("Check-in prompt %d: user not found; schedule stopped", prompt.id)
            return Outcome.DONE
        except (discord.HTTPException, discord.RateLimited, OSError, TimeoutError) as exc:
            # Not delivered: the engine tries again after its backoff, within the grace window.
            self.bot.metrics.dm_failed("checkin_prompt", exc)
            log.warning(
                "Check-in prompt %d could not be sent (%s); will retry", prompt.id, type(exc).__name__
            )
            return Outcome.RETRY
        await self.checkins.prompt_sent(prompt, message.id)
        self.bot.metrics.prompt_sent()
        return Outcome.DONE

    async def handle_reminder(self, item: DeliveryItem) -> Outcome:
        """One gentle reminder, a few hours after an unanswered prompt, for members who asked for it."""
        prompt = await self.checkins.reminder_to_send(item.ref, item.due_at)
        if prompt is None:
            return Outcome.DONE
        guild = self.bot.get_guild(prompt.guild_id)
        try:
            user = await ready_to_dm(self.bot, self.pacer, prompt.user_id)
            locale = await self.bot.dm_locale(prompt.user_id, guild)
            await user.send(self.bot.i18n.text("checkin.reminder", locale), nonce=item.nonce)
        except (discord.Forbidden, discord.NotFound) as exc:
            self.bot.metrics.dm_failed("checkin_reminder", exc)
            log.info("Check-in reminder %d could not be sent", prompt.id)
            return Outcome.DONE
        except (discord.HTTPException, discord.RateLimited, OSError, TimeoutError) as exc:
            self.bot.metrics.dm_failed("checkin_reminder", exc)
            log.info("Check-in reminder %d could not be sent; will retry within the hour", prompt.id)
            return Outcome.RETRY
        await self.checkins.reminded(prompt.id)
        return Outcome.DONE
