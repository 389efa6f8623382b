"""Resolving a locale argument (``Locale | str``) once, through babel."""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING, Final, Union

from ._errors import ParseError

if TYPE_CHECKING:
    from babel import Locale

#: A locale argument: a ``babel.Locale``, an identifier, or ``None`` for the default locale.
LocaleLike = Union["Locale", str, None]

#: The locale every public function uses when given ``locale=None``.
DEFAULT_LOCALE: Final = "en"

__all__ = ["DEFAULT_LOCALE", "LocaleLike", "resolve_locale"]


def resolve_locale(locale: LocaleLike) -> Locale:
    """Return a :class:`babel.Locale` for ``locale``.

    Accepts a ``Locale`` or an identifier in POSIX (``de_DE``) or BCP 47 (``de-DE``) form;
    ``None`` means the default locale, :data:`DEFAULT_LOCALE` (``"en"``), in every public
    function of aidcalc.

    Examples
    --------
    >>> resolve_locale("de-DE")
    Locale('de', territory='DE')
    >>> resolve_locale("ja").language
    'ja'
    >>> resolve_locale(None)
    Locale('en')
    >>> resolve_locale("xx")
    Traceback (most recent call last):
    ...
    aidcalc.ParseError: unknown locale 'xx': use a CLDR identifier such as ...
    """
    from babel import Locale

    if isinstance(locale, Locale):
        return locale
    return _resolve(DEFAULT_LOCALE if locale is None else str(locale))


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
