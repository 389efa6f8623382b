"""Constant prices: ``normalise`` expresses amounts in one currency at one base year's prices.

Every factor is visible in provenance columns, and every number comes from an embedded official
table (OECD DAC deflators and exchange rates, World Bank CPI) or a table the user passes.
``normalise`` is a dispatcher: check the options, read the columns, the exchange-rate step
(:mod:`._fx`), the factors of the price source (:mod:`._sources`), assemble the result.
"""

from __future__ import annotations

from typing import Any, Literal, NamedTuple

import numpy as np
import pandas as pd

from .._base import _columns as C
from .._base._compat import check_errors, renamed_argument
from .._base._dask import dask_aware
from .._base._errors import AidcalcError, ValidationError
from .._base._frame_checks import (
    check_frame,
    check_out_names,
    check_provenance_free,
    date_column,
)
from .._base._provenance import render
from .._money._amount import check_currency
from .._money._frame_units import money_with_currency, with_currency_unit
from ._cells import gather, representatives, row_keys
from ._fx import fx_step, with_base_leg
from ._rows import (
    Problems,
    add_columns,
    amounts,
    categorical,
    column,
    factorize,
    merge_errors,
    overflow_problems,
    relabel,
    result_frame,
    row_dates,
)
from ._sources import SOURCES, Factors, PriceSource, Request

__all__ = ["normalise"]


_FX = ("spot", "month", "year", "dac")


def _check_args(
    frame: Any, to: Any, base_year: Any, fx: Any, prices: Any, errors: Any, extend: Any
) -> str:
    """Check normalise's options; return ``to`` as a code (any case: "usd" is USD)."""
    check_frame(frame, "normalise")
    to = check_currency(to, "to")
    if isinstance(base_year, bool) or not isinstance(base_year, (int, np.integer)):
        raise ValidationError(
            f"base_year must be a year such as 2022, got {base_year!r}", problems=None
        )
    if fx not in _FX:
        raise ValidationError(f"fx must be one of {_FX}, got {fx!r}", problems=None)
    if prices not in SOURCES:  # the price sources (aidcalc._real._sources)
        raise ValidationError(
            f"prices must be 'dac', 'cpi' or None ('none'), got {prices!r}", problems=None
        )
    check_errors(errors, func="normalise")
    if extend not in (None, "last", "weo"):
        raise ValidationError(
            f"extend must be 'weo', 'last' or None, got {extend!r}", problems=None
        )
    return to


