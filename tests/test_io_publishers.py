"""Readers on files as real publishers write them (IATI 1.0x-2.0x, CRS text encodings).

The rules tested here come from real public files read with aidcalc (listed, with their
source, licence and what happened before and after, in ``tests/fixtures/io/PUBLISHERS.md``).
The files themselves are not copied into the repository: the documents below are generated,
with the layouts those publishers used:

* pre-1.0 drafts (IATI-Schemas ``test-data``: World Bank, DFID, Global Fund, UNDP samples of
  2010) give the type as ``<transaction type="commitment">``; 1.0x publishers wrote the
  codelist name as text; both were read with an empty status before;
* OCHA's Haiti 2010 file names reporting organisations "SC  (Save the Children )",
  "CW (Concern Worldwide)" with numeric ``@ref``: the initials were read as the ISO codes of
  the Seychelles and Curacao (22 transactions given to those "donors");
* Spain's MAEC (IATI 2.01, Indonesia) publishes negative disbursements: kept as published
  (the generated files below have negative values);
* CRS text or CSV saved by Excel on Windows is Windows-1252 (8-bit): names were
  read with U+FFFD (a donor such as "Türkiye" was then lost), and ``read_table`` refused them.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

import aidcalc
from aidcalc._real._donors import iso2_to_iso3
from aidcalc.io import read_crs, read_iati, read_table

TYPES = pd.read_csv(
    Path(aidcalc.__file__).parent / "io" / "_iati_transaction_types.csv",
    dtype=str,
    keep_default_na=False,
)
VERSIONS = ("1.01", "1.03", "1.05", "2.01", "2.02", "2.03")
#: how a publisher writes the type: (spelling, table column, where)
SPELLINGS = (
    ("code", "code", "@code"),
    ("v1 code", "code_v1", "@code"),
    ("name as @code", "name", "@code"),
    ("1.0x name as text", "name_v1", "text"),
    ("2.0x name as text", "name", "text"),
    ("draft @type", "name_v1", "attribute"),
)


def _read(tmp_path, text: str, name: str, **kwargs):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return read_iati(path, return_rejected=True, **kwargs)


def _both(tmp_path, text: str):
    """Strict and recovering reads of a well-formed document agree; the strict one."""
    strict = _read(tmp_path, text, "strict.xml")
    recovered = _read(tmp_path, text, "recovered.xml", recover=True)
    pd.testing.assert_frame_equal(
        strict.frame.drop(columns="source"), recovered.frame.drop(columns="source")
    )
    pd.testing.assert_frame_equal(
        strict.rejected.drop(columns="source"), recovered.rejected.drop(columns="source")
    )
    return strict


def _type_markup(spelling: int, row: int, letter_case: str) -> tuple[str, str, str]:
    """(markup inside <transaction>, attributes of <transaction>, the text written)."""
    _, column, where = SPELLINGS[spelling]
    text = TYPES[column].iloc[row] or TYPES["code"].iloc[row]
    text = text.lower() if letter_case == "lower" else text
    if where == "@code":
        return f'<transaction-type code="{text}"/>', "", text
    if where == "text":
        return f"<transaction-type>{text}</transaction-type>", "", text
    return "", f' type="{text}"', text


transactions = st.lists(
    st.tuples(
        st.integers(0, len(SPELLINGS) - 1),
        st.integers(0, len(TYPES) - 1),
        st.sampled_from(["as is", "lower"]),
        st.decimals(min_value=-10**9, max_value=10**9, places=2, allow_nan=False),
        st.sampled_from([None, "JPY", "gbp"]),  # <value @currency>
        st.sampled_from(["", "T10:11:12", "T23:30:00+05:00", "Z", "T00:00:00-11:00"]),
    ),
    min_size=1,
    max_size=6,
)


@given(
    version=st.sampled_from(VERSIONS),
    activity_currency=st.sampled_from([None, "CHF"]),
    file_currency=st.sampled_from([None, "SEK"]),
    txs=transactions,
)
def test_generated_files_keep_every_transaction_its_currency_and_type(
    tmp_path_factory, version, activity_currency, file_currency, txs
):
    """Rule: each transaction is one row with its value to the cent (negative ones too), in
    its own currency, else the activity's, else the file's (said), else rejected; its type
    read however the publisher spelled it; its dates' calendar day whatever time or zone."""
    tmp_path = tmp_path_factory.mktemp("iati")
    body = []
    for k, (spelling, row, case, value, currency, clock) in enumerate(txs):
        inner, attrs, _ = _type_markup(spelling, row, case)
        cur = f' currency="{currency}"' if currency else ""
        body.append(
            f"<transaction{attrs}>{inner}"
            f'<transaction-date iso-date="2021-03-{k + 1:02d}{clock}"/>'
            f'<value{cur} value-date="2021-02-{k + 1:02d}{clock}">{value}</value>'
            "</transaction>"
        )
    act_cur = f' default-currency="{activity_currency}"' if activity_currency else ""
    file_cur = f' default-currency="{file_currency}"' if file_currency else ""
    doc = (
        f'<iati-activities version="{version}"{file_cur}><iati-activity{act_cur}>'
        '<iati-identifier>XX-1</iati-identifier><reporting-org ref="DE-GOV-1" type="10"/>'
        + "".join(body)
        + "</iati-activity></iati-activities>"
    )
    frame, rejected = _both(tmp_path, doc)

    expected = [(cur or activity_currency or file_currency) for *_, cur, _ in txs]
    kept = [k for k, c in enumerate(expected) if c]
    assert frame["transaction_index"].tolist() == [k + 1 for k in kept]
    assert frame["currency"].tolist() == [expected[k].upper() for k in kept]
    values = [txs[k][3] for k in kept]
    assert [Decimal(str(a)) for a in frame["amount"]] == values  # exact, sign kept
    rows = [txs[k][1] for k in kept]
    assert frame["transaction_type"].tolist() == TYPES["code"].iloc[rows].tolist()
    assert frame["status"].fillna("").tolist() == TYPES["status"].iloc[rows].tolist()
    days = [f"2021-03-{k + 1:02d}" for k in kept]
    assert frame["announced"].dt.strftime("%Y-%m-%d").tolist() == days
    assert frame["value_date"].dt.strftime("%Y-%m-%d").tolist() == [
        d.replace("-03-", "-02-") for d in days
    ]
    assert not (rejected["column"] == "transaction-type/@code").any()
    lost = rejected[rejected["column"] == "value/@currency"]
    assert len(lost) == len(txs) - len(kept) and not lost["kept"].any()
    from_file = sum(1 for *_, cur, _ in txs if not cur and not activity_currency and file_currency)
    assert (rejected["column"] == "iati-activities/@default-currency").sum() == from_file


