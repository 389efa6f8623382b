"""Donor rankings: amounts stacked by category, and the same donors as a share of their GDP."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, cast

import numpy as np
import pandas as pd

from .._locale import LocaleLike
from ._common import (
    finish,
    highlighted,
    keep_members,
    legend_outside,
    style_donor_ticks,
    sum_by,
    value_label,
)
from ._style import (
    CATEGORY_ORDER,
    amount_formatter,
    category_colour,
    chart,
    check_frame,
    donor_colour,
    infer_unit,
    make_theme,
    new_axes,
    ordered,
    percent_digits,
    percent_formatter,
    set_value_axis,
)

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["donors", "share_of_gdp"]


def donors(
    data: pd.DataFrame,
    *,
    value: str,
    donor: str = "donor",
    by: str | None = "category",
    unit: str | None = None,
    locale: LocaleLike = "en",
    members: str | Sequence[str] | None = None,
    highlight: str | Sequence[str] | None = None,
    totals: bool = True,
    title: str | None = None,
    source: str | None = None,
    footnote: bool | str = True,
    missing: str = "raise",
    ax: Axes | None = None,
    **kwargs: Any,
) -> Axes:
    """Horizontal bars per donor, stacked by category, largest donor on top, totals at the ends.

    Parameters
    ----------
    data
        Pledges (one row each, or already summed rows) in one unit, e.g. the output of
        :func:`aidcalc.normalise`. Rows are summed per donor and category.
    value
        The column to plot, e.g. ``"amount_EUR_2024"``.
    donor, by
        The donor column and the column the bars are stacked by (``None``: one bar per donor).
    unit
        What ``value`` is in, e.g. ``"constant 2024 EUR"``; by default read from the
        ``price_base`` column, the column name (``amount_EUR_2024``) or a single ``currency``.
    locale
        Language of labels and numbers (``"de"``, ``"ja"``, ...).
    members
        Keep only these donors: a group name known to :func:`aidcalc.get_groups` (``"G7"``) or
        a list of codes.
    highlight
        Draw only these donors (group name or codes) in full colour, the others faded.
    totals
        Write each donor's total at the end of its bar.
    title, source
        Chart title (default: a localised generic title) and the data source for the footnote.
    footnote
        ``True``: source, price base, deflators and exchange rates (read from the provenance
        columns); a string: that text; ``False``: none.
    missing
        ``"raise"`` (default) when rows lack a value, donor or category; ``"drop"`` leaves them
        out and says so in the footnote.
    ax
        Axes to draw on; a new figure when None.
    **kwargs
        Passed to :meth:`matplotlib.axes.Axes.barh`.

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    AggregationError
        Values in several currencies or price bases, rows of several kinds (pledges and
        totals-to-date), or rows without a value.
    ValidationError
        A column is missing or the value column does not hold numbers.

    Examples
    --------
    >>> import pandas as pd
    >>> import aidcalc.plot
    >>> df = pd.DataFrame({"donor": ["JPN", "JPN", "DEU"], "category": ["energy", "demining",
    ...     "energy"], "amount_EUR_2024": [3e9, 1e9, 2.5e9]})
    >>> ax = aidcalc.plot.donors(df, value="amount_EUR_2024")
    >>> [t.get_text() for t in ax.get_yticklabels()]
    ['Germany', 'Japan']
    >>> ax.get_xlabel()
    'Euros, constant 2024 prices'
    """
    keys = [donor] if by is None else [donor, by]
    frame, dropped = check_frame(data, keys, value=value, missing=missing)
    theme = make_theme(locale)
    unit_ = infer_unit(frame, value, unit)
    frame = keep_members(frame, donor, members)
    if by is None:
        table = sum_by(frame, [donor], value).to_frame("all")
    else:
        table = sum_by(frame, [donor, by], value).unstack(fill_value=0.0)  # type: ignore[arg-type]  # pandas-stubs omit float fill values
    totals_ = table.sum(axis=1).sort_values(ascending=True, kind="stable")
    table = table.loc[totals_.index, ordered(table.columns, CATEGORY_ORDER)]
    names = [str(d) for d in table.index]
    strong = highlighted(names, highlight)
    fmt = amount_formatter(unit_, theme.locale)
    y = np.arange(len(table), dtype=float)
    with chart(theme):
        ax = new_axes(ax, (9.0, 0.45 * len(table) + 2.2))
        left = np.zeros(len(table))
        for cat in table.columns:
            widths = table[cat].to_numpy()
            bars = ax.barh(
                y,
                widths,
                left=left,
                height=0.72,
                color=category_colour(str(cat)),
                edgecolor="white",
                linewidth=0.6,
                label=theme.label(str(cat)) if by is not None else None,
                **kwargs,
            )
            for patch, code in zip(bars.patches, names, strict=True):
                patch.set_gid(f"{code}|{cat}")
                if code not in strong:
                    patch.set_alpha(0.3)
            left = left + widths
        if totals:
            for yi, total in zip(y, totals_.to_numpy(), strict=True):
                value_label(ax, total, yi, fmt(total))
        style_donor_ticks(ax, y, names, theme, strong)
        set_value_axis(ax, fmt, "x")
        top = float(max(totals_.max(), 0.0)) if len(totals_) else 1.0
        ax.set_xlim(min(0.0, float(table.min().min())), (top or 1.0) * (1.18 if totals else 1.03))
        ax.set_ylim(-0.6, len(table) - 0.4)
        finish(
            ax,
            theme,
            data=frame,
            unit=unit_,
            title=title,
            title_key="title_donors",
            xlabel=unit_.describe(theme.locale),
            source=source,
            footnote=footnote,
            dropped=dropped,
        )
        if by is not None:
            legend_outside(ax)
    return ax


def share_of_gdp(
    data: pd.DataFrame,
    *,
    value: str,
    share: str = "pct_of_gdp",
    donor: str = "donor",
    unit: str | None = None,
    gdp_year: int | None = None,
    locale: LocaleLike = "en",
    members: str | Sequence[str] | None = None,
    highlight: str | Sequence[str] | None = None,
    title: str | None = None,
    source: str | None = None,
    footnote: bool | str = True,
    missing: str = "raise",
    ax: Axes | None = None,
    **kwargs: Any,
) -> Axes:
    """Donors ranked by aid as a percentage of their GDP, each bar labelled with the absolute
    amount and its rank by amount, so the two rankings can be read side by side.

    Parameters
    ----------
    data
        Pledges in one unit. When the column ``share`` is absent it is computed with
        :func:`aidcalc.share_of_gdp` (``gdp_year`` fixes the GDP year; by default each row's
        own year).
    value
        The amount column (summed per donor for the labels and ranks).
    share
        The column of percentages of GDP (summed per donor: shares of one donor's GDP add up).
    donor, unit, locale, members, highlight, title, source, footnote, missing, ax
        As in :func:`donors`.
    **kwargs
        Passed to :meth:`matplotlib.axes.Axes.barh`.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import pandas as pd
    >>> import aidcalc.plot
    >>> df = pd.DataFrame({"donor": ["USA", "EST"], "amount_USD_2024": [5e10, 1e9],
    ...     "pct_of_gdp": [0.2, 2.5]})
    >>> ax = aidcalc.plot.share_of_gdp(df, value="amount_USD_2024")
    >>> [t.get_text() for t in ax.get_yticklabels()]
    ['United States', 'Estonia']
    >>> [float(p.get_width()) for p in ax.patches]
    [0.2, 2.5]
    """
    frame, dropped = check_frame(data, [donor], value=value, missing=missing)
    theme = make_theme(locale)
    unit_ = infer_unit(frame, value, unit)
    frame = keep_members(frame, donor, members)
    if share not in frame.columns:
        from .._relative import share_of_gdp as compute_share

        frame = compute_share(frame, value=value, donor=donor, gdp_year=gdp_year, out=share)
    frame, dropped_share = check_frame(frame, [donor], value=share, missing=missing)
    dropped += dropped_share
    table = pd.DataFrame(
        {"value": sum_by(frame, [donor], value), "share": sum_by(frame, [donor], share)}
    )
    table["rank"] = table["value"].rank(ascending=False, method="min").astype(int)
    table = table.sort_values("share", ascending=True, kind="stable")
    names = [str(d) for d in table.index]
    strong = highlighted(names, highlight)
    fmt = amount_formatter(unit_, theme.locale)
    pct = percent_formatter(theme.locale, percent_digits(table["share"]))
    y = np.arange(len(table), dtype=float)
    template = theme.label("share_rank")
    with chart(theme):
        ax = new_axes(ax, (9.0, 0.45 * len(table) + 2.2))
        bars = ax.barh(
            y,
            table["share"].to_numpy(),
            height=0.72,
            color=[donor_colour(d) for d in names],
            **kwargs,
        )
        for patch, code in zip(bars.patches, names, strict=True):
            patch.set_gid(code)
            if code not in strong:
                patch.set_alpha(0.3)
        for yi, row in zip(y, table.itertuples(), strict=True):
            row_share = cast(float, row.share)  # float columns of `table`
            row_value = cast(float, row.value)
            text = template.format(share=pct(row_share), amount=fmt(row_value), rank=row.rank)
            value_label(ax, row_share, yi, text)
        style_donor_ticks(ax, y, names, theme, strong)
        top = float(table["share"].max()) if len(table) else 1.0
        tick_digits = int(np.clip(np.ceil(-np.log10((top or 1.0) / 5)), 0, 4))
        set_value_axis(ax, percent_formatter(theme.locale, tick_digits), "x")
        ax.set_xlim(0.0, (top or 1.0) * 1.75)
        ax.set_ylim(-0.6, len(table) - 0.4)
        finish(
            ax,
            theme,
            data=frame,
            unit=unit_,
            title=title,
            title_key="title_share_of_gdp",
            xlabel=theme.label("unit_share"),
            source=source,
            footnote=footnote,
            dropped=dropped,
        )
    return ax
