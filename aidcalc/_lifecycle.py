"""The lifecycle of a pledge (status order) and spreading multi-year pledges over their years.

Status order, from the weakest to the strongest promise:

``pledged``
    announced publicly (a speech, a conference, a press release); no legal act yet.
``committed``
    a firm obligation: an agreement signed, funds appropriated or formally approved.
``allocated``
    earmarked for specific deliveries, projects or tranches (Kiel's "allocation").
``disbursed``
    money paid out or goods delivered.

Headline cumulative figures ("Japan's aid has topped $12.1 billion") are not a status: the
pledge frame marks them with ``kind="total_to_date"`` (see :mod:`aidcalc._frame`) and they carry
``status="committed"``.
"""

from __future__ import annotations

from typing import Final, Literal

import numpy as np
import pandas as pd

from ._columns import AMOUNT, PERIOD_END, PERIOD_START, PLEDGE_ROW, YEAR
from ._errors import ValidationError, describe_rows, join_values

__all__ = ["PLEDGE_ROW", "STATUS_ORDER", "spread", "status_rank"]

STATUS_ORDER: Final = ("pledged", "committed", "allocated", "disbursed")
"""The documented order of ``status`` values, weakest promise first."""



def status_rank(status: pd.Series) -> pd.Series:
    """Rank statuses by the documented order (0 = ``pledged`` ... 3 = ``disbursed``).

    Unknown or missing statuses become ``<NA>``.

    Examples
    --------
    >>> status_rank(pd.Series(["disbursed", "pledged", "maybe"])).tolist()
    [3, 0, <NA>]
    """
    ranks = {name: i for i, name in enumerate(STATUS_ORDER)}
    return status.map(ranks).astype("Int64")


