"""The gist of a profile the reader cannot read: glossary concepts and profile fields in the
reader's language, derived from the original."""

import pandas as pd

from matchmaker import vocab as V
from matchmaker.exports.gist import KINDS, concept_labels, needs_gist, profile_gist
from matchmaker.knowledge.concepts import load_concepts

CHINESE = pd.Series(
    {
        V.ID: "CN1",
        V.NAME: "威海泓骨医疗器械有限公司",
        V.LANGUAGE: "zh",
        V.DESCRIPTION: "公司生产骨科植入物，采用金属3D打印和激光焊接工艺，产品销往医院。",
        V.OFFERS: "骨科植入物的生产和医院渠道。",
        V.SEEKS: "德国多孔钛植入物设计的技术许可。",
        V.CITY: "威海",
        V.CITY_KEY: "weihai",
        V.NACE_DIVISION: "32",
        V.FOCUS_KEYS: ("medical_technology",),
        V.COOPERATION_KEYS: ("licensing",),
        V.SIZE_BAND: "250-999",
        V.DESCRIPTION_DE: "",
    }
)


def test_a_german_reader_gets_the_concepts_of_a_chinese_profile_in_german():
    gist = profile_gist(CHINESE, "de")
    named = [label for labels in gist.concepts.values() for label in labels]
    assert "Orthopädisches Implantat" in named and any("3D" in label for label in named)
    assert "Implantat" not in named  # 植入物 is only found inside 骨科植入物
    assert all(not any("\u4e00" <= ch <= "\u9fff" for ch in label) for label in named)
    assert "Orthopädisches Implantat" in gist.offers and "Lizenz" in gist.seeks
    assert gist.sector.startswith("32 ") and gist.city == "Weihai"
    assert gist.size == "250-999 Beschäftigte"
    lines = gist.lines()
    assert any(line.startswith("Branche: 32") for line in lines) and any(
        line.startswith("Ort: Weihai") for line in lines
    )


def test_a_chinese_reader_gets_chinese_labels_of_the_same_profile_fields():
    gist = profile_gist(CHINESE, "zh")
    assert gist.city == "威海" and gist.focus == ("医疗器械",) and gist.sector == "32 其他制造业"
    assert "骨科植入物" in gist.offers and "植入物" not in gist.offers


def test_concepts_are_grouped_by_the_glossary_s_kinds():
    groups = concept_labels(load_concepts(), "公司为汽车工业提供钛合金零件的注塑成型服务。", "de")
    assert set(groups) <= set(KINDS)
    assert "Spritzguss" in groups["process"]
    assert "Titanlegierung" in groups["material"]
    assert "Automobilindustrie" in groups["market"]


def test_no_gist_where_a_translation_is_given_or_the_text_is_in_the_reader_s_language():
    assert needs_gist(CHINESE, V.DESCRIPTION, "de")
    assert not needs_gist(CHINESE, V.DESCRIPTION, "zh")
    translated = CHINESE.copy()
    translated[V.DESCRIPTION_DE] = "Das Unternehmen stellt orthopädische Implantate her."
    assert not needs_gist(translated, V.DESCRIPTION, "de")
    assert needs_gist(CHINESE, V.SEEKS, "de") and not needs_gist(CHINESE, V.SEEKS, "zh")


def test_a_profile_naming_no_glossary_term_says_so_instead_of_inventing():
    empty = CHINESE.copy()
    empty[V.DESCRIPTION] = "我们成立于二〇〇一年。"
    empty[V.OFFERS] = empty[V.SEEKS] = ""
    gist = profile_gist(empty, "de")
    assert not gist.names_concepts
