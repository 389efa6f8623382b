"""Lazy, cached access to the embedded macro tables (deflators, DAC rates, GDP, population, CPI).

Shared by :mod:`aidcalc._real._prices` and :mod:`aidcalc._real._relative`. Every table is the
tidy layout ``iso3, year, value, source, vintage`` (plus ``note``), read once per process
through :func:`aidcalc._base._datasets.read_dataset`. Users may pass their own table of the same
layout (for example from :func:`aidcalc.io._macro_loaders.read_wdi`); :func:`check_table`
validates it.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from .._base._datasets import VintageSpec, dataset_info, read_dataset, resolve
from .._base._errors import DataCoverageError, ValidationError, join_values
from .._base._frame_checks import to_numbers
from .._base._provenance import RateFacts, as_vintage, rate_facts, render

if TYPE_CHECKING:
    from .._money._convert import RatesLike

__all__ = [
    "CURRENCY_ECONOMY",
    "DAC_RATE_ROW",
    "annual_usd_rates",
    "check_table",
    "cpi_table",
    "deflator_table",
    "gdp_table",
    "lookup",
    "population_table",
]

#: the economy whose consumer prices deflate amounts expressed in a currency (prices="cpi")
CURRENCY_ECONOMY: dict[str, str] = {
    "USD": "USA",
    "JPY": "JPN",
    "GBP": "GBR",
    "CAD": "CAN",
    "EUR": "EMU",
    "UAH": "UKR",
}
#: the row of the OECD DAC exchange-rate table that quotes a currency per USD (the DAC
#: members' own currencies; the euro through the EU-institutions row)
DAC_RATE_ROW: dict[str, str] = {
    "USD": "USA",
    "JPY": "JPN",
    "GBP": "GBR",
    "CAD": "CAN",
    "EUR": "EUI",
    "AUD": "AUS",
    "NZD": "NZL",
    "NOK": "NOR",
    "SEK": "SWE",
    "DKK": "DNK",
    "CHF": "CHE",
    "ISK": "ISL",
    "KRW": "KOR",
    "PLN": "POL",
    "CZK": "CZE",
    "HUF": "HUN",
}

_COLUMNS = ("iso3", "year", "value", "source", "vintage", "note")


def check_table(frame: pd.DataFrame, what: str, *, single_vintage: bool = False) -> pd.DataFrame:
    """Validate a user-supplied macro table and return it in the tidy layout.

    Required columns: ``iso3``, ``year``, ``value``; optional ``source``, ``vintage``,
    ``note``. Keys (iso3, year) must be unique; values numeric and positive.

    Examples
    --------
    >>> t = check_table(pd.DataFrame({"iso3": ["USA"], "year": [2020], "value": [1.5]}), "GDP")
    >>> t.loc[0, "source"]
    'user-supplied GDP'
    >>> check_table(pd.DataFrame({"iso3": ["USA"]}), "GDP")
    Traceback (most recent call last):
    ...
    aidcalc.ValidationError: the GDP table lacks columns 'year', 'value': ...
    """
    if not isinstance(frame, pd.DataFrame):
        raise ValidationError(
            f"the {what} table must be a pandas DataFrame with columns iso3, year, value; "
            f"got {type(frame).__name__}",
            problems=None,
        )
    missing = [c for c in ("iso3", "year", "value") if c not in frame.columns]
    if missing:
        raise ValidationError(
            f"the {what} table lacks columns {join_values(missing)}: give a tidy frame with "
            "columns iso3, year, value (e.g. from aidcalc.io.read_wdi or read_dac_deflators)",
            problems=None,
        )
    out = pd.DataFrame(
        {
            "iso3": frame["iso3"].astype(str).str.strip().str.upper(),
            "year": to_numbers(frame["year"]),
            "value": to_numbers(frame["value"]),
        }
    )
    for col in ("source", "vintage", "note"):
        default = f"user-supplied {what}" if col == "source" else ""
        out[col] = frame[col].fillna("").astype(str) if col in frame.columns else default
    bad = out.index[out["year"].isna() | out["value"].isna() | (out["value"] <= 0)]
    if len(bad):
        raise ValidationError(
            f"the {what} table has {len(bad)} rows with a missing/non-numeric year or a "
            f"missing, non-numeric or non-positive value (index {join_values(list(bad))}); "
            "drop them before passing the table",
            problems=None,
        )
    out["year"] = out["year"].astype("int64")
    dup = out.duplicated(["iso3", "year"], keep=False)
    if dup.any():
        keys = out.loc[dup, ["iso3", "year"]].drop_duplicates().itertuples(index=False)
        raise ValidationError(
            f"the {what} table has several values for {join_values([tuple(k) for k in keys])}"
            " (two vintages or two indicators mixed?): keep one value per iso3 and year",
            problems=None,
        )
    if single_vintage and out["vintage"].nunique() > 1:
        raise ValidationError(
            f"the {what} table mixes vintages {join_values(sorted(out['vintage'].unique()))}: "
            "never mix vintages in one series; filter to one vintage",
            problems=None,
        )
    return out.reset_index(drop=True)


@cache
def _embedded(name: str, scale: float = 1.0) -> pd.DataFrame:
    raw = read_dataset(name, copy=False)
    out = raw.loc[:, list(_COLUMNS)].copy()
    out["note"] = raw["note"].astype(object).where(raw["note"].notna(), "").astype(str)
    out["value"] = out["value"].astype("float64") * scale
    out["year"] = out["year"].astype("int64")
    _EMBEDDED.add(id(out))  # the cache keeps ``out`` alive, so its id stays unique
    return out


def deflator_table(
    deflators: pd.DataFrame | None = None,
    *,
    vintage: VintageSpec = None,
    extend: bool = False,
) -> pd.DataFrame:
    """OECD DAC deflators (USD terms), embedded or user-supplied (one vintage only).

    ``vintage`` selects the embedded vintage (``"2025-04"``, see :func:`aidcalc.datasets`);
    ``extend=True`` adds the IMF WEO extension after each donor's last DAC year
    (:mod:`aidcalc._real._weo`), every such row flagged in ``source`` and ``note``.

    Examples
    --------
    >>> t = deflator_table()
    >>> float(t.query("iso3 == 'JPN' and year == 2015")["value"].iloc[0])
    106.496506
    >>> t = deflator_table(extend=True)
    >>> t.query("iso3 == 'POL' and year == 2026")["source"].item()
    'IMF WEO October 2025'
    """
    if deflators is None:
        table = _embedded(resolve("dac_deflators", vintage))
    else:
        table = check_table(deflators, "DAC deflator", single_vintage=True)
    if extend:
        return extended_deflators(table, vintage)
    return table


def extended_deflators(table: pd.DataFrame, vintage: VintageSpec) -> pd.DataFrame:
    from ._weo import extend_deflators

    key = (id(table), resolve("weo", vintage))
    hit = _EXTENDED.get(key)
    if hit is not None and hit[0] is table:
        return hit[1]
    out = extend_deflators(table, vintage)
    if id(table) in _EMBEDDED:
        _EMBEDDED.add(id(out))
        _EXTENDED[key] = (table, out)
    return out


_EXTENDED: dict[tuple[int, str], tuple[pd.DataFrame, pd.DataFrame]] = {}


def _levels(name: str, indicator: str, supplied: pd.DataFrame | None, what: str,
            vintage: VintageSpec, extend: bool) -> pd.DataFrame:
    if supplied is not None:
        return check_table(supplied, what, single_vintage=True)
    table = _embedded(resolve(name, vintage))
    if not extend:
        return table
    key = (id(table), f"{resolve('weo', vintage)}:{indicator}")
    hit = _EXTENDED.get(key)
    if hit is not None and hit[0] is table:
        return hit[1]
    from ._weo import extend_levels

    out = extend_levels(table, indicator, vintage)
    _EMBEDDED.add(id(out))
    _EXTENDED[key] = (table, out)
    return out


def gdp_table(
    gdp: pd.DataFrame | None = None, *, vintage: VintageSpec = None, extend: bool = True
) -> pd.DataFrame:
    """GDP in current USD: World Bank WDI, then IMF WEO ``NGDPD`` after the World Bank's last
    year (and for economies it lacks), each WEO row flagged (``extend=False``: WDI only).

    Examples
    --------
    >>> t = gdp_table()
    >>> float(t.query("iso3 == 'USA' and year == 2021")["value"].iloc[0])
    23594031000000.0
    >>> t.query("iso3 == 'NOR' and year == 2025")[["source", "note"]].values.tolist()
    [['IMF WEO October 2025 GDP, current USD (NGDPD)', 'IMF estimate/projection']]
    """
    return _levels("wdi_gdp", "NGDPD", gdp, "GDP", vintage, extend)


def population_table(
    population: pd.DataFrame | None = None, *, vintage: VintageSpec = None, extend: bool = True
) -> pd.DataFrame:
    """Population, persons: World Bank WDI, then IMF WEO ``LP`` after its last year (flagged).

    Examples
    --------
    >>> int(population_table().query("iso3 == 'JPN' and year == 2024")["value"].iloc[0])
    123975371
    """
    return _levels("wdi_population", "LP", population, "population", vintage, extend)


def cpi_table(cpi: pd.DataFrame | None = None) -> pd.DataFrame:
    """Consumer price index levels (any base; only ratios are used).

    Rows whose ``source`` is ``derived`` were chain-linked from inflation rates (see
    ``datasets/wdi_cpi.json``).

    Examples
    --------
    >>> t = cpi_table()
    >>> sorted(t.loc[t["source"] == "derived", "iso3"].unique())[:3]
    ['CAN', 'DEU', 'EMU']
    """
    if cpi is None:
        return _embedded("wdi_cpi")
    return check_table(cpi, "CPI")


def dac_rates() -> pd.DataFrame:
    """The OECD DAC annual exchange rates (the pinned vintage)."""
    return _embedded(resolve("dac_exchange_rates"))


def vintage_label(name: str, vintage: VintageSpec = None) -> str:
    """Short vintage text of an embedded dataset, for provenance.

    Examples
    --------
    >>> vintage_label("dac_deflators")
    'DAC1 as cached 2025-02-20'
    >>> vintage_label("dac_deflators", "2024-12")
    'DAC1 published by 2024-12-02'
    """
    return dataset_info(resolve(name, vintage)).vintage


def lookup(
    table: pd.DataFrame, iso3: Sequence[str] | np.ndarray, years: Sequence[int] | np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Values (and row positions in ``table``, -1 where absent) for (iso3, year) pairs.

    Meant for the *unique* pairs of a frame: the caller broadcasts back.

    Examples
    --------
    >>> v, pos = lookup(deflator_table(), ["JPN", "JPN", "XXX"], [2015, 1950, 2015])
    >>> v.tolist()[0], pos.tolist()[1:]
    (106.496506, [-1, -1])
    """
    positions = _positions(table)
    pos = np.fromiter(
        (positions.get((str(k), int(y)), -1) for k, y in zip(iso3, years, strict=True)),
        dtype="int64",
        count=len(iso3),
    )
    values = np.where(pos >= 0, table["value"].to_numpy()[np.maximum(pos, 0)], np.nan)
    return values, pos


