"""aidcalc.io.read_iati: transactions, currencies, value dates, exact sector splits, recovery."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

import aidcalc
from aidcalc._io_iati import _split_units
from aidcalc.io import read_iati

FIXTURES = Path(__file__).parent / "fixtures" / "io"


# --- the fixture written for the tests ------------------------------------------------------
@pytest.fixture(scope="module")
def ukraine():
    return read_iati(FIXTURES / "iati_203_ukraine.xml")


def test_one_row_per_transaction_and_category(ukraine):
    frame, _ = ukraine
    # activity 1: 3 transactions; the first two split over 2 categories, the third has its own
    # sector (energy); activity 2: 1 of 2 transactions has a currency
    assert len(frame) == 2 + 2 + 1 + 1
    assert frame["transaction_ref"].tolist()[:5] == [
        "UA-2023-001-C",
        "UA-2023-001-C",
        "UA-2023-001-D1",
        "UA-2023-001-D1",
        "UA-2023-001-P",
    ]


def test_split_is_exact_to_the_cent_and_normalised(ukraine):
    frame, rejected = ukraine
    first = frame[frame["transaction_ref"] == "UA-2023-001-C"]
    # 60/30 normalised to 2/3 and 1/3 of 100,000,001 cents: 66,666,667.33 -> 66,666,667 and
    # 33,333,333.67 -> 33,333,334 (the leftover cent goes to the larger remainder)
    assert first["category"].tolist() == ["demining", "energy"]
    assert first["amount"].tolist() == [666666.67, 333333.34]
    assert sum(Decimal(str(a)) for a in first["amount"]) == Decimal("1000000.01")
    assert first["sector_percentage"].round(4).tolist() == [66.6667, 33.3333]
    notes = rejected[rejected["column"] == "sector/@percentage"]
    assert len(notes) == 2 and notes["reason"].str.contains("add up to 90, not 100").all()
    assert notes["kept"].all()


def test_currency_value_date_status_donor(ukraine):
    frame, _ = ukraine
    by_ref = frame.drop_duplicates("transaction_ref").set_index("transaction_index", append=True)
    assert frame["currency"].tolist() == ["EUR", "EUR", "EUR", "EUR", "USD", "EUR"]
    # the disbursement has no @currency: the activity's default-currency EUR applies
    d1 = frame[frame["transaction_ref"] == "UA-2023-001-D1"].iloc[0]
    assert d1["currency"] == "EUR"
    assert d1["value_date"] == pd.Timestamp("2023-09-14")
    assert d1["announced"] == pd.Timestamp("2023-09-15")
    assert frame["status"].tolist() == [
        "committed",
        "committed",
        "disbursed",
        "disbursed",
        "pledged",
        "disbursed",
    ]
    assert frame["transaction_type_name"].iloc[4] == "Outgoing Pledge"
    assert set(frame["donor"]) == {"DEU", "EUI"}
    assert (frame["recipient"] == "UKR").all()
    assert frame["donor_name"].iloc[0].startswith("Federal Ministry")  # English narrative
    assert len(by_ref) == 4


def test_missing_currency_is_rejected_not_guessed(ukraine):
    frame, rejected = ukraine
    assert not (frame["transaction_value"] == 75000).any()
    row = rejected[rejected["column"] == "value/@currency"].iloc[0]
    assert row["value"] == "75000"
    assert "no currency" in row["reason"] and "does not guess" in row["reason"]
    assert not row["kept"]


def test_no_transaction_lost(ukraine):
    frame, rejected = ukraine
    kept = frame.drop_duplicates(["activity_id", "transaction_index"])
    dropped = rejected[~rejected["kept"].astype(bool)]
    assert len(kept) + len(dropped) == 5  # 3 + 2 <transaction> elements in the file
    total = frame.groupby(["activity_id", "transaction_index"])["amount"].sum()
    value = frame.groupby(["activity_id", "transaction_index"])["transaction_value"].first()
    assert (total.round(2) == value.round(2)).all()


def test_value_that_is_not_a_decimal_is_rejected(tmp_path):
    doc = (FIXTURES / "iati_203_ukraine.xml").read_text(encoding="utf-8-sig")
    doc = doc.replace(">250000<", ">250,5<").replace(">125000.50<", "> 125000.50 <")
    path = tmp_path / "a.xml"
    path.write_text(doc, encoding="utf-8")
    frame, rejected = read_iati(path)
    # "250,5" could be 250.5 or 2505: rejected, never guessed; spaces around a number are fine
    assert "UA-2023-001-D1" not in set(frame["transaction_ref"])
    row = rejected[rejected["value"] == "250,5"].iloc[0]
    assert "not a number" in row["reason"] and not row["kept"]
    assert 125000.5 in set(frame["amount"])


def test_folder_reads_every_file(tmp_path):
    for name in ("a.xml", "b.xml"):
        (tmp_path / name).write_bytes((FIXTURES / "iati_203_ukraine.xml").read_bytes())
    frame, _ = read_iati(tmp_path)
    assert len(frame) == 12
    assert frame["source"].str.endswith("a.xml").sum() == 6


@given(
    cents=st.integers(-(10**13), 10**13),
    weights=st.lists(st.integers(1, 10_000), min_size=1, max_size=12),
)
def test_split_conserves_every_cent(cents, weights):
    from fractions import Fraction

    parts = _split_units(cents, [Fraction(w) for w in weights])
    assert sum(parts) == cents
    # no part is more than one unit away from its exact share
    whole = sum(weights)
    for part, w in zip(parts, weights, strict=True):
        assert abs(Fraction(part) - Fraction(cents * w, whole)) < 1


# --- errors ---------------------------------------------------------------------------------
def test_not_wellformed_names_file_line_and_column():
    path = FIXTURES / "iati_broken.xml"
    with pytest.raises(aidcalc.InputFileError) as info:
        read_iati(path)
    err = info.value
    assert err.line == 9 and err.column is not None
    assert str(path) in str(err) and "line 9" in str(err) and "recover=True" in str(err)
    assert "\n" not in str(err)


def test_recover_reads_what_it_can_and_lists_what_it_skipped():
    frame, rejected = read_iati(FIXTURES / "iati_broken.xml", recover=True)
    assert frame["activity_id"].tolist() == ["XI-IATI-EC_DEVCO-TEST-1", "GB-GOV-1-TEST-3"]
    assert frame["amount"].tolist() == [28_000_000.0, 2_500_000.0]
    assert frame["currency"].tolist() == ["EUR", "GBP"]
    assert frame["donor"].tolist() == ["EUI", "GBR"]
    reasons = " | ".join(rejected["reason"])
    assert "raw '&' escaped" in reasons  # line 9, not the '&' inside the comment
    assert rejected.loc[rejected["reason"].str.contains("raw '&'"), "row"].tolist() == ["line 9"]
    assert "'20191900-01-01'" in reasons
    skipped = rejected[~rejected["kept"].astype(bool)]
    assert skipped["reason"].str.contains("activity skipped: not well-formed").any()
    assert skipped["row"].tolist() == ["line 20"]


def test_missing_file_and_empty_folder(tmp_path):
    with pytest.raises(aidcalc.InputFileError, match="no such file"):
        read_iati(tmp_path / "nope.xml")
    with pytest.raises(aidcalc.InputFileError, match=r"no \*\.xml files"):
        read_iati(tmp_path)


# --- the real files -------------------------------------------------------------------------
@pytest.mark.reference
def test_official_203_example(reference):
    frame, rejected = read_iati(
        reference / "iati" / "iati-activity-standard-example-annotated-2.03.xml"
    )
    # the example has one transaction: incoming funds of EUR 1000 valued on 2012-01-01
    # (the activity's default currency is USD: the value's own @currency wins)
    assert len(frame) == 1
    row = frame.iloc[0]
    assert (row["amount"], row["currency"]) == (1000.0, "EUR")
    assert row["value_date"] == pd.Timestamp("2012-01-01")
    assert row["announced"] == pd.Timestamp("2012-01-01")
    assert row["transaction_type"] == "1" and row["transaction_type_name"] == "Incoming Funds"
    assert pd.isna(row["status"])  # incoming funds are not a pledge stage
    assert row["recipient"] == "TKM"  # the transaction's own recipient-country (TM)
    assert (row["sector_vocabulary"], row["sector_code"]) == ("2", "111")
    # the example's publisher AA-AAA-123456789 is no donor: said, with the way to supply one
    assert pd.isna(row["donor"])
    assert len(rejected) == 1
    said = rejected.iloc[0]
    assert said["kept"] and said["value"] == "AA-AAA-123456789"
    assert "no donor" in said["reason"] and "donor=" in said["reason"]


@pytest.mark.reference
def test_real_not_wellformed_record(reference):
    path = reference / "iati" / "iati_real_ec_devco_aware_2.02_NOT_WELLFORMED.xml"
    with pytest.raises(aidcalc.InputFileError) as info:
        read_iati(path)
    assert (info.value.line, info.value.column) == (12, 96)
    assert path.name in str(info.value)

    frame, problems = read_iati(path, recover=True)
    assert len(frame) == 1
    row = frame.iloc[0]
    assert (row["amount"], row["currency"], row["status"]) == (28_000_000.0, "EUR", "committed")
    assert row["donor"] == "EUI"
    assert row["announced"] == pd.Timestamp("2014-12-11")
    assert row["value_date"] == pd.Timestamp("2019-10-11")  # as published, but flagged:
    reasons = problems["reason"].tolist()
    assert any("equals the file's generation date" in r for r in reasons)
    assert any("'20191900-01-01'" in r and "not a valid date" in r for r in reasons)
    assert sum("raw '&' escaped" in r for r in reasons) == 2
    assert problems["kept"].all()  # nothing had to be dropped


@pytest.mark.reference
def test_transaction_type_table_matches_the_iati_codelist(reference):
    from aidcalc._io_iati import _transaction_types
    from aidcalc._xml import parse_bytes

    root = parse_bytes((reference / "codelists" / "iati_TransactionType_2.03.xml").read_bytes())
    published = {
        item.findtext("code"): item.find("name").findtext("narrative")
        for item in root.iter("codelist-item")
    }
    ours = {code: name for code, (c, name, _) in _transaction_types().items() if code == c}
    assert ours == published  # codes 1-13, same English names
