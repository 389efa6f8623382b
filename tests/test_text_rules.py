"""The rules of issue 9 for reading and writing amounts, tested over classes of input.

Round trip in every CLDR locale, every decimal digit system, numbers after a separator, the
vocabulary of English locales, bounds (length, magnitude, types), thread safety of the unit
registry and its FX contexts.
"""

from __future__ import annotations

import threading
import unicodedata
from decimal import ROUND_HALF_EVEN, Decimal

import numpy as np
import pandas as pd
import pytest
from babel import localedata
from babel.numbers import get_currency_precision
from hypothesis import given, settings
from hypothesis import strategies as st

import aidcalc
from aidcalc import Amount, ParseError, format_amount, parse_amount, parse_amounts
from aidcalc._money._amount import MAX_AMOUNT, AmountRangeError
from aidcalc._money._formatting import promised_error
from aidcalc._money._parsing import MAX_TEXT

ALL_LOCALES = sorted(localedata.locale_identifiers())
STYLES = ("short", "long", "standard", "name")
CURRENCIES = ("JPY", "KRW", "USD", "EUR", "GBP", "INR", "CHF", "KWD", "BHD")
VALUES = tuple(
    Decimal(v)
    for v in ("0.01", "0.456", "7.5", "999.96", "8828.53", "936646.5525956864", "12345678.9",
              "-2.5e9", "1.89e12", "-999999999999999.99", "1e15", "39103900000")
)  # fmt: skip


def _minor(value: Decimal, code: str) -> Decimal:
    places = Decimal(1).scaleb(-int(get_currency_precision(code)))
    return value.quantize(places, rounding=ROUND_HALF_EVEN)


def _check_round_trip(texts, cases, locale):
    """Every text reads back as its case's value, within what the style promises."""
    out = parse_amounts(pd.Series(texts, dtype=object), locale=locale, errors="coerce")
    for text, (value, code, style, digits), amount, cur, err in zip(
        texts, cases, out["amount"], out["currency"], out["error"], strict=True
    ):
        assert not isinstance(err, str), (locale, style, text, err)
        assert cur == code, (locale, style, text, cur)
        exact = _minor(value, code)
        back = parse_amount(text, locale=locale).value
        if style == "standard":
            assert back == exact, (locale, text)
        else:
            assert abs(back - exact) <= promised_error(exact, code, style, digits), (locale, text)
        assert amount == float(back)


def test_round_trip_in_every_cldr_locale():
    """Rule 1: whatever format_amount writes, in any locale and style, reads back.

    Every locale gets every style; the (value, currency) pairs rotate over the locales so
    the whole grid of magnitudes and currencies is covered many times. A locale whose CLDR
    pattern cannot be read back must refuse at format time (and is counted).
    """
    refused = []
    for k, locale in enumerate(ALL_LOCALES):
        texts, cases = [], []
        for s, style in enumerate(STYLES):
            value = VALUES[(k + 5 * s) % len(VALUES)]
            code = CURRENCIES[(k * 3 + s) % len(CURRENCIES)]
            try:
                texts.append(format_amount((value, code), locale=locale, style=style))
            except ParseError as err:
                assert err.reason == "unreadable format", err
                refused.append((locale, style))
                continue
            cases.append((value, code, style, 1))
        _check_round_trip(texts, cases, locale)
    assert len(refused) < 0.01 * len(ALL_LOCALES) * len(STYLES), refused


@settings(max_examples=150, deadline=None)
@given(
    locale=st.sampled_from(ALL_LOCALES),
    style=st.sampled_from(STYLES),
    code=st.sampled_from(CURRENCIES),
    mantissa=st.decimals(min_value=Decimal("0.01"), max_value=Decimal("999.999"), places=3),
    exponent=st.integers(min_value=-2, max_value=12),
    negative=st.booleans(),
    digits=st.integers(min_value=0, max_value=3),
)
def test_round_trip_property(locale, style, code, mantissa, exponent, negative, digits):
    value = mantissa.scaleb(exponent) * (-1 if negative else 1)
    try:
        text = format_amount((value, code), locale=locale, style=style, digits=digits)
    except ParseError as err:
        assert err.reason == "unreadable format"
        return
    _check_round_trip([text], [(value, code, style, digits)], locale)


