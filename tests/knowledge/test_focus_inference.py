"""Focus inference (keywords found per distinct word, then counted) gives what counting every area's
pattern over the whole text gives (the first implementation, kept in tests/helpers.py as the reference)."""

import pandas as pd
import pytest
from helpers import reference_infer_focus

from matchmaker import config as C
from matchmaker.io.synthetic import synthetic_profiles


def keywords(taxonomy, language: str) -> list[tuple[str, str]]:
    return [(area.key, word) for area in taxonomy.focus_areas for word in area.keywords.get(language, ())]


def test_demo_profiles_get_the_reference_focus(taxonomy):
    frame = pd.read_csv(C.DEMO_PROFILES, dtype=str, keep_default_na=False)
    texts = [" ".join(row) for row in frame.to_numpy().tolist()] + frame["description"].tolist()
    assert any(reference_infer_focus(taxonomy, text) for text in texts)  # the comparison is not vacuous
    for text in texts:
        for max_areas in (1, 3):
            assert taxonomy.infer_focus(text, max_areas) == reference_infer_focus(taxonomy, text, max_areas), text


def test_synthetic_profiles_get_the_reference_focus(taxonomy):
    frame = synthetic_profiles(300, seed=3)
    texts = (frame["description"] + " " + frame["offers"] + " " + frame["seeks"]).tolist()
    assert sum(bool(reference_infer_focus(taxonomy, text)) for text in texts) > 30
    for text in texts:
        assert taxonomy.infer_focus(text) == reference_infer_focus(taxonomy, text), text


def test_every_keyword_alone_and_inside_text_gives_the_reference(taxonomy):
    """Each keyword by itself, in upper case, glued to letters (whole-word keywords must then not count)
    and twice, in German, English and Chinese surroundings."""
    for language in ("de", "en", "zh"):
        for _, word in keywords(taxonomy, language):
            for text in (
                word,
                word.upper(),
                f"xx{word}yy",
                f"Wir liefern {word}, {word} und mehr.",
                f"公司专注于{word}技术",
                f"({word})",
            ):
                assert taxonomy.infer_focus(text) == reference_infer_focus(taxonomy, text), text


def test_whole_word_keywords_and_overlapping_keywords(taxonomy):
    short = next(word for _, word in keywords(taxonomy, "en") if len(word) < 4)
    assert taxonomy.infer_focus(f"{short} {short}") != ()  # a whole word counts ...
    assert taxonomy.infer_focus(f"a{short}b a{short}b") == ()  # ... inside another word it does not
    # keywords of different areas overlapping each other: every area's own count decides
    words = [word for _, word in keywords(taxonomy, "zh")[:40]] + [word for _, word in keywords(taxonomy, "de")[:40]]
    for first, second in zip(words, words[1:] + words[:1]):
        for text in (first + second, first[:-1] + second, second + first[1:], first + first[-1] + second):
            assert taxonomy.infer_focus(text) == reference_infer_focus(taxonomy, text), text


@pytest.mark.parametrize("text", ["", " ", "Wir sind ein freundliches Team.", "一", "ß", "İstanbul"])
def test_texts_without_keywords(taxonomy, text):
    assert taxonomy.infer_focus(text) == reference_infer_focus(taxonomy, text) == ()
