"""Consumer price indices as a price source (``prices="cpi"``): the CPI of the economy of
``to`` (World Bank FP.CPI.TOTL, chain-linked from inflation rates where marked derived, or
the user's ``cpi=`` table), the amount converted to ``to`` first."""

from __future__ import annotations

import numpy as np

from ..._base._errors import DataCoverageError, join_values
from ..._base._provenance import DeflatorFacts, PriceBase
from .._macro import CURRENCY_ECONOMY, cpi_table
from .._weo import extend_if_needed, extension_notes
from . import Factors, Request, SeriesKey
from ._table import deflate

__all__ = ["CpiSource"]


class CpiSource:
    """Consumer price index of the economy of ``to``."""

    via_usd = False
    by_donor = False

    def factors(self, request: Request) -> Factors:
        to, base_year = request.to, request.base_year
        table = cpi_table(request.table)
        economy = CURRENCY_ECONOMY.get(to, to)
        if request.extend == "weo":
            table = extend_if_needed(
                table, [economy], request.need_year, request.vintage, cpi=True
            )
        if economy not in set(table["iso3"]):
            err = DataCoverageError(
                f"no consumer price index for {to} (economy {economy}); embedded CPIs cover "
                f"{join_values(sorted(CURRENCY_ECONOMY))}: pass cpi= a table with iso3 "
                f"{economy!r} or use prices='dac'",
                dataset="CPI",
                missing=[(economy, base_year)],
                rows=list(request.index),
            )
            request.problems.add(request.valid, str(err), err)
        is_derived = table["source"] == "derived"
        derived = set(zip(table.loc[is_derived, "iso3"], table.loc[is_derived, "year"],
                          strict=True))  # fmt: skip
        src = "World Bank WDI FP.CPI.TOTL" if request.table is None else "user-supplied CPI"
        weo: list[str] = []

        def describe(key: SeriesKey, y: int, uy: int, ub: int) -> DeflatorFacts:
            notes, editions = extension_notes(table, key.iso3, y, base_year)
            weo.extend(e for e in editions if e not in weo)
            chained = tuple(sorted({yy for yy in (uy, ub) if (key.iso3, yy) in derived}))
            return DeflatorFacts(
                "cpi", f"{src} {key.iso3}", y, base_year, derived=chained, year_used=uy,
                base_used=ub, extensions=notes, weo=editions,
            )  # fmt: skip

        factor, source = deflate(
            np.zeros(len(request.years), dtype="int64"), [SeriesKey(economy)], request.years,
            base_year, table, "consumer price index", describe, request.extend,
            request.valid, request.problems,
        )  # fmt: skip
        price = PriceBase(to, base_year, "cpi", f"CPI of {economy}, {src}", weo=tuple(weo))
        return Factors(factor, source, price)
