"""The embedded datasets: where they live, what they are, loaded lazily and once.

Every embedded table is a CSV in the top-level ``datasets/`` folder with a sidecar
``<name>.json`` that names its publisher, title, URL, vintage and licence. In a wheel the folder
is installed as ``aidcalc/_datasets_files``; in a source checkout (or an editable install) it is
read in place.

Vintages: several datasets can hold the same *table* (``"table"`` in the sidecar) in different
vintages (``"vintage_id"``). The embedded default vintage is the dataset named like the table
(``dac_deflators``); other vintages are named ``<table>@<vintage_id>``
(``dac_deflators@2025-04``). Downloads by :func:`aidcalc.update` are further vintages in the
per-user cache (same CSV + JSON format). :func:`resolve` picks the vintage a function uses:
the ``vintage=`` it is given, else the process-wide pin (:func:`pin_vintages` or the
``AIDCALC_VINTAGES`` environment variable), else the current download, else the embedded one.
"""

from __future__ import annotations

import importlib
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import pandas as pd

from ._errors import AidcalcError

__all__ = [
    "DatasetInfo",
    "cache_dir",
    "data_dir",
    "dataset_info",
    "datasets",
    "load_dataset",
    "pin_vintages",
    "read_dataset",
    "resolve",
]


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
    here = Path(__file__).resolve().parent.parent  # the aidcalc package
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
    table: str = ""  # the logical table this dataset is a vintage of (default: its name)
    vintage_id: str = ""  # short vintage label used by vintage= ("2025-04")
    constant_columns: dict[str, str] = field(default_factory=dict)  # added to every row on read
    origin: str = "embedded"  # "embedded" or "downloaded" (set on reading, not in the sidecar)
    folder: str = ""  # where the CSV is (set on reading)

    @property
    def path(self) -> Path:
        return Path(self.folder) / self.file if self.folder else data_dir() / self.file

    @property
    def table_name(self) -> str:
        return self.table or self.name


def cache_dir() -> Path:
    """The per-user folder of downloaded vintages (``aidcalc update``).

    ``AIDCALC_CACHE_DIR`` overrides the platform's user cache folder (``platformdirs``).

    Examples
    --------
    >>> cache_dir().name in ("aidcalc", os.path.basename(os.environ.get("AIDCALC_CACHE_DIR", "")))
    True
    """
    env = os.environ.get("AIDCALC_CACHE_DIR", "").strip()
    if env:
        return Path(env)
    import platformdirs

    return Path(platformdirs.user_cache_dir("aidcalc", appauthor=False))


