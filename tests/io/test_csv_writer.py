"""write_csv: Arrow's writer where no cell needs quotes, pandas where one does; the same table read back."""

import numpy as np
import pandas as pd
import pytest

from matchmaker.errors import FileAccessError
from matchmaker.io.csv_writer import write_csv
from matchmaker.io.files import writing


def recommendations(ids: list[str]) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    n = len(ids)
    return pd.DataFrame(
        {
            "source_id": pd.array(ids, dtype="string"),
            "rank": np.arange(1, n + 1),
            "target_id": pd.array(ids[::-1], dtype="string"),
            "score": rng.random(n, dtype=np.float32),
            "size": np.array([0.0, np.nan, 1e-8, 0.5][:n] + [0.25] * max(0, n - 4), dtype=np.float32),
        }
    )


def read_back(path) -> pd.DataFrame:
    floats = {"score": np.float32, "size": np.float32}
    return pd.read_csv(
        path,
        dtype={"source_id": "string", "target_id": "string", **floats},
        keep_default_na=False,
        na_values={"size": [""]},
    )


@pytest.mark.parametrize(
    "ids",
    [
        ["DE0001", "CN0002", "köln-7", "佛山-01"],  # no cell needs quotes: Arrow writes it
        ["DE,0001", 'CN"0002', "line\nbreak", "佛山-01"],  # comma, quote, line break: pandas quotes them
    ],
)
def test_the_table_reads_back_exactly(tmp_path, ids):
    table = recommendations(ids)
    write_csv(table, tmp_path / "out.csv")
    back = read_back(tmp_path / "out.csv")
    pd.testing.assert_frame_equal(back, table, check_dtype=False)
    assert back["score"].to_numpy().tobytes() == table["score"].to_numpy().tobytes()  # float32 round trip


def test_unquoted_cells_are_written_as_pandas_writes_them(tmp_path):
    table = recommendations(["DE0001", "CN0002", "köln-7", "佛山-01"])
    write_csv(table, tmp_path / "fast.csv")
    table.to_csv(tmp_path / "pandas.csv", index=False)
    fast = (tmp_path / "fast.csv").read_text(encoding="utf-8").splitlines()
    slow = (tmp_path / "pandas.csv").read_text(encoding="utf-8").splitlines()
    assert fast[0] == slow[0] == "source_id,rank,target_id,score,size"  # no quotes around names
    assert [line.split(",")[:3] for line in fast] == [line.split(",")[:3] for line in slow]
    assert fast[1].endswith(",0") and slow[1].endswith(",0.0")  # the only difference: 0 for 0.0


def test_booleans_and_objects_are_left_to_pandas(tmp_path):
    table = pd.DataFrame({"id": ["a", "b"], "flag": [True, False], "mixed": [1, "x"]})
    write_csv(table, tmp_path / "out.csv")
    assert (tmp_path / "out.csv").read_text(encoding="utf-8").splitlines()[1:] == ["a,True,1", "b,False,x"]


def test_an_unwritable_path_becomes_a_clear_error(tmp_path):
    (tmp_path / "taken").mkdir()
    with pytest.raises(FileAccessError, match="Cannot write the recommendations file"):
        with writing(tmp_path / "taken", "the recommendations file") as out:
            write_csv(recommendations(["DE0001", "CN0002"]), out)
