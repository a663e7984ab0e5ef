"""Sectors (NACE Rev. 2, with China's GB/T 4754-2017 mapped onto it), focus areas, cooperation
types and member cities, each labelled in German, Chinese and English.

Everything here is data read from ``data/taxonomy/``; this module only loads it and answers
look-ups. Codes and keys are the product's canonical forms; labels are for people.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from itertools import combinations
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from matchmaker import config
from matchmaker.errors import TaxonomyError
from matchmaker.text import fold, has_cjk
from matchmaker.vocab import LANGUAGES, Language

_NACE = re.compile(r"^\s*([A-Ua-u])?\s*(\d{1,2})(?:[.\s]?(\d{1,2})(?:\.?(\d{1,2}))?)?\s*$")
_GBT = re.compile(r"^\s*([A-Ta-t])?\s*(\d{2})(\d{0,2})(?:\.\d+)?\s*$")
_SHORT_KEYWORD = 4  # English/German keywords shorter than this must match as whole words
SAME_SECTION_AFFINITY = 0.3  # two divisions of one NACE section with no value-chain link of their own


@dataclass(frozen=True)
class FocusArea:
    key: str
    labels: dict[str, str]
    study_priority: bool
    nace: tuple[str, ...]
    keywords: dict[str, tuple[str, ...]]


@dataclass(frozen=True)
class Taxonomy:
    """All taxonomy tables, loaded from one folder. Build it with :func:`load_taxonomy`."""

    sections: pd.DataFrame
    divisions: pd.DataFrame
    gbt_divisions: pd.DataFrame
    affinity: pd.DataFrame
    cooperation_types: pd.DataFrame
    cities: pd.DataFrame
    focus_areas: tuple[FocusArea, ...]
    cooperation_affinity: pd.DataFrame
    glossary_domains: pd.DataFrame
    _city_index: dict[str, str] = field(repr=False, default_factory=dict)
    _label_index: dict[tuple[str, str], str] = field(repr=False, default_factory=dict)

    # --- sectors ------------------------------------------------------------------------------
    @cached_property
    def division_codes(self) -> tuple[str, ...]:
        return tuple(self.divisions["division"])

    @cached_property
    def _section_of(self) -> dict[str, str]:
        return dict(zip(self.divisions["division"], self.divisions["section"]))

    def nace_division(self, code: object) -> str | None:
        """The two-digit NACE division a code names, or None when it names none.

        ``"C28"``, ``"28"``, ``"28.41"``, ``"C28.4"``, ``"28.41.0"`` (German WZ 2008) and the number
        ``28`` all give ``"28"``. A code of a division NACE does not have gives None.
        """
        if code is None or (isinstance(code, float) and np.isnan(code)):
            return None
        match = _NACE.match(str(code))
        if not match:
            return None
        division = match.group(2).zfill(2)
        if division not in self._section_of:
            return None
        letter = match.group(1)
        if letter and letter.upper() != self._section_of[division]:
            return None
        return division

    def gbt_to_nace(self, code: object) -> str | None:
        """The NACE division the shipped crosswalk gives for a GB/T 4754-2017 code (``"C36"`` or
        ``"3670"``), or None for codes the crosswalk does not know."""
        if code is None or (isinstance(code, float) and np.isnan(code)):
            return None
        match = _GBT.match(str(code))
        if not match:
            return None
        row = self.gbt_divisions.loc[self.gbt_divisions["division"] == match.group(2)]
        if row.empty:
            return None
        if match.group(1) and match.group(1).upper() != row["section"].iloc[0]:
            return None
        return str(row["nace_division"].iloc[0])

    @cached_property
    def affinity_matrix(self) -> np.ndarray:
        """Square float32 matrix over :attr:`division_codes`: 1 on the diagonal, the value-chain
        affinity of the shipped table where one is given, :data:`SAME_SECTION_AFFINITY` within the same
        NACE section, else 0."""
        codes = self.division_codes
        index = {code: i for i, code in enumerate(codes)}
        sections = np.array([self._section_of[c] for c in codes])
        matrix = np.where(sections[:, None] == sections[None, :], SAME_SECTION_AFFINITY, 0.0).astype(np.float32)
        for a, b, value in self.affinity[["division_a", "division_b", "affinity"]].itertuples(index=False):
            if a in index and b in index:
                i, j = index[a], index[b]
                matrix[i, j] = matrix[j, i] = max(float(value), matrix[i, j])
        np.fill_diagonal(matrix, 1.0)
        return matrix

    def sector_relation(
        self, division_a: str, division_b: str
    ) -> Literal["same_division", "related", "same_section", "none"]:
        """How two NACE divisions relate in the value chain (what :attr:`affinity_matrix` encodes)."""
        if division_a == division_b:
            return "same_division"
        position = {code: i for i, code in enumerate(self.division_codes)}
        affinity = float(self.affinity_matrix[position[division_a], position[division_b]])
        if affinity > SAME_SECTION_AFFINITY:
            return "related"
        return "same_section" if affinity > 0 else "none"

    @cached_property
    def division_position(self) -> dict[str, int]:
        """Row of each division in :attr:`affinity_matrix` (and in sector feature vectors)."""
        return {code: i for i, code in enumerate(self.division_codes)}

    # --- cooperation --------------------------------------------------------------------------
    @cached_property
    def cooperation_keys(self) -> tuple[str, ...]:
        return tuple(self.cooperation_types["key"])

    @cached_property
    def cooperation_compatibility(self) -> np.ndarray:
        """Symmetric float32 matrix over :attr:`cooperation_keys`: 1 for the same type, the shipped
        compatibility (``cooperation_affinity.csv``) for related types, else 0."""
        keys = self.cooperation_keys
        matrix = np.eye(len(keys), dtype=np.float32)
        position = {key: i for i, key in enumerate(keys)}
        for a, b, value in self.cooperation_affinity[["type_a", "type_b", "affinity"]].itertuples(index=False):
            if a in position and b in position:
                matrix[position[a], position[b]] = matrix[position[b], position[a]] = float(value)
        return matrix

    # --- glossary domains ---------------------------------------------------------------------
    @cached_property
    def domain_divisions(self) -> dict[str, tuple[str, ...]]:
        """NACE divisions each glossary domain belongs to (``glossary_domains.csv``)."""
        return {
            row.domain: tuple(d.zfill(2) for d in _split(row.nace))
            for row in self.glossary_domains.itertuples(index=False)
        }

    # --- labels -------------------------------------------------------------------------------
    def label(
        self, kind: Literal["section", "division", "focus", "cooperation", "city"], key: str, language: Language
    ) -> str:
        """A key's label in ``language``; the key itself when the key is unknown."""
        return self._label_index.get((kind, key, language), key)  # type: ignore[arg-type]

    # --- focus areas and cooperation types ----------------------------------------------------
    @cached_property
    def focus_keys(self) -> tuple[str, ...]:
        return tuple(area.key for area in self.focus_areas)

    def focus_key(self, value: str) -> str | None:
        """The focus-area key a key or a German/Chinese/English label names, else None."""
        return self._lookup("focus", value)

    def cooperation_key(self, value: str) -> str | None:
        """The cooperation-type key a key, label or synonym names, else None."""
        return self._lookup("cooperation", value)

    def _lookup(self, kind: str, value: str) -> str | None:
        return self._label_index.get((kind, fold(value)))  # type: ignore[arg-type]

    @cached_property
    def _keyword_alternatives(self) -> dict[str, tuple[tuple[str, bool], ...]]:
        """Each focus area's keywords as its pattern matches them: lower-cased, and whether only as a
        whole word (short Latin-script keywords)."""
        return {
            area.key: tuple(
                (word.lower(), language != "zh" and len(word) < _SHORT_KEYWORD)
                for language, words in area.keywords.items()
                for word in words
            )
            for area in self.focus_areas
        }

    @cached_property
    def _keyword_patterns(self) -> dict[str, re.Pattern[str]]:
        """One pattern per focus area: its keywords lower-cased, longest first; short Latin-script
        keywords only as whole words. An area's hits in a text are this pattern's matches."""
        patterns = {}
        for key, alternatives in self._keyword_alternatives.items():
            parts = [_alternative_source(word, whole_word) for word, whole_word in alternatives]
            if parts:
                patterns[key] = re.compile("|".join(sorted(parts, key=len, reverse=True)))
        return patterns

    @cached_property
    def _keyword_hits(self) -> _KeywordHits:
        return _KeywordHits.build(self._keyword_alternatives, self._keyword_patterns)

    def infer_focus(self, text: str, max_areas: int = 3) -> tuple[str, ...]:
        """Focus areas whose keywords occur in ``text`` (any of the three languages).

        An area needs two keyword hits, or one when no area has two; at most ``max_areas`` areas,
        most hits first. Text without any keyword gives an empty tuple.

        An area's hits are its pattern's matches, counted by :class:`_KeywordHits` without running the
        patterns over most texts (each pattern tries its hundred keywords at every character: about 30 µs
        a profile text); the counts are the same.
        """
        hits = self._keyword_hits.hits(text.lower())
        if not hits:
            return ()
        threshold = 2 if max(hits.values()) >= 2 else 1
        ranked = sorted((key for key, n in hits.items() if n >= threshold), key=lambda k: -hits[k])
        return tuple(ranked[:max_areas])

    # --- cities ---------------------------------------------------------------------------------
    def city_key(self, name: object) -> str | None:
        """The member-city key for a spelling (``佛山``, ``Foshan``, ``佛山市顺德区``, ``Koeln``),
        or None for a city outside the alliance."""
        if not isinstance(name, str) or not name.strip():
            return None
        folded = fold(name)
        if folded in self._city_index:
            return self._city_index[folded]
        # Latin script: a run of whole words ("Köln-Ehrenfeld" -> koeln; "Changzhou" is not Hangzhou).
        words = [fold(w) for w in re.split(r"[^\w]+", name) if fold(w)]
        for size in (3, 2, 1):
            for start in range(len(words) - size + 1):
                key = self._city_index.get("".join(words[start : start + size]))
                if key:
                    return key
        # Chinese script: a known spelling at the start ("佛山市顺德区"), or a district name (…区, …县)
        # anywhere ("广东省佛山市顺德区" -> 顺德区); a city name inside another ("阿拉尔市") is not Lahr.
        for spelling in self._cjk_spellings_longest_first:
            if folded.startswith(spelling) or (spelling[-1] in "区县" and spelling in folded):
                return self._city_index[spelling]
        return None

    def city_spellings(self, key: str) -> tuple[str, ...]:
        """Every known spelling of a member city (its names in three languages and its aliases:
        Köln, 科隆, Cologne, Koeln, …); empty for an unknown key."""
        return self._city_spellings.get(key, ())

    @cached_property
    def _city_spellings(self) -> dict[str, tuple[str, ...]]:
        return {
            row["key"]: tuple(
                dict.fromkeys([row["key"], row["name_de"], row["name_zh"], row["name_en"], *_split(row["aliases"])])
            )
            for row in self.cities.to_dict("records")
        }

    @cached_property
    def _cjk_spellings_longest_first(self) -> tuple[str, ...]:
        return tuple(sorted((s for s in self._city_index if has_cjk(s) and len(s) >= 2), key=len, reverse=True))


