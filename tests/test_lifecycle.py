"""spread (multi-year pledges, exact to the cent) and the status order."""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import aidcalc
from aidcalc._pledges._lifecycle import STATUS_ORDER, status_rank


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
    # sub-cent amounts (converted values) no longer raise: split in binary units, exactly
    parts = aidcalc.spread(
        pd.DataFrame({"amount": [1.001], "period_start": [2024], "period_end": [2025]})
    )["amount"]
    assert parts.tolist() == [0.5005, 0.5005] and parts.sum() == 1.001
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


# --- QA A1: every money column is spread with the same shares ---------------------------------


def test_converted_columns_are_spread_not_copied():
    # QA A1: EUR 50bn Ukraine Facility converted to USD; amount_USD was copied into each year
    f = pd.DataFrame(
        {
            "donor": ["EUI"],
            "amount": [50e9],
            "currency": ["EUR"],
            "amount_USD": [54_040_000_000.0],  # 50bn x 1.0808 (ECB, 2024-02-28), by hand
            "fx_rate": [1.0808],
            "period_start": [2024],
            "period_end": [2027],
        }
    )
    out = aidcalc.spread(f)
    assert out["amount_USD"].tolist() == [13_510_000_000.0] * 4
    assert out["amount_USD"].sum() == 54_040_000_000.0
    assert out["fx_rate"].tolist() == [1.0808] * 4  # a rate is not money: carried


def test_sub_cent_money_column_is_split_exactly_in_any_order():
    f = pd.DataFrame(
        {
            "amount": [100.0],
            "amount_JPY": [15_800.123456789],
            "period_start": [2024],
            "period_end": [2030],
        }
    )
    parts = aidcalc.spread(f)["amount_JPY"].to_numpy()
    assert len(parts) == 7
    assert parts.sum() == 15_800.123456789
    assert sum(parts[::-1]) == 15_800.123456789
    assert np.ptp(parts) < 1e-9  # equal shares (up to the last binary digit)


def test_money_argument_names_the_columns():
    f = pd.DataFrame(
        {
            "amount": [10.0],
            "usd": [11.0],
            "amount_note": [3.0],
            "period_start": [2024],
            "period_end": [2025],
        }
    )
    out = aidcalc.spread(f, money=["usd"])
    assert out["usd"].tolist() == [5.5, 5.5]
    assert out["amount_note"].tolist() == [3.0, 3.0]  # not named: carried whole
    assert aidcalc.spread(f)["amount_note"].tolist() == [1.5, 1.5]  # default: amount_* floats
    assert aidcalc.spread(f, money=[])["amount_note"].tolist() == [3.0, 3.0]
    with pytest.raises(aidcalc.ValidationError, match=r"money column\(s\) \['eur'\] not in"):
        aidcalc.spread(f, money=["eur"])
    g = f.assign(usd=["eleven"])
    with pytest.raises(aidcalc.ValidationError, match="money column 'usd' is not a number"):
        aidcalc.spread(g, money=["usd"])


def test_missing_converted_value_stays_missing_in_every_year():
    f = pd.DataFrame(
        {"amount": [10.0], "amount_USD": [np.nan], "period_start": [2024], "period_end": [2025]}
    )
    out = aidcalc.spread(f)
    assert out["amount"].tolist() == [5.0, 5.0]
    assert out["amount_USD"].isna().all()


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.integers(-(10**13), 10**13),
            st.floats(-1e12, 1e12, allow_nan=False),
            st.integers(2000, 2040),
            st.integers(0, 12),
        ),
        min_size=1,
        max_size=20,
    )
)
def test_property_every_money_column_conserved_exactly(rows):
    f = pd.DataFrame(
        {
            "amount": [c / 100 for c, _, _, _ in rows],
            "amount_USD": [x for _, x, _, _ in rows],
            "period_start": [s for _, _, s, _ in rows],
            "period_end": [s + k for _, _, s, k in rows],
        }
    )
    out = aidcalc.spread(f)
    for i, (cents, converted, _, k) in enumerate(rows):
        part = out[out["pledge_row"] == i]
        assert len(part) == k + 1
        # amount: exact in cents; the converted column: bit for bit (float sum of the parts)
        assert sum(Decimal(repr(x)) for x in part["amount"]) == Decimal(cents) / 100
        if np.rint(converted * 100) / 100 == converted and abs(converted) < 2**53 / 100:
            # whole cents: split in cents, exact in decimal
            total = sum(Decimal(repr(x)) for x in part["amount_USD"])
            assert total == Decimal(repr(converted))
        else:  # sub-cent digits: split in binary units, exact as a float sum in any order
            assert float(part["amount_USD"].sum()) == converted
            assert sum(part["amount_USD"].tolist()[::-1]) == converted
        # same shares in every column: equal parts up to one unit
        assert np.ptp(np.rint(part["amount"].to_numpy() * 100)) <= 1


def test_wrong_input_types_are_clear():
    for bad in ({"amount": [1.0]}, None):
        with pytest.raises(TypeError, match="spread expects a pandas DataFrame"):
            aidcalc.spread(bad)
    with pytest.raises(aidcalc.AidcalcError, match="got NoneType"):
        aidcalc.spread(None)
    dup = pd.DataFrame([[1.0, 2.0]], columns=["amount", "amount"])
    with pytest.raises(aidcalc.ValidationError, match="duplicate column names 'amount'"):
        aidcalc.spread(dup)
