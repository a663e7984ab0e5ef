"""Choose component weights by measurement, cross-validated with folds by company (weights are chosen
on the other folds and scored on the held-out fold, so the reported figure is not the one that was
optimised). Two methods:

- :func:`search`: random search over the weight simplex (:func:`random_weights`), the setting with
  the best mean metric wins;
- :func:`learn`: a non-negative linear model of the component values over every candidate of the
  labelled sources (:func:`learned_weights`): by default a listwise ranking objective (each source's
  partners against its own candidates, :mod:`matchmaker.evaluation.listwise`, L2 strength chosen by
  inner cross-validation by company), or the class-balanced logistic regression of "is a labelled
  partner" it replaced; steadier than a search when labels are few.

The chosen weights become a versioned weights file with their provenance (:func:`tuned_weights`,
:func:`save_tuned_weights`) that ``matchmaker recommend --weights FILE``, the dashboard and
``Matcher(weights=path)`` load; ``matchmaker tune`` and the tune-weights notebook both write it here.
"""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from matchmaker import vocab as V
from matchmaker.errors import ParameterError
from matchmaker.evaluation.baselines import ranking_frame
from matchmaker.evaluation.listwise import ALPHAS, DEFAULT_ALPHA, Lists, fit_listwise, reciprocal_ranks
from matchmaker.evaluation.metrics import METRICS, direction_metrics
from matchmaker.scoring.components import DISTINCT, PAIR_COMPONENTS
from matchmaker.scoring.crowding import base_weights, basis_key, best_mean
from matchmaker.scoring.matcher import Matcher
from matchmaker.scoring.weights import Weights, save_weights
from matchmaker.vocab import DIRECTIONS


class ComponentCache:
    """Raw component matrices of a fitted matcher for both directions, computed once, so a
    weight setting is scored with a weighted sum and a sort. ``distinct`` is not stored: a setting
    that weighs it gets the targets' crowding computed here from the stored components under its base
    (every source against every target, so exactly as the matcher computes it)."""

    def __init__(self, matcher: Matcher, names: tuple[str, ...] = PAIR_COMPONENTS) -> None:
        fitted = matcher.fitted_
        self.names = names
        self.model = str(fitted.encoder_identity)
        self.sides = {}
        for direction in DIRECTIONS:
            sources, targets = fitted.sides(direction)
            values = fitted.components(sources, targets, names)
            self.sides[direction] = (fitted.ids[sources], fitted.ids[targets], np.stack([values[n] for n in names]))

    def scores(self, weights: Mapping[str, float], direction: str) -> np.ndarray:
        """``(sources, targets)`` scores of one weight setting (``distinct`` included when weighted)."""
        _, _, stack = self.sides[direction]
        vector = np.array([weights.get(n, 0.0) for n in self.names], dtype=np.float32)
        score = np.tensordot(vector, stack, axes=1)
        if weights.get(DISTINCT, 0.0) > 0:
            score += np.float32(weights[DISTINCT]) * self.distinct(weights)[direction][None, :]
        return score

    def distinct(self, weights: Mapping[str, float]) -> dict[str, np.ndarray]:
        """Per direction, the targets' ``distinct`` value (1 - crowding) under the base of ``weights``."""
        resolved = Weights({n: v for n, v in weights.items() if n in self.names or n == DISTINCT})
        key = basis_key(resolved)
        kept = self.__dict__.setdefault("_distinct", {})  # per base weight setting
        if key not in kept:
            base = base_weights(resolved)
            values = {}
            for direction, (_, targets, _) in self.sides.items():
                if base is None:
                    values[direction] = np.ones(len(targets), dtype=np.float32)
                    continue
                # each target's best scores over every source: its own best as a source (symmetric score)
                values[direction] = np.clip(1.0 - best_mean(self.scores(base.as_dict(), direction), axis=0), 0, 1)
            kept[key] = values
        return kept[key]

    def rankings(self, weights: dict[str, float], direction: str) -> pd.DataFrame:
        sources, targets, _ = self.sides[direction]
        return ranking_frame(sources, targets, self.scores(weights, direction))


