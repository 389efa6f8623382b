"""The G7 comparison report: every chart as PNG and SVG, the tables behind them, one HTML page.

``aidcalc report`` (see :mod:`aidcalc._report._cli`) is a thin wrapper around :func:`build_report`.
"""

from __future__ import annotations

import base64
import contextlib
import datetime
import html
import importlib.util
import os
import re
import tempfile
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cache, partial
from pathlib import Path
from typing import Any, Literal, cast

import numpy as np
import pandas as pd

from .._base._errors import AidcalcError, InputFileError, join_values
from .._base._labels import LANGUAGES, Labels, get_label, has_label
from .._base._locale import LocaleLike, resolve_locale
from .._pledges._groups import apply_merges

__all__ = [
    "CHARTS",
    "STAGES",
    "ChartNotDrawnWarning",
    "LeftOutWarning",
    "LocaleFallbackWarning",
    "Report",
    "ReportError",
    "build_report",
    "default_stage",
    "report_languages",
]

#: the charts of the report, in the order of the page
CHARTS = ("donors", "share_of_gdp", "timeline", "pipeline", "categories")
DATASET = "g7_ukraine_pledges"
PNG_DPI = 200
_PRICES = ("dac", "cpi", "none")
_FX = ("spot", "month", "year", "dac")
#: ``stage=`` values: one lifecycle stage, or ``"all"`` (every row summed)
STAGES = ("pledged", "committed", "allocated", "disbursed", "all")
_HERE = Path(__file__).resolve().parent
_PUBLISHED_RE = re.compile(r"^(.*?)\s*published by (\d{4}-\d{2}-\d{2})$")
_WEO_RE = re.compile(r"IMF WEO \w+ \d{4}")


def _weo_editions(deflators: list[str]) -> list[str]:
    """The IMF WEO editions that extended deflators beyond the last published year."""
    return sorted({m.group(0) for d in deflators for m in _WEO_RE.finditer(d)})


@dataclass
class Report:
    """What :func:`build_report` wrote."""

    out: Path
    """The output folder."""
    files: list[Path] = field(default_factory=list)
    """Every file written (charts, tables, ``index.html``)."""
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    """The tables behind the charts, by name."""
    value: str = ""
    """The column of normalised amounts the charts show."""
    price_base: str = ""
    """What the amounts are, e.g. ``"constant 2024 EUR"``."""
    notes: list[str] = field(default_factory=list)
    """The method notes printed on the page, in the report's language."""
    footnote: str = ""
    """The footnote under every chart (source, prices, exchange rates), in the language."""
    stage: str = "all"
    """The lifecycle stage the totals count (``"all"``: every row), see :func:`default_stage`."""
    coverage: str = ""
    """For the embedded dataset: its coverage per donor and category (HTML, method section)."""
    footnotes: dict[str, str] = field(default_factory=dict)
    """Each chart's own footnote (the common one plus what that chart leaves out), by chart."""
    not_drawn: dict[str, str] = field(default_factory=dict)
    """Charts that could not be drawn, with the reason in the report's language."""
    left_out: pd.DataFrame = field(default_factory=pd.DataFrame)
    """Every input row not in the totals, with ``left_out`` (reason key) and ``reason``
    (written as ``rejected.csv``)."""
    left_out_note: str = ""
    """What the totals leave out (how many rows, how much, why), in the report's language."""
    chart_left_out: dict[str, list[str]] = field(default_factory=dict)
    """What each chart leaves out beyond the report's totals (e.g. undated rows on the
    timeline), in the report's language, by chart."""
    removed: list[Path] = field(default_factory=list)
    """Files an earlier report wrote in ``out`` that this one replaced by nothing (removed)."""

    @property
    def index(self) -> Path:
        return self.out / "index.html"


class ReportError(AidcalcError, ValueError):
    """The report cannot be made from these options or this input."""


@cache
def _events() -> pd.DataFrame:
    frame = pd.read_csv(_HERE / "_report_events.csv", dtype=str, keep_default_na=False)
    frame["date"] = pd.to_datetime(frame["date"])
    return frame


def _event_labels(frame: pd.DataFrame, date: str, lang: str) -> pd.DataFrame | None:
    """Conferences and summits on the recipient's aid calendar inside the data's date range."""
    events = _events()
    recipients = set(frame["recipient"].dropna().astype(str)) if "recipient" in frame else set()
    events = events[events["recipient"].isin(recipients)]
    when = pd.to_datetime(frame[date])
    events = events[(events["date"] >= when.min()) & (events["date"] <= when.max())]
    if events.empty:
        return None
    column = lang if lang in events.columns else "en"
    return pd.DataFrame({"date": events["date"], "label": events[column].where(
        events[column] != "", events["en"])})


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
    source = _measure_source(frame)
    if source is None:
        return "all"
    present = set(frame["status"].dropna()) if "status" in frame else set()
    preferred = _MEASURE_DEFAULTS[source]
    return next((s for s in preferred if s in present), preferred[0])


def _measure_source(frame: pd.DataFrame) -> str | None:
    """Which reader's measures the stages are ("kiel", "iati"), or None for steps of a pledge."""
    fmt = str(frame.attrs.get("format", "")).lower()
    if fmt.startswith("kiel") or "measure" in frame:
        return "kiel"
    if fmt.startswith("iati") or "transaction_type" in frame:
        return "iati"
    return None


def _stages_are_measures(frame: pd.DataFrame) -> bool:
    """True when the stages are measures of the same money (Kiel, IATI), not steps."""
    return _measure_source(frame) is not None


def _at_stage(
    frame: pd.DataFrame, stage: str, input_name: str, notes: list[str], label: Label
) -> pd.DataFrame:
    """The rows at ``stage`` (all rows for ``"all"``), with the rule stated in ``notes``."""
    if stage == "all":
        notes.append(label("note_stage_all"))
        return frame
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
    notes.append(
        label("note_stage").format(
            stage=label(stage), kept=int(keep.sum()), other=int((~keep).sum())
        )
    )
    return frame.loc[keep]


def _check_options(to: str, base_year: int, prices: str, fx: str) -> str:
    code = str(to).strip().upper()
    if len(code) != 3 or not code.isalpha():
        raise ReportError(
            f"--to {to!r} is not a currency code: use an ISO 4217 code such as EUR, USD or JPY",
            option="to",
        )
    from babel.numbers import list_currencies

    if code not in list_currencies():
        raise ReportError(
            f"--to {to!r}: unknown currency; use an ISO 4217 code such as EUR, USD or JPY",
            option="to",
        )
    if prices not in _PRICES:
        raise ReportError(
            f"--prices {prices!r} is not one of {', '.join(_PRICES)}", option="prices"
        )
    if fx not in _FX:
        raise ReportError(f"--fx {fx!r} is not one of {', '.join(_FX)}", option="fx")
    if not 1960 <= int(base_year) <= 2100:
        raise ReportError(f"--base-year {base_year} is not a plausible year", option="base_year")
    return code


def _read_input(path: str | Path) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    source = Path(path)
    if not source.exists():
        raise InputFileError(f"{source}: no such file", path=str(source), reason="missing")
    if source.is_dir():
        raise InputFileError(f"{source} is a folder, not a file", path=str(source))
    from ..io import read_any

    result = read_any(source, return_rejected=True)
    frame = getattr(result, "frame", result)
    rejected = getattr(result, "rejected", None)
    if not isinstance(frame, pd.DataFrame):  # pragma: no cover - depends on aidcalc.io
        raise InputFileError(f"{source}: could not be read as a table", path=str(source))
    return frame, rejected if isinstance(rejected, pd.DataFrame) and len(rejected) else None


