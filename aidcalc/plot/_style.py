"""The look shared by every aidcalc chart: colours, fonts, units, footnotes.

Colours are declarative (``palette.csv`` beside this module) and texts come from the one
message catalogue (:mod:`aidcalc._base._labels`), so every chart gives a donor, a category and a
lifecycle stage the same colour and the same name.
"""

from __future__ import annotations

import contextlib
import re
import warnings
import zlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd

from .._base._errors import AggregationError, ValidationError, join_values
from .._base._labels import LANGUAGES, TranslationWarning, catalogue_language, get_label
from .._base._locale import LocaleLike, resolve_locale
from .._base._provenance import (
    Policy,
    Vintage,
    deflator_facts,
    price_base,
    rate_facts,
    render,
)
from .._pledges._categories import CATEGORY_ORDER as CATEGORY_ORDER  # owned by the pledges
from .._pledges._lifecycle import STATUS_ORDER as STATUS_ORDER  # layer; re-exported here

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = [
    "LANGUAGES",
    "FontWarning",
    "TranslationWarning",
    "Unit",
    "category_colour",
    "donor_colour",
    "get_label",
    "status_colour",
]

HERE = Path(__file__).resolve().parent
CJK_LANGUAGES = frozenset({"ja", "zh", "ko"})
FOOTNOTE_GID = "aidcalc-footnote"
VALUE_LABEL_GID = "aidcalc-value"
#: extra colours (Paul Tol "light") for donors without a fixed colour, chosen by a stable hash
_EXTRA = ("#AA4499", "#EE8866", "#BBCC33", "#77AADD", "#FFAABB", "#AAAA00", "#44BB99", "#EEDD88")
_WIDE = "\u3000-\u9fff\uac00-\ud7af\uff00-\uffef"
_WRAP_TOKEN = re.compile(rf"[{_WIDE}]|[^\s{_WIDE}]+\s*|\s+")
#: closing punctuation that never starts a line (kinsoku): it stays at the end of the last one
_NO_LINE_START = frozenset("。、，．）」』】〕！？：；・ー%")
_CJK_RE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af\uff00-\uffef]")
_CJK_FONT_NAMES = (
    "Noto Sans CJK JP",
    "Noto Sans JP",
    "IPAexGothic",
    "IPAGothic",
    "Source Han Sans JP",
    "TakaoGothic",
    "VL Gothic",
    "Droid Sans Fallback",
)
_CJK_FONT_FILES = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/fonts-japanese-gothic.ttf",
    "/System/Library/Fonts/ヒラギノ角ゴシック W3.ttc",
    "C:/Windows/Fonts/msgothic.ttc",
)


class FontWarning(UserWarning):
    """No installed font covers the characters of the requested locale."""


# --- declarative tables ------------------------------------------------------------------------


@cache
def _palette() -> dict[tuple[str, str], str]:
    table = pd.read_csv(HERE / "palette.csv", dtype=str, keep_default_na=False)
    return dict(zip(zip(table["role"], table["key"], strict=True), table["colour"], strict=True))


def category_colour(category: str) -> str:
    """The fixed colour of a category (Okabe-Ito), the same in every chart.

    Examples
    --------
    >>> category_colour("energy")
    '#E69F00'
    >>> category_colour("something else") == category_colour("other")
    True
    """
    pal = _palette()
    return pal.get(("category", category), pal[("category", "other")])


def donor_colour(donor: str) -> str:
    """The fixed colour of a donor (Paul Tol muted for the G7 and the EU), the same everywhere.

    Donors without a fixed colour get one from Paul Tol's light palette chosen by a stable hash
    of the code, so they too keep their colour from chart to chart.

    Examples
    --------
    >>> donor_colour("JPN")
    '#CC6677'
    >>> donor_colour("NOR") == donor_colour("NOR")
    True
    """
    pal = _palette()
    if ("donor", donor) in pal:
        return pal[("donor", donor)]
    return _EXTRA[zlib.crc32(str(donor).encode("utf-8")) % len(_EXTRA)]


def status_colour(status: str) -> str:
    """The fixed colour of a lifecycle stage (pledged, committed, allocated, disbursed).

    Examples
    --------
    >>> status_colour("disbursed")
    '#DDAA33'
    """
    return _palette().get(("status", status), "#BBBBBB")


