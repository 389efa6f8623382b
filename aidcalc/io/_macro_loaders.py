"""Readers for macro data in the publishers' own download formats.

* :func:`read_wdi`: the World Bank WDI CSV download (``API_<indicator>_DS2_en_csv_v2_*.csv``):
  four metadata lines, then ``"Country Name","Country Code","Indicator Name","Indicator Code",
  "1960",...`` with one column per year.
* :func:`read_dac_deflators`: the OECD "Deflators for Resource Flows from DAC Countries" table
  (XLSX or CSV): a title naming the base year (``... (2023 = 100)``), a header row
  ``Donor, 2000, 2001, ...`` and one row per donor by name.

Both return the tidy layout ``iso3, year, value, unit, indicator, source, vintage, note`` that
``normalise(deflators=...)``, ``normalise(cpi=...)``, ``share_of_gdp(gdp=...)`` and
``per_capita(population=...)`` accept, so a later vintage can replace the embedded one.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from typing import Any, cast

import numpy as np
import pandas as pd

from .._base._errors import InputFileError, join_values
from ._common import local_file_reader

__all__ = ["read_dac_deflators", "read_wdi"]

_YEAR = re.compile(r"^\s*((?:19|20)\d{2})(?:\.0)?\s*$")
_BASE = re.compile(r"\b((?:19|20)\d{2})\s*=\s*100\b")


def _path(path: str | Path) -> Path:
    # the readers' one input check: a path to a non-empty regular file, else a clear error
    from ._common import check_path

    return check_path(path, regular=True)


def _text(p: Path) -> str:
    raw = p.read_bytes()
    for enc in ("utf-8-sig", "cp1252"):
        try:
            return raw.decode(enc)
        except UnicodeDecodeError:
            continue
    raise InputFileError(  # pragma: no cover - cp1252 decodes nearly anything
        f"{p} is not UTF-8 or Windows-1252 text", path=str(p), reason="encoding"
    )


@local_file_reader
def read_wdi(path: str | Path, *, indicator: str | None = None) -> pd.DataFrame:
    """Read a World Bank WDI CSV download into the tidy layout.

    Parameters
    ----------
    path
        The CSV file (the ``API_...`` file of the zip the World Bank serves): a path, a
        binary file object or a URL (``storage_options=`` as in pandas).
    indicator
        Indicator code to keep (e.g. ``"NY.GDP.MKTP.CD"``); required when the file holds
        several indicators.

    Returns
    -------
    pandas.DataFrame
        ``iso3, year, value, unit, indicator, source, vintage, note``; one row per non-empty
        cell; ``vintage`` from the file's "Last Updated Date" line.

    Raises
    ------
    InputFileError
        Missing file, or not the WDI layout (says what was expected and found).

    Examples
    --------
    >>> import tempfile, os
    >>> text = ('"Data Source","World Development Indicators",\\n\\n'
    ...         '"Last Updated Date","2025-07-01",\\n\\n'
    ...         '"Country Name","Country Code","Indicator Name","Indicator Code","2021","2022",\\n'
    ...         '"Japan","JPN","Population, total","SP.POP.TOTL","125681593","",\\n')
    >>> with tempfile.TemporaryDirectory() as d:
    ...     p = os.path.join(d, "API_SP.POP.TOTL.csv")
    ...     _ = open(p, "w").write(text)
    ...     t = read_wdi(p)
    >>> t[["iso3", "year", "value", "vintage"]].to_dict("records")
    [{'iso3': 'JPN', 'year': 2021, 'value': 125681593.0, 'vintage': 'WDI, last updated 2025-07-01'}]
    """
    p = _path(path)
    lines = _text(p).splitlines()
    header_at, updated = _wdi_header(lines, p)
    frame = pd.read_csv(
        io.StringIO("\n".join(lines[header_at:])), dtype=str, keep_default_na=False
    )
    years = [c for c in frame.columns if _YEAR.match(str(c))]
    if not years:
        raise InputFileError(
            f"{p.name}: the WDI header has no year columns "
            f"(found {join_values(list(frame.columns))})",
            path=str(p),
            line=header_at + 1,
            reason="no year columns",
        )
    frame = _one_indicator(frame, indicator, p)
    long = frame.melt(
        id_vars=["Country Code", "Indicator Name", "Indicator Code"],
        value_vars=years,
        var_name="year",
        value_name="value",
    )
    long = long[long["value"].str.strip() != ""]
    values = pd.to_numeric(long["value"], errors="coerce")
    bad = values.isna()
    if bad.any():
        shown = join_values(list(long.loc[bad, "value"].unique()))
        raise InputFileError(
            f"{p.name}: non-numeric values {shown} (e.g. {long.loc[bad, 'Country Code'].iloc[0]} "
            f"{long.loc[bad, 'year'].iloc[0]})",
            path=str(p),
            reason="value",
        )
    out = pd.DataFrame(
        {
            "iso3": long["Country Code"].str.strip().to_numpy(),
            "year": long["year"].map(lambda y: int(float(y))).to_numpy(dtype="int64"),
            "value": values.to_numpy(dtype="float64"),
            "unit": long["Indicator Name"].to_numpy(),
            "indicator": long["Indicator Code"].to_numpy(),
            "source": "World Bank WDI",
            "vintage": f"WDI, last updated {updated}" if updated else f"WDI file {p.name}",
            "note": "",
        }
    )
    return out.sort_values(["iso3", "year"], kind="stable").reset_index(drop=True)


def _wdi_header(lines: list[str], p: Path) -> tuple[int, str]:
    """(line of the "Country Name","Country Code",... header, "Last Updated Date" or "")."""
    updated = ""
    for i, line in enumerate(lines[:20]):
        cells = next(csv.reader([line]), [])
        if cells[:1] == ["Last Updated Date"] and len(cells) > 1:
            updated = cells[1].strip()
        if cells[:4] == ["Country Name", "Country Code", "Indicator Name", "Indicator Code"]:
            return i, updated
    first = lines[0][:80] if lines else "(empty file)"
    raise InputFileError(
        f"{p.name} is not a World Bank WDI CSV download: expected a header "
        '"Country Name","Country Code","Indicator Name","Indicator Code","1960",... within '
        f"the first 20 lines; the file starts with {first!r}",
        path=str(p),
        reason="layout",
    )


def _one_indicator(frame: pd.DataFrame, indicator: str | None, p: Path) -> pd.DataFrame:
    """The rows of ``indicator``, or of the file's one indicator."""
    codes = sorted(set(frame["Indicator Code"]) - {""})
    if indicator is not None:
        if indicator not in codes:
            raise InputFileError(
                f"{p.name} has no indicator {indicator!r}; it holds {join_values(codes)}",
                path=str(p),
                reason="indicator",
            )
        return frame[frame["Indicator Code"] == indicator]
    if len(codes) > 1:
        raise InputFileError(
            f"{p.name} holds several indicators {join_values(codes)}: pass indicator=",
            path=str(p),
            reason="indicator",
        )
    return frame