def _unique(frame: pd.DataFrame, column: str) -> list[str]:
    if column not in frame.columns:
        return []
    return sorted(frame[column].dropna().astype(str).unique().tolist())


#: the columns the report needs, and how a file gets each one
_NEEDED = {
    "donor": "the donor's name or ISO code in each row (e.g. Japan, JPN)",
    "amount": "the amount (a number, or amount_text such as '¥15.8 billion')",
    "currency": "the ISO currency code of each amount (or amount_text with a symbol)",
    "announced": "the announcement date (YYYY-MM-DD) of each row",
    "category": "one of energy, demining, reconstruction, humanitarian, budget_support, "
    "military, other per row",
    "status": "one of pledged, committed, allocated, disbursed per row",
}


def _check_schema(frame: pd.DataFrame, input_name: str) -> None:
    """Every column the charts need is there, checked before anything is converted or written.

    The message is for the command line: which column is missing, what it holds, how to add it.
    """
    missing = [c for c in _NEEDED if c not in frame.columns]
    if not missing:
        return
    fixes = "; ".join(f"{c}: {_NEEDED[c]}" for c in missing)
    first = missing[0]
    raise ReportError(
        f"{input_name} has no {first} column"
        + (f" (nor {join_values(missing[1:])})" if len(missing) > 1 else "")
        + f"; it has {join_values(list(map(str, frame.columns))[:20])}. The report needs "
        f"{', '.join(_NEEDED)}: add {'them' if len(missing) > 1 else 'it'} to the file "
        f"({fixes}), or rename your column to {first!r}",
        columns=missing,
        input=input_name,
    )


#: the labels of the report in one locale (the one message catalogue, ``aidcalc/_base/labels.csv``)
Label = Labels


def report_languages() -> tuple[str, ...]:
    """The languages every string of the report page is translated into.

    Examples
    --------
    >>> report_languages()
    ('en', 'de', 'fr', 'it', 'ja', 'uk')
    """
    return LANGUAGES


# --- rows left out: counted, summed and explained -------------------------------------------------


@dataclass
class _Entry:
    """Rows left out for one reason (``key``), with each row's detailed reason."""

    key: str
    rows: pd.DataFrame
    fields: dict[str, str] = field(default_factory=dict)


class _Ledger:
    """The account of every input row that is not in the report's totals."""

    def __init__(self, value: str, unit: Any, label: Label) -> None:
        self.value = value
        self.unit = unit
        self.label = label
        self.entries: list[_Entry] = []

    def add(self, key: str, rows: pd.DataFrame, detail: Any, **fields: str) -> None:
        if len(rows):
            rows = rows.assign(left_out=key, reason=detail)
            self.entries.append(_Entry(key, rows, fields))

    def frame(self) -> pd.DataFrame:
        if not self.entries:
            return pd.DataFrame({"left_out": pd.Series(dtype=object),
                                 "reason": pd.Series(dtype=object)})
        frames = [e.rows for e in self.entries]
        out = pd.concat(frames, ignore_index=False, sort=False)
        first = ["left_out", "reason"]
        return out[first + [c for c in out.columns if c not in first]]

    def texts(self, loc: Any) -> list[str]:
        return [entry_text(e, self.value, self.unit, self.label, loc) for e in self.entries]


def _money(rows: pd.DataFrame, value: str, unit: Any, loc: Any, label: Label) -> str:
    """What ``rows`` hold: their sum in the report's unit where converted, else in their own
    currencies; ``amount unknown`` for rows without an amount."""
    from ..plot._style import Unit, amount_formatter

    parts: list[str] = []
    converted = pd.Series(False, index=rows.index)
    if value in rows.columns:
        values = pd.to_numeric(rows[value], errors="coerce")
        converted = values.notna() & np.isfinite(values.fillna(0.0))
        if converted.any():
            parts.append(amount_formatter(unit, loc)(float(values[converted].sum())))
    rest = rows.loc[~converted]
    unknown = len(rest)
    if len(rest) and {"amount", "currency"} <= set(rest.columns):
        amounts = pd.to_numeric(rest["amount"], errors="coerce")
        currency = rest["currency"].astype("string").str.strip().str.upper()
        ok = amounts.notna() & np.isfinite(amounts.fillna(0.0)) & currency.str.fullmatch(
            "[A-Z]{3}").fillna(False).astype(bool)
        sums = amounts[ok].groupby(currency[ok].to_numpy()).sum()
        own = []
        for code, total in sums.items():
            try:
                own.append(amount_formatter(Unit(str(code)), loc)(float(total)))
            except Exception:  # an unknown code: the code and the number
                own.append(f"{code} {float(total):,.0f}")
        if own:
            text = " + ".join(own)
            parts.append(label("as_announced").format(amount=text) if parts else text)
        unknown = int((~ok).sum())
    if unknown:
        count = label.plural("rows", unknown, n=unknown)
        parts.append(f"{label('amount_unknown')} ({count})" if parts else label("amount_unknown"))
    return " + ".join(parts)


def entry_text(entry: _Entry, value: str, unit: Any, label: Label, loc: Any) -> str:
    """One left-out entry in words: ``"26 rows (€3.2B): no exchange rate to EUR"``."""
    reason = label(f"reason_{entry.key}").format(to=unit.currency, **entry.fields)
    return label.plural("left_out_entry", len(entry.rows)).format(
        n=len(entry.rows), amount=_money(entry.rows, value, unit, loc, label), reason=reason)


def _classify(error: pd.Series, amount: pd.Series) -> pd.Series:
    """A reason key for each row that could not be converted (the message itself goes to
    rejected.csv; the key is said on the page in its language)."""
    text = error.astype("string").str.lower().fillna("")
    key = pd.Series("convert", index=error.index, dtype=object)
    key[text.str.contains(r"fixing|\brates?\b", regex=True).to_numpy()] = "no_rate"
    key[text.str.contains(r"deflator|consumer price|\bcpi\b", regex=True).to_numpy()] = (
        "no_deflator"
    )
    key[text.str.contains(r"(?:missing|unreadable|no) date|undated|date is missing",
                          regex=True).to_numpy()] = "no_date"
    values = pd.to_numeric(amount, errors="coerce")
    key[(values.isna() | ~np.isfinite(values.fillna(0.0))).to_numpy()] = "no_amount"
    return key


# --- converting ---------------------------------------------------------------------------------


def _value_column(to: str, base_year: int, prices: str) -> str:
    return f"amount_{to}_{base_year}" if prices != "none" else f"amount_{to}"


def _convert(frame: pd.DataFrame, to: str, base_year: int, prices: str, fx: str) -> pd.DataFrame:
    """Every row normalised (failures NaN with the reason in ``error``)."""
    from .._real._prices import normalise

    price_arg = None if prices == "none" else prices
    result = normalise(
        frame,
        to=to,
        base_year=base_year,
        date="announced",
        fx=cast(Literal["spot", "month", "year", "dac"], fx),  # checked by _check_options
        prices=price_arg,  # type: ignore[arg-type]
        extend="weo" if price_arg else None,  # IMF WEO after the last published year
        out=_value_column(to, base_year, prices),
        errors="coerce",
    )
    if "error" not in result.columns:
        result = result.assign(error=pd.Series(pd.NA, index=result.index, dtype=object))
    return result


