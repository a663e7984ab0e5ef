"""Argument types and the options several commands share: the read limits of a profiles file, the
database, who acts (``--as``), PROFILES or ``--registry``, and the model and weights of a ranking."""

from __future__ import annotations

import argparse
from pathlib import Path

from matchmaker import config as C


def language_code(value: str) -> str:
    if value not in ("de", "zh", "en"):
        raise argparse.ArgumentTypeError(f"language must be de, zh or en; got {value!r}")
    return value


def positive_int(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive whole number, got {value!r}") from None
    if number < 1:
        raise argparse.ArgumentTypeError(f"expected a positive whole number, got {number}")
    return number


def positive_number(value: str) -> float:
    try:
        number = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive number, got {value!r}") from None
    if not number > 0:
        raise argparse.ArgumentTypeError(f"expected a positive number, got {value}")
    return number


def limit_options(command: argparse.ArgumentParser) -> None:
    """The read limits of a profiles file (matchmaker.io.limits), each with its default."""
    from matchmaker.io import limits as L

    group = command.add_argument_group("limits of the profiles file (a file beyond one is refused with a message)")
    group.add_argument("--max-file-mb", type=positive_number, default=L.MAX_FILE_BYTES / 2**20, metavar="MB")
    group.add_argument("--max-unpacked-mb", type=positive_number, default=L.MAX_UNPACKED_BYTES / 2**20, metavar="MB")
    group.add_argument("--max-rows", type=positive_int, default=L.MAX_ROWS, metavar="N")
    group.add_argument("--max-columns", type=positive_int, default=L.MAX_COLUMNS, metavar="N")
    group.add_argument("--max-cells", type=positive_int, default=L.MAX_CELLS, metavar="N")
    group.add_argument("--max-seconds", type=positive_number, default=L.MAX_SECONDS, metavar="S")


def limits(args):
    """The :class:`ReadLimits` of the options :func:`limit_options` added."""
    from matchmaker.io.limits import ReadLimits

    return ReadLimits(
        max_bytes=int(args.max_file_mb * 2**20),
        max_rows=args.max_rows,
        max_columns=args.max_columns,
        max_cells=args.max_cells,
        max_unpacked_bytes=int(args.max_unpacked_mb * 2**20),
        max_seconds=args.max_seconds,
    )


def database_option(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--database",
        default=None,
        metavar="URL",
        help="SQLAlchemy URL (default: MATCHMAKER_DATABASE_URL, else SQLite in the user data folder)",
    )


def actor_option(command: argparse.ArgumentParser) -> None:
    """``--as LOGIN``: act as that user, with that user's rights (password: first line of standard input)."""
    command.add_argument(
        "--as",
        dest="as_login",
        metavar="LOGIN",
        default=None,
        help="act as this user (the password is read from standard input); default: the local mode, no sign-in",
    )
    database_option(command)


def profiles_argument(command: argparse.ArgumentParser, pairs: bool = False) -> None:
    """PROFILES (a file) or --registry (the shared registry's profiles), and PAIRS where asked."""
    command.add_argument("profiles", type=Path, nargs="?", help="profiles file (or --registry instead)")
    if pairs:
        command.add_argument("pairs", type=Path, nargs="?", help="CSV with de_id, cn_id, grade (0-3)")
    command.add_argument(
        "--registry", action="store_true", help="use the shared registry's profiles (all agencies) instead of a file"
    )
    command.add_argument("--no-demo", action="store_true", help="with --registry: leave the demo companies out")
    if "--database" not in command._option_string_actions:
        actor_option(command)
    elif "--as" not in command._option_string_actions:
        command.add_argument("--as", dest="as_login", metavar="LOGIN", default=None, help="act as this user")


def model_options(command: argparse.ArgumentParser) -> None:
    """The embedding model, the weights, the sheet, the cache and the read limits of a ranking."""
    command.add_argument(
        "--model", default=None, help=f"embedding model: alias, folder or hub name (default {C.DEFAULT_MODEL})"
    )
    command.add_argument("--weights", type=Path, default=None, help="weights TOML (default data/weights/default.toml)")
    command.add_argument("--sheet", help="XLSX sheet to read")
    command.add_argument("--no-cache", action="store_true", help="do not read or write the embedding cache")
    limit_options(command)