@renamed_argument("frame")
@dask_aware
def normalise(
    data: pd.DataFrame,
    to: str = "USD",
    base_year: int = 2022,
    *,
    amount: str = C.AMOUNT,
    currency: str = C.CURRENCY,
    date: str | None = None,
    donor: str | None = C.DONOR,
    fx: Literal["spot", "month", "year", "dac"] = "spot",
    prices: Literal["dac", "cpi", "none", "current"] | None = "dac",
    errors: Literal["raise", "coerce"] = "raise",
    out: str | None = None,
    extend: Literal["weo", "last"] | None = "weo",
    rates: Any = None,
    deflators: pd.DataFrame | None = None,
    cpi: pd.DataFrame | None = None,
    locale: Any = None,
    vintage: Any = None,
) -> pd.DataFrame:
    """Express amounts in currency ``to`` at constant ``base_year`` prices, showing every factor.

    Parameters
    ----------
    data
        Input rows; never modified.
    to
        ISO 4217 code of the result.
    base_year
        Year whose prices the result is expressed in.
    amount, currency, date, donor
        Column names. ``date`` may hold dates (strings, datetimes) or, for ``fx="year"`` /
        ``fx="dac"``, integer years; without it, the dates are the ``date`` column, or, when
        the frame has none, ``announced`` (as in :func:`aidcalc.convert`). ``donor`` holds
        codes or names (mapped with :func:`aidcalc._real._donors.donor_codes`);
        ``donor=None`` uses the DAC total for every row.
        A pint-pandas ``amount`` in a currency (``pint[USD]``) gives the currency as in
        :func:`aidcalc.convert` (a contradicting ``currency`` column raises, a non-money unit
        raises) and the result column is ``pint[to]``; ``price_base`` says at which prices.
    fx
        ``"spot"`` (the day's ECB fixing, or the last one within 7 days before it),
        ``"month"``/``"year"`` (mean of the daily cross rates of the month / calendar year),
        or ``"dac"`` (the OECD DAC annual average rate of the row's year: with
        ``prices="dac"`` this is exactly the OECD's own arithmetic).
    prices
        ``"dac"``, ``"cpi"`` or ``None`` (see Notes); ``"none"`` and ``"current"`` (as the
        command line writes it) mean ``None``: current prices.
    errors
        ``"raise"`` (default) raises on the first problem, naming rows and values;
        ``"coerce"`` gives NaN with the reason in an ``error`` column.
    out
        Result column; default ``f"{amount}_{to}_{base_year}"`` (``f"{amount}_{to}"`` for
        current prices).
    extend
        ``"weo"`` (default), ``"last"`` or ``None``: years after the table's last one (see
        Notes).
    rates
        A :class:`~aidcalc.RateTable` (default: ECB reference rates).
    deflators
        A later DAC deflator vintage (tidy ``iso3, year, value``, e.g. from
        :func:`aidcalc.io.read_dac_deflators`); one vintage only.
    cpi
        A CPI table (tidy ``iso3, year, value``, any base), e.g. from
        :func:`aidcalc.io.read_wdi`.
    locale
        Day/month order of numeric dates such as ``07/06/2024`` (``de``, ``fr``, ``en_GB``:
        day-first; ``en_US``: month-first); without it only dates that read one way are
        accepted (where only the year is used, any order is fine).
    vintage
        Pin the data vintage so an analysis reproduces exactly: a ``vintage_id`` of the DAC
        deflators (``"2025-04"``), ``"embedded"``, or a mapping such as
        ``{"dac_deflators": "2025-02", "weo": "2025-04"}``; :func:`aidcalc.datasets` lists
        them. Default: the process-wide pin (``aidcalc.pin_vintages``), else the current
        download (``aidcalc update``), else the embedded data.

    Returns
    -------
    pandas.DataFrame
        A copy of ``frame`` (same rows, order and index) plus the result column and
        provenance: ``fx_rate``, ``fx_date``, ``fx_source``, ``fx_to`` (``to``),
        ``deflator``, ``deflator_source``, ``price_base`` (and ``base_fx_rate``,
        ``base_fx_source`` for ``prices="dac"``; ``error`` with ``errors="coerce"``). Source
        columns are categorical. A frame without rows gives an empty frame with these columns.

    Raises
    ------
    DataCoverageError
        A (donor, year) or base year outside the deflator / CPI table.
    RateNotFoundError
        No exchange rate for a row.
    UnknownDonorError, ValidationError
        Unknown donor names, missing columns, non-numeric amounts, unreadable, ambiguous
        (``07/06/2024``) or too coarse dates (``"2024"`` with ``fx="spot"``).

    Notes
    -----
    ``prices="dac"`` (the OECD method for aid). Write ``A`` for a row's amount, ``c`` its
    currency, ``Y`` the year of its date, ``B`` for ``base_year``, ``D[k, y]`` for the OECD
    DAC deflator (USD terms) of the donor's key ``k`` and ``R(y)`` for the annual average
    rate of year ``y``, units of ``to`` per USD, *from the source that* ``fx`` *uses*: for
    ``fx="dac"`` the OECD DAC annual exchange rate (for a currency the DAC table lacks, the
    calendar-year mean of the rate table's daily rates); for ``fx="spot"``/``"month"``/
    ``"year"`` the calendar-year mean of the rate table's daily USD cross rates (ECB by
    default). ``price_base`` names it.

    1. A row whose currency is not ``to`` is converted to current USD at the rate chosen by
       ``fx`` (USD per unit of ``c``), divided by the deflator rebased to ``B``
       (``deflator = D[k, Y] / D[k, B]``: constant ``B`` USD), then, if ``to`` is not USD,
       converted at the base year's annual average rate ``base_fx_rate = R(B)`` (its source
       in ``base_fx_source``)::

           value = A * fx_rate / deflator,   fx_rate = (USD per c at the row's date) * R(B)

       ``fx_rate`` is always units of ``to`` per unit of the row's currency, both legs
       included. A USD row takes only the second leg: its ``fx_rate`` is ``R(B)``, its
       ``fx_date`` the first day of that rate's year and its ``fx_source`` that rate's source
       (never "identity": only rows already in ``to`` are). Other rows keep the date and
       source of their own rate, and ``base_fx_source`` names the second leg's.

    2. A row already in ``to`` (``to`` not USD) takes no detour through USD: it is deflated by
       the donor's DAC deflator expressed in ``to`` terms, ``D_to[k, y] = D[k, y] * R(y)``
       (``fx_rate`` = ``base_fx_rate`` = 1)::

           deflator = D_to[k, Y] / D_to[k, B] = (D[k, Y] / D[k, B]) * (R(Y) / R(B))
           value = A / deflator

       This is rule 1 with the row converted to USD at ``1 / R(Y)``, the annual average of the
       same source as the way back, so the two conversions cancel: a row of year ``B`` keeps
       its amount exactly, whatever ``fx``. With ``fx="dac"`` rules 1 and 2 coincide and are
       the OECD's own arithmetic for amounts in the donor's currency.

    Donors without their own deflator use the DAC countries total (row ``DAC``); EU bodies and
    aggregates without one (``EUU`` the EU as a whole, ``EMU``, ``EIB``, ``EPF``) use the EU
    institutions' (``EUI``) as a proxy. ``deflator_source`` says which, and why.

    ``prices="cpi"``: the amount is converted to ``to`` at the rate chosen by ``fx``, then
    divided by ``deflator = CPI[economy, Y] / CPI[economy, B]`` of the economy of ``to``
    (USD: USA, JPY: JPN, GBP: GBR, CAD: CAN, EUR: euro area EMU, UAH: UKR), World Bank
    FP.CPI.TOTL, extended after 2021 by chain-linking FP.CPI.TOTL.ZG (rows marked derived).
    ``value = A * fx_rate / deflator``.

    ``prices=None``: current prices, ``value = A * fx_rate`` (``deflator`` is 1).

    Dates: datetime columns (time-zone aware ones at their local calendar date), ISO 8601
    strings (rows may carry different UTC offsets: each counts at the calendar date written),
    day/month/year strings whose order is unambiguous (``13/06/2024``) and English month names
    ("7 June 2024"). ``fx="spot"`` needs the day, ``fx="month"`` the month; ``"2024"`` or a
    column of integer years only does for ``fx="year"``/``"dac"``. A date such as
    ``07/06/2024`` (7 June or July 6?) raises :class:`~aidcalc.ValidationError` where the day
    or month matters, never a guess. The year of a row is the year of its date.

    Years after a donor's last DAC year (and a later ``base_year``) are, by default
    (``extend="weo"``), extended with the IMF World Economic Outlook: the donor's GDP deflator
    growth in USD terms since its last DAC year (:mod:`aidcalc._real._weo`; also for
    ``prices="cpi"``, with WEO CPI growth). ``deflator_source`` names the WEO edition and
    whether the IMF's figure for the year is actual or an estimate/projection; ``price_base``
    says that the WEO was used. ``extend="last"`` instead carries the last published factor
    forward (for rule 2: the last year with both a deflator and an annual rate), flagged in
    ``deflator_source``, and likewise the last annual rate ``R`` before a base year without
    one (flagged in ``base_fx_source``); ``extend=None`` allows no extension. A year still
    outside coverage raises :class:`~aidcalc.DataCoverageError` naming the fix. Nothing is
    extrapolated silently.

    Provenance is exact per row: ``price_base`` names ``to`` and the method, one text for
    every row of the call (``"constant 2026 EUR (OECD DAC deflators, ...)"``, never another
    currency), so :func:`aidcalc.aggregate` can add the rows; each rate's value, date and
    publisher are in ``fx_rate``/``fx_date``/``fx_source`` (and ``base_fx_rate``/
    ``base_fx_source``); with ``fx="dac"`` a year the OECD DAC table lacks takes the
    calendar-year mean of the rate table and the row's source says so.

    A row needs a date only where a rate (a currency other than ``to``) or a deflator
    (``prices`` not ``None``) needs one: with current prices, rows already in ``to`` may be
    undated (their date is not read). Every other undated or unreadable row raises, or with
    ``errors="coerce"`` becomes NaN with the reason; none is dropped. Dates outside
    1910-01-01..2100-12-31 (a year alone: 1900..2100) are refused (never wrapped). Amounts
    must be finite numbers: ``inf``, text and results that overflow are refused the same
    way; a boolean column raises.

    Examples
    --------
    $1,000,000 of Japanese aid in 2015 in constant 2022 USD (1e6 * D[2022] / D[2015]):

    >>> import pandas as pd
    >>> f = pd.DataFrame({"donor": ["JPN"], "amount": [1e6], "currency": ["USD"],
    ...                   "date": ["2015-06-30"]})
    >>> r = normalise(f, "USD", 2022)
    >>> print(f"{r.loc[0, 'amount_USD_2022']:,.2f} (deflator {r.loc[0, 'deflator']:.6f})")
    938,997.94 (deflator 1.064965)
    >>> print(r.loc[0, "price_base"])
    constant 2022 USD (OECD DAC deflators, DAC1 as cached 2025-02-20)

    An amount already in ``to``, in the base year, keeps its value exactly (rule 2):

    >>> e = pd.DataFrame({"donor": ["DEU"], "amount": [1e6], "currency": ["EUR"],
    ...                   "date": ["2022-06-30"]})
    >>> float(normalise(e, "EUR", 2022).loc[0, "amount_EUR_2022"])
    1000000.0

    Every DAC member has its own deflator; a donor without one uses the DAC total:

    >>> r = normalise(f.assign(donor="Poland"), "USD", 2022)
    >>> print(r.loc[0, "deflator_source"])
    OECD DAC deflator of POL, 2015 rebased to 2022=100 (DAC1 as cached 2025-02-20)
    >>> r = normalise(f.assign(donor="Brazil"), "USD", 2022)
    >>> print(r.loc[0, "deflator_source"])
    OECD DAC deflator of DAC countries total (DAC; BRA has none), 2015 rebased to 2022=100 ...

    After the OECD's last year, the IMF WEO extends the donor's deflator, flagged:

    >>> r = normalise(f.assign(date="2025-03-01"), "USD", 2026)
    >>> print(r.loc[0, "deflator_source"])  # doctest: +ELLIPSIS
    OECD DAC deflator of JPN, ...; 2025 extended from 2023 with IMF WEO October 2025 ...
    >>> print(r.loc[0, "price_base"])  # doctest: +ELLIPSIS
    constant 2026 USD (OECD DAC deflators, DAC1 as cached 2025-02-20; after ... IMF WEO ...)
    >>> normalise(f.assign(date="2025-03-01"), "USD", 2022, extend=None)
    Traceback (most recent call last):
    ...
    aidcalc.DataCoverageError: the OECD DAC deflators do not cover ('JPN', 2025) ...
    >>> r = normalise(f.assign(date="2025-03-01"), "USD", 2022, extend="last")
    >>> print(f"{r.loc[0, 'deflator']:.6f}", "extend='last'" in r.loc[0, "deflator_source"])
    0.968208 True
    """
    frame = data  # the argument is data= (as in seaborn); frame= still works
    if isinstance(prices, str) and prices.lower() in ("none", "current"):
        prices = None
    to = _check_args(frame, to, base_year, fx, prices, errors, extend)
    date = date_column(frame, date)
    base_year, source = int(base_year), SOURCES[prices]
    if out is None:
        out = f"{amount}_{to}_{base_year}" if prices is not None else f"{amount}_{to}"
    check_out_names(
        "normalise", {"out": out},
        reads={"amount": amount, "currency": currency, "date": date, "donor": donor},
        writes=C.PRICE_COLUMNS,
    )  # fmt: skip
    check_provenance_free("normalise", frame, out=out, to=to, writes=C.PRICE_COLUMNS)
    opts = _Options(
        to, base_year, prices, source, fx, errors, out, extend, rates,
        deflators if prices == "dac" else cpi, locale, _pinned(vintage),
        (amount, currency, date, donor if source.by_donor else None),
    )  # fmt: skip
    cols = _read(frame, *opts.names)
    if len(frame) == 0:
        return _empty(frame, out, source, errors).assign(
            **{out: lambda e: with_currency_unit(e[out], to, cols.units)}
        )
    by_key = _by_key(frame, cols, opts)
    return by_key if by_key is not None else _by_row(frame, cols, opts)


