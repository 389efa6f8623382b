"""What every importer shares: the result type, the rejected-rows report, input checks, the
safe zip opener and the option checks.

Every reader goes through the same gate before it does any work:

* :func:`open_source` accepts a path (``str`` or ``os.PathLike``) or an open *binary* file
  object, and refuses anything else (``None``, an int, a DataFrame, text-mode files) with
  :class:`InputTypeError` naming the argument; a missing file, a folder, a device or pipe
  (``/dev/null``) and an empty file are :class:`aidcalc.InputFileError`.
* :func:`open_zip` checks an archive's table of contents *before* anything is decompressed:
  member count, declared uncompressed sizes, compression ratio, encryption and compression
  method (limits :data:`MAX_MEMBERS`, :data:`MAX_UNCOMPRESSED`, :data:`MAX_RATIO`, raised per
  call with ``max_uncompressed=`` / ``max_ratio=``), and :func:`data_member` picks the one
  data member or refuses naming the candidates.
* :func:`check_choice`, :func:`check_count` refuse bad option values with
  :class:`aidcalc.ValidationError` naming the option, the value and what is accepted.
"""

from __future__ import annotations

import codecs
import io
import os
import re
import stat
import tempfile
import zipfile
import zlib
from collections.abc import Collection, Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any, NamedTuple

import pandas as pd

from .._base._errors import InputFileError, ValidationError, join_values, outside_stacklevel

__all__ = [
    "MAX_MEMBERS",
    "MAX_RATIO",
    "MAX_UNCOMPRESSED",
    "REJECTED_COLUMNS",
    "InputTypeError",
    "ReadResult",
    "RejectedRows",
    "Source",
    "ZipLimits",
    "check_choice",
    "check_count",
    "check_path",
    "data_member",
    "finish",
    "local_file_reader",
    "open_source",
    "open_zip",
    "reason_counts",
    "rejected_frame",
    "url_scheme",
]

#: Columns of the rejected-rows report every importer returns.
REJECTED_COLUMNS = ("source", "row", "column", "value", "reason", "kept")

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


class InputTypeError(InputFileError, TypeError):
    """The input is not a path or a binary file object (also a ``TypeError``).

    Fields: ``argument`` (the parameter's name), ``got`` (the type name).
    """


class ReadResult(NamedTuple):
    """The pair a reader returns with ``return_rejected=True``: the frame and the report of
    what it did not take.

    By default every reader returns the frame alone (a :class:`pandas.DataFrame`, as
    pandas' readers do); ``return_rejected=True`` gives this pair. Unpack it
    (``frame, rejected = aidcalc.io.read_iati(path, return_rejected=True)``) or use the
    attributes. ``len(frame)`` plus the rejected *rows* accounts for every input row. In
    Jupyter (and IPython) the pair displays as a compact summary: rows read, and the
    rejected rows counted by reason.

    Attributes
    ----------
    frame
        The pledge frame (one row per input row, transaction or sector share).
    rejected
        One row per input row (or file part) not in ``frame`` or read with a problem:
        ``source`` (file), ``row`` (input row number or ``line N``), ``column`` (field),
        ``value`` (as found), ``reason`` (what is wrong and what was done), ``kept``
        (``True`` when the row is in ``frame`` all the same, e.g. with an empty date;
        ``False`` when it was left out, e.g. a zip member that was not read).
        (:func:`aidcalc.pledges` and :func:`aidcalc.io.read_table` list the rows as given,
        plus ``reason``.)

    Examples
    --------
    >>> r = ReadResult(pd.DataFrame({"amount": [1.0]}), rejected_frame([]))
    >>> frame, rejected = r
    >>> len(frame), list(rejected.columns)
    (1, ['source', 'row', 'column', 'value', 'reason', 'kept'])
    >>> print(r._summary_text())
    1 row read; nothing rejected
    """

    frame: pd.DataFrame
    rejected: pd.DataFrame

    def _summary_text(self) -> str:
        return summary_text(self.frame, self.rejected)

    def _repr_pretty_(self, p: Any, cycle: bool) -> None:  # IPython
        p.text("ReadResult(...)" if cycle else self._summary_text())

    def _repr_html_(self) -> str:  # Jupyter
        return summary_html(self.frame, self.rejected)


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}{'' if n == 1 else 's'}"


def reason_counts(rejected: pd.DataFrame) -> pd.DataFrame:
    """The rejected-rows report counted by reason (most frequent first): ``reason``,
    ``rows`` and, for the readers' reports, ``left_out`` (entries whose row is not in the
    frame).

    Examples
    --------
    >>> reason_counts(rejected_frame([
    ...     {"reason": "no amount", "kept": True}, {"reason": "no amount", "kept": True},
    ...     {"reason": "zip member not read", "kept": False}]))
                    reason  rows  left_out
    0            no amount     2         0
    1  zip member not read     1         1
    """
    if "reason" not in rejected.columns or not len(rejected):
        return pd.DataFrame({"reason": pd.Series([], dtype=object), "rows": []}).astype(
            {"rows": "int64"}
        )
    reasons = rejected["reason"].astype(object).where(rejected["reason"].notna(), "(no reason)")
    counts = reasons.value_counts(sort=True)
    out = pd.DataFrame({"reason": counts.index.astype(object), "rows": counts.to_numpy()})
    if "kept" in rejected.columns:
        left = (rejected["kept"] == False).groupby(reasons).sum()  # noqa: E712 - object column
        out["left_out"] = out["reason"].map(left).fillna(0).astype("int64")
    return out


