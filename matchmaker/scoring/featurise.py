"""A profiles table -> :class:`~matchmaker.scoring.components.CompanyFeatures`: the arrays the score
components read.

Texts are embedded once (duplicates once): offers and seeks whole, and the text vector as the mean of
the vectors of the description's sentences, the offers and the seeks (and of the description's
translations where the profile gives them, :func:`text_groups`); glossary concepts become
IDF-weighted unit rows; focus areas and cooperation types 0/1 rows; employee bands integers. A
company without a NACE division gets a probability spread over the divisions whose prototypes its
text is nearest to (:func:`sector_probabilities`).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable

import numpy as np
import pandas as pd
from scipy import sparse

from matchmaker import config
from matchmaker import vocab as V
from matchmaker.embeddings.encoders import Encoder
from matchmaker.knowledge.concepts import ConceptIndex, tfidf_rows
from matchmaker.knowledge.taxonomy import Taxonomy
from matchmaker.scoring.components import CompanyFeatures
from matchmaker.text import clean_for_embedding, sentences

INFERRED_SECTOR_MASS = 0.8  # an inferred division counts for at most 80 % of a given one
SECTOR_TEMPERATURE = 0.05
SECTOR_CANDIDATES = 3


def featurise(
    table: pd.DataFrame, encoder: Encoder, taxonomy: Taxonomy, concepts: ConceptIndex, progress: bool = False
) -> CompanyFeatures:
    """Features of every row of a normalised profiles table (``load_profiles(...).table``), row i = row i."""
    texts = table[V.TEXT].tolist()
    offers = [clean_for_embedding(o, config.MAX_EMBED_CHARS) or t for o, t in zip(table[V.OFFERS], texts)]
    seeks = [clean_for_embedding(s, config.MAX_EMBED_CHARS) or t for s, t in zip(table[V.SEEKS], texts)]
    groups = text_groups(table)
    parts = [part for row in groups for group in row for part in group]
    unique = list(dict.fromkeys(offers + seeks + parts))
    lookup = {text: i for i, text in enumerate(unique)}
    positions = [np.array([lookup[t] for t in column], dtype=np.int64) for column in (offers, seeks, parts)]
    (offer_vectors, seek_vectors), group_sums = _embed(
        encoder, unique, positions[:2], progress, summed=(positions[2], _group_of_parts(groups))
    )
    text_vectors = _text_vectors(group_sums, groups)

    counts = concepts.matrix(texts)
    frequency = np.asarray((counts > 0).sum(axis=0)).ravel()
    concept_rows = tfidf_rows(counts, frequency, len(texts))

    focus = _one_hot_sets(table[V.FOCUS_KEYS], taxonomy.focus_keys, skip={"other"})
    cooperation = _one_hot_sets(table[V.COOPERATION_KEYS], taxonomy.cooperation_keys)
    band_position = {band: i for i, band in enumerate(V.SIZE_BANDS)}
    size = np.array([band_position.get(b, -1) for b in table[V.SIZE_BAND]], dtype=np.int8)
    language = np.array(
        [V.LANGUAGES.index(lang) if lang in V.LANGUAGES else 0 for lang in table[V.LANGUAGE]], dtype=np.int64
    )
    divisions = table[V.NACE_DIVISION].tolist()
    missing = any(d not in taxonomy.division_position for d in divisions)
    prototypes = division_prototypes(encoder, taxonomy, concepts) if missing else None
    sector = sector_probabilities(divisions, text_vectors, prototypes, taxonomy)
    return CompanyFeatures(
        text=text_vectors,
        offers=offer_vectors,
        seeks=seek_vectors,
        language=language,
        concepts=concept_rows,
        sector=sector,
        focus=focus,
        cooperation=cooperation,
        size=size,
    )


TRANSLATION_COLUMNS = {"de": V.DESCRIPTION_DE, "zh": V.DESCRIPTION_ZH, "en": V.DESCRIPTION_EN}


def text_groups(table: pd.DataFrame) -> list[list[list[str]]]:
    """Per row, the groups of texts its text vector is made of, each group a list of parts: first its
    own text (:func:`text_parts`), then each translation of its description that differs from it (its
    sentences). A group's vector is the mean of its parts' vectors; the row's, the mean of its groups'.

    Sentence by sentence because the general model was trained on sentences: a description embedded
    whole blurs what its sentences say one by one (on the real-partnership benchmark, cross-validated,
    the mean of the sentence vectors ranked documented partners higher; ``benchmarks/README.md``)."""
    rows = []
    versions = translations(table)
    for record, given in zip(table[[V.DESCRIPTION, V.OFFERS, V.SEEKS, V.TEXT]].itertuples(index=False), versions):
        own = text_parts(*record)
        rows.append([own] + [said for said in map(_said, given) if said])  # a translation of punctuation alone: none
    return rows


def text_parts(description: str, offers: str, seeks: str, text: str) -> list[str]:
    """What a company's own text vector averages: each sentence of its description that holds a letter or
    digit, its offers and its seeks (each whole: a list of products reads as one statement), all cleaned
    as for embedding; its embedded ``text`` (the profile's text, or its name) when it has none of them."""
    parts = description_sentences(description) + offers_and_seeks(offers, seeks)
    return parts or [text]


def description_sentences(description: str) -> list[str]:
    """The sentences of a description, cleaned as for embedding, that hold a letter or digit."""
    return _said(clean_for_embedding(str(description), config.MAX_EMBED_CHARS))


def offers_and_seeks(offers: str, seeks: str) -> list[str]:
    """A profile's offers and seeks, each cleaned as for embedding and kept whole, where given."""
    return [value for value in (clean_for_embedding(str(v), config.MAX_EMBED_CHARS) for v in (offers, seeks)) if value]


def _said(text: str) -> list[str]:
    """The sentences of a cleaned ``text`` that hold a letter or digit (not a lone "。" or "…")."""
    return [sentence for sentence in sentences(text) if any(ch.isalnum() for ch in sentence)]


def translations(table: pd.DataFrame) -> list[list[str]]:
    """Per row, the cleaned translations of its description (``description_de/zh/en``) that differ
    from the description itself; empty lists when a table has none."""
    present = {lang: column for lang, column in TRANSLATION_COLUMNS.items() if column in table.columns}
    if not present:
        return [[] for _ in range(len(table))]
    rows = []
    for original, *given in table[[V.DESCRIPTION, *present.values()]].itertuples(index=False):
        rows.append(list(dict.fromkeys(_cleaned_translations(original, zip(present, given)).values())))
    return rows


def translation_sentences(profile: pd.Series) -> dict[str, list[str]]:
    """By language, the sentences that say something of each translation of one profile's description
    (a row of a normalised table) that differs from the description."""
    given = ((lang, profile.get(column)) for lang, column in TRANSLATION_COLUMNS.items())
    found = {lang: _said(text) for lang, text in _cleaned_translations(profile[V.DESCRIPTION], given).items()}
    return {lang: said for lang, said in found.items() if said}


def _cleaned_translations(original: object, given: Iterable[tuple[str, object]]) -> dict[str, str]:
    """Language -> the cleaned translation, for each given one that is not empty and not the original."""
    cleaned = {lang: clean_for_embedding(str(v), config.MAX_EMBED_CHARS) for lang, v in given if v and v != original}
    return {lang: value for lang, value in cleaned.items() if value}


EMBED_CHUNK = 65_536  # distinct texts embedded at a time: only their vectors, not all, exist at once


def _embed(
    encoder: Encoder,
    unique: list[str],
    positions: list[np.ndarray],
    progress: bool,
    summed: tuple[np.ndarray, np.ndarray] | None = None,
) -> tuple[list[np.ndarray], np.ndarray | None]:
    """For each array of positions in ``unique``, the vectors of those texts, in that order; and, for
    ``summed = (positions, owner)``, the sum of those texts' vectors per owner (``owner[i]`` of text
    ``positions[i]``, owners 0 … max). ``unique`` is embedded :data:`EMBED_CHUNK` texts at a time, so that
    at scale (hundreds of thousands of distinct texts) the vectors of every distinct text, or of every
    sentence, never sit in memory beside the per-company arrays."""
    outputs: list[np.ndarray | None] = [None] * len(positions)
    sums = None
    for start in range(0, max(len(unique), 1), EMBED_CHUNK):
        vectors = encoder.encode(unique[start : start + EMBED_CHUNK], show_progress=progress)
        for number, wanted in enumerate(positions):
            if outputs[number] is None:
                outputs[number] = np.zeros((len(wanted), vectors.shape[1]), dtype=vectors.dtype)
            inside = (wanted >= start) & (wanted < start + len(vectors))
            outputs[number][inside] = vectors[wanted[inside] - start]
        if summed is not None:
            wanted, owner = summed
            if sums is None:
                sums = np.zeros((int(owner.max()) + 1 if len(owner) else 0, vectors.shape[1]), dtype=np.float32)
            inside = (wanted >= start) & (wanted < start + len(vectors))
            # only the owners with a text in this chunk: a chunk adds to a few of a million companies
            owners, row = np.unique(owner[inside], return_inverse=True)
            gather = sparse.csr_matrix(
                (np.ones(len(row), dtype=np.float32), (row, wanted[inside] - start)),
                shape=(len(owners), len(vectors)),
            )
            sums[owners] += np.asarray(gather @ vectors, dtype=np.float32)
    return outputs, sums  # type: ignore[return-value]


def _group_of_parts(groups: list[list[list[str]]]) -> np.ndarray:
    """The group number of every part of ``groups`` (rows' groups numbered one after another)."""
    sizes = [len(group) for row in groups for group in row]
    return np.repeat(np.arange(len(sizes), dtype=np.int64), sizes)


def _text_vectors(group_sums: np.ndarray, groups: list[list[list[str]]]) -> np.ndarray:
    """Each row's text vector: the unit-length mean of its groups' unit-length mean part vectors (a
    profile given in German and Chinese meets a partner in either language)."""
    if not groups:
        return np.zeros_like(group_sums)
    # every row has its own group first, so each row's groups are one non-empty run of rows
    starts = np.cumsum([0] + [len(row) for row in groups[:-1]])
    return _unit_rows(np.add.reduceat(_unit_rows(group_sums), starts, axis=0))


def _unit_rows(matrix: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return np.divide(matrix, norms, out=np.zeros_like(matrix), where=norms > 0)


def _one_hot_sets(key_sets: pd.Series, keys: tuple[str, ...] | list[str], skip: set[str] = frozenset()) -> np.ndarray:
    """``(rows, keys)`` float32 0/1 matrix: which of ``keys`` each row's key set holds."""
    position = {key: i for i, key in enumerate(keys)}
    matrix = np.zeros((len(key_sets), len(keys)), dtype=np.float32)
    for row, chosen in enumerate(key_sets):
        for key in chosen:
            if key in position and key not in skip:
                matrix[row, position[key]] = 1.0
    return matrix


def sector_probabilities(
    divisions: list[str], text_vectors: np.ndarray, prototypes: np.ndarray | None, taxonomy: Taxonomy
) -> np.ndarray:
    """``(n, divisions)`` rows: one-hot for a given division; for a missing one, a spread over the
    ``SECTOR_CANDIDATES`` nearest division prototypes holding ``INFERRED_SECTOR_MASS``.

    ``prototypes`` (from :func:`division_prototypes`, needed only when some division is missing) are
    moved towards the mean text of the fitted companies that give that division. A company with an
    empty text and no division keeps a zero row (unknown)."""
    position = taxonomy.division_position
    result = np.zeros((len(divisions), len(position)), dtype=np.float32)
    known = np.array([d in position for d in divisions], dtype=bool)
    for row in np.flatnonzero(known):
        result[row, position[divisions[row]]] = 1.0
    if known.all():
        return result
    prototypes = prototypes.copy()
    for row in np.flatnonzero(known):
        prototypes[position[divisions[row]]] += text_vectors[row]
    norms = np.linalg.norm(prototypes, axis=1, keepdims=True)
    prototypes = np.divide(prototypes, norms, out=np.zeros_like(prototypes), where=norms > 0)
    usable = norms.ravel() > 0
    unknown = np.flatnonzero(~known)
    similarity = text_vectors[unknown] @ prototypes.T
    similarity[:, ~usable] = -np.inf
    top = np.argsort(-similarity, axis=1)[:, :SECTOR_CANDIDATES]
    top_sim = np.take_along_axis(similarity, top, axis=1)
    weights = np.exp((top_sim - top_sim[:, :1]) / SECTOR_TEMPERATURE)
    weights = INFERRED_SECTOR_MASS * weights / weights.sum(axis=1, keepdims=True)
    has_text = np.linalg.norm(text_vectors[unknown], axis=1) > 0
    for r, row in enumerate(unknown):
        if has_text[r]:
            result[row, top[r]] = weights[r]
    return result


def division_prototype_texts(taxonomy: Taxonomy, concepts: ConceptIndex) -> tuple[list[str], np.ndarray]:
    """What describes each NACE division: its labels in three languages and the glossary terms of the
    domains mapped to it. Returns ``(texts, owner)``: ``owner[i]`` is the division row of ``texts[i]``."""
    position = taxonomy.division_position
    texts, owners = [], []
    for row in taxonomy.divisions.itertuples(index=False):
        for lang in V.LANGUAGES:
            texts.append(getattr(row, f"label_{lang}"))
            owners.append(position[row.division])
    mapping = taxonomy.domain_divisions
    for row in concepts.terms.itertuples(index=False):
        for division in mapping.get(row.domain, ()):
            if division in position:
                for lang in V.LANGUAGES:
                    texts.append(getattr(row, lang))
                    owners.append(position[division])
    return texts, np.array(owners, dtype=np.int64)


# Prototypes cost one encoding of ~13,000 labels and terms; a process fits many matchers with the same
# model (clones in tuning, dashboard reruns), so the last few models' prototypes are kept.
_PROTOTYPE_CACHE: OrderedDict[tuple[str, int, int], np.ndarray] = OrderedDict()
_PROTOTYPE_CACHE_SIZE = 4


def division_prototypes(encoder: Encoder, taxonomy: Taxonomy, concepts: ConceptIndex) -> np.ndarray:
    """``(divisions, d)``: the mean embedding of each division's describing texts (zero rows for a
    division with none), cached per encoder identity and knowledge tables."""
    key = (encoder.identity, id(taxonomy), id(concepts))
    if key in _PROTOTYPE_CACHE:
        _PROTOTYPE_CACHE.move_to_end(key)
        return _PROTOTYPE_CACHE[key]
    texts, owners = division_prototype_texts(taxonomy, concepts)
    vectors = encoder.encode(texts)
    count = len(taxonomy.division_codes)
    prototypes = np.zeros((count, vectors.shape[1]), dtype=np.float32)
    np.add.at(prototypes, owners, vectors)
    prototypes /= np.maximum(np.bincount(owners, minlength=count), 1).astype(np.float32)[:, None]
    _PROTOTYPE_CACHE[key] = prototypes
    if len(_PROTOTYPE_CACHE) > _PROTOTYPE_CACHE_SIZE:
        _PROTOTYPE_CACHE.popitem(last=False)
    return prototypes
