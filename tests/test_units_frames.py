"""pint-pandas unit columns (pint[MW], pint[hectare], pint[USD]) through the pledge functions.

The rules (aidcalc/_money/_frame_units.py): one registry (aidcalc.use_pint_pandas); a currency dtype
is money in that currency (convert/normalise/pledges read it, a contradicting ``currency``
column is refused); any other unit is not money (refused by convert/normalise/pledges, summed
by aggregate without the money checks); sums and splits keep the dtype; columns a function
does not read are carried through unchanged; pint_pandas is never imported by aidcalc itself.
"""

from __future__ import annotations

import math
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import aidcalc

pint_pandas = pytest.importorskip("pint_pandas")


@pytest.fixture(autouse=True)
def _aidcalc_registry():
    aidcalc.use_pint_pandas()


def _mag(series: pd.Series) -> list[float]:
    return series.pint.magnitude.astype("float64").tolist()


@pytest.fixture
def aid() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "donor": ["JPN", "JPN", "DEU", "DEU", "GBR"],
            "category": ["energy", "energy", "demining", "demining", "energy"],
            "date": ["2024-06-07", "2024-06-10", "2024-06-07", "2024-05-02", "2024-06-07"],
            "announced": pd.to_datetime(
                ["2024-06-07", "2024-06-10", "2024-06-07", "2024-05-02", "2024-06-07"]
            ),
            "generators": pd.array([150.0, 60.5, 0.0, np.nan, 25.25], dtype="pint[MW]"),
            "demined": pd.array([0.0, 0.0, 1200.5, 300.25, 0.0], dtype="pint[hectare]"),
            "amount": pd.array([12.1e9, 1e8, 5e8, 2.5e7, 3.3e6], dtype="pint[USD]"),
            "currency": ["USD", "USD", None, "usd", " USD "],
            "mine": list("abcde"),
        },
        index=[10, 11, 12, 13, 14],
    )


def _stripped(frame: pd.DataFrame) -> pd.DataFrame:
    """The same frame with plain float64 magnitudes (what aidcalc did before units)."""
    out = frame.copy()
    for col in out.columns:
        if isinstance(out[col].dtype, pint_pandas.PintType):
            out[col] = out[col].pint.magnitude.astype("float64")
    return out


