"""The rules every file reader keeps (read_crs, iter_crs, read_kiel, read_table, read_any).

1. one input gate: a path or a binary file object; anything else, a device, a folder or an
   empty file is a clear aidcalc error;
2. one safe archive opener: limits checked before decompressing, damaged members named,
   several data members never read silently;
3. CSV text in linear time (quotes follow CSV rules; a quote that never closes is named);
4. numbers: never inf as money, never a rounded year, never a wrapped date;
5. options checked at the call, named with what is accepted;
6. what is not read is said (rejected report or error).
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from crs_quote_rule import rule_rows
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import aidcalc
from aidcalc.io import _crs_cut as _io_crs_cut
from aidcalc.io import _crs_text as _io_crs_text
from aidcalc.io import iter_crs, read_any, read_crs, read_kiel, read_table
from aidcalc.io._common import MAX_RATIO, InputTypeError, ZipLimits, open_zip

FIXTURES = Path(__file__).parent / "fixtures" / "io"
CRS_SAMPLE = FIXTURES / "crs_2023_ukraine_sample.txt"
KIEL_SAMPLE = FIXTURES / "kiel_processed_sample.csv"
CRS_HEADER = "Year|DonorName|PurposeCode|USD_Disbursement\n"
TABLE = "donor,date,amount,currency\nJPN,2024-02-19,15.8e9,JPY\nCAN,2024-02-24,3.02e9,CAD\n"
KIEL = "giver,dato,kategori,maal,verdi_eur\nJapan,2024-02-19,Financial,Commitment,1e9\n"

READERS = {
    "read_crs": read_crs,
    "iter_crs": lambda p, **kw: list(iter_crs(p, **kw)),
    "read_kiel": read_kiel,
    "read_table": read_table,
    "read_any": read_any,
}


def _write(path: Path, text: str | bytes) -> Path:
    path.write_bytes(text.encode() if isinstance(text, str) else text)
    return path


# --- rule 1: the input gate -----------------------------------------------------------------


@pytest.mark.parametrize("reader", list(READERS))
@pytest.mark.parametrize(
    "value", [None, 3, 2.5, b"a.csv", ["a.csv"], pd.DataFrame({"a": [1]})], ids=repr
)
def test_values_that_are_not_files_are_type_errors(reader, value):
    with pytest.raises(
        InputTypeError, match=r"path must be a path, a URL or a binary file object"
    ) as info:
        READERS[reader](value)
    assert isinstance(info.value, TypeError) and isinstance(info.value, aidcalc.InputFileError)
    assert info.value.argument == "path" and info.value.got == type(value).__name__


@pytest.mark.parametrize("reader", list(READERS))
def test_text_mode_file_is_named(tmp_path, reader):
    path = _write(tmp_path / "t.csv", TABLE)
    with path.open() as fh, pytest.raises(InputTypeError, match=r"text mode.*'rb'"):
        READERS[reader](fh)


@pytest.mark.parametrize("reader", list(READERS))
def test_not_regular_files(tmp_path, reader):
    with pytest.raises(aidcalc.InputFileError, match="/dev/null: not a regular file"):
        READERS[reader]("/dev/null")
    with pytest.raises(aidcalc.InputFileError, match="is a folder"):
        READERS[reader](tmp_path)
    with pytest.raises(aidcalc.InputFileError, match="empty file"):
        READERS[reader](_write(tmp_path / "empty.txt", b""))
    with pytest.raises(aidcalc.InputFileError, match="empty file"):
        READERS[reader](io.BytesIO())
    with pytest.raises(aidcalc.InputFileError, match="no such file"):
        READERS[reader](tmp_path / "missing.csv")


@pytest.mark.parametrize(
    ("reader", "content", "expected"),
    [
        ("read_crs", CRS_HEADER + "2022|Japan|15250|1.5\n", [1_500_000.0]),
        ("read_table", TABLE, [15.8e9, 3.02e9]),
        ("read_kiel", KIEL, [1e9]),
        ("read_any", CRS_HEADER + "2022|Japan|15250|1.5\n", [1_500_000.0]),
        ("read_any", TABLE, [15.8e9, 3.02e9]),
    ],
)
def test_binary_file_objects_read_like_paths(tmp_path, reader, content, expected):
    path = _write(tmp_path / "data.csv", content)
    by_path = READERS[reader](path)
    with path.open("rb") as fh:
        by_file = READERS[reader](fh)
    by_bytes = READERS[reader](io.BytesIO(content.encode()))
    for got in (by_path, by_file, by_bytes):  # a DataFrame, as pandas' readers return
        assert isinstance(got, pd.DataFrame)
        assert got["amount"].tolist() == expected
    pd.testing.assert_frame_equal(by_file, by_path)
    assert by_file.attrs["source"] == str(path)  # named by the file object's name
    assert by_bytes.attrs["source"] == "<stream>"


def test_iter_crs_checks_at_the_call_not_at_the_first_chunk(tmp_path):
    with pytest.raises(aidcalc.InputFileError, match="no such file"):
        iter_crs(tmp_path / "missing.txt")  # no next() needed
    with pytest.raises(aidcalc.InputFileError, match="not an OECD CRS file"):
        iter_crs(_write(tmp_path / "t.csv", TABLE))


# --- header only, blank files: an empty frame or a clear error, never a raw one ---------------


def test_header_only_crs_is_an_empty_frame_with_the_columns(tmp_path):
    one, _ = read_crs(
        _write(tmp_path / "one.txt", CRS_HEADER + "2022|Japan|15250|1.5\n"), return_rejected=True
    )
    none, rejected = read_crs(_write(tmp_path / "none.txt", CRS_HEADER), return_rejected=True)
    assert len(none) == 0 and len(rejected) == 0
    assert list(none.columns) == list(one.columns)
    assert none["year"].dtype == one["year"].dtype and none["amount"].dtype == one["amount"].dtype
    assert [len(c) for c in iter_crs(tmp_path / "none.txt")] == [0]
    for crlf in (b"\r\n", b"\r"):
        frame, _ = read_crs(
            _write(tmp_path / "h.txt", CRS_HEADER.encode().replace(b"\n", crlf)),
            return_rejected=True,
        )
        assert len(frame) == 0


@pytest.mark.parametrize(
    ("reader", "header"),
    [("read_table", "donor,date,amount,currency\n"), ("read_kiel", KIEL.splitlines()[0] + "\n")],
)
def test_header_only_tables(tmp_path, reader, header):
    frame, rejected = READERS[reader](_write(tmp_path / "h.csv", header), return_rejected=True)
    assert len(frame) == 0 and len(rejected) == 0


@pytest.mark.parametrize("content", [b"\r", b"\r\r\r", b"\n\n", b"\xef\xbb\xbf", b" \r\n "])
@pytest.mark.parametrize("reader", list(READERS))
def test_blank_files_are_clear_errors(tmp_path, reader, content):
    with pytest.raises(aidcalc.InputFileError, match=r"no header line|not an OECD CRS file"):
        READERS[reader](_write(tmp_path / "blank.txt", content))


@pytest.mark.parametrize("eol", [b"\n", b"\r\n", b"\r"], ids=["LF", "CRLF", "CR"])
def test_crs_line_ends(tmp_path, eol):
    text = (CRS_HEADER + "2022|Japan|15250|1.5\n2023|France|72010|2\n").encode()
    frame, _ = read_crs(
        _write(tmp_path / "crs.txt", text.replace(b"\n", eol)), return_rejected=True
    )
    assert frame["amount"].tolist() == [1_500_000.0, 2_000_000.0]
    assert frame["year"].tolist() == [2022, 2023]


# --- rule 2: archives -----------------------------------------------------------------------


def _zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return path


def test_members_that_are_not_data_are_reported(tmp_path):
    path = _zip(
        tmp_path / "crs.zip",
        {
            "readme.md": b"about",
            "CRS 2023 data.txt": CRS_SAMPLE.read_bytes(),
            "__MACOSX/._CRS 2023 data.txt": b"\x00\x05resource fork",
        },
    )
    frame, rejected = read_crs(path, return_rejected=True)
    assert len(frame) == 5
    skipped = rejected[rejected["value"] == "readme.md"]
    assert len(skipped) == 1 and not skipped["kept"].iloc[0]
    assert "not read" in skipped["reason"].iloc[0]
    assert read_any(path, return_rejected=True)[0]["amount"].tolist() == frame["amount"].tolist()


def test_several_data_members_need_member(tmp_path):
    path = _zip(
        tmp_path / "two.zip",
        {"a.txt": (CRS_HEADER + "2022|Japan|1|1\n").encode(), "b.txt": CRS_SAMPLE.read_bytes()},
    )
    for reader in READERS.values():
        with pytest.raises(aidcalc.InputFileError, match=r"2 data files \('a.txt', 'b.txt'\)"):
            reader(path)
    frame, rejected = read_crs(path, member="b.txt", return_rejected=True)
    assert len(frame) == 5 and "a.txt" in rejected["value"].tolist()
    with pytest.raises(aidcalc.InputFileError, match=r"no member 'c\.txt'.*'a\.txt', 'b\.txt'"):
        read_crs(path, member="c.txt", return_rejected=True)
    with pytest.raises(aidcalc.ValidationError, match=r"member='a\.txt' is only for zip"):
        read_crs(CRS_SAMPLE, member="a.txt", return_rejected=True)


def test_read_table_zip_with_other_files_is_refused_unless_chosen(tmp_path):
    path = _zip(tmp_path / "t.zip", {"pledges.csv": TABLE.encode(), "notes.md": b"x"})
    with pytest.raises(aidcalc.InputFileError, match=r"also holds \['notes.md'\].*member="):
        read_table(path, return_rejected=True)
    frame, rejected = read_table(path, member="pledges.csv", return_rejected=True)
    assert frame["amount"].tolist() == [15.8e9, 3.02e9]
    assert frame.attrs["not_read"] == rejected.attrs["not_read"] == ["notes.md"]
    alone = _zip(tmp_path / "alone.zip", {"pledges.csv": TABLE.encode()})
    assert read_table(alone, return_rejected=True)[0]["amount"].tolist() == [15.8e9, 3.02e9]


def test_limits_are_named_and_raisable(tmp_path):
    zeros = _zip(tmp_path / "z.zip", {"CRS.txt": CRS_HEADER.encode() + b"0" * (8 << 20)})
    with pytest.raises(aidcalc.InputFileError, match=f"above the limit of {MAX_RATIO:,.0f}:1"):
        read_crs(zeros, return_rejected=True)
    with pytest.raises(aidcalc.InputFileError, match=r"8\.4 MB uncompressed.*max_uncompressed"):
        read_crs(zeros, max_ratio=1e6, max_uncompressed=1 << 20, return_rejected=True)
    with open_zip(zeros, "z.zip", ZipLimits(max_ratio=2000)) as zf:  # checked, then open
        assert zf.namelist() == ["CRS.txt"]


def test_the_sniffer_never_reads_a_whole_member(tmp_path, monkeypatch):
    """Only a bounded prefix of a member is read to tell the format."""
    import aidcalc.io._common as common

    path = _zip(tmp_path / "crs.zip", {"CRS.txt": CRS_SAMPLE.read_bytes() * 50})
    sizes: list[int] = []
    real = common.read_prefix

    def spy(zf, member, label, size=65536):
        sizes.append(size)
        return real(zf, member, label, size)

    monkeypatch.setattr("aidcalc.io._sniff.read_prefix", spy)
    monkeypatch.setattr(zipfile.ZipFile, "read", lambda *a, **k: pytest.fail("whole read"))
    assert aidcalc.io._sniff.sniff(path) == "crs"
    assert sizes and max(sizes) <= 1 << 20


# --- rule 3: CSV quoting --------------------------------------------------------------------


def test_a_quote_that_never_closes_is_text_and_named_by_line(tmp_path):
    """A stray quote opens no quoted value: the row is read with it as text, reported with
    its line; it swallows nothing (issue 12: it used to be an error, or worse, merge rows)."""
    rows = ["2022|Japan|15250|1.5\n"] * 30
    rows[16] = '2022|"Japan|15250|1.5\n'
    path = _write(tmp_path / "stray.txt", CRS_HEADER + "".join(rows))
    for chunksize in (5, 200_000):
        frame, rejected = read_crs(path, chunksize=chunksize, return_rejected=True)
        assert len(frame) == 30 and frame["donor_name"].iloc[16] == '"Japan'
        stray = rejected[rejected["reason"].str.contains("stray quote", na=False)]
        assert stray[["row", "value"]].values.tolist() == [[18, '2022|"Japan|15250|1.5']]


def test_a_quoted_value_that_runs_on_is_named_by_line(tmp_path, monkeypatch):
    """A quoted value that may still close (no whole row after it) is waited for up to
    MAX_ROW_BYTES, then refused naming the line it opens on."""
    monkeypatch.setattr(_io_crs_text, "MAX_ROW_BYTES", 3000)
    rows = ["2022|Japan|15250|1.5\n"] * 20 + ['2022|Japan|15250|"opens\n'] + ["more\n"] * 40_000
    path = _write(tmp_path / "runs.txt", CRS_HEADER + "".join(rows))
    with pytest.raises(aidcalc.InputFileError, match="line 22: a quoted field opens here"):
        read_crs(path, chunksize=5, return_rejected=True)


def test_quotes_inside_a_field_are_text(tmp_path):
    path = _write(
        tmp_path / "q.txt",
        CRS_HEADER.replace("\n", "|ProjectTitle\n")
        + '2022|Japan|15250|1.5|The "Hope" project\n'
        + '2022|Japan|15250|2|"Quoted | with pipe and ""quotes"""\n'
        + '2022|Japan|15250|3|"two\nlines"\n',
    )
    frame, _ = read_crs(path, chunksize=1, return_rejected=True)
    assert frame["title"].tolist() == [
        'The "Hope" project',
        'Quoted | with pipe and "quotes"',
        "two\nlines",
    ]


