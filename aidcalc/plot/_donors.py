"""Donor rankings: amounts stacked by category, and the same donors as a share of their GDP;
with the tables they draw (:func:`donors_table`, :func:`share_of_gdp_table`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from .._base._errors import AggregationError, describe_rows
from .._base._frame_checks import to_numbers, with_columns
from .._base._locale import LocaleLike
from ._common import (
    ChartSetup,
    setup_chart,
    tag_bars,
    value_label,
)
from ._style import (
    CATEGORY_ORDER,
    category_colour,
    ordered,
    percent_digits,
    percent_formatter,
)
from ._tables import ROWS, donor_order, finish_table, option_levels, prepare, sum_kept
from ._ticks import PercentFormatter

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["donors", "donors_table", "share_of_gdp", "share_of_gdp_table"]


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
    order: Sequence[str] | None = None,
    hue_order: Sequence[str] | None = None,
    palette: Any = None,
    totals: bool = True,
    title: str | None = None,
    source: str | None = None,
    footnote: bool | str = True,
    missing: str = "drop",
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
    order, hue_order
        Donors (top to bottom) and ``by`` levels (left to right) to draw, as in seaborn;
        rows of other levels are left out and the footnote says so (see
        :func:`aidcalc.plot.donors_table`, the numbers this chart draws).
    palette
        Colours of the ``by`` levels (of the donors when ``by`` is None): the name of a
        matplotlib colormap, a list of colours or a dict keyed by level; default aidcalc's
        fixed colour-blind-safe colours.
    totals
        Write each donor's total at the end of its bar.
    title, source
        Chart title (default: a localised generic title) and the data source for the footnote.
    footnote
        ``True``: source, price base, deflators and exchange rates (read from the provenance
        columns); a string: that text; ``False``: none. Rows and money the chart leaves out
        are always said, with their count, amount and reason.
    missing
        ``"drop"`` (default): rows without a value, donor or category are left out and the
        footnote says how many, how much and why; ``"raise"``: they raise.
    ax
        Axes to draw on; a new figure when None.
    **kwargs
        Passed to :meth:`matplotlib.axes.Axes.barh` (they win over aidcalc's settings).

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
    table = donors_table(
        data, value=value, donor=donor, by=by, unit=unit, members=members, order=order,
        hue_order=hue_order, missing=missing,
    )
    levels = _segments(table, by, hue_order)
    chart = setup_chart(
        table, data, donor=donor, locale=locale, highlight=highlight, palette=palette,
        hues=None if by is None else levels,
        colour=_all_colour if by is None else category_colour,
    )
    ax = chart.axes(ax, 0.45 * chart.n + 2.2)
    ends, lowest = _stacked_bars(ax, chart, value=value, donor=donor, by=by, levels=levels,
                                 **kwargs)
    if totals:
        for code in reversed(chart.names):  # bottom to top
            value_label(ax, ends[code], chart.ypos[code], chart.fmt(ends[code]))
    chart.frame_bars(ax, [lowest, 0.0, *ends.values()], headroom=1.18 if totals else 1.03,
                     title=title, title_key="title_donors")
    return chart.finish(ax, footnote=footnote, source=source, legend=by is not None)


def _all_colour(_level: str) -> str:
    return category_colour("all")


def _segments(table: pd.DataFrame, by: str | None, hue_order: Sequence[str] | None) -> list[str]:
    """The ``by`` levels stacked left to right (``hue_order``, else the fixed category
    order); with ``by=None`` one segment, ``"all"``, coloured per donor."""
    if by is None:
        return []
    if hue_order is not None:
        return [str(h) for h in hue_order]
    return ordered(table[by].astype(str).unique(), CATEGORY_ORDER)


def _stacked_bars(
    ax: Axes, chart: ChartSetup, *, value: str, donor: str, by: str | None, levels: list[str],
    **kwargs: Any,
) -> tuple[dict[str, float], float]:
    """One stack of bars per donor, a segment per level; returns where each bar ends and
    the lowest point any segment reaches (below 0 when amounts are negative)."""
    table, theme = chart.table, chart.theme
    ends = dict.fromkeys(chart.names, 0.0)
    lowest = 0.0
    for level in levels if by is not None else ["all"]:
        rows = table if by is None else table[table[by].astype(str) == level]
        if rows.empty and by is not None:
            ax.barh([], [], color=chart.colours[level], label=theme.label(level))  # legend only
            continue
        codes = [str(d) for d in rows[donor]]
        widths = rows[value].to_numpy(dtype="float64")
        lefts = np.array([ends[d] for d in codes])
        style: dict[str, Any] = {
            "height": 0.72,
            "color": [chart.colours[d] for d in codes] if by is None else chart.colours[level],
            "edgecolor": "white",
            "linewidth": 0.6,
            "label": theme.label(level) if by is not None else None,
            **kwargs,
        }
        bars = ax.barh([chart.ypos[d] for d in codes], widths, left=lefts, **style)
        tag_bars(bars, codes, chart.strong, level)
        for patch, code, x0, width in zip(bars.patches, codes, lefts, widths, strict=True):
            # matplotlib measures every width from the first bar's left edge, which loses
            # the digits of small segments after a large one: set the exact numbers
            patch.set_x(float(x0))
            patch.set_width(float(width))
            ends[code] += width
            lowest = min(lowest, ends[code], ends[code] - width)
    return ends, lowest


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
    order: Sequence[str] | None = None,
    palette: Any = None,
    title: str | None = None,
    source: str | None = None,
    footnote: bool | str = True,
    missing: str = "drop",
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
    order, palette
        Donors to draw, top to bottom, and their colours (as in :func:`donors`; the palette
        is keyed by donor).
    donor, unit, locale, members, highlight, title, source, footnote, missing, ax
        As in :func:`donors`. The numbers drawn are :func:`aidcalc.plot.share_of_gdp_table`;
        rows without a share of GDP are left out and the footnote says so.
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
    >>> [float(p.get_width()) for p in ax.patches]  # top to bottom
    [2.5, 0.2]
    """
    table = share_of_gdp_table(
        data, value=value, share=share, donor=donor, unit=unit, gdp_year=gdp_year,
        members=members, order=order, missing=missing,
    )
    chart = setup_chart(
        table, data, donor=donor, locale=locale, highlight=highlight, palette=palette
    )
    ax = chart.axes(ax, 0.45 * chart.n + 2.2)
    shares = table[share].to_numpy(dtype="float64")
    style: dict[str, Any] = {
        "height": 0.72, "color": [chart.colours[d] for d in chart.names], **kwargs
    }
    tag_bars(ax.barh(chart.y, shares, **style), chart.names, chart.strong)
    _rank_labels(ax, chart, shares, table[value].to_numpy(dtype="float64"), table["rank"])
    chart.frame_bars(ax, shares, headroom=1.75, title=title, title_key="title_share_of_gdp",
                     ticks=PercentFormatter(chart.theme.locale),
                     xlabel=chart.theme.label("unit_share"))
    return chart.finish(ax, footnote=footnote, source=source)