def summary_text(frame: pd.DataFrame, rejected: pd.DataFrame) -> str:
    """One line for the frame, then the rejected rows counted by reason."""
    head = f"{_plural(len(frame), 'row')} read"
    if not len(rejected):
        return head + "; nothing rejected"
    counts = reason_counts(rejected)
    entries = _plural(len(rejected), "entry").replace("entrys", "entries")
    lines = [f"{head}; {entries} in the rejected-rows report (.rejected), by reason:"]
    shown = counts.head(20)
    pairs = zip(shown["reason"], shown["rows"], strict=True)
    lines += [f"  {int(n):>8,}  {reason}" for reason, n in pairs]
    if len(counts) > len(shown):
        lines.append(f"  ... and {len(counts) - len(shown)} more reasons")
    return "\n".join(lines)


def _counts_html(rejected: pd.DataFrame) -> str:
    import html

    counts = reason_counts(rejected)
    shown = counts.head(20)
    cols = [c for c in ("rows", "left_out") if c in shown.columns]
    header = "".join(f"<th>{c.replace('_', ' ')}</th>" for c in cols)
    body = "".join(
        "<tr>"
        + "".join(f"<td>{int(row[c]):,}</td>" for c in cols)
        + f"<td style='text-align:left'>{html.escape(str(row['reason']))}</td></tr>"
        for _, row in shown.iterrows()
    )
    more = (
        f"<p>... and {len(counts) - len(shown)} more reasons</p>"
        if len(counts) > len(shown)
        else ""
    )
    return (
        f"<table><thead><tr>{header}<th>reason</th></tr></thead><tbody>{body}</tbody>"
        f"</table>{more}"
    )


def summary_html(frame: pd.DataFrame, rejected: pd.DataFrame) -> str:
    """:func:`summary_text` as a compact HTML table (reasons escaped)."""
    head = f"{_plural(len(frame), 'row')} read"
    if not len(rejected):
        return f"<p>{head}; nothing rejected</p>"
    return (
        f"<p>{head}; {len(rejected):,} in the rejected-rows report (<code>.rejected</code>)"
        f"</p>{_counts_html(rejected)}"
    )


class RejectedRows(pd.DataFrame):
    """The rejected-rows report: a DataFrame that displays, in Jupyter and IPython, its
    rows counted by reason above the rows themselves.

    It is what ``return_rejected=True`` returns as ``rejected`` and what the readers put on
    ``frame.attrs["rejected"]``. Two things differ from a plain DataFrame so that it can
    travel in ``attrs``: ``copy.deepcopy`` returns the report itself (pandas deep-copies
    ``attrs`` on every operation; the report is shared, not copied), and ``==`` between two
    reports is identity (pandas compares ``attrs`` with ``==`` when it concatenates frames;
    compare contents with :meth:`pandas.DataFrame.equals`). Anything derived from it
    (``rejected[rejected["kept"]]``, ``rejected.copy()``) is a plain DataFrame.

    Examples
    --------
    >>> r = RejectedRows(rejected_frame([{"row": 3, "reason": "no amount", "kept": False}]))
    >>> r._repr_pretty_text().splitlines()[0]
    '1 entry in the rejected-rows report, by reason:'
    >>> type(r[["reason"]]).__name__
    'DataFrame'
    """

    @property
    def _constructor(self) -> Any:  # derived frames are plain DataFrames
        return pd.DataFrame

    def __deepcopy__(self, memo: Any = None) -> RejectedRows:
        return self

    def __eq__(self, other: object) -> Any:
        if isinstance(other, RejectedRows):
            return self is other
        return super().__eq__(other)

    def __ne__(self, other: object) -> Any:
        if isinstance(other, RejectedRows):
            return self is not other
        return super().__ne__(other)

    __hash__ = None  # as a DataFrame

    def _repr_pretty_text(self) -> str:
        if not len(self):
            return "empty rejected-rows report (nothing rejected)"
        counts = reason_counts(self)
        shown = counts.head(20)
        entries = _plural(len(self), "entry").replace("entrys", "entries")
        lines = [f"{entries} in the rejected-rows report, by reason:"]
        pairs = zip(shown["reason"], shown["rows"], strict=True)
        lines += [f"  {int(n):>8,}  {reason}" for reason, n in pairs]
        if len(counts) > len(shown):
            lines.append(f"  ... and {len(counts) - len(shown)} more reasons")
        return "\n".join(lines)

    def _repr_pretty_(self, p: Any, cycle: bool) -> None:  # IPython
        p.text("RejectedRows(...)" if cycle else f"{self._repr_pretty_text()}\n\n{self!r}")

    def _repr_html_(self) -> str | None:  # Jupyter
        table = super()._repr_html_()  # type: ignore[misc]
        if not len(self):
            return "<p>empty rejected-rows report (nothing rejected)</p>" + (table or "")
        return _counts_html(self) + (table or "")


