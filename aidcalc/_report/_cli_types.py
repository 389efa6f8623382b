"""Values of the ``aidcalc`` command's options, checked by the library's own rules, and the
reader options the command names as flags (:data:`READER_FLAGS`).

Each ``type=`` here turns the text of an option into its value and checks it with the rule the
Python function applies (:func:`aidcalc.io._options.check_limit`, ``check_number``,
:func:`aidcalc.io._update.check_base_url`); a value it refuses is a usage error: one line,
exit status 2, before anything is read, downloaded or written.
"""

from __future__ import annotations

import argparse
import math
import re
from collections.abc import Callable
from typing import Any

from .._base._errors import AidcalcError

__all__ = [
    "READER_FLAGS",
    "base_url",
    "byte_size",
    "column_role",
    "header_line",
    "input_locale",
    "member_name",
    "ratio",
    "reader_flags",
    "seconds",
    "sheet",
]

#: the reader options (``read_any``'s keywords) that the command line names as flags
READER_FLAGS = {"member": "--member", "max_uncompressed": "--max-uncompressed",
                "max_ratio": "--max-ratio", "sheet_name": "--sheet", "mapping": "--column",
                "locale": "--input-locale", "recover": "--recover", "header_row": "--header-row"}
#: ``recover=True`` is the flag ``--recover`` alone
_READER_OPTION = re.compile(r"\b(" + "|".join(READER_FLAGS) + r")=(?:True\b)? ?")
_SIZE = re.compile(r"(?P<n>\d+(?:\.\d+)?|\.\d+)\s*(?P<unit>[kKMGT]i?B?|B)?")
_UNITS = {"": 1, "B": 1, "K": 10**3, "M": 10**6, "G": 10**9, "T": 10**12,
          "KI": 2**10, "MI": 2**20, "GI": 2**30, "TI": 2**40}


def _usage(text: str, accepted: str) -> argparse.ArgumentTypeError:
    return argparse.ArgumentTypeError(f"{text!r} is not accepted; use {accepted}")


def _checked(check: Callable[[Any], object], text: str, value: Any, accepted: str) -> Any:
    """``value`` if ``check`` accepts it, else the usage error naming ``text`` and ``accepted``."""
    try:
        check(value)
    except AidcalcError:
        raise _usage(text, accepted) from None
    return value


def byte_size(text: str) -> int:
    """``--max-uncompressed``: bytes, with an optional unit (``20GB``, ``500MB``, ``8GiB``).

    Examples
    --------
    >>> byte_size("20GB"), byte_size("1.5 KiB"), byte_size("4096")
    (20000000000, 1536, 4096)
    >>> byte_size("-1")
    Traceback (most recent call last):
    ...
    argparse.ArgumentTypeError: '-1' is not accepted; use a number of bytes > 0, e.g. 20GB, ...
    """
    from ..io._options import check_limit

    accepted = "a number of bytes > 0, e.g. 20GB, 500MB, 8GiB or 20000000000"
    match = _SIZE.fullmatch(text.strip())
    if match is None:
        raise _usage(text, accepted)
    unit = (match["unit"] or "").upper().removesuffix("B")
    value = float(match["n"]) * _UNITS[unit]  # inf for 1e400: refused by the check
    _checked(lambda v: check_limit("max_uncompressed", v), text, value, accepted)
    return math.ceil(value)  # 0.1 byte is 1 byte, never 0 (the default)


