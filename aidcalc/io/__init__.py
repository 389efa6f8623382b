"""Importers: the data analysts already have, as pledge frames.

* :func:`read_kiel`: the Kiel Institute's Ukraine Support Tracker (workbook, or the processed
  CSV with Norwegian headers);
* :func:`read_crs`: OECD CRS bulk downloads (USD millions turned into plain USD), streamed;
  :func:`iter_crs` yields it as pledge frames of bounded size for files too large to hold at
  once, and :func:`read_crs_dask` as a lazy dask DataFrame (CSV or Parquet, filters pushed
  down for Parquet);
* :func:`read_iati`: IATI activity XML, one row per transaction and category share, parsed
  safely (no entity expansion, no network);
* :func:`read_table`: any CSV / XLSX / Parquet with a column mapping and locale-aware amounts
  and dates;
* :func:`read_any`: any of the above, detected from the content;
* :func:`read_wdi`, :func:`read_dac_deflators`: the World Bank WDI and OECD DAC deflator
  downloads (see :mod:`aidcalc.io._macro_loaders`).

Every reader returns a :class:`pandas.DataFrame`, as pandas' readers do. No row is dropped
silently: what was not taken (or was taken with a problem) is listed in the rejected-rows
report, with the reason. ``return_rejected=True`` returns ``(frame, rejected)`` (a
:class:`ReadResult`); without it, a non-empty report raises one
:class:`aidcalc.RejectedRowsWarning` with the count, and stays on ``frame.attrs["rejected"]``
(pandas carries ``attrs`` through most operations, but not all: keep the report with
``return_rejected=True`` when it matters).

Inputs, as in pandas: a path (``str`` or ``os.PathLike``), an open binary file object
(``io.BytesIO`` too), or a URL: ``http(s)://`` and ``ftp://`` are downloaded with urllib
(``storage_options`` become HTTP headers), other schemes (``s3://``...) through ``fsspec``
when it is installed, with ``storage_options`` as its options.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from os import PathLike
from typing import IO, TYPE_CHECKING, Any, cast

import pandas as pd

from .._base._errors import InputFileError
from ._common import ReadResult, finish, open_source
from ._crs import iter_crs, read_crs
from ._dask import read_crs_dask
from ._docs import shared_docs
from ._iati import read_iati
from ._kiel import read_kiel
from ._sniff import sniff
from ._table import read_table

if TYPE_CHECKING:  # pragma: no cover - imported lazily below
    from ._macro_loaders import read_dac_deflators, read_wdi
    from ._pledge_table import Pledges

__all__ = [
    "ReadResult",
    "iter_crs",
    "read_any",
    "read_crs",
    "read_crs_dask",
    "read_dac_deflators",
    "read_iati",
    "read_kiel",
    "read_table",
    "read_wdi",
]

_MACRO = ("read_wdi", "read_dac_deflators")


def __getattr__(name: str) -> Any:
    if name in _MACRO:
        try:
            module = importlib.import_module("._macro_loaders", __name__)
        except ModuleNotFoundError as exc:  # pragma: no cover - while it is being written
            raise AttributeError(f"aidcalc.io.{name} is not available: {exc}") from None
        return getattr(module, name)
    raise AttributeError(f"module 'aidcalc.io' has no attribute {name!r}")


_ARCHIVE_OPTIONS = ("member", "max_uncompressed", "max_ratio")


@shared_docs
def read_any(
    path: str | PathLike[str] | IO[bytes],
    *,
    storage_options: Mapping[str, Any] | None = None,
    return_rejected: bool = False,
    **kwargs: Any,
) -> pd.DataFrame | ReadResult | Pledges:
    """Read any supported file, choosing the reader from the content (not the extension).

    Zip archives are told apart (an XLSX workbook, a Kiel workbook, a zipped CRS CSV),
    ``<iati-activities`` is IATI, a header with CRS columns is CRS, the Kiel sheet or Norwegian
    headers are Kiel, a Parquet file (``PAR1``) whose schema has CRS columns is CRS (read by
    :func:`read_crs`), any other Parquet file, delimited text or workbook is a table. Only a
    bounded prefix of the file (or of a zip member, or a Parquet file's footer) is read to
    tell; a zip is checked against the zip-bomb limits before anything in it is decompressed.

    Parameters
    ----------
    path
        The file: a path, a URL, or a file object opened in binary mode.
    %(storage_options)s
    %(return_rejected)s
    **kwargs
        Passed to the chosen reader (e.g. ``recover=True`` for IATI, ``locale="de"`` for a
        table, ``member=`` / ``max_uncompressed=`` / ``max_ratio=`` for archives). An option
        the chosen reader does not take is a :class:`aidcalc.ValidationError` naming it.

    Returns
    -------
    DataFrame or ReadResult
        What :func:`read_iati`, :func:`read_crs`, :func:`read_kiel` or :func:`read_table`
        returns; ``frame.attrs["format"]`` names the format.

    Raises
    ------
    InputFileError
        Missing, empty or not-a-file input, a format aidcalc does not read (other XML,
        binary, empty zip), a zip that is damaged, encrypted, over the limits or holds
        several data files (pass ``member=``).
    ValidationError
        An option the chosen reader does not take, or a value it does not accept.

    Examples
    --------
    >>> import tempfile, os
    >>> p = os.path.join(tempfile.mkdtemp(), "download.dat")
    >>> text = "Year|DonorName|PurposeCode|USD_Disbursement\\n2022|Japan|15250|2\\n"
    >>> _ = open(p, "w").write(text)
    >>> frame = read_any(p)
    >>> frame.attrs["format"], frame["amount"].tolist()
    ('OECD CRS', [2000000.0])
    """
    from ._common import ZipLimits

    archive = {k: kwargs.get(k) for k in _ARCHIVE_OPTIONS}
    limits = ZipLimits(archive["max_uncompressed"], archive["max_ratio"]).checked()
    member = archive["member"]
    from ._common import check_member

    check_member(member)
    with open_source(path, storage_options=storage_options) as src:
        result = _read_any(src, limits, member, kwargs)
    return finish(result, return_rejected, reader="read_any")


def _read_any(src: Any, limits: Any, member: str | None, kwargs: dict[str, Any]) -> Any:
    """The chosen reader's ``(frame, rejected)`` for a checked source."""
    kind = sniff(src.path, limits=limits, member=member, label=src.label)
    checked: Any = src  # the readers take the checked source as it is (not re-copied)
    if kind not in ("xlsx", "kiel_xlsx"):
        from ._common import not_a_workbook

        what = {"iati": "IATI XML", "crs": "OECD CRS text", "kiel_csv": "Kiel tracker text",
                "parquet": "a Parquet file", "csv": "a CSV table"}.get(kind, "not a workbook")
        not_a_workbook(kwargs.get("sheet_name"), src.label, what)
    if kind == "iati":
        with src.path.open("rb") as fh:
            zipped = fh.read(4) == b"PK\x03\x04"
        if zipped:
            raise InputFileError(
                f"{src.label}: IATI XML inside a zip archive; extract it and read the XML file",
                path=src.label,
                reason="zipped IATI",
            )
        # the archive limits served the sniffing; an XML file has no members to choose
        from ._common import not_a_zip

        not_a_zip(member, src.label, "is IATI XML", "None for IATI XML")
        options = {k: v for k, v in kwargs.items() if k not in _ARCHIVE_OPTIONS}
        _check_kwargs("read_iati", read_iati, options)
        return read_iati(checked, return_rejected=True, **options)
    if kind == "crs":
        _check_kwargs("read_crs", read_crs, kwargs)
        return read_crs(checked, return_rejected=True, **kwargs)
    if kind in ("kiel_csv", "kiel_xlsx"):
        _check_kwargs("read_kiel", read_kiel, kwargs)
        return read_kiel(checked, return_rejected=True, **kwargs)
    if kind in ("csv", "xlsx", "parquet"):
        _check_kwargs("read_table", read_table, kwargs)
        result = cast(ReadResult, read_table(checked, return_rejected=True, **kwargs))
        result.frame.attrs["format"] = {
            "csv": "CSV table",
            "xlsx": "XLSX table",
            "parquet": "Parquet table",
        }[kind]
        return result
    reasons = {
        "xml": "XML that is not IATI activity data",
        "zip": "a zip archive without a CSV or workbook inside",
        "unknown": "a binary file aidcalc does not read",
    }
    raise InputFileError(
        f"{src.label}: {reasons.get(kind, kind)}; aidcalc reads IATI XML, OECD CRS, the Kiel "
        "tracker, and CSV/XLSX/Parquet tables",
        path=src.label,
        reason="unsupported format",
    )


def _check_kwargs(name: str, reader: Any, kwargs: dict[str, Any]) -> None:
    """Refuse options the chosen reader does not take (naming them and those it takes)."""
    import inspect

    from .._base._errors import ValidationError

    accepted = [
        p.name
        for p in inspect.signature(reader).parameters.values()
        if p.kind is inspect.Parameter.KEYWORD_ONLY
        and p.name not in ("return_rejected", "storage_options")  # read_any's own
    ]
    unknown = [k for k in kwargs if k not in accepted]
    if unknown:
        raise ValidationError(
            f"{unknown} {'is' if len(unknown) == 1 else 'are'} not an option of {name}, "
            f"which read_any chose for this file; it takes {accepted}",
            option=unknown[0],
            value=kwargs[unknown[0]],
            accepted=accepted,
            problems=None,
        )
