"""Where a command's companies come from: a profiles file (PROFILES) or the shared registry
(``--registry``, the demo agency seeded on first use); and the matcher fitted on them."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

from matchmaker import config as C
from matchmaker.errors import MatchmakerError
from matchmaker.i18n import t

from .options import limits
from .session import open_platform

log = logging.getLogger("matchmaker")


def uses_registry(args) -> bool:
    """Whether the command reads the registry (--registry) or a file; settles PROFILES and PAIRS."""
    if not hasattr(args, "registry"):
        return False
    with_pairs = hasattr(args, "pairs")
    if args.registry:
        if with_pairs and args.pairs is None:
            args.pairs, args.profiles = args.profiles, None
        if args.profiles is not None:
            raise MatchmakerError(
                f"Give either a profiles file or --registry, not both. Got {args.profiles} and --registry."
            )
        args.profiles = Path("registry")
    elif args.profiles is None:
        raise MatchmakerError("Expected a profiles file (PROFILES) or --registry for the shared registry. Got neither.")
    if with_pairs and args.pairs is None:
        raise MatchmakerError("Expected a labelled pairs file (PAIRS: de_id, cn_id, grade) after the profiles.")
    return bool(args.registry)


def fitted_matcher(args):
    """A :class:`Matcher` with the command's model, weights and cache, fitted on PROFILES or the registry."""
    from matchmaker.io.profiles import load_profiles
    from matchmaker.scoring.matcher import Matcher
    from matchmaker.scoring.weights import as_weights

    environment = C.Environment.read()

    def unfitted() -> Matcher:  # made after a file is read (its problems come before the weights')
        return Matcher(
            model=args.model or environment.model,
            weights=as_weights(args.weights or environment.weights_file),
            cache_dir=None if args.no_cache else str(environment.cache_dir),
            show_progress=not getattr(args, "quiet", False),
        )

    if getattr(args, "registry", False):
        return unfitted().fit(registry_profiles(args))
    profiles = load_profiles(args.profiles, sheet=args.sheet, limits=limits(args))
    for issue in profiles.report.errors + profiles.report.warnings:
        log.info(issue.render("en"))
    print_warnings(profiles.report, args.profiles, getattr(args, "lang", "en"))
    return unfitted().fit(profiles)


def print_warnings(report, path, language: str = "en") -> None:
    """The warnings about a whole table in full (one country only, a hidden sheet read), then how many
    there are and the command that lists them all."""
    for issue in report.warnings:
        if not issue.rows:
            print(issue.render(language), file=sys.stderr)
    if report.warnings:
        count = len(report.warnings)
        command = f"matchmaker validate {path}" + (f" --lang {language}" if language != "en" else "")
        print(t("cli.warnings", language, count=count, path=path, command=command), file=sys.stderr)


def registry_profiles(args):
    """Every agency's companies in the shared registry (the demo agency seeded on first use)."""
    from matchmaker.store.registry import Registry

    engine, actor = open_platform(args)
    registry = Registry(engine, verify_months=C.Environment.read().verify_months)
    seed_demo(registry, actor, args.lang)
    table = registry.profiles(actor, include_demo=not args.no_demo)
    if table.empty:
        raise MatchmakerError(
            "The registry has no companies to match (the demo agency may be hidden). Import some with "
            "`matchmaker import PROFILES --agency KEY`, or show the demo: `matchmaker agency show demo`."
        )
    companies = t("cli.companies", args.lang, count=len(table))
    url = engine.url.render_as_string(hide_password=True)
    print(t("cli.registry_companies", args.lang, companies=companies, url=url), file=sys.stderr)
    return table


def seed_demo(registry, actor, language: str = "en") -> None:
    """The demo companies as agency 'demo', once: on the first use of a registry."""
    from matchmaker.io.profiles import load_profiles
    from matchmaker.store.accounts import Accounts

    if any(a.key == "demo" for a in Accounts(registry.engine).agencies()):
        return
    from matchmaker.store.permissions import Actor

    # a set-up step of the product (first start), not an action of the user who happens to run it
    result = registry.seed_demo(Actor.local_mode(), load_profiles(C.DEMO_PROFILES).table)
    if result is not None:
        print(t("cli.demo_seeded", language, count=result.usable), file=sys.stderr)
