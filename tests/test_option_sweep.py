"""A sweep of the public API by class of fault, each rule on every option value.

1. Every option value (and pairs of them) on small valid frames: output rows = input rows
   (same index, same order) for the row-wise functions, no ``inf`` as money, no exception but
   an :class:`aidcalc.AidcalcError` naming the problem, and equivalent options agree
   (``prices="none"`` == ``None`` == ``"current"``; ``errors="coerce"`` == ``"raise"`` where
   ``"raise"`` does not raise).
2. Later years (2024..2030 and base years up to 2030): a result is flagged where it goes
   beyond the published data, or the row is NaN with a reason / a ``DataCoverageError``
   naming the fix; 1899 and 2101 are refused; leap days, time-zone aware datetimes, integer
   years and Period columns read as written.
3. Mixed inputs in one frame (nullable dtypes, Arrow strings, categoricals with unused
   categories, objects mixing str/float/None/NA, duplicate labels, string and MultiIndex
   indexes): the same numbers as on a plain frame, index and order kept.

Plus the output-name rule: an ``out=``/``year=``/``link=``/``by=`` name never replaces a
column the call reads or writes itself (that left converted euros in ``amount`` beside a
``currency`` column saying JPY).
"""

from __future__ import annotations

import itertools
import re
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import pytest

import aidcalc
import aidcalc.plot

warnings.filterwarnings("ignore", category=aidcalc.RejectedRowsWarning)

CURRENCIES = ["USD", "EUR", "JPY", "GBP", "CAD"]
# one row per G7 currency and year, from inside the data to beyond every embedded table
FRAME = pd.DataFrame(
    {
        "donor": ["JPN", "DEU", "USA", "GBR", "CAN", "FRA", "ITA"],
        "amount": [1.9e12, 2.5e9, 1.21e10, 4.0e7, 5.0e8, 6.0e7, 7.0e7],
        "currency": ["JPY", "EUR", "USD", "GBP", "CAD", "EUR", "EUR"],
        "date": ["2022-03-01", "2023-06-15", "2024-02-29", "2025-12-31", "2026-07-01",
                 "2026-10-30", "2027-01-04"],
    },
    index=["jp", "de", "us", "gb", "ca", "fr", "it"],
)  # fmt: skip


def _money(result: pd.DataFrame, column: str) -> np.ndarray:
    return np.asarray(pd.to_numeric(result[column]), dtype="float64")


def _check_rowwise(result: pd.DataFrame, frame: pd.DataFrame, column: str, errors: str) -> None:
    """Same rows, same index and order; finite money; NaN only with a reason under coerce."""
    assert result.index.equals(frame.index)
    values = _money(result, column)
    assert not np.isinf(values).any()
    if errors == "coerce":
        amounts = pd.to_numeric(frame["amount"], errors="coerce") if "amount" in frame else None
        given = np.ones(len(frame), bool) if amounts is None else amounts.notna().to_numpy()
        unexplained = np.isnan(values) & given & result["error"].isna().to_numpy()
        assert not unexplained.any(), result[unexplained]


def _names_rows(err: Exception, frame: pd.DataFrame) -> bool:
    text = str(err)
    return any(re.search(rf"\b{re.escape(str(label))}\b", text) for label in frame.index)


def _same(a: np.ndarray, b: np.ndarray) -> bool:
    return bool(np.allclose(a, b, rtol=1e-12, equal_nan=True))


# --- 1. every option value -----------------------------------------------------------------------
# an orthogonal array L9(3^4): every pair of values of any two of the four options occurs
_L9 = [(0, 0, 0, 0), (0, 1, 1, 1), (0, 2, 2, 2), (1, 0, 1, 2), (1, 1, 2, 0), (1, 2, 0, 1),
       (2, 0, 2, 1), (2, 1, 0, 2), (2, 2, 1, 0)]  # fmt: skip


def _normalise_options() -> list[dict[str, Any]]:
    """prices x extend x base year x donor, pairwise (the three spellings of current prices
    take turns at the third level of ``prices``)."""
    current = iter([None, "none", "current"])
    return [
        {"prices": ("dac", "cpi")[p] if p < 2 else next(current),
         "extend": ("weo", "last", None)[e], "base": (2022, 2026, 2030)[b],
         "donor": ("donor", None, "donor")[d]}
        for p, e, b, d in _L9
    ]  # fmt: skip


