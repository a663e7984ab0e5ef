"""The leak check finds a partner's name in any of its spellings, and nothing where there is none."""

import pandas as pd

from matchmaker.evaluation.leaks import name_forms, partner_name_leaks

COMPANIES = pd.DataFrame(
    [
        {
            "id": "D1",
            "name": "Augsburg Robotik GmbH",
            "name_local": "奥格斯堡机器人",
            "name_en": "",
            "description": "Wir bauen Roboter.",
        },
        {
            "id": "C1",
            "name": "美的集团股份有限公司",
            "name_local": "",
            "name_en": "Midea Group",
            "description": "我们生产家电。",
        },
        {
            "id": "D2",
            "name": "Lauter Werke AG",
            "name_local": "",
            "name_en": "",
            "description": "Seit 2016 gehören wir zu Midea.",
        },
        {
            "id": "C2",
            "name": "佛山某电机有限公司",
            "name_local": "",
            "name_en": "",
            "description": "公司与奥格斯堡机器人长期合作。",
        },
        {
            "id": "C3",
            "name": "Jiangsu Lauterbach Co., Ltd.",
            "name_local": "",
            "name_en": "",
            "description": "We supply motors.",
        },
    ]
)


def test_name_forms_drop_legal_forms_and_generic_words():
    assert name_forms(COMPANIES.iloc[1]) == {"美的", "midea"}
    assert name_forms(COMPANIES.iloc[0]) == {"augsburg robotik", "augsburg", "robotik", "奥格斯堡机器人"}


def test_a_partner_named_in_latin_or_chinese_script_is_found():
    pairs = pd.DataFrame({"de_id": ["D1", "D2", "D1"], "cn_id": ["C1", "C1", "C2"], "grade": 3})
    leaks = partner_name_leaks(COMPANIES, pairs)
    assert set(map(tuple, leaks[["company_id", "partner_id", "found"]].to_numpy())) == {
        ("D2", "C1", "midea"),
        ("C2", "D1", "奥格斯堡机器人"),
    }


def test_a_word_inside_another_word_or_a_place_name_is_no_leak():
    pairs = pd.DataFrame({"de_id": ["D2"], "cn_id": ["C3"], "grade": 3})
    texts = COMPANIES.assign(description=["", "", "Wir kaufen in Jiangsu ein.", "", "Lauterbach liefert Motoren."])
    assert name_forms(texts.iloc[2]) == {"lauter werke", "lauter"}
    assert partner_name_leaks(texts, pairs).empty  # "lauter" stands inside "Lauterbach"; "Jiangsu" is a place
