"""The harness itself: limits are enforced, outcomes are reported faithfully."""

from __future__ import annotations

import pytest

from ._harness import assert_clear_error, run_case


def test_result_and_error_are_reported() -> None:
    good = run_case("result = 1 + 1")
    assert good.ok and good.result == "2"
    bad = run_case("import aidcalc\nresult = aidcalc.parse_amount('no money here')")
    assert_clear_error(bad, "ParseError")
    assert "ValueError" in bad.mro


def test_a_hang_fails_within_the_time_limit() -> None:
    with pytest.raises(AssertionError, match="did not answer"):
        run_case("while True:\n    pass", timeout=2)


def test_a_memory_blow_up_fails_within_the_memory_limit() -> None:
    outcome = None
    try:
        outcome = run_case("x = bytearray(4 * 1024**3)", memory_mb=1500)
    except AssertionError:
        return  # the child died: the limit held
    assert outcome is not None and outcome.raised("MemoryError"), outcome.describe()
