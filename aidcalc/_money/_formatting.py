"""Writing amounts for people: ``format_amount``, through babel's CLDR number patterns."""

from __future__ import annotations

import math
import re
from decimal import ROUND_HALF_EVEN, Decimal
from functools import lru_cache
from typing import Any, Literal

from .._base._compat import compact_long
from .._base._errors import OptionTypeError, ParseError, ValidationError
from .._base._locale import LocaleLike, resolve_locale
from ._amount import Amount, check_currency

__all__ = ["format_amount"]

Style = Literal["short", "long", "standard", "name"]
_STYLES = ("short", "long", "standard", "name")
#: the number at the start of a compact decimal ("12,1" of "12,1 Milliarden", "121" of "121億")
_LEADING_NUMBER = re.compile(r"\d[\d\s\u00a0\u202f.,'’]*")


def _split(amount: Any, currency: str | None) -> tuple[Decimal, str]:
    if currency is not None:
        currency = check_currency(currency, "currency")
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
            raise OptionTypeError(
                f"expected a (number, 'CUR') pair, got a {len(amount)}-tuple",
                option="amount",
                value=amount,
                accepted="a (number, 'CUR') pair",
                problems=None,
            )
        number, code = amount
        code = check_currency(code, "currency")
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
    if isinstance(amount, float) and not math.isfinite(amount):
        raise ParseError(
            f"cannot format {amount!r} as money: it is not a finite number",
            text=repr(amount),
            reason="not a finite number",
        )
    return Amount(amount, currency).value, currency


class _Positive(str):
    """The positive subpattern of a CLDR compact pattern, remembering the whole pattern."""

    original: Any


def _positive_only(formats: Any) -> dict[str, dict[str, _Positive]]:
    """Compact formats with only their positive subpatterns, for choosing the scale.

    babel counts the zeros of both subpatterns of ``"elfu 0;elfu -0"`` (Swahili thousands)
    when it divides, so 1,000 came out as "elfu 10" (10x) and 12,345,678 as "milioni 1234.6";
    and its fallback kept both subpatterns ("US$ 0US$ 0" for 0.01). With the positive
    subpattern the division is right; the whole pattern (with its own minus) is then applied.
    """
    out: dict[str, dict[str, _Positive]] = {}
    for plural in formats:
        out[plural] = {}
        for magnitude, pattern in dict(formats[plural]).items():
            text = pattern.pattern if hasattr(pattern, "pattern") else str(pattern)
            positive = _Positive(text.split(";")[0])
            positive.original = pattern
            out[plural][magnitude] = positive
    return out


def _compact_number(value: Decimal, formats: Any, loc: Any, digits: int) -> tuple[Decimal, Any]:
    """(scaled number, pattern to apply), by babel's rules on the positive subpatterns."""
    from babel.numbers import _get_compact_format

    positive: Any = _positive_only(formats)  # plain dicts serve as babel's LocaleDataDict
    number, chosen = _get_compact_format(value, positive, loc, digits)
    return number, getattr(chosen, "original", chosen)


def _compact_currency(value: Decimal, code: str, loc: Any, digits: int) -> str:
    """babel's ``format_compact_currency`` (short), with the scale chosen as it should be."""
    from babel.numbers import parse_pattern

    formats = loc.compact_currency_formats["short"]
    number, pattern = _compact_number(value, formats, loc, digits)
    if pattern is None or "\u00a4" not in str(getattr(pattern, "pattern", pattern)):
        # no scale: the first currency pattern reduced to symbol, zeros and spaces
        for candidate in _positive_only(formats)["other"].values():
            if "\u00a4" in candidate:
                pattern = re.sub(r"(\s)\s+", r"\1", re.sub(r"[^0\s\u00a4]", "", candidate)).strip()
                break
    return str(
        parse_pattern(pattern).apply(
            number, loc, currency=code, currency_digits=False, decimal_quantization=False
        )
    )


def _compact_decimal(value: Decimal, loc: Any, digits: int) -> str:
    """babel's ``format_compact_decimal`` (long), with the scale chosen as it should be."""
    from babel.numbers import parse_pattern

    number, pattern = _compact_number(value, compact_long(loc), loc, digits)
    if pattern is None:
        pattern = loc.decimal_formats[None]
    return str(parse_pattern(pattern).apply(number, loc, decimal_quantization=False))


