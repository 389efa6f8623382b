"""Donor names in many languages to ISO 3166 alpha-3 / OECD codes, and back to display names.

Codes: ISO 3166-1 alpha-3 for countries (``USA``, ``JPN``, ``DEU`` ...), plus ``EUI`` (EU
institutions, the OECD DAC donor code), ``EUU`` (the European Union as a whole) and ``EMU``
(the euro area), both World Bank codes, ``DAC`` and ``G7C`` (OECD DAC aggregates), and two
aidcalc codes for EU bodies that have no standard alpha code: ``EIB`` (European Investment Bank)
and ``EPF`` (European Peace Facility).

Names are matched case-, accent- and punctuation-insensitively against, in this order: the
code itself, the territory names of the requested locale (babel/CLDR), the alias table
``datasets/donor_aliases.csv``, English territory names, ISO 3166-1 English names, then the
territory names of every base locale babel ships (built on first need, cached).
"""

from __future__ import annotations

import difflib
import unicodedata
from collections import Counter
from functools import cache
from typing import Literal

import numpy as np
import pandas as pd

from ._datasets import read_dataset
from ._errors import UnknownDonorError, describe_rows, join_values
from ._locale import LocaleLike, resolve_locale

__all__ = ["donor_code", "donor_codes", "donor_name"]

#: babel territory codes that are not ISO 3166-1 but name donors
_BABEL_EXTRA = {"EU": "EUU", "EZ": "EMU"}


def _norm(text: str) -> str:
    """Normalise a name for matching: no case, accents, punctuation or spaces.

    >>> _norm("  The Royaume-Uni ")
    'royaumeuni'
    >>> _norm("U.S.")
    'us'
    """
    text = unicodedata.normalize("NFKD", str(text)).casefold()
    text = "".join(ch if ch.isalnum() else " " for ch in text if not unicodedata.combining(ch))
    words = text.split()
    if len(words) > 1 and words[0] == "the":
        words = words[1:]
    return "".join(words)


@cache
def _iso2_to_iso3() -> dict[str, str]:
    table = read_dataset("iso3166", copy=False)
    mapping = dict(zip(table["iso2"], table["iso3"], strict=True))
    mapping.update(_BABEL_EXTRA)
    return mapping


@cache
def _special_codes() -> frozenset[str]:
    aliases = read_dataset("donor_aliases", copy=False)
    return frozenset(aliases.loc[aliases["code_type"] != "country", "iso3"])


@cache
def _all_codes() -> frozenset[str]:
    return frozenset(_iso2_to_iso3().values()) | _special_codes()


@cache
def _alias_index() -> dict[str, str]:
    aliases = read_dataset("donor_aliases", copy=False)
    labels = read_dataset("donor_labels", copy=False)  # display names are names people write
    out = {_norm(a): c for a, c in zip(labels["name"], labels["iso3"], strict=True)}
    out.update({_norm(a): c for a, c in zip(aliases["alias"], aliases["iso3"], strict=True)})
    return out


@cache
def _iso_name_index() -> dict[str, str]:
    table = read_dataset("iso3166", copy=False)
    return {_norm(n): c for n, c in zip(table["name"], table["iso3"], strict=True)}


@cache
def _locale_index(identifier: str) -> dict[str, str]:
    from babel import Locale

    iso = _iso2_to_iso3()
    out: dict[str, str] = {}
    for key, name in Locale.parse(identifier).territories.items():
        if key in iso:
            out.setdefault(_norm(name), iso[key])
    return out


@cache
def _all_locales_index() -> dict[str, str]:
    """Territory names of every base locale babel ships; names meaning two codes are dropped."""
    from babel import localedata

    votes: dict[str, Counter[str]] = {}
    for ident in localedata.locale_identifiers():
        if "_" in ident:  # regional variants repeat their language's names
            continue
        try:
            index = _locale_index(ident)
        except Exception:  # pragma: no cover - a locale babel cannot load
            continue
        for key, code in index.items():
            votes.setdefault(key, Counter())[code] += 1
    return {k: c.most_common(1)[0][0] for k, c in votes.items() if len(c) == 1 and k}


