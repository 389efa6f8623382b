"""pint-pandas columns (``pint[MW]``, ``pint[hectare]``, ``pint[USD]``) in aidcalc's frames.

pint-pandas is optional (``pip install "aidcalc[units]"``) and never imported here: a
column is recognised by its dtype's class (``PintType`` from the ``pint_pandas`` package), so
frames without pint columns take no extra step. The rules, shared by every function:

* **One registry.** A unit is read in aidcalc's registry (:func:`aidcalc.get_registry`, where
  each ISO currency is a dimension of its own and MW, MWh, hectare, tonne and piece are
  defined). :func:`use_pint_pandas` makes pint-pandas build its dtypes there; a column whose
  unit comes from another registry is refused (its ``USD`` would not be aidcalc's ``USD``).
* **A currency unit is money in that currency.** ``pint[USD]`` (or ``pint[kUSD]``, read as
  1000 USD per unit) is money in USD: :func:`aidcalc.convert`, :func:`aidcalc.normalise` and
  :func:`aidcalc.pledges` take the currency from the dtype, and a ``currency`` column that
  names another currency for a row is refused with the rows and both values (a missing
  ``currency`` is filled from the dtype). The converted column gets the target's dtype
  (``pint[EUR]``).
* **Any other unit is not money.** ``pint[MW]`` or ``pint[hectare]`` given as an amount to
  convert/normalise/pledges raises; :func:`aidcalc.aggregate` sums it in its own unit without
  the currency and price-base checks (they are about money), keeping the dtype.
* **Sums and splits keep the unit.** aggregate and :func:`aidcalc.spread` work on the
  magnitudes (exactly as on a float column) and give the result the column's own dtype.
* Columns a function does not read are carried through unchanged, dtype and all.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np
import pandas as pd

from .._base._errors import AggregationError, ValidationError, describe_rows, join_values
from .._base._frame_checks import with_columns

if TYPE_CHECKING:
    import pint

__all__ = [
    "Money",
    "Units",
    "aggregate_units",
    "column_units",
    "is_pint",
    "money_with_currency",
    "plain",
    "plain_frame",
    "restore",
    "use_pint_pandas",
    "with_currency_unit",
]

_FIX_REGISTRY = (
    "make the column after aidcalc.use_pint_pandas() (pint-pandas then builds its dtypes in "
    "aidcalc.get_registry(), where each ISO currency and MW, hectare, tonne, piece are defined)"
)


def is_pint(dtype: Any) -> bool:
    """Whether ``dtype`` is a pint-pandas ``PintType`` (checked without importing pint_pandas).

    Examples
    --------
    >>> is_pint(pd.Series([1.0]).dtype), is_pint("pint[MW]")
    (False, False)
    """
    kind = type(dtype)
    return kind.__name__ == "PintType" and kind.__module__.split(".")[0] == "pint_pandas"


def use_pint_pandas() -> pint.UnitRegistry:
    """Make pint-pandas build its ``pint[...]`` dtypes in aidcalc's unit registry.

    Call it once before making unit columns (as you would call ``seaborn.set_theme()``): it
    sets ``pint_pandas.PintType.ureg = aidcalc.get_registry()``, pint-pandas' documented way
    to use a registry of your own, so ``dtype="pint[USD]"`` is aidcalc's US dollar (a
    dimension of its own: it never adds up with yen) and ``pint[MW]``, ``pint[hectare]``,
    ``pint[tonne]`` and ``pint[piece]`` are the in-kind units of ``aidcalc/_money/units.txt``.

    Returns
    -------
    pint.UnitRegistry
        :func:`aidcalc.get_registry`.

    Raises
    ------
    ImportError
        pint-pandas is not installed (``pip install "aidcalc[units]"``).

    Examples
    --------
    >>> import aidcalc
    >>> ureg = aidcalc.use_pint_pandas()
    >>> aid = pd.DataFrame({"donor": ["JPN", "JPN"],
    ...                     "generators": pd.Series([10.0, 20.0], dtype="pint[MW]"),
    ...                     "amount": pd.Series([1e6, 2e6], dtype="pint[USD]")})
    >>> total = aidcalc.aggregate(aid, by="donor", value="generators")
    >>> total["generators"].dtype, total["generators"].pint.magnitude.tolist()
    (pint[megawatt][Float64], [30.0])
    >>> aidcalc.convert(aid.assign(date="2024-06-07"), "EUR")["amount_EUR"].dtype
    pint[EUR][Float64]
    """
    from ._units import get_registry

    try:
        import pint_pandas
    except ImportError:  # pragma: no cover - depends on the environment
        raise ImportError(
            'aidcalc.use_pint_pandas needs pint-pandas: pip install "aidcalc[units]"'
        ) from None
    ureg = get_registry()
    if pint_pandas.PintType.ureg is not ureg:
        pint_pandas.PintType.ureg = ureg
        # dtypes are cached by unit name: drop those built in the previous registry
        cache = getattr(pint_pandas.PintType, "_cache", None)
        if isinstance(cache, dict):
            cache.clear()
    return ureg


@dataclass(frozen=True)
class Units:
    """The unit of a pint-pandas column, read in aidcalc's registry."""

    dtype: Any
    """The column's ``PintType``."""
    unit: str
    """The unit's name (``"megawatt"``, ``"USD"``, ``"kiloUSD"``)."""
    currency: str | None
    """The ISO code when the unit is money in one currency, else ``None``."""
    factor: float
    """How many ``currency`` one unit is (``1.0`` for ``USD``, ``1000.0`` for ``kUSD``)."""


