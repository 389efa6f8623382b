"""Relative measures: aid as a share of the donor's GDP, and per person of its population."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal

import numpy as np
import pandas as pd

from .._base import _columns as C
from .._base._compat import check_errors, renamed_argument
from .._base._errors import (
    AidcalcError,
    DataCoverageError,
    ValidationError,
    describe_rows,
    join_values,
)
from .._base._frame_checks import check_frame, check_out_names, check_own_columns
from .._base._provenance import is_converted
from .._money._amount import code_hint
from ._macro import annual_usd_rates, gdp_table, lookup, population_table
from ._rows import (
    Problems,
    amounts,
    categorical,
    column,
    overflow_problems,
    result_frame,
    row_dates,
    unknown_donor_error,
    year_pairs,
)
from ._weo import source_label

__all__ = ["per_capita", "share_of_gdp"]

#: donors measured against another economy's GDP and population (documented in the functions):
#: the EU institutions and the EU's other bodies (EIB, European Peace Facility) against the EU's
MACRO_KEY = {"EUI": "EUU", "EIB": "EUU", "EPF": "EUU"}


def _check(frame: Any, errors: Any, scale: Any, func: str) -> None:
    check_frame(frame, func)
    check_errors(errors, func=func)
    if (
        not isinstance(scale, (int, float))
        or isinstance(scale, bool)
        or not 0 < scale < float("inf")
    ):
        raise ValidationError(
            f"scale must be a positive finite number (e.g. 1e9 for values in billions), got "
            f"{scale!r}",
            problems=None,
        )


def _start(
    frame: Any, errors: Any, scale: Any, func: str, year: tuple[str | None, int | None, str]
) -> tuple[Problems, np.ndarray]:
    """Check the options; the problems collector and each row's year (``year``: the year
    column, the fixed year and the fixed year's keyword)."""
    _check(frame, errors, scale, func)
    problems = Problems(frame.index, errors)
    return problems, _row_years(frame, *year, problems)


def _row_years(
    frame: pd.DataFrame,
    year: str | None,
    fixed: int | None,
    fixed_name: str,
    problems: Problems,
) -> np.ndarray:
    if year is None and fixed is None:
        raise ValidationError(
            f"say which year to compare with: year=<column of years or dates> for each row's own "
            f"year, or {fixed_name}=<a fixed year> (e.g. {fixed_name}=2021 as the Kiel "
            "Institute does)",
            problems=None,
        )
    if year is not None and fixed is not None:
        raise ValidationError(
            f"give either year= (each row's own year) or {fixed_name}= (one fixed year), not both",
            problems=None,
        )
    if fixed is not None:
        if isinstance(fixed, bool) or not isinstance(fixed, (int, np.integer)):
            raise ValidationError(f"{fixed_name} must be a year such as 2021, got {fixed!r}",
                                  problems=None)
        return np.full(len(frame), int(fixed), dtype="int64")
    assert year is not None
    _, years = row_dates(column(frame, year, "year"), year, "year", problems)
    return years


def _donor_keys(
    frame: pd.DataFrame, donor: str, problems: Problems
) -> tuple[np.ndarray, list[str]]:
    """Per-row index into a list of macro keys (ISO3; EUI -> EUU); -1 where unknown/missing."""
    from ._donors import donor_codes

    series = column(frame, donor, "donor")
    codes, uniq = pd.factorize(series, use_na_sentinel=True)
    names = [u if isinstance(u, str) else str(u) for u in uniq]
    mapped = donor_codes(pd.Series(names, dtype=object), errors="coerce").tolist()
    keys = [MACRO_KEY.get(m, m) if isinstance(m, str) else "" for m in mapped]
    unknown = [i for i, k in enumerate(keys) if not k]
    missing = codes < 0
    if missing.any():
        problems.add(
            missing,
            "missing donor",
            ValidationError(
                f"missing donor in {describe_rows(frame.index[missing])}: fill it or use "
                "errors='coerce'",
                problems=None,
            ),
        )
    if unknown:
        bad = np.isin(codes, unknown)
        bad_names = [names[i] for i in unknown]
        problems.add(bad, "unknown donor", unknown_donor_error(bad_names, frame.index[bad]))
    return np.where(missing, -1, codes), keys


