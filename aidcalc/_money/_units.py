"""The one aidcalc unit registry: currencies as units, dated FX contexts, in-kind aid units.

Every ISO 4217 currency is a base unit with a dimension of its own (declared in
``aidcalc/_money/units.txt``), so ``¥ + $`` raises :class:`pint.DimensionalityError` instead of
adding yen to dollars. Conversions between currencies exist only inside a dated FX context
(pint's documented pattern for currencies: a :class:`pint.Context` with transformations
between the currency dimensions), built from a :class:`aidcalc.RateTable` for one date:

>>> from aidcalc import Amount
>>> with fx_context("2024-06-07") as ureg:
...     round(money(Amount("12.1e9", "USD")).to("JPY").magnitude / 1e12, 4)
1.8822

pint is imported inside these functions, so ``import aidcalc`` stays light. There is one
registry, created once even when many threads ask for it first; the FX context of a ``with
fx_context(...)`` block is active in that thread (and asyncio task) only, so threads converting
at different dates at the same time each get their own day's rates.
"""

from __future__ import annotations

import contextvars
import itertools
import math
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .._base._compat import renamed_argument
from .._base._errors import ParseError, ValidationError
from ._amount import check_magnitude

if TYPE_CHECKING:
    import pint
    from pint.facets.context.objects import Transformation

    from ._amount import Amount
    from ._convert import Policy
    from ._rates import RatesLike

__all__ = ["currency_dimension", "fx_context", "get_registry", "money"]

UNITS_FILE = Path(__file__).with_name("units.txt")
_counter = itertools.count()
_lock = threading.Lock()
_registry: pint.UnitRegistry | None = None


def _thread_local_contexts(ureg: Any) -> None:
    """Make the registry's active context chain per thread (and per asyncio task).

    pint keeps the enabled contexts in one attribute, ``_active_ctx``, of the registry; with
    one registry shared by all threads, a ``with fx_context(day)`` in one thread changed the
    rates another thread converted at. aidcalc's contexts redefine no units, so the chain is
    the only state that differs between contexts: it is moved into a context variable. A new
    thread starts with no context enabled.
    """
    from pint.facets.context.objects import ContextChain

    chain: contextvars.ContextVar[Any] = contextvars.ContextVar(f"aidcalc_ctx_{id(ureg)}")

    def get(self: Any) -> Any:
        try:
            return chain.get()
        except LookupError:
            value = ContextChain()
            chain.set(value)
            return value

    def set_(self: Any, value: Any) -> None:
        chain.set(value)

    cls = type(ureg)
    local = type(cls.__name__, (cls,), {"_active_ctx": property(get, set_)})
    ureg.__class__ = local


def get_registry() -> pint.UnitRegistry:
    """The aidcalc :class:`pint.UnitRegistry`, built on first call from pint's defaults and
    ``aidcalc/_money/units.txt``.

    Examples
    --------
    >>> ureg = get_registry()
    >>> ureg is get_registry()
    True
    >>> print(ureg.Quantity(3, "MW") * ureg.Quantity(2, "hour"))
    6 hour * megawatt
    >>> ureg.Quantity(2.5, "MWh").to("kWh").magnitude
    2500.0
    >>> ureg.Quantity(500, "hectare").to("km**2").magnitude
    5.0
    >>> ureg.Quantity(40, "item") + ureg.Quantity(2, "pieces")
    <Quantity(42, 'piece')>
    >>> ureg.Quantity(1, "USD") + ureg.Quantity(1, "JPY")
    Traceback (most recent call last):
    ...
    pint.errors.DimensionalityError: Cannot convert from 'USD' ([currency_USD]) to 'JPY' ...
    """
    global _registry
    if _registry is not None:
        return _registry
    with _lock:  # double-checked: exactly one registry under concurrent first use
        if _registry is None:
            import pint

            ureg: pint.UnitRegistry = pint.UnitRegistry()
            ureg.load_definitions(str(UNITS_FILE))
            _thread_local_contexts(ureg)
            _registry = ureg
    return _registry


def currency_dimension(code: str) -> str:
    """The pint dimension of an ISO currency code.

    Examples
    --------
    >>> currency_dimension("usd")
    '[currency_USD]'
    """
    return f"[currency_{code.strip().upper()}]"


def money(amount: Amount) -> pint.Quantity:
    """An :class:`aidcalc.Amount` as a pint quantity of its currency (float magnitude).

    Examples
    --------
    >>> from aidcalc import Amount
    >>> money(Amount("1.5e9", "EUR"))
    <Quantity(1500000000.0, 'EUR')>
    """
    from ._amount import Amount, AmountTypeError

    if not isinstance(amount, Amount):
        raise AmountTypeError(
            f"money() takes an aidcalc.Amount, got {type(amount).__name__} {str(amount)[:40]!r}: "
            "build one with Amount(value, 'USD') or parse_amount(text)",
            text=str(amount)[:100],
            reason="not an Amount",
        )
    ureg = get_registry()
    try:
        return ureg.Quantity(float(amount.value), amount.currency)
    except Exception as exc:  # pint.UndefinedUnitError
        raise ValidationError(
            f"{amount.currency!r} is not an ISO 4217 currency known to aidcalc's registry "
            f"(aidcalc/_money/units.txt): {exc}",
            option="amount",
            value=amount,
            accepted="an Amount in a currency of aidcalc/_money/units.txt",
            problems=None,
        ) from None