FIELD = st.text(alphabet=st.sampled_from(["a", " ", '"', "|", ",", "\n", "é"]), max_size=12)


@settings(max_examples=40)
@given(st.lists(st.tuples(st.integers(1990, 2030), FIELD, st.integers(0, 10**6)), max_size=30))
def test_quoted_values_survive_every_block_cut(tmp_path_factory, rows):
    """Whatever the quotes, pipes and line ends inside values (written as CSV quotes them),
    reading in blocks of any size gives the rows pandas reads. (Unless a line a quoted value
    takes in is a whole row by itself: then the CRS rule reads it as a row, the quote as a
    stray one; tests/test_crs_quotes.py checks those files against the rule.)"""
    table = pd.DataFrame(rows, columns=["Year", "ProjectTitle", "USD_Disbursement"])
    table.insert(1, "DonorName", "Japan")
    path = tmp_path_factory.mktemp("q") / "crs.txt"
    table.to_csv(path, sep="|", index=False)
    try:
        ruled, stray = rule_rows(path.read_text().split("\n", 1)[1], "|", 4)
    except ValueError:
        ruled, stray = [], [0]
    assume(len(ruled) == len(table) and not stray)  # the file means what pandas wrote
    columns = ["Year", "DonorName", "ProjectTitle", "USD_Disbursement"]
    whole, _ = read_crs(path, columns=columns, return_rejected=True)
    small, _ = read_crs(path, columns=columns, chunksize=1, return_rejected=True)
    pd.testing.assert_frame_equal(small, whole)
    assert whole["year"].tolist() == table["Year"].tolist()
    assert whole["amount"].tolist() == (table["USD_Disbursement"] * 1e6).tolist()
    titles = table["ProjectTitle"].str.strip().replace("", np.nan)
    assert whole["title"].fillna("").tolist() == titles.fillna("").tolist()


