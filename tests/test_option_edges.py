"""Option edges found by the option sweep (issue 9 follow-ups): each test states a rule.

1. ``locale=None`` means the default locale (``"en"``) in every public function that takes a
   locale.
2. ``members=`` / ``highlight=``: a known group name is a group, a donor code or name is that
   donor, anything else is a ValidationError naming the value and the groups.
3. ``plot.timeline`` leaves out month- and year-only dates (a step needs its day) and says
   how many and why; it never refuses them outright nor puts them on an invented day.
4. ``aggregate(period=...)`` reads pandas Period columns by what each Period determines.
5. ``parse_amounts`` with a per-row locale Series: missing means the default locale; an
   unknown one is a problem of its rows only.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import aidcalc
import aidcalc.io
import aidcalc.plot as P

# --- 1. locale=None is the default -----------------------------------------------------------
_FRAME = pd.DataFrame(
    {
        "donor": ["JPN", "DEU", "USA"],
        "category": ["energy", "energy", "demining"],
        "status": ["committed", "pledged", "disbursed"],
        "announced": pd.to_datetime(["2023-03-01", "2024-02-19", "2024-06-03"]),
        "v": [1.0e9, 2.0e9, 5e8],
        "pct_of_gdp": [0.02, 0.04, 0.001],
        "price_base": "constant 2024 EUR",
    }
)
_MONEY = pd.DataFrame(
    {"amount": [1e6, 2e6], "currency": ["EUR", "GBP"], "date": ["2024-03-04", "2024-05-06"],
     "donor": ["DEU", "GBR"]}
)  # fmt: skip


def _texts(ax: Any) -> list[str]:
    ax = ax[0] if isinstance(ax, np.ndarray) else ax
    texts = [t.get_text() for t in [*ax.texts, *ax.figure.texts]]
    ticks = [t.get_text() for t in [*ax.get_xticklabels(), *ax.get_yticklabels()]]
    return [ax.get_title(loc="left"), ax.get_xlabel(), *texts, *ticks]


def _csv(tmp_path_factory: Any) -> str:
    path = tmp_path_factory.mktemp("locale") / "pledges.csv"
    path.write_text("donor,amount,currency,announced\nDEU,5 million,EUR,2024-03-04\n")
    return str(path)


#: every public function with a ``locale`` parameter -> a call of it with that locale; the
#: result is compared (through ``_same``) between locale=None and locale="en"
CALLS: dict[str, Callable[[Any, Any], Any]] = {
    "aidcalc.parse_amount": lambda loc, _: aidcalc.parse_amount("1.5 million EUR", locale=loc),
    "aidcalc.parse_amounts": lambda loc, _: aidcalc.parse_amounts(
        ["$1.5bn", "2 million EUR"], locale=loc, errors="coerce"),
    "aidcalc.format_amount": lambda loc, _: aidcalc.format_amount(1.5e9, currency="EUR",
                                                                 locale=loc),
    "aidcalc.convert": lambda loc, _: aidcalc.convert(_MONEY, "USD", locale=loc),
    "aidcalc.convert_amount": lambda loc, _: aidcalc.convert_amount(
        "5 million EUR", "USD", on="2024-03-04", locale=loc),
    "aidcalc.normalise": lambda loc, _: aidcalc.normalise(_MONEY, "EUR", 2022, locale=loc),
    "aidcalc.donor_code": lambda loc, _: aidcalc.donor_code("Germany", locale=loc),
    "aidcalc.donor_codes": lambda loc, _: aidcalc.donor_codes(["Germany", "Japan"], locale=loc),
    "aidcalc.donor_name": lambda loc, _: aidcalc.donor_name("DEU", locale=loc),
    "aidcalc.pledges": lambda loc, path: aidcalc.pledges(path, locale=loc),
    "aidcalc.io.read_table": lambda loc, path: aidcalc.io.read_table(path, locale=loc),
    "aidcalc.plot.get_label": lambda loc, _: P.get_label("demining", loc),
    "aidcalc.plot.donors": lambda loc, _: _texts(P.donors(_FRAME, value="v", locale=loc)),
    "aidcalc.plot.share_of_gdp": lambda loc, _: _texts(
        P.share_of_gdp(_FRAME, value="v", locale=loc)),
    "aidcalc.plot.timeline": lambda loc, _: _texts(P.timeline(_FRAME, value="v", locale=loc)),
    "aidcalc.plot.pipeline": lambda loc, _: _texts(P.pipeline(_FRAME, value="v", locale=loc)),
    "aidcalc.plot.categories": lambda loc, _: _texts(
        P.categories(_FRAME, value="v", locale=loc)),
}  # fmt: skip


def _public_with_locale() -> set[str]:
    found = set()
    for module in (aidcalc, aidcalc.io, P):
        for name in module.__all__:
            func = getattr(module, name)
            takes = callable(func) and not inspect.isclass(func)
            if takes and "locale" in inspect.signature(func).parameters:
                found.add(f"{module.__name__}.{name}")
    return found


def test_every_public_function_with_a_locale_is_checked_below():
    assert _public_with_locale() == set(CALLS)


def _same(a: Any, b: Any) -> None:
    if isinstance(a, pd.DataFrame):
        pd.testing.assert_frame_equal(a, b)
    elif isinstance(a, pd.Series):
        pd.testing.assert_series_equal(a, b)
    else:
        assert a == b


@pytest.mark.filterwarnings("ignore::UserWarning")
@pytest.mark.parametrize("name", sorted(CALLS))
def test_locale_none_is_the_default_locale(name, tmp_path_factory):
    path = _csv(tmp_path_factory)
    _same(CALLS[name](None, path), CALLS[name]("en", path))


# --- 2. members= / highlight= ----------------------------------------------------------------
@pytest.mark.parametrize(
    ("spec", "drawn"),
    [("G7", {"JPN", "DEU", "USA"}), ("JPN", {"JPN"}), ("Japan", {"JPN"}), ("g7", {"JPN", "DEU",
     "USA"}), (["JPN", "USA"], {"JPN", "USA"})],
)  # fmt: skip
def test_members_is_a_group_a_donor_or_a_list(spec, drawn):
    table = P.donors_table(_FRAME, value="v", members=spec)
    assert set(table["donor"]) == drawn
    left = sum(r["rows"] for r in table.attrs["left_out"])
    assert left == len(_FRAME) - len(drawn)  # the others are said, not lost


def test_highlight_one_donor_code_highlights_that_donor():
    ax = P.donors(_FRAME, value="v", highlight="JPN")
    alphas = {p.get_gid(): p.get_alpha() for p in ax.patches if p.get_gid()}
    strong = {gid for gid, a in alphas.items() if a in (None, 1.0)}
    assert strong and all("JPN" in gid for gid in strong)


@pytest.mark.parametrize("option", ["members", "highlight"])
@pytest.mark.parametrize("value", ["G8", "Atlantis", "XXX"])
def test_neither_group_nor_donor_names_the_value_and_the_groups(option, value):
    with pytest.raises(aidcalc.ValidationError) as err:
        P.donors(_FRAME, value="v", **{option: value})
    msg = str(err.value)
    assert f"{option}={value!r}" in msg
    assert all(g in msg for g in aidcalc.get_groups()["group"].unique())


# --- 3. timeline and dates that give no day ---------------------------------------------------
_COARSE = {"month": "2024-06", "year": "2024", "month name": "June 2024"}


@pytest.mark.parametrize("kind", sorted(_COARSE))
def test_timeline_leaves_out_dates_without_a_day_and_says_why(kind):
    df = _FRAME.assign(announced=["2023-03-01", _COARSE[kind], None])
    table = P.timeline_table(df, value="v", unit="EUR")
    reasons = {r["reason"]: (r["rows"], r["amount"], r["index"]) for r in table.attrs["left_out"]}
    only = "year_only" if kind == "year" else "month_only"
    assert reasons == {only: (1, 2e9, [1]), "undated": (1, 5e8, [2])}
    assert set(table["donor"]) == {"JPN"}  # DEU is not put on an invented day
    foot = " ".join(_texts(P.timeline(df, value="v", unit="EUR")))
    gives = "year" if kind == "year" else "month"
    assert f"1 row, €2B (date gives only the {gives}" in foot
    assert "(no date)" in foot
    with pytest.raises(aidcalc.AggregationError, match=r"index 1, 2.*to the day"):
        P.timeline_table(df, value="v", unit="EUR", missing="raise")


def test_timeline_footnote_says_it_in_the_charts_language():
    df = _FRAME.assign(announced=["2023-03-01", "2024-06", "2024"])
    foot = " ".join(_texts(P.timeline(df, value="v", unit="EUR", locale="de")))
    assert "nur den Monat" in foot and "nur das Jahr" in foot


# --- 4. aggregate and pandas Period columns -------------------------------------------------
_FINER = {"D": ["year", "quarter", "month"], "M": ["year", "quarter", "month"],
          "Q": ["year", "quarter"], "Y": ["year"]}  # fmt: skip
_PERIOD = {"year": "Y", "quarter": "Q", "month": "M"}


@settings(max_examples=40, deadline=None)
@given(
    freq=st.sampled_from(sorted(_FINER)),
    period=st.sampled_from(["year", "quarter", "month"]),
    starts=st.lists(st.integers(0, 75), min_size=1, max_size=6),  # inside 1900..2100,
)
def test_period_columns_count_for_the_periods_they_determine(freq, period, starts):
    periods = pd.PeriodIndex([pd.Period("2020-01-01", freq) + s for s in starts])
    df = pd.DataFrame({"donor": "JPN", "amount": np.arange(1.0, len(starts) + 1),
                       "announced": periods})  # fmt: skip
    if period in _FINER[freq]:
        got = aidcalc.aggregate(df, by=None, period=period, currency=None)
        expect = df.groupby(periods.start_time.to_period(_PERIOD[period]))["amount"].sum()
        assert got.set_index("period")["amount"].to_dict() == expect.to_dict()
    else:
        with pytest.raises(aidcalc.AggregationError, match=f"span more than one {period}"):
            aidcalc.aggregate(df, by=None, period=period, currency=None)


def test_a_week_across_two_months_is_refused_naming_its_row():
    weeks = pd.PeriodIndex([pd.Period("2024-06-05", "W"), pd.Period("2024-06-01", "W")])
    df = pd.DataFrame({"donor": "JPN", "amount": [1.0, 2.0], "announced": weeks})
    with pytest.raises(aidcalc.AggregationError, match=r"1 row \(index 1\)"):
        aidcalc.aggregate(df, by=None, period="month", currency=None)
    got = aidcalc.aggregate(df, by=None, period="year", currency=None)
    assert got["amount"].tolist() == [3.0]


# --- 5. parse_amounts with a per-row locale ---------------------------------------------------
def test_a_missing_row_locale_is_the_default_locale():
    texts = pd.Series(["1.5 million EUR", "5 Mio. EUR", "$2.5bn"], index=[7, 8, 9])
    for missing in (None, np.nan, pd.NA):
        locales = pd.Series(["en", "de", missing], index=texts.index, dtype=object)
        got = aidcalc.parse_amounts(texts, locale=locales)
        expect = aidcalc.parse_amounts(texts, locale=locales.fillna("en"))
        pd.testing.assert_frame_equal(got, expect)


def test_an_unknown_row_locale_fails_only_its_rows():
    texts = pd.Series(["5 million EUR", "5 Mio. EUR", "3 billion USD"], index=[7, 8, 9])
    locales = pd.Series(["en", "de", "xx_YY"], index=texts.index)
    got = aidcalc.parse_amounts(texts, locale=locales, errors="coerce")
    assert got["amount"].tolist()[:2] == [5e6, 5e6] and np.isnan(got.loc[9, "amount"])
    assert "unknown locale 'xx_YY'" in got.loc[9, "error"]
    with pytest.raises(aidcalc.ParseError, match=r"1 row \(index 9\).*unknown locale 'xx_YY'"):
        aidcalc.parse_amounts(texts, locale=locales)
    with pytest.raises(aidcalc.ParseError, match="unknown locale 'xx_YY'"):
        aidcalc.parse_amounts(texts, locale="xx_YY")  # one locale for all: still refused
