"""aggregate's fast paths against plain pandas references (issue 12).

aggregate groups periods by their integer ordinals (a day -> period table, no Period object per
row) and takes each group's currency/kind from the per-group check instead of each group's
first row (no sort of the group numbers). These tests compare both with the straightforward
pandas computation on many generated frames: Period keys from ``Series.dt.to_period`` and the
value of each group's first row.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import aidcalc
from aidcalc._pledges._aggregate import _ordinals

DATES = [
    "1910-01-01", "1950-12-31", "1969-12-31", "1970-01-01", "1999-12-31", "2000-02-29",
    "2023-03-31", "2023-04-01", "2024-06-30", "2024-07-01", "2024-12-31", "2100-12-31", None,
]  # fmt: skip
CURRENCIES = ["EUR", " eur", "Eur "]


def reference(frame: pd.DataFrame, by: list[str], period: str | None) -> pd.DataFrame:
    """The same sums with pandas Periods per row and each group's first row."""
    work = frame.copy()
    keys = list(by)
    if period is not None:
        freq = {"year": "Y", "quarter": "Q", "month": "M"}[period]
        work["period"] = pd.to_datetime(work["announced"]).dt.to_period(freq)
        keys.append("period")
    if not keys:
        work["_all"] = 0
        keys = ["_all"]
    g = work.groupby(keys, dropna=False, sort=True, observed=True)
    out = g["amount"].sum().to_frame("amount")
    out["rows"] = g.size().to_numpy()
    out["missing"] = g["amount"].agg(lambda s: int(s.isna().sum())).to_numpy()
    out.loc[out["missing"] > 0, "amount"] = np.nan
    first = g.head(1).set_index(keys)
    out["currency"] = first["currency"].str.strip().str.upper().to_numpy()
    out["kind"] = first["kind"].to_numpy()
    out = out.reset_index()
    return out.drop(columns=["_all"]) if "_all" in out.columns else out


@st.composite
def frames(draw: st.DrawFn) -> pd.DataFrame:
    n = draw(st.integers(1, 30))
    rows = st.lists(st.integers(0, 100), min_size=n, max_size=n)
    pick = np.array(draw(rows))
    amounts = np.array(draw(st.lists(st.sampled_from([1.5, 2.25, 1e6, np.nan, 0.0, -3.0]),
                                     min_size=n, max_size=n)))
    return pd.DataFrame(
        {
            "donor": np.array(["JPN", "DEU", "USA"])[pick % 3],
            "category": np.array(["energy", "demining"])[pick % 2],
            "announced": pd.to_datetime(pd.Series([DATES[i % len(DATES)] for i in pick])),
            "amount": amounts,
            "currency": np.array(CURRENCIES)[pick % 3],
            "kind": "pledge",
        }
    )


@settings(max_examples=60, deadline=None)
@given(
    frame=frames(),
    by=st.sampled_from([[], ["donor"], ["donor", "category"]]),
    period=st.sampled_from([None, "year", "quarter", "month"]),
)
def test_aggregate_equals_pandas_periods_and_first_rows(
    frame: pd.DataFrame, by: list[str], period: str | None
) -> None:
    got = aidcalc.aggregate(frame, by=by or None, period=period)  # type: ignore[arg-type]
    want = reference(frame, by, period)
    pd.testing.assert_frame_equal(got, want, check_dtype=False, check_index_type=False)
    if period is not None:
        assert isinstance(got["period"].dtype, pd.PeriodDtype)


@pytest.mark.parametrize("freq", ["Y", "Q", "M"])
@pytest.mark.parametrize("unit", ["ns", "us", "s"])
def test_ordinals_equal_pandas_to_period(freq: str, unit: str) -> None:
    rng = np.random.default_rng(7)
    days = rng.integers(-25_567, 47_482, 5000)  # 1900..2100, both sides of 1970
    values = days.astype("datetime64[D]").astype(f"datetime64[{unit}]")
    values[::7] = np.datetime64("NaT")
    values[1::11] += np.timedelta64(23, "h").astype(f"timedelta64[{unit}]")  # late in the day
    dates = pd.Series(values)
    want = dates.dt.to_period(freq).array.asi8
    got = _ordinals(dates, freq)
    nat = want == np.iinfo(np.int64).min
    assert np.isnan(got[nat]).all()
    assert (got[~nat] == want[~nat]).all()


def test_ordinals_time_zone_aware_use_the_wall_time() -> None:
    dates = pd.Series(pd.to_datetime(["2023-12-31 23:30", None, "2024-01-01 00:30"]))
    dates = dates.dt.tz_localize("Europe/Berlin")
    with pytest.warns(UserWarning, match="timezone"):  # pandas' own, as before
        got = _ordinals(dates, "Y")
    assert np.isnan(got[1])
    assert got[[0, 2]].tolist() == [2023 - 1970, 2024 - 1970]


@pytest.mark.parametrize("unit", ["ns", "us", "s", "D"])
def test_calendar_years_equal_numpy_calendar(unit: str) -> None:
    """parse_dates(...).years (a day -> year table) equals numpy's calendar on every unit."""
    from aidcalc._base._dates import calendar_years

    rng = np.random.default_rng(11)
    days = rng.integers(-25_567, 47_482, 5000)  # 1900..2100
    values = days.astype("datetime64[D]").astype(f"datetime64[{unit}]")
    if unit != "D":
        values[1::5] += np.timedelta64(1, "D").astype(f"timedelta64[{unit}]") - np.timedelta64(
            1, unit
        )  # the last instant of the day
    values[::9] = np.datetime64("NaT")
    want = np.where(np.isnat(values), -1, values.astype("datetime64[Y]").astype("int64") + 1970)
    assert (calendar_years(values) == want).all()
    assert (calendar_years(values[:0]) == want[:0]).all()
    assert (calendar_years(values[::9]) == -1).all()
