"""aidcalc.io.read_iati: transactions, currencies, value dates, exact sector splits, recovery."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

import aidcalc
from aidcalc.io import read_iati
from aidcalc.io._iati import _split_units

FIXTURES = Path(__file__).parent / "fixtures" / "io"


# --- the fixture written for the tests ------------------------------------------------------
@pytest.fixture(scope="module")
def ukraine():
    return read_iati(FIXTURES / "iati_203_ukraine.xml", return_rejected=True)


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
    frame, rejected = read_iati(path, return_rejected=True)
    # "250,5" could be 250.5 or 2505: rejected, never guessed; spaces around a number are fine
    assert "UA-2023-001-D1" not in set(frame["transaction_ref"])
    row = rejected[rejected["value"] == "250,5"].iloc[0]
    assert "not a number" in row["reason"] and not row["kept"]
    assert 125000.5 in set(frame["amount"])


def test_folder_reads_every_file(tmp_path):
    for name in ("a.xml", "b.xml"):
        (tmp_path / name).write_bytes((FIXTURES / "iati_203_ukraine.xml").read_bytes())
    frame, _ = read_iati(tmp_path, return_rejected=True)
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
        read_iati(path, return_rejected=True)
    err = info.value
    assert err.line == 9 and err.column is not None
    assert str(path) in str(err) and "line 9" in str(err) and "recover=True" in str(err)
    assert "\n" not in str(err)


def test_recover_reads_what_it_can_and_lists_what_it_skipped():
    frame, rejected = read_iati(FIXTURES / "iati_broken.xml", recover=True, return_rejected=True)
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
        read_iati(tmp_path / "nope.xml", return_rejected=True)
    with pytest.raises(aidcalc.InputFileError, match=r"no \*\.xml files"):
        read_iati(tmp_path, return_rejected=True)


# --- the real files -------------------------------------------------------------------------
@pytest.mark.reference
def test_official_203_example(reference):
    frame, rejected = read_iati(
        reference / "iati" / "iati-activity-standard-example-annotated-2.03.xml"
    , return_rejected=True)
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
        read_iati(path, return_rejected=True)
    assert (info.value.line, info.value.column) == (12, 96)
    assert path.name in str(info.value)

    frame, problems = read_iati(path, recover=True, return_rejected=True)
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
    from aidcalc.io._iati import _transaction_types
    from aidcalc.io._xml import parse_bytes

    root = parse_bytes((reference / "codelists" / "iati_TransactionType_2.03.xml").read_bytes())
    published = {
        item.findtext("code"): item.find("name").findtext("narrative")
        for item in root.iter("codelist-item")
    }
    ours = {code: name for code, (c, name, _) in _transaction_types().items() if code == c}
    assert ours == published  # codes 1-13, same English names


# --- generated activities of every IATI version ---------------------------------------------
VERSIONS_1 = ("1.01", "1.03", "1.05")
VERSIONS_2 = ("2.01", "2.02", "2.03")


def _name(version: str, text: str) -> str:
    """Element text as the version writes it (1.0x: directly, 2.0x: in a <narrative>)."""
    return text if version.startswith("1") else f"<narrative>{text}</narrative>"


def _activity(
    version: str = "2.03",
    *,
    ident: str = "XX-1",
    reporting: str = 'ref="DE-GOV-1" type="10"',
    reporting_name: str = "Some ministry",
    currency: str | None = "EUR",
    sectors: str = "",
    transactions: str | None = None,
    extra: str = "",
) -> str:
    default = f' default-currency="{currency}"' if currency else ""
    if transactions is None:
        code = "C" if version.startswith("1") else "2"
        transactions = _transaction(code)
    return (
        f"<iati-activity{default}>\n"
        f" <iati-identifier>{ident}</iati-identifier>\n"
        f" <reporting-org {reporting}>{_name(version, reporting_name)}</reporting-org>\n"
        f" <title>{_name(version, 'Activity ' + ident)}</title>\n"
        f' <recipient-country code="UA"/>\n'
        f"{sectors}{extra}{transactions}"
        f"</iati-activity>\n"
    )


def _transaction(
    code: str,
    value: str = "1000.50",
    *,
    currency: str | None = None,
    value_date: str | None = "2023-05-01",
    date: str = "2023-05-02",
    inner: str = "",
) -> str:
    cur = f' currency="{currency}"' if currency else ""
    vdate = f' value-date="{value_date}"' if value_date else ""
    return (
        f' <transaction><transaction-type code="{code}"/>'
        f'<transaction-date iso-date="{date}"/>{inner}'
        f"<value{cur}{vdate}>{value}</value></transaction>\n"
    )


def _doc(version: str, *activities: str) -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<iati-activities version="{version}" generated-datetime="2024-01-01T00:00:00">\n'
        + "".join(activities)
        + "</iati-activities>\n"
    )


def _read(tmp_path, text: str | bytes, name: str = "a.xml", **kwargs):
    path = tmp_path / name
    if isinstance(text, str):
        path.write_text(text, encoding="utf-8")
    else:
        path.write_bytes(text)
    return read_iati(path, **kwargs, return_rejected=True)


def _both(tmp_path, text: str | bytes, **kwargs):
    """Read strictly and recovering; a well-formed file gives the same result both ways."""
    strict = _read(tmp_path, text, "strict.xml", **kwargs)
    recovered = _read(tmp_path, text, "recovered.xml", recover=True, **kwargs)
    pd.testing.assert_frame_equal(
        strict.frame.drop(columns="source"), recovered.frame.drop(columns="source")
    )
    pd.testing.assert_frame_equal(
        strict.rejected.drop(columns="source"), recovered.rejected.drop(columns="source")
    )
    return strict


# --- rule: every sector vocabulary of 1.0x and 2.0x is known; CRS ones categorise -----------
@pytest.mark.parametrize(
    ("version", "vocabulary", "code", "category"),
    [
        ("1.03", "DAC", "72050", "humanitarian"),  # the reproducer
        ("1.01", "DAC", "15250", "demining"),
        ("1.05", "dac", "23630", "energy"),  # case as some publishers write it
        ("1.03", "DAC-3", "720", "humanitarian"),
        ("1.04", "DAC-3", "730", "reconstruction"),
        ("1.02", "DAC-3", "510", "budget_support"),
        ("1.03", None, "72050", "humanitarian"),  # 1.0x default: DAC
        ("2.03", "1", "72050", "humanitarian"),
        ("2.01", "2", "231", "energy"),
        ("2.02", "2", "740", "humanitarian"),
        ("2.03", None, "51010", "budget_support"),  # 2.0x default: 1
    ],
)
def test_crs_vocabularies_of_every_version_are_categorised(
    tmp_path, version, vocabulary, code, category
):
    voc = f' vocabulary="{vocabulary}"' if vocabulary else ""
    sectors = f' <sector{voc} code="{code}"/>\n'
    frame, rejected = _both(tmp_path, _doc(version, _activity(version, sectors=sectors)))
    assert frame["category"].tolist() == [category]
    assert frame["sector_code"].tolist() == [code]
    default = "DAC" if version.startswith("1") else "1"
    assert frame["sector_vocabulary"].tolist() == [vocabulary or default]
    assert not rejected["column"].astype(str).str.startswith("sector").any()


def _vocabulary_codes(kind: str) -> list[str]:
    table = pd.read_csv(
        Path(aidcalc.__file__).parent / "io" / "_iati_sector_vocabularies.csv", dtype=str
    )
    return table.loc[table["kind"] == kind, "code"].tolist()


def test_vocabulary_table_has_every_code_of_both_codelists():
    table = pd.read_csv(
        Path(aidcalc.__file__).parent / "io" / "_iati_sector_vocabularies.csv", dtype=str
    )
    by_version = table.groupby("version")["code"].apply(set).to_dict()
    # IATI Vocabulary codelist 1.05 and SectorVocabulary (non-embedded, 2.0x)
    assert by_version["1.0x"] == {
        "ADT", "COFOG", "DAC", "DAC-3", "ISO", "NACE", "NTEE", "RO", "RO2", "WB"
    }  # fmt: skip
    assert by_version["2.0x"] == {str(i) for i in range(1, 13)} | {"98", "99"}
    assert set(table.loc[table["kind"] == "dac5", "code"]) == {"DAC", "1"}
    assert set(table.loc[table["kind"] == "dac3", "code"]) == {"DAC-3", "2"}


@pytest.mark.parametrize("vocabulary", [*_vocabulary_codes("other"), "XYZ", "CRS"])
def test_other_vocabularies_are_other_and_said(tmp_path, vocabulary):
    version = "2.03" if vocabulary.isdigit() else "1.05"
    sectors = f' <sector vocabulary="{vocabulary}" code="72050"/>\n'
    frame, rejected = _both(tmp_path, _doc(version, _activity(version, sectors=sectors)))
    assert frame["category"].tolist() == ["other"]
    said = rejected[rejected["column"] == "sector/@vocabulary"]
    assert len(said) == 1 and said["kept"].all()
    assert f"{vocabulary!r}" in said["reason"].iloc[0]
    assert "categorised 'other'" in said["reason"].iloc[0]
    if vocabulary in ("XYZ", "CRS"):  # not in either codelist
        assert "unknown sector vocabulary" in said["reason"].iloc[0]


@pytest.mark.parametrize(
    ("vocabulary", "code", "category", "says"),
    [
        ("DAC-3", "152", "other", "several categories"),  # 15250 demining, 15210 other
        ("DAC", "99999", "other", "not an OECD DAC CRS purpose code"),
        ("DAC", "720", "humanitarian", "is a CRS 3-digit code"),  # 3 digits under DAC
        ("2", "999", "other", "not an OECD DAC CRS purpose code"),
    ],
)
def test_crs_codes_that_need_a_word_are_said(tmp_path, vocabulary, code, category, says):
    version = "2.03" if vocabulary.isdigit() else "1.03"
    sectors = f' <sector vocabulary="{vocabulary}" code="{code}"/>\n'
    frame, rejected = _both(tmp_path, _doc(version, _activity(version, sectors=sectors)))
    assert frame["category"].tolist() == [category]
    said = rejected[rejected["column"] == "sector/@code"]
    assert len(said) == 1 and said["kept"].all() and says in said["reason"].iloc[0]


@pytest.mark.parametrize("version", VERSIONS_1 + VERSIONS_2)
def test_percentages_still_split_exactly_in_every_version(tmp_path, version):
    dac5, dac3 = ("DAC", "DAC-3") if version.startswith("1") else ("1", "2")
    sectors = (
        f' <sector vocabulary="{dac5}" code="72050" percentage="60"/>\n'
        f' <sector vocabulary="{dac5}" code="15250" percentage="40"/>\n'
        f' <sector vocabulary="{dac3}" code="230" percentage="100"/>\n'  # not chosen: 3-digit
        ' <sector vocabulary="COFOG" code="03" percentage="100"/>\n'
    )
    code = "D" if version.startswith("1") else "3"
    doc = _doc(
        version, _activity(version, sectors=sectors, transactions=_transaction(code, "0.05"))
    )
    frame, rejected = _both(tmp_path, doc)
    assert frame["category"].tolist() == ["humanitarian", "demining"]
    assert frame["amount"].tolist() == [0.03, 0.02]  # 5 cents: 3 + 2, exactly
    assert frame["sector_percentage"].tolist() == [60.0, 40.0]
    assert len(rejected) == 0  # the CRS vocabulary was chosen: nothing to say


def test_transaction_sector_wins_and_is_read_in_1x(tmp_path):
    sectors = ' <sector vocabulary="DAC" code="15250"/>\n'
    tx = _transaction("D", inner='<sector vocabulary="DAC-3" code="740"/>')
    frame, _ = _both(tmp_path, _doc("1.03", _activity("1.03", sectors=sectors, transactions=tx)))
    assert frame["category"].tolist() == ["humanitarian"]
    assert frame["sector_vocabulary"].tolist() == ["DAC-3"]


# --- rule: one mapping from organisation identifiers to donors -------------------------------
@pytest.mark.parametrize(
    ("ref", "org_type", "donor"),
    [
        ("CA-3", "10", "CAN"),  # Global Affairs Canada, 1.0x agency form
        ("GB-1", "10", "GBR"),  # DFID
        ("FR-6", None, "FRA"),
        ("SE-6", "10", "SWE"),  # Sida
        ("NL-1", "10", "NLD"),
        ("DE-1", "15", "DEU"),
        ("US", "10", "USA"),  # a bare country code
        ("JP", None, "JPN"),
        ("XM-DAC-301-2", "10", "CAN"),
        ("XM-DAC-7", "10", "NLD"),
        ("XM-DAC-701-8", "10", "JPN"),  # JICA
        ("XM-DAC-12-1", "10", "GBR"),
        ("XM-DAC-918", "40", "EUI"),
        ("XM-DAC-918-1", "15", "EUI"),
        ("XM-DAC-918-3", "40", "EIB"),  # the European Investment Bank
        ("NO-BRC-971277882", "10", "NOR"),  # Norad, in the register of legal entities
        ("BE-BCE_KBO-0264814354", "10", "BEL"),  # Enabel
        ("ES-DIR3-EA0035768", "10", "ESP"),  # AECID, in Spain's public-body directory
        ("GB-COH-03877777", "70", "GBR"),  # CDC Group, the UK's DFI
        ("SE-0", "10", "SWE"),
        ("US-18", "10", "USA"),
        ("GB-4", None, "GBR"),
        ("XM-DAC-42004", "40", "EIB"),
        ("GB-GOV-1", "10", "GBR"),
        ("gb-gov-3", "10", "GBR"),
        ("CA-GOV-3", None, "CAN"),
        ("GB-GOVUK-1", None, "GBR"),
        ("US-USAGOV", "10", "USA"),
        ("XI-IATI-EC_ECHO", "15", "EUI"),
        ("XI-IATI-EC_NEAR", None, "EUI"),
        ("EU-1", "15", "EUI"),
        ("EU-3", None, "EIB"),
    ],
)
def test_official_identifiers_give_the_donor(tmp_path, ref, org_type, donor):
    attrs = f'ref="{ref}"' + (f' type="{org_type}"' if org_type else "")
    version = "1.03" if "GOV" not in ref and "XI" not in ref else "2.03"
    doc = _doc(version, _activity(version, reporting=attrs, reporting_name="Agency X"))
    frame, rejected = _both(tmp_path, doc)
    assert frame["donor"].tolist() == [donor]
    assert not (rejected["column"] == "reporting-org/@ref").any()


def test_every_dac_donor_code_maps():
    from aidcalc._base._datasets import read_dataset
    from aidcalc.io._iati import org_donor

    table = read_dataset("dac_donor_codes", copy=False)
    # the 32 DAC members: 31 countries and the EU institutions (918, and the EC's 42001/42003)
    assert table.loc[table["dac_member"] == "yes", "donor"].nunique() == 32
    for code, donor in zip(table["dac_code"], table["donor"], strict=True):
        assert org_donor(f"XM-DAC-{code}")[0] == donor
        assert org_donor(f"XM-DAC-{code}-99", "10")[0] == donor
    members = table.loc[table["dac_member"] == "yes", "donor"]
    assert set(members) >= {"USA", "JPN", "DEU", "FRA", "ITA", "GBR", "CAN", "EUI"}


@pytest.mark.parametrize(
    ("ref", "org_type", "says"),
    [
        ("XM-DAC-41114", "40", "not a donor country"),  # UNDP: multilateral
        ("GB-CHC-202918", "21", "not an identifier of a government"),  # Oxfam: charity
        ("US-EIN-131644147", "21", "not an identifier of a government"),
        ("GB-1", "22", "not a public body"),  # agency form, but an NGO says its type
        ("AA-AAA-123456789", "40", "not an identifier of a government"),
        ("41114", "40", "not an identifier of a government"),  # 1.0x bare CRS channel code
        ("XM-OCHA-1", None, "not an identifier of a government"),
        ("ZZ-1", None, "not an ISO 3166 country code"),
        ("GB-1-202615", "21", "not an identifier of a government"),  # CARE UK, malformed
        ("GB-COH-01846493", "70", "not an identifier of a government"),  # a company
        ("DAC-1601", "60", "not an identifier of a government"),  # Gates Foundation
        ("XM-DAC-903", "40", "not a donor country"),  # IFC
    ],
)
def test_no_donor_is_said_never_a_silent_nan(tmp_path, ref, org_type, says):
    attrs = f'ref="{ref}"' + (f' type="{org_type}"' if org_type else "")
    doc = _doc("2.03", _activity(reporting=attrs, reporting_name="Agency X"))
    frame, rejected = _both(tmp_path, doc)
    assert frame["donor"].isna().all()
    said = rejected[rejected["column"] == "reporting-org/@ref"]
    assert len(said) == 1
    row = said.iloc[0]
    assert row["kept"] and row["value"] == ref
    assert ref.upper() in row["reason"] and says in row["reason"]
    assert f"donor={{{ref!r}: '<donor code>'}}" in row["reason"]  # how to supply it


def test_donor_keyword_supplies_or_overrides(tmp_path):
    doc = _doc(
        "2.03",
        _activity(ident="A", reporting='ref="XM-DAC-41114" type="40"', reporting_name="UNDP"),
        _activity(ident="B", reporting='ref="CA-3" type="10"'),
    )
    frame, rejected = _read(tmp_path, doc, donor={"XM-DAC-41114": "United States"})
    assert frame["donor"].tolist() == ["USA", "CAN"]
    assert len(rejected) == 0
    frame, rejected = _read(tmp_path, doc, donor={"undp": "JPN"})  # by name, any case
    assert frame["donor"].tolist() == ["JPN", "CAN"]
    frame, _ = _read(tmp_path, doc, donor="Germany")
    assert frame["donor"].tolist() == ["DEU", "DEU"]
    with pytest.raises(aidcalc.UnknownDonorError):
        _read(tmp_path, doc, donor="Atlantis")


def test_provider_org_names_the_donor_when_the_publisher_does_not(tmp_path):
    tx = _transaction(
        "1",
        inner='<provider-org ref="GB-GOV-1" type="10"><narrative>FCDO</narrative></provider-org>',
    )
    doc = _doc(
        "2.03",
        _activity(
            reporting='ref="GB-CHC-202918" type="21"', reporting_name="Oxfam", transactions=tx
        ),
    )
    frame, rejected = _both(tmp_path, doc)
    assert frame["donor"].tolist() == ["GBR"]
    said = rejected[rejected["column"] == "provider-org/@ref"]
    assert len(said) == 1 and said["kept"].all() and "GB-GOV-1" in said["reason"].iloc[0]


def test_name_still_names_the_donor(tmp_path):
    doc = _doc("2.03", _activity(reporting='ref="XX-UNKNOWN-1"', reporting_name="Japan"))
    frame, rejected = _read(tmp_path, doc)
    assert frame["donor"].tolist() == ["JPN"] and len(rejected) == 0


def test_donor_from_identifier_feeds_the_donor_deflator(tmp_path):
    """Canada's own DAC deflator is used, not the DAC total (the issue: off by 6.5-16.5%)."""
    reporting = 'ref="CA-3" type="10"'
    doc = _doc("1.03", _activity("1.03", reporting=reporting, currency="CAD"))
    frame, _ = _read(tmp_path, doc)
    out = aidcalc.normalise(frame, "CAD", 2022, date="value_date")
    assert "CAN" in out["deflator_source"].iloc[0]


