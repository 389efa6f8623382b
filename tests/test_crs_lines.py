"""The rejected-rows report of the CRS readers names the line a row starts on in the file, also
after rows whose quoted values hold line ends and after blank lines (the parsers skip them):
the user must find the cell where the report says it is. One rule for read_crs, iter_crs,
read_crs_dask, one or several threads, and pandas' parser when pyarrow is absent."""

from __future__ import annotations

import warnings
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aidcalc.io import _crs_text, read_crs
from aidcalc.io._crs import iter_crs

HEADER = ["Year", "DonorName", "RecipientName", "PurposeCode", "USD_Disbursement", "ProjectTitle"]
# (title as written with {eol} for its line ends, the line ends inside it)
TITLES = [
    ("Grid", 0),
    ('"two{eol}lines"', 1),
    ('"a{eol}{eol}b, after a blank line in the value"', 2),
    ('a "quote" inside', 0),
    ('"stray quote', 0),  # read with its quote as text (reported as its own line)
    ("long " * 300, 0),  # several of the smallest blocks
]
ROW = st.tuples(
    st.sampled_from(["1.5", "n/a", "", "inf"]),  # USD_Disbursement
    st.integers(0, len(TITLES) - 1),
    st.integers(0, 2),  # blank lines after the row
)


def _write(path: Path, rows: list[tuple[str, int, int]], eol: str) -> dict[str, list[int]]:
    """The file, and the lines (header = 1) of the rows with a bad amount and of those whose
    amount is left empty."""
    lines = [eol.join(["|".join(HEADER)])]
    line = 2
    bad, empty = [], []
    for money, title, blanks in rows:
        text, inside = TITLES[title]
        if money in ("n/a", "inf"):
            bad.append(line)  # reported as a cell, and then an empty amount
        if money != "1.5":
            empty.append(line)
        lines.append("|".join(["2022", "Japan", "Ukraine", "15250", money, text.format(eol=eol)]))
        lines += [""] * blanks
        line += 1 + inside + blanks
    path.write_bytes((eol.join(lines) + eol).encode())
    return {"bad": bad, "empty": empty}


def _cells(report: pd.DataFrame) -> list[int]:
    picked = report[report["column"].eq("USD_Disbursement") & report["value"].notna()]
    return sorted(int(r) for r in picked["row"])


def _empty_lines(report: pd.DataFrame) -> list[int]:
    rows = report.loc[report["reason"].str.contains("no USD disbursement", na=False), "row"]
    return [int(n) for text in rows for n in text.split("[")[1].rstrip(" .]").split(",")]


def _check(path: Path, expected: dict[str, list[int]], chunksize: int) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _, report = read_crs(path, chunksize=chunksize, progress=False, return_rejected=True)
        chunks = list(iter_crs(path, chunksize=chunksize, progress=False))
    assert _cells(report) == expected["bad"]
    assert _empty_lines(report) == expected["empty"][:5]
    reports = [c.attrs["rejected"] for c in chunks]
    assert sorted(n for r in reports for n in _cells(r)) == expected["bad"]
    # each chunk lists the first five lines of its own rows without an amount
    listed = [_empty_lines(r) for r in reports]
    assert [len(n) for n in listed] == [min(5, int(c["amount"].isna().sum())) for c in chunks]
    assert {n for lines in listed for n in lines} <= set(expected["empty"])
    assert all(lines == sorted(lines) for lines in listed)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    rows=st.lists(ROW, min_size=1, max_size=40),
    eol=st.sampled_from(["\n", "\r\n", "\r"]),
    chunksize=st.sampled_from([1, 3, 200_000]),
    threads=st.sampled_from([1, 3]),
)
def test_the_report_names_the_line_a_row_starts_on(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    rows: list[tuple[str, int, int]],
    eol: str,
    chunksize: int,
    threads: int,
) -> None:
    monkeypatch.setattr(_crs_text, "parse_threads", lambda: threads)
    path = tmp_path / "crs.txt"
    expected = _write(path, rows, eol)
    _check(path, expected, chunksize)


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=st.lists(ROW, min_size=1, max_size=30), eol=st.sampled_from(["\n", "\r\n"]))
def test_pandas_parser_names_the_same_lines(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, rows: list[tuple[str, int, int]], eol: str
) -> None:
    monkeypatch.setattr(_crs_text, "has_arrow", lambda: False)  # as without pyarrow
    path = tmp_path / "crs.txt"
    expected = _write(path, rows, eol)
    _check(path, expected, 200_000)


@settings(
    max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=st.lists(ROW, min_size=1, max_size=30), eol=st.sampled_from(["\n", "\r\n"]))
def test_dask_partitions_name_the_lines_of_the_file(
    tmp_path: Path, rows: list[tuple[str, int, int]], eol: str
) -> None:
    dask = pytest.importorskip("dask")
    from aidcalc.io import read_crs_dask

    path = tmp_path / "crs.txt"
    expected = _write(path, rows, eol)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        frame, report = read_crs_dask(path, return_rejected=True, blocksize=600)
        frame, report = dask.compute(frame, report, scheduler="sync")
    assert _cells(report) == expected["bad"]
    # each partition lists the empty amounts of its own rows
    assert sorted(set(_empty_lines(report))) == sorted(
        n for n in expected["empty"] if n in set(_empty_lines(report))
    )
    assert set(_empty_lines(report)) <= set(expected["empty"])


def test_the_example_of_the_issue(tmp_path: Path) -> None:
    """A title over two lines and a blank line: the bad cell is on line 5, not 3."""
    path = tmp_path / "crs.txt"
    path.write_text(
        "|".join(HEADER) + "\n"
        '2022|Japan|Ukraine|15250|1.25|"A title\nover two lines"\n'
        "\n"
        "2022|Japan|Ukraine|15250|n/a|B\n",
        encoding="utf-8",
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _, report = read_crs(path, progress=False, return_rejected=True)
    assert _cells(report) == [5]
    assert _empty_lines(report) == [5]
