"""The unit registry: currencies never mix without a dated rate; in-kind units."""

from __future__ import annotations

import pandas as pd
import pint
import pytest

from aidcalc import Amount, get_registry, read_rates
from aidcalc._money._units import UNITS_FILE, currency_dimension, fx_context, money


@pytest.fixture(scope="module")
def ureg():
    return get_registry()


def test_every_ecb_currency_is_its_own_dimension(ureg):
    from aidcalc import get_rates

    for code in get_rates().currencies:
        q = ureg.Quantity(1, code)
        assert q.dimensionality == ureg.get_dimensionality(currency_dimension(code)), code
    assert "UAH" in ureg and "JPY" in ureg


def test_currencies_do_not_add_without_a_rate(ureg):
    with pytest.raises(pint.DimensionalityError):
        ureg.Quantity(1.9e12, "JPY") + ureg.Quantity(12.1e9, "USD")
    with pytest.raises(pint.DimensionalityError):
        ureg.Quantity(1, "USD").to("JPY")
    # same currency adds fine
    assert (ureg.Quantity(1, "USD") + ureg.Quantity(2, "USD")).magnitude == 3


def test_fx_context_uses_the_dated_ecb_cross_rate(ureg):
    with fx_context("2024-06-07") as reg:
        assert reg is ureg
        yen = ureg.Quantity(12.1e9, "USD").to("JPY")
        assert yen.magnitude == pytest.approx(12.1e9 * 169.52 / 1.0898, rel=1e-12)
        # prefixed currency units convert too
        assert ureg.Quantity(1, "kEUR").to("USD").magnitude == pytest.approx(1089.8, rel=1e-12)
        # even inside a context pint will not add mixed currencies: convert explicitly
        with pytest.raises(pint.DimensionalityError):
            ureg.Quantity(1, "EUR") + ureg.Quantity(1.0898, "USD")
        total = ureg.Quantity(1, "EUR") + ureg.Quantity(1.0898, "USD").to("EUR")
        assert total.magnitude == pytest.approx(2.0, rel=1e-12)
    with pytest.raises(pint.DimensionalityError):  # disabled again on exit
        ureg.Quantity(1, "USD").to("JPY")


def test_fx_context_month_policy(ureg):
    from aidcalc._money._convert import lookup_rates

    avg = lookup_rates(["GBP"], "CAD", ["2023-03-01"], fx="month")["fx_rate"].iloc[0]
    with fx_context("2023-03-15", fx="month"):
        # pint chains GBP->EUR->CAD: the product of two monthly averages, close to the average
        # of the daily cross rate (exactly equal only for spot)
        got = ureg.Quantity(1, "GBP").to("CAD").magnitude
    assert got == pytest.approx(avg, rel=2e-3)


def test_fx_context_takes_policy_as_the_deprecated_name_of_fx(ureg):
    with pytest.warns(DeprecationWarning, match="fx_context: policy= is now fx=") as seen:
        ctx = fx_context("2023-03-15", policy="month")
    assert [w.filename for w in seen] == [__file__]
    with ctx:
        old = ureg.Quantity(1, "GBP").to("CAD").magnitude
    with fx_context("2023-03-15", fx="month"):
        assert ureg.Quantity(1, "GBP").to("CAD").magnitude == old
    with pytest.raises(ValueError, match=r"fx \(the exchange-rate policy\) must be"):
        fx_context("2023-03-15", fx="daily")


def test_fx_context_with_user_rates(ureg):
    nbu = read_rates(
        pd.DataFrame({"date": ["2022-02-24"], "currency": ["EUR"], "rate": [33.1707]}),
        base="UAH", source="NBU", quote="base_per_unit",
    )  # fmt: skip
    with fx_context("2022-02-24", rates=nbu):
        assert ureg.Quantity(1, "EUR").to("UAH").magnitude == pytest.approx(33.1707)
        with pytest.raises(pint.DimensionalityError):  # USD is not in that table
            ureg.Quantity(1, "USD").to("UAH")


def test_fx_context_outside_coverage_leaves_currencies_apart(ureg):
    with fx_context("1990-01-01"), pytest.raises(pint.DimensionalityError):
        ureg.Quantity(1, "USD").to("EUR")


def test_money_from_amount(ureg):
    q = money(Amount("12.1e9", "USD"))
    assert q.units == ureg.Unit("USD") and q.magnitude == 12.1e9
    with pytest.raises(ValueError, match="must be an ISO 4217 code"):
        money(Amount(1, "XXQ"))


def test_in_kind_units(ureg):
    assert ureg.Quantity(1, "MW").to("kW").magnitude == 1000
    assert ureg.Quantity(3, "MWh").to("kWh").magnitude == 3000
    assert ureg.Quantity(2, "hectare").to("m**2").magnitude == 20000
    assert ureg.Quantity(5, "tonne").to("kg").magnitude == 5000
    assert (ureg.Quantity(3, "pieces") + ureg.Quantity(2, "items")).magnitude == 5
    with pytest.raises(pint.DimensionalityError):
        ureg.Quantity(1, "piece") + ureg.Quantity(1, "MW")
    with pytest.raises(pint.DimensionalityError):
        ureg.Quantity(1, "piece") + ureg.Quantity(1, "USD")


def test_units_file_is_declarative():
    text = UNITS_FILE.read_text(encoding="utf-8")
    lines = [x for x in text.splitlines() if x and not x.startswith("#")]
    currency_lines = [x for x in lines if "[currency_" in x]
    assert len(currency_lines) > 250  # CLDR's ISO 4217 list, current and historic
    assert "UAH = [currency_UAH]" in currency_lines