# --- rule: 1.0x transaction types, currencies, value dates ---------------------------------
def _type_table() -> pd.DataFrame:
    return pd.read_csv(
        Path(aidcalc.__file__).parent / "io" / "_iati_transaction_types.csv",
        dtype=str,
        keep_default_na=False,
    )


@pytest.mark.parametrize("version", VERSIONS_1 + VERSIONS_2)
def test_every_transaction_type_of_the_version_is_read(tmp_path, version):
    table = _type_table()
    column = "code_v1" if version.startswith("1") else "code"
    rows = table[table[column] != ""]
    codes = rows[column].tolist()
    if version == "1.03":
        codes = [c.lower() for c in codes]  # letter case does not matter
    txs = "".join(_transaction(c, str(100 + i)) for i, c in enumerate(codes))
    frame, rejected = _both(tmp_path, _doc(version, _activity(version, transactions=txs)))
    assert frame["transaction_type"].tolist() == rows["code"].tolist()
    assert frame["transaction_type_name"].tolist() == rows["name"].tolist()
    assert frame["status"].fillna("").tolist() == rows["status"].tolist()
    assert not (rejected["column"] == "transaction-type/@code").any()


@pytest.mark.parametrize("version", VERSIONS_1 + VERSIONS_2)
def test_currency_and_value_date_in_every_version(tmp_path, version):
    c, d = ("C", "D") if version.startswith("1") else ("2", "3")
    txs = (
        _transaction(c, "100", currency="JPY", value_date="2020-01-06")  # own currency wins
        + _transaction(d, "200", value_date=None, date="2021-02-03")  # default; tx date
        + _transaction(d, "300", currency="gbp")
    )
    doc = _doc(
        version,
        _activity(version, ident="A", currency="CHF", transactions=txs),
        _activity(version, ident="B", currency=None, transactions=_transaction(d, "400")),
    )
    frame, rejected = _both(tmp_path, doc)
    assert frame["currency"].tolist() == ["JPY", "CHF", "GBP"]
    assert frame["amount"].tolist() == [100.0, 200.0, 300.0]
    assert frame["value_date"].dt.strftime("%Y-%m-%d").tolist() == [
        "2020-01-06",
        "2021-02-03",
        "2023-05-01",
    ]
    reasons = " | ".join(rejected["reason"])
    assert "no value-date: the transaction date is used" in reasons
    no_currency = rejected[rejected["column"] == "value/@currency"]
    assert len(no_currency) == 1 and not no_currency["kept"].iloc[0]


