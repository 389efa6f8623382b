"""Currency conversion at the rate of the right day, vectorised, with provenance.

:func:`lookup_rates` turns (currency, date) pairs into rates into one target currency with
one gather into a table precomputed per rate table and target; :func:`convert` builds on it for
DataFrames and :func:`convert_amount` for single amounts.

Conventions
-----------
* ``fx_rate`` is units of the target currency per one unit of the row's currency.
* ``fx="spot"``: each leg of the cross rate (row currency and target, both quoted against
  the table's base) is the latest fixing on or before the row's date; ``fx_date`` is the older
  of the two legs' fixing dates and must be at most ``max_days_back`` days before the date.
  The look-back bridges weekends and holidays *between* fixings, never a working day after a
  currency's last fixing in the table (the end of the data, or a currency the publisher
  stopped, as the ECB did RUB after 2022-03-01): those rows have no rate ("date after the
  last ... fixing"), since the real rate of that day is unknown.
* ``fx="month"`` / ``"year"``: the arithmetic mean of the *daily cross rate* over the
  calendar month/year (the average of the ratio, computed on days where both legs fixed; not
  the ratio of the two averages). ``fx_date`` is the first day of the period (a
  ``datetime64`` like the spot dates, so the column stays vectorised). A period counts only
  when the pair's fixings reach within ``max_days_back`` days of both ends of the period, so
  a half-covered month (e.g. RUB in March 2022) is an error, never a silent partial average.
* Same currency in and out: rate 1 whatever the date (even outside the table, even without a
  date, or with a date that cannot be read: a row needs a date only when a rate needs one);
  ``fx_date`` is then the row's date (NaT when it has none).
* Money is finite: a boolean amount column raises; ``inf`` amounts and results that overflow
  to infinity (``1e308`` USD in JPY) raise :class:`aidcalc.ValidationError` naming the rows,
  or with ``errors="coerce"`` become NaN with the reason.
* Dates are read strictly by :func:`aidcalc._base._dates.parse_dates`, at the precision the
  exchange-rate policy ``fx=`` needs: ``fx="spot"`` needs the day, so a year-only ``2024`` or
  a month-only ``2024-06`` is refused (the message says to use ``fx="year"`` / ``"month"``);
  integer years are fine with ``fx="year"``. A numeric ``07/06/2024`` is read by ``locale=``'s
  day/month order, and refused without one unless it reads only one way (``13/06/2024``).

Speed: columns become integer arrays without a Python object per row where possible:
categorical codes as they are; a pandas 3 ``str`` (Arrow) column of 3-letter codes read from
its bytes; an object column of repeated objects (``read_csv(dtype=object)``) by object
identity; ``YYYY-MM-DD`` Arrow strings parsed by Arrow; other date text parsed once per
distinct value (see :mod:`aidcalc._base._dates`). Anything else goes through ``pd.factorize``, with
the same results (tests compare every storage).
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Literal, cast

import numpy as np
import numpy.typing as npt
import pandas as pd

from .._base._columns import (
    ERROR,
    FX_DATE,
    FX_RATE,
    FX_SOURCE,
    FX_TO,
    PRICE_BASE,
    RATE_COLUMNS,
)
from .._base._compat import arrow_strings, check_errors, renamed_argument, shallow_copy
from .._base._dask import dask_aware
from .._base._dates import UNREADABLE, ParsedDates, Precision, parse_dates
from .._base._errors import (
    OptionTypeError,
    ParseError,
    RateNotFoundError,
    ValidationError,
    describe_rows,
    join_values,
)
from .._base._frame_checks import (
    Money,
    check_frame,
    check_out_names,
    check_provenance_free,
    date_column,
    money_values,
    overflowed,
)
from .._base._provenance import Policy as RatePolicy
from .._base._provenance import RateFacts, render
from ._currencies import check_currency, code_hint
from ._euro import BEFORE as BEFORE_FIX
from ._euro import FIXED, period_bounds, phase
from ._frame_units import money_with_currency, with_currency_unit
from ._rates import NO_DAY, RatesLike, RateTable, resolve_rates

if TYPE_CHECKING:
    from .._base._locale import LocaleLike
    from ._amount import Amount

__all__ = ["average_rate", "convert", "convert_amount", "lookup_rates"]

Policy = Literal["spot", "month", "year"]

# reasons a row gets no rate (codes; 0 = fine)
(
    OK, NO_DATE, BAD_DATE, NO_CURRENCY, UNKNOWN, NO_TARGET, BEFORE, STALE, PERIOD, BAD_AMOUNT,
    NOT_FINITE, OVERFLOW, AFTER,
) = range(13)  # fmt: skip
_FIX = (
    "supply rates= with a table that covers them (aidcalc.read_rates, RateTable.combine), "
    "use errors='coerce' to get NaN with a reason, or, for a gap between two fixings, try "
    "fx='month' / a larger max_days_back (after a currency's last fixing only newer rates "
    "help: `aidcalc update --source ecb`)"
)


# --- inputs ----------------------------------------------------------------------------------
def check_fx_options(fx: str, errors: str, max_days_back: int, *, func: str = "convert") -> None:
    """Refuse an ``fx=`` (the exchange-rate policy), ``errors=`` or ``max_days_back=`` that
    :func:`convert`, :func:`lookup_rates` and :func:`aidcalc.fx_context` do not take."""
    if fx not in ("spot", "month", "year"):
        raise ValidationError(
            f"fx (the exchange-rate policy) must be 'spot', 'month' or 'year', got {fx!r}",
            option="fx",
            value=fx,
            accepted=["spot", "month", "year"],
            problems=None,
        )
    check_errors(errors, func=func)
    if (
        isinstance(max_days_back, bool)
        or not isinstance(max_days_back, (int, np.integer))
        or (max_days_back < 0)
    ):
        raise ValidationError(
            f"max_days_back must be a whole number of days >= 0, got {max_days_back!r}",
            option="max_days_back",
            value=max_days_back,
            accepted="a whole number of days >= 0",
            problems=None,
        )


def _check_target(to: Any) -> str:
    # the one rule for currency arguments: any case, ISO 4217, a suggestion for typos
    return check_currency(to, "to")


def _factorize_currencies(values: Any) -> tuple[np.ndarray, list[str | None]]:
    """Integer codes per row (-1 = missing) and the cleaned unique codes (None = not a code).

    Categoricals give their codes for free. Plain string columns take a fast path when one
    applies (all exact, see :func:`_factorize_arrow` and :func:`_factorize_by_identity`),
    else ``pd.factorize``. Several raw values may clean to the same code ("usd", "USD"):
    that is fine, the lookup maps each raw value to its column.
    """
    if isinstance(values, pd.Series) and isinstance(values.dtype, pd.CategoricalDtype):
        codes = values.cat.codes.to_numpy()
        uniques = list(values.cat.categories)
    elif isinstance(values, pd.Categorical):
        codes, uniques = values.codes, list(values.categories)
    else:
        if not isinstance(
            values, (pd.Series, pd.Index, np.ndarray, pd.api.extensions.ExtensionArray)
        ):
            values = pd.Series(list(values), dtype=object)
        fast = _factorize_arrow(values)
        if fast is None:
            fast = _factorize_by_identity(values)
        if fast is None:
            codes, uniq = pd.factorize(values, use_na_sentinel=True)
            uniques = list(uniq)
        else:
            codes, uniques = fast
    clean: list[str | None] = []
    for u in uniques:  # loop over unique values only
        s = u.strip().upper() if isinstance(u, str) else None
        clean.append(s if s and len(s) == 3 and s.isalpha() else None)
    return np.asarray(codes), clean


_FAST_MIN_ROWS = 10_000  # below this pd.factorize is as quick
_FAST_MAX_UNIQUES = 127  # int8 codes; a currency column has a few dozen at most
_SAMPLE = 4096


def _arrow_string_chunks(values: Any) -> list[Any] | None:
    """The Arrow chunks of a pyarrow-backed string column (pandas 3 ``str``), else None."""
    arr = values.array if isinstance(values, (pd.Series, pd.Index)) else values
    dtype = getattr(arr, "dtype", None)
    if not arrow_strings(dtype) or not hasattr(arr, "__arrow_array__"):
        return None
    import pyarrow as pa  # already imported by pandas when such a column exists

    data = arr.__arrow_array__()
    chunks = data.chunks if isinstance(data, pa.ChunkedArray) else [data]
    if not all(pa.types.is_string(c.type) or pa.types.is_large_string(c.type) for c in chunks):
        return None
    return chunks


_BLOCK = 1 << 16  # rows per block on fast paths: temporaries stay in the CPU cache


def _factorize_arrow(values: Any) -> tuple[np.ndarray, list[str | None]] | None:
    """Codes for a pyarrow-backed column of 3-byte strings (ISO codes) via a lookup table.

    Each value is read straight from Arrow's data buffer as a 24-bit integer (its UTF-8
    bytes), which a 16 MB table maps to a code. Exact, not a heuristic: each distinct key is
    one distinct string; a sample seeds the table and keys it missed are added when met.
    None when it does not apply (nulls aside, a value not 3 bytes long; more than 127
    distinct values): the caller falls back to ``pd.factorize``.
    """
    if len(values) < _FAST_MIN_ROWS:
        return None
    chunks = _arrow_string_chunks(values)
    if chunks is None:
        return None
    # key -> code; 0 = not seen yet, so code 0 is a placeholder no row gets. np.zeros maps
    # zero pages lazily: only the few pages where keys land are ever touched
    lut = np.zeros(1 << 24, dtype=np.int8)
    seen: list[int] = [-1]

    def learn(keys: np.ndarray) -> bool:
        new = [int(k) for k in np.unique(keys) if not lut[k]]  # unique values only
        if len(seen) + len(new) > _FAST_MAX_UNIQUES:
            return False
        lut[new] = np.arange(len(seen), len(seen) + len(new))
        seen.extend(new)
        return True

    parts = []
    for chunk in chunks:
        codes = _three_byte_codes(chunk, lut, learn)
        if codes is None:
            return None
        parts.append(codes)
    codes = np.concatenate(parts) if len(parts) != 1 else parts[0]
    uniques = [k.to_bytes(3, "little").decode("utf-8", errors="replace") for k in seen[1:]]
    return codes, [None, *uniques]


def _three_byte_codes(
    chunk: Any, lut: np.ndarray, learn: Callable[[np.ndarray], bool]
) -> np.ndarray | None:
    """Codes (``lut`` of each value's 24-bit key) of one Arrow string chunk whose values
    are all exactly 3 bytes long; None otherwise.

    Three-byte values lie back to back in the data buffer, so an unaligned 4-byte view with
    a 3-byte stride reads them all (the top byte, from the next value, is masked off). Works
    block by block on Arrow's buffers: no Python object and no 10M-row temporary.
    """
    import pyarrow as pa

    n = len(chunk)
    if n == 0:
        return np.empty(0, dtype=np.int8)
    if chunk.null_count:  # nulls as "???": they clean to "no currency" like a missing value
        import pyarrow.compute as pc

        chunk = pc.fill_null(chunk, "???")
    _, off_buf, data = chunk.buffers()
    off_type = np.int64 if pa.types.is_large_string(chunk.type) else np.int32
    offs = np.frombuffer(off_buf, dtype=off_type, count=chunk.offset + n + 1)[chunk.offset :]
    start = int(offs[0])
    if int(offs[-1]) - start != 3 * n:
        return None
    # value i is bytes start + 3i .. start + 3i + 2 (checked block by block below)
    words = np.ndarray((n - 1,), dtype="<u4", buffer=data, offset=start, strides=(3,))
    tail = np.frombuffer(data, dtype=np.uint8, count=3, offset=start + 3 * (n - 1))
    last = int(tail[0]) | int(tail[1]) << 8 | int(tail[2]) << 16
    if not learn(np.append(words[:: max(1, n // _SAMPLE)] & 0xFFFFFF, last)):
        return None
    codes = np.empty(n, dtype=np.int8)
    keys = np.empty(min(n, _BLOCK), dtype=np.intp)  # the index type np.take wants
    for i in range(0, n, _BLOCK):  # a loop over blocks, not rows
        j = min(i + _BLOCK, n)
        if not (np.diff(offs[i : j + 1]) == 3).all():
            return None
        k = keys[: j - i]
        m = min(j, n - 1) - i
        np.bitwise_and(words[i : i + m], 0xFFFFFF, out=k[:m])
        if m < len(k):
            k[m] = last
        c = codes[i:j]
        np.take(lut, k, out=c, mode="clip")  # keys < 2**24: clip never clips
        if not c.all():  # values the sample did not see
            miss = np.flatnonzero(c == 0)
            if not learn(k[miss]):
                return None
            c[miss] = lut[k[miss]]
    return codes


def _factorize_by_identity(values: Any) -> tuple[np.ndarray, list[Any]] | None:
    """Codes for an object (or python-string) column whose values repeat the same few
    objects, as ``read_csv(dtype=object)`` leaves them: factorise the object addresses
    (integers, hashed fast) instead of hashing and comparing strings. Equal strings held
    in different objects get different codes but clean to the same currency, so the result
    is exact. None when the sample shows many distinct objects (then hashing strings is
    cheaper than hashing addresses).
    """
    if len(values) < _FAST_MIN_ROWS:
        return None
    dtype = getattr(values, "dtype", None)
    python_strings = isinstance(dtype, pd.StringDtype) and dtype.storage == "python"
    if not (python_strings or (isinstance(dtype, np.dtype) and dtype.kind == "O")):
        return None
    arr = values.to_numpy(dtype=object) if isinstance(values, (pd.Series, pd.Index)) else (
        np.asarray(values, dtype=object)
    )  # fmt: skip
    if arr.ndim != 1:
        return None
    arr = np.ascontiguousarray(arr)
    try:  # the array's buffer holds one pointer per row; it keeps `arr` (and objects) alive
        address = np.frombuffer(arr, dtype=np.uintp)
    except (TypeError, ValueError, BufferError):
        return None
    if len(np.unique(address[:: max(1, len(arr) // _SAMPLE)])) > _FAST_MAX_UNIQUES // 2:
        return None
    codes, distinct = pd.factorize(address)
    # pd.factorize numbers values in order of appearance, so the first occurrence of each
    # code is where the running maximum of the codes steps up: scan blocks until all seen
    first: list[np.ndarray] = []
    top = -1
    for i in range(0, len(codes), _BLOCK):  # a loop over blocks, usually just the first
        block = np.maximum.accumulate(np.maximum(codes[i : i + _BLOCK], top))
        first.append(i + np.flatnonzero(np.diff(block, prepend=top) > 0))
        top = int(block[-1])
        if top == len(distinct) - 1:
            break
    return codes, list(arr[np.concatenate(first)])


_PRECISION: dict[str, Precision] = {"spot": "day", "month": "month", "year": "year"}


def _read_dates(values: Any, policy: str, locale: LocaleLike | None = None) -> ParsedDates:
    """The rows' dates read strictly (:func:`aidcalc._base._dates.parse_dates`) at the precision
    the policy needs: a year-only ``2024`` is fine for ``fx="year"``, refused for spot."""
    return parse_dates(
        values, locale=locale, precision=_PRECISION[policy], option=("fx", policy), unit="D"
    )


def _to_days(values: Any, policy: str = "spot") -> tuple[np.ndarray, np.ndarray]:
    """Whole days since 1970 per row (``NO_DAY`` when missing) and a mask of refused ones."""
    parsed = _read_dates(values, policy)
    return _days(parsed), parsed.bad


def _days(parsed: ParsedDates) -> np.ndarray:
    """Days since 1970 of the parsed dates (``NO_DAY`` where there is none)."""
    days = parsed.values.view("int64")
    nat = parsed.kind != 0
    if nat.any():
        days = days.copy()
        days[nat] = NO_DAY
    return days


# --- the vectorised core -------------------------------------------------------------------
class _Result:
    """Arrays of one lookup: rate, date of the rate, reason code, and what explains them."""

    __slots__ = (
        "bad",
        "bad_days",
        "rate",
        "reason",
        "seconds",
        "source_codes",
        "source_labels",
        "table",
        "to",
        "uniq",
    )
    rate: npt.NDArray[np.float64]  # target per unit of the row's currency, NaN = none
    seconds: npt.NDArray[np.int64]  # date of the rate as datetime64[s] integers (_NAT = none)
    reason: npt.NDArray[np.int8]  # OK, NO_DATE, ... per row
    source_codes: npt.NDArray[np.signedinteger[Any]]  # index into source_labels, -1 = none
    source_labels: list[str]
    table: RateTable
    to: str
    uniq: list[str | None]
    bad: npt.NDArray[np.intp]  # positions of rows without a rate (not same-currency)
    bad_days: npt.NDArray[np.int64]  # their day numbers (NO_DAY = no date)

    def __init__(self, **kw: Any) -> None:
        for k, v in kw.items():
            setattr(self, k, v)


_NAT = np.iinfo("int64").min


def _source_label(
    table: RateTable, cur: str, to: str, policy: str, legs: dict[str, str] | None = None
) -> str:
    """The ``fx_source`` of a pair: the sources of its legs (``legs`` replaces a leg's
    table source, e.g. by the irrevocably fixed euro conversion rate), then the policy."""
    srcs: list[str] = []
    for c in (cur, to):
        if c != table.base:
            s = (legs or {}).get(c) or table.source_of(c)
            if not any(s in t for t in srcs):
                srcs = [t for t in srcs if t not in s] + [s]
    label = "; ".join(srcs) or table.source
    return render(RateFacts(cast(RatePolicy, policy), label))  # provenance as fields, then text


def _lookup(
    table: RateTable,
    codes: np.ndarray,
    uniq: list[str | None],
    to: str,
    days: np.ndarray,
    policy: str,
    max_days_back: int,
) -> _Result:
    """The hot path: an offset, a clip and one gather per output column.

    ``codes`` index ``uniq`` (-1 = missing). Per call, the table's cached calendar arrays for
    (target, policy, max_days_back) are narrowed to the columns of the currencies present,
    plus a trailing all-NaN column that code -1 lands in. Rows that come out NaN then get
    their reason (and same-currency rows their rate 1) on the small subset only.
    ``days`` is consumed (it becomes each row's position in the narrowed table).
    """
    table = table._lookup_view()  # with the currencies the euro replaced (fixed rates)
    cur = _columns_of(table, uniq, to)
    labels, lab_code = _source_codes(table, uniq, to, policy, cur)
    legs = _fixed_legs(table, uniq, to)
    if legs is not None:
        legs.at(codes, days, policy)  # before _gather consumes days
    pos = _gather(table, cur, codes, days, policy, max_days_back)
    src_codes = np.take(lab_code, codes)
    if legs is not None:
        src_codes = _apply_fixed(legs, pos, src_codes, labels)
    reason, bad, bad_days = _explain(table, cur, codes, pos, src_codes, policy)
    return _Result(
        rate=pos.rate, seconds=pos.seconds, reason=reason, source_codes=src_codes,
        source_labels=labels, table=table, to=to, uniq=uniq, bad=bad, bad_days=bad_days,
    )  # fmt: skip


class _Columns:
    """Per distinct currency, plus a trailing slot for code -1 (missing): its column in the
    rate table (-1 = none), whether it is the target, and its status (OK or why not)."""

    __slots__ = ("col", "same", "status", "to_col")

    def __init__(self, col: np.ndarray, same: np.ndarray, status: np.ndarray, to_col: int):
        self.col, self.same, self.status, self.to_col = col, same, status, to_col


def _columns_of(table: RateTable, uniq: list[str | None], to: str) -> _Columns:
    to_col = table._col.get(to, -1)
    col = [table._col.get(u, -1) if u else -1 for u in uniq]
    status = [_status(u, to, c, to_col) for u, c in zip(uniq, col, strict=True)]
    return _Columns(
        col=np.array([*col, -1], dtype="int64"),
        same=np.array([u == to for u in uniq] + [False]),
        status=np.array([*status, NO_CURRENCY], dtype="int8"),
        to_col=to_col,
    )


def _status(u: str | None, to: str, col: int, to_col: int) -> int:
    """Why a currency gets no rate from the table (OK when it may)."""
    if u == to:
        return OK
    if u is None:
        return NO_CURRENCY
    if col < 0:
        return UNKNOWN
    if to_col < 0:
        return NO_TARGET
    return OK


def _source_codes(
    table: RateTable, uniq: list[str | None], to: str, policy: str, cur: _Columns
) -> tuple[list[str], np.ndarray]:
    """The ``fx_source`` labels and, per distinct currency, the index of its label (-1)."""
    labels: list[str] = []
    lab_code = np.full(len(uniq) + 1, -1, dtype="int16")
    for i, u in enumerate(uniq):  # unique currencies only
        if cur.status[i] != OK or u is None:  # (None always has status NO_CURRENCY)
            continue
        lab = "identity (same currency)" if u == to else _source_label(table, u, to, policy)
        if lab not in labels:
            labels.append(lab)
        lab_code[i] = labels.index(lab)
    if len(labels) < 127:
        lab_code = lab_code.astype("int8")
    return labels, lab_code


class _FixedLegs:
    """A lookup in which a currency the euro replaced takes part: per distinct currency its
    adoption day (:func:`_fixed_legs`), then per row (:meth:`at`) whether the currency's and
    the target's leg is before, on or after (``FIXED``), or straddling (a month or year
    around) an adoption, and what is needed to rate and label those rows."""

    __slots__ = ("adopted", "codes", "days", "phase_cur", "phase_to", "policy", "table", "to",
                 "uniq")  # fmt: skip
    adopted: np.ndarray  # per distinct currency (+ the missing slot): adoption day, -1 = none
    codes: np.ndarray  # index into uniq per row (-1 = missing)
    days: np.ndarray  # the rows' days (NO_DAY = none)
    phase_cur: np.ndarray  # BEFORE_FIX, FIXED or STRADDLE of the row currency's leg
    phase_to: np.ndarray  # ... of the target's leg
    policy: str
    table: RateTable
    to: str
    uniq: list[str | None]

    def __init__(self, table: RateTable, uniq: list[str | None], to: str) -> None:
        fixed = table._fixed
        self.table, self.uniq, self.to = table, uniq, to
        self.adopted = np.array(
            [fixed[u].fixed.adopted if u is not None and u in fixed else -1 for u in uniq]
            + [-1], dtype="int64",
        )  # fmt: skip

    def at(self, codes: np.ndarray, days: np.ndarray, policy: str) -> _FixedLegs:
        """The rows' phases (``days`` is copied: the gather consumes it)."""
        fixed, no_day = self.table._fixed, int(NO_DAY)
        on_leg = self.adopted[codes] >= 0
        self.phase_cur = np.where(
            on_leg, phase(days, self.adopted[codes], policy, no_day), BEFORE_FIX
        ).astype("int8")
        self.phase_to = (
            phase(days, fixed[self.to].fixed.adopted, policy, no_day) if self.to in fixed
            else np.zeros(len(codes), dtype="int8")
        )  # fmt: skip
        self.codes, self.days, self.policy = codes, days.copy(), policy
        return self


def _fixed_legs(table: RateTable, uniq: list[str | None], to: str) -> _FixedLegs | None:
    """None when no currency the euro replaced takes part (the common case: no row work)."""
    fixed = table._fixed
    if not (to in fixed or any(u is not None and u in fixed for u in uniq)):
        return None
    return _FixedLegs(table, uniq, to)


def _apply_fixed(
    legs: _FixedLegs, pos: _Gathered, src_codes: np.ndarray, labels: list[str]
) -> np.ndarray:
    """A pair of the euro and currencies it replaced, on or after their adoptions, is one
    constant factor whatever the date (even beyond the table): ``rate(to) / rate(cur)``,
    ``fx_date`` the row's day (period start). Rows with a fixed leg name it in ``fx_source``."""
    table, to, uniq, codes = legs.table, legs.to, legs.uniq, legs.codes
    fixed = table._fixed
    per_eur = np.array(
        [1.0 if u == "EUR" else fixed[u].fixed.rate if u in fixed and fixed[u].constant
         else np.nan for u in uniq] + [np.nan]
    )  # fmt: skip
    to_rate = 1.0 if to == "EUR" else fixed[to].fixed.rate if to in fixed else np.nan
    if to in fixed and not fixed[to].constant:
        to_rate = np.nan
    if np.isfinite(to_rate):
        eur = np.array([u == "EUR" for u in uniq] + [False])[codes]
        rows = (
            np.isfinite(per_eur[codes]) & (eur | (legs.phase_cur == FIXED))
            & ((to == "EUR") | (legs.phase_to == FIXED))
            & ~np.array([u == to for u in uniq] + [True])[codes]
        )  # fmt: skip
        if rows.any():
            pos.rate[rows] = to_rate / per_eur[codes[rows]]
            pos.seconds[rows] = period_bounds(legs.days[rows], legs.policy)[0] * 86_400
    return _fixed_labels(legs, src_codes, labels)


def _fixed_labels(legs: _FixedLegs, src_codes: np.ndarray, labels: list[str]) -> np.ndarray:
    """``fx_source`` of rows with a leg on or after (or straddling) an adoption: that leg's
    source is the irrevocably fixed euro conversion rate (after its quotes, straddling)."""
    rows = np.flatnonzero((legs.phase_cur != BEFORE_FIX) | (legs.phase_to != BEFORE_FIX))
    if not len(rows):
        return src_codes
    # (currency, phase of its leg, phase of the target's leg) as one small integer per row
    key = ((legs.codes[rows] + 1) * 3 + legs.phase_cur[rows]) * 3 + legs.phase_to[rows]
    size = (len(legs.uniq) + 1) * 9
    code_of = np.full(size, -1, dtype="int64")  # key -> label index (-1 = keep the row's)
    table, to = legs.table, legs.to
    for k in np.flatnonzero(np.bincount(key, minlength=size)).tolist():  # a few keys at most
        ci, rest = divmod(k, 9)
        u = legs.uniq[ci - 1] if ci > 0 else None
        if u is None or u == to:
            continue
        texts = {c: _fixed_leg_text(table, c, ph) for c, ph in ((u, rest // 3), (to, rest % 3))}
        lab = _source_label(table, u, to, legs.policy, {c: t for c, t in texts.items() if t})
        if lab not in labels:
            labels.append(lab)
        code_of[k] = labels.index(lab)
    out = src_codes.astype("int16") if len(labels) >= 127 else src_codes
    new = code_of[key]
    keep = new >= 0
    out[rows[keep]] = new[keep]
    return out


def _fixed_leg_text(table: RateTable, code: str, ph: int) -> str:
    """The source of one leg in a phase ('' = the table's own)."""
    leg = table._fixed.get(code)
    if leg is None or ph == BEFORE_FIX:
        return ""
    if not leg.constant:  # the table quotes it after adoption too: its quotes come first
        return (
            f"{table.source_of(code)}; on days it does not quote {code}, the {leg.fixed.label}"
        )
    if ph == FIXED or leg.quoted is None:
        return leg.fixed.label
    until = leg.fixed.adopted_date - np.timedelta64(1, "D")
    return f"{table.source_of(code)} until {until}, then the {leg.fixed.label}"


class _Gathered:
    """Rates and their dates per row, and where each row was read: row ``i`` is at
    ``flat[i] = (day - day0) * stride + code``."""

    __slots__ = ("day0", "flat", "rate", "seconds", "stride")

    def __init__(
        self, rate: np.ndarray, seconds: np.ndarray, flat: np.ndarray, stride: int, day0: int
    ) -> None:
        self.rate, self.seconds, self.flat, self.stride, self.day0 = (
            rate, seconds, flat, stride, day0
        )  # fmt: skip


def _gather(
    table: RateTable,
    cur: _Columns,
    codes: np.ndarray,
    days: np.ndarray,
    policy: str,
    max_days_back: int,
) -> _Gathered:
    """One gather per output column from the table narrowed to the currencies present."""
    if cur.to_col < 0:  # no target rates at all: every row is explained below
        flat = days
        flat += codes  # so the row's day is (flat - code) // stride + day0, as below
        return _Gathered(
            np.full(len(days), np.nan), np.full(len(days), _NAT, dtype="int64"), flat, 1, 0
        )
    day0, sub_rate, sub_sec = _narrowed(table, cur, policy, max_days_back)
    stride = len(cur.col)
    flat = days  # consumed in place: (day - day0) * stride + currency code
    if day0:
        flat -= day0
    flat *= stride
    flat += codes  # code -1 lands in the previous row's all-NaN column
    # out-of-calendar positions clip onto the all-NaN first or last row
    rate = np.take(sub_rate.ravel(), flat, mode="clip")
    seconds = np.take(sub_sec.ravel(), flat, mode="clip")
    return _Gathered(rate, seconds, flat, stride, day0)


def _narrowed(
    table: RateTable, cur: _Columns, policy: str, max_days_back: int
) -> tuple[int, np.ndarray, np.ndarray]:
    """(day0, rate, seconds): the table's calendar arrays into the target, narrowed to the
    currencies present (one column each, plus the all-NaN column of code -1)."""
    day0, rate2d, sec2d = table._dense(cur.to_col, policy, max_days_back)
    n_rows = rate2d.shape[0]
    # prepend all-NaN rows for days 0..day0 (since 1970) so a row's position is simply
    # day * stride + code: one arithmetic pass less per row (a few MB, once per call)
    lead = max(day0, 0)
    width = len(cur.col)
    sub_rate = np.full((lead + n_rows, width), np.nan)
    sub_sec = np.full((lead + n_rows, width), _NAT, dtype="int64")
    usable = np.flatnonzero((cur.status[:-1] == OK) & ~cur.same[:-1])
    sub_rate[lead:, usable] = rate2d[:, cur.col[usable]]
    sub_sec[lead:, usable] = sec2d[:, cur.col[usable]]
    same_cols = np.flatnonzero(cur.same)
    if len(same_cols):
        inner = slice(lead + 1, lead + n_rows - 1)
        sub_rate[inner, same_cols] = 1.0
        sub_sec[inner, same_cols] = ((day0 + np.arange(1, n_rows - 1)) * 86_400)[:, None]
    return day0 - lead, sub_rate, sub_sec  # day0 - lead: 0 unless the table starts before 1970


def _explain(
    table: RateTable,
    cur: _Columns,
    codes: np.ndarray,
    pos: _Gathered,
    src_codes: np.ndarray,
    policy: str,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(reason per row, rows without a rate, their days): on the rows that came out NaN only.

    Same-currency rows get rate 1 whatever the date (``fx_date`` = the row's date) here.
    """
    reason = np.zeros(len(pos.rate), dtype="int8")
    bad = np.flatnonzero(np.isnan(pos.rate))
    if not len(bad):
        return reason, bad, np.empty(0, dtype="int64")
    c = codes[bad].astype("int64")
    d = (pos.flat[bad] - c) // pos.stride + pos.day0
    has_day = d > NO_DAY // 2
    d[~has_day] = NO_DAY
    same = cur.same[c]
    if same.any():  # same currency: rate 1 whatever the date, fx_date = the row's date
        pos.rate[bad[same]] = 1.0
        pos.seconds[bad[same]] = np.where(has_day[same], d[same] * 86_400, _NAT)
    status = cur.status[c]
    if policy == "spot" and cur.to_col >= 0:
        first = table._first_days()
        pair_first = np.maximum(first[np.maximum(cur.col[c], 0)], first[cur.to_col])
        last = table._last_days()
        pair_last = np.minimum(last[np.maximum(cur.col[c], 0)], last[cur.to_col])
        timing = np.where(d < pair_first, BEFORE, np.where(d > pair_last, AFTER, STALE))
    else:
        timing = np.full(len(bad), PERIOD)
    why = np.where(status != OK, status, np.where(has_day, timing, NO_DATE))
    why[same] = OK
    reason[bad] = why
    src_codes[bad[why != OK]] = -1
    return reason, bad[~same], d[~same]


def _clear(res: _Result, mask: np.ndarray, why: int) -> None:
    """Rows that get no rate for a reason of their own (date, amount): NaN, NaT, no source."""
    if mask.any():
        res.reason[mask] = why
        res.rate[mask] = np.nan
        res.seconds[mask] = _NAT
        res.source_codes[mask] = -1


def _fx_columns(res: _Result) -> dict[str, Any]:
    """The ``fx_rate``, ``fx_date`` and ``fx_source`` columns of a lookup."""
    return {
        FX_RATE: res.rate,
        FX_DATE: res.seconds.view("datetime64[s]"),
        FX_SOURCE: pd.Categorical.from_codes(
            res.source_codes, pd.Index(res.source_labels), validate=False
        ),
    }


def _why(res: _Result, reason: int, cur: str | None, policy: str, max_days_back: int) -> str:
    """A short reason for the ``error`` column (one per reason and currency)."""
    table, to = res.table, res.to
    if reason == NO_DATE:
        return "missing date"
    if reason == BAD_DATE:
        return "unreadable date"
    if reason == BAD_AMOUNT:
        return "amount is not a number"
    if reason == NOT_FINITE:
        return "amount is not finite (inf)"
    if reason == OVERFLOW:
        return f"the amount in {to} overflows (beyond 1.8e308)"
    if reason == NO_CURRENCY:
        return "missing or invalid currency code"
    if reason == UNKNOWN:
        return f"no {cur} rates in {table.source}{code_hint(cur)}"
    if reason == NO_TARGET:
        return f"no {to} rates in {table.source}"
    cov = _coverage_text(table, cur, to)
    if reason == BEFORE:
        return f"date before the first {cur}/{to} fixing ({cov})"
    if reason == AFTER:
        return (
            f"date after the last {cur}/{to} fixing ({cov}): no rate is carried past it; "
            "update the rates (`aidcalc update --source ecb` for the ECB's) or pass rates="
        )
    if reason == STALE:
        return f"no {cur}/{to} fixing within {max_days_back} days before the date ({cov})"
    return f"{policy} not fully covered by {cur}/{to} fixings ({cov})"


def _coverage_text(table: RateTable, cur: str | None, to: str) -> str:
    parts = []
    for c in dict.fromkeys(x for x in (cur, to) if x and x != table.base):
        if c in table._fixed:
            parts.append(table._fixed[c].coverage())
            continue
        col = table._values[:, table._col[c]]
        have = np.flatnonzero(~np.isnan(col))
        first = np.datetime64(int(table._days[have[0]]), "D")
        last = np.datetime64(int(table._days[have[-1]]), "D")
        parts.append(f"{c} fixings run {first}..{last}")
    return "; ".join(parts) or f"table runs {table.start}..{table.end}"


def _date_errors(
    err: pd.Categorical[str], res: _Result, parsed: ParsedDates
) -> pd.Categorical[str]:
    """Put the date reader's reason (ambiguous order, year-only date, ...) on refused dates."""
    bad = res.reason == BAD_DATE
    if not bad.any():
        return err
    why = parsed.reasons.to_numpy()[bad]
    unreadable = parsed.kind[bad] == UNREADABLE
    texts = np.asarray(err, dtype=object)
    texts[bad] = np.where(unreadable, "unreadable date", why)
    return pd.Categorical(texts)


def _error_column(res: _Result, codes: np.ndarray, policy: str, mdb: int) -> pd.Categorical[str]:
    bad = np.flatnonzero(res.reason != OK)
    out = np.full(len(res.reason), -1, dtype="int64")
    cats: list[str] = []
    if len(bad):
        key = res.reason[bad].astype("int64") * (len(res.uniq) + 2) + (codes[bad] + 1)
        uk, inv = np.unique(key, return_inverse=True)
        for k in uk:  # one message per (reason, currency)
            reason, ci = divmod(int(k), len(res.uniq) + 2)
            cur = res.uniq[ci - 1] if ci > 0 else None
            cats.append(_why(res, reason, cur, policy, mdb))
        cat_idx = {c: i for i, c in enumerate(dict.fromkeys(cats))}
        remap = np.array([cat_idx[c] for c in cats])
        out[bad] = remap[inv]
        cats = list(cat_idx)
    return pd.Categorical.from_codes(out, categories=pd.Index(cats))


def _raise(
    res: _Result, codes: np.ndarray, index: pd.Index, raw_dates: Any, policy: str, mdb: int,
    what: str, parsed: ParsedDates, raw_currencies: Any = None,
) -> None:  # fmt: skip
    """Raise for rows without a rate: unreadable dates first, then one line per currency."""
    bad_dates = res.reason == BAD_DATE
    if bad_dates.any():
        raw = pd.Series(raw_dates, copy=False).reset_index(drop=True)
        why = parsed.reasons.reset_index(drop=True)
        lines = []
        for reason in why[bad_dates].drop_duplicates().tolist()[:6]:
            sel = bad_dates & (why == reason).to_numpy()
            shown = list(dict.fromkeys(raw[sel].tolist()))
            lines.append(f"{join_values(shown, limit=5)} in {describe_rows(index[sel])}: {reason}")
        shown = raw[bad_dates].tolist()
        raise ParseError(
            f"{what}: could not read the dates:\n  " + "\n  ".join(lines)
            + "\nUse ISO dates such as 2024-06-07, or errors='coerce' to get NaN with a reason",
            text=shown[0], reason=why[bad_dates].iloc[0], rows=index[bad_dates],
        )  # fmt: skip
    if not len(res.bad):
        return
    bad = res.bad
    lines = []
    first_cur, all_dates = None, []
    width = len(res.uniq) + 2
    key = res.reason[bad].astype("int64") * width + (codes[bad].astype("int64") + 1)
    for k in np.unique(key)[:6]:
        reason, ci = divmod(int(k), width)
        cur = res.uniq[ci - 1] if ci > 0 else None
        sel = key == k
        d = np.unique(res.bad_days[sel])
        dtext = [str(np.datetime64(int(x), "D")) for x in d if x != NO_DAY]
        first_cur = first_cur or cur
        all_dates.extend(dtext)
        on = f" on {join_values(dtext, limit=5)}" if dtext else ""
        if reason == NO_CURRENCY and raw_currencies is not None:  # quote what was written
            raw = pd.Series(raw_currencies, copy=False).iloc[bad[sel]]
            written = list(dict.fromkeys(raw[raw.notna()].tolist()))
            on += f" (written {join_values(written, limit=5)})" if written else " (missing)"
        lines.append(
            f"{cur or 'currency?'} -> {res.to}: {_why(res, reason, cur, policy, mdb)}: "
            f"{describe_rows(index[bad[sel]])}{on}"
        )
    n_bad = len(bad)
    raise RateNotFoundError(
        f"{what}: no {policy} rate for {n_bad} row{'s' if n_bad != 1 else ''}:\n  "
        + "\n  ".join(lines)
        + f"\nTo fix: {_FIX}.",
        currency=first_cur,
        dates=sorted(set(all_dates)),
        rows=index[bad],
    )


# --- public functions --------------------------------------------------------------------------
#: ``policy=`` was the name of ``fx=`` in convert, lookup_rates, convert_amount and fx_context
FX_RENAMED = {"old": "policy", "new": "fx", "why": "the name normalise and build_report use"}


@renamed_argument(**FX_RENAMED)
def lookup_rates(
    currencies: Any,
    to: str,
    dates: Any,
    *,
    fx: Policy = "spot",
    rates: RatesLike = None,
    max_days_back: int = 7,
    errors: Literal["raise", "coerce"] = "coerce",
) -> pd.DataFrame:
    """Vectorised exchange rates from each ``currencies[i]`` into ``to`` on ``dates[i]``.

    Parameters
    ----------
    currencies
        ISO codes (a Series, array or list; a single string is repeated).
    to
        The target currency.
    dates
        Dates (datetime64, ISO strings, ``datetime.date``; integers are years); a single value
        is repeated.
    fx
        The exchange-rate policy (``policy=`` is its deprecated name):
        ``"spot"`` (latest fixing on or before the date, at most ``max_days_back`` days old),
        ``"month"`` or ``"year"`` (average of the daily cross rate over the calendar period).
    rates
        A :class:`RateTable` or a list of them (combined); default the ECB table.
    max_days_back
        Staleness limit for spot rates and the coverage test for period averages.
    errors
        ``"coerce"`` (default): rows without a rate get NaN and a reason in ``error``.
        ``"raise"``: raise :class:`aidcalc.RateNotFoundError` instead.

    Returns
    -------
    pandas.DataFrame
        ``fx_rate`` (units of ``to`` per unit of the currency), ``fx_date``, ``fx_source``
        (categorical), ``error`` (categorical, NaN where fine); the index of ``currencies``
        (or ``dates``) when it is a Series.

    Examples
    --------
    >>> got = lookup_rates(["USD", "EUR", "XYZ"], "JPY", "2024-06-07")
    >>> got["fx_rate"].round(4).tolist()
    [155.5515, 169.52, nan]
    >>> print(got["error"].tolist()[2])
    no XYZ rates in ECB euro reference rates (...) ('XYZ' is not an ISO 4217 code)
    >>> lookup_rates("USD", "JPY", ["2024-06"], fx="month")["fx_date"].tolist()
    [Timestamp('2024-06-01 00:00:00')]
    """
    to = _check_target(to)
    check_fx_options(fx, errors, max_days_back, func="lookup_rates")
    table = resolve_rates(rates)
    currencies, dates, index = _broadcast(currencies, dates)
    codes, uniq = _factorize_currencies(currencies)
    parsed = _read_dates(dates, fx)
    res = _lookup(table, codes, uniq, to, _days(parsed), fx, max_days_back)
    _clear(res, parsed.bad, BAD_DATE)
    if errors == "raise":
        _raise(res, codes, index, dates, fx, max_days_back, "lookup_rates", parsed, currencies)
    return pd.DataFrame(
        {
            **_fx_columns(res),
            ERROR: _date_errors(_error_column(res, codes, fx, max_days_back), res, parsed),
        },
        index=index,
    )


def _broadcast(currencies: Any, dates: Any) -> tuple[Any, Any, pd.Index]:
    """Currencies and dates of equal length (a scalar is repeated), without their index, and
    the index of the result (a Series argument's, else a RangeIndex)."""
    index = None
    for obj in (currencies, dates):
        if isinstance(obj, pd.Series):
            index = obj.index
            break
    scalar_cur = isinstance(currencies, str) or currencies is None
    scalar_date = not isinstance(dates, (pd.Series, pd.Index, np.ndarray, list, tuple))
    n = len(index) if index is not None else (
        1 if scalar_cur and scalar_date else len(dates if scalar_cur else currencies)
    )  # fmt: skip
    if scalar_cur:
        currencies = [currencies] * n
    if scalar_date:
        dates = [dates] * n
    if len(currencies) != len(dates):
        raise ValidationError(
            f"currencies ({len(currencies)}) and dates ({len(dates)}) differ in length",
            option="dates",
            value=len(dates),
            accepted=f"{len(currencies)} dates (one per currency) or one date",
            problems=None,
        )
    if isinstance(currencies, pd.Series):
        currencies = currencies.reset_index(drop=True)
    if isinstance(dates, pd.Series):
        dates = dates.reset_index(drop=True)
    return currencies, dates, pd.RangeIndex(n) if index is None else index


@renamed_argument(**FX_RENAMED)
@renamed_argument("frame")
@dask_aware
def convert(
    data: pd.DataFrame,
    to: str,
    *,
    amount: str = "amount",
    currency: str = "currency",
    date: str | None = None,
    fx: Policy = "spot",
    rates: RatesLike = None,
    errors: Literal["raise", "coerce"] = "raise",
    out: str | None = None,
    max_days_back: int = 7,
    locale: LocaleLike | None = None,
) -> pd.DataFrame:
    """Convert an amount column into one currency at the rate of each row's date.

    Parameters
    ----------
    data
        The data; it is not modified.
    to
        ISO 4217 code of the target currency.
    amount, currency, date
        Column names (amounts numeric; currencies ISO codes; dates datetime64, ISO strings,
        ``datetime.date`` or integer years). Without ``date``, the dates are the ``date``
        column, or, when the frame has none, ``announced`` (the pledge frame's, as
        :func:`aidcalc.pledges` and the readers write it). A pint-pandas amount in a currency
        (``pint[USD]``, see :func:`aidcalc.use_pint_pandas`) gives the currency itself: the
        ``currency`` column is then optional, and one that names another currency for a row
        raises :class:`aidcalc.ValidationError`; the converted column is ``pint[to]``. Any
        other unit (``pint[MW]``) is not money and raises.
    fx
        The exchange-rate policy (``policy=`` is its deprecated name).
        ``"spot"``: the fixing of that day, or the latest earlier one at most
        ``max_days_back`` days old (``fx_date`` says which), but never past the currency's
        last fixing in the table except over the weekend right after it (a later date is
        not covered: update the rates, or pass ``rates=``). ``"month"`` / ``"year"``: the
        average of the daily cross rate over the calendar month/year; ``fx_date`` is the first
        day of the period. A currency the euro replaced (DEM, ..., HRK, BGN) has, from its
        adoption date, its irrevocably fixed euro conversion rate on every day (dataset
        ``euro_conversion_rates``; ``fx_source`` names it and the Council act), then the
        euro's rate of the date on to other currencies.
    rates
        A :class:`aidcalc.RateTable`, or a list of tables to combine (e.g. ECB + NBU);
        default :func:`aidcalc.get_rates` (ECB).
    errors
        ``"raise"``: rows without a rate raise :class:`aidcalc.RateNotFoundError` naming the
        currency, dates and rows. ``"coerce"``: they get NaN and a reason in ``error``.
    out
        Name of the converted column (default ``f"{amount}_{to}"``).
    max_days_back
        How old a spot fixing may be (days).
    locale
        Day/month order of numeric dates such as ``07/06/2024`` (``de``, ``fr``, ``en_GB``:
        day-first; ``en_US``: month-first). Without it only dates that read one way are
        accepted. Dates are read strictly: a year-only ``2024`` needs ``fx="year"`` and a
        month-only ``2024-06`` ``fx="month"`` (or ``"year"``); spot needs the day.

    Returns
    -------
    pandas.DataFrame
        A new frame with the same rows, order and index plus the converted column, ``fx_rate``
        (``to`` per one unit of the row's currency), ``fx_date``, ``fx_source`` (categorical),
        ``fx_to`` (categorical: ``to``, so :func:`aidcalc.aggregate` can refuse to add values
        converted into different currencies) and, with ``errors="coerce"``, ``error``
        (categorical, NaN where fine). Missing amounts stay missing without an error.

    Examples
    --------
    >>> pledges = pd.DataFrame(
    ...     {"amount": [12.1e9, 1.9e12, 5e8], "currency": ["USD", "JPY", "EUR"],
    ...      "date": ["2024-06-07", "2024-06-08", "2024-06-07"]},
    ...     index=["us", "jp", "eu"],
    ... )
    >>> done = convert(pledges, "USD")
    >>> (done["amount_USD"] / 1e9).round(2).tolist()
    [12.1, 12.21, 0.54]
    >>> done["fx_date"].dt.strftime("%Y-%m-%d").tolist()  # Saturday -> Friday's fixing
    ['2024-06-07', '2024-06-07', '2024-06-07']
    >>> convert(pledges, "USD", fx="year")["fx_rate"].round(4).tolist()
    [1.0, 0.0066, 1.0824]

    Leva after Bulgaria adopted the euro (2026-01-01) convert at the fixed 1.95583 per EUR:

    >>> lev = pd.DataFrame({"amount": [195.583], "currency": ["BGN"], "date": ["2026-03-02"]})
    >>> convert(lev, "EUR")["amount_EUR"].round(6).tolist()
    [100.0]
    >>> print(convert(lev, "EUR")["fx_source"].iloc[0])  # doctest: +ELLIPSIS
    irrevocably fixed euro conversion rate 1.95583 BGN per EUR from 2026-01-01 (...)
    """
    frame = data  # the argument is data= (as in seaborn); frame= still works
    check_frame(frame, "convert")
    date = date_column(frame, date)
    to = _check_target(to)
    check_fx_options(fx, errors, max_days_back)
    # a pint-pandas currency amount (pint[USD]) gives the currency; no currency column needed
    units = money_with_currency(frame, amount, currency, "convert")
    _check_columns(frame, (amount, currency, date) if units is None else (amount, date))
    check_out_names(
        "convert", {"out": out or f"{amount}_{to}"},
        reads={"amount": amount, "currency": currency, "date": date},
        writes=RATE_COLUMNS,
    )  # fmt: skip
    check_provenance_free(
        "convert", frame, out=out or f"{amount}_{to}", to=to, writes=(*RATE_COLUMNS, PRICE_BASE)
    )
    table = resolve_rates(rates)
    amounts, currencies = (frame[amount], frame[currency]) if units is None else units[:2]
    money = money_values(amounts, amount, "convert")
    if money.bad.any() and errors == "raise":
        _raise_bad_amounts(frame, amount, money)
    codes, uniq = _factorize_currencies(currencies)
    parsed = _read_dates(frame[date], fx, locale)
    res = _lookup(table, codes, uniq, to, _days(parsed), fx, max_days_back)
    _clear_unconvertible(res, codes, uniq, to, parsed, money)
    converted = _multiply(frame, amount, money.values, res, to, errors)
    if errors == "raise":
        _raise(
            res, codes, frame.index, frame[date], fx, max_days_back, "convert", parsed,
            currencies,
        )  # fmt: skip
    new = {
        out or f"{amount}_{to}": with_currency_unit(converted, to, units),
        **_fx_columns(res),
        FX_TO: pd.Categorical.from_codes(np.zeros(len(frame), dtype=np.int8), pd.Index([to])),
    }
    if errors == "coerce":
        err = _date_errors(_error_column(res, codes, fx, max_days_back), res, parsed)
        new[ERROR] = _merge_errors(frame[ERROR], err) if ERROR in frame.columns else err
    result = shallow_copy(frame)  # the caller's frame never sees a write into the result
    for name, col in new.items():  # wrap in Series so pandas does not copy the arrays again
        result[name] = pd.Series(col, index=frame.index, copy=False)
    return result


def _check_columns(frame: pd.DataFrame, needed: tuple[str, ...]) -> None:
    missing = [c for c in needed if c not in frame.columns]
    if missing:
        raise ValidationError(
            f"convert: column(s) {join_values(missing)} not found; the frame has "
            f"{join_values(list(frame.columns))}. Name yours with amount=, currency=, date= "
            "(without date=, the dates are 'date', else 'announced')",
            problems=pd.DataFrame({"column": missing, "problem": "missing"}),
        )


def _raise_bad_amounts(frame: pd.DataFrame, amount: str, money: Money) -> None:
    bad = money.bad
    shown = frame[amount][bad].tolist()
    what = (
        "values that are not numbers" if money.not_number.any() else "values that are not finite"
    )
    raise ValidationError(
        f"convert: column {amount!r} holds {what} in "
        f"{describe_rows(frame.index[bad])}: {join_values(shown)}. Read text "
        "amounts with aidcalc.parse_amounts first, fix or drop infinite values, or use "
        "errors='coerce'",
        problems=pd.DataFrame({"row": frame.index[bad], "value": shown}),
    )


def _clear_unconvertible(
    res: _Result,
    codes: np.ndarray,
    uniq: list[str | None],
    to: str,
    parsed: ParsedDates,
    money: Money,
) -> None:
    """Rows whose date or amount cannot be used get their reason; a missing amount is no
    error (nothing to convert; the rate is shown when known)."""
    unreadable = parsed.bad
    if unreadable.any():  # a same-currency row needs no date: its rate is 1 whatever the date
        same = np.array([u == to for u in uniq] + [False])[codes]
        unreadable = unreadable & ~same
    _clear(res, unreadable, BAD_DATE)
    _clear(res, money.not_number, BAD_AMOUNT)
    _clear(res, money.infinite, NOT_FINITE)
    na_amount = np.isnan(money.values)
    if money.not_number.any():
        na_amount &= ~money.not_number
    if na_amount.any():
        res.reason[na_amount] = OK
        keep = ~na_amount[res.bad]
        res.bad, res.bad_days = res.bad[keep], res.bad_days[keep]


def _multiply(
    frame: pd.DataFrame, amount: str, values: np.ndarray, res: _Result, to: str, errors: str
) -> np.ndarray:
    """Amount x rate; a product that overflows to infinity is refused (or NaN with a reason)."""
    with np.errstate(over="ignore", invalid="ignore"):
        converted = values * res.rate
    over = overflowed(converted, values, res.rate)
    if over.any():
        if errors == "raise":
            shown = frame[amount][over].tolist()
            raise ValidationError(
                f"convert: the amounts of {describe_rows(frame.index[over])} "
                f"({join_values(shown)}) overflow to infinity in {to}; they cannot be money: "
                "fix them, or use errors='coerce'",
                problems=pd.DataFrame({"row": frame.index[over], "value": shown}),
            )
        _clear(res, over, OVERFLOW)
        converted[over] = np.nan
    return converted


def _merge_errors(old: pd.Series, new: pd.Categorical[str]) -> pd.Categorical[str]:
    """Keep reasons already in the frame's ``error`` column; append this step's after "; "."""
    before = old.astype(object).to_numpy()
    # numpy's stubs reject None as a where() branch; at runtime it gives an object array
    before = np.where(pd.isna(before), None, before)  # type: ignore[call-overload]
    now = np.asarray(new, dtype=object)
    now = np.where(pd.isna(now), None, now)  # type: ignore[call-overload]  # (as above)
    both = (before != None) & (now != None)  # noqa: E711 - elementwise on object arrays
    merged = np.where(before != None, before, now)  # noqa: E711
    if both.any():
        merged[both] = [f"{a}; {b}" for a, b in zip(before[both], now[both], strict=True)]
    return pd.Categorical(merged)


def average_rate(
    from_currency: str, to_currency: str, year: int, *, rates: RatesLike = None
) -> float:
    """The average of the daily ``from -> to`` cross rate over one calendar year.

    Examples
    --------
    >>> round(average_rate("USD", "JPY", 2024), 2)
    151.44
    >>> average_rate("RUB", "EUR", 2022)
    Traceback (most recent call last):
    ...
    aidcalc.RateNotFoundError: average_rate: no year rate for 1 row: ...
    """
    from_currency = check_currency(from_currency, "from_currency")
    got = lookup_rates([from_currency], to_currency, [int(year)], fx="year", rates=rates)
    if got[ERROR].notna().iloc[0]:
        raise RateNotFoundError(
            f"average_rate: no year rate for 1 row: {from_currency} -> {to_currency} in {year}: "
            f"{got['error'].iloc[0]}. To fix: {_FIX}.",
            currency=from_currency, dates=[str(year)], rows=[0],
        )  # fmt: skip
    return float(got[FX_RATE].iloc[0])


@renamed_argument(**FX_RENAMED)
def convert_amount(
    amount_or_text: Amount | str,
    to: str,
    *,
    on: Any,
    fx: Policy = "spot",
    locale: LocaleLike = "en",
    rates: RatesLike = None,
    max_days_back: int = 7,
) -> Amount:
    """Convert one amount (an :class:`aidcalc.Amount` or text to parse) into ``to``.

    Text is read with :func:`aidcalc.parse_amount` in ``locale``. The result keeps ``approx``;
    its value is the exact decimal product of the amount and the rate as printed
    (``repr`` of the float rate). The result carries its provenance: ``fx_rate``,
    ``fx_date`` (the fixing used), ``fx_source`` and ``converted_from`` (the original
    amount); ``str()`` and the notebook displays show them.

    Raises
    ------
    RateNotFoundError
        When there is no rate for that currency and date.

    Examples
    --------
    >>> yen = convert_amount("$12.1 billion", "JPY", on="2024-06-07")  # 155.5515 JPY/USD
    >>> yen.currency, round(float(yen.value) / 1e12, 4)
    ('JPY', 1.8822)
    >>> yen.fx_date, yen.converted_from.text
    (datetime.date(2024, 6, 7), '$12.1 billion')
    >>> print(yen.provenance())  # doctest: +ELLIPSIS
    from USD 12,100,000,000.00 at 155.55... JPY/USD on 2024-06-07 (...)
    """
    from ._amount import Amount

    if isinstance(amount_or_text, str):
        from ._parsing import parse_amount

        amount = parse_amount(amount_or_text, locale=locale)
    elif isinstance(amount_or_text, Amount):
        amount = amount_or_text
    else:
        raise OptionTypeError(
            "convert_amount() takes an aidcalc.Amount or text, not "
            f"{type(amount_or_text).__name__}",
            option="amount_or_text",
            value=amount_or_text,
            accepted="an aidcalc.Amount or text",
            problems=None,
        )
    got = lookup_rates(
        [amount.currency], to, [on], fx=fx, rates=rates, max_days_back=max_days_back,
        errors="raise",
    )  # fmt: skip
    rate = float(got[FX_RATE].iloc[0])
    day = got[FX_DATE].iloc[0]
    source = got[FX_SOURCE].iloc[0]
    return Amount(
        amount.value * Decimal(repr(rate)), _check_target(to), approx=amount.approx,
        fx_rate=rate, fx_date=None if pd.isna(day) else day,
        fx_source=None if pd.isna(source) else str(source), converted_from=amount,
    )  # fmt: skip
