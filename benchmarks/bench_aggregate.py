"""Benchmark: ``aggregate`` donor x category on 10M rows against pandas groupby with its checks.

Run: ``.venv/bin/python benchmarks/bench_aggregate.py [--quick]`` (``--quick``: 1M rows).

The bound (measured in the same run, minimum of ``--repeat`` calls) is a hand-written pandas
``groupby(...).agg`` doing what aggregate checks and returns: the sum, the row count, the
count of missing values (a group with one gets a missing total), one currency and one kind per
group (min == max of the factorised codes; currency codes trimmed and upper-cased), the
currency and kind of each group; with ``period="year"`` the integer year of the date as one
more key (``Series.dt.year``). Its output equals aidcalc's (checked; aidcalc's period column
holds ``pandas.Period`` years). Issue 12 target: aidcalc <= 1.3x the bound, with and without
``period``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import best_of_cpu, load, verdict

DONORS = np.array(["USA", "JPN", "DEU", "FRA", "ITA", "GBR", "CAN", "EUI", "POL", "NLD"])
CATS = np.array(["energy", "demining", "reconstruction", "humanitarian", "other"])


def make_frame(n: int, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "donor": rng.choice(DONORS, n),
            "category": rng.choice(CATS, n),
            "announced": pd.Timestamp("2022-02-24")
            + pd.to_timedelta(rng.integers(0, 1400, n), unit="D"),
            "amount": rng.integers(1, 10**9, n) / 100,
            "currency": "EUR",
            "kind": "pledge",
        }
    )


def pandas_checked(frame: pd.DataFrame, period: bool) -> pd.DataFrame:
    """groupby-sum with aggregate's checks and output columns, written directly in pandas."""
    cur, cur_u = pd.factorize(frame["currency"])
    cur_u = pd.Index([str(c).strip().upper() for c in cur_u])
    same = pd.factorize(cur_u)[0]
    kind, kind_u = pd.factorize(frame["kind"])
    amount = frame["amount"]
    work = pd.DataFrame(
        {
            "donor": frame["donor"],
            "category": frame["category"],
            "amount": amount,
            "na": amount.isna(),
            "cur": same[cur],
            "kind": kind,
        }
    )
    keys = ["donor", "category"]
    if period:
        work["period"] = frame["announced"].dt.year
        keys.append("period")
    out = work.groupby(keys, sort=True, observed=True, dropna=False).agg(
        amount=("amount", "sum"),
        rows=("amount", "size"),
        missing=("na", "sum"),
        cmin=("cur", "min"),
        cmax=("cur", "max"),
        kmin=("kind", "min"),
        kmax=("kind", "max"),
    )
    if (out["cmin"] != out["cmax"]).any() or (out["kmin"] != out["kmax"]).any():
        raise ValueError("mixed currencies or kinds")
    out.loc[out["missing"] > 0, "amount"] = np.nan
    out["currency"] = cur_u.to_numpy()[out["cmin"].to_numpy()]
    out["kind"] = kind_u.to_numpy()[out["kmin"].to_numpy()]
    return out.drop(columns=["cmin", "cmax", "kmin", "kmax"]).reset_index()


def run_aidcalc(frame: pd.DataFrame, period: bool) -> pd.DataFrame:
    import aidcalc

    return aidcalc.aggregate(frame, period="year" if period else None)


def same_output(ours: pd.DataFrame, bound: pd.DataFrame, period: bool) -> None:
    ours = ours.copy()
    if period:
        ours["period"] = ours["period"].dt.year.astype(bound["period"].dtype)
    for col in bound.columns:
        left, right = ours[col], bound[col]
        if col in ("amount",):
            np.testing.assert_allclose(left.to_numpy(), right.to_numpy(), rtol=1e-12)
        else:
            assert left.astype(str).tolist() == right.astype(str).tolist(), col


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="1M rows instead of 10M")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--rows", type=int, default=0)
    args = parser.parse_args()
    n = args.rows or (1_000_000 if args.quick else 10_000_000)
    frame = make_frame(n)
    run_aidcalc(frame.head(1000), True)  # warm imports
    print(f"aggregate on {n:,} rows (10 donors x 5 categories, 1400 days); {load()}")
    lines = []
    for period in (False, True):
        same_output(run_aidcalc(frame, period), pandas_checked(frame, period), period)
        ours, ours_cpu = best_of_cpu(lambda period=period: run_aidcalc(frame, period), args.repeat)
        bound, bound_cpu = best_of_cpu(
            lambda period=period: pandas_checked(frame, period), args.repeat
        )
        label = 'period="year"' if period else "no period"
        print(f"  donor x category, {label:<14}: aidcalc {ours:7.3f} s ({ours_cpu:.3f} s CPU) | "
              f"pandas groupby with the same checks {bound:7.3f} s ({bound_cpu:.3f} s CPU); "
              f"CPU ratio {ours_cpu / bound_cpu:.2f}x")
        lines.append(verdict(f"aggregate {label}", ours / bound, 1.3,
                             "aidcalc / pandas groupby-sum with the same checks"))
    print(f"  {load()} (after)")
    for line in lines:
        print(line)


if __name__ == "__main__":
    main()
