"""The numbers every chart draws, as public tables built on :func:`aidcalc.aggregate`.

One path for sums: each chart function of :mod:`aidcalc.plot` draws the table its
``*_table`` function returns (``donors`` draws :func:`donors_table`, ...), and every table
sums through :func:`aidcalc.aggregate`, so one set of rules decides what may be added
(one currency, or one ``fx_to`` for converted columns; one price base; one kind of row).
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
from typing import Any, Final, Literal

import numpy as np
import pandas as pd

from .._base._errors import AggregationError, ValidationError, describe_rows, join_values
from .._base._frame_checks import check_frame
from .._money._frame_units import plain_frame
from ._style import (
    CATEGORY_ORDER,
    STATUS_ORDER,
    Unit,
    ordered,
    resolve_members,
)

__all__ = [
    "LEFT_OUT",
    "categories_table",
    "donors_table",
    "pipeline_table",
    "share_of_gdp_table",
    "timeline_table",
]

#: key of ``DataFrame.attrs`` holding what a table leaves out (list of records)
LEFT_OUT: Final = "left_out"
#: key of ``DataFrame.attrs`` holding the unit of a table's amounts
UNIT: Final = "unit"
ROWS: Final = "rows"
_COLUMN_RE_YEAR = r"_([A-Z]{3})_(\d{4})$"


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


def _levels(spec: Sequence[Any] | None, option: str) -> list[str] | None:
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
    amounts = pd.to_numeric(rows["amount"], errors="coerce")
    codes = rows["currency"].astype("string").str.strip().str.upper()
    ok = amounts.notna() & codes.notna()
    if not ok.any():
        return {}
    sums = amounts[ok].astype("float64").groupby(codes[ok].to_numpy(), sort=True).sum()
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
    dates = _read_dates(frame[date]) if date is not None else None
    _take_incomplete(ledger, value=value, keys=keys, date=date, dates=dates, missing=missing)
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


def _checked_frame(
    data: Any, where: str, needed: list[str], *, value: str, missing: str
) -> pd.DataFrame:
    """``data`` as a plain frame (pint columns as numbers) with the ``needed`` columns."""
    frame = check_frame(data, where)
    frame = plain_frame(frame, value, where)  # pint columns: drawn as numbers
    if missing not in ("raise", "drop"):
        raise ValueError(f"missing must be 'raise' or 'drop', not {missing!r}")
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

    numbers = pd.to_numeric(frame[value], errors="coerce")  # aggregate's own reading
    if (frame[value].notna() & numbers.isna()).any():
        aggregate(frame[[value]], by=None, value=value, currency=None)  # raises: not numbers
    return numbers.to_numpy(dtype="float64", na_value=np.nan)


def _take_incomplete(
    ledger: _Ledger,
    *,
    value: str,
    keys: Sequence[str],
    date: str | None,
    dates: pd.Series | None,
    missing: str,
) -> None:
    """Rows without a value (converted or not), a key or a date: raised under
    ``missing="raise"``, else left out, each for the first thing it lacks."""
    frame = ledger.frame
    no_value = ~np.isfinite(ledger.values)
    no_key = frame[list(keys)].isna().any(axis=1).to_numpy() if keys else np.zeros(len(frame), bool)
    undated = dates.isna().to_numpy() if dates is not None else np.zeros(len(frame), bool)
    bad = no_value | no_key | undated
    if missing == "raise" and bad.any():
        what = join_values([*keys, *([date] if date else [])])
        raise AggregationError(
            f"{describe_rows(frame.index[bad])} have no {value!r} or no {what} to place them "
            f"by; a chart would leave them out: fix them, or pass missing='drop' (the chart "
            f"then says in its footnote how many rows and how much money were left out)",
            rows=list(frame.index[bad]),
        )
    if "error" in frame.columns:
        ledger.take(no_value & frame["error"].notna().to_numpy(), "not_converted")
    ledger.take(no_value, "no_value")
    ledger.take(no_key, "no_key", columns=list(keys))
    ledger.take(undated, "undated")


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


def _read_dates(col: pd.Series) -> pd.Series:
    """Dates of ``col`` (missing stays NaT); values that are not dates raise."""
    if pd.api.types.is_datetime64_any_dtype(col.dtype):
        out = col
        if getattr(col.dt, "tz", None) is not None:
            out = col.dt.tz_localize(None)
        return out.astype("datetime64[ns]")
    from .._base._dates import parse_dates

    got = parse_dates(col, mixed_offsets=True)
    if got.bad.any():
        bad = col[got.bad.to_numpy() if hasattr(got.bad, "to_numpy") else got.bad]
        raise ValidationError(
            f"column {col.name!r} has values that are not dates: "
            f"{join_values(bad.astype(str).tolist()[:5])} ({describe_rows(bad.index)}); fix "
            f"them, or blank them to leave those rows out (missing='drop')",
            problems=bad.to_frame(),
        )
    return pd.Series(got.dates, index=col.index).astype("datetime64[ns]")


def infer_unit(frame: pd.DataFrame, kept: pd.DataFrame, value: str, unit: str | None) -> Unit:
    """The unit of ``kept[value]``: ``unit`` if given, else what :func:`aidcalc.aggregate`
    carries for the whole of ``kept`` (it refuses mixed currencies, ``fx_to``, price bases
    and kinds), else the column name (``amount_EUR_2024``)."""
    import re

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
    if m := re.search(_COLUMN_RE_YEAR, value):
        return Unit(m.group(1), int(m.group(2)))
    to = single("fx_to")
    if to is not None and value != "amount":
        return Unit(to.strip().upper())
    code = single("currency")
    if code is not None:
        return Unit(code.strip().upper())
    raise ValidationError(
        f"cannot tell what unit {value!r} is in: pass unit='constant 2024 EUR' (or 'current "
        f"USD', or a currency code)",
        problems=None,
    )


def _finish(table: pd.DataFrame, prep: Prepared) -> pd.DataFrame:
    table = table.reset_index(drop=True)
    table.attrs[LEFT_OUT] = prep.left_out
    table.attrs[UNIT] = prep.unit.code if prep.unit is not None else None
    return table


def _sum(prep: Prepared, keys: list[str], value: str) -> pd.DataFrame:
    """``aggregate`` of the kept rows by ``keys``: keys, ``value`` and ``rows``."""
    from .._pledges._aggregate import aggregate

    kept = prep.kept
    currency = "currency" if "currency" in kept.columns else None
    work = kept.assign(**{k: kept[k].astype(str) for k in keys})
    out = aggregate(work, by=keys, value=value, currency=currency)
    return out[[*keys, value, ROWS]]


def _donor_order(totals: pd.Series, order: list[str] | None) -> list[str]:
    if order is not None:
        return order
    ranked = totals.sort_values(ascending=False, kind="stable")
    return [str(d) for d in ranked.index]


def donors_table(
    data: pd.DataFrame,
    *,
    value: str,
    donor: str = "donor",
    by: str | None = "category",
    unit: str | None = None,
    members: str | Sequence[str] | None = None,
    order: Sequence[str] | None = None,
    hue_order: Sequence[str] | None = None,
    missing: str = "drop",
) -> pd.DataFrame:
    """The numbers :func:`aidcalc.plot.donors` draws: ``value`` summed by donor and ``by``
    through :func:`aidcalc.aggregate`, one row per bar segment, donors top to bottom (largest
    total first, or ``order``), segments in ``hue_order`` (default: the fixed category order).

    Parameters
    ----------
    data, value, donor, by, unit, members
        As in :func:`aidcalc.plot.donors`.
    order, hue_order
        Donors and ``by`` levels to show, in this order (as in seaborn). Rows of other levels
        are left out and listed in ``attrs["left_out"]``; a level asked for but absent from
        the data is shown as 0 (donors: an empty bar; categories: an empty segment).
    missing
        ``"drop"`` (default): rows without a value or key are left out and listed in
        ``attrs["left_out"]``; ``"raise"``: they raise :class:`aidcalc.AggregationError`.

    Returns
    -------
    pandas.DataFrame
        Columns ``donor``, ``by`` (when not None), ``value`` and ``rows`` (rows summed);
        ``attrs["left_out"]`` (records of rows left out: reason, rows, amount, index) and
        ``attrs["unit"]``.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"donor": ["JPN", "JPN", "DEU", "DEU"], "category": ["energy",
    ...     "demining", "energy", None], "amount_EUR_2024": [3e9, 1e9, 2.5e9, 4e8]})
    >>> t = donors_table(df, value="amount_EUR_2024")
    >>> t
      donor  category  amount_EUR_2024  rows
    0   JPN    energy     3.000000e+09     1
    1   JPN  demining     1.000000e+09     1
    2   DEU    energy     2.500000e+09     1
    >>> [(r["reason"], r["rows"], r["amount"]) for r in t.attrs["left_out"]]
    [('no_key', 1, 400000000.0)]
    """
    keys = [donor] if by is None else [donor, by]
    donors_ = _levels(order, "order")
    hues = _levels(hue_order, "hue_order")
    filters: list[tuple[str, Sequence[str] | None, str]] = [(donor, donors_, "order")]
    if by is not None:
        filters.append((by, hues, "hue_order"))
    prep = prepare(
        data, "donors", value=value, keys=keys, missing=missing, unit=unit, donor=donor,
        members=members, filters=filters,
    )
    sums = _sum(prep, keys, value)
    totals = sums.groupby(donor, sort=False)[value].sum()
    names = _donor_order(totals, donors_)
    if by is None:
        table = sums.set_index(donor).reindex(names)
        table[value] = table[value].fillna(0.0)
        table[ROWS] = table[ROWS].fillna(0).astype("int64")
        return _finish(table.rename_axis(donor).reset_index(), prep)
    levels = hues if hues is not None else ordered(sums[by].unique(), CATEGORY_ORDER)
    wanted = pd.MultiIndex.from_product([names, levels], names=[donor, by])
    table = sums.set_index([donor, by])
    if donors_ is not None or hues is not None:  # levels asked for: shown even when absent
        present = set(table.index)
        extra = [ix for ix in wanted if ix not in present and (
            (hues is not None and ix[1] in hues) or ix[0] not in set(sums[donor])
        )]
        if extra:
            zeros = pd.DataFrame(
                {value: 0.0, ROWS: 0}, index=pd.MultiIndex.from_tuples(extra, names=[donor, by])
            )
            table = pd.concat([table, zeros])
    keep = [ix for ix in wanted if ix in set(table.index)]
    table = table.loc[keep]
    table[ROWS] = table[ROWS].astype("int64")
    return _finish(table.reset_index(), prep)


def categories_table(
    data: pd.DataFrame,
    *,
    value: str,
    donor: str = "donor",
    by: str = "category",
    unit: str | None = None,
    members: str | Sequence[str] | None = None,
    order: Sequence[str] | None = None,
    col_order: Sequence[str] | None = None,
    missing: str = "drop",
) -> pd.DataFrame:
    """The numbers :func:`aidcalc.plot.categories` draws: one row per bar, panels (``by``
    levels, fixed category order or ``col_order``) first, donors within each panel in one
    order for all panels (largest total first, or ``order``). Same sums as
    :func:`donors_table`; ``attrs`` as there.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"donor": ["JPN", "DEU", "DEU"], "category": ["energy", "energy",
    ...     "demining"], "v": [1e9, 2e9, 5e8]})
    >>> categories_table(df, value="v", unit="EUR")
       category donor             v  rows
    0    energy   DEU  2.000000e+09     1
    1    energy   JPN  1.000000e+09     1
    2  demining   DEU  5.000000e+08     1
    """
    wide = donors_table(
        data, value=value, donor=donor, by=by, unit=unit, members=members, order=order,
        hue_order=col_order, missing=missing,
    )
    names = list(dict.fromkeys(wide[donor]))
    panels = (
        _levels(col_order, "col_order")
        if col_order is not None
        else ordered(wide[by].unique(), CATEGORY_ORDER)
    )
    rank = {d: i for i, d in enumerate(names)}
    prank = {c: i for i, c in enumerate(panels or [])}
    out = wide.assign(_p=wide[by].map(prank), _d=wide[donor].map(rank))
    out = out.sort_values(["_p", "_d"], kind="stable").drop(columns=["_p", "_d"])
    out = out[[by, donor, value, ROWS]].reset_index(drop=True)
    out.attrs.update(wide.attrs)
    return out


def share_of_gdp_table(
    data: pd.DataFrame,
    *,
    value: str,
    share: str = "pct_of_gdp",
    donor: str = "donor",
    unit: str | None = None,
    gdp_year: int | None = None,
    members: str | Sequence[str] | None = None,
    order: Sequence[str] | None = None,
    missing: str = "drop",
) -> pd.DataFrame:
    """The numbers :func:`aidcalc.plot.share_of_gdp` draws: per donor the summed share of
    GDP (the bar), the summed amount and its rank by amount (the label), largest share first
    (or ``order``). Shares are summed through :func:`aidcalc.aggregate` (shares of one
    donor's GDP add up); a row whose share is missing (no GDP for it) is left out and listed
    in ``attrs["left_out"]``.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"donor": ["USA", "EST", "EST"], "v": [5e10, 1e9, 2e8],
    ...     "pct_of_gdp": [0.2, 2.5, None]})
    >>> t = share_of_gdp_table(df, value="v", unit="USD")
    >>> t
      donor  pct_of_gdp             v  rank  rows
    0   EST         2.5  1.000000e+09     2     1
    1   USA         0.2  5.000000e+10     1     1
    >>> [(r["reason"], r["amount"]) for r in t.attrs["left_out"]]
    [('no_share', 200000000.0)]
    """
    from .._pledges._aggregate import aggregate

    donors_ = _levels(order, "order")
    prep = prepare(
        data, "share_of_gdp", value=value, keys=[donor], missing=missing, unit=unit,
        donor=donor, members=members, filters=[(donor, donors_, "order")],
    )
    kept = prep.kept
    if share not in kept.columns:
        from .._real._relative import share_of_gdp as compute_share

        kept = compute_share(
            kept, value=value, donor=donor, gdp_year=gdp_year, out=share, errors="coerce"
        )
    shares = pd.to_numeric(kept[share], errors="coerce").astype("float64")
    no_share = ~np.isfinite(shares.to_numpy())
    if no_share.any() and missing == "raise":
        raise AggregationError(
            f"{describe_rows(kept.index[no_share])} have no share of GDP ({share!r}): "
            f"fix them, or pass missing='drop' (the chart then says what it leaves out)",
            rows=list(kept.index[no_share]),
        )
    prep.kept = kept
    prep.leave_out(no_share, value, "no_share")
    kept = prep.kept
    amounts = _sum(prep, [donor], value).set_index(donor)
    work = kept[[donor, share, *(["kind"] if "kind" in kept.columns else [])]]
    summed = aggregate(
        work.assign(**{donor: work[donor].astype(str)}), by=donor, value=share, currency=None
    ).set_index(donor)
    table = pd.DataFrame({share: summed[share], value: amounts[value], ROWS: amounts[ROWS]})
    table["rank"] = table[value].rank(ascending=False, method="min").astype("int64")
    if donors_ is not None:
        table = table.reindex(donors_)
        table[[share, value]] = table[[share, value]].fillna(0.0)
        table[ROWS] = table[ROWS].fillna(0)
        table["rank"] = table[value].rank(ascending=False, method="min")
    else:
        table = table.sort_values(share, ascending=False, kind="stable")
    table = table.rename_axis(donor).reset_index()
    table["rank"] = table["rank"].astype("int64")
    table[ROWS] = table[ROWS].astype("int64")
    return _finish(table[[donor, share, value, "rank", ROWS]], prep)


def timeline_table(
    data: pd.DataFrame,
    *,
    value: str,
    donor: str = "donor",
    date: str = "announced",
    unit: str | None = None,
    members: str | Sequence[str] | None = None,
    hue_order: Sequence[str] | None = None,
    missing: str = "drop",
) -> pd.DataFrame:
    """The numbers :func:`aidcalc.plot.timeline` draws: per donor (largest final total first,
    or ``hue_order``) the vertices of its step line -- ``date``, the running total ``value``,
    the amount ``added`` that day and the ``rows`` summed. Each line starts at 0 on the first
    date of the data and runs flat to the last; same-day amounts are added through
    :func:`aidcalc.aggregate`. Rows without a date are left out and listed in
    ``attrs["left_out"]``.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"donor": ["JPN", "JPN", "CAN"], "announced": ["2023-01-10",
    ...     "2024-06-01", "2023-05-01"], "v": [1e9, 2e9, 5e8]})
    >>> t = timeline_table(df, value="v", unit="USD")
    >>> t[["donor", "v", "added"]].to_numpy().tolist()
    [['JPN', 1000000000.0, 1000000000.0], ['JPN', 3000000000.0, 2000000000.0], ['CAN', 0.0, 0.0], ['CAN', 500000000.0, 500000000.0], ['CAN', 500000000.0, 0.0]]
    """  # noqa: E501
    donors_ = _levels(hue_order, "hue_order")
    prep = prepare(
        data, "timeline", value=value, keys=[donor], missing=missing, unit=unit, donor=donor,
        members=members, date=date, filters=[(donor, donors_, "hue_order")],
    )
    assert prep.dates is not None
    prep.kept = prep.kept.assign(**{date: prep.dates.to_numpy()})
    columns = [donor, date, value, "added", ROWS]
    if not len(prep.kept):
        return _finish(pd.DataFrame(columns=columns), prep)
    from .._pledges._aggregate import aggregate

    kept = prep.kept
    currency = "currency" if "currency" in kept.columns else None
    daily = aggregate(
        kept.assign(**{donor: kept[donor].astype(str)}), by=[donor, date], value=value,
        currency=currency,
    )[[donor, date, value, ROWS]].rename(columns={value: "added"})
    daily = daily.sort_values([donor, date], kind="stable")
    daily[value] = daily.groupby(donor, sort=False)["added"].cumsum()
    start, end = kept[date].min(), kept[date].max()
    finals = daily.groupby(donor, sort=False)[value].last()
    names = _donor_order(finals, donors_)
    parts = []
    for code in names:
        line = daily[daily[donor] == code]
        if line.empty:
            line = pd.DataFrame({donor: [code], date: [start], "added": [0.0], ROWS: [0],
                                 value: [0.0]})
        first = line[date].iloc[0]
        if first > start:
            head = pd.DataFrame({donor: [code], date: [start], "added": [0.0], ROWS: [0],
                                 value: [0.0]})
            line = pd.concat([head, line], ignore_index=True)
        if line[date].iloc[-1] < end:
            tail = pd.DataFrame({donor: [code], date: [end], "added": [0.0], ROWS: [0],
                                 value: [float(line[value].iloc[-1])]})
            line = pd.concat([line, tail], ignore_index=True)
        parts.append(line)
    table = pd.concat(parts, ignore_index=True)[columns]
    table[ROWS] = table[ROWS].astype("int64")
    table[date] = table[date].astype("datetime64[ns]")
    return _finish(table, prep)


def check_stages(stages: pd.Series) -> pd.Series:
    """``stages`` (lifecycle stages, cleaned) when every one is in the lifecycle; else an
    :class:`aidcalc.AggregationError` naming the rows and the unknown values."""
    unknown = ~stages.isin(STATUS_ORDER).to_numpy(dtype=bool)
    if unknown.any():
        raise AggregationError(
            f"{describe_rows(stages.index[unknown])} have a status outside the lifecycle "
            f"({join_values(sorted(stages[unknown].unique()))}); use one of "
            f"{join_values(list(STATUS_ORDER))}",
            rows=list(stages.index[unknown]),
        )
    return stages


def _shown_stages(
    rank: np.ndarray, asked: list[str] | None, *, cumulative: bool
) -> tuple[list[str], np.ndarray]:
    """The stages a pipeline shows (``asked``, else from the first up to the furthest any
    row reached when ``cumulative``, else those present) and, per stage rank, whether rows
    at that stage count in a shown bar."""
    reached = sorted(set(rank.tolist()))
    if asked is not None:
        shown = asked
    elif cumulative:
        shown = list(STATUS_ORDER[: max(reached) + 1]) if reached else []
    else:
        shown = [STATUS_ORDER[i] for i in reached]
    shown_rank = [STATUS_ORDER.index(s) for s in shown]
    if cumulative:
        counted = np.array([any(r >= s for s in shown_rank) for r in range(len(STATUS_ORDER))])
    else:
        counted = np.array([r in shown_rank for r in range(len(STATUS_ORDER))])
    return shown, counted


def stage_grid(
    sums: pd.DataFrame,
    column: str,
    *,
    donor: str,
    status: str,
    cumulative: bool,
    dtype: Literal["float64", "int64"] = "float64",
) -> pd.DataFrame:
    """``sums[column]`` (summed by ``donor`` and ``status``) as a grid: a row per donor,
    a column per lifecycle stage in lifecycle order (0 where a donor has nothing); with
    ``cumulative`` a stage also counts every later one."""
    if len(sums):
        grid = sums.pivot_table(index=donor, columns=status, values=column, aggfunc="sum",
                                fill_value=0, sort=False)
    else:  # nothing kept: no donor (what was left out is in attrs)
        grid = pd.DataFrame(index=pd.Index([], name=donor))
    grid = grid.reindex(columns=list(STATUS_ORDER), fill_value=0).astype(dtype)
    grid.index.name = donor
    if cumulative:
        grid = grid.iloc[:, ::-1].cumsum(axis=1).iloc[:, ::-1]
    grid.columns.name = status
    return grid


def _stages(spec: Sequence[str] | None) -> list[str] | None:
    levels = _levels(spec, "hue_order")
    if levels is None:
        return None
    clean = [s.strip().lower() for s in levels]
    unknown = [s for s in clean if s not in STATUS_ORDER]
    if unknown:
        raise ValidationError(
            f"hue_order lists {join_values(unknown)}, which are not lifecycle stages; use "
            f"{join_values(list(STATUS_ORDER))}",
            problems=None,
        )
    return clean


def pipeline_table(
    data: pd.DataFrame,
    *,
    value: str,
    donor: str = "donor",
    status: str = "status",
    cumulative: bool = True,
    unit: str | None = None,
    members: str | Sequence[str] | None = None,
    order: Sequence[str] | None = None,
    hue_order: Sequence[str] | None = None,
    missing: str = "drop",
) -> pd.DataFrame:
    """The numbers :func:`aidcalc.plot.pipeline` draws: per donor (largest first, or
    ``order``) and lifecycle stage, the amount summed through :func:`aidcalc.aggregate`.

    With ``cumulative=True`` a stage counts every row that has reached it (money disbursed
    was also pledged, committed and allocated); the stages shown run from the first up to
    the furthest any row reached. With ``cumulative=False`` each row counts at its own stage
    and only stages present in the data are shown. A stage absent from the data is never
    shown as 0 unless ``hue_order`` asks for it. A donor without money at a shown stage gets
    0 there (the data records that stage, the donor has nothing at it).

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"donor": ["CAN", "CAN"], "status": ["pledged", "disbursed"],
    ...     "v": [5e8, 2e8]})
    >>> pipeline_table(df, value="v", unit="CAD")[["status", "v"]].to_numpy().tolist()
    [['pledged', 700000000.0], ['committed', 200000000.0], ['allocated', 200000000.0], ['disbursed', 200000000.0]]
    >>> pipeline_table(df, value="v", unit="CAD", cumulative=False)["status"].tolist()
    ['pledged', 'disbursed']
    """  # noqa: E501
    donors_ = _levels(order, "order")
    asked = _stages(hue_order)
    prep = prepare(
        data, "pipeline", value=value, keys=[donor, status], missing=missing, unit=unit,
        donor=donor, members=members, filters=[(donor, donors_, "order")],
    )
    stages = check_stages(prep.kept[status].astype("string").str.strip().str.lower())
    rank = stages.map({s: i for i, s in enumerate(STATUS_ORDER)}).to_numpy(dtype="int64")
    shown, counted = _shown_stages(rank, asked, cumulative=cumulative)
    off = ~counted[rank] if len(rank) else np.zeros(0, dtype=bool)
    prep.leave_out(off, value, "no_stage")
    prep.kept = prep.kept.assign(**{status: stages[~off].to_numpy()})
    sums = _sum(prep, [donor, status], value)
    amounts = stage_grid(sums, value, donor=donor, status=status, cumulative=cumulative)
    counts = stage_grid(sums, ROWS, donor=donor, status=status, cumulative=cumulative,
                        dtype="int64")
    totals: pd.Series = amounts.max(axis=1) if len(amounts) else pd.Series(dtype="float64")
    names = _donor_order(totals, donors_)
    amounts = amounts.reindex(index=names, fill_value=0.0)[shown]
    counts = counts.reindex(index=names, fill_value=0)[shown]
    table = pd.DataFrame({
        donor: np.repeat(names, len(shown)),
        status: np.tile(shown, len(names)),
        value: amounts.to_numpy().ravel(),
        ROWS: counts.to_numpy().ravel(),
    })
    table[ROWS] = table[ROWS].astype("int64")
    return _finish(table, prep)
