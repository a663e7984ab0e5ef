"""Where the matcher goes wrong: score distributions per language pair, calibration against labels,
language bias and exposure of the suggestions, and the labelled pairs it ranks worst.

The functions that need scores take a fitted :class:`~matchmaker.scoring.matcher.Matcher`; the analyses
themselves are pure functions over tables (a recommendations table ``source_id, rank, target_id``,
labelled pairs ``de_id, cn_id, grade``, company attributes) so that tiny planted tables test them.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd

from matchmaker import vocab as V
from matchmaker.errors import ParameterError
from matchmaker.evaluation.metrics import oriented_labels
from matchmaker.io.pairs import check_pairs
from matchmaker.scoring.fitted import FittedMatcher
from matchmaker.scoring.matcher import Matcher
from matchmaker.scoring.weights import Weights, weighted_sum
from matchmaker.vocab import DIRECTIONS

GROUPS = ("target", "city")


def company_attributes(fitted: FittedMatcher) -> pd.DataFrame:
    """One row per fitted company: id, country, language, city (member-city key, else the city as
    written), sector (NACE division, '(none)' when not given), focus (first focus area, '(none)' when none)."""
    table = fitted.profiles
    city = table[V.CITY_KEY].fillna("").astype(str)
    return pd.DataFrame(
        {
            V.ID: fitted.ids,
            V.COUNTRY: fitted.country,
            V.LANGUAGE: table[V.LANGUAGE].to_numpy(),
            V.CITY: np.where(city != "", city, table[V.CITY].astype(str)),
            "sector": table[V.NACE_DIVISION].fillna("").astype(str).replace("", "(none)").to_numpy(),
            "focus": [keys[0] if len(keys) else "(none)" for keys in table[V.FOCUS_KEYS]],
        }
    )


def pair_scores(matcher: Matcher, weights: Weights | None = None) -> pd.DataFrame:
    """The score of every German x Chinese pair (German company as the source): columns de_id, cn_id,
    de_language, cn_language, language_pair (e.g. ``de-zh``), score. ``n_de * n_cn`` rows."""
    resolved = matcher.weights_for(weights)
    fitted = matcher.fitted_for(resolved)
    de, cn = fitted.sides("de_to_cn")
    score = weighted_sum(fitted.components(de, cn, resolved.active), resolved)
    language = fitted.profiles[V.LANGUAGE].to_numpy()
    frame = pd.DataFrame(
        {
            V.DE_ID: np.repeat(fitted.ids[de], len(cn)),
            V.CN_ID: np.tile(fitted.ids[cn], len(de)),
            "de_language": np.repeat(language[de], len(cn)),
            "cn_language": np.tile(language[cn], len(de)),
            V.SCORE: score.ravel().astype(float),
        }
    )
    frame["language_pair"] = frame["de_language"] + "-" + frame["cn_language"]
    return frame


def labelled_scores(scores: pd.DataFrame, pairs: pd.DataFrame) -> pd.DataFrame:
    """Labelled pairs joined to their score (from :func:`pair_scores`); pairs of unknown companies
    are dropped. Columns: de_id, cn_id, grade, score, language_pair, and the pairs' other columns."""
    pairs = check_pairs(pairs).astype({V.DE_ID: str, V.CN_ID: str})
    return pairs.merge(scores, on=[V.DE_ID, V.CN_ID], how="inner")


