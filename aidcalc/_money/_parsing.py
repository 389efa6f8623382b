"""Reading amounts of money as people write them: ``parse_amount`` and ``parse_amounts``.

Everything locale-specific comes from babel's CLDR data: the decimal and grouping symbols, the
compact-number scale words (short and long: ``K``, ``Mio.``, ``Milliarden``, ``milliard``,
``億``), currency display names in singular and plural, and currency symbols with their meaning
per locale (``$`` is USD in ``en``, CAD in ``en_CA``, AUD in ``en_AU``), and the bare words
the press writes that CLDR's names of a currency family share ("dollars", "долларов", "달러":
:mod:`aidcalc._money._bare_words`; such a word means the locale's member of its family, never
a currency outside it: "dólares" is USD in ``es_MX``, where ``$`` is the peso). The few words
CLDR does not have (hedges such as "about" or "rund", press abbreviations such as ``bn``,
single-currency words such as "yen" or "złotych", fillers such as French "de") are in the
declarative table ``datasets/parse_words.csv``; the meaning of every symbol in any CLDR locale is in
``datasets/currency_symbols.csv`` (generated from babel by :func:`build_symbol_table`).

How a text is read
------------------
The text is NFKC-normalised (full-width digits, ``￥``, no-break spaces) and split by one
vectorised regular expression into *prefix*, *number* and *suffix*. The number must follow the
locale's grammar (``1.250.000`` is 1250000 in ``de`` and malformed in ``en``; ``1,9`` is 1.9 in
``de``/``fr``/``it`` and malformed in ``en``). Prefix and suffix must consist only of known
phrases: hedges, one scale word, currency codes / names / symbols and fillers. Several currency
mentions must agree; an explicit one (a code, a name, an unambiguous symbol) settles an ambiguous
symbol (``[CAD] $20 million`` is CAD). East Asian compounds such as ``1兆9000億円`` are summed.

An ambiguous symbol is resolved, in order, by: the locale's own CLDR symbol; the press symbols of
``parse_words.csv`` (``C$``, ``US$``); ``default_currency`` if the symbol can stand for it; the
``en`` symbol (the international press convention: ``$`` USD, ``£`` GBP, ``¥`` JPY). Otherwise
the parse fails and names the candidates.

A number with more decimals than its currency has (CLDR minor units: 2 for EUR and USD, 0 for
JPY, 3 for KWD) and no scale word after it is refused as an *ambiguous separator*: ``$1.250`` is
1.25 dollars by English rules but most likely 1,250 written in German style, a 1000x error when
the locale is wrong. ``1.250.000 €`` (de), ``€1,50`` (de), ``$12.125 billion`` and ``1,250``
(en) are unaffected. Lower-case ISO codes (``usd``) are not read as codes (``all``, ``top`` and
``cup`` are words too); the error suggests the upper-case code. (Currency *arguments* such as
``default_currency="usd"`` are codes whatever their case.)

Digits of every Unicode decimal digit system (Arabic-Indic ``٥``, Persian ``۵``, Devanagari,
Bengali, full-width...) and the Arabic separators ``٫`` ``٬`` are read. English locales read
the English scale words (``million`` in ``en_IN``) besides their own (``lakh``, ``crore``).

Nothing is dropped silently: a number right after a separator (``$.5 billion``) is a fraction
when the separator is the locale's decimal one, else the text is refused; an amount in
parentheses (an accounting negative?) is refused; so are scientific notation (``1.2E+09``: a
spreadsheet's rounded display) and a second amount (``$12.1 billion (about ¥1.9 trillion)``),
each with a message that names it and the fix. A word unknown in the locale but known in
another of :data:`PRESS_LANGUAGES` names that locale ("did you mean locale='ru'?").
Bounds: a text longer than ``MAX_TEXT`` (1,000 characters; per cell in
:func:`parse_amounts`) is refused before it is scanned, and an amount beyond 1e18 (or
overflowing to inf) is refused as a misread number.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from contextlib import suppress
from dataclasses import dataclass
from decimal import Decimal
from functools import cache, lru_cache
from itertools import pairwise
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd

from .._base._columns import AMOUNT, APPROX, CURRENCY, ERROR
from .._base._compat import (
    CLDR_CHANGED_SCALES,
    CLDR_SWAPPED_SEPARATORS,
    arrow_nfkc_composes,
    check_errors,
)
from .._base._errors import ParseError, describe_rows
from .._base._locale import LocaleLike, resolve_locale
from ._amount import MAX_AMOUNT, Amount
from ._bare_words import bare_words, family_of
from ._currencies import (
    active_codes,
    check_currency,
    currency_suggestions,
    iso_codes,
    minor_units,
)

if TYPE_CHECKING:
    from babel import Locale

__all__ = [
    "HeaderUnit",
    "header_unit",
    "parse_amount",
    "parse_amounts",
    "read_plain_numbers",
    "symbol_of_both",
]

# --- normalisation -------------------------------------------------------------------------------
# After NFKC (which maps no-break and thin spaces, full-width digits and ￥ to plain forms): one
# apostrophe, brackets dropped ("[CAD] $20 million"), invisible format characters (bidi marks,
# zero-width space, BOM) removed, runs of white space collapsed, ends trimmed. The same rules are
# applied per string (pure Python) or vectorised (pyarrow), from these definitions.
_APOSTROPHES = "’‘ʼ´`"
_BRACKETS = "[]\x1f"  # parentheses are kept: "($5 million)" may be an accounting negative
_INVISIBLE = "\u200b\u200e\u200f\u061c\u2066\u2067\u2068\u2069\ufeff"
_WHITE = " \t\n\r\f\v"
#: every Unicode decimal digit (category Nd: Arabic-Indic, Persian, Devanagari, Bengali, Thai,
#: full-width...) -> its ASCII digit; NFKC maps only some of them
_DIGITS: dict[int, str] = {
    cp: str(unicodedata.decimal(chr(cp)))
    for cp in range(0x80, 0x110000)
    if unicodedata.category(chr(cp)) == "Nd"
}
#: the Arabic decimal separator and the grouping symbols CLDR uses besides ',' '.' ' ' "'":
#: Arabic thousands separator, Arabic comma, reversed comma
_SEPARATORS = {"\u066b": ".", "\u066c": ",", "\u060c": ",", "\u2e41": ","}
_TRANSLATE = str.maketrans(
    {
        **dict.fromkeys(_APOSTROPHES, "'"),
        **dict.fromkeys(_BRACKETS, " "),
        **dict.fromkeys(_INVISIBLE),
        **dict.fromkeys(_WHITE[1:], " "),
        **{chr(k): v for k, v in _DIGITS.items()},
        **_SEPARATORS,
    }
)
#: the longest text parse_amount reads, and the longest cell parse_amounts reads: an amount
#: is a few words; a longer text is refused at once instead of being scanned
MAX_TEXT = 1000
_SPACES = re.compile(" {2,}")
# prefix, first number, suffix (ASCII digits only, so Python's re and RE2 agree)
_SPLIT = r"(?s)^(?P<pre>[^0-9]*?)(?P<num>[0-9](?:[0-9.,' ]*[0-9])?)(?P<post>.*)$"
_SPLIT_RE = re.compile(_SPLIT)
_UPPER3 = re.compile(r"(?<![^\W\d_])[A-Z]{3}(?![^\W\d_])")
_GAP_CHARS = " .,:;/'\"*()"
_GAP_OK = set(_GAP_CHARS)
_CJK_START = "\u2e80"

Errors = Literal["raise", "coerce"]


def _normalise(text: str) -> str:
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text)
    return _SPACES.sub(" ", text.translate(_TRANSLATE)).strip(" ")


@lru_cache(maxsize=1 << 16)
def _key(phrase: str) -> str:
    """The form a phrase is matched in: NFKC, one apostrophe, single spaces, lower case."""
    return _normalise(phrase).lower()


def _is_letter(ch: str) -> bool:
    """A word character that is not a digit: what the regex ``[^\\W\\d_]`` matches."""
    return ch.isalnum() and not ch.isdecimal()


class _Matcher:
    """Leftmost-longest search for known phrases, with word boundaries for (non-CJK) words.

    The same matches as a regular expression alternating all phrases longest first, but built
    from a set in microseconds instead of compiling a regex of thousands of alternatives per
    locale. Linear in the text: at most one dictionary probe per phrase length per position.
    """

    def __init__(self, phrases: Iterable[str]) -> None:
        self.phrases = frozenset(p for p in phrases if p)
        by_first: dict[str, set[int]] = {}
        for phrase in self.phrases:
            by_first.setdefault(phrase[0], set()).add(len(phrase))
        self.lengths = {c: sorted(ls, reverse=True) for c, ls in by_first.items()}

    def match(self, text: str, i: int) -> int:
        """End of the longest phrase starting at ``i`` (with its word boundaries), or -1."""
        lengths = self.lengths.get(text[i : i + 1])
        if not lengths:
            return -1
        n = len(text)
        for size in lengths:
            end = i + size
            if end > n:
                continue
            phrase = text[i:end]
            if phrase not in self.phrases:
                continue
            first, last = phrase[0], phrase[-1]
            if first.isalpha() and first < _CJK_START and i > 0 and _is_letter(text[i - 1]):
                continue
            if last.isalpha() and last < _CJK_START and end < n and _is_letter(text[end]):
                continue
            return end
        return -1

    def finditer(self, text: str) -> list[tuple[int, int, str]]:
        """(start, end, phrase) of the non-overlapping matches, left to right."""
        out = []
        i, n = 0, len(text)
        while i < n:
            end = self.match(text, i)
            if end > i:
                out.append((i, end, text[i:end]))
                i = end
            else:
                i += 1
        return out


class _Fail(Exception):
    """A row-level parse failure; ``reason`` goes to the error column and the message."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


# --- reference data ------------------------------------------------------------------------------
def build_symbol_table() -> pd.DataFrame:
    """Every currency symbol of every CLDR locale in babel, with the ISO codes it stands for.

    This generates ``datasets/currency_symbols.csv`` (columns ``symbol``, ``codes``
    space-separated, ``locales`` = how many locales use it). It reads all ~1,100 locales, so it
    takes a second or two; the parser reads the generated file instead. After a babel upgrade,
    regenerate with::

        python -c "from aidcalc._money._parsing import build_symbol_table as b; \
            b().to_csv('datasets/currency_symbols.csv', index=False)"

    ``tests/test_parsing.py`` fails while the shipped file differs from the installed babel.
    """
    from babel import Locale, localedata

    seen: dict[str, dict[str, int]] = {}
    for ident in localedata.locale_identifiers():
        for code, symbol in Locale.parse(ident).currency_symbols.items():
            sym = unicodedata.normalize("NFKC", symbol).strip()
            if not sym or sym == code:
                continue
            counts = seen.setdefault(sym, {})
            counts[code] = counts.get(code, 0) + 1
    rows = [
        {"symbol": s, "codes": " ".join(sorted(c)), "locales": str(sum(c.values()))}
        for s, c in sorted(seen.items())
    ]
    return pd.DataFrame(rows, columns=["symbol", "codes", "locales"])


@cache
def _global_symbols() -> dict[str, frozenset[str]]:
    from .._base._datasets import read_dataset

    table = read_dataset("currency_symbols", copy=False)
    out: dict[str, set[str]] = {}
    for sym, codes in zip(table["symbol"], table["codes"], strict=True):
        out.setdefault(_key(sym), set()).update(codes.split())
    return {k: frozenset(v) for k, v in out.items()}


def symbol_of_both(text: str, first: str, second: str) -> bool:
    """Does ``text`` write its currency with a symbol that stands for both ISO codes in some
    CLDR locale (``$``: USD and CAD; ``¥``: JPY and CNY; ``kr``: SEK and NOK), standing alone
    rather than inside a longer symbol (``US$``, ``C$``)?

    Such a text read as ``first`` may mean ``second``: the locale decided. So does a bare
    currency word of a family that has both ("dollars", "долларов": USD and CAD).

    Examples
    --------
    >>> symbol_of_both("$500 million", "USD", "CAD"), symbol_of_both("US$500m", "USD", "CAD")
    (True, False)
    >>> symbol_of_both("¥3bn", "JPY", "EUR")
    False
    >>> symbol_of_both("500 million dollars", "USD", "CAD")
    True
    """
    written = _key(text)
    for sym, codes in _global_symbols().items():
        if first in codes and second in codes and sym in written:
            alone = rf"(?<![^\W\d_]){re.escape(sym)}(?![^\W\d_])"
            if re.search(alone, written):
                return True
    words = re.findall(r"[^\W\d_]+", written)
    return any({first, second} <= _family_anywhere(word) for word in words)


@lru_cache(maxsize=4096)
def _family_anywhere(word: str) -> frozenset[str]:
    """The currencies a bare currency word stands for in any of :data:`PRESS_LANGUAGES`."""
    out: set[str] = set()
    for language in PRESS_LANGUAGES:
        kind, anchor = _lexicon(language).phrases.get(word, ("", ""))
        if kind == "bare":
            out |= family_of(word, language, anchor)
    return frozenset(out)


@cache
def _words() -> pd.DataFrame:
    from .._base._datasets import read_dataset

    return read_dataset("parse_words", copy=False)


@lru_cache(maxsize=256)
def _words_for(language: str) -> tuple[tuple[str, str, str], ...]:
    """(kind, phrase, value) rows of ``parse_words`` for one language and for every language."""
    words = _words()
    mine = words[words["language"].isin([language, "*"])]
    return tuple(zip(mine["kind"], mine["phrase"], mine["value"], strict=True))


