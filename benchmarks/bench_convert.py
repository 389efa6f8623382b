"""Benchmark: aidcalc.convert on 10M rows (mixed currencies, dates 2000-2025), fx="spot".

Prints, from one run: the time of ``convert``, a plain-numpy lower bound (a dense
calendar-day x currency table of rates into the target, and one fancy-index gather), the ratio,
and the peak memory that ``convert`` allocated (tracemalloc; numpy and pandas report their
buffers to it) against the size of the input frame.

The lower bound gets its currency codes precomputed (untimed) and reads dates as datetime64
(pre-parsed, untimed, when the frame holds date strings); ``convert`` is timed from the frame
as a user has it, so it pays for reading the currency (and date) column.

    .venv/bin/python benchmarks/bench_convert.py                    # 10M rows, categorical
    .venv/bin/python benchmarks/bench_convert.py --quick            # 1M rows
    .venv/bin/python benchmarks/bench_convert.py --currency str     # pandas 3 default (Arrow)
    .venv/bin/python benchmarks/bench_convert.py --strings          # the same as --currency str
    .venv/bin/python benchmarks/bench_convert.py --currency object  # read_csv(dtype=object)
    .venv/bin/python benchmarks/bench_convert.py --currency object-fresh  # one str per row
    .venv/bin/python benchmarks/bench_convert.py --currency str --date-strings  # as read_csv
"""

from __future__ import annotations

import argparse
import gc
import statistics
import time
import tracemalloc

import numpy as np
import pandas as pd

import aidcalc
from aidcalc._money._rates import get_rates

CURRENCIES = ["USD", "JPY", "GBP", "CAD", "EUR", "CHF", "SEK", "NOK", "PLN", "AUD"]


CURRENCY_KINDS = ("category", "str", "object", "object-fresh")


def make_frame(
    n: int, *, strings: bool = False, currency: str = "category", date_strings: bool = False,
    seed: int = 0,
) -> pd.DataFrame:  # fmt: skip
    """``currency``: "category"; "str" (pandas 3 default str dtype, Arrow-backed, as read_csv
    gives); "object" (one str object per distinct value repeated, as read_csv(dtype=object)
    gives); "object-fresh" (one str object per row, e.g. after .astype(object))."""
    if strings:
        currency = "str"
    rng = np.random.default_rng(seed)
    start = np.datetime64("2000-01-01", "D").astype("int64")
    end = np.datetime64("2025-12-31", "D").astype("int64")
    days = rng.integers(start, end + 1, n)
    codes = rng.integers(0, len(CURRENCIES), n)
    cur = pd.Categorical.from_codes(codes, categories=CURRENCIES)
    col = {
        "category": lambda: cur,
        "str": lambda: cur.astype(str),
        "object": lambda: pd.Series(np.array(CURRENCIES, dtype=object)[codes], dtype=object),
        "object-fresh": lambda: pd.Series(cur.astype(str)).astype(object),
    }[currency]()
    dates = (days * 86_400).astype("datetime64[s]")
    return pd.DataFrame(
        {
            "amount": rng.uniform(1e6, 1e10, n),
            "currency": col,
            "date": pd.Series(dates.astype("datetime64[D]").astype(str)) if date_strings else dates,
        }
    )


def dense_table(frame: pd.DataFrame, to: str) -> tuple[np.ndarray, int, np.ndarray, np.ndarray]:
    """The lower bound's inputs, built untimed: a dense calendar-day x currency table of rates
    into ``to`` (ECB, forward-filled), its first day, the rows' currency codes and dates as
    datetime64[s]."""
    ecb = get_rates().to_frame()[CURRENCIES]
    cal = ecb.reindex(pd.date_range(ecb.index[0], ecb.index[-1], freq="D")).ffill()
    dense = (cal[[to]].to_numpy() / cal.to_numpy()).ravel()  # to per unit of currency
    start = int(cal.index[0].to_datetime64().astype("datetime64[D]").astype("int64"))
    col = frame["currency"]
    codes = col.cat.codes.to_numpy() if hasattr(col, "cat") else (
        pd.Categorical(col, categories=CURRENCIES).codes
    )  # fmt: skip
    dates = pd.to_datetime(frame["date"]).to_numpy().astype("datetime64[s]")
    return dense, start, codes, dates


def lower_bound(
    frame: pd.DataFrame, dense: np.ndarray, start: int, codes: np.ndarray, dates: np.ndarray
) -> np.ndarray:
    """Plain numpy: date -> day offset, one fancy-index gather, one multiply."""
    day = dates.view("int64") // 86_400 - start  # datetime64[s] -> day
    return dense[day * len(CURRENCIES) + codes] * frame["amount"].to_numpy()


