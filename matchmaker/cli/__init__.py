"""The ``matchmaker`` command: validate, recommend, evaluate, compare, embed, export, shortlists,
shortlist, outcomes, backup, tune, train-model, generate; and the alliance platform: agency, user,
import, imports, erase, stale, verify, introduce, introductions, answer, progress, contacts, audit.

Errors of our own (:class:`MatchmakerError`) print as one readable message and exit 2; a bad
profiles file never shows a traceback. Anything else is a bug and surfaces as one.

One module a group of commands, each with its parser (``add_...``) and what runs it:
:mod:`.ranking` (validate, recommend, generate), :mod:`.evaluation` (evaluate, compare, tune),
:mod:`.models` (embed, train-model), :mod:`.exports` (export, shortlist), :mod:`.shortlists`
(shortlists, outcomes, backup), :mod:`.dashboard`, and the platform's :mod:`.alliance` (agency,
user, audit), :mod:`.registry` (import, imports, erase, stale, verify) and :mod:`.introductions`
(introduce, introductions, answer, progress, contacts). Shared options are in :mod:`.options`;
where the companies come from in :mod:`.profiles`; the database and who acts in :mod:`.session`.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys

from matchmaker.errors import MatchmakerError, ProfileFileError

from . import alliance, dashboard, evaluation, exports, introductions, models, ranking, registry, shortlists
from .dashboard import dashboard_command
from .profiles import uses_registry

__all__ = ["COMMANDS", "COMMAND_TABLE", "build_parser", "dashboard_command", "main"]

# every command: (what adds its parser, what runs it), in the order `matchmaker --help` lists them
COMMAND_TABLE = {
    "validate": (ranking.add_validate, ranking.validate),
    "recommend": (ranking.add_recommend, ranking.recommend),
    "evaluate": (evaluation.add_evaluate, evaluation.evaluate),
    "compare": (evaluation.add_compare, evaluation.compare),
    "embed": (models.add_embed, models.embed),
    "export": (exports.add_export, exports.export),
    "shortlists": (shortlists.add_shortlists, shortlists.shortlists),
    "shortlist": (exports.add_shortlist, exports.shortlist),
    "outcomes": (shortlists.add_outcomes, shortlists.outcomes),
    "backup": (shortlists.add_backup, shortlists.backup),
    "tune": (evaluation.add_tune, evaluation.tune),
    "train-model": (models.add_train, models.train),
    "dashboard": (dashboard.add_dashboard, dashboard.dashboard),
    "generate": (ranking.add_generate, ranking.generate),
    "agency": (alliance.add_agency, alliance.agency),
    "user": (alliance.add_user, alliance.user),
    "import": (registry.add_import, registry.import_profiles),
    "imports": (registry.add_imports, registry.imports),
    "erase": (registry.add_erase, registry.erase),
    "stale": (registry.add_stale, registry.stale),
    "verify": (registry.add_verify, registry.verify),
    "introduce": (introductions.add_introduce, introductions.introduce),
    "introductions": (introductions.add_introductions, introductions.introductions),
    "answer": (introductions.add_answer, introductions.answer),
    "progress": (introductions.add_progress, introductions.progress),
    "contacts": (introductions.add_contacts, introductions.contacts),
    "audit": (alliance.add_audit, alliance.audit),
}
COMMANDS = {name: run for name, (_, run) in COMMAND_TABLE.items()}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="matchmaker", description="ISA Matchmaker: German x Chinese partner suggestions."
    )
    parser.add_argument("--verbose", "-v", action="store_true", help="log progress details")
    commands = parser.add_subparsers(dest="command", required=True)
    for add, _ in COMMAND_TABLE.values():
        add(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args, extra = parser.parse_known_args(argv)
    if args.command == "dashboard":
        args.streamlit_options = extra
    elif extra:
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s"
    )
    try:
        uses_registry(args)
        code = COMMANDS[args.command](args)
        sys.stdout.flush()  # a closed pipe shows here, inside the handler, not at exit
        return code
    except BrokenPipeError:
        # The reader stopped reading (`matchmaker ... | head`): nothing more to say, and no traceback.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except ProfileFileError as exc:
        report = getattr(exc, "report", None)
        print(report.render(getattr(args, "lang", "en")) if report is not None else str(exc), file=sys.stderr)
        return 1
    except MatchmakerError as exc:
        print(f"matchmaker {args.command}: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        # A file or folder the command was given or writes to (not a bug): say which and why.
        if exc.filename is None:
            raise
        from matchmaker.io.files import os_error_reason

        print(f"matchmaker {args.command}: cannot use {exc.filename}: {os_error_reason(exc)}.", file=sys.stderr)
        return 2
