"""The commands of the shared registry: ``import`` an agency's profiles (all or nothing; review and
undo), list the ``imports``, ``erase`` a company on request, list the ``stale`` profiles and
``verify`` them."""

from __future__ import annotations

import sys
from pathlib import Path

from matchmaker import config as C
from matchmaker.errors import MatchmakerError
from matchmaker.i18n import t

from .options import actor_option, database_option, lang_option, language_code, limit_options, limits, positive_int
from .profiles import print_warnings, seed_demo
from .session import open_platform


def add_import(commands) -> None:
    parser = commands.add_parser(
        "import", help="validate a profiles file, then write it into the shared registry as an agency's companies"
    )
    parser.add_argument("profiles", type=Path, nargs="?")
    parser.add_argument("--agency", help="the agency whose companies these are")
    parser.add_argument("--undo", type=positive_int, metavar="IMPORT_ID", help="undo an import instead")
    parser.add_argument("--review", type=positive_int, metavar="IMPORT_ID", help="show what an import did")
    parser.add_argument("--sheet", help="XLSX sheet to read")
    parser.add_argument("--lang", type=language_code, default="en", help="language of the messages about the file")
    limit_options(parser)
    actor_option(parser)


def import_profiles(args) -> int:
    from matchmaker.io.profiles import load_profiles
    from matchmaker.store.registry import Registry

    engine, actor = open_platform(args)
    registry = Registry(engine)
    if args.review:
        review = registry.review_import(args.review)
        for row in review.itertuples(index=False):
            print(f"{row.company_id}\t{row.action}{chr(9) + 'owned by ' + row.detail if row.detail else ''}")
        return 0
    if args.undo:
        result = registry.undo_import(actor, args.undo)
        print(
            f"import {args.undo} undone: {len(result.added)} companies removed, {len(result.changed)} restored to their previous version"
        )
        return 0
    if args.profiles is None or not args.agency:
        raise MatchmakerError(
            "Expected PROFILES and --agency KEY (e.g. matchmaker import companies.csv --agency hamburg), "
            "or --undo IMPORT_ID, or --review IMPORT_ID."
        )
    seed_demo(registry, actor, args.lang)
    profiles = load_profiles(args.profiles, sheet=args.sheet, limits=limits(args))
    print_warnings(profiles.report, args.profiles, args.lang)
    result = registry.import_profiles(actor, args.agency, profiles.table, source=args.profiles.name)
    print(
        f"import {result.import_id} into agency {result.agency}: {len(result.added)} added, {len(result.changed)} changed, "
        f"{len(result.unchanged)} unchanged, {len(result.refused)} refused"
    )
    for company_id, owner in result.refused:
        print(
            f"  refused {company_id}: the id belongs to agency '{owner}'; give your company another id", file=sys.stderr
        )
    if result.usable == 0:
        print("nothing usable was imported: every id belongs to another agency.", file=sys.stderr)
        return 1
    print(
        f"review: matchmaker import --review {result.import_id}; undo: matchmaker import --undo {result.import_id}",
        file=sys.stderr,
    )
    return 0


def add_imports(commands) -> None:
    parser = commands.add_parser("imports", help="the registry's imports, newest first")
    parser.add_argument("--agency", default=None)
    database_option(parser)


def imports(args) -> int:
    from matchmaker.store.registry import Registry

    engine, _ = open_platform(args)
    done = Registry(engine).imports(args.agency)
    if not done:
        of = f" of agency {args.agency}" if args.agency else ""
        print(f"No imports{of} yet. Import a profiles file: matchmaker import FILE --agency KEY", file=sys.stderr)
    for i in done:
        undone = f"\tundone {i.undone_at:%Y-%m-%d %H:%M}" if i.undone_at else ""
        print(
            f"{i.id}\t{i.agency}\t{i.created_at:%Y-%m-%d %H:%M} UTC\t{i.author}\t{i.source or '-'}\t"
            f"{i.added} added, {i.changed} changed, {i.unchanged} unchanged, {i.refused} refused{undone}"
        )
    return 0


def add_erase(commands) -> None:
    parser = commands.add_parser("erase", help="erase a company on request: its profile and contacts, everywhere")
    parser.add_argument("company_id")
    actor_option(parser)


def erase(args) -> int:
    from matchmaker.store.registry import Registry

    engine, actor = open_platform(args)
    removed = Registry(engine).erase_company(actor, args.company_id)
    rows = ", ".join(f"{n} {table}" for table, n in removed.items() if n)
    print(f"{args.company_id} erased ({rows}); only anonymous outcome counts remain", file=sys.stderr)
    return 0


def add_stale(commands) -> None:
    parser = commands.add_parser("stale", help="registry profiles not verified for a number of months")
    parser.add_argument("--months", type=positive_int, default=None, help="default: MATCHMAKER_VERIFY_MONTHS or 12")
    parser.add_argument("--agency", default=None)
    lang_option(parser)
    database_option(parser)


def stale(args) -> int:
    from matchmaker.store.registry import Registry

    engine, _ = open_platform(args)
    months = args.months or C.Environment.read().verify_months
    found = Registry(engine).stale(months, args.agency)
    print(t("cli.stale", args.lang, count=len(found), months=months), file=sys.stderr)
    for c in found:
        print(f"{c.company_id}\t{c.agency}\t{c.name}\tverified {c.verified_at:%Y-%m-%d}")
    return 0


def add_verify(commands) -> None:
    parser = commands.add_parser("verify", help="record that the owning agency checked these profiles today")
    parser.add_argument("company_ids", nargs="+")
    lang_option(parser)
    actor_option(parser)


def verify(args) -> int:
    from matchmaker.store.registry import Registry

    engine, actor = open_platform(args)
    count = Registry(engine).mark_verified(actor, args.company_ids)
    print(t("cli.verified", args.lang, count=count), file=sys.stderr)
    return 0