@pytest.mark.parametrize(
    ("amount", "locale", "style", "expected"),
    [
        ((936646.5525956864, "EUR"), "de", "short", "936646,6 €"),
        ((936646.55, "EUR"), "de", "standard", "936.646,55 €"),
        ((8828.53, "JPY"), "ja", "short", "￥8829"),
        ((8828.53, "KRW"), "ko", "standard", "₩8,829"),
        ((8828.53, "JPY"), "ja", "standard", "￥8,829"),
        ((1.2345, "KWD"), "en", "standard", "KWD1.234"),
        ((39103900000, "CHF"), "de_CH", "standard", "CHF 39'103'900'000.00"),
        ((1e7, "INR"), "en_IN", "standard", "₹1,00,00,000.00"),
    ],
)
def test_format_rounds_to_minor_units_and_groups(amount, locale, style, expected):
    text = format_amount(amount, locale=locale, style=style)
    assert text == expected
    back = parse_amount(text, locale=locale)
    assert back.value == _minor(Decimal(str(amount[0])), amount[1]) or style != "standard"


def test_apostrophe_grouping_reads_back_in_every_swiss_locale():
    for locale in [loc for loc in ALL_LOCALES if loc.endswith("_CH") or loc.endswith("_LI")]:
        for value in (Decimal("1234567.85"), Decimal("39103900000")):
            text = format_amount((value, "CHF"), locale=locale, style="standard")
            assert parse_amount(text, locale=locale).value == value, (locale, text)
    for text in ("CHF 39'103'900'000.00", "CHF 39’103’900’000.00"):
        assert parse_amount(text, locale="de_CH").value == 39103900000


# --- rule 2: digits -----------------------------------------------------------------------------
DIGIT_ZEROS = sorted(
    {cp - int(unicodedata.decimal(chr(cp))) for cp in range(0x110000)
     if unicodedata.category(chr(cp)) == "Nd"}
)  # fmt: skip


@pytest.mark.parametrize("zero", DIGIT_ZEROS, ids=lambda z: f"U+{z:04X}")
def test_every_decimal_digit_system_is_read(zero):
    digits = "".join(chr(zero + int(d)) for d in "12345")
    assert parse_amount(f"${digits} million").value == 12345 * 10**6
    assert parse_amount(f"€{digits[:1]},{digits[1:3]} Mrd.", locale="de").value == Decimal(
        "1.23e9"
    )
    got = parse_amounts([f"USD {digits}"] * 40, errors="coerce")  # the vectorised path
    assert (got["amount"] == 12345).all()


@pytest.mark.parametrize(
    ("text", "locale", "value"),
    [
        ("١٬٢٣٤٬٥٦٧٫٥ US$", "ar", Decimal("1234567.5")),
        ("٥٫٥ مليون USD", "ar", Decimal("5500000")),
        ("۱۲٬۳۴۵ USD", "fa", Decimal("12345")),
        ("৳১২,৩৪,৫৬৭.৫০", "bn", Decimal("1234567.5")),
        ("₹१२,३४,५६७.५०", "hi", Decimal("1234567.5")),
        ("１２３万円", "ja", Decimal("1230000")),
    ],
)
def test_native_digits_and_separators(text, locale, value):
    assert parse_amount(text, locale=locale).value == value


# --- rule 3: a separator before the number is never dropped --------------------------------------
@pytest.mark.parametrize(
    ("text", "locale", "value"),
    [
        ("$.5 billion", "en", Decimal("5e8")),
        ("USD .75 million", "en", Decimal("75e4")),
        ("$ .75 million", "en", Decimal("75e4")),
        ("-$.5 million", "en", Decimal("-5e5")),
        ("$-.5 million", "en", Decimal("-5e5")),
        (",75 Mrd. €", "de", Decimal("75e7")),
        ("€ ,5 Mio.", "de", Decimal("5e5")),
        ("about $.5bn", "en", Decimal("5e8")),
        ("Rs.5 lakh", "en_IN", Decimal("5e5")),  # the dot is the abbreviation's
        ("kr.5", "da", Decimal("5")),
        ("US$.5 million", "en", Decimal("5e5")),
        ("ca.5 million dollars", "en", Decimal("5e6")),
        ("$5. million", "en", Decimal("5e6")),  # trailing: no digit lost
        ("$1,000,000.", "en", Decimal("1e6")),
    ],
)
def test_leading_separator_reads_as_a_fraction(text, locale, value):
    assert parse_amount(text, locale=locale).value == value
    assert parse_amounts([text] * 40, locale=locale)["amount"].iloc[0] == float(value)


