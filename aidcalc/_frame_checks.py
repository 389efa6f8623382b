"""Input checks shared by the pledge-frame functions (one documented rule for bad input).

The rule: every pledge function (``validate``, ``pledges``, ``categorise``, ``spread``,
``aggregate``) raises :class:`FrameTypeError` when its ``frame`` is not a
:class:`pandas.DataFrame`, and :class:`aidcalc.ValidationError` when the frame has duplicate
column names (which column would be "the" amount?). ``FrameTypeError`` is a
``ValidationError`` (so an :class:`aidcalc.AidcalcError`) *and* a built-in ``TypeError``, so
both ``except aidcalc.AidcalcError`` and ``except TypeError`` catch it.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from ._errors import FrameTypeError, ValidationError, join_values

__all__ = ["FrameTypeError", "check_frame"]


def check_frame(frame: Any, func: str) -> pd.DataFrame:
    """Return ``frame`` if it is a DataFrame with unique column names, else raise clearly.

    Examples
    --------
    >>> check_frame({"amount": [1.0]}, "spread")
    Traceback (most recent call last):
    ...
    aidcalc.FrameTypeError: spread expects a pandas DataFrame, got dict; ...
    >>> check_frame(pd.DataFrame([[1, 2]], columns=["amount", "amount"]), "aggregate")
    Traceback (most recent call last):
    ...
    aidcalc.ValidationError: aggregate: duplicate column names 'amount'; ...
    """
    if not isinstance(frame, pd.DataFrame):
        got = type(frame).__name__
        raise FrameTypeError(
            f"{func} expects a pandas DataFrame, got {got}; build one with "
            "pandas.DataFrame(...) (or aidcalc.pledges(path) for a file)",
            problems=pd.DataFrame(),
            got=got,
        )
    if frame.columns.has_duplicates:
        dup = list(dict.fromkeys(frame.columns[frame.columns.duplicated()].tolist()))
        raise ValidationError(
            f"{func}: duplicate column names {join_values(dup)}; rename or drop the copies "
            "(e.g. frame.loc[:, ~frame.columns.duplicated()]) so each role has one column",
            problems=pd.DataFrame({"row": None, "column": dup, "problem": "duplicate column"}),
        )
    return frame
