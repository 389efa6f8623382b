"""The report reads annual data (the OECD CRS: a year per row, no day) as its help promises:
each row is dated by its year and converted at the OECD DAC annual rate by default, and the
page says so. It stopped with "has no announced column" before."""

from __future__ import annotations

import warnings
from pathlib import Path

import pandas as pd
import pytest

import aidcalc
from aidcalc._report._build import build_report
from aidcalc._report._options import ReportError

CRS = (
    "Year|DonorName|RecipientName|PurposeCode|USD_Commitment|USD_Disbursement|ProjectTitle\n"
    "2022|Japan|Ukraine|15250|2.5|1.25|A\n"
    "2023|Germany|Ukraine|23630|10|4|B\n"
    "2023|France|Ukraine|72010|3|2|C\n"
)


def _crs(tmp_path: Path) -> Path:
    path = tmp_path / "crs.txt"
    path.write_text(CRS, encoding="utf-8")
    return path


def test_a_crs_file_makes_a_report_at_annual_rates(tmp_path: Path) -> None:
    path = _crs(tmp_path)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        report = build_report(path, out=tmp_path / "out", base_year=2024)
    assert any("gives a year, not a day" in n for n in report.notes)
    table = pd.read_csv(tmp_path / "out" / "donors_by_category.csv")
    frame = aidcalc.io.read_crs(path, progress=False)
    want = aidcalc.normalise(frame.assign(announced=frame["year"].astype(str)), "EUR", 2024,
                             fx="dac", date="announced")  # fmt: skip
    got = table.set_index("donor")["amount_EUR_2024"].sort_index()
    expected = want.set_index("donor")["amount_EUR_2024"].sort_index()
    assert got.index.astype(str).tolist() == expected.index.astype(str).tolist()
    assert got.to_numpy() == pytest.approx(expected.to_numpy(), rel=1e-12)


def test_the_days_rate_asked_of_annual_data_is_refused_with_the_fix(tmp_path: Path) -> None:
    with pytest.raises((ReportError, aidcalc.AidcalcError), match="year-only date"):
        build_report(_crs(tmp_path), out=tmp_path / "out", fx="spot")


def test_a_dated_input_keeps_the_days_rate(tmp_path: Path) -> None:
    frame = pd.DataFrame({"donor": ["JPN"], "amount": [1e9], "currency": ["JPY"],
                          "announced": ["2024-02-19"], "category": ["energy"],
                          "status": ["pledged"]})  # fmt: skip
    report = build_report(frame, out=tmp_path / "out", base_year=2024)
    rows = pd.read_csv(tmp_path / "out" / "pledges.csv")
    assert rows["fx_date"].iloc[0].startswith("2024-02-19")  # the day's ECB rate
    assert not any("gives a year, not a day" in n for n in report.notes)


def test_each_row_at_the_finest_rate_its_date_allows(tmp_path: Path) -> None:
    """The default (fx=None): a day at the day's rate, a month at the month's mean, a year at
    the DAC annual rate, in one report; ``fx="spot"`` leaves the coarse rows out, named."""
    frame = pd.DataFrame({
        "donor": ["JPN", "JPN", "JPN"], "amount": [1e9, 2e9, 3e9],
        "currency": ["JPY"] * 3, "announced": ["2024-02-19", "2024-06", "2023"],
        "category": ["energy"] * 3, "status": ["pledged"] * 3,
    })  # fmt: skip
    build_report(frame, out=tmp_path / "auto", base_year=2024, prices="none")
    rows = pd.read_csv(tmp_path / "auto" / "pledges.csv")
    assert rows["amount_EUR"].notna().all()
    sources = rows["fx_source"].tolist()
    assert "monthly" not in sources[0] and "annual" not in sources[0]  # the day's fixing
    assert "monthly" in sources[1]
    assert "OECD DAC annual average 2023" in sources[2]
    day = aidcalc.convert(frame.iloc[[0]], "EUR", date="announced")["amount_EUR"].iloc[0]
    assert rows["amount_EUR"].iloc[0] == pytest.approx(day, rel=1e-12)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        build_report(frame, out=tmp_path / "spot", base_year=2024, prices="none", fx="spot")
    left = pd.read_csv(tmp_path / "spot" / "rejected.csv")
    assert len(left) == 2 and left["reason"].str.contains("needs a day").all()
