"""The one strict date reader of aidcalc (convert, normalise, pledges, read_table, aggregate).

:func:`parse_dates` reads a column of dates and never guesses:

* ``datetime64`` columns are used as they are; time-zone aware ones at their local calendar
  date (the date written, not the UTC date). ``Period`` columns by their start and frequency.
* ISO 8601 text (``2024-06-07``, ``2024/06/07``, ``2024-06-07T10:00:00+02:00``: the calendar
  date as written is kept), month names in English and in ``locale``'s language (``7 June
  2024``, ``June 7, 2024``, ``März 2024``), quarters, ISO weeks and Japanese dates; fiscal
  years, spans of years and serial numbers are refused with what they mean (see
  :mod:`aidcalc._base._date_forms`).
* Numeric ``07/06/2024``-style dates by the day/month order of ``locale`` (``de``, ``fr``,
  ``it``, ``en_GB``: day-first; ``en_US``: month-first). Without a settled order (``None`` or
  plain ``"en"``) only dates that read one way are accepted (``13/06/2024``, ``06/06/2024``),
  and a column mixing day-first and month-first evidence is refused.
* Year-only (``2024``, integer years) and month-only (``2024-06``, ``June 2024``) values are
  accepted only when the caller's ``precision`` is ``"year"`` / ``"month"``; under
  ``precision="year"`` an ambiguous ``07/06/2024`` is fine too (2024 either way).
* Two-digit years, impossible dates and anything else are refused with a reason.
* **The date window.** Every date, however it comes (text, integer years, ``datetime64`` of
  any unit, ``Period``, Python ``date``/``datetime``, ``Timestamp``), must lie in
  :data:`DATE_MIN` .. :data:`DATE_MAX` (1910-01-01 .. 2100-12-31; a year written alone, from
  :data:`YEAR_MIN` = 1900): aid data has no earlier or later dates, and a day before 1910 is
  a spreadsheet artefact (an empty or zero date cell shows as 1899-12-30 .. 1900-01-01, or
  1904-01-01 in the 1904 date system; serial 60 as the 1900-02-29 that never was; a year
  typed into a date-formatted cell as a day in 1905, 1909 in the 1904 system: ``2024`` as
  1905-07-16), and outside pandas' nanosecond range (1677-09-21 .. 2262-04-11) a
  date would otherwise wrap round silently (``9999-12-31`` becoming 1816). A date outside the
  window is refused (kind ``OUT_OF_RANGE``) with a reason naming the window, before any
  conversion to nanoseconds, so no caller ever sees a wrapped date.

Speed: a long Arrow string column of ``YYYY-MM-DD`` values is read by Arrow's strict ISO cast;
otherwise each distinct value is read once (ISO dates among them vectorised) and the result is
gathered back to the rows.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from contextlib import suppress
from functools import cache
from typing import TYPE_CHECKING, Any, Final, Literal

import numpy as np
import pandas as pd

from ._compat import arrow_strings
from ._date_forms import (
    FISCAL_TEXT,
    Form,
    could_be_fiscal,
    read_form,
    read_words,
    serial_text,
)

if TYPE_CHECKING:
    from ._locale import LocaleLike

__all__ = [
    "AMBIGUOUS",
    "COARSE",
    "DATE_FORMATS",
    "DATE_MAX",
    "DATE_MIN",
    "MISSING",
    "OK",
    "OUT_OF_RANGE",
    "WINDOW_TEXT",
    "YEAR_MAX",
    "YEAR_MIN",
    "ParsedDates",
    "date_order",
    "iso_dates",
    "outside_window",
    "parse_dates",
]

Precision = Literal["day", "month", "year"]
_RANK: Final = {"day": 3, "month": 2, "year": 1}

# kinds of outcome per row (int8)
OK, MISSING, UNREADABLE, AMBIGUOUS, COARSE, MIXED_ORDER, MIXED_OFFSETS, OUT_OF_RANGE = range(8)

#: the window of dates aidcalc reads (inclusive); see the module docstring
YEAR_MIN: Final = 1900
YEAR_MAX: Final = 2100
#: the first day a date with a month or a day may have (earlier: spreadsheet artefacts)
DATE_MIN: Final = np.datetime64("1910-01-01", "D")
_YEAR_START: Final = np.datetime64(f"{YEAR_MIN}-01-01", "D")
DATE_MAX: Final = np.datetime64(f"{YEAR_MAX}-12-31", "D")
_AFTER: Final = DATE_MAX + np.timedelta64(1, "D")  # first day after the window
WINDOW_TEXT: Final = (
    f"date outside the supported window {DATE_MIN}..{DATE_MAX} (a typo in the year, a "
    "'no date' sentinel such as 9999-12-31, or a spreadsheet artefact: an empty date cell "
    "shows as 1900-01-00 or 1900-01-01, a year typed into a date cell as a day in 1905)"
)


def outside_window(values: np.ndarray, *, years: bool = False) -> np.ndarray:
    """Mask of ``datetime64`` values (any unit) outside :data:`DATE_MIN`..:data:`DATE_MAX`
    (``years=True``: values that stand for whole years, from :data:`YEAR_MIN`).

    Compared in the values' own unit, so nothing is converted (or wrapped) on the way; NaT is
    not outside.

    Examples
    --------
    >>> days = np.array(["1500-06-01", "1900-01-01", "2024-06-07", "NaT"], dtype="datetime64[s]")
    >>> outside_window(days), outside_window(days, years=True)
    (array([ True,  True, False, False]), array([ True, False, False, False]))
    """
    arr = np.asarray(values)
    lo, hi = (_YEAR_START if years else DATE_MIN).astype(arr.dtype), _AFTER.astype(arr.dtype)
    return (arr < lo) | (arr >= hi)

DATE_FORMATS: Final = "YYYY-MM-DD, DD.MM.YYYY (by locale), 19 February 2024"
_ISO = re.compile(
    r"(\d{4})(?:([-/.])(\d{1,2})(?:\2(\d{1,2})"
    r"([T ]\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?)?)?)?"
)
_ISO_DAY = r"\d{4}-\d{2}-\d{2}"
_NUMERIC = re.compile(
    r"(\d{1,2})([./-])(\d{1,2})\2(\d{2,4})(?:[T ,]+\d{1,2}:\d{2}(?::\d{2})?)?"
)
_LETTER = re.compile(r"[^\W\d_]")
_YEAR_WINDOW_TEXT: Final = f"year outside the supported window {YEAR_MIN}..{YEAR_MAX}"
_AMBIGUOUS_TEXT: Final = (
    "ambiguous day/month order: pass locale= ('de', 'fr', 'en_GB' day-first; "
    "'en_US' month-first) or write YYYY-MM-DD"
)
_FAST_MIN_ROWS: Final = 10_000


def iso_dates(text: pd.Series) -> pd.Series:
    """``YYYY-MM-DD`` texts as dates, NaT where a text is not one; every year kept.

    What ``pd.to_datetime(text, format="%Y-%m-%d", errors="coerce")`` gives on pandas 3
    (dates in microseconds). On pandas 2, which reads text only into nanoseconds
    (1677-09-21..2262-04-11), ``9999-12-31`` came out NaT, "not a date", instead of a date
    that :func:`outside_window` refuses by name: such rows are read here in microseconds.

    Examples
    --------
    >>> got = iso_dates(pd.Series(["2024-06-07", "9999-12-31", "2024-02-30", None]))
    >>> [str(d)[:10] for d in got]
    ['2024-06-07', '9999-12-31', 'NaT', 'NaT']
    """
    parsed = pd.to_datetime(text, format="%Y-%m-%d", errors="coerce")
    well_formed = text.astype("string").str.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
    far = (parsed.isna() & well_formed.fillna(False)).to_numpy(bool)
    if not far.any():
        return parsed
    out = parsed.to_numpy().astype("datetime64[us]")
    for i in np.flatnonzero(far):  # the rare valid day pandas 2 could not hold in ns
        with suppress(ValueError):  # 9999-02-30 stays NaT: not a date
            out[i] = np.datetime64(text.iloc[i], "us")
    return pd.Series(out, index=text.index, name=text.name)


def date_order(locale: LocaleLike | None) -> str | None:
    """``"DMY"`` or ``"MDY"`` for numeric dates in ``locale``; ``None`` when not settled.

    Plain ``"en"`` is not settled (US and UK readers disagree); ``en_US`` is month-first,
    ``en_GB``, ``de``, ``fr``, ``it`` day-first (CLDR short date pattern).

    Examples
    --------
    >>> date_order("de"), date_order("en_US"), date_order("en_GB"), date_order("en")
    ('DMY', 'MDY', 'DMY', None)
    """
    return None if locale is None else _order_of(locale)


@cache
def _order_of(locale: Any) -> str | None:
    from ._locale import resolve_locale

    loc = resolve_locale(locale)
    if loc.language == "en" and loc.territory is None:
        return None
    letters = [c for c in loc.date_formats["short"].pattern if c in "dMy"]
    order = "".join(dict.fromkeys(c.upper() for c in letters))
    return order if order in ("DMY", "MDY") else None


class ParsedDates:
    """What :func:`parse_dates` read: per row a date (or NaT), a kind and a reason.

    Attributes
    ----------
    values
        ``numpy`` ``datetime64`` array (NaT where missing or refused).
    kind
        ``int8`` per row: ``OK``, ``MISSING`` (no value: not an error), or why it was refused
        (``UNREADABLE``, ``AMBIGUOUS``, ``COARSE``, ``MIXED_ORDER``, ``MIXED_OFFSETS``,
        ``OUT_OF_RANGE``: outside :data:`DATE_MIN`..:data:`DATE_MAX`).
    precision
        ``int8`` per row: 3 day, 2 month, 1 year as written (0 when not read).
    """

    __slots__ = ("_codes", "_precision", "_texts", "index", "kind", "values")

    def __init__(
        self,
        values: np.ndarray,
        kind: np.ndarray,
        precision: np.ndarray | None,
        codes: np.ndarray | None,
        texts: list[str],
        index: pd.Index,
    ) -> None:
        self.values = values
        self.kind = kind
        self._precision = precision  # None: the day wherever a date was read
        self._codes = codes  # None: no reasons (nothing refused)
        self._texts = texts
        self.index = index

    @property
    def precision(self) -> np.ndarray:
        """``int8`` per row: 3 day, 2 month, 1 year as written (0 when not read)."""
        if self._precision is None:
            return np.where(self.kind == OK, 3, 0).astype(np.int8)
        return self._precision

    @property
    def bad(self) -> np.ndarray:
        """Mask of refused rows (missing values are not refused)."""
        return self.kind > MISSING

    @property
    def dates(self) -> pd.Series:
        """The dates as a ``datetime64[ns]`` Series on the input's index."""
        return pd.Series(self.values, index=self.index, dtype="datetime64[ns]")

    @property
    def reasons(self) -> pd.Series:
        """Why each refused row was refused (``None`` where fine or missing)."""
        if self._codes is None:
            return pd.Series(None, index=self.index, dtype=object)
        table = np.array([*self._texts, None], dtype=object)
        return pd.Series(table[self._codes], index=self.index, dtype=object)

    @property
    def years(self) -> np.ndarray:
        """``int64`` calendar year per row (-1 where there is no date)."""
        return calendar_years(self.values)


