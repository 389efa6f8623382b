"""The whole CRS: streamed chunks, Parquet with pushdown, and dask give the in-memory results."""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

import aidcalc
from aidcalc.io import _crs_text as _io_crs_text
from aidcalc.io import _parquet as _io_parquet
from aidcalc.io import iter_crs
from aidcalc.io import read_crs as _read_crs

# these tests use the (frame, rejected) pair
read_crs = functools.partial(_read_crs, return_rejected=True)

DONORS = ["Japan", "Germany", "United States", "France", "EU Institutions", "Canada",
          "International Development Association"]
RECIPIENTS = ["Ukraine", "Moldova", "Georgia", "Kenya"]
PURPOSES = [15250, 23630, 73010, 72010, 12220, 99810]
COLUMNS = ["Year", "DonorCode", "DonorName", "RecipientName", "PurposeCode", "FlowName",
           "USD_Commitment", "USD_Disbursement", "ProjectTitle", "CommitmentDate"]


def crs_table(n: int, seed: int = 0) -> pd.DataFrame:
    """A CRS-shaped table (money in USD millions, as the OECD writes it)."""
    rng = np.random.default_rng(seed)
    year = rng.integers(2015, 2024, n)
    table = pd.DataFrame(
        {
            "Year": year,
            "DonorCode": rng.integers(1, 900, n),
            "DonorName": rng.choice(DONORS, n),
            "RecipientName": rng.choice(RECIPIENTS, n),
            "PurposeCode": rng.choice(PURPOSES, n),
            "FlowName": rng.choice(["ODA Grants", "ODA Loans"], n),
            "USD_Commitment": np.round(rng.gamma(0.5, 2.0, n), 6),
            "USD_Disbursement": np.round(rng.gamma(0.5, 1.5, n), 6),
            "ProjectTitle": [f"Project {i}" for i in range(n)],
            "CommitmentDate": [f"{y}-0{m}-1{d}" for y, m, d in
                               zip(year, rng.integers(1, 10, n), rng.integers(0, 10, n),
                                   strict=True)],
        }
    )
    table.loc[table.index[::97], "USD_Disbursement"] = np.nan  # empty amounts are kept
    return table


def write_csv(table: pd.DataFrame, path) -> object:
    table.to_csv(path, sep="|", index=False)
    return path


def write_parquet(table: pd.DataFrame, path, row_group_size: int = 500) -> object:
    pq.write_table(pa.Table.from_pandas(table, preserve_index=False), path,
                   row_group_size=row_group_size)
    return path


@pytest.fixture(scope="module")
def table():
    return crs_table(3000, seed=7)


@pytest.fixture(scope="module")
def files(table, tmp_path_factory):
    folder = tmp_path_factory.mktemp("crs")
    return {
        "csv": write_csv(table, folder / "crs.txt"),
        "parquet": write_parquet(table, folder / "crs.parquet"),
    }


