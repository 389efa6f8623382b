"""format_amount: the issue's examples, locales' own words, errors, and the parse round trip."""

from __future__ import annotations

import math
from decimal import Decimal

import pytest
from babel.numbers import get_currency_precision
from hypothesis import given
from hypothesis import strategies as st

from aidcalc import Amount, ParseError, format_amount, parse_amount


@pytest.mark.parametrize(
    ("amount", "kwargs", "expected"),
    [
        # the issue's examples
        (Amount(Decimal("1.89e12"), "JPY"), {"style": "long"}, "¥1.9 trillion"),
        (Amount(Decimal("1.89e12"), "JPY"), {"style": "short"}, "¥1.9T"),
        (Amount(Decimal("2.5e9"), "EUR"), {"locale": "de"}, "2,5 Mrd. €"),
        # chart tick labels: "$12.1B", "12,1 Mrd. $", "121億ドル"-style
        ((12.1e9, "USD"), {}, "$12.1B"),
        ((12.1e9, "USD"), {"locale": "de"}, "12,1 Mrd. $"),
        ((12.1e9, "USD"), {"locale": "ja"}, "$121億"),
        ((12.1e9, "USD"), {"locale": "ja", "style": "long"}, "$121億"),
        ((1.89e12, "JPY"), {"locale": "ja", "style": "long"}, "￥1.9兆"),
        # long style: the locale's words
        ((2.5e9, "EUR"), {"locale": "de", "style": "long"}, "2,5 Milliarden €"),
        ((1e9, "EUR"), {"locale": "de", "style": "long"}, "1 Milliarde €"),
        ((1.9e12, "EUR"), {"locale": "de", "style": "long"}, "1,9 Billionen €"),
        ((2.5e9, "EUR"), {"locale": "fr", "style": "long"}, "2,5 milliards €"),
        ((3e8, "EUR"), {"locale": "it", "style": "long"}, "300 milioni €"),
        ((5e6, "USD"), {"locale": "en", "style": "long"}, "$5 million"),
        ((5e6, "CHF"), {"locale": "en", "style": "long"}, "CHF 5 million"),
        ((-3.5e6, "USD"), {"style": "long"}, "-$3.5 million"),
        # name style: compact words + CLDR currency display name in the unit pattern
        ((12.1e9, "USD"), {"locale": "ja", "style": "name"}, "121億米ドル"),
        ((1.89e12, "JPY"), {"locale": "ja", "style": "name"}, "1.9兆円"),
        ((2.5e9, "EUR"), {"locale": "ja", "style": "name"}, "25億ユーロ"),
        ((2.5e9, "EUR"), {"locale": "de", "style": "name"}, "2,5 Milliarden Euro"),
        ((1e9, "EUR"), {"locale": "de", "style": "name"}, "1 Milliarde Euro"),
        ((12.1e9, "USD"), {"style": "name"}, "12.1 billion US dollars"),
        ((1.89e12, "JPY"), {"style": "name"}, "1.9 trillion Japanese yen"),
        ((1.5, "USD"), {"style": "name"}, "1.5 US dollars"),
        ((-3.5e6, "USD"), {"style": "name"}, "-3.5 million US dollars"),
        ((2.5e9, "EUR"), {"locale": "fr", "style": "name"}, "2,5 milliards euros"),
        ((3e8, "EUR"), {"locale": "it", "style": "name"}, "300 milioni euro"),
        ((12.1e9, "USD"), {"locale": "zh_CN", "style": "name"}, "121亿美元"),
        ((12.1e9, "USD"), {"locale": "ko", "style": "name"}, "121억 미국 달러"),
        # the name's plural follows the amount as shown: "1,2 мільярда доларів" (many), not
        # the "долар" (one) that the unrounded 1 234 567 891 (ends in 1) would take
        ((1234567891, "USD"), {"locale": "uk", "style": "name"}, "1,2 мільярда доларів США"),
        ((1.5, "USD"), {"locale": "uk", "style": "name"}, "1,5 долара США"),
        # locale-specific symbols
        ((5e8, "CAD"), {"locale": "en_CA"}, "$500M"),
        ((5e8, "USD"), {"locale": "en_CA"}, "US$500M"),
        ((5e8, "CAD"), {"locale": "en"}, "CA$500M"),
        # digits and standard
        ((1.234e9, "USD"), {"digits": 2}, "$1.23B"),
        ((1.25e9, "USD"), {"digits": 0}, "$1B"),
        ((12.1e9, "USD"), {"style": "standard"}, "$12,100,000,000.00"),
        ((1250000, "EUR"), {"style": "standard", "locale": "de"}, "1.250.000,00 €"),
        ((1890000000000, "JPY"), {"style": "standard"}, "¥1,890,000,000,000"),
        ((1250000, "EUR"), {"style": "standard", "locale": "fr"}, "1 250 000,00 €"),
    ],
)
def test_examples(amount, kwargs, expected):
    assert format_amount(amount, **kwargs) == expected