def donor_label(code: Any, locale: LocaleLike) -> str:
    """A donor's name in ``locale`` (through ``aidcalc._real._donors.donor_name``), else it."""
    from .._real import _donors

    try:
        return str(_donors.donor_name(str(code), locale=locale))
    except LookupError:
        return str(code)


# --- fonts ---------------------------------------------------------------------------------------


@cache
def cjk_font() -> str | None:
    """The family name of an installed font that covers Japanese/Chinese/Korean, or None.

    Looks at fonts matplotlib already knows, then at the usual system paths (Debian's
    fonts-noto-cjk among them), then at the optional ``matplotlib-fontja`` package.
    """
    from matplotlib import font_manager

    for path in _CJK_FONT_FILES:
        if Path(path).is_file():
            with contextlib.suppress(Exception):
                font_manager.fontManager.addfont(path)
    import matplotlib as mpl

    family = list(mpl.rcParams["font.family"])
    with contextlib.suppress(ImportError):
        import matplotlib_fontja  # noqa: F401
    mpl.rcParams["font.family"] = family  # its import may set font.family: not ours to change
    known = {f.name for f in font_manager.fontManager.ttflist}
    for name in _CJK_FONT_NAMES:
        if name in known:
            return name
    return None


def needs_cjk(texts: Iterable[str]) -> bool:
    """Whether any of ``texts`` contains CJK characters."""
    return any(_CJK_RE.search(t) for t in texts if isinstance(t, str))


@dataclass(frozen=True)
class Theme:
    """The resolved locale of one chart and the font families it needs (empty: the user's
    own ``font.family``; a CJK font first for Japanese, Chinese and Korean)."""

    locale: Any  # babel.Locale
    families: tuple[str, ...]

    @property
    def lang(self) -> str:
        return str(self.locale.language)

    def label(self, key: str) -> str:
        return get_label(key, self.locale)

    def apply_fonts(self, *owners: Any) -> None:
        """Finish the texts aidcalc wrote on ``owners`` (Axes or Figures): shown literally
        (a "$" of "CA$ ... $" never starts mathtext) and, when this chart needs them, in its
        font families (the user's rcParams decide otherwise)."""
        from matplotlib.axes import Axes as _Axes

        families = list(self.families)
        for owner in owners:
            for text in own_texts(owner):
                text.set_parse_math(False)
                if families:
                    text.set_fontfamily(families)
            if families and isinstance(owner, _Axes):
                owner.tick_params(axis="both", labelfontfamily=families)

    def apply_ticks(self, ax: Axes) -> None:
        """Tick labels in this chart's fonts (kept for callers of the older name)."""
        self.apply_fonts(ax)


_OWN_GIDS = frozenset({"aidcalc-footnote", "aidcalc-value", "event"})


def own_texts(owner: Any) -> list[Any]:
    """The texts an aidcalc chart function writes on an Axes or a Figure (titles, axis
    labels, legend, value labels, footnote, event marks), not the user's own."""
    from matplotlib.axes import Axes as _Axes

    texts: list[Any] = []
    if isinstance(owner, _Axes):
        texts += [owner.title]
        texts += [getattr(owner, name) for name in ("_left_title", "_right_title")
                  if hasattr(owner, name)]  # the left/right titles (private in matplotlib)
        texts += [owner.xaxis.label, owner.yaxis.label]
        texts += [t for t in owner.texts if t.get_gid() in _OWN_GIDS]
        texts += owner.get_yticklabels()
        legend = owner.get_legend()
    else:
        texts += [t for t in owner.texts if t.get_gid() in _OWN_GIDS]
        texts += [t for t in (owner._suptitle, owner._supxlabel) if t is not None]
        legend = None
    if legend is not None:
        texts += list(legend.get_texts())
    return texts


def make_theme(locale: LocaleLike, extra_texts: Iterable[str] = ()) -> Theme:
    """Resolve ``locale`` and choose fonts; without a CJK font, warn and fall back to English.

    The user's ``font.family`` is kept; a CJK font goes first where the texts need one.
    """
    loc = resolve_locale(locale)
    catalogue_language(loc)  # warn once now if the language has no texts
    if loc.language in CJK_LANGUAGES or needs_cjk(extra_texts):
        font = cjk_font()
        if font is None:
            warnings.warn(
                f"no font with Japanese/Chinese/Korean characters is installed, so the chart is "
                f"drawn in English instead of {str(loc)!r} (no empty boxes): install one, e.g. "
                f"'apt-get install fonts-noto-cjk' or 'pip install matplotlib-fontja'",
                FontWarning,
                stacklevel=3,
            )
            return Theme(resolve_locale("en"), ())
        import matplotlib as mpl

        user = [f for f in mpl.rcParams["font.family"] if f != font]
        return Theme(loc, (font, *user))
    return Theme(loc, ())


