"""Issue 10: one error type for bad options. Every option of the pledge functions that is
refused raises aidcalc.ValidationError (a ValueError), and a wrong *type* of option is also a
TypeError, so callers catching the built-ins keep working."""

from __future__ import annotations

import pandas as pd
import pytest

import aidcalc

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