@pytest.mark.parametrize("to", CURRENCIES)
@pytest.mark.parametrize("fx", ["spot", "month", "year", "dac"])
def test_normalise_every_option_pair(fx, to):
    """fx x to x prices x extend x base year (x donor), raise and coerce."""
    current: dict[Any, np.ndarray] = {}
    for case in _normalise_options():
        base, prices = case["base"], case["prices"]
        options = {"fx": fx, "prices": prices, "extend": case["extend"], "donor": case["donor"]}
        coerced = aidcalc.normalise(FRAME, to, base, errors="coerce", **options)
        at_current = prices in (None, "none", "current")
        col = f"amount_{to}" if at_current else f"amount_{to}_{base}"
        _check_rowwise(coerced, FRAME, col, "coerce")
        values = _money(coerced, col)
        if at_current:  # base_year, extend and the spelling do not matter at current prices
            current.setdefault(case["donor"], values)
            assert _same(current[case["donor"]], values), case
            own = (FRAME["currency"] == to).to_numpy()  # rows in `to` keep their amount
            assert np.array_equal(values[own], FRAME["amount"].to_numpy()[own])
            if prices is not None:
                continue
        try:
            raised = aidcalc.normalise(FRAME, to, base, **options)
        except aidcalc.AidcalcError as err:
            assert np.isnan(values).any(), f"raised although every row converts: {err}"
            assert _names_rows(err, FRAME), err
        else:
            assert "error" not in raised.columns and _same(_money(raised, col), values)


@pytest.mark.parametrize("to", CURRENCIES)
@pytest.mark.parametrize("fx", ["spot", "month", "year"])
def test_convert_every_option_pair(fx, to):
    coerced = aidcalc.convert(FRAME, to, fx=fx, errors="coerce")
    _check_rowwise(coerced, FRAME, f"amount_{to}", "coerce")
    values = _money(coerced, f"amount_{to}")
    # the embedded ECB rates end 2026-10-30: no rate after that, no year average for 2026
    after = pd.to_datetime(FRAME["date"]) > pd.Timestamp("2026-10-30")
    in_to = (FRAME["currency"] == to).to_numpy()
    assert np.isnan(values[after.to_numpy() & ~in_to]).all()
    try:
        raised = aidcalc.convert(FRAME, to, fx=fx)
    except aidcalc.RateNotFoundError as err:
        assert np.isnan(values).any() and _names_rows(err, FRAME)
    else:
        assert _same(_money(raised, f"amount_{to}"), values)


@pytest.mark.parametrize("fx", ["spot"])
def test_convert_to_a_currency_and_back_is_the_identity(fx):
    """A spot rate and its inverse come from the same fixing: a round trip is exact (an
    average of rates is not the inverse of the average of the inverses)."""
    f = FRAME.iloc[:4]
    there = aidcalc.convert(f, "EUR", fx=fx)
    back = aidcalc.convert(
        there.drop(columns=["amount"]).rename(columns={"amount_EUR": "amount"})
        .assign(currency="EUR").drop(columns=["fx_rate", "fx_date", "fx_source", "fx_to"]),
        "USD", fx=fx,
    )  # fmt: skip
    direct = aidcalc.convert(f, "USD", fx=fx)
    assert np.allclose(back["amount_USD"], direct["amount_USD"], rtol=1e-9)


PLEDGES = pd.DataFrame(
    {
        "donor": ["JPN", "DEU", "USA", "GBR", "FRA", "DEU", "EUI", "CAN", "ITA"],
        "category": ["energy", "other", "energy", "demining", "other", "humanitarian", "energy",
                     "other", "other"],
        "amount": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0],
        "currency": "EUR",
        "status": ["pledged", "committed", "disbursed", "allocated", "pledged", "disbursed",
                   "committed", "pledged", "disbursed"],
        "announced": ["2024-02-29", "2025-12-31", "2026-01-01", "2026-10-31", "2022-03-01",
                      "2023-12-31", "2022-05-05", "2024-01-01", "2030-11-30"],
    },
    index=[9, 8, 7, 6, 5, 4, 3, 2, 1],
)  # fmt: skip


