"""The report's method notes and footnotes: the provenance columns of the converted rows (rate
sources, deflators and their vintage, rates of the base year) said in the report's language."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

from .._base._frame_checks import to_numbers
from .._base._labels import Labels
from .._base._provenance import as_vintage, deflator_facts, rate_facts, render
from ..plot._style import Unit, join_sentences, localise_source
from ._options import AUTO_FX
from ._options import unique as _unique

__all__ = ["footnote", "price_notes", "vintage_text"]


def _weo_editions(deflators: list[str]) -> list[str]:
    """The IMF WEO editions that extended deflators beyond the last published year."""
    return sorted({e for d in deflators for e in deflator_facts(d).weo})


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
    return deflator_facts(deflator_source).extended


def _policy(fx: str) -> str:
    """The rate a source without an averaging phrase stands for: the day's, unless ``fx``
    names another (``"auto"``: a row's own averaging is in its ``fx_source``)."""
    return "spot" if fx in ("spot", AUTO_FX) else fx


def _fx_sources(frame: pd.DataFrame, locale: Any) -> str:
    sources = [f for f in _unique(frame, "fx_source") if not f.lower().startswith("identity")]
    return "; ".join(localise_source(f, locale) for f in sources) or localise_source(
        "ECB euro reference rates", locale
    )


def _rates_text(frame: pd.DataFrame, fx: str, to: str, label: Labels) -> str:
    """The exchange rates the rows actually used, from their ``fx_source``: each source with
    its method, and how many rows used it when there are several."""
    loc = label.locale
    sep = label("list_sep")
    if "fx_source" not in frame.columns or frame.empty:
        return _fx_sources(frame, loc) + sep + label(f"rate_{_policy(fx)}")
    source = frame["fx_source"].astype("string").fillna("")
    groups: dict[str, int] = {}
    for text, n in source.value_counts(sort=False).items():
        key = _rate_key(str(text), fx, to, label)
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


def _rate_key(text: str, fx: str, to: str, label: Labels) -> str:
    """One rate's source and method in the report's language, from its fields."""
    facts = rate_facts(text)
    if facts.policy in ("identity", "none"):
        return label("rate_none").format(to=to)
    if facts.policy == "dac":
        return label("rate_dac") + (
            f" ({render(facts.vintage, label.locale, label=label)})" if facts.vintage else ""
        )
    if facts.policy == "implied":
        return label("rate_implied")
    if facts.policy in ("month", "year"):
        return localise_source(facts.source, label.locale) + label("list_sep") + label(
            f"rate_{facts.policy}"
        )
    method = label(f"rate_{_policy(fx)}")
    return localise_source(text, label.locale) + label("list_sep") + method


def _base_rates(rows: pd.DataFrame, to: str, label: Labels) -> dict[str, int]:
    """How rows already in USD reached ``to``: the base year's rate and its source (from the
    row's ``base_fx_source``), with the number of rows."""
    from babel.numbers import format_decimal

    out: dict[str, int] = {}
    bases = (
        rows["base_fx_source"].astype("string").fillna("") if "base_fx_source" in rows else None
    )
    rates = to_numbers(rows["base_fx_rate"])
    for i in range(len(rows)):
        rate = rates.iloc[i]
        facts = rate_facts(str(bases.iloc[i]) if bases is not None else "?")
        where = localise_source(facts.source, label.locale)
        if facts.policy == "implied":
            where = label("rate_implied")
        elif facts.policy in ("month", "year"):
            where += label("list_sep") + label(f"rate_{facts.policy}")
        number = format_decimal(rate, format="0.######", locale=label.locale)
        key = label("rate_base").format(to=to, rate=number, source=where)
        out[key] = out.get(key, 0) + 1
    return out


def vintage_text(vintage: str, label: Labels) -> str:
    """``"DAC1 published by 2024-12-02"`` in the report's language."""
    return render(as_vintage(vintage), label.locale, label=label)


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


