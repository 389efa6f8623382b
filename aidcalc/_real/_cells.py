"""Work once per distinct key, then gather: the rows of a large frame that share the values of
the columns a step reads (donor, currency, date) share every factor and every provenance text,
so a row-wise step can run on one representative row per key and its output columns be
gathered back to all rows (one gather per column, as a hand-written numpy version would do).

:func:`row_keys` gives each row one integer key (dense when the product of the columns'
distinct counts is small, else hashed), :func:`representatives` the first row of each key in
the order the keys first appear (so categories come out in the order the row-wise step would
give them) and each row's position among them, :func:`gather` one output column for every row.
Nothing here knows what the step computes: :func:`aidcalc._real._prices.normalise` uses it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import NamedTuple

import numpy as np
import pandas as pd

__all__ = ["Representatives", "gather", "representatives", "row_keys"]

#: the largest dense key space, as a multiple of the number of rows (else keys are hashed)
_DENSE_FACTOR = 2
#: the widest span of days or integers coded by arithmetic, as a multiple of the rows
_SPAN_FACTOR = 4
_NS_PER_DAY = 86_400 * 10**9
_NS_PER_UNIT = {"s": 10**9, "ms": 10**6, "us": 10**3, "ns": 1}
_NAT = np.iinfo(np.int64).min
_BLOCK = 1 << 16  # rows per block: the temporaries of a block stay in the CPU cache


class _Coder(NamedTuple):
    """A column's codes ``0..m-1`` for the rows ``i:j`` (equal values, equal codes; missing
    values one code of their own), and ``m``."""

    codes: Callable[[int, int], np.ndarray]
    m: int


def _coder(series: pd.Series) -> _Coder:
    """Free for categoricals; whole-day datetimes and integers by arithmetic; anything else
    hashed (``pd.factorize``)."""
    dtype = series.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        cat = series.cat.codes.to_numpy()
        return _Coder(lambda i, j: cat[i:j] + np.int64(1), len(dtype.categories) + 1)
    if isinstance(dtype, pd.DatetimeTZDtype) or dtype.kind == "M":
        days = _whole_days(series)
        if days is not None:
            return days
    elif isinstance(dtype, np.dtype) and dtype.kind in "iu" and len(series):
        # numpy integers only: a nullable Int64 column may hold <NA> (hashed below)
        ints = series.to_numpy()
        lo, hi = int(ints.min()), int(ints.max())
        if _compact(hi - lo, len(ints)):
            return _Coder(lambda i, j: ints[i:j].astype(np.int64) - lo, hi - lo + 1)
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    return _Coder(lambda i, j: codes[i:j] + np.int64(1), len(uniques) + 1)


def _compact(span: int, n: int) -> bool:
    """Whether ``span + 1`` codes are few enough for ``n`` rows to code by arithmetic."""
    return span < _SPAN_FACTOR * n + 1024


def _whole_days(series: pd.Series) -> _Coder | None:
    """Day numbers (0 = missing) of datetimes that are all whole days in a compact span, else
    None (times of day or a wide span: hashed instead, so equal keys are always equal
    values). One pass to check, block by block."""
    stamps = np.asarray(series.array.asi8)  # UTC instants for time-zone aware columns
    unit = _NS_PER_UNIT.get(series.dt.unit)
    if unit is None:
        return None
    per_day = _NS_PER_DAY // unit
    lo, hi = np.iinfo(np.int64).max, np.iinfo(np.int64).min
    for i in range(0, len(stamps), _BLOCK):  # a loop over blocks, not rows
        part = stamps[i : i + _BLOCK]
        part = part[part != _NAT]
        days = part // per_day
        if not np.array_equal(days * per_day, part):
            return None
        if len(days):
            lo, hi = min(lo, int(days.min())), max(hi, int(days.max()))
    if hi < lo:  # all missing
        return _Coder(lambda i, j: np.zeros(j - i, dtype=np.int64), 1)
    if not _compact(hi - lo, len(stamps)):
        return None

    def codes(i: int, j: int) -> np.ndarray:
        part = stamps[i:j]
        out = part // per_day
        out -= lo - 1
        out[part == _NAT] = 0
        return out

    return _Coder(codes, hi - lo + 2)


class RowKeys(NamedTuple):
    """One integer key per row, each below ``size`` (dense keys when the space is small,
    else codes in order of appearance)."""

    key: np.ndarray
    size: int


def row_keys(columns: Sequence[pd.Series], alone: np.ndarray | None = None) -> RowKeys:
    """The key of each row: equal exactly when the row's values in ``columns`` are equal.

    Rows of ``alone`` (e.g. amounts that are not numbers, whose reason names the value) get a
    key of their own each.

    Examples
    --------
    >>> cur = pd.Series(["EUR", "USD", "EUR", None])
    >>> day = pd.Series(pd.to_datetime(["2024-01-02", "2024-01-02", "2024-01-02", None]))
    >>> keys = row_keys([cur, day])
    >>> bool(keys.key[0] == keys.key[2]), bool(keys.key[0] == keys.key[1]), keys.size
    (True, False, 6)
    """
    n = len(columns[0])
    coders = [_coder(series) for series in columns]
    sizes = [c.m for c in coders]
    if float(np.prod(np.array(sizes, dtype=float))) >= 2.0**62:  # too many for one integer
        key, size = _hashed_key(coders, n)
    else:
        key, size = np.empty(n, dtype=np.int64), int(np.prod(sizes))
        for i in range(0, n, _BLOCK):  # a loop over blocks, not rows
            j = min(i + _BLOCK, n)
            part = key[i:j]
            part[:] = 0
            for coder in coders:
                part *= coder.m
                part += coder.codes(i, j)
    if alone is not None and alone.any():
        key[alone] = size + np.arange(int(alone.sum()))
        size += int(alone.sum())
    if size > _DENSE_FACTOR * n + 1024:
        codes, uniques = pd.factorize(key)
        key, size = codes.astype(np.int64, copy=False), len(uniques)
    return RowKeys(key, size)


def _hashed_key(coders: list[_Coder], n: int) -> tuple[np.ndarray, int]:
    """Keys for columns whose combinations overflow one integer: hashed column by column."""
    key, size = np.zeros(n, dtype=np.int64), 1
    for coder in coders:
        if size * coder.m >= 2**62:
            codes, uniques = pd.factorize(key)
            key, size = codes.astype(np.int64, copy=False), len(uniques)
        key = key * coder.m + coder.codes(0, n)
        size *= coder.m
    return key, size


class Representatives(NamedTuple):
    """The first row (position) of each distinct key, in order of first appearance, and each
    row's position among them."""

    rows: np.ndarray
    row_pos: np.ndarray


