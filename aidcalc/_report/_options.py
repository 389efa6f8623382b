"""The report's options: the values each may take, their checks, and which stage is summed."""

from __future__ import annotations

import numbers
from dataclasses import dataclass
from typing import Any

import pandas as pd

from .._base._errors import AidcalcError, join_values
from .._base._labels import Labels

__all__ = [
    "CHARTS",
    "DATASET",
    "FX_POLICIES",
    "PRICES",
    "STAGES",
    "Options",
    "ReportError",
    "at_stage",
    "check_group",
    "check_options",
    "default_stage",
    "measure_source",
    "unique",
    "value_column",
]

#: the charts of the report, in the order of the page
CHARTS = ("donors", "share_of_gdp", "timeline", "pipeline", "categories")
DATASET = "g7_ukraine_pledges"
PRICES = ("dac", "cpi", "none")
FX_POLICIES = ("spot", "month", "year", "dac")
#: ``fx=None``: the day's rate for dated rows, the OECD DAC annual rate for annual data
AUTO_FX = "auto"
#: ``stage=`` values: one lifecycle stage, or ``"all"`` (every row summed)
STAGES = ("pledged", "committed", "allocated", "disbursed", "all")
#: the price years ``--base-year`` may name
FIRST_YEAR, LAST_YEAR = 1960, 2100


class ReportError(AidcalcError, ValueError):
    """The report cannot be made from these options or this input."""


@dataclass(frozen=True)
class Options:
    """The common unit of the report: currency, price year, deflators and exchange rate."""

    to: str
    base_year: int
    prices: str
    fx: str  # AUTO_FX until the input is read: "spot" for dated rows, "dac" for annual data

    @property
    def value(self) -> str:
        """The column of normalised amounts (``amount_EUR_2024``, ``amount_EUR``)."""
        return value_column(self.to, self.base_year, self.prices)


def value_column(to: str, base_year: int, prices: str) -> str:
    """The column of normalised amounts: ``amount_EUR_2024`` (``amount_EUR``: current prices)."""
    return f"amount_{to}_{base_year}" if prices != "none" else f"amount_{to}"


def check_options(
    to: str, base_year: int, prices: str, fx: str | None, stage: str | None, *,
    group: str | None = None, locale: Any = None,
) -> Options:
    """The options, checked (the currency upper case), before anything is read or written.

    Every value is checked on its own (no data needed): the CLI calls this before anything
    else and exits with status 2 (usage) on a :class:`ReportError`. ``group`` and ``locale``
    are checked when given.

    Examples
    --------
    >>> check_options("usd ", 2023, "dac", "spot", None).to
    'USD'
    >>> check_options("EURO", 2023, "dac", "spot", None)
    Traceback (most recent call last):
    ...
    aidcalc._report._options.ReportError: --to 'EURO' is not a currency code: use an ISO 4217 ...
    """
    code = _check_to(to)
    if prices not in PRICES:
        raise ReportError(
            f"--prices {prices!r} is not one of {', '.join(PRICES)}", option="prices"
        )
    if fx is not None and fx not in FX_POLICIES:
        raise ReportError(f"--fx {fx!r} is not one of {', '.join(FX_POLICIES)}", option="fx")
    if isinstance(base_year, bool) or not isinstance(base_year, numbers.Integral) or not (
        FIRST_YEAR <= int(base_year) <= LAST_YEAR
    ):
        raise ReportError(
            f"--base-year {base_year} is not a plausible year: use a year from {FIRST_YEAR} to "
            f"{LAST_YEAR}, e.g. --base-year 2023", option="base_year",
        )
    if stage is not None and str(stage).strip().lower() not in STAGES:
        raise ReportError(
            f"--stage {stage!r} is not one of {', '.join(STAGES)}", option="stage"
        )
    check_group(group)
    if locale is not None:
        from .._base._locale import resolve_locale

        resolve_locale(locale)  # a ParseError naming the locale and the fix
    return Options(code, int(base_year), prices, AUTO_FX if fx is None else fx)


def _check_to(to: Any) -> str:
    """``--to``: an ISO 4217 code (the one rule, :func:`check_currency`), upper case."""
    from .._money._currencies import check_currency, did_you_mean

    try:
        return check_currency(to, "--to")
    except AidcalcError:
        raise ReportError(
            f"--to {to!r} is not a currency code: use an ISO 4217 code such as EUR, USD or JPY"
            f"{did_you_mean(to)}",
            option="to",
        ) from None


