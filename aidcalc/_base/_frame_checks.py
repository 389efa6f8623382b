"""Input checks shared by the pledge-frame functions (one documented rule for bad input).

Money (:func:`money_values`, :func:`overflowed`): an amount column must hold numbers, never
booleans (``True`` is not one unit of money: a bool column raises
:class:`aidcalc.ValidationError`), and a value that is there must be finite: ``inf`` and
``-inf`` are refused, and so is a result that overflows to infinity (``1e308`` USD in JPY).
Each function names the rows and values, or with ``errors="coerce"`` gives NaN and a reason.
Missing values (NaN, None) stay missing: they are not money and not an error.

The rule: every pledge function (``validate``, ``pledges``, ``categorise``, ``spread``,
``aggregate``) raises :class:`FrameTypeError` when its ``frame`` is not a
:class:`pandas.DataFrame`, and :class:`aidcalc.ValidationError` when the frame has duplicate
column names (which column would be "the" amount?). ``FrameTypeError`` is a
``ValidationError`` (so an :class:`aidcalc.AidcalcError`) *and* a built-in ``TypeError``, so
both ``except aidcalc.AidcalcError`` and ``except TypeError`` catch it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from ._columns import ANNOUNCED, DATE, ERROR, FX_TO, PRICE_BASE
from ._errors import (
    FrameTypeError,
    OptionTypeError,
    ValidationError,
    describe_rows,
    join_values,
)

__all__ = [
    "FrameTypeError",
    "Money",
    "booleans",
    "check_columns_exist",
    "check_frame",
    "check_out_names",
    "check_own_columns",
    "check_provenance_free",
    "column_list",
    "date_column",
    "money_values",
    "object_numbers",
    "overflowed",
    "rows_error",
    "to_numbers",
    "unnamed_index",
    "with_columns",
]


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


#: where ``convert`` and ``normalise`` find the dates when ``date=`` is not given: a table's own
#: ``date`` column, else the pledge frame's announcement date (what :func:`aidcalc.pledges`
#: and the readers write)
DATE_COLUMNS = (DATE, ANNOUNCED)


def date_column(frame: pd.DataFrame, date: str | None) -> str:
    """The date column to read: ``date`` when given, else the first of :data:`DATE_COLUMNS`
    the frame has (``"date"`` when it has neither, so the missing-column error names it).

    Examples
    --------
    >>> date_column(pd.DataFrame({"announced": []}), None)
    'announced'
    >>> date_column(pd.DataFrame({"date": [], "announced": []}), None)
    'date'
    >>> date_column(pd.DataFrame({"announced": []}), "signed")
    'signed'
    """
    if date is not None:
        return date
    return next((c for c in DATE_COLUMNS if c in frame.columns), DATE)


def unnamed_index(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with its index levels unnamed (the labels kept, no data copied), for grouping
    and sorting by column names: a frame indexed by a level called ``donor`` (as
    ``frame.set_index("donor", drop=False)`` or a user's ``rename_axis`` gives) otherwise
    makes pandas refuse ``groupby("donor")`` as ambiguous, and the labels are still there to
    name the rows in an error.

    Examples
    --------
    >>> f = pd.DataFrame({"donor": ["DEU"], "amount": [1.0]}).rename_axis("donor")
    >>> unnamed_index(f).groupby("donor")["amount"].sum().tolist()
    [1.0]
    >>> f.index.name  # the caller's frame keeps its index name
    'donor'
    """
    if not any(name is not None for name in frame.index.names):
        return frame
    out = frame.copy(deep=False)
    out.index = out.index.set_names([None] * out.index.nlevels)
    return out


def column_list(spec: Any) -> list[Any]:
    """The columns an option names: ``None`` none, a list (tuple, ...) those, anything else
    that one column (a string, or the number pandas gives a column read with ``header=None``).

    Examples
    --------
    >>> column_list(None), column_list("donor"), column_list(("donor", 3)), column_list(3)
    ([], ['donor'], ['donor', 3], [3])
    """
    if spec is None:
        return []
    return list(spec) if pd.api.types.is_list_like(spec) else [spec]


