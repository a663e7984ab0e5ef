"""The commands outside tools call (the README's commands), run as a user would run them."""

import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from helpers import write_csv

from matchmaker import config as C
from matchmaker import vocab as V
from matchmaker.scoring.components import COMPONENTS


def matchmaker(*args: str, env_cache=None) -> subprocess.CompletedProcess:
    env = None
    if env_cache is not None:
        import os

        env = {**os.environ, "MATCHMAKER_CACHE_DIR": str(env_cache)}
    return subprocess.run([sys.executable, "-m", "matchmaker.cli", *args], capture_output=True, text=True, env=env)


@pytest.mark.slow
def test_recommend_on_the_demo_data_follows_the_contract(tmp_path):
    out = tmp_path / "recs.csv"
    done = matchmaker(
        "recommend", str(C.DEMO_PROFILES), "--top-k", "5", "--out", str(out), "--quiet", env_cache=tmp_path / "cache"
    )
    assert done.returncode == 0, done.stderr
    table = pd.read_csv(out, dtype={V.SOURCE_ID: str, V.TARGET_ID: str})
    profiles = pd.read_csv(C.DEMO_PROFILES, dtype=str)
    assert list(table.columns[:4]) == [V.SOURCE_ID, V.RANK, V.TARGET_ID, V.SCORE]
    assert set(table.columns[4:]) <= set(COMPONENTS)
    assert np.allclose(table.iloc[:, 4:].sum(axis=1), table[V.SCORE], atol=1e-5)
    assert len(table) == 5 * len(profiles) and set(table[V.SOURCE_ID]) == set(profiles["id"])
    assert (table[V.RANK].between(1, 5)).all()
    # a second run reads every vector from the cache and gives the same file
    again = tmp_path / "again.csv"
    assert (
        matchmaker(
            "recommend",
            str(C.DEMO_PROFILES),
            "--top-k",
            "5",
            "--out",
            str(again),
            "--quiet",
            env_cache=tmp_path / "cache",
        ).returncode
        == 0
    )
    assert out.read_bytes() == again.read_bytes()
    # the two stages with every company of the other side as a candidate give the exact table
    staged = tmp_path / "staged.csv"
    done = matchmaker(
        "recommend",
        str(C.DEMO_PROFILES),
        *("--top-k", "5", "--out", str(staged), "--quiet", "--ranking", "two-stage"),
        *("--candidates", "157", "--index", "flat"),
        env_cache=tmp_path / "cache",
    )
    assert done.returncode == 0, done.stderr
    exact = table.sort_values([V.SOURCE_ID, V.RANK], ignore_index=True)
    two_stage = pd.read_csv(staged, dtype={V.SOURCE_ID: str, V.TARGET_ID: str})
    two_stage = two_stage.sort_values([V.SOURCE_ID, V.RANK], ignore_index=True)
    assert (exact[V.TARGET_ID] == two_stage[V.TARGET_ID]).all()
    assert np.allclose(exact[V.SCORE], two_stage[V.SCORE], atol=1e-6)


def test_recommend_without_optional_columns(tmp_path):
    rows = [
        {
            "id": "D1",
            "name": "A",
            "country": "Deutschland",
            "city": "Aachen",
            "description": "Wir bauen Windkraftanlagen.",
        },
        {"id": "C1", "name": "B", "country": "中国", "city": "兰州", "description": "公司制造风力发电机组。"},
        {"id": "C2", "name": "C", "country": "China", "city": "Shanghai", "description": "我们生产中成药。"},
    ]
    out = tmp_path / "recs.csv"
    done = matchmaker(
        "recommend",
        str(write_csv(tmp_path / "p.csv", rows)),
        "--top-k",
        "3",
        "--out",
        str(out),
        "--no-cache",
        "--quiet",
        "--lang",
        "zh",
    )
    assert done.returncode == 0, done.stderr
    assert f"已将 3 家企业的 4 条建议写入 {out}" in done.stderr  # the summary follows --lang
    table = pd.read_csv(out)
    assert len(table) == 2 + 2  # D1 gets both Chinese companies; each Chinese company gets D1
    assert table.loc[table[V.SOURCE_ID] == "D1", V.TARGET_ID].iloc[0] == "C1"


