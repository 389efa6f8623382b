"""CRS quoting (issue 12): a stray quote never joins rows. Each line of a CRS file is one row
(or part of one properly quoted multi-line value), read the same whatever the block size, by
read_crs, iter_crs and both parsers; checked against a character-by-character reading of the
rule (tests/crs_quote_rule.py) on generated files."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest
from crs_quote_rule import rule_rows
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import aidcalc
from aidcalc.io import _crs_text, iter_crs, read_crs

HEADER = ["Year", "DonorName", "ProjectTitle", "USD_Disbursement"]
COLUMNS = HEADER
#: cells written as they are: quotes anywhere (at the start, inside, at the end, doubled)
RAW = st.text(alphabet=st.sampled_from(["a", " ", '"', "é", ","]), max_size=8)
#: cells quoted as CSV quotes them: separators, line ends and quotes inside
QUOTED = st.text(alphabet=st.sampled_from(["a", '"', "|", "\n", " "]), max_size=8).map(
    lambda v: '"' + v.replace('"', '""') + '"'
)
SETTINGS = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def _file(cells: list[tuple[str, str]], eol: str, bom: bool) -> str:
    lines = [
        "|".join(["2022", donor, title, str(i)]) for i, (donor, title) in enumerate(cells)
    ]
    return ("\ufeff" if bom else "") + eol.join(["|".join(HEADER), *lines]) + eol


def _read(path: Path, chunksize: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    return read_crs(path, columns=COLUMNS, chunksize=chunksize, progress=False,
                    return_rejected=True)


def _expected(rows: list[list[str | None]]) -> dict[str, list[object]]:
    """The frame's columns the rule's rows give (text trimmed, empty -> missing)."""

    def text(v: str | None) -> object:
        return v.strip() if v is not None else None  # "  " is trimmed to ""

    def money(v: str | None) -> float:
        try:
            x = float(v.strip()) if v is not None and v.strip() else math.nan
        except ValueError:
            return math.nan
        return x * 1e6 if math.isfinite(x) else math.nan

    return {
        "donor_name": [text(r[1]) for r in rows],
        "title": [text(r[2]) for r in rows],
        "amount": [money(r[3]) for r in rows],
    }


def _check(path: Path, text: str, chunksizes: tuple[int, ...]) -> pd.DataFrame | None:
    body = text.lstrip("\ufeff").split("\n", 1)[1] if "\n" in text else ""
    try:
        rows, stray = rule_rows(body, "|", len(HEADER))
    except ValueError:
        for chunksize in chunksizes:
            with pytest.raises(aidcalc.InputFileError, match="unreadable CRS data"):
                _read(path, chunksize)
        return None
    want = _expected(rows)
    first = None
    for chunksize in chunksizes:
        frame, rejected = _read(path, chunksize)
        got = {c: [None if pd.isna(v) else v for v in frame[c]] for c in want}
        assert got == {c: [None if pd.isna(v) else v for v in vs] for c, vs in want.items()}
        notes = rejected[rejected["reason"].str.contains("stray quote", na=False)]
        # the line of each row read with stray quotes (no multi-line value before it here)
        assert sorted(notes["row"]) == [i + 2 for i in stray] or any(
            "\n" in (v or "") for r in rows for v in r
        )
        if first is None:
            first = frame
            chunks = list(iter_crs(path, columns=COLUMNS, chunksize=chunksize, progress=False))
            pd.testing.assert_frame_equal(pd.concat(chunks), frame)
        pd.testing.assert_frame_equal(frame, first)
    return first


@SETTINGS
@given(
    cells=st.lists(st.tuples(RAW, RAW), max_size=25),
    eol=st.sampled_from(["\n", "\r\n"]),
    bom=st.booleans(),
)
def test_stray_quotes_never_join_or_drop_rows(tmp_path: Path, cells, eol, bom) -> None:
    """Cells written as they are, quotes anywhere: one row per line, in order, whatever the
    block size (the old cutter joined the lines between two stray quotes into one row)."""
    text = _file(cells, eol, bom)
    path = tmp_path / "crs.txt"
    path.write_bytes(text.encode())
    frame = _check(path, text.replace("\r\n", "\n"), (1, 2, 7, 200_000))
    assert frame is not None  # no cell holds a separator: every line is a row
    assert frame["amount"].tolist() == [i * 1e6 for i in range(len(cells))]


@SETTINGS
@given(
    cells=st.lists(st.tuples(st.one_of(RAW, QUOTED), st.one_of(RAW, QUOTED)), max_size=20),
    eol=st.sampled_from(["\n", "\r\n"]),
)
def test_quoting_follows_the_rule_in_every_block_size(tmp_path: Path, cells, eol) -> None:
    """Stray quotes mixed with properly quoted values (separators and line ends inside):
    the rows are the rule's, in every block size, for read_crs and iter_crs."""
    text = _file(cells, eol, False)
    path = tmp_path / "crs.txt"
    path.write_bytes(text.encode())
    _check(path, text.replace("\r\n", "\n"), (1, 3, 200_000))


@SETTINGS
@given(cells=st.lists(st.tuples(st.one_of(RAW, QUOTED), RAW), max_size=15))
def test_both_parsers_follow_the_rule(tmp_path: Path, monkeypatch, cells) -> None:
    """pandas' C parser (without pyarrow) reads the same rows as pyarrow's."""
    text = _file(cells, "\n", False)
    path = tmp_path / "crs.txt"
    path.write_bytes(text.encode())
    arrow = _check(path, text, (2, 200_000))
    with monkeypatch.context() as patch:
        patch.setattr(_crs_text, "has_arrow", lambda: False)
        plain = _check(path, text, (2, 200_000))
    if arrow is not None:
        pd.testing.assert_frame_equal(plain, arrow, check_dtype=False)


def test_the_reported_fault(tmp_path: Path) -> None:
    """Two stray quotes (one opening a title, one closing a later one) used to join the
    three lines into one row: now three rows, the first reported."""
    rows = [
        "2022|Japan|15250|1|a",
        '2022|Japan|15250|2|"Hope',
        "2022|Japan|15250|3|b",
        '2022|Japan|15250|4|End"',
        "2022|Japan|15250|5|c",
    ]
    path = tmp_path / "crs.txt"
    path.write_text("Year|DonorName|PurposeCode|USD_Disbursement|ProjectTitle\n"
                    + "\n".join(rows) + "\n")
    for chunksize in (1, 2, 200_000):
        frame, rejected = read_crs(path, chunksize=chunksize, return_rejected=True)
        assert frame["title"].tolist() == ["a", '"Hope', "b", 'End"', "c"]
        assert frame["amount"].tolist() == [1e6, 2e6, 3e6, 4e6, 5e6]
        notes = rejected[rejected["reason"].str.contains("stray quote", na=False)]
        assert notes["row"].tolist() == [3]
