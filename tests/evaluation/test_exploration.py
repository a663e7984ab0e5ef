"""Coverage, the embedding map, regions and cross-country neighbours on planted data."""

import numpy as np
import pandas as pd
import pytest

from matchmaker.errors import ParameterError
from matchmaker.evaluation.exploration import (
    company_map,
    coverage,
    cross_country_neighbours,
    embedding_map,
    neighbours_by,
    region_mix,
    regions,
)
from matchmaker.scoring.matcher import Matcher


@pytest.fixture
def fitted(planted_profiles, domain_encoder):
    profiles = planted_profiles.copy()
    profiles.loc[0, "city"] = "Atlantis"  # outside the alliance: kept as written
    return Matcher().fit(profiles, encoder=domain_encoder)


def test_coverage_counts_each_country(fitted, taxonomy):
    cities = coverage(fitted.fitted_.profiles, "city", taxonomy, ("en", "zh")).set_index("value")
    assert cities.loc["foshan", ["DE", "CN", "total"]].tolist() == [0, 6, 6]
    assert cities.loc["koeln", "DE"] == 5 and cities.loc["Atlantis", "total"] == 1
    assert cities.loc["foshan", "label"] == "Foshan / 佛山"
    languages = coverage(fitted.fitted_.profiles, "language").set_index("value")
    assert languages.loc["zh", "CN"] == 6 and languages.loc["de", "DE"] == 6
    focus = coverage(fitted.fitted_.profiles, "focus")
    assert focus["total"].sum() == sum(max(len(k), 1) for k in fitted.fitted_.profiles["focus_keys"])
    with pytest.raises(ParameterError, match="by must be one of"):
        coverage(fitted.fitted_.profiles, "size")


def planted_vectors() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Three tight groups: two mixed (DE and CN), one German only."""
    rng = np.random.default_rng(0)
    centres = np.eye(8)[:3] * 5
    vectors = np.vstack([centres[g] + 0.05 * rng.standard_normal((6, 8)) for g in range(3)])
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    country = np.array(["DE", "CN"] * 6 + ["DE"] * 6)
    ids = np.array([f"X{i}" for i in range(18)])
    return vectors, ids, country


def test_regions_find_the_planted_groups_and_their_mix():
    vectors, ids, country = planted_vectors()
    labels = regions(vectors, 3, seed=0)
    assert len(set(labels[:6])) == len(set(labels[6:12])) == len(set(labels[12:])) == 1 and len(set(labels)) == 3
    mix = region_mix(pd.DataFrame({"country": country, "region": labels, "focus": ["a"] * 6 + ["b"] * 6 + ["c"] * 6}))
    assert mix["mixing"].tolist() == [1.0, 1.0, 0.0] and mix.iloc[-1]["top_focus"] == "c"
    xy = embedding_map(vectors, "tsne", seed=1, perplexity=5)
    assert xy.shape == (18, 2) and np.allclose(xy, embedding_map(vectors, "tsne", seed=1, perplexity=5))
    with pytest.raises(ParameterError):
        regions(vectors, 40)


def test_cross_country_neighbours_stay_in_their_group_when_they_can():
    vectors, ids, country = planted_vectors()
    table = cross_country_neighbours(vectors, ids, country)
    assert table.loc[0, "neighbour_id"] in {f"X{i}" for i in range(1, 6, 2)}  # a Chinese company of its own group
    assert table.loc[:11, "similarity"].min() > 0.9 and table.loc[12:, "similarity"].max() < 0.1
    by = neighbours_by(table, pd.DataFrame({"id": ids, "group": ["a"] * 6 + ["b"] * 6 + ["c"] * 6}), by="group")
    assert by.iloc[0]["group"] == "c" and np.isnan(by.iloc[0]["CN"])


def test_company_map_on_a_fitted_matcher(fitted):
    table = company_map(fitted.fitted_, method="pca", n_regions=6, seed=0)
    assert len(table) == 12 and {"x", "y", "region", "neighbour_id", "similarity"} <= set(table.columns)
    german = table[table["country"] == "DE"]
    assert german["neighbour_id"].str.startswith("CN").all()
    assert (german["neighbour_id"] == german["id"].str.replace("DE", "CN")).mean() >= 5 / 6  # planted partners
