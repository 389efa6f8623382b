"""Benchmark: ``categorise`` on this tree against ``--against`` (default ``main``: its
``aidcalc/`` and ``datasets/`` extracted with ``git archive``), fresh processes, same texts.

Run: ``.venv/bin/python benchmarks/bench_categorise.py [--quick] [--against REV] [--rows N]``

More keyword patterns (25 languages) can slow the regular expressions: one compiled
alternation per category, an RE2 literal prefilter and an RE2 sufficient condition before
Python's ``re``. Four inputs, 1M rows by default (``--quick``: 200,000):

* ``g7 repeated``: the curated descriptions drawn with replacement (about 380 distinct);
* ``multilingual repeated``: the labelled phrases of 25 languages
  (``tests/fixtures/category_phrases.csv``) and the curated descriptions;
* ``g7 distinct`` and ``multilingual distinct``: the same, every text made distinct with a
  row number (searching each distinct text once does not help: the worst case).

Target: no slower than ``--against`` (CPU seconds, the steadier figure on a shared machine;
<= 1.1x allows for the load's drift). The older table knows fewer languages, so its
results differ: only the time is compared. Each side runs twice, alternated; the minimum
counts.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PHRASES = ROOT / "tests" / "fixtures" / "category_phrases.csv"
TARGET = 1.1


def child(n: int) -> None:
    """Time categorise on the four inputs with the importable aidcalc; print JSON."""
    import numpy as np
    import pandas as pd

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from _common import best_of_cpu

    import aidcalc

    g7 = aidcalc.load_dataset("g7_ukraine_pledges")["description"].astype(str).tolist()
    phrases = pd.read_csv(PHRASES, dtype=str, keep_default_na=False)["phrase"].tolist()
    rng = np.random.default_rng(0)
    aidcalc.categorise(pd.DataFrame({"description": ["warm-up"]}))
    out = {"patterns": len(aidcalc.load_dataset("category_keywords"))}
    for name, texts in (("g7", g7), ("multilingual", [*phrases, *g7])):
        drawn = pd.Series(rng.choice(np.asarray(texts, dtype=object), n), dtype=object)
        numbered = drawn + pd.Series([f" #{i}" for i in range(n)], dtype=object)
        for kind, column, repeat in (("repeated", drawn, 3), ("distinct", numbered, 1)):
            frame = pd.DataFrame({"description": column})
            out[f"{name} {kind}"] = best_of_cpu(lambda f=frame: aidcalc.categorise(f), repeat)
    print(json.dumps(out))


def run(code_dir: Path | None, n: int) -> dict:
    env = dict(os.environ)
    if code_dir is not None:
        env["PYTHONPATH"] = os.pathsep.join([str(code_dir), env.get("PYTHONPATH", "")])
    got = subprocess.run(
        [sys.executable, __file__, "--child", str(n)],
        capture_output=True, text=True, check=True, env=env, cwd=code_dir or ROOT,
    )  # fmt: skip
    return json.loads(got.stdout.strip().splitlines()[-1])


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--against", default="main")
    ap.add_argument("--rows", type=int, default=None)
    ap.add_argument("--child", type=int, default=None, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child is not None:
        child(args.child)
        return 0
    n = args.rows or (200_000 if args.quick else 1_000_000)
    git = ["git", "-C", str(ROOT)]
    sha = subprocess.run([*git, "rev-parse", "--short", args.against],
                         capture_output=True, text=True, check=True).stdout.strip()  # fmt: skip
    archive = subprocess.run([*git, "archive", args.against, "aidcalc", "datasets"],
                             capture_output=True, check=True).stdout  # fmt: skip
    print(f"categorise on {n:,} rows, this tree vs {args.against} ({sha}); {uptime()}")
    with tempfile.TemporaryDirectory() as tmp:
        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            tar.extractall(tmp, filter="data")
        old, new = run(Path(tmp), n), run(None, n)
        old2, new2 = run(Path(tmp), n), run(None, n)  # again, alternated: the load drifts
    print(f"  patterns: this tree {new['patterns']}, {args.against} {old['patterns']}")
    failed = False
    for label in [k for k in new if k != "patterns"]:
        (nw, nc), (ow, oc) = min(new[label], new2[label]), min(old[label], old2[label])
        ratio = nc / oc
        failed |= ratio > TARGET
        print(
            f"  {label:<22}: this tree {nw:7.3f} s ({nc:7.3f} s CPU) | {args.against} "
            f"{ow:7.3f} s ({oc:7.3f} s CPU) | TARGET CPU <= {TARGET}x: {ratio:.2f}x "
            f"{'FAIL' if ratio > TARGET else 'PASS'}"
        )
    print(f"  {uptime()}")
    return 1 if failed else 0


def uptime() -> str:
    try:
        return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
    except OSError:
        return f"load {os.getloadavg()[0]:.1f} (1 min)"


if __name__ == "__main__":
    raise SystemExit(main())
