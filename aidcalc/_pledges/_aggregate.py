"""``aggregate``: sum pledges by donor, group, category and period, refusing unsafe sums.

Safety rules (each raises :class:`aidcalc.AggregationError` saying which group and rows):

* **one currency per sum.** When the frame has a ``currency`` column and the value column is
  in each row's own currency (``amount``, or any column when no conversion was made), every
  group must hold one currency, unless ``by`` includes ``currency``. A converted column (the
  frame has ``fx_rate``/``fx_to`` provenance and ``value`` is not ``amount``) is in the
  currency named by ``fx_to``: every group must hold one ``fx_to`` (rows converted to USD
  and rows converted to JPY into the same ``out=`` column are never added).
* **one price base per sum** when a ``price_base`` column exists.
* **one kind per sum** when a ``kind`` column exists: pledges, their components,
  restatements in other currencies and headline totals to date repeat each other's money, so
  they are never added together (filter ``kind == "pledge"`` or add ``kind`` to ``by``).
* **EU money is never dropped silently.** ``EUU`` (the EU as a whole) is in no donor group;
  a requested EU group with ``EUU`` rows outside it raises (see ``groups``).
* **dates are read, not guessed.** With ``period``, unreadable dates and strings mixing UTC
  offsets raise; missing dates form a ``NaT`` period.
* **units are kept and checked** (pint-pandas columns, see :func:`aidcalc.use_pint_pandas`):
  a ``pint[...]`` value column is summed in its unit and the result keeps its dtype. A
  currency dtype (``pint[USD]``) must agree with the ``currency`` column (``fx_to`` for a
  converted column) on every row where that is filled; any other unit (``pint[MW]``,
  ``pint[hectare]``) is not money: the currency and price-base checks are skipped for it.
* **missing values are not zero.** A group containing a missing value gets a missing total;
  the ``missing`` column counts them.

Conservation: without ``groups``, ``merges`` or ``attribute_eu`` the sum over output rows
equals the sum over input rows for any ``by`` (nothing is dropped: missing keys form groups).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final, Literal

import numpy as np
import pandas as pd

from .._base._columns import (
    AMOUNT,
    ANNOUNCED,
    CURRENCY,
    DONOR,
    FX_RATE,
    FX_TO,
    KIND,
    PERIOD,
    PLEDGE_ROW,
    PRICE_BASE,
    YEAR,
)
from .._base._compat import renamed_argument
from .._base._dask import dask_dispatch
from .._base._dates import YEAR_MAX, YEAR_MIN, Precision, parse_dates
from .._base._errors import AggregationError, ValidationError, describe_rows, join_values
from .._base._frame_checks import (
    check_columns_exist,
    check_frame,
    column_list,
    money_values,
    to_numbers,
    unnamed_index,
)
from .._base._provenance import is_converted
from .._money._amount import code_hint
from .._money._frame_units import aggregate_units, column_units, plain, restore
from ._dask import aggregate as aggregate_dask
from ._groups import GROUP, apply_merges, group_rows
from ._groups import attribute_eu as _attribute_eu

__all__ = ["PERIOD", "aggregate"]

ROWS: Final = "rows"
MISSING: Final = "missing"
_FREQ: Final = {"year": "Y", "quarter": "Q", "month": "M"}
_PRECISION: Final[dict[str, Precision]] = {"year": "year", "quarter": "month", "month": "month"}


@renamed_argument("frame")
@dask_dispatch(aggregate_dask)
def aggregate(
    data: pd.DataFrame,
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
    year: str = YEAR,
) -> pd.DataFrame:
    """Sum a value by donor (or donor group), category and period: one tidy row per group.

    Parameters
    ----------
    data
        A pledge frame (not changed).
    by
        Columns to group by (default donor x category); ``None`` or ``()`` for a grand total.
    value
        The column to sum.
    period
        Also group by the ``year``, ``quarter`` or ``month`` of ``date`` (column ``period``;
        rows with a missing date form their own ``NaT`` period; a date that cannot be read,
        or strings mixing UTC offsets, raise). With ``period="year"`` a ``year`` column, as
        made by :func:`aidcalc.spread`, wins over ``date`` where it is filled (a pledge
        spread over 2024-2027 counts in each of those years, not in its announcement year);
        ``"quarter"``/``"month"`` refuse spread rows (they are per year).
    groups
        Donor group name(s) (``"G7"``, ``"EU27"``, ``"G7+EU"``, ``"EU27+EUI"``, see
        :func:`aidcalc.get_groups`): ``donor`` in ``by`` is replaced by ``group``, each row
        counts for every group its donor belonged to on the row's ``date``, and the EU
        institutions are counted at most once per group. ``EUU`` ("the European Union" as a
        whole, which may mix EU-budget and member-state money) is in no group: when a
        requested EU group (one listing ``EUI``, or named ``EU...``) would leave ``EUU`` rows
        out, aggregate raises instead of dropping them (recode them with
        ``merges={"EUU": "EUI"}`` if the money is the EU budget's).
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
        you know ``value`` is in one currency). Codes are compared trimmed and upper-cased.
    year
        The per-year column :func:`aidcalc.spread` adds (used by ``period="year"``).

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
        rows, and how to fix it); a converted ``value`` whose rows were converted to
        different currencies (``fx_to``); a non-numeric value; unreadable or mixed-offset
        dates with ``period``; ``EUU`` rows outside a requested EU group.
    ValidationError
        A missing column, duplicate column names; :class:`FrameTypeError` (also a
        ``TypeError``) when ``frame`` is not a DataFrame.

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
    aidcalc.AggregationError: cannot sum 'amount' across currencies: group donor='JPN',
    category='energy' mixes 'USD', 'EUR' (2 rows (index 0, 1)). Convert first ...
    """
    frame = data  # the argument is data= (as in seaborn); frame= still works
    check_frame(frame, "aggregate")
    spec = _Spec(
        keys=column_list(by),
        value=value, period=period, groups=groups, cumulative=cumulative, date=date,
        merges=merges, attribute_eu=attribute_eu, donor=donor, currency=currency, year=year,
    )  # fmt: skip
    _check_options(frame, spec)
    units = column_units(frame[value], value, "aggregate")  # a pint-pandas column: its unit
    work = _work_frame(frame, spec, units)
    work, keys = _regrouped(work, spec)
    numbering = _Numbering.of(work, keys, period)
    out = _group_sums(work, numbering, keys, spec)
    check_finite_sums(out, value, keys)
    if cumulative:
        out = running_totals(out, value, keys)
    if units is not None:
        out[value] = restore(out[value], units)  # the sums keep the column's unit
    return out


@dataclass(frozen=True)
class _Spec:
    """The options of one :func:`aggregate` call (``keys`` from ``by``)."""

    keys: list[str]
    value: str
    period: str | None
    groups: str | Sequence[str] | None
    cumulative: bool
    date: str
    merges: str | Mapping[str, str] | None
    attribute_eu: bool
    donor: str
    currency: str | None
    year: str

    def converted(self, work: pd.DataFrame) -> bool:
        """Whether ``value`` is a converted column (an FX step left its columns)."""
        return is_converted(work.columns, self.value)


def _check_options(frame: pd.DataFrame, spec: _Spec) -> None:
    """The columns the options need are there; ``period`` and ``cumulative`` are valid."""
    needed = [spec.value, *spec.keys]
    if spec.period is not None and not (spec.period == "year" and spec.year in frame.columns):
        needed.append(spec.date)
    if spec.groups is not None or spec.merges is not None or spec.attribute_eu:
        needed.append(spec.donor)
    check_columns_exist(
        dict.fromkeys(needed),
        frame,
        "aggregate: column(s) {unknown} not in the frame (columns: {columns})",
    )
    _check_keys(spec)
    if spec.period is not None and spec.period not in _FREQ:
        raise ValidationError(
            f"period={spec.period!r}: use 'year', 'quarter', 'month' or None",
            option="period",
            value=spec.period,
            accepted=[*_FREQ, None],
            problems=None,
        )
    check_cumulative(spec.cumulative, spec.period)


def check_cumulative(cumulative: Any, period: Any) -> None:
    """``cumulative=True`` needs a ``period`` (for :func:`aidcalc.aggregate_chunks` too,
    checked before any chunk is read)."""
    if cumulative and period is None:
        raise ValidationError(
            "cumulative=True needs a period ('year', 'quarter' or 'month')",
            option="cumulative",
            value=cumulative,
            accepted="a period with cumulative=True",
            problems=None,
        )


def _check_keys(spec: _Spec) -> None:
    """``by`` names each column once, not ``value`` and none the result adds itself: pandas
    would fail to build the result (or a key would shadow a sum)."""
    added = [ROWS, MISSING, *([PERIOD] if spec.period is not None else []),
             *([GROUP] if spec.groups is not None else [])]  # fmt: skip
    twice = [k for i, k in enumerate(spec.keys) if k in spec.keys[:i]]
    clash = [k for k in spec.keys if k in added]
    problem = (
        f"by names {join_values(list(dict.fromkeys(twice)))} more than once" if twice
        else f"by and value both name {spec.value!r}: a column is either summed or grouped by"
        if spec.value in spec.keys
        else f"by names {join_values(clash)}, a column aggregate adds to its result "
        f"({join_values(added)}): rename that column first (data.rename(columns=...))"
        if clash else None
    )  # fmt: skip
    if problem is not None:
        raise ValidationError(
            f"aggregate: {problem}", option="by", value=spec.keys, problems=None
        )


def _work_frame(frame: pd.DataFrame, spec: _Spec, units: Any) -> pd.DataFrame:
    """The columns that matter (user columns are not part of the result), ``value`` as
    finite floats (else an AggregationError naming the rows), its unit checked."""
    value = spec.value
    money = money_values(plain(frame[value]), value, "aggregate")
    for mask, what in ((money.not_number, "not numbers"), (money.infinite, "not finite")):
        if mask.any():
            raise AggregationError(
                f"cannot sum {value!r}: {describe_rows(frame.index[mask])} are {what} "
                f"({join_values(frame.loc[mask, value].tolist())})",
                rows=list(frame.index[mask]),
            )
    used = [value, *spec.keys, spec.donor, spec.date, spec.currency or "", PRICE_BASE, KIND]
    used += [FX_RATE, FX_TO]
    if spec.period is not None:
        used += [spec.year, PLEDGE_ROW]
    work = unnamed_index(frame[[c for c in dict.fromkeys(used) if c in frame.columns]].copy())
    work[value] = money.values
    return aggregate_units(
        work,
        units,
        value=value,
        keys=spec.keys,
        currency=spec.currency,
        converted=spec.converted(work),
    )  # a currency dtype is checked against the currency column; MW etc. are not money


def _regrouped(work: pd.DataFrame, spec: _Spec) -> tuple[pd.DataFrame, list[str]]:
    """Donor merges, EU attribution, the period column and donor groups: the rows and
    the keys to group by."""
    keys = spec.keys
    if spec.merges is not None:
        work[spec.donor] = apply_merges(work[spec.donor], spec.merges)
    if spec.attribute_eu:
        work = _attribute_eu(work, value=spec.value, donor=spec.donor)
    if spec.period is not None:
        work[PERIOD] = _periods(work, spec.period, date=spec.date, year=spec.year)
        keys = [*keys, PERIOD]
    if spec.groups is not None:
        date = spec.date if spec.date in work.columns else None
        work = group_rows(work, spec.groups, donor=spec.donor, date=date)
        keys = [GROUP, *[k for k in keys if k != spec.donor]]
    return work, keys


@dataclass(frozen=True)
class _Numbering:
    """The groups numbered once (checks, counts and sums reuse the numbering): ``gid`` per
    row, the pandas groupby (None without keys) and the group labels in number order."""

    gid: np.ndarray
    ngroups: int
    grouped: Any
    labels: pd.Index | None

    @classmethod
    def of(cls, work: pd.DataFrame, keys: list[str], period: str | None) -> _Numbering:
        if not keys:
            return cls(np.zeros(len(work), dtype=np.intp), 1 if len(work) else 0, None, None)
        grouped = work.groupby(keys, dropna=False, sort=True, observed=True)
        gid = grouped.ngroup().to_numpy()
        # group keys, in the order of their numbers (periods as pandas Periods again)
        labels = _period_labels(grouped.size().index, period)
        return cls(gid, int(gid.max()) + 1 if len(work) else 0, grouped, labels)


def _single_checks(work: pd.DataFrame, keys: list[str], spec: _Spec) -> list[tuple[str, str, str]]:
    """The columns each group must hold one value of: ``(column, what, how to fix)``."""
    converted = spec.converted(work)
    currency = spec.currency
    checks = []
    if currency is not None and currency in work.columns and not converted and currency not in keys:
        checks.append((currency, "currencies", _CURRENCY_FIX))
    if converted and FX_TO in work.columns and FX_TO not in keys:
        checks.append((FX_TO, "target currencies (fx_to)", _FX_TO_FIX))
    if PRICE_BASE in work.columns and PRICE_BASE not in keys:
        checks.append((PRICE_BASE, "price bases", _PRICE_FIX))
    if KIND in work.columns and KIND not in keys:
        checks.append((KIND, "kinds", _KIND_FIX))
    return checks


def _group_sums(
    work: pd.DataFrame, numbering: _Numbering, keys: list[str], spec: _Spec
) -> pd.DataFrame:
    """One row per group: the sum (NaN when a value is missing), ``rows``, ``missing`` and
    the one value of each column that must not be mixed."""
    value, gid, ngroups = spec.value, numbering.gid, numbering.ngroups
    # each check also gives the group's one value (no sort to find each group's first row)
    taken = {
        col: _check_single(
            work, gid, ngroups, keys, numbering.labels, col, value, what, fix, spec.currency
        )
        for col, what, fix in _single_checks(work, keys, spec)
    }
    n = len(work)
    isna = work[value].isna().to_numpy()
    with np.errstate(over="ignore", invalid="ignore"):  # overflow is checked after
        if keys:
            out = numbering.grouped[value].sum().to_frame(value)  # compensated summation
            if numbering.labels is not None:
                out.index = numbering.labels
        else:
            out = pd.DataFrame({value: [work[value].sum()]})
    zeros = [0] * len(out)
    out[ROWS] = np.bincount(gid, minlength=ngroups).astype(np.int64) if n else zeros
    missing = np.bincount(gid, weights=isna, minlength=ngroups).astype(np.int64)
    out[MISSING] = missing if n else zeros
    out.loc[out[MISSING] > 0, value] = np.nan
    for col, found in taken.items():
        out[col] = found if n else [np.nan] * len(out)
    return out.reset_index() if keys else out


def running_totals(out: pd.DataFrame, value: str, keys: list[str]) -> pd.DataFrame:
    """``cumulative=True``: running totals over the periods of each group (also of the
    combined chunks of :func:`aidcalc.aggregate_chunks` and dask frames); one that
    overflows is refused."""
    others = [k for k in keys if k != PERIOD]
    out = out.sort_values([*others, PERIOD], kind="stable")
    with np.errstate(over="ignore", invalid="ignore"):
        if others:
            by_others = out.groupby(others, dropna=False, observed=True)
            out[value] = by_others[value].cumsum(skipna=False)
        else:
            out[value] = out[value].cumsum(skipna=False)
    out = out.reset_index(drop=True)
    check_finite_sums(out, value, keys, "running total")
    return out


def check_finite_sums(out: pd.DataFrame, value: str, keys: list[str], what: str = "sum") -> None:
    """A sum of finite amounts that overflows to infinity is refused, never shown as money."""
    with np.errstate(invalid="ignore"):
        column = out[value]
        if getattr(column.dtype, "units", None) is not None:  # pint-pandas: its magnitudes
            column = column.pint.magnitude  # (on pandas 2.2 it ignores na_value= below)
        over = np.isinf(column.to_numpy(dtype="float64", na_value=np.nan))
    if not over.any():
        return
    where = out.loc[over, keys].head(3).to_dict("records") if keys else "the total"
    raise AggregationError(
        f"cannot sum {value!r}: the {what} overflows to infinity (beyond 1.8e308) in "
        f"{int(over.sum())} group(s), e.g. {where}; such amounts cannot be money: check the "
        "values (a unit error?)",
        rows=[],
    )


_CURRENCY_FIX = (
    "Convert first (aidcalc.convert(frame, 'EUR') and aggregate the converted column) "
    "or add 'currency' to by."
)
_FX_TO_FIX = (
    "The rows were converted to different currencies: convert them all to one currency "
    "(aidcalc.convert(frame, 'EUR')) or add 'fx_to' to by."
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
    currency: str | None,
) -> np.ndarray:
    """Raise unless each group holds one value of ``col``; return that value per group (an
    object array: currency codes trimmed and upper-cased, missing values as NaN)."""
    if not len(work):
        return np.empty(0, dtype=object)
    if col == currency and work[col].isna().any():
        idx = work.index[work[col].isna().to_numpy()]
        raise AggregationError(
            f"cannot sum {value!r}: currency missing in {describe_rows(idx)}; fill it "
            "(aidcalc.pledges reads it from amount_text) or pass currency=None if the values "
            "are already in one currency",
            rows=list(idx),
        )
    # one value per group <=> min == max of its factorized codes (NaN gets a code too)
    codes, uniques = pd.factorize(work[col], use_na_sentinel=False)
    values = pd.Series(uniques)  # the column's own type (as its rows would give it)
    if col == currency:  # 'usd', ' USD' and 'USD' are one currency (work on distinct codes)
        same, upper = pd.factorize(_upper(pd.Series(uniques, dtype=object)), use_na_sentinel=False)
        values = pd.Series(np.asarray(upper, dtype=object), dtype=object)
        codes = same[codes]
    lo = np.full(ngroups, np.iinfo(np.int64).max)
    hi = np.full(ngroups, -1)
    np.minimum.at(lo, gid, codes)
    np.maximum.at(hi, gid, codes)
    bad = np.flatnonzero(lo != hi)
    if not len(bad):
        return values.take(lo).to_numpy()
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
    typo = "".join(dict.fromkeys(code_hint(v) for v in found)) if col == currency else ""
    raise AggregationError(
        f"cannot sum {value!r} across {what}: {where} mixes {join_values(found)}{typo} "
        f"({describe_rows(rows.index.unique())}){extra}. {fix}",
        column=col,
        values=found,
        rows=list(rows.index.unique()),
    )


def _year_numbers(column: pd.Series) -> pd.Series:
    """A ``year`` column as numbers: its values, or the year of each period or date (a
    ``Period[Y]`` column, datetimes)."""
    dtype = column.dtype
    if isinstance(dtype, pd.PeriodDtype) or pd.api.types.is_datetime64_any_dtype(dtype):
        return column.dt.year.astype("float64").where(column.notna())  # NaT: no year
    return to_numbers(column)


def _periods(work: pd.DataFrame, period: str, *, date: str, year: str) -> pd.Series:
    """The ``period`` of each row: spread's ``year`` where filled (``period="year"``), else
    the date's; unreadable dates raise instead of becoming a silent ``NaT`` group."""
    spread_rows = year in work.columns and PLEDGE_ROW in work.columns
    if spread_rows and period != "year":
        raise AggregationError(
            f"period={period!r}: the frame was spread over years (it has {year!r} and "
            f"{PLEDGE_ROW!r} columns), so it only has yearly amounts; use period='year' or "
            "aggregate the frame before spread",
            column=year,
        )
    years = None
    if period == "year" and year in work.columns:
        years = _year_numbers(work[year])
        bad = (
            work[year].notna()
            & (years.isna() | (years != np.floor(years)) | (years < YEAR_MIN) | (years > YEAR_MAX))
        ).to_numpy()
        if bad.any():
            idx = work.index[bad]
            raise AggregationError(
                f"cannot group by year: {year!r} is not a whole year in {YEAR_MIN}..{YEAR_MAX} in "
                f"{describe_rows(idx.unique())} ({join_values(work.loc[bad, year].tolist())})",
                rows=list(idx.unique()),
            )
        if years.notna().all() or date not in work.columns:
            if years.isna().any():
                raise ValidationError(
                    f"aggregate: {year!r} is missing in "
                    f"{describe_rows(work.index[years.isna()].unique())} and the frame has no "
                    f"date column {date!r} to fall back on",
                    problems=pd.DataFrame(),
                )
            return pd.Series(_year_ordinals(years.to_numpy()), index=work.index)
    if date not in work.columns:
        raise ValidationError(
            f"aggregate: period needs the date column {date!r} (or a {year!r} column)",
            problems=pd.DataFrame(),
        )
    out = _date_ordinals(work[date], period)
    if years is not None:  # spread rows: their own year wins
        filled = years.notna().to_numpy()
        out[filled] = _year_ordinals(years[filled].to_numpy())
    return pd.Series(out, index=work.index)