def per_source_table(
    cache: ComponentCache, weights: Mapping[str, float], pairs: pd.DataFrame, k: int, relevant_grade: float = 2
) -> pd.DataFrame:
    """Per-source metrics for both directions (column ``direction``) of one weight setting."""
    rankings = {direction: cache.rankings(weights, direction) for direction in DIRECTIONS}
    return direction_metrics(rankings, pairs, k, relevant_grade)


Objective = Literal["listwise", "logistic"]
OBJECTIVES: tuple[str, ...] = ("listwise", "logistic")
INNER_FOLDS = 4


def ranking_lists(
    cache: ComponentCache, pairs: pd.DataFrame, sources: set[str] | None = None, relevant_grade: float = 2
) -> dict[str, tuple[np.ndarray, Lists]]:
    """Per direction, ``(source ids, lists)``: every candidate of every labelled source (of ``sources``,
    when given) that has a partner graded ``relevant_grade`` or better among the fitted companies."""
    relevant = pairs[pairs[V.GRADE] >= relevant_grade]
    partners = set(zip(relevant[V.DE_ID].astype(str), relevant[V.CN_ID].astype(str)))
    result = {}
    for direction in DIRECTIONS:
        source_ids, target_ids, stack = cache.sides[direction]
        rows, hits = [], []
        for i, source in enumerate(source_ids):
            if sources is not None and source not in sources:
                continue
            hit = np.array([((source, t) if direction == "de_to_cn" else (t, source)) in partners for t in target_ids])
            if hit.any():
                rows.append(i)
                hits.append(hit)
        values = stack[:, rows, :].transpose(1, 2, 0).astype(np.float64)
        relevant_rows = np.array(hits, dtype=bool).reshape(len(rows), len(target_ids))
        result[direction] = (source_ids[rows], Lists(values, relevant_rows))
    return result


def learned_weights(
    cache: ComponentCache,
    pairs: pd.DataFrame,
    sources: set[str] | None = None,
    relevant_grade: float = 2,
    C: float = 1.0,
    objective: Objective = "listwise",
    alpha: float | None = None,
    seed: int = 0,
    crowding: bool = True,
    metric: str = "mrr",
    k: int = 10,
) -> dict[str, float]:
    """Non-negative weights summing to 1, learned from the raw component values of every candidate of
    every labelled source (of ``sources``, when given) in both directions; a partner is a pair
    labelled ``relevant_grade`` or better.

    ``objective="listwise"`` (the default): the softmax cross-entropy of each source's partners among
    its candidates (:func:`matchmaker.evaluation.listwise.fit_listwise`), L2 strength ``alpha``; when
    ``alpha`` is None it is chosen from :data:`~matchmaker.evaluation.listwise.ALPHAS` by
    :data:`INNER_FOLDS`-fold cross-validation by company *within* these sources (:func:`chosen_alpha`),
    so a caller's held-out fold is never used.
    ``objective="logistic"``: a class-balanced logistic regression of "is a partner" (inverse L2 strength
    ``C``), negative coefficients clipped to 0 — the method before issue 12's listwise one.
    ``crowding``: then give ``distinct`` the weight that serves these sources best by ``metric`` at ``k``
    (:func:`with_distinct`)."""
    if objective not in OBJECTIVES:
        raise ParameterError(f"objective must be one of {', '.join(OBJECTIVES)}. Got {objective!r} instead.")
    lists = ranking_lists(cache, pairs, sources, relevant_grade)
    blocks = [block for _, block in lists.values()]
    if not any(len(block) for block in blocks):
        raise ParameterError(
            "No labelled source has a relevant partner among the fitted companies; nothing to learn from."
        )
    if objective == "listwise":
        if alpha is None:
            alpha = chosen_alpha(cache, pairs, sources, relevant_grade, seed)
        coefficients = fit_listwise(blocks, alpha)
    else:
        from sklearn.linear_model import LogisticRegression

        features = np.concatenate([b.values.reshape(-1, b.values.shape[2]) for b in blocks if len(b)])
        labels = np.concatenate([b.relevant.ravel() for b in blocks if len(b)])
        model = LogisticRegression(C=C, class_weight="balanced", max_iter=5000).fit(features, labels)
        coefficients = np.clip(model.coef_[0], 0.0, None)
        coefficients = coefficients / coefficients.sum() if coefficients.sum() > 0 else np.ones_like(coefficients)
    coefficients = coefficients / coefficients.sum()
    learned = {name: float(value) for name, value in zip(cache.names, coefficients)}
    return with_distinct(cache, pairs, learned, sources, relevant_grade, metric, k) if crowding else learned


