"""``aidcalc report INPUT`` end to end conserves money: every input row is in the report's
totals (``pledges.csv``) or left out with its reason (``rejected.csv``), exactly once; the
tables behind the charts sum to the rows they show, and what a chart leaves out is said
on it; a total row that repeats the rows it totals is said as repeated money, never as
money lost. A failure is exit status 1, one line, and nothing written."""

from __future__ import annotations

import contextlib
import io
import math
import shutil
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st

from aidcalc._report._cli import main

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "io"
HEADER = ["Donor", "Date", "Amount (EUR million)", "Category", "Status"]
DONORS = ["Japan", "Germany", "France", "Norway", "Canada", "Italy"]  # Norway: not in the G7
STATUSES = ["pledged", "committed", "disbursed"]


def run(args: list[str], out: Path) -> tuple[int, str]:
    """``aidcalc report ARGS --out OUT``: the exit status and stderr."""
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        code = main(["report", *args, "--out", str(out)])
    return code, err.getvalue()


def _read(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""])


def _close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-6)


def check_conservation(out: Path, rows_in: int | None = None) -> tuple[pd.DataFrame, ...]:
    """The rows in the totals and the rows left out account for the input once each, every
    left-out row has its reason, and each chart's table sums to the rows it shows (the rows it
    does not show are marked in ``pledges.csv``, column ``left_out_of``)."""
    kept, left = _read(out / "pledges.csv"), _read(out / "rejected.csv")
    if rows_in is not None:
        assert len(kept) + len(left) == rows_in
    assert left["reason"].notna().all() and left["left_out"].notna().all()
    by_category = pd.read_csv(out / "donors_by_category.csv")
    value = by_category.columns[4]
    values = pd.to_numeric(kept[value])
    assert values.notna().all()  # no row in the totals without an amount in the unit
    marks = kept["left_out_of"].fillna("")
    at_stage = ~marks.str.contains("not in the ")  # other stages: the pipeline only
    assert _close(by_category[value].sum(), values[at_stage].sum())
    for table, mark in (("timeline", "timeline:"), ("share_of_gdp", "share_of_gdp:")):
        if (out / f"{table}.csv").exists():
            shown = pd.read_csv(out / f"{table}.csv")[value].sum()
            assert _close(shown, values[at_stage & ~marks.str.contains(mark)].sum()), table
    pipeline = pd.read_csv(out / "pipeline.csv")
    stages = [c for c in ("pledged", "committed", "allocated", "disbursed") if c in pipeline]
    # each row at its own stage, or (cumulative) every row in the first stage
    assert (_close(pipeline[stages].to_numpy().sum(), values.sum())
            or _close(pipeline[stages[0]].sum(), values.sum()))
    page = (out / "index.html").read_text(encoding="utf-8")
    for key in left["left_out"].unique():  # every reason is said on the page
        assert f"{int((left['left_out'] == key).sum())} " in page
    return kept, left


# --- a user's spreadsheet, with rows that cannot be read and a total row ---------------------

ROW = st.tuples(
    st.sampled_from(DONORS),
    st.sampled_from(["2023-05-13", "2024-02-19", "2022-03-01", "not a date"]),
    st.integers(1, 9_999).map(lambda n: n / 10),
    st.sampled_from(["military", "humanitarian", "energy"]),
    st.sampled_from(STATUSES),
)
OPTIONS = st.sampled_from([
    [], ["--to", "USD", "--prices", "none"], ["--to", "JPY", "--fx", "month"],
    ["--group", "all", "--stage", "pledged"], ["--stage", "committed", "--prices", "cpi"],
    ["--locale", "de", "--fx", "year"], ["--locale", "ja", "--group", "all"],
])


def write_table(path: Path, rows: list[tuple], total: bool) -> int:
    """``rows`` under a title row, then (``total``) their total row: the rows written."""
    lines = [["Aid to Ukraine (EUR million)", "", "", "", ""], HEADER]
    lines += [[d, day, f"{a:.1f}", c, s] for d, day, a, c, s in rows]
    if total:
        lines.append(["Total", "", f"{sum(row[2] for row in rows):.1f}", "", ""])
    path.write_text("\n".join(";".join(line) for line in lines) + "\n", encoding="utf-8")
    return len(rows) + total