class _Options(NamedTuple):
    """normalise's options, checked (``names``: the amount, currency, date and donor columns;
    donor None where the price source does not read it)."""

    to: str
    base_year: int
    prices: str | None
    source: PriceSource
    fx: Literal["spot", "month", "year", "dac"]
    errors: str
    out: str
    extend: str | None
    rates: Any
    table: pd.DataFrame | None  # the user's deflators= or cpi=
    locale: Any
    vintage: Any
    names: tuple[str, str, str, str | None]


def _by_row(frame: pd.DataFrame, cols: _Columns, opts: _Options) -> pd.DataFrame:
    """normalise, row by row (vectorised): amounts, dates, the FX step, the factors of the
    price source, the result."""
    to, fx, source = opts.to, opts.fx, opts.source
    problems = Problems(frame.index, opts.errors)
    values = amounts(cols.amount, opts.names[0], problems, "normalise")
    in_to, usd_rows = _currency_is(cols.currency, to)
    # a row needs a date only where a rate (another currency) or a deflator (prices) needs one
    dates, years = row_dates(
        cols.date, opts.names[2], fx, problems, opts.locale,
        needed=None if opts.prices is not None else ~in_to,
    )  # fmt: skip
    # rows already in `to` (DAC method): deflated in `to` terms, no USD detour (Notes)
    own = in_to & (source.via_usd and to != "USD")
    rate, rate_date, fx_source = _rates(cols.currency, dates, years, to, fx, opts.rates,
                                        problems, own, source, opts.extend)  # fmt: skip
    request = Request(
        frame.index, to, opts.base_year, years, ~problems.mask, own, fx, opts.rates,
        opts.extend, opts.vintage, opts.table, cols.donors, problems,
        _need_year(opts.base_year, years, ~problems.mask),
    )  # fmt: skip
    factors = source.factors(request)
    leg = factors.base_leg
    if leg is not None and np.isfinite(leg.fx):  # the second leg, on each row that takes it
        rate, rate_date, fx_source = with_base_leg(
            rate, rate_date, fx_source, ~own & usd_rows, ~own & ~usd_rows, leg.fx, leg.year,
            leg.text,
        )  # fmt: skip
    return _assemble(frame, opts.out, values, (rate, rate_date, fx_source), factors, source,
                     request, cols.units)  # fmt: skip


