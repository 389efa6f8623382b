"""Axis tick labels that are distinct and exact to the precision they show.

One rule for every value axis: the number of decimals comes from the ticks themselves (the
fewest decimals that write every tick exactly), never from a fixed setting, so a 0.25 step
is labelled "0.25%", not "0.2%", and 1.25 billion is "€1.25B", not "€1.2B". Money keeps the
locale's compact style (babel's CLDR patterns); each tick is scaled the way babel scales it.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from functools import cache
from typing import Any, Final, Literal

import numpy as np
from matplotlib.ticker import Formatter

from .._base._compat import compact_long
from .._base._locale import LocaleLike, resolve_locale

__all__ = ["DateFormatter", "MoneyFormatter", "PercentFormatter", "tick_decimals"]

#: most decimals a tick label may need (ticks come from nice steps, so far fewer are used)
_MAX_DECIMALS = 12


def _exact(value: float) -> Decimal:
    """A tick position as the decimal it stands for (0.30000000000000004 -> 0.3)."""
    if value == 0:
        return Decimal(0)
    return Decimal(f"{value:.12g}")


def _decimals(value: Decimal) -> int:
    """Digits after the point needed to write ``value`` exactly."""
    exponent = value.normalize().as_tuple().exponent
    return max(0, -int(exponent)) if isinstance(exponent, int) else 0


def tick_decimals(values: Sequence[float] | np.ndarray) -> int:
    """The fewest decimals that write every one of ``values`` exactly.

    Examples
    --------
    >>> tick_decimals([0.0, 0.25, 0.5, 0.75]), tick_decimals([0, 1, 2]), tick_decimals([0.1, 0.3])
    (2, 0, 1)
    """
    finite = [float(v) for v in np.asarray(values, dtype="float64").ravel() if np.isfinite(v)]
    return min(_MAX_DECIMALS, max((_decimals(_exact(v)) for v in finite), default=0))


class PercentFormatter(Formatter):
    r"""Percentages (0.42 -> "0.42%", "0,42 %") in the locale's pattern, with the decimals
    that write every tick exactly.

    Examples
    --------
    >>> fmt = PercentFormatter("en")
    >>> fmt.format_ticks([0.0, 0.25, 0.5, 0.75, 1.0])
    ['0.00%', '0.25%', '0.50%', '0.75%', '1.00%']
    >>> PercentFormatter("de").format_ticks([0.0, 0.5, 1.0])
    ['0,0\xa0%', '0,5\xa0%', '1,0\xa0%']
    """

    def __init__(self, locale: LocaleLike) -> None:
        self.locale = resolve_locale(locale)
        self.digits = 0

    def set_locs(self, locs: Any) -> None:
        super().set_locs(locs)
        self.digits = tick_decimals(locs)

    def __call__(self, x: float, pos: int | None = None) -> str:
        if not np.isfinite(x):
            return ""
        return format_percent_exact(x, self.locale, self.digits)


def format_percent_exact(x: float, locale: Any, digits: int) -> str:
    """``x`` percent with exactly ``digits`` decimals in the locale's percent pattern."""
    from babel.numbers import format_percent

    pattern = _percent_pattern(str(locale), digits)
    value = _exact(x).quantize(Decimal(1).scaleb(-digits)) if digits else round(_exact(x))
    return format_percent(Decimal(value) / 100, format=pattern, locale=locale)


@cache
def _percent_pattern(locale: str, digits: int) -> str:
    loc = resolve_locale(locale)
    pattern = str(loc.percent_formats[None].pattern).split(";")[0]
    if digits:
        last = pattern.rfind("0")
        pattern = pattern[: last + 1] + "." + "0" * digits + pattern[last + 1 :]
    return pattern


@cache
def _compact_steps(locale: str, kind: Literal["short", "name"]) -> tuple[tuple[int, int], ...]:
    """(magnitude, divisor) pairs of the locale's compact patterns, largest first."""
    from babel.numbers import parse_pattern

    loc = resolve_locale(locale)
    table = loc.compact_currency_formats["short"] if kind == "short" else compact_long(loc)
    steps = []
    for magnitude in sorted((int(m) for m in table["other"]), reverse=True):
        pattern = parse_pattern(table["other"][str(magnitude)]).pattern
        zeros = pattern.count("0")
        divisor = 1 if pattern == "0" or not zeros else magnitude // (10 ** (zeros - 1))
        steps.append((magnitude, divisor))
    return tuple(steps)


def compact_divisor(value: Decimal, locale: Any, kind: Literal["short", "name"]) -> int:
    """What babel divides ``value`` by in the locale's compact pattern (1 below the first)."""
    size = abs(value)
    for magnitude, divisor in _compact_steps(str(locale), kind):
        if size >= magnitude:
            return divisor
    return 1


