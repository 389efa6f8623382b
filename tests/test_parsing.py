"""parse_amount / parse_amounts: the issue's examples per locale, errors, invariants, real data.

Expected values are written out by hand from the text (no value is computed by the code under
test); the reference test compares against the amounts a person transcribed in
``../shared/reference/pledges/g7_ukraine_pledges.csv``.
"""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pandas as pd
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

import aidcalc
from aidcalc import Amount, ParseError, parse_amount, parse_amounts
from aidcalc._money._parsing import _engine

# --- the examples, per locale ---------------------------------------------------------
EXAMPLES = [
    # text, locale, value, currency, approx
    ("$12.1 billion", "en", "12100000000", "USD", False),
    ("US$4.5 billion", "en", "4500000000", "USD", False),
    ("C$500 million", "en", "500000000", "CAD", False),
    ("CAD 115 million", "en", "115000000", "CAD", False),
    ("EUR 1.5 million", "en", "1500000", "EUR", False),
    ("1.250.000 €", "de", "1250000", "EUR", False),
    ("£2.5bn", "en", "2500000000", "GBP", False),
    ("₴1.2 billion", "en", "1200000000", "UAH", False),
    ("1.5 million euros", "en", "1500000", "EUR", False),
    ("12.5 million Canadian dollars", "en", "12500000", "CAD", False),
    ("5 Milliarden Euro", "de", "5000000000", "EUR", False),
    ("200 millions d'euros", "fr", "200000000", "EUR", False),
    ("200 millions d’euros", "fr", "200000000", "EUR", False),  # typographic apostrophe
    ("300 milioni di euro", "it", "300000000", "EUR", False),
    ("121億ドル", "ja", "12100000000", "USD", False),
    ("4 billion yen", "en", "4000000000", "JPY", False),
    ("¥1.9 trillion", "en", "1900000000000", "JPY", False),
    ("$5.5bn", "en", "5500000000", "USD", False),
    ("£20m", "en", "20000000", "GBP", False),
    ("€250k", "en", "250000", "EUR", False),
    ("2,5 Mio. €", "de", "2500000", "EUR", False),
    ("2,5 Mrd. €", "de", "2500000000", "EUR", False),
    ("1,5 Billionen Euro", "de", "1500000000000", "EUR", False),  # German Billion = 10^12
    ("2 billions d'euros", "fr", "2000000000000", "EUR", False),  # French billion = 10^12
    ("3 milliards de dollars", "fr", "3000000000", "USD", False),
    ("1 milliard d'euros", "fr", "1000000000", "EUR", False),
    ("2,5 Md €", "fr", "2500000000", "EUR", False),
    ("1,2 miliardi di euro", "it", "1200000000", "EUR", False),
    ("1兆9000億円", "ja", "1900000000000", "JPY", False),
    ("5000万円", "ja", "50000000", "JPY", False),
    ("１２１億ドル", "ja", "12100000000", "USD", False),  # full-width digits (NFKC)
    ("￥1.9兆", "ja", "1900000000000", "JPY", False),  # full-width yen sign
    ("1\u202f250\u202f000 €", "fr", "1250000", "EUR", False),  # narrow no-break space grouping
    ("1\u00a0250\u00a0000 €", "fr", "1250000", "EUR", False),
    ("1,9 Mrd. €", "de", "1900000000", "EUR", False),
    ("1,9 miliardi di dollari", "it", "1900000000", "USD", False),
    ("1.250 EUR", "de", "1250", "EUR", False),  # de: '.' groups thousands (en: see AMBIGUOUS)
    ("1,250 EUR", "en", "1250", "EUR", False),  # en: ',' groups thousands
    ("1.25 EUR", "en", "1.25", "EUR", False),  # as many decimals as the euro has: fine
    ("€1,50", "de", "1.5", "EUR", False),
    ("12 500,75 €", "fr", "12500.75", "EUR", False),
    ("KWD 1.250", "en", "1.25", "KWD", False),  # the Kuwaiti dinar has 3 decimals (fils)
    ("¥1,250", "en", "1250", "JPY", False),
    ("1.5万円", "ja", "15000", "JPY", False),  # a scale word: 1.5 x 10^4 yen
    ("$12.125 billion", "en", "12125000000", "USD", False),  # 3 decimals before a scale word
    ("12,8 milliárd font", "hu", "12800000000", "GBP", False),
    ("[CAD] $20 million", "en", "20000000", "CAD", False),  # explicit code settles '$'
    ("$7.5 million Canadian dollars", "en", "7500000", "CAD", False),
    ("1.8 billion Swedish kronor", "en", "1800000000", "SEK", False),
    ("130 million US dollars", "en", "130000000", "USD", False),
    ("45 million USD", "en", "45000000", "USD", False),
    ("-$3.5M", "en", "-3500000", "USD", False),
    # hedges set approx
    ("about $5 billion", "en", "5000000000", "USD", True),
    ("more than $60 million", "en", "60000000", "USD", True),
    ("nearly $1 billion", "en", "1000000000", "USD", True),
    ("at least 2 billion euros", "en", "2000000000", "EUR", True),
    ("up to £100m", "en", "100000000", "GBP", True),
    ("rund 37 Millionen Euro", "de", "37000000", "EUR", True),
    ("mehr als 5 Mrd. €", "de", "5000000000", "EUR", True),
    ("knapp 2 Milliarden Euro", "de", "2000000000", "EUR", True),
    ("plus de 64 millions d’euros", "fr", "64000000", "EUR", True),
    ("environ 3 milliards d'euros", "fr", "3000000000", "EUR", True),
    ("oltre 300 milioni di euro", "it", "300000000", "EUR", True),
    ("circa 1,5 miliardi di euro", "it", "1500000000", "EUR", True),
    ("約1兆9000億円", "ja", "1900000000000", "JPY", True),
    ("100億円以上", "ja", "10000000000", "JPY", True),
    ("1兆円超", "ja", "1000000000000", "JPY", True),
    # more locales
    ("1,5 mil millones de dólares", "es", "1500000000", "USD", False),
    ("casi 200 millones de euros", "es", "200000000", "EUR", True),
    ("2,5 mld zł", "pl", "2500000000", "PLN", False),
    ("ponad 100 mln euro", "pl", "100000000", "EUR", True),
    ("1,2 млрд грн", "uk", "1200000000", "UAH", False),
    ("понад 500 млн доларів", "uk", "500000000", "USD", True),
]


