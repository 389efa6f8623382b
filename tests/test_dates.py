"""The one strict date reader (aidcalc._base._dates.parse_dates) and its callers' messages."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import aidcalc
from aidcalc._base._dates import (
    AMBIGUOUS,
    COARSE,
    MISSING,
    MIXED_OFFSETS,
    MIXED_ORDER,
    OK,
    UNREADABLE,
    parse_dates,
)


def ymd(got) -> list:
    return [None if pd.isna(x) else str(x)[:10] for x in got.dates]


def test_qa_a3_column_without_locale_is_never_guessed():
    got = parse_dates(pd.Series(["07/06/2024", "13/06/2024", "2024", "2024-06"]))
    assert ymd(got) == [None, "2024-06-13", None, None]
    assert got.kind.tolist() == [AMBIGUOUS, OK, COARSE, COARSE]
    assert got.reasons[0].startswith("ambiguous day/month order: pass locale=")
    assert got.reasons[2] == got.reasons[3] == "year or month only: give the day (YYYY-MM-DD)"


@pytest.mark.parametrize(
    ("locale", "expected"),
    [("de", "2024-06-07"), ("fr", "2024-06-07"), ("it", "2024-06-07"), ("en_GB", "2024-06-07"),
     ("en_US", "2024-07-06")],
)  # fmt: skip
def test_locale_settles_the_order(locale, expected):
    assert ymd(parse_dates(["07/06/2024"], locale=locale)) == [expected]


def test_plain_en_is_not_settled():
    assert parse_dates(["07/06/2024"], locale="en").kind.tolist() == [AMBIGUOUS]


@pytest.mark.parametrize(
    ("precision", "kinds", "dates"),
    [
        ("day", [OK, COARSE, COARSE, AMBIGUOUS], ["2024-06-07", None, None, None]),
        ("month", [OK, COARSE, OK, AMBIGUOUS], ["2024-06-07", None, "2024-06-01", None]),
        ("year", [OK, OK, OK, OK], ["2024-06-07", "2024-01-01", "2024-06-01", "2024-01-01"]),
    ],
)
def test_precision_decides_about_year_and_month_only_values(precision, kinds, dates):
    got = parse_dates(["2024-06-07", "2024", "2024-06", "07/06/2024"], precision=precision)
    assert got.kind.tolist() == kinds
    assert ymd(got) == dates


def test_coarse_reason_names_the_option_to_use():
    got = parse_dates(["2024", "2024-06", "June 2024"], option=("policy", "spot"))
    assert got.reasons.tolist() == [
        "year-only date where policy='spot' needs a day: write YYYY-MM-DD or use policy='year'",
        "month-only date where policy='spot' needs a day: write YYYY-MM-DD or use "
        "policy='month' (or 'year')",
        "month-only date where policy='spot' needs a day: write YYYY-MM-DD or use "
        "policy='month' (or 'year')",
    ]
    got = parse_dates(["2024"], precision="month", option=("fx", "month"))
    assert got.reasons.tolist() == [
        "year-only date where fx='month' needs a month: write YYYY-MM or use fx='year'"
    ]


def test_rejections_and_missing_values():
    got = parse_dates(["31/02/2024", "19.02.24", "soon", "", None, np.nan, True, 1.5])
    assert got.kind.tolist() == [UNREADABLE] * 4 + [MISSING, MISSING] + [UNREADABLE] * 2
    reasons = got.reasons.tolist()
    assert reasons[0] == "impossible date" and "two-digit" in reasons[1]
    assert "not a date in a known format" in reasons[2] and reasons[3] == "empty"
    assert reasons[4] is None and reasons[5] is None
    assert not got.bad[4] and got.bad[0]


def test_column_rules_mixed_order_and_offsets():
    got = parse_dates(["13/06/2024", "06/13/2024"])
    assert got.kind.tolist() == [MIXED_ORDER, MIXED_ORDER]
    mixed = ["2022-06-07T10:00:00+02:00", "2022-06-07T10:00:00-05:00", "2022-06-08"]
    assert ymd(parse_dates(mixed)) == ["2022-06-07", "2022-06-07", "2022-06-08"]  # local dates
    got = parse_dates(mixed, mixed_offsets=False)
    assert got.kind.tolist() == [MIXED_OFFSETS, MIXED_OFFSETS, OK]
    assert "mixes UTC offsets (+02:00, -05:00)" in got.reasons[0]


def test_datetime_tz_period_and_number_columns():
    aware = pd.Series(pd.to_datetime(["2024-06-07 23:30"]).tz_localize("Asia/Tokyo"))
    assert ymd(parse_dates(aware)) == ["2024-06-07"]  # the local date, not UTC's
    months = pd.Series(pd.period_range("2024-05", periods=2, freq="M"))
    assert parse_dates(months).kind.tolist() == [COARSE, COARSE]
    assert ymd(parse_dates(months, precision="month")) == ["2024-05-01", "2024-06-01"]
    years = pd.Series([2024, 2023])
    assert parse_dates(years).kind.tolist() == [COARSE, COARSE]
    got = parse_dates(pd.Series([2024.0, 1.5, np.nan]), precision="year")
    assert got.kind.tolist() == [OK, UNREADABLE, MISSING]
    assert got.years.tolist() == [2024, -1, -1]
    objs = [dt.date(2024, 6, 7), pd.Timestamp("2024-06-08"), np.datetime64("2024-06-09")]
    assert ymd(parse_dates(pd.Series(objs, dtype=object))) == [
        "2024-06-07", "2024-06-08", "2024-06-09"
    ]  # fmt: skip


@pytest.mark.parametrize("dtype", ["str", "object", "category"])
def test_long_columns_agree_with_short_ones(dtype):
    values = ["2024-06-07", None, "2024-02-30", "7 June 2024", "07/06/2024", "2024"]
    small = parse_dates(pd.Series(values, dtype=object))
    big = parse_dates(pd.Series(values * 2000, dtype=dtype))
    assert big.kind.tolist() == small.kind.tolist() * 2000
    assert ymd(big)[:6] == ymd(small)
    iso = pd.Series(["2024-06-07", None] * 6000, dtype="str")  # the Arrow path
    got = parse_dates(iso)
    assert got.kind.tolist()[:2] == [OK, MISSING] and ymd(got)[:2] == ["2024-06-07", None]


@given(
    day=st.dates(min_value=dt.date(1910, 1, 1), max_value=dt.date(2100, 12, 31)),
    style=st.sampled_from(
        [("de", "%d.%m.%Y"), ("fr", "%d/%m/%Y"), ("en_GB", "%d/%m/%Y"), ("en_US", "%m/%d/%Y"),
         (None, "%Y-%m-%d"), (None, "%d %B %Y"), (None, "%B %d, %Y")]
    ),
)
@settings(max_examples=60, deadline=None)
def test_dates_round_trip_in_their_locale(day, style):
    locale, fmt = style
    got = parse_dates([day.strftime(fmt)], locale=locale)
    assert got.kind.tolist() == [OK] and got.dates.iloc[0] == pd.Timestamp(day)


@given(day=st.dates(min_value=dt.date(1910, 1, 1), max_value=dt.date(2100, 12, 31)))
@settings(max_examples=60, deadline=None)
def test_without_locale_numeric_dates_are_read_only_when_one_reading_exists(day):
    got = parse_dates([day.strftime("%d/%m/%Y")])
    if day.day > 12 or day.day == day.month:
        assert got.dates.iloc[0] == pd.Timestamp(day)
    else:
        assert got.kind.tolist() == [AMBIGUOUS]


# --- the callers ---------------------------------------------------------------------------
QA = pd.DataFrame(
    {"amount": [1.0] * 4, "currency": ["USD"] * 4,
     "date": ["07/06/2024", "13/06/2024", "2024", "2024-06"]}
)  # fmt: skip


def test_convert_refuses_ambiguous_and_coarse_dates_under_spot():
    with pytest.raises(aidcalc.ParseError) as info:
        aidcalc.convert(QA, "EUR")
    msg = str(info.value)
    assert "'07/06/2024' in 1 row (index 0): ambiguous day/month order" in msg
    assert "'2024' in 1 row (index 2): year-only date where fx='spot'" in msg
    assert "use fx='year'" in msg
    assert "'2024-06' in 1 row (index 3): month-only date" in msg and "fx='month'" in msg
    assert "13/06/2024" not in msg  # read one way only: fine
    assert list(info.value.rows) == [0, 2, 3]
    got = aidcalc.convert(QA, "EUR", errors="coerce")
    assert got["fx_date"].iloc[1] == pd.Timestamp("2024-06-13")
    assert got["error"].iloc[0].startswith("ambiguous day/month order")
    assert got["error"].iloc[2].startswith("year-only date where fx='spot'")


def test_convert_year_and_month_policies_and_locale():
    got = aidcalc.convert(QA.iloc[[2]], "EUR", fx="year")
    assert got["fx_date"].iloc[0] == pd.Timestamp("2024-01-01")
    assert got["fx_rate"].iloc[0] == pytest.approx(1 / 1.0824, rel=1e-3)  # ECB 2024 mean
    got = aidcalc.convert(QA.iloc[[3]], "EUR", fx="month")
    assert got["fx_date"].iloc[0] == pd.Timestamp("2024-06-01")
    assert aidcalc.convert(QA, "EUR", fx="year")["fx_rate"].notna().all()
    with pytest.raises(aidcalc.ParseError, match=r"'2024' in 1 row.*use fx='year'"):
        aidcalc.convert(QA.iloc[[2]], "EUR", fx="month")
    got = aidcalc.convert(QA.iloc[:2], "EUR", locale="de")
    assert got["fx_date"].dt.strftime("%m-%d").tolist() == ["06-07", "06-13"]
    with pytest.raises(aidcalc.ParseError, match=r"'13/06/2024'.*impossible date"):
        aidcalc.convert(QA.iloc[:2], "EUR", locale="en_US")


def test_normalise_reads_by_locale():
    f = pd.DataFrame({"amount": [1.0], "currency": ["EUR"], "date": ["07/06/2022"],
                      "donor": ["DEU"]})  # fmt: skip
    with pytest.raises(aidcalc.ValidationError, match="day/month order is ambiguous"):
        aidcalc.normalise(f, "EUR", 2022)
    got = aidcalc.normalise(f, "EUR", 2022, locale="en_US")
    assert got["fx_date"].iloc[0] == pd.Timestamp("2022-07-06")
