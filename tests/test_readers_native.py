"""Readers shaped like pandas readers (issue 13): a DataFrame by default, the rejected-rows
report one keyword away and never lost silently, the inputs pandas takes (paths, binary
file objects, URLs with ``storage_options``), numbers as numbers, one keyword vocabulary."""

from __future__ import annotations

import http.server
import io
import sys
import threading
import warnings
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

import aidcalc
import aidcalc.io as aio
from aidcalc.io._common import RejectedRows

CRS = (
    "Year|DonorName|RecipientName|PurposeCode|USD_Disbursement\n"
    "2022|Japan|Ukraine|15250|1.5\n"
    "2023|Nowhere Fund|Ukraine|15250|inf\n"
)
CRS_CLEAN = "Year|DonorName|PurposeCode|USD_Disbursement\n2022|Japan|15250|1.5\n"
TABLE = "donor,date,amount,currency\nJPN,2024-02-19,15.8e9,JPY\nCAN,soon,3.02e9,CAD\n"
KIEL = (
    "giver,dato,kategori,maal,verdi_eur,antall,kode\n"
    "Japan,2024-02-19,Financial,Commitment,1e9,3,007\n"
    "Germany,2024-03-01,Military,Allocation,2e9,,12\n"
)
IATI = b"""<iati-activities version="2.03"><iati-activity default-currency="EUR">
 <iati-identifier>XX-1</iati-identifier>
 <reporting-org ref="DE-GOV-1"><narrative>Germany</narrative></reporting-org>
 <recipient-country code="UA"/><sector vocabulary="1" code="15250"/>
 <transaction><transaction-type code="2"/><transaction-date iso-date="2023-05-02"/>
  <value value-date="2023-05-01">1000</value></transaction>
 <transaction><transaction-type code="2"/><transaction-date iso-date="2023-05-02"/>
  <value value-date="2023-05-01"></value></transaction>
</iati-activity></iati-activities>"""

# reader name -> (content, file name); each has at least one entry that warns (a row left
# out or money changed: CRS and Kiel a money cell that is not a number)
CASES = {
    "read_crs": (CRS, "crs.txt"),
    "read_table": (TABLE, "table.csv"),
    "read_kiel": (KIEL.replace("Germany", "Atlantis").replace("2e9", "lots"), "kiel.csv"),
    "read_iati": (IATI, "a.xml"),
    "read_any": (CRS, "download.dat"),
}


def _write(tmp_path: Path, reader: str) -> Path:
    content, name = CASES[reader]
    path = tmp_path / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    return path


def _read(reader: str, source, **kwargs):
    return getattr(aio, reader)(source, **kwargs)


# --- return type --------------------------------------------------------------------------


@pytest.mark.parametrize("reader", sorted(CASES))
def test_default_is_a_dataframe_with_one_warning(tmp_path, reader):
    path = _write(tmp_path, reader)
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        frame = _read(reader, path)
    assert type(frame) is pd.DataFrame
    assert frame.head().shape[1] == frame.shape[1]  # read_crs(path).head() works
    ours = [w for w in seen if issubclass(w.category, aidcalc.RejectedRowsWarning)]
    assert len(ours) == 1, [str(w.message) for w in seen]
    message = str(ours[0].message)
    assert reader in message and "return_rejected=True" in message
    assert ours[0].filename == __file__  # points at the caller's line, not inside aidcalc
    report = frame.attrs["rejected"]
    assert isinstance(report, pd.DataFrame) and len(report) >= 1
    assert "reason" in report.columns


@pytest.mark.parametrize("reader", sorted(CASES))
def test_return_rejected_gives_the_pair_without_warning(tmp_path, reader):
    path = _write(tmp_path, reader)
    with warnings.catch_warnings():
        warnings.simplefilter("error", aidcalc.RejectedRowsWarning)
        result = _read(reader, path, return_rejected=True)
    frame, rejected = result
    assert isinstance(result, aio.ReadResult)
    assert result.frame is frame and result.rejected is rejected
    assert isinstance(frame, pd.DataFrame) and len(rejected) >= 1
    assert frame.attrs["rejected"] is rejected
    with pytest.warns(aidcalc.RejectedRowsWarning):
        default = _read(reader, path)
    pd.testing.assert_frame_equal(default, frame)


