"""Build aidcalc's embedded macro tables from the public "macro-wide" copies.

Usage::

    python datasets/build/build_macro.py [SOURCE_DIR] [--out DATASETS_DIR]

``SOURCE_DIR`` defaults to ``../shared/reference/macro-wide`` (relative to the project root);
it holds long-format CSV copies of the publishers' data and a ``SOURCES.md`` naming the
repository, path and commit of each (see the sidecars written here). The script only
*selects, relabels and reformats*: no value is interpolated, rebased, rescaled or computed.
What it does, table by table:

* ``dac_deflators`` (OECD DAC1 as cached by pydeflate on 2025-02-20, USD terms, 2022=100):
  every provider entity of the source, 1960-2023; aggregates get unambiguous aidcalc codes
  (the source's pydeflate code ``ESH`` for "Non-DAC countries" collides with Western Sahara).
* ``dac_deflators@2025-04`` (OECD "Deflators-base-2023" file with preliminary 2024, Apr 2025,
  as ratios 2023=1): a separate, selectable vintage; never spliced into the default one.
* ``dac_exchange_rates`` (same DAC1 vintage): national currency per USD; the 1.0 placeholders
  that DAC1 carries where it has no national-currency series (aggregates, Monaco, Timor-Leste,
  early years of some providers) are left out, only the United States' 1.0 is a real rate.
* ``dac_providers``: the provider list (DAC code, aidcalc code, name, kind).
* ``wdi_gdp``, ``wdi_population``, ``wdi_cpi_inflation``: every economy, plus the two World
  Bank aggregates aidcalc uses (EMU euro area, EUU European Union); other aggregates
  (WLD, HIC, SSF, ...) are left out so that aggregates never mix with countries. 2000 onwards.
* ``weo`` (IMF WEO October 2025) and ``weo@2025-04`` (April 2025): NGDP_D, NGDPD, NGDP, PCPI,
  LP for every economy plus the euro area (IMF G163 -> EMU) and the European Union
  (IMF G998 -> EUU), 2010-2030, each value with the IMF's actual/estimate flag. IMF codes that
  differ from the World Bank's are mapped: KOS -> XKX (Kosovo), WBG -> PSE (West Bank and Gaza).

The existing small tables of the previous DAC vintage (``dac_deflators@2024-12``,
``dac_exchange_rates@2024-12``) and ``wdi_cpi`` are not rebuilt here.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_SOURCE = ROOT.parent / "shared" / "reference" / "macro-wide"
OUT = ROOT / "datasets"
RETRIEVED = "2026-12-04"
FIRST_YEAR = 2000  # World Bank tables; the DAC tables keep their whole history
WEO_FIRST_YEAR = 2010  # WEO tables (used beyond the OECD and World Bank years; size)

#: DAC1 aggregates: DAC code -> aidcalc code (the source's ISO3-like codes are pydeflate's own)
AGGREGATES = {
    20000: ("DACM", "DAC Members (incl. EU Institutions)"),
    20001: ("DAC", "DAC countries"),
    20002: ("MULTI", "Multilateral organisations"),
    20003: ("G7C", "G7"),
    20006: ("NDAC", "Non-DAC countries"),
    20007: ("OTHC", "Other countries"),
    20011: ("DACEU", "DAC EU countries"),
}
#: the 32 DAC members (31 countries and the EU Institutions), as of 2026
DAC_MEMBERS = frozenset(
    [
        "AUS", "AUT", "BEL", "CAN", "CZE", "DNK", "EST", "FIN", "FRA", "DEU", "GRC", "HUN",
        "ISL", "IRL", "ITA", "JPN", "KOR", "LTU", "LUX", "NLD", "NZL", "NOR", "POL", "PRT",
        "SVK", "SVN", "ESP", "SWE", "CHE", "GBR", "USA", "EUI",
    ]
)
WB_KEEP_AGGREGATES = ("EMU", "EUU")
WEO_INDICATORS = ("NGDP_D", "NGDPD", "NGDP", "PCPI", "LP")
WEO_CODES = {"G163": "EMU", "G998": "EUU", "KOS": "XKX", "WBG": "PSE"}

LICENCE_OECD = "OECD terms and conditions (attribution required)"
LICENCE_WB = "CC BY 4.0 (attribution: The World Bank, World Development Indicators)"
LICENCE_IMF = "IMF copyright and usage terms (attribution: IMF, World Economic Outlook)"


def _read(src: Path, name: str) -> pd.DataFrame:
    return pd.read_csv(src / name, keep_default_na=False, na_values=[""], low_memory=False)


def _num(value: float) -> str:
    """The source's number as written (shortest repr; no rounding)."""
    text = repr(float(value))
    return text[:-2] if text.endswith(".0") else text


