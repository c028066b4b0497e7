"""The numbered Alembic revisions, applied in order by ``bot.storage.migrate``."""
