"""The curated dataset g7_ukraine_pledges: schema, internal consistency, pairs vs convert."""

from __future__ import annotations

import json

import pandas as pd
import pytest

import aidcalc
from aidcalc._datasets import data_dir

# pair_id -> the currency the donor announced in (the other legs are restatements)
G7_AND_EU = {"USA", "JPN", "DEU", "FRA", "ITA", "GBR", "CAN", "EUI"}


@pytest.fixture(scope="module")
def g7():
    return aidcalc.load_dataset("g7_ukraine_pledges")


def test_sidecar_has_every_required_key():
    meta = json.loads((data_dir() / "g7_ukraine_pledges.json").read_text(encoding="utf-8"))
    for key in (
        "name",
        "title",
        "file",
        "publisher",
        "source_url",
        "vintage",
        "licence",
        "description",
        "indicator",
        "retrieved",
        "loader",
    ):
        assert meta[key], key
    assert meta["vintage"] == "2026-11"
    assert "aidcalc project" in meta["publisher"]


def test_loads_as_a_valid_pledge_frame(g7):
    assert len(g7) == 89
    assert pd.api.types.is_datetime64_any_dtype(g7["announced"])
    assert aidcalc.validate(g7).empty
    assert set(g7["donor"]) == G7_AND_EU  # EU rows are EU institutions, no 'EUU'
    assert (g7["recipient"] == "UKR").all()
    assert g7["source_url"].notna().sum() == 87  # the two Yomiuri rows cite title and date
    assert g7["source_title"].notna().all() and g7["source_date"].notna().all()
    assert set(g7["kind"]) == {"pledge", "component", "restatement", "total_to_date"}
    assert (g7["categories"] == g7["category"]).all()


def test_load_returns_a_fresh_copy():
    first = aidcalc.load_dataset("g7_ukraine_pledges")
    first.loc[0, "amount"] = -1.0
    assert aidcalc.load_dataset("g7_ukraine_pledges").loc[0, "amount"] == 4e9


def test_motivating_figure_is_a_linked_total(g7):
    yomiuri = g7[g7["pair_id"] == "P19"].set_index("currency")
    assert yomiuri.loc["USD", "amount"] == 12.1e9
    assert yomiuri.loc["JPY", "amount"] == 1.9e12
    assert (yomiuri["kind"] == "total_to_date").all()
    assert (yomiuri["announced"] == pd.Timestamp("2024-06-08")).all()
    assert yomiuri["source_title"].str.contains("Yomiuri").all()
    # totals must not be summed with pledges: aggregate refuses the mix
    with pytest.raises(aidcalc.AggregationError, match="kind"):
        aidcalc.aggregate(g7[g7["donor"] == "JPN"], by="currency")


def test_amount_text_reads_back_to_amount_and_currency(g7):
    parsed = aidcalc.parse_amounts(g7["amount_text"], locale=g7["locale"], errors="coerce")
    words = g7["amount_text"] == "deux milliards de dollars"  # number in words: not parseable
    assert parsed.loc[words, "amount"].isna().all()
    no_currency = parsed["currency"].isna() & ~words
    assert g7.loc[no_currency, "amount_text"].tolist() == ["10 milioni"]
    again = aidcalc.parse_amount("10 milioni", locale="it", default_currency="EUR")
    assert (again.value, again.currency) == (10e6, "EUR")
    ok = ~words & ~no_currency
    assert (parsed.loc[ok, "amount"] == g7.loc[ok, "amount"]).all()
    stated = ok & g7["currency_stated"] & parsed["currency"].notna()
    assert (parsed.loc[stated, "currency"] == g7.loc[stated, "currency"]).all()
    # where the currency is inferred, the text alone does not say it (or says '$')
    inferred = g7.loc[~g7["currency_stated"], "amount_text"].tolist()
    assert inferred == ["10 milioni", "$115 million", "nearly $22 billion", "$20 million"]


def test_qualifiers_match_the_text(g7):
    for text, qualifier in zip(g7["amount_text"], g7["qualifier"], strict=True):
        lowered = text.lower()
        if any(w in lowered for w in ("more than", "plus de")):
            assert qualifier == "more_than", text
        elif qualifier == "exact":
            assert not any(w in lowered for w in ("about", "around", "nearly", "rund")), text


