"""Alembic environment: Haven always hands in an open connection (see ``bot.storage.migrate``)."""

from __future__ import annotations

from alembic import context

from bot.storage.schema import metadata

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - guarded by bot.storage.migrate
    raise RuntimeError("Run migrations with `python -m bot migrate`, which provides the connection.")

context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
    # One transaction for the whole upgrade: a failing migration leaves the previous revision intact.
    transaction_per_migration=False,
)
with context.begin_transaction():
    context.run_migrations()
