"""parse_amount in the languages of the donors and of the press that covers aid to Ukraine.

The rules: what babel (CLDR) writes, aidcalc reads back (amount, currency); the bare currency
word the press writes ("долларов", "달러", "dólares"), which is the word the CLDR names of a
currency family share, reads as the locale's member of that family and never as a currency
outside it; long-scale "billion" words are 10^12; what cannot be read says why and how to fix
it. Expected values are written by hand or by babel, never by the code under test.
"""

from __future__ import annotations

import re
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest
from babel import Locale, localedata
from babel.numbers import (
    format_compact_currency,
    format_compact_decimal,
    format_currency,
    get_currency_name,
    get_currency_precision,
)
from hypothesis import given
from hypothesis import strategies as st

from aidcalc import ParseError, parse_amount, parse_amounts
from aidcalc._money._parsing import PRESS_LANGUAGES, _engine

#: the DAC members, the main non-DAC donors and the Ukraine-region press (the brief's list)
LANGUAGES = (
    "en", "fr", "de", "it", "ja", "es", "pt", "nl", "sv", "da", "nb", "fi", "pl", "cs", "sk",
    "hu", "ro", "bg", "el", "ko", "zh", "tr", "uk", "ru", "ar", "lt", "lv", "et", "sl", "hr",
    "is", "ga",
)  # fmt: skip
#: donor currencies, and those of the region
CURRENCIES = (
    "USD", "EUR", "GBP", "JPY", "CAD", "CHF", "AUD", "NZD", "NOK", "SEK", "DKK", "ISK", "PLN",
    "CZK", "HUF", "RON", "KRW", "CNY", "TRY", "UAH",
)  # fmt: skip


def test_every_language_is_in_babel_and_in_the_hint_list():
    assert [lang for lang in LANGUAGES if not localedata.exists(lang)] == []
    assert set(LANGUAGES) <= set(PRESS_LANGUAGES)


def _close(got: Decimal, want: float, rel: float) -> bool:
    return abs(float(got) - want) <= rel * abs(want) + 1e-9


# --- rule 1: whatever babel writes, aidcalc reads -------------------------------------------
def _babel_texts(loc: str, code: str, small: float, mantissa: float, power: int) -> list[
    tuple[str, float, float]
]:
    """(text, value, relative tolerance) as babel writes amounts in ``loc``."""
    small = round(small, get_currency_precision(code))
    big = mantissa * 10**power
    name = get_currency_name(code, big, locale=loc)
    out = [
        (format_currency(small, code, locale=loc), small, 1e-12),
        (format_currency(small, code, locale=loc, format_type="name"), small, 1e-12),
        # compact forms round to 2 fraction digits of a mantissa >= 1: within 0.5 %
        (format_compact_currency(big, code, locale=loc, fraction_digits=2), big, 0.005),
    ]
    for style in ("short", "long"):
        number = format_compact_decimal(big, format_type=style, locale=loc, fraction_digits=2)
        out.append((f"{number} {name}", big, 0.005))
    return out


@pytest.mark.parametrize("loc", LANGUAGES)
@given(
    code=st.sampled_from(CURRENCIES),
    small=st.floats(-999_999, 999_999).filter(lambda v: abs(v) >= 0.01),
    mantissa=st.decimals("1", "999", places=2).map(float),
    power=st.sampled_from([6, 9, 12]),
)
def test_what_babel_writes_reads_back(loc, code, small, mantissa, power):
    for text, value, rel in _babel_texts(loc, code, small, mantissa, power):
        got = parse_amount(text, locale=loc)
        assert got.currency == code, (loc, text)
        assert _close(got.value, value, rel), (loc, text, got.value, value)


# --- rule 2: the bare word of a currency family ----------------------------------------------
#: two or three members of a family from different countries: their CLDR names share only
#: the family's word ("US dollar", "Canadian dollar", "Australian dollar": "dollar")
FAMILIES = {"dollar": ("USD", "CAD", "AUD"), "pound": ("GBP", "EGP")}


def _shared_words(lang: str, codes: tuple[str, ...]) -> set[str]:
    """Words (3+ letters) that the CLDR names of ``codes`` share in one plural form."""
    loc = Locale.parse(lang)
    plural = loc._data["currency_names_plural"]
    forms = [{"": loc.currencies[c], **dict(plural.get(c, {}))} for c in codes]
    words: set[str] = set()
    for category in set().union(*forms):
        names = [f.get(category) or f.get("other") or f[""] for f in forms]
        tokens = [set(re.findall(r"[^\W\d_]{3,}", n.lower())) for n in names]
        words |= set.intersection(*tokens)
    return words


def test_the_families_have_words_in_most_languages():
    """The rule below means something: CLDR yields a dollar word in most languages."""
    have = [lang for lang in LANGUAGES if _shared_words(lang, FAMILIES["dollar"])]
    assert len(have) >= 25, sorted(set(LANGUAGES) - set(have))


