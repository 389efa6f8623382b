"""Provenance as data: the facts behind a converted amount, as typed fields, rendered late.

``normalise`` and ``convert`` describe every factor they use (the price base, each deflator,
each exchange rate). They build the facts here as fields (:class:`PriceBase`,
:class:`DeflatorFacts`, :class:`RateFacts`, :class:`Vintage`) and write the text columns users
see (``price_base``, ``deflator_source``, ``fx_source``, ``base_fx_source``) with
:func:`render`. Charts and the report read the fields back with :func:`price_base`,
:func:`deflator_facts`, :func:`rate_facts` and :func:`column_unit`, and render them in their
language with :func:`render` and a label catalogue: they never parse provenance text
themselves (imitating pint's formatters: structured units, formatted at the edge).

A text rendered here is remembered with its fields, so reading it back gives exactly the
fields it was written from. Text written by an older aidcalc or read from a file is understood
by the readers below (this module is the only place that reads provenance text).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from typing import Literal

from ._columns import AMOUNT, FX_RATE, FX_TO
from ._errors import join_values

__all__ = [
    "DeflatorFacts",
    "PriceBase",
    "RateFacts",
    "Vintage",
    "as_vintage",
    "column_unit",
    "deflator_facts",
    "is_converted",
    "price_base",
    "rate_facts",
    "render",
    "vintage",
]

#: a label catalogue in one locale: key -> template (``plot`` and the report pass theirs)
Label = Callable[[str], str]
Policy = Literal["spot", "month", "year", "dac", "implied", "identity", "none"]


@dataclass(frozen=True)
class Vintage:
    """Which edition of a table: ``Vintage("DAC1", "2024-12-02")`` is "DAC1 published by
    2024-12-02"; ``published=False`` a copy "as cached" that day; ``date=""``: only a name."""

    table: str
    date: str = ""
    published: bool = True


@dataclass(frozen=True)
class RateFacts:
    """One exchange rate's provenance: the averaging ``policy`` (``"spot"`` a day's fixing,
    ``"month"``/``"year"`` means of daily rates, ``"dac"`` the OECD DAC annual average,
    ``"implied"`` the IMF WEO's implied rate, ``"identity"`` no conversion, ``None`` not
    said), the publisher ``source``, the ``year`` of an annual rate, the table's ``vintage``
    and whether an earlier year's rate stands in (``carried_from``, ``extend="last"``) for
    the base year ``base_year``."""

    policy: Policy | None
    source: str
    year: int | None = None
    vintage: Vintage | None = None
    carried_from: int | None = None
    base_year: int | None = None


@dataclass(frozen=True)
class DeflatorFacts:
    """One deflator's provenance: ``method`` (``"dac"``, ``"cpi"``, ``"none"`` for current
    prices, ``"other"``), the series (``series``: "OECD DAC deflator of JPN"), the row's
    ``year`` rebased to ``base_year``, the table's ``vintage``, years chain-linked from
    inflation rates (``derived``), a factor carried forward with ``extend="last"``
    (``year_used``/``base_used`` differ from the years asked), and the IMF WEO extension
    notes and editions (``extensions``, ``weo``)."""

    method: Literal["dac", "cpi", "none", "other"]
    series: str = ""
    year: int | None = None
    base_year: int | None = None
    vintage: Vintage | None = None
    derived: tuple[int, ...] = ()
    year_used: int | None = None
    base_used: int | None = None
    extensions: tuple[str, ...] = ()
    weo: tuple[str, ...] = ()
    carried: bool = False  # said by a text whose years are not known

    @property
    def extended(self) -> bool:
        """A factor carried forward beyond the published years (``extend="last"``)."""
        return self.carried or (self.year_used is not None and self.year_used != self.year) or (
            self.base_used is not None and self.base_used != self.base_year
        )


@dataclass(frozen=True)
class PriceBase:
    """What the amounts are: ``currency`` at constant ``year`` prices (``None``: current
    prices), deflated by ``method`` (``"dac"``, ``"cpi"``) from ``source`` (the DAC
    vintage, or "CPI of EMU, World Bank WDI FP.CPI.TOTL"), with the IMF WEO editions used
    after the last published year (``weo``)."""

    currency: str
    year: int | None = None
    method: Literal["dac", "cpi"] | None = None
    source: str = ""
    weo: tuple[str, ...] = ()

    @property
    def code(self) -> str:
        """``"constant 2024 EUR"`` or ``"current USD"``."""
        return f"current {self.currency}" if self.year is None else (
            f"constant {self.year} {self.currency}"
        )