def _pick_input(rows: list[tuple], options: list[str]) -> bool:
    """Inputs the report can draw: a readable row of a donor the options keep, at the stage."""
    group = "all" if "all" in options else "G7"
    stage = next((options[i + 1] for i, o in enumerate(options) if o == "--stage"), "all")
    return any(day != "not a date" and (group == "all" or d != "Norway")
               and stage in ("all", s) for d, day, _a, _c, s in rows)


@settings(max_examples=3, deadline=None, phases=[Phase.explicit, Phase.generate],
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(rows=st.lists(ROW, min_size=1, max_size=6), total=st.booleans(), options=OPTIONS)
@example(rows=[("Germany", "2023-05-13", 2700.0, "military", "committed"),
               ("Norway", "not a date", 1.5, "energy", "pledged")], total=True,
         options=["--to", "USD", "--prices", "none"])
def test_a_spreadsheet_report_accounts_for_every_row_once(tmp_path, rows, total, options):
    """Before: a total row that repeats its rows was stated as money lost ("left out of the
    report: 2 rows (EUR 6.4B): could not be read"), so kept + stated money was counted twice."""
    from hypothesis import assume

    assume(_pick_input(rows, options))
    path = tmp_path / "pledges.csv"
    out = tmp_path / "report"
    shutil.rmtree(out, ignore_errors=True)
    n = write_table(path, rows, total)
    code, err = run([str(path), *options], out)
    assert code == 0, err
    kept, left = check_conservation(out, n)
    # exactly once, in the input's own money: kept + lost = every row that is not a total
    repeated = left["left_out"].eq("kind")
    assert repeated.sum() == int(total)
    counted = (pd.to_numeric(kept["amount"]).sum()
               + pd.to_numeric(left.loc[~repeated].get("amount", pd.Series())).sum())
    assert _close(counted, sum(row[2] for row in rows) * 1e6)
    assert "Total" not in err  # a total row is no money lost: not in the warning


def test_a_total_row_is_said_as_repeated_money_not_lost(tmp_path):
    path = tmp_path / "pledges.csv"
    rows = [("Germany", "2023-05-13", 2700.0, "military", "committed"),
            ("Italy", "not a date", 1.5, "energy", "pledged")]  # the total: 2701.5
    write_table(path, rows, total=True)
    code, err = run([str(path)], tmp_path / "report")
    assert code == 0, err
    warned = [line for line in err.splitlines() if "left out of the report" in line]
    assert len(warned) == 1 and "1 row (€1.5M)" in warned[0]  # not 2 rows (€2.7B)


# --- the files the readers know ---------------------------------------------------------------


@pytest.mark.parametrize(("name", "options"), [
    ("crs_2023_ukraine_sample.txt", ["--group", "all", "--prices", "none"]),
    ("iati_203_ukraine.xml", ["--group", "all", "--to", "USD"]),
    ("kiel_processed_sample.csv", ["--stage", "allocated", "--locale", "uk"]),
])
def test_reader_files_account_for_every_row(tmp_path, name, options):
    code, err = run([str(FIXTURES / name), *options], tmp_path / "report")
    assert code == 0, err
    check_conservation(tmp_path / "report")


# --- failures: one line, status 1, nothing written ---------------------------------------------


@pytest.mark.parametrize(("name", "text"), [
    ("no_amount.csv", "Donor;Date\nJapan;2024-01-01\n"),
    ("empty.csv", ""),
    ("broken.xml", "<iati-activities><iati-activity>&bad;</iati-activities"),
    ("binary.csv", "\x00\x01\x02\x03" * 50),
])
def test_a_failure_is_one_line_and_writes_nothing(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    out = tmp_path / "report"
    code, err = run([str(path)], out)
    lines = err.strip().splitlines()
    assert code == 1
    assert len(lines) == 1 and lines[0].startswith("aidcalc: error: "), err
    assert "Traceback" not in err and "--debug" not in err
    assert not out.exists()
