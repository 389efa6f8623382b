"""Currencies the euro replaced convert at their irrevocably fixed rate from adoption on.

The rule lives where a currency's rates are found (``RateTable._lookup_view``), so every
lookup follows it: convert, lookup_rates, convert_amount, RateTable.rate, month and year
means, normalise, share_of_gdp, fx_context.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import aidcalc
from aidcalc import RateNotFoundError, convert, get_rates, read_rates
from aidcalc._base._provenance import rate_facts
from aidcalc._money._convert import convert_amount, lookup_rates

#: the Council's figures (Regulation (EC) No 2866/98 as amended), written out independently
#: of the dataset so a wrong row there fails here
COUNCIL = {
    "DEM": (1.95583, "1999-01-01"), "FRF": (6.55957, "1999-01-01"),
    "ITL": (1936.27, "1999-01-01"), "ESP": (166.386, "1999-01-01"),
    "NLG": (2.20371, "1999-01-01"), "BEF": (40.3399, "1999-01-01"),
    "LUF": (40.3399, "1999-01-01"), "ATS": (13.7603, "1999-01-01"),
    "PTE": (200.482, "1999-01-01"), "FIM": (5.94573, "1999-01-01"),
    "IEP": (0.787564, "1999-01-01"), "GRD": (340.750, "2001-01-01"),
    "SIT": (239.640, "2007-01-01"), "CYP": (0.585274, "2008-01-01"),
    "MTL": (0.429300, "2008-01-01"), "SKK": (30.1260, "2009-01-01"),
    "EEK": (15.6466, "2011-01-01"), "LVL": (0.702804, "2014-01-01"),
    "LTL": (3.45280, "2015-01-01"), "HRK": (7.53450, "2023-01-01"),
    "BGN": (1.95583, "2026-01-01"),
}  # fmt: skip
ECB_END = get_rates().end  # the embedded table's last fixing day
USD_20260302 = float(get_rates().rate("USD", "2026-03-02"))


def one(currency: str, date: str, amount: float = 100.0) -> pd.DataFrame:
    return pd.DataFrame(
        {"amount": [amount], "currency": [currency], "date": [pd.Timestamp(date)]}
    )


# --- the dataset -------------------------------------------------------------------------------
def test_dataset_holds_the_councils_rates_and_dates_with_sources():
    data = aidcalc.load_dataset("euro_conversion_rates").set_index("currency")
    assert sorted(data.index) == sorted(COUNCIL)
    for code, (rate, adopted) in COUNCIL.items():
        row = data.loc[code]
        assert float(row["rate_per_eur"]) == rate and row["adopted"] == adopted, code
        for col in ("act", "act_date", "publisher", "title", "url", "vintage", "checked_against"):
            assert str(row[col]).strip(), (code, col)
        assert row["url"].startswith("https://eur-lex.europa.eu/")
    assert data.loc["MTL", "rate_per_eur"] == "0.429300"  # the digits as the act writes them


# --- rule 2: on or after adoption, the fixed rate, then the ECB's euro rate of the date ---------
@pytest.mark.parametrize("code", sorted(COUNCIL))
def test_every_legacy_currency_converts_to_eur_at_its_fixed_rate(code):
    rate, adopted = COUNCIL[code]
    dates = [adopted, "2026-03-02", "2031-07-15"]  # adoption day, a later day, beyond the data
    data = pd.DataFrame({"amount": [1000.0] * 3, "currency": [code] * 3, "date": dates})
    got = convert(data, "EUR")
    assert got["amount_EUR"].tolist() == pytest.approx([1000.0 / rate] * 3, rel=1e-15)
    assert got["fx_date"].dt.strftime("%Y-%m-%d").tolist() == dates  # the rate of that day
    # back from a frame of its own (the first result's provenance describes amount_EUR)
    back = convert(data.assign(currency="EUR", amount=got["amount_EUR"]), code)
    assert back[f"amount_{code}"].tolist() == pytest.approx([1000.0] * 3, rel=1e-14)


def test_bgn_in_2026_converts_through_the_euro_at_the_ecb_rate_of_the_day():
    """The case that raised 'date after the last BGN/EUR fixing ... update the rates'."""
    got = convert(one("BGN", "2026-03-02"), "EUR")
    assert got["amount_EUR"].iloc[0] == pytest.approx(100 / 1.95583, rel=1e-15)
    usd = convert(one("BGN", "2026-03-02"), "USD")
    assert usd["amount_USD"].iloc[0] == pytest.approx(100 / 1.95583 * USD_20260302, rel=1e-14)
    assert str(usd["fx_date"].iloc[0].date()) == "2026-03-02"
    # the reverse direction
    to_bgn = convert(one("USD", "2026-03-02"), "BGN")
    assert to_bgn["fx_rate"].iloc[0] == pytest.approx(1.95583 / USD_20260302, rel=1e-14)
    eur_bgn = convert(one("EUR", "2026-03-02"), "BGN")
    assert eur_bgn["amount_BGN"].iloc[0] == pytest.approx(195.583, rel=1e-15)


def test_a_legacy_spot_leg_never_falls_back_on_a_quote_before_adoption():
    """HRK on Sunday 2023-01-01: the fixed 7.53450, not the ECB's last quote (7.5365 on
    Friday 2022-12-30); the USD leg is Friday's fixing."""
    got = lookup_rates(["HRK"], "USD", ["2023-01-01"])
    usd_1230 = float(get_rates().rate("USD", "2022-12-30"))
    assert got["fx_rate"].iloc[0] == pytest.approx(usd_1230 / 7.53450, rel=1e-15)
    assert str(got["fx_date"].iloc[0].date()) == "2022-12-30"


