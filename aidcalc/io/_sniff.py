"""Telling input formats apart by their content (magic bytes, XML root, header row).

The file name's extension is not trusted: a CRS download saved as ``.csv`` or ``.txt``, a
zipped CSV, a workbook without extension and an IATI file named ``.txt`` are all recognised.
"""

from __future__ import annotations

import re
from pathlib import Path

from ._common import ZipLimits, data_member, data_members, open_zip, read_prefix

__all__ = ["CRS_MARKERS", "KIEL_MARKERS", "SDMX_MARKERS", "header_fields", "is_sdmx", "sniff"]

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
#: Header columns of an SDMX-CSV export of OECD CRS / DAC data (the OECD Data Explorer's
#: "csvfile" or "csvfilewithlabels"): all of them present.
SDMX_MARKERS = frozenset({"donor", "time_period", "obs_value"})
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


def is_sdmx(fields: list[str]) -> bool:
    """Whether a header is an SDMX-CSV export of OECD CRS / DAC data (``DONOR``,
    ``TIME_PERIOD``, ``OBS_VALUE``; :mod:`aidcalc.io._crs_sdmx` reads it).

    Examples
    --------
    >>> is_sdmx(["STRUCTURE", "DONOR", "Donor", "TIME_PERIOD", "OBS_VALUE"])
    True
    >>> is_sdmx(["Year", "DonorName", "USD_Disbursement"])
    False
    """
    return {f.lower() for f in fields} >= SDMX_MARKERS


def _text_kind(head: bytes) -> str:
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):  # UTF-16 text, with its byte-order mark
        text = head[: len(head) // 2 * 2].decode("utf-16", errors="replace")
        return _text_kind(text.encode("utf-8"))
    stripped = head.lstrip(b"\xef\xbb\xbf").lstrip()
    if stripped.startswith(b"<"):
        if re.search(rb"<iati-(activities|activity)\b", head[:65536]):
            return "iati"
        return "xml"
    if b"\x00" in head[:4096]:
        return "unknown"
    _, fields = header_fields(head)
    names = {f.lower() for f in fields}
    if len(names & CRS_MARKERS) >= 3 or is_sdmx(fields):
        return "crs"
    if len(names & KIEL_MARKERS) >= 3:
        return "kiel_csv"
    return "csv"


def sniff(
    path: str | Path,
    *,
    limits: ZipLimits | None = None,
    member: str | None = None,
    label: str | None = None,
) -> str:
    """What a file is, from its content (a bounded prefix: never a whole file or member).

    Returns one of ``"iati"``, ``"xml"`` (other XML), ``"xlsx"``, ``"kiel_xlsx"`` (a workbook
    with Kiel's main-data sheet), ``"parquet"`` (a Parquet table), ``"crs"`` (CRS text, zipped
    or not, or Parquet whose schema has CRS columns), ``"kiel_csv"``, ``"csv"`` (any
    other delimited text), ``"zip"`` (an archive holding none of these) or ``"unknown"``
    (binary). A zip holding one data file (or ``member``) is classified by that file
    (``"crs"``...); a zip is checked against ``limits`` before anything in it is read, and
    one that is damaged, encrypted, over the limits or holds several data files raises
    :class:`aidcalc.InputFileError` (named by ``label``, default the path).

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
    name = str(p) if label is None else label
    with p.open("rb") as fh:
        head = fh.read(65536)
    if head.startswith(b"PAR1"):
        return _parquet_kind(p)
    if head.startswith(b"PK\x03\x04"):
        return _zip_kind(p, name, limits, member)
    if head.startswith(b"PK\x05\x06"):  # an empty archive: only the end record
        return "zip"
    return _text_kind(head)


def _parquet_kind(path: Path) -> str:
    """``"crs"`` for a Parquet file whose schema (its footer: no row is read) has 3 or more
    CRS columns, else ``"parquet"`` (a table)."""
    from ._parquet import crs_fields, schema_names

    names = schema_names(path)
    return "crs" if names is not None and crs_fields(names) >= 3 else "parquet"


#: How much of a workbook's ``xl/workbook.xml`` is read to find the sheet names.
_WORKBOOK_PREFIX = 1 << 20


def _zip_kind(path: Path, label: str, limits: ZipLimits | None, member: str | None) -> str:
    with open_zip(path, label, limits) as zf:
        names = zf.namelist()
        if "xl/workbook.xml" in names:
            workbook = read_prefix(zf, "xl/workbook.xml", label, _WORKBOOK_PREFIX)
            escaped = _KIEL_SHEET.replace(b"&", b"&amp;")
            return "kiel_xlsx" if escaped in workbook or _KIEL_SHEET in workbook else "xlsx"
        if not data_members(names) and member is None:
            return "zip"
        chosen, _ = data_member(zf, label, member)
        kind = _text_kind(read_prefix(zf, chosen, label))
        return kind if kind in ("crs", "kiel_csv", "csv", "iati") else "zip"