# --- the per-locale lexicon ----------------------------------------------------------------------
@dataclass(frozen=True)
class _Lexicon:
    locale: str
    language: str
    decimal: str
    group: str
    number_pattern: str
    number_re: re.Pattern[str]
    phrases: dict[str, tuple[str, str]]  # matched form -> (kind, value)
    matcher: _Matcher
    scales: _Matcher
    own_symbols: dict[str, frozenset[str]]  # this locale's symbols -> codes
    scale_words: tuple[str, ...]
    number_words: frozenset[str]
    territory_currency: str | None  # the current currency of the locale's territory
    prefix_scales: frozenset[str]  # scale words CLDR writes before the number (ha "Dubu 1")
    trailing_minus: bool  # CLDR writes the minus after the number (fy "2.500,00-")

    def match_scale(self, text: str, pos: int) -> tuple[str, int] | None:
        """A scale word at ``pos`` after optional white space: (word, end), else None."""
        while pos < len(text) and text[pos].isspace():
            pos += 1
        end = self.scales.match(text, pos)
        return (text[pos:end], end) if end > pos else None


def _bounded(phrase: str) -> str:
    """Regex for a phrase that must not start or end inside a (non-CJK) word."""
    out = re.escape(phrase)
    if phrase[0].isalpha() and phrase[0] < _CJK_START:
        out = r"(?<![^\W\d_])" + out
    if phrase[-1].isalpha() and phrase[-1] < _CJK_START:
        out += r"(?![^\W\d_])"
    return out


def _alternation(phrases: Iterable[str]) -> str:
    return "|".join(_bounded(p) for p in sorted(phrases, key=lambda p: (-len(p), p)))


@lru_cache(maxsize=2048)
def _territory_currency(territory: str | None) -> str | None:
    """The one current legal-tender currency of a territory (None when none or several)."""
    if not territory:
        return None
    from babel.numbers import get_territory_currencies

    found = get_territory_currencies(territory, tender=True)
    return found[0] if len(found) == 1 else None


def _cldr_scales(loc: Locale, *, alone: bool = False) -> dict[str, int]:
    """Scale words from CLDR compact decimal formats (short and long): word -> power of ten.

    With ``alone=True``: the patterns that are a whole number by themselves (French and
    Italian "mille" = 1000).
    """
    return {w: p for w, (p, _) in _cldr_scale_info(loc, alone=alone).items()}


def _cldr_scale_info(loc: Locale, *, alone: bool = False) -> dict[str, tuple[int, bool]]:
    """word -> (power of ten, written before the number) from CLDR compact formats.

    The compact *currency* formats come first: money is written with them, and where a
    locale's two tables disagree (``M`` is 10^6 in bew's currency formats, 10^9 in its
    decimal ones) the money meaning wins. Some locales put the word before the number
    (ha "Dubu 1", ee "biliɔn 2.5"). Two spellings that one table uses for two powers of ten
    and that differ only in case (to: ``m`` 10^4 and ``M`` 10^6) get power -1: refused as
    ambiguous. One spelling at two powers (bn ``কো``: 10^7, and once 10^11) means the power
    most of its patterns give (:func:`aidcalc.format_amount` refuses to write the outlier).
    """
    from collections import Counter

    out: dict[str, tuple[int, bool]] = {}
    ambiguous: set[str] = set()
    votes: dict[str, Counter[int]] = {}
    owner: dict[str, str] = {}  # the table that first has the word decides its power
    tables = [("compact_currency_formats", "short"), ("compact_decimal_formats", "long"),
              ("compact_decimal_formats", "short")]  # fmt: skip
    for table, style in tables:
        formats = loc._data.get(table, {})
        seen: dict[str, tuple[int, str]] = {}
        for plural in formats.get(style, {}):
            for magnitude, pattern in dict(formats[style][plural]).items():
                text = pattern.pattern if hasattr(pattern, "pattern") else str(pattern)
                text = text.split(";")[0].replace("'", "").replace("\u00a4", "")
                zeros = text.count("0")
                word = _key(text.replace("0", ""))
                if not word or not magnitude.isdigit() or alone != (zeros == 0):
                    continue
                power = len(magnitude) - 1 - max(zeros - 1, 0)
                before = zeros > 0 and bool(_key(text[: text.find("0")]))
                raw = " ".join(text.replace("0", " ").split())
                for w in (word, word[:-1]) if word.endswith(".") and len(word) > 2 else (word,):
                    first = seen.setdefault(w, (power, raw))
                    if first[0] != power and first[1] != raw:
                        ambiguous.add(w)
                    if owner.setdefault(w, table + style) == table + style:
                        votes.setdefault(w, Counter())[power] += 1
                    old = out.get(w)
                    out[w] = (power, before) if old is None else (old[0], old[1] or before)
    for w, count in votes.items():
        if len(count) > 1 and w not in ambiguous:  # the majority power, per the first table
            out[w] = (count.most_common(1)[0][0], out[w][1])
    for w in ambiguous:
        out[w] = (-1, out[w][1])
    return out


def _unit_pattern_words(loc: Locale) -> set[str]:
    """Words of CLDR's currency unit patterns besides number and name (ro "{0} de {1}")."""
    out: set[str] = set()
    for pattern in dict(loc._data.get("currency_unit_patterns", {})).values():
        rest = re.sub(r"\{[01]\}", " ", str(pattern))
        out.update(w for w in _key(rest).split(" ") if w and not any(c.isdigit() for c in w))
    return out


@lru_cache(maxsize=64)
def _lexicon(locale_id: str) -> _Lexicon:
    """What every word and symbol means in one locale, built once from CLDR and the words
    table: the number grammar, then the phrases in order of precedence (the first meaning
    of a phrase wins): signs, fillers and hedges, scale words, currency names, the words
    table's currency words, and symbols."""
    loc = resolve_locale(locale_id)
    lang = loc.language
    decimal, group, number_pattern, trailing_minus = _number_grammar(loc, locale_id)
    mine = _words_for(lang)
    info = _cldr_scale_info(loc)
    phrases = _Phrases()
    _add_signs_and_fillers(phrases, loc, mine, info)
    _add_scales(phrases, loc, mine, info)
    _add_currency_names(phrases, loc, mine)
    own = _add_symbols(phrases, loc, mine)
    scale_words = tuple(sorted(w for w, (k, _) in phrases.items() if k == "scale"))
    return _Lexicon(
        locale=locale_id,
        language=lang,
        decimal=decimal,
        group=group,
        number_pattern=number_pattern,
        number_re=re.compile(number_pattern),
        phrases=dict(phrases),
        matcher=_Matcher(phrases),
        scales=_Matcher(scale_words),
        own_symbols=own,
        scale_words=scale_words,
        number_words=frozenset(_cldr_scales(loc, alone=True)),
        territory_currency=_territory_currency(loc.territory),
        prefix_scales=frozenset(w for w, (_, before) in info.items() if before),
        trailing_minus=trailing_minus,
    )


def _grouped_number(d: str, g: str, primary: int, secondary: int, swapped: bool) -> str:
    """Regex of a grouped number; ``swapped``: not one group after 1-3 digits ("1,500"),
    which another babel release's CLDR reads with the separators swapped (1.5)."""
    head = rf"[0-9]{{1,{secondary}}}"
    if not swapped:
        return rf"{head}(?:{g}[0-9]{{{secondary}}})*{g}[0-9]{{{primary}}}(?:{d}[0-9]+)?"
    return (
        rf"{head}(?:{g}[0-9]{{{secondary}}})+{g}[0-9]{{{primary}}}(?:{d}[0-9]+)?"
        rf"|{head}{g}[0-9]{{{primary}}}{d}[0-9]+"
    )


def _plain_number(d: str, swapped: bool) -> str:
    """Regex of an ungrouped number; ``swapped``: not 1-3 digits and three decimals
    ("1,500"), which another babel release's CLDR reads as grouped (1500). Written without
    look-arounds: pyarrow's RE2 matches it too."""
    if not swapped:
        return rf"[0-9]+(?:{d}[0-9]+)?"
    return rf"[0-9]+|[0-9]{{4,}}{d}[0-9]+|[0-9]{{1,3}}{d}(?:[0-9]{{1,2}}|[0-9]{{4,}})"


def _number_grammar(loc: Locale, locale_id: str) -> tuple[str, str, str, bool]:
    """(decimal symbol, group symbol, regex of a well-formed number, minus after it?)."""
    from babel.numbers import get_decimal_symbol, get_group_symbol

    decimal = _normalise(get_decimal_symbol(loc)) or "."
    group = _normalise(get_group_symbol(loc)) or " "
    if group == decimal:  # pragma: no cover - no CLDR locale does this
        raise ParseError(f"locale {locale_id}: same decimal and group symbol", text="", reason="")
    d, g = re.escape(decimal), re.escape(group)
    # (3, 3); (3, 2) in en_IN; the currency pattern may group otherwise (mr_IN)
    groupings = {loc.decimal_formats[None].grouping}
    with suppress(KeyError):
        groupings.add(loc.currency_formats["standard"].grouping)
    swapped = locale_id in CLDR_SWAPPED_SEPARATORS
    number_pattern = "|".join(
        _grouped_number(d, g, primary, secondary, swapped and group in ".,")
        for primary, secondary in sorted(groupings)
    ) + "|" + _plain_number(d, swapped and decimal in ".,")
    # a minus after the number where CLDR writes it so (fy "2.500,00-")
    negatives = [loc.decimal_formats[None].suffix[1]]
    with suppress(KeyError):
        negatives.append(loc.currency_formats["standard"].suffix[1])
    trailing_minus = any(
        "-" in _normalise(sfx) or "\u2212" in _normalise(sfx) for sfx in negatives
    )
    return decimal, group, number_pattern, trailing_minus


class _Phrases(dict[str, tuple[str, str]]):
    """Matched form -> (kind, value); a phrase keeps the first meaning it was given."""

    def add(self, phrase: str, kind: str, value: str) -> None:
        key = _key(phrase)
        if key and key not in self:
            self[key] = (kind, value)


_WordRows = tuple[tuple[str, str, str], ...]


def _add_signs_and_fillers(
    phrases: _Phrases, loc: Locale, mine: _WordRows, info: dict[str, tuple[int, bool]]
) -> None:
    from babel.numbers import get_minus_sign_symbol

    phrases.add("-", "sign", "")
    phrases.add("\u2212", "sign", "")  # minus sign
    # the locale's ("\u200e\u2212" in fa: "\u2212")
    phrases.add(get_minus_sign_symbol(loc), "sign", "")
    for want in ("filler", "hedge"):
        for kind, phrase, _ in mine:
            if kind == want:
                phrases.add(phrase, kind, "")
    for word in _unit_pattern_words(loc):
        if word not in info:
            phrases.add(word, "filler", "")


def _add_scales(
    phrases: _Phrases, loc: Locale, mine: _WordRows, info: dict[str, tuple[int, bool]]
) -> None:
    """Scale words: CLDR's (and, in en_IN, en's million/billion after its own), then the
    words table's press abbreviations ("bn"); number words alone ("mille") too."""
    from babel import Locale

    scales = {w: p for w, (p, _) in info.items()}
    if str(loc) != loc.language:  # en_IN also reads the million/billion of en (its own first)
        with suppress(Exception):
            for word, power in _cldr_scales(Locale.parse(loc.language)).items():
                scales.setdefault(word, power)
    for kind, phrase, value in mine:
        if kind == "scale":
            scales.setdefault(_key(phrase), int(value))
    for word in CLDR_CHANGED_SCALES.get(str(loc), {}):  # another babel reads it otherwise
        scales[word] = -1
    for word, power in {**_cldr_scales(loc, alone=True), **scales}.items():
        phrases.add(word, "scale", str(power))


def _add_currency_names(phrases: _Phrases, loc: Locale, mine: _WordRows) -> None:
    """Currency display names (singular and every plural form) in the locale's language, a
    name shared by several currencies only when one of them is current; then the words
    table's currency words ("yen", "dollars"), then the bare words CLDR's names share
    ("долларов", "달러": :mod:`aidcalc._money._bare_words`)."""
    names: dict[str, set[str]] = {}
    plural = loc._data["currency_names_plural"]
    for code in {*loc.currencies, *plural}:
        forms = {loc.currencies.get(code), *dict(plural.get(code, {})).values()}
        for form in forms:
            if form and not any(ch.isdigit() for ch in form):
                names.setdefault(_key(form), set()).add(code)
    active = active_codes()
    for name, codes in names.items():
        current = codes & active if len(codes) > 1 else codes
        if len(current) == 1:
            phrases.add(name, "code", next(iter(current)))
    for kind, phrase, value in mine:
        if kind == "word":
            if re.fullmatch("[A-Z]{3}", value):
                phrases.add(phrase, "code", value)
            else:
                phrases.add(phrase, "bare", _key(value))
    for word, anchor in bare_words(str(loc)).items():
        phrases.add(word, "bare", anchor)


def _add_symbols(phrases: _Phrases, loc: Locale, mine: _WordRows) -> dict[str, frozenset[str]]:
    """Symbols: this locale's, the press symbols, and any CLDR symbol that cannot be a word.
    Returns this locale's own symbols -> the codes they stand for."""
    own: dict[str, set[str]] = {}
    for code, symbol in loc.currency_symbols.items():
        sym = _key(symbol)
        if sym and sym != code.lower():
            own.setdefault(sym, set()).add(code)
    for sym in own:
        phrases.add(sym, "symbol", sym)
    for kind, phrase, _ in mine:
        if kind == "symbol":
            phrases.add(phrase, "symbol", _key(phrase))
    for sym in _global_symbols():  # letters-only symbols elsewhere ("den", "Le") are words here
        if not sym.isalpha():
            phrases.add(sym, "symbol", sym)
    return {k: frozenset(v) for k, v in own.items()}


# --- reading the words around the number ---------------------------------------------------------
@lru_cache(maxsize=256)
def _press_symbols(language: str) -> dict[str, str]:
    """Press symbols of ``parse_words``: the language's own first ("Rs" INR in English)."""
    out: dict[str, str] = {}
    for kind, phrase, value in sorted(_words_for(language), key=lambda r: r[0] == "*"):
        if kind == "symbol":
            out.setdefault(_key(phrase), value)
    return out