def test_type_written_as_text_is_said_and_a_misspelt_one_is_not_guessed(tmp_path):
    # the World Bank's 2010 draft file: 14 "commitment" and 14 "disbursment" (sic)
    doc = (
        '<iati-activities version=""><iati-activity default-currency="USD">'
        "<iati-identifier>P084404</iati-identifier><reporting-org>World Bank</reporting-org>"
        '<transaction flow="" ref="" type="commitment"><value value-date="2007-01-01">'
        "5000000</value></transaction>"
        '<transaction flow="" ref="" type="disbursment"><value value-date="2008-06-30">'
        "1234567.89</value></transaction>"
        "</iati-activity></iati-activities>"
    )
    frame, rejected = _both(tmp_path, doc)
    assert frame["status"].fillna("").tolist() == ["committed", ""]
    assert frame["amount"].sum() == pytest.approx(6234567.89)
    said = dict(zip(rejected["column"], rejected["reason"], strict=True))
    assert "read as 2 (Outgoing Commitment)" in said["transaction/@type"]
    assert "unknown or missing transaction type" in said["transaction-type/@code"]


# --- donor names: initials are not country codes --------------------------------------------
@given(
    iso2=st.sampled_from(sorted(iso2_to_iso3())),
    org=st.sampled_from(
        ["Save the Children", "Concern Worldwide", "International Medical Corps", "Mercy Corps"]
    ),
    ref=st.sampled_from(["6079", "8498", ""]),
)
def test_initials_before_an_organisation_name_are_not_a_donor(tmp_path_factory, iso2, org, ref):
    """Rule: "XX (Organisation)" names no donor, whatever ISO code the initials spell
    (OCHA's Haiti file: "SC  (Save the Children )" was read as the Seychelles)."""
    tmp_path = tmp_path_factory.mktemp("iati")
    attr = f' ref="{ref}"' if ref else ""
    doc = (
        '<iati-activities version="1.01"><iati-activity default-currency="USD">'
        "<iati-identifier>OCHA-1</iati-identifier>"
        f"<reporting-org{attr}>{iso2}  ({org} )</reporting-org>"
        '<transaction><transaction-type code="D"/><value>100</value></transaction>'
        "</iati-activity></iati-activities>"
    )
    frame, rejected = _read(tmp_path, doc, "a.xml")
    assert frame["donor"].isna().all()
    assert frame["amount"].tolist() == [100.0]
    assert rejected["reason"].str.contains("no donor for the reporting organisation").any()


