"""``aidcalc report`` reads what the Python readers read: a table in another language
(``--input-locale``, ``--column HEADER=ROLE``, ``--header-row``) and a damaged IATI file
(``--recover``); every reader message names the flag, never a Python keyword."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from aidcalc._report._cli import main
from aidcalc._report._cli_types import READER_FLAGS, reader_flags

GERMAN = (
    "Zusagen der G7 (Stand März 2024)\n"
    "Geber;Datum;Betrag (Mio. EUR);Zweck;Status\n"
    "Japan;07.06.2024;1.250,5;energy;pledged\n"
    "Deutschland;01.02.2024;500;demining;pledged\n"
    "Frankreich;15.03.2024;2.000;humanitarian;committed\n"
)
ROLES = ["--column", "Geber=donor", "--column", "Datum=announced", "--column", "Zweck=category"]


def _run(tmp_path: Path, *args: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(["report", *args, "--out", str(tmp_path / "out")])
    return code, capsys.readouterr().err


def test_a_german_table_is_read_from_the_command_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    table = tmp_path / "zusagen.csv"
    table.write_text(GERMAN, encoding="utf-8")
    code, err = _run(tmp_path, str(table), "--input-locale", "de", *ROLES, capsys=capsys)
    assert code == 0, err
    kept = pd.read_csv(tmp_path / "out" / "pledges.csv")
    assert kept["amount"].tolist() == [1_250_500_000.0, 500_000_000.0, 2_000_000_000.0]
    assert kept["announced"].tolist() == ["2024-06-07", "2024-02-01", "2024-03-15"]


def test_without_the_locale_the_error_names_the_flag(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    table = tmp_path / "zusagen.csv"
    table.write_text(GERMAN, encoding="utf-8")
    code, err = _run(tmp_path, str(table), *ROLES, capsys=capsys)
    assert code == 1 and "--input-locale" in err and "locale=" not in err
    assert not (tmp_path / "out").exists()


def test_the_header_row_flag_finds_a_header_below_a_title(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    table = tmp_path / "t.csv"
    table.write_text("Pledges\nnote\ndonor,announced,amount,currency,category,status\n"
                     "Japan,2024-06-07,5,EUR,energy,pledged\n", encoding="utf-8")  # fmt: skip
    code, err = _run(tmp_path, str(table), "--header-row", "3", capsys=capsys)
    assert code == 0, err


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--column", "amount"], "HEADER=ROLE"),
        (["--column", "=amount"], "HEADER=ROLE"),
        (["--input-locale", "xx-nowhere"], "CLDR locale"),
        (["--header-row", "two"], "a line number"),
        (["--header-row", "0"], "a line number"),
    ],
)
def test_a_bad_flag_value_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], says: str
) -> None:
    table = tmp_path / "t.csv"
    table.write_text("donor,amount\nJapan,5\n", encoding="utf-8")
    code, err = _run(tmp_path, str(table), *args, capsys=capsys)
    assert code == 2 and says in err and err.count("\n") == 1


@pytest.mark.parametrize("flag", ["--column", "--input-locale", "--header-row", "--recover"])
def test_reading_flags_need_an_input(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], flag: str
) -> None:
    value = {"--column": ["a=donor"], "--input-locale": ["de"], "--header-row": ["1"]}
    code, err = _run(tmp_path, flag, *value.get(flag, []), capsys=capsys)
    assert code == 2 and f"{flag} is for reading an INPUT file" in err


def test_a_damaged_iati_file_is_read_with_recover(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    xml = tmp_path / "broken.xml"
    xml.write_text(
        '<iati-activities version="2.03"><iati-activity default-currency="EUR">'
        '<iati-identifier>XM-1</iati-identifier>'
        '<reporting-org ref="DE-1" type="10"><narrative>Germany</narrative></reporting-org>'
        '<title><narrative>Energy & heat</narrative></title>'
        '<recipient-country code="UA"/>'
        '<transaction><transaction-type code="2"/><transaction-date iso-date="2024-03-01"/>'
        '<value value-date="2024-03-01">1000000</value></transaction>'
        "</iati-activity></iati-activities>",
        encoding="utf-8",
    )
    code, err = _run(tmp_path, str(xml), capsys=capsys)
    assert code == 1 and "--recover" in err and "recover=" not in err
    code, err = _run(tmp_path, str(xml), "--recover", "--group", "all", capsys=capsys)
    assert code == 0, err


def test_every_reader_keyword_is_worded_as_its_flag() -> None:
    for keyword, flag in READER_FLAGS.items():
        assert reader_flags(f"pass {keyword}= the right value") == f"pass {flag} the right value"
