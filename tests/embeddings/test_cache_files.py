"""The embedding cache's files: vectors come back bit for bit, a cache in the former one-table layout is
read and copied over, a lost vector folder is never read as zeros."""

import shutil
import sqlite3

import numpy as np
import pytest

from matchmaker.embeddings import cache as cache_module
from matchmaker.embeddings.cache import EmbeddingCache, text_key


def vectors_for(count: int, dimension: int, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal((count, dimension)).astype(np.float32)


def test_vectors_come_back_bit_for_bit_in_the_order_asked(tmp_path):
    cache = EmbeddingCache(tmp_path / "embeddings.sqlite")
    texts = [f"text {i}" for i in range(50)]
    stored = vectors_for(50, 8)
    cache.put("model-a", texts[:30], stored[:30])
    cache.put("model-a", texts[30:], stored[30:])  # a second append continues the file
    asked = ["text 49", "unknown", "text 0", "text 7", "text 0", "text 31"]
    vectors, found = cache.get("model-a", asked, 8)
    assert found.tolist() == [True, False, True, True, True, True]
    assert np.array_equal(vectors[[0, 2, 3, 4, 5]], stored[[49, 0, 7, 0, 31]])
    assert not vectors[1].any()
    assert cache.count("model-a") == 50 and cache.count() == 50


def test_models_and_dimensions_are_kept_apart(tmp_path):
    cache = EmbeddingCache(tmp_path / "embeddings.sqlite")
    cache.put("model-a", ["x", "y"], vectors_for(2, 4, seed=1))
    cache.put("model-b", ["x"], vectors_for(1, 6, seed=2))
    assert cache.get("model-a", ["x"], 6)[1].tolist() == [False]  # same model, another width: not found
    assert cache.get("model-c", ["x"], 4)[1].tolist() == [False]
    vectors, found = cache.get("model-b", ["x", "y"], 6)
    assert found.tolist() == [True, False] and np.array_equal(vectors[0], vectors_for(1, 6, seed=2)[0])
    assert cache.count("model-a") == 2 and cache.count("model-b") == 1


def test_a_text_put_again_gets_its_new_vector(tmp_path):
    cache = EmbeddingCache(tmp_path / "embeddings.sqlite")
    old, new = vectors_for(2, 4, seed=3)
    cache.put("m", ["x"], old[None])
    cache.put("m", ["x"], new[None])
    assert np.array_equal(cache.get("m", ["x"], 4)[0][0], new)


@pytest.mark.parametrize("scan_share", [0.0, 10.0])  # one scan of the index, or IN queries
def test_both_ways_of_finding_rows_agree(tmp_path, monkeypatch, scan_share):
    monkeypatch.setattr(cache_module, "_IN_CHUNK", 7)
    monkeypatch.setattr(cache_module, "_GATHER_ROWS", 5)
    monkeypatch.setattr(cache_module, "_SCAN_SHARE", scan_share)
    cache = EmbeddingCache(tmp_path / "embeddings.sqlite")
    texts = [f"t{i}" for i in range(40)]
    stored = vectors_for(40, 3, seed=4)
    cache.put("m", texts, stored)
    order = np.random.default_rng(5).permutation(40)[:25]
    vectors, found = cache.get("m", [texts[i] for i in order] + ["none"], 3)
    assert found.tolist() == [True] * 25 + [False]
    assert np.array_equal(vectors[:25], stored[order])


def write_legacy_cache(path, model: str, texts: list[str], vectors: np.ndarray) -> None:
    """A cache as written before the vector files: one table of (model, key, vector blob)."""
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE vectors (model TEXT, key BLOB, vector BLOB, PRIMARY KEY (model, key)) WITHOUT ROWID")
        db.executemany(
            "INSERT INTO vectors VALUES (?, ?, ?)", [(model, text_key(t), v.tobytes()) for t, v in zip(texts, vectors)]
        )


def test_a_cache_of_the_former_layout_is_read_and_copied_into_the_files(tmp_path):
    path = tmp_path / "embeddings.sqlite"
    stored = vectors_for(3, 5, seed=6)
    write_legacy_cache(path, "m", ["a", "b", "c"], stored)
    cache = EmbeddingCache(path)
    assert cache.count("m") == 3
    vectors, found = cache.get("m", ["c", "a", "zzz"], 5)
    assert found.tolist() == [True, True, False] and np.array_equal(vectors[:2], stored[[2, 0]])
    assert cache.get("m", ["a"], 4)[1].tolist() == [False]  # a blob of another width is not this model's vector
    with sqlite3.connect(path) as db:
        db.execute("DELETE FROM vectors WHERE key != ?", (text_key("b"),))
    vectors, found = EmbeddingCache(path).get("m", ["a", "b", "c"], 5)  # a and c now come from the files
    assert found.all() and np.array_equal(vectors, stored)


def test_a_lost_vector_folder_is_not_read_and_is_filled_again(tmp_path):
    path = tmp_path / "embeddings.sqlite"
    cache = EmbeddingCache(path)
    cache.put("m", ["a", "b"], vectors_for(2, 4, seed=7))
    shutil.rmtree(cache.folder)
    cache = EmbeddingCache(path)
    assert cache.get("m", ["a", "b"], 4)[1].tolist() == [False, False]
    fresh = vectors_for(1, 4, seed=8)
    cache.put("m", ["b"], fresh)  # the slot starts again: "a" is gone rather than zeros
    vectors, found = cache.get("m", ["a", "b"], 4)
    assert found.tolist() == [False, True] and np.array_equal(vectors[1], fresh[0])


def test_two_caches_on_one_file_append_without_overwriting(tmp_path):
    path = tmp_path / "embeddings.sqlite"
    first, second = EmbeddingCache(path), EmbeddingCache(path)
    a, b = vectors_for(4, 3, seed=9), vectors_for(4, 3, seed=10)
    for i in range(4):  # interleaved appends, as two processes filling one cache folder
        first.put("m", [f"a{i}"], a[i : i + 1])
        second.put("m", [f"b{i}"], b[i : i + 1])
    vectors, found = EmbeddingCache(path).get("m", [f"a{i}" for i in range(4)] + [f"b{i}" for i in range(4)], 3)
    assert found.all() and np.array_equal(vectors, np.vstack([a, b]))


@pytest.mark.parametrize("scan_share", [0.0, 10.0])
def test_keys_ending_in_zero_bytes_and_a_grown_slot_are_found(tmp_path, monkeypatch, scan_share):
    """Keys are SHA-1 digests, some ending in NUL bytes (numpy's byte strings drop those); a slot's
    index read once is read again when another writer has added rows."""
    monkeypatch.setattr(cache_module, "_SCAN_SHARE", scan_share)
    zero_ended = [t for t in (f"z{i}" for i in range(5000)) if text_key(t).endswith(b"\0")][:3]
    assert len(zero_ended) == 3
    cache, writer = EmbeddingCache(tmp_path / "embeddings.sqlite"), EmbeddingCache(tmp_path / "embeddings.sqlite")
    first = vectors_for(4, 3, seed=11)
    cache.put("m", [*zero_ended[:2], "a", "b"], first)
    assert np.array_equal(cache.get("m", ["b", zero_ended[1], zero_ended[0]], 3)[0], first[[3, 1, 0]])
    later = vectors_for(2, 3, seed=12)
    writer.put("m", [zero_ended[2], "c"], later)  # another process's cache object
    vectors, found = cache.get("m", ["c", zero_ended[2], "a", "nothing"], 3)
    assert found.tolist() == [True, True, True, False]
    assert np.array_equal(vectors[:3], np.vstack([later[[1, 0]], first[2:3]]))
