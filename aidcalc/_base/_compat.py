"""One keyword vocabulary across the public API, and the deprecated names that still work.

* :func:`renamed_option`: a keyword that was renamed (``sheet=`` -> ``sheet_name=``, as in
  pandas) still works, with one :class:`DeprecationWarning`; giving both is an error.
* :func:`renamed_argument`: a decorator for a function whose parameter was renamed (the
  frame argument is ``data`` everywhere, as in seaborn): the old name still works as a
  keyword, with one :class:`DeprecationWarning`.
* :func:`check_errors`: ``errors=`` takes the same values everywhere (``"raise"``,
  ``"coerce"``, as :func:`pandas.to_numeric`); anything else is a
  :class:`aidcalc.ValidationError` naming what is accepted.
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Callable, Collection
from typing import Any, TypeVar

from ._errors import ValidationError, join_values, option_error, outside_stacklevel

__all__ = ["ERRORS", "check_errors", "renamed_argument", "renamed_option"]

F = TypeVar("F", bound=Callable[..., Any])

#: What ``errors=`` accepts everywhere: ``"raise"`` (default) stops with an aidcalc error
#: naming the rows; ``"coerce"`` gives NaN with a reason (in an ``error`` column where the
#: function returns a frame). There is no ``"ignore"``: passing bad money through unchanged
#: would be silently wrong.
ERRORS = ("raise", "coerce")


def _stacklevel() -> int:
    """The ``stacklevel`` for a ``warnings.warn`` in the caller of this function."""
    return outside_stacklevel() - 1  # this function's own frame is not the warning's


def renamed_option(func: str, old: str, old_value: Any, new: str, new_value: Any) -> Any:
    """The value of option ``new``, taken from its deprecated name ``old`` when only that
    was given (with a :class:`DeprecationWarning`); both given is a ValidationError.

    Examples
    --------
    >>> import warnings
    >>> with warnings.catch_warnings(record=True) as seen:
    ...     warnings.simplefilter("always")
    ...     renamed_option("read_table", "sheet", "Data", "sheet_name", None)
    'Data'
    >>> print(seen[0].message)
    read_table: sheet= is deprecated; use sheet_name= (as in pandas)
    """
    if old_value is None:
        return new_value
    _old_name(
        old,
        new,
        old_value,
        both=None if new_value is None else f"{func}: pass {new}= only",
        warning=f"{func}: {old}= is deprecated; use {new}= (as in pandas)",
    )
    return old_value


def _old_name(old: str, new: str, value: Any, *, both: str | None, warning: str) -> None:
    """The deprecated name ``old`` was used: a ValidationError when ``new`` was given too
    (the message ``both``, plus which name is the old one), else a DeprecationWarning that
    names the caller's line."""
    if both is not None:
        raise ValidationError(
            f"{both} ({old}= is its deprecated name)",
            option=old,
            value=value,
            accepted=f"{new}=",
            problems=None,
        )
    warnings.warn(warning, DeprecationWarning, stacklevel=_stacklevel())


def renamed_argument(old: str, new: str = "data", *, why: str | None = None) -> Callable[[F], F]:
    """Let a function whose parameter ``old`` is now ``new`` still take ``old=`` as a keyword
    (one :class:`DeprecationWarning` per call); both given is a ValidationError.

    ``new`` is the frame argument (positional, ``data``) or a keyword-only option (``fx``);
    ``why`` says where the new name comes from (default: seaborn's ``data``).

    Examples
    --------
    >>> import warnings
    >>> @renamed_argument("frame")
    ... def total(data, *, column="amount"):
    ...     return sum(data[column])
    >>> with warnings.catch_warnings(record=True) as seen:
    ...     warnings.simplefilter("always")
    ...     total(frame={"amount": [1, 2]})
    3
    >>> print(seen[0].message)
    total: the argument frame= is now data= (as in seaborn); frame= is deprecated
    """

    def decorate(func: F) -> F:
        import inspect

        param = inspect.signature(func).parameters.get(new)
        if param is not None and param.kind is inspect.Parameter.KEYWORD_ONLY:
            return _renamed_keyword(func, old, new, why or "")

        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if old in kwargs:
                value = kwargs.pop(old)
                name, twice = func.__name__, new in kwargs or bool(args)
                _old_name(
                    old,
                    new,
                    None,
                    both=f"{name}: pass the frame once, as {new}=" if twice else None,
                    warning=f"{name}: the argument {old}= is now {new}= (as in seaborn); "
                    f"{old}= is deprecated",
                )
                args = (value,)
            elif new in kwargs and not args:
                args = (kwargs.pop(new),)  # positional, as the dask dispatch looks for it
            return func(*args, **kwargs)

        return wrapper  # type: ignore[return-value]

    return decorate


def _renamed_keyword(func: F, old: str, new: str, why: str) -> F:
    """:func:`renamed_argument` for a keyword-only option (``policy=`` -> ``fx=``).

    Examples
    --------
    >>> import warnings
    >>> @renamed_argument("policy", "fx", why="the name normalise uses")
    ... def rate(*, fx="spot"):
    ...     return fx
    >>> with warnings.catch_warnings(record=True) as seen:
    ...     warnings.simplefilter("always")
    ...     rate(policy="month")
    'month'
    >>> print(seen[0].message)
    rate: policy= is now fx= (the name normalise uses); policy= is deprecated
    """
    because = f" ({why})" if why else ""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if old in kwargs:
            _old_name(
                old,
                new,
                kwargs[old],
                both=f"{func.__name__}: pass {new}= only" if new in kwargs else None,
                warning=f"{func.__name__}: {old}= is now {new}={because}; {old}= is deprecated",
            )
            kwargs[new] = kwargs.pop(old)
        return func(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


def check_errors(value: Any, *, accepted: Collection[str] = ERRORS, func: str = "") -> str:
    """Refuse an ``errors=`` value that is not one of ``accepted`` (the same everywhere).

    Examples
    --------
    >>> check_errors("coerce")
    'coerce'
    >>> check_errors("ignore", func="convert")
    Traceback (most recent call last):
    ...
    aidcalc.ValidationError: convert: errors must be 'raise' or 'coerce', got 'ignore'
    """
    if not (isinstance(value, str) and value in accepted):
        where = f"{func}: " if func else ""
        choices = list(accepted)
        listed = " or ".join(repr(a) for a in choices) if len(choices) <= 2 else join_values(
            choices
        )
        raise option_error(
            "errors", value, f"{where}errors must be {listed}, got {value!r}", list(accepted)
        )
    return value
