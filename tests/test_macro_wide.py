"""Issue 11: macro data for every donor, the IMF WEO beyond the OECD's last year, vintages.

Reference: ``../shared/reference/macro-wide`` (OECD DAC1 as cached by pydeflate on 2025-02-20;
OECD "Deflators-base-2023" of April 2025 with preliminary 2024; IMF WEO October 2025) and the
Kiel Institute's Release 28 country summary (``kiel/kiel_r28_country_summary_relative.csv``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import aidcalc
from aidcalc._base._datasets import pin_vintages, read_dataset, resolve
from aidcalc._real._macro import deflator_table
from aidcalc._real._prices import normalise

MEMBERS = sorted(
    read_dataset("dac_providers").query("kind == 'DAC member'")["iso3"].tolist()
)


def test_32_dac_members_incl_eu_institutions():
    assert len(MEMBERS) == 32 and "EUI" in MEMBERS
    prov = read_dataset("dac_providers")
    assert not prov["iso3"].duplicated().any()
    # pydeflate's ESH ("Non-DAC countries") collides with Western Sahara: not used
    assert "ESH" not in set(prov["iso3"])
    assert prov.query("dac_code == 20006")["iso3"].item() == "NDAC"


def _frame(donors: list[str], years: list[int]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "donor": donors,
            "amount": 1e6,
            "currency": "USD",
            "date": [f"{y}-07-01" for y in years],
        }
    )


@pytest.fixture(scope="module")
def oecd_2025_02(reference):
    raw = pd.read_csv(reference / "macro-wide" / "dac_deflators_all.csv",
                      keep_default_na=False, na_values=[""])
    # rows without a country repeat (iso3, year): on that non-unique index pandas 2.2 gives a
    # Series for every key
    part = raw[(raw["unit"] == "index_2022=100_USD") & raw["iso3"].notna()]
    return part.set_index(["iso3", "year"])["value"]


@pytest.mark.reference
def test_every_member_has_its_own_deflator_and_reproduces_oecd_constant_prices(oecd_2025_02):
    # vintage: OECD DAC1 as cached 2025-02-20 (embedded default); constant 2022 USD =
    # current USD x 100 / D[y]; tolerance: relative 1e-9 (the values are the OECD's, exactly)
    pairs = [(k, y) for k in MEMBERS for y in range(2000, 2024) if (k, y) in oecd_2025_02.index]
    assert len(pairs) > 32 * 20
    f = _frame([k for k, _ in pairs], [y for _, y in pairs])
    r = normalise(f, "USD", 2022)
    expected = np.array([1e6 * 100 / oecd_2025_02[p] for p in pairs])
    np.testing.assert_allclose(r["amount_USD_2022"], expected, rtol=1e-9)
    sources = r["deflator_source"].astype(str)
    assert not sources.str.contains("DAC countries total").any()
    for (k, y), s in zip(pairs, sources, strict=True):
        assert s.startswith(f"OECD DAC deflator of {k}, {y} "), s


def test_years_before_a_members_first_dac_year_are_an_error_not_the_dac_total():
    # Slovenia's DAC deflator starts in 2005: 2003 is outside coverage, never the DAC total
    with pytest.raises(aidcalc.DataCoverageError, match=r"\('SVN', 2003\)"):
        normalise(_frame(["Slovenia"], [2003]), "USD", 2022)


@pytest.mark.reference
def test_preliminary_2024_is_a_separate_selectable_vintage(reference):
    raw = pd.read_csv(reference / "macro-wide" / "dac_deflators_all.csv",
                      keep_default_na=False, na_values=[""])
    alnap = raw[raw["unit"] == "ratio_2023=1_USD"].set_index(["iso3", "year"])["value"]
    have_2024 = sorted(k for k in MEMBERS if (k, 2024) in alnap.index)
    assert len(have_2024) == 32
    f = _frame(have_2024, [2024] * len(have_2024))
    r = normalise(f, "USD", 2023, vintage="2025-04")
    # constant 2023 USD = current / ratio[2024] (ratio 2023 = 1); relative 1e-9
    expected = [1e6 / alnap[(k, 2024)] for k in have_2024]
    np.testing.assert_allclose(r["amount_USD_2023"], expected, rtol=1e-9)
    assert r["deflator_source"].astype(str).str.contains("Apr 2025").all()
    assert "IMF WEO" not in str(r["price_base"].iloc[0])
    # the default vintage has no 2024 OECD value: the WEO extension fills it, flagged
    d = normalise(f, "USD", 2023)
    assert d["deflator_source"].astype(str).str.contains("IMF WEO October 2025").all()
    # never spliced: the two vintages are different tables
    assert resolve("dac_deflators") == "dac_deflators"
    assert resolve("dac_deflators", "2025-04") == "dac_deflators@2025-04"


@pytest.mark.reference
def test_weo_extension_of_2024_is_close_to_the_oecds_preliminary_2024(reference):
    # WEO Oct 2025 GDP-deflator growth in USD terms 2023->2024 against the OECD's own
    # preliminary 2024 (Apr 2025 file): within 3 % for every DAC member (median ~0.3 %)
    ext = deflator_table(extend=True).set_index(["iso3", "year"])["value"]
    alnap = read_dataset("dac_deflators@2025-04").set_index(["iso3", "year"])["value"]
    dev = {
        k: (ext[(k, 2024)] / ext[(k, 2023)]) / (alnap[(k, 2024)] / alnap[(k, 2023)]) - 1
        for k in MEMBERS
    }
    assert max(abs(v) for v in dev.values()) < 0.03, dev
    assert float(np.median([abs(v) for v in dev.values()])) < 0.01


def test_base_2026_works_for_every_member_without_options_and_flags_projections():
    years = [2021, 2024, 2025, 2026]
    f = _frame(MEMBERS * len(years), [y for y in years for _ in MEMBERS])
    r = normalise(f, "USD", 2026)
    assert r["amount_USD_2026"].notna().all()
    assert (r["amount_USD_2026"].iloc[-32:] == 1e6).all()  # base-year rows keep their value
    src = r["deflator_source"].astype(str)
    assert not src.str.contains("DAC countries total").any()
    for k, s in zip(f["donor"], src, strict=True):
        assert s.startswith(f"OECD DAC deflator of {k}, "), s
    assert src.iloc[:32].str.contains(
        "base 2026 extended from 2023 with IMF WEO October 2025").all()
    assert src.str.contains(r"\(2026: IMF estimate/projection\)").all()
    # 2024 is an IMF actual for every member in WEO Oct 2025, 2025 an estimate for all
    assert src.iloc[32:64].str.contains(r"\(2024: IMF actual\)").all()
    assert src.iloc[64:96].str.contains(r"\(2025: IMF estimate/projection\)").all()
    assert "IMF WEO October 2025" in str(r["price_base"].iloc[0])
    assert "extend='last'" not in "".join(src)


def test_weo_flags_actual_years_and_names_the_edition_per_row():
    r = normalise(_frame(["Norway", "Germany"], [2024, 2025]), "USD", 2022)
    src = r["deflator_source"].astype(str).tolist()
    assert "(2024: IMF actual)" in src[0]
    assert "(2025: IMF estimate/projection)" in src[1]
    t = deflator_table(extend=True)
    weo = t[t["source"] == "IMF WEO October 2025"]
    assert (weo["vintage"] == "IMF WEO October 2025").all()
    assert weo["note"].str.contains(r"IMF (?:actual|estimate/projection)").all()
    # the OECD rows are untouched
    plain = deflator_table()
    both = t.merge(plain, on=["iso3", "year"], suffixes=("", "_dac"))
    assert (both["value"] == both["value_dac"]).all()


def test_extension_rule_by_hand():
    # D[NOR, 2026] = D[NOR, 2023] x G[2026] / G[2023], G = NGDP_D x NGDPD / NGDP (WEO Oct 2025)
    weo = read_dataset("weo").set_index(["iso3", "indicator", "year"])["value"]

    def g(y: int) -> float:
        return weo[("NOR", "NGDP_D", y)] * weo[("NOR", "NGDPD", y)] / weo[("NOR", "NGDP", y)]

    t = deflator_table(extend=True).set_index(["iso3", "year"])["value"]
    assert t[("NOR", 2026)] == pytest.approx(t[("NOR", 2023)] * g(2026) / g(2023), rel=1e-12)


def test_extend_last_stays_explicit_and_none_is_strict():
    f = _frame(["Norway"], [2025])
    last = normalise(f, "USD", 2022, extend="last")
    assert "2023 factor carried forward (extend='last')" in str(last["deflator_source"].item())
    with pytest.raises(aidcalc.DataCoverageError, match="aidcalc update"):
        normalise(f, "USD", 2022, extend=None)
    with pytest.raises(aidcalc.ValidationError, match="extend must be"):
        normalise(f, "USD", 2022, extend="first")


def test_beyond_the_weo_is_an_error_that_names_the_fix():
    with pytest.raises(aidcalc.DataCoverageError, match=r"aidcalc update --source weo"):
        normalise(_frame(["Norway"], [2031]), "USD", 2022)


def test_vintage_pins_reproduce():
    f = _frame(["Japan"], [2015])
    default = normalise(f, "USD", 2022)["amount_USD_2022"].item()
    old = normalise(f, "USD", 2022, vintage="2024-12")["amount_USD_2022"].item()
    assert old == pytest.approx(1e6 * 100 / 106.4965, rel=1e-12)  # the 2024-12 vintage
    try:
        pin_vintages(dac_deflators="2024-12")
        assert normalise(f, "USD", 2022)["amount_USD_2022"].item() == old
        assert "2024-12-02" in str(normalise(f, "USD", 2022)["price_base"].item())
    finally:
        pin_vintages()
    assert normalise(f, "USD", 2022)["amount_USD_2022"].item() == default
    with pytest.raises(LookupError, match="no vintage '1999' of table 'dac_deflators'"):
        normalise(f, "USD", 2022, vintage="1999")


def test_env_pin(monkeypatch):
    monkeypatch.setenv("AIDCALC_VINTAGES", "dac_deflators=2024-12")
    assert resolve("dac_deflators") == "dac_deflators@2024-12"
    assert resolve("weo") == "weo"
    monkeypatch.setenv("AIDCALC_VINTAGES", "embedded")
    assert resolve("dac_deflators") == "dac_deflators"


@pytest.fixture(scope="module")
def kiel(reference):
    return pd.read_csv(reference / "kiel" / "kiel_r28_country_summary_relative.csv")


@pytest.mark.reference
def test_share_of_gdp_and_per_capita_for_all_42_kiel_countries(kiel):
    assert len(kiel) == 42
    r = aidcalc.share_of_gdp(kiel, value="total_allocation_eur_mrd", donor="land",
                             currency="EUR", gdp_year=2021, scale=1e9)
    r = aidcalc.per_capita(r, value="total_allocation_eur_mrd", donor="land",
                           population_year=2024, scale=1e9)
    assert r["pct_of_gdp"].notna().all() and r["per_capita"].notna().all()
    dev = (r["pct_of_gdp"] / r["andel_bnp_pct"] - 1).abs()
    # Kiel's GDP vintage differs from WDI 2024-10 (and its EUR conversion from the DAC rate):
    # within 5 % relative for every country (largest: Norway 4.2 %, Malta 4.2 %, Cyprus 3.7 %)
    assert (dev < 0.05).all(), dict(zip(r["land"], dev.round(4), strict=True))
    assert float(dev.median()) < 0.01
    # Kiel's per capita uses WDI 2024 population: identical where Kiel gives one
    has = r["per_capita_eur"].notna()
    np.testing.assert_allclose(r.loc[has, "per_capita"], r.loc[has, "per_capita_eur"],
                               rtol=1e-9)
    # Taiwan is not in the World Bank's tables: the IMF WEO, flagged, fills in
    taiwan = r[r["land"] == "Taiwan"]
    assert "IMF WEO October 2025" in str(taiwan["gdp_source"].item())
    assert "(IMF actual)" in str(taiwan["population_source"].item())


def test_gdp_and_population_beyond_the_world_banks_last_year_from_weo():
    f = pd.DataFrame({"donor": ["Norway", "Poland"], "v": [1e9, 1e9]})
    r = aidcalc.share_of_gdp(f, value="v", currency="USD", gdp_year=2026)
    src = r["gdp_source"].astype(str)
    assert src.str.startswith("IMF WEO October 2025 GDP, current USD (NGDPD)").all()
    assert src.str.contains("IMF estimate/projection").all()
    weo = read_dataset("weo").set_index(["iso3", "indicator", "year"])["value"]
    assert r["gdp"].iloc[0] == pytest.approx(weo[("NOR", "NGDPD", 2026)] * 1e9)
    p = aidcalc.per_capita(f, value="v", population_year=2026)
    assert p["population"].iloc[1] == pytest.approx(weo[("POL", "LP", 2026)] * 1e6)
    # 2023 GDP is the World Bank's
    r = aidcalc.share_of_gdp(f, value="v", currency="USD", gdp_year=2023)
    assert r["gdp_source"].astype(str).str.startswith("World Bank WDI").all()


def test_wide_tables_have_no_aggregates_mixed_with_countries_and_no_fake_rates():
    gdp = read_dataset("wdi_gdp")
    assert not set(gdp["iso3"]) & {"WLD", "HIC", "SSF", "OED", "LMY"}
    assert {"EMU", "EUU"} <= set(gdp["iso3"])
    assert gdp["iso3"].nunique() > 190
    xr = read_dataset("dac_exchange_rates")
    assert not ((xr["value"] == 1.0) & (xr["iso3"] != "USA")).any()
    assert not set(xr["iso3"]) & {"DAC", "G7C", "MCO"}
    weo = read_dataset("weo")
    assert not weo["iso3"].str.match(r"^G\d").any()
    assert {"XKX", "PSE"} <= set(weo["iso3"]) and not {"KOS", "WBG"} & set(weo["iso3"])
    assert set(weo["status"]) <= {"A", "E", "FY?", "nometa"}


def test_listing_names_vintages_and_what_is_in_use():
    listing = aidcalc.datasets().set_index("name")
    assert listing.loc["dac_deflators@2025-04", "table"] == "dac_deflators"
    assert listing.loc["dac_deflators@2025-04", "vintage_id"] == "2025-04"
    assert bool(listing.loc["dac_deflators", "in_use"])
    assert not bool(listing.loc["dac_deflators@2025-04", "in_use"])
    assert (listing["origin"] == "embedded").all()


def test_vintage_on_share_of_gdp_and_per_capita():
    f = pd.DataFrame({"donor": ["Norway"], "v": [1e9]})
    r = aidcalc.share_of_gdp(f, value="v", currency="USD", gdp_year=2026,
                             vintage={"weo": "2025-04"})
    assert str(r["gdp_source"].item()).startswith("IMF WEO April 2025 GDP")
    weo = read_dataset("weo@2025-04").set_index(["iso3", "indicator", "year"])["value"]
    assert r["gdp"].item() == pytest.approx(weo[("NOR", "NGDPD", 2026)] * 1e9)
    p = aidcalc.per_capita(f, value="v", population_year=2026, vintage={"weo": "2025-04"})
    assert p["population"].item() == pytest.approx(weo[("NOR", "LP", 2026)] * 1e6)
    assert aidcalc.pin_vintages is pin_vintages


@pytest.mark.slow
def test_report_base_year_2026_runs_without_extend_and_names_the_weo(tmp_path):
    from aidcalc._report._cli import main

    out = tmp_path / "r2026"
    assert main(["report", "--base-year", "2026", "--out", str(out)]) == 0
    page = (out / "index.html").read_text(encoding="utf-8")
    assert "IMF WEO October 2025" in page
    assert "carried forward" not in page  # no extend='last' anywhere
    svg = (out / "donors.svg").read_text(encoding="utf-8")
    assert "IMF WEO October 2025" in svg  # the chart's footnote names the edition


def test_a_vintage_id_pins_its_own_table_and_a_global_pin_the_tables_that_have_it():
    # vintage="2024-12" pins the deflators; the WEO extension keeps its own default edition
    f = _frame(["Japan"], [2025])
    r = normalise(f, "USD", 2022, vintage="2024-12")
    src = str(r["deflator_source"].item())
    assert "DAC1 published by 2024-12-02" in src and "IMF WEO October 2025" in src
    # a mapping pins each table
    r = normalise(f, "USD", 2022, vintage={"dac_deflators": "2024-12", "weo": "2025-04"})
    assert "IMF WEO April 2025" in str(r["deflator_source"].item())
    with pytest.raises(LookupError, match="no vintage '2024-12' of table 'weo'"):
        normalise(f, "USD", 2022, vintage={"weo": "2024-12"})
    try:
        pin_vintages("2025-04")
        assert resolve("dac_deflators") == "dac_deflators@2025-04"
        assert resolve("weo") == "weo@2025-04"
        assert resolve("wdi_gdp") == "wdi_gdp"  # no such vintage: its default
        aidcalc.convert(pd.DataFrame({"amount": [1.0], "currency": ["EUR"],
                                      "date": ["2024-06-07"]}), "USD")
    finally:
        pin_vintages()