def test_no_warning_when_nothing_is_rejected(tmp_path):
    path = tmp_path / "crs.txt"
    path.write_text(CRS_CLEAN)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        frame = aio.read_crs(path)
    assert len(frame.attrs["rejected"]) == 0


def test_return_rejected_must_be_a_bool(tmp_path):
    path = _write(tmp_path, "read_crs")
    with pytest.raises(aidcalc.ValidationError, match="return_rejected"):
        aio.read_crs(path, return_rejected="yes")


def test_pledges_returns_a_frame_and_warns_with_the_count():
    table = pd.DataFrame(
        {"donor": ["JPN", "USA", "XYZ"], "amount": [1.0, 2.0, 3.0], "currency": ["JPY"] * 3}
    )
    with pytest.warns(aidcalc.RejectedRowsWarning, match=r"pledges: 1 row left out of the frame"):
        frame = aidcalc.pledges(table)
    assert type(frame) is pd.DataFrame and len(frame) == 2
    assert frame.attrs["rejected"]["reason"].str.contains("donor").all()
    ok, rejected = aidcalc.pledges(table, return_rejected=True)
    assert len(ok) + len(rejected) == len(table)


def test_report_survives_slicing_and_concat_of_reads(tmp_path):
    path = _write(tmp_path, "read_crs")
    with pytest.warns(aidcalc.RejectedRowsWarning):
        a = aio.read_crs(path)
        b = aio.read_crs(io.BytesIO(CRS.encode()))
    report = a.attrs["rejected"]
    assert a[["amount"]].attrs["rejected"] is report  # shared, not deep-copied
    assert pd.concat([a.iloc[:1], a.iloc[1:]]).attrs["rejected"] is report
    both = pd.concat([a, b])  # two reads: different reports, attrs dropped (pandas' rule)
    assert len(both) == 4 and "rejected" not in both.attrs


def test_rejected_report_rich_display(tmp_path):
    path = _write(tmp_path, "read_table")
    result = aio.read_table(path, return_rejected=True)
    assert isinstance(result.rejected, RejectedRows)
    html = result.rejected._repr_html_()
    assert "<th>rows</th>" in html and "announced" in html and html.count("<table") == 2
    pair_html = result._repr_html_()
    assert pair_html.startswith("<p>1 row read; 1 in the rejected-rows report")

    class Printer:
        def __init__(self) -> None:
            self.out = ""

        def text(self, s: str) -> None:
            self.out += s

    p = Printer()
    result.rejected._repr_pretty_(p, False)
    assert p.out.startswith("1 entry in the rejected-rows report, by reason:\n")
    p = Printer()
    result._repr_pretty_(p, False)
    assert p.out.splitlines()[0].startswith("1 row read; 1 entry")
    assert type(result.rejected[["reason"]]) is pd.DataFrame  # derived: plain frames


def test_rejected_report_html_escapes_reasons():
    report = RejectedRows(pd.DataFrame({"reason": ["<script>x</script>"], "kept": [False]}))
    assert "<script>" not in report._repr_html_().split("</table>")[0]


# --- inputs -------------------------------------------------------------------------------


@pytest.mark.parametrize("reader", sorted(CASES))
def test_bytesio_and_path_like_read_the_same(tmp_path, reader):
    path = _write(tmp_path, reader)
    by_path = _read(reader, path, return_rejected=True).frame
    by_str = _read(reader, str(path), return_rejected=True).frame
    by_bytes = _read(reader, io.BytesIO(path.read_bytes()), return_rejected=True).frame
    for got in (by_str, by_bytes):
        assert got["amount"].tolist() == pytest.approx(by_path["amount"].tolist(), nan_ok=True)


@pytest.fixture
def server(tmp_path) -> Iterator[tuple[str, list[dict[str, str]]]]:
    """A local HTTP server on 127.0.0.1 (random port) serving tmp_path; no real network."""
    seen: list[dict[str, str]] = []

    class Handler(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, directory=str(tmp_path), **kwargs)

        def do_GET(self):  # the http.server API
            seen.append(dict(self.headers))
            super().do_GET()

        def log_message(self, *args):  # quiet
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}", seen
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(5)


