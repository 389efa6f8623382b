"""The frame contract of every public frame function, on the frames users really have.

Hypothesis draws a frame (rows, index kind, the dtype of each column, attrs, now and then a
value that is not money) and every public frame function runs on it. The rules:

1. No raw pandas/numpy/pyarrow exception: what cannot be done is an
   :class:`aidcalc.AidcalcError`.
2. The caller's frame is never changed: values, dtypes, index (and its names), attrs.
3. Row-wise functions give one row per input row, same index, same order; no ``inf``.
4. ``errors="coerce"``: a row whose amount was given but whose result is NaN says why.
5. Sums conserve the money: ``aggregate`` and the chart tables (what a table leaves out is
   in ``attrs["left_out"]``), and a table without such a ledger raises rather than lose a row.
6. A value that is not money (a complex number, an integer beyond float64) is never read as
   money: an error naming the row, or NaN with a reason.

Frames: RangeIndex not at 0, duplicate/string/float labels, MultiIndex, DatetimeIndex, an
index named like a column or like a column aidcalc adds (``group``, ``period``); text as
``str``, ``object``, ``string[pyarrow]``, ``category`` (unused categories); amounts as
``float64``, ``Float64``/``Int64`` with ``pd.NA``, ``float32``, ``Decimal`` objects,
``double[pyarrow]``, ``decimal128[pyarrow]``, mixed objects; dates as text, datetime64 in
s/ms/us/ns, tz-aware (UTC, Asia/Tokyo), ``date`` objects, ``date32[pyarrow]``; 0 to 6 rows.
"""

from __future__ import annotations

import datetime as dt
import decimal
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import aidcalc
import aidcalc.plot as P

pytestmark = pytest.mark.filterwarnings("ignore")
warnings.filterwarnings("ignore", category=aidcalc.RejectedRowsWarning)

DONORS = ["JPN", "DEU", "USA", "GBR", "FRA", "ITA", "CAN", "EUI"]
CATEGORIES = ["energy", "demining", "humanitarian", "other"]
STATUSES = ["pledged", "committed", "allocated", "disbursed"]
TEXTS = ["power grid", "demining", "shelter", "budget support", "bridge repair"]
#: values no function may read as money
NOT_MONEY: dict[str, Any] = {"complex": 1 + 2j, "int beyond float64": 10**400, "a list": [1.0]}

TEXT_DTYPES = ["str", "object", "string[pyarrow]", "category"]
AMOUNT_DTYPES = ["float64", "Float64", "Int64", "float32", "Decimal", "double[pyarrow]",
                 "decimal[pyarrow]", "mixed objects"]  # fmt: skip
DATE_KINDS = ["text", "datetime64[s]", "datetime64[ms]", "datetime64[us]", "datetime64[ns]",
              "UTC", "Asia/Tokyo", "date objects", "date32[pyarrow]"]  # fmt: skip
INDEX_KINDS = ["range at 7", "duplicates", "strings", "floats", "MultiIndex", "DatetimeIndex",
               "named donor", "named group", "named period", "named amount"]  # fmt: skip


def _amounts(values: list[float | None], kind: str) -> Any:
    if kind == "float64":
        return pd.array(values, dtype="float64")
    if kind in ("Float64", "double[pyarrow]"):
        return pd.array(values, dtype=kind)
    if kind == "Int64":
        return pd.array([None if v is None else round(v) for v in values], dtype="Int64")
    if kind == "float32":
        return np.array([np.nan if v is None else v for v in values], dtype="float32")
    if kind == "Decimal":
        return pd.Series([None if v is None else decimal.Decimal(str(v)) for v in values],
                         dtype=object)  # fmt: skip
    if kind == "decimal[pyarrow]":
        return pd.array([None if v is None else decimal.Decimal(f"{v:.2f}") for v in values],
                        dtype=pd.ArrowDtype(pa.decimal128(18, 2)))  # fmt: skip
    mixed = [v if v is None or i % 3 == 0 else str(v) if i % 3 == 1 else decimal.Decimal(str(v))
             for i, v in enumerate(values)]  # fmt: skip
    return pd.Series(mixed, dtype=object)


