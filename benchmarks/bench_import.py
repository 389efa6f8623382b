"""Benchmark: what ``import aidcalc`` costs on top of ``import pandas``.

Times, in fresh subprocesses and alternating, ``import pandas`` and
``import pandas; import aidcalc``; prints the medians and the difference (target < 0.15 s), and
checks that the heavy parts (matplotlib, pint, babel number data, the rate table, the unit
registry) are not imported by ``import aidcalc``. Also times the first ``get_rates()`` and
``get_registry()``, which is where those costs are paid instead.

    .venv/bin/python benchmarks/bench_import.py [--runs 9] [--quick]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys

HEAVY = (
    "matplotlib",
    "pint",
    "currency_converter",
    "babel.numbers",
    "aidcalc._money._rates",
    "aidcalc._money._convert",
    "aidcalc._money._units",
    "lxml",
    "openpyxl",
)

TIMER = "import time; t0 = time.perf_counter(); {stmt}; print(time.perf_counter() - t0)"


def run(stmt: str) -> float:
    code = TIMER.format(stmt=stmt)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return float(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--runs", type=int, default=9)
    ap.add_argument("--quick", action="store_true", help="3 runs each")
    args = ap.parse_args()
    runs = 3 if args.quick else args.runs
    run("import pandas")  # warm the OS file cache
    base, both = [], []
    for _ in range(runs):  # alternate so machine load affects both alike
        base.append(run("import pandas"))
        both.append(run("import pandas; import aidcalc"))
    m_base, m_both = statistics.median(base), statistics.median(both)
    added = m_both - m_base
    paired = statistics.median(b - a for a, b in zip(base, both, strict=True))
    print(f"import pandas:                  median {m_base:.3f} s over {runs} fresh processes")
    print(f"import pandas; import aidcalc:  median {m_both:.3f} s")
    print(f"aidcalc adds:                   {added:.3f} s (difference of medians; median of "
          f"paired differences {paired:.3f} s; target < 0.15 s: "
          f"{'OK' if added < 0.15 else 'MISSED'})")  # fmt: skip
    own = []
    for _ in range(runs):
        out = subprocess.run(
            [sys.executable, "-X", "importtime", "-c", "import pandas; import aidcalc"],
            capture_output=True, text=True, check=True,
        )  # fmt: skip
        line = [x for x in out.stderr.splitlines() if x.rstrip().endswith("| aidcalc")][-1]
        own.append(int(line.split("|")[1]) / 1e6)
    print(f"python -X importtime, aidcalc cumulative (pandas already loaded): "
          f"median {statistics.median(own):.4f} s")  # fmt: skip

    check = f"import sys, aidcalc; print(','.join(m for m in {HEAVY!r} if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", check], capture_output=True, text=True, check=True)
    loaded = out.stdout.strip()
    print(f"heavy modules imported by `import aidcalc`: {loaded or 'none'} "
          f"({'OK' if not loaded else 'MISSED'})")  # fmt: skip

    first_rates = statistics.median(
        run("import pandas, aidcalc; aidcalc.get_rates()") - run("import pandas, aidcalc")
        for _ in range(3)
    )
    first_registry = statistics.median(
        run("import pandas, aidcalc; aidcalc.get_registry()") - run("import pandas, aidcalc")
        for _ in range(3)
    )
    print(f"first aidcalc.get_rates() (ECB zip -> RateTable): ~{first_rates:.3f} s")
    print(f"first aidcalc.get_registry() (pint + units.txt):  ~{first_registry:.3f} s")


if __name__ == "__main__":
    main()