def test_1x_transaction_date_written_as_text(tmp_path):
    as_text = "<transaction-date>2011-07-08</transaction-date>"
    tx = _transaction("D", value_date=None).replace(
        '<transaction-date iso-date="2023-05-02"/>', as_text
    )
    frame, _ = _both(tmp_path, _doc("1.01", _activity("1.01", transactions=tx)))
    assert frame["announced"].tolist() == [pd.Timestamp("2011-07-08")]
    assert frame["value_date"].tolist() == [pd.Timestamp("2011-07-08")]


def test_activity_without_transactions_is_said(tmp_path):
    doc = _doc("2.03", _activity(ident="A"), _activity(ident="B", transactions=""))
    frame, rejected = _both(tmp_path, doc)
    assert frame["activity_id"].tolist() == ["A"]
    said = rejected[rejected["row"] == "activity B"]
    assert (
        len(said) == 1 and not said["kept"].iloc[0] and "no <transaction>" in said["reason"].iloc[0]
    )


def test_single_activity_file(tmp_path):
    text = _activity("1.03", transactions=_transaction("E", "7"))
    frame, _ = _both(tmp_path, '<?xml version="1.0"?>\n' + text.replace(">", ' version="1.03">', 1))
    assert frame["status"].tolist() == ["disbursed"] and frame["amount"].tolist() == [7.0]


