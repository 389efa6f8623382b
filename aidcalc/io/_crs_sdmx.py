"""OECD Data Explorer SDMX-CSV exports of CRS / DAC data to a pledge frame (:func:`read_sdmx`).

The OECD Data Explorer (``DSD_CRS@DF_CRS``, ``DSD_DAC2@DF_DAC2A``...) downloads one
observation per row: the dimension codes (``DONOR``, ``RECIPIENT``, ``SECTOR``, ``MEASURE``,
``CHANNEL``, ``MODALITY``, ``FLOW_TYPE``, ``PRICE_BASE``, ``MD_DIM``, ``MD_ID``,
``UNIT_MEASURE``, ``TIME_PERIOD``), ``OBS_VALUE`` and attributes (``BASE_PER``,
``UNIT_MULT``, ``OBS_STATUS``, ``DECIMALS``). "csvfilewithlabels" puts each code's label in
the column after it (``DONOR``, ``Donor``); "csvfile" has the codes only. Both are read.

The rules that keep the money right:

* ``amount = OBS_VALUE x 10**UNIT_MULT`` for each row (the OECD's CRS and DAC tables are in
  millions: ``UNIT_MULT`` 6). SDMX reads an absent multiplier as 0 (units), but a CRS
  value in millions read that way is 1,000,000 times too small: a file without a
  ``UNIT_MULT`` column is refused, and a row whose cell is empty or not a whole number from
  -15 to 15 is left out. The multiplier is never guessed.
* ``currency`` is ``UNIT_MEASURE`` when it is an ISO 4217 code (``USD``, ``EUR``...). ``XDC``
  (the donor's national currency) does not say which currency: those rows are left out
  (download the USD series). Other units (percentages...) are not money: left out.
* ``price_base`` says ``"current USD"`` (``PRICE_BASE`` ``V``) or ``"constant 2022 USD"``
  (``Q``, base year from ``BASE_PER``). Constant-price rows are already deflated: never give
  them to :func:`aidcalc.normalise` again. :func:`aidcalc.aggregate` refuses to add rows of
  different price bases, so a file mixing both is never summed into one figure.
* ``FLOW_TYPE`` ``C`` rows are commitments, ``D`` disbursements. ``amount=`` chooses which
  rows are read, as it chooses the column of the bulk file: the rows of the other flow type
  (and of any other flow type) are left out, each listed with how to read them.
* ``kind`` is ``"total_to_date"`` for a row that is a total of other rows: a ``_T`` code in
  any dimension, a ``SECTOR`` that is not a 5-digit purpose code (3-digit groups, ``1000``),
  a donor group (``DAC``, ``ALLD``, ``G7``, ``1UN0``...), a recipient group (``ALLR``,
  ``LDC``, ``F``...); ``total_of`` names those dimensions. Other rows are ``"pledge"`` (new
  money). :func:`aidcalc.aggregate` never adds kinds together: select
  ``frame[frame["kind"] == "pledge"]`` to sum the observations.
* one ``MEASURE`` per file: measures can overlap (DAC2A's gross and net ODA), and the file
  does not say which add up, so an export with several is refused, never summed twice.
* ``category`` comes from ``SECTOR`` through :func:`aidcalc.categorise` (purpose codes).
* ``donor`` is the ``DONOR`` code for a country (ISO3), ``EUI`` for the EU institutions
  (``4EU001``), else the code of the ``Donor`` label when aidcalc knows it; other agencies
  are left empty (``donor_code`` keeps the code) and listed as notes.

Every row is in the frame or in the report: frame rows + ``"left out"`` entries = data rows.
"""

from __future__ import annotations

import re
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from .._base._errors import InputFileError, option_error
from ._common import (
    LEFT_OUT,
    NOTE,
    ReadResult,
    Source,
    ZipLimits,
    donor_codes_or_na,
    read_delimited,
    rejected_frame,
    skipped_members,
)
from ._crs_frame import YEARS, purpose_categories

__all__ = ["FLOW_TYPES", "MULTIPLIERS", "PRICE_BASES", "read_sdmx"]