CROWDING_SHARES = (0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7)  # beta: distinct's weight against the others' sum


def with_distinct(
    cache: ComponentCache,
    pairs: pd.DataFrame,
    weights: Mapping[str, float],
    sources: set[str] | None = None,
    relevant_grade: float = 2,
    metric: str = "mrr",
    k: int = 10,
) -> dict[str, float]:
    """``weights`` (of the other components, summing to 1) with the ``distinct`` weight whose
    crowding correction gives the labelled ``sources`` (all, when None) the best mean ``metric``: a
    candidate's score less ``beta`` times its crowding, ``beta`` from :data:`CROWDING_SHARES`, written as
    weights that sum to 1 (the others times 1 / (1 + beta), ``distinct`` beta / (1 + beta)). One
    number chosen on the training sources' rankings: the listwise objective is not MRR, and learning
    ``distinct`` as one more linear weight gave it too little (benchmarks/README.md)."""
    base = {name: float(value) for name, value in weights.items() if name != DISTINCT}
    figures = []
    for beta in CROWDING_SHARES:
        setting = {name: value / (1 + beta) for name, value in base.items()} | {DISTINCT: beta / (1 + beta)}
        table = per_source_table(cache, setting, pairs, k, relevant_grade)
        if sources is not None:
            table = table[table[V.SOURCE_ID].isin(sources)]
        figures.append((float(table[metric].mean()) if len(table) else 0.0, -beta, setting))
    return max(figures, key=lambda figure: figure[:2])[2]


def chosen_alpha(
    cache: ComponentCache,
    pairs: pd.DataFrame,
    sources: set[str] | None = None,
    relevant_grade: float = 2,
    seed: int = 0,
    alphas: tuple[float, ...] = ALPHAS,
) -> float:
    """The L2 strength of the listwise objective with the best mean held-out MRR over
    :data:`INNER_FOLDS` folds by company of the labelled pairs among ``sources`` (all labelled
    companies when None). Ties go to the stronger penalty (``alphas`` are strongest first);
    :data:`~matchmaker.evaluation.listwise.DEFAULT_ALPHA` when the labels are too few to split."""
    inner = pairs
    if sources is not None:  # the pairs a list of these sources can use
        inner = pairs[pairs[V.DE_ID].astype(str).isin(sources) | pairs[V.CN_ID].astype(str).isin(sources)]
    if (inner[V.GRADE] >= relevant_grade).sum() < 2 * INNER_FOLDS:
        return DEFAULT_ALPHA
    fold_of, _ = choose_folds(inner, INNER_FOLDS, seed)
    lists = ranking_lists(cache, inner, sources, relevant_grade)
    splits = []
    for fold in range(INNER_FOLDS):
        train, test = [], []
        for ids, block in lists.values():
            in_fold = np.array([fold_of.get(s, -1) == fold for s in ids], dtype=bool)
            train.append(block.take(np.flatnonzero(~in_fold)))
            test.append(block.take(np.flatnonzero(in_fold)))
        if any(len(b) for b in train) and any(len(b) for b in test):
            splits.append((train, test))
    if not splits:
        return DEFAULT_ALPHA
    scores = []
    for alpha in alphas:
        held_out = []
        for train, test in splits:
            weights = fit_listwise(train, alpha)
            held_out.extend(reciprocal_ranks(weights, block) for block in test if len(block))
        scores.append(float(np.concatenate(held_out).mean()))
    return float(alphas[int(np.argmax(scores))])


