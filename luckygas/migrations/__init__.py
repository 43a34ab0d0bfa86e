"""Alembic migrations for the luckygas schema (run them with :func:`luckygas.schema.upgrade`)."""
