"""From promise to delivery: pledged, committed, allocated and disbursed amounts per donor."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from .._errors import AggregationError, describe_rows, join_values
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
    STATUS_ORDER,
    amount_formatter,
    chart,
    check_frame,
    infer_unit,
    join_sentences,
    make_theme,
    new_axes,
    set_value_axis,
    status_colour,
)

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
    """Amounts per donor (rows) and lifecycle stage (columns, in lifecycle order).

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
    frame = data.assign(**{status: stages})
    table = sum_by(frame, [donor, status], value).unstack(fill_value=0.0)  # type: ignore[arg-type]  # pandas-stubs omit float fill values
    table = table.reindex(columns=list(STATUS_ORDER), fill_value=0.0)
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
    title: str | None = None,
    source: str | None = None,
    footnote: bool | str = True,
    missing: str = "raise",
    ax: Axes | None = None,
    **kwargs: Any,
) -> Axes:
    """Pledged vs committed vs allocated vs disbursed per donor: the gap between promise and
    delivery, one group of bars per donor (largest pledge on top).

    Stages beyond the furthest one any row has reached are left out (and the footnote says so):
    a dataset of announcements that records no disbursements says nothing about them, and a
    zero bar would claim that nothing was paid.

    Parameters
    ----------
    data
        Pledges in one unit with a lifecycle ``status`` (pledged < committed < allocated <
        disbursed).
    cumulative
        ``True`` (default): each bar counts every row that has reached that stage (see
        :func:`stage_totals`); ``False``: each row counts only at its own stage.
    value, donor, status, unit, locale, members, highlight, title, source, footnote, missing, ax
        As in :func:`aidcalc.plot.donors`.
    **kwargs
        Passed to :meth:`matplotlib.axes.Axes.barh`.

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
    frame, dropped = check_frame(data, [donor, status], value=value, missing=missing)
    theme = make_theme(locale)
    unit_ = infer_unit(frame, value, unit)
    frame = keep_members(frame, donor, members)
    table = stage_totals(frame, value=value, donor=donor, status=status, cumulative=cumulative)
    reached = set(frame[status].astype(str).str.strip().str.lower())
    last = max(i for i, s in enumerate(STATUS_ORDER) if s in reached)
    stages = list(STATUS_ORDER[: last + 1])
    absent = [theme.label(s) for s in STATUS_ORDER[last + 1 :]]
    notes = []
    if cumulative:
        notes.append(theme.label("note_pipeline"))
    if absent:
        notes.append(
            theme.label("note_stages_missing").format(stages=" / ".join(absent).lower())
        )
    order = table.max(axis=1).sort_values(ascending=True, kind="stable").index
    table = table.loc[order]
    names = [str(d) for d in table.index]
    strong = highlighted(names, highlight)
    fmt = amount_formatter(unit_, theme.locale)
    n_stage = len(stages)
    height = 0.8 / n_stage
    y = np.arange(len(table), dtype=float)
    with chart(theme):
        ax = new_axes(ax, (9.0, (0.2 + 0.18 * n_stage) * len(table) + 2.2))
        for i, stage in enumerate(stages):
            offsets = y + 0.4 - height * (i + 0.5)
            widths = table[stage].to_numpy()
            bars = ax.barh(
                offsets,
                widths,
                height=height * 0.92,
                color=status_colour(stage),
                label=theme.label(stage),
                **kwargs,
            )
            for patch, code, width, yo in zip(bars.patches, names, widths, offsets, strict=True):
                patch.set_gid(f"{code}|{stage}")
                if code not in strong:
                    patch.set_alpha(0.3)
                value_label(ax, width, yo, fmt(width), size=7)
        style_donor_ticks(ax, y, names, theme, strong)
        set_value_axis(ax, fmt, "x")
        top = float(table.to_numpy().max()) if table.size else 1.0
        ax.set_xlim(0.0, (top or 1.0) * 1.15)
        ax.set_ylim(-0.6, len(table) - 0.4)
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
            dropped=dropped,
            extra=join_sentences(notes) or None,
        )
        legend_outside(ax)
    return ax
