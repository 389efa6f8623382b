"""From promise to delivery: pledged, committed, allocated and disbursed amounts per donor;
with the table the chart draws (:func:`pipeline_table`) and :func:`stage_totals`."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd

from .._base._errors import AggregationError, describe_rows, join_values, reject_unknown
from .._base._frame_checks import with_columns
from .._base._locale import LocaleLike
from ._common import ChartSetup, setup_chart, tag_bars, value_label
from ._style import STATUS_ORDER, Theme, join_sentences, status_colour
from ._tables import (
    ROWS,
    complete_frame,
    donor_order,
    finish_table,
    option_levels,
    prepare,
    sum_kept,
)

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["pipeline", "pipeline_table", "stage_totals"]


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

    A row without a value, a donor or a status raises an :class:`aidcalc.AggregationError`
    naming it (the table has no footnote to say what it left out; the charts do).

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
    frame = complete_frame(data, "stage_totals", value=value, keys=[donor, status])
    stages = check_stages(frame[status].astype(str).str.strip().str.lower())
    from .._pledges._aggregate import aggregate

    frame = with_columns(frame, {status: stages, donor: frame[donor].astype(str)})
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
    chart.frame_bars(ax, table[value], headroom=1.15, title=title, title_key="title_pipeline")
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


# --- the numbers the chart draws ------------------------------------------------------------------


def check_stages(stages: pd.Series) -> pd.Series:
    """``stages`` (lifecycle stages, cleaned) when every one is in the lifecycle; else an
    :class:`aidcalc.AggregationError` naming the rows and the unknown values."""
    unknown = ~stages.isin(STATUS_ORDER).to_numpy(dtype=bool)
    if unknown.any():
        raise AggregationError(
            f"{describe_rows(stages.index[unknown])} have a status outside the lifecycle "
            f"({join_values(sorted(stages[unknown].unique()))}); use one of "
            f"{join_values(list(STATUS_ORDER))}",
            rows=list(stages.index[unknown]),
        )
    return stages


def _shown_stages(
    rank: np.ndarray, asked: list[str] | None, *, cumulative: bool
) -> tuple[list[str], np.ndarray]:
    """The stages a pipeline shows (``asked``, else from the first up to the furthest any
    row reached when ``cumulative``, else those present) and, per stage rank, whether rows
    at that stage count in a shown bar."""
    reached = sorted(set(rank.tolist()))
    if asked is not None:
        shown = asked
    elif cumulative:
        shown = list(STATUS_ORDER[: max(reached) + 1]) if reached else []
    else:
        shown = [STATUS_ORDER[i] for i in reached]
    shown_rank = [STATUS_ORDER.index(s) for s in shown]
    if cumulative:
        counted = np.array([any(r >= s for s in shown_rank) for r in range(len(STATUS_ORDER))])
    else:
        counted = np.array([r in shown_rank for r in range(len(STATUS_ORDER))])
    return shown, counted


def stage_grid(
    sums: pd.DataFrame,
    column: str,
    *,
    donor: str,
    status: str,
    cumulative: bool,
    dtype: Literal["float64", "int64"] = "float64",
) -> pd.DataFrame:
    """``sums[column]`` (summed by ``donor`` and ``status``) as a grid: a row per donor,
    a column per lifecycle stage in lifecycle order (0 where a donor has nothing); with
    ``cumulative`` a stage also counts every later one."""
    if len(sums):
        grid = sums.pivot_table(index=donor, columns=status, values=column, aggfunc="sum",
                                fill_value=0, sort=False)
    else:  # nothing kept: no donor (what was left out is in attrs)
        grid = pd.DataFrame(index=pd.Index([], name=donor))
    grid = grid.reindex(columns=list(STATUS_ORDER), fill_value=0).astype(dtype)
    grid.index.name = donor
    if cumulative:
        grid = grid.iloc[:, ::-1].cumsum(axis=1).iloc[:, ::-1]
    grid.columns.name = status
    return grid


def _stages(spec: Sequence[str] | None) -> list[str] | None:
    levels = option_levels(spec, "hue_order")
    if levels is None:
        return None
    clean = [s.strip().lower() for s in levels]
    reject_unknown(clean, STATUS_ORDER,
                   "hue_order lists {unknown}, which are not lifecycle stages; use {known}",
                   known=join_values(list(STATUS_ORDER)))
    return clean


def pipeline_table(
    data: pd.DataFrame,
    *,
    value: str,
    donor: str = "donor",
    status: str = "status",
    cumulative: bool = True,
    unit: str | None = None,
    members: str | Sequence[str] | None = None,
    order: Sequence[str] | None = None,
    hue_order: Sequence[str] | None = None,
    missing: str = "drop",
) -> pd.DataFrame:
    """The numbers :func:`aidcalc.plot.pipeline` draws: per donor (largest first, or
    ``order``) and lifecycle stage, the amount summed through :func:`aidcalc.aggregate`.

    With ``cumulative=True`` a stage counts every row that has reached it (money disbursed
    was also pledged, committed and allocated); the stages shown run from the first up to
    the furthest any row reached. With ``cumulative=False`` each row counts at its own stage
    and only stages present in the data are shown. A stage absent from the data is never
    shown as 0 unless ``hue_order`` asks for it. A donor without money at a shown stage gets
    0 there (the data records that stage, the donor has nothing at it).

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"donor": ["CAN", "CAN"], "status": ["pledged", "disbursed"],
    ...     "v": [5e8, 2e8]})
    >>> pipeline_table(df, value="v", unit="CAD")[["status", "v"]].to_numpy().tolist()
    [['pledged', 700000000.0], ['committed', 200000000.0], ['allocated', 200000000.0], ['disbursed', 200000000.0]]
    >>> pipeline_table(df, value="v", unit="CAD", cumulative=False)["status"].tolist()
    ['pledged', 'disbursed']
    """  # noqa: E501
    donors_ = option_levels(order, "order")
    asked = _stages(hue_order)
    prep = prepare(
        data, "pipeline", value=value, keys=[donor, status], missing=missing, unit=unit,
        donor=donor, members=members, filters=[(donor, donors_, "order")],
    )
    stages = check_stages(prep.kept[status].astype("string").str.strip().str.lower())
    rank = stages.map({s: i for i, s in enumerate(STATUS_ORDER)}).to_numpy(dtype="int64")
    shown, counted = _shown_stages(rank, asked, cumulative=cumulative)
    off = ~counted[rank] if len(rank) else np.zeros(0, dtype=bool)
    prep.leave_out(off, value, "no_stage")
    prep.kept = with_columns(prep.kept, {status: stages[~off].to_numpy()})
    sums = sum_kept(prep, [donor, status], value)
    amounts = stage_grid(sums, value, donor=donor, status=status, cumulative=cumulative)
    counts = stage_grid(sums, ROWS, donor=donor, status=status, cumulative=cumulative,
                        dtype="int64")
    totals: pd.Series = amounts.max(axis=1) if len(amounts) else pd.Series(dtype="float64")
    names = donor_order(totals, donors_)
    amounts = amounts.reindex(index=names, fill_value=0.0)[shown]
    counts = counts.reindex(index=names, fill_value=0)[shown]
    table = pd.DataFrame({
        donor: np.repeat(names, len(shown)),
        status: np.tile(shown, len(names)),
        value: amounts.to_numpy().ravel(),
        ROWS: counts.to_numpy().ravel(),
    })
    table[ROWS] = table[ROWS].astype("int64")
    return finish_table(table, prep)