def test_recommend_on_one_country_says_why_and_writes_an_empty_table(tmp_path):
    rows = [
        {"id": f"D{i}", "name": f"Firma {i}", "country": "DE", "city": "Köln", "description": text}
        for i, text in enumerate(["Wir bauen Windkraftanlagen.", "Wir fertigen Batteriezellen."])
    ]
    out = tmp_path / "recs.csv"
    done = matchmaker("recommend", str(write_csv(tmp_path / "p.csv", rows)), "--top-k", "3", "--out", str(out),
                      "--no-cache", "--quiet", "--lang", "de")  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "Alle Unternehmen stammen aus Deutschland" in done.stderr and "Traceback" not in done.stderr
    assert "1 Warnung zu " in done.stderr and "p.csv --lang de` zeigt sie an." in done.stderr
    assert "0 Vorschläge für 0 Unternehmen in " in done.stderr
    table = pd.read_csv(out)
    assert table.empty and list(table.columns[:4]) == [V.SOURCE_ID, V.RANK, V.TARGET_ID, V.SCORE]


def test_recommend_refuses_a_bad_file_with_its_report(tmp_path):
    path = write_csv(tmp_path / "p.csv", [{"id": "1", "name": "A", "city": "Köln", "description": "x"}])
    done = matchmaker("recommend", str(path), "--top-k", "3", "--out", str(tmp_path / "o.csv"))
    assert done.returncode != 0 and "Traceback" not in done.stderr and "country" in done.stderr
    assert not (tmp_path / "o.csv").exists()


@pytest.mark.slow
def test_evaluate_prints_every_figure_next_to_its_baselines(tmp_path):
    done = matchmaker("evaluate", str(C.DEMO_PROFILES), str(C.DEMO_PAIRS), "--k", "10", env_cache=tmp_path / "cache")
    assert done.returncode == 0, done.stderr
    for expected in ("random", "sector codes only", "matcher", "de_to_cn", "cn_to_de", "recall@10", "mrr", "ndcg@10"):
        assert expected in done.stdout


