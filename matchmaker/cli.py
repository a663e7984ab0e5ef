"""The ``matchmaker`` command: validate, recommend, evaluate, compare, embed, export, shortlists,
shortlist, outcomes, backup, tune, train-model, generate.

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

log = logging.getLogger("matchmaker")


def _language(value: str) -> str:
    if value not in ("de", "zh", "en"):
        raise argparse.ArgumentTypeError(f"language must be de, zh or en; got {value!r}")
    return value


def _positive_int(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive whole number, got {value!r}") from None
    if number < 1:
        raise argparse.ArgumentTypeError(f"expected a positive whole number, got {number}")
    return number


def _positive_number(value: str) -> float:
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
    group.add_argument("--max-file-mb", type=_positive_number, default=L.MAX_FILE_BYTES / 2**20, metavar="MB")
    group.add_argument("--max-unpacked-mb", type=_positive_number, default=L.MAX_UNPACKED_BYTES / 2**20, metavar="MB")
    group.add_argument("--max-rows", type=_positive_int, default=L.MAX_ROWS, metavar="N")
    group.add_argument("--max-columns", type=_positive_int, default=L.MAX_COLUMNS, metavar="N")
    group.add_argument("--max-cells", type=_positive_int, default=L.MAX_CELLS, metavar="N")
    group.add_argument("--max-seconds", type=_positive_number, default=L.MAX_SECONDS, metavar="S")


def _limits(args):
    from matchmaker.io.limits import ReadLimits

    return ReadLimits(
        max_bytes=int(args.max_file_mb * 2**20),
        max_rows=args.max_rows,
        max_columns=args.max_columns,
        max_cells=args.max_cells,
        max_unpacked_bytes=int(args.max_unpacked_mb * 2**20),
        max_seconds=args.max_seconds,
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="matchmaker", description="ISA Matchmaker: German x Chinese partner suggestions."
    )
    parser.add_argument("--verbose", "-v", action="store_true", help="log progress details")
    commands = parser.add_subparsers(dest="command", required=True)

    validate = commands.add_parser("validate", help="report every problem of a profiles file")
    validate.add_argument("file", type=Path)
    validate.add_argument("--sheet", help="XLSX sheet to read (default: the one with the company table)")
    validate.add_argument("--lang", type=_language, default="en", help="report language: de, zh or en")
    limit_options(validate)

    def model_options(command: argparse.ArgumentParser) -> None:
        command.add_argument(
            "--model", default=None, help=f"embedding model: alias, folder or hub name (default {C.DEFAULT_MODEL})"
        )
        command.add_argument(
            "--weights", type=Path, default=None, help="weights TOML (default data/weights/default.toml)"
        )
        command.add_argument("--sheet", help="XLSX sheet to read")
        command.add_argument("--no-cache", action="store_true", help="do not read or write the embedding cache")
        limit_options(command)

    recommend = commands.add_parser(
        "recommend", help="the K best partners of every company (the recommendations table)"
    )
    recommend.add_argument("profiles", type=Path)
    recommend.add_argument("--top-k", type=_positive_int, default=10)
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
        "--scheduler",
        metavar="ADDRESS",
        default=None,
        help="rank exactly on a Dask cluster (e.g. tcp://10.0.0.5:8786; needs the 'distributed' extra)",
    )
    model_options(recommend)

    evaluate = commands.add_parser("evaluate", help="Recall@k, MRR, nDCG@k on labelled pairs, with baselines")
    evaluate.add_argument("profiles", type=Path)
    evaluate.add_argument("pairs", type=Path, help="CSV with de_id, cn_id, grade (0-3)")
    evaluate.add_argument("--k", type=_positive_int, default=10)
    evaluate.add_argument("--relevant-grade", type=float, default=2)
    evaluate.add_argument(
        "--bootstrap",
        type=_positive_int,
        default=None,
        metavar="N",
        help="add 95%% confidence intervals from N bootstrap resamples of the labelled sources",
    )
    evaluate.add_argument("--seed", type=int, default=0, help="seed of the bootstrap and of the random baseline")
    model_options(evaluate)

    compare = commands.add_parser("compare", help="paired comparison of two weight settings on the same labelled pairs")
    compare.add_argument("profiles", type=Path)
    compare.add_argument("pairs", type=Path, help="CSV with de_id, cn_id, grade (0-3)")
    compare.add_argument(
        "--against",
        type=Path,
        default=None,
        help="baseline weights TOML (default data/weights/default.toml); --weights is the candidate",
    )
    compare.add_argument("--k", type=_positive_int, default=10)
    compare.add_argument("--relevant-grade", type=float, default=2)
    compare.add_argument(
        "--bootstrap",
        type=_positive_int,
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
            "--lang", type=_language, default="en", help="language of headers and reasons: de, zh or en"
        )
        command.add_argument(
            "--second-lang",
            type=_language,
            default=None,
            help="second language of the dossier (default: zh, or de when --lang is zh)",
        )

    export = commands.add_parser(
        "export", help="a shortlist of one company's suggestions (.csv, .xlsx or .html dossier)"
    )
    export.add_argument("profiles", type=Path)
    export.add_argument("--company", required=True)
    export.add_argument("--top-k", type=_positive_int, default=10)
    output_options(export)
    model_options(export)

    def database_option(command: argparse.ArgumentParser) -> None:
        command.add_argument(
            "--database",
            default=None,
            metavar="URL",
            help="SQLAlchemy URL (default: MATCHMAKER_DATABASE_URL, else SQLite in the user data folder)",
        )

    shortlists = commands.add_parser("shortlists", help="the saved shortlists (id, name, author, entries)")
    database_option(shortlists)

    shortlist = commands.add_parser("shortlist", help="export a saved shortlist (.csv, .xlsx or .html dossier)")
    shortlist.add_argument("shortlist_id", type=_positive_int, help="id from `matchmaker shortlists`")
    shortlist.add_argument("profiles", type=Path, help="the profiles the shortlist was made from")
    output_options(shortlist)
    database_option(shortlist)
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
    tune.add_argument("profiles", type=Path)
    tune.add_argument("pairs", type=Path)
    tune.add_argument(
        "--out", type=Path, required=True, help="weights TOML to write, or a folder (then weights-<version>.toml in it)"
    )
    tune.add_argument(
        "--method",
        choices=("learned", "search"),
        default="learned",
        help="learned: non-negative logistic regression of the components (default); search: random search",
    )
    tune.add_argument(
        "--metric",
        choices=("recall", "precision", "mrr", "ndcg"),
        default="mrr",
        help="what the search maximises and the cross-validation reports (default mrr)",
    )
    tune.add_argument("--trials", type=_positive_int, default=600, help="settings tried by --method search")
    tune.add_argument("--k", type=_positive_int, default=10)
    tune.add_argument("--seed", type=int, default=1)
    model_options(tune)

    train = commands.add_parser("train-model", help="train the offline domain model from data/glossary")
    train.add_argument(
        "--out",
        type=Path,
        default=None,
        help="model folder to write (default: models/isa-domain-static in the user's data folder; "
        "in a source checkout pass data/models/isa-domain-static to refresh the shipped model)",
    )
    train.add_argument("--seed", type=int, default=None)
    train.add_argument("--epochs", type=_positive_int, default=None)

    commands.add_parser(
        "dashboard",
        help="start the dashboard; any further options go to Streamlit (e.g. --server.port 8502)",
        add_help=False,
    )

    generate = commands.add_parser("generate", help="synthetic profiles for scale tests (not the demo data)")
    generate.add_argument("--n", type=_positive_int, required=True, help="companies per country")
    generate.add_argument("--out", type=Path, required=True)
    generate.add_argument("--seed", type=int, default=0)
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

    report = validate_file(args.file, sheet=args.sheet, limits=_limits(args))
    print(report.render(args.lang))
    return 0 if report.usable else 1


def _fitted_matcher(args):
    from matchmaker.io.profiles import load_profiles
    from matchmaker.scoring.matcher import Matcher
    from matchmaker.scoring.weights import as_weights

    environment = C.Environment.read()
    profiles = load_profiles(args.profiles, sheet=args.sheet, limits=_limits(args))
    for issue in profiles.report.errors + profiles.report.warnings:
        log.info(issue.render("en"))
    if profiles.report.warnings:
        print(
            f"{len(profiles.report.warnings)} warnings in {args.profiles}; run `matchmaker validate {args.profiles}` to read them.",
            file=sys.stderr,
        )
    matcher = Matcher(
        model=args.model or environment.model,
        weights=as_weights(args.weights or environment.weights_file),
        cache_dir=None if args.no_cache else str(environment.cache_dir),
        show_progress=not getattr(args, "quiet", False),
    )
    return matcher.fit(profiles)


TWO_STAGE_FROM = 50_000  # companies on a side: at 10,000 the exact ranking (17 s) still beats two stages (38 s)


def _rank_all(matcher, k: int, ranking: str, scheduler: str | None = None):
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
        return recommend_all_two_stage(matcher, k=k)
    return matcher.recommend_all(k=k)


def _recommend(args) -> int:
    matcher = _fitted_matcher(args)
    from matchmaker.io.files import writing

    table = _rank_all(matcher, args.top_k, args.ranking, args.scheduler)
    # The contract table is for tools: ids are written exactly as given, so joins keep working.
    # Spreadsheet-bound files (export, dashboard downloads) go through exports.safe_table.
    with writing(args.out, "the recommendations file") as out:
        table.to_csv(out, index=False, encoding="utf-8")
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
    matcher = _fitted_matcher(args)
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
    matcher = _fitted_matcher(args)
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

    matcher = _fitted_matcher(args)
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
    matcher = _fitted_matcher(args)
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
    matcher = _fitted_matcher(args)
    cache = ComponentCache(matcher)
    if args.method == "learned":
        found = learn(cache, pairs, k=args.k, metric=args.metric, seed=args.seed)
        method = "non-negative logistic regression of the component values (class-balanced, C=1)"
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
        data_files=[args.profiles, args.pairs],
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

    settings = TrainingSettings()
    if args.seed is not None:
        settings.seed = args.seed
    if args.epochs is not None:
        settings.epochs = args.epochs
    args.out = args.out or C.user_data_dir() / "models" / "isa-domain-static"
    report = train_domain_model(out_dir=args.out, settings=settings)
    print(f"trained in {report.seconds} s on {report.train_items} items; model in {args.out}")
    for name, values in report.metrics.items():
        print(
            f"  held-out {name}: accuracy@1 {values['accuracy_at_1']:.3f}, MRR {values['mrr']:.3f} "
            f"({values['queries']} queries among {values['candidates']})"
        )
    return 0


def dashboard_command(options: list[str]) -> list[str]:
    """The Streamlit command line of the dashboard: the packaged app, the packaged settings
    (``matchmaker/ui/streamlit_config.toml``) as flags, then ``options`` (which win)."""
    import tomllib

    ui = Path(__file__).resolve().parent / "ui"
    settings = tomllib.loads((ui / "streamlit_config.toml").read_text(encoding="utf-8"))
    flags = [
        f"--{section}.{key}={str(value).lower() if isinstance(value, bool) else value}"
        for section, values in settings.items()
        for key, value in values.items()
    ]
    return [sys.executable, "-m", "streamlit", "run", str(ui / "app.py"), *flags, *options]


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
}

if __name__ == "__main__":
    sys.exit(main())
