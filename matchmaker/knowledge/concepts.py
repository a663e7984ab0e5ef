"""Glossary concepts found in a text, in any of the three languages.

Each row of the shipped glossary (``data/glossary/terms_*.csv``) is a concept with a German,
Chinese and English spelling. ``ConceptIndex.find(text)`` returns the concepts whose spelling
occurs in the text, whatever its language, so ``Batteriezellen`` and ``电池单体`` meet on one
concept id. The concept vectors feed the *terms* component and the "matching terms" of an
explanation. Matching uses an Aho-Corasick automaton (pyahocorasick): one pass over the text
for all ~13,000 spellings.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import ahocorasick
import numpy as np
import pandas as pd
from scipy import sparse

from matchmaker import config
from matchmaker.text import simplified

_MIN_LATIN = 4  # shorter German/English spellings ("Öl", "CNC") must stand as whole words
_MIN_CJK = 2


@dataclass
class ConceptIndex:
    """Concept look-up over the glossary. Build with :func:`load_concepts`."""

    terms: pd.DataFrame  # columns de, zh, en, domain; row i = concept i
    automaton: object = field(repr=False)

    def __len__(self) -> int:
        return len(self.terms)

    def find(self, text: str) -> list[int]:
        """Sorted concept ids whose spelling occurs in ``text``.

        German spellings may sit inside compounds (``Zelle`` in ``Batteriezellen``) but must start
        a word or a compound part of at least four letters; English spellings must be whole words
        (a plural -s is allowed); Chinese spellings may sit anywhere.
        """
        return sorted({concept for _, _, concept in self._matches(text)})

    def outermost(self, text: str) -> list[int]:
        """The concepts ``text`` names in the order it names them, leaving out a spelling found only
        inside a longer one (``单体`` inside ``电池单体``), each once."""
        matches = sorted(self._matches(text), key=lambda m: (m[0], -m[1]))
        kept, reach = [], -1
        for _start, end, concept in matches:
            if end > reach:
                kept.append(concept)
                reach = end
        return list(dict.fromkeys(kept))

    def _matches(self, text: str) -> list[tuple[int, int, int]]:
        """(start, end, concept) of each spelling found in ``text`` under :meth:`find`'s rules."""
        lowered = simplified(text).lower()  # the glossary spells Chinese in Simplified characters
        found = []
        for end, (concept, language, length) in self.automaton.iter(lowered):
            start = end - length + 1
            before = lowered[start - 1] if start > 0 else " "
            after = lowered[end + 1] if end + 1 < len(lowered) else " "
            if language == "zh":
                found.append((start, end, concept))
            elif language == "en":
                if not before.isalnum() and (
                    not after.isalnum() or (after == "s" and not lowered[end + 2 : end + 3].isalnum())
                ):
                    found.append((start, end, concept))
            elif not before.isalnum() or length >= 5:
                found.append((start, end, concept))
        return found

    def matrix(self, texts: Sequence[str]) -> sparse.csr_matrix:
        """``(len(texts), len(self))`` binary CSR matrix: cell (i, c) = 1 when text i names concept c."""
        rows, cols = [], []
        for i, text in enumerate(texts):
            ids = self.find(text)
            rows.extend([i] * len(ids))
            cols.extend(ids)
        data = np.ones(len(rows), dtype=np.float32)
        return sparse.csr_matrix((data, (rows, cols)), shape=(len(texts), len(self)))

    def label(self, concept: int, language: str) -> str:
        return str(self.terms.iloc[concept][language])


@lru_cache(maxsize=2)
def load_concepts(folder: Path = config.GLOSSARY_DIR) -> ConceptIndex:
    """The concept index over every ``terms_*.csv`` in ``folder`` (cached)."""
    frames = [pd.read_csv(p, dtype=str, keep_default_na=False) for p in sorted(Path(folder).glob("terms_*.csv"))]
    terms = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=["de", "zh", "en", "domain"])
    terms = terms.drop_duplicates(subset=["de"]).reset_index(drop=True)
    automaton = ahocorasick.Automaton()
    spellings: dict[str, tuple[int, str, int]] = {}
    for concept, row in enumerate(terms.itertuples(index=False)):
        for language in ("de", "en", "zh"):
            spelling = str(getattr(row, language)).strip().lower()
            minimum = _MIN_CJK if language == "zh" else _MIN_LATIN
            if len(spelling) < minimum and language != "zh":
                spelling = spelling if len(spelling) >= 2 else ""
            if len(spelling) >= (_MIN_CJK if language == "zh" else 2) and spelling not in spellings:
                spellings[spelling] = (concept, language, len(spelling))
    for spelling, value in spellings.items():
        automaton.add_word(spelling, value)
    automaton.make_automaton()
    return ConceptIndex(terms=terms, automaton=automaton)


def tfidf_rows(counts: sparse.csr_matrix, document_frequency: np.ndarray, documents: int) -> sparse.csr_matrix:
    """Binary concept rows weighted by inverse document frequency and scaled to unit length.

    ``document_frequency[c]``: in how many of ``documents`` concept c occurs. A concept in every
    document weighs little; rows without concepts stay zero.
    """
    idf = np.log((1 + documents) / (1 + document_frequency)) + 1.0
    weighted = counts.multiply(idf[None, :]).tocsr()
    norms = np.sqrt(np.asarray(weighted.multiply(weighted).sum(axis=1))).ravel()
    scale = np.divide(1.0, norms, out=np.zeros_like(norms), where=norms > 0)
    return sparse.diags(scale.astype(np.float32)) @ weighted
