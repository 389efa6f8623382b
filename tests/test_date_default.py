"""convert and normalise find the pledge frame's dates without ``date=`` (``date``, else
``announced``), so the library's own frames flow from one function to the next."""

from __future__ import annotations

import pandas as pd
import pytest

import aidcalc

FUNCS = {
    "convert": lambda f, **kw: aidcalc.convert(f, "USD", **kw),
    "normalise": lambda f, **kw: aidcalc.normalise(f, "USD", 2023, extend="last", **kw),
}


def _frame(**dates: list[str]) -> pd.DataFrame:
    return pd.DataFrame(
        {"donor": ["JPN", "DEU"], "amount": [1.9e12, 5e8], "currency": ["JPY", "EUR"], **dates},
        index=[7, 3],
    )


@pytest.mark.parametrize("func", FUNCS)
def test_announced_is_read_when_there_is_no_date_column(func: str) -> None:
    days = ["2024-06-07", "2023-02-01"]
    got = FUNCS[func](_frame(announced=days))
    want = FUNCS[func](_frame(date=days))
    pd.testing.assert_frame_equal(got.drop(columns="announced"), want.drop(columns="date"))
    assert got["fx_date"].dt.strftime("%Y-%m-%d").tolist() == days


@pytest.mark.parametrize("func", FUNCS)
def test_a_date_column_wins_over_announced_and_date_wins_over_both(func: str) -> None:
    frame = _frame(date=["2024-06-07", "2023-02-01"], announced=["2020-01-02", "2020-01-02"])
    assert FUNCS[func](frame)["fx_date"].dt.year.tolist() == [2024, 2023]
    assert FUNCS[func](frame, date="announced")["fx_date"].dt.year.tolist() == [2020, 2020]


@pytest.mark.parametrize("func", FUNCS)
def test_no_date_column_at_all_names_both_and_the_keyword(func: str) -> None:
    with pytest.raises(aidcalc.ValidationError, match="date") as caught:
        FUNCS[func](_frame(signed=["2024-06-07", "2023-02-01"]))
    if func == "convert":
        assert "'announced'" in str(caught.value)


def test_a_pledge_frame_goes_to_convert_and_normalise_as_it_is() -> None:
    table = pd.DataFrame(
        {"Donor": ["Japan", "Germany"], "Amount": ["¥1.9 trillion", "€500 million"],
         "Date": ["2024-06-07", "2024-02-01"]}
    )  # fmt: skip
    frame = aidcalc.pledges(table, mapping={"Amount": "amount_text", "Date": "announced"})
    usd = aidcalc.convert(frame, "USD")
    assert usd["fx_date"].dt.strftime("%Y-%m-%d").tolist() == ["2024-06-07", "2024-02-01"]
    real = aidcalc.normalise(frame, "EUR", 2023, extend="last")
    assert real.index.equals(frame.index) and real["amount_EUR_2023"].notna().all()


def test_dask_frames_find_announced_too() -> None:
    dd = pytest.importorskip("dask.dataframe")
    frame = _frame(announced=["2024-06-07", "2023-02-01"])
    parts = dd.from_pandas(frame, npartitions=2, sort=False)  # dask's own string dtype
    lazy = aidcalc.convert(parts, "USD")
    pd.testing.assert_frame_equal(lazy.compute(), aidcalc.convert(parts.compute(), "USD"))