def new_axes(ax: Axes | None, figsize: tuple[float, float]) -> Axes:
    """``ax`` itself, or the Axes of a new figure of ``figsize`` inches (a pyplot figure, so
    notebooks display it; nothing global is changed)."""
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    _fig, new = plt.subplots(figsize=figsize, layout="constrained")
    return new


# --- units and number formatting -----------------------------------------------------------------

_WHOLE_RE = re.compile(r"^\D*(\d+)")


@dataclass(frozen=True)
class Unit:
    """What the plotted values are: a currency, and the price year for constant prices.

    Examples
    --------
    >>> Unit.parse("constant 2024 EUR")
    Unit(currency='EUR', year=2024)
    >>> Unit.parse("current JPY").describe("en")
    'Japanese yen, current prices'
    >>> Unit.parse("constant 2024 EUR").describe("de")
    'Euro, konstante Preise von 2024'
    """

    currency: str
    year: int | None = None

    @classmethod
    def parse(cls, text: str) -> Unit:
        text = str(text).strip()
        base = price_base(text)  # the fields of a price base (provenance reads the text)
        if base is not None:
            return cls(base.currency, base.year)
        raise ValidationError(
            f"cannot read the unit {text!r}: write 'constant 2024 EUR', 'current USD' or 'EUR'",
            problems=None,
        )

    def describe(self, locale: LocaleLike) -> str:
        """The unit in words, e.g. 'Euros, constant 2024 prices'."""
        from babel.numbers import get_currency_name

        loc = resolve_locale(locale)
        name = get_currency_name(self.currency, count=2, locale=loc)
        name = name[:1].upper() + name[1:]
        key = "unit_current" if self.year is None else "unit_constant"
        return get_label(key, loc).format(currency=name, year=self.year)

    def prices(self, locale: LocaleLike) -> str:
        """The price base for a footnote, e.g. 'constant 2024 EUR', 'konstante Preise von
        2024, EUR'."""
        key = "foot_prices_current" if self.year is None else "foot_prices_constant"
        return get_label(key, locale).format(currency=self.currency, year=self.year)

    @property
    def code(self) -> str:
        return f"current {self.currency}" if self.year is None else (
            f"constant {self.year} {self.currency}"
        )


def amount_formatter(unit: Unit, locale: Any, *, tight: bool = False) -> Callable[[float], str]:
    """A function formatting a number of ``unit`` briefly, through ``format_amount``.

    Latin-script locales get the short style ("$12.1B", "12,1 Mrd. $"). Japanese, Chinese and
    Korean get the ``name`` style, which reads as their press writes it ("121億米ドル", not
    "$121億"), with no decimal once three digits stand before the unit word ("3492万ユーロ",
    not "3491.7万ユーロ"); ``tight=True`` keeps the short style for them too, for tick labels
    of small panels.

    Examples
    --------
    >>> fmt = amount_formatter(Unit("USD", 2024), "ja")
    >>> fmt(12.1e9), fmt(34_917_000), fmt(0)
    ('121億米ドル', '3492万米ドル', '0米ドル')
    >>> amount_formatter(Unit("USD", 2024), "ja", tight=True)(12.1e9)
    '$121億'
    >>> amount_formatter(Unit("EUR"), "de")(2.5e9)
    '2,5 Mrd. €'
    """
    from .._money._formatting import format_amount

    loc = resolve_locale(locale)
    style: Literal["name", "short"] = (
        "name" if loc.language in CJK_LANGUAGES and not tight else "short"
    )

    def fmt(x: float) -> str:
        if not np.isfinite(x):
            return ""
        if x == 0:
            return format_amount(0, currency=unit.currency, locale=loc, style=style, digits=0)
        text = format_amount(float(x), currency=unit.currency, locale=loc, style=style, digits=1)
        if style == "name":
            whole = format_amount(float(x), currency=unit.currency, locale=loc, style=style,
                                  digits=0)
            if (m := _WHOLE_RE.match(whole)) and len(m.group(1)) >= 3:
                return whole
        return text

    return fmt


