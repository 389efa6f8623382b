"""The whole CRS, gaps closed (issue 12): read_crs_dask's rejected-rows report, read_any
telling a Parquet CRS from a Parquet table by its schema, and Parquet input held to the
size and compression-ratio limits a zip is held to (checked from the footer, before any
row is read)."""

from __future__ import annotations

import functools
import zipfile

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import aidcalc
import aidcalc.io as aio
from aidcalc.io import _parquet as _io_parquet
from aidcalc.io._tables import CELL_BYTES

read_crs = functools.partial(aio.read_crs, return_rejected=True)

HEAD = ["Year", "DonorName", "RecipientName", "PurposeCode", "USD_Commitment",
        "USD_Disbursement", "CommitmentDate"]


def bad_cells_table(n: int = 3000) -> pd.DataFrame:
    """CRS rows as text with bad cells spread over the file: money that is not a finite
    number, years that are not whole, impossible dates, a donor without a code, rows
    without a disbursement."""
    rng = np.random.default_rng(3)
    table = pd.DataFrame({
        "Year": rng.integers(2015, 2024, n).astype(str),
        "DonorName": rng.choice(["Japan", "France", "Nowhere Fund"], n),
        "RecipientName": "Ukraine",
        "PurposeCode": "15250",
        "USD_Commitment": np.round(rng.gamma(0.5, 2.0, n), 4).astype(str),
        "USD_Disbursement": np.round(rng.gamma(0.5, 2.0, n), 4).astype(str),
        "CommitmentDate": "2020-01-02",
    })
    table.loc[::17, "USD_Disbursement"] = "inf"
    table.loc[5::23, "USD_Commitment"] = "n/a"
    table.loc[7::31, "Year"] = "2020.5"
    table.loc[11::29, "USD_Disbursement"] = ""
    table.loc[3::37, "CommitmentDate"] = "9999-12-31"
    return table


@pytest.fixture(scope="module")
def bad_files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("bad")
    table = bad_cells_table()
    csv = folder / "crs.txt"
    table.to_csv(csv, sep="|", index=False)
    parquet = folder / "crs.parquet"
    pq.write_table(pa.Table.from_pandas(table, preserve_index=False), parquet,
                   row_group_size=400)
    return {"csv": csv, "parquet": parquet}


# --- 1. read_crs_dask's rejected-rows report ------------------------------------------------


def _cells(report: pd.DataFrame) -> pd.DataFrame:
    """The entries about one cell (a number as ``row``), as a plain frame in the order of
    the file (read_crs lists them block by block, column by column)."""
    cells = report[report["row"].map(lambda r: isinstance(r, (int, np.integer)))]
    cells = pd.DataFrame(cells).sort_values(["row", "column"], kind="stable")
    return cells.reset_index(drop=True).astype(object)


@pytest.mark.parametrize("kind", ["csv", "parquet"])
def test_dask_report_equals_read_crs_report(bad_files, kind):
    dask = pytest.importorskip("dask")
    path = bad_files[kind]
    frame, want = read_crs(path)
    lazy, rejected = aio.read_crs_dask(path, return_rejected=True, blocksize=20_000)
    assert lazy.npartitions > 2 and list(rejected.columns) == list(want.columns)
    got_frame, got = dask.compute(lazy, rejected, scheduler="sync")
    # the frame is the one read_crs_dask gives without the report (itself read_crs's frame,
    # tests/test_crs_scale.py)
    alone = aio.read_crs_dask(path, blocksize=20_000).compute(scheduler="sync")
    pd.testing.assert_frame_equal(got_frame, alone, check_exact=True)
    assert got_frame["amount"].tolist() == pytest.approx(frame["amount"].tolist(), nan_ok=True)
    # every reported cell, with the row read_crs names, its value and reason
    cells = _cells(got)
    assert len(cells) > 20
    pd.testing.assert_frame_equal(cells, _cells(want))
    # entries about a group of rows are made per partition (as iter_crs makes them per
    # chunk): together they count the rows read_crs counts
    def counted(report, reason):
        said = report.loc[report["reason"].str.contains(reason, regex=False), "reason"]
        return int(said.str.extract(r"^(\d+) rows")[0].astype(int).sum())
    assert counted(got, "have no USD disbursement") == counted(want, "have no USD disbursement")
    # one partition: the same report as read_crs, entry for entry
    whole = aio.read_crs_dask(path, return_rejected=True, blocksize=10**9,
                              filters=None)[1].compute(scheduler="sync")
    if kind == "csv":
        pd.testing.assert_frame_equal(pd.DataFrame(whole).reset_index(drop=True),
                                      pd.DataFrame(want).astype(object))


