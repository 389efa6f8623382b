"""The currencies the euro replaced: their irrevocably fixed conversion rates.

From the day a member state adopts the euro its old currency (DEM, FRF, ..., HRK, BGN) has
one rate to the euro, fixed for ever by the Council (Regulation (EC) No 2866/98 and the
regulations amending it; dataset ``euro_conversion_rates``), and the ECB stops quoting it.
:class:`aidcalc.RateTable` lookups read a table's rates through a view in which every such
currency has that rate on each fixing day from its adoption on (see
``RateTable._lookup_view``); this module owns the facts, the provenance text and the
per-row arithmetic (which rows fall on or after an adoption, which pairs are a constant
factor).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np

__all__ = ["FixedLeg", "FixedRate", "fixed_rates", "period_bounds", "phase"]


@dataclass(frozen=True)
class FixedRate:
    """One legacy currency: ``rate`` units per 1 EUR from day ``adopted`` (days since
    1970-01-01), fixed by ``act``; ``text`` is the rate as the act writes it."""

    code: str
    rate: float
    adopted: int
    act: str
    text: str

    @property
    def adopted_date(self) -> np.datetime64:
        return np.datetime64(self.adopted, "D")

    @property
    def label(self) -> str:
        """The provenance of the fixed rate, as ``fx_source`` shows it.

        Examples
        --------
        >>> print(fixed_rates()["BGN"].label)  # doctest: +ELLIPSIS
        irrevocably fixed euro conversion rate 1.95583 BGN per EUR from 2026-01-01 (Regulation ...)
        """
        return (
            f"irrevocably fixed euro conversion rate {self.text} {self.code} per EUR from "
            f"{self.adopted_date} ({self.act})"
        )


@dataclass(frozen=True)
class FixedLeg:
    """A legacy currency in a rate table's lookup view: its fixed rate; whether the pair
    with the euro is a constant factor from adoption on (``constant``: the table itself
    quotes the currency on no day on or after adoption, so no table rate wins over it); the
    first and last day the table itself quotes it (None when never)."""

    fixed: FixedRate
    constant: bool
    quoted: tuple[np.datetime64, np.datetime64] | None

    def coverage(self) -> str:
        """What the table has for this currency, for error messages."""
        then = f"then the {self.fixed.label}"
        if self.quoted is None:
            return f"no {self.fixed.code} quotes in the table before the {self.fixed.label}"
        return f"{self.fixed.code} fixings run {self.quoted[0]}..{self.quoted[1]}; {then}"


@cache
def fixed_rates() -> dict[str, FixedRate]:
    """Every currency the euro replaced, by ISO code (dataset ``euro_conversion_rates``).

    Examples
    --------
    >>> hrk = fixed_rates()["HRK"]
    >>> hrk.rate, str(hrk.adopted_date)
    (7.5345, '2023-01-01')
    >>> len(fixed_rates())
    21
    """
    from .._base._datasets import read_dataset

    frame = read_dataset("euro_conversion_rates", copy=False)
    days = frame["adopted"].to_numpy(dtype="datetime64[D]").view("int64")
    return {
        str(code): FixedRate(str(code), float(text), int(day), str(act), str(text))
        for code, text, day, act in zip(
            frame["currency"], frame["rate_per_eur"], days, frame["act"], strict=True
        )
    }


def period_bounds(days: np.ndarray, policy: str) -> tuple[np.ndarray, np.ndarray]:
    """First and last day of each day's calendar period (the day itself for ``"spot"``).

    Examples
    --------
    >>> d = np.array([np.datetime64("2026-02-10", "D").astype("int64")])
    >>> [str(np.datetime64(int(x[0]), "D")) for x in period_bounds(d, "month")]
    ['2026-02-01', '2026-02-28']
    """
    if policy == "spot":
        return days, days
    unit = "M" if policy == "month" else "Y"
    per = days.astype("datetime64[D]").astype(f"datetime64[{unit}]")
    start = per.astype("datetime64[D]").view("int64")
    end = (per + 1).astype("datetime64[D]").view("int64") - 1
    return start, end


#: a row's period relative to an adoption: before it, on or after it, or straddling it
BEFORE, FIXED, STRADDLE = 0, 1, 2


def phase(days: np.ndarray, adopted: np.ndarray | int, policy: str, no_day: int) -> np.ndarray:
    """Per row: ``FIXED`` when its whole day or period is on or after ``adopted``,
    ``STRADDLE`` when its month or year begins before and ends on or after it, else
    ``BEFORE`` (also rows without a date, ``no_day``).

    Examples
    --------
    >>> day = int(np.datetime64("2026-01-15", "D").astype("int64"))
    >>> adopted = int(np.datetime64("2026-01-10", "D").astype("int64"))
    >>> [int(phase(np.array([day]), adopted, p, -(2**30))[0]) for p in ("spot", "month")]
    [1, 2]
    """
    start, end = period_bounds(days, policy)
    out = np.where(start >= adopted, FIXED, np.where(end >= adopted, STRADDLE, BEFORE))
    out[days <= no_day] = BEFORE
    return out.astype("int8")