def test_legacy_to_legacy_is_the_ratio_of_the_fixed_rates():
    got = convert(one("DEM", "2001-05-02"), "FRF")
    assert got["amount_FRF"].iloc[0] == pytest.approx(100 * 6.55957 / 1.95583, rel=1e-15)
    # LTL (still quoted by the ECB in 2010) to DEM (fixed): the ECB quote and the fixed leg
    ltl = convert(one("LTL", "2010-05-05"), "DEM")
    ltl_rate = float(get_rates().rate("LTL", "2010-05-05"))
    assert ltl["fx_rate"].iloc[0] == pytest.approx(1.95583 / ltl_rate, rel=1e-15)


def test_convert_amount_and_rate_table_follow_the_rule():
    bgn = convert_amount("BGN 100", "EUR", on="2026-03-02")
    assert float(bgn.value) == pytest.approx(100 / 1.95583, rel=1e-12)
    assert "irrevocably fixed euro conversion rate 1.95583 BGN per EUR" in bgn.fx_source
    table = get_rates()
    assert table.rate("BGN", "2026-03-02") == 1.95583
    assert table.rate("BGN", "2040-01-01") == 1.95583  # per EUR: the same whatever the date
    assert table.rate("HRK", "2022-12-30") == 7.5365  # the ECB's quote before adoption
    assert np.isnan(table.rate("DEM", "1998-06-01"))  # no rate before adoption


def test_month_and_year_means_use_the_rate_that_applied_each_day():
    ecb = get_rates().to_frame()
    usd = ecb.loc["2023-01-01":"2023-12-31", "USD"].dropna()
    year = lookup_rates(["HRK"], "USD", [2023], fx="year")
    assert year["fx_rate"].iloc[0] == pytest.approx((usd / 7.53450).mean(), rel=1e-13)
    feb = ecb.loc["2026-02-01":"2026-02-28", "USD"].dropna()
    month = lookup_rates(["BGN"], "USD", ["2026-02"], fx="month")
    assert month["fx_rate"].iloc[0] == pytest.approx((feb / 1.95583).mean(), rel=1e-13)
    # to EUR: the fixed factor itself, dated the period's first day
    to_eur = lookup_rates(["HRK", "BGN"], "EUR", [2024, 2026], fx="year")
    assert to_eur["fx_rate"].tolist() == pytest.approx([1 / 7.53450, 1 / 1.95583], rel=1e-15)
    assert to_eur["fx_date"].dt.strftime("%Y-%m-%d").tolist() == ["2024-01-01", "2026-01-01"]
    # a year the ECB table does not cover to its end is still refused, as for every currency
    assert "year not fully covered" in lookup_rates(["BGN"], "USD", [2026], fx="year")[
        "error"
    ].iloc[0]


