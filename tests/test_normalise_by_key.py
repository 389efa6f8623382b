"""normalise once per distinct (donor, currency, date), gathered back to rows (issue 12).

Large frames take that path (:func:`aidcalc._real._prices._by_key`); small ones go row by
row. The rule: the two give the same frame, to the bit, for every input and option (values,
provenance, categories and their order, the ``error`` column, the index), and raise the same
error. Here both paths run on the same small frames (the thresholds patched), over inputs
that stress what a key must keep apart: times of day, time zones, text dates, missing and
refused values, amounts that are not numbers or overflow, an existing ``error`` column.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import aidcalc
from aidcalc._real import _cells, _prices

DONORS = ["JPN", "DEU", "Japan", "EUI", "POL", "Brazil", "Atlantis", None]
CURRENCIES = ["USD", "EUR", "JPY", "eur", " GBP", "XYZ", None]
DATES = [
    "2015-06-30", "2020-02-29", "2023-12-29", "2024-07-01", "2026-03-02", "1890-01-01",
    "13/06/2024", "07/06/2024", "2024", None, "not a date",
]  # fmt: skip
AMOUNTS = [1.0, 2.5e6, 0.0, -3.0, np.nan, 1e308, np.inf]


def _run(frame: pd.DataFrame, by_key: bool, monkeypatch: pytest.MonkeyPatch, **kw):
    """normalise on one path; returns the frame or the exception (type, message)."""
    monkeypatch.setattr(_prices, "_BY_KEY_MIN_ROWS", 0 if by_key else 10**12)
    monkeypatch.setattr(_prices, "_BY_KEY_MAX_SHARE", 1.0)
    try:
        return aidcalc.normalise(frame, **kw)
    except aidcalc.AidcalcError as err:
        return type(err), str(err)


def _same(frame: pd.DataFrame, monkeypatch: pytest.MonkeyPatch, **kw) -> None:
    rows = _run(frame, False, monkeypatch, **kw)
    keys = _run(frame, True, monkeypatch, **kw)
    if isinstance(rows, tuple):
        assert keys == rows
    else:
        assert not isinstance(keys, tuple), keys
        pd.testing.assert_frame_equal(keys, rows)


OPTIONS = st.fixed_dictionaries({
    "to": st.sampled_from(["USD", "EUR", "JPY"]),
    "base_year": st.sampled_from([2015, 2022, 2026]),
    "fx": st.sampled_from(["spot", "month", "year", "dac"]),
    "prices": st.sampled_from(["dac", "cpi", None]),
    "extend": st.sampled_from(["weo", "last", None]),
    "errors": st.sampled_from(["coerce", "raise"]),
})  # fmt: skip


@st.composite
def frames(draw: st.DrawFn) -> pd.DataFrame:
    n = draw(st.integers(1, 40))
    pick = lambda values: draw(st.lists(st.sampled_from(values), min_size=n, max_size=n))  # noqa: E731
    frame = pd.DataFrame({
        "donor": pick(DONORS), "amount": pick(AMOUNTS), "currency": pick(CURRENCIES),
        "date": pick(DATES),
    })  # fmt: skip
    kind = draw(st.sampled_from(["text", "datetime", "time of day", "tz", "categorical"]))
    if kind != "text":
        dates = pd.to_datetime(frame["date"], errors="coerce", format="%Y-%m-%d")
        if kind == "time of day":  # same day, different times: must stay apart
            dates = dates + pd.to_timedelta(draw(st.lists(
                st.sampled_from([0, 1, 13]), min_size=n, max_size=n)), unit="h")
        if kind == "tz":
            dates = dates.dt.tz_localize("Asia/Tokyo")
        frame["date"] = dates
    if kind == "categorical":
        frame = frame.astype({"donor": "category", "currency": "category"})
    if draw(st.booleans()):
        frame["error"] = pick(["earlier problem", None])
    if draw(st.booleans()):
        frame.index = pd.Index(draw(st.lists(st.sampled_from("abc"), min_size=n, max_size=n)))
    return frame


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow,
          HealthCheck.function_scoped_fixture])  # fmt: skip
@given(frame=frames(), options=OPTIONS)
def test_by_key_equals_row_by_row(frame, options, monkeypatch):
    _same(frame, monkeypatch, **options)


def test_text_amounts_keep_their_own_reason(monkeypatch):
    # an amount that is not a number is named in its reason: such rows are keys of their own
    frame = pd.DataFrame({"donor": ["JPN"] * 4, "amount": pd.Series([1.0, "ten", "inf", 2.0],
                          dtype=object), "currency": "USD", "date": "2020-05-05"})  # fmt: skip
    _same(frame, monkeypatch, to="EUR", base_year=2022, errors="coerce")
    _same(frame, monkeypatch, to="EUR", base_year=2022)


def test_overflow_is_reported_as_row_by_row(monkeypatch):
    frame = pd.DataFrame({"donor": ["JPN", "JPN"], "amount": [1.0, 1e308],
                          "currency": "USD", "date": "2020-05-05"})  # fmt: skip
    _same(frame, monkeypatch, to="JPY", base_year=2022, errors="coerce")
    _same(frame, monkeypatch, to="JPY", base_year=2022)


def test_output_named_like_an_input(monkeypatch):
    frame = pd.DataFrame({"donor": ["JPN"] * 3, "amount": [1.0, 2.0, 3.0],
                          "currency": "USD", "fx_rate": ["2020-05-05"] * 3})  # fmt: skip
    _same(frame, monkeypatch, to="EUR", base_year=2022, date="fx_rate")
    _same(frame, monkeypatch, to="EUR", base_year=2022, out="amount")


def test_a_large_frame_takes_the_key_path_and_equals_row_by_row(monkeypatch):
    rng = np.random.default_rng(0)
    n = 60_000
    frame = pd.DataFrame({
        "donor": rng.choice(["JPN", "DEU", "CAN", "EUI"], n),
        "amount": rng.uniform(1, 1e9, n),
        "currency": rng.choice(["JPY", "EUR", "CAD", "USD"], n),
        "date": pd.to_datetime("2010-01-01") + pd.to_timedelta(rng.integers(0, 500, n), "D"),
    }, index=pd.RangeIndex(n)[::-1])  # fmt: skip
    calls = []
    real = _prices._by_row
    monkeypatch.setattr(_prices, "_by_row", lambda f, *a: calls.append(len(f)) or real(f, *a))
    got = aidcalc.normalise(frame, "EUR", 2023)
    assert calls and calls[0] < n  # once per distinct key, not per row
    monkeypatch.setattr(_prices, "_BY_KEY_MIN_ROWS", 10**12)
    pd.testing.assert_frame_equal(got, aidcalc.normalise(frame, "EUR", 2023))


def test_row_keys_equal_exactly_when_values_equal():
    stamps = pd.Series(pd.to_datetime(
        ["2024-01-01", "2024-01-01 00:00:01", None, "2024-01-01"], format="ISO8601"
    ))
    keys = _cells.row_keys([stamps]).key
    assert keys[0] == keys[3] and len({keys[0], keys[1], keys[2]}) == 3
    wide = pd.Series([10**17, -(10**17), 10**17])  # integers far apart: hashed, not dense
    keys = _cells.row_keys([wide])
    assert keys.size <= 3 and keys.key[0] == keys.key[2] != keys.key[1]


@pytest.mark.parametrize("dtype", ["Int64", "int64", "Float64"])
def test_year_columns_of_every_integer_dtype(monkeypatch, dtype):
    # a nullable year column may hold <NA>: keyed by hashing, never cast to numpy integers
    years = pd.Series([2020, 2021, 2019] * 4, dtype=dtype)
    if dtype != "int64":
        years[1] = pd.NA
    frame = pd.DataFrame({"donor": "JPN", "amount": 1.0, "currency": "USD", "date": years})
    _same(frame, monkeypatch, to="EUR", base_year=2022, fx="year", errors="coerce")
