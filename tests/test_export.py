"""Exported tables cannot become spreadsheet formulas: no cell, and no line of a cell, starts
with a formula character, in any text column kind, in names and the index, in CSV and XLSX."""

from __future__ import annotations

import csv
import io
import re
import sys
import unicodedata

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aidcalc._base._export import (
    FORMULA_PREFIXES,
    LINE_BREAKS,
    SPACES,
    is_formula_risk,
    neutralise_formulas,
    neutralise_text,
    write_csv,
    write_xlsx,
)

#: the characters a spreadsheet may read as = + - @: those and every character whose NFKC
#: form starts with one (full-width, small, super- and subscript forms), from Unicode itself
_FORMULA_LIKE = tuple(
    c for c in map(chr, range(sys.maxunicode + 1))
    if unicodedata.normalize("NFKC", c)[:1] in ("=", "+", "-", "@")
)
#: what a line of a cell may not start with, once exported
_LINE_START = (*_FORMULA_LIKE[:4], "\t", *_FORMULA_LIKE[4:])
_BREAK_RE = re.compile("[" + re.escape(LINE_BREAKS) + "]")

#: text that hits the rule often: formula characters, line breaks and plain letters mixed
_risky_text = st.text(
    alphabet=st.sampled_from(
        [*"\t\r\n\v\x85\u2028 aZ1'(),\"", *_FORMULA_LIKE, "\u00a0", "\u3000"]
    ),
    max_size=12,
)
_texts = st.one_of(st.text(max_size=12), _risky_text)


def _lines(cell: str) -> list[str]:
    return _BREAK_RE.split(cell)


def _assert_safe(cell: str) -> None:
    assert not cell.startswith(FORMULA_PREFIXES), repr(cell)
    # a spreadsheet that trims spaces first must not see a formula either
    formula = _LINE_START[:4] + _LINE_START[5:]  # without the tab
    assert not cell.lstrip(SPACES + "\t").startswith(formula), repr(cell)
    for line in _lines(cell)[1:]:
        assert not line.startswith(_LINE_START), repr(cell)
        assert not line.lstrip(SPACES + "\t").startswith(formula), repr(cell)


@given(st.lists(_texts, min_size=1, max_size=20))
def test_no_line_of_a_text_cell_starts_with_a_formula_prefix(texts):
    out = neutralise_formulas(pd.DataFrame({"t": texts}))
    assert len(out) == len(texts)
    for before, after in zip(texts, out["t"], strict=True):
        _assert_safe(after)
        if is_formula_risk(before):
            assert after != before and after.replace("'", "") == before.replace("'", "")
        else:
            assert after == before  # safe text round-trips unchanged


@given(st.lists(_texts, min_size=1, max_size=12))
def test_every_text_column_kind_is_protected(texts):
    frame = pd.DataFrame({
        "object": pd.Series(texts, dtype=object),
        "string": pd.array(texts, dtype="string[pyarrow]"),
        "str": pd.Series(texts, dtype="str"),
        "category": pd.Categorical(texts),
    })
    out = neutralise_formulas(frame)
    for column in out.columns:
        for before, after in zip(texts, out[column], strict=True):
            _assert_safe(after)
            assert after == (neutralise_text(before))


@given(st.lists(_texts, min_size=1, max_size=8), _texts)
def test_csv_parsed_back_has_no_formula_cell(tmp_path_factory, texts, name):
    frame = pd.DataFrame({"a": texts, f"{name}|c": pd.Categorical(texts)},
                         index=pd.Index(texts, name="=idx"))
    path = write_csv(frame, tmp_path_factory.mktemp("csv") / "t.csv", index=True)
    raw = path.read_bytes().decode("utf-8")
    rows = list(csv.reader(io.StringIO(raw, newline="")))
    assert len(rows) == len(texts) + 1  # a line break inside a cell never starts a row
    for row in rows:
        for cell in row:
            _assert_safe(cell)
    # cells that were safe come back as they were
    for row, text in zip(rows[1:], texts, strict=True):
        if not is_formula_risk(text):
            assert row[1] == text and row[2] == text


def test_carriage_return_inside_a_cell_cannot_start_a_row(tmp_path):
    frame = pd.DataFrame({"t": ["Aid\r@SUM(1+1)*cmd|' /C calc'!A0", "x\n=1+1", "ok"]})
    path = write_csv(frame, tmp_path / "t.csv")
    raw = path.read_bytes().decode("utf-8")
    # read as a careless program would: every CR or LF starts a new line
    for line in re.split(r"\r\n|\r|\n", raw):
        assert not line.lstrip('"').startswith(("=", "@", "+", "-")), repr(line)
    assert pd.read_csv(path)["t"].tolist() == ["Aid\r'@SUM(1+1)*cmd|' /C calc'!A0",
                                                "x\n'=1+1", "ok"]


def test_caller_frame_untouched_and_numbers_kept():
    df = pd.DataFrame({"t": ["=1+1"], "n": [-3.0], "=bad": ["x"]})
    out = neutralise_formulas(df)
    assert df.loc[0, "t"] == "=1+1"
    assert out.loc[0, "n"] == -3.0
    assert list(out.columns) == ["t", "n", "'=bad"]


