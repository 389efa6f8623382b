"""The rules every chart of aidcalc.plot follows (issue 9, "Trust at the edges").

1. One path for sums: each chart draws the output of its public ``*_table`` function, built on
   ``aidcalc.aggregate``; what aggregate accepts the charts accept; non-frames raise
   ``FrameTypeError``; absent stages/categories are not drawn as 0 bars unless asked for.
2. Money a chart leaves out is said in its footnote: count, amount, why, in its language.
3. Tick labels are distinct and exact to the precision shown.
4. Every text drawn is in the chart's language (or English with one warning).
5. Plotting never changes the user's global matplotlib state.
6. seaborn-style options: data first, keyword-only, ax=None, palette=, order=, hue_order=.

Values are read back from the artists (bar widths, line vertices, texts), never from pixels.
"""

from __future__ import annotations

import inspect
import math
import re
import warnings
from collections.abc import Callable
from typing import Any

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from matplotlib.colors import to_hex
from matplotlib.text import Text

import aidcalc
import aidcalc.plot as P
from aidcalc._base._labels import CATALOGUE
from aidcalc.plot import _style

FOOT = _style.FOOTNOTE_GID
LOCALES = ("de", "fr", "it", "ja", "uk")


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.fixture
def frame() -> pd.DataFrame:
    # JPN: energy 3e9 (two rows), demining 1e9; DEU: energy 2.5e9; USA: reconstruction 7.5e8
    return pd.DataFrame(
        {
            "donor": ["JPN", "JPN", "JPN", "DEU", "USA", "USA"],
            "category": ["energy", "energy", "demining", "energy", "reconstruction",
                         "reconstruction"],
            "status": ["committed", "pledged", "disbursed", "pledged", "committed", "pledged"],
            "announced": pd.to_datetime(["2023-03-01", "2024-02-19", "2024-02-19",
                                         "2023-06-01", "2022-07-04", "2025-01-10"]),
            "v": [1.0e9, 2.0e9, 1.0e9, 2.5e9, 0.5e9, 0.25e9],
            "pct_of_gdp": [0.02, 0.04, 0.02, 0.06, 0.001, 0.0005],
            "price_base": "constant 2024 EUR",
        },
        index=[10, 11, 12, 13, 14, 15],
    )


def _first(axes: Any) -> Any:
    return axes[0] if isinstance(axes, np.ndarray) else axes


CHARTS: dict[str, Callable[..., Any]] = {
    "donors": lambda df, **kw: P.donors(df, value="v", **kw),
    "share_of_gdp": lambda df, **kw: P.share_of_gdp(df, value="v", **kw),
    "timeline": lambda df, **kw: P.timeline(df, value="v", **kw),
    "pipeline": lambda df, **kw: P.pipeline(df, value="v", **kw),
    "categories": lambda df, **kw: _first(P.categories(df, value="v", **kw)),
}
TABLES: dict[str, Callable[..., pd.DataFrame]] = {
    "donors": P.donors_table,
    "share_of_gdp": P.share_of_gdp_table,
    "timeline": P.timeline_table,
    "pipeline": P.pipeline_table,
    "categories": P.categories_table,
}


def footnote(ax: Any) -> str:
    texts = [t.get_text() for t in ax.texts if t.get_gid() == FOOT]
    texts += [t.get_text() for t in ax.figure.texts if t.get_gid() == FOOT]
    return " ".join(texts).replace("\n", " ")


def widths(ax: Any) -> dict[str, float]:
    return {p.get_gid(): float(p.get_width()) for p in ax.patches if p.get_gid()}


# --- 1. one path for sums ------------------------------------------------------------------------
def test_every_public_chart_has_a_public_table():
    charts = {"donors", "share_of_gdp", "timeline", "pipeline", "categories"}
    public = {n for n in P.__all__ if callable(getattr(P, n)) and f"{n}_table" in P.__all__}
    assert public == charts
    for name in charts:
        assert callable(getattr(P, f"{name}_table"))


