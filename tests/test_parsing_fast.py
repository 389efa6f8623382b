"""parse_amounts' shortcuts for large columns (issue 12) give the reference results.

* a large column whose sample has no repeats is not deduplicated (every row is its own text);
* the string kernels run in one thread when the machine's cores are busy, in a pool otherwise.
* plain texts (one well-formed number, words that normalisation leaves alone) are read on a
  vectorised fast path: the same output as the general engine (hypothesis, several locales).

Both are compared with the reference path (deduplication forced; a pool forced) on the same
texts, including missing values, non-text values and texts that fail.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

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


# --- the fast path for plain texts (issue 12): same output as the general engine -------------
PLAIN_LOCALES = ["en", "de", "fr", "de_CH", "en_IN", "it", "es", "ja"]
PREFIXES = ["", "$", "US$", "€", "£", "EUR ", "USD ", "about $", "rund ", "CHF ", "-$", "¥", "₹",
            "C$", "plus de ", "约", "(", "$.", "US$ ", " $", "[USD] "]  # fmt: skip
SUFFIXES = ["", " million", " billion", "bn", " Mio. €", " Milliarden Euro", " millions d'euros",
            " €", " EUR", " yen", "億円", " lakh", " crore", ")", " m", "  million", " million ",
            " mill’", "\tEUR", " Mrd.", "-", " dollars"]  # fmt: skip


def _written(value: int, decimals: int, locale: str) -> str:
    from babel.numbers import format_decimal

    number = format_decimal(value / 10**decimals, format=None, locale=locale,
                            decimal_quantization=False)  # fmt: skip
    return number.replace("\u202f", " ").replace("\xa0", " ")


amount_texts = st.lists(
    st.tuples(
        # no lone surrogates: _read_plain gets texts pyarrow holds (the engine sends the others
        # the Python way: test_lone_surrogates_are_refused_per_row)
        st.one_of(st.sampled_from(PREFIXES),
                  st.text(st.characters(blacklist_categories=["Nd", "Cs"]), max_size=4)),
        st.integers(0, 10**13),
        st.integers(0, 4),
        st.one_of(st.sampled_from(SUFFIXES),
                  st.text(st.characters(blacklist_categories=["Nd", "Cs"]), max_size=5)),
    ),
    min_size=1,
    max_size=40,
)


@settings(max_examples=60, deadline=None)
@given(
    texts=amount_texts,
    locale=st.sampled_from(PLAIN_LOCALES),
    default=st.sampled_from([None, "EUR"]),
    ungrouped=st.booleans(),
)
def test_plain_fast_path_reads_as_the_engine(texts, locale, default, ungrouped) -> None:
    written = []
    for pre, value, decimals, post in texts:
        number = _written(value, decimals, locale)
        if ungrouped:
            number = number.replace(_parsing._lexicon(locale).group, "")
        written.append(f"{pre}{number}{post}")
    arr = np.array(written, dtype=object)
    fast = _parsing._read_plain(arr, _parsing._lexicon(locale), default)
    want = _parsing._engine(arr, locale, default, backend="arrow")
    for key in ("amount", "currency", "approx", "error", "power", "negative", "exact"):
        assert pd.Series(fast[key]).equals(pd.Series(want[key])), (key, written)


@pytest.mark.parametrize(
    ("pre", "post", "plain"),
    [
        ("$", " million", True),
        ("EUR ", "", True),
        ("rund ", " Mio. €", True),
        ("", "億円", True),
        ("(", ")", False),  # parentheses: refused by the engine
        ("$.", "", False),  # a separator right before the number
        (" $", "", False),  # normalisation trims it
        ("$", "  million", False),  # and collapses double spaces
        ("$", " mill’", False),  # and changes the apostrophe
        ("[USD] ", "", False),  # and drops brackets
        ("$", " ½", False),  # NFKC makes digits of it
    ],
)
def test_plain_pairs_are_those_normalising_leaves_alone(pre, post, plain) -> None:
    assert _parsing._plain_pair(pre, post) is plain


def test_parse_amounts_same_with_and_without_the_fast_path(monkeypatch) -> None:
    texts = _texts(3_000, repeats=False)
    got = aidcalc.parse_amounts(texts, errors="coerce")
    monkeypatch.setattr(_parsing, "_PLAIN_MIN", 10**12)  # never the fast path
    pd.testing.assert_frame_equal(got, aidcalc.parse_amounts(texts, errors="coerce"))
    simple = pd.Series([f"${i:,}.{i % 100:02d} million" for i in range(3_000)])
    monkeypatch.setattr(_parsing, "_PLAIN_MIN", 1)
    fast = aidcalc.parse_amounts(simple)
    monkeypatch.setattr(_parsing, "_PLAIN_MIN", 10**12)
    pd.testing.assert_frame_equal(fast, aidcalc.parse_amounts(simple))


@pytest.mark.parametrize("size", [3, 100, 3_000])  # Python engine, arrow engine, fast path
@pytest.mark.parametrize("locale", ["en", "de"])
def test_lone_surrogates_are_refused_per_row(size: int, locale: str) -> None:
    """A lone surrogate (bytes decoded with surrogateescape, a JSON \\ud800 escape) cannot be
    UTF-8, so pyarrow refuses it: such a text is a row that cannot be read, never a raw
    UnicodeEncodeError, and the other rows read as without it."""
    others = [f"EUR {i},5 Mio." if locale == "de" else f"${i}.5 million" for i in range(size)]
    lone = ["\ud800", "5 \udcff", "\udfff€2", "3 Mio. \udcff €"]
    texts = lone + others
    got = aidcalc.parse_amounts(texts, locale=locale, errors="coerce")
    assert got["amount"].iloc[:4].isna().all()
    assert got["error"].iloc[:4].notna().all()
    alone = aidcalc.parse_amounts(others, locale=locale, errors="coerce")
    pd.testing.assert_frame_equal(got.iloc[4:].reset_index(drop=True), alone)
    with pytest.raises(aidcalc.ParseError, match="index 0, 1, 2, 3"):
        aidcalc.parse_amounts(texts, locale=locale)