class Money(NamedTuple):
    """A pint currency amount column read as money (see :func:`money_with_currency`)."""

    values: pd.Series
    """The amounts in ``units.currency`` (``float64``)."""
    currencies: pd.Series
    """The currency of every row (the dtype's ISO code)."""
    units: Units



def column_units(column: pd.Series, name: str, func: str) -> Units | None:
    """The unit of a pint-pandas column (``None`` for any other column).

    Raises :class:`aidcalc.ValidationError` when the unit is not from aidcalc's registry.
    """
    dtype: Any = column.dtype
    if not is_pint(dtype):
        return None
    from ._units import get_registry

    ureg = get_registry()
    unit = dtype.units
    if getattr(unit, "_REGISTRY", None) is not ureg:
        raise ValidationError(
            f"{func}: column {name!r} has pint unit {str(unit)!r} from another unit registry "
            f"than aidcalc's; {_FIX_REGISTRY}",
            problems=pd.DataFrame({"row": None, "column": [name], "problem": "unit registry"}),
        )
    dims = dict(unit.dimensionality)
    code = None
    factor = 1.0
    if len(dims) == 1:
        (dim, power), = dims.items()
        if dim.startswith("[currency_") and power == 1:
            code = dim[len("[currency_") : -1]
            factor = float(ureg.Quantity(1.0, unit).to(code).magnitude)
    return Units(dtype=dtype, unit=str(unit), currency=code, factor=factor)


def plain(column: pd.Series) -> pd.Series:
    """The magnitudes of a pint-pandas column as ``float64`` (any other column unchanged)."""
    if not is_pint(column.dtype):
        return column
    values = np.asarray(column.array.quantity.magnitude, dtype="float64")
    return pd.Series(values, index=column.index, name=column.name, copy=False)


def restore(values: Any, like: pd.Series | Units | None) -> Any:
    """``values`` (magnitudes) with the dtype of ``like`` when that is a pint column."""
    dtype: Any = like.dtype if like is not None else None
    if not is_pint(dtype):
        return values
    array = np.asarray(values, dtype="float64")
    got = dtype.construct_array_type()(array, dtype=dtype)
    if isinstance(values, pd.Series):
        return pd.Series(got, index=values.index, name=values.name, copy=False)
    return got


def with_currency_unit(values: Any, code: str, money: Money | None) -> Any:
    """Converted money as ``pint[code]`` when the input amount was a pint column (else as is)."""
    if money is None:
        return values
    from ._units import get_registry

    dtype: Any = type(money.units.dtype)(get_registry().Unit(code))
    array = np.asarray(values, dtype="float64")
    got = dtype.construct_array_type()(array, dtype=dtype)
    if isinstance(values, pd.Series):
        return pd.Series(got, index=values.index, name=values.name, copy=False)
    return got


def _not_money(units: Units, name: str, func: str) -> ValidationError:
    return ValidationError(
        f"{func}: column {name!r} is in {units.unit!r} (dtype {units.dtype}), not money: "
        f"{func} works on amounts in a currency (pint[USD], pint[EUR], ...). Sum in-kind "
        "quantities with aidcalc.aggregate (it keeps their unit); convert money columns only",
        problems=pd.DataFrame({"row": None, "column": [name], "problem": "not money"}),
    )


