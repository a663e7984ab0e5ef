"""The matcher: planted answers, the estimator contract, blocked ranking, errors that say what to do."""

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone

from matchmaker import config as C
from matchmaker import vocab as V
from matchmaker.errors import NotFittedError, ParameterError, UnknownCompanyError
from matchmaker.scoring.components import COMPONENTS
from matchmaker.scoring.matcher import Filters, Matcher
from matchmaker.scoring.weights import Weights

ALL_COMPONENTS = {name: 1.0 / len(COMPONENTS) for name in COMPONENTS}


@pytest.fixture
def fitted(planted_profiles, domain_encoder):
    return Matcher(weights=ALL_COMPONENTS).fit(planted_profiles, encoder=domain_encoder)


def test_each_planted_partner_ranks_first_in_both_directions(fitted):
    table = fitted.recommend_all(k=3)
    best = table[table[V.RANK] == 1].set_index(V.SOURCE_ID)[V.TARGET_ID]
    for i in range(1, 7):
        assert best[f"DE{i}"] == f"CN{i}", f"DE{i} got {best[f'DE{i}']}"
        assert best[f"CN{i}"] == f"DE{i}", f"CN{i} got {best[f'CN{i}']}"


def test_recommendations_follow_the_contract(fitted):
    table = fitted.recommend_all(k=4)
    assert list(table.columns[:4]) == [V.SOURCE_ID, V.RANK, V.TARGET_ID, V.SCORE]
    assert set(table.columns[4:]) == set(COMPONENTS)
    assert np.allclose(table[list(COMPONENTS)].sum(axis=1), table[V.SCORE], atol=1e-6)
    assert len(table) == 12 * 4
    assert (table.groupby(V.SOURCE_ID)[V.SCORE].apply(lambda s: s.is_monotonic_decreasing)).all()
    countries = dict(zip(fitted.fitted_.ids, fitted.fitted_.country))
    assert all(countries[s] != countries[t] for s, t in zip(table[V.SOURCE_ID], table[V.TARGET_ID]))


def test_scores_are_reciprocal_but_for_the_crowding_of_the_one_suggested(fitted):
    """Every pair component reads both companies alike; ``distinct`` is that of the company suggested
    (1 - its crowding), so the two directions of a pair differ by exactly that contribution."""
    forward = fitted.score_pairs(["DE1", "DE2"], ["CN3", "CN2"])
    backward = fitted.score_pairs(["CN3", "CN2"], ["DE1", "DE2"])
    assert np.allclose(forward[V.SCORE] - forward["distinct"], backward[V.SCORE] - backward["distinct"], atol=1e-6)
    crowding = fitted.fitted_for().features.crowding
    for table, suggested in ((forward, ["CN3", "CN2"]), (backward, ["DE1", "DE2"])):
        rows = [fitted.fitted_.position(company) for company in suggested]
        assert np.allclose(table["distinct_value"], 1 - crowding[rows], atol=1e-6)
    assert not np.allclose(forward[V.SCORE], backward[V.SCORE], atol=1e-4)  # the crowdings differ here


def test_a_company_s_crowding_is_the_mean_score_of_its_ten_best_suggestions(fitted):
    base = {name: value for name, value in ALL_COMPONENTS.items() if name != "distinct"}
    plain = fitted.recommend_all(k=10, weights=Weights(base))
    crowding = fitted.fitted_for().features.crowding
    for company, rows in plain.groupby(V.SOURCE_ID):
        expected = rows[V.SCORE].mean() / sum(base.values())  # the base weights, scaled to sum to 1
        assert crowding[fitted.fitted_.position(company)] == pytest.approx(expected, abs=1e-5)


def test_blocked_ranking_equals_one_block(planted_profiles, domain_encoder):
    whole = (
        Matcher(weights=ALL_COMPONENTS, block_size=1000)
        .fit(planted_profiles, encoder=domain_encoder)
        .recommend_all(k=6)
    )
    blocks = (
        Matcher(weights=ALL_COMPONENTS, block_size=1).fit(planted_profiles, encoder=domain_encoder).recommend_all(k=6)
    )
    pd.testing.assert_frame_equal(whole, blocks)