def _write(frame: pd.DataFrame, name: str, meta: dict[str, object], out: Path) -> None:
    frame = frame.copy()
    frame["value"] = frame["value"].map(_num)
    file = f"{name}.csv"
    frame.to_csv(out / file, index=False, lineterminator="\n")
    sidecar = {"name": name, "file": file, "retrieved": RETRIEVED, **meta}
    (out / f"{name}.json").write_text(
        json.dumps(sidecar, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    print(f"{file}: {len(frame)} rows, {(out / file).stat().st_size // 1024} KiB")


def _codes(frame: pd.DataFrame) -> pd.Series:
    """aidcalc code per DAC1 row: ISO3 for countries, own codes for aggregates."""
    agg = frame["dac_code"].map(lambda c: AGGREGATES.get(int(c), ("", ""))[0])
    return agg.where(agg != "", frame["iso3"].fillna(""))


def providers(src: Path) -> pd.DataFrame:
    raw = _read(src, "dac_deflators_all.csv")
    raw = raw[raw["source_id"].str.startswith("ONE_")]
    first = raw.drop_duplicates("dac_code").sort_values("dac_code").copy()
    first["code"] = _codes(first)
    first["entity"] = [
        AGGREGATES[int(c)][1] if int(c) in AGGREGATES else e
        for c, e in zip(first["dac_code"], first["entity"], strict=True)
    ]
    first["kind"] = [
        "aggregate" if int(c) in AGGREGATES else "DAC member" if k in DAC_MEMBERS
        else "non-DAC provider"
        for c, k in zip(first["dac_code"], first["code"], strict=True)
    ]
    out = first[["code", "dac_code", "entity", "kind"]].rename(columns={"code": "iso3"})
    return out.reset_index(drop=True)


def dac_tables(src: Path, out: Path) -> None:
    prov = providers(src)
    assert (prov["kind"] == "DAC member").sum() == 32, prov
    assert not prov["iso3"].duplicated().any()
    _write_plain(prov, "dac_providers", {
        "title": "OECD DAC1 providers: DAC code, aidcalc code, name, kind",
        "publisher": "OECD (Development Assistance Committee)",
        "source_url": "https://data-explorer.oecd.org/vis?df[id]=DSD_DAC1@DF_DAC1",
        "vintage": "DAC1, as cached by pydeflate 2025-02-20",
        "licence": LICENCE_OECD,
        "description": (
            "The 58 provider entities of the DAC1 deflator table: the 32 DAC members (31 "
            "countries and the EU Institutions, EUI), 19 non-DAC providers and 7 aggregates. "
            "Countries carry their ISO 3166 alpha-3 code; aggregates carry aidcalc codes (DAC = "
            "DAC countries, G7C = G7, DACM = DAC members, DACEU = DAC EU countries, NDAC = "
            "non-DAC countries (pydeflate labels it ESH, which is Western Sahara's ISO code), "
            "MULTI = multilaterals, OTHC = other countries). kind = 'DAC member' follows the "
            "OECD's list of DAC members (2026)."
        ),
    }, out)

    raw = _read(src, "dac_deflators_all.csv")
    one = raw[raw["unit"] == "index_2022=100_USD"].copy()
    one["iso3"] = _codes(one)
    one = one.sort_values(["iso3", "year"])
    dac_by_year = one[one["iso3"] == "DAC"].set_index("year")["value"]
    same = (
        (one["iso3"] != "DAC") & (one["year"] != 2022)  # 2022 = 100 for all: the base year
        & one["year"].map(dac_by_year).eq(one["value"])
    )
    one["note"] = same.map({True: "OECD gives the DAC-countries deflator here", False: ""})
    _write(one[["iso3", "year", "value", "note"]], "dac_deflators", {
        "table": "dac_deflators",
        "vintage_id": "2025-02",
        "title": "DAC deflators for resource flows from DAC donors, USD terms, 2022=100",
        "publisher": "OECD (Development Assistance Committee)",
        "source_url": "https://data-explorer.oecd.org/vis?df[id]=DSD_DAC1@DF_DAC1",
        "vintage": "DAC1 as cached 2025-02-20",
        "licence": LICENCE_OECD,
        "indicator": "DAC_DEFLATOR",
        "constant_columns": {
            "indicator": "DAC_DEFLATOR", "unit": "index, USD terms, 2022=100",
            "source": "OECD DAC1", "vintage": "DAC1 as cached 2025-02-20",
        },
        "description": (
            "Implied DAC deflator (100 x ODA current USD / ODA constant 2022 USD, OECD DAC1 "
            "DSD_DAC1@DF_DAC1) for every provider of the source: 31 DAC member countries, the "
            "EU Institutions (EUI), 19 non-DAC providers and 7 aggregates (codes in "
            "dac_providers), 1960-2023. Copy: pydeflate 2.x cache of 2025-02-20 in "
            "ONEcampaign/aftershocks_data raw_data/oda/dac_2025-02-20.parquet (commit d062840f). "
            "The note marks rows where the OECD gives a provider the DAC-countries deflator. "
            "One vintage; aidcalc.normalise rebases it to any base year."
        ),
    }, out)

    alnap = raw[raw["source_id"].str.startswith("ALNAP")].copy()
    alnap = alnap.sort_values(["iso3", "year"])
    dac_a = alnap[alnap["iso3"] == "DAC"].set_index("year")["value"]
    fra_a = alnap[alnap["iso3"] == "FRA"].set_index("year")["value"]
    note = pd.Series("", index=alnap.index)
    not_base = alnap["year"] != 2023  # 2023 = 1 for all: the base year
    note[not_base & (alnap["iso3"] != "DAC") & alnap["year"].map(dac_a).eq(alnap["value"])] = (
        "OECD gives the DAC-countries deflator here"
    )
    note[not_base & (alnap["iso3"] == "MCO") & alnap["year"].map(fra_a).eq(alnap["value"])] = (
        "OECD gives France's deflator here"
    )
    alnap["note"] = note
    vint = "OECD Deflators-base-2023, Apr 2025 (preliminary 2024)"
    _write(alnap[["iso3", "year", "value", "note"]], "dac_deflators@2025-04", {
        "table": "dac_deflators",
        "vintage_id": "2025-04",
        "title": "DAC deflators, USD terms, 2023=1, with preliminary 2024 (OECD file of Apr 2025)",
        "publisher": "OECD (Development Assistance Committee)",
        "source_url": "https://www.oecd.org/en/data/datasets/oda-deflators.html",
        "vintage": vint,
        "licence": LICENCE_OECD,
        "indicator": "DAC_DEFLATOR",
        "constant_columns": {
            "indicator": "DAC_DEFLATOR", "unit": "ratio, USD terms, 2023=1",
            "source": "OECD DAC deflators", "vintage": vint,
        },
        "description": (
            "The OECD's 'Deflators-base-2023.xlsx' (base 2023=100, preliminary 2024 values), "
            "as read in April 2025 by ALNAP's gha_2025 scripts/get_deflators.R and divided by "
            "100 (datasets/Deflators/deflators_2023usd.csv, commit 19ec128e); providers absent "
            "from that file were taken by the script from DAC1 Table 1 (A/D). 50 entities "
            "(32 DAC members, DAC total, 17 non-DAC providers), 1960-2024; 2024 for 43. A "
            "separate vintage: select it with vintage='2025-04'; it is never spliced into the "
            "default vintage (bases and back years differ)."
        ),
    }, out)

    xr = _read(src, "dac_exchange_rates_all.csv")
    xr = xr[xr["unit"] == "LCU_per_USD"].copy()
    xr["iso3"] = _codes(xr)
    fake = (xr["value"] == 1.0) & (xr["iso3"] != "USA")
    print(f"dac_exchange_rates: {int(fake.sum())} placeholder 1.0 rates left out")
    xr = xr[~fake].sort_values(["iso3", "year"])
    xr["note"] = ""
    _write(xr[["iso3", "year", "value", "note"]], "dac_exchange_rates", {
        "table": "dac_exchange_rates",
        "vintage_id": "2025-02",
        "title": "DAC annual average exchange rates, national currency per USD",
        "publisher": "OECD (Development Assistance Committee)",
        "source_url": "https://data-explorer.oecd.org/vis?df[id]=DSD_DAC1@DF_DAC1",
        "vintage": "DAC1 as cached 2025-02-20",
        "licence": LICENCE_OECD,
        "indicator": "EXCHANGE",
        "constant_columns": {
            "indicator": "EXCHANGE", "unit": "national currency per USD, annual average",
            "source": "OECD DAC1", "vintage": "DAC1 as cached 2025-02-20",
        },
        "description": (
            "Implied annual exchange rate of DAC1 (ODA in national currency / ODA in current "
            "USD), same vintage as dac_deflators, 1960-2023. Euro-area members are in EUR for "
            "their whole history (pre-euro years converted at the irrevocable rate); EUI is "
            "EUR. Left out: the 1.0 placeholders DAC1 carries where it has no national-currency "
            "series (all aggregates, Monaco, Timor-Leste, and early years of ARE, AZE, CYP, "
            "HRV, HUN, KWT, LIE, POL, QAT, ROU, SAU, TWN, THA, EUI); the USA's 1.0 is kept."
        ),
    }, out)


def _write_plain(frame: pd.DataFrame, name: str, meta: dict[str, object], out: Path) -> None:
    file = f"{name}.csv"
    frame.to_csv(out / file, index=False, lineterminator="\n")
    sidecar = {"name": name, "file": file, "retrieved": RETRIEVED, **meta}
    (out / f"{name}.json").write_text(
        json.dumps(sidecar, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    print(f"{file}: {len(frame)} rows")


def _wb(src: Path, file: str) -> pd.DataFrame:
    raw = _read(src, file)
    keep = ~raw["is_wb_aggregate"].astype(str).eq("True") | raw["iso3"].isin(WB_KEEP_AGGREGATES)
    raw = raw[keep & (raw["year"] >= FIRST_YEAR)].copy()
    raw["note"] = ""
    return raw.sort_values(["iso3", "year"])[["iso3", "year", "value", "note"]]


def wb_tables(src: Path, out: Path) -> None:
    url = "https://github.com/datasets/{}/blob/{}/data/{}.csv"
    _write(_wb(src, "gdp_current_usd_all.csv"), "wdi_gdp", {
        "table": "wdi_gdp",
        "vintage_id": "2024-10",
        "title": "GDP, current USD",
        "publisher": "World Bank (World Development Indicators)",
        "source_url": "https://data.worldbank.org/indicator/NY.GDP.MKTP.CD",
        "vintage": "WDI via datahub gdp, 2024-10",
        "licence": LICENCE_WB,
        "indicator": "NY.GDP.MKTP.CD",
        "constant_columns": {
            "indicator": "NY.GDP.MKTP.CD", "unit": "current USD", "source": "World Bank WDI",
            "vintage": "WDI via datahub gdp, 2024-10",
        },
        "description": (
            "NY.GDP.MKTP.CD, current USD (units, not millions), WDI 'last updated' 2024-09-19, "
            "2000-2023, every economy plus EMU (euro area) and EUU (European Union); other "
            "World Bank aggregates are left out. Copy: "
            + url.format("gdp", "1cdcd2eb2364edd9da24bcbe134c1a9e0fb4c693", "gdp")
            + ". Years after 2023 come from the IMF WEO (table weo), flagged as such."
        ),
    }, out)
    _write(_wb(src, "population_all.csv"), "wdi_population", {
        "table": "wdi_population",
        "vintage_id": "2026-03",
        "title": "Population, total (persons)",
        "publisher": "World Bank (World Development Indicators)",
        "source_url": "https://data.worldbank.org/indicator/SP.POP.TOTL",
        "vintage": "WDI via datahub population, 2026-03",
        "licence": LICENCE_WB,
        "indicator": "SP.POP.TOTL",
        "constant_columns": {
            "indicator": "SP.POP.TOTL", "unit": "persons", "source": "World Bank WDI",
            "vintage": "WDI via datahub population, 2026-03",
        },
        "description": (
            "SP.POP.TOTL, persons, 2000-2024, every economy plus EMU and EUU. Copy: "
            + url.format("population", "425fc447a53a26c767a15a7de60c4cc2478a0595", "population")
        ),
    }, out)
    _write(_wb(src, "cpi_inflation_all.csv"), "wdi_cpi_inflation", {
        "table": "wdi_cpi_inflation",
        "vintage_id": "2025-05",
        "title": "Inflation, consumer prices (annual %)",
        "publisher": "World Bank (World Development Indicators)",
        "source_url": "https://data.worldbank.org/indicator/FP.CPI.TOTL.ZG",
        "vintage": "WDI via datahub cpi, 2025-05",
        "licence": LICENCE_WB,
        "indicator": "FP.CPI.TOTL.ZG",
        "constant_columns": {
            "indicator": "FP.CPI.TOTL.ZG", "unit": "percent, annual", "source": "World Bank WDI",
            "vintage": "WDI via datahub cpi, 2025-05",
        },
        "description": (
            "FP.CPI.TOTL.ZG, annual percent change (not an index), WDI 'last updated' "
            "2025-04-15, 2000-2024 (2024 for about half of the economies), every economy plus "
            "EMU and EUU. Copy: "
            + url.format("cpi", "1b9b760a9257fb5b5d863ff69134681bbe7a06ad", "cpi")
        ),
    }, out)


def _weo(src: Path, file: str) -> pd.DataFrame:
    raw = _read(src, file)
    raw = raw[raw["indicator"].isin(WEO_INDICATORS) & (raw["year"] >= WEO_FIRST_YEAR)].copy()
    raw["iso3"] = raw["iso3"].replace(WEO_CODES)
    groups = raw["iso3"].str.match(r"^G[X0-9]")
    raw = raw[~groups & raw["value"].notna()]
    assert not raw.duplicated(["iso3", "indicator", "year"]).any()
    raw = raw.sort_values(["iso3", "indicator", "year"])
    return raw[["iso3", "indicator", "year", "value", "status"]]


WEO_DESCRIPTION = (
    "IMF World Economic Outlook {edition}: NGDP_D (GDP deflator, index, national base year), "
    "NGDPD (GDP, current prices, USD billions), NGDP (GDP, current prices, national currency "
    "billions), PCPI (CPI, period average, index), LP (population, millions), 2010-2030, every "
    "economy plus the euro area (IMF G163, here EMU) and the European Union (IMF G998, here "
    "EUU); other IMF groups are left out. IMF codes KOS and WBG are mapped to the World Bank's "
    "XKX and PSE. status is the IMF's flag: A = actual (year <= the IMF's latest actual data for "
    "that series), E = IMF estimate or projection, nometa = no last-actual metadata (groups), "
    "FY? = fiscal-year series whose boundary year is ambiguous. Copy: {copy}."
)


def weo_tables(src: Path, out: Path) -> None:
    for name, edition, copy, vid in (
        ("weo", "October 2025", "mitsuoxv/imf-weo data/data_2510.rda (commit 735c2b40), the "
         "IMF's IMF.RES:WEO dataset of 2025-10-16", "2025-10"),
        ("weo@2025-04", "April 2025", "mitsuoxv/imf-weo data/data_2504.rda (commit 12b3eabc), "
         "the IMF's WEO_PUB 'entire database' release", "2025-04"),
    ):
        frame = _weo(src, "weo_2025oct.csv" if vid == "2025-10" else "weo_2025apr.csv")
        label = f"IMF WEO {edition}"
        _write(frame, name, {
            "table": "weo",
            "vintage_id": vid,
            "title": f"IMF World Economic Outlook, {edition}: GDP deflator, GDP, CPI, population",
            "publisher": "International Monetary Fund (World Economic Outlook)",
            "source_url": "https://www.imf.org/en/Publications/WEO/weo-database",
            "vintage": label,
            "licence": LICENCE_IMF,
            "indicator": ", ".join(WEO_INDICATORS),
            "constant_columns": {"source": "IMF WEO", "vintage": label},
            "description": WEO_DESCRIPTION.format(edition=edition, copy=copy),
        }, out)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("source", nargs="?", type=Path, default=DEFAULT_SOURCE)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    src: Path = args.source
    if not (src / "SOURCES.md").is_file():
        raise SystemExit(f"{src} is not the macro-wide folder (no SOURCES.md)")
    dac_tables(src, args.out)
    wb_tables(src, args.out)
    weo_tables(src, args.out)


if __name__ == "__main__":
    main()