def interleaved(
    fns: dict[str, object], repeat: int
) -> tuple[dict[str, list[float]], dict[str, list[float]]]:
    """Run each function ``repeat`` times, alternating, so machine load hits all alike.
    Returns wall-clock times and CPU times (``time.process_time``: this process only, so
    less disturbed when other processes share the cores)."""
    times: dict[str, list[float]] = {k: [] for k in fns}
    cpu: dict[str, list[float]] = {k: [] for k in fns}
    for _ in range(repeat):
        for name, fn in fns.items():
            gc.collect()
            c0, t0 = time.process_time(), time.perf_counter()
            out = fn()
            times[name].append(time.perf_counter() - t0)
            cpu[name].append(time.process_time() - c0)
            del out
    return times, cpu


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--quick", action="store_true", help="1M rows instead of 10M")
    ap.add_argument("--strings", action="store_true", help="the same as --currency str")
    ap.add_argument("--currency", choices=CURRENCY_KINDS, default="category")
    ap.add_argument("--date-strings", action="store_true", help="dates as ISO strings (str)")
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    n = 1_000_000 if args.quick else 10_000_000
    frame = make_frame(
        n, strings=args.strings, currency=args.currency, date_strings=args.date_strings
    )
    in_bytes = int(frame.memory_usage(deep=True).sum())
    table = aidcalc.get_rates()
    aidcalc.convert(frame.head(10), "USD")  # warm: load ECB rates, build the calendar arrays
    dense, start, codes, dates = dense_table(frame, "USD")

    times, cpu = interleaved(
        {
            "convert": lambda: aidcalc.convert(frame, "USD"),
            "bound": lambda: lower_bound(frame, dense, start, codes, dates),
        },
        args.repeat,
    )
    t_conv, t_conv_min = statistics.median(times["convert"]), min(times["convert"])
    t_low, t_low_min = statistics.median(times["bound"]), min(times["bound"])
    out = aidcalc.convert(frame, "USD")
    low = lower_bound(frame, dense, start, codes, dates)
    agree = np.allclose(out["amount_USD"].to_numpy(), low, rtol=1e-12, equal_nan=True)
    del out, low
    gc.collect()
    tracemalloc.start()
    result = aidcalc.convert(frame, "USD")
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    out_bytes = int(result.memory_usage(deep=True).sum()) - in_bytes

    kind = "category" if not args.strings else "str"
    kind = args.currency if args.currency != "category" else kind
    print(
        f"rows: {n:,}  currency: {kind} (dtype {frame['currency'].dtype})  "
        f"date dtype: {frame['date'].dtype}  table: {table!r}"
    )
    print(f"input frame: {in_bytes / 1e6:.0f} MB; new output columns: {out_bytes / 1e6:.0f} MB")
    print(
        f"convert(fx='spot'): median {t_conv:.3f} s, best {t_conv_min:.3f} s "
        f"({args.repeat} runs, interleaved with the bound)\n"
        "  includes: reading the currency column into codes, dates into days, the lookup "
        "(rate, fx_date, fx_source), the multiply and building the output frame"
    )
    print(
        f"numpy lower bound (day arithmetic + one gather + multiply): median {t_low:.3f} s, "
        f"best {t_low_min:.3f} s\n"
        "  includes: day offset from datetime64, one gather from a dense day x currency table, "
        "one multiply; excludes (precomputed, untimed): currency codes"
        + (", parsing the date strings" if args.date_strings else "")
        + ", building the table"
    )
    print(
        f"ratio convert / lower bound: median {t_conv / t_low:.2f}x, "
        f"best {t_conv_min / t_low_min:.2f}x"
    )
    c_conv, c_low = statistics.median(cpu["convert"]), statistics.median(cpu["bound"])
    print(
        f"CPU time (process_time, same runs): convert median {c_conv:.3f} s, bound median "
        f"{c_low:.3f} s, ratio {c_conv / c_low:.2f}x"
    )
    print(
        f"peak memory allocated by convert (tracemalloc): {peak / 1e6:.0f} MB "
        f"= {peak / in_bytes:.2f}x the input frame"
    )
    print(f"results agree with the lower bound: {agree}")
    target = 3.0 if not args.quick else 0.3
    print(
        f"targets: time < {target:g} s {'OK' if t_conv < target else 'MISSED'}; "
        f"within 3x of the bound {'OK' if t_conv < 3 * t_low else 'MISSED'} (median); "
        f"memory < 3x input {'OK' if peak < 3 * in_bytes else 'MISSED'}"
    )


if __name__ == "__main__":
    main()
