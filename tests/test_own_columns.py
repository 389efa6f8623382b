"""share_of_gdp and per_capita never replace a caller's own columns (their ``gdp`` or
``population`` figures, a ``pct_of_gdp`` of their own) nor an earlier result's figures under
another name; a re-run under the same name replaces its own result together."""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import aidcalc

CALLS: dict[str, tuple[Any, tuple[str, str, str]]] = {
    "share_of_gdp": (
        lambda f, **kw: aidcalc.share_of_gdp(f, value="v", currency="USD", **kw),
        ("pct_of_gdp", "gdp", "gdp_source"),
    ),
    "per_capita": (
        lambda f, **kw: aidcalc.per_capita(f, value="v", **kw),
        ("per_capita", "population", "population_source"),
    ),
}
YEAR = {"share_of_gdp": "gdp_year", "per_capita": "population_year"}


def _frame() -> pd.DataFrame:
    return pd.DataFrame({"donor": ["JPN", "DEU"], "v": [1e9, 2e9]}, index=[4, 2])


@settings(max_examples=12, deadline=None)
@given(st.sampled_from(sorted(CALLS)), st.sampled_from([0, 1]), st.sampled_from(["x", 1.5]))
def test_a_users_own_column_is_never_replaced(func: str, which: int, mine: Any) -> None:
    call, names = CALLS[func]
    frame = _frame().assign(**{names[which]: mine})
    before = frame.copy()
    with pytest.raises(aidcalc.ValidationError, match="its own column"):
        call(frame, **{YEAR[func]: 2023})
    pd.testing.assert_frame_equal(frame, before)


@pytest.mark.parametrize("func", sorted(CALLS))
def test_a_rerun_under_the_same_name_replaces_its_result(func: str) -> None:
    call = CALLS[func][0]
    first = call(_frame(), **{YEAR[func]: 2023})
    again = call(first, **{YEAR[func]: 2022})
    pd.testing.assert_frame_equal(again, call(_frame(), **{YEAR[func]: 2022}))


@pytest.mark.parametrize("func", sorted(CALLS))
def test_a_second_result_under_another_name_is_refused(func: str) -> None:
    call = CALLS[func][0]
    first = call(_frame(), **{YEAR[func]: 2023})
    with pytest.raises(aidcalc.ValidationError, match="earlier"):
        call(first, out="other", **{YEAR[func]: 2022})
