"""What every chart's table shares: the checks, what is left out, the unit, the sums.

One path for sums: each chart function of :mod:`aidcalc.plot` draws the table its
``*_table`` function returns (``donors`` draws :func:`donors_table`, ...; each table lives
beside its chart), and every table reads its rows through :func:`prepare` and sums them
through :func:`aidcalc.aggregate`, so one set of rules decides what may be added (one
currency, or one ``fx_to`` for converted columns; one price base; one kind of row).
Whatever ``aggregate`` accepts, the tables and the charts accept.

Rows a table leaves out are never lost silently: ``table.attrs["left_out"]`` lists them, one
record per reason (a dict with ``reason``, ``rows``, ``amount`` in the table's unit -- NaN
when unknown --, ``as_announced`` -- the original amounts per currency when the value itself
is missing -- and ``index``, the row labels), and every chart writes the same in its
footnote. ``table.attrs["unit"]`` is the unit of the amounts (``"constant 2024 EUR"``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Final

import numpy as np
import pandas as pd

from .._base._errors import (
    AggregationError,
    ValidationError,
    describe_rows,
    join_values,
    option_error,
)
from .._base._frame_checks import check_frame, to_numbers, with_columns
from .._base._provenance import column_unit, is_converted
from .._money._frame_units import plain_frame
from ._style import Unit, resolve_members

__all__ = ["LEFT_OUT", "ROWS", "UNIT", "Prepared", "finish_table", "prepare", "sum_kept"]

#: key of ``DataFrame.attrs`` holding what a table leaves out (list of records)
LEFT_OUT: Final = "left_out"
#: what a row's date gives (:func:`_read_dates`): the day, only the month, only the year
DAY, MONTH, YEAR = 3, 2, 1
#: key of ``DataFrame.attrs`` holding the unit of a table's amounts
UNIT: Final = "unit"
#: column of a table holding how many rows each number sums
ROWS: Final = "rows"


@dataclass
class Prepared:
    """Rows kept for a table, the records of rows left out, and the unit of ``value``."""

    kept: pd.DataFrame
    left_out: list[dict[str, Any]] = field(default_factory=list)
    unit: Unit | None = None
    dates: pd.Series | None = None

    def leave_out(self, mask: np.ndarray, value: str, reason: str) -> None:
        """Move the rows of :attr:`kept` under ``mask`` to what was left out, for
        ``reason``."""
        if mask.any():
            values = self.kept[value].to_numpy(dtype="float64")
            self.left_out.append(_record(self.kept, mask, values, reason))
            self.kept = self.kept.loc[~mask]


class _Ledger:
    """The rows of ``frame`` taken out so far, one record per reason (rows counted once, by
    the first reason that takes them)."""

    def __init__(self, frame: pd.DataFrame, values: np.ndarray) -> None:
        self.frame = frame
        self.values = values
        self.taken = np.zeros(len(frame), dtype=bool)
        self.records: list[dict[str, Any]] = []

    def take(self, mask: np.ndarray, reason: str, **params: Any) -> None:
        """Leave out the rows under ``mask`` not taken yet, for ``reason``."""
        mask = np.asarray(mask, dtype=bool) & ~self.taken
        if mask.any():
            self.records.append(_record(self.frame, mask, self.values, reason, **params))
            self.taken |= mask


def option_levels(spec: Sequence[Any] | None, option: str) -> list[str] | None:
    if spec is None:
        return None
    if isinstance(spec, str):
        raise ValidationError(
            f"{option} must be a list of levels, not the string {spec!r} (write [{spec!r}])",
            problems=None,
        )
    levels = [str(v) for v in spec]
    dup = sorted({v for v in levels if levels.count(v) > 1})
    if dup:
        raise ValidationError(f"{option} lists {join_values(dup)} twice", problems=None)
    return levels


def _as_announced(rows: pd.DataFrame) -> dict[str, float]:
    """The original amounts of ``rows`` per currency (from ``amount`` and ``currency``)."""
    if "amount" not in rows.columns or "currency" not in rows.columns:
        return {}
    amounts = to_numbers(rows["amount"])
    codes = rows["currency"].astype("string").str.strip().str.upper()
    ok = amounts.notna() & codes.notna()
    if not ok.any():
        return {}
    by_code = amounts[ok].astype("float64").groupby(codes[ok].to_numpy(), sort=True, observed=True)
    sums = by_code.sum()
    return {str(k): float(v) for k, v in sums.items()}


def _record(
    frame: pd.DataFrame,
    mask: np.ndarray,
    values: np.ndarray,
    reason: str,
    **params: Any,
) -> dict[str, Any]:
    rows = frame.loc[mask]
    vals = values[mask]
    known = bool(np.isfinite(vals).all())
    return {
        "reason": reason,
        "params": params,
        "rows": int(mask.sum()),
        "amount": float(vals.sum()) if known else float("nan"),
        "as_announced": {} if known else _as_announced(rows),
        "index": list(frame.index[mask]),
    }


def prepare(
    data: Any,
    func: str,
    *,
    value: str,
    keys: Sequence[str],
    missing: str,
    unit: str | None,
    donor: str | None = None,
    members: str | Sequence[str] | None = None,
    date: str | None = None,
    filters: Sequence[tuple[str, Sequence[str] | None, str]] = (),
) -> Prepared:
    """Check ``data`` and split it into the rows to sum and the rows left out (with why).

    Rows without a finite value, without a key (or, with ``date``, without a date) are left
    out under ``missing="drop"`` and raise under ``missing="raise"``; rows of donors outside
    ``members`` and rows whose level is not in a ``filters`` list (``(column, levels,
    option name)``) are left out. The unit comes from ``unit``, else from what
    :func:`aidcalc.aggregate` carries for the whole kept frame (price base, ``fx_to`` or
    currency), else from a column name such as ``amount_EUR_2024``.
    """
    frame = _checked_frame(data, f"aidcalc.plot.{func}", [value, *keys, *([date] if date else [])],
                           value=value, missing=missing)
    ledger = _Ledger(frame, _numbers(frame, value))
    dates, given = _read_dates(frame[date]) if date is not None else (None, None)
    _take_incomplete(ledger, value=value, keys=keys, date=date, given=given, missing=missing)
    if donor is not None:
        _take_outside(ledger, donor, members)
    for column, levels, option in filters:
        if levels is not None:
            listed = frame[column].astype("string").str.strip().isin(levels)
            ledger.take(~listed.fillna(False).to_numpy(dtype=bool), "not_in_order",
                        option=option)
    kept = frame.loc[~ledger.taken]
    return Prepared(
        kept=kept,
        left_out=ledger.records,
        unit=infer_unit(frame, kept, value, unit),
        dates=dates.loc[~ledger.taken] if dates is not None else None,
    )


def complete_frame(data: Any, func: str, *, value: str, keys: Sequence[str]) -> pd.DataFrame:
    """``data`` checked as :func:`prepare` checks it, for a table without ``missing=``: a
    row without a finite ``value`` or without a key raises (naming it) instead of being
    left out, so no money goes missing from a table that cannot say so."""
    frame = _checked_frame(data, f"aidcalc.plot.{func}", [value, *keys], value=value,
                           missing="raise")  # fmt: skip
    ledger = _Ledger(frame, _numbers(frame, value))
    fix = f"fix them, or drop them first (frame.dropna(subset={[value, *keys]!r}))"
    _take_incomplete(ledger, value=value, keys=keys, date=None, given=None, missing="raise",
                     fix=fix)  # fmt: skip
    return frame


def _checked_frame(
    data: Any, where: str, needed: list[str], *, value: str, missing: str
) -> pd.DataFrame:
    """``data`` as a plain frame (pint columns as numbers) with the ``needed`` columns."""
    frame = check_frame(data, where)
    frame = plain_frame(frame, value, where)  # pint columns: drawn as numbers
    if missing not in ("raise", "drop"):
        raise option_error(
            "missing", missing, f"missing must be 'raise' or 'drop', not {missing!r}",
            ["raise", "drop"],
        )
    absent = [c for c in dict.fromkeys(needed) if c not in frame.columns]
    if absent:
        raise ValidationError(
            f"data has no column {join_values(absent)}; it has {join_values(list(frame.columns))}"
            f" (name yours with the keyword options, e.g. value=..., donor=...)",
            problems=pd.DataFrame({"column": absent}),
        )
    return frame


def _numbers(frame: pd.DataFrame, value: str) -> np.ndarray:
    """The ``value`` column as float64 (NaN where missing); text that is not a number
    raises, as :func:`aidcalc.aggregate` raises it."""
    from .._pledges._aggregate import aggregate

    numbers = to_numbers(frame[value])  # aggregate's own reading
    if (frame[value].notna() & numbers.isna()).any():
        aggregate(frame[[value]], by=None, value=value, currency=None)  # raises: not numbers
    return numbers.to_numpy(dtype="float64", na_value=np.nan)


def _take_incomplete(
    ledger: _Ledger,
    *,
    value: str,
    keys: Sequence[str],
    date: str | None,
    given: np.ndarray | None,
    missing: str,
    fix: str = (
        "fix them, or pass missing='drop' (the chart then says in its footnote how many "
        "rows and how much money were left out, and why)"
    ),
) -> None:
    """Rows without a value (converted or not), a key or a date to the day (none, or only
    the month or year): raised under ``missing="raise"`` (the message ends with ``fix``),
    else left out, each for the first thing it lacks."""
    frame = ledger.frame
    no_value = ~np.isfinite(ledger.values)
    no_key = frame[list(keys)].isna().any(axis=1).to_numpy() if keys else np.zeros(len(frame), bool)
    given = np.full(len(frame), DAY, np.int8) if given is None else given
    bad = no_value | no_key | (given != DAY)
    if missing == "raise" and bad.any():
        what = join_values([*keys, *([date] if date else [])])
        day = " (a date to the day: 2024-06 gives only the month)" if date else ""
        raise AggregationError(
            f"{describe_rows(frame.index[bad])} have no {value!r} or no {what} to place them "
            f"by{day}; a chart would leave them out: {fix}",
            rows=list(frame.index[bad]),
        )
    if "error" in frame.columns:
        ledger.take(no_value & frame["error"].notna().to_numpy(), "not_converted")
    ledger.take(no_value, "no_value")
    ledger.take(no_key, "no_key", columns=list(keys))
    ledger.take(given == MONTH, "month_only", column=date)
    ledger.take(given == YEAR, "year_only", column=date)
    ledger.take(given == 0, "undated")


def _take_outside(ledger: _Ledger, donor: str, members: str | Sequence[str] | None) -> None:
    """Rows of donors outside ``members`` (a group name or codes) are left out; none of them
    in the data raises."""
    codes = resolve_members(members)
    if codes is None:
        return
    frame, free = ledger.frame, ~ledger.taken
    inside = frame[donor].astype(str).isin(codes).to_numpy()
    if not (inside & free).any() and free.any():
        present = sorted(frame.loc[free, donor].astype(str).unique())
        raise AggregationError(
            f"none of the donors {join_values(codes)} is in the data (donors present: "
            f"{join_values(present)})",
            members=codes,
        )
    name = members if isinstance(members, str) else ", ".join(codes)
    ledger.take(~inside, "outside", members=name)


def _read_dates(col: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """Dates of ``col`` to the day (NaT where missing or coarser) and, per row, what its
    date gives: ``DAY``, ``MONTH`` only (``2024-06``), ``YEAR`` only (``2024``) or 0 (none);
    values that are not dates raise."""
    if pd.api.types.is_datetime64_any_dtype(col.dtype) and not isinstance(col.dtype, pd.ArrowDtype):
        out = col
        if getattr(col.dt, "tz", None) is not None:
            out = col.dt.tz_localize(None)
        out = out.astype("datetime64[ns]")
        return out, np.where(out.isna().to_numpy(), 0, DAY).astype(np.int8)
    from .._base._dates import parse_dates

    got = parse_dates(col, precision="year", mixed_offsets=True)  # coarse dates: said, below
    if got.bad.any():
        bad = col[got.bad.to_numpy() if hasattr(got.bad, "to_numpy") else got.bad]
        raise ValidationError(
            f"column {col.name!r} has values that are not dates: "
            f"{join_values(bad.astype(str).tolist()[:5])} ({describe_rows(bad.index)}); fix "
            f"them, or blank them to leave those rows out (missing='drop')",
            problems=bad.to_frame(),
        )
    given = got.precision.astype(np.int8)
    days = np.where(given == DAY, got.values, np.datetime64("NaT"))
    return pd.Series(days, index=col.index).astype("datetime64[ns]"), given


def infer_unit(frame: pd.DataFrame, kept: pd.DataFrame, value: str, unit: str | None) -> Unit:
    """The unit of ``kept[value]``: ``unit`` if given, else what :func:`aidcalc.aggregate`
    carries for the whole of ``kept`` (it refuses mixed currencies, ``fx_to``, price bases
    and kinds), else the column name (``amount_EUR_2024``)."""

    from .._pledges._aggregate import aggregate

    currency = "currency" if "currency" in kept.columns else None
    total = aggregate(kept, by=None, value=value, currency=currency)
    if unit is not None:
        return Unit.parse(unit)

    def single(col: str) -> str | None:
        if col in total.columns and pd.notna(total[col].iloc[0]):
            return str(total[col].iloc[0])
        if col in frame.columns and not len(kept):
            vals = frame[col].dropna().astype(str).unique().tolist()
            return vals[0] if len(vals) == 1 else None
        return None

    base = single("price_base")
    if base is not None:
        return Unit.parse(base)
    if (named := column_unit(value)) is not None:  # amount_EUR_2024: constant 2024 EUR
        return Unit(named.currency, named.year)
    to = single("fx_to")
    if to is not None and is_converted({*frame.columns, *total.columns}, value):
        return Unit(to.strip().upper())
    code = single("currency")
    if code is not None:
        return Unit(code.strip().upper())
    raise ValidationError(
        f"cannot tell what unit {value!r} is in: pass unit='constant 2024 EUR' (or 'current "
        f"USD', or a currency code)",
        problems=None,
    )


def finish_table(table: pd.DataFrame, prep: Prepared) -> pd.DataFrame:
    table = table.reset_index(drop=True)
    table.attrs[LEFT_OUT] = prep.left_out
    table.attrs[UNIT] = prep.unit.code if prep.unit is not None else None
    return table


def sum_kept(prep: Prepared, keys: list[str], value: str) -> pd.DataFrame:
    """``aggregate`` of the kept rows by ``keys``: keys, ``value`` and ``rows``."""
    from .._pledges._aggregate import aggregate

    kept = prep.kept
    currency = "currency" if "currency" in kept.columns else None
    work = with_columns(kept, {k: kept[k].astype(str) for k in keys})
    out = aggregate(work, by=keys, value=value, currency=currency)
    return out[[*keys, value, ROWS]]


def donor_order(totals: pd.Series, order: list[str] | None) -> list[str]:
    if order is not None:
        return order
    ranked = totals.sort_values(ascending=False, kind="stable")
    return [str(d) for d in ranked.index]