def _direct_code(text: str) -> str | None:
    raw = text.strip()
    upper = raw.upper()
    if raw == upper and upper in _all_codes():
        return upper
    if raw == upper and len(upper) == 2 and upper in _iso2_to_iso3():
        return _iso2_to_iso3()[upper]
    return None


def _match(name: str, locale_id: str) -> str | None:
    code = _direct_code(name)
    if code:
        return code
    key = _norm(name)
    if not key:
        return None
    indexes = (_locale_index(locale_id), _alias_index(), _locale_index("en"), _iso_name_index())
    for index in indexes:
        if key in index:
            return index[key]
    if key.upper() in _all_codes() and len(key) == 3:  # "usa", "jpn" written in lower case
        return key.upper()
    return _all_locales_index().get(key)


def _suggest(name: str, locale_id: str) -> list[str]:
    key = _norm(name)
    labels: dict[str, str] = {}
    for ident in dict.fromkeys((locale_id, "en")):
        from babel import Locale

        iso = _iso2_to_iso3()
        for k, v in Locale.parse(ident).territories.items():
            if k in iso:
                labels.setdefault(_norm(v), f"{v} ({iso[k]})")
    aliases = read_dataset("donor_aliases", copy=False)
    for a, c in zip(aliases["alias"], aliases["iso3"], strict=True):
        labels.setdefault(_norm(a), f"{a} ({c})")
    close = difflib.get_close_matches(key, list(labels), n=3, cutoff=0.6)
    return [labels[k] for k in close]


def _locale_id(locale: LocaleLike) -> str:
    loc = resolve_locale(locale)
    return str(loc.language)


def _unknown(name: object, locale_id: str) -> UnknownDonorError:
    suggestions = _suggest(str(name), locale_id) if isinstance(name, str) else []
    hint = f"did you mean {', '.join(suggestions)}? " if suggestions else ""
    return UnknownDonorError(
        f"unknown donor {name!r} (locale {locale_id!r}): {hint}pass an ISO 3166 alpha-3 code "
        "(or EUI for the EU institutions, EUU for the EU, EMU for the euro area), or the name "
        "in another locale=",
        name=name,
        suggestions=suggestions,
    )


def donor_code(name: str, *, locale: LocaleLike = "en") -> str:
    """Map a donor name as people write it to its code.

    Parameters
    ----------
    name
        A country or institution name in any language babel knows ("Deutschland",
        "Royaume-Uni", "日本"), a common alias ("U.S.", "UK", "EU (Commission and Council)"),
        or a code ("JPN", "JP").
    locale
        The language tried first (names can mean different countries in different languages).

    Returns
    -------
    str
        ISO 3166 alpha-3 code, or one of ``EUI``, ``EUU``, ``EMU``, ``EIB``, ``EPF``, ``DAC``,
        ``G7C`` (see the module docstring).

    Raises
    ------
    UnknownDonorError
        With up to three close suggestions (``err.suggestions``).

    Examples
    --------
    >>> donor_code("U.S.")
    'USA'
    >>> donor_code("Deutschland"), donor_code("Royaume-Uni"), donor_code("日本")
    ('DEU', 'GBR', 'JPN')
    >>> donor_code("EU (Commission and Council)"), donor_code("European Commission")
    ('EUI', 'EUI')
    >>> donor_code("Germny")
    Traceback (most recent call last):
    ...
    aidcalc._errors.UnknownDonorError: unknown donor 'Germny' ... did you mean Germany (DEU), ...
    """
    locale_id = _locale_id(locale)
    if not isinstance(name, str) or not name.strip():
        raise UnknownDonorError(
            f"donor name must be a non-empty string, got {name!r}", name=name, suggestions=[]
        )
    code = _match(name, locale_id)
    if code is None:
        raise _unknown(name, locale_id)
    return code