# --- rule: what is not read is counted, with its line ---------------------------------------
def _numbered(n: int, version: str = "2.03") -> str:
    return _doc(version, *(_activity(version, ident=f"A-{i}") for i in range(n)))


@pytest.mark.parametrize(
    "cut_after",
    ["<iati-activity", "<iati-identifier>A-25", "<transaction>", 'value-date="2023-05', "</value>"],
)
def test_truncated_file_counts_the_lost_activity(tmp_path, cut_after):
    full = _numbered(26)
    last = full.index("<iati-activity", full.index("A-24"))
    text = full[: full.index(cut_after, last) + len(cut_after)]
    with pytest.raises(aidcalc.InputFileError, match=r"not well-formed XML at line \d+"):
        _read(tmp_path, text)
    frame, rejected = _read(tmp_path, text, recover=True)
    assert len(frame) == 25
    assert len(rejected) == 1
    row = rejected.iloc[0]
    assert not row["kept"] and "truncated" in row["reason"]
    assert row["row"] == f"line {text.count(chr(10), 0, last) + 1}"


def test_file_cut_between_activities_is_said(tmp_path):
    full = _numbered(26)
    text = full[: full.index("<iati-activity", full.index("A-24"))]
    frame, rejected = _read(tmp_path, text, recover=True)
    assert len(frame) == 25 and len(rejected) == 1
    assert "ends before </iati-activities>" in rejected["reason"].iloc[0]
    assert not rejected["kept"].iloc[0]


