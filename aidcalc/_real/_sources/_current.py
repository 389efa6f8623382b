"""Current prices as a price source (``prices=None``): factor 1, the amount as converted."""

from __future__ import annotations

import numpy as np

from ..._base._provenance import DeflatorFacts, PriceBase, render
from .._rows import categorical
from . import Factors, Request

__all__ = ["CurrentPrices"]


class CurrentPrices:
    """No deflation: every factor is 1 and the price base is ``current <to>``."""

    via_usd = False
    by_donor = False

    def factors(self, request: Request) -> Factors:
        n = len(request.years)
        none = render(DeflatorFacts("none"))
        source = categorical(np.zeros(n, dtype="int64"), [none], request.index)
        return Factors(np.ones(n), source, PriceBase(request.to))