def finish(
    result: tuple[pd.DataFrame, pd.DataFrame], return_rejected: bool, *, reader: str
) -> Any:
    """What a public reader returns: the frame alone (default), with the report on
    ``frame.attrs["rejected"]`` and ONE :class:`aidcalc.RejectedRowsWarning` when it is not
    empty; or, with ``return_rejected=True``, the ``(frame, rejected)`` pair (no warning).

    Examples
    --------
    >>> import warnings
    >>> pair = ReadResult(pd.DataFrame({"amount": [1.0]}),
    ...                   rejected_frame([{"row": 3, "reason": "no amount", "kept": False}]))
    >>> with warnings.catch_warnings(record=True) as seen:
    ...     warnings.simplefilter("always")
    ...     frame = finish(pair, False, reader="read_x")
    >>> type(frame).__name__, len(frame.attrs["rejected"])
    ('DataFrame', 1)
    >>> print(str(seen[0].message).replace("; ", ";\\n"))
    read_x: the rejected-rows report has 1 entry (1 left out of the frame, 0 kept with a problem);
    pass return_rejected=True to get (frame, rejected), or see frame.attrs['rejected']
    """
    from .._base._errors import RejectedRowsWarning

    if not isinstance(return_rejected, bool):
        check_choice("return_rejected", return_rejected, (False, True))
    frame, rejected = result
    if not isinstance(rejected, RejectedRows):
        rejected = RejectedRows(rejected)
        rejected.attrs = dict(result[1].attrs)
    out = ReadResult(frame, rejected)
    frame.attrs["rejected"] = rejected
    if return_rejected:
        return out
    if len(rejected):
        import warnings

        if "kept" in rejected.columns:
            left = int((rejected["kept"] == False).sum())  # noqa: E712 - object column
            entries = _plural(len(rejected), "entry").replace("entrys", "entries")
            what = (
                f"the rejected-rows report has {entries} ({left:,} left out of the frame, "
                f"{len(rejected) - left:,} kept with a problem)"
            )
        else:
            what = f"{_plural(len(rejected), 'row')} rejected (left out of the frame)"
        warnings.warn(
            f"{reader}: {what}; pass return_rejected=True to get (frame, rejected), "
            "or see frame.attrs['rejected']",
            RejectedRowsWarning,
            stacklevel=outside_stacklevel(),
        )
    return frame


def rejected_frame(records: Iterable[Mapping[str, Any]]) -> pd.DataFrame:
    """Build the rejected-rows report from dicts (missing keys become NA).

    Examples
    --------
    >>> rejected_frame([{"source": "a.csv", "row": 3, "reason": "no amount", "kept": False}])
      source  row column value     reason   kept
    0  a.csv    3    NaN   NaN  no amount  False
    """
    frame = pd.DataFrame(list(records), columns=list(REJECTED_COLUMNS))
    return frame.astype(object)


# --- the input gate -------------------------------------------------------------------------


class Source(NamedTuple):
    """A file ready to read: ``path`` on disk and ``label``, how messages name it."""

    path: Path
    label: str


_ACCEPTED = "a path, a URL or a binary file object"


def _is_binary_reader(obj: Any) -> bool:
    if isinstance(obj, io.TextIOBase):
        return False
    return callable(getattr(obj, "read", None))


def _type_error(obj: Any, argument: str) -> InputTypeError:
    got = type(obj).__name__
    hint = ""
    if isinstance(obj, io.TextIOBase):
        hint = "; the file is open in text mode: open it with 'rb'"
    elif isinstance(obj, (bytes, bytearray, memoryview)):
        hint = "; to read bytes in memory, wrap them in io.BytesIO"
    elif isinstance(obj, pd.DataFrame):
        hint = "; a DataFrame is already read: pass it to aidcalc.pledges instead"
    return InputTypeError(
        f"{argument} must be {_ACCEPTED}, not {got}{hint}",
        argument=argument,
        got=got,
        path=None,
        reason="not a path or binary file",
    )


def check_path(path: Any, *, argument: str = "path", regular: bool = False) -> Path:
    """Return ``path`` as a Path if it exists and is not a folder.

    Raises :class:`InputTypeError` for anything that is not a path, and
    :class:`aidcalc.InputFileError` for a missing file or a folder; with ``regular=True``
    (every reader but IATI, which guards a stream's bytes itself) also for a device or pipe
    (``/dev/null``, ``/dev/zero``, a FIFO: never read) and an empty file.

    Examples
    --------
    >>> check_path("/no/such/file.csv")
    Traceback (most recent call last):
    ...
    aidcalc.InputFileError: /no/such/file.csv: no such file
    >>> check_path(None)
    Traceback (most recent call last):
    ...
    aidcalc.io._common.InputTypeError: path must be a path, a URL or a binary ... not NoneType
    """
    if isinstance(path, (bytes, bytearray)) or not isinstance(path, (str, os.PathLike)):
        raise _type_error(path, argument)
    try:
        p = Path(path)
    except TypeError:  # an os.PathLike whose __fspath__ returns bytes
        raise _type_error(path, argument) from None
    if str(p) in ("", "."):
        raise InputFileError(
            f"{argument} is empty: give a file name", path=str(path), reason="empty path"
        )
    try:
        info = p.stat()
    except FileNotFoundError:
        raise InputFileError(f"{p}: no such file", path=str(p), reason="missing file") from None
    except (OSError, ValueError) as exc:  # permission, name too long, NUL in the name
        raise InputFileError(
            f"{p}: cannot be opened ({type(exc).__name__}: {exc})",
            path=str(p),
            reason="unreadable file",
        ) from None
    if stat.S_ISDIR(info.st_mode):
        raise InputFileError(
            f"{p}: is a folder, expected a file", path=str(p), reason="is a folder"
        )
    if not regular:
        return p
    if not stat.S_ISREG(info.st_mode):
        raise InputFileError(
            f"{p}: not a regular file (a device, pipe or socket); save the data to a file "
            "and read that",
            path=str(p),
            reason="not a regular file",
        )
    if info.st_size == 0:
        raise InputFileError(f"{p}: empty file (0 bytes)", path=str(p), reason="empty file")
    return p


#: Most bytes a URL may deliver before the download is refused (``aidcalc.io._common``
#: ``MAX_DOWNLOAD``; raise it for a genuine larger file). The OECD's largest CRS zip is
#: about 1 GB.
MAX_DOWNLOAD = 4 * 2**30
#: Seconds a URL may stay silent (connecting, or between blocks) before it is given up.
URL_TIMEOUT = 60.0