#: frames smaller than this go row by row; larger ones once per distinct (donor, currency,
#: date) when those are at most a quarter of the rows
_BY_KEY_MIN_ROWS = 20_000
_BY_KEY_MAX_SHARE = 0.25
_OUTPUTS = frozenset(C.PRICE_COLUMNS)  # what normalise writes besides `out` (error included)


def _by_key(frame: pd.DataFrame, cols: _Columns, opts: _Options) -> pd.DataFrame | None:
    """normalise once per distinct (donor, currency, date), gathered back to every row
    (:mod:`aidcalc._real._cells`); None where that gains nothing or cannot be exact (pint
    amounts, a problem to raise, an overflow): the caller then goes row by row.

    Every factor and provenance text of a row is a function of those values alone, so one
    representative row per key gets them; only the amount is per row, and its checks run on
    every row first (a row whose amount is refused is a key of its own, since its reason
    names it). The amount is then ``A * fx_rate / deflator`` exactly as row by row.
    """
    names = list(dict.fromkeys(c for c in opts.names if c is not None))
    if (
        len(frame) < _BY_KEY_MIN_ROWS
        or cols.units is not None
        or _OUTPUTS.intersection(names)  # an input named like an output: row by row
    ):
        return None
    problems = Problems(frame.index, opts.errors)
    values = amounts(cols.amount, opts.names[0], problems, "normalise")
    keyed = [c for c in (cols.donors, cols.currency, cols.date) if c is not None]
    rep = representatives(row_keys(keyed, problems.mask), _BY_KEY_MAX_SHARE)
    if rep is None:
        return None
    sub = frame[names].take(rep.rows)
    # a key's factors must not depend on its first row's amount (1e308 would overflow there
    # and refuse the key's other rows): amounts of 1, but refused ones as they are
    sub[opts.names[0]] = sub[opts.names[0]].where(problems.mask[rep.rows], 1.0)
    try:
        small = _by_row(sub, _read(sub, *opts.names), opts)
    except AidcalcError:  # raised: row by row names every row concerned
        return None
    added = [c for c in small.columns if c not in sub.columns]
    index = frame.index
    got = {c: gather(small[c], rep.row_pos, index) for c in added if c != opts.out}
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        result = values * got[C.FX_RATE].to_numpy() / got[C.DEFLATOR].to_numpy()
    if np.isinf(result).any():  # an amount that overflows: row by row reports it
        return None
    got = {opts.out: pd.Series(result, index=index, copy=False), **got}
    if C.ERROR in got:
        got[C.ERROR] = merge_errors(frame, got[C.ERROR])
    return add_columns(frame, got)