def test_plain_number_with_currency_keyword():
    assert format_amount(12.1e9, currency="USD") == "$12.1B"
    assert format_amount(Decimal("2.5e9"), currency="EUR", locale="de") == "2,5 Mrd. €"


def test_nbsp_kept_on_request():
    assert format_amount((2.5e9, "EUR"), locale="de", nbsp=True) == "2,5\xa0Mrd.\xa0€"


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: format_amount(5.0), ParseError, "needs a currency"),
        (lambda: format_amount((5, "XYZ")), ParseError, "ISO 4217 code such as 'USD' or 'EUR'"),
        (lambda: format_amount(math.nan, currency="USD"), ParseError, "not a finite number"),
        (lambda: format_amount((5, "USD"), style="tiny"), ValueError, "style must be one of"),
        (lambda: format_amount((5, "USD"), digits=-1), ValueError, "digits must be an int"),
        (lambda: format_amount((5, "USD"), locale="xx"), ParseError, "unknown locale"),
        (
            lambda: format_amount(Amount(5, "USD"), currency="EUR"),
            ParseError,
            "contradicts the Amount's own 'USD'",
        ),
        (lambda: format_amount((1, 2, 3)), TypeError, "(number, 'CUR') pair"),
    ],
)
def test_errors(call, error, message):
    with pytest.raises(error, match=message.replace("(", r"\(").replace(")", r"\)")):
        call()


# --- round trip: parse_amount(format_amount(x)) == x within the formatting precision -------------
def _tolerance(value: Decimal, currency: str, digits: int) -> Decimal:
    """How far a compact style may round: `digits` decimals of the scaled number, and below 1000
    (no scale word) no more decimals than the currency has (a yen has none)."""
    bound = abs(value) * Decimal(5) / 10 ** (digits + 1)
    if abs(value) < 1000:
        places = min(digits, get_currency_precision(currency))
        bound = max(bound, Decimal(5) / 10 ** (places + 1))
    return bound


LOCALES = ["en", "en_CA", "en_AU", "de", "fr", "it", "ja", "uk", "es", "pl", "hu", "zh_CN", "ko"]
CURRENCIES = ["USD", "EUR", "JPY", "GBP", "CAD", "CHF", "UAH", "SEK", "AUD", "PLN"]


@given(
    mantissa=st.decimals(min_value=1, max_value=Decimal("999.99"), places=2),
    exponent=st.integers(min_value=0, max_value=13),
    locale=st.sampled_from(LOCALES),
    style=st.sampled_from(["short", "long", "standard", "name"]),
    currency=st.sampled_from(CURRENCIES),
    digits=st.integers(min_value=0, max_value=3),
)
def test_round_trip(mantissa, exponent, locale, style, currency, digits):
    value = mantissa.scaleb(exponent)
    text = format_amount(Amount(value, currency), locale=locale, style=style, digits=digits)
    back = parse_amount(text, locale=locale)
    assert back.currency == currency, text
    assert not back.approx
    if style == "standard":  # every digit, rounded to the currency's minor unit (JPY: none)
        minor = get_currency_precision(currency)
        assert abs(back.value - value) <= Decimal(5) / 10 ** (minor + 1), text
    else:  # compact: the scaled number shown with `digits` decimals, at least 1 before the point
        assert abs(back.value - value) <= _tolerance(value, currency, digits), text


@given(
    mantissa=st.decimals(min_value=1, max_value=Decimal("999.99"), places=2),
    exponent=st.integers(min_value=0, max_value=13),
    locale=st.sampled_from(["en", "de", "fr", "it", "ja"]),
    currency=st.sampled_from(CURRENCIES),
    digits=st.integers(min_value=0, max_value=2),
)
def test_name_style_round_trips(mantissa, exponent, locale, currency, digits):
    """The chart labels of CJK locales ("121億米ドル") read back with the parser."""
    value = mantissa.scaleb(exponent)
    text = format_amount(Amount(value, currency), locale=locale, style="name", digits=digits)
    back = parse_amount(text, locale=locale)
    assert back.currency == currency, text
    assert abs(back.value - value) <= _tolerance(value, currency, digits), text


@pytest.mark.parametrize("locale", ["en", "de", "fr", "it", "ja"])
@pytest.mark.parametrize(("value", "shown"), [(-3.5e6, "-3500000"), (-2.5e9, "-2.5e9"),
                                             (-1.89e12, "-1.9e12")])
def test_name_style_negative_round_trips(locale, value, shown):
    text = format_amount((value, "EUR"), locale=locale, style="name")
    assert text.startswith("-")
    assert parse_amount(text, locale=locale).value == Decimal(shown)


@pytest.mark.parametrize(("locale", "style"), [("it", "name"), ("it", "long"), ("fr", "long")])
def test_minus_one_thousand_in_words(locale, style):
    text = format_amount((-1000, "EUR"), locale=locale, style=style)
    assert text.startswith("-mille")
    assert parse_amount(text, locale=locale).value == -1000
