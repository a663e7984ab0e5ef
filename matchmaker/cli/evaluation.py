"""The commands on labelled pairs: ``evaluate`` the ranking against baselines, ``compare`` two weight
settings (paired bootstrap and permutation test), ``tune`` the weights."""

from __future__ import annotations

from pathlib import Path

from matchmaker import config as C

from .options import model_options, positive_int, profiles_argument
from .profiles import fitted_matcher


def metric_options(command, bootstrap: int | None, bootstrap_help: str) -> None:
    """The cut-off k, the grade that counts as relevant and the bootstrap resamples of evaluate and compare."""
    command.add_argument("--k", type=positive_int, default=10)
    command.add_argument("--relevant-grade", type=float, default=2)
    command.add_argument("--bootstrap", type=positive_int, default=bootstrap, metavar="N", help=bootstrap_help)


def at_k(metrics, k: int) -> list[str]:
    """``recall`` -> ``recall@10`` (likewise precision and nDCG); MRR stays as it is."""
    return [f"{m}@{k}" if m in ("recall", "precision", "ndcg") else m for m in metrics]


def add_evaluate(commands) -> None:
    parser = commands.add_parser("evaluate", help="Recall@k, MRR, nDCG@k on labelled pairs, with baselines")
    profiles_argument(parser, pairs=True)
    metric_options(parser, None, "add 95%% confidence intervals from N bootstrap resamples of the labelled sources")
    parser.add_argument("--seed", type=int, default=0, help="seed of the bootstrap and of the random baseline")
    model_options(parser)


def evaluate(args) -> int:
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
    table.columns = at_k(table.columns, args.k)
    print(table.to_string())
    return 0


def add_compare(commands) -> None:
    parser = commands.add_parser("compare", help="paired comparison of two weight settings on the same labelled pairs")
    profiles_argument(parser, pairs=True)
    parser.add_argument(
        "--against",
        type=Path,
        default=None,
        help="baseline weights TOML (default data/weights/default.toml); --weights is the candidate",
    )
    metric_options(parser, 2000, "resamples for the interval and the permutation test (default 2000)")
    parser.add_argument("--seed", type=int, default=0)
    model_options(parser)


def compare(args) -> int:
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
    shown = table.assign(metric=at_k(table["metric"], args.k))
    print(
        shown.round({"baseline": 3, "candidate": 3, "difference": 3, "low": 3, "high": 3, "p_value": 4}).to_string(
            index=False
        )
    )
    return 0


def add_tune(commands) -> None:
    parser = commands.add_parser(
        "tune", help="choose weights on labelled pairs (cross-validated learned model or random search)"
    )
    profiles_argument(parser, pairs=True)
    parser.add_argument(
        "--out", type=Path, required=True, help="weights TOML to write, or a folder (then weights-<version>.toml in it)"
    )
    parser.add_argument(
        "--method",
        choices=("learned", "search"),
        default="learned",
        help="learned: non-negative weights fitted to rank each labelled company's partners first (listwise, "
        "regularisation chosen by cross-validation by company; default); search: random search",
    )
    parser.add_argument(
        "--metric",
        choices=("recall", "precision", "mrr", "ndcg"),
        default="mrr",
        help="what the search maximises and the cross-validation reports (default mrr)",
    )
    parser.add_argument("--trials", type=positive_int, default=600, help="settings tried by --method search")
    parser.add_argument("--k", type=positive_int, default=10)
    parser.add_argument("--seed", type=int, default=1)
    model_options(parser)


def tune(args) -> int:
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