@pytest.mark.parametrize(
    ("damage", "says", "read"),
    [
        (("</iati-activity>", ""), "no </iati-activity> before the next", 25),
        (("<iati-activity ", "<iati-activty "), "without its start tag", 25),
        (("<iati-activity ", "oops <iati-activity "), "text outside any <iati-activity>", 26),
        (("</value>", "</valu>"), "activity skipped: not well-formed", 25),
        (("<iati-identifier>", "<iati-identifier><![CDATA["), "activity skipped: not well", 25),
    ],
)
def test_each_broken_activity_is_one_rejected_row(tmp_path, damage, says, read):
    full = _numbered(26)
    at = full.index("<iati-activity ", full.index("A-9"))
    old, new = damage
    hit = full.index(old, at)
    text = full[:hit] + new + full[hit + len(old) :]
    if read == 25:  # (stray text in the root is well-formed XML)
        with pytest.raises(aidcalc.InputFileError, match="not well-formed"):
            _read(tmp_path, text)
    frame, rejected = _read(tmp_path, text, recover=True)
    lost = rejected[~rejected["kept"].astype(bool)]
    assert len(lost) == 1 and says in lost["reason"].iloc[0]
    assert lost["row"].iloc[0] == f"line {text.count(chr(10), 0, at) + 1}"
    assert frame["activity_id"].nunique() == read  # the others are all read