def random_weights(
    count: int, names: tuple[str, ...], seed: int = 0, fixed: dict[str, float] | None = None
) -> list[dict[str, float]]:
    """``count`` weight settings drawn uniformly from the simplex over ``names`` (rounded to 0.05)."""
    rng = np.random.default_rng(seed)
    settings = []
    for draw in rng.dirichlet(np.ones(len(names)), size=count):
        rounded = np.round(draw / 0.05) * 0.05
        if rounded.sum() == 0:
            continue
        settings.append({n: float(v) for n, v in zip(names, rounded / rounded.sum())} | (fixed or {}))
    return settings


@dataclass(frozen=True)
class SearchResult:
    """What a search found.

    best: the candidate with the best mean ``metric`` over all labelled sources; best_trial: its index.
    folds: one row per fold: fold, chosen (candidate index), train and test figure of ``metric``,
        sources, test_<metric> for every metric, grouping
        ("company" or "source", see :func:`choose_folds`).
    trials: one row per candidate: ``trial``, one column per component weight, and the mean of every
        metric per direction (``de_to_cn_ndcg``, ...) and over both (``ndcg``, ...): plot a metric
        against a weight from it.
    description: what was fitted, in words (for the weights' provenance; set by :func:`learn`).
    """

    best: dict[str, float]
    best_trial: int
    folds: pd.DataFrame
    trials: pd.DataFrame
    metric: str
    description: str = ""

    @property
    def cross_validated(self) -> float:
        """Mean held-out figure over the folds: the honest estimate of the chosen weights."""
        return float(self.folds["test"].mean())


def search(
    cache: ComponentCache,
    pairs: pd.DataFrame,
    candidates: list[dict[str, float]],
    k: int = 10,
    metric: str = "ndcg",
    folds: int = 5,
    seed: int = 0,
) -> SearchResult:
    """Score every candidate on the labelled pairs; cross-validate the choice with folds by company
    (:func:`company_folds`: no labelled company in both the training and the test folds)."""
    if metric not in METRICS:
        raise ParameterError(f"metric must be one of {', '.join(METRICS)}. Got {metric!r} instead.")
    if not candidates:
        raise ParameterError(
            "candidates is empty: pass at least one weight setting, e.g. random_weights(200, COMPONENTS)."
        )
    tables = [per_source_table(cache, w, pairs, k) for w in candidates]
    fold_of, grouping = choose_folds(pairs, folds, seed)
    best, fold_table = _cross_validate(tables, candidates, metric, fold_of, folds)
    fold_table["grouping"] = grouping
    rows = []
    for trial, (weights, table) in enumerate(zip(candidates, tables)):
        row = {"trial": trial, **{n: float(weights.get(n, 0.0)) for n in (*cache.names, DISTINCT)}}
        row |= {m: float(table[m].mean()) for m in METRICS}
        for direction, means in table.groupby("direction")[list(METRICS)].mean().iterrows():
            row |= {f"{direction}_{m}": float(v) for m, v in means.items()}
        rows.append(row)
    return SearchResult(best, candidates.index(best), fold_table, pd.DataFrame(rows), metric)