@pytest.mark.parametrize("reader", ["read_table", "read_kiel"])
def test_rows_with_more_fields_than_the_header_are_named(tmp_path, reader):
    """pandas would take the extra leading fields as an index and shift the row."""
    header = TABLE.splitlines()[0] if reader == "read_table" else KIEL.splitlines()[0]
    width = header.count(",") + 1
    path = _write(tmp_path / "ragged.csv", f"{header}\n" + ",".join(["x"] * (width + 2)) + "\n")
    with pytest.raises(aidcalc.InputFileError, match=f"Expected {width} fields in line 2, saw"):
        READERS[reader](path)


# --- rule 4: numbers, years, dates ----------------------------------------------------------

BAD_AMOUNTS = ["inf", "-inf", "Infinity", "nan", "NaN", "1e400", "-1e309", "n/a", "1,5", "0x10"]


@pytest.mark.parametrize("arrow", [True, False], ids=["pyarrow", "pandas"])
def test_crs_amounts_that_are_not_finite_numbers_are_reported(tmp_path, monkeypatch, arrow):
    if not arrow:
        monkeypatch.setattr(_io_crs_text, "has_arrow", lambda: False)
    body = "".join(f"2022|Japan|15250|{v}\n" for v in ["1.5", *BAD_AMOUNTS, "1e303", ""])
    frame, rejected = read_crs(
        _write(tmp_path / "crs.txt", CRS_HEADER + body), return_rejected=True
    )
    amounts = frame["amount"].to_numpy()
    assert amounts[0] == 1_500_000.0 and np.isnan(amounts[1:]).all()
    assert not np.isinf(amounts).any()
    cells = rejected[rejected["column"] == "USD_Disbursement"]
    cells = cells[cells["reason"].str.contains("not a finite number")]
    # 1e303 millions is inf in units: refused too; the empty cell is not a bad value
    assert cells["value"].tolist() == [*BAD_AMOUNTS, "1e303"]
    assert cells["row"].tolist() == list(range(3, 3 + len(BAD_AMOUNTS) + 1))
    assert cells["kept"].all() and len(frame) == len(BAD_AMOUNTS) + 3


