"""A frame's provenance columns (fx_rate, fx_to, price_base...) describe one converted value
column: aggregate, the charts and the report label its sums by them. A second conversion of
the same frame into another column must not write over them (USD sums were labelled EUR;
constant-price rows were deflated again): it is refused with the fix, unless the call
replaces its own earlier result."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import aidcalc

FRAME = pd.DataFrame(
    {
        "donor": ["JPN", "DEU", "USA"],
        "amount": [100.0, 5.0, 7.0],
        "currency": ["JPY", "EUR", "USD"],
        "date": ["2023-05-02", "2023-05-02", "2022-03-01"],
    }
)


def test_a_second_currency_is_refused_not_mislabelled() -> None:
    usd = aidcalc.convert(FRAME, "USD")
    before = aidcalc.aggregate(usd, by="donor", value="amount_USD")
    with pytest.raises(aidcalc.ValidationError, match="earlier conversion") as info:
        aidcalc.convert(usd, "EUR")
    assert "fx_to: 'USD'" in str(info.value)
    assert "convert the original frame" in str(info.value)
    # the way the message gives: each result in a frame of its own
    eur = aidcalc.convert(FRAME, "EUR")
    assert set(aidcalc.aggregate(eur, by="donor", value="amount_EUR")["fx_to"]) == {"EUR"}
    assert set(before["fx_to"]) == {"USD"}


def test_normalise_after_convert_is_refused() -> None:
    usd = aidcalc.convert(FRAME, "USD")
    with pytest.raises(aidcalc.ValidationError, match="earlier conversion"):
        aidcalc.normalise(usd, "EUR", 2023)


def test_running_the_same_call_again_replaces_its_result() -> None:
    usd = aidcalc.convert(FRAME, "USD")
    pd.testing.assert_frame_equal(aidcalc.convert(usd, "USD"), usd)
    real = aidcalc.normalise(FRAME, "EUR", 2023)
    pd.testing.assert_frame_equal(aidcalc.normalise(real, "EUR", 2023), real)
    with pytest.raises(aidcalc.ValidationError, match="earlier conversion"):
        aidcalc.normalise(real, "EUR", 2024)  # another base year: another column


@pytest.mark.parametrize("call", ["convert", "normalise"])
def test_rows_with_a_price_base_are_not_converted_again(call: str) -> None:
    read = FRAME.assign(currency="USD", price_base=["constant 2022 USD", "current USD", "x"])
    run = {
        "convert": lambda f: aidcalc.convert(f, "EUR"),
        "normalise": lambda f: aidcalc.normalise(f, "EUR", 2023),
    }[call]
    with pytest.raises(aidcalc.ValidationError, match="price_base") as info:
        run(read)
    assert "'constant 2022 USD'" in str(info.value)
    # the fix the message gives
    current = read[read["price_base"].str.startswith("current")].drop(columns="price_base")
    assert len(run(current)) == 1


def test_an_error_column_is_not_provenance() -> None:
    got = aidcalc.convert(FRAME.assign(error="from the user"), "USD", errors="coerce")
    assert len(got) == 3


CALLS = st.sampled_from(
    [
        ("convert", "USD", None),
        ("convert", "EUR", None),
        ("normalise", "EUR", 2023),
        ("normalise", "EUR", 2022),
        ("normalise", "USD", 2023),
    ]
)


def _run(frame: pd.DataFrame, call: tuple[str, str, int | None]) -> tuple[pd.DataFrame, str]:
    func, to, year = call
    if func == "convert":
        return aidcalc.convert(frame, to), f"amount_{to}"
    return aidcalc.normalise(frame, to, year), f"amount_{to}_{year}"


@settings(max_examples=25, deadline=None)
@given(first=CALLS, second=CALLS)
def test_every_converted_column_keeps_its_own_currency(
    first: tuple[str, str, int | None], second: tuple[str, str, int | None]
) -> None:
    once, col = _run(FRAME, first)
    try:
        twice, col2 = _run(once, second)
    except aidcalc.ValidationError:
        return  # refused, with the fix
    # allowed only when the second call replaced the first's result
    assert col2 == col
    sums = aidcalc.aggregate(twice, by="donor", value=col)
    assert set(sums["fx_to"]) == {first[1]}
