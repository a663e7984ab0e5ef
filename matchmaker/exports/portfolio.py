"""The alliance's view of the suggestions: good German–Chinese matches counted per pair of member
cities, and the pairs behind one cell. Pure functions over a recommendations table (both directions,
contract section 2) and the normalised profiles.
"""

from __future__ import annotations

import pandas as pd

from matchmaker import vocab as V

DE_CITY, CN_CITY, MATCHES = "de_city", "cn_city", "matches"


def good_pairs(suggestions: pd.DataFrame, profiles: pd.DataFrame, threshold: float) -> pd.DataFrame:
    """Each German–Chinese pair suggested in either direction with a score of at least ``threshold``,
    once (its best score), with both companies' member cities: columns ``de_id``, ``cn_id``,
    ``score``, ``de_city``, ``cn_city`` (empty for a city outside the alliance)."""
    columns = [V.DE_ID, V.CN_ID, V.SCORE, DE_CITY, CN_CITY]
    if suggestions.empty:
        return pd.DataFrame(columns=columns)
    indexed = profiles.set_index(V.ID)
    country = suggestions[V.SOURCE_ID].map(indexed[V.COUNTRY])
    german = country.eq("DE")
    pairs = pd.DataFrame(
        {
            V.DE_ID: suggestions[V.SOURCE_ID].where(german, suggestions[V.TARGET_ID]),
            V.CN_ID: suggestions[V.TARGET_ID].where(german, suggestions[V.SOURCE_ID]),
            V.SCORE: suggestions[V.SCORE].astype(float),
        }
    )
    pairs = pairs[pairs[V.SCORE] >= threshold]
    pairs = pairs.groupby([V.DE_ID, V.CN_ID], as_index=False)[V.SCORE].max()
    pairs[DE_CITY] = pairs[V.DE_ID].map(indexed[V.CITY_KEY]).fillna("")
    pairs[CN_CITY] = pairs[V.CN_ID].map(indexed[V.CITY_KEY]).fillna("")
    return pairs.sort_values(V.SCORE, ascending=False, ignore_index=True)[columns]


def city_matrix(pairs: pd.DataFrame) -> pd.DataFrame:
    """Good matches per (German member city, Chinese member city): columns ``de_city``, ``cn_city``,
    ``matches`` (an integer), one row per pair of cities with at least one match."""
    known = pairs[pairs[DE_CITY].ne("") & pairs[CN_CITY].ne("")]
    counts = known.groupby([DE_CITY, CN_CITY]).size().rename(MATCHES).reset_index()
    return counts.astype({MATCHES: "int64"}).sort_values(MATCHES, ascending=False, ignore_index=True)


def pairs_between(pairs: pd.DataFrame, de_city: str, cn_city: str) -> pd.DataFrame:
    """The good pairs behind one cell of :func:`city_matrix`, best first."""
    return pairs[(pairs[DE_CITY] == de_city) & (pairs[CN_CITY] == cn_city)].reset_index(drop=True)


def city_links(matrix: pd.DataFrame, city: str | None) -> pd.DataFrame:
    """The matrix with a ``chosen`` column: True for the links of ``city`` (German or Chinese)."""
    return matrix.assign(chosen=matrix[DE_CITY].eq(city) | matrix[CN_CITY].eq(city))