@pytest.mark.parametrize(("text", "locale", "value", "currency", "approx"), EXAMPLES)
def test_examples(text, locale, value, currency, approx):
    got = parse_amount(text, locale=locale)
    assert got == Amount(Decimal(value), currency, approx=approx)
    assert (got.value, got.currency, got.approx, got.text) == (
        Decimal(value),
        currency,
        approx,
        text,
    )


@pytest.mark.parametrize(("text", "locale", "value", "currency", "approx"), EXAMPLES)
def test_examples_vectorised_agree(text, locale, value, currency, approx):
    out = parse_amounts(pd.Series([text], index=["x"]), locale=locale)
    assert out.loc["x", "amount"] == float(Decimal(value))
    assert out.loc["x", "currency"] == currency
    assert out.loc["x", "approx"] == approx


@pytest.mark.parametrize(
    ("text", "locale", "currency"),
    [
        ("$500 million", "en", "USD"),
        ("$500 million", "en_US", "USD"),
        ("$500 million", "en_CA", "CAD"),
        ("$500 million", "en_AU", "AUD"),
        ("US$500 million", "en_CA", "USD"),
        ("¥5 billion", "en", "JPY"),
        ("¥50亿", "zh_CN", "CNY"),
        ("￥50億", "ja", "JPY"),
        ("500 millions de dollars", "fr", "USD"),  # no '$' in fr: the en convention
        ("500 millions de dollars", "fr_CA", "CAD"),
        ("500 million dollars", "en_CA", "CAD"),
        ("£5 Mio.", "de", "GBP"),
    ],
)
def test_ambiguous_symbols_follow_the_locale(text, locale, currency):
    assert parse_amount(text, locale=locale).currency == currency


def test_default_currency_settles_what_the_text_does_not_say():
    assert parse_amount("10 milioni", locale="it", default_currency="EUR") == Amount(
        10_000_000, "EUR", text="10 milioni"
    )
    assert parse_amount("kr 5 million", default_currency="SEK").currency == "SEK"
    assert parse_amount("kr 5 million", default_currency="NOK").currency == "NOK"
    # a currency in the text beats the default
    assert parse_amount("€5 million", default_currency="USD").currency == "EUR"
    # where the locale settles '$', the default does not override it
    assert parse_amount("$5 million", locale="en", default_currency="CAD").currency == "USD"