def test_a_stray_end_tag_loses_nothing_and_is_said(tmp_path):
    full = _numbered(5)
    text = full.replace("</transaction>", "</transaction></iati-activity>", 1)
    frame, rejected = _read(tmp_path, text, recover=True)
    assert frame["activity_id"].nunique() == 5
    assert len(rejected) == 1 and rejected["kept"].iloc[0]
    assert "stray end tag" in rejected["reason"].iloc[0]


@given(st.integers(min_value=60, max_value=20_000))
def test_any_truncation_reads_or_counts_every_started_activity(cut):
    full = _numbered(40)
    text = full[:cut]
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "t.xml"
        path.write_text(text, encoding="utf-8")
        try:
            frame, rejected = read_iati(path, recover=True, return_rejected=True)
        except aidcalc.InputFileError as err:  # cut inside the root's start tag
            assert "root element" in str(err)
            return
    started = text.count("<iati-activity ") + text.count("<iati-activity>")
    lost = rejected[~rejected["kept"].astype(bool)]
    skipped = lost["reason"].str.startswith("activity skipped").sum()
    assert frame["activity_id"].nunique() + skipped == started
    if not text.rstrip().endswith("</iati-activities>"):
        assert len(lost) >= 1  # a cut file is always said


@pytest.mark.parametrize(
    ("text", "root"),
    [
        ('<svg xmlns="http://www.w3.org/2000/svg"><rect/></svg>', "svg"),
        ('<rss version="2.0"><channel><item/></channel></rss>', "rss"),
        ('<html xmlns="http://www.w3.org/1999/xhtml"><body/></html>', "html"),
        ("<iati-activitiesX/>", "iati-activitiesX"),
        ("<!-- c --><?pi x?><codelist name='Vocabulary'/>", "codelist"),
    ],
)
@pytest.mark.parametrize("recover", [False, True])
def test_xml_that_is_not_iati_names_its_root(tmp_path, text, root, recover):
    with pytest.raises(aidcalc.InputFileError) as info:
        _read(tmp_path, '<?xml version="1.0"?>\n' + text, recover=recover)
    assert f"root element is <{root}>" in str(info.value)
    assert info.value.reason == f"root element <{root}>"


