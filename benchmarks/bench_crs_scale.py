"""The whole CRS beyond memory: streaming and dask on a generated 30M-row CRS-shaped dataset.

Usage: .venv/bin/python benchmarks/bench_crs_scale.py [--quick] [--workers N] [--only stream|dask]

Generates a Parquet dataset in the CRS bulk layout (the generator of
``benchmarks/bench_read_crs.py``; files of 1,000,000 rows, row groups of 250,000) with
30,000,000 rows (``--quick``: 3,000,000) under a temporary folder, then runs the whole analysis
end to end, each in a fresh subprocess measuring wall time and peak resident memory (RSS,
sampled every 20 ms; for dask the sum over the client, the scheduler and every worker process):

    read -> convert (USD -> EUR at the year's mean rate) -> normalise (EUR, 2023 prices)
         -> categorise (purpose codes) -> aggregate by donor x category x year

* ``stream``: ``aidcalc.aggregate_chunks(aidcalc.io.iter_crs(folder), prepare=...)``;
* ``dask``: ``aidcalc.io.read_crs_dask(folder)`` through the same functions on a
  ``dask.distributed.LocalCluster`` (2 worker processes, 1 thread each);
* ``memory``: ``read_crs`` then the same functions in pandas, on a 5,000,000-row slice
  (``--quick``: 1,000,000), with ``stream`` and ``dask`` run on the slice too: their results
  must equal it (same groups and index, sums to the cent).

It prints the figures and their linear extrapolation to 100,000,000 rows.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).parent))
from bench_read_crs import make_block

FILE_ROWS = 1_000_000
BLOCK_ROWS = 200_000
LIMIT_MB = 2048


def make_dataset(folder: Path, rows: int) -> None:
    """``rows`` CRS rows as Parquet files of FILE_ROWS rows (built from 5 distinct blocks)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    folder.mkdir(parents=True, exist_ok=True)
    blocks = []
    for seed in range(5):
        text = make_block(BLOCK_ROWS, seed)
        frame = pd.read_csv(io.StringIO(text), sep="|").drop(columns=["LongDescription"])
        blocks.append(pa.Table.from_pandas(frame, preserve_index=False))
    whole = pa.concat_tables(blocks)
    done = 0
    part = 0
    while done < rows:
        n = min(FILE_ROWS, rows - done)
        # a different year mix per file, so that files are not identical
        table = whole.slice(0, n)
        years = ((np.asarray(table.column("Year")) + part) % 9) + 2015
        table = table.set_column(table.schema.get_field_index("Year"), "Year", pa.array(years))
        pq.write_table(table, folder / f"part-{part:04d}.parquet", row_group_size=250_000)
        done += n
        part += 1


CHILD = r"""
import json, os, sys, threading, time
import psutil

mode, folder, out = sys.argv[1], sys.argv[2], sys.argv[3]
me = psutil.Process()
peak, running = [0.0], [True]

def tree_rss():
    total = 0
    for p in [me, *me.children(recursive=True)]:
        try:
            total += p.memory_info().rss
        except psutil.Error:
            pass
    return total / 2**20

def sample():
    while running[0]:
        peak[0] = max(peak[0], tree_rss())
        time.sleep(0.02)

threading.Thread(target=sample, daemon=True).start()
import aidcalc, aidcalc.io

OPTIONS = {"by": ("donor", "category"), "period": "year", "value": "amount_EUR_2023"}

def chain(frame):
    eur = aidcalc.convert(frame, "EUR", date="year", fx="year", errors="coerce")
    eur = eur[[*frame.columns, "amount_EUR"]]
    real = aidcalc.normalise(eur, "EUR", 2023, date="year", fx="year", errors="coerce")
    return aidcalc.categorise(real.drop(columns="category"), purpose_code="purpose_code")

t = time.perf_counter()
if mode == "memory":
    frame, _ = aidcalc.io.read_crs(folder)
    rows = len(frame)
    result = aidcalc.aggregate(chain(frame), **OPTIONS)
elif mode == "stream":
    rows = [0]
    def prepare(chunk):
        rows[0] += len(chunk)
        return chain(chunk)
    result = aidcalc.aggregate_chunks(
        aidcalc.io.iter_crs(folder, chunksize=250_000), prepare=prepare, **OPTIONS)
    rows = rows[0]
else:
    import dask, distributed
    workers = int(os.environ.get("BENCH_WORKERS", "2"))
    with distributed.LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                  host="127.0.0.1", dashboard_address=None,
                                  memory_limit="900MiB") as cluster, \
         distributed.Client(cluster):
        data = aidcalc.io.read_crs_dask(folder)
        result = aidcalc.aggregate(chain(data), **OPTIONS).compute()
    rows = int(result["rows"].sum())
elapsed = time.perf_counter() - t
running[0] = False
peak[0] = max(peak[0], tree_rss())
result.to_pickle(out)
print(json.dumps({"rows": rows, "seconds": elapsed, "peak_mb": peak[0]}))
"""