def _fixable(
    rows: pd.DataFrame, to: str, base_year: int, prices: str, fx: str
) -> tuple[str, int] | None:
    """An option that converts rows the given options cannot (e.g. an earlier base year when
    the base year is after the data's coverage): ``("--base-year 2025", n)``, or None."""
    tries: list[tuple[str, int, str]] = []
    if prices != "none":
        # earlier base years, and (for a base year in the future) the years up to this one
        latest = min(base_year, datetime.date.today().year + 1)
        years = sorted({*range(base_year - 1, base_year - 9, -1), *range(latest - 1, latest - 9,
                                                                          -1)}, reverse=True)
        tries += [("--base-year", year, fx) for year in years]
    tries += [("--fx", 0, other) for other in _FX if other != fx]
    for _option, year, policy in tries:
        try:
            result = _convert(rows, to, year or base_year, prices, policy)
        except AidcalcError:
            continue
        fixed = int(result[_value_column(to, year or base_year, prices)].notna().sum())
        if fixed:
            return (f"--base-year {year}" if year else f"--fx {policy}"), fixed
    return None


def _price_note(
    result: pd.DataFrame, to: str, base_year: int, prices: str, fx: str, label: Label
) -> list[str]:
    notes = [label("note_fx_rows").format(to=to, rates=_rates_text(result, fx, to, label))]
    if prices != "none":
        notes.append(label("note_constant").format(year=base_year, method=_method(prices, label)))
        if any(_is_extended(d) for d in _unique(result, "deflator_source")):
            notes.append(label("note_extended"))
        if editions := _weo_editions(_unique(result, "deflator_source")):
            notes.append(label("note_weo").format(edition=", ".join(editions)))
    else:
        notes.append(label("note_current").format(to=to))
    return notes


def _is_extended(deflator_source: str) -> bool:
    return "extend='last'" in deflator_source or "carried forward" in deflator_source.lower()


def _share(
    frame: pd.DataFrame, base_year: int, label: Label
) -> tuple[pd.DataFrame, str, int]:
    """Each pledge as a percent of its donor's GDP in ``base_year`` (or the latest year before
    it that the GDP table covers best), amounts as announced, GDP converted at that year's rate.
    Rows without GDP are NaN with their reason in ``error``."""
    from .._real._relative import share_of_gdp

    best: tuple[int, pd.DataFrame, int] | None = None
    failure: Exception | None = None
    latest = min(base_year, datetime.date.today().year)  # GDP is published after the year
    years = sorted({*range(base_year, base_year - 4, -1), *range(latest, latest - 4, -1)},
                   reverse=True)
    for year in years:
        try:
            result = share_of_gdp(frame, value="amount", currency="currency", gdp_year=year,
                                  out="pct_of_gdp", errors="coerce")
        except AidcalcError as err:
            failure = err
            continue
        n = int(result["pct_of_gdp"].notna().sum())
        if best is None or n > best[0]:
            best = (n, result, year)
    if best is None:
        raise ReportError(str(failure), reason=str(failure))
    _n, result, year = best
    if "error" not in result.columns:
        result = result.assign(error=pd.Series(pd.NA, index=result.index, dtype=object))
    return result, label("note_share").format(year=year), year


def _fx_sources(frame: pd.DataFrame, locale: Any) -> str:
    from ..plot._style import localise_source

    sources = [f for f in _unique(frame, "fx_source") if not f.lower().startswith("identity")]
    return "; ".join(localise_source(f, locale) for f in sources) or localise_source(
        "ECB euro reference rates", locale
    )


_DAC_FX_RE = re.compile(r"^OECD DAC annual average\b", re.I)
_ECB_AVG_RE = re.compile(r"^(yearly|monthly) average of daily rates, (.*?)(?: \((?:annual|"
                         r"monthly) mean [0-9-]+\))?$", re.I)


def _rates_text(frame: pd.DataFrame, fx: str, to: str, label: Label) -> str:
    """The exchange rates the rows actually used, from their ``fx_source``: each source with
    its method, and how many rows used it when there are several."""
    from ..plot._style import localise_source

    loc = label.locale
    sep = label("list_sep")
    if "fx_source" not in frame.columns or frame.empty:
        return _fx_sources(frame, loc) + sep + label(f"rate_{fx}")
    source = frame["fx_source"].astype("string").fillna("")
    groups: dict[str, int] = {}
    for text, n in source.value_counts(sort=False).items():
        text = str(text)
        if text.lower().startswith("identity") or not text:
            key = label("rate_none").format(to=to)
        elif _DAC_FX_RE.match(text):
            vintage = text[text.find("(") + 1:text.rfind(")")] if "(" in text else ""
            key = label("rate_dac") + (f" ({_vintage(vintage, label)})" if vintage else "")
        elif m := _ECB_AVG_RE.match(text):
            key = localise_source(m.group(2), loc) + sep + label(
                "rate_year" if m.group(1).lower() == "yearly" else "rate_month")
        else:
            method = label("rate_spot") if fx == "spot" else label(f"rate_{fx}")
            key = localise_source(text, loc) + sep + method
        groups[key] = groups.get(key, 0) + int(n)
    none = label("rate_none").format(to=to)
    if "base_fx_rate" in frame.columns and "currency" in frame.columns:
        # constant prices: amounts not in `to` reach it through USD at the base year's rate
        through = frame["currency"].astype("string").str.upper().ne(to).fillna(False)
        through &= source.str.lower().str.startswith("identity").fillna(False)
        if through.any():
            groups[none] = groups.get(none, 0) - int(through.sum())
            for key, n in _base_rates(frame.loc[through.to_numpy()], to, label).items():
                groups[key] = groups.get(key, 0) + n
    converted = {k: n for k, n in groups.items() if k != none and n > 0}
    if not converted:
        return none
    if len(converted) == 1:
        return next(iter(converted))
    return "; ".join(f"{k} ({label.plural('rows', n, n=n)})"
                     for k, n in sorted(converted.items(), key=lambda kv: -kv[1]))


_BASE_RATE_RE = re.compile(r"USD to [A-Z]{3} at [0-9.]+, (.*)\)\s*$")


def _base_rates(rows: pd.DataFrame, to: str, label: Label) -> dict[str, int]:
    """How rows already in USD reached ``to``: the base year's rate and its source (from the
    row's ``price_base``), with the number of rows."""
    from babel.numbers import format_decimal

    from ..plot._style import localise_source

    out: dict[str, int] = {}
    bases = rows["price_base"].astype("string").fillna("") if "price_base" in rows else None
    rates = pd.to_numeric(rows["base_fx_rate"], errors="coerce")
    for i in range(len(rows)):
        rate = rates.iloc[i]
        text = str(bases.iloc[i]) if bases is not None else ""
        m = _BASE_RATE_RE.search(text)
        where = m.group(1) if m else "?"
        if avg := _ECB_AVG_RE.match(where):
            where = localise_source(avg.group(2), label.locale) + label("list_sep") + label(
                "rate_year" if avg.group(1).lower() == "yearly" else "rate_month")
        else:
            where = localise_source(where, label.locale)
        number = format_decimal(rate, format="0.######", locale=label.locale)
        key = label("rate_base").format(to=to, rate=number, source=where)
        out[key] = out.get(key, 0) + 1
    return out


def _vintage(vintage: str, label: Label) -> str:
    """``"DAC1 published by 2024-12-02"`` in the report's language."""
    if m := _PUBLISHED_RE.match(vintage):
        return label("vintage_published").format(table=m.group(1), date=m.group(2))
    return vintage


