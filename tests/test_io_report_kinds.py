"""The rejected-rows report tells entries apart by ``kind`` (issue 12): rows left out,
kept rows whose money changed, and notes about kept data. Only the first two raise the
RejectedRowsWarning, so that it does not fire on every real file; the report stays complete."""

from __future__ import annotations

import warnings
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

import aidcalc
import aidcalc.io as aio
from aidcalc.io._result import KINDS, LEFT_OUT, MONEY, NOTE, ReadResult, finish, rejected_frame

REFERENCE = Path(__file__).resolve().parents[1] / ".." / "shared" / "reference"


def _warnings(read, *args, **kwargs):
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        frame = read(*args, **kwargs)
    ours = [w for w in seen if issubclass(w.category, aidcalc.RejectedRowsWarning)]
    return frame, ours


@given(st.lists(st.sampled_from([*KINDS, None]), max_size=6), st.booleans())
def test_the_warning_fires_exactly_when_rows_are_left_out_or_money_changed(kinds, kept):
    records = [{"row": i, "reason": "r", "kind": k, "kept": kept} for i, k in enumerate(kinds)]
    report = rejected_frame(records)
    assert set(report["kind"]) <= set(KINDS)
    assert not report.loc[report["kind"] == LEFT_OUT, "kept"].any()  # left out: never kept
    expected = (report["kind"] != NOTE).any()
    frame, ours = _warnings(finish, ReadResult(pd.DataFrame({"a": [1]}), report), False,
                            reader="read_x")
    assert len(ours) == int(expected)
    assert frame.attrs["rejected"].equals(report)  # the report is complete either way


CRS_HEAD = "Year|DonorName|RecipientName|PurposeCode|USD_Commitment|USD_Disbursement\n"


@pytest.mark.parametrize(
    ("rows", "warns", "kinds"),
    [
        # a multilateral donor without a code, a commitment-only row: as the file has them
        ("2022|Nowhere Fund|Ukraine|15250|2|1\n2022|Japan|Ukraine|15250|3|\n", False,
         {NOTE}),
        # a money cell that is not a number: left empty, the money changed
        ("2022|Japan|Ukraine|15250|2|inf\n", True, {MONEY, NOTE}),
        ("2022.5|Japan|Ukraine|15250|2|1\n", True, {MONEY}),  # the year the money is dated
    ],
)
def test_crs_warns_only_when_money_changed(tmp_path, rows, warns, kinds):
    for name, data in (("crs.txt", CRS_HEAD + rows), ("crs.parquet", None)):
        path = tmp_path / name
        if data is None:  # the same rows as Parquet (text columns): the same report
            table = pd.read_csv(tmp_path / "crs.txt", sep="|", dtype=str)
            table.to_parquet(path)
        else:
            path.write_text(data)
        frame, ours = _warnings(aio.read_crs, path)
        report = frame.attrs["rejected"]
        assert set(report["kind"]) == kinds, report
        assert len(ours) == int(warns), [str(w.message) for w in ours]
        _, any_ours = _warnings(aio.read_any, path)
        assert len(any_ours) == int(warns)


def test_crs_zip_readme_is_a_note_another_data_file_is_left_out(tmp_path):
    data = (CRS_HEAD + "2022|Japan|Ukraine|15250|2|1\n").encode()
    path = tmp_path / "crs.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("CRS 2022 data.txt", data)
        zf.writestr("readme.pdf", b"%PDF")
    frame, ours = _warnings(aio.read_crs, path)
    note = frame.attrs["rejected"]
    assert note[["value", "kind", "kept"]].to_numpy().tolist() == [["readme.pdf", NOTE, False]]
    assert ours == []
    with zipfile.ZipFile(path, "a") as zf:
        zf.writestr("CRS 2023 data.txt", data)
    frame, ours = _warnings(aio.read_crs, path, member="CRS 2022 data.txt")
    assert LEFT_OUT in set(frame.attrs["rejected"]["kind"]) and len(ours) == 1


KIEL = "giver,dato,kategori,maal,verdi_eur\nJapan,2024-02-19,Financial,Commitment,1e9\n"


@pytest.mark.parametrize(
    ("extra", "warns"),
    [
        ("Atlantis,2024-03-01,Military,Allocation,2e9\n", False),  # donor name kept, no code
        ("Japan,2024-03-01,Military,Allocation,lots\n", True),  # amount left empty
        ("Japan,2024-13-01,Military,Allocation,2e9\n", True),  # the money's date left empty
        ("Japan,2024-03-01,Military,Maybe,2e9\n", True),  # status left empty
    ],
)
def test_kiel_warns_only_when_money_changed(tmp_path, extra, warns):
    path = tmp_path / "kiel.csv"
    path.write_text(KIEL + extra)
    frame, ours = _warnings(aio.read_kiel, path)
    assert len(frame.attrs["rejected"]) == 1
    assert len(ours) == int(warns)


