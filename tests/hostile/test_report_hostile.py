"""Hostile output folders and inputs for ``aidcalc report``, each in a subprocess under limits.

A symbolic link planted in the output folder, an empty ``--out``, a stale ``rejected.csv`` from
an earlier run, and a Parquet file whose categorical (dictionary) columns hold formulas.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from ._harness import assert_clear_error, run_case

#: a small Kiel-shaped pledge frame, built inside each case
_FRAME = """
import pandas as pd
def frame():
    return pd.DataFrame({
        "donor": ["DEU", "USA", "JPN", "FRA"],
        "announced": pd.to_datetime(["2023-03-01", "2023-04-01", "2023-06-01", "2023-07-01"]),
        "amount": [10e6, 20e6, 7e6, 5e6],
        "currency": "EUR",
        "category": ["military", "budget_support", "humanitarian", "energy"],
        "status": "allocated",
        "recipient": "UKR",
    })
"""


def test_symlink_in_out_is_refused_and_the_target_untouched(tmp_path: Path) -> None:
    outside = tmp_path / "outside.csv"
    outside.write_text("precious\n", encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    (out / "pledges.csv").symlink_to(outside)
    (out / "index.html").symlink_to(tmp_path / "nowhere.html")  # dangling: still a link
    outcome = run_case(
        _FRAME + f"""
from aidcalc._report._build import build_report
result = build_report(frame(), out={str(out)!r}, prices="none")
""",
        timeout=60,
    )
    assert_clear_error(outcome, "ReportError", mentions=("symbolic link", "index.html",
                                                          "pledges.csv", "--out"))
    assert outside.read_text(encoding="utf-8") == "precious\n"
    assert not (tmp_path / "nowhere.html").exists()
    assert sorted(p.name for p in out.iterdir()) == ["index.html", "pledges.csv"]


def test_empty_out_is_refused_by_the_command(tmp_path: Path) -> None:
    outcome = run_case(
        """
import sys
from aidcalc._report._cli import main
result = main(["report", "--out", "", "--prices", "none"])
""",
        timeout=60,
        cwd=tmp_path,
    )
    assert outcome.ok, outcome.describe()
    assert outcome.result == "2"  # a value no input could make right: a usage error
    assert "aidcalc: error: --out is empty" in outcome.stderr
    assert list(tmp_path.iterdir()) == []  # nothing written into the current folder


def test_stale_rejected_csv_does_not_survive_a_clean_run(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    # a rejected.csv from an older aidcalc (no manifest) and an extra file aidcalc once wrote
    (out / "rejected.csv").write_text("reason\nstale row\n", encoding="utf-8")
    outcome = run_case(
        _FRAME + f"""
import warnings
import pandas as pd
from aidcalc._report._build import build_report
bad = frame()
bad.loc[3, "announced"] = pd.NaT  # left out: listed in rejected.csv
with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    first = build_report(bad, out={str(out)!r}, prices="dac")
n_first = len(pd.read_csv({str(out / "rejected.csv")!r}))
second = build_report(frame(), out={str(out)!r}, prices="dac")
result = (n_first, len(pd.read_csv({str(out / "rejected.csv")!r})), len(second.left_out))
""",
        timeout=120,
    )
    assert outcome.ok, outcome.describe()
    assert outcome.result == "(1, 0, 0)"
    assert "stale row" not in (out / "rejected.csv").read_text(encoding="utf-8")


def test_parquet_with_categorical_formulas_exports_no_formula(tmp_path: Path) -> None:
    pytest.importorskip("pyarrow")
    pytest.importorskip("openpyxl")
    source = tmp_path / "pledges.parquet"
    out = tmp_path / "out"
    outcome = run_case(
        _FRAME + f"""
import csv, re
import pandas as pd
from openpyxl import load_workbook
from aidcalc._report._build import build_report
f = frame()
payloads = ["=HYPERLINK(\\"http://evil.example\\",\\"x\\")", "Aid\\r@SUM(1+1)",
            "+cmd|' /C calc'!A0", "ok\\n-2+3"]
f["description"] = pd.Categorical(payloads)
f["source_title"] = pd.Categorical(payloads[::-1])
f["donor_name"] = pd.Categorical(["@x", "=y", "fine", "-z"])
f["=formula_column"] = pd.Categorical(payloads)
f.to_parquet({str(source)!r})
report = build_report({str(source)!r}, out={str(out)!r}, prices="none")
breaks = re.compile("[\\n\\r\\v\\f\\x1c\\x1d\\x1e\\x85\\u2028\\u2029]")
risky = ("=", "+", "-", "@", "\\t", "\\uff1d", "\\uff0b", "\\uff0d", "\\uff20")
bad = []
cells = 0
for path in sorted(report.out.glob("*.csv")):
    with open(path, newline="", encoding="utf-8") as fh:
        for row in csv.reader(fh):
            for cell in row:
                cells += 1
                if cell.startswith(risky + ("\\r", "\\n")) or any(
                        line.startswith(risky) for line in breaks.split(cell)[1:]):
                    bad.append((path.name, cell))
for path in sorted(report.out.glob("*.xlsx")):
    for row in load_workbook(path).active.iter_rows():
        for c in row:
            if c.data_type == "f":
                bad.append((path.name, c.value))
            if isinstance(c.value, str) and (c.value.startswith(risky) or any(
                    line.startswith(risky) for line in breaks.split(c.value)[1:])):
                bad.append((path.name, c.value))
pledges = pd.read_csv(report.out / "pledges.csv")
result = (bad, cells > 0, sorted(pledges["description"]))
""",
        timeout=120,
    )
    assert outcome.ok, outcome.describe()
    bad, had_cells, descriptions = eval(outcome.result)  # our own repr
    assert had_cells and bad == []
    assert "'=HYPERLINK(\"http://evil.example\",\"x\")" in descriptions
    assert "Aid\r'@SUM(1+1)" in descriptions or "Aid\n'@SUM(1+1)" in descriptions