def _method(prices: str, label: Label) -> str:
    """The deflators used, with their vintage, in the report's language."""
    from .._base._datasets import dataset_info

    if prices == "dac":
        return label("foot_dac").format(
            vintage=_vintage(str(dataset_info("dac_deflators").vintage), label)
        )
    return label("foot_cpi")


def _footnote(
    frame: pd.DataFrame,
    theme: Any,
    *,
    source: str | None,
    prices: str,
    fx: str,
    to: str,
    price_base: str,
    stage: str = "all",
    left_out: Sequence[str] = (),
) -> str:
    """A chart's footnote: source, price base with deflator vintage, the exchange rates the
    rows used, the stage, and the rows left out (how many, how much, why)."""
    from ..plot._style import Unit, join_sentences

    label = Label(theme.locale)
    lang_sep = label("list_sep")
    parts = []

    def item(key: str, text: str) -> None:
        parts.append(label("foot_item").format(label=label(key), text=text))

    if source:
        item("source", source.rstrip("."))
    prices_text = Unit.parse(price_base).prices(theme.locale) if price_base else ""
    if prices in ("dac", "cpi"):
        prices_text += label("list_sep") + _method(prices, label)
    if any(_is_extended(d) for d in _unique(frame, "deflator_source")):
        prices_text += ("; " if lang_sep == ", " else lang_sep) + label("foot_extended")
    if editions := _weo_editions(_unique(frame, "deflator_source")):
        prices_text += ("; " if lang_sep == ", " else lang_sep) + label("foot_weo").format(
            edition=", ".join(editions)
        )
    item("prices", prices_text)
    item("rates", _rates_text(frame, fx, to, label))
    if stage != "all":
        item("stage", label("foot_stage").format(stage=label(stage)))
    if left_out:
        item("left_out", "; ".join(left_out))
    return join_sentences(parts)


def _save(fig: Any, out: _Output, name: str) -> None:
    """PNG and SVG of ``fig``: the layout is computed once, then both files are drawn."""
    fig.set_facecolor("white")
    fig.set_dpi(PNG_DPI)  # text extents depend (slightly) on the dpi: measure at the PNG's
    fig.draw_without_rendering()  # constrained layout runs here, once, without rasterising
    bbox = fig.get_tightbbox().padded(0.12)
    fig.set_layout_engine("none")
    for ext, opts in (("png", {"dpi": PNG_DPI}), ("svg", {})):
        out.write(f"{name}.{ext}", partial(_savefig, fig, bbox, ext, opts))


def _savefig(fig: Any, bbox: Any, ext: str, opts: dict[str, Any], path: Path) -> None:
    fig.savefig(path, bbox_inches=bbox, format=ext, **opts)


# --- the output folder --------------------------------------------------------------------------

MANIFEST = ".aidcalc-report-files"


class _Output:
    """The output folder: files are written through a temporary file and ``os.replace``, never
    through a symbolic link; files an earlier run wrote and this one does not are removed (only
    those listed in that run's manifest)."""

    def __init__(self, out: str | Path, names: Sequence[str]) -> None:
        text = str(out)
        if not text.strip():
            raise ReportError(
                "--out is empty: name an output folder, e.g. --out aidcalc-report (the report "
                "never writes into the current folder by accident)",
                option="out",
            )
        self.dir = Path(out)
        if self.dir.exists() and not self.dir.is_dir():
            raise ReportError(f"--out {text}: is a file, not a folder; choose a folder",
                              option="out")
        links = [n for n in (*names, MANIFEST) if (self.dir / n).is_symlink()]
        if links:
            raise ReportError(
                f"--out {text}: {join_values(links)} {'is a' if len(links) == 1 else 'are'} "
                f"symbolic link{'s' if len(links) > 1 else ''}; aidcalc never writes through a "
                f"link (it could overwrite a file outside the folder): remove "
                f"{'it' if len(links) == 1 else 'them'} or choose another --out",
                option="out", links=links,
            )
        self.files: list[Path] = []
        self._previous = self._read_manifest()

    def _read_manifest(self) -> list[str]:
        path = self.dir / MANIFEST
        if not path.is_file() or path.is_symlink():
            return []
        names = path.read_text(encoding="utf-8").splitlines()
        return [n for n in names if n and Path(n).name == n and n not in (".", "..")]

    def write(self, name: str, writer: Callable[[Path], Any]) -> Path:
        """Write ``name`` with ``writer(tmp_path)``, then move it into place atomically."""
        self.dir.mkdir(parents=True, exist_ok=True)
        target = self.dir / name
        if target.is_symlink():
            raise ReportError(f"{target} is a symbolic link; aidcalc never writes through a link",
                              option="out")
        fd, tmp = tempfile.mkstemp(prefix=".aidcalc-", suffix=Path(name).suffix, dir=self.dir)
        os.close(fd)
        try:
            writer(Path(tmp))
            os.replace(tmp, target)  # replaces a link itself, never the file it points to
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
        self.files.append(target)
        return target

    def finish(self) -> list[Path]:
        """Write the manifest; remove what the previous run wrote and this one did not."""
        written = {p.name for p in self.files}
        stale = [n for n in self._previous if n not in written and n != MANIFEST]
        text = "".join(f"{p.name}\n" for p in self.files)
        self.write(MANIFEST, lambda p: p.write_text(text, encoding="utf-8"))
        self.files.pop()  # the manifest is bookkeeping, not part of the report
        removed = []
        for name in stale:
            path = self.dir / name
            if path.is_file() and not path.is_symlink():
                path.unlink()
                removed.append(path)
        return removed


def _tables(
    frame: pd.DataFrame,
    value: str,
    share: pd.DataFrame | None,
    locale: Any,
    *,
    stages: pd.DataFrame | None = None,
    cumulative: bool = True,
    dated: pd.DataFrame | None = None,
) -> dict[str, pd.DataFrame]:
    from ..plot import stage_totals
    from ..plot._style import STATUS_ORDER, donor_label, get_label

    def names(codes: pd.Series) -> pd.Series:
        return codes.map(lambda c: donor_label(c, locale))

    by_cat = frame.groupby(["donor", "category"], observed=True)[value].sum().reset_index()
    by_cat.insert(1, "donor_name", names(by_cat["donor"]))
    by_cat.insert(3, "category_name", by_cat["category"].map(lambda c: get_label(c, locale)))
    totals = by_cat.groupby("donor")[value].transform("sum")
    by_cat = by_cat.assign(_t=totals).sort_values(["_t", "donor", value], ascending=False)
    by_cat = by_cat.drop(columns="_t").reset_index(drop=True)

    timed = frame if dated is None else dated
    daily = timed.groupby(["donor", "announced"], observed=True)[value].sum().reset_index()
    daily = daily.sort_values(["donor", "announced"], kind="stable").reset_index(drop=True)
    daily["cumulative"] = daily.groupby("donor")[value].cumsum()
    daily.insert(1, "donor_name", names(daily["donor"]))

    stages = stage_totals(
        frame if stages is None else stages, value=value, cumulative=cumulative
    ).reset_index()
    stages.insert(1, "donor_name", names(stages["donor"]))
    largest = stages[list(STATUS_ORDER)].max(axis=1)  # = pledged when cumulative
    stages = stages.assign(_m=largest).sort_values("_m", ascending=False, kind="stable")
    stages = stages.drop(columns="_m").reset_index(drop=True)

    tables = {"donors_by_category": by_cat}
    if share is not None:
        shares = share.groupby("donor", observed=True)[[value, "pct_of_gdp"]].sum()
        shares["rank_by_amount"] = shares[value].rank(ascending=False, method="min").astype(int)
        shares["rank_by_share"] = shares["pct_of_gdp"].rank(ascending=False, method="min").astype(
            int
        )
        shares = shares.sort_values("pct_of_gdp", ascending=False).reset_index()
        shares.insert(1, "donor_name", names(shares["donor"]))
        tables["share_of_gdp"] = shares
    tables["timeline"] = daily
    tables["pipeline"] = stages
    return tables


