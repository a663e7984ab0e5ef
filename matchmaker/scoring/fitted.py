"""What a fitted :class:`~matchmaker.scoring.matcher.Matcher` knows, as a typed read-only view.

Explanations, evaluation, tuning, diagnostics and exploration need the matcher's arrays (features,
positions, countries); they read them here instead of reaching into the estimator. Arrays are
flagged read-only, so a caller cannot change what the matcher ranks with by accident.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import pandas as pd

from matchmaker import vocab as V
from matchmaker.errors import UnknownCompanyError
from matchmaker.knowledge.taxonomy import Taxonomy
from matchmaker.scoring.components import COMPONENTS, Calibration, CompanyFeatures, component_values


@dataclass(frozen=True)
class FittedMatcher:
    """The fitted state: row ``i`` of every array is company ``i`` of :attr:`profiles`.

    profiles: the normalised profiles table (the loader's columns, :mod:`matchmaker.vocab`).
    ids: ``(n,)`` company ids as text. country: ``(n,)`` ``"DE"`` or ``"CN"``.
    features: per-company arrays the components read. calibration: per-language-pair statistics.
    taxonomy: sector affinity, division codes and cooperation compatibility the components use.
    encoder_name / encoder_identity: the embedding model, by name and by identity (file digest).
    """

    profiles: pd.DataFrame
    ids: np.ndarray
    country: np.ndarray
    features: CompanyFeatures
    calibration: Calibration
    taxonomy: Taxonomy = field(repr=False)
    encoder_name: str
    encoder_identity: str

    def __post_init__(self) -> None:
        for array in (self.ids, self.country, *vars(self.features).values()):
            if isinstance(array, np.ndarray):
                array.setflags(write=False)

    def __len__(self) -> int:
        return len(self.ids)

    def __contains__(self, company_id: object) -> bool:
        return str(company_id) in self.index

    @cached_property
    def index(self) -> dict[str, int]:
        """Row of each company id."""
        return {company: i for i, company in enumerate(self.ids)}

    def position(self, company_id: str) -> int:
        """Row of ``company_id``; :class:`UnknownCompanyError` when it was not fitted."""
        try:
            return self.index[str(company_id)]
        except KeyError:
            raise UnknownCompanyError(
                f"Company id '{company_id}' is not in the fitted data ({len(self.ids)} companies). "
                "Check the id, or call fit() with a table that contains it."
            ) from None

    def profile(self, company_id: str) -> pd.Series:
        """The normalised profile row of ``company_id``."""
        return self.profiles.iloc[self.position(company_id)]

    def side(self, country: str) -> np.ndarray:
        """Rows of the companies of ``country`` (``"DE"`` or ``"CN"``), in table order."""
        return np.flatnonzero(self.country == country)

    def sides(self, direction: V.Direction) -> tuple[np.ndarray, np.ndarray]:
        """``(sources, targets)`` rows of one ranking direction."""
        source, target = V.DIRECTION_COUNTRIES[direction]
        return self.side(source), self.side(target)

    @property
    def affinity(self) -> np.ndarray:
        """``(divisions, divisions)`` value-chain affinity, rows as :attr:`divisions`."""
        return self.taxonomy.affinity_matrix

    @property
    def divisions(self) -> tuple[str, ...]:
        return self.taxonomy.division_codes

    def components(
        self, sources: np.ndarray, targets: np.ndarray, names: tuple[str, ...] = COMPONENTS, pairwise: bool = False
    ) -> dict[str, np.ndarray]:
        """Raw component values in [0, 1] (not weighted): ``(len(sources), len(targets))`` matrices, or
        ``(len(sources),)`` vectors for aligned pairs when ``pairwise``."""
        sources, targets = np.asarray(sources), np.asarray(targets)
        return self.components_of(self.features.take(sources), self.features.take(targets), names, pairwise)

    def components_of(
        self, src: CompanyFeatures, tgt: CompanyFeatures, names: tuple[str, ...] = COMPONENTS, pairwise: bool = False
    ) -> dict[str, np.ndarray]:
        """:meth:`components` for features already taken (a ranking takes its targets' features once)."""
        return component_values(
            names, src, tgt, self.calibration, self.affinity, self.taxonomy.cooperation_compatibility, pairwise=pairwise
        )
