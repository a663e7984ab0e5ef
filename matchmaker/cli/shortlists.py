"""The commands of the shortlist database: ``shortlists`` lists the saved ones, ``outcomes`` writes
the recorded outcomes as labelled pairs, ``backup`` copies the database to a file."""

from __future__ import annotations

import sys
from pathlib import Path

from .options import database_option
from .session import database_url


def open_store(args):
    """The shortlist store of ``--database`` (default: the environment's database)."""
    from matchmaker.store.shortlists import ShortlistStore

    return ShortlistStore.open(database_url(args))


def add_shortlists(commands) -> None:
    parser = commands.add_parser("shortlists", help="the saved shortlists (id, name, author, entries)")
    database_option(parser)


def shortlists(args) -> int:
    saved = open_store(args).shortlists()
    if not saved:
        print("No saved shortlists yet. Add suggestions to one in the dashboard (./dev.sh dashboard).", file=sys.stderr)
    for record in saved:
        print(
            f"{record.id}\t{record.name}\t{record.author or '-'}\t{record.entries} entries\t"
            f"changed {record.updated_at:%Y-%m-%d %H:%M} UTC\t{record.dataset or '-'}"
        )
    return 0


def add_outcomes(commands) -> None:
    parser = commands.add_parser("outcomes", help="recorded outcomes as labelled pairs (de_id, cn_id, grade, ...)")
    parser.add_argument(
        "--out", type=Path, required=True, help=".csv or .xlsx; `evaluate`, `tune` and the notebooks read it"
    )
    parser.add_argument("--history", action="store_true", help="every recorded step instead of one label per pair")
    database_option(parser)


def outcomes(args) -> int:
    from matchmaker.exports.tables import write_table

    store = open_store(args)
    table = store.outcome_history() if args.history else store.outcome_labels()
    path = write_table(table, args.out, sheet="Outcomes")
    what = "recorded steps" if args.history else "labelled pairs"
    print(f"{len(table)} {what} written to {path}", file=sys.stderr)
    return 0


def add_backup(commands) -> None:
    parser = commands.add_parser(
        "backup", help="copy the shortlist database to a file (SQLite online backup; safe while others save)"
    )
    parser.add_argument("--out", type=Path, required=True, help="the backup file (replaced once the copy is complete)")
    database_option(parser)


def backup(args) -> int:
    from matchmaker.store.database import backup_database

    url = database_url(args)
    path = backup_database(url, args.out)
    print(f"backup of {url} written to {path} ({path.stat().st_size:,} bytes)", file=sys.stderr)
    return 0