@pytest.fixture
def converted() -> pd.DataFrame:
    raw = pd.DataFrame(
        {
            "donor": ["USA", "JPN", "JPN", "DEU", "CAN"],
            "category": ["energy", "energy", "demining", "energy", "reconstruction"],
            "status": ["pledged", "committed", "pledged", "pledged", "disbursed"],
            "amount": [1.2e9, 1.5e11, 5e10, 2.5e9, 4e8],
            "currency": ["USD", "JPY", "JPY", "EUR", "CAD"],
            "date": ["2024-06-07", "2024-06-07", "2023-05-19", "2024-02-19", "2023-03-01"],
        }
    )
    out = aidcalc.convert(raw, "EUR")
    out["announced"] = pd.to_datetime(out["date"])
    out["pct_of_gdp"] = [0.004, 0.02, 0.007, 0.06, 0.02]
    return out


@pytest.mark.parametrize("name", sorted(CHARTS))
def test_charts_accept_convert_output_that_aggregate_accepts(converted, name):
    """plot.donors used to refuse convert's output (several source currencies) that
    aggregate sums (one fx_to)."""
    aidcalc.aggregate(converted, by=["donor", "category"], value="amount_EUR")  # accepted
    table = TABLES[name](converted, value="amount_EUR")
    assert table.attrs["unit"] == "current EUR"
    ax = _first(
        {"donors": P.donors, "share_of_gdp": P.share_of_gdp, "timeline": P.timeline,
         "pipeline": P.pipeline, "categories": P.categories}[name](converted, value="amount_EUR")
    )
    assert ax.get_xlabel() or ax.figure.get_supxlabel()


def test_donor_bars_are_aggregates_sums(converted):
    expected = aidcalc.aggregate(converted, by=["donor", "category"], value="amount_EUR")
    drawn = widths(P.donors(converted, value="amount_EUR"))
    assert drawn == pytest.approx(
        {f"{d}|{c}": v for d, c, v in expected[["donor", "category", "amount_EUR"]].to_numpy()}
    )


def test_mixed_target_currencies_are_refused_as_aggregate_refuses(converted):
    usd = aidcalc.convert(converted.drop(columns=["amount_EUR", "fx_rate", "fx_date",
                                                 "fx_source", "fx_to"]), "USD", out="amount_EUR")
    both = pd.concat([converted, usd.iloc[:1]], ignore_index=True)
    with pytest.raises(aidcalc.AggregationError, match="fx_to"):
        aidcalc.aggregate(both, by="donor", value="amount_EUR")
    for name in CHARTS:
        with pytest.raises(aidcalc.AggregationError, match="fx_to"):
            TABLES[name](both, value="amount_EUR")


NOT_FRAMES = [[1, 2], {"v": [1.0]}, np.array([1.0]), None, pd.Series([1.0], name="v")]


@pytest.mark.parametrize("bad", NOT_FRAMES, ids=lambda b: type(b).__name__)
@pytest.mark.parametrize("name", sorted(CHARTS))
def test_non_frames_raise_frame_type_error(name, bad):
    with pytest.raises(aidcalc.FrameTypeError, match="DataFrame"):
        CHARTS[name](bad)
    with pytest.raises(aidcalc.FrameTypeError, match="DataFrame"):
        TABLES[name](bad, value="v")
    with pytest.raises(TypeError):  # FrameTypeError is a TypeError too
        TABLES[name](bad, value="v")


def test_each_chart_draws_its_table(frame):
    t = P.donors_table(frame, value="v")
    assert widths(P.donors(frame, value="v")) == pytest.approx(
        {f"{d}|{c}": v for d, c, v in t[["donor", "category", "v"]].to_numpy()}
    )
    t = P.share_of_gdp_table(frame, value="v")
    assert widths(P.share_of_gdp(frame, value="v")) == pytest.approx(
        dict(zip(t["donor"], t["pct_of_gdp"], strict=True))
    )
    t = P.pipeline_table(frame, value="v")
    assert widths(P.pipeline(frame, value="v")) == pytest.approx(
        {f"{d}|{s}": v for d, s, v in t[["donor", "status", "v"]].to_numpy()}
    )
    t = P.categories_table(frame, value="v")
    axes = P.categories(frame, value="v")
    drawn = {k: w for ax in axes for k, w in widths(ax).items()}
    assert drawn == pytest.approx(
        {f"{d}|{c}": v for c, d, v in t[["category", "donor", "v"]].to_numpy()}
    )
    t = P.timeline_table(frame, value="v")
    ax = P.timeline(frame, value="v")
    for code, line in t.groupby("donor"):
        drawn_line = next(ln for ln in ax.lines if ln.get_gid() == code)
        assert list(drawn_line.get_ydata()) == pytest.approx(line["v"].tolist())
        assert list(pd.to_datetime(drawn_line.get_xdata())) == list(line["announced"])