@lru_cache(maxsize=4096)
def _resolve_symbol(sym: str, locale_id: str, default: str | None) -> tuple[str, bool]:
    """(code, explicit) for a symbol key; explicit means it can stand for one currency only."""
    lex = _lexicon(locale_id)
    press = _press_symbols(lex.language)
    candidates = set(_global_symbols().get(sym, ())) | set(lex.own_symbols.get(sym, ()))
    if sym in press:
        candidates.add(press[sym])
    if len(candidates) == 1:
        return next(iter(candidates)), True
    own = lex.own_symbols.get(sym, frozenset())
    if len(own) == 1:
        return next(iter(own)), False
    if lex.territory_currency in candidates:  # "Rs" in en_IN: the territory's rupee
        return str(lex.territory_currency), False
    if sym in press:
        return press[sym], False
    if default is not None and default in candidates:
        return default, False
    en = _lexicon("en").own_symbols.get(sym, frozenset())
    if len(en) == 1:
        return next(iter(en)), False
    raise _Fail(
        f"ambiguous currency symbol {sym!r} in locale {locale_id} (could be "
        f"{', '.join(sorted(candidates))}): pass default_currency=... or write the ISO code"
    )


@lru_cache(maxsize=256)
def _likely_currency(locale_id: str) -> str | None:
    """The currency of the territory CLDR deems likely for a locale without one (da: DK)."""
    from babel.core import get_global

    likely = str(get_global("likely_subtags").get(locale_id.split("_")[0], ""))
    parts = [p for p in likely.split("_")[1:] if p.isupper() and len(p) == 2]
    return _territory_currency(parts[0]) if parts else None


@lru_cache(maxsize=4096)
def _resolve_bare(word: str, anchor: str, locale_id: str, default: str | None) -> tuple[
    str, frozenset[str]
]:
    """(code, family) of a bare currency word ("dollars", "долларов"): a member of its family
    (:func:`aidcalc._money._bare_words.family_of`), chosen by the locale's own symbol for the
    anchor, the locale's territory currency (or its likely one: DKK for da), ``default``,
    then the press convention of the language or English ($ USD, £ GBP); a currency outside
    the family never ("dólares" in es_MX, where $ is the peso, is USD). None fits: the text
    fails."""
    lex = _lexicon(locale_id)
    family = family_of(word, locale_id, anchor)
    own = lex.own_symbols.get(anchor, frozenset()) & family
    press = _press_symbols(lex.language).get(anchor)
    en = _lexicon("en").own_symbols.get(anchor, frozenset())
    for pick in (
        own,
        {lex.territory_currency or _likely_currency(locale_id)} & family,
        {default} & family,
        {press} & family,
        en & family,
    ):
        if len(pick) == 1:
            return str(next(iter(pick))), family
    raise _Fail(
        f"currency word {word!r} can stand for {', '.join(sorted(family & active_codes()))} "
        f"in locale {locale_id}: pass default_currency=... or write the ISO code"
    )


def currency_of_word(word: str, locale_id: str = "en") -> str | None:
    """The ISO code a currency word means in a locale (a code, a name or a symbol), else None.

    What :func:`aidcalc._money._currencies.currency_suggestions` offers for a mistyped code.

    Examples
    --------
    >>> [currency_of_word(w) for w in ("yen", "Euro", "£", "x")]
    ['JPY', 'EUR', 'GBP', None]
    """
    key = " ".join(str(word).split()).lower()
    kind, value = _lexicon(locale_id).phrases.get(key, ("", ""))
    if kind == "code":
        return value
    if kind == "symbol":
        with suppress(_Fail):
            return _resolve_symbol(value, locale_id, None)[0]
    if kind == "bare":
        with suppress(_Fail):
            return _resolve_bare(key, value, locale_id, None)[0]
    return None


@dataclass(frozen=True)
class HeaderUnit:
    """What a column header says about the money below it (:func:`header_unit`)."""

    power: int | None
    """The power of ten of its scale word (6 for ``million``), None when it names none."""
    currency: str | None
    """The ISO code of its currency (code, name or symbol), None when it names none."""
    words: tuple[str, ...]
    """The words that said so, as written in the header (lower case)."""
    problem: str | None = None
    """Why the header cannot be read (two currencies, a scale word of another language)."""


_HEADER_SPLIT = re.compile(r"[_\s]+")


def header_unit(text: str, locale_id: str = "en", *, other_languages: bool = True) -> HeaderUnit:
    """The scale and currency a column header names (``Amount (EUR million)``, ``USD bn``,
    ``€m``, ``Mio. EUR``, ``金額（百万円）``), read with the lexicon of :func:`parse_amount`:
    CLDR's compact scale words, currency names and symbols, and ``datasets/parse_words.csv``.

    Words that are not currencies or scales (``Amount``, ``Betrag``, ``in``) are ignored;
    ISO codes count in upper case (``EUR``), and in lower case only in a snake_case header
    (``amount_usd_millions``). A header naming two scales or two currencies has a
    ``problem``; so has one whose only scale word belongs to another language aidcalc reads
    (``Mio.`` in an English table: pass the table's locale), looked for unless
    ``other_languages=False``.

    Examples
    --------
    >>> header_unit("Amount (EUR million)")
    HeaderUnit(power=6, currency='EUR', words=('eur', 'million'), problem=None)
    >>> unit = header_unit("Betrag (Mrd. €)", "de")
    >>> unit.power, unit.currency
    (9, 'EUR')
    >>> header_unit("Donor")
    HeaderUnit(power=None, currency=None, words=(), problem=None)
    >>> header_unit("Mio. EUR").problem
    "'mio.' is a scale word in de (x 10^6), not in en: pass the table's locale= (e.g. 'de')"
    """
    norm = _normalise(str(text))
    snake = "_" in norm and " " not in norm
    found = _header_words(_HEADER_SPLIT.sub(" ", norm), locale_id, snake)
    powers = {int(v) for k, v, _, _ in found if k == "scale"}
    codes = {v for k, v, _, _ in found if k == "code"}
    words = tuple(w for _, _, w, _ in found)
    problem = next((v for k, v, _, _ in found if k == "fail"), None)
    if len(powers) > 1 or len(codes) > 1:
        problem = f"it names {'two scales' if len(powers) > 1 else 'two currencies'} {words}"
    if not powers and problem is None and other_languages:
        problem = _foreign_scale(norm, locale_id, [span for *_, span in found])
    return HeaderUnit(
        min(powers) if len(powers) == 1 else None,
        min(codes) if len(codes) == 1 else None,
        words,
        problem,
    )


def _header_words(
    text: str, locale_id: str, snake: bool
) -> list[tuple[str, str, str, tuple[int, int]]]:
    """(kind, value, word, span) of the ISO codes, scale words and currencies in ``text``."""
    lex = _lexicon(locale_id)
    out: list[tuple[str, str, str, tuple[int, int]]] = []
    codes = re.compile(r"(?<![^\W\d_])[A-Za-z]{3}(?![^\W\d_])") if snake else _UPPER3
    for m in codes.finditer(text):
        if m.group().upper() in iso_codes():
            out.append(("code", m.group().upper(), m.group().lower(), m.span()))
    for start, end, phrase in lex.matcher.finditer(text.lower()):
        kind, value = lex.phrases[phrase]
        if kind in ("symbol", "bare"):
            try:
                kind, value = "code", _resolve_word(kind, phrase, value, locale_id)
            except _Fail as exc:
                kind, value = "fail", f"{phrase!r}: {exc.reason}"
        if kind == "code" and value not in active_codes():  # ja 金 is gold (XAU): a word
            continue
        if kind == "scale" and int(value) < 0:
            kind, value = "fail", _ambiguous_scale(phrase, lex)
        if kind in ("scale", "code", "fail"):
            out.append((kind, value, phrase, (start, end)))
    return sorted(out, key=lambda t: t[3])


def _resolve_word(kind: str, phrase: str, value: str, locale_id: str) -> str:
    """The code a symbol or a bare currency word stands for in a locale (no default)."""
    if kind == "bare":
        return _resolve_bare(phrase, value, locale_id, None)[0]
    return _resolve_symbol(value, locale_id, None)[0]


def _foreign_scale(text: str, locale_id: str, spans: list[tuple[int, int]]) -> str | None:
    """The problem of a header whose scale word is one of another language aidcalc reads."""
    words = _HEADER_SPLIT.sub(" ", text).lower()
    own = _lexicon(locale_id).language
    listed = set(_words()["language"]) - {"*", own}  # the most read languages first: de, not da
    order = {lang: i for i, lang in enumerate(PRESS_LANGUAGES)}
    for language in sorted(listed, key=lambda lang: (order.get(lang, len(order)), lang)):
        lex = _lexicon(language)
        for start, end, phrase in lex.scales.finditer(words):
            if any(a < end and start < b for a, b in spans):
                continue
            power = lex.phrases[phrase][1]
            return (
                f"{phrase!r} is a scale word in {language} (x 10^{power}), not in "
                f"{locale_id}: pass the table's locale= (e.g. {language!r})"
            )
    return None


def _scan(affix: str, lex: _Lexicon, where: str, default: str | None) -> list[tuple[str, str, str]]:
    """Split an affix into (kind, value, phrase) tokens; anything unknown fails."""
    codes, rest = _scan_codes(affix, lex)
    low = rest.lower()
    tokens: list[tuple[str, str, str]] = []
    unknown: tuple[str, bool] | None = None
    pos = 0
    for tok in [*lex.matcher.finditer(low), None]:
        gap = low[pos : tok[0]] if tok is not None else low[pos:]
        if unknown is None and not set(gap) <= _GAP_OK:
            unknown = (gap.strip(_GAP_CHARS), not tokens)
        if tok is not None:
            kind, value = lex.phrases[tok[2]]
            tokens.append((kind, value, tok[2]))
            pos = tok[1]
    if unknown is not None:
        word, leading = unknown
        scale_slot = where == "post" and leading and not any(k == "scale" for k, _, _ in tokens)
        return [*codes, *tokens, _unknown_word(word, lex, where, scale_slot, default)]
    return codes + tokens


def _scan_codes(affix: str, lex: _Lexicon) -> tuple[list[tuple[str, str, str]], str]:
    """The upper-case ISO codes of an affix as tokens, and the affix with them blanked out;
    an upper-case word that is neither a code nor part of a known phrase fails."""
    codes: list[tuple[str, str, str]] = []
    chars = list(affix)
    spans: list[tuple[int, int]] | None = None
    for m in _UPPER3.finditer(affix):
        word = m.group()
        if word in iso_codes():
            codes.append(("code", word, word))
            chars[m.start() : m.end()] = " " * 3
        elif word.lower() not in lex.phrases:
            if spans is None:  # part of a longer known phrase ("USA-dollár" in Hungarian)?
                spans = [(a, b) for a, b, _ in lex.matcher.finditer(affix.lower())]
            if any(a <= m.start() and m.end() <= b for a, b in spans):
                continue
            sugg = currency_suggestions(word)
            hint = f": did you mean {' or '.join(repr(c) for c in sugg)}?" if sugg else ""
            raise _Fail(f"unknown currency code {word!r} (not an ISO 4217 code){hint}")
    return codes, "".join(chars)


def _unknown_word(
    word: str, lex: _Lexicon, where: str, scale_slot: bool, default: str | None
) -> tuple[str, str, str]:
    """A word the lexicon does not know: a letters-only symbol of other locales ("kr") is
    read with a fitting default or the locale's own currency; anything else fails."""
    cands = _global_symbols().get(word)
    if cands:
        if default is not None and default in cands:
            return ("code", default, word)
        if lex.territory_currency in cands:  # or the locale's own ("Rs" in en_IN)
            return ("code", str(lex.territory_currency), word)
        if not scale_slot:
            raise _Fail(
                f"{word!r} is a currency symbol in other locales ({', '.join(sorted(cands))}) "
                f"but not in {lex.locale}: pass default_currency=... or write the ISO code"
                f"{_case_hint(word)}"
            )
    if scale_slot:
        raise _Fail(
            f"unknown scale word or currency name {word!r} after the number (scale words "
            f"in locale {lex.locale}: {', '.join(lex.scale_words[:12])}, ...)"
            f"{_case_hint(word)}{_elsewhere(word, lex.locale)}"
        )
    side = "before" if where == "pre" else "after"
    raise _Fail(
        f"unrecognised word {word!r} {side} the number{_case_hint(word)}"
        f"{_elsewhere(word, lex.locale)}"
    )


#: the languages of the DAC members, the main non-DAC donors and the press that covers aid to
#: Ukraine: a word unknown in the text's locale is looked up in these to name the locale
PRESS_LANGUAGES = (
    "en", "fr", "de", "it", "ja", "es", "pt", "nl", "sv", "da", "nb", "fi", "pl", "cs", "sk",
    "hu", "ro", "bg", "el", "ko", "zh", "tr", "uk", "ru", "ar", "lt", "lv", "et", "sl", "hr",
    "is", "ga",
)  # fmt: skip


@cache
def _word_index() -> dict[str, list[tuple[str, str, str]]]:
    """Currency and scale word -> (language, kind, value) in :data:`PRESS_LANGUAGES`."""
    out: dict[str, list[tuple[str, str, str]]] = {}
    for language in PRESS_LANGUAGES:
        for phrase, (kind, value) in _lexicon(language).phrases.items():
            if kind in ("code", "bare", "scale") and any(_is_letter(c) for c in phrase):
                out.setdefault(phrase, []).append((language, kind, value))
    return out


