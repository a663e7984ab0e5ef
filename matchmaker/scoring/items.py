"""Suggested pairs as items for shortlists and exports, scored as the matcher sees them now.

A :class:`ShortlistItem` is one pair from a ranking (with its ``rank``) or from a saved shortlist
(with note, outcome and author); :func:`score_items` adds both profiles and the explanation.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from matchmaker.scoring.explain import Explanation, explain_pair
from matchmaker.scoring.matcher import Matcher
from matchmaker.scoring.weights import Weights


@dataclass(frozen=True)
class ShortlistItem:
    """One suggested pair as it goes out: from a ranking (``rank``) or a saved shortlist (the rest).

    ``source_name`` / ``target_name`` are the names saved with the entry, shown when the pair is
    not in the profiles in use any more."""

    source_id: str
    target_id: str
    rank: int | None = None
    note: str = ""
    status: str = ""
    author: str = ""
    added_at: str = ""
    source_name: str = ""
    target_name: str = ""


@dataclass(frozen=True)
class ScoredItem:
    """A :class:`ShortlistItem` with the two profiles and the facts behind its score; the profiles
    and explanation are None when a company is not in the matcher's data."""

    item: ShortlistItem
    source: pd.Series | None
    target: pd.Series | None
    explanation: Explanation | None


def score_items(matcher: Matcher, items: list[ShortlistItem], weights: Weights | None = None) -> list[ScoredItem]:
    """Profiles, score, contributions and reasons of each item, as the matcher sees them now."""
    fitted = matcher.fitted_
    scored = []
    for item in items:
        if item.source_id in fitted and item.target_id in fitted:
            scored.append(
                ScoredItem(
                    item,
                    fitted.profile(item.source_id),
                    fitted.profile(item.target_id),
                    explain_pair(matcher, item.source_id, item.target_id, weights=weights),
                )
            )
        else:
            scored.append(ScoredItem(item, None, None, None))
    return scored


def company_items(matcher: Matcher, company_id: str, k: int) -> list[ShortlistItem]:
    """One company's ``k`` best suggestions as items, ranked."""
    suggestions = matcher.recommend(company_id, k=k)
    return [ShortlistItem(r.source_id, r.target_id, rank=int(r.rank)) for r in suggestions.itertuples(index=False)]