_NAT_INT: Final = np.iinfo(np.int64).min
_YEAR_TABLE_DAYS: Final = 1 << 22  # a day -> year table up to this many days


def calendar_years(values: np.ndarray) -> np.ndarray:
    """``int64`` calendar year of each ``datetime64`` value (-1 for NaT).

    Whole days by a floor division, then a day -> year table over the span of days present:
    a gather instead of numpy's calendar computation per row (``astype("datetime64[Y]")``
    costs ten times as much on millions of rows).

    Examples
    --------
    >>> calendar_years(np.array(["1969-12-31T23:59", "NaT", "2024-01-01"], "datetime64[m]"))
    array([1969,   -1, 2024])
    """
    days = _as_unit(np.asarray(values), "D").view("int64")
    nat = days == _NAT_INT
    any_nat = bool(nat.any())
    if not len(days) or (any_nat and nat.all()):
        return np.full(len(days), -1, dtype="int64")
    present = days[~nat] if any_nat else days
    lo, hi = int(present.min()), int(present.max())
    if hi - lo >= _YEAR_TABLE_DAYS:
        years = days.astype("datetime64[D]").astype("datetime64[Y]").view("int64") + 1970
    else:
        table = np.arange(lo, hi + 1).astype("datetime64[D]").astype("datetime64[Y]")
        table = table.view("int64") + 1970
        offset = days - lo
        if any_nat:
            offset[nat] = 0
        years = table[offset]
    if any_nat:
        years[nat] = -1
    return years


