"""IMF World Economic Outlook as a price source beyond the OECD's and the World Bank's last year.

The OECD publishes DAC deflators a year or more after the fact, and the World Bank's GDP stops
a year before today. For later years aidcalc extends each series with the IMF WEO, the way
pydeflate does, and flags every extended value:

* DAC deflators (USD terms): ``D[k, y] = D[k, L] x G[k, y] / G[k, L]`` for years ``y`` after
  the donor's last DAC year ``L``, with ``G = NGDP_D x NGDPD / NGDP``: the WEO GDP deflator in
  national currency times the change of the WEO exchange rate (USD per national currency,
  implied by GDP in USD over GDP in national currency), i.e. the GDP deflator in USD terms, as
  the DAC deflator is. The EU Institutions (EUI) take the euro area's deflator (IMF group
  G163) and the euro's rate implied by Germany's GDP (the same rate for every euro member).
* GDP (current USD) and population: WEO ``NGDPD`` (x 1e9) and ``LP`` (x 1e6) for the years
  after the World Bank's last one, and for economies the World Bank does not publish (Taiwan).
* CPI: WEO ``PCPI`` growth after the last year of the CPI table.

Each extended row carries the WEO edition (``source``/``vintage``) and the IMF's flag for
the year in ``note``: actual, estimate/projection, or unflagged.
"""

from __future__ import annotations

from functools import cache

import numpy as np
import pandas as pd

from .._base._datasets import VintageSpec, dataset_info, read_dataset, resolve

__all__ = [
    "extend_cpi",
    "extend_deflators",
    "extend_if_needed",
    "extend_levels",
    "extension_notes",
    "extension_text",
    "fill_implied_rates",
    "implied_rate",
    "status_text",
    "weo_edition",
    "weo_levels",
]

#: DAC key -> (WEO price series, WEO exchange-rate series)
WEO_PROXY = {"EUI": ("EMU", "DEU")}
_STATUS_TEXT = {
    "A": "IMF actual",
    "E": "IMF estimate/projection",
    "FY?": "IMF actual or estimate (fiscal-year boundary)",
    "nometa": "not flagged by the IMF",
}
_RANK = {"A": 0, "nometa": 1, "FY?": 2, "E": 3}


def status_text(status: str) -> str:
    """Words for an IMF WEO status flag.

    Examples
    --------
    >>> status_text("E")
    'IMF estimate/projection'
    """
    return _STATUS_TEXT.get(status, f"IMF flag {status!r}")


def weo_edition(vintage: VintageSpec = None) -> str:
    """The WEO edition in use, e.g. ``'IMF WEO October 2025'``.

    Examples
    --------
    >>> weo_edition()
    'IMF WEO October 2025'
    >>> weo_edition("2025-04")
    'IMF WEO April 2025'
    """
    return dataset_info(resolve("weo", vintage)).vintage