@pytest.mark.parametrize("reader", sorted(CASES))
def test_http_urls_are_read_like_files(tmp_path, server, reader):
    base, _ = server
    path = _write(tmp_path, reader)
    local = _read(reader, path, return_rejected=True)
    remote = _read(reader, f"{base}/{path.name}", return_rejected=True)
    assert remote.frame["amount"].tolist() == pytest.approx(
        local.frame["amount"].tolist(), nan_ok=True
    )
    assert len(remote.rejected) == len(local.rejected)
    assert remote.frame.attrs["source"].startswith(base)  # named by its URL


def test_storage_options_are_http_headers_as_in_pandas(tmp_path, server):
    base, seen = server
    (tmp_path / "crs.txt").write_text(CRS_CLEAN)
    frame = aio.read_crs(f"{base}/crs.txt", storage_options={"X-Token": "abc"})
    assert frame["amount"].tolist() == [1_500_000.0]
    assert seen[-1].get("X-Token") == "abc"


def test_url_errors_are_clear(tmp_path, server):
    base, _ = server
    with pytest.raises(aidcalc.InputFileError, match=r"HTTP 404"):
        aio.read_crs(f"{base}/missing.txt")
    (tmp_path / "empty.txt").write_bytes(b"")
    with pytest.raises(aidcalc.InputFileError, match="empty download"):
        aio.read_any(f"{base}/empty.txt")


def test_download_is_capped(tmp_path, server, monkeypatch):
    import aidcalc.io._source as common

    base, _ = server
    (tmp_path / "crs.txt").write_text(CRS_CLEAN * 50)
    monkeypatch.setattr(common, "MAX_DOWNLOAD", 100)
    with pytest.raises(aidcalc.InputFileError, match="larger than"):
        aio.read_crs(f"{base}/crs.txt")


def test_storage_options_refused_for_local_input(tmp_path):
    path = _write(tmp_path, "read_crs")
    for source in (path, io.BytesIO(b"x")):
        with pytest.raises(aidcalc.ValidationError, match="storage_options are for URLs"):
            aio.read_crs(source, storage_options={"anon": True})


def test_file_urls_are_local_paths(tmp_path):
    path = _write(tmp_path, "read_crs")
    frame = aio.read_crs(path.as_uri(), return_rejected=True).frame
    assert frame["amount"].tolist()[0] == 1_500_000.0


def test_other_schemes_need_fsspec_or_say_so(tmp_path):
    try:
        import fsspec
    except ImportError:
        with pytest.raises(aidcalc.InputFileError, match="needs fsspec"):
            aio.read_crs("s3://bucket/crs.txt")
    else:  # fsspec's in-memory filesystem: no network
        with fsspec.open("memory://aidcalc/crs.txt", "wb") as fh:
            fh.write(CRS_CLEAN.encode())
        assert aio.read_crs("memory://aidcalc/crs.txt")["amount"].tolist() == [1_500_000.0]


def test_pledges_reads_streams_and_urls(tmp_path, server):
    base, _ = server
    (tmp_path / "t.csv").write_text("donor,amount,currency\nJPN,1,JPY\n")
    for source in (io.BytesIO(b"donor,amount,currency\nJPN,1,JPY\n"), f"{base}/t.csv"):
        assert aidcalc.pledges(source)["amount"].tolist() == [1.0]


# --- numbers as numbers, one vocabulary ------------------------------------------------------


def test_kiel_unmapped_numeric_columns_are_numeric(tmp_path):
    path = tmp_path / "kiel.csv"
    path.write_text(KIEL)
    frame = aio.read_kiel(path)
    assert pd.api.types.is_numeric_dtype(frame["antall"])
    assert frame["antall"].sum() == 3  # added, not concatenated
    assert frame["kode"].tolist() == ["007", "12"]  # codes with a leading zero stay text


