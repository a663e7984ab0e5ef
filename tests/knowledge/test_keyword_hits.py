"""Each focus area's keyword hits, counted by the token index and ``str.count``, are what the area's
own pattern finds (``len(pattern.findall(text))``, the reference), on keyword sets built to trip the
shortcut: keywords inside others, overlapping ends, whole-word and plain spellings of one keyword,
keywords with spaces, an empty and a spaces-only keyword, and keywords shared by two areas."""

from __future__ import annotations

import dataclasses
import itertools
import random

import pytest
from helpers import area_patterns

from matchmaker.knowledge import keywords as keywords_module
from matchmaker.knowledge.keywords import can_overlap
from matchmaker.knowledge.taxonomy import FocusArea


def area(key: str, **keywords: list[str]) -> FocusArea:
    return FocusArea(
        key=key,
        labels={"de": key, "zh": key, "en": key},
        study_priority=False,
        nace=(),
        keywords={language: tuple(keywords.get(language, ())) for language in ("de", "zh", "en")},
    )


PLANTED = (
    area(
        "overlaps",
        de=["Batterie", "Batteriespeicher", "ki-modell", "plug-in hybrid", "abcde", "cdefg"],
        en=["ab", "cnc", "e-bike"],  # short German and English keywords count as whole words only
        zh=["abc", "bcd", "xyx", "cnc", "电池", "电池包", "池包装"],
    ),
    area("shared", de=["speicher", "batterie"], zh=["储能", "电池"]),
    area("spaces", de=[" ", "a  b", " d "]),
    area("empty", de=["", "zz"]),  # an empty keyword matches everywhere: only the pattern can count it
    area("none"),
)
ALPHABET = "abcdxyz -.,KkIiEeSsPpHh电池包装储能" + "speicher batterie cnc plug-in hybrid ki-modell e-bike".replace(
    " ", ""
)
SNIPPETS = [
    "abcd",
    "bcd",
    "abcdefg",
    "cnc",
    "xcncx",
    "xyxyx",
    "电池包装",
    "batteriespeicher",
    "plug-in hybrid",
    "a  b",
    " d ",
]


def planted_taxonomy(taxonomy):
    return dataclasses.replace(taxonomy, focus_areas=PLANTED)


def reference_hits(taxonomy, text: str) -> dict[str, int]:
    """Each area with a (non-empty) keyword in the text counted by its pattern, as infer_focus did."""
    lowered = text.lower()
    patterns = area_patterns(taxonomy)
    hits = {
        area.key: len(patterns[area.key].findall(lowered))
        for area in taxonomy.focus_areas
        if any(word and word.lower() in lowered for words in area.keywords.values() for word in words)
    }
    return {key: n for key, n in hits.items() if n}


def random_texts(count: int, seed: int) -> list[str]:
    draw = random.Random(seed)
    texts = []
    for _ in range(count):
        parts = [
            draw.choice(SNIPPETS) if draw.random() < 0.3 else "".join(draw.choices(ALPHABET, k=draw.randint(0, 6)))
            for _ in range(draw.randint(0, 8))
        ]
        texts.append("".join(parts).upper() if draw.random() < 0.1 else "".join(parts))
    return texts


def test_planted_keywords_are_counted_as_their_patterns_count_them(taxonomy):
    planted = planted_taxonomy(taxonomy)
    texts = random_texts(4000, seed=1)
    counted = [planted._keyword_hits.hits(text.lower()) for text in texts]
    assert counted == [reference_hits(planted, text) for text in texts]
    assert sum(len(hits) > 1 for hits in counted) > 100  # not vacuous: many texts hit several areas
    assert any(hits.get("empty", 0) > 5 for hits in counted)
    # and again, every token now remembered
    assert [planted._keyword_hits.hits(text.lower()) for text in texts] == counted


def test_overlapping_keywords_leave_the_count_to_the_pattern(taxonomy):
    """ "abcd" holds abc and bcd; the pattern, longest first, takes abc and not bcd: one hit, not two."""
    planted = planted_taxonomy(taxonomy)
    assert reference_hits(planted, "abcd")["overlaps"] == 1 == planted._keyword_hits.hits("abcd")["overlaps"]
    assert planted._keyword_hits.hits("xyxyx")["overlaps"] == 1  # a keyword overlapping itself
    assert planted._keyword_hits.hits("电池包装")["overlaps"] == reference_hits(planted, "电池包装")["overlaps"]
    assert planted._keyword_hits.hits("xcncx cnc") == reference_hits(planted, "xcncx cnc")


def test_nothing_remembered_gives_the_same_counts(taxonomy, monkeypatch):
    monkeypatch.setattr(keywords_module, "TOKEN_CACHE_SIZE", 0)
    planted = planted_taxonomy(taxonomy)
    texts = random_texts(500, seed=2)
    assert [planted._keyword_hits.hits(text.lower()) for text in texts] == [
        reference_hits(planted, text) for text in texts
    ]
    assert not planted._keyword_hits._searched


@pytest.mark.parametrize("max_areas", [1, 3])
def test_shipped_keywords_in_random_company_text_give_the_reference_focus(taxonomy, max_areas):
    words = [w for a in taxonomy.focus_areas for ws in a.keywords.values() for w in ws]
    draw = random.Random(3)
    glue = ["", " ", "，", ". ", "-", "x", "和", " und ", "/"]
    for _ in range(2000):
        text = "".join(draw.choice(words) + draw.choice(glue) for _ in range(draw.randint(1, 6)))
        hits = reference_hits(taxonomy, text)
        assert taxonomy._keyword_hits.hits(text.lower()) == hits, text
        threshold = 2 if hits and max(hits.values()) >= 2 else 1
        ranked = sorted((key for key, n in hits.items() if n >= threshold), key=lambda k: -hits[k])
        assert taxonomy.infer_focus(text, max_areas) == tuple(ranked[:max_areas]), text


def brute_force_overlap(a: str, b: str) -> bool:
    """Whether ``b`` placed at some offset from ``a`` shares a position with it and agrees there."""
    for offset in range(-len(b) + 1, len(a)):
        shared = [(i, i - offset) for i in range(len(a)) if 0 <= i - offset < len(b)]
        if shared and all(a[i] == b[j] for i, j in shared):
            return True
    return False


def test_can_overlap_is_true_exactly_when_two_occurrences_can_share_a_character():
    words = ["".join(p) for n in range(1, 5) for p in itertools.product("ab", repeat=n)]
    for a, b in itertools.product(words, repeat=2):
        assert can_overlap(a, b) == brute_force_overlap(a, b), (a, b)
