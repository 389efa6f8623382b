"""read_crs on OECD Data Explorer SDMX-CSV exports (aidcalc/io/_crs_sdmx.py): the money rules."""

from __future__ import annotations

import csv
import io
import math
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import aidcalc
from aidcalc.io import iter_crs, read_any, read_crs

#: The DSD_CRS@DF_CRS columns in the Data Explorer's order: (code column, its label column).
COLUMNS = [
    ("STRUCTURE", None),
    ("STRUCTURE_ID", None),
    ("STRUCTURE_NAME", None),
    ("ACTION", None),
    ("DONOR", "Donor"),
    ("RECIPIENT", "Recipient"),
    ("SECTOR", "Sector"),
    ("MEASURE", "Measure"),
    ("CHANNEL", "Channel"),
    ("MODALITY", "Modality"),
    ("FLOW_TYPE", "Flow type"),
    ("PRICE_BASE", "Price base"),
    ("MD_DIM", "Drilldown dimension"),
    ("MD_ID", "Microdata ID"),
    ("UNIT_MEASURE", "Unit of measure"),
    ("TIME_PERIOD", "Time period"),
    ("OBS_VALUE", "Observation value"),
    ("BASE_PER", "Base period"),
    ("UNIT_MULT", "Unit multiplier"),
    ("OBS_STATUS", "Observation status"),
    ("DECIMALS", "Decimals"),
]
DEFAULT = {
    "STRUCTURE": "DATAFLOW",
    "STRUCTURE_ID": "OECD.DCD.FSD:DSD_CRS@DF_CRS(1.6)",
    "STRUCTURE_NAME": "Creditor Reporting System (flows)",
    "ACTION": "I",
    "DONOR": "FRA",
    "RECIPIENT": "UKR",
    "SECTOR": "15250",
    "MEASURE": "100",
    "CHANNEL": "_T",
    "MODALITY": "_T",
    "FLOW_TYPE": "D",
    "PRICE_BASE": "V",
    "MD_DIM": "_Z",
    "MD_ID": "_Z",
    "UNIT_MEASURE": "USD",
    "TIME_PERIOD": "2022",
    "OBS_VALUE": "1.5",
    "BASE_PER": "",
    "UNIT_MULT": "6",
    "OBS_STATUS": "A",
    "DECIMALS": "2",
}
LABELS = {"FRA": "France", "UKR": "Ukraine", "4EU001": "EU Institutions", "DAC": "DAC countries"}


def write(path: Path, rows: list[dict[str, str]], *, labels: bool = True, drop=()) -> Path:
    """An SDMX-CSV export: "csvfilewithlabels" (``labels``) or "csvfile" (codes only)."""
    header: list[str] = []
    for code, label in COLUMNS:
        if code in drop:
            continue
        header.append(code)
        if labels and label:
            header.append(label)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    for given_row in rows:
        row = {**DEFAULT, **given_row}
        cells = []
        for code, label in COLUMNS:
            if code in drop:
                continue
            cells.append(row[code])
            if labels and label:
                cells.append(LABELS.get(row[code], f"label of {row[code]}"))
        writer.writerow(cells)
    path.write_text(out.getvalue(), encoding="utf-8-sig")
    return path


def left_out(report: pd.DataFrame) -> pd.DataFrame:
    return report[report["kind"] == "left out"]


@pytest.mark.parametrize("labels", [True, False])
def test_both_variants_give_one_frame(tmp_path, labels):
    rows = [{}, {"DONOR": "4EU001", "SECTOR": "23630", "OBS_VALUE": "2.25"}]
    frame = read_crs(write(tmp_path / "crs.csv", rows, labels=labels))
    assert frame[["donor", "recipient", "year", "amount", "currency", "status"]].to_numpy(
        dtype=object
    ).tolist() == [
        ["FRA", "UKR", 2022, 1_500_000.0, "USD", "disbursed"],
        ["EUI", "UKR", 2022, 2_250_000.0, "USD", "disbursed"],
    ]
    assert frame["category"].tolist() == ["demining", "energy"]
    assert frame["purpose_code"].tolist() == ["15250", "23630"]
    assert frame.attrs["format"] == "OECD SDMX-CSV (OECD.DCD.FSD:DSD_CRS@DF_CRS(1.6))"
    assert ("donor_name" in frame.columns) is labels


@pytest.mark.parametrize(("mult", "amount"), [("0", 7.5), ("3", 7_500.0), ("6", 7_500_000.0)])
def test_amount_is_obs_value_times_ten_to_unit_mult(tmp_path, mult, amount):
    frame = read_crs(write(tmp_path / "crs.csv", [{"OBS_VALUE": "7.5", "UNIT_MULT": mult}]))
    assert frame["amount"].tolist() == [amount]
    assert frame["unit_mult"].tolist() == [int(mult)]