_URL = re.compile(r"^([A-Za-z][A-Za-z0-9+.\-]*)://")
#: Schemes read with urllib (as pandas does); others need fsspec.
_URLLIB_SCHEMES = ("http", "https", "ftp")


def url_scheme(source: Any) -> str | None:
    """The scheme of a URL given as a string (``"https"``, ``"s3"``), or None.

    Examples
    --------
    >>> url_scheme("https://example.org/crs.zip"), url_scheme("data/crs.zip")
    ('https', None)
    """
    if not isinstance(source, str):
        return None
    found = _URL.match(source)
    return found.group(1).lower() if found else None


def _safe_label(url: str) -> str:
    """A URL as messages name it: without a password in it."""
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    if parts.password is not None:
        host = parts.hostname or ""
        netloc = f"{parts.username}:***@{host}" + (f":{parts.port}" if parts.port else "")
        return urlunsplit(parts._replace(netloc=netloc))
    return url


def _copy(source: Any, target: Path, label: str, argument: str, cap: int | None) -> None:
    """Copy a binary stream into ``target`` in blocks (at most ``cap`` bytes)."""
    try:
        with target.open("wb") as out:
            first = source.read(0)
            if not isinstance(first, (bytes, bytearray)):
                raise _type_error(io.StringIO(), argument)
            total = 0
            while True:
                block = source.read(1 << 20)
                if not block:
                    break
                total += len(block)
                if cap is not None and total > cap:
                    raise InputFileError(
                        f"{label}: the download is larger than {_size(cap)} "
                        "(aidcalc.io._common.MAX_DOWNLOAD); download it yourself and read "
                        "the file",
                        path=label,
                        reason="download too large",
                    )
                out.write(block)
    except InputFileError:
        raise
    except (OSError, ValueError) as exc:  # closed or unreadable stream, a broken connection
        raise InputFileError(
            f"{label}: the {'download' if cap is not None else 'file object'} cannot be read "
            f"({type(exc).__name__}: {exc})",
            path=label,
            reason="unreadable file",
        ) from None


@contextmanager
def _open_url(url: str, scheme: str, options: Mapping[str, Any] | None) -> Iterator[IO[bytes]]:
    """A URL as a binary stream: ``http(s)``/``ftp`` by urllib (``storage_options`` become
    headers, as in pandas), any other scheme by fsspec when it is installed."""
    label = _safe_label(url)
    if scheme in _URLLIB_SCHEMES:
        import urllib.error
        import urllib.request

        headers = {str(k): str(v) for k, v in (options or {}).items()}
        request = urllib.request.Request(url, headers=headers)
        try:
            response = urllib.request.urlopen(request, timeout=URL_TIMEOUT)
        except urllib.error.HTTPError as exc:
            raise InputFileError(
                f"{label}: HTTP {exc.code} {exc.reason}", path=label, reason="download failed"
            ) from None
        except (urllib.error.URLError, OSError, ValueError) as exc:
            why = getattr(exc, "reason", exc)
            raise InputFileError(
                f"{label}: cannot be downloaded ({why})", path=label, reason="download failed"
            ) from None
        with response:
            declared = response.headers.get("Content-Length")
            if declared and declared.isdigit() and int(declared) > MAX_DOWNLOAD:
                raise InputFileError(
                    f"{label}: the server announces {_size(int(declared))}, larger than "
                    f"{_size(MAX_DOWNLOAD)} (aidcalc.io._common.MAX_DOWNLOAD); download it "
                    "yourself and read the file",
                    path=label,
                    reason="download too large",
                )
            yield response
        return
    try:
        import fsspec
    except ImportError:
        raise InputFileError(
            f"{label}: reading {scheme}:// URLs needs fsspec (pip install fsspec and the "
            f"package for {scheme}); http(s) URLs are read without it",
            path=label,
            reason="fsspec missing",
        ) from None
    try:
        handle = fsspec.open(url, "rb", **dict(options or {}))
        stream = handle.open()
    except ImportError as exc:
        raise InputFileError(
            f"{label}: reading {scheme}:// URLs needs another package ({exc})",
            path=label,
            reason="fsspec backend missing",
        ) from None
    except (OSError, ValueError) as exc:
        raise InputFileError(
            f"{label}: cannot be opened ({type(exc).__name__}: {exc})",
            path=label,
            reason="download failed",
        ) from None
    with stream:
        yield stream


