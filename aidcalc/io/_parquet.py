"""OECD CRS as Parquet (a file or a dataset directory) to pledge frames, through pyarrow.dataset.

The OECD's bulk downloads and ONE Campaign's ``oda_reader`` give the CRS as Parquet. Only the
requested columns are read, and row ``filters`` (recipient, years, donors...) are pushed down
to the files: row groups whose statistics exclude the filter are not read at all. The output
is what the CSV path of :func:`aidcalc.io.read_crs` gives for the same data (same columns and
dtypes, money in USD millions x 1,000,000, cells that are not finite numbers or whole years
left empty and reported). A file is taken as Parquet by its content (``PAR1``), not its name.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from os import PathLike
from pathlib import Path
from typing import IO, Any, NamedTuple

import numpy as np
import pandas as pd

from .._base._errors import InputFileError
from ._common import (
    ReadResult,
    Source,
    ZipLimits,
    check_parquet,
    open_source,
    option_error,
    rejected_frame,
)
from ._crs_frame import (
    CRS_COLUMNS,
    TEXT,
    acceptable,
    arrow_numbers,
    choose_columns,
    combined_report,
    is_number,
    number_problems,
    pledge_chunks,
    pledge_frame,
)

__all__ = [
    "ALIASES",
    "ParquetCrs",
    "Plan",
    "convert",
    "crs_fields",
    "empty_table",
    "filter_expression",
    "fragment_pair",
    "fragments",
    "is_parquet",
    "plan",
    "schema_names",
]

#: Short names accepted as ``filters`` keys, and the CRS column each stands for.
ALIASES: dict[str, str] = {
    "year": "Year",
    "donor": "DonorName",
    "recipient": "RecipientName",
    "purpose": "PurposeCode",
    "flow": "FlowName",
}
_MAGIC = b"PAR1"


def _key(name: str) -> str:
    """Column names match ignoring case, ``_`` and spaces (``usd_disbursement`` is
    ``USD_Disbursement``, as in ``oda_reader``'s snake-case tables)."""
    return name.lower().replace("_", "").replace(" ", "")


def is_parquet(path: Any) -> bool:
    """Whether ``path`` is Parquet: a directory (a dataset) or a file starting with ``PAR1``.

    Examples
    --------
    >>> import io
    >>> is_parquet(io.BytesIO(b"PAR1....")), is_parquet(io.BytesIO(b"Year|DonorName"))
    (True, False)
    """
    if isinstance(path, Source):  # already checked (read_any calling read_crs)
        path = path.path
    if isinstance(path, (str, PathLike)) and not isinstance(path, (bytes, bytearray)):
        try:
            p = Path(path)
            if p.is_dir():  # a dataset: a folder holding Parquet files
                return any(_starts_par1(f) for f in _first_files(p))
            if not p.is_file():
                return False
            with p.open("rb") as f:
                return f.read(4) == _MAGIC
        except OSError:
            return False  # the CSV path names the problem
    try:
        if not path.seekable():
            return False
        at = path.tell()
        head = path.read(4)
        path.seek(at)
    except (AttributeError, OSError, ValueError):
        return False
    return bool(head == _MAGIC)


def _first_files(folder: Path, limit: int = 1000) -> Iterator[Path]:
    for n, f in enumerate(folder.rglob("*")):
        if n >= limit:
            return
        if f.is_file() and not f.name.startswith((".", "_")):
            yield f


def _starts_par1(path: Path) -> bool:
    try:
        with path.open("rb") as f:
            return f.read(4) == _MAGIC
    except OSError:
        return False


def crs_fields(names: Sequence[str]) -> int:
    """How many of ``names`` are CRS columns (matched ignoring case, ``_`` and spaces): 3 or
    more make a table the CRS.

    Examples
    --------
    >>> crs_fields(["year", "donor_name", "usd_disbursement", "notes"])
    3
    """
    known = {_key(c) for c in CRS_COLUMNS}
    return sum(_key(f) in known for f in names)


def schema_names(path: Path) -> list[str] | None:
    """The column names of a Parquet file from its footer (no row is read), or None when
    it cannot be read (the reader then names the problem)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        return list(pq.read_schema(path).names)
    except (pa.ArrowException, OSError, ValueError):
        return None


class Plan(NamedTuple):
    """A Parquet CRS read: the dataset, its label, the columns and the row filter."""

    dataset: Any  # pyarrow.dataset.Dataset
    label: str
    wanted: list[str]  # the dataset's own column names
    canonical: dict[str, str]  # dataset column -> CRS column
    expression: Any  # pyarrow.compute.Expression or None


def _dataset(path: Path, label: str) -> Any:
    import pyarrow as pa
    import pyarrow.dataset as pds

    try:
        return pds.dataset(path, format="parquet")
    except (pa.ArrowException, OSError, ValueError) as exc:
        raise InputFileError(
            f"{label}: not a readable Parquet file or dataset ({type(exc).__name__}: "
            f"{str(exc).splitlines()[0] if str(exc) else exc})",
            path=label,
            reason="unreadable Parquet",
        ) from None


def plan(
    path: Path,
    label: str,
    columns: Sequence[str] | None,
    filters: Any,
    limits: ZipLimits | None = None,
) -> Plan:
    """What to read from a Parquet file or dataset: its columns for ``columns`` (matched
    ignoring case, ``_`` and spaces) and ``filters`` as a dataset expression. Each file's
    footer is checked against ``limits`` (:func:`aidcalc.io._tables.check_parquet`, for
    the columns to read) before any row is read."""
    dataset = _dataset(path, label)
    fields = list(dataset.schema.names)
    if crs_fields(fields) < 3:
        raise InputFileError(
            f"{label}: not an OECD CRS Parquet table (fewer than 3 CRS columns such as Year, "
            f"DonorName, PurposeCode, USD_Disbursement; it has {fields[:20]})",
            path=label,
            reason="wrong layout",
        )
    wanted, canonical = choose_columns(
        fields, columns, label, key=_key, place="the Parquet data"
    )
    for file in dataset.files:  # footers only: nothing is decompressed
        where = Source(Path(file), label if path.is_file() else f"{label}: {file}")
        check_parquet(where, limits, columns=wanted, streamed=True)
    return Plan(dataset, label, wanted, canonical, filter_expression(filters, dataset.schema))


def filter_expression(filters: Any, schema: Any) -> Any:
    """The ``filters`` of :func:`aidcalc.io.read_crs` as a ``pyarrow.dataset`` expression.

    ``filters`` is ``None`` (every row), one ``pyarrow.compute.Expression`` (on the data's own
    column names), or a dict: key = a CRS column (matched ignoring case and ``_``) or an alias
    of :data:`ALIASES` (``year``, ``donor``, ``recipient``, ``purpose``, ``flow``; names as
    written in the data, e.g. ``"Ukraine"``), value = one value (equality), a list, tuple, set
    or range of values (any of them), or an expression (used as is). Conditions on several
    keys must all hold. Values are cast to the column's type (``"2022"`` for an integer
    ``Year`` column is 2022); a value that cannot be is a :class:`~aidcalc.ValidationError`.

    Examples
    --------
    >>> import pyarrow as pa
    >>> schema = pa.schema([("Year", pa.int64()), ("RecipientName", pa.string())])
    >>> print(filter_expression({"recipient": "Ukraine"}, schema))
    (RecipientName == "Ukraine")
    >>> print(filter_expression({"year": range(2022, 2024)}, schema))
    (((Year >= 2022) and (Year <= 2023)) and is_in(Year, {value_set=int64:[
      2022,
      2023
    ], null_matching_behavior=MATCH}))
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    if filters is None or isinstance(filters, pc.Expression):
        return filters
    if not isinstance(filters, Mapping) or not filters:
        raise option_error(
            "filters",
            filters,
            f"filters={filters!r} is not accepted; use a dict such as "
            "{'recipient': ['Ukraine'], 'year': range(2022, 2025)}, a pyarrow.compute "
            "expression, or None",
            "dict of column -> value(s), a pyarrow expression, or None",
        )
    lookup = {_key(f): f for f in schema.names}
    result = None
    for key, value in filters.items():
        name = lookup.get(_key(ALIASES.get(str(key).lower(), str(key))))
        if name is None:
            raise option_error(
                "filters",
                key,
                f"filters: column {key!r} is not in the data; it has {list(schema.names)} "
                f"(aliases: {sorted(ALIASES)})",
                "a column of the data or an alias",
            )
        field = pc.field(name)
        if isinstance(value, pc.Expression):
            cond = value
        else:
            many = isinstance(value, (list, tuple, set, frozenset, range))
            values = list(value) if many else [value]
            try:
                typed = pa.array(values).cast(schema.field(name).type)
            except (pa.ArrowException, TypeError, ValueError) as exc:
                raise option_error(
                    "filters",
                    value,
                    f"filters: {key!r} values {values[:5]} cannot be compared with column "
                    f"{name!r} ({schema.field(name).type}): {exc}",
                    f"values of type {schema.field(name).type}",
                ) from None
            cond = _any_of(field, typed) if many else field == typed[0]
        result = cond if result is None else result & cond
    return result