@cache
def _wide(name: str, indicator: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(values, statuses) of one WEO indicator: iso3 rows x year columns."""
    raw = read_dataset(name, copy=False)
    part = raw[raw["indicator"] == indicator]
    values = part.pivot(index="iso3", columns="year", values="value")
    status = part.pivot(index="iso3", columns="year", values="status")
    return values, status


def _worst(*statuses: object) -> str:
    got = [s for s in statuses if isinstance(s, str)]
    return max(got, key=lambda s: _RANK.get(s, 9)) if got else "nometa"


@cache
def _usd_growth(name: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """G = NGDP_D x NGDPD / NGDP per key (with the EUI proxy) and year, and its worst flag."""
    d, ds = _wide(name, "NGDP_D")
    usd, us = _wide(name, "NGDPD")
    lcu, ls = _wide(name, "NGDP")
    keys = d.index.union(usd.index).union(lcu.index)
    years = d.columns.union(usd.columns).union(lcu.columns)
    order = sorted(_RANK, key=_RANK.__getitem__)  # flag names by rank

    def grid(frame: pd.DataFrame) -> np.ndarray:
        return frame.reindex(index=keys, columns=years).to_numpy()

    def ranks(frame: pd.DataFrame) -> np.ndarray:
        flat = grid(frame).ravel()
        codes = pd.Categorical(flat, categories=order).codes.astype("float64")
        codes[codes < 0] = np.nan
        return codes.reshape(len(keys), len(years))

    prices = grid(d).astype("float64")
    rate = grid(usd).astype("float64") / grid(lcu).astype("float64")  # USD per national unit
    position = {str(k): i for i, k in enumerate(keys)}
    out_keys = [str(k) for k in keys] + [k for k in WEO_PROXY if k not in position]
    pairs = [WEO_PROXY.get(k, (k, k)) for k in out_keys]
    ok = [i for i, (pk, rk) in enumerate(pairs) if pk in position and rk in position]
    out_keys = [out_keys[i] for i in ok]
    price_rows = np.array([position[pairs[i][0]] for i in ok], dtype="int64")
    rate_rows = np.array([position[pairs[i][1]] for i in ok], dtype="int64")
    growth = prices[price_rows] * rate[rate_rows]
    worst = np.fmax(np.fmax(ranks(ds)[price_rows], ranks(us)[rate_rows]), ranks(ls)[rate_rows])
    names = np.array([*order, "nometa"], dtype=object)
    flags = names[np.where(np.isnan(worst), len(order), worst).astype("int64")]
    return (
        pd.DataFrame(growth, index=out_keys, columns=years),
        pd.DataFrame(flags, index=out_keys, columns=years),
    )


def _extend(
    table: pd.DataFrame,
    growth: pd.DataFrame,
    flags: pd.DataFrame,
    edition: str,
    what: str,
) -> pd.DataFrame:
    """Rows after each key's last year: last value x growth ratio; provenance per row."""
    last = table.groupby("iso3", sort=False, observed=True)["year"].max()
    base = table.set_index(["iso3", "year"])["value"]
    rows: list[tuple[str, int, float, str]] = []
    for key_, last_year in last.items():
        key = str(key_)
        if key not in growth.index:
            continue
        g = pd.Series(growth.loc[key])
        if last_year not in g.index or not np.isfinite(g[last_year]) or g[last_year] <= 0:
            continue
        start = float(base[(key, last_year)]) / float(g[last_year])
        for year in g.index[g.index > last_year]:
            value = float(g[year])
            if not np.isfinite(value) or value <= 0:
                break  # never skip a year: stop at the first gap
            flag = _worst(flags.at[key, year], flags.at[key, last_year])
            note = (
                f"{year} extended from {last_year} with {edition} {what} "
                f"({year}: {status_text(flag)})"
            )
            rows.append((str(key), int(year), start * value, note))
    if not rows:
        return table
    extra = pd.DataFrame(rows, columns=["iso3", "year", "value", "note"])
    extra["source"] = edition
    extra["vintage"] = edition
    out = pd.concat([table, extra[table.columns]], ignore_index=True)
    return out.sort_values(["iso3", "year"], kind="stable").reset_index(drop=True)


def extend_deflators(table: pd.DataFrame, weo: VintageSpec = None) -> pd.DataFrame:
    """``table`` (tidy DAC deflators, USD terms) plus WEO-extended rows after each key's last
    year (see the module docstring); keys without WEO data are left as they are.

    Examples
    --------
    >>> from aidcalc._real._macro import deflator_table
    >>> t = extend_deflators(deflator_table(extend=False))
    >>> row = t[(t["iso3"] == "NOR") & (t["year"] == 2026)].iloc[0]
    >>> print(row["source"], "|", row["note"])  # doctest: +ELLIPSIS
    IMF WEO October 2025 | 2026 extended from 2023 with IMF WEO October 2025 GDP-deflator ...
    """
    name = resolve("weo", weo)
    growth, flags = _usd_growth(name)
    return _extend(
        table, growth, flags, dataset_info(name).vintage,
        "GDP-deflator growth in USD terms (NGDP_D x NGDPD/NGDP)",
    )


def extend_cpi(table: pd.DataFrame, weo: VintageSpec = None) -> pd.DataFrame:
    """``table`` (tidy CPI levels) plus rows after each economy's last year from WEO PCPI growth.

    Examples
    --------
    >>> from aidcalc._real._macro import cpi_table
    >>> t = extend_cpi(cpi_table())
    >>> int(t[t["iso3"] == "JPN"]["year"].max())
    2030
    """
    name = resolve("weo", weo)
    values, flags = _wide(name, "PCPI")
    return _extend(table, values, flags, dataset_info(name).vintage, "CPI (PCPI) growth")


_SCALE = {"NGDPD": 1e9, "LP": 1e6}
_WHAT = {"NGDPD": "GDP, current USD (NGDPD)", "LP": "population (LP)"}


@cache
def weo_levels(name: str, indicator: str) -> pd.DataFrame:
    """A WEO level series in the tidy macro layout, in units (USD, persons).

    Examples
    --------
    >>> t = weo_levels("weo", "LP")
    >>> int(t[(t["iso3"] == "NOR") & (t["year"] == 2026)]["value"].iloc[0])
    5671000
    """
    raw = read_dataset(name, copy=False)
    part = raw[raw["indicator"] == indicator]
    edition = dataset_info(name).vintage
    return pd.DataFrame(
        {
            "iso3": part["iso3"].to_numpy(),
            "year": part["year"].to_numpy(dtype="int64"),
            "value": part["value"].to_numpy(dtype="float64") * _SCALE[indicator],
            "source": f"{edition} {_WHAT[indicator]}",
            "vintage": edition,
            "note": part["status"].map(status_text).to_numpy(),
        }
    ).reset_index(drop=True)


def source_label(table: pd.DataFrame, pos: int, what: str, key: str, year: int) -> str:
    """Provenance of one (key, year) value of a GDP/population table: the WEO edition,
    series and IMF flag for a WEO row, else ``"<what> <key> <year>"``.

    Examples
    --------
    >>> from aidcalc._real._macro import gdp_table, lookup
    >>> t = gdp_table()
    >>> _, pos = lookup(t, ["NOR", "NOR"], [2021, 2026])
    >>> source_label(t, int(pos[0]), "World Bank WDI NY.GDP.MKTP.CD", "NOR", 2021)
    'World Bank WDI NY.GDP.MKTP.CD NOR 2021'
    >>> source_label(t, int(pos[1]), "World Bank WDI NY.GDP.MKTP.CD", "NOR", 2026)
    'IMF WEO October 2025 GDP, current USD (NGDPD) NOR 2026 (IMF estimate/projection)'
    """
    if pos >= 0:
        src = table["source"].iat[pos]
        if isinstance(src, str) and src.startswith("IMF WEO"):
            return f"{src} {key} {year} ({table['note'].iat[pos]})"
    return f"{what} {key} {year}"


def extend_levels(table: pd.DataFrame, indicator: str, weo: VintageSpec = None) -> pd.DataFrame:
    """``table`` (World Bank GDP or population) plus WEO rows for the years after each
    economy's last World Bank year, and for economies the World Bank does not cover.

    Examples
    --------
    >>> from aidcalc._real._macro import gdp_table
    >>> t = extend_levels(gdp_table(extend=False), "NGDPD")
    >>> sorted(t[t["iso3"] == "NOR"]["source"].unique())
    ['IMF WEO October 2025 GDP, current USD (NGDPD)', 'World Bank WDI']
    """
    weo_t = weo_levels(resolve("weo", weo), indicator)
    last = table.groupby("iso3", observed=True)["year"].max()
    cut = weo_t["iso3"].map(last)
    keep = cut.isna() | (weo_t["year"] > cut)
    out = pd.concat([table, weo_t.loc[keep, list(table.columns)]], ignore_index=True)
    return out.sort_values(["iso3", "year"], kind="stable").reset_index(drop=True)


_TEXT_CACHE: dict[int, tuple[pd.DataFrame, dict[tuple[str, int], str]]] = {}


def extension_text(table: pd.DataFrame, key: str, year: int) -> str:
    """The note of an extended (non-DAC) row of ``table``, or ``""``.

    Examples
    --------
    >>> from aidcalc._real._macro import deflator_table
    >>> t = deflator_table()
    >>> extension_text(t, "JPN", 2015)
    ''
    """
    cached = _TEXT_CACHE.get(id(table))
    if cached is None or cached[0] is not table:
        weo_rows = table["source"].astype(str).str.startswith("IMF WEO")
        part = table.loc[weo_rows]
        notes = dict(
            zip(
                zip(part["iso3"].tolist(), part["year"].tolist(), strict=True),
                part["note"].tolist(),
                strict=True,
            )
        )
        if len(_TEXT_CACHE) > 16:
            _TEXT_CACHE.clear()
        _TEXT_CACHE[id(table)] = (table, notes)
        cached = _TEXT_CACHE[id(table)]
    return cached[1].get((key, int(year)), "")


def extend_if_needed(
    table: pd.DataFrame,
    keys: list[str],
    need_year: int,
    vintage: VintageSpec = None,
    *,
    cpi: bool = False,
) -> pd.DataFrame:
    """``table`` with the WEO extension when a key in use ends before ``need_year``; the
    table itself otherwise (so calls inside the OECD's years never read the WEO).

    Examples
    --------
    >>> from aidcalc._real._macro import deflator_table
    >>> t = deflator_table()
    >>> extend_if_needed(t, ["JPN"], 2020) is t
    True
    >>> int(extend_if_needed(t, ["JPN"], 2026).query("iso3 == 'JPN'")["year"].max())
    2030
    """
    last = _last_years(table)
    if all(last.get(k, need_year) >= need_year for k in keys):
        return table
    if cpi:
        return _cached(table, vintage, "cpi", lambda: extend_cpi(table, vintage))
    from ._macro import extended_deflators

    return extended_deflators(table, vintage)


_LAST: dict[int, tuple[pd.DataFrame, dict[str, int]]] = {}
_CPI: dict[tuple[int, str], tuple[pd.DataFrame, pd.DataFrame]] = {}


def _last_years(table: pd.DataFrame) -> dict[str, int]:
    hit = _LAST.get(id(table))
    if hit is not None and hit[0] is table:
        return hit[1]
    last = {str(k): int(v) for k, v in table.groupby("iso3", observed=True)["year"].max().items()}
    if len(_LAST) > 16:
        _LAST.clear()
    _LAST[id(table)] = (table, last)
    return last


def _cached(table: pd.DataFrame, vintage: VintageSpec, what: str, build: object) -> pd.DataFrame:
    key = (id(table), f"{resolve('weo', vintage)}:{what}")
    hit = _CPI.get(key)
    if hit is not None and hit[0] is table:
        return hit[1]
    out = build()  # type: ignore[operator]
    if len(_CPI) > 16:
        _CPI.clear()
    _CPI[key] = (table, out)
    return out


def extension_notes(
    table: pd.DataFrame, key: str, year: int, base_year: int
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The notes for a factor whose year or base year comes from the WEO extension, and the
    WEO editions they name (for :class:`aidcalc._base._provenance.DeflatorFacts`).

    Examples
    --------
    >>> from aidcalc._real._macro import deflator_table
    >>> notes, editions = extension_notes(deflator_table(extend=True), "NOR", 2020, 2026)
    >>> notes[0][:35], editions
    ('base 2026 extended from 2023 with I', ('IMF WEO October 2025',))
    """
    notes: list[str] = []
    editions: list[str] = []
    for y, prefix in ((year, ""), (base_year, "base ")):
        note = extension_text(table, key, y)
        if note and not (prefix and y == year):
            notes.append(prefix + note)
            edition = str(table.loc[(table["iso3"] == key) & (table["year"] == y), "source"]
                          .iloc[0])
            if edition not in editions:
                editions.append(edition)
    return tuple(notes), tuple(editions)


#: the WEO economy whose implied exchange rate stands for a currency (the euro: Germany's,
#: the same for every euro-area member)
RATE_ECONOMY = {
    "USD": "USA", "JPY": "JPN", "GBP": "GBR", "CAD": "CAN", "EUR": "DEU", "AUD": "AUS",
    "NZD": "NZL", "NOK": "NOR", "SEK": "SWE", "DKK": "DNK", "CHF": "CHE", "ISK": "ISL",
    "KRW": "KOR", "PLN": "POL", "CZK": "CZE", "HUF": "HUN",
}


def implied_rate(currency: str, year: int, vintage: VintageSpec = None) -> tuple[float, str]:
    """Units of ``currency`` per USD implied by the WEO (NGDP / NGDPD), with its source text,
    for a DAC member's currency in a year after its last OECD DAC annual rate;
    ``(nan, "")`` otherwise (other currencies, earlier years, or no WEO pair).

    Examples
    --------
    >>> rate, text = implied_rate("EUR", 2026)
    >>> print(round(rate, 2), text)
    0.86 IMF WEO October 2025 rate implied by NGDP/NGDPD of DEU 2026 (IMF estimate/projection)
    >>> implied_rate("XYZ", 2026), implied_rate("EUR", 2022), implied_rate("UAH", 2026)
    ((nan, ''), (nan, ''), (nan, ''))
    """
    from ._macro import DAC_RATE_ROW, dac_rates

    economy = RATE_ECONOMY.get(currency)
    row = DAC_RATE_ROW.get(currency)
    if economy is None or row is None:
        return float("nan"), ""
    last = _last_years(dac_rates()).get(row)
    if last is not None and year <= last:
        return float("nan"), ""  # inside the OECD's years: never replace a published rate
    name = resolve("weo", vintage)
    usd, us = _wide(name, "NGDPD")
    lcu, ls = _wide(name, "NGDP")
    try:
        rate = float(lcu.at[economy, year]) / float(usd.at[economy, year])  # type: ignore[arg-type]
        flag = _worst(ls.at[economy, year], us.at[economy, year])
    except (KeyError, ValueError, ZeroDivisionError):
        return float("nan"), ""
    if not np.isfinite(rate) or rate <= 0:
        return float("nan"), ""
    edition = dataset_info(name).vintage
    return rate, (
        f"{edition} rate implied by NGDP/NGDPD of {economy} {year} ({status_text(flag)})"
    )


def fill_implied_rates(
    currency: str, years: list[int], values: np.ndarray, sources: list[str]
) -> None:
    """Fill, in place, the missing (NaN) annual rates of ``currency`` per USD with the WEO's
    implied rate (:func:`implied_rate`), and their source texts.

    Examples
    --------
    >>> v, s = np.array([np.nan]), [""]
    >>> fill_implied_rates("NOK", [2027], v, s)
    >>> bool(v[0] > 5), s[0][:20]
    (True, 'IMF WEO October 2025')
    """
    for i, year in enumerate(years):
        if not np.isfinite(values[i]):
            rate, text = implied_rate(currency, int(year))
            if np.isfinite(rate):
                values[i], sources[i] = rate, text