def test_export_is_spreadsheet_safe_and_respects_consent(tmp_path):
    rows = [
        {
            "id": "D1",
            "name": "Rhein GmbH",
            "country": "DE",
            "city": "Köln",
            "description": "Wir bauen Schweißroboter.",
            "contact_name": "Frau Geheim",
            "contact_email": "geheim@rhein.example",
            "contact_consent": "nein",
        },
        {
            "id": "C1",
            "name": '=HYPERLINK("http://x.example")',
            "country": "CN",
            "city": "佛山",
            "description": "公司生产焊接机器人。",
            "contact_name": "王经理",
            "contact_email": "wang@c1.example",
            "contact_consent": "是",
        },
        {
            "id": "C2",
            "name": "@SUM(A1)",
            "country": "CN",
            "city": "佛山",
            "description": "+机器人焊接工作站",
            "contact_name": "李经理",
            "contact_email": "li@c2.example",
            "contact_consent": "否",
        },
    ]
    profiles = write_csv(tmp_path / "p.csv", rows)
    for suffix in ("csv", "xlsx"):
        out = tmp_path / f"shortlist.{suffix}"
        done = matchmaker(
            "export", str(profiles), "--company", "D1", "--top-k", "2", "--out", str(out), "--no-cache", "--lang", "de"
        )
        assert done.returncode == 0, done.stderr
        table = (
            pd.read_csv(out, dtype=str, keep_default_na=False)
            if suffix == "csv"
            else pd.read_excel(out, dtype=str, keep_default_na=False)
        )
        assert set(table["partner_id"]) == {"C1", "C2"}
        for value in table.to_numpy().ravel():
            assert not str(value).startswith(("=", "+", "-", "@")), value
        contacts = table.set_index("partner_id")
        assert contacts.loc["C1", "contact_email"] == "wang@c1.example"
        assert contacts.loc["C2", "contact_email"] == "" and "li@c2" not in out.read_bytes().decode("latin-1")
    back = matchmaker(
        "export", str(profiles), "--company", "C1", "--top-k", "1", "--out", str(tmp_path / "c1.csv"), "--no-cache"
    )
    assert back.returncode == 0, back.stderr
    assert "geheim" not in (tmp_path / "c1.csv").read_text(encoding="utf-8-sig")
    unknown = matchmaker(
        "export", str(profiles), "--company", "X9", "--top-k", "1", "--out", str(tmp_path / "x.csv"), "--no-cache"
    )
    assert unknown.returncode == 2 and "X9" in unknown.stderr and "Traceback" not in unknown.stderr

    dossier = tmp_path / "dossier.html"
    done = matchmaker(
        "export", str(profiles), "--company", "D1", "--top-k", "2", "--out", str(dossier), "--no-cache", "--lang", "de"
    )
    assert done.returncode == 0, done.stderr
    page = dossier.read_text(encoding="utf-8")
    assert "Partnerdossier / 合作伙伴资料册" in page and "Rhein GmbH" in page
    assert "wang@c1.example" in page and "li@c2.example" not in page and "geheim@rhein.example" not in page
    assert "=HYPERLINK(&#34;http://x.example&#34;)" in page  # shown as text
    wrong = matchmaker("export", str(profiles), "--company", "D1", "--out", str(tmp_path / "x.pdf"), "--no-cache")
    assert wrong.returncode == 2 and ".csv, .xlsx or .html" in wrong.stderr