@pytest.mark.parametrize("arrow", [True, False], ids=["pyarrow", "pandas"])
def test_crs_years_are_whole_years_in_the_window_never_rounded(tmp_path, monkeypatch, arrow):
    if not arrow:
        monkeypatch.setattr(_io_crs_text, "has_arrow", lambda: False)
    years = ["2022", "2022.0", "2022.7", "-2022", "1899", "2101", "99999", "inf", "1e20", "x"]
    body = "".join(f"{y}|Japan|15250|1\n" for y in years)
    frame, rejected = read_crs(
        _write(tmp_path / "crs.txt", CRS_HEADER + body), return_rejected=True
    )
    assert frame["year"].tolist()[:2] == [2022, 2022]
    assert frame["year"].iloc[2:].isna().all()  # never 2023
    bad = rejected[rejected["column"] == "Year"]
    assert bad["value"].tolist() == years[2:]
    assert bad["reason"].str.contains("not a whole year from 1900 to 2100").all()


@pytest.mark.parametrize("arrow", [True, False], ids=["pyarrow", "pandas"])
def test_iter_crs_chunks_carry_their_report(tmp_path, monkeypatch, arrow):
    if not arrow:
        monkeypatch.setattr(_io_crs_text, "has_arrow", lambda: False)
    body = "2022|Japan|15250|1\n" * 7 + "2022|Japan|15250|inf\n" + "2022|Japan|15250|1\n" * 5
    chunks = list(iter_crs(_write(tmp_path / "crs.txt", CRS_HEADER + body), chunksize=4))
    reports = pd.concat([c.attrs["rejected"] for c in chunks])
    cells = reports[reports["value"].notna()]
    assert cells["row"].tolist() == [9] and cells["value"].tolist() == ["inf"]
    # the chunk's pledge report too: the amount left empty, by its line
    assert reports["row"].tolist() == ["lines [9]", 9]
    assert sum(len(c) for c in chunks) == 13


