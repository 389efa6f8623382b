"""Issue 9 ("trust at the edges"), the rules of the value functions, each on several inputs:

2. a row needs a date only when a rate or a deflator needs one (never dropped);
3. one date window (1910-01-01..2100-12-31; a year alone from 1900) for every way a date
   can come: never wrapped;
4. finite money: inf, overflow and boolean amounts refused everywhere;
5. spread: plausible periods, checked before allocating (and by validate);
6. empty frames, Series and duplicate index labels: a clear error or same-index output.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import aidcalc
from aidcalc._base._dates import OUT_OF_RANGE, parse_dates

# --- rule 2: a row needs a date only when a rate or a deflator needs one -------------------------
KIEL_LIKE = pd.DataFrame(
    {
        "donor": ["FRA", "ITA", "FRA", "DEU"],
        "amount": [1.5e9, 2.0e8, 3.0e7, 4.0e6],
        "currency": ["EUR", "EUR", "EUR", "EUR"],
        "date": [None, np.nan, "2023-05-02", None],
    },
    index=[10, 11, 12, 13],
)


@pytest.mark.parametrize("fx", ["spot", "month", "year", "dac"])
def test_undated_rows_in_the_target_currency_need_no_date(fx):
    r = aidcalc.normalise(KIEL_LIKE, "EUR", 2024, fx=fx, prices=None)
    assert r.index.equals(KIEL_LIKE.index)
    assert r["amount_EUR"].tolist() == KIEL_LIKE["amount"].tolist()
    assert (r["fx_rate"] == 1.0).all()
    assert r["fx_source"].astype(str).str.startswith("identity").all()
    c = aidcalc.convert(KIEL_LIKE, "EUR", fx="year" if fx == "dac" else fx)
    assert c["amount_EUR"].tolist() == KIEL_LIKE["amount"].tolist()


def test_undated_rows_that_need_a_rate_raise_naming_them_or_coerce():
    mixed = pd.concat(
        [KIEL_LIKE, pd.DataFrame({"donor": ["USA"], "amount": [5.0], "currency": ["USD"],
                                  "date": [None]}, index=[99])]
    )  # fmt: skip
    with pytest.raises(aidcalc.ValidationError, match=r"index 99\)"):
        aidcalc.normalise(mixed, "EUR", 2024, fx="year", prices=None)
    with pytest.raises(aidcalc.RateNotFoundError, match=r"USD -> EUR: missing date: 1 row"):
        aidcalc.convert(mixed, "EUR")
    r = aidcalc.normalise(mixed, "EUR", 2024, fx="year", prices=None, errors="coerce")
    assert r.index.equals(mixed.index)
    assert r["amount_EUR"].isna().tolist() == [False] * 4 + [True]
    assert r["error"].notna().tolist() == [False] * 4 + [True]
    c = aidcalc.convert(mixed, "EUR", errors="coerce")
    assert c.loc[99, "error"] == "missing date" and c["amount_EUR"].notna().sum() == 4


def test_a_deflator_needs_the_year_even_in_the_target_currency():
    with pytest.raises(aidcalc.ValidationError, match=r"missing or unreadable dates in 3 rows"):
        aidcalc.normalise(KIEL_LIKE, "EUR", 2022, extend="last")
    r = aidcalc.normalise(KIEL_LIKE, "EUR", 2022, extend="last", errors="coerce")
    assert r["amount_EUR_2022"].isna().tolist() == [True, True, False, True]


def test_a_date_that_no_rate_needs_is_not_read():
    f = KIEL_LIKE.assign(date=["soon", "2024", "07/06/2024", "9999-12-31"])
    r = aidcalc.normalise(f, "EUR", 2024, fx="spot", prices=None)
    assert r["amount_EUR"].tolist() == f["amount"].tolist()
    assert aidcalc.convert(f, "EUR")["amount_EUR"].tolist() == f["amount"].tolist()


def test_kiel_release_28_undated_euro_rows_are_kept(reference):
    got = aidcalc.io.read_kiel(
        reference / "kiel" / "kiel_r28_bilateral_activities.csv", return_rejected=True
    )
    frame = got.frame
    undated = frame["announced"].isna()
    assert undated.sum() > 100
    r = aidcalc.normalise(frame, "EUR", 2024, date="announced", fx="year", prices=None)
    assert r.index.equals(frame.index)
    assert r["amount_EUR"].isna().sum() == frame["amount"].isna().sum()
    assert r.loc[undated, "amount_EUR"].sum() == pytest.approx(frame.loc[undated, "amount"].sum())


# --- rule 3: one date window, never a wrapped date ---------------------------------------------
FAR = [
    "9999-12-31",
    "1500-06-01",
    "1677-09-22",  # inside pandas' ns range, outside the window
    "2262-04-12",  # just after pandas' ns range
    "31 December 9999",
    dt.date(1500, 6, 1),
    dt.datetime(9999, 12, 31, 12, 0),
    pd.Timestamp("1500-06-01"),
    np.datetime64("9999-12-31", "D"),
    np.datetime64("1500-06-01T00:00:00", "s"),
    np.datetime64(300_000 * 365, "D"),  # beyond even pandas' second-resolution Timestamps
]


@pytest.mark.parametrize("value", FAR, ids=[repr(v)[:30] for v in FAR])
def test_dates_outside_the_window_are_refused_everywhere(value):
    assert parse_dates(pd.Series([value, "2024-06-07"], dtype=object)).kind.tolist() == [
        OUT_OF_RANGE, 0,
    ]  # fmt: skip
    f = pd.DataFrame({"donor": ["DEU", "FRA"], "announced": [value, "2024-06-07"],
                      "amount": [1.0, 2.0], "currency": ["USD", "EUR"]})  # fmt: skip
    ok, rejected = aidcalc.pledges(f, return_rejected=True)
    assert list(ok.index) == [1] and list(rejected.index) == [0]
    assert "outside the supported window 1910-01-01..2100-12-31" in rejected["reason"].item()
    problems = aidcalc.validate(f)
    assert problems["problem"].str.contains("outside the supported window").tolist() == [True]
    with pytest.raises(aidcalc.AggregationError, match="outside the supported window"):
        aidcalc.aggregate(f, by=None, period="year")
    with pytest.raises(aidcalc.ParseError, match="outside the supported window"):
        aidcalc.convert(f, "EUR", date="announced")
    with pytest.raises(aidcalc.ValidationError, match=r"index 0\).*outside the supported window"):
        aidcalc.normalise(f, "EUR", 2022, date="announced", prices=None)


@pytest.mark.parametrize("unit", ["s", "ms", "us", "ns", "D"])
def test_datetime64_columns_of_every_unit(unit):
    lo, hi = ("1677-09-22", "2262-04-11") if unit == "ns" else ("1500-06-01", "9999-12-31")
    values = np.array([lo, "1910-01-01", "2100-12-31", hi, "NaT"], dtype=f"datetime64[{unit}]")
    got = parse_dates(pd.Series(values) if unit != "D" else values)
    assert got.kind.tolist() == [OUT_OF_RANGE, 0, 0, OUT_OF_RANGE, 1]
    assert [str(d)[:10] for d in got.dates] == ["NaT", "1910-01-01", "2100-12-31", "NaT", "NaT"]
    f = pd.DataFrame({"announced": pd.Series(values[:4]), "amount": 1.0, "donor": "DEU",
                      "currency": "EUR"})  # fmt: skip
    with pytest.raises(aidcalc.AggregationError, match=r"2 rows \(index 0, 3\)"):
        aidcalc.aggregate(f, by=None, period="year")


@given(st.integers(min_value=1, max_value=9999), st.integers(1, 12), st.integers(1, 28))
@settings(max_examples=60, deadline=None)
def test_a_read_date_is_the_date_written_or_refused(year, month, day):
    text = f"{year:04d}-{month:02d}-{day:02d}"
    got = parse_dates([text, dt.date(year, month, day)])
    inside = 1910 <= year <= 2100
    assert got.kind.tolist() == ([0, 0] if inside else [OUT_OF_RANGE, OUT_OF_RANGE])
    shown = [str(d)[:10] for d in got.dates]
    assert shown == ([text, text] if inside else ["NaT", "NaT"])


def test_year_columns_and_periods_follow_the_same_window():
    got = parse_dates(pd.Series([1500, 2024, 9999]), precision="year")
    assert got.kind.tolist() == [OUT_OF_RANGE, 0, OUT_OF_RANGE]
    spread = pd.DataFrame({"amount": [1.0], "year": [1500], "pledge_row": [0], "announced": [None],
                           "currency": ["EUR"]})  # fmt: skip
    with pytest.raises(aidcalc.AggregationError, match=r"1900\.\.2100"):
        aidcalc.aggregate(spread, by=None, period="year")


def test_read_table_refuses_the_row_with_the_window():
    import aidcalc.io

    path = "t.csv"
    frame = pd.DataFrame({"donor": ["DEU", "DEU"], "announced": ["9999-12-31", "2024-01-01"],
                          "amount": [1, 2], "currency": ["EUR", "EUR"]})  # fmt: skip
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as tmp:
        frame.to_csv(Path(tmp) / path, index=False)
        ok, rejected = aidcalc.io.read_table(Path(tmp) / path, return_rejected=True)
    assert ok["announced"].dt.year.tolist() == [2024]
    assert "outside the supported window" in rejected["reason"].item()


# --- rule 4: finite money ------------------------------------------------------------------------
def money_frame(values, currency="USD"):
    n = len(values)
    return pd.DataFrame({"donor": ["DEU"] * n, "amount": values, "currency": [currency] * n,
                         "date": ["2022-06-30"] * n, "category": ["energy"] * n})  # fmt: skip


CALLS = {
    "convert": lambda f, **kw: aidcalc.convert(f, "JPY", **kw),
    "normalise": lambda f, **kw: aidcalc.normalise(f, "JPY", 2022, prices=None, **kw),
    "normalise_dac": lambda f, **kw: aidcalc.normalise(f, "USD", 2022, **kw),
    "share_of_gdp": lambda f, **kw: aidcalc.share_of_gdp(f, value="amount", gdp_year=2021, **kw),
    "per_capita": lambda f, **kw: aidcalc.per_capita(f, value="amount", population_year=2021,
                                                     **kw),
}


@pytest.mark.parametrize("bad", [np.inf, -np.inf, "inf"])
@pytest.mark.parametrize("name", [*CALLS, "aggregate", "spread"])
def test_infinite_amounts_are_refused(name, bad):
    f = money_frame([1.0, bad, 2.0]).set_axis(["a", "b", "c"])
    if name in ("aggregate", "spread"):
        call = aidcalc.aggregate if name == "aggregate" else aidcalc.spread
        with pytest.raises(aidcalc.AidcalcError, match=r"index b\)"):
            call(f)
        return
    with pytest.raises(aidcalc.AidcalcError, match=r"index b\)"):
        CALLS[name](f)
    r = CALLS[name](f, errors="coerce")
    assert r.index.equals(f.index)
    out = r.columns[len(f.columns)]
    assert np.isnan(r.loc["b", out]) and "finite" in r.loc["b", "error"]
    assert np.isfinite(r.loc[["a", "c"], out]).all()


@pytest.mark.parametrize("name", list(CALLS))
def test_results_that_overflow_are_refused(name):
    f = money_frame([1e308, 1.0]).set_axis(["huge", "fine"])
    kw = {"scale": 1e9} if name in ("share_of_gdp", "per_capita") else {}
    call = CALLS[name]
    if name == "normalise_dac":  # a deflator below 1 (2015 prices) tips 1.7e308 over
        f = f.assign(amount=[1.79e308, 1.0], date=["2023-06-30"] * 2, donor=["JPN"] * 2)
    with pytest.raises(aidcalc.AidcalcError, match="overflow") as err:
        call(f, **kw)
    assert "(index huge)" in str(err.value)
    r = call(f, errors="coerce", **kw)
    out = r.columns[len(f.columns)]
    assert np.isnan(r.loc["huge", out]) and "overflow" in r.loc["huge", "error"]
    assert np.isfinite(r.loc["fine", out])


@pytest.mark.parametrize("scale", [float("inf"), float("nan"), 0.0, True])
def test_relative_measures_refuse_a_scale_that_is_not_finite(scale):
    f = money_frame([1.0])
    for call in (aidcalc.share_of_gdp, aidcalc.per_capita):
        year = {"gdp_year": 2021} if call is aidcalc.share_of_gdp else {"population_year": 2021}
        with pytest.raises(aidcalc.ValidationError, match="scale must be a positive finite"):
            call(f, value="amount", scale=scale, **year)


def test_sums_that_overflow_are_refused():
    f = money_frame([1e308, 1e308], currency="EUR")
    with pytest.raises(aidcalc.AggregationError, match="overflows"):
        aidcalc.aggregate(f, by=None)
    f = f.assign(announced=["2022-01-01", "2023-01-01"])
    assert len(aidcalc.aggregate(f, by=None, period="year")) == 2  # each year is finite
    with pytest.raises(aidcalc.AggregationError, match="running total overflows"):
        aidcalc.aggregate(f, by=None, period="year", cumulative=True)


@pytest.mark.parametrize("dtype", ["bool", "boolean", "object"])
@pytest.mark.parametrize("name", [*CALLS, "aggregate", "spread"])
def test_boolean_amounts_are_refused(name, dtype):
    f = money_frame([True, False]).astype({"amount": dtype})
    call = {"aggregate": aidcalc.aggregate, "spread": aidcalc.spread}.get(name, CALLS.get(name))
    assert call is not None
    with pytest.raises(aidcalc.AidcalcError, match=r"booleans \(True/False\)"):
        call(f)
    assert aidcalc.validate(f)["problem"].str.contains("boolean").all()


# --- rule 5: spread periods ---------------------------------------------------------------------
@pytest.mark.parametrize(
    ("start", "end", "problem"),
    [
        (2022, 20224, "outside the supported window"),
        (1, 10**8, "outside the supported window"),
        (2025, 2022, "period_start after period_end"),
        (2000, 2050, "longer than 50 years"),
        (1850, 1860, "outside the supported window"),
    ],
)
def test_implausible_periods_are_refused_before_allocating(start, end, problem):
    f = pd.DataFrame({"donor": ["DEU", "FRA"], "amount": [1.0, 2.0], "currency": ["EUR"] * 2,
                      "period_start": [2024, start], "period_end": [2025, end]},
                     index=["ok", "typo"])  # fmt: skip
    with pytest.raises(aidcalc.ValidationError, match=rf"index typo\).*{problem}"):
        aidcalc.spread(f)
    found = aidcalc.validate(f)
    assert set(found["row"]) == {"typo"} and found["problem"].str.contains(problem).all()


def test_fifty_years_is_the_longest_period():
    f = pd.DataFrame({"amount": [50.0], "period_start": [2000], "period_end": [2049]})
    assert len(aidcalc.spread(f)) == 50
    assert aidcalc.validate(f.assign(donor="DEU", currency="EUR")).empty


def test_spread_refuses_duplicate_index_labels():
    f = pd.DataFrame({"amount": [1.0, 2.0], "period_start": [2024, 2024],
                      "period_end": [2025, 2025]}, index=[0, 0])  # fmt: skip
    with pytest.raises(aidcalc.ValidationError, match="duplicate index labels"):
        aidcalc.spread(f)


@given(
    st.lists(
        st.tuples(
            st.integers(0, 10**9).map(lambda c: c / 100),  # whole cents
            st.integers(1990, 2030),
            st.integers(0, 12),
        ),
        min_size=1,
        max_size=12,
    )
)
@settings(max_examples=60, deadline=None)
def test_spread_then_aggregate_conserves_the_total(rows):
    f = pd.DataFrame(
        {"donor": "DEU", "currency": "EUR", "amount": [a for a, _, _ in rows],
         "period_start": [s for _, s, _ in rows], "period_end": [s + k for _, s, k in rows],
         "announced": "2024-01-01"}
    )  # fmt: skip
    parts = aidcalc.spread(f)
    assert len(parts) == sum(k + 1 for _, _, k in rows)
    assert parts.groupby("pledge_row")["amount"].sum().round(2).tolist() == f["amount"].tolist()
    totals = aidcalc.aggregate(parts, by=None, period="year")
    assert totals["amount"].sum() == pytest.approx(f["amount"].sum(), rel=1e-12, abs=1e-9)


@given(
    st.lists(
        st.tuples(
            st.sampled_from(["EUR", "USD", "JPY"]),
            st.sampled_from([None, "2022-06-30", "2023-03-01", "soon"]),
            st.floats(min_value=-1e12, max_value=1e12, allow_nan=False),
        ),
        min_size=1,
        max_size=10,
    ),
    st.sampled_from(["spot", "year", "dac"]),
)
@settings(max_examples=40, deadline=None)
def test_rows_in_equal_rows_out_whatever_is_undated(rows, fx):
    f = pd.DataFrame({"donor": "DEU", "currency": [c for c, _, _ in rows],
                      "date": [d for _, d, _ in rows], "amount": [a for _, _, a in rows]},
                     index=[f"r{i}" for i in range(len(rows))][::-1])  # fmt: skip
    r = aidcalc.normalise(f, "EUR", 2022, fx=fx, prices=None, errors="coerce")
    assert r.index.equals(f.index) and r[f.columns].equals(f)
    needs = (f["currency"] != "EUR") & ~f["date"].isin(["2022-06-30", "2023-03-01"])
    assert r["amount_EUR"].isna().equals(needs)  # exactly the rows whose rate needs a date
    assert r["error"].notna().equals(needs)
    eur = f["currency"] == "EUR"
    assert (r.loc[eur, "amount_EUR"] == f.loc[eur, "amount"]).all()


# --- rule 6: empty frames, Series, duplicate index ---------------------------------------------
FULL = pd.DataFrame(
    {"donor": ["DEU", "FRA", "JPN"], "amount": [1.0, 2.0, 3.0], "currency": ["EUR", "EUR", "JPY"],
     "date": ["2022-06-07"] * 3, "announced": ["2022-06-07"] * 3, "category": ["energy"] * 3,
     "period_start": [2024, 2024, None], "period_end": [2025, 2026, None]}
)  # fmt: skip
PUBLIC = {
    "convert": lambda f: aidcalc.convert(f, "EUR"),
    "normalise": lambda f: aidcalc.normalise(f, "EUR", 2022),
    "normalise_current": lambda f: aidcalc.normalise(f, "EUR", 2022, prices=None),
    "share_of_gdp": lambda f: aidcalc.share_of_gdp(f, value="amount", gdp_year=2021),
    "per_capita": lambda f: aidcalc.per_capita(f, value="amount", population_year=2021),
    "validate": aidcalc.validate,
    "pledges": lambda f: aidcalc.pledges(f, return_rejected=True).frame,
    "spread": aidcalc.spread,
    "aggregate": aidcalc.aggregate,
    "aggregate_year": lambda f: aidcalc.aggregate(f, by="donor", period="year"),
}
SAME_INDEX = ("convert", "normalise", "normalise_current", "share_of_gdp", "per_capita", "pledges")


@pytest.mark.parametrize("name", list(PUBLIC))
def test_bad_shapes_get_clear_errors_or_same_index_output(name):
    call = PUBLIC[name]
    with pytest.raises(aidcalc.FrameTypeError):
        call(FULL["amount"])
    empty_ok = name == "validate"  # validate reports the missing columns
    if empty_ok:
        assert set(call(pd.DataFrame())["column"]) == {"donor", "amount", "currency"}
    else:
        with pytest.raises(aidcalc.ValidationError):
            call(pd.DataFrame())
    assert len(call(FULL.iloc[:0])) == 0
    dup = FULL.set_axis([7, 7, 3])
    if name == "spread":
        with pytest.raises(aidcalc.ValidationError, match="duplicate index"):
            call(dup)
        return
    got = call(dup)
    if name in SAME_INDEX:
        assert list(got.index) == [7, 7, 3]
        assert got["amount"].tolist() == FULL["amount"].tolist()


def test_pledges_on_tables_without_rows():
    ok, rejected = aidcalc.pledges(
        pd.DataFrame({"donor": [], "amount": [], "currency": []}), return_rejected=True
    )
    assert ok.empty and rejected.empty and "reason" in rejected.columns
    assert aidcalc.validate(ok).empty
    ok, _ = aidcalc.pledges(
        pd.DataFrame(columns=["Giver", "Date", "Value", "Currency"]), return_rejected=True
    )
    assert {"donor", "announced", "amount", "currency"} <= set(ok.columns)
    assert ok["announced"].dtype.kind == "M" and ok["amount"].dtype == "float64"
    with pytest.raises(aidcalc.ValidationError, match="no column for"):
        aidcalc.pledges(pd.DataFrame(), return_rejected=True)
