"""The platform's commands end to end: agencies, accounts (password on standard input), import with
review and undo, erasure, introductions, the audit log, --registry where PROFILES is asked for;
every bad input a message and an exit code, never a traceback."""

from __future__ import annotations

import io
import subprocess
import sys

import pandas as pd
import pytest
from helpers import REPO, company, write_csv

from matchmaker.cli import main

PASSWORD = "correct horse battery"


def run(capsys, monkeypatch, *argv: str, stdin: str = "") -> tuple[int, str, str]:
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def alliance(capsys, monkeypatch):
    for argv in (
        (
            "agency",
            "add",
            "hamburg",
            "--name",
            "Hamburg Invest",
            "--country",
            "DE",
            "--name-zh",
            "汉堡投资促进局",
            "--city",
            "Hamburg",
        ),
        ("agency", "add", "foshan", "--name", "佛山市投资促进局", "--country", "CN", "--name-en", "Foshan IPB"),
    ):
        assert run(capsys, monkeypatch, *argv)[0] == 0
    for login, agency, role in (
        ("anna", "hamburg", "editor"),
        ("li", "foshan", "editor"),
        ("vic", "hamburg", "viewer"),
    ):
        code, out, err = run(
            capsys, monkeypatch, "user", "add", login, "--agency", agency, "--role", role, stdin=PASSWORD + "\n"
        )
        assert code == 0, err
        assert PASSWORD not in out + err


def test_agencies_and_accounts(capsys, monkeypatch, alliance):
    code, out, _ = run(capsys, monkeypatch, "agency", "list")
    assert code == 0 and "hamburg\tHamburg Invest\tDE\tHamburg\t汉堡投资促进局" in out
    code, out, _ = run(capsys, monkeypatch, "user", "list")
    assert code == 0 and "anna\thamburg\teditor" in out and "li\tfoshan\teditor" in out
    code, _, err = run(capsys, monkeypatch, "user", "add", "bob", "--agency", "hamburg", "--role", "editor", stdin="")
    assert code == 2 and "standard input" in err
    code, _, err = run(
        capsys, monkeypatch, "user", "add", "bob", "--agency", "nowhere", "--role", "editor", stdin=PASSWORD
    )
    assert code == 2 and "There is no agency 'nowhere'" in err and "Traceback" not in err
    code, _, err = run(capsys, monkeypatch, "agency", "add", "Bad Key!", "--name", "x", "--country", "DE")
    assert code == 2 and "agency key" in err
    code, _, err = run(capsys, monkeypatch, "user", "list", "--as", "anna", stdin="wrong password\n")
    assert code == 2 and "Wrong login or password" in err
    code, _, err = run(capsys, monkeypatch, "user", "list", "--as", "anna", stdin=PASSWORD + "\n")
    assert code == 2 and "agency-admin" in err


def test_import_review_reimport_undo_and_other_agencys_ids(capsys, monkeypatch, alliance, tmp_path):
    first = write_csv(
        tmp_path / "hh.csv",
        [company("DE1", "DE", "Hamburg", "Wir bauen Windkraftgetriebe."), company("DE2", "DE", "Hamburg", "Robotik.")],
    )
    code, out, err = run(
        capsys, monkeypatch, "import", str(first), "--agency", "hamburg", "--as", "anna", stdin=PASSWORD + "\n"
    )
    assert code == 0, err
    assert "2 added, 0 changed, 0 unchanged, 0 refused" in out
    code, out, _ = run(capsys, monkeypatch, "import", str(first), "--agency", "hamburg")
    assert code == 0 and "0 added, 0 changed, 2 unchanged" in out
    changed = write_csv(
        tmp_path / "hh2.csv",
        [company("DE1", "DE", "Hamburg", "Neu: Getriebe und Lager."), company("DE3", "DE", "Hamburg", "Sensorik.")],
    )
    code, out, _ = run(capsys, monkeypatch, "import", str(changed), "--agency", "hamburg")
    import_id = out.split()[1]
    assert "1 added, 1 changed" in out
    code, out, _ = run(capsys, monkeypatch, "import", "--review", import_id)
    assert sorted(out.splitlines()) == ["DE1\tchanged", "DE3\tadded"]
    code, out, _ = run(capsys, monkeypatch, "import", "--undo", import_id)
    assert code == 0 and "1 companies removed, 1 restored" in out
    code, out, _ = run(capsys, monkeypatch, "imports", "--agency", "hamburg")
    assert len(out.splitlines()) == 3 and "undone" in out.splitlines()[0]

    foreign = write_csv(tmp_path / "fs.csv", [company("DE1", "CN", "佛山", "抢注的编号。")])
    code, out, err = run(
        capsys, monkeypatch, "import", str(foreign), "--agency", "foshan", "--as", "li", stdin=PASSWORD + "\n"
    )
    assert code == 1 and "1 refused" in out and "belongs to agency 'hamburg'" in err
    code, _, err = run(
        capsys, monkeypatch, "import", str(first), "--agency", "foshan", "--as", "anna", stdin=PASSWORD + "\n"
    )
    assert code == 2 and "agency 'foshan'" in err
    code, _, err = run(
        capsys, monkeypatch, "import", str(first), "--agency", "hamburg", "--as", "vic", stdin=PASSWORD + "\n"
    )
    assert code == 2 and "only reads" in err
    broken = tmp_path / "broken.csv"
    broken.write_text("name,city\nx,y\n", encoding="utf-8")
    code, _, err = run(capsys, monkeypatch, "import", str(broken), "--agency", "hamburg")
    assert code == 1 and "Traceback" not in err
    code, _, err = run(capsys, monkeypatch, "import", "--agency", "hamburg")
    assert code == 2 and "Expected PROFILES and --agency" in err


