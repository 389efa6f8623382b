"""Data beyond memory: chunked aggregation and dask give the in-memory results exactly."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

import aidcalc
from aidcalc._pledges._chunks import aggregate_chunks

DONORS = ["USA", "JPN", "DEU", "FRA", "ITA", "GBR", "CAN", "EUI"]
CATEGORIES = ["energy", "demining", "reconstruction", "humanitarian"]


def _frame(n: int, seed: int = 0, currencies=("EUR", "USD", "JPY")) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    days = pd.Timestamp("2019-01-01") + pd.to_timedelta(rng.integers(0, 5 * 365, n), "D")
    frame = pd.DataFrame(
        {
            "donor": rng.choice(DONORS, n),
            "category": rng.choice(CATEGORIES, n),
            "amount": rng.integers(1, 10**9, n).astype("float64") / 100,
            "currency": rng.choice(list(currencies), n),
            "announced": days,
        }
    )
    frame.index = pd.RangeIndex(10, 10 + n)  # not 0-based: the index must be kept
    return frame


def _chunks(frame: pd.DataFrame, size: int) -> list[pd.DataFrame]:
    return [frame.iloc[i : i + size] for i in range(0, len(frame), size)]


def _assert_same(got: pd.DataFrame, want: pd.DataFrame, value: str) -> None:
    assert list(got.columns) == list(want.columns)
    assert len(got) == len(want)
    keys = [c for c in want.columns if c not in {value}]
    pd.testing.assert_frame_equal(got[keys], want[keys], check_dtype=False)
    # exact to the cent (the order of float additions differs between chunks)
    assert np.allclose(got[value], want[value], rtol=0, atol=0.005, equal_nan=True)


@pytest.mark.parametrize(
    "options",
    [
        {"by": ("donor", "category")},
        {"by": "donor", "period": "year"},
        {"by": None, "period": "year", "cumulative": True},
        {"by": "category", "groups": ["G7", "G7+EU"]},
        {"by": ("donor", "currency")},
    ],
)
def test_chunked_aggregate_equals_in_memory(options):
    frame = _frame(3000, currencies=("EUR",))
    want = aidcalc.aggregate(frame, **options)
    got = aggregate_chunks(_chunks(frame, 700), **options)
    _assert_same(got, want, "amount")


def test_chunked_pipeline_equals_in_memory():
    """convert -> normalise -> categorise -> aggregate over chunks, as for the whole CRS."""
    frame = _frame(2000).assign(description="solar power plant and grid repair")

    def prepare(chunk: pd.DataFrame) -> pd.DataFrame:
        real = aidcalc.normalise(chunk, "EUR", 2023, date="announced")
        return aidcalc.categorise(real.drop(columns="category"), text="description")

    options = {"by": ("donor", "category"), "value": "amount_EUR_2023", "period": "year"}
    want = aidcalc.aggregate(prepare(frame), **options)
    got = aggregate_chunks(_chunks(frame, 333), prepare=prepare, **options)
    _assert_same(got, want, "amount_EUR_2023")
    assert got["rows"].sum() == len(frame)


def test_chunks_that_disagree_on_currency_are_refused_as_in_memory():
    frame = _frame(10, currencies=("EUR",))
    frame.loc[frame.index[5:], "currency"] = "USD"
    frame["donor"] = "JPN"
    with pytest.raises(aidcalc.AggregationError, match="currenc"):
        aidcalc.aggregate(frame, by="donor")
    with pytest.raises(aidcalc.AggregationError, match="currency"):
        aggregate_chunks(_chunks(frame, 5), by="donor")


def test_a_missing_value_in_any_chunk_keeps_the_total_missing():
    frame = _frame(20, currencies=("EUR",))
    frame.loc[frame.index[17], "amount"] = np.nan
    want = aidcalc.aggregate(frame, by="donor")
    got = aggregate_chunks(_chunks(frame, 6), by="donor")
    _assert_same(got, want, "amount")
    assert got["amount"].isna().sum() == 1


def test_cumulative_without_a_period_is_refused_by_chunks_as_in_memory():
    frame = _frame(10, currencies=("EUR",))
    with pytest.raises(aidcalc.ValidationError) as in_memory:
        aidcalc.aggregate(frame, by="donor", cumulative=True)
    with pytest.raises(aidcalc.ValidationError) as chunked:
        aggregate_chunks(_chunks(frame, 5), by="donor", cumulative=True)
    fields = ("option", "value", "accepted")
    assert str(chunked.value) == str(in_memory.value)
    assert [getattr(chunked.value, f, None) for f in fields] == [
        getattr(in_memory.value, f) for f in fields
    ]


def test_no_chunks_is_an_error_not_an_empty_total():
    with pytest.raises(aidcalc.ValidationError, match="no chunks"):
        aggregate_chunks([], by="donor")


@given(
    amounts=st.lists(st.integers(0, 10**11), min_size=1, max_size=60),
    size=st.integers(1, 25),
    seed=st.integers(0, 2**16),
)
def test_chunked_totals_are_conserved(amounts, size, seed):
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(
        {
            "donor": rng.choice(DONORS[:3], len(amounts)),
            "category": rng.choice(CATEGORIES[:2], len(amounts)),
            "amount": np.asarray(amounts, dtype="float64") / 100,
            "currency": "EUR",
        }
    )
    got = aggregate_chunks(_chunks(frame, size))
    want = aidcalc.aggregate(frame)
    _assert_same(got, want, "amount")
    assert abs(got["amount"].sum() - frame["amount"].sum()) < 0.005


@given(
    amounts=st.lists(st.sampled_from([1.0, 2.5e9, 6e307]), min_size=1, max_size=8),
    size=st.integers(1, 4),
    options=st.sampled_from(
        [{"by": "donor"}, {"by": None}, {"by": "donor", "period": "year", "cumulative": True}]
    ),
    seed=st.integers(0, 2**16),
)
def test_chunked_sums_overflow_exactly_when_in_memory_sums_do(amounts, size, options, seed):
    """Never inf as money: partial sums that are finite on their own but overflow once combined
    (a total, or a running total) are refused by chunks as they are in memory."""
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(
        {
            "donor": rng.choice(["JPN", "DEU"], len(amounts)),
            "amount": amounts,
            "currency": "EUR",
            "announced": rng.choice(["2020-03-01", "2021-03-01"], len(amounts)),
        }
    )
    try:
        want = aidcalc.aggregate(frame, **options)
    except aidcalc.AggregationError:
        with pytest.raises(aidcalc.AggregationError, match="overflows to infinity"):
            aggregate_chunks(_chunks(frame, size), **options)
        return
    got = aggregate_chunks(_chunks(frame, size), **options)
    keys = [c for c in want.columns if c != "amount"]
    pd.testing.assert_frame_equal(got[keys], want[keys], check_dtype=False)
    assert np.isfinite(got["amount"]).all()
    assert np.allclose(got["amount"], want["amount"], rtol=1e-12, atol=0)


# --- dask ------------------------------------------------------------------------------------

dd = pytest.importorskip("dask.dataframe")


@pytest.fixture(scope="module")
def ddata():
    frame = _frame(4000, seed=3).assign(description="demining of farmland; de-mining equipment")
    ddf = dd.from_pandas(frame, npartitions=4)
    # dask stores text as its own string dtype: compare with pandas on the same data
    return ddf.compute(), ddf


def test_dask_convert_is_lazy_and_equal(ddata):
    frame, ddf = ddata
    out = aidcalc.convert(ddf, "EUR", date="announced")
    assert type(out).__module__.startswith("dask")  # lazy: nothing computed yet
    want = aidcalc.convert(frame, "EUR", date="announced")
    pd.testing.assert_frame_equal(out.compute(), want)


def test_dask_normalise_and_categorise_equal_pandas(ddata):
    frame, ddf = ddata
    real = aidcalc.normalise(ddf, "EUR", 2023, date="announced")
    cats = aidcalc.categorise(real.drop(columns="category"), text="description")
    want = aidcalc.categorise(
        aidcalc.normalise(frame, "EUR", 2023, date="announced").drop(columns="category"),
        text="description",
    )
    got = cats.compute()
    pd.testing.assert_frame_equal(got, want)
    assert got.index.equals(frame.index)


@pytest.mark.parametrize(
    "options",
    [
        {"by": ("donor", "category")},
        {"by": "donor", "period": "year", "cumulative": True},
        {"by": "category", "groups": ["G7"]},
    ],
)
def test_dask_aggregate_equals_pandas(ddata, options):
    frame, ddf = ddata
    real = aidcalc.normalise(ddf, "EUR", 2023, date="announced")
    got = aidcalc.aggregate(real, value="amount_EUR_2023", **options)
    assert type(got).__module__.startswith("dask")
    want = aidcalc.aggregate(
        aidcalc.normalise(frame, "EUR", 2023, date="announced"), value="amount_EUR_2023",
        **options,
    )
    _assert_same(got.compute(), want, "amount_EUR_2023")


def test_dask_errors_name_the_rows_at_compute(ddata):
    frame, _ = ddata
    bad = frame.copy()
    bad.loc[bad.index[3], "currency"] = "XXX"
    out = aidcalc.convert(dd.from_pandas(bad, npartitions=2), "EUR", date="announced")
    with pytest.raises(aidcalc.RateNotFoundError, match="XXX"):
        out.compute()


@pytest.mark.parametrize(
    "options", [{"by": "donor"}, {"by": "donor", "period": "year", "cumulative": True}]
)
def test_dask_sum_that_overflows_is_refused_as_in_memory(options):
    frame = pd.DataFrame(
        {"donor": "JPN", "amount": [1.5e308, 1.5e308], "currency": "EUR",
         "announced": ["2020-03-01", "2021-03-01"]}
    )
    with pytest.raises(aidcalc.AggregationError, match="overflows to infinity"):
        aidcalc.aggregate(frame, **options)
    lazy = aidcalc.aggregate(dd.from_pandas(frame, npartitions=2), **options)
    with pytest.raises(aidcalc.AggregationError, match="overflows to infinity"):
        lazy.compute()


def test_dask_on_a_local_distributed_cluster(ddata):
    distributed = pytest.importorskip("distributed")
    frame, ddf = ddata
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
        host="127.0.0.1",
    ) as cluster, distributed.Client(cluster):
        real = aidcalc.normalise(ddf, "EUR", 2023, date="announced")
        got = aidcalc.aggregate(real, by="donor", value="amount_EUR_2023").compute()
    want = aidcalc.aggregate(
        aidcalc.normalise(frame, "EUR", 2023, date="announced"), by="donor",
        value="amount_EUR_2023",
    )
    _assert_same(got, want, "amount_EUR_2023")


def test_import_aidcalc_does_not_import_dask():
    code = (
        "import sys, pandas as pd, aidcalc\n"
        "f = pd.DataFrame({'amount': [1.0], 'currency': ['EUR'], 'date': ['2024-01-02']})\n"
        "aidcalc.convert(f, 'USD')\n"
        "assert not any(m == 'dask' or m.startswith('dask.') for m in sys.modules), 'dask'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
