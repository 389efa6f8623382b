"""Helpers shared by the benchmarks: timing, peak memory, the machine's load, verdicts.

Every target of issue 12 is a *ratio* against a bound measured in the same run (the machine
is shared and often loaded, so absolute seconds move a lot between runs; ratios much less).
"""

from __future__ import annotations

import gc
import os
import time
from collections.abc import Callable
from typing import Any


def best_of(fn: Callable[[], Any], repeat: int = 3) -> float:
    """Minimum wall-clock seconds of ``repeat`` calls (a collection before each)."""
    best = float("inf")
    for _ in range(repeat):
        gc.collect()
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def best_of_cpu(fn: Callable[[], Any], repeat: int = 3) -> tuple[float, float]:
    """(minimum wall-clock seconds, minimum CPU seconds of the process, all threads) of
    ``repeat`` calls. On a loaded machine the wall clock includes waiting for a core; the CPU
    time does not, so it is the steadier figure of the two."""
    wall, cpu = float("inf"), float("inf")
    for _ in range(repeat):
        gc.collect()
        t0, c0 = time.perf_counter(), time.process_time()
        fn()
        wall = min(wall, time.perf_counter() - t0)
        cpu = min(cpu, time.process_time() - c0)
    return wall, cpu


def load() -> str:
    """The machine's load, as ``uptime`` gives it: ``load 7.9 (1 min) on 2 cores``."""
    one = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return f"load {one:.1f} (1 min) on {os.cpu_count()} cores"


def _status(key: str) -> int:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith(key):
                return int(line.split()[1]) * 1024
    raise KeyError(key)


def peak_growth(fn: Callable[[], Any]) -> tuple[Any, int]:
    """(result, peak resident memory growth in bytes during ``fn``), Linux only.

    The kernel's high-water mark is reset first (``/proc/self/clear_refs``), so the peak is the
    call's own, not that of whatever ran before it in the process. Run it in a fresh process
    for a clean figure; the result is kept alive, so it counts in the peak.
    """
    gc.collect()
    before = _status("VmRSS")
    with open("/proc/self/clear_refs", "w") as fh:
        fh.write("5")
    out = fn()
    return out, _status("VmHWM") - before


def verdict(name: str, ratio: float, limit: float, what: str, *, higher: bool = False) -> str:
    """``PASS``/``FAIL`` line of one target: ``ratio`` (<= ``limit`` unless ``higher``)."""
    ok = ratio >= limit if higher else ratio <= limit
    sign = ">=" if higher else "<="
    return (
        f"TARGET {name}: {ratio:.2f}x ({what}; target {sign} {limit}x): {'PASS' if ok else 'FAIL'}"
    )
