"""read_crs converts the blocks' arrow tables to pandas once (issue 12); iter_crs converts each
block. Both must give the same rows, values, types and reports, whatever the blocks."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aidcalc.io import read_crs
from aidcalc.io._crs import iter_crs

HEADER = "Year|DonorName|RecipientName|PurposeCode|USD_Commitment|USD_Disbursement|ProjectTitle"
CELLS = {
    "year": st.sampled_from(["2022", "2023", "", "n/a", "2022.5", "1800"]),
    "donor": st.sampled_from(["Japan", "Germany", "", "World Bank", '"France"']),
    "recipient": st.sampled_from(["Ukraine", "Moldova", ""]),
    "purpose": st.sampled_from(["15250", "23630", "", "x"]),
    "money": st.sampled_from(["1.5", " 0.73", "", "n/a", "inf", "1e400", "0", "-2"]),
    # long titles: files of several 4 KB blocks (the smallest block), so blocks are joined
    "title": st.sampled_from(
        ["Grid", '"Grid, repair"', '"two\nlines"', "", "  padded  ", "long " * 200]
    ),
}


@st.composite
def crs_text(draw: st.DrawFn) -> str:
    n = draw(st.integers(0, 40))
    rows = []
    for _ in range(n):
        c = {k: draw(v) for k, v in CELLS.items()}
        rows.append("|".join([c["year"], c["donor"], c["recipient"], c["purpose"], c["money"],
                              draw(CELLS["money"]), c["title"]]))
    return "\n".join([HEADER, *rows]) + "\n"


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=crs_text(), chunksize=st.sampled_from([1, 2, 7, 200_000]))
def test_read_crs_equals_its_chunks(tmp_path: Path, text: str, chunksize: int) -> None:
    path = tmp_path / "crs.txt"
    path.write_text(text, encoding="utf-8")
    frame, rejected = read_crs(path, chunksize=chunksize, progress=False, return_rejected=True)
    chunks = list(iter_crs(path, chunksize=chunksize, progress=False))
    whole = pd.concat(chunks, ignore_index=True) if len(chunks) > 1 else chunks[0]
    for col in whole.columns:
        if col in frame.columns:
            pd.testing.assert_series_equal(
                frame[col], whole[col].set_axis(frame.index), check_names=False
            )
    # the cells (int rows); a chunk's own pledge notes ("n rows" without a donor code,
    # empty amounts) count that chunk's rows, read_crs's the whole file's
    reports = [r[r["row"].map(lambda v: isinstance(v, int))] for c in chunks
               if len(r := c.attrs["rejected"])]
    cells = pd.concat(reports, ignore_index=True) if reports else None
    if cells is not None:  # every cell reported by the chunks is in read_crs's report
        keys = ["row", "column", "value"]
        got = set(map(repr, rejected[keys].itertuples(index=False, name=None)))
        want = set(map(repr, cells[keys].itertuples(index=False, name=None)))
        assert want <= got


@pytest.mark.parametrize("chunksize", [1, 3, 200_000])
def test_read_crs_empty_and_one_block(tmp_path: Path, chunksize: int) -> None:
    path = tmp_path / "crs.txt"
    path.write_text(HEADER + "\n", encoding="utf-8")
    frame = read_crs(path, chunksize=chunksize, progress=False)
    assert len(frame) == 0
    assert str(frame["year"].dtype) == "Int64"


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.sampled_from(["Japan", "World Bank", "", "Nowhere Fund", "France",
                                 "Japan ", "Asian Development Bank"]), max_size=30))
def test_each_donor_without_a_code_is_reported_once_with_its_count(
    tmp_path: Path, names: list[str]
) -> None:
    """The report of donors without a code (counted from the factorisation the codes are
    looked up by, issue 12): each such name once, in first-seen order, with its rows."""
    path = tmp_path / "crs.txt"
    path.write_text(HEADER + "\n" + "".join(f"2022|{n}|Ukraine|15250|1|1|t\n" for n in names))
    frame, rejected = read_crs(path, progress=False, return_rejected=True)
    missing = frame["donor_name"].notna() & frame["donor"].isna()
    want = [(name, f"{n} row{'s' if n != 1 else ''}")
            for name in frame.loc[missing, "donor_name"].unique()
            for n in [int((frame["donor_name"] == name).sum())]]
    got = rejected[rejected["column"] == "DonorName"]
    assert list(zip(got["value"], got["row"], strict=True)) == want
