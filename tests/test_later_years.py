"""share_of_gdp in a year with no annual average rate yet (2026: the ECB's daily rates do not
cover the whole year, the OECD's DAC rates stop earlier): the GDP of such a year is the IMF
WEO's projection in USD, and the rate that takes it to the value's currency is the WEO's own
(NGDP / NGDPD), flagged; so a value in the donor's own currency is measured against the WEO's
GDP in that currency exactly. It raised DataCoverageError for every EUR or JPY row."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import aidcalc

WEO = Path(__file__).resolve().parents[1] / "datasets" / "weo.csv"


def _ngdp(iso3: str, year: int) -> float:
    weo = pd.read_csv(WEO)
    pick = weo[(weo["iso3"] == iso3) & (weo["indicator"] == "NGDP") & (weo["year"] == year)]
    return float(pick["value"].iloc[0]) * 1e9  # national currency, billions


@pytest.mark.parametrize("year", [2026, 2027])
@pytest.mark.parametrize(("donor", "currency"), [("DEU", "EUR"), ("JPN", "JPY"), ("GBR", "GBP")])
def test_own_currency_against_the_weo_gdp_in_that_currency(
    year: int, donor: str, currency: str
) -> None:
    frame = pd.DataFrame(
        {"donor": [donor], "amount": [1e9], "currency": [currency], "date": [f"{year}-03-02"]}
    )
    got = aidcalc.share_of_gdp(frame, value="amount", year="date")
    assert got["pct_of_gdp"].iloc[0] == pytest.approx(1e9 / _ngdp(donor, year) * 100, rel=1e-12)
    source = got["gdp_source"].iloc[0]
    assert "rate implied by NGDP/NGDPD" in source and "projection" in source


def test_a_year_with_a_whole_year_of_rates_keeps_them() -> None:
    frame = pd.DataFrame(
        {"donor": ["DEU"], "amount": [1e9], "currency": ["EUR"], "date": ["2025-03-02"]}
    )
    source = aidcalc.share_of_gdp(frame, value="amount", year="date")["gdp_source"].iloc[0]
    assert "calendar-year mean of daily rates 2025" in source
    assert "implied" not in source


def test_a_currency_without_a_weo_rate_still_raises() -> None:
    frame = pd.DataFrame(
        {"donor": ["DEU"], "amount": [1e9], "currency": ["UAH"], "date": ["2026-03-02"]}
    )
    with pytest.raises(aidcalc.DataCoverageError, match="UAH"):
        aidcalc.share_of_gdp(frame, value="amount", year="date")


def test_normalise_dac_method_in_a_projection_year_takes_the_weo_rate() -> None:
    """fx="dac" (the DAC's annual rates) for a 2026 row: the DAC table stops at 2023 and the
    ECB's 2026 is not a whole year; with extend="weo" (the default, as for the deflators)
    the WEO's implied rate, flagged; extend=None and extend="last" still refuse."""
    from aidcalc._real._weo import implied_rate

    frame = pd.DataFrame(
        {"donor": ["JPN", "USA"], "amount": [1e11, 1e9], "currency": ["JPY", "USD"],
         "date": ["2026-03-02", "2026-03-02"]}
    )  # fmt: skip
    got = aidcalc.normalise(frame, "USD", 2026, fx="dac")
    rate, text = implied_rate("JPY", 2026)
    assert got["fx_rate"].iloc[0] == pytest.approx(1 / rate, rel=1e-12)
    assert got["fx_source"].iloc[0] == text
    assert got["fx_rate"].iloc[1] == 1.0
    for extend in (None, "last"):
        with pytest.raises(aidcalc.DataCoverageError, match="JPY', 2026"):
            aidcalc.normalise(frame, "USD", 2026, fx="dac", extend=extend)
