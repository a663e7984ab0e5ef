"""Match quality when the population is small: each held-out fold of the real benchmark ranked on its own.

    .venv/bin/python benchmarks/small_populations.py [--bootstrap 1000] [--distractors 0.2]

``benchmarks/real_partnerships.py`` ranks every source against all ~290 companies of the other country.
A table an agency brings (or a test set someone else wrote) is often much smaller, and everything the
matcher computes from its population changes with it: the calibration of each component, the crowding
behind ``distinct``, the sectors' prototypes. Here each of the 5 folds by company (seed 1, as the main
benchmark) keeps its paired companies and a share of the companies in no pair (``--distractors``), about
117 companies; a matcher is fitted on those alone, as ``matchmaker recommend`` would be, and ranks them
with weights learned on the other folds (with and without the crowding correction), with the shipped
weights, and by the semantic component alone (the text vectors' cosine, calibrated per language pair).
Full profiles, text only (sector, focus areas, size, cooperation withheld) and descriptions only (offers
and seeks withheld too). Mean of both directions, 95 % bootstrap intervals over source companies, paired
differences against the semantic component alone.
"""

from __future__ import annotations

import argparse

import pandas as pd
from real_partnerships import REAL, fitted, print_comparison, show, text_only

from matchmaker import config
from matchmaker import vocab as V
from matchmaker.evaluation.baselines import full_rankings
from matchmaker.evaluation.metrics import source_metrics
from matchmaker.evaluation.tuning import ComponentCache, choose_folds, learned_weights
from matchmaker.io.pairs import load_pairs
from matchmaker.scoring.weights import Weights, default_weights


def description_only(frame: pd.DataFrame) -> pd.DataFrame:
    return text_only(frame).drop(columns=[V.OFFERS, V.SEEKS])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--bootstrap", type=int, default=1000)
    parser.add_argument("--distractors", type=float, default=0.2, help="share of the unpaired companies kept per fold")
    args = parser.parse_args()
    real = pd.read_csv(REAL / "companies.csv", dtype=str, keep_default_na=False)
    pairs = load_pairs(REAL / "pairs.csv")
    fold_of, _ = choose_folds(pairs, 5, seed=1)
    unpaired = real[~real[V.ID].isin(set(fold_of))]
    for label, reduce in (("full profiles", None), ("text only", text_only), ("descriptions only", description_only)):
        frame = real if reduce is None else reduce(real)
        cache = ComponentCache(fitted(frame, config.DEFAULT_MODEL))  # the other folds' weights come from here
        tables: dict[str, list[pd.DataFrame]] = {}
        sizes = []
        for fold in sorted(set(fold_of.values())):
            training = {c for c, f in fold_of.items() if f != fold}
            kept = set(unpaired[V.ID].sample(frac=args.distractors, random_state=fold))
            kept |= {c for c, f in fold_of.items() if f == fold}
            small = frame[frame[V.ID].isin(kept)]
            sizes.append(len(small))
            matcher = fitted(small, config.DEFAULT_MODEL)
            labelled = pairs[pairs[V.DE_ID].isin(kept) & pairs[V.CN_ID].isin(kept)]  # all of this fold's pairs
            settings = {
                "weights learned on the other folds": Weights(learned_weights(cache, pairs, training, seed=1)),
                "  the same without the crowding correction": Weights(
                    learned_weights(cache, pairs, training, seed=1, crowding=False)
                ),
                "shipped weights (learned on all folds: in-sample)": default_weights(),
                "semantic component alone (calibrated cosine)": Weights({"semantic": 1.0}),
            }
            for name, weights in settings.items():
                tables.setdefault(name, []).append(source_metrics(full_rankings(matcher, weights), labelled, 10))
        print(f"\n{label}: 5 folds of {min(sizes)}-{max(sizes)} companies, each fitted and ranked on its own")
        held = {name: pd.concat(parts, ignore_index=True) for name, parts in tables.items()}
        for name, table in held.items():
            show(name, table, args.bootstrap)
        cosine = held["semantic component alone (calibrated cosine)"]
        print_comparison("learned minus semantic alone", cosine, held["weights learned on the other folds"])
        print_comparison(
            "learned minus learned without crowding correction",
            held["  the same without the crowding correction"],
            held["weights learned on the other folds"],
        )


if __name__ == "__main__":
    main()
