"""aggregate: tidy sums, refusal of unsafe sums, groups, periods, conservation."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import aidcalc


@pytest.fixture
def frame():
    return pd.DataFrame(
        {
            "donor": ["JPN", "JPN", "DEU", "EUI", "GBR"],
            "category": ["energy", "energy", "demining", "energy", "energy"],
            "announced": pd.to_datetime(
                ["2023-05-13", "2024-02-19", "2024-06-12", "2024-09-19", "2019-06-01"]
            ),
            "amount": [10.0, 20.0, 4.0, 160.0, 1.0],
            "currency": ["EUR"] * 5,
            "mine": list("abcde"),
        },
        index=[10, 11, 12, 13, 14],
    )


def test_by_donor_and_category(frame):
    out = aidcalc.aggregate(frame)
    assert out[["donor", "category", "amount", "rows"]].values.tolist() == [
        ["DEU", "demining", 4.0, 1],
        ["EUI", "energy", 160.0, 1],
        ["GBR", "energy", 1.0, 1],
        ["JPN", "energy", 30.0, 2],
    ]
    assert (out["currency"] == "EUR").all()
    assert isinstance(out.index, pd.RangeIndex)


def test_does_not_mutate(frame):
    before = frame.copy()
    aidcalc.aggregate(frame, groups="G7+EU", merges="kiel", attribute_eu=True, period="year")
    pd.testing.assert_frame_equal(frame, before)


def test_refuses_mixed_currencies_with_rows_and_fix(frame):
    frame.loc[11, "currency"] = "JPY"
    with pytest.raises(aidcalc.AggregationError) as err:
        aidcalc.aggregate(frame)
    msg = str(err.value)
    assert "group donor='JPN', category='energy' mixes 'EUR', 'JPY'" in msg
    assert "index 10, 11" in msg and "aidcalc.convert" in msg
    assert err.value.rows == [10, 11]
    # allowed when currency is a key
    out = aidcalc.aggregate(frame, by=("donor", "currency"))
    assert out.loc[out["donor"] == "JPN", ["currency", "amount"]].values.tolist() == [
        ["EUR", 10.0],
        ["JPY", 20.0],
    ]
    with pytest.raises(aidcalc.AggregationError, match="the total mixes"):
        aidcalc.aggregate(frame, by=None)


def test_converted_column_can_be_summed(frame):
    frame.loc[11, ["amount", "currency"]] = [3000.0, "JPY"]
    done = aidcalc.convert(frame, "EUR", date="announced")
    out = aidcalc.aggregate(done, by="donor", value="amount_EUR")
    jpn = out.set_index("donor").loc["JPN", "amount_EUR"]
    assert jpn == pytest.approx(10.0 + 3000.0 * done.loc[11, "fx_rate"])


def test_missing_currency_and_price_bases_and_kinds(frame):
    frame.loc[12, "currency"] = None
    with pytest.raises(aidcalc.AggregationError, match=r"currency missing in 1 row \(index 12\)"):
        aidcalc.aggregate(frame)
    frame.loc[12, "currency"] = "EUR"
    frame["price_base"] = ["constant 2022 EUR"] * 4 + ["current EUR"]
    with pytest.raises(aidcalc.AggregationError, match="across price bases"):
        aidcalc.aggregate(frame, by="currency")
    frame["price_base"] = "current EUR"
    frame["kind"] = ["pledge", "total_to_date", "pledge", "pledge", "pledge"]
    with pytest.raises(aidcalc.AggregationError, match=r"across kinds.*kind'\] == 'pledge'"):
        aidcalc.aggregate(frame)
    out = aidcalc.aggregate(frame, by=("donor", "kind"))
    assert len(out) == 5


def test_missing_values_give_missing_totals(frame):
    frame.loc[10, "amount"] = np.nan
    out = aidcalc.aggregate(frame, by="donor").set_index("donor")
    assert np.isnan(out.loc["JPN", "amount"]) and out.loc["JPN", "missing"] == 1
    assert out.loc["DEU", "amount"] == 4.0


def test_non_numeric_values_are_refused(frame):
    frame["amount"] = frame["amount"].astype(object)
    frame.loc[12, "amount"] = "4 million"
    with pytest.raises(aidcalc.AggregationError, match=r"index 12\) are not numbers"):
        aidcalc.aggregate(frame)


def test_groups_by_date_and_eu_institutions_once(frame):
    out = aidcalc.aggregate(frame, by="donor", groups=["G7", "EU27", "G7+EU", "EU27+EUI"])
    totals = dict(zip(out["group"], out["amount"], strict=True))
    assert totals == {"G7": 35.0, "EU27": 5.0, "G7+EU": 195.0, "EU27+EUI": 165.0}
    # GBR's 2019 row counts in EU27 (UK still a member), DEU's 2024 row too
    by_cat = aidcalc.aggregate(frame, groups="EU27")
    assert by_cat[["group", "category", "amount"]].values.tolist() == [
        ["EU27", "demining", 4.0],
        ["EU27", "energy", 1.0],
    ]


def test_attribute_eu_moves_eu_money_to_members_without_double_count(frame):
    plain = aidcalc.aggregate(frame, by="donor", groups="G7+EU")["amount"].item()
    attributed = aidcalc.aggregate(frame, by="donor", groups="G7+EU", attribute_eu=True)
    shares = aidcalc._pledges._groups._shares()
    expected = 35.0 + 160.0 * shares[["DEU", "FRA", "ITA"]].sum()
    assert attributed["amount"].item() == pytest.approx(expected)
    assert attributed["amount"].item() < plain


def test_periods_and_cumulative(frame):
    out = aidcalc.aggregate(frame, by=None, period="year")
    assert out["period"].astype(str).tolist() == ["2019", "2023", "2024"]
    assert out["amount"].tolist() == [1.0, 10.0, 184.0]
    cum = aidcalc.aggregate(frame, by="donor", period="year", cumulative=True)
    jpn = cum[cum["donor"] == "JPN"]
    assert jpn["amount"].tolist() == [10.0, 30.0]
    q = aidcalc.aggregate(frame, by=None, period="quarter")
    assert q["period"].astype(str).tolist() == ["2019Q2", "2023Q2", "2024Q1", "2024Q2", "2024Q3"]
    with pytest.raises(ValueError, match="cumulative=True needs a period"):
        aidcalc.aggregate(frame, cumulative=True)
    with pytest.raises(ValueError, match="period='week'"):
        aidcalc.aggregate(frame, period="week")


def test_missing_columns_are_named(frame):
    with pytest.raises(aidcalc.ValidationError, match=r"\['sector'\] not in the frame"):
        aidcalc.aggregate(frame, by="sector")


KEYS = st.sampled_from(["a", "b", None])


@given(
    st.lists(st.tuples(KEYS, KEYS, st.integers(-(10**9), 10**9)), min_size=0, max_size=30),
    st.sampled_from([("k1",), ("k2",), ("k1", "k2"), (), ("k2", "k1")]),
)
def test_conserves_totals_for_any_by(rows, by):
    f = pd.DataFrame(rows, columns=["k1", "k2", "amount"], dtype=object)
    f["amount"] = f["amount"].astype("float64") / 100  # cents
    f["currency"] = "EUR"
    out = aidcalc.aggregate(f, by=by)
    assert out["rows"].sum() == len(f)
    if len(f):
        assert round(out["amount"].sum(), 2) == round(f["amount"].sum(), 2)


DONORS = st.sampled_from(["USA", "JPN", "DEU", "FRA", "ITA", "GBR", "CAN", "EUI", "POL", "NOR"])


@settings(max_examples=30)
@given(st.lists(st.tuples(DONORS, st.integers(0, 10**8)), min_size=1, max_size=40))
def test_group_totals_equal_the_sum_of_their_members(rows):
    f = pd.DataFrame(rows, columns=["donor", "amount"])
    f["amount"] = f["amount"] / 100
    f["currency"] = "EUR"
    out = aidcalc.aggregate(f, by="donor", groups=["G7", "G7+EU", "EU27+EUI"])
    totals = dict(zip(out["group"], out["amount"], strict=True))
    g7 = ["USA", "JPN", "DEU", "FRA", "ITA", "GBR", "CAN"]
    eu27 = ["DEU", "FRA", "ITA", "POL"]  # GBR left in 2020 (undated rows: current members)
    for name, members in (("G7", g7), ("G7+EU", [*g7, "EUI"]), ("EU27+EUI", [*eu27, "EUI"])):
        expected = f.loc[f["donor"].isin(members), "amount"]
        if len(expected):
            assert totals[name] == pytest.approx(expected.sum(), rel=1e-12, abs=1e-9)
        else:
            assert name not in totals
    # and the result does not depend on row order
    shuffled = aidcalc.aggregate(f.iloc[::-1], by="donor", groups=["G7", "G7+EU", "EU27+EUI"])
    pd.testing.assert_frame_equal(shuffled, out, check_exact=False, rtol=1e-12)


# --- QA A1: aggregate(period="year") uses spread's year --------------------------------------


def test_period_year_follows_spread_years():
    facility = pd.DataFrame(
        {
            "donor": ["EUI", "JPN"],
            "amount": [50e9, 1e6],
            "currency": ["EUR", "EUR"],
            "announced": pd.to_datetime(["2024-02-28", "2025-12-03"]),
            "period_start": [2024, None],
            "period_end": [2027, None],
        }
    )
    spread = aidcalc.spread(facility)
    out = aidcalc.aggregate(spread, by=None, period="year")
    # 12.5bn in each of 2024..2027 (not 50bn in 2024); JPN (no period) in its announced year
    assert out["period"].astype(str).tolist() == ["2024", "2025", "2026", "2027"]
    assert out["amount"].tolist() == [12.5e9, 12.5e9 + 1e6, 12.5e9, 12.5e9]
    with pytest.raises(aidcalc.AggregationError, match=r"spread over years.*period='year'"):
        aidcalc.aggregate(spread, by=None, period="month")


# --- QA A2: EU money coded EUU is never dropped silently ------------------------------------


def test_euu_rows_outside_an_eu_group_raise():
    f = pd.DataFrame(
        {
            "donor": ["USA", "EUU"],
            "amount": [1e9, 50e9],
            "currency": ["EUR"] * 2,
            "category": ["x"] * 2,
            "announced": ["2024-02-28"] * 2,
        }
    )
    for groups in (["G7", "G7+EU"], "EU27+EUI", "EU27"):
        with pytest.raises(aidcalc.AggregationError) as err:
            aidcalc.aggregate(f, by=None, groups=groups)
        message = str(err.value)
        assert "donor 'EUU'" in message and "1 row (index 1)" in message
        assert "merges={'EUU': 'EUI'}" in message
    # G7 alone is not meant to contain the EU: EUU simply is not a member
    assert aidcalc.aggregate(f, by=None, groups="G7")["amount"].tolist() == [1e9]
    # the documented fix: the money is the EU budget's
    out = aidcalc.aggregate(f, by=None, groups=["G7", "G7+EU"], merges={"EUU": "EUI"})
    assert out["amount"].tolist() == [1e9, 51e9]


# --- QA A4: converted values in different target currencies are not summed -----------------


def test_values_converted_to_different_currencies_are_refused():
    f = pd.DataFrame(
        {
            "donor": ["USA", "EUI", "JPN"],
            "category": ["x"] * 3,
            "amount": [1e9, 50e9, 1.0],
            "currency": ["EUR", "EUR", "JPY"],
            "value": [1.08e9, 8.1e12, 0.0067],
            "fx_rate": [1.08, 162.0, 0.0067],
            "fx_to": ["USD", "JPY", "USD"],
        }
    )
    with pytest.raises(aidcalc.AggregationError) as err:
        aidcalc.aggregate(f, by=None, value="value")
    assert "target currencies (fx_to)" in str(err.value)
    assert "'USD', 'JPY'" in str(err.value)
    same = f.assign(fx_to="USD")
    assert aidcalc.aggregate(same, by=None, value="value")["fx_to"].tolist() == ["USD"]
    by_target = aidcalc.aggregate(f, by="fx_to", value="value")
    assert by_target.set_index("fx_to")["value"].to_dict() == {
        "JPY": 8.1e12,
        "USD": 1.08e9 + 0.0067,
    }


# --- QA B7: dates are read, not guessed -----------------------------------------------------


@pytest.mark.parametrize(
    ("dates", "period", "match"),
    [
        (["2022-06-07", "garbage"], "year",
         r"'announced' cannot be read in 1 row \(index 1\) \('garbage'"),
        (
            ["2022-06-07T10:00:00+02:00", "2022-06-07T10:00:00-05:00"], "year",
            r"2 rows \(index 0, 1\).*mixes UTC offsets \(\+02:00, -05:00\)",
        ),
        # the month is what is ambiguous: period="year" reads 2024 either way (test_option_sweep)
        (["07/06/2024", "2024-01-01"], "month", r"1 row \(index 0\).*ambiguous day/month order"),
        (["2024", "2024-01-01"], "quarter",
         r"1 row \(index 0\).*year-only date where period='quarter' needs a month"),
    ],
)  # fmt: skip
def test_unreadable_dates_raise_naming_rows(dates, period, match):
    f = pd.DataFrame({"donor": ["USA", "USA"], "amount": [1.0, 2.0], "announced": dates})
    with pytest.raises(aidcalc.AggregationError, match=match):
        aidcalc.aggregate(f, by="donor", period=period, currency=None)


def test_missing_dates_form_their_own_period_and_one_offset_is_fine():
    f = pd.DataFrame(
        {
            "donor": ["USA"] * 3,
            "amount": [1.0, 2.0, 4.0],
            "announced": ["2022-06-07", "2022-12-31T23:00:00+02:00", None],
        }
    )
    out = aidcalc.aggregate(f, by=None, period="year", currency=None)
    assert str(out["period"].iloc[0]) == "2022" and pd.isna(out["period"].iloc[1])
    assert out["amount"].tolist() == [3.0, 4.0]


# --- QA B8 / B10: bad input gets one documented kind of error -------------------------------


def test_duplicate_columns_and_wrong_types():
    dup = pd.DataFrame([[1.0, 2.0, "EUR"]], columns=["amount", "amount", "currency"])
    with pytest.raises(aidcalc.ValidationError, match="duplicate column names 'amount'"):
        aidcalc.aggregate(dup, by=None)
    with pytest.raises(TypeError, match="aggregate expects a pandas DataFrame, got list"):
        aidcalc.aggregate([1, 2])
    with pytest.raises(aidcalc.ValidationError, match="got list"):  # also an AidcalcError
        aidcalc.aggregate([1, 2])


def test_currency_codes_compared_trimmed_and_upper_case():
    f = pd.DataFrame(
        {"donor": ["USA"] * 3, "amount": [1.0, 2.0, 4.0], "currency": ["usd", "USD", " USD"]}
    )
    out = aidcalc.aggregate(f, by="donor")
    assert out[["amount", "currency"]].values.tolist() == [[7.0, "USD"]]
