"""Kiel Release 28: aggregate reproduces Kiel's published allocation totals (reference data)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import aidcalc
from aidcalc._real._donors import donor_codes

pytestmark = pytest.mark.reference

AID_TYPES = {"Financial": "financial", "Humanitarian": "humanitarian", "Military": "military"}
# The one cell that does not reproduce (EUR bn): the extract sums EUR 26.11m of Slovenian
# humanitarian allocations, Kiel publishes EUR 19.41m (its own humanitarian *commitment* total,
# EUR 21.91m, is also below the extract's allocations). The extract carries rows Kiel's
# Country Summary leaves out (e.g. sub-activities allocated under commitments of 2025-07-11 and
# 2026-02-06, whose activity value is 0); which ones is not derivable from this extract.
KNOWN_DIFFERENCES = {("SVN", "humanitarian"): 0.0067}


@pytest.fixture(scope="module")
def kiel(reference):
    frame, rejected = aidcalc.io.read_kiel(
        reference / "kiel" / "kiel_r28_bilateral_activities.csv", return_rejected=True
    )
    assert rejected.empty
    return frame


@pytest.fixture(scope="module")
def summary(reference):
    s = pd.read_csv(reference / "kiel" / "kiel_r28_country_summary_eu.csv")
    s["donor"] = donor_codes(s["land"]).to_numpy()
    return s.set_index("donor")


@pytest.fixture(scope="module")
def allocations(kiel):
    alloc = kiel[kiel["measure"] == "Allocation"]
    out = aidcalc.aggregate(alloc, by=("donor", "aid_type"), merges="kiel")
    out["bn"] = out["amount"] / 1e9
    return out.pivot(index="donor", columns="aid_type", values="bn").fillna(0.0)


def test_every_donor_and_aid_type_reproduces_kiel_to_rounding(allocations, summary):
    assert set(allocations.index) <= set(summary.index)  # EIB merged away, nothing unknown
    diffs = {}
    for donor in summary.index:
        for kiel_type, ours in AID_TYPES.items():
            got = allocations[kiel_type].get(donor, 0.0)
            want = summary.loc[donor, f"{ours}_allocation"]
            if abs(got - want) > 5e-4:  # Kiel publishes EUR bn to 3 decimals
                diffs[(donor, ours)] = round(got - want, 4)
    assert diffs == KNOWN_DIFFERENCES


def test_without_the_kiel_merge_the_eu_row_misses_the_eib(kiel, allocations, summary):
    alloc = kiel[kiel["measure"] == "Allocation"]
    plain = aidcalc.aggregate(alloc, by="donor")
    eib = plain.set_index("donor").loc["EIB", "amount"] / 1e9
    assert eib > 1.0  # EIB lending is material
    eu = plain.set_index("donor").loc["EUI", "amount"] / 1e9
    assert eu + eib == pytest.approx(summary.loc["EUI", "total_allocation"], abs=5e-4)


def test_g7_total_equals_sum_of_members(kiel):
    alloc = kiel[kiel["measure"] == "Allocation"]
    by_donor = aidcalc.aggregate(alloc, by="donor", merges="kiel").set_index("donor")
    g7 = aidcalc.aggregate(alloc, by="donor", groups="G7", merges="kiel")
    members = ["USA", "JPN", "DEU", "FRA", "ITA", "GBR", "CAN"]
    assert g7["amount"].iloc[0] == pytest.approx(by_donor.loc[members, "amount"].sum(), rel=1e-12)
    g7eu = aidcalc.aggregate(alloc, by="donor", groups="G7+EU", merges="kiel")
    expected = by_donor.loc[[*members, "EUI"], "amount"].sum()
    assert g7eu["amount"].iloc[0] == pytest.approx(expected, rel=1e-12)


def test_eu27_by_aid_type_sums_members(kiel, summary):
    alloc = kiel[kiel["measure"] == "Allocation"]
    eu27 = aidcalc.aggregate(alloc, by=("donor", "aid_type"), groups="EU27", merges="kiel")
    members = summary.index[summary["er_eu_medlem"]]
    for kiel_type, ours in AID_TYPES.items():
        got = eu27.set_index("aid_type").loc[kiel_type, "amount"] / 1e9
        want = summary.loc[members, f"{ours}_allocation"].sum()
        tolerance = 0.0068 if ours == "humanitarian" else 5e-3  # Slovenia, see above
        assert got == pytest.approx(want, abs=tolerance)


def test_attribution_conserves_and_never_double_counts(kiel):
    alloc = kiel[kiel["measure"] == "Allocation"]
    total = alloc["amount"].sum()
    attributed = aidcalc.aggregate(alloc, by="donor", merges="kiel", attribute_eu=True)
    assert "EUI" not in set(attributed["donor"])
    assert attributed["amount"].sum() == pytest.approx(total, rel=1e-12)
    # G7+EU with attribution: the EU money is inside DEU/FRA/ITA and not counted again as EUI
    plain = aidcalc.aggregate(alloc, by="donor", groups="G7+EU", merges="kiel")["amount"].iloc[0]
    shifted = aidcalc.aggregate(
        alloc, by="donor", groups="G7+EU", merges="kiel", attribute_eu=True
    )["amount"].iloc[0]
    eu = alloc.loc[alloc["donor"].isin(["EUI", "EIB"]), "amount"].sum()
    shares = aidcalc._pledges._groups._shares()
    assert shifted == pytest.approx(plain - eu + eu * shares[["DEU", "FRA", "ITA"]].sum(), rel=1e-9)
    assert np.isfinite(shifted)
