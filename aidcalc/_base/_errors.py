"""The aidcalc exception hierarchy: one base class, subclasses that also inherit the built-in."""

from __future__ import annotations

import os
import sys
from collections.abc import Container, Iterable, Sequence
from typing import Any

# the names ``aidcalc`` re-exports at the top level (its ``__all__`` is built from this)
PUBLIC_NAMES = (
    "AggregationError",
    "AidcalcError",
    "AmountRangeError",
    "AmountTypeError",
    "CurrencyCodeError",
    "DataCoverageError",
    "FrameTypeError",
    "InputFileError",
    "ParseError",
    "RateNotFoundError",
    "RejectedRowsWarning",
    "UnknownDonorError",
    "ValidationError",
)
__all__ = [
    *PUBLIC_NAMES,
    "OptionTypeError",
    "PUBLIC_NAMES",
    "describe_rows",
    "option_error",
    "outside_stacklevel",
    "reject_unknown",
]


def describe_rows(labels: Iterable[Any], limit: int = 5) -> str:
    """Describe index labels briefly for an error message.

    Parameters
    ----------
    labels
        The index labels of the affected rows.
    limit
        How many labels to show before summarising the rest.

    Examples
    --------
    >>> describe_rows([3, 7, 9])
    '3 rows (index 3, 7, 9)'
    >>> describe_rows(range(10), limit=3)
    '10 rows (index 0, 1, 2, ... and 7 more)'
    >>> describe_rows(["a"])
    '1 row (index a)'
    """
    labels = list(labels)
    n = len(labels)
    shown = ", ".join(str(x) for x in labels[:limit])
    more = f", ... and {n - limit} more" if n > limit else ""
    return f"{n} row{'s' if n != 1 else ''} (index {shown}{more})"


class AidcalcError(Exception):
    """Base class of every error aidcalc raises on purpose.

    Every subclass also inherits the matching built-in exception (``ValueError``,
    ``LookupError``, ...), so ``except ValueError`` keeps working for callers who do not know
    aidcalc. Errors carry their facts as attributes as well as in the message.

    Examples
    --------
    >>> try:
    ...     raise ParseError("no number in 'about'", text="about", reason="no number")
    ... except ValueError as err:
    ...     print(type(err).__name__, err.text, isinstance(err, AidcalcError))
    ParseError about True
    """

    def __init__(self, message: str, **fields: Any) -> None:
        super().__init__(message)
        self.message = message
        self.fields = fields
        for key, value in fields.items():
            setattr(self, key, value)

    def __str__(self) -> str:
        return self.message

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild, (type(self), self.message, self.fields))


def _rebuild(cls: type[AidcalcError], message: str, fields: dict[str, Any]) -> AidcalcError:
    return cls(message, **fields)


class ParseError(AidcalcError, ValueError):
    """Text could not be read as an amount (or a date, a number, a code) with certainty.

    Fields: ``text`` (the input), ``reason`` (what was missing or ambiguous).
    """

    text: str
    reason: str


class RateNotFoundError(AidcalcError, LookupError):
    """No exchange rate for a currency on a date (outside coverage, stale, or unknown currency).

    Fields: ``currency``, ``dates``, ``rows`` (index labels affected).
    """


class DataCoverageError(AidcalcError, LookupError):
    """Embedded or supplied reference data (deflators, GDP, population) does not cover a key.

    Fields: ``dataset``, ``missing`` (e.g. list of (donor, year)), ``rows``.
    """


class UnknownDonorError(AidcalcError, LookupError):
    """A donor name could not be mapped to a code. Fields: ``name``, ``suggestions``."""

    name: str
    suggestions: list[str]


class InputFileError(AidcalcError, ValueError):
    """An input file is missing, unsafe, malformed or not in the expected layout.

    Fields: ``path``, and where known ``line``, ``column``, ``reason``.
    """

    reason: str


class ValidationError(AidcalcError, ValueError):
    """A pledge frame breaks the documented schema. Fields: ``problems`` (a DataFrame)."""


