"""Option checks every reader shares: a value a reader does not take is one
:class:`aidcalc.ValidationError` naming the option, the value and what is accepted
(:func:`option_error`, :func:`refuse`), checked before any reading.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from typing import Any

import pandas as pd

from .._base._errors import InputFileError, ValidationError, join_values
from .._base._errors import option_error as base_option_error

__all__ = [
    "check_choice",
    "check_count",
    "check_limit",
    "check_mapped_columns",
    "check_mapping",
    "check_member",
    "check_number",
    "check_sheet",
    "not_a_workbook",
    "not_a_zip",
    "option_error",
    "refuse",
]


def check_choice(option: str, value: Any, accepted: Collection[Any]) -> None:
    """Refuse ``value`` for ``option`` unless it is one of ``accepted``.

    Examples
    --------
    >>> check_choice("amount", "bogus", ("commitment", "disbursement"))
    Traceback (most recent call last):
    ...
    aidcalc.ValidationError: amount='bogus' is not accepted; use one of 'commitment', 'disbursement'
    """
    try:
        ok = value in accepted and type(value) in {type(a) for a in accepted}
    except TypeError:  # unhashable
        ok = False
    if not ok:
        raise option_error(
            option,
            value,
            f"{option}={value!r} is not accepted; use one of {join_values(list(accepted))}",
            list(accepted),
        )


def option_error(option: str, value: Any, message: str, accepted: Any) -> ValidationError:
    """The one error for an option value a reader does not take: ``message``, with the
    option, the value and what is accepted as fields (no rows to report)."""
    return base_option_error(option, value, message, accepted, problems=pd.DataFrame())


def refuse(option: str, value: Any, use: str, accepted: Any) -> ValidationError:
    """:func:`option_error` worded ``option=value is not accepted; use ...``.

    Examples
    --------
    >>> print(refuse("sheet_name", 1.5, "a sheet name or number", "str or int"))
    sheet_name=1.5 is not accepted; use a sheet name or number
    """
    return option_error(option, value, f"{option}={value!r} is not accepted; use {use}", accepted)


def check_member(member: Any) -> None:
    """``member=`` names a zip member (str) or is None; anything else is a ValidationError."""
    if member is not None and not isinstance(member, str):
        raise refuse("member", member, "the name of a zip member (str) or None", "str or None")


def check_mapping(mapping: Any, use: str, accepted: str) -> None:
    """``mapping=`` is None or a dict of column name (str) -> column name (str)."""
    if mapping is not None and not (
        isinstance(mapping, Mapping)
        and all(isinstance(k, str) and isinstance(v, str) for k, v in mapping.items())
    ):
        raise refuse("mapping", mapping, use, accepted)


def check_sheet(sheet: Any, use: str, accepted: str, *, allow_none: bool = False) -> None:
    """``sheet_name=`` is a sheet name (str) or number (int, not bool), or None if allowed."""
    if sheet is None and allow_none:
        return
    if isinstance(sheet, bool) or not isinstance(sheet, (str, int)):
        raise refuse("sheet_name", sheet, use, accepted)


def check_mapped_columns(columns: Iterable[Any], mapping: Mapping[str, str], label: str) -> None:
    """Every column ``mapping`` names is in the file, or an InputFileError naming them."""
    have = list(columns)
    missing = [c for c in mapping if c not in have]
    if not missing:
        return
    message = f"mapping names columns that are not in the file: {missing}; the file has {have}"
    raise InputFileError(f"{label}: {message}", path=label, reason="bad mapping")


def not_a_zip(
    member: str | None,
    label: str,
    what: str = "is not one",
    accepted: str = "None for a file that is not a zip",
) -> None:
    """``member=`` is for zip archives only: refused for ``label``, which ``what``."""
    if member is not None:
        raise option_error(
            "member",
            member,
            f"member={member!r} is only for zip archives; {label} {what}",
            accepted,
        )


def not_a_workbook(sheet: Any, label: str, what: str) -> None:
    """``sheet_name=`` is for workbooks only: refused for ``label``, which is ``what``.

    Examples
    --------
    >>> not_a_workbook(None, "pledges.csv", "a CSV table")
    >>> not_a_workbook("data", "pledges.csv", "a CSV table")
    Traceback (most recent call last):
    ...
    aidcalc.ValidationError: sheet_name='data' is only for XLSX workbooks; pledges.csv is a ...
    """
    if sheet is not None:
        raise option_error(
            "sheet_name",
            sheet,
            f"sheet_name={sheet!r} is only for XLSX workbooks; {label} is {what}",
            "None for a file that is not a workbook",
        )


def check_count(option: str, value: Any, *, minimum: int = 1, allow_none: bool = False) -> None:
    """Refuse ``value`` for ``option`` unless it is a whole number >= ``minimum``.

    Examples
    --------
    >>> check_count("chunksize", 0)
    Traceback (most recent call last):
    ...
    aidcalc.ValidationError: chunksize=0 is not accepted; use a whole number >= 1
    """
    if value is None and allow_none:
        return
    import numbers

    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < minimum:
        raise option_error(
            option,
            value,
            f"{option}={value!r} is not accepted; use a whole number >= {minimum}"
            + (" or None" if allow_none else ""),
            f"whole number >= {minimum}",
        )


def check_limit(option: str, value: Any) -> None:
    """Refuse a limit (``max_uncompressed``, ``max_ratio``) unless it is None or a number > 0."""
    if value is not None:
        check_number(option, value, use="a number > 0 (or None for the default)")


def check_number(
    option: str, value: Any, *, minimum: float = 0.0, maximum: float = float("inf"),
    zero: bool = False, use: str | None = None,
) -> None:
    """Refuse ``value`` for ``option`` unless it is a finite real number (not a bool) above
    ``minimum`` (or equal to it when ``zero``) and at most ``maximum``.

    Examples
    --------
    >>> check_number("timeout", -1, maximum=86400)
    Traceback (most recent call last):
    ...
    aidcalc.ValidationError: timeout=-1 is not accepted; use a number > 0 and <= 86400
    >>> check_number("backoff", 0, zero=True)
    """
    import math
    import numbers

    low = f">= {minimum:g}" if zero else f"> {minimum:g}"
    high = f" and <= {maximum:g}" if math.isfinite(maximum) else ""
    try:
        number = float(value) if isinstance(value, numbers.Real) else math.nan
    except OverflowError:  # an int beyond float: beyond every limit
        number = math.inf
    if (
        isinstance(value, bool)
        or not math.isfinite(number)
        or number < minimum
        or (number == minimum and not zero)
        or number > maximum
    ):
        raise option_error(
            option,
            value,
            f"{option}={value!r} is not accepted; use {use or f'a number {low}{high}'}",
            f"number {low}{high}",
        )
