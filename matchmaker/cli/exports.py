"""The commands that write shortlists for people: ``export`` one company's suggestions, ``shortlist``
a saved shortlist; as a spreadsheet table (.csv/.xlsx) or the printable bilingual dossier (.html)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from matchmaker import vocab as V
from matchmaker.errors import MatchmakerError
from matchmaker.i18n import t

from .options import language_code, model_options, positive_int, profiles_argument
from .profiles import fitted_matcher
from .shortlists import open_store


def output_options(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--out", type=Path, required=True, help=".csv, .xlsx, or .html for the printable bilingual dossier"
    )
    command.add_argument(
        "--lang", type=language_code, default="en", help="language of headers, reasons and messages: de, zh or en"
    )
    command.add_argument(
        "--second-lang",
        type=language_code,
        default=None,
        help="second language of the dossier (default: zh, or de when --lang is zh)",
    )


def write_items(matcher, items, args, heading: str, author: str, dataset: str) -> Path:
    """Items as a table (.csv/.xlsx, safe cells, consented contacts only) or as the dossier (.html)."""
    from matchmaker.exports.dossier import DossierContext, render_dossier, write_dossier
    from matchmaker.exports.tables import items_table, write_table
    from matchmaker.scoring.items import score_items

    suffix = args.out.suffix.lower()
    if suffix not in (".csv", ".xlsx", ".html"):
        raise MatchmakerError(f"The output file must end in .csv, .xlsx or .html. Got '{args.out.name}' instead.")
    from matchmaker.retrieval.two_stage import prepare_crowding

    prepare_crowding(matcher)  # on large data through the two stages, before the first score
    scored = score_items(matcher, items)
    if suffix != ".html":
        return write_table(items_table(scored, args.lang), args.out)
    second = args.second_lang or ("de" if args.lang == "zh" else "zh")
    context = DossierContext(
        heading=heading,
        author=author,
        dataset=dataset,
        model=matcher.fitted_.encoder_name,
        weights_version=matcher.weights_.version,
    )
    return write_dossier(render_dossier(scored, context, (args.lang, second)), args.out)


def add_export(commands) -> None:
    parser = commands.add_parser(
        "export", help="a shortlist of one company's suggestions (.csv, .xlsx or .html dossier)"
    )
    output_options(parser)
    profiles_argument(parser)
    parser.add_argument("--company", required=True)
    parser.add_argument("--top-k", type=positive_int, default=10)
    model_options(parser)


def export(args) -> int:
    from matchmaker.retrieval.two_stage import prepare_crowding
    from matchmaker.scoring.items import company_items

    matcher = fitted_matcher(args)
    prepare_crowding(matcher)
    items = company_items(matcher, args.company, args.top_k)
    name = matcher.fitted_.profile(args.company)[V.NAME]
    path = write_items(matcher, items, args, heading=name, author="", dataset=args.profiles.name)
    written = t("cli.company_suggestions_written", args.lang, count=len(items), company=args.company, path=path)
    print(written, file=sys.stderr)
    return 0


def add_shortlist(commands) -> None:
    parser = commands.add_parser("shortlist", help="export a saved shortlist (.csv, .xlsx or .html dossier)")
    parser.add_argument("shortlist_id", type=positive_int, help="id from `matchmaker shortlists`")
    output_options(parser)
    profiles_argument(parser)
    model_options(parser)


def shortlist(args) -> int:
    from matchmaker.exports.tables import shortlist_items

    store = open_store(args)
    record = store.shortlist(args.shortlist_id)
    items = shortlist_items(store.entries(record.id), store.outcome_history())
    matcher = fitted_matcher(args)
    missing = sum(1 for i in items if i.source_id not in matcher.fitted_ or i.target_id not in matcher.fitted_)
    if missing:
        print(
            t("cli.shortlist_missing", args.lang, missing=missing, count=len(items), path=args.profiles),
            file=sys.stderr,
        )
    path = write_items(matcher, items, args, heading=record.name, author=record.author, dataset=record.dataset)
    print(t("cli.shortlist_written", args.lang, id=record.id, count=len(items), path=path), file=sys.stderr)
    return 0
