"""Shared fixtures: databases on both engines, the real bot in simcord, and Discord payload checks."""

from __future__ import annotations

import asyncio
import os
import shutil
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import simcord

from bot.app import HavenBot
from bot.storage import migrate
from bot.storage.crypto import Keyring, generate_key, set_default_keyring
from bot.storage.engine import Database
from bot.wiring import build_bot
from tests.discord_spec import request_problems

# Members' text is encrypted at rest: databases the tests open use this key unless a test attaches its own.
TEST_KEYRING = Keyring.from_text(generate_key())
set_default_keyring(TEST_KEYRING)

PG_ENV = "TEST_DATABASE_URL"
PG_SKIP_REASON = f"{PG_ENV} is not set; PostgreSQL tests run when it points at a server (see README, Testing)"
ENGINES = ["sqlite", "postgresql"]
_PG_LEFT_OUT = pytest.StashKey[int]()


class FakeClock:
    """A clock the test moves by hand."""

    def __init__(self, start: datetime | None = None) -> None:
        self.now = start or datetime(2026, 11, 22, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kwargs: float) -> None:
        self.now += timedelta(**kwargs)


# simcord waits this long in real time for the bot to go idle before it calls a wait a hang. Its default (5 s) is
# tight when three test workers share each core of a 2-core CI machine: the bot there is slow, not stuck, and a test
# failed on the wall clock says nothing about Haven. The assertions are the same; only the hang detector is patient.
SETTLE_TIMEOUT = float(os.environ.get("SIMCORD_SETTLE_TIMEOUT", "20"))


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Every simcord test gets the patient settle timeout; without a PostgreSQL server, its variants are left out
    and counted once in the summary."""
    for item in items:
        if item.get_closest_marker("simcord") is None:
            item.add_marker(pytest.mark.simcord(settle_timeout=SETTLE_TIMEOUT))
    if _pg_admin_url() is not None:
        return
    kept: list[pytest.Item] = []
    left_out: list[pytest.Item] = []
    for item in items:
        callspec = getattr(item, "callspec", None)
        engine = callspec.params.get("engine") if callspec is not None else None
        (left_out if engine == "postgresql" else kept).append(item)
    if left_out:
        config.hook.pytest_deselected(items=left_out)
        items[:] = kept
        config.stash[_PG_LEFT_OUT] = len(left_out)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter, config: pytest.Config) -> None:
    if _pg_admin_url() is not None:
        return
    count = config.stash.get(_PG_LEFT_OUT, 0)  # with pytest-xdist the workers count, not this process
    what = f"{count} PostgreSQL tests" if count else "The PostgreSQL variants of the storage and bot tests"
    terminalreporter.write_line(f"{what} were not run: {PG_SKIP_REASON}.", yellow=True)


@pytest.fixture
async def world(env: simcord.Env, clock: FakeClock):  # -> tests.kit.World (the kit imports this module)
    """A ``tests.kit.World``: a server with #general, #mod-alerts, a moderator role, a moderator and Robin."""
    from tests.kit import World

    return World(env, clock)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def _pg_admin_url() -> str | None:
    url = os.environ.get(PG_ENV, "").strip()
    if not url:
        return None
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        url = "postgresql+asyncpg://" + url.split("://", 1)[1]
    return url


async def _create_pg_database(admin_url: str) -> tuple[str, str]:
    import asyncpg

    name = f"haven_test_{uuid.uuid4().hex[:12]}"
    conn = await asyncpg.connect(admin_url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    base = admin_url.rsplit("/", 1)[0]
    return f"{base}/{name}", name


async def _drop_pg_database(admin_url: str, name: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(admin_url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


@pytest.fixture(params=ENGINES)
def engine(request: pytest.FixtureRequest) -> str:
    """Which database engine a test runs on: SQLite always, PostgreSQL when TEST_DATABASE_URL is set."""
    if request.param == "postgresql" and _pg_admin_url() is None:
        pytest.skip(PG_SKIP_REASON)
    return str(request.param)


@pytest.fixture
async def db_url(engine: str, tmp_path: Path) -> AsyncIterator[str]:
    """An empty database URL on each engine: an SQLite file, and a fresh PostgreSQL database."""
    if engine == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'haven.db'}"
        return
    admin = _pg_admin_url()
    assert admin is not None
    url, name = await _create_pg_database(admin)
    try:
        yield url
    finally:
        await _drop_pg_database(admin, name)


async def _migrated(url: str) -> None:
    db = await Database.open(url, connect_timeout=5)
    try:
        await migrate.upgrade(db)
    finally:
        await db.close()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file, made once per test process and copied for each test."""
    path = tmp_path_factory.mktemp("template") / "haven.db"
    asyncio.run(_migrated(f"sqlite+aiosqlite:///{path}"))
    return path


@pytest.fixture(scope="session")
def pg_migrated() -> Iterator[str | None]:
    """One migrated PostgreSQL database per test process; each test empties it before use."""
    admin = _pg_admin_url()
    if admin is None:
        yield None
        return
    url, name = asyncio.run(_create_pg_database(admin))
    asyncio.run(_migrated(url))
    try:
        yield url
    finally:
        asyncio.run(_drop_pg_database(admin, name))


async def _empty_pg_tables(url: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        names = await conn.fetch(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'alembic_version'"
        )
        tables = ", ".join(f'"{row["tablename"]}"' for row in names)
        async with conn.transaction():
            if tables:
                await conn.execute(f"TRUNCATE TABLE {tables} RESTART IDENTITY CASCADE")
            # A test may have marked the database as newer than the code; put the real head back.
            await conn.execute("UPDATE alembic_version SET version_num = $1", migrate.head_revision())
    finally:
        await conn.close()


@pytest.fixture
async def database(
    engine: str, tmp_path: Path, sqlite_template: Path, pg_migrated: str | None
) -> AsyncIterator[Database]:
    """An open, migrated, empty database on each engine.

    SQLite: a copy of a file migrated once per process. PostgreSQL: one migrated database per process (so parallel
    workers never share one), emptied before each test. Tests of migrations themselves use ``db_url``.
    """
    if engine == "sqlite":
        path = tmp_path / "haven.db"
        shutil.copyfile(sqlite_template, path)
        url = f"sqlite+aiosqlite:///{path}"
    else:
        assert pg_migrated is not None
        url = pg_migrated
        await _empty_pg_tables(url)
    db = await Database.open(url, connect_timeout=5)
    await migrate.upgrade(db)
    try:
        yield db
    finally:
        await db.close()


@pytest.fixture
async def simcord_bot(database: Database, clock: FakeClock) -> AsyncIterator[HavenBot]:
    """The real Haven bot on a migrated database (simcord starts it)."""
    bot = build_bot(database, clock=clock)
    try:
        yield bot
    finally:
        await bot.close_resources()


@pytest.fixture
def env(simcord_env: simcord.Env) -> Iterator[simcord.Env]:
    """The simulated Discord; afterwards every REST request the bot sent must be valid for Discord."""
    yield simcord_env
    problems = [
        problem
        for request in simcord_env.http_requests
        for problem in request_problems(request.method, request.path, request.json)
    ]
    assert not problems, "The bot sent requests Discord would reject:\n" + "\n".join(problems)