def parse_dates(
    values: Any,
    *,
    locale: LocaleLike | None = None,
    precision: Precision = "day",
    mixed_offsets: bool = True,
    option: tuple[str, str] | None = None,
    unit: str = "ns",
) -> ParsedDates:
    """Read a date column strictly (see the module docstring for the rules).

    Parameters
    ----------
    values
        A Series (its index is kept), or anything ``pandas.Series`` accepts.
    locale
        Day/month order of numeric dates (``de``, ``fr``, ``it``, ``en_GB`` day-first;
        ``en_US`` month-first); ``None`` or ``"en"``: only dates that read one way.
    precision
        What the caller needs: ``"day"`` (spot rates, pledge dates), ``"month"`` or
        ``"year"`` (year-only ``2024`` and month-only ``2024-06`` values are refused when
        coarser than this; year-only ones become 1 January, month-only ones the 1st).
    mixed_offsets
        ``False``: refuse a column of times written with different UTC offsets (or offsets
        and offset-free times); ``True``: keep each local date.
    option
        ``(keyword, value)`` of the caller's precision option, e.g. ``("policy", "spot")``,
        so the reason for a too-coarse date says what to pass instead.
    unit
        Unit of the returned ``datetime64`` values (``"ns"``, or ``"D"`` for day arithmetic).

    Examples
    --------
    >>> got = parse_dates(pd.Series(["07/06/2024", "13/06/2024", "2024", None]))
    >>> got.dates.dt.strftime("%Y-%m-%d").tolist()
    [nan, '2024-06-13', nan, nan]
    >>> got.reasons.tolist()[0][:31], got.reasons.tolist()[2], got.reasons.tolist()[3]
    ('ambiguous day/month order: pass', 'year or month only: give the day (YYYY-MM-DD)', None)
    >>> parse_dates(["07/06/2024"], locale="de").dates.dt.strftime("%Y-%m-%d").tolist()
    ['2024-06-07']
    >>> parse_dates(["2024"], precision="day", option=("policy", "spot")).reasons.tolist()
    ["year-only date where policy='spot' needs a day: write YYYY-MM-DD or use policy='year'"]
    >>> parse_dates(["2024", "2024-06", "07/06/2024"], precision="year").years.tolist()
    [2024, 2024, 2024]
    """
    series = values if isinstance(values, pd.Series) else pd.Series(values, copy=False)
    if isinstance(values, pd.Index):
        series.index = values
    n = len(series)
    need = _RANK[precision]
    series = _from_arrow_temporal(series)
    dtype = series.dtype
    if isinstance(dtype, pd.DatetimeTZDtype):
        series = series.dt.tz_localize(None)  # the local calendar date
        dtype = series.dtype
    if dtype.kind == "M":
        raw = series.to_numpy()
        far = outside_window(raw)
        if far.any():  # refused before any conversion: never a wrapped date
            raw = np.where(far, np.datetime64("NaT"), raw).astype(raw.dtype)
        out = _as_unit(raw, unit)
        kind = np.isnat(out).view(np.int8)  # 1 = MISSING
        if not far.any():
            return ParsedDates(out, kind, None, None, [], series.index)
        kind[far] = OUT_OF_RANGE
        why = np.where(far, 0, -1).astype(np.int32)
        return ParsedDates(out, kind, None, why, [WINDOW_TEXT], series.index)
    if isinstance(dtype, pd.PeriodDtype):
        code = dtype.freq.rule_code  # "D", "h", "W-SUN", "ME", "QE-DEC", "YE-DEC", ...
        rank = 1 if code[:1] in "YAQ" else 2 if code in ("M", "ME") else 3
        raw = series.dt.start_time.to_numpy()  # type: ignore[union-attr]  # a Period column
        far = outside_window(raw, years=rank == 1)
        starts = _as_unit(np.where(far, np.datetime64("NaT"), raw).astype(raw.dtype), unit)
        codes = np.where(far, 1, np.where(np.isnat(starts), -1, 0))
        read: list[Read] = [(None, rank, OK, "", ""), (None, 0, OUT_OF_RANGE, WINDOW_TEXT, "")]
        return _finish(starts, codes, read, series, need, option, unit, keep_values=True)
    if dtype.kind in "iuf" and not pd.api.types.is_bool_dtype(dtype):
        return _years(series, need, option, unit)
    fast = _arrow_iso(series, unit)
    if fast is not None:
        out, nulls = fast
        kind = np.isnat(out).view(np.int8) if nulls else np.zeros(n, dtype=np.int8)
        return ParsedDates(out, kind, None, None, [], series.index)
    uniq: np.ndarray | pd.Index
    try:
        codes, uniq = pd.factorize(series, use_na_sentinel=True)
    except TypeError:  # unhashable values: each row on its own
        codes, uniq = np.arange(n), series.to_numpy(dtype=object)
    order = date_order(locale)
    read = _read_uniques(np.asarray(uniq, dtype=object), order, _locale_id(locale))
    _column_rules(read, mixed_offsets)
    return _finish(None, np.asarray(codes), read, series, need, option, unit)