#: ``FLOW_TYPE`` code -> the ``amount=`` choice that reads it.
FLOW_TYPES = {"C": "commitment", "D": "disbursement"}
#: ``PRICE_BASE`` code -> how ``price_base`` starts.
PRICE_BASES = {"V": "current", "Q": "constant"}
#: ``UNIT_MULT`` values read (powers of ten); anything else leaves its row out.
MULTIPLIERS = (-15, 15)
_STATUS = {"commitment": "committed", "disbursement": "disbursed"}
_DONOR_CODES = {"4EU001": "EUI"}
_DONOR_GROUPS = frozenset({"DAC", "ALLD", "ALLM", "G7", "DACEU", "DACEU_EC", "WXDAC", "W_O"})
_RECIPIENT_GROUPS = frozenset(
    {
        *("F", "F3", "F4", "F5", "F6", "F7", "F8", "F97", "A", "A2", "A3", "A4", "A5", "A7"),
        *("S", "S4_S7", "S97", "E", "O", "O7", "O8", "O9", "DPGC", "ALLMR", "ALLR"),
        *("LDC", "OLIC", "LMIC", "UMIC", "MADCT", "HIPC", "ACP", "LLDC", "SIDS", "FSCAC"),
        *("OLICWB", "LMICWB", "UMICWB", "HICSWB"),
    }
)
_FAMILY_TOTAL = r"^[0-9][A-Z]+0$"  # 1UN0, 5WBG0, 9OTH0: all agencies of a family
_ID = re.compile(r"[A-Z][A-Z0-9_]*")
_REQUIRED = ("DONOR", "TIME_PERIOD", "OBS_VALUE", "UNIT_MEASURE", "UNIT_MULT")
_DROPPED = frozenset({"STRUCTURE", "STRUCTURE_ID", "STRUCTURE_NAME", "ACTION"})
_NAMES = {
    "DONOR": "donor_code",
    "RECIPIENT": "recipient_code",
    "SECTOR": "purpose_code",
    "PRICE_BASE": "price_base_code",
}


class _Layout(NamedTuple):
    """The file's columns: the SDMX code columns (ID -> column) and their labels."""

    codes: dict[str, str]
    labels: dict[str, str]


def _layout(table: pd.DataFrame, label: str) -> _Layout:
    """Code columns (upper-case SDMX IDs) and the label column after each; the columns the
    money needs are checked to be there."""
    codes: dict[str, str] = {}
    labels: dict[str, str] = {}
    previous: str | None = None
    for name in table.columns:
        if _ID.fullmatch(name):
            codes[name] = previous = name
        elif previous is not None:
            labels[previous] = name
            previous = None
    missing = [c for c in _REQUIRED if c not in codes]
    if missing:
        why = (
            " (the power of ten of OBS_VALUE: the OECD's CRS and DAC values are in millions, "
            "UNIT_MULT 6; aidcalc never guesses it)"
            if "UNIT_MULT" in missing
            else ""
        )
        raise InputFileError(
            f"{label}: an SDMX-CSV export without {', '.join(missing)}{why}; download it "
            "again from the OECD Data Explorer with all columns",
            path=label,
            reason="wrong layout",
        )
    return _Layout(codes, labels)


def _text(table: pd.DataFrame, column: str | None) -> pd.Series:
    """A column's cells as trimmed text (missing when absent or empty)."""
    if column is None or column not in table.columns:
        return pd.Series(pd.NA, index=table.index, dtype="string")
    text = table[column].astype("string").str.strip()
    return text.mask(text == "")


class _Money(NamedTuple):
    value: pd.Series  # OBS_VALUE as a number (NaN when not one)
    mult: pd.Series  # UNIT_MULT as a whole number (NaN when not one)
    amount: pd.Series  # OBS_VALUE x 10**UNIT_MULT


def _money(obs: pd.Series, mult_text: pd.Series) -> _Money:
    value = pd.to_numeric(obs.astype(object), errors="coerce").astype(float)
    whole = mult_text.str.fullmatch(r"[+-]?[0-9]{1,2}").fillna(False).astype(bool)
    mult = pd.to_numeric(mult_text.where(whole).astype(object), errors="coerce").astype(float)
    mult = mult.where(mult.between(*MULTIPLIERS))
    with np.errstate(over="ignore", invalid="ignore"):
        amount: pd.Series = value * np.power(10.0, mult.to_numpy())
    return _Money(value, mult, amount)