class FrameTypeError(ValidationError, TypeError):
    """The input is not a pandas DataFrame (also a ``TypeError``). Fields: ``got`` (type name)."""


class OptionTypeError(ValidationError, TypeError):
    """An option of the wrong type (``merges=3``): a :class:`ValidationError`, the one error
    for bad options, that is also a ``TypeError`` (so ``except TypeError`` keeps working).
    Fields: ``option``, ``value``, ``accepted``."""


class AggregationError(AidcalcError, ValueError):
    """Values that must not be summed together (different currencies or price bases)."""


class AmountTypeError(ParseError, TypeError):
    """An amount of the wrong type (``None``, ``bool``, a list...): also a ``TypeError``."""


class AmountRangeError(ParseError, ValidationError):
    """An amount that is not finite or beyond ``aidcalc._money._amount.MAX_AMOUNT`` (1e18).

    Also a ``ValueError``. Fields: ``value`` (as text), ``currency``, ``reason``.
    """


class CurrencyCodeError(ParseError, ValidationError):
    """A currency code given as an argument (``to=``, ``base=``, ``currencies=``,
    ``currency=``...) is not an ISO 4217 code; the message names the codes and the code meant.

    Also a ``ValueError``. Fields: ``option``, ``value``, ``codes`` (the bad ones, as given),
    ``text``, ``reason``.
    """


def join_values(values: Sequence[Any], limit: int = 8) -> str:
    """Quote a few values for an error message.

    Examples
    --------
    >>> join_values(["XYZ", "ABC"])
    "'XYZ', 'ABC'"
    """
    shown = ", ".join(repr(v) for v in values[:limit])
    return shown + (f", ... ({len(values) - limit} more)" if len(values) > limit else "")


def option_error(
    option: str, value: Any, message: str, accepted: Any, *, problems: Any = None
) -> ValidationError:
    """The one error for an option value aidcalc does not take: ``message``, with the option,
    the value and what is accepted as fields.

    Examples
    --------
    >>> option_error("errors", "ignore", "errors must be 'raise'", ["raise"]).accepted
    ['raise']
    """
    return ValidationError(
        message, option=option, value=value, accepted=accepted, problems=problems
    )


def reject_unknown(
    values: Iterable[Any], valid: Container[Any], message: str, **fields: Any
) -> None:
    """Raise a `ValidationError` naming the values that are not in ``valid``.

    ``message`` is a `str.format` template: ``{unknown}`` becomes the quoted unknown values,
    every other field comes from ``fields`` (quote lists with `join_values` first).

    Examples
    --------
    >>> reject_unknown(["a", "b"], {"a"}, "{unknown} not in {known}", known="'a'")
    Traceback (most recent call last):
    ...
    aidcalc.ValidationError: 'b' not in 'a'
    """
    unknown = [v for v in values if v not in valid]
    if unknown:
        raise ValidationError(
            message.format(unknown=join_values(unknown), **fields), problems=None
        )


# tracebacks and reprs show the public path (aidcalc.ParseError, not the private module);
# pickling still works: each class is reachable as aidcalc.<name>
for _name in PUBLIC_NAMES:
    if _name.endswith("Error"):
        globals()[_name].__module__ = "aidcalc"
del _name


class RejectedRowsWarning(UserWarning):
    """A reader or :func:`aidcalc.pledges` left rows out (or kept rows with their money
    changed: an amount, currency, date, year or status left empty) and the caller did not
    ask for the report: pass ``return_rejected=True`` to get ``(frame, rejected)``, or read
    ``frame.attrs["rejected"]``. Notes about data kept as the file has it do not warn."""


_PACKAGE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))  # aidcalc/


def outside_stacklevel() -> int:
    """The ``stacklevel`` for :func:`warnings.warn` that points at the first caller outside
    aidcalc (so a warning names the user's line, however deep the library called)."""
    level = 1
    f = sys._getframe(1)
    while f is not None and os.path.abspath(f.f_code.co_filename).startswith(_PACKAGE_DIR):
        f = f.f_back  # type: ignore[assignment]
        level += 1
    return level