def percent_formatter(locale: Any, digits: int = 2) -> Callable[[float], str]:
    """A function formatting a number of percent (0.42 -> '0.42%', '0,42 %') through babel,
    in the locale's own percent pattern with ``digits`` decimals."""
    from babel.numbers import format_percent

    pattern = str(resolve_locale(locale).percent_formats[None].pattern).split(";")[0]
    if digits:
        last = pattern.rfind("0")
        pattern = pattern[: last + 1] + "." + "0" * digits + pattern[last + 1 :]

    def fmt(x: float) -> str:
        if not np.isfinite(x):
            return ""
        return format_percent(x / 100.0, format=pattern, locale=locale)

    return fmt


def percent_digits(values: Any) -> int:
    """Decimals that show the smallest non-zero percentage with two significant digits (2-4).

    Examples
    --------
    >>> percent_digits([0.2, 2.5]), percent_digits([0.08, 0.0015]), percent_digits([0.0])
    (2, 4, 2)
    """
    arr = np.abs(np.asarray(values, dtype="float64"))
    arr = arr[np.isfinite(arr) & (arr > 0)]
    if not arr.size:
        return 2
    return int(np.clip(np.ceil(-np.log10(arr.min())) + 1, 2, 4))


def set_value_axis(
    ax: Axes, formatter: Any, axis: Literal["x", "y"] = "x", *, nbins: int = 5
) -> None:
    """Format the value axis of ``ax`` with ``formatter`` (a matplotlib ``Formatter`` that
    chooses its decimals from the ticks, see :mod:`aidcalc.plot._ticks`), about ``nbins``
    ticks and a light grid."""
    from matplotlib.ticker import MaxNLocator

    target = ax.xaxis if axis == "x" else ax.yaxis
    target.set_major_locator(MaxNLocator(nbins=nbins, min_n_ticks=3))
    target.set_major_formatter(formatter)
    ax.grid(axis=axis, color="#DDDDDD", linewidth=0.8)
    ax.set_axisbelow(True)


def money_ticks(unit: Unit, locale: Any, *, tight: bool = False) -> Any:
    """The tick formatter of a money axis: the compact style of :func:`amount_formatter`,
    each tick written exactly."""
    from ._ticks import MoneyFormatter

    loc = resolve_locale(locale)
    style: Literal["name", "short"] = (
        "name" if loc.language in CJK_LANGUAGES and not tight else "short"
    )
    return MoneyFormatter(unit.currency, loc, style=style)


# --- data checks ---------------------------------------------------------------------------------


def ordered(values: Iterable[str], order: Sequence[str]) -> list[str]:
    """``values`` in ``order`` first, then the rest alphabetically."""
    vals = list(dict.fromkeys(values))
    known = [v for v in order if v in vals]
    return known + sorted(v for v in vals if v not in order)


# --- footnote ------------------------------------------------------------------------------------


def _unique_text(data: pd.DataFrame, column: str) -> list[str]:
    if column not in data.columns:
        return []
    return sorted(data[column].dropna().astype(str).unique().tolist())


#: English provenance phrases written by aidcalc's own modules, and their label keys
_KNOWN_SOURCES = (
    ("ECB euro reference rates", "fx_ecb"),
    ("OECD DAC deflators", "foot_dac_short"),
    ("OECD DAC deflator", "foot_dac_short"),
)




def localise_source(text: str, locale: LocaleLike = "en") -> str:
    """A provenance string in ``locale``: aidcalc's own English phrases (the rate source, a
    monthly or annual averaging, OECD DAC annual rates and their vintage) translated; names
    of tables, files and versions stay as they are.

    Examples
    --------
    >>> localise_source("ECB euro reference rates (eurofxref-hist)", "de")
    'Euro-Referenzkurse der EZB (eurofxref-hist)'
    >>> localise_source("yearly average of daily rates, ECB euro reference rates (x) "
    ...     "(annual mean 2024)", "it")
    "tassi di riferimento dell'euro della BCE (x), medie annuali"
    >>> localise_source("OECD DAC annual average 2023 (DAC1 published by 2024-12-02)", "de")
    'OECD-DAC-Jahresdurchschnitte (DAC1, veröffentlicht bis 2024-12-02)'
    >>> localise_source("World Bank WDI", "ja")
    'World Bank WDI'
    """
    return _describe_rate(text, locale, spot=False)


