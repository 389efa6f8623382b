"""Importers: the data analysts already have, as pledge frames.

* :func:`read_kiel`: the Kiel Institute's Ukraine Support Tracker (workbook, or the processed
  CSV with Norwegian headers);
* :func:`read_crs`: OECD CRS bulk downloads (USD millions turned into plain USD), streamed;
  :func:`iter_crs` yields the converted chunks for files too large to hold at once;
* :func:`read_iati`: IATI activity XML, one row per transaction and category share, parsed
  safely (no entity expansion, no network);
* :func:`read_table`: any CSV / XLSX / Parquet with a column mapping and locale-aware amounts
  and dates;
* :func:`read_any`: any of the above, detected from the content;
* :func:`read_wdi`, :func:`read_dac_deflators`: the World Bank WDI and OECD DAC deflator
  downloads (see :mod:`aidcalc._macro_loaders`).

Every reader returns ``(frame, rejected)``: no row is dropped silently; what was not taken (or
was taken with a problem) is listed in ``rejected`` with the reason.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ._errors import InputFileError
from ._io_common import ReadResult
from ._io_crs import iter_crs, read_crs
from ._io_iati import read_iati
from ._io_kiel import read_kiel
from ._io_sniff import sniff
from ._io_table import read_table

if TYPE_CHECKING:  # pragma: no cover - imported lazily below
    from ._frame import Pledges
    from ._macro_loaders import read_dac_deflators, read_wdi

__all__ = [
    "ReadResult",
    "iter_crs",
    "read_any",
    "read_crs",
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
            module = importlib.import_module("._macro_loaders", "aidcalc")
        except ModuleNotFoundError as exc:  # pragma: no cover - while it is being written
            raise AttributeError(f"aidcalc.io.{name} is not available: {exc}") from None
        return getattr(module, name)
    raise AttributeError(f"module 'aidcalc.io' has no attribute {name!r}")


def read_any(path: str | Path, **kwargs: Any) -> ReadResult | Pledges:
    """Read any supported file, choosing the reader from the content (not the extension).

    Zip archives are told apart (an XLSX workbook, a Kiel workbook, a zipped CRS CSV),
    ``<iati-activities`` is IATI, a header with CRS columns is CRS, the Kiel sheet or Norwegian
    headers are Kiel, ``PAR1`` is Parquet, any other delimited text or workbook is a table.

    Parameters
    ----------
    path
        The file.
    **kwargs
        Passed to the chosen reader (e.g. ``recover=True`` for IATI, ``locale="de"`` for a
        table).

    Returns
    -------
    ReadResult or Pledges
        ``(frame, rejected)`` from :func:`read_iati`, :func:`read_crs`, :func:`read_kiel` or
        :func:`read_table`; ``frame.attrs["format"]`` names the format.

    Raises
    ------
    InputFileError
        Missing file, or a format aidcalc does not read (other XML, binary, empty zip).

    Examples
    --------
    >>> import tempfile, os
    >>> p = os.path.join(tempfile.mkdtemp(), "download.dat")
    >>> text = "Year|DonorName|PurposeCode|USD_Disbursement\\n2022|Japan|15250|2\\n"
    >>> _ = open(p, "w").write(text)
    >>> frame, rejected = read_any(p)
    >>> frame.attrs["format"], frame["amount"].tolist()
    ('OECD CRS', [2000000.0])
    """
    from ._io_common import check_path

    p = check_path(path)
    kind = sniff(p)
    if kind == "iati":
        return read_iati(p, **kwargs)
    if kind == "crs":
        return read_crs(p, **kwargs)
    if kind in ("kiel_csv", "kiel_xlsx"):
        return read_kiel(p, **kwargs)
    if kind in ("csv", "xlsx", "parquet"):
        result = read_table(p, **kwargs)
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
        f"{p}: {reasons.get(kind, kind)}; aidcalc reads IATI XML, OECD CRS, the Kiel tracker, "
        "and CSV/XLSX/Parquet tables",
        path=str(p),
        reason="unsupported format",
    )