@pytest.mark.parametrize("lang", LANGUAGES)
@given(mantissa=st.decimals("1", "999", places=1).map(float), power=st.sampled_from([6, 9]))
def test_bare_dollar_and_pound_words_read_in_every_language(lang, mantissa, power):
    """"1,2 млрд долларов" (ru), "19억 달러" (ko), "12,5 مليون دولار" (ar): the shared word of
    the CLDR names, after a number as babel writes it (compact, long and short)."""
    value = mantissa * 10**power
    # the language's own member of the family when its likely territory has one (Arabic is
    # written most in Egypt: "جنيه" is the Egyptian pound), else the press convention
    for family, want in (("dollar", "USD"), ("pound", "EGP" if lang == "ar" else "GBP")):
        for word in sorted(_shared_words(lang, FAMILIES[family])):
            for style in ("short", "long"):
                number = format_compact_decimal(value, format_type=style, locale=lang,
                                                fraction_digits=1)  # fmt: skip
                got = parse_amount(f"{number} {word}", locale=lang)
                assert (got.currency, lang) == (want, lang), word
                assert _close(got.value, value, 0.05), (lang, number, word)


def _peso_dollar_locales() -> list[str]:
    """Locales whose own "$" is not a dollar (es_MX: the peso), of the languages above."""
    out = []
    for ident in localedata.locale_identifiers():
        loc = Locale.parse(ident)
        if loc.language not in LANGUAGES or not loc.territory:
            continue
        own = [c for c, s in loc.currency_symbols.items() if s == "$"]
        english = Locale.parse("en").currencies
        if len(own) == 1 and "dollar" not in english.get(own[0], "").lower():
            out.append(ident)
    return out


def test_there_are_peso_dollar_locales():
    assert {"es_MX", "es_AR", "es_CO", "es_CL"} <= set(_peso_dollar_locales())


@pytest.mark.parametrize("loc", _peso_dollar_locales())
def test_dollar_word_is_never_the_peso(loc):
    """"5 millones de dólares" in Mexico is USD: "$" is the peso there, a dollar word is not."""
    lang = Locale.parse(loc).language
    for word in _shared_words(lang, FAMILIES["dollar"]):
        got = parse_amount(f"5 {word}", locale=loc)
        assert got.currency == "USD", (loc, word)
        assert parse_amount(f"5 {word}", locale=loc, default_currency="MXN").currency == "USD"


@pytest.mark.parametrize(
    ("text", "locale", "value", "currency", "approx"),
    [
        ("1,2 млрд долларов", "ru", "1200000000", "USD", False),
        ("19억 달러", "ko", "1900000000", "USD", False),
        ("19억 원", "ko", "1900000000", "KRW", False),
        ("١٢٫٥ مليون دولار", "ar", "12500000", "USD", False),
        ("10 crore rupees", "en_IN", "100000000", "INR", False),
        ("10 lakh rupees", "en_PK", "1000000", "PKR", False),  # the locale's own rupee
        ("USD 1.5 thousand million", "en", "1500000000", "USD", False),  # British: 10^9
        ("£2 thousand million", "en_GB", "2000000000", "GBP", False),
        ("5 millones de dólares", "es_MX", "5000000", "USD", False),
        ("$5 millones", "es_MX", "5000000", "MXN", False),  # the symbol is the peso there
        ("5 millions de dollars", "fr_CA", "5000000", "CAD", False),
        ("5 million dollars", "en_AU", "5000000", "AUD", False),
        ("[CAD] 5 million dollars", "en", "5000000", "CAD", False),  # a code settles the word
        ("2 mia. kroner", "da", "2000000000", "DKK", False),
        ("5 millioner kroner", "nb", "5000000", "NOK", False),
        ("2 miljarder kronor", "sv", "2000000000", "SEK", False),
        ("2 mil milhões de euros", "pt_PT", "2000000000", "EUR", False),
        ("2 bilhões de reais", "pt", "2000000000", "BRL", False),
        ("5 mld złotych", "pl", "5000000000", "PLN", False),
        ("300 millió forint", "hu", "300000000", "HUF", False),
        ("5 mld lei", "ro", "5000000000", "RON", False),
        ("5 миллиардов рублей", "ru", "5000000000", "RUB", False),
        ("1,5 млрд гривень", "uk", "1500000000", "UAH", False),
        ("1,5 млрд гривен", "ru", "1500000000", "UAH", False),
        ("5 جنيه", "ar_EG", "5", "EGP", False),
        ("2,5 εκατ. δολάρια", "el", "2500000", "USD", False),
        ("3 miljardi dolāru", "lv", "3000000000", "USD", False),
        # hedges (approx=True), one or two per language
        ("около 1,2 млрд долларов", "ru", "1200000000", "USD", True),
        ("cerca de 2 mil milhões de euros", "pt_PT", "2000000000", "EUR", True),
        ("mais de 2 bilhões de reais", "pt", "2000000000", "BRL", True),
        ("ruim 2 miljard euro", "nl", "2000000000", "EUR", True),
        ("drygt 2 miljarder kronor", "sv", "2000000000", "SEK", True),
        ("omkring 2 mia. kroner", "da", "2000000000", "DKK", True),
        ("nesten 2 milliarder kroner", "nb", "2000000000", "NOK", True),
        ("noin 2 miljardia euroa", "fi", "2000000000", "EUR", True),
        ("téměř 2 miliardy korun", "cs", "2000000000", "CZK", True),
        ("takmer 2 miliardy eur", "sk", "2000000000", "EUR", True),
        ("peste 2 miliarde de euro", "ro", "2000000000", "EUR", True),
        ("около 2 милиарда лева", "bg", "2000000000", "BGN", True),
        ("περίπου 2 δισεκατομμύρια ευρώ", "el", "2000000000", "EUR", True),
        ("약 19억 달러", "ko", "1900000000", "USD", True),
        ("19억 달러 이상", "ko", "1900000000", "USD", True),
        ("yaklaşık 1,2 milyar dolar", "tr", "1200000000", "USD", True),
        ("حوالي 12 مليون دولار", "ar", "12000000", "USD", True),
        ("5 دولارات", "ar", "5", "USD", False),
        ("apie 2 mlrd. eurų", "lt", "2000000000", "EUR", True),
        ("aptuveni 2 miljardi eiro", "lv", "2000000000", "EUR", True),
        ("umbes 2 miljardit eurot", "et", "2000000000", "EUR", True),
        ("približno 2 milijardi evrov", "sl", "2000000000", "EUR", True),
        ("oko 2 milijarde eura", "hr", "2000000000", "EUR", True),
    ],
)
def test_press_examples(text, locale, value, currency, approx):
    got = parse_amount(text, locale=locale)
    assert (got.value, got.currency, got.approx) == (Decimal(value), currency, approx)
    frame = parse_amounts(pd.Series([text] * 40), locale=locale)  # the vectorised path
    assert (frame["amount"] == float(value)).all() and (frame["currency"] == currency).all()


