"""The motivating example: "$12.1 billion (about ¥1.9 trillion)"
=============================================================

On 8 June 2024 a Japanese newspaper wrote that Japan's aid to Ukraine "has topped $12.1 billion
(about ¥1.9 trillion)". Are the two figures the same money? Parse both as written, convert at
the rate of the day before (the last ECB fixing), compare, and express both in constant 2022
US dollars.

Run: python examples/motivating_example.py
"""

from __future__ import annotations

import pandas as pd

import aidcalc

dollars = aidcalc.parse_amount("$12.1 billion")
yen = aidcalc.parse_amount("¥1.9 trillion")
print(f"as written:   {aidcalc.format_amount(dollars, style='long')}  vs  "
      f"{aidcalc.format_amount(yen, locale='ja', style='long')}")

# the yen figure in dollars at the ECB rate of 7 June 2024 (the last fixing before the article)
in_dollars = aidcalc.convert_amount(yen, "USD", on="2024-06-07")
gap = float(in_dollars.value) / float(dollars.value) - 1
print(f"¥1.9 trillion on 2024-06-07 = {aidcalc.format_amount(in_dollars, style='short')}"
      f" ({gap:+.1%} against $12.1B: 'about' covers a rounding of the yen figure)")

# the same two figures as rows of a frame, in constant 2022 USD (OECD DAC deflators for Japan)
frame = pd.DataFrame(
    {
        "donor": ["JPN", "JPN"],
        "amount": [float(dollars.value), float(yen.value)],
        "currency": [dollars.currency, yen.currency],
        "announced": pd.to_datetime(["2024-06-08", "2024-06-08"]),
    }
)
real = aidcalc.normalise(frame, to="USD", base_year=2022, date="announced", extend="last")
for row in real.itertuples():
    print(f"{row.currency}: {aidcalc.format_amount(row.amount_USD_2022, currency='USD')}"
          f" in constant 2022 USD ({row.deflator_source})")
