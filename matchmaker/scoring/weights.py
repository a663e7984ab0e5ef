"""Weights and their combination: score = sum of weight x component.

Weights live in a versioned TOML file (``data/weights/default.toml``) that the CLI, the dashboard
and the notebooks all read::

    version = "2026-11-21.1"
    [weights]
    semantic = 0.35
    terms = 0.2
    ...
    [provenance]        # how these weights were chosen (free-form, kept on save)
    method = "grid search on data/demo/pairs.csv"
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np
import tomli_w

from matchmaker import config
from matchmaker.errors import WeightsError
from matchmaker.scoring.components import COMPONENTS


@dataclass(frozen=True)
class Weights:
    """Non-negative weight per component; components absent from the mapping weigh 0."""

    values: Mapping[str, float]
    version: str = "unversioned"
    provenance: Mapping[str, object] = field(default_factory=dict)

    def __post_init__(self) -> None:
        unknown = sorted(set(self.values) - set(COMPONENTS))
        if unknown:
            raise WeightsError(
                f"Unknown score components {unknown} in the weights. Valid components: {', '.join(COMPONENTS)}."
            )
        for name, value in self.values.items():
            if not isinstance(value, (int, float)) or isinstance(value, bool) or not np.isfinite(value) or value < 0:
                raise WeightsError(f"The weight of '{name}' must be a number >= 0. Got {value!r} instead.")
        if not any(v > 0 for v in self.values.values()):
            raise WeightsError("At least one weight must be above 0; with all weights 0 every suggestion scores 0.")

    @property
    def active(self) -> tuple[str, ...]:
        """Components with a weight above 0, in the canonical order."""
        return tuple(name for name in COMPONENTS if self.values.get(name, 0) > 0)

    def __getitem__(self, name: str) -> float:
        return float(self.values.get(name, 0.0))

    def replace(self, **changes: float) -> Weights:
        return Weights({**self.values, **changes}, version=f"{self.version}+custom", provenance=self.provenance)

    def as_dict(self) -> dict[str, float]:
        return {name: float(self.values.get(name, 0.0)) for name in COMPONENTS}


def load_weights(path: Path | str = config.DEFAULT_WEIGHTS_FILE) -> Weights:
    """Read and validate a weights file."""
    path = Path(path)
    if not path.is_file():
        raise WeightsError(
            f"The weights file {path} does not exist. Use {config.DEFAULT_WEIGHTS_FILE} or write one with save_weights()."
        )
    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
    except tomllib.TOMLDecodeError as exc:
        raise WeightsError(
            f"The weights file {path} is not valid TOML: {exc}. Fix the line named, or start from {config.DEFAULT_WEIGHTS_FILE}."
        ) from exc
    if not isinstance(data.get("weights"), dict):
        raise WeightsError(
            f"The weights file {path} has no [weights] table. Expected e.g.:\n[weights]\nsemantic = 0.4\nsector = 0.2"
        )
    return Weights(
        dict(data["weights"]), version=str(data.get("version", path.stem)), provenance=data.get("provenance", {})
    )


def as_weights(value: Weights | Mapping[str, float] | str | Path | None) -> Weights:
    """The one place a weights argument is resolved: ``None`` -> the shipped default weights, a path
    -> that file, a mapping component -> weight -> :class:`Weights`; a :class:`Weights` as it is.
    Everything past the edges (CLI, dashboard, ``Matcher(weights=...)``) takes :class:`Weights` only."""
    if value is None:
        return default_weights()
    if isinstance(value, Weights):
        return value
    if isinstance(value, (str, Path)):
        return load_weights(value)
    if isinstance(value, Mapping):
        return Weights(dict(value))
    raise WeightsError(
        f"Weights must be None, a weights file path, a mapping component -> weight or Weights. "
        f"Got {type(value).__name__} instead."
    )


@lru_cache(maxsize=1)
def default_weights() -> Weights:
    """The shipped default weights (``data/weights/default.toml``)."""
    return load_weights(config.DEFAULT_WEIGHTS_FILE)


def save_weights(weights: Weights, path: Path | str) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    document = {"version": weights.version, "weights": weights.as_dict(), "provenance": dict(weights.provenance)}
    path.write_text(tomli_w.dumps(document), encoding="utf-8")
    return path


def weighted_sum(components: Mapping[str, np.ndarray], weights: Weights) -> np.ndarray:
    """Only the score (``sum of weight x component``), accumulated in place: what ranking needs."""
    score = None
    for name, values in components.items():
        if score is None:
            score = values * np.float32(weights[name])
        else:
            score += values * np.float32(weights[name])
    return score if score is not None else np.zeros(0, np.float32)


def combine(components: Mapping[str, np.ndarray], weights: Weights) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """``(score, contributions)``: each contribution is weight x component, and they add up to the
    score exactly (the score is computed as their sum)."""
    contributions = {name: (weights[name] * values).astype(np.float32) for name, values in components.items()}
    score = np.zeros_like(next(iter(contributions.values()))) if contributions else np.zeros(0, np.float32)
    for values in contributions.values():
        score = score + values
    return score, contributions
