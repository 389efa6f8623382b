"""The :class:`Amount` value type: an exact decimal sum of money in one ISO 4217 currency."""

from __future__ import annotations

import datetime as _dt
import math
from contextlib import suppress
from dataclasses import dataclass, field
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from typing import Any

import numpy as np

from .._base._errors import AmountRangeError, AmountTypeError, ParseError

# the currency rules live in ._currencies; offered here too, beside Amount, for the modules
# of the layers above that import them with it
from ._currencies import check_currency, code_hint, minor_units

__all__ = [
    "MAX_AMOUNT",
    "Amount",
    "AmountRangeError",
    "AmountTypeError",
    "check_currency",
    "check_magnitude",
    "code_hint",
    "minor_units",
]

#: The largest absolute amount aidcalc reads, writes or converts to, in any currency: 10**18.
#: World GDP is about 1e14 USD and the largest pledges in the weakest currencies stay far
#: below; anything beyond is a misread number (a dropped separator, a unit slip, an overflow).
MAX_AMOUNT = 10**18


def _range_error(value: Any, currency: str | None, what: str) -> AmountRangeError:
    cur = f" {currency}" if currency else ""
    shown = f"{value:.6g}" if isinstance(value, float) else str(value)
    if len(shown) > 40:
        shown = shown[:37] + "..."
    return AmountRangeError(
        f"{what}: {shown}{cur} is beyond the largest amount aidcalc handles (1e18 in any "
        "currency, MAX_AMOUNT): no real sum of money is that large, so the number is misread "
        "(a dropped separator or scale word, a unit slip) or the result overflowed",
        text=shown,
        value=shown,
        currency=currency,
        reason="beyond MAX_AMOUNT",
    )


def check_magnitude(values: Any, currency: str | None = None, *, what: str = "amount") -> None:
    """Raise :class:`AmountRangeError` unless every value is finite and within ``MAX_AMOUNT``.

    Works on a scalar (float, int, Decimal) or an array (vectorised); NaN is allowed in arrays
    (a missing value), never in a scalar. Shared by the conversions (the scalar
    ``convert_amount``, pint FX contexts) and usable by frame conversions.

    Examples
    --------
    >>> check_magnitude(1e18)
    >>> check_magnitude(float("inf"), "JPY", what="converting 1e308 USD")
    Traceback (most recent call last):
    ...
    aidcalc.AmountRangeError: converting 1e308 USD: inf JPY is beyond the largest ...
    """
    if isinstance(values, Decimal):
        if not values.is_finite() or values.copy_abs() > MAX_AMOUNT:
            raise _range_error(values, currency, what)
        return
    if isinstance(values, (int, float)) and not isinstance(values, bool):
        if not math.isfinite(values) or abs(values) > MAX_AMOUNT:
            raise _range_error(values, currency, what)
        return
    arr = np.asarray(values, dtype="float64")
    with np.errstate(invalid="ignore"):
        bad = np.isinf(arr) | (np.abs(arr) > MAX_AMOUNT)
    if bad.any():
        raise _range_error(float(arr[bad].flat[0]), currency, what)


def out_of_range(values: Any) -> np.ndarray:
    """Boolean mask of an array: infinite or beyond ``MAX_AMOUNT`` (NaN is not flagged).

    For vectorised callers (frame conversions) that report rows instead of raising.

    Examples
    --------
    >>> out_of_range([1.0, float("inf"), float("nan"), -2e18]).tolist()
    [False, True, False, True]
    """
    arr = np.asarray(values, dtype="float64")
    with np.errstate(invalid="ignore"):
        return np.isinf(arr) | (np.abs(arr) > MAX_AMOUNT)


def _to_decimal(value: Any) -> Decimal:
    """The exact Decimal of an Amount value, checked (finite, within MAX_AMOUNT) and tidied."""
    out = _decimal_of(value)
    if not out.is_finite():
        raise AmountRangeError(
            f"Amount value must be finite, got {value!r}",
            text=str(value),
            value=str(value),
            currency=None,
            reason="not finite",
        )
    if out.copy_abs() > MAX_AMOUNT:
        raise _range_error(out, None, "Amount value")
    # show whole numbers without an exponent: Decimal('1.21E+10') -> Decimal('12100000000')
    if out == out.to_integral_value():
        if out.as_tuple().exponent != 0:
            with suppress(InvalidOperation):  # beyond 28 digits: keep the exponent form
                out = out.quantize(Decimal(1))
    else:
        out = out.normalize()  # Decimal('1.250') -> Decimal('1.25')
    return out


