"""Table definitions (SQLAlchemy Core). Migrations under ``migrations/`` create them."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
    true,
)

from bot.storage.types import EncryptedText, UTCDateTime

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

# Per-server settings; later features add their own columns or tables.
guild_settings = Table(
    "guild_settings",
    metadata,
    Column("guild_id", BigInteger, primary_key=True, autoincrement=False),
    Column("alert_channel_id", BigInteger, nullable=True),
    Column("moderator_role_id", BigInteger, nullable=True),
    Column("updated_at", UTCDateTime(), nullable=False),
    # Retention in days (bot/domain/retention.py); alert excerpts keep theirs in crisis_settings.retention_days.
    Column("note_retention_days", Integer, nullable=False, server_default="365"),
    Column("report_retention_days", Integer, nullable=False, server_default="90"),
)

# Small facts the bot keeps about itself, such as the hash of the last synced command set.
bot_state = Table(
    "bot_state",
    metadata,
    Column("key", String(200), primary_key=True),
    Column("value", Text, nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
)

# The country a member chose to remember for /resources (their own choice; deleted on request).
member_country = Table(
    "member_country",
    metadata,
    Column("user_id", BigInteger, primary_key=True, autoincrement=False),
    Column("country_code", String(2), nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
)

# The language of a member's Discord app, seen on their last command or button, so DMs Haven starts itself
# (check-in prompts, buddy messages, a crisis reply) are in their language. Not per server: it is the app's setting.
member_locale = Table(
    "member_locale",
    metadata,
    Column("user_id", BigInteger, primary_key=True, autoincrement=False),
    Column("locale", String(16), nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
)

# Resources a server's moderators added (shown first in that server only).
local_resources = Table(
    "local_resources",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("guild_id", BigInteger, nullable=False, index=True),
    Column("name", String(80), nullable=False),
    Column("description", String(200), nullable=False),
    Column("phone", String(30), nullable=True),
    Column("url", String(200), nullable=True),
    Column("topic", String(40), nullable=True),
    Column("created_by", BigInteger, nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
)

# Correction reports about a listed line, for maintainers (no member identity is stored).
resource_reports = Table(
    "resource_reports",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("guild_id", BigInteger, nullable=True),
    Column("country_code", String(2), nullable=True),
    Column("topic", String(40), nullable=False),
    Column("line_ids", Text, nullable=False),
    Column("text", EncryptedText(1000), nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
)

# --- crisis escalation -------------------------------------------------------------------------------------------

crisis_settings = Table(
    "crisis_settings",
    metadata,
    Column("guild_id", BigInteger, primary_key=True, autoincrement=False),
    Column("scanning", Boolean, nullable=False, server_default=true()),
    Column("auto_reply", Boolean, nullable=False, server_default=true()),
    Column("tell_member", Boolean, nullable=False, server_default=true()),
    Column("allow_optout", Boolean, nullable=False, server_default=true()),
    Column("cooldown_seconds", Integer, nullable=False, server_default="600"),
    Column("reping_seconds", Integer, nullable=False, server_default="300"),
    Column("escalation_role_id", BigInteger, nullable=True),
    Column("retention_days", Integer, nullable=False, server_default="30"),
    Column("transparency_channel_id", BigInteger, nullable=True),
    Column("transparency_message_id", BigInteger, nullable=True),
    Column("updated_at", UTCDateTime(), nullable=False),
)

crisis_phrases = Table(
    "crisis_phrases",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("guild_id", BigInteger, nullable=False),
    Column("phrase", String(100), nullable=False),
    Column("severity", String(10), nullable=False),
    Column("allow", Boolean, nullable=False),
    Column("created_by", BigInteger, nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    UniqueConstraint("guild_id", "phrase", "allow", name="uq_crisis_phrases_guild_id_phrase_allow"),
)

crisis_ignored = Table(
    "crisis_ignored",
    metadata,
    Column("guild_id", BigInteger, primary_key=True, autoincrement=False),
    Column("target_id", BigInteger, primary_key=True, autoincrement=False),
    Column("target_type", String(10), nullable=False),
)

scan_optout = Table(
    "scan_optout",
    metadata,
    Column("user_id", BigInteger, primary_key=True, autoincrement=False),
    Column("created_at", UTCDateTime(), nullable=False),
)

# The outbox: an alert is written here before anything is sent, and delivered (and re-pinged) from here.
crisis_alerts = Table(
    "crisis_alerts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("guild_id", BigInteger, nullable=False),
    Column("member_id", BigInteger, nullable=False),
    Column("channel_id", BigInteger, nullable=True),
    Column("message_id", BigInteger, nullable=False),
    Column("from_dm", Boolean, nullable=False),
    Column("kind", String(12), nullable=False),
    Column("severity", String(10), nullable=False),
    Column("excerpt", EncryptedText(400), nullable=True),
    Column("matched", EncryptedText(), nullable=False),
    Column("status", String(12), nullable=False),
    Column("hits", Integer, nullable=False, server_default="1"),
    Column("card_message_id", BigInteger, nullable=True),
    Column("card_state", String(12), nullable=False),  # pending / sending / sent / failed
    Column("card_attempts", Integer, nullable=False, server_default="0"),
    Column("lease_until", UTCDateTime(), nullable=True),
    Column("next_attempt_at", UTCDateTime(), nullable=True),
    Column("card_dirty", Boolean, nullable=False, server_default=false()),
    Column("reply_state", String(12), nullable=False),  # pending / sent / closed / none
    Column("owner_told", Boolean, nullable=False, server_default=false()),
    Column("pings", Integer, nullable=False, server_default="0"),
    Column("next_ping_at", UTCDateTime(), nullable=True),
    Column("claimed_by", BigInteger, nullable=True),
    Column("claimed_at", UTCDateTime(), nullable=True),
    Column("closed_by", BigInteger, nullable=True),
    Column("closed_at", UTCDateTime(), nullable=True),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
    UniqueConstraint("guild_id", "message_id", name="uq_crisis_alerts_guild_id_message_id"),
    Index("ix_crisis_alerts_due", "card_state", "next_attempt_at"),
    Index("ix_crisis_alerts_guild_member", "guild_id", "member_id", "status"),
)

crisis_reveals = Table(
    "crisis_reveals",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("alert_id", Integer, ForeignKey("crisis_alerts.id", ondelete="CASCADE"), nullable=False),
    Column("moderator_id", BigInteger, nullable=False),
    Column("revealed_at", UTCDateTime(), nullable=False),
)

# --- check-ins ----------------------------------------------------------------------------------------------------

checkin_schedules = Table(
    "checkin_schedules",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("guild_id", BigInteger, nullable=False),
    Column("user_id", BigInteger, nullable=False),
    Column("local_time", String(5), nullable=False),  # HH:MM in the member's timezone
    Column("timezone", String(64), nullable=False),
    Column("days_mask", Integer, nullable=False),
    Column("reminder", Boolean, nullable=False, server_default=false()),
    Column("status", String(12), nullable=False),  # active / paused / stopped / dm_closed
    Column("dm_notice", Boolean, nullable=False, server_default=false()),  # DMs failed; tell the member once
    Column("paused_until", UTCDateTime(), nullable=True),
    Column("next_due_at", UTCDateTime(), nullable=True),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
    UniqueConstraint("guild_id", "user_id", name="uq_checkin_schedules_guild_id_user_id"),
    Index("ix_checkin_schedules_due", "status", "next_due_at"),
)

# A prompt is claimed (inserted) before it is sent and marked after, so a crash never sends one twice.
checkin_prompts = Table(
    "checkin_prompts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("schedule_id", Integer, ForeignKey("checkin_schedules.id", ondelete="CASCADE"), nullable=False),
    Column("due_at", UTCDateTime(), nullable=False),
    # claimed / retry / sent / snoozed / reminded / answered / skipped / missed
    Column("state", String(12), nullable=False),
    Column("message_id", BigInteger, nullable=True),
    Column("claimed_at", UTCDateTime(), nullable=False),
    Column("retry_at", UTCDateTime(), nullable=True),  # Discord failed (5xx, 429, outage): try again then
    Column("attempts", Integer, nullable=False, server_default="0"),
    UniqueConstraint("schedule_id", "due_at", name="uq_checkin_prompts_schedule_id_due_at"),
    Index("ix_checkin_prompts_state", "state", "claimed_at"),
)

checkins = Table(
    "checkins",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("guild_id", BigInteger, nullable=False),
    Column("user_id", BigInteger, nullable=False),
    Column("mood", Integer, nullable=False),
    Column("note", EncryptedText(1000), nullable=True),
    Column("tags", String(200), nullable=False, server_default=""),
    Column("prompt_id", Integer, nullable=True),
    # The /checkin now that offered the mood buttons: one check-in each, however often they are pressed.
    Column("request_id", BigInteger, nullable=True),
    Column("shared_at", UTCDateTime(), nullable=True),  # shared in the server's channel (once)
    Column("created_at", UTCDateTime(), nullable=False),
    UniqueConstraint("prompt_id", name="uq_checkins_prompt_id"),
    Index("ix_checkins_member_time", "guild_id", "user_id", "created_at"),
    Index("ix_checkins_request_id", "request_id", unique=True),
)

checkin_settings = Table(
    "checkin_settings",
    metadata,
    Column("guild_id", BigInteger, primary_key=True, autoincrement=False),
    Column("enabled", Boolean, nullable=False, server_default=true()),
    Column("default_time", String(5), nullable=True),
    Column("share_channel_id", BigInteger, nullable=True),
    Column("moderator_followup", Boolean, nullable=False, server_default=true()),
    Column("updated_at", UTCDateTime(), nullable=False),
)

checkin_members = Table(
    "checkin_members",
    metadata,
    Column("guild_id", BigInteger, primary_key=True, autoincrement=False),
    Column("user_id", BigInteger, primary_key=True, autoincrement=False),
    # After a low check-in, offer buttons to tell their buddy or ask a moderator (the member's own choice).
    Column("follow_up", Boolean, nullable=False, server_default=false()),
    Column("updated_at", UTCDateTime(), nullable=False),
)

# --- buddy pairing

buddy_settings = Table(
    "buddy_settings",
    metadata,
    Column("guild_id", BigInteger, primary_key=True, autoincrement=False),
    Column("topics", Text, nullable=True),  # one per line; None means the default list
    Column("cadence", String(10), nullable=False, server_default="weekly"),
    Column("channel_id", BigInteger, nullable=True),  # private threads when DMs are closed
    Column("listener_role_id", BigInteger, nullable=True),
    Column("odd_rule", String(6), nullable=False, server_default="trio"),
    Column("history_rounds", Integer, nullable=False, server_default="6"),
    Column("round_number", Integer, nullable=False, server_default="0"),
    Column("round_started_at", UTCDateTime(), nullable=True),
    Column("next_round_at", UTCDateTime(), nullable=True),
    Column("updated_at", UTCDateTime(), nullable=False),
    Index("ix_buddy_settings_next_round", "next_round_at"),
)

buddy_members = Table(
    "buddy_members",
    metadata,
    Column("guild_id", BigInteger, primary_key=True, autoincrement=False),
    Column("user_id", BigInteger, primary_key=True, autoincrement=False),
    Column("topics", Text, nullable=False),  # one per line
    Column("timezone", String(64), nullable=False),
    Column("looking_for", String(8), nullable=False),
    Column("intro", EncryptedText(300), nullable=True),
    Column("status", String(8), nullable=False),  # waiting / paired / paused
    Column("paused_until", UTCDateTime(), nullable=True),
    Column("priority", Boolean, nullable=False, server_default=false()),  # goes first next time
    Column("sit_out_round", Integer, nullable=True),  # said "not this time" in this round
    Column("notice", String(40), nullable=True),  # something to tell them privately at their next command
    Column("joined_at", UTCDateTime(), nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
    Index("ix_buddy_members_status", "guild_id", "status"),
)

buddy_pairings = Table(
    "buddy_pairings",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("guild_id", BigInteger, nullable=False),
    Column("round_number", Integer, nullable=False),
    # pending (waiting for everyone's yes) / active / declined / expired / ended / completed
    Column("status", String(10), nullable=False),
    Column("seed", Integer, nullable=False),
    Column("thread_id", BigInteger, nullable=True),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("respond_by", UTCDateTime(), nullable=False),
    Column("halfway_at", UTCDateTime(), nullable=True),
    Column("halfway_sent", Boolean, nullable=False, server_default=false()),
    Column("ended_at", UTCDateTime(), nullable=True),
    Index("ix_buddy_pairings_guild_status", "guild_id", "status"),
    Index("ix_buddy_pairings_status_respond_by", "status", "respond_by"),
)

buddy_pair_members = Table(
    "buddy_pair_members",
    metadata,
    Column("pairing_id", Integer, ForeignKey("buddy_pairings.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", BigInteger, primary_key=True, autoincrement=False),
    Column("guild_id", BigInteger, nullable=False),
    Column("response", String(8), nullable=False, server_default="pending"),  # pending / accepted / declined
    Column("talked", String(8), nullable=True),  # yes / not_yet, from the halfway question
    Column("left", Boolean, nullable=False, server_default=false()),
    Index("ix_buddy_pair_members_member", "guild_id", "user_id"),
)

buddy_blocks = Table(
    "buddy_blocks",
    metadata,
    Column("guild_id", BigInteger, primary_key=True, autoincrement=False),
    Column("user_id", BigInteger, primary_key=True, autoincrement=False),
    Column("blocked_id", BigInteger, primary_key=True, autoincrement=False),
    Column("created_at", UTCDateTime(), nullable=False),
)

# What a member asked moderators about (worried about my buddy, a report): recorded, rate-limited.
buddy_reports = Table(
    "buddy_reports",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("guild_id", BigInteger, nullable=False),
    Column("pairing_id", Integer, nullable=True),
    Column("reporter_id", BigInteger, nullable=False),
    Column("subject_id", BigInteger, nullable=False),
    Column("kind", String(8), nullable=False),  # worried / report
    Column("text", EncryptedText(1000), nullable=True),
    Column("alert_id", Integer, nullable=True),
    Column("created_at", UTCDateTime(), nullable=False),
    Index("ix_buddy_reports_reporter", "guild_id", "reporter_id", "created_at"),
)

# DMs to send (introductions, "you're buddies", endings, the halfway question): written first, sent after.
buddy_outbox = Table(
    "buddy_outbox",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("guild_id", BigInteger, nullable=False),
    Column("user_id", BigInteger, nullable=False),
    Column("pairing_id", Integer, nullable=True),
    Column("kind", String(32), nullable=False),  # intro / buddies / declined_by_other / halfway / ...
    Column("about_id", BigInteger, nullable=True),  # who a "your buddy is having a hard day" DM is about
    Column("state", String(16), nullable=False),  # pending / sending / sent / undeliverable
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("next_attempt_at", UTCDateTime(), nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    Index("ix_buddy_outbox_due", "state", "next_attempt_at"),
)

# --- privacy

# Servers Haven was removed from: their data is deleted after a grace period unless Haven is added back.
guild_removals = Table(
    "guild_removals",
    metadata,
    Column("guild_id", BigInteger, primary_key=True, autoincrement=False),
    Column("removed_at", UTCDateTime(), nullable=False),
    Column("purge_after", UTCDateTime(), nullable=False, index=True),
)

# Members who left a server: their check-ins, notes and schedule there go after a grace period unless they rejoin.
member_departures = Table(
    "member_departures",
    metadata,
    Column("guild_id", BigInteger, primary_key=True, autoincrement=False),
    Column("user_id", BigInteger, primary_key=True, autoincrement=False),
    Column("left_at", UTCDateTime(), nullable=False),
    Column("purge_after", UTCDateTime(), nullable=False, index=True),
)

# --- delivery

delivery_items = Table(
    "delivery_items",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("kind", String(40), nullable=False),  # crisis.card / crisis.edit / crisis.reping / crisis.reply
    Column("ref", BigInteger, nullable=False),  # what the item is about (an alert id)
    Column("due_at", UTCDateTime(), nullable=False),
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("state", String(12), nullable=False),  # pending / leased / done
    Column("lease_owner", String(64), nullable=True),
    Column("lease_until", UTCDateTime(), nullable=True),
    Column("nonce", String(32), nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
    Index("ix_delivery_items_due", "state", "due_at"),
    Index("ix_delivery_items_kind_ref", "kind", "ref", "state"),
    Index("ix_delivery_items_owner", "lease_owner"),
)

delivery_instances = Table(
    "delivery_instances",
    metadata,
    Column("instance_id", String(64), primary_key=True),
    Column("host", String(255), nullable=False),
    Column("pid", Integer, nullable=False),
    Column("started_at", UTCDateTime(), nullable=False),
    Column("heartbeat_at", UTCDateTime(), nullable=False),
)

# --- support requests and peer flags (issue #16)

support_settings = Table(
    "support_settings",
    metadata,
    Column("guild_id", BigInteger, primary_key=True, autoincrement=False),
    Column("listener_role_id", BigInteger, nullable=True),
    Column("channel_id", BigInteger, nullable=True),
    Column("topics", Text, nullable=True),  # comma-separated; NULL: the default topics
    Column("reping_seconds", Integer, nullable=False, server_default="600"),
    Column("store_text", Boolean, nullable=False, server_default=false()),
    Column("retention_days", Integer, nullable=False, server_default="30"),
    Column("requests_per_day", Integer, nullable=False, server_default="3"),
    Column("updated_at", UTCDateTime(), nullable=False),
)

# Listeners who said they are available (or away), with optional hours in their own time zone.
support_listeners = Table(
    "support_listeners",
    metadata,
    Column("guild_id", BigInteger, primary_key=True, autoincrement=False),
    Column("user_id", BigInteger, primary_key=True, autoincrement=False),
    Column("available", Boolean, nullable=False),
    Column("timezone", String(64), nullable=True),
    Column("hours_from", Integer, nullable=True),
    Column("hours_to", Integer, nullable=True),
    Column("updated_at", UTCDateTime(), nullable=False),
)

support_requests = Table(
    "support_requests",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("guild_id", BigInteger, nullable=False),
    Column("member_id", BigInteger, nullable=False),
    Column("anonymous", Boolean, nullable=False),
    Column("alias", Integer, nullable=False),
    Column("topic", String(100), nullable=False),
    Column("first_message", EncryptedText(1000), nullable=True),
    Column("status", String(12), nullable=False),
    Column("listener_user_id", BigInteger, nullable=True),
    Column("thread_id", BigInteger, nullable=True),  # the listener's private thread
    Column(
        "fallback_thread_id", BigInteger, nullable=True
    ),  # the member's private thread when DMs are closed
    Column("card_message_id", BigInteger, nullable=True),
    Column("pings", Integer, nullable=False, server_default="0"),
    Column("feedback_given", Boolean, nullable=False, server_default=false()),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("claimed_at", UTCDateTime(), nullable=True),
    Column("ended_at", UTCDateTime(), nullable=True),
    # A moderator revealed who an anonymous member is, from a crisis alert about the relay (who, when).
    Column("identity_revealed_by", BigInteger, nullable=True),
    Column("identity_revealed_at", UTCDateTime(), nullable=True),
    # Where the member asked (a server channel): a member with closed DMs gets a private thread there.
    Column("origin_channel_id", BigInteger, nullable=True),
    Index("ix_support_requests_guild_status", "guild_id", "status"),
    Index("ix_support_requests_member", "member_id", "status"),
    Index("ix_support_requests_thread", "thread_id"),
)

# Messages across the bridge, kept until relayed; the text is then wiped, or kept for the server's retention period.
support_messages = Table(
    "support_messages",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("request_id", Integer, ForeignKey("support_requests.id", ondelete="CASCADE"), nullable=False),
    Column("from_member", Boolean, nullable=False),
    Column("source_id", BigInteger, nullable=False),  # the Discord message relayed (each is relayed once)
    Column("text", EncryptedText(4000), nullable=True),
    Column("images", Integer, nullable=False, server_default="0"),
    Column("parts_sent", Integer, nullable=False, server_default="0"),
    Column("state", String(12), nullable=False),  # pending / sent / dropped
    Column("created_at", UTCDateTime(), nullable=False),
    Column("sent_at", UTCDateTime(), nullable=True),
    UniqueConstraint("request_id", "source_id", name="uq_support_messages_request_id_source_id"),
)

support_flags = Table(
    "support_flags",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("guild_id", BigInteger, nullable=False),
    Column("reporter_id", BigInteger, nullable=False),  # the flagger: never shown to the author
    Column("subject_id", BigInteger, nullable=False),  # the author of the flagged message
    Column("channel_id", BigInteger, nullable=False),
    Column("message_id", BigInteger, nullable=False),
    Column("note", EncryptedText(500), nullable=True),
    Column("alert_id", Integer, nullable=True),
    Column("bad_faith", Boolean, nullable=False, server_default=false()),
    Column("marked_by", BigInteger, nullable=True),
    Column("created_at", UTCDateTime(), nullable=False),
    Index("ix_support_flags_reporter", "guild_id", "reporter_id", "created_at"),
)

support_checkons = Table(
    "support_checkons",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("guild_id", BigInteger, nullable=False),
    Column("member_id", BigInteger, nullable=False),
    Column("sent_by", BigInteger, nullable=False),
    Column("state", String(12), nullable=False),  # pending / sent / closed (DMs closed)
    Column("created_at", UTCDateTime(), nullable=False),
    Column("sent_at", UTCDateTime(), nullable=True),
    Index("ix_support_checkons_member", "guild_id", "member_id", "created_at"),
)

# Blocks both ways: a member who blocked a listener is never offered to them, and the other way round.
support_blocks = Table(
    "support_blocks",
    metadata,
    Column("guild_id", BigInteger, primary_key=True, autoincrement=False),
    Column("user_id", BigInteger, primary_key=True, autoincrement=False),
    Column("blocked_id", BigInteger, primary_key=True, autoincrement=False),
    Column("created_at", UTCDateTime(), nullable=False),
)

# "Did this help?" is kept only as these counts.
support_feedback = Table(
    "support_feedback",
    metadata,
    Column("guild_id", BigInteger, primary_key=True, autoincrement=False),
    Column("helped", Integer, nullable=False, server_default="0"),
    Column("not_helped", Integer, nullable=False, server_default="0"),
)