class LocaleFallbackWarning(UserWarning):
    """The report's language has no translations: its words are in English."""


class ChartNotDrawnWarning(UserWarning):
    """A chart of the report could not be drawn (the page names it and says why)."""


class LeftOutWarning(UserWarning):
    """Rows of the input are not in the report's totals (the page and footnotes say which)."""


def build_report(
    data: pd.DataFrame | str | Path | None = None,
    *,
    out: str | Path = "aidcalc-report",
    to: str = "EUR",
    base_year: int = 2024,
    prices: str = "dac",
    fx: str = "spot",
    locale: LocaleLike = "en",
    group: str | None = "G7",
    stage: str | None = None,
    source: str | None = None,
    progress: bool | Callable[[str], None] | None = None,
) -> Report:
    """Write the G7 comparison report (charts, tables, ``index.html``) into ``out``.

    No money is left out silently: every input row that is not in the totals (rows the reader
    rejected, rows without a category or a lifecycle status, restatements and totals that
    repeat money, donors outside ``group``, rows that cannot be converted) is counted, summed
    and explained in every chart's footnote and on the page, in the page's language, and
    listed with its reason in ``rejected.csv``; rows one chart cannot show (undated rows on
    the timeline, donors without GDP, other stages) are said in that chart's footnote. Rows
    that an option would convert (e.g. a base year after the data's coverage) raise
    :class:`ReportError` naming the option to use instead.

    Parameters
    ----------
    data
        A pledge frame, a path to a file :func:`aidcalc.io.read_any` can read, or None for the
        embedded ``g7_ukraine_pledges`` dataset.
    out
        Output folder (created if needed; must not be empty). Files are written through a
        temporary file and replaced, never through a symbolic link; files that an earlier
        report wrote there and this one does not (listed in ``.aidcalc-report-files``) are
        removed, no other file is touched.
    to, base_year, prices, fx
        The common unit: currency, price year, ``"dac"``/``"cpi"`` deflators or ``"none"``
        (current prices), and which exchange rate (``"spot"``: the day's ECB rate). Deflator
        tables that end before a pledge's year are carried forward from their last year, and
        the page says so.
    locale
        Language of charts and tables (``"en"``, ``"de"``, ``"fr"``, ``"it"``, ``"ja"``,
        ``"uk"``; any other falls back to English with one :class:`LocaleFallbackWarning`).
    group
        Only donors of this group (``"G7"``; the EU institutions are kept with the G7, as the
        EU takes part in G7 summits); None or ``"all"`` keeps every donor.
    stage
        Which lifecycle stage the totals count: ``"pledged"``, ``"committed"``,
        ``"allocated"``, ``"disbursed"`` (only rows of that ``status``) or ``"all"`` (every
        row). None (default) never sums two measures of the same money: ``"allocated"`` for
        the Kiel tracker, whose commitment and allocation rows measure the same aid, ``"all"``
        for pledge lists whose rows are distinct money (see :func:`default_stage`). The
        pipeline chart and table always show every stage; the page and the footnotes state
        the stage.
    source
        Data source named in footnotes (default: the dataset's title and vintage, or the file).
    progress
        A progress bar by chart (:mod:`tqdm.auto`, on stderr): ``None`` (default) when
        stderr is a terminal or in Jupyter, ``True`` / ``False`` to force it. A callable is
        called with a short message at each step instead (the CLI shows them on a
        terminal). Each step is also logged (``logging.getLogger("aidcalc")``, INFO).

    Returns
    -------
    Report

    Raises
    ------
    ReportError
        Bad options, an input without a needed column (checked before anything is written),
        rows an option would convert, or no chart that can be drawn.

    Examples
    --------
    >>> import tempfile
    >>> report = build_report(out=tempfile.mkdtemp())  # doctest: +SKIP
    >>> sorted(p.name for p in report.files)[:3]  # doctest: +SKIP
    ['categories.png', 'categories.svg', 'donors.png']
    """
    import matplotlib

    if matplotlib.get_backend().lower() not in ("agg", "svg", "pdf", "cairo"):
        matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from .. import plot
    from .._base._datasets import dataset_info, load_dataset
    from .._base._export import write_csv, write_xlsx
    from .._base._progress import logger, progress_bar
    from ..plot._style import STATUS_ORDER, Theme, Unit, make_theme

    def say(message: str) -> None:
        logger.info("report: %s", message)
        if callable(progress):
            progress(message)

    to = _check_options(to, base_year, prices, fx)
    if stage is not None and str(stage).strip().lower() not in STAGES:
        raise ReportError(
            f"--stage {stage!r} is not one of {', '.join(STAGES)}", option="stage"
        )
    xlsx = importlib.util.find_spec("openpyxl") is not None
    table_names = ("donors_by_category", "share_of_gdp", "timeline", "pipeline", "rejected",
                   "pledges")
    names = [f"{c}.{e}" for c in CHARTS for e in ("png", "svg")]
    names += [f"{t}.{e}" for t in table_names for e in ("csv", "xlsx")] + ["index.html"]
    output = _Output(out, names)  # checks --out before anything is read or written
    theme: Theme = make_theme(locale)
    lang = theme.lang
    if lang not in report_languages():
        warnings.warn(
            f"locale {str(locale)!r} has no translations: the report's words are in English "
            f"(numbers and dates follow {str(locale)!r}); translated: "
            f"{', '.join(report_languages())}",
            LocaleFallbackWarning, stacklevel=2,
        )
    label = Label(theme.locale)
    notes: list[str] = []

    say("reading the data")
    read_rejected: pd.DataFrame | None = None
    if data is None:
        info = dataset_info(DATASET)
        frame = load_dataset(DATASET)
        title = label(f"dataset_{DATASET}") if lang != "en" else info.title
        source = source or label("source_vintage").format(title=title, vintage=info.vintage)
        input_name = label("input_embedded").format(name=DATASET)
        cli_name = DATASET
    elif isinstance(data, pd.DataFrame):
        frame = data
        input_name = label("input_frame")
        cli_name = "the table"
    else:
        frame, read_rejected = _read_input(data)
        input_name = cli_name = str(data)
        source = source or Path(data).name
        if read_rejected is not None:
            notes.append(label("note_rejected_read").format(input=input_name,
                                                            n=len(read_rejected)))
    _check_schema(frame, cli_name)
    stage = default_stage(frame) if stage is None else str(stage).strip().lower()
    cumulative = not _stages_are_measures(frame)  # Kiel: each measure on its own
    notes.append(label("note_input").format(input=input_name, n=len(frame)))
    if _measure_source(frame) == "kiel" and frame["donor"].eq("EIB").any():
        # Kiel's country summary counts the EIB under the EU institutions (datasets/donor_merges)
        frame = frame.assign(donor=apply_merges(frame["donor"], "kiel"))
        notes.append(label("note_merge_kiel"))

    say(f"converting to {to}" + (f" at {base_year} prices" if prices != "none" else ""))
    value = _value_column(to, base_year, prices)
    result = _convert(frame, to, base_year, prices, fx)
    ledger = _Ledger(value, Unit(to, None if prices == "none" else base_year), label)
    if read_rejected is not None:
        reason = read_rejected.get("reason", "could not be read")
        ledger.add("read", read_rejected.drop(columns="reason", errors="ignore"), reason)
    keep = np.ones(len(result), dtype=bool)

    def leave(mask: Any, key: str, detail: Any, **fields: str) -> None:
        nonlocal keep
        where = np.asarray(mask, dtype=bool) & keep
        if where.any():
            rows = result.loc[where].drop(columns="error")
            ledger.add(key, rows, detail[where] if isinstance(detail, pd.Series) else detail,
                       **fields)
            keep &= ~where

    donor = result["donor"].astype("string").str.strip()
    leave(donor.isna() | donor.eq(""), "no_donor", "no donor")
    category = result["category"].astype("string").str.strip()
    leave(category.isna() | category.eq(""), "no_category",
          "no category: use one of energy, demining, reconstruction, humanitarian, "
          "budget_support, military, other")
    status = result["status"].astype("string").str.strip().str.lower()
    bad = ~status.isin(list(STATUS_ORDER)).fillna(False).astype(bool)
    leave(bad, "bad_status", "status " + status.fillna("(empty)").astype(str)
          + " is not one of " + ", ".join(STATUS_ORDER))
    if "kind" in result.columns:
        kinds = result["kind"].astype("string").str.strip().str.lower()
        is_pledge = kinds.eq("pledge").fillna(False).astype(bool).to_numpy()
        left = kinds[keep & ~is_pledge].value_counts()
        if len(left):
            what = label("list_sep").join(
                label("kind_count").format(kind=label(f"kind_{k}"), n=n) for k, n in left.items()
            )
            notes.append(label("note_pledges_only").format(
                kept=int((keep & is_pledge).sum()), other=int(left.sum()), what=what))
        leave(~is_pledge, "kind", "kind " + kinds.fillna("(empty)").astype(str)
              + ": repeats money already counted (only individual pledges are summed)")
    if group and str(group).lower() != "all":
        members = list(plot._style.resolve_members(group) or [])
        if "EUI" not in members and "EUU" not in members:
            members += ["EUI", "EUU"]
        inside = donor.isin(members).fillna(False).astype(bool).to_numpy()
        if not (inside & keep).any():
            present = sorted(donor[keep].dropna().unique().tolist())
            raise ReportError(
                f"--group {group}: none of {cli_name}'s donors is a member (donors: "
                f"{join_values(present[:20])}); use --group all to keep every donor",
                option="group",
            )
        leave(~inside, "group", f"donor not in the {group} (--group all keeps it)",
              group=str(group))
        notes.append(label("note_group").format(group=group))
    if not keep.any():
        en = Label(resolve_locale("en"))
        why = "; ".join(entry_text(e, value, Unit(to), en, resolve_locale("en"))
                        for e in ledger.entries)
        raise ReportError(f"{cli_name} has no pledges to report: every row is left out ({why}); "
                          "each needs a donor, a category, a lifecycle status and kind pledge",
                          input=cli_name)
    _at_stage(result.loc[keep], stage, cli_name, notes, label)  # checked before going on

    failed = result[value].isna().to_numpy() & keep
    if failed.any():
        fix = _fixable(frame.loc[failed], to, base_year, prices, fx)
        errors = result["error"].astype("string")
        example = errors[failed].dropna().iloc[0] if errors[failed].notna().any() else "?"
        if fix is not None and fix[0].startswith("--base-year"):
            option, n_fixed = fix
            amount = _money(result.loc[failed], value, ledger.unit, Label(resolve_locale("en")),
                            Label(resolve_locale("en")))
            raise ReportError(
                f"--base-year {base_year} is after what the rates and deflators cover: "
                f"{int(failed.sum())} row{'s' if failed.sum() != 1 else ''} of {cli_name} "
                f"({amount}) cannot be expressed in {base_year} {to} (e.g. {example})"
                f"; with {option} {n_fixed} of them can: use {option} (or --prices none), so "
                f"that no money is left out",
                option="base_year", fix=option,
            )
        if failed[keep].all():
            hint = f"; use {fix[0]}" if fix else ""
            raise ReportError(f"no row of {cli_name} could be converted to {to}: {example}{hint}",
                              reason=str(example))
        if fix is not None:  # another --fx converts them: said with each row and in the warning
            errors = errors.where(~failed, errors + f" ({fix[0]} converts it)")
        kinds_of = _classify(errors, result["amount"])
        errors = errors.where(errors.notna(), kinds_of.map(
            {"no_amount": "no amount (empty or not a number)"}).fillna("could not be converted"))
        for key in ("no_amount", "no_date", "no_rate", "no_deflator", "convert"):
            leave(failed & kinds_of.eq(key).to_numpy(), key, errors)
    everything = result.loc[keep].drop(columns="error")
    bases = _unique(everything, "price_base")
    units = {Unit.parse(b) for b in bases}
    converted_to = set(_unique(everything, "fx_to")) or {to}
    if len(units) != 1 or next(iter(units)).currency not in converted_to or converted_to != {to}:
        raise ReportError(
            f"the converted rows do not agree on their unit (price_base {join_values(bases)}, "
            f"fx_to {join_values(sorted(converted_to))}, asked for {to}): this is a bug in "
            f"aidcalc's conversion; please report it", bases=bases,
        )
    unit = next(iter(units))
    ledger.unit = unit
    notes.extend(_price_note(everything, unit.currency, unit.year or base_year, prices, fx,
                             label))  # the unit the rows name, not the options
    left_out_texts = ledger.texts(theme.locale)
    left_note = (label("note_report_left_out").format(what="; ".join(left_out_texts))
                 if ledger.entries else label("note_nothing_left_out"))
    notes.append(left_note)
    if ledger.entries:
        lost = sum(len(e.rows) for e in ledger.entries if e.key not in ("kind", "group"))
        if lost:
            warnings.warn(
                f"{cli_name}: left out of the report: "
                + "; ".join(entry_text(e, value, unit, Label(resolve_locale("en")),
                                       resolve_locale("en"))
                            for e in ledger.entries if e.key not in ("kind", "group"))
                + " (each row with its reason in rejected.csv)",
                LeftOutWarning, stacklevel=2,
            )
    if "status" in everything.columns:
        stages_ = everything["status"].astype("string").str.strip().str.lower()
        nonzero = everything[value].abs().gt(0).groupby(stages_.to_numpy()).any()
        for empty in nonzero.index[~nonzero.to_numpy()]:
            hint = "choose another --stage" if empty == stage else "the pipeline shows 0 there"
            warnings.warn(
                f"the {empty} rows of {cli_name} sum to 0 {to}: the file carries no amounts "
                f"at that stage (the processed Kiel CSV keeps commitments at 0 EUR); {hint}",
                stacklevel=2,
            )
    normalised = everything
    per_chart: dict[str, list[str]] = {c: [] for c in CHARTS}
    row_notes = pd.Series("", index=everything.index, dtype=object)

    def mark(index: pd.Index, text: str | pd.Series) -> None:
        """Say in pledges.csv (column ``left_out_of``) which chart leaves a row out, and why."""
        row_notes.loc[index] = (row_notes.loc[index] + "; ").where(
            row_notes.loc[index] != "", "") + text

    if stage != "all":
        at_stage = everything["status"].astype("string").str.strip().str.lower().eq(stage)
        at = at_stage.fillna(False).astype(bool).to_numpy()
        normalised = everything.loc[at]
        if normalised.empty:
            raise ReportError(
                f"no {stage} row of {cli_name} could be converted to {to}", option="stage"
            )
        if (~at).any():
            mark(everything.index[~at], f"not in the {stage} totals (status "
                 f"{'/'.join(_unique(everything.loc[~at], 'status'))}): pipeline chart only")
            text = entry_text(_Entry("stage", everything.loc[~at]), value, unit, label,
                              theme.locale)
            for chart in CHARTS:
                if chart != "pipeline":
                    per_chart[chart].append(text)
    bases_text = unit.describe(theme.locale)
    notes.append(label("note_price_base").format(unit=bases_text))

    dated_mask = pd.to_datetime(normalised["announced"], errors="coerce").notna().to_numpy()
    dated = normalised.loc[dated_mask]
    if (~dated_mask).any():
        mark(normalised.index[~dated_mask], "timeline: no date to place it in time")
        per_chart["timeline"].append(entry_text(
            _Entry("undated_timeline", normalised.loc[~dated_mask]), value, unit, label,
            theme.locale))

    say("computing shares of GDP")
    shared: pd.DataFrame | None = None
    share_note = ""
    not_drawn: dict[str, str] = {}
    try:
        share_all, share_note, _year = _share(normalised, base_year, label)
        ok = share_all["pct_of_gdp"].notna().to_numpy()
        missing_gdp = normalised.loc[~ok]
        if (~ok).any():
            mark(missing_gdp.index, "share_of_gdp: " + share_all.loc[~ok, "error"].fillna(
                "no GDP for the donor").astype(str))
            per_chart["share_of_gdp"].append(entry_text(
                _Entry("no_gdp", missing_gdp), value, unit, label, theme.locale))
        if ok.any():
            shared = share_all.loc[ok].drop(columns="error")
            notes.append(share_note)
        else:
            not_drawn["share_of_gdp"] = label("not_drawn_no_rows").format(
                what=per_chart["share_of_gdp"][-1])
    except AidcalcError as err:
        notes.append(label("note_share_failed").format(error=err))
        not_drawn["share_of_gdp"] = label("not_drawn_error").format(error=err)
    if dated.empty:
        not_drawn["timeline"] = label("not_drawn_no_rows").format(
            what=per_chart["timeline"][-1])

    report = Report(out=output.dir, value=value, price_base=unit.code, notes=notes, stage=stage)
    global_left = left_out_texts

    def foot(chart: str, frame_: pd.DataFrame, stage_: str) -> str:
        return _footnote(frame_, theme, source=source, prices=prices, fx=fx, to=to,
                         price_base=unit.code, stage=stage_,
                         left_out=[*global_left, *per_chart[chart]])

    footnotes = {c: foot(c, everything if c == "pipeline" else normalised,
                         "all" if c == "pipeline" else stage) for c in CHARTS}
    if shared is not None:
        footnotes["share_of_gdp"] = f"{footnotes['share_of_gdp']} {share_note}".strip()
    report.footnote = _footnote(normalised, theme, source=source, prices=prices, fx=fx, to=to,
                                price_base=unit.code, stage=stage, left_out=global_left)
    report.footnotes = footnotes
    if data is None:  # the embedded dataset: say how complete each donor's rows are
        from ._coverage import coverage_html

        report.coverage = coverage_html(theme.locale)
    common = {"value": value, "locale": theme.locale, "unit": unit.code}
    events = _event_labels(dated, "announced", lang) if not dated.empty else None
    drawers: dict[str, Callable[[], Any]] = {
        "donors": lambda: plot.donors(normalised, **common, footnote=footnotes["donors"],
                                      highlight=None),
        "share_of_gdp": lambda: plot.share_of_gdp(
            cast(pd.DataFrame, shared), **common, footnote=footnotes["share_of_gdp"]),
        "timeline": lambda: plot.timeline(dated, **common, footnote=footnotes["timeline"],
                                          events=events),
        "pipeline": lambda: plot.pipeline(everything, **common, footnote=footnotes["pipeline"],
                                          cumulative=cumulative),
        "categories": lambda: plot.categories(normalised, **common,
                                              footnote=footnotes["categories"])[0],
    }
    figures: dict[str, Any] = {}
    bar = progress_bar(
        total=sum(1 for c in CHARTS if c not in not_drawn),
        desc="aidcalc report: charts",
        unit="chart",
        progress=False if callable(progress) else progress,
    )
    try:
        for name in CHARTS:
            if name in not_drawn:
                continue
            say(f"drawing {name}")
            try:
                figures[name] = drawers[name]().figure
            except AidcalcError as err:
                not_drawn[name] = label("not_drawn_error").format(error=err)
            bar.update(1)
    finally:
        bar.close()
    for name, why in not_drawn.items():
        warnings.warn(
            f"the {name} chart is not drawn: {why}" if lang == "en" else
            f"the {name} chart is not drawn ({why})", ChartNotDrawnWarning, stacklevel=2)
    if not figures:
        raise ReportError(
            "no chart could be drawn: " + "; ".join(f"{k}: {v}" for k, v in not_drawn.items()),
            not_drawn=not_drawn,
        )
    report.not_drawn = not_drawn
    report.left_out = ledger.frame()
    report.left_out_note = left_note
    report.chart_left_out = {c: v for c, v in per_chart.items() if v}

    charts = [c for c in CHARTS if c in figures]
    for name in charts:
        _save(figures[name], output, name)
        plt.close(figures[name])

    say("writing tables")
    report.tables = _tables(
        normalised, value, shared, theme.locale, stages=everything, cumulative=cumulative,
        dated=dated,
    )
    report.tables["rejected"] = report.left_out
    report.tables["pledges"] = everything.assign(
        left_out_of=row_notes.where(row_notes != "", None).astype(object))
    for name, table in report.tables.items():
        output.write(f"{name}.csv", partial(_write_csv_to, write_csv, table))
        if xlsx:
            output.write(f"{name}.xlsx", partial(_write_xlsx_to, write_xlsx, table, name))

    say("writing index.html")
    page = _html(report, charts, everything, theme, source=source,
                 label=get_label, cumulative=cumulative,
                 files={p.name for p in output.files})
    output.write("index.html", lambda p: p.write_text(page, encoding="utf-8"))
    report.removed = output.finish()
    report.files = list(output.files)
    return report


