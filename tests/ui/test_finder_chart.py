"""The finder's score chart stacks the weighted components only (the table has a zero column for the others)."""

import pandas as pd

from matchmaker import vocab as V
from matchmaker.scoring.components import COMPONENTS
from matchmaker.ui.common import tr
from matchmaker.ui.finder import component_chart


def test_the_chart_shows_the_weighted_components_only():
    suggestions = pd.DataFrame(
        {V.SOURCE_ID: ["DE1", "DE1"], V.RANK: [1, 2], V.TARGET_ID: ["CN1", "CN2"], V.SCORE: [0.5, 0.3]}
        | {name: [0.0, 0.0] for name in COMPONENTS}
        | {"semantic": [0.3, 0.2], "terms": [0.2, 0.1], "partner": ["1. A", "2. B"]}
    )
    chart = component_chart(suggestions, ("semantic", "terms"))
    assert set(chart.data["component"]) == {tr("component_semantic"), tr("component_terms")}
    assert chart.data.groupby("partner")["value"].sum().round(6).to_dict() == {"1. A": 0.5, "2. B": 0.3}


def test_every_component_has_a_colour_and_distinct_is_grey_at_the_end_of_each_bar():
    from matchmaker.ui.finder import COMPONENT_COLOURS

    assert set(COMPONENT_COLOURS) == set(COMPONENTS) and len(set(COMPONENT_COLOURS.values())) == len(COMPONENTS)
    suggestions = pd.DataFrame(
        {V.SOURCE_ID: ["DE1"], V.RANK: [1], V.TARGET_ID: ["CN1"], V.SCORE: [0.6], "partner": ["1. A"]}
        | {name: [0.1] for name in COMPONENTS}
    )
    spec = component_chart(suggestions, ("semantic", "distinct", "terms")).to_dict()
    scale = spec["encoding"]["color"]["scale"]
    labels = [tr(f"component_{c}") for c in ("semantic", "distinct", "terms")]
    assert scale["domain"] == labels and scale["range"][1] == COMPONENT_COLOURS["distinct"] == "#c7c7c7"
    assert spec["encoding"]["order"]["field"] == "stack"
