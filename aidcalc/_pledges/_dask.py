"""``aggregate`` for a dask DataFrame: partial sums per partition, then one combining task.

The generic dask support (row-wise functions, :func:`~aidcalc._base._dask.dask_aware`) lives
in :mod:`aidcalc._base._dask`; this module holds what is specific to aggregation. Each
partition is aggregated, then the partial sums are combined in one small final task with the
rules of :mod:`aidcalc._pledges._chunks`: results equal the pandas ones.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from .._base._dask import require_dask, shared

__all__ = ["aggregate"]


def aggregate(data: Any, *args: Any, **options: Any) -> Any:
    """``aggregate`` for a dask DataFrame: partial sums per partition, one combining task."""
    from ._aggregate import aggregate as aggregate_pandas
    from ._chunks import combine_partials, key_options

    require_dask()
    if args:
        raise TypeError("aggregate takes the frame as its only positional argument")
    cumulative = bool(options.pop("cumulative", False))
    if cumulative and options.get("period") is None:
        aggregate_pandas(data._meta, cumulative=True, **options)  # raises the usual error
    meta = aggregate_pandas(data._meta, **options)
    partial = data.map_partitions(aggregate_pandas, meta=meta, **shared(options))
    keys = key_options(options)
    final_meta = combine_partials([meta], cumulative=cumulative, **keys)
    return partial.repartition(npartitions=1).map_partitions(
        _combine_one, cumulative=cumulative, keys=keys, meta=final_meta
    )


def _combine_one(part: pd.DataFrame, *, cumulative: bool, keys: dict[str, Any]) -> pd.DataFrame:
    from ._chunks import combine_partials

    return combine_partials([part], cumulative=cumulative, **keys)