def _positions(table: pd.DataFrame) -> dict[tuple[str, int], int]:
    """(iso3, year) -> row position; kept for the embedded (cached, read-only) tables."""
    cached = _POSITIONS.get(id(table))
    if cached is not None and cached[0] is table:
        return cached[1]
    keys = zip(table["iso3"].tolist(), table["year"].tolist(), strict=True)
    positions = {(str(k), int(y)): i for i, (k, y) in enumerate(keys)}
    if id(table) in _EMBEDDED:
        _POSITIONS[id(table)] = (table, positions)
    return positions


_POSITIONS: dict[int, tuple[pd.DataFrame, dict[tuple[str, int], int]]] = {}
_EMBEDDED: set[int] = set()


def annual_usd_rates(
    currencies: Sequence[str],
    years: Sequence[int],
    *,
    rates: RatesLike = None,
    strict: bool = True,
    implied: bool = False,
) -> tuple[np.ndarray, list[str]]:
    """Annual average rates, units of each currency per 1 USD, with their source text.

    The OECD DAC annual exchange rate where the DAC table has the currency and year (USD, JPY,
    GBP, CAD, EUR via the EU-institutions row), else the mean of the ECB daily cross rates of
    that calendar year (``aidcalc._money._convert.lookup_rates(fx="year")``), else, with
    ``implied=True`` (a base year after both, e.g. 2026, with ``extend="weo"``), the IMF WEO
    rate implied by GDP in national currency over GDP in USD, with the IMF's actual/estimate
    flag in the source text. Raises
    :class:`DataCoverageError` when neither has the pair (``strict=False``: NaN instead).

    Examples
    --------
    >>> r, s = annual_usd_rates(["JPY", "USD"], [2015, 2015])
    >>> r.tolist(), s[0]
    ([121.0023, 1.0], 'OECD DAC annual average 2015 (DAC1 as cached 2025-02-20)')
    """
    currencies = [str(c) for c in currencies]
    years = [int(y) for y in years]
    out = np.full(len(currencies), np.nan)
    sources = [""] * len(currencies)
    dac = dac_rates()
    rows = [DAC_RATE_ROW.get(c, "") for c in currencies]
    values, _ = lookup(dac, rows, years)
    vintage = as_vintage(vintage_label("dac_exchange_rates"))
    rest = []
    for i, (c, y, v) in enumerate(zip(currencies, years, values, strict=True)):
        if c == "USD":
            out[i], sources[i] = 1.0, "identity (USD)"
        elif np.isfinite(v):
            out[i] = v
            sources[i] = render(RateFacts("dac", "OECD DAC annual average", y, vintage))
        else:
            rest.append(i)
    if rest:
        missing = _from_rate_table(currencies, years, rest, rates, implied, out, sources)
        if missing and strict:
            raise DataCoverageError(
                f"no annual average exchange rate for {join_values(missing)}: neither the OECD "
                "DAC table nor the rate table covers it; pass rates= with a table that does",
                dataset="exchange rates",
                missing=missing,
                rows=[],
            )
    return out, sources