# --- import and optional dependency -------------------------------------------------------------
def _run(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip


def test_import_aidcalc_and_plain_frames_never_import_pint_pandas() -> None:
    done = _run(
        """
        import sys
        import pandas as pd
        import aidcalc
        assert "pint_pandas" not in sys.modules, "import aidcalc imported pint_pandas"
        f = pd.DataFrame({"donor": ["JPN", "DEU"], "category": ["e", "e"], "amount": [1.0, 2.0],
                          "currency": ["USD", "USD"], "date": ["2023-06-07", "2023-06-07"],
                          "announced": ["2023-06-07", "2023-06-07"],
                          "period_start": [2023, None], "period_end": [2024, None]})
        aidcalc.aggregate(f)
        aidcalc.convert(f, "EUR")
        aidcalc.normalise(f, "EUR", 2022)
        aidcalc.spread(f)
        aidcalc.pledges(f)
        assert "pint_pandas" not in sys.modules, "a plain frame imported pint_pandas"
        print("ok")
        """
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.strip() == "ok"


def test_without_pint_pandas_plain_frames_are_unchanged() -> None:
    """pint-pandas made unimportable: the same numbers and float64 dtypes, and a clear
    ImportError from use_pint_pandas naming the extra."""
    done = _run(
        """
        import sys
        sys.modules["pint_pandas"] = None  # import pint_pandas now raises ImportError
        import pandas as pd
        import aidcalc
        f = pd.DataFrame({"donor": ["JPN", "JPN"], "category": ["e", "e"], "amount": [1.5, 2.0],
                          "currency": ["USD", "USD"], "date": ["2023-06-07", "2023-06-07"],
                          "period_start": [2023, None], "period_end": [2024, None]})
        a = aidcalc.aggregate(f)
        assert str(a["amount"].dtype) == "float64" and a["amount"].tolist() == [3.5], a
        c = aidcalc.convert(f, "USD")
        assert str(c["amount_USD"].dtype) == "float64" and c["amount_USD"].tolist() == [1.5, 2.0]
        s = aidcalc.spread(f)
        assert str(s["amount"].dtype) == "float64" and s["amount"].tolist() == [0.75, 0.75, 2.0]
        n = aidcalc.normalise(f, "USD", 2022, prices=None)
        assert str(n["amount_USD"].dtype) == "float64"
        try:
            aidcalc.use_pint_pandas()
        except ImportError as err:
            assert "aidcalc[units]" in str(err), err
        else:
            raise AssertionError("use_pint_pandas without pint-pandas did not raise")
        print("ok")
        """
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.strip() == "ok"


def test_units_extra_is_declared_and_tested() -> None:
    tomllib = pytest.importorskip("tomllib")  # Python 3.11+
    meta = tomllib.loads(
        (Path(__file__).resolve().parents[1] / "pyproject.toml").read_text(encoding="utf-8")
    )
    extras = meta["project"]["optional-dependencies"]
    assert any(d.startswith("pint-pandas") for d in extras["units"])
    assert "aidcalc[units]" in extras["test"]
    assert not any("pint-pandas" in d for d in meta["project"]["dependencies"])


# --- one registry -------------------------------------------------------------------------------
def test_use_pint_pandas_puts_dtypes_in_aidcalcs_registry() -> None:
    ureg = aidcalc.use_pint_pandas()
    assert ureg is aidcalc.get_registry() and pint_pandas.PintType.ureg is ureg
    for unit in ("USD", "JPY", "MW", "MWh", "hectare", "tonne", "piece"):
        s = pd.Series([1.0], dtype=f"pint[{unit}]")
        assert s.dtype.units._REGISTRY is ureg
    with pytest.raises(Exception, match="currency_USD"):  # ¥ + $ is refused by the registry
        pd.Series([1.0], dtype="pint[USD]") + pd.Series([1.0], dtype="pint[JPY]")


@pytest.fixture
def foreign_mw() -> pd.Series:
    """A pint[MW] column made in pint's default registry (before use_pint_pandas)."""
    import pint

    pint_pandas.PintType.ureg = pint.UnitRegistry()
    pint_pandas.PintType._cache.clear()
    try:
        return pd.Series([1.0, 2.0], dtype="pint[MW]")
    finally:
        aidcalc.use_pint_pandas()


@pytest.mark.parametrize("func", ["aggregate", "convert", "normalise", "pledges"])
def test_a_unit_from_another_registry_is_refused(foreign_mw, func) -> None:
    assert foreign_mw.dtype.units._REGISTRY is not aidcalc.get_registry()
    f = pd.DataFrame({"donor": ["JPN", "DEU"], "amount": foreign_mw, "currency": "USD",
                      "date": "2024-06-07", "category": "energy"})  # fmt: skip
    call = {
        "aggregate": lambda: aidcalc.aggregate(f),
        "convert": lambda: aidcalc.convert(f, "EUR"),
        "normalise": lambda: aidcalc.normalise(f, "EUR", 2022),
        "pledges": lambda: aidcalc.pledges(f),
    }[func]
    with pytest.raises(aidcalc.ValidationError, match=r"another unit registry.*use_pint_pandas"):
        call()


# --- aggregate ----------------------------------------------------------------------------------
@pytest.mark.parametrize("value", ["generators", "demined", "amount"])
@pytest.mark.parametrize("by", [("donor", "category"), "donor", None])
def test_aggregate_keeps_the_dtype_and_the_exact_sums(aid, value, by) -> None:
    out = aidcalc.aggregate(aid, by=by, value=value)
    plain = aidcalc.aggregate(_stripped(aid), by=by, value=value, currency=None)
    assert out[value].dtype == aid[value].dtype
    assert str(out[value].dtype).startswith("pint[")
    assert np.array_equal(out[value].pint.magnitude.astype("float64"), plain[value],
                          equal_nan=True)  # fmt: skip
    assert out["rows"].tolist() == plain["rows"].tolist()
    assert out["missing"].tolist() == plain["missing"].tolist()


def test_aggregate_keeps_the_unit_with_periods_groups_and_running_totals(aid) -> None:
    for value in ("generators", "amount"):
        f = aid.assign(generators=aid["generators"].fillna(0.0))
        kw = {"by": "donor", "value": value, "period": "month", "cumulative": True,
              "groups": ["G7", "G7+EU"]}  # fmt: skip
        out = aidcalc.aggregate(f, **kw)
        plain = aidcalc.aggregate(_stripped(f).assign(currency="USD"), **kw)
        assert out[value].dtype == f[value].dtype
        assert _mag(out[value]) == plain[value].tolist()
        assert out["period"].tolist() == plain["period"].tolist()
    assert _mag(out["amount"])[-1] == 12.1e9 + 1e8 + 5e8 + 2.5e7 + 3.3e6  # running total


def test_aggregate_missing_magnitudes_make_a_missing_total(aid) -> None:
    out = aidcalc.aggregate(aid, by="donor", value="generators")
    got = dict(zip(out["donor"], out["generators"].pint.magnitude, strict=True))
    assert math.isnan(got["DEU"]) and got["JPN"] == 210.5
    assert out.set_index("donor").loc["DEU", "missing"] == 1


@pytest.mark.parametrize("unit", ["MW", "hectare", "tonne", "piece", "MWh"])
def test_non_money_units_skip_the_currency_and_price_checks(unit) -> None:
    f = pd.DataFrame({
        "donor": ["UKR", "UKR", "UKR"],
        "delivered": pd.Series([1.0, 2.0, 4.0], dtype=f"pint[{unit}]"),
        "currency": ["USD", "JPY", None],  # about the money columns, not about MW
        "price_base": ["current USD", "constant 2022 USD", "x"],
        "fx_to": ["USD", "EUR", "JPY"],
        "fx_rate": 1.0,
    })  # fmt: skip
    out = aidcalc.aggregate(f, by="donor", value="delivered")
    assert _mag(out["delivered"]) == [7.0]
    assert {"currency", "price_base", "fx_to"}.isdisjoint(out.columns)  # nothing misleading
    with pytest.raises(aidcalc.AggregationError, match="currenc"):  # money is still checked
        aidcalc.aggregate(f.assign(amount=[1.0, 2.0, 3.0]).drop(columns=["fx_to", "fx_rate"]),
                          by="donor")  # fmt: skip


def test_non_money_units_still_refuse_mixed_kinds() -> None:
    f = pd.DataFrame({"donor": ["UKR", "UKR"], "kind": ["pledge", "total_to_date"],
                      "mw": pd.Series([1.0, 2.0], dtype="pint[MW]")})  # fmt: skip
    with pytest.raises(aidcalc.AggregationError, match="kinds"):
        aidcalc.aggregate(f, by="donor", value="mw")


@pytest.mark.parametrize(
    ("codes", "bad_rows"),
    [
        (["USD", "JPY", "USD"], [1]),
        (["EUR", "EUR", None], [0, 1]),
        (["usd", " usd", "GBP"], [2]),
    ],
)
def test_aggregate_refuses_a_currency_column_contradicting_the_dtype(codes, bad_rows) -> None:
    f = pd.DataFrame({"donor": ["JPN", "JPN", "DEU"], "category": "energy",
                      "amount": pd.Series([1.0, 2.0, 3.0], dtype="pint[USD]"),
                      "currency": codes})  # fmt: skip
    with pytest.raises(aidcalc.AggregationError) as err:
        aidcalc.aggregate(f)
    text = str(err.value)
    assert "USD" in text and f"index {', '.join(map(str, bad_rows))}" in text
    assert all(repr(codes[i]) in text for i in bad_rows)
    assert err.value.rows == bad_rows


def test_aggregate_fills_missing_codes_from_the_dtype_and_carries_the_currency() -> None:
    f = pd.DataFrame({"donor": ["JPN", "JPN"], "category": "energy",
                      "amount": pd.Series([1.0, 2.0], dtype="pint[JPY]"),
                      "currency": [None, "jpy"]})  # fmt: skip
    out = aidcalc.aggregate(f)
    assert out["currency"].tolist() == ["JPY"] and _mag(out["amount"]) == [3.0]
    no_column = aidcalc.aggregate(f.drop(columns="currency"))
    assert str(no_column["amount"].dtype) == "pint[JPY][Float64]"


def test_aggregate_checks_a_converted_pint_column_against_fx_to(aid) -> None:
    done = aidcalc.convert(aid, "EUR")
    out = aidcalc.aggregate(done, by="donor", value="amount_EUR")
    assert str(out["amount_EUR"].dtype) == "pint[EUR][Float64]"
    assert out["fx_to"].tolist() == ["EUR"] * 3
    relabelled = done.assign(fx_to=pd.Categorical(["EUR", "EUR", "USD", "EUR", "EUR"]))
    with pytest.raises(aidcalc.AggregationError, match=r"fx_to.*'USD'.*index 12"):
        aidcalc.aggregate(relabelled, by="donor", value="amount_EUR")


settings_conservation = settings(max_examples=40, deadline=None)


@settings_conservation
@given(
    st.lists(
        st.tuples(st.sampled_from(["JPN", "DEU", "USA"]), st.sampled_from(["a", "b"]),
                  st.integers(-10**9, 10**9), st.sampled_from(["MW", "hectare", "USD", "tonne"])),
        min_size=1, max_size=30,
    ),
    st.sampled_from([("donor", "category"), "donor", "category", None]),
)  # fmt: skip
def test_aggregate_conserves_the_total_of_a_unit_column(rows, by) -> None:
    unit = rows[0][3]
    f = pd.DataFrame(rows, columns=["donor", "category", "cents", "unit"])
    f["q"] = pd.Series(f["cents"] / 100, dtype=f"pint[{unit}]")
    out = aidcalc.aggregate(f, by=by, value="q")
    assert str(out["q"].dtype) == str(f["q"].dtype)
    assert out["rows"].sum() == len(f)
    total = math.fsum(out["q"].pint.magnitude)
    assert round(total, 2) == round(math.fsum(f["cents"]) / 100, 2)


# --- convert and normalise ----------------------------------------------------------------------
def test_convert_reads_the_currency_from_the_dtype(aid) -> None:
    out = aidcalc.convert(aid, "EUR")
    plain = aidcalc.convert(_stripped(aid).assign(currency="USD"), "EUR")
    assert str(out["amount_EUR"].dtype) == "pint[EUR][Float64]"
    assert _mag(out["amount_EUR"]) == plain["amount_EUR"].tolist()
    assert out["fx_rate"].tolist() == plain["fx_rate"].tolist()
    assert out.index.equals(aid.index)
    for col in ("generators", "demined", "amount", "currency", "mine"):  # carried unchanged
        pd.testing.assert_series_equal(out[col], aid[col])
    no_column = aidcalc.convert(aid.drop(columns="currency"), "EUR")  # the dtype is enough
    assert _mag(no_column["amount_EUR"]) == plain["amount_EUR"].tolist()


def test_convert_pint_yen_is_converted_as_yen_not_as_the_currency_column() -> None:
    """The bug of issue 13 turned round: a pint[JPY] column is yen, whatever rows lack."""
    f = pd.DataFrame({"amount": pd.Series([1.9e12], dtype="pint[JPY]"), "currency": [None],
                      "date": ["2024-06-07"]})  # fmt: skip
    out = aidcalc.convert(f, "USD")
    plain = aidcalc.convert(pd.DataFrame({"amount": [1.9e12], "currency": ["JPY"],
                                          "date": ["2024-06-07"]}), "USD")  # fmt: skip
    assert _mag(out["amount_USD"]) == plain["amount_USD"].tolist()
    assert 1.1e10 < out["amount_USD"].pint.magnitude.iloc[0] < 1.3e10


@pytest.mark.parametrize(
    ("unit", "factor"), [("USD", 1.0), ("kUSD", 1e3), ("MUSD", 1e6), ("GUSD", 1e9)]
)
def test_convert_reads_prefixed_currency_units_in_the_currency(unit, factor) -> None:
    f = pd.DataFrame({"amount": pd.Series([12.1, 2.0], dtype=f"pint[{unit}]"),
                      "date": ["2024-06-07", "2024-06-07"]})  # fmt: skip
    out = aidcalc.convert(f, "USD")
    assert str(out["amount_USD"].dtype) == "pint[USD][Float64]"
    assert _mag(out["amount_USD"]) == [12.1 * factor, 2.0 * factor]


@pytest.mark.parametrize("func", ["convert", "normalise", "pledges"])
@pytest.mark.parametrize(
    ("codes", "bad_rows"),
    [(["USD", "JPY"], [1]), (["EUR", "EUR"], [0, 1]), ([" gbp", None], [0])],
)
def test_a_contradicting_currency_column_is_refused(func, codes, bad_rows) -> None:
    f = pd.DataFrame({"donor": ["JPN", "DEU"],
                      "amount": pd.Series([1.0, 2.0], dtype="pint[USD]"), "currency": codes,
                      "date": ["2023-06-07", "2023-06-07"]})  # fmt: skip
    call = {
        "convert": lambda: aidcalc.convert(f, "EUR"),
        "normalise": lambda: aidcalc.normalise(f, "EUR", 2022),
        "pledges": lambda: aidcalc.pledges(f),
    }[func]
    with pytest.raises(aidcalc.ValidationError) as err:
        call()
    assert isinstance(err.value, aidcalc.AidcalcError) and isinstance(err.value, ValueError)
    text = str(err.value)
    assert f"{func}: column 'amount' is in USD" in text
    assert f"index {', '.join(map(str, bad_rows))}" in text
    assert all(repr(codes[i]) in text for i in bad_rows)
    assert err.value.problems["row"].tolist() == bad_rows


@pytest.mark.parametrize("func", ["convert", "normalise", "pledges"])
@pytest.mark.parametrize("unit", ["MW", "hectare", "tonne", "piece", "USD/MWh", "dimensionless"])
def test_a_non_money_unit_is_not_converted(func, unit) -> None:
    f = pd.DataFrame({"donor": ["JPN"], "amount": pd.Series([1.0], dtype=f"pint[{unit}]"),
                      "currency": ["USD"], "date": ["2023-06-07"]})  # fmt: skip
    call = {
        "convert": lambda: aidcalc.convert(f, "EUR"),
        "normalise": lambda: aidcalc.normalise(f, "EUR", 2022),
        "pledges": lambda: aidcalc.pledges(f),
    }[func]
    with pytest.raises(aidcalc.ValidationError, match=r"not money"):
        call()


@pytest.mark.parametrize("prices", ["dac", None])
def test_normalise_reads_the_dtype_and_gives_the_target_dtype(aid, prices) -> None:
    f = aid.assign(date="2023-06-07")
    out = aidcalc.normalise(f, "EUR", 2022, prices=prices)
    plain = aidcalc.normalise(_stripped(f).assign(currency="USD"), "EUR", 2022, prices=prices)
    name = "amount_EUR_2022" if prices else "amount_EUR"
    assert str(out[name].dtype) == "pint[EUR][Float64]"
    assert _mag(out[name]) == plain[name].tolist()
    assert out["price_base"].tolist() == plain["price_base"].tolist()
    pd.testing.assert_series_equal(out["generators"], f["generators"])
    empty = aidcalc.normalise(f.iloc[:0], "EUR", 2022, prices=prices)
    assert str(empty[name].dtype) == "pint[EUR][Float64]"


# --- spread, categorise, pledges ----------------------------------------------------------------
def test_spread_splits_unit_money_columns_in_their_unit(aid) -> None:
    f = aidcalc.convert(aid, "EUR").assign(period_start=[2024, None, 2022, None, None],
                                           period_end=[2026, None, 2025, None, None])  # fmt: skip
    out = aidcalc.spread(f)
    for col in ("amount", "amount_EUR"):
        assert out[col].dtype == f[col].dtype
        parts = out[col].pint.magnitude.groupby(out["pledge_row"]).sum()
        assert parts.tolist() == _mag(f[col])  # exact: the parts add up bit for bit
    assert _mag(out["amount"])[:3] == [4033333333.34, 4033333333.33, 4033333333.33]  # cents
    # an in-kind column is carried unchanged unless named in money=
    assert out["generators"].dtype == f["generators"].dtype
    assert _mag(out["generators"])[:3] == [150.0] * 3
    split = aidcalc.spread(f, money=["amount_EUR", "generators"])
    assert _mag(split["generators"])[:3] == [50.0] * 3
    assert str(split["generators"].dtype) == "pint[megawatt][Float64]"


@settings_conservation
@given(
    st.lists(st.tuples(st.integers(-10**12, 10**12), st.integers(0, 6)), min_size=1, max_size=12),
    st.sampled_from(["MW", "USD", "hectare"]),
)
def test_spread_conserves_unit_columns_exactly(rows, unit) -> None:
    f = pd.DataFrame(rows, columns=["cents", "years"])
    f["amount"] = pd.Series(f["cents"] / 100, dtype=f"pint[{unit}]")
    f["period_start"] = 2020
    f["period_end"] = 2020 + f["years"]
    out = aidcalc.spread(f)
    assert str(out["amount"].dtype) == str(f["amount"].dtype)
    plain = aidcalc.spread(_stripped(f))
    assert _mag(out["amount"]) == plain["amount"].tolist()  # the same parts as floats
    cents = np.rint(out["amount"].pint.magnitude * 100).groupby(out["pledge_row"]).sum()
    assert cents.tolist() == f["cents"].tolist()  # conserved to the cent


def test_categorise_and_pledges_carry_unit_columns_through(aid) -> None:
    got = aidcalc.categorise(aid.assign(text="solar generators"), text="text")
    for col in ("generators", "demined", "amount"):
        pd.testing.assert_series_equal(got[col], aid[col])
    frame = aidcalc.pledges(aid.drop(columns="date"))
    assert frame["generators"].dtype == aid["generators"].dtype
    assert np.array_equal(_mag(frame["generators"]), _mag(aid["generators"]), equal_nan=True)
    # a pint[USD] amount becomes the pledge frame's float amount in its currency
    assert str(frame["amount"].dtype) == "float64"
    assert frame["amount"].tolist() == _mag(aid["amount"])
    assert frame["currency"].tolist() == ["USD"] * 5


def test_pledges_reads_prefixed_currency_units() -> None:
    f = pd.DataFrame({"donor": ["JPN"], "announced": ["2024-06-07"],
                      "amount": pd.Series([1.9], dtype="pint[TJPY]")})  # fmt: skip
    frame = aidcalc.pledges(f)
    assert frame["amount"].tolist() == [1.9e12] and frame["currency"].tolist() == ["JPY"]


def test_the_callers_frame_is_not_changed(aid) -> None:
    before = aid.copy()
    aidcalc.aggregate(aid, value="generators")
    aidcalc.convert(aid, "EUR")
    aidcalc.spread(aid.assign(period_start=2024, period_end=2025))
    aidcalc.pledges(aid)
    pd.testing.assert_frame_equal(aid, before)


@pytest.mark.parametrize("unit", ["MW", "hectare", "USD/MWh"])
def test_validate_reports_a_non_money_unit_amount(unit) -> None:
    f = pd.DataFrame({"donor": ["JPN", "DEU"], "announced": "2024-06-07", "currency": "USD",
                      "amount": pd.array([1.0, 2.0], dtype=f"pint[{unit}]")})  # fmt: skip
    got = aidcalc.validate(f)
    bad = got[got["problem"].str.contains("not money")]
    assert bad["row"].tolist() == [0, 1] and set(bad["column"]) == {"amount"}


def test_validate_reports_a_contradicting_currency_and_reads_magnitudes() -> None:
    f = pd.DataFrame({"donor": ["JPN", "DEU", "USA"], "announced": "2024-06-07",
                      "currency": ["usd", "EUR", "USD"],
                      "amount": pd.array([1.0, 2.0, np.inf], dtype="pint[USD]")})  # fmt: skip
    got = aidcalc.validate(f)
    clash = got[got["problem"].str.contains("contradicts")]
    assert clash["row"].tolist() == [1] and clash["value"].tolist() == ["EUR"]
    assert got.loc[got["problem"] == "amount not finite", "row"].tolist() == [2]


# --- charts -------------------------------------------------------------------------------------
@pytest.fixture
def converted() -> pd.DataFrame:
    f = pd.DataFrame({
        "donor": ["JPN", "JPN", "DEU"], "category": ["energy", "humanitarian", "energy"],
        "amount": pd.array([1e9, 2e9, 3e9], dtype="pint[USD]"),
        "date": ["2024-06-07"] * 3, "status": "committed",
        "announced": pd.to_datetime(["2024-06-07", "2024-06-20", "2024-07-01"]),
    })  # fmt: skip
    return aidcalc.convert(f, "EUR")


@pytest.mark.parametrize("chart", ["donors", "categories", "timeline", "pipeline"])
def test_charts_draw_pint_columns_as_their_numbers(converted, chart) -> None:
    """The tables and bars of a pint[EUR] column are those of its float magnitudes."""
    table = getattr(aidcalc.plot, f"{chart}_table")
    got = table(converted, value="amount_EUR")
    want = table(_stripped(converted), value="amount_EUR")
    pd.testing.assert_frame_equal(got, want)
    assert got.attrs["unit"] == want.attrs["unit"]
    getattr(aidcalc.plot, chart)(converted, value="amount_EUR")  # draws


def test_charts_read_a_prefixed_currency_in_the_currency_and_check_contradictions() -> None:
    f = pd.DataFrame({"donor": ["JPN", "DEU"], "category": "energy",
                      "amount": pd.array([1.5, 2.0], dtype="pint[GUSD]")})  # fmt: skip
    ax = aidcalc.plot.donors(f, value="amount")
    assert sorted(widths_by_gid(ax).values()) == [1.5e9, 2.0e9]  # billions of USD, as USD
    assert aidcalc.plot.donors_table(f, value="amount").attrs["unit"] == "current USD"
    with pytest.raises(aidcalc.AggregationError, match=r"'JPY'.*index 1"):
        aidcalc.plot.donors(f.assign(currency=["USD", "JPY"]), value="amount")


def widths_by_gid(ax) -> dict[str, float]:
    return {p.get_gid(): p.get_width() for p in ax.patches}


def test_aggregate_chunks_keeps_the_unit_and_equals_one_aggregate(aid) -> None:
    chunks = [aid.iloc[:2], aid.iloc[2:4], aid.iloc[4:]]
    for value in ("generators", "demined", "amount"):
        got = aidcalc.aggregate_chunks(chunks, by="donor", value=value)
        want = aidcalc.aggregate(aid, by="donor", value=value)
        assert got[value].dtype == aid[value].dtype
        assert np.array_equal(got[value].pint.magnitude, want[value].pint.magnitude,
                              equal_nan=True)  # fmt: skip
        assert got["rows"].tolist() == want["rows"].tolist()