def with_columns(frame: pd.DataFrame, columns: Mapping[Any, Any]) -> pd.DataFrame:
    """``frame.assign(**columns)`` for any column label: ``assign`` takes keywords, so a
    column the user named with a number (``pd.read_csv(..., header=None)``) would fail there
    with a raw ``TypeError``. A new frame; ``frame`` is left as it is.

    Examples
    --------
    >>> with_columns(pd.DataFrame({0: ["DEU"], 1: [1.0]}), {0: ["FRA"]}).to_dict("list")
    {0: ['FRA'], 1: [1.0]}
    """
    out = frame.copy(deep=False)
    for label, values in columns.items():
        out[label] = values
    return out


def check_columns_exist(names: Iterable[Any], frame: pd.DataFrame, message: str) -> None:
    """Raise a ValidationError when a name in ``names`` is not a column of ``frame``;
    ``message`` is formatted with ``unknown`` (the list) and ``columns`` (the frame's).

    Examples
    --------
    >>> check_columns_exist(["amount_USD"], pd.DataFrame({"amount": [1.0]}),
    ...                     "money column(s) {unknown} not in the frame (columns: {columns})")
    Traceback (most recent call last):
    ...
    aidcalc.ValidationError: money column(s) ['amount_USD'] not in the frame (columns: ['amount'])
    """
    unknown = [c for c in names if c not in frame.columns]
    if unknown:
        raise ValidationError(
            message.format(unknown=unknown, columns=list(frame.columns)), problems=pd.DataFrame()
        )


def check_out_names(
    func: str,
    chosen: Mapping[str, str | None],
    *,
    reads: Mapping[str, str | None],
    writes: Iterable[str] = (),
) -> None:
    """Refuse output column names that would destroy what the result needs: a name
    (``chosen``: option -> column, e.g. ``{"out": "amount"}``) that is a column the call
    reads (``reads``: option -> column, e.g. ``{"amount": "amount"}``), one of the columns
    it writes itself (``writes``: provenance such as ``fx_rate``), or the name of another
    chosen output. Each would replace money or its provenance without a word (converted
    euros in the ``amount`` column, next to a ``currency`` column that still says JPY).

    Examples
    --------
    >>> check_out_names("convert", {"out": "amount"}, reads={"amount": "amount"})
    Traceback (most recent call last):
    ...
    aidcalc.ValidationError: convert: out='amount' would overwrite the input column 'amount' ...
    >>> check_out_names("convert", {"out": "amount_EUR"}, reads={"amount": "amount"})
    """
    seen: dict[str, str] = {}
    for option, name in chosen.items():
        if name is None:
            continue
        if not isinstance(name, str):
            raise OptionTypeError(
                f"{func}: {option}= must be a column name (a string), got {name!r}",
                problems=None, option=option, value=name, accepted="a column name",
            )  # fmt: skip
        readers = [o for o, col in reads.items() if col is not None and col == name]
        if readers:
            why = (
                f"would overwrite the input column {name!r} ({readers[0]}=) that {func} "
                "reads, leaving results beside inputs that no longer describe them"
            )
        elif name in writes:
            why = f"is a column {func} writes itself ({join_values(list(writes))})"
        elif name in seen:
            why = f"is also {seen[name]}="
        else:
            seen[name] = option
            continue
        message = f"{func}: {option}={name!r} {why}; pass another {option}= name"
        raise ValidationError(
            message,
            problems=pd.DataFrame({"row": [None], "column": [name], "problem": [why]}),
            option=option,
            value=name,
        )


