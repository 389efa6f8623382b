"""The ledger of money left out: every input row not in the report's totals, counted, summed
and explained (written as ``rejected.csv``), and what each chart leaves out beyond them."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from .._base._errors import join_values
from .._base._frame_checks import to_numbers
from .._base._labels import Labels
from .._base._locale import resolve_locale
from .._pledges._lifecycle import STATUS_ORDER
from ..plot._style import Unit, amount_formatter, resolve_members
from ._options import ReportError

__all__ = ["ChartNotes", "Entry", "Ledger", "classify", "entry_text", "money_text", "select"]

#: reasons a row is not in the totals although its money is counted elsewhere (no warning)
_NOT_LOST = ("kind", "group")


@dataclass
class Entry:
    """Rows left out for one reason (``key``), with each row's detailed reason."""

    key: str
    rows: pd.DataFrame
    fields: dict[str, str] = field(default_factory=dict)


class Ledger:
    """The account of every input row that is not in the report's totals: ``keep`` marks
    the rows still in them, :meth:`leave` moves rows out with their reason."""

    def __init__(self, result: pd.DataFrame, value: str, unit: Unit, label: Labels) -> None:
        self.result = result
        self.value = value
        self.unit = unit
        self.label = label
        self.entries: list[Entry] = []
        self.keep = np.ones(len(result), dtype=bool)

    def add(self, key: str, rows: pd.DataFrame, detail: Any, **fields: str) -> None:
        """Account for ``rows`` (not rows of the result: e.g. rows the reader rejected)."""
        if len(rows):
            rows = rows.assign(left_out=key, reason=detail)
            self.entries.append(Entry(key, rows, fields))

    def leave(self, mask: Any, key: str, detail: Any, **fields: str) -> None:
        """Leave the kept rows of ``mask`` out, for reason ``key`` (``detail``: the text in
        ``rejected.csv``, one for all or a Series by row)."""
        where = np.asarray(mask, dtype=bool) & self.keep
        if where.any():
            rows = self.result.loc[where].drop(columns="error")
            self.add(key, rows, detail[where] if isinstance(detail, pd.Series) else detail,
                     **fields)
            self.keep &= ~where

    def frame(self) -> pd.DataFrame:
        """Every left-out row with ``left_out`` (reason key) and ``reason``, first."""
        if not self.entries:
            return pd.DataFrame({"left_out": pd.Series(dtype=object),
                                 "reason": pd.Series(dtype=object)})
        out = pd.concat([e.rows for e in self.entries], ignore_index=False, sort=False)
        first = ["left_out", "reason"]
        return out[first + [c for c in out.columns if c not in first]]

    def texts(self, entries: Iterable[Entry] | None = None, *, english: bool = False) -> list[str]:
        """Each entry in words, in the report's language (or in English for messages)."""
        label = Labels(resolve_locale("en")) if english else self.label
        return [entry_text(e, self.value, self.unit, label, label.locale)
                for e in (self.entries if entries is None else entries)]

    def lost(self) -> list[Entry]:
        """The entries whose money is in no total (not repeats, not other donors)."""
        return [e for e in self.entries if e.key not in _NOT_LOST]


def money_text(rows: pd.DataFrame, value: str, unit: Any, loc: Any, label: Labels) -> str:
    """What ``rows`` hold: their sum in the report's unit where converted, else in their own
    currencies (``loc=None``: as code and number, for English messages); ``amount unknown``
    for rows without an amount."""
    parts: list[str] = []
    converted = pd.Series(False, index=rows.index)
    if value in rows.columns:
        values = to_numbers(rows[value])
        converted = values.notna() & np.isfinite(values.fillna(0.0))
        if converted.any():
            parts.append(amount_formatter(unit, loc or "en")(float(values[converted].sum())))
    rest = rows.loc[~converted]
    unknown = len(rest)
    if len(rest) and {"amount", "currency"} <= set(rest.columns):
        own, unknown = _as_announced(rest, loc)
        if own:
            text = " + ".join(own)
            parts.append(label("as_announced", amount=text) if parts else text)
    if unknown:
        count = label.plural("rows", unknown, n=unknown)
        parts.append(f"{label('amount_unknown')} ({count})" if parts else label("amount_unknown"))
    return " + ".join(parts)


def _as_announced(rows: pd.DataFrame, loc: Any) -> tuple[list[str], int]:
    """The sums of ``rows`` in their own currencies, and how many rows have no amount."""
    amounts = to_numbers(rows["amount"])
    currency = rows["currency"].astype("string").str.strip().str.upper()
    ok = amounts.notna() & np.isfinite(amounts.fillna(0.0)) & currency.str.fullmatch(
        "[A-Z]{3}").fillna(False).astype(bool)
    sums = amounts[ok].groupby(currency[ok].to_numpy(), observed=True).sum()
    own = []
    for code, total in sums.items():
        try:
            if loc is None:  # plain, for messages: the code and the number
                raise LookupError(code)
            own.append(amount_formatter(Unit(str(code)), loc)(float(total)))
        except Exception:  # an unknown code: the code and the number
            own.append(f"{code} {float(total):,.0f}")
    return own, int((~ok).sum())


def entry_text(entry: Entry, value: str, unit: Any, label: Labels, loc: Any) -> str:
    """One left-out entry in words: ``"26 rows (€3.2B): no exchange rate to EUR"``."""
    reason = label(f"reason_{entry.key}").format(to=unit.currency, **entry.fields)
    return label.plural("left_out_entry", len(entry.rows)).format(
        n=len(entry.rows), amount=money_text(entry.rows, value, unit, loc, label), reason=reason)


