"""``aidcalc.pledges``: a pledge frame from a user table, given as a DataFrame or as a file.

The file is read here (CSV / XLSX / Parquet, by content, through the readers' input gate:
:func:`aidcalc.io._common.open_source` and :func:`aidcalc.io._table.read_frame`); the steps
that turn the table into a pledge frame (roles, values, schema) are the pledges layer's
:func:`aidcalc._pledges._frame.build_pledges`.
"""

from __future__ import annotations

from collections.abc import Mapping
from os import PathLike
from typing import IO, Any

import numpy as np
import pandas as pd

from .._base._compat import renamed_argument
from .._base._errors import InputFileError, ValidationError
from .._base._frame_checks import check_frame
from .._base._locale import LocaleLike
from .._pledges._frame import build_pledges
from ._common import ReadResult, finish, open_source
from ._docs import shared_docs

__all__ = ["Pledges", "pledges"]

#: What :func:`pledges` returns with ``return_rejected=True``: the pledge frame (accepted
#: rows, original index labels kept) and the rejected rows, as given, with a ``reason``
#: column saying what to fix. The readers' pair type, :class:`aidcalc.io.ReadResult`.
Pledges = ReadResult


@renamed_argument("frame_or_path")
@shared_docs
def pledges(
    data: pd.DataFrame | str | PathLike[str] | IO[bytes],
    *,
    mapping: Mapping[str, str] | None = None,
    locale: LocaleLike | None = None,
    recipient: str | None = None,
    sheet_name: str | int | None = None,
    storage_options: Mapping[str, Any] | None = None,
    return_rejected: bool = False,
) -> pd.DataFrame | Pledges:
    """Build a pledge frame from a user table whose columns are named differently.

    Steps: read the table (a DataFrame, or a CSV / XLSX / Parquet file: a path, a URL or a
    binary file object, read by content through the same safe reader as
    :func:`aidcalc.io.read_table`, every cell as it is written); rename
    columns by ``mapping`` (``{"Land": "donor", "Betrag": "amount"}``) and then by common
    names (``Date`` -> ``announced``, ``Value`` -> ``amount``; case-insensitive); map donor
    names to codes with :func:`aidcalc.donor_codes` (codes such as ``JPN`` are kept; names
    as the press writes them, "the German government", "Giappone (Japan)", are read in
    parts, never guessed); where the table also has a donor code column (``donor_iso3``,
    ``donor_code``, ``iso3``, ...: ``DONOR_CODE_COLUMNS``), its known codes are the
    ``donor`` and the written name is kept as ``donor_name`` (a name that reads as another
    code is noted); read written amounts (``amount_text``, or texts such as ``"€50bn"`` in
    ``amount`` itself, kept as ``amount_text``) with :func:`aidcalc.parse_amounts`: they
    fill a missing ``amount`` or ``currency`` (a text without a currency, ``"5 million"``,
    takes the row's), and a text in another currency than the row's, or whose value is not
    the row's ``amount`` within a factor of 2 (millions against units), leaves its row out
    with both values (a symbol of both currencies, ``$`` beside ``CAD``, is the row's);
    read dates strictly by ``locale``'s day/month order (``de``,
    ``fr``, ``it``, ``en_GB`` day-first, ``en_US`` month-first; an ambiguous ``07/06/2024``
    without a locale that settles it or strings mixing UTC offsets reject the row with the
    reason, never a guess; a month or a year without a day, ``2024-06`` or ``2024``, keeps
    its row with the text as written in ``announced``, which :func:`aidcalc.convert` and
    :func:`aidcalc.normalise` read with ``fx="month"`` / ``fx="year"``, noted); upper-case
    currency codes; a kind written as the ``status`` (``total_to_date``: a cumulative
    headline) keeps its row as that ``kind`` with no status (the other rows get
    ``kind="pledge"`` when the table has no ``kind``), so that it is never summed with the
    pledges it repeats; a category ``total`` is ``all``. A row that still breaks the schema
    (see :func:`aidcalc.validate`) is moved, unchanged, to ``rejected`` with a ``reason``:
    no row is dropped silently. ``rejected`` lists the rows as given plus ``reason``,
    ``kept`` and ``kind`` (``"left out"``: not in the frame; ``"money"``: kept, its status
    changed; ``"note"``: kept as given, a fact worth knowing); ``len(frame)`` plus the
    entries left out equals the input length. By default the frame alone is returned (with
    one :class:`aidcalc.RejectedRowsWarning` when rows were left out or their money
    changed, and the report on ``frame.attrs["rejected"]``); ``return_rejected=True``
    returns ``(frame, rejected)``.

    Parameters
    ----------
    data
        The user table, or a file holding it (path, URL or binary file object).
    mapping
        ``{user column: role}``; roles are the pledge-frame column names.
    locale
        Language of donor names, amount texts and numeric dates (``Locale | str``), e.g.
        ``"de"``.
    recipient
        Fill a missing ``recipient`` column with this code (e.g. ``"UKR"``).
    %(sheet_name)s
    %(storage_options)s
    %(return_rejected)s

    Returns
    -------
    DataFrame or Pledges
        The accepted rows; with ``return_rejected=True`` the named tuple
        ``(frame, rejected)``.

    Examples
    --------
    >>> import pandas as pd
    >>> table = pd.DataFrame({"Giver": ["JPN", "USA"], "Date": ["2024-02-19", "soon"],
    ...                       "Value": [15.8e9, 1e6], "Currency": ["jpy", "USD"]})
    >>> ok, rejected = pledges(table, recipient="UKR", return_rejected=True)
    >>> ok[["donor", "announced", "amount", "currency", "recipient"]]
      donor  announced        amount currency recipient
    0   JPN 2024-02-19  1.580000e+10      JPY       UKR
    >>> rejected["reason"].str.slice(0, 55).tolist()
    ["announced: not a date ('soon'): not a date in a known f"]
    >>> press = pd.DataFrame({"donor": ["the German government", "The EU Council"],
    ...                       "donor_iso3": ["DEU", "EUU"], "announced": ["2024-06", "2024"],
    ...                       "amount": [1.0, 2.0], "currency": ["EUR", "EUR"],
    ...                       "status": ["pledged", "total_to_date"]})
    >>> ok, said = pledges(press, return_rejected=True)
    >>> ok[["donor", "donor_name", "announced", "status", "kind"]]
      donor             donor_name announced   status           kind
    0   DEU  the German government   2024-06  pledged         pledge
    1   EUU         The EU Council      2024      NaN  total_to_date
    >>> said["kind"].tolist()
    ['note', 'money']
    >>> pledges(pd.DataFrame({"donor": ["DEU"], "announced": ["07.06.2024"], "amount": [1.0],
    ...                       "currency": ["EUR"]}), locale="de")["announced"].iloc[0]
    Timestamp('2024-06-07 00:00:00')
    """
    frame_or_path = data  # the argument is data= (as in seaborn); frame_or_path= still works
    table, label = _read_table(frame_or_path, sheet_name, storage_options, mapping, locale)
    try:
        frame, rejected = build_pledges(table, mapping, locale, recipient)
    except ValidationError as exc:
        if label is None:  # the caller's DataFrame: its own error
            raise
        raise InputFileError(
            f"{label}: {exc.message}", path=label, reason="wrong layout"
        ) from None
    # the report's own ``kind``/``kept`` say what each entry is (rows left out, kept rows
    # with a note or a changed status); a pledge frame's ``kind`` column (pledge,
    # total_to_date...) is shown there as ``kind_in_file``, never read as the report's
    return finish(Pledges(frame, rejected), return_rejected, reader="pledges")


