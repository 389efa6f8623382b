"""Benchmark categorise, aggregate and spread against simple baselines measured in the same run.

Run: ``.venv/bin/python benchmarks/bench_pledges.py [--quick]``

* categorise: aidcalc (over the distinct inputs: an RE2 literal prefilter and an RE2
  sufficient condition via pyarrow, Python's ``re`` only for the undecided texts) vs a
  per-row Python loop over one compiled pattern per category (what a naive implementation
  does); the text search alone vs the previous aidcalc search (``Series.str.contains`` with
  one pattern per category: 6.2 s for 200,000 distinct texts, slower than the loop);
  and, for 1M rows with 4 distinct texts, vs ``Series.map`` of the 4 known answers (before
  the QA D15 fix aidcalc took 4.2-4.7 s there, after it 0.29-0.41 s).
* aggregate: aidcalc (with its currency/kind safety checks) vs a bare ``groupby().sum()``.
* spread: aidcalc (integer cents, vectorised) vs a per-row ``Decimal`` loop.
"""

from __future__ import annotations

import argparse
import time
from decimal import ROUND_DOWN, Decimal

import numpy as np
import pandas as pd

import aidcalc
from aidcalc._pledges._categories import _builtin_parts, _builtin_patterns, _precedence, _search_all


def best_of(fn, repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def bench_categorise(n: int) -> None:
    texts = aidcalc.load_dataset("g7_ukraine_pledges")["description"].tolist()
    rng = np.random.default_rng(0)
    repeated = pd.DataFrame({"description": rng.choice(texts, n)})
    # every text distinct (no benefit from searching each distinct text once)
    unique = pd.DataFrame({"description": repeated["description"] + [f" #{i}" for i in range(n)]})
    patterns = _builtin_patterns()
    order = [c for c in _precedence(patterns, None) if c in patterns]

    def naive(frame: pd.DataFrame) -> list[str]:
        out = []
        for text in frame["description"]:
            low = text.lower()
            found = [c for c in order if patterns[c].search(low)]
            out.append(found[0] if found else "other")
        return out

    for label, frame in (("repeated texts", repeated), ("distinct texts", unique)):
        ours = best_of(lambda frame=frame: aidcalc.categorise(frame))
        base = best_of(lambda frame=frame: naive(frame), repeat=1)
        assert aidcalc.categorise(frame)["category"].tolist() == naive(frame)
        print(
            f"categorise {n:>9,} rows ({label}): aidcalc {ours:7.3f} s | per-row loop {base:7.3f} s"
        )

    # the text search alone on the distinct texts: now vs the previous implementation
    lowered = unique["description"].astype(object).str.lower()
    low_list = lowered.tolist()

    def previous() -> dict[str, np.ndarray]:
        return {
            cat: lowered.str.contains(rx, regex=True, na=False).to_numpy(dtype=bool)
            for cat, rx in patterns.items()
        }

    def current() -> dict[str, np.ndarray]:
        return _search_all(low_list, _builtin_parts())

    now = best_of(current)
    before = best_of(previous, repeat=1)
    old, new = previous(), current()
    assert all((old[c] == new[c]).all() for c in old)
    print(
        f"text search {n:>8,} distinct texts: aidcalc {now:7.3f} s | previous aidcalc "
        f"(str.contains, one regex per category) {before:7.3f} s"
    )


def bench_categorise_few_texts(n: int) -> None:
    """QA D15: many rows, few distinct texts: cost should follow distinct inputs, not rows."""
    texts = [
        "repair the power grid",
        "clear mines before rebuilding",
        "school meals",
        "Wiederaufbau in Charkiw",
    ]
    frame = pd.DataFrame({"description": np.random.default_rng(3).choice(texts, n)})
    table = dict(
        zip(
            texts, aidcalc.categorise(pd.DataFrame({"description": texts}))["category"], strict=True
        )
    )
    ours = best_of(lambda: aidcalc.categorise(frame))
    # the categories of the 4 texts already known, only looked up per row (Series.map)
    base = best_of(lambda: frame["description"].map(table))
    assert (
        aidcalc.categorise(frame)["category"].tolist() == frame["description"].map(table).tolist()
    )
    print(
        f"categorise {n:>9,} rows (4 distinct texts): aidcalc {ours:7.3f} s | "
        f"known answers, Series.map {base:7.3f} s"
    )


def bench_aggregate(n: int) -> None:
    rng = np.random.default_rng(1)
    donors = np.array(["USA", "JPN", "DEU", "FRA", "ITA", "GBR", "CAN", "EUI", "POL", "NLD"])
    cats = np.array(["energy", "demining", "reconstruction", "humanitarian", "other"])
    frame = pd.DataFrame(
        {
            "donor": rng.choice(donors, n),
            "category": rng.choice(cats, n),
            "announced": pd.Timestamp("2022-02-24")
            + pd.to_timedelta(rng.integers(0, 1400, n), unit="D"),
            "amount": rng.integers(1, 10**9, n) / 100,
            "currency": "EUR",
            "kind": "pledge",
        }
    )
    ours = best_of(lambda: aidcalc.aggregate(frame))
    base = best_of(lambda: frame.groupby(["donor", "category"])["amount"].sum())
    grp = best_of(lambda: aidcalc.aggregate(frame, by="category", groups=["G7", "G7+EU"]))
    per = best_of(lambda: aidcalc.aggregate(frame, by="donor", period="month", cumulative=True))
    print(
        f"aggregate  {n:>9,} rows: aidcalc {ours:7.3f} s | bare groupby {base:7.3f} s | "
        f"groups G7,G7+EU {grp:7.3f} s | monthly cumulative {per:7.3f} s"
    )


def bench_spread(n: int) -> None:
    rng = np.random.default_rng(2)
    start = rng.integers(2022, 2030, n)
    frame = pd.DataFrame(
        {
            "amount": rng.integers(1, 10**12, n) / 100,
            "period_start": start,
            "period_end": start + rng.integers(0, 10, n),
        }
    )

    def naive() -> list[Decimal]:
        parts: list[Decimal] = []
        for amount, a, b in frame[["amount", "period_start", "period_end"]].itertuples(index=False):
            k = int(b - a + 1)
            whole = Decimal(repr(amount))
            share = (whole / k).quantize(Decimal("0.01"), rounding=ROUND_DOWN)
            left = int((whole - share * k) * 100)
            parts.extend(share + Decimal("0.01") * (i < left) for i in range(k))
        return parts

    ours = best_of(lambda: aidcalc.spread(frame))
    base = best_of(naive, repeat=1)
    out = aidcalc.spread(frame)
    assert len(out) == len(naive())
    print(
        f"spread     {n:>9,} rows: aidcalc {ours:7.3f} s | per-row Decimal {base:7.3f} s "
        f"({len(out):,} output rows)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small sizes (a few seconds)")
    args = parser.parse_args()
    scale = 10 if args.quick else 1
    bench_categorise(200_000 // scale)
    bench_categorise_few_texts(1_000_000 // scale)
    bench_aggregate(1_000_000 // scale)
    bench_spread(100_000 // scale)


if __name__ == "__main__":
    main()