def _checks(
    cells: dict[str, pd.Series], money: _Money, amount: str
) -> list[tuple[str, pd.Series, str]]:
    """(column, rows that fail, reason) in the order they are tried: a row is left out for
    the first one it fails."""
    obs, mult, year = cells["OBS_VALUE"], cells["UNIT_MULT"], cells["TIME_PERIOD"]
    unit = cells["UNIT_MEASURE"].str.upper()
    years = pd.to_numeric(year.where(year.str.fullmatch(r"[0-9]{4}").fillna(False).astype(bool)))
    from .._money._currencies import iso_codes

    flow = cells["FLOW_TYPE"].str.upper()
    other = "commitment" if amount == "disbursement" else "disbursement"
    return [
        ("OBS_VALUE", obs.isna(), "no OBS_VALUE: no observation"),
        ("OBS_VALUE", ~np.isfinite(money.value), "OBS_VALUE is not a finite number"),
        (
            "UNIT_MULT",
            mult.isna(),
            "UNIT_MULT is empty: the power of ten is unknown (never "
            "guessed; the OECD's CRS and DAC values are in millions, UNIT_MULT 6)",
        ),
        (
            "UNIT_MULT",
            money.mult.isna(),
            f"UNIT_MULT is not a whole number from "
            f"{MULTIPLIERS[0]} to {MULTIPLIERS[1]} (a power of ten)",
        ),
        ("OBS_VALUE", ~np.isfinite(money.amount), "OBS_VALUE x 10**UNIT_MULT is not finite"),
        (
            "TIME_PERIOD",
            ~years.between(*YEARS).fillna(False).astype(bool),
            f"TIME_PERIOD is not a year from {YEARS[0]} to {YEARS[1]} (annual data only)",
        ),
        (
            "UNIT_MEASURE",
            unit == "XDC",
            "UNIT_MEASURE XDC (national currency) does not say "
            "which currency: download the USD series (UNIT_MEASURE USD)",
        ),
        (
            "UNIT_MEASURE",
            ~unit.isin(iso_codes()).fillna(False).astype(bool),
            "UNIT_MEASURE is not an ISO 4217 currency: not money",
        ),
        (
            "FLOW_TYPE",
            flow.notna() & ~flow.isin(list(FLOW_TYPES)),
            "FLOW_TYPE is neither commitments (C) nor disbursements (D)",
        ),
        (
            "FLOW_TYPE",
            flow == other[0].upper(),
            f"FLOW_TYPE {other[0].upper()} ({other}s): "
            f"amount={amount!r} reads {amount}s; read the file with amount={other!r} for these",
        ),
    ]


def _left_out(
    cells: dict[str, pd.Series], money: _Money, amount: str, label: str
) -> tuple[pd.Series, list[dict[str, Any]]]:
    """(which rows are kept, one ``"left out"`` entry per other row, in file order)."""
    index = cells["OBS_VALUE"].index
    reason = np.full(len(index), None, dtype=object)
    column = np.full(len(index), None, dtype=object)
    out = np.zeros(len(index), dtype=bool)
    for name, failing, why in _checks(cells, money, amount):
        hit = failing.fillna(False).to_numpy(dtype=bool) & ~out
        reason[hit], column[hit] = why, name
        out |= hit
    value = np.full(len(index), None, dtype=object)
    for name in set(column[out].tolist()):
        here = column == name
        value[here] = cells[name].astype(object).to_numpy()[here]
    report = pd.DataFrame(
        {
            "source": label,
            "row": (index + 2)[out],
            "column": column[out],
            "value": value[out],
            "reason": reason[out],
            "kept": False,
            "kind": LEFT_OUT,
        }
    )
    entries: list[dict[str, Any]] = report.to_dict("records")  # type: ignore[assignment]
    return pd.Series(~out, index=index), entries


def _note(
    notes: list[dict[str, Any]], label: str, where: pd.Series, column: str, value: Any, why: str
) -> None:
    """One ``"note"`` entry for the kept rows ``where`` (their first lines named)."""
    lines = (where.index[where.to_numpy(dtype=bool)] + 2).tolist()
    notes.append(
        {
            "source": label,
            "row": f"lines {lines[:5]}{' ...' if len(lines) > 5 else ''}",
            "column": column,
            "value": value,
            "reason": f"{len(lines)} rows: {why}",
            "kept": True,
            "kind": NOTE,
        }
    )


def _donors(
    codes: pd.Series, names: pd.Series, notes: list[dict[str, Any]], label: str
) -> pd.Series:
    """``donor``: the ISO3 code of a country, ``EUI``, or the code of the label; groups and
    agencies without a code left empty (agencies noted once per code)."""
    group = (
        codes.isin(_DONOR_GROUPS) | codes.str.match(_FAMILY_TOTAL).fillna(False) | (codes == "_T")
    )
    donor = codes.where(codes.str.fullmatch("[A-Z]{3}").fillna(False) & ~group)
    donor = donor.fillna(codes.map(_DONOR_CODES))
    unknown = donor.isna() & ~group & names.notna()
    if unknown.any():
        found = donor_codes_or_na(pd.Series(names[unknown].unique()))
        table = dict(zip(names[unknown].unique(), found, strict=True))
        donor = donor.fillna(names.where(unknown).map(table))
    for code in codes[donor.isna() & ~group].dropna().unique().tolist():
        _note(
            notes,
            label,
            codes == code,
            "DONOR",
            code,
            "no donor code for this DONOR "
            "(an agency aidcalc has no code for): donor left empty, donor_code keeps it",
        )
    return donor.astype(object).where(donor.notna(), None)


