"""Encryption at rest through the real bot: members' words are unreadable in the database file, readable in Haven."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import discord
import pytest
import simcord

from bot.storage.engine import Database, sqlite_path
from tests.helpers import fields, haven

MARKERS = {
    "note": "zebra-notebook-41",
    "intro": "walrus-kite-52",
    "crisis": "otter-lantern-63",
    "dm": "heron-quilt-74",
    "report": "lynx-pebble-85",
    "buddy_report": "moth-anchor-96",
}


class Server:
    def __init__(self, env: simcord.Env) -> None:
        self.env = env
        self.guild = env.create_guild("Support Circle")
        self.general = self.guild.create_text_channel("general")
        self.alerts = self.guild.create_text_channel("mod-alerts")
        self.mods = self.guild.create_role("Mods", permissions=discord.Permissions(manage_guild=True))
        self.moderator = self.guild.add_member(env.create_user("mod"), roles=[self.mods])
        self.robin = self.guild.add_member(env.create_user("robin"))
        self.sam = self.guild.add_member(env.create_user("sam"))

    def cards(self) -> list[discord.Message]:
        return [m for m in self.alerts.history() if m.embeds]


async def write_every_kind_of_text(env: simcord.Env) -> Server:
    """A check-in note, buddy intros, a buddy report, a crisis message, a DM to Haven and a correction report."""
    s = Server(env)
    await s.moderator.slash(s.general, "setup alerts", channel=s.alerts, role=s.mods)
    shown = await s.robin.slash(s.general, "checkin now")
    assert shown.response is not None
    saved = await s.robin.click(shown.response.message, label="Okay")
    assert saved.response is not None
    form = await s.robin.click(saved.response.message, label="Add a note")
    await s.robin.submit_modal(form, {"note": f"a long day {MARKERS['note']}"})
    for member, intro in ((s.robin, MARKERS["intro"]), (s.sam, "I like long walks.")):
        joined = await member.slash(
            s.general, "buddy join", looking_for="both", timezone="Europe/Berlin", intro=intro
        )
        assert joined.response is not None
        await member.select(joined.response.message, ["Stress"])
        await env.advance_time(1)
    await s.sam.slash(s.general, "buddy report", member=s.robin.user, what=f"Rude. {MARKERS['buddy_report']}")
    await s.robin.send(s.general, f"I want to kill myself tonight {MARKERS['crisis']}")
    await s.sam.send_dm(f"i want to end my life {MARKERS['dm']}")
    first = await s.robin.slash(s.general, "resources", country="JP")
    assert first.response is not None
    report = await s.robin.click(first.response.message, label="Report a problem")
    await s.robin.submit_modal(report, {"details": f"The line rang out. {MARKERS['report']}"})
    await env.advance_time(1)
    return s


def database_bytes(database: Database) -> bytes:
    path = sqlite_path(database.engine.url.render_as_string(hide_password=False))
    assert path is not None
    files = [path, Path(f"{path}-wal")]
    assert files[1].is_file(), "expected the recent writes in the WAL"
    return b"".join(f.read_bytes() for f in files)


@pytest.mark.parametrize("engine", ["sqlite"], indirect=True)
async def test_the_database_file_holds_no_member_words(env: simcord.Env, database: Database) -> None:
    s = await write_every_kind_of_text(env)
    assert len(s.cards()) == 4, "the crisis message, the DM and the two reports each raised a card"

    raw = database_bytes(database)

    for kind, marker in MARKERS.items():
        assert marker.encode() not in raw, f"the {kind} marker is readable in the database file"
    for matched in (b"kill myself", b"end my life", b"rang out", b"a long day"):
        assert matched not in raw
    assert b"hv1:" in raw  # the text is there, encrypted


async def test_members_and_moderators_still_read_the_words_through_haven(
    env: simcord.Env, database: Database
) -> None:
    s = await write_every_kind_of_text(env)

    export = await s.robin.slash(s.general, "checkin export")
    assert export.response is not None
    [attachment] = export.response.attachments
    [_, row] = list(csv.reader(io.StringIO((await attachment.read()).decode("utf-8"))))
    assert MARKERS["note"] in row[3]
    sam_intro = [m for m in s.sam.user.dm_channel.history() if "has a buddy for you" in m.content]
    assert sam_intro and MARKERS["intro"] in str(sam_intro[-1].embeds[0].to_dict())
    cards = {fields(c.embeds[0]).get("Where", ""): c for c in s.cards()}
    texts = " ".join(str(c.embeds[0].to_dict()) for c in s.cards())
    assert MARKERS["crisis"] in texts and MARKERS["buddy_report"] in texts and MARKERS["report"] in texts
    dm_card = cards["A direct message to Haven"]
    revealed = await s.moderator.click(dm_card, label="Reveal")
    assert revealed.response is not None and MARKERS["dm"] in revealed.response.content
    reports = await haven(env).services.resources.recent_reports()
    assert MARKERS["report"] in str(reports[0]["text"])