def _read_sidecars(folder: Path, origin: str) -> dict[str, DatasetInfo]:
    known = {f.name for f in DatasetInfo.__dataclass_fields__.values()} - {"origin", "folder"}
    out: dict[str, DatasetInfo] = {}
    if not folder.is_dir():
        return out
    for meta in sorted(folder.glob("*.json")):
        try:
            raw = json.loads(meta.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            if origin == "embedded":
                raise
            continue  # a damaged cache file is ignored, never fatal
        if not isinstance(raw, dict) or "name" not in raw or "file" not in raw:
            continue
        info = DatasetInfo(
            **{k: v for k, v in raw.items() if k in known},
            origin=origin,
            folder="" if origin == "embedded" else str(folder),
        )
        out[info.name] = info
    return out


@cache
def _catalogue() -> dict[str, DatasetInfo]:
    out = _read_sidecars(data_dir(), "embedded")
    for name, info in _read_sidecars(cache_dir() / "datasets", "downloaded").items():
        out.setdefault(name, info)  # an embedded name is never shadowed
    return out


def refresh() -> None:
    """Forget the catalogue and every table read so far (after a download)."""
    _catalogue.cache_clear()
    _read_cached.cache_clear()
    _current.cache_clear()


@cache
def _current() -> dict[str, str]:
    """table -> dataset name of the current downloaded vintage (written by aidcalc.update)."""
    path = cache_dir() / "current.json"
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {str(k): str(v) for k, v in raw.items()} if isinstance(raw, dict) else {}


_PINNED: dict[str, str] = {}

VintageSpec = str | Mapping[str, str] | None


def pin_vintages(vintages: VintageSpec = None, /, **tables: str) -> dict[str, str]:
    """Pin the vintage every function uses, process-wide, so an analysis reproduces exactly.

    Parameters
    ----------
    vintages
        ``"embedded"`` (every table's embedded default), a mapping table -> vintage, or
        ``None`` to clear every pin (then keyword pins, if any, are set).
    **tables
        ``dac_deflators="2025-04"``, ``weo="2025-10"``, ... A vintage is a ``vintage_id``
        listed by :func:`datasets`, a dataset name, or ``"embedded"``.

    Returns
    -------
    dict
        The pins in force afterwards. ``AIDCALC_VINTAGES="dac_deflators=2025-04,weo=2025-10"``
        (or ``"embedded"``) in the environment does the same for a whole run.

    Examples
    --------
    >>> pin_vintages(dac_deflators="2025-04")
    {'dac_deflators': '2025-04'}
    >>> resolve("dac_deflators")
    'dac_deflators@2025-04'
    >>> pin_vintages()
    {}
    """
    if vintages is None or isinstance(vintages, str):
        _PINNED.clear()
        if isinstance(vintages, str):
            _PINNED["*"] = vintages
    else:
        _PINNED.clear()
        _PINNED.update({str(k): str(v) for k, v in vintages.items()})
    _PINNED.update({k: str(v) for k, v in tables.items()})
    return dict(_PINNED)


def _env_pins() -> dict[str, str]:
    text = os.environ.get("AIDCALC_VINTAGES", "").strip()
    if not text:
        return {}
    if "=" not in text:
        return {"*": text}
    pins = {}
    for part in text.split(","):
        key, _, value = part.partition("=")
        if key.strip() and value.strip():
            pins[key.strip()] = value.strip()
    return pins


def vintages_of(table: str) -> list[DatasetInfo]:
    """Every dataset holding ``table``, embedded default first."""
    return sorted(
        (i for i in _catalogue().values() if i.table_name == table),
        key=lambda i: (i.name != table, i.origin != "embedded", i.vintage_id, i.name),
    )


def resolve(table: str, vintage: VintageSpec = None) -> str:
    """The dataset name a function reads for ``table``.

    Order: ``vintage`` (a vintage id, a dataset name, ``"embedded"``, or a mapping
    table -> vintage), then the process-wide pin, then the current download
    (``aidcalc update``), then the embedded default. A vintage named for this table that does
    not exist is an error; a process-wide pin of one id for every table
    (``pin_vintages("2025-04")``) applies to the tables that have that vintage.

    Examples
    --------
    >>> resolve("dac_deflators", "2025-04")
    'dac_deflators@2025-04'
    >>> resolve("weo", {"weo": "embedded"})
    'weo'
    >>> resolve("dac_deflators", "1999-01")
    Traceback (most recent call last):
    ...
    aidcalc._base._datasets.DatasetNotFoundError: no vintage '1999-01' of table 'dac_deflators'; ...
    """
    options = vintages_of(table)
    ids = {i.vintage_id for i in options} | {i.name for i in options} | {"embedded"}
    wanted: str | None = None
    for spec in (vintage, _PINNED, _env_pins()):
        if isinstance(spec, str):
            wanted = spec
        elif isinstance(spec, Mapping):
            wanted = spec.get(table)
            star = spec.get("*")
            # a process-wide pin of one vintage id applies to the tables that have it
            if not wanted and star and star in ids:
                wanted = star
        if wanted:
            break
    if not wanted:
        current = _current().get(table)
        if current and any(i.name == current for i in options):
            return current
        return table
    if wanted == "embedded":
        return table
    for info in options:
        if wanted in (info.vintage_id, info.name):
            return info.name
    listed = ", ".join(f"{i.vintage_id or i.name} ({i.origin})" for i in options) or "none"
    raise DatasetNotFoundError(
        f"no vintage {wanted!r} of table {table!r}; available: {listed}. Download current data "
        f"with `aidcalc update`, or pin one of these",
        name=table,
        available=[i.vintage_id or i.name for i in options],
    )


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
    options = {"keep_default_na": False, "na_values": [""]} if info.constant_columns else {}
    frame = pd.read_csv(info.path, encoding="utf-8", **{**options, **info.read_csv})
    for col, value in info.constant_columns.items():
        if col not in frame.columns:
            frame[col] = value
    return frame


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
        One row per dataset (embedded, and downloaded by ``aidcalc update``): ``name``,
        ``title``, ``publisher``, ``vintage``, ``licence``, ``rows``, ``coverage``,
        ``source_url``, ``table`` (the table it is a vintage of), ``vintage_id`` (what
        ``vintage=`` takes), ``origin`` (``embedded``/``downloaded``) and ``in_use`` (the
        vintage functions read now, see :func:`resolve`).

    Examples
    --------
    >>> listing = datasets()
    >>> list(listing.columns[:3])
    ['name', 'title', 'publisher']
    """
    rows = []
    for info in _catalogue().values():
        frame = read_dataset(info.name, copy=False)
        table = info.table_name
        in_use = resolve(table) == info.name
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
                "table": table,
                "vintage_id": info.vintage_id,
                "origin": info.origin,
                "in_use": in_use,
            }
        )
    return pd.DataFrame(
        rows,
        columns=[
            "name", "title", "publisher", "vintage", "licence", "rows", "coverage", "source_url",
            "table", "vintage_id", "origin", "in_use",
        ],
    )