def _read_table(
    obj: Any,
    sheet_name: str | int | None,
    storage_options: Mapping[str, Any] | None,
    mapping: Mapping[str, str] | None = None,
    locale: LocaleLike | None = None,
) -> tuple[pd.DataFrame, str | None]:
    """The user's table: a DataFrame as it is, or a file read by content (CSV / XLSX /
    Parquet, every cell as written) through the readers' input gate and safe reader."""
    if isinstance(obj, pd.DataFrame):
        if storage_options is not None or sheet_name is not None:
            raise ValidationError(
                "sheet_name= and storage_options= are for files; this is a DataFrame",
                option="storage_options" if storage_options is not None else "sheet_name",
                value=storage_options if storage_options is not None else sheet_name,
                accepted="None for a DataFrame",
                problems=pd.DataFrame(),
            )
        return check_frame(obj, "pledges"), None
    if obj is None or isinstance(obj, (dict, list, tuple, pd.Series, np.ndarray)):
        check_frame(obj, "pledges")  # raises FrameTypeError (also a TypeError)
    from .._base._locale import resolve_locale
    from ._table import read_user_table

    locale_id = str(resolve_locale("en" if locale is None else locale))
    with open_source(obj, argument="data", storage_options=storage_options) as src:
        # the header found below title rows, as read_table finds it
        table = read_user_table(src, sheet=sheet_name, mapping=mapping, locale_id=locale_id)
        return table, src.label