class _Columns(NamedTuple):
    """The input columns normalise reads (``units``: a pint money column's currency)."""

    amount: pd.Series
    currency: pd.Series
    date: pd.Series
    donors: pd.Series | None
    units: Any


def _read(
    frame: pd.DataFrame, amount: str, currency: str, date: str, donor: str | None
) -> _Columns:
    """The columns, each checked to be there (a pint ``amount`` gives the currency)."""
    amount_col = column(frame, amount, "amount")
    units = money_with_currency(frame, amount, currency, "normalise")  # pint[USD]: the currency
    amount_col, cur = (amount_col, column(frame, currency, "currency")) if not units else units[:2]
    date_col = column(frame, date, "date")
    donors = column(frame, donor, "donor") if donor is not None else None
    return _Columns(amount_col, cur, date_col, donors, units)


def _currency_is(cur: pd.Series, to: str) -> tuple[np.ndarray, np.ndarray]:
    """Per row: is the currency ``to``, is it USD (any case, spaces ignored)."""
    codes, uniq = factorize(cur)
    clean = [u.strip().upper() if isinstance(u, str) else None for u in uniq] + [None]
    return np.array([u == to for u in clean])[codes], np.array([u == "USD" for u in clean])[codes]


def _rates(
    cur: pd.Series,
    dates: np.ndarray,
    years: np.ndarray,
    to: str,
    fx: Literal["spot", "month", "year", "dac"],
    rates: Any,
    problems: Problems,
    own: np.ndarray,
    source: PriceSource,
    extend: str | None,
) -> tuple[np.ndarray, np.ndarray, pd.Series]:
    """Each row's rate to ``to`` (to USD for a source that deflates in USD terms); rows
    deflated in ``to`` terms take none (rate 1, "identity"). ``extend="weo"``: a year after
    the published annual rates takes the IMF WEO's implied rate with ``fx="dac"``."""
    target = "USD" if source.via_usd else to
    rate, rate_date, fx_source = fx_step(
        cur, dates, years, target, fx, rates, problems, ~problems.mask & ~own,
        implied=extend == "weo",
    )  # fmt: skip
    if own.any():
        rate = np.where(own, 1.0, rate)
        rate_date = np.where(own, dates, rate_date)
        fx_source = relabel(
            fx_source, own, f"identity ({to} to {to}: deflated in {to} terms, no USD detour)"
        )
    return rate, rate_date, fx_source


