"""The embedded datasets: where they live, what they are, loaded lazily and once.

Every embedded table is a CSV in the top-level ``datasets/`` folder with a sidecar
``<name>.json`` that names its publisher, title, URL, vintage and licence. In a wheel the folder
is installed as ``aidcalc/_datasets_files``; in a source checkout (or an editable install) it is
read in place.
"""

from __future__ import annotations

import importlib
import json
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import pandas as pd

from ._errors import AidcalcError

__all__ = ["DatasetInfo", "data_dir", "dataset_info", "datasets", "load_dataset", "read_dataset"]


class DatasetNotFoundError(AidcalcError, LookupError):
    """No embedded dataset of that name."""


@cache
def data_dir() -> Path:
    """The folder holding the embedded CSV files and their metadata.

    Examples
    --------
    >>> (data_dir() / "README.md").exists()
    True
    """
    here = Path(__file__).resolve().parent
    for candidate in (here / "_datasets_files", here.parent / "datasets"):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(  # pragma: no cover - a broken installation
        f"aidcalc's datasets folder is missing (looked in {here / '_datasets_files'} and "
        f"{here.parent / 'datasets'}); reinstall aidcalc"
    )


@dataclass(frozen=True)
class DatasetInfo:
    """What one embedded dataset is and where it comes from (read from ``<name>.json``)."""

    name: str
    title: str
    file: str
    publisher: str
    source_url: str
    vintage: str
    licence: str
    description: str = ""
    indicator: str = ""
    retrieved: str = ""
    loader: str = ""  # optional "module:function" turning the raw CSV into the public frame
    read_csv: dict[str, Any] = field(default_factory=dict)  # extra pandas.read_csv options

    @property
    def path(self) -> Path:
        return data_dir() / self.file


@cache
def _catalogue() -> dict[str, DatasetInfo]:
    known = {f.name for f in DatasetInfo.__dataclass_fields__.values()}
    out: dict[str, DatasetInfo] = {}
    for meta in sorted(data_dir().glob("*.json")):
        raw = json.loads(meta.read_text(encoding="utf-8"))
        info = DatasetInfo(**{k: v for k, v in raw.items() if k in known})
        out[info.name] = info
    return out


def dataset_info(name: str) -> DatasetInfo:
    """Metadata of one embedded dataset.

    Raises
    ------
    DatasetNotFoundError
        With the list of names that exist.
    """
    cat = _catalogue()
    try:
        return cat[name]
    except KeyError:
        raise DatasetNotFoundError(
            f"no embedded dataset {name!r}; available: {', '.join(sorted(cat)) or 'none'}",
            name=name,
            available=sorted(cat),
        ) from None


@cache
def _read_cached(name: str) -> pd.DataFrame:
    info = dataset_info(name)
    return pd.read_csv(info.path, encoding="utf-8", **info.read_csv)


def read_dataset(name: str, *, copy: bool = True) -> pd.DataFrame:
    """The raw CSV of an embedded dataset, read once per process.

    ``copy=False`` returns the cached frame itself, for internal read-only use on hot paths.
    """
    frame = _read_cached(name)
    return frame.copy() if copy else frame


def load_dataset(name: str) -> pd.DataFrame:
    """Load an embedded dataset as the frame users work with.

    Parameters
    ----------
    name
        A name listed by :func:`datasets`, e.g. ``"g7_ukraine_pledges"``.

    Returns
    -------
    pandas.DataFrame
        A fresh copy; changing it does not change what later calls return.

    Examples
    --------
    >>> "dac_deflators" in datasets()["name"].tolist()
    True
    """
    info = dataset_info(name)
    frame = read_dataset(name)
    if info.loader:
        module, _, func = info.loader.partition(":")
        frame = getattr(importlib.import_module(module), func)(frame)
    return frame


def _coverage(frame: pd.DataFrame) -> str:
    parts = []
    for col in ("year", "announced", "date", "month"):
        if col in frame.columns:
            values = frame[col].dropna()
            if len(values):
                parts.append(f"{col} {values.min()}..{values.max()}")
            break
    for col in ("iso3", "donor", "currency"):
        if col in frame.columns:
            keys = sorted(frame[col].dropna().astype(str).unique())
            shown = ", ".join(keys[:12]) + (f", ... ({len(keys)} in all)" if len(keys) > 12 else "")
            parts.append(f"{col}: {shown}")
            break
    if not parts and len(frame.columns):
        first = frame.columns[0]
        parts.append(f"{frame[first].nunique()} distinct {first}")
    return "; ".join(parts)


def datasets() -> pd.DataFrame:
    """List the embedded datasets with their source, vintage, licence and coverage.

    Returns
    -------
    pandas.DataFrame
        One row per dataset: ``name``, ``title``, ``publisher``, ``vintage``, ``licence``,
        ``rows``, ``coverage``, ``source_url``.

    Examples
    --------
    >>> listing = datasets()
    >>> list(listing.columns[:3])
    ['name', 'title', 'publisher']
    """
    rows = []
    for info in _catalogue().values():
        frame = read_dataset(info.name, copy=False)
        rows.append(
            {
                "name": info.name,
                "title": info.title,
                "publisher": info.publisher,
                "vintage": info.vintage,
                "licence": info.licence,
                "rows": len(frame),
                "coverage": _coverage(frame),
                "source_url": info.source_url,
            }
        )
    return pd.DataFrame(
        rows,
        columns=[
            "name", "title", "publisher", "vintage", "licence", "rows", "coverage", "source_url",
        ],
    )
