"""The OECD DAC deflators as a price source (the OECD method for aid; ``prices="dac"``).

Each row takes its donor's deflator (USD terms), or, for a donor without one, the DAC
countries total, or for EU bodies the EU institutions' (:data:`DEFLATOR_PROXY`). Rows already
in ``to`` (``to`` not USD) are deflated by the same deflator expressed in ``to`` terms (the
own-currency rule, a :class:`SeriesKey` with ``terms``); the others take the second leg, the
base year's annual rate USD -> ``to`` (:class:`BaseLeg`). ``normalise``'s Notes give the
arithmetic.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ..._base._errors import DataCoverageError, ValidationError, describe_rows
from ..._base._provenance import DeflatorFacts, PriceBase, as_vintage
from .._fx import RATE_KIND, annual_rates, base_rate
from .._macro import deflator_table, vintage_label
from .._rows import categorical, factorize, unknown_donor_error
from .._weo import extend_if_needed, extension_notes
from . import BaseLeg, Factors, Request, SeriesKey
from ._table import deflate

__all__ = ["DEFLATOR_PROXY", "DacDeflators"]

#: donors without their own DAC deflator that take another donor's rather than the DAC total:
#: EU bodies and aggregates, whose money is euro-denominated like the EU institutions' (EUI)
DEFLATOR_PROXY = {"EUU": "EUI", "EMU": "EUI", "EIB": "EUI", "EPF": "EUI"}
_TOTALS = {"DAC": "DAC countries total", "G7C": "G7 countries total"}


class DacDeflators:
    """OECD DAC deflators (embedded or downloaded vintage, or the user's ``deflators=``)."""

    via_usd = True
    by_donor = True

    def factors(self, request: Request) -> Factors:
        table, vintage = _table(request)
        keys, keys_per_row = _donor_series(request, set(table["iso3"]))
        if request.extend == "weo":
            table = extend_if_needed(
                table, list(dict.fromkeys(k.iso3 for k in keys)), request.need_year,
                request.vintage,
            )  # fmt: skip
        term_rates: dict[int, tuple[float, str]] = {}
        if request.own.any():  # the same deflators expressed in `to`: D[k, y] * R_to(y)
            table, term_rates = _in_currency_terms(table, request)
            keys_per_row = np.where(request.own, keys_per_row + len(keys), keys_per_row)
            keys = keys + [k._replace(terms=request.to) for k in keys]
        weo: list[str] = []

        def describe(key: SeriesKey, y: int, uy: int, ub: int) -> DeflatorFacts:
            notes, editions = extension_notes(table, key.iso3, y, request.base_year)
            weo.extend(e for e in editions if e not in weo)
            return DeflatorFacts(
                "dac", f"OECD DAC deflator of {_who(key, uy, ub, term_rates)}", y,
                request.base_year, as_vintage(vintage), year_used=uy, base_used=ub,
                extensions=notes, weo=editions,
            )  # fmt: skip

        factor, source = deflate(
            keys_per_row, keys, request.years, request.base_year, table, "OECD DAC deflators",
            describe, request.extend, request.valid, request.problems,
        )  # fmt: skip
        # one price base for every row (aggregate adds rows of one base only): it names `to`
        price = PriceBase(request.to, request.base_year, "dac", vintage, weo=tuple(weo))
        return Factors(factor, source, price, _base_leg(request))


def _table(request: Request) -> tuple[pd.DataFrame, str]:
    """The deflator table and its vintage text."""
    table = deflator_table(request.table, vintage=request.vintage)
    vintage = (
        vintage_label("dac_deflators", request.vintage)
        if request.table is None
        else (", ".join(sorted(set(table["vintage"]) - {""})) or "user-supplied")
    )
    if "DAC" not in set(table["iso3"]):
        raise ValidationError(
            "the deflator table has no 'DAC' (DAC countries total) row, needed for donors "
            "without their own deflator",
            problems=None,
        )
    return table, vintage


def _donor_series(request: Request, own_keys: set[str]) -> tuple[list[SeriesKey], np.ndarray]:
    """The series each row takes (its donor's, a proxy's, or the DAC total's, with why),
    as distinct keys and a per-row index into them; unknown donors are problems."""
    from .._donors import donor_codes

    n = len(request.years)
    if request.donors is None:
        dcodes, duniq = np.zeros(n, dtype="int64"), [None]
    else:
        dcodes, duniq = factorize(request.donors)
    mapped = donor_codes(
        pd.Series([d if isinstance(d, str) else None for d in duniq], dtype=object),
        errors="coerce",
    ).tolist()
    unknown = [
        i for i, (d, m) in enumerate(zip(duniq, mapped, strict=True))
        if isinstance(d, str) and not isinstance(m, str)
    ]  # fmt: skip
    if unknown:
        bad = np.isin(dcodes, unknown)
        names = [duniq[i] for i in unknown]
        request.problems.add(
            bad & request.valid, "unknown donor", unknown_donor_error(names, request.index[bad])
        )
    keys = [_series(d, m, own_keys) for d, m in zip(duniq, mapped, strict=True)]
    donor_idx = dcodes
    if request.donors is not None:
        donor_idx = np.where(dcodes < 0, len(duniq), dcodes)
        keys.append(SeriesKey("DAC", "no donor given"))
    distinct = list(dict.fromkeys(keys))
    position = {k: i for i, k in enumerate(distinct)}
    remap = np.array([position[k] for k in keys], dtype="int64")
    return distinct, remap[donor_idx]


def _series(donor: Any, code: Any, own_keys: set[str]) -> SeriesKey:
    """The deflator series of one donor (as written, and as mapped to a code)."""
    if isinstance(code, str) and code in own_keys:
        return SeriesKey(code)
    if isinstance(code, str) and DEFLATOR_PROXY.get(code) in own_keys:
        return SeriesKey(DEFLATOR_PROXY[code], f"proxy for {code}")
    who = code if isinstance(code, str) else ("no donor given" if donor is None else str(donor))
    return SeriesKey("DAC", who)


def _who(
    key: SeriesKey, uy: int, ub: int, term_rates: dict[int, tuple[float, str]]
) -> str:
    """Whose deflator, and why (as ``deflator_source`` names it)."""
    who = _TOTALS.get(key.iso3, key.iso3)
    if key.note == "no donor given":
        who = f"{who} (DAC; no donor given)"
    elif key.note.startswith("proxy for "):
        who = f"{who} ({key.note})"
    elif key.note:
        who = f"{who} (DAC; {key.note} has none)"
    elif key.iso3 == "DAC":
        who = f"{who} (DAC)"
    if key.terms:  # the rates of the very years used, each with its source
        used = ", ".join(
            f"{yy} {term_rates[yy][0]:.6g} ({term_rates[yy][1]})"
            for yy in dict.fromkeys((uy, ub)) if yy in term_rates
        )  # fmt: skip
        who = f"{who} in {key.terms} terms (USD deflator x {key.terms} per USD: {used})"
    return who


def _in_currency_terms(
    table: pd.DataFrame, request: Request
) -> tuple[pd.DataFrame, dict[int, tuple[float, str]]]:
    """``table`` plus the same deflators in ``to`` terms (keys ``"<iso3> in <to> terms"``):
    ``D[k, y] * R_to(y)`` with ``R_to`` from :func:`aidcalc._real._fx.annual_rates`, and per
    year the rate and its source (so each row can name the rates of its own years); years
    without a rate are left out (so they are outside coverage, never guessed)."""
    years = sorted(int(y) for y in table["year"].unique())
    values, sources = annual_rates(
        request.to, years, request.fx, request.rates, implied=request.extend == "weo"
    )
    per_year = {
        y: (float(v), src) for y, v, src in zip(years, values, sources, strict=True)
        if np.isfinite(v)
    }  # fmt: skip
    r = table["year"].map({y: v for y, (v, _) in per_year.items()}).to_numpy(dtype="float64")
    keep = np.isfinite(r)
    terms = table.loc[keep].assign(
        iso3=table.loc[keep, "iso3"] + f" in {request.to} terms",
        value=table.loc[keep, "value"] * r[keep],
    )
    return pd.concat([table, terms], ignore_index=True), per_year


def _base_leg(request: Request) -> BaseLeg | None:
    """The second leg (``to`` not USD): the base year's rate USD -> ``to``, on every row not
    deflated in ``to`` terms; no rate for the base year is a problem for those rows."""
    to, base_year, own, problems = request.to, request.base_year, request.own, request.problems
    if to == "USD":
        return None
    fx, year, text = base_rate(to, base_year, request.fx, request.rates, request.extend)
    need = ~own & ~problems.mask
    if not np.isfinite(fx) and need.any():
        err = DataCoverageError(
            f"no {base_year} annual average rate USD -> {to} ({RATE_KIND[request.fx == 'dac']})"
            f" to express constant {base_year} USD in {to}, for "
            f"{describe_rows(request.index[need])}: pass rates= with a table that covers "
            f"{base_year}, choose another base_year, use extend='last' to carry the "
            "last annual rate forward, or use errors='coerce'",
            dataset="exchange rates",
            missing=[(to, base_year)],
            rows=list(request.index[need]),
        )
        problems.add(need, f"no {base_year} annual average rate USD -> {to}", err)
    source = categorical(
        np.where(own, 1, np.where(np.isfinite(fx), 0, -1)),
        [text, f"identity ({to} to {to}: deflated in {to} terms, no USD detour)"],
        request.index,
    )
    return BaseLeg(fx, year, text, np.where(own, 1.0, fx), source)