def test_negative_and_compound_forms():
    assert parse_amount("1 billion 500 million dollars").value == Decimal("1500000000")
    assert parse_amount("1万5000円", locale="ja").value == Decimal("15000")
    assert parse_amount("−€2 million").value == Decimal("-2000000")  # U+2212 minus sign


# CLDR's stand-alone number word (fr/it "mille" = 1000) takes a minus sign directly before it, as
# format_amount writes -1000 in those locales ("-mille €"); nowhere else does "-" make a number.
SIGNED_WORDS = [
    ("-mille euro", "it", "-1000", False),
    ("-mille €", "it", "-1000", False),
    ("\u2212mille €", "fr", "-1000", False),  # U+2212 minus sign
    ("- mille euros", "fr", "-1000", False),
    ("environ -mille €", "fr", "-1000", True),
    ("mille €", "fr", "1000", False),
]


@pytest.mark.parametrize(("text", "locale", "value", "approx"), SIGNED_WORDS)
def test_minus_sign_before_a_number_word(text, locale, value, approx):
    a = parse_amount(text, locale=locale)
    assert (a.value, a.currency, a.approx) == (Decimal(value), "EUR", approx)
    many = pd.Series([text] * 40)  # the vectorised path (one distinct text)
    out = parse_amounts(many, locale=locale)
    assert out["amount"].tolist() == [float(value)] * 40
    for backend in ("arrow", "python"):
        if backend == "arrow":
            pytest.importorskip("pyarrow")
        got = _engine(np.array([text], dtype=object), locale, None, backend=backend)
        assert got["error"][0] is None and got["amount"][0] == float(value), backend


SIGN_NOT_BEFORE_A_NUMBER = [
    ("-foo €", "fr"),
    ("-euro", "it"),
    ("-€ mille", "fr"),  # the sign is not directly before the word
    ("mille -€", "fr"),
    ("--mille €", "fr"),
    ("- - mille €", "it"),
    ("-millesimo €", "it"),  # not the word "mille"
    ("-mille €", "en"),  # no stand-alone number word in English
    ("-a thousand euros", "en"),
]


@pytest.mark.parametrize(("text", "locale"), SIGN_NOT_BEFORE_A_NUMBER)
def test_minus_sign_before_other_words_is_no_number(text, locale):
    with pytest.raises(ParseError, match="no number") as info:
        parse_amount(text, locale=locale)
    assert info.value.reason == "no number"
    for backend in ("arrow", "python"):
        if backend == "arrow":
            pytest.importorskip("pyarrow")
        got = _engine(np.array([text, "1 €"], dtype=object), locale, None, backend=backend)
        assert got["error"].tolist() == ["no number", None], backend


# --- errors: always ParseError (a ValueError), quoting the text and saying what is missing --------
ERRORS = [
    ("", "en", None, "empty text"),
    ("   ", "en", None, "empty text"),
    ("about a billion dollars", "en", None, "no number"),
    ("deux milliards de dollars", "fr", None, "no number"),
    ("12.1 billion", "en", None, "no currency"),
    ("XYZ 5 million", "en", None, "unknown currency code 'XYZ'"),
    ("5 gazillion euros", "en", None, "unknown scale word or currency name 'gazillion'"),
    ("1,2,3.4.5 USD", "en", None, "malformed number '1,2,3.4.5'"),
    ("1,9 billion euros", "en", None, "malformed number '1,9' for locale en"),
    ("1.9 Milliarden Euro", "de", None, "malformed number '1.9' for locale de"),
    ("kr 5 million", "en", None, "'kr' is a currency symbol in other locales"),
    ("€5 million dollars", "en", None, "conflicting currencies"),
    ("CAD 5 million EUR", "en", None, "conflicting currencies"),
    ("5 million 3 euros", "en", None, "more than one number"),
    ("$5 million in aid", "en", None, "unrecognised word 'in aid'"),
    ("5 billion Mrd. euros", "en", None, "unrecognised word"),
    ("5 Milliarden Mio. Euro", "de", None, "two scale words"),
    ("million $5", "en", None, "scale word 'million' before the number"),
    ("¥5 billion", "zh_CN", None, "unknown scale word or currency name 'billion'"),
]


