"""A listwise ranking objective for component weights: pure functions over arrays.

Each labelled source is one *list*: its candidates' component values ``x`` (``(candidates, components)``)
and which candidates are its partners. With weights ``w`` a candidate scores ``x @ w``; the loss of a
list is the softmax cross-entropy of its partners among all its candidates (ListNet's top-one
probability, as in Cao et al. 2007, and the "softmax loss" of learning to rank)::

    loss = mean over sources of  -(1 / |partners|) * sum over partners p of log softmax(x @ w)[p]
           + alpha / 2 * |w|^2

It depends only on how a source's partners score *against that source's other candidates*, which is
what Recall@k and MRR measure; a pointwise classifier also spends its weights on separating pairs of
different sources, which no ranking uses. The weights are non-negative (a component never counts
against a pair); their scale is the softmax's temperature, so the result is reported summing to 1.
``alpha`` (L2) keeps the temperature, and with it the weights, from growing to fit a few lists.

Best value of the loss: 0 (every partner infinitely above every other candidate; one partner per list).
The degenerate case: all weights 0 scores every candidate alike, loss ``mean log(candidates)``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.optimize import minimize

from matchmaker.errors import ParameterError

ALPHAS = (1e-1, 1e-2, 1e-3, 1e-4)  # the L2 strengths inner cross-validation chooses from, strongest first
DEFAULT_ALPHA = 1e-3


@dataclass(frozen=True)
class Lists:
    """Labelled sources with the same number of candidates, as one block.

    values: ``(sources, candidates, components)`` float64 component values.
    relevant: ``(sources, candidates)`` bool, True for a source's partners; every row has at least one.
    """

    values: np.ndarray
    relevant: np.ndarray

    def __post_init__(self) -> None:
        if self.values.ndim != 3 or self.relevant.shape != self.values.shape[:2]:
            raise ParameterError(
                "Lists need values of shape (sources, candidates, components) and relevant of shape "
                f"(sources, candidates). Got {self.values.shape} and {self.relevant.shape} instead."
            )
        if len(self.relevant) and not self.relevant.any(axis=1).all():
            raise ParameterError("Every list needs at least one partner: drop the sources without one first.")

    def __len__(self) -> int:
        return len(self.values)

    def take(self, rows: np.ndarray) -> Lists:
        return Lists(self.values[rows], self.relevant[rows])


def softmax_loss(weights: np.ndarray, blocks: Sequence[Lists], alpha: float = 0.0) -> tuple[float, np.ndarray]:
    """``(loss, gradient)`` of the listwise objective at ``weights`` (``(components,)``), lists of all
    ``blocks`` counted alike; ``alpha`` is the L2 strength."""
    weights = np.asarray(weights, dtype=np.float64)
    total, gradient, count = 0.0, np.zeros_like(weights), 0
    for block in blocks:
        if not len(block):
            continue
        scores = block.values @ weights  # (sources, candidates)
        scores -= scores.max(axis=1, keepdims=True)
        log_norm = np.log(np.exp(scores).sum(axis=1, keepdims=True))
        probability = np.exp(scores - log_norm)
        share = block.relevant / block.relevant.sum(axis=1, keepdims=True)  # 1/|partners| on each partner
        total -= float((share * (scores - log_norm)).sum())
        # d/dw of -sum share * log p = -(sum share * x) + sum p * x, per list
        gradient -= np.einsum("sc,scf->f", share - probability, block.values)
        count += len(block)
    if count == 0:
        raise ParameterError("No list to learn from: pass at least one labelled source with a partner.")
    return total / count + 0.5 * alpha * float(weights @ weights), gradient / count + alpha * weights


def fit_listwise(blocks: Sequence[Lists], alpha: float = DEFAULT_ALPHA) -> np.ndarray:
    """Non-negative weights ``(components,)`` summing to 1 that minimise :func:`softmax_loss` (L-BFGS-B
    with bounds at 0); all weights equal when the optimum is all zeros.

    Example: two lists where component 0 marks the partner and component 1 is noise::

        x = np.array([[[1.0, 0.2], [0.0, 0.9], [0.1, 0.5]]] * 2)
        fit_listwise([Lists(x, np.array([[True, False, False]] * 2))])   # -> about [1, 0]
    """
    if not isinstance(alpha, (int, float)) or isinstance(alpha, bool) or alpha < 0:
        raise ParameterError(f"The 'alpha' parameter of fit_listwise must be a number >= 0. Got {alpha!r} instead.")
    blocks = [b for b in blocks if len(b)]
    if not blocks:
        raise ParameterError("No list to learn from: pass at least one labelled source with a partner.")
    components = blocks[0].values.shape[2]
    result = minimize(
        softmax_loss,
        np.ones(components),
        args=(blocks, float(alpha)),
        jac=True,
        method="L-BFGS-B",
        bounds=[(0.0, None)] * components,
    )
    weights = np.clip(result.x, 0.0, None)
    if weights.sum() <= 0:
        return np.full(components, 1.0 / components)
    return weights / weights.sum()


def reciprocal_ranks(weights: np.ndarray, block: Lists) -> np.ndarray:
    """``(sources,)`` 1 / rank of each list's best-ranked partner under ``weights`` (ties: the order
    of the candidates, as the rankings' stable sort). What inner cross-validation compares."""
    scores = block.values @ np.asarray(weights, dtype=np.float64)
    order = np.argsort(-scores, axis=1, kind="stable")
    first = block.relevant[np.arange(len(block))[:, None], order].argmax(axis=1)
    return 1.0 / (first + 1.0)
