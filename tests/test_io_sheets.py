"""read_table on the spreadsheets analysts have: currency and scale in the header, title rows
above it, total and note rows within and below the data (CSV and XLSX alike)."""

from __future__ import annotations

import warnings
from decimal import Decimal
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import aidcalc
from aidcalc.io import read_any, read_table

FORMATS = ("csv", "xlsx")


def write(tmp_path: Path, rows: list[list[object]], fmt: str, name: str = "t") -> Path:
    """``rows`` as a CSV (``;``-separated, cells as text) or as the first sheet of a workbook."""
    if fmt == "csv":
        path = tmp_path / f"{name}.csv"
        text = "\n".join(";".join("" if c is None else str(c) for c in row) for row in rows)
        path.write_text(text + "\n", encoding="utf-8")
        return path
    from openpyxl import Workbook

    book = Workbook()
    for row in rows:
        book.active.append(list(row))
    path = tmp_path / f"{name}.xlsx"
    book.save(path)
    return path


def read(path: Path, **options):
    return read_table(path, return_rejected=True, **options)


# --- 1. currency and scale in the header ---------------------------------------------------------
HEADERS = [
    ("Amount (EUR million)", None, "1.5", 1_500_000.0, "EUR"),
    ("USD bn", None, "2.25", 2_250_000_000.0, "USD"),
    ("€m", None, "3", 3_000_000.0, "EUR"),
    ("Value, € millions", None, "0.5", 500_000.0, "EUR"),
    ("Mio. EUR", "de", "1,5", 1_500_000.0, "EUR"),
    ("in Millionen Euro", "de", "12,75", 12_750_000.0, "EUR"),
    ("amount_usd_millions", None, "4", 4_000_000.0, "USD"),
    ("金額（百万円）", "ja", "250", 250_000_000.0, "JPY"),
    ("Betrag (Mrd. €)", "de", "1,1", 1_100_000_000.0, "EUR"),
    ("Amount (GBP)", None, "70", 70.0, "GBP"),
]


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(("header", "locale", "cell", "amount", "currency"), HEADERS)
def test_currency_and_scale_come_from_the_header(tmp_path, fmt, header, locale, cell, amount,
                                                 currency):
    """Before: 'the table has no column for amount' (or, mapped by hand, 1.5 where the table
    meant 1.5 million)."""
    path = write(tmp_path, [["Donor", header], ["Japan", cell]], fmt)
    frame, rejected = read(path, locale=locale)
    assert frame["amount"].tolist() == [amount]
    assert frame["currency"].tolist() == [currency]
    assert len(rejected) == 0
    assert header in frame.attrs["units"][0] and "from its header" in frame.attrs["units"][0]


@pytest.mark.parametrize("fmt", FORMATS)
def test_mapping_keeps_the_scale_of_the_header(tmp_path, fmt):
    path = write(tmp_path, [["Geber", "Zusage (EUR million)", "Currency"],
                            ["Germany", "1.5", "EUR"], ["France", "2", ""]], fmt)
    frame, _ = read(path, mapping={"Geber": "donor", "Zusage (EUR million)": "amount"})
    assert frame["amount"].tolist() == [1_500_000.0, 2_000_000.0]
    assert frame["currency"].tolist() == ["EUR", "EUR"]  # an empty cell takes the header's
    assert frame.attrs["units"] == [
        "column 'Zusage (EUR million)': x 1,000,000 EUR from its header"
    ]


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_currency_column_that_disagrees_with_the_header_rejects_its_row(tmp_path, fmt):
    path = write(tmp_path, [["Donor", "Amount (EUR million)", "Currency"],
                            ["Germany", "1", "EUR"], ["Japan", "2", "USD"], ["Italy", "3", "€"]],
                 fmt)
    frame, rejected = read(path)
    assert frame["donor"].tolist() == ["DEU", "ITA"]  # "€" is EUR: it agrees
    assert rejected["Donor"].tolist() == ["Japan"]
    assert "'USD' in the currency column" in rejected["reason"].iloc[0]
    assert "says EUR" in rejected["reason"].iloc[0]
    assert rejected["kind"].tolist() == ["left out"]


