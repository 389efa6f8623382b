"""dask.dataframe support: the frame functions accept a dask DataFrame and return one, lazily.

``convert``, ``normalise``, ``categorise`` and ``aggregate`` call :func:`apply` when given a
dask DataFrame. Row-wise steps run partition by partition (``map_partitions``), with the
output schema (``meta``) computed by running the same function on the empty frame, so users
never pass ``meta=``. ``aggregate`` aggregates each partition, then combines the partial sums
in one small final task with the rules of :mod:`aidcalc._pledges._chunks`: results equal the pandas
ones. Rate and deflator tables are loaded once per worker process from the installed package
(lazily, cached), not shipped with every task; objects passed by the caller (e.g. ``rates=``)
enter the task graph once, as one key, and are sent once to each worker.

dask is an optional dependency (``pip install "aidcalc[dask]"``); this module imports it only
when a dask object is actually passed, so ``import aidcalc`` never loads it.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar

import pandas as pd

__all__ = ["apply", "dask_aware", "is_dask"]

P = ParamSpec("P")
R = TypeVar("R")

_LARGE = (pd.DataFrame, pd.Series)


def is_dask(obj: object) -> bool:
    """Whether ``obj`` is a dask collection (checked without importing dask)."""
    module = type(obj).__module__
    return module == "dask" or module.startswith(("dask.", "dask_expr"))


def _dask() -> Any:
    try:
        import dask
        import dask.dataframe
    except ImportError as exc:  # pragma: no cover - only without the extra
        from .._base._errors import ValidationError

        raise ValidationError(
            "a dask DataFrame was passed but dask is not installed: "
            'pip install "aidcalc[dask]"',
            problems=pd.DataFrame(),
        ) from exc
    return dask


def _shared(kwargs: dict[str, Any]) -> dict[str, Any]:
    """Large caller objects enter the graph once (one key), not once per partition."""
    dask = _dask()
    out = {}
    for key, value in kwargs.items():
        if isinstance(value, _LARGE) or type(value).__name__ == "RateTable":
            out[key] = dask.delayed(value, pure=True, traverse=False)
        else:
            out[key] = value
    return out


def apply(func: Callable[..., Any], data: Any, *args: Any, **kwargs: Any) -> Any:
    """Run a row-wise frame function on every partition of a dask DataFrame, lazily."""
    _dask()
    meta = func(data._meta, *args, **kwargs)
    return data.map_partitions(func, *args, meta=meta, **_shared(kwargs))


def aggregate(data: Any, *args: Any, **options: Any) -> Any:
    """``aggregate`` for a dask DataFrame: partial sums per partition, one combining task."""
    from ._aggregate import aggregate as aggregate_pandas
    from ._chunks import _key_options, combine_partials

    _dask()
    if args:
        raise TypeError("aggregate takes the frame as its only positional argument")
    cumulative = bool(options.pop("cumulative", False))
    if cumulative and options.get("period") is None:
        aggregate_pandas(data._meta, cumulative=True, **options)  # raises the usual error
    meta = aggregate_pandas(data._meta, **options)
    partial = data.map_partitions(aggregate_pandas, meta=meta, **_shared(options))
    keys = _key_options(options)
    final_meta = combine_partials([meta], cumulative=cumulative, **keys)
    return partial.repartition(npartitions=1).map_partitions(
        _combine_one, cumulative=cumulative, keys=keys, meta=final_meta
    )


def _combine_one(part: pd.DataFrame, *, cumulative: bool, keys: dict[str, Any]) -> pd.DataFrame:
    from ._chunks import combine_partials

    return combine_partials([part], cumulative=cumulative, **keys)


def dask_aware(func: Callable[P, R]) -> Callable[P, R]:
    """Let a frame function take a dask DataFrame as its first argument (and return one)."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        if args and is_dask(args[0]):
            data, *rest = args
            if func.__name__ == "aggregate":
                return aggregate(data, *rest, **kwargs)
            return apply(func, data, *rest, **kwargs)
        return func(*args, **kwargs)

    return wrapper
