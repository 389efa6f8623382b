"""From promise to delivery: pledged, committed, allocated and disbursed amounts per donor."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from .._base._errors import AggregationError, describe_rows, join_values
from .._base._locale import LocaleLike
from ._common import (
    finish,
    highlighted,
    legend_outside,
    resolve_palette,
    style_donor_ticks,
    value_label,
)
from ._style import (
    STATUS_ORDER,
    Unit,
    amount_formatter,
    join_sentences,
    make_theme,
    money_ticks,
    new_axes,
    set_value_axis,
    status_colour,
)
from ._tables import LEFT_OUT, UNIT, pipeline_table

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["pipeline", "stage_totals"]


def stage_totals(
    data: pd.DataFrame,
    *,
    value: str,
    donor: str = "donor",
    status: str = "status",
    cumulative: bool = True,
) -> pd.DataFrame:
    """Amounts per donor (rows) and lifecycle stage (columns, in lifecycle order), summed
    through :func:`aidcalc.aggregate` (every stage a column, for tables; the chart draws
    :func:`aidcalc.plot.pipeline_table`, which shows only stages in the data).

    With ``cumulative=True`` a stage counts every row that has reached it: money disbursed was
    also pledged, committed and allocated, so the columns never grow from left to right and the
    gaps between them are the money still to be delivered. With ``cumulative=False`` each row
    counts only at its own stage.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"donor": ["CAN", "CAN", "CAN"], "value": [5.0, 3.0, 2.0],
    ...     "status": ["pledged", "committed", "disbursed"]})
    >>> stage_totals(df, value="value").loc["CAN"].tolist()
    [10.0, 5.0, 2.0, 2.0]
    >>> stage_totals(df, value="value", cumulative=False).loc["CAN"].tolist()
    [5.0, 3.0, 0.0, 2.0]
    """
    stages = data[status].astype(str).str.strip().str.lower()
    unknown = ~stages.isin(STATUS_ORDER)
    if unknown.any():
        raise AggregationError(
            f"{describe_rows(data.index[unknown])} have a status outside the lifecycle "
            f"({join_values(sorted(stages[unknown].unique()))}); use one of "
            f"{join_values(list(STATUS_ORDER))}",
            rows=list(data.index[unknown]),
        )
    from .._pledges._aggregate import aggregate

    frame = data.assign(**{status: stages, donor: data[donor].astype(str)})
    currency = "currency" if "currency" in frame.columns else None
    sums = aggregate(frame, by=[donor, status], value=value, currency=currency)
    table = sums.pivot_table(index=donor, columns=status, values=value, aggfunc="sum",
                             fill_value=0.0, sort=False)
    table = table.reindex(columns=list(STATUS_ORDER), fill_value=0.0).astype("float64")
    table.index.name = donor
    if cumulative:
        table = table.iloc[:, ::-1].cumsum(axis=1).iloc[:, ::-1]
    table.columns.name = status
    return table


def pipeline(
    data: pd.DataFrame,
    *,
    value: str,
    donor: str = "donor",
    status: str = "status",
    cumulative: bool = True,
    unit: str | None = None,
    locale: LocaleLike = "en",
    members: str | Sequence[str] | None = None,
    highlight: str | Sequence[str] | None = None,
    order: Sequence[str] | None = None,
    hue_order: Sequence[str] | None = None,
    palette: Any = None,
    title: str | None = None,
    source: str | None = None,
    footnote: bool | str = True,
    missing: str = "drop",
    ax: Axes | None = None,
    **kwargs: Any,
) -> Axes:
    """Pledged vs committed vs allocated vs disbursed per donor: the gap between promise and
    delivery, one group of bars per donor (largest pledge on top).

    Stages absent from the data are not drawn (and the footnote says so): a dataset of
    announcements that records no disbursements says nothing about them, and a zero bar
    would claim that nothing was paid. ``hue_order`` draws exactly the stages it lists.
    The numbers drawn are :func:`aidcalc.plot.pipeline_table`.

    Parameters
    ----------
    data
        Pledges in one unit with a lifecycle ``status`` (pledged < committed < allocated <
        disbursed).
    cumulative
        ``True`` (default): each bar counts every row that has reached that stage (see
        :func:`stage_totals`); ``False``: each row counts only at its own stage.
    order, hue_order, palette
        Donors (top to bottom), stages and their colours (a colormap name, a list, or a
        dict keyed by stage), as in seaborn.
    value, donor, status, unit, locale, members, highlight, title, source, footnote, missing, ax
        As in :func:`aidcalc.plot.donors`.
    **kwargs
        Passed to :meth:`matplotlib.axes.Axes.barh` (they win over aidcalc's settings).

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import pandas as pd
    >>> import aidcalc.plot
    >>> df = pd.DataFrame({"donor": ["CAN", "CAN"], "status": ["pledged", "disbursed"],
    ...     "amount_CAD_2024": [5e8, 2e8]})
    >>> ax = aidcalc.plot.pipeline(df, value="amount_CAD_2024")
    >>> [float(p.get_width()) for p in ax.patches]
    [700000000.0, 200000000.0, 200000000.0, 200000000.0]
    >>> ax = aidcalc.plot.pipeline(df.iloc[:1], value="amount_CAD_2024")
    >>> [p.get_gid() for p in ax.patches]
    ['CAN|pledged']
    """
    table = pipeline_table(
        data, value=value, donor=donor, status=status, cumulative=cumulative, unit=unit,
        members=members, order=order, hue_order=hue_order, missing=missing,
    )
    theme = make_theme(locale)
    unit_ = Unit.parse(table.attrs[UNIT])
    stages = [str(s) for s in dict.fromkeys(table[status])]
    if hue_order is not None:
        stages = [str(s).strip().lower() for s in hue_order]
    absent = [theme.label(s) for s in STATUS_ORDER if s not in stages]
    notes = []
    if cumulative:
        notes.append(theme.label("note_pipeline"))
    if absent and hue_order is None:
        notes.append(
            theme.label("note_stages_missing").format(stages=" / ".join(absent).lower())
        )
    names = [str(d) for d in dict.fromkeys(table[donor])]
    n = len(names)
    y = np.arange(n, dtype=float)[::-1]  # first on top
    ypos = dict(zip(names, y, strict=True))
    strong = highlighted(names, highlight)
    fmt = amount_formatter(unit_, theme.locale)
    colours = resolve_palette(palette, stages, status_colour)
    n_stage = max(len(stages), 1)
    height = 0.8 / n_stage
    ax = new_axes(ax, (9.0, (0.2 + 0.18 * n_stage) * n + 2.2))
    for i, stage in enumerate(stages):
        rows = table[table[status] == stage]
        codes = [str(d) for d in rows[donor]]
        offsets = np.array([ypos[d] for d in codes]) + 0.4 - height * (i + 0.5)
        widths = rows[value].to_numpy(dtype="float64")
        style: dict[str, Any] = {
            "height": height * 0.92,
            "color": colours[stage],
            "label": theme.label(stage),
            **kwargs,
        }
        bars = ax.barh(offsets, widths, **style)
        for patch, code, width, yo in zip(bars.patches, codes, widths, offsets, strict=True):
            patch.set_gid(f"{code}|{stage}")
            if code not in strong:
                patch.set_alpha(0.3)
            value_label(ax, width, yo, fmt(width), size=7)
    style_donor_ticks(ax, y, names, theme, strong)
    set_value_axis(ax, money_ticks(unit_, theme.locale), "x")
    top = float(table[value].max()) if len(table) else 1.0
    low = min(0.0, float(table[value].min()) if len(table) else 0.0)
    ax.set_xlim(low, (top or 1.0) * 1.15)
    ax.set_ylim(-0.6, n - 0.4)
    frame = data if isinstance(data, pd.DataFrame) else pd.DataFrame()
    finish(
        ax,
        theme,
        data=frame,
        unit=unit_,
        title=title,
        title_key="title_pipeline",
        xlabel=unit_.describe(theme.locale),
        source=source,
        footnote=footnote,
        left_out=table.attrs[LEFT_OUT],
        extra=join_sentences(notes) or None,
    )
    legend_outside(ax)
    theme.apply_fonts(ax)
    return ax
