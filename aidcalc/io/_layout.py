"""The layout of the spreadsheets analysts really have, for :func:`aidcalc.io.read_table`:
which row is the header (titles and source lines above it are notes), what a column header
says about the money below it (``Amount (EUR million)``: x 1,000,000, in EUR), and which rows
are not pledges (a ``Total`` row that repeats the rows it sums; a footnote without an amount).

The scale and currency words of a header are read by the parsing layer's lexicon
(:func:`aidcalc._money._parsing.header_unit`: CLDR and ``datasets/parse_words.csv``); the
words of a total row are the curated list ``io/_total_words.csv`` (CLDR has none).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .._base._errors import InputFileError
from ._tables import HeaderPick

__all__ = [
    "TOTAL_TOLERANCE", "Unit", "amount_unit", "header_pick", "note_rows", "row_text", "total_rows",
]

_HERE = Path(__file__).resolve().parent

#: A total row matches the rows it sums when they differ by at most this share of the sum
#: (tables print rounded figures: 1.04 + 1.04 + 1.04 is printed with the total 3.1).
TOTAL_TOLERANCE = 0.005


@cache
def _total_pattern() -> re.Pattern[str]:
    """A cell that says Total / Sum / Gesamt / 合計 (``io/_total_words.csv``), optionally
    followed by a colon, a year or a parenthesis (``Total (2022-2025)``)."""
    return re.compile(_total_source(r"\s"), re.IGNORECASE)


@cache
def _total_source(space: str) -> str:
    """The total-label pattern, ``space`` the class of spaces (Python's ``\\s`` is Unicode,
    RE2's is ASCII: ``\\s\\p{Z}`` there)."""
    words = pd.read_csv(_HERE / "_total_words.csv", dtype=str, keep_default_na=False)["word"]
    alternation = "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))
    return rf"(?:{alternation})[{space}]*[:.]?[{space}]*(?:\(.*\)|[0-9{space}/.,–-]*)"


def _says_total(uniques: Any, pattern: re.Pattern[str]) -> np.ndarray:
    """Which distinct cells say a total (``pattern``, :func:`_total_pattern`): matched by
    RE2 (pyarrow, vectorised) where installed, else by Python's ``re``."""
    texts = pd.Series(uniques, dtype=object).astype("string")
    try:
        import pyarrow as pa
        import pyarrow.compute as pc
    except ImportError:  # pragma: no cover - pyarrow is optional
        return texts.str.strip().str.fullmatch(pattern).fillna(False).to_numpy(bool)
    arr = pa.array(texts.array, pa.string())  # pandas' string array says its nulls
    source = _total_source(r"\s\p{Z}")
    hit = pc.match_substring_regex(pc.utf8_trim_whitespace(arr), f"^(?:{source})$",
                                   ignore_case=True)  # fmt: skip
    return hit.fill_null(False).to_numpy(zero_copy_only=False).astype(bool)


def _roles(cells: Sequence[str], mapping: Mapping[str, str] | None) -> dict[str, str]:
    from .._pledges._frame import role_renames

    return role_renames(cells, mapping)


def header_pick(mapping: Mapping[str, str] | None, locale_id: str) -> HeaderPick:
    """The rule that finds a table's header among its leading rows: the first row that
    names every column of ``mapping``, or (without one) a donor and an amount (by its
    common name, ``amount_text``, or a header naming a currency or scale).

    Examples
    --------
    >>> pick = header_pick(None, "en")
    >>> pick([["Support by Germany, 2022-2025"], [], ["Donor", "Amount (EUR million)"]])
    2
    >>> pick([["x", "y"]]) is None
    True
    >>> pick([["Pledges, 2024"], ["donor", "amount", "currency"]])  # the roles' own names
    1
    """

    def pick(rows: Sequence[Sequence[str]]) -> int | None:
        for i, row in enumerate(rows):
            cells = [c.strip() for c in row]
            if mapping:
                if all(k in cells for k in mapping):
                    return i
                continue
            # a column already named by its role ("donor", "amount") is not renamed
            roles = set(_roles(cells, None).values()) | set(cells)
            if "donor" in roles and (
                roles & {"amount", "amount_text"}
                or any(_unit_of(c, locale_id).named for c in cells if c)
            ):
                return i
        return None

    return pick


@dataclass(frozen=True)
class Unit:
    """What the amount column's header says: its scale (power of ten) and currency."""

    column: str
    power: int
    currency: str | None
    problem: str | None = None

    @property
    def named(self) -> bool:
        return self.problem is None and (self.power != 0 or self.currency is not None)

    def text(self) -> str:
        """``column 'Amount (EUR million)': x 1,000,000 EUR from its header``."""
        scale = f"x {10**self.power:,}" if self.power else "x 1"
        return f"column {self.column!r}: {scale} {self.currency or ''}".rstrip() + (
            " from its header"
        )


def _unit_of(header: str, locale_id: str, *, check: bool = False) -> Unit:
    from .._money._parsing import header_unit

    got = header_unit(header, locale_id, other_languages=check)
    return Unit(header, got.power or 0, got.currency, got.problem)


def amount_unit(
    columns: Sequence[str], renames: Mapping[str, str], locale_id: str, label: str
) -> Unit | None:
    """The amount column and what its header says: the column given the role ``amount``
    (by ``mapping=`` or its name), else the one column whose header names a currency or a
    scale (``Amount (EUR million)``); None when there is none. A header that cannot be
    read, or several candidates, is an InputFileError saying how to fix it."""
    named = [c for c, role in renames.items() if role == "amount"]
    if named:
        unit = _unit_of(named[0], locale_id, check=True)
    else:
        units = [_unit_of(c, locale_id) for c in columns if c not in renames]
        found = [u for u in units if u.named]
        priced = [u for u in found if u.currency is not None]
        chosen = priced if priced else found
        if len(chosen) > 1:
            raise InputFileError(
                f"{label}: several columns name a currency or scale in their header "
                f"({[u.column for u in chosen]}); name the amount with mapping="
                f"{{{chosen[0].column!r}: 'amount'}}",
                path=label,
                reason="wrong layout",
            )
        if not chosen:
            return None
        unit = _unit_of(chosen[0].column, locale_id, check=True)
    if unit.problem is not None and (unit.power == 0 or "scale" in unit.problem):
        raise InputFileError(
            f"{label}: the header of the amount column {unit.column!r} cannot be read: "
            f"{unit.problem}",
            path=label,
            reason="wrong layout",
        )
    return unit


def total_rows(
    table: pd.DataFrame, amounts: pd.Series, currencies: pd.Series | None, skip: Sequence[str]
) -> tuple[np.ndarray, np.ndarray, pd.Series]:
    """(rows labelled as a total, those whose amount is the sum of the rows they total,
    what each sums) in ``table``, whose ``amounts`` are numbers (NaN where unknown).

    A total row is one whose text cell (any column but ``skip``) says Total / Sum /
    Gesamt / 合計...; the rows it totals are the rows of its currency above it since the
    previous total, all rows above it, or the same below it (a total printed first); it
    matches when one of these sums equals its amount up to :data:`TOTAL_TOLERANCE`.
    """
    pattern = _total_pattern()
    labelled = np.zeros(len(table), dtype=bool)
    for col in table.columns:
        if col in skip or col == "amount":
            continue
        codes, uniques = pd.factorize(table[col])  # each distinct text matched once
        hit = _says_total(uniques, pattern)
        labelled |= np.append(hit, False)[codes]  # code -1 (empty): the appended False
    sums = pd.Series(np.nan, index=table.index, dtype=float)
    if not labelled.any():
        return labelled, labelled, sums
    values = amounts.to_numpy(dtype=float, na_value=np.nan)
    key = (pd.Series("", index=table.index) if currencies is None
           else currencies.astype("string").fillna(""))
    plain = pd.Series(np.where(labelled | np.isnan(values), 0.0, values), index=table.index)
    running = plain.groupby(key.to_numpy(), observed=True).cumsum().to_numpy()
    grand = plain.groupby(key.to_numpy(), observed=True).transform("sum").to_numpy()
    at = np.flatnonzero(labelled)
    keys = key.to_numpy()[at]
    here = pd.Series(running[at])
    before = here.groupby(keys, observed=True).shift(1).fillna(0.0).to_numpy()
    after = here.groupby(keys, observed=True).shift(-1).to_numpy()
    after = np.where(np.isnan(after), grand[at], after)
    candidates = np.stack([here - before, here.to_numpy(), after - here, grand[at] - here])
    total = values[at]
    close = np.abs(candidates - total) <= TOTAL_TOLERANCE * np.abs(candidates)
    match = close.any(axis=0) & ~np.isnan(total)
    which = np.argmax(close, axis=0)
    matched = np.zeros(len(table), dtype=bool)
    matched[at[match]] = True
    summed = np.where(match, candidates[which, np.arange(len(at))], here - before)
    sums = pd.Series(np.nan, index=table.index, dtype=float)
    sums.iloc[at] = pd.Series(summed, index=table.index[at])
    return labelled, matched, sums


def note_rows(table: pd.DataFrame, amount: pd.Series) -> np.ndarray:
    """Rows without an amount whose text is in one cell only: a footnote (``Note: figures
    rounded``) or a section title, not a pledge."""
    out = amount.isna().to_numpy(bool).copy()
    part = table.loc[out].astype("string")
    # cells with text, counted column by column (an empty pandas 2 apply keeps string dtype)
    filled = np.zeros(len(part), dtype=np.int64)
    for i in range(part.shape[1]):
        filled += (part.iloc[:, i].str.strip() != "").fillna(False).to_numpy(bool)
    out[out] = filled == 1
    return out


def row_text(table: pd.DataFrame, rows: np.ndarray) -> pd.Series:
    """The non-empty cells of ``rows``, joined (what a note or total row says)."""
    part = table.loc[rows].astype("string").apply(lambda c: c.str.strip()).replace("", pd.NA)
    return part.bfill(axis=1).iloc[:, 0] if part.shape[1] else part.index.to_series()