def _dates(days: list[pd.Timestamp], kind: str) -> Any:
    ts = pd.Series(pd.to_datetime(days))
    if kind == "text":
        return ts.dt.strftime("%Y-%m-%d").astype(object)
    if kind.startswith("datetime64"):
        return ts.astype(kind)
    if kind in ("UTC", "Asia/Tokyo"):
        return ts.dt.tz_localize(kind)
    if kind == "date objects":
        return pd.Series(ts.dt.date, dtype=object)
    return ts.astype("date32[pyarrow]")


def _index(n: int, kind: str) -> pd.Index:
    if kind == "range at 7":
        return pd.RangeIndex(7, 7 + n)
    if kind == "duplicates":
        return pd.Index([i // 2 for i in range(n)])
    if kind == "strings":
        return pd.Index([f"r{n - i}" for i in range(n)], dtype=object)
    if kind == "floats":
        return pd.Index([i + 0.5 for i in range(n)])
    if kind == "MultiIndex":
        return pd.MultiIndex.from_arrays([["a", "b"] * (n // 2) + ["a"] * (n % 2), range(n)],
                                         names=["part", "line"])  # fmt: skip
    if kind == "DatetimeIndex":
        return pd.date_range("2020-01-01", periods=n)
    return pd.RangeIndex(n, name=kind.removeprefix("named "))


@st.composite
def frames(draw: Any, min_rows: int = 0, bad_values: bool = True) -> pd.DataFrame:
    n = draw(st.integers(min_rows, 6))
    rows = draw(st.lists(
        st.tuples(
            st.sampled_from(DONORS), st.sampled_from(CATEGORIES), st.sampled_from(STATUSES),
            st.sampled_from(TEXTS), st.sampled_from(["EUR", "USD", "JPY"]),
            st.one_of(st.none(), st.integers(0, 10**12).map(lambda c: c / 100)),
            st.dates(dt.date(2022, 1, 3), dt.date(2024, 6, 28)),
            st.integers(0, 3),
        ),
        min_size=n, max_size=n,
    ))  # fmt: skip
    text_dtype = draw(st.sampled_from(TEXT_DTYPES))
    frame = pd.DataFrame(
        {
            "donor": [r[0] for r in rows],
            "category": [r[1] for r in rows],
            "status": [r[2] for r in rows],
            "text": [r[3] for r in rows],
            "currency": [r[4] for r in rows],
            "amount": _amounts([r[5] for r in rows], draw(st.sampled_from(AMOUNT_DTYPES))),
            "date": _dates([pd.Timestamp(r[6]) for r in rows], draw(st.sampled_from(DATE_KINDS))),
            "period_start": [r[6].year for r in rows],
            "period_end": [r[6].year + r[7] for r in rows],
        }
    )
    frame["announced"] = frame["date"]
    if text_dtype == "category":
        for col, levels in (("donor", [*DONORS, "XXX"]), ("category", [*CATEGORIES, "unused"]),
                            ("status", STATUSES), ("text", TEXTS)):  # fmt: skip
            frame[col] = pd.Categorical(frame[col], categories=levels)
    elif text_dtype != "str":
        frame = frame.astype({c: text_dtype for c in ("donor", "category", "status", "text",
                                                      "currency")})  # fmt: skip
    if bad_values and n and draw(st.booleans()):
        at = draw(st.integers(0, n - 1))
        amounts = frame["amount"].astype(object).tolist()
        amounts[at] = NOT_MONEY[draw(st.sampled_from(sorted(NOT_MONEY)))]
        frame["amount"] = pd.Series(amounts, index=frame.index, dtype=object)
    frame.index = _index(n, draw(st.sampled_from(INDEX_KINDS)))
    if draw(st.booleans()):
        frame.attrs = {"source": "a user's table", "notes": ["kept as given"]}
    return frame


# --- the checks --------------------------------------------------------------------------------
def _snapshot(frame: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, Any]]:
    return frame.copy(deep=True), {"attrs": repr(frame.attrs), "names": frame.index.names}


def _unchanged(frame: pd.DataFrame, snap: tuple[pd.DataFrame, dict[str, Any]]) -> None:
    copy, more = snap
    pd.testing.assert_frame_equal(frame, copy, check_exact=True)  # values, dtypes, index
    assert repr(frame.attrs) == more["attrs"] and frame.index.names == more["names"]


def _run(call: Callable[[], Any], frame: pd.DataFrame) -> Any:
    """The result, or None when the call raised an AidcalcError (any other error fails)."""
    snap = _snapshot(frame)
    try:
        return call()
    except aidcalc.AidcalcError:
        return None
    finally:
        _unchanged(frame, snap)


def _given(frame: pd.DataFrame) -> np.ndarray:
    return frame["amount"].notna().to_numpy(dtype=bool)


def _not_money(frame: pd.DataFrame) -> np.ndarray:
    return np.array([isinstance(v, (complex, list)) or (isinstance(v, int) and abs(v) > 1e308)
                     for v in frame["amount"].astype(object)], dtype=bool)  # fmt: skip


def _finite_sum(frame: pd.DataFrame) -> float:
    return float(pd.to_numeric(frame["amount"].astype(object)).astype("float64").sum())


ROWWISE: dict[str, tuple[Callable[..., pd.DataFrame], str]] = {
    "convert": (lambda f, **k: aidcalc.convert(f, "EUR", fx="year", **k), "amount_EUR"),
    "normalise": (lambda f, **k: aidcalc.normalise(f, "EUR", 2022, **k), "amount_EUR_2022"),
    "normalise current": (lambda f, **k: aidcalc.normalise(f, "USD", prices=None, **k),
                          "amount_USD"),
    "share_of_gdp": (lambda f, **k: aidcalc.share_of_gdp(f, value="amount", year="date", **k),
                     "pct_of_gdp"),
    "per_capita": (lambda f, **k: aidcalc.per_capita(f, value="amount", year="date", **k),
                   "per_capita"),
}  # fmt: skip


@settings(max_examples=20, deadline=None)
@given(frame=frames())
def test_row_wise_functions_keep_rows_index_and_the_callers_frame(frame):
    bad = _not_money(frame)
    for name, (call, column) in ROWWISE.items():
        for errors in ("raise", "coerce"):
            out = _run(lambda: call(frame, errors=errors), frame)  # noqa: B023
            if out is None:
                assert errors == "raise", f"{name} raised under errors='coerce'"
                continue
            assert out.index.equals(frame.index) and len(out) == len(frame), name
            values = pd.to_numeric(out[column]).to_numpy(dtype="float64", na_value=np.nan)
            assert not np.isinf(values).any(), name
            assert not (bad & ~np.isnan(values)).any(), f"{name} read {frame['amount'][bad]}"
            if errors == "coerce" and len(frame):
                unexplained = np.isnan(values) & _given(frame) & out["error"].isna().to_numpy()
                assert not unexplained.any(), (name, out[unexplained])
            else:
                assert not bad.any(), f"{name} took {frame['amount'][bad].tolist()} as money"
    for call in (
        lambda: aidcalc.categorise(frame, text="text"),
        lambda: aidcalc.donor_codes(frame["donor"].astype(object), errors="coerce"),
    ):
        out = _run(call, frame)
        assert out is not None and out.index.equals(frame.index)  # fmt: skip


def _aggregates(frame: pd.DataFrame) -> dict[str, Callable[[], pd.DataFrame]]:
    eur = frame.assign(currency="EUR")
    half = len(eur) // 2
    return {
        "by donor, category": lambda: aidcalc.aggregate(eur),
        "by donor per year, G7": lambda: aidcalc.aggregate(eur, by="donor", period="year"),
        "by category per month, running": lambda: aidcalc.aggregate(
            eur, by="category", period="month", cumulative=True).groupby("category").last(),
        "groups per quarter": lambda: aidcalc.aggregate(
            eur.assign(donor="DEU"), by=None, groups="G7", period="quarter"),
        "chunks": lambda: aidcalc.aggregate_chunks([eur.iloc[:half], eur.iloc[half:]],
                                                   by="donor"),
        "spread then aggregate": lambda: aidcalc.aggregate(
            aidcalc.spread(eur.reset_index(drop=True)), by="donor", period="year"),
    }  # fmt: skip


@settings(max_examples=20, deadline=None)
@given(frame=frames())
def test_sums_conserve_the_money_or_raise(frame):
    bad = _not_money(frame)
    complete = not bad.any() and _given(frame).all()
    total = _finite_sum(frame) if complete else None
    for name, call in _aggregates(frame).items():
        out = _run(call, frame)
        if out is None:
            assert not complete or "spread" in name, f"{name} raised on a complete frame"
            continue
        assert not bad.any(), f"{name} summed {frame['amount'][bad].tolist()} as money"
        assert not np.isinf(out["amount"].to_numpy(dtype="float64")).any()
        if total is not None:
            assert out["amount"].sum() == pytest.approx(total, rel=1e-9, abs=1e-6), name
        if "rows" in out.columns and "spread" not in name and "running" not in name:
            assert out["rows"].sum() == len(frame), name


TABLES: dict[str, Callable[[pd.DataFrame], pd.DataFrame]] = {
    "donors_table": lambda f: P.donors_table(f, value="amount", unit="EUR"),
    "categories_table": lambda f: P.categories_table(f, value="amount", unit="EUR"),
    "pipeline_table": lambda f: P.pipeline_table(f, value="amount", unit="EUR",
                                                 cumulative=False),
    "share_of_gdp_table": lambda f: P.share_of_gdp_table(f.assign(pct_of_gdp=0.1),
                                                         value="amount", unit="EUR"),
}  # fmt: skip


@settings(max_examples=20, deadline=None)
@given(frame=frames(), dropped=st.lists(st.integers(0, 5), max_size=2))
def test_chart_tables_account_for_every_row(frame, dropped):
    """What a table sums plus what it says it left out is the whole frame; stage_totals
    (no ledger) raises for a row it cannot place."""
    frame = frame.assign(currency="EUR")
    for i in dropped:  # rows with no donor: left out and said, never lost
        if i < len(frame):
            donors = frame["donor"].astype(object)
            donors.iloc[i] = None
            frame["donor"] = donors
    bad = _not_money(frame)
    total = _finite_sum(frame) if not bad.any() else None
    for name, call in TABLES.items():
        out = _run(lambda: call(frame), frame)  # noqa: B023
        if out is None:
            assert bad.any() or not len(frame), name
            continue
        left = np.nansum([r["amount"] for r in out.attrs.get("left_out", [])])  # NaN: no value
        rows = sum(r["rows"] for r in out.attrs.get("left_out", []))
        assert out["rows"].sum() + rows == len(frame), name
        if total is not None:
            assert out["amount"].sum() + left == pytest.approx(total, rel=1e-9, abs=1e-6), name
    grid = _run(lambda: P.stage_totals(frame, value="amount", cumulative=False), frame)
    if grid is not None:
        assert not bad.any() and frame["donor"].notna().all() and _given(frame).all()
        assert grid.to_numpy().sum() == pytest.approx(total, rel=1e-9, abs=1e-6)


@settings(max_examples=20, deadline=None)
@given(frame=frames())
def test_checks_and_readers_report_rows_never_crash(frame):
    bad = _not_money(frame)
    problems = _run(lambda: aidcalc.validate(frame), frame)
    assert problems is not None
    assert set(frame.index[bad]) <= set(problems.loc[problems["column"] == "amount", "row"])
    read = _run(lambda: aidcalc.pledges(frame.drop(columns="date"), return_rejected=True), frame)
    if read is not None:
        assert len(read.frame) + len(read.rejected) == len(frame)
        if frame.index.is_unique:
            assert not set(frame.index[bad]) & set(read.frame.index)
    amounts = frame["amount"].astype(object)
    texts = pd.Series([v if isinstance(v, list) or pd.isna(v) else f"{v} EUR" for v in amounts],
                      index=frame.index, dtype=object)  # fmt: skip
    parsed = _run(lambda: aidcalc.parse_amounts(texts, errors="coerce"), frame)
    assert parsed is not None and parsed.index.equals(frame.index)
    assert not np.isinf(parsed["amount"].to_numpy(dtype="float64")).any()


@settings(max_examples=25, deadline=None)
@given(
    day=st.dates(dt.date(2022, 1, 3), dt.date(2024, 6, 28)),
    minutes=st.integers(0, 24 * 60 - 1),
    zone=st.sampled_from(["Asia/Tokyo", "UTC", "America/New_York", "Europe/Berlin"]),
)
def test_a_time_zone_aware_moment_is_dated_the_local_day(day, minutes, zone):
    """A Tokyo midnight announcement is the Tokyo day (not the UTC previous day), in
    convert's rate date and in aggregate's and the timeline's periods."""
    moment = pd.Timestamp(day).tz_localize(zone) + pd.Timedelta(minutes=minutes)
    local = moment.tz_localize(None).normalize()
    f = pd.DataFrame({"donor": ["JPN"], "amount": [1e9], "currency": ["EUR"],
                      "date": pd.Series([moment]), "announced": pd.Series([moment])})  # fmt: skip
    got = aidcalc.convert(f.assign(currency="JPY"), "EUR", max_days_back=10)
    assert got["fx_date"].iloc[0] <= local and (local - got["fx_date"].iloc[0]).days <= 10
    exact = aidcalc.convert(f, "EUR")  # no rate needed: the row's own day is kept
    assert exact["amount_EUR"].iloc[0] == 1e9
    month = aidcalc.aggregate(f, by=None, period="month")["period"].iloc[0]
    assert month == local.to_period("M")
    assert P.timeline_table(f, value="amount")["announced"].iloc[0].normalize() == local


LABEL_STYLES: dict[str, Callable[[int, str], Any]] = {
    "numbers (header=None)": lambda i, _: i,
    "spaces and capitals": lambda _, name: f"{name.title()} (as given)",
}


def _labelled_calls(g: Callable[[str], Any]) -> dict[str, Callable[[pd.DataFrame], Any]]:
    """Every frame function with each column named through its option (``g`` gives the
    frame's label for a role)."""
    names = {"value": g("amount"), "donor": g("donor")}
    return {
        "convert": lambda f: aidcalc.convert(f, "EUR", fx="year", amount=g("amount"),
                                             currency=g("currency"), date=g("date"))[-1:],
        "share_of_gdp": lambda f: aidcalc.share_of_gdp(
            f, currency=g("currency"), year=g("date"), **names).iloc[:, -3:],
        "categorise": lambda f: aidcalc.categorise(f, text=g("text"))[["category"]],
        "spread": lambda f: aidcalc.spread(f.reset_index(drop=True), amount=g("amount"),
                                           start=g("period_start"), end=g("period_end")),
        "aggregate": lambda f: aidcalc.aggregate(f, by=g("category"), value=g("amount"),
                                                 currency=None, date=g("announced"),
                                                 period="year", donor=g("donor")),
        "donors_table": lambda f: P.donors_table(f, by=g("category"), unit="EUR", **names),
        "pipeline_table": lambda f: P.pipeline_table(f, status=g("status"), unit="EUR",
                                                     **names),
        "timeline_table": lambda f: P.timeline_table(f, date=g("announced"), unit="EUR",
                                                     **names),
        "stage_totals": lambda f: P.stage_totals(f, status=g("status"), **names),
    }  # fmt: skip


@settings(max_examples=10, deadline=None)
@given(frame=frames(min_rows=1, bad_values=False), style=st.sampled_from(sorted(LABEL_STYLES)))
def test_any_column_label_works_through_the_options(frame, style):
    """Columns named with numbers (a frame read with ``header=None``), spaces or capitals
    give the numbers the default names give."""
    frame = frame.assign(currency="EUR").dropna(subset=["amount"])
    labels = {c: LABEL_STYLES[style](i, c) for i, c in enumerate(frame.columns)}
    renamed = frame.rename(columns=labels)
    plain, named = _labelled_calls(lambda c: c), _labelled_calls(labels.__getitem__)
    for name in plain:
        want = _run(lambda: plain[name](frame), frame)  # noqa: B023
        got = _run(lambda: named[name](renamed), renamed)  # noqa: B023
        if want is None:
            assert got is None, name
            continue
        assert got is not None, f"{name} refused {style} labels"
        np.testing.assert_allclose(got.select_dtypes("number").to_numpy(dtype="float64"),
                                   want.select_dtypes("number").to_numpy(dtype="float64"),
                                   rtol=1e-12, err_msg=name)  # fmt: skip