@contextmanager
def open_source(
    source: Any,
    *,
    argument: str = "path",
    storage_options: Mapping[str, Any] | None = None,
) -> Iterator[Source]:
    """The one input check of every reader: a path, a URL or a binary file object, as a
    file on disk.

    A path is checked with :func:`check_path` and used in place. A binary file object is
    copied (from its current position, in blocks) into a temporary file that is removed
    when the ``with`` block ends; messages name it by its ``name`` attribute, or
    ``<stream>``. A URL (``http(s)://`` and ``ftp://`` by urllib, with a timeout of
    :data:`URL_TIMEOUT` seconds and at most :data:`MAX_DOWNLOAD` bytes; other schemes such as
    ``s3://`` by ``fsspec`` when installed) is downloaded the same way, into a temporary
    file, and then read with every check a local file gets. ``storage_options`` (as in
    pandas) go to the URL: HTTP headers for urllib, the filesystem's options for fsspec;
    with a local path or a file object they are refused. ``file://`` URLs are local paths.

    Examples
    --------
    >>> with open_source(io.BytesIO(b"a,b\\n1,2\\n")) as src:
    ...     src.label, src.path.read_bytes()
    ('<stream>', b'a,b\\n1,2\\n')
    >>> with open_source(42, argument="path_or_file") as src:
    ...     pass
    Traceback (most recent call last):
    ...
    aidcalc.io._common.InputTypeError: path_or_file must be a path, a URL or ... object, not int
    """
    if isinstance(source, Source):  # already checked (a reader calling another)
        yield source
        return
    if storage_options is not None and not isinstance(storage_options, Mapping):
        raise refuse("storage_options", storage_options, "a dict or None", "dict or None")
    scheme = url_scheme(source)
    if scheme == "file":
        from urllib.parse import urlsplit
        from urllib.request import url2pathname

        source = url2pathname(urlsplit(source).path)
        scheme = None
    if storage_options and scheme is None:
        raise option_error(
            "storage_options",
            storage_options,
            "storage_options are for URLs (http(s)://, s3://, ...); this input is a "
            f"{'local path' if isinstance(source, (str, os.PathLike)) else 'file object'}",
            "None for a local path or a file object",
        )
    if scheme is not None:
        label: str = _safe_label(source)
        filename = Path(source.split("?", 1)[0].rstrip("/")).name or "download"
        with tempfile.TemporaryDirectory(prefix="aidcalc-") as folder:
            target = Path(folder) / filename
            with _open_url(source, scheme, storage_options) as stream:
                _copy(stream, target, label, argument, MAX_DOWNLOAD)
            if target.stat().st_size == 0:
                raise InputFileError(
                    f"{label}: empty download (0 bytes)", path=label, reason="empty file"
                )
            yield Source(target, label)
        return
    if isinstance(source, (str, os.PathLike)) and not isinstance(source, (bytes, bytearray)):
        p = check_path(source, argument=argument, regular=True)
        yield Source(p, str(p))
        return
    if not _is_binary_reader(source):
        raise _type_error(source, argument)
    name = getattr(source, "name", None)
    stream_label = name if isinstance(name, str) and name else "<stream>"
    with tempfile.TemporaryDirectory(prefix="aidcalc-") as folder:
        label = stream_label
        target = Path(folder) / (Path(label).name if label != "<stream>" else "stream")
        _copy(source, target, label, argument, None)
        if target.stat().st_size == 0:
            raise InputFileError(
                f"{label}: empty file (0 bytes left to read in the file object)",
                path=label,
                reason="empty file",
            )
        yield Source(target, label)


def local_file_reader(func: Any) -> Any:
    """Let a reader written for a local path take what :func:`open_source` takes (a binary
    file object, a URL, with ``storage_options=``): those are copied to a temporary file
    that lives while ``func`` reads it; a local path is passed through unchanged."""
    import functools

    @functools.wraps(func)
    def wrapper(
        path: Any, *args: Any, storage_options: Mapping[str, Any] | None = None, **kwargs: Any
    ) -> Any:
        local = isinstance(path, (str, os.PathLike)) and url_scheme(path) in (None, "file")
        if local and storage_options is None and url_scheme(path) is None:
            return func(path, *args, **kwargs)
        with open_source(path, storage_options=storage_options) as src:
            return func(src.path, *args, **kwargs)

    return wrapper


# --- options --------------------------------------------------------------------------------


def check_choice(option: str, value: Any, accepted: Collection[Any]) -> None:
    """Refuse ``value`` for ``option`` unless it is one of ``accepted``.

    Examples
    --------
    >>> check_choice("amount", "bogus", ("commitment", "disbursement"))
    Traceback (most recent call last):
    ...
    aidcalc.ValidationError: amount='bogus' is not accepted; use one of 'commitment', 'disbursement'
    """
    try:
        ok = value in accepted and type(value) in {type(a) for a in accepted}
    except TypeError:  # unhashable
        ok = False
    if not ok:
        raise option_error(
            option,
            value,
            f"{option}={value!r} is not accepted; use one of {join_values(list(accepted))}",
            list(accepted),
        )


def option_error(option: str, value: Any, message: str, accepted: Any) -> ValidationError:
    """The one error for an option value a reader does not take: ``message``, with the
    option, the value and what is accepted as fields (no rows to report)."""
    return ValidationError(
        message, option=option, value=value, accepted=accepted, problems=pd.DataFrame()
    )


def refuse(option: str, value: Any, use: str, accepted: Any) -> ValidationError:
    """:func:`option_error` worded ``option=value is not accepted; use ...``.

    Examples
    --------
    >>> print(refuse("sheet_name", 1.5, "a sheet name or number", "str or int"))
    sheet_name=1.5 is not accepted; use a sheet name or number
    """
    return option_error(option, value, f"{option}={value!r} is not accepted; use {use}", accepted)


def check_member(member: Any) -> None:
    """``member=`` names a zip member (str) or is None; anything else is a ValidationError."""
    if member is not None and not isinstance(member, str):
        raise refuse("member", member, "the name of a zip member (str) or None", "str or None")


def check_mapping(mapping: Any, use: str, accepted: str) -> None:
    """``mapping=`` is None or a dict of column name (str) -> column name (str)."""
    if mapping is not None and not (
        isinstance(mapping, Mapping)
        and all(isinstance(k, str) and isinstance(v, str) for k, v in mapping.items())
    ):
        raise refuse("mapping", mapping, use, accepted)


def check_sheet(sheet: Any, use: str, accepted: str, *, allow_none: bool = False) -> None:
    """``sheet_name=`` is a sheet name (str) or number (int, not bool), or None if allowed."""
    if sheet is None and allow_none:
        return
    if isinstance(sheet, bool) or not isinstance(sheet, (str, int)):
        raise refuse("sheet_name", sheet, use, accepted)


