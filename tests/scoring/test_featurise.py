"""Featurisation: translations a profile gives are read by the loader and averaged into its text vector."""

import numpy as np
import pandas as pd

from matchmaker.io.profiles import profiles_from_frame
from matchmaker.knowledge.concepts import load_concepts
from matchmaker.knowledge.taxonomy import load_taxonomy
from matchmaker.scoring.featurise import featurise, translations
from matchmaker.text import clean_for_embedding

ROWS = [
    {"id": "DE1", "name": "Lauter GmbH", "country": "DE", "city": "Köln",
     "description": "Wir fertigen Getriebe für Windkraftanlagen.", "description_zh": "我们为风力发电机组制造齿轮箱。",
     "description_en": "We make gearboxes for wind turbines."},
    {"id": "CN1", "name": "佛山风电", "country": "CN", "city": "佛山", "description": "公司生产风电齿轮箱。"},
]  # fmt: skip


def test_the_loader_keeps_translations_and_featurise_averages_them(domain_encoder):
    table = profiles_from_frame(pd.DataFrame(ROWS)).table
    assert table.loc[0, "description_zh"] == ROWS[0]["description_zh"]  # kept, not blanked
    assert translations(table) == [[ROWS[0]["description_zh"], ROWS[0]["description_en"]], []]
    features = featurise(table, domain_encoder, load_taxonomy(), load_concepts())
    own = domain_encoder.encode([table.loc[0, "text"], *translations(table)[0]])
    expected = own.sum(axis=0) / np.linalg.norm(own.sum(axis=0))
    assert np.allclose(features.text[0], expected, atol=1e-5)
    alone = domain_encoder.encode([clean_for_embedding(table.loc[1, "text"], 20_000)])[0]
    assert np.allclose(features.text[1], alone, atol=1e-5)  # no translation: the text vector alone