def test_a_period_straddling_adoption_averages_each_days_rate_and_says_both(monkeypatch):
    """No real adoption falls inside a month (all are 1 January), so a made-up one on
    2024-06-15 for HRK: June's mean is over the ECB quotes before and the fixed rate after,
    and fx_source names both, never one of them alone."""
    from aidcalc._money import _euro, _rates

    days = pd.date_range("2024-06-01", "2024-06-30", freq="D")
    hrk = np.where(days < "2024-06-15", 7.50, np.nan)
    usd = np.linspace(1.05, 1.10, len(days))
    table = aidcalc.RateTable(days, ["USD", "HRK"], np.c_[usd, hrk], base="EUR", source="test")
    made_up = _euro.FixedRate("HRK", 7.60, int(np.datetime64("2024-06-15", "D").view("int64")),
                              "a made-up act", "7.60")  # fmt: skip
    monkeypatch.setattr(_rates, "fixed_rates", lambda: {"HRK": made_up})
    got = lookup_rates(["HRK"], "USD", ["2024-06"], fx="month", rates=table)
    per_day = usd / np.where(days < "2024-06-15", 7.50, 7.60)
    assert got["fx_rate"].iloc[0] == pytest.approx(per_day.mean(), rel=1e-14)
    src = got["fx_source"].iloc[0]
    assert "test until 2024-06-14, then the irrevocably fixed euro conversion rate 7.60" in src
    # a spot date after it: the fixed rate, named as such
    spot = lookup_rates(["HRK", "HRK"], "USD", ["2024-06-20", "2024-06-10"], rates=table)
    assert spot["fx_rate"].tolist() == pytest.approx([usd[19] / 7.60, usd[9] / 7.50])
    assert spot["fx_source"].iloc[0].startswith("irrevocably fixed euro conversion rate 7.60")
    assert spot["fx_source"].iloc[1] == "test"


# --- provenance -------------------------------------------------------------------------------
def test_fx_source_names_the_fixed_rate_and_the_act_distinct_from_an_ecb_fixing():
    got = convert(
        pd.DataFrame({"amount": [1.0] * 4, "currency": ["BGN", "BGN", "HRK", "DEM"],
                      "date": ["2025-12-30", "2026-03-02", "2023-02-01", "1999-06-01"]}),
        "USD",
    )  # fmt: skip
    src = got["fx_source"].astype(str).tolist()
    assert src[0].startswith("ECB euro reference rates") and "irrevocably" not in src[0]
    assert src[1].startswith(
        "irrevocably fixed euro conversion rate 1.95583 BGN per EUR from 2026-01-01 "
        "(Regulation (EC) No 2866/98, as amended on 8 July 2025 for Bulgaria); ECB euro"
    )
    assert "7.53450 HRK per EUR from 2023-01-01 (Council Regulation (EU) 2022/1208)" in src[2]
    assert "1.95583 DEM per EUR from 1999-01-01 (Council Regulation (EC) No 2866/98)" in src[3]
    assert rate_facts(src[1]).policy == "spot"
    eur = convert(one("BGN", "2026-03-02"), "EUR")["fx_source"].iloc[0]
    assert "ECB" not in eur and eur.startswith("irrevocably fixed euro conversion rate")
    month = lookup_rates(["BGN"], "USD", ["2026-02"], fx="month")["fx_source"].iloc[0]
    assert month.startswith("monthly average of daily rates, irrevocably fixed")
    assert rate_facts(month).policy == "month"


# --- before adoption and other currencies: unchanged ---------------------------------------------
def test_before_adoption_the_ecb_quotes_and_before_1999_a_clear_refusal():
    hrk = lookup_rates(["HRK"], "EUR", ["2022-12-30"])
    assert hrk["fx_rate"].iloc[0] == pytest.approx(1 / 7.5365, rel=1e-15)
    with pytest.raises(RateNotFoundError) as err:
        convert(one("DEM", "1998-06-01"), "EUR")
    msg = str(err.value)
    assert "DEM -> EUR: date before the first DEM/EUR fixing" in msg
    assert "irrevocably fixed euro conversion rate 1.95583 DEM per EUR from 1999-01-01" in msg


def test_a_currency_the_euro_did_not_replace_keeps_the_update_advice():
    with pytest.raises(RateNotFoundError, match=r"after the last RUB/EUR fixing.*aidcalc update"):
        convert(one("RUB", "2022-03-09"), "EUR")
    # and a legacy currency after the end of the USD data: the USD leg is what is missing
    late = lookup_rates(["BGN"], "USD", [ECB_END + dt.timedelta(days=30)])
    assert "after the last BGN/USD fixing" in late["error"].iloc[0]