def test_pipeline_does_not_draw_absent_stages_unless_asked(frame):
    only = frame[frame["status"].isin(["pledged", "disbursed"])]
    ax = P.pipeline(only, value="v", cumulative=False)
    stages = {gid.split("|")[1] for gid in widths(ax)}
    assert stages == {"pledged", "disbursed"}  # no €0 bars for committed / allocated
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["Pledged", "Disbursed"]
    assert "committed / allocated" in footnote(ax)
    asked = P.pipeline(only, value="v", cumulative=False, hue_order=list(_style.STATUS_ORDER))
    w = widths(asked)
    assert w["JPN|committed"] == 0.0 and w["JPN|allocated"] == 0.0  # asked for: drawn
    early = frame[frame["status"].isin(["pledged", "committed"])]
    stages = {gid.split("|")[1] for gid in widths(P.pipeline(early, value="v"))}
    assert stages == {"pledged", "committed"}


def test_donors_draws_no_zero_segments_and_asked_levels_are_kept(frame):
    w = widths(P.donors(frame, value="v"))
    assert all(v != 0 for v in w.values())
    ax = P.donors(frame, value="v", order=["USA", "NOR", "JPN", "DEU"])
    ticks = [t.get_text() for t in ax.get_yticklabels()]
    assert ticks == ["Germany", "Japan", "Norway", "United States"]  # bottom to top
    assert not any(g.startswith("NOR|") and v for g, v in widths(ax).items())


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["JPN", "DEU", "USA", "NOR", None]),
            st.sampled_from(["energy", "demining", "other", None]),
            st.one_of(st.floats(min_value=-1e10, max_value=1e11), st.just(float("nan"))),
        ),
        min_size=1,
        max_size=15,
    )
)
def test_tables_conserve_money_drawn_plus_left_out(rows):
    df = pd.DataFrame(rows, columns=["donor", "category", "v"])
    finite = df["v"].replace([np.inf, -np.inf], np.nan)
    if df["donor"].notna().sum() == 0 or not ((df["donor"].isin(["JPN", "DEU", "USA"]))
                                              & df["category"].notna() & finite.notna()).any():
        return
    before = df.copy()
    t = P.donors_table(df, value="v", unit="EUR", members=["JPN", "DEU", "USA"])
    left = t.attrs["left_out"]
    assert sum(r["rows"] for r in left) + int(t["rows"].sum()) == len(df)
    known = sum(r["amount"] for r in left if np.isfinite(r["amount"]))
    assert t["v"].sum() + known == pytest.approx(finite.sum(), rel=1e-9, abs=1e-3)
    pd.testing.assert_frame_equal(df, before)


# --- 2. left-out money on the chart --------------------------------------------------------------
@pytest.mark.parametrize("name", sorted(CHARTS))
def test_rows_outside_the_group_are_counted_and_summed_in_the_footnote(frame, name):
    extra = pd.concat([frame, frame.iloc[[0]].assign(donor="NOR", v=5e8)])
    ax = CHARTS[name](extra, members="G7")
    assert "Left out of this chart: 1 row, €500M (donor not among G7)." in footnote(ax)
    ax = CHARTS[name](extra, members="G7", locale="de", footnote=False)
    assert footnote(ax) == "Nicht in dieser Grafik: 1 Zeile, 500 Mio. € (Geber nicht unter G7)."


