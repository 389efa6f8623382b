"""Dates as analysts write them (aidcalc._base._date_forms, read by parse_dates): each form is
read to the precision it is written at, or refused with what it means; never a wrong year.

Faults these tests found (before -> after):
* ``"Jan 2024/25"`` was read as 2024-01-25 (dateutil took the fiscal year's "25" as the day);
  ``"Sat, 7 Jun 2024"`` as 2024-06-07, a Friday; ``"Mon 2024"`` as the year 2024.
* ``"2011-12"`` in a column of fiscal years (``"2012-13"``) was read as December 2011.
* a 1900-01-01 placeholder, serial 60 (Excel's 1900-02-29) and a year typed into a date cell
  (``2024`` shows as 1905-07-16) were read as dates, in every reader.
* ``"März 2024"`` with ``locale="de"``, ``"Q3 2024"``, ``"2024-W23"``, ``"令和6年3月"`` were not
  read at all (now read); fiscal years, spans and serial numbers are refused with a reason
  that says what they are instead of "not a date in a known format".
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from babel.dates import format_date
from hypothesis import given, settings
from hypothesis import strategies as st

import aidcalc
from aidcalc._base._dates import OK, OUT_OF_RANGE, parse_dates

DAYS = st.dates(min_value=dt.date(1910, 1, 1), max_value=dt.date(2100, 12, 31))


def one(text: object, **options: object) -> tuple[object, object]:
    got = parse_dates(pd.Series([text], dtype=object), **options)
    return got.dates.iloc[0], got.reasons.iloc[0]


# --- fiscal years and spans: never a calendar year --------------------------------------------
FISCAL = ["FY2024", "FY 2024", "FY24", "FY2024/25", "FY2024-25", "2023-24", "2024/25",
          "2024/2025", "fiscal year 2024", "Financial Year 2024-25", "2024年度",
          "令和6年度"]  # fmt: skip


@pytest.mark.parametrize("precision", ["day", "month", "year"])
@pytest.mark.parametrize("text", FISCAL)
def test_fiscal_years_are_refused_with_what_they_mean(text: str, precision: str) -> None:
    date, reason = one(text, precision=precision)
    assert pd.isna(date)
    assert "fiscal year" in reason and ("April" in reason or "Apr 2024" in reason)


def test_a_month_that_could_be_a_fiscal_year_is_refused_among_fiscal_years() -> None:
    column = ["2011-12", "2012-13", "2013-14"]
    got = parse_dates(column, precision="year")
    assert got.bad.tolist() == [True, True, True]
    assert "holds fiscal years" in got.reasons.iloc[0]
    alone = parse_dates(["2011-12", "2024-06"], precision="month")  # a month, as ISO has it
    assert alone.kind.tolist() == [OK, OK] and alone.years.tolist() == [2011, 2024]


@given(first=st.integers(1910, 2098), gap=st.integers(1, 30), sep=st.sampled_from(["-", " to "]))
@settings(max_examples=40, deadline=None)
def test_spans_of_years_are_refused(first: int, gap: int, sep: str) -> None:
    text = f"{first}{sep}{first + gap}"
    date, reason = one(text, precision="year")
    assert pd.isna(date)
    assert ("span of years" in reason) or ("fiscal year" in reason and gap == 1)


# --- words: month names, weekdays, the day next to the month ---------------------------------
@pytest.mark.parametrize(
    "text", ["Jan 2024/25", "Jan 2024 25", "Mon 2024", "June 2024 - Dec 2025", "Oct-Dec 2024",
             "Jan-24", "3 Mar 25", "7 June 2024 12"],
)  # fmt: skip
def test_word_dates_that_name_no_single_day_are_refused(text: str) -> None:
    for precision in ("day", "year"):
        date, reason = one(text, precision=precision)
        assert pd.isna(date) and reason


@given(day=DAYS, wrong=st.integers(1, 6),
       style=st.sampled_from([("%a", ", %d %b %Y"), ("%A", " %d %B %Y"), ("%a", " %b %d, %Y")]))
@settings(max_examples=60, deadline=None)
def test_a_weekday_is_read_only_when_it_is_the_dates_own(
    day: dt.date, wrong: int, style: tuple[str, str]
) -> None:
    weekday, rest = style
    assert one(day.strftime(weekday + rest))[0] == pd.Timestamp(day)
    other = day + dt.timedelta(days=wrong)  # another weekday before the same date
    date, reason = one(other.strftime(weekday) + day.strftime(rest))
    assert pd.isna(date) and "weekday" in reason


@given(
    day=DAYS,
    locale=st.sampled_from(["de", "fr", "es", "it", "pt", "nl", "en_GB"]),
    pattern=st.sampled_from(["d MMMM y", "d MMM y", "d. MMMM y", "MMMM y", "MMM y"]),
)
@settings(max_examples=120, deadline=None)
def test_month_names_in_the_locale_round_trip(day: dt.date, locale: str, pattern: str) -> None:
    text = format_date(day, pattern, locale=locale)
    precision = "day" if "d" in pattern else "month"
    got = parse_dates([text], locale=locale, precision=precision)
    assert got.kind.tolist() == [OK], (text, got.reasons.tolist())
    want = day if precision == "day" else day.replace(day=1)
    assert got.dates.iloc[0] == pd.Timestamp(want)


@pytest.mark.parametrize(("text", "locale"), [("März 2024", "de"), ("7 juin 2024", "fr"),
                                              ("févr. 2025", "fr")])  # fmt: skip
def test_a_foreign_month_name_without_a_locale_names_the_locale(text: str, locale: str) -> None:
    date, reason = one(text, precision="month")
    assert pd.isna(date) and f"locale= ('{locale}'" in reason
    assert not pd.isna(one(text, locale=locale, precision="month")[0])


# --- quarters, half-years, ISO weeks ------------------------------------------------------------
@given(year=st.integers(1910, 2100), q=st.integers(1, 4),
       form=st.sampled_from(["Q{q} {y}", "{y}Q{q}", "{y}-Q{q}", "Q{q}-{y}", "Quarter {q} {y}"]))
@settings(max_examples=60, deadline=None)
def test_quarters_are_their_year_and_refused_where_a_month_is_needed(year, q, form) -> None:
    text = form.format(q=q, y=year)
    assert parse_dates([text], precision="year").years.tolist() == [year]
    date, reason = one(text, precision="month", option=("fx", "month"))
    assert pd.isna(date) and "quarter" in reason and "fx='year'" in reason


@given(day=DAYS)
@settings(max_examples=80, deadline=None)
def test_iso_weeks_read_to_what_they_determine(day: dt.date) -> None:
    year, week, weekday = day.isocalendar()
    assert one(f"{year}-W{week:02d}-{weekday}")[0] == pd.Timestamp(day)
    monday = day - dt.timedelta(days=weekday - 1)
    sunday = monday + dt.timedelta(days=6)
    got = parse_dates([f"{year}-W{week:02d}"], precision="year")
    if monday.year != sunday.year:
        assert got.bad.tolist() == [True] and "two years" in got.reasons.iloc[0]
    else:
        assert got.years.tolist() == [monday.year]
        month = parse_dates([f"{year}W{week:02d}"], precision="month")
        assert month.kind.tolist() == [OK] if monday.month == sunday.month else month.bad.all()


# --- Japanese dates ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "want"),
    [("2024年3月", "2024-03-01"), ("令和6年3月", "2024-03-01"), ("令和元年5月1日", "2019-05-01"),
     ("平成31年4月30日", "2019-04-30"), ("平成元年1月8日", "1989-01-08"),
     ("昭和64年1月7日", "1989-01-07"), ("２０２４年３月５日", "2024-03-05"),
     ("令和 6 年 3 月", "2024-03-01")],
)  # fmt: skip
def test_japanese_dates_with_gregorian_or_era_years(text: str, want: str) -> None:
    assert one(text, precision="month")[0] == pd.Timestamp(want)


@pytest.mark.parametrize("text", ["平成32年1月", "昭和65年1月", "令和0年1月", "2024年2月30日"])
def test_japanese_dates_that_do_not_exist_are_refused(text: str) -> None:
    date, reason = one(text, precision="month")
    assert pd.isna(date) and reason


# --- spreadsheet artefacts: placeholders, the 1900 leap-year bug, years in date cells -----------
ARTEFACTS = ["1900-01-01", dt.datetime(1900, 1, 1), np.datetime64("1900-01-01"), "1909-12-31",
             pd.Timestamp("1905-07-16"), "1900-02-28", dt.date(1904, 1, 1)]  # fmt: skip


@pytest.mark.parametrize("value", ARTEFACTS, ids=[repr(v)[:28] for v in ARTEFACTS])
def test_days_before_1910_are_refused_as_spreadsheet_artefacts(value: object) -> None:
    for precision in ("day", "year"):
        got = parse_dates(pd.Series([value, "2024-06-07"], dtype=object), precision=precision)
        assert got.kind.tolist() == [OUT_OF_RANGE, OK]
        assert "spreadsheet artefact" in got.reasons.iloc[0]
    years = parse_dates(pd.Series([1900, 1905]), precision="year")
    assert years.years.tolist() == [1900, 1905]  # a year written alone is a year


def test_datetime_columns_refuse_placeholders_too() -> None:
    dates = pd.Series(pd.to_datetime(["1900-01-01", "2024-06-07", None]))
    got = parse_dates(dates, precision="year")
    assert got.kind.tolist() == [OUT_OF_RANGE, OK, 1]


@given(serial=st.integers(10_000, 79_999), as_text=st.booleans())
@settings(max_examples=40, deadline=None)
def test_serial_day_numbers_are_refused_with_both_readings(serial: int, as_text: bool) -> None:
    value = str(serial) if as_text else serial
    got = parse_dates(pd.Series([value], dtype=object), precision="year")
    reason = got.reasons.iloc[0]
    assert got.bad.all() and "serial day number" in reason
    assert str(dt.date(1899, 12, 30) + dt.timedelta(days=serial)) in reason
    assert str(dt.date(1904, 1, 1) + dt.timedelta(days=serial)) in reason


def _workbook(path: Path, cells: list[object], *, epoch_1904: bool = False) -> Path:
    from openpyxl import Workbook
    from openpyxl.utils.datetime import CALENDAR_MAC_1904

    book = Workbook()
    if epoch_1904:
        book.epoch = CALENDAR_MAC_1904
    sheet = book.active
    sheet.append(["donor", "amount", "currency", "announced"])
    for i, cell in enumerate(cells, start=2):
        sheet.append(["Germany", 100 + i, "EUR", cell])
        sheet.cell(row=i, column=4).number_format = "yyyy-mm-dd"
    book.save(path)
    return path


@pytest.mark.parametrize("epoch_1904", [False, True])
def test_workbooks_keep_real_dates_and_refuse_artefacts(tmp_path: Path, epoch_1904: bool) -> None:
    real = dt.datetime(2024, 3, 5)
    cells = [real, 2024, 60, 1, dt.datetime(1900, 1, 1)]  # a year and serials in date cells
    path = _workbook(tmp_path / "t.xlsx", cells, epoch_1904=epoch_1904)
    frame, rejected = aidcalc.io.read_table(path, return_rejected=True)
    assert frame["announced"].tolist() == [pd.Timestamp(real)]
    assert len(rejected) == 4
    assert rejected["reason"].str.contains("spreadsheet artefact").all()


# --- the result of read_table and pledges for these forms ---------------------------------------
def test_read_table_keeps_the_rows_and_says_why(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text(
        "donor,announced,amount,currency\nGermany,FY2024,1,EUR\nGermany,Jan 2024/25,2,EUR\n"
        "Germany,2024-03-05,3,EUR\nGermany,März 2024,4,EUR\n",
        encoding="utf-8",
    )
    frame, rejected = aidcalc.io.read_table(path, return_rejected=True, locale="de")
    assert frame["amount"].tolist() == [3, 4]  # März 2024: a month, kept as written
    assert rejected["reason"].str.contains("fiscal year").any()
    assert not (frame["announced"].astype(str) == "2024-01-25 00:00:00").any()
