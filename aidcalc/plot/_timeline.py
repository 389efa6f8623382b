"""Cumulative pledges over time per donor, as step lines, with events annotated; with the
table it draws (:func:`timeline_table`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import pandas as pd

from .._base._errors import ValidationError
from .._base._frame_checks import with_columns
from .._base._locale import LocaleLike
from ._common import ChartSetup, setup_chart
from ._style import donor_label, money_ticks, set_value_axis
from ._tables import ROWS, donor_order, finish_table, option_levels, prepare

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.lines import Line2D

__all__ = ["timeline", "timeline_table"]

EventsLike = pd.DataFrame | Mapping[Any, str] | Sequence[tuple[Any, str]] | None


def _events(events: EventsLike) -> pd.DataFrame:
    if events is None:
        return pd.DataFrame({"date": pd.Series([], dtype="datetime64[ns]"), "label": []})
    if isinstance(events, pd.DataFrame):
        missing = {"date", "label"} - set(events.columns)
        if missing:
            raise ValidationError(
                f"events need the columns 'date' and 'label' (missing: {sorted(missing)})",
                problems=pd.DataFrame({"column": sorted(missing)}),
            )
        frame = events[["date", "label"]].copy()
    else:
        pairs = list(events.items()) if isinstance(events, Mapping) else list(events)
        frame = pd.DataFrame(pairs, columns=["date", "label"])
    frame["date"] = pd.to_datetime(frame["date"], errors="coerce")
    bad = frame["date"].isna()
    if bad.any():
        raise ValidationError(
            f"events with a date that cannot be read: {frame.loc[bad, 'label'].tolist()}",
            problems=frame.loc[bad],
        )
    return frame


def _event_date_format(locale: Any) -> Any:
    from babel.dates import format_skeleton

    return lambda when: format_skeleton("yMMMd", pd.Timestamp(when).date(), locale=locale)


def _date_axis(ax: Axes, locale: Any, span_days: float) -> None:
    """Localised date ticks on whole years, months or days (at most about 8 of them), each
    labelled distinctly (see :class:`aidcalc.plot._ticks.DateFormatter`)."""
    import math

    from matplotlib.dates import DayLocator, MonthLocator, YearLocator

    from ._ticks import DateFormatter

    locator: Any
    if span_days > 2 * 366:
        years = span_days / 365.25
        base = next(
            (b for b in (1, 2, 5, 10, 20, 25, 50, 100, 200, 500) if years / b <= 8), 1000
        )
        locator, skeleton = YearLocator(base=base), "y"
    elif span_days > 120:
        months = span_days / 30.44
        step = next((m for m in (1, 2, 3, 4, 6) if months / m <= 8), 12)
        locator, skeleton = MonthLocator(bymonth=range(1, 13, step)), "yMMM"
    elif span_days > 45:
        locator, skeleton = MonthLocator(), "yMMMd"
    else:
        step = max(1, math.ceil(span_days / 7))
        locator, skeleton = DayLocator(interval=step), "yMMMd"
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(DateFormatter(locale, skeleton))


def timeline(
    data: pd.DataFrame,
    *,
    value: str,
    donor: str = "donor",
    date: str = "announced",
    unit: str | None = None,
    locale: LocaleLike = "en",
    members: str | Sequence[str] | None = None,
    highlight: str | Sequence[str] | None = None,
    events: EventsLike = None,
    hue_order: Sequence[str] | None = None,
    palette: Any = None,
    title: str | None = None,
    source: str | None = None,
    footnote: bool | str = True,
    missing: str = "drop",
    ax: Axes | None = None,
    **kwargs: Any,
) -> Axes:
    """Cumulative amounts per donor over time, as step lines (one fixed colour per donor).

    Each line starts at zero on the first date in the data, steps up on the day of an
    announcement by its amount (amounts announced on the same day are added) and runs on flat
    to the last date in the data.

    Parameters
    ----------
    data
        Pledges in one unit with an announcement date.
    value, donor
        Amount and donor columns.
    date
        The date column (datetime, or text pandas can read).
    events
        Dates to mark with a dotted line, numbered at the top and listed in a second legend:
        a frame with ``date`` and ``label`` columns, a mapping ``{date: label}`` or a list of
        ``(date, label)`` pairs.
    hue_order, palette
        Donors to draw (legend order) and their colours (a colormap name, a list, or a dict
        keyed by donor), as in seaborn; rows of other donors are left out and the footnote
        says so.
    unit, locale, members, highlight, title, source, footnote, missing, ax
        As in :func:`aidcalc.plot.donors`; rows without a date to the day (none, or
        month-only ``2024-06`` or year-only ``2024``: a step needs its day) are left out
        under ``missing="drop"`` (the default) and the footnote says how many and why. The
        numbers drawn are :func:`aidcalc.plot.timeline_table`.
    **kwargs
        Passed to :meth:`matplotlib.axes.Axes.step` (they win over aidcalc's settings).

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import pandas as pd
    >>> import aidcalc.plot
    >>> df = pd.DataFrame({"donor": ["JPN", "JPN", "CAN"], "announced": pd.to_datetime(
    ...     ["2023-01-10", "2024-06-01", "2023-05-01"]), "amount_USD_2024": [1e9, 2e9, 5e8]})
    >>> ax = aidcalc.plot.timeline(df, value="amount_USD_2024", events={"2024-06-13":
    ...     "G7 summit"})
    >>> japan = next(l for l in ax.lines if l.get_gid() == "JPN")
    >>> japan.get_ydata().tolist()
    [1000000000.0, 3000000000.0]
    >>> next(l for l in ax.lines if l.get_gid() == "CAN").get_ydata().tolist()
    [0.0, 500000000.0, 500000000.0]
    """
    table = timeline_table(
        data, value=value, donor=donor, date=date, unit=unit, members=members,
        hue_order=hue_order, missing=missing,
    )
    chart = setup_chart(
        table, data, donor=donor, locale=locale, highlight=highlight, palette=palette
    )
    marks = _events(events)
    ax = chart.axes(ax, 5.0)
    _step_lines(ax, chart, value=value, donor=donor, date=date, **kwargs)
    event_handles = _mark_events(ax, marks, chart.theme.locale)
    _time_axis(ax, table[date], marks["date"], chart.theme.locale)
    set_value_axis(ax, money_ticks(chart.unit, chart.theme.locale), "y")
    chart.annotate(
        ax, title=title, title_key="title_timeline", title_pad=20 if len(marks) else 10,
        xlabel=chart.theme.label("date"), ylabel=chart.unit.describe(chart.theme.locale),
    )
    _legend(ax, event_handles)
    return chart.finish(ax, footnote=footnote, source=source)


def _step_lines(
    ax: Axes, chart: ChartSetup, *, value: str, donor: str, date: str, **kwargs: Any
) -> None:
    """A step line per donor (thin and faded unless highlighted), its final total in the
    legend; the value axis from 0 to above the largest total."""
    table, theme = chart.table, chart.theme
    finals = table.groupby(donor, sort=False, observed=True)[value].last()
    for code in chart.names:
        line = table[table[donor].astype(str) == code]
        label = theme.label("legend_total").format(
            donor=donor_label(code, theme.locale), amount=chart.fmt(float(finals[code]))
        )
        strong = code in chart.strong
        style: dict[str, Any] = {
            "where": "post",
            "color": chart.colours[code],
            "linewidth": 2.2 if strong else 1.2,
            "alpha": 1.0 if strong else 0.4,
            "label": label,
            "gid": code,
            **kwargs,
        }
        ax.step(line[date].to_numpy(), line[value].to_numpy(dtype="float64"), **style)
    top = float(finals.max()) if len(finals) else 1.0
    ax.set_ylim(0.0, (top or 1.0) * 1.12)


def _mark_events(ax: Axes, marks: pd.DataFrame, locale: Any) -> list[Line2D]:
    """A dotted line per event, numbered at the top; returns their legend entries."""
    from matplotlib.lines import Line2D

    handles = []
    date_fmt = _event_date_format(locale)
    for number, row in enumerate(marks.sort_values("date").itertuples(index=False), 1):
        # a Timestamp is valid: matplotlib converts dates; its stubs say float
        ax.axvline(
            row.date,  # type: ignore[arg-type]
            color="#777777",
            linestyle=":",
            linewidth=1.0,
            gid="event",
        )
        ax.annotate(
            str(number),
            xy=(row.date, 1.0),
            xycoords=("data", "axes fraction"),
            xytext=(0, 3),
            textcoords="offset points",
            ha="center",
            va="bottom",
            fontsize=7.5,
            color="#333333",
            gid="event",
            bbox={"boxstyle": "circle,pad=0.2", "facecolor": "white", "edgecolor": "#777777",
                  "linewidth": 0.8},
            annotation_clip=False,
        )
        handles.append(
            Line2D([], [], color="#777777", linestyle=":", linewidth=1.0,
                   label=f"{number}  {row.label} ({date_fmt(row.date)})")
        )
    return handles


def _time_axis(ax: Axes, dates: pd.Series, events: pd.Series, locale: Any) -> None:
    """The date axis over the data (today when there is none) and the events, with a little
    room at both ends."""
    if len(dates):
        lo, hi = dates.min(), dates.max()
    else:
        lo = hi = pd.Timestamp("today").normalize()
    if len(events):
        lo, hi = min(lo, events.min()), max(hi, events.max())
    pad = max((hi - lo) * 0.02, pd.Timedelta(days=5))
    ax.set_xlim(lo - pad, hi + pad)
    _date_axis(ax, locale, (hi - lo + 2 * pad).days)


def _legend(ax: Axes, event_handles: list[Line2D]) -> None:
    """One legend beside the plot: the donors, then the numbered events (a second legend
    would be left out of the layout)."""
    from matplotlib.lines import Line2D

    handles, labels = ax.get_legend_handles_labels()
    if event_handles:
        spacer = Line2D([], [], linestyle="none")
        handles += [spacer, *event_handles]
        labels += ["", *(h.get_label() for h in event_handles)]
    ax.legend(handles, labels, loc="upper left", bbox_to_anchor=(1.01, 1.0))


# --- the numbers the chart draws ------------------------------------------------------------------


def timeline_table(
    data: pd.DataFrame,
    *,
    value: str,
    donor: str = "donor",
    date: str = "announced",
    unit: str | None = None,
    members: str | Sequence[str] | None = None,
    hue_order: Sequence[str] | None = None,
    missing: str = "drop",
) -> pd.DataFrame:
    """The numbers :func:`aidcalc.plot.timeline` draws: per donor (largest final total first,
    or ``hue_order``) the vertices of its step line -- ``date``, the running total ``value``,
    the amount ``added`` that day and the ``rows`` summed. Each line starts at 0 on the first
    date of the data and runs flat to the last; same-day amounts are added through
    :func:`aidcalc.aggregate`. Rows without a date are left out and listed in
    ``attrs["left_out"]`` (reason ``"undated"``), as are rows whose date gives only the month
    (``"month_only"``) or only the year (``"year_only"``): they are never put on an invented
    day.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"donor": ["JPN", "JPN", "CAN"], "announced": ["2023-01-10",
    ...     "2024-06-01", "2023-05-01"], "v": [1e9, 2e9, 5e8]})
    >>> t = timeline_table(df, value="v", unit="USD")
    >>> t[["donor", "v", "added"]].to_numpy().tolist()
    [['JPN', 1000000000.0, 1000000000.0], ['JPN', 3000000000.0, 2000000000.0], ['CAN', 0.0, 0.0], ['CAN', 500000000.0, 500000000.0], ['CAN', 500000000.0, 0.0]]
    """  # noqa: E501
    donors_ = option_levels(hue_order, "hue_order")
    prep = prepare(
        data, "timeline", value=value, keys=[donor], missing=missing, unit=unit, donor=donor,
        members=members, date=date, filters=[(donor, donors_, "hue_order")],
    )
    assert prep.dates is not None
    prep.kept = with_columns(prep.kept, {date: prep.dates.to_numpy()})
    columns = [donor, date, value, "added", ROWS]
    if not len(prep.kept):
        return finish_table(pd.DataFrame(columns=columns), prep)
    from .._pledges._aggregate import aggregate

    kept = prep.kept
    currency = "currency" if "currency" in kept.columns else None
    daily = aggregate(
        with_columns(kept, {donor: kept[donor].astype(str)}), by=[donor, date], value=value,
        currency=currency,
    )[[donor, date, value, ROWS]].rename(columns={value: "added"})
    daily = daily.sort_values([donor, date], kind="stable")
    daily[value] = daily.groupby(donor, sort=False, observed=True)["added"].cumsum()
    start, end = kept[date].min(), kept[date].max()
    finals = daily.groupby(donor, sort=False, observed=True)[value].last()
    names = donor_order(finals, donors_)
    parts = []
    for code in names:
        line = daily[daily[donor] == code]
        if line.empty:
            line = pd.DataFrame({donor: [code], date: [start], "added": [0.0], ROWS: [0],
                                 value: [0.0]})
        first = line[date].iloc[0]
        if first > start:
            head = pd.DataFrame({donor: [code], date: [start], "added": [0.0], ROWS: [0],
                                 value: [0.0]})
            line = pd.concat([head, line], ignore_index=True)
        if line[date].iloc[-1] < end:
            tail = pd.DataFrame({donor: [code], date: [end], "added": [0.0], ROWS: [0],
                                 value: [float(line[value].iloc[-1])]})
            line = pd.concat([line, tail], ignore_index=True)
        parts.append(line)
    table = pd.concat(parts, ignore_index=True)[columns]
    table[ROWS] = table[ROWS].astype("int64")
    table[date] = table[date].astype("datetime64[ns]")
    return finish_table(table, prep)