def money_with_currency(
    frame: pd.DataFrame, amount: str, currency: str | None, func: str
) -> Money | None:
    """For a pint currency ``amount`` column: its amounts in the currency (``float64``), the
    currency of every row and its :class:`Units`; ``None`` when ``amount`` is not a pint column.

    A ``currency`` column, when the frame has one, must agree with the dtype on every row
    where it is filled (codes compared trimmed and upper-cased); a contradiction raises
    :class:`aidcalc.ValidationError` naming the rows and both currencies. A unit that is not
    one currency (``pint[MW]``, ``pint[USD/MWh]``) raises: it is not money.
    """
    if amount not in frame.columns:
        return None
    units = column_units(frame[amount], amount, func)
    if units is None:
        return None
    if units.currency is None:
        raise _not_money(units, amount, func)
    code = units.currency
    if currency is not None and currency in frame.columns:
        bad = contradicting(frame[currency], code)
        if bad.any():
            raise ValidationError(
                _contradiction(frame, amount, currency, units, bad, func),
                problems=pd.DataFrame(
                    {
                        "row": frame.index[bad],
                        "column": currency,
                        "problem": f"contradicts the unit of {amount!r} ({code})",
                    }
                ),
            )
    values = plain(frame[amount])
    if units.factor != 1.0:
        with np.errstate(over="ignore", invalid="ignore"):
            values = values * units.factor
    codes = pd.Series(code, index=frame.index, dtype=object)
    return Money(values, codes, units)


def contradicting(codes: pd.Series, code: str) -> np.ndarray:
    """Rows whose currency code is filled and is not ``code`` (trimmed, upper-cased)."""
    text = codes.astype(object)
    filled = text.notna().to_numpy()
    same = text.map(lambda v: isinstance(v, str) and v.strip().upper() == code).to_numpy(bool)
    return filled & ~same


def _contradiction(
    frame: pd.DataFrame, amount: str, column: str, units: Units, bad: np.ndarray, func: str
) -> str:
    found = list(dict.fromkeys(frame.loc[bad, column].tolist()))
    return (
        f"{func}: column {amount!r} is in {units.currency} (dtype {units.dtype}) but "
        f"{column!r} says {join_values(found)} in {describe_rows(frame.index[bad])}; one of "
        f"them is wrong: fix {column!r}, or give {amount!r} the right unit "
        f"(pd.Series(magnitudes, dtype='pint[{found[0]!s}]')), or drop {column!r} to go by the "
        "dtype"
    )


def aggregate_units(
    work: pd.DataFrame,
    units: Units | None,
    *,
    value: str,
    keys: list[str],
    currency: str | None,
    converted: bool,
) -> pd.DataFrame:
    """aggregate's unit rule on its working copy (see the module docstring).

    A currency dtype is checked against the column naming the value's currency (``fx_to``
    for a converted column, else ``currency``); a contradiction raises
    :class:`aidcalc.AggregationError`; missing codes are filled from the dtype. Any other
    unit is not money: the currency, ``fx_to`` and ``price_base`` columns are left out of the
    checks and the result (unless grouped by).
    """
    if units is None:
        return work
    from .._base._columns import FX_TO, PRICE_BASE

    if units.currency is None:
        drop = [c for c in (currency, FX_TO, PRICE_BASE) if c and c in work and c not in keys]
        return work.drop(columns=drop)
    col = FX_TO if converted else currency
    if col is None or col not in work.columns:
        return work
    bad = contradicting(work[col], units.currency)
    if bad.any():
        raise AggregationError(
            _contradiction(work, value, col, units, bad, "aggregate"),
            column=col,
            values=list(dict.fromkeys(work.loc[bad, col].tolist())),
            rows=list(work.index[bad].unique()),
        )
    work = work.copy()
    work[col] = units.currency
    return work


def plain_frame(
    frame: pd.DataFrame, value: str, func: str, currency: str = "currency"
) -> pd.DataFrame:
    """``frame`` with its pint ``value`` column as plain numbers, for code that draws floats
    (the charts): aggregate's unit checks first (a contradicting currency column raises), a
    currency unit read in its currency (``pint[kUSD]``: thousands of USD become USD), and a
    currency column added from the dtype when the frame has none. Other frames unchanged.
    """
    if value not in frame.columns:
        return frame
    units = column_units(frame[value], value, func)
    if units is None:
        return frame
    from .._base._provenance import is_converted

    converted = is_converted(frame.columns, value)
    aggregate_units(frame, units, value=value, keys=[], currency=currency, converted=converted)
    values = plain(frame[value])
    if units.currency is not None and units.factor != 1.0:
        with np.errstate(over="ignore", invalid="ignore"):
            values = values * units.factor
    out = with_columns(frame, {value: values})
    if units.currency is not None and currency not in out.columns and not converted:
        out[currency] = units.currency
    return out