def _dac_grid(p: Path) -> pd.DataFrame:
    import zipfile

    # by content too: a workbook given as a file object or URL may have no .xlsx name
    if p.suffix.lower() in (".xlsx", ".xlsm") or zipfile.is_zipfile(p):
        from ._common import open_zip

        if zipfile.is_zipfile(p):
            with open_zip(p, str(p), workbook=True):
                pass  # zip-bomb limits checked before anything is decompressed
        try:
            sheets = pd.read_excel(p, sheet_name=None, header=None, dtype=object)
        except Exception as err:
            raise InputFileError(
                f"{p.name} could not be read as an Excel workbook: {err}",
                path=str(p),
                reason="xlsx",
            ) from None
        return next(iter(sheets.values())) if sheets else pd.DataFrame()
    text = _text(p)
    rows = list(csv.reader(io.StringIO(text)))
    width = max((len(r) for r in rows), default=0)
    return pd.DataFrame([r + [""] * (width - len(r)) for r in rows], dtype=object)


@local_file_reader
def read_dac_deflators(
    path: str | Path, *, base_year: int | None = None, vintage: str | None = None
) -> pd.DataFrame:
    """Read the OECD DAC deflator table ("Deflators for Resource Flows from DAC Countries").

    Layout (XLSX first sheet, or CSV): title lines naming the base year (``2023 = 100``), a
    header row whose first cell is ``Donor`` (or ``Country``) followed by years, then one row
    per donor, by name ("United States", "EU Institutions", "Total DAC"); ``..`` or blanks are
    missing values. Names map to codes with :func:`aidcalc._real._donors.donor_codes`.

    Parameters
    ----------
    path
        ``.xlsx`` or ``.csv`` file (told apart by content): a path, a binary file object or a
        URL (``storage_options=`` as in pandas).
    base_year
        Needed only when the title does not state it.
    vintage
        Vintage label for provenance (default: the file name).

    Returns
    -------
    pandas.DataFrame
        ``iso3, year, value, unit, indicator, source, vintage, note``, one vintage, ready for
        ``normalise(..., deflators=...)``.

    Raises
    ------
    InputFileError
        Missing file, no header row, unknown donor names, non-numeric cells, no base year.

    Examples
    --------
    >>> import tempfile, os
    >>> text = ("Deflators for Resource Flows from DAC Countries (2022 = 100)\\n"
    ...         "Donor,2014,2015\\nJapan,119.2271,106.4965\\nTotal DAC,100.4708,90.8621\\n")
    >>> with tempfile.TemporaryDirectory() as d:
    ...     p = os.path.join(d, "deflators.csv")
    ...     _ = open(p, "w").write(text)
    ...     t = read_dac_deflators(p, vintage="test")
    >>> t[["iso3", "year", "value"]].values.tolist()  # doctest: +NORMALIZE_WHITESPACE
    [['DAC', 2014, 100.4708], ['DAC', 2015, 90.8621],
     ['JPN', 2014, 119.2271], ['JPN', 2015, 106.4965]]
    >>> t.loc[0, "unit"]
    'index, USD terms, 2022=100'
    """
    p = _path(path)
    grid = _dac_grid(p)
    header_at = _dac_header(grid, p)
    if base_year is None:
        base_year = _base_year(grid.iloc[:header_at], p)
    header = grid.iloc[header_at]
    year_cols = {j: int(float(str(v))) for j, v in header.items() if _YEAR.match(str(v))}
    body = grid.iloc[header_at + 1 :]
    names = body.iloc[:, 0].astype(str).str.strip()
    body = body[(names != "") & (names.str.casefold() != "nan")]
    codes = _dac_donor_codes(body.iloc[:, 0].astype(str).str.strip(), p)
    out = _dac_values(body, codes, year_cols, p)
    out["year"] = out["year"].astype("int64")
    out["unit"] = f"index, USD terms, {base_year}=100"
    out["indicator"] = "DAC_DEFLATOR"
    out["source"] = "OECD DAC deflators"
    out["vintage"] = vintage or p.name
    out["note"] = ""
    return out.sort_values(["iso3", "year"], kind="stable").reset_index(drop=True)


