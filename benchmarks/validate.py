"""Validation at scale and the read limits against bombs: time and peak memory of `matchmaker validate`.

    .venv/bin/python benchmarks/validate.py [--rows 100000] [--skip-bombs]

Each case runs `matchmaker validate` in its own process (as a user runs it), so its wall time and
peak memory (max RSS, from wait4) are its own. Cases:

- CSV, Parquet, JSON records, JSON lines and XLSX with N synthetic companies (XLSX with N / 5:
  openpyxl writes it slowly);
- an XLSX of 10 KB with one value at XFD1048576 (the last cell of a sheet), and one at A1048576;
- a zip bomb: an XLSX of a few MB whose sheet unpacks to 1.2 GB (beyond the default 1,000 MB);
- a Parquet file of 2 MB whose one 1 MB description, dictionary-encoded, decodes to 3 GB;
- a 210 MB CSV (beyond the default 200 MB), a 190 MB CSV of 700,000 rows (beyond 500,000) and, for
  the dashboard, a 60 MB upload (beyond its 50 MB).

The issue's bar: 100,000 rows in at most 15 s on 2 cores; every bomb refused in seconds.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

UPLOAD = """
import sys
from pathlib import Path
from matchmaker.io.limits import ReadLimits
from matchmaker.io.profiles import load_profiles_bytes
from matchmaker.errors import ProfileFileError
content = Path(sys.argv[1]).read_bytes()
try:
    limits = ReadLimits(max_bytes=50 * 2**20, max_rows=200_000, max_seconds=120)  # the dashboard's
    load_profiles_bytes(content, "upload.csv", limits=limits)
except ProfileFileError as exc:
    print(exc.report.render("en"))
"""


def run(command: list[str]) -> tuple[float, float, str]:
    """Wall seconds, peak RSS in MB and the output's first two lines of one process."""
    started = time.perf_counter()
    child = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    out = child.stdout.read()
    _, _, usage = os.wait4(child.pid, 0)  # this child's own peak memory
    child.returncode = 0
    seconds = time.perf_counter() - started
    return seconds, usage.ru_maxrss / 1024, " | ".join(line.strip() for line in out.splitlines()[:2])[:220]


def validate(path: Path) -> list[str]:
    return [sys.executable, "-m", "matchmaker.cli", "validate", str(path)]


