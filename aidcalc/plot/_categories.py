"""Small multiples: one panel per category, the donors compared within each."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from .._locale import LocaleLike
from ._common import (
    footnote_for,
    highlighted,
    keep_members,
    style_donor_ticks,
    sum_by,
    value_label,
)
from ._style import (
    CATEGORY_ORDER,
    add_figure_footnote,
    amount_formatter,
    category_colour,
    chart,
    check_frame,
    donor_colour,
    infer_unit,
    make_theme,
    ordered,
    set_value_axis,
)

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
    col_wrap: int = 3,
    sharex: bool = False,
    title: str | None = None,
    source: str | None = None,
    footnote: bool | str = True,
    missing: str = "raise",
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
        Passed to :meth:`matplotlib.axes.Axes.barh`.

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
    frame, dropped = check_frame(data, [donor, by], value=value, missing=missing)
    theme = make_theme(locale)
    unit_ = infer_unit(frame, value, unit)
    frame = keep_members(frame, donor, members)
    table = sum_by(frame, [donor, by], value).unstack(fill_value=0.0)  # type: ignore[arg-type]  # pandas-stubs omit float fill values
    totals = table.sum(axis=1).sort_values(ascending=True, kind="stable")
    table = table.loc[totals.index, ordered([str(c) for c in table.columns], CATEGORY_ORDER)]
    names = [str(d) for d in table.index]
    strong = highlighted(names, highlight)
    fmt = amount_formatter(unit_, theme.locale)
    ticks = amount_formatter(unit_, theme.locale, tight=True)  # small panels
    n = table.shape[1]
    ncols = max(1, min(col_wrap, n))
    nrows = math.ceil(n / ncols)
    y = np.arange(len(names), dtype=float)
    with chart(theme):
        if fig is None:
            import matplotlib.pyplot as plt

            fig = plt.figure(
                figsize=(4.3 * ncols + 1.2, (0.32 * len(names) + 1.1) * nrows + 0.9),
                layout="constrained",
            )
        grid = fig.subplots(nrows, ncols, sharex="all" if sharex else "none", sharey=True,
                            squeeze=False)
        flat = grid.ravel()
        for extra in flat[n:]:
            extra.remove()
        axes = flat[:n]
        top = float(table.to_numpy().max()) if table.size else 1.0
        for ax, cat in zip(axes, table.columns, strict=True):
            widths = table[cat].to_numpy()
            bars = ax.barh(
                y, widths, height=0.7, color=[donor_colour(d) for d in names], **kwargs
            )
            for patch, code in zip(bars.patches, names, strict=True):
                patch.set_gid(f"{code}|{cat}")
                if code not in strong:
                    patch.set_alpha(0.3)
            for yi, width in zip(y, widths, strict=True):
                if width != 0:
                    value_label(ax, width, yi, fmt(width), size=7.5)
            ax.set_title(theme.label(str(cat)), fontsize=10.5, loc="left", color=category_colour(
                str(cat)) if str(cat) != "other" else "#555555")
            set_value_axis(ax, ticks, "x")
            ax.xaxis.get_major_locator().set_params(nbins=3)
            ax.tick_params(axis="x", labelbottom=True)
            panel_top = top if sharex else float(widths.max() or 1.0)
            ax.set_xlim(0.0, (panel_top or 1.0) * 1.35)
            if ax.get_subplotspec().is_first_col():
                style_donor_ticks(ax, y, names, theme, strong)
            else:
                ax.tick_params(axis="y", length=0)
            theme.apply_ticks(ax)
        fig.suptitle(
            theme.label("title_categories") if title is None else title,
            x=0.01,
            ha="left",
            fontsize=12,
            fontweight="bold",
        )
        fig.supxlabel(unit_.describe(theme.locale), fontsize=9.5)
        extra = None if sharex else theme.label("note_own_scale")
        text = footnote_for(
            footnote, frame, theme, unit_, source=source, dropped=dropped, extra=extra
        )
        add_figure_footnote(fig, text)
    return np.asarray(axes, dtype=object)