def _elsewhere(word: str, locale_id: str) -> str:
    """The hint " ('долларов' is a currency word ($) in ru: did you mean locale='ru'?)" for
    an unknown word, naming the language of :data:`PRESS_LANGUAGES` that knows most of its
    words (the first in that order on a tie); "" when no other language knows any."""
    own = locale_id.split("_")[0]
    index = _word_index()
    known: dict[str, list[tuple[str, str, str]]] = {}  # language -> (part, kind, value)
    for part in dict.fromkeys((word, *word.split(" "))):
        for lang, kind, value in index.get(part, ()):
            if lang != own:
                known.setdefault(lang, []).append((part, kind, value))
    if not known:
        return ""
    best = max(known, key=lambda lang: (len(known[lang]), -PRESS_LANGUAGES.index(lang)))
    part, kind, value = known[best][-1]
    what = {"code": f"the name of {value}", "bare": f"a currency word ({value})",
            "scale": f"a scale word (x 10^{value})"}[kind]  # fmt: skip
    return f" ({part!r} is {what} in {best}: did you mean locale={best!r}?)"


def _case_hint(word: str) -> str:
    """A hint for an ISO code written in lower or mixed case ("usd"): codes are upper case.

    Such words stay errors: "all", "top", "cup" are words as well as codes (ALL, TOP, CUP).
    """
    code = word.upper()
    if len(code) == 3 and code.isalpha() and code in iso_codes():
        return f" (ISO 4217 codes are matched in upper case only: write {code!r} if you mean it)"
    return ""


@lru_cache(maxsize=65536)
def _read_affixes(
    pre: str, post: str, locale_id: str, default: str | None
) -> tuple[int, str, bool, bool]:
    """(power of ten, currency code, approx, negative) from the text around the number."""
    lex = _lexicon(locale_id)
    tokens = [(*t, "pre") for t in _scan(pre, lex, "pre", default)]
    tokens += [(*t, "post") for t in _scan(post, lex, "post", default)]
    words = _AffixWords(lex, default)
    for kind, value, phrase, where in tokens:
        words.take(kind, value, phrase, where)
    return words.power, words.currency(), words.approx, words.negative


class _AffixWords:
    """What the words around one number say, token by token: hedge, sign, scale, currency."""

    def __init__(self, lex: _Lexicon, default: str | None) -> None:
        self.lex, self.default = lex, default
        self.power = 0
        self.scale_phrase: str | None = None
        self.approx = self.negative = False
        self.explicit: list[tuple[str, str]] = []
        self.implicit: list[tuple[str, str, frozenset[str]]] = []

    def take(self, kind: str, value: str, phrase: str, where: str) -> None:
        if kind == "hedge":
            self.approx = True
        elif kind == "sign":
            self._sign(phrase, where)
        elif kind == "scale":
            self._scale(value, phrase, where)
        elif kind == "code":
            self.explicit.append((value, phrase))
        elif kind == "symbol":
            self._symbol(value, phrase)
        elif kind == "bare":
            code, family = _resolve_bare(phrase, value, self.lex.locale, self.default)
            self.implicit.append((code, phrase, family))

    def _sign(self, phrase: str, where: str) -> None:
        if (where == "post" and not self.lex.trailing_minus) or self.negative:
            raise _Fail(f"unexpected {phrase!r} (a minus sign goes before the number)")
        self.negative = True

    def _scale(self, value: str, phrase: str, where: str) -> None:
        if int(value) < 0:
            raise _Fail(_ambiguous_scale(phrase, self.lex))
        if where == "pre" and phrase not in self.lex.prefix_scales:
            raise _Fail(f"scale word {phrase!r} before the number")
        if self.scale_phrase is not None:
            raise _Fail(f"two scale words {self.scale_phrase!r} and {phrase!r}")
        self.scale_phrase, self.power = phrase, int(value)

    def _symbol(self, value: str, phrase: str) -> None:
        code, is_explicit = _resolve_symbol(value, self.lex.locale, self.default)
        if is_explicit:
            self.explicit.append((code, phrase))
        else:
            lex = self.lex
            cands = set(_global_symbols().get(value, ())) | set(lex.own_symbols.get(value, ()))
            self.implicit.append((code, phrase, frozenset(cands | {code})))

    def currency(self) -> str:
        """The one currency the words name: explicit mentions must agree, and settle an
        ambiguous symbol; else the symbols' own; else the default; else the text fails."""
        codes = {c for c, _ in self.explicit}
        if len(codes) > 1:
            shown = ", ".join(f"{p!r} ({c})" for c, p in self.explicit)
            raise _Fail(f"conflicting currencies {shown}")
        if codes:
            code = codes.pop()
            for _, phrase, allowed in self.implicit:
                if code not in allowed:
                    raise _Fail(f"conflicting currencies {phrase!r} and {code}")
            return code
        if self.implicit:
            found = {c for c, _, _ in self.implicit}
            if len(found) > 1:
                shown = ", ".join(f"{p!r} ({c})" for c, p, _ in self.implicit)
                raise _Fail(f"conflicting currencies {shown}")
            return found.pop()
        if self.default is not None:
            return self.default
        raise _Fail("no currency (no symbol, ISO code or currency name): pass default_currency=...")


def _to_decimal(num: str, lex: _Lexicon) -> Decimal:
    return Decimal(num.replace(lex.group, "").replace(lex.decimal, "."))


def _malformed(num: str, lex: _Lexicon) -> str:
    head = (
        f"malformed number {num!r} for locale {lex.locale} (decimal separator "
        f"{lex.decimal!r}, grouping {lex.group!r})"
    )
    if lex.locale in CLDR_SWAPPED_SEPARATORS and re.fullmatch(r"[0-9]{1,3}[.,][0-9]{3}", num):
        return (
            f"{head}: the CLDR data of the babel releases aidcalc supports disagree on which of "
            f"'.' and ',' is the decimal separator in {lex.locale}, so {num!r} is "
            f"{Decimal(num[:-4] + '.' + num[-3:]).normalize():f} or {num[:-4]}{num[-3:]}: "
            "write the number without the "
            "separator, or with its decimals in full"
        )
    return f"{head}: check the locale"


def _fraction_digits(num: str, decimal: str) -> int:
    """Digits after the decimal separator of a valid number (it has at most one)."""
    pos = num.find(decimal)
    return 0 if pos < 0 else len(num) - pos - len(decimal)


_EXAMPLE_POWERS = (6, 8, 4, 9, 3)  # which scale word the fix suggests: million, 億, 万, ...


def _braces(text: str) -> str:
    return text.replace("{", "{{").replace("}", "}}")


@lru_cache(maxsize=1024)
def _ambiguous_template(code: str, locale_id: str, grouping: bool) -> str:
    """The message of :func:`_ambiguous` with fields ``num``, ``value`` and ``whole`` open."""
    lex = _lexicon(locale_id)
    minor = minor_units(code)
    places = "no decimal places" if minor == 0 else f"{minor} decimal place" + "s" * (minor > 1)
    scales = {int(v): w for w, (k, v) in reversed(lex.phrases.items()) if k == "scale"}
    word = next((scales[p] for p in _EXAMPLE_POWERS if p in scales), "million")
    example = "'{num}" + _braces(word if word[0] >= _CJK_START else f" {word}") + "'"
    d, c, loc = _braces(repr(lex.decimal)), _braces(code), _braces(locale_id)
    head = (
        f"ambiguous separator: {{num!r}} reads as {{value}} {c} in locale {loc} ({d} is its "
        f"decimal separator), but {c} has {places}"
    )
    if grouping:
        other = "de" if lex.decimal == "." else "en"
        return (
            f"{head}: {d} may be a thousands separator in another locale's style ({{whole}} {c})."
            f" Write the number without the separator ({{whole}}), pass the locale the text is "
            f"written in (e.g. locale={other!r}, where {d} groups thousands), or add the scale "
            f"word if it was dropped ({example})"
        )
    fix = "as a whole number" if minor == 0 else f"with at most {minor} decimals"
    return (
        f"{head}: no such amount. Write it {fix}, pass the locale the text is written in, or "
        f"add the scale word if it was dropped ({example})"
    )


@lru_cache(maxsize=1024)
def _template_pieces(template: str) -> tuple[tuple[str, str], ...]:
    """A template cut into ("text", literal) and ("field", name[!conversion]) pieces."""
    import string

    pieces: list[tuple[str, str]] = []
    for literal, field, _spec, conversion in string.Formatter().parse(template):
        if literal:
            pieces.append(("text", literal))
        if field is not None:
            pieces.append(("field", f"{field}!{conversion}" if conversion else field))
    return tuple(pieces)


def _ambiguous(num: str, code: str, lex: _Lexicon) -> str:
    """Why a number with more decimals than its currency has is refused, and how to fix it.

    ``$1.250`` is 1.25 dollars by English rules, but more likely 1,250 written with a German
    thousands separator (or a dropped scale word): a 1000x error when the locale is wrong.
    Cheap per call (a cached template): a column may hold many such numbers.
    """
    plain = num.replace(lex.group, "")
    integer, _, fraction = plain.partition(lex.decimal)
    integer = integer.lstrip("0") or "0"
    trimmed = fraction.rstrip("0")
    value = f"{integer}.{trimmed}" if trimmed else integer
    whole = (integer + fraction).lstrip("0") or "0"
    grouping = len(fraction) == 3 and lex.group not in num  # "1.250", not "1,250.125"
    template = _ambiguous_template(code, lex.locale, grouping)
    return template.format(num=num, value=value, whole=whole)


def _ambiguous_scale(word: str, lex: _Lexicon) -> str:
    changed = CLDR_CHANGED_SCALES.get(lex.locale, {}).get(_key(word))
    if changed is not None:
        return (
            f"ambiguous scale word {word!r} in locale {lex.locale}: the CLDR data of the babel "
            f"releases aidcalc supports give it two powers of ten (10^{changed[0]} and "
            f"10^{changed[1]}): write the number in full, or the scale word in English with "
            "locale='en'"
        )
    return (
        f"ambiguous scale word {word!r} in locale {lex.locale}: its CLDR data uses it for two "
        "powers of ten once upper and lower case are not told apart (m 10^4, M 10^6 in 'to'): "
        "write the number in full, or the scale word in English with locale='en'"
    )


def _too_long(length: int) -> str:
    return (
        f"text of {length:,} characters is longer than the cap of {MAX_TEXT:,} characters "
        "(MAX_TEXT) for one amount: pass the amount alone, not the document around it"
    )


def _single(num: str, pre: str, post: str, lex: _Lexicon, default: str | None) -> tuple[
    Decimal, str, bool
]:
    """One number with its words, in Python (the per-row path of the vectorised engine)."""
    if any(c in "0123456789" for c in post):
        return _compound(num, pre, post, lex, default)
    if not lex.number_re.fullmatch(num):
        raise _Fail(_malformed(num, lex))
    power, code, approx, negative = _read_affixes(pre, post, lex.locale, default)
    if power == 0 and _fraction_digits(num, lex.decimal) > minor_units(code):
        raise _Fail(_ambiguous(num, code, lex))
    value = _to_decimal(num, lex).scaleb(power)
    return -value if negative else value, code, approx


def _leading(num: str, pre: str, post: str, lex: _Lexicon, default: str | None) -> tuple[
    Decimal, str, bool
]:
    """A number right after a separator: "$.5 billion", "USD .75 million", ",75 Mrd. €" (de).

    The separator is never dropped (that made "$.5 billion" 5 billion, 10x too much): it ends
    an abbreviation ("Rs.5", "ca.5"), starts a fraction when it is the locale's decimal
    separator (0.5), or the text is refused.
    """
    sep, before = pre[-1], pre[:-1]
    low = pre.lower()
    tokens = lex.matcher.finditer(low)
    if tokens and tokens[-1][1] == len(low) and tokens[-1][1] - tokens[-1][0] > 1:
        return _single(num, pre, post, lex, default)  # "Rs.5": the dot is the abbreviation's
    prev = before[-1:]
    fraction_ok = (
        not prev
        or prev == " "
        or unicodedata.category(prev) == "Sc"  # "$.5", "€ ,5"
        or lex.phrases.get(prev, ("",))[0] == "sign"  # "-.5"
    )
    if not fraction_ok:  # "USD.75", "Fr.5", "S/.5" (the old sol symbol): not a fraction
        word = before.split(" ")[-1]
        raise _Fail(
            f"separator {sep!r} between {word!r} and the number {num!r}: write a space, or "
            f"0{lex.decimal}{num} if a fraction is meant"
        )
    if sep == lex.decimal:
        return _single(f"0{sep}{num}", before, post, lex, default)
    raise _Fail(
        f"the number starts with {sep!r}, which is not the decimal separator in locale "
        f"{lex.locale} ({lex.decimal!r}): write 0{lex.decimal}{num} for a fraction, or pass the "
        "locale the text is written in"
    )


_NUM_RE = re.compile(r" ?([0-9](?:[0-9.,' ]*[0-9])?)")


def _compound(
    num: str, pre: str, post: str, lex: _Lexicon, default: str | None
) -> tuple[Decimal, str, bool]:
    """Numbers with several scale words: 1兆9000億円, 1 billion 500 million dollars."""
    _refuse_second_number(num, pre, post, lex)
    num_0 = num
    parts: list[tuple[Decimal, int]] = []
    units: list[str] = []  # the numbers without a scale word (the 5000 of 1万5000円)
    pos = 0
    word = ""
    while True:
        if not lex.number_re.fullmatch(num):
            raise _Fail(_malformed(num, lex))
        value = _to_decimal(num, lex)
        m = lex.match_scale(post, pos)
        if not m:
            if word and word[0] < _CJK_START:  # only 1万5000円 may end without a scale word
                raise _Fail(_more_numbers(pre + num_0 + post))
            parts.append((value, 0))
            units.append(num)
            break
        word, pos = m
        if int(lex.phrases[word][1]) < 0:
            raise _Fail(_ambiguous_scale(word, lex))
        parts.append((value, int(lex.phrases[word][1])))
        n = _NUM_RE.match(post, pos)
        if not n:
            break
        num, pos = n.group(1), n.end()
    rest = post[pos:]
    powers = [p for _, p in parts]
    decreasing = all(a > b for a, b in pairwise(powers))
    if len(parts) < 2 or not decreasing or re.search("[0-9]", rest):
        raise _Fail(_more_numbers(pre + num_0 + post))
    power, code, approx, negative = _read_affixes(pre, rest, lex.locale, default)
    if power:
        raise _Fail("scale word after a compound number")
    for unit in units:
        if _fraction_digits(unit, lex.decimal) > minor_units(code):
            raise _Fail(_ambiguous(unit, code, lex))
    total = sum((v.scaleb(p) for v, p in parts), Decimal(0))
    return -total if negative else total, code, approx


