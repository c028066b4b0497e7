"""The database: one async engine for SQLite (aiosqlite) or PostgreSQL (asyncpg).

``Database`` tracks writes in flight so that shutdown can let them finish before the engine closes.
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
from collections.abc import AsyncGenerator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from bot.errors import DatabaseError
from bot.storage.crypto import Keyring, attach_keyring

log = logging.getLogger(__name__)

SQLITE_BUSY_TIMEOUT_MS = 5000
WRITE_OPTION = "haven_write"


def safe_url(url: str) -> str:
    """The URL with any password hidden, for messages and logs."""
    return make_url(url).render_as_string(hide_password=True)


def sqlite_path(url: str) -> Path | None:
    """The file behind an SQLite URL, or ``None`` for other engines."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database:
        return None
    return Path(parsed.database)


def _prepare_sqlite_file(path: Path) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DatabaseError(
            f"Can't create the folder for the database file {path.parent}: {exc.strerror}. "
            "Choose another DATABASE_URL or fix the folder's permissions."
        ) from exc
    target = path if path.exists() else path.parent
    if not os.access(target, os.W_OK):
        raise DatabaseError(
            f"Can't write the database file {path}: permission denied. "
            "Choose another DATABASE_URL or fix the file's permissions."
        )


def create_engine(url: str) -> AsyncEngine:
    """Create the async engine for ``url`` with Haven's per-engine settings.

    ``hide_parameters`` keeps member text out of error messages (and so out of logged tracebacks).
    """
    backend = make_url(url).get_backend_name()
    if backend == "sqlite":
        path = sqlite_path(url)
        if path is not None:
            _prepare_sqlite_file(path)
        engine = create_async_engine(
            url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}, hide_parameters=True
        )
        _configure_sqlite(engine)
        return engine
    return create_async_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=5, hide_parameters=True)