def check_own_columns(func: str, frame: pd.DataFrame, columns: Iterable[str], marker: str) -> None:
    """Refuse to replace the caller's own columns. ``columns`` (what the call writes: its
    result first, then data such as ``gdp``) may be in ``frame`` only as an earlier result
    of the same call under the same name, which ``marker`` (its source column,
    ``gdp_source``) shows: a re-run replaces them together. A column of the user's own
    (their ``gdp`` figures) is never replaced silently.

    Examples
    --------
    >>> check_own_columns("share_of_gdp", pd.DataFrame({"gdp": [1.0]}), ["pct_of_gdp", "gdp"],
    ...                   "gdp_source")
    Traceback (most recent call last):
    ...
    aidcalc.ValidationError: share_of_gdp: the frame has its own column 'gdp', which ...
    >>> earlier = pd.DataFrame({"pct_of_gdp": [0.1], "gdp": [1.0], "gdp_source": ["x"]})
    >>> check_own_columns("share_of_gdp", earlier, ["pct_of_gdp", "gdp"], "gdp_source")
    """
    result, *data = columns
    if marker in frame.columns:
        if result in frame.columns:
            return
        raise ValidationError(
            f"{func}: the frame holds an earlier {func} result ({join_values([*data, marker])}) "
            f"under another name than out={result!r}; this call would replace its figures "
            f"beside a result they no longer describe: drop {join_values([*data, marker])} "
            "first, or run it on the frame without that result",
            problems=None,
        )
    theirs = [c for c in columns if c in frame.columns]
    if theirs:
        many = len(theirs) > 1
        raise ValidationError(
            f"{func}: the frame has its own column{'s' if many else ''} {join_values(theirs)}, "
            f"which {func} writes (with {marker!r}): rename {'them' if many else 'it'} (or pass "
            "out= another name for the result); a column of yours is never replaced silently",
            problems=pd.DataFrame({"row": None, "column": theirs, "problem": "would be replaced"}),
        )


def check_provenance_free(
    func: str, frame: pd.DataFrame, *, out: str, to: str, writes: Iterable[str]
) -> None:
    """Refuse to write a conversion's provenance over provenance the frame already has.

    The provenance columns (``fx_rate``, ``fx_to``, ``price_base``...) describe one value
    column of a frame: what :func:`aidcalc.aggregate`, the charts and the report read to
    label its sums. A second conversion into another column (``convert`` to USD, then to
    EUR; ``normalise`` of a frame read with a ``price_base``) would leave the first column
    beside provenance that no longer describes it: USD sums labelled EUR, constant prices
    deflated again. Writing over them is allowed only when the call replaces its own
    earlier result (``out`` is already a column and ``fx_to`` already says ``to``).

    Examples
    --------
    >>> usd = pd.DataFrame({"amount_USD": [1.0], "fx_rate": [1.1], "fx_to": ["USD"]})
    >>> check_provenance_free("convert", usd, out="amount_EUR", to="EUR",
    ...                       writes=["fx_rate", "fx_to"])
    Traceback (most recent call last):
    ...
    aidcalc.ValidationError: convert: the frame already holds the provenance of an earlier ...
    >>> check_provenance_free("convert", usd, out="amount_USD", to="USD",
    ...                       writes=["fx_rate", "fx_to"])  # run again: replaced together
    """
    present = [c for c in writes if c in frame.columns and c != ERROR]
    if not present:
        return
    targets = set(frame[FX_TO].dropna().astype(str)) if FX_TO in frame.columns else set()
    if out in frame.columns and FX_TO in frame.columns and targets <= {to}:
        return  # the same conversion again: the value and its provenance replaced together
    if targets:
        why = (
            f"the frame already holds the provenance of an earlier conversion (fx_to: "
            f"{join_values(sorted(targets))}; {join_values(present)})"
        )
        fix = (
            "convert the original frame instead (one converted column a frame), or drop the "
            "earlier value column and its provenance columns first"
        )
    else:
        bases = sorted(set(frame[PRICE_BASE].dropna().astype(str))) if PRICE_BASE in frame else []
        why = f"the frame's {join_values(present)} already describes its amounts" + (
            f" (price_base: {join_values(bases[:3])})" if bases else ""
        )
        fix = (
            "amounts in constant prices must not be converted or deflated again: select the "
            "rows whose price_base starts with 'current' and drop the price_base column first"
        )
    raise ValidationError(
        f"{func}: {why}; writing this call's provenance ({out!r} in {to}) over it would leave "
        "the earlier values beside provenance that no longer describes them (aggregate and "
        f"the charts label sums by it): {fix}",
        problems=pd.DataFrame({"row": [None], "column": [present[0]], "problem": [why]}),
        option="out",
        value=out,
    )