def _date_ordinals(col: pd.Series, period: str) -> np.ndarray:
    """Ordinals of the ``period`` of each date of ``col`` (NaN where missing); dates that
    cannot be read, or are coarser than ``period`` needs, raise naming the rows.

    A year (integer years, ``"2024"``) is enough for ``period="year"``, a month for
    ``"quarter"`` and ``"month"``: never ask for a day the period does not use. A pandas
    ``Period`` column is read by what each Period determines: one whose start and end lie in
    the same ``period`` (a month or quarter for ``"quarter"``, anything up to a year for
    ``"year"``) is that period; a wider one (a year Period for ``"quarter"``) raises.
    """
    freq = _FREQ[period]
    spans = isinstance(col.dtype, pd.PeriodDtype)
    got = parse_dates(
        col, precision="year" if spans else _PRECISION[period], mixed_offsets=False,
        option=("period", period),
    )
    bad = got.bad
    if bad.any():
        idx = col.index[bad].unique()
        raise AggregationError(
            f"cannot group by {period}: {col.name!r} cannot be read in {describe_rows(idx)} "
            f"({join_values(col[bad].drop_duplicates().tolist())}): {got.reasons[bad].iloc[0]}. "
            "Fix or drop those rows (missing dates are allowed: they form a NaT period)",
            column=col.name,
            rows=list(idx),
        )
    out = _ordinals(got.dates, freq)
    if spans:
        ends = _ordinals(pd.Series(col.dt.end_time.to_numpy(), index=col.index), freq)
        _check_spans(col, period, (out != ends) & ~np.isnan(out))
    return out


