"""Small multiples: one panel per category, the donors compared within each."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from .._base._locale import LocaleLike
from ._common import (
    footnote_for,
    highlighted,
    resolve_palette,
    style_donor_ticks,
    value_label,
)
from ._style import (
    CATEGORY_ORDER,
    Unit,
    add_figure_footnote,
    amount_formatter,
    category_colour,
    donor_colour,
    make_theme,
    money_ticks,
    ordered,
    set_value_axis,
)
from ._tables import LEFT_OUT, UNIT, categories_table

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["categories"]


def categories(
    data: pd.DataFrame,
    *,
    value: str,
    donor: str = "donor",
    by: str = "category",
    unit: str | None = None,
    locale: LocaleLike = "en",
    members: str | Sequence[str] | None = None,
    highlight: str | Sequence[str] | None = None,
    order: Sequence[str] | None = None,
    col_order: Sequence[str] | None = None,
    palette: Any = None,
    col_wrap: int = 3,
    sharex: bool = False,
    title: str | None = None,
    source: str | None = None,
    footnote: bool | str = True,
    missing: str = "drop",
    fig: Figure | None = None,
    **kwargs: Any,
) -> np.ndarray:
    """One panel per category (small multiples), donors as bars in the same order in each.

    Unlike the other chart functions this one draws a whole figure, so it takes ``fig`` (a new
    figure when None) instead of ``ax`` and returns the panels.

    Parameters
    ----------
    data
        Pledges in one unit with a category column.
    by
        The column that makes the panels.
    order, col_order
        Donors (top to bottom, the same in every panel) and categories (one panel each) to
        draw, as in seaborn's ``catplot``; rows of other levels are left out and the footnote
        says so. The numbers drawn are :func:`aidcalc.plot.categories_table`.
    palette
        Donor colours: a matplotlib colormap name, a list of colours or a dict keyed by donor.
    col_wrap
        Panels per row.
    sharex
        ``False`` (default): each panel has its own scale, so donors can be compared within
        every category even when one category is much larger; ``True``: one scale for all
        panels (bar lengths comparable across panels).
    value, donor, unit, locale, members, highlight, title, source, footnote, missing
        As in :func:`aidcalc.plot.donors`.
    fig
        The figure to draw in (its existing content is kept); a new one when None.
    **kwargs
        Passed to :meth:`matplotlib.axes.Axes.barh` (they win over aidcalc's settings).

    Returns
    -------
    numpy.ndarray
        The Axes, one per category in the fixed category order (energy, demining,
        reconstruction, ...); ``axes[0].figure`` is the figure.

    Examples
    --------
    >>> import pandas as pd
    >>> import aidcalc.plot
    >>> df = pd.DataFrame({"donor": ["JPN", "DEU", "DEU"], "category": ["energy", "energy",
    ...     "demining"], "amount_EUR_2024": [1e9, 2e9, 5e8]})
    >>> axes = aidcalc.plot.categories(df, value="amount_EUR_2024", locale="de")
    >>> [ax.get_title(loc="left") for ax in axes]
    ['Energie', 'Minenräumung']
    """
    table = categories_table(
        data, value=value, donor=donor, by=by, unit=unit, members=members, order=order,
        col_order=col_order, missing=missing,
    )
    theme = make_theme(locale)
    unit_ = Unit.parse(table.attrs[UNIT])
    panels = (
        [str(c) for c in col_order]
        if col_order is not None
        else ordered(table[by].astype(str).unique(), CATEGORY_ORDER)
    )
    names = (
        [str(d) for d in order]
        if order is not None
        else [str(d) for d in dict.fromkeys(_donor_rank(table, donor, value))]
    )
    strong = highlighted(names, highlight)
    colours = resolve_palette(palette, names, donor_colour)
    fmt = amount_formatter(unit_, theme.locale)
    n = len(panels)
    ncols = max(1, min(col_wrap, n))
    nrows = max(1, math.ceil(n / ncols))
    y = np.arange(len(names), dtype=float)[::-1]  # first on top
    ypos = dict(zip(names, y, strict=True))
    if fig is None:
        import matplotlib.pyplot as plt

        fig = plt.figure(
            figsize=(4.3 * ncols + 1.2, (0.32 * len(names) + 1.1) * nrows + 0.9),
            layout="constrained",
        )
    grid = fig.subplots(nrows, ncols, sharex="all" if sharex else "none", sharey=True,
                        squeeze=False)
    flat = grid.ravel()
    for spare in flat[n:]:
        spare.remove()
    axes = flat[:n]
    top = float(table[value].max()) if len(table) else 1.0
    for ax, cat in zip(axes, panels, strict=True):
        rows = table[table[by].astype(str) == cat]
        codes = [str(d) for d in rows[donor]]
        widths = rows[value].to_numpy(dtype="float64")
        style: dict[str, Any] = {
            "height": 0.7, "color": [colours[d] for d in codes], **kwargs
        }
        bars = ax.barh([ypos[d] for d in codes], widths, **style)
        for patch, code in zip(bars.patches, codes, strict=True):
            patch.set_gid(f"{code}|{cat}")
            if code not in strong:
                patch.set_alpha(0.3)
        for code, width in list(zip(codes, widths, strict=True))[::-1]:  # bottom to top
            value_label(ax, width, ypos[code], fmt(width), size=7.5)
        ax.set_title(theme.label(cat), fontsize=10.5, loc="left", color=category_colour(
            cat) if cat != "other" else "#555555")
        set_value_axis(ax, money_ticks(unit_, theme.locale, tight=True), "x")
        ax.xaxis.get_major_locator().set_params(nbins=3)
        ax.tick_params(axis="x", labelbottom=True)
        panel_top = top if sharex else float(widths.max()) if len(widths) else 1.0
        ax.set_xlim(min(0.0, float(widths.min()) if len(widths) else 0.0),
                    (panel_top or 1.0) * 1.35)
        ax.set_ylim(-0.6, len(names) - 0.4)
        if ax.get_subplotspec().is_first_col():
            style_donor_ticks(ax, y, names, theme, strong)
        else:
            ax.tick_params(axis="y", length=0)
    fig.suptitle(
        theme.label("title_categories") if title is None else title,
        x=0.01,
        ha="left",
        fontsize=12,
        fontweight="bold",
    )
    fig.supxlabel(unit_.describe(theme.locale), fontsize=9.5)
    extra = None if sharex else theme.label("note_own_scale")
    frame = data if isinstance(data, pd.DataFrame) else pd.DataFrame()
    text = footnote_for(
        footnote, frame, theme, unit_, source=source, left_out=table.attrs[LEFT_OUT],
        extra=extra,
    )
    add_figure_footnote(fig, text)
    theme.apply_fonts(fig, *axes)
    return np.asarray(axes, dtype=object)


def _donor_rank(table: pd.DataFrame, donor: str, value: str) -> list[str]:
    """Donors by total over all panels, largest first."""
    totals = table.groupby(donor, sort=False)[value].sum()
    return [str(d) for d in totals.sort_values(ascending=False, kind="stable").index]