def representatives(keys: RowKeys, max_share: float) -> Representatives | None:
    """One row per distinct key (None when there are more than ``max_share`` of the rows:
    working per key would gain nothing).

    Examples
    --------
    >>> keys = row_keys([pd.Series(["b", "a", "b", "a", "c"])])
    >>> rep = representatives(keys, 1.0)
    >>> rep.rows.tolist(), rep.row_pos.tolist()
    ([0, 1, 4], [0, 1, 0, 1, 2])
    """
    n = len(keys.key)
    first = np.full(keys.size, n, dtype=np.int64)
    for i in range(0, n, _BLOCK):  # a loop over blocks, not rows: no n-row temporary
        j = min(i + _BLOCK, n)
        np.minimum.at(first, keys.key[i:j], np.arange(i, j, dtype=np.int64))
    present = np.flatnonzero(first < n)
    if len(present) > max_share * n:
        return None
    firsts = first[present]
    order = np.argsort(firsts, kind="stable")
    # key -> its representative's position (intp: the gathers take it without a cast)
    position = np.empty(keys.size, dtype=np.intp)
    position[present[order]] = np.arange(len(present), dtype=np.intp)
    return Representatives(firsts[order], position[keys.key])


def gather(series: pd.Series, row_pos: np.ndarray, index: pd.Index) -> pd.Series:
    """``series`` (one value per representative) expanded to every row.

    Examples
    --------
    >>> s = pd.Series(pd.Categorical(["x", "y"]))
    >>> gather(s, np.array([1, 0, 1]), pd.RangeIndex(3)).tolist()
    ['y', 'x', 'y']
    """
    dtype = series.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        codes = series.cat.codes.to_numpy()[row_pos]
        values = pd.Categorical.from_codes(codes, dtype=dtype, validate=False)
        return pd.Series(values, index=index, name=series.name, copy=False)
    array = series.array
    if isinstance(array, pd.api.extensions.ExtensionArray) and not isinstance(
        array, pd.arrays.NumpyExtensionArray
    ):
        taken = array.take(row_pos)
    else:
        taken = series.to_numpy()[row_pos]
    return pd.Series(taken, index=index, name=series.name, dtype=dtype, copy=False)