def rows_error(
    before: str, rows: pd.Index, after: str, *, column: Any, problem: str
) -> ValidationError:
    """The ValidationError for bad rows, for the caller to raise: the message names the rows
    between ``before`` and ``after``; ``problems`` has ``row``, ``column`` and ``problem``.

    Examples
    --------
    >>> err = rows_error("spread: ", pd.Index([3]), ": not a year", column="period_end",
    ...                  problem="not a year")
    >>> str(err)
    'spread: 1 row (index 3): not a year'
    >>> err.problems.to_dict("records")
    [{'row': 3, 'column': 'period_end', 'problem': 'not a year'}]
    """
    return ValidationError(
        f"{before}{describe_rows(rows)}{after}",
        problems=pd.DataFrame({"row": rows, "column": column, "problem": problem}),
    )


def booleans(column: pd.Series) -> np.ndarray:
    """Rows holding a bool: every present value of a bool column, or bools among objects.

    Examples
    --------
    >>> booleans(pd.Series([1.0, True, "x"], dtype=object)).tolist()
    [False, True, False]
    """
    if pd.api.types.is_bool_dtype(column.dtype):
        return column.notna().to_numpy()
    if isinstance(column.dtype, np.dtype) and column.dtype.kind == "O":
        return np.fromiter(
            (isinstance(v, (bool, np.bool_)) for v in column.to_numpy()),
            dtype=bool,
            count=len(column),
        )
    return np.zeros(len(column), dtype=bool)


class Money(NamedTuple):
    """An amount column read as ``float64``, with the masks of values that are not money."""

    values: np.ndarray
    """``float64`` per row (NaN where missing or not a number)."""
    not_number: np.ndarray
    """A value is there but is not a number (text, a bool among numbers, ...)."""
    infinite: np.ndarray
    """``inf`` or ``-inf``."""

    @property
    def bad(self) -> np.ndarray:
        """Rows whose value is there but is not finite money."""
        return self.not_number | self.infinite


def to_numbers(values: Any) -> pd.Series:
    """``pd.to_numeric(values, errors="coerce")``, also for pyarrow decimal columns (a
    ``decimal128[pyarrow]`` amount with a null makes pandas' ``to_numeric`` fail with a
    length error): those are cast to float64, nulls NaN.

    Examples
    --------
    >>> import decimal, pyarrow as pa
    >>> amounts = pd.Series(pd.array([decimal.Decimal("1.5"), None],
    ...                              dtype=pd.ArrowDtype(pa.decimal128(5, 2))))
    >>> to_numbers(amounts).tolist()
    [1.5, nan]
    """
    series = values if isinstance(values, pd.Series) else pd.Series(values)
    dtype = series.dtype
    if isinstance(dtype, pd.ArrowDtype):
        import pyarrow as pa

        if pa.types.is_decimal(dtype.pyarrow_dtype):  # cast in Arrow; null -> NaN (pandas 2
            floats = series.astype(pd.ArrowDtype(pa.float64()))  # raised on astype(float))
            return pd.Series(
                floats.to_numpy("float64", na_value=np.nan), index=series.index, name=series.name
            )
    if isinstance(dtype, np.dtype) and dtype.kind in "Oc":  # objects, or complex numbers
        raw = np.asarray(series.astype(object).where(series.notna(), None), dtype=object)
        return pd.Series(object_numbers(raw), index=series.index, name=series.name)
    return pd.to_numeric(series, errors="coerce")