def calibration(
    labelled: pd.DataFrame,
    bins: int = 5,
    relevant_grade: float = 2,
    strategy: Literal["quantile", "uniform"] = "quantile",
) -> pd.DataFrame:
    """Does a higher score mean a better partner? Labelled pairs binned by score.

    One row per non-empty bin, lowest scores first: bin, low, high (score range), mean_score, pairs,
    relevant_rate (share with grade >= ``relevant_grade``, in [0, 1]), mean_grade. A calibrated score
    has both rates rising from bin to bin. ``quantile`` bins hold equally many pairs."""
    if strategy not in ("quantile", "uniform"):
        raise ParameterError(f"strategy must be 'quantile' or 'uniform'. Got {strategy!r} instead.")
    if not isinstance(bins, (int, np.integer)) or bins < 1:
        raise ParameterError(f"bins must be a positive int. Got {bins!r} instead.")
    score = labelled[V.SCORE].to_numpy(dtype=float)
    if strategy == "quantile":
        edges = np.unique(np.quantile(score, np.linspace(0, 1, bins + 1)))
    else:
        edges = np.linspace(score.min(), score.max(), bins + 1)
    if len(edges) < 2:  # every pair has the same score: one bin
        edges = np.repeat(edges, 2)
    which = np.clip(np.searchsorted(edges, score, side="right") - 1, 0, len(edges) - 2)
    frame = pd.DataFrame({"bin": which, V.SCORE: score, V.GRADE: labelled[V.GRADE].to_numpy(dtype=float)})
    table = frame.groupby("bin").agg(
        mean_score=(V.SCORE, "mean"),
        pairs=(V.SCORE, "size"),
        mean_grade=(V.GRADE, "mean"),
        relevant_rate=(V.GRADE, lambda g: float((g >= relevant_grade).mean())),
    )
    table.insert(0, "low", edges[table.index])
    table.insert(1, "high", edges[table.index + 1])
    return table.reset_index()


def _oriented(top: pd.DataFrame, attributes: pd.DataFrame) -> pd.DataFrame:
    info = attributes.set_index(V.ID)
    frame = top[[V.SOURCE_ID, V.TARGET_ID]].astype(str)
    frame = frame.assign(source_country=frame[V.SOURCE_ID].map(info[V.COUNTRY]))
    frame["direction"] = frame["source_country"].map(V.direction_from)
    for side, column in (("source", V.SOURCE_ID), ("target", V.TARGET_ID)):
        frame[f"{side}_language"] = frame[column].map(info[V.LANGUAGE])
        frame[f"{side}_city"] = frame[column].map(info[V.CITY])
    return frame


def language_bias(top: pd.DataFrame, attributes: pd.DataFrame) -> pd.DataFrame:
    """Do suggestions favour a language pair beyond what the candidate pool offers?

    ``top``: a recommendations table cut at k. ``attributes``: :func:`company_attributes`.
    One row per direction, source language and target language: suggestions, share (of the source
    language's suggestions going to that target language), expected (that language's share of the
    candidate pool) and ratio = share / expected (1 = no bias; 2 = twice as often as the pool)."""
    frame = _oriented(top, attributes)
    rows = []
    for direction, part in frame.groupby("direction"):
        target_country = V.DIRECTION_COUNTRIES[direction][1]
        pool = attributes.loc[attributes[V.COUNTRY] == target_country, V.LANGUAGE].value_counts(normalize=True)
        for (source_language, target_language), count in (
            part.groupby(["source_language", "target_language"]).size().items()
        ):
            share = count / (part["source_language"] == source_language).sum()
            expected = float(pool.get(target_language, 0.0))
            rows.append(
                {
                    "direction": direction,
                    "source_language": source_language,
                    "target_language": target_language,
                    "suggestions": int(count),
                    "share": float(share),
                    "expected": expected,
                    "ratio": float(share / expected) if expected else float("nan"),
                }
            )
    return pd.DataFrame(rows)


def gini(counts: np.ndarray) -> float:
    """Gini coefficient of non-negative counts: 0 when every item has the same count, (n-1)/n when
    one item has everything; 0 for an empty or all-zero array."""
    values = np.sort(np.asarray(counts, dtype=float))
    n = len(values)
    if n == 0 or values.sum() == 0:
        return 0.0
    return float((2 * np.arange(1, n + 1) - n - 1) @ values / (n * values.sum()))