def _prefix(text: str, locale: LocaleLike) -> str:
    for phrase, key in _KNOWN_SOURCES:
        if text.startswith(phrase):
            return get_label(key, locale) + text[len(phrase) :]
    return text


def _describe_rate(text: str, locale: LocaleLike, *, spot: bool) -> str:
    """One rate provenance string in ``locale``; ``spot``: a string without an averaging
    phrase is a rate of the announcement day and says so."""
    facts = rate_facts(text)  # the fields (provenance reads the text)
    if facts.policy == "dac":
        vintage = _vintage(facts.vintage, locale)
        return get_label("rate_dac", locale) + (f" ({vintage})" if vintage else "")
    if facts.policy == "implied":  # the IMF WEO edition stays in the fx_source column
        return get_label("rate_implied", locale)
    policy: Policy | None = (
        facts.policy if facts.policy in ("month", "year") else "spot" if spot else None
    )
    source = _prefix(facts.source, locale)
    if policy is None:
        return source
    return render(
        replace(facts, policy=policy, source=source), locale,
        label=lambda key: get_label(key, locale),
    )  # fmt: skip


def summarise_sources(
    values: Sequence[str], column: str, limit: int = 160, *, locale: LocaleLike = "en"
) -> str:
    """A short account of provenance strings: the strings themselves when few and short,
    else their common first words and a pointer to the column, in ``locale``.

    Examples
    --------
    >>> summarise_sources(["ECB euro reference rates"], "fx_source")
    'ECB euro reference rates'
    >>> sources = ["OECD DAC deflator of CAN, 2022", "OECD DAC deflator of DEU, 2023",
    ...     "OECD DAC deflator of JPN, 2024 (extend='last')"]
    >>> print(summarise_sources(sources, "deflator_source"))
    OECD DAC deflators ... (3 variants, see the deflator_source column; some factors carried forward beyond the published years)
    >>> print(summarise_sources(sources, "deflator_source", locale="de"))
    OECD-DAC-Deflatoren ... (3 Varianten, siehe Spalte deflator_source; einige Faktoren über die veröffentlichten Jahre hinaus fortgeschrieben)
    """  # noqa: E501
    values = [v for v in values if v]
    if not values:
        return ""
    joined = "; ".join(values)
    if len(values) <= 2 and len(joined) <= limit:
        return "; ".join(localise_source(v, locale) for v in values)
    words = [v.split() for v in values]
    common: list[str] = []
    for group in zip(*words, strict=False):
        if len(set(group)) != 1:
            break
        common.append(group[0])
    while common and common[-1].lower() in ("of", "for", "in", "the", "to", "from", "by"):
        common.pop()
    head = " ".join(common).rstrip(",;:") or values[0].split(",")[0]
    head = localise_source(head, locale)
    extended = any(
        deflator_facts(v).extended or rate_facts(v).carried_from is not None for v in values
    )
    tail = "; " + get_label("sources_extended", locale) if extended else ""
    variants = get_label("sources_variants", locale).format(n=len(values), column=column)
    return f"{head} ... ({variants}{tail})"




def _vintage(vintage: Vintage | None, locale: LocaleLike) -> str:
    """A published vintage ('DAC1 published by 2024-12-02') in ``locale``, else ''."""
    if vintage is None or not vintage.published or not vintage.date:
        return ""
    return render(vintage, locale, label=lambda key: get_label(key, locale))


def describe_rates(values: Iterable[str], locale: LocaleLike = "en") -> str:
    """The exchange-rate provenance of a chart in ``locale``: each rate source (aidcalc's own
    phrases translated, table names and versions as they are) with its policy (rate of the
    announcement day, monthly, annual or OECD DAC annual averages).

    Examples
    --------
    >>> describe_rates(["yearly average of daily rates, ECB euro reference rates (x 1.0) "
    ...     "(annual mean 2024)", "identity (same currency)"], "de")
    'Euro-Referenzkurse der EZB (x 1.0), Jahresdurchschnitte'
    >>> print(describe_rates(["OECD DAC annual average 2023 (DAC1 published by 2024-12-02)"],
    ...     "fr"))
    moyennes annuelles du CAD de l'OCDE (DAC1, publié au 2024-12-02)
    >>> describe_rates(["ECB euro reference rates (x 1.0)"])
    'ECB euro reference rates (x 1.0), on the announcement day'
    """
    parts: list[str] = []
    for raw in dict.fromkeys(str(v) for v in values if isinstance(v, str) and v):
        text = raw.strip()
        if not text or text.lower().startswith("identity") or text.lower().startswith("none"):
            continue
        phrase = _describe_rate(text, locale, spot=True)
        if phrase not in parts:
            parts.append(phrase)
    return get_label("list_sep", locale).join(parts) if len(parts) <= 3 else (
        get_label("list_sep", locale).join(parts[:3]) + " ..."
    )


