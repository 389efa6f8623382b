"""Steps every chart shares: the set-up before drawing (:func:`setup_chart`), the donor axis
and its bars, titles, labels and footnotes (with what the chart leaves out), palettes."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from .._base._errors import ValidationError, join_values, reject_unknown
from .._base._labels import has_label, plural_label
from .._base._locale import LocaleLike
from ._style import (
    VALUE_LABEL_GID,
    Theme,
    Unit,
    add_figure_footnote,
    add_footnote,
    amount_formatter,
    donor_colour,
    donor_label,
    footnote_text,
    join_sentences,
    make_theme,
    money_ticks,
    new_axes,
    resolve_members,
    set_value_axis,
)
from ._tables import LEFT_OUT, UNIT

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.container import BarContainer
    from matplotlib.figure import Figure

#: alpha of the bars of donors not highlighted
FADED = 0.3


@dataclass(frozen=True)
class ChartSetup:
    """What a chart function knows before it draws: the table it draws (what was left out
    in its ``attrs``), the caller's frame (its provenance columns feed the footnote), the
    resolved locale and fonts, the unit and its number format, the donors in drawing order
    (first on top), those drawn in full colour, and one colour per level.

    Built by :func:`setup_chart`. A chart function then reads: set up, draw, annotate
    (:meth:`annotate`), finish with the footnote (:meth:`finish`).
    """

    table: pd.DataFrame
    data: pd.DataFrame
    theme: Theme
    unit: Unit
    fmt: Callable[[float], str]
    names: list[str]
    strong: set[str]
    colours: dict[str, str]

    @property
    def n(self) -> int:
        """How many donors the chart shows."""
        return len(self.names)

    @cached_property
    def y(self) -> np.ndarray:
        """The y position of each of :attr:`names`, the first on top."""
        return np.arange(self.n, dtype=float)[::-1]

    @cached_property
    def ypos(self) -> dict[str, float]:
        """Donor -> y position (the first on top)."""
        return dict(zip(self.names, self.y.tolist(), strict=True))

    @property
    def left_out(self) -> list[dict[str, Any]]:
        """Records of the rows the table left out (reason, rows, amount)."""
        return list(self.table.attrs[LEFT_OUT])

    def axes(self, ax: Axes | None, height: float) -> Axes:
        """``ax``, or the Axes of a new figure 9 inches wide and ``height`` high."""
        return new_axes(ax, (9.0, height))

    def annotate(
        self,
        ax: Axes,
        *,
        title: str | None,
        title_key: str,
        xlabel: str | None,
        ylabel: str | None = None,
        title_pad: float = 10,
    ) -> None:
        """The title (the caller's, else the chart's own in its language) and axis labels."""
        text = self.theme.label(title_key) if title is None else title
        ax.set_title(text, loc="left", pad=title_pad)
        if xlabel is not None:
            ax.set_xlabel(xlabel)
        if ylabel is not None:
            ax.set_ylabel(ylabel)

    def frame_bars(
        self,
        ax: Axes,
        values: Any,
        *,
        headroom: float,
        title: str | None,
        title_key: str,
        ticks: Any = None,
        xlabel: str | None = None,
    ) -> None:
        """The frame of horizontal donor bars: the donor axis, the value axis (``ticks``, by
        default money in the chart's unit) from 0 to the largest of ``values`` times
        ``headroom``, the title and the value-axis label (by default the unit)."""
        locale = self.theme.locale
        donor_axis(ax, self)
        set_value_axis(ax, money_ticks(self.unit, locale) if ticks is None else ticks, "x")
        value_limits(ax, values, headroom=headroom)
        label = self.unit.describe(locale) if xlabel is None else xlabel
        self.annotate(ax, title=title, title_key=title_key, xlabel=label)

    def footnote(self, footnote: bool | str, *, source: str | None, extra: str | None) -> str:
        """The footnote text (see :func:`footnote_for`), with what the table left out."""
        return footnote_for(
            footnote, self.data, self.theme, self.unit, source=source,
            left_out=self.left_out, extra=extra,
        )

    def finish(
        self,
        ax: Axes,
        *,
        footnote: bool | str,
        source: str | None,
        extra: str | None = None,
        legend: bool = False,
    ) -> Axes:
        """The footnote under ``ax``, the legend beside it (``legend=True``), and this
        chart's fonts on every text aidcalc wrote; returns ``ax``."""
        add_footnote(ax, self.footnote(footnote, source=source, extra=extra))
        if legend:
            legend_outside(ax)
        self.theme.apply_fonts(ax)
        return ax

    def annotate_figure(
        self, fig: Figure, *, title: str | None, title_key: str, xlabel: str
    ) -> None:
        """The title and the value label of a figure of panels."""
        text = self.theme.label(title_key) if title is None else title
        fig.suptitle(text, x=0.01, ha="left", fontsize=12, fontweight="bold")
        fig.supxlabel(xlabel, fontsize=9.5)

    def finish_figure(
        self,
        fig: Figure,
        axes: Sequence[Axes],
        *,
        footnote: bool | str,
        source: str | None,
        extra: str | None = None,
    ) -> None:
        """The footnote at the bottom of ``fig`` and this chart's fonts on every text
        aidcalc wrote on it and its ``axes``."""
        add_figure_footnote(fig, self.footnote(footnote, source=source, extra=extra))
        self.theme.apply_fonts(fig, *axes)


def setup_chart(
    table: pd.DataFrame,
    data: Any,
    *,
    donor: str,
    locale: LocaleLike,
    highlight: str | Sequence[str] | None,
    palette: Any,
    names: Sequence[str] | None = None,
    hues: Sequence[str] | None = None,
    colour: Callable[[str], str] = donor_colour,
) -> ChartSetup:
    """The set-up of a chart that draws ``table`` (the output of its ``*_table`` function).

    Resolves the locale (fonts; a warning when the language has no texts), reads the unit
    from ``table.attrs["unit"]``, takes the donors in the table's order (or ``names``),
    resolves ``highlight`` among them and ``palette`` for ``hues`` (default: the donors),
    ``colour`` giving aidcalc's fixed colour of a level.

    Examples
    --------
    >>> import pandas as pd
    >>> from aidcalc.plot import donors_table
    >>> df = pd.DataFrame({"donor": ["JPN", "DEU"], "v": [2e9, 1e9]})
    >>> table = donors_table(df, value="v", by=None, unit="EUR")
    >>> chart = setup_chart(table, df, donor="donor", locale="en", highlight=["DEU"],
    ...     palette=None)
    >>> chart.names, chart.strong, chart.unit.code, chart.fmt(2e9), chart.colours["JPN"]
    (['JPN', 'DEU'], {'DEU'}, 'current EUR', '€2B', '#CC6677')
    """
    theme = make_theme(locale)
    unit = Unit.parse(table.attrs[UNIT])
    donors = [str(d) for d in (dict.fromkeys(table[donor]) if names is None else names)]
    strong = highlighted(donors, highlight)
    fmt = amount_formatter(unit, theme.locale)
    levels = donors if hues is None else [str(h) for h in hues]
    return ChartSetup(
        table=table,
        data=data if isinstance(data, pd.DataFrame) else pd.DataFrame(),
        theme=theme,
        unit=unit,
        fmt=fmt,
        names=donors,
        strong=strong,
        colours=resolve_palette(palette, levels, colour),
    )


def tag_bars(
    bars: BarContainer, codes: Sequence[str], strong: set[str], level: str | None = None
) -> None:
    """Name each bar by its donor (``"JPN"``, or ``"JPN|energy"`` with ``level``) in its gid
    and fade the bars of donors not highlighted."""
    for patch, code in zip(bars.patches, codes, strict=True):
        patch.set_gid(code if level is None else f"{code}|{level}")
        if code not in strong:
            patch.set_alpha(FADED)


def donor_axis(ax: Axes, chart: ChartSetup, *, ticks: bool = True) -> None:
    """The donor axis of horizontal bars: a row per donor, the first on top, labelled with
    the donors' names (``ticks=False``: unlabelled, for panels beside the first)."""
    if ticks:
        style_donor_ticks(ax, chart.y, chart.names, chart.theme, chart.strong)
    else:
        ax.tick_params(axis="y", length=0)
    ax.set_ylim(-0.6, chart.n - 0.4)


def value_limits(ax: Axes, values: Any, *, headroom: float, top: float | None = None) -> None:
    """The x axis from 0 (or the lowest value, when negative) to the largest value (or
    ``top``) times ``headroom``, room for the labels at the bar ends."""
    arr = np.asarray(values, dtype="float64")
    low = min(0.0, float(arr.min())) if arr.size else 0.0
    high = top if top is not None else float(arr.max()) if arr.size else 1.0
    ax.set_xlim(low, (high or 1.0) * headroom)


def highlighted(donors: Sequence[str], highlight: str | Sequence[str] | None) -> set[str]:
    """The donors drawn in full colour (all of them when ``highlight`` is None)."""
    codes = resolve_members(highlight, option="highlight")
    return set(donors) if codes is None else set(codes) & set(donors)


def style_donor_ticks(
    ax: Axes, positions: np.ndarray, donors: Sequence[str], theme: Theme, strong: set[str]
) -> None:
    """Donor names (localised) as y tick labels, bottom to top; donors not highlighted in
    grey."""
    pairs = sorted(zip(np.asarray(positions, dtype=float).tolist(), donors, strict=True))
    donors = [d for _y, d in pairs]
    ax.set_yticks([y for y, _d in pairs], labels=[donor_label(d, theme.locale) for d in donors])
    for tick, code in zip(ax.get_yticklabels(), donors, strict=False):
        if code not in strong:
            tick.set_color("#888888")
    ax.tick_params(axis="y", length=0)


def value_label(ax: Axes, x: float, y: float, text: str, *, size: float = 8.5) -> None:
    """A value written just right of the end of a horizontal bar."""
    ax.annotate(
        text,
        xy=(x if x > 0 else 0, y),
        xytext=(3, 0),
        textcoords="offset points",
        ha="left",
        va="center",
        fontsize=size,
        color="#333333",
        gid=VALUE_LABEL_GID,
        annotation_clip=False,
    )


def footnote_for(
    footnote: bool | str,
    data: pd.DataFrame,
    theme: Theme,
    unit: Unit | None,
    *,
    source: str | None,
    left_out: Sequence[dict[str, Any]] = (),
    extra: str | None = None,
) -> str:
    """The footnote text: built from the data (``True``), the caller's own text, or none
    (``False``); what the chart leaves out is said in every case."""
    note = left_out_note(left_out, theme, unit)
    if footnote is True:
        return footnote_text(data, theme, unit, source=source, left_out=note, extra=extra)
    if footnote:
        return join_sentences([str(footnote), note, extra or ""])
    return note


def _column_name(column: str, theme: Theme) -> str:
    key = f"col_{column}"
    return theme.label(key) if has_label(key) else column


def left_out_note(records: Sequence[dict[str, Any]], theme: Theme, unit: Unit | None) -> str:
    """One sentence per reason rows were left out: how many rows, how much money (in the
    chart's unit and locale; the amounts as announced when the value itself is missing)
    and why, in the chart's language.

    Examples
    --------
    >>> from aidcalc.plot._style import make_theme
    >>> rec = {"reason": "outside", "params": {"members": "G7"}, "rows": 2,
    ...        "amount": 1.5e9, "as_announced": {}}
    >>> left_out_note([rec], make_theme("de"), Unit("EUR", 2024))
    'Nicht in dieser Grafik: 2 Zeilen, 1,5 Mrd. € (Geber nicht unter G7).'
    >>> rec = {"reason": "not_converted", "params": {}, "rows": 1, "amount": float("nan"),
    ...        "as_announced": {"JPY": 1.9e12}}
    >>> print(left_out_note([rec], make_theme("en"), Unit("EUR", 2024)))
    Left out of this chart: 1 row, ¥1.9T as announced (no amount in constant 2024 EUR, reason in the error column).
    """  # noqa: E501
    if not records:
        return ""
    from babel.numbers import format_decimal

    from .._money._formatting import format_amount

    fmt = amount_formatter(unit, theme.locale) if unit is not None else None
    sep = theme.label("list_sep")
    parts = []
    for rec in records:
        params = dict(rec.get("params") or {})
        reason = str(rec["reason"])
        if reason == "no_key":
            params["columns"] = " / ".join(
                _column_name(c, theme) for c in params.get("columns", [])
            )
        if reason == "not_converted":
            params["unit"] = unit.prices(theme.locale) if unit is not None else ""
        why = theme.label(f"reason_{reason}").format(**params)
        amount = float(rec.get("amount", float("nan")))
        announced = rec.get("as_announced") or {}
        if np.isfinite(amount) and fmt is not None:
            money = fmt(amount)
        elif announced:
            money = theme.label("amount_as_announced").format(
                amounts=sep.join(
                    format_amount(v, currency=c, locale=theme.locale)
                    for c, v in announced.items()
                )
            )
        else:
            money = theme.label("amount_unknown")
        count = int(rec["rows"])
        rows = plural_label("rows", count, theme.locale,
                            n=format_decimal(count, locale=theme.locale))
        parts.append(
            theme.label("note_left_out").format(rows=rows, amount=money, reason=why)
        )
    return join_sentences(parts)


def resolve_palette(
    palette: Any, levels: Sequence[str], default: Callable[[str], str], *, option: str = "palette"
) -> dict[str, str]:
    """A colour per level, the seaborn way: ``None`` (aidcalc's fixed colours), the name of
    a matplotlib colormap, a list of colours (used in turn) or a dict keyed by level.

    Examples
    --------
    >>> resolve_palette(["red", "#00ff00"], ["a", "b", "c"], str)
    {'a': '#ff0000', 'b': '#00ff00', 'c': '#ff0000'}
    >>> resolve_palette({"a": "blue"}, ["a"], str)
    {'a': '#0000ff'}
    >>> resolve_palette("tab10", ["a", "b"], str)
    {'a': '#1f77b4', 'b': '#ff7f0e'}
    """
    from matplotlib.colors import ListedColormap, to_hex

    levels = [str(v) for v in levels]

    def colour(value: Any, what: str) -> str:
        try:
            return to_hex(value)
        except (ValueError, TypeError):
            raise ValidationError(
                f"{option}: {value!r} ({what}) is not a colour matplotlib knows", problems=None
            ) from None

    if palette is None:
        return {lvl: default(lvl) for lvl in levels}
    if isinstance(palette, Mapping):
        given = {str(k): v for k, v in palette.items()}
        reject_unknown(levels, given,
                       "{option} has no colour for {unknown} (it has {known}): give every "
                       "level one", option=option, known=join_values(list(given)))
        return {lvl: colour(given[lvl], lvl) for lvl in levels}
    if isinstance(palette, str):
        import matplotlib as mpl

        try:
            cmap = mpl.colormaps[palette]
        except KeyError:
            raise ValidationError(
                f"{option}={palette!r} is not the name of a matplotlib colormap (e.g. "
                f"'tab10', 'viridis'); pass a list of colours or a dict keyed by level",
                problems=None,
            ) from None
        n = len(levels)
        if isinstance(cmap, ListedColormap) and cmap.N <= 20:
            colours = [cmap(i % cmap.N) for i in range(n)]
        else:
            colours = [cmap(x) for x in (np.linspace(0, 1, n) if n > 1 else [0.5] * n)]
        return {lvl: colour(c, lvl) for lvl, c in zip(levels, colours, strict=True)}
    colours = list(palette)
    if not colours:
        raise ValidationError(f"{option} is an empty list of colours", problems=None)
    return {lvl: colour(colours[i % len(colours)], lvl) for i, lvl in enumerate(levels)}


def legend_outside(ax: Axes, **kwargs: Any) -> None:
    """The legend to the right of the plot, out of the way of bars and labels."""
    handles, labels = ax.get_legend_handles_labels()
    if handles:
        ax.legend(handles, labels, loc="upper left", bbox_to_anchor=(1.01, 1.0), **kwargs)
