"""The currency of a value column is the value's own: ``fx_to`` for a column that convert,
normalise or aggregate of their results wrote, not the rows' original ``currency``
(``aidcalc._base._provenance.is_converted``, shared by aggregate, the charts' tables and
share_of_gdp). A converted yen pledge measured against GDP as yen was 164x too small."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import aidcalc

DONORS = {"JPN": "JPY", "DEU": "EUR", "GBR": "GBP", "CAN": "CAD", "USA": "USD"}


def _pledges(donors: list[str]) -> pd.DataFrame:
    return pd.DataFrame(
        {"donor": donors, "amount": [1e9 * (i + 1) for i in range(len(donors))],
         "currency": [DONORS[d] for d in donors], "date": "2024-06-07"},
        index=[f"r{i}" for i in range(len(donors))],
    )  # fmt: skip


def _stated(frame: pd.DataFrame, value: str, to: str) -> pd.Series:
    """share_of_gdp of the same values with their currency stated, provenance dropped."""
    plain = pd.DataFrame({"donor": frame["donor"], "v": frame[value]}, index=frame.index)
    return aidcalc.share_of_gdp(plain, value="v", currency=to, gdp_year=2023)["pct_of_gdp"]


@settings(max_examples=15, deadline=None)
@given(
    st.lists(st.sampled_from(sorted(DONORS)), min_size=1, max_size=5),
    st.sampled_from(["EUR", "USD", "JPY"]),
)
def test_a_converted_column_is_measured_in_its_own_currency(donors: list[str], to: str) -> None:
    converted = aidcalc.convert(_pledges(donors), to)
    got = aidcalc.share_of_gdp(converted, value=f"amount_{to}", gdp_year=2023)["pct_of_gdp"]
    pd.testing.assert_series_equal(got, _stated(converted, f"amount_{to}", to))


def test_normalised_and_aggregated_columns_too() -> None:
    real = aidcalc.normalise(_pledges(list(DONORS)), "EUR", 2023)
    got = aidcalc.share_of_gdp(real, value="amount_EUR_2023", gdp_year=2023)["pct_of_gdp"]
    pd.testing.assert_series_equal(got, _stated(real, "amount_EUR_2023", "EUR"))
    sums = aidcalc.aggregate(real, by="donor", value="amount_EUR_2023")
    shares = aidcalc.share_of_gdp(sums, value="amount_EUR_2023", gdp_year=2023)
    want = _stated(sums, "amount_EUR_2023", "EUR")
    np.testing.assert_allclose(shares["pct_of_gdp"], want)


def test_the_rows_own_amount_stays_in_the_rows_currency() -> None:
    converted = aidcalc.convert(_pledges(["JPN", "GBR"]), "EUR")
    own = aidcalc.share_of_gdp(converted, value="amount", gdp_year=2023)["pct_of_gdp"]
    pd.testing.assert_series_equal(
        own, aidcalc.share_of_gdp(_pledges(["JPN", "GBR"]), value="amount", gdp_year=2023)[
            "pct_of_gdp"]
    )  # fmt: skip


def test_a_currency_the_caller_names_is_taken_at_its_word() -> None:
    converted = aidcalc.convert(_pledges(["JPN"]), "EUR")
    named = aidcalc.share_of_gdp(converted, value="amount_EUR", currency="currency",
                                 gdp_year=2023)["pct_of_gdp"]  # fmt: skip
    auto = aidcalc.share_of_gdp(converted, value="amount_EUR", gdp_year=2023)["pct_of_gdp"]
    assert named.iloc[0] < auto.iloc[0] / 100  # read as yen, as asked


def test_no_currency_anywhere_says_how_to_give_it() -> None:
    with pytest.raises(aidcalc.ValidationError, match=r"currency is unknown.*ISO 4217 code"):
        aidcalc.share_of_gdp(pd.DataFrame({"donor": ["JPN"], "v": [1.0]}), value="v",
                             gdp_year=2023)  # fmt: skip