Facts = Vintage | RateFacts | DeflatorFacts | PriceBase
_RENDERED: dict[str, Facts] = {}  # English text rendered here -> its fields
_RENDERED_MAX = 100_000


def render(facts: Facts, locale: object = "en", *, label: Label | None = None) -> str:
    """The facts in words: the English text of the provenance columns, or, with ``label``
    (a catalogue in ``locale``: key -> template), the phrase a chart or the report shows.

    Examples
    --------
    >>> render(Vintage("DAC1", "2024-12-02"))
    'DAC1 published by 2024-12-02'
    >>> render(PriceBase("EUR", 2024, "dac", "DAC1 as cached 2025-02-20"))
    'constant 2024 EUR (OECD DAC deflators, DAC1 as cached 2025-02-20)'
    >>> render(RateFacts("year", "ECB euro reference rates (x)", 2024))
    'ECB euro reference rates (x), calendar-year mean of daily rates 2024'
    >>> render(Vintage("DAC1", "2024-12-02"), "de",
    ...        label={"vintage_published": "{table}, veröffentlicht bis {date}"}.get)
    'DAC1, veröffentlicht bis 2024-12-02'
    """
    if label is not None:
        return _localised(facts, label)
    text = _RENDER[type(facts)](facts)
    if len(_RENDERED) > _RENDERED_MAX:
        _RENDERED.clear()
    _RENDERED.setdefault(text, facts)
    return text


def _vintage_text(v: Vintage) -> str:
    if not v.date:
        return v.table
    return f"{v.table} {'published by' if v.published else 'as cached'} {v.date}"


def _rate_text(r: RateFacts) -> str:
    text = r.source
    if r.policy == "dac":
        vintage = f" ({_vintage_text(r.vintage)})" if r.vintage is not None else ""
        text = f"OECD DAC annual average {r.year}{vintage}"
    elif r.policy == "year" and r.year is not None:  # one year's mean, as normalise takes it
        text = f"{text}, calendar-year mean of daily rates {r.year}"
    elif r.policy in ("month", "year"):  # each row's own month or year (convert)
        text = f"{r.policy}ly average of daily rates, {text}"
    if r.carried_from is not None:
        text = (
            f"{text}; base {r.base_year} beyond coverage: the {r.carried_from} rate carried "
            "forward (extend='last')"
        )
    return text


def _deflator_text(d: DeflatorFacts) -> str:
    if d.method == "none":
        return "none (current prices)"
    text = f"{d.series}, {d.year} rebased to {d.base_year}=100"
    if d.vintage is not None:
        text += f" ({_vintage_text(d.vintage)})"
    if d.derived:
        text += f" (derived: chain-linked from FP.CPI.TOTL.ZG for {join_values(d.derived)})"
    what = "index" if d.method == "cpi" else "factor"
    if d.year_used is not None and d.year_used != d.year:
        text += f"; {d.year} beyond coverage: {d.year_used} {what} carried forward (extend='last')"
    if d.base_used is not None and d.base_used != d.base_year:
        text += f"; base {d.base_year} beyond coverage: {d.base_used} used (extend='last')"
    return text + "".join(f"; {e}" for e in d.extensions)


def _price_text(p: PriceBase) -> str:
    if p.year is None or p.method is None:
        return p.code
    weo = (
        f"; after the last OECD year: {', '.join(p.weo)}, estimates/projections flagged in "
        "deflator_source" if p.weo else ""
    )
    inner = f"OECD DAC deflators, {p.source}" if p.method == "dac" else p.source
    return f"{p.code} ({inner}{weo})"


_RENDER: dict[type, Callable[..., str]] = {
    Vintage: _vintage_text,
    RateFacts: _rate_text,
    DeflatorFacts: _deflator_text,
    PriceBase: _price_text,
}