def test_clone_and_set_params_change_the_ranking(fitted, planted_profiles, domain_encoder):
    params = fitted.get_params()
    assert params["weights"] == ALL_COMPONENTS and params["model"] == C.DEFAULT_MODEL
    size_only = clone(fitted).set_params(weights={"size": 1.0})
    assert not hasattr(size_only, "fitted_")  # a clone is unfitted
    size_only.fit(planted_profiles, encoder=domain_encoder)
    # every size is unknown: all scores tie at the neutral 0.5, the planted order is gone
    table = size_only.recommend("DE1", k=6)
    assert np.allclose(table[V.SCORE], 0.5) and np.allclose(table["size"], 0.5)
    # the table keeps one column per component (the contract's shape); the unweighted ones contribute 0
    others = [name for name in COMPONENTS if name != "size"]
    assert list(table.columns[4:]) == list(COMPONENTS) and not table[others].to_numpy().any()
    assert fitted.recommend("DE1", k=1)[V.TARGET_ID].iloc[0] == "CN1"


def test_set_params_refuses_an_unknown_parameter_and_repr_shows_the_changed_ones():
    matcher = Matcher(z_cap=3.0, block_size=64)
    assert repr(matcher) == "Matcher(z_cap=3.0, block_size=64)"
    with pytest.raises(ParameterError, match="no parameter 'zcap'.*z_cap"):
        matcher.set_params(zcap=2.0)
    assert matcher.set_params(z_cap=2.0).z_cap == 2.0


def test_the_dashboard_s_pages_import_no_scikit_learn():
    """The matcher keeps scikit-learn's contract without importing it (1-2 s at every dashboard start)."""
    import subprocess
    import sys

    pages = "finder portfolio shortlist_page introductions_page data_page account alliance".split()
    code = "; ".join(f"import matchmaker.ui.{p}" for p in pages)
    code += "; import sys; print(sorted(m for m in sys.modules if m.split('.')[0] == 'sklearn'))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip().splitlines()[-1] == "[]"


def test_weights_can_change_after_fit_without_refitting(fitted):
    semantic_only = fitted.recommend("DE3", k=6, weights=Weights({"semantic": 1.0}))
    assert list(semantic_only.columns[4:]) == list(COMPONENTS)
    assert np.allclose(semantic_only[V.SCORE], semantic_only["semantic"])
    assert not semantic_only[[name for name in COMPONENTS if name != "semantic"]].to_numpy().any()
    with pytest.raises(ParameterError, match="must be a Weights. Got dict"):
        fitted.recommend("DE3", k=6, weights={"semantic": 1.0})


def test_filters_restrict_partners(planted_profiles, domain_encoder):
    profiles = planted_profiles.copy()
    profiles.loc[profiles["id"] == "CN2", "city"] = "湖州"
    matcher = Matcher(weights=ALL_COMPONENTS).fit(profiles, encoder=domain_encoder)
    only_huzhou = matcher.recommend("DE1", k=5, filters=Filters(cities=("huzhou",)))
    assert list(only_huzhou[V.TARGET_ID]) == ["CN2"]
    high = matcher.recommend("DE1", k=6, filters=Filters(min_score=0.99))
    assert high.empty


def test_unknown_id_and_unfitted_use_say_what_to_do(fitted):
    with pytest.raises(UnknownCompanyError, match="call fit"):
        fitted.recommend("NOPE", k=3)
    with pytest.raises(NotFittedError, match="Call fit"):
        Matcher().recommend("DE1")
    with pytest.raises(ParameterError, match="positive int. Got -3"):
        fitted.recommend("DE1", k=-3)
    with pytest.raises(ParameterError, match="z_cap"):
        Matcher(z_cap=0).fit(pd.DataFrame())


def test_k_larger_than_the_other_side(fitted):
    assert len(fitted.recommend("CN1", k=50)) == 6


def test_explanation_names_what_agrees_in_three_languages(fitted):
    from matchmaker.scoring.explain import explain_pair

    explanation = explain_pair(fitted, "DE1", "CN1")
    assert explanation.shared_terms, "battery terms appear in both profiles"
    german = " ".join(explanation.render("de"))
    chinese = " ".join(explanation.render("zh"))
    english = " ".join(explanation.render("en"))
    assert "In beiden Profilen" in german and "双方简介中都出现" in chinese and "Found in both profiles" in english
    assert "电池" in german  # the German reader sees the Chinese term beside the German one
    assert explanation.score == pytest.approx(sum(explanation.contributions.values()), abs=1e-6)


def test_explanation_names_a_crowded_partner_and_only_that(fitted):
    from matchmaker.scoring.explain import explain_pair

    crowding = fitted.fitted_for().features.crowding
    chinese = fitted.fitted_.side("CN")
    most, least = (fitted.fitted_.ids[chinese[f(crowding[chinese])]] for f in (np.argmax, np.argmin))
    crowded = explain_pair(fitted, "DE1", most)
    assert ("crowded", {"crowding": f"{crowding.max():.2f}"}) in crowded.disagreements
    shown = {language: " ".join(crowded.render(language)) for language in ("de", "zh", "en")}
    assert "besten Treffern" in shown["de"] and "最佳匹配" in shown["zh"] and "best matches" in shown["en"]
    assert all(f"{crowding.max():.2f}" in text for text in shown.values())
    assert not any(code == "crowded" for code, _ in explain_pair(fitted, "DE1", least).disagreements)
    plain = Weights({name: value for name, value in ALL_COMPONENTS.items() if name != "distinct"})
    assert not any(code == "crowded" for code, _ in explain_pair(fitted, "DE1", most, weights=plain).disagreements)


