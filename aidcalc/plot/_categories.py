"""Small multiples: one panel per category, the donors compared within each; with the table
it draws (:func:`categories_table`)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from .._base._locale import LocaleLike
from ._common import ChartSetup, donor_axis, setup_chart, tag_bars, value_label, value_limits
from ._donors import donors_table
from ._style import (
    CATEGORY_ORDER,
    category_colour,
    money_ticks,
    ordered,
    set_value_axis,
)
from ._tables import ROWS, option_levels

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["categories", "categories_table"]


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
    panels = (
        [str(c) for c in col_order]
        if col_order is not None
        else ordered(table[by].astype(str).unique(), CATEGORY_ORDER)
    )
    chart = setup_chart(
        table, data, donor=donor, locale=locale, highlight=highlight, palette=palette,
        names=order if order is not None else _donor_rank(table, donor, value),
    )
    fig, axes = _grid(fig, len(panels), len(chart.names), col_wrap=col_wrap, sharex=sharex)
    top = float(table[value].max()) if len(table) else 1.0
    for ax, cat in zip(axes, panels, strict=True):
        rows = table[table[by].astype(str) == cat]
        _panel(ax, chart, cat, rows, value=value, donor=donor, top=top if sharex else None,
               **kwargs)
    chart.annotate_figure(
        fig, title=title, title_key="title_categories",
        xlabel=chart.unit.describe(chart.theme.locale),
    )
    extra = None if sharex else chart.theme.label("note_own_scale")
    chart.finish_figure(fig, axes, footnote=footnote, source=source, extra=extra)
    return np.asarray(axes, dtype=object)


def _grid(
    fig: Figure | None, n: int, rows: int, *, col_wrap: int, sharex: bool
) -> tuple[Figure, list[Axes]]:
    """``n`` panels of ``rows`` bars each, ``col_wrap`` to a row, in ``fig`` (a new figure
    sized for them when None); spare cells of the grid removed."""
    ncols = max(1, min(col_wrap, n))
    nrows = max(1, math.ceil(n / ncols))
    if fig is None:
        import matplotlib.pyplot as plt

        fig = plt.figure(
            figsize=(4.3 * ncols + 1.2, (0.32 * rows + 1.1) * nrows + 0.9),
            layout="constrained",
        )
    grid = fig.subplots(nrows, ncols, sharex="all" if sharex else "none", sharey=True,
                        squeeze=False)
    flat = grid.ravel()
    for spare in flat[n:]:
        spare.remove()
    return fig, list(flat[:n])


def _panel(
    ax: Axes, chart: ChartSetup, cat: str, rows: pd.DataFrame, *, value: str, donor: str,
    top: float | None, **kwargs: Any,
) -> None:
    """One category's panel: the donors' bars with their amounts, the category's name in
    its colour as title, the donors' names only in the first column."""
    codes = [str(d) for d in rows[donor]]
    widths = rows[value].to_numpy(dtype="float64")
    style: dict[str, Any] = {
        "height": 0.7, "color": [chart.colours[d] for d in codes], **kwargs
    }
    bars = ax.barh([chart.ypos[d] for d in codes], widths, **style)
    tag_bars(bars, codes, chart.strong, cat)
    for code, width in list(zip(codes, widths, strict=True))[::-1]:  # bottom to top
        value_label(ax, width, chart.ypos[code], chart.fmt(width), size=7.5)
    colour = category_colour(cat) if cat != "other" else "#555555"
    ax.set_title(chart.theme.label(cat), fontsize=10.5, loc="left", color=colour)
    set_value_axis(ax, money_ticks(chart.unit, chart.theme.locale, tight=True), "x", nbins=3)
    ax.tick_params(axis="x", labelbottom=True)
    value_limits(ax, widths, headroom=1.35, top=top)
    spec = ax.get_subplotspec()
    donor_axis(ax, chart, ticks=spec is not None and spec.is_first_col())


def _donor_rank(table: pd.DataFrame, donor: str, value: str) -> list[str]:
    """Donors by total over all panels, largest first."""
    totals = table.groupby(donor, sort=False, observed=True)[value].sum()
    return [str(d) for d in totals.sort_values(ascending=False, kind="stable").index]


# --- the numbers the chart draws ------------------------------------------------------------------


def categories_table(
    data: pd.DataFrame,
    *,
    value: str,
    donor: str = "donor",
    by: str = "category",
    unit: str | None = None,
    members: str | Sequence[str] | None = None,
    order: Sequence[str] | None = None,
    col_order: Sequence[str] | None = None,
    missing: str = "drop",
) -> pd.DataFrame:
    """The numbers :func:`aidcalc.plot.categories` draws: one row per bar, panels (``by``
    levels, fixed category order or ``col_order``) first, donors within each panel in one
    order for all panels (largest total first, or ``order``). Same sums as
    :func:`donors_table`; ``attrs`` as there.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"donor": ["JPN", "DEU", "DEU"], "category": ["energy", "energy",
    ...     "demining"], "v": [1e9, 2e9, 5e8]})
    >>> categories_table(df, value="v", unit="EUR")
       category donor             v  rows
    0    energy   DEU  2.000000e+09     1
    1    energy   JPN  1.000000e+09     1
    2  demining   DEU  5.000000e+08     1
    """
    wide = donors_table(
        data, value=value, donor=donor, by=by, unit=unit, members=members, order=order,
        hue_order=col_order, missing=missing,
    )
    names = list(dict.fromkeys(wide[donor]))
    panels = (
        option_levels(col_order, "col_order")
        if col_order is not None
        else ordered(wide[by].unique(), CATEGORY_ORDER)
    )
    rank = {d: i for i, d in enumerate(names)}
    prank = {c: i for i, c in enumerate(panels or [])}
    out = wide.assign(_p=wide[by].map(prank), _d=wide[donor].map(rank))
    out = out.sort_values(["_p", "_d"], kind="stable").drop(columns=["_p", "_d"])
    out = out[[by, donor, value, ROWS]].reset_index(drop=True)
    out.attrs.update(wide.attrs)
    return out