@pytest.mark.parametrize("mult", ["", "six", "6.5", "99", "-16", "1e3"])
def test_a_multiplier_that_cannot_be_read_leaves_its_row_out(tmp_path, mult):
    path = write(tmp_path / "crs.csv", [{"UNIT_MULT": mult}, {"OBS_VALUE": "2"}])
    frame, report = read_crs(path, return_rejected=True)
    assert frame["amount"].tolist() == [2_000_000.0]  # the other row, never guessed
    out = left_out(report)
    assert out["row"].tolist() == [2] and out["column"].tolist() == ["UNIT_MULT"]


def test_no_unit_mult_column_is_refused(tmp_path):
    path = write(tmp_path / "crs.csv", [{}], drop=("UNIT_MULT",))
    with pytest.raises(aidcalc.InputFileError, match=r"UNIT_MULT.*millions"):
        read_crs(path)


def test_amount_chooses_the_flow_type_rows(tmp_path):
    rows = [{"FLOW_TYPE": "D", "OBS_VALUE": "1"}, {"FLOW_TYPE": "C", "OBS_VALUE": "4"}]
    path = write(tmp_path / "crs.csv", [*rows, {"FLOW_TYPE": "GE", "OBS_VALUE": "9"}])
    d, d_report = read_crs(path, return_rejected=True)
    c, c_report = read_crs(path, amount="commitment", return_rejected=True)
    assert d["amount"].tolist() == [1e6] and d["status"].tolist() == ["disbursed"]
    assert c["amount"].tolist() == [4e6] and c["status"].tolist() == ["committed"]
    assert left_out(d_report)["row"].tolist() == [3, 4]
    assert "amount='commitment'" in left_out(d_report)["reason"].iloc[0]
    assert "neither" in left_out(c_report)["reason"].iloc[-1]


def test_constant_prices_are_flagged_and_never_added_to_current(tmp_path):
    rows = [{}, {"PRICE_BASE": "Q", "BASE_PER": "2022", "OBS_VALUE": "3"}]
    frame, report = read_crs(write(tmp_path / "crs.csv", rows), return_rejected=True)
    assert frame["price_base"].tolist() == ["current USD", "constant 2022 USD"]
    notes = report[report["kind"] == "note"]["reason"].str.cat(sep=" ")
    assert "never normalise" in notes and "current and constant" in notes
    with pytest.raises(aidcalc.AidcalcError, match="price bases"):
        aidcalc.aggregate(frame, by="donor", value="amount")
    by_base = aidcalc.aggregate(frame, by=("donor", "price_base"), value="amount")
    assert sorted(by_base["amount"].tolist()) == [1_500_000.0, 3_000_000.0]


def test_totals_are_marked_and_aggregate_never_adds_them(tmp_path):
    rows = [
        {"CHANNEL": "11000", "OBS_VALUE": "1"},
        {"CHANNEL": "12000", "OBS_VALUE": "2"},
        {"CHANNEL": "_T", "OBS_VALUE": "3"},  # the sum of the two rows above
        {"DONOR": "DAC", "OBS_VALUE": "3", "CHANNEL": "11000"},
        {"DONOR": "1UN0", "OBS_VALUE": "3", "CHANNEL": "11000"},
        {"SECTOR": "152", "OBS_VALUE": "3", "CHANNEL": "11000"},
        {"RECIPIENT": "ALLR", "OBS_VALUE": "3", "CHANNEL": "11000"},
    ]
    frame = read_crs(write(tmp_path / "crs.csv", rows))
    assert frame["kind"].tolist() == ["pledge"] * 2 + ["total_to_date"] * 5
    assert frame["total_of"].tolist()[2:] == ["CHANNEL", "DONOR", "DONOR", "SECTOR", "RECIPIENT"]
    with pytest.raises(aidcalc.AidcalcError, match="kinds"):
        aidcalc.aggregate(frame, by="recipient", value="amount")
    new = frame[frame["kind"] == "pledge"]
    assert aidcalc.aggregate(new, by="recipient", value="amount")["amount"].tolist() == [3e6]


def test_a_total_code_without_other_codes_counts_nothing_twice(tmp_path):
    frame = read_crs(write(tmp_path / "crs.csv", [{}, {"SECTOR": "23630"}]))  # CHANNEL _T only
    assert frame["kind"].tolist() == ["pledge", "pledge"]


def test_currency_from_unit_measure(tmp_path):
    rows = [{"UNIT_MEASURE": "EUR"}, {"UNIT_MEASURE": "XDC"}, {"UNIT_MEASURE": "PT_B1GQ"}]
    frame, report = read_crs(write(tmp_path / "crs.csv", rows), return_rejected=True)
    assert frame["currency"].tolist() == ["EUR"]
    reasons = left_out(report)["reason"].tolist()
    assert "XDC" in reasons[0] and "not an ISO 4217 currency" in reasons[1]


