"""ISO 4217 currencies: which codes exist and are current, their minor units, and the one rule
for currency *arguments* (:func:`check_currency`), with suggestions for mistyped codes.

The owner of these facts for the whole package: :mod:`._amount`, :mod:`._parsing`,
:mod:`._rates` and :mod:`._convert` ask here (all from babel's CLDR data, read once).
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache, lru_cache
from typing import Any

from .._base._errors import CurrencyCodeError, join_values

__all__ = [
    "active_codes",
    "check_currencies",
    "check_currency",
    "code_hint",
    "currency_suggestions",
    "did_you_mean",
    "iso_codes",
    "minor_units",
]


@cache
def iso_codes() -> frozenset[str]:
    """Every ISO 4217 code babel knows (current and historic).

    Examples
    --------
    >>> {"USD", "UAH", "DEM"} <= iso_codes(), "YEN" in iso_codes()
    (True, False)
    """
    from babel.numbers import list_currencies

    return frozenset(list_currencies())


@cache
def active_codes() -> frozenset[str]:
    """The codes that are legal tender in some territory today (no DEM, no ZWD).

    Examples
    --------
    >>> "EUR" in active_codes(), "DEM" in active_codes()
    (True, False)
    """
    from babel.core import get_global

    active = set()
    for entries in get_global("territory_currencies").values():
        for code, _start, end, tender in entries:
            if end is None and tender:
                active.add(code)
    return frozenset(active)


@lru_cache(maxsize=512)
def minor_units(code: str) -> int:
    """The number of decimals a currency is written with (ISO 4217 / CLDR): JPY 0, KWD 3.

    Examples
    --------
    >>> minor_units("JPY"), minor_units("USD"), minor_units("KWD")
    (0, 2, 3)
    """
    from babel.numbers import get_currency_precision

    return int(get_currency_precision(code))


def currency_suggestions(word: str) -> list[str]:
    """ISO codes a mistyped currency may mean: by English name ("YEN" -> JPY) or spelling.

    Examples
    --------
    >>> currency_suggestions("YEN"), currency_suggestions("EURO"), currency_suggestions("USS")[:1]
    (['JPY'], ['EUR'], ['USD'])
    """
    import difflib

    from ._parsing import currency_of_word

    named = currency_of_word(word, "en")
    if named is not None:  # a name or symbol says it
        return [named]
    key = " ".join(str(word).split()).upper()
    close = difflib.get_close_matches(key, sorted(active_codes()), n=6, cutoff=0.6)

    def prefix(code: str) -> int:
        return next((i for i, (a, b) in enumerate(zip(code, key, strict=False)) if a != b), 3)

    return sorted(close, key=lambda c: -prefix(c))[:3]


def code_hint(code: Any) -> str:
    """A hint for a currency code a table lacks: empty for real ISO 4217 codes, else a fix.

    Used by every message that names a code found in data (a frame's currency column, a
    rate lookup), so a typo such as ``"YEN"`` is named the same way everywhere.

    Examples
    --------
    >>> code_hint("YEN")
    " ('YEN' is not an ISO 4217 code; did you mean 'JPY'?)"
    >>> code_hint("usd"), code_hint("UAH")
    ('', '')
    """
    if not isinstance(code, str) or code.strip().upper() in iso_codes():
        return ""
    return f" ({code.strip()!r} is not an ISO 4217 code{did_you_mean(code)})"


def did_you_mean(code: Any) -> str:
    """``"; did you mean 'JPY'?"`` for a mistyped code (empty when nothing is close).

    Examples
    --------
    >>> did_you_mean("YEN"), did_you_mean(" euro "), did_you_mean(3)
    ("; did you mean 'JPY'?", "; did you mean 'EUR'?", '')
    """
    sugg = currency_suggestions(code) if isinstance(code, str) and code.strip() else []
    return f"; did you mean {' or '.join(repr(c) for c in sugg)}?" if sugg else ""


def check_currency(code: Any, what: str = "currency") -> str:
    """An ISO 4217 code argument, upper-cased: ``"usd"`` and ``" USD "`` are ``"USD"``.

    Every function of aidcalc takes currency *arguments* this way (a code passed as a
    parameter is a code, whatever its case). In free *text* only upper-case codes are read
    (``all``, ``top``, ``cup`` are words as well as codes), see :func:`aidcalc.parse_amount`.

    Raises
    ------
    CurrencyCodeError
        When the code is not a string or not an ISO 4217 code (a :class:`aidcalc.ParseError`
        and :class:`aidcalc.ValidationError`); the message suggests the code meant
        ("YEN" -> 'JPY').

    Examples
    --------
    >>> check_currency("usd")
    'USD'
    >>> check_currency("YEN")
    Traceback (most recent call last):
    ...
    aidcalc.CurrencyCodeError: currency must be an ISO 4217 code such as 'USD' or 'EUR', got ...
    """
    if isinstance(code, str):
        norm = code.strip().upper()
        if norm in iso_codes():
            return norm
    raise CurrencyCodeError(
        f"{what} must be an ISO 4217 code such as 'USD' or 'EUR', got {code!r}"
        f"{did_you_mean(code)}",
        text=str(code),
        reason="unknown currency code",
        option=what,
        value=code,
        codes=[code],
        accepted="an ISO 4217 code (babel.numbers.list_currencies() lists them)",
        problems=None,
    )


def check_currencies(codes: Any, what: str = "currencies") -> list[str]:
    """Several ISO 4217 code arguments, each as :func:`check_currency` takes one; the error
    names every code that is not one, with the code each may mean.

    Examples
    --------
    >>> check_currencies(["usd", " JPY "])
    ['USD', 'JPY']
    >>> check_currencies(["USD", "XYZ", "EURO"])
    Traceback (most recent call last):
    ...
    aidcalc.CurrencyCodeError: currencies 'XYZ', 'EURO' are not ISO 4217 codes ('EURO': did you ...
    """
    if isinstance(codes, str) or not isinstance(codes, Iterable):
        raise CurrencyCodeError(
            f"{what} must be a list of ISO 4217 codes such as ['USD', 'JPY'], got {codes!r}",
            text=str(codes), reason="not a list of codes", option=what, value=codes,
            codes=[codes], accepted="a list of ISO 4217 codes", problems=None,
        )
    given = list(codes)
    known = iso_codes()
    bad = [c for c in given if not (isinstance(c, str) and c.strip().upper() in known)]
    if bad:
        hints = [f"{c!r}: {did_you_mean(c).removeprefix('; ')}" for c in bad if did_you_mean(c)]
        verb = "is not an ISO 4217 code" if len(bad) == 1 else "are not ISO 4217 codes"
        raise CurrencyCodeError(
            f"{what} {join_values(bad)} {verb}{f' ({chr(59).join(hints)})' if hints else ''}; "
            "use ISO 4217 codes such as 'USD', 'EUR', 'JPY' (babel.numbers.list_currencies() "
            "lists them)",
            text=join_values(bad), reason="unknown currency code", option=what, value=given,
            codes=bad, accepted="ISO 4217 codes", problems=None,
        )
    return [c.strip().upper() for c in given]
