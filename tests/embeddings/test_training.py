"""Training a static student (matchmaker.embeddings.training): the teachers' targets, the whole training
on a tiny corpus with the real use-multilingual teacher, and the shipped isa-student through the real
loading path."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pytest

from matchmaker import config
from matchmaker.embeddings.encoders import load_encoder
from matchmaker.embeddings.training import (
    Corpus,
    TrainingSettings,
    load_teacher,
    teacher_targets,
    train_domain_model,
)
from matchmaker.errors import ParameterError

TRIPLES = [  # de, zh, en, kind
    ("Batteriezelle", "电池单体", "battery cell", "term"),
    ("Ladestation", "充电站", "charging station", "term"),
    ("Getriebe", "齿轮箱", "gearbox", "term"),
    ("Windkraftanlage", "风力发电机组", "wind turbine", "term"),
    ("Familienunternehmen", "家族企业", "family business", "term"),
    ("Vertriebspartner", "分销合作伙伴", "distribution partner", "term"),
    ("Spritzguss", "注塑", "injection moulding", "term"),
    ("Medizintechnik", "医疗技术", "medical technology", "term"),
    ("Das Familienunternehmen wurde 1952 gegründet.", "这家家族企业成立于1952年。", "The family firm was founded in 1952.",
     "sentence"),
    ("Wir suchen einen Vertriebspartner in China.", "我们在中国寻找分销合作伙伴。", "We are looking for a distributor in China.",
     "sentence"),
    ("Unsere Mitarbeitenden arbeiten in Bayern.", "我们的员工在巴伐利亚工作。", "Our staff work in Bavaria.", "sentence"),
    ("Der Umsatz stieg um zwölf Prozent.", "营业额增长了百分之十二。", "Turnover rose by twelve percent.", "sentence"),
    ("Wir fertigen Getriebe für Windkraftanlagen.", "我们生产风力发电机组齿轮箱。", "We make gearboxes for wind turbines.",
     "sentence"),
    ("Wir bauen Ladestationen für Elektrobusse.", "我们为电动大巴建造充电站。", "We build charging stations for e-buses.",
     "sentence"),
]  # fmt: skip


def tiny_corpus() -> Corpus:
    frame = pd.DataFrame(TRIPLES, columns=["de", "zh", "en", "kind"]).assign(domain="test")
    return Corpus(frame)


@dataclass
class LookupTeacher:
    """A teacher whose vector of each text is fixed in advance (counts what it is asked to encode)."""

    vectors: dict[str, np.ndarray]
    name: str = "lookup"
    identity: str = "lookup@1"
    dimension: int = 4
    asked: int = 0

    def encode(self, texts, batch_size=256, show_progress=False):
        self.asked += len(texts)
        return np.stack([self.vectors[t] for t in texts]).astype(np.float32)


def lookup_teacher(frame: pd.DataFrame, seed: int = 0) -> LookupTeacher:
    rng = np.random.default_rng(seed)
    texts = [t for lang in ("de", "zh", "en") for t in frame[lang]]
    return LookupTeacher({t: rng.normal(size=4) for t in texts})


def test_english_targets_are_the_english_sides_vector_for_every_language():
    frame = tiny_corpus().frame
    teacher = lookup_teacher(frame)
    targets = teacher_targets(teacher, frame, "english", dimension=4)
    assert teacher.asked == len(frame)  # only the English sides are asked for
    assert np.array_equal(targets["de"], targets["en"]) and np.array_equal(targets["zh"], targets["en"])
    assert targets["en"].shape == (len(frame), 4) and targets["en"].dtype == np.float32
    assert np.allclose(np.linalg.norm(targets["en"], axis=1), 1.0, atol=1e-5)


def test_each_side_targets_its_own_vector_and_mean_targets_one_shared_vector():
    frame = tiny_corpus().frame
    teacher = lookup_teacher(frame)
    each = teacher_targets(teacher, frame, "each", dimension=4)
    mean = teacher_targets(teacher, frame, "mean", dimension=4)
    assert not np.allclose(each["de"], each["zh"])
    assert np.array_equal(mean["de"], mean["zh"]) and np.array_equal(mean["zh"], mean["en"])
    # with every axis kept, the reduction is a rotation of the centred vectors: cosines of centred rows survive
    raw = {lang: np.stack([teacher.vectors[t] for t in frame[lang]]) for lang in ("de", "zh", "en")}
    raw = {lang: v / np.linalg.norm(v, axis=1, keepdims=True) for lang, v in raw.items()}
    centred = np.concatenate(list(raw.values()))
    centred = centred - centred.mean(axis=0)
    centred /= np.linalg.norm(centred, axis=1, keepdims=True)
    reduced = np.concatenate([each[lang] for lang in ("de", "zh", "en")])
    assert np.allclose(reduced @ reduced.T, centred @ centred.T, atol=1e-4)


def test_a_narrower_teacher_is_padded_and_bad_settings_are_refused_by_name(tmp_path):
    frame = tiny_corpus().frame
    targets = teacher_targets(lookup_teacher(frame), frame, "mean", dimension=8)
    assert targets["de"].shape == (len(frame), 8) and not targets["de"][:, 4:].any()
    with pytest.raises(ParameterError, match="targets must be one of english, mean, each"):
        teacher_targets(lookup_teacher(frame), frame, "both", dimension=4)
    with pytest.raises(ParameterError, match="minilm-en can only give targets='english'"):
        train_domain_model(tmp_path, tiny_corpus(), TrainingSettings(targets="each"), progress=False)
    with pytest.raises(ParameterError, match="teacher must be one of minilm-en, use-multilingual"):
        train_domain_model(tmp_path, tiny_corpus(), TrainingSettings(teacher="bert"), progress=False)


def tiny_settings(targets: str = "mean") -> TrainingSettings:
    return TrainingSettings(
        teacher="use-multilingual",
        targets=targets,
        vocab_size=120,
        dimension=16,
        epochs=3,
        batch_size=8,
        mixtures=10,
        sentence_mixtures=5,
        held_out_fraction=0.25,
    )


@pytest.mark.slow
def test_training_with_the_use_teacher_runs_on_a_tiny_corpus_and_caches_the_teachers_vectors(tmp_path):
    cache = tmp_path / "cache" / "embeddings.sqlite"
    report = train_domain_model(
        tmp_path / "student", tiny_corpus(), tiny_settings(), progress=False, teacher_cache=cache
    )
    assert report.settings.teacher == "use-multilingual" and report.settings.targets == "mean"
    assert report.metrics  # the held-out quarter was evaluated
    student = load_encoder(str(tmp_path / "student"))
    vectors = student.encode(["Batteriezelle", "电池单体", "battery cell"])
    assert vectors.shape == (3, 16) and np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)

    teacher = load_teacher("use-multilingual", cache)
    again = train_domain_model(tmp_path / "again", tiny_corpus(), tiny_settings(), teacher=teacher, progress=False)
    assert teacher.misses == 0  # every target came from the cache
    assert np.array_equal(load_encoder(str(tmp_path / "again")).encode(["Getriebe"]), student.encode(["Getriebe"]))
    assert again.metrics == report.metrics


GENERAL = [  # general company language, none of it in the glossary
    ("Das Familienunternehmen wird heute in dritter Generation geführt.", "这家家族企业如今由第三代经营。",
     "The family company is now run by the third generation."),
    ("Wir suchen einen Vertriebspartner für den chinesischen Markt.", "我们正在为中国市场寻找分销合作伙伴。",
     "We are looking for a sales partner for the Chinese market."),
    ("Der Umsatz stieg im letzten Geschäftsjahr um zwölf Prozent.", "上一财年营业额增长了百分之十二。",
     "Turnover rose by twelve percent in the last financial year."),
    ("Wir fertigen Batteriezellen für Elektrobusse.", "我们为电动大巴生产电池单体。",
     "We make battery cells for electric buses."),
]  # fmt: skip


def test_the_shipped_student_loads_by_its_alias_and_matches_translations_in_three_languages(domain_encoder):
    student = load_encoder(config.STUDENT_MODEL_NAME)
    assert student.path == config.STUDENT_MODEL_DIR and student.identity.startswith("isa-student@")
    assert student.identity.split("@")[1] != domain_encoder.identity.split("@")[1]
    german, chinese, english = (student.encode([row[i] for row in GENERAL]) for i in range(3))
    assert german.shape == (len(GENERAL), student.dimension) and german.dtype == np.float32
    for a, b in ((german, chinese), (chinese, english), (german, english)):
        similarity = a @ b.T
        assert list(similarity.argmax(axis=1)) == list(range(len(GENERAL)))
        assert list(similarity.argmax(axis=0)) == list(range(len(GENERAL)))


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--teacher", "bert"], "teacher must be one of minilm-en, use-multilingual"),
        (["--targets", "each"], "minilm-en can only give targets='english'"),
    ],
)
def test_train_model_refuses_a_bad_teacher_or_targets_by_name_before_any_work(tmp_path, options, message):
    command = [sys.executable, "-m", "matchmaker.cli", "train-model", "--out", str(tmp_path / "m"), *options]
    done = subprocess.run(command, capture_output=True, text=True)
    assert done.returncode == 2 and message in done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / "m").exists()
