"""Cross-lingual retrieval metrics over embedding matrices (pure numpy).

Query ``i``'s correct answer is candidate ``answers[i]``; cosine similarity ranks the candidates.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class RetrievalScore:
    accuracy_at_1: float
    mrr: float
    queries: int
    candidates: int


def retrieval_score(
    queries: np.ndarray, candidates: np.ndarray, answers: np.ndarray, block: int = 2048
) -> RetrievalScore:
    """Accuracy@1 and mean reciprocal rank of ``answers`` when each query ranks all candidates.

    ``queries``: (q, d) and ``candidates``: (c, d), rows L2-normalised; ``answers``: (q,) ints.
    Ties count against the query (its answer ranks after every candidate scoring the same), so a
    constant model scores ``1/c``-ish MRR and 0 accuracy, never more. Best value 1.0 for both.
    """
    answers = np.asarray(answers)
    ranks = np.empty(len(queries), dtype=np.int64)
    for start in range(0, len(queries), block):
        sims = queries[start : start + block] @ candidates.T
        own = sims[np.arange(len(sims)), answers[start : start + block]]
        ranks[start : start + block] = (sims >= own[:, None]).sum(axis=1)  # 1 = best
    return RetrievalScore(
        accuracy_at_1=float(np.mean(ranks == 1)),
        mrr=float(np.mean(1.0 / ranks)),
        queries=len(queries),
        candidates=len(candidates),
    )
