"""Rich displays: Amount (str, IPython pretty, Jupyter HTML) and its conversion provenance."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

import aidcalc
from aidcalc import Amount, RateTable, convert_amount

TABLE = RateTable(
    ["2024-06-06", "2024-06-07"],
    ["USD", "JPY", "KWD"],
    [[1.0889, 169.28, 0.3339], [1.0898, 169.52, 0.3342]],
    base="EUR",
    source="two test fixings",
)


@pytest.mark.parametrize(
    ("value", "code", "text"),
    [
        ("1882173150000.4", "JPY", "JPY 1,882,173,150,000"),
        ("1882173150000.5", "JPY", "JPY 1,882,173,150,000"),  # half to even, display only
        ("1234.5", "USD", "USD 1,234.50"),
        ("1234.567", "USD", "USD 1,234.57"),
        ("1.5", "KWD", "KWD 1.500"),
        ("1.23456", "KWD", "KWD 1.235"),
    ],
)
def test_str_uses_minor_units(value: str, code: str, text: str) -> None:
    amount = Amount(value, code)
    assert str(amount) == text
    assert amount.value == Decimal(value)  # the value stays exact


@pytest.mark.parametrize(
    ("code", "decimals"), [("JPY", 0), ("USD", 2), ("EUR", 2), ("KWD", 3), ("BHD", 3)]
)
def test_html_and_pretty_use_minor_units(code: str, decimals: int) -> None:
    amount = Amount("1234.5678", code)
    html = amount._repr_html_()
    pretty = pytest.importorskip("IPython.lib.pretty").pretty(amount)
    number = html.split("<strong>")[1].split("</strong>")[0]
    digits = number.rsplit(".", 1)[1] if "." in number else ""
    assert len("".join(ch for ch in digits if ch.isdigit())) == decimals, number
    assert number in pretty and code in pretty and code in html
    assert "\n" not in pretty  # not converted: no provenance line


def test_repr_unchanged_for_plain_amounts() -> None:
    amount = Amount(12.1e9, "USD", text="$12.1 billion")
    assert repr(amount) == (
        "Amount(value=Decimal('12100000000'), currency='USD', approx=False, text='$12.1 billion')"
    )
    assert Amount(1, "USD", True, "about $1") == Amount(1, "USD", True)  # positional still works
    assert not amount.converted and amount.provenance() is None


@pytest.mark.parametrize(
    ("source", "to", "rate"),
    [
        ("USD", "JPY", 169.52 / 1.0898),
        ("JPY", "KWD", 0.3342 / 169.52),
        ("KWD", "USD", 1.0898 / 0.3342),
    ],
)
def test_converted_amount_carries_and_shows_provenance(source: str, to: str, rate: float) -> None:
    original = Amount("1000000", source, text="a million")
    out = convert_amount(original, to, on="2024-06-08", rates=TABLE)  # a Saturday: Friday's rate
    assert out.currency == to
    assert out.fx_rate == pytest.approx(rate)
    assert out.fx_date == datetime.date(2024, 6, 7)
    assert out.fx_source == "two test fixings"
    assert out.converted_from is original and out.converted
    assert out.value == Decimal("1000000") * Decimal(repr(out.fx_rate))
    line = out.provenance()
    assert line is not None
    for piece in (str(original), f"{to}/{source}", "2024-06-07", "two test fixings"):
        assert piece in line
    html = out._repr_html_()
    assert "2024-06-07" in html and "two test fixings" in html and f"{to}/{source}" in html
    pretty = pytest.importorskip("IPython.lib.pretty").pretty(out)
    first, second = pretty.split("\n")
    assert to in first and "2024-06-07" in second and "two test fixings" in second
    # provenance is not part of the value: equal to the same amount written directly
    assert out == Amount(out.value, to)


def test_converted_yen_has_no_decimals_anywhere() -> None:
    yen = convert_amount("$12.1 billion", "JPY", on="2024-06-07", rates=TABLE)
    assert yen.value != yen.value.to_integral_value()  # the exact product has decimals...
    assert "." not in str(yen)  # ...the displays do not
    shown = yen._repr_html_().split("<strong>")[1].split("</strong>")[0]
    assert "." not in shown and "¥" in shown


def test_html_escapes_text() -> None:
    html = Amount(1, "USD", text="<script>alert(1)</script>")._repr_html_()
    assert "<script>" not in html and "&lt;script&gt;" in html


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"fx_rate": 0.0}, aidcalc.AidcalcError),
        ({"fx_rate": float("inf")}, aidcalc.AidcalcError),
        ({"fx_rate": -1.0}, aidcalc.AidcalcError),
        ({"fx_date": "not a date"}, aidcalc.ParseError),
        ({"converted_from": "USD 1"}, TypeError),
    ],
)
def test_bad_provenance_is_refused(kwargs: dict, error: type[Exception]) -> None:
    with pytest.raises(error):
        Amount(1, "USD", **kwargs)


def test_fx_date_is_normalised_to_a_date() -> None:
    a = Amount(1, "USD", fx_rate=1.5, fx_date="2024-06-07T00:00:00")
    assert a.fx_date == datetime.date(2024, 6, 7)


# --- RateTable ---------------------------------------------------------------------------------
def _table(n_dates: int, codes: list[str], source: str, start: str = "2024-01-01") -> RateTable:
    import numpy as np

    dates = np.arange(np.datetime64(start), np.datetime64(start) + n_dates)
    values = np.full((n_dates, len(codes)), 2.0)
    values[0, -1] = np.nan  # one missing fixing
    return RateTable(dates, codes, values, base="EUR", source=source)


def test_rate_table_summaries_count_fixings_and_name_sources() -> None:
    table = _table(400, ["USD", "JPY", "GBP"], "bank A")
    assert table.n_fixings == 400 * 3 - 1  # the base's column of ones is not a fixing
    text = repr(table)
    for piece in ("base='EUR'", "currencies=4", "EUR, USD, JPY, GBP", "2024-01-01..2025-02-03",
                  "dates=400", "fixings=1,199", "source='bank A'"):  # fmt: skip
        assert piece in text, (piece, text)
    html = table._repr_html_()
    pretty = pytest.importorskip("IPython.lib.pretty").pretty(table)
    for shown in (html, pretty):
        assert "bank A" in shown and "1,199" in shown and "2025-02-03" in shown
    assert "2.0" not in html + pretty  # a summary, not the rates themselves


def test_rate_table_summary_is_bounded_and_lists_each_source() -> None:
    import numpy as np

    big = _table(5000, ["USD", "JPY", "GBP", "CHF", "SEK", "NOK", "DKK", "PLN", "CZK", "HUF",
                        "AUD", "CAD", "NZD", "ZAR"], "bank A")  # fmt: skip
    other = RateTable(["2024-06-03"], ["UAH"], [[44.0]], base="EUR", source="bank B")
    both = big.combine(other)
    pretty = pytest.importorskip("IPython.lib.pretty").pretty(both)
    for shown in (repr(both), both._repr_html_(), pretty):
        assert "bank A" in shown and "bank B" in shown
        assert "(+" in shown  # the long list of codes is cut
        assert len(shown) < 2000
    lines = pretty.splitlines()
    assert any("bank B" in line and "UAH" in line and "1 fixings" in line for line in lines)
    assert np.isnan(big.to_frame().iloc[0, -1])  # the display did not touch the table
