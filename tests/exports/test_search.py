"""Finding and sorting companies as German and Chinese readers type and expect."""

import pandas as pd
import pytest

from matchmaker.exports.search import find_companies, query_matches, search_text, sorted_by_label
from matchmaker.knowledge.taxonomy import load_taxonomy
from matchmaker.text import collation_key


def profile(**fields) -> pd.Series:
    base = {"id": "X1", "name": "", "name_local": "", "name_en": "", "city": "", "city_key": ""}
    return pd.Series({**base, **fields})


ROBOTS = profile(id="CN7", name="佛山市顺德区灵臂机器人有限公司", city="佛山市顺德区", city_key="foshan")
COLOGNE = profile(id="DE3", name="Rheinchemie Köln GmbH", city="Köln", city_key="koeln")
MIDEA = profile(id="CN9", name="美的集团", name_en="Midea Group", city="佛山", city_key="foshan")


@pytest.mark.parametrize(
    "query",
    ["foshan", "FOSHAN", "Fóshān", "fo shan", "佛山", "shunde", "Shùndé", "lingbi jiqiren", "líng bì", "CN7"],
)
def test_a_chinese_company_is_found_by_characters_pinyin_with_or_without_tones_and_its_city(query):
    assert query_matches(query, search_text(ROBOTS, load_taxonomy()))


@pytest.mark.parametrize("query", ["koeln", "Koeln", "Köln", "koln", "Cologne", "科隆", "rheinchemie koeln"])
def test_a_german_company_is_found_by_every_spelling_of_its_city(query):
    assert query_matches(query, search_text(COLOGNE, load_taxonomy()))


@pytest.mark.parametrize("query", ["hamburg", "汉堡", "shenzhen", "koeln foshan", "robotik"])
def test_words_that_name_something_else_do_not_match(query):
    assert not query_matches(query, search_text(ROBOTS, load_taxonomy()))


def test_the_latin_name_and_the_chinese_name_both_find_a_company():
    text = search_text(MIDEA, load_taxonomy())
    assert query_matches("midea", text) and query_matches("美的", text) and query_matches("meide", text)


def test_find_companies_masks_the_table_and_an_empty_query_keeps_everyone():
    table = pd.DataFrame([ROBOTS, COLOGNE, MIDEA])
    assert list(find_companies(table, "foshan", load_taxonomy())) == [True, False, True]
    assert find_companies(table, "  ", load_taxonomy()).all()


def test_chinese_lists_sort_by_pinyin_not_by_code_point():
    cities = ["云浮", "亚琛", "伍珀塔尔", "佛山", "保定", "汉堡"]
    assert sorted(cities) == cities  # code point order, what the dashboard must not show
    assert sorted(cities, key=lambda c: collation_key(c, "zh")) == ["保定", "佛山", "汉堡", "伍珀塔尔", "亚琛", "云浮"]


def test_same_pinyin_letters_sort_by_tone():
    assert sorted(["骂", "马", "麻", "妈"], key=lambda c: collation_key(c, "zh")) == ["妈", "麻", "马", "骂"]


def test_german_lists_sort_umlauts_with_their_vowel_and_ignore_case():
    names = ["Zwickau", "Übach", "ulm", "Öhringen", "Offenburg", "Ärzteverbund", "Arzt", "Asche"]
    ordered = sorted(names, key=lambda n: collation_key(n, "de"))
    assert ordered == ["Arzt", "Ärzteverbund", "Asche", "Offenburg", "Öhringen", "Übach", "ulm", "Zwickau"]
    assert sorted(names) != ordered  # code points put Ä, Ö, Ü after Z


def test_sorted_by_label_sorts_keys_by_the_reader_s_labels():
    taxonomy = load_taxonomy()
    keys = ["koeln", "foshan", "aachen", "nuernberg"]
    assert sorted_by_label(keys, lambda k: taxonomy.label("city", k, "zh"), "zh") == [
        "foshan",  # 佛山 fó
        "koeln",  # 科隆 kē
        "nuernberg",  # 纽伦堡 niǔ
        "aachen",  # 亚琛 yà
    ]
    assert sorted_by_label(keys, lambda k: taxonomy.label("city", k, "de"), "de") == [
        "aachen",
        "foshan",
        "koeln",
        "nuernberg",
    ]
