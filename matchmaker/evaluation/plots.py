"""Figures for the analysts' notebooks: each function takes a table from :mod:`evaluation`,
:mod:`significance`, :mod:`tuning`, :mod:`exploration` or :mod:`diagnostics` and returns a
matplotlib :class:`~matplotlib.figure.Figure` (no pyplot state: a notebook shows the returned figure
once, a script saves it with ``fig.savefig``).

Chinese text renders with Noto Sans CJK when matplotlib finds it (Debian: ``fonts-noto-cjk``);
otherwise DejaVu Sans is used and CJK characters show as boxes.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Sequence

import numpy as np
import pandas as pd
from matplotlib import font_manager, rc_context
from matplotlib.figure import Figure

from matchmaker import vocab as V
from matchmaker.evaluation.metrics import DIRECTIONS, METRICS
from matchmaker.scoring.components import COMPONENTS

CJK_FONTS = ("Noto Sans CJK SC", "Noto Sans CJK JP", "Noto Sans CJK TC", "Noto Sans CJK KR")
FALLBACK_FONT = "DejaVu Sans"
COUNTRY_COLOURS = {"DE": "#1f4e79", "CN": "#c0392b"}
DIRECTION_LABELS = {"de_to_cn": "DE → CN", "cn_to_de": "CN → DE"}


def pick_font(available: Iterable[str]) -> str:
    """The first of :data:`CJK_FONTS` among ``available`` font names, else :data:`FALLBACK_FONT`."""
    names = set(available)
    return next((font for font in CJK_FONTS if font in names), FALLBACK_FONT)


@functools.lru_cache(maxsize=1)
def chosen_font() -> str:
    """The font the figures use on this machine (looked up once)."""
    return pick_font(font.name for font in font_manager.fontManager.ttflist)


def _styled(build: Callable[..., Figure]) -> Callable[..., Figure]:
    """Build the figure with the chosen font; text objects keep the font they were created with."""

    @functools.wraps(build)
    def wrapper(*args, **kwargs) -> Figure:
        with rc_context(
            {
                "font.family": [chosen_font(), FALLBACK_FONT],
                "axes.unicode_minus": False,
                "figure.dpi": 100,
                "axes.spines.top": False,
                "axes.spines.right": False,
            }
        ):
            return build(*args, **kwargs)

    return wrapper


def _spread(value: float, low: float, high: float) -> list[list[float]]:
    """Error-bar lengths below and above ``value``; rounding can put an interval of zero width a
    hair off its value, and matplotlib refuses negative lengths."""
    return [[max(value - low, 0.0)], [max(high - value, 0.0)]]


def _figure(width: float, height: float) -> Figure:
    return Figure(figsize=(width, height), layout="constrained")


@_styled
def coverage_chart(table: pd.DataFrame, title: str, top: int = 20) -> Figure:
    """Horizontal stacked bars, German and Chinese companies per value, for a
    :func:`~matchmaker.evaluation.exploration.coverage` table (its ``label`` shown when present)."""
    shown = table.head(top).iloc[::-1]
    names = shown["label"] if "label" in shown.columns else shown["value"]
    fig = _figure(8, 0.3 * len(shown) + 1.2)
    ax = fig.add_subplot()
    left = np.zeros(len(shown))
    for country in V.COUNTRIES:
        ax.barh(names.astype(str), shown[country], left=left, color=COUNTRY_COLOURS[country], label=country)
        left += shown[country].to_numpy()
    ax.set_xlabel("companies")
    ax.set_title(title)
    ax.legend(loc="lower right")
    return fig


@_styled
def embedding_scatter(
    companies: pd.DataFrame, colour_by: Sequence[str] = ("country", "focus"), top: int = 10
) -> Figure:
    """The company map (:func:`~matchmaker.evaluation.exploration.company_map`), one panel per column in
    ``colour_by``; beyond the ``top`` most frequent values a column's rest is grey ("other")."""
    fig = _figure(6.5 * len(colour_by), 6)
    for i, column in enumerate(colour_by):
        ax = fig.add_subplot(1, len(colour_by), i + 1)
        values = companies[column].astype(str)
        if column == V.COUNTRY:
            palette = dict(COUNTRY_COLOURS)
        else:
            frequent = values.value_counts().index[:top]
            colours = [tuple(c) for c in _colours(len(frequent))]
            palette = dict(zip(frequent, colours))
            values = values.where(values.isin(frequent), "(other)")
            palette["(other)"] = (0.75, 0.75, 0.75, 1.0)
        for value, colour in palette.items():
            mask = (values == value).to_numpy()
            if mask.any():
                marker = "s" if column != V.COUNTRY else "o"
                ax.scatter(
                    companies["x"][mask],
                    companies["y"][mask],
                    s=18,
                    color=colour,
                    label=value,
                    marker=marker,
                    alpha=0.85,
                    edgecolors="none",
                )
        ax.set_title(f"profile embeddings, coloured by {column}")
        ax.set_xticks([])
        ax.set_yticks([])
        ax.legend(fontsize=7, loc="best", markerscale=1.2)
    return fig


