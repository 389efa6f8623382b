"""Dates as analysts write them, for :func:`aidcalc._base._dates.parse_dates`.

Read, each to the precision it is written at:

* month names in English and in the reader's ``locale`` (``7 June 2024``, ``März 2024`` with
  ``locale="de"``, ``févr. 2025`` with ``"fr"``, ``7-Jun-2024``), a weekday only when it is
  the date's own (``Sat, 7 Jun 2024`` is refused: 7 June 2024 was a Friday), the day next to
  the month (``Jan 2024/25`` is no day);
* quarters and half-years (``Q3 2024``, ``2024Q3``, ``3rd quarter 2024``, ``H1 2024``) and ISO
  weeks (``2024-W23``): a year, or a month when the week lies in one;
* Japanese dates, with Gregorian or era years (``2024年3月``, ``令和6年3月5日``, ``平成元年``).

Refused with a reason that says what the text means and what to write, never read as a year:

* fiscal years (``FY2024``, ``FY2024/25``, ``2023-24``, ``2024/2025``, ``2024年度``): which
  months they hold depends on the donor (Japan's FY2024 is April 2024 to March 2025, the
  United States' October 2023 to September 2024);
* spans of years (``2024-2027``, ``2024 to 2027``): a pledge "for 2024-2027" is several years;
* spreadsheet serial day numbers written as text (``45383``): 1900 or 1904 date system.

Each function returns ``None`` when the text is not of its form, or ``(date or None, rank,
reason, tag)``: the date and its precision rank (3 day, 2 month, 1 year) when read, else the
reason; ``tag`` marks fiscal years (``"FY"``), periods (``"Q"``, ``"H"``, ``"W"``) and UTC
offsets (``"tz+02:00"``) for the column rules of the caller.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import cache
from typing import Any, Final

import pandas as pd

__all__ = ["FISCAL_TEXT", "Form", "could_be_fiscal", "read_form", "read_words", "serial_text",
           "word_tables"]

#: (date or None, rank, reason, tag): see the module docstring
Form = tuple[pd.Timestamp | None, int, str, str]

FISCAL_TEXT: Final = (
    "fiscal year {text!r}: its months depend on the donor (April-March in Japan, the UK, "
    "Canada and India: FY2024 is Apr 2024-Mar 2025; October-September in the United States: "
    "FY2024 is Oct 2023-Sep 2024; July-June in Australia), so no calendar year is taken from "
    "it: give the date (YYYY-MM-DD) or the calendar year the money belongs to"
)
_SPAN_TEXT: Final = (
    "a span of years ({text!r}), not one date: give the date of the commitment, or one row per "
    "year (aidcalc.spread spreads an amount over years)"
)
_SERIAL_TEXT: Final = (
    "{text!r} looks like a spreadsheet serial day number ({d1900} in the 1900 date system, "
    "{d1904} in the 1904 one): format the cells as dates in the spreadsheet, or write YYYY-MM-DD"
)

_FY_WORD = r"(?:FY|F\.Y\.|fiscal(?:\s+year)?|financial\s+year|budget\s+year|GJ|HJ|EF|AF)"
_FISCAL = re.compile(
    rf"(?i)(?:{_FY_WORD}\s*'?(\d{{2}}|\d{{4}})(?:\s*[-/–]\s*'?(\d{{2}}|\d{{4}}))?"
    r"|(\d{4})\s*[-/–]\s*(\d{2}|\d{4}))"
)
_SPAN = re.compile(r"(?i)(\d{4})\s*(?:[-–—]|to|until|till|bis|à|au|a|al)\s*(\d{4})")
_QUARTER = re.compile(
    r"(?i)(?:Q([1-4])|([1-4])(?:st|nd|rd|th)?\s+quarter|quarter\s+([1-4]))[\s,/-]*(\d{4})"
    r"|(\d{4})[\s-]*Q([1-4])"
)
_HALF = re.compile(r"(?i)(?:H([12])|([12])H)[\s-]*(\d{4})|(\d{4})[\s-]*H([12])")
_WEEK = re.compile(r"(\d{4})-?W(\d{2})(?:-?([1-7]))?")
_ERAS: Final = {"明治": (1868, 45), "大正": (1912, 15), "昭和": (1926, 64), "平成": (1989, 31),
                "令和": (2019, 99)}  # fmt: skip
_JAPANESE = re.compile(
    r"(?:(明治|大正|昭和|平成|令和)\s*(元|\d{1,2})|(\d{4}))\s*年"
    r"(?:\s*(\d{1,2})\s*月(?:\s*(\d{1,2})\s*日)?)?"
)
_SERIAL = re.compile(r"\d{5}(?:\.\d+)?")


def read_form(text: str) -> Form | None:
    """Fiscal years, spans of years, quarters, half-years, ISO weeks, Japanese dates and serial
    numbers (see the module docstring); ``None`` for any other text.

    Examples
    --------
    >>> read_form("Q3 2024")[:2], read_form("2024-W23")[:2]
    ((Timestamp('2024-07-01 00:00:00'), 1), (Timestamp('2024-06-01 00:00:00'), 2))
    >>> read_form("令和6年3月")[:2]
    (Timestamp('2024-03-01 00:00:00'), 2)
    >>> read_form("FY2024")[2][:25], read_form("2024-2027")[2][:16]
    ("fiscal year 'FY2024': its", 'a span of years ')
    >>> read_form("2024-06") is None
    True
    """
    for reader in (_fiscal, _span, _quarter, _half, _week, _japanese, _serial):
        got = reader(text)
        if got is not None:
            return got
    return None


def _fiscal(text: str) -> Form | None:
    m = _FISCAL.fullmatch(text)
    if m is None:
        return None
    if m[3] is not None:  # 2023-24, 2024/2025: only the year after the first is a fiscal year
        first, second = int(m[3]), int(m[4])
        if second != (first + 1) % (100 if len(m[4]) == 2 else 10_000) or (
            len(m[4]) == 2 and second <= 12  # 2010-11: a month (ISO); see could_be_fiscal
        ):
            return None
    return (None, 0, FISCAL_TEXT.format(text=text), "FY")


def could_be_fiscal(year: int, month_text: str) -> bool:
    """Whether ISO ``YYYY-MM`` text could also be a fiscal year (``2010-11``, ``2011-12``)."""
    return len(month_text) == 2 and int(month_text) == (year + 1) % 100


def _span(text: str) -> Form | None:
    m = _SPAN.fullmatch(text)
    if m is None or int(m[2]) <= int(m[1]):
        return None
    return (None, 0, _SPAN_TEXT.format(text=text), "")


def _quarter(text: str) -> Form | None:
    return _period(_QUARTER.fullmatch(text), 3, "Q")


def _half(text: str) -> Form | None:
    return _period(_HALF.fullmatch(text), 6, "H")


def _period(m: re.Match[str] | None, months: int, tag: str) -> Form | None:
    """The first day of period ``n`` (the one-digit group) of ``months`` months in the year
    (the four-digit group), at the precision of a year."""
    if m is None:
        return None
    n = next(int(g) for g in m.groups() if g is not None and len(g) == 1)
    year = next(int(g) for g in m.groups() if g is not None and len(g) == 4)
    return (pd.Timestamp(year=year, month=months * (n - 1) + 1, day=1), 1, "", tag)


def _week(text: str) -> Form | None:
    m = _WEEK.fullmatch(text)
    if m is None:
        return None
    try:
        monday = dt.date.fromisocalendar(int(m[1]), int(m[2]), int(m[3] or 1))
    except ValueError:
        return (None, 0, f"impossible ISO week {text!r}", "")
    if m[3]:  # a weekday of the week: a day
        return (pd.Timestamp(monday), 3, "", "")
    sunday = monday + dt.timedelta(days=6)
    if monday.year != sunday.year:
        return (
            None, 0,
            f"ISO week {text!r} runs from {monday} to {sunday}, across two years: give the date",
            "",
        )  # fmt: skip
    rank = 2 if monday.month == sunday.month else 1
    start = monday if rank == 2 else dt.date(monday.year, 1, 1)
    return (pd.Timestamp(start.replace(day=1) if rank == 2 else start), rank, "", "W")


def _japanese(text: str) -> Form | None:
    if "年度" in text:
        m = re.fullmatch(r"(?:(明治|大正|昭和|平成|令和)\s*(元|\d{1,2})|(\d{4}))\s*年度", text)
        if m is None:
            return None
        year = _era_year(m[1], m[2]) if m[1] else int(m[3])
        return (
            None, 0,
            f"Japanese fiscal year {text!r} runs from April {year} to March {year + 1}, "
            "across two calendar years: give the date (YYYY-MM-DD) or the calendar year",
            "FY",
        )  # fmt: skip
    m = _JAPANESE.fullmatch(text)
    if m is None:
        return None
    year = _era_year(m[1], m[2]) if m[1] else int(m[3])
    if year < 0:
        return (None, 0, f"no such year of the {m[1]} era ({text!r})", "")
    month, day = int(m[4] or 1), int(m[5] or 1)
    try:
        stamp = pd.Timestamp(year=year, month=month, day=day)
    except ValueError:
        return (None, 0, "impossible date", "")
    return (stamp, 3 if m[5] else 2 if m[4] else 1, "", "")


def _era_year(era: str, number: str) -> int:
    """The Gregorian year of year ``number`` (``元`` = 1) of a Japanese era (-1 if none)."""
    start, length = _ERAS[era]
    n = 1 if number == "元" else int(number)
    return start + n - 1 if 1 <= n <= length else -1


def _serial(text: str) -> Form | None:
    if _SERIAL.fullmatch(text) is None:
        return None
    return (None, 0, serial_text(float(text), text), "")


def serial_text(value: float, text: str) -> str:
    """Why a spreadsheet serial day number is not read: both readings, neither taken.

    Examples
    --------
    >>> serial_text(45383, "45383")[:60]
    "'45383' looks like a spreadsheet serial day number (2024-04-"
    """
    day = int(value)
    d1900 = dt.date(1899, 12, 30) + dt.timedelta(days=day)
    d1904 = dt.date(1904, 1, 1) + dt.timedelta(days=day)
    return _SERIAL_TEXT.format(text=text, d1900=d1900, d1904=d1904)


# -- month names -------------------------------------------------------------------------

_TIME = re.compile(
    r"(?i)(?:[T\s,]+|(?<=\d)T)(\d{1,2})(?::(\d{2})(?::\d{2}(?:[.,]\d+)?)?\s*([ap]\.?m\.?)?"
    r"|\s*([ap]\.?m\.?))\s*(Z|UTC|GMT|[+-]\d{2}:?\d{2}|[A-Z]{3,5})?\s*$"
)
_TOKEN = re.compile(r"(\d+)(st|nd|rd|th|er|e|\.)?|([^\W\d_]+)\.?|(\S)")
_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_FILLERS: Final = frozenset({"of", "the", "de", "del", "le", "el", "der", "den", "am"})
#: languages whose month names are recognised in a refusal ("pass locale=...")
_HINT_LANGUAGES: Final = ("de", "fr", "es", "it", "pt", "nl", "sv", "da", "nb", "pl")


@cache
def word_tables(locale_id: str | None) -> tuple[dict[str, int], dict[str, int]]:
    """(month name -> month, weekday name -> weekday) in English and in ``locale_id``: wide
    and abbreviated, lower case, without a final dot; a name meaning two months in the two
    languages is left out (never guessed).

    Examples
    --------
    >>> months, days = word_tables("de")
    >>> months["märz"], months["march"], months["sept"], days["fr"]
    (3, 3, 9, 4)
    """
    from babel import Locale

    months: dict[str, int] = {"sept": 9}
    days: dict[str, int] = {"tues": 1, "thur": 3, "thurs": 3}
    clash: set[str] = set()
    for ident in dict.fromkeys(("en", locale_id or "en")):
        loc = Locale.parse(ident)
        for table, names in ((months, loc.months), (days, loc.days)):
            for context in ("format", "stand-alone"):
                for width in ("wide", "abbreviated"):
                    for key, name in names[context][width].items():
                        word = name.casefold().rstrip(".")
                        if table.setdefault(word, key) != key:
                            clash.add(word)
    for word in clash:
        months.pop(word, None)
    for word in months:
        days.pop(word, None)  # "mar." (French Tuesday) is read as a month, once
    return months, days


@cache
def _foreign_months() -> dict[str, tuple[str, ...]]:
    """Month name -> the hint languages that use it (not English ones)."""
    english = word_tables(None)[0]
    out: dict[str, tuple[str, ...]] = {}
    for lang in _HINT_LANGUAGES:
        for word in word_tables(lang)[0]:
            if word not in english:
                out[word] = (*out.get(word, ()), lang)
    return out


def read_words(text: str, locale_id: str | None) -> Form | None:
    """A date with a month name (``7 June 2024``, ``June 7, 2024``, ``März 2024``), and a
    time after it; ``None`` when the text has no month name.

    Examples
    --------
    >>> read_words("Sat, 7 Jun 2024", None)[2][:40]
    'Sat, 7 Jun 2024: the weekday is not that'
    >>> read_words("7. März 2024", "de")[:2]
    (Timestamp('2024-03-07 00:00:00'), 3)
    """
    body, tag = text, ""
    t = _TIME.search(text)
    if t is not None and t.start() > 0:
        body = text[: t.start()].rstrip(" ,")
        tag = "tz" + ("none" if t[5] is None else _zone(t[5]))
    if tag and _ISO_DAY.fullmatch(body):  # 2024-06-07 10:00 CET
        return (pd.Timestamp(body), 3, "", tag)
    months, days = word_tables(locale_id)
    parts = _parts(body, months, days)
    if isinstance(parts, str):
        return None if parts == "" else (None, 0, parts, "")
    month, numbers, weekday, month_at = parts
    return _assemble(text, month, numbers, weekday, month_at, tag)


def _zone(name: str) -> str:
    if name.upper() in ("Z", "UTC", "GMT"):
        return "+00:00"
    if name[0] in "+-":
        digits = name[1:].replace(":", "")
        return f"{name[0]}{digits[:2]}:{digits[2:]}"
    return name.upper()


def _parts(body: str, months: dict[str, int], days: dict[str, int]) -> Any:
    """(month, [(number text, suffix, token position)], weekday, month position), or the
    reason the text is refused ("" when it has no month name at all)."""
    month, weekday, month_at, i = 0, -1, -1, 0  # i: position among numbers and names
    numbers: list[tuple[str, str, int]] = []
    unknown: list[str] = []
    for m in _TOKEN.finditer(body):
        if m[1] is not None:
            numbers.append((m[1], m[2] or "", i))
            i += 1
        elif m[3] is not None:
            word = m[3].casefold()
            if word in months:
                if month:
                    return f"two month names in {body!r}: give one date"
                month, month_at, i = months[word], i, i + 1
            elif word in days:
                weekday, i = days[word], i + 1
            elif word not in _FILLERS:
                unknown.append(m[3])
        elif m[4] not in ",-":
            return f"not a date in a known format ({m[4]!r} in {body!r})"
    if unknown:
        langs = _foreign_months().get(unknown[0].casefold())
        if langs and month == 0:
            return (f"month name {unknown[0]!r} is not English: pass locale= "
                    f"({', '.join(repr(x) for x in langs)}) to read it")  # fmt: skip
        return "" if month == 0 else f"unknown word {unknown[0]!r} in a date"
    if month == 0:
        return ""
    return month, numbers, weekday, month_at


def _assemble(
    text: str, month: int, numbers: list[tuple[str, str, int]], weekday: int, month_at: int,
    tag: str,
) -> Form:
    years = [n for n in numbers if len(n[0]) == 4 and not n[1]]
    small = [n for n in numbers if len(n[0]) <= 2]
    if len(years) != 1 or len(years) + len(small) != len(numbers):
        why = "no four-digit year" if not years else "more than one year or stray numbers"
        return (None, 0, f"{why} in {text!r}: write YYYY-MM-DD", "")
    if len(small) > 1 or (small and abs(small[0][2] - month_at) != 1):
        return (None, 0, f"no day next to the month in {text!r}: write YYYY-MM-DD", "")
    year = int(years[0][0])
    try:
        stamp = pd.Timestamp(year=year, month=month, day=int(small[0][0]) if small else 1)
    except ValueError:
        return (None, 0, "impossible date", "")
    if weekday >= 0 and (not small or stamp.weekday() != weekday):
        return (None, 0, f"{text}: the weekday is not that of the date (or no day is "
                "given): write YYYY-MM-DD", "")  # fmt: skip
    return (stamp, 3 if small else 2, "", tag)
