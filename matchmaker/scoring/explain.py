"""Why a partner is suggested: what agrees and what does not, in German, Chinese or English.

An :class:`Explanation` holds facts (keys, concept ids, divisions), not sentences; ``render``
turns them into lines in the reader's language, so the dashboard's language switch and the
bilingual dossier read the same facts.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from matchmaker import config
from matchmaker import vocab as V
from matchmaker.i18n import t
from matchmaker.knowledge.concepts import load_concepts
from matchmaker.knowledge.taxonomy import load_taxonomy
from matchmaker.scoring.components import DISTINCT
from matchmaker.scoring.matcher import Matcher
from matchmaker.scoring.weights import Weights
from matchmaker.text import clean_for_embedding
from matchmaker.vocab import Language

MAX_TERMS = 6
CROWDED_SHARE = 0.95  # a partner more crowded than this share of its side's companies is named as such


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
    return explanation