@given(st.lists(_texts, min_size=1, max_size=8))
def test_xlsx_has_no_formula_cells(tmp_path_factory, texts):
    openpyxl = pytest.importorskip("openpyxl")
    df = pd.DataFrame({"t": texts, "c": pd.Categorical(texts), "n": range(len(texts))})
    path = write_xlsx(df, tmp_path_factory.mktemp("x") / "t.xlsx")
    ws = openpyxl.load_workbook(path).active
    cells = [c for row in ws.iter_rows() for c in row]
    assert all(c.data_type != "f" for c in cells)
    for cell in cells:
        if isinstance(cell.value, str):
            _assert_safe(cell.value)
    assert [c.value for c in ws["C"]][1:] == list(range(len(texts)))


def test_xlsx_known_payloads(tmp_path):
    import openpyxl

    df = pd.DataFrame({"t": ["=cmd|' /C calc'!A0", "+1", "@x", "ok", "a\x1cb"],
                       "n": [1, -2, 3, 4, 5]})
    path = write_xlsx(df, tmp_path / "t.xlsx")
    ws = openpyxl.load_workbook(path).active
    assert [c.value for c in ws["A"]][1:] == ["'=cmd|' /C calc'!A0", "'+1", "'@x", "ok",
                                               "a\ufffdb"]
    assert [c.value for c in ws["B"]][1:] == [1, -2, 3, 4, 5]


def test_csv_round_trip(tmp_path):
    df = pd.DataFrame({"t": ["-cmd", "fine"]})
    back = pd.read_csv(write_csv(df, tmp_path / "t.csv"))
    assert back["t"].tolist() == ["'-cmd", "fine"]


@pytest.mark.parametrize("cell", [" =1+1", "\u00a0@SUM(A1)", "\u3000-2+3", "ok\n  =1+1",
                                  "ok\r\n\u2007+cmd"])
def test_spaces_a_spreadsheet_trims_do_not_hide_a_formula(cell):
    assert is_formula_risk(cell)
    _assert_safe(neutralise_text(cell))
    assert neutralise_text(cell).replace("'", "") == cell


@pytest.mark.parametrize("cell", ["a - b", "x = 1", " plain", "ok\n words", "E-mail"])
def test_text_with_formula_characters_inside_is_left_alone(cell):
    assert not is_formula_risk(cell) and neutralise_text(cell) == cell


# --- every export path: the report's tables, through the command line ----------------------------

HOSTILE = ['=HYPERLINK("http://x","y")', "+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1",
           "ok\n=1+1", "ok\r\n@x", "\uff1d1", "ok\u2028-1", " =1+1", "\u00a0@x",
           "=cmd|' /C calc'!A0"]


def _files_are_safe(folder) -> int:
    """Every cell of every CSV and XLSX in ``folder`` is safe; the number of cells read."""
    import openpyxl

    seen = 0
    for path in sorted(folder.glob("*.csv")):
        with path.open(newline="", encoding="utf-8") as handle:
            for row in csv.reader(handle):
                for cell in row:
                    _assert_safe(cell)
                    seen += 1
    for path in sorted(folder.glob("*.xlsx")):
        for sheet in openpyxl.load_workbook(path):
            for row in sheet.iter_rows():
                for cell in row:
                    assert cell.data_type != "f", (path.name, cell.value)
                    if isinstance(cell.value, str):
                        _assert_safe(cell.value)
                    seen += 1
    return seen


def test_every_table_the_report_writes_is_safe(tmp_path):
    pytest.importorskip("openpyxl")
    from aidcalc._report._cli import main

    good = ["Japan", "2024-02-19", "¥15.8 billion", "reconstruction", "pledged", "fine"]
    rows = [["donor", "announced", "amount_text", "category", "status", "=note"], good]
    for payload in HOSTILE:  # in each column in turn: rows kept, and rows rejected
        for column in range(6):
            rows.append([payload if i == column else v for i, v in enumerate(good)])
    source = tmp_path / "hostile.csv"
    with source.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(rows)
    out = tmp_path / "report"
    assert main(["report", str(source), "--group", "all", "--out", str(out)]) == 0
    assert _files_are_safe(out) > 1000
    written = "".join(p.read_text(encoding="utf-8") for p in out.glob("*.csv"))
    for neutralised in ("'=HYPERLINK", "ok\n'=1+1", "\u00a0@x", "'=note"):  # they got there
        assert neutralised in written, neutralised


@settings(max_examples=25, deadline=None)
@given(st.lists(_texts, min_size=1, max_size=6), _texts)
def test_report_table_writer_is_safe(tmp_path_factory, texts, name):
    pytest.importorskip("openpyxl")
    from aidcalc._report._output import Output
    from aidcalc._report._tables import write_tables

    folder = tmp_path_factory.mktemp("tables")
    table = pd.DataFrame({"donor": texts, name or "x": pd.Categorical(texts),
                          "amount": range(len(texts))})
    write_tables({"pledges": table}, Output(folder, ["pledges.csv", "pledges.xlsx"]))
    assert _files_are_safe(folder) >= 2 * 3 * (len(texts) + 1)
