"""The exchange-rate step of ``normalise``: each row's rate to the target currency (a day's,
a month's or a year's mean of the rate table, or the OECD DAC annual average), and the base
year's annual rate of the DAC method's second leg, each with its provenance.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any, Literal

import numpy as np
import pandas as pd

from .._base import _columns as C
from .._base._errors import (
    DataCoverageError,
    RateNotFoundError,
    ValidationError,
    describe_rows,
    join_values,
)
from .._base._provenance import RateFacts, rate_facts, render
from ._macro import annual_usd_rates
from ._rows import Problems, categorical, factorize, relabel, year_pairs
from ._weo import fill_implied_rates

__all__ = ["RATE_KIND", "annual_rates", "base_rate", "fx_step", "with_base_leg"]

def fx_step(
    cur: pd.Series,
    dates: np.ndarray,
    years: np.ndarray,
    target: str,
    fx: Literal["spot", "month", "year", "dac"],
    rates: Any,
    problems: Problems,
    valid: np.ndarray,
    *,
    implied: bool = False,
) -> tuple[np.ndarray, np.ndarray, pd.Series]:
    """Rates (target per 1 unit of the row currency), rate dates and sources; ``implied``
    (``extend="weo"``): with ``fx="dac"``, a DAC currency's year after the DAC's last rate
    and without a whole calendar year of daily rates takes the IMF WEO's implied rate."""
    n = len(cur)
    missing_cur = cur.isna().to_numpy()
    if (missing_cur & valid).any():
        bad = missing_cur & valid
        problems.add(
            bad,
            "missing currency",
            ValidationError(
                f"missing currency in {describe_rows(cur.index[bad])}: fill it or use "
                "errors='coerce'",
                problems=None,
            ),
        )
    if fx != "dac":
        if (valid & ~missing_cur).any():
            return _fx_lookup(cur, dates, target, fx, rates, problems, valid & ~missing_cur)
        return np.ones(n), dates.copy(), categorical(np.full(n, -1), [""], cur.index)
    return _dac_rates(
        cur, dates, years, target, rates, problems, valid & ~missing_cur, implied=implied
    )


def _dac_rates(
    cur: pd.Series,
    dates: np.ndarray,
    years: np.ndarray,
    target: str,
    rates: Any,
    problems: Problems,
    valid: np.ndarray,
    *,
    implied: bool = False,
) -> tuple[np.ndarray, np.ndarray, pd.Series]:
    """fx="dac": each (currency, year) pair's OECD DAC annual rate to ``target``, through
    USD (else the calendar-year mean of the rate table, else with ``implied`` the IMF WEO's
    implied rate, flagged), looked up once per pair."""
    n = len(cur)
    codes, uniques = factorize(cur)
    uniques = [str(u).strip().upper() for u in uniques]
    is_target = np.array([u == target for u in uniques] + [False])[codes]
    need = valid & ~is_target
    rate = np.ones(n)
    rate_date = dates.copy()
    src_codes = np.zeros(n, dtype="int64")  # 0 = identity
    labels = [f"identity ({target} to {target})"]
    if need.any():
        kc, pairs = year_pairs(codes[need], years[need], uniques)
        pair_rate, pair_labels = _pair_rates(pairs, target, rates, implied)
        rate[need] = pair_rate[kc]
        lacking = [i for i in range(len(pairs)) if not np.isfinite(pair_rate[i])]
        if lacking:
            bad = np.zeros(n, dtype=bool)
            bad[np.flatnonzero(need)[np.isin(kc, lacking)]] = True
            problems.add(bad, "no annual average exchange rate", _no_annual_rate(
                pairs, lacking, target, rates, cur.index[bad], implied
            ))
        rate_date[need] = (
            (years[need] - 1970).astype("datetime64[Y]").astype("datetime64[ns]")
        )
        src_codes[need] = kc + len(labels)
        labels += pair_labels
    src_codes = np.where(valid, src_codes, -1)
    return rate, rate_date, categorical(src_codes, labels, cur.index)


