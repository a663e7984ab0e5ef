"""Embedding vectors kept on disk, keyed by model identity and the SHA-1 of the text.

Layout (``path`` is the SQLite file, e.g. ``<cache folder>/embeddings.sqlite``):

* ``<path>.vectors/<slot>.f32``: one file per model and dimension, raw float32 rows, appended;
* table ``rows (slot, key, row)`` in the SQLite file: which row of that file holds a text's vector;
* table ``slots (slot, model, dimension, count)``: the rows committed so far per file.

Reading n vectors is one scan of small index rows (or one query per 900 keys) and one gather from a
memory-mapped file, instead of n B-tree look-ups of 1-2 KB blobs (which SQLite keeps on overflow pages:
reading 764,000 such vectors, 382,000 texts of two models, took 46 s at 100,000 companies a side).

Writers take SQLite's write lock (``BEGIN IMMEDIATE``) before appending, so two processes filling the
same cache never write the same rows; the bytes are written and flushed before the rows that point at
them are committed, so a reader never sees a row without its vector, and a writer that dies leaves at
most unreferenced bytes that the next writer overwrites.

Caches written before this layout held the vectors in a table ``vectors (model, key, vector)``; those
are still read (a text not found in the files is looked up there) and copied into the files when read,
so an old cache keeps working and becomes fast after one run. Delete the SQLite file and the folder
beside it together; each alone is rebuilt.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import numpy as np

_IN_CHUNK = 900  # keys per IN (...) query: under SQLite's default limit of 999 variables before 3.32
_SCAN_SHARE = 0.02  # from this share of a slot's rows on, a request reads the slot's whole index once
_GATHER_ROWS = 32_768  # vectors copied out of the file at a time (a bounded temporary)


def text_key(text: str) -> bytes:
    """The cache key of ``text``: the SHA-1 of its UTF-8 bytes."""
    return hashlib.sha1(text.encode("utf-8")).digest()


class EmbeddingCache:
    """Vectors on disk, keyed by model identity and the SHA-1 of the text (see the module's notes).

    A second run over the same texts with the same model re-embeds nothing; a changed model file
    changes the identity, so stale vectors are never served.
    """

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.folder = self.path.with_name(self.path.name + ".vectors")
        self.folder.mkdir(exist_ok=True)
        self._indexes: dict[str, tuple[int, np.ndarray, np.ndarray]] = {}  # slot -> (count, sorted keys, rows)
        with self._connect() as db:
            db.execute(
                "CREATE TABLE IF NOT EXISTS slots (slot TEXT PRIMARY KEY, model TEXT, dimension INTEGER, count INTEGER)"
            )
            db.execute(
                "CREATE TABLE IF NOT EXISTS rows (slot TEXT, key BLOB, row INTEGER, PRIMARY KEY (slot, key)) WITHOUT ROWID"
            )
            self._legacy = bool(
                db.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'vectors'").fetchone()
            )

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        db = sqlite3.connect(self.path, timeout=60, isolation_level=None)  # transactions are explicit
        try:
            db.execute("PRAGMA journal_mode=WAL")
            yield db
        finally:
            db.close()

    key = staticmethod(text_key)

    @staticmethod
    def _slot(model: str, dimension: int) -> str:
        return hashlib.sha1(f"{model}\0{dimension}".encode()).hexdigest()[:24]

    def get(self, model: str, texts: Sequence[str], dimension: int) -> tuple[np.ndarray, np.ndarray]:
        """``(vectors, found)``: ``(len(texts), dimension)`` float32 with the found rows filled and the rest
        zero; ``found`` is a boolean mask."""
        keys = np.array([text_key(t) for t in texts], dtype="S20")
        vectors = np.zeros((len(texts), dimension), dtype=np.float32)
        found = np.zeros(len(texts), dtype=bool)
        if not len(keys):
            return vectors, found
        slot = self._slot(model, dimension)
        with self._connect() as db:
            into, rows = self._rows(db, slot, keys)
        stored = self._file(slot)
        available = stored.stat().st_size // (4 * dimension) if len(rows) and stored.exists() else 0
        kept = rows < available  # never past what was written
        into, rows = into[kept], rows[kept]
        order = np.argsort(rows, kind="stable")  # ascending rows: the gather reads the file front to back
        into, rows = into[order], rows[order]
        for start in range(0, len(rows), _GATHER_ROWS):
            part_rows, part_into = rows[start : start + _GATHER_ROWS], into[start : start + _GATHER_ROWS]
            first, last = int(part_rows[0]), int(part_rows[-1])
            # a mapping of this span only, dropped at once: the file's pages never all count as resident
            span = np.memmap(stored, np.float32, "r", first * 4 * dimension, (last - first + 1, dimension))
            vectors[part_into] = span[part_rows - first]
            del span
        found[into] = True
        if self._legacy and not found.all():
            positions: dict[bytes, list[int]] = {}
            for i in np.flatnonzero(~found):
                positions.setdefault(keys[i].ljust(20, b"\0"), []).append(int(i))  # numpy drops trailing NULs
            self._read_legacy(model, dimension, list(positions), positions, vectors, found)
        return vectors, found

    def _rows(self, db: sqlite3.Connection, slot: str, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``(positions in keys, rows)`` of the ``keys`` stored in ``slot``. A large request reads the slot's
        whole index once (kept until the slot grows) and looks keys up in it by bisection; a small one asks
        SQLite for its keys only."""
        counted = db.execute("SELECT count FROM slots WHERE slot = ?", (slot,)).fetchone()
        count = counted[0] if counted else 0
        none = np.zeros(0, dtype=np.int64)
        if not count:
            return none, none
        index = self._indexes.get(slot)
        if (index is None or index[0] != count) and len(keys) >= _SCAN_SHARE * count:
            listed = db.execute("SELECT key, row FROM rows WHERE slot = ?", (slot,)).fetchall()
            sorted_keys = np.array([k for k, _ in listed], dtype="S20")
            order = np.argsort(sorted_keys)
            index = (count, sorted_keys[order], np.fromiter((r for _, r in listed), np.int64, len(listed))[order])
            self._indexes[slot] = index
        if index is not None and index[0] == count:
            _, sorted_keys, sorted_rows = index
            at = np.minimum(np.searchsorted(sorted_keys, keys), len(sorted_keys) - 1)
            hit = np.flatnonzero(sorted_keys[at] == keys)
            return hit, sorted_rows[at[hit]]
        unique = list(dict.fromkeys(k.ljust(20, b"\0") for k in keys.tolist()))
        rows: dict[bytes, int] = {}
        for start in range(0, len(unique), _IN_CHUNK):
            chunk = unique[start : start + _IN_CHUNK]
            marks = ",".join("?" * len(chunk))
            rows.update(db.execute(f"SELECT key, row FROM rows WHERE slot = ? AND key IN ({marks})", [slot, *chunk]))
        hit = [i for i, k in enumerate(keys.tolist()) if k.ljust(20, b"\0") in rows]
        return np.array(hit, dtype=np.int64), np.array([rows[keys[i].ljust(20, b"\0")] for i in hit], dtype=np.int64)

    def _read_legacy(
        self,
        model: str,
        dimension: int,
        keys: list[bytes],
        positions: dict[bytes, list[int]],
        vectors: np.ndarray,
        found: np.ndarray,
    ) -> None:
        """Fill what the former ``vectors`` table holds of ``keys``, and copy it into the files."""
        moved: dict[bytes, np.ndarray] = {}
        with self._connect() as db:
            for start in range(0, len(keys), _IN_CHUNK):
                chunk = keys[start : start + _IN_CHUNK]
                marks = ",".join("?" * len(chunk))
                query = f"SELECT key, vector FROM vectors WHERE model = ? AND key IN ({marks})"
                for k, blob in db.execute(query, [model, *chunk]):
                    vector = np.frombuffer(blob, dtype=np.float32)
                    if vector.size == dimension:
                        moved[k] = vector
                        for i in positions[k]:
                            vectors[i] = vector
                            found[i] = True
        if moved:
            self._append(model, dimension, list(moved), np.vstack(list(moved.values())))

    def put(self, model: str, texts: Sequence[str], vectors: np.ndarray) -> None:
        """Keep ``vectors[i]`` as the vector of ``texts[i]`` under ``model``."""
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        if not len(texts):
            return
        unique = dict(zip((text_key(t) for t in texts), range(len(texts))))  # a repeated text: its last vector
        self._append(model, vectors.shape[1], list(unique), vectors[list(unique.values())])

    def _append(self, model: str, dimension: int, keys: list[bytes], vectors: np.ndarray) -> None:
        slot, width = self._slot(model, dimension), 4 * dimension
        stored = self._file(slot)
        with self._connect() as db:
            db.execute("BEGIN IMMEDIATE")  # one writer at a time: the rows appended here are this writer's
            try:
                counted = db.execute("SELECT count FROM slots WHERE slot = ?", (slot,)).fetchone()
                start = counted[0] if counted else 0
                if start and (not stored.exists() or stored.stat().st_size < start * width):
                    db.execute("DELETE FROM rows WHERE slot = ?", (slot,))  # its file was lost: start it again
                    start = 0
                handle = os.open(stored, os.O_RDWR | os.O_CREAT, 0o644)
                try:
                    data, offset = memoryview(vectors.tobytes()), start * width
                    while data:
                        written = os.pwrite(handle, data, offset)
                        data, offset = data[written:], offset + written
                    os.fsync(handle)  # on disk before any row points at it
                finally:
                    os.close(handle)
                db.executemany(
                    "INSERT OR REPLACE INTO rows VALUES (?, ?, ?)", [(slot, k, start + i) for i, k in enumerate(keys)]
                )
                db.execute(
                    "INSERT OR REPLACE INTO slots VALUES (?, ?, ?, ?)", (slot, model, dimension, start + len(keys))
                )
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise

    def _file(self, slot: str) -> Path:
        return self.folder / f"{slot}.f32"

    def count(self, model: str | None = None) -> int:
        """Texts with a vector (of any dimension) under ``model``, or under any model."""
        with self._connect() as db:
            where, args = ("WHERE model = ?", (model,)) if model is not None else ("", ())
            stored = set(db.execute(f"SELECT model, key FROM rows JOIN slots USING (slot) {where}", args))
            if self._legacy:
                stored |= set(db.execute(f"SELECT model, key FROM vectors {where}", args))
            return len(stored)
