"""Charts that compare donors honestly: same currency, same price base, same lifecycle stage.

Axes-level functions in seaborn's shape: ``data`` first, keyword-only options, ``ax=None``
(a new figure when absent), ``**kwargs`` passed on to matplotlib, the Axes returned
(:func:`categories` draws a whole figure of small multiples and returns its panels).
Every chart states its unit in words, formats numbers for the chosen locale, gives each donor,
category and lifecycle stage one fixed colour-blind-safe colour, and carries a footnote with the
source, price base, deflators and exchange rates.

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

from ._categories import categories
from ._donors import donors, share_of_gdp
from ._pipeline import pipeline, stage_totals
from ._style import (
    LANGUAGES,
    FontWarning,
    TranslationWarning,
    category_colour,
    donor_colour,
    get_label,
    status_colour,
)
from ._tables import (
    LEFT_OUT,
    categories_table,
    donors_table,
    pipeline_table,
    share_of_gdp_table,
    timeline_table,
)
from ._timeline import timeline

__all__ = [
    "LANGUAGES",
    "LEFT_OUT",
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
