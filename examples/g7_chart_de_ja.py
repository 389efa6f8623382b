"""A G7 chart in German and in Japanese
====================================

Only individual pledges are summed (headline totals and restatements in another currency
repeat money already counted), converted to euros at the ECB rate of the announcement day and
expressed in constant 2024 prices with OECD DAC deflators (carried forward after 2023, as the
footnote says).

Run: python examples/g7_chart_de_ja.py   (writes g7_de.png and g7_ja.png here)
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # no window: write files

import aidcalc
import aidcalc.plot

g7 = aidcalc.load_dataset("g7_ukraine_pledges")
pledges = g7[g7["kind"] == "pledge"]
euros = aidcalc.normalise(pledges, to="EUR", base_year=2024, date="announced", extend="last")

for locale in ("de", "ja"):
    ax = aidcalc.plot.donors(
        euros,
        value="amount_EUR_2024",
        locale=locale,
        members="G7+EU",
        source="aidcalc g7_ukraine_pledges (2026-11)",
    )
    path = Path.cwd() / f"g7_{locale}.png"
    ax.figure.savefig(path, dpi=150, bbox_inches="tight")
    print(f"wrote {path.name}: {ax.get_title(loc='left')}")