@pytest.mark.parametrize(
    ("text", "locale", "why"),
    [
        (",75 million dollars", "en", "not the decimal separator"),
        ("$,5 billion", "en", "not the decimal separator"),
        (".75 Mrd. €", "de", "not the decimal separator"),
        ("USD.75 million", "en", "separator '.' between 'USD'"),
        ("S/.5 millones", "es_PE", "separator '.' between 'S/'"),  # the old sol symbol "S/."
        ("Fr.5", "de_CH", "separator '.' between 'Fr'"),
        ("($5 million)", "en", "parentheses"),
        ("(1.250.000 €)", "de", "parentheses"),
    ],
)
def test_separator_or_sign_that_would_be_dropped_is_refused(text, locale, why):
    with pytest.raises(ParseError, match=why.replace("(", r"\(")):
        parse_amount(text, locale=locale)
    out = parse_amounts([text] * 40, locale=locale, errors="coerce")
    assert out["amount"].isna().all() and out["error"].str.contains(why, regex=False).all()


# --- rule 4: vocabulary ---------------------------------------------------------------------------
ENGLISH = [loc for loc in ALL_LOCALES if loc.split("_")[0] == "en"]


@pytest.mark.parametrize("locale", ENGLISH)
def test_english_scale_words_in_every_english_locale(locale):
    for word, power in (("million", 6), ("billion", 9), ("lakh", 5), ("crore", 7), ("bn", 9)):
        assert parse_amount(f"USD 5 {word}", locale=locale).value == 5 * 10**power
    assert parse_amount("INR 5 crore", locale=locale).currency == "INR"
    assert parse_amount("₹5 million", locale=locale).currency == "INR"


@pytest.mark.parametrize(
    ("text", "currency", "value"),
    [
        ("₹5 million", "INR", 5e6),
        ("$236 million", "USD", 236e6),
        ("Rs 5 crore", "INR", 5e7),
        ("Rs. 5 lakh", "INR", 5e5),
        ("Rs.500", "INR", 500),
        ("INR 2 lakh crore", "INR", 2e12),
        ("₹1,00,00,000", "INR", 1e7),
    ],
)
def test_indian_english(text, currency, value):
    got = parse_amount(text, locale="en_IN")
    assert (got.currency, float(got.value)) == (currency, value)


def test_rs_is_the_locale_rupee_where_it_has_one():
    assert parse_amount("Rs 5 million", locale="en_PK").currency == "PKR"
    assert parse_amount("Rs 5 million", locale="en_MU").currency == "MUR"
    assert parse_amount("Rs 5 million", locale="en").currency == "INR"  # press usage


def test_each_locale_reads_its_own_compact_words():
    """The CLDR compact words of a locale (short currency, short and long decimal) read."""
    from babel import Locale

    for locale in ("de", "fr", "ja", "ko", "zh", "hi", "ar", "sw", "fy", "bew_ID", "ha"):
        loc = Locale.parse(locale)
        for table, style in (("compact_currency_formats", "short"),
                             ("compact_decimal_formats", "long")):  # fmt: skip
            for magnitude, pattern in dict(loc._data[table][style]["other"]).items():
                word = str(pattern.pattern).replace("\u00a4", "").replace("0", "").strip()
                if not word or pattern.pattern.count("0") != 1:
                    continue
                text = str(pattern.pattern).replace("\u00a4", "").replace("0", "7") + " USD"
                assert parse_amount(text, locale=locale).value == 7 * int(magnitude), text


# --- rule 5: bounds ----------------------------------------------------------------------------
def test_text_longer_than_the_cap_is_refused_with_the_cap_named():
    with pytest.raises(ParseError, match="cap of 1,000 characters") as info:
        parse_amount("$1" + "0" * 5000)
    assert len(str(info.value)) < 400
    ok = "$" + "1" * 10 + " " * (MAX_TEXT - 11)
    assert parse_amount(ok).value == 1111111111
    out = parse_amounts(["$5", "x" * (MAX_TEXT + 1), "$" + "0" * 20_000], errors="coerce")
    assert out["amount"].tolist()[0] == 5
    assert out["error"].iloc[1:].str.contains("cap of 1,000").all()


@pytest.mark.parametrize(
    "text", ["$" + "9" * 400, "$1,000,000,000,000 billion", "€2 Billionen Billionen", "¥2e400",
             "$10000000 trillion", "1.1 billion billion dollars"],
)
def test_overflowing_numbers_are_refused_never_inf(text):
    with pytest.raises(ParseError):
        parse_amount(text)
    out = parse_amounts([text] * 40, errors="coerce")
    assert out["amount"].isna().all()


def test_the_largest_amount_reads_and_one_beyond_does_not():
    assert parse_amount("$1,000,000,000,000,000,000").value == MAX_AMOUNT
    assert parse_amount("$1000000 trillion").value == MAX_AMOUNT
    with pytest.raises(ParseError, match="beyond the largest amount"):
        parse_amount("$1,000,000,000,000,000,001")


