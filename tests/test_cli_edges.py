"""The ``aidcalc`` command at its edges: every option with hostile values ends in one clear
line on stderr and exit status 2 (the command line is wrong) or 1 (the data or the folder
are), never a traceback; zip inputs are read with ``--member``, ``--max-uncompressed`` and
``--max-ratio`` as the Python readers read them."""

from __future__ import annotations

import argparse
import io
import os
import re
import subprocess
import sys
import urllib.request
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import aidcalc
from aidcalc._report import _cli_types
from aidcalc._report._build import build_report
from aidcalc._report._cli import _parser, main

CSV = (
    "donor,announced,amount_text,category,status\n"
    "Japan,2024-02-19,¥15.8 billion,reconstruction,pledged\n"
    "Canada,2023-06-21,CAD 30 million,demining,committed\n"
)


@pytest.fixture(autouse=True)
def _no_network(monkeypatch):
    """A hostile value that got as far as a download would fail here, not on the network."""

    def refuse(*_args, **_kwargs):
        raise AssertionError("the command tried to download")

    monkeypatch.setattr(urllib.request, "urlopen", refuse)


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> Path:
    """Hostile inputs: empty, binary, other XML, a folder, a file as --out, zips."""
    root = tmp_path_factory.mktemp("hostile")
    (root / "empty.csv").write_bytes(b"")
    (root / "blank.csv").write_text("\n\n", encoding="utf-8")
    (root / "binary.csv").write_bytes(bytes(range(256)) * 4)
    (root / "page.xml").write_text("<html><body/></html>", encoding="utf-8")
    (root / "not-a-zip.xlsx").write_bytes(b"PK\x03\x04 not a workbook")
    (root / "odd.csv").write_text("x,y\n1,2\n", encoding="utf-8")
    (root / "pledges.csv").write_text(CSV, encoding="utf-8")
    (root / "folder").mkdir()
    (root / "a-file").write_text("", encoding="utf-8")
    with zipfile.ZipFile(root / "two.zip", "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("a.csv", CSV)
        zf.writestr("b.csv", CSV.replace("Japan", "France"))
    with zipfile.ZipFile(root / "long.zip", "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("readme.txt", "two tables and a note")
        # a genuine file that compresses 1000:1 (a long note), above the zip-bomb ratio
        zf.writestr("long.csv", CSV.replace("status\n", "status,note\n", 1).replace(
            "pledged\n", "pledged," + "x" * 1_200_000 + "\n", 1))
    with zipfile.ZipFile(root / "empty.zip", "w") as zf:
        pass
    pytest.importorskip("openpyxl")
    with pd.ExcelWriter(root / "book.xlsx") as writer:  # a cover sheet, then the data
        pd.DataFrame({"about": ["pledges on the next sheet"]}).to_excel(writer, sheet_name="cover")
        pd.read_csv(io.StringIO(CSV)).to_excel(writer, sheet_name="data", index=False)
    return root


def _error_line(stderr: str) -> str:
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert "Traceback" not in stderr, stderr
    assert len(lines) == 1, stderr
    assert lines[0].startswith("aidcalc: error: "), stderr
    return lines[0]


# (arguments, exit status, words the one error line must hold); {d} is the folder of `files`
HOSTILE = [
    # report: option values no input could make right -> 2
    (["report", "--to", "XYZ"], 2, ["--to 'XYZ'", "ISO 4217"]),
    (["report", "--to", "EURO"], 2, ["--to 'EURO'", "did you mean 'EUR'"]),
    (["report", "--to", ""], 2, ["--to ''", "ISO 4217"]),
    (["report", "--base-year", "-5"], 2, ["--base-year -5", "1960 to 2100"]),
    (["report", "--base-year", "soon"], 2, ["invalid int value: 'soon'"]),
    (["report", "--base-year", "1" + "0" * 30], 2, ["not a plausible year"]),
    (["report", "--prices", "sometimes"], 2, ["invalid choice: 'sometimes'"]),
    (["report", "--fx", "-1"], 2, ["argument --fx: invalid choice: '-1'"]),
    (["report", "--locale", "xx"], 2, ["unknown locale 'xx'", "CLDR"]),
    (["report", "--locale", "../../etc/passwd"], 2, ["unknown locale"]),
    (["report", "--group", "NATO"], 2, ["--group 'NATO'", "'G7'", "all"]),
    (["report", "--group", ""], 2, ["--group ''", "'G7'"]),
    (["report", "--stage", "promised"], 2, ["invalid choice: 'promised'"]),
    (["report", "--out", ""], 2, ["--out is empty"]),
    (["report", "--out", " "], 2, ["--out is empty"]),
    (["report", "--member", "a.csv"], 2, ["--member is for reading an INPUT file"]),
    (["report", "--max-ratio", "500"], 2, ["--max-ratio is for reading an INPUT file"]),
    (["report", "--sheet", "data"], 2, ["--sheet is for reading an INPUT file"]),
    (["report", "--column", "a=donor"], 2, ["--column is for reading an INPUT file"]),
    (["report", "--input-locale", "de"], 2, ["--input-locale is for reading an INPUT file"]),
    (["report", "--header-row", "1"], 2, ["--header-row is for reading an INPUT file"]),
    (["report", "--recover"], 2, ["--recover is for reading an INPUT file"]),
    (["report", "{d}/odd.csv", "--column", "nope"], 2, ["argument --column: 'nope'"]),
    (["report", "{d}/odd.csv", "--column", "=donor"], 2, ["HEADER=ROLE"]),
    (["report", "{d}/odd.csv", "--input-locale", "../../etc/passwd"], 2, ["CLDR locale"]),
    (["report", "{d}/odd.csv", "--header-row", "-1"], 2, ["a line number"]),
    (["report", "{d}/book.xlsx", "--sheet", " "], 2, ["argument --sheet: ' '"]),
    (["report", "{d}/two.zip", "--member", ""], 2, ["argument --member: '' is not accepted"]),
    (["report", "{d}/two.zip", "--max-ratio", "-3"], 2, ["--max-ratio: '-3'", "> 0"]),
    (["report", "{d}/two.zip", "--max-ratio", "nan"], 2, ["--max-ratio: 'nan'"]),
    (["report", "{d}/two.zip", "--max-ratio", "inf"], 2, ["--max-ratio: 'inf'"]),
    (["report", "{d}/two.zip", "--max-ratio", "0"], 2, ["--max-ratio: '0'"]),
    (["report", "{d}/two.zip", "--max-uncompressed", "-1"], 2, ["--max-uncompressed: '-1'"]),
    (["report", "{d}/two.zip", "--max-uncompressed", "0GB"], 2, ["bytes > 0"]),
    (["report", "{d}/two.zip", "--max-uncompressed", "lots"], 2, ["e.g. 20GB"]),
    (["report", "{d}/two.zip", "--max-uncompressed", "1" + "0" * 400], 2, ["bytes > 0"]),
    (["report", ""], 2, ["INPUT is empty"]),
    (["report", " "], 2, ["INPUT is empty"]),
    (["report", "--bogus"], 2, ["unrecognized arguments: --bogus"]),
    (["frobnicate"], 2, ["invalid choice: 'frobnicate'"]),
    # report: the input, the folder or the data -> 1
    (["report", "{d}/missing.csv"], 1, ["missing.csv: no such file"]),
    (["report", "{d}/folder"], 1, ["is a folder, not a file"]),
    (["report", "{d}/empty.csv"], 1, ["empty.csv: empty file"]),
    (["report", "{d}/blank.csv"], 1, ["blank.csv"]),
    (["report", "{d}/binary.csv"], 1, ["binary.csv", "aidcalc reads IATI XML"]),
    (["report", "{d}/page.xml"], 1, ["page.xml: XML that is not IATI"]),
    (["report", "{d}/not-a-zip.xlsx"], 1, ["not-a-zip.xlsx"]),
    (["report", "{d}/odd.csv"], 1, ["odd.csv: the table has no column for"]),
    (["report", "{d}/empty.zip"], 1, ["empty.zip"]),
    (["report", "{d}/two.zip"], 1, ["holds 2 data files", "pass --member the one"]),
    (["report", "{d}/two.zip", "--member", "c.csv"], 1, ["no member 'c.csv'", "'a.csv'"]),
    (["report", "{d}/long.zip", "--member", "long.csv"], 1,
     ["'long.csv' would inflate", "pass --max-ratio a higher limit"]),
    (["report", "{d}/two.zip", "--member", "a.csv", "--max-uncompressed", "100"], 1,
     ["above the limit of 100 bytes", "pass --max-uncompressed a higher"]),
    (["report", "{d}/pledges.csv", "--member", "a.csv"], 1,
     ["--member 'a.csv' is only for zip archives"]),
    (["report", "{d}/pledges.csv", "--sheet", "data"], 1,
     ["--sheet 'data' is only for XLSX workbooks", "a CSV table"]),
    (["report", "{d}/book.xlsx"], 1, ["book.xlsx"]),
    (["report", "{d}/book.xlsx", "--sheet", "nope"], 1,
     ["no sheet 'nope'", "'cover', 'data'", "pass --sheet the name"]),
    (["report", "{d}/book.xlsx", "--sheet", "7"], 1, ["book.xlsx"]),
    (["report", "{d}/book.xlsx", "--member", "a.csv"], 1, ["--member 'a.csv'", "workbook"]),
    (["report", "{d}/pledges.csv", "--out", "{d}/a-file"], 1, ["is a file, not a folder"]),
    (["report", "{d}/pledges.csv", "--out", "{d}/a-file/sub"], 1, ["is a file, not a folder"]),
    (["report", "{d}/pledges.csv", "--stage", "disbursed"], 1, ["has no disbursed rows"]),
    (["report", "{d}/pledges.csv", "--base-year", "2099"], 1, ["--base-year 2099 is after"]),
    # update and datasets: refused before any request
    (["update", "--timeout", "-1"], 2, ["argument --timeout: '-1'", "> 0"]),
    (["update", "--timeout", "0"], 2, ["--timeout: '0'"]),
    (["update", "--timeout", "nan"], 2, ["--timeout: 'nan'"]),
    (["update", "--timeout", "inf"], 2, ["--timeout: 'inf'"]),
    (["update", "--timeout", "1e9"], 2, ["<= 86400"]),
    (["update", "--timeout", "soon"], 2, ["--timeout: 'soon'"]),
    (["update", "--source", "nasa"], 2, ["invalid choice: 'nasa'"]),
    (["update", "--base-url", "not a url"], 2, ["--base-url: 'not a url'", "https://"]),
    (["update", "--base-url", ""], 2, ["--base-url: ''"]),
    (["update", "--base-url", "ftp://127.0.0.1/"], 2, ["--base-url: 'ftp://127.0.0.1/'"]),
    (["update", "--base-url", "http://127.0.0.1:99999"], 2, ["--base-url"]),
    (["datasets", "--bogus"], 2, ["unrecognized arguments: --bogus"]),
]


def _argv(args: list[str], root: Path) -> list[str]:
    argv = [a.replace("{d}", str(root)) for a in args]
    if argv[0] == "report" and "--out" not in argv:
        argv += ["--out", str(root / "out")]
    return argv


@pytest.mark.parametrize(("args", "status", "words"), HOSTILE, ids=lambda v: repr(v)[:60])
def test_hostile_values_end_in_one_clear_line(capsys, files, args, status, words):
    assert main(_argv(args, files)) == status
    captured = capsys.readouterr()
    line = _error_line(captured.err)
    for word in words:
        assert word in line, line
    assert captured.out == ""
    assert not (files / "out").exists()  # nothing written


#: one of each kind, run as a user does (``python -m aidcalc``, a fresh interpreter)
_VIA_PYTHON_M = [["report", "--to", "XYZ"], ["report", "{d}/two.zip", "--max-ratio", "-3"],
                 ["report", "{d}/empty.csv"], ["report", "{d}/long.zip", "--member", "long.csv"],
                 ["report", "{d}/book.xlsx", "--sheet", "nope"], ["update", "--timeout", "nan"],
                 ["update", "--base-url", "not a url"]]


@pytest.mark.parametrize("argv", _VIA_PYTHON_M, ids=" ".join)
def test_hostile_values_via_python_m(files, argv):
    args, status, words = next(case for case in HOSTILE if case[0] == argv)
    env = {**os.environ, "MPLBACKEND": "Agg"}
    done = subprocess.run([sys.executable, "-m", "aidcalc", *_argv(args, files)],
                          capture_output=True, text=True, timeout=300, env=env, cwd=files)
    assert done.returncode == status, done.stderr
    line = _error_line(done.stderr)
    assert all(word in line for word in words), line


def _flags(parser: argparse.ArgumentParser) -> dict[str, set[str]]:
    """Every option of every subcommand (help, debug and the input excepted)."""
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return {
        name: {s for a in command._actions for s in a.option_strings
               if s not in ("-h", "--help", "--debug")}
        for name, command in sub.choices.items()
    }


def test_every_option_is_tried_with_a_hostile_value():
    tried: dict[str, set[str]] = {}
    for args, _status, _words in HOSTILE:
        tried.setdefault(args[0], set()).update(a for a in args[1:] if a.startswith("--"))
    for command, flags in _flags(_parser()).items():
        assert flags <= tried.get(command, set()), (command, flags - tried.get(command, set()))


def test_a_zip_member_over_the_ratio_limit_is_read_with_max_ratio(capsys, files, tmp_path):
    out = tmp_path / "report"
    code = main([
        "report", str(files / "long.zip"), "--member", "long.csv", "--max-ratio", "5000",
        "--out", str(out),
    ])
    assert code == 0, capsys.readouterr().err
    assert (out / "index.html").is_file()
    table = (out / "pledges.csv").read_text(encoding="utf-8")
    assert "\nJPN,2024-02-19" in table and "x" * 1_200_000 in table  # the genuine note, whole


def test_a_zip_of_several_files_is_read_one_member_at_a_time(capsys, files, tmp_path):
    out = tmp_path / "report"
    assert main(["report", str(files / "two.zip"), "--member", "b.csv", "--group", "all",
                 "--out", str(out)]) == 0
    table = (out / "pledges.csv").read_text(encoding="utf-8")
    assert "\nFRA,2024-02-19" in table and "JPN" not in table


def test_a_workbook_sheet_is_chosen_with_sheet(capsys, files, tmp_path):
    for chosen in ("data", "1"):
        out = tmp_path / f"report-{chosen}"
        assert main(["report", str(files / "book.xlsx"), "--sheet", chosen, "--out",
                     str(out)]) == 0, capsys.readouterr().err
        assert "\nJPN,2024-02-19" in (out / "pledges.csv").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("name", "options", "words"),
    [("pledges.csv", {"sheet_name": "data"}, "only for XLSX workbooks; {} is a CSV table"),
     ("two.zip", {"member": "a.csv", "sheet_name": 0}, "only for XLSX workbooks"),
     ("iati.xml", {"member": "a.xml"}, "member='a.xml' is only for zip archives"),
     ("iati.xml", {"sheet_name": "x"}, "is IATI XML")],
)
def test_readers_refuse_options_for_another_format(files, name, options, words):
    """An option that does not apply to the file is refused, never silently ignored."""
    path = files / name
    if name == "iati.xml":
        fixture = Path(__file__).parent / "fixtures" / "io" / "iati_203_ukraine.xml"
        path.write_bytes(fixture.read_bytes())
    with pytest.raises(aidcalc.ValidationError, match=re.escape(words.format(path))):
        aidcalc.io.read_any(path, **options)


def test_write_failures_name_out_and_the_reason(monkeypatch, capsys, files, tmp_path):
    import tempfile

    def full(*_args, **_kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(tempfile, "mkstemp", full)
    code = main(["report", str(files / "pledges.csv"), "--out", str(tmp_path / "o")])
    assert code == 1
    line = _error_line(capsys.readouterr().err)
    assert f"--out {tmp_path / 'o'}: cannot write" in line
    assert "No space left on device" in line


def test_an_unexpected_failure_of_update_is_one_line(monkeypatch, capsys):
    import aidcalc.io._update as update

    def broken(*_args, **_kwargs):
        raise KeyError("surprise")

    monkeypatch.setattr(update, "update", broken)
    assert main(["update", "--source", "ecb"]) == 1
    line = _error_line(capsys.readouterr().err)
    assert "KeyError" in line and "--debug" in line


def test_an_empty_input_name_is_not_the_current_folder(tmp_path):
    with pytest.raises(aidcalc.InputFileError, match="the input file name is empty"):
        build_report(" ", out=tmp_path / "o")
    assert not (tmp_path / "o").exists()


def test_read_options_need_a_file(tmp_path):
    with pytest.raises(aidcalc.AidcalcError, match="read_options 'member' are for reading a file"):
        build_report(out=tmp_path / "o", read_options={"member": "a.csv"})
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize(
    ("option", "value"),
    [("timeout", -1), ("timeout", float("nan")), ("timeout", float("inf")), ("timeout", 0),
     ("retries", -1), ("retries", 1.5), ("backoff", -1.0), ("min_interval", float("nan")),
     ("base_url", "not a url"), ("base_url", ""), ("base_url", "file:///etc/passwd")],
)
def test_update_refuses_bad_options_before_any_request(option, value):
    with pytest.raises(aidcalc.ValidationError, match=option):
        aidcalc.update("ecb", **{option: value})


_TYPES = [_cli_types.byte_size, _cli_types.ratio, _cli_types.seconds, _cli_types.base_url,
          _cli_types.member_name, _cli_types.sheet]


@settings(max_examples=300, deadline=None)
@given(text=st.one_of(st.text(), st.from_regex(r"-?\d*\.?\d*(e-?\d{1,3})?\s*[kKMGT]?i?B?")),
       index=st.integers(0, len(_TYPES) - 1))
def test_option_values_are_a_checked_value_or_a_usage_error(text, index):
    kind = _TYPES[index]
    try:
        value = kind(text)
    except argparse.ArgumentTypeError as err:
        assert repr(text) in str(err) and "use " in str(err)
        return
    if kind in (_cli_types.byte_size, _cli_types.ratio, _cli_types.seconds):
        assert value > 0 and value != float("inf")
    if kind is _cli_types.byte_size:
        assert isinstance(value, int)


def test_a_closed_pipe_ends_quietly(capsys, monkeypatch):
    # `aidcalc datasets | head -1`: the reader stops early; no error line, no traceback
    from aidcalc._report import _cli
    from aidcalc._report._cli import guarded

    quieted = []
    monkeypatch.setattr(_cli, "_quiet_stdout", lambda: quieted.append(True))

    def run() -> int:
        raise BrokenPipeError(32, "Broken pipe")

    assert guarded(run, debug=False) == 0
    assert capsys.readouterr().err == "" and quieted