def _any_of(field: Any, typed: Any) -> Any:
    """``field`` is one of the values ``typed``: ``is_in``, and within their range where they
    have one (no null, no NaN, an ordered type). pyarrow 14 and 15 skip row groups by
    their statistics on a range but not on ``is_in``; the range keeps the same rows."""
    import pyarrow as pa
    import pyarrow.compute as pc

    cond = field.isin(typed)
    if len(typed) == 0 or typed.null_count or not (
        pa.types.is_integer(typed.type)
        or pa.types.is_floating(typed.type)
        or pa.types.is_string(typed.type)
        or pa.types.is_temporal(typed.type)
    ):
        return cond
    if pa.types.is_floating(typed.type) and pc.any(pc.is_nan(typed)).as_py():
        return cond
    bounds = pc.min_max(typed)
    return (field >= bounds["min"]) & (field <= bounds["max"]) & cond


def convert(
    table: Any, wanted: list[str], canonical: dict[str, str]
) -> tuple[pd.DataFrame, list[dict[str, Any]]]:
    """The output columns of a table of CRS columns, as the CSV path makes them: numbers
    (``Year``, money in millions x 1e6) checked, text trimmed, codes as text."""
    import pyarrow as pa

    problems: list[dict[str, Any]] = []
    out = {}
    for name in wanted:
        c = canonical[name]
        col = table.column(name)
        if pa.types.is_dictionary(col.type):
            col = col.cast(col.type.value_type)
        if is_number(c):
            values, found = _numbers(col, c)
            problems += found
            out[CRS_COLUMNS.get(c, c)] = arrow_numbers(values, c)
        else:
            out[CRS_COLUMNS.get(c, c)] = _text(col, c)
    frame = pa.table(out).to_pandas(types_mapper={pa.int64(): pd.Int64Dtype()}.get)
    return frame, problems


