"""The row steps the real-values functions share: reading a column, amounts and dates with
their problems, factorising, categorical provenance columns, the ``error`` column, unknown
donors, and the result frame (input columns plus the new ones, same rows and index).

``normalise``, ``share_of_gdp`` and ``per_capita`` read their input through these steps, so
each rule for bad input (a missing column, text where an amount belongs, an unreadable or
ambiguous date, an unknown donor) has one home and one message.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from .._base import _columns as C
from .._base._dates import (
    AMBIGUOUS,
    COARSE,
    DATE_MAX,
    DATE_MIN,
    MIXED_ORDER,
    OK,
    OUT_OF_RANGE,
    WINDOW_TEXT,
    Precision,
    parse_dates,
)
from .._base._errors import (
    AidcalcError,
    UnknownDonorError,
    ValidationError,
    describe_rows,
    join_values,
)
from .._base._frame_checks import money_values, overflowed

__all__ = [
    "Problems",
    "add_columns",
    "amounts",
    "categorical",
    "column",
    "error_column",
    "factorize",
    "merge_errors",
    "overflow_problems",
    "result_frame",
    "row_dates",
    "unknown_donor_error",
    "year_pairs",
]

_PAIR = 1_000_000  # pair key = year * _PAIR + name index


class Problems:
    """Row problems collected on the way; raised (first one) or written to ``error``."""

    def __init__(self, index: pd.Index, errors: str) -> None:
        self.index = index
        self.errors = errors
        self.mask = np.zeros(len(index), dtype=bool)
        self.items: list[tuple[np.ndarray, np.ndarray | str, AidcalcError]] = []

    def add(self, mask: np.ndarray, reason: np.ndarray | str, error: AidcalcError) -> None:
        mask = np.asarray(mask, dtype=bool) & ~self.mask
        if not mask.any():
            return
        if self.errors == "raise":
            raise error
        self.items.append((mask, reason, error))
        self.mask |= mask

    def column(self) -> pd.Series:
        out = np.full(len(self.index), None, dtype=object)
        for mask, reason, _ in self.items:
            out[mask] = reason[mask] if isinstance(reason, np.ndarray) else reason
        return pd.Series(out, index=self.index, dtype="str").where(self.mask, None)


def error_column(frame: pd.DataFrame, problems: Problems) -> pd.Series:
    """The ``error`` column: this step's reasons, after any reason already in ``frame``."""
    return merge_errors(frame, problems.column())


def merge_errors(frame: pd.DataFrame, new: pd.Series) -> pd.Series:
    """``new`` reasons after any reason already in ``frame``'s ``error`` column."""
    if C.ERROR not in frame.columns:
        return new
    old = frame[C.ERROR].astype("str").where(frame[C.ERROR].notna(), None)
    both = old.notna() & new.notna()
    merged = old.where(old.notna(), new)
    if both.any():
        merged = merged.where(~both, old + "; " + new)
    return merged


def result_frame(
    frame: pd.DataFrame, cols: dict[str, Any], problems: Problems | None, errors: str
) -> pd.DataFrame:
    """``frame`` (never modified) with ``cols`` added or replaced, and, for
    ``errors="coerce"``, the ``error`` column (``problems=None``: an empty one)."""
    if errors == "coerce":
        cols[C.ERROR] = (
            error_column(frame, problems) if problems is not None
            else pd.Series([], index=frame.index, dtype="str")
        )  # fmt: skip
    return add_columns(frame, cols)


def add_columns(frame: pd.DataFrame, cols: dict[str, Any]) -> pd.DataFrame:
    """``frame`` (never modified) with ``cols`` added at the end, replacing same-named ones."""
    clash = [c for c in cols if c in frame.columns]
    base = frame.drop(columns=clash) if clash else frame.copy(deep=False)
    return base.assign(**cols)


def unknown_donor_error(names: list[Any], rows: pd.Index) -> UnknownDonorError:
    """One error for every unknown donor name, with suggestions for the first."""
    from ._donors import donor_code

    try:
        donor_code(str(names[0]))
        first, hints = "", []
    except UnknownDonorError as err:
        first, hints = f" ({err.message})", list(err.fields["suggestions"])
    return UnknownDonorError(
        f"unknown donor(s) {join_values(names)} in {describe_rows(rows)}: use ISO3 codes or "
        f"names aidcalc.donor_code knows, or errors='coerce'{first}",
        name=names,
        suggestions=hints,
    )


def column(frame: pd.DataFrame, name: str, role: str) -> pd.Series:
    """The column ``name`` (its ``role`` named in the error when the frame lacks it)."""
    if name not in frame.columns:
        raise ValidationError(
            f"no {role} column {name!r}; the frame has {join_values(list(frame.columns))}: "
            f"pass {role}=<column name>",
            problems=None,
        )
    return frame[name]  # column names are unique (check_frame)