_SCIENTIFIC = re.compile(r"[eE]([+-]?[0-9]+)(?![0-9])")
_BRACKETED = re.compile(r"\(([^()]*[0-9][^()]*)\)?")


def _refuse_second_number(num: str, pre: str, post: str, lex: _Lexicon) -> None:
    """What a second number right after the first is, named with its fix: an exponent
    ("1.2E+09": scientific notation) or an amount in parentheses ("$12.1 billion (about
    ¥1.9 trillion)": an equivalent)."""
    sci = _SCIENTIFIC.match(post)
    if sci is not None and lex.number_re.fullmatch(num):
        shown = f"{_to_decimal(num, lex).scaleb(int(sci.group(1))):f}"
        raise _Fail(
            f"{num + sci.group()!r} is scientific notation ({shown}), which aidcalc does not "
            "read: spreadsheets show it for numbers rounded to a few digits, so the figure may "
            f"be rounded. Write the number in full ({shown}) or with a scale word (format the "
            "column as a number, not 'General', before exporting)"
        )
    bracket = _BRACKETED.search(post)
    if bracket is not None:
        first = f"{pre}{num}{post[: bracket.start()]}".strip(" ,;:")
        second = bracket.group(1).strip()
        if re.fullmatch(r"[0-9 .,'-]+", second):  # "$5 million (2023)": a year? a note?
            raise _Fail(
                f"a second number in parentheses ({second!r}) after the amount {first!r}: "
                f"parse the amount alone, e.g. parse_amount({first!r})"
            )
        raise _Fail(
            f"two amounts: {first!r} and, in parentheses, {second!r} (an equivalent in another "
            f"currency or unit?): parse them one at a time, e.g. parse_amount({first!r}) and "
            f"parse_amount({second!r})"
        )


def _more_numbers(text: str) -> str:
    numbers = [m.group(1) for m in _NUM_RE.finditer(text)]
    shown = ", ".join(repr(n) for n in numbers[:4])
    return (
        f"more than one number ({shown}): write one amount per text (a range such as "
        "'$5-10 million' is two amounts: parse each end)"
    )


@lru_cache(maxsize=64)
def _signed_word_re(locale_id: str) -> re.Pattern[str]:
    """A minus sign (any of the locale's) directly before a number word: "-mille" (it, fr)."""
    lex = _lexicon(locale_id)
    signs = [p for p, (kind, _) in lex.phrases.items() if kind == "sign"]
    words = _alternation(lex.number_words)
    return re.compile(f"(?:{_alternation(signs)}) ?(?=(?:{words}))", re.IGNORECASE)


def _number_word(text: str, lex: _Lexicon, default: str | None) -> tuple[Decimal, str, bool]:
    """A text whose number is a CLDR number word alone: "mille euros" (fr) is 1000 EUR.

    A minus sign may stand directly before the word, as CLDR writes -1000 in French and
    Italian ("-mille €"); elsewhere a sign is refused as with no number at all.
    """
    scales = [p for k, _, p in _scan(text, lex, "post", default) if k == "scale"]
    if len(scales) != 1 or scales[0] not in lex.number_words:
        raise _Fail("no number")
    sign = _signed_word_re(lex.locale).search(text)
    if sign is not None:
        text = f"{text[: sign.start()]} {text[sign.end() :]}".strip(" ")
    # any other sign is refused there: it is after the "number" ("--mille", "mille -€")
    power, code, approx, _ = _read_affixes("", text, lex.locale, default)
    value = Decimal(1).scaleb(power)
    return -value if sign is not None else value, code, approx


# --- the vectorised engine (on unique texts of one locale) ---------------------------------------
@cache
def _arrow() -> Any:
    """pyarrow.compute when installed (RE2 string kernels in C++), else None."""
    try:
        import pyarrow.compute as pc
    except ImportError:  # pragma: no cover - pyarrow is optional
        return None
    return pc


class _PythonStrings:
    """The string steps in plain Python, one unique text at a time (used without pyarrow)."""

    def __init__(self, texts: Any) -> None:
        if not isinstance(texts, np.ndarray):
            texts = texts.to_pylist()
        self.norm = norm = [_normalise(t) for t in texts]
        self.empty = np.array([not t for t in norm], dtype=bool)
        parts = [_SPLIT_RE.match(t) for t in norm]
        self.matched = np.array([m is not None for m in parts], dtype=bool)
        groups = [m.groups() if m else ("", "", "") for m in parts]
        self.pre = [g[0] for g in groups]
        self.num = [g[1] for g in groups]
        self.post = [g[2] for g in groups]

    def text(self, i: int | np.integer) -> str:
        return self.norm[i]

    def valid_number(self, pattern: str) -> np.ndarray:
        rx = re.compile(pattern)
        return np.array([rx.fullmatch(v) is not None for v in self.num], dtype=bool)

    def post_has_digit(self) -> np.ndarray:
        return np.array([any(c in "0123456789" for c in v) for v in self.post], dtype=bool)

    def leading_separator(self) -> np.ndarray:
        """The number follows a separator directly: "$.5 billion", "USD .75", ",75 Mrd."."""
        return np.array([p[-1:] in (".", ",") for p in self.pre], dtype=bool)

    def in_parentheses(self) -> np.ndarray:
        """The number is inside parentheses: "($5 million)" (an accounting negative?)."""
        return np.array(
            [_OPEN_RE.search(p) is not None and _CLOSE_RE.match(q) is not None
             for p, q in zip(self.pre, self.post, strict=True)],
            dtype=bool,
        )  # fmt: skip

    def ambiguous(self, idx: np.ndarray, codes: np.ndarray, lex: _Lexicon) -> np.ndarray:
        out = [_ambiguous(self.num[i], c, lex) for i, c in zip(idx, codes, strict=True)]
        return np.array(out, dtype=object)

    def fraction_digits(self, idx: np.ndarray, decimal: str) -> np.ndarray:
        return np.array([_fraction_digits(self.num[i], decimal) for i in idx], dtype=np.int64)

    def affix_codes(self, idx: np.ndarray) -> tuple[np.ndarray, list[tuple[str, str]]]:
        seen: dict[tuple[str, str], int] = {}
        codes = np.array([seen.setdefault((self.pre[i], self.post[i]), len(seen)) for i in idx])
        return codes.astype(np.int64), list(seen)

    def floats(self, idx: np.ndarray, sign: Any, exp: Any, lex: _Lexicon) -> Any:
        sign, exp = sign.as_numpy(), exp.as_numpy()
        nums = [self.num[i].replace(lex.group, "").replace(lex.decimal, ".") for i in idx]
        return np.array([float(f"{a}{b}{c}") for a, b, c in zip(sign, nums, exp, strict=True)])


@cache
def _unassigned_class() -> str:
    """RE2 class of the non-ASCII code points this Python's Unicode database leaves unassigned."""
    ranges: list[tuple[int, int]] = []
    for cp in range(0x80, 0x110000):
        if unicodedata.category(chr(cp)) == "Cn" and not 0xD800 <= cp <= 0xDFFF:
            if ranges and ranges[-1][1] == cp - 1:
                ranges[-1] = (ranges[-1][0], cp)
            else:
                ranges.append((cp, cp))
    return "[" + "".join(f"\\x{{{a:x}}}-\\x{{{b:x}}}" for a, b in ranges) + "]"


def _as_python_normalises(raw: Any, normalised: Any) -> Any:
    """pyarrow's NFKC with the texts holding characters newer than Python's Unicode database
    normalised by Python instead: pyarrow may map them (U+1CCF0 to "0"), Python does not, and
    both paths must read a text alike."""
    import pyarrow as pa

    pc = _arrow()
    if not arrow_nfkc_composes():  # pyarrow 14: every text by Python
        return pa.array([_normalise(t) for t in raw.to_pylist()], type=pa.string())
    newer = pc.match_substring_regex(raw, _unassigned_class())
    if not pc.any(newer).as_py():
        return normalised
    rows = np.flatnonzero(newer.to_numpy(zero_copy_only=False))
    fixed = pa.array([_normalise(raw[int(i)].as_py()) for i in rows], type=pa.string())
    return pc.replace_with_mask(normalised, newer, fixed)


class _ArrowStrings:
    """The same steps vectorised with pyarrow.compute (RE2 regular expressions, C++)."""

    def __init__(self, texts: Any) -> None:
        import pyarrow as pa

        arr = pa.array(texts, type=pa.string()) if isinstance(texts, np.ndarray) else texts
        # the kernels release the GIL: large inputs are cut in blocks run on the idle cores
        # (none idle: one pass in this thread, not a pool whose threads wait for a core)
        workers = _workers() if len(arr) > _BLOCK else 1
        if workers > 1:
            from concurrent.futures import ThreadPoolExecutor

            blocks = [arr.slice(i, _BLOCK) for i in range(0, len(arr), _BLOCK)]
            with ThreadPoolExecutor(max_workers=workers) as pool:
                done = list(pool.map(self._prepare, blocks))
        else:
            done = [self._prepare(arr)]
        self.arr, parts = (pa.concat_arrays([d[i] for d in done]) for i in range(2))
        pc = _arrow()
        self.empty = pc.equal(pc.utf8_length(self.arr), 0).to_numpy(zero_copy_only=False)
        self._use_parts(parts)

    @classmethod
    def from_parts(cls, parts: Any) -> _ArrowStrings:
        """The steps on texts already split into ``pre``, ``num`` and ``post`` (all valid)."""
        strings = cls.__new__(cls)
        strings._use_parts(parts)
        return strings

    def _use_parts(self, parts: Any) -> None:
        self._affixes: tuple[np.ndarray, list[tuple[str, str]]] | None = None
        self.matched = parts.is_valid().to_numpy(zero_copy_only=False)
        self._pre, self._num, self._post = (parts.field(f) for f in ("pre", "num", "post"))
        self.pre = _Lazy(self._pre)
        self.num = _Lazy(self._num)
        self.post = _Lazy(self._post)

    @staticmethod
    def _prepare(arr: Any) -> tuple[Any, Any]:
        """Normalise a block of texts and split it into prefix, number, suffix."""
        pc = _arrow()
        # plain ASCII needs none of the steps below, but for "`", an apostrophe (_APOSTROPHES)
        ascii_ = pc.and_(pc.string_is_ascii(arr), pc.invert(pc.match_substring(arr, "`")))
        if not pc.all(ascii_).as_py():
            mask = pc.invert(ascii_)
            raw = arr.filter(mask)
            sub = _as_python_normalises(raw, pc.utf8_normalize(raw, "NFKC"))
            sub = pc.replace_substring_regex(sub, f"[{_APOSTROPHES}]", "'")
            sub = pc.replace_substring_regex(sub, f"[{_INVISIBLE}]", "")
            for digit, chars in _digit_classes().items():
                sub = pc.replace_substring_regex(sub, f"[{chars}]", digit)
            for char, plain in _SEPARATORS.items():
                sub = pc.replace_substring(sub, char, plain)
            arr = pc.replace_with_mask(arr, mask, sub)
        odd = f"[{re.escape(_BRACKETS)}\t\n\r\f\v]"
        messy = pc.match_substring_regex(arr, f"{odd}|  |^ | $")
        if pc.any(messy).as_py():
            sub = pc.replace_substring_regex(arr.filter(messy), odd, " ")
            sub = pc.replace_substring_regex(sub, " {2,}", " ")
            sub = pc.utf8_trim(sub, " ")
            arr = pc.replace_with_mask(arr, messy, sub)
        return arr, pc.extract_regex(arr, _SPLIT)

    def text(self, i: int | np.integer) -> str:
        return self.arr[int(i)].as_py()

    def valid_number(self, pattern: str) -> np.ndarray:
        hit = _arrow().match_substring_regex(self._num, f"^(?:{pattern})$")
        return hit.fill_null(False).to_numpy(zero_copy_only=False)

    def post_has_digit(self) -> np.ndarray:
        hit = _arrow().match_substring_regex(self._post, "[0-9]")
        return hit.fill_null(False).to_numpy(zero_copy_only=False)

    def leading_separator(self) -> np.ndarray:
        hit = _arrow().match_substring_regex(self._pre, "[.,]$")
        return hit.fill_null(False).to_numpy(zero_copy_only=False)

    def in_parentheses(self) -> np.ndarray:
        pc = _arrow()
        hit = pc.and_(
            pc.match_substring_regex(self._pre, _OPEN_RE.pattern),
            pc.match_substring_regex(self._post, "^" + _CLOSE_RE.pattern),
        )
        return hit.fill_null(False).to_numpy(zero_copy_only=False)

    def ambiguous(self, idx: np.ndarray, codes: np.ndarray, lex: _Lexicon) -> np.ndarray:
        """The messages of :func:`_ambiguous`, built by template groups (code, 3 decimals)."""
        pc = _arrow()
        num = _rows(self._num, idx)
        plain = pc.replace_substring(num, lex.group, "")
        d = re.escape(lex.decimal)
        parts = pc.extract_regex(plain, rf"^0*(?P<i>[0-9]*?)(?:{d}(?P<f>[0-9]*?)0*)?$")
        integer, fraction = parts.field("i"), parts.field("f")
        integer = pc.if_else(pc.equal(integer, ""), "0", integer)
        value = pc.if_else(
            pc.equal(fraction, ""),
            integer,
            pc.binary_join_element_wise(integer, fraction, "."),
        )
        whole = pc.utf8_ltrim(pc.replace_substring(plain, lex.decimal, ""), "0")
        whole = pc.if_else(pc.equal(whole, ""), "0", whole)
        quote = pc.if_else(pc.match_substring(num, "'"), '"', "'")  # as repr() quotes
        fields = {"num!r": pc.binary_join_element_wise(quote, num, quote, ""), "num": num}
        fields.update(value=value, whole=whole)
        grouped = pc.match_substring(num, lex.group).to_numpy(zero_copy_only=False)
        grouping = (self.fraction_digits(idx, lex.decimal) == 3) & ~grouped
        out = np.empty(len(idx), dtype=object)
        for code in pd.unique(codes):  # a few currencies
            for group in (False, True):
                rows = np.flatnonzero((codes == code) & (grouping == group))
                if not len(rows):
                    continue
                pieces = _template_pieces(_ambiguous_template(code, lex.locale, group))
                args = [p if kind == "text" else fields[p].take(rows) for kind, p in pieces]
                joined = pc.binary_join_element_wise(*args, "")
                out[rows] = joined.to_numpy(zero_copy_only=False)
        return out

    def fraction_digits(self, idx: np.ndarray, decimal: str) -> np.ndarray:
        pc = _arrow()
        num = _rows(self._num, idx)  # ASCII digits and separators: bytes are characters
        pos = pc.find_substring(num, decimal).to_numpy(zero_copy_only=False).astype(np.int64)
        size = pc.binary_length(num).to_numpy(zero_copy_only=False).astype(np.int64)
        return np.where(pos >= 0, size - pos - len(decimal.encode()), 0)

    def affix_codes(self, idx: np.ndarray) -> tuple[np.ndarray, list[tuple[str, str]]]:
        """Codes of the (prefix, suffix) pairs of rows ``idx`` and the pairs (kept for all rows)."""
        every = len(idx) == len(self._pre)
        if every and self._affixes is not None:
            return self._affixes
        pc = _arrow()
        keys = pc.binary_join_element_wise(_rows(self._pre, idx), _rows(self._post, idx), "\x1f")
        enc = keys.dictionary_encode()
        uniques = [tuple(k.split("\x1f", 1)) for k in enc.dictionary.to_pylist()]
        codes = enc.indices.to_numpy(zero_copy_only=False).astype(np.int64)
        if every:
            self._affixes = (codes, uniques)
        return codes, uniques

    def floats(self, idx: np.ndarray, sign: Any, exp: Any, lex: _Lexicon) -> Any:
        import pyarrow as pa

        pc = _arrow()
        sign, exp = sign.as_arrow(), exp.as_arrow()
        clean = pc.replace_substring(_rows(self._num, idx), lex.group, "")
        if lex.decimal != ".":
            clean = pc.replace_substring(clean, lex.decimal, ".")
        literal = pc.binary_join_element_wise(sign, clean, exp, "")
        return pc.cast(literal, pa.float64()).to_numpy(zero_copy_only=False)