@renamed_argument("policy", "fx", why="the name normalise and build_report use")
def fx_context(
    on: Any,
    *,
    fx: Policy = "spot",
    rates: RatesLike = None,
    max_days_back: int = 7,
) -> Any:
    """Enable currency conversions at the rates of one date (a pint context), then disable.

    Every currency of the rate table with a rate on ``on`` (under ``fx``) gets a
    transformation to and from the table's base; pint chains them, so ``JPY -> USD`` goes
    through EUR exactly as :func:`aidcalc.convert` does for ``fx="spot"``. With
    ``"month"``/``"year"`` the chained rate is the product of the two legs' averages, which
    differs slightly from the average of the daily cross rate that :func:`aidcalc.convert`
    uses. Currencies without a rate that day stay unconvertible (pint raises
    :class:`pint.DimensionalityError`), and pint never adds two currencies implicitly, even
    inside the context: convert one with ``.to()`` first.

    Parameters
    ----------
    on
        The date (string, ``datetime.date``, ``Timestamp``...).
    fx, rates, max_days_back
        As in :func:`aidcalc.convert` (``policy=`` is the deprecated name of ``fx=``).

    Returns
    -------
    contextlib.AbstractContextManager[pint.UnitRegistry]
        Entering it yields the aidcalc registry with the context active, in this thread
        only. The date and options are checked at the call.

    Raises
    ------
    ParseError
        When ``on`` is not a date (checked at the call, not when the block is entered).
    aidcalc.AmountRangeError
        Inside the block, when a conversion overflows (beyond 1e18 or to inf).

    Examples
    --------
    >>> ureg = get_registry()
    >>> with fx_context("2024-06-09"):  # a Sunday: Friday's ECB fixings
    ...     ureg.Quantity(1, "EUR").to("USD")
    <Quantity(1.0898, 'USD')>
    >>> ureg.Quantity(1, "EUR").to("USD")
    Traceback (most recent call last):
    ...
    pint.errors.DimensionalityError: Cannot convert from 'EUR' ([currency_EUR]) to 'USD' ...
    """
    import numbers

    import pandas as pd

    from ._convert import check_fx_options

    if isinstance(on, (bool, list, tuple, dict, set, numbers.Number)) or on is None:
        raise ParseError(
            f"fx_context needs one date such as '2024-06-07', got {type(on).__name__} {on!r}",
            text=repr(on),
            reason="not a date",
        )
    try:
        when: Any = pd.Timestamp(on)
    except (ValueError, TypeError, OverflowError):
        when = pd.NaT
    if pd.isna(when):
        raise ParseError(
            f"fx_context needs a date such as '2024-06-07', got {on!r}",
            text=repr(on)[:100],
            reason="not a date",
        )
    check_fx_options(fx, "raise", max_days_back, func="fx_context")
    return _fx_context(when, fx, rates, max_days_back)


@contextmanager
def _fx_context(
    on: Any, fx: Policy, rates: RatesLike, max_days_back: int
) -> Iterator[pint.UnitRegistry]:
    import pint

    from ._convert import lookup_rates
    from ._rates import resolve_rates

    ureg = get_registry()
    table = resolve_rates(rates)
    base = table.base
    known = [c for c in table._lookup_view().currencies if c != base and c in ureg]
    got = lookup_rates(
        known, base, [on] * len(known), fx=fx, rates=table, max_days_back=max_days_back
    )  # units of base per 1 unit of each currency
    ctx = pint.Context(f"aidcalc_fx_{next(_counter)}")
    base_unit = ureg.Unit(base)
    for code, rate in zip(known, got["fx_rate"].tolist(), strict=True):
        if not (isinstance(rate, float) and math.isfinite(rate) and rate > 0):
            continue
        unit = ureg.Unit(code)
        fwd = rate * base_unit / unit  # base per unit of code
        back = (1.0 / rate) * unit / base_unit
        ctx.add_transformation(
            currency_dimension(code), currency_dimension(base), _times(fwd, f"{code}->{base}")
        )
        ctx.add_transformation(
            currency_dimension(base), currency_dimension(code), _times(back, f"{base}->{code}")
        )
    from pint.facets.context.objects import ContextChain

    # a fresh chain for this block, set in this thread's (task's) context variable only: a
    # task or asyncio.to_thread worker that copied the caller's context shares no mutable chain
    reg: Any = ureg
    previous = reg._active_ctx
    fresh = ContextChain()
    fresh.contexts, fresh.maps = list(previous.contexts), list(previous.maps)
    reg._active_ctx = fresh
    ureg.enable_contexts(ctx)
    try:
        yield ureg
    finally:
        ureg.disable_contexts(1)
        reg._active_ctx = previous


def _times(factor: pint.Quantity, leg: str) -> Transformation:
    """A pint context transformation multiplying by ``factor`` (bound now, not late).

    A result beyond 1e18 or infinite (1e308 USD to JPY) raises
    :class:`aidcalc.AmountRangeError` instead of becoming inf.
    """

    def transform(ureg: Any, value: Any, **kwargs: Any) -> Any:
        out = value * factor
        check_magnitude(
            getattr(out, "magnitude", out), str(getattr(out, "units", "")),
            what=f"converting {getattr(value, 'magnitude', value)!r} ({leg})",
        )  # fmt: skip
        return out

    return transform