def _localised(facts: Facts, label: Label) -> str:
    """The phrase of a chart or the report, from ``label`` templates."""
    if isinstance(facts, Vintage):
        if facts.date and facts.published:
            return label("vintage_published").format(table=facts.table, date=facts.date)
        return _vintage_text(facts)
    if isinstance(facts, RateFacts):
        if facts.policy == "dac":
            vintage = f" ({_localised(facts.vintage, label)})" if facts.vintage else ""
            return label("rate_dac") + vintage
        if facts.policy == "implied":
            return label("rate_implied")
        if facts.policy in ("spot", "month", "year"):
            policy = label(f"rate_{facts.policy}")
            return label("rate_policy").format(source=facts.source, policy=policy)
        return facts.source
    if isinstance(facts, PriceBase):
        key = "foot_prices_current" if facts.year is None else "foot_prices_constant"
        return label(key).format(currency=facts.currency, year=facts.year)
    if facts.method == "dac":
        if facts.vintage is not None and facts.vintage.published and facts.vintage.date:
            return label("foot_dac").format(vintage=_localised(facts.vintage, label))
        return label("foot_dac_short")
    if facts.method == "cpi" and facts.series.startswith("World Bank"):
        return label("foot_cpi")
    return _deflator_text(facts).split(";")[0] if facts.year is not None else facts.series


# --- reading: fields first, then text this module (or an older aidcalc) wrote ------------------

_PUBLISHED = re.compile(r"([^\s(]+) published by (\d{4}-\d{2}-\d{2})")
_CACHED = re.compile(r"([^\s(]+) as cached (\d{4}-\d{2}-\d{2})")
_PUBLISHED_LABEL = re.compile(r"^(.*?)\s*published by (\d{4}-\d{2}-\d{2})$")
_CACHED_LABEL = re.compile(r"^(.*?)\s*as cached (\d{4}-\d{2}-\d{2})$")
_CONSTANT = re.compile(r"constant\s+(\d{4})\s+([A-Z]{3})")
_CURRENT = re.compile(r"current\s+([A-Z]{3})")
_CODE = re.compile(r"^[A-Z]{3}$")
_COLUMN = re.compile(r"_([A-Z]{3})_(\d{4})$")
_WEO = re.compile(r"IMF WEO \w+ \d{4}")
_POLICY = re.compile(r"^(monthly|yearly) average of daily rates, (.*)$", re.I)
_MEAN = re.compile(r"\s*\((?:annual|monthly) mean [0-9-]+\)$")
_CALENDAR = re.compile(r"^(.*), calendar-year mean of daily rates (\d{4})$")
_DAC_RATE = re.compile(r"^OECD DAC annual averages?(?: (\d{4}))?(?:,| \()\s*(.*?)\)?$", re.I)
_CARRIED = re.compile(r"; base (\d{4}) beyond coverage: the (\d{4}) rate carried forward")
_DAC_DEFLATOR = re.compile(r"^OECD DAC deflators?\b")
_CPI = re.compile(r"^(?:World Bank WDI FP\.CPI|CPI\b)")


def as_vintage(label: str) -> Vintage:
    """A dataset's vintage label as fields (a label of another form: kept as its name).

    Examples
    --------
    >>> as_vintage("DAC1 as cached 2025-02-20")
    Vintage(table='DAC1', date='2025-02-20', published=False)
    >>> render(as_vintage("user-supplied"))
    'user-supplied'
    """
    label = str(label).strip()
    if m := _PUBLISHED_LABEL.match(label):
        return Vintage(m.group(1), m.group(2))
    if m := _CACHED_LABEL.match(label):
        return Vintage(m.group(1), m.group(2), published=False)
    return Vintage(label)


def vintage(text: str) -> Vintage | None:
    """The vintage named in ``text`` ("DAC1 published by 2024-12-02"), or None.

    Examples
    --------
    >>> vintage("OECD DAC annual average 2023 (DAC1 published by 2024-12-02)")
    Vintage(table='DAC1', date='2024-12-02', published=True)
    """
    known = _RENDERED.get(text)
    if isinstance(known, Vintage):
        return known
    if m := _PUBLISHED.search(text):
        return Vintage(m.group(1), m.group(2))
    if m := _CACHED.search(text):
        return Vintage(m.group(1), m.group(2), published=False)
    return None


def price_base(text: str) -> PriceBase | None:
    """The price base of a ``price_base`` text ("constant 2024 EUR (...)", "current USD", or
    a bare currency code), or None when the text names none.

    Examples
    --------
    >>> price_base("constant 2024 EUR (OECD DAC deflators, DAC1 as cached 2025-02-20)").code
    'constant 2024 EUR'
    >>> price_base("current JPY").year is None, price_base("nonsense")
    (True, None)
    """
    text = str(text).strip()
    known = _RENDERED.get(text)
    if isinstance(known, PriceBase):
        return known
    weo = tuple(dict.fromkeys(_WEO.findall(text)))
    if m := _CONSTANT.search(text):
        method: Literal["dac", "cpi"] | None = (
            "dac" if "OECD DAC" in text else "cpi" if "CPI" in text else None
        )
        return PriceBase(m.group(2), int(m.group(1)), method, weo=weo)
    if m := _CURRENT.search(text):
        return PriceBase(m.group(1))
    if _CODE.match(text):
        return PriceBase(text)
    return None


