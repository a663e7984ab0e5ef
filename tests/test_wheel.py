"""The built wheel works anywhere: installed into a fresh environment with no source tree on the
path, its commands run from an empty folder on the data that ships inside the package."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import sysconfig
import time
import urllib.request
import venv
import zipfile
from pathlib import Path

import pytest
from helpers import REPO, company, write_csv

pytestmark = pytest.mark.slow

SHIPPED = [
    "matchmaker/data/taxonomy/nace_sections.csv",
    "matchmaker/data/glossary/terms_manufacturing.csv",
    "matchmaker/data/models/isa-domain-static/modules.json",
    "matchmaker/data/demo/companies.csv",
    "matchmaker/data/weights/default.toml",
    "matchmaker/data/maps/countries.geojson",
    "matchmaker/locales/zh/interface.toml",
    "matchmaker/exports/templates/dossier.html.j2",
    "matchmaker/store/migrations/env.py",
    "matchmaker/ui/app.py",
    "matchmaker/ui/streamlit_config.toml",
]


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> tuple[Path, dict[str, str], Path]:
    """(environment folder, environment variables, the wheel) of a fresh install of the wheel."""
    root = tmp_path_factory.mktemp("wheel")
    built = subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(root / "dist"), str(REPO)],
        capture_output=True,
        text=True,
    )
    assert built.returncode == 0, built.stdout[-2000:] + built.stderr[-2000:]
    (wheel,) = (root / "dist").glob("isa_matchmaker-*.whl")
    env = root / "env"
    venv.create(env, with_pip=False)
    python = env / "bin" / "python"
    done = subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "--no-index", str(wheel)],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    # The dependencies (torch, streamlit, ...) come from the test environment's site-packages, added as
    # a plain path: its .pth files (among them the editable install of this checkout) are not processed.
    site = Path(
        subprocess.check_output(
            [str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"], text=True
        ).strip()
    )
    (site / "dependencies.pth").write_text(sysconfig.get_path("purelib") + "\n", encoding="utf-8")
    home = root / "home"
    home.mkdir()
    variables = {
        "PATH": f"{env / 'bin'}:/usr/bin:/bin",
        "HOME": str(home),
        "XDG_CACHE_HOME": str(home / ".cache"),
        "XDG_DATA_HOME": str(home / ".local" / "share"),
        "HF_HUB_OFFLINE": "1",
        "LANG": "C.UTF-8",
    }
    return env, variables, wheel


def run(env: Path, variables: dict[str, str], folder: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(env / "bin" / "matchmaker"), *args], cwd=folder, env=variables, capture_output=True, text=True
    )


def test_the_wheel_carries_everything_needed_at_run_time(installed):
    _, _, wheel = installed
    names = set(zipfile.ZipFile(wheel).namelist())
    assert [name for name in SHIPPED if name not in names] == []
    assert not any(name.startswith(("data/", "tests/", "notebooks/", "benchmarks/")) for name in names)


def test_the_package_and_its_data_come_from_the_installed_environment(installed, tmp_path):
    env, variables, _ = installed
    where = subprocess.run(
        [
            str(env / "bin" / "python"),
            "-c",
            "import matchmaker, matchmaker.config as c; print(matchmaker.__file__); print(c.DATA_DIR)",
        ],
        cwd=tmp_path,
        env=variables,
        capture_output=True,
        text=True,
    )
    assert where.returncode == 0, where.stderr
    package, data = where.stdout.split()
    assert Path(package).is_relative_to(env) and Path(data).is_relative_to(env), where.stdout
    assert not Path(package).is_relative_to(REPO)


def test_validate_recommend_and_embed_run_from_an_empty_folder(installed, tmp_path):
    env, variables, _ = installed
    profiles = write_csv(
        tmp_path / "firmen.csv",
        [
            company("DE1", "DE", "Köln", "Wir fertigen Lithium-Batteriezellen für Elektrobusse."),
            company("DE2", "DE", "Aachen", "Wir entwickeln Industrieroboter für die Montage."),
            company("CN1", "CN", "佛山", "公司生产电动客车用锂电池单体。"),
            company("CN2", "CN", "保定", "公司研发用于装配的工业机器人。"),
        ],
    )
    package = next(env.glob("lib/python*/site-packages/matchmaker"))

    def installed_files() -> dict[str, float]:
        return {str(p): p.stat().st_mtime for p in package.rglob("*") if p.is_file() and "__pycache__" not in p.parts}

    before = installed_files()
    checked = run(env, variables, tmp_path, "validate", str(profiles), "--lang", "de")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "4" in checked.stdout
    recommended = run(
        env, variables, tmp_path, "recommend", str(profiles), "--top-k", "1", "--out", "recs.csv", "--quiet"
    )
    assert recommended.returncode == 0, recommended.stderr
    lines = (tmp_path / "recs.csv").read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("source_id,rank,target_id,score") and len(lines) == 5
    assert "DE1,1,CN1" in (tmp_path / "recs.csv").read_text(encoding="utf-8")  # batteries find batteries
    (tmp_path / "texts.txt").write_text("Batteriezelle\n电池单体\nbattery cell\n", encoding="utf-8")
    embedded = run(env, variables, tmp_path, "embed", "texts.txt", "--out", "x.npy")
    assert embedded.returncode == 0, embedded.stderr
    import numpy as np

    vectors = np.load(tmp_path / "x.npy")
    assert vectors.shape[0] == 3 and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)
    assert installed_files() == before  # nothing was written into the installed package


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_the_dashboard_starts_from_the_installed_wheel(installed, tmp_path):
    env, variables, _ = installed
    port = free_port()
    server = subprocess.Popen(
        [str(env / "bin" / "matchmaker"), "dashboard", "--server.headless", "true", "--server.port", str(port)],
        cwd=tmp_path,
        env=variables,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        deadline, health = time.monotonic() + 120, ""
        while time.monotonic() < deadline and server.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as answer:
                    health = answer.read().decode()
                    break
            except OSError:
                time.sleep(0.5)
        assert health == "ok", (
            f"no health answer; exit {server.poll()}: {server.stdout.read() if server.poll() is not None else ''}"
        )
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as answer:
            assert answer.status == 200
    finally:
        if server.poll() is None:
            os.killpg(server.pid, 15)
        output = server.communicate(timeout=30)[0]
    assert "Traceback" not in output, output[-3000:]
