"""The :class:`Amount` value type: an exact decimal sum of money in one ISO 4217 currency."""

from __future__ import annotations

import re
from contextlib import suppress
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from ._errors import ParseError

__all__ = ["Amount"]

_CODE = re.compile(r"[A-Z]{3}")


def _to_decimal(value: Any) -> Decimal:
    if isinstance(value, Decimal):
        out = value
    elif isinstance(value, bool):
        raise TypeError("an amount cannot be a bool")
    elif isinstance(value, int):
        out = Decimal(value)
    elif isinstance(value, float):
        out = Decimal(str(value))  # the shortest repr: Decimal(str(0.1)) == Decimal("0.1")
    elif isinstance(value, str):
        try:
            out = Decimal(value.strip().replace("_", ""))
        except InvalidOperation:
            raise ParseError(
                f"Amount value {value!r} is not a plain number; use aidcalc.parse_amount() "
                "to read text such as '$12.1 billion'",
                text=value,
                reason="not a number",
            ) from None
    else:
        # numpy scalars and other number types: through their shortest string form
        try:
            out = Decimal(str(value.item() if hasattr(value, "item") else value))
        except (InvalidOperation, ValueError, TypeError):
            raise TypeError(
                f"Amount value must be a Decimal, int, float or numeric str, not "
                f"{type(value).__name__}"
            ) from None
    if not out.is_finite():
        raise ParseError(
            f"Amount value must be finite, got {value!r}", text=str(value), reason="not finite"
        )
    # show whole numbers without an exponent: Decimal('1.21E+10') -> Decimal('12100000000')
    if out == out.to_integral_value():
        if out.as_tuple().exponent != 0:
            with suppress(InvalidOperation):  # beyond 28 digits: keep the exponent form
                out = out.quantize(Decimal(1))
    else:
        out = out.normalize()  # Decimal('1.250') -> Decimal('1.25')
    return out


@dataclass(frozen=True)
class Amount:
    """A sum of money: an exact decimal value in one ISO 4217 currency.

    Parameters
    ----------
    value
        The amount. ``int``, ``str`` and ``Decimal`` are taken exactly; a ``float`` goes
        through its shortest string form (``0.1`` becomes ``Decimal('0.1')``).
    currency
        A three-letter upper-case ISO 4217 code such as ``"USD"``.
    approx
        True when the source hedged the figure ("about", "more than", "rund", "約"...).
    text
        The text the amount was read from, if any (kept for provenance; equality and hashing
        ignore it).

    Examples
    --------
    >>> a = Amount(12.1e9, "USD")
    >>> a
    Amount(value=Decimal('12100000000'), currency='USD', approx=False, text=None)
    >>> str(a)
    'USD 12,100,000,000'
    >>> str(Amount("1.5", "EUR", approx=True))
    '~EUR 1.5'
    >>> Amount("12.1e9", "USD", text="$12.1 billion") == a  # the source text is not compared
    True
    >>> Amount(1, "usd")
    Traceback (most recent call last):
    ...
    aidcalc.ParseError: Amount currency must be a three-letter upper-case ISO 4217 code ...
    """

    value: Decimal
    currency: str
    approx: bool = False
    text: str | None = field(default=None, compare=False)  # provenance, not part of the value

    def __post_init__(self) -> None:
        object.__setattr__(self, "value", _to_decimal(self.value))
        if not isinstance(self.currency, str) or not _CODE.fullmatch(self.currency):
            raise ParseError(
                "Amount currency must be a three-letter upper-case ISO 4217 code such as "
                f"'USD', got {self.currency!r}",
                text=str(self.currency),
                reason="invalid currency code",
            )
        object.__setattr__(self, "approx", bool(self.approx))

    def __str__(self) -> str:
        return f"{'~' if self.approx else ''}{self.currency} {self.value:,}"

    def __float__(self) -> float:
        return float(self.value)