def check_mapped_columns(columns: Iterable[Any], mapping: Mapping[str, str], label: str) -> None:
    """Every column ``mapping`` names is in the file, or an InputFileError naming them."""
    have = list(columns)
    missing = [c for c in mapping if c not in have]
    if not missing:
        return
    message = f"mapping names columns that are not in the file: {missing}; the file has {have}"
    raise InputFileError(f"{label}: {message}", path=label, reason="bad mapping")


def not_a_zip(
    member: str | None,
    label: str,
    what: str = "is not one",
    accepted: str = "None for a file that is not a zip",
) -> None:
    """``member=`` is for zip archives only: refused for ``label``, which ``what``."""
    if member is not None:
        raise option_error(
            "member",
            member,
            f"member={member!r} is only for zip archives; {label} {what}",
            accepted,
        )


def check_count(option: str, value: Any, *, minimum: int = 1, allow_none: bool = False) -> None:
    """Refuse ``value`` for ``option`` unless it is a whole number >= ``minimum``.

    Examples
    --------
    >>> check_count("chunksize", 0)
    Traceback (most recent call last):
    ...
    aidcalc.ValidationError: chunksize=0 is not accepted; use a whole number >= 1
    """
    if value is None and allow_none:
        return
    import numbers

    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < minimum:
        raise option_error(
            option,
            value,
            f"{option}={value!r} is not accepted; use a whole number >= {minimum}"
            + (" or None" if allow_none else ""),
            f"whole number >= {minimum}",
        )


def check_limit(option: str, value: Any) -> None:
    """Refuse a limit (``max_uncompressed``, ``max_ratio``) unless it is None or a number > 0."""
    import math
    import numbers

    if value is None:
        return
    if (
        isinstance(value, bool)
        or not isinstance(value, numbers.Real)
        or not math.isfinite(value)
        or value <= 0
    ):
        raise option_error(
            option,
            value,
            f"{option}={value!r} is not accepted; use a number > 0 (or None for the default)",
            "number > 0 or None",
        )


# --- zip archives ---------------------------------------------------------------------------


class ZipLimits(NamedTuple):
    """Limits an archive is checked against before anything in it is decompressed."""

    max_uncompressed: int | float | None = None
    max_ratio: float | None = None

    def checked(self) -> ZipLimits:
        check_limit("max_uncompressed", self.max_uncompressed)
        check_limit("max_ratio", self.max_ratio)
        return self


