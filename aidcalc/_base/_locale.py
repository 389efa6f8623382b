"""Resolving a locale argument (``Locale | str``) once, through babel."""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING, Union

from ._errors import ParseError

if TYPE_CHECKING:
    from babel import Locale

LocaleLike = Union["Locale", str]

__all__ = ["LocaleLike", "resolve_locale"]


def resolve_locale(locale: LocaleLike) -> Locale:
    """Return a :class:`babel.Locale` for ``locale``.

    Accepts a ``Locale`` or an identifier in POSIX (``de_DE``) or BCP 47 (``de-DE``) form.

    Examples
    --------
    >>> resolve_locale("de-DE")
    Locale('de', territory='DE')
    >>> resolve_locale("ja").language
    'ja'
    >>> resolve_locale("xx")
    Traceback (most recent call last):
    ...
    aidcalc.ParseError: unknown locale 'xx': use a CLDR identifier such as ...
    """
    from babel import Locale

    if isinstance(locale, Locale):
        return locale
    return _resolve(str(locale))


@lru_cache(maxsize=256)
def _resolve(identifier: str) -> Locale:
    from babel import Locale, UnknownLocaleError

    try:
        sep = "-" if "-" in identifier else "_"
        return Locale.parse(identifier, sep=sep)
    except (UnknownLocaleError, ValueError, TypeError):
        raise ParseError(
            f"unknown locale {identifier!r}: use a CLDR identifier such as 'en', 'de_DE' or 'ja'",
            text=identifier,
            reason="unknown locale",
        ) from None