def _decimal_of(value: Any) -> Decimal:
    """A Decimal, an int, a float (its shortest repr), a numeric str or a numpy number."""
    if isinstance(value, Decimal):
        return value
    if isinstance(value, (bool, np.bool_)):
        raise AmountTypeError(
            f"an amount cannot be a bool ({value!r}): pass a number",
            text=str(value),
            reason="bool amount",
        )
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(str(value))  # the shortest repr: Decimal(str(0.1)) == Decimal("0.1")
    if isinstance(value, str):
        return _decimal_of_text(value)
    if isinstance(value, (np.integer, np.floating)):
        # numpy scalars: through their shortest string form
        return Decimal(str(value.item()))
    raise AmountTypeError(
        f"Amount value must be a Decimal, int, float or numeric str, not "
        f"{type(value).__name__} ({str(value)[:40]!r})",
        text=str(value)[:100],
        reason="not a number",
    )


def _decimal_of_text(value: str) -> Decimal:
    """A plain number written as text (``"12.1e9"``, ``"1_000"``); prose is refused."""
    if len(value) > 100:
        raise ParseError(
            f"Amount value of {len(value):,} characters is not a plain number; use "
            "aidcalc.parse_amount() to read text",
            text=value[:100],
            reason="not a number",
        )
    try:
        return Decimal(value.strip().replace("_", ""))
    except InvalidOperation:
        raise ParseError(
            f"Amount value {value!r} is not a plain number; use aidcalc.parse_amount() "
            "to read text such as '$12.1 billion'",
            text=value,
            reason="not a number",
        ) from None