def _dac_header(grid: pd.DataFrame, p: Path) -> int:
    """The row 'Donor, 2000, 2001, ...' (donors as rows, years as columns)."""
    for i in range(min(len(grid), 30)):
        first = str(grid.iat[i, 0]).strip().casefold() if grid.shape[1] else ""
        years = sum(bool(_YEAR.match(str(v))) for v in grid.iloc[i, 1:])
        if first in ("donor", "donors", "country", "dac donor") and years >= 1:
            return i
    raise InputFileError(
        f"{p.name} is not an OECD DAC deflator table: expected a header row 'Donor, 2000, "
        "2001, ...' (donors as rows, years as columns) within the first 30 rows",
        path=str(p),
        reason="layout",
    )


def _base_year(title: pd.DataFrame, p: Path) -> int:
    """The base year the title rows state ('2023 = 100')."""
    above = " ".join(str(v) for v in title.to_numpy().ravel() if isinstance(v, str))
    found = _BASE.search(above)
    if not found:
        raise InputFileError(
            f"{p.name}: no base year (e.g. '2023 = 100') in the title rows; pass base_year=",
            path=str(p),
            reason="base year",
        )
    return int(found.group(1))


def _dac_donor_codes(names: pd.Series, p: Path) -> pd.Series:
    """The donor code of each row's name; a name without one is an error naming it."""
    from .._real._donors import donor_codes

    codes = donor_codes(names.reset_index(drop=True), errors="coerce")
    unknown = sorted(set(names.to_numpy()[codes.isna().to_numpy()]))
    if unknown:
        raise InputFileError(
            f"{p.name}: donor names not recognised: {join_values(unknown)}; rename them to "
            "names aidcalc.donor_code knows or ISO3 codes",
            path=str(p),
            reason="donor",
        )
    return codes


_MISSING = ("", "..", "-", "n.a.", "nan")


def _dac_values(
    body: pd.DataFrame, codes: pd.Series, year_cols: dict[Any, int], p: Path
) -> pd.DataFrame:
    """``iso3, year, value`` of every filled cell (``..`` and blanks are missing)."""
    records = []
    for (_, row), code in zip(body.iterrows(), codes, strict=True):  # one row per donor
        for j, year in year_cols.items():
            cell = row.iloc[cast(int, j)]  # header=None: column labels are positions
            if cell is None or (isinstance(cell, float) and np.isnan(cell)):
                continue
            text = str(cell).strip()
            if text in _MISSING:
                continue
            try:
                value = float(text)
            except ValueError:
                raise InputFileError(
                    f"{p.name}: non-numeric deflator {text!r} for {row.iloc[0]} {year}",
                    path=str(p),
                    reason="value",
                ) from None
            records.append((code, year, value))
    out = pd.DataFrame(records, columns=["iso3", "year", "value"])
    if out.duplicated(["iso3", "year"]).any():
        dup = out.loc[out.duplicated(["iso3", "year"]), "iso3"].unique()
        raise InputFileError(
            f"{p.name}: several rows map to the same donor code {join_values(list(dup))}",
            path=str(p),
            reason="duplicate donor",
        )
    return out
