"""Telling input formats apart by their content (magic bytes, XML root, header row).

The file name's extension is not trusted: a CRS download saved as ``.csv`` or ``.txt``, a
zipped CSV, a workbook without extension and an IATI file named ``.txt`` are all recognised.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

__all__ = ["CRS_MARKERS", "KIEL_MARKERS", "header_fields", "sniff"]

#: Header columns that identify an OECD CRS bulk download (3 or more present).
CRS_MARKERS = frozenset(
    {
        "year",
        "donorcode",
        "donorname",
        "recipientcode",
        "recipientname",
        "purposecode",
        "purposename",
        "flowname",
        "usd_commitment",
        "usd_disbursement",
        "usd_commitment_defl",
        "usd_disbursement_defl",
        "currencycode",
        "commitment_national",
        "disbursement_national",
    }
)
#: Header columns of the Kiel tracker (workbook headers or the processed Norwegian CSV).
KIEL_MARKERS = frozenset(
    {
        "giver",
        "dato",
        "verdi_eur",
        "verdi_eur_redistr",
        "maal",
        "kategori",
        "tot_sub_activity_value_eur",
        "aid_type_general",
        "announcement_date",
        "measure",
    }
)
_KIEL_SHEET = b"Bilateral Assistance, MAIN DATA"
_DELIMITERS = ("|", "\t", ";", ",")


def _decode(head: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return head.decode(encoding)
        except UnicodeDecodeError:
            continue
    return head.decode("latin-1")  # pragma: no cover - latin-1 decodes anything


def header_fields(head: bytes) -> tuple[str, list[str]]:
    """Delimiter and column names of the first line of a delimited text.

    Examples
    --------
    >>> header_fields(b"\\xef\\xbb\\xbfYear|DonorCode|DonorName \\n2022|1|x")
    ('|', ['Year', 'DonorCode', 'DonorName'])
    >>> header_fields(b'"a";"b"\\n1;2')
    (';', ['a', 'b'])
    """
    text = _decode(head[:65536])
    first = text.splitlines()[0] if text else ""
    delimiter = max(_DELIMITERS, key=first.count) if first else ","
    if first.count(delimiter) == 0:
        delimiter = ","
    fields = [f.strip().strip('"').strip() for f in first.split(delimiter)]
    return delimiter, fields


def _text_kind(head: bytes) -> str:
    stripped = head.lstrip(b"\xef\xbb\xbf").lstrip()
    if stripped.startswith(b"<"):
        if re.search(rb"<iati-(activities|activity)\b", head[:65536]):
            return "iati"
        return "xml"
    if b"\x00" in head[:4096]:
        return "unknown"
    _, fields = header_fields(head)
    names = {f.lower() for f in fields}
    if len(names & CRS_MARKERS) >= 3:
        return "crs"
    if len(names & KIEL_MARKERS) >= 3:
        return "kiel_csv"
    return "csv"


def sniff(path: str | Path) -> str:
    """What a file is, from its content.

    Returns one of ``"iati"``, ``"xml"`` (other XML), ``"xlsx"``, ``"kiel_xlsx"`` (a workbook
    with Kiel's main-data sheet), ``"parquet"``, ``"crs"``, ``"kiel_csv"``, ``"csv"`` (any
    other delimited text), ``"zip"`` (an archive holding none of these) or ``"unknown"``
    (binary). A zip holding one CSV is classified by that CSV (``"crs"``...).

    Examples
    --------
    >>> import tempfile, os
    >>> folder = tempfile.mkdtemp()
    >>> def make(name, data):
    ...     path = os.path.join(folder, name)
    ...     _ = open(path, "wb").write(data)
    ...     return path
    >>> sniff(make("a.txt", b"<?xml version='1.0'?><iati-activities/>"))
    'iati'
    >>> sniff(make("b.dat", b"Year|DonorName|PurposeCode|USD_Disbursement\\n"))
    'crs'
    >>> sniff(make("c.csv", b"giver,dato,verdi_eur\\n"))
    'kiel_csv'
    >>> sniff(make("d", b"PAR1...."))
    'parquet'
    """
    p = Path(path)
    with p.open("rb") as fh:
        head = fh.read(65536)
    if head.startswith(b"PAR1"):
        return "parquet"
    if head.startswith(b"PK\x03\x04"):
        return _zip_kind(p)
    if head.startswith(b"PK\x05\x06"):  # an empty archive: only the end record
        return "zip"
    return _text_kind(head)


def _zip_kind(path: Path) -> str:
    try:
        with zipfile.ZipFile(path) as zf:
            names = zf.namelist()
            if "xl/workbook.xml" in names:
                workbook = zf.read("xl/workbook.xml")
                escaped = _KIEL_SHEET.replace(b"&", b"&amp;")
                return "kiel_xlsx" if escaped in workbook or _KIEL_SHEET in workbook else "xlsx"
            members = [n for n in names if not n.endswith("/")]
            texts = [n for n in members if n.lower().endswith((".csv", ".txt"))] or members
            if not texts:
                return "zip"
            with zf.open(texts[0]) as member:
                head = member.read(65536)
            kind = _text_kind(head)
            return kind if kind in ("crs", "kiel_csv", "csv", "iati") else "zip"
    except (zipfile.BadZipFile, OSError):
        return "unknown"


def zip_member(path: Path) -> str | None:
    """Name of the delimited-text member a zip archive holds (the first, if several).

    Examples
    --------
    >>> import tempfile, os, zipfile
    >>> p = os.path.join(tempfile.mkdtemp(), "crs.zip")
    >>> with zipfile.ZipFile(p, "w") as zf:
    ...     zf.writestr("readme.md", "x"); zf.writestr("CRS 2022 data.txt", "Year|x")
    >>> zip_member(Path(p))
    'CRS 2022 data.txt'
    """
    with zipfile.ZipFile(path) as zf:
        members = [n for n in zf.namelist() if not n.endswith("/")]
    texts = [n for n in members if n.lower().endswith((".csv", ".txt"))]
    return texts[0] if texts else members[0] if members else None
