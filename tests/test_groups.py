"""Donor groups as data, membership by date, merges, EU attribution."""

from __future__ import annotations

import json

import pandas as pd
import pytest

import aidcalc
from aidcalc._base._datasets import data_dir, read_dataset
from aidcalc._pledges._groups import apply_merges, attribute_eu, group_rows


def test_g7_members():
    assert sorted(aidcalc.get_groups("G7")["member"]) == [
        "CAN",
        "DEU",
        "FRA",
        "GBR",
        "ITA",
        "JPN",
        "USA",
    ]


def test_eu27_membership_by_date():
    def members(day):
        return set(aidcalc.get_groups("EU27", on=day)["member"])

    assert len(members("2024-06-01")) == 27 and "GBR" not in members("2024-06-01")
    assert "GBR" in members("2020-01-31") and "GBR" not in members("2020-02-01")
    assert "HRV" not in members("2013-06-30") and "HRV" in members("2013-07-01")
    assert len(members("2004-04-30")) == 15 and len(members("2004-05-01")) == 25


def test_groups_with_eu_institutions_list_them_once():
    table = aidcalc.get_groups()
    for name in ("G7+EU", "EU27+EUI"):
        assert (table.loc[table["group"] == name, "member"] == "EUI").sum() == 1
    for name in ("G7", "EU27"):
        assert "EUI" not in set(table.loc[table["group"] == name, "member"])


def test_unknown_group_lists_known_ones():
    with pytest.raises(aidcalc.ValidationError, match=r"unknown donor group.*'G8'.*known: G7"):
        aidcalc.get_groups("G8")


def test_group_rows_uses_each_rows_date_and_keeps_labels():
    f = pd.DataFrame(
        {
            "donor": ["GBR", "GBR", "HRV", "GBR"],
            "announced": pd.to_datetime(["2019-05-01", "2022-05-01", "2012-01-01", None]),
        },
        index=["a", "b", "c", "d"],
    )
    eu = group_rows(f, "EU27", date="announced")
    assert eu.index.tolist() == ["a"]  # UK before Brexit only; Croatia before 2013 not
    g7 = group_rows(f, "G7", date="announced")
    assert g7.index.tolist() == ["a", "b", "d"]  # undated row: current member


def test_kiel_merge_rule_is_data_and_visible():
    merges = read_dataset("donor_merges")
    assert merges.loc[0, ["rule", "donor", "counted_as"]].tolist() == ["kiel", "EIB", "EUI"]
    s = pd.Series(["EIB", "European Investment Bank", "EPF"], index=[5, 6, 7])
    out = apply_merges(s, "kiel")
    assert out.tolist() == ["EUI", "EU (Commission and Council)", "EPF"]
    assert out.index.tolist() == [5, 6, 7]
    with pytest.raises(aidcalc.ValidationError, match="unknown merge rule 'oecd'; known: kiel"):
        apply_merges(s, "oecd")


def test_attribution_shares_sum_to_one_and_cite_kiel():
    shares = read_dataset("eu_attribution_shares")
    assert len(shares) == 27
    assert round(shares["share"].sum(), 9) == 1.0
    assert set(shares["iso3"]) == set(aidcalc.get_groups("EU27", on="2024-01-01")["member"])
    meta = json.loads((data_dir() / "eu_attribution_shares.json").read_text(encoding="utf-8"))
    assert "Kiel" in meta["publisher"]
    top = shares.sort_values("share").tail(3)["iso3"].tolist()
    assert top == ["ITA", "FRA", "DEU"]  # largest EU budget contributors


def test_attribute_eu_replaces_rows_and_conserves():
    f = pd.DataFrame(
        {"donor": ["JPN", "EUI", "EUI"], "amount": [1.0, 1000.0, 10.0], "note": ["x", "y", "z"]}
    )
    out = attribute_eu(f, value="amount")
    assert "EUI" not in set(out["donor"])
    assert len(out) == 1 + 2 * 27
    assert out["amount"].sum() == pytest.approx(1011.0, rel=1e-12)
    assert out.index.tolist()[:28] == [0] + [1] * 27  # original order kept
    assert set(out.loc[out["attributed_from"] == "EUI", "note"]) == {"y", "z"}
    with pytest.raises(aidcalc.AggregationError, match="sum to 1"):
        attribute_eu(f, value="amount", shares={"DEU": 0.5})
