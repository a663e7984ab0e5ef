"""Focus-area keyword hits in a text: what each area's keyword pattern would find, counted without
running the patterns over most texts.

An area's keywords (German, English and Chinese, from ``data/taxonomy/focus_areas.toml``) are
lower-cased; short Latin-script ones match only as whole words. :class:`KeywordHits` counts each area's
hits the same as ``len(pattern.findall(text))`` of its pattern (:func:`keyword_patterns`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import combinations
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from matchmaker.knowledge.taxonomy import FocusArea

SHORT_KEYWORD = 4  # English/German keywords shorter than this must match as whole words


def keyword_alternatives(areas: Iterable[FocusArea]) -> dict[str, tuple[tuple[str, bool], ...]]:
    """Each focus area's keywords as its pattern matches them: lower-cased, and whether only as a
    whole word (short Latin-script keywords)."""
    return {
        area.key: tuple(
            (word.lower(), language != "zh" and len(word) < SHORT_KEYWORD)
            for language, words in area.keywords.items()
            for word in words
        )
        for area in areas
    }


def keyword_patterns(alternatives: dict[str, tuple[tuple[str, bool], ...]]) -> dict[str, re.Pattern[str]]:
    """One pattern per focus area: its keywords lower-cased, longest first; short Latin-script
    keywords only as whole words. An area's hits in a text are this pattern's matches."""
    patterns = {}
    for key, words in alternatives.items():
        parts = [alternative_source(word, whole_word) for word, whole_word in words]
        if parts:
            patterns[key] = re.compile("|".join(sorted(parts, key=len, reverse=True)))
    return patterns


def alternative_source(word: str, whole_word: bool) -> str:
    """A keyword as one alternative of its area's pattern."""
    escaped = re.escape(word)
    return rf"\b{escaped}\b" if whole_word else escaped


TOKEN_CACHE_SIZE = 200_000  # distinct tokens remembered (~20 MB); later ones are searched each time


@dataclass(frozen=True)
class KeywordHits:
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
    def for_areas(areas: Iterable[FocusArea]) -> KeywordHits:
        """The counter of these focus areas' keyword patterns."""
        alternatives = keyword_alternatives(areas)
        return KeywordHits.build(alternatives, keyword_patterns(alternatives))

    @staticmethod
    def build(
        alternatives: dict[str, tuple[tuple[str, bool], ...]], patterns: dict[str, re.Pattern[str]]
    ) -> KeywordHits:
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
        return KeywordHits(
            order=order,
            patterns=patterns,
            keywords=keywords,
            whole_word=tuple(re.compile(alternative_source(w, True)) if whole else None for w, whole in owners),
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
        in the whole text); remembered until :data:`TOKEN_CACHE_SIZE` tokens are (never forgotten, so
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
        if len(self._searched) < TOKEN_CACHE_SIZE:
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
                overlap = self._overlap[(a, b)] = can_overlap(self.keywords[a], self.keywords[b])
            if overlap:
                return True
        return False


def can_overlap(a: str, b: str) -> bool:
    """Whether an occurrence of ``a`` and one of ``b`` can share a character: one inside the other, or
    the end of one the start of the other."""
    return a in b or b in a or any(a.endswith(b[:k]) or b.endswith(a[:k]) for k in range(1, min(len(a), len(b))))