def _rows(arr: Any, idx: np.ndarray) -> Any:
    """``arr.take(idx)``, or ``arr`` itself when ``idx`` (sorted, distinct) is every row."""
    return arr if len(idx) == len(arr) else arr.take(idx)


_OPEN_RE = re.compile(r"\([^)]*$")  # an unclosed "(" before the number
_CLOSE_RE = re.compile(r"[^(]*\)")  # closed after it


class _Taken:
    """Per-row strings taken from a few distinct ones (signs, exponents), built on demand."""

    def __init__(self, values: list[str], codes: np.ndarray) -> None:
        self.values, self.codes = values, codes

    def as_numpy(self) -> np.ndarray:
        return np.array(self.values, dtype=object)[self.codes]

    def as_arrow(self) -> Any:
        import pyarrow as pa

        return pa.array(self.values, pa.string()).take(pa.array(self.codes))


_BLOCK = 1 << 17


def _workers() -> int:
    """Threads for the string kernels: the cores not busy with other work (at most 4).

    Asked at each call: on a machine whose cores are taken by other processes, threads only
    wait for a core (measured: slower than one thread), so there is no pool then.
    """
    import os

    cores = os.cpu_count() or 1
    try:
        others = max(0.0, os.getloadavg()[0] - 1.0)  # the load, less this process
    except (AttributeError, OSError):  # pragma: no cover - no load average (Windows)
        others = 0.0
    return max(1, min(4, int(cores - others + 0.5)))


@cache
def _digit_classes() -> dict[str, str]:
    """ASCII digit -> the other Unicode decimal digits of that value (for RE2 classes)."""
    out: dict[str, list[str]] = {}
    for cp, digit in _DIGITS.items():
        out.setdefault(digit, []).append(chr(cp))
    return {d: "".join(chars) for d, chars in sorted(out.items())}


class _Lazy:
    """Row access to an arrow string array, for the few rows handled in Python."""

    def __init__(self, arr: Any) -> None:
        self.arr = arr

    def __getitem__(self, i: int | np.integer) -> str:
        return self.arr[int(i)].as_py() or ""


def _engine(
    texts: Any, locale_id: str, default: str | None, *, backend: str = "auto"
) -> dict[str, np.ndarray]:
    """Parse unique texts (a numpy object array or a pyarrow array of str) in one locale.

    Returns arrays ``amount`` (float64), ``currency``, ``approx``, ``error``, ``num`` (the
    number as written), ``power``, ``negative`` and ``exact`` (a Decimal for compounds, else
    None). ``backend`` is "auto" (pyarrow when installed, for more than a few texts), "arrow"
    or "python"; both give the same results (tested).

    The steps: texts beyond the cap are refused before any scanning (O(1) each); the rest are
    normalised and split into prefix, number and suffix (vectorised); texts without a number
    may be a number word ("mille euros"); parenthesised and separator-led numbers are read or
    refused per row; simple numbers are read vectorised with their words looked up once per
    distinct (prefix, suffix); compounds ("1兆9000億円") per row; then the magnitude bound.
    """
    lex = _lexicon(locale_id)
    n = len(texts)
    use_arrow = backend == "arrow" or (backend == "auto" and n > 32 and _arrow() is not None)
    if use_arrow and isinstance(texts, np.ndarray):
        import pyarrow as pa

        try:
            texts = pa.array(texts, type=pa.string())
        except UnicodeEncodeError:  # pyarrow holds UTF-8 only: those texts go the Python way
            lone = _lone_surrogates(texts)
            out = _Parsed(n)
            out.put(np.flatnonzero(~lone), _engine(texts[~lone], locale_id, default))
            python = _engine(texts[lone], locale_id, default, backend="python")
            out.put(np.flatnonzero(lone), python)
            return out.result(None)
    if use_arrow and backend == "auto" and n >= _PLAIN_MIN and _plain_pattern(locale_id):
        return _read_plain(texts, lex, default)
    texts, lengths, too_long = _capped(texts, use_arrow)
    strings = _ArrowStrings(texts) if use_arrow else _PythonStrings(texts)
    out = _Parsed(n)
    matched = _without_number(out, strings, lex, default, lengths, too_long)
    matched = _refuse_parentheses(out, strings, matched)
    matched = _read_leading_separator(out, strings, matched, lex, default)
    compound = matched & strings.post_has_digit()
    valid = matched & strings.valid_number(lex.number_pattern)
    for i in np.flatnonzero(matched & ~valid & ~compound):
        out.error[i] = _malformed(strings.num[i], lex)
    _read_simple(out, strings, np.flatnonzero(valid & ~compound), lex, default)
    _read_compounds(out, strings, np.flatnonzero(compound), lex, default)
    _refuse_huge(out, strings)
    return out.result(strings)


_SURROGATE = re.compile("[\ud800-\udfff]")


def _lone_surrogates(texts: np.ndarray) -> np.ndarray:
    """Which texts hold a lone surrogate (``"\\udcff"``: bytes decoded with
    ``surrogateescape``, a JSON ``\\ud800`` escape), which UTF-8, and so pyarrow, cannot
    hold (looked for only once pyarrow has refused the texts)."""
    return np.fromiter(
        (isinstance(t, str) and _SURROGATE.search(t) is not None for t in texts),
        dtype=bool,
        count=len(texts),
    )


# --- the fast path: plain texts with one well-formed number, read without normalising ---------
#: from this many texts on, the plain ones are picked out first (fewer: the engine is as quick)
_PLAIN_MIN = 1024


@cache
def _plain_pattern(locale_id: str) -> str | None:
    """RE2 pattern of a text with one well-formed number of the locale and no other digit:
    ``pre`` (no digit), ``num``, ``post`` (no digit), as ``_SPLIT`` splits it. None when the
    locale's separators are outside ``_SPLIT``'s number class (no fast path)."""
    lex = _lexicon(locale_id)
    if not set(lex.decimal + lex.group) <= set(".,' "):
        return None
    return rf"(?s)^(?P<pre>[^0-9]*)(?P<num>(?:{lex.number_pattern}))(?P<post>[^0-9]*)$"


@lru_cache(maxsize=1 << 12)
def _plain_pair(pre: str, post: str) -> bool:
    """Words around a number that the general engine would read with :func:`_read_simple`
    alone, exactly as they are: normalising the text changes nothing, the number is not in
    parentheses and no separator comes right before it; no character is newer than Python's
    Unicode database."""
    text = f"{pre}0{post}"
    return (
        _normalise(text) == text
        and all(unicodedata.category(ch) != "Cn" for ch in text)  # pyarrow may know it
        and pre[-1:] not in (".", ",")
        and not (_OPEN_RE.search(pre) and _CLOSE_RE.match(post))
    )


def _read_plain(texts: Any, lex: _Lexicon, default: str | None) -> dict[str, np.ndarray]:
    """The engine's result, the plain texts read vectorised in one pass (split by one RE2
    pattern, words checked and looked up once per distinct pair, numbers cast at once), the
    others by the general engine. Same output as the general engine (tested)."""
    import pyarrow as pa

    pc = _arrow()
    arr = pa.array(texts, type=pa.string()) if isinstance(texts, np.ndarray) else texts
    parts = pc.extract_regex(arr, _plain_pattern(lex.locale))
    hit = parts.is_valid().to_numpy(zero_copy_only=False)
    hit &= pc.binary_length(arr).to_numpy(zero_copy_only=False) <= MAX_TEXT
    rows = np.flatnonzero(hit)
    # pyarrow masks: pyarrow 14 takes no numpy one
    strings = _ArrowStrings.from_parts(
        parts if len(rows) == len(arr) else parts.filter(pa.array(hit))
    )
    codes, pairs = strings.affix_codes(np.arange(len(rows)))
    plain = np.array([_plain_pair(p, q) for p, q in pairs], dtype=bool)[codes]
    got = _Parsed(len(rows))
    _read_simple(got, strings, np.flatnonzero(plain), lex, default)
    _refuse_huge(got, strings)
    if len(rows) == len(arr) and plain.all():  # the usual case: every text is plain
        return got.result(strings)
    out = _Parsed(len(arr))
    out.put(rows[plain], {k: v[plain] for k, v in got.result(strings).items() if k != "num"})
    rest = np.ones(len(arr), dtype=bool)
    rest[rows[plain]] = False
    out.put(
        np.flatnonzero(rest),
        _engine(arr.filter(pa.array(rest)), lex.locale, default, backend="arrow"),
    )
    return out.result(None)


def _capped(texts: Any, use_arrow: bool) -> tuple[Any, np.ndarray, np.ndarray]:
    """The texts (a pyarrow array when ``use_arrow``), their lengths, and which are beyond
    ``MAX_TEXT``: those become empty here, and are refused before any scanning."""
    if use_arrow and isinstance(texts, np.ndarray):
        import pyarrow as pa

        texts = pa.array(texts, type=pa.string())
    if isinstance(texts, np.ndarray):
        lengths = np.fromiter((len(t) for t in texts), dtype=np.int64, count=len(texts))
        too_long = lengths > MAX_TEXT
        if too_long.any():
            texts = np.where(too_long, "", texts).astype(object)
        return texts, lengths, too_long
    pc = _arrow()
    lengths = pc.utf8_length(texts).to_numpy(zero_copy_only=False).astype(np.int64)
    too_long = lengths > MAX_TEXT
    if too_long.any():
        texts = pc.if_else(too_long, "", texts)
    return texts, lengths, too_long


class _Parsed:
    """The engine's result arrays, one element per text, filled step by step."""

    def __init__(self, n: int) -> None:
        self.power = np.zeros(n, dtype=np.int64)
        self.negative = np.zeros(n, dtype=bool)
        self.currency = np.full(n, None, dtype=object)
        self.approx = np.zeros(n, dtype=bool)
        self.exact = np.full(n, None, dtype=object)
        self.amount = np.full(n, np.nan)
        self.error = np.full(n, None, dtype=object)

    def read_row(self, i: int | np.integer, read: Any, *args: Any) -> None:
        """One text read in Python (``read`` returns value, currency, approx; or fails)."""
        try:
            value, self.currency[i], self.approx[i] = read(*args)
        except _Fail as fail:
            self.error[i] = fail.reason
            return
        self.exact[i] = value
        self.amount[i] = float(value)

    def put(self, idx: np.ndarray, got: dict[str, np.ndarray]) -> None:
        """Rows ``idx`` take a partial result (as :meth:`result` returns it)."""
        for name in ("amount", "currency", "approx", "error", "power", "negative", "exact"):
            getattr(self, name)[idx] = got[name]

    def result(self, strings: Any) -> dict[str, np.ndarray]:
        failed = self.error != None  # noqa: E711
        self.currency[failed] = None
        self.approx[failed] = False
        n = len(self.amount)
        return {
            "amount": self.amount,
            "currency": self.currency,
            "approx": self.approx,
            "error": self.error,
            "num": np.array([strings.num[0]] if n == 1 and strings else [], dtype=object),
            "power": self.power,
            "negative": self.negative,
            "exact": self.exact,
        }


