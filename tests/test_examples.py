"""Every script in examples/ runs (own process, temporary working folder, no display)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
SCRIPTS = sorted(EXAMPLES.glob("*.py"))


@pytest.fixture(scope="module")
def ran(tmp_path_factory):
    """Run each example once, each in its own empty working folder."""
    cache: dict[str, tuple[subprocess.CompletedProcess[str], Path]] = {}

    def get(name: str) -> tuple[subprocess.CompletedProcess[str], Path]:
        if name not in cache:
            cwd = tmp_path_factory.mktemp(name)
            env = {**os.environ, "MPLBACKEND": "Agg", "PYTHONWARNINGS": "default"}
            done = subprocess.run([sys.executable, str(EXAMPLES / name)], cwd=cwd,
                                  capture_output=True, text=True, timeout=180, env=env)
            cache[name] = (done, cwd)
        return cache[name]

    return get


def test_there_are_examples():
    names = {p.name for p in SCRIPTS}
    assert {"motivating_example.py", "normalise_spreadsheet.py", "g7_chart_de_ja.py"} <= names
    assert (EXAMPLES / "pledges.csv").exists()


@pytest.mark.parametrize("script", SCRIPTS, ids=[p.stem for p in SCRIPTS])
def test_example_runs(script, ran):
    done, _cwd = ran(script.name)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "Traceback" not in done.stderr
    assert done.stdout.strip()


def test_motivating_example_agrees_within_a_few_percent(ran):
    done, _cwd = ran("motivating_example.py")
    # ¥1.9 trillion at the ECB rate of 2024-06-07 (155.55 JPY/USD by cross rate) is $12.2B
    assert "¥1.9 trillion on 2024-06-07 = $12.2B" in done.stdout
    assert "+0.9% against $12.1B" in done.stdout


def test_chart_example_writes_german_and_japanese_charts(ran):
    done, tmp_path = ran("g7_chart_de_ja.py")
    assert done.returncode == 0, done.stderr[-2000:]
    assert (tmp_path / "g7_de.png").stat().st_size > 10_000
    assert (tmp_path / "g7_ja.png").stat().st_size > 10_000
    assert "Hilfe nach Geber und Bereich" in done.stdout


def test_spreadsheet_example_writes_safe_csv(ran):
    done, tmp_path = ran("normalise_spreadsheet.py")
    assert done.returncode == 0, done.stderr[-2000:]
    out = (tmp_path / "pledges_normalised.csv").read_text(encoding="utf-8")
    assert out.count("\n") == 7  # header + the 6 pledges of examples/pledges.csv
