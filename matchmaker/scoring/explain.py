"""Why a partner is suggested: what agrees and what does not, in German, Chinese or English.

An :class:`Explanation` holds facts (keys, concept ids, divisions, the profiles' own sentences), not
the lines shown; ``render`` turns them into lines in the reader's language, so the dashboard's
language switch and the bilingual dossier read the same facts.

The text similarity is explained by quoting what comes closest: the pairs of statements (a sentence of
a description, the offers, the seeks) of the two profiles whose vectors agree most, in the space the
matcher was fitted in. A reader of another language sees, where the profile gives a translation, the
sentence of that translation that says the same (found by the same vectors).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields

import numpy as np
import pandas as pd

from matchmaker import config
from matchmaker import vocab as V
from matchmaker.i18n import t
from matchmaker.knowledge.concepts import load_concepts
from matchmaker.knowledge.taxonomy import load_taxonomy
from matchmaker.scoring.components import DISTINCT, SEMANTIC
from matchmaker.scoring.featurise import (
    TRANSLATION_COLUMNS,
    description_sentences,
    offers_and_seeks,
    translation_sentences,
)
from matchmaker.scoring.matcher import Matcher
from matchmaker.scoring.weights import Weights
from matchmaker.text import clean_for_embedding, sentences
from matchmaker.vocab import Language

MAX_TERMS = 6
MAX_GLOSSED = 4  # glossary concepts named beside a quote in another language
MAX_QUOTES = 2  # pairs of closest statements quoted
QUOTE_CHARS = 160  # a quoted statement is cut after this many characters
CROWDED_SHARE = 0.95  # a partner more crowded than this share of its side's companies is named as such


@dataclass(frozen=True)
class Statement:
    """One statement of a profile as it was written, and the sentence of each of the profile's
    translations that says the same (language -> sentence; only for sentences of the description)."""

    text: str
    language: str = ""
    translations: dict[str, str] = field(default_factory=dict)

    def read_in(self, language: Language) -> tuple[str, bool]:
        """The statement for a reader of ``language`` and whether it is the profile's translation."""
        if language != self.language and language in self.translations:
            return self.translations[language], True
        return self.text, False


