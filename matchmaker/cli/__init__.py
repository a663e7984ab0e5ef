"""The ``matchmaker`` command: validate, recommend, evaluate, compare, embed, export, shortlists,
shortlist, outcomes, backup, tune, train-model, generate; and the alliance platform: agency, user,
import, imports, erase, stale, verify, introduce, introductions, answer, progress, contacts, audit.

Errors of our own (:class:`MatchmakerError`) print as one readable message and exit 2; a bad
profiles file never shows a traceback. Anything else is a bug and surfaces as one.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from matchmaker import config as C
from matchmaker import vocab as V
from matchmaker.errors import MatchmakerError, ProfileFileError

from .options import (
    actor_option,
    database_option,
    language_code,
    limit_options,
    limits,
    model_options,
    positive_int,
    profiles_argument,
)
from .profiles import fitted_matcher, seed_demo, uses_registry
from .session import open_platform, read_secret

log = logging.getLogger("matchmaker")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="matchmaker", description="ISA Matchmaker: German x Chinese partner suggestions."
    )
    parser.add_argument("--verbose", "-v", action="store_true", help="log progress details")
    commands = parser.add_subparsers(dest="command", required=True)

    validate = commands.add_parser("validate", help="report every problem of a profiles file")
    validate.add_argument("file", type=Path)
    validate.add_argument("--sheet", help="XLSX sheet to read (default: the one with the company table)")
    validate.add_argument("--lang", type=language_code, default="en", help="report language: de, zh or en")
    limit_options(validate)

    recommend = commands.add_parser(
        "recommend", help="the K best partners of every company (the recommendations table)"
    )
    profiles_argument(recommend)
    recommend.add_argument("--top-k", type=positive_int, default=10)
    recommend.add_argument("--out", type=Path, required=True)
    recommend.add_argument("--quiet", action="store_true", help="no progress bars")
    recommend.add_argument(
        "--ranking",
        choices=("auto", "exact", "two-stage"),
        default="auto",
        help="exact: score every pair; two-stage: candidates by inner product, then the exact score on them; "
        f"auto (default): two-stage when a side has more than {TWO_STAGE_FROM:,} companies",
    )
    recommend.add_argument(
        "--candidates",
        type=positive_int,
        default=None,
        help="two-stage: candidates found per company, pooled over each block of similar companies and all scored "
        "exactly (default: 200 up to about 32,000 on the other side, 400 at 100,000; see benchmarks/README.md)",
    )
    recommend.add_argument(
        "--index",
        choices=V.INDEX_KINDS,
        default="auto",
        help="two-stage: the candidate search (auto: exact flat below 30,000 companies a side, IVF with 4-bit "
        "product codes above)",
    )
    recommend.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        default=None,
        help="rank exactly on a Dask cluster (e.g. tcp://10.0.0.5:8786; needs the 'distributed' extra)",
    )
    model_options(recommend)

    evaluate = commands.add_parser("evaluate", help="Recall@k, MRR, nDCG@k on labelled pairs, with baselines")
    profiles_argument(evaluate, pairs=True)
    evaluate.add_argument("--k", type=positive_int, default=10)
    evaluate.add_argument("--relevant-grade", type=float, default=2)
    evaluate.add_argument(
        "--bootstrap",
        type=positive_int,
        default=None,
        metavar="N",
        help="add 95%% confidence intervals from N bootstrap resamples of the labelled sources",
    )
    evaluate.add_argument("--seed", type=int, default=0, help="seed of the bootstrap and of the random baseline")
    model_options(evaluate)

    compare = commands.add_parser("compare", help="paired comparison of two weight settings on the same labelled pairs")
    profiles_argument(compare, pairs=True)
    compare.add_argument(
        "--against",
        type=Path,
        default=None,
        help="baseline weights TOML (default data/weights/default.toml); --weights is the candidate",
    )
    compare.add_argument("--k", type=positive_int, default=10)
    compare.add_argument("--relevant-grade", type=float, default=2)
    compare.add_argument(
        "--bootstrap",
        type=positive_int,
        default=2000,
        metavar="N",
        help="resamples for the interval and the permutation test (default 2000)",
    )
    compare.add_argument("--seed", type=int, default=0)
    model_options(compare)

    embed = commands.add_parser("embed", help="one text per line in, an L2-normalised float32 .npy out")
    embed.add_argument("texts", type=Path)
    embed.add_argument("--out", type=Path, required=True)
    embed.add_argument("--model", default=None)

    def output_options(command: argparse.ArgumentParser) -> None:
        command.add_argument(
            "--out", type=Path, required=True, help=".csv, .xlsx, or .html for the printable bilingual dossier"
        )
        command.add_argument(
            "--lang", type=language_code, default="en", help="language of headers and reasons: de, zh or en"
        )
        command.add_argument(
            "--second-lang",
            type=language_code,
            default=None,
            help="second language of the dossier (default: zh, or de when --lang is zh)",
        )

    export = commands.add_parser(
        "export", help="a shortlist of one company's suggestions (.csv, .xlsx or .html dossier)"
    )
    profiles_argument(export)
    export.add_argument("--company", required=True)
    export.add_argument("--top-k", type=positive_int, default=10)
    output_options(export)
    model_options(export)

    shortlists = commands.add_parser("shortlists", help="the saved shortlists (id, name, author, entries)")
    database_option(shortlists)

    shortlist = commands.add_parser("shortlist", help="export a saved shortlist (.csv, .xlsx or .html dossier)")
    shortlist.add_argument("shortlist_id", type=positive_int, help="id from `matchmaker shortlists`")
    profiles_argument(shortlist)
    output_options(shortlist)
    model_options(shortlist)

    outcomes = commands.add_parser("outcomes", help="recorded outcomes as labelled pairs (de_id, cn_id, grade, ...)")
    outcomes.add_argument(
        "--out", type=Path, required=True, help=".csv or .xlsx; `evaluate`, `tune` and the notebooks read it"
    )
    outcomes.add_argument("--history", action="store_true", help="every recorded step instead of one label per pair")
    database_option(outcomes)

    backup = commands.add_parser(
        "backup", help="copy the shortlist database to a file (SQLite online backup; safe while others save)"
    )
    backup.add_argument("--out", type=Path, required=True, help="the backup file (replaced once the copy is complete)")
    database_option(backup)

    tune = commands.add_parser(
        "tune", help="choose weights on labelled pairs (cross-validated learned model or random search)"
    )
    profiles_argument(tune, pairs=True)
    tune.add_argument(
        "--out", type=Path, required=True, help="weights TOML to write, or a folder (then weights-<version>.toml in it)"
    )
    tune.add_argument(
        "--method",
        choices=("learned", "search"),
        default="learned",
        help="learned: non-negative weights fitted to rank each labelled company's partners first (listwise, "
        "regularisation chosen by cross-validation by company; default); search: random search",
    )
    tune.add_argument(
        "--metric",
        choices=("recall", "precision", "mrr", "ndcg"),
        default="mrr",
        help="what the search maximises and the cross-validation reports (default mrr)",
    )
    tune.add_argument("--trials", type=positive_int, default=600, help="settings tried by --method search")
    tune.add_argument("--k", type=positive_int, default=10)
    tune.add_argument("--seed", type=int, default=1)
    model_options(tune)

    train = commands.add_parser("train-model", help="train an offline static model from data/glossary")
    train.add_argument(
        "--out",
        type=Path,
        default=None,
        help="model folder to write (default: models/isa-domain-static, or isa-student-static with the teacher "
        "use-multilingual, in the user's data folder; in a source checkout pass data/models/<that folder> "
        "to refresh the shipped model)",
    )
    train.add_argument("--seed", type=int, default=None)
    train.add_argument("--epochs", type=positive_int, default=None)
    train.add_argument(
        "--teacher",
        default="minilm-en",
        help="minilm-en: the English teacher of isa-domain (default); use-multilingual: the general "
        "multilingual model, the teacher of isa-student (its vectors kept in the embedding cache)",
    )
    train.add_argument(
        "--targets",
        default=None,
        help="what each language side is pulled to: the teacher's vector of the English side (english, the "
        "default for minilm-en), the mean of the three sides' (mean), or "
        "of its own text (each, the default for use-multilingual)",
    )

    commands.add_parser(
        "dashboard",
        help="start the dashboard; any further options go to Streamlit (e.g. --server.port 8502)",
        add_help=False,
    )

    generate = commands.add_parser("generate", help="synthetic profiles for scale tests (not the demo data)")
    generate.add_argument("--n", type=positive_int, required=True, help="companies per country")
    generate.add_argument("--out", type=Path, required=True)
    generate.add_argument("--seed", type=int, default=0)
    platform_commands(commands)
    return parser


def platform_commands(commands) -> None:
    """The alliance platform: agencies, accounts, the shared registry, introductions, the audit log."""
    agency = commands.add_parser("agency", help="agencies of the alliance: add, list, hide, show")
    agency_commands = agency.add_subparsers(dest="agency_command", required=True)
    add = agency_commands.add_parser("add", help="register an agency (a city's investment-promotion office)")
    add.add_argument("key", help="short key, e.g. hamburg or foshan (a-z, 0-9, -, _)")
    add.add_argument("--name", required=True, help="the agency's name as it writes it")
    add.add_argument("--country", required=True, choices=("DE", "CN"))
    for language in ("de", "zh", "en"):
        add.add_argument(f"--name-{language}", default="", help=f"the name in {V.LANGUAGE_NAMES[language]}")
    add.add_argument("--city", default="", help="the member city")
    add.add_argument("--email", default="", help="address for e-mail notifications of introductions")
    actor_option(add)
    listing = agency_commands.add_parser("list", help="the registered agencies")
    database_option(listing)
    for verb in ("hide", "show"):
        command = agency_commands.add_parser(verb, help=f"{verb} an agency's companies in the registry (e.g. demo)")
        command.add_argument("key")
        actor_option(command)

    user = commands.add_parser("user", help="user accounts: add, list")
    user_commands = user.add_subparsers(dest="user_command", required=True)
    add = user_commands.add_parser("add", help="create an account; the password is read from standard input")
    add.add_argument("login")
    add.add_argument("--agency", required=True)
    add.add_argument("--role", required=True, choices=("viewer", "editor", "agency-admin", "alliance-admin"))
    actor_option(add)
    actor_option(user_commands.add_parser("list", help="the accounts (login, agency, role)"))

    load = commands.add_parser(
        "import", help="validate a profiles file, then write it into the shared registry as an agency's companies"
    )
    load.add_argument("profiles", type=Path, nargs="?")
    load.add_argument("--agency", help="the agency whose companies these are")
    load.add_argument("--undo", type=positive_int, metavar="IMPORT_ID", help="undo an import instead")
    load.add_argument("--review", type=positive_int, metavar="IMPORT_ID", help="show what an import did")
    load.add_argument("--sheet", help="XLSX sheet to read")
    limit_options(load)
    actor_option(load)
    imports = commands.add_parser("imports", help="the registry's imports, newest first")
    imports.add_argument("--agency", default=None)
    database_option(imports)

    erase = commands.add_parser("erase", help="erase a company on request: its profile and contacts, everywhere")
    erase.add_argument("company_id")
    actor_option(erase)
    stale = commands.add_parser("stale", help="registry profiles not verified for a number of months")
    stale.add_argument("--months", type=positive_int, default=None, help="default: MATCHMAKER_VERIFY_MONTHS or 12")
    stale.add_argument("--agency", default=None)
    database_option(stale)
    verify = commands.add_parser("verify", help="record that the owning agency checked these profiles today")
    verify.add_argument("company_ids", nargs="+")
    actor_option(verify)

    introduce = commands.add_parser("introduce", help="propose introducing your company to another agency's company")
    introduce.add_argument("source_id", help="your agency's company")
    introduce.add_argument("target_id", help="the other agency's company")
    introduce.add_argument("--message", default=None, help="default: the bilingual template")
    introduce.add_argument("--score", type=float, default=None)
    actor_option(introduce)
    listing = commands.add_parser("introductions", help="introductions of your agency (all in the local mode)")
    listing.add_argument("--direction", choices=("incoming", "outgoing", "all"), default="all")
    actor_option(listing)
    answer = commands.add_parser("answer", help="accept or decline a proposed introduction")
    answer.add_argument("introduction_id", type=positive_int)
    choice = answer.add_mutually_exclusive_group(required=True)
    choice.add_argument("--accept", action="store_true")
    choice.add_argument("--decline", action="store_true")
    answer.add_argument("--note", default="")
    actor_option(answer)
    progress = commands.add_parser("progress", help="record the next step of an accepted introduction")
    progress.add_argument("introduction_id", type=positive_int)
    progress.add_argument("step", choices=("contacted", "met", "agreement"))
    progress.add_argument("--note", default="")
    actor_option(progress)
    contacts = commands.add_parser("contacts", help="the contacts of an introduction's companies, where visible")
    contacts.add_argument("introduction_id", type=positive_int)
    actor_option(contacts)

    log = commands.add_parser("audit", help="the audit log (who changed what, when) as CSV; alliance admins")
    log.add_argument("--out", type=Path, required=True)
    actor_option(log)


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
        return COMMANDS[args.command](args)
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


def _validate(args) -> int:
    from matchmaker.io.profiles import validate_file

    report = validate_file(args.file, sheet=args.sheet, limits=limits(args))
    print(report.render(args.lang))
    return 0 if report.usable else 1


# companies on a side above which --ranking auto takes the two stages (benchmarks/README.md, "Scale":
# at 20,000 a side two stages take 0.81x the time of embedding plus an exact similarity search)
TWO_STAGE_FROM = 10_000


def _rank_all(
    matcher,
    k: int,
    ranking: str,
    scheduler: str | None = None,
    candidates: int | None = None,
    index: str = "auto",
):
    """Every company's ``k`` best partners: exactly (on a Dask cluster when ``scheduler`` names one) or
    through the two stages; the same table either way."""
    from matchmaker.retrieval.two_stage import recommend_all_two_stage

    if scheduler:
        try:
            from distributed import Client
        except ImportError:
            raise MatchmakerError("--scheduler needs Dask: pip install 'isa-matchmaker[distributed]'.") from None
        from matchmaker.retrieval.distributed import recommend_all_distributed

        try:
            client = Client(scheduler, timeout=30)
        except OSError as exc:
            raise MatchmakerError(
                f"No Dask scheduler answers at {scheduler} ({exc}). Start one with `dask scheduler`."
            ) from exc
        with client:
            return recommend_all_distributed(matcher, client, k=k)
    largest = max(len(matcher.fitted_.side(country)) for country in V.COUNTRIES)
    if ranking == "two-stage" or (ranking == "auto" and largest > TWO_STAGE_FROM):
        return recommend_all_two_stage(matcher, k=k, candidates=candidates, index=index)
    return matcher.recommend_all(k=k)


def _recommend(args) -> int:
    matcher = fitted_matcher(args)
    from matchmaker.io.csv_writer import write_csv
    from matchmaker.io.files import writing

    table = _rank_all(matcher, args.top_k, args.ranking, args.scheduler, args.candidates, args.index)
    # The contract table is for tools: ids are written exactly as given, so joins keep working.
    # Spreadsheet-bound files (export, dashboard downloads) go through exports.safe_table.
    with writing(args.out, "the recommendations file") as out:
        write_csv(table, out)
    print(
        f"{len(table)} suggestions for {table[V.SOURCE_ID].nunique()} companies written to {args.out}", file=sys.stderr
    )
    return 0


def _evaluate(args) -> int:
    from matchmaker.evaluation.baselines import system_rankings
    from matchmaker.evaluation.metrics import evaluate_rankings
    from matchmaker.evaluation.significance import format_interval, intervals_for_rankings
    from matchmaker.io.pairs import load_pairs

    pairs = load_pairs(args.pairs)
    matcher = fitted_matcher(args)
    rankings = system_rankings(matcher, args.seed)
    result = evaluate_rankings(rankings, pairs, k=args.k, relevant_grade=args.relevant_grade)
    table = means = result.pivot()
    sources = result.table.groupby("direction")["sources"].first().to_dict()
    print(
        f"Evaluation on {args.pairs}: relevant = grade >= {args.relevant_grade:g}; "
        f"labelled sources: {sources}; model {matcher.fitted_.encoder_name}; weights {matcher.weights_.version}"
    )
    if args.bootstrap:
        intervals = intervals_for_rankings(
            rankings, pairs, args.k, args.relevant_grade, n_resamples=args.bootstrap, seed=args.seed
        )
        intervals["cell"] = [format_interval(*r) for r in intervals[["value", "low", "high"]].itertuples(index=False)]
        table = intervals.pivot(index=["system", "direction"], columns="metric", values="cell")
        table = table.reindex(index=means.index, columns=means.columns)
        print(f"95% bootstrap intervals over labelled sources ({args.bootstrap} resamples, seed {args.seed})")
    else:
        table = table.round(3)
    table.columns = [f"{m}@{args.k}" if m in ("recall", "precision", "ndcg") else m for m in table.columns]
    print(table.to_string())
    return 0


def _compare(args) -> int:
    from matchmaker.evaluation.significance import compare_weights
    from matchmaker.io.pairs import load_pairs
    from matchmaker.scoring.weights import load_weights

    pairs = load_pairs(args.pairs)
    matcher = fitted_matcher(args)
    baseline = load_weights(args.against or C.DEFAULT_WEIGHTS_FILE)
    candidate = matcher.weights_
    table = compare_weights(
        matcher,
        pairs,
        baseline,
        candidate,
        k=args.k,
        relevant_grade=args.relevant_grade,
        n_resamples=args.bootstrap,
        seed=args.seed,
    )
    print(
        f"Paired comparison on {args.pairs} (relevant = grade >= {args.relevant_grade:g}, k = {args.k}): "
        f"candidate {candidate.version} minus baseline {baseline.version}; 95% paired bootstrap interval and "
        f"sign-flip permutation p-value ({args.bootstrap} resamples, seed {args.seed})"
    )
    shown = table.assign(
        metric=[f"{m}@{args.k}" if m in ("recall", "precision", "ndcg") else m for m in table["metric"]]
    )
    print(
        shown.round({"baseline": 3, "candidate": 3, "difference": 3, "low": 3, "high": 3, "p_value": 4}).to_string(
            index=False
        )
    )
    return 0


def _embed(args) -> int:
    import numpy as np

    from matchmaker.embeddings.encoders import load_encoder
    from matchmaker.io.files import read_bytes, writing

    data = read_bytes(args.texts, "the text file (one text per line)")
    try:
        lines = data.decode("utf-8-sig").splitlines()
    except UnicodeDecodeError as exc:
        raise MatchmakerError(
            f"{args.texts} is not UTF-8 text (byte {exc.start}). Save it as UTF-8 and try again."
        ) from exc
    encoder = load_encoder(args.model or C.Environment.read().model)
    vectors = encoder.encode(lines, show_progress=len(lines) > 1000)
    with writing(args.out, "the vectors file") as out:
        np.save(out, vectors.astype(np.float32))
    print(
        f"{vectors.shape[0]} x {vectors.shape[1]} float32 matrix ({encoder.name}) written to {args.out}",
        file=sys.stderr,
    )
    return 0


def _export(args) -> int:
    from matchmaker.scoring.items import company_items

    matcher = fitted_matcher(args)
    items = company_items(matcher, args.company, args.top_k)
    name = matcher.fitted_.profile(args.company)[V.NAME]
    path = _write_items(matcher, items, args, heading=name, author="", dataset=args.profiles.name)
    print(f"{len(items)} suggestions for {args.company} written to {path}", file=sys.stderr)
    return 0


def _write_items(matcher, items, args, heading: str, author: str, dataset: str) -> Path:
    """Items as a table (.csv/.xlsx, safe cells, consented contacts only) or as the dossier (.html)."""
    from matchmaker.exports.dossier import DossierContext, render_dossier, write_dossier
    from matchmaker.exports.tables import items_table, write_table
    from matchmaker.scoring.items import score_items

    suffix = args.out.suffix.lower()
    if suffix not in (".csv", ".xlsx", ".html"):
        raise MatchmakerError(f"The output file must end in .csv, .xlsx or .html. Got '{args.out.name}' instead.")
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


def _store(args):
    from matchmaker.store.shortlists import ShortlistStore

    return ShortlistStore.open(args.database or C.Environment.read().database_url)


def _shortlists(args) -> int:
    saved = _store(args).shortlists()
    if not saved:
        print("No saved shortlists yet. Add suggestions to one in the dashboard (./dev.sh dashboard).", file=sys.stderr)
    for record in saved:
        print(
            f"{record.id}\t{record.name}\t{record.author or '-'}\t{record.entries} entries\t"
            f"changed {record.updated_at:%Y-%m-%d %H:%M} UTC\t{record.dataset or '-'}"
        )
    return 0


def _shortlist(args) -> int:
    from matchmaker.exports.tables import shortlist_items

    store = _store(args)
    record = store.shortlist(args.shortlist_id)
    items = shortlist_items(store.entries(record.id), store.outcome_history())
    matcher = fitted_matcher(args)
    missing = sum(1 for i in items if i.source_id not in matcher.fitted_ or i.target_id not in matcher.fitted_)
    if missing:
        print(
            f"{missing} of {len(items)} pairs are not in {args.profiles}; they are exported as saved.", file=sys.stderr
        )
    path = _write_items(matcher, items, args, heading=record.name, author=record.author, dataset=record.dataset)
    print(f"shortlist {record.id} ({len(items)} pairs) written to {path}", file=sys.stderr)
    return 0


def _outcomes(args) -> int:
    from matchmaker.exports.tables import write_table

    store = _store(args)
    table = store.outcome_history() if args.history else store.outcome_labels()
    path = write_table(table, args.out, sheet="Outcomes")
    what = "recorded steps" if args.history else "labelled pairs"
    print(f"{len(table)} {what} written to {path}", file=sys.stderr)
    return 0


def _backup(args) -> int:
    from matchmaker.store.database import backup_database

    url = args.database or C.Environment.read().database_url
    path = backup_database(url, args.out)
    print(f"backup of {url} written to {path} ({path.stat().st_size:,} bytes)", file=sys.stderr)
    return 0


def _tune(args) -> int:
    import pandas as pd

    from matchmaker.evaluation.metrics import METRICS
    from matchmaker.evaluation.tuning import (
        ComponentCache,
        learn,
        random_weights,
        save_tuned_weights,
        search,
        tuned_weights,
    )
    from matchmaker.io.pairs import load_pairs
    from matchmaker.scoring.components import COMPONENTS
    from matchmaker.vocab import DIRECTIONS

    pairs = load_pairs(args.pairs)
    matcher = fitted_matcher(args)
    cache = ComponentCache(matcher)
    if args.method == "learned":
        found = learn(cache, pairs, k=args.k, metric=args.metric, seed=args.seed)
        method = found.description
        options = f"--method learned --seed {args.seed}"
    else:
        candidates = random_weights(args.trials, COMPONENTS, seed=args.seed)
        found = search(cache, pairs, candidates, k=args.k, metric=args.metric, seed=args.seed)
        method = (
            f"random search, {len(candidates)} settings on the weight simplex (seed {args.seed}), "
            f"best mean {args.metric}@{args.k} over both directions"
        )
        options = f"--method search --trials {args.trials} --seed {args.seed}"
    model = f" --model {args.model}" if args.model else ""
    weights = tuned_weights(
        found.best,
        cache,
        pairs,
        data_files=[args.pairs] if args.registry else [args.profiles, args.pairs],
        k=args.k,
        method=method,
        command=f"matchmaker tune {args.profiles} {args.pairs} --out {args.out} --metric {args.metric} {options}{model}",
        metric=args.metric,
        folds=found.folds,
    )
    path = save_tuned_weights(weights, args.out)
    print(f"weights {weights.version} written to {path}: {dict(weights.values)}")
    grouping = found.folds["grouping"].iloc[0]
    cross = ", ".join(f"{m} {found.folds[f'test_{m}'].mean():.3f}" for m in METRICS)
    print(f"{len(found.folds)}-fold cross-validated (folds by {grouping}), k = {args.k}: {cross}")
    figures = {direction: {m: weights.provenance[f"{direction}_{m}"] for m in METRICS} for direction in DIRECTIONS}
    print(pd.DataFrame(figures).T.to_string())  # measured once, by tuned_weights, and recorded in the file
    return 0


def _train(args) -> int:
    from matchmaker.embeddings.training import TrainingSettings, train_domain_model

    student = args.teacher == "use-multilingual"
    settings = TrainingSettings(teacher=args.teacher, targets=args.targets or ("each" if student else "english"))
    if args.seed is not None:
        settings.seed = args.seed
    if args.epochs is not None:
        settings.epochs = args.epochs
    folder = C.STUDENT_MODEL_DIR if student else C.DOMAIN_MODEL_DIR
    args.out = args.out or C.user_data_dir() / "models" / folder.name
    cache = None if args.teacher == "minilm-en" else C.Environment.read().cache_dir / "embeddings.sqlite"
    report = train_domain_model(out_dir=args.out, settings=settings, teacher_cache=cache)
    print(f"trained in {report.seconds} s on {report.train_items} items; model in {args.out}")
    for name, values in report.metrics.items():
        print(
            f"  held-out {name}: accuracy@1 {values['accuracy_at_1']:.3f}, MRR {values['mrr']:.3f} "
            f"({values['queries']} queries among {values['candidates']})"
        )
    return 0


def _agency(args) -> int:
    from matchmaker.store.accounts import Accounts

    engine, actor = open_platform(args)
    accounts = Accounts(engine)
    if args.agency_command == "add":
        record = accounts.add_agency(
            actor,
            args.key,
            name=args.name,
            country=args.country,
            name_de=args.name_de,
            name_zh=args.name_zh,
            name_en=args.name_en,
            city=args.city,
            email=args.email,
        )
        print(f"agency {record.key} ({record.name}, {record.country}) registered", file=sys.stderr)
    elif args.agency_command == "list":
        for a in accounts.agencies():
            names = " / ".join(n for n in (a.name_de, a.name_zh, a.name_en) if n) or "-"
            print(
                f"{a.key}\t{a.name}\t{a.country or '-'}\t{a.city or '-'}\t{names}{chr(9) + 'hidden' if a.hidden else ''}"
            )
    else:
        accounts.set_hidden(actor, args.key, args.agency_command == "hide")
        print(f"agency {args.key}: companies {'hidden' if args.agency_command == 'hide' else 'shown'}", file=sys.stderr)
    return 0


def _user(args) -> int:
    from matchmaker.store.accounts import Accounts

    engine, actor = open_platform(args)
    accounts = Accounts(engine)
    if args.user_command == "add":
        password = read_secret(f"the new password of {args.login}")
        record = accounts.add_user(actor, args.login, agency=args.agency, role=args.role, password=password)
        print(f"account {record.login} ({record.role}, agency {record.agency}) created", file=sys.stderr)
        return 0
    for u in accounts.users(actor):
        locked = f"\tlocked until {u.locked_until:%Y-%m-%d %H:%M} UTC" if u.locked_until else ""
        print(f"{u.login}\t{u.agency}\t{u.role}\tcreated {u.created_at:%Y-%m-%d}{locked}")
    return 0


def _import(args) -> int:
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
    seed_demo(registry, actor)
    profiles = load_profiles(args.profiles, sheet=args.sheet, limits=limits(args))
    if profiles.report.warnings:
        print(
            f"{len(profiles.report.warnings)} warnings in {args.profiles}; `matchmaker validate {args.profiles}` lists them.",
            file=sys.stderr,
        )
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


def _imports(args) -> int:
    from matchmaker.store.registry import Registry

    engine, _ = open_platform(args)
    for i in Registry(engine).imports(args.agency):
        undone = f"\tundone {i.undone_at:%Y-%m-%d %H:%M}" if i.undone_at else ""
        print(
            f"{i.id}\t{i.agency}\t{i.created_at:%Y-%m-%d %H:%M} UTC\t{i.author}\t{i.source or '-'}\t"
            f"{i.added} added, {i.changed} changed, {i.unchanged} unchanged, {i.refused} refused{undone}"
        )
    return 0


def _erase(args) -> int:
    from matchmaker.store.registry import Registry

    engine, actor = open_platform(args)
    removed = Registry(engine).erase_company(actor, args.company_id)
    rows = ", ".join(f"{n} {table}" for table, n in removed.items() if n)
    print(f"{args.company_id} erased ({rows}); only anonymous outcome counts remain", file=sys.stderr)
    return 0


def _stale(args) -> int:
    from matchmaker.store.registry import Registry

    engine, _ = open_platform(args)
    months = args.months or C.Environment.read().verify_months
    found = Registry(engine).stale(months, args.agency)
    print(f"{len(found)} profiles not verified for {months} months", file=sys.stderr)
    for c in found:
        print(f"{c.company_id}\t{c.agency}\t{c.name}\tverified {c.verified_at:%Y-%m-%d}")
    return 0


def _verify(args) -> int:
    from matchmaker.store.registry import Registry

    engine, actor = open_platform(args)
    count = Registry(engine).mark_verified(actor, args.company_ids)
    print(f"{count} profiles marked as verified today", file=sys.stderr)
    return 0


def _introductions_store(engine):
    from matchmaker.store.introductions import Introductions
    from matchmaker.store.notify import Notifier, SmtpSettings

    e = C.Environment.read()
    settings = SmtpSettings(e.smtp_host, e.smtp_port, e.smtp_sender, e.smtp_user, e.smtp_password, e.smtp_starttls)
    return Introductions(engine, Notifier(settings if e.smtp_host else None))


def _introduce(args) -> int:
    from matchmaker.store.accounts import Accounts
    from matchmaker.store.introductions import language_of, message_template
    from matchmaker.store.registry import Registry

    engine, actor = open_platform(args)
    message = args.message
    if message is None:
        registry, accounts = Registry(engine), Accounts(engine)
        source, target = registry.company(args.source_id), registry.company(args.target_id)
        languages = tuple(language_of(accounts.agency(c.agency).country or c.country) for c in (source, target))
        message = message_template(source.name, target.name, languages)
    record = _introductions_store(engine).propose(actor, args.source_id, args.target_id, message, score=args.score)
    print(f"introduction {record.id} proposed to agency {record.to_agency}: {record.source_id} -> {record.target_id}")
    return 0


def _introductions(args) -> int:
    engine, actor = open_platform(args)
    store = _introductions_store(engine)
    records = store.list(actor, args.direction)
    if actor.agency:
        print(f"{store.open_count(actor.agency)} open proposals for agency {actor.agency}", file=sys.stderr)
    for i in records:
        print(
            f"{i.id}\t{i.status}\t{i.from_agency} -> {i.to_agency}\t{i.source_id} -> {i.target_id}\t{i.proposed_at:%Y-%m-%d}"
        )
    return 0


def _answer(args) -> int:
    engine, actor = open_platform(args)
    record = _introductions_store(engine).answer(actor, args.introduction_id, accept=args.accept, note=args.note)
    print(f"introduction {record.id} {record.status}")
    return 0


def _progress(args) -> int:
    engine, actor = open_platform(args)
    record = _introductions_store(engine).progress(actor, args.introduction_id, args.step, note=args.note)
    print(f"introduction {record.id}: {record.status}")
    return 0


def _contacts(args) -> int:
    from matchmaker.store.permissions import PermissionDeniedError
    from matchmaker.store.registry import Registry

    engine, actor = open_platform(args)
    record = _introductions_store(engine).get(actor, args.introduction_id)
    registry = Registry(engine)
    for company_id in (record.source_id, record.target_id):
        try:
            contact = registry.contact(actor, company_id)
            print(f"{company_id}\t{contact.name or '-'}\t{contact.email or '-'}")
        except PermissionDeniedError as exc:
            print(f"{company_id}\t(not shown: {exc})")
    return 0


def _audit(args) -> int:
    from matchmaker.exports.tables import write_table
    from matchmaker.store.audit import audit_log

    engine, actor = open_platform(args)
    table = audit_log(engine, actor)
    path = write_table(table, args.out, sheet="Audit")
    print(f"{len(table)} audit rows written to {path}", file=sys.stderr)
    return 0


def dashboard_command(options: list[str]) -> list[str]:
    """The Streamlit command line of the dashboard (through :mod:`matchmaker.ui.server`, which imports
    the pages' modules while the server starts): the packaged app, the packaged settings
    (``matchmaker/ui/streamlit_config.toml``) as flags, then ``options`` (which win)."""
    import tomllib

    ui = Path(__file__).resolve().parent.parent / "ui"
    settings = tomllib.loads((ui / "streamlit_config.toml").read_text(encoding="utf-8"))
    flags = [
        f"--{section}.{key}={str(value).lower() if isinstance(value, bool) else value}"
        for section, values in settings.items()
        for key, value in values.items()
    ]
    return [sys.executable, "-m", "matchmaker.ui.server", "run", str(ui / "app.py"), *flags, *options]


def _dashboard(args) -> int:
    import subprocess

    command = dashboard_command(args.streamlit_options)
    try:
        return subprocess.call(command)
    except KeyboardInterrupt:
        return 0


def _generate(args) -> int:
    from matchmaker.io.files import writing
    from matchmaker.io.synthetic import synthetic_profiles

    frame = synthetic_profiles(args.n, seed=args.seed)
    with writing(args.out, "the profiles file") as out:
        if out.suffix.lower() == ".parquet":
            frame.to_parquet(out, index=False)
        else:
            frame.to_csv(out, index=False, encoding="utf-8")
    print(f"{len(frame)} synthetic profiles written to {args.out}", file=sys.stderr)
    return 0


COMMANDS = {
    "validate": _validate,
    "recommend": _recommend,
    "evaluate": _evaluate,
    "compare": _compare,
    "embed": _embed,
    "export": _export,
    "shortlists": _shortlists,
    "shortlist": _shortlist,
    "outcomes": _outcomes,
    "backup": _backup,
    "tune": _tune,
    "train-model": _train,
    "dashboard": _dashboard,
    "generate": _generate,
    "agency": _agency,
    "user": _user,
    "import": _import,
    "imports": _imports,
    "erase": _erase,
    "stale": _stale,
    "verify": _verify,
    "introduce": _introduce,
    "introductions": _introductions,
    "answer": _answer,
    "progress": _progress,
    "contacts": _contacts,
    "audit": _audit,
}
