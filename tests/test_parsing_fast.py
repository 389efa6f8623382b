"""parse_amounts' shortcuts for large columns (issue 12) give the reference results.

* a large column whose sample has no repeats is not deduplicated (every row is its own text);
* the string kernels run in one thread when the machine's cores are busy, in a pool otherwise.

Both are compared with the reference path (deduplication forced; a pool forced) on the same
texts, including missing values, non-text values and texts that fail.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import aidcalc
from aidcalc._money import _parsing

FORMS = ["${n} million", "€{n}", "{n} Mrd. €", "about £{n}bn", "{n}", "$1.{n}", "¥{n}億"]


def _texts(n: int, repeats: bool) -> pd.Series:
    rng = np.random.default_rng(5)
    numbers = rng.integers(0, 50 if repeats else 10**9, n)
    forms = rng.integers(0, len(FORMS), n)
    texts = [FORMS[f].replace("{n}", str(v)) for f, v in zip(forms, numbers, strict=True)]
    values: list[object] = list(texts)
    values[7] = None
    values[11] = 42  # not text
    values[13] = float("nan")
    return pd.Series(values, dtype=object, index=np.arange(n) * 3)


@pytest.fixture(autouse=True)
def small_thresholds(monkeypatch: pytest.MonkeyPatch) -> None:
    """The shortcuts' size thresholds lowered, so that small columns take them (fast tests)."""
    monkeypatch.setattr(_parsing, "_DEDUP_ALWAYS", 2_000)
    monkeypatch.setattr(_parsing, "_DEDUP_SAMPLE", 500)
    monkeypatch.setattr(_parsing, "_BLOCK", 1_000)


@pytest.mark.parametrize("repeats", [False, True])
def test_no_dedup_and_dedup_agree(monkeypatch: pytest.MonkeyPatch, repeats: bool) -> None:
    texts = _texts(_parsing._DEDUP_ALWAYS + 1_000, repeats)
    locale = pd.Series(np.where(np.arange(len(texts)) % 3 == 0, "de", "en"), index=texts.index)
    got = aidcalc.parse_amounts(texts, locale=locale, errors="coerce")
    monkeypatch.setattr(_parsing, "_DEDUP_ALWAYS", 10**12)  # always factorize
    want = aidcalc.parse_amounts(texts, locale=locale, errors="coerce")
    pd.testing.assert_frame_equal(got, want)
    assert got["error"].notna().any() and got["amount"].notna().any()


def test_distinct_matches_factorize_when_it_skips() -> None:
    texts = _texts(_parsing._DEDUP_ALWAYS + 1_000, repeats=False)
    codes, uniques = _parsing._distinct(texts)
    ref_codes, ref_uniques = pd.factorize(texts, use_na_sentinel=True)
    # same texts per row (numbering may differ only where texts repeat: none here)
    assert (codes == ref_codes).all()
    assert list(uniques) == list(ref_uniques)


@pytest.mark.parametrize("workers", [1, 2, 4])
def test_threads_or_not_same_result(monkeypatch: pytest.MonkeyPatch, workers: int) -> None:
    texts = _texts(_parsing._BLOCK * 2 + 17, repeats=False).astype("str")
    monkeypatch.setattr(_parsing, "_workers", lambda: 3)
    want = aidcalc.parse_amounts(texts, errors="coerce")
    monkeypatch.setattr(_parsing, "_workers", lambda: workers)
    pd.testing.assert_frame_equal(aidcalc.parse_amounts(texts, errors="coerce"), want)


def test_workers_follow_the_load(monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    monkeypatch.setattr(os, "getloadavg", lambda: (9.0, 9.0, 9.0))
    assert _parsing._workers() == 1  # every core busy: no pool
    monkeypatch.setattr(os, "getloadavg", lambda: (1.0, 1.0, 1.0))
    assert _parsing._workers() == 2  # only this process: both cores
