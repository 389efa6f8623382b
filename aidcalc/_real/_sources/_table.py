"""What the table-based price sources share: the factor ``table[key, year] /
table[key, base_year]`` per row, looked up once per (series, year) pair, with its provenance;
``extend="last"`` carries the last published value forward (flagged); a pair outside the
table is a :class:`~aidcalc.DataCoverageError` naming the fix."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from ..._base._errors import DataCoverageError, describe_rows, join_values
from ..._base._provenance import DeflatorFacts, render
from .._macro import lookup
from .._rows import Problems, categorical
from . import SeriesKey

__all__ = ["Describe", "deflate"]

#: the facts of one pair: (key, year, year used, base year used) -> DeflatorFacts
Describe = Callable[[SeriesKey, int, int, int], DeflatorFacts]


def _factor_lookup(
    table: pd.DataFrame,
    keys: list[str],
    years: list[int],
    extend: str | None,
) -> tuple[np.ndarray, list[int]]:
    """Values for (key, year) pairs and the years used; with extend='last', later years take
    the last value."""
    values, _ = lookup(table, keys, years)
    used = list(years)
    if extend == "last":
        last = table.groupby("iso3", observed=True)["year"].max().to_dict()
        for i, (k, y) in enumerate(zip(keys, years, strict=True)):
            if np.isnan(values[i]) and k in last and y > last[k]:
                used[i] = last[k]
        if used != list(years):
            values, _ = lookup(table, keys, used)
    return values, used


#: the ``aidcalc update --source`` that downloads each table ``deflate`` names
_UPDATE_SOURCE = {"OECD DAC deflators": "dac", "consumer price index": "wdi"}


def _coverage_error(
    dataset: str, missing: list[tuple[str, int]], rows: pd.Index, table: pd.DataFrame
) -> DataCoverageError:
    keys = sorted({k for k, _ in missing})
    spans = []
    for k in keys:
        ys = table.loc[table["iso3"] == k, "year"]
        spans.append(f"{k} {ys.min()}-{ys.max()}" if len(ys) else f"{k} none")
    verb = "do" if dataset.endswith("s") else "does"
    publisher = _UPDATE_SOURCE.get(dataset, "dac")  # the `aidcalc update` source of the table
    return DataCoverageError(
        f"the {dataset} {verb} not cover {join_values(sorted(set(missing)))} "
        f"({describe_rows(rows)}; coverage: {', '.join(spans)}). Download current data "
        f"(`aidcalc update --source {publisher}`; `aidcalc update --source weo` for the IMF "
        "WEO, which extends the economies it publishes), pass extend='last' to carry "
        "the last available factor forward (flagged in deflator_source), supply a later "
        "vintage (deflators=/cpi=, e.g. from aidcalc.io.read_dac_deflators or read_wdi), "
        "choose a base_year inside the coverage, or use errors='coerce'"
        + (
            ". A deflator 'in <currency> terms' (amounts already in `to`) also needs the "
            "year's annual average rate: a rate table covering whole years, or fx='dac'"
            if any(k.endswith(" terms") for k in keys) else ""
        ),
        dataset=dataset,
        missing=sorted(set(missing)),
        rows=list(rows),
    )


def _cells(
    keys_per_row: np.ndarray, n_keys: int, years: np.ndarray, ok: np.ndarray
) -> tuple[np.ndarray, np.ndarray, int, int]:
    """Dense (key, year) cell number per row (a gather instead of a hash on 10M rows), the
    cells present, the first year and the number of years."""
    all_ok = bool(ok.all())
    ymin = int(years[ok].min()) if not all_ok else int(years.min())
    ny = (int(years[ok].max()) if not all_ok else int(years.max())) - ymin + 1
    cell = np.asarray(keys_per_row, dtype="int64") * ny + (years - ymin)
    if not all_ok:
        cell = np.where(ok, cell, 0)
    counts = np.bincount(cell if all_ok else cell[ok], minlength=n_keys * ny)
    return cell, np.flatnonzero(counts), ymin, ny


def deflate(
    keys_per_row: np.ndarray,
    keys: list[SeriesKey],
    years: np.ndarray,
    base_year: int,
    table: pd.DataFrame,
    dataset: str,
    describe: Describe,
    extend: str | None,
    valid: np.ndarray,
    problems: Problems,
) -> tuple[np.ndarray, pd.Series]:
    """Factor ``table[key, year] / table[key, base_year]`` per row, with its source text."""
    n, index = len(years), problems.index
    ok = valid & (years >= 0) & (keys_per_row >= 0)
    if not ok.any():
        return np.full(n, np.nan), categorical(np.full(n, -1), [""], index)
    cell, present, ymin, ny = _cells(keys_per_row, len(keys), years, ok)
    pairs = [(keys[int(c) // ny], ymin + int(c) % ny) for c in present]
    ks = [k.table_key for k, _ in pairs]
    v_year, used_year = _factor_lookup(table, ks, [y for _, y in pairs], extend)
    v_base, used_base = _factor_lookup(table, ks, [base_year] * len(pairs), extend)
    factor_pair = np.append(v_year / v_base, np.nan)  # last slot: rows without a cell
    labels = [
        render(describe(k, y, used_year[i], used_base[i])) for i, (k, y) in enumerate(pairs)
    ]
    # pair number per row, -1 for rows without one (small ints: less memory traffic)
    small = np.int16 if len(pairs) < 32767 else np.int64
    cell_to_pair = np.full(len(keys) * ny, -1, dtype=small)
    cell_to_pair[present] = np.arange(len(pairs))
    pc = cell_to_pair[cell]
    if not ok.all():
        pc[~ok] = -1
    factor = factor_pair[pc]  # -1 picks the NaN slot
    bad_pair = ~np.isfinite(factor_pair[:-1])
    if bad_pair.any():
        missing = [(ks[i], y) for i, (_, y) in enumerate(pairs) if np.isnan(v_year[i])] + [
            (ks[i], base_year) for i in range(len(pairs)) if np.isnan(v_base[i])
        ]
        bad = np.append(bad_pair, False)[pc]
        problems.add(bad, f"outside {dataset} coverage",
                     _coverage_error(dataset, missing, index[bad], table))
        pc[bad] = -1
    return factor, categorical(pc, labels, index)
