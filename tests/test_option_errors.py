"""Issue 10: one error type for bad options. Every option of the pledge functions that is
refused raises aidcalc.ValidationError (a ValueError), and a wrong *type* of option is also a
TypeError, so callers catching the built-ins keep working."""

from __future__ import annotations

import pandas as pd
import pytest

import aidcalc
from aidcalc._money._convert import lookup_rates

FRAME = pd.DataFrame(
    {
        "donor": ["JPN", "DEU"],
        "amount": [1.0, 2.0],
        "currency": ["EUR", "EUR"],
        "announced": pd.to_datetime(["2024-01-01", "2024-02-01"]),
        "description": ["power grid", "demining"],
    }
)


@pytest.mark.parametrize(
    ("call", "mentions"),
    [
        (lambda: aidcalc.spread(FRAME, how="weighted"), "how='weighted'"),
        (lambda: aidcalc.aggregate(FRAME, by="donor", period="week"), "period='week'"),
        (lambda: aidcalc.aggregate(FRAME, by="donor", cumulative=True), "cumulative=True needs"),
        (lambda: aidcalc.validate(FRAME, errors="ignore"), "errors must be"),
        (lambda: aidcalc.aggregate(FRAME, by="donor", merges="no such rule"), "unknown merge rule"),
    ],
)
def test_bad_option_values_raise_validation_error(call, mentions):
    with pytest.raises(aidcalc.ValidationError, match=mentions) as info:
        call()
    assert isinstance(info.value, ValueError)


@pytest.mark.parametrize(
    ("call", "option"),
    [
        (lambda: aidcalc.aggregate(FRAME, by="donor", merges=3), "merges"),
        (lambda: aidcalc.categorise(FRAME, overrides=3), "overrides"),
    ],
)
def test_bad_option_types_are_validation_errors_and_type_errors(call, option):
    with pytest.raises(aidcalc.ValidationError, match=option) as info:
        call()
    assert isinstance(info.value, TypeError)
    assert info.value.option == option


# --- the money layer: bad options of convert, lookup_rates, rates, formatting and units -------
@pytest.mark.parametrize(
    ("call", "option", "mentions"),
    [
        (lambda: aidcalc.convert(FRAME, to="USD", fx="week"), "fx", "fx \\(the exchange-rate"),
        (
            lambda: lookup_rates(["USD"], "EUR", ["2024-01-02"], max_days_back=-1),
            "max_days_back",
            "max_days_back must be",
        ),
        (
            lambda: lookup_rates(["USD", "JPY"], "EUR", ["2024-01-02"] * 3),
            "dates",
            "differ in length",
        ),
        (lambda: aidcalc.get_rates("fed"), "source", "unknown rate source"),
        (
            lambda: aidcalc.read_rates(
                pd.DataFrame({"date": ["2024-01-02"], "currency": ["USD"], "rate": [1.1]}),
                base="EUR",
                source="mine",
                quote="per_unit",
            ),
            "quote",
            "quote must be",
        ),
        (
            lambda: aidcalc.get_rates().combine(
                aidcalc.read_rates(
                    pd.DataFrame({"date": ["2024-01-02"], "currency": ["XAU"], "rate": [0.5]}),
                    base="XAG",
                    source="mine",
                )
            ),
            "other",
            "share no currency",
        ),
        (
            lambda: aidcalc.get_rates().combine(
                aidcalc.read_rates(
                    pd.DataFrame({"date": ["2024-01-02"], "currency": ["USD"], "rate": [40.0]}),
                    base="UAH",
                    source="mine",
                ),
                via="JPY",
            ),
            "via",
            "cannot combine via JPY",
        ),
        (lambda: aidcalc.format_amount((5, "USD"), style="fancy"), "style", "style must be"),
        (lambda: aidcalc.format_amount((5, "USD"), digits=13), "digits", "digits must be"),
    ],
)
def test_bad_money_options_raise_validation_error(call, option, mentions):
    with pytest.raises(aidcalc.ValidationError, match=mentions) as info:
        call()
    assert isinstance(info.value, ValueError)
    assert info.value.option == option
    assert hasattr(info.value, "accepted") and hasattr(info.value, "value")


@pytest.mark.parametrize(
    ("call", "option"),
    [
        (lambda: aidcalc.convert(FRAME, to="USD", date="announced", rates="ecb"), "rates"),
        (lambda: aidcalc.convert_amount(5, "EUR", on="2024-01-02"), "amount_or_text"),
        (lambda: aidcalc.get_rates().combine("ecb"), "other"),
        (lambda: aidcalc.read_rates(3, base="EUR", source="mine"), "data"),
        (lambda: aidcalc.format_amount((5, "USD", 1)), "amount"),
    ],
)
def test_bad_money_option_types_are_validation_errors_and_type_errors(call, option):
    with pytest.raises(aidcalc.ValidationError) as info:
        call()
    assert isinstance(info.value, TypeError)
    assert info.value.option == option


def test_a_currency_outside_the_unit_registry_is_a_validation_error(monkeypatch):
    from aidcalc._money import _units

    amount = aidcalc.Amount(5, "USD")
    object.__setattr__(amount, "currency", "QQQ")  # past Amount's own check, as a stale object
    with pytest.raises(aidcalc.ValidationError, match="not an ISO 4217 currency") as info:
        _units.money(amount)
    assert info.value.option == "amount"