def _without_number(
    out: _Parsed,
    strings: Any,
    lex: _Lexicon,
    default: str | None,
    lengths: np.ndarray,
    too_long: np.ndarray,
) -> np.ndarray:
    """Errors for empty, too long and number-less texts (a CLDR number word alone, "mille
    euros", is read); returns the texts that have a number."""
    matched, empty = strings.matched.copy(), strings.empty
    out.error[empty] = "empty text"
    out.error[~empty & ~matched] = "no number"
    for i in np.flatnonzero(too_long):
        out.error[i] = _too_long(int(lengths[i]))
        matched[i] = False
    if lex.number_words:
        for i in np.flatnonzero(~empty & ~matched):
            with suppress(_Fail):
                out.exact[i], out.currency[i], out.approx[i] = _number_word(
                    strings.text(i), lex, default
                )
                out.amount[i], out.error[i] = float(out.exact[i]), None
    return matched


def _refuse_parentheses(out: _Parsed, strings: Any, matched: np.ndarray) -> np.ndarray:
    parens = matched & strings.in_parentheses()
    for i in np.flatnonzero(parens):
        out.error[i] = (
            "the amount is in parentheses, which in accounting means a negative number: "
            "write a minus sign (-5 million) for a negative amount, or drop the parentheses"
        )
    return matched & ~parens


def _read_leading_separator(
    out: _Parsed, strings: Any, matched: np.ndarray, lex: _Lexicon, default: str | None
) -> np.ndarray:
    """A separator right before the number ("$.5 billion"): read per row, never dropped."""
    lead = matched & strings.leading_separator()
    for i in np.flatnonzero(lead):
        out.read_row(i, _leading, strings.num[i], strings.pre[i], strings.post[i], lex, default)
    return matched & ~lead


def _read_compounds(
    out: _Parsed, strings: Any, idx: np.ndarray, lex: _Lexicon, default: str | None
) -> None:
    for i in idx:
        out.read_row(i, _compound, strings.num[i], strings.pre[i], strings.post[i], lex, default)


def _read_simple(
    out: _Parsed, strings: Any, idx: np.ndarray, lex: _Lexicon, default: str | None
) -> None:
    """One number with words around it, vectorised: the words are read once per distinct
    (prefix, suffix) pair (few, even when every text differs), the numbers by one cast."""
    if not len(idx):
        return
    codes, uniques = strings.affix_codes(idx)
    words = _AffixTable(uniques, lex.locale, default)
    out.power[idx] = words.power[codes]
    out.negative[idx] = words.negative[codes]
    out.currency[idx] = words.currency[codes]
    out.approx[idx] = words.approx[codes]
    out.error[idx] = words.error[codes]
    ok = (words.error == None)[codes]  # noqa: E711 - elementwise on an object array
    if not ok.any():
        return
    u_sign = _Taken(["-" if v else "" for v in words.negative], codes[ok])
    u_exp = _Taken([f"e{p}" for p in words.power], codes[ok])
    out.amount[idx[ok]] = strings.floats(idx[ok], u_sign, u_exp, lex)
    # more decimals than the currency has and no scale word: "$1.250" is 1.25 by the
    # locale's rules, but most likely 1,250 written in another locale's style
    check = ok & (words.power[codes] == 0)
    if check.any():
        rows, row_codes = idx[check], codes[check]
        frac = strings.fraction_digits(rows, lex.decimal)
        bad = frac > words.minor_units()[row_codes]
        if bad.any():
            refused = rows[bad]
            out.error[refused] = strings.ambiguous(refused, words.currency[row_codes[bad]], lex)
            out.amount[refused] = np.nan


class _AffixTable:
    """The words around the numbers read once per distinct (prefix, suffix) pair."""

    def __init__(self, pairs: list[tuple[str, str]], locale_id: str, default: str | None):
        m = len(pairs)
        self.power = np.zeros(m, dtype=np.int64)
        self.currency = np.full(m, None, dtype=object)
        self.approx = np.zeros(m, dtype=bool)
        self.negative = np.zeros(m, dtype=bool)
        self.error = np.full(m, None, dtype=object)
        for j, (p, q) in enumerate(pairs):
            try:
                self.power[j], self.currency[j], self.approx[j], self.negative[j] = (
                    _read_affixes(p, q, locale_id, default)
                )
            except _Fail as fail:
                self.error[j] = fail.reason

    def minor_units(self) -> np.ndarray:
        """Decimals of each pair's currency (99 where it has none: never refused)."""
        return np.array([99 if c is None else minor_units(c) for c in self.currency])


def _refuse_huge(out: _Parsed, strings: Any) -> None:
    """Beyond any real sum of money (or overflowing to inf): a misread number, never money."""
    with np.errstate(invalid="ignore"):
        huge = (out.error == None) & ~(np.abs(out.amount) <= MAX_AMOUNT)  # noqa: E711
    for i in np.flatnonzero(huge):
        out.error[i] = (
            f"{_short_repr(strings.num[i])} reads as {out.amount[i]:.3g}, beyond the largest "
            "amount aidcalc reads (1e18 in any currency): check the number and its scale word"
        )
        out.amount[i] = np.nan


def _is_text_dtype(dtype: Any) -> bool:
    return isinstance(dtype, pd.StringDtype)


def _as_texts(uniques: Any) -> Any:
    """Distinct texts as a pyarrow array when they already live in one, else a numpy array."""
    values = getattr(uniques, "array", uniques)
    if _arrow() is not None and isinstance(values, pd.arrays.ArrowStringArray):
        import pyarrow as pa

        arr = pa.array(values)
        if isinstance(arr, pa.ChunkedArray):
            arr = arr.combine_chunks()
        return arr.cast(pa.string())
    return np.asarray(uniques, dtype=object)


def _take(texts: Any, idx: np.ndarray) -> Any:
    if isinstance(texts, np.ndarray):
        return texts[idx]
    return texts.take(idx)


def read_plain_numbers(texts: pd.Series, locale: LocaleLike) -> pd.Series:
    """Numbers written as ``locale`` writes them, without sign, word or symbol
    (``"1,250,000.5"`` in English, ``"1.250.000,5"`` in German), read at once: float64 on
    ``texts``' index, NaN for a text that is not such a number (to be read another way).

    A text is read only when it is well-formed in the locale's grouping (``"2.5"`` is not a
    German number: NaN), so each value read is the one :func:`babel.numbers.parse_decimal`
    gives with ``strict=True`` (tested), a plain space standing for a no-break group space
    (``"1 000"`` in French, as :func:`parse_amount` reads it); RE2 through pyarrow.

    Examples
    --------
    >>> read_plain_numbers(pd.Series(["1,250,000.5", "2.5", "1,25", "x"]), "en").tolist()
    [1250000.5, 2.5, nan, nan]
    >>> read_plain_numbers(pd.Series(["1.250.000,5", "2.5", "0,75"]), "de").tolist()
    [1250000.5, nan, 0.75]
    """
    lex = _lexicon(_locale_id(locale))
    pattern = f"^(?:{lex.number_pattern})$"
    ok: Any = None  # which texts are such numbers (a bool array once matched)
    pc = _arrow()
    if pc is not None:
        import pyarrow as pa

        # texts pyarrow cannot hold (a lone surrogate, a non-text cell) go the Python way
        with suppress(pa.ArrowInvalid, pa.ArrowTypeError, UnicodeEncodeError):
            arr = pa.array(texts.astype(object).to_numpy(), type=pa.string(), from_pandas=True)
            hit = pc.match_substring_regex(arr, pattern).fill_null(False)
            ok = hit.to_numpy(zero_copy_only=False).astype(bool)
    if ok is None:
        ok = texts.astype("string").str.fullmatch(pattern).fillna(False).to_numpy(bool)
    out = pd.Series(np.nan, index=texts.index, dtype="float64")
    if ok.any():
        plain = texts[ok].astype(str).str.replace(lex.group, "", regex=False)
        plain = plain.str.replace(lex.decimal, ".", regex=False)
        out.iloc[np.flatnonzero(ok)] = pd.to_numeric(plain, errors="coerce").to_numpy()
    return out


# --- public API ----------------------------------------------------------------------------------
def _locale_id(locale: LocaleLike) -> str:
    return str(resolve_locale(locale))


def parse_amount(
    text: str, *, locale: LocaleLike = "en", default_currency: str | None = None
) -> Amount:
    """Read one amount of money as written in the press or in official texts.

    Parameters
    ----------
    text
        E.g. ``"$12.1 billion"``, ``"5 Milliarden Euro"``, ``"1兆9000億円"``,
        ``"plus de 64 millions d'euros"``.
    locale
        The language (and region) of the text, as a ``babel.Locale`` or an identifier such
        as ``"de"``, ``"en_CA"``, ``"ja"``. It decides the number format (``1,9`` is 1.9 in
        German), what scale words mean ("billion" is 10^12 in German and French) and what an
        ambiguous symbol stands for (``$`` is CAD in ``en_CA``).
    default_currency
        ISO code used when the text names no currency, or when the locale does not settle
        what a symbol such as ``kr`` stands for.

    Returns
    -------
    Amount
        Exact decimal ``value``, ISO ``currency``, ``approx`` (a hedge such as "about",
        "more than", "rund", "約" was present) and the original ``text``.

    Raises
    ------
    ParseError
        With ``text`` and ``reason``: empty text, no number, malformed number, no currency and
        no default, unknown ISO code, unknown scale word, ambiguous symbol, conflicting
        currencies, ambiguous separator (more decimals than the currency has and no scale
        word: ``"$1.250"`` in ``en``, ``"€1,500"`` in ``de``, ``"￥1.5"``), a separator
        before the number that is not the decimal one, an amount in parentheses, a text
        longer than 1,000 characters, an amount beyond 1e18. When the text reads in another
        locale of its script, the message says which (``"1兆9000億円"``: ``locale='ja'``).

    Examples
    --------
    >>> parse_amount("$12.1 billion")
    Amount(value=Decimal('12100000000'), currency='USD', approx=False, text='$12.1 billion')
    >>> parse_amount("rund 5 Milliarden Euro", locale="de").value
    Decimal('5000000000')
    >>> parse_amount("1,2 Billionen Euro", locale="de").value  # German Billion = 10^12
    Decimal('1200000000000')
    >>> parse_amount("$500 million", locale="en_CA").currency
    'CAD'
    >>> a = parse_amount("約1兆9000億円", locale="ja")
    >>> a.value, a.currency, a.approx
    (Decimal('1900000000000'), 'JPY', True)
    >>> parse_amount("12.1 billion")
    Traceback (most recent call last):
    ...
    aidcalc.ParseError: cannot read '12.1 billion' as an amount: no currency (no symbol, ...
    >>> parse_amount("$1.250")  # 1.25 dollars, or 1,250 in German style? Never a guess.
    Traceback (most recent call last):
    ...
    aidcalc.ParseError: cannot read '$1.250' as an amount: ambiguous separator: '1.250' ...
    >>> parse_amount("$1,250").value, parse_amount("1.250 €", locale="de").value
    (Decimal('1250'), Decimal('1250'))
    >>> parse_amount("$.5 billion").value, parse_amount("₹5 million", locale="en_IN").value
    (Decimal('500000000'), Decimal('5000000'))
    >>> parse_amount("٥٫٥ مليون USD", locale="ar").value
    Decimal('5500000')
    """
    if not isinstance(text, str):
        shown = repr(text)
        shown = shown if len(shown) <= 80 else shown[:77] + "..."
        raise ParseError(
            f"parse_amount needs a str, got {type(text).__name__} {shown}; for a Series use "
            "parse_amounts",
            text=shown,
            reason="not text",
        )
    if len(text) > MAX_TEXT:
        reason = _too_long(len(text))
        raise ParseError(
            f"cannot read {text[:40]!r}... as an amount: {reason}", text=text[:100], reason=reason
        )
    locale_id = _locale_id(locale)
    default = (
        None if default_currency is None else check_currency(default_currency, "default_currency")
    )
    out = _engine(np.array([text], dtype=object), locale_id, default)
    if out["error"][0] is not None:
        reason = out["error"][0]
        hint = _locale_hint(text, locale_id, default)
        raise ParseError(
            f"cannot read {text!r} as an amount: {reason}{hint}", text=text, reason=reason
        )
    if out["exact"][0] is not None:
        value = out["exact"][0]
    else:
        value = _to_decimal(out["num"][0], _lexicon(locale_id)).scaleb(int(out["power"][0]))
        if out["negative"][0]:
            value = -value
    return Amount(value, out["currency"][0], approx=bool(out["approx"][0]), text=text)


#: where a text that fails in its locale is tried, by the script of its letters, to suggest the
#: locale it is written in ("1兆9000億円" without locale="ja")
_HINT_LOCALES = {
    "cjk": ("ja", "zh", "zh_Hant", "ko"),
    "cyrillic": ("uk", "ru", "bg"),
    "greek": ("el",),
    "arabic": ("ar",),
    "latin": ("en", "de", "fr", "it", "es", "pt", "nl", "pl", "sv", "hu"),
}


def _script(text: str) -> str | None:
    for ch in text:
        if ch.isalpha():
            if ch >= _CJK_START:
                return "cjk"
            name = unicodedata.name(ch, "").split(" ")[0]
            if name in ("CYRILLIC", "GREEK", "ARABIC"):
                return name.lower()
    return "latin" if any(ch.isalpha() for ch in text) else None


