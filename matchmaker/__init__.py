"""ISA Matchmaker: German x Chinese partner recommendations for the Chinese-German Industrial Cities Alliance.

The public surface (everything else is internal and may change)::

    from matchmaker import Matcher, load_profiles

    profiles = load_profiles("companies.csv")        # Profiles: .table and .report (every problem)
    matcher = Matcher().fit(profiles)                 # embeds and featurises once
    matcher.recommend("DE0001", k=10)                 # one company's partners, with contributions
    matcher.recommend_all(k=10)                       # the recommendations table of every company

Names are imported on first use, so ``import matchmaker`` stays cheap (the embedding stack loads
only when a matcher or an encoder is asked for).
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

__version__ = "0.2.0"

_EXPORTS = {
    # scoring
    "Matcher": "matchmaker.scoring.matcher",
    "Filters": "matchmaker.scoring.matcher",
    "FittedMatcher": "matchmaker.scoring.fitted",
    "Weights": "matchmaker.scoring.weights",
    "load_weights": "matchmaker.scoring.weights",
    "save_weights": "matchmaker.scoring.weights",
    "as_weights": "matchmaker.scoring.weights",
    "COMPONENTS": "matchmaker.scoring.components",
    "explain_pair": "matchmaker.scoring.explain",
    "Explanation": "matchmaker.scoring.explain",
    # profiles and labels
    "load_profiles": "matchmaker.io.profiles",
    "profiles_from_frame": "matchmaker.io.profiles",
    "Profiles": "matchmaker.io.profiles",
    "ValidationReport": "matchmaker.io.report",
    "load_pairs": "matchmaker.io.pairs",
    # embeddings
    "Encoder": "matchmaker.embeddings.encoders",
    "load_encoder": "matchmaker.embeddings.encoders",
    # store
    "ShortlistStore": "matchmaker.store.shortlists",
    # errors
    "MatchmakerError": "matchmaker.errors",
    "ProfileFileError": "matchmaker.errors",
    "WeightsError": "matchmaker.errors",
    "ParameterError": "matchmaker.errors",
    "UnknownCompanyError": "matchmaker.errors",
    "NotFittedError": "matchmaker.errors",
    "ModelNotAvailableError": "matchmaker.errors",
    "LabelsError": "matchmaker.errors",
    "DatabaseError": "matchmaker.errors",
    "ConflictError": "matchmaker.errors",
    "NotFoundError": "matchmaker.errors",
    "TaxonomyError": "matchmaker.errors",
}

__all__ = [
    "COMPONENTS",
    "ConflictError",
    "DatabaseError",
    "Encoder",
    "Explanation",
    "Filters",
    "FittedMatcher",
    "LabelsError",
    "Matcher",
    "MatchmakerError",
    "ModelNotAvailableError",
    "NotFittedError",
    "NotFoundError",
    "ParameterError",
    "ProfileFileError",
    "Profiles",
    "ShortlistStore",
    "TaxonomyError",
    "UnknownCompanyError",
    "ValidationReport",
    "Weights",
    "WeightsError",
    "as_weights",
    "explain_pair",
    "load_encoder",
    "load_pairs",
    "load_profiles",
    "load_weights",
    "profiles_from_frame",
    "save_weights",
]


def __getattr__(name: str) -> object:
    if name in _EXPORTS:
        value = getattr(import_module(_EXPORTS[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'matchmaker' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])


if TYPE_CHECKING:  # for type checkers and IDEs: the same names, imported eagerly
    from matchmaker.embeddings.encoders import Encoder, load_encoder
    from matchmaker.errors import (
        ConflictError,
        DatabaseError,
        LabelsError,
        MatchmakerError,
        ModelNotAvailableError,
        NotFittedError,
        NotFoundError,
        ParameterError,
        ProfileFileError,
        TaxonomyError,
        UnknownCompanyError,
        WeightsError,
    )
    from matchmaker.io.pairs import load_pairs
    from matchmaker.io.profiles import Profiles, load_profiles, profiles_from_frame
    from matchmaker.io.report import ValidationReport
    from matchmaker.scoring.components import COMPONENTS
    from matchmaker.scoring.explain import Explanation, explain_pair
    from matchmaker.scoring.fitted import FittedMatcher
    from matchmaker.scoring.matcher import Filters, Matcher
    from matchmaker.scoring.weights import Weights, as_weights, load_weights, save_weights
    from matchmaker.store.shortlists import ShortlistStore