@pytest.mark.parametrize(("text", "locale", "default", "message"), ERRORS)
def test_errors(text, locale, default, message):
    with pytest.raises(ParseError) as info:
        parse_amount(text, locale=locale, default_currency=default)
    err = info.value
    assert isinstance(err, ValueError) and isinstance(err, aidcalc.AidcalcError)
    assert message in str(err)
    assert repr(text) in str(err)  # the message quotes the text
    assert err.text == text and message.split(" '")[0] in err.reason


# --- more decimals than the currency has, and no scale word: a separator in the wrong locale ------
# "$1.250" is 1.25 dollars by English rules but most likely 1,250 (a German-style thousands
# separator): a 1000x error if the locale is wrong, so it is refused, never guessed.
AMBIGUOUS = [
    # text, locale, the number, how the locale reads it, the number without separator
    ("$1.250", "en", "1.250", "1.25 USD", "1250"),
    ("12.345 EUR", "en", "12.345", "12.345 EUR", "12345"),
    ("1.250 EUR", "en", "1.250", "1.25 EUR", "1250"),
    ("€1,500", "de", "1,500", "1.5 EUR", "1500"),
    ("12,500 euros", "fr", "12,500", "12.5 EUR", "12500"),
    ("rund 3,000 Euro", "de", "3,000", "3 EUR", "3000"),
    ("-$2.500", "en", "2.500", "2.5 USD", "2500"),
    ("CHF 1.250", "de_CH", "1.250", "1.25 CHF", "1250"),
]


@pytest.mark.parametrize(("text", "locale", "num", "reading", "whole"), AMBIGUOUS)
def test_ambiguous_separator(text, locale, num, reading, whole):
    with pytest.raises(ParseError) as info:
        parse_amount(text, locale=locale)
    err = info.value
    message = str(err)
    assert err.text == text and err.reason.startswith("ambiguous separator")
    assert repr(text) in message  # quotes the text
    assert f"{num!r} reads as {reading} in locale {locale}" in message  # how the locale reads it
    assert f"without the separator ({whole})" in message  # fix 1
    assert "pass the locale the text is written in" in message  # fix 2
    assert "add the scale word" in message  # fix 3
    out = parse_amounts(pd.Series([text, "$5"], index=["a", "b"]), locale=locale, errors="coerce")
    assert out.loc["a", "error"] == err.reason and np.isnan(out.loc["a", "amount"])
    assert pd.isna(out.loc["a", "currency"]) and out.loc["b", "amount"] == 5.0


@pytest.mark.parametrize(
    ("text", "locale", "default", "message"),
    [
        # JPY has no minor unit: 1.5 yen does not exist (a dropped 億 or 万?)
        ("￥1.5", "ja", None, "'1.5' reads as 1.5 JPY in locale ja"),
        ("1.5 yen", "en", None, "JPY has no decimal places: no such amount"),
        ("1万5000.5円", "ja", None, "'5000.5' reads as 5000.5 JPY"),  # compound, last part
        ("$1.2345", "en", None, "USD has 2 decimal places: no such amount"),
        ("12.345", "en", "EUR", "'12.345' reads as 12.345 EUR"),  # the default's precision too
    ],
)
def test_more_decimals_than_the_currency_has(text, locale, default, message):
    with pytest.raises(ParseError, match="ambiguous separator") as info:
        parse_amount(text, locale=locale, default_currency=default)
    assert message in str(info.value) and "add the scale word" in str(info.value)


MINOR_UNITS = {"USD": 2, "EUR": 2, "GBP": 2, "JPY": 0, "KWD": 3}  # ISO 4217 minor units
SEPARATORS = {"en": (".", ","), "de": (",", "."), "fr": (",", " ")}  # decimal, grouping
SCALES = {"en": " million", "de": " Mio.", "fr": " millions"}


@given(
    whole=st.integers(min_value=0, max_value=10**7),
    fraction=st.text("0123456789", max_size=4),
    currency=st.sampled_from(sorted(MINOR_UNITS)),
    locale=st.sampled_from(sorted(SEPARATORS)),
    scaled=st.booleans(),
)
def test_refused_exactly_when_finer_than_the_currency(whole, fraction, currency, locale, scaled):
    """Refused iff more decimals than the currency's minor unit and no scale word."""
    decimal, group = SEPARATORS[locale]
    digits = f"{whole:,}".replace(",", group)
    num = digits + (decimal + fraction if fraction else "")
    text = f"{currency} {num}" + (SCALES[locale] if scaled else "")
    refused = len(fraction) > MINOR_UNITS[currency] and not scaled
    out = parse_amounts([text], locale=locale, errors="coerce")
    try:
        got = parse_amount(text, locale=locale)
    except ParseError as err:
        assert refused, (text, err.reason)
        assert err.reason.startswith("ambiguous separator") and repr(num) in err.reason
        assert out["error"].iloc[0] == err.reason
    else:
        assert not refused, text
        expected = Decimal(f"{whole}.{fraction or 0}").scaleb(6 if scaled else 0)
        assert got == Amount(expected, currency) and out["amount"].iloc[0] == float(expected)