class MoneyFormatter(Formatter):
    """Money in the locale's compact style ("€2.5B", "2,5 Mrd. €", "25億ユーロ"), each tick
    written exactly: the decimals are the fewest that write every tick's compact number
    exactly (a tick of 1.25 billion is "€1.25B"; of 0.0025 euros "€0.0025").

    ``style="name"`` writes the currency's name (Japanese, Chinese and Korean press style).

    Examples
    --------
    >>> MoneyFormatter("EUR", "en").format_ticks([0, 2.5e8, 5e8, 7.5e8, 1e9, 1.25e9])
    ['€0', '€250M', '€500M', '€750M', '€1B', '€1.25B']
    >>> MoneyFormatter("EUR", "de").format_ticks([0.0, 5e8, 1e9, 1.5e9])
    ['0 €', '500 Mio. €', '1 Mrd. €', '1,5 Mrd. €']
    >>> MoneyFormatter("EUR", "en").format_ticks([0.0, 0.0002, 0.0004])
    ['€0', '€0.0002', '€0.0004']
    >>> MoneyFormatter("USD", "ja", style="name").format_ticks([0.0, 5e9, 1e10])
    ['0米ドル', '50億米ドル', '100億米ドル']
    """

    def __init__(
        self, currency: str, locale: LocaleLike, *, style: Literal["short", "name"] = "short"
    ) -> None:
        self.currency = currency
        self.locale = resolve_locale(locale)
        self.style: Literal["short", "name"] = style
        self.digits = 0

    def set_locs(self, locs: Any) -> None:
        super().set_locs(locs)
        self.digits = self.decimals_for(locs)

    def decimals_for(self, values: Any) -> int:
        """The fewest decimals writing every compact number of ``values`` exactly."""
        need = 0
        for v in np.asarray(values, dtype="float64").ravel():
            if not np.isfinite(v):
                continue
            exact = _exact(float(v))
            divisor = compact_divisor(exact, self.locale, self.style)
            need = max(need, _decimals(exact / divisor))
        return min(need, _MAX_DECIMALS)

    def __call__(self, x: float, pos: int | None = None) -> str:
        if not np.isfinite(x):
            return ""
        return format_money_exact(float(x), self.currency, self.locale, self.digits, self.style)


def format_money_exact(
    x: float, currency: str, locale: Any, digits: int, style: Literal["short", "name"] = "short"
) -> str:
    """``x`` in the compact style, its compact number rounded to ``digits`` decimals."""
    from babel.numbers import format_compact_currency

    from .._money._formatting import name_style

    exact = _exact(x)
    divisor = compact_divisor(exact, locale, style)
    scaled = (exact / divisor).quantize(Decimal(1).scaleb(-digits)) if digits else round(
        exact / divisor
    )
    value = (Decimal(scaled) * divisor).normalize()
    if value == 0:
        value = Decimal(0)
    if style == "name":
        out = name_style(value, currency, locale, digits)
    else:
        out = format_compact_currency(value, currency, locale=locale, fraction_digits=digits)
    return out.replace("\xa0", " ").replace("\u202f", " ")


class DateFormatter(Formatter):
    """Dates in the locale's own form (babel skeletons: ``y`` years, ``yMMM`` months,
    ``yMMMd`` days), the coarsest of these that labels every tick distinctly and exactly
    (a tick not on 1 January is not labelled by its year alone).

    Examples
    --------
    >>> from matplotlib.dates import date2num
    >>> import datetime as dt
    >>> fmt = DateFormatter("de", "y")
    >>> fmt.format_ticks([date2num(dt.date(2023, 1, 1)), date2num(dt.date(2024, 1, 1))])
    ['2023', '2024']
    >>> fmt.format_ticks([date2num(dt.date(2023, 1, 1)), date2num(dt.date(2023, 7, 1))])
    ['Jan. 2023', 'Juli 2023']
    """

    _FINER: Final = ("y", "yMMM", "yMMMd")

    def __init__(self, locale: LocaleLike, skeleton: str = "y") -> None:
        self.locale = resolve_locale(locale)
        self.skeleton = skeleton
        self.used = skeleton

    @staticmethod
    def _fits(skeleton: str, day: Any) -> bool:
        if skeleton == "y":
            return bool(day.month == 1 and day.day == 1)
        if skeleton == "yMMM":
            return bool(day.day == 1)
        return True

    def set_locs(self, locs: Any) -> None:
        from matplotlib.dates import num2date

        super().set_locs(locs)
        days = [num2date(x).date() for x in np.asarray(locs, dtype="float64") if np.isfinite(x)]
        start = self._FINER.index(self.skeleton) if self.skeleton in self._FINER else 2
        for skeleton in self._FINER[start:]:
            labels = [self._format(skeleton, d) for d in days]
            if len(set(labels)) == len(labels) and all(self._fits(skeleton, d) for d in days):
                self.used = skeleton
                return
        self.used = "yMMMd"

    def _format(self, skeleton: str, day: Any) -> str:
        from babel.dates import format_skeleton

        return str(format_skeleton(skeleton, day, locale=self.locale))

    def __call__(self, x: float, pos: int | None = None) -> str:
        from matplotlib.dates import num2date

        if not np.isfinite(x):
            return ""
        return self._format(self.used, num2date(x).date())