@pytest.mark.parametrize("period", [None, "year", "quarter", "month"])
@pytest.mark.parametrize("by", [None, "donor", ("donor", "category"), "category"])
def test_aggregate_every_period_conserves_the_total(by, period):
    out = aidcalc.aggregate(PLEDGES, by=by, period=period)
    assert out["amount"].sum() == PLEDGES["amount"].sum()
    assert out["rows"].sum() == len(PLEDGES)
    if period is None:
        return
    running = aidcalc.aggregate(PLEDGES, by=by, period=period, cumulative=True)
    keys = [] if by is None else [by] if isinstance(by, str) else list(by)
    last = running.groupby(keys)["amount"].last() if keys else running["amount"].iloc[-1:]
    total = out.groupby(keys)["amount"].sum() if keys else out["amount"].sum()
    assert np.allclose(np.sort(np.ravel(last)), np.sort(np.ravel(total)))
    assert not np.isinf(running["amount"]).any()


@pytest.mark.parametrize("groups", ["G7", ["G7", "EU27"], "G7+EU", "EU27+EUI"])
@pytest.mark.parametrize("period", [None, "year", "quarter", "month"])
def test_aggregate_groups_with_every_period(groups, period):
    out = aidcalc.aggregate(PLEDGES, by=None, groups=groups, period=period)
    flat = aidcalc.aggregate(PLEDGES, by=None, groups=groups)
    assert np.allclose(out.groupby("group")["amount"].sum().sort_index(),
                       flat.set_index("group")["amount"].sort_index())  # fmt: skip


YEAR_ONLY = {
    "int": lambda d: d.dt.year,
    "Int64": lambda d: d.dt.year.astype("Int64"),
    "float": lambda d: d.dt.year.astype("float64"),
    "text": lambda d: d.dt.year.astype(str),
    "Period[Y]": lambda d: d.dt.to_period("Y"),
    "ambiguous d/m": lambda d: d.dt.strftime("%m/%d/%Y").str.replace(r"^(\d\d)/", "07/", regex=True)
    .str.replace(r"/(\d\d)/", "/06/", regex=True),
}  # fmt: skip
MONTH_ONLY = {
    "text": lambda d: d.dt.strftime("%Y-%m"),
    "Period[M]": lambda d: d.dt.to_period("M"),
}


@pytest.mark.parametrize("kind", list(YEAR_ONLY))
def test_aggregate_by_year_needs_only_the_year(kind):
    """period="year" groups a column of years (or dates whose day/month is unknown) exactly
    as the full dates; "quarter" and "month" refuse them, naming the option to use."""
    dates = pd.to_datetime(PLEDGES["announced"])
    coarse = PLEDGES.assign(announced=YEAR_ONLY[kind](dates))
    expected = aidcalc.aggregate(PLEDGES, by="donor", period="year")
    got = aidcalc.aggregate(coarse, by="donor", period="year")
    pd.testing.assert_frame_equal(got, expected)
    # membership of these donors did not change within those years: groups work too
    for period in (None, "year"):
        pd.testing.assert_frame_equal(
            aidcalc.aggregate(coarse, by=None, period=period, groups=["G7", "EU27"]),
            aidcalc.aggregate(PLEDGES, by=None, period=period, groups=["G7", "EU27"]),
        )
    for period in ("quarter", "month"):
        with pytest.raises(aidcalc.AggregationError, match=rf"period='{period}'|day/month"):
            aidcalc.aggregate(coarse, by="donor", period=period)


@pytest.mark.parametrize("written", ["2020", 2020, "2020-01", "01/15/2020"])
def test_group_membership_from_a_year_or_month_only_where_it_did_not_change(written):
    """The UK left the EU on 2020-01-31: "2019" and "2021" say whether it was in EU27, and so
    does January 2020 (month-only, or a day whose day/month order is unsure), "2020" not."""
    uk = pd.DataFrame({"donor": ["GBR"] * 3, "amount": [1.0, 2.0, 4.0], "currency": "EUR",
                       "announced": pd.Series([2019, 2021, written], dtype=object)})
    if written in ("2020-01", "01/15/2020"):
        assert aidcalc.aggregate(uk, by=None, groups="EU27")["amount"].tolist() == [5.0]
        return
    with pytest.raises(aidcalc.AggregationError, match=r"GBR joined or left EU27 .*index 2"):
        aidcalc.aggregate(uk, by=None, groups="EU27")
    assert aidcalc.aggregate(uk.iloc[:2], by=None, groups="EU27")["amount"].tolist() == [1.0]
    assert aidcalc.aggregate(uk, by=None, groups="G7")["amount"].tolist() == [7.0]


