"""aidcalc.io.read_any: the format is detected from the content, not the file name."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import pandas as pd
import pytest

import aidcalc
from aidcalc.io import read_any
from aidcalc.io._sniff import sniff

FIXTURES = Path(__file__).parent / "fixtures" / "io"


@pytest.fixture
def disguised(tmp_path):
    """Every fixture copied under a misleading name."""

    def copy(name: str, as_name: str) -> Path:
        target = tmp_path / as_name
        shutil.copy(FIXTURES / name, target)
        return target

    return copy


def test_iati_named_txt(disguised):
    path = disguised("iati_203_ukraine.xml", "activities.txt")
    assert sniff(path) == "iati"
    frame, _ = read_any(path, return_rejected=True)
    assert frame.attrs["format"] == "IATI activity XML" and len(frame) == 6


def test_iati_recover_passed_through(disguised):
    path = disguised("iati_broken.xml", "broken.dat")
    with pytest.raises(aidcalc.InputFileError, match="not well-formed"):
        read_any(path, return_rejected=True)
    frame, rejected = read_any(path, recover=True, return_rejected=True)
    assert len(frame) == 2 and len(rejected) > 0


def test_crs_named_csv_and_zipped(disguised, tmp_path):
    path = disguised("crs_2023_ukraine_sample.txt", "export.csv")
    assert sniff(path) == "crs"
    frame, _ = read_any(path, return_rejected=True)
    assert frame.attrs["format"] == "OECD CRS" and frame["amount"].iloc[0] == 3_250_000.0
    zipped = tmp_path / "download"  # no extension at all
    with zipfile.ZipFile(zipped, "w") as zf:
        zf.write(FIXTURES / "crs_2023_ukraine_sample.txt", "CRS 2023 data.txt")
    assert sniff(zipped) == "crs"
    assert (
        read_any(zipped, return_rejected=True).frame["amount"].tolist() == frame["amount"].tolist()
    )


def test_kiel_csv_and_workbook(disguised, tmp_path):
    path = disguised("kiel_processed_sample.csv", "tracker.txt")
    assert sniff(path) == "kiel_csv"
    frame, _ = read_any(path, return_rejected=True)
    assert frame.attrs["format"].startswith("Kiel") and len(frame) == 7

    from openpyxl import Workbook

    book = Workbook()
    ws = book.active
    ws.title = "Bilateral Assistance, MAIN DATA"
    ws.append(
        ["donor", "announcement_date", "aid_type_general", "measure", "tot_sub_activity_value_EUR"]
    )
    ws.append(["Japan", "2024-02-19", "Financial", "Commitment", 1e9])
    xlsx = tmp_path / "kiel.bin"
    book.save(xlsx)
    assert sniff(xlsx) == "kiel_xlsx"
    assert read_any(xlsx, return_rejected=True).frame["donor"].tolist() == ["JPN"]


def test_plain_tables(tmp_path):
    csv = tmp_path / "mine.dat"
    csv.write_text("donor;date;amount;currency\nJapan;2024-02-19;15.8e9;JPY\n", encoding="utf-8")
    assert sniff(csv) == "csv"
    frame, _ = read_any(csv, return_rejected=True)
    assert frame["donor"].tolist() == ["JPN"] and frame.attrs["format"] == "CSV table"
    parquet = tmp_path / "mine.csv"  # parquet bytes under a .csv name
    pd.DataFrame({"donor": ["USA"], "amount": [1.0], "currency": ["USD"]}).to_parquet(parquet)
    assert sniff(parquet) == "parquet"
    assert read_any(parquet, return_rejected=True).frame["donor"].tolist() == ["USA"]
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["Donor", "Value", "Currency"])
    book.active.append(["Canada", 5, "CAD"])
    xlsx = tmp_path / "mine.csv.xlsx.tmp"
    book.save(xlsx)
    assert sniff(xlsx) == "xlsx"
    assert read_any(xlsx, locale="en", return_rejected=True).frame["donor"].tolist() == ["CAN"]


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"<?xml version='1.0'?><svg/>", "XML that is not IATI"),
        (b"\x00\x01\x02binary", "binary file"),
    ],
)
def test_unsupported_content(tmp_path, content, reason):
    path = tmp_path / "x.csv"
    path.write_bytes(content)
    with pytest.raises(aidcalc.InputFileError, match=reason):
        read_any(path, return_rejected=True)


def test_empty_zip_and_missing(tmp_path):
    path = tmp_path / "empty.zip"
    with zipfile.ZipFile(path, "w"):
        pass
    with pytest.raises(aidcalc.InputFileError, match="zip archive without"):
        read_any(path, return_rejected=True)
    with pytest.raises(aidcalc.InputFileError, match="no such file"):
        read_any(tmp_path / "missing.csv", return_rejected=True)
    with pytest.raises(aidcalc.InputFileError, match="is a folder"):
        read_any(tmp_path, return_rejected=True)


def test_macro_loaders_are_reexported():
    import aidcalc.io as io

    assert "read_wdi" in io.__all__ and "read_dac_deflators" in io.__all__
    try:
        from aidcalc.io import _macro_loaders
    except ModuleNotFoundError:
        pytest.skip("aidcalc.io._macro_loaders not written yet")
    assert io.read_wdi is _macro_loaders.read_wdi
    assert io.read_dac_deflators is _macro_loaders.read_dac_deflators