def is_converted(columns: Iterable[object], value: str) -> bool:
    """Whether ``value`` is a converted column, in the currency ``fx_to`` names rather than in
    each row's ``currency``: an FX step (``convert``, ``normalise``, ``aggregate`` of their
    results) left its columns, and ``value`` is not the ``amount`` it read.

    Examples
    --------
    >>> is_converted(["amount", "currency", "amount_EUR", "fx_rate", "fx_to"], "amount_EUR")
    True
    >>> is_converted(["amount", "currency", "amount_EUR", "fx_rate", "fx_to"], "amount")
    False
    >>> is_converted(["amount", "currency"], "amount")
    False
    """
    names = set(columns)
    return bool({FX_RATE, FX_TO} & names) and value != AMOUNT


def column_unit(name: str) -> PriceBase | None:
    """The price base ``normalise`` names its result column after (``amount_EUR_2024``:
    constant 2024 EUR), or None.

    Examples
    --------
    >>> column_unit("amount_EUR_2024").code, column_unit("amount")
    ('constant 2024 EUR', None)
    """
    if m := _COLUMN.search(str(name)):
        return PriceBase(m.group(1), int(m.group(2)))
    return None


def deflator_facts(text: str) -> DeflatorFacts:
    """The facts of a ``deflator_source`` text.

    Examples
    --------
    >>> d = deflator_facts("OECD DAC deflator of JPN, 2024 rebased to 2023=100 (DAC1 "
    ...     "published by 2024-12-02); 2024 beyond coverage: 2023 factor carried forward "
    ...     "(extend='last')")
    >>> d.method, d.extended, d.vintage
    ('dac', True, Vintage(table='DAC1', date='2024-12-02', published=True))
    """
    text = str(text).strip()
    known = _RENDERED.get(text)
    if isinstance(known, DeflatorFacts):
        return known
    lower = text.lower()
    if not text or lower.startswith(("none", "identity")):
        return DeflatorFacts("none", text)
    method: Literal["dac", "cpi", "other"] = (
        "dac" if _DAC_DEFLATOR.match(text) else "cpi" if _CPI.match(text) else "other"
    )
    return DeflatorFacts(
        method,
        text.split(";")[0],
        vintage=vintage(text),
        carried="carried forward" in lower or "extend=" in lower,
        weo=tuple(dict.fromkeys(_WEO.findall(text))),
    )


def rate_facts(text: str) -> RateFacts:
    """The facts of an ``fx_source`` / ``base_fx_source`` text.

    Examples
    --------
    >>> rate_facts("yearly average of daily rates, ECB euro reference rates (x) "
    ...     "(annual mean 2024)")
    RateFacts(policy='year', source='ECB euro reference rates (x)', year=None, vintage=None, carried_from=None, base_year=None)
    >>> rate_facts("ECB euro reference rates (x), calendar-year mean of daily rates 2024").policy
    'year'
    >>> rate_facts("OECD DAC annual average 2023 (DAC1 published by 2024-12-02)").policy
    'dac'
    """  # noqa: E501
    text = str(text).strip()
    known = _RENDERED.get(text)
    if isinstance(known, RateFacts):
        return known
    lower = text.lower()
    if not text or lower.startswith("none"):
        return RateFacts("none", text)
    if lower.startswith("identity"):
        return RateFacts("identity", text)
    carried = _CARRIED.search(text)
    if carried is not None:  # a base year's rate carried forward (extend="last")
        facts = rate_facts(text[: carried.start()])
        return replace(facts, carried_from=int(carried.group(2)), base_year=int(carried.group(1)))
    if m := _DAC_RATE.match(text):
        year = int(m.group(1)) if m.group(1) else None
        named = vintage(text) or (Vintage(m.group(2)) if m.group(2) else None)
        return RateFacts("dac", "OECD DAC annual average", year, named)
    if m := _POLICY.match(text):
        policy: Policy = "month" if m.group(1).lower() == "monthly" else "year"
        return RateFacts(policy, _MEAN.sub("", m.group(2)))
    if m := _CALENDAR.match(text.split("; base ")[0]):
        return RateFacts("year", m.group(1), int(m.group(2)))
    if text.startswith("IMF WEO"):
        return RateFacts("implied", text)
    return RateFacts(None, _MEAN.sub("", text))