def classify(error: pd.Series, amount: pd.Series) -> pd.Series:
    """A reason key for each row that could not be converted (the message itself goes to
    rejected.csv; the key is said on the page in its language)."""
    text = error.astype("string").str.lower().fillna("")
    key = pd.Series("convert", index=error.index, dtype=object)
    key[text.str.contains(r"fixing|\brates?\b", regex=True).to_numpy()] = "no_rate"
    key[text.str.contains(r"deflator|consumer price|\bcpi\b", regex=True).to_numpy()] = (
        "no_deflator"
    )
    key[text.str.contains(r"(?:missing|unreadable|no) date|undated|date is missing",
                          regex=True).to_numpy()] = "no_date"
    values = to_numbers(amount)
    key[(values.isna() | ~np.isfinite(values.fillna(0.0))).to_numpy()] = "no_amount"
    return key


# --- which rows the totals count ------------------------------------------------------------


def select(ledger: Ledger, group: str | None, cli_name: str) -> list[str]:
    """Leave out rows without a donor, a category or a lifecycle status, repeats of money
    already counted and donors outside ``group``; the notes saying what was kept."""
    result = ledger.result
    donor = result["donor"].astype("string").str.strip()
    ledger.leave(donor.isna() | donor.eq(""), "no_donor", "no donor")
    category = result["category"].astype("string").str.strip()
    ledger.leave(category.isna() | category.eq(""), "no_category",
                 "no category: use one of energy, demining, reconstruction, humanitarian, "
                 "budget_support, military, other")
    status = result["status"].astype("string").str.strip().str.lower()
    bad = ~status.isin(list(STATUS_ORDER)).fillna(False).astype(bool)
    if "kind" in result.columns:  # a total or a repeat has no stage of its own: said below
        kinds = result["kind"].astype("string").str.strip().str.lower()
        bad &= kinds.isna() | kinds.eq("pledge")
    ledger.leave(bad, "bad_status", "status " + status.fillna("(empty)").astype(str)
                 + " is not one of " + ", ".join(STATUS_ORDER))
    notes = _leave_repeats(ledger)
    if group and str(group).lower() != "all":
        notes += _leave_outside(ledger, donor, str(group), cli_name)
    if not ledger.keep.any():
        why = "; ".join(ledger.texts(english=True))
        raise ReportError(f"{cli_name} has no pledges to report: every row is left out ({why}); "
                          "each needs a donor, a category, a lifecycle status and kind pledge",
                          input=cli_name)
    return notes


def _leave_repeats(ledger: Ledger) -> list[str]:
    """Only individual pledges are summed: components, restatements and totals repeat money."""
    result, label, keep = ledger.result, ledger.label, ledger.keep
    if "kind" not in result.columns:
        return []
    notes = []
    kinds = result["kind"].astype("string").str.strip().str.lower()
    is_pledge = kinds.eq("pledge").fillna(False).astype(bool).to_numpy()
    left = kinds[keep & ~is_pledge].value_counts()
    if len(left):
        what = label("list_sep").join(
            label("kind_count", kind=label(f"kind_{k}"), n=n) for k, n in left.items()
        )
        notes.append(label("note_pledges_only", kept=int((keep & is_pledge).sum()),
                           other=int(left.sum()), what=what))
    ledger.leave(~is_pledge, "kind", "kind " + kinds.fillna("(empty)").astype(str)
                 + ": repeats money already counted (only individual pledges are summed)")
    return notes


def _leave_outside(ledger: Ledger, donor: pd.Series, group: str, cli_name: str) -> list[str]:
    """Only donors of ``group``, with the EU institutions (they take part in G7 summits)."""
    members = list(resolve_members(group) or [])
    if "EUI" not in members and "EUU" not in members:
        members += ["EUI", "EUU"]
    inside = donor.isin(members).fillna(False).astype(bool).to_numpy()
    if not (inside & ledger.keep).any():
        present = sorted(donor[ledger.keep].dropna().unique().tolist())
        raise ReportError(
            f"--group {group}: none of {cli_name}'s donors is a member (donors: "
            f"{join_values(present[:20])}); use --group all to keep every donor",
            option="group",
        )
    ledger.leave(~inside, "group", f"donor not in the {group} (--group all keeps it)",
                 group=group)
    return [ledger.label("note_group", group=group)]


class ChartNotes:
    """What each chart leaves out beyond the report's totals (in the page's language, by
    chart) and, by row, the note ``pledges.csv`` carries in ``left_out_of``."""

    def __init__(self, index: pd.Index, charts: Sequence[str]) -> None:
        self.texts: dict[str, list[str]] = {c: [] for c in charts}
        self.rows = pd.Series("", index=index, dtype=object)

    def mark(self, index: pd.Index, text: str | pd.Series) -> None:
        """Say in pledges.csv (column ``left_out_of``) which chart leaves a row out, and why."""
        self.rows.loc[index] = (self.rows.loc[index] + "; ").where(
            self.rows.loc[index] != "", "") + text

    def add(self, charts: Iterable[str], text: str) -> None:
        for chart in charts:
            self.texts[chart].append(text)

    def column(self) -> pd.Series:
        """The ``left_out_of`` column: the notes, None where a row is in every chart."""
        return self.rows.where(self.rows != "", None).astype(object)