def describe_deflators(values: Iterable[str], locale: LocaleLike = "en") -> str:
    """The deflators of a chart in ``locale`` (OECD DAC deflators with their vintage,
    consumer price indices, other tables by name), and whether any factor was carried
    forward beyond the published years.

    Examples
    --------
    >>> describe_deflators(["OECD DAC deflator of JPN, 2025 rebased to 2024=100 (DAC1 "
    ...     "published by 2024-12-02); 2025 beyond coverage: 2023 factor carried forward "
    ...     "(extend='last')"], "de")
    'OECD-DAC-Deflatoren (DAC1, veröffentlicht bis 2024-12-02); einige Faktoren über die veröffentlichten Jahre hinaus fortgeschrieben'
    >>> describe_deflators(["none (current prices)"])
    ''
    """  # noqa: E501
    parts: list[str] = []
    extended = False
    for raw in dict.fromkeys(str(v) for v in values if isinstance(v, str) and v):
        text = raw.strip()
        if not text or text.lower().startswith("none") or text.lower().startswith("identity"):
            continue
        facts = deflator_facts(text)  # the fields (provenance reads the text)
        extended = extended or facts.extended
        phrase = render(facts, locale, label=lambda key: get_label(key, locale))
        if phrase not in parts:
            parts.append(phrase)
    if not parts:
        return ""
    shown = get_label("list_sep", locale).join(parts[:3]) + (" ..." if len(parts) > 3 else "")
    if extended:
        shown += "; " + get_label("sources_extended", locale)
    return shown


def footnote_text(
    data: pd.DataFrame,
    theme: Theme,
    unit: Unit | None,
    *,
    source: str | None,
    left_out: str = "",
    extra: str | None = None,
) -> str:
    """The footnote: source, price base, deflators and exchange rates used (every phrase in
    the chart's language), then what the chart leaves out and ``extra``."""
    parts: list[str] = []

    def item(key: str, text: str) -> None:
        parts.append(theme.label("foot_item").format(label=theme.label(key), text=text))

    if source:
        item("source", source.rstrip("."))
    if unit is not None:
        item("prices", unit.prices(theme.locale))
    deflators = describe_deflators(_unique_text(data, "deflator_source"), theme.locale)
    if deflators:
        item("deflators", deflators)
    rates = describe_rates(_unique_text(data, "fx_source"), theme.locale)
    if rates:
        item("rates", rates)
    if left_out:
        parts.append(left_out)
    if extra:
        parts.append(extra)
    return join_sentences(parts)


def join_sentences(parts: Iterable[str]) -> str:
    """Sentences joined by a space, or by nothing after a CJK full stop.

    Examples
    --------
    >>> join_sentences(["出典：A。", "価格：B。", "Done."])
    '出典：A。価格：B。Done.'
    """
    out = ""
    for part in parts:
        if not part:
            continue
        out += part if not out or out.endswith("。") else " " + part
    return out


def wrap(text: str, width: int) -> str:
    r"""Wrap ``text`` into lines of about ``width`` Latin characters; CJK characters count
    double and CJK runs (which have no spaces) may break anywhere.

    Examples
    --------
    >>> wrap("Source: test. Prices: constant 2024 EUR.", 20)
    'Source: test.\nPrices: constant\n2024 EUR.'
    >>> lines = wrap("各棒はその段階に達したすべての表明を数えます。" * 3, 40).split("\n")
    >>> max(len(line) for line in lines)  # 20 wide characters = 40 columns
    20
    >>> wrap("為替レート：表明日のレート。", 26)  # the full stop never starts a line
    '為替レート：表明日のレート。'
    """
    import unicodedata

    def cells(token: str) -> int:
        return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in token)

    lines: list[str] = []
    line, used = "", 0
    for token in _WRAP_TOKEN.findall(text):
        size = cells(token.rstrip())
        if line and used + size > width and token.rstrip() not in _NO_LINE_START:
            lines.append(line.rstrip())
            line, used = "", 0
            token = token.lstrip()
            if not token:
                continue
        line += token
        used += cells(token)
    if line.strip():
        lines.append(line.rstrip())
    return "\n".join(lines)


