"""Writing tables for spreadsheets safely: no cell can become a formula.

The rule (OWASP "CSV injection"): a text cell is a formula risk when it, or any line of it,
starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return (or their full-width forms),
or with one of the formula characters after spaces that a spreadsheet may trim (``" =1+1"``).
A spreadsheet program that splits a cell at a carriage return (or reads a row from the middle
of one) sees each line as a cell start, so every such line start is neutralised with ``'``, not
only the first. This holds for every column that can hold text (object, string, categorical),
for the column names and for the index, in CSV and in XLSX.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["FORMULA_PREFIXES", "LINE_BREAKS", "SPACES", "is_formula_risk",
           "neutralise_formulas", "neutralise_text", "write_csv", "write_xlsx"]

#: The characters that a spreadsheet may read as ``=``, ``+``, ``-`` or ``@``: those and every
#: character that Unicode's compatibility normalisation (NFKC) turns into one of them, as an
#: importer that normalises its input (or a user's input method) does: full-width (U+FF1D),
#: small (U+FE66), superscript (U+207C), subscript (U+208C) forms and the like.
_FORMULA_CHARS = (
    "=+-@"
    "\uff1d\uff0b\uff0d\uff20"  # full-width = + - @
    "\ufe66\ufe62\ufe63\ufe6b"  # small = + - @
    "\u207c\u207a\u208c\u208a"  # superscript = +, subscript = +
    "\u2a75\u2a76\ufb29"  # == and === as one character, Hebrew alternative plus
)
#: A text cell starting with one of these is read as a formula (or DDE) by spreadsheet programs.
FORMULA_PREFIXES = (*_FORMULA_CHARS, "\t", "\r", "\n")
#: Characters that end a line for some reader (those of :meth:`str.splitlines`).
LINE_BREAKS = "\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029"
#: Spaces a spreadsheet may trim before it reads a cell (LibreOffice's "trim spaces" import
#: option, Google Sheets): a formula character after them is a risk too (``" =1+1"``).
SPACES = " \u00a0\u1680" + "".join(map(chr, range(0x2000, 0x200B))) + "\u202f\u205f\u3000"
#: After a line break, a line starting with a tab, or with a formula character after any
#: spaces and tabs, is a formula risk. (A line break right after another one is an empty line, not a
#: risk: ``"a\r\nb"`` stays as it is.)
_FORMULA_CLASS = re.escape(_FORMULA_CHARS)  # inside [...]
_RISK_RE = re.compile(
    "^(?=[" + re.escape("".join(FORMULA_PREFIXES)) + "]|[\t" + SPACES + "]+[" + _FORMULA_CLASS
    + "])|(?<=[" + re.escape(LINE_BREAKS) + "])(?=\t|[\t" + SPACES + "]*[" + _FORMULA_CLASS
    + "])"
)


def is_formula_risk(text: str) -> bool:
    """Whether a spreadsheet could read ``text`` (or a line of it) as a formula.

    Examples
    --------
    >>> is_formula_risk("=1+1"), is_formula_risk("Aid\\r@SUM(A1)"), is_formula_risk("a-b")
    (True, True, False)
    >>> is_formula_risk("two\\r\\nlines")
    False
    >>> is_formula_risk(" =1+1"), is_formula_risk("ok\\n\\u00a0@x"), is_formula_risk(" a - b")
    (True, True, False)
    """
    return _RISK_RE.search(text) is not None


def neutralise_text(text: str) -> str:
    """``text`` with ``'`` before every line start that a spreadsheet would run.

    Examples
    --------
    >>> neutralise_text("=HYPERLINK(1)")
    "'=HYPERLINK(1)"
    >>> neutralise_text("Aid\\r@SUM(A1)")
    "Aid\\r'@SUM(A1)"
    >>> neutralise_text("fine")
    'fine'
    """
    return _RISK_RE.sub("'", text)


def _neutralise_values(values: pd.Series) -> pd.Series:
    """A column with its risky text cells neutralised (numbers and other objects unchanged)."""
    dtype = values.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        categories = dtype.categories
        if not (categories.dtype == np.dtype(object)
                or pd.api.types.is_string_dtype(categories.dtype)):
            return values  # numeric or date categories: no text
        values = values.astype(object)  # renaming categories could collide: plain values
    elif not (pd.api.types.is_object_dtype(dtype) or pd.api.types.is_string_dtype(dtype)):
        return values
    is_text = values.map(lambda v: isinstance(v, str)).to_numpy(dtype=bool)
    if not is_text.any():
        return values
    text = values[is_text].astype(object).astype(str)
    risky = text.str.contains(_RISK_RE, regex=True).to_numpy(dtype=bool)
    if not risky.any():
        return values
    out = values.astype(object).copy()
    where = is_text.nonzero()[0][risky]
    out.iloc[where] = text.iloc[risky].str.replace(_RISK_RE, "'", regex=True).to_numpy()
    return out


def _neutralise_label(label: Any) -> Any:
    if isinstance(label, str):
        return neutralise_text(label)
    if isinstance(label, tuple):
        return tuple(_neutralise_label(part) for part in label)
    return label


def _neutralise_index(index: pd.Index) -> pd.Index:
    names = [_neutralise_label(n) for n in index.names]
    if isinstance(index, pd.MultiIndex):
        levels = [_neutralise_index(level) for level in index.levels]
        return index.set_levels(levels).set_names(names)  # type: ignore[arg-type]
    if index.dtype == object or pd.api.types.is_string_dtype(index.dtype) or isinstance(
        index.dtype, pd.CategoricalDtype
    ):
        values = _neutralise_values(pd.Series(index, copy=False))
        return pd.Index(values.to_numpy(dtype=object), name=names[0])
    return index.set_names(names)


def neutralise_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """Return a copy where every text cell that a spreadsheet would run is prefixed with ``'``.

    Numbers stay numbers (a negative number is data, not a formula); only text cells change,
    in object, string and categorical columns alike. A cell is neutralised when it, or any
    line of it (after ``\\r``, ``\\n`` or another line break), starts with a formula character;
    each such line start gets the ``'``. Column names and the index are treated the same way.

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
    >>> cat = pd.DataFrame({"c": pd.Categorical(["@SUM(A1)", "fine"])})
    >>> neutralise_formulas(cat)["c"].tolist()
    ["'@SUM(A1)", 'fine']
    """
    out = frame.copy()
    for i in range(out.shape[1]):
        column = out.iloc[:, i]
        safe = _neutralise_values(column)
        if safe is not column:
            out.isetitem(i, safe.to_numpy(dtype=object) if safe.dtype == object else safe.array)
    if isinstance(out.columns, pd.MultiIndex):
        out.columns = pd.MultiIndex.from_tuples(
            [_neutralise_label(c) for c in out.columns], names=out.columns.names
        )
    else:
        out.columns = pd.Index([_neutralise_label(c) for c in out.columns], dtype=object)
    out.index = _neutralise_index(out.index)
    return out


def write_csv(frame: pd.DataFrame, path: str | Path, *, index: bool = False) -> Path:
    """Write ``frame`` as UTF-8 CSV with formula-like text cells neutralised.

    Rows end in CRLF (RFC 4180), so a cell holding a carriage return or a newline is always
    quoted and cannot start a row of its own.

    Examples
    --------
    >>> import tempfile, os
    >>> p = write_csv(pd.DataFrame({"a": ["@SUM(A1)"]}), os.path.join(tempfile.mkdtemp(), "t.csv"))
    >>> p.read_text(encoding="utf-8").splitlines()
    ['a', "'@SUM(A1)"]
    """
    path = Path(path)
    neutralise_formulas(frame).to_csv(path, index=index, encoding="utf-8", lineterminator="\r\n")
    return path


#: characters an XLSX worksheet cannot store (as openpyxl's ILLEGAL_CHARACTERS_RE)
_XLSX_ILLEGAL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _xlsx_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """Text cells, names and the index without characters XLSX cannot store."""

    def clean(value: Any) -> Any:
        if isinstance(value, str) and _XLSX_ILLEGAL_RE.search(value):
            return _XLSX_ILLEGAL_RE.sub("\ufffd", value)
        if isinstance(value, tuple):
            return tuple(clean(v) for v in value)
        return value

    out = frame.copy()
    for i in range(out.shape[1]):
        column = out.iloc[:, i]
        if column.dtype == object or pd.api.types.is_string_dtype(column.dtype):
            out.isetitem(i, column.astype(object).map(clean).to_numpy(dtype=object))
    out.columns = pd.Index([clean(c) for c in out.columns], dtype=object) if not isinstance(
        out.columns, pd.MultiIndex) else out.columns
    if out.index.dtype == object:
        out.index = pd.Index([clean(v) for v in out.index], name=clean(out.index.name))
    return out


def write_xlsx(
    frame: pd.DataFrame, path: str | Path, *, sheet: str = "data", index: bool = False
) -> Path:
    """Write ``frame`` as XLSX (needs openpyxl) with formula-like text cells neutralised.

    Every text cell is stored as a string, never as a formula. Control characters that the
    XLSX format cannot hold (e.g. ``\\x1c``) become U+FFFD instead of failing the export.

    Raises
    ------
    ModuleNotFoundError
        When openpyxl is not installed (``pip install 'aidcalc[xlsx]'``).
    """
    path = Path(path)
    safe = _xlsx_safe(neutralise_formulas(frame))
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        safe.to_excel(writer, sheet_name=sheet[:31], index=index)
        ws = writer.sheets[sheet[:31]]
        for row in ws.iter_rows():
            for cell in row:
                if cell.data_type == "f":  # openpyxl guessed a formula: store it as text
                    cell.value = "'" + str(cell.value)
                    cell.data_type = "s"
    return path
