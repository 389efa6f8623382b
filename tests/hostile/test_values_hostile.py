"""Hostile inputs for the value functions (issue 9): wrapping dates, infinite and overflowing
money, absurd spread periods, empty frames. Each runs in a subprocess under a time and memory
limit (see ``_harness.py``) and must end in a clear aidcalc error or a correct result."""

from __future__ import annotations

from pathlib import Path

import pytest

from ._harness import assert_clear_error, run_case

FRAME = """
import numpy as np, pandas as pd, aidcalc
def frame(**cols):
    base = {"donor": ["DEU", "FRA"], "amount": [1.0, 2.0], "currency": ["EUR", "USD"],
            "announced": ["2024-06-07", "2024-06-07"], "date": ["2024-06-07", "2024-06-07"],
            "category": ["energy", "energy"]}
    base.update(cols)
    return pd.DataFrame(base, index=["ok", "bad"])
"""


@pytest.mark.parametrize(
    "value",
    ["'9999-12-31'", "'1500-06-01'", "np.datetime64('9999-12-31', 's')",
     "__import__('datetime').date(1500, 6, 1)", "pd.Timestamp('2262-04-12')"],
)  # fmt: skip
def test_far_dates_never_wrap(value):
    # pledges: the row is rejected with the window in the reason (not read as 1816)
    got = run_case(
        FRAME
        + f"""
ok, rejected = aidcalc.pledges(frame(announced=["2024-06-07", {value}]), return_rejected=True)
assert list(ok.index) == ["ok"], ok
assert "outside the supported window" in rejected.loc["bad", "reason"]
problems = aidcalc.validate(frame(announced=["2024-06-07", {value}]))
assert problems["row"].tolist() == ["bad"], problems
result = "refused"
"""
    )
    assert got.ok and got.result == "'refused'", got.describe()
    agg = run_case(
        FRAME + f"result = aidcalc.aggregate(frame(announced=['2024-06-07', {value}]), "
        "by=None, period='year', currency=None)"
    )
    assert_clear_error(agg, "AggregationError", mentions=("outside the supported window", "bad"))
    conv = run_case(FRAME + f"result = aidcalc.convert(frame(date=['2024-06-07', {value}]), 'EUR')")
    assert_clear_error(conv, "ParseError", mentions=("outside the supported window", "bad"))


def test_read_table_refuses_far_dates(tmp_path: Path):
    path = tmp_path / "far.csv"
    path.write_text(
        "donor,announced,amount,currency\nDEU,9999-12-31,1,EUR\nDEU,1500-06-01,2,EUR\n"
        "DEU,2024-01-01,3,EUR\n",
        encoding="utf-8",
    )
    got = run_case(
        f"""
import aidcalc.io
ok, rejected = aidcalc.io.read_table({str(path)!r}, return_rejected=True)
assert ok["announced"].dt.year.tolist() == [2024], ok
assert rejected["reason"].str.contains("outside the supported window").all(), rejected
result = len(rejected)
"""
    )
    assert got.ok and got.result == "2", got.describe()


@pytest.mark.parametrize(
    "call",
    [
        "aidcalc.convert(f, 'EUR')",
        "aidcalc.normalise(f, 'EUR', 2022, prices=None)",
        "aidcalc.normalise(f, 'USD', 2022, extend='last')",
        "aidcalc.share_of_gdp(f, value='amount', gdp_year=2021)",
        "aidcalc.per_capita(f, value='amount', population_year=2021)",
        "aidcalc.aggregate(f, by=None, currency=None)",
        "aidcalc.spread(f)",
    ],
)
@pytest.mark.parametrize("bad", ["np.inf", "-np.inf"])
def test_infinite_amounts_raise_clearly(call, bad):
    got = run_case(FRAME + f"f = frame(amount=[1.0, {bad}])\nresult = {call}")
    assert_clear_error(got, mentions=("bad",))
    assert "ValueError" in got.mro


@pytest.mark.parametrize(
    "call",
    [
        "aidcalc.convert(frame(amount=[1.0, 1e308], currency=['USD', 'USD']), 'JPY')",
        "aidcalc.normalise(frame(amount=[1.0, 1e308], currency=['USD', 'USD']), 'JPY', 2022,"
        " prices=None)",
        "aidcalc.share_of_gdp(frame(amount=[1.0, 1e308]), value='amount', gdp_year=2021,"
        " scale=1e9)",
        "aidcalc.per_capita(frame(amount=[1.0, 1e308]), value='amount', population_year=2021,"
        " scale=1e9)",
        "aidcalc.aggregate(frame(amount=[1e308, 1e308]), by=None, currency=None)",
    ],
)
def test_results_that_overflow_raise_clearly(call):
    got = run_case(FRAME + f"result = {call}")
    assert_clear_error(got, mentions=("overflow",))


@pytest.mark.parametrize(
    ("start", "end"), [(1, 10**8), (2022, 20224), (2022, 10**18), (-(10**8), 2022)]
)
def test_absurd_spread_periods_answer_in_seconds(start, end):
    got = run_case(
        FRAME
        + f"""
f = frame(period_start=[2024, {start}], period_end=[2025, {end}])
problems = aidcalc.validate(f)
assert set(problems["row"]) == {{"bad"}} and len(problems), problems
result = aidcalc.spread(f)
""",
        timeout=60,
        memory_mb=1500,
    )
    assert_clear_error(got, "ValidationError", mentions=("bad", "period_end"))
    assert got.seconds < 20, got.seconds


def test_many_long_but_plausible_periods_stay_bounded():
    # 20,000 rows x 50 years = 1M rows: the most a frame of that size can become
    got = run_case(
        """
import pandas as pd, aidcalc
n = 20_000
f = pd.DataFrame({"amount": [1000.0] * n, "period_start": [2000] * n, "period_end": [2049] * n})
out = aidcalc.spread(f)
assert out["amount"].sum() == 1000.0 * n
result = len(out)
""",
        timeout=60,
        memory_mb=2500,
    )
    assert got.ok and got.result == "1000000", got.describe()


@pytest.mark.parametrize(
    ("table", "expected"),
    [
        ("pd.DataFrame()", "error"),  # no required column: as validate reports it
        ("pd.DataFrame(columns=['donor', 'amount', 'currency'])", "empty"),
        ("pd.DataFrame({'Giver': [], 'Value': [], 'Currency': []})", "empty"),
    ],
)
def test_pledges_on_empty_tables(table, expected):
    got = run_case(
        f"""
import pandas as pd, aidcalc
try:
    ok, rejected = aidcalc.pledges({table}, return_rejected=True)
    assert aidcalc.validate(ok).empty
    result = "empty" if len(ok) == len(rejected) == 0 else "rows?"
except aidcalc.ValidationError as err:
    assert "the table has no column for" in str(err)
    result = "error"
"""
    )
    assert got.ok and got.result == repr(expected), got.describe()


def test_boolean_amounts_are_refused():
    got = run_case(FRAME + "result = aidcalc.convert(frame(amount=[True, False]), 'EUR')")
    assert_clear_error(got, "ValidationError", mentions=("booleans",))
