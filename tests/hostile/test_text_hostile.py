"""Hostile text for the parser, the formatter and the unit registry: each case in a subprocess.

Huge texts must be refused at once (the cap), overflowing numbers must never become inf, and
odd types must get a clear aidcalc error, never a raw TypeError or decimal.InvalidOperation.
"""

from __future__ import annotations

import pytest

from ._harness import assert_clear_error, run_case

BIG = 1_000_000  # one million characters


@pytest.mark.parametrize(
    "make",
    [
        f"'$1' + '0' * {BIG}",
        f"'$' + '1,000' * {BIG // 5}",
        f"'about ' * {BIG // 6} + '$5 million'",
        f"'$5 million' + ' ' * {BIG}",
        f"'٥' * {BIG} + ' USD'",
        f"'.' * {BIG} + '5 USD'",
        f"'(' * {BIG} + '$5'",
        f"'1兆' * {BIG // 2} + '円'",
    ],
)
def test_a_megabyte_of_text_is_refused_at_once(make):
    outcome = run_case(
        f"""
        import time, aidcalc
        text = {make}
        t0 = time.perf_counter()
        try:
            aidcalc.parse_amount(text, locale="ja" if "兆" in text else "en")
        finally:
            elapsed = time.perf_counter() - t0
        """,
        timeout=60,
    )
    assert_clear_error(outcome, "ParseError", mentions=("cap of 1,000 characters",))
    assert len(outcome.message) < 500


def test_a_column_of_huge_cells_is_refused_per_cell_in_linear_time():
    outcome = run_case(
        """
        import time, aidcalc, pandas as pd
        cells = ["$" + "9" * 200_000 + str(i) for i in range(50)] + ["$5 million"]
        t0 = time.perf_counter()
        out = aidcalc.parse_amounts(pd.Series(cells), errors="coerce")
        seconds = time.perf_counter() - t0
        assert out["error"].iloc[:50].str.contains("cap of 1,000").all()
        assert out["amount"].iloc[50] == 5e6
        try:
            aidcalc.parse_amounts(pd.Series(cells))
        except aidcalc.ParseError as err:
            assert len(str(err)) < 3000, len(str(err))
        result = seconds
        """,
        timeout=60,
    )
    assert outcome.ok, outcome.describe()


@pytest.mark.parametrize(
    "text",
    ["'$' + '9' * 400", "'$' + '9' * 990", "'€' + '9' * 300 + ' Billionen'",
     "'1' + '0' * 500 + '兆円'", "'$1e308'", "'$' + '9' * 30 + ' trillion'"],
)  # fmt: skip
def test_overflowing_numbers_are_refused_never_inf(text):
    outcome = run_case(
        f"""
        import aidcalc, math
        text = {text}
        out = aidcalc.parse_amounts([text] * 50, locale="ja" if "兆" in text else "de"
                                    if "Billionen" in text else "en", errors="coerce")
        assert not out["amount"].map(math.isinf).any()
        aidcalc.parse_amount(text, locale="ja" if "兆" in text else "de"
                             if "Billionen" in text else "en")
        """
    )
    assert_clear_error(outcome, "ParseError")


@pytest.mark.parametrize(
    ("code", "kind", "mentions"),
    [
        ("aidcalc.format_amount((1e26, 'USD'))", "ParseError", ("1e18",)),
        ("aidcalc.format_amount((10**40, 'USD'), style='standard')", "ParseError", ("1e18",)),
        ("aidcalc.format_amount(float('inf'), currency='USD')", "ParseError", ("finite",)),
        ("aidcalc.format_amount(float('nan'), currency='JPY')", "ParseError", ("finite",)),
        ("aidcalc.format_amount(None, currency='USD')", "ParseError", ("NoneType",)),
        ("aidcalc.format_amount(True, currency='USD')", "ParseError", ("bool",)),
        ("aidcalc.format_amount(('1e999999999', 'USD'))", "ParseError", ("1e18",)),
        ("aidcalc.money(None)", "AidcalcError", ("Amount",)),
        ("aidcalc.Amount(True, 'USD')", "AidcalcError", ("bool",)),
        ("aidcalc.Amount(1e308, 'USD')", "AidcalcError", ("1e18",)),
        ("aidcalc.fx_context(on='garbage')", "ParseError", ("garbage",)),
        ("aidcalc.read_rates(pd.DataFrame({'date': ['2024-01-02'], 'currency': ['USD'], "
         "'rate': [1.1]}), base='XYZ', source='t')", "CurrencyCodeError", ("XYZ", "EUR")),
        ("aidcalc.parse_amounts(pd.DataFrame({'$5 million': ['x']}))", "ParseError",
         ("DataFrame",)),
        ("aidcalc.parse_amounts('$5 million')", "ParseError", ("parse_amount",)),
        ("aidcalc.parse_amount('$.5 billion', default_currency='YEN')", "ParseError", ("JPY",)),
    ],
)  # fmt: skip
def test_odd_inputs_get_clear_errors(code, kind, mentions):
    outcome = run_case(f"import aidcalc, pandas as pd\nresult = {code}")
    assert_clear_error(outcome, kind, mentions=mentions)
    assert "InvalidOperation" not in outcome.traceback


def test_pint_overflow_in_an_fx_context():
    outcome = run_case(
        """
        import aidcalc
        ureg = aidcalc.get_registry()
        with aidcalc.fx_context("2024-06-07"):
            result = ureg.Quantity(1e308, "USD").to("JPY")
        """
    )
    assert_clear_error(outcome, "AidcalcError", mentions=("1e18",))


def test_threads_get_one_registry_and_their_own_rates():
    outcome = run_case(
        """
        import threading, aidcalc, pandas as pd
        import aidcalc._money._units as units
        barrier = threading.Barrier(8)
        regs, wrong = [], []
        def first():
            barrier.wait()
            regs.append(units.get_registry())
        ts = [threading.Thread(target=first) for _ in range(8)]
        [t.start() for t in ts]; [t.join() for t in ts]
        assert len({id(r) for r in regs}) == 1
        rates = aidcalc.get_rates()
        days = pd.bdate_range("2023-01-02", periods=80)
        def work(k):
            ureg = units.get_registry()
            for j in range(100):
                d = days[(k * 11 + j) % len(days)]
                with aidcalc.fx_context(d):
                    got = ureg.Quantity(1, "EUR").to("USD").magnitude
                if abs(got - rates.rate("USD", d)) > 1e-12:
                    wrong.append((k, j))
        ts = [threading.Thread(target=work, args=(k,)) for k in range(8)]
        [t.start() for t in ts]; [t.join() for t in ts]
        assert not wrong, wrong[:5]
        result = "ok"
        """,
        timeout=120,
    )
    assert outcome.ok and outcome.result == "'ok'", outcome.describe()
