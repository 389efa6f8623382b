"""Notebook displays escape user text; every export path neutralises formula cells.

Fault found (before -> after): a text cell starting with a character that a spreadsheet's
importer normalises (NFKC) to ``=``, ``+``, ``-`` or ``@`` other than the four full-width
ones (small ``U+FE66 ﹦``, superscript ``U+207C ⁼``, subscript ``U+208A ₊``, ``U+2A75 ⩵``, ...)
was written as it was (``"﹦HYPERLINK(...)"``) -> now with ``'`` in front, in CSV, XLSX and
the report's tables; numbers, negative ones too, stay numbers.
"""

from __future__ import annotations

import csv
import html
import sys
import unicodedata
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aidcalc import Amount, RateTable
from aidcalc._base._export import FORMULA_PREFIXES, is_formula_risk, write_csv, write_xlsx
from aidcalc.io._result import ReadResult, RejectedRows, rejected_frame

#: every character that reads as = + - @ after Unicode's compatibility normalisation
FORMULA_LIKE = sorted(
    c for c in map(chr, range(sys.maxunicode + 1))
    if unicodedata.normalize("NFKC", c)[:1] in ("=", "+", "-", "@")
)
HOSTILE = ["<script>alert(1)</script>", "<img src=x onerror=alert(2)>", "a & b \"'<i>",
           "\"><b onmouseover=alert(3)>", "</td></tr></table><script>x</script>"]
_plain = st.text(alphabet=st.sampled_from([*"<>&\"'/= aZé"]), max_size=8)
#: user text with markup in it: a donor, a note or a file name as an attacker writes it
_user_text = st.builds(lambda a, b, c: a + b + c, _plain, st.sampled_from(HOSTILE), _plain)


def test_the_formula_characters_are_exactly_those_unicode_reads_as_formula_ones() -> None:
    assert set(FORMULA_PREFIXES) == {*FORMULA_LIKE, "\t", "\r", "\n"}


# --- displays ------------------------------------------------------------------------------------
def _escaped_in(text: str, page: str) -> None:
    assert text not in page, (text, page)
    assert html.escape(text) in page


@given(text=_user_text)
@settings(max_examples=40, deadline=None)
def test_amount_display_escapes_what_it_was_read_from(text: str) -> None:
    _escaped_in(text, Amount(1, "USD", text=text)._repr_html_())


@given(source=_user_text)
@settings(max_examples=40, deadline=None)
def test_rate_table_display_escapes_its_source(source: str) -> None:
    table = RateTable(["2024-01-02"], ["USD"], [[1.1]], base="EUR", source=source)
    _escaped_in(source, table._repr_html_())


@given(donor=_user_text, file=_user_text, reason=_user_text)
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_rejected_rows_displays_escape_names_files_and_reasons(donor, file, reason) -> None:
    report = RejectedRows(rejected_frame([
        {"source": file, "row": 3, "column": "donor", "value": donor, "reason": reason,
         "kept": False},
    ]))  # fmt: skip
    for page in (report._repr_html_(), ReadResult(pd.DataFrame({"donor": [donor]}), report)
                 ._repr_html_()):  # fmt: skip
        for text in (donor, file, reason):
            assert text not in page
        assert "<script>" not in page and "<img" not in page


# --- exports -------------------------------------------------------------------------------------
_formula_cell = st.builds(
    lambda first, rest: first + rest,
    st.sampled_from([*FORMULA_LIKE, "\t", "\r", " =", "\u3000@", "ok\n\ufe66"]),
    st.text(alphabet=st.sampled_from([*"SUM(A1)+HYPERLINK 1"]), max_size=10),
)
_numbers = st.lists(st.integers(1, 10**14).map(lambda cents: cents / 100), min_size=1, max_size=5)


def _csv_cells(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))


def _frame(cells: list[str], numbers: list[float]) -> pd.DataFrame:
    n = max(len(cells), len(numbers))
    return pd.DataFrame({
        "note": (cells * n)[:n],
        "amount": np.resize(np.array([-abs(x) for x in numbers]), n),  # negative numbers
        "cat": pd.Categorical((cells * n)[:n]),
    })  # fmt: skip


def _write_report_tables(frame: pd.DataFrame, folder: Path) -> list[Path]:
    from aidcalc._report._output import Output
    from aidcalc._report._tables import write_tables

    write_tables({"pledges": frame}, Output(folder, ["pledges.csv", "pledges.xlsx"]))
    return [folder / "pledges.csv", folder / "pledges.xlsx"]


def _all_paths(frame: pd.DataFrame, folder: Path) -> list[Path]:
    paths = [write_csv(frame, folder / "a.csv"), write_xlsx(frame, folder / "a.xlsx")]
    return paths + _write_report_tables(frame, folder / "report")


@given(cells=st.lists(_formula_cell, min_size=1, max_size=5), numbers=_numbers)
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_every_export_path_neutralises_formula_cells_and_keeps_numbers(
    tmp_path_factory: pytest.TempPathFactory, cells: list[str], numbers: list[float]
) -> None:
    pytest.importorskip("openpyxl")
    from openpyxl import load_workbook

    folder = tmp_path_factory.mktemp("export")
    (folder / "report").mkdir()
    frame = _frame(cells, numbers)
    for path in _all_paths(frame, folder):
        if path.suffix == ".csv":
            rows = _csv_cells(path)[1:]
            assert [float(r[1]) for r in rows] == frame["amount"].tolist()  # "-5.0", no "'"
            texts = [r[0] for r in rows] + [r[2] for r in rows]
        else:
            sheet = load_workbook(path).active
            body = list(sheet.iter_rows(min_row=2))
            assert [r[1].value for r in body] == frame["amount"].tolist()
            assert all(r[1].data_type == "n" for r in body)
            assert not any(c.data_type == "f" for r in body for c in r)
            texts = [r[0].value for r in body] + [r[2].value for r in body]
        assert all(not is_formula_risk(t) and "'" in t for t in texts), (path, texts)
