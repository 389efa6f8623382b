"""Donor groups (G7, EU27, G7+EU, EU27+EUI), donor merge rules and EU attribution, as data.

Rules (documented here and in ``datasets/donor_groups.json``):

* **EU institutions are counted once.** The aid of the EU institutions (code ``EUI``: EU
  budget, Commission, Council) is distinct money from the member states' bilateral aid. A
  group listing ``EUI`` (``G7+EU``, ``EU27+EUI``) adds it exactly once; ``EU27`` is the member
  states' bilateral aid only.
* **Attribution replaces, never adds.** Kiel's approach attributes EU-institution aid to the
  member states by budget share; :func:`attribute_eu` does that by *replacing* every ``EUI`` row
  with 27 member-state rows, so no total can contain both the EUI row and its shares.
* **Membership by date.** A row counts for a group when its donor was a member on the row's
  date (UK in the EU until 2020-01-31, Croatia from 2013-07-01). Rows without a date count for
  the members current today (open-ended membership).
* **"The EU" as a whole is no member.** ``EUU`` (World Bank code for the European Union,
  which :func:`aidcalc.donor_code` gives for "EU"/"European Union") can mix EU-budget and
  member-state money, so no group lists it. Counting it as ``EUI`` would be a guess, and
  leaving it out silently would lose money, so :func:`group_rows` (and ``aggregate(...,
  groups=...)``) raises when a requested group meant to contain the EU (one listing ``EUI`` or
  named ``EU...``) meets ``EUU`` rows; ``merges={"EUU": "EUI"}`` recodes them when the money
  is the EU budget's.
* **Merges are named rules.** ``merges="kiel"`` counts the European Investment Bank under the
  EU institutions, as Kiel's Country Summary does (``datasets/donor_merges.csv``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import cache
from typing import Any, Final

import numpy as np
import pandas as pd

from .._base._columns import DONOR, GROUP
from .._base._errors import (
    AggregationError,
    OptionTypeError,
    ValidationError,
    describe_rows,
    join_values,
)
from .._base._frame_checks import to_numbers

__all__ = [
    "EU_INSTITUTIONS",
    "EU_WHOLE",
    "GROUP",
    "apply_merges",
    "attribute_eu",
    "get_groups",
    "group_rows",
]

EU_INSTITUTIONS: Final = "EUI"
EU_WHOLE: Final = "EUU"
"""'The European Union' as a whole (World Bank code): may mix EU-budget and member-state
money, so it is in no group, and a group meant to contain the EU refuses to drop it."""
ATTRIBUTED_FROM: Final = "attributed_from"


@cache
def _groups_table() -> pd.DataFrame:
    from .._base._datasets import read_dataset

    raw = read_dataset("donor_groups")
    raw["from"] = pd.to_datetime(raw["from"].replace("", None)).astype("datetime64[ns]")
    raw["to"] = pd.to_datetime(raw["to"].replace("", None)).astype("datetime64[ns]")
    return raw


def get_groups(
    names: str | Sequence[str] | None = None,
    *,
    on: str | pd.Timestamp | None = None,
) -> pd.DataFrame:
    """Donor groups and their members, optionally as of one date.

    Parameters
    ----------
    names
        One group name or several (``"G7"``, ``"EU27"``, ``"G7+EU"``, ``"EU27+EUI"``);
        default all.
    on
        Keep only the members on this date (e.g. ``"2019-06-01"`` includes the UK in EU27).

    Returns
    -------
    pandas.DataFrame
        Columns ``group``, ``member``, ``from``, ``to`` (dates, missing = open) and ``source``.

    Raises
    ------
    ValidationError
        For an unknown group name (the message lists the known ones).

    Examples
    --------
    >>> get_groups("G7")["member"].tolist()
    ['CAN', 'DEU', 'FRA', 'GBR', 'ITA', 'JPN', 'USA']
    >>> len(get_groups("EU27", on="2024-01-01")), len(get_groups("EU27", on="2019-06-01"))
    (27, 28)
    >>> "EUI" in get_groups("G7+EU")["member"].tolist()
    True
    """
    table = _groups_table()
    if names is not None:
        wanted = [names] if isinstance(names, str) else list(names)
        known = list(dict.fromkeys(table[GROUP]))
        unknown = [n for n in wanted if n not in known]
        if unknown:
            raise ValidationError(
                f"unknown donor group(s) {join_values(unknown)}; known: {', '.join(known)}",
                problems=pd.DataFrame(),
            )
        table = table[table[GROUP].isin(wanted)]
    if on is not None:
        day = pd.Timestamp(on)
        ok = (table["from"].isna() | (table["from"] <= day)) & (
            table["to"].isna() | (table["to"] >= day)
        )
        table = table[ok]
    return table.reset_index(drop=True).copy()


def group_rows(
    frame: pd.DataFrame,
    groups: str | Sequence[str],
    *,
    donor: str = DONOR,
    date: str | None = None,
) -> pd.DataFrame:
    """Rows of ``frame`` repeated once per group their donor belongs to (on the row's date).

    Returns a frame with the original columns plus ``group``; the index holds the original
    labels (a row appears once per group it is in, and not at all if in none).

    Examples
    --------
    >>> f = pd.DataFrame({"donor": ["DEU", "JPN", "EUI"], "amount": [1.0, 2.0, 4.0]})
    >>> group_rows(f, ["G7", "G7+EU"])[["group", "donor"]]
       group donor
    0     G7   DEU
    1     G7   JPN
    0  G7+EU   DEU
    1  G7+EU   JPN
    2  G7+EU   EUI
    """
    wanted = [groups] if isinstance(groups, str) else list(groups)
    table = _membership()
    unknown = [g for g in wanted if g not in table]
    if unknown:
        get_groups(unknown)  # raises with the list of known groups
    if donor not in frame.columns:
        raise ValidationError(f"no donor column {donor!r} to group by", problems=pd.DataFrame())
    if date is not None and date in frame.columns:
        first, last = _row_span(frame, date)
    else:  # no dates: every row counts for the current (open-ended) members only
        first = last = np.full(len(frame), np.datetime64("NaT"), dtype="datetime64[ns]")
    undated = pd.isna(first)
    codes, uniques = pd.factorize(frame[donor])  # compare small integers, not strings
    position = {code: i for i, code in enumerate(uniques)}
    if EU_WHOLE in position:
        _refuse_eu_whole(frame, wanted, codes == position[EU_WHOLE])
    parts = []
    for name in wanted:  # loop over groups and their members, vectorised over rows
        ok = np.zeros(len(frame), dtype=bool)
        for member, start, end in table[name]:
            if member not in position:
                continue
            hit = codes == position[member]
            inside = _inside(first, start, end)
            changed = hit & ~undated & (inside != _inside(last, start, end))
            if changed.any():
                raise _membership_error(
                    frame, str(date), changed,
                    f"{member} joined or left {name} within the year or month written",
                    "give the day (YYYY-MM-DD)",
                )  # fmt: skip
            # undated rows count for current (open-ended) members only
            ok |= hit & np.where(undated, pd.isna(end), inside)
        sub = frame.loc[ok].copy()
        sub.insert(0, GROUP, name)
        parts.append(sub)
    return pd.concat(parts) if parts else frame.iloc[:0].assign(**{GROUP: []})


def _row_span(frame: pd.DataFrame, date: str) -> tuple[np.ndarray, np.ndarray]:
    """First and last day each row's date may mean: the day; or the whole month or year of a
    month- or year-only date (``2024``, ``Period("2024-06")``), which tells membership
    wherever it did not change within that period."""
    from .._base._dates import parse_dates

    got = parse_dates(frame[date], precision="year", mixed_offsets=False)
    if got.bad.any():
        why = got.reasons[got.bad].iloc[0]
        raise _membership_error(frame, date, got.bad, f"{date!r} cannot be read", why)
    first = got.values.astype("datetime64[ns]")
    unit = np.where(got.precision == 1, "Y", np.where(got.precision == 2, "M", "D"))
    last = first.copy()
    for code in ("Y", "M"):  # the last day of the year or month written
        rows = (unit == code) & ~np.isnat(first)
        if rows.any():
            nxt = first[rows].astype(f"datetime64[{code}]") + np.timedelta64(1, code)
            last[rows] = (nxt.astype("datetime64[D]") - np.timedelta64(1, "D")).astype(
                "datetime64[ns]"
            )
    return first, last


def _inside(when: np.ndarray, start: Any, end: Any) -> np.ndarray:
    """Whether each day of ``when`` is inside a membership ``start``..``end`` (open ends)."""
    inside = np.ones(len(when), dtype=bool)
    if pd.notna(start):
        inside &= when >= np.datetime64(start)
    if pd.notna(end):
        inside &= when <= np.datetime64(end)
    return inside


def _membership_error(
    frame: pd.DataFrame, date: str, rows: np.ndarray, what: str, fix: str
) -> AggregationError:
    idx = frame.index[rows].unique()
    return AggregationError(
        f"cannot tell group membership: {what} in {describe_rows(idx)} "
        f"({join_values(frame.loc[rows, date].drop_duplicates().tolist())}): {fix}",
        rows=list(idx),
    )


def _refuse_eu_whole(frame: pd.DataFrame, wanted: list[str], is_whole: np.ndarray) -> None:
    """Refuse to drop ``EUU`` ("the EU" as a whole) rows silently from an EU group."""
    table = _membership()
    eu = [
        g
        for g in wanted
        if g.upper().startswith("EU") or any(m == EU_INSTITUTIONS for m, _, _ in table[g])
    ]
    if not eu:
        return
    idx = frame.index[is_whole].unique()
    raise AggregationError(
        f"donor {EU_WHOLE!r} ('the European Union' as a whole, which can mix EU-budget and "
        f"member-state money) in {describe_rows(idx)} is in no donor group, so the "
        f"{', '.join(eu)} total would silently leave it out. If the money is the EU "
        f"budget's/Commission's, pass merges={{{EU_WHOLE!r}: {EU_INSTITUTIONS!r}}} (or recode "
        f"donor to {EU_INSTITUTIONS!r}); if it also includes member states' aid, split it or "
        "drop those rows explicitly",
        rows=list(idx),
        groups=eu,
    )


@cache
def _membership() -> dict[str, tuple[tuple[str, pd.Timestamp, pd.Timestamp], ...]]:
    """``{group: ((member, from, to), ...)}``, built once."""
    table = _groups_table()
    out: dict[str, list[tuple[str, pd.Timestamp, pd.Timestamp]]] = {}
    for group, member, start, end in zip(
        table[GROUP], table["member"], table["from"], table["to"], strict=True
    ):
        out.setdefault(str(group), []).append((str(member), start, end))
    return {g: tuple(v) for g, v in out.items()}


@cache
def _merge_table() -> pd.DataFrame:
    from .._base._datasets import read_dataset

    return read_dataset("donor_merges")


def apply_merges(donors: pd.Series, merges: str | Mapping[str, str] | None) -> pd.Series:
    """Donor column after a merge rule: ``"kiel"`` (EIB counted under EU institutions) or a
    mapping ``{donor: counted as}``. Codes and names are both matched.

    Examples
    --------
    >>> apply_merges(pd.Series(["EIB", "European Investment Bank", "DEU"]), "kiel").tolist()
    ['EUI', 'EU (Commission and Council)', 'DEU']
    >>> apply_merges(pd.Series(["EIB"]), {"EIB": "EIB group"}).tolist()
    ['EIB group']
    """
    if merges is None:
        return donors
    if isinstance(merges, str):
        table = _merge_table()
        rules = table[table["rule"] == merges]
        if rules.empty:
            known = sorted(table["rule"].unique())
            raise ValidationError(
                f"unknown merge rule {merges!r}; known: {', '.join(known)} "
                "(or pass a mapping {donor: counted as})",
                problems=pd.DataFrame(),
            )
        mapping = dict(zip(rules["donor"], rules["counted_as"], strict=True))
        mapping.update(zip(rules["donor_name"], rules["counted_as_name"], strict=True))
    elif isinstance(merges, Mapping):
        mapping = dict(merges)
    else:
        raise OptionTypeError(
            "merges must be a rule name such as 'kiel' or a mapping",
            option="merges",
            value=merges,
            accepted="a rule name or a mapping {donor: counted as}",
            problems=None,
        )
    return donors.replace(mapping)


@cache
def _shares() -> pd.Series:
    from .._base._datasets import read_dataset

    raw = read_dataset("eu_attribution_shares")
    return pd.Series(raw["share"].astype(float).to_numpy(), index=raw["iso3"])


def attribute_eu(
    frame: pd.DataFrame,
    *,
    value: str,
    donor: str = DONOR,
    shares: Mapping[str, float] | pd.Series | None = None,
    eu_code: str = EU_INSTITUTIONS,
) -> pd.DataFrame:
    """Replace EU-institution rows by member-state rows, by budget share (Kiel's approach).

    Every row whose donor is ``eu_code`` becomes one row per member state with
    ``value * share`` and ``attributed_from = eu_code``; other rows are unchanged (with
    ``attributed_from`` missing). The shares default to the key implied by Kiel's Release 28
    Country Summary (``datasets/eu_attribution_shares.csv``) and must sum to 1.

    Examples
    --------
    >>> f = pd.DataFrame({"donor": ["EUI", "JPN"], "amount": [100.0, 5.0]})
    >>> out = attribute_eu(f, value="amount", shares={"DEU": 0.75, "FRA": 0.25})
    >>> out[["donor", "amount", "attributed_from"]]
      donor  amount attributed_from
    0   DEU    75.0             EUI
    0   FRA    25.0             EUI
    1   JPN     5.0             NaN
    """
    key = _shares() if shares is None else pd.Series(shares, dtype=float)
    if not np.isclose(key.sum(), 1.0, atol=1e-9) or (key < 0).any():
        raise AggregationError(
            f"EU attribution shares must be non-negative and sum to 1 (they sum to {key.sum()})",
            shares=key,
        )
    is_eu = (frame[donor] == eu_code).to_numpy()
    if not is_eu.any():
        return frame.assign(**{ATTRIBUTED_FROM: np.nan})
    eu = frame.loc[is_eu]
    values = to_numbers(eu[value])
    if values.isna().any():
        bad = values.index[values.isna()]
        raise AggregationError(
            f"cannot attribute EU rows without a numeric {value}: {describe_rows(bad)}",
            rows=list(bad),
        )
    k = len(key)
    rep = eu.loc[eu.index.repeat(k)].copy()
    rep[donor] = np.tile(key.index.to_numpy(dtype=object), len(eu))
    rep[value] = np.repeat(values.to_numpy(dtype=float), k) * np.tile(key.to_numpy(), len(eu))
    rep[ATTRIBUTED_FROM] = eu_code
    rest = frame.loc[~is_eu].assign(**{ATTRIBUTED_FROM: np.nan})
    # keep the original row order (attributed rows where their EUI row was)
    pos = np.concatenate([np.repeat(np.flatnonzero(is_eu), k), np.flatnonzero(~is_eu)])
    out = pd.concat([rep, rest])
    order = np.argsort(pos, kind="stable")
    return out.iloc[order]