def test_ambiguous_separator_backends_agree():
    pytest.importorskip("pyarrow")
    texts = [t for t, *_ in AMBIGUOUS] + ["$1.25", "1.250.000 €", "1,9 Mrd. €", "¥1.5", "$7.125bn"]
    for locale in ("en", "de", "fr"):
        uniques = np.array(texts, dtype=object)
        a = _engine(uniques, locale, None, backend="arrow")
        b = _engine(uniques, locale, None, backend="python")
        assert a["error"].tolist() == b["error"].tolist()
        np.testing.assert_array_equal(a["amount"], b["amount"])
        assert sum(str(e).startswith("ambiguous separator") for e in a["error"]) >= 2, locale


@pytest.mark.parametrize(
    ("text", "fixed", "code"),
    [
        ("usd 5 million", "USD 5 million", "USD"),
        ("5 million eur", "5 million EUR", "EUR"),
        ("5 usd", "5 USD", "USD"),
        ("Jpy 3 billion", "JPY 3 billion", "JPY"),
    ],
)
def test_lower_case_iso_code_is_an_error_with_a_hint(text, fixed, code):
    with pytest.raises(ParseError, match=f"write '{code}' if you mean it"):
        parse_amount(text)
    assert parse_amount(fixed).currency == code


def test_error_messages_say_how_to_fix():
    with pytest.raises(ParseError, match="pass default_currency"):
        parse_amount("12.1 billion")
    with pytest.raises(ParseError, match="check the locale"):
        parse_amount("1,9 billion euros")
    with pytest.raises(ParseError, match=r"scale words in locale en: .*billion"):
        parse_amount("5 gazillion euros")


def test_bad_arguments():
    with pytest.raises(ParseError, match="unknown locale 'xx'"):
        parse_amount("$5", locale="xx")
    with pytest.raises(ParseError, match="default_currency must be an ISO 4217 code"):
        parse_amount("5 million", default_currency="euro")
    with pytest.raises(ParseError, match="needs a str"):
        parse_amount(5_000_000)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="errors must be"):
        parse_amounts(["$5"], errors="ignore")  # type: ignore[arg-type]


# --- parse_amounts: the frame contract ---------------------------------------------------------
def test_parse_amounts_keeps_index_order_and_input():
    texts = pd.Series(
        ["$12.1 billion", "€5m", "$12.1 billion", "¥1.9 trillion"], index=[7, 3, "a", 3]
    )
    before = texts.copy()
    out = parse_amounts(texts)
    assert out.index.equals(texts.index)
    assert list(out.columns) == ["amount", "currency", "approx", "error"]
    assert out["amount"].dtype == np.float64 and out["approx"].dtype == bool
    assert out["amount"].tolist() == [12.1e9, 5e6, 12.1e9, 1.9e12]
    assert out["currency"].tolist() == ["USD", "EUR", "USD", "JPY"]
    assert out["error"].isna().all()
    pd.testing.assert_series_equal(texts, before)


def test_parse_amounts_raise_names_rows_and_texts():
    texts = pd.Series(["$5", "", "5 million", "oops", "€1"], index=list("abcde"))
    with pytest.raises(ParseError) as info:
        parse_amounts(texts)
    msg = str(info.value)
    assert "3 rows (index b, c, d)" in msg
    assert "index c: '5 million' (no currency" in msg and "index d: 'oops' (no number)" in msg
    assert "errors='coerce'" in msg
    assert info.value.rows == ["b", "c", "d"]
    assert info.value.text == ["", "5 million", "oops"]


