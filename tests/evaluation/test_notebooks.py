"""The analysts' notebooks run top to bottom on the demo data, draw real figures, and the tune notebook's
weights file loads in the CLI and changes its ranking."""

from __future__ import annotations

import base64
import os
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pandas as pd
import pytest
from helpers import REPO
from nbclient import NotebookClient

from matchmaker import config as C
from matchmaker.scoring.weights import load_weights

NOTEBOOKS = REPO / "notebooks"
NAMES = ("1.0-explore.ipynb", "2.0-tune-weights.ipynb", "3.0-diagnose.ipynb")
MIN_PNG_BYTES = 8_000  # an empty 640 x 480 figure saves to about 2-5 KB


def test_stored_notebooks_are_stripped_and_start_with_text_then_parameters():
    for name in NAMES:
        notebook = nbformat.read(NOTEBOOKS / name, as_version=4)
        nbformat.validate(notebook)
        code = [cell for cell in notebook.cells if cell.cell_type == "code"]
        assert all(cell.outputs == [] and cell.execution_count is None for cell in code), f"{name} has outputs stored"
        assert notebook.cells[0].cell_type == "markdown" and code[0].source.startswith("# Parameters")
        assert "PROFILES_FILE" in code[0].source
        assert all("def " not in cell.source and "class " not in cell.source for cell in code), f"{name} defines logic"
        assert notebook.metadata.kernelspec.name == "python3"


def run_notebook(name: str) -> tuple[nbformat.NotebookNode, float]:
    notebook = nbformat.read(NOTEBOOKS / name, as_version=4)
    client = NotebookClient(
        notebook, timeout=240, kernel_name="python3", resources={"metadata": {"path": str(NOTEBOOKS)}}
    )
    start = time.perf_counter()
    client.execute()
    return notebook, time.perf_counter() - start


def png_sizes(notebook: nbformat.NotebookNode) -> list[int]:
    return [
        len(base64.b64decode(output["data"]["image/png"]))
        for cell in notebook.cells
        if cell.cell_type == "code"
        for output in cell.outputs
        if "image/png" in output.get("data", {})
    ]


@pytest.mark.slow
def test_notebooks_run_draw_figures_and_write_weights_the_cli_loads(tmp_path, monkeypatch):
    out = tmp_path / "weights"
    # the kernel inherits this process's environment; this interpreter is the venv's, and the kernel
    # spec's "python" resolves to it (jupyter_client substitutes sys.executable)
    monkeypatch.setenv("MATCHMAKER_NOTEBOOK_OUT", str(out))
    monkeypatch.setenv("MATCHMAKER_NOTEBOOK_TRIALS", "40")
    # the demo data: the shipped default weights were learned on the real benchmark, so weights tuned
    # on it would equal them, and the test could not see that a written file changes the ranking
    monkeypatch.setenv("MATCHMAKER_NOTEBOOK_PROFILES", str(C.DEMO_PROFILES))
    monkeypatch.setenv("MATCHMAKER_NOTEBOOK_PAIRS", str(C.DEMO_PAIRS))
    monkeypatch.setenv("MATCHMAKER_NOTEBOOK_SEED", "3")
    monkeypatch.setenv("MATCHMAKER_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("PATH", f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}")
    seconds = {}
    for name in NAMES:
        notebook, seconds[name] = run_notebook(name)
        errors = [
            output for cell in notebook.cells for output in cell.get("outputs", []) if output.output_type == "error"
        ]
        assert not errors, f"{name}: {errors[0]['ename']}: {errors[0]['evalue']}"
        sizes = png_sizes(notebook)
        assert sizes and min(sizes) > MIN_PNG_BYTES, f"{name}: figures {sizes}"
    print(f"notebook run times: {seconds}, total {sum(seconds.values()):.1f} s")

    [written] = out.glob("weights-*.toml")
    tuned, default = load_weights(written), load_weights(C.DEFAULT_WEIGHTS_FILE)
    assert written.name == f"weights-{tuned.version}.toml"
    assert tuned.as_dict() != default.as_dict()
    assert {"data_sha1", "date", "model", "method", "command", "cross_validated_mrr", "de_to_cn_ndcg"} <= set(
        tuned.provenance
    )

    def recommend(*extra: str) -> pd.DataFrame:
        target = tmp_path / f"recs{len(extra)}.csv"
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "matchmaker.cli",
                "recommend",
                str(C.DEMO_PROFILES),
                "--top-k",
                "5",
                "--out",
                str(target),
                "--quiet",
                *extra,
            ],
            capture_output=True,
            text=True,
        )
        assert done.returncode == 0, done.stderr
        return pd.read_csv(target, dtype=str)

    with_tuned, with_default = recommend("--weights", str(written)), recommend()
    assert len(with_tuned) == len(with_default)
    assert (with_tuned["target_id"] != with_default["target_id"]).any()
