"""A pledge table's written amounts against its amount and currency columns
(``aidcalc/_pledges/_amount_texts.py``): texts fill what is empty, a text in the amount
column is read as one, and a contradiction leaves its row out, never read one way silently."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import aidcalc


def _read(table: pd.DataFrame, **kw: object) -> tuple[pd.DataFrame, pd.DataFrame]:
    base = {"donor": "Japan", "announced": "2024-06-07"}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", aidcalc.RejectedRowsWarning)
        return aidcalc.pledges(table.assign(**base), return_rejected=True, **kw)


def test_a_text_without_currency_takes_the_rows_currency() -> None:
    frame, rejected = _read(pd.DataFrame({"amount_text": ["5 million", "2.5bn"],
                                          "currency": ["EUR", "cad"]}))  # fmt: skip
    assert frame["amount"].tolist() == [5e6, 2.5e9]
    assert frame["currency"].tolist() == ["EUR", "CAD"]
    assert rejected.empty


def test_a_text_in_another_currency_than_the_column_leaves_its_row_out() -> None:
    table = pd.DataFrame({"amount_text": ["¥3bn", "€3bn", "US$5m"],
                          "currency": ["EUR", "EUR", "CAD"]})  # fmt: skip
    frame, rejected = _read(table)
    assert frame.index.tolist() == [1] and frame["amount"].tolist() == [3e9]
    assert rejected.index.tolist() == [0, 2]
    assert rejected["reason"].str.contains("written in JPY but currency is EUR").iloc[0]
    assert rejected["reason"].str.contains("written in USD but currency is CAD").iloc[1]


@pytest.mark.parametrize(("text", "currency"), [("$500m", "CAD"), ("$500m", "AUD"),
                                                ("¥3bn", "CNY"), ("500m kr", "NOK"),
                                                ("500 million dollars", "CAD")])  # fmt: skip
def test_a_symbol_of_both_currencies_is_the_columns_currency(text: str, currency: str) -> None:
    frame, rejected = _read(pd.DataFrame({"amount_text": [text], "currency": [currency]}))
    assert rejected.empty and frame["currency"].tolist() == [currency]


@pytest.mark.parametrize("factor", [1e-6, 1e-3, 0.1, 10.0, 1e3, -1.0])
def test_an_amount_that_is_not_the_texts_money_leaves_its_row_out(factor: float) -> None:
    table = pd.DataFrame({"amount_text": ["$3bn"], "amount": [3e9 * factor],
                          "currency": ["USD"]})  # fmt: skip
    frame, rejected = _read(table)
    assert frame.empty and "are not the same money" in rejected["reason"].iloc[0]


def test_a_rounded_text_beside_the_exact_amount_is_the_same_money() -> None:
    table = pd.DataFrame({"amount_text": ["about $3bn", "$12.1 billion (about ¥1.9 trillion)"],
                          "amount": [3.4e9, 12.1e9], "currency": ["USD", "USD"]})  # fmt: skip
    frame, rejected = _read(table)
    assert rejected.empty and frame["amount"].tolist() == [3.4e9, 12.1e9]


def test_texts_in_the_amount_column_are_read_as_written_amounts() -> None:
    table = pd.DataFrame({"Amount": ["¥1.9 trillion", "€500 million", 7.5, "n/a"],
                          "Currency": [None, None, "USD", "USD"]})  # fmt: skip
    frame, rejected = _read(table)
    assert frame["amount"].tolist() == [1.9e12, 5e8, 7.5]
    assert frame["currency"].tolist() == ["JPY", "EUR", "USD"]
    assert frame["amount_text"].iloc[:2].tolist() == ["¥1.9 trillion", "€500 million"]
    assert rejected.index.tolist() == [3] and "no number" in rejected["reason"].iloc[0]


def test_an_unreadable_text_does_not_reject_a_row_with_its_own_money() -> None:
    table = pd.DataFrame({"amount_text": ["see annex"], "amount": [5e6], "currency": ["EUR"]})
    frame, rejected = _read(table)
    assert rejected.empty and frame["amount"].tolist() == [5e6]


WRITTEN = st.sampled_from(["USD", "EUR", "JPY", "GBP", "CAD", "CHF"])


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(1, 999), st.sampled_from(["million", "billion"]), WRITTEN),
        min_size=1, max_size=6,
    ),
    st.sampled_from(["numbers", "text", "text+currency", "in amount", "all"]),
)
def test_every_way_of_giving_the_money_gives_the_same_frame(
    rows: list[tuple[int, str, str]], how: str
) -> None:
    value = [n * (1e6 if s == "million" else 1e9) for n, s, _ in rows]
    code = [c for _, _, c in rows]
    text = [f"{c} {n} {s}" for n, s, c in rows]
    bare = [f"{n} {s}" for n, s, _ in rows]
    table = {
        "numbers": pd.DataFrame({"amount": value, "currency": code}),
        "text": pd.DataFrame({"amount_text": text}),
        "text+currency": pd.DataFrame({"amount_text": bare, "currency": code}),
        "in amount": pd.DataFrame({"amount": text}),
        "all": pd.DataFrame({"amount_text": text, "amount": value, "currency": code}),
    }[how]
    frame, rejected = _read(table)
    assert rejected.empty
    np.testing.assert_array_equal(frame["amount"].to_numpy(), value)
    assert frame["currency"].tolist() == code
