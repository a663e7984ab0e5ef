"""Featurisation: the text vector is the mean of the vectors of a profile's statements (each sentence
of its description, its offers, its seeks), and translations a profile gives are read by the loader
and averaged into it."""

import numpy as np
import pandas as pd

from matchmaker.io.profiles import profiles_from_frame
from matchmaker.knowledge.concepts import load_concepts
from matchmaker.knowledge.taxonomy import load_taxonomy
from matchmaker.scoring.featurise import featurise, text_groups, translations

ROWS = [
    {"id": "DE1", "name": "Lauter GmbH", "country": "DE", "city": "Köln",
     "description": "Wir fertigen Getriebe für Windkraftanlagen. Seit 1991 liefern wir z. B. nach Dänemark.",
     "offers": "Getriebe, Lager", "seeks": "Vertriebspartner in China",
     "description_zh": "我们为风力发电机组制造齿轮箱。自1991年起供货。",
     "description_en": "We make gearboxes for wind turbines."},
    {"id": "CN1", "name": "佛山风电", "country": "CN", "city": "佛山", "description": "公司生产风电齿轮箱。"},
    {"id": "CN2", "name": "佛山空白", "country": "CN", "city": "佛山", "description": ""},
    {"id": "CN3", "name": "佛山标点", "country": "CN", "city": "佛山", "description": "。。。 …", "offers": "齿轮箱",
     "description_de": "…"},
]  # fmt: skip


def unit(vector: np.ndarray) -> np.ndarray:
    return vector / np.linalg.norm(vector)


def test_the_text_vector_averages_sentences_offers_seeks_and_each_translation(domain_encoder):
    table = profiles_from_frame(pd.DataFrame(ROWS)).table
    assert table.loc[0, "description_zh"] == ROWS[0]["description_zh"]  # kept, not blanked
    assert translations(table)[:2] == [[ROWS[0]["description_zh"], ROWS[0]["description_en"]], []]
    groups = text_groups(table)
    assert groups[0] == [
        [
            "Wir fertigen Getriebe für Windkraftanlagen.",
            "Seit 1991 liefern wir z. B. nach Dänemark.",
            "Getriebe, Lager",
            "Vertriebspartner in China",
        ],
        ["我们为风力发电机组制造齿轮箱。", "自1991年起供货。"],
        ["We make gearboxes for wind turbines."],
    ]
    assert groups[1] == [["公司生产风电齿轮箱。"]]
    assert groups[2] == [[table.loc[2, "text"]]]  # nothing to split: the embedded text (the name)
    assert groups[3] == [["齿轮箱"]]  # punctuation alone is no sentence, nor a translation
    features = featurise(table, domain_encoder, load_taxonomy(), load_concepts())
    means = [unit(domain_encoder.encode(group).sum(axis=0)) for group in groups[0]]
    assert np.allclose(features.text[0], unit(np.sum(means, axis=0)), atol=1e-5)
    assert np.allclose(features.text[1], unit(domain_encoder.encode(groups[1][0])[0]), atol=1e-5)
    # offers and seeks keep a vector of their own, whole
    assert np.allclose(features.offers[0], domain_encoder.encode(["Getriebe, Lager"])[0], atol=1e-5)


def test_a_sentence_shared_by_two_companies_is_embedded_once(domain_encoder):
    seen: list[str] = []

    class Counting:
        name, identity, dimension = domain_encoder.name, domain_encoder.identity, domain_encoder.dimension

        def encode(self, texts, batch_size=256, show_progress=False):
            seen.extend(texts)
            return domain_encoder.encode(texts)

    rows = [
        {"id": "DE1", "name": "A", "country": "DE", "city": "Köln", "description": "Wir bauen Roboter. Wir sind in Köln."},
        {"id": "DE2", "name": "B", "country": "DE", "city": "Köln", "description": "Wir bauen Roboter. Wir sind in Aachen."},
    ]  # fmt: skip
    table = profiles_from_frame(pd.DataFrame(rows)).table
    featurise(table, Counting(), load_taxonomy(), load_concepts())
    assert seen.count("Wir bauen Roboter.") == 1
    assert "Wir sind in Köln." in seen and "Wir sind in Aachen." in seen


def test_embedding_a_few_texts_at_a_time_gives_the_same_features(domain_encoder, monkeypatch):
    from matchmaker.scoring import featurise as module

    table = profiles_from_frame(pd.DataFrame(ROWS)).table
    at_once = featurise(table, domain_encoder, load_taxonomy(), load_concepts())
    monkeypatch.setattr(module, "EMBED_CHUNK", 2)  # sentences of one company fall into different chunks
    in_chunks = featurise(table, domain_encoder, load_taxonomy(), load_concepts())
    for name in ("text", "offers", "seeks"):
        assert np.allclose(getattr(in_chunks, name), getattr(at_once, name), atol=1e-6), name