@pytest.mark.parametrize("value", ["inf", "-Infinity", "1e400", "-1e309"])
def test_table_amounts_never_inf(tmp_path, value):
    path = _write(tmp_path / "t.csv", TABLE + f"USA,2024-04-24,{value},USD\n")
    frame, rejected = read_table(path, return_rejected=True)
    assert frame["donor"].tolist() == ["JPN", "CAN"]
    assert rejected["amount"].tolist() == [value]
    assert f"amount: not a finite number ('{value}')" in rejected["reason"].iloc[0]


def test_numeric_inf_from_parquet_and_xlsx_is_refused(tmp_path):
    table = pd.DataFrame(
        {"donor": ["JPN", "USA"], "amount": [1.0, np.inf], "currency": ["JPY", "USD"]}
    )
    table.to_parquet(tmp_path / "t.parquet")
    frame, rejected = read_table(tmp_path / "t.parquet", return_rejected=True)
    assert (
        frame["donor"].tolist() == ["JPN"] and "not a finite number" in rejected["reason"].iloc[0]
    )


def test_kiel_amounts_never_inf(tmp_path):
    path = _write(tmp_path / "k.csv", KIEL + "Germany,2024-02-20,Military,Commitment,inf\n")
    frame, rejected = read_kiel(path, return_rejected=True)
    assert frame["amount"].tolist()[0] == 1e9 and np.isnan(frame["amount"].iloc[1])
    assert rejected["reason"].tolist() == ["amount: not a finite number: left empty"]
    assert rejected["row"].tolist() == [3] and rejected["value"].tolist() == ["inf"]


