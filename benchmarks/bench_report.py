"""Benchmark: ``aidcalc report`` on the embedded data, and chart saving against a baseline.

Prints wall and CPU seconds for the whole report (target: under 15 s on a 2-core machine) and,
measured in the same run, the five charts saved the straightforward way (``savefig`` with
``bbox_inches="tight"`` for PNG and SVG: layout and tight bounding box computed per file) against
the report's way (layout once without rasterising, then both files).

Run: .venv/bin/python benchmarks/bench_report.py [--quick]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")


def timed(func):
    wall, cpu = time.perf_counter(), time.process_time()
    result = func()
    return time.perf_counter() - wall, time.process_time() - cpu, result


def charts(frame, value):
    import aidcalc.plot as P

    common = {"value": value, "footnote": "Source: benchmark."}
    yield "donors", P.donors(frame, **common).figure
    yield "timeline", P.timeline(frame, **common).figure
    yield "pipeline", P.pipeline(frame, **common).figure
    yield "categories", P.categories(frame, **common)[0].figure


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one repetition instead of three")
    repeat = 1 if parser.parse_args().quick else 3

    import matplotlib.pyplot as plt

    import aidcalc
    from aidcalc._report._build import PNG_DPI, _save, build_report

    with tempfile.TemporaryDirectory() as tmp:
        runs = [timed(lambda i=i: build_report(out=Path(tmp) / f"r{i}")) for i in range(repeat)]
        wall, cpu, report = min(runs, key=lambda r: r[0])
        print(f"report (embedded data, {len(report.files)} files): best of {repeat}: "
              f"{wall:.2f} s wall, {cpu:.2f} s CPU  (target < 15 s)")

        g7 = aidcalc.load_dataset("g7_ukraine_pledges")
        frame = aidcalc.normalise(g7[g7["kind"] == "pledge"], to="EUR", base_year=2024,
                                  date="announced", extend="last", out="v")
        out = Path(tmp)

        def baseline():
            for name, fig in charts(frame, "v"):
                fig.savefig(out / f"{name}.png", dpi=PNG_DPI, bbox_inches="tight")
                fig.savefig(out / f"{name}.svg", bbox_inches="tight")
                plt.close(fig)

        def ours():
            for name, fig in charts(frame, "v"):
                _save(fig, out, name, [])
                plt.close(fig)

        for label, func in (("baseline: savefig(bbox_inches='tight') x2", baseline),
                            ("report: layout once, then PNG + SVG", ours)):
            best = min((timed(func) for _ in range(repeat)), key=lambda r: r[0])
            print(f"{label:45s} 4 charts: {best[0]:.2f} s wall, {best[1]:.2f} s CPU")


if __name__ == "__main__":
    main()