def _missing_error(
    what: str, table: pd.DataFrame, missing: list[tuple[str, int]], rows: pd.Index, fix: str
) -> DataCoverageError:
    spans = []
    for k in sorted({k for k, _ in missing}):
        ys = table.loc[table["iso3"] == k, "year"]
        spans.append(f"{k} {ys.min()}-{ys.max()}" if len(ys) else f"{k}: none")
    return DataCoverageError(
        f"no {what} for {join_values(sorted(set(missing)))} in {describe_rows(rows)} "
        f"(coverage: {', '.join(spans)}); {fix}",
        dataset=what,
        missing=sorted(set(missing)),
        rows=list(rows),
    )


def _relative(
    frame: pd.DataFrame,
    columns: tuple[str, str],
    years: np.ndarray,
    table: pd.DataFrame,
    what: str,
    fix: str,
    problems: Problems,
    *,
    per_pair_extra: Callable[[list[tuple[str, int]]], tuple[np.ndarray, list[str]]] | None,
    pair_currency: np.ndarray | None = None,
    rate_error: Callable[[list[tuple[str, int]], pd.Index], AidcalcError] | None = None,
    func: str = "share_of_gdp",
) -> tuple[np.ndarray, np.ndarray, pd.Series]:
    """(value * scale-free numerator, denominator per row, source per row); ``columns``:
    the value and donor columns."""
    value, donor = columns
    values = amounts(column(frame, value, "value"), value, problems, func)
    kidx, keys = _donor_keys(frame, donor, problems)
    if pair_currency is not None:
        # currency joins the key: (donor, currency) pairs, each with its own conversion
        ckey = pd.factorize(pair_currency)[0]
        kidx = np.where((kidx >= 0) & (ckey >= 0), kidx + len(keys) * ckey, -1)
    valid = ~problems.mask & (years >= 0)
    pc, pairs = year_pairs(np.where(valid, kidx, -1), years, _expand(keys, pair_currency))
    found, found_pos = lookup(table, [k.split("|")[0] for k, _ in pairs], [y for _, y in pairs])
    labels = []
    missing = []
    for i, (k, y) in enumerate(pairs):
        if y >= 0 and not np.isfinite(found[i]):
            missing.append((k.split("|")[0], y))
        labels.append(source_label(table, int(found_pos[i]), what, k.split("|")[0], y))
    factor = np.ones(len(pairs))
    if per_pair_extra is not None:
        ok = [i for i, (k, y) in enumerate(pairs) if y >= 0]
        extra, extra_labels = per_pair_extra([pairs[i] for i in ok])
        for j, i in enumerate(ok):
            factor[i] = extra[j]
            labels[i] = f"{labels[i]}; {extra_labels[j]}" if extra_labels[j] else labels[i]
    denom_pair = found * factor
    denom = denom_pair[pc]
    no_data = np.append(~np.isfinite(found), False)[pc] & valid
    if no_data.any():
        err = _missing_error(what, table, missing, frame.index[no_data], fix)
        problems.add(no_data, f"no {what}", err)
    no_rate = valid & ~no_data & ~np.isfinite(denom)
    if no_rate.any() and rate_error is not None:
        lacking = [p for i, p in enumerate(pairs) if p[1] >= 0 and not np.isfinite(factor[i])]
        problems.add(no_rate, "no annual average exchange rate", rate_error(
            lacking, frame.index[no_rate]
        ))
    bad = no_data | no_rate
    codes = np.where(valid & ~bad, pc, -1)
    return values, denom, categorical(codes, labels, frame.index)


def _expand(keys: list[str], pair_currency: np.ndarray | None) -> list[str]:
    if pair_currency is None:
        return keys
    uniq = pd.factorize(pair_currency)[1]
    return [f"{k}|{c}" for c in uniq for k in keys]