HOSTILE = ["inf", "-inf", "nan", "1e400", "", "=1+1", "1,5", "n/a", "0x10"]


@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_values_are_left_out_with_their_line(tmp_path, value):
    path = write(tmp_path / "crs.csv", [{}, {"OBS_VALUE": value}])
    frame, report = read_crs(path, return_rejected=True)
    assert frame["amount"].tolist() == [1_500_000.0]
    assert left_out(report)["row"].tolist() == [3]


@pytest.mark.parametrize("period", ["2022-Q1", "2022-01", "9999", "1850", "", "20 22"])
def test_periods_that_are_not_years_are_left_out(tmp_path, period):
    with pytest.warns(aidcalc.RejectedRowsWarning):
        frame = read_crs(write(tmp_path / "crs.csv", [{"TIME_PERIOD": period}]))
    assert len(frame) == 0 and "amount" in frame.columns


def test_labels_with_commas_quotes_and_formulas_stay_text(tmp_path):
    LABELS["ZZZ"] = 'Agency, "quoted"\nover two lines'
    try:
        frame = read_crs(write(tmp_path / "crs.csv", [{"DONOR": "ZZZ"}, {}]))
    finally:
        del LABELS["ZZZ"]
    assert frame["donor_name"].tolist() == ['Agency, "quoted"\nover two lines', "France"]
    assert frame["amount"].tolist() == [1_500_000.0] * 2


def test_read_any_zip_and_the_other_options(tmp_path):
    path = write(tmp_path / "crs.csv", [{}])
    zipped = tmp_path / "crs.zip"
    with zipfile.ZipFile(zipped, "w") as zf:
        zf.write(path, "export.csv")
    for source in (path, zipped):
        frame = read_any(source)
        assert frame["amount"].tolist() == [1_500_000.0]
    with pytest.raises(aidcalc.ValidationError, match="read whole"):
        read_crs(path, columns=["OBS_VALUE"])
    with pytest.raises(aidcalc.InputFileError, match=r"SDMX-CSV.*read_crs"):
        next(iter_crs(path))


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.lists(
        st.fixed_dictionaries(
            {
                "OBS_VALUE": st.one_of(
                    st.floats(allow_nan=True, allow_infinity=True).map(repr),
                    st.sampled_from(HOSTILE),
                    st.integers(-(10**12), 10**12).map(str),
                ),
                "UNIT_MULT": st.sampled_from(["0", "3", "6", "9", "", "x", "-2", "16"]),
                "FLOW_TYPE": st.sampled_from(["C", "D", "E"]),
                "TIME_PERIOD": st.sampled_from(["2021", "2022", "2022-Q1"]),
                "UNIT_MEASURE": st.sampled_from(["USD", "USD", "XDC", "EUR"]),
                "CHANNEL": st.sampled_from(["_T", "11000"]),
            }
        ),
        max_size=25,
    ),
    st.sampled_from(["commitment", "disbursement"]),
    st.booleans(),
)
def test_every_row_is_kept_or_left_out_and_no_money_changes(tmp_path, rows, amount, labels):
    path = write(tmp_path / "h.csv", rows, labels=labels)
    frame, report = read_crs(path, amount=amount, return_rejected=True)  # no warning
    out = left_out(report)
    assert len(frame) + len(out) == len(rows)
    kept_lines = sorted(set(range(2, len(rows) + 2)) - set(out["row"].tolist()))
    assert len(kept_lines) == len(frame)
    expected = [
        float(rows[line - 2]["OBS_VALUE"]) * 10.0 ** int(rows[line - 2]["UNIT_MULT"])
        for line in kept_lines
    ]
    assert frame["amount"].tolist() == expected
    assert math.fsum(frame["amount"]) == math.fsum(expected)
    assert np.isfinite(frame["amount"]).all()
    assert (frame["currency"] != "XDC").all()
    assert (
        frame["status"] == {"commitment": "committed", "disbursement": "disbursed"}[amount]
    ).all()


@pytest.mark.parametrize("labels", [True, False])
def test_several_measures_are_refused_not_added(tmp_path, labels):
    # DAC2A-style exports hold overlapping measures (gross and net ODA): adding them would
    # count money twice, and the file does not say which ones add up
    rows = [{"MEASURE": "106"}, {"MEASURE": "206"}, {"MEASURE": "206", "DONOR": "DEU"}]
    path = write(tmp_path / "dac2a.csv", rows, labels=labels)
    with pytest.raises(aidcalc.InputFileError, match=r"2 measures \(206.*2 rows; 106.*1 rows"):
        read_crs(path)
    with pytest.raises(aidcalc.InputFileError, match="one measure per file"):
        read_any(path)
    one = read_crs(write(tmp_path / "one.csv", [{"MEASURE": "206"}] * 2, labels=labels))
    assert len(one) == 2