def check_group(group: str | None) -> None:
    """``--group``: None, ``"all"`` or a known donor group (``"G7"``); else a ReportError.

    Examples
    --------
    >>> check_group("g7"), check_group("all"), check_group(None)
    (None, None, None)
    >>> check_group("")
    Traceback (most recent call last):
    ...
    aidcalc._report._options.ReportError: --group '' is not a donor group: use one of ...
    """
    if group is None or (isinstance(group, str) and group.strip().lower() == "all"):
        return
    from .._pledges._groups import get_groups

    known = sorted(get_groups()["group"].astype(str).unique())
    if not isinstance(group, str) or group.strip().upper() not in {k.upper() for k in known}:
        raise ReportError(
            f"--group {group!r} is not a donor group: use one of {join_values(known)} or all "
            "(every donor), e.g. --group G7",
            option="group",
        )


def unique(frame: pd.DataFrame, column: str) -> list[str]:
    """The distinct values of ``column`` as text, sorted (none when it is absent)."""
    if column not in frame.columns:
        return []
    return sorted(frame[column].dropna().astype(str).unique().tolist())


#: readers whose stages are measures of the same money: the stages compared by default, in order
#: of preference (the first one present in the data is used)
_MEASURE_DEFAULTS = {
    "kiel": ("allocated", "committed"),  # Kiel's headline measure is allocations
    "iati": ("committed", "disbursed", "pledged"),  # IATI transactions: commitments first
}


def default_stage(frame: pd.DataFrame) -> str:
    """The stage the report sums when ``stage=None``: never two measures of the same money.

    The Kiel Ukraine Support Tracker gives each aid activity as two measures of the same money,
    ``Commitment`` and ``Allocation`` (read by :func:`aidcalc.io.read_kiel` into ``status``
    ``committed`` / ``allocated``, with Kiel's ``measure`` column kept): summing both rows would
    count the money twice, so the default is ``"allocated"``, Kiel's headline measure. IATI
    transactions are measures of one activity's money too (a commitment, then the
    disbursements that pay it out; incoming funds and repayments are no stage at all), so the
    default there is ``"committed"`` (or the first of disbursed, pledged present). A source is
    recognised by ``frame.attrs["format"]`` (set by the readers) or by Kiel's ``measure`` /
    IATI's ``transaction_type`` column. In a pledge frame such as the embedded
    ``g7_ukraine_pledges`` every row is distinct money (statuses of different announcements),
    so every row is summed (``"all"``).

    Examples
    --------
    >>> import pandas as pd
    >>> kiel = pd.DataFrame({"measure": ["Commitment", "Allocation"],
    ...                      "status": ["committed", "allocated"]})
    >>> default_stage(kiel)
    'allocated'
    >>> iati = pd.DataFrame({"transaction_type": ["2", "3", "1"],
    ...                      "status": ["committed", "disbursed", None]})
    >>> default_stage(iati), default_stage(iati[iati["status"] != "committed"])
    ('committed', 'disbursed')
    >>> default_stage(pd.DataFrame({"status": ["pledged", "committed"]}))
    'all'
    """
    source = measure_source(frame)
    if source is None:
        return "all"
    present = set(frame["status"].dropna()) if "status" in frame else set()
    preferred = _MEASURE_DEFAULTS[source]
    return next((s for s in preferred if s in present), preferred[0])


def measure_source(frame: pd.DataFrame) -> str | None:
    """Which reader's measures the stages are ("kiel", "iati"), or None for steps of a pledge."""
    fmt = str(frame.attrs.get("format", "")).lower()
    if fmt.startswith("kiel") or "measure" in frame:
        return "kiel"
    if fmt.startswith("iati") or "transaction_type" in frame:
        return "iati"
    return None


def at_stage(
    frame: pd.DataFrame, stage: str, input_name: str, label: Labels
) -> tuple[pd.DataFrame, str]:
    """The rows at ``stage`` (all rows for ``"all"``), and the note stating the rule."""
    if stage == "all":
        return frame, label("note_stage_all")
    if "status" not in frame.columns:
        raise ReportError(
            f"--stage {stage}: {input_name} has no status column; use --stage all to sum every "
            "row",
            option="stage",
        )
    status = frame["status"].astype("string").str.strip().str.lower()
    keep = status.eq(stage).fillna(False).astype(bool).to_numpy()
    if not keep.any():
        present = sorted(status.dropna().unique().tolist())
        raise ReportError(
            f"--stage {stage}: {input_name} has no {stage} rows (its stages: "
            f"{', '.join(present) if present else 'none'}); choose one of "
            f"{', '.join(STAGES)}",
            option="stage",
        )
    note = label("note_stage", stage=label(stage), kept=int(keep.sum()), other=int((~keep).sum()))
    return frame.loc[keep], note