def _colours(n: int) -> np.ndarray:
    from matplotlib import colormaps

    return colormaps["tab10" if n <= 10 else "tab20"](np.arange(n) % 20)


@_styled
def region_mix_chart(mix: pd.DataFrame) -> Figure:
    """Stacked bars per embedding region (:func:`~matchmaker.evaluation.exploration.region_mix`), German and
    Chinese companies, labelled with the region's most frequent focus area and its mixing."""
    shown = mix.iloc[::-1]
    labels = [f"{r.top_focus} (#{r.region}, mixing {r.mixing:.2f})" for r in shown.itertuples()]
    fig = _figure(9, 0.35 * len(shown) + 1.2)
    ax = fig.add_subplot()
    ax.barh(labels, shown["DE"], color=COUNTRY_COLOURS["DE"], label="DE")
    ax.barh(labels, shown["CN"], left=shown["DE"], color=COUNTRY_COLOURS["CN"], label="CN")
    ax.set_xlabel("companies")
    ax.set_title("Regions of the embedding space: where German and Chinese companies sit together")
    ax.legend(loc="lower right")
    return fig


@_styled
def metric_vs_weight(
    trials: pd.DataFrame,
    metrics: Sequence[str] = METRICS,
    components: Sequence[str] = COMPONENTS,
    chosen: int | None = None,
) -> Figure:
    """One scatter per metric (rows) and component (columns) from a search's ``trials`` table:
    each dot a tried weight setting; the ``chosen`` trial in red."""
    components = [c for c in components if c in trials.columns]
    fig = _figure(2.2 * len(components), 2.0 * len(metrics))
    axes = fig.subplots(len(metrics), len(components), sharey="row", squeeze=False)
    for i, metric in enumerate(metrics):
        for j, component in enumerate(components):
            ax = axes[i][j]
            ax.scatter(trials[component], trials[metric], s=6, alpha=0.5, color="#555555")
            if chosen is not None:
                row = trials.loc[trials["trial"] == chosen]
                ax.scatter(row[component], row[metric], s=40, color="#c0392b", zorder=3)
            if i == len(metrics) - 1:
                ax.set_xlabel(f"weight: {component}")
            if j == 0:
                ax.set_ylabel(metric)
    fig.suptitle("Each metric (mean over both directions) against each weight")
    return fig


@_styled
def intervals_chart(intervals: pd.DataFrame) -> Figure:
    """Each system's metric with its bootstrap interval (:func:`~matchmaker.evaluation.significance.bootstrap_intervals`
    tables stacked), one panel per metric, one row per system and direction."""
    metrics = [m for m in METRICS if m in set(intervals["metric"])]
    systems = list(dict.fromkeys(intervals["system"]))
    fig = _figure(3.2 * len(metrics), 0.5 * len(systems) * len(DIRECTIONS) + 1.5)
    axes = fig.subplots(1, len(metrics), sharey=True, squeeze=False)[0]
    labels = [f"{s} · {DIRECTION_LABELS[d]}" for s in systems for d in DIRECTIONS]
    for ax, metric in zip(axes, metrics):
        part = intervals[intervals["metric"] == metric].set_index(["system", "direction"])
        for y, (system, direction) in enumerate((s, d) for s in systems for d in DIRECTIONS):
            if (system, direction) not in part.index:
                continue
            row = part.loc[(system, direction)]
            ax.errorbar(
                row["value"],
                y,
                xerr=_spread(row["value"], row["low"], row["high"]),
                fmt="o",
                color=COUNTRY_COLOURS["DE" if direction == "de_to_cn" else "CN"],
                capsize=3,
            )
        ax.set_title(metric)
        ax.set_yticks(range(len(labels)), labels)
        ax.grid(axis="x", alpha=0.3)
    axes[0].invert_yaxis()  # first system on top
    fig.suptitle("Mean over labelled source companies with 95% bootstrap intervals")
    return fig


@_styled
def comparison_chart(comparison: pd.DataFrame, title: str = "candidate − baseline") -> Figure:
    """Paired differences with their intervals (:func:`~matchmaker.evaluation.significance.paired_comparison`);
    right of the zero line = the candidate is better."""
    rows = comparison.reset_index(drop=True)
    labels = [
        f"{r.metric} · {DIRECTION_LABELS.get(r.direction, r.direction)} (p={r.p_value:.3g})" for r in rows.itertuples()
    ]
    fig = _figure(8, 0.4 * len(rows) + 1.4)
    ax = fig.add_subplot()
    colours = ["#2e7d32" if lo > 0 else "#c0392b" if hi < 0 else "#555555" for lo, hi in zip(rows["low"], rows["high"])]
    for y, row in rows.iterrows():
        ax.errorbar(
            row["difference"],
            y,
            xerr=_spread(row["difference"], row["low"], row["high"]),
            fmt="o",
            color=colours[y],
            capsize=3,
        )
    ax.axvline(0, color="black", linewidth=0.8)
    ax.set_yticks(range(len(rows)), labels)
    ax.invert_yaxis()
    ax.set_xlabel("difference of means, 95% paired bootstrap interval")
    ax.set_title(title)
    return fig


