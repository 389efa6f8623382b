"""normalise: constant prices with the OECD DAC method and with CPIs, every factor visible.

Expected values are computed here by hand from the published tables (DAC deflators 2022=100
and DAC exchange rates, DAC1 as cached 2025-02-20, the embedded default; World Bank CPI and
inflation),
not from the code under test.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import aidcalc
from aidcalc._real._prices import normalise

# published figures (embedded default vintage: OECD DAC1 as cached 2025-02-20)
DEFL = {
    ("JPN", 2015): 106.496506, ("JPN", 2023): 96.820782, ("JPN", 2022): 100.0,
    ("DAC", 2016): 90.26366, ("DEU", 2019): 96.350939, ("USA", 2023): 103.763436,
    ("EUI", 2021): 107.499248,
}
JPN_2015_IN_2022 = 1e6 * DEFL[("JPN", 2022)] / DEFL[("JPN", 2015)]
DAC_XR = {("EUR", 2019): 0.8933, ("EUR", 2022): 0.9509, ("JPY", 2015): 121.0023}
CPI_USA = {2015: 108.6957, 2021: 124.2664}
INFL_USA_2022 = 8.0028
INFL_EMU = {2016: 0.1660, 2017: 1.3750, 2018: 1.6892, 2019: 1.4412, 2020: 0.1869,
            2021: 2.4865, 2022: 8.4712}


def frame(**cols):
    base = {"donor": ["JPN"], "amount": [1e6], "currency": ["USD"], "date": ["2015-06-30"]}
    base.update(cols)
    return pd.DataFrame(base)


def test_japan_2015_in_constant_2022_usd():
    r = aidcalc.normalise(frame(), "USD", 2022)
    assert r["amount_USD_2022"].item() == pytest.approx(938_998, abs=1)
    assert r["amount_USD_2022"].item() == pytest.approx(JPN_2015_IN_2022, rel=1e-12)
    assert r["deflator"].item() == pytest.approx(
        DEFL[("JPN", 2015)] / DEFL[("JPN", 2022)], rel=1e-12
    )
    assert r["fx_rate"].item() == 1.0
    assert "JPN" in r["deflator_source"].item()
    assert r["price_base"].item() == (
        "constant 2022 USD (OECD DAC deflators, DAC1 as cached 2025-02-20)"
    )


def test_2015_in_constant_2023_usd_uses_the_2023_to_2015_ratio():
    r = normalise(frame(), "USD", 2023)
    expected = 1e6 * DEFL[("JPN", 2023)] / DEFL[("JPN", 2015)]
    assert r["amount_USD_2023"].item() == pytest.approx(expected, rel=1e-12)


def test_donor_names_and_dac_total_fallback():
    r = normalise(frame(donor=["Japan"]), "USD", 2022)
    assert r["amount_USD_2022"].item() == pytest.approx(JPN_2015_IN_2022, rel=1e-12)
    # a provider without its own DAC deflator (Brazil) uses the DAC total, and says so
    r = normalise(frame(donor=["Brazil"], date=["2016-03-01"]), "USD", 2022)
    assert r["amount_USD_2022"].item() == pytest.approx(1e6 * 100 / DEFL[("DAC", 2016)])
    assert "DAC countries total (DAC; BRA has none)" in r["deflator_source"].item()
    # every DAC member has its own (issue 11): Poland is no longer deflated with the DAC total
    r = normalise(frame(donor=["Poland"], date=["2016-03-01"]), "USD", 2022)
    assert r["deflator_source"].item().startswith("OECD DAC deflator of POL, 2016")
    r = normalise(frame(donor=[None], date=["2016-03-01"]), "USD", 2022)
    assert "no donor given" in r["deflator_source"].item()
    r = normalise(frame(date=["2016-03-01"]), "USD", 2022, donor=None)
    assert r["amount_USD_2022"].item() == pytest.approx(1e6 * 100 / DEFL[("DAC", 2016)])


def test_eu_institutions_have_their_own_deflator():
    r = normalise(frame(donor=["EU (Commission and Council)"], date=["2021-05-01"]), "USD", 2022)
    assert r["amount_USD_2022"].item() == pytest.approx(1e6 * 100 / DEFL[("EUI", 2021)])


def test_dac_method_in_euro_with_dac_annual_rates():
    # a JPY amount: JPY -> USD at the DAC 2015 rate, deflate to 2022 USD, USD -> EUR at the
    # DAC 2022 rate (the OECD arithmetic, fx="dac")
    f = frame(donor=["JPN"], currency=["JPY"], date=[2015])
    r = normalise(f, "EUR", 2022, fx="dac")
    expected = 1e6 / DAC_XR[("JPY", 2015)] / (DEFL[("JPN", 2015)] / 100) * DAC_XR[("EUR", 2022)]
    assert r["amount_EUR_2022"].item() == pytest.approx(expected, rel=1e-12)
    assert r["base_fx_rate"].item() == DAC_XR[("EUR", 2022)]
    # fx_rate is EUR per JPY: both legs (JPY -> USD in 2015, USD -> EUR in the base year)
    assert r["fx_rate"].item() == pytest.approx(
        DAC_XR[("EUR", 2022)] / DAC_XR[("JPY", 2015)], rel=1e-15
    )
    assert "OECD DAC annual average 2015" in r["fx_source"].item()
    assert r["base_fx_source"].item().startswith("OECD DAC annual average 2022")
    assert r["price_base"].item().startswith("constant 2022 EUR (OECD DAC deflators")
    row = r.iloc[0]
    assert row["amount_EUR_2022"] == pytest.approx(
        row["amount"] * row["fx_rate"] / row["deflator"], rel=1e-14
    )


def test_dac_method_for_amounts_already_in_the_target_currency():
    # A6: a EUR amount to EUR is deflated by the DAC deflator in EUR terms (no USD detour);
    # with fx="dac" that is the same number as the OECD's EUR -> USD -> EUR arithmetic
    f = frame(donor=["DEU"], currency=["EUR"], date=[2019])
    r = normalise(f, "EUR", 2022, fx="dac")
    expected = 1e6 / DAC_XR[("EUR", 2019)] / (DEFL[("DEU", 2019)] / 100) * DAC_XR[("EUR", 2022)]
    assert r["amount_EUR_2022"].item() == pytest.approx(expected, rel=1e-12)
    assert r["deflator"].item() == pytest.approx(
        DEFL[("DEU", 2019)] * DAC_XR[("EUR", 2019)] / (100 * DAC_XR[("EUR", 2022)]), rel=1e-12
    )
    assert r["fx_rate"].item() == 1.0 and r["base_fx_rate"].item() == 1.0
    assert "no USD detour" in r["fx_source"].item()
    assert "DEU in EUR terms" in r["deflator_source"].item()
    row = r.iloc[0]
    assert row["amount_EUR_2022"] == row["amount"] * row["fx_rate"] / row["deflator"] * row[
        "base_fx_rate"
    ]


@pytest.mark.parametrize(("cur", "donor"), [("EUR", "DEU"), ("JPY", "JPN"), ("GBP", "USA")])
def test_defaults_keep_an_own_currency_base_year_amount_exactly(cur, donor):
    # QA A6: EUR 1e6 in 2022 to constant 2022 EUR with the defaults (fx="spot") is 1e6
    f = pd.DataFrame({"amount": [1e6], "currency": [cur], "date": ["2022-06-30"],
                      "donor": [donor]})
    r = aidcalc.normalise(f, cur, 2022)
    assert r[f"amount_{cur}_2022"].item() == 1e6
    assert r["deflator"].item() == 1.0


def test_spot_rows_in_other_currencies_go_back_at_the_ecb_annual_mean():
    # fx="spot": step 3 uses the calendar-year mean of the same (ECB) table; ECB's published
    # 2022 annual average is 1.0530 USD per EUR, so about 1/1.0530 EUR per USD
    f = frame(donor=["USA"], currency=["USD"], date=["2022-03-01"])
    r = normalise(f, "EUR", 2022)
    assert r["base_fx_rate"].item() == pytest.approx(1 / 1.0530, rel=3e-3)
    assert r["amount_EUR_2022"].item() == pytest.approx(1e6 * r["base_fx_rate"].item())
    # a USD row takes one leg, USD -> EUR at the base year's rate: fx_rate is that rate
    assert r["fx_rate"].item() == r["base_fx_rate"].item()
    assert r["fx_source"].item().startswith("ECB euro reference rates")
    assert r["fx_source"].item().endswith("calendar-year mean of daily rates 2022")
    assert r["base_fx_source"].item() == r["fx_source"].item()
    assert str(r["fx_date"].item())[:10] == "2022-01-01"
    # a EUR row of another year, deflated in EUR terms with the ECB annual means
    # (published ECB annual averages: 2019 1.1195, 2022 1.0530 USD per EUR)
    e = normalise(frame(donor=["DEU"], currency=["EUR"], date=["2019-05-02"]), "EUR", 2022)
    approx = 1e6 * (100 / 1.0530) / (DEFL[("DEU", 2019)] / 1.1195)
    assert e["amount_EUR_2022"].item() == pytest.approx(approx, rel=3e-3)


def test_own_currency_rows_beyond_coverage_extend_in_their_terms():
    f = frame(donor=["DEU", "DEU"], currency=["EUR", "EUR"], date=["2025-03-01", "2024-02-01"],
              amount=[1e6, 1e6])
    with pytest.raises(aidcalc.DataCoverageError, match="DEU in EUR terms"):
        normalise(f, "EUR", 2022, extend=None)
    r = normalise(f, "EUR", 2022, extend="last")
    assert "(extend='last')" in r["deflator_source"].iloc[0]
    # the 2023 factor in EUR terms is carried forward for both rows
    assert r["deflator"].iloc[0] == r["deflator"].iloc[1]
    # base year beyond coverage, row in that year: still the amount, exactly
    r = normalise(f.iloc[[1]], "EUR", 2024, extend="last")
    assert r["amount_EUR_2024"].item() == 1e6


def test_eu_bodies_use_the_eu_institutions_deflator():
    # A2: EUU (EU as a whole), EIB, EPF have no DAC deflator; the EUI one is the proxy
    for donor in ["EUU", "EU27", "European Investment Bank", "EPF"]:
        r = normalise(frame(donor=[donor], date=["2021-05-01"]), "USD", 2022)
        assert r["amount_USD_2022"].item() == pytest.approx(1e6 * 100 / DEFL[("EUI", 2021)])
        assert "proxy for" in r["deflator_source"].item()
    r = normalise(frame(donor=["European Union"], date=["2021-05-01"]), "USD", 2022)
    assert r["amount_USD_2022"].item() == pytest.approx(1e6 * 100 / DEFL[("EUI", 2021)])
    assert "proxy" not in r["deflator_source"].item()


def test_no_base_year_rate_for_the_target_currency():
    with pytest.raises(aidcalc.DataCoverageError, match="no 2022 annual average rate USD -> UAH"):
        normalise(frame(), "UAH", 2022)


def test_spot_rate_from_the_ecb_fixing():
    # ECB reference rate 2022-02-24: 1 EUR = 1.1163 USD (checkpoints ECB01)
    f = frame(donor=["DEU"], currency=["EUR"], date=["2022-02-24"])
    r = normalise(f, "USD", 2022)
    assert r["fx_rate"].item() == pytest.approx(1.1163, rel=1e-12)
    assert r["amount_USD_2022"].item() == pytest.approx(1_116_300, rel=1e-12)
    assert str(r["fx_date"].item())[:10] == "2022-02-24"
    assert "ECB" in r["fx_source"].item()


def test_target_currency_outside_dac_table_uses_ecb_annual_mean():
    r = normalise(frame(), "CHF", 2022)
    # Fed H.10 2022 annual average: 0.9549 CHF per USD; the ECB cross mean is close
    assert r["base_fx_rate"].item() == pytest.approx(0.9549, rel=0.01)
    assert "ECB" in r["fx_source"].item() and "mean of daily rates 2022" in r["fx_source"].item()
    assert r["price_base"].item().startswith("constant 2022 CHF")


def test_cpi_method_usd_chain_linked_after_2021():
    r = normalise(frame(), "USD", 2022, prices="cpi")
    cpi_2022 = CPI_USA[2021] * (1 + INFL_USA_2022 / 100)
    assert r["amount_USD_2022"].item() == pytest.approx(1e6 * cpi_2022 / CPI_USA[2015], rel=1e-6)
    assert "chain-linked" in r["deflator_source"].item()
    assert r["price_base"].item().startswith("constant 2022 USD (CPI of USA")


def test_cpi_method_euro_area_built_from_inflation():
    f = frame(currency=["EUR"], date=["2015-11-11"])
    r = normalise(f, "EUR", 2022, prices="cpi")
    growth = np.prod([1 + INFL_EMU[y] / 100 for y in range(2016, 2023)])
    assert r["amount_EUR_2022"].item() == pytest.approx(1e6 * growth, rel=1e-6)
    assert "EMU" in r["deflator_source"].item()


def test_current_prices():
    f = frame(currency=["EUR"], date=["2022-02-24"])
    r = normalise(f, "USD", prices=None)
    assert r["amount_USD"].item() == pytest.approx(1_116_300, rel=1e-12)
    assert r["deflator"].item() == 1.0
    assert r["price_base"].item() == "current USD"


def test_years_outside_coverage_raise_unless_extended():
    f = frame(donor=["JPN", "Brazil"], amount=[1.0, 2.0], currency=["USD", "USD"],
              date=["2025-03-01", "2024-01-01"])
    with pytest.raises(aidcalc.DataCoverageError) as info:
        normalise(f, "USD", 2022, extend=None)
    err = info.value
    assert isinstance(err, LookupError)
    msg = str(err)
    assert "('DAC', 2024)" in msg and "('JPN', 2025)" in msg
    assert "JPN 1960-2023" in msg and "extend='last'" in msg and "2 rows (index 0, 1)" in msg
    assert "aidcalc update --source dac" in msg
    assert err.missing == [("DAC", 2024), ("JPN", 2025)]
    r = normalise(f, "USD", 2022, extend="last")
    assert r["amount_USD_2022"].iloc[0] == pytest.approx(1 * 100 / DEFL[("JPN", 2023)] / 1)
    assert "2023 factor carried forward (extend='last')" in r["deflator_source"].iloc[0]


def test_base_year_outside_coverage():
    with pytest.raises(aidcalc.DataCoverageError, match=r"\('JPN', 2024\)"):
        normalise(frame(), "USD", 2024, extend=None)
    r = normalise(frame(), "USD", 2024, extend="last")
    assert r["amount_USD_2024"].item() == pytest.approx(
        1e6 * DEFL[("JPN", 2023)] / DEFL[("JPN", 2015)]
    )
    assert "base 2024 beyond coverage: 2023 used" in r["deflator_source"].item()
    with pytest.raises(aidcalc.DataCoverageError, match="consumer price index"):
        normalise(frame(currency=["EUR"]), "EUR", 2024, prices="cpi")


def test_cpi_for_a_currency_without_embedded_cpi():
    with pytest.raises(aidcalc.DataCoverageError, match="no consumer price index for CHF"):
        normalise(frame(), "CHF", 2022, prices="cpi")


def test_coerce_gives_nan_and_reasons_and_keeps_good_rows():
    f = pd.DataFrame(
        {
            "donor": ["JPN", "JPN", "Atlantis", "JPN", "JPN"],
            "amount": [1e6, 5.0, 1.0, "lots", 2.0],
            "currency": ["USD", "XYZ", "USD", "USD", "USD"],
            "date": ["2015-06-30", "2015-06-30", "2015-06-30", "2015-06-30", "1950-01-01"],
        },
        index=[4, 4, 2, 1, 0],
    )
    r = normalise(f, "USD", 2022, errors="coerce")
    assert r.index.tolist() == [4, 4, 2, 1, 0]
    val = r["amount_USD_2022"]
    assert val.iloc[0] == pytest.approx(1e6 * 100 / DEFL[("JPN", 2015)])
    assert val.iloc[1:].isna().all()
    err = r["error"].tolist()
    assert pd.isna(err[0])
    assert "XYZ" in err[1]
    assert err[2] == "unknown donor"
    assert err[3] == "amount is not a number (amount)"
    assert err[4] == "outside OECD DAC deflators coverage"


def test_coerce_keeps_earlier_errors():
    f = frame(currency=["XYZ"]).assign(error=["from an earlier step"])
    r = normalise(f, "USD", 2022, errors="coerce")
    assert r["error"].item().startswith("from an earlier step; ")


def test_input_not_mutated_and_rows_kept():
    f = pd.DataFrame(
        {"donor": ["JPN", "DEU", "USA"], "amount": [1.0, 2.0, 3.0],
         "currency": ["JPY", "EUR", "USD"], "date": ["2015-06-30", "2019-01-02", "2023-12-29"]},
        index=["c", "a", "c"],
    )
    before = f.copy()
    r = normalise(f, "EUR", 2022)
    pd.testing.assert_frame_equal(f, before)
    assert r.index.tolist() == ["c", "a", "c"]
    pd.testing.assert_frame_equal(r[f.columns], f)
    for col in ("fx_rate", "fx_date", "fx_source", "deflator", "deflator_source", "price_base"):
        assert col in r.columns
    again = normalise(r, "EUR", 2022)  # provenance columns are replaced, not duplicated
    assert list(again.columns) == list(r.columns)


def test_out_and_column_options():
    f = frame().rename(columns={"amount": "usd", "date": "announced", "donor": "giver"})
    r = normalise(f, "USD", 2022, amount="usd", date="announced", donor="giver", out="real")
    assert r["real"].item() == pytest.approx(1e6 * 100 / 106.4965)


OUTPUT = ["fx_rate", "fx_date", "fx_source", "fx_to", "deflator", "deflator_source",
          "price_base"]


@pytest.mark.parametrize(
    "f",
    [
        frame().iloc[:0],
        pd.DataFrame({"amount": [], "currency": [], "date": [], "donor": []}),  # float64
        pd.DataFrame({c: pd.Series([], dtype=object)
                      for c in ("amount", "currency", "date", "donor")}),
    ],
)
@pytest.mark.parametrize("prices", ["dac", "cpi", None])
def test_empty_frame(f, prices):
    # C13: no rows in, no rows out, with the output columns, whatever the column dtypes
    r = normalise(f, "EUR", 2022, prices=prices, errors="coerce")
    col = "amount_EUR" if prices is None else "amount_EUR_2022"
    assert len(r) == 0
    assert {col, *OUTPUT, "error"} <= set(r.columns)
    assert r[col].dtype == "float64"
    with pytest.raises(aidcalc.ValidationError, match="no amount column 'value'"):
        normalise(f, "EUR", 2022, amount="value")


def test_mixed_utc_offsets_and_time_zones():
    # B7: each row counts at the calendar date written; no pandas "Mixed timezones" error
    f = frame(donor=["DEU"] * 3, currency=["EUR"] * 3, amount=[1.0] * 3,
              date=["2022-02-24", "2022-02-24T10:00:00+02:00", "2022-02-24T23:30:00-05:00"])
    r = normalise(f, "USD", 2022)
    assert r["fx_rate"].tolist() == pytest.approx([1.1163] * 3)  # ECB fixing of 2022-02-24
    aware = f.assign(date=pd.to_datetime(["2022-02-24 10:00"] * 3).tz_localize("Asia/Tokyo"))
    assert normalise(aware, "USD", 2022)["fx_rate"].tolist() == pytest.approx([1.1163] * 3)


def test_ambiguous_and_partial_dates():
    # A3: dd/mm vs mm/dd is never guessed where the day matters
    with pytest.raises(aidcalc.ValidationError,
                       match=r"'07/06/2024' whose day/month order is ambiguous.*1 row \(index 0\)"):
        normalise(frame(date=["07/06/2024"]), "USD", 2022, extend="last")
    r = normalise(frame(date=["13/06/2023", "7 June 2023"], amount=[1.0, 1.0],
                        donor=["USA", "USA"], currency=["EUR", "EUR"]), "USD", 2023)
    assert [str(d)[:10] for d in r["fx_date"]] == ["2023-06-13", "2023-06-07"]
    # year-only and month-only: only where fx needs no more
    with pytest.raises(aidcalc.ValidationError, match=r"year-only dates '2023'.*fx='spot'"):
        normalise(frame(date=["2023"]), "USD", 2022)
    with pytest.raises(aidcalc.ValidationError, match=r"month-only dates '2023-06'"):
        normalise(frame(date=["2023-06"]), "USD", 2022)
    assert normalise(frame(date=["2023-06"]), "USD", 2022, fx="month")["fx_rate"].item() == 1
    r = normalise(frame(date=["2015", "07/06/2015"], amount=[1e6, 1e6],
                        donor=["JPN", "JPN"], currency=["USD", "USD"]), "USD", 2022, fx="year")
    assert r["amount_USD_2022"].tolist() == pytest.approx([1e6 * 100 / 106.4965] * 2)
    r = normalise(frame(date=["07/06/2024", "2024", "garbage"], amount=[1.0] * 3,
                        donor=["USA"] * 3, currency=["USD"] * 3),
                  "USD", 2022, errors="coerce", extend="last")
    assert r["error"].tolist() == [
        "ambiguous day/month order (date)",
        "year-only date where fx='spot' needs a day (date)",
        "missing or unreadable date (date)",
    ]


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"to": "YEN"}, aidcalc.ParseError, r"ISO 4217 code.*did you mean 'JPY'"),
        ({"base_year": "2022"}, aidcalc.ValidationError, "base_year must be a year"),
        ({"fx": "daily"}, aidcalc.ValidationError, "fx must be one of"),
        ({"prices": "gdp"}, aidcalc.ValidationError, "prices must be"),
        ({"errors": "ignore"}, aidcalc.ValidationError, "errors must be"),
        ({"extend": "linear"}, aidcalc.ValidationError, "extend must be"),
        ({"amount": "value"}, aidcalc.ValidationError, "no amount column 'value'.*pass amount="),
    ],
)
def test_bad_arguments(kwargs, error, match):
    args = {"to": "USD", "base_year": 2022, **kwargs}
    with pytest.raises(error, match=match):
        normalise(frame(), **args)


def test_bad_rows_raise_naming_rows():
    with pytest.raises(aidcalc.ValidationError, match=r"non-numeric amounts 'lots' in 1 row"):
        normalise(frame(amount=["lots"]), "USD", 2022)
    with pytest.raises(aidcalc.ValidationError, match="unreadable dates in 1 row"):
        normalise(frame(date=["someday"]), "USD", 2022)
    with pytest.raises(
        aidcalc.ValidationError, match=r"holds years \(1 row \(index 0\)\), but fx='spot' needs"
    ):
        normalise(frame(date=[2015]), "USD", 2022)
    with pytest.raises(aidcalc.UnknownDonorError, match="'Atlantis'"):
        normalise(frame(donor=["Atlantis"]), "USD", 2022)
    with pytest.raises(aidcalc.RateNotFoundError, match=r"'XYZ 2015-06-30' in 1 row \(index 0\)"):
        normalise(frame(currency=["XYZ"]), "USD", 2022)
    with pytest.raises(aidcalc.ValidationError, match="missing currency"):
        normalise(frame(currency=[None]), "USD", 2022)
    with pytest.raises(aidcalc.FrameTypeError, match="normalise expects a pandas DataFrame"):
        normalise([1, 2], "USD", 2022)


def test_nan_amounts_propagate_without_error():
    r = normalise(frame(amount=[np.nan]), "USD", 2022)
    assert np.isnan(r["amount_USD_2022"].item())


# --- properties -----------------------------------------------------------------------------
DAC_CURRENCIES = {"USD": "USA", "JPY": "JPN", "EUR": "DEU", "GBP": "GBR", "CAD": "CAN"}
amounts = st.one_of(st.just(0.0), st.floats(1e-3, 1e12), st.floats(-1e12, -1e-3))


@given(
    st.sampled_from(["USD", "JPY", "EUR", "GBP", "CAD", "CHF", "PLN"]),
    st.sampled_from(["USA", "JPN", "DEU", "GBR", "CAN", "POL", "EUI", "EUU"]),
    st.dates(min_value=date(2000, 1, 3), max_value=date(2023, 12, 29)),
    amounts,
)
def test_own_year_own_currency_is_identity_dac_with_defaults(cur, donor, day, value):
    # the property with the DEFAULT fx ("spot"): exact, not approximately
    f = pd.DataFrame({"donor": [donor], "amount": [value], "currency": [cur],
                      "date": [day.isoformat()]})
    r = normalise(f, cur, day.year)
    assert r[f"amount_{cur}_{day.year}"].item() == value


@given(st.sampled_from(sorted(DAC_CURRENCIES)), st.integers(2000, 2023), amounts,
       st.sampled_from(["dac", "year"]))
def test_own_year_own_currency_is_identity_dac(cur, year, value, fx):
    f = pd.DataFrame({"donor": [DAC_CURRENCIES[cur]], "amount": [value], "currency": [cur],
                      "date": [year]})
    r = normalise(f, cur, year, fx=fx)
    assert r[f"amount_{cur}_{year}"].item() == value


@given(
    st.sampled_from(["USD", "JPY", "EUR", "GBP", "CAD"]),
    st.dates(min_value=date(2000, 1, 1), max_value=date(2023, 12, 31)),
    amounts,
    st.sampled_from(["spot", "month", "year"]),
)
def test_own_year_own_currency_is_identity_cpi(cur, day, value, fx):
    f = pd.DataFrame({"amount": [value], "currency": [cur], "date": [day.isoformat()]})
    r = normalise(f, cur, day.year, fx=fx, prices="cpi", donor=None)
    assert r[f"amount_{cur}_{day.year}"].item() == pytest.approx(value, rel=1e-12, abs=1e-300)


rows = st.lists(
    st.tuples(
        st.sampled_from(["JPN", "DEU", "USA", "Poland", "EUI"]),
        st.one_of(st.just(0.0), st.floats(1e-3, 1e12)),
        st.sampled_from(["USD", "EUR", "JPY", "GBP"]),
        st.dates(min_value=date(2000, 1, 3), max_value=date(2023, 12, 29)),
    ),
    min_size=1,
    max_size=30,
)


@settings(max_examples=30)
@given(rows, st.floats(min_value=0.001, max_value=1000), st.sampled_from(["dac", "cpi", None]),
       st.lists(st.integers(-5, 5), min_size=30, max_size=30))
def test_linear_and_no_row_lost(data, k, prices, labels):
    f = pd.DataFrame(data, columns=["donor", "amount", "currency", "date"])
    f.index = labels[: len(f)]  # duplicates and any order
    a = normalise(f, "EUR", 2022, prices=prices, fx="month")
    b = normalise(f.assign(amount=f["amount"] * k), "EUR", 2022, prices=prices, fx="month")
    col = "amount_EUR" if prices is None else "amount_EUR_2022"
    assert a.index.equals(f.index) and len(a) == len(f)
    np.testing.assert_allclose(b[col].to_numpy(), k * a[col].to_numpy(), rtol=1e-12)
    assert a[col].notna().all()


def test_dac_rates_missing_for_one_currency_only_hits_its_rows():
    f = pd.DataFrame({"donor": ["JPN", "USA"], "amount": [1.0, 2.0], "currency": ["JPY", "XYZ"],
                      "date": [2015, 2016]})
    r = normalise(f, "USD", 2022, fx="dac", errors="coerce")
    assert r["amount_USD_2022"].iloc[0] == pytest.approx(
        1 / DAC_XR[("JPY", 2015)] * 100 / DEFL[("JPN", 2015)]
    )
    assert np.isnan(r["amount_USD_2022"].iloc[1])
    assert r["error"].iloc[1] == "no annual average exchange rate"
    with pytest.raises(aidcalc.DataCoverageError, match=r"\('XYZ', 2016\) in 1 row \(index 1\)"):
        normalise(f, "USD", 2022, fx="dac")


def test_duplicate_column_names():
    f = pd.concat([frame(), frame()[["amount"]]], axis=1)
    with pytest.raises(aidcalc.ValidationError, match="normalise: duplicate column names 'amount'"):
        normalise(f, "USD", 2022)
    with pytest.raises(
        aidcalc.ValidationError, match="share_of_gdp: duplicate column names 'amount'"
    ):
        aidcalc.share_of_gdp(f, value="amount", gdp_year=2021)


def test_long_iso_string_column_reads_like_datetimes():
    # the Arrow fast path for >= 10,000 ISO strings agrees with datetime input, missing included
    days = pd.date_range("2015-01-01", periods=3_000, freq="D").strftime("%Y-%m-%d")
    days = np.tile(days, 4)  # 12,000 rows, 2015-01-01 .. 2023-03-19
    f = pd.DataFrame({"donor": "JPN", "amount": 1.0, "currency": "EUR",
                      "date": pd.Series(days, dtype="str")})
    f.loc[7, "date"] = None
    r = normalise(f, "USD", 2022, errors="coerce")
    d = normalise(f.assign(date=pd.to_datetime(f["date"])), "USD", 2022, errors="coerce")
    pd.testing.assert_series_equal(r["amount_USD_2022"], d["amount_USD_2022"])
    assert r["error"].iloc[7] == "missing or unreadable date (date)"
    assert r["error"].notna().sum() == 1


def test_coverage_error_names_the_publisher_of_the_table():
    # the CPI comes from the World Bank (update --source wdi), the deflators from the OECD
    f = pd.DataFrame({"donor": ["DEU"], "amount": [1.0], "currency": ["EUR"],
                      "date": ["2028-06-30"]})
    with pytest.raises(aidcalc.DataCoverageError, match=r"index does not cover .*--source wdi"):
        aidcalc.normalise(f, "EUR", 2022, prices="cpi")
    with pytest.raises(aidcalc.DataCoverageError, match=r"deflators do not cover .*--source dac"):
        aidcalc.normalise(f.assign(date="2025-03-01"), "USD", 2022, extend=None)