def test_parse_amounts_coerce():
    texts = pd.Series(["$5", None, "5 million", 42, "rund 5 Mrd. €"])
    out = parse_amounts(texts, errors="coerce")
    assert out["amount"].iloc[0] == 5.0 and out["currency"].iloc[0] == "USD"
    assert out["amount"].iloc[1:].isna().all()
    assert out["currency"].iloc[1:].isna().all()
    assert not out["approx"].iloc[1:].any()
    assert out["error"].tolist()[1:] == [
        "missing value",
        "no currency (no symbol, ISO code or currency name): pass default_currency=...",
        "not text (int)",
        "unrecognised word 'rund' before the number",
    ]
    assert pd.isna(out["error"].iloc[0])


def test_parse_amounts_per_row_locale_and_default():
    texts = pd.Series(["1,5 Mrd. €", "1,5 billion", "1.5 billion", "10 milioni"])
    locales = pd.Series(["de", "fr", "en", "it"])
    defaults = pd.Series([None, "EUR", "USD", "EUR"])
    out = parse_amounts(texts, locale=locales, default_currency=defaults)
    assert out["amount"].tolist() == [1.5e9, 1.5e12, 1.5e9, 1e7]
    assert out["currency"].tolist() == ["EUR", "EUR", "USD", "EUR"]


def test_parse_amounts_misaligned_locale():
    with pytest.raises(ParseError, match="same index as the texts"):
        parse_amounts(pd.Series(["$5"], index=[1]), locale=pd.Series(["en"], index=[2]))


def test_parse_amounts_empty_and_plain_iterables():
    out = parse_amounts(pd.Series([], dtype=object))
    assert len(out) == 0 and list(out.columns) == ["amount", "currency", "approx", "error"]
    assert parse_amounts(("$1", "€2"))["amount"].tolist() == [1.0, 2.0]


# --- properties ----------------------------------------------------------------------------------
WORDS = st.sampled_from(
    ["", "$", "€", "US$", "about ", "more than ", "EUR ", "XYZ ", "~", "-", "C$", "kr "]
)
SUFFIX = st.sampled_from(
    ["", " million", "bn", " billion euros", " Mio. €", " yen", "m", " k", " gazillion", "億円"]
)
NUMBER = st.one_of(
    st.decimals(min_value=0, max_value=10**6, places=2, allow_nan=False).map(str),
    st.from_regex(r"[0-9]{1,4}([.,' ][0-9]{1,3}){0,3}", fullmatch=True),
)
TEXTS = st.builds(lambda a, n, b: a + n + b, WORDS, NUMBER, SUFFIX) | st.text(max_size=12)


@given(st.lists(TEXTS, max_size=30), st.sampled_from(["en", "de", "fr", "ja"]))
def test_vectorised_equals_scalar(texts, locale):
    """parse_amounts row i is parse_amount(text i), including the failure reason."""
    out = parse_amounts(texts, locale=locale, errors="coerce")
    assert len(out) == len(texts) and out.index.equals(pd.RangeIndex(len(texts)))
    for i, text in enumerate(texts):
        try:
            one = parse_amount(text, locale=locale)
        except ParseError as err:
            assert out["error"].iloc[i] == err.reason
            assert np.isnan(out["amount"].iloc[i]) and pd.isna(out["currency"].iloc[i])
        else:
            assert pd.isna(out["error"].iloc[i])
            assert out["amount"].iloc[i] == float(one.value)
            assert (out["currency"].iloc[i], out["approx"].iloc[i]) == (one.currency, one.approx)


@given(st.lists(TEXTS, min_size=1, max_size=80), st.sampled_from(["en", "de", "fr", "ja"]))
# "`" is the one ASCII apostrophe: the pyarrow steps skipped it in otherwise-ASCII texts
@example(["0.00", "0`"], "en")
@example(["CHF 1`000", "$1`000 million"], "de")
def test_backends_agree(texts, locale):
    """The pyarrow and the pure-Python string steps give identical results."""
    pytest.importorskip("pyarrow")
    uniques = np.array(list(dict.fromkeys(texts)), dtype=object)
    a = _engine(uniques, locale, None, backend="arrow")
    b = _engine(uniques, locale, None, backend="python")
    for key in ("currency", "approx", "error", "power", "negative"):
        assert a[key].tolist() == b[key].tolist(), key
    np.testing.assert_array_equal(a["amount"], b["amount"])


WORD_TEXTS = st.builds(
    lambda a, b, c: a + b + "mille" + c,
    st.sampled_from(["", "€", "circa ", "environ ", "€ ", "x ", "-"]),
    st.sampled_from(["", "-", "\u2212", "- ", "--", "+"]),
    st.sampled_from(["", " €", " euro", " euros", " EUR", " -€", "s €", " mille €", " 5 €"]),
)