@dataclass
class Explanation:
    source_id: str
    target_id: str
    score: float
    contributions: dict[str, float]
    shared_focus: list[str] = field(default_factory=list)
    shared_terms: list[int] = field(default_factory=list)
    source_offers_target_seeks: list[int] = field(default_factory=list)
    target_offers_source_seeks: list[int] = field(default_factory=list)
    sector_relation: str = "unknown"  # same_division | related | same_section | none | unknown
    sector_pair: tuple[str, str] = ("", "")
    sector_inferred: bool = False
    shared_cooperation: list[str] = field(default_factory=list)
    disagreements: list[tuple[str, dict]] = field(default_factory=list)
    closest_statements: list[tuple[Statement, Statement, float]] = field(default_factory=list)

    def as_record(self) -> dict:
        """The explanation as plain JSON-able values, for storing with an introduction."""
        return asdict(self)

    @classmethod
    def from_record(cls, record: dict) -> Explanation:
        """The explanation ``as_record`` stored (unknown keys ignored, keys it lacks take their defaults,
        so records written by an older version still render)."""
        known = {f.name for f in fields(cls)}
        values = {k: v for k, v in record.items() if k in known}
        values["sector_pair"] = tuple(values.get("sector_pair", ("", "")))
        values["disagreements"] = [  # JSON turned the tuples of cooperation types into lists
            (code, {k: tuple(v) if isinstance(v, list) else v for k, v in params.items()})
            for code, params in values.get("disagreements", [])
        ]
        values["closest_statements"] = [
            (Statement(**a), Statement(**b), float(c)) for a, b, c in values.get("closest_statements", [])
        ]
        return cls(**values)

    def render(self, language: Language = "en", names: tuple[str, str] = ("", "")) -> list[str]:
        """Lines for people: agreements first, then disagreements."""
        taxonomy, concepts = load_taxonomy(), load_concepts()
        source_name, target_name = names[0] or self.source_id, names[1] or self.target_id

        def term(concept: int) -> str:
            other = "zh" if language != "zh" else "de"
            return f"{concepts.label(concept, language)} ({concepts.label(concept, other)})"

        lines = []
        if self.shared_focus:
            lines.append(
                t(
                    "explain.shared_focus",
                    language,
                    areas=", ".join(taxonomy.label("focus", k, language) for k in self.shared_focus),
                )
            )
        if self.shared_terms:
            lines.append(t("explain.shared_terms", language, terms=", ".join(term(c) for c in self.shared_terms)))
        if self.source_offers_target_seeks:
            lines.append(
                t(
                    "explain.offer_seek",
                    language,
                    offerer=source_name,
                    seeker=target_name,
                    terms=", ".join(term(c) for c in self.source_offers_target_seeks),
                )
            )
        if self.target_offers_source_seeks:
            lines.append(
                t(
                    "explain.offer_seek",
                    language,
                    offerer=target_name,
                    seeker=source_name,
                    terms=", ".join(term(c) for c in self.target_offers_source_seeks),
                )
            )
        a, b = self.sector_pair
        if self.sector_relation in ("same_division", "related", "same_section"):
            key = f"explain.sector_{self.sector_relation}"
            lines.append(
                t(
                    key,
                    language,
                    a=f"{a} {taxonomy.label('division', a, language)}",
                    b=f"{b} {taxonomy.label('division', b, language)}",
                )
                + (t("explain.inferred", language) if self.sector_inferred else "")
            )
        if self.shared_cooperation:
            lines.append(
                t(
                    "explain.shared_cooperation",
                    language,
                    types=", ".join(taxonomy.label("cooperation", k, language) for k in self.shared_cooperation),
                )
            )
        # The sentence pair's cosine stays in the facts (dossier JSON, tests) but is not shown: on its own
        # scale (set by the encoder; a good pair often lies far below 1) readers took it for a poor score.
        for source_statement, target_statement, _cosine in self.closest_statements:
            lines.append(
                t(
                    "explain.closest",
                    language,
                    a=_quoted(source_statement, language),
                    b=_quoted(target_statement, language),
                )
            )
        for code, params in self.disagreements:
            shown = {}
            for key, value in params.items():
                if isinstance(value, tuple):
                    shown[key] = ", ".join(taxonomy.label("cooperation", v, language) for v in value)
                elif code == "sector_none":
                    shown[key] = f"{value} {taxonomy.label('division', value, language)}"
                else:
                    shown[key] = value
            lines.append("✗ " + t(f"explain.{code}", language, **shown))
        return lines


def _quoted(statement: Statement, language: Language) -> str:
    """The statement in quotation marks for a reader of ``language``: the profile's translation where
    it gives one, else as written and, where written in another language, with the glossary concepts
    it names in the reader's language."""
    text, translated = statement.read_in(language)
    text = text if len(text) <= QUOTE_CHARS else text[: QUOTE_CHARS - 1].rstrip() + "…"
    quoted = t("explain.quote", language, text=text)
    if translated:
        return quoted + t("explain.quote_translated", language)
    terms = glossary_terms(text, language) if statement.language and statement.language != language else []
    return quoted + (t("explain.quote_terms", language, terms=", ".join(terms)) if terms else "")


def glossary_terms(text: str, language: Language, count: int = MAX_GLOSSED) -> list[str]:
    """Up to ``count`` glossary concepts ``text`` names, in its order, labelled in ``language`` (a
    spelling inside a longer one left out: ``单体`` in ``电池单体``)."""
    concepts = load_concepts()
    labels = dict.fromkeys(concepts.label(c, language).strip() for c in concepts.outermost(text))
    return [label for label in labels if label][:count]