def _from_rate_table(
    currencies: list[str],
    years: list[int],
    rest: list[int],
    rates: RatesLike,
    implied: bool,
    out: np.ndarray,
    sources: list[str],
) -> list[tuple[str, int]]:
    """Fill ``out``/``sources`` at ``rest`` from the rate table's calendar-year means (else,
    with ``implied``, the IMF WEO's implied rate); return the (currency, year) pairs left."""
    from .._money._amount import code_hint
    from .._money._convert import lookup_rates

    got_rate: dict[int, float] = {}
    got_source: dict[int, str] = {}
    for cur in sorted({currencies[i] for i in rest}):  # loop over unique currencies only
        idx = [i for i in rest if currencies[i] == cur]
        if code_hint(cur):  # not an ISO code (a typo in the data): no rate, rows named below
            got_rate.update(dict.fromkeys(idx, np.nan))
            continue
        dates = pd.to_datetime([f"{years[i]}-07-01" for i in idx])
        got = lookup_rates(["USD"] * len(idx), cur, dates, fx="year", rates=rates)
        for k, i in enumerate(idx):
            got_rate[i] = float(got["fx_rate"].iloc[k])
            got_source[i] = str(got["fx_source"].iloc[k])
    missing = []
    for i in rest:
        rate = got_rate[i]
        if np.isfinite(rate) and rate > 0:
            out[i] = rate
            sources[i] = render(RateFacts("year", rate_facts(got_source[i]).source, years[i]))
            continue
        text = ""
        if implied:
            from ._weo import implied_rate

            rate, text = implied_rate(currencies[i], years[i])
        if np.isfinite(rate) and rate > 0:
            out[i], sources[i] = rate, text
        else:
            missing.append((currencies[i], years[i]))
    return missing
