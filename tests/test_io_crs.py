"""aidcalc.io.read_crs: OECD CRS bulk files, USD millions to units, streaming, layouts."""

from __future__ import annotations

import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import aidcalc
from aidcalc.io import _crs_text as _io_crs_text
from aidcalc.io import read_crs
from aidcalc.io._crs import iter_crs

FIXTURES = Path(__file__).parent / "fixtures" / "io"
SAMPLE = FIXTURES / "crs_2023_ukraine_sample.txt"  # pipe-separated, BOM, CRLF, like the OECD's


@pytest.fixture(scope="module")
def sample():
    return read_crs(SAMPLE, return_rejected=True)


def test_millions_become_units(sample):
    frame, _ = sample
    # USD_Disbursement in the file: 3.25, 0.75, 1500, 180.5, 0.05 (USD millions)
    assert frame["amount"].tolist() == [
        3_250_000.0,
        750_000.0,
        1_500_000_000.0,
        180_500_000.0,
        50_000.0,
    ]
    assert frame["usd_commitment"].iloc[0] == 12_500_000.0
    assert np.isnan(frame["usd_commitment"].iloc[1])  # empty cell stays empty, not 0
    assert frame["usd_disbursement_defl"].iloc[1] == 730_000.0  # " 0.73": leading space
    assert frame["commitment_national"].iloc[0] == 1_650_000_000.0
    assert (frame["currency"] == "USD").all() and (frame["status"] == "disbursed").all()
    assert frame.attrs["units"] == "USD (CRS millions x 1,000,000)"


def test_codes_categories_and_order(sample):
    frame, rejected = sample
    assert frame["year"].tolist() == [2022, 2022, 2023, 2023, 2023]  # BOM did not eat "Year"
    assert frame["donor"].tolist()[:3] == ["JPN", "DEU", "EUI"]  # "Germany " trimmed
    assert pd.isna(frame["donor"].iloc[3]) and frame["donor"].iloc[4] == "CAN"
    assert (frame["recipient"] == "UKR").all()
    assert frame["category"].tolist() == [
        "demining",
        "energy",
        "budget_support",
        "other",
        "humanitarian",
    ]
    assert frame["purpose_code"].tolist()[0] == "15250"
    # the multilateral without a code is reported, and kept
    row = rejected.iloc[0]
    assert row["value"] == "International Development Association" and row["kept"]
    assert "description" not in frame.columns  # LongDescription only on request


def test_commitment_date_is_the_only_announced_date(sample):
    frame, _ = sample
    assert list(frame.columns[:6]) == [
        "donor",
        "donor_name",
        "recipient",
        "year",
        "announced",
        "amount",
    ]
    assert frame["announced"].tolist()[:3] == [
        pd.Timestamp("2022-03-15"),
        pd.NaT,
        pd.Timestamp("2023-06-30"),
    ]
    without, _ = read_crs(
        SAMPLE, columns=["Year", "DonorName", "USD_Disbursement"], return_rejected=True
    )
    assert "announced" not in without.columns  # a year is not a day: no date is invented


def test_commitment_as_amount():
    frame, rejected = read_crs(SAMPLE, amount="commitment", return_rejected=True)
    assert (frame["status"] == "committed").all()
    assert np.isnan(frame["amount"].iloc[1]) and pd.isna(frame["currency"].iloc[1])
    assert frame["amount"].iloc[2] == 1.5e9
    assert rejected["reason"].str.contains("1 rows have no USD commitment").any()
    with pytest.raises(ValueError, match="commitment"):
        read_crs(SAMPLE, amount="received", return_rejected=True)


def test_only_requested_columns(sample):
    frame, _ = read_crs(
        SAMPLE, columns=["year", "DonorName", "USD_Disbursement", "LongDescription"]
    , return_rejected=True)
    assert list(frame.columns) == [
        "donor",
        "donor_name",
        "year",
        "amount",
        "currency",
        "status",
        "usd_disbursement",
        "description",
    ]
    assert frame["description"].iloc[3] == "Відбудова: salaries of civil servants"
    with pytest.raises(aidcalc.InputFileError, match=r"\['Sector'\] are not in the file"):
        read_crs(SAMPLE, columns=["Year", "Sector"], return_rejected=True)