def synthetic(folder: Path, rows: int) -> dict[str, Path]:
    from matchmaker.io.synthetic import synthetic_profiles

    frame = synthetic_profiles(rows // 2, seed=0)
    paths = {"csv": folder / f"synthetic-{rows}.csv", "parquet": folder / f"synthetic-{rows}.parquet"}
    frame.to_csv(paths["csv"], index=False)
    frame.to_parquet(paths["parquet"], index=False)
    paths["json records"] = folder / f"synthetic-{rows}.json"
    frame.to_json(paths["json records"], orient="records", force_ascii=False)
    paths["json lines"] = folder / f"synthetic-{rows}.jsonl"
    frame.to_json(paths["json lines"], orient="records", lines=True, force_ascii=False)
    paths["xlsx"] = folder / f"synthetic-{rows // 5}.xlsx"
    frame.iloc[::5].to_excel(paths["xlsx"], index=False)
    return paths


def bombs(folder: Path) -> dict[str, Path]:
    import openpyxl
    import pyarrow as pa
    import pyarrow.parquet as pq

    made = {}
    header = ["id", "name", "country", "city", "description"]
    rows = int(next(folder.glob("synthetic-*.csv")).stem.split("-")[1])
    for name, row, column in (("xfd1048576", 1_048_576, 16_384), ("a1048576", 1_048_576, 1)):
        book = openpyxl.Workbook()
        sheet = book.active
        sheet.append(header)
        sheet.append(["DE1", "Rheinwerk", "DE", "Köln", "Getriebe"])
        sheet.append(["CN1", "粤华", "CN", "佛山", "减速器"])
        sheet.cell(row, column, "x")
        made[f"xlsx, one value at {name.upper()}"] = folder / f"{name}.xlsx"
        book.save(made[f"xlsx, one value at {name.upper()}"])
    zipped = folder / "zip-bomb.xlsx"
    source = made["xlsx, one value at A1048576"]
    with zipfile.ZipFile(source) as good, zipfile.ZipFile(zipped, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as bomb:
        for item in good.infolist():
            if not item.filename.startswith("xl/worksheets/"):
                bomb.writestr(item, good.read(item.filename))
                continue
            with bomb.open(item.filename, "w", force_zip64=True) as sheet:
                sheet.write(b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>')
                chunk = b'<row><c t="inlineStr"><is><t>' + b"A" * 2**20 + b"</t></is></c></row>"
                for _ in range(1_200):
                    sheet.write(chunk)
                sheet.write(b"</sheetData></worksheet>")
    made["xlsx zip bomb (1.2 GB unpacked)"] = zipped
    dictionary = folder / "dictionary-bomb.parquet"
    ids = pa.array([f"DE{i}" for i in range(3_000)])
    description = pa.DictionaryArray.from_arrays(pa.array([0] * 3_000, pa.int32()), pa.array(["x" * 2**20]))
    table = pa.table({"id": ids, "name": ids, "country": ["DE"] * 3_000, "city": ["Köln"] * 3_000})
    pq.write_table(table.append_column("description", description), dictionary)
    made["parquet dictionary bomb (3 GB decoded)"] = dictionary
    large = folder / "large.csv"
    with large.open("wb") as handle:
        handle.write(b"id,name,country,city,description\n")
        handle.truncate(210 * 2**20)  # a sparse file: the size is what is checked first
    made["csv of 210 MB"] = large
    repeated = folder / "repeated.csv"
    head, body = (folder / f"synthetic-{rows}.csv").read_bytes().split(b"\n", 1)
    with repeated.open("wb") as handle:  # 700,000 rows, 190 MB: within the size limit, beyond the rows
        handle.write(head + b"\n" + body * max(1, 700_000 // rows))
    made["csv of 190 MB, 700,000 rows"] = repeated
    upload = folder / "upload.csv"
    with upload.open("wb") as handle:
        line = b"DE1,A,DE,K\xc3\xb6ln,x\n"
        handle.write(b"id,name,country,city,description\n" + line * (60 * 2**20 // len(line)))
    made["dashboard upload of 60 MB"] = upload
    return made


def make(folder: Path, rows: int, with_bombs: bool) -> None:
    """Write the files into ``folder`` and their names to ``cases.tsv``. Run in a process of its own:
    a child forked from a large parent reports the parent's peak RSS as its own."""
    cases = {f"{kind}, {path.stem.split('-')[-1]} rows": path for kind, path in synthetic(folder, rows).items()}
    if with_bombs:
        cases |= bombs(folder)
    (folder / "cases.tsv").write_text("".join(f"{name}\t{path}\n" for name, path in cases.items()), encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--skip-bombs", action="store_true")
    parser.add_argument("--make", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.make:
        make(args.make, args.rows, not args.skip_bombs)
        return
    print(f"{os.cpu_count()} cores; Python {sys.version.split()[0]}")
    with tempfile.TemporaryDirectory(prefix="isa-validate-") as folder:
        folder = Path(folder)
        extra = ["--skip-bombs"] if args.skip_bombs else []
        subprocess.run([sys.executable, __file__, "--make", str(folder), "--rows", str(args.rows), *extra], check=True)
        lines = (folder / "cases.tsv").read_text(encoding="utf-8").splitlines()
        print(f"{'case':42} {'file':>9} {'seconds':>8} {'peak MB':>8}  result")
        for name, path in (line.split("\t") for line in lines):
            path = Path(path)
            command = validate(path)
            if name.startswith("dashboard"):
                command = [sys.executable, "-c", UPLOAD, str(path)]
            seconds, peak, result = run(command)
            size = path.stat().st_blocks * 512 if name.startswith("csv of") else path.stat().st_size
            print(f"{name:42} {size / 2**20:8.1f}M {seconds:8.1f} {peak:8.0f}  {result}")


if __name__ == "__main__":
    main()
