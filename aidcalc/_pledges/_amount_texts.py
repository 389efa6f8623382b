"""Written amounts in a pledge table, read against its ``amount`` and ``currency`` columns.

A table gives money as numbers (``amount`` + ``currency``), as text (``amount_text``:
``"¥1.9 trillion"``), or both. The rule, applied by :func:`read_amount_texts`:

* texts in ``amount`` itself (``"€50bn"`` where a number was expected) are written amounts:
  they move to ``amount_text`` (which the frame then keeps) and are read as such;
* a text fills an empty ``amount`` and an empty ``currency``; a text without a currency
  (``"5 million"``) takes the row's ``currency``;
* a text that names a currency other than the row's ``currency`` is a contradiction, and so
  is a text whose value is more than twice or less than half the row's ``amount`` (a unit
  slip: millions against units); such rows are left out with both values, never read one
  way silently. A symbol that stands for both currencies (``$`` for USD and CAD) is no
  contradiction: the ``currency`` column says which dollar;
* a text that cannot be read leaves its row out only where the row needs it (no amount or
  no currency of its own).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from .._base._columns import AMOUNT, AMOUNT_TEXT, CURRENCY
from .._base._frame_checks import to_numbers

__all__ = ["read_amount_texts"]

#: how far a text's value may be from the row's amount before they are not the same money
#: (a rounded "about $3bn" for 3.4e9 is; a figure in millions against one in units is not)
AGREEMENT_FACTOR = 2.0

Add = Callable[[Any, Any], None]


def read_amount_texts(out: pd.DataFrame, locale: Any, add: Add) -> None:
    """Read ``out``'s written amounts in place by the rule of this module; ``add(mask,
    texts)`` records why rows are left out."""
    _texts_in_amount(out)
    if AMOUNT_TEXT not in out.columns or not out[AMOUNT_TEXT].notna().any():
        return
    for name in (AMOUNT, CURRENCY):
        if name not in out.columns:
            out[name] = np.nan
    texts = out[AMOUNT_TEXT]
    given = out[CURRENCY].astype("string").str.strip().str.upper()
    read, named = _parse(texts, given, locale)
    missing_amount = out[AMOUNT].isna().to_numpy()
    missing_currency = given.isna().to_numpy()
    ok = read["error"].isna().to_numpy()
    _contradictions(out, read, named, given, add)
    add(~ok & (missing_amount | missing_currency), lambda rows: "amount_text: "
        + read["error"][rows].astype(str) + " (" + texts[rows].map(repr) + ")")  # fmt: skip
    out[AMOUNT] = out[AMOUNT].astype(object).where(~(missing_amount & ok), read[AMOUNT])
    out[CURRENCY] = out[CURRENCY].astype(object).where(
        ~(missing_currency & ok), read[CURRENCY].astype(object)
    )


def _texts_in_amount(out: pd.DataFrame) -> None:
    """Texts that are not numbers in ``amount`` move to ``amount_text`` (when the table has
    none): ``"€50bn"`` is a written amount, not a bad number."""
    if AMOUNT not in out.columns or AMOUNT_TEXT in out.columns:
        return
    raw = out[AMOUNT]
    if pd.api.types.is_numeric_dtype(raw.dtype):  # bool columns too: not texts
        return
    written = raw.astype("string").str.strip()
    text = (raw.notna() & to_numbers(raw).isna() & written.ne("")).fillna(False).to_numpy()
    if text.any():
        out[AMOUNT_TEXT] = raw.astype(object).where(text)
        out[AMOUNT] = raw.astype(object).where(~text)


def _parse(
    texts: pd.Series, given: pd.Series, locale: Any
) -> tuple[pd.DataFrame, np.ndarray]:
    """Every text read (``amount``, ``currency``, ``error`` per row, NaN where no text) and
    whether the text named its currency itself; a text without one that failed is read again
    with the row's ``currency``."""
    from .._money._parsing import parse_amounts

    kw: dict[str, Any] = {"errors": "coerce"} | ({"locale": locale} if locale else {})
    has = texts.notna().to_numpy()
    read = pd.DataFrame({AMOUNT: np.nan, CURRENCY: np.nan, "error": np.nan}, index=texts.index)
    read["error"] = read["error"].astype(object)
    read[CURRENCY] = read[CURRENCY].astype(object)
    first = parse_amounts(texts[has], **kw)
    read.loc[has, [AMOUNT, CURRENCY, "error"]] = first[[AMOUNT, CURRENCY, "error"]].to_numpy()
    named = read[CURRENCY].notna().to_numpy()
    again = has & ~named & read["error"].notna().to_numpy() & given.notna().to_numpy()
    if again.any():
        second = parse_amounts(texts[again], default_currency=given[again].astype(str), **kw)
        read.loc[again, [AMOUNT, CURRENCY, "error"]] = second[
            [AMOUNT, CURRENCY, "error"]
        ].to_numpy()
    return read, named


def _contradictions(
    out: pd.DataFrame, read: pd.DataFrame, named: np.ndarray, given: pd.Series, add: Add
) -> None:
    """Leave out rows whose text names another currency than their ``currency``, or whose
    text's value is not their ``amount`` within :data:`AGREEMENT_FACTOR`."""
    texts = out[AMOUNT_TEXT]
    other = named & given.notna().to_numpy() & (read[CURRENCY] != given).fillna(False).to_numpy()
    if other.any():
        other[other] = ~_same_symbol(texts[other], read[CURRENCY][other], given[other])
    add(other, lambda rows: "amount_text: " + texts[rows].map(repr) + " is written in "
        + read[CURRENCY][rows].astype(str) + " but currency is " + given[rows].astype(str)
        + ": fix one of them (or pass locale= for the text's symbol)")  # fmt: skip
    amount = to_numbers(out[AMOUNT]).to_numpy(dtype="float64")
    text = read[AMOUNT].to_numpy(dtype="float64")
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = amount / text
    both = ~np.isnan(amount) & ~np.isnan(text) & ~other
    apart = both & ~((ratio >= 1 / AGREEMENT_FACTOR) & (ratio <= AGREEMENT_FACTOR))
    apart &= ~((amount == 0) & (text == 0))
    add(apart, lambda rows: "amount: " + pd.Series(amount[rows]).map(repr).to_numpy()
        + " and amount_text " + texts[rows].map(repr) + " (" + pd.Series(text[rows]).map(
            lambda v: f"{v:,.0f}").to_numpy()
        + ") are not the same money: check the units (millions?)")  # fmt: skip


def _same_symbol(texts: pd.Series, read: pd.Series, given: pd.Series) -> np.ndarray:
    """Per contradicting row (few): does its text's symbol stand for both currencies?"""
    from .._money._parsing import symbol_of_both

    return np.array(
        [symbol_of_both(t, r, g) for t, r, g in zip(texts, read, given, strict=True)],
        dtype=bool,
    )