@pytest.mark.parametrize(
    "day", ["9999-12-31", "2262-04-12", "2101-01-01", "1899-12-31", "1200-01-01"]
)
def test_dates_outside_the_window_are_refused_never_wrapped(tmp_path, day):
    table = _write(tmp_path / "t.csv", TABLE + f"USA,{day},6.1e10,USD\n")
    frame, rejected = read_table(table, return_rejected=True)
    assert frame["announced"].dt.year.between(2024, 2024).all()
    assert rejected["date"].tolist() == [day]
    assert "outside the supported window" in rejected["reason"].iloc[0]
    kiel = _write(tmp_path / "k.csv", KIEL + f"Germany,{day},Military,Commitment,1\n")
    frame, rejected = read_kiel(kiel, return_rejected=True)
    assert pd.isna(frame["announced"].iloc[1]) and frame["announced"].dtype == "datetime64[ns]"
    assert "outside the supported window" in rejected["reason"].iloc[0]
    crs = _write(
        tmp_path / "c.txt",
        CRS_HEADER.replace("\n", "|CommitmentDate\n") + f"2022|Japan|1|1|{day}\n",
    )
    frame, rejected = read_crs(crs, return_rejected=True)
    assert pd.isna(frame["announced"].iloc[0]) and frame["announced"].dtype == "datetime64[ns]"
    assert rejected["reason"].str.contains("outside the supported window").any()


def test_dates_at_the_edges_of_the_window_are_read(tmp_path):
    frame, rejected = read_table(
        _write(tmp_path / "t.csv", TABLE + "CAN,1910-01-01,1,CAD\n"), return_rejected=True
    )
    assert frame["announced"].iloc[-1] == pd.Timestamp("1910-01-01") and len(rejected) == 0
    kiel = _write(tmp_path / "k.csv", KIEL + "Germany,2100-12-31,Military,Commitment,1\n")
    frame, rejected = read_kiel(kiel, return_rejected=True)
    assert frame["announced"].iloc[-1] == pd.Timestamp("2100-12-31") and len(rejected) == 0


