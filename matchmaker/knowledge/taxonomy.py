"""Sectors (NACE Rev. 2, with China's GB/T 4754-2017 mapped onto it), focus areas, cooperation
types and member cities, each labelled in German, Chinese and English.

Everything here is data read from ``data/taxonomy/``; this module only loads it and answers
look-ups. Codes and keys are the product's canonical forms; labels are for people.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from matchmaker import config
from matchmaker.errors import TaxonomyError
from matchmaker.knowledge.keywords import KeywordHits
from matchmaker.text import fold, has_cjk, simplified
from matchmaker.vocab import LANGUAGES, Language

_NACE = re.compile(r"^\s*([A-Ua-u])?\s*(\d{1,2})(?:[.\s]?(\d{1,2})(?:\.?(\d{1,2}))?)?\s*$")
_GBT = re.compile(r"^\s*([A-Ta-t])?\s*(\d{2})(\d{0,2})(?:\.\d+)?\s*$")
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
    def _keyword_hits(self) -> KeywordHits:
        return KeywordHits.for_areas(self.focus_areas)

    def infer_focus(self, text: str, max_areas: int = 3) -> tuple[str, ...]:
        """Focus areas whose keywords occur in ``text`` (any of the three languages).

        An area needs two keyword hits, or one when no area has two; at most ``max_areas`` areas,
        most hits first. Text without any keyword gives an empty tuple.

        An area's hits are its pattern's matches, counted by :class:`~matchmaker.knowledge.keywords.KeywordHits` without running the
        patterns over most texts (each pattern tries its hundred keywords at every character: about 30 µs
        a profile text); the counts are the same.
        """
        hits = self._keyword_hits.hits(simplified(text).lower())  # keywords spell Chinese in Simplified
        if not hits:
            return ()
        threshold = 2 if max(hits.values()) >= 2 else 1
        ranked = sorted((key for key, n in hits.items() if n >= threshold), key=lambda k: -hits[k])
        return tuple(ranked[:max_areas])

    # --- cities ---------------------------------------------------------------------------------
    def city_key(self, name: object) -> str | None:
        """The member-city key for a spelling (``佛山``, ``Foshan``, ``Fóshān``, ``佛山市顺德区``,
        ``洛陽``, ``Koeln``), or None for a city outside the alliance."""
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
        # Pinyin with tone marks ("Fóshān", "Xǔchāng") and other accents: once more without the marks
        unmarked = "".join(ch for ch in unicodedata.normalize("NFKD", name) if not unicodedata.combining(ch))
        if unmarked != unicodedata.normalize("NFKD", name):
            return self.city_key(unmarked)
        # Traditional characters ("洛陽", "廣東省佛山市順德區"): once more in Simplified, as the table spells them
        converted = simplified(name)
        if converted != name:
            return self.city_key(converted)
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
