"""Good matches counted per pair of member cities."""

import pandas as pd

from matchmaker import vocab as V
from matchmaker.exports.portfolio import city_links, city_matrix, good_pairs, pairs_between

PROFILES = pd.DataFrame(
    {
        V.ID: ["D1", "D2", "D3", "C1", "C2"],
        V.COUNTRY: ["DE", "DE", "DE", "CN", "CN"],
        V.CITY_KEY: ["hamburg", "hamburg", "", "foshan", "baoding"],
    }
)
# both directions, as recommend_all writes them; D1-C1 suggested both ways
SUGGESTIONS = pd.DataFrame(
    {
        V.SOURCE_ID: ["D1", "D1", "D2", "D3", "C1", "C2"],
        V.RANK: [1, 2, 1, 1, 1, 1],
        V.TARGET_ID: ["C1", "C2", "C1", "C1", "D1", "D2"],
        V.SCORE: [0.8, 0.3, 0.6, 0.9, 0.7, 0.5],
    }
)


def test_a_pair_suggested_both_ways_counts_once_with_its_best_score():
    pairs = good_pairs(SUGGESTIONS, PROFILES, threshold=0.45)
    assert len(pairs[(pairs[V.DE_ID] == "D1") & (pairs[V.CN_ID] == "C1")]) == 1
    assert pairs.set_index([V.DE_ID, V.CN_ID]).loc[("D1", "C1"), V.SCORE] == 0.8
    assert ("D1", "C2") not in set(zip(pairs[V.DE_ID], pairs[V.CN_ID]))  # 0.3 is below the threshold
    assert list(pairs[V.SCORE]) == sorted(pairs[V.SCORE], reverse=True)


def test_the_city_matrix_counts_good_pairs_per_pair_of_member_cities():
    matrix = city_matrix(good_pairs(SUGGESTIONS, PROFILES, threshold=0.45))
    counts = {(a, b): n for a, b, n in zip(matrix["de_city"], matrix["cn_city"], matrix["matches"])}
    assert counts == {("hamburg", "foshan"): 2, ("hamburg", "baoding"): 1}  # D3's city is outside the alliance
    assert matrix["matches"].dtype == "int64"


def test_a_cell_opens_the_pairs_behind_it_and_a_city_s_links_are_marked():
    pairs = good_pairs(SUGGESTIONS, PROFILES, threshold=0.45)
    cell = pairs_between(pairs, "hamburg", "foshan")
    assert list(cell[V.DE_ID]) == ["D1", "D2"]
    links = city_links(city_matrix(pairs), "baoding")
    assert list(links[links["chosen"]]["cn_city"]) == ["baoding"]


def test_no_suggestions_give_an_empty_matrix():
    empty = SUGGESTIONS.iloc[0:0]
    assert city_matrix(good_pairs(empty, PROFILES, 0.45)).empty