def _write_csv_to(write: Callable[..., Path], table: pd.DataFrame, path: Path) -> None:
    write(table, path)


def _write_xlsx_to(
    write: Callable[..., Path], table: pd.DataFrame, name: str, path: Path
) -> None:
    write(_for_excel(table), path, sheet=name)


def _for_excel(frame: pd.DataFrame) -> pd.DataFrame:
    """Excel cannot store time zones or categoricals of mixed objects: plain columns."""
    out = frame.copy()
    for col in out.columns:
        if isinstance(out[col].dtype, pd.CategoricalDtype):
            out[col] = out[col].astype(object)
    return out


# --- the HTML page -------------------------------------------------------------------------------

_CSS = """
body{font-family:"DejaVu Sans","Noto Sans","Noto Sans CJK JP",sans-serif;margin:2rem auto;
max-width:1100px;padding:0 1rem;color:#222;line-height:1.45}
h1{font-size:1.6rem}h2{margin-top:2.2rem;border-bottom:1px solid #ccc}
figure{margin:1.5rem 0}figure img{max-width:100%;height:auto;border:1px solid #eee}
figcaption{font-size:.85rem;color:#555}
table{border-collapse:collapse;font-size:.85rem;margin:.8rem 0}
th,td{border:1px solid #ddd;padding:.25rem .5rem}td.num{text-align:right}
th{background:#f3f3f3}.note{color:#555;font-size:.9rem}
"""


