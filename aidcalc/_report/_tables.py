"""The tables behind the report's charts (donors by category, share of GDP, timeline,
pipeline) and their files (CSV, and XLSX when openpyxl is installed)."""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import pandas as pd

from .._base._labels import get_label
from .._pledges._lifecycle import STATUS_ORDER
from ..plot._style import donor_label
from ._output import Output

__all__ = ["TABLES", "chart_tables", "write_tables"]

#: the tables the report writes, in the order of the page
TABLES = ("donors_by_category", "share_of_gdp", "timeline", "pipeline", "rejected", "pledges")


def chart_tables(
    frame: pd.DataFrame,
    value: str,
    share: pd.DataFrame | None,
    locale: Any,
    *,
    stages: pd.DataFrame | None = None,
    cumulative: bool = True,
    dated: pd.DataFrame | None = None,
) -> dict[str, pd.DataFrame]:
    """The table of each chart, by name (``share_of_gdp`` only with ``share``)."""
    names = partial(_names, locale=locale)
    tables = {"donors_by_category": _by_category(frame, value, locale)}
    if share is not None:
        tables["share_of_gdp"] = _shares(share, value, names)
    tables["timeline"] = _timeline(frame if dated is None else dated, value, names)
    tables["pipeline"] = _pipeline(frame if stages is None else stages, value, cumulative,
                                   names)
    return tables


def _names(codes: pd.Series, locale: Any) -> pd.Series:
    return codes.map(lambda c: donor_label(c, locale))


def _by_category(frame: pd.DataFrame, value: str, locale: Any) -> pd.DataFrame:
    by_cat = frame.groupby(["donor", "category"], observed=True)[value].sum().reset_index()
    by_cat.insert(1, "donor_name", _names(by_cat["donor"], locale))
    by_cat.insert(3, "category_name", by_cat["category"].map(lambda c: get_label(c, locale)))
    totals = by_cat.groupby("donor", observed=True)[value].transform("sum")
    by_cat = by_cat.assign(_t=totals).sort_values(["_t", "donor", value], ascending=False)
    return by_cat.drop(columns="_t").reset_index(drop=True)


def _timeline(timed: pd.DataFrame, value: str, names: Callable[..., pd.Series]) -> pd.DataFrame:
    daily = timed.groupby(["donor", "announced"], observed=True)[value].sum().reset_index()
    daily = daily.sort_values(["donor", "announced"], kind="stable").reset_index(drop=True)
    daily["cumulative"] = daily.groupby("donor", observed=True)[value].cumsum()
    daily.insert(1, "donor_name", names(daily["donor"]))
    return daily


def _pipeline(
    frame: pd.DataFrame, value: str, cumulative: bool, names: Callable[..., pd.Series]
) -> pd.DataFrame:
    from ..plot import stage_totals

    stages = stage_totals(frame, value=value, cumulative=cumulative).reset_index()
    stages.insert(1, "donor_name", names(stages["donor"]))
    largest = stages[list(STATUS_ORDER)].max(axis=1)  # = pledged when cumulative
    stages = stages.assign(_m=largest).sort_values("_m", ascending=False, kind="stable")
    return stages.drop(columns="_m").reset_index(drop=True)


def _shares(share: pd.DataFrame, value: str, names: Callable[..., pd.Series]) -> pd.DataFrame:
    shares = share.groupby("donor", observed=True)[[value, "pct_of_gdp"]].sum()
    shares["rank_by_amount"] = shares[value].rank(ascending=False, method="min").astype(int)
    shares["rank_by_share"] = shares["pct_of_gdp"].rank(ascending=False, method="min").astype(
        int
    )
    shares = shares.sort_values("pct_of_gdp", ascending=False).reset_index()
    shares.insert(1, "donor_name", names(shares["donor"]))
    return shares


def write_tables(tables: dict[str, pd.DataFrame], output: Output) -> None:
    """Each table as CSV, and as XLSX when openpyxl is installed (cells never formulas)."""
    from .._base._export import write_csv, write_xlsx

    xlsx = importlib.util.find_spec("openpyxl") is not None
    for name, table in tables.items():
        output.write(f"{name}.csv", partial(_write_csv_to, write_csv, table))
        if xlsx:
            output.write(f"{name}.xlsx", partial(_write_xlsx_to, write_xlsx, table, name))


def _write_csv_to(write: Callable[..., Path], table: pd.DataFrame, path: Path) -> None:
    write(table, path)


def _write_xlsx_to(
    write: Callable[..., Path], table: pd.DataFrame, name: str, path: Path
) -> None:
    write(_for_excel(table), path, sheet=name)


def _for_excel(frame: pd.DataFrame) -> pd.DataFrame:
    """Excel cannot store time zones or categoricals of mixed objects: plain columns."""
    out = frame.copy()
    for col in out.columns:
        if isinstance(out[col].dtype, pd.CategoricalDtype):
            out[col] = out[col].astype(object)
    return out