def _from_arrow_temporal(series: pd.Series) -> pd.Series:
    """A pyarrow-backed date or timestamp column (``date32[pyarrow]``, a Parquet file read
    with ``dtype_backend="pyarrow"``) as numpy ``datetime64`` in a unit that holds every
    such value (days as seconds: year 1 and 9999 stay themselves, then refused by the
    window, never wrapped), time-zone instants at their local calendar time; other columns
    as they are."""
    dtype = series.dtype
    if not isinstance(dtype, pd.ArrowDtype):
        return series
    import pyarrow as pa
    import pyarrow.compute as pc

    kind = dtype.pyarrow_dtype
    if not (pa.types.is_date(kind) or pa.types.is_timestamp(kind)):
        return series
    arr = pa.chunked_array(pa.array(series.array))
    if pa.types.is_timestamp(kind) and kind.tz is not None:
        arr = pc.local_timestamp(arr)
    if pa.types.is_date(kind):
        arr = arr.cast(pa.timestamp("s"))
    return pd.Series(arr.to_numpy(), index=series.index, name=series.name, copy=False)


def _as_unit(arr: np.ndarray, unit: str) -> np.ndarray:
    """``arr`` in ``datetime64[unit]``; to days by floor division (numpy's cast overflows
    near the ends of the ``ns`` range), NaT kept."""
    if arr.dtype == f"datetime64[{unit}]":
        return arr
    if unit != "D":
        return arr.astype(f"datetime64[{unit}]")
    have, count = np.datetime_data(arr.dtype)
    per_day = {"h": 24, "m": 1440, "s": 86_400, "ms": 86_400_000, "us": 86_400_000_000,
               "ns": 86_400_000_000_000}.get(have)  # fmt: skip
    if per_day is None or count != 1:
        return arr.astype("datetime64[D]")
    nat = np.isnat(arr)
    days = arr.view("int64") // per_day
    out = days.view("datetime64[D]")  # a fresh array: no copy needed
    if nat.any():
        out[nat] = np.datetime64("NaT")
    return out


