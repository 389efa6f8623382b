"""Security: hostile XML is refused fast without memory growth; exports never run formulas."""

from __future__ import annotations

import csv
import socket
import time
import tracemalloc
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

import aidcalc
from aidcalc._base._export import write_csv, write_xlsx
from aidcalc.io import read_any, read_iati

# "billion laughs": 10 levels x 10 references = 10^9 copies of "lol" (~3 GB) if expanded
BOMB = (
    '<?xml version="1.0"?>\n<!DOCTYPE lolz [\n <!ENTITY lol "lol">\n'
    + "".join(
        f' <!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">\n'
        for i in range(1, 10)
    )
    + ']>\n<iati-activities><iati-activity default-currency="EUR">'
    "<iati-identifier>&lol9;</iati-identifier></iati-activity></iati-activities>\n"
)
XXE = (
    '<?xml version="1.0"?>\n<!DOCTYPE iati-activities [\n'
    ' <!ENTITY secret SYSTEM "file:///etc/passwd">\n]>\n'
    "<iati-activities><iati-activity><iati-identifier>&secret;</iati-identifier>"
    "</iati-activity></iati-activities>\n"
)
XXE_URL = XXE.replace("file:///etc/passwd", "http://example.invalid/steal")
EXTERNAL_DTD = (
    '<?xml version="1.0"?>\n<!DOCTYPE iati-activities SYSTEM "http://example.invalid/x.dtd">\n'
    '<iati-activities><iati-activity default-currency="EUR"><iati-identifier>A</iati-identifier>'
    '<transaction><transaction-type code="3"/><transaction-date iso-date="2024-01-02"/>'
    "<value>5</value></transaction></iati-activity></iati-activities>\n"
)


@pytest.fixture
def no_network(monkeypatch):
    """Any attempt to open a socket fails the test."""

    def refuse(*args, **kwargs):
        raise AssertionError("aidcalc tried to open a network connection")

    monkeypatch.setattr(socket, "socket", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


@pytest.mark.parametrize("recover", [False, True])
def test_billion_laughs_refused_fast_without_memory_growth(tmp_path, recover, no_network):
    path = tmp_path / "bomb.xml"
    path.write_text(BOMB, encoding="utf-8")
    tracemalloc.start()
    start = time.perf_counter()
    with pytest.raises(aidcalc.InputFileError) as info:
        read_iati(path, recover=recover, return_rejected=True)
    elapsed = time.perf_counter() - start
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert elapsed < 2.0
    assert peak < 5 * 2**20  # expansion would need gigabytes
    message = str(info.value)
    assert "unsafe XML refused" in message and "'lol'" in message and str(path) in message
    assert info.value.reason == "unsafe XML" and info.value.line == 3
    assert "\n" not in message


@pytest.mark.parametrize("doc", [XXE, XXE_URL], ids=["file", "url"])
@pytest.mark.parametrize("recover", [False, True])
def test_external_entity_refused_and_never_read(tmp_path, doc, recover, no_network):
    path = tmp_path / "xxe.xml"
    path.write_text(doc, encoding="utf-8")
    with pytest.raises(aidcalc.InputFileError) as info:
        read_iati(path, recover=recover, return_rejected=True)
    message = str(info.value)
    assert "unsafe XML refused" in message and "'secret'" in message
    assert "root:" not in message  # nothing of /etc/passwd leaked into the error


def test_external_dtd_is_not_fetched(tmp_path, no_network):
    path = tmp_path / "dtd.xml"
    path.write_text(EXTERNAL_DTD, encoding="utf-8")
    frame, _ = read_iati(
        path, return_rejected=True
    )  # parsed without loading the DTD (no socket opened)
    assert frame["amount"].tolist() == [5.0]


def test_read_any_refuses_the_bomb_too(tmp_path):
    path = tmp_path / "looks_harmless.txt"
    path.write_text(BOMB, encoding="utf-8")
    with pytest.raises(aidcalc.InputFileError, match="unsafe XML"):
        read_any(path, return_rejected=True)


# --- exports: no cell may become a formula --------------------------------------------------
RISKY = [
    '=HYPERLINK("http://x","click")',
    "+1+2",
    "-2+3",
    "@SUM(A1:A2)",
    "=1+1",
    "\t=cmd",
    "\uff1d1+1",
    "ok",
    "-",
    "a=b",
]
PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def _frame(texts: list[str]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "donor": texts,
            "amount": [-1.5 * (i + 1) for i in range(len(texts))],  # negative numbers are data
            "=formula column": ["x"] * len(texts),
        }
    )


def _assert_safe_text(value: object) -> None:
    if isinstance(value, str):
        assert not value.startswith(PREFIXES), repr(value)


def test_csv_export_neutralises_every_formula(tmp_path):
    path = write_csv(_frame(RISKY), tmp_path / "t.csv")
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    for row in rows:
        _assert_safe_text(row[0])
        _assert_safe_text(row[2])
    assert rows[1][0] == '\'=HYPERLINK("http://x","click")'
    assert rows[0][2] == "'=formula column"
    assert [r[1] for r in rows[1:3]] == ["-1.5", "-3.0"]  # numbers untouched
    assert rows[8][0] == "ok" and rows[10][0] == "a=b"


