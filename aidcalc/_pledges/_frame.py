"""The pledge frame: its documented columns, ``validate``, the steps of ``pledges``, the loader.

A pledge frame is an ordinary :class:`pandas.DataFrame` whose columns play these roles
(names in :mod:`aidcalc._base._columns`); every other column is the user's and is carried through:

=================  ==================================================================
``donor``          donor code: ISO 3166 alpha-3 (``JPN``), ``EUI`` for EU institutions
``recipient``      recipient code (``UKR``)
``announced``      announcement date (datetime64)
``amount``         the amount (float) in ``currency``
``currency``       ISO 4217 code
``category``       one category of the taxonomy (see :mod:`aidcalc._pledges._categories`)
``categories``     every category that matched, ``;``-joined
``status``         ``pledged`` < ``committed`` < ``allocated`` < ``disbursed``
``kind``           ``pledge`` | ``component`` | ``restatement`` | ``total_to_date``
``period_start``   first year a multi-year pledge covers (integer)
``period_end``     last year (integer)
``amount_text``    the amount exactly as written in the source
``description``    what the money is for
``source_url``     where the figure was published (also ``source_title``, ``source_date``)
``pair_id``        links rows stating the same amount in different currencies
=================  ==================================================================

``kind`` says whether a row may be added to others: only ``pledge`` rows are new money.
A ``component`` is a part of another row (``part_of`` names its ``pledge_id``); a
``restatement`` repeats a pledge in another currency or from another outlet (journalists'
conversions); a ``total_to_date`` is a headline cumulative figure. Summing anything but
``pledge`` rows counts money twice, so :func:`aidcalc.aggregate` refuses mixed kinds.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable, Iterable, Mapping
from typing import Any, Final, Literal, cast

import numpy as np
import pandas as pd

from .._base._columns import (
    AMOUNT,
    AMOUNT_TEXT,
    ANNOUNCED,
    CATEGORY,
    CURRENCY,
    DONOR,
    KIND,
    PAIR_ID,
    PART_OF,
    PERIOD_END,
    PERIOD_START,
    PLEDGE_ID,
    RECIPIENT,
    STATUS,
)
from .._base._compat import check_errors, renamed_argument
from .._base._dates import COARSE, OUT_OF_RANGE, WINDOW_TEXT, parse_dates
from .._base._errors import ValidationError, describe_rows, outside_stacklevel
from .._base._frame_checks import booleans, check_columns_exist, check_frame, to_numbers
from .._base._locale import LocaleLike
from .._money._currencies import iso_codes
from .._money._frame_units import Units, column_units, contradicting, money_with_currency, plain
from ._amount_texts import read_amount_texts
from ._lifecycle import STATUS_ORDER, period_problems

__all__ = [
    "DONOR_CODE_COLUMNS",
    "KIND",
    "KINDS",
    "PART_OF",
    "PLEDGE_ID",
    "REQUIRED",
    "ROLE_ALIASES",
    "build_pledges",
    "default_categories",
    "pledge_frame_from_dataset",
    "report_rows",
    "role_renames",
    "validate",
]

REASON: Final = "reason"

KINDS: Final = ("pledge", "component", "restatement", "total_to_date")
"""Values of ``kind``; only ``pledge`` rows may be summed with each other."""

REQUIRED: Final = (DONOR, AMOUNT, CURRENCY)
"""Columns every pledge frame must have."""

_PROBLEM_COLUMNS = ["row", "column", "value", "problem", "severity"]
_CODE = r"^[A-Z]{3}$"


def pledge_frame_from_dataset(raw: pd.DataFrame) -> pd.DataFrame:
    """Turn the raw ``g7_ukraine_pledges`` CSV into a pledge frame (the dataset's loader).

    Dates become ``datetime64``, years nullable integers, ``currency_stated`` boolean and
    ``category``/``status``/``kind`` strings; ``categories`` is set from ``category``.

    Examples
    --------
    >>> import aidcalc
    >>> g7 = aidcalc.load_dataset("g7_ukraine_pledges")
    >>> g7["announced"].dtype
    dtype('<M8[ns]')
    >>> g7.loc[g7["pair_id"] == "P19", ["amount_text", "currency", "kind"]]
          amount_text currency           kind
    87  $12.1 billion      USD  total_to_date
    88  ¥1.9 trillion      JPY  total_to_date
    """
    frame = raw.copy()
    frame[ANNOUNCED] = pd.to_datetime(frame[ANNOUNCED], format="%Y-%m-%d").astype("datetime64[ns]")
    for col in (PERIOD_START, PERIOD_END):
        frame[col] = pd.to_numeric(frame[col]).astype("Int64")
    frame[AMOUNT] = frame[AMOUNT].astype("float64")
    frame["currency_stated"] = frame["currency_stated"].map(
        {"True": True, "False": False, True: True, False: False}
    )
    frame["categories"] = frame[CATEGORY]
    return frame


# --------------------------------------------------------------------------------------------
# validate
# --------------------------------------------------------------------------------------------


class _Found:
    """The problems found so far: ``found(col, bad, problem)`` records the rows of ``bad``."""

    def __init__(self, frame: pd.DataFrame) -> None:
        self.frame = frame
        self.parts: list[pd.DataFrame] = []

    def __call__(
        self, col: str, bad: pd.Series | np.ndarray, problem: str, severity: str = "error"
    ) -> None:
        mask = np.asarray(bad, dtype=bool)
        if mask.any():
            rows, values = self.frame.index[mask], self.frame[col].to_numpy()[mask]
            self.add(rows, col, values, problem, severity)

    def add(self, rows: Any, col: Any, values: Any, problem: str, severity: str) -> None:
        self.parts.append(pd.DataFrame(
            {"row": rows, "column": col, "value": values, "problem": problem, "severity": severity}
        ))  # fmt: skip

    def table(self) -> pd.DataFrame:
        if not self.parts:
            return pd.DataFrame(columns=_PROBLEM_COLUMNS)
        return pd.concat(self.parts, ignore_index=True)[_PROBLEM_COLUMNS]


_Check = Callable[..., None]


@renamed_argument("frame")
def validate(
    data: pd.DataFrame,
    *,
    errors: Literal["coerce", "raise", "report"] = "coerce",
    categories: tuple[str, ...] | None = None,
) -> pd.DataFrame:
    """Check a pledge frame against the documented schema and report every problem.

    Checks: required columns (``donor``, ``amount``, ``currency``) present; ``donor`` and
    ``recipient`` three-letter codes; ``amount`` numeric and finite (negative: a warning);
    ``currency`` a known ISO 4217 code; ``announced`` a date read without guessing (see
    the strict date reader) inside the window 1910-01-01..2100-12-31, not in the future
    (after tomorrow: an error), and present (a missing date: a warning, it cannot be
    converted at a date; a month or a year written without a day, ``"2024-06"`` or
    ``"2024"``: a warning, it converts with ``fx="month"`` / ``fx="year"``); ``status`` one of
    ``pledged``, ``committed``, ``allocated``, ``disbursed``; ``kind`` one of ``pledge``,
    ``component``, ``restatement``, ``total_to_date``; ``category`` in the taxonomy;
    ``period_start``/``period_end`` whole years in 1900..2100, in order, covering at most 50
    years (the rule :func:`aidcalc.spread` applies); ``part_of`` naming an existing
    ``pledge_id``; rows sharing a ``pair_id`` from one donor. Missing values are allowed in
    optional columns.

    Parameters
    ----------
    data
        The frame to check (not changed).
    errors
        As everywhere in aidcalc: ``"coerce"`` (default) returns the problems; ``"raise"``
        raises :class:`ValidationError` (with the problems as its ``problems`` attribute)
        when there is any. ``"report"`` is the deprecated name of ``"coerce"``.
    categories
        Allowed categories; default: the built-in taxonomy plus ``"all"`` (headline totals).

    Returns
    -------
    pandas.DataFrame
        One row per problem: ``row`` (index label, ``None`` for a missing column),
        ``column``, ``value``, ``problem`` and ``severity``: ``error`` breaks the schema,
        ``warning`` is legal but worth a look (a negative amount: Kiel records corrections
        that way; a missing ``announced`` date). Empty when the frame is clean.
        ``errors="raise"`` raises on errors only; :func:`aidcalc.pledges` rejects rows with errors
        only.

    Examples
    --------
    >>> f = pd.DataFrame({"donor": ["JPN", "Japan"], "amount": [1e9, -5.0],
    ...                   "currency": ["JPY", "YEN"], "status": ["pledged", "promised"]})
    >>> validate(f)[["row", "column", "value"]]
       row    column     value
    0    1     donor     Japan
    1    1    amount      -5.0
    2    1  currency       YEN
    3    1    status  promised
    >>> validate(f.iloc[:1]).empty
    True
    """
    frame = data  # the argument is data= (as in seaborn); frame= still works
    check_frame(frame, "validate")
    if categories is None:
        categories = default_categories()
    found = _Found(frame)
    missing = [c for c in REQUIRED if c not in frame.columns]
    if missing:
        found.add(None, missing, None, "required column missing", "error")
    _check_codes(frame, found)
    if AMOUNT in frame.columns:
        _check_amount(frame, found)
    if CURRENCY in frame.columns:
        _check_currency(frame, found)
    if ANNOUNCED in frame.columns:
        _check_announced(frame, found)
    _check_choices(frame, found, categories)
    _check_periods(frame, found)
    _check_links(frame, found)
    problems = found.table()
    _check_errors_option(errors)
    if errors == "raise" and (problems["severity"] == "error").any():
        raise ValidationError(_summarise(problems), problems=problems)
    return problems


def default_categories() -> tuple[str, ...]:
    """The categories :func:`validate` accepts by default: the taxonomy plus ``"all"``."""
    from ._categories import EXTRA_CATEGORIES, TAXONOMY

    return (*TAXONOMY, *EXTRA_CATEGORIES)


def _check_errors_option(errors: Any) -> None:
    if errors == "report":
        warnings.warn(
            "validate: errors='report' is now errors='coerce' (the same values as everywhere "
            "in aidcalc); 'report' is deprecated",
            DeprecationWarning,
            stacklevel=outside_stacklevel(),
        )
    else:
        check_errors(errors, func="validate")


def _check_codes(frame: pd.DataFrame, check: _Check) -> None:
    """``donor`` and ``recipient``: three-letter codes that are known."""
    known_codes = _known_codes()
    for col, role, example in (
        (DONOR, "donor", "'JPN', or 'EUI'"),
        (RECIPIENT, "recipient", "'UKR'"),
    ):
        if col not in frame.columns:
            continue
        codes = frame[col]
        shaped = codes.astype("string").str.fullmatch(_CODE).fillna(False)
        present = codes.notna() if col == RECIPIENT else pd.Series(True, index=frame.index)
        check(
            col,
            present & ~shaped,
            f"not a {role} code (ISO3 such as {example})"
            + ("; map names with aidcalc.pledges or aidcalc.donor_code" if col == DONOR else ""),
        )
        check(col, shaped & ~codes.isin(known_codes), f"unknown {role} code")


def _check_amount(frame: pd.DataFrame, check: _Check) -> None:
    """``amount``: present, a number (not a bool), finite; negative is a warning."""
    raw_amount = plain(frame[AMOUNT])  # a pint-pandas amount: its magnitudes, unit below
    _check_amount_unit(frame, column_units(frame[AMOUNT], AMOUNT, "validate"), check)
    is_bool = booleans(raw_amount)
    values = to_numbers(raw_amount.astype(object).where(~is_bool, None)).astype("float64")
    raw_missing = raw_amount.isna()
    check(AMOUNT, raw_missing, "amount missing")
    check(AMOUNT, is_bool, "amount is a boolean (True/False), not money")
    check(AMOUNT, ~raw_missing & ~is_bool & values.isna(), "amount not a number")
    finite = values.notna()
    check(AMOUNT, finite & ~np.isfinite(values.fillna(0.0)), "amount not finite")
    check(
        AMOUNT,
        finite & (values < 0),
        "negative amount (a correction or a reversal? check it)",
        "warning",
    )


def _check_currency(frame: pd.DataFrame, check: _Check) -> None:
    """``currency``: present and an ISO 4217 code (trimmed, upper-cased)."""
    known = iso_codes()  # the one list of ISO 4217 codes (babel's CLDR)
    cur = frame[CURRENCY]
    check(CURRENCY, cur.isna(), "currency missing")
    # codes are compared trimmed and upper-cased, the rule of convert and aggregate
    ids, uniq = pd.factorize(cur)
    ok = np.array([isinstance(u, str) and u.strip().upper() in known for u in uniq] + [True])
    check(
        CURRENCY,
        ~ok[ids],
        "not an ISO 4217 currency code (e.g. 'EUR', 'JPY'); currency symbols and "
        "names are read by aidcalc.pledges",
    )


def _check_announced(frame: pd.DataFrame, check: _Check) -> None:
    """``announced``: a date read strictly, in the window, not in the future; missing warns."""
    ann = frame[ANNOUNCED]
    got = parse_dates(ann, mixed_offsets=False)
    far = got.kind == OUT_OF_RANGE
    coarse = got.kind == COARSE  # "2024-06", "2024": legal, read at fx="month" / "year"
    check(ANNOUNCED, got.bad & ~far & ~coarse, "not a date")
    check(ANNOUNCED, coarse, _COARSE_TEXT, "warning")
    check(ANNOUNCED, far, WINDOW_TEXT)
    check(
        ANNOUNCED,
        ann.isna(),
        "announced date missing (cannot be converted at a date)",
        "warning",
    )
    tomorrow = pd.Timestamp.now().normalize() + pd.Timedelta(days=1)
    check(ANNOUNCED, (got.dates > tomorrow).to_numpy(), "announced in the future")


_COARSE_TEXT = (
    "month or year only (no day): convert and normalise it with fx='month' (a month) or "
    "fx='year' / 'dac' (a year)"
)


def _check_choices(frame: pd.DataFrame, check: _Check, categories: tuple[str, ...]) -> None:
    """``status``, ``kind`` and ``category``: one of their allowed values (or missing)."""
    for col, allowed, problem in (
        (STATUS, STATUS_ORDER, f"status not one of {', '.join(STATUS_ORDER)}"),
        (KIND, KINDS, f"kind not one of {', '.join(KINDS)}"),
        (
            CATEGORY,
            categories,
            f"category not in the taxonomy ({', '.join(categories)}); pass categories= "
            "to extend it",
        ),
    ):
        if col in frame.columns:
            values = frame[col]
            check(col, values.notna() & ~values.isin(allowed), problem)


def _check_periods(frame: pd.DataFrame, check: _Check) -> None:
    """``period_start``/``period_end``: whole years, plausible periods (spread's rule)."""
    years = {}
    for col in (PERIOD_START, PERIOD_END):
        if col in frame.columns:
            raw = frame[col]
            y = to_numbers(raw).astype("float64")
            check(col, raw.notna() & (y.isna() | (y != np.floor(y))), "not a whole year")
            years[col] = y
    if not years:
        return
    # one-sided periods are a single year (as spread reads them)
    first = years.get(PERIOD_START, years.get(PERIOD_END))
    last = years.get(PERIOD_END, first)
    assert first is not None and last is not None
    first, last = first.fillna(last), last.fillna(first)
    for mask, which, problem in period_problems(first, last):
        col = PERIOD_START if which == "start" else PERIOD_END
        check(col if col in years else next(iter(years)), mask & _present(frame, col), problem)


def _check_links(frame: pd.DataFrame, check: _Check) -> None:
    """``part_of`` names a ``pledge_id``; rows sharing a ``pair_id`` share the donor."""
    if PART_OF in frame.columns:
        pledge_ids = frame[PLEDGE_ID] if PLEDGE_ID in frame.columns else pd.Series([], dtype=object)
        part = frame[PART_OF]
        check(PART_OF, part.notna() & ~part.isin(pledge_ids.dropna()), "part_of names no pledge_id")
    if PAIR_ID in frame.columns and DONOR in frame.columns:
        pairs = frame[[PAIR_ID, DONOR]].dropna()
        n_donors = pairs.groupby(PAIR_ID, observed=True)[DONOR].transform("nunique")
        mixed = frame.index.isin(pairs.index[n_donors.to_numpy() > 1])
        check(PAIR_ID, mixed, "rows sharing this pair_id have different donors")


def _present(frame: pd.DataFrame, col: str) -> np.ndarray:
    """Rows where ``col`` exists and holds a value (all rows when the column is absent)."""
    if col not in frame.columns:
        return np.ones(len(frame), dtype=bool)
    return frame[col].notna().to_numpy()


def _summarise(problems: pd.DataFrame) -> str:
    lines = [f"the pledge frame has {len(problems)} problem(s):"]
    for (col, problem), grp in problems.groupby(["column", "problem"], sort=False, observed=True):
        rows = grp["row"].dropna().tolist()
        values = grp["value"].dropna().unique().tolist()[:5]
        where = describe_rows(rows) if rows else "the frame"
        shown = f", values {values!r}" if values else ""
        lines.append(f"- {col}: {problem} in {where}{shown}")
    return "\n".join(lines)


def _known_codes() -> frozenset[str]:
    """ISO 3166 alpha-3 codes and aidcalc's donor codes (EUI, EIB, EPF, ...)."""
    from .._real._donors import all_codes

    return all_codes()




def _check_amount_unit(frame: pd.DataFrame, units: Units | None, check: Any) -> None:
    """validate's rule for a pint-pandas amount: a currency unit must agree with ``currency``
    (a missing code is the dtype's); any other unit is not money."""
    if units is None:
        return
    if units.currency is None:
        check(AMOUNT, np.ones(len(frame), bool), f"amount is in {units.unit!r}, not money")
    elif CURRENCY in frame.columns:
        bad = contradicting(frame[CURRENCY], units.currency)
        check(CURRENCY, bad, f"contradicts the unit of amount ({units.currency})")


# --------------------------------------------------------------------------------------------
# pledges: build a pledge frame from a user table
# --------------------------------------------------------------------------------------------

ROLE_ALIASES: Final[dict[str, str]] = {
    "donor": DONOR,
    "giver": DONOR,
    "donor_name": DONOR,
    "recipient": RECIPIENT,
    "date": ANNOUNCED,
    "announced": ANNOUNCED,
    "announcement_date": ANNOUNCED,
    "amount": AMOUNT,
    "value": AMOUNT,
    "currency": CURRENCY,
    "ccy": CURRENCY,
    "amount_text": AMOUNT_TEXT,
    "category": CATEGORY,
    "status": STATUS,
    **{word: role for role, words in {
        # the same headers as ministries and trackers write them in the donors' languages
        # (de, fr, es, it, pt, nl, pl, sv, da/nb, cs, uk/ru, ja, ko, zh); words that also
        # mean something else in another language ("data", "land", "summe") are left out
        DONOR: ("geber", "geberland", "donateur", "bailleur", "bailleur_de_fonds", "donante",
                "donatore", "doador", "darczyńca", "darczyńca_pomocy", "donorland", "givare",
                "dárce", "донор", "供与国", "援助国", "拠出国", "공여국", "捐助国", "援助方"),
        RECIPIENT: ("empfänger", "empfängerland", "bénéficiaire", "pays_bénéficiaire",
                    "receptor", "país_receptor", "beneficiario", "paese_beneficiario",
                    "beneficiário", "odbiorca", "ontvanger", "mottagare", "modtager",
                    "mottaker", "příjemce", "отримувач", "получатель", "被援助国", "受益国",
                    "수원국"),
        ANNOUNCED: ("datum", "fecha", "date_d'annonce", "date_de_l'annonce", "dátum", "дата",
                    "日付", "発表日", "날짜", "日期"),
        AMOUNT: ("betrag", "wert", "montant", "valeur", "importe", "monto", "valor", "importo",
                 "valore", "kwota", "wartość", "bedrag", "waarde", "belopp", "värde", "beløb",
                 "beløp", "verdi", "částka", "hodnota", "сума", "сумма", "金額", "額",
                 "금액", "金额"),
        CURRENCY: ("währung", "waehrung", "devise", "monnaie", "moneda", "divisa", "valuta",
                   "moeda", "waluta", "měna", "валюта", "通貨", "통화", "货币", "币种"),
        CATEGORY: ("kategorie", "catégorie", "categoría", "categoria", "kategoria",
                   "categorie", "kategori", "категорія", "категория", "カテゴリー", "カテゴリ",
                   "분야", "类别"),
        STATUS: ("statut", "estado", "stato", "stan", "stav", "статус", "状態", "상태", "状态"),
    }.items() for word in words},
}
"""Common column names (lower case, ``_`` for spaces) -> the pledge-frame role they name, in
English and in the languages donors write their tables in."""

DONOR_CODE_COLUMNS: Final = ("donor_iso3", "donor_code", "donor_iso", "donor_id", "iso3")
"""Columns (lower case, ``_`` for spaces) that hold donor *codes* next to the donor's written
name: where such a column holds a known code (``JPN``, ``EUI``), it is the row's ``donor`` and
the written name is kept as ``donor_name``; where it is empty or not a code, the name is
read as usual. A name that reads as another code than the column's is kept with the
column's code, and the report says so (a note)."""

#: kinds (see :data:`KINDS`) that a table may write in its status column: not a lifecycle
#: stage, the row repeats money (a ``total_to_date`` is a cumulative headline)
_KINDS_AS_STATUS: Final = ("component", "restatement", "total_to_date")

#: the report's own columns (``kind`` as in :mod:`aidcalc.io._result`: "left out", "money",
#: "note"); a table's columns of these names are shown in the report as ``<name>_in_file``
_REPORT_COLUMNS: Final = (REASON, "kept", "kind")


def role_renames(columns: Iterable[Any], mapping: Mapping[str, str] | None) -> dict[str, str]:
    """The renames that give a user table's columns their roles: ``mapping`` first, then the
    common names of :data:`ROLE_ALIASES` (case-insensitive) for roles not yet taken.

    Examples
    --------
    >>> role_renames(["Land", "Date", "Value"], {"Land": "donor"})
    {'Land': 'donor', 'Date': 'announced', 'Value': 'amount'}
    """
    columns = list(columns)
    renames: dict[str, str] = dict(mapping or {})
    taken = set(renames.values())
    for col in columns:
        if col in renames:
            continue
        role = ROLE_ALIASES.get(str(col).strip().lower().replace(" ", "_"))
        if role and role not in taken and role not in columns:
            renames[col] = role
            taken.add(role)
    return renames


def build_pledges(
    table: pd.DataFrame,
    mapping: Mapping[str, str] | None,
    locale: LocaleLike | None,
    recipient: str | None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The steps of :func:`aidcalc.pledges` on a table already read: ``(accepted, rejected)``.

    Rename the columns to their roles, read the values (amount texts, donor names, currency
    codes, numbers, dates), then move every row that still breaks the schema to ``rejected``
    with its reasons.
    """
    out = _with_roles(table, mapping)
    if recipient is not None and RECIPIENT not in out.columns:
        out[RECIPIENT] = recipient
    money = money_with_currency(out, AMOUNT, CURRENCY, "pledges")  # pint[USD]: amounts in USD
    if money is not None:  # the pledge frame's amount is a float in each row's currency
        out[AMOUNT], out[CURRENCY] = money.values, money.currencies
    if len(out) == 0:  # no rows: the schema's columns decide (as validate says)
        return _empty_pledges(table, out)
    said = _Said(out.index)
    _read_values(out, locale, said)
    _reject_schema_errors(out, table, said.left_out)
    bad = (said.left_out.text != "").to_numpy()
    accepted = out.iloc[~bad].copy()
    accepted.index = table.index[~bad]
    return accepted, said.report(table)


class _Reasons:
    """Why each row (by position) is rejected: ``;``-joined texts, ``""`` for none yet."""

    def __init__(self, index: pd.Index) -> None:
        self.text = pd.Series("", index=index, dtype=object)

    def add(self, mask: Any, text: pd.Series | str | Callable[[np.ndarray], pd.Series]) -> None:
        """Add ``text`` to the rows of ``mask``: one text, a text per row, or a function of
        the mask giving the texts of those rows only (a report's texts cost nothing for the
        rows that have none)."""
        rows = np.asarray(mask, dtype=bool)
        if not rows.any():
            return
        if callable(text):
            piece: Any = np.asarray(text(rows).astype(str), dtype=object)
        elif isinstance(text, str):
            piece = text
        else:
            piece = np.asarray(text.astype(str), dtype=object)[rows]
        at = np.flatnonzero(rows)
        now = self.text.to_numpy(dtype=object)[at]
        self.text.iloc[at] = np.where(now == "", piece, now + "; " + piece)


class _Said:
    """What the report says of each row: why it is left out; for a kept row, what changed in
    its money (``money``) and facts about it (``note``)."""

    def __init__(self, index: pd.Index) -> None:
        self.left_out, self.money, self.note = _Reasons(index), _Reasons(index), _Reasons(index)

    def report(self, table: pd.DataFrame) -> pd.DataFrame:
        """The rows as the table has them, with ``reason``, ``kept`` and ``kind``: every row
        left out, then (in table order) the kept rows the report has something to say of."""
        left = (self.left_out.text != "").to_numpy()
        money = (self.money.text != "").to_numpy()
        both = money & (self.note.text != "").to_numpy()
        kept_text = np.where(both, self.money.text + "; " + self.note.text,
                             self.money.text + self.note.text)
        reason = np.where(left, self.left_out.text, kept_text)
        kind = np.where(left, "left out", np.where(money, "money", "note"))
        rows = left | (reason != "")
        return report_rows(table.iloc[rows], reason[rows], ~left[rows], kind[rows])


def report_rows(rows: pd.DataFrame, reason: Any, kept: Any, kind: Any) -> pd.DataFrame:
    """Report entries for rows as a table has them: the rows plus ``reason``, ``kept`` and
    ``kind`` (a table's own columns of those names become ``<name>_in_file``).

    Examples
    --------
    >>> report_rows(pd.DataFrame({"donor": ["X"], "kind": ["pledge"]}), ["unknown"], [False],
    ...             ["left out"])
      donor kind_in_file   reason   kept      kind
    0     X       pledge  unknown  False  left out
    """
    clash = {c: f"{c}_in_file" for c in _REPORT_COLUMNS if c in rows.columns}
    out = rows.rename(columns=clash) if clash else rows.copy()
    out[REASON] = np.asarray(reason, dtype=object)
    out["kept"] = np.asarray(kept, dtype=bool)
    out["kind"] = np.asarray(kind, dtype=object)
    return out


def _with_roles(table: pd.DataFrame, mapping: Mapping[str, str] | None) -> pd.DataFrame:
    """A copy of ``table`` indexed by position, its columns renamed to their roles."""
    out = table.copy()
    out.index = pd.RangeIndex(len(out))  # work by position; the labels come back at the end
    if mapping:
        check_columns_exist(
            mapping,
            out,
            "mapping names columns that are not in the table: {unknown}; "
            "the table has {columns}",
        )
    out = out.rename(columns=role_renames(out.columns, mapping))
    if out.columns.duplicated().any():
        dup = out.columns[out.columns.duplicated()].tolist()
        raise ValidationError(
            f"two columns would both become {dup}; fix mapping", problems=pd.DataFrame()
        )
    return out


def _read_values(out: pd.DataFrame, locale: LocaleLike | None, said: _Said) -> None:
    """Read the values in place: amounts from text where needed, donor names to codes,
    currency codes upper-cased, amounts as numbers, dates by ``locale``, kinds written as
    a status."""
    reasons = said.left_out
    read_amount_texts(out, locale, reasons.add)
    _donors_to_codes(out, locale, said)
    if CURRENCY in out.columns:
        out[CURRENCY] = out[CURRENCY].astype("string").str.strip().str.upper().astype(object)
        out.loc[out[CURRENCY].isna(), CURRENCY] = np.nan
    if AMOUNT in out.columns:
        raw_amount = out[AMOUNT]
        number = to_numbers(raw_amount).astype("float64")
        reasons.add(
            raw_amount.notna() & number.isna(),
            lambda rows: "amount: not a number (" + raw_amount[rows].map(repr) + ")",
        )
        out[AMOUNT] = number
    if ANNOUNCED in out.columns:
        _read_announced(out, locale, said)
    if STATUS in out.columns:
        _kinds_as_status(out, said)
    if CATEGORY in out.columns:
        _category_synonyms(out, said)


def _category_synonyms(out: pd.DataFrame, said: _Said) -> None:
    """A category written as a synonym (``total``: a headline total) is read as the
    category it names (``all``), noted."""
    from ._categories import CATEGORY_SYNONYMS

    written = out[CATEGORY]
    key = written.astype("string").str.strip().str.lower()
    read = key.map(CATEGORY_SYNONYMS).astype(object)
    hit = read.notna().to_numpy(dtype=bool)
    if hit.any():
        out[CATEGORY] = written.astype(object).where(~hit, read)
        said.note.add(
            hit, "category: " + written.map(repr) + " read as " + read.map(repr)
            + " (a headline total covering every sector)"
        )


def _read_announced(out: pd.DataFrame, locale: LocaleLike | None, said: _Said) -> None:
    """``announced`` as dates; a month or a year without a day keeps its row and its text
    (``"2024-06"``: what convert and normalise read with ``fx="month"`` / ``"year"``), noted."""
    raw = out[ANNOUNCED]
    got = parse_dates(raw, locale=locale, mixed_offsets=False)
    coarse = got.kind == COARSE
    if coarse.any():  # a month or a year must still be one ("2024-13" is not)
        again = parse_dates(raw[coarse], locale=locale, mixed_offsets=False, precision="year")
        coarse[np.flatnonzero(coarse)[again.bad]] = False
    bad = got.bad & ~coarse
    said.left_out.add(
        bad,
        lambda rows: "announced: not a date (" + raw[rows].map(repr) + "): "
        + got.reasons[rows].fillna(""),
    )
    if not coarse.any():
        out[ANNOUNCED] = got.dates
        return
    dates = got.dates.astype(object)
    dates[coarse] = _coarse_texts(raw[coarse], locale)
    out[ANNOUNCED] = dates
    said.note.add(
        coarse,
        lambda rows: "announced: " + raw[rows].map(repr) + " has no day: kept as written (not "
        "a made-up day); convert and normalise it with fx='month' (a month) or fx='year' (a "
        "year)",
    )


def _coarse_texts(raw: pd.Series, locale: LocaleLike | None) -> pd.Series:
    """Month- or year-only dates as written; one that only ``locale`` reads (``"März 2024"``)
    as ``YYYY-MM`` / ``YYYY``, the text every later reader reads without a locale."""
    text = raw.astype(str).str.strip()
    if locale is None:
        return text
    read = parse_dates(text, locale=locale, mixed_offsets=False, precision="year")
    alone = parse_dates(text, mixed_offsets=False, precision="year")
    other = alone.bad | (alone.values != read.values)
    if not other.any():
        return text
    stamps = pd.Series(read.values, index=text.index)
    month = read.precision == 2
    text[other & month] = stamps[other & month].dt.strftime("%Y-%m")
    text[other & ~month] = stamps[other & ~month].dt.strftime("%Y")
    return text


def _kinds_as_status(out: pd.DataFrame, said: _Said) -> None:
    """A kind written as the status (``total_to_date``): the row is kept with that ``kind``
    (a table without ``kind`` gets one, ``pledge`` elsewhere: what a row without a kind
    counts as) and no status; the report says so (kind "money": its status changed)."""
    status = out[STATUS].astype("string").str.strip().str.lower()
    as_kind = status.isin(list(_KINDS_AS_STATUS)).fillna(False).to_numpy(dtype=bool)
    if KIND in out.columns:  # the table's own kind decides where it has one
        as_kind = as_kind & out[KIND].isna().to_numpy()
    if not as_kind.any():
        return
    if KIND not in out.columns:
        out[KIND] = "pledge"
    written = out[STATUS].map(repr)
    out.loc[as_kind, KIND] = status[as_kind].astype(object)
    out[STATUS] = out[STATUS].astype(object)
    out.loc[as_kind, STATUS] = np.nan
    said.money.add(
        as_kind,
        "status: " + written + " is a kind, not a lifecycle stage: kept as kind="
        + written + " and no status; a cumulative or repeated figure: summing it with the "
        "individual pledges counts money twice (aidcalc.aggregate refuses mixed kinds; "
        "keep frame[frame['kind'] == 'pledge'])",
    )


def _reject_schema_errors(out: pd.DataFrame, table: pd.DataFrame, reasons: _Reasons) -> None:
    """Add the reasons of :func:`validate`'s errors (warnings do not reject a row); a missing
    required column raises."""
    problems = validate(out)
    problems = problems[problems["severity"] == "error"]
    row_problems = problems[problems["row"].notna()]
    _missing_columns(problems, table)
    n = len(out)
    by_problem = row_problems.groupby(["column", "problem"], sort=False, observed=True)
    for (group_col, problem), grp in by_problem:
        col = cast(str, group_col)  # the "column" names are str
        pos = grp["row"].to_numpy(dtype=np.int64)
        mask = np.zeros(n, dtype=bool)
        mask[pos] = True
        # not repeated when already explained (an unreadable amount_text explains amount)
        explaining = [col, AMOUNT_TEXT] if col in (AMOUNT, CURRENCY) else [col]
        seen = "|".join(rf"(?:^|; ){re.escape(c)}:" for c in explaining)
        already = reasons.text.astype(str).str.contains(seen, regex=True).to_numpy()
        values = pd.Series("", index=out.index, dtype=object)
        # a list of values for positions is valid; pandas-stubs only allow str or a Series
        values.iloc[pos] = [repr(v) for v in grp["value"]]  # type: ignore[call-overload]
        reasons.add(mask & ~already, f"{col}: {problem} (" + values + ")")


def _missing_columns(problems: pd.DataFrame, table: pd.DataFrame) -> None:
    """Raise when a required column is missing (no row can be accepted without it)."""
    if len(problems) and problems["row"].isna().any():
        missing = problems.loc[problems["row"].isna(), "column"].tolist()
        raise ValidationError(
            f"the table has no column for {missing}; name them with mapping= "
            f"(columns found: {list(table.columns)})",
            problems=problems,
        )


def _empty_pledges(
    table: pd.DataFrame, out: pd.DataFrame
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A table without rows: an empty pledge frame (typed roles) when the required columns
    are there, else the missing-column error of any table."""
    problems = validate(out)
    _missing_columns(problems[problems["severity"] == "error"], table)
    frame = out.copy()
    if ANNOUNCED in frame.columns:
        frame[ANNOUNCED] = pd.Series([], index=frame.index, dtype="datetime64[ns]")
    frame[AMOUNT] = pd.Series([], index=frame.index, dtype="float64")
    frame[CURRENCY] = pd.Series([], index=frame.index, dtype=object)
    frame.index = table.index
    return frame, report_rows(table, [], [], [])


def _code_column(columns: Iterable[Any]) -> str | None:
    """The first column named like a donor code column (:data:`DONOR_CODE_COLUMNS`)."""
    for col in columns:
        if str(col).strip().lower().replace(" ", "_") in DONOR_CODE_COLUMNS and col != DONOR:
            return str(col)
    return None


def _donors_to_codes(out: pd.DataFrame, locale: Any, said: _Said) -> None:
    """``donor`` as codes: a donor code column's known codes first (the name kept as
    ``donor_name``; a name reading as another code noted), else the name read."""
    from .._real._donors import all_codes

    col = _code_column(out.columns)
    given = None
    if col is not None:
        text = out[col].astype("string").str.strip().str.upper()
        given = text.where(text.isin(list(all_codes())).fillna(False)).astype(object)
        if DONOR not in out.columns:
            out[DONOR] = out[col]
        elif "donor_name" not in out.columns:
            out["donor_name"] = out[DONOR]
    if DONOR not in out.columns:
        return
    read, why = _read_names(out[DONOR], locale)
    if given is None:
        out[DONOR] = read
        said.left_out.add(why != "", why)
        return
    use = given.notna().to_numpy()
    differ = use & read.notna().to_numpy() & (read != given).to_numpy()
    names = out[DONOR]
    said.note.add(
        differ,
        lambda rows: "donor: the name " + names[rows].map(repr) + " reads as "
        + read[rows].astype(str) + f", the {col} column says " + given[rows].astype(str)
        + f": kept as {col} gives it",
    )
    out[DONOR] = given.where(use, read)
    said.left_out.add(~use & (why != "").to_numpy(), why)  # the name decides there


def _read_names(donor: pd.Series, locale: Any) -> tuple[pd.Series, pd.Series]:
    """Donor names to codes, each distinct name once (codes kept as written): (codes,
    ``NaN`` where unknown; why a name is unknown, ``""`` elsewhere)."""
    from .._real._donors import explain_donor_codes

    is_code = donor.astype("string").str.fullmatch(_CODE).fillna(False).to_numpy(dtype=bool)
    names = donor.notna().to_numpy() & ~is_code
    new = donor.astype(object).copy()
    why = pd.Series("", index=donor.index, dtype=object)
    if not names.any():
        return new, why
    got = explain_donor_codes(donor[names], **({} if locale is None else {"locale": locale}))
    new[names] = got["code"].to_numpy()
    conflict = got["conflict"].str.replace(";", ", ")
    clash = ("; its parts name different donors (" + conflict + ")").where(conflict != "", "")
    unknown = got.index[got["code"].isna()]
    why.loc[unknown] = (
        "donor: unknown name (" + donor[unknown].astype(str) + ")" + clash[unknown]
        + "; add it to mapping or use a code"
    )
    return new, why