@given(st.lists(WORD_TEXTS, min_size=1, max_size=40), st.sampled_from(["fr", "it"]))
def test_number_words_scalar_vectorised_and_backends_agree(texts, locale):
    """Signed and unsigned "mille": the same reading per text on every code path."""
    out = parse_amounts(texts, locale=locale, errors="coerce")
    for i, text in enumerate(texts):
        try:
            one = parse_amount(text, locale=locale)
        except ParseError as err:
            assert out["error"].iloc[i] == err.reason
        else:
            assert pd.isna(out["error"].iloc[i]) and out["amount"].iloc[i] == float(one.value)
            assert abs(one.value) == 1000 and one.currency == "EUR"
            assert (one.value < 0) == ("-" in text or "\u2212" in text)  # a sign, only one
    if _arrow_available():
        uniques = np.array(list(dict.fromkeys(texts)), dtype=object)
        a = _engine(uniques, locale, None, backend="arrow")
        b = _engine(uniques, locale, None, backend="python")
        assert a["error"].tolist() == b["error"].tolist()
        np.testing.assert_array_equal(a["amount"], b["amount"])


def _arrow_available() -> bool:
    try:
        import pyarrow  # noqa: F401
    except ImportError:  # pragma: no cover
        return False
    return True


@given(
    st.lists(st.sampled_from(["$1", "€2.5m", "bad", "", "¥3 billion"]), max_size=40),
    st.lists(st.integers(), max_size=40, unique=True),
)
def test_rows_index_preserved(texts, labels):
    index = pd.Index(labels[: len(texts)] + list(range(10**6, 10**6 + len(texts) - len(labels))))
    series = pd.Series(texts, index=index[: len(texts)], dtype=object)
    out = parse_amounts(series, errors="coerce")
    assert out.index.equals(series.index)
    assert (out["error"].isna() == out["amount"].notna()).all()


# --- the data behind the parser ----------------------------------------------------------------
def test_symbol_table_matches_installed_cldr():
    """datasets/currency_symbols.csv is what build_symbol_table() makes from babel now."""
    from aidcalc._base._datasets import read_dataset
    from aidcalc._money._parsing import build_symbol_table

    shipped = read_dataset("currency_symbols")
    fresh = build_symbol_table()
    pd.testing.assert_frame_equal(shipped, fresh, check_dtype=False)


def test_parse_words_table_is_tidy():
    from aidcalc._base._datasets import read_dataset

    words = read_dataset("parse_words")
    assert set(words["kind"]) == {"hedge", "scale", "word", "filler", "symbol"}
    assert not words.duplicated(["language", "phrase"]).any()
    scales = words[words["kind"] == "scale"]
    assert scales["value"].str.fullmatch(r"\d+").all()


# --- real data: the G7 pledges file ------------------------------------------------------------
# Rule for the row's locale (documented here, not guessed by the parser): the language of the
# donor label (first word, e.g. "Giappone (Japan)" is Italian, "le département..." French),
# English otherwise; Canadian donors get the CA region. The default currency is the donor's own
# (it only matters for "10 milioni", which names none).
LANGUAGE_OF_FIRST_WORD = {
    "Giappone": "it",
    "Italia": "it",
    "le": "fr",
    "la": "fr",
    "La": "fr",
    "Le": "fr",
    "Deutschland": "de",
    "Das": "de",
    "Nagy-Britannia": "hu",
}
DONOR_CURRENCY = {
    "JPN": "JPY",
    "USA": "USD",
    "GBR": "GBP",
    "DEU": "EUR",
    "FRA": "EUR",
    "ITA": "EUR",
    "CAN": "CAD",
    "EUU": "EUR",
}
# Known-hard rows, each with the reason; everything else must match exactly.
KNOWN_HARD = {
    57: "'deux milliards de dollars': the number is a word (deux); numbers in words unsupported",
    66: "'$11.04 million' from a Canadian source means US$ (the file says USD); en_CA reads CAD",
    70: "'$5.6 million' from a Canadian source means US$ (the file says USD); en_CA reads CAD",
}