def test_xlsx_export_has_no_formula_cells(tmp_path):
    from openpyxl import load_workbook

    path = write_xlsx(_frame(RISKY), tmp_path / "t.xlsx")
    book = load_workbook(path)  # formulas would load as data_type "f"
    cells = [c for row in book.active.iter_rows() for c in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    for cell in cells:
        _assert_safe_text(cell.value)
    values = [c.value for c in book.active["A"]][1:]
    assert values[0] == '\'=HYPERLINK("http://x","click")' and values[7] == "ok"
    assert [c.value for c in book.active["B"]][1:3] == [-1.5, -3.0]


@given(
    st.lists(
        st.text(
            alphabet=st.sampled_from(["=", "+", "-", "@", "\t", "a", "1", " ", "\uff20"]),
            min_size=0,
            max_size=6,
        ),
        min_size=1,
        max_size=5,
    )
)
def test_any_text_round_trips_through_csv_safely(tmp_path_factory, texts):
    path = tmp_path_factory.mktemp("p") / "t.csv"
    write_csv(pd.DataFrame({"t": texts}), path)
    with path.open(encoding="utf-8", newline="") as fh:
        cells = [row[0] for row in csv.reader(fh)][1:]
    for original, cell in zip(texts, cells, strict=True):
        _assert_safe_text(cell)
        # nothing else changed: either as written, or as written behind one quote
        assert cell in (original, "'" + original) or (original == "" and cell == "")


def test_reader_output_exported_safely(tmp_path):
    """A hostile value inside an imported file stays inert after export."""
    path = tmp_path / "hostile.csv"
    path.write_text('donor,amount,currency,description\nJPN,1,JPY,"=HYPERLINK(""x"")"\n')
    frame, _ = read_any(path, return_rejected=True)
    out = write_csv(frame, tmp_path / "out.csv")
    assert "'=HYPERLINK" in Path(out).read_text(encoding="utf-8")


def test_bomb_behind_a_comment_is_still_refused(tmp_path):
    """Documents without a DOCTYPE take the fast parser: a comment must not hide one."""
    sneaky = BOMB.replace('<?xml version="1.0"?>\n', '<?xml version="1.0"?>\n<!-- <a> -->\n')
    path = tmp_path / "sneaky.xml"
    path.write_text(sneaky, encoding="utf-8")
    with pytest.raises(aidcalc.InputFileError, match="unsafe XML refused"):
        read_iati(path, return_rejected=True)
    utf16 = tmp_path / "utf16.xml"
    utf16.write_text(BOMB.replace('"1.0"?>', '"1.0" encoding="UTF-16"?>', 1), encoding="utf-16")
    with pytest.raises(aidcalc.InputFileError, match="unsafe XML refused"):
        read_iati(utf16, return_rejected=True)


def test_undeclared_entity_is_an_error_not_an_expansion(tmp_path):
    path = tmp_path / "undeclared.xml"
    path.write_text("<iati-activities><iati-activity>&lol9;</iati-activity></iati-activities>")
    with pytest.raises(aidcalc.InputFileError, match=r"line 1, column \d+: undefined entity"):
        read_iati(path, return_rejected=True)


# --- the guarded input and the streaming recovery keep the XML safety ------------------------
@pytest.mark.parametrize("encoding", ["utf-8", "utf-16", "utf-32", "shift_jis", "cp1252"])
@pytest.mark.parametrize("recover", [False, True])
def test_bomb_is_refused_in_every_encoding(tmp_path, encoding, recover, no_network):
    """Transcoded documents (expat cannot read UTF-32 or Shift_JIS) are checked the same way."""
    name = {"utf-16": "UTF-16", "utf-32": "UTF-32"}.get(encoding, encoding)
    doc = BOMB.replace('"1.0"?>', f'"1.0" encoding="{name}"?>', 1)
    path = tmp_path / "bomb.xml"
    path.write_bytes(doc.encode(encoding))
    tracemalloc.start()
    with pytest.raises(aidcalc.InputFileError, match="unsafe XML refused") as info:
        read_iati(path, recover=recover, return_rejected=True)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert peak < 20 * 2**20
    assert info.value.line == 3


def test_recover_never_expands_a_declaration_inside_an_activity(tmp_path, no_network):
    """A DTD can only come before the root: inside a block it is a well-formedness error."""
    good = (
        '<iati-activity default-currency="EUR"><iati-identifier>OK</iati-identifier>'
        '<transaction><transaction-type code="3"/><transaction-date iso-date="2024-01-02"/>'
        "<value>5</value></transaction></iati-activity>\n"
    )
    evil = (
        '<iati-activity><!DOCTYPE x [<!ENTITY secret SYSTEM "file:///etc/passwd">]>'
        "<iati-identifier>&secret;</iati-identifier></iati-activity>\n"
        '<iati-activity><!ENTITY lol "lol"><iati-identifier>&lol;</iati-identifier>'
        "</iati-activity>\n"
    )
    path = tmp_path / "inside.xml"
    path.write_text(f"<iati-activities>\n{good}{evil}{good}</iati-activities>\n")
    frame, rejected = read_iati(path, recover=True, return_rejected=True)
    assert frame["activity_id"].tolist() == ["OK", "OK"]
    skipped = rejected[~rejected["kept"].astype(bool)]
    assert skipped["row"].tolist() == ["line 3", "line 4"]
    assert skipped["reason"].str.startswith("activity skipped: not well-formed").all()
    assert "root:" not in " ".join(rejected["reason"])  # nothing of /etc/passwd read


@pytest.mark.parametrize("recover", [False, True])
def test_external_dtd_is_not_fetched_in_either_mode(tmp_path, recover, no_network):
    path = tmp_path / "dtd.xml"
    path.write_text(EXTERNAL_DTD, encoding="utf-8")
    frame, _ = read_iati(path, recover=recover, return_rejected=True)
    assert frame["amount"].tolist() == [5.0]