def _locale_hint(text: str, locale_id: str, default: str | None) -> str:
    """How the text reads in the locales of its script where it does read ("pass locale=")."""
    script = _script(text)
    if script is None:
        return ""
    found: dict[tuple[Decimal, str], list[str]] = {}
    for cand in _HINT_LOCALES[script]:
        if cand == locale_id:
            continue
        try:
            out = _engine(np.array([text], dtype=object), cand, default)
        except Exception:
            continue
        if out["error"][0] is None:
            exact = out["exact"][0]
            if exact is None:
                exact = _to_decimal(out["num"][0], _lexicon(cand)).scaleb(int(out["power"][0]))
                exact = -exact if out["negative"][0] else exact
            found.setdefault((exact, out["currency"][0]), []).append(cand)
    if not found or (script == "latin" and sum(len(c) for c in found.values()) > 1):
        return ""  # Latin script: only when one language reads it (no "billion" guessing)
    shown = "; ".join(
        f"{value:,f} {code} with locale={cands[0]!r}" for (value, code), cands in found.items()
    )
    return f" (it reads as {shown}: pass the locale the text is written in)"


def _per_row(values: Any, series: pd.Series, what: str, check: Any) -> tuple[np.ndarray, list[Any]]:
    """Codes and checked unique values of a scalar-or-Series option (per-row locale, default)."""
    if not isinstance(values, pd.Series):
        return np.zeros(len(series), dtype=np.int64), [check(values)]
    if not values.index.equals(series.index):
        raise ParseError(
            f"the {what} Series must have the same index as the texts (align it first, e.g. "
            f"{what}.reindex(texts.index))",
            text="",
            reason=f"misaligned {what}",
        )
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    checked = [check(v) for v in uniques]
    if (codes < 0).any():  # NA: no locale (an error) or no default currency
        checked.append(check(None))
        codes = np.where(codes < 0, len(checked) - 1, codes)
    return codes.astype(np.int64), checked


def _short(value: Any) -> Any:
    return value[:100] + "..." if isinstance(value, str) and len(value) > 100 else value


def _short_repr(value: Any) -> str:
    shown = repr(value)
    return shown if len(shown) <= 80 else f"{shown[:60]}... ({len(shown):,} characters)"


def _as_series(values: Any) -> pd.Series:
    """The texts as a Series; a DataFrame, a 2-D array, a lone str or a mapping is refused."""
    if isinstance(values, pd.Series):
        return values
    what = type(values).__name__
    if isinstance(values, pd.DataFrame):
        raise ParseError(
            f"parse_amounts takes one column of texts (a Series), got a DataFrame with columns "
            f"{list(values.columns)[:5]}: pass frame['column']",
            text=what,
            reason="not one column",
        )
    if isinstance(values, (str, bytes)):
        raise ParseError(
            f"parse_amounts takes a column of texts, got one {what} {_short_repr(values)}: use "
            "parse_amount for a single text, or wrap it in a list",
            text=_short(str(values)),
            reason="not a column",
        )
    if isinstance(values, (dict, set, frozenset)) or not isinstance(values, Iterable):
        raise ParseError(
            f"parse_amounts takes a Series or a list of texts, got {what}"
            + (": pass pd.Series(mapping)" if isinstance(values, dict) else ""),
            text=what,
            reason="not a column",
        )
    ndim = getattr(values, "ndim", 1)
    if ndim != 1:
        raise ParseError(
            f"parse_amounts takes a 1-D column of texts, got a {ndim}-D {what} of shape "
            f"{getattr(values, 'shape', '?')}",
            text=what,
            reason="not one column",
        )
    items = list(values)
    if any(isinstance(v, (list, tuple, np.ndarray, pd.Series)) for v in items[:1000]):
        raise ParseError(
            f"parse_amounts takes a 1-D column of texts, got nested sequences in a {what}",
            text=what,
            reason="not one column",
        )
    return pd.Series(items, dtype=object)


#: below this many rows texts are always deduplicated; above it only when a sample repeats
_DEDUP_ALWAYS = 50_000
_DEDUP_SAMPLE = 10_000


def _distinct(series: pd.Series) -> tuple[np.ndarray, Any]:
    """Codes (-1 for missing) and distinct texts, as :func:`pandas.factorize` gives them;
    when an even sample of a large column has (almost) no repeats, every present row is its
    own text instead: hashing a million distinct strings only to find no duplicates costs
    about as much as reading them. Parsing a text does not depend on the others, so the
    result is the same either way (tested)."""
    n = len(series)
    if n > _DEDUP_ALWAYS:
        sample = series.iloc[:: max(1, n // _DEDUP_SAMPLE)]
        present = sample.dropna()
        if len(present) and present.nunique() >= 0.95 * len(present):
            return _each_its_own(series)
    try:
        return pd.factorize(series, use_na_sentinel=True)
    except TypeError:  # a list or a dict in a cell cannot be hashed: not a text, said per row
        return _each_its_own(series)


def _each_its_own(series: pd.Series) -> tuple[np.ndarray, Any]:
    """Codes and texts as :func:`_distinct` gives them, every present row its own text."""
    valid = series.notna().to_numpy()
    codes = np.full(len(series), -1, dtype=np.intp)
    codes[valid] = np.arange(int(valid.sum()))
    return codes, pd.Index(series[valid].array, dtype=series.dtype, copy=False)


def _row_locale(value: Any) -> str | ParseError:
    """The locale of the rows holding ``value`` in a per-row locale Series: missing (None,
    NaN) means the default locale (``"en"``); an unknown one is those rows' problem, kept as
    its error (the rows fail with its reason, as any unreadable text does)."""
    try:
        return _locale_id(value)
    except ParseError as err:
        return err


def _check_default(value: Any) -> str | None:
    return None if value is None else check_currency(value, "default_currency")


def parse_amounts(
    series: pd.Series | Iterable[Any],
    *,
    locale: LocaleLike | pd.Series = "en",
    default_currency: str | pd.Series | None = None,
    errors: Errors = "raise",
) -> pd.DataFrame:
    """Read a column of amounts, vectorised; same rows, order and index as the input.

    Parameters
    ----------
    series
        Texts such as ``"$12.1 billion"`` (a Series; a list, tuple, 1-D array or other 1-D
        iterable gets a RangeIndex). The caller's Series is not modified. A DataFrame, a
        2-D array, a lone str or a mapping is refused (:class:`~aidcalc.ParseError`).
    locale
        One locale for all rows (``None``: the default, ``"en"``), or a Series of locale
        identifiers with the same index as ``series`` (one language per row, e.g. a pledges
        file mixing Italian and German). In the Series a missing locale (None, NaN) means the
        default, ``"en"``; an unknown one fails its rows like an unreadable text (named by
        the error with ``errors="raise"``, NaN and the reason with ``"coerce"``).
    default_currency
        ISO code for texts that name no currency (see :func:`parse_amount`); also a Series
        aligned with ``series`` (e.g. each donor's own currency), NA meaning no default.
    errors
        ``"raise"`` (default): a :class:`~aidcalc.ParseError` naming the failing rows, their
        texts and why. ``"coerce"``: those rows get NaN and the reason in ``error``.

    Returns
    -------
    pandas.DataFrame
        Columns ``amount`` (float64, the exact decimal correctly rounded), ``currency`` (ISO
        code, NA on failure), ``approx`` (bool), ``error`` (NA or the reason).

    Notes
    -----
    Each distinct text is read once; the number is validated and converted by vectorised
    string operations and the words around it (few distinct ones, even when every text is
    different) are looked up once each.

    Examples
    --------
    >>> s = pd.Series(["$12.1 billion", "rund 5 Mrd. €", "nonsense"], index=[10, 11, 12])
    >>> parse_amounts(s, locale=pd.Series(["en", "de", "en"], index=s.index), errors="coerce")
              amount currency  approx      error
    10  1.210000e+10      USD   False        NaN
    11  5.000000e+09      EUR    True        NaN
    12           NaN      NaN   False  no number
    >>> parse_amounts(["¥1.9 trillion", "£2.5bn", "10 milioni"], locale="it")
    Traceback (most recent call last):
    ...
    aidcalc.ParseError: cannot read 3 rows (index 0, 1, 2) as amounts: index 0: ...
    >>> parse_amounts(["¥1.9 trillion", "£2.5bn"])["amount"].tolist()
    [1900000000000.0, 2500000000.0]
    """
    check_errors(errors, func="parse_amounts")
    series = _as_series(series)
    row_check = _row_locale if isinstance(locale, pd.Series) else _locale_id
    loc_codes, loc_ids = _per_row(locale, series, "locale", row_check)
    def_codes, defaults = _per_row(default_currency, series, "default_currency", _check_default)
    # every distinct (text, locale, default) combination is parsed once
    text_codes, text_uniques = _distinct(series)
    combos = _Combos(text_codes, (loc_codes, def_codes, len(defaults)), len(text_uniques),
                     len(loc_ids) * len(defaults))  # fmt: skip
    parsed = _parse_combos(combos, series, text_uniques, loc_ids, defaults)
    amount, currency, approx, error = _per_text_row(parsed, combos, text_codes >= 0)
    failed = error != None  # noqa: E711
    currency[failed] = np.nan
    if errors == "raise" and failed.any():
        _raise_unread(series, error, failed)
    index = series.index
    return pd.DataFrame(
        {
            AMOUNT: pd.Series(amount, index=index, dtype="float64"),
            CURRENCY: pd.Series(currency, index=index, dtype=object),
            APPROX: pd.Series(approx, index=index, dtype=bool),
            ERROR: pd.Series(np.where(failed, error, np.nan), index=index, dtype=object),
        },
        index=index,
    )


def _per_text_row(
    parsed: _Parsed, combos: _Combos, valid: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Amount, currency, approx and error of every row from its combination's result (the
    result itself when each row is its own combination, in order); missing texts say so."""
    fields = (parsed.amount, parsed.currency, parsed.approx, parsed.error)
    n = len(valid)
    if valid.all() and len(combos.text) == n and np.array_equal(combos.codes, np.arange(n)):
        return fields
    amount = np.full(n, np.nan)
    currency = np.full(n, np.nan, dtype=object)
    approx = np.zeros(n, dtype=bool)
    error = np.full(n, None, dtype=object)
    error[~valid] = "missing value"
    for whole, part in zip((amount, currency, approx, error), fields, strict=True):
        whole[valid] = part[combos.codes]
    return amount, currency, approx, error


class _Combos:
    """The distinct (text, locale, default) combinations of the present rows: ``codes`` (one
    per present row), and per combination its ``text`` and ``group`` (locale x default)."""

    def __init__(
        self,
        text_codes: np.ndarray,
        per_row: tuple[np.ndarray, np.ndarray, int],
        n_texts: int,
        n_groups: int,
    ) -> None:
        valid = text_codes >= 0
        if n_groups == 1:
            self.codes = text_codes[valid]
            self.text = np.arange(n_texts)
            self.group = np.zeros(n_texts, dtype=np.int64)
            return
        loc_codes, def_codes, n_defaults = per_row
        group = loc_codes * n_defaults + def_codes
        key = text_codes[valid].astype(np.int64) * n_groups + group[valid]
        self.codes, keys = pd.factorize(key)
        keys = np.asarray(keys, dtype=np.int64)
        self.text, self.group = keys // n_groups, keys % n_groups


def _parse_combos(
    combos: _Combos, series: pd.Series, text_uniques: Any, loc_ids: list[Any], defaults: list[Any]
) -> _Parsed:
    """Each combination parsed by the engine, one call per (locale, default) group."""
    uniques = _as_texts(text_uniques)
    if _is_text_dtype(series.dtype):
        is_str = None  # all str
    elif pd.api.types.infer_dtype(text_uniques, skipna=False) == "string":
        is_str = None
    else:
        is_str = np.array([isinstance(v, str) for v in text_uniques], dtype=bool)
    out = _Parsed(len(combos.text))
    out.currency[:] = np.nan
    for g in np.unique(combos.group):
        loc_id, default = loc_ids[g // len(defaults)], defaults[g % len(defaults)]
        sel = np.flatnonzero(combos.group == g)
        if isinstance(loc_id, ParseError):  # an unknown per-row locale: its rows fail
            out.error[sel] = str(loc_id)
            continue
        if is_str is not None:
            for j in sel[~is_str[combos.text[sel]]]:
                out.error[j] = f"not text ({type(text_uniques[combos.text[j]]).__name__})"
            sel = sel[is_str[combos.text[sel]]]
        if not len(sel):
            continue
        got = _engine(_take(uniques, combos.text[sel]), loc_id, default)
        if len(sel) == len(out.amount):  # one group of texts only: the engine's own arrays
            out.amount, out.currency, out.approx, out.error = (
                got["amount"], got["currency"], got["approx"], got["error"]
            )  # fmt: skip
            continue
        out.amount[sel] = got["amount"]
        out.currency[sel] = got["currency"]
        out.approx[sel] = got["approx"]
        out.error[sel] = got["error"]
    return out


def _raise_unread(series: pd.Series, error: np.ndarray, failed: np.ndarray) -> None:
    where = np.flatnonzero(failed)
    labels = series.index[where]
    shown = "; ".join(
        f"index {series.index[i]}: {_short_repr(series.iloc[i])} ({error[i]})" for i in where[:5]
    )
    more = f"; ... and {len(where) - 5} more" if len(where) > 5 else ""
    raise ParseError(
        f"cannot read {describe_rows(labels)} as amounts: {shown}{more}. Fix the text, pass "
        "locale=/default_currency=, or use errors='coerce' to get NaN with the reason in an "
        "'error' column",
        text=[_short(series.iloc[i]) for i in where],
        reason=[error[i] for i in where],
        rows=list(labels),
    )
