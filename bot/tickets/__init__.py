"""Handover tickets: storage (SQLAlchemy + Alembic), outbox, notification and the staff CLI."""