def test_zipped_and_comma_separated_give_the_same_frame(tmp_path, sample):
    zipped = tmp_path / "CRS 2023 data.zip"
    with zipfile.ZipFile(zipped, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("readme.md", "CRS sample")
        zf.write(SAMPLE, "CRS 2023 data.txt")
    commas = tmp_path / "crs.csv"
    pd.read_csv(SAMPLE, sep="|", dtype=str, encoding="utf-8-sig", keep_default_na=False).to_csv(
        commas, index=False
    )  # quotes the descriptions that contain commas
    expected = sample.frame.drop(columns=[])
    for path in (zipped, commas):
        got, _ = read_crs(path, return_rejected=True)
        pd.testing.assert_frame_equal(got, expected, check_dtype=False)


def test_chunks_and_engines_agree(tmp_path, monkeypatch):
    rng = np.random.default_rng(7)
    n = 5000
    table = pd.DataFrame(
        {
            "Year": rng.integers(2010, 2024, n),
            "DonorName": rng.choice(["Japan", "France", "Canada"], n),
            "PurposeCode": rng.choice([15250, 23630, 72010, 99810], n),
            "USD_Disbursement": np.round(rng.gamma(0.5, 2.0, n), 6),
            "LongDescription": rng.choice(["a | b", "power grid, repairs", "", "two\nlines"], n),
        }
    )
    path = tmp_path / "crs.txt"
    table.to_csv(path, sep="|", index=False)
    whole, _ = read_crs(
        path, chunksize=1_000_000, columns=list(table.columns), return_rejected=True
    )
    assert len(whole) == n  # quoted newlines did not split rows
    assert (whole["description"].fillna("") == table["LongDescription"]).all()
    chunks = list(iter_crs(path, chunksize=200, columns=list(table.columns)))
    assert len(chunks) > 2  # really streamed in pieces
    parts, _ = read_crs(path, chunksize=200, columns=list(table.columns), return_rejected=True)
    pd.testing.assert_frame_equal(parts, whole)
    assert parts["amount"].sum() == pytest.approx(table["USD_Disbursement"].sum() * 1e6)
    monkeypatch.setattr(_io_crs_text, "has_arrow", lambda: False)  # pandas' own parser
    plain, _ = read_crs(path, chunksize=300, columns=list(table.columns), return_rejected=True)
    pd.testing.assert_frame_equal(plain, whole, check_dtype=False)


def test_bytes_that_are_not_utf8_do_not_stop_the_read(tmp_path):
    path = tmp_path / "crs.txt"
    path.write_bytes(
        b"Year|DonorName|PurposeCode|USD_Disbursement\n2022|Japan|15250|1.5\n"
        b"2022|C\xf4te d'Ivoire|72010|2\n"  # latin-1 byte in a UTF-8 file
    )
    frame, _ = read_crs(path, return_rejected=True)
    assert frame["amount"].tolist() == [1_500_000.0, 2_000_000.0]
    assert frame["donor_name"].iloc[1] == "Côte d'Ivoire"  # read as Windows-1252


def test_progress_only_when_asked_or_on_a_terminal(capsys):
    read_crs(SAMPLE, return_rejected=True)  # pytest's stderr is not a terminal: silent
    assert capsys.readouterr().err == ""
    read_crs(SAMPLE, progress=True, return_rejected=True)
    err = capsys.readouterr().err
    assert "100%" in err and "5 rows" in err and SAMPLE.name in err


def test_errors(tmp_path):
    with pytest.raises(aidcalc.InputFileError, match="no such file"):
        read_crs(tmp_path / "nope.txt", return_rejected=True)
    other = tmp_path / "pledges.csv"
    other.write_text("donor,amount\nJPN,1\n", encoding="utf-8")
    with pytest.raises(aidcalc.InputFileError, match="not an OECD CRS file"):
        read_crs(other, return_rejected=True)
    ragged = tmp_path / "ragged.txt"
    ragged.write_text("Year|DonorName|PurposeCode|USD_Disbursement\n2022|Japan|15250|1|9|9\n")
    with pytest.raises(aidcalc.InputFileError, match="unreadable CRS data") as info:
        read_crs(ragged, return_rejected=True)
    assert "\n" not in str(info.value)