def test_a_weights_file_is_read_once_per_value(planted_profiles, domain_encoder, tmp_path):
    path = tmp_path / "w.toml"
    path.write_text('version = "one"\n[weights]\nsemantic = 1.0\n', encoding="utf-8")
    matcher = Matcher(weights=str(path)).fit(planted_profiles, encoder=domain_encoder)
    assert matcher.weights_.version == "one"
    path.write_text('version = "two"\n[weights]\nsize = 1.0\n', encoding="utf-8")
    best = matcher.recommend("DE1", k=1).iloc[0]  # still the semantic weights: not read again per call
    assert best[V.SCORE] == pytest.approx(best["semantic"]) and best["semantic"] > 0 and best["size"] == 0
    matcher.set_params(weights=str(tmp_path / "w.toml"))  # a new value: read anew
    assert matcher.weights_.version == "two"


def test_a_new_fit_or_a_restored_state_forgets_the_crowding_of_the_old_data(planted_profiles, domain_encoder):
    matcher = Matcher(weights=ALL_COMPONENTS).fit(planted_profiles, encoder=domain_encoder)
    before = matcher.fitted_for().features.crowding
    assert matcher.holds_crowding()
    fewer = planted_profiles[~planted_profiles["id"].isin(["CN1", "CN2", "CN3"])]
    matcher.fit(fewer, encoder=domain_encoder)
    assert not matcher.holds_crowding()  # computed for the new data on its first ranking
    after = matcher.fitted_for().features.crowding
    assert len(after) == len(fewer) and len(before) == len(planted_profiles)
    table = matcher.recommend_all(k=3)
    assert not table[V.TARGET_ID].isin(["CN1", "CN2", "CN3"]).any()


def test_explanation_quotes_the_closest_statements_in_the_reader_s_language(planted_profiles, domain_encoder):
    from matchmaker.scoring.explain import explain_pair

    table = planted_profiles.copy()
    battery_de, battery_zh = table.loc[0, "description"], table.loc[1, "description"]
    table.loc[0, "description"] = f"Unser Büro liegt in der Altstadt von Köln. {battery_de}"
    table.loc[1, "description"] = f"企业成立于1998年。{battery_zh}"
    translated = "Es fertigt Lithium-Ionen-Zellen und Batteriemodule für Elektrobusse."
    table["description_de"] = ""
    table.loc[1, "description_de"] = f"{translated} Das Unternehmen wurde 1998 gegründet."  # the other order
    matcher = Matcher(weights=ALL_COMPONENTS).fit(table, encoder=domain_encoder)

    explanation = explain_pair(matcher, "DE1", "CN1")
    (source, target, similarity), *_ = explanation.closest_statements
    assert (source.text, target.text) == (battery_de, battery_zh)
    assert target.translations == {"de": translated} and source.translations == {}
    vectors = matcher.embed([battery_de, battery_zh])
    assert similarity == pytest.approx(float(vectors[0] @ vectors[1]), abs=1e-5)
    assert len(explanation.closest_statements) == 2  # the two other sentences are the second pair
    german = "\n".join(explanation.render("de"))
    assert f"„{translated}“ (aus der Übersetzung im Profil)" in german
    assert battery_zh not in german.split("\n")[-2]  # the German reader reads the profile's translation
    chinese = "\n".join(explanation.render("zh"))
    assert f"“{battery_zh}”" in chinese and f"“{battery_de}”" in chinese and "文本中最接近的表述" in chinese
    assert f"{similarity:.2f}" not in chinese  # a raw sentence cosine is no score; readers took 0.4 for "poor"
    without = Weights({name: value for name, value in ALL_COMPONENTS.items() if name != "semantic"})
    assert explain_pair(matcher, "DE1", "CN1", weights=without).closest_statements == []


def test_closest_pairs_take_each_row_and_column_once():
    from matchmaker.scoring.explain import closest_pairs

    similarity = np.array([[0.1, 0.9, 0.2], [0.8, 0.95, 0.3]])
    assert closest_pairs(similarity, 3) == [(1, 1), (0, 2)]
    assert closest_pairs(similarity, 1) == [(1, 1)]
    assert closest_pairs(np.zeros((0, 4)), 2) == []


