"""spread (multi-year pledges, exact to the cent) and the status order."""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

import aidcalc
from aidcalc._lifecycle import STATUS_ORDER, status_rank


def test_status_order_is_documented():
    assert STATUS_ORDER == ("pledged", "committed", "allocated", "disbursed")
    ranks = status_rank(pd.Series(["committed", "disbursed", None, "allocated"]))
    assert ranks.tolist() == [1, 3, pd.NA, 2]


def test_ukraine_facility_four_even_years():
    f = pd.DataFrame(
        {
            "donor": ["EUI"],
            "amount": [50e9],
            "currency": ["EUR"],
            "period_start": [2024],
            "period_end": [2027],
        },
        index=["facility"],
    )
    out = aidcalc.spread(f)
    assert out["year"].tolist() == [2024, 2025, 2026, 2027]
    assert out["amount"].tolist() == [12.5e9] * 4
    assert out["pledge_row"].tolist() == ["facility"] * 4
    assert (out["currency"] == "EUR").all()


def test_leftover_cents_go_to_the_earliest_years():
    # EUR 100.00 over 3 years: 10000 cents = 3334 + 3333 + 3333 (by hand)
    f = pd.DataFrame(
        {"amount": [100.0, 0.05], "period_start": [2024, 2020], "period_end": [2026, 2023]}
    )
    out = aidcalc.spread(f)
    assert out["amount"].tolist() == [33.34, 33.33, 33.33, 0.02, 0.01, 0.01, 0.01]
    assert out["pledge_row"].tolist() == [0, 0, 0, 1, 1, 1, 1]


def test_single_year_and_undated_rows_unchanged():
    f = pd.DataFrame(
        {
            "amount": [0.1 + 0.2, 7.0, 3.0],
            "period_start": [2024, None, None],
            "period_end": [2024, 2025, None],
            "note": ["a", "b", "c"],
        }
    )
    out = aidcalc.spread(f)
    assert out["amount"].tolist() == [0.1 + 0.2, 7.0, 3.0]  # not even rounded
    assert out["year"].tolist() == [2024, 2025, pd.NA]
    assert out["note"].tolist() == ["a", "b", "c"]


def test_does_not_mutate_and_accepts_frames_without_periods():
    f = pd.DataFrame({"amount": [1.0]})
    before = f.copy()
    out = aidcalc.spread(f)
    pd.testing.assert_frame_equal(f, before)
    assert out["amount"].tolist() == [1.0]
    assert out["year"].isna().all()


def test_negative_amounts_split_symmetrically():
    out = aidcalc.spread(
        pd.DataFrame({"amount": [-100.0], "period_start": [2024], "period_end": [2026]})
    )
    assert out["amount"].tolist() == [-33.34, -33.33, -33.33]


def test_errors_name_rows_and_fix():
    with pytest.raises(aidcalc.ValidationError, match=r"1 row \(index 0\): period_start after"):
        aidcalc.spread(
            pd.DataFrame({"amount": [1.0], "period_start": [2027], "period_end": [2024]})
        )
    with pytest.raises(aidcalc.ValidationError, match="fractions of a cent"):
        aidcalc.spread(
            pd.DataFrame({"amount": [1.001], "period_start": [2024], "period_end": [2025]})
        )
    with pytest.raises(aidcalc.ValidationError, match="not a whole year"):
        aidcalc.spread(
            pd.DataFrame({"amount": [1.0], "period_start": [2024.5], "period_end": [2025]})
        )
    with pytest.raises(aidcalc.ValidationError, match="not finite"):
        aidcalc.spread(
            pd.DataFrame({"amount": [np.nan], "period_start": [2024], "period_end": [2025]})
        )
    with pytest.raises(aidcalc.ValidationError, match="amount column 'value'"):
        aidcalc.spread(pd.DataFrame({"amount": [1.0]}), amount="value")
    with pytest.raises(ValueError, match="how='even'"):
        aidcalc.spread(pd.DataFrame({"amount": [1.0]}), how="front")


CENTS = st.integers(min_value=-(10**13), max_value=10**13)  # up to EUR 100 billion


@given(
    st.lists(st.tuples(CENTS, st.integers(2000, 2030), st.integers(0, 12)), min_size=1, max_size=8)
)
def test_spread_conserves_every_pledge_exactly(rows):
    f = pd.DataFrame(
        {
            "amount": [c / 100 for c, _, _ in rows],
            "period_start": [s for _, s, _ in rows],
            "period_end": [s + k for _, s, k in rows],
        }
    )
    out = aidcalc.spread(f)
    assert len(out) == sum(k + 1 for _, _, k in rows)
    for label, (cents, start, k) in zip(f.index, rows, strict=True):
        parts = out[out["pledge_row"] == label]
        assert parts["year"].tolist() == list(range(start, start + k + 1))
        total = sum(Decimal(repr(v)).quantize(Decimal("0.01")) for v in parts["amount"])
        assert total == Decimal(cents) / 100
        # parts differ by at most one cent
        as_cents = [round(v * 100) for v in parts["amount"]]
        assert max(as_cents) - min(as_cents) <= 1
