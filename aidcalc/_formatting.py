"""Writing amounts for people: ``format_amount``, through babel's CLDR number patterns."""

from __future__ import annotations

import math
import re
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any, Literal

from ._amount import Amount
from ._errors import ParseError
from ._locale import LocaleLike, resolve_locale

__all__ = ["format_amount"]

Style = Literal["short", "long", "standard", "name"]
_STYLES = ("short", "long", "standard", "name")
#: the number at the start of a compact decimal ("12,1" of "12,1 Milliarden", "121" of "121億")
_LEADING_NUMBER = re.compile(r"\d[\d\s\u00a0\u202f.,'’]*")


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


def _shown_value(number: str, value: Decimal, loc: Any) -> Decimal | int:
    """The amount a compact number stands for as shown ("1,2 Milliarden" -> 1200000000).

    CLDR chooses the plural form of a currency name from that amount (uk "1,2 мільярда
    доларів", not the "долар" of the unrounded 1 234 567 891)."""
    from babel.numbers import NumberFormatError, parse_decimal

    match = _LEADING_NUMBER.search(number)
    if match is None or not value:
        return value
    try:
        shown = parse_decimal(match.group(0).strip(" \xa0\u202f.,'’"), locale=loc, strict=False)
    except NumberFormatError:  # pragma: no cover - babel formatted it itself
        return value
    if not shown:
        return Decimal(0)
    full = shown.scaleb(round(math.log10(abs(value) / shown)))
    # plural operands count visible decimals: 1.21E+10 must be the integer 12100000000
    return int(full) if full == full.to_integral_value() else full.normalize()


def _name_style(value: Decimal, code: str, loc: Any, digits: int) -> str:
    """Compact long number + the currency's display name, in the locale's unit pattern."""
    from babel.numbers import (
        format_compact_decimal,
        get_currency_name,
        get_currency_unit_pattern,
    )

    number = format_compact_decimal(value, format_type="long", locale=loc, fraction_digits=digits)
    count = _shown_value(number, abs(value), loc)
    name = get_currency_name(code, count=count, locale=loc)
    pattern = get_currency_unit_pattern(code, count=count, locale=loc)
    return pattern.replace("{0}", number).replace("{1}", name)


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
        ``1,9 Billionen ¥``). ``"name"``: compact with the locale's words and the currency's
        display name in the plural the amount needs, joined by CLDR's currency unit pattern
        (``12.1 billion US dollars``, ``2,5 Milliarden Euro``, ``121億米ドル``): the natural
        form in Japanese, Chinese and Korean, where ``$121億`` reads oddly.
        ``"standard"``: every digit, with the currency's own decimals
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
    >>> format_amount((12.1e9, "USD"), locale="ja", style="name")
    '121億米ドル'
    >>> format_amount((1.89e12, "JPY"), locale="ja", style="name")
    '1.9兆円'
    >>> format_amount((2.5e9, "EUR"), locale="de", style="name")
    '2,5 Milliarden Euro'
    >>> format_amount((12.1e9, "USD"), style="name")
    '12.1 billion US dollars'
    >>> format_amount((12.1e9, "USD"), style="standard")
    '$12,100,000,000.00'
    >>> format_amount((5e8, "CAD"), locale="en_CA")
    '$500M'
    >>> format_amount((123.4567, "JPY")), format_amount((0.456, "USD"))
    ('¥123', '$0.5')
    """
    from babel.numbers import (
        format_compact_currency,
        format_compact_decimal,
        format_currency,
        get_currency_precision,
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
    if style != "standard" and abs(value) < 1000:
        # CLDR has no compact pattern below 1000, so babel would print every decimal: round to
        # what the style promises and the currency has (¥123.4567 -> ¥123, $0.456 -> $0.5)
        places = min(digits, get_currency_precision(code))
        value = value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_EVEN)
    if style == "standard":
        out = format_currency(value, code, locale=loc)
    elif style == "name":
        out = _name_style(value, code, loc, digits)
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