def _codes(recipient: pd.Series) -> pd.Series:
    """``recipient``: ISO3 codes of countries (regions and groups left empty)."""
    country = recipient.str.fullmatch("[A-Z]{3}").fillna(False) & ~recipient.isin(_RECIPIENT_GROUPS)
    return recipient.astype(object).where(country.to_numpy(dtype=bool), None)


def _totals(cells: dict[str, pd.Series]) -> tuple[pd.Series, pd.Series]:
    """(``kind``, ``total_of``): a row is a total when one of its dimensions holds a total
    code and the file has other codes of that dimension (rows it may add up: a file of
    ``CHANNEL`` ``_T`` rows only counts nothing twice)."""
    index = cells["OBS_VALUE"].index
    total_of = pd.Series("", index=index, dtype=object)
    for name, code in cells.items():
        if code.nunique() < 2:
            continue
        mark = code == "_T"
        if name == "SECTOR":
            mark |= ~code.str.fullmatch("[0-9]{5}")
        elif name == "DONOR":
            mark |= code.isin(_DONOR_GROUPS) | code.str.match(_FAMILY_TOTAL)
        elif name == "RECIPIENT":
            mark |= code.isin(_RECIPIENT_GROUPS)
        hit = mark.fillna(False).to_numpy(dtype=bool)
        total_of[hit] = total_of[hit] + f"{name} "
    total = total_of != ""
    kind = pd.Series(np.where(total, "total_to_date", "pledge"), index=index, dtype=object)
    total_of = total_of.str.strip().str.replace(" ", ", ").where(total, None)
    return kind, total_of


def _price_base(
    cells: dict[str, pd.Series], currency: pd.Series, notes: list[dict[str, Any]], label: str
) -> pd.Series:
    """``"current USD"`` / ``"constant 2022 USD"`` from ``PRICE_BASE`` and ``BASE_PER``;
    constant rows, unknown codes and a mix of both noted."""
    code = cells.get("PRICE_BASE", pd.Series(pd.NA, index=currency.index, dtype="string"))
    base = cells.get("BASE_PER", pd.Series(pd.NA, index=currency.index, dtype="string"))
    year = base.where(base.str.fullmatch("[0-9]{4}").fillna(False)).astype(object)
    current, constant = code.eq("V").fillna(False), code.eq("Q").fillna(False)
    out = pd.Series(None, index=currency.index, dtype=object)
    out[current] = "current " + currency[current]
    dated = constant & year.notna()
    out[dated] = "constant " + year[dated] + " " + currency[dated]
    out[constant & ~dated] = "constant " + currency[constant & ~dated] + " (base year not given)"
    if constant.any():
        _note(
            notes,
            label,
            constant,
            "PRICE_BASE",
            "Q",
            "constant prices (PRICE_BASE Q): "
            "amount is already deflated; never normalise these rows again",
        )
    if constant.any() and current.any():
        _note(
            notes,
            label,
            current | constant,
            "PRICE_BASE",
            "V, Q",
            "current and constant "
            "prices in one file: price_base keeps them apart (aggregate refuses to add them)",
        )
    unknown = ~current & ~constant
    if unknown.any():
        _note(
            notes,
            label,
            unknown,
            "PRICE_BASE",
            code[unknown].iloc[0],
            "PRICE_BASE is neither current (V) nor constant (Q) prices: price_base left empty",
        )
    return out


def _columns(table: pd.DataFrame, layout: _Layout, taken: set[str]) -> dict[str, pd.Series]:
    """The file's other columns under lower-case names (a label ``<code>_name``)."""
    out: dict[str, pd.Series] = {}
    for code, column in layout.codes.items():
        if code in _DROPPED:
            continue
        name = _NAMES.get(code, code.lower())
        out[name] = table[column]
        if code in layout.labels:
            out[f"{name.removesuffix('_code')}_name"] = table[layout.labels[code]]
    return {k: v for k, v in out.items() if k not in taken}