def spread(
    frame: pd.DataFrame,
    *,
    how: Literal["even"] = "even",
    start: str = PERIOD_START,
    end: str = PERIOD_END,
    amount: str = AMOUNT,
    year: str = YEAR,
    link: str = PLEDGE_ROW,
) -> pd.DataFrame:
    """Spread multi-year pledges over their years, conserving every amount exactly.

    A row covering the years ``start``..``end`` (inclusive) becomes one row per year. With
    ``how="even"`` each year gets an equal share rounded to the cent, and the leftover cents go,
    one each, to the years with the largest rounding remainders (ties: earliest year first), so
    the parts add up to the whole to the cent (computed in integer cents, not floats).
    Rows without a period, or with ``start == end``, stay one row. Every other column is
    carried through; ``link`` holds the index label of the original row and ``year`` the year
    (for single-year rows: ``end``, else ``start``, else missing).

    Parameters
    ----------
    frame
        A pledge frame.
    how
        Only ``"even"`` (equal shares per year) is implemented.
    start, end
        Columns holding the first and last year (integers or missing).
    amount
        The column to spread.
    year, link
        Names of the new columns (year, original index label).

    Returns
    -------
    pandas.DataFrame
        A new frame with a fresh ``RangeIndex``; the caller's frame is not changed.

    Raises
    ------
    ValidationError
        If a period is reversed, a year is not a whole number, an amount is not finite, or
        an amount has fractions of a cent (spreading would have to invent precision).

    Examples
    --------
    >>> f = pd.DataFrame({"donor": ["EUI", "JPN"], "amount": [50e9, 100.0],
    ...                   "period_start": [2024, None], "period_end": [2027, None]})
    >>> out = spread(f)
    >>> out[["donor", "year", "amount", "pledge_row"]]
      donor    year        amount  pledge_row
    0   EUI    2024  1.250000e+10           0
    1   EUI    2025  1.250000e+10           0
    2   EUI    2026  1.250000e+10           0
    3   EUI    2027  1.250000e+10           0
    4   JPN    <NA>  1.000000e+02           1
    >>> spread(pd.DataFrame({"amount": [100.0], "period_start": [2024], "period_end": [2026]}))[
    ...     "amount"].tolist()
    [33.34, 33.33, 33.33]
    """
    if how != "even":
        raise ValueError(f"how={how!r} is not supported: use how='even'")
    for col in (amount,):
        if col not in frame.columns:
            raise ValidationError(
                f"spread needs an amount column {col!r}; the frame has {list(frame.columns)}",
                problems=pd.DataFrame(),
            )
    n = len(frame)
    first = _years(frame, start, n)
    last = _years(frame, end, n)
    # one-sided periods: a single year
    first = first.fillna(last)
    last = last.fillna(first)
    bad = (first > last).fillna(False).to_numpy()
    if bad.any():
        idx = frame.index[bad]
        raise ValidationError(
            f"{describe_rows(idx)}: {start} after {end}; swap them or fix the years",
            problems=pd.DataFrame({"row": idx, "column": start, "problem": "period reversed"}),
        )
    values = pd.to_numeric(frame[amount], errors="coerce").to_numpy(dtype="float64")
    n_years = (last - first + 1).fillna(1).to_numpy(dtype="int64")
    multi = n_years > 1
    bad_amount = multi & ~np.isfinite(values)
    if bad_amount.any():
        idx = frame.index[bad_amount]
        raise ValidationError(
            f"{describe_rows(idx)}: {amount} missing or not finite in multi-year rows; "
            "fill it or drop the period",
            problems=pd.DataFrame({"row": idx, "column": amount, "problem": "not finite"}),
        )
    cents_f = np.where(multi, values, 0.0) * 100.0
    cents = np.rint(cents_f)
    frac = multi & (np.abs(cents_f - cents) > 1e-6 * np.maximum(1.0, np.abs(cents_f)))
    if frac.any():
        idx = frame.index[frac]
        raise ValidationError(
            f"{describe_rows(idx)}: {amount} has fractions of a cent "
            f"({join_values(values[frac].tolist())}); round to cents before spreading",
            problems=pd.DataFrame({"row": idx, "column": amount, "problem": "sub-cent amount"}),
        )
    if np.abs(cents).max(initial=0.0) >= 2.0**53:
        raise ValidationError(
            "amounts too large to spread exactly in cents (above 90 trillion)",
            problems=pd.DataFrame(),
        )

    pos = np.repeat(np.arange(n), n_years)
    offset = np.arange(len(pos)) - np.repeat(np.cumsum(n_years) - n_years, n_years)
    out = frame.iloc[pos].copy()
    base_year = first.to_numpy(dtype="float64")[pos]
    years = pd.array(np.where(np.isnan(base_year), np.nan, base_year + offset), dtype="Int64")

    # integer cents: quotient + largest remainder (remainders are equal for an even split,
    # so the leftover cents go to the earliest years)
    total = cents.astype(np.int64)[pos]
    k = n_years[pos]
    q, r = np.divmod(np.abs(total), k)
    part = q + (offset < r)
    part = np.where(total < 0, -part, part)
    new_amount = np.where(multi[pos], part / 100.0, values[pos])
    # keep the original float where untouched (no float round trip for single-year rows)
    out[amount] = new_amount
    out[year] = years
    out[link] = frame.index.to_numpy()[pos]
    return out.reset_index(drop=True)


def _years(frame: pd.DataFrame, col: str, n: int) -> pd.Series:
    if col not in frame.columns:
        return pd.Series(np.full(n, np.nan), index=frame.index, dtype="float64")
    raw = frame[col]
    if pd.api.types.is_datetime64_any_dtype(raw):
        return raw.dt.year.astype("float64")
    years = pd.to_numeric(raw, errors="coerce").astype("float64")
    bad = (raw.notna() & (years.isna() | (years != np.floor(years)))).to_numpy()
    if bad.any():
        idx = frame.index[bad]
        raise ValidationError(
            f"{describe_rows(idx)}: {col} is not a whole year "
            f"({join_values(raw[bad].tolist())}); use integers such as 2024",
            problems=pd.DataFrame({"row": idx, "column": col, "problem": "not a year"}),
        )
    return years
