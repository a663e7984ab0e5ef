"""The encoder layer: real sentence-transformers loading of models built here, the cache, errors."""

import shutil
import subprocess
import sys

import numpy as np
import pytest

from matchmaker.embeddings.encoders import (
    CachedEncoder,
    EmbeddingCache,
    load_encoder,
    model_identity,
    normalise_rows,
    prompt_for,
    resolve_model_path,
)
from matchmaker.errors import ModelNotAvailableError


def test_local_transformer_loads_and_gives_unit_float32_rows(tiny_transformer_dir):
    encoder = load_encoder(str(tiny_transformer_dir))
    vectors = encoder.encode(["batterie zelle", "电池", "battery cell"])
    assert vectors.shape == (3, 16) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


def test_empty_text_gives_a_zero_row_and_empty_input_an_empty_matrix(tiny_transformer_dir):
    encoder = load_encoder(str(tiny_transformer_dir))
    vectors = encoder.encode(["", "cell"])
    assert not vectors[0].any() and np.isclose(np.linalg.norm(vectors[1]), 1.0)
    assert encoder.encode([]).shape == (0, 16)


def test_hub_name_is_found_in_the_local_hugging_face_cache(tiny_transformer_dir, tmp_path):
    # The layout huggingface_hub writes: models--org--name/snapshots/<commit>/ and refs/main.
    commit = "0123456789abcdef0123456789abcdef01234567"
    repo = tmp_path / "hub" / "models--isa-test--tiny-model"
    shutil.copytree(tiny_transformer_dir, repo / "snapshots" / commit)
    (repo / "refs").mkdir()
    (repo / "refs" / "main").write_text(commit)
    path = resolve_model_path("isa-test/tiny-model", cache_folder=tmp_path / "hub", offline=True)
    assert path.name == commit
    loaded = load_encoder("isa-test/tiny-model", cache_folder=tmp_path / "hub")
    assert loaded.encode(["cell"]).shape == (1, 16)


def test_missing_hub_model_offline_says_how_to_get_it(tmp_path):
    with pytest.raises(ModelNotAvailableError) as info:
        resolve_model_path(
            "sentence-transformers/paraphrase-multilingual-MiniLM-L12-v2", cache_folder=tmp_path, offline=True
        )
    message = str(info.value)
    assert "offline" in message and "HF_ENDPOINT" in message and "isa-domain" in message


def test_folder_that_is_no_model_is_refused(tmp_path):
    (tmp_path / "notes.txt").write_text("hello")
    with pytest.raises(ModelNotAvailableError, match="not a sentence-transformers model"):
        resolve_model_path(str(tmp_path))


def test_e5_models_get_their_prompt():
    assert prompt_for("intfloat/multilingual-e5-small") == "query: "
    assert prompt_for("sentence-transformers/paraphrase-multilingual-MiniLM-L12-v2") is None


def test_identity_changes_when_the_model_files_change(tiny_transformer_dir, tmp_path):
    copy = tmp_path / "copy"
    shutil.copytree(tiny_transformer_dir, copy)
    before = model_identity("m", copy)
    assert model_identity("m", copy) == before
    (copy / "config_sentence_transformers.json").write_text('{"changed": true}')
    assert model_identity("m", copy) != before


class CountingEncoder:
    """Counts what reaches the real encoder behind the cache."""

    def __init__(self, inner):
        self.inner, self.name, self.identity, self.dimension, self.seen = (
            inner,
            inner.name,
            inner.identity,
            inner.dimension,
            [],
        )

    def encode(self, texts, batch_size=256, show_progress=False):
        self.seen.extend(texts)
        return self.inner.encode(texts)


def test_cache_hits_misses_and_model_change(tiny_transformer_dir, tmp_path):
    inner = CountingEncoder(load_encoder(str(tiny_transformer_dir)))
    cache = EmbeddingCache(tmp_path / "cache.sqlite")
    cached = CachedEncoder(inner, cache)
    first = cached.encode(["cell", "battery", "cell"])
    assert inner.seen == ["cell", "battery"] and cached.misses == 3
    second = cached.encode(["battery", "cell", "電"])
    assert inner.seen[2:] == ["電"] and cached.misses == 1
    assert np.allclose(second[0], first[1]) and np.allclose(second[1], first[0])
    # a fresh process-level object on the same file still hits
    again = CachedEncoder(CountingEncoder(inner.inner), EmbeddingCache(tmp_path / "cache.sqlite"))
    again.encode(["cell", "battery"])
    assert again.misses == 0
    # another model identity never reads these vectors
    inner.identity = "other-model@1"
    cached.encode(["cell"])
    assert cached.misses == 1 and cache.count() == 4


def test_normalise_rows_keeps_zero_rows():
    rows = normalise_rows(np.array([[3.0, 4.0], [0.0, 0.0]]))
    assert np.allclose(rows, [[0.6, 0.8], [0.0, 0.0]]) and rows.dtype == np.float32


