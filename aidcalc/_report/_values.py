"""The report's values: every row normalised to the common unit (failures accounted for, and
the option that would convert them named), and each pledge as a share of its donor's GDP."""

from __future__ import annotations

import datetime
from typing import Literal, cast

import numpy as np
import pandas as pd

from .._base._errors import AidcalcError, join_values
from .._base._labels import Labels
from ..plot._style import Unit
from ._ledger import Ledger, classify, money_text
from ._options import AUTO_FX, FX_POLICIES, Options, ReportError, unique, value_column

__all__ = ["convert_rows", "fixable", "leave_unconverted", "share_rows", "unit_of"]


def convert_rows(
    frame: pd.DataFrame, to: str, base_year: int, prices: str, fx: str
) -> pd.DataFrame:
    """Every row normalised (failures NaN with the reason in ``error``). ``fx="auto"``: each
    row at the finest rate its date allows: the day's rate for a day, the month's mean for
    a month (``"2024-06"``), the OECD DAC annual rate for a year (annual data)."""
    if fx == AUTO_FX:
        return _by_precision(frame, to, base_year, prices)
    from .._real._prices import normalise

    price_arg = None if prices == "none" else prices
    result = normalise(
        frame,
        to=to,
        base_year=base_year,
        date="announced",
        fx=cast(Literal["spot", "month", "year", "dac"], fx),  # checked by check_options
        prices=price_arg,  # type: ignore[arg-type]
        extend="weo" if price_arg else None,  # IMF WEO after the last published year
        out=value_column(to, base_year, prices),
        errors="coerce",
    )
    if "error" not in result.columns:
        result = result.assign(error=pd.Series(pd.NA, index=result.index, dtype=object))
    return result


#: the rate of the finest date a row gives (``precision`` of aidcalc._base._dates)
_POLICY_OF_PRECISION = {3: "spot", 2: "month", 1: "dac"}


def _precision_policies(frame: pd.DataFrame) -> np.ndarray:
    """Each row's rate policy from its ``announced`` date: ``"spot"`` for a day (and rows
    without a readable date, which fail with their own reason), ``"month"``, ``"dac"``."""
    from .._base._dates import parse_dates

    if "announced" not in frame.columns:
        return np.full(len(frame), "spot", dtype=object)
    got = parse_dates(frame["announced"], precision="year", mixed_offsets=True)
    rank = np.asarray(got.precision, dtype=np.int64)
    policy = np.full(len(frame), "spot", dtype=object)
    for value, name in _POLICY_OF_PRECISION.items():
        policy[rank == value] = name
    return policy


def _by_precision(frame: pd.DataFrame, to: str, base_year: int, prices: str) -> pd.DataFrame:
    """:func:`convert_rows` per rate policy (at most three calls), back in the rows' order."""
    policy = _precision_policies(frame)
    names = [p for p in ("spot", "month", "dac") if (policy == p).any()]
    if len(names) <= 1:
        return convert_rows(frame, to, base_year, prices, names[0] if names else "spot")
    parts, where = [], []
    for name in names:
        rows = np.flatnonzero(policy == name)
        parts.append(convert_rows(frame.iloc[rows], to, base_year, prices, name))
        where.append(rows)
    order = np.argsort(np.concatenate(where), kind="stable")
    return pd.concat(parts).iloc[order]


def fixable(rows: pd.DataFrame, opts: Options) -> tuple[str, int] | None:
    """An option that converts rows the given options cannot (e.g. an earlier base year when
    the base year is after the data's coverage): ``("--base-year 2025", n)``, or None."""
    to, base_year, prices, fx = opts.to, opts.base_year, opts.prices, opts.fx
    tries: list[tuple[str, int, str]] = []
    if prices != "none":
        # earlier base years, and (for a base year in the future) the years up to this one
        latest = min(base_year, datetime.date.today().year + 1)
        years = sorted({*range(base_year - 1, base_year - 9, -1), *range(latest - 1, latest - 9,
                                                                          -1)}, reverse=True)
        tries += [("--base-year", year, fx) for year in years]
    tries += [("--fx", 0, other) for other in FX_POLICIES if other != fx]
    best: tuple[str, int] | None = None
    for _option, year, policy in tries:  # the option converting the most rows (first on ties)
        try:
            result = convert_rows(rows, to, year or base_year, prices, policy)
        except AidcalcError:
            continue
        fixed = int(result[value_column(to, year or base_year, prices)].notna().sum())
        if fixed and (best is None or fixed > best[1]):
            best = (f"--base-year {year}" if year else f"--fx {policy}"), fixed
        if fixed == len(rows):
            break
    return best