@pytest.mark.parametrize("kind", list(MONTH_ONLY))
def test_aggregate_by_quarter_or_month_needs_only_the_month(kind):
    dates = pd.to_datetime(PLEDGES["announced"])
    coarse = PLEDGES.assign(announced=MONTH_ONLY[kind](dates))
    for period in ("year", "quarter", "month"):
        expected = aidcalc.aggregate(PLEDGES, by="donor", period=period)
        pd.testing.assert_frame_equal(aidcalc.aggregate(coarse, by="donor", period=period),
                                      expected)  # fmt: skip


TABLES: dict[str, Callable[..., pd.DataFrame]] = {
    "donors_table": aidcalc.plot.donors_table,
    "categories_table": aidcalc.plot.categories_table,
    "pipeline_table": aidcalc.plot.pipeline_table,
    "timeline_table": aidcalc.plot.timeline_table,
    "share_of_gdp_table": aidcalc.plot.share_of_gdp_table,
}


@pytest.mark.parametrize("name", list(TABLES))
def test_chart_tables_every_option(name):
    table = TABLES[name]
    data = PLEDGES.assign(pct_of_gdp=PLEDGES["amount"] / 100)
    params = __import__("inspect").signature(table).parameters
    options: dict[str, list[Any]] = {"members": [None, "G7", ["JPN", "DEU"], "G7+EU"],
                                     "missing": ["drop", "raise"]}  # fmt: skip
    if "cumulative" in params:
        options["cumulative"] = [True, False]
    if "by" in params and name == "donors_table":
        options["by"] = ["category", None]
    for combo in itertools.product(*options.values()):
        kw = dict(zip(options, combo, strict=True))
        out = table(data, value="amount", **kw)
        numbers = out.select_dtypes("number").to_numpy(dtype="float64")
        assert np.isfinite(numbers[~np.isnan(numbers)]).all()
    with pytest.raises(aidcalc.ValidationError, match="missing must be 'raise' or 'drop'"):
        table(data, value="amount", missing="zero")


def test_chart_bad_missing_option_is_a_validation_error_before_drawing():
    with pytest.raises(aidcalc.ValidationError, match="missing must be") as info:
        aidcalc.plot.donors(PLEDGES, value="amount", missing="keep")
    assert info.value.option == "missing" and info.value.accepted == ["raise", "drop"]


@pytest.mark.parametrize("locale", ["en", "de", "fr", "it", "ja", "uk", "en_CA", "zh_CN"])
@pytest.mark.parametrize("style", ["short", "long", "standard", "name"])
def test_format_then_parse_gives_the_amount_back(locale, style):
    for value, currency in itertools.product([0, 1234.5, 2.5e9, 1.9e12, -5e8], CURRENCIES):
        text = aidcalc.format_amount((value, currency), locale=locale, style=style)
        back = aidcalc.parse_amount(text, locale=locale)
        assert back.currency == currency, text
        assert abs(float(back.value) - value) <= 0.06 * max(abs(value), 1), text


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), 1e21])
def test_format_refuses_what_is_not_an_amount(bad):
    with pytest.raises(aidcalc.AmountRangeError):
        aidcalc.format_amount((bad, "USD"))


def test_categorise_every_option():
    data = PLEDGES.assign(text=["power grid", None, "demining", pd.NA, 3.5, "shelter", "x",
                                "bridge repair", "budget support"])  # fmt: skip
    for overwrite, out in itertools.product([False, True], ["category", "cat"]):
        got = aidcalc.categorise(data, text="text", out=out, overwrite=overwrite)
        assert got.index.equals(data.index)
        assert got[out].notna().all() and got[f"{out}_source"].notna().all()


