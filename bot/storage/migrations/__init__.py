"""Alembic migrations: the environment and the numbered revisions under versions/."""