@dataclass(frozen=True)
class Amount:
    """A sum of money: an exact decimal value in one ISO 4217 currency.

    Parameters
    ----------
    value
        The amount. ``int``, ``str`` and ``Decimal`` are taken exactly; a ``float`` goes
        through its shortest string form (``0.1`` becomes ``Decimal('0.1')``).
    currency
        An ISO 4217 code such as ``"USD"`` (any case: ``"usd"`` is stored as ``"USD"``).
    approx
        True when the source hedged the figure ("about", "more than", "rund", "約"...).
    text
        The text the amount was read from, if any (kept for provenance; equality and hashing
        ignore it).
    fx_rate, fx_date, fx_source, converted_from
        Keyword-only provenance of a converted amount (set by :func:`aidcalc.convert_amount`):
        the rate used (units of ``currency`` per unit of the original currency), the date of
        that fixing, where the rate came from, and the original :class:`Amount`. ``None``
        when the amount was not converted. Like ``text``, equality and hashing ignore them.

    Notes
    -----
    ``str()``, and the rich displays of IPython (``_repr_pretty_``) and Jupyter
    (``_repr_html_``), write the value with the currency's minor units (a yen amount has no
    decimals, a dinar three) and, for a converted amount, the rate, date and source. The
    value itself stays exact.

    Examples
    --------
    >>> a = Amount(12.1e9, "USD")
    >>> a
    Amount(value=Decimal('12100000000'), currency='USD', approx=False, text=None)
    >>> str(a)
    'USD 12,100,000,000.00'
    >>> str(Amount("1.5", "EUR", approx=True))
    '~EUR 1.50'
    >>> str(Amount("1882173150000.5", "JPY")), str(Amount("1.5", "KWD"))
    ('JPY 1,882,173,150,000', 'KWD 1.500')
    >>> Amount("12.1e9", "USD", text="$12.1 billion") == a  # the source text is not compared
    True
    >>> Amount(1, "usd").currency
    'USD'
    >>> Amount(1, "YEN")
    Traceback (most recent call last):
    ...
    aidcalc.CurrencyCodeError: Amount currency must be an ISO 4217 code such as 'USD' or ...
    >>> Amount(1e19, "USD")
    Traceback (most recent call last):
    ...
    aidcalc.AmountRangeError: Amount value: 1E+19 is beyond the largest ...
    """

    value: Decimal
    currency: str
    approx: bool = False
    text: str | None = field(default=None, compare=False)  # provenance, not part of the value
    # provenance of a converted amount (convert_amount); not part of the value either
    fx_rate: float | None = field(default=None, compare=False, repr=False, kw_only=True)
    fx_date: _dt.date | None = field(default=None, compare=False, repr=False, kw_only=True)
    fx_source: str | None = field(default=None, compare=False, repr=False, kw_only=True)
    converted_from: Amount | None = field(default=None, compare=False, repr=False, kw_only=True)

    def __post_init__(self) -> None:
        object.__setattr__(self, "value", _to_decimal(self.value))
        object.__setattr__(self, "currency", check_currency(self.currency, "Amount currency"))
        object.__setattr__(self, "approx", bool(self.approx))
        if self.converted_from is not None and not isinstance(self.converted_from, Amount):
            raise AmountTypeError(
                f"converted_from must be the original aidcalc.Amount, not "
                f"{type(self.converted_from).__name__}",
                text=str(self.converted_from)[:100],
                reason="not an Amount",
            )
        if self.fx_rate is not None:
            rate = float(self.fx_rate)
            if not (math.isfinite(rate) and rate > 0):
                raise AmountRangeError(
                    f"fx_rate must be a positive finite rate, got {self.fx_rate!r}",
                    text=str(self.fx_rate),
                    value=str(self.fx_rate),
                    currency=self.currency,
                    reason="bad rate",
                )
            object.__setattr__(self, "fx_rate", rate)
        if self.fx_date is not None:
            import pandas as pd

            day: Any
            try:
                day = pd.Timestamp(self.fx_date)
            except (TypeError, ValueError):
                day = pd.NaT
            if pd.isna(day):
                raise ParseError(
                    f"fx_date must be a date, got {self.fx_date!r}",
                    text=str(self.fx_date)[:100],
                    reason="not a date",
                )
            object.__setattr__(self, "fx_date", day.date())

    # --- display -------------------------------------------------------------------------------
    @property
    def converted(self) -> bool:
        """True when the amount carries conversion provenance (see ``fx_rate``)."""
        return self.fx_rate is not None or self.converted_from is not None

    def _rounded(self) -> str:
        """The value with the currency's minor units and thousands separators (display only)."""
        places = minor_units(self.currency)
        try:
            shown = self.value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_EVEN)
        except InvalidOperation:  # beyond 28 significant digits: as it is
            shown = self.value
        return f"{shown:,}"

    def provenance(self) -> str | None:
        """One line saying how a converted amount was obtained, else ``None``.

        Examples
        --------
        >>> import datetime
        >>> usd = Amount("12.1e9", "USD")
        >>> yen = Amount(
        ...     "1882173150000", "JPY", fx_rate=155.5515, fx_date=datetime.date(2024, 6, 7),
        ...     fx_source="ECB euro reference rates", converted_from=usd,
        ... )
        >>> yen.provenance()
        'from USD 12,100,000,000.00 at 155.5515 JPY/USD on 2024-06-07 (ECB euro reference rates)'
        >>> usd.provenance() is None
        True
        """
        if not self.converted:
            return None
        parts = []
        if self.converted_from is not None:
            parts.append(f"from {self.converted_from}")
        if self.fx_rate is not None:
            per = self.converted_from.currency if self.converted_from is not None else "unit"
            parts.append(f"at {self.fx_rate:.10g} {self.currency}/{per}")
        if self.fx_date is not None:
            parts.append(f"on {self.fx_date.isoformat()}")
        if self.fx_source:
            parts.append(f"({self.fx_source})")
        return " ".join(parts)

    def __str__(self) -> str:
        return f"{'~' if self.approx else ''}{self.currency} {self._rounded()}"

    def _formatted(self) -> str:
        """The amount as the English press writes it: ``$12,100,000,000.00``, ``¥1,882,173``."""
        from ._formatting import format_amount

        try:
            text = format_amount(self, style="standard")
        except Exception:  # a display must never fail: fall back to str()
            return str(self)
        return f"~{text}" if self.approx else text

    def _repr_pretty_(self, p: Any, cycle: bool) -> None:
        """IPython's display: the formatted amount, its code, and the provenance line."""
        if cycle:  # pragma: no cover - an Amount cannot contain itself
            p.text("Amount(...)")
            return
        p.text(f"{self._formatted()} ({self.currency})")
        line = self.provenance()
        if line:
            p.break_()
            p.text(f"  {line}")

    def _repr_html_(self) -> str:
        """Jupyter's display: the formatted amount, and the provenance for a converted one."""
        from html import escape

        body = (
            f"<strong>{escape(self._formatted())}</strong> "
            f"<span style='opacity:0.7'>{escape(self.currency)}</span>"
        )
        line = self.provenance()
        if line:
            body += f"<br><small>{escape(line)}</small>"
        if self.text:
            body += f"<br><small>read from: <q>{escape(self.text)}</q></small>"
        return f"<div class='aidcalc-amount'>{body}</div>"

    def __float__(self) -> float:
        return float(self.value)
