"""The shipped benchmark of real partnerships: complete, loadable, sourced, and leak-free."""

import pandas as pd
import pytest
from helpers import REPO

from matchmaker.evaluation.leaks import partner_name_leaks
from matchmaker.io.pairs import load_pairs
from matchmaker.io.profiles import profiles_from_frame

FOLDER = REPO / "data" / "benchmarks" / "real-partnerships"


@pytest.fixture(scope="module")
def benchmark():
    companies = pd.read_csv(FOLDER / "companies.csv", dtype=str, keep_default_na=False)
    return companies, load_pairs(FOLDER / "pairs.csv")


def test_every_pair_joins_a_german_and_a_chinese_company_with_sources(benchmark):
    companies, pairs = benchmark
    country = dict(zip(companies["id"], companies["country"]))
    assert len(pairs) >= 120 and not pairs.duplicated(["de_id", "cn_id"]).any()
    assert {country.get(i) for i in pairs["de_id"]} == {"DE"} and {country.get(i) for i in pairs["cn_id"]} == {"CN"}
    assert pairs["sources"].str.contains("http").all() and pairs["year"].astype(int).between(1950, 2030).all()
    assert set(pairs["confidence"]) <= {"high", "medium", "low"}


def test_at_least_as_many_distractors_as_paired_companies(benchmark):
    companies, pairs = benchmark
    paired = set(pairs["de_id"]) | set(pairs["cn_id"])
    assert set(companies.loc[companies["role"] == "paired", "id"]) == paired
    assert (companies["role"] == "distractor").sum() >= len(paired)
    assert companies["id"].is_unique


def test_profiles_load_without_errors_and_in_both_languages(benchmark):
    companies, _ = benchmark
    loaded = profiles_from_frame(companies)
    assert loaded.report.usable and not loaded.report.errors and len(loaded) == len(companies)
    assert {"de", "zh"} <= set(loaded.table["language"])


def test_no_profile_names_its_partner(benchmark):
    companies, pairs = benchmark
    leaks = partner_name_leaks(companies, pairs)
    assert leaks.empty, leaks.to_string()
