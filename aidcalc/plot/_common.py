"""Steps every chart shares: checking and summing the data, titles, labels and footnotes."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from .._base._errors import AggregationError, ValidationError, join_values
from .._base._labels import has_label, plural_label
from ._style import (
    VALUE_LABEL_GID,
    Theme,
    Unit,
    add_footnote,
    amount_formatter,
    donor_label,
    footnote_text,
    join_sentences,
    resolve_members,
)

if TYPE_CHECKING:
    from matplotlib.axes import Axes


def keep_members(
    frame: pd.DataFrame, donor: str, members: str | Sequence[str] | None
) -> pd.DataFrame:
    """Only the rows of ``members`` (a group name such as ``"G7"`` or a list of codes)."""
    codes = resolve_members(members)
    if codes is None:
        return frame
    kept = frame[frame[donor].astype(str).isin(codes)]
    if kept.empty:
        present = sorted(frame[donor].astype(str).unique())
        raise AggregationError(
            f"none of the donors {join_values(codes)} is in the data (donors present: "
            f"{join_values(present)})",
            members=codes,
        )
    return kept


def highlighted(donors: Sequence[str], highlight: str | Sequence[str] | None) -> set[str]:
    """The donors drawn in full colour (all of them when ``highlight`` is None)."""
    codes = resolve_members(highlight)
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


def finish(
    ax: Axes,
    theme: Theme,
    *,
    data: pd.DataFrame,
    unit: Unit | None,
    title: str | None,
    title_key: str,
    xlabel: str | None,
    ylabel: str | None = None,
    source: str | None,
    footnote: bool | str,
    left_out: Sequence[dict[str, Any]] = (),
    extra: str | None = None,
    title_pad: float = 10,
) -> None:
    """Title, axis labels and footnote (with what the chart leaves out)."""
    ax.set_title(theme.label(title_key) if title is None else title, loc="left", pad=title_pad)
    if xlabel is not None:
        ax.set_xlabel(xlabel)
    if ylabel is not None:
        ax.set_ylabel(ylabel)
    add_footnote(
        ax,
        footnote_for(footnote, data, theme, unit, source=source, left_out=left_out, extra=extra),
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
        lacking = [lvl for lvl in levels if lvl not in given]
        if lacking:
            raise ValidationError(
                f"{option} has no colour for {join_values(lacking)} (it has "
                f"{join_values(list(given))}): give every level one",
                problems=None,
            )
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
