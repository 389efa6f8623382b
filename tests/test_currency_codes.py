"""One rule for currency codes in every public function: any case and spacing, ISO 4217, and a
typo such as "YEN" refused (or reported) with the code meant."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import aidcalc
from aidcalc._money._convert import average_rate, lookup_rates
from aidcalc._money._currencies import check_currency, iso_codes

TABLE = aidcalc.RateTable(
    ["2024-06-06", "2024-06-07"],
    ["USD", "JPY"],
    [[1.0889, 169.28], [1.0898, 169.52]],
    base="EUR",
    source="t",
)
SPELLINGS = ["usd", " USD ", "Usd", "\tusd\n"]


def _frame(cur: str = "EUR") -> pd.DataFrame:
    return pd.DataFrame(
        {
            "amount": [100.0, 200.0, 300.0],
            "currency": [cur, "EUR", cur],
            "date": ["2024-06-07"] * 3,
            "donor": ["DEU", "FRA", "DEU"],
            "category": ["a", "a", "a"],
        }
    )


def _rates_frame(cur: str) -> pd.DataFrame:
    return pd.DataFrame({"date": ["2024-01-02"], "currency": [cur], "rate": [1.1]})


CASES: dict[str, Callable[[str], Any]] = {
    "convert(to=)": lambda c: aidcalc.convert(_frame(), to=c, rates=TABLE)["fx_rate"].tolist(),
    "convert column": lambda c: aidcalc.convert(_frame(c), "JPY", rates=TABLE)["fx_rate"].tolist(),
    "convert categorical column": lambda c: aidcalc.convert(
        _frame(c).astype({"currency": "category"}), "JPY", rates=TABLE
    )["fx_rate"].tolist(),
    "normalise(to=)": lambda c: aidcalc.normalise(_frame(), to=c, rates=TABLE, prices="none")[
        "fx_rate"
    ].tolist(),
    "normalise column": lambda c: aidcalc.normalise(
        _frame(c), to="JPY", rates=TABLE, prices="none"
    )["fx_rate"].tolist(),
    "convert_amount(to=)": lambda c: str(
        aidcalc.convert_amount(aidcalc.Amount(1, "EUR"), c, on="2024-06-07", rates=TABLE)
    ),
    "convert_amount(Amount)": lambda c: str(
        aidcalc.convert_amount(aidcalc.Amount(1, c), "JPY", on="2024-06-07", rates=TABLE)
    ),
    "lookup_rates(to=)": lambda c: lookup_rates(["EUR"], c, ["2024-06-07"], rates=TABLE)[
        "fx_rate"
    ].tolist(),
    "average_rate": lambda c: average_rate(c, "JPY", 2024),
    "RateTable.rate": lambda c: TABLE.rate(c, "2024-06-07"),
    "RateTable(base=)": lambda c: (
        aidcalc.RateTable(["2024-06-07"], ["JPY"], [[150.0]], base=c, source="x").base
    ),
    "format_amount(currency=)": lambda c: aidcalc.format_amount(1.5, currency=c, style="standard"),
    "parse_amount(default_currency=)": lambda c: aidcalc.parse_amount(
        "12 million", default_currency=c
    ),
    "read_rates(base=)": lambda c: repr(
        aidcalc.read_rates(_rates_frame("JPY"), base=c, source="x")
    ),
    "read_rates column": lambda c: (
        aidcalc.read_rates(_rates_frame(c), base="EUR", source="x").currencies
    ),
    "share_of_gdp column": lambda c: aidcalc.share_of_gdp(
        pd.DataFrame({"v": [1e9], "currency": [c], "donor": ["USA"], "year": [2020]}),
        value="v",
        year="year",
    )["pct_of_gdp"].tolist(),
    "aggregate column": lambda c: aidcalc.aggregate(
        pd.DataFrame(
            {"amount": [1.0, 2.0], "currency": [c, "USD"], "donor": ["DEU"] * 2, "category": "a"}
        )
    )["amount"].tolist(),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_any_case_and_spacing_is_the_same_code(case: str) -> None:
    expected = CASES[case]("USD")
    for spelling in SPELLINGS:
        got = CASES[case](spelling)
        if isinstance(expected, list):
            np.testing.assert_array_equal(got, expected)
        else:
            assert got == expected, (spelling, got, expected)


@pytest.mark.parametrize("case", sorted(CASES))
@pytest.mark.parametrize(("typo", "meant"), [("YEN", "JPY"), ("yen", "JPY"), ("EURO", "EUR")])
def test_a_typo_is_refused_with_the_code_meant(case: str, typo: str, meant: str) -> None:
    with pytest.raises(aidcalc.AidcalcError) as info:
        CASES[case](typo)
    message = str(info.value)
    if typo == "EURO" and "column" in case and case != "aggregate column":
        # a 4-letter cell is not a code at all: named as such, with its rows
        assert "EURO" in message and "row" in message, message
        return
    assert f"'{meant}'" in message, message
    assert "did you mean" in message.lower(), message


def test_coerced_rows_name_the_code_meant() -> None:
    out = aidcalc.convert(_frame("YEN"), "JPY", rates=TABLE, errors="coerce")
    assert out["fx_rate"].isna().tolist() == [True, False, True]
    assert "did you mean 'JPY'" in out["error"].iloc[0]
    assert len(out) == 3 and out.index.equals(_frame().index)


def _table_with(code: str) -> aidcalc.RateTable:
    return aidcalc.RateTable(["2024-06-07"], [code, "JPY"], [[1.09, 169.5]], base="EUR",
                             source="x")


#: every public entry point that takes a currency code as an *argument* (not in a column)
ARGUMENTS: dict[str, Callable[[str], Any]] = {
    **{name: call for name, call in CASES.items() if "column" not in name},
    "RateTable(currencies=)": lambda c: _table_with(c).currencies,
    "RateTable.combine(via=)": lambda c: TABLE.combine(_table_with("USD"), via=c).currencies,
    "convert_amount(from Amount)": lambda c: str(
        aidcalc.convert_amount(aidcalc.Amount(1, c), "EUR", on="2024-06-07", rates=TABLE)
    ),
}


@pytest.mark.parametrize("case", sorted(ARGUMENTS))
@pytest.mark.parametrize("bad", ["XYZ", " xyz ", "US", "EURO", "", "U$D"])
def test_a_code_that_is_not_iso_4217_is_one_error_everywhere(case: str, bad: str) -> None:
    with pytest.raises(aidcalc.CurrencyCodeError) as info:
        ARGUMENTS[case](bad)
    err = info.value
    assert isinstance(err, aidcalc.ValidationError) and isinstance(err, aidcalc.ParseError)
    assert isinstance(err, ValueError)
    assert repr(bad) in str(err) and "ISO 4217" in str(err)


def test_rate_table_names_every_bad_code_and_the_fix() -> None:
    with pytest.raises(aidcalc.CurrencyCodeError) as info:
        aidcalc.RateTable(["2024-06-07"], ["USD", "XYZ", "EURO", "jpy"],
                          [[1.0, 2.0, 3.0, 4.0]], base="EUR", source="x")
    message = str(info.value)
    assert "'XYZ', 'EURO' are not ISO 4217 codes" in message
    assert "'EURO': did you mean 'EUR'?" in message
    assert "list_currencies()" in message
    assert info.value.codes == ["XYZ", "EURO"]


def test_rate_table_codes_are_normalised_as_everywhere() -> None:
    table = aidcalc.RateTable(["2024-06-07"], ["usd ", "\tJpy"], [[1.09, 169.5]],
                              base=" eur", source="x")
    assert table.currencies == ("EUR", "USD", "JPY") and table.base == "EUR"
    assert table.rate(" usd", "2024-06-07") == 1.09


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(max_size=6), st.sampled_from(sorted(iso_codes())).map(
    lambda c: f" {c.lower()} ")))
def test_one_rule_for_code_arguments(text: str) -> None:
    """A code argument is accepted exactly when it is ISO 4217 after trimming and upper-casing,
    by the one helper and by RateTable alike."""
    expected = text.strip().upper()
    if expected in iso_codes():
        assert check_currency(text) == expected
        if expected not in ("EUR", "JPY"):  # the base and the other column
            assert _table_with(text).currencies[1] == expected
        return
    with pytest.raises(aidcalc.CurrencyCodeError):
        check_currency(text)
    with pytest.raises(aidcalc.CurrencyCodeError):
        _table_with(text)