def _pinned(vintage: Any) -> Any:
    """A vintage id pins the deflator table (and "embedded" every table); a mapping is per
    table."""
    if isinstance(vintage, str) and vintage != "embedded":
        return {"dac_deflators": vintage}
    return vintage


def _need_year(base_year: int, years: np.ndarray, valid: np.ndarray) -> int:
    """The latest year a factor is needed for (the WEO extends a table up to it)."""
    return max(base_year, int(years[valid].max())) if valid.any() else base_year


def _assemble(
    frame: pd.DataFrame,
    out: str,
    values: np.ndarray,
    fx: tuple[np.ndarray, np.ndarray, pd.Series],
    factors: Factors,
    source: PriceSource,
    request: Request,
    units: Any,
) -> pd.DataFrame:
    """The result: ``frame`` plus the amount and every factor with its provenance; rows
    with a problem NaN (their reason in ``error`` with ``errors="coerce"``)."""
    rate, rate_date, fx_source = fx
    factor, to, index, problems = factors.factor, request.to, request.index, request.problems
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        # fx_rate is `to` per unit of the row's currency (with prices="dac" and `to` not USD:
        # both legs, the row's rate to USD times the base year's USD -> `to` rate)
        result = values * rate / factor
    what = f"the amount in constant {request.base_year} {to}" if factors.price.year else (
        f"the amount in {to}"
    )
    overflow_problems(result, (values, rate, factor), index, what, problems)
    bad = problems.mask
    if bad.any():
        result[bad] = np.nan
        rate = np.where(bad, np.nan, rate)
        rate_date = np.where(bad, np.datetime64("NaT"), rate_date)
        factor = np.where(bad, np.nan, factor)
    n = len(index)
    cols: dict[str, Any] = {
        out: with_currency_unit(pd.Series(result, index=index, copy=False), to, units),
        C.FX_RATE: pd.Series(rate, index=index, copy=False),
        C.FX_DATE: pd.Series(rate_date, index=index, copy=False),
        C.FX_SOURCE: fx_source,
        C.FX_TO: categorical(np.zeros(n, dtype="int64"), [to], index),
        C.DEFLATOR: pd.Series(factor, index=index, copy=False),
        C.DEFLATOR_SOURCE: factors.source,
    }
    if source.via_usd:
        cols.update(_base_columns(factors, bad, index))
    cols[C.PRICE_BASE] = categorical(
        np.zeros(n, dtype="int64"), [render(factors.price)], index
    )
    return result_frame(frame, cols, problems, problems.errors)


