"""Writing amounts for people: ``format_amount``, through babel's CLDR number patterns."""

from __future__ import annotations

import math
from decimal import Decimal
from typing import Any, Literal

from ._amount import Amount
from ._errors import ParseError
from ._locale import LocaleLike, resolve_locale

__all__ = ["format_amount"]

Style = Literal["short", "long", "standard"]
_STYLES = ("short", "long", "standard")


def _split(amount: Any, currency: str | None) -> tuple[Decimal, str]:
    if isinstance(amount, Amount):
        if currency is not None and currency != amount.currency:
            raise ParseError(
                f"currency={currency!r} contradicts the Amount's own {amount.currency!r}; "
                "convert first (aidcalc.convert_amount) or drop currency=",
                text=str(amount),
                reason="conflicting currencies",
            )
        return amount.value, amount.currency
    if isinstance(amount, tuple):
        if len(amount) != 2:
            raise TypeError(f"expected a (number, 'CUR') pair, got a {len(amount)}-tuple")
        number, code = amount
        if currency is not None and currency != code:
            raise ParseError(
                f"currency={currency!r} contradicts the pair's currency {code!r}",
                text=repr(amount),
                reason="conflicting currencies",
            )
        return Amount(number, code).value, code
    if currency is None:
        raise ParseError(
            f"format_amount needs a currency for the plain number {amount!r}: pass "
            "currency='USD' (or an Amount, or a (number, 'USD') pair)",
            text=repr(amount),
            reason="no currency",
        )
    try:
        if isinstance(amount, float) and not math.isfinite(amount):
            raise ValueError
        return Amount(amount, currency).value, currency
    except (ValueError, TypeError):
        raise ParseError(
            f"cannot format {amount!r} as money: it is not a finite number",
            text=repr(amount),
            reason="not a finite number",
        ) from None


def format_amount(
    amount: Amount | tuple[Any, str] | float | int | Decimal,
    *,
    locale: LocaleLike = "en",
    style: Style = "short",
    digits: int = 1,
    currency: str | None = None,
    nbsp: bool = False,
) -> str:
    """Write an amount the way the locale's press would, through babel's CLDR patterns.

    Parameters
    ----------
    amount
        An :class:`~aidcalc.Amount`, a ``(number, "CUR")`` pair, or a plain number together
        with ``currency=`` (handy for chart tick labels).
    locale
        ``babel.Locale`` or identifier (``"en"``, ``"de"``, ``"ja"``, ``"en_CA"`` ...).
    style
        ``"short"``: compact with the locale's abbreviations (``$12.1B``, ``2,5 Mrd. €``,
        ``$121億``). ``"long"``: compact with the locale's words (``¥1.9 trillion``,
        ``1,9 Billionen ¥``). ``"standard"``: every digit, with the currency's own decimals
        (``$12,100,000,000.00``).
    digits
        Maximum fraction digits of the compact styles (trailing zeros are dropped).
    currency
        ISO code when ``amount`` is a plain number.
    nbsp
        Keep CLDR's no-break spaces (U+00A0, U+202F). By default they become plain spaces, so
        the result compares equal to what people type and survives CSV round trips.

    Returns
    -------
    str

    Examples
    --------
    >>> format_amount(Amount(Decimal("1.89e12"), "JPY"), style="long")
    '¥1.9 trillion'
    >>> format_amount(Amount(Decimal("1.89e12"), "JPY"))
    '¥1.9T'
    >>> format_amount((2.5e9, "EUR"), locale="de")
    '2,5 Mrd. €'
    >>> format_amount(2.5e9, currency="EUR", locale="de", style="long")
    '2,5 Milliarden €'
    >>> format_amount(12.1e9, currency="USD", locale="ja")
    '$121億'
    >>> format_amount((1.89e12, "JPY"), locale="ja", style="long")
    '￥1.9兆'
    >>> format_amount((2.5e9, "EUR"), locale="fr", style="long")
    '2,5 milliards €'
    >>> format_amount((12.1e9, "USD"), style="standard")
    '$12,100,000,000.00'
    >>> format_amount((5e8, "CAD"), locale="en_CA")
    '$500M'
    """
    from babel.numbers import (
        format_compact_currency,
        format_compact_decimal,
        format_currency,
        get_currency_symbol,
        list_currencies,
    )

    if style not in _STYLES:
        raise ValueError(f"style must be one of {', '.join(_STYLES)}, got {style!r}")
    if not isinstance(digits, int) or isinstance(digits, bool) or not 0 <= digits <= 12:
        raise ValueError(f"digits must be an int from 0 to 12, got {digits!r}")
    value, code = _split(amount, currency)
    if code not in list_currencies():
        raise ParseError(
            f"unknown currency code {code!r}: use an ISO 4217 code such as 'USD'",
            text=code,
            reason="unknown currency code",
        )
    loc = resolve_locale(locale)
    if style == "standard":
        out = format_currency(value, code, locale=loc)
    elif style == "short":
        out = format_compact_currency(value, code, locale=loc, fraction_digits=digits)
    else:
        number = format_compact_decimal(
            abs(value), format_type="long", locale=loc, fraction_digits=digits
        )
        pattern = loc.currency_formats["standard"]
        sign = 1 if value < 0 else 0
        symbol = get_currency_symbol(code, loc)
        prefix = pattern.prefix[sign].replace("¤", symbol)
        suffix = pattern.suffix[sign].replace("¤", symbol)
        # CLDR currency spacing: a letter of the symbol never touches a digit
        if prefix and prefix[-1].isalpha() and number[:1].isdigit():
            prefix += "\xa0"
        if suffix and suffix[0].isalpha() and number[-1:].isdigit():
            suffix = "\xa0" + suffix
        out = prefix + number + suffix
    if not nbsp:
        out = out.replace("\xa0", " ").replace("\u202f", " ")
    return out
