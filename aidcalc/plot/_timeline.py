"""Cumulative pledges over time per donor, as step lines, with events annotated."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from .._errors import ValidationError
from .._locale import LocaleLike
from ._common import finish, highlighted, keep_members, sum_by
from ._style import (
    amount_formatter,
    chart,
    check_frame,
    donor_colour,
    donor_label,
    infer_unit,
    make_theme,
    new_axes,
    set_value_axis,
)

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["timeline"]

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
    """Localised date ticks: years for long spans, months for shorter ones."""
    from babel.dates import format_skeleton
    from matplotlib.dates import AutoDateLocator, MonthLocator, YearLocator, num2date
    from matplotlib.ticker import FuncFormatter

    if span_days > 2 * 366:
        locator: Any = YearLocator()
        skeleton = "y"
    elif span_days > 120:
        locator = MonthLocator(bymonth=(1, 4, 7, 10) if span_days > 366 else range(1, 13, 2))
        skeleton = "yMMM"
    else:
        locator = AutoDateLocator(maxticks=6)
        skeleton = "yMMMd"

    def fmt(x: float, _pos: Any) -> str:
        return format_skeleton(skeleton, num2date(x).date(), locale=locale)

    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(FuncFormatter(fmt))


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
    title: str | None = None,
    source: str | None = None,
    footnote: bool | str = True,
    missing: str = "raise",
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
    unit, locale, members, highlight, title, source, footnote, missing, ax
        As in :func:`aidcalc.plot.donors`.
    **kwargs
        Passed to :meth:`matplotlib.axes.Axes.step`.

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
    frame, dropped = check_frame(data, [donor, date], value=value, missing=missing)
    theme = make_theme(locale)
    unit_ = infer_unit(frame, value, unit)
    frame = keep_members(frame, donor, members)
    when = frame[date]
    if not pd.api.types.is_datetime64_any_dtype(when.dtype):
        when = pd.to_datetime(when, errors="coerce", format="mixed")
    if when.isna().any():
        bad = frame.loc[when.isna(), date]
        raise ValidationError(
            f"column {date!r} has values that are not dates: {bad.astype(str).tolist()[:5]}",
            problems=bad.to_frame(),
        )
    frame = frame.assign(**{date: when.to_numpy()})
    daily = sum_by(frame, [donor, date], value).sort_index()
    cumulative = daily.groupby(level=0, sort=False).cumsum()
    finals = cumulative.groupby(level=0, sort=False).last().sort_values(ascending=False)
    names = [str(d) for d in finals.index]
    strong = highlighted(names, highlight)
    end = frame[date].max()
    start = frame[date].min()
    marks = _events(events)
    fmt = amount_formatter(unit_, theme.locale)
    with chart(theme):
        ax = new_axes(ax, (9.0, 5.0))
        for code, total in finals.items():
            series = cumulative.xs(code, level=0)
            xs = series.index.to_numpy()
            ys = series.to_numpy()
            if xs[0] > start:  # every line starts from zero on the first date of the data
                xs = np.insert(xs, 0, start.to_datetime64())
                ys = np.insert(ys, 0, 0.0)
            if xs[-1] < end:
                xs = np.append(xs, end.to_datetime64())
                ys = np.append(ys, ys[-1])
            label = theme.label("legend_total").format(
                donor=donor_label(code, theme.locale), amount=fmt(float(total))
            )
            ax.step(
                xs,
                ys,
                where="post",
                color=donor_colour(str(code)),
                linewidth=2.2 if str(code) in strong else 1.2,
                alpha=1.0 if str(code) in strong else 0.4,
                label=label,
                gid=str(code),
                **kwargs,
            )
        top = float(finals.max()) if len(finals) else 1.0
        ax.set_ylim(0.0, (top or 1.0) * 1.12)
        from matplotlib.lines import Line2D

        event_handles = []
        date_fmt = _event_date_format(theme.locale)
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
            event_handles.append(
                Line2D([], [], color="#777777", linestyle=":", linewidth=1.0,
                       label=f"{number}  {row.label} ({date_fmt(row.date)})")
            )
        lo = min(start, marks["date"].min()) if len(marks) else start
        hi = max(end, marks["date"].max()) if len(marks) else end
        pad = max((hi - lo) * 0.02, pd.Timedelta(days=5))
        ax.set_xlim(lo - pad, hi + pad)
        _date_axis(ax, theme.locale, (hi - lo).days)
        set_value_axis(ax, fmt, "y")
        finish(
            ax,
            theme,
            data=frame,
            unit=unit_,
            title=title,
            title_key="title_timeline",
            title_pad=20 if len(marks) else 10,
            xlabel=theme.label("date"),
            ylabel=unit_.describe(theme.locale),
            source=source,
            footnote=footnote,
            dropped=dropped,
        )
        handles, labels = ax.get_legend_handles_labels()
        if event_handles:  # one legend (a second one would be left out of the layout)
            spacer = Line2D([], [], linestyle="none")
            handles += [spacer, *event_handles]
            labels += ["", *(h.get_label() for h in event_handles)]
        ax.legend(handles, labels, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    return ax
