"""Readers for the publishers' own formats, on small fixtures in those formats."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import aidcalc
from aidcalc._real._macro import deflator_table, gdp_table
from aidcalc.io._macro_loaders import read_dac_deflators, read_wdi

FIX = Path(__file__).parent / "fixtures" / "macro"
WDI = FIX / "API_NY.GDP.MKTP.CD_DS2_en_csv_v2_small.csv"
DAC = FIX / "dac_deflators_2022base_excerpt.csv"


def test_read_wdi_tidy_layout_and_values():
    t = read_wdi(WDI)
    assert list(t.columns) == [
        "iso3", "year", "value", "unit", "indicator", "source", "vintage", "note",
    ]
    assert sorted(t["iso3"].unique()) == ["DEU", "EMU", "JPN", "UKR", "USA"]
    assert t["year"].min() == 2019 and t["year"].max() == 2023  # empty cells dropped
    assert (t["indicator"] == "NY.GDP.MKTP.CD").all()
    assert (t["vintage"] == "WDI, last updated 2024-10-24").all()
    # USA 2021 GDP: 23,594,031 USD millions as published (issue 3 table)
    usa = t.query("iso3 == 'USA' and year == 2021")["value"].item()
    assert usa == 23_594_031_000_000


def test_read_wdi_matches_embedded_table():
    t = read_wdi(WDI, indicator="NY.GDP.MKTP.CD")
    # the fixture is rounded to USD millions, the embedded table (same WDI release) is not
    emb = gdp_table(extend=False).set_index(["iso3", "year"])["value"]
    got = t.set_index(["iso3", "year"])["value"]
    np.testing.assert_allclose(got, emb.reindex(got.index), rtol=0, atol=0.5e6)


def test_read_wdi_output_feeds_share_of_gdp():
    gdp = read_wdi(WDI)
    f = pd.DataFrame({"donor": ["DEU"], "usd": [4_278_504_000.0]})  # 0.1 % of 2021 GDP
    r = aidcalc.share_of_gdp(f, value="usd", currency="USD", gdp_year=2021, gdp=gdp)
    assert r["pct_of_gdp"].item() == pytest.approx(0.1, rel=1e-12)
    assert "user-supplied GDP" in r["gdp_source"].item()


def test_read_wdi_several_indicators(tmp_path):
    text = WDI.read_text(encoding="utf-8")
    extra = '"Japan","JPN","Population, total","SP.POP.TOTL"' + ',""' * 64 + ",\n"
    extra = extra.replace(',""' * 64, ',""' * 63 + ',"124516650"')
    p = tmp_path / "two.csv"
    p.write_text(text + extra, encoding="utf-8")
    with pytest.raises(aidcalc.InputFileError, match=r"several indicators .*pass indicator="):
        read_wdi(p)
    pop = read_wdi(p, indicator="SP.POP.TOTL")
    assert pop[["iso3", "year", "value"]].values.tolist() == [["JPN", 2023, 124516650.0]]
    with pytest.raises(aidcalc.InputFileError, match="no indicator 'XX'"):
        read_wdi(p, indicator="XX")


def test_read_wdi_wrong_layout(tmp_path):
    p = tmp_path / "other.csv"
    p.write_text("iso3,year,value\nUSA,2021,1\n", encoding="utf-8")
    with pytest.raises(aidcalc.InputFileError, match="not a World Bank WDI CSV download") as info:
        read_wdi(p)
    assert info.value.path == str(p)
    with pytest.raises(aidcalc.InputFileError, match="no such file"):
        read_wdi(tmp_path / "missing.csv")


def test_read_wdi_non_numeric_cell(tmp_path):
    text = WDI.read_text(encoding="utf-8").replace('"23594031000000"', '"n/a"')
    p = tmp_path / "bad.csv"
    p.write_text(text, encoding="utf-8")
    with pytest.raises(aidcalc.InputFileError, match=r"non-numeric values 'n/a' \(e.g. USA 2021\)"):
        read_wdi(p)


def test_read_dac_deflators_csv():
    t = read_dac_deflators(DAC)
    assert sorted(t["iso3"].unique()) == ["DAC", "DEU", "EUI", "JPN", "USA"]
    assert (t["unit"] == "index, USD terms, 2022=100").all()
    assert (t["vintage"] == DAC.name).all()
    # '..' is missing, not zero
    assert t.query("iso3 == 'USA' and year == 2023").empty
    # the fixture is an excerpt of the DAC1 vintage of 2024-12-02, embedded as vintage 2024-12
    emb = deflator_table(vintage="2024-12").set_index(["iso3", "year"])["value"]
    got = t.set_index(["iso3", "year"])["value"]
    assert (got == emb.reindex(got.index)).all()


def test_read_dac_deflators_xlsx_same_as_csv(tmp_path):
    grid = pd.read_csv(DAC, header=None, dtype=str, keep_default_na=False)
    p = tmp_path / "deflators.xlsx"
    grid.to_excel(p, header=False, index=False)
    a = read_dac_deflators(p, vintage="v")
    b = read_dac_deflators(DAC, vintage="v")
    pd.testing.assert_frame_equal(a, b)


def test_later_vintage_feeds_normalise():
    defl = read_dac_deflators(DAC, vintage="DAC1 2024-12 excerpt")
    f = pd.DataFrame({"donor": ["JPN"], "amount": [1e6], "currency": ["USD"], "date": [2015]})
    r = aidcalc.normalise(f, "USD", 2022, fx="year", deflators=defl)
    assert r["amount_USD_2022"].item() == pytest.approx(1e6 * 100 / 106.4965, rel=1e-12)
    assert "DAC1 2024-12 excerpt" in r["price_base"].item()


def test_read_dac_deflators_errors(tmp_path):
    p = tmp_path / "nohead.csv"
    p.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(aidcalc.InputFileError, match="not an OECD DAC deflator table"):
        read_dac_deflators(p)
    text = DAC.read_text(encoding="utf-8")
    p = tmp_path / "nobase.csv"
    p.write_text(text.replace("(2022 = 100)", ""), encoding="utf-8")
    with pytest.raises(aidcalc.InputFileError, match=r"no base year .* pass base_year="):
        read_dac_deflators(p)
    assert read_dac_deflators(p, base_year=2022)["unit"].iloc[0].endswith("2022=100")
    p = tmp_path / "donor.csv"
    p.write_text(text.replace('"Japan"', '"Jpaan"'), encoding="utf-8")
    with pytest.raises(aidcalc.InputFileError, match="not recognised: 'Jpaan'"):
        read_dac_deflators(p)
    p = tmp_path / "value.csv"
    p.write_text(text.replace("106.4965", "x1"), encoding="utf-8")
    with pytest.raises(aidcalc.InputFileError, match="non-numeric deflator 'x1' for Japan 2015"):
        read_dac_deflators(p)
    p = tmp_path / "dup.csv"
    p.write_text(text.replace('"Germany"', '"Japan"'), encoding="utf-8")
    with pytest.raises(aidcalc.InputFileError, match="same donor code 'JPN'"):
        read_dac_deflators(p)
    bad = tmp_path / "broken.xlsx"
    bad.write_bytes(b"not a zip")
    with pytest.raises(aidcalc.InputFileError, match="could not be read as an Excel workbook"):
        read_dac_deflators(bad)


def test_mixed_vintages_are_refused():
    a = read_dac_deflators(DAC, vintage="v1")
    b = a.assign(vintage="v2", year=a["year"] + 100)
    with pytest.raises(aidcalc.ValidationError, match="mixes vintages"):
        deflator_table(pd.concat([a, b]))
    with pytest.raises(aidcalc.ValidationError, match="several values"):
        deflator_table(pd.concat([a, a]))
