"""The one input gate of every reader: :func:`open_source` accepts a path (``str`` or
``os.PathLike``), an open *binary* file object or a URL (urllib for ``http(s)``/``ftp`` with a
timeout and :data:`MAX_DOWNLOAD`, fsspec for other schemes, ``storage_options``), copies
downloads and streams to a temporary file, and refuses anything else (``None``, an int, a
DataFrame, text-mode files) with :class:`InputTypeError` naming the argument; a missing file, a
folder, a device or pipe (``/dev/null``) and an empty file are :class:`aidcalc.InputFileError`.
"""

from __future__ import annotations

import io
import os
import re
import stat
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any, NamedTuple

import pandas as pd

from .._base._errors import InputFileError
from ._options import option_error, refuse
from ._zip import size_text

__all__ = [
    "MAX_DOWNLOAD",
    "URL_TIMEOUT",
    "InputTypeError",
    "Source",
    "check_path",
    "local_file_reader",
    "open_source",
    "url_scheme",
]


class InputTypeError(InputFileError, TypeError):
    """The input is not a path or a binary file object (also a ``TypeError``).

    Fields: ``argument`` (the parameter's name), ``got`` (the type name).
    """


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
    aidcalc.io._source.InputTypeError: path must be a path, a URL or a binary ... not NoneType
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


#: Most bytes a URL may deliver before the download is refused (``aidcalc.io._source``
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
                        f"{label}: the download is larger than {size_text(cap)} "
                        "(aidcalc.io._source.MAX_DOWNLOAD); download it yourself and read "
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
                    f"{label}: the server announces {size_text(int(declared))}, larger than "
                    f"{size_text(MAX_DOWNLOAD)} (aidcalc.io._source.MAX_DOWNLOAD); download it "
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
    aidcalc.io._source.InputTypeError: path_or_file must be a path, a URL or ... object, not int
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
