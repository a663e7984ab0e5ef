"""What must last: the database (SQLite or PostgreSQL, Alembic migrations in ``migrations/``) and the
shortlists, notes and outcomes kept in it."""
