"""The parameter and error descriptions the readers share, written once.

A reader's docstring names a shared entry by a line ``%(storage_options)s`` (indented as the
entry is); :func:`shared_docs` puts the text in at import, so ``help()``, the API pages and
the doctests see the whole docstring.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TypeVar

__all__ = ["shared_docs"]

F = TypeVar("F", bound=Callable[..., object])

_SHARED: dict[str, str] = {
    "storage_options": """\
storage_options
    Extra options for a URL, as in pandas: HTTP headers for ``http(s)://`` (read with
    urllib), or the filesystem's options for other ``fsspec`` URLs (``s3://``, needs
    ``fsspec``). Refused with a local path or a file object.""",
    "return_rejected": """\
return_rejected
    ``False`` (default): return the frame alone, like pandas' readers; when the
    rejected-rows report has rows left out of the frame or kept with their money changed
    (``kind`` ``"left out"`` or ``"money"``), one :class:`aidcalc.RejectedRowsWarning`
    says so; notes about data kept as the file has it (``kind`` ``"note"``) do not warn.
    The whole report is on ``frame.attrs["rejected"]`` (pandas keeps ``attrs`` through
    most but not all operations). ``True``: return ``(frame, rejected)``.""",
    "member": """\
member
    The file to read in a zip archive that holds several.""",
    "sheet_name": """\
sheet_name
    Workbook sheet name or number, as in :func:`pandas.read_excel` (default: the
    first).""",
    "sheet": """\
sheet
    Deprecated alias of ``sheet_name``.""",
    "limits": """\
max_uncompressed, max_ratio
    Raise the limits a compressed input is checked against before anything is decompressed
    (:data:`aidcalc.io._zip.MAX_UNCOMPRESSED` for a zip or a CRS Parquet file,
    :data:`~aidcalc.io._zip.MAX_WORKBOOK_UNCOMPRESSED` for a workbook or a Parquet table,
    :data:`~aidcalc.io._zip.MAX_RATIO`), for a genuine file that exceeds them. A Parquet
    file is checked from its footer, for the columns to read, counting at least 8 bytes a
    cell (:func:`aidcalc.io._tables.parquet_sizes`), so a run-length-encoded bomb is
    refused too; each file of a Parquet dataset is checked on its own.""",
    "bad_option": """\
ValidationError
    An option with a value it does not accept (named, with what is accepted), before
    any reading.""",
}
_PLACE = re.compile(r"^([ \t]*)%\((\w+)\)s[ \t]*$", re.M)


def shared_docs(func: F) -> F:
    """Put the shared entries into ``func``'s docstring, indented as their placeholders.

    Examples
    --------
    >>> @shared_docs
    ... def read(path, *, storage_options=None):
    ...     '''Read.
    ...
    ...     Parameters
    ...     ----------
    ...     %(storage_options)s
    ...     '''
    >>> "HTTP headers" in read.__doc__
    True
    """
    if func.__doc__:

        def entry(match: re.Match[str]) -> str:
            indent = match.group(1)
            return "\n".join(indent + line if line else line
                             for line in _SHARED[match.group(2)].splitlines())

        func.__doc__ = _PLACE.sub(entry, func.__doc__)
    return func