def _rank_labels(
    ax: Axes, chart: ChartSetup, shares: np.ndarray, amounts: np.ndarray, ranks: pd.Series
) -> None:
    """Each bar's share, amount and rank by amount at its end, bottom to top."""
    pct = percent_formatter(chart.theme.locale, percent_digits(shares))
    template = chart.theme.label("share_rank")
    rows = list(zip(chart.y, shares, amounts, ranks, strict=True))
    for yi, row_share, row_value, rank in rows[::-1]:
        text = template.format(share=pct(row_share), amount=chart.fmt(row_value), rank=int(rank))
        value_label(ax, row_share, yi, text)


# --- the numbers the chart draws ------------------------------------------------------------------


def donors_table(
    data: pd.DataFrame,
    *,
    value: str,
    donor: str = "donor",
    by: str | None = "category",
    unit: str | None = None,
    members: str | Sequence[str] | None = None,
    order: Sequence[str] | None = None,
    hue_order: Sequence[str] | None = None,
    missing: str = "drop",
) -> pd.DataFrame:
    """The numbers :func:`aidcalc.plot.donors` draws: ``value`` summed by donor and ``by``
    through :func:`aidcalc.aggregate`, one row per bar segment, donors top to bottom (largest
    total first, or ``order``), segments in ``hue_order`` (default: the fixed category order).

    Parameters
    ----------
    data, value, donor, by, unit, members
        As in :func:`aidcalc.plot.donors`.
    order, hue_order
        Donors and ``by`` levels to show, in this order (as in seaborn). Rows of other levels
        are left out and listed in ``attrs["left_out"]``; a level asked for but absent from
        the data is shown as 0 (donors: an empty bar; categories: an empty segment).
    missing
        ``"drop"`` (default): rows without a value or key are left out and listed in
        ``attrs["left_out"]``; ``"raise"``: they raise :class:`aidcalc.AggregationError`.

    Returns
    -------
    pandas.DataFrame
        Columns ``donor``, ``by`` (when not None), ``value`` and ``rows`` (rows summed);
        ``attrs["left_out"]`` (records of rows left out: reason, rows, amount, index) and
        ``attrs["unit"]``.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"donor": ["JPN", "JPN", "DEU", "DEU"], "category": ["energy",
    ...     "demining", "energy", None], "amount_EUR_2024": [3e9, 1e9, 2.5e9, 4e8]})
    >>> t = donors_table(df, value="amount_EUR_2024")
    >>> t
      donor  category  amount_EUR_2024  rows
    0   JPN    energy     3.000000e+09     1
    1   JPN  demining     1.000000e+09     1
    2   DEU    energy     2.500000e+09     1
    >>> [(r["reason"], r["rows"], r["amount"]) for r in t.attrs["left_out"]]
    [('no_key', 1, 400000000.0)]
    """
    keys = [donor] if by is None else [donor, by]
    donors_ = option_levels(order, "order")
    hues = option_levels(hue_order, "hue_order")
    filters: list[tuple[str, Sequence[str] | None, str]] = [(donor, donors_, "order")]
    if by is not None:
        filters.append((by, hues, "hue_order"))
    prep = prepare(
        data, "donors", value=value, keys=keys, missing=missing, unit=unit, donor=donor,
        members=members, filters=filters,
    )
    sums = sum_kept(prep, keys, value)
    totals = sums.groupby(donor, sort=False, observed=True)[value].sum()
    names = donor_order(totals, donors_)
    if by is None:
        table = sums.set_index(donor).reindex(names)
        table[value] = table[value].fillna(0.0)
        table[ROWS] = table[ROWS].fillna(0).astype("int64")
        return finish_table(table.rename_axis(donor).reset_index(), prep)
    levels = hues if hues is not None else ordered(sums[by].unique(), CATEGORY_ORDER)
    wanted = pd.MultiIndex.from_product([names, levels], names=[donor, by])
    table = sums.set_index([donor, by])
    if donors_ is not None or hues is not None:  # levels asked for: shown even when absent
        present = set(table.index)
        extra = [ix for ix in wanted if ix not in present and (
            (hues is not None and ix[1] in hues) or ix[0] not in set(sums[donor])
        )]
        if extra:
            zeros = pd.DataFrame(
                {value: 0.0, ROWS: 0}, index=pd.MultiIndex.from_tuples(extra, names=[donor, by])
            )
            table = pd.concat([table, zeros])
    keep = [ix for ix in wanted if ix in set(table.index)]
    table = table.loc[keep]
    table[ROWS] = table[ROWS].astype("int64")
    return finish_table(table.reset_index(), prep)