def closest_pairs(similarity: np.ndarray, count: int) -> list[tuple[int, int]]:
    """Up to ``count`` (row, column) cells of a similarity matrix, best first, no row or column twice."""
    similarity = np.array(similarity, dtype=np.float64)
    pairs = []
    for _ in range(min(count, *similarity.shape)):
        row, column = np.unravel_index(int(np.argmax(similarity)), similarity.shape)
        pairs.append((int(row), int(column)))
        similarity[row, :] = -np.inf
        similarity[:, column] = -np.inf
    return pairs


@dataclass(frozen=True)
class _Stated:
    """What one profile states, as embedded (cleaned) and as written, and its translations' sentences."""

    embedded: list[str]
    written: list[str]
    described: int  # the first ``described`` statements are sentences of the description
    translations: dict[str, tuple[list[str], list[str]]]  # language -> (embedded, written)


def profile_statements(profile: pd.Series) -> _Stated:
    """What a profile states: its description's sentences, then its offers and seeks (whole), cleaned
    as the fit embedded them and as the profile writes them; and its description's translations'."""
    said = description_sentences(profile[V.DESCRIPTION])
    rest = offers_and_seeks(profile[V.OFFERS], profile[V.SEEKS])
    written = _as_written(profile[V.DESCRIPTION], said, split=True)
    for column in (V.OFFERS, V.SEEKS):  # each whole, in the order offers_and_seeks gives them
        written += _as_written(profile[column], offers_and_seeks(profile[column], ""), split=False)
    versions = {
        lang: (found, _as_written(profile[TRANSLATION_COLUMNS[lang]], found, split=True))
        for lang, found in translation_sentences(profile).items()
    }
    return _Stated(said + rest, written, len(said), versions)


def _as_written(raw: object, cleaned: list[str], split: bool) -> list[str]:
    """The ``cleaned`` sentences (or whole text) of ``raw`` as ``raw`` writes them (full-width
    punctuation kept), where splitting ``raw`` itself finds the same ones and they hold no HTML markup;
    else ``cleaned``."""
    collapsed = " ".join(str(raw or "").split())
    pieces = sentences(collapsed) if split else [collapsed]
    wanted = set(cleaned)
    pairs = [
        (clean, piece) for piece in pieces if (clean := clean_for_embedding(piece, config.MAX_EMBED_CHARS)) in wanted
    ]
    if [clean for clean, _ in pairs] != cleaned:
        return list(cleaned)
    return [clean if "<" in piece or "&" in piece else piece for clean, piece in pairs]  # markup: cleaned


def closest_statements(matcher: Matcher, a: pd.Series, b: pd.Series, count: int = MAX_QUOTES) -> list:
    """The ``count`` pairs of statements of profiles ``a`` and ``b`` whose vectors agree most, each
    with the translations of its sentence that the profiles give, and their cosine similarity."""
    sides = [profile_statements(profile) for profile in (a, b)]
    if not sides[0].embedded or not sides[1].embedded:
        return []
    texts = [t for side in sides for t in side.embedded + [s for said, _ in side.translations.values() for s in said]]
    unique = list(dict.fromkeys(texts))
    vectors = matcher.embed(unique)
    row = {text: i for i, text in enumerate(unique)}

    def vectors_of(texts: list[str]) -> np.ndarray:
        return vectors[[row[text] for text in texts]]

    def statement(profile: pd.Series, side: _Stated, index: int) -> Statement:
        found = {}
        if index < side.described:  # a sentence of the description: the translation's sentence nearest to it
            for lang, (said, written) in side.translations.items():
                found[lang] = written[int(np.argmax(vectors_of(said) @ vectors_of([side.embedded[index]])[0]))]
        return Statement(side.written[index], str(profile[V.LANGUAGE] or ""), found)

    similarity = vectors_of(sides[0].embedded) @ vectors_of(sides[1].embedded).T
    return [
        (statement(a, sides[0], i), statement(b, sides[1], j), float(similarity[i, j]))
        for i, j in closest_pairs(similarity, count)
    ]