def _sentence(text: str, loc: Any) -> str:
    """``text`` ended with the language's full stop."""
    return text + ("。" if loc.language in ("ja", "zh") else ".")


def _esc(value: Any) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def _link(url: Any, text: Any) -> str:
    href = str(url or "")
    if href.startswith(("https://", "http://")):
        return f'<a href="{_esc(href)}">{_esc(text or href)}</a>'
    return _esc(text or href)


def _column_title(column: str, value: str, unit_text: str, loc: Any) -> str:
    """A column's heading in the page's language (the CSV keeps the identifier)."""
    from ..plot._style import STATUS_ORDER

    if column == value and unit_text:
        return unit_text
    if column in STATUS_ORDER:
        return get_label(column, loc)
    if has_label(f"col_{column}"):
        return get_label(f"col_{column}", loc)
    return column


def _table_html(
    frame: pd.DataFrame,
    fmt: Callable[[float], str],
    value: str,
    *,
    loc: Any = None,
    unit_text: str = "",
) -> str:
    rows = []
    head = "".join(
        f'<th title="{_esc(c)}">{_esc(_column_title(str(c), value, unit_text, loc))}</th>'
        if loc is not None else f"<th>{_esc(c)}</th>"
        for c in frame.columns
    )
    money = {value, "cumulative", "pledged", "committed", "allocated", "disbursed"}
    for record in frame.itertuples(index=False):
        cells = []
        for col, cell in zip(frame.columns, record, strict=True):
            if col in money and isinstance(cell, (int, float)):
                cells.append(f'<td class="num">{_esc(fmt(float(cell)))}</td>')
            elif isinstance(cell, float):
                cells.append(f'<td class="num">{cell:.4g}</td>')
            elif isinstance(cell, pd.Timestamp):
                cells.append(f"<td>{cell.date().isoformat()}</td>")
            else:
                cells.append(f"<td>{_esc(cell)}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def _html(
    report: Report,
    charts: Sequence[str],
    frame: pd.DataFrame,
    theme: Any,
    *,
    source: str | None,
    label: Callable[[str, Any], str],
    cumulative: bool = True,
    files: set[str] | None = None,
) -> str:
    from .._base._datasets import datasets
    from ..plot._style import STATUS_ORDER, Unit, amount_formatter, join_sentences

    loc = theme.locale
    unit = Unit.parse(report.price_base) if report.price_base else None
    fmt = amount_formatter(unit, loc) if unit else (lambda x: f"{x:,.0f}")
    unit_text = unit.describe(loc) if unit else ""
    intro = _sentence(unit_text, loc) if unit else ""
    parts = [
        "<!DOCTYPE html>",
        f'<html lang="{_esc(loc.language)}"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_esc(label('report_title', loc))}</title><style>{_CSS}</style></head><body>",
        f"<h1>{_esc(label('report_title', loc))}</h1>",
        f'<p class="note">{_esc(join_sentences([intro, source or ""]))}</p>',
        f"<h2>{_esc(label('charts', loc))}</h2>",
    ]
    for name in CHARTS:
        title = label(f"title_{name}", loc)
        extra = report.chart_left_out.get(name, [])
        more = (" " + _esc(label("note_chart_left_out", loc).format(
            chart=title, what="; ".join(extra)))) if extra else ""
        if name not in charts:
            why = report.not_drawn.get(name, "")
            parts.append(
                f'<figure id="{name}" class="not-drawn"><figcaption>{_esc(title)}: '
                f'{_esc(_sentence(label("not_drawn", loc).format(reason=why), loc))}'
                f"{more}</figcaption></figure>"
            )
            continue
        png = report.out / f"{name}.png"
        data = base64.b64encode(png.read_bytes()).decode("ascii")
        parts.append(
            f'<figure id="{name}"><img src="data:image/png;base64,{data}" alt="{_esc(title)}"'
            f' data-file="{name}.png"><figcaption>{_esc(title)}: '
            f'<a href="{name}.png">PNG</a> · <a href="{name}.svg">SVG</a>{more}</figcaption>'
            "</figure>"
        )
    parts.append(f"<h2>{_esc(label('tables', loc))}</h2>")
    for name, table in report.tables.items():
        links = f'<a href="{name}.csv">CSV</a>'
        if f"{name}.xlsx" in (files if files is not None else set()):
            links += f' · <a href="{name}.xlsx">XLSX</a>'
        parts.append(f"<h3>{_esc(label(f'table_{name}', loc))} ({links})</h3>")
        chart = "donors" if name == "donors_by_category" else name
        if chart_extra := report.chart_left_out.get(chart):
            said = label("note_chart_left_out", loc).format(
                chart=label(f"table_{name}", loc), what="; ".join(chart_extra))
            parts.append(f'<p class="note">{_esc(said)}</p>')
        if name == "rejected":  # the rows are in rejected.csv; the page says how many and why
            parts.append(f'<p class="note" id="left-out">{_esc(report.left_out_note)}</p>')
        elif name == "pledges":
            cols = [c for c in ("pledge_id", "donor", "announced", "amount_text", "category",
                                "status", report.value, "fx_rate", "deflator") if c in table]
            shown = table[cols].copy()
            for col in ("category", "status"):  # codes shown in words (the CSV keeps codes)
                if col in shown:
                    shown[col] = shown[col].map(lambda c: label(str(c), loc) if pd.notna(c) else c)
            parts.append(_table_html(shown, fmt, report.value, loc=loc, unit_text=unit_text))
        else:
            parts.append(_table_html(table, fmt, report.value, loc=loc, unit_text=unit_text))
    parts.append(f"<h2>{_esc(label('method', loc))}</h2><ul>")
    parts.extend(f"<li>{_esc(n)}</li>" for n in report.notes)
    sep = " < " if cumulative else label("list_sep", loc)  # measures have no order
    stages = sep.join(label(s, loc) for s in STATUS_ORDER)
    key = "note_pipeline_stages" if cumulative else "note_pipeline_measures"
    parts.append(f"<li>{_esc(label(key, loc).format(stages=stages))}</li></ul>")
    parts.append(report.coverage)  # empty unless the input is the embedded dataset
    listing = datasets()
    head = "".join(
        f"<th>{_esc(label(f'col_{c}', loc))}</th>"
        for c in ("dataset", "publisher", "vintage", "licence")
    )
    parts.append(f"<h3>{_esc(label('datasets_used', loc))}</h3>")
    parts.append(f"<table><thead><tr>{head}</tr></thead><tbody>")
    for row in listing.itertuples(index=False):
        parts.append(
            f"<tr><td>{_link(row.source_url, row.title)}</td><td>{_esc(row.publisher)}</td>"
            f"<td>{_esc(_vintage(str(row.vintage), Label(loc)))}</td>"
            f"<td>{_esc(row.licence)}</td></tr>"
        )
    parts.append("</tbody></table>")
    parts.append(f"<h2>{_esc(label('sources', loc))}</h2><ol>")
    if "source_url" in frame.columns:
        cols = [c for c in ("source_title", "source_url", "source_date") if c in frame.columns]
        seen = frame[cols].drop_duplicates()
        for row in seen.itertuples(index=False):
            rec = dict(zip(cols, row, strict=True))
            date = rec.get("source_date")
            parts.append(
                f"<li>{_link(rec.get('source_url'), rec.get('source_title'))}"
                f"{' (' + _esc(date) + ')' if isinstance(date, str) and date else ''}</li>"
            )
    parts.append("</ol></body></html>")
    return "\n".join(parts)
