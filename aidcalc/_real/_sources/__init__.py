"""Price sources: where ``normalise`` takes its deflators from, behind one small protocol.

A source answers one question, :meth:`PriceSource.factors`: for each row (its year and, for
the DAC, its donor), the factor that takes the amount to ``base_year`` prices, with the
provenance of each factor (``deflator_source``) and of the whole price base (``price_base``)
as fields (:mod:`aidcalc._base._provenance`). ``normalise`` is a dispatcher over them:
``SOURCES[prices]`` (imitating pydeflate's ``SourceProtocol`` and its ``sources/`` modules).

* :mod:`._dac`: OECD DAC deflators per donor (a user's vintage with ``deflators=``), in USD
  terms, with the second exchange-rate leg to ``to`` and the own-currency rule;
* :mod:`._cpi`: consumer price indices of the economy of ``to`` (a user's table with
  ``cpi=``);
* :mod:`._current`: current prices (factor 1);
* the IMF WEO extension beyond the last published year (:mod:`aidcalc._real._weo`), which
  the DAC and CPI sources apply to their tables (``extend="weo"``).

Adding a source: ``docs/architecture.md`` ("Adding a price source").
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, NamedTuple, Protocol

import numpy as np
import pandas as pd

from ..._base._provenance import PriceBase
from .._rows import Problems

__all__ = ["SOURCES", "BaseLeg", "Factors", "PriceSource", "Request", "SeriesKey"]


class SeriesKey(NamedTuple):
    """Which series of a price table a row takes, and why: the table's key (``"JPN"``,
    ``"DAC"``, ``"EUI"``), the reason when it is not the donor's own (``"proxy for EUU"``,
    ``"BRA"`` which has none, ``"no donor given"``), and ``terms``: the currency the series
    is expressed in when it is not USD (the own-currency rule of the DAC method)."""

    iso3: str
    note: str = ""
    terms: str = ""

    @property
    def table_key(self) -> str:
        """The key of the series in the (extended) table."""
        return f"{self.iso3} in {self.terms} terms" if self.terms else self.iso3


@dataclass(frozen=True)
class Request:
    """What ``normalise`` asks a source for: per row the year (-1 unknown), whether the row
    is still valid and whether it is already in ``to`` (``own``), and the options."""

    index: pd.Index
    to: str
    base_year: int
    years: np.ndarray
    valid: np.ndarray
    own: np.ndarray
    fx: str
    rates: Any
    extend: str | None
    vintage: Any  # a pin per table (see aidcalc.datasets) or None
    table: pd.DataFrame | None  # the user's table (deflators= / cpi=), else None
    donors: pd.Series | None
    problems: Problems
    need_year: int  # the latest year a factor is needed for (the WEO extends a table to it)


@dataclass(frozen=True)
class BaseLeg:
    """The DAC method's second leg: the base year's rate, ``to`` per USD (``fx``; NaN when
    there is none), the year it is of and its source, and per row the rate the row takes
    (``per_row``, 1 for rows deflated in ``to`` terms) with its source (``source``)."""

    fx: float
    year: int
    text: str
    per_row: np.ndarray | float
    source: pd.Series


@dataclass(frozen=True)
class Factors:
    """A source's answer: the factor per row (NaN where it has none: a problem was added),
    its provenance per row, the price base of the call, and the DAC's second leg."""

    factor: np.ndarray
    source: pd.Series
    price: PriceBase
    base_leg: BaseLeg | None = None


class PriceSource(Protocol):
    """A price source. ``by_donor``: each row takes its donor's series (the ``donor``
    column is read). ``via_usd``: amounts are converted to USD, deflated in USD terms and
    taken to ``to`` at the base year's rate (the DAC method; rows already in ``to`` are
    deflated in ``to`` terms instead), else converted straight to ``to``."""

    via_usd: bool
    by_donor: bool

    def factors(self, request: Request) -> Factors:
        """The factor per row (divide the amount by it) and its provenance."""
        ...


def _sources() -> dict[str | None, PriceSource]:
    from ._cpi import CpiSource
    from ._current import CurrentPrices
    from ._dac import DacDeflators

    return {"dac": DacDeflators(), "cpi": CpiSource(), None: CurrentPrices()}


#: ``prices=`` value -> source
SOURCES: dict[str | None, PriceSource] = _sources()