def _same_frames(got: pd.DataFrame, want: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(got, want, check_exact=True)


# --- iter_crs chunks are pledge frames --------------------------------------------------------


@pytest.mark.parametrize("chunksize", [1, 7, 450, 10_000])
@pytest.mark.parametrize("kind", ["csv", "parquet"])
def test_chunks_concatenate_to_read_crs(files, kind, chunksize):
    path = files[kind]
    if chunksize == 1:  # every chunk is one row: only the first 40 rows (speed)
        chunks = []
        for chunk in iter_crs(path, chunksize=1):
            chunks.append(chunk)
            if len(chunks) == 40:
                break
        whole, _ = read_crs(path)
        _same_frames(pd.concat(chunks), whole.iloc[:40])
        return
    chunks = list(iter_crs(path, chunksize=chunksize))
    assert all(len(c) <= chunksize for c in chunks)
    whole, _ = read_crs(path)
    got = pd.concat(chunks)
    _same_frames(got, whole)  # same columns, dtypes, values and (global Range) index
    assert isinstance(got.index, pd.RangeIndex) or got.index.equals(pd.RangeIndex(len(whole)))
    for chunk in chunks:  # each chunk alone is a pledge frame with read_crs's dtypes
        assert list(chunk.columns) == list(whole.columns)
        assert (chunk.dtypes == whole.dtypes).all()
    # every empty amount is reported in the chunk that holds it, by its line / row
    empty = 0
    for chunk in chunks:
        counts = chunk.attrs["rejected"]["reason"].str.extract(r"^(\d+) rows? have no USD")[0]
        empty += int(counts.dropna().astype(int).sum())
    assert empty == int(whole["amount"].isna().sum()) > 0


@pytest.mark.parametrize("arrow", [True, False], ids=["pyarrow", "pandas"])
def test_chunks_equal_read_crs_with_both_csv_engines(files, monkeypatch, arrow):
    if not arrow:
        monkeypatch.setattr(_io_crs_text, "has_arrow", lambda: False)
    whole, _ = read_crs(files["csv"], amount="commitment")
    got = pd.concat(iter_crs(files["csv"], chunksize=333, amount="commitment"))
    _same_frames(got, whole)
    assert (got["status"] == "committed").all()


def _prepare(chunk: pd.DataFrame) -> pd.DataFrame:
    """The documented recipe: USD -> EUR at the year's mean rate, 2023 prices, categories."""
    real = aidcalc.normalise(chunk, "EUR", 2023, date="year", fx="year", errors="coerce")
    return aidcalc.categorise(real.drop(columns="category"), purpose_code="purpose_code")


OPTIONS = {"by": ("donor", "category"), "period": "year", "value": "amount_EUR_2023"}


def _assert_cents(got: pd.DataFrame, want: pd.DataFrame, value: str) -> None:
    assert list(got.columns) == list(want.columns)
    keys = [c for c in want.columns if c != value]
    pd.testing.assert_frame_equal(got[keys], want[keys], check_dtype=False)
    assert got.index.equals(want.index)
    assert np.allclose(got[value], want[value], rtol=0, atol=0.005, equal_nan=True)


@pytest.mark.parametrize("kind", ["csv", "parquet"])
def test_streaming_recipe_equals_in_memory_to_the_cent(files, kind):
    frame, _ = read_crs(files[kind])
    want = aidcalc.aggregate(_prepare(frame), **OPTIONS)
    got = aidcalc.aggregate_chunks(iter_crs(files[kind], chunksize=401), prepare=_prepare,
                                   **OPTIONS)
    _assert_cents(got, want, "amount_EUR_2023")
    assert got["rows"].sum() == len(frame)
    assert got["missing"].sum() == frame["amount"].isna().sum() > 0


# --- Parquet ----------------------------------------------------------------------------------


def test_parquet_reads_as_the_csv_does(files):
    csv, csv_rejected = read_crs(files["csv"])
    par, par_rejected = read_crs(files["parquet"])
    _same_frames(par, csv)
    assert par.attrs["units"] == csv.attrs["units"]
    assert len(par_rejected) == len(csv_rejected)


def test_parquet_is_told_by_its_content_not_its_name(table, files, tmp_path):
    named = tmp_path / "crs-download.dat"
    named.write_bytes(files["parquet"].read_bytes())
    csv_named_parquet = tmp_path / "crs.parquet"
    csv_named_parquet.write_bytes(files["csv"].read_bytes())
    want, _ = read_crs(files["csv"])
    _same_frames(read_crs(named).frame, want)
    _same_frames(read_crs(csv_named_parquet).frame, want)
    with open(named, "rb") as f:  # a file object too
        _same_frames(read_crs(f).frame, want)


def test_a_parquet_dataset_directory(table, tmp_path):
    folder = tmp_path / "crs"
    folder.mkdir()
    for i, start in enumerate(range(0, len(table), 1000)):
        write_parquet(table.iloc[start : start + 1000], folder / f"part-{i}.parquet")
    want, _ = read_crs(write_csv(table, tmp_path / "crs.txt"))
    _same_frames(read_crs(folder).frame, want)
    _same_frames(pd.concat(iter_crs(folder, chunksize=700)), want)


def test_parquet_snake_case_columns_and_typed_codes(table, tmp_path):
    """oda_reader-style snake-case names; codes stored as numbers read as the CSV text."""
    snake = table.rename(columns={"USD_Disbursement": "usd_disbursement",
                                  "DonorName": "donor_name", "PurposeCode": "purpose_code"})
    snake["purpose_code"] = snake["purpose_code"].astype(float)
    got, _ = read_crs(write_parquet(snake, tmp_path / "snake.parquet"))
    want, _ = read_crs(write_csv(table, tmp_path / "crs.txt"))
    _same_frames(got, want)


def _filtered(want: pd.DataFrame, table: pd.DataFrame, mask: np.ndarray) -> pd.DataFrame:
    out = want[mask].reset_index(drop=True)
    return out


@pytest.mark.parametrize(
    "filters",
    [
        {"recipient": ["Ukraine"], "year": range(2020, 2023)},
        {"RecipientName": "Ukraine", "donor": ["Japan", "France"]},
        {"year": 2021, "purpose": [15250, 12220]},
        {"year": pc.field("Year") >= 2021},
    ],
    ids=["recipient+years", "recipient+donors", "year+purposes", "expression"],
)
def test_parquet_filters_are_pushed_down(table, files, filters):
    got, _ = read_crs(files["parquet"], filters=filters)
    mask = np.ones(len(table), dtype=bool)
    for key, value in filters.items():
        column = table[_io_parquet.ALIASES.get(key, key)]
        if isinstance(value, pc.Expression):
            mask &= (column >= 2021).to_numpy()
        elif isinstance(value, (list, range)):
            mask &= column.isin(list(value)).to_numpy()
        else:
            mask &= (column == value).to_numpy()
    assert 0 < mask.sum() < len(table)
    want, _ = read_crs(files["csv"])
    _same_frames(got, want[mask].reset_index(drop=True))


def test_parquet_filter_skips_row_groups_and_columns(table, tmp_path):
    """Pushdown: with the data sorted by year, row groups of other years are never read."""
    path = write_parquet(table.sort_values("Year", kind="stable"), tmp_path / "sorted.parquet",
                         row_group_size=200)
    where = _io_parquet.plan(path, str(path), None, {"year": [2022]})
    every = _io_parquet.plan(path, str(path), None, None)
    read = _io_parquet.fragments(where)
    assert 0 < len(read) < len(_io_parquet.fragments(every)) / 3
    got, _ = read_crs(path, filters={"year": [2022]},
                      columns=["Year", "DonorName", "USD_Disbursement"])
    assert (got["year"] == 2022).all() and len(got) == (table["Year"] == 2022).sum()
    assert "purpose_code" not in got.columns and "title" not in got.columns
    assert sum(rg.num_rows for f in read for rg in f.row_groups) < len(table) / 3


def test_parquet_bad_cells_are_left_empty_and_reported(tmp_path):
    table = pd.DataFrame({"Year": [2022.0, 2022.5, 1800.0, 2023.0],
                          "DonorName": ["Japan"] * 4, "PurposeCode": [15250] * 4,
                          "USD_Disbursement": [1.5, 2.0, 3.0, np.inf]})
    got, rejected = read_crs(write_parquet(table, tmp_path / "bad.parquet"))
    assert got["year"].tolist() == [2022, pd.NA, pd.NA, 2023]
    assert got["amount"].tolist()[:3] == [1_500_000.0, 2_000_000.0, 3_000_000.0]
    assert np.isnan(got["amount"].iloc[3])
    cells = rejected[rejected["column"].isin(["Year", "USD_Disbursement"])
                     & rejected["value"].notna()]
    assert cells["value"].tolist() == ["2022.5", "1800", "inf"]
    assert cells["row"].tolist() == [1, 2, 3]


@pytest.mark.parametrize(
    ("filters", "message"),
    [
        ({"planet": ["Mars"]}, "planet"),
        ({"year": ["not a year"]}, "cannot be compared"),
        ("Year > 2020", "filters="),
        ({}, "filters="),
    ],
)
def test_bad_filters_are_named(files, filters, message):
    with pytest.raises(aidcalc.ValidationError, match=message):
        read_crs(files["parquet"], filters=filters)


def test_filters_on_csv_are_refused_not_ignored(files):
    with pytest.raises(aidcalc.ValidationError, match="filters= is for Parquet"):
        read_crs(files["csv"], filters={"year": [2022]})
    with pytest.raises(aidcalc.ValidationError, match="filters= is for Parquet"):
        iter_crs(files["csv"], filters={"year": [2022]})


def test_member_is_refused_for_parquet(files):
    with pytest.raises(aidcalc.ValidationError, match="member='x' is only for zip"):
        read_crs(files["parquet"], member="x")
    with pytest.raises(aidcalc.ValidationError, match="member='x' is only for zip"):
        iter_crs(files["parquet"], member="x")


def test_not_a_crs_parquet_is_refused(tmp_path):
    path = write_parquet(pd.DataFrame({"a": [1], "b": [2]}), tmp_path / "other.parquet")
    with pytest.raises(aidcalc.InputFileError, match="not an OECD CRS Parquet"):
        read_crs(path)
    bad = tmp_path / "broken.parquet"
    bad.write_bytes(b"PAR1" + b"\0" * 100)
    with pytest.raises(aidcalc.InputFileError, match=r"broken\.parquet"):
        read_crs(bad)


def test_pledges_and_read_table_read_parquet_pledge_tables(tmp_path):
    table = pd.DataFrame({"donor": ["JPN", "DEU"], "amount": [1.5, 2.0],
                          "currency": ["JPY", "EUR"], "date": ["2024-01-02", "2024-02-03"]})
    path = tmp_path / "pledges.bin"  # told by content
    table.to_parquet(path)
    frame = aidcalc.io.read_table(path)
    assert frame["amount"].tolist() == [1.5, 2.0]
    got = aidcalc.pledges(path)
    assert got["donor"].tolist() == ["JPN", "DEU"]


# --- dask from aidcalc.io ---------------------------------------------------------------------


def _plain(frame: pd.DataFrame) -> pd.DataFrame:
    """Values only: dask keeps text in its own string dtype (pd.NA for missing)."""
    return frame.astype(object).where(frame.notna(), None)


def _same_values(got: pd.DataFrame, want: pd.DataFrame) -> None:
    assert list(got.columns) == list(want.columns)
    pd.testing.assert_frame_equal(_plain(got), _plain(want), check_exact=True)


@pytest.mark.parametrize("kind", ["csv", "parquet"])
def test_read_crs_dask_equals_read_crs(files, kind):
    pytest.importorskip("dask.dataframe")
    ddf = aidcalc.io.read_crs_dask(files[kind], blocksize=30_000)
    assert type(ddf).__module__.startswith("dask") and ddf.npartitions > 2
    want, _ = read_crs(files[kind])
    assert list(ddf.columns) == list(want.columns)  # meta, before any row is parsed
    _same_values(ddf.compute().reset_index(drop=True), want)


def test_read_crs_dask_parquet_filters_and_columns(files):
    pytest.importorskip("dask.dataframe")
    filters = {"recipient": ["Ukraine", "Moldova"], "year": range(2019, 2022)}
    cols = ["Year", "DonorName", "RecipientName", "PurposeCode", "USD_Disbursement"]
    got = aidcalc.io.read_crs_dask(files["parquet"], filters=filters, columns=cols).compute()
    want, _ = read_crs(files["parquet"], filters=filters, columns=cols)
    _same_values(got.reset_index(drop=True), want)
    assert "title" not in got.columns


def test_read_crs_dask_never_splits_a_quoted_line_end(tmp_path):
    pytest.importorskip("dask.dataframe")
    table = crs_table(800, seed=3)
    table["LongDescription"] = np.where(np.arange(800) % 3 == 0, "grid\nrepair | a, b", "x")
    path = write_csv(table, tmp_path / "crs.txt")
    cols = [*COLUMNS, "LongDescription"]
    ddf = aidcalc.io.read_crs_dask(path, columns=cols, blocksize=2_000)
    assert ddf.npartitions > 1  # partition edges fall near quoted line ends
    want, _ = read_crs(path, columns=cols)
    _same_values(ddf.compute().reset_index(drop=True), want)


def _dask_chain(frame, value: str = "amount_EUR_2023"):
    """The whole chain, the same code for pandas and dask frames."""
    eur = aidcalc.convert(frame, "EUR", date="year", fx="year", errors="coerce")
    eur = eur[[*frame.columns, "amount_EUR"]]  # the converted amount rides along
    real = aidcalc.normalise(eur, "EUR", 2023, date="year", fx="year", errors="coerce")
    cats = aidcalc.categorise(real.drop(columns="category"), purpose_code="purpose_code")
    return aidcalc.aggregate(cats, **{**OPTIONS, "value": value})


@pytest.mark.parametrize("kind", ["csv", "parquet"])
@pytest.mark.parametrize("value", ["amount_EUR_2023", "amount_EUR"])
def test_dask_chain_from_io_equals_pandas(files, kind, value):
    """read -> convert -> normalise -> categorise -> aggregate, lazily, equal to pandas."""
    pytest.importorskip("dask.dataframe")
    frame, _ = read_crs(files[kind])
    want = _dask_chain(frame, value)
    got = _dask_chain(aidcalc.io.read_crs_dask(files[kind], blocksize=40_000), value)
    assert type(got).__module__.startswith("dask")
    _assert_cents(got.compute(), want, value)


def test_dask_io_on_a_local_distributed_cluster(files):
    distributed = pytest.importorskip("distributed")
    frame, _ = read_crs(files["parquet"])
    want = _dask_chain(frame)
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
        host="127.0.0.1",
    ) as cluster, distributed.Client(cluster):
        got = _dask_chain(aidcalc.io.read_crs_dask(files["parquet"])).compute()
        got_csv = _dask_chain(aidcalc.io.read_crs_dask(files["csv"], blocksize=40_000)).compute()
    _assert_cents(got, want, "amount_EUR_2023")
    _assert_cents(got_csv, want, "amount_EUR_2023")


