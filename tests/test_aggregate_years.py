"""``aggregate(period="year")`` reads a ``year`` column in every form a frame holds years:
numbers, text, ``Period[Y]`` and datetimes, missing values included (a missing Period is
no year, never year -1)."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import aidcalc

FORMS = {
    "int": lambda ys: pd.array(ys, dtype="Int64"),
    "float": lambda ys: pd.Series(ys, dtype="float64"),
    "text": lambda ys: pd.Series([None if y is None else str(y) for y in ys], dtype=object),
    "period": lambda ys: pd.PeriodIndex([None if y is None else str(y) for y in ys], freq="Y"),
    "datetime": lambda ys: pd.to_datetime([None if y is None else f"{y}-07-01" for y in ys]),
}


@settings(max_examples=25, deadline=None)
@given(
    st.lists(st.one_of(st.none(), st.integers(1990, 2030)), min_size=1, max_size=8),
    st.sampled_from(sorted(FORMS)),
)
def test_every_form_of_year_groups_the_same(years: list[int | None], form: str) -> None:
    n = len(years)
    frame = pd.DataFrame({"donor": "JPN", "amount": [float(i + 1) for i in range(n)],
                          "currency": "USD", "announced": "2020-03-01"})  # fmt: skip
    want = aidcalc.aggregate(frame.assign(year=FORMS["int"](years)), by="donor",
                             period="year")  # fmt: skip
    got = aidcalc.aggregate(frame.assign(year=FORMS[form](years)), by="donor", period="year")
    pd.testing.assert_frame_equal(got, want)
    assert got["amount"].sum() == frame["amount"].sum()
    assert got["period"].astype(str).str.fullmatch(r"\d{4}").all()  # never -001


@pytest.mark.parametrize("form", ["period", "datetime"])
def test_a_missing_year_without_a_date_to_fall_back_on_is_named(form: str) -> None:
    frame = pd.DataFrame({"donor": ["JPN", "JPN"], "amount": [1.0, 2.0], "currency": "USD",
                          "year": FORMS[form]([2023, None])})  # fmt: skip
    with pytest.raises(aidcalc.ValidationError, match="missing in 1 row"):
        aidcalc.aggregate(frame, by="donor", period="year")
