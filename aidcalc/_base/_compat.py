"""One keyword vocabulary across the public API, and the deprecated names that still work.

* :func:`renamed_option`: a keyword that was renamed (``sheet=`` -> ``sheet_name=``, as in
  pandas) still works, with one :class:`DeprecationWarning`; giving both is an error.
* :func:`renamed_argument`: a decorator for a function whose parameter was renamed (the
  frame argument is ``data`` everywhere, as in seaborn): the old name still works as a
  keyword, with one :class:`DeprecationWarning`.
* :func:`check_errors`: ``errors=`` takes the same values everywhere (``"raise"``,
  ``"coerce"``, as :func:`pandas.to_numeric`); anything else is a
  :class:`aidcalc.ValidationError` naming what is accepted.

And the dependency versions we declare (``pyproject.toml``, tested by ``make test-min``):

* :func:`shallow_copy`: a new frame whose writes never reach the caller's frame, sharing the
  arrays where pandas copies on write (pandas 3) and copying them where it does not
  (pandas 2.2, 2.3).
* :func:`arrow_strings`: whether a dtype keeps its strings in Arrow (pandas 3 ``str``, which
  pandas 2.2 spells ``string[pyarrow_numpy]``), for the Arrow fast paths.
* :func:`compact_long`: a locale's long compact decimal patterns, which babel before 2.15
  leaves out where CLDR has none of the locale's own (CLDR then uses the short ones).
* :func:`arrow_nfkc_composes`: whether pyarrow's NFKC composes (pyarrow 14 leaves "À" as
  "A" + combining grave, so words with accents would not match): where it does not, the
  parser normalises those texts in Python.
* :data:`CLDR_CHANGED_SCALES`, :data:`CLDR_SWAPPED_SEPARATORS`: where the CLDR data of the
  babel releases we support disagree so that one text would read as two amounts; parsing
  refuses those texts whatever babel is installed.
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Callable, Collection
from typing import TYPE_CHECKING, Any, TypeVar

from ._errors import ValidationError, join_values, option_error, outside_stacklevel

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "CLDR_CHANGED_SCALES",
    "CLDR_SWAPPED_SEPARATORS",
    "ERRORS",
    "arrow_nfkc_composes",
    "arrow_strings",
    "check_errors",
    "compact_long",
    "copy_on_write",
    "renamed_argument",
    "renamed_option",
    "shallow_copy",
]

F = TypeVar("F", bound=Callable[..., Any])

#: What ``errors=`` accepts everywhere: ``"raise"`` (default) stops with an aidcalc error
#: naming the rows; ``"coerce"`` gives NaN with a reason (in an ``error`` column where the
#: function returns a frame). There is no ``"ignore"``: passing bad money through unchanged
#: would be silently wrong.
ERRORS = ("raise", "coerce")


#: Scale words that the CLDR data of the babel releases aidcalc supports (babel 2.14, CLDR 44,
#: to babel 2.19, CLDR 47; read off each release) give different powers of ten in a locale:
#: locale -> {word as matched (lower case): (power, power)}. en_IN "T" was thousand up to
#: babel 2.15 ("₹1.2T" = 1,200) and is the trillion of "en" from babel 2.16 on. Parsing refuses
#: them as ambiguous on every babel: on one release or another they would be read 10^n wrong.
CLDR_CHANGED_SCALES: dict[str, dict[str, tuple[int, int]]] = {
    **{
        loc: {"\u09b2\u09be\u0996": (3, 5), "\u09a8\u09bf\u0983": (6, 8)}
        for loc in ("as", "as_IN")
    },
    **{loc: {"\u09b6\u09a4 \u0995\u09cb": (9, 10)} for loc in ("bn", "bn_BD", "bn_IN")},
    "en_IN": {"t": (3, 12)},
    "es_US": {"b": (9, 12)},
    **{loc: {"g": (3, 9)} for loc in ("kab", "kab_DZ")},
    **{loc: {"m": (3, 6)} for loc in ("la", "la_VA", "quc", "quc_GT")},
}

#: Locales where one babel release's decimal separator is another's grouping separator
#: (en_ZA: "," decimal in babel 2.14 and from 2.17, "." decimal and "," grouping in 2.15 and
#: 2.16): "1,500 million" would be 1.5 million on one release and 1,500 million on the other.
#: Parsing refuses a number that is one group of three digits after 1-3 digits there.
CLDR_SWAPPED_SEPARATORS: frozenset[str] = frozenset(
    {
        "ba", "ba_RU", "en_ZA", "fr_RW", "ie", "ie_EE", "km", "km_KH", "scn", "scn_IT",
        "st", "st_LS", "st_ZA", "tok", "tok_001", "vec", "vec_IT",
    }
)  # fmt: skip


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


def copy_on_write() -> bool:
    """Whether pandas copies on write here: always from pandas 3; on pandas 2 only where the
    user turned ``pd.options.mode.copy_on_write`` on (``"warn"`` does not copy).

    Examples
    --------
    >>> import pandas as pd
    >>> copy_on_write() == (int(pd.__version__.split(".")[0]) >= 3
    ...                     or pd.get_option("mode.copy_on_write") is True)
    True
    """
    import pandas as pd

    if int(pd.__version__.split(".", 1)[0]) >= 3:
        return True
    return pd.get_option("mode.copy_on_write") is True


def shallow_copy(frame: pd.DataFrame) -> pd.DataFrame:
    """A new frame with ``frame``'s columns that the caller may change freely: a write into
    it never reaches ``frame`` (nor the reverse).

    ``frame.copy(deep=False)`` where pandas copies on write (no array is copied); on pandas 2
    without copy-on-write a shallow copy shares its arrays, so ``result.loc[0, "amount"] = 1``
    would change the caller's frame: there the arrays are copied.

    Examples
    --------
    >>> import pandas as pd
    >>> data = pd.DataFrame({"amount": [1.0, 2.0]})
    >>> out = shallow_copy(data)
    >>> out.loc[0, "amount"] = -1.0
    >>> data["amount"].tolist()
    [1.0, 2.0]
    """
    return frame.copy(deep=not copy_on_write())


def arrow_strings(dtype: Any) -> bool:
    """Whether a column of ``dtype`` keeps its strings in Arrow: ``ArrowDtype`` and the
    pyarrow ``StringDtype`` (pandas 3 ``str``; ``string[pyarrow_numpy]`` on pandas 2.2, where
    ``str`` is still ``object``).

    Examples
    --------
    >>> import pandas as pd
    >>> arrow_strings(pd.StringDtype("pyarrow")), arrow_strings(pd.StringDtype("python"))
    (True, False)
    >>> arrow_strings(pd.Series(["a"], dtype=object).dtype)
    False
    """
    import pandas as pd

    if isinstance(dtype, pd.ArrowDtype):
        return True
    return isinstance(dtype, pd.StringDtype) and dtype.storage in ("pyarrow", "pyarrow_numpy")


def compact_long(loc: Any) -> Any:
    """The long compact decimal patterns of babel locale ``loc`` (``"0 thousand"``).

    Where CLDR has no long ones for a locale its short ones stand in (CLDR's fallback, which
    babel from 2.15 applies in its data; babel 2.14 leaves ``"long"`` out: a ``KeyError``).

    Examples
    --------
    >>> from babel import Locale
    >>> str(compact_long(Locale.parse("en"))["other"]["1000"].pattern)
    '0 thousand'
    >>> str(compact_long(Locale.parse("ln"))["other"]["1000"].pattern)
    '0K'
    """
    formats = loc.compact_decimal_formats
    return formats["long"] if "long" in formats else formats["short"]


@functools.cache
def arrow_nfkc_composes() -> bool:
    """Whether ``pyarrow.compute.utf8_normalize(..., "NFKC")`` composes as Python does.

    pyarrow 14 decomposes instead ("\u00c0" becomes "A\u0300"), so a word with an accent
    would not match its table entry; later releases compose.

    Examples
    --------
    >>> isinstance(arrow_nfkc_composes(), bool)
    True
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    got = pc.utf8_normalize(pa.array(["\u00c0\ufb01"]), "NFKC")[0].as_py()
    return bool(got == "\u00c0fi")