def test_pairs_link_one_donor_and_date(g7):
    pairs = g7[g7["pair_id"].notna()].groupby("pair_id")
    assert pairs["donor"].nunique().eq(1).all()
    assert pairs["announced"].nunique().eq(1).all()
    assert pairs["currency"].nunique().ge(2).all()
    # every pair has exactly one counted leg unless it is a headline total
    counted = pairs["kind"].apply(lambda k: (k == "pledge").sum())
    totals = pairs["kind"].apply(lambda k: (k == "total_to_date").all())
    # P12 is Canada's C$15m (P11) reported again by a French outlet: both legs restate P11
    assert ((counted == 1) | totals | (counted.index == "P12")).all()
    assert counted["P12"] == 0


def test_components_point_to_their_parent(g7):
    comp = g7[g7["kind"] == "component"]
    ids = g7.set_index("pledge_id")
    for _, row in comp.iterrows():
        parent = ids.loc[row["part_of"]]
        assert parent["donor"] == row["donor"]
        assert parent["currency"] == row["currency"]
        assert parent["amount"] >= row["amount"]
    # the parts never exceed their parent
    sums = comp.groupby("part_of")["amount"].sum()
    assert (sums <= ids.loc[sums.index, "amount"]).all()


def test_ukraine_facility_spreads_over_four_years(g7):
    facility = g7[(g7["donor"] == "EUI") & (g7["kind"] == "pledge") & (g7["period_start"] == 2024)]
    spread = aidcalc.spread(facility)
    assert spread["year"].tolist() == [2024, 2025, 2026, 2027]
    assert spread["amount"].tolist() == [12.5e9] * 4


def test_pledges_sum_by_donor_and_category(g7):
    pledges = g7[g7["kind"] == "pledge"]
    out = aidcalc.aggregate(pledges, by=("donor", "currency", "category"))
    assert out["amount"].sum() == pytest.approx(pledges["amount"].sum(), rel=1e-12)
    italy_energy = out[(out["donor"] == "ITA") & (out["category"] == "energy")]
    assert italy_energy["amount"].item() == 23e6  # EUR 13m + EUR 10m, by hand


@pytest.mark.slow
def test_dual_currency_pairs_agree_with_convert_within_6_percent(g7):
    rows = []
    for pair, legs in g7[g7["pair_id"].notna()].groupby("pair_id"):
        base = legs.iloc[0]  # the currency the donor announced in comes first
        assert base["kind"] != "restatement" or pair == "P12"
        others = legs.drop(index=base.name)
        done = aidcalc.convert(others, base["currency"], date="announced")
        for label, value in done[f"amount_{base['currency']}"].items():
            rows.append((pair, label, value / base["amount"] - 1))
    result = pd.DataFrame(rows, columns=["pair", "row", "deviation"])
    assert len(result) == 20
    assert result["deviation"].abs().max() < 0.06
    worst = result.loc[result["deviation"].abs().idxmax()]
    assert worst["pair"] == "P14"  # C$60m reported as 'nearly $45 million' (+5.2%)


# --- QA E17: every amount_text reads back with its own row's locale -------------------------

# the only rows aidcalc.parse_amount cannot read back, and why
UNPARSEABLE = {
    "G058": "number in words ('deux milliards de dollars')",
    "G060": "no currency in the text ('10 milioni'; EUR from the announcing government)",
}


def test_every_row_reparses_with_its_locale(g7):
    failures = {}
    for row in g7.itertuples():
        try:
            parsed = aidcalc.parse_amount(row.amount_text, locale=row.locale)
        except aidcalc.ParseError:
            failures[row.pledge_id] = "error"
            continue
        if (float(parsed.value), parsed.currency) != (row.amount, row.currency):
            failures[row.pledge_id] = f"{parsed.value} {parsed.currency}"
    assert failures == dict.fromkeys(UNPARSEABLE, "error")


def test_canadian_dollar_texts_say_en_CA(g7):
    dollar_cad = g7[(g7["currency"] == "CAD") & g7["amount_text"].str.contains("$", regex=False)]
    assert len(dollar_cad) >= 3  # "$115 million", "nearly $22 billion", "$20 million", ...
    assert (dollar_cad["locale"] == "en_CA").all()