def test_dask_report_of_filtered_parquet_numbers_the_rows_read(bad_files):
    dask = pytest.importorskip("dask")
    filters = {"year": [str(y) for y in range(2017, 2021)] + ["2020.5"]}
    _, want = read_crs(bad_files["parquet"], filters=filters)
    lazy, rejected = aio.read_crs_dask(bad_files["parquet"], filters=filters,
                                       return_rejected=True)
    _, got = dask.compute(lazy, rejected, scheduler="sync")
    assert len(_cells(want)) > 5
    pd.testing.assert_frame_equal(_cells(got), _cells(want))


@pytest.mark.parametrize("kind", ["csv", "parquet"])
def test_frame_and_report_computed_together_read_each_partition_once(bad_files, kind,
                                                                     monkeypatch):
    dask = pytest.importorskip("dask")
    from aidcalc.io import _dask as _io_dask

    calls: list[object] = []
    name = "fragment_pair" if kind == "parquet" else "_csv_part"
    module = _io_parquet if kind == "parquet" else _io_dask
    real = getattr(module, name)

    def counting(*args, **kwargs):
        item = args[0]  # a row group, or a byte range of the text
        calls.append(tuple(g.id for g in item.row_groups) if kind == "parquet" else item)
        return real(*args, **kwargs)

    monkeypatch.setattr(module, name, counting)
    lazy, rejected = aio.read_crs_dask(bad_files[kind], return_rejected=True, blocksize=20_000)
    calls.clear()  # the CSV schema (meta) is made from the header, before the graph
    dask.compute(lazy, rejected, scheduler="sync")
    assert len(calls) == lazy.npartitions == rejected.npartitions
    assert len(set(calls)) == len(calls)  # each partition read once


def test_dask_report_of_a_clean_file_is_empty_and_typed(tmp_path):
    pytest.importorskip("dask")
    path = tmp_path / "crs.txt"
    path.write_text("Year|DonorName|PurposeCode|USD_Disbursement\n2022|Japan|15250|1.5\n")
    frame, rejected = aio.read_crs_dask(path, return_rejected=True)
    assert len(rejected.compute()) == 0
    assert list(rejected.columns) == list(aio._result.REJECTED_COLUMNS)
    assert len(frame.compute()) == 1
    with pytest.raises(aidcalc.ValidationError, match="return_rejected"):
        aio.read_crs_dask(path, return_rejected="yes")


# --- 2. read_any tells a Parquet CRS from a Parquet table --------------------------------------