def test_a_scale_word_of_another_language_asks_for_the_locale(tmp_path):
    path = write(tmp_path, [["Donor", "Betrag (Mio.)", "Currency"], ["Japan", "1", "JPY"]],
                 "csv")
    with pytest.raises(aidcalc.InputFileError, match=r"'mio\.' is a scale word in de.*locale="):
        read(path, mapping={"Betrag (Mio.)": "amount"})
    frame, _ = read(path, mapping={"Betrag (Mio.)": "amount"}, locale="de")
    assert frame["amount"].tolist() == [1_000_000.0]


def test_a_cell_with_its_own_scale_under_a_scaled_header_is_refused(tmp_path):
    path = write(tmp_path, [["Donor", "Amount (USD million)"], ["Japan", "5 billion"],
                            ["Canada", "=SUM(B2:B2)"], ["Italy", "7"]], "csv")
    frame, rejected = read(path)
    assert frame["amount"].tolist() == [7_000_000.0]
    assert rejected["Donor"].tolist() == ["Japan", "Canada"]
    assert "'5 billion' has words of its own" in rejected["reason"].iloc[0]
    assert "'=SUM(B2:B2)'" in rejected["reason"].iloc[1]


def test_several_priced_headers_are_an_error_naming_them(tmp_path):
    path = write(tmp_path, [["Donor", "Amount (EUR m)", "Amount (USD m)"], ["Japan", "1", "1"]],
                 "csv")
    with pytest.raises(aidcalc.InputFileError, match=r"several columns.*mapping="):
        read(path)


# --- 2. title and note rows above the header -----------------------------------------------------
PREAMBLE = [
    ["Ukraine support by Germany, 2022-2025"],
    ["Source: BMF, as of 2025-06-30"],
    [],
]
TABLE = [
    ["Donor", "Date", "Amount (EUR million)", "Category"],
    ["Germany", "2024-01-05", "1.5", "military"],
    ["Germany", "2024-02-05", "2.5", "energy"],
]


@pytest.mark.parametrize("fmt", FORMATS)
def test_title_rows_above_the_header(tmp_path, fmt):
    """Before: 'not a readable CSV (Expected 1 fields in line 4, saw 4)' for the CSV; the
    workbook took the title as its header ('no column for donor')."""
    path = write(tmp_path, PREAMBLE + TABLE, fmt)
    frame, rejected = read(path)
    assert frame["amount"].tolist() == [1_500_000.0, 2_500_000.0]
    assert frame.attrs["header_row"] == 4
    assert frame.attrs["notes"] == [
        "line 1: Ukraine support by Germany, 2022-2025",
        "line 2: Source: BMF, as of 2025-06-30",
    ]
    assert rejected.attrs["header_row"] == 4 and len(rejected) == 0


@pytest.mark.parametrize("fmt", FORMATS)
def test_header_row_forces_the_header_and_lines_are_the_files(tmp_path, fmt):
    rows = [["Donor", "Amount", "Currency"], ["Japan", "1", "JPY"], ["Canada", "x", "CAD"]]
    path = write(tmp_path, [["a title"], ["Donor", "Amount", "Currency"], *rows[1:]], fmt)
    frame, rejected = read(path, header_row=2)
    assert frame["donor"].tolist() == ["JPN"]
    assert rejected["line"].tolist() == [4]
    with pytest.raises(aidcalc.ValidationError, match=r"header_row=0 is not accepted"):
        read(path, header_row=0)
    with pytest.raises(aidcalc.InputFileError, match=r"header_row=99 is beyond"):
        read(path, header_row=99)


def test_header_row_is_refused_for_parquet(tmp_path):
    path = tmp_path / "p.parquet"
    pd.DataFrame({"donor": ["JPN"], "amount": [1.0], "currency": ["JPY"]}).to_parquet(path)
    frame, rejected = read(path)
    assert "header_row" not in frame.attrs and len(rejected) == 0
    with pytest.raises(aidcalc.ValidationError, match=r"header_row=2 is for CSV and XLSX"):
        read(path, header_row=2)


@pytest.mark.parametrize("fmt", FORMATS)
def test_no_header_found_says_what_was_tried(tmp_path, fmt):
    path = write(tmp_path, [["a title"], ["x", "y"], ["1", "2"]], fmt)
    with pytest.raises(aidcalc.InputFileError, match=r"none of the first 3 rows.*header_row="):
        read(path)


