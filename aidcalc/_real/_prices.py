"""Constant prices: ``normalise`` expresses amounts in one currency at one base year's prices.

Every factor is visible in provenance columns, and every number comes from an embedded official
table (OECD DAC deflators and exchange rates, World Bank CPI) or a table the user passes.
"""

from __future__ import annotations

from typing import Any, Literal

import numpy as np
import pandas as pd

from .._base import _columns as C
from .._base._compat import check_errors, renamed_argument
from .._base._dask import dask_aware
from .._base._dates import (
    AMBIGUOUS,
    COARSE,
    DATE_MAX,
    DATE_MIN,
    MIXED_ORDER,
    OK,
    OUT_OF_RANGE,
    WINDOW_TEXT,
    Precision,
    parse_dates,
)
from .._base._errors import (
    AidcalcError,
    DataCoverageError,
    RateNotFoundError,
    UnknownDonorError,
    ValidationError,
    describe_rows,
    join_values,
)
from .._base._frame_checks import check_frame, money_values, overflowed
from .._money._amount import check_currency
from .._money._frame_units import money_with_currency, with_currency_unit
from ._macro import (
    CURRENCY_ECONOMY,
    annual_usd_rates,
    cpi_table,
    deflator_table,
    lookup,
    vintage_label,
)
from ._weo import extend_if_needed, extension_texts, fill_implied_rates, weo_price_text

__all__ = ["normalise"]


_FX = ("spot", "month", "year", "dac")
_K = 1_000_000  # pair key = year * _K + key index
_PRICES = ("dac", "cpi", None)
#: donors without their own DAC deflator that take another donor's rather than the DAC total:
#: EU bodies and aggregates, whose money is euro-denominated like the EU institutions' (EUI)
DEFLATOR_PROXY = {"EUU": "EUI", "EMU": "EUI", "EIB": "EUI", "EPF": "EUI"}


class _Problems:
    """Row problems collected on the way; raised (first one) or written to ``error``."""

    def __init__(self, index: pd.Index, errors: str) -> None:
        self.index = index
        self.errors = errors
        self.mask = np.zeros(len(index), dtype=bool)
        self.items: list[tuple[np.ndarray, np.ndarray | str, AidcalcError]] = []

    def add(self, mask: np.ndarray, reason: np.ndarray | str, error: AidcalcError) -> None:
        mask = np.asarray(mask, dtype=bool) & ~self.mask
        if not mask.any():
            return
        if self.errors == "raise":
            raise error
        self.items.append((mask, reason, error))
        self.mask |= mask

    def column(self) -> pd.Series:
        out = np.full(len(self.index), None, dtype=object)
        for mask, reason, _ in self.items:
            out[mask] = reason[mask] if isinstance(reason, np.ndarray) else reason
        return pd.Series(out, index=self.index, dtype="str").where(self.mask, None)


def error_column(frame: pd.DataFrame, problems: _Problems) -> pd.Series:
    """The ``error`` column: this step's reasons, after any reason already in ``frame``."""
    new = problems.column()
    if C.ERROR not in frame.columns:
        return new
    old = frame[C.ERROR].astype("str").where(frame[C.ERROR].notna(), None)
    both = old.notna() & new.notna()
    merged = old.where(old.notna(), new)
    if both.any():
        merged = merged.where(~both, old + "; " + new)
    return merged


def unknown_donor_error(names: list[Any], rows: pd.Index) -> UnknownDonorError:
    """One error for every unknown donor name, with suggestions for the first."""
    from ._donors import donor_code

    try:
        donor_code(str(names[0]))
        first, hints = "", []
    except UnknownDonorError as err:
        first, hints = f" ({err.message})", list(err.fields["suggestions"])
    return UnknownDonorError(
        f"unknown donor(s) {join_values(names)} in {describe_rows(rows)}: use ISO3 codes or "
        f"names aidcalc.donor_code knows, or errors='coerce'{first}",
        name=names,
        suggestions=hints,
    )


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
    if prices not in _PRICES:
        raise ValidationError(
            f"prices must be 'dac', 'cpi' or None ('none'), got {prices!r}", problems=None
        )
    check_errors(errors, func="normalise")
    if extend not in (None, "last", "weo"):
        raise ValidationError(
            f"extend must be 'weo', 'last' or None, got {extend!r}", problems=None
        )
    return to


def _column(frame: pd.DataFrame, name: str, role: str) -> pd.Series:
    if name not in frame.columns:
        raise ValidationError(
            f"no {role} column {name!r}; the frame has {join_values(list(frame.columns))}: "
            f"pass {role}=<column name>",
            problems=None,
        )
    return frame[name]  # column names are unique (check_frame)


def _amounts(series: pd.Series, name: str, problems: _Problems, func: str) -> np.ndarray:
    """Amounts as float64; non-numbers and infinite values are problems (bool columns raise)."""
    money = money_values(series, name, func)
    for mask, what, reason in (
        (money.not_number, "non-numeric amounts", f"amount is not a number ({name})"),
        (money.infinite, "infinite amounts", f"amount is not finite ({name})"),
    ):
        if mask.any():
            shown = join_values(list(dict.fromkeys(series[mask].tolist()))[:5])
            problems.add(
                mask,
                reason,
                ValidationError(
                    f"column {name!r} has {what} {shown} in "
                    f"{describe_rows(series.index[mask])}: parse text first "
                    "(aidcalc.parse_amounts), fix or drop infinite values, or use "
                    "errors='coerce'",
                    problems=None,
                ),
            )
    return money.values