# --- the output-name rule ---------------------------------------------------------------------
def _calls() -> dict[str, Callable[..., pd.DataFrame]]:
    f = FRAME.iloc[:2].assign(period_start=[2022, 2023], period_end=[2024, 2024],
                              text=["energy", "demining"])  # fmt: skip
    return {
        "convert out=amount": lambda: aidcalc.convert(f, "EUR", out="amount"),
        "convert out=currency": lambda: aidcalc.convert(f, "EUR", out="currency"),
        "convert out=date": lambda: aidcalc.convert(f, "EUR", out="date"),
        "convert out=fx_rate": lambda: aidcalc.convert(f, "EUR", out="fx_rate"),
        "normalise out=amount": lambda: aidcalc.normalise(f, "EUR", 2022, out="amount"),
        "normalise out=donor": lambda: aidcalc.normalise(f, "EUR", 2022, out="donor"),
        "normalise out=deflator": lambda: aidcalc.normalise(f, "EUR", 2022, out="deflator"),
        "normalise out=price_base": lambda: aidcalc.normalise(f, "EUR", out="price_base"),
        "share out=amount": lambda: aidcalc.share_of_gdp(f, value="amount", year="date",
                                                         out="amount"),
        "share out=gdp": lambda: aidcalc.share_of_gdp(f, value="amount", year="date", out="gdp"),
        "per_capita out=population": lambda: aidcalc.per_capita(
            f, value="amount", year="date", out="population"),
        "per_capita out=donor": lambda: aidcalc.per_capita(f, value="amount", year="date",
                                                           out="donor"),
        "categorise out=text": lambda: aidcalc.categorise(f, text="text", out="text"),
        "categorise all_out=out": lambda: aidcalc.categorise(f, text="text", all_out="category"),
        "spread year=amount": lambda: aidcalc.spread(f, year="amount"),
        "spread link=amount": lambda: aidcalc.spread(f, link="amount"),
        "spread year=period_start": lambda: aidcalc.spread(f, year="period_start"),
        "spread link=year": lambda: aidcalc.spread(f, link="year"),
        "aggregate by=value": lambda: aidcalc.aggregate(f.assign(currency="EUR"), by="amount"),
        "aggregate by twice": lambda: aidcalc.aggregate(f.assign(currency="EUR"),
                                                        by=["donor", "donor"]),
        "aggregate by=rows": lambda: aidcalc.aggregate(f.assign(currency="EUR", rows=1),
                                                       by="rows"),
    }  # fmt: skip


@pytest.mark.parametrize("name", list(_calls()))
def test_an_output_name_never_replaces_an_input_or_another_output(name):
    with pytest.raises(aidcalc.ValidationError, match=r"pass another|by names|by and value"):
        _calls()[name]()


@pytest.mark.parametrize(
    "call",
    [
        lambda: aidcalc.convert(FRAME, "EUR", out=3),
        lambda: aidcalc.normalise(FRAME, "EUR", out=3),
        lambda: aidcalc.share_of_gdp(FRAME, value="amount", year="date", out=3),
        lambda: aidcalc.per_capita(FRAME, value="amount", year="date", out=3),
        lambda: aidcalc.categorise(FRAME.assign(t="x"), text="t", out=3),
    ],
)
def test_an_output_name_must_be_a_string(call):
    with pytest.raises(aidcalc.ValidationError, match="must be a column name") as info:
        call()
    assert isinstance(info.value, TypeError)


def test_rerunning_a_call_on_its_own_result():
    once = aidcalc.convert(FRAME.iloc[:3], "EUR")
    twice = aidcalc.convert(once, "EUR")
    pd.testing.assert_frame_equal(once, twice)
    spread_once = aidcalc.spread(FRAME.iloc[:2].assign(period_start=2024, period_end=2025))
    with pytest.raises(aidcalc.ValidationError, match="already spread"):
        aidcalc.spread(spread_once)  # each year's part would be split over the period again


# --- 2. later years ------------------------------------------------------------------------------
LATER = pd.DataFrame(
    {
        "donor": ["JPN", "DEU", "USA", "GBR", "CAN", "FRA", "ITA"],
        "amount": [1e9] * 7,
        "currency": "USD",  # no exchange rate needed: the price step alone is tested
        "date": ["2023-06-30", "2024-02-29", "2025-06-30", "2026-06-30", "2027-06-30",
                 "2028-06-30", "2030-12-31"],
    },
    index=list("abcdefg"),
)  # fmt: skip
LAST_PUBLISHED = 2024  # no embedded deflator, CPI, GDP or population table goes further


