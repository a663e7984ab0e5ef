import numpy as np
import pytest

from matchmaker.errors import WeightsError
from matchmaker.scoring.weights import Weights, combine, load_weights, save_weights


def test_contributions_add_up_to_the_score():
    rng = np.random.default_rng(1)
    components = {name: rng.random((4, 6), dtype=np.float32) for name in ("semantic", "sector", "focus")}
    weights = Weights({"semantic": 0.5, "sector": 0.3, "focus": 0.2})
    score, contributions = combine(components, weights)
    assert np.allclose(sum(contributions.values()), score, atol=1e-6)
    assert np.allclose(contributions["sector"], 0.3 * components["sector"])


@pytest.mark.parametrize(
    "values, message",
    [
        ({"semantics": 1.0}, "Unknown score components"),
        ({"semantic": -0.1}, "must be a number >= 0"),
        ({"semantic": float("nan")}, "must be a number >= 0"),
        ({"semantic": "high"}, "must be a number >= 0"),
        ({"semantic": 0.0}, "At least one weight"),
    ],
)
def test_bad_weights_are_refused_with_the_fix(values, message):
    with pytest.raises(WeightsError, match=message):
        Weights(values)


def test_weights_file_round_trip_and_errors(tmp_path):
    weights = Weights({"semantic": 0.7, "terms": 0.3}, version="test-1", provenance={"method": "by hand"})
    loaded = load_weights(save_weights(weights, tmp_path / "w.toml"))
    assert loaded.as_dict() == weights.as_dict() and loaded.version == "test-1"
    assert loaded.provenance["method"] == "by hand" and loaded.active == ("semantic", "terms")
    (tmp_path / "broken.toml").write_text("[weights\nsemantic = ", encoding="utf-8")
    with pytest.raises(WeightsError, match="not valid TOML"):
        load_weights(tmp_path / "broken.toml")
    (tmp_path / "empty.toml").write_text("version = '1'\n", encoding="utf-8")
    with pytest.raises(WeightsError, match=r"no \[weights\] table"):
        load_weights(tmp_path / "empty.toml")
    with pytest.raises(WeightsError, match="does not exist"):
        load_weights(tmp_path / "missing.toml")


def test_shipped_default_weights_load():
    assert load_weights().active