# --- rates= -------------------------------------------------------------------------------------
def eur_table(currency: str, rate: float, usd: float, source: str) -> aidcalc.RateTable:
    """A user's one-day EUR-based table of ``currency`` and USD on 2026-03-02."""
    return read_rates(
        pd.DataFrame({"date": ["2026-03-02"] * 2, "currency": [currency, "USD"],
                      "rate": [rate, usd]}),
        base="EUR", source=source,
    )  # fmt: skip


def test_a_users_table_wins_where_it_quotes_the_currency():
    own = eur_table("BGN", 1.9, 1.2, "my BGN quotes")
    got = convert(one("BGN", "2026-03-02"), "EUR", rates=own)
    assert got["fx_rate"].iloc[0] == pytest.approx(1 / 1.9)
    assert got["fx_source"].iloc[0].startswith(
        "my BGN quotes; on days it does not quote BGN, the irrevocably fixed"
    )
    assert convert(one("BGN", "2026-03-02"), "USD", rates=own)["fx_rate"].iloc[0] == (
        pytest.approx(1.2 / 1.9)
    )
    # a table without the currency gets the fixed rate, through its own EUR rates
    other = eur_table("EUR", 1.0, 1.25, "my USD quotes")
    via = convert(one("BGN", "2026-03-02"), "USD", rates=other)
    assert via["fx_rate"].iloc[0] == pytest.approx(1.25 / 1.95583, rel=1e-15)


# --- everything that converts -------------------------------------------------------------------
def test_normalise_share_of_gdp_and_fx_context_convert_legacy_amounts():
    rows = pd.DataFrame({"amount": [1e9], "currency": ["HRK"], "date": ["2023-05-05"],
                         "donor": ["HRV"]})  # fmt: skip
    done = aidcalc.normalise(rows, to="EUR", prices="current")
    assert done.filter(like="amount_EUR").iloc[0, 0] == pytest.approx(1e9 / 7.53450, rel=1e-12)
    share = aidcalc.share_of_gdp(
        pd.DataFrame({"donor": ["HRV"], "value": [1e9], "currency": ["HRK"], "year": [2023]}),
        value="value", year="year",
    )  # fmt: skip
    assert np.isfinite(share["pct_of_gdp"].iloc[0])
    assert "irrevocably fixed euro conversion rate 7.53450 HRK" in share["gdp_source"].iloc[0]
    with aidcalc.fx_context("2026-03-02") as ureg:
        assert ureg.Quantity(100, "BGN").to("EUR").magnitude == pytest.approx(100 / 1.95583)


# --- the property -------------------------------------------------------------------------------
@settings(max_examples=60, deadline=None)
@given(
    code=st.sampled_from(sorted(COUNCIL)),
    offset=st.integers(min_value=0, max_value=12_000),
    amount=st.floats(min_value=1e-3, max_value=1e12, allow_nan=False),
)
def test_legacy_round_trips_and_crosses_at_the_ecb_euro_rate_of_the_day(code, offset, amount):
    rate, adopted = COUNCIL[code]
    day = dt.date.fromisoformat(adopted) + dt.timedelta(days=offset)
    data = one(code, day.isoformat(), amount)
    in_eur = convert(data, "EUR")
    assert in_eur["amount_EUR"].iloc[0] == pytest.approx(amount / rate, rel=1e-15)
    back = convert(
        in_eur[["date"]].assign(currency="EUR", amount=in_eur["amount_EUR"]), code
    )
    assert back[f"amount_{code}"].iloc[0] == pytest.approx(amount, rel=1e-14)
    usd = convert(data, "USD", errors="coerce")
    eur_usd = lookup_rates(["EUR"], "USD", [day])
    if np.isnan(eur_usd["fx_rate"].iloc[0]):  # no EUR/USD rate that day: none for code either
        assert np.isnan(usd["amount_USD"].iloc[0])
    else:
        assert usd["amount_USD"].iloc[0] == pytest.approx(
            amount / rate * eur_usd["fx_rate"].iloc[0], rel=1e-14
        )
        assert usd["fx_date"].iloc[0] == eur_usd["fx_date"].iloc[0]