@pytest.mark.parametrize(
    ("value", "error"),
    [
        (1e26, AmountRangeError), (-1e19, AmountRangeError), (float("inf"), ParseError),
        (float("-inf"), ParseError), (float("nan"), ParseError), (None, TypeError),
        (True, TypeError), (np.bool_(False), TypeError), ("$12", ParseError), ([1], TypeError),
    ],
)  # fmt: skip
def test_format_amount_refuses_what_is_not_money(value, error):
    with pytest.raises(error) as info:
        format_amount(value, currency="USD")
    assert isinstance(info.value, aidcalc.AidcalcError)
    with pytest.raises(aidcalc.AidcalcError):
        format_amount((value, "USD"), style="standard")


def test_format_amount_at_the_bound():
    text = format_amount((MAX_AMOUNT, "USD"), style="standard")
    assert parse_amount(text).value == MAX_AMOUNT


def test_bools_are_refused_everywhere():
    with pytest.raises(TypeError, match="bool"):
        Amount(True, "USD")
    out = parse_amounts([True, "$5"], errors="coerce")
    assert out["error"].iloc[0] == "not text (bool)" and out["amount"].iloc[1] == 5
    with pytest.raises(ParseError):
        parse_amount(True)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("values", "why"),
    [
        (pd.DataFrame({"$5": ["$1"], "€3": ["€2"]}), "DataFrame"),
        (np.array([["$5", "$6"]]), "2-D"),
        ("$5 million", "parse_amount for a single text"),
        ({"a": "$5"}, "pd.Series"),
        (5, "got int"),
        ([["$5"]], "nested"),
    ],
)
def test_parse_amounts_takes_one_column(values, why):
    with pytest.raises(ParseError, match=why):
        parse_amounts(values)


def test_money_refuses_non_amounts():
    for bad in (None, 5, "$5", (5, "USD")):
        with pytest.raises(aidcalc.AidcalcError, match=r"takes an aidcalc\.Amount"):
            aidcalc.money(bad)


# --- rule 6 and 7: conversions, threads -----------------------------------------------------------
def test_pint_conversion_overflow_raises():
    ureg = aidcalc.get_registry()
    with aidcalc.fx_context("2024-06-07"):
        with pytest.raises(AmountRangeError, match="beyond the largest amount"):
            ureg.Quantity(1e308, "USD").to("JPY")
        with pytest.raises(AmountRangeError):
            ureg.Quantity(np.array([1.0, 1e300]), "USD").to("JPY")
        assert ureg.Quantity(1e15, "USD").to("JPY").magnitude < MAX_AMOUNT


def test_amount_beyond_the_bound_cannot_be_converted():
    with pytest.raises(aidcalc.AidcalcError):
        aidcalc.convert_amount(Amount(1e308, "USD"), "JPY", on="2024-06-07")