def object_numbers(raw: np.ndarray) -> np.ndarray:
    """An object array as ``float64``: numbers (``Decimal`` and numpy scalars too) and
    numeric text read, anything else NaN. A complex value is not a number (its imaginary
    part would be dropped without a word), and an integer too large for a float is
    infinite (refused as not finite, never read as missing).

    Examples
    --------
    >>> from decimal import Decimal
    >>> object_numbers(np.array([1, "2e3", Decimal("1.5"), 1 + 2j, 10**400, None, "x"],
    ...                         dtype=object)).tolist()
    [1.0, 2000.0, 1.5, nan, inf, nan, nan]
    """
    with np.errstate(all="ignore"):
        try:
            num = pd.to_numeric(pd.Series(raw, dtype=object), errors="coerce")
        except (OverflowError, TypeError, ValueError):  # an int beyond float64, ...
            num = None
        if num is not None and num.dtype != object and num.dtype.kind != "c":
            return num.to_numpy(dtype="float64", na_value=np.nan)
        # number objects pandas does not read as one column: a loop, for such columns only
        values = np.fromiter((_as_float(v) for v in raw), dtype="float64", count=len(raw))
        texts = np.fromiter((isinstance(v, (str, bytes)) for v in raw), dtype=bool,
                            count=len(raw))  # fmt: skip
        if texts.any():
            read = pd.to_numeric(pd.Series(raw[texts], dtype=object), errors="coerce")
            values[texts] = read.to_numpy(dtype="float64", na_value=np.nan)
    return values


def money_values(column: pd.Series, name: str, func: str) -> Money:
    """Read an amount column as money (see the module docstring).

    Raises :class:`aidcalc.ValidationError` for a boolean column; other bad values are
    reported per row in the result's masks, for the caller to raise or coerce.

    Examples
    --------
    >>> m = money_values(pd.Series([1.5, float("inf"), None, "x"]), "amount", "convert")
    >>> m.values.tolist()[:3], m.not_number.tolist(), m.infinite.tolist()
    ([1.5, inf, nan], [False, False, False, True], [False, True, False, False])
    >>> money_values(pd.Series([True, False]), "amount", "convert")
    Traceback (most recent call last):
    ...
    aidcalc.ValidationError: convert: column 'amount' holds booleans (True/False), not amounts; ...
    """
    dtype = column.dtype
    if isinstance(dtype, np.dtype) and dtype.kind == "O":  # bools among objects: no money
        is_bool = booleans(column)
        if is_bool.any():
            raise rows_error(
                f"{func}: column {name!r} holds booleans (True/False), not amounts, in ",
                column.index[is_bool],
                "; pass numbers, or read text amounts with aidcalc.parse_amounts",
                column=name,
                problem="boolean",
            )
    if pd.api.types.is_bool_dtype(dtype):
        raise ValidationError(
            f"{func}: column {name!r} holds booleans (True/False), not amounts; pass the "
            "column of numbers (amount=...), or read text amounts with aidcalc.parse_amounts",
            problems=pd.DataFrame({"row": None, "column": [name], "problem": "boolean column"}),
        )
    n = len(column)
    if pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_complex_dtype(dtype):
        values = column.to_numpy(dtype="float64", na_value=np.nan)
        not_number = np.zeros(n, dtype=bool)
    else:
        values = to_numbers(column.astype(object)).to_numpy(dtype="float64", na_value=np.nan)
        not_number = column.notna().to_numpy() & np.isnan(values)
    infinite = np.isinf(values)
    return Money(values, not_number, infinite)


def _as_float(value: Any) -> float:
    from decimal import Decimal

    if isinstance(value, (int, float, Decimal, np.integer, np.floating)):
        try:
            return float(value)
        except OverflowError:  # an int beyond float64: infinite, so refused as not finite
            return float("inf") if value > 0 else float("-inf")
        except ValueError:
            return float("nan")
    return float("nan")  # complex numbers, text (read apart), other objects


def overflowed(result: np.ndarray, *inputs: np.ndarray) -> np.ndarray:
    """Rows whose ``result`` is infinite although every input was finite (an overflow).

    Examples
    --------
    >>> with np.errstate(over="ignore"):
    ...     r = np.array([1e308, 2.0]) * 150.0
    >>> overflowed(r, np.array([1e308, 2.0])).tolist()
    [True, False]
    """
    mask = np.isinf(result)
    if not mask.any():  # the usual case: no need to look at the inputs
        return mask
    for x in inputs:
        mask &= np.isfinite(x)
    return mask
