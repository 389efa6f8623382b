"""``aggregate``: sum pledges by donor, group, category and period, refusing unsafe sums.

Safety rules (each raises :class:`aidcalc.AggregationError` saying which group and rows):

* **one currency per sum.** When the frame has a ``currency`` column and the value column is
  in each row's own currency (``amount``, or any column when no conversion was made), every
  group must hold one currency, unless ``by`` includes ``currency``. A converted column (the
  frame has ``fx_rate`` provenance and ``value`` is not ``amount``) is in one currency.
* **one price base per sum** when a ``price_base`` column exists.
* **one kind per sum** when a ``kind`` column exists: pledges, their components,
  restatements in other currencies and headline totals to date repeat each other's money, so
  they are never added together (filter ``kind == "pledge"`` or add ``kind`` to ``by``).
* **missing values are not zero.** A group containing a missing value gets a missing total;
  the ``missing`` column counts them.

Conservation: without ``groups``, ``merges`` or ``attribute_eu`` the sum over output rows
equals the sum over input rows for any ``by`` (nothing is dropped: missing keys form groups).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Final, Literal

import numpy as np
import pandas as pd

from ._columns import AMOUNT, ANNOUNCED, CURRENCY, DONOR, FX_RATE, KIND, PERIOD, PRICE_BASE
from ._errors import AggregationError, ValidationError, describe_rows, join_values
from ._groups import GROUP, apply_merges, group_rows
from ._groups import attribute_eu as _attribute_eu

__all__ = ["PERIOD", "aggregate"]

ROWS: Final = "rows"
MISSING: Final = "missing"
_FREQ: Final = {"year": "Y", "quarter": "Q", "month": "M"}


def aggregate(
    frame: pd.DataFrame,
    *,
    by: str | Sequence[str] | None = (DONOR, "category"),
    value: str = AMOUNT,
    period: Literal["year", "quarter", "month"] | None = None,
    groups: str | Sequence[str] | None = None,
    cumulative: bool = False,
    date: str = ANNOUNCED,
    merges: str | Mapping[str, str] | None = None,
    attribute_eu: bool = False,
    donor: str = DONOR,
    currency: str | None = CURRENCY,
) -> pd.DataFrame:
    """Sum a value by donor (or donor group), category and period: one tidy row per group.

    Parameters
    ----------
    frame
        A pledge frame (not changed).
    by
        Columns to group by (default donor x category); ``None`` or ``()`` for a grand total.
    value
        The column to sum.
    period
        Also group by the ``year``, ``quarter`` or ``month`` of ``date`` (column ``period``;
        undated rows form their own ``NaT`` period).
    groups
        Donor group name(s) (``"G7"``, ``"EU27"``, ``"G7+EU"``, ``"EU27+EUI"``, see
        :func:`aidcalc.get_groups`): ``donor`` in ``by`` is replaced by ``group``, each row
        counts for every group its donor belonged to on the row's ``date``, and the EU
        institutions are counted at most once per group.
    cumulative
        Running totals over ``period`` (needs ``period``) within the other keys.
    date
        Date column used by ``period`` and group membership.
    merges
        Donor merge rule applied first: ``"kiel"`` counts the European Investment Bank under
        the EU institutions as Kiel does; or a mapping ``{donor: counted as}``.
    attribute_eu
        Replace EU-institution (``EUI``) rows by member-state shares of the EU budget
        (Kiel's approach; shares in ``datasets/eu_attribution_shares.csv``) before summing.
    donor
        The donor column.
    currency
        The currency column checked for mixed currencies; ``None`` skips the check (only when
        you know ``value`` is in one currency).

    Returns
    -------
    pandas.DataFrame
        The ``by`` keys (``group`` instead of ``donor`` with ``groups``, plus ``period``), the
        summed ``value``, ``rows`` (rows summed), ``missing`` (missing values among them), and
        ``currency``/``price_base``/``kind`` when those columns exist (one value per group).

    Raises
    ------
    AggregationError
        Mixed currencies, price bases or kinds in a group (message names the group, values and
        rows, and how to fix it); a non-numeric value.

    Examples
    --------
    >>> f = pd.DataFrame({"donor": ["JPN", "JPN", "DEU", "EUI"],
    ...                   "category": ["energy", "energy", "demining", "energy"],
    ...                   "announced": pd.to_datetime(["2023-05-13", "2024-02-19",
    ...                                                "2024-06-12", "2024-09-19"]),
    ...                   "amount": [37.8, 105.0, 22.0, 160.0],
    ...                   "currency": ["EUR", "EUR", "EUR", "EUR"]})
    >>> aggregate(f)
      donor  category  amount  rows  missing currency
    0   DEU  demining    22.0     1        0      EUR
    1   EUI    energy   160.0     1        0      EUR
    2   JPN    energy   142.8     2        0      EUR
    >>> aggregate(f, by="donor", groups=["G7", "G7+EU"])[["group", "amount"]]
       group  amount
    0     G7   164.8
    1  G7+EU   324.8
    >>> aggregate(f, by=None, period="year", cumulative=True)[["period", "amount"]]
      period  amount
    0   2023    37.8
    1   2024   324.8
    >>> f.loc[0, "currency"] = "USD"
    >>> aggregate(f)
    Traceback (most recent call last):
    ...
    aidcalc._errors.AggregationError: cannot sum 'amount' across currencies: group donor='JPN',
    category='energy' mixes 'USD', 'EUR' (2 rows (index 0, 1)). Convert first ...
    """
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(f"aggregate expects a pandas DataFrame, got {type(frame).__name__}")
    keys = [] if by is None else ([by] if isinstance(by, str) else list(by))
    needed = [value, *keys]
    if period is not None:
        needed.append(date)
    if groups is not None or merges is not None or attribute_eu:
        needed.append(donor)
    missing_cols = [c for c in dict.fromkeys(needed) if c not in frame.columns]
    if missing_cols:
        raise ValidationError(
            f"aggregate: column(s) {missing_cols} not in the frame "
            f"(columns: {list(frame.columns)})",
            problems=pd.DataFrame(),
        )
    if period is not None and period not in _FREQ:
        raise ValueError(f"period={period!r}: use 'year', 'quarter', 'month' or None")
    if cumulative and period is None:
        raise ValueError("cumulative=True needs a period ('year', 'quarter' or 'month')")

    values = pd.to_numeric(frame[value], errors="coerce")
    bad = frame[value].notna() & values.isna()
    if bad.any():
        raise AggregationError(
            f"cannot sum {value!r}: {describe_rows(frame.index[bad])} are not numbers "
            f"({join_values(frame.loc[bad, value].tolist())})",
            rows=list(frame.index[bad]),
        )
    # work on the columns that matter only (user columns are not part of the result)
    used = [value, *keys, donor, date, currency or "", PRICE_BASE, KIND, FX_RATE]
    work = frame[[c for c in dict.fromkeys(used) if c in frame.columns]].copy()
    work[value] = values.astype("float64")

    if merges is not None:
        work[donor] = apply_merges(work[donor], merges)
    if attribute_eu:
        work = _attribute_eu(work, value=value, donor=donor)

    if period is not None:
        dates = pd.to_datetime(work[date], errors="coerce")
        work[PERIOD] = dates.dt.to_period(_FREQ[period])
        keys = [*keys, PERIOD]
    if groups is not None:
        work = group_rows(work, groups, donor=donor, date=date if date in work.columns else None)
        keys = [GROUP, *[k for k in keys if k != donor]]

    # number the groups once; checks, counts and sums reuse the numbering
    n = len(work)
    if keys:
        grouped = work.groupby(keys, dropna=False, sort=True, observed=True)
        gid = grouped.ngroup().to_numpy()
        labels = grouped.size().index  # group keys, in the order of their numbers
    else:
        gid = np.zeros(n, dtype=np.intp)
        labels = None
    ngroups = int(gid.max()) + 1 if n else 0

    checks = []
    converted = FX_RATE in work.columns and value != AMOUNT
    if currency is not None and currency in work.columns and not converted and currency not in keys:
        checks.append((currency, "currencies", _CURRENCY_FIX))
    if PRICE_BASE in work.columns and PRICE_BASE not in keys:
        checks.append((PRICE_BASE, "price bases", _PRICE_FIX))
    if KIND in work.columns and KIND not in keys:
        checks.append((KIND, "kinds", _KIND_FIX))
    for col, what, fix in checks:
        _check_single(work, gid, ngroups, keys, labels, col, value, what, fix)

    carry = [c for c, _, _ in checks]
    isna = work[value].isna().to_numpy()
    missing = np.bincount(gid, weights=isna, minlength=ngroups).astype(np.int64)
    size = np.bincount(gid, minlength=ngroups).astype(np.int64)
    if keys:
        out = grouped[value].sum().to_frame(value)  # compensated summation
    else:
        out = pd.DataFrame({value: [work[value].sum()]})
    out[ROWS] = size if n else [0] * len(out)
    out[MISSING] = missing if n else [0] * len(out)
    out.loc[out[MISSING] > 0, value] = np.nan
    if carry:
        first_row = np.unique(gid, return_index=True)[1]
        for col in carry:
            taken = work[col].to_numpy()[first_row] if n else [np.nan] * len(out)
            out[col] = taken
    out = out.reset_index() if keys else out
    if cumulative:
        others = [k for k in keys if k != PERIOD]
        out = out.sort_values([*others, PERIOD], kind="stable")
        if others:
            out[value] = out.groupby(others, dropna=False)[value].cumsum(skipna=False)
        else:
            out[value] = out[value].cumsum(skipna=False)
        out = out.reset_index(drop=True)
    return out


_CURRENCY_FIX = (
    "Convert first (aidcalc.convert(frame, 'EUR') and aggregate the converted column) "
    "or add 'currency' to by."
)
_PRICE_FIX = "Normalise to one price base first (aidcalc.normalise) or add 'price_base' to by."
_KIND_FIX = (
    "Pledges, components, restatements and totals to date repeat the same money: keep "
    "frame[frame['kind'] == 'pledge'] or add 'kind' to by."
)


def _check_single(
    work: pd.DataFrame,
    gid: np.ndarray,
    ngroups: int,
    keys: list[str],
    labels: pd.Index | None,
    col: str,
    value: str,
    what: str,
    fix: str,
) -> None:
    if not len(work):
        return
    if col == CURRENCY and work[col].isna().any():
        idx = work.index[work[col].isna().to_numpy()]
        raise AggregationError(
            f"cannot sum {value!r}: currency missing in {describe_rows(idx)}; fill it "
            "(aidcalc.pledges reads it from amount_text) or pass currency=None if the values "
            "are already in one currency",
            rows=list(idx),
        )
    # one value per group <=> min == max of its factorized codes (NaN gets a code too)
    codes = pd.factorize(work[col], use_na_sentinel=False)[0]
    lo = np.full(ngroups, np.iinfo(np.int64).max)
    hi = np.full(ngroups, -1)
    np.minimum.at(lo, gid, codes)
    np.maximum.at(hi, gid, codes)
    bad = np.flatnonzero(lo != hi)
    if not len(bad):
        return
    mask = gid == bad[0]
    if labels is not None:
        first = labels[bad[0]]
        first = first if isinstance(first, tuple) else (first,)
        label = ", ".join(f"{k}={v!r}" for k, v in zip(keys, first, strict=True))
        where = f"group {label}"
    else:
        where = "the total"
    extra = f" ({len(bad)} groups in all)" if len(bad) > 1 else ""
    rows = work.loc[mask]
    found = list(dict.fromkeys(rows[col].tolist()))
    raise AggregationError(
        f"cannot sum {value!r} across {what}: {where} mixes {join_values(found)} "
        f"({describe_rows(rows.index.unique())}){extra}. {fix}",
        column=col,
        values=found,
        rows=list(rows.index.unique()),
    )