def _years(series: pd.Series, need: int, option: tuple[str, str] | None, unit: str) -> ParsedDates:
    """Numbers are years (never nanoseconds since 1970: that would be silently wrong)."""
    years = series.to_numpy(dtype="float64", na_value=np.nan)
    miss = np.isnan(years)
    with np.errstate(invalid="ignore"):
        year_like = ~miss & (years >= 1000) & (years <= 9999) & (years == np.floor(years))
        ok = year_like & (years >= YEAR_MIN) & (years <= YEAR_MAX)
    far = year_like & ~ok
    out = np.full(len(years), np.datetime64("NaT"), dtype=f"datetime64[{unit}]")
    out[ok] = (years[ok].astype("int64") - 1970).astype("datetime64[Y]").astype(out.dtype)
    kind = np.where(miss, MISSING, np.where(ok, OK, UNREADABLE)).astype(np.int8)
    kind[far] = OUT_OF_RANGE
    prec = np.where(ok, 1, 0).astype(np.int8)
    texts = ["not a year or a date (numbers are read as years)", _YEAR_WINDOW_TEXT]
    codes = np.where(kind == UNREADABLE, 0, np.where(far, 1, -1)).astype(np.int32)
    with np.errstate(invalid="ignore"):  # spreadsheet serial days (10000 = 1927-05-18)
        serial = (kind == UNREADABLE) & (years >= 10_000) & (years < 80_000)
    if serial.any():  # each distinct one with both of its readings, neither taken
        found, where = np.unique(np.floor(years[serial]), return_inverse=True)
        codes[serial] = len(texts) + where
        texts += [serial_text(v, f"{v:g}") for v in found]
    if need > 1 and ok.any():
        kind[ok] = COARSE
        out[ok] = np.datetime64("NaT")
        codes[ok] = len(texts)
        texts.append(_coarse_text(1, need, option))
    return ParsedDates(out, kind, prec, codes, texts, series.index)