def overflow_problems(
    result: np.ndarray, inputs: tuple[np.ndarray, ...], index: pd.Index, what: str,
    problems: _Problems,
) -> None:
    """Rows whose result overflows to infinity from finite inputs: a problem, never inf."""
    over = overflowed(result, *inputs) & ~problems.mask
    if over.any():
        shown = join_values(list(dict.fromkeys(inputs[0][over].tolist()))[:5])
        problems.add(
            over,
            f"{what} overflows (beyond 1.8e308)",
            ValidationError(
                f"{what} overflows to infinity for amounts {shown} in "
                f"{describe_rows(index[over])}: such amounts cannot be money; fix them or use "
                "errors='coerce'",
                problems=None,
            ),
        )


#: how precise a date must be: fx="spot" needs the day, fx="month" the month, else the year
_NEED = {"spot": 3, "month": 2, "year": 1, "dac": 1}
_PRECISION_TEXT = {1: "year-only", 2: "month-only"}
_PRECISION: dict[str, Precision] = {"spot": "day", "month": "month", "year": "year", "dac": "year"}


def _dates(
    series: pd.Series,
    name: str,
    fx: str,
    problems: _Problems,
    locale: Any = None,
    needed: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """(datetime64[ns] dates or NaT, int64 years or -1) for a date or a year column.

    Read by :func:`aidcalc._base._dates.parse_dates` at the precision ``fx`` needs: ``2024-06``
    and ``2024`` (or integer years) only where the month or year is all that is used;
    ``07/06/2024`` (7 June or July 6?) only by ``locale``'s order or where only the year is
    used. Refused rows are added to ``problems`` with a reason, but only rows that need a date
    (``needed``; default all): a row needs one only where a rate or a deflator does.
    """
    need = _NEED[fx]
    if needed is None:
        needed = np.ones(len(series), dtype=bool)
    if need > 1 and needed.any() and (
        pd.api.types.is_integer_dtype(series)
        or (
            pd.api.types.is_float_dtype(series)
            and np.all(np.mod(series.dropna().to_numpy(), 1) == 0)
        )
    ):
        raise ValidationError(
            f"column {name!r} holds years, but fx={fx!r} needs dates: give dates, or use "
            "fx='year' (calendar-year mean of daily rates) or fx='dac' (OECD DAC annual rate)",
            problems=None,
        )
    got = parse_dates(series, locale=locale, precision=_PRECISION[fx], option=("fx", fx))
    kind = np.where(needed, got.kind, OK)
    far = kind == OUT_OF_RANGE
    if far.any():
        shown = join_values(list(dict.fromkeys(series[far].tolist()))[:5])
        problems.add(
            far,
            f"{WINDOW_TEXT} ({name})",
            ValidationError(
                f"column {name!r} has dates {shown} in {describe_rows(series.index[far])} "
                f"outside the supported window {DATE_MIN}..{DATE_MAX}: fix the year, or use "
                "errors='coerce'",
                problems=None,
            ),
        )
    ambiguous = (kind == AMBIGUOUS) | (kind == MIXED_ORDER)
    if ambiguous.any():
        shown = join_values(list(dict.fromkeys(series[ambiguous].tolist()))[:5])
        problems.add(
            ambiguous,
            f"ambiguous day/month order ({name})",
            ValidationError(
                f"column {name!r} has dates {shown} whose day/month order is ambiguous "
                f"(7 June or July 6?) in {describe_rows(series.index[ambiguous])}: write "
                "them as ISO 8601 (YYYY-MM-DD), parse them with an explicit format "
                "(pd.to_datetime(..., format='%d/%m/%Y')), or use errors='coerce'",
                problems=None,
            ),
        )
    coarse = kind == COARSE
    if coarse.any():
        precision = got.precision
        shown = join_values(list(dict.fromkeys(series[coarse].tolist()))[:5])
        kind_text = _PRECISION_TEXT[int(precision[coarse].min())]
        wants = "a day" if need == 3 else "a month"
        reasons = np.where(
            precision == 1,
            f"year-only date where fx={fx!r} needs {wants} ({name})",
            f"month-only date where fx={fx!r} needs {wants} ({name})",
        ).astype(object)
        problems.add(
            coarse,
            reasons,
            ValidationError(
                f"column {name!r} has {kind_text} dates {shown} in "
                f"{describe_rows(series.index[coarse])}, but fx={fx!r} needs "
                f"{'the day' if need == 3 else 'the month'}: give full dates, or use "
                f"{'fx=' + repr('month') + ', ' if need == 3 else ''}fx='year' or fx='dac'",
                problems=None,
            ),
        )
    bad = (kind != OK) & ~ambiguous & ~coarse & ~far
    if bad.any():
        problems.add(
            bad,
            f"missing or unreadable date ({name})",
            ValidationError(
                f"column {name!r} has missing or unreadable dates in "
                f"{describe_rows(series.index[bad])}: fill them, write them as ISO 8601 "
                "(YYYY-MM-DD), or use errors='coerce'",
                problems=None,
            ),
        )
    dates = got.values
    return dates, got.years


def _factorize(series: pd.Series) -> tuple[np.ndarray, list[Any]]:
    """Codes (-1 for missing) and unique values; free for categorical columns."""
    if isinstance(series.dtype, pd.CategoricalDtype):
        return series.cat.codes.to_numpy(dtype="int64"), list(series.cat.categories)
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    return codes, list(uniques)


def _categorical(codes: np.ndarray, labels: list[str], index: pd.Index) -> pd.Series:
    """A categorical column from per-row codes into ``labels`` (labels may repeat)."""
    uniq = list(dict.fromkeys(labels))
    dtype = np.int8 if len(uniq) < 127 else np.int16 if len(uniq) < 32767 else np.int32
    small: np.ndarray  # integer codes
    if len(uniq) == len(labels):  # labels already distinct: the codes are the codes
        small = np.asarray(codes).astype(dtype, copy=False)
    else:
        position = {x: i for i, x in enumerate(uniq)}
        remap = np.array([position[x] for x in labels] + [-1], dtype=dtype)
        small = remap[codes]
    cat = pd.Categorical.from_codes(small, categories=pd.Index(uniq), validate=False)
    return pd.Series(cat, index=index, copy=False)


def _fx_step(
    cur: pd.Series,
    dates: np.ndarray,
    years: np.ndarray,
    target: str,
    fx: Literal["spot", "month", "year", "dac"],
    rates: Any,
    problems: _Problems,
    valid: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, pd.Series]:
    """Rates (target per 1 unit of the row currency), rate dates and sources."""
    n = len(cur)
    missing_cur = cur.isna().to_numpy()
    if (missing_cur & valid).any():
        bad = missing_cur & valid
        problems.add(
            bad,
            "missing currency",
            ValidationError(
                f"missing currency in {describe_rows(cur.index[bad])}: fill it or use "
                "errors='coerce'",
                problems=None,
            ),
        )
    if fx != "dac":
        if (valid & ~missing_cur).any():
            return _fx_lookup(cur, dates, target, fx, rates, problems, valid & ~missing_cur)
        return np.ones(n), dates.copy(), _categorical(np.full(n, -1), [""], cur.index)
    codes, uniques = _factorize(cur)
    uniques = [str(u).strip().upper() for u in uniques]
    is_target = np.array([u == target for u in uniques] + [False])[codes]
    need = valid & ~is_target & ~missing_cur
    rate = np.ones(n)
    rate_date = dates.copy()
    src_codes = np.zeros(n, dtype="int64")  # 0 = identity
    labels = [f"identity ({target} to {target})"]
    if need.any():
        keys = years * _K + codes
        kc, ku = pd.factorize(keys[need])
        pairs = [(uniques[int(k % _K)], int(k // _K)) for k in ku]
        per_usd, srcs = annual_usd_rates(
            [c for c, _ in pairs] + [target] * len(pairs),
            [y for _, y in pairs] * 2,
            rates=rates,
            strict=False,
        )
        m = len(pairs)
        pair_rate = per_usd[m:] / per_usd[:m]
        rate[need] = pair_rate[kc]
        lacking = [i for i in range(m) if not np.isfinite(pair_rate[i])]
        if lacking:
            bad = np.zeros(n, dtype=bool)
            bad[np.flatnonzero(need)[np.isin(kc, lacking)]] = True
            missing = sorted(
                {(c, y) for i in lacking for c, y in [pairs[i], (target, pairs[i][1])]
                 if not np.isfinite(per_usd[i if c == pairs[i][0] else m + i])}
            )
            problems.add(
                bad,
                "no annual average exchange rate",
                DataCoverageError(
                    f"no annual average exchange rate (OECD DAC table or rate table) for "
                    f"{join_values(missing)} in {describe_rows(cur.index[bad])}: pass rates= "
                    "with a table that covers them, use another fx=, or errors='coerce'",
                    dataset="exchange rates",
                    missing=missing,
                    rows=list(cur.index[bad]),
                ),
            )
        rate_date[need] = (
            (years[need] - 1970).astype("datetime64[Y]").astype("datetime64[ns]")
        )
        pair_labels = [
            " x ".join(
                dict.fromkeys(t for t in (srcs[i], srcs[m + i]) if not t.startswith("identity"))
            )
            for i in range(m)
        ]
        src_codes[need] = kc + len(labels)
        labels += pair_labels
    src_codes = np.where(valid & ~missing_cur, src_codes, -1)
    return rate, rate_date, _categorical(src_codes, labels, cur.index)


def _fx_lookup(
    cur: pd.Series,
    dates: np.ndarray,
    target: str,
    fx: Literal["spot", "month", "year"],
    rates: Any,
    problems: _Problems,
    valid: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, pd.Series]:
    """Rates from :func:`aidcalc._money._convert.lookup_rates`, on all rows at once (same-currency
    rows get rate 1 there); problems only for rows still valid."""
    from .._money._convert import lookup_rates

    n = len(cur)
    got = lookup_rates(cur, target, dates, fx=fx, rates=rates)
    rate = got[C.FX_RATE].to_numpy(dtype="float64", na_value=np.nan)
    rate_date = got[C.FX_DATE].to_numpy()
    source = pd.Series(got[C.FX_SOURCE].array, index=cur.index)
    bad = valid & ~np.isfinite(rate)
    if bad.any():
        err_col = got[C.ERROR] if C.ERROR in got.columns else None
        reasons = (
            np.asarray(err_col.astype(object).to_numpy()[bad])
            if err_col is not None else np.full(int(bad.sum()), "no exchange rate", dtype=object)
        )
        reason = np.full(n, "no exchange rate", dtype=object)
        reason[bad] = [str(r) if isinstance(r, str) else "no exchange rate" for r in reasons]
        cur_bad = cur.to_numpy()[bad][:50]
        shown = join_values(
            list(dict.fromkeys(
                f"{c} {str(d)[:10]}" for c, d in zip(cur_bad, dates[bad][:50], strict=True)
            ))
        )
        problems.add(
            bad,
            reason,
            RateNotFoundError(
                f"no {fx} exchange rate to {target} for {shown} in "
                f"{describe_rows(cur.index[bad])}: {reason[bad][0]}; pass rates= with a table "
                "that covers them, use fx='month'/'year', or errors='coerce'",
                currency=sorted({str(c) for c in cur_bad}),
                dates=list(dates[bad][:20]),
                rows=list(cur.index[bad]),
            ),
        )
    return rate, rate_date, source


def _factor_lookup(
    table: pd.DataFrame,
    keys: list[str],
    years: list[int],
    extend: str | None,
) -> tuple[np.ndarray, list[int], list[bool]]:
    """Values for (key, year) pairs; with extend='last', later years take the last value."""
    values, _ = lookup(table, keys, years)
    used = list(years)
    extended = [False] * len(years)
    if extend == "last":
        last = table.groupby("iso3")["year"].max().to_dict()
        for i, (k, y) in enumerate(zip(keys, years, strict=True)):
            if np.isnan(values[i]) and k in last and y > last[k]:
                used[i], extended[i] = last[k], True
        if any(extended):
            values, _ = lookup(table, keys, used)
    return values, used, extended


def _coverage_error(
    dataset: str, missing: list[tuple[str, int]], rows: pd.Index, table: pd.DataFrame
) -> DataCoverageError:
    keys = sorted({k for k, _ in missing})
    spans = []
    for k in keys:
        ys = table.loc[table["iso3"] == k, "year"]
        spans.append(f"{k} {ys.min()}-{ys.max()}" if len(ys) else f"{k} none")
    return DataCoverageError(
        f"the {dataset} do not cover {join_values(sorted(set(missing)))} "
        f"({describe_rows(rows)}; coverage: {', '.join(spans)}). Download current data "
        "(`aidcalc update --source dac`, `aidcalc update --source weo`), pass extend='last' "
        "to carry "
        "the last available factor forward (flagged in deflator_source), supply a later "
        "vintage (deflators=/cpi=, e.g. from aidcalc.io.read_dac_deflators or read_wdi), "
        "choose a base_year inside the coverage, or use errors='coerce'"
        + (
            ". A deflator 'in <currency> terms' (amounts already in `to`) also needs the "
            "year's annual average rate: a rate table covering whole years, or fx='dac'"
            if any(k.endswith(" terms") for k in keys) else ""
        ),
        dataset=dataset,
        missing=sorted(set(missing)),
        rows=list(rows),
    )


def _deflate(
    keys_per_row: np.ndarray,
    key_labels: list[str],
    years: np.ndarray,
    base_year: int,
    table: pd.DataFrame,
    dataset: str,
    describe: Any,
    extend: str | None,
    valid: np.ndarray,
    index: pd.Index,
    problems: _Problems,
) -> tuple[np.ndarray, pd.Series]:
    """Factor ``table[key, year] / table[key, base_year]`` per row, with its source text."""
    n = len(years)
    ok = valid & (years >= 0) & (keys_per_row >= 0)
    if not ok.any():
        return np.full(n, np.nan), _categorical(np.full(n, -1), [""], index)
    all_ok = bool(ok.all())
    ymin = int(years[ok].min()) if not all_ok else int(years.min())
    ny = (int(years[ok].max()) if not all_ok else int(years.max())) - ymin + 1
    nk = len(key_labels)
    # dense (key, year) cell number per row: a gather instead of a hash on 10M rows
    cell = np.asarray(keys_per_row, dtype="int64") * ny + (years - ymin)
    if not all_ok:
        cell = np.where(ok, cell, 0)
    counts = np.bincount(cell if all_ok else cell[ok], minlength=nk * ny)
    present = np.flatnonzero(counts)
    pairs = [(key_labels[int(c) // ny], ymin + int(c) % ny) for c in present]
    ks = [k.split("|", 1)[0] for k, _ in pairs]  # a label is "KEY" or "KEY|note"
    v_year, used_year, ext_year = _factor_lookup(table, ks, [y for _, y in pairs], extend)
    v_base, used_base, ext_base = _factor_lookup(table, ks, [base_year] * len(pairs), extend)
    factor_pair = np.append(v_year / v_base, np.nan)  # last slot: rows without a cell
    labels = []
    missing: list[tuple[str, int]] = []
    for i, (k, y) in enumerate(pairs):
        if np.isnan(v_year[i]):
            missing.append((ks[i], y))
        if np.isnan(v_base[i]):
            missing.append((ks[i], base_year))
        labels.append(describe(k, y, used_year[i], ext_year[i], used_base[i], ext_base[i]))
    # pair number per row, -1 for rows without one (small ints: less memory traffic)
    small = np.int16 if len(pairs) < 32767 else np.int64
    cell_to_pair = np.full(nk * ny, -1, dtype=small)
    cell_to_pair[present] = np.arange(len(pairs))
    pc = cell_to_pair[cell]
    if not all_ok:
        pc[~ok] = -1
    factor = factor_pair[pc]  # -1 picks the NaN slot
    bad_pair = ~np.isfinite(factor_pair[:-1])
    if bad_pair.any():
        bad = np.append(bad_pair, False)[pc]
        err = _coverage_error(dataset, missing, index[bad], table)
        problems.add(bad, f"outside {dataset} coverage", err)
        pc[bad] = -1
    return factor, _categorical(pc, labels, index)


@renamed_argument("frame")
@dask_aware
def normalise(
    data: pd.DataFrame,
    to: str = "USD",
    base_year: int = 2022,
    *,
    amount: str = C.AMOUNT,
    currency: str = C.CURRENCY,
    date: str = C.DATE,
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
        ``fx="dac"``, integer years. ``donor`` holds codes or names (mapped with
        :func:`aidcalc._real._donors.donor_codes`); ``donor=None`` uses the DAC total for every row.
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
    1900-01-01..2100-12-31 are refused (never wrapped). Amounts must be finite numbers:
    ``inf``, text and results that overflow are refused the same way; a boolean column
    raises.

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
    base_year = int(base_year)
    index = frame.index
    n = len(frame)
    problems = _Problems(index, errors)
    if out is None:
        out = f"{amount}_{to}_{base_year}" if prices is not None else f"{amount}_{to}"
    amount_col = _column(frame, amount, "amount")
    units = money_with_currency(frame, amount, currency, "normalise")  # pint[USD]: the currency
    amount_col, cur = (amount_col, _column(frame, currency, "currency")) if not units else units[:2]
    date_col = _column(frame, date, "date")
    donors = _column(frame, donor, "donor") if (prices == "dac" and donor is not None) else None
    if n == 0:
        return _empty(frame, out, prices, errors).assign(
            **{out: lambda e: with_currency_unit(e[out], to, units)}
        )

    values = _amounts(amount_col, amount, problems, "normalise")
    ccodes, cuniq = _factorize(cur)
    clean = [u.strip().upper() if isinstance(u, str) else None for u in cuniq] + [None]
    in_to = np.array([u == to for u in clean])[ccodes]
    usd_rows = np.array([u == "USD" for u in clean])[ccodes]
    # a row needs a date only where a rate (another currency) or a deflator (prices) needs one
    dates, years = _dates(
        date_col, date, fx, problems, locale, needed=None if prices is not None else ~in_to
    )
    valid = ~problems.mask

    # rows already in `to` (DAC method only): deflated in `to` terms, no USD detour (Notes)
    own = in_to if (prices == "dac" and to != "USD") else np.zeros(n, dtype=bool)
    target = "USD" if prices == "dac" else to
    rate, rate_date, fx_source = _fx_step(
        cur, dates, years, target, fx, rates, problems, valid & ~own
    )
    if own.any():
        rate = np.where(own, 1.0, rate)
        rate_date = np.where(own, dates, rate_date)
        fx_source = _relabel(
            fx_source, own, f"identity ({to} to {to}: deflated in {to} terms, no USD detour)"
        )
    valid = ~problems.mask

    base_fx: Any = 1.0
    base_source = _categorical(np.zeros(n, dtype="int64"), ["identity (USD)"], index)
    # a vintage id pins the deflator table (and "embedded" every table); a mapping is per table
    pinned = vintage
    if isinstance(vintage, str) and vintage != "embedded":
        pinned = {"dac_deflators": vintage}
    need_year = max(base_year, int(years[valid].max())) if valid.any() else base_year
    if prices == "dac":
        table = deflator_table(deflators, vintage=pinned)
        vintage = (
            vintage_label("dac_deflators", pinned)
            if deflators is None
            else (", ".join(sorted(set(table["vintage"]) - {""})) or "user-supplied")
        )
        own_keys = set(table["iso3"])
        if "DAC" not in own_keys:
            raise ValidationError(
                "the deflator table has no 'DAC' (DAC countries total) row, needed for donors "
                "without their own deflator",
                problems=None,
            )
        if donors is None:
            dcodes = np.zeros(n, dtype="int64")
            duniq: list[Any] = [None]
        else:
            dcodes, duniq_idx = _factorize(donors)
            duniq = list(duniq_idx)
        from ._donors import donor_codes

        mapped = donor_codes(
            pd.Series([d if isinstance(d, str) else None for d in duniq], dtype=object),
            errors="coerce",
        ).tolist()
        unknown = [
            i for i, (d, m) in enumerate(zip(duniq, mapped, strict=True))
            if isinstance(d, str) and not isinstance(m, str)
        ]
        if unknown:
            bad = np.isin(dcodes, unknown)
            names = [duniq[i] for i in unknown]
            problems.add(bad & valid, "unknown donor", unknown_donor_error(names, index[bad]))
        key_labels = []
        notes = []
        for d, m in zip(duniq, mapped, strict=True):
            if isinstance(m, str) and m in own_keys:
                key_labels.append(m)
                notes.append("")
            elif isinstance(m, str) and DEFLATOR_PROXY.get(m) in own_keys:
                key_labels.append(DEFLATOR_PROXY[m])
                notes.append(f"proxy for {m}")
            else:
                key_labels.append("DAC")
                who = m if isinstance(m, str) else ("no donor given" if d is None else str(d))
                notes.append(who)
        # donor -> deflator key, per donor-index; the note travels in the label
        label_keys = [f"{k}|{note}" for k, note in zip(key_labels, notes, strict=True)]
        donor_idx = np.where(dcodes < 0, len(duniq), dcodes) if donors is not None else dcodes
        if donors is not None:
            label_keys.append("DAC|no donor given")
        ulabels = list(dict.fromkeys(label_keys))
        remap = np.array([ulabels.index(x) for x in label_keys], dtype="int64")
        keys_per_row = remap[donor_idx]
        if extend == "weo":
            table = extend_if_needed(table, key_labels, need_year, pinned)
        terms = f" in {to} terms"
        term_rates: dict[int, tuple[float, str]] = {}
        if own.any():  # the same deflators expressed in `to`: D[k, y] * R_to(y)
            table, term_rates = _in_currency_terms(
                table, to, fx, rates, terms, implied=extend == "weo"
            )
            keys_per_row = np.where(own, keys_per_row + len(ulabels), keys_per_row)
            ulabels = ulabels + [f"{k.split('|', 1)[0]}{terms}|{k.split('|', 1)[1]}"
                                 for k in ulabels]
        totals = {"DAC": "DAC countries total", "G7C": "G7 countries total"}

        def describe(k: str, y: int, uy: int, ey: bool, ub: int, eb: bool) -> str:
            key, note = k.split("|", 1)
            in_terms = key.endswith(terms)
            key = key.removesuffix(terms)
            who = totals.get(key, key)
            if note == "no donor given":
                who = f"{who} (DAC; no donor given)"
            elif note.startswith("proxy for "):
                who = f"{who} ({note})"
            elif note:
                who = f"{who} (DAC; {note} has none)"
            elif key == "DAC":
                who = f"{who} (DAC)"
            if in_terms:  # the rates of the very years used, each with its source
                used = ", ".join(
                    f"{yy} {term_rates[yy][0]:.6g} ({term_rates[yy][1]})"
                    for yy in dict.fromkeys((uy, ub)) if yy in term_rates
                )  # fmt: skip
                who = f"{who} in {to} terms (USD deflator x {to} per USD: {used})"
            text = f"OECD DAC deflator of {who}, {y} rebased to {base_year}=100 ({vintage})"
            if ey:
                text += f"; {y} beyond coverage: {uy} factor carried forward (extend='last')"
            if eb:
                text += f"; base {base_year} beyond coverage: {ub} used (extend='last')"
            return text + extension_texts(table, key, y, base_year, used_weo)

        used_weo: list[str] = []
        factor, defl_source = _deflate(
            keys_per_row, ulabels, years, base_year, table, "OECD DAC deflators",
            describe, extend, valid, index, problems,
        )
        # one price base for every row (aggregate adds rows of one base only): it names `to`
        price_text = (
            f"constant {base_year} {to} (OECD DAC deflators, {vintage}"
            f"{weo_price_text(used_weo)})"
        )
        if to != "USD":
            base_fx, base_year_used, base_src = _base_rate(to, base_year, fx, rates, extend)
            if not np.isfinite(base_fx) and (~own & ~problems.mask).any():
                need = ~own & ~problems.mask
                err = DataCoverageError(
                    f"no {base_year} annual average rate USD -> {to} ({_RATE_KIND[fx == 'dac']})"
                    f" to express constant {base_year} USD in {to}, for "
                    f"{describe_rows(index[need])}: pass rates= with a table that covers "
                    f"{base_year}, choose another base_year, use extend='last' to carry the "
                    "last annual rate forward, or use errors='coerce'",
                    dataset="exchange rates",
                    missing=[(to, base_year)],
                    rows=list(index[need]),
                )
                problems.add(need, f"no {base_year} annual average rate USD -> {to}", err)
            if np.isfinite(base_fx):  # the second leg, on each row that takes it
                rate, rate_date, fx_source = _with_base_leg(
                    rate, rate_date, fx_source, ~own & usd_rows, ~own & ~usd_rows,
                    base_fx, base_year_used, base_src,
                )  # fmt: skip
            base_source = _categorical(
                np.where(own, 1, np.where(np.isfinite(base_fx), 0, -1)),
                [base_src, f"identity ({to} to {to}: deflated in {to} terms, no USD detour)"],
                index,
            )
            base_fx = np.where(own, 1.0, base_fx)
    elif prices == "cpi":
        table = cpi_table(cpi)
        economy = CURRENCY_ECONOMY.get(to, to)
        if extend == "weo":
            table = extend_if_needed(table, [economy], need_year, pinned, cpi=True)
        if economy not in set(table["iso3"]):
            err = DataCoverageError(
                f"no consumer price index for {to} (economy {economy}); embedded CPIs cover "
                f"{join_values(sorted(CURRENCY_ECONOMY))}: pass cpi= a table with iso3 "
                f"{economy!r} or use prices='dac'",
                dataset="CPI",
                missing=[(economy, base_year)],
                rows=list(index),
            )
            problems.add(valid, str(err), err)
        derived = set(zip(table.loc[table["source"] == "derived", "iso3"],
                          table.loc[table["source"] == "derived", "year"], strict=True))
        src = "World Bank WDI FP.CPI.TOTL" if cpi is None else "user-supplied CPI"

        def describe(k: str, y: int, uy: int, ey: bool, ub: int, eb: bool) -> str:
            text = f"{src} {k}, {y} rebased to {base_year}=100"
            chained = sorted({yy for yy in (uy, ub) if (k, yy) in derived})
            if chained:
                text += f" (derived: chain-linked from FP.CPI.TOTL.ZG for {join_values(chained)})"
            if ey:
                text += f"; {y} beyond coverage: {uy} index carried forward (extend='last')"
            if eb:
                text += f"; base {base_year} beyond coverage: {ub} used (extend='last')"
            return text + extension_texts(table, k, y, base_year, used_weo)

        used_weo = []
        factor, defl_source = _deflate(
            np.zeros(n, dtype="int64"), [economy], years, base_year, table, "consumer price index",
            describe, extend, valid, index, problems,
        )
        price_text = (
            f"constant {base_year} {to} (CPI of {economy}, {src}{weo_price_text(used_weo)})"
        )
    else:
        factor = np.ones(n)
        defl_source = _categorical(np.zeros(n, dtype="int64"), ["none (current prices)"], index)
        price_text = f"current {to}"

    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        # fx_rate is `to` per unit of the row's currency (with prices="dac" and `to` not USD:
        # both legs, the row's rate to USD times the base year's USD -> `to` rate)
        result = values * rate / factor
    overflow_problems(
        result, (values, rate, factor), index,
        f"the amount in constant {base_year} {to}" if prices else f"the amount in {to}", problems,
    )  # fmt: skip
    bad = problems.mask
    if bad.any():
        result[bad] = np.nan
        rate = np.where(bad, np.nan, rate)
        rate_date = np.where(bad, np.datetime64("NaT"), rate_date)
        factor = np.where(bad, np.nan, factor)
    cols: dict[str, Any] = {
        out: with_currency_unit(pd.Series(result, index=index, copy=False), to, units),
        C.FX_RATE: pd.Series(rate, index=index, copy=False),
        C.FX_DATE: pd.Series(rate_date, index=index, copy=False),
        C.FX_SOURCE: fx_source,
        C.FX_TO: _categorical(np.zeros(n, dtype="int64"), [to], index),
        C.DEFLATOR: pd.Series(factor, index=index, copy=False),
        C.DEFLATOR_SOURCE: defl_source,
    }
    if prices == "dac":
        if np.ndim(base_fx) == 0 or bad.any():  # else the column as it is: no copy
            base_fx = np.where(bad, np.nan, base_fx)
        cols[C.BASE_FX_RATE] = pd.Series(base_fx, index=index, copy=False)
        cols[C.BASE_FX_SOURCE] = base_source
    cols[C.PRICE_BASE] = _categorical(np.zeros(n, dtype="int64"), [price_text], index)
    if errors == "coerce":
        cols[C.ERROR] = error_column(frame, problems)
    clash = [c for c in cols if c in frame.columns]
    result_frame = frame.drop(columns=clash) if clash else frame.copy(deep=False)
    return result_frame.assign(**cols)


def _base_rate(
    to: str, base_year: int, fx: str, rates: Any, extend: str | None
) -> tuple[float, int, str]:
    """The base year's annual rate, ``to`` per USD, the year it is of and its source; with
    ``extend="last"`` and no rate for ``base_year`` the latest earlier year's (flagged). NaN
    when there is none."""
    rr, ss = _annual_rates(to, [base_year], fx, rates, implied=extend == "weo")
    if np.isfinite(rr[0]) or extend != "last":
        return float(rr[0]), base_year, ss[0]
    back = list(range(base_year - 1, base_year - 31, -1))
    rb, sb = _annual_rates(to, back, fx, rates)
    found = np.flatnonzero(np.isfinite(rb))
    if not len(found):
        return float("nan"), base_year, ""
    k = int(found[0])
    return float(rb[k]), back[k], (
        f"{sb[k]}; base {base_year} beyond coverage: the {back[k]} rate carried forward "
        "(extend='last')"
    )  # fmt: skip


def _with_base_leg(
    rate: np.ndarray,
    rate_date: np.ndarray,
    source: pd.Series,
    usd: np.ndarray,
    other: np.ndarray,
    base_fx: float,
    rate_year: int,
    base_src: str,
) -> tuple[np.ndarray, np.ndarray, pd.Series]:
    """Provenance of the DAC method's second leg on the rows that take it (Notes):
    ``fx_rate`` becomes ``to`` per unit of the row's currency (the row's rate to USD times
    the base year's rate). A USD row takes only the second leg, so its ``fx_rate``,
    ``fx_date`` (that rate's year) and ``fx_source`` are the base year rate's, never an
    "identity"; other rows keep the source of their own rate (``base_fx_source`` names the
    second leg's)."""
    take = usd | other
    rate = rate * base_fx if take.all() else np.where(take, rate * base_fx, rate)
    rate_date = rate_date.astype("datetime64[ns]", copy=False)
    if usd.any():
        start = np.datetime64(f"{rate_year:04d}-01-01", "ns")
        rate_date = np.where(usd, start, rate_date)
    return rate, rate_date, _relabel(source, usd, base_src)


def _relabel(source: pd.Series, mask: np.ndarray, label: str) -> pd.Series:
    """``source`` (categorical) with ``label`` on the rows of ``mask``."""
    cat = source.astype("category") if not isinstance(source.dtype, pd.CategoricalDtype) else (
        source
    )
    if label not in cat.cat.categories:
        cat = cat.cat.add_categories([label])
    codes = cat.cat.codes.to_numpy().copy()
    codes[mask] = list(cat.cat.categories).index(label)
    return pd.Series(
        pd.Categorical.from_codes(codes, categories=cat.cat.categories, validate=False),
        index=source.index,
        copy=False,
    )


_RATE_KIND = {
    True: "OECD DAC annual exchange rate, else the calendar-year mean of the rate table",
    False: "calendar-year mean of the daily rates of the table fx uses",
}


def _annual_rates(
    to: str, years: list[int], fx: str, rates: Any, *, implied: bool = False
) -> tuple[np.ndarray, list[str]]:
    """Annual average rates, units of ``to`` per USD, from the source step 1 uses: the OECD
    DAC annual rate for ``fx="dac"`` (ECB/rate-table yearly mean for currencies the DAC table
    lacks), else the calendar-year mean of the daily cross rates of the rate table (the ECB
    by default). ``implied=True`` (``extend="weo"``): a DAC currency's year after both takes
    the IMF WEO's implied rate (flagged). NaN (and an empty source) where there is none."""
    years = [int(y) for y in years]
    if fx == "dac":
        return annual_usd_rates(
            [to] * len(years), years, rates=rates, strict=False, implied=implied
        )
    if to == "USD":
        return np.ones(len(years)), ["identity (USD)"] * len(years)
    from .._money._convert import lookup_rates

    mid_year = np.array([f"{y:04d}-07-01" for y in years], dtype="datetime64[ns]")
    got = lookup_rates(["USD"] * len(years), to, mid_year, fx="year", rates=rates)
    values = got[C.FX_RATE].to_numpy(dtype="float64", na_value=np.nan)
    sources = [  # the publisher first (as every fx_source), then what was taken from it
        f"{str(s).removeprefix('yearly average of daily rates, ')}, calendar-year mean of "
        f"daily rates {y}" if np.isfinite(v) and v > 0 else ""
        for s, y, v in zip(got[C.FX_SOURCE].astype(object).tolist(), years, values, strict=True)
    ]
    values = np.where(values > 0, values, np.nan)
    if implied:
        fill_implied_rates(to, years, values, sources)  # after the rate table: IMF WEO, flagged
    return values, sources


def _in_currency_terms(
    table: pd.DataFrame, to: str, fx: str, rates: Any, suffix: str, *, implied: bool = False
) -> tuple[pd.DataFrame, dict[int, tuple[float, str]]]:
    """``table`` plus the same deflators in ``to`` terms (keys ``"<iso3><suffix>"``):
    ``D[k, y] * R_to(y)`` with ``R_to`` from :func:`_annual_rates`, and per year the rate and
    its source (so each row can name the rates of its own years); years without a rate are
    left out (so they are outside coverage, never guessed)."""
    years = sorted(int(y) for y in table["year"].unique())
    values, sources = _annual_rates(to, years, fx, rates, implied=implied)
    per_year = {
        y: (float(v), src) for y, v, src in zip(years, values, sources, strict=True)
        if np.isfinite(v)
    }  # fmt: skip
    r = table["year"].map({y: v for y, (v, _) in per_year.items()}).to_numpy(dtype="float64")
    keep = np.isfinite(r)
    terms = table.loc[keep].assign(
        iso3=table.loc[keep, "iso3"] + suffix, value=table.loc[keep, "value"] * r[keep]
    )
    return pd.concat([table, terms], ignore_index=True), per_year


def _empty(frame: pd.DataFrame, out: str, prices: Any, errors: str) -> pd.DataFrame:
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
    if prices == "dac":
        cols[C.BASE_FX_RATE] = pd.Series([], index=index, dtype="float64")
        cols[C.BASE_FX_SOURCE] = text
    cols[C.PRICE_BASE] = text
    if errors == "coerce":
        cols[C.ERROR] = pd.Series([], index=index, dtype="str")
    clash = [c for c in cols if c in frame.columns]
    base = frame.drop(columns=clash) if clash else frame.copy(deep=False)
    return base.assign(**cols)