def _pair_rates(
    pairs: list[tuple[str, int]], target: str, rates: Any, implied: bool
) -> tuple[np.ndarray, list[str]]:
    """``target`` per unit of each (currency, year), and the sources of both legs."""
    m = len(pairs)
    per_usd, srcs = _per_usd(pairs, target, rates, implied)
    labels = [
        " x ".join(
            dict.fromkeys(t for t in (srcs[i], srcs[m + i]) if not t.startswith("identity"))
        )
        for i in range(m)
    ]
    return per_usd[m:] / per_usd[:m], labels


def _per_usd(
    pairs: list[tuple[str, int]], target: str, rates: Any, implied: bool
) -> tuple[np.ndarray, list[str]]:
    """Units per USD: first of each pair's currency, then of ``target``, in each pair's year."""
    return annual_usd_rates(
        [c for c, _ in pairs] + [target] * len(pairs),
        [y for _, y in pairs] * 2,
        rates=rates,
        strict=False,
        implied=implied,
    )


def _no_annual_rate(
    pairs: list[tuple[str, int]],
    lacking: list[int],
    target: str,
    rates: Any,
    rows: pd.Index,
    implied: bool,
) -> DataCoverageError:
    m = len(pairs)
    per_usd, _ = _per_usd(pairs, target, rates, implied)  # again, on the error path only
    missing = sorted(
        {(c, y) for i in lacking for c, y in [pairs[i], (target, pairs[i][1])]
         if not np.isfinite(per_usd[i if c == pairs[i][0] else m + i])}
    )
    return DataCoverageError(
        f"no annual average exchange rate (OECD DAC table or rate table) for "
        f"{join_values(missing)} in {describe_rows(rows)}: pass rates= "
        "with a table that covers them, use another fx=, or errors='coerce'",
        dataset="exchange rates",
        missing=missing,
        rows=list(rows),
    )


def _fx_lookup(
    cur: pd.Series,
    dates: np.ndarray,
    target: str,
    fx: Literal["spot", "month", "year"],
    rates: Any,
    problems: Problems,
    valid: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, pd.Series]:
    """Rates from :func:`aidcalc._money._convert.lookup_rates`, on all rows at once (same-currency
    rows get rate 1 there); problems only for rows still valid."""
    from .._money._convert import lookup_rates

    n = len(cur)
    got = lookup_rates(cur, target, dates, fx=fx, rates=rates)
    rate = got[C.FX_RATE].to_numpy(dtype="float64", na_value=np.nan)
    rate_date = got[C.FX_DATE].to_numpy()
    source = pd.Series(got[C.FX_SOURCE].array, index=cur.index)
    bad = valid & ~np.isfinite(rate)
    if bad.any():
        err_col = got[C.ERROR] if C.ERROR in got.columns else None
        reasons = (
            np.asarray(err_col.astype(object).to_numpy()[bad])
            if err_col is not None else np.full(int(bad.sum()), "no exchange rate", dtype=object)
        )
        reason = np.full(n, "no exchange rate", dtype=object)
        reason[bad] = [str(r) if isinstance(r, str) else "no exchange rate" for r in reasons]
        cur_bad = cur.to_numpy()[bad][:50]
        shown = join_values(
            list(dict.fromkeys(
                f"{c} {str(d)[:10]}" for c, d in zip(cur_bad, dates[bad][:50], strict=True)
            ))
        )
        problems.add(
            bad,
            reason,
            RateNotFoundError(
                f"no {fx} exchange rate to {target} for {shown} in "
                f"{describe_rows(cur.index[bad])}: {reason[bad][0]}; pass rates= with a table "
                "that covers them, use fx='month'/'year', or errors='coerce'",
                currency=sorted({str(c) for c in cur_bad}),
                dates=list(dates[bad][:20]),
                rows=list(cur.index[bad]),
            ),
        )
    return rate, rate_date, source




