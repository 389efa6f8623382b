"""Issue 9 rule 1: every row's provenance states exactly the rate, date, source and method used.

A matrix over prices ("dac", "cpi", None, a user deflator table) x fx ("spot", "month",
"year", "dac") x base year (inside and after the deflator coverage) x extend: each row's
``fx_rate`` is compared with an independent lookup (the embedded OECD DAC exchange-rate table
read here, or the ECB table through ``lookup_rates``), and its ``fx_source``/``fx_date``/
``price_base`` must name that rate, never an "identity" between different currencies and never
another currency than the one the row is in.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

import aidcalc
from aidcalc._money._convert import lookup_rates

ROWS = pd.DataFrame(
    {
        "donor": ["USA", "JPN", "DEU", "GBR"],
        "amount": [1e6, 1.5e8, 2e6, 3e6],
        "currency": ["USD", "JPY", "EUR", "GBP"],
        "date": ["2022-06-30", "2022-03-15", "2022-09-01", "2022-11-30"],
    },
    index=["us", "jp", "de", "gb"],
)
DAC_ROW = {"USD": "USA", "JPY": "JPN", "EUR": "EUI", "GBP": "GBR"}


def _dac_table() -> dict[tuple[str, int], float]:
    t = aidcalc.load_dataset("dac_exchange_rates")
    return {(r.iso3, int(r.year)): float(r.value) for r in t.itertuples()}


DAC = _dac_table()


def per_usd(cur: str, year: int, fx: str) -> float:
    """Units of ``cur`` per USD in ``year`` from the source ``fx`` uses (independent of
    aidcalc._real._macro): the OECD DAC table for fx="dac" where it has the year, else the ECB
    calendar-year mean."""
    if cur == "USD":
        return 1.0
    if fx == "dac" and (DAC_ROW[cur], year) in DAC:
        return DAC[(DAC_ROW[cur], year)]
    got = lookup_rates(["USD"], cur, [year], fx="year")
    return float(got["fx_rate"].iloc[0])


def base_rate(to: str, year: int, fx: str, extend: str | None) -> tuple[float, int]:
    """R(B) and the year it is of (extend='last': the latest earlier year with a rate)."""
    for y in range(year, year - 10, -1):
        r = per_usd(to, y, fx)
        if math.isfinite(r):
            return r, y
        if extend != "last":
            break
    return float("nan"), year


def leg(cur: str, to: str, date: str, fx: str) -> float:
    """``to`` per ``cur`` at the row's date (spot/month/year) or year (dac)."""
    if cur == to:
        return 1.0
    if fx == "dac":
        year = int(date[:4])
        return per_usd(to, year, "dac") / per_usd(cur, year, "dac")
    got = lookup_rates([cur], to, [date], fx=fx)
    return float(got["fx_rate"].iloc[0])


def user_deflators() -> pd.DataFrame:
    t = aidcalc.load_dataset("dac_deflators")
    return t[["iso3", "year", "value"]].assign(vintage="user vintage 2099-01")