def test_sheet_name_as_in_pandas_and_sheet_deprecated(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    book.active.title = "first"
    book.active.append(["x"])
    sheet = book.create_sheet("pledges")
    sheet.append(["donor", "amount", "currency"])
    sheet.append(["JPN", 5, "JPY"])
    path = tmp_path / "t.xlsx"
    book.save(path)
    assert aio.read_table(path, sheet_name="pledges")["amount"].tolist() == [5.0]
    assert aidcalc.pledges(path, sheet_name=1)["amount"].tolist() == [5.0]
    with pytest.warns(DeprecationWarning, match="sheet_name="):
        assert aio.read_table(path, sheet="pledges")["amount"].tolist() == [5.0]
    with pytest.raises(aidcalc.ValidationError, match="sheet_name= only"):
        aio.read_table(path, sheet="pledges", sheet_name="pledges")


# --- progress and logging -------------------------------------------------------------------


def test_progress_off_when_stderr_is_not_a_terminal(tmp_path, capsys, monkeypatch):
    from aidcalc._base._progress import progress_bar, show_progress

    monkeypatch.setattr(sys.stderr, "isatty", lambda: False, raising=False)
    path = tmp_path / "crs.txt"
    path.write_text(CRS_CLEAN)
    aio.read_crs(path)
    list(aio.iter_crs(path))
    bar = progress_bar(total=2, desc="x", unit="chart", progress=None)
    bar.update(2)
    bar.close()
    assert capsys.readouterr().err == ""
    assert show_progress(None) is False
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True, raising=False)
    assert show_progress(None) is True and show_progress(False) is False


def test_progress_true_draws_a_tqdm_bar_by_bytes(tmp_path, capsys):
    path = tmp_path / "crs.txt"
    path.write_text(CRS_CLEAN)
    aio.read_crs(path, progress=True)
    err = capsys.readouterr().err
    assert "crs.txt" in err and "100%" in err and "1 rows" in err


def test_report_progress_by_chart_and_steps_logged(tmp_path, capsys, caplog):
    import logging

    from aidcalc._report._build import build_report

    frame = pd.DataFrame(
        {
            "donor": ["DEU", "USA", "JPN"],
            "announced": pd.to_datetime(["2023-01-05", "2023-02-01", "2023-03-01"]),
            "amount": [10.0, 20.0, 5.0],
            "currency": ["USD"] * 3,
            "category": ["humanitarian", "military", "financial"],
            "status": ["committed"] * 3,
        }
    )
    with caplog.at_level(logging.INFO, logger="aidcalc"):
        report = build_report(frame, out=tmp_path / "out", prices="none", progress=True)
    err = capsys.readouterr().err
    assert "aidcalc report: charts" in err and "100%" in err
    charts = sum(1 for f in report.files if f.suffix == ".svg")
    assert f"{charts}/{charts}" in err
    steps = [r.getMessage() for r in caplog.records if r.name == "aidcalc"]
    assert "report: reading the data" in steps and "report: writing index.html" in steps


def test_library_logger_is_silent_by_default():
    import logging

    handlers = logging.getLogger("aidcalc").handlers
    assert any(isinstance(h, logging.NullHandler) for h in handlers)


# --- one keyword vocabulary -------------------------------------------------------------------

FRAME_FUNCTIONS = [
    "convert", "normalise", "share_of_gdp", "per_capita", "categorise", "spread", "aggregate",
    "validate", "pledges", "aggregate_chunks",
]


def _public_frame_functions():
    import inspect

    import aidcalc.plot

    names = [(aidcalc, n) for n in FRAME_FUNCTIONS]
    for n in aidcalc.plot.__all__:
        obj = getattr(aidcalc.plot, n)
        if inspect.isfunction(obj):
            first = next(iter(inspect.signature(obj).parameters), None)
            if first in ("data", "frame"):
                names.append((aidcalc.plot, n))
    return names


def test_the_frame_argument_is_data_everywhere():
    import inspect

    found = _public_frame_functions()
    assert len(found) >= len(FRAME_FUNCTIONS) + 5  # the charts and their tables too
    for module, name in found:
        first = next(iter(inspect.signature(getattr(module, name)).parameters))
        assert first == "data", f"{module.__name__}.{name} takes {first!r} first"


