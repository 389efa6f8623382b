"""The message catalogue: every text a chart or the report writes, in every language.

One table, ``labels.csv`` beside this module (``key`` then one column per language of
:data:`LANGUAGES`), holds the chart texts (titles, axis labels, footnotes, left-out notes), the
report page's strings and the coverage table's words. Plural forms are rows of their own:
``key_one``, ``key_few``, ``key_many``, ``key_other`` (CLDR plural categories, chosen through
babel's ``Locale.plural_form``). A locale uses babel's best match among :data:`LANGUAGES`
(``de_AT`` -> ``de``); a language without texts gets English, with one
:class:`TranslationWarning` per locale and process.
"""

from __future__ import annotations

import csv
import warnings
from functools import cache
from pathlib import Path
from typing import Any

from ._locale import LocaleLike, resolve_locale

__all__ = [
    "CATALOGUE",
    "LANGUAGES",
    "Labels",
    "TranslationWarning",
    "catalogue",
    "catalogue_language",
    "get_label",
    "has_label",
    "label",
    "plural_label",
]

#: the languages every text of the catalogue is written in
LANGUAGES = ("en", "de", "fr", "it", "ja", "uk")
#: the catalogue file
CATALOGUE = Path(__file__).resolve().with_name("labels.csv")


class TranslationWarning(UserWarning):
    """The chart language has no translations in aidcalc's label catalogue: its texts are
    drawn in English (numbers, dates and names are still written the locale's way).
    Warned once per locale and process."""


_WARNED: set[str] = set()


@cache
def catalogue() -> dict[str, dict[str, str]]:
    """Every key with its text per language (read once).

    Examples
    --------
    >>> catalogue()["demining"]["de"]
    'Minenräumung'
    """
    with CATALOGUE.open(encoding="utf-8", newline="") as handle:
        return {row["key"]: {lang: row[lang] for lang in LANGUAGES}
                for row in csv.DictReader(handle)}


def has_label(key: str) -> bool:
    """Whether the catalogue has ``key``.

    Examples
    --------
    >>> has_label("col_donor"), has_label("col_nothing")
    (True, False)
    """
    return key in catalogue()


@cache
def _negotiate(identifier: str) -> str | None:
    from babel import negotiate_locale

    return negotiate_locale([identifier], list(LANGUAGES), sep="_")


def catalogue_language(locale: LocaleLike) -> str:
    """The catalogue language used for ``locale``: babel's best match among
    :data:`LANGUAGES` (``de_AT`` -> ``de``, ``ja_JP`` -> ``ja``), else English with one
    :class:`TranslationWarning` per locale and process.

    Examples
    --------
    >>> catalogue_language("de_AT"), catalogue_language("fr-CA"), catalogue_language("ja")
    ('de', 'fr', 'ja')
    """
    loc = resolve_locale(locale)
    identifier = str(loc)
    lang = _negotiate(identifier)
    if lang is None:
        lang = _negotiate(str(loc.language)) or "en"
        if lang == "en" and loc.language != "en" and identifier not in _WARNED:
            _WARNED.add(identifier)
            warnings.warn(
                f"aidcalc has no chart texts in {loc.get_display_name('en')} ({identifier!r}); "
                f"titles, labels and notes are in English (numbers, dates and names are "
                f"still written the {identifier!r} way). Languages with texts: "
                f"{', '.join(LANGUAGES)}",
                TranslationWarning,
                stacklevel=3,
            )
    return lang


def get_label(key: str, locale: LocaleLike = "en") -> str:
    """The label for ``key`` (a category, a lifecycle stage or a chart text) in ``locale``.

    Unknown keys come back readable (underscores as spaces, first letter upper case); a
    regional locale uses its language (``de_AT`` -> German); a language without texts falls
    back to English with one :class:`TranslationWarning` per locale.

    Examples
    --------
    >>> get_label("demining", "de")
    'Minenräumung'
    >>> get_label("energy", "ja")
    'エネルギー'
    >>> get_label("reconstruction", "de_AT")
    'Wiederaufbau'
    >>> get_label("water_supply")
    'Water supply'
    """
    entry = catalogue().get(key)
    if entry is None:
        text = str(key).replace("_", " ")
        return text[:1].upper() + text[1:]
    return entry.get(catalogue_language(locale)) or entry["en"]


def label(key: str, locale: LocaleLike = "en", /, **fields: Any) -> str:
    """The text of ``key`` in ``locale`` with ``fields`` filled in (the template itself when
    there are none).

    Examples
    --------
    >>> label("note_group", "fr", group="G7")
    "Donateurs : membres du G7 et institutions de l'UE."
    """
    text = get_label(key, locale)
    return text.format(**fields) if fields else text


def plural_label(
    key: str, count: float, locale: LocaleLike = "en", /, **fields: Any
) -> str:
    """``key`` in the plural form ``locale`` uses for ``count`` (``key_one``, ``key_few``, ...,
    then ``key_other``, where the catalogue has them), else ``key`` itself; ``fields`` filled
    in (``n`` is not added: pass it formatted as the text needs it).

    Examples
    --------
    >>> [plural_label("rows", n, "uk", n=n) for n in (1, 3, 5)]
    ['1 рядок', '3 рядки', '5 рядків']
    >>> plural_label("rows", 1, "en", n=1), plural_label("rows", 2, "en", n=2)
    ('1 row', '2 rows')
    """
    loc = resolve_locale(locale)
    form = loc.plural_form(abs(count))
    table = catalogue()
    for candidate in (f"{key}_{form}", f"{key}_other"):
        if candidate in table:
            return label(candidate, loc, **fields)
    return label(key, loc, **fields)


class Labels:
    """The catalogue bound to one locale: ``labels("note_fx", to="EUR")``,
    ``labels.plural("rows", 3, n=3)``.

    Examples
    --------
    >>> de = Labels("de")
    >>> de("pledged"), de.plural("rows", 1, n=1)
    ('Angekündigt', '1 Zeile')
    """

    def __init__(self, locale: LocaleLike) -> None:
        self.locale = resolve_locale(locale)

    def __call__(self, key: str, /, **fields: Any) -> str:
        return label(key, self.locale, **fields)

    def plural(self, key: str, count: float, /, **fields: Any) -> str:
        return plural_label(key, count, self.locale, **fields)

