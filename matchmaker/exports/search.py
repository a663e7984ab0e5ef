"""Finding a company the way a German or Chinese reader types it: by any form of its name (Chinese
characters, Latin name, pinyin with or without tones and spaces) or of its city (Köln, Koeln, koln,
Cologne, 科隆), and lists sorted as that reader expects. Pure functions over profile rows.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from matchmaker import vocab as V
from matchmaker.knowledge.taxonomy import Taxonomy
from matchmaker.text import collation_key, fold, has_cjk, plain_letters, toneless_pinyin

_SEPARATOR = "|"


def spelling_forms(text: str) -> set[str]:
    """Every folded form a reader may type for ``text``: umlauts spelled out (koeln) and dropped
    (koln), Chinese as characters and as toneless pinyin."""
    text = str(text or "").strip()
    if not text:
        return set()
    forms = {fold(text), plain_letters(text)}
    if has_cjk(text):
        forms.add(toneless_pinyin(text))
    return {form for form in forms if form}


def search_text(profile: pd.Series, taxonomy: Taxonomy) -> str:
    """One string holding every searchable form of a company: its id, its names, its city as written
    and every spelling of its member city."""
    names = [profile.get(V.ID), profile.get(V.NAME), profile.get(V.NAME_LOCAL), profile.get(V.NAME_EN)]
    places = [profile.get(V.CITY), *taxonomy.city_spellings(str(profile.get(V.CITY_KEY, "") or ""))]
    forms: set[str] = set()
    for value in [*names, *places]:
        forms |= spelling_forms(str(value or ""))
    return _SEPARATOR.join(sorted(forms))


def query_matches(query: str, text: str) -> bool:
    """Whether every word of ``query`` occurs in ``text`` (from :func:`search_text`) in one of its
    typed forms; an empty query matches everything. "foshan shunde", "Fóshān", "佛山", "koeln" and
    "Köln" all find what a reader means by them."""
    words = [word for word in str(query or "").split() if word.strip()]
    return all(any(form and form in text for form in spelling_forms(word)) for word in words)


def find_companies(profiles: pd.DataFrame, query: str, taxonomy: Taxonomy) -> pd.Series:
    """A boolean mask over ``profiles``: the companies ``query`` finds (see :func:`query_matches`)."""
    if not str(query or "").strip():
        return pd.Series(True, index=profiles.index)
    texts = profiles.apply(lambda row: search_text(row, taxonomy), axis=1)
    return texts.map(lambda text: query_matches(query, text)).astype(bool)


def sorted_by_label(items: Iterable[str], label: dict[str, str] | object, language: V.Language) -> list[str]:
    """``items`` sorted by their labels as a reader of ``language`` expects (pinyin in Chinese,
    German collation otherwise); ``label`` maps an item to its label (a dict or a function)."""
    name_of = label.get if isinstance(label, dict) else label
    return sorted(items, key=lambda item: collation_key(str(name_of(item)), language))  # type: ignore[operator]