def _base_columns(factors: Factors, bad: np.ndarray, index: pd.Index) -> dict[str, Any]:
    """``base_fx_rate``/``base_fx_source``: the second leg (1, "identity (USD)" for USD)."""
    leg = factors.base_leg
    if leg is None:
        base_fx: Any = 1.0
        base_source = categorical(np.zeros(len(index), dtype="int64"), ["identity (USD)"], index)
    else:
        base_fx, base_source = leg.per_row, leg.source
    if np.ndim(base_fx) == 0 or bad.any():  # else the column as it is: no copy
        base_fx = np.where(bad, np.nan, base_fx)
    return {
        C.BASE_FX_RATE: pd.Series(base_fx, index=index, copy=False),
        C.BASE_FX_SOURCE: base_source,
    }


def _empty(frame: pd.DataFrame, out: str, source: PriceSource, errors: str) -> pd.DataFrame:
    """The result for a frame without rows: the input columns plus the output columns."""
    index = frame.index
    text = pd.Series(pd.Categorical([], categories=[]), index=index)
    cols: dict[str, Any] = {
        out: pd.Series([], index=index, dtype="float64"),
        C.FX_RATE: pd.Series([], index=index, dtype="float64"),
        C.FX_DATE: pd.Series([], index=index, dtype="datetime64[ns]"),
        C.FX_SOURCE: text,
        C.FX_TO: text,
        C.DEFLATOR: pd.Series([], index=index, dtype="float64"),
        C.DEFLATOR_SOURCE: text,
    }
    if source.via_usd:
        cols[C.BASE_FX_RATE] = pd.Series([], index=index, dtype="float64")
        cols[C.BASE_FX_SOURCE] = text
    cols[C.PRICE_BASE] = text
    return result_frame(frame, cols, None, errors)