@pytest.mark.parametrize("recover", [False, True])
def test_organisation_file_is_said(tmp_path, recover):
    text = '<iati-organisations version="2.03"><iati-organisation/></iati-organisations>'
    frame, rejected = _read(tmp_path, text, recover=recover)
    assert len(frame) == 0 and len(rejected) == 1
    assert "organisation file" in rejected["reason"].iloc[0] and not rejected["kept"].iloc[0]


@pytest.mark.parametrize("recover", [False, True])
@pytest.mark.parametrize(
    ("data", "says"),
    [
        (b"", "empty"),
        (b"donor,amount\nJPN,1\n", "not XML"),
        (b'{"iati": 1}', "not XML"),
        (b"\x89PNG\r\n\x1a\n" + bytes(100), "not XML"),
        (b"\x00" * 5000, "not XML"),
        (b'<?xml version="1.0" encoding="x-nope"?><iati-activities/>', "unknown encoding 'x-nope'"),
        (b'<?xml version="1.0" encoding="rot13"?><iati-activities/>', "unknown encoding 'rot13'"),
        (b'<?xml version="1.0" encoding="UTF-16"?><iati-activities/>', "bytes are not UTF-16"),
        (b'<?xml version="1.0" encoding="shift_jis"?><iati-activities>\x93\x7f\xff', "not valid"),
    ],
)
def test_not_xml_or_unknown_encoding_is_a_clear_error(tmp_path, data, says, recover):
    with pytest.raises(aidcalc.InputFileError) as info:
        _read(tmp_path, data, recover=recover)
    assert says in str(info.value) and "a.xml" in str(info.value)


