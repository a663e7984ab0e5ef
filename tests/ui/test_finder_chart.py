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