def _scaled(value: Decimal, formats: Any) -> bool:
    """Whether babel writes ``value`` with a compact scale (``K``, ``Mio.``) in ``formats``.

    The same choice as babel's ``_get_compact_format``: the largest magnitude not above the
    value; its pattern ``0`` means "no abbreviation" (German has none for thousands).
    """
    from babel.numbers import parse_pattern

    for magnitude in sorted((int(m) for m in formats["other"]), reverse=True):
        if abs(value) >= magnitude:
            return parse_pattern(_positive_only(formats)["other"][str(magnitude)]).pattern != "0"
    return False


def _regroup(text: str, loc: Any) -> str:
    """Group the integer digits of an ungrouped number in ``text`` the locale's way.

    babel strips apostrophes in pairs from its output (as pattern quotes), so the Swiss
    grouping ``39'103'900'000.00`` came out as ``39103900'000.00``; the number is formatted
    without grouping and grouped here.
    """
    from babel.numbers import get_group_symbol

    match = re.search(r"\d+", text)
    if match is None:  # pragma: no cover - a formatted amount has digits
        return text
    digits = match.group()
    primary, secondary = loc.decimal_formats[None].grouping
    symbol = get_group_symbol(loc)
    groups = [digits[-primary:]] if len(digits) > primary else [digits]
    rest = digits[:-primary] if len(digits) > primary else ""
    while rest:
        groups.insert(0, rest[-secondary:])
        rest = rest[:-secondary]
    return text[: match.start()] + symbol.join(groups) + text[match.end() :]


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


