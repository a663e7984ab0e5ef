"""Alembic environment: migrations run on the connection that matchmaker.store.database.upgrade passes
in, or, from the ``alembic`` command line, on the URL in alembic.ini / ``-x url=...``."""

from alembic import context
from sqlalchemy import create_engine

from matchmaker.store.schema import Base

config = context.config


def run(connection) -> None:
    # render_as_batch: SQLite cannot ALTER most constraints; batch mode copies the table instead.
    context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    run(connection)
else:
    from matchmaker.store.database import create_database_engine

    url = context.get_x_argument(as_dictionary=True).get("url") or config.get_main_option("sqlalchemy.url")
    engine = create_database_engine(url) if url else create_engine("sqlite://")
    with engine.begin() as fresh:
        run(fresh)
