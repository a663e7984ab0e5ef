"""The one verb every encoder offers, the form of the texts they are given, and the normalisation
they share."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

import numpy as np

from matchmaker.text import simplified

# What every encoder does to a text before its model sees it, named in every model's identity (so
# vectors cached before a change of it are not taken for vectors after): Chinese in Traditional
# characters is written in Simplified ones, as the models learned Chinese (isa-domain's glossary and
# vocabulary are Simplified only; measured on the 350 general sentences in Traditional, DE -> ZH
# accuracy@1 of isa-hybrid 0.920 as written, 0.991 converted, as for the Simplified originals).
INPUT_FORM = "chinese-in-simplified-characters(opencc-t2s)"


def model_input(texts: Sequence[str]) -> list[str]:
    """The texts as the models are given them (:data:`INPUT_FORM`)."""
    return [simplified(str(text)) for text in texts]


class Encoder(Protocol):
    """Anything that turns texts into L2-normalised float32 rows."""

    name: str
    identity: str
    dimension: int

    def encode(self, texts: Sequence[str], batch_size: int = 256, show_progress: bool = False) -> np.ndarray:
        """``(len(texts), dimension)`` float32, each row of unit length (a zero row for empty text)."""
        ...


def normalise_rows(matrix: np.ndarray) -> np.ndarray:
    """Rows scaled to unit length, as float32; zero rows stay zero."""
    matrix = np.asarray(matrix, dtype=np.float32)
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return np.divide(matrix, norms, out=np.zeros_like(matrix), where=norms > 0)
