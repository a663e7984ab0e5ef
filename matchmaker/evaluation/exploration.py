"""What the data holds and where German and Chinese companies meet: coverage tables, a 2-D map of
the profile embeddings, regions of that space with their German/Chinese mix, and each company's
nearest partner from the other country.

Pure functions over a profiles table (``matcher.fitted_.profiles`` or ``load_profiles(...).table``) and
the embedding matrix (``matcher.fitted_.features.text``: ``(n, d)`` unit rows, row i = company i);
:func:`company_map` puts them together for a fitted matcher.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np
import pandas as pd
from sklearn.cluster import KMeans
from sklearn.decomposition import PCA
from sklearn.manifold import TSNE

from matchmaker import vocab as V
from matchmaker.errors import ParameterError
from matchmaker.evaluation.diagnostics import company_attributes
from matchmaker.scoring.fitted import FittedMatcher

CoverageBy = Literal["city", "sector", "focus", "language"]
COVERAGE_KINDS: dict[str, str] = {"city": "city", "sector": "division", "focus": "focus", "language": ""}


def coverage(
    profiles: pd.DataFrame, by: CoverageBy, taxonomy=None, language: str | Sequence[str] = "en"
) -> pd.DataFrame:
    """Companies per city, sector (NACE division), focus area or language, and country.

    One row per value, most companies first: ``value``, ``DE``, ``CN``, ``total`` and, with a
    ``taxonomy``, its ``label`` in ``language`` (several languages: ``"Foshan / 佛山"``). A company with
    two focus areas counts once in each; an empty value is shown as ``(none)``. Cities outside the alliance keep their spelling."""
    if by not in COVERAGE_KINDS:
        raise ParameterError(f"by must be one of {', '.join(COVERAGE_KINDS)}. Got {by!r} instead.")
    frame = pd.DataFrame({V.COUNTRY: profiles[V.COUNTRY].to_numpy()})
    if by == "city":
        key = profiles[V.CITY_KEY].fillna("").astype(str)
        frame["value"] = np.where(key != "", key, profiles[V.CITY].astype(str))
    elif by == "sector":
        frame["value"] = profiles[V.NACE_DIVISION].fillna("").astype(str).to_numpy()
    elif by == "language":
        frame["value"] = profiles[V.LANGUAGE].fillna("").astype(str).to_numpy()
    else:
        frame["value"] = [list(keys) or [""] for keys in profiles[V.FOCUS_KEYS]]
        frame = frame.explode("value")
    frame["value"] = frame["value"].replace("", "(none)")
    table = pd.crosstab(frame["value"], frame[V.COUNTRY]).reindex(columns=list(V.COUNTRIES), fill_value=0)
    table["total"] = table.sum(axis=1)
    table = table.sort_values(["total", "DE"], ascending=False).reset_index().rename_axis(columns=None)
    if taxonomy is not None and COVERAGE_KINDS[by]:
        languages = [language] if isinstance(language, str) else list(language)
        table.insert(
            1,
            "label",
            [
                " / ".join(dict.fromkeys(taxonomy.label(COVERAGE_KINDS[by], v, lang) for lang in languages))
                for v in table["value"]
            ],
        )
    return table


def embedding_map(
    vectors: np.ndarray, method: Literal["pca", "tsne"] = "tsne", seed: int = 0, perplexity: float = 30.0
) -> np.ndarray:
    """``(n, 2)`` coordinates of ``(n, d)`` embeddings: PCA, or PCA to 50 dimensions then t-SNE
    (cosine distances, seeded). Neighbours on the map are neighbours in meaning; t-SNE distances
    between far-apart groups carry little meaning. Needs n >= 3."""
    if method not in ("pca", "tsne"):
        raise ParameterError(f"method must be 'pca' or 'tsne'. Got {method!r} instead.")
    vectors = np.asarray(vectors, dtype=np.float32)
    if len(vectors) < 3:
        raise ParameterError(f"An embedding map needs at least 3 companies. Got {len(vectors)}.")
    if method == "pca":
        return PCA(n_components=2, random_state=seed).fit_transform(vectors)
    reduced = PCA(n_components=min(50, *vectors.shape), random_state=seed).fit_transform(vectors)
    tsne = TSNE(
        n_components=2,
        perplexity=min(perplexity, (len(vectors) - 1) / 3),
        metric="cosine",
        init="pca",
        random_state=seed,
    )
    return tsne.fit_transform(reduced)


def regions(vectors: np.ndarray, n_regions: int = 12, seed: int = 0) -> np.ndarray:
    """``(n,)`` region label per company: k-means (seeded) on the unit embeddings, so a region is a
    group of companies that describe similar business, whichever language they wrote in."""
    if not isinstance(n_regions, (int, np.integer)) or not 1 <= n_regions <= len(vectors):
        raise ParameterError(
            f"n_regions must be an int between 1 and the number of companies ({len(vectors)}). "
            f"Got {n_regions!r} instead."
        )
    return KMeans(n_clusters=n_regions, n_init=10, random_state=seed).fit_predict(np.asarray(vectors, dtype=np.float64))


def region_mix(companies: pd.DataFrame) -> pd.DataFrame:
    """Where German and Chinese companies sit together. ``companies``: country, region, focus.

    One row per region: companies, DE, CN, mixing (``2 * min(DE, CN) / companies``: 1 = half and
    half, 0 = one country only) and top_focus (its most frequent focus area); best mixed first."""
    grouped = companies.groupby("region")
    table = pd.DataFrame(
        {
            "companies": grouped.size(),
            "DE": grouped[V.COUNTRY].apply(lambda c: int((c == "DE").sum())),
            "CN": grouped[V.COUNTRY].apply(lambda c: int((c == "CN").sum())),
            "top_focus": grouped["focus"].agg(lambda f: f.value_counts().index[0]),
        }
    )
    table["mixing"] = 2 * table[["DE", "CN"]].min(axis=1) / table["companies"]
    return table.reset_index().sort_values(["mixing", "companies"], ascending=False, ignore_index=True)[
        ["region", "companies", "DE", "CN", "mixing", "top_focus"]
    ]


def cross_country_neighbours(vectors: np.ndarray, ids: np.ndarray, country: np.ndarray) -> pd.DataFrame:
    """Each company's most similar company from the other country (cosine of unit embeddings).

    One row per company: id, country, neighbour_id, similarity in [-1, 1] (higher = a partner that
    writes about the same business exists). Companies of a country without counterparts get NaN."""
    vectors = np.asarray(vectors, dtype=np.float32)
    ids, country = np.asarray(ids).astype(str), np.asarray(country)
    neighbour = np.empty(len(ids), dtype=object)
    similarity = np.full(len(ids), np.nan)
    for own, other in (("DE", "CN"), ("CN", "DE")):
        rows, cols = np.flatnonzero(country == own), np.flatnonzero(country == other)
        if not len(rows) or not len(cols):
            continue
        sims = vectors[rows] @ vectors[cols].T
        best = sims.argmax(axis=1)
        neighbour[rows] = ids[cols[best]]
        similarity[rows] = sims[np.arange(len(rows)), best]
    return pd.DataFrame({V.ID: ids, V.COUNTRY: country, "neighbour_id": neighbour, "similarity": similarity})


def neighbours_by(neighbours: pd.DataFrame, companies: pd.DataFrame, by: str = "focus") -> pd.DataFrame:
    """Mean nearest cross-country similarity per value of ``companies[by]`` and country: a low
    figure marks companies whose kind of business the other country's data barely holds.
    Columns: ``by``, DE, CN, companies (rows sorted by the lower of DE and CN, lowest first)."""
    frame = neighbours.merge(companies[[V.ID, by]], on=V.ID)
    table = frame.pivot_table(index=by, columns=V.COUNTRY, values="similarity", aggfunc="mean")
    table = table.reindex(columns=list(V.COUNTRIES))
    table["companies"] = frame.groupby(by).size()
    order = table[list(V.COUNTRIES)].min(axis=1).sort_values().index
    return table.loc[order].reset_index().rename_axis(columns=None)


def company_map(
    fitted: FittedMatcher, method: Literal["pca", "tsne"] = "tsne", n_regions: int = 12, seed: int = 0
) -> pd.DataFrame:
    """One row per fitted company: :func:`matchmaker.evaluation.diagnostics.company_attributes` plus map
    coordinates ``x, y`` (:func:`embedding_map`), ``region`` (:func:`regions`), and ``neighbour_id``,
    ``similarity`` (:func:`cross_country_neighbours`)."""
    vectors = fitted.features.text
    table = company_attributes(fitted)
    xy = embedding_map(vectors, method, seed)
    table["x"], table["y"] = xy[:, 0], xy[:, 1]
    table["region"] = regions(vectors, min(n_regions, len(table)), seed)
    nearest = cross_country_neighbours(vectors, fitted.ids, fitted.country)
    return table.join(nearest[["neighbour_id", "similarity"]])
