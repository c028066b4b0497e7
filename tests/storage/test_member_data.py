"""The registry of member data covers every table that holds a member's id, so none can be forgotten."""

from __future__ import annotations

import re

from sqlalchemy import BigInteger

from bot.storage.guild_data import server_tables
from bot.storage.member_data import REGISTRY
from bot.storage.schema import metadata

# Snowflake columns whose names say they hold a Discord user's id: a member, a moderator, whoever did something.
PERSON = re.compile(r"^(.*user.*|.*member.*|.*_by|reporter_id|subject_id|blocked_id|moderator_id|about_id)$")


def _is_person(column: object) -> bool:
    return isinstance(getattr(column, "type", None), BigInteger) and bool(
        PERSON.match(getattr(column, "name", ""))
    )


def _person_columns() -> dict[str, set[str]]:
    found = {table.name: {c.name for c in table.columns if _is_person(c)} for table in metadata.sorted_tables}
    return {name: columns for name, columns in found.items() if columns}


def test_every_table_with_a_person_id_is_in_the_registry() -> None:
    registered = {c.table: {m.name for m in c.columns} for c in REGISTRY}

    missing = {
        table: columns - registered.get(table, set())
        for table, columns in _person_columns().items()
        if columns - registered.get(table, set())
    }

    assert missing == {}, (
        "These tables hold a person's id but bot/storage/member_data.py REGISTRY doesn't say how /privacy export "
        f"and /privacy delete cover them: {missing}"
    )


def test_the_registry_names_real_tables_and_columns_and_says_why_it_keeps_any() -> None:
    for coverage in REGISTRY:
        table = metadata.tables[coverage.table]
        for column in coverage.columns:
            assert column.name in table.c, f"{coverage.table}.{column.name}"
            assert column.handling != "kept" or column.why, (
                f"{coverage.table}.{column.name}: say why it's kept"
            )
        if coverage.via:
            assert coverage.via in metadata.tables and "guild_id" in metadata.tables[coverage.via].c
        if coverage.per_user:
            assert "guild_id" not in table.c
        else:
            assert "guild_id" in table.c or coverage.via, coverage.table


def test_the_pattern_finds_the_known_member_columns() -> None:
    found = _person_columns()
    assert {"checkins", "buddy_reports", "crisis_alerts", "member_country"} <= set(found)
    assert found["buddy_reports"] == {"reporter_id", "subject_id"}


def test_removing_a_server_covers_every_table_with_a_server_column() -> None:
    names = {t.name for t in server_tables()}
    assert {"checkins", "crisis_alerts", "buddy_pair_members", "guild_settings"} <= names
    assert "guild_removals" not in names and "member_country" not in names
