"""The ``aidcalc`` command: help, and bad input ending in one line on stderr and a non-zero exit."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from aidcalc._report._cli import main

ROOT = Path(__file__).resolve().parents[1]


def run(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "MPLBACKEND": "Agg"}
    return subprocess.run(
        [sys.executable, "-m", "aidcalc", *args],
        cwd=cwd, capture_output=True, text=True, timeout=120, env=env,
    )


def one_error_line(stderr: str) -> str:
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    assert lines[0].startswith("aidcalc: error: ")
    assert "Traceback" not in stderr
    return lines[0]


def test_missing_file_via_python_m(tmp_path):
    done = run(["report", "missing.csv", "--out", "out"], tmp_path)
    assert done.returncode == 1
    assert "missing.csv: no such file" in one_error_line(done.stderr)
    assert done.stdout == ""
    assert not (tmp_path / "out").exists()


def test_debug_shows_the_traceback(tmp_path):
    done = run(["report", "missing.csv", "--debug"], tmp_path)
    assert done.returncode != 0
    assert "Traceback" in done.stderr and "InputFileError" in done.stderr


def test_unknown_currency(capsys, tmp_path):
    # a value no input could make right is a usage error (exit 2), as the epilog says
    assert main(["report", "--to", "XYZ", "--out", str(tmp_path / "o")]) == 2
    line = one_error_line(capsys.readouterr().err)
    assert "'XYZ'" in line and "ISO 4217" in line


def test_unreadable_spreadsheet(capsys, tmp_path):
    bad = tmp_path / "pledges.xlsx"
    bad.write_bytes(b"PK\x03\x04 this is not a workbook")
    assert main(["report", str(bad), "--out", str(tmp_path / "o")]) == 1
    line = one_error_line(capsys.readouterr().err)
    assert "pledges.xlsx" in line


def test_spreadsheet_without_the_needed_columns(capsys, tmp_path):
    odd = tmp_path / "odd.csv"
    odd.write_text("x,y\n1,2\n", encoding="utf-8")
    assert main(["report", str(odd), "--out", str(tmp_path / "o")]) == 1
    assert "odd.csv" in one_error_line(capsys.readouterr().err)


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["report", "--prices", "sometimes"], "invalid choice: 'sometimes'"),
        (["report", "--base-year", "soon"], "invalid int value: 'soon'"),
        (["report", "--locale", "xx"], "unknown locale 'xx'"),
        (["report", "--to", "EURO"], "not a currency code"),
        (["report", "--stage", "promised"], "invalid choice: 'promised'"),
        (["report", "--stage", "allocated"], "has no allocated rows (its stages: committed, "),
        (["frobnicate"], "invalid choice: 'frobnicate'"),
    ],
)
def test_bad_options(capsys, tmp_path, args, needle):
    code = main([*args, "--out", str(tmp_path / "o")] if args[0] == "report" else args)
    assert code in (1, 2)
    assert needle in one_error_line(capsys.readouterr().err)


def test_help_has_an_example_for_every_option(capsys):
    assert main(["report", "--help"]) == 0
    text = capsys.readouterr().out
    options = ["--to", "--base-year", "--prices", "--fx", "--locale", "--group", "--stage",
               "--out", "--debug"]
    for option in options:
        assert option in text
    # every option's help says "e.g." with an example
    assert text.count("e.g.") >= len(options) + 1  # + INPUT
    assert "aidcalc report pledges.xlsx --out my-report" in text
    assert "aidcalc report kiel.xlsx --stage committed" in text
    flat = " ".join(text.split())
    assert "--stage {allocated,committed,pledged,disbursed,all}" in flat
    assert "e.g. --stage committed (default: allocated for the Kiel tracker" in flat


def test_top_level_help_and_version(capsys):
    assert main([]) == 0
    assert "report" in capsys.readouterr().out
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.startswith("aidcalc ")


def test_entry_point_is_the_same_main():
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert 'aidcalc = "aidcalc._report._cli:main"' in text
    import aidcalc.__main__ as entry

    assert entry.main is main


class _FakeReport:
    files = (Path("a.png"), Path("index.html"))
    index = Path("out/index.html")


@pytest.mark.parametrize("tty", [True, False])
def test_progress_only_on_a_terminal(monkeypatch, capsys, tty):
    import aidcalc._report._build

    seen = {}

    def fake_build(data, **options):
        seen.update(options, data=data)
        if options["progress"] is not None:
            options["progress"]("drawing donors")
        return _FakeReport()

    monkeypatch.setattr(aidcalc._report._build, "build_report", fake_build)
    monkeypatch.setattr(sys.stderr, "isatty", lambda: tty, raising=False)
    code = main(["report", "in.csv", "--to", "jpy", "--base-year", "2023", "--prices", "none",
                 "--fx", "month", "--locale", "ja", "--group", "all", "--stage", "committed",
                 "--out", "o"])
    assert code == 0
    captured = capsys.readouterr()
    assert captured.out == "wrote 2 files; open out/index.html\n"
    assert ("drawing donors" in captured.err) is tty
    if not tty:
        assert captured.err == ""
    assert seen == {"data": "in.csv", "out": "o", "to": "jpy", "base_year": 2023,
                    "prices": "none", "fx": "month", "locale": "ja", "group": "all",
                    "stage": "committed", "progress": seen["progress"], "read_options": {}}


def test_base_year_after_coverage_exits_1_naming_the_fix(capsys, tmp_path):
    assert main(["report", "--base-year", "2100", "--out", str(tmp_path / "o")]) == 1
    line = one_error_line(capsys.readouterr().err)
    assert "--base-year 2100 is after what the rates and deflators cover" in line
    assert "use --base-year 202" in line
    assert not (tmp_path / "o").exists()


def test_file_without_category_fails_before_writing_with_a_cli_hint(capsys, tmp_path):
    src = tmp_path / "pledges.csv"
    src.write_text("donor,announced,amount_text,status\nJapan,2024-02-19,¥15.8 billion,pledged\n",
                   encoding="utf-8")
    assert main(["report", str(src), "--out", str(tmp_path / "o")]) == 1
    line = one_error_line(capsys.readouterr().err)
    assert "pledges.csv has no category column" in line
    assert "add it to the file (category: one of energy, demining" in line
    assert "aidcalc." not in line and "normalise(" not in line  # no Python hint
    assert not (tmp_path / "o").exists()


def test_warnings_for_left_out_rows_and_an_unknown_language(capsys, tmp_path):
    src = tmp_path / "pledges.csv"
    src.write_text(
        "donor,announced,amount_text,category,status\n"
        "Japan,2024-02-19,¥15.8 billion,reconstruction,pledged\n"
        "Canada,2023-06-21,CAD 30 million,demining,committed\n"
        "Germany,,EUR 5 million,energy,pledged\n",
        encoding="utf-8",
    )
    code = main(["report", str(src), "--locale", "pl", "--out", str(tmp_path / "o")])
    assert code == 0
    err = capsys.readouterr().err.splitlines()
    assert sum("'pl' has no translations" in line for line in err) == 1
    left = [line for line in err if "left out of the report" in line]
    assert len(left) == 1 and left[0].startswith("aidcalc: warning: ")
    assert "1 row (" in left[0] and "no date for the rate or deflator they need" in left[0]
