"""A gist of a profile in the reader's language, for a profile written in a language the reader
cannot read and given without a translation.

Built only from what the product knows, never invented: the glossary concepts the description names
(grouped by kind: products, technologies, materials, processes, markets, business), the concepts of
what the company offers and seeks, its sector, focus areas, cooperation types, size and city, all in
the reader's language. It is labelled as derived from the original, which stays one click away.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from matchmaker import vocab as V
from matchmaker.exports.reading import display_city
from matchmaker.i18n import t
from matchmaker.knowledge.concepts import ConceptIndex, load_concepts
from matchmaker.knowledge.taxonomy import Taxonomy, load_taxonomy
from matchmaker.vocab import Language

# the kinds of glossary concepts, in the order a gist lists them (glossary column ``kind``)
KINDS = ("product", "technology", "material", "process", "market", "business")
OTHER_KIND = "other"
MAX_PER_GROUP = 10


@dataclass(frozen=True)
class Gist:
    """What a reader of ``language`` learns of a profile without a translation. ``concepts`` maps a
    kind to concept labels in the reader's language (kinds with none left out)."""

    language: Language
    concepts: dict[str, tuple[str, ...]]
    offers: tuple[str, ...]
    seeks: tuple[str, ...]
    sector: str
    focus: tuple[str, ...]
    cooperation: tuple[str, ...]
    size: str
    city: str

    @property
    def names_concepts(self) -> bool:
        return bool(self.concepts or self.offers or self.seeks)

    def lines(self) -> list[str]:
        """The gist as labelled lines (``"Produkte: Implantat, Wirbelkörper-Cage"``), in the reader's language."""

        def line(key: str, values: tuple[str, ...] | str) -> list[str]:
            text = values if isinstance(values, str) else ", ".join(values)
            return [f"{t(f'gist.{key}', self.language)}: {text}"] if text else []

        lines: list[str] = []
        for kind in (*KINDS, OTHER_KIND):
            lines += line(f"kind_{kind}", self.concepts.get(kind, ()))
        lines += line("offers", self.offers) + line("seeks", self.seeks)
        lines += line("sector", self.sector) + line("focus", self.focus) + line("cooperation", self.cooperation)
        lines += line("size", self.size) + line("city", self.city)
        return lines


def concept_labels(concepts: ConceptIndex, text: str, language: Language) -> dict[str, tuple[str, ...]]:
    """The concepts ``text`` names, as labels in ``language``, grouped by kind (at most
    :data:`MAX_PER_GROUP` a kind; the same label once)."""
    kinds = concepts.terms["kind"] if "kind" in concepts.terms.columns else None
    grouped: dict[str, list[str]] = {}
    for concept in concepts.outermost(text or ""):
        label = concepts.label(concept, language).strip()
        kind = str(kinds.iloc[concept]) if kinds is not None else OTHER_KIND
        kind = kind if kind in KINDS else OTHER_KIND
        group = grouped.setdefault(kind, [])
        if label and label not in group and len(group) < MAX_PER_GROUP:
            group.append(label)
    return {kind: tuple(labels) for kind, labels in grouped.items() if labels}


def _flat(groups: dict[str, tuple[str, ...]]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(label for labels in groups.values() for label in labels))[:MAX_PER_GROUP]


def profile_gist(
    profile: pd.Series,
    language: Language,
    concepts: ConceptIndex | None = None,
    taxonomy: Taxonomy | None = None,
) -> Gist:
    """The gist of ``profile`` for a reader of ``language`` (see the module's description)."""
    concepts = concepts or load_concepts()
    taxonomy = taxonomy or load_taxonomy()
    division = str(profile.get(V.NACE_DIVISION, "") or "")
    band = str(profile.get(V.SIZE_BAND, "") or "")
    return Gist(
        language=language,
        concepts=concept_labels(concepts, str(profile.get(V.DESCRIPTION, "") or ""), language),
        offers=_flat(concept_labels(concepts, str(profile.get(V.OFFERS, "") or ""), language)),
        seeks=_flat(concept_labels(concepts, str(profile.get(V.SEEKS, "") or ""), language)),
        sector=f"{division} {taxonomy.label('division', division, language)}" if division else "",
        focus=tuple(taxonomy.label("focus", k, language) for k in profile.get(V.FOCUS_KEYS, ()) or () if k != "other"),
        cooperation=tuple(
            taxonomy.label("cooperation", k, language) for k in profile.get(V.COOPERATION_KEYS, ()) or ()
        ),
        size=t("gist.size_value", language, band=band) if band else "",
        city=display_city(profile, language, taxonomy),
    )


def needs_gist(profile: pd.Series, field: str, language: Language) -> bool:
    """Whether a reader of ``language`` cannot read the profile's ``field`` as it is: it is written
    in another language and (for the description) no translation into ``language`` is given."""
    from matchmaker.text import detect_language

    text = str(profile.get(field, "") or "").strip()
    if not text:
        return False
    if field == V.DESCRIPTION:
        if str(profile.get(f"description_{language}", "") or "").strip():
            return False
        written = str(profile.get(V.LANGUAGE, "") or "") or detect_language(text)
    else:
        written = detect_language(text)
    return written is not None and written != language
