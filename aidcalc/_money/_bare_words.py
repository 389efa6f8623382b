"""Bare currency words ("dollars", "долларов", "달러", "dólares") derived from CLDR.

CLDR names currencies in full ("US dollar", "доллар США", "미국 달러"); the press writes the
bare word ("1,2 млрд долларов", "19억 달러"). The bare word of a *family* of currencies is the
word its members' CLDR names share, in each plural form: the names of USD, CAD and AUD share
"dollar"/"dollars" in English, "доллар"/"доллара"/"долларов" in Russian, "달러" in Korean. A bare
word stands for one member of its family, decided by the locale (:func:`family_of`): never for
a currency outside it (``dólares`` in ``es_MX``, where ``$`` is the peso, is not MXN).

The words CLDR does not yield this way (Japanese ``ドル``, the Icelandic compounds) are in
``datasets/parse_words.csv``, whose bare words get their family the same way.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from babel import Locale

__all__ = ["FAMILIES", "bare_words", "family_of"]

#: family anchor (the symbol whose meaning a bare word takes) -> two or three members of the
#: family from different countries, whose CLDR names share only the family's word
FAMILIES: dict[str, tuple[str, ...]] = {
    "$": ("USD", "CAD", "AUD"),
    "£": ("GBP", "EGP"),
    "rs": ("INR", "PKR"),
    "kr": ("SEK", "NOK"),
}
_TOKEN = re.compile(r"[^\W\d_]+")
_CJK_START = "\u2e80"


def _name_forms(loc: Locale, code: str) -> dict[str, str]:
    """Plural category -> CLDR name of ``code`` (``"display"``: the name alone)."""
    out = {"display": loc.currencies.get(code) or ""}
    out.update(dict(loc._data["currency_names_plural"].get(code, {})))
    return out


def _tokens(name: str) -> set[str]:
    return {t for t in _TOKEN.findall(name.lower()) if len(t) > 2 or t[0] >= _CJK_START}


@lru_cache(maxsize=256)
def bare_words(locale_id: str) -> dict[str, str]:
    """Bare word (lower case) -> family anchor, in every plural form CLDR has.

    Examples
    --------
    >>> sorted(w for w, a in bare_words("ru").items() if a == "$")
    ['доллар', 'доллара', 'долларов']
    >>> bare_words("ko")["달러"]
    '$'
    """
    from babel import Locale

    loc = Locale.parse(locale_id)
    out: dict[str, str] = {}
    for anchor, codes in FAMILIES.items():
        forms = [_name_forms(loc, code) for code in codes]
        for category in set().union(*forms):
            names = [f.get(category) or f.get("other") or f["display"] for f in forms]
            for word in sorted(set.intersection(*(_tokens(n) for n in names))):
                out.setdefault(word, anchor)
    return out


@lru_cache(maxsize=4096)
def family_of(word: str, locale_id: str, anchor: str) -> frozenset[str]:
    """The currencies a bare word can stand for in a locale's language: those whose CLDR name
    (any plural form) holds it as a word (CJK: anywhere in the name), and the anchor's
    exemplars.

    Examples
    --------
    >>> sorted({"USD", "CAD", "MXN"} & family_of("dólares", "es_MX", "$"))
    ['CAD', 'USD']
    """
    from babel import Locale

    loc = Locale.parse(locale_id)
    out = set(FAMILIES.get(anchor, ()))
    cjk = word[:1] >= _CJK_START
    for code in {*loc.currencies, *loc._data["currency_names_plural"]}:
        for name in _name_forms(loc, code).values():
            low = name.lower()
            if (word in low) if cjk else (word in _tokens(low)):
                out.add(code)
                break
    return frozenset(out)