@pytest.mark.parametrize(
    ("text", "locale"),
    [
        ("5 miljoonaa kruunua", "fi"),  # which krona? Finland has none
        ("5 рупий", "ru"),  # which rupee?
    ],
)
def test_a_family_word_the_locale_does_not_settle_is_refused(text, locale):
    with pytest.raises(ParseError, match="default_currency"):
        parse_amount(text, locale=locale)
    assert parse_amount(text, locale=locale, default_currency="SEK" if "kruun" in text
                        else "INR").currency in ("SEK", "INR")  # fmt: skip


# --- long scale: "billion" words are 10^12 where the language says so --------------------------
@pytest.mark.parametrize(
    ("text", "locale"),
    [
        ("2 Billionen Euro", "de"),
        ("2 Billion Euro", "de"),
        ("2 billions d'euros", "fr"),
        ("2 billion d'euros", "fr"),
        ("2 billones de euros", "es"),
        ("2 billón de euros", "es"),
        ("2 biljoen euro", "nl"),
        ("2 bilioni di euro", "it"),
        ("2 bilione di euro", "it"),
        ("2 bln zł", "pl"),
        ("2 biliony złotych", "pl"),
        ("2 biliões de euros", "pt_PT"),
        ("2 biljoner kronor", "sv"),
        ("2 billioner kroner", "da"),
        ("2 billioner kroner", "nb"),
        ("2 biljoonaa euroa", "fi"),
        ("2 bilionů korun", "cs"),
        ("2 bilióny eur", "sk"),
        ("2 billió forint", "hu"),
        ("2 bilijuna eura", "hr"),
        ("2 bilijona evrov", "sl"),
    ],
)
def test_long_scale_billion_is_ten_to_the_twelve(text, locale):
    assert parse_amount(text, locale=locale).value == Decimal("2000000000000")


@pytest.mark.parametrize(
    ("text", "locale"),
    [("$2 billion", "en"), ("2 bilhões de reais", "pt"), ("2 миллиарда долларов", "ru")],
)
def test_short_scale_billion_is_ten_to_the_nine(text, locale):
    assert parse_amount(text, locale=locale).value == Decimal("2000000000")


def test_a_billion_word_of_unclear_scale_is_refused():
    """Romanian "bilion": CLDR ro writes 10^12 as "trilion"; "bilion" is not guessed."""
    with pytest.raises(ParseError, match="bilioane"):
        parse_amount("2 bilioane de lei", locale="ro")


