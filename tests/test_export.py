"""Exported tables cannot become spreadsheet formulas."""

from __future__ import annotations

import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from aidcalc._export import FORMULA_PREFIXES, neutralise_formulas, write_csv, write_xlsx


@given(st.lists(st.text(max_size=12), min_size=1, max_size=20))
def test_no_text_cell_starts_with_a_formula_prefix(texts):
    out = neutralise_formulas(pd.DataFrame({"t": texts}))
    assert len(out) == len(texts)
    for before, after in zip(texts, out["t"], strict=True):
        assert not after.startswith(FORMULA_PREFIXES)
        assert after in (before, "'" + before)


def test_caller_frame_untouched_and_numbers_kept():
    df = pd.DataFrame({"t": ["=1+1"], "n": [-3.0], "=bad": ["x"]})
    out = neutralise_formulas(df)
    assert df.loc[0, "t"] == "=1+1"
    assert out.loc[0, "n"] == -3.0
    assert list(out.columns) == ["t", "n", "'=bad"]


def test_xlsx_has_no_formula_cells(tmp_path):
    import openpyxl

    df = pd.DataFrame({"t": ["=cmd|' /C calc'!A0", "+1", "@x", "ok"], "n": [1, -2, 3, 4]})
    path = write_xlsx(df, tmp_path / "t.xlsx")
    ws = openpyxl.load_workbook(path).active
    cells = [c for row in ws.iter_rows() for c in row]
    assert all(c.data_type != "f" for c in cells)
    texts = [c.value for c in cells if isinstance(c.value, str)]
    assert not any(t.startswith(("=", "+", "@")) for t in texts)
    assert [c.value for c in ws["B"]][1:] == [1, -2, 3, 4]


def test_csv_round_trip(tmp_path):
    df = pd.DataFrame({"t": ["-cmd", "fine"]})
    back = pd.read_csv(write_csv(df, tmp_path / "t.csv"))
    assert back["t"].tolist() == ["'-cmd", "fine"]