def read_sdmx(
    src: Source, amount: str, columns: Any, limits: ZipLimits, member: str | None
) -> ReadResult:
    """(pledge frame, rejected-rows report) of an SDMX-CSV export (see the module's rules);
    ``amount`` as :func:`aidcalc.io.read_crs` takes it. ``row`` in the report counts the
    header as 1 (the line in the file, unless a value spans lines)."""
    if columns is not None:
        raise option_error(
            "columns",
            columns,
            "columns= chooses columns of the CRS bulk download; an "
            "SDMX-CSV export is read whole (select columns from the frame)",
            "None",
        )
    table, label, skipped = read_delimited(src, limits=limits, member=member)
    layout = _layout(table, label)
    cells = {code: _text(table, column) for code, column in layout.codes.items()}
    cells.setdefault("FLOW_TYPE", _text(table, None))
    _one_measure(cells, _text(table, layout.labels.get("MEASURE")), label)
    money = _money(cells["OBS_VALUE"], cells["UNIT_MULT"])
    kept, report = _left_out(cells, money, amount, label)
    keep = kept.to_numpy(dtype=bool)
    # the kept rows keep their index (the report names lines by it) until the frame is made
    table = table[keep]
    cells = {k: v[keep] for k, v in cells.items()}
    money = _Money(*(part[keep] for part in money))
    frame, notes = _frame(table, layout, cells, money, amount, label)
    frame.index = pd.RangeIndex(len(frame))
    structure = cells.get("STRUCTURE_ID", pd.Series(dtype="string")).dropna().unique().tolist()
    frame.attrs.update(
        source=src.label,
        format="OECD SDMX-CSV" + (f" ({', '.join(structure)})" if structure else ""),
        units="plain units (OBS_VALUE x 10**UNIT_MULT)",
    )
    records = skipped_members(src.label, skipped) + report + notes
    return ReadResult(frame, rejected_frame(records))


def _one_measure(cells: dict[str, pd.Series], labels: pd.Series, label: str) -> None:
    """A file holds one ``MEASURE``: measures may overlap (DAC2A's gross and net ODA, ODA and
    its grant equivalent), and which ones add up is not in the file, so several are refused
    rather than summed twice."""
    measure = cells.get("MEASURE")
    if measure is None:
        return
    counts = measure.value_counts()
    if len(counts) < 2:
        return
    # the first label of each code, if any
    name = labels.groupby(measure, observed=True).first().to_dict()
    named = [
        f"{code}" + (f" ({name[code]})" if pd.notna(name.get(code)) else "") + f": {n:,} rows"
        for code, n in counts.items()
    ]
    raise InputFileError(
        f"{label}: an SDMX-CSV export with {len(counts)} measures ({'; '.join(named)}); "
        "measures can overlap (gross and net ODA, flows and grant equivalents), so aidcalc "
        "does not add them: download one measure per file (the Data Explorer's Measure "
        "filter), or read each file and combine the ones that add up",
        path=label,
        reason="several measures",
    )


def _frame(
    table: pd.DataFrame,
    layout: _Layout,
    cells: dict[str, pd.Series],
    money: _Money,
    amount: str,
    label: str,
) -> tuple[pd.DataFrame, list[dict[str, Any]]]:
    """The pledge frame of the kept rows (``table``, ``cells`` and ``money`` hold them
    only, with their index in the file), and the notes about them."""
    notes: list[dict[str, Any]] = []
    none = pd.Series(pd.NA, index=table.index, dtype="string")
    currency = cells["UNIT_MEASURE"].str.upper().astype(object)
    recipient = cells.get("RECIPIENT", none)
    flow = cells["FLOW_TYPE"]
    lead: dict[str, Any] = {
        "donor": _donors(cells["DONOR"], _text(table, layout.labels.get("DONOR")), notes, label),
        "recipient": _codes(recipient),
        "year": cells["TIME_PERIOD"].astype(int),
        "amount": money.amount.astype(float),
        "currency": currency,
        "status": flow.notna().map({True: _STATUS[amount], False: None}).astype(object),
    }
    if "SECTOR" in cells:
        lead["category"] = purpose_categories(cells["SECTOR"].astype(object))
    lead["kind"], lead["total_of"] = _totals(cells)
    lead["price_base"] = _price_base(cells, currency, notes, label)
    if flow.isna().any():
        _note(
            notes,
            label,
            flow.isna(),
            "FLOW_TYPE",
            None,
            "no FLOW_TYPE: commitments and disbursements not told apart (status left empty)",
        )
    head = pd.DataFrame(lead, index=table.index)
    rest = pd.DataFrame(_columns(table, layout, set(lead)), index=table.index)
    rest["obs_value"], rest["unit_mult"] = money.value, money.mult.astype(int)
    return pd.concat([head, rest], axis=1), notes
