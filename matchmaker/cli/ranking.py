"""The commands of the recommendations table: ``validate`` a profiles file, ``recommend`` every
company's K best partners (exactly, in two stages, or on a Dask cluster), ``generate`` synthetic
profiles for scale tests."""

from __future__ import annotations

import sys
from pathlib import Path

from matchmaker import config
from matchmaker import vocab as V
from matchmaker.errors import MatchmakerError
from matchmaker.i18n import t

from .options import lang_option, language_code, limit_options, limits, model_options, positive_int, profiles_argument
from .profiles import fitted_matcher


def add_validate(commands) -> None:
    parser = commands.add_parser("validate", help="report every problem of a profiles file")
    parser.add_argument("file", type=Path)
    parser.add_argument("--sheet", help="XLSX sheet to read (default: the one with the company table)")
    parser.add_argument("--lang", type=language_code, default="en", help="report language: de, zh or en")
    limit_options(parser)


def validate(args) -> int:
    from matchmaker.io.profiles import validate_file

    report = validate_file(args.file, sheet=args.sheet, limits=limits(args))
    print(report.render(args.lang))
    return 0 if report.usable else 1


def add_recommend(commands) -> None:
    parser = commands.add_parser("recommend", help="the K best partners of every company (the recommendations table)")
    profiles_argument(parser)
    parser.add_argument("--top-k", type=positive_int, default=10)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--quiet", action="store_true", help="no progress bars")
    parser.add_argument(
        "--ranking",
        choices=("auto", "exact", "two-stage"),
        default="auto",
        help="exact: score every pair; two-stage: candidates by inner product, then the exact score on them; "
        f"auto (default): two-stage when a side has more than {config.TWO_STAGE_FROM:,} companies",
    )
    parser.add_argument(
        "--candidates",
        type=positive_int,
        default=None,
        help="two-stage: candidates found per company, pooled over each block of similar companies and all scored "
        "exactly (default: 200 up to about 32,000 on the other side, 400 at 100,000; see benchmarks/README.md)",
    )
    parser.add_argument(
        "--index",
        choices=V.INDEX_KINDS,
        default="auto",
        help="two-stage: the candidate search (auto: exact flat below 30,000 companies a side, IVF with 4-bit "
        "product codes above)",
    )
    parser.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        default=None,
        help="rank exactly on a Dask cluster (e.g. tcp://10.0.0.5:8786; needs the 'distributed' extra)",
    )
    model_options(parser)


def rank_all(
    matcher,
    k: int,
    ranking: str,
    scheduler: str | None = None,
    candidates: int | None = None,
    index: str = "auto",
):
    """Every company's ``k`` best partners: exactly (on a Dask cluster when ``scheduler`` names one) or
    through the two stages; the same table either way."""
    from matchmaker.retrieval.two_stage import recommend_all_two_stage, too_large_for_exact

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
    if ranking == "two-stage" or (ranking == "auto" and too_large_for_exact(matcher)):
        return recommend_all_two_stage(matcher, k=k, candidates=candidates, index=index)
    return matcher.recommend_all(k=k)


def recommend(args) -> int:
    matcher = fitted_matcher(args)
    from matchmaker.io.csv_writer import write_csv
    from matchmaker.io.files import writing

    table = rank_all(matcher, args.top_k, args.ranking, args.scheduler, args.candidates, args.index)
    # The contract table is for tools: ids are written exactly as given, so joins keep working.
    # Spreadsheet-bound files (export, dashboard downloads) go through exports.safe_table.
    with writing(args.out, "the recommendations file") as out:
        write_csv(table, out)
    companies = t("cli.companies", args.lang, count=table[V.SOURCE_ID].nunique())
    print(
        t("cli.suggestions_written", args.lang, count=len(table), companies=companies, path=args.out), file=sys.stderr
    )
    return 0


def add_generate(commands) -> None:
    parser = commands.add_parser("generate", help="synthetic profiles for scale tests (not the demo data)")
    parser.add_argument("--n", type=positive_int, required=True, help="companies per country")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=0)
    lang_option(parser)


def generate(args) -> int:
    from matchmaker.io.files import writing
    from matchmaker.io.synthetic import synthetic_profiles

    frame = synthetic_profiles(args.n, seed=args.seed)
    with writing(args.out, "the profiles file") as out:
        if out.suffix.lower() == ".parquet":
            frame.to_parquet(out, index=False)
        else:
            frame.to_csv(out, index=False, encoding="utf-8")
    print(t("cli.generated", args.lang, count=len(frame), path=args.out), file=sys.stderr)
    return 0