def _shown(series: pd.Series, mask: np.ndarray) -> str:
    """The first five distinct values of ``series`` on ``mask``, for a message."""
    shown = {repr(v): v for v in series[mask].tolist()}  # by repr: a list in a cell is no key
    return join_values(list(shown.values())[:5])


def amounts(series: pd.Series, name: str, problems: Problems, func: str) -> np.ndarray:
    """Amounts as float64; non-numbers and infinite values are problems (bool columns raise)."""
    money = money_values(series, name, func)
    for mask, what, reason in (
        (money.not_number, "non-numeric amounts", f"amount is not a number ({name})"),
        (money.infinite, "infinite amounts", f"amount is not finite ({name})"),
    ):
        if mask.any():
            problems.add(
                mask,
                reason,
                ValidationError(
                    f"column {name!r} has {what} {_shown(series, mask)} in "
                    f"{describe_rows(series.index[mask])}: parse text first "
                    "(aidcalc.parse_amounts), fix or drop infinite values, or use "
                    "errors='coerce'",
                    problems=None,
                ),
            )
    return money.values


def overflow_problems(
    result: np.ndarray, inputs: tuple[np.ndarray, ...], index: pd.Index, what: str,
    problems: Problems,
) -> None:
    """Rows whose result overflows to infinity from finite inputs: a problem, never inf."""
    over = overflowed(result, *inputs) & ~problems.mask
    if over.any():
        shown = join_values(list(dict.fromkeys(inputs[0][over].tolist()))[:5])
        problems.add(
            over,
            f"{what} overflows (beyond 1.8e308)",
            ValidationError(
                f"{what} overflows to infinity for amounts {shown} in "
                f"{describe_rows(index[over])}: such amounts cannot be money; fix them or use "
                "errors='coerce'",
                problems=None,
            ),
        )


def factorize(series: pd.Series) -> tuple[np.ndarray, list[Any]]:
    """Codes (-1 for missing) and unique values; free for categorical columns."""
    if isinstance(series.dtype, pd.CategoricalDtype):
        return series.cat.codes.to_numpy(dtype="int64"), list(series.cat.categories)
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    return codes, list(uniques)


