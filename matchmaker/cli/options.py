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


def limit_options(
    command: argparse.ArgumentParser, what: str = "the profiles file", only: tuple[str, ...] | None = None
) -> None:
    """The read limits of ``what`` (matchmaker.io.limits), each with its default; ``only``: the option
    names to add (default: all)."""
    from matchmaker.io import limits as L

    options = {
        "--max-file-mb": dict(type=positive_number, default=L.MAX_FILE_BYTES / 2**20, metavar="MB"),
        "--max-unpacked-mb": dict(type=positive_number, default=L.MAX_UNPACKED_BYTES / 2**20, metavar="MB"),
        "--max-rows": dict(type=positive_int, default=L.MAX_ROWS, metavar="N"),
        "--max-columns": dict(type=positive_int, default=L.MAX_COLUMNS, metavar="N"),
        "--max-cells": dict(type=positive_int, default=L.MAX_CELLS, metavar="N"),
        "--max-seconds": dict(type=positive_number, default=L.MAX_SECONDS, metavar="S"),
    }
    group = command.add_argument_group(f"limits of {what} (a file beyond one is refused with a message)")
    for flag, settings in options.items():
        if only is None or flag in only:
            group.add_argument(flag, **settings)


def limits(args):
    """The :class:`ReadLimits` of the options :func:`limit_options` added (the defaults for those it
    did not)."""
    from matchmaker.io import limits as L

    return L.ReadLimits(
        max_bytes=int(getattr(args, "max_file_mb", L.MAX_FILE_BYTES / 2**20) * 2**20),
        max_rows=getattr(args, "max_rows", L.MAX_ROWS),
        max_columns=getattr(args, "max_columns", L.MAX_COLUMNS),
        max_cells=getattr(args, "max_cells", L.MAX_CELLS),
        max_unpacked_bytes=int(getattr(args, "max_unpacked_mb", L.MAX_UNPACKED_BYTES / 2**20) * 2**20),
        max_seconds=getattr(args, "max_seconds", L.MAX_SECONDS),
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


def lang_option(command: argparse.ArgumentParser, what: str = "the summary") -> None:
    """``--lang de|zh|en``: the language of what the command says."""
    command.add_argument("--lang", type=language_code, default="en", help=f"language of {what}: de, zh or en")


def profiles_argument(command: argparse.ArgumentParser, pairs: bool = False) -> None:
    """PROFILES (a file) or --registry (the shared registry's profiles), and PAIRS where asked."""
    command.add_argument("profiles", type=Path, nargs="?", help="profiles file (or --registry instead)")
    if pairs:
        command.add_argument("pairs", type=Path, nargs="?", help="CSV with de_id, cn_id, grade (0-3)")
    command.add_argument(
        "--registry", action="store_true", help="use the shared registry's profiles (all agencies) instead of a file"
    )
    command.add_argument("--no-demo", action="store_true", help="with --registry: leave the demo companies out")
    if "--lang" not in command._option_string_actions:  # an export's --lang covers its messages too
        lang_option(command, "the messages about the file")
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
