"""aidcalc.io.read_table: user tables in CSV/XLSX/Parquet, locale-aware amounts and dates."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

import aidcalc
from aidcalc.io import read_table
from aidcalc.io._table import _parse_dates

DE_MAPPING = {"Land": "donor", "Datum": "announced", "Betrag": "amount", "Währung": "currency"}


@pytest.fixture
def german_csv(tmp_path) -> Path:
    path = tmp_path / "zusagen.csv"
    text = (
        "Land;Datum;Betrag;Währung;Zweck \n"  # trailing space in a header
        "Japan;19.02.2024;1.250.000,50;JPY;Wiederaufbau\n"
        "Deutschland;13.05.2023;5 Mrd. €;;Luftverteidigung\n"
        "Frankreich;31.13.2024;100;EUR;falsches Datum\n"
        "Atlantis;01.01.2024;100;EUR;unbekannter Geber\n"
        "Italien;2024-06-11;2.000;EUR;ISO-Datum\n"
    )
    path.write_bytes("\ufeff".encode() + text.encode("utf-8"))  # with BOM, as Excel saves it
    return path


def test_german_table(german_csv):
    frame, rejected = read_table(german_csv, mapping=DE_MAPPING, locale="de", return_rejected=True)
    assert frame["donor"].tolist() == ["JPN", "DEU", "ITA"]
    assert frame["amount"].tolist() == [1_250_000.5, 5e9, 2000.0]  # "2.000" is 2000 in German
    assert frame["currency"].tolist() == ["JPY", "EUR", "EUR"]  # "€" read from the text
    assert frame["announced"].tolist() == [
        pd.Timestamp("2024-02-19"),
        pd.Timestamp("2023-05-13"),
        pd.Timestamp("2024-06-11"),
    ]
    assert frame["Zweck"].tolist() == ["Wiederaufbau", "Luftverteidigung", "ISO-Datum"]
    # the rejected rows as they are in the file, with the reason
    assert len(frame) + len(rejected) == 5
    assert rejected["Land"].tolist() == ["Frankreich", "Atlantis"]
    assert rejected["Datum"].tolist() == ["31.13.2024", "01.01.2024"]
    assert "impossible date ('31.13.2024')" in rejected["reason"].iloc[0]
    assert "donor" in rejected["reason"].iloc[1] and "Atlantis" in rejected["reason"].iloc[1]


def test_same_text_other_locale_other_meaning(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text('donor,date,amount,currency\nJPN,03/04/2024,"1,250",JPY\n', encoding="utf-8")
    us, _ = read_table(path, locale="en_US", return_rejected=True)
    gb, _ = read_table(path, locale="en_GB", return_rejected=True)
    fr, _ = read_table(path, locale="fr", return_rejected=True)
    assert us["announced"].iloc[0] == pd.Timestamp("2024-03-04")
    assert gb["announced"].iloc[0] == pd.Timestamp("2024-04-03")
    assert fr["announced"].iloc[0] == pd.Timestamp("2024-04-03")
    assert us["amount"].iloc[0] == 1250.0  # grouping comma in English
    assert fr["amount"].iloc[0] == 1.25  # decimal comma in French


def test_ambiguous_dates_are_rejected_not_guessed(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("donor,date,amount,currency\nJPN,03/04/2024,1,JPY\nCAN,2024-01-05,2,CAD\n")
    frame, rejected = read_table(
        path, return_rejected=True
    )  # no locale: the day/month order is not settled
    assert frame["donor"].tolist() == ["CAN"]
    assert "ambiguous day/month order" in rejected["reason"].iloc[0]
    assert "'03/04/2024'" in rejected["reason"].iloc[0]
    # another row that can only be day-first (25/12) does not settle 03/04: never guessed
    path.write_text("donor,date,amount,currency\nJPN,03/04/2024,1,JPY\nCAN,25/12/2023,2,CAD\n")
    frame, rejected = read_table(path, locale="en", return_rejected=True)
    assert frame["announced"].tolist() == [pd.Timestamp("2023-12-25")]
    assert rejected["donor"].tolist() == ["JPN"]
    assert "ambiguous day/month order" in rejected["reason"].iloc[0]
    frame, rejected = read_table(path, locale="en_GB", return_rejected=True)  # a locale settles it
    assert frame["announced"].tolist() == [pd.Timestamp("2024-04-03"), pd.Timestamp("2023-12-25")]


def test_two_digit_years_and_words(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("donor,date,amount,currency\nJPN,19.02.24,1,JPY\nJPN,soon,1,JPY\n")
    frame, rejected = read_table(path, locale="de", return_rejected=True)
    assert len(frame) == 0
    assert "two-digit" in rejected["reason"].iloc[0]
    assert "not a date in a known format" in rejected["reason"].iloc[1]


def test_french_amounts_with_narrow_spaces(tmp_path):
    path = tmp_path / "fr.csv"
    path.write_text(
        "pays;date;montant;devise\nFrance;14/07/2023;1\u202f250\u202f000,5;EUR\n"
        "Japon;01/08/2023;200 millions d'euros;\n",
        encoding="utf-8",
    )
    frame, rejected = read_table(
        path, locale="fr", mapping={"pays": "donor", "montant": "amount", "devise": "currency"}
    , return_rejected=True)
    assert frame["donor"].tolist() == ["FRA", "JPN"]
    assert frame["amount"].tolist() == [1_250_000.5, 2e8]
    assert frame["currency"].tolist() == ["EUR", "EUR"]
    assert frame["announced"].tolist() == [pd.Timestamp("2023-07-14"), pd.Timestamp("2023-08-01")]
    assert len(rejected) == 0


def test_xlsx_sheet_and_parquet(tmp_path):
    from openpyxl import Workbook

    book = Workbook()
    book.active.title = "notes"
    ws = book.create_sheet("pledges")
    ws.append(["Donor", "Date", "Value", "Currency"])
    ws.append(["Japan", dt.datetime(2024, 2, 19), 15.8e9, "JPY"])
    ws.append(["Canada", "2024-02-24", "3,020,000,000", "CAD"])
    path = tmp_path / "p.xlsx"
    book.save(path)
    frame, rejected = read_table(path, sheet_name="pledges", locale="en", return_rejected=True)
    assert frame["donor"].tolist() == ["JPN", "CAN"]
    assert frame["amount"].tolist() == [15.8e9, 3.02e9]
    assert frame["announced"].tolist() == [pd.Timestamp("2024-02-19"), pd.Timestamp("2024-02-24")]
    assert len(rejected) == 0
    same, _ = read_table(path, sheet_name=1, locale="en", return_rejected=True)
    pd.testing.assert_frame_equal(same, frame)
    with pytest.raises(
        aidcalc.InputFileError, match=r"no sheet 'Tabelle1'.*\['notes', 'pledges'\]"
    ):
        read_table(path, sheet_name="Tabelle1", return_rejected=True)

    parquet = tmp_path / "p.parquet"
    pd.DataFrame(
        {
            "donor": ["USA"],
            "announced": [pd.Timestamp("2024-04-24")],
            "amount": [6.1e10],
            "currency": ["USD"],
        }
    ).to_parquet(parquet)
    frame, _ = read_table(parquet, return_rejected=True)
    assert frame[["donor", "amount"]].values.tolist() == [["USA", 6.1e10]]


def test_errors(tmp_path, german_csv):
    with pytest.raises(aidcalc.InputFileError, match="no such file"):
        read_table(tmp_path / "none.csv", return_rejected=True)
    with pytest.raises(aidcalc.InputFileError, match=r"not in the file: \['Country'\]"):
        read_table(german_csv, mapping={"Country": "donor"}, return_rejected=True)
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"PK\x03\x04 this is not a workbook")
    with pytest.raises(aidcalc.InputFileError) as info:
        read_table(broken, return_rejected=True)
    assert "\n" not in str(info.value)
    parquet = tmp_path / "bad.parquet"
    parquet.write_bytes(b"PAR1 truncated")
    with pytest.raises(aidcalc.InputFileError, match="unreadable parquet"):
        read_table(parquet, return_rejected=True)
    nodonor = tmp_path / "nodonor.csv"
    nodonor.write_text("x,y\n1,2\n")
    with pytest.raises(aidcalc.InputFileError, match="no column for"):
        read_table(nodonor, return_rejected=True)


@given(
    day=st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2035, 12, 31)),
    style=st.sampled_from(
        [
            ("de", "%d.%m.%Y"),
            ("fr", "%d/%m/%Y"),
            ("it", "%d/%m/%Y"),
            ("en_GB", "%d/%m/%Y"),
            ("en_US", "%m/%d/%Y"),
            (None, "%Y-%m-%d"),
        ]
    ),
)
def test_dates_round_trip_in_their_locale(day, style):
    locale, fmt = style
    parsed, reasons = _parse_dates(pd.Series([day.strftime(fmt)]), locale)
    assert reasons.iloc[0] == ""
    assert parsed.iloc[0] == pd.Timestamp(day)
