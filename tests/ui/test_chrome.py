"""Streamlit's own English texts and the translations the page script puts in their place."""

import re

import pytest

from matchmaker.i18n import catalogue
from matchmaker.ui.chrome import SECTION, streamlit_texts


def apply(texts: dict, source: str) -> str:
    """What the page script does to one text (the same rules, in Python)."""
    if source in texts["exact"]:
        return texts["exact"][source]
    for pattern, template in texts["patterns"]:
        match = re.match(pattern, source)
        if match:
            return re.sub(r"\$(\d)", lambda m, found=match: found.group(int(m.group(1))), template)
    return source


@pytest.mark.parametrize(
    ("source", "german", "chinese"),
    [
        ("No results", "Keine Treffer", "无匹配结果"),
        ("Upload", "Datei auswählen", "选择文件"),
        (
            "50MB per file • CSV, XLSX, PARQUET",
            "höchstens 50MB je Datei • CSV, XLSX, PARQUET",
            "每个文件不超过 50MB • CSV, XLSX, PARQUET",
        ),
        ("Select 2 matches", "2 Treffer auswählen", "选择 2 个匹配项"),
        ("Help for Stadt des Partners", "Hilfe zu Stadt des Partners", "Stadt des Partners的说明"),
        ("Download as PNG", "Als PNG herunterladen", "下载为 PNG"),
    ],
)
def test_streamlit_texts_are_translated_whole_with_their_changing_parts_kept(source, german, chinese):
    assert apply(streamlit_texts("de"), source) == german
    assert apply(streamlit_texts("zh"), source) == chinese
    assert apply(streamlit_texts("en"), source) == source


def test_a_text_that_only_contains_a_streamlit_text_is_left_alone():
    assert apply(streamlit_texts("de"), "Upload complete") == "Upload complete"
    assert apply(streamlit_texts("de"), "Partnersuche") == "Partnersuche"


def test_every_german_and_chinese_entry_differs_from_streamlit_s_english():
    english = {k: v for k, v in catalogue("en").items() if k.startswith(SECTION)}
    for language in ("de", "zh"):
        same = [k for k, v in english.items() if catalogue(language)[k] == v]
        assert not same, f"untranslated in {language}: {same}"