def test_read_crs_dask_refuses_what_it_cannot_split(files, tmp_path):
    import zipfile

    pytest.importorskip("dask.dataframe")
    zipped = tmp_path / "crs.zip"
    with zipfile.ZipFile(zipped, "w") as zf:
        zf.write(files["csv"], "crs.txt")
    with pytest.raises(aidcalc.InputFileError, match="zip archive cannot be split"):
        aidcalc.io.read_crs_dask(zipped)
    with open(files["csv"], "rb") as f, pytest.raises(aidcalc.ValidationError, match="path"):
        aidcalc.io.read_crs_dask(f)
    with pytest.raises(aidcalc.ValidationError, match="filters= is for Parquet"):
        aidcalc.io.read_crs_dask(files["csv"], filters={"year": 2022})


def test_the_dask_extra_is_optional(files):
    """Without dask: aidcalc and aidcalc.io import and read; read_crs_dask says what to install."""
    import subprocess
    import sys

    code = (
        "import sys\n"
        "sys.modules['dask'] = None  # as if not installed\n"
        "import aidcalc, aidcalc.io\n"
        f"frame = aidcalc.io.read_crs({str(files['parquet'])!r})\n"
        "assert len(frame) == 3000\n"
        "try:\n"
        f"    aidcalc.io.read_crs_dask({str(files['csv'])!r})\n"
        "except aidcalc.ValidationError as exc:\n"
        "    assert 'pip install' in str(exc), exc\n"
        "else:\n"
        "    raise SystemExit('no error')\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_read_crs_dask_reads_no_row_until_compute(files, monkeypatch):
    pytest.importorskip("dask.dataframe")

    def boom(*args, **kwargs):
        raise RuntimeError("a row group was read")

    monkeypatch.setattr(_io_parquet, "fragment_pair", boom)
    ddf = aidcalc.io.read_crs_dask(files["parquet"])  # schema and row groups from metadata
    lazy = aidcalc.aggregate(aidcalc.normalise(ddf, "EUR", 2023, date="year", fx="year"),
                             by="donor", value="amount_EUR_2023")
    assert "amount_EUR_2023" in lazy.columns
    with pytest.raises(RuntimeError, match="row group was read"):
        lazy.compute(scheduler="sync")


def test_read_crs_dask_refuses_utf16_text(table, tmp_path):
    pytest.importorskip("dask.dataframe")
    path = tmp_path / "crs16.txt"
    path.write_bytes(table.head(20).to_csv(sep="\t", index=False).encode("utf-16"))
    assert len(read_crs(path).frame) == 20  # read_crs transcodes it
    with pytest.raises(aidcalc.InputFileError, match="UTF-16 text cannot be split"):
        aidcalc.io.read_crs_dask(path)
