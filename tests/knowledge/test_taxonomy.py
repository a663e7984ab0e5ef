import tomllib

import numpy as np
import pytest

from matchmaker import config as C


def test_every_label_is_present_in_all_three_languages(taxonomy):
    for table in (taxonomy.sections, taxonomy.divisions, taxonomy.gbt_divisions, taxonomy.cooperation_types):
        for lang in ("de", "zh", "en"):
            assert (table[f"label_{lang}"].str.strip() != "").all(), f"empty label_{lang}"
    for lang in ("de", "zh", "en"):
        assert (taxonomy.cities[f"name_{lang}"].str.strip() != "").all()
    for area in taxonomy.focus_areas:
        assert all(area.labels[lang].strip() for lang in ("de", "zh", "en")), area.key
        if area.key != "other":
            assert all(len(area.keywords[lang]) >= 20 for lang in ("de", "zh", "en")), area.key


def test_tables_are_complete(taxonomy):
    assert len(taxonomy.sections) == 21
    assert len(taxonomy.divisions) == 88
    assert len(taxonomy.gbt_divisions) == 97
    assert set(taxonomy.gbt_divisions["nace_division"]) <= set(taxonomy.division_codes)
    study = {a.key for a in taxonomy.focus_areas if a.study_priority}
    assert study == {"artificial_intelligence", "e_mobility", "autonomous_driving", "automated_production"}
    assert (taxonomy.cities["country"] == "DE").sum() >= 20 and (taxonomy.cities["country"] == "CN").sum() >= 25


@pytest.mark.parametrize(
    "code, division",
    [
        ("C28", "28"),
        ("28", "28"),
        ("28.41", "28"),
        ("C28.4", "28"),
        ("28.41.0", "28"),
        ("1", "01"),
        (" c 29.10 ", "29"),
        ("C99", None),
        ("A28", None),
        ("xyz", None),
        ("", None),
        (None, None),
    ],
)
def test_nace_codes_normalise_to_divisions(taxonomy, code, division):
    assert taxonomy.nace_division(code) == division


@pytest.mark.parametrize(
    "code, division",
    [
        ("C36", "29"),
        ("3670", "29"),
        ("C38", "27"),
        ("C39", "26"),
        ("I65", "62"),
        ("C27", "21"),
        ("M73", "72"),
        ("X36", None),
        ("99", None),
    ],
)
def test_gbt_crosswalk_maps_onto_nace(taxonomy, code, division):
    assert taxonomy.gbt_to_nace(code) == division


@pytest.mark.parametrize(
    "spelling, key",
    [
        ("Köln", "koeln"),
        ("Koeln", "koeln"),
        ("Cologne", "koeln"),
        ("科隆", "koeln"),
        ("佛山", "foshan"),
        ("佛山市顺德区", "foshan"),
        ("Foshan", "foshan"),
        ("广东省深圳市宝安区", "shenzhen_baoan"),
        ("Nürnberg", "nuernberg"),
        ("Nuremberg", "nuernberg"),
        ("Köln-Ehrenfeld", "koeln"),
        ("Fóshān", "foshan"),  # pinyin with tone marks
        ("Xǔchāng Shì", "xuchang"),
        ("K\u006f\u0308ln", "koeln"),  # the umlaut as o + combining diaeresis (NFD, as macOS writes it)
        ("洛陽", "luoyang"),  # Traditional characters, as Taiwan and Hong Kong write them
        ("許昌市", "xuchang"),
        ("廣東省佛山市順德區", "foshan"),
        ("長沙", None),  # in Traditional, and no member city either
        ("Berlin", None),
        ("Changzhou", None),
        ("阿拉尔市", None),
        ("", None),
    ],
)
def test_member_city_spellings(taxonomy, spelling, key):
    assert taxonomy.city_key(spelling) == key


def test_city_coordinates_lie_in_the_right_country(taxonomy):
    german = taxonomy.cities[taxonomy.cities["country"] == "DE"]
    chinese = taxonomy.cities[taxonomy.cities["country"] == "CN"]
    assert german["lat"].between(47, 55).all() and german["lon"].between(5, 15).all()
    assert chinese["lat"].between(18, 45).all() and chinese["lon"].between(97, 125).all()


def test_focus_inferred_from_text_in_each_language(taxonomy):
    assert "batteries_storage" in taxonomy.infer_focus(
        "Wir fertigen Batteriezellen und Batteriespeicher für Solaranlagen."
    )
    assert "autonomous_driving" in taxonomy.infer_focus("公司开发自动驾驶系统和激光雷达感知算法。")
    assert "medical_technology" in taxonomy.infer_focus(
        "We make medical devices such as infusion pumps and patient monitors."
    )
    assert taxonomy.infer_focus("Wir sind ein freundliches Team.") == ()


def test_focus_labels_and_cooperation_synonyms_resolve(taxonomy):
    assert taxonomy.focus_key("人工智能") == "artificial_intelligence"
    assert taxonomy.focus_key("Künstliche Intelligenz") == "artificial_intelligence"
    assert taxonomy.cooperation_key("F&E") == "rd"
    assert (
        taxonomy.cooperation_key("合资") == "joint_venture" or taxonomy.cooperation_key("合资企业") == "joint_venture"
    )


def test_affinity_matrix_is_symmetric_with_unit_diagonal(taxonomy):
    matrix = taxonomy.affinity_matrix
    assert np.allclose(matrix, matrix.T)
    assert np.allclose(np.diag(matrix), 1.0)
    index = {c: i for i, c in enumerate(taxonomy.division_codes)}
    assert matrix[index["29"], index["27"]] > 0.3  # cars <-> batteries/electrical equipment
    assert matrix[index["29"], index["56"]] == 0.0  # cars <-> restaurants


def test_weights_file_is_valid_toml():
    with C.DEFAULT_WEIGHTS_FILE.open("rb") as handle:
        assert "weights" in tomllib.load(handle)