def explain_pair(matcher: Matcher, source_id: str, target_id: str, weights: Weights | None = None) -> Explanation:
    """Facts behind one suggestion of a fitted matcher (``weights`` overrides the matcher's)."""
    concepts = load_concepts()
    fitted = matcher.fitted_
    resolved = matcher.weights_for(weights)
    scored = matcher.score_pairs([source_id], [target_id], weights=resolved).iloc[0]
    contributions = {name: float(scored[name]) for name in resolved.active}
    i, j = fitted.position(source_id), fitted.position(target_id)
    a, b = fitted.profiles.iloc[i], fitted.profiles.iloc[j]
    explanation = Explanation(str(source_id), str(target_id), float(scored[V.SCORE]), contributions)

    explanation.shared_focus = [k for k in a[V.FOCUS_KEYS] if k in b[V.FOCUS_KEYS] and k != "other"]
    concept_rows = fitted.features.concepts
    shared = concept_rows[i].multiply(concept_rows[j]).tocoo()
    explanation.shared_terms = [int(c) for _, c in sorted(zip(-shared.data, shared.col))][:MAX_TERMS]

    def found(text: str) -> set[int]:
        return set(concepts.find(clean_for_embedding(text, config.MAX_EMBED_CHARS))) if text else set()

    seek_a, seek_b = found(a[V.SEEKS]), found(b[V.SEEKS])
    offer_a, offer_b = found(a[V.OFFERS] or a[V.DESCRIPTION]), found(b[V.OFFERS] or b[V.DESCRIPTION])
    explanation.source_offers_target_seeks = sorted(offer_a & seek_b)[:MAX_TERMS]
    explanation.target_offers_source_seeks = sorted(offer_b & seek_a)[:MAX_TERMS]

    sector = fitted.features.sector
    if sector[i].any() and sector[j].any():
        code_a, code_b = fitted.divisions[int(np.argmax(sector[i]))], fitted.divisions[int(np.argmax(sector[j]))]
        explanation.sector_pair = (code_a, code_b)
        explanation.sector_inferred = not (a[V.NACE_DIVISION] and b[V.NACE_DIVISION])
        explanation.sector_relation = fitted.taxonomy.sector_relation(code_a, code_b)
        if explanation.sector_relation == "none":
            explanation.disagreements.append(("sector_none", {"a": code_a, "b": code_b}))
    if a[V.FOCUS_KEYS] and b[V.FOCUS_KEYS] and not explanation.shared_focus:
        explanation.disagreements.append(("no_shared_focus", {}))
    coop_a, coop_b = set(a[V.COOPERATION_KEYS]), set(b[V.COOPERATION_KEYS])
    explanation.shared_cooperation = sorted(coop_a & coop_b)
    if coop_a and coop_b and not coop_a & coop_b:
        explanation.disagreements.append(
            ("cooperation_differs", {"a": tuple(sorted(coop_a)), "b": tuple(sorted(coop_b))})
        )
    band_a, band_b = a[V.SIZE_BAND], b[V.SIZE_BAND]
    if band_a and band_b and abs(V.SIZE_BANDS.index(band_a) - V.SIZE_BANDS.index(band_b)) >= 2:
        explanation.disagreements.append(("size_gap", {"a": band_a, "b": band_b}))
    if not explanation.shared_terms and not explanation.shared_focus:
        explanation.disagreements.append(("little_in_common", {}))
    if DISTINCT in resolved.active:
        crowding = matcher.fitted_for(resolved).features.crowding
        side = fitted.side(fitted.country[j])
        if crowding[j] >= np.quantile(crowding[side], CROWDED_SHARE):
            explanation.disagreements.append(("crowded", {"crowding": f"{crowding[j]:.2f}"}))
    if SEMANTIC in resolved.active:
        explanation.closest_statements = closest_statements(matcher, a, b)
    return explanation
