"""Figures are real (drawn, not empty) and Chinese text has a font that holds it."""

import io
import warnings

import numpy as np
import pandas as pd

from matchmaker.evaluation import plots
from matchmaker.evaluation.significance import bootstrap_intervals, paired_comparison


def png_size(fig) -> int:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    return len(buffer.getvalue())


def test_pick_font_prefers_noto_cjk_and_falls_back_silently():
    assert plots.pick_font(["DejaVu Sans", "Noto Sans CJK JP", "Noto Sans CJK SC"]) == "Noto Sans CJK SC"
    assert plots.pick_font(["DejaVu Sans", "Noto Sans CJK JP"]) == "Noto Sans CJK JP"
    assert plots.pick_font(["DejaVu Sans", "Liberation Sans"]) == "DejaVu Sans"


def test_chinese_labels_render_with_the_chosen_font():
    table = pd.DataFrame(
        {
            "value": ["foshan", "koeln"],
            "label": ["Foshan / 佛山", "Köln / 科隆"],
            "DE": [0, 5],
            "CN": [6, 0],
            "total": [6, 5],
        }
    )
    fig = plots.coverage_chart(table, "城市 / Städte")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        size = png_size(fig)
    missing = [w for w in caught if "missing from font" in str(w.message)]
    assert size > 5_000
    assert fig.axes[0].get_title() == "城市 / Städte"
    # with a CJK font installed (Debian fonts-noto-cjk) nothing is missing; without one, DejaVu Sans draws boxes
    assert (not missing) if plots.chosen_font() != plots.FALLBACK_FONT else bool(missing)


def test_interval_and_comparison_charts_draw_every_row():
    rng = np.random.default_rng(0)
    per_source = pd.DataFrame(
        {
            "direction": ["de_to_cn"] * 20 + ["cn_to_de"] * 20,
            "source_id": [f"S{i}" for i in range(40)],
            **{m: rng.random(40) for m in ("recall", "precision", "mrr", "ndcg")},
        }
    )
    better = per_source.assign(ndcg=per_source["ndcg"] + 0.1)
    intervals = pd.concat([bootstrap_intervals(per_source, "a", 100), bootstrap_intervals(better, "b", 100)])
    fig = plots.intervals_chart(intervals)
    assert len(fig.axes) == 4 and png_size(fig) > 5_000
    assert [t.get_text() for t in fig.axes[0].get_yticklabels()][0] == "a · DE → CN" and len(
        fig.axes[0].get_yticklabels()
    ) == 4
    comparison = paired_comparison(per_source, better, n_resamples=100)
    fig = plots.comparison_chart(comparison)
    assert len(fig.axes[0].lines) >= len(comparison) and png_size(fig) > 5_000
