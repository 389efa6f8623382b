"""From promise to delivery: pledged, committed, allocated and disbursed amounts per donor."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from .._base._locale import LocaleLike
from ._common import ChartSetup, donor_axis, setup_chart, tag_bars, value_label, value_limits
from ._style import STATUS_ORDER, Theme, join_sentences, money_ticks, set_value_axis, status_colour
from ._tables import check_stages, pipeline_table, stage_grid

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
    stages = check_stages(data[status].astype(str).str.strip().str.lower())
    from .._pledges._aggregate import aggregate

    frame = data.assign(**{status: stages, donor: data[donor].astype(str)})
    currency = "currency" if "currency" in frame.columns else None
    sums = aggregate(frame, by=[donor, status], value=value, currency=currency)
    return stage_grid(sums, value, donor=donor, status=status, cumulative=cumulative)


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
    stages = [str(s) for s in dict.fromkeys(table[status])]
    if hue_order is not None:
        stages = [str(s).strip().lower() for s in hue_order]
    chart = setup_chart(
        table, data, donor=donor, locale=locale, highlight=highlight, palette=palette,
        hues=stages, colour=status_colour,
    )
    n_stage = max(len(stages), 1)
    ax = chart.axes(ax, (0.2 + 0.18 * n_stage) * chart.n + 2.2)
    _stage_bars(ax, chart, stages, value=value, donor=donor, status=status, **kwargs)
    donor_axis(ax, chart)
    set_value_axis(ax, money_ticks(chart.unit, chart.theme.locale), "x")
    value_limits(ax, table[value], headroom=1.15)
    chart.annotate(
        ax, title=title, title_key="title_pipeline",
        xlabel=chart.unit.describe(chart.theme.locale),
    )
    notes = _notes(chart.theme, stages, cumulative=cumulative, chosen=hue_order is not None)
    return chart.finish(ax, footnote=footnote, source=source, extra=notes, legend=True)


def _stage_bars(
    ax: Axes, chart: ChartSetup, stages: list[str], *, value: str, donor: str, status: str,
    **kwargs: Any,
) -> None:
    """A group of bars per donor, one per stage (top to bottom), the amount at each end."""
    height = 0.8 / max(len(stages), 1)
    for i, stage in enumerate(stages):
        rows = chart.table[chart.table[status] == stage]
        codes = [str(d) for d in rows[donor]]
        offsets = np.array([chart.ypos[d] for d in codes]) + 0.4 - height * (i + 0.5)
        widths = rows[value].to_numpy(dtype="float64")
        style: dict[str, Any] = {
            "height": height * 0.92,
            "color": chart.colours[stage],
            "label": chart.theme.label(stage),
            **kwargs,
        }
        tag_bars(ax.barh(offsets, widths, **style), codes, chart.strong, stage)
        for width, yo in zip(widths, offsets, strict=True):
            value_label(ax, width, yo, chart.fmt(width), size=7)


def _notes(theme: Theme, stages: list[str], *, cumulative: bool, chosen: bool) -> str | None:
    """What the footnote adds: how cumulative bars count, and which stages the data lacks
    (unless ``hue_order`` chose the stages)."""
    notes = []
    if cumulative:
        notes.append(theme.label("note_pipeline"))
    absent = [theme.label(s) for s in STATUS_ORDER if s not in stages]
    if absent and not chosen:
        notes.append(
            theme.label("note_stages_missing").format(stages=" / ".join(absent).lower())
        )
    return join_sentences(notes) or None