def _check_spans(col: pd.Series, period: str, wide: np.ndarray) -> None:
    """Refuse the Periods of ``col`` under ``wide``: each spans more than one ``period``."""
    if not wide.any():
        return
    idx = col.index[wide].unique()
    shown = join_values(col[wide].astype(str).drop_duplicates().tolist())
    raise AggregationError(
        f"cannot group by period={period!r}: {col.name!r} holds {col.dtype} values that "
        f"span more than one {period} ({shown}) in "
        f"{describe_rows(idx)}, so they do not tell the {period}: use a coarser period= "
        f"(such as period='year') or give the dates to the {period}",
        column=col.name,
        rows=list(idx),
    )


# Periods are grouped by their ordinals (float64, NaN for NaT: pandas' own numbering, as
# ``Period.ordinal``), turned into pandas Periods only for the group labels: Period objects
# per row cost seconds on millions of rows, integer keys a fraction of that.
_NAT = np.iinfo(np.int64).min
_LOOKUP_DAYS = 1 << 22  # a day -> period table up to this many days (11,000 years)


def _year_ordinals(years: np.ndarray) -> np.ndarray:
    """Ordinals of the ``"Y"`` periods of whole years (1970 is 0)."""
    return (np.asarray(years, dtype="float64").astype("int64") - 1970).astype("float64")