def share_of_gdp_table(
    data: pd.DataFrame,
    *,
    value: str,
    share: str = "pct_of_gdp",
    donor: str = "donor",
    unit: str | None = None,
    gdp_year: int | None = None,
    members: str | Sequence[str] | None = None,
    order: Sequence[str] | None = None,
    missing: str = "drop",
) -> pd.DataFrame:
    """The numbers :func:`aidcalc.plot.share_of_gdp` draws: per donor the summed share of
    GDP (the bar), the summed amount and its rank by amount (the label), largest share first
    (or ``order``). Shares are summed through :func:`aidcalc.aggregate` (shares of one
    donor's GDP add up); a row whose share is missing (no GDP for it) is left out and listed
    in ``attrs["left_out"]``.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"donor": ["USA", "EST", "EST"], "v": [5e10, 1e9, 2e8],
    ...     "pct_of_gdp": [0.2, 2.5, None]})
    >>> t = share_of_gdp_table(df, value="v", unit="USD")
    >>> t
      donor  pct_of_gdp             v  rank  rows
    0   EST         2.5  1.000000e+09     2     1
    1   USA         0.2  5.000000e+10     1     1
    >>> [(r["reason"], r["amount"]) for r in t.attrs["left_out"]]
    [('no_share', 200000000.0)]
    """
    from .._pledges._aggregate import aggregate

    donors_ = option_levels(order, "order")
    prep = prepare(
        data, "share_of_gdp", value=value, keys=[donor], missing=missing, unit=unit,
        donor=donor, members=members, filters=[(donor, donors_, "order")],
    )
    kept = prep.kept
    if share not in kept.columns:
        from .._real._relative import share_of_gdp as compute_share

        kept = compute_share(
            kept, value=value, donor=donor, gdp_year=gdp_year, out=share, errors="coerce"
        )
    shares = to_numbers(kept[share]).astype("float64")
    no_share = ~np.isfinite(shares.to_numpy())
    if no_share.any() and missing == "raise":
        raise AggregationError(
            f"{describe_rows(kept.index[no_share])} have no share of GDP ({share!r}): "
            f"fix them, or pass missing='drop' (the chart then says what it leaves out)",
            rows=list(kept.index[no_share]),
        )
    prep.kept = kept
    prep.leave_out(no_share, value, "no_share")
    kept = prep.kept
    amounts = sum_kept(prep, [donor], value).set_index(donor)
    work = kept[[donor, share, *(["kind"] if "kind" in kept.columns else [])]]
    summed = aggregate(
        with_columns(work, {donor: work[donor].astype(str)}), by=donor, value=share, currency=None
    ).set_index(donor)
    table = pd.DataFrame({share: summed[share], value: amounts[value], ROWS: amounts[ROWS]})
    table["rank"] = table[value].rank(ascending=False, method="min").astype("int64")
    if donors_ is not None:
        table = table.reindex(donors_)
        table[[share, value]] = table[[share, value]].fillna(0.0)
        table[ROWS] = table[ROWS].fillna(0)
        table["rank"] = table[value].rank(ascending=False, method="min")
    else:
        table = table.sort_values(share, ascending=False, kind="stable")
    table = table.rename_axis(donor).reset_index()
    table["rank"] = table["rank"].astype("int64")
    table[ROWS] = table[ROWS].astype("int64")
    return finish_table(table[[donor, share, value, "rank", ROWS]], prep)