G7 = pd.DataFrame(
    {"donor": ["JPN", "DEU"], "amount": [1e9, 2e9], "currency": ["USD", "USD"],
     "announced": pd.to_datetime(["2023-01-05", "2023-02-01"]), "category": ["energy"] * 2}
)


@pytest.mark.parametrize(
    ("name", "kwargs"),
    [
        ("convert", {"to": "EUR", "date": "announced"}),
        ("categorise", {}),
        ("spread", {}),
        ("aggregate", {"by": "donor"}),
        ("validate", {}),
    ],
)
def test_old_frame_keyword_still_works_with_a_deprecation(name, kwargs):
    func = getattr(aidcalc, name)
    new = func(data=G7, **kwargs)
    with pytest.warns(DeprecationWarning, match=rf"{name}: the argument frame= is now data="):
        old = func(**{"frame": G7}, **kwargs)
    pd.testing.assert_frame_equal(old, new)
    with pytest.raises(aidcalc.ValidationError, match="pass the frame once"):
        func(G7, frame=G7, **kwargs)


def test_old_pledges_keyword_still_works():
    with pytest.warns(DeprecationWarning, match="frame_or_path= is now data="):
        got = aidcalc.pledges(frame_or_path=G7)
    assert len(got) == 2


@pytest.mark.parametrize(
    "call",
    [
        lambda e: aidcalc.convert(G7, "EUR", date="announced", errors=e),
        lambda e: aidcalc.normalise(G7, errors=e),
        lambda e: aidcalc.share_of_gdp(G7, value="amount", errors=e),
        lambda e: aidcalc.per_capita(G7, value="amount", errors=e),
        lambda e: aidcalc.parse_amounts(["$1 million"], errors=e),
        lambda e: aidcalc.donor_codes(["Japan"], errors=e),
        lambda e: aidcalc.validate(G7, errors=e),
    ],
)
@pytest.mark.parametrize("bad", ["ignore", "Raise", None, 1])
def test_errors_takes_the_same_values_everywhere(call, bad):
    with pytest.raises(aidcalc.ValidationError, match=r"errors must be 'raise' or 'coerce', got"):
        call(bad)


def test_validate_errors_coerce_reports_and_report_is_deprecated():
    bad = G7.assign(currency=["XXQ", "USD"])
    problems = aidcalc.validate(bad, errors="coerce")
    assert (problems["column"] == "currency").any()
    pd.testing.assert_frame_equal(aidcalc.validate(bad), problems)
    with pytest.warns(DeprecationWarning, match="errors='report' is now errors='coerce'"):
        pd.testing.assert_frame_equal(aidcalc.validate(bad, errors="report"), problems)
    with pytest.raises(aidcalc.ValidationError):
        aidcalc.validate(bad, errors="raise")


def test_iter_crs_chunks_concatenate(tmp_path):
    path = tmp_path / "crs.txt"
    path.write_text(CRS + "2024|Japan|Ukraine|15250|inf\n")
    other = tmp_path / "other.txt"
    other.write_text(CRS_CLEAN)
    chunks = list(aio.iter_crs(path)) + list(aio.iter_crs(other))
    report = chunks[0].attrs["rejected"]  # the inf, left empty and reported (as its amount)
    assert len(report) >= 1 and report["value"].astype(str).str.contains("inf").any()
    whole = pd.concat(chunks)  # each chunk has its own report in attrs: no ambiguous compare
    assert len(whole) == 4


WDI = (
    b'"Data Source","World Development Indicators",\n\n"Last Updated Date","2024-01-01",\n\n'
    b'"Country Name","Country Code","Indicator Name","Indicator Code","2022",\n'
    b'"Japan","JPN","GDP (current US$)","NY.GDP.MKTP.CD","4.2e12",\n'
)


def test_macro_readers_take_file_objects_and_urls(tmp_path, server):
    base, _ = server
    (tmp_path / "API_wdi.csv").write_bytes(WDI)
    by_path = aio.read_wdi(tmp_path / "API_wdi.csv")
    by_stream = aio.read_wdi(io.BytesIO(WDI))
    by_url = aio.read_wdi(f"{base}/API_wdi.csv")
    for got in (by_stream, by_url):
        assert got["value"].tolist() == by_path["value"].tolist() == [4.2e12]