@pytest.mark.parametrize("name", sorted(CHARTS))
def test_unconvertible_rows_are_said_with_their_amount_as_announced(name):
    raw = pd.DataFrame(
        {
            "donor": ["USA", "JPN", "CAN"],
            "category": ["energy", "energy", "demining"],
            "status": ["pledged", "pledged", "committed"],
            "amount": [1.2e9, 2.0e9, 3.0e9],
            "currency": ["USD", "XAU", "XAU"],  # gold: the ECB publishes no rate
            "date": ["2024-06-07", "2024-06-07", "2024-06-10"],
            "pct_of_gdp": [0.004, np.nan, np.nan],
        }
    )
    conv = aidcalc.convert(raw, "EUR", errors="coerce")
    conv["announced"] = pd.to_datetime(conv["date"])
    table = TABLES[name](conv, value="amount_EUR")
    (rec,) = [r for r in table.attrs["left_out"] if r["reason"] == "not_converted"]
    assert rec["rows"] == 2 and rec["as_announced"] == {"XAU": 5.0e9}
    chart = {"donors": P.donors, "share_of_gdp": P.share_of_gdp, "timeline": P.timeline,
             "pipeline": P.pipeline, "categories": P.categories}[name]
    gold = aidcalc.format_amount(5e9, currency="XAU", locale="de")
    foot = footnote(_first(chart(conv, value="amount_EUR", locale="de")))
    assert (
        f"Nicht in dieser Grafik: 2 Zeilen, {gold} wie angekündigt (kein Betrag in jeweilige "
        f"Preise, EUR, Grund in der Spalte error)." in foot
    )


def test_undated_rows_and_rows_without_share_are_said(frame):
    df = frame.copy()
    df.loc[15, "announced"] = pd.NaT
    ax = P.timeline(df, value="v")
    assert "1 row, €250M (no date)" in footnote(ax)
    with pytest.raises(aidcalc.AggregationError, match="index 15"):
        P.timeline(df, value="v", missing="raise")
    df = frame.copy()
    df.loc[13, "pct_of_gdp"] = np.nan
    ax = P.share_of_gdp(df, value="v", locale="fr")
    assert "Absentes de ce graphique : 1 ligne, 2,5 Md €" in footnote(ax)
    assert "(sans part du PIB)" in footnote(ax)
    assert "DEU" not in widths(ax)


EDGE_CASES = {
    "empty": lambda f: f.iloc[:0],
    "all missing": lambda f: f.assign(v=np.nan),
    "nullable ints": lambda f: f.assign(v=pd.array([1, None, 3, 4, 5, 6], dtype="Int64")),
    "infinite": lambda f: f.assign(v=[1e9, np.inf, 2e9, -np.inf, 1e8, 5e8]),
    "categorical keys": lambda f: f.astype({"donor": "category", "category": "category"}),
    "duplicate index": lambda f: f.set_axis([0, 0, 1, 1, 2, 2]),
    "negative": lambda f: f.assign(v=-f["v"]),
}


@pytest.mark.parametrize("case", sorted(EDGE_CASES))
@pytest.mark.parametrize("name", sorted(CHARTS))
def test_edge_inputs_draw_what_is_there_and_say_the_rest(frame, name, case):
    df = EDGE_CASES[case](frame)
    before = df.copy()
    table = TABLES[name](df, value="v", unit="EUR")
    ax = CHARTS[name](df, unit="EUR") if name != "categories" else P.categories(
        df, value="v", unit="EUR")
    left = table.attrs["left_out"]
    if name != "pipeline":  # the pipeline counts a row at every stage it reached
        assert int(table["rows"].sum()) + sum(r["rows"] for r in left) == len(df)
    if left:
        owner = ax[0].figure if isinstance(ax, np.ndarray) and len(ax) else getattr(
            ax, "figure", None)
        if owner is not None:
            assert "Left out of this chart" in " ".join(t.get_text() for t in owner.findobj(Text))
    pd.testing.assert_frame_equal(df, before)


def test_caller_footnote_keeps_the_left_out_note(frame):
    df = frame.copy()
    df.loc[12, "v"] = np.nan
    foot = footnote(P.donors(df, value="v", footnote="My source."))
    assert foot == "My source. Left out of this chart: 1 row, amount unknown (no value)."