def test_read_any_reads_every_crs_form_with_read_crs_and_a_table_with_read_table(bad_files,
                                                                                 tmp_path):
    want, _ = read_crs(bad_files["csv"])
    zipped = tmp_path / "crs.zip"
    with zipfile.ZipFile(zipped, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.write(bad_files["csv"], "CRS 2022 data.txt")
    snake = tmp_path / "oda_reader.parquet"  # oda_reader's snake-case names, typed columns
    pq.write_table(pa.table({"year": [2022], "donor_name": ["Japan"], "purpose_code": [15250],
                             "usd_disbursement": [1.5]}), snake)
    for path in (bad_files["csv"], zipped, bad_files["parquet"]):
        frame, _ = aio.read_any(path, return_rejected=True)
        assert frame.attrs["format"] == "OECD CRS", path
        pd.testing.assert_frame_equal(frame, want, check_dtype=False)
    frame, _ = aio.read_any(snake, return_rejected=True)
    assert frame.attrs["format"] == "OECD CRS" and frame["amount"].tolist() == [1_500_000.0]
    table = tmp_path / "pledges.parquet"
    pd.DataFrame({"donor": ["JPN"], "announced": ["2024-02-19"], "amount": [1e9],
                  "currency": ["JPY"]}).to_parquet(table)
    frame, _ = aio.read_any(table, return_rejected=True)
    assert frame.attrs["format"] == "Parquet table" and frame["donor"].tolist() == ["JPN"]
    # the options go to the reader chosen: a CRS option for the CRS file
    frame = aio.read_any(bad_files["parquet"], columns=["Year", "USD_Disbursement"],
                         return_rejected=True).frame
    assert "donor" not in frame.columns


def test_sniff_reads_only_the_parquet_footer(bad_files, monkeypatch):
    from aidcalc.io._sniff import sniff

    def boom(*args, **kwargs):
        raise AssertionError("rows were read")

    monkeypatch.setattr(pq, "read_table", boom)
    monkeypatch.setattr(pq.ParquetFile, "read", boom)
    assert sniff(bad_files["parquet"]) == "crs"


# --- 3. Parquet input is held to the size and ratio limits ----------------------------------


def _equal_rows(path, n: int, columns=("Year", "DonorName", "USD_Disbursement")) -> None:
    """A CRS Parquet file of ``n`` equal rows: run-length encoded to a few kB."""
    data = {"Year": np.full(n, 2022), "DonorName": ["Japan"] * n,
            "USD_Disbursement": np.full(n, 1.5)}
    pq.write_table(pa.table({c: data[c] for c in columns}), path, row_group_size=n)


@pytest.fixture
def refuse_reads(monkeypatch):
    """Fail if any row of a Parquet file is decompressed."""
    def boom(*args, **kwargs):
        raise AssertionError("rows were decompressed before the limits were checked")

    monkeypatch.setattr(_io_parquet, "_row_group_batches", boom)
    monkeypatch.setattr(_io_parquet, "fragment_pair", boom)
    return boom


@pytest.mark.parametrize("reader", ["read_crs", "iter_crs", "read_any", "read_crs_dask"])
def test_a_parquet_bomb_is_refused_from_its_footer(tmp_path, reader, refuse_reads):
    if reader == "read_crs_dask":
        pytest.importorskip("dask")
    path = tmp_path / "bomb.parquet"
    _equal_rows(path, 2_000_000)  # ~30 kB on disk, 48 MB when read
    assert path.stat().st_size < 100_000
    with pytest.raises(aidcalc.InputFileError, match=r"ratio .* max_ratio=") as err:
        getattr(aio, reader)(path)
    assert err.value.fields["reason"] == "compression ratio over the limit"
    assert "MAX_RATIO" in str(err.value)


@pytest.mark.parametrize("reader", ["read_crs", "iter_crs", "read_any", "read_crs_dask"])
def test_a_parquet_file_over_the_size_limit_is_refused(tmp_path, reader, refuse_reads):
    if reader == "read_crs_dask":
        pytest.importorskip("dask")
    path = tmp_path / "big.parquet"
    _equal_rows(path, 10_000)
    with pytest.raises(aidcalc.InputFileError, match="max_uncompressed=") as err:
        getattr(aio, reader)(path, max_uncompressed=100_000)
    assert err.value.fields["reason"] == "uncompressed size over the limit"
    assert "MAX_UNCOMPRESSED" in str(err.value)


def test_raised_limits_read_the_file(tmp_path):
    path = tmp_path / "bomb.parquet"
    _equal_rows(path, 2_000_000)
    frame = aio.read_crs(path, max_ratio=1e6, max_uncompressed=10**9)
    assert len(frame) == 2_000_000 and frame["amount"].iloc[-1] == 1_500_000.0


def test_only_the_columns_read_count(tmp_path):
    """A column that is not read does not count towards the limit (it is never
    decompressed); the ones read do."""
    path = tmp_path / "crs.parquet"
    n = 10_000
    pq.write_table(pa.table({"Year": np.arange(n) % 9 + 2015,
                             "DonorName": [f"d{i}" for i in range(n)],
                             "USD_Disbursement": np.arange(n) / 7,
                             "LongDescription": [f"{i} " + "x" * 200 for i in range(n)]}),
                   path)
    limit = 5 * n * CELL_BYTES
    frame = aio.read_crs(path, columns=["Year", "USD_Disbursement"], max_uncompressed=limit)
    assert len(frame) == n
    with pytest.raises(aidcalc.InputFileError, match="max_uncompressed="):
        aio.read_crs(path, columns=["Year", "LongDescription"], max_uncompressed=limit)


def test_each_file_of_a_dataset_is_checked(tmp_path, refuse_reads):
    folder = tmp_path / "CRS"
    folder.mkdir()
    _equal_rows(folder / "a.parquet", 100)
    _equal_rows(folder / "b.parquet", 2_000_000)
    with pytest.raises(aidcalc.InputFileError, match=r"b\.parquet.*ratio"):
        aio.read_crs(folder)


def test_a_genuine_crs_parquet_passes_the_default_limits(bad_files):
    frame, _ = read_crs(bad_files["parquet"])
    assert len(frame) == 3000


def test_a_parquet_table_bomb_is_refused_by_read_table(tmp_path):
    path = tmp_path / "t.parquet"
    n = 2_000_000
    pq.write_table(pa.table({"donor": ["JPN"] * n, "amount": np.full(n, 1e9),
                             "currency": ["JPY"] * n}), path, row_group_size=n)
    with pytest.raises(aidcalc.InputFileError, match="ratio"):
        aio.read_table(path)
