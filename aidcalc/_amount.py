"""The :class:`Amount` value type: an exact decimal sum of money in one ISO 4217 currency."""

from __future__ import annotations

import math
from contextlib import suppress
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import cache
from typing import Any

import numpy as np

from ._errors import ParseError, ValidationError

__all__ = ["MAX_AMOUNT", "Amount", "AmountRangeError", "AmountTypeError", "check_magnitude"]

#: The largest absolute amount aidcalc reads, writes or converts to, in any currency: 10**18.
#: World GDP is about 1e14 USD and the largest pledges in the weakest currencies stay far
#: below; anything beyond is a misread number (a dropped separator, a unit slip, an overflow).
MAX_AMOUNT = 10**18


class AmountTypeError(ParseError, TypeError):
    """An amount of the wrong type (``None``, ``bool``, a list...): also a ``TypeError``."""


class AmountRangeError(ParseError, ValidationError):
    """An amount that is not finite or beyond :data:`MAX_AMOUNT` (also a ``ValueError``).

    Fields: ``value`` (as text), ``currency``, ``reason``.
    """


def _range_error(value: Any, currency: str | None, what: str) -> AmountRangeError:
    cur = f" {currency}" if currency else ""
    shown = f"{value:.6g}" if isinstance(value, float) else str(value)
    if len(shown) > 40:
        shown = shown[:37] + "..."
    return AmountRangeError(
        f"{what}: {shown}{cur} is beyond the largest amount aidcalc handles (1e18 in any "
        "currency, MAX_AMOUNT): no real sum of money is that large, so the number is misread "
        "(a dropped separator or scale word, a unit slip) or the result overflowed",
        text=shown,
        value=shown,
        currency=currency,
        reason="beyond MAX_AMOUNT",
    )


def check_magnitude(values: Any, currency: str | None = None, *, what: str = "amount") -> None:
    """Raise :class:`AmountRangeError` unless every value is finite and within ``MAX_AMOUNT``.

    Works on a scalar (float, int, Decimal) or an array (vectorised); NaN is allowed in arrays
    (a missing value), never in a scalar. Shared by the conversions (the scalar
    ``convert_amount``, pint FX contexts) and usable by frame conversions.

    Examples
    --------
    >>> check_magnitude(1e18)
    >>> check_magnitude(float("inf"), "JPY", what="converting 1e308 USD")
    Traceback (most recent call last):
    ...
    aidcalc._amount.AmountRangeError: converting 1e308 USD: inf JPY is beyond the largest ...
    """
    if isinstance(values, Decimal):
        if not values.is_finite() or values.copy_abs() > MAX_AMOUNT:
            raise _range_error(values, currency, what)
        return
    if isinstance(values, (int, float)) and not isinstance(values, bool):
        if not math.isfinite(values) or abs(values) > MAX_AMOUNT:
            raise _range_error(values, currency, what)
        return
    arr = np.asarray(values, dtype="float64")
    with np.errstate(invalid="ignore"):
        bad = np.isinf(arr) | (np.abs(arr) > MAX_AMOUNT)
    if bad.any():
        raise _range_error(float(arr[bad].flat[0]), currency, what)


def out_of_range(values: Any) -> np.ndarray:
    """Boolean mask of an array: infinite or beyond ``MAX_AMOUNT`` (NaN is not flagged).

    For vectorised callers (frame conversions) that report rows instead of raising.

    Examples
    --------
    >>> out_of_range([1.0, float("inf"), float("nan"), -2e18]).tolist()
    [False, True, False, True]
    """
    arr = np.asarray(values, dtype="float64")
    with np.errstate(invalid="ignore"):
        return np.isinf(arr) | (np.abs(arr) > MAX_AMOUNT)


@cache
def _iso_codes() -> frozenset[str]:
    from babel.numbers import list_currencies

    return frozenset(list_currencies())


def currency_suggestions(word: str) -> list[str]:
    """ISO codes a mistyped currency may mean: by English name ("YEN" -> JPY) or spelling.

    Examples
    --------
    >>> currency_suggestions("YEN"), currency_suggestions("EURO"), currency_suggestions("USS")[:1]
    (['JPY'], ['EUR'], ['USD'])
    """
    import difflib

    from ._parsing import _lexicon

    key = " ".join(str(word).split()).lower()
    out: list[str] = []
    phrases = _lexicon("en").phrases
    kind, value = phrases.get(key, ("", ""))
    if kind == "code":
        out.append(value)
    elif kind == "symbol":
        from ._parsing import _resolve_symbol

        with suppress(Exception):
            out.append(_resolve_symbol(value, "en", None)[0])
    from ._parsing import _active_codes

    if out:  # a name or symbol says it
        return out
    word = key.upper()
    close = difflib.get_close_matches(word, sorted(_active_codes()), n=6, cutoff=0.6)

    def prefix(code: str) -> int:
        return next((i for i, (a, b) in enumerate(zip(code, word, strict=False)) if a != b), 3)

    return sorted(close, key=lambda c: -prefix(c))[:3]