def _iati(transaction: str, org: str = "DE-GOV-1", sectors: str = "") -> bytes:
    return f"""<iati-activities version="2.03" generated-datetime="2019-10-11T00:00:00">
 <iati-activity default-currency="EUR"><iati-identifier>XX-1</iati-identifier>
 <reporting-org ref="{org}"><narrative>Some org</narrative></reporting-org>
 <activity-date type="1" iso-date="20191900-01-01"/>
 {sectors or '<sector vocabulary="1" code="15250"/>'}
 <transaction><transaction-type code="2"/>{transaction}</transaction>
 </iati-activity></iati-activities>""".encode()


OK_TX = '<transaction-date iso-date="2023-05-02"/><value value-date="2023-05-01">10</value>'


@pytest.mark.parametrize(
    ("xml", "warns"),
    [
        # notes: an activity date that is impossible (not a money date), no donor code,
        # no value-date (the transaction date is the rate date), a placeholder value-date,
        # a sector vocabulary that is not CRS purpose codes
        (_iati(OK_TX, org="AA-AAA-123456789"), False),
        (_iati('<transaction-date iso-date="2023-05-02"/><value>10</value>'), False),
        (_iati('<transaction-date iso-date="2014-12-11"/>'
               '<value value-date="2019-10-11">10</value>'), False),
        (_iati(OK_TX, sectors='<sector vocabulary="99" code="X1"/>'), False),
        # money: the transaction's date left empty; a split the file does not state
        (_iati('<transaction-date iso-date="2023-02-30"/><value value-date="2023-05-01">'
               "10</value>"), True),
        (_iati(OK_TX, sectors='<sector vocabulary="1" code="15250" percentage="30"/>'
                              '<sector vocabulary="1" code="23630" percentage="30"/>'), True),
        # left out: a transaction without a value
        (_iati('<transaction-date iso-date="2023-05-02"/><value value-date="2023-05-01"/>'),
         True),
    ],
)
def test_iati_warns_only_when_rows_are_left_out_or_money_changed(tmp_path, xml, warns):
    path = tmp_path / "a.xml"
    path.write_bytes(xml)
    frame, ours = _warnings(aio.read_iati, path)
    report = frame.attrs["rejected"]
    assert len(report) >= 1  # the report is complete: the notes are in it
    assert len(ours) == int(warns), report[["reason", "kind"]].to_numpy().tolist()


def test_table_rows_rejected_are_left_out_and_warn(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("donor,date,amount,currency\nJPN,2024-02-19,1e9,JPY\nCAN,soon,3e9,CAD\n")
    _, ours = _warnings(aio.read_table, path)
    assert len(ours) == 1 and "1 row left out of the frame" in str(ours[0].message)


def _reference(*parts: str) -> Path:
    path = REFERENCE.joinpath(*parts)
    if not path.exists():
        pytest.skip("../shared/reference is absent")
    return path


@pytest.mark.parametrize(
    ("parts", "options"),
    [
        (("iati", "iati-activity-standard-example-annotated-2.03.xml"), {}),
        (("iati", "iati_real_ec_devco_aware_2.02_NOT_WELLFORMED.xml"), {"recover": True}),
        (("kiel", "kiel_r28_bilateral_activities.csv"), {}),
    ],
)
def test_real_files_whose_money_is_as_published_do_not_warn(parts, options):
    """Before, both IATI files warned (a donor without a code; raw '&' repaired, an
    impossible activity date, a placeholder value-date): facts, not changed money."""
    frame, ours = _warnings(aio.read_any, _reference(*parts), **options)
    assert ours == []
    report = frame.attrs["rejected"]
    assert (report["kind"] == NOTE).all() if len(report) else True


def test_a_pledge_frames_own_kind_column_does_not_hide_rows_left_out() -> None:
    """``kind`` is a pledge-frame column (pledge, total_to_date...); in the report of
    ``aidcalc.pledges`` it read as the report's kind ("pledge" is neither "left out" nor
    "money"), so a row left out raised no warning and ``aidcalc report`` did not count it."""
    import warnings

    import aidcalc
    from aidcalc.io._result import left_out_entries, warns

    df = pd.DataFrame({"donor": ["JPN", "XXX"], "amount": [1.0, 2.0],
                       "currency": ["JPY", "USD"], "announced": ["2023-01-02"] * 2,
                       "kind": ["pledge", "total_to_date"]})  # fmt: skip
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        frame = aidcalc.pledges(df)
    assert any(issubclass(w.category, aidcalc.RejectedRowsWarning) for w in seen)
    report = frame.attrs["rejected"]
    assert report["kind"].tolist() == ["left out"] and report["kept"].tolist() == [False]
    assert warns(report) == (1, 0) and len(left_out_entries(report)) == 1
    assert frame["kind"].tolist() == ["pledge"]  # the frame keeps its own column