def _configure_sqlite(engine: AsyncEngine) -> None:
    """WAL, foreign keys, a busy timeout, secure delete, and real transactions (so DDL is atomic too)."""

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:  # pyright: ignore[reportUnusedFunction]
        # Let SQLAlchemy emit BEGIN itself: pysqlite's own transaction handling skips DDL.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        # Deleted rows are overwritten with zeros, so deleted text can't be read from the file.
        cursor.execute("PRAGMA secure_delete=ON")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(conn: Any) -> None:  # pyright: ignore[reportUnusedFunction]
        # Writers take the write lock up front, so two writers wait in turn instead of failing.
        immediate = conn.get_execution_options().get(WRITE_OPTION, False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


class Database:
    """The open database: transactions for writes, connections for reads, a clean close."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self._in_flight = 0
        self._reads = 0
        self._idle = asyncio.Event()
        self._idle.set()
        self._closing = False

    def use_keyring(self, keyring: Keyring | None) -> None:
        """Encrypt and decrypt members' text through this database with ``keyring`` (see ``storage/crypto.py``)."""
        attach_keyring(self.engine.dialect, keyring)

    @property
    def dialect(self) -> str:
        """``sqlite`` or ``postgresql``."""
        return self.engine.dialect.name

    @classmethod
    async def open(
        cls,
        url: str,
        *,
        connect_timeout: float = 30.0,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> Database:
        """Open the database, retrying with backoff for up to ``connect_timeout`` seconds.

        Raises:
            DatabaseError: with a plain-words reason when it can't be reached in time.
        """
        engine = create_engine(url)
        if engine.dialect.name == "sqlite":
            connect_timeout = 0  # a local file: retrying won't help, say what's wrong at once
        deadline = clock() + connect_timeout
        delay = 0.25
        attempt = 0
        while True:
            attempt += 1
            try:
                async with engine.connect() as conn:
                    await conn.execute(text("SELECT 1"))
                return cls(engine)
            except (TimeoutError, OSError, OperationalError, DBAPIError) as exc:
                permanent = _permanent_problem(exc, url)
                if permanent is not None:  # waiting won't create a database or a role: say so at once
                    await engine.dispose()
                    raise DatabaseError(permanent) from exc
                reason = _reason(exc)
                remaining = deadline - clock()
                if remaining <= 0:
                    await engine.dispose()
                    if engine.dialect.name == "sqlite":
                        raise DatabaseError(
                            f"Can't open the database file {sqlite_path(url)}: {reason}"
                        ) from exc
                    raise DatabaseError(
                        f"Can't reach the database at {safe_url(url)} after {attempt} tries "
                        f"over {connect_timeout:g} s: {reason}"
                    ) from exc
                wait = min(delay, remaining)
                log.warning("Database not reachable yet (%s); retrying in %.1f s", reason, wait)
                await sleep(wait)
                delay = min(delay * 2, 5.0)

    @asynccontextmanager
    async def transaction(self) -> AsyncGenerator[AsyncConnection]:
        """A connection inside one transaction: committed on success, rolled back on error.

        Writes made here are counted, so ``close`` waits for them to finish.
        """
        if self._closing:
            raise DatabaseError("The database is closing; the write was refused.")
        self._in_flight += 1
        self._idle.clear()
        try:
            async with self.engine.connect() as conn:
                await conn.execution_options(**{WRITE_OPTION: True})
                async with conn.begin():
                    yield conn
        finally:
            self._in_flight -= 1
            if self._in_flight == 0 and self._reads == 0:
                self._idle.set()

    @asynccontextmanager
    async def read(self) -> AsyncGenerator[AsyncConnection]:
        """A connection for reads (counted too, so closing never disposes a connection still in use)."""
        self._reads += 1
        self._idle.clear()
        try:
            async with self.engine.connect() as conn:
                yield conn
        finally:
            self._reads -= 1
            if self._in_flight == 0 and self._reads == 0:
                self._idle.set()

    async def scrub_deleted(self) -> None:
        """After deleting member data: make it unreadable in the files too.

        On SQLite ``secure_delete`` has zeroed the rows in the new page images, but the WAL still holds the older
        images; a ``TRUNCATE`` checkpoint copies the new pages into the database file and empties the WAL. On
        PostgreSQL there is nothing to do here (VACUUM reclaims dead rows later; see docs/PRIVACY.md). Never raises:
        the delete itself has already been committed.
        """
        if self.dialect != "sqlite":
            return
        try:
            async with self.engine.connect() as conn:
                busy = await conn.run_sync(_checkpoint)
            if busy:
                log.warning(
                    "The WAL checkpoint after a delete could not finish (readers busy); the next one will finish it"
                )
        except (OSError, DBAPIError) as exc:
            log.warning("The WAL checkpoint after a delete failed (%s)", type(exc).__name__)

    @property
    def closing(self) -> bool:
        """Whether ``close`` was called (new writes are refused)."""
        return self._closing

    @property
    def writes_in_flight(self) -> int:
        """How many write transactions are open right now."""
        return self._in_flight

    async def close(self, *, timeout: float = 10.0) -> None:
        """Refuse new writes, wait up to ``timeout`` seconds for open ones, then close the engine."""
        self._closing = True
        if self._in_flight or self._reads:
            log.info(
                "Waiting for %d database write(s) and %d read(s) to finish", self._in_flight, self._reads
            )
            try:
                await asyncio.wait_for(self._idle.wait(), timeout)
            except TimeoutError:
                log.error("%d database write(s) did not finish in %.0f s", self._in_flight, timeout)
        await self.engine.dispose()


def _quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _permanent_problem(exc: BaseException, url: str) -> str | None:
    """A PostgreSQL answer that retrying can't change (no such database or role, wrong password), in plain words.

    Recognised by SQLSTATE: 3D000 invalid_catalog_name, 28000 invalid_authorization_specification, 28P01
    invalid_password.
    """
    original = getattr(exc, "orig", None)
    sqlstate = getattr(original, "sqlstate", None) or getattr(original, "pgcode", None)
    if sqlstate not in ("3D000", "28000", "28P01"):
        return None
    parsed = make_url(url)
    where = f"{parsed.host or 'localhost'}:{parsed.port or 5432}"
    database, user = parsed.database or "", parsed.username or ""
    owner = f" OWNER {_quote_ident(user)}" if user else ""
    if sqlstate == "3D000":
        return (
            f"The PostgreSQL database {database!r} doesn't exist on {where}. Create it as a PostgreSQL "
            f"superuser (for example with psql), then start Haven again:\n    CREATE DATABASE {_quote_ident(database)}{owner};"
        )
    if sqlstate == "28000" and "does not exist" in _reason(exc):
        return (
            f"The PostgreSQL role {user!r} doesn't exist on {where}. Create it as a PostgreSQL superuser "
            f"(for example with psql), then start Haven again:\n    CREATE ROLE {_quote_ident(user)} LOGIN "
            "PASSWORD 'choose-a-password';\n    (and put that password in DATABASE_URL: "
            "postgresql://user:password@host/db)"
        )
    if sqlstate == "28P01":
        return f"PostgreSQL on {where} refused the password for role {user!r}. Check the password in DATABASE_URL."
    return (
        f"PostgreSQL on {where} refused the login for role {user!r} ({_reason(exc)}). Check the user in "
        "DATABASE_URL and the server's pg_hba.conf."
    )


def _checkpoint(sync_conn: Any) -> bool:
    """Run ``PRAGMA wal_checkpoint(TRUNCATE)`` outside any transaction; True when readers kept it from finishing."""
    cursor = sync_conn.connection.dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        row = cursor.fetchone()
    finally:
        cursor.close()
    return bool(row and row[0])


def _reason(exc: BaseException) -> str:
    original = getattr(exc, "orig", None) or exc
    text_ = str(original).strip().splitlines()[0] if str(original).strip() else type(original).__name__
    return text_[:200]
