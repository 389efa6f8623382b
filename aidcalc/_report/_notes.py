"""The report's method notes and footnotes: the provenance columns of the converted rows (rate
sources, deflators and their vintage, rates of the base year) said in the report's language."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import pandas as pd

from .._base._labels import Labels
from ..plot._style import Unit, join_sentences, localise_source
from ._options import unique as _unique

__all__ = ["footnote", "price_notes", "vintage_text"]

_PUBLISHED_RE = re.compile(r"^(.*?)\s*published by (\d{4}-\d{2}-\d{2})$")
_WEO_RE = re.compile(r"IMF WEO \w+ \d{4}")


def _weo_editions(deflators: list[str]) -> list[str]:
    """The IMF WEO editions that extended deflators beyond the last published year."""
    return sorted({m.group(0) for d in deflators for m in _WEO_RE.finditer(d)})

def price_notes(
    result: pd.DataFrame, to: str, base_year: int, prices: str, fx: str, label: Labels
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


def _fx_sources(frame: pd.DataFrame, locale: Any) -> str:
    sources = [f for f in _unique(frame, "fx_source") if not f.lower().startswith("identity")]
    return "; ".join(localise_source(f, locale) for f in sources) or localise_source(
        "ECB euro reference rates", locale
    )


_DAC_FX_RE = re.compile(r"^OECD DAC annual average\b", re.I)
_ECB_AVG_RE = re.compile(r"^(yearly|monthly) average of daily rates, (.*?)(?: \((?:annual|"
                         r"monthly) mean [0-9-]+\))?$", re.I)


def _rates_text(frame: pd.DataFrame, fx: str, to: str, label: Labels) -> str:
    """The exchange rates the rows actually used, from their ``fx_source``: each source with
    its method, and how many rows used it when there are several."""
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
            key = label("rate_dac") + (f" ({vintage_text(vintage, label)})" if vintage else "")
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


def _base_rates(rows: pd.DataFrame, to: str, label: Labels) -> dict[str, int]:
    """How rows already in USD reached ``to``: the base year's rate and its source (from the
    row's ``price_base``), with the number of rows."""
    from babel.numbers import format_decimal

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


def vintage_text(vintage: str, label: Labels) -> str:
    """``"DAC1 published by 2024-12-02"`` in the report's language."""
    if m := _PUBLISHED_RE.match(vintage):
        return label("vintage_published").format(table=m.group(1), date=m.group(2))
    return vintage


def _method(prices: str, label: Labels) -> str:
    """The deflators used, with their vintage, in the report's language."""
    from .._base._datasets import dataset_info

    if prices == "dac":
        return label("foot_dac").format(
            vintage=vintage_text(str(dataset_info("dac_deflators").vintage), label)
        )
    return label("foot_cpi")


def footnote(
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
    label = Labels(theme.locale)
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


