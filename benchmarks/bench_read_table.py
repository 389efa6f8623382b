"""Benchmark aidcalc.io.read_table on a user's pledge table (generated here).

Usage: .venv/bin/python benchmarks/bench_read_table.py [--quick]

Writes a 200,000-row CSV (``--quick``: 50,000) of six columns as analysts keep them (donor
names, ISO dates, amounts with thousands separators, a currency, a free-text description, a
category) and measures, in this process, ``read_table`` (the header found, amounts read in the
locale, total and note rows looked for, donor names resolved, the pledge frame checked, the
rejected-rows report) against ``pandas.read_csv`` of the same file as text (the reading alone:
the bound no reader can beat). No target: the figure to watch is the ratio between runs.
"""

from __future__ import annotations

import sys
import tempfile
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import best_of_cpu, load

DONORS = ["Canada", "France", "Germany", "Italy", "Japan", "United Kingdom", "United States"]
CATEGORIES = ["energy", "demining", "reconstruction", "humanitarian", "budget_support", "other"]


def make_file(path: Path, rows: int) -> None:
    rng = np.random.default_rng(1)
    frame = pd.DataFrame(
        {
            "donor": rng.choice(DONORS, rows),
            "date": pd.Timestamp("2022-02-24")
            + pd.to_timedelta(rng.integers(0, 1400, rows), unit="D"),
            "amount": [f"{v:,}" for v in rng.integers(1_000, 10_000_000_000, rows)],
            "currency": rng.choice(["EUR", "USD", "JPY", "GBP", "CAD"], rows),
            "description": [f"project number {i} for energy" for i in range(rows)],
            "category": rng.choice(CATEGORIES, rows),
        }
    )
    frame["date"] = frame["date"].dt.strftime("%Y-%m-%d")
    frame.to_csv(path, index=False)


def main() -> None:
    from aidcalc.io import read_table

    rows = 50_000 if "--quick" in sys.argv else 200_000
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "pledges.csv"
        make_file(path, rows)
        print(f"{rows:,} rows, {path.stat().st_size / 1e6:.0f} MB; before: {load()}")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            read_table(path)  # the lookups used per file (donor names, CLDR data), once
            ours = best_of_cpu(lambda: read_table(path, return_rejected=True))
        bound = best_of_cpu(lambda: pd.read_csv(path, dtype=str, keep_default_na=False))
        print(f"read_table       {ours[0]:.3f} s wall, {ours[1]:.3f} s CPU")
        print(f"pandas.read_csv  {bound[0]:.3f} s wall, {bound[1]:.3f} s CPU (text only)")
        print(f"ratio {ours[1] / bound[1]:.1f}x CPU; after: {load()}")


if __name__ == "__main__":
    main()
