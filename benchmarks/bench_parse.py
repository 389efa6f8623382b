"""Benchmark: parse 1M amount strings with ``aidcalc.parse_amounts`` (target: under 5 s).

Two runs on the same machine, same process:

* **mixed**: a realistic mix of press texts (English, German, French, Italian, Japanese: symbols,
  codes, names, scale words, hedges, compounds) with many duplicates (a few thousand distinct);
* **unique**: 1M all-distinct texts (every number different), so the per-distinct-string work
  is exercised at full size.
* **plain**: 1M all-distinct amounts written in full with cents and no scale word (``$1,234.56``
  in English, ``1.234,56 €`` in German), so every row goes through the check that a number has
  no more decimals than its currency (``$1.250`` is refused as an ambiguous separator).

Baseline printed alongside: the bare cost of ``pandas.Series.str.extract`` with the same split
regex plus ``pandas.to_numeric`` on the number (no validation, no words), i.e. the floor of any
regex-based parser in pandas.

Run::

    .venv/bin/python benchmarks/bench_parse.py          # 1,000,000 strings
    .venv/bin/python benchmarks/bench_parse.py --quick  # 100,000 strings
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np
import pandas as pd

import aidcalc
from aidcalc._parsing import _SPLIT

TEMPLATES = [  # (format with {n} = a number written in the locale, locale)
    ("${n} billion", "en"),
    ("US${n} million", "en"),
    ("about £{n}bn", "en"),
    ("{n} million euros", "en"),
    ("EUR {n} million", "en"),
    ("more than ${n} million", "en"),
    ("{n} billion yen", "en"),
    ("C${n} million", "en"),
    ("{n} Milliarden Euro", "de"),
    ("rund {n} Mio. €", "de"),
    ("{n} millions d'euros", "fr"),
    ("plus de {n} milliards de dollars", "fr"),
    ("{n} milioni di euro", "it"),
    ("{n}億円", "ja"),
    ("約{n}億ドル", "ja"),
]


def _numbers(rng: np.random.Generator, n: int, unique: bool) -> np.ndarray:
    if unique:  # all distinct: i/1000 with three decimals
        return (np.arange(n) / 1000 + 1).round(3)
    return rng.choice(np.round(rng.uniform(1, 999, 400), 1), size=n)


def _make(n: int, unique: bool, seed: int = 0) -> tuple[pd.Series, pd.Series]:
    rng = np.random.default_rng(seed)
    which = rng.integers(0, len(TEMPLATES), n)
    numbers = _numbers(rng, n, unique)
    texts = np.empty(n, dtype=object)
    locales = np.empty(n, dtype=object)
    for t, (template, loc) in enumerate(TEMPLATES):  # loop over templates, not rows
        sel = which == t
        num = pd.Series(numbers[sel]).map("{:.3f}".format).str.rstrip("0").str.rstrip(".")
        if loc in ("de", "fr", "it"):
            num = num.str.replace(".", ",", regex=False)
        head, _, tail = template.partition("{n}")
        texts[sel] = (head + num + tail).to_numpy()
        locales[sel] = loc
    if not unique:  # a compound now and then
        texts[::97] = "1兆9000億円"
        locales[::97] = "ja"
    return pd.Series(texts), pd.Series(locales)


def _make_plain(n: int) -> tuple[pd.Series, pd.Series]:
    """All-distinct amounts with cents, no scale word: "$1,234.56" (en), "1.234,56 €" (de)."""
    cents = pd.Series(np.arange(n) + 100_000)
    en = (cents // 100).map("{:,}".format) + "." + (cents % 100).map("{:02d}".format)
    german = np.arange(n) % 2 == 1
    texts = ("$" + en).where(~german, en.str.translate(str.maketrans(",.", ".,")) + " €")
    return texts, pd.Series(np.where(german, "de", "en"), dtype=object)


def _time(fn, repeat: int) -> tuple[float, float]:
    """Best wall-clock seconds and the CPU seconds of that run (all threads)."""
    best, cpu = float("inf"), float("inf")
    for _ in range(repeat):
        t0, c0 = time.perf_counter(), time.process_time()
        fn()
        wall = time.perf_counter() - t0
        if wall < best:
            best, cpu = wall, time.process_time() - c0
    return best, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="100,000 strings instead of 1M")
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    n = 100_000 if args.quick else 1_000_000

    aidcalc.parse_amounts(["$1 billion"])  # warm: babel data, lexicons
    for loc in ("en", "de", "fr", "it", "ja"):
        aidcalc.parse_amount("1 EUR", locale=loc)

    print(f"parse_amounts on {n:,} strings (best of {args.repeat})")
    scenarios = (
        ("mixed (many duplicates)", lambda: _make(n, unique=False)),
        ("all unique", lambda: _make(n, unique=True)),
        ("plain, no scale word", lambda: _make_plain(n)),
    )
    for label, make in scenarios:
        texts, locales = make()
        distinct = texts.nunique()

        def run(texts=texts, locales=locales):
            return aidcalc.parse_amounts(texts, locale=locales, errors="coerce")

        def baseline(texts=texts):
            parts = texts.str.extract(_SPLIT)
            return pd.to_numeric(parts["num"].str.replace(",", "", regex=False), errors="coerce")

        out = run()
        assert out["error"].isna().all(), out[out["error"].notna()].head()
        t, t_cpu = _time(run, args.repeat)
        b, b_cpu = _time(baseline, args.repeat)
        target = 5 * n / 1_000_000
        print(
            f"  {label:<24} {distinct:>9,} distinct: {t:6.2f} s wall, {t_cpu:5.2f} s CPU "
            f"({n / t / 1e6:.2f} M strings/s); baseline extract+to_numeric {b:5.2f} s wall, "
            f"{b_cpu:5.2f} s CPU (ratio {t / b:.2f}x); target < {target:.1f} s: "
            f"{'OK' if t < target else 'MISSED'}"
        )
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"  machine: {os.cpu_count()} cores, load average {load:.1f} during the run")


if __name__ == "__main__":
    main()