@renamed_argument("frame")
def share_of_gdp(
    data: pd.DataFrame,
    *,
    value: str,
    currency: str | None = None,
    donor: str = C.DONOR,
    year: str | None = None,
    gdp_year: int | None = None,
    out: str = "pct_of_gdp",
    scale: float = 1.0,
    gdp: pd.DataFrame | None = None,
    rates: Any = None,
    errors: Literal["raise", "coerce"] = "raise",
    vintage: Any = None,
) -> pd.DataFrame:
    """Aid as a percent of the donor's GDP.

    ``pct = value * scale / (GDP_USD[donor, y] * rate[currency, y]) * 100``, where ``y`` is the
    row's year (``year=``) or one fixed ``gdp_year`` (the Kiel Institute uses 2021), GDP is
    World Bank NY.GDP.MKTP.CD (current USD) and ``rate`` is the annual average of ``y`` in units
    of the value's currency per USD: the OECD DAC annual rate where the DAC table has the
    currency (JPY, GBP, CAD, EUR), else the calendar-year mean of ECB daily rates; for a DAC
    currency in a year after the DAC's last rate that has no complete year of daily rates
    (2026), the IMF WEO rate implied by NGDP/NGDPD, flagged in ``gdp_source``. The EU
    institutions (``EUI``, also what "EU" / "European Union" mean as a donor) and the EU's
    other bodies (``EIB``, ``EPF``) are measured against the GDP of the European Union as a
    whole (``EUU``). A currency without an annual rate for ``y`` (e.g. UAH) raises
    :class:`~aidcalc.DataCoverageError` naming the currency and year.

    Parameters
    ----------
    data
        Input rows; never modified.
    value
        Column of amounts (current prices of the row's currency).
    currency
        A column name, or, when no column has that name, one ISO 4217 code for every row
        (``currency="EUR"``). Without it, the value's own currency: ``fx_to`` for a column
        that ``convert``, ``normalise`` or ``aggregate`` of their results wrote (the rows'
        original ``currency`` is not the value's), else the ``currency`` column.
    donor
        Column of donor codes or names (mapped with :func:`aidcalc._real._donors.donor_codes`).
    year, gdp_year
        Exactly one: ``year`` names a column of years or dates; ``gdp_year`` fixes the year.
        Dates may be datetimes (time-zone aware ones at their local date), ISO 8601 strings
        (mixed UTC offsets are fine), ``"2024"``; only the year is used, so ``07/06/2024``
        counts as 2024 whichever the day/month order.
    out
        Result column (percent).
    scale
        Multiplier turning ``value`` into currency units (``1e9`` for values in billions).
    gdp
        A GDP table in current USD (tidy ``iso3, year, value``, e.g. from
        :func:`aidcalc.io.read_wdi`) instead of the embedded one.
    rates
        Rate table for currencies the DAC table lacks (default ECB).
    errors
        ``"raise"`` or ``"coerce"`` (NaN with the reason in ``error``).
    vintage
        Pin the data vintage (``"embedded"``, or ``{"wdi_gdp": ..., "weo": ...}``; see
        :func:`aidcalc.datasets`). After the World Bank's last year (and for economies it
        lacks, e.g. Taiwan) GDP is the IMF WEO's ``NGDPD``, named with its actual/estimate flag
        in ``gdp_source``.

    Returns
    -------
    pandas.DataFrame
        A copy with ``out``, ``gdp`` (GDP in the value's currency units) and ``gdp_source``.

    Examples
    --------
    Germany's EUR 25.29 bn allocated to Ukraine, as a share of its 2021 GDP:

    >>> import pandas as pd
    >>> f = pd.DataFrame({"donor": ["Germany"], "eur_bn": [25.294509]})
    >>> r = share_of_gdp(f, value="eur_bn", currency="EUR", gdp_year=2021, scale=1e9)
    >>> float(round(r.loc[0, "pct_of_gdp"], 3))
    0.699
    >>> print(r.loc[0, "gdp_source"])
    World Bank WDI NY.GDP.MKTP.CD DEU 2021; USD to EUR at 0.8456 (OECD DAC annual average 2021 ...)
    >>> share_of_gdp(f, value="eur_bn", currency="EUR")
    Traceback (most recent call last):
    ...
    aidcalc.ValidationError: say which year to compare with: year=<column ...
    """
    frame = data  # the argument is data= (as in seaborn); frame= still works
    problems, years = _start(frame, errors, scale, "share_of_gdp", (year, gdp_year, "gdp_year"))
    check_out_names(
        "share_of_gdp", {"out": out},
        reads={"value": value, "currency": currency, "donor": donor, "year": year},
        writes=(C.GDP, C.GDP_SOURCE, C.ERROR),
    )  # fmt: skip
    check_own_columns("share_of_gdp", frame, (out, C.GDP), C.GDP_SOURCE)
    cur = _value_currency(frame, currency, value, problems)
    src = "World Bank WDI NY.GDP.MKTP.CD" if gdp is None else "user-supplied GDP"
    values, denom, source = _relative(
        frame, (value, donor), years, gdp_table(gdp, vintage=_per_table(vintage, "wdi_gdp")),
        src, "download current data (`aidcalc update --source weo`), pass gdp= a table that "
        "covers it (aidcalc.io.read_wdi), choose another gdp_year, or use errors='coerce'",
        problems,
        per_pair_extra=lambda pairs: _convert_pairs(pairs, rates),
        pair_currency=np.where(pd.isna(cur), "", cur).astype(str),
        rate_error=_no_rate_error,
    )
    pct, denom = _ratio(values, scale, denom, frame.index, "the share of GDP", problems, 100.0)
    cols = {
        out: pd.Series(pct, index=frame.index),
        C.GDP: pd.Series(denom, index=frame.index),
        C.GDP_SOURCE: source,
    }
    return result_frame(frame, cols, problems, errors)


