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

from ._errors import (
    AggregationError,
    AidcalcError,
    AmountRangeError,
    AmountTypeError,
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
    "Amount": "._amount",
    "parse_amount": "._parsing",
    "parse_amounts": "._parsing",
    "format_amount": "._formatting",
    # exchange rates and conversion
    "RateTable": "._rates",
    "get_rates": "._rates",
    "read_rates": "._rates",
    "convert": "._convert",
    "convert_amount": "._convert",
    "get_registry": "._units",
    "money": "._units",
    "fx_context": "._units",
    "use_pint_pandas": "._frame_units",
    # real values
    "normalise": "._prices",
    "share_of_gdp": "._relative",
    "per_capita": "._relative",
    "donor_code": "._donors",
    "donor_codes": "._donors",
    "donor_name": "._donors",
    # embedded data
    "datasets": "._datasets",
    "load_dataset": "._datasets",
    "pin_vintages": "._datasets",
    "update": "._update",
    # pledges
    "validate": "._frame",
    "pledges": "._frame",
    "categorise": "._categories",
    "spread": "._lifecycle",
    "aggregate": "._aggregate",
    "aggregate_chunks": "._chunks",
    "get_groups": "._groups",
}
_SUBMODULES = ("plot", "io")

__all__ = [
    "AggregationError",
    "AidcalcError",
    "AmountRangeError",
    "AmountTypeError",
    "DataCoverageError",
    "FrameTypeError",
    "InputFileError",
    "ParseError",
    "RateNotFoundError",
    "RejectedRowsWarning",
    "UnknownDonorError",
    "ValidationError",
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
    from ._aggregate import aggregate
    from ._amount import Amount
    from ._categories import categorise
    from ._chunks import aggregate_chunks
    from ._convert import convert, convert_amount
    from ._datasets import datasets, load_dataset, pin_vintages
    from ._donors import donor_code, donor_codes, donor_name
    from ._formatting import format_amount
    from ._frame import pledges, validate
    from ._frame_units import use_pint_pandas
    from ._groups import get_groups
    from ._lifecycle import spread
    from ._parsing import parse_amount, parse_amounts
    from ._prices import normalise
    from ._rates import RateTable, get_rates, read_rates
    from ._relative import per_capita, share_of_gdp
    from ._units import fx_context, get_registry, money
    from ._update import update