def test_a_header_like_row_far_down_is_data_not_a_header(tmp_path):
    rows = [["x", "y"]] + [["1", "2"]] * 10_000 + [["Donor", "Amount"]]
    path = write(tmp_path, rows, "csv")
    with pytest.raises(aidcalc.InputFileError, match=r"none of the first 50 rows"):
        read(path)


def test_a_huge_title_row_is_a_clear_error(tmp_path):
    path = tmp_path / "huge.csv"
    path.write_text("T" * 200_000 + "\nDonor,Amount,Currency\nJapan,1,JPY\n")
    with pytest.raises(aidcalc.InputFileError, match=r"no header found.*header_row="):
        read(path)


def test_parser_errors_name_lines_of_the_whole_file(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("A title\n\nDonor,Amount,Currency\nJapan,1,JPY\nCanada,1,2,3\n")
    with pytest.raises(aidcalc.InputFileError, match=r"line 5"):
        read(path)


# --- 3. total, subtotal and note rows ------------------------------------------------------------
@pytest.mark.parametrize("fmt", FORMATS)
def test_total_rows_that_repeat_their_rows_are_left_out(tmp_path, fmt):
    rows = [
        ["Donor", "Programme", "Amount (EUR million)"],
        ["Germany", "air defence", "1.5"],
        ["Germany", "energy", "2.5"],
        ["Germany", "Subtotal", "4"],
        ["Germany", "demining", "1"],
        ["Germany", "Zwischensumme", "1"],
        ["Germany", "Total (2022-2025)", "5"],
        ["Note: figures rounded"],
    ]
    path = write(tmp_path, rows, fmt)
    frame, rejected = read(path)
    assert frame["Programme"].tolist() == ["air defence", "energy", "demining"]
    assert frame["amount"].sum() == 5_000_000.0
    totals = rejected[rejected["Programme"].notna()]
    assert totals["line"].tolist() == [4, 6, 7]
    assert (totals["kind"] == "left out").all()
    assert totals["amount"].tolist() == [4_000_000.0, 1_000_000.0, 5_000_000.0]
    assert totals["reason"].str.contains("would count their money twice").all()
    note = rejected[rejected["Programme"].isna()]
    assert note["kind"].tolist() == ["note"] and note["line"].tolist() == [8]
    assert "'Note: figures rounded'" in note["reason"].iloc[0]


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_total_that_is_not_the_sum_is_kept_and_reported(tmp_path, fmt):
    rows = [["Donor", "Programme", "Amount", "Currency"], ["Germany", "energy", "2", "EUR"],
            ["Germany", "Total", "3", "EUR"]]
    frame, rejected = read(write(tmp_path, rows, fmt))
    assert frame["Programme"].tolist() == ["energy", "Total"]
    assert rejected["kind"].tolist() == ["money"] and rejected["kept"].tolist() == [True]
    assert "is not the sum" in rejected["reason"].iloc[0]
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        read_table(write(tmp_path, rows, fmt, "again"))
    assert any("1 kept with their money changed" in str(w.message) for w in seen)


@pytest.mark.parametrize("fmt", FORMATS)
def test_grand_total_in_the_donor_column_and_per_currency(tmp_path, fmt):
    rows = [["Donor", "Amount", "Currency"], ["Japan", "100", "JPY"], ["Canada", "2", "CAD"],
            ["Japan", "50", "JPY"], ["合計", "150", "JPY"], ["Total", "2", "CAD"]]
    frame, rejected = read(write(tmp_path, rows, fmt))
    assert frame["donor"].tolist() == ["JPN", "CAN", "JPN"]
    assert rejected["line"].tolist() == [5, 6]
    assert (rejected["kind"] == "left out").all()
    assert rejected["reason"].str.startswith("a total row").all()


def test_an_uncalculated_formula_total_is_reported_not_a_pledge(tmp_path):
    from openpyxl import Workbook

    book = Workbook()
    for row in (["Donor", "Amount (EUR m)"], ["Germany", 1.5], ["Total", "=SUM(B2:B2)"]):
        book.active.append(row)
    path = tmp_path / "formula.xlsx"
    book.save(path)  # openpyxl stores no calculated value: the cell reads as empty
    frame, rejected = read(path)
    assert frame["amount"].tolist() == [1_500_000.0]
    assert rejected["line"].tolist() == [3] and rejected["kind"].tolist() == ["note"]
    assert rejected["reason"].iloc[0].startswith("a total row without an amount")


def test_total_rows_show_in_the_report_with_their_money(tmp_path):
    from aidcalc._base._labels import Labels
    from aidcalc._base._locale import resolve_locale
    from aidcalc._report._input import read_input
    from aidcalc._report._ledger import money_text

    path = write(tmp_path, PREAMBLE + TABLE + [["Total", "", "4", ""]], "csv")
    frame, left_out = read_input(path)
    assert len(frame) == 2 and left_out is not None
    assert left_out["line"].tolist() == [7]
    text = money_text(left_out, "value", None, None, Labels(resolve_locale("en")))
    assert text == "EUR 4,000,000"


@pytest.mark.parametrize("fmt", FORMATS)
def test_read_any_routes_such_files_to_read_table(tmp_path, fmt):
    path = write(tmp_path, PREAMBLE + TABLE + [["Total", "", "4", ""]], fmt)
    frame, rejected = read_any(path, return_rejected=True)
    direct, _ = read(path)
    pd.testing.assert_frame_equal(frame.drop(columns=[]), direct)
    assert rejected["line"].tolist() == [7]
    assert read_any(path, return_rejected=True, header_row=4).frame.attrs["header_row"] == 4


# --- the property: preamble, a scale header, a total row ------------------------------------------
@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    preamble=st.lists(st.sampled_from(["Pledges to Ukraine", "Source: ministry", "",
                                       "Figures as of 2025-06-30; rounded"]), max_size=6),
    cents=st.lists(st.integers(min_value=0, max_value=10_000_000), min_size=1, max_size=12),
    scale=st.sampled_from([("EUR million", 6), ("USD bn", 9), ("JPY thousand", 3),
                           ("GBP", 0)]),
    fmt=st.sampled_from(FORMATS),
    total_at=st.sampled_from(["end", "start"]),
)
def test_amounts_read_are_the_true_amounts_and_totals_are_not_counted_twice(
    tmp_path, preamble, cents, scale, fmt, total_at
):
    header, power = scale
    written = [Decimal(c) / 100 for c in cents]
    data = [["Japan", str(v)] for v in written]
    total = ["Total", str(sum(written))]
    rows = [[p] for p in preamble] + [["Donor", f"Amount ({header})"]]
    rows += [total, *data] if total_at == "start" else [*data, total]
    path = write(tmp_path, rows, fmt, f"p{len(preamble)}{power}{total_at}")
    frame, rejected = read(path)
    truth = [float(v * 10**power) for v in written]
    assert frame["amount"].tolist() == truth
    assert len(frame) == len(data) and (rejected["kind"] == "left out").all()
    assert len(rejected) == 1 and rejected["reason"].iloc[0].startswith("a total row")
    assert np.isclose(frame["amount"].sum(), rejected["amount"].iloc[0], rtol=1e-12)
    assert frame.attrs["header_row"] == len(preamble) + 1


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.text(max_size=12),
            st.builds(
                lambda a, w, b: f"{a}{w}{b}",
                st.sampled_from(["", " ", "\xa0", "\u3000"]),
                st.sampled_from(["Total", "TOTAL", "grand total", "Gesamt", "合計", "Summe"]),
                st.sampled_from(["", ":", " 2024", "\xa0(2022-2025)", " x", "s", " – 2023"]),
            ),
        ),
        max_size=30,
    )
)
def test_total_labels_read_alike_by_re2_and_python(cells: list[str]) -> None:
    """The vectorised (RE2) test of a total label says what Python's pattern says."""
    from aidcalc.io import _layout

    pattern = _layout._total_pattern()
    python = [bool(pattern.fullmatch(c.strip())) for c in cells]
    assert _layout._says_total(pd.Series(cells, dtype=object), pattern).tolist() == python


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_header_of_the_roles_own_names_is_found_below_title_rows(tmp_path, fmt) -> None:
    """``donor,amount,currency`` (the pledge frame's own column names) was not taken for a
    header: only renamed columns counted, so below a title row the file was unreadable."""
    rows = [
        ["Ukraine support by Germany, 2022-2025"],
        [],
        ["donor", "announced", "amount", "currency"],
        ["DEU", "2022-03-01", "1000000", "EUR"],
    ]
    path = write(tmp_path, rows, fmt)
    frame, _ = read(path)
    assert frame["amount"].tolist() == [1_000_000.0]
    assert frame.attrs["header_row"] == 3


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_pledges_of_a_file_finds_the_header_as_read_table_does(tmp_path, fmt) -> None:
    """``aidcalc.pledges(path)`` took line 1 for the header, so a title row made the file
    unreadable while ``read_table`` read it."""
    import aidcalc

    rows = [
        ["Support by Japan (MOFA)"],
        ["Donor", "Date", "Amount", "Currency"],
        ["Japan", "2024-02-19", "15800000000", "JPY"],
    ]
    frame = aidcalc.pledges(write(tmp_path, rows, fmt))
    assert frame["donor"].tolist() == ["JPN"]
    assert frame["amount"].tolist() == [15_800_000_000.0]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_two_columns_for_one_role_are_refused_by_name(tmp_path, fmt) -> None:
    """``amount`` beside ``Amount (EUR million)``: both would be the amount (a raw pandas
    TypeError before); which one holds the money is not guessed."""
    rows = [["Donor", "amount", "Amount (EUR million)", "currency"], ["Japan", "1", "2", "EUR"]]
    with pytest.raises(aidcalc.InputFileError, match="would each be the 'amount' column"):
        read(write(tmp_path, rows, fmt))


