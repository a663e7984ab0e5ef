"""Match quality on real, documented German-Chinese company relationships, and on the demo pairs.

    .venv/bin/python benchmarks/real_partnerships.py [--bootstrap 1000] [--models isa-domain use-multilingual]

Prints, with 95 % bootstrap intervals over source companies (k = 10, a documented pair is relevant):
1. the default model and method (the listwise objective), cross-validated on the real benchmark with
   folds by company (the weights of each fold learned on the other folds' companies), full profiles
   and text only (sector, focus areas, size and cooperation types withheld), beside the logistic
   objective it replaced; and a control that withholds only the cooperation types: the paired
   companies' profiles name joint ventures and investment far more often than the distractors'
   (written knowing the deal), so a weight on ``cooperation`` partly reads how the benchmark was made;
2. that against the plain cosine of the general multilingual model alone (paired comparison);
3. the shipped default weights with each model (in-sample on the real benchmark, where they were
   learned), and on the demo pairs (a second, separately reported source);
4. the default against the same without its crowding correction (the ``distinct`` component, whose
   weight is chosen inside each training fold), paired.
An unlisted pair is not a proven negative, so every figure is a lower bound.
"""

from __future__ import annotations

import argparse

import pandas as pd

from matchmaker import config
from matchmaker import vocab as V
from matchmaker.evaluation.baselines import ranking_frame
from matchmaker.evaluation.metrics import source_metrics
from matchmaker.evaluation.significance import bootstrap_intervals, format_interval, paired_comparison
from matchmaker.evaluation.tuning import ComponentCache, choose_folds, learned_weights, per_source_table
from matchmaker.io.pairs import load_pairs
from matchmaker.io.profiles import profiles_from_frame
from matchmaker.scoring.matcher import Matcher
from matchmaker.scoring.weights import default_weights

REAL = config.DATA_DIR / "benchmarks" / "real-partnerships"
WITHHELD = (V.SECTOR, V.SECTOR_CN, V.FOCUS_AREAS, V.EMPLOYEES, V.EMPLOYEES_BAND, V.COOPERATION)
SHOWN = ("recall", "mrr")