def check_currency(code: Any, what: str = "currency") -> str:
    """An ISO 4217 code argument, upper-cased: ``"usd"`` and ``" USD "`` are ``"USD"``.

    Every function of aidcalc takes currency *arguments* this way (a code passed as a
    parameter is a code, whatever its case). In free *text* only upper-case codes are read
    (``all``, ``top``, ``cup`` are words as well as codes), see :func:`aidcalc.parse_amount`.

    Raises
    ------
    ParseError
        When the code is not a string or not an ISO 4217 code; the message suggests the code
        meant ("YEN" -> 'JPY').

    Examples
    --------
    >>> check_currency("usd")
    'USD'
    >>> check_currency("YEN")
    Traceback (most recent call last):
    ...
    aidcalc.ParseError: currency must be an ISO 4217 code such as 'USD' or 'EUR', got 'YEN'; ...
    """
    if isinstance(code, str):
        norm = code.strip().upper()
        if norm in _iso_codes():
            return norm
    hint = ""
    if isinstance(code, str) and code.strip():
        sugg = currency_suggestions(code)
        if sugg:
            hint = f"; did you mean {' or '.join(repr(c) for c in sugg)}?"
    raise ParseError(
        f"{what} must be an ISO 4217 code such as 'USD' or 'EUR', got {code!r}{hint}",
        text=str(code),
        reason="unknown currency code",
    )


def _to_decimal(value: Any) -> Decimal:
    if isinstance(value, Decimal):
        out = value
    elif isinstance(value, (bool, np.bool_)):
        raise AmountTypeError(
            f"an amount cannot be a bool ({value!r}): pass a number",
            text=str(value),
            reason="bool amount",
        )
    elif isinstance(value, int):
        out = Decimal(value)
    elif isinstance(value, float):
        out = Decimal(str(value))  # the shortest repr: Decimal(str(0.1)) == Decimal("0.1")
    elif isinstance(value, str):
        if len(value) > 100:
            raise ParseError(
                f"Amount value of {len(value):,} characters is not a plain number; use "
                "aidcalc.parse_amount() to read text",
                text=value[:100],
                reason="not a number",
            )
        try:
            out = Decimal(value.strip().replace("_", ""))
        except InvalidOperation:
            raise ParseError(
                f"Amount value {value!r} is not a plain number; use aidcalc.parse_amount() "
                "to read text such as '$12.1 billion'",
                text=value,
                reason="not a number",
            ) from None
    elif isinstance(value, (np.integer, np.floating)):
        # numpy scalars: through their shortest string form
        out = Decimal(str(value.item()))
    else:
        raise AmountTypeError(
            f"Amount value must be a Decimal, int, float or numeric str, not "
            f"{type(value).__name__} ({str(value)[:40]!r})",
            text=str(value)[:100],
            reason="not a number",
        )
    if not out.is_finite():
        raise AmountRangeError(
            f"Amount value must be finite, got {value!r}",
            text=str(value),
            value=str(value),
            currency=None,
            reason="not finite",
        )
    if out.copy_abs() > MAX_AMOUNT:
        raise _range_error(out, None, "Amount value")
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
        An ISO 4217 code such as ``"USD"`` (any case: ``"usd"`` is stored as ``"USD"``).
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
    >>> Amount(1, "usd").currency
    'USD'
    >>> Amount(1, "YEN")
    Traceback (most recent call last):
    ...
    aidcalc.ParseError: Amount currency must be an ISO 4217 code such as 'USD' or 'EUR', got ...
    >>> Amount(1e19, "USD")
    Traceback (most recent call last):
    ...
    aidcalc._amount.AmountRangeError: Amount value: 1E+19 is beyond the largest ...
    """

    value: Decimal
    currency: str
    approx: bool = False
    text: str | None = field(default=None, compare=False)  # provenance, not part of the value

    def __post_init__(self) -> None:
        object.__setattr__(self, "value", _to_decimal(self.value))
        object.__setattr__(self, "currency", check_currency(self.currency, "Amount currency"))
        object.__setattr__(self, "approx", bool(self.approx))

    def __str__(self) -> str:
        return f"{'~' if self.approx else ''}{self.currency} {self.value:,}"

    def __float__(self) -> float:
        return float(self.value)