def test_registry_is_created_once_under_concurrent_first_use(monkeypatch):
    import aidcalc._money._units as units

    monkeypatch.setattr(units, "_registry", None)
    barrier = threading.Barrier(8)
    got: list[object] = []

    def first() -> None:
        barrier.wait()
        got.append(units.get_registry())

    threads = [threading.Thread(target=first) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(got) == 8 and len({id(r) for r in got}) == 1


def test_fx_context_is_per_thread():
    """8 threads x 100 conversions at different dates: every one at its own day's rate."""
    rates = aidcalc.get_rates()
    ureg = aidcalc.get_registry()
    days = pd.bdate_range("2024-01-02", periods=60)
    wrong: list[tuple] = []
    barrier = threading.Barrier(8)

    def work(k: int) -> None:
        barrier.wait()
        for j in range(100):
            day = days[(k * 13 + j) % len(days)]
            with aidcalc.fx_context(day):
                got = ureg.Quantity(1, "EUR").to("USD").magnitude
                yen = ureg.Quantity(1, "USD").to("JPY").magnitude
            want = rates.rate("USD", day)
            if got != pytest.approx(want, rel=1e-12) or yen != pytest.approx(
                rates.rate("JPY", day) / want, rel=1e-12
            ):
                wrong.append((k, j, day, got, want))

    threads = [threading.Thread(target=work, args=(k,)) for k in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not wrong, wrong[:5]
    with pytest.raises(Exception, match="Cannot convert"):  # nothing leaked to this thread
        ureg.Quantity(1, "EUR").to("USD")


@pytest.mark.parametrize(
    "on", ["garbage", None, True, "2024-13-45", ["2024-01-01"], 20240607, 2024.5, float("nan")]
)
def test_fx_context_checks_its_date_at_the_call(on):
    with pytest.raises(ParseError, match="fx_context needs"):
        aidcalc.fx_context(on)


def test_read_rates_refuses_an_unknown_base():
    frame = pd.DataFrame({"date": ["2024-01-02"], "currency": ["USD"], "rate": [1.1]})
    # a bad argument, not a bad file: the one error for currency-code arguments
    with pytest.raises(aidcalc.CurrencyCodeError, match="base must be an ISO 4217 code") as info:
        aidcalc.read_rates(frame, base="XYZ", source="test")
    assert "'EUR'" in str(info.value)
    assert aidcalc.read_rates(frame, base="eur", source="test").base == "EUR"


# --- issue 13: hints and case ------------------------------------------------------------------
def test_cjk_text_without_its_locale_says_which_locale_reads_it():
    with pytest.raises(ParseError, match="locale='ja'") as info:
        parse_amount("1兆9000億円")
    assert "1,900,000,000,000 JPY" in str(info.value)


@pytest.mark.parametrize("call", [
    lambda c: Amount(1, c),
    lambda c: parse_amount("5 million", default_currency=c),
    lambda c: format_amount(5, currency=c),
    lambda c: parse_amounts(["5"], default_currency=c),
])  # fmt: skip
def test_currency_arguments_take_any_case_and_suggest_on_typos(call):
    for code in ("usd", "Usd", " USD "):
        call(code)  # accepted, as upper case
    with pytest.raises(ParseError, match="did you mean 'JPY'"):
        call("YEN")


@pytest.mark.parametrize(
    "rates", [[True], pd.array([True], dtype="boolean"), pd.Series([True], dtype=object)]
)
def test_rates_that_are_bools_are_refused(rates):
    frame = pd.DataFrame({"date": ["2024-01-02"], "currency": ["USD"], "rate": rates})
    with pytest.raises(aidcalc.InputFileError, match="not True/False"):
        aidcalc.read_rates(frame, base="EUR", source="test")
    with pytest.raises(ValueError, match="not True/False"):
        aidcalc.RateTable(["2024-01-02"], ["USD"], [[True]], base="EUR", source="test")


def _press_rows():
    from aidcalc._base._datasets import read_dataset

    words = read_dataset("parse_words")
    rows = words.loc[words["language"] != "*", ["language", "kind", "phrase", "value"]]
    return [tuple(r) for r in rows.itertuples(index=False)]


@pytest.mark.parametrize(("language", "kind", "phrase", "value"), _press_rows())
def test_press_words_of_parse_words_are_read_in_their_language(language, kind, phrase, value):
    """Every word of datasets/parse_words.csv works in its language (and its regions)."""
    regions = [loc for loc in ALL_LOCALES if loc.split("_")[0] == language]
    for locale in [language, *regions[:: max(1, len(regions) // 4)]]:
        if kind == "scale":
            got = parse_amount(f"USD 5 {phrase}", locale=locale)
            assert got.value == 5 * 10 ** int(value), locale
        elif kind == "hedge":
            assert parse_amount(f"{phrase} USD 5", locale=locale).approx, locale
        elif kind == "filler":
            assert parse_amount(f"5 {phrase} USD", locale=locale).value == 5, locale
        elif kind == "word" and len(value) == 3:
            assert parse_amount(f"5 {phrase}", locale=locale).currency == value, locale
        elif kind == "symbol" and locale == language:  # a region's own symbol wins (en_PK Rs)
            assert parse_amount(f"{phrase}5", locale=locale).currency == value, locale


def test_fx_context_in_asyncio_workers_that_copy_the_callers_context():
    """asyncio.to_thread copies the caller's context: each worker still gets its own rates."""
    import asyncio

    rates = aidcalc.get_rates()
    ureg = aidcalc.get_registry()
    days = list(pd.bdate_range("2024-01-02", periods=20)) * 4

    def convert(day):
        with aidcalc.fx_context(day):
            return ureg.Quantity(1, "EUR").to("USD").magnitude

    async def main():
        with aidcalc.fx_context("2023-01-05"):
            got = await asyncio.gather(*[asyncio.to_thread(convert, d) for d in days])
            outer = ureg.Quantity(1, "EUR").to("USD").magnitude
        return got, outer

    got, outer = asyncio.run(main())
    assert got == [pytest.approx(rates.rate("USD", d), rel=1e-12) for d in days]
    assert outer == pytest.approx(rates.rate("USD", "2023-01-05"), rel=1e-12)