@pytest.mark.parametrize(
    ("name", "donor"),
    [
        ("Germany (BMZ)", "DEU"),  # every part names Germany
        ("Norway (5074)", "NOR"),  # an identifier in parentheses is not a part of the name
        ("DFID", "GBR"),
        ("United States Government", "USA"),
        ("Concern Worldwide (Ireland)", None),  # a part that names no donor
        ("Japan (EU)", None),  # two donors
    ],
)
def test_a_name_names_the_donor_only_when_each_part_does(tmp_path, name, donor):
    doc = (
        '<iati-activities version="1.03"><iati-activity default-currency="EUR">'
        f"<iati-identifier>A</iati-identifier><reporting-org>{name}</reporting-org>"
        '<transaction><transaction-type code="C"/><value>1</value></transaction>'
        "</iati-activity></iati-activities>"
    )
    frame, _ = _read(tmp_path, doc, "a.xml")
    assert frame["donor"].iloc[0] == donor or (donor is None and pd.isna(frame["donor"][0]))


# --- CRS and tables in Windows-1252 ---------------------------------------------------------
#: letters of Windows-1252 (one byte each, 0xC0-0xFF): two of them never make a UTF-8
#: character, so the text cannot be mistaken for UTF-8 (symbols such as "€" and "Š" are
#: bytes 0x80-0xBF, which after a letter can: "ÄŒ" is also the UTF-8 of "Č")
cp1252_names = st.text(
    alphabet=st.sampled_from(list("abcdeéèêëçàâîïôöüÿñßÄÖÜÉØÅæ'- ")), min_size=1, max_size=12
).map(str.strip).filter(bool)


@given(names=st.lists(cp1252_names, min_size=1, max_size=5))
def test_windows_1252_crs_text_reads_its_names(tmp_path_factory, names):
    """Rule: a CRS text in Windows-1252 reads every name as written, money unchanged."""
    path = tmp_path_factory.mktemp("crs") / "crs.txt"
    lines = ["Year|DonorName|RecipientName|PurposeCode|USD_Disbursement"]
    lines += [f"2010|France|{n}|72010|{k}.5" for k, n in enumerate(names)]
    path.write_bytes(("\n".join(lines) + "\n").encode("cp1252"))
    frame, _ = read_crs(path, return_rejected=True)
    assert frame["recipient_name"].tolist() == names
    assert frame["amount"].tolist() == [(k + 0.5) * 1e6 for k in range(len(names))]


def test_windows_1252_donor_names_give_their_donor(tmp_path):
    path = tmp_path / "crs.txt"
    text = "Year|DonorName|PurposeCode|USD_Commitment\n2010|Türkiye|72010|2\n"
    path.write_bytes(text.encode("cp1252"))
    frame, rejected = read_crs(path, amount="commitment", return_rejected=True)
    assert frame["donor"].tolist() == ["TUR"] and rejected.empty
    assert frame["amount"].tolist() == [2_000_000.0]


def test_windows_1252_table_is_read_not_refused(tmp_path):
    path = tmp_path / "pledges.csv"
    text = (
        "donor;date;amount;currency\n"
        "Türkiye;2022-03-01;1500000;EUR\n"
        "France;2022-03-02;2000;EUR\n"
    )
    path.write_bytes(text.encode("cp1252"))
    frame = read_table(path)
    assert frame["donor"].tolist() == ["TUR", "FRA"]
    assert frame["amount"].tolist() == [1_500_000.0, 2000.0]
    assert frame["currency"].tolist() == ["EUR", "EUR"]


def test_one_encoding_per_file_and_stray_bytes_in_utf8(tmp_path):
    """The first block that is not ASCII decides (past the first 64 KiB here); a stray byte
    in UTF-8 text is read as Windows-1252, the UTF-8 around it unchanged."""
    header = "Year|DonorName|RecipientName|PurposeCode|USD_Disbursement\n"
    filler = "2010|France|Mali|72010|1\n" * 4000  # ~100 KB of ASCII
    late = "2010|France|Côte d'Ivoire|72010|2\n2010|Türkiye|Mali|72010|3\n"
    path = tmp_path / "legacy.txt"
    path.write_bytes((header + filler + late).encode("cp1252"))
    frame = read_crs(path)
    assert frame["recipient_name"].iloc[-2] == "Côte d'Ivoire"
    assert frame["donor"].iloc[-1] == "TUR" and len(frame) == 4002
    mixed = tmp_path / "mixed.txt"
    mixed.write_bytes((header + late).encode("utf-8") + b"2010|France|M\xe9xico|72010|4\n")
    frame = read_crs(mixed)
    assert frame["recipient_name"].tolist() == ["Côte d'Ivoire", "Mali", "México"]