# --- rule 5: options ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("reader", "options", "named"),
    [
        ("read_crs", {"amount": "bogus"}, "amount='bogus'"),
        ("read_crs", {"amount": None}, "amount=None"),
        ("read_crs", {"chunksize": 0}, "chunksize=0"),
        ("iter_crs", {"chunksize": 0}, "chunksize=0"),
        ("iter_crs", {"chunksize": -5}, "chunksize=-5"),
        ("iter_crs", {"chunksize": 2.5}, "chunksize=2.5"),
        ("iter_crs", {"chunksize": "100"}, "chunksize='100'"),
        ("iter_crs", {"chunksize": True}, "chunksize=True"),
        ("read_crs", {"columns": "Year"}, "columns='Year'"),
        ("read_crs", {"columns": []}, "columns=[]"),
        ("read_crs", {"columns": [1]}, "columns=[1]"),
        ("read_crs", {"progress": "yes"}, "progress='yes'"),
        ("read_crs", {"member": 3}, "member=3"),
        ("read_crs", {"max_ratio": 0}, "max_ratio=0"),
        ("read_crs", {"max_ratio": float("inf")}, "max_ratio=inf"),
        ("read_crs", {"max_uncompressed": -1}, "max_uncompressed=-1"),
        ("read_table", {"sheet_name": True}, "sheet_name=True"),
        ("read_table", {"sheet_name": 1.5}, "sheet_name=1.5"),
        ("read_table", {"mapping": ["Land"]}, "mapping=['Land']"),
        ("read_table", {"max_ratio": "high"}, "max_ratio='high'"),
        ("read_kiel", {"sheet_name": 1.5}, "sheet_name=1.5"),
        ("read_kiel", {"mapping": "giver"}, "mapping='giver'"),
        ("read_any", {"bogus": 1}, "['bogus'] is not an option of read_crs"),
        ("read_any", {"max_ratio": -3}, "max_ratio=-3"),
    ],
)
def test_bad_options_are_named_before_any_work(tmp_path, reader, options, named):
    """Even with a missing file: the options are checked first."""
    missing = CRS_SAMPLE if reader == "read_any" else tmp_path / "missing.txt"
    with pytest.raises(aidcalc.ValidationError) as info:
        READERS[reader](missing, **options)
    message = str(info.value)
    assert named in message and ("use" in message or "takes" in message)
    assert isinstance(info.value, ValueError)
    assert info.value.option == next(iter(options))


def test_read_any_passes_the_archive_options_on(tmp_path):
    path = _zip(
        tmp_path / "two.zip",
        {"a.txt": (CRS_HEADER + "2022|Japan|1|1\n").encode(), "b.txt": CRS_SAMPLE.read_bytes()},
    )
    frame, _ = read_any(path, member="b.txt", max_ratio=500, return_rejected=True)
    assert len(frame) == 5
    iati = FIXTURES / "iati_203_ukraine.xml"
    assert (
        len(read_any(iati, max_ratio=500, return_rejected=True)[0]) == 6
    )  # archive options: not for XML, harmless


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_utf16_text_is_read_as_text(tmp_path, encoding):
    """Excel's "Unicode Text" (UTF-16 with a byte-order mark, tab-separated): not binary."""
    bom = "\ufeff".encode(encoding)
    crs = (CRS_HEADER + "2022|Côte d'Ivoire|15250|1.5\n").replace("\n", "\r\n")
    frame, _ = read_crs(
        _write(tmp_path / "crs.txt", bom + crs.encode(encoding)), return_rejected=True
    )
    assert frame["amount"].tolist() == [1_500_000.0]
    assert frame["donor_name"].tolist() == ["Côte d'Ivoire"]
    table = bom + TABLE.replace(",", "\t").encode(encoding)
    frame, _ = read_any(_write(tmp_path / "t.txt", table), return_rejected=True)
    assert frame["amount"].tolist() == [15.8e9, 3.02e9] and frame.attrs["format"] == "CSV table"
    kiel, _ = read_kiel(
        _write(tmp_path / "k.txt", bom + KIEL.encode(encoding)), return_rejected=True
    )
    assert kiel["donor"].tolist() == ["JPN"]


