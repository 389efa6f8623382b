"""Writing tables for spreadsheets safely: no cell can become a formula."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

__all__ = ["neutralise_formulas", "write_csv", "write_xlsx"]

#: A text cell starting with one of these is read as a formula (or DDE) by spreadsheet programs.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def neutralise_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """Return a copy where every text cell that a spreadsheet would run is prefixed with ``'``.

    Numbers stay numbers (a negative number is data, not a formula); only text cells change.
    Column names are treated the same way.

    Parameters
    ----------
    frame
        The table to export. It is not modified.

    Returns
    -------
    pandas.DataFrame
        A copy that is safe to write to CSV or XLSX.

    Examples
    --------
    >>> df = pd.DataFrame({"note": ["=HYPERLINK(1)", "ok", "-2+3"], "x": [-1.5, 2, 3]})
    >>> neutralise_formulas(df)["note"].tolist()
    ["'=HYPERLINK(1)", 'ok', "'-2+3"]
    >>> neutralise_formulas(df)["x"].tolist()
    [-1.5, 2.0, 3.0]
    """
    out = frame.copy()
    for col in out.columns:
        series = out[col]
        if series.dtype == object or pd.api.types.is_string_dtype(series.dtype):
            is_text = series.map(lambda v: isinstance(v, str)).astype(bool)
            text = series[is_text].astype(str)
            risky = text.str.startswith(FORMULA_PREFIXES)
            if risky.any():
                out[col] = series.astype(object)
                out.loc[risky[risky].index, col] = "'" + text[risky]
    out.columns = [
        "'" + c if isinstance(c, str) and c.startswith(FORMULA_PREFIXES) else c for c in out.columns
    ]
    return out


def write_csv(frame: pd.DataFrame, path: str | Path, *, index: bool = False) -> Path:
    """Write ``frame`` as UTF-8 CSV with formula-like text cells neutralised.

    Examples
    --------
    >>> import tempfile, os
    >>> p = write_csv(pd.DataFrame({"a": ["@SUM(A1)"]}), os.path.join(tempfile.mkdtemp(), "t.csv"))
    >>> p.read_text(encoding="utf-8").splitlines()
    ['a', "'@SUM(A1)"]
    """
    path = Path(path)
    neutralise_formulas(frame).to_csv(path, index=index, encoding="utf-8")
    return path


def write_xlsx(
    frame: pd.DataFrame, path: str | Path, *, sheet: str = "data", index: bool = False
) -> Path:
    """Write ``frame`` as XLSX (needs openpyxl) with formula-like text cells neutralised.

    Every text cell is stored as a string, never as a formula.

    Raises
    ------
    ModuleNotFoundError
        When openpyxl is not installed (``pip install 'aidcalc[xlsx]'``).
    """
    path = Path(path)
    safe = neutralise_formulas(frame)
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        safe.to_excel(writer, sheet_name=sheet[:31], index=index)
        ws = writer.sheets[sheet[:31]]
        for row in ws.iter_rows():
            for cell in row:
                if cell.data_type == "f":  # openpyxl guessed a formula: store it as text
                    cell.value = "'" + str(cell.value)
                    cell.data_type = "s"
    return path