def _ordinals(dates: pd.Series, freq: str) -> np.ndarray:
    """The ordinals of ``dates.dt.to_period(freq)`` (float64, NaN for NaT), without building
    Period objects: whole days by a floor division, then a day -> period table over the span
    of days present (a gather instead of a calendar computation per row)."""
    if not (isinstance(dates.dtype, np.dtype) and dates.dtype.kind == "M"):
        # time-zone aware: the period of the local wall time, as pandas computes it
        ords = dates.dt.to_period(freq).array.asi8
        return np.where(ords == _NAT, np.nan, ords.astype("float64"))
    days = dates.to_numpy().astype("datetime64[D]").view("int64")
    ok = days != _NAT
    if not ok.any():
        return np.full(len(days), np.nan)
    all_ok = bool(ok.all())
    present = days if all_ok else days[ok]
    lo, hi = int(present.min()), int(present.max())
    unit = "datetime64[Y]" if freq == "Y" else "datetime64[M]"
    if hi - lo < _LOOKUP_DAYS:
        table = np.arange(lo, hi + 1).astype("datetime64[D]").astype(unit).view("int64")
        if freq == "Q":
            table = table // 3  # months since 1970-01 -> quarters since 1970Q1
        got = table[present - lo]
    else:
        got = present.astype("datetime64[D]").astype(unit).view("int64")
        if freq == "Q":
            got = got // 3
    if all_ok:
        return got.astype("float64")
    out = np.full(len(days), np.nan)
    out[ok] = got
    return out


def _period_labels(index: pd.Index, period: str | None) -> pd.Index:
    """Group labels with the ``period`` level (ordinals) as a PeriodIndex."""
    if period is None:
        return index

    def periods(level: pd.Index) -> pd.PeriodIndex:
        values = level.to_numpy(dtype="float64", na_value=np.nan)
        ords = np.where(np.isnan(values), _NAT, np.nan_to_num(values)).astype("int64")
        # PeriodIndex.from_ordinals exists since pandas 2.2; pandas-stubs do not declare it
        return pd.PeriodIndex.from_ordinals(  # type: ignore[attr-defined]
            ords, freq=_FREQ[period], name=level.name
        )

    if isinstance(index, pd.MultiIndex):
        at = list(index.names).index(PERIOD)
        levels: list[Any] = list(index.levels)
        levels[at] = periods(levels[at])
        return index.set_levels(levels, verify_integrity=False)
    return periods(index)


def _upper(codes: pd.Series) -> pd.Series:
    """Currency codes trimmed and upper-cased (missing stays missing)."""
    text = codes.map(lambda v: v.strip().upper() if isinstance(v, str) else v)
    return text.astype(object)