def test_introductions_erasure_audit_and_the_registry_for_recommend(capsys, monkeypatch, alliance, tmp_path):
    hh = write_csv(
        tmp_path / "hh.csv",
        [
            company(
                "DE1",
                "DE",
                "Hamburg",
                "Wir fertigen Lithium-Ionen-Batteriezellen.",
                contact_name="Jan Peters",
                contact_email="jan@hh.example",
                contact_consent="ja",
            )
        ],
    )
    fs = write_csv(
        tmp_path / "fs.csv",
        [
            company(
                "CN1",
                "CN",
                "佛山",
                "公司生产锂离子电池单体和电池模组。",
                contact_name="王芳",
                contact_email="wang@fs.example",
                contact_consent="是",
            )
        ],
    )
    assert run(capsys, monkeypatch, "import", str(hh), "--agency", "hamburg")[0] == 0
    assert run(capsys, monkeypatch, "import", str(fs), "--agency", "foshan")[0] == 0
    code, out, err = run(capsys, monkeypatch, "introduce", "DE1", "CN1", "--as", "anna", stdin=PASSWORD + "\n")
    assert code == 0, err
    intro = out.split()[1]
    code, out, _ = run(capsys, monkeypatch, "contacts", intro, "--as", "anna", stdin=PASSWORD + "\n")
    assert "jan@hh.example" in out and "wang@fs.example" not in out
    code, _, err = run(capsys, monkeypatch, "answer", intro, "--accept", "--as", "anna", stdin=PASSWORD + "\n")
    assert code == 2 and "agency 'foshan'" in err
    code, out, err = run(capsys, monkeypatch, "introductions", "--as", "li", stdin=PASSWORD + "\n")
    assert "1 open proposal for agency foshan" in err and "proposed" in out
    assert (
        run(capsys, monkeypatch, "answer", intro, "--accept", "--note", "欢迎", "--as", "li", stdin=PASSWORD + "\n")[0]
        == 0
    )
    code, out, _ = run(capsys, monkeypatch, "contacts", intro, "--as", "anna", stdin=PASSWORD + "\n")
    assert "wang@fs.example" in out and "王芳" in out
    assert run(capsys, monkeypatch, "progress", intro, "met", "--as", "li", stdin=PASSWORD + "\n")[0] == 0

    recs = tmp_path / "recs.csv"
    code, _, err = run(
        capsys,
        monkeypatch,
        "recommend",
        "--registry",
        "--no-demo",
        "--top-k",
        "1",
        "--out",
        str(recs),
        "--model",
        "isa-domain",
        "--no-cache",
        "--quiet",
    )
    assert code == 0, err
    assert set(pd.read_csv(recs)["source_id"]) == {"DE1", "CN1"}
    code, _, err = run(capsys, monkeypatch, "recommend", str(hh), "--registry", "--out", str(recs))
    assert code == 2 and "not both" in err

    code, _, err = run(capsys, monkeypatch, "erase", "CN1", "--as", "li", stdin=PASSWORD + "\n")
    assert code == 2 and "agency-admin" in err
    code, _, err = run(capsys, monkeypatch, "erase", "CN1")
    assert code == 0 and "erased" in err
    out_file = tmp_path / "audit.csv"
    code, _, err = run(capsys, monkeypatch, "audit", "--out", str(out_file), "--lang", "de")
    assert code == 0 and "Zeilen des Prüfprotokolls in" in err
    audit = pd.read_csv(out_file)
    assert {"import", "introduction.propose", "introduction.accepted", "company.erase"} <= set(audit["action"])
    assert not audit.astype(str).apply(lambda c: c.str.contains("CN1|王芳|wang@fs")).any().any()
    code, _, err = run(capsys, monkeypatch, "audit", "--out", str(out_file), "--as", "anna", stdin=PASSWORD + "\n")
    assert code == 2 and "alliance-admin" in err


def test_the_installed_command_reads_the_password_from_standard_input(tmp_path, private_database):
    command = [sys.executable, "-m", "matchmaker.cli"]
    env = {"PATH": "/usr/bin:/bin", "MATCHMAKER_DATABASE_URL": private_database, "HOME": str(tmp_path)}
    done = subprocess.run(
        [*command, "agency", "add", "koeln", "--name", "KölnBusiness", "--country", "DE"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    done = subprocess.run(
        [*command, "user", "add", "eva", "--agency", "koeln", "--role", "agency-admin"],
        cwd=REPO,
        env=env,
        input=PASSWORD + "\n",
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0 and PASSWORD not in done.stdout + done.stderr
    done = subprocess.run(
        [*command, "user", "list", "--as", "eva"],
        cwd=REPO,
        env=env,
        input=PASSWORD + "\n",
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0 and "eva\tkoeln\tagency-admin" in done.stdout


def test_empty_listings_say_so_and_how_to_fill_them(capsys, monkeypatch):
    """A new database: the listings print no rows (stdout stays a clean table) and say on stderr that
    there is nothing yet and which command adds the first."""
    for argv, said in (
        (("agency", "list"), "matchmaker agency add"),
        (("user", "list"), "matchmaker user add"),
        (("imports",), "matchmaker import"),
    ):
        code, out, err = run(capsys, monkeypatch, *argv)
        assert code == 0 and out == "" and said in err, (argv, out, err)