def _arrow_iso(series: pd.Series, unit: str) -> tuple[np.ndarray, bool] | None:
    """A long Arrow string column whose every value is ``YYYY-MM-DD`` (or missing), read by
    Arrow's strict ISO date cast, and whether there were nulls; None when that does not
    apply."""
    if len(series) < _FAST_MIN_ROWS:
        return None
    dtype = series.dtype
    if not arrow_strings(dtype) or not hasattr(series.array, "__arrow_array__"):
        return None
    import pyarrow as pa

    data = series.array.__arrow_array__()
    if not isinstance(data, pa.ChunkedArray):
        data = pa.chunked_array([data])
    if not (pa.types.is_string(data.type) or pa.types.is_large_string(data.type)):
        return None
    try:
        parsed = data.cast(pa.date32())
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):  # other layouts: one by one
        return None
    days = parsed.cast(pa.int32()).to_numpy(zero_copy_only=False)  # float with NaN if nulls
    nulls = parsed.null_count > 0
    if days.dtype.kind == "f":
        nat = np.isnan(days)
        out = np.where(nat, 0, days).astype("int64").view("datetime64[D]")
        out[nat] = np.datetime64("NaT")
    else:
        out = days.astype("int64").view("datetime64[D]")
    if outside_window(out).any():  # the row-by-row reader names them
        return None
    return (out if unit == "D" else out.astype(f"datetime64[{unit}]")), nulls


# one read value: (date or None, precision, kind, reason, tag) with tag the UTC offset written
# ("tz+02:00", "tznone" for a time without one) or the day/month order evidence (DMY/MDY)
Read = tuple[Any, int, int, str, str]


def _locale_id(locale: LocaleLike | None) -> str | None:
    """The identifier of ``locale`` for its month names (``None``: English only)."""
    if locale is None:
        return None
    from ._locale import resolve_locale

    return str(resolve_locale(locale))


def _read_uniques(uniq: np.ndarray, order: str | None, locale_id: str | None = None) -> list[Read]:
    """Read each distinct value once; plain ``YYYY-MM-DD`` strings vectorised."""
    out: list[Read | None] = [None] * len(uniq)
    if len(uniq) > 64:
        text = pd.Series(uniq, dtype=object)
        # comparing with the type object ``str`` is valid; the stubs only allow scalars
        is_str = text.map(type).eq(str).to_numpy()  # type: ignore[arg-type]
        iso = np.zeros(len(uniq), dtype=bool)
        iso[is_str] = text[is_str].astype(str).str.fullmatch(_ISO_DAY).to_numpy(dtype=bool)
        if iso.any():
            stamps = pd.to_datetime(text[iso].astype(str), format="%Y-%m-%d", errors="coerce")
            for k, s in zip(np.flatnonzero(iso), stamps.tolist(), strict=True):
                out[k] = (s, 3, OK, "", "") if s is not pd.NaT else _impossible()
    for i, value in enumerate(uniq):  # a loop over distinct values only
        if out[i] is None:
            out[i] = _read_one(value, order, locale_id)
    return out  # type: ignore[return-value]


def _impossible() -> Read:
    return (None, 0, UNREADABLE, "impossible date", "")


def _day(y: int, m: int, d: int) -> pd.Timestamp | None:
    try:
        return pd.Timestamp(year=y, month=m, day=d)
    except ValueError:
        return None