def year_pairs(
    codes: np.ndarray, years: np.ndarray, names: list[str]
) -> tuple[np.ndarray, list[tuple[str, int]]]:
    """The distinct ``(name, year)`` pairs of the rows, so that each is looked up once, and
    each row's number in that list: ``codes`` index ``names``; a row with code -1 has the
    pair ``("", -1)``."""
    combo = np.where(codes >= 0, years * _PAIR + codes, -1)
    numbers, keys = pd.factorize(combo)
    pairs = [(names[int(k % _PAIR)], int(k // _PAIR)) if k >= 0 else ("", -1) for k in keys]
    return numbers, pairs


def categorical(codes: np.ndarray, labels: list[str], index: pd.Index) -> pd.Series:
    """A categorical column from per-row codes into ``labels`` (labels may repeat)."""
    uniq = list(dict.fromkeys(labels))
    dtype = np.int8 if len(uniq) < 127 else np.int16 if len(uniq) < 32767 else np.int32
    small: np.ndarray  # integer codes
    if len(uniq) == len(labels):  # labels already distinct: the codes are the codes
        small = np.asarray(codes).astype(dtype, copy=False)
    else:
        position = {x: i for i, x in enumerate(uniq)}
        remap = np.array([position[x] for x in labels] + [-1], dtype=dtype)
        small = remap[codes]
    cat = pd.Categorical.from_codes(small, categories=pd.Index(uniq), validate=False)
    return pd.Series(cat, index=index, copy=False)


def relabel(source: pd.Series, mask: np.ndarray, label: str) -> pd.Series:
    """``source`` (categorical) with ``label`` on the rows of ``mask``."""
    cat = source.astype("category") if not isinstance(source.dtype, pd.CategoricalDtype) else (
        source
    )
    if label not in cat.cat.categories:
        cat = cat.cat.add_categories([label])
    codes = cat.cat.codes.to_numpy().copy()
    codes[mask] = list(cat.cat.categories).index(label)
    return pd.Series(
        pd.Categorical.from_codes(codes, categories=cat.cat.categories, validate=False),
        index=source.index,
        copy=False,
    )


# --- dates ---------------------------------------------------------------------------------------

#: how precise a date must be: fx="spot" needs the day, fx="month" the month, else the year
_NEED = {"spot": 3, "month": 2, "year": 1, "dac": 1}
_PRECISION_TEXT = {1: "year-only", 2: "month-only"}
_PRECISION: dict[str, Precision] = {"spot": "day", "month": "month", "year": "year", "dac": "year"}


def row_dates(
    series: pd.Series,
    name: str,
    fx: str,
    problems: Problems,
    locale: Any = None,
    needed: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """(datetime64[ns] dates or NaT, int64 years or -1) for a date or a year column.

    Read by :func:`aidcalc._base._dates.parse_dates` at the precision ``fx`` needs: ``2024-06``
    and ``2024`` (or integer years) only where the month or year is all that is used;
    ``07/06/2024`` (7 June or July 6?) only by ``locale``'s order or where only the year is
    used. Refused rows are added to ``problems`` with a reason, but only rows that need a date
    (``needed``; default all): a row needs one only where a rate or a deflator does.
    """
    if needed is None:
        needed = np.ones(len(series), dtype=bool)
    if _NEED[fx] > 1 and needed.any() and _holds_years(series):
        # a row problem like any other: raised, or NaN with its reason under errors="coerce"
        years = needed & series.notna().to_numpy()
        problems.add(
            years,
            f"a year where fx={fx!r} needs a date ({name})",
            ValidationError(
                f"column {name!r} holds years ({describe_rows(series.index[years])}), but "
                f"fx={fx!r} needs dates: give dates, or use fx='year' (calendar-year mean of "
                "daily rates) or fx='dac' (OECD DAC annual rate), or errors='coerce'",
                problems=None,
            ),
        )
    got = parse_dates(series, locale=locale, precision=_PRECISION[fx], option=("fx", fx))
    kind = np.where(needed, got.kind, OK)
    far = kind == OUT_OF_RANGE
    ambiguous = (kind == AMBIGUOUS) | (kind == MIXED_ORDER)
    coarse = kind == COARSE
    bad = (kind != OK) & ~ambiguous & ~coarse & ~far
    for mask, reason, message in (
        (far, lambda: f"{WINDOW_TEXT} ({name})", _text(_FAR)),
        (ambiguous, lambda: f"ambiguous day/month order ({name})", _text(_AMBIGUOUS)),
        (coarse, lambda: _coarse_reasons(got.precision, fx, name), _coarse_text(got.precision, fx)),
        (bad, lambda: f"missing or unreadable date ({name})", _text(_UNREADABLE)),
    ):
        if mask.any():  # texts built only for the problems there are
            error = ValidationError(message(series, mask, name), problems=None)
            problems.add(mask, reason(), error)
    return got.values, got.years


def _holds_years(series: pd.Series) -> bool:
    """Integer years (or whole floats) rather than dates."""
    return pd.api.types.is_integer_dtype(series) or (
        pd.api.types.is_float_dtype(series)
        and bool(np.all(np.mod(series.dropna().to_numpy(), 1) == 0))
    )


#: the messages of refused dates ({name}: the column, {shown}: some values, {rows}: where)
_FAR = (
    "column {name!r} has dates {shown} in {rows} outside the supported window "
    f"{DATE_MIN}..{DATE_MAX}: fix the year, or use errors='coerce'"
)
_AMBIGUOUS = (
    "column {name!r} has dates {shown} whose day/month order is ambiguous (7 June or July 6?) "
    "in {rows}: write them as ISO 8601 (YYYY-MM-DD), parse them with an explicit format "
    "(pd.to_datetime(..., format='%d/%m/%Y')), or use errors='coerce'"
)
_UNREADABLE = (
    "column {name!r} has missing or unreadable dates in {rows}: fill them, write them as ISO "
    "8601 (YYYY-MM-DD), or use errors='coerce'"
)


def _text(template: str) -> Any:
    """A message function filling ``template`` for the rows of ``mask``."""

    def text(series: pd.Series, mask: np.ndarray, name: str) -> str:
        return template.format(
            name=name, shown=_shown(series, mask), rows=describe_rows(series.index[mask])
        )

    return text


def _coarse_reasons(precision: np.ndarray, fx: str, name: str) -> np.ndarray:
    wants = "a day" if _NEED[fx] == 3 else "a month"
    return np.where(
        precision == 1,
        f"year-only date where fx={fx!r} needs {wants} ({name})",
        f"month-only date where fx={fx!r} needs {wants} ({name})",
    ).astype(object)


def _coarse_text(precision: np.ndarray, fx: str) -> Any:
    day = _NEED[fx] == 3

    def text(series: pd.Series, mask: np.ndarray, name: str) -> str:
        kind_text = _PRECISION_TEXT[int(precision[mask].min())]
        return (
            f"column {name!r} has {kind_text} dates {_shown(series, mask)} in "
            f"{describe_rows(series.index[mask])}, but fx={fx!r} needs "
            f"{'the day' if day else 'the month'}: give full dates, or use "
            f"{'fx=' + repr('month') + ', ' if day else ''}fx='year' or fx='dac'"
        )

    return text