def test_workbook_sheets_by_name_or_number(tmp_path):
    from openpyxl import Workbook

    book = Workbook()
    book.active.title = "notes"
    sheet = book.create_sheet("Bilateral Assistance, MAIN DATA")
    sheet.append(
        ["donor", "announcement_date", "aid_type_general", "measure", "tot_sub_activity_value_EUR"]
    )
    sheet.append(["Japan", "2024-02-19", "Financial", "Commitment", 1e9])
    book.save(tmp_path / "kiel.xlsx")
    by_name, _ = read_kiel(tmp_path / "kiel.xlsx", return_rejected=True)
    by_number, _ = read_kiel(tmp_path / "kiel.xlsx", sheet_name=1, return_rejected=True)
    pd.testing.assert_frame_equal(by_name, by_number)
    with pytest.raises(aidcalc.InputFileError, match=r"no sheet number 5; the workbook has"):
        read_kiel(tmp_path / "kiel.xlsx", sheet_name=5, return_rejected=True)


def _cut_all(rows: _io_crs_cut.Cutter, data: bytes, split: int) -> bytes:
    """The rows of ``data`` (rewritten where quotes are stray) cut in two steps: the bytes
    before ``split`` first (more to come), then the rest."""
    first = rows.cut(data[:split], final=False)
    rest = rows.cut(data[first.end :], final=True)
    return bytes(first.data) + bytes(rest.data)


def _parsed(data: bytes, sep: str, width: int) -> list[list[str | None]]:
    """Rows as pyarrow's CSV parser reads them (as read_crs parses each block)."""
    import pyarrow as pa
    import pyarrow.csv as pcsv

    names = [f"c{i}" for i in range(width)]
    table = pcsv.read_csv(
        pa.py_buffer(data),
        read_options=pcsv.ReadOptions(column_names=names),
        parse_options=pcsv.ParseOptions(delimiter=sep, newlines_in_values=True),
        convert_options=pcsv.ConvertOptions(
            column_types={n: pa.string() for n in names}, strings_can_be_null=True
        ),
    )
    return [list(r.values()) for r in table.to_pylist()]


@settings(max_examples=300)
@given(
    st.binary(max_size=60).map(
        lambda b: bytes(b'a"|\n\r,'[x % 6] for x in b) + b"\n"  # only the bytes that matter
    ),
    st.sampled_from([b"\n", b"\r"]),
    st.sampled_from(["|", ","]),
    st.integers(2, 4),  # CRS has at least 3 columns (pyarrow reads one column differently)
    st.integers(0, 60),
)
def test_block_cuts_follow_the_quote_rule(data, eol, sep, width, split):
    """Cut anywhere, the rows are the same as cut at once (a row is only cut off when the
    bytes after it cannot change its reading), and the parser reads the rule's rows (a
    line of the wrong width is refused: by the cutter, or by the parser when the text has
    no quoted values)."""
    import pyarrow as pa

    rows = _io_crs_cut.Cutter(sep, width, eol)
    try:
        ruled, _ = rule_rows(data.decode(), sep, width)
    except ValueError:
        ruled = None
    try:
        whole = rows.cut(data, final=True)
    except _io_crs_cut.Ragged:
        assert ruled is None
        with pytest.raises((_io_crs_cut.Ragged, pa.ArrowInvalid)):  # the parser refuses it
            _parsed(_cut_all(rows, data, split), sep, width)
        return
    assert _cut_all(rows, data, split) == bytes(whole.data)
    if ruled is None:
        assert not whole.quoted
        with pytest.raises(pa.ArrowInvalid):
            _parsed(bytes(whole.data), sep, width)
    elif ruled:
        assert _parsed(bytes(whole.data), sep, width) == ruled