# --- 3. ticks ------------------------------------------------------------------------------------
_SUFFIX = {
    "en": {"K": 1e3, "M": 1e6, "B": 1e9, "T": 1e12},
    "de": {"Tsd.": 1e3, "Mio.": 1e6, "Mrd.": 1e9, "Bio.": 1e12},
}


def parse_money(label: str, locale: str) -> float:
    from babel.numbers import parse_decimal

    text = label.replace("€", "").replace("\xa0", " ").strip()
    factor = 1.0
    for suffix, mult in _SUFFIX[locale].items():
        if text.endswith(suffix):
            text, factor = text[: -len(suffix)].strip(), mult
    return float(parse_decimal(text, locale=locale, strict=False)) * factor


def parse_percent(label: str, locale: str) -> float:
    from babel.numbers import parse_decimal

    text = label.replace("%", "").replace("\xa0", "").replace(" ", "").strip()
    return float(parse_decimal(text, locale=locale))


def value_axis(name: str, ax: Any) -> Any:
    return ax.yaxis if name == "timeline" else ax.xaxis


def check_ticks(axis: Any, parse: Callable[[str], float]) -> list[str]:
    locs = axis.get_majorticklocs()
    labels = axis.get_major_formatter().format_ticks(locs)
    assert len(set(labels)) == len(labels), labels
    step = float(np.min(np.diff(locs))) if len(locs) > 1 else 1.0
    for loc, label in zip(locs, labels, strict=True):
        assert math.isclose(parse(label), loc, rel_tol=1e-9, abs_tol=step * 1e-6), (label, loc)
    return labels