def text_only(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.drop(columns=[c for c in WITHHELD if c in frame.columns])


def fitted(frame: pd.DataFrame, model: str) -> Matcher:
    return Matcher(model=model, cache_dir=str(config.Environment.read().cache_dir)).fit(profiles_from_frame(frame))


def cross_validated(
    cache: ComponentCache, pairs: pd.DataFrame, objective: str = "listwise", crowding: bool = True
) -> pd.DataFrame:
    """Held-out per-source metrics: each fold's sources ranked with weights learned without them (the
    listwise objective's L2 strength chosen by inner cross-validation on the training companies, and,
    with ``crowding``, the weight of ``distinct`` by the training sources' MRR)."""
    fold_of, _ = choose_folds(pairs, 5, seed=1)
    parts = []
    for fold in sorted(set(fold_of.values())):
        training = {c for c, f in fold_of.items() if f != fold}
        weights = learned_weights(cache, pairs, training, objective=objective, seed=1, crowding=crowding)
        table = per_source_table(cache, weights, pairs, 10)
        parts.append(table[table[V.SOURCE_ID].map(fold_of) == fold])
    return pd.concat(parts, ignore_index=True)


def part_of_sources(pairs: pd.DataFrame) -> dict[str, set[str]]:
    """Source company -> the research parts (``parts/pairs_<part>.csv``) its documented pairs come from."""
    parts: dict[str, set[str]] = {}
    for file in sorted((REAL / "parts").glob("pairs_*.csv")):
        part = file.stem.removeprefix("pairs_").upper()
        listed = pd.read_csv(file, dtype=str, keep_default_na=False)
        for de, cn in zip(listed["de_id"], listed["cn_id"]):
            parts.setdefault(de, set()).add(part)
            parts.setdefault(cn, set()).add(part)
    return parts


def cosine_table(matcher: Matcher, pairs: pd.DataFrame) -> pd.DataFrame:
    fitted_ = matcher.fitted_
    parts = []
    for direction in V.DIRECTIONS:
        sources, targets = fitted_.sides(direction)
        text = fitted_.features.text
        parts.append(ranking_frame(fitted_.ids[sources], fitted_.ids[targets], text[sources] @ text[targets].T))
    return source_metrics(pd.concat(parts, ignore_index=True), pairs, 10)


def show(label: str, per_source: pd.DataFrame, resamples: int) -> None:
    both = bootstrap_intervals(per_source.assign(direction="de_to_cn"), n_resamples=resamples)
    each = bootstrap_intervals(per_source, n_resamples=resamples)
    cells = []
    for metric in SHOWN:
        row = both[(both["metric"] == metric) & (both["direction"] == "de_to_cn")].iloc[0]
        parts = [f"{metric} {format_interval(row.value, row.low, row.high)}"]
        for direction in V.DIRECTIONS:
            r = each[(each["metric"] == metric) & (each["direction"] == direction)].iloc[0]
            parts.append(f"{direction} {r.value:.3f}")
        cells.append(" (".join([parts[0], ", ".join(parts[1:])]) + ")")
    print(f"  {label:58s} {' · '.join(cells)}")


def print_comparison(label: str, baseline: pd.DataFrame, candidate: pd.DataFrame) -> None:
    comparison = paired_comparison(baseline, candidate, n_resamples=2000)
    for row in comparison[comparison["metric"].isin(SHOWN)].itertuples(index=False):
        print(
            f"    {label}, {row.direction} {row.metric}: {row.difference:+.3f} "
            f"[{row.low:+.3f}, {row.high:+.3f}], p = {row.p_value:.4f}"
        )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--bootstrap", type=int, default=1000)
    parser.add_argument("--models", nargs="*", default=["isa-domain", "use-multilingual"])
    args = parser.parse_args()
    real = pd.read_csv(REAL / "companies.csv", dtype=str, keep_default_na=False)
    pairs = load_pairs(REAL / "pairs.csv")
    demo = pd.read_csv(config.DEMO_PROFILES, dtype=str, keep_default_na=False)
    demo_pairs = load_pairs(config.DEMO_PAIRS)
    shipped = default_weights()
    print(
        f"real benchmark: {len(real)} companies, {len(pairs)} documented pairs; default model {config.DEFAULT_MODEL} "
        f"({config.HYBRID_MODEL_SPEC}); shipped weights {shipped.version}; {args.bootstrap} resamples"
    )
    general = fitted(real, "use-multilingual")
    variants = (
        ("full profiles", real),
        ("full profiles without cooperation types (control)", real.drop(columns=[V.COOPERATION])),
        ("text only", text_only(real)),
    )
    for label, frame in variants:
        print(f"\nReal benchmark, {label}")
        matcher = fitted(frame, config.DEFAULT_MODEL)
        cache = ComponentCache(matcher)
        held_out = cross_validated(cache, pairs)
        show("default model, learned weights, cross-validated by company", held_out, args.bootstrap)
        source_parts = part_of_sources(pairs)
        for part in sorted(set().union(*source_parts.values())):
            mine = held_out[[part in source_parts.get(c, set()) for c in held_out[V.SOURCE_ID]]]
            show(f"  sources with a pair from part {part} ({len(mine)})", mine, args.bootstrap)
        show(
            "  the same, logistic objective (the method before)",
            cross_validated(cache, pairs, "logistic"),
            args.bootstrap,
        )
        without = cross_validated(cache, pairs, crowding=False)
        show("  without the crowding correction (distinct = 0)", without, args.bootstrap)
        print_comparison("default minus no crowding correction", without, held_out)
        show(
            "default model, shipped weights (in-sample)",
            per_source_table(cache, shipped.as_dict(), pairs, 10),
            args.bootstrap,
        )
        baseline = cosine_table(general, pairs)
        show("plain cosine of use-multilingual", baseline, args.bootstrap)
        print_comparison("cross-validated minus plain cosine", baseline, held_out)
        for model in args.models:
            other = ComponentCache(fitted(frame, model))
            show(f"{model}, shipped weights", per_source_table(other, shipped.as_dict(), pairs, 10), args.bootstrap)
    print("\nDemo pairs (fictional, written with the demo profiles)")
    for model in (config.DEFAULT_MODEL, *args.models):
        cache = ComponentCache(fitted(demo, model))
        show(f"{model}, shipped weights", per_source_table(cache, shipped.as_dict(), demo_pairs, 10), args.bootstrap)


if __name__ == "__main__":
    main()