def _size(n: float) -> str:
    for unit, scale in (("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if n >= scale:
            return f"{n / scale:,.1f} {unit}"
    return f"{int(n)} bytes"


def _refuse(label: str, message: str, reason: str, member: str | None = None) -> InputFileError:
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
        raise _refuse(
            label,
            f"zip archive with {len(infos):,} members, more than the limit of "
            f"{MAX_MEMBERS:,} (aidcalc.io._common.MAX_MEMBERS)",
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
        raise _refuse(
            label,
            f"zip member {name!r} is encrypted (password-protected); aidcalc reads "
            "unencrypted archives only: extract it with its password and read the file",
            "encrypted zip member",
            name,
        )
    if info.compress_type not in _SUPPORTED:
        method = _METHODS.get(info.compress_type, "unknown")
        raise _refuse(
            label,
            f"zip member {name!r} uses compression method {info.compress_type} "
            f"({method}), which aidcalc cannot read; re-zip it with ordinary deflate "
            "or extract it and read the file",
            "unsupported compression",
            name,
        )
    if info.header_offset + info.compress_size > archive:
        raise _refuse(
            label,
            f"zip member {name!r} declares {_size(info.compress_size)} of data beyond the "
            f"end of the archive ({_size(archive)}): the zip is truncated or damaged",
            "truncated zip",
            name,
        )
    ratio = info.file_size / max(info.compress_size, 1)
    if info.file_size > RATIO_FLOOR and ratio > max_ratio:
        raise _refuse(
            label,
            f"zip member {name!r} would inflate {_size(info.compress_size)} to "
            f"{_size(info.file_size)} (ratio {ratio:,.0f}:1), above the limit of "
            f"{max_ratio:,.0f}:1 (aidcalc.io._common.MAX_RATIO; a zip bomb?); "
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
        raise _refuse(
            label,
            f"{what} declares {_size(total)} uncompressed, above the limit of "
            f"{_size(max_total)} (aidcalc.io._common.{constant}); if the file is genuine, "
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
        raise _refuse(
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
    return _refuse(
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
            raise _refuse(
                label,
                f"zip archive has no member {member!r}; it has {join_values(files)}",
                "missing zip member",
                member,
            )
        chosen = member
    else:
        candidates = data_members(names)
        if not candidates:
            raise _refuse(label, "empty zip archive (no files in it)", "empty zip")
        if len(candidates) > 1:
            raise _refuse(
                label,
                f"zip archive holds {len(candidates)} data files ({join_values(candidates)}); "
                "aidcalc reads one at a time: pass member= the one to read",
                "several zip members",
            )
        chosen = candidates[0]
    return chosen, [n for n in files if n != chosen]


def skipped_members(label: str, skipped: Iterable[str]) -> list[dict[str, Any]]:
    """Rejected-report rows for archive members that were not read."""
    return [
        {
            "source": label,
            "row": None,
            "column": None,
            "value": name,
            "reason": f"zip member {name!r} not read (not the data file)",
            "kept": False,
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


# --- tables: workbooks, delimited text, Parquet ---------------------------------------------


def _first_line(exc: BaseException) -> str:
    text = str(exc)
    return text.splitlines()[0] if text.strip() else "no detail"


def read_workbook(
    src: Source, sheet: str | int | None, limits: ZipLimits | None = None
) -> list[tuple[Any, ...]]:
    """The rows of one sheet of an XLSX workbook (``sheet``: name, number, None = the first),
    after the archive checks of :func:`open_zip`; any failure is an InputFileError."""
    try:
        from openpyxl import load_workbook
    except ImportError as exc:  # pragma: no cover - optional dependency
        raise InputFileError(
            f"{src.label}: reading XLSX needs openpyxl (pip install 'aidcalc[xlsx]')",
            path=src.label,
            reason="openpyxl missing",
        ) from exc
    with open_zip(src.path, src.label, limits, workbook=True):
        pass  # checked: declared sizes, ratio, encryption, method
    with src.path.open("rb") as fh:  # a file object: openpyxl judges a path by its name
        return _sheet_rows(load_workbook, fh, src.label, sheet)


def _sheet_rows(
    load_workbook: Any, fh: IO[bytes], label: str, sheet: str | int | None
) -> list[tuple[Any, ...]]:
    try:
        book = load_workbook(fh, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for broken files
        raise InputFileError(
            f"{label}: unreadable spreadsheet ({type(exc).__name__}: {_first_line(exc)})",
            path=label,
            reason="unreadable spreadsheet",
        ) from None
    try:
        names = book.sheetnames
        if sheet is None:
            if not names:
                raise InputFileError(
                    f"{label}: the workbook has no sheets", path=label, reason="no sheet"
                )
            name = names[0]
        elif isinstance(sheet, int):
            if not 0 <= sheet < len(names):
                raise InputFileError(
                    f"{label}: no sheet number {sheet}; the workbook has {names}",
                    path=label,
                    reason="missing sheet",
                )
            name = names[sheet]
        elif sheet in names:
            name = sheet
        else:
            raise InputFileError(
                f"{label}: no sheet {sheet!r}; the workbook has {names}; "
                "pass sheet_name= the name or number of another",
                path=label,
                reason="missing sheet",
            )
        return list(book[name].iter_rows(values_only=True))
    except InputFileError:
        raise
    except Exception as exc:  # a damaged part (bad CRC, broken XML) found while reading
        raise InputFileError(
            f"{label}: unreadable spreadsheet ({type(exc).__name__}: {_first_line(exc)})",
            path=label,
            reason="unreadable spreadsheet",
        ) from None
    finally:
        book.close()


@contextmanager
def open_text(
    src: Source, limits: ZipLimits | None = None, member: str | None = None
) -> Iterator[tuple[IO[bytes], str, list[str]]]:
    """(UTF-8 stream, label, zip members not read) of a text file or of the one data member
    of a zip archive (checked by :func:`open_zip` first); UTF-16 text is transcoded."""
    with src.path.open("rb") as raw:
        if raw.read(4) != b"PK\x03\x04":
            raw.seek(0)
            not_a_zip(member, src.label)
            yield utf8_stream(raw), src.label, []
            return
        with open_zip(src.path, src.label, limits) as zf:
            chosen, skipped = data_member(zf, src.label, member)
            with open_member(zf, chosen, src.label) as stream:
                yield utf8_stream(stream), f"{src.label} (member {chosen!r})", skipped


def read_delimited(
    src: Source,
    *,
    limits: ZipLimits | None = None,
    member: str | None = None,
    default_na: bool = False,
) -> tuple[pd.DataFrame, str, list[str]]:
    """(every cell as text, label, zip members not read) of a delimited text file (or the
    one data file of a zip). The delimiter is the header line's (``| \\t ; ,``), parsed by
    pandas' C parser (linear time; a quote that never closes is an error naming its row).
    A header without rows is an empty frame with those columns; no header at all is an
    InputFileError."""
    from ._sniff import header_fields

    with open_text(src, limits, member) as (stream, label, skipped):
        head = stream.read(65536)
        sep, _ = header_fields(head)
        body = io.BufferedReader(Prepended(head, stream), 1 << 16)
        try:
            # header=None: the header is row 0, so a row with more fields than the header
            # is an error (with header=0 pandas would silently take the extra leading
            # fields as an index and shift every value of that row)
            grid = pd.read_csv(
                body,
                sep=sep,
                header=None,
                dtype=object,
                encoding="utf-8-sig",
                keep_default_na=default_na,
                na_values=None if default_na else [""],
                skipinitialspace=not default_na,
            )
        except pd.errors.EmptyDataError:
            raise InputFileError(
                f"{label}: no header line (the file has only blank lines or line ends)",
                path=src.label,
                reason="no header",
            ) from None
        except (UnicodeDecodeError, pd.errors.ParserError, ValueError) as exc:
            raise InputFileError(
                f"{label}: not a readable CSV ({_parser_message(exc)})",
                path=src.label,
                reason="unreadable CSV",
            ) from None
    frame = grid.iloc[1:].reset_index(drop=True)
    frame.columns = _column_names(grid.iloc[0].tolist())
    return frame, label, skipped


def _parser_message(exc: BaseException) -> str:
    """pandas' tokenizer message, in lines of the file."""
    import re

    text = _first_line(exc).replace("Error tokenizing data. C error: ", "")
    found = re.search(r"EOF inside string starting at row (\d+)", text)
    if found:  # rows count from 0 at the header: row N is line N + 1
        line = int(found.group(1)) + 1
        return f"line {line}: a quoted field opens here and never closes: a stray '\"'?"
    return text


def _column_names(header: list[Any]) -> list[str]:
    """Header cells as column names: empty ones ``Unnamed: j``, repeats ``name.1``."""
    names: list[str] = []
    seen: dict[str, int] = {}
    for j, cell in enumerate(header):
        name = (
            f"Unnamed: {j}"
            if cell is None or (isinstance(cell, float) and cell != cell)
            else str(cell)
        )
        if name in seen:
            seen[name] += 1
            name = f"{name}.{seen[name]}"
        else:
            seen[name] = 0
        names.append(name)
    return names


_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


def utf8_stream(stream: IO[bytes]) -> IO[bytes]:
    """``stream`` as UTF-8 bytes: UTF-16 text (with its byte-order mark, as Excel's "Unicode
    Text" saves it) is transcoded as it is read (linear, bounded memory); other bytes pass.

    Examples
    --------
    >>> utf8_stream(io.BytesIO("a;b\\nü;2\\n".encode("utf-16"))).read()
    b'a;b\\n\\xc3\\xbc;2\\n'
    """
    head = stream.read(2)
    joined = Prepended(head, stream)
    if head in _UTF16_BOMS:
        return io.BufferedReader(_Transcoded(io.BufferedReader(joined), "utf-16"), 1 << 16)
    return io.BufferedReader(joined, 1 << 16)


class _Transcoded(io.RawIOBase):
    """Text in ``encoding`` read as UTF-8 bytes (undecodable bytes: U+FFFD)."""

    def __init__(self, stream: IO[bytes], encoding: str) -> None:
        super().__init__()
        self._stream = stream
        self._decoder = codecs.getincrementaldecoder(encoding)(errors="replace")
        self._buffer = b""
        self._done = False

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        while not self._buffer and not self._done:
            raw = self._stream.read(1 << 16)
            self._done = not raw
            self._buffer = self._decoder.decode(raw, final=self._done).encode("utf-8")
        n = min(len(buffer), len(self._buffer))
        buffer[:n] = self._buffer[:n]
        self._buffer = self._buffer[n:]
        return n


class Prepended(io.RawIOBase):
    """``head`` then the rest of ``stream``, as one stream."""

    def __init__(self, head: bytes, stream: IO[bytes]) -> None:
        super().__init__()
        self._head, self._stream = head, stream

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if self._head:
            n = min(len(buffer), len(self._head))
            buffer[:n] = self._head[:n]
            self._head = self._head[n:]
            return n
        data = self._stream.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


def check_parquet(src: Source, limits: ZipLimits | None = None) -> None:
    """Refuse a Parquet file whose row groups declare more uncompressed bytes than the limit
    (:data:`MAX_WORKBOOK_UNCOMPRESSED`) or a ratio over :data:`MAX_RATIO`, before reading."""
    import pyarrow.parquet as pq

    limits = limits or ZipLimits()
    try:
        meta = pq.ParquetFile(src.path).metadata
    except Exception as exc:  # pyarrow raises ArrowInvalid, OSError...
        raise InputFileError(
            f"{src.label}: unreadable parquet file ({type(exc).__name__}: {_first_line(exc)})",
            path=src.label,
            reason="unreadable parquet",
        ) from None
    total = sum(meta.row_group(i).total_byte_size for i in range(meta.num_row_groups))
    size = max(src.path.stat().st_size, 1)
    max_total = limits.max_uncompressed or MAX_WORKBOOK_UNCOMPRESSED
    max_ratio = limits.max_ratio or MAX_RATIO
    if total > max_total:
        raise _refuse(
            src.label,
            f"Parquet file declares {_size(total)} uncompressed, above the limit of "
            f"{_size(max_total)} (aidcalc.io._common.MAX_WORKBOOK_UNCOMPRESSED); if the file "
            "is genuine, pass max_uncompressed= a higher number of bytes",
            "uncompressed size over the limit",
        )
    if total > RATIO_FLOOR and total / size > max_ratio:
        raise _refuse(
            src.label,
            f"Parquet file would inflate {_size(size)} to {_size(total)} (ratio "
            f"{total / size:,.0f}:1), above the limit of {max_ratio:,.0f}:1 "
            "(aidcalc.io._common.MAX_RATIO); if the file is genuine, pass max_ratio= a higher "
            "limit",
            "compression ratio over the limit",
        )


def in_window(dates: pd.Series) -> tuple[pd.Series, pd.Series]:
    """(the dates as ``datetime64[ns]``, mask of those outside aidcalc's date window, now NaT):
    the one window of :mod:`aidcalc._base._dates` (1900-01-01 .. 2100-12-31), checked in the
    dates' own unit before any conversion, so ``9999-12-31`` is refused, never wrapped.

    Examples
    --------
    >>> got, outside = in_window(pd.Series(pd.to_datetime(["2024-01-02", "9999-12-31"])))
    >>> got.tolist(), outside.tolist()
    ([Timestamp('2024-01-02 00:00:00'), NaT], [False, True])
    """
    from .._base._dates import outside_window

    dates = pd.to_datetime(dates)
    outside = pd.Series(outside_window(dates.to_numpy()), index=dates.index)
    return dates.where(~outside).astype("datetime64[ns]"), outside


def donor_codes_or_na(names: pd.Series) -> pd.Series:
    """Donor names to codes through :func:`aidcalc._real._donors.donor_codes`; unknown -> NA."""
    from .._real._donors import donor_codes

    out = donor_codes(names, errors="coerce")
    if isinstance(out, pd.DataFrame):  # tolerate a frame-shaped answer
        out = out.iloc[:, 0]
    return pd.Series(out, index=names.index, dtype=object)
