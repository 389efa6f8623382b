"""Hostile zip archives and workbooks, built small in a test (nothing large is committed).

A zip bomb here is real: its member inflates to what it declares. The deflate stream is one
compressed megabyte of zeros (or of a repeated text row) repeated: each copy ends with a full
flush, so copies are independent deflate blocks and the stream is valid whatever the count.
Building a 3 GB member this way costs a few megabytes and well under a second (the CRC of
the inflated bytes is computed only when asked for: refusing happens before any CRC check).
"""

from __future__ import annotations

import struct
import zipfile
import zlib
from pathlib import Path

MB = 1 << 20

CRS_HEADER = b"Year|DonorName|PurposeCode|USD_Disbursement\n"
CRS_ROW = b"2022|Japan|15250|1.5\n"


def _deflated_copies(unit: bytes, copies: int) -> bytes:
    """A raw deflate stream of ``unit`` repeated ``copies`` times (full-flushed copies)."""
    comp = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = comp.compress(unit) + comp.flush(zlib.Z_FULL_FLUSH)
    tail = zlib.compressobj(9, zlib.DEFLATED, -15).flush(zlib.Z_FINISH)  # an empty last block
    return block * copies + tail


def _crc(head: bytes, unit: bytes, copies: int) -> int:
    crc = zlib.crc32(head)
    for _ in range(copies):
        crc = zlib.crc32(unit, crc)
    return crc


def write_zip(path: Path, members: list[tuple[str, bytes, int, int, int, int]]) -> Path:
    """Write an archive by hand: ``(name, data, method, crc, size, flags)`` per member
    (``data`` already compressed by ``method``; sizes as declared). No zip64: sizes < 4 GB."""
    out = bytearray()
    central = bytearray()
    for name, data, method, crc, size, flags in members:
        raw = name.encode()
        offset = len(out)
        out += struct.pack(
            "<IHHHHHIIIHH",
            0x04034B50,
            20,
            flags,
            method,
            0,
            0x21,
            crc,
            len(data),
            size,
            len(raw),
            0,
        )
        out += raw + data
        central += struct.pack(
            "<IHHHHHHIIIHHHHHII",
            0x02014B50,
            20,
            20,
            flags,
            method,
            0,
            0x21,
            crc,
            len(data),
            size,
            len(raw),
            0,
            0,
            0,
            0,
            0,
            offset,
        )
        central += raw
    end = struct.pack(
        "<IHHHHIIH", 0x06054B50, 0, 0, len(members), len(members), len(central), len(out), 0
    )
    path.write_bytes(bytes(out + central + end))
    return path


def bomb_member(
    name: str, inflated: int, *, head: bytes = b"", unit: bytes = b"\0" * MB, crc: bool = False
) -> tuple[str, bytes, int, int, int, int]:
    """A deflated member that really inflates to about ``inflated`` bytes."""
    copies = max(1, (inflated - len(head)) // len(unit))
    data = zlib.compressobj(9, zlib.DEFLATED, -15)
    first = data.compress(head) + data.flush(zlib.Z_FULL_FLUSH) if head else b""
    body = _deflated_copies(unit, copies)
    size = len(head) + copies * len(unit)
    return name, first + body, 8, _crc(head, unit, copies) if crc else 0, size, 0


def stored_member(name: str, data: bytes, flags: int = 0) -> tuple[str, bytes, int, int, int, int]:
    return name, data, 0, zlib.crc32(data), len(data), flags


def deflated_member(
    name: str, data: bytes, *, method: int = 8, flags: int = 0
) -> tuple[str, bytes, int, int, int, int]:
    """A member deflated for real, declared with ``method`` (9: Deflate64) and ``flags``
    (bit 0: encrypted)."""
    comp = zlib.compressobj(9, zlib.DEFLATED, -15)
    packed = comp.compress(data) + comp.flush()
    return name, packed, method, zlib.crc32(data), len(data), flags


WORKBOOK_PARTS = {
    "[Content_Types].xml": (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        b'<Default Extension="rels" '
        b'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        b'<Default Extension="xml" ContentType="application/xml"/>'
        b'<Override PartName="/xl/workbook.xml" ContentType="application/'
        b'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        b'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/'
        b'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        b"</Types>"
    ),
    "_rels/.rels": (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        b'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
    ),
    "xl/_rels/workbook.xml.rels": (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        b'relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
    ),
    "xl/workbook.xml": (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        b'<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        b'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        b'<sheets><sheet name="pledges" sheetId="1" r:id="rId1"/></sheets></workbook>'
    ),
    "xl/worksheets/sheet1.xml": (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b"<sheetData>"
        b'<row r="1"><c r="A1" t="inlineStr"><is><t>donor</t></is></c>'
        b'<c r="B1" t="inlineStr"><is><t>amount</t></is></c>'
        b'<c r="C1" t="inlineStr"><is><t>currency</t></is></c></row>'
        b'<row r="2"><c r="A2" t="inlineStr"><is><t>JPN</t></is></c><c r="B2"><v>5</v></c>'
        b'<c r="C2" t="inlineStr"><is><t>JPY</t></is></c></row>'
        b"</sheetData></worksheet>"
    ),
}


def workbook(path: Path, *, bomb_part: str | None = None, inflated: int = 3 * 1024 * MB) -> Path:
    """A valid minimal XLSX; ``bomb_part`` (e.g. ``xl/workbook.xml``,
    ``xl/sharedStrings.xml``) is replaced by (or added as) a part inflating to ``inflated``."""
    members = []
    for name, data in WORKBOOK_PARTS.items():
        if name == bomb_part:
            members.append(bomb_member(name, inflated, head=data[:60]))
        else:
            members.append(deflated_member(name, data))
    if bomb_part and bomb_part not in WORKBOOK_PARTS:
        unit = b"<si><t>x</t></si>" * 4096
        members.append(bomb_member(bomb_part, inflated, head=b"<sst>", unit=unit))
    return write_zip(path, members)


def ordinary_zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return path
