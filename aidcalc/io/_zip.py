"""The safe zip opener: :func:`open_zip` checks an archive's table of contents *before*
anything is decompressed (member count, declared uncompressed sizes, compression ratio,
encryption and compression method; limits :data:`MAX_MEMBERS`, :data:`MAX_UNCOMPRESSED`,
:data:`MAX_WORKBOOK_UNCOMPRESSED`, :data:`MAX_RATIO`, raised per call with
``max_uncompressed=`` / ``max_ratio=``), :func:`data_member` picks the one data member or
refuses naming the candidates, and :func:`open_member` reads it with damage reported.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any, NamedTuple

from .._base._errors import InputFileError, join_values
from ._options import check_limit

__all__ = [
    "MAX_MEMBERS",
    "MAX_RATIO",
    "MAX_UNCOMPRESSED",
    "MAX_WORKBOOK_UNCOMPRESSED",
    "RATIO_FLOOR",
    "ZIP_ERRORS",
    "ZipLimits",
    "check_zip",
    "damaged_member",
    "data_member",
    "data_members",
    "file_error",
    "open_member",
    "open_zip",
    "read_prefix",
    "size_text",
    "skipped_members",
]


#: Most members a zip archive (or XLSX workbook) may have before it is refused.
MAX_MEMBERS = 10_000
#: Most bytes the members of an archive may declare, all together, before it is refused
#: (``max_uncompressed=`` raises it). CRS text is streamed, so this bounds time, not memory;
#: a workbook is loaded, so its own limit is :data:`MAX_WORKBOOK_UNCOMPRESSED`.
MAX_UNCOMPRESSED = 8 * 2**30
#: The same for XLSX workbooks, which are read into memory (``max_uncompressed=`` raises it).
MAX_WORKBOOK_UNCOMPRESSED = 1 * 2**30
#: Highest compression ratio (uncompressed / compressed) of a member larger than
#: :data:`RATIO_FLOOR` (``max_ratio=`` raises it). Genuine CRS zips are about 10:1 and
#: workbooks rarely pass 50:1; a zip bomb of zeros is about 1000:1.
MAX_RATIO = 200.0
#: Members smaller than this are not held to :data:`MAX_RATIO` (they cannot blow up).
RATIO_FLOOR = 2**20

#: Compression methods Python's ``zipfile`` reads.
_SUPPORTED = {
    zipfile.ZIP_STORED: "stored",
    zipfile.ZIP_DEFLATED: "deflate",
    zipfile.ZIP_BZIP2: "bzip2",
    zipfile.ZIP_LZMA: "LZMA",
}
_METHODS = {
    1: "shrink",
    6: "implode",
    9: "Deflate64",
    10: "PKWARE DCL implode",
    93: "Zstandard",
    95: "xz",
    98: "PPMd",
    99: "AES encryption",
}
#: What the zip and decompression libraries raise on a damaged archive or member.
ZIP_ERRORS: tuple[type[BaseException], ...] = (
    zipfile.BadZipFile,
    zlib.error,
    EOFError,
    NotImplementedError,
    RuntimeError,
    OSError,
)


class ZipLimits(NamedTuple):
    """Limits an archive is checked against before anything in it is decompressed."""

    max_uncompressed: int | float | None = None
    max_ratio: float | None = None

    def checked(self) -> ZipLimits:
        check_limit("max_uncompressed", self.max_uncompressed)
        check_limit("max_ratio", self.max_ratio)
        return self


def size_text(n: float) -> str:
    for unit, scale in (("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if n >= scale:
            return f"{n / scale:,.1f} {unit}"
    return f"{int(n)} bytes"


def file_error(label: str, message: str, reason: str, member: str | None = None) -> InputFileError:
    return InputFileError(f"{label}: {message}", path=label, member=member, reason=reason)


def check_zip(
    zf: zipfile.ZipFile, label: str, limits: ZipLimits, *, workbook: bool, archive: int
) -> None:
    """Check an open archive's table of contents (nothing is decompressed).

    Refuses (naming the member and the limit): more than :data:`MAX_MEMBERS` members,
    encrypted members, compression methods ``zipfile`` cannot read (Deflate64...), members
    that declare more bytes than the archive holds (truncated), more than the uncompressed
    limit in all, and a member larger than :data:`RATIO_FLOOR` whose compression ratio is
    above the ratio limit.
    """
    infos = zf.infolist()
    if len(infos) > MAX_MEMBERS:
        raise file_error(
            label,
            f"zip archive with {len(infos):,} members, more than the limit of "
            f"{MAX_MEMBERS:,} (aidcalc.io._zip.MAX_MEMBERS)",
            "too many members",
        )
    max_ratio = limits.max_ratio or MAX_RATIO
    for info in infos:
        _check_member(info, label, archive, max_ratio)
    _check_total(sum(info.file_size for info in infos), label, limits, workbook)


def _check_member(info: zipfile.ZipInfo, label: str, archive: int, max_ratio: float) -> None:
    """One member: not encrypted, a method zipfile reads, within the archive, ratio."""
    name = info.filename
    if info.flag_bits & 0x1 or info.compress_type == 99:
        raise file_error(
            label,
            f"zip member {name!r} is encrypted (password-protected); aidcalc reads "
            "unencrypted archives only: extract it with its password and read the file",
            "encrypted zip member",
            name,
        )
    if info.compress_type not in _SUPPORTED:
        method = _METHODS.get(info.compress_type, "unknown")
        raise file_error(
            label,
            f"zip member {name!r} uses compression method {info.compress_type} "
            f"({method}), which aidcalc cannot read; re-zip it with ordinary deflate "
            "or extract it and read the file",
            "unsupported compression",
            name,
        )
    if info.header_offset + info.compress_size > archive:
        raise file_error(
            label,
            f"zip member {name!r} declares {size_text(info.compress_size)} of data beyond the "
            f"end of the archive ({size_text(archive)}): the zip is truncated or damaged",
            "truncated zip",
            name,
        )
    ratio = info.file_size / max(info.compress_size, 1)
    if info.file_size > RATIO_FLOOR and ratio > max_ratio:
        raise file_error(
            label,
            f"zip member {name!r} would inflate {size_text(info.compress_size)} to "
            f"{size_text(info.file_size)} (ratio {ratio:,.0f}:1), above the limit of "
            f"{max_ratio:,.0f}:1 (aidcalc.io._zip.MAX_RATIO; a zip bomb?); "
            "if the file is genuine, pass max_ratio= a higher limit",
            "compression ratio over the limit",
            name,
        )


def _check_total(total: int, label: str, limits: ZipLimits, workbook: bool) -> None:
    """All members together within the uncompressed limit (a workbook's own, lower one)."""
    max_total = limits.max_uncompressed or (
        MAX_WORKBOOK_UNCOMPRESSED if workbook else MAX_UNCOMPRESSED
    )
    if total > max_total:
        what = "workbook" if workbook else "archive"
        constant = "MAX_WORKBOOK_UNCOMPRESSED" if workbook else "MAX_UNCOMPRESSED"
        raise file_error(
            label,
            f"{what} declares {size_text(total)} uncompressed, above the limit of "
            f"{size_text(max_total)} (aidcalc.io._zip.{constant}); if the file is genuine, "
            "pass max_uncompressed= a higher number of bytes",
            "uncompressed size over the limit",
        )


@contextmanager
def open_zip(
    path: Path, label: str, limits: ZipLimits | None = None, *, workbook: bool | None = None
) -> Iterator[zipfile.ZipFile]:
    """Open an archive after :func:`check_zip`; a damaged archive is an InputFileError.

    ``workbook`` (default: whether it has ``xl/workbook.xml``) chooses the default limit of
    the uncompressed size (:data:`MAX_WORKBOOK_UNCOMPRESSED` or :data:`MAX_UNCOMPRESSED`).
    """
    try:
        zf = zipfile.ZipFile(path)
    except ZIP_ERRORS as exc:
        raise file_error(
            label,
            f"damaged or truncated zip archive ({type(exc).__name__}: {exc})",
            "damaged zip",
        ) from None
    with zf:
        if workbook is None:
            workbook = "xl/workbook.xml" in zf.NameToInfo
        check_zip(zf, label, limits or ZipLimits(), workbook=workbook, archive=path.stat().st_size)
        yield zf


def damaged_member(label: str, member: str, exc: BaseException) -> InputFileError:
    """The error for a member that fails while it is read (bad CRC, truncated data)."""
    detail = str(exc).splitlines()[0] if str(exc) else "no detail"
    return file_error(
        label,
        f"zip member {member!r} is damaged ({type(exc).__name__}: {detail})",
        "damaged zip member",
        member,
    )


def read_prefix(zf: zipfile.ZipFile, member: str, label: str, size: int = 65536) -> bytes:
    """At most ``size`` bytes from the start of a member (never the whole member)."""
    try:
        with zf.open(member) as fh:
            return fh.read(size)
    except ZIP_ERRORS as exc:
        raise damaged_member(label, member, exc) from None


_TEXT_SUFFIXES = (".csv", ".txt", ".tsv", ".tab", ".dat")


def _ignorable(name: str) -> bool:
    base = name.rsplit("/", 1)[-1]
    return name.endswith("/") or name.startswith("__MACOSX/") or base.startswith("._") or not base


def data_members(names: Iterable[str]) -> list[str]:
    """The members that may hold the data: text-named files if any, else every file.

    Examples
    --------
    >>> data_members(["readme.md", "CRS 2022 data.txt", "__MACOSX/._CRS 2022 data.txt"])
    ['CRS 2022 data.txt']
    """
    files = [n for n in names if not _ignorable(n)]
    texts = [n for n in files if n.lower().endswith(_TEXT_SUFFIXES)]
    return texts or files


def data_member(
    zf: zipfile.ZipFile, label: str, member: str | None = None
) -> tuple[str, list[str]]:
    """(the member to read, the other files not read) of an archive.

    ``member`` names it; otherwise the archive must hold exactly one data member
    (:func:`data_members`), else the error lists them and names ``member=``.
    """
    names = zf.namelist()
    files = [n for n in names if not _ignorable(n)]
    if member is not None:
        if member not in files:
            raise file_error(
                label,
                f"zip archive has no member {member!r}; it has {join_values(files)}",
                "missing zip member",
                member,
            )
        chosen = member
    else:
        candidates = data_members(names)
        if not candidates:
            raise file_error(label, "empty zip archive (no files in it)", "empty zip")
        if len(candidates) > 1:
            raise file_error(
                label,
                f"zip archive holds {len(candidates)} data files ({join_values(candidates)}); "
                "aidcalc reads one at a time: pass member= the one to read",
                "several zip members",
            )
        chosen = candidates[0]
    return chosen, [n for n in files if n != chosen]


def skipped_members(label: str, skipped: Iterable[str]) -> list[dict[str, Any]]:
    """Rejected-report rows for archive members that were not read: ``"left out"`` for a
    member named like data (``.csv``, ``.txt``...: rows may be in it), a ``"note"`` for
    another file (a ``readme.pdf``).

    Examples
    --------
    >>> [(r["value"], r["kind"]) for r in skipped_members("a.zip", ["b.csv", "readme.pdf"])]
    [('b.csv', 'left out'), ('readme.pdf', 'note')]
    """
    return [
        {
            "source": label,
            "row": None,
            "column": None,
            "value": name,
            "reason": f"zip member {name!r} not read (not the data file)",
            "kept": False,
            "kind": "left out" if name.lower().endswith(_TEXT_SUFFIXES) else "note",
        }
        for name in skipped
    ]


@contextmanager
def open_member(zf: zipfile.ZipFile, member: str, label: str) -> Iterator[IO[bytes]]:
    """A member as a stream; its read errors (bad CRC, truncation) name the member."""
    try:
        fh = zf.open(member)
    except ZIP_ERRORS as exc:
        raise damaged_member(label, member, exc) from None
    with fh:
        yield _GuardedStream(fh, label, member)  # type: ignore[misc]  # a binary stream


class _GuardedStream(io.RawIOBase):
    """A member stream whose read errors become InputFileError naming the member."""

    def __init__(self, inner: IO[bytes], label: str, member: str) -> None:
        super().__init__()
        self._inner, self._label, self._member = inner, label, member

    def readable(self) -> bool:
        return True

    def read(self, size: int | None = -1) -> bytes:
        try:
            return self._inner.read(-1 if size is None else size)
        except ZIP_ERRORS as exc:
            raise damaged_member(self._label, self._member, exc) from None

    def readinto(self, buffer: Any) -> int:
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def readline(self, size: int | None = -1) -> bytes:
        try:
            return self._inner.readline(-1 if size is None else size)
        except ZIP_ERRORS as exc:
            raise damaged_member(self._label, self._member, exc) from None

    def tell(self) -> int:
        return self._inner.tell()