def _number(text: str, accepted: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise _usage(text, accepted) from None


def ratio(text: str) -> float:
    """``--max-ratio``: the highest compression ratio accepted, a number > 0 (``500``).

    Examples
    --------
    >>> ratio("500")
    500.0
    >>> ratio("inf")
    Traceback (most recent call last):
    ...
    argparse.ArgumentTypeError: 'inf' is not accepted; use a number > 0, e.g. 500
    """
    from ..io._options import check_limit

    accepted = "a number > 0, e.g. 500"
    value = _number(text, accepted)
    return float(_checked(lambda v: check_limit("max_ratio", v), text, value, accepted))


def seconds(text: str) -> float:
    """``--timeout``: seconds per request, a number > 0 and at most a day.

    Examples
    --------
    >>> seconds("120")
    120.0
    >>> seconds("nan")
    Traceback (most recent call last):
    ...
    argparse.ArgumentTypeError: 'nan' is not accepted; use a number of seconds > 0 and <= 86400, ...
    """
    from ..io._options import check_number
    from ..io._update import MAX_TIMEOUT

    accepted = f"a number of seconds > 0 and <= {MAX_TIMEOUT:g}, e.g. 120"
    value = _number(text, accepted)
    return float(_checked(lambda v: check_number("timeout", v, maximum=MAX_TIMEOUT), text,
                          value, accepted))


def base_url(text: str) -> str:
    """``--base-url``: an ``http(s)://host`` address (a mirror, or a local test server)."""
    from ..io._update import check_base_url

    accepted = "an http:// or https:// address with a host, e.g. https://mirror.example.org"
    return str(_checked(check_base_url, text, text, accepted))


def member_name(text: str) -> str:
    """``--member``: the name of a file inside a zip (not empty).

    Examples
    --------
    >>> member_name("CRS 2022 data.txt")
    'CRS 2022 data.txt'
    """
    if not text.strip():
        raise _usage(text, "the name of a file inside the zip, e.g. --member 'CRS 2022 data.txt'")
    return text


def sheet(text: str) -> str | int:
    """``--sheet``: a worksheet by name, or by number (``0`` is the first).

    Examples
    --------
    >>> sheet("data"), sheet("1"), sheet(" 2 ")
    ('data', 1, 2)
    """
    if not text.strip():
        raise _usage(text, "a sheet name or number (0 is the first), e.g. --sheet data")
    return int(text) if text.strip().isdigit() else text


def column_role(text: str) -> tuple[str, str]:
    """``--column``: ``HEADER=ROLE``, a column of the INPUT table and the pledge-frame role it
    holds (what ``mapping=`` says in Python); split at the last ``=``.

    Examples
    --------
    >>> column_role("Betrag (Mio. EUR)=amount"), column_role("Geber = donor")
    (('Betrag (Mio. EUR)', 'amount'), ('Geber', 'donor'))
    >>> column_role("amount")
    Traceback (most recent call last):
    ...
    argparse.ArgumentTypeError: 'amount' is not accepted; use HEADER=ROLE, e.g. ...
    """
    header, eq, role = text.rpartition("=")
    if not eq or not header.strip() or not role.strip():
        raise _usage(text, "HEADER=ROLE, e.g. --column 'Betrag=amount'")
    return header.strip(), role.strip()


def header_line(text: str) -> int:
    """``--header-row``: a line number, 1 for the first.

    Examples
    --------
    >>> header_line("3")
    3
    >>> header_line("0")
    Traceback (most recent call last):
    ...
    argparse.ArgumentTypeError: '0' is not accepted; use a line number, 1 for the first, ...
    """
    accepted = "a line number, 1 for the first, e.g. --header-row 3"
    if not text.strip().isdigit() or int(text) < 1:
        raise _usage(text, accepted)
    return int(text)


def input_locale(text: str) -> str:
    """``--input-locale``: the CLDR locale the INPUT table is written in (its number and date
    formats, its words), checked as the library checks a locale.

    Examples
    --------
    >>> input_locale("de_CH")
    'de_CH'
    >>> input_locale("xx-nowhere")
    Traceback (most recent call last):
    ...
    argparse.ArgumentTypeError: 'xx-nowhere' is not accepted; use a CLDR locale, e.g. ...
    """
    from .._base._locale import resolve_locale

    return _checked(resolve_locale, text, text.strip(), "a CLDR locale, e.g. --input-locale de")


def reader_flags(message: str) -> str:
    """A reader's message worded for the command line: ``pass member=`` -> ``pass --member``.

    Examples
    --------
    >>> reader_flags("pass max_ratio= a higher limit; member='x' is only for zip archives")
    "pass --max-ratio a higher limit; --member 'x' is only for zip archives"
    >>> reader_flags("no sheet 'x'; pass sheet_name= the name or number of another")
    "no sheet 'x'; pass --sheet the name or number of another"
    >>> reader_flags("not well-formed XML: read it with recover=True to keep what parses")
    'not well-formed XML: read it with --recover to keep what parses'
    """
    return _READER_OPTION.sub(lambda m: f"{READER_FLAGS[m[1]]} ", message)