def test_embed_command_writes_one_unit_row_per_line(tiny_transformer_dir, tmp_path):
    texts = tmp_path / "texts.txt"
    texts.write_text("Batteriezellen für Elektrobusse\n电动大巴用电池\nbattery cells\n", encoding="utf-8")
    out = tmp_path / "x.npy"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "matchmaker.cli",
            "embed",
            str(texts),
            "--out",
            str(out),
            "--model",
            str(tiny_transformer_dir),
        ],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    matrix = np.load(out)
    assert matrix.shape == (3, 16) and matrix.dtype == np.float32
    assert np.allclose(np.linalg.norm(matrix, axis=1), 1.0, atol=1e-5)
    direct = load_encoder(str(tiny_transformer_dir)).encode(texts.read_text(encoding="utf-8").splitlines())
    assert np.allclose(matrix, direct, atol=1e-6)


def test_embed_command_gives_one_row_per_line_whatever_the_text_holds(tiny_transformer_dir, tmp_path):
    """Texts pasted from PDFs and web pages hold form feeds, NEL and the Unicode line separator; a
        line still ends only at CR LF, LF or CR, so row i stays the text of line i (an empty one a row of zeros,
    said on standard error). GB18030 is read too."""
    lines = ["Seite 1\fSeite 2 der Broschüre", "第一段\u2028第二段", "next\x85line", "佛山市的工业机器人", " "]
    texts = tmp_path / "texts.txt"
    texts.write_bytes("\r\n".join(lines).encode("gb18030"))
    out = tmp_path / "x.npy"
    command = [sys.executable, "-m", "matchmaker.cli", "embed", str(texts), "--out", str(out)]
    done = subprocess.run([*command, "--model", str(tiny_transformer_dir)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    direct = load_encoder(str(tiny_transformer_dir)).encode(lines)
    assert np.allclose(np.load(out), direct, atol=1e-6)
    assert not np.load(out)[4].any() and "1 empty line (5): its row is zeros" in done.stderr
    in_chinese = subprocess.run(
        [*command, "--model", str(tiny_transformer_dir), "--lang", "zh"], capture_output=True, text=True
    )
    assert "1 个空行（5）" in in_chinese.stderr and "float32 矩阵" in in_chinese.stderr
    refused = subprocess.run(
        [*command, "--model", str(tiny_transformer_dir), "--max-rows", "3"], capture_output=True, text=True
    )
    assert refused.returncode == 1 and "--max-rows" in refused.stderr and "Traceback" not in refused.stderr


def test_embed_command_default_model_is_the_hybrid_of_both_offline_models(tmp_path, domain_encoder, use_encoder):
    texts = tmp_path / "t.txt"
    texts.write_text("Getriebe\n减速器\n", encoding="utf-8")
    out = tmp_path / "x.npy"
    done = subprocess.run(
        [sys.executable, "-m", "matchmaker.cli", "embed", str(texts), "--out", str(out)], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert np.load(out).shape == (2, use_encoder.dimension + domain_encoder.dimension)
    bad = subprocess.run(
        [
            sys.executable,
            "-m",
            "matchmaker.cli",
            "embed",
            str(texts),
            "--out",
            str(out),
            "--model",
            "no-such-org/no-such-model",
        ],
        capture_output=True,
        text=True,
    )
    assert bad.returncode == 2 and "Traceback" not in bad.stderr and "not in the local cache" in bad.stderr


def test_declared_dimension_is_the_loaded_models_dimension(tiny_transformer_dir, tmp_path):
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.models import Dense

    from matchmaker.embeddings.encoders import declared_dimension

    tiny = SentenceTransformer(str(tiny_transformer_dir), device="cpu")
    with_dense = SentenceTransformer(
        modules=[*tiny, Dense(in_features=16, out_features=7)], device="cpu"
    )  # a layer that changes the width
    with_dense.save(str(tmp_path / "dense"))
    folders = {"tiny": tiny_transformer_dir, "dense": tmp_path / "dense"}
    shipped = ("isa-domain", "isa-student", "minilm-en")  # minilm-en: the older Pooling settings format
    folders |= {name: resolve_model_path(name) for name in shipped}
    for name, folder in folders.items():
        loaded = SentenceTransformer(str(folder), device="cpu").get_embedding_dimension()
        assert declared_dimension(folder) == loaded, name
    assert declared_dimension(tmp_path) is None  # no modules.json: the model is asked


def test_fit_from_a_full_cache_never_imports_sentence_transformers(tmp_path):
    """All vectors cached: the identity and the dimension come from the files, the model stays unloaded."""
    script = (
        "import sys\n"
        "from matchmaker.embeddings.encoders import CachedEncoder, EmbeddingCache, load_encoder\n"
        f"cache = EmbeddingCache({str(tmp_path / 'cache.sqlite')!r})\n"
        "encoder = load_encoder('isa-domain', cache=cache)\n"
        "vectors = encoder.encode(['Batteriezellen', '电池'])\n"
        "print(int('sentence_transformers' in sys.modules), encoder.misses, vectors.shape[1])\n"
    )
    first = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    second = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert first.stdout.split() == ["1", "2", "256"]  # misses: the model is loaded and encodes
    assert second.stdout.split() == ["0", "0", "256"]