def add_footnote(ax: Axes, text: str, *, width: int = 120) -> None:
    """Write ``text`` in small grey type under the x-axis label of ``ax``."""
    if not text:
        return
    wrapped = wrap(text, width)
    ax.annotate(
        wrapped,
        xy=(0, 0),
        xycoords=("axes fraction", ax.xaxis.label),
        xytext=(0, -8),
        textcoords="offset points",
        ha="left",
        va="top",
        fontsize=7.5,
        color="#555555",
        gid=FOOTNOTE_GID,
        annotation_clip=False,
    )


def add_figure_footnote(fig: Any, text: str, *, width: int = 150) -> None:
    """Write ``text`` in small grey type at the bottom of ``fig``."""
    if not text:
        return
    wrapped = wrap(text, width)
    fig.text(0.01, 0.0, wrapped, ha="left", va="top", fontsize=7.5, color="#555555",
             gid=FOOTNOTE_GID)


def resolve_members(
    spec: str | Sequence[str] | None, *, option: str = "members"
) -> list[str] | None:
    """Donor codes for ``spec``: a known group name (``"G7"``, through
    ``aidcalc.get_groups``) is that group; any other string is one donor, by code or English
    name (``"JPN"``, ``"Japan"``); a list is those codes. A string that is neither raises
    :class:`ValidationError` naming ``option`` and the known groups.

    Examples
    --------
    >>> resolve_members("G7")
    ['CAN', 'DEU', 'FRA', 'GBR', 'ITA', 'JPN', 'USA']
    >>> resolve_members("JPN"), resolve_members("Japan"), resolve_members(["DEU", "FRA"])
    (['JPN'], ['JPN'], ['DEU', 'FRA'])
    >>> resolve_members("G8", option="highlight")
    Traceback (most recent call last):
    ...
    aidcalc.ValidationError: highlight='G8' is neither a donor group nor a donor: ...
    """
    if spec is None:
        return None
    if isinstance(spec, str):
        from .._pledges._groups import get_groups

        groups = get_groups()
        if groups["group"].astype(str).str.upper().eq(spec.upper()).any():
            return list(_group_members(groups, spec))
        return [_one_donor(spec, option, groups)]
    return [str(s) for s in spec]


def _one_donor(spec: str, option: str, groups: pd.DataFrame) -> str:
    """The code of the one donor ``spec`` names (a code or a name), else ValidationError."""
    from .._base._errors import UnknownDonorError
    from .._real._donors import donor_code

    try:
        return donor_code(spec)
    except UnknownDonorError:
        known = join_values(sorted(groups["group"].astype(str).unique()))
        raise ValidationError(
            f"{option}={spec!r} is neither a donor group nor a donor: pass a group ({known}), "
            f"a donor code such as 'JPN' or a donor name such as 'Japan', or a list of codes",
            option=option,
            value=spec,
            groups=known,
        ) from None


def _group_members(groups: Any, name: str) -> list[str]:
    if isinstance(groups, pd.DataFrame):
        cols = {c.lower(): c for c in groups.columns}
        gcol = cols.get("group") or cols.get("name")
        mcol = cols.get("member") or cols.get("donor") or cols.get("iso3") or cols.get("code")
        if gcol is None or mcol is None:  # pragma: no cover - depends on aidcalc._pledges._groups
            raise LookupError(f"cannot read groups table with columns {list(groups.columns)}")
        sel = groups[groups[gcol].astype(str).str.upper() == name.upper()]
        if sel.empty:
            raise AggregationError(
                f"unknown donor group {name!r}; known: "
                f"{join_values(sorted(groups[gcol].astype(str).unique()))}",
                group=name,
            )
        return sel[mcol].astype(str).tolist()
    mapping = {str(k).upper(): v for k, v in dict(groups).items()}
    if name.upper() not in mapping:
        raise AggregationError(
            f"unknown donor group {name!r}; known: {join_values(sorted(dict(groups)))}",
            group=name,
        )
    members = mapping[name.upper()]
    return [str(m) for m in (members.members if hasattr(members, "members") else members)]
