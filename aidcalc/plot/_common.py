"""Steps every chart shares: checking and summing the data, titles, labels and footnotes."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from .._errors import AggregationError, join_values
from ._style import (
    VALUE_LABEL_GID,
    Theme,
    Unit,
    add_footnote,
    donor_label,
    footnote_text,
    join_sentences,
    resolve_members,
)

if TYPE_CHECKING:
    from matplotlib.axes import Axes


def keep_members(
    frame: pd.DataFrame, donor: str, members: str | Sequence[str] | None
) -> pd.DataFrame:
    """Only the rows of ``members`` (a group name such as ``"G7"`` or a list of codes)."""
    codes = resolve_members(members)
    if codes is None:
        return frame
    kept = frame[frame[donor].astype(str).isin(codes)]
    if kept.empty:
        present = sorted(frame[donor].astype(str).unique())
        raise AggregationError(
            f"none of the donors {join_values(codes)} is in the data (donors present: "
            f"{join_values(present)})",
            members=codes,
        )
    return kept


def highlighted(donors: Sequence[str], highlight: str | Sequence[str] | None) -> set[str]:
    """The donors drawn in full colour (all of them when ``highlight`` is None)."""
    codes = resolve_members(highlight)
    return set(donors) if codes is None else set(codes) & set(donors)


def sum_by(frame: pd.DataFrame, keys: list[str], value: str) -> pd.Series:
    """``value`` summed per ``keys`` (observed groups only), as float."""
    return frame.groupby(keys, sort=False, observed=True)[value].sum().astype("float64")


def style_donor_ticks(
    ax: Axes, positions: np.ndarray, donors: Sequence[str], theme: Theme, strong: set[str]
) -> None:
    """Donor names (localised) as y tick labels; donors not highlighted in grey."""
    ax.set_yticks(positions, labels=[donor_label(d, theme.locale) for d in donors])
    for tick, code in zip(ax.get_yticklabels(), donors, strict=False):
        if code not in strong:
            tick.set_color("#888888")
    ax.tick_params(axis="y", length=0)


def value_label(ax: Axes, x: float, y: float, text: str, *, size: float = 8.5) -> None:
    """A value written just right of the end of a horizontal bar."""
    ax.annotate(
        text,
        xy=(x if x > 0 else 0, y),
        xytext=(3, 0),
        textcoords="offset points",
        ha="left",
        va="center",
        fontsize=size,
        color="#333333",
        gid=VALUE_LABEL_GID,
        annotation_clip=False,
    )


def finish(
    ax: Axes,
    theme: Theme,
    *,
    data: pd.DataFrame,
    unit: Unit | None,
    title: str | None,
    title_key: str,
    xlabel: str | None,
    ylabel: str | None = None,
    source: str | None,
    footnote: bool | str,
    dropped: int,
    extra: str | None = None,
    title_pad: float = 10,
) -> None:
    """Title, axis labels, tick fonts and footnote."""
    ax.set_title(theme.label(title_key) if title is None else title, loc="left", pad=title_pad)
    if xlabel is not None:
        ax.set_xlabel(xlabel)
    if ylabel is not None:
        ax.set_ylabel(ylabel)
    theme.apply_ticks(ax)
    add_footnote(
        ax, footnote_for(footnote, data, theme, unit, source=source, dropped=dropped, extra=extra)
    )


def footnote_for(
    footnote: bool | str,
    data: pd.DataFrame,
    theme: Theme,
    unit: Unit | None,
    *,
    source: str | None,
    dropped: int,
    extra: str | None = None,
) -> str:
    """The footnote text: built from the data (``True``), the caller's own text, or none."""
    if footnote is True:
        return footnote_text(data, theme, unit, source=source, dropped=dropped, extra=extra)
    if footnote:
        return join_sentences([str(footnote), extra or ""])
    return ""


def legend_outside(ax: Axes, **kwargs: Any) -> None:
    """The legend to the right of the plot, out of the way of bars and labels."""
    handles, labels = ax.get_legend_handles_labels()
    if handles:
        ax.legend(handles, labels, loc="upper left", bbox_to_anchor=(1.01, 1.0), **kwargs)