def _value_currency(
    frame: pd.DataFrame, currency: str | None, value: str, problems: Problems
) -> np.ndarray:
    """Each row's currency: a column's (upper case; missing ones are problems), or one code;
    without ``currency``, ``fx_to`` for a converted ``value``, else ``currency``."""
    if currency is None:
        converted = is_converted(frame.columns, value) and C.FX_TO in frame.columns
        if not converted and C.CURRENCY not in frame.columns:
            raise ValidationError(
                f"the value's currency is unknown: the frame has no {C.CURRENCY!r} column (nor "
                f"{C.FX_TO!r} from a conversion); pass currency= a column or one ISO 4217 "
                "code such as 'EUR'",
                problems=None,
            )
        currency = C.FX_TO if converted else C.CURRENCY
    if currency in frame.columns:
        cur = _upper(column(frame, currency, "currency"))
        miss = pd.isna(cur)
        if miss.any():
            problems.add(
                miss,
                "missing currency",
                ValidationError(
                    f"missing currency in {describe_rows(frame.index[miss])}: fill it, pass a "
                    "fixed currency='EUR', or use errors='coerce'",
                    problems=None,
                ),
            )
        return cur
    if isinstance(currency, str) and len(currency) == 3 and currency.isalpha():
        return np.full(len(frame), currency.upper(), dtype=object)
    raise ValidationError(
        f"currency={currency!r} is neither a column ({join_values(list(frame.columns))}) "
        "nor an ISO 4217 code such as 'EUR'",
        problems=None,
    )


def _convert_pairs(pairs: list[tuple[str, int]], rates: Any) -> tuple[np.ndarray, list[str]]:
    """Per (donor|currency, year) pair: the annual rate, units of the currency per USD, that
    takes GDP in USD to the value's currency, and its provenance (NaN where there is none).

    Each pair on its own: a year without a rate leaves only its own pairs NaN (reported as
    a missing GDP conversion by the caller), never the other years of the currency."""
    curs = [k.split("|")[1] for k, _ in pairs]
    # a year after the OECD's last annual rate without a whole calendar year of daily rates
    # (2026): the IMF WEO's rate implied by NGDP/NGDPD, as for the WEO's GDP of such years
    r, s = annual_usd_rates(curs, [y for _, y in pairs], rates=rates, strict=False, implied=True)
    texts = [
        "" if c == "USD" or not np.isfinite(r[i]) else f"USD to {c} at {r[i]:g} ({s[i]})"
        for i, c in enumerate(curs)
    ]
    return np.asarray(r, dtype="float64"), texts


def _no_rate_error(lacking: list[tuple[str, int]], rows: pd.Index) -> DataCoverageError:
    missing = sorted({(k.split("|")[1], y) for k, y in lacking})
    shown = ", ".join(f"USD -> {c}{code_hint(c)} in {y}" for c, y in missing[:8])
    return DataCoverageError(
        f"no annual average exchange rate ({shown}) to express GDP "
        f"(current USD) in the value's currency, for {describe_rows(rows)}: neither the "
        "OECD DAC table nor the rate table (calendar-year mean of daily rates) has it. "
        "Pass rates= with a table that covers it, convert the values first "
        "(aidcalc.convert) and give that currency, or use errors='coerce'",
        dataset="exchange rates",
        missing=missing,
        rows=list(rows),
    )


