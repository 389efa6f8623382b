"""Issue 10 item 1: provenance as fields, rendered late; item 2: price sources behind one
protocol.

The rules: every provenance text ``normalise`` writes is rendered from fields
(``aidcalc._base._provenance``) and reads back to the same fields; charts and the report take
what they say (the averaging of a rate, a factor carried forward, the price base, the WEO
editions) from those fields, and no module other than the provenance module reads provenance
text.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pandas as pd
import pytest

from aidcalc._base import _provenance as P
from aidcalc._real._prices import normalise
from aidcalc._real._sources import SOURCES
from aidcalc.plot._style import describe_deflators, describe_rates, footnote_text, make_theme

PACKAGE = Path(__file__).resolve().parents[1] / "aidcalc"

ROWS = pd.DataFrame(
    {
        "donor": ["JPN", "DEU", "FRA", "Poland"],
        "amount": [1e6, 2e6, 3e6, 4e6],
        "currency": ["USD", "EUR", "JPY", "USD"],
        "date": ["2021-06-30", "2022-03-01", "2023-01-15", "2020-11-02"],
    }
)


@pytest.mark.parametrize("fx", ["spot", "month", "year"])
@pytest.mark.parametrize("to,base_year", [("EUR", 2022), ("JPY", 2021), ("GBP", 2023)])
def test_base_year_leg_is_an_annual_average_in_the_footnote(fx, to, base_year):
    # the DAC method's second leg (USD rows to `to`) is the base year's calendar-year mean:
    # the footnote said "calendar-year mean of daily rates 2024, on the announcement day"
    r = normalise(ROWS, to, base_year, fx=fx)
    usd = r["currency"].eq("USD").to_numpy()
    leg = r.loc[usd, "fx_source"].astype(str).unique().tolist()
    assert len(leg) == 1 and leg[0].endswith(f"calendar-year mean of daily rates {base_year}")
    facts = P.rate_facts(leg[0])
    assert (facts.policy, facts.year) == ("year", base_year)
    for locale, word, wrong in (("en", "annual averages", "announcement day"),
                                ("de", "Jahresdurchschnitte", "Ankündigung")):
        text = describe_rates([leg[0]], locale)
        assert word in text and wrong not in text and str(base_year) not in text
    foot = footnote_text(r.loc[usd], make_theme("en"), None, source=None)
    assert "annual averages" in foot and "announcement day" not in foot


@pytest.mark.parametrize(
    "kwargs",
    [
        {"to": "USD", "base_year": 2022},
        {"to": "EUR", "base_year": 2023, "fx": "dac"},
        {"to": "EUR", "base_year": 2022, "prices": "cpi"},
        {"to": "JPY", "base_year": 2022, "prices": None},
        {"to": "USD", "base_year": 2026},  # IMF WEO extension
        {"to": "EUR", "base_year": 2026, "extend": "last"},
        {"to": "USD", "base_year": 2026, "prices": "cpi", "extend": "last"},
    ],
)
def test_every_provenance_text_reads_back_to_the_fields_it_was_rendered_from(kwargs):
    frame = ROWS if kwargs["base_year"] < 2026 else ROWS.assign(date="2025-06-30")
    r = normalise(frame, **kwargs)
    to, year = kwargs["to"], kwargs["base_year"]
    (base_text,) = r["price_base"].astype(str).unique()
    base = P.price_base(base_text)
    assert base is not None and P.render(base) == base_text
    assert base.currency == to and base.year == (year if kwargs.get("prices", "dac") else None)
    for text in r["deflator_source"].astype(str).unique():
        facts = P.deflator_facts(text)
        assert P.render(facts) == text
        assert facts.extended == ("extend='last'" in text)
        assert set(facts.weo) <= set(base.weo)
    for text in r["fx_source"].astype(str).unique():
        assert P.render(P.rate_facts(text)) == text or P.rate_facts(text).policy in (
            "identity", "spot", None, "implied")
    if kwargs.get("extend") == "last":
        assert any(P.deflator_facts(t).extended for t in r["deflator_source"].astype(str))
    if year == 2026 and kwargs.get("extend", "weo") == "weo":
        assert base.weo and all(w.startswith("IMF WEO") for w in base.weo)


def test_texts_from_files_or_older_versions_read_to_the_same_fields():
    # a text not rendered in this process (a CSV written earlier) gives the same fields
    text = ("OECD DAC deflator of JPN, 2025 rebased to 2024=100 (DAC1 published by "
            "2024-12-02); 2025 beyond coverage: 2023 factor carried forward (extend='last')")
    facts = P.deflator_facts(text)
    assert facts.method == "dac" and facts.extended
    assert facts.vintage == P.Vintage("DAC1", "2024-12-02")
    assert "veröffentlicht bis 2024-12-02" in describe_deflators([text], "de")
    assert P.price_base("constant 2024 EUR (OECD DAC deflators, x)").code == "constant 2024 EUR"
    assert P.column_unit("amount_JPY_2021") == P.PriceBase("JPY", 2021)
    assert P.column_unit("amount_EUR") is None
    carried = P.rate_facts("OECD DAC annual average 2024 (DAC1 as cached 2025-02-20); base "
                           "2026 beyond coverage: the 2024 rate carried forward (extend='last')")
    assert (carried.policy, carried.carried_from, carried.base_year) == ("dac", 2024, 2026)


def test_price_sources_share_one_protocol():
    assert set(SOURCES) == {"dac", "cpi", None}
    for source in SOURCES.values():
        assert isinstance(source.via_usd, bool) and isinstance(source.by_donor, bool)
        assert callable(source.factors)
    assert [k for k, s in SOURCES.items() if s.via_usd] == ["dac"]


#: phrases of provenance text (a regular expression or an ``in`` test with one reads it)
_PHRASES = ("published by", "carried forward", "extend=", "average of daily rates",
            "annual mean", "constant\\s", "IMF WEO", "OECD DAC annual average", "[A-Z]{3})_(")


def test_no_module_but_provenance_reads_provenance_text():
    # regular expressions and substring tests on provenance phrases live in one module
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if path.name == "_provenance.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and getattr(node.func, "attr", "") in (
                "compile", "match", "search", "fullmatch", "findall", "finditer"
            ) and node.args and isinstance(node.args[0], ast.Constant):
                pattern = str(node.args[0].value)
                if any(p in pattern for p in _PHRASES):
                    found.append(f"{path.relative_to(PACKAGE)}:{node.lineno} {pattern!r}")
            if isinstance(node, ast.Compare) and any(isinstance(o, ast.In) for o in node.ops):
                left = node.left
                if isinstance(left, ast.Constant) and isinstance(left.value, str) and any(
                    p in left.value for p in _PHRASES
                ):
                    found.append(f"{path.relative_to(PACKAGE)}:{node.lineno} {left.value!r}")
    assert not found, found


def test_rendering_is_locale_aware_and_english_by_default():
    v = P.Vintage("DAC1", "2024-12-02")
    labels = {"vintage_published": "{table}, publié au {date}", "rate_dac": "CAD",
              "rate_policy": "{source}, {policy}", "rate_year": "moyennes annuelles"}
    assert P.render(v) == "DAC1 published by 2024-12-02"
    assert P.render(v, "fr", label=labels.get) == "DAC1, publié au 2024-12-02"
    rate = P.RateFacts("dac", "OECD DAC annual average", 2023, v)
    assert P.render(rate) == "OECD DAC annual average 2023 (DAC1 published by 2024-12-02)"
    assert P.render(rate, "fr", label=labels.get) == "CAD (DAC1, publié au 2024-12-02)"
    year = P.RateFacts("year", "ECB", 2024)
    assert P.render(year, "fr", label=labels.get) == "ECB, moyennes annuelles"