def _offset_tag(offset: str | dt.timedelta | None) -> str:
    """``"+02:00"`` style text for a UTC offset (``"none"`` for a time without one)."""
    if offset is None:
        return "none"
    if isinstance(offset, str):
        if offset == "Z":
            minutes = 0
        else:
            digits = offset[1:].replace(":", "")
            minutes = int(digits[:2]) * 60 + int(digits[2:4] or 0)
            minutes = -minutes if offset[0] == "-" else minutes
    else:
        minutes = int(offset.total_seconds() // 60)
    sign = "-" if minutes < 0 else "+"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def _read_one(value: Any, order: str | None, locale_id: str | None = None) -> Read:
    """Read one value (see the module docstring)."""
    if value is None or value is pd.NaT or (isinstance(value, float) and np.isnan(value)):
        return (None, 0, MISSING, "", "")
    if isinstance(value, (bool, np.bool_)):
        return (None, 0, UNREADABLE, "not a date (bool)", "")
    if isinstance(value, (int, np.integer, float, np.floating)):
        if float(value).is_integer() and 1000 <= value <= 9999:
            return (pd.Timestamp(year=int(value), month=1, day=1), 1, OK, "", "")
        if 10_000 <= value < 80_000:  # a spreadsheet serial day number: not guessed
            return (None, 0, UNREADABLE, serial_text(float(value), f"{value:g}"), "")
        return (None, 0, UNREADABLE, "not a year or a date (numbers are read as years)", "")
    if isinstance(value, (dt.date, np.datetime64)):
        return _date_object(value)
    if not isinstance(value, str):
        return (None, 0, UNREADABLE, f"not a date ({type(value).__name__})", "")
    return _read_text(value.strip(), order, locale_id)


def _date_object(value: dt.date | np.datetime64) -> Read:
    """A date or datetime object (an aware one: its wall time, the offset as the tag)."""
    try:
        stamp = pd.Timestamp(value)
    except (ValueError, OverflowError):  # beyond even pandas' second-resolution range
        return (None, 0, OUT_OF_RANGE, WINDOW_TEXT, "")
    if stamp is pd.NaT:
        return (None, 0, MISSING, "", "")
    tag = "" if stamp.tzinfo is None else "tz" + _offset_tag(stamp.utcoffset())
    return (stamp.tz_localize(None) if stamp.tzinfo else stamp, 3, OK, "", tag)


def _read_text(text: str, order: str | None, locale_id: str | None = None) -> Read:
    """A date written as text: ISO, numeric day/month/year, with a month name, or one of the
    forms of :mod:`aidcalc._base._date_forms` (quarters, weeks, Japanese dates; fiscal years
    and spans of years refused)."""
    if not text:
        return (None, 0, UNREADABLE, "empty", "")
    if not text.isascii():  # full-width digits and letters as their plain forms
        text = unicodedata.normalize("NFKC", text)
    iso = _ISO.fullmatch(text)
    if iso and iso[4]:  # a day: no other form reads it
        return _iso_date(iso)
    m = _NUMERIC.fullmatch(text)
    if m:
        if len(m[4]) != 4:
            return (None, 0, UNREADABLE, "two-digit or short year: write the full year", "")
        return _numeric_date(int(m[1]), int(m[3]), int(m[4]), order)
    form = read_form(text)  # before a month: "2023-24" is a fiscal year, not month 24
    if form is not None:
        return _from_form(form)
    if iso:
        return _iso_date(iso)
    if _LETTER.search(text):
        words = read_words(text, locale_id)
        if words is not None:
            return _from_form(words)
    return (None, 0, UNREADABLE, f"not a date in a known format ({DATE_FORMATS})", "")


def _iso_date(m: re.Match[str]) -> Read:
    """An ISO 8601 date, month or year (``_ISO`` matched), with its offset as the tag."""
    year, month, day = int(m[1]), int(m[3] or 1), int(m[4] or 1)
    rank = 3 if m[4] else 2 if m[3] else 1
    found = _day(year, month, day)
    if found is None:
        return _impossible()
    tag = "" if m[5] is None else "tz" + _offset_tag(m[6])
    if rank == 2 and could_be_fiscal(year, m[3]):
        tag = "FY?"  # 2011-12: December 2011, unless the column holds fiscal years
    return (found, rank, OK, "", tag)


def _from_form(form: Form) -> Read:
    stamp, rank, reason, tag = form
    if stamp is None:
        return (None, 0, UNREADABLE, reason, tag)
    return (stamp, rank, OK, "", tag)


def _numeric_date(a: int, b: int, y: int, order: str | None) -> Read:
    """``a/b/y`` by the locale's ``order``; without one, the reading that alone is a date
    (with the order as evidence), or ambiguous when both are."""
    if order in ("DMY", "MDY"):
        found = _day(y, b, a) if order == "DMY" else _day(y, a, b)
        return (found, 3, OK, "", "") if found is not None else _impossible()
    dmy, mdy = _day(y, b, a), _day(y, a, b)
    if dmy is not None and mdy is not None and a != b:
        return (pd.Timestamp(year=y, month=1, day=1), 1, AMBIGUOUS, _AMBIGUOUS_TEXT, "")
    if dmy is None and mdy is None:
        return _impossible()
    if a == b:
        return (dmy, 3, OK, "", "")
    return (dmy, 3, OK, "", "DMY") if dmy is not None else (mdy, 3, OK, "", "MDY")


def _column_rules(read: list[Read], mixed_offsets: bool) -> None:
    """Column-level refusals: day-first and month-first evidence together; several offsets."""
    evidence = {r[4] for r in read if r[4] in ("DMY", "MDY")}
    offsets = {r[4] for r in read if r[4].startswith("tz")}
    fiscal = any(r[4] == "FY" for r in read)
    for i, (_, rank, kind, _, tag) in enumerate(read):
        if kind != OK:
            continue
        if fiscal and tag == "FY?":  # 2011-12 among 2012-13, 2013-14: a fiscal year too
            read[i] = (None, rank, UNREADABLE, "the column holds fiscal years, so this may be "
                       "one too, not a month; " + FISCAL_TEXT.format(text="YYYY-YY"), tag)
            continue
        if len(evidence) > 1 and tag in evidence:
            read[i] = (
                None, rank, MIXED_ORDER,
                "the column mixes day-first and month-first dates: pass locale= or write "
                "YYYY-MM-DD", tag,
            )  # fmt: skip
        elif not mixed_offsets and len(offsets) > 1 and tag in offsets:
            shown = ", ".join(sorted(o[2:].replace("none", "no offset") for o in offsets))
            read[i] = (
                None, rank, MIXED_OFFSETS,
                f"the column mixes UTC offsets ({shown}): convert the times to one time "
                "zone or give plain dates", tag,
            )  # fmt: skip


#: what a coarse value with this tag is (see aidcalc._base._date_forms)
_PERIODS: Final = {"Q": "quarter", "H": "half-year", "W": "week"}


def _coarse_text(
    rank: int, need: int, option: tuple[str, str] | None, period: str | None = None
) -> str:
    if period is not None:
        wants = "a day (YYYY-MM-DD)" if need == 3 else "a month (YYYY-MM)"
        use = "" if option is None else f" or use {option[0]}='year'"
        return f"a {period}, where {wants} is needed: give it{use}"
    if option is None:
        return "year or month only: give the day (YYYY-MM-DD)" if need == 3 else (
            "year only: give the month (YYYY-MM)"
        )  # fmt: skip
    key, value = option
    what = "year-only" if rank == 1 else "month-only"
    wants = "a day" if need == 3 else "a month"
    write = "YYYY-MM-DD" if need == 3 else "YYYY-MM"
    use = f"{key}='year'" if rank == 1 else f"{key}='month' (or '{'year'}')"
    return f"{what} date where {key}={value!r} needs {wants}: write {write} or use {use}"


_LO: Final = pd.Timestamp(DATE_MIN)
_LO_YEAR: Final = pd.Timestamp(_YEAR_START)
_HI: Final = pd.Timestamp(_AFTER)


def _finish(
    values: np.ndarray | None,
    codes: np.ndarray,
    read: list[Read],
    series: pd.Series,
    need: int,
    option: tuple[str, str] | None,
    unit: str,
    *,
    keep_values: bool = False,
) -> ParsedDates:
    """Apply the precision rule per distinct value, then gather to the rows."""
    m = len(read)
    kinds = np.empty(m + 1, dtype=np.int8)
    ranks = np.zeros(m + 1, dtype=np.int8)
    stamps = np.full(m + 1, np.datetime64("NaT"), dtype=f"datetime64[{unit}]")
    texts: dict[str, int] = {}
    tcode = np.full(m + 1, -1, dtype=np.int32)
    for i, (stamp, rank, kind, reason, tag) in enumerate(read):
        lo = _LO_YEAR if rank == 1 else _LO  # "1900" is a year; 1900-01-01 a placeholder
        if kind in (OK, AMBIGUOUS) and stamp is not None and not lo <= stamp < _HI:
            kind, reason = OUT_OF_RANGE, WINDOW_TEXT  # checked before the cast to `unit`
        if kind == AMBIGUOUS and need == 1:
            kind, reason = OK, ""  # the year is the same either way
        elif kind == OK and rank < need:
            kind, reason = COARSE, _coarse_text(rank, need, option, _PERIODS.get(tag))
        kinds[i], ranks[i] = kind, rank
        if kind == OK and stamp is not None:
            # ``unit`` is a runtime str; numpy's stubs only accept a Literal unit
            stamps[i] = np.datetime64(stamp.to_datetime64(), unit)  # type: ignore[call-overload]
        if reason:
            tcode[i] = texts.setdefault(reason, len(texts))
    kinds[m] = MISSING
    pick = np.where(codes < 0, m, codes)
    row_kind = kinds[pick]
    if keep_values:
        assert values is not None
        out = np.where(row_kind == OK, values, np.datetime64("NaT")).astype(values.dtype)
    else:
        out = stamps[pick]
    return ParsedDates(out, row_kind, ranks[pick], tcode[pick], list(texts), series.index)