def _numbers(col: Any, column: str) -> tuple[np.ndarray, list[dict[str, Any]]]:
    """(checked numbers, cells reported) of a number column stored as numbers or as text."""
    import pyarrow as pa
    import pyarrow.compute as pc

    is_year = column == "Year"
    if not (pa.types.is_integer(col.type) or pa.types.is_floating(col.type)):
        texts = pc.utf8_trim_whitespace(col.cast(pa.string())).to_pandas()
        return number_problems(texts, column, is_year)
    values = col.to_numpy(zero_copy_only=False).astype(float)
    present = ~col.is_null().to_numpy(zero_copy_only=False)
    found: list[dict[str, Any]] = []
    if (present & ~acceptable(values, is_year)).any():  # report the cells as the data holds them
        texts = pd.Series(col.cast(pa.string()).to_pylist(), dtype=object)
        values, found = number_problems(texts, column, is_year)
    return np.where(present, values, np.nan), found


def _text(col: Any, column: str) -> Any:
    """A column that is not a number as text (a code stored as 15250.0 is "15250")."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if pa.types.is_floating(col.type):
        values = col.to_numpy(zero_copy_only=False)
        whole = np.isnan(values) | (values == np.round(values))
        if whole.all():
            col = col.cast(pa.int64(), safe=False)
    arr = col.cast(pa.string())
    return pc.utf8_trim_whitespace(arr) if column in TEXT else arr


def empty_table(plan: Plan) -> Any:
    """A table with the columns to read and no rows (for the output schema)."""
    return plan.dataset.schema.empty_table().select(plan.wanted)


def _raw_chunks(plan: Plan, chunksize: int) -> Iterator[pd.DataFrame]:
    """Converted chunks (before codes and categories), global index, report in attrs."""
    import pyarrow as pa

    rows = 0
    pending: list[Any] = []
    held = 0

    def emit(batches: list[Any]) -> pd.DataFrame:
        nonlocal rows
        table = pa.Table.from_batches(batches, schema=empty_table(plan).schema)
        frame, problems = convert(table, plan.wanted, plan.canonical)
        for problem in problems:
            problem["source"] = plan.label
            problem["row"] += rows  # the row's position among the rows read
        frame.index = pd.RangeIndex(rows, rows + len(frame))
        frame.attrs["rejected"] = rejected_frame(problems)
        rows += len(frame)
        return frame

    try:
        batches = _row_group_batches(plan, chunksize)
        produced = False
        for batch in batches:
            if not batch.num_rows:
                continue
            pending.append(batch.select(plan.wanted))
            held += batch.num_rows
            while held >= chunksize:
                table = pa.Table.from_batches(pending)
                head, tail = table.slice(0, chunksize), table.slice(chunksize)
                produced = True
                yield emit(head.to_batches())
                pending, held = tail.to_batches(), tail.num_rows
        if held or not produced:
            yield emit(pending)
    except (pa.ArrowException, OSError) as exc:
        raise InputFileError(
            f"{plan.label}: unreadable Parquet data after row {rows}: "
            f"{str(exc).splitlines()[0] if str(exc) else type(exc).__name__}",
            path=plan.label,
            reason="unreadable Parquet",
        ) from None


def _row_group_batches(plan: Plan, chunksize: int) -> Iterator[Any]:
    """The rows to read, one row group in memory at a time (the dataset scanner's own
    readahead held hundreds of MB more, growing with the dataset)."""
    for group in fragments(plan):
        table = group.to_table(columns=plan.wanted, filter=plan.expression)
        yield from table.to_batches(max_chunksize=chunksize)
        del table


def _opened(stack: ExitStack, path: Any) -> tuple[Path, str]:
    """(path on disk, label): a directory as is, a file or file object through the checks."""
    if isinstance(path, (str, PathLike)) and not isinstance(path, bytes) and Path(path).is_dir():
        return Path(path), str(path)
    src = stack.enter_context(open_source(path))
    return src.path, src.label


@dataclass(frozen=True)
class ParquetCrs:
    """A CRS Parquet file (or dataset directory) and the options of
    :func:`aidcalc.io.read_crs` that apply to it: read in chunks or whole."""

    path: str | PathLike[str] | IO[bytes]
    columns: Sequence[str] | None
    chunksize: int
    amount: str
    filters: Any
    limits: ZipLimits

    def _planned(self, stack: ExitStack) -> tuple[Plan, str]:
        """(what to read, the label): the input opened on ``stack``, its footers checked
        against the limits and planned."""
        where, label = _opened(stack, self.path)
        return plan(where, label, self.columns, self.filters, self.limits), label

    def chunks(self) -> Iterator[pd.DataFrame]:
        """:func:`aidcalc.io.iter_crs` for Parquet: pledge frames of at most ``chunksize``
        rows; the input is opened and planned now, read when the first chunk is asked for."""
        stack = ExitStack()
        try:
            layout, label = self._planned(stack)
        except BaseException:
            stack.close()
            raise

        def chunks() -> Iterator[pd.DataFrame]:
            with stack:
                yield from pledge_chunks(
                    _raw_chunks(layout, self.chunksize), label, self.amount, first_line=0,
                    unit="rows",
                )

        return chunks()

    def read(self) -> ReadResult:
        """:func:`aidcalc.io.read_crs` for Parquet: the whole (filtered) table at once."""
        with ExitStack() as stack:
            layout, label = self._planned(stack)
            parts = list(_raw_chunks(layout, self.chunksize))
        cells = [part.attrs.pop("rejected") for part in parts]
        frame = pd.concat(parts) if len(parts) > 1 else parts[0]
        del parts
        out, problems = pledge_frame(frame, label, self.amount, first_line=0, unit="rows")
        out.attrs["filters"] = (
            str(layout.expression) if layout.expression is not None else None
        )
        return ReadResult(out, combined_report(problems, cells))


def fragments(plan: Plan) -> list[Any]:
    """The row groups to read (those the filter's statistics do not exclude)."""
    out: list[Any] = []
    for fragment in plan.dataset.get_fragments(filter=plan.expression):
        out.extend(fragment.split_by_row_group(plan.expression))
    return out


def fragment_pair(
    fragment: Any, plan_items: tuple[Any, ...], amount: str
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """One row group as (pledge frame, its rejected-rows report): a dask partition, its
    index from 0 in the partition and the report's rows numbered from 0 in the row group
    (:func:`aidcalc.io._crs_frame.shift_rows` numbers them in the dataset)."""
    wanted, canonical, expression, label = plan_items
    table = fragment.to_table(columns=wanted, filter=expression)
    frame, cells = convert(table, wanted, canonical)
    for cell in cells:
        cell["source"] = label
    out, problems = pledge_frame(frame, label, amount, first_line=0, unit="rows")
    return out, combined_report(problems, [rejected_frame(cells)])