def _ratio(
    values: np.ndarray, scale: float, denom: np.ndarray, index: pd.Index, what: str,
    problems: Problems, times: float | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """``values * scale / denom`` (``* times``) and ``denom``, NaN on rows with a problem
    (an overflow is one)."""
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        ratio = values * scale / denom
        if times is not None:
            ratio = ratio * times
    overflow_problems(ratio, (values, denom), index, what, problems)
    bad = problems.mask
    return np.where(bad, np.nan, ratio), np.where(bad, np.nan, denom)


def _per_table(vintage: Any, table: str) -> Any:
    """A vintage id pins ``table`` (and ``"embedded"`` every table); a mapping is per table."""
    if isinstance(vintage, str) and vintage != "embedded":
        return {table: vintage}
    return vintage


def _upper(series: pd.Series) -> np.ndarray:
    codes, uniq = pd.factorize(series, use_na_sentinel=True)
    look = np.array([str(u).strip().upper() for u in uniq] + [None], dtype=object)
    return look[np.where(codes < 0, len(uniq), codes)]


@renamed_argument("frame")
def per_capita(
    data: pd.DataFrame,
    *,
    value: str,
    donor: str = C.DONOR,
    year: str | None = None,
    population_year: int | None = None,
    out: str = "per_capita",
    scale: float = 1.0,
    population: pd.DataFrame | None = None,
    errors: Literal["raise", "coerce"] = "raise",
    vintage: Any = None,
) -> pd.DataFrame:
    """Aid per person of the donor's population.

    ``per_capita = value * scale / population[donor, y]`` in the value's own currency units,
    with World Bank SP.POP.TOTL and ``y`` the row's year (``year=``) or a fixed
    ``population_year`` (the Kiel Institute uses 2024). The EU institutions (``EUI``) and
    the EU's other bodies (``EIB``, ``EPF``) are divided by the population of the European
    Union as a whole (``EUU``).

    Parameters
    ----------
    data
        Input rows; never modified.
    value
        Column of amounts.
    donor
        Column of donor codes or names.
    year, population_year
        Exactly one: a column of years or dates (read as for :func:`share_of_gdp`), or one
        fixed year.
    out
        Result column.
    scale
        Multiplier turning ``value`` into currency units (``1e9`` for billions).
    population
        A population table (tidy ``iso3, year, value``) instead of the embedded one.
    errors
        ``"raise"`` or ``"coerce"``.
    vintage
        Pin the data vintage, as for :func:`share_of_gdp`; after the World Bank's last year
        the population is the IMF WEO's ``LP``, flagged in ``population_source``.

    Returns
    -------
    pandas.DataFrame
        A copy with ``out``, ``population`` and ``population_source``.

    Examples
    --------
    >>> import pandas as pd
    >>> f = pd.DataFrame({"donor": ["JPN", "USA"], "eur_bn": [11.037625, 115.380649]})
    >>> r = per_capita(f, value="eur_bn", population_year=2024, scale=1e9)
    >>> r["per_capita"].round(2).tolist()
    [89.03, 339.24]
    """
    frame = data  # the argument is data= (as in seaborn); frame= still works
    problems, years = _start(
        frame, errors, scale, "per_capita", (year, population_year, "population_year")
    )
    check_out_names(
        "per_capita", {"out": out}, reads={"value": value, "donor": donor, "year": year},
        writes=(C.POPULATION, C.POPULATION_SOURCE, C.ERROR),
    )  # fmt: skip
    check_own_columns("per_capita", frame, (out, C.POPULATION), C.POPULATION_SOURCE)
    table = population_table(population, vintage=_per_table(vintage, "wdi_population"))
    src = "World Bank WDI SP.POP.TOTL" if population is None else "user-supplied population"
    values, denom, source = _relative(
        frame, (value, donor), years, table, src,
        "download current data (`aidcalc update --source weo`), pass population= a table "
        "that covers it (aidcalc.io.read_wdi), choose another population_year, or use "
        "errors='coerce'",
        problems,
        per_pair_extra=None,
        func="per_capita",
    )
    each, denom = _ratio(values, scale, denom, frame.index, "the amount per person", problems)
    cols = {
        out: pd.Series(each, index=frame.index),
        C.POPULATION: pd.Series(denom, index=frame.index),
        C.POPULATION_SOURCE: source,
    }
    return result_frame(frame, cols, problems, errors)
