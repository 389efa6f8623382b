"""Cumulative pledges over time per donor, as step lines, with events annotated."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import pandas as pd

from .._base._errors import ValidationError
from .._base._locale import LocaleLike
from ._common import finish, highlighted, resolve_palette
from ._style import (
    Unit,
    amount_formatter,
    donor_colour,
    donor_label,
    make_theme,
    money_ticks,
    new_axes,
    set_value_axis,
)
from ._tables import LEFT_OUT, UNIT, timeline_table

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
        As in :func:`aidcalc.plot.donors`; rows without a date are left out under
        ``missing="drop"`` (the default) and the footnote says so. The numbers drawn are
        :func:`aidcalc.plot.timeline_table`.
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
    theme = make_theme(locale)
    unit_ = Unit.parse(table.attrs[UNIT])
    names = [str(d) for d in dict.fromkeys(table[donor])]
    strong = highlighted(names, highlight)
    colours = resolve_palette(palette, names, donor_colour)
    if len(table):
        start, end = table[date].min(), table[date].max()
    else:
        start = end = pd.Timestamp("today").normalize()
    marks = _events(events)
    fmt = amount_formatter(unit_, theme.locale)
    ax = new_axes(ax, (9.0, 5.0))
    finals = table.groupby(donor, sort=False)[value].last()
    for code in names:
        line = table[table[donor].astype(str) == code]
        total = float(finals[code])
        label = theme.label("legend_total").format(
            donor=donor_label(code, theme.locale), amount=fmt(total)
        )
        style: dict[str, Any] = {
            "where": "post",
            "color": colours[code],
            "linewidth": 2.2 if code in strong else 1.2,
            "alpha": 1.0 if code in strong else 0.4,
            "label": label,
            "gid": code,
            **kwargs,
        }
        ax.step(line[date].to_numpy(), line[value].to_numpy(dtype="float64"), **style)
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
    _date_axis(ax, theme.locale, (hi - lo + 2 * pad).days)
    set_value_axis(ax, money_ticks(unit_, theme.locale), "y")
    finish(
        ax,
        theme,
        data=data if isinstance(data, pd.DataFrame) else pd.DataFrame(),
        unit=unit_,
        title=title,
        title_key="title_timeline",
        title_pad=20 if len(marks) else 10,
        xlabel=theme.label("date"),
        ylabel=unit_.describe(theme.locale),
        source=source,
        footnote=footnote,
        left_out=table.attrs[LEFT_OUT],
    )
    handles, labels = ax.get_legend_handles_labels()
    if event_handles:  # one legend (a second one would be left out of the layout)
        spacer = Line2D([], [], linestyle="none")
        handles += [spacer, *event_handles]
        labels += ["", *(h.get_label() for h in event_handles)]
    ax.legend(handles, labels, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    theme.apply_fonts(ax)
    return ax
