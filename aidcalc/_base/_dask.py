"""dask.dataframe support for any frame function: take a dask DataFrame, return one, lazily.

:func:`dask_aware` lets a row-wise frame function (``convert``, ``normalise``,
``categorise``) take a dask DataFrame: it runs partition by partition (``map_partitions``),
with the output schema (``meta``) computed by running the same function on the empty frame, so
users never pass ``meta=``. :func:`dask_dispatch` lets a function that is not row-wise (such as
``aggregate``) name its own lazy path. Objects passed by the caller (e.g. ``rates=``) enter
the task graph once, as one key, and are sent once to each worker.

dask is an optional dependency (``pip install "aidcalc[dask]"``); this module imports it only
when a dask object is actually passed, so ``import aidcalc`` never loads it.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar

import pandas as pd

__all__ = ["apply", "dask_aware", "dask_dispatch", "is_dask", "require_dask", "shared"]

P = ParamSpec("P")
R = TypeVar("R")

_LARGE = (pd.DataFrame, pd.Series)


def is_dask(obj: object) -> bool:
    """Whether ``obj`` is a dask collection (checked without importing dask).

    Examples
    --------
    >>> is_dask(pd.DataFrame())
    False
    """
    module = type(obj).__module__
    return module == "dask" or module.startswith(("dask.", "dask_expr"))


def require_dask() -> Any:
    """The ``dask`` module (with ``dask.dataframe`` loaded), or a ValidationError saying what
    to install."""
    try:
        import dask
        import dask.dataframe
    except ImportError as exc:  # pragma: no cover - only without the extra
        from ._errors import ValidationError

        raise ValidationError(
            "a dask DataFrame was passed but dask is not installed: "
            'pip install "aidcalc[dask]"',
            problems=pd.DataFrame(),
        ) from exc
    return dask


def shared(kwargs: dict[str, Any]) -> dict[str, Any]:
    """Large caller objects enter the graph once (one key), not once per partition."""
    dask = require_dask()
    out = {}
    for key, value in kwargs.items():
        if isinstance(value, _LARGE) or type(value).__name__ == "RateTable":
            out[key] = dask.delayed(value, pure=True, traverse=False)
        else:
            out[key] = value
    return out


def apply(func: Callable[..., Any], data: Any, *args: Any, **kwargs: Any) -> Any:
    """Run a row-wise frame function on every partition of a dask DataFrame, lazily."""
    require_dask()
    meta = func(data._meta, *args, **kwargs)
    return data.map_partitions(func, *args, meta=meta, **shared(kwargs))


def dask_dispatch(lazy: Callable[..., Any]) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Let a frame function take a dask DataFrame as its first argument: ``lazy`` (called
    with the same arguments) builds the dask result; anything else goes to the function."""

    def decorate(func: Callable[P, R]) -> Callable[P, R]:
        @functools.wraps(func)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
            if args and is_dask(args[0]):
                return lazy(*args, **kwargs)
            return func(*args, **kwargs)

        return wrapper

    return decorate


def dask_aware(func: Callable[P, R]) -> Callable[P, R]:
    """Let a row-wise frame function take a dask DataFrame as its first argument (and return
    one, computed partition by partition)."""
    return dask_dispatch(functools.partial(apply, func))(func)