def _read_csv(path: Path, required: tuple[str, ...]) -> pd.DataFrame:
    if not path.exists():
        raise TaxonomyError(
            f"The taxonomy table {path} is missing. Restore it from the repository (git checkout -- {path})."
        )
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    missing = [c for c in required if c not in table.columns]
    if missing:
        raise TaxonomyError(f"The taxonomy table {path} lacks the columns {missing}; it has {list(table.columns)}.")
    return table


def _two_digits(series: pd.Series) -> pd.Series:
    return series.astype(str).str.strip().str.zfill(2)


def _split(value: str) -> list[str]:
    return [part.strip() for part in str(value).split(";") if part.strip()]


def _alternative_source(word: str, whole_word: bool) -> str:
    """A keyword as one alternative of its area's pattern."""
    escaped = re.escape(word)
    return rf"\b{escaped}\b" if whole_word else escaped


_TOKEN_CACHE_SIZE = 200_000  # distinct tokens remembered (~20 MB); later ones are searched each time


@dataclass(frozen=True)
class _KeywordHits:
    """Each focus area's hits in a text, the same as ``len(pattern.findall(text))`` of its pattern, found
    without running the patterns over most texts.

    Which keywords occur: a keyword's longest space-free part lies inside one *token* of the text (a run
    of characters that keywords contain, spaces excepted), so each distinct token is searched once, by
    its three- and two-character pieces against the parts' first characters and a substring test, and
    remembered (words and Chinese runs repeat from profile to profile); a keyword with spaces is then
    confirmed in the whole text.

    How often: an area's pattern only ever matches keywords that occur. When those can never overlap one
    another in any text, its matches are just each keyword's own non-overlapping occurrences
    (``str.count``; a whole-word keyword by its own one-keyword pattern), whatever the pattern's order.
    Keywords that could overlap (one inside another, or the end of one the start of another), and an
    area with an empty keyword, leave the count to the area's pattern."""

    order: tuple[str, ...]  # area keys in taxonomy order, the order of the hits
    patterns: dict[str, re.Pattern[str]]
    keywords: tuple[str, ...]  # distinct (keyword, whole-word) alternatives, lower-cased; indexed below
    whole_word: tuple[re.Pattern[str] | None, ...]  # a whole-word keyword's own pattern, else None
    areas: tuple[tuple[str, ...], ...]  # each keyword's areas, in order
    by_piece: dict[str, tuple[tuple[str, int], ...]]  # first 3 (or 2) chars of a part -> (part, keyword)
    single: tuple[tuple[str, int], ...]  # one-character parts, always tested
    spaces_only: tuple[int, ...]  # keywords without a space-free part, always tested in the whole text
    pattern_only: frozenset[str]  # areas with an empty keyword (it matches everywhere)
    token_split: re.Pattern[str]
    _searched: set[str] = field(default_factory=set, compare=False)  # tokens searched so far
    _keyword_tokens: set[str] = field(default_factory=set, compare=False)  # those with a keyword
    _with_keywords: dict[str, tuple[tuple[int, ...], tuple[int, ...]]] = field(default_factory=dict, compare=False)
    _overlap: dict[tuple[int, int], bool] = field(default_factory=dict, compare=False)

    @staticmethod
    def build(
        alternatives: dict[str, tuple[tuple[str, bool], ...]], patterns: dict[str, re.Pattern[str]]
    ) -> _KeywordHits:
        order = tuple(patterns)
        owners: dict[tuple[str, bool], set[str]] = {}
        for key in order:
            for word, whole_word in alternatives[key]:
                if word:
                    owners.setdefault((word, whole_word), set()).add(key)
        keywords = tuple(word for word, _ in owners)
        by_piece: dict[str, list[tuple[str, int]]] = {}
        single, spaces_only = [], []
        for i, word in enumerate(keywords):
            part = max(word.split(" "), key=len)
            if not part:
                spaces_only.append(i)
            elif len(part) == 1:
                single.append((part, i))
            else:
                by_piece.setdefault(part[:3], []).append((part, i))
        keyword_chars = "".join(sorted(set("".join(keywords)) - {" "}))
        return _KeywordHits(
            order=order,
            patterns=patterns,
            keywords=keywords,
            whole_word=tuple(re.compile(_alternative_source(w, True)) if whole else None for w, whole in owners),
            areas=tuple(tuple(key for key in order if key in keys) for keys in owners.values()),
            by_piece={piece: tuple(entries) for piece, entries in by_piece.items()},
            single=tuple(single),
            spaces_only=tuple(spaces_only),
            pattern_only=frozenset(key for key in order if any(not word for word, _ in alternatives[key])),
            token_split=re.compile(f"[^{re.escape(keyword_chars)}]+" if keyword_chars else "(?s:.)+"),
        )

    def hits(self, lowered: str) -> dict[str, int]:
        """Areas with at least one hit in ``lowered`` (already lower-cased) -> their hits, in order."""
        found: dict[str, list[int]] = {}
        for i in self._occurring(lowered):
            for key in self.areas[i]:
                found.setdefault(key, []).append(i)
        hits = {}
        for key in self.order:
            if key in found:
                n = self._count(key, found[key], lowered)
                if n:
                    hits[key] = n
        return hits

    def _occurring(self, lowered: str) -> set[int]:
        tokens = set(self.token_split.split(lowered))
        found = [self._search_token(token) for token in tokens.difference(self._searched)]
        found += [self._with_keywords[token] for token in tokens.intersection(self._keyword_tokens)]
        occurring: set[int] = set()
        keywords = self.keywords
        for inside, to_confirm in found:
            occurring.update(inside)
            occurring.update(i for i in to_confirm if keywords[i] in lowered)
        occurring.update(i for i in self.spaces_only if keywords[i] in lowered)
        return occurring

    def _search_token(self, token: str) -> tuple[tuple[int, ...], tuple[int, ...]]:
        """The keywords inside ``token`` (space-free ones) and those whose longest part is (to confirm
        in the whole text); remembered until :data:`_TOKEN_CACHE_SIZE` tokens are (never forgotten, so
        that a text being counted, here or in another thread, finds every token it was told of)."""
        pieces = {token[i : i + 3] for i in range(len(token) - 1)}  # the last one is two characters
        pieces |= {token[i : i + 2] for i in range(len(token) - 1)}
        inside, to_confirm = [], []
        by_piece = self.by_piece  # looked up piece by piece: a set's intersection with a dict walks the dict
        candidates = [entry for piece in pieces if piece in by_piece for entry in by_piece[piece]]
        for part, i in candidates + list(self.single):
            if part in token:
                (inside if part == self.keywords[i] else to_confirm).append(i)
        found = (tuple(inside), tuple(to_confirm))
        if len(self._searched) < _TOKEN_CACHE_SIZE:
            if inside or to_confirm:
                self._with_keywords[token] = found  # before the token is listed, for other threads
                self._keyword_tokens.add(token)
            self._searched.add(token)
        return found

    def _count(self, key: str, found: list[int], lowered: str) -> int:
        if key in self.pattern_only or (len(found) > 1 and self._may_overlap(found)):
            return len(self.patterns[key].findall(lowered))
        return sum(
            lowered.count(self.keywords[i]) if self.whole_word[i] is None else len(self.whole_word[i].findall(lowered))
            for i in found
        )

    def _may_overlap(self, found: list[int]) -> bool:
        """Whether two of the keywords could overlap in some text (remembered per pair)."""
        for a, b in combinations(sorted(found), 2):
            overlap = self._overlap.get((a, b))
            if overlap is None:
                overlap = self._overlap[(a, b)] = _can_overlap(self.keywords[a], self.keywords[b])
            if overlap:
                return True
        return False


