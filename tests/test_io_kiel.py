"""aidcalc.io.read_kiel: the Kiel tracker workbook and the processed CSV (Norwegian headers)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

import aidcalc
from aidcalc.io import read_kiel

FIXTURES = Path(__file__).parent / "fixtures" / "io"
SHEET = "Bilateral Assistance, MAIN DATA"
HEADER = [
    "ID",
    "donor",
    "announcement_date",
    "aid_type_general",
    "aid_type_specific",
    "measure",
    "reporting_currency",
    "source_reported_value",
    "tot_sub_activity_value_EUR",
    "tot_sub_activity_value_EUR_redistr",
    "tot_value_deliv_EUR",
    "tot_activity_value_EUR",
    "item",
    "item_type",
    "item_numb_deliv",
    "explanation",
    "Source of Aid 1",
]
ROWS = [
    [
        1,
        "Japan",
        dt.datetime(2024, 2, 19),
        "Financial ",
        "Loan",
        "Commitment",
        "JPY",
        550_000_000_000,
        3_400_000_000.0,
        3_400_000_000.0,
        1_000_000_000.0,
        3_400_000_000.0,
        None,
        None,
        None,
        "Reconstruction loan announced at the Tokyo conference",
        "https://www.mofa.go.jp/x",
    ],
    [
        2,
        "Germany",
        dt.datetime(2023, 5, 13),
        "Military  ",
        "Weapons and equipment",
        "Allocation",
        "EUR",
        2_700_000_000,
        2_700_000_000.0,
        2_700_000_000.0,
        "n.a.",
        2_700_000_000.0,
        "IRIS-T SLM",
        "Air defence",
        4,
        "Package announced in Berlin",
        "https://www.bundesregierung.de/x",
    ],
    [
        3,
        "United States",
        None,
        "Humanitarian",
        "Food aid",
        "Allocation",
        "USD",
        100_000_000,
        92_000_000.0,
        92_000_000.0,
        92_000_000.0,
        92_000_000.0,
        None,
        None,
        None,
        "Undated tranche",
        "https://www.usaid.gov/x",
    ],
    [
        4,
        "EU (Commission and Council)",
        "2024-03-14",
        "Financial",
        "Grant",
        "Commitment",
        "EUR",
        50_000_000_000,
        50_000_000_000.0,
        0.0,
        0.0,
        50_000_000_000.0,
        None,
        None,
        None,
        "Ukraine Facility",
        "https://commission.europa.eu/x",
    ],
]


@pytest.fixture(scope="module")
def workbook(tmp_path_factory) -> Path:
    """A workbook in Kiel's layout: merged title rows above the header, a second sheet."""
    from openpyxl import Workbook

    book = Workbook()
    summary = book.active
    summary.title = "Country Summary (€)"
    summary["A1"] = "not this sheet"
    ws = book.create_sheet(SHEET)
    ws["A1"] = "Ukraine Support Tracker - Bilateral Assistance, MAIN DATA (Release 28)"
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(HEADER))
    ws["A2"] = "All values in EUR unless stated; see the methodology paper"
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=8)
    ws.append([])  # row 3 blank
    ws.append(HEADER)
    for row in ROWS:
        ws.append(row)
    ws.append([None] * len(HEADER))  # trailing blank row, as spreadsheets have
    path = tmp_path_factory.mktemp("kiel") / "UkraineSupportTracker.xlsx"
    book.save(path)
    return path


def test_workbook_rows_and_kiel_values_kept(workbook):
    frame, rejected = read_kiel(workbook, return_rejected=True)
    assert len(frame) == 4  # 4 sub-activities in, 4 rows out, same order
    assert frame["donor"].tolist() == ["JPN", "DEU", "USA", "EUI"]
    assert frame["donor_name"].tolist()[3] == "EU (Commission and Council)"
    assert frame["amount"].tolist() == [3.4e9, 2.7e9, 9.2e7, 5.0e10]
    assert (frame["currency"] == "EUR").all()
    assert frame["amount_redistr"].tolist() == [3.4e9, 2.7e9, 9.2e7, 0.0]
    # the figure as the source reported it, to re-normalise with aidcalc
    assert frame["reported_currency"].tolist() == ["JPY", "EUR", "USD", "EUR"]
    assert frame["reported_amount"].tolist() == [5.5e11, 2.7e9, 1.0e8, 5.0e10]
    assert frame["aid_type"].tolist() == ["Financial", "Military", "Humanitarian", "Financial"]
    assert frame["category"].tolist() == [
        "budget_support",
        "military",
        "humanitarian",
        "budget_support",
    ]
    assert frame["status"].tolist() == ["committed", "allocated", "allocated", "committed"]
    assert frame["announced"].tolist()[:2] == [
        pd.Timestamp("2024-02-19"),
        pd.Timestamp("2023-05-13"),
    ]
    assert pd.isna(frame["announced"].iloc[2])
    assert frame["announced"].iloc[3] == pd.Timestamp("2024-03-14")  # a date typed as text
    assert frame["item"].iloc[1] == "IRIS-T SLM" and frame["items_delivered"].iloc[1] == 4
    assert frame["source_of_aid"].iloc[0] == "https://www.mofa.go.jp/x"
    assert "ID" in frame.columns  # unmapped columns are carried through
    # "n.a." in the delivered column: kept as NaN and reported with the row and value
    assert pd.isna(frame["delivered_amount"].iloc[1])
    row = rejected.iloc[0]
    # sheet rows: title 1, note 2, blank 3, header 4, Japan 5, Germany 6
    assert (row["row"], row["column"], row["value"]) == (6, "delivered_amount", "n.a.")
    assert row["kept"] and len(rejected) == 1


