"""A spreadsheet of pledges in one unit
====================================

Normalising a spreadsheet of pledges: amounts as people wrote them, in one unit.

``pledges.csv`` (beside this script) names donors in several languages and writes amounts as
"158億円", "1,4 Mrd. €" or "$50 million", with the language of each row in a ``locale``
column. Read it, turn the texts into amounts and donor codes, express everything in constant
2023 euros, and save a spreadsheet-safe table. (A file in one language can be read in one step
with ``aidcalc.io.read_any(path, locale="de")``.)

Run: python examples/normalise_spreadsheet.py   (writes pledges_normalised.csv here)
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

import aidcalc
from aidcalc._base._export import write_csv

# beside this script (the docs gallery runs examples without __file__, in their own folder)
HERE = Path(__file__).resolve().parent if "__file__" in globals() else Path.cwd()

raw = pd.read_csv(HERE / "pledges.csv", parse_dates=["announced"])
parsed = aidcalc.parse_amounts(raw["amount_text"], locale=raw["locale"])  # one language per row
donors = [
    aidcalc.donor_code(name, locale=lang)
    for name, lang in zip(raw["donor"], raw["locale"], strict=True)
]
frame = raw.assign(donor=donors, amount=parsed["amount"], currency=parsed["currency"])

euros = aidcalc.normalise(frame, to="EUR", base_year=2023, date="announced", extend="last")
shown = euros[["donor", "amount_text", "amount", "currency", "amount_EUR_2023"]]
print(shown.to_string(index=False, float_format=lambda x: f"{x:,.0f}"))
total = euros["amount_EUR_2023"].sum()
print("total in constant 2023 EUR:", aidcalc.format_amount(total, currency="EUR", style="short"))

out = write_csv(euros, Path.cwd() / "pledges_normalised.csv")
print(f"wrote {out.name} (text cells that a spreadsheet would run as formulas are neutralised)")