def base_rate(
    to: str, base_year: int, fx: str, rates: Any, extend: str | None
) -> tuple[float, int, str]:
    """The base year's annual rate, ``to`` per USD, the year it is of and its source; with
    ``extend="last"`` and no rate for ``base_year`` the latest earlier year's (flagged). NaN
    when there is none."""
    rr, ss = annual_rates(to, [base_year], fx, rates, implied=extend == "weo")
    if np.isfinite(rr[0]) or extend != "last":
        return float(rr[0]), base_year, ss[0]
    back = list(range(base_year - 1, base_year - 31, -1))
    rb, sb = annual_rates(to, back, fx, rates)
    found = np.flatnonzero(np.isfinite(rb))
    if not len(found):
        return float("nan"), base_year, ""
    k = int(found[0])
    facts = replace(rate_facts(sb[k]), carried_from=back[k], base_year=base_year)
    return float(rb[k]), back[k], render(facts)


def with_base_leg(
    rate: np.ndarray,
    rate_date: np.ndarray,
    source: pd.Series,
    usd: np.ndarray,
    other: np.ndarray,
    base_fx: float,
    rate_year: int,
    base_src: str,
) -> tuple[np.ndarray, np.ndarray, pd.Series]:
    """Provenance of the DAC method's second leg on the rows that take it (Notes):
    ``fx_rate`` becomes ``to`` per unit of the row's currency (the row's rate to USD times
    the base year's rate). A USD row takes only the second leg, so its ``fx_rate``,
    ``fx_date`` (that rate's year) and ``fx_source`` are the base year rate's, never an
    "identity"; other rows keep the source of their own rate (``base_fx_source`` names the
    second leg's)."""
    take = usd | other
    rate = rate * base_fx if take.all() else np.where(take, rate * base_fx, rate)
    rate_date = rate_date.astype("datetime64[ns]", copy=False)
    if usd.any():
        start = np.datetime64(f"{rate_year:04d}-01-01", "ns")
        rate_date = np.where(usd, start, rate_date)
    return rate, rate_date, relabel(source, usd, base_src)


RATE_KIND = {
    True: "OECD DAC annual exchange rate, else the calendar-year mean of the rate table",
    False: "calendar-year mean of the daily rates of the table fx uses",
}


def annual_rates(
    to: str, years: list[int], fx: str, rates: Any, *, implied: bool = False
) -> tuple[np.ndarray, list[str]]:
    """Annual average rates, units of ``to`` per USD, from the source step 1 uses: the OECD
    DAC annual rate for ``fx="dac"`` (ECB/rate-table yearly mean for currencies the DAC table
    lacks), else the calendar-year mean of the daily cross rates of the rate table (the ECB
    by default). ``implied=True`` (``extend="weo"``): a DAC currency's year after both takes
    the IMF WEO's implied rate (flagged). NaN (and an empty source) where there is none."""
    years = [int(y) for y in years]
    if fx == "dac":
        return annual_usd_rates(
            [to] * len(years), years, rates=rates, strict=False, implied=implied
        )
    if to == "USD":
        return np.ones(len(years)), ["identity (USD)"] * len(years)
    from .._money._convert import lookup_rates

    mid_year = np.array([f"{y:04d}-07-01" for y in years], dtype="datetime64[ns]")
    got = lookup_rates(["USD"] * len(years), to, mid_year, fx="year", rates=rates)
    values = got[C.FX_RATE].to_numpy(dtype="float64", na_value=np.nan)
    sources = [  # the publisher first (as every fx_source), then what was taken from it
        render(RateFacts("year", rate_facts(str(s)).source, y)) if np.isfinite(v) and v > 0
        else ""
        for s, y, v in zip(got[C.FX_SOURCE].astype(object).tolist(), years, values, strict=True)
    ]
    values = np.where(values > 0, values, np.nan)
    if implied:
        fill_implied_rates(to, years, values, sources)  # after the rate table: IMF WEO, flagged
    return values, sources


