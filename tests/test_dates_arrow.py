"""Date columns backed by pyarrow (``date32[pyarrow]``, ``timestamp[us, tz][pyarrow]``: a
Parquet file read with ``dtype_backend="pyarrow"``) read as the same dates in numpy: they
raised a raw ``TypeError`` ("boolean value of NA is ambiguous") from deep inside the
date parser, or would have been wrapped far outside the window."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import aidcalc

DAYS = st.one_of(
    st.none(),
    st.dates(min_value=dt.date(1999, 1, 4), max_value=dt.date(2026, 10, 30)),
    st.sampled_from([dt.date(1, 1, 1), dt.date(1500, 6, 1), dt.date(9999, 12, 31)]),
)
TYPES = [
    pa.date32(),
    pa.date64(),
    pa.timestamp("s"),
    pa.timestamp("ms"),
    pa.timestamp("us"),
    pa.timestamp("us", tz="Asia/Tokyo"),
    pa.timestamp("s", tz="America/New_York"),
]


def _frame(dates: list[dt.date | None], kind: pa.DataType) -> pd.DataFrame:
    if pa.types.is_timestamp(kind):
        values = [None if d is None else dt.datetime(d.year, d.month, d.day, 12) for d in dates]
        arr = pa.array(values, pa.timestamp(kind.unit))  # naive: local wall time
        if kind.tz is not None:
            arr = pa.compute.assume_timezone(arr, kind.tz)
    else:
        arr = pa.array(dates, kind)
    n = len(dates)
    return pd.DataFrame({"amount": [100.0] * n, "currency": ["JPY"] * n,
                         "date": pd.array(arr, dtype=pd.ArrowDtype(arr.type))})  # fmt: skip


@settings(max_examples=30, deadline=None)
@given(dates=st.lists(DAYS, min_size=1, max_size=8), kind=st.sampled_from(TYPES))
def test_arrow_dates_read_as_the_same_days(dates: list[dt.date | None], kind: pa.DataType) -> None:
    frame = _frame(dates, kind)
    plain = frame.assign(date=pd.Series(dates, dtype=object))  # the same calendar days
    got = aidcalc.convert(frame, "USD", errors="coerce")
    want = aidcalc.convert(plain, "USD", errors="coerce")
    pd.testing.assert_series_equal(got["amount_USD"], want["amount_USD"])
    pd.testing.assert_series_equal(got["fx_date"], want["fx_date"])
    assert got["error"].isna().tolist() == want["error"].isna().tolist()


@pytest.mark.parametrize("kind", TYPES)
def test_normalise_and_aggregate_take_arrow_dates(kind: pa.DataType) -> None:
    frame = _frame([dt.date(2023, 5, 2), None, dt.date(9999, 12, 31)], kind)
    frame["donor"] = "JPN"
    got = aidcalc.normalise(frame, "EUR", 2023, errors="coerce")
    assert got["amount_EUR_2023"].notna().tolist() == [True, False, False]
    assert "window" in str(got["error"].iloc[2])  # refused, never wrapped
    totals = aidcalc.aggregate(frame.iloc[[0]], by="donor", period="year", date="date")
    assert totals["period"].astype(str).tolist() == ["2023"]


def test_pyarrow_decimal_amounts_and_dates_reach_every_step() -> None:
    """A Parquet table read with ``dtype_backend="pyarrow"``: decimal amounts with a null
    (pandas' ``to_numeric`` fails on them with a length error) and date32 dates."""
    import decimal

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from aidcalc import plot

    money = pd.ArrowDtype(pa.decimal128(12, 2))
    frame = pd.DataFrame({
        "donor": ["JPN", "DEU", "USA"],
        "amount": pd.array([decimal.Decimal("100.50"), None, decimal.Decimal("7")], dtype=money),
        "currency": ["JPY", "EUR", "USD"],
        "announced": pd.array([dt.date(2023, 5, 2), dt.date(2023, 5, 2), dt.date(2022, 3, 1)],
                              dtype="date32[pyarrow]"),
        "category": ["energy", "demining", "other"],
        "status": ["pledged", "committed", "disbursed"],
    })  # fmt: skip
    read = aidcalc.pledges(frame, return_rejected=True)
    assert read.frame["amount"].tolist()[0] == 100.5
    real = aidcalc.normalise(frame, "EUR", 2023, date="announced", errors="coerce")
    for draw in (plot.donors, plot.pipeline, plot.categories):
        draw(real, value="amount_EUR_2023")
    ax = plot.timeline(real, value="amount_EUR_2023", date="announced")
    assert len(ax.lines) >= 1
    plt.close("all")
