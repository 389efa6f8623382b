"""The readers' return convention: the frame by default, with one :class:`RejectedRowsWarning`
and ``frame.attrs["rejected"]`` when rows were rejected; the :class:`ReadResult` pair with
``return_rejected=True``; :class:`RejectedRows`, the report that shows its counts by reason in
Jupyter; :func:`rejected_frame`, the report built from dicts.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from ._options import check_choice

__all__ = [
    "KINDS",
    "LEFT_OUT",
    "MONEY",
    "NOTE",
    "REJECTED_COLUMNS",
    "REPEATS",
    "ReadResult",
    "RejectedRows",
    "finish",
    "reason_counts",
    "rejected_frame",
    "summary_html",
    "summary_text",
    "warns",
]


#: Columns of the rejected-rows report every importer returns.
REJECTED_COLUMNS = ("source", "row", "column", "value", "reason", "kept", "kind")

#: ``kind`` of a report entry whose row (or file part) is not in the frame (``kept`` False).
LEFT_OUT = "left out"
#: ``kind`` of an entry about a kept row whose money changed: a value of its amount,
#: currency, date, year or status the input has was left empty or changed by the reader.
MONEY = "money"
#: ``kind`` of an entry about a kept row whose money is as the input has it: a fact about the
#: data (no amount in the source, a donor name without a code, a repaired character, a
#: placeholder date flagged, a sector read as another vocabulary).
NOTE = "note"
#: The kinds of report entry, the ones that raise :class:`aidcalc.RejectedRowsWarning` first.
KINDS = (LEFT_OUT, MONEY, NOTE)
#: The words ending the reason of a row left out because its money is already in the frame
#: (a total row that is the sum of the rows it totals): not money lost (see :func:`repeats`).
REPEATS = "left out, it would count their money twice"


class ReadResult(NamedTuple):
    """The pair a reader returns with ``return_rejected=True``: the frame and the report of
    what it did not take.

    By default every reader returns the frame alone (a :class:`pandas.DataFrame`, as
    pandas' readers do); ``return_rejected=True`` gives this pair. Unpack it
    (``frame, rejected = aidcalc.io.read_iati(path, return_rejected=True)``) or use the
    attributes. ``len(frame)`` plus the rejected *rows* accounts for every input row. In
    Jupyter (and IPython) the pair displays as a compact summary: rows read, and the
    rejected rows counted by reason.

    Attributes
    ----------
    frame
        The pledge frame (one row per input row, transaction or sector share).
    rejected
        One row per input row (or file part) not in ``frame`` or read with a problem:
        ``source`` (file), ``row`` (input row number or ``line N``), ``column`` (field),
        ``value`` (as found), ``reason`` (what is wrong and what was done), ``kept``
        (``True`` when the row is in ``frame`` all the same, e.g. with an empty date;
        ``False`` when it was left out, e.g. a zip member that was not read), ``kind``
        (``"left out"``: not in ``frame``; ``"money"``: in ``frame``, but a value of its
        amount, currency, date, year or status was left empty or changed; ``"note"``: in
        ``frame`` with its money as the input has it, e.g. a donor name without a code or an
        amount the source leaves empty). Only ``"left out"`` and ``"money"`` entries raise
        the :class:`aidcalc.RejectedRowsWarning`. (:func:`aidcalc.pledges` and
        :func:`aidcalc.io.read_table` list the rows as given, plus ``reason``, ``kept`` and
        ``kind``.)

    Examples
    --------
    >>> r = ReadResult(pd.DataFrame({"amount": [1.0]}), rejected_frame([]))
    >>> frame, rejected = r
    >>> len(frame), list(rejected.columns)
    (1, ['source', 'row', 'column', 'value', 'reason', 'kept', 'kind'])
    >>> print(r._summary_text())
    1 row read; nothing rejected
    """

    frame: pd.DataFrame
    rejected: pd.DataFrame

    def _summary_text(self) -> str:
        return summary_text(self.frame, self.rejected)

    def _repr_pretty_(self, p: Any, cycle: bool) -> None:  # IPython
        p.text("ReadResult(...)" if cycle else self._summary_text())

    def _repr_html_(self) -> str:  # Jupyter
        return summary_html(self.frame, self.rejected)


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}{'' if n == 1 else 's'}"


def _entries(n: int) -> str:
    return f"{n:,} {'entry' if n == 1 else 'entries'}"


def reason_counts(rejected: pd.DataFrame) -> pd.DataFrame:
    """The rejected-rows report counted by reason (most frequent first): ``reason``,
    ``rows`` and, for the readers' reports, ``left_out`` (entries whose row is not in the
    frame).

    Examples
    --------
    >>> reason_counts(rejected_frame([
    ...     {"reason": "no amount", "kept": True}, {"reason": "no amount", "kept": True},
    ...     {"reason": "zip member not read", "kept": False}]))
                    reason  rows  left_out
    0            no amount     2         0
    1  zip member not read     1         1
    """
    if "reason" not in rejected.columns or not len(rejected):
        return pd.DataFrame({"reason": pd.Series([], dtype=object), "rows": []}).astype(
            {"rows": "int64"}
        )
    reasons = rejected["reason"].astype(object).where(rejected["reason"].notna(), "(no reason)")
    counts = reasons.value_counts(sort=True)
    out = pd.DataFrame({"reason": counts.index.astype(object), "rows": counts.to_numpy()})
    if "kept" in rejected.columns:
        left = (rejected["kept"] == False).groupby(reasons, observed=True).sum()  # noqa: E712 - object column
        out["left_out"] = out["reason"].map(left).fillna(0).astype("int64")
    return out


def summary_text(frame: pd.DataFrame, rejected: pd.DataFrame) -> str:
    """One line for the frame, then the rejected rows counted by reason."""
    head = f"{_plural(len(frame), 'row')} read"
    if not len(rejected):
        return head + "; nothing rejected"
    first = f"{head}; {_entries(len(rejected))} in the rejected-rows report (.rejected), by reason:"
    return _by_reason(rejected, first)


def _by_reason(rejected: pd.DataFrame, first: str) -> str:
    """``first``, then a line per reason with its count (the 20 most frequent reasons)."""
    counts = reason_counts(rejected)
    shown = counts.head(20)
    lines = [first]
    pairs = zip(shown["reason"], shown["rows"], strict=True)
    lines += [f"  {int(n):>8,}  {reason}" for reason, n in pairs]
    if len(counts) > len(shown):
        lines.append(f"  ... and {len(counts) - len(shown)} more reasons")
    return "\n".join(lines)


def _counts_html(rejected: pd.DataFrame) -> str:
    import html

    counts = reason_counts(rejected)
    shown = counts.head(20)
    cols = [c for c in ("rows", "left_out") if c in shown.columns]
    header = "".join(f"<th>{c.replace('_', ' ')}</th>" for c in cols)
    body = "".join(
        "<tr>"
        + "".join(f"<td>{int(row[c]):,}</td>" for c in cols)
        + f"<td style='text-align:left'>{html.escape(str(row['reason']))}</td></tr>"
        for _, row in shown.iterrows()
    )
    more = (
        f"<p>... and {len(counts) - len(shown)} more reasons</p>"
        if len(counts) > len(shown)
        else ""
    )
    return (
        f"<table><thead><tr>{header}<th>reason</th></tr></thead><tbody>{body}</tbody>"
        f"</table>{more}"
    )


def summary_html(frame: pd.DataFrame, rejected: pd.DataFrame) -> str:
    """:func:`summary_text` as a compact HTML table (reasons escaped)."""
    head = f"{_plural(len(frame), 'row')} read"
    if not len(rejected):
        return f"<p>{head}; nothing rejected</p>"
    return (
        f"<p>{head}; {len(rejected):,} in the rejected-rows report (<code>.rejected</code>)"
        f"</p>{_counts_html(rejected)}"
    )


class RejectedRows(pd.DataFrame):
    """The rejected-rows report: a DataFrame that displays, in Jupyter and IPython, its
    rows counted by reason above the rows themselves.

    It is what ``return_rejected=True`` returns as ``rejected`` and what the readers put on
    ``frame.attrs["rejected"]``. Two things differ from a plain DataFrame so that it can
    travel in ``attrs``: ``copy.deepcopy`` returns the report itself (pandas deep-copies
    ``attrs`` on every operation; the report is shared, not copied), and ``==`` between two
    reports is identity (pandas compares ``attrs`` with ``==`` when it concatenates frames;
    compare contents with :meth:`pandas.DataFrame.equals`). Anything derived from it
    (``rejected[rejected["kept"]]``, ``rejected.copy()``) is a plain DataFrame.

    Examples
    --------
    >>> r = RejectedRows(rejected_frame([{"row": 3, "reason": "no amount", "kept": False}]))
    >>> r._repr_pretty_text().splitlines()[0]
    '1 entry in the rejected-rows report, by reason:'
    >>> type(r[["reason"]]).__name__
    'DataFrame'
    """

    @property
    def _constructor(self) -> Any:  # derived frames are plain DataFrames
        return pd.DataFrame

    def __deepcopy__(self, memo: Any = None) -> RejectedRows:
        return self

    def __eq__(self, other: object) -> Any:
        if isinstance(other, RejectedRows):
            return self is other
        return super().__eq__(other)

    def __ne__(self, other: object) -> Any:
        if isinstance(other, RejectedRows):
            return self is not other
        return super().__ne__(other)

    __hash__ = None  # as a DataFrame

    def _repr_pretty_text(self) -> str:
        if not len(self):
            return "empty rejected-rows report (nothing rejected)"
        return _by_reason(self, f"{_entries(len(self))} in the rejected-rows report, by reason:")

    def _repr_pretty_(self, p: Any, cycle: bool) -> None:  # IPython
        p.text("RejectedRows(...)" if cycle else f"{self._repr_pretty_text()}\n\n{self!r}")

    def _repr_html_(self) -> str | None:  # Jupyter
        table = super()._repr_html_()  # type: ignore[misc]
        if not len(self):
            return "<p>empty rejected-rows report (nothing rejected)</p>" + (table or "")
        return _counts_html(self) + (table or "")


def left_out_entries(rejected: pd.DataFrame) -> pd.DataFrame:
    """The entries of a report whose rows are not in the frame (a report without ``kind``,
    as :func:`aidcalc.pledges` gives, lists only such rows).

    Examples
    --------
    >>> left_out_entries(rejected_frame([{"reason": "no amount", "kind": LEFT_OUT},
    ...                                  {"reason": "no donor code", "kind": NOTE}]))["reason"]
    0    no amount
    Name: reason, dtype: object
    """
    if "kind" not in rejected.columns:
        return rejected
    return rejected[(rejected["kind"] == LEFT_OUT).to_numpy()]


def repeats(rejected: pd.DataFrame) -> np.ndarray:
    """Which entries are rows left out because their money is already counted in the frame
    (a total row that repeats its rows, :data:`REPEATS`): no money is lost with them.

    Examples
    --------
    >>> repeats(rejected_frame([{"reason": "a total row: " + REPEATS, "kind": LEFT_OUT},
    ...                         {"reason": "no amount", "kind": LEFT_OUT}])).tolist()
    [True, False]
    """
    reason = rejected.get("reason", pd.Series(pd.NA, index=rejected.index, dtype=object))
    ends = reason.astype("string").str.endswith(REPEATS).fillna(False).astype(bool)
    if "kind" in rejected.columns:
        ends &= rejected["kind"].eq(LEFT_OUT)
    return ends.to_numpy()


def warns(rejected: pd.DataFrame) -> tuple[int, int]:
    """(entries left out of the frame, entries whose money changed): the entries that raise
    :class:`aidcalc.RejectedRowsWarning`. A report without ``kind`` has only rows left out.

    Examples
    --------
    >>> warns(rejected_frame([{"reason": "no amount in the source", "kind": NOTE},
    ...                       {"reason": "amount: inf: left empty", "kind": MONEY}]))
    (0, 1)
    """
    if "kind" not in rejected.columns:
        return len(rejected), 0
    kinds = rejected["kind"]
    return int((kinds == LEFT_OUT).sum()), int((kinds == MONEY).sum())


def finish(
    result: tuple[pd.DataFrame, pd.DataFrame], return_rejected: bool, *, reader: str
) -> Any:
    """What a public reader returns: the frame alone (default), with the report on
    ``frame.attrs["rejected"]`` and ONE :class:`aidcalc.RejectedRowsWarning` when rows were
    left out or their money changed (``kind`` ``"left out"`` or ``"money"``; notes alone do
    not warn); or, with ``return_rejected=True``, the ``(frame, rejected)`` pair (no warning).

    Examples
    --------
    >>> import warnings
    >>> pair = ReadResult(pd.DataFrame({"amount": [1.0]}),
    ...                   rejected_frame([{"row": 3, "reason": "no amount", "kept": False},
    ...                                   {"row": 4, "reason": "donor unknown", "kind": NOTE}]))
    >>> with warnings.catch_warnings(record=True) as seen:
    ...     warnings.simplefilter("always")
    ...     frame = finish(pair, False, reader="read_x")
    >>> type(frame).__name__, len(frame.attrs["rejected"])
    ('DataFrame', 2)
    >>> print(str(seen[0].message).replace("; ", ";\\n"))
    read_x: 1 row left out of the frame, 0 kept with their money changed (and 1 note);
    pass return_rejected=True to get (frame, rejected), or see frame.attrs['rejected']
    """
    from .._base._errors import RejectedRowsWarning, outside_stacklevel

    if not isinstance(return_rejected, bool):
        check_choice("return_rejected", return_rejected, (False, True))
    frame, rejected = result
    if not isinstance(rejected, RejectedRows):
        rejected = RejectedRows(rejected)
        rejected.attrs = dict(result[1].attrs)
    out = ReadResult(frame, rejected)
    frame.attrs["rejected"] = rejected
    if return_rejected:
        return out
    left, money = warns(rejected)
    if left or money:
        import warnings

        if "kind" in rejected.columns:
            notes = len(rejected) - left - money
            what = (
                f"{_plural(left, 'row')} left out of the frame, {money:,} kept with their "
                f"money changed" + (f" (and {_plural(notes, 'note')})" if notes else "")
            )
        else:
            what = f"{_plural(left, 'row')} rejected (left out of the frame)"
        warnings.warn(
            f"{reader}: {what}; pass return_rejected=True to get (frame, rejected), "
            "or see frame.attrs['rejected']",
            RejectedRowsWarning,
            stacklevel=outside_stacklevel(),
        )
    return frame


def rejected_frame(records: Iterable[Mapping[str, Any]]) -> pd.DataFrame:
    """Build the rejected-rows report from dicts (missing keys become NA). An entry without
    ``kind`` is ``"left out"`` when ``kept`` is False, else ``"money"`` (a reader that does
    not say what an entry is warns, rather than hide it); one of ``kind`` ``"left out"`` is
    not kept; ``kept`` is True when not given. (A file part that holds no rows, such as a
    ``readme.pdf`` in a zip, is ``kept=False`` and a ``"note"``.)

    Examples
    --------
    >>> rejected_frame([{"source": "a.csv", "row": 3, "reason": "no amount", "kept": False},
    ...                 {"row": 4, "reason": "donor unknown", "kind": "note"}])
      source  row column value         reason   kept      kind
    0  a.csv    3    NaN   NaN      no amount  False  left out
    1    NaN    4    NaN   NaN  donor unknown   True      note
    """
    frame = pd.DataFrame(list(records), columns=list(REJECTED_COLUMNS)).astype(object)
    kind = frame["kind"]
    unknown = kind.notna() & ~kind.isin(KINDS)
    if unknown.any():  # pragma: no cover - a reader's mistake
        raise ValueError(f"report kinds {sorted(set(kind[unknown]))} are not in {KINDS}")
    left = (frame["kept"] == False).to_numpy()  # noqa: E712 - object column
    default = pd.Series(np.where(left, LEFT_OUT, MONEY), index=frame.index, dtype=object)
    frame["kind"] = kind.where(kind.notna(), default)
    kept = frame["kept"].where(frame["kept"].notna(), True).astype(bool)
    frame["kept"] = (kept & (frame["kind"] != LEFT_OUT)).astype(object)
    return frame
