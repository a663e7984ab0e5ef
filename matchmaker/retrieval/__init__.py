"""Ranking at scale: candidates from one inner-product search over vectors that approximate the hybrid
score (:mod:`.vectors`, :mod:`.index`), then the exact score on those candidates (:mod:`.two_stage`).
The exhaustive ranking (:func:`matchmaker.scoring.ranking.rank_exhaustive`) stays the reference."""