def name_style(value: Decimal, code: str, loc: Any, digits: int) -> str:
    """Compact long number + the currency's display name, in the locale's unit pattern.

    The ``style="name"`` of :func:`format_amount`, and of the chart axes' tick labels.

    Examples
    --------
    >>> from babel import Locale
    >>> name_style(Decimal("12100000000"), "USD", Locale("en"), 1)
    '12.1 billion US dollars'
    >>> name_style(Decimal("5000000000"), "EUR", Locale("de"), 1)
    '5 Milliarden Euro'
    """
    from babel.numbers import get_currency_name, get_currency_unit_pattern

    number = _compact_decimal(value, loc, digits)
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
        Text that :func:`aidcalc.parse_amount` reads back in the same locale: ``"standard"``
        as the amount rounded (half to even) to the currency's minor units (JPY none, KWD
        three); the compact styles within :func:`promised_error` of it (half a unit in the
        last shown place). Float noise is never written.

    Raises
    ------
    ParseError
        For a value that is not a finite number (``None``, a bool, NaN, inf), beyond 1e18
        (``AmountRangeError``), an unknown currency, or a locale whose CLDR pattern for this
        amount would not read back (a handful of patterns in sw_CD, my_MM, wo ...; reason
        ``"unreadable format"``): then use another style.

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
    >>> format_amount((936646.5525956864, "EUR"), locale="de")  # no abbreviation for 10^3
    '936646,6 €'
    >>> format_amount((39103900000, "CHF"), locale="de_CH", style="standard")
    "CHF 39'103'900'000.00"
    """
    from babel.numbers import (
        format_currency,
        get_currency_symbol,
        get_group_symbol,
    )

    if style not in _STYLES:
        raise ValidationError(
            f"style must be one of {', '.join(_STYLES)}, got {style!r}",
            option="style",
            value=style,
            accepted=list(_STYLES),
            problems=None,
        )
    if not isinstance(digits, int) or isinstance(digits, bool) or not 0 <= digits <= 12:
        raise ValidationError(
            f"digits must be an int from 0 to 12, got {digits!r}",
            option="digits",
            value=digits,
            accepted="an int from 0 to 12",
            problems=None,
        )
    value, code = _split(amount, currency)  # the codes checked by check_currency
    loc = resolve_locale(locale)
    value = _rounded(value, code, loc, style, digits)
    if style == "standard":
        if "'" in get_group_symbol(loc):  # babel drops apostrophes in pairs
            out = _regroup(format_currency(value, code, locale=loc, group_separator=False), loc)
        else:
            out = format_currency(value, code, locale=loc)
    elif style == "name":
        out = name_style(value, code, loc, digits)
    elif style == "short":
        out = _compact_currency(value, code, loc, digits)
    else:
        number = _compact_decimal(abs(value), loc, digits)
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
    if style in ("short", "long"):
        out = _space_symbol(out, get_currency_symbol(code, loc))
    _check_readable(out, value, code, loc, style, digits)
    if not nbsp:
        out = out.replace("\xa0", " ").replace("\u202f", " ")
    return out


def promised_error(value: Decimal, code: str, style: str, digits: int) -> Decimal:
    """How far the amount a formatted text stands for may be from the (minor-unit) value.

    ``"standard"``: 0 (every digit, to the currency's minor units). Compact styles: half a
    unit in the last shown place, ``|value| * 5e-(digits+1)`` (the scale word's power is at
    most the value), and below any scale half a unit of ``min(digits, minor units)``
    decimals.
    """
    from babel.numbers import get_currency_precision

    if style == "standard":
        return Decimal(0)
    places = min(digits, int(get_currency_precision(code)))
    return max(abs(value) * 5 / Decimal(10) ** (digits + 1), Decimal(5) / 10 ** (places + 1))


@lru_cache(maxsize=4096)
def _read_back(text: str, locale_id: str) -> tuple[Decimal, str] | str:
    """(value, currency) as :func:`aidcalc.parse_amount` reads ``text``, or why it cannot."""
    from ._parsing import parse_amount

    try:
        back = parse_amount(text, locale=locale_id)
    except ParseError as err:
        return str(err.reason)
    return back.value, back.currency


def _check_readable(
    out: str, value: Decimal, code: str, loc: Any, style: str, digits: int
) -> None:
    """Refuse to write what :func:`aidcalc.parse_amount` would not read back as the amount.

    A few CLDR locales have compact patterns that cannot be read (sw_CD writes 999.96 as
    "elfu 10"; my_MM combines two scale words): writing them would put a wrong or unreadable
    figure on a chart.
    """
    back = _read_back(out, str(loc))
    if isinstance(back, str):
        why = f"it does not read back: {back}"
    else:
        if back[1] == code and abs(back[0] - value) <= promised_error(value, code, style, digits):
            return
        why = f"it reads back as {back[0]} {back[1]}"
    raise ParseError(
        f"format_amount: locale {loc}'s CLDR {style!r} pattern writes {out!r} for {value} "
        f"{code}, but {why}; use another style (e.g. style='standard') or locale",
        text=out,
        reason="unreadable format",
    )


def _space_symbol(out: str, symbol: str) -> str:
    """A no-break space where a letter of the symbol would touch a letter of the scale word.

    Compact patterns glue the symbol to the scale ("1.9TUS$", "1KKWD" in twq): readers (and
    the parser) would see a word "TUS" or "KKWD". CLDR's currency spacing rule, applied to
    letters as well as digits.
    """
    at = out.find(symbol) if symbol else -1
    if at < 0:
        return out
    end = at + len(symbol)
    if end < len(out) and symbol[-1].isalpha() and out[end].isalpha():
        out = out[:end] + "\xa0" + out[end:]
    if at > 0 and symbol[0].isalpha() and out[at - 1].isalpha():
        out = out[:at] + "\xa0" + out[at:]
    return out


def _rounded(value: Decimal, code: str, loc: Any, style: str, digits: int) -> Decimal:
    """The value as the text will show it, before babel scales it.

    Always rounded (half to even) to the currency's minor units (JPY none, KWD three), so no
    float noise is ever written. A compact style without a scale for this value (below
    1000, or German thousands, which CLDR writes in full) shows at most ``digits`` decimals
    (and never more than the currency has); with a scale, babel rounds the scaled number to
    ``digits`` decimals.
    """
    from babel.numbers import get_currency_precision

    minor = int(get_currency_precision(code))
    value = value.quantize(Decimal(1).scaleb(-minor), rounding=ROUND_HALF_EVEN)
    if style == "standard":
        return value
    formats = loc.compact_currency_formats["short"] if style == "short" else compact_long(loc)
    if not _scaled(value, formats):
        places = min(digits, minor)
        value = value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_EVEN)
    return value