def _can_overlap(a: str, b: str) -> bool:
    """Whether an occurrence of ``a`` and one of ``b`` can share a character: one inside the other, or
    the end of one the start of the other."""
    return a in b or b in a or any(a.endswith(b[:k]) or b.endswith(a[:k]) for k in range(1, min(len(a), len(b))))


@lru_cache(maxsize=4)
def load_taxonomy(folder: Path = config.TAXONOMY_DIR) -> Taxonomy:
    """Load every taxonomy table from ``folder`` (cached per folder)."""
    folder = Path(folder)
    langs = LANGUAGES
    label_cols = tuple(f"label_{lang}" for lang in langs)
    sections = _read_csv(folder / "nace_sections.csv", ("section", *label_cols))
    divisions = _read_csv(folder / "nace_divisions.csv", ("division", "section", *label_cols))
    divisions["division"] = _two_digits(divisions["division"])
    gbt = _read_csv(folder / "gbt4754_divisions.csv", ("division", "section", "nace_division", *label_cols))
    gbt["division"] = _two_digits(gbt["division"])
    gbt["nace_division"] = _two_digits(gbt["nace_division"])
    affinity = _read_csv(folder / "sector_affinity.csv", ("division_a", "division_b", "affinity"))
    affinity["division_a"] = _two_digits(affinity["division_a"])
    affinity["division_b"] = _two_digits(affinity["division_b"])
    affinity["affinity"] = affinity["affinity"].astype(float)
    cooperation = _read_csv(folder / "cooperation_types.csv", ("key", *label_cols, "synonyms"))
    cooperation_affinity = _read_csv(folder / "cooperation_affinity.csv", ("type_a", "type_b", "affinity"))
    cooperation_affinity["affinity"] = cooperation_affinity["affinity"].astype(float)
    glossary_domains = _read_csv(folder / "glossary_domains.csv", ("domain", "nace", "focus"))
    cities = _read_csv(
        folder / "member_cities.csv", ("key", "country", "name_de", "name_zh", "name_en", "aliases", "lat", "lon")
    )
    cities["lat"] = cities["lat"].astype(float)
    cities["lon"] = cities["lon"].astype(float)

    focus_path = folder / "focus_areas.toml"
    if not focus_path.exists():
        raise TaxonomyError(f"The focus-area table {focus_path} is missing. Restore it from the repository.")
    with focus_path.open("rb") as handle:
        raw_focus = tomllib.load(handle).get("focus", {})
    focus_areas = tuple(
        FocusArea(
            key=key,
            labels={lang: entry[f"label_{lang}"] for lang in langs},
            study_priority=bool(entry.get("study_priority", False)),
            nace=tuple(str(code).zfill(2) for code in entry.get("nace", [])),
            keywords={lang: tuple(entry.get(f"keywords_{lang}", [])) for lang in langs},
        )
        for key, entry in raw_focus.items()
    )

    label_index: dict[tuple, str] = {}
    for kind, table, key_col in (
        ("section", sections, "section"),
        ("division", divisions, "division"),
        ("cooperation", cooperation, "key"),
    ):
        for row in table.to_dict("records"):
            for lang in langs:
                label_index[(kind, row[key_col], lang)] = row[f"label_{lang}"]
    for area in focus_areas:
        label_index[("focus", fold(area.key))] = area.key
        for lang in langs:
            label_index[("focus", area.key, lang)] = area.labels[lang]
            label_index[("focus", fold(area.labels[lang]))] = area.key
    for row in cooperation.to_dict("records"):
        for spelling in [row["key"], *(row[c] for c in label_cols), *_split(row["synonyms"])]:
            label_index.setdefault(("cooperation", fold(spelling)), row["key"])

    city_index: dict[str, str] = {}
    for row in cities.to_dict("records"):
        label_index[("city", row["key"], "de")] = row["name_de"]
        label_index[("city", row["key"], "zh")] = row["name_zh"]
        label_index[("city", row["key"], "en")] = row["name_en"]
        for spelling in [row["key"], row["name_de"], row["name_zh"], row["name_en"], *_split(row["aliases"])]:
            if fold(spelling):
                city_index.setdefault(fold(spelling), row["key"])

    return Taxonomy(
        sections=sections,
        divisions=divisions,
        gbt_divisions=gbt,
        affinity=affinity,
        cooperation_types=cooperation,
        cities=cities,
        focus_areas=focus_areas,
        cooperation_affinity=cooperation_affinity,
        glossary_domains=glossary_domains,
        _city_index=city_index,
        _label_index=label_index,
    )
