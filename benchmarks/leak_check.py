"""Does any profile of a labelled benchmark name its partner?

    .venv/bin/python benchmarks/leak_check.py [data/benchmarks/real-partnerships]

Prints every leak (company, partner, column, the spelling found) and exits 1 when there is one.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

from matchmaker import config
from matchmaker.evaluation.leaks import partner_name_leaks


def main() -> int:
    folder = Path(sys.argv[1]) if len(sys.argv) > 1 else config.DATA_DIR / "benchmarks" / "real-partnerships"
    companies = pd.read_csv(folder / "companies.csv", dtype=str, keep_default_na=False)
    pairs = pd.read_csv(folder / "pairs.csv", dtype=str, keep_default_na=False)
    leaks = partner_name_leaks(companies, pairs)
    print(f"{len(pairs)} pairs, {len(companies)} companies: {len(leaks)} leaks")
    if len(leaks):
        print(leaks.to_string(index=False))
    return 1 if len(leaks) else 0


if __name__ == "__main__":
    sys.exit(main())
