"""Charts that compare donors honestly: same currency, same price base, same lifecycle stage.

Axes-level functions in seaborn's shape: ``data`` first, keyword-only options, ``ax=None``
(a new figure when absent), ``**kwargs`` passed on to matplotlib, the Axes returned
(:func:`categories` draws a whole figure of small multiples and returns its panels).
Every chart states its unit in words, formats numbers for the chosen locale, gives each donor,
category and lifecycle stage one fixed colour-blind-safe colour, and carries a footnote with the
source, price base, deflators and exchange rates.

Each chart draws the output of a public table function built on :func:`aidcalc.aggregate`
(:func:`donors_table`, :func:`share_of_gdp_table`, :func:`timeline_table`,
:func:`pipeline_table`, :func:`categories_table`): the numbers drawn, usable on their own, with
what was left out in ``table.attrs["left_out"]`` (rows, amount, reason), which the chart's
footnote states too. ``palette=``, ``order=`` and ``hue_order=`` work as in seaborn. Charts
change no global matplotlib state (rcParams, interactive mode) and keep the user's rcParams
for everything they need not set; :data:`STYLE` is aidcalc's look as a style file
(``plt.style.use(aidcalc.plot.STYLE)``). Tick labels are distinct and exact to the precision
shown. Texts come from a catalogue in en, de, fr, it, ja and uk (:data:`LANGUAGES`; ``de_AT``
uses German); other languages get English texts with one :class:`TranslationWarning`.

Importing this module imports matplotlib; ``import aidcalc`` alone does not.

Examples
--------
>>> import pandas as pd
>>> import aidcalc.plot
>>> df = pd.DataFrame({"donor": ["JPN", "DEU"], "category": ["energy", "energy"],
...     "amount_EUR_2024": [1.2e9, 3.4e9]})
>>> ax = aidcalc.plot.donors(df, value="amount_EUR_2024", locale="de")
>>> ax.get_title(loc="left")
'Hilfe nach Geber und Bereich'
"""

from __future__ import annotations

from pathlib import Path

from ._categories import categories, categories_table
from ._donors import donors, donors_table, share_of_gdp, share_of_gdp_table
from ._pipeline import pipeline, pipeline_table, stage_totals
from ._style import (
    LANGUAGES,
    FontWarning,
    TranslationWarning,
    category_colour,
    donor_colour,
    get_label,
    status_colour,
)
from ._tables import LEFT_OUT
from ._timeline import timeline, timeline_table

#: Path of ``aidcalc.mplstyle``, aidcalc's chart look for any figure:
#: ``plt.style.use(aidcalc.plot.STYLE)``. The chart functions do not apply it themselves;
#: they keep the user's rcParams for everything they do not need to set.
STYLE = Path(__file__).resolve().with_name("aidcalc.mplstyle")

__all__ = [
    "LANGUAGES",
    "LEFT_OUT",
    "STYLE",
    "FontWarning",
    "TranslationWarning",
    "categories",
    "categories_table",
    "category_colour",
    "donor_colour",
    "donors",
    "donors_table",
    "get_label",
    "pipeline",
    "pipeline_table",
    "share_of_gdp",
    "share_of_gdp_table",
    "stage_totals",
    "status_colour",
    "timeline",
    "timeline_table",
]