@pytest.mark.parametrize("base", [2022, 2024, 2026, 2030])
@pytest.mark.parametrize("extend", ["weo", "last"])
@pytest.mark.parametrize("prices", ["dac", "cpi"])
def test_later_years_are_flagged_where_they_pass_the_published_data(prices, extend, base):
    out = aidcalc.normalise(LATER, "USD", base, prices=prices, extend=extend, errors="coerce")
    _check_rowwise(out, LATER, f"amount_USD_{base}", "coerce")
    years = pd.to_datetime(LATER["date"]).dt.year.to_numpy()
    ok = out[f"amount_USD_{base}"].notna().to_numpy()
    flag = r"extended from|beyond coverage"
    sources = out["deflator_source"].astype(str)
    later = (years > LAST_PUBLISHED) & ok
    assert sources[later].str.contains(flag).all(), sources[later].tolist()
    if base > LAST_PUBLISHED:  # every row is rebased to an extended year: all flagged
        assert sources[ok].str.contains(flag).all(), sources[ok].tolist()
        same = years == base
        assert sources[ok & ~same].str.contains(rf"base {base} (?:extended|beyond)").all()


@pytest.mark.parametrize("prices", ["dac", "cpi"])
def test_without_extension_later_years_name_the_fix(prices):
    with pytest.raises(aidcalc.DataCoverageError, match="extend='last'") as info:
        aidcalc.normalise(LATER, "USD", 2022, prices=prices, extend=None)
    assert re.search(r"rows? \(index [b-g]", str(info.value))


@pytest.mark.parametrize("fn", ["share_of_gdp", "per_capita"])
def test_relative_measures_name_the_imf_after_the_world_bank(fn):
    frame = LATER.assign(year=pd.to_datetime(LATER["date"]).dt.year)
    out = getattr(aidcalc, fn)(frame, value="amount", year="year")
    src = out["gdp_source" if fn == "share_of_gdp" else "population_source"].astype(str)
    assert src[frame["year"].to_numpy() > LAST_PUBLISHED].str.contains("IMF WEO").all()
    assert src[frame["year"].to_numpy() == 2023].str.contains("World Bank").all()


def test_share_of_gdp_a_year_without_a_rate_spoils_only_its_own_rows():
    """One 2027 row (no annual BRL rate yet: no whole ECB year, and BRL is not a currency
    the WEO gives an implied rate for) used to make every BRL row of the frame NaN
    ("no annual average exchange rate ... USD -> BRL in 2023")."""
    f = pd.DataFrame({"donor": ["DEU"] * 4 + ["JPN"], "v": [1e9] * 5,
                      "currency": ["BRL"] * 4 + ["JPY"], "year": [2023, 2024, 2025, 2027, 2023]})
    alone = aidcalc.share_of_gdp(f.iloc[[0, 1, 2, 4]], value="v", year="year")
    mixed = aidcalc.share_of_gdp(f, value="v", year="year", errors="coerce")
    assert np.allclose(mixed["pct_of_gdp"].iloc[[0, 1, 2, 4]], alone["pct_of_gdp"])
    assert mixed["error"].notna().tolist() == [False, False, False, True, False]
    with pytest.raises(aidcalc.DataCoverageError, match=r"USD -> BRL in 2027\)") as info:
        aidcalc.share_of_gdp(f, value="v", year="year")
    assert "2023" not in str(info.value).split("for 1 row")[0]  # fmt: skip


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("1899-12-31", "outside the supported window"),
        ("2101-01-01", "outside the supported window"),
        ("2023-02-29", "unreadable"),
        (1899, "outside the supported window"),
        (2101, "outside the supported window"),
    ],
)
@pytest.mark.parametrize("fn", ["convert", "normalise", "share_of_gdp", "per_capita"])
def test_dates_outside_the_window_or_impossible_are_refused(fn, value, reason):
    f = pd.DataFrame({"donor": ["JPN"], "amount": [1e9], "currency": ["JPY"], "date": [value]})
    calls = {
        "convert": lambda: aidcalc.convert(f, "EUR", fx="year", errors="coerce"),
        "normalise": lambda: aidcalc.normalise(f, "EUR", 2022, fx="year", errors="coerce"),
        "share_of_gdp": lambda: aidcalc.share_of_gdp(f, value="amount", year="date",
                                                     errors="coerce"),
        "per_capita": lambda: aidcalc.per_capita(f, value="amount", year="date", errors="coerce"),
    }  # fmt: skip
    out = calls[fn]()
    assert out.iloc[:, 4].isna().all() or out.filter(regex="^amount_|pct|per_capita").isna().all(
        axis=None)
    assert reason in str(out["error"].iloc[0])