HOSTILE_CELLS = st.sampled_from([
    "donor", "Donor", "amount", "Amount (EUR million)", "USD bn", "currency", "Total",
    "Subtotal", "合計", "Note: x", "announced", "", " ", "=SUM(A1:A3)", "n/a", "1,000",
    "1.000,5", "2024-06", "2024", "Japan", "EUR", "¥1.9 trillion", "(5)", "1e400", "inf",
    "\u00a0", "amount_text", "donor_iso3", "JPN", "kind", "reason", "line", "-3", "12.5",
])  # fmt: skip


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])  # fmt: skip
@given(rows=st.lists(st.lists(HOSTILE_CELLS, min_size=1, max_size=5), max_size=8))
def test_any_grid_is_read_or_refused_with_an_aidcalc_error(tmp_path, rows) -> None:
    """Random tables of the words the layout rules look at: read, or an AidcalcError;
    never a raw pandas error; the rows read never exceed the data rows."""
    path = write(tmp_path, rows, "csv")
    try:
        frame, _ = read_table(path, return_rejected=True)
    except aidcalc.AidcalcError:
        return
    assert len(frame) <= len(rows)


@settings(max_examples=150, deadline=None)
@given(
    value=st.decimals(min_value=0, max_value=10**12, places=3, allow_nan=False),
    locale=st.sampled_from(["en", "de", "fr", "it", "es", "hi", "de_CH", "ja", "pt_BR"]),
    grouped=st.booleans(),
    noise=st.sampled_from(["", " ", "x", ",", ".", "'", "-", "1"]),
    where=st.integers(0, 20),
)
def test_numbers_read_at_once_are_babels_strict_reading(value, locale, grouped, noise, where):
    """read_table reads well-formed numbers of the locale at once (RE2), the rest one text
    at a time by babel: the fast reading must be babel's strict one wherever it reads."""
    from babel.numbers import NumberFormatError, format_decimal, get_group_symbol, parse_decimal

    from aidcalc._money._parsing import read_plain_numbers

    text = format_decimal(value, locale=locale, group_separator=grouped,
                          decimal_quantization=False)  # fmt: skip
    text = text.replace("\u202f", " ").replace("\xa0", " ")
    mangled = text[:where] + noise + text[where:]
    for t in (text, mangled):
        fast = read_plain_numbers(pd.Series([t]), locale).iloc[0]
        if pd.isna(fast):
            continue
        group = get_group_symbol(locale)
        written = t.replace(" ", group) if group.isspace() else t  # fr: a narrow nbsp
        try:
            strict = float(parse_decimal(written, locale=locale, strict=True))
        except NumberFormatError:
            pytest.fail(f"{t!r} ({locale}) read as {fast} where babel refuses it")
        assert fast == strict, (t, locale)