def learn(
    cache: ComponentCache,
    pairs: pd.DataFrame,
    k: int = 10,
    metric: str = "mrr",
    folds: int = 5,
    seed: int = 0,
    C: float = 1.0,
    objective: Objective = "listwise",
    alpha: float | None = None,
    crowding: bool = True,
) -> SearchResult:
    """:func:`learned_weights` on all labelled pairs, with its cross-validated ``metric``: for each fold
    the weights are learned on the other folds' companies (the listwise objective's ``alpha``, when
    None, chosen by inner cross-validation on those companies alone) and measured on this fold's
    sources. The fold table has the ``alpha`` each fold used; :attr:`SearchResult.description` says
    what was fitted, for the weights' provenance. ``crowding``: the weight of ``distinct`` is chosen too
    (:func:`with_distinct`), inside each fold on its training sources."""
    if metric not in METRICS:
        raise ParameterError(f"metric must be one of {', '.join(METRICS)}. Got {metric!r} instead.")
    if objective not in OBJECTIVES:
        raise ParameterError(f"objective must be one of {', '.join(OBJECTIVES)}. Got {objective!r} instead.")
    fold_of, grouping = choose_folds(pairs, folds, seed)

    def strength(sources: set[str] | None) -> float | None:
        if objective != "listwise":
            return None
        return alpha if alpha is not None else chosen_alpha(cache, pairs, sources, seed=seed)

    rows = []
    for fold in range(folds):
        training = {company for company, f in fold_of.items() if f != fold}
        fold_alpha = strength(training)
        weights = learned_weights(
            cache, pairs, training, C=C, objective=objective, alpha=fold_alpha, seed=seed, crowding=crowding,
            metric=metric, k=k,
        )  # fmt: skip
        table = per_source_table(cache, weights, pairs, k)
        test = table[table[V.SOURCE_ID].map(fold_of) == fold]
        train = table[table[V.SOURCE_ID].isin(training)]
        rows.append(
            {
                "fold": fold,
                "chosen": 0,
                "train": train[metric].mean(),
                "test": test[metric].mean(),
                "sources": len(test),
                "grouping": grouping,
                "alpha": fold_alpha,
                **{f"test_{m}": test[m].mean() for m in METRICS},
            }
        )
    final_alpha = strength(None)
    best = learned_weights(
        cache, pairs, C=C, objective=objective, alpha=final_alpha, seed=seed, crowding=crowding, metric=metric, k=k
    )
    table = per_source_table(cache, best, pairs, k)
    trial = {
        "trial": 0,
        **{n: best.get(n, 0.0) for n in (*cache.names, DISTINCT)},
        **{m: float(table[m].mean()) for m in METRICS},
    }
    for direction, means in table.groupby("direction")[list(METRICS)].mean().iterrows():
        trial |= {f"{direction}_{m}": float(v) for m, v in means.items()}
    if objective == "listwise":
        how = "chosen by inner cross-validation by company" if alpha is None else "given"
        description = (
            "non-negative listwise ranking model of the component values (softmax cross-entropy of each "
            f"labelled source's partners among its candidates, L2 alpha={final_alpha:g} {how})"
        )
    else:
        description = f"non-negative logistic regression of the component values (class-balanced, C={C:g})"
    metric_label = "MRR" if metric == "mrr" else f"{metric}@{k}"
    description += (
        ""
        if not crowding
        else (
            "; then the weight of 'distinct' (the crowding correction: beta in "
            f"{', '.join(f'{b:g}' for b in CROWDING_SHARES)} against the others' sum) with the best {metric_label} of the same sources"
        )
    )
    return SearchResult(best, 0, pd.DataFrame(rows), pd.DataFrame([trial]), metric, description)


def company_folds(pairs: pd.DataFrame, folds: int = 5, seed: int = 0) -> dict[str, int]:
    """Fold of every labelled company, such that the two companies of a labelled pair are always in
    the same fold: whole connected groups of the pair graph go to one fold (largest groups first, each
    to the fold with the fewest companies so far; ties broken by a seeded shuffle). With these folds no
    company, as source or as partner, is seen in training and in testing."""
    parent: dict[str, str] = {}

    def root(company: str) -> str:
        parent.setdefault(company, company)
        while parent[company] != company:
            parent[company] = parent[parent[company]]
            company = parent[company]
        return company

    for de, cn in pairs[[V.DE_ID, V.CN_ID]].astype(str).itertuples(index=False):
        parent[root(de)] = root(cn)
    groups: dict[str, list[str]] = {}
    for company in list(parent):
        groups.setdefault(root(company), []).append(company)
    rng = np.random.default_rng(seed)
    order = sorted(groups.values(), key=lambda g: (-len(g), rng.random()))
    sizes = np.zeros(folds, dtype=int)
    fold_of: dict[str, int] = {}
    for group in order:
        fold = int(np.argmin(sizes + rng.random(folds) * 1e-3))
        sizes[fold] += len(group)
        fold_of |= dict.fromkeys(group, fold)
    return fold_of


def choose_folds(pairs: pd.DataFrame, folds: int = 5, seed: int = 0) -> tuple[dict[str, int], str]:
    """``(fold_of, grouping)``: folds by company (:func:`company_folds`, ``"company"``) when the pair
    graph splits into folds of at least half their fair share; otherwise (labels that link nearly every
    company, as the demo pairs do) folds by source company (``"source"``: a company may then be a
    partner in training and a source in testing)."""
    fold_of = company_folds(pairs, folds, seed)
    sizes = np.bincount(list(fold_of.values()), minlength=folds)
    if sizes.min() >= 0.5 * len(fold_of) / folds:
        return fold_of, "company"
    companies = sorted(fold_of)
    shuffled = np.random.default_rng(seed).permutation(len(companies)) % folds
    return {c: int(f) for c, f in zip(companies, shuffled)}, "source"


