"""The encrypted columns as a whole: which keys their values are under, and re-encrypting them in batches.

Values are read and written raw here (``type_coerce`` to plain TEXT), so this module sees ciphertext, decides with
the keyring, and writes each value back only if nobody changed it meanwhile: it is safe while Haven is running.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Table,
    Text,
    and_,
    bindparam,
    func,
    literal,
    or_,
    select,
    type_coerce,
    update,
)
from sqlalchemy.exc import DBAPIError

from bot.storage import schema
from bot.storage.crypto import HEADER_LENGTH, PREFIX, Keyring
from bot.storage.engine import Database
from bot.storage.types import EncryptedText

PLAIN: str = ""  # the "key id" of legacy plain text in a census
BATCH_SIZE = 500


def encrypted_columns() -> list[tuple[Table, str]]:
    """Every (table, column) that holds encrypted text, found from the schema (so a new one is never missed)."""
    return [
        (table, column.name)
        for table in schema.metadata.sorted_tables
        for column in table.columns
        if isinstance(column.type, EncryptedText)
    ]


def _raw(table: Table, column: str) -> ColumnElement[str]:
    return type_coerce(table.c[column], Text())


async def key_census(db: Database) -> Counter[str]:
    """How many stored values each key id encrypted (``PLAIN`` counts legacy plain text). Tables not yet
    created count as empty."""
    census: Counter[str] = Counter()
    for table, column in encrypted_columns():
        raw = _raw(table, column)
        header = func.substr(raw, 1, HEADER_LENGTH)
        query = (
            select(header, func.count())
            .where(raw.like(PREFIX + "%"))
            .group_by(header)
            .union_all(
                select(literal(PLAIN), func.count()).where(raw.is_not(None), raw.not_like(PREFIX + "%"))
            )
        )
        try:
            async with db.read() as conn:
                rows = (await conn.execute(query)).all()
        except DBAPIError:
            continue  # the table doesn't exist yet (before the migrations ran)
        for head, count in rows:
            if count:
                census[str(head)[len(PREFIX) : HEADER_LENGTH - 1] if head else PLAIN] += int(count)
    return census


async def sample_values(db: Database, key_ids: set[str]) -> dict[str, str]:
    """One stored value under each of ``key_ids``, to prove a key really opens them."""
    found: dict[str, str] = {}
    for table, column in encrypted_columns():
        raw = _raw(table, column)
        for kid in key_ids - set(found):
            async with db.read() as conn:
                value = (
                    await conn.execute(select(raw).where(raw.like(f"{PREFIX}{kid}:%")).limit(1))
                ).scalar()
            if value is not None:
                found[kid] = value
    return found


@dataclass
class Progress:
    """What a re-encryption pass did."""

    rewritten: int = 0
    changed_meanwhile: int = 0  # written by Haven during the pass; left as Haven wrote it


async def reencrypt(
    db: Database, keyring: Keyring, *, only_plain: bool = False, batch_size: int = BATCH_SIZE
) -> Progress:
    """Put every value under the keyring's newest key (``only_plain``: encrypt legacy plain text only).

    Each batch is one short transaction; a value is written back only if it is still what was read.
    Raises ``DataKeyError`` (before writing that batch) when a value doesn't open with the keyring.
    """
    progress = Progress()
    for table, column in encrypted_columns():
        await _reencrypt_column(db, keyring, table, column, only_plain, batch_size, progress)
    return progress


async def _reencrypt_column(
    db: Database,
    keyring: Keyring,
    table: Table,
    column: str,
    only_plain: bool,
    batch: int,
    progress: Progress,
) -> None:
    raw = _raw(table, column)
    keys = list(table.primary_key.columns)
    wanted = raw.not_like(PREFIX + "%") if only_plain else raw.not_like(f"{PREFIX}{keyring.current_id}:%")
    last: tuple[Any, ...] | None = None
    while True:
        query = select(*keys, raw).where(raw.is_not(None), wanted).order_by(*keys).limit(batch)
        if last is not None:
            query = query.where(_after(keys, last))
        async with db.read() as conn:
            rows = [tuple(r) for r in (await conn.execute(query)).all()]
        if not rows:
            return
        params = [
            {
                **{f"pk_{i}": v for i, v in enumerate(row[:-1])},
                "old": row[-1],
                "new": _rewrite(keyring, row[-1]),
            }
            for row in rows
        ]
        same_row = and_(*(k == bindparam(f"pk_{i}") for i, k in enumerate(keys)), raw == bindparam("old"))
        statement = update(table).where(same_row).values({column: bindparam("new", type_=Text())})
        async with db.transaction() as conn:
            result = await conn.execute(statement, params)
            # asyncpg reports no row count for a batch: there every row tried is counted as rewritten.
            done = result.rowcount if conn.dialect.supports_sane_multi_rowcount else len(params)
        progress.rewritten += done
        progress.changed_meanwhile += len(params) - done
        last = rows[-1][:-1]


def _rewrite(keyring: Keyring, value: str) -> str:
    """The value under the keyring's newest key (raises ``DataKeyError`` when it doesn't open)."""
    return keyring.encrypt(keyring.decrypt(value))


def _after(keys: list[Any], last: tuple[Any, ...]) -> ColumnElement[bool]:
    """Rows whose primary key comes after ``last`` (keyset pagination, also for composite keys)."""
    clauses: list[ColumnElement[bool]] = []
    for i, key in enumerate(keys):
        equal = [keys[j] == last[j] for j in range(i)]
        clauses.append(and_(*equal, key > last[i]))
    return or_(*clauses)