# --- rule 3: errors that name the fix --------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "locale", "full"),
    [
        ("1e9 USD", "en", "1000000000"),
        ("1.2E+09 USD", "en", "1200000000"),
        ("USD 1.23457E+11", "en", "123457000000"),
        ("1,2E+09 €", "de", "1200000000"),
    ],
)
def test_scientific_notation_is_named(text, locale, full):
    written = re.search(r"[0-9.,]+[eE][+-]?[0-9]+", text).group()
    for reason in _reasons(text, locale):
        assert f"{written!r} is scientific notation ({full})" in reason
        assert "in full" in reason


def _reasons(text: str, locale: str) -> list[str]:
    """The reason of parse_amount and of both vectorised backends."""
    with pytest.raises(ParseError) as err:
        parse_amount(text, locale=locale)
    out = [str(err.value.reason)]
    for backend in ("python", "arrow"):
        got = _engine(np.array([text] * 40, dtype=object), locale, None, backend=backend)
        assert len(set(got["error"])) == 1
        out.append(got["error"][0])
    return out


@pytest.mark.parametrize(
    ("text", "locale", "first", "second"),
    [
        ("$12.1 billion (about ¥1.9 trillion)", "en", "$12.1 billion", "about ¥1.9 trillion"),
        ("1兆9000億円（約120億ドル）", "ja", "1兆9000億円", "約120億ドル"),
        ("5 Mrd. € (5,4 Mrd. $)", "de", "5 Mrd. €", "5,4 Mrd. $"),
    ],
)
def test_an_equivalent_in_parentheses_is_two_amounts(text, locale, first, second):
    for reason in _reasons(text, locale):
        assert reason.startswith(f"two amounts: {first!r} and, in parentheses, {second!r}")
        assert "one at a time" in reason
    # and each is read when parsed alone, as the message says
    parse_amount(first, locale=locale)
    parse_amount(second, locale=locale)


def test_a_number_in_parentheses_is_not_called_an_amount():
    for reason in _reasons("$5 million (2023)", "en"):
        assert reason.startswith("a second number in parentheses ('2023') after the amount")


def test_a_range_names_its_numbers():
    for reason in _reasons("$5-10 million", "en"):
        assert reason.startswith("more than one number ('5', '10')")


@pytest.mark.parametrize("lang", [lang for lang in LANGUAGES if lang != "en"])
def test_a_word_of_another_language_names_that_locale(lang):
    """A dollar word of one language, read in another, says which locale reads it, and the
    text then reads in that locale."""
    words = sorted(_shared_words(lang, FAMILIES["dollar"]) - _shared_words("en", ("USD",)))
    for word in words:
        text = f"5 {word}"
        with pytest.raises(ParseError) as err:
            parse_amount(text, locale="en")
        found = re.search(r"did you mean locale='(\w+)'\?", str(err.value.reason))
        assert found, (text, err.value.reason)
        assert parse_amount(text, locale=found.group(1)).currency == "USD"


# --- the words table holds only what CLDR lacks ----------------------------------------------
def test_words_table_holds_no_word_cldr_already_gives():
    """A bare word CLDR's names yield ("dollars", "доларів") or a CLDR currency name is not
    repeated in datasets/parse_words.csv, and every word row has a note or follows one."""
    from aidcalc._base._datasets import read_dataset
    from aidcalc._money._bare_words import bare_words

    words = read_dataset("parse_words")
    rows = words[words["kind"] == "word"]
    for lang, phrase in zip(rows["language"], rows["phrase"], strict=True):
        loc = Locale.parse(lang)
        names = {n.lower() for n in loc.currencies.values()}
        for forms in loc._data["currency_names_plural"].values():
            names |= {n.lower() for n in dict(forms).values()}
        assert phrase.lower() not in bare_words(lang), (lang, phrase)
        assert phrase.lower() not in names, (lang, phrase)
    firsts = rows.groupby(["language", "value"], sort=False).head(1)
    assert (firsts["note"] != "").all(), firsts[firsts["note"] == ""]


@pytest.mark.parametrize(
    ("pattern", "locale", "power", "currency"),
    [("{} млрд долларов", "ru", 9, "USD"), ("{} millones de dólares", "es_MX", 6, "USD"),
     ("{}억 달러", "ko", 8, "USD"), ("omkring {} mia. kroner", "da", 9, "DKK")],
)  # fmt: skip
def test_bare_words_on_the_vectorised_fast_path(pattern, locale, power, currency):
    """Enough distinct texts for the plain-text fast path: same reading as one by one."""
    texts = pd.Series([pattern.format(i) for i in range(1, 1501)])
    frame = parse_amounts(texts, locale=locale)
    assert frame["amount"].tolist() == [i * 10.0**power for i in range(1, 1501)]
    assert set(frame["currency"]) == {currency}
    assert frame["approx"].all() == pattern.startswith("omkring")