def test_workbook_missing_sheet_names_the_sheets(workbook):
    with pytest.raises(aidcalc.InputFileError) as info:
        read_kiel(workbook, sheet_name="Main", return_rejected=True)
    assert "no sheet 'Main'" in str(info.value) and "Country Summary (€)" in str(info.value)


def test_workbook_without_kiel_header(workbook):
    with pytest.raises(aidcalc.InputFileError, match="no Kiel header row"):
        read_kiel(workbook, sheet_name="Country Summary (€)", return_rejected=True)


def test_unreadable_workbook(tmp_path):
    import zipfile

    broken = tmp_path / "broken.xlsx"
    with zipfile.ZipFile(broken, "w") as zf:  # a zip that claims to be a workbook
        zf.writestr("xl/workbook.xml", "<workbook><garbage")
    with pytest.raises(aidcalc.InputFileError, match="unreadable spreadsheet"):
        read_kiel(broken, return_rejected=True)


def test_processed_csv_fixture():
    frame, rejected = read_kiel(FIXTURES / "kiel_processed_sample.csv", return_rejected=True)
    assert len(frame) == 7 and len(rejected) == 0
    assert frame["donor"].tolist() == ["JPN", "JPN", "DEU", "DEU", "EUI", "EIB", "USA"]
    assert frame["aid_type"].iloc[1] == "Financial"  # "Financial " stripped
    assert frame["amount"].sum() == pytest.approx(
        92e6 + 4.4e9 + 2.7e9 + 15e6 + 50e9 + 668e6 + 2850000000.5, rel=0, abs=1e-3
    )
    assert pd.isna(frame["announced"].iloc[3])  # undated row kept
    assert frame["verdi_eur_mrd"].iloc[0] == 0.092  # unmapped numbers come back as numbers


def test_wrong_layout_and_missing_file(tmp_path):
    other = tmp_path / "other.csv"
    other.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(aidcalc.InputFileError, match="not the Kiel tracker layout"):
        read_kiel(other, return_rejected=True)
    with pytest.raises(aidcalc.InputFileError, match="no such file"):
        read_kiel(tmp_path / "missing.xlsx", return_rejected=True)


def test_unknown_donor_and_bad_values_reported_with_lines(tmp_path):
    path = tmp_path / "kiel.csv"
    path.write_text(
        "giver,dato,kategori,maal,verdi_eur\n"
        "Japan,2024-01-01,Military,Allocation,5\n"
        "Atlantis,2024-01-02,Military,Allocation,6\n"
        "Japan,2024-13-01,Military,Pledge,seven\n",
        encoding="utf-8",
    )
    frame, rejected = read_kiel(path, return_rejected=True)
    assert len(frame) == 3  # nothing dropped
    assert pd.isna(frame["donor"].iloc[1]) and frame["donor_name"].iloc[1] == "Atlantis"
    assert pd.isna(frame["amount"].iloc[2]) and pd.isna(frame["announced"].iloc[2])
    assert pd.isna(frame["status"].iloc[2])
    got = {(r.column, str(r.row)) for r in rejected.itertuples()}
    assert got == {
        ("amount", "4"),
        ("announced", "4"),
        ("measure", "4"),
        ("donor_name", "1 row (line 3)"),
    }
    assert rejected["kept"].all()


def test_mapping_for_a_renamed_column(tmp_path):
    path = tmp_path / "kiel_renamed.csv"
    path.write_text(
        "giver,dato,kategori,maal,verdi_eur,note_x\nJapan,2024-01-01,Military,Allocation,5,a\n",
        encoding="utf-8",
    )
    frame, _ = read_kiel(path, mapping={"note_x": "description"}, return_rejected=True)
    assert frame["description"].tolist() == ["a"]


@pytest.mark.reference
def test_real_release_28_csv(reference):
    path = reference / "kiel" / "kiel_r28_bilateral_activities.csv"
    raw = pd.read_csv(path)  # independent read of the same file
    frame, rejected = read_kiel(path, return_rejected=True)
    assert len(frame) == len(raw) == 5565
    assert len(rejected) == 0
    assert frame["amount"].sum() == pytest.approx(raw["verdi_eur"].sum(), rel=1e-12)
    assert frame["amount_redistr"].sum() == pytest.approx(raw["verdi_eur_redistr"].sum(), rel=1e-12)
    assert (frame["amount"].to_numpy() == raw["verdi_eur"].to_numpy()).all()  # same order
    assert frame["donor"].notna().all()  # all 44 Kiel donor names have a code
    assert frame["status"].value_counts().to_dict() == {"allocated": 5282, "committed": 283}
    assert frame["announced"].isna().sum() == raw["dato"].isna().sum() == 284
    by_type = frame.groupby("aid_type")["amount"].sum()
    assert by_type.sum() == pytest.approx(raw["verdi_eur"].sum())
    assert set(by_type.index) == {"Financial", "Humanitarian", "Military"}
