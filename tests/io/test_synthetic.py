import pandas as pd

from matchmaker.io.profiles import profiles_from_frame
from matchmaker.io.synthetic import synthetic_profiles


def test_generator_is_seeded_bilingual_and_valid():
    first, second = synthetic_profiles(200, seed=4), synthetic_profiles(200, seed=4)
    pd.testing.assert_frame_equal(first, second)
    assert not synthetic_profiles(200, seed=5).equals(first)
    loaded = profiles_from_frame(first)
    assert loaded.report.usable
    table = loaded.table
    assert (table.loc[table["country"] == "CN", "language"] == "zh").all()
    assert (table.loc[table["country"] == "DE", "language"] == "de").all()
    assert table["city_key"].ne("").all()