def _cross_validate(
    tables: list[pd.DataFrame], candidates: list[dict[str, float]], metric: str, fold_of: dict[str, int], folds: int
) -> tuple[dict[str, float], pd.DataFrame]:
    rows = []
    for fold in range(folds):
        train_means = [t[t[V.SOURCE_ID].map(fold_of) != fold][metric].mean() for t in tables]
        chosen = int(np.argmax(train_means))
        test = tables[chosen][tables[chosen][V.SOURCE_ID].map(fold_of) == fold]
        rows.append(
            {
                "fold": fold,
                "chosen": chosen,
                "train": train_means[chosen],
                "test": test[metric].mean(),
                "sources": len(test),
                **{f"test_{m}": test[m].mean() for m in METRICS},
            }
        )
    best = int(np.argmax([t[metric].mean() for t in tables]))
    return candidates[best], pd.DataFrame(rows)


def data_digest(*paths: Path | str) -> str:
    """First 12 hex digits of the SHA-1 of the files' bytes, in order: which data a result came from."""
    digest = hashlib.sha1()
    for path in paths:
        digest.update(Path(path).read_bytes())
    return digest.hexdigest()[:12]


def tuned_weights(
    best: Mapping[str, float],
    cache: ComponentCache,
    pairs: pd.DataFrame,
    *,
    data_files: Sequence[Path | str],
    method: str,
    command: str,
    k: int = 10,
    cross_validated: float | None = None,
    metric: str = "ndcg",
    date: datetime.date | None = None,
    folds: pd.DataFrame | None = None,
) -> Weights:
    """Weights rounded to 3 decimals, versioned ``<date>.<hash>`` and carrying their provenance:
    method, command, data_sha1 (of ``data_files``), date, model (the cache's encoder), k, the
    cross-validated ``metric`` and the mean of each metric per direction of the rounded weights on
    ``pairs`` (``de_to_cn_ndcg``, ...); with ``folds`` (a search's fold table), the cross-validated
    mean of every metric (``cross_validated_recall``, ...) and the fold grouping.

    The hash covers data and weights, so two different settings chosen on one day get two versions."""
    values = {name: round(float(value), 3) for name, value in best.items()}
    digest = data_digest(*data_files)
    day = (date or datetime.date.today()).isoformat()
    version_hash = hashlib.sha1((digest + repr(sorted(values.items()))).encode()).hexdigest()[:6]
    means = per_source_table(cache, values, pairs, k).groupby("direction")[list(METRICS)].mean()
    provenance: dict[str, object] = {
        "method": method,
        "command": command,
        "data_sha1": digest,
        "date": day,
        "model": cache.model,
        "k": int(k),
    }
    if cross_validated is not None:
        provenance[f"cross_validated_{metric}"] = round(float(cross_validated), 4)
    if folds is not None:
        for name in METRICS:
            if f"test_{name}" in folds:
                provenance[f"cross_validated_{name}"] = round(float(folds[f"test_{name}"].mean()), 4)
        if "grouping" in folds:
            provenance["folds"] = f"{len(folds)} folds by {folds['grouping'].iloc[0]}"
    provenance |= {
        f"{direction}_{name}": round(float(value), 4)
        for direction, row in means.iterrows()
        for name, value in row.items()
    }
    return Weights(values, version=f"{day}.{version_hash}", provenance=provenance)


def save_tuned_weights(weights: Weights, out: Path | str) -> Path:
    """Write ``weights`` to ``out``; when ``out`` is a folder (or has no ``.toml`` suffix), to
    ``out/weights-<version>.toml``. Returns the path written."""
    out = Path(out)
    if out.is_dir() or out.suffix.lower() != ".toml":
        out = out / f"weights-{weights.version}.toml"
    return save_weights(weights, out)