def exposure(top: pd.DataFrame, attributes: pd.DataFrame, by: Literal["target", "city"] = "target") -> pd.DataFrame:
    """How often each candidate (or each city's candidates) appears in everyone's suggestions.

    One row per direction and candidate company (``by="target"``) or candidate city (``by="city"``),
    zeros included for candidates never suggested: direction, key, companies (candidates it stands
    for), appearances, share (of the direction's suggestions), pool_share (of the candidates)."""
    if by not in GROUPS:
        raise ParameterError(f"by must be one of {', '.join(GROUPS)}. Got {by!r} instead.")
    frame = _oriented(top, attributes)
    rows = []
    for direction in DIRECTIONS:
        target_country = V.DIRECTION_COUNTRIES[direction][1]
        pool = attributes[attributes[V.COUNTRY] == target_country]
        if pool.empty:
            continue
        key = pool[V.ID].astype(str) if by == "target" else pool[V.CITY]
        part = frame[frame["direction"] == direction]
        counts = (part[V.TARGET_ID] if by == "target" else part["target_city"]).value_counts()
        companies = key.value_counts()
        total = max(len(part), 1)
        for value, size in companies.items():
            rows.append(
                {
                    "direction": direction,
                    "key": value,
                    "companies": int(size),
                    "appearances": int(counts.get(value, 0)),
                    "share": counts.get(value, 0) / total,
                    "pool_share": size / len(pool),
                }
            )
    order = {d: i for i, d in enumerate(DIRECTIONS)}
    return pd.DataFrame(rows).sort_values(
        ["direction", "appearances"],
        ascending=[True, False],
        ignore_index=True,
        key=lambda c: c.map(order) if c.name == "direction" else c,
    )


def exposure_summary(table: pd.DataFrame) -> pd.DataFrame:
    """Concentration per direction of an :func:`exposure` table: gini (0 = even, near 1 = a few take
    all), top10_share (share of suggestions taken by the top 10 % of keys), never_shown (share of
    keys that appear nowhere), keys."""
    rows = []
    for direction, part in table.groupby("direction", sort=False):
        counts = np.sort(part["appearances"].to_numpy())[::-1]
        top = max(1, int(np.ceil(0.1 * len(counts))))
        rows.append(
            {
                "direction": direction,
                "gini": gini(counts),
                "top10_share": counts[:top].sum() / max(counts.sum(), 1),
                "never_shown": float((counts == 0).mean()),
                "keys": len(counts),
            }
        )
    return pd.DataFrame(rows)


def worst_pairs(ranked: pd.DataFrame, pairs: pd.DataFrame, n: int = 10, relevant_grade: float = 2) -> pd.DataFrame:
    """The labelled pairs the ranking gets most wrong, per direction.

    ``ranked``: every candidate ranked for every source (:func:`matchmaker.evaluation.metrics.full_rankings`).
    Returns up to ``n`` rows per direction and kind: ``missed`` = relevant pairs (grade >=
    ``relevant_grade``) ranked lowest; ``false alarm`` = grade-0 pairs ranked highest. Columns:
    direction, kind, source_id, target_id, grade, rank, and the pairs' ``reason`` when it has one."""
    pairs = check_pairs(pairs)
    position = ranked.set_index([V.SOURCE_ID, V.TARGET_ID])[V.RANK]
    parts = []
    for direction in DIRECTIONS:
        labels = oriented_labels(pairs, direction)
        labels[V.RANK] = position.reindex(pd.MultiIndex.from_frame(labels[[V.SOURCE_ID, V.TARGET_ID]])).to_numpy()
        labels = labels.dropna(subset=[V.RANK])
        missed = labels[labels[V.GRADE] >= relevant_grade].nlargest(n, V.RANK).assign(kind="missed")
        alarms = labels[labels[V.GRADE] == 0].nsmallest(n, V.RANK).assign(kind="false alarm")
        parts.append(pd.concat([missed, alarms]).assign(direction=direction))
    table = pd.concat(parts, ignore_index=True)
    table[V.RANK] = table[V.RANK].astype(int)
    columns = ["direction", "kind", V.SOURCE_ID, V.TARGET_ID, V.GRADE, V.RANK]
    if "reason" in pairs.columns:
        reasons = {(str(d), str(c)): r for d, c, r in pairs[[V.DE_ID, V.CN_ID, "reason"]].itertuples(index=False)}
        table["reason"] = [
            reasons.get((s, t), reasons.get((t, s), "")) for s, t in zip(table[V.SOURCE_ID], table[V.TARGET_ID])
        ]
        columns.append("reason")
    return table[columns]
