"""aidcalc: aid-commitment analytics.

Parse amounts as people write them, convert them at the rate of the right day, express them in
constant prices and shares of GDP, categorise and aggregate pledges, chart the G7 side by side,
and import the data analysts already have.

Names are loaded on first use, so ``import aidcalc`` stays light: no rates, no unit registry and
no matplotlib until you ask for them.

Examples
--------
>>> import aidcalc
>>> aidcalc.parse_amount("¥1.9 trillion").currency
'JPY'
"""

from __future__ import annotations

import importlib
import logging
from typing import TYPE_CHECKING, Any

from ._base._errors import (
    PUBLIC_NAMES,
    AggregationError,
    AidcalcError,
    AmountRangeError,
    AmountTypeError,
    CurrencyCodeError,
    DataCoverageError,
    FrameTypeError,
    InputFileError,
    ParseError,
    RateNotFoundError,
    RejectedRowsWarning,
    UnknownDonorError,
    ValidationError,
)

__version__ = "0.1.0"

# messages go to logging.getLogger("aidcalc"); silent unless the application configures it
logging.getLogger(__name__).addHandler(logging.NullHandler())

# public name -> private module that defines it (imported on first attribute access)
_LAZY: dict[str, str] = {
    # parsing and formatting amounts
    "Amount": "._money._amount",
    "parse_amount": "._money._parsing",
    "parse_amounts": "._money._parsing",
    "format_amount": "._money._formatting",
    # exchange rates and conversion
    "RateTable": "._money._rates",
    "get_rates": "._money._rates",
    "read_rates": "._money._rates",
    "convert": "._money._convert",
    "convert_amount": "._money._convert",
    "get_registry": "._money._units",
    "money": "._money._units",
    "fx_context": "._money._units",
    "use_pint_pandas": "._money._frame_units",
    # real values
    "normalise": "._real._prices",
    "share_of_gdp": "._real._relative",
    "per_capita": "._real._relative",
    "donor_code": "._real._donors",
    "donor_codes": "._real._donors",
    "donor_name": "._real._donors",
    # embedded data
    "datasets": "._base._datasets",
    "load_dataset": "._base._datasets",
    "pin_vintages": "._base._datasets",
    "update": ".io._update",
    # pledges
    "validate": "._pledges._frame",
    "pledges": ".io._pledge_table",
    "categorise": "._pledges._categories",
    "spread": "._pledges._lifecycle",
    "aggregate": "._pledges._aggregate",
    "aggregate_chunks": "._pledges._chunks",
    "get_groups": "._pledges._groups",
}
_SUBMODULES = ("plot", "io")

__all__ = [
    *PUBLIC_NAMES,
    "__version__",
    *_LAZY,
    *_SUBMODULES,
]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name], __name__), name)
        globals()[name] = value
        return value
    if name in _SUBMODULES:
        return importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module 'aidcalc' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


if TYPE_CHECKING:  # pragma: no cover - for type checkers and IDEs only
    from . import io, plot
    from ._base._datasets import datasets, load_dataset, pin_vintages
    from ._money._amount import Amount
    from ._money._convert import convert, convert_amount
    from ._money._formatting import format_amount
    from ._money._frame_units import use_pint_pandas
    from ._money._parsing import parse_amount, parse_amounts
    from ._money._rates import RateTable, get_rates, read_rates
    from ._money._units import fx_context, get_registry, money
    from ._pledges._aggregate import aggregate
    from ._pledges._categories import categorise
    from ._pledges._chunks import aggregate_chunks
    from ._pledges._frame import validate
    from ._pledges._groups import get_groups
    from ._pledges._lifecycle import spread
    from ._real._donors import donor_code, donor_codes, donor_name
    from ._real._prices import normalise
    from ._real._relative import per_capita, share_of_gdp
    from .io._pledge_table import pledges
    from .io._update import update