def test_saved_shortlist_and_outcomes_leave_through_the_cli(tmp_path, private_database):
    from matchmaker.io.pairs import load_pairs
    from matchmaker.store.shortlists import ShortlistStore

    store = ShortlistStore.open(private_database)
    trip = store.create_shortlist("Reise nach 佛山", author="Anna Weber", dataset="demo")
    store.add_entry(trip.id, "DE0001", "CN0001", source_name="Lautertal", target_name="恒顺")
    store.add_entry(trip.id, "=DE404", "CN0001", source_name="=Gone GmbH", target_name="恒顺")
    store.update_note(store.entries(trip.id)[0].id, "@Termin 12.5.", 1)
    store.record_outcome("DE0001", "CN0001", "met")
    store.record_outcome("=DE404", "CN0001", "agreement")

    listed = matchmaker("shortlists")
    assert listed.returncode == 0 and f"{trip.id}\tReise nach 佛山\tAnna Weber\t2 entries" in listed.stdout
    out = tmp_path / "trip.csv"
    done = matchmaker(
        "shortlist", str(trip.id), str(C.DEMO_PROFILES), "--out", str(out), "--lang", "de", env_cache=tmp_path / "c"
    )
    assert done.returncode == 0, done.stderr
    assert "1 von 2 Paaren stehen nicht in" in done.stderr
    assert f"Merkliste {trip.id} (2 Paare) in {out} geschrieben" in done.stderr
    table = pd.read_csv(out, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    assert list(table["note"]) == ["'@Termin 12.5.", ""] and list(table["status"]) == ["getroffen", "Vereinbarung"]
    assert (
        table["company_id"].iloc[1] == "'=DE404" and table["score"].iloc[1] == "" and table["partner"].iloc[1] == "恒顺"
    )

    labels = tmp_path / "labels.csv"
    assert matchmaker("outcomes", "--out", str(labels)).returncode == 0
    pairs = load_pairs(labels)  # spreadsheet-safe on disk, ids exactly as recorded when read back
    assert sorted(zip(pairs["de_id"], pairs["grade"])) == [("=DE404", 3.0), ("DE0001", 2.0)]
    missing = matchmaker("shortlist", "999", str(C.DEMO_PROFILES), "--out", str(out))
    assert missing.returncode == 2 and "matchmaker shortlists" in missing.stderr


def test_generate_writes_valid_synthetic_profiles(tmp_path):
    out = tmp_path / "synthetic.csv"
    assert matchmaker("generate", "--n", "50", "--out", str(out)).returncode == 0
    done = matchmaker("validate", str(out))
    assert done.returncode == 0 and "100 companies usable (50 German, 50 Chinese)" in done.stdout
    german = matchmaker("generate", "--n", "1", "--out", str(tmp_path / "two.csv"), "--lang", "de")
    assert "2 synthetische Profile in" in german.stderr


@pytest.mark.slow
def test_evaluate_with_bootstrap_prints_intervals(tmp_path):
    done = matchmaker(
        "evaluate",
        str(C.DEMO_PROFILES),
        str(C.DEMO_PAIRS),
        "--bootstrap",
        "200",
        "--seed",
        "1",
        env_cache=tmp_path / "cache",
    )
    assert done.returncode == 0, done.stderr
    assert "95% bootstrap intervals" in done.stdout
    line = next(row for row in done.stdout.splitlines() if row.strip().startswith("matcher"))
    value, low, high = (
        float(x) for x in __import__("re").findall(r"(\d\.\d{3}) \[(\d\.\d{3}), (\d\.\d{3})\]", line)[0]
    )
    assert low <= value <= high and high - low > 0.005


@pytest.mark.slow
def test_compare_and_tune_write_and_weigh_weights(tmp_path):
    semantic_only = tmp_path / "semantic.toml"
    semantic_only.write_text('version = "semantic-only"\n[weights]\nsemantic = 1.0\n', encoding="utf-8")
    done = matchmaker(
        "compare",
        str(C.DEMO_PROFILES),
        str(C.DEMO_PAIRS),
        "--weights",
        str(semantic_only),
        "--bootstrap",
        "500",
        env_cache=tmp_path / "cache",
    )
    assert done.returncode == 0, done.stderr
    table = pd.read_fwf(__import__("io").StringIO(done.stdout.split("\n", 1)[1]))
    ndcg = table[table["metric"] == "ndcg@10"]
    assert len(ndcg) == 2 and (ndcg["high"] < 0).all()  # the tuned default beats text similarity alone
    assert "candidate semantic-only minus baseline" in done.stdout

    tuned = matchmaker(
        "tune",
        str(C.DEMO_PROFILES),
        str(C.DEMO_PAIRS),
        "--out",
        str(tmp_path / "weights"),
        "--method",
        "search",
        "--trials",
        "20",
        "--seed",
        "4",
        env_cache=tmp_path / "cache",
    )
    assert tuned.returncode == 0, tuned.stderr
    from matchmaker.scoring.weights import load_weights

    [written] = (tmp_path / "weights").glob("weights-*.toml")
    weights = load_weights(written)
    assert written.name == f"weights-{weights.version}.toml"
    from matchmaker.evaluation.tuning import data_digest

    assert (
        weights.provenance["data_sha1"] == data_digest(C.DEMO_PROFILES, C.DEMO_PAIRS)
        and "--trials 20" in weights.provenance["command"]
    )

    learned = matchmaker(
        "tune",
        str(C.DEMO_PROFILES),
        str(C.DEMO_PAIRS),
        "--out",
        str(tmp_path / "learned"),
        env_cache=tmp_path / "cache",
    )
    assert learned.returncode == 0, learned.stderr  # the default method, as the shipped weights were made
    [written] = (tmp_path / "learned").glob("weights-*.toml")
    method = load_weights(written).provenance["method"]
    assert "listwise" in method and "cross-validation by company" in method, method

    missing = matchmaker("compare", str(C.DEMO_PROFILES), str(tmp_path / "none.csv"))
    assert missing.returncode == 2 and "does not exist" in missing.stderr and "Traceback" not in missing.stderr
