"""Exact sums over data that do not fit in memory: aggregate chunk by chunk, then combine.

``aggregate`` on each chunk gives partial sums with their ``rows`` and ``missing`` counts and
the one currency / price base / kind / target currency of each group. Partial results combine
exactly: sums add, counts add, a missing value anywhere keeps the total missing, and a group
whose chunks disagree on its currency (or price base, kind, target currency) raises the same
:class:`aidcalc.AggregationError` the in-memory call would. Running totals
(``cumulative=True``) are taken after combining. The dask integration uses the same combine
step, so streamed, distributed and in-memory results follow one set of rules.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, Final

import numpy as np
import pandas as pd

from .._base._columns import CURRENCY, DONOR, FX_TO, GROUP, KIND, PERIOD, PRICE_BASE
from .._base._compat import renamed_argument
from .._base._errors import AggregationError, ValidationError, describe_rows, join_values
from .._base._frame_checks import check_frame, column_list

__all__ = ["aggregate_chunks"]

ROWS: Final = "rows"
MISSING: Final = "missing"


@renamed_argument("chunks")
def aggregate_chunks(
    data: Iterable[pd.DataFrame],
    *,
    prepare: Callable[[pd.DataFrame], pd.DataFrame] | None = None,
    **aggregate_options: Any,
) -> pd.DataFrame:
    """Aggregate frames one chunk at a time and combine the partial sums exactly.

    The result equals ``aggregate(pd.concat(chunks), **aggregate_options)`` (same rows, same
    order, sums equal to rounding of the last bits), while only one chunk is in memory at a
    time: the way to total a file larger than memory, such as the whole OECD CRS read with
    :func:`aidcalc.io.iter_crs`.

    Parameters
    ----------
    data
        Pledge frames, e.g. the chunks of ``aidcalc.io.iter_crs(path)``.
    prepare
        Applied to each chunk before it is aggregated, e.g. a function that converts,
        normalises and categorises it (``lambda c: aidcalc.normalise(c, "EUR", 2023)``).
    **aggregate_options
        Passed to :func:`aidcalc.aggregate` (``by``, ``value``, ``period``, ``groups``,
        ``cumulative``, ...).

    Returns
    -------
    pandas.DataFrame
        What :func:`aidcalc.aggregate` returns for all chunks together.

    Raises
    ------
    AggregationError
        The rules of :func:`aidcalc.aggregate`, applied across chunks too (a group whose
        chunks hold different currencies, price bases or kinds).

    Examples
    --------
    >>> import pandas as pd
    >>> import aidcalc
    >>> f = pd.DataFrame({"donor": ["JPN", "DEU", "JPN", "DEU"],
    ...                   "category": ["energy", "energy", "energy", "demining"],
    ...                   "amount": [10.0, 5.0, 2.5, 1.0], "currency": "EUR"})
    >>> aidcalc.aggregate_chunks([f.iloc[:2], f.iloc[2:]], by="donor")
      donor  amount  rows  missing currency
    0   DEU     6.0     2        0      EUR
    1   JPN    12.5     2        0      EUR
    """
    chunks = data  # the argument is data= (as in seaborn); chunks= still works
    from ._aggregate import aggregate, check_cumulative

    options = dict(aggregate_options)
    cumulative = bool(options.pop("cumulative", False))
    check_cumulative(cumulative, options.get("period"))
    parts = []
    first: pd.DataFrame | None = None
    for chunk in chunks:
        check_frame(chunk, "aggregate_chunks")
        frame = prepare(chunk) if prepare is not None else chunk
        if first is None:
            first = frame.iloc[:0]
        parts.append(aggregate(frame, **options))
    if not parts:
        raise ValidationError(
            "aggregate_chunks: no chunks to aggregate (the iterable was empty)",
            problems=pd.DataFrame(),
        )
    return combine_partials(parts, cumulative=cumulative, **key_options(options))


def key_options(options: dict[str, Any]) -> dict[str, Any]:
    import inspect

    from ._aggregate import aggregate

    defaults = {
        name: param.default for name, param in inspect.signature(aggregate).parameters.items()
    }
    return {
        "by": options.get("by", defaults.get("by")),
        "value": options.get("value", defaults.get("value")),
        "period": options.get("period"),
        "groups": options.get("groups"),
        "donor": options.get("donor", defaults.get("donor", DONOR)),
        "currency": options.get("currency", defaults.get("currency", CURRENCY)),
    }


def result_keys(
    *, by: Any, period: Any, groups: Any, donor: str = DONOR
) -> list[str]:
    """The key columns of an ``aggregate`` result for these options, in their order."""
    keys = column_list(by)
    if period is not None:
        keys = [*keys, PERIOD]
    if groups is not None:
        keys = [GROUP, *[k for k in keys if k != donor]]
    return keys


def combine_partials(
    parts: list[pd.DataFrame],
    *,
    by: Any,
    value: str,
    period: Any = None,
    groups: Any = None,
    cumulative: bool = False,
    donor: str = DONOR,
    currency: str | None = CURRENCY,
) -> pd.DataFrame:
    """Combine ``aggregate`` results of disjoint chunks into the result for all of them."""
    keys = result_keys(by=by, period=period, groups=groups, donor=donor)
    # each part carries its chunk's attrs (e.g. the chunk's rejected rows): not the total's
    parts = [part.copy(deep=False) for part in parts]
    for part in parts:
        part.attrs = {}
    frame = pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0].copy()
    carried = [
        c
        for c in dict.fromkeys([currency or "", FX_TO, PRICE_BASE, KIND])
        if c and c in frame.columns and c not in keys
    ]
    if not keys:
        return _finish(_combine_total(frame, value, carried), value, keys, cumulative)
    grouped = frame.groupby(keys, dropna=False, sort=True, observed=True)
    with np.errstate(over="ignore", invalid="ignore"):  # overflow is checked in _finish
        out = grouped[value].sum(min_count=1).to_frame(value)
    out[ROWS] = grouped[ROWS].sum().astype("int64")
    out[MISSING] = grouped[MISSING].sum().astype("int64")
    for col in carried:
        _check_one(frame, grouped, keys, col, value)
        out[col] = grouped[col].first()
    out = out.reset_index()
    return _finish(out, value, keys, cumulative)


def _combine_total(frame: pd.DataFrame, value: str, carried: list[str]) -> pd.DataFrame:
    with np.errstate(over="ignore", invalid="ignore"):  # overflow is checked in _finish
        total = frame[value].sum(min_count=1)
    out = pd.DataFrame(
        {
            value: [total],
            ROWS: [int(frame[ROWS].sum())],
            MISSING: [int(frame[MISSING].sum())],
        }
    )
    for col in carried:
        seen = list(dict.fromkeys(frame[col].dropna().tolist()))
        if len(seen) > 1:
            raise AggregationError(
                f"cannot sum {value!r} across {col} values: the chunks hold {join_values(seen)}",
                column=col,
                values=seen,
            )
        out[col] = seen[0] if seen else np.nan
    return out


def _check_one(
    frame: pd.DataFrame, grouped: Any, keys: list[str], col: str, value: str
) -> None:
    """A group whose chunks disagree on ``col`` is refused, as within one chunk."""
    counts = grouped[col].nunique(dropna=False)
    bad = counts[counts > 1]
    if bad.empty:
        return
    first = bad.index[0]
    first = first if isinstance(first, tuple) else (first,)
    label = ", ".join(f"{k}={v!r}" for k, v in zip(keys, first, strict=True))
    mask = np.ones(len(frame), dtype=bool)
    for key, val in zip(keys, first, strict=True):
        column = frame[key]
        mask &= (column.isna() if pd.isna(val) else column == val).to_numpy()
    seen = list(dict.fromkeys(frame.loc[mask, col].tolist()))
    raise AggregationError(
        f"cannot sum {value!r} across {col} values: group {label} mixes {join_values(seen)} "
        f"in different chunks ({describe_rows(frame.index[mask])} of the partial results)"
        + (f" ({len(bad)} groups in all)" if len(bad) > 1 else ""),
        column=col,
        values=seen,
    )


def _finish(out: pd.DataFrame, value: str, keys: list[str], cumulative: bool) -> pd.DataFrame:
    """The combined sums as ``aggregate`` finishes its own: a group with a missing value has
    a missing total, a sum (or running total) that overflows is refused, never inf."""
    from ._aggregate import check_finite_sums, running_totals

    out.loc[out[MISSING] > 0, value] = np.nan
    check_finite_sums(out, value, keys)
    if cumulative:
        return running_totals(out, value, keys)
    return out.reset_index(drop=True)