SAME_DAY = {
    "text": ["2024-02-29"],
    "tz Tokyo, late evening": pd.Series(pd.to_datetime(["2024-02-29 23:30"])
                                        .tz_localize("Asia/Tokyo")),
    "tz New York": pd.Series(pd.to_datetime(["2024-02-29 00:30"]).tz_localize("America/New_York")),
    "offset text": ["2024-02-29T23:30:00+09:00"],
    "Period[D]": pd.Series(pd.period_range("2024-02-29", periods=1, freq="D")),
    "datetime64[s]": pd.Series(np.array(["2024-02-29"], dtype="datetime64[s]")),
    "date object": pd.Series([pd.Timestamp("2024-02-29").date()], dtype=object),
    "Arrow string": pd.Series(["2024-02-29"], dtype="string[pyarrow]"),
}  # fmt: skip


@pytest.mark.parametrize("kind", list(SAME_DAY))
def test_a_leap_day_however_written_is_that_day(kind):
    f = pd.DataFrame({"amount": [1e9], "currency": ["JPY"]})
    given = SAME_DAY[kind]
    f["date"] = given if isinstance(given, list) else given.set_axis(f.index)
    assert isinstance(given, list) or f["date"].dtype == given.dtype  # tz and Period kept
    out = aidcalc.convert(f, "EUR")
    assert out["fx_date"].iloc[0] == pd.Timestamp("2024-02-29")
    real = aidcalc.normalise(f.assign(donor="JPN"), "EUR", 2024)
    assert real["deflator_source"].astype(str).iloc[0].startswith("OECD DAC deflator of JPN, 2024")


@pytest.mark.parametrize("fx", ["year", "dac"])
@pytest.mark.parametrize(
    "years",
    [[2022, 2024], pd.array([2022, 2024], dtype="Int64"), [2022.0, 2024.0], ["2022", "2024"],
     pd.period_range("2022", periods=2, freq="2Y")],
)  # fmt: skip
def test_year_columns_read_as_years(years, fx):
    f = pd.DataFrame({"donor": ["JPN", "DEU"], "amount": [1e9, 1e9], "currency": ["JPY", "EUR"]})
    full = aidcalc.normalise(f.assign(date=["2022-06-30", "2024-06-30"]), "USD", 2022, fx=fx)
    got = aidcalc.normalise(f.assign(date=np.asarray(years, dtype=object)
                                     if not isinstance(years, pd.PeriodIndex) else years),
                            "USD", 2022, fx=fx)  # fmt: skip
    assert np.allclose(got["amount_USD_2022"], full["amount_USD_2022"])


@pytest.mark.parametrize("fx", ["spot", "month"])
@pytest.mark.parametrize("prices", ["dac", None])
def test_a_year_column_where_a_day_is_needed_is_a_row_problem_like_any_other(fx, prices):
    """errors="coerce" gives NaN and a reason on the rows that need the day (it raised for the
    whole column, as errors="raise" does); rows already in `to` need no date at current prices
    (as in convert)."""
    f = pd.DataFrame({"donor": ["JPN", "DEU", "ITA"], "amount": [1e9, 2e8, 3e7],
                      "currency": ["JPY", "EUR", "EUR"],
                      "date": pd.array([2023, 2024, None], dtype="Int64")}, index=[7, 8, 9])
    out = aidcalc.normalise(f, "EUR", 2022, fx=fx, prices=prices, errors="coerce")
    col = "amount_EUR" if prices is None else "amount_EUR_2022"
    _check_rowwise(out, f, col, "coerce")
    assert out[col].isna().tolist() == ([True, False, False] if prices is None else [True] * 3)
    assert f"a year where fx={fx!r} needs a date" in out.loc[7, "error"]
    converted = aidcalc.convert(f, "EUR", fx=fx, errors="coerce")
    if prices is None:
        assert out[col].isna().tolist() == converted["amount_EUR"].isna().tolist()
    with pytest.raises(aidcalc.ValidationError, match=r"holds years \(\d rows? \(index 7"):
        aidcalc.normalise(f, "EUR", 2022, fx=fx, prices=prices)