@_styled
def score_distributions(scores: pd.DataFrame, bins: int = 40) -> Figure:
    """Histogram (density) of the score per language pair (:func:`~matchmaker.evaluation.diagnostics.pair_scores`)."""
    fig = _figure(8, 4)
    ax = fig.add_subplot()
    edges = np.linspace(scores[V.SCORE].min(), scores[V.SCORE].max(), bins + 1)
    for pair, part in scores.groupby("language_pair"):
        ax.hist(
            part[V.SCORE],
            bins=edges,
            density=True,
            histtype="step",
            linewidth=1.6,
            label=f"{pair} ({len(part):,} pairs, median {part[V.SCORE].median():.3f})",
        )
    ax.set_xlabel("score")
    ax.set_ylabel("density")
    ax.set_title("Scores of all German × Chinese pairs by language pair")
    ax.legend()
    return fig


@_styled
def calibration_chart(table: pd.DataFrame) -> Figure:
    """Relevance rate and mean grade per score bin (:func:`~matchmaker.evaluation.diagnostics.calibration`)."""
    fig = _figure(8, 4)
    ax = fig.add_subplot()
    ax.plot(table["mean_score"], table["relevant_rate"], "o-", color="#1f4e79", label="share relevant")
    ax.set_ylim(0, 1)
    ax.set_xlabel("mean score in the bin")
    ax.set_ylabel("share of relevant pairs")
    other = ax.twinx()
    other.plot(table["mean_score"], table["mean_grade"], "s--", color="#c0392b", label="mean grade")
    other.set_ylim(0, 3)
    other.set_ylabel("mean grade (0-3)")
    for row in table.itertuples():
        ax.annotate(
            f"n={row.pairs}", (row.mean_score, row.relevant_rate), textcoords="offset points", xytext=(0, 6), fontsize=7
        )
    ax.set_title("Calibration on the labelled pairs")
    fig.legend(loc="upper left", bbox_to_anchor=(0.08, 0.9))
    return fig


@_styled
def language_bias_chart(bias: pd.DataFrame) -> Figure:
    """Ratio of observed to expected share per language pair (:func:`~matchmaker.evaluation.diagnostics.language_bias`);
    1 = suggestions follow the candidate pool."""
    rows = bias.reset_index(drop=True)
    labels = [
        f"{DIRECTION_LABELS[r.direction]}: {r.source_language} → {r.target_language} ({r.suggestions})"
        for r in rows.itertuples()
    ]
    fig = _figure(8, 0.4 * len(rows) + 1.4)
    ax = fig.add_subplot()
    ax.barh(labels, rows["ratio"], color=["#1f4e79" if d == "de_to_cn" else "#c0392b" for d in rows["direction"]])
    ax.axvline(1, color="black", linewidth=0.8)
    ax.invert_yaxis()
    ax.set_xlabel("share of top-k suggestions / share of the candidate pool")
    ax.set_title("Language bias of the suggestions")
    return fig


@_styled
def exposure_chart(targets: pd.DataFrame, cities: pd.DataFrame, top: int = 12) -> Figure:
    """Left: Lorenz curve of appearances per candidate company and direction (the diagonal = every
    candidate shown equally often). Right: the ``top`` most exposed cities, their share of suggestions
    next to their share of candidates (:func:`~matchmaker.evaluation.diagnostics.exposure` tables)."""
    fig = _figure(13, 5)
    left, right = fig.subplots(1, 2)
    for direction, part in targets.groupby("direction"):
        counts = np.sort(part["appearances"].to_numpy())
        curve = np.concatenate([[0], np.cumsum(counts) / max(counts.sum(), 1)])
        left.plot(
            np.linspace(0, 1, len(curve)),
            curve,
            label=DIRECTION_LABELS[direction],
            color=COUNTRY_COLOURS["DE" if direction == "de_to_cn" else "CN"],
        )
    left.plot([0, 1], [0, 1], color="grey", linestyle=":", label="equal exposure")
    left.set_xlabel("share of candidates (least shown first)")
    left.set_ylabel("share of suggestions")
    left.set_title("Exposure of candidate companies")
    left.legend()
    shown = cities.sort_values("share", ascending=False).head(top).iloc[::-1]
    y = np.arange(len(shown))
    right.barh(y + 0.2, shown["share"], height=0.4, color="#1f4e79", label="share of suggestions")
    right.barh(y - 0.2, shown["pool_share"], height=0.4, color="#aaaaaa", label="share of candidates")
    right.set_yticks(y, [f"{k} ({DIRECTION_LABELS[d]})" for k, d in zip(shown["key"], shown["direction"])])
    right.set_title("Most exposed cities")
    right.legend(loc="lower right")
    return fig