def leave_unconverted(ledger: Ledger, frame: pd.DataFrame, opts: Options, cli_name: str) -> None:
    """Rows that could not be converted leave the totals with their reason, unless an option
    would convert them: a later base year than the data cover, or nothing converted at all,
    is an error naming the option."""
    result, value, keep = ledger.result, ledger.value, ledger.keep
    failed = result[value].isna().to_numpy() & keep
    if not failed.any():
        return
    fix = fixable(frame.loc[failed], opts)
    errors = result["error"].astype("string")
    example = errors[failed].dropna().iloc[0] if errors[failed].notna().any() else "?"
    if fix is not None and fix[0].startswith("--base-year"):
        option, n_fixed = fix
        amount = money_text(result.loc[failed], value, ledger.unit, None, Labels("en"))
        raise ReportError(
            f"--base-year {opts.base_year} is after what the rates and deflators cover: "
            f"{int(failed.sum())} row{'s' if failed.sum() != 1 else ''} of {cli_name} "
            f"({amount}) cannot be expressed in {opts.base_year} {opts.to} (e.g. {example})"
            + (f"; with {option} they can: use {option} (or --prices none), so that no "
               "money is left out" if n_fixed == failed.sum() else
               f"; with {option} only {n_fixed} of them can: use --prices none, or {option} "
               "and see the rows it still leaves out"),
            option="base_year", fix=option,
        )
    if failed[keep].all():
        hint = f"; use {fix[0]}" if fix else ""
        raise ReportError(f"no row of {cli_name} could be converted to {opts.to}: {example}{hint}",
                          reason=str(example))
    if fix is not None:  # another --fx converts them: said with each row and in the warning
        errors = errors.where(~failed, errors + f" ({fix[0]} converts it)")
    kinds_of = classify(errors, result["amount"])
    errors = errors.where(errors.notna(), kinds_of.map(
        {"no_amount": "no amount (empty or not a number)"}).fillna("could not be converted"))
    for key in ("no_amount", "no_date", "no_rate", "no_deflator", "convert"):
        ledger.leave(failed & kinds_of.eq(key).to_numpy(), key, errors)


def unit_of(rows: pd.DataFrame, to: str) -> Unit:
    """The one unit the converted rows name (their ``price_base`` and ``fx_to``)."""
    bases = unique(rows, "price_base")
    units = {Unit.parse(b) for b in bases}
    converted_to = set(unique(rows, "fx_to")) or {to}
    if len(units) != 1 or next(iter(units)).currency not in converted_to or converted_to != {to}:
        raise ReportError(
            f"the converted rows do not agree on their unit (price_base {join_values(bases)}, "
            f"fx_to {join_values(sorted(converted_to))}, asked for {to}): this is a bug in "
            f"aidcalc's conversion; please report it", bases=bases,
        )
    return next(iter(units))


def share_rows(
    frame: pd.DataFrame, base_year: int, label: Labels
) -> tuple[pd.DataFrame, str, int]:
    """Each pledge as a percent of its donor's GDP in ``base_year`` (or the latest year before
    it that the GDP table covers best), amounts as announced, GDP converted at that year's rate.
    Rows without GDP are NaN with their reason in ``error``."""
    from .._real._relative import share_of_gdp

    best: tuple[int, pd.DataFrame, int] | None = None
    failure: Exception | None = None
    latest = min(base_year, datetime.date.today().year)  # GDP is published after the year
    years = sorted({*range(base_year, base_year - 4, -1), *range(latest, latest - 4, -1)},
                   reverse=True)
    for year in years:
        try:
            result = share_of_gdp(frame, value="amount", currency="currency", gdp_year=year,
                                  out="pct_of_gdp", errors="coerce")
        except AidcalcError as err:
            failure = err
            continue
        n = int(result["pct_of_gdp"].notna().sum())
        if best is None or n > best[0]:
            best = (n, result, year)
    if best is None:
        raise ReportError(str(failure), reason=str(failure))
    _n, result, year = best
    if "error" not in result.columns:
        result = result.assign(error=pd.Series(pd.NA, index=result.index, dtype=object))
    return result, label("note_share", year=year), year
