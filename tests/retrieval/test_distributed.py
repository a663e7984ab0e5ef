"""recommend_all on a local Dask cluster of two worker processes gives the local table, row for row."""

import pandas as pd
import pytest

from matchmaker import config
from matchmaker.io.profiles import load_profiles
from matchmaker.retrieval.distributed import recommend_all_distributed
from matchmaker.scoring.matcher import Matcher
from matchmaker.scoring.weights import Weights

pytestmark = pytest.mark.slow


def test_two_workers_give_the_local_table(domain_encoder):
    from distributed import Client, LocalCluster

    matcher = Matcher().fit(load_profiles(config.DEMO_PROFILES), encoder=domain_encoder)
    local = matcher.recommend_all(k=7)
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        with Client(cluster) as client:
            assert len(client.scheduler_info()["workers"]) == 2
            remote = recommend_all_distributed(matcher, client, k=7, sources_per_task=40)  # 8 tasks, both workers
            other = recommend_all_distributed(
                matcher, client, k=3, weights=Weights({"sector": 1.0}), sources_per_task=100
            )
    # the same rows; scores to float32 rounding (a worker's one BLAS thread sums in another order)
    pd.testing.assert_frame_equal(local, remote, check_exact=False, rtol=0, atol=1e-6)
    pd.testing.assert_frame_equal(
        matcher.recommend_all(k=3, weights=Weights({"sector": 1.0})), other, check_exact=False, rtol=0, atol=1e-6
    )


def recommend(profiles, out, *extra: str):
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-m", "matchmaker.cli", "recommend", str(profiles), "--top-k", "5", "--out", str(out),
         "--quiet", "--no-cache", "--model", "isa-domain", *extra],
        capture_output=True,
        text=True,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return pd.read_csv(out, dtype={"source_id": str, "target_id": str})


def test_the_command_ranks_on_a_cluster_and_through_two_stages_with_the_same_table(tmp_path):
    from distributed import LocalCluster

    exact = recommend(config.DEMO_PROFILES, tmp_path / "exact.csv", "--ranking", "exact")
    two_stage = recommend(config.DEMO_PROFILES, tmp_path / "two.csv", "--ranking", "two-stage")
    pd.testing.assert_frame_equal(exact, two_stage, atol=1e-5)  # 200 candidates cover each side of the demo
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        remote = recommend(config.DEMO_PROFILES, tmp_path / "remote.csv", "--scheduler", cluster.scheduler_address)
    pd.testing.assert_frame_equal(exact, remote, check_exact=False, rtol=0, atol=1e-5)  # written rounded