def donor_codes(
    series: pd.Series | list[str],
    *,
    locale: LocaleLike = "en",
    errors: Literal["raise", "coerce"] = "raise",
) -> pd.Series:
    """Map a column of donor names to codes (vectorised: each distinct name is matched once).

    Parameters
    ----------
    series
        Donor names (a Series keeps its index and name; a list gets a RangeIndex).
    locale
        Language tried first, as in :func:`donor_code`.
    errors
        ``"raise"``: one :class:`UnknownDonorError` listing every unknown name with the rows and
        suggestions. ``"coerce"``: unknown names become ``<NA>``. Missing values stay missing.

    Returns
    -------
    pandas.Series
        Codes (``str`` dtype), aligned with the input.

    Examples
    --------
    >>> donor_codes(pd.Series(["Japan", "Japan", "EU (Commission and Council)", None])).tolist()
    ['JPN', 'JPN', 'EUI', nan]
    >>> donor_codes(["Frankreich", "Atlantis"], locale="de", errors="coerce").tolist()
    ['FRA', nan]
    """
    if errors not in ("raise", "coerce"):
        raise ValueError(f"errors must be 'raise' or 'coerce', got {errors!r}")
    if not isinstance(series, pd.Series):
        series = pd.Series(list(series), dtype=object)
    locale_id = _locale_id(locale)
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    mapped: list[object] = []
    unknown: list[tuple[int, object]] = []
    for i, value in enumerate(uniques):
        code = _match(value, locale_id) if isinstance(value, str) and value.strip() else None
        if code is None:
            unknown.append((i, value))
        mapped.append(code if code is not None else np.nan)
    if unknown and errors == "raise":
        bad = np.isin(codes, [i for i, _ in unknown])
        first = _unknown(unknown[0][1], locale_id)
        names = [v for _, v in unknown]
        raise UnknownDonorError(
            f"{len(names)} unknown donor name(s) {join_values(names)} in "
            f"{describe_rows(series.index[bad])}; first: {first.message}. Fix the names, map "
            "them yourself, or use errors='coerce' to get <NA>",
            name=names,
            suggestions=first.suggestions,
        )
    lookup = np.array([*mapped, np.nan], dtype=object)  # last slot for missing (code -1)
    out = lookup[codes]
    return pd.Series(out, index=series.index, name=series.name, dtype="str")


@cache
def _labels() -> dict[tuple[str, str], str]:
    table = read_dataset("donor_labels", copy=False)
    columns = (table["iso3"], table["locale"], table["name"])
    return {(c, lang): n for c, lang, n in zip(*columns, strict=True)}


def donor_name(code: str, *, locale: LocaleLike = "en") -> str:
    """Display name of a donor code in a language (for chart labels and reports).

    Country names come from babel's CLDR territory names; EU bodies and DAC aggregates from
    ``datasets/donor_labels.csv`` (English when the language is missing there).

    Examples
    --------
    >>> donor_name("DEU", locale="de"), donor_name("JPN", locale="ja")
    ('Deutschland', '日本')
    >>> donor_name("EUI", locale="de"), donor_name("EUU")
    ('EU-Institutionen', 'European Union')
    >>> donor_name("usa")
    'United States'
    """
    loc = resolve_locale(locale)
    if not isinstance(code, str):
        raise UnknownDonorError(f"donor code must be a string, got {code!r}", name=code)
    upper = code.strip().upper()
    if upper not in _all_codes():
        upper = donor_code(code, locale=loc)
    labels = _labels()
    for key in ((upper, str(loc.language)), (upper, "en")):
        if key in labels:
            return labels[key]
    iso2 = {v: k for k, v in _iso2_to_iso3().items()}.get(upper)
    if iso2 and iso2 in loc.territories:
        return str(loc.territories[iso2])
    if iso2:
        from babel import Locale

        return str(Locale("en").territories.get(iso2, upper))
    return upper  # pragma: no cover - every code has a label or an ISO entry