def test_a_long_statement_is_cut_for_the_reader(planted_profiles, domain_encoder):
    from matchmaker.scoring.explain import QUOTE_CHARS, explain_pair

    table = planted_profiles.copy()
    table.loc[0, "description"] = "Wir fertigen Batteriezellen " + "und Batteriemodule " * 30 + "für Busse."
    matcher = Matcher(weights=ALL_COMPONENTS).fit(table, encoder=domain_encoder)
    line = next(line for line in explain_pair(matcher, "DE1", "CN1").render("en") if line.startswith("Closest"))
    quoted, glossed = line.split(": ", 1)[1].split(" ↔ ")[0].split(" (glossary terms in it: ")
    assert len(quoted) == QUOTE_CHARS + 2 and quoted.endswith("…”")  # the quote marks around it
    assert glossed == "battery cell, battery module)"  # the English reader reads a German quote


def test_statements_are_quoted_as_written_but_without_markup():
    from matchmaker.scoring.explain import profile_statements

    profile = pd.Series(
        {
            V.DESCRIPTION: "公司成立于1998年。我们生产电池，用于大巴！",
            V.OFFERS: "<b>Zellen</b> &amp; Module",
            V.SEEKS: "",
            V.LANGUAGE: "zh",
            V.DESCRIPTION_DE: "Gegründet 1998. Wir fertigen Batterien für Busse!",
        }
    )
    stated = profile_statements(profile)
    assert stated.written == ["公司成立于1998年。", "我们生产电池，用于大巴！", "Zellen & Module"]
    assert stated.embedded[1] == "我们生产电池,用于大巴!" and stated.described == 2
    assert stated.translations["de"][1] == ["Gegründet 1998.", "Wir fertigen Batterien für Busse!"]


def test_an_explanation_read_back_from_json_renders_the_same_lines(planted_profiles, domain_encoder):
    import json

    from matchmaker.scoring.explain import Explanation, explain_pair

    table = planted_profiles.copy()
    table["cooperation"] = ""
    table.loc[0, "cooperation"], table.loc[1, "cooperation"] = "licensing;rd", "joint_venture"
    table["description_de"] = ""
    table.loc[1, "description_de"] = "Es fertigt Lithium-Ionen-Zellen und Batteriemodule für Elektrobusse."
    explanation = explain_pair(Matcher(weights=ALL_COMPONENTS).fit(table, encoder=domain_encoder), "DE1", "CN1")
    assert explanation.closest_statements and any(
        code == "cooperation_differs" for code, _ in explanation.disagreements
    )

    stored = json.loads(json.dumps(explanation.as_record()))  # as an introduction keeps it
    read_back = Explanation.from_record(stored)
    for language in ("de", "zh", "en"):
        assert read_back.render(language, ("A", "B")) == explanation.render(language, ("A", "B"))

    older = {k: v for k, v in stored.items() if k != "closest_statements"} | {"a_later_field": 1}
    lines = Explanation.from_record(older).render("de")
    assert lines and not any("Am nächsten in den Texten" in line for line in lines)


def test_a_quote_in_another_language_names_its_glossary_concepts_in_the_reader_s(fitted):
    from matchmaker.scoring.explain import explain_pair

    explanation = explain_pair(fitted, "DE1", "CN1")
    source, target, _ = explanation.closest_statements[0]
    assert (source.language, target.language) == ("de", "zh") and not target.translations
    line = next(line for line in explanation.render("de") if line.startswith("Am nächsten"))
    german_quote, chinese_quote = line.split(" ↔ ")
    assert "Glossar" not in german_quote  # the reader's own language needs none
    assert "(Begriffe darin laut Glossar: " in chinese_quote and "Batteriezelle" in chinese_quote
    assert "Monomer" not in chinese_quote  # 单体 only inside 电池单体
    line = next(line for line in explanation.render("zh") if line.startswith("文本中最接近"))
    german_quote, chinese_quote = line.split(" ↔ ")
    assert "（其中的术语：" in german_quote and "电池模组" in german_quote and "术语" not in chinese_quote


def test_a_table_of_one_country_gets_no_suggestions_and_no_error(planted_profiles, domain_encoder):
    german = planted_profiles[planted_profiles["country"] == "DE"].reset_index(drop=True)
    matcher = Matcher().fit(german, encoder=domain_encoder)  # the shipped weights weigh distinct
    assert matcher.weights_for(None)["distinct"] > 0
    table = matcher.recommend_all(k=3)
    assert table.empty and list(table.columns[:4]) == [V.SOURCE_ID, V.RANK, V.TARGET_ID, V.SCORE]
    assert matcher.recommend("DE1", k=3).empty