def test_share_axis_quarter_steps_are_labelled_exactly(frame):
    df = frame.assign(pct_of_gdp=[0.3, 0.25, 0.1, 0.6, 0.2, 0.1])  # top 0.65: 0.25 steps
    ax = P.share_of_gdp(df, value="v")
    labels = check_ticks(ax.xaxis, lambda s: parse_percent(s, "en"))
    assert "0.25%" in labels and "0.75%" in labels  # were "0.2%" and "0.8%"


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    scale=st.floats(min_value=1e-4, max_value=1e13),
    factors=st.lists(st.floats(min_value=0.01, max_value=1.0), min_size=1, max_size=4),
    name=st.sampled_from(["donors", "pipeline", "categories", "timeline", "share_of_gdp"]),
    locale=st.sampled_from(["en", "de", "fr", "it", "ja", "uk"]),
)
def test_value_axis_labels_are_distinct_and_exact(scale, factors, name, locale):
    n = len(factors)
    values = [scale * f for f in factors]
    df = pd.DataFrame(
        {
            "donor": ["JPN", "DEU", "USA", "CAN"][:n],
            "category": ["energy"] * n,
            "status": ["pledged"] * n,
            "announced": pd.date_range("2023-01-01", periods=n, freq="90D"),
            "v": values,
            "pct_of_gdp": values,
        }
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", _style.FontWarning)
        ax = CHARTS[name](df, unit="EUR", locale=locale)
    if name == "share_of_gdp":
        check_ticks(ax.xaxis, lambda s: parse_percent(s, locale))
    elif locale in _SUFFIX:
        check_ticks(value_axis(name, ax), lambda s: parse_money(s, locale))
    else:  # distinct in every language (parsed back above for English and German)
        axis = value_axis(name, ax)
        labels = axis.get_major_formatter().format_ticks(axis.get_majorticklocs())
        assert len(set(labels)) == len(labels), labels
    plt.close("all")


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(days=st.integers(min_value=0, max_value=40_000), locale=st.sampled_from(LOCALES))
def test_date_axis_labels_are_distinct_and_on_their_boundaries(days, locale):
    start = pd.Timestamp("1990-01-01")
    df = pd.DataFrame({"donor": ["JPN", "DEU"], "v": [1e9, 2e9],
                       "announced": [start, start + pd.Timedelta(days=days)]})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", _style.FontWarning)
        ax = P.timeline(df, value="v", unit="EUR", locale=locale)
    from matplotlib.dates import num2date

    locs = ax.xaxis.get_majorticklocs()
    fmt = ax.xaxis.get_major_formatter()
    labels = fmt.format_ticks(locs)
    assert len(locs) <= 12
    assert len(set(labels)) == len(labels), labels
    for loc in locs:
        day = num2date(loc)
        assert (day.hour, day.minute) == (0, 0)
        if fmt.used == "y":
            assert (day.month, day.day) == (1, 1)
        elif fmt.used == "yMMM":
            assert day.day == 1
    plt.close("all")


# --- 4. languages --------------------------------------------------------------------------------
#: English phrases aidcalc's own modules write into provenance columns
_PROVENANCE_EN = (
    "average of daily rates", "published by", "rebased to", "deflator of", "annual mean",
    "carried forward", "annual average", "beyond coverage", "current prices",
)


def _english_runs() -> list[str]:
    table = pd.read_csv(CATALOGUE, dtype=str, keep_default_na=False)
    runs = set()
    for text in table["en"]:
        for chunk in re.split(r"\{[^}]*\}", text):
            words = re.findall(r"[A-Za-z']+", chunk)
            for i in range(len(words) - 2):
                runs.add(" ".join(words[i : i + 3]))
    return sorted(runs)


def all_texts(ax: Any) -> str:
    fig = ax.figure
    texts = [t.get_text() for t in fig.findobj(Text)]
    for a in fig.axes:
        for axis in (a.xaxis, a.yaxis):
            texts += list(axis.get_major_formatter().format_ticks(axis.get_majorticklocs()))
    return " ".join(texts).replace("\n", " ")


@pytest.fixture(scope="module")
def normalised_frames() -> dict[tuple[str, str | None], pd.DataFrame]:
    raw = aidcalc.load_dataset("g7_ukraine_pledges")
    raw = raw[raw["kind"] == "pledge"]
    out = {}
    # every exchange-rate policy and every price option at least once
    for fx, prices in (("spot", "dac"), ("month", "cpi"), ("year", "dac"), ("dac", "dac"),
                       ("spot", None), ("year", None)):
        df = aidcalc.normalise(raw, to="EUR", base_year=2023, fx=fx, prices=prices,
                               errors="coerce", date="announced")
        value = "amount_EUR_2023" if prices else "amount_EUR"
        df = df.rename(columns={value: "v"})
        df["pct_of_gdp"] = np.where(df["donor"] == "USA", np.nan, 0.01)
        out[(fx, prices)] = df
    return out


@pytest.mark.parametrize("locale", LOCALES)
def test_every_text_of_every_chart_is_translated(normalised_frames, locale):
    if locale == "ja" and _style.cjk_font() is None:
        pytest.skip("no CJK font installed (apt-get install fonts-noto-cjk)")
    runs = _english_runs()
    assert any(df["v"].isna().any() for df in normalised_frames.values())  # left-out notes
    seen_rates = set()
    for (fx, prices), df in normalised_frames.items():
        assert df["fx_source"].notna().any()
        for name, draw in CHARTS.items():
            options: list[dict[str, Any]] = [{}]
            if name == "pipeline":
                options = [{"cumulative": True}, {"cumulative": False}]
            for opts in options:
                with warnings.catch_warnings():
                    warnings.simplefilter("error", P.TranslationWarning)
                    ax = draw(df, locale=locale, members="G7", source="Kiel", **opts)
                text = all_texts(ax)
                words = " ".join(re.findall(r"[A-Za-z']+", text))
                for run in runs:
                    assert run not in words, (name, fx, prices, opts, run, text)
                for phrase in _PROVENANCE_EN:
                    assert phrase not in text, (name, fx, prices, phrase, text)
                seen_rates.add(_style.get_label(f"rate_{fx}", locale) in text)
                plt.close("all")
    assert seen_rates == {True}


def test_english_check_above_can_fail(normalised_frames):
    df = normalised_frames[("year", "dac")]
    text = all_texts(P.donors(df, value="v", members="G7"))
    assert "annual averages" in text and "Left out of this chart" in text


def test_locale_without_texts_falls_back_to_english_with_one_warning(frame, monkeypatch):
    from aidcalc._base import _labels

    monkeypatch.setattr(_labels, "_WARNED", set())
    with pytest.warns(P.TranslationWarning, match="'pl'") as record:
        ax = P.donors(frame, value="v", locale="pl")
    assert len([w for w in record if issubclass(w.category, P.TranslationWarning)]) == 1
    assert ax.get_title(loc="left") == "Aid by donor and category"
    assert ax.get_yticklabels()[0].get_text() == "Stany Zjednoczone"  # babel
    assert "4 mld €" in [t.get_text() for t in ax.texts]  # Polish number style
    with warnings.catch_warnings():
        warnings.simplefilter("error", P.TranslationWarning)
        P.pipeline(frame, value="v", locale="pl")  # once per locale and process
    with pytest.warns(P.TranslationWarning, match="pt_BR"):
        P.timeline(frame, value="v", locale="pt_BR")


@pytest.mark.parametrize(("locale", "title"), [("de_AT", "Hilfe nach Geber und Bereich"),
                                               ("fr_CA", "Aide par donateur et par catégorie"),
                                               ("uk_UA", "Допомога за донорами та категоріями")])
def test_regional_locales_use_their_language(frame, locale, title):
    with warnings.catch_warnings():
        warnings.simplefilter("error", P.TranslationWarning)
        ax = P.donors(frame, value="v", locale=locale)
    assert ax.get_title(loc="left") == title


# --- 5. global matplotlib state ------------------------------------------------------------------
def _rc() -> dict[str, Any]:
    return {k: (list(v) if isinstance(v, list) else v) for k, v in mpl.rcParams.items()}


@pytest.mark.parametrize("interactive", [True, False])
@pytest.mark.parametrize("locale", ["en", "ja"])
@pytest.mark.parametrize("name", sorted(CHARTS))
def test_plotting_leaves_rcparams_and_interactive_mode_alone(frame, name, locale, interactive):
    was = plt.isinteractive()
    try:
        plt.ion() if interactive else plt.ioff()
        before = _rc()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", _style.FontWarning)
            CHARTS[name](frame, locale=locale)
        assert plt.isinteractive() is interactive
        after = _rc()
        assert after == before, {k for k in before if before[k] != after.get(k)}
    finally:
        plt.ion() if was else plt.ioff()


def test_charts_respect_the_users_rcparams(frame):
    with plt.rc_context({"axes.facecolor": "#fafae0", "font.family": ["serif"],
                         "axes.titlesize": 17.0, "lines.linewidth": 3.0}):
        ax = P.donors(frame, value="v")
        tl = P.timeline(frame, value="v", highlight=None)
    assert to_hex(ax.get_facecolor()) == "#fafae0"
    assert ax.title.get_fontsize() == 17.0
    assert ax.title.get_fontfamily() == ["serif"]
    assert ax.get_yticklabels()[0].get_fontfamily() == ["serif"]
    assert tl.get_facecolor() == ax.get_facecolor()


def test_the_style_file_applies_aidcalc_look():
    assert P.STYLE.is_file() and P.STYLE.suffix == ".mplstyle"
    with plt.style.context(str(P.STYLE)):
        assert mpl.rcParams["axes.spines.top"] is False
        assert mpl.rcParams["axes.titlelocation"] == "left"


# --- 6. seaborn-style options --------------------------------------------------------------------
@pytest.mark.parametrize("name", sorted(CHARTS))
def test_signatures_are_seaborn_shaped(name):
    func = getattr(P, name)
    params = list(inspect.signature(func).parameters.values())
    assert params[0].name == "data" and params[0].kind is inspect.Parameter.POSITIONAL_OR_KEYWORD
    assert all(p.kind in (p.KEYWORD_ONLY, p.VAR_KEYWORD) for p in params[1:])
    names = {p.name for p in params}
    assert {"palette", "kwargs"} <= names
    assert "ax" in names or "fig" in names
    assert "order" in names or "hue_order" in names


def colours_by_level(ax: Any, part: int) -> dict[str, str]:
    return {p.get_gid().split("|")[part]: to_hex(p.get_facecolor()) for p in ax.patches}


def test_palette_as_dict_list_and_colormap(frame):
    ax = P.donors(frame, value="v", palette={"energy": "red", "demining": "blue",
                                             "reconstruction": "green"})
    assert colours_by_level(ax, 1) == {"energy": "#ff0000", "demining": "#0000ff",
                                       "reconstruction": "#008000"}
    ax = P.donors(frame, value="v", palette=["#111111", "#222222"])
    assert colours_by_level(ax, 1) == {"energy": "#111111", "demining": "#222222",
                                       "reconstruction": "#111111"}
    ax = P.pipeline(frame, value="v", palette="tab10")
    tab = [to_hex(c) for c in mpl.colormaps["tab10"].colors[:4]]
    assert colours_by_level(ax, 1) == dict(zip(_style.STATUS_ORDER, tab, strict=True))
    ax = P.share_of_gdp(frame, value="v", palette={"JPN": "k", "DEU": "w", "USA": "r"})
    assert colours_by_level(ax, 0)["JPN"] == "#000000"
    tl = P.timeline(frame, value="v", palette={"JPN": "k", "DEU": "w", "USA": "r"})
    assert to_hex(next(ln for ln in tl.lines if ln.get_gid() == "USA").get_color()) == "#ff0000"
    axes = P.categories(frame, value="v", palette="viridis")
    assert len({to_hex(p.get_facecolor()) for ax in axes for p in ax.patches}) == 3


def test_bad_palettes_raise_clearly(frame):
    with pytest.raises(aidcalc.ValidationError, match="no colour for 'reconstruction'"):
        P.donors(frame, value="v", palette={"energy": "red", "demining": "blue"})
    with pytest.raises(aidcalc.ValidationError, match="not the name of a matplotlib colormap"):
        P.donors(frame, value="v", palette="no-such-map")
    with pytest.raises(aidcalc.ValidationError, match="not a colour"):
        P.donors(frame, value="v", palette=["not-a-colour"])


def test_order_and_hue_order_place_the_artists(frame):
    ax = P.donors(frame, value="v", order=["USA", "JPN"], hue_order=["demining", "energy"])
    assert [t.get_text() for t in ax.get_yticklabels()] == ["Japan", "United States"]
    y = {p.get_gid(): p.get_y() for p in ax.patches}
    assert y["USA|energy"] == pytest.approx(y["JPN|energy"] + 1)  # first in order: on top
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["Demining", "Energy"]
    assert "DEU|energy" not in widths(ax)
    foot = footnote(ax)
    assert "1 row, €2.5B (not among the levels asked for with order)" in foot
    assert "2 rows, €750M (not among the levels asked for with hue_order)" in foot
    lefts = {p.get_gid(): p.get_x() for p in ax.patches}
    assert lefts["JPN|energy"] == pytest.approx(1e9)  # demining first, energy stacked on it
    ax = P.pipeline(frame, value="v", hue_order=["disbursed", "pledged"], order=["DEU", "JPN"])
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["Disbursed", "Pledged"]
    assert set(widths(ax)) == {"DEU|disbursed", "DEU|pledged", "JPN|disbursed", "JPN|pledged"}
    tl = P.timeline(frame, value="v", hue_order=["USA", "JPN"])
    legend = [t.get_text() for t in tl.get_legend().get_texts()]
    assert legend == ["United States (€750M)", "Japan (€4B)"]
    axes = P.categories(frame, value="v", col_order=["reconstruction", "energy"])
    assert [a.get_title(loc="left") for a in axes] == ["Reconstruction", "Energy"]


def test_kwargs_reach_matplotlib_and_win(frame):
    ax = P.donors(frame, value="v", by=None, color="#123456", hatch="//")
    assert {to_hex(p.get_facecolor()) for p in ax.patches} == {"#123456"}
    assert {p.get_hatch() for p in ax.patches} == {"//"}