@pytest.mark.parametrize("extend", [None, "last"])
@pytest.mark.parametrize("base", [2022, 2026])
@pytest.mark.parametrize("fx", ["spot", "month", "year", "dac"])
@pytest.mark.parametrize("prices", ["dac", "cpi", None, "none", "user"])
def test_every_row_states_the_rate_it_took(prices, fx, base, extend):
    to = "EUR"
    kw = {"deflators": user_deflators()} if prices == "user" else {}
    method = {"user": "dac", "none": None}.get(str(prices), prices)  # "none": as the CLI says
    r = aidcalc.normalise(
        ROWS, to, base, fx=fx, prices=prices if prices != "user" else "dac", extend=extend,
        errors="coerce", **kw,
    )  # fmt: skip
    assert r.index.equals(ROWS.index)
    out = f"amount_{to}_{base}" if method else f"amount_{to}"
    ok = r[out].notna()
    if base == 2022 or extend == "last" or method is None:
        assert ok.all(), r.loc[~ok, "error"].tolist()
    else:  # 2026 is beyond the deflators without extend: every row says why, none is dropped
        assert (~ok).all() and r["error"].notna().all()
        return
    # price_base: one text, naming the currency the rows are in
    (price_base,) = r["price_base"].astype(str).unique()
    head = f"constant {base} {to} (" if method else f"current {to}"
    assert price_base.startswith(head), price_base
    assert "USD" not in price_base.split("(")[0]
    if prices == "user":
        assert "user vintage 2099-01" in price_base
    r_base, rate_year = base_rate(to, base, fx, extend)
    for label, row in r.iterrows():
        cur = row["currency"]
        src = str(row["fx_source"])
        if cur == to:
            assert row["fx_rate"] == 1.0 and src.startswith("identity"), (label, src)
            continue
        assert not src.lower().startswith("identity"), (label, src)
        if method == "dac":
            first = 1.0 if cur == "USD" else leg(cur, "USD", row["date"], fx)
            expected = first * r_base
            assert row["base_fx_rate"] == pytest.approx(r_base, rel=1e-12)
            bsrc = str(row["base_fx_source"])
            assert str(rate_year) in bsrc, bsrc
            if rate_year != base:
                assert "carried forward" in bsrc and "extend='last'" in bsrc
            if cur == "USD":  # one leg: the base year's rate, its year and its source
                assert src == bsrc
                assert str(row["fx_date"])[:10] == f"{rate_year}-01-01"
        else:
            expected = leg(cur, to, row["date"], fx)
        assert row["fx_rate"] == pytest.approx(expected, rel=1e-12), (label, src)
        publisher = "OECD DAC" if fx == "dac" else "ECB"
        if method == "dac" and cur == "USD" and fx == "dac" and rate_year > 2023:
            publisher = "ECB"  # the DAC table ends in 2023: the row says the ECB was used
        assert publisher in src, (label, src)
        assert row[out] == pytest.approx(row["amount"] * row["fx_rate"] / row["deflator"],
                                         rel=1e-12)


def test_issue_example_eur_row_to_constant_2026_eur_says_eur():
    e = ROWS.loc[["de"]]
    r = aidcalc.normalise(e, "EUR", 2026, extend="last")
    assert r["price_base"].item().startswith("constant 2026 EUR (OECD DAC deflators")
    for fx in ("spot", "dac"):
        r = aidcalc.normalise(ROWS, "EUR", 2026, extend="last", fx=fx)
        assert r["price_base"].astype(str).str.startswith("constant 2026 EUR").all()
        assert r["fx_to"].astype(str).eq("EUR").all()


def test_issue_example_usd_pledge_to_eur_with_dac_rates_is_no_identity():
    u = ROWS.loc[["us"]]
    r = aidcalc.normalise(u, "EUR", 2022, fx="dac", prices="dac")
    assert r["fx_rate"].item() == DAC[("EUI", 2022)] == 0.9509
    assert r["fx_source"].item().startswith("OECD DAC annual average 2022")
    assert str(r["fx_date"].item())[:10] == "2022-01-01"
    # current prices: the DAC rate of the row's year
    r = aidcalc.normalise(u, "EUR", 2022, fx="dac", prices=None)
    assert r["fx_rate"].item() == pytest.approx(0.9509, rel=1e-12)
    assert "OECD DAC annual average 2022" in r["fx_source"].item()


@pytest.mark.parametrize("year", [2024, 2025])
def test_dac_fx_for_years_the_dac_table_lacks_names_the_ecb(year):
    # the DAC table ends in 2023: 2024-25 take the ECB calendar-year mean, and each row says so
    u = ROWS.loc[["us"]].assign(date=f"{year}-06-30")
    r = aidcalc.normalise(u, "EUR", year, fx="dac", prices=None)
    src = r["fx_source"].item()
    assert "ECB" in src and str(year) in src and "OECD DAC" not in src
    ecb = lookup_rates(["USD"], "EUR", [year], fx="year")["fx_rate"].iloc[0]
    assert r["fx_rate"].item() == pytest.approx(ecb, rel=1e-12)


@pytest.mark.parametrize(
    ("date", "extend"),
    [
        ("2026-06-30", None),  # ECB 2026 is not a full year; the WEO's rate not allowed
        ("2032-06-30", "weo"),  # and after the WEO's last projection year
    ],
)
def test_a_year_without_any_rate_is_an_error_not_a_footnote(date, extend):
    u = ROWS.loc[["us"]].assign(date=date)
    r = aidcalc.normalise(u, "EUR", 2022, fx="dac", prices=None, errors="coerce", extend=extend)
    assert np.isnan(r["amount_EUR"].item()) and r["error"].notna().item()
    with pytest.raises(aidcalc.DataCoverageError, match=date[:4]):
        aidcalc.normalise(u, "EUR", 2022, fx="dac", prices=None, extend=extend)