# --- 3. mixed inputs in one frame ----------------------------------------------------------------
BASE = pd.DataFrame(
    {
        "donor": ["JPN", "DEU", "USA", "GBR"],
        "amount": [1e9, 2e8, 3e7, 4e6],
        "currency": ["JPY", "EUR", "USD", "GBP"],
        "date": ["2022-03-01", "2023-06-15", "2024-02-29", "2023-12-29"],
        "text": ["power grid", "demining", "shelter", "budget support"],
    }
)


def _variants() -> dict[str, pd.DataFrame]:
    f = BASE
    out = {
        "string index": f.set_axis(["z", "y", "x", "w"]),
        "duplicate labels": f.set_axis([5, 5, 3, 3]),
        "MultiIndex": f.set_axis(pd.MultiIndex.from_tuples([("a", 1), ("a", 0), ("b", 2),
                                                            ("b", 1)])),
        "DatetimeIndex": f.set_axis(pd.date_range("2020", periods=4)),
        "Float64": f.assign(amount=f["amount"].astype("Float64")),
        "Int64": f.assign(amount=f["amount"].astype("int64").astype("Int64")),
        "double[pyarrow]": f.assign(amount=f["amount"].astype("double[pyarrow]")),
        "float32": f.assign(amount=f["amount"].astype("float32")),
        "object numbers": f.assign(amount=pd.Series([1e9, "2e8", 30000000, 4e6], dtype=object)),
        "categorical, unused categories": f.assign(
            donor=pd.Categorical(f["donor"], categories=["ITA", *f["donor"], "XXX"]),
            currency=pd.Categorical(f["currency"], categories=["CHF", *f["currency"]]),
            text=pd.Categorical(f["text"], categories=["unused", *f["text"]]),
        ),
        "timestamp[pyarrow]": f.assign(date=pd.to_datetime(f["date"])
                                       .astype("timestamp[ns][pyarrow]")),
    }  # fmt: skip
    for dtype in ("string", "string[pyarrow]"):
        out[dtype] = f.astype({c: dtype for c in ("donor", "currency", "date", "text")})
    return out


ROWWISE: dict[str, tuple[Callable[[pd.DataFrame], pd.DataFrame], str]] = {
    "convert": (lambda f: aidcalc.convert(f, "EUR", errors="coerce"), "amount_EUR"),
    "normalise": (lambda f: aidcalc.normalise(f, "EUR", 2022, errors="coerce"), "amount_EUR_2022"),
    "normalise cpi dac": (
        lambda f: aidcalc.normalise(f, "USD", 2023, fx="dac", prices="cpi", errors="coerce"),
        "amount_USD_2023",
    ),
    "share_of_gdp": (
        lambda f: aidcalc.share_of_gdp(f, value="amount", year="date", errors="coerce"),
        "pct_of_gdp",
    ),
    "per_capita": (
        lambda f: aidcalc.per_capita(f, value="amount", year="date", errors="coerce"),
        "per_capita",
    ),
    "categorise": (lambda f: aidcalc.categorise(f, text="text"), "category"),
}  # fmt: skip


@pytest.mark.parametrize("variant", list(_variants()))
def test_mixed_inputs_give_the_plain_frame_numbers_with_index_and_order_kept(variant):
    frame = _variants()[variant]
    for name, (call, column) in ROWWISE.items():
        want, got = call(BASE), call(frame)
        assert got.index.equals(frame.index), name
        if column == "category":
            assert got[column].tolist() == want[column].tolist(), name
        else:
            assert np.allclose(_money(got, column), _money(want, column), rtol=1e-6), name


def test_missing_values_of_every_kind_stay_missing_on_their_own_row():
    f = BASE.assign(amount=pd.Series([1e9, None, pd.NA, np.nan], dtype=object)).set_axis(
        ["d", "c", "b", "a"]
    )
    for name, (call, column) in ROWWISE.items():
        if column == "category":
            continue
        values = _money(call(f), column)
        assert not np.isnan(values[0]) and np.isnan(values[1:]).all(), name