def run(mode: str, folder: Path, out: Path, workers: int) -> dict[str, float]:
    env = {**os.environ, "BENCH_WORKERS": str(workers)}
    done = subprocess.run(
        [sys.executable, "-c", CHILD, mode, str(folder), str(out)],
        capture_output=True, text=True, env=env,
    )
    if done.returncode:
        sys.stderr.write(done.stderr)
        raise SystemExit(f"{mode} failed")
    return json.loads(done.stdout.strip().splitlines()[-1])


def same(got: pd.DataFrame, want: pd.DataFrame, value: str = "amount_EUR_2023") -> bool:
    keys = [c for c in want.columns if c != value]
    if list(got.columns) != list(want.columns) or not got.index.equals(want.index):
        return False
    plain = [f[keys].astype(object).where(f[keys].notna(), None) for f in (got, want)]
    return plain[0].equals(plain[1]) and bool(
        np.allclose(got[value], want[value], rtol=0, atol=0.005, equal_nan=True)
    )


def main() -> None:
    quick = "--quick" in sys.argv
    workers = int(sys.argv[sys.argv.index("--workers") + 1]) if "--workers" in sys.argv else 2
    only = sys.argv[sys.argv.index("--only") + 1] if "--only" in sys.argv else None
    modes = [m for m in ("stream", "dask") if only in (None, m)]
    total = 3_000_000 if quick else 30_000_000
    piece = 1_000_000 if quick else 5_000_000
    with tempfile.TemporaryDirectory(prefix="aidcalc-bench-") as tmp:
        base = Path(tmp)
        t = time.perf_counter()
        make_dataset(base / "all", total)
        (base / "slice").mkdir()
        for f in sorted((base / "all").glob("*.parquet"))[: piece // FILE_ROWS]:
            os.link(f, base / "slice" / f.name)
        size = sum(f.stat().st_size for f in (base / "all").glob("*")) / 2**20
        print(f"generated {total:,} rows ({size:,.0f} MiB Parquet) in "
              f"{time.perf_counter() - t:.0f} s")
        print(f"load average before: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
        results = {}
        print(f"\n{'run':<26} {'rows':>12} {'wall s':>8} {'rows/s':>10} {'peak RSS MB':>12}")
        for name, mode, folder in (
            (f"in-memory {piece:,}", "memory", "slice"),
            (f"stream {piece:,}", "stream", "slice"),
            (f"dask {piece:,}", "dask", "slice"),
            (f"stream {total:,}", "stream", "all"),
            (f"dask {total:,}", "dask", "all"),
        ):
            if mode not in ("memory", *modes):
                continue
            out = base / f"{mode}-{folder}.pkl"
            r = run(mode, base / folder, out, workers)
            results[(mode, folder)] = r
            print(f"{name:<26} {r['rows']:>12,} {r['seconds']:>8.1f} "
                  f"{r['rows'] / r['seconds']:>10,.0f} {r['peak_mb']:>12,.0f}", flush=True)
        want = pd.read_pickle(base / "memory-slice.pkl")
        for mode in modes:
            ok = same(pd.read_pickle(base / f"{mode}-slice.pkl"), want)
            print(f"{mode} result on the slice equals in-memory (groups, index, cents): {ok}")
        print(f"load average after: {os.getloadavg()[0]:.1f}")
        print("\nextrapolated to 100,000,000 rows (time linear in rows; streaming memory is "
              "bounded by the chunk,\ndask's by the partitions in flight):")
        for mode in modes:
            r = results[(mode, "all")]
            hours = r["seconds"] * 100_000_000 / r["rows"] / 60
            print(f"  {mode:<7} ~{hours:,.0f} min, peak RSS ~{r['peak_mb']:,.0f} MB "
                  f"({'within' if r['peak_mb'] <= LIMIT_MB else 'OVER'} {LIMIT_MB} MB)")
        r = results[("memory", "slice")]
        print(f"  in-memory would need ~{r['peak_mb'] * 100_000_000 / r['rows'] / 1024:,.0f} GB")


if __name__ == "__main__":
    main()
