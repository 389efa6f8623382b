"""Internal column names, in one place (public functions take them as keyword defaults)."""

from __future__ import annotations

from typing import Final

# --- the pledge frame (documented column roles) -------------------------------------------------
DONOR: Final = "donor"
RECIPIENT: Final = "recipient"
ANNOUNCED: Final = "announced"
AMOUNT: Final = "amount"
CURRENCY: Final = "currency"
CATEGORY: Final = "category"
CATEGORIES: Final = "categories"  # every category that matched, ";"-joined
STATUS: Final = "status"
PERIOD_START: Final = "period_start"
PERIOD_END: Final = "period_end"
AMOUNT_TEXT: Final = "amount_text"
DESCRIPTION: Final = "description"
SOURCE_URL: Final = "source_url"
SOURCE_TITLE: Final = "source_title"
SOURCE_DATE: Final = "source_date"
PAIR_ID: Final = "pair_id"
PURPOSE_CODE: Final = "purpose_code"
KIND: Final = "kind"  # pledge | component | restatement | total_to_date: only "pledge" is new money
PART_OF: Final = "part_of"
PLEDGE_ID: Final = "pledge_id"

# --- aggregation and lifecycle -------------------------------------------------------------------
GROUP: Final = "group"
PERIOD: Final = "period"
PLEDGE_ROW: Final = "pledge_row"  # index label of the original row a spread row came from

# --- generic inputs ------------------------------------------------------------------------------
DATE: Final = "date"
VALUE_DATE: Final = "value_date"  # IATI: the date to use for currency conversion
YEAR: Final = "year"
VALUE: Final = "value"
ISO3: Final = "iso3"

# --- parse results -------------------------------------------------------------------------------
APPROX: Final = "approx"
TEXT: Final = "text"
ERROR: Final = "error"  # why a row became NA under errors="coerce"

# --- provenance ----------------------------------------------------------------------------------
FX_RATE: Final = "fx_rate"  # units of the target currency per one unit of the row's currency
FX_DATE: Final = "fx_date"  # date of the rate actually used (or period start for averages)
FX_SOURCE: Final = "fx_source"
FX_TO: Final = "fx_to"  # the currency a converted value is in (checked before summing)
DEFLATOR: Final = "deflator"  # factor the current-price value was divided by
DEFLATOR_SOURCE: Final = "deflator_source"
PRICE_BASE: Final = "price_base"  # e.g. "constant 2022 USD" or "current EUR"
BASE_FX_RATE: Final = "base_fx_rate"  # base-year USD -> target rate (DAC method)
BASE_FX_SOURCE: Final = "base_fx_source"  # where base_fx_rate comes from (year, publisher)

# --- relative measures ---------------------------------------------------------------------------
GDP: Final = "gdp"
GDP_SOURCE: Final = "gdp_source"
POPULATION: Final = "population"
POPULATION_SOURCE: Final = "population_source"

PROVENANCE: Final = (FX_RATE, FX_DATE, FX_SOURCE, DEFLATOR, DEFLATOR_SOURCE, PRICE_BASE)
# every column convert / normalise write besides the amount (an out= name may not be one)
RATE_COLUMNS: Final = (FX_RATE, FX_DATE, FX_SOURCE, FX_TO, ERROR)
PRICE_COLUMNS: Final = (*RATE_COLUMNS, DEFLATOR, DEFLATOR_SOURCE, BASE_FX_RATE, BASE_FX_SOURCE,
                        PRICE_BASE)  # fmt: skip