@pytest.mark.reference
def test_reference_pledges(reference):
    frame = pd.read_csv(reference / "pledges" / "g7_ukraine_pledges.csv")
    assert len(frame) == 88
    language = frame["donor"].str.split().str[0].map(LANGUAGE_OF_FIRST_WORD).fillna("en")
    locale = language.where(frame["donor_iso3"] != "CAN", language + "_CA")
    default = frame["donor_iso3"].map(DONOR_CURRENCY)
    out = parse_amounts(
        frame["amount_text"], locale=locale, default_currency=default, errors="coerce"
    )
    exact = (out["amount"] == frame["amount"].astype(float)) & (
        out["currency"] == frame["currency"]
    )
    failing = sorted(frame.index[~exact.to_numpy()])
    assert failing == sorted(KNOWN_HARD), frame.loc[failing, ["amount_text"]].join(out)
    assert exact.sum() == 85  # of 88
    # the hedged rows are flagged approximate, the others not
    hedged = {2, 18, 19, 35, 45, 50, 54, 74, 83, 84, 87}
    assert set(frame.index[out["approx"].to_numpy()]) == hedged


def test_string_dtype_input_and_blocks(monkeypatch):
    """pandas' str dtype (pyarrow-backed) input, cut into several blocks run in threads."""
    pytest.importorskip("pyarrow")
    import aidcalc._money._parsing as parsing

    monkeypatch.setattr(parsing, "_BLOCK", 7)
    texts = [f"${i}.5 million" for i in range(40)] + ["€1,5 Mrd.", "", "about £3bn"] * 3
    series = pd.Series(texts, dtype="string[pyarrow]")
    out = parse_amounts(series, errors="coerce")
    expected = [(i + 0.5) * 1e6 for i in range(40)] + [np.nan, np.nan, 3e9] * 3
    np.testing.assert_array_equal(out["amount"].to_numpy(), expected)
    assert out["error"].iloc[40] == "malformed number '1,5' for locale en (decimal separator " + (
        "'.', grouping ','): check the locale"
    )
    assert out["error"].iloc[41] == "empty text"
    assert out["approx"].tolist() == [False] * 40 + [False, False, True] * 3


# --- the Amount value type ---------------------------------------------------------------------
def test_amount_value_type():
    assert Amount(0.1, "EUR").value == Decimal("0.1")  # floats via their shortest repr
    assert Amount(12.1e9, "USD").value == Decimal("12100000000")
    assert Amount(np.int64(5), "USD").value == Decimal(5)
    assert Amount("1.250", "EUR").value == Decimal("1.25")
    assert hash(Amount(5, "USD", text="$5")) == hash(Amount("5.0", "USD"))
    with pytest.raises(ParseError, match="must be an ISO 4217 code"):
        Amount(5, "US")
    with pytest.raises(ParseError, match="must be finite"):
        Amount(float("nan"), "USD")
    with pytest.raises(ParseError, match=r"use aidcalc.parse_amount\(\)"):
        Amount("$5", "USD")
    with pytest.raises(TypeError, match="bool"):
        Amount(True, "USD")
    with pytest.raises(AttributeError):
        Amount(5, "USD").value = Decimal(6)  # type: ignore[misc]


def test_upper_case_letters_inside_a_currency_name_are_not_a_code():
    # Hungarian names the dollar "USA-dollár": "USA" is part of the name, not an ISO code
    got = aidcalc.parse_amount("1 USA-dollár", locale="hu")
    assert (got.currency, got.value) == ("USD", 1)
    with pytest.raises(aidcalc.ParseError, match="unknown currency code 'XYZ'"):
        aidcalc.parse_amount("1 XYZ", locale="hu")


@pytest.mark.parametrize("text", ["\U0001ccf0", "$\U0001ccf0 million", "\U0001ccf5 EUR", "0.00"])
@pytest.mark.parametrize("backend", ["arrow", "python"])
def test_characters_newer_than_python_unicode_read_alike(text, backend):
    """pyarrow's newer Unicode maps U+1CCF0 (OUTLINED DIGIT ZERO, Unicode 16) to "0"; Python
    3.11's database does not know it: both backends read such a text as Python does."""
    import unicodedata

    if unicodedata.category("\U0001ccf0") != "Cn":
        pytest.skip("this Python's Unicode database knows U+1CCF0")
    texts = np.array([text, "0.00", "$5"], dtype=object)
    got = _engine(texts, "en", None, backend=backend)
    want = _engine(texts, "en", None, backend="python")
    assert list(got["error"]) == list(want["error"])
    assert np.array_equal(got["amount"], want["amount"], equal_nan=True)