@pytest.mark.parametrize(
    "encoding", ["utf-8-sig", "utf-16", "utf-16-be", "utf-32", "iso-8859-15", "cp1252", "shift_jis"]
)
def test_encodings_python_knows_are_read(tmp_path, encoding):
    title = "Caf\u00e9 \u00e0 Kyiv" if encoding != "shift_jis" else "\u30ad\u30fc\u30a6"
    doc = _doc("2.03", _activity(ident="A")).replace("Activity A", title)
    declared = encoding.replace("-sig", "").replace("utf-16-be", "UTF-16")
    doc = doc.replace('encoding="UTF-8"', f'encoding="{declared}"')
    frame, _ = _both(tmp_path, doc.encode(encoding))
    assert frame["title"].tolist() == [title]
    assert frame["amount"].tolist() == [1000.5]


@pytest.mark.reference
def test_real_files_read_the_same_streaming(reference):
    """The streaming recovery gives what the strict reader gives on a well-formed real file."""
    path = reference / "iati" / "iati-activity-standard-example-annotated-2.03.xml"
    strict, recovered = (
        read_iati(path, return_rejected=True),
        read_iati(path, recover=True, return_rejected=True),
    )
    pd.testing.assert_frame_equal(strict.frame, recovered.frame)
    pd.testing.assert_frame_equal(strict.rejected, recovered.rejected)
    ec = reference / "iati" / "iati_real_ec_devco_aware_2.02_NOT_WELLFORMED.xml"
    frame, problems = read_iati(ec, recover=True, return_rejected=True)
    assert frame["donor"].tolist() == ["EUI"]  # XI-IATI-EC_DEVCO
    assert not (problems["column"] == "reporting-org/@ref").any()
