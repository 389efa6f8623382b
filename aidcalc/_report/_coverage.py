"""How complete the embedded ``g7_ukraine_pledges`` dataset is, per donor and category.

The dataset's charts compare donors, and a reader takes the bars as the donors' relative
effort. That comparison is only fair where the dataset holds most of what each donor
announced. :func:`coverage_table` says, per donor and category, how many pledge rows there are,
what they sum to (in EUR at each announcement day's ECB rate), the first and last announcement,
and which share of the donor's own headline total the rows account for, where the donor
published one. ``datasets/build/coverage.py`` writes the table into ``datasets/README.md``;
the report prints it in its method section (:func:`coverage_html`).

Rules
-----
* Only ``kind == "pledge"`` rows are summed: components, restatements and totals repeat money
  already counted (``part_of`` / ``pair_id`` link them).
* A headline is a ``total_to_date`` row. Its ``total_scope`` says what it covers:
  ``everything`` (all aid, military included), ``civilian`` (all non-military aid),
  ``sector`` (the donor's whole support for the row's category) or ``programme`` (one fund,
  agency or programme; never used as a headline here, it would overstate the coverage).
  The donor row (category ``all``) uses the latest ``everything``/``civilian`` headline; a
  category row the latest ``sector`` headline of that category.
* The share counts the pledge rows announced on or before the headline's date (the headline
  is cumulative to its date). A headline written "more than"/"at least" is a lower bound, so
  the share is an upper bound (``share_bound == "at_most"``); one written "up to" makes it
  a lower bound (``"at_least"``); "nearly"/"about" make it approximate.
"""

from __future__ import annotations

import html
from functools import cache
from typing import Any

import pandas as pd

from .._base._labels import Labels, has_label
from .._base._locale import LocaleLike

__all__ = ["COVERAGE_COLUMNS", "coverage_html", "coverage_table"]

DATASET = "g7_ukraine_pledges"
#: donor order of the table (the G7 in protocol order, then the EU institutions)
DONOR_ORDER = ("USA", "JPN", "DEU", "FRA", "ITA", "GBR", "CAN", "EUI")
#: categories the issue asks to cover, first; any other category follows
FOCUS = ("energy", "demining", "reconstruction")
HEADLINE_SCOPES = {"all": ("everything", "civilian"), "sector": ("sector",)}
SCOPES = ("everything", "civilian", "sector", "programme")
LOWER_BOUNDS = ("more_than", "at_least")
UPPER_BOUNDS = ("up_to",)
COVERAGE_COLUMNS = (
    "donor",
    "category",
    "rows",
    "sum_eur",
    "first",
    "last",
    "headline_id",
    "headline_text",
    "headline_date",
    "headline_scope",
    "headline_eur",
    "rows_to_headline",
    "sum_to_headline_eur",
    "share",
    "share_bound",
)


def coverage_table(frame: pd.DataFrame | None = None) -> pd.DataFrame:
    """Pledge rows, their EUR sum, dates and share of the donor's headline, per donor/category.

    Parameters
    ----------
    frame
        A pledge frame with the dataset's columns (``kind``, ``total_scope``, ``qualifier``,
        ``pledge_id``, ``amount_text``...); default the embedded ``g7_ukraine_pledges``.
        Not modified.

    Returns
    -------
    pandas.DataFrame
        One row per donor and category that has pledge rows, plus one ``category == "all"``
        row per donor (every pledge row of the donor), with the columns of
        :data:`COVERAGE_COLUMNS`: ``rows`` (pledge rows), ``sum_eur`` (their sum in EUR at
        each announcement day's ECB rate), ``first``/``last`` (announcement dates), the
        headline used (``headline_id``, ``headline_text`` as written, ``headline_date``,
        ``headline_scope``, ``headline_eur``), the pledge rows dated up to the headline
        (``rows_to_headline``, ``sum_to_headline_eur``), ``share`` (their sum over the
        headline; NaN where the donor published no headline of that scope) and
        ``share_bound`` (``"at_most"`` when the headline is a lower bound, ``"about"`` when
        it is approximate, ``"at_least"`` when it is an upper bound ("up to"), ``"exact"``
        otherwise, empty without a headline).

    Examples
    --------
    >>> table = coverage_table()
    >>> jpn = table[(table["donor"] == "JPN") & (table["category"] == "all")].iloc[0]
    >>> jpn["headline_text"], jpn["headline_date"].date(), jpn["headline_scope"]
    ('12.1 billion dollars', datetime.date(2024, 6, 13), 'everything')
    >>> bool(0 < jpn["share"] < 1)
    True
    >>> sorted(set(table["category"]) & {"energy", "demining", "reconstruction"})
    ['demining', 'energy', 'reconstruction']
    """
    data = _embedded() if frame is None else frame
    eur = _in_eur(data)
    kind = data["kind"].astype("string")
    pledges = data.assign(_eur=eur)[kind.eq("pledge").fillna(False).to_numpy()]
    totals = data.assign(_eur=eur)[kind.eq("total_to_date").fillna(False).to_numpy()]
    rows: list[dict[str, object]] = []
    donors = [d for d in DONOR_ORDER if d in set(pledges["donor"])]
    donors += sorted(set(pledges["donor"]) - set(DONOR_ORDER))
    for donor in donors:
        mine = pledges[pledges["donor"] == donor]
        present = list(dict.fromkeys(mine["category"].astype(str)))
        cats = [c for c in FOCUS if c in present] + sorted(c for c in present if c not in FOCUS)
        for cat in [*cats, "all"]:
            part = mine if cat == "all" else mine[mine["category"] == cat]
            scopes = HEADLINE_SCOPES["all" if cat == "all" else "sector"]
            head = totals[
                (totals["donor"] == donor)
                & (totals["category"] == cat)
                & totals["total_scope"].isin(scopes)
            ]
            rows.append(_row(donor, cat, part, head))
    out = pd.DataFrame(rows, columns=list(COVERAGE_COLUMNS))
    out["rows"] = out["rows"].astype("int64")
    out["rows_to_headline"] = out["rows_to_headline"].astype("Int64")
    for col in ("first", "last", "headline_date"):
        out[col] = pd.to_datetime(out[col])
    return out


def _row(donor: str, cat: str, part: pd.DataFrame, head: pd.DataFrame) -> dict[str, object]:
    row: dict[str, object] = dict.fromkeys(COVERAGE_COLUMNS)
    row.update(
        donor=donor,
        category=cat,
        rows=len(part),
        sum_eur=float(part["_eur"].sum()),
        first=part["announced"].min(),
        last=part["announced"].max(),
        share=float("nan"),
        share_bound="",
    )
    if head.empty:
        return row
    # the latest headline; of a pair stated the same day, the first leg (the donor's currency)
    latest = head[head["announced"] == head["announced"].max()].iloc[0]
    upto = part[part["announced"] <= latest["announced"]]
    qualifier = str(latest.get("qualifier", "exact"))
    row.update(
        headline_id=latest.get("pledge_id"),
        headline_text=latest.get("amount_text"),
        headline_date=latest["announced"],
        headline_scope=latest["total_scope"],
        headline_eur=float(latest["_eur"]),
        rows_to_headline=len(upto),
        sum_to_headline_eur=float(upto["_eur"].sum()),
        share=float(upto["_eur"].sum()) / float(latest["_eur"]),
        share_bound=(
            "at_most"
            if qualifier in LOWER_BOUNDS
            else "at_least"
            if qualifier in UPPER_BOUNDS
            else ("exact" if qualifier in ("exact", "nan", "None") else "about")
        ),
    )
    return row


@cache
def _embedded_cached() -> pd.DataFrame:
    from .._base._datasets import load_dataset

    return load_dataset(DATASET)


def _embedded() -> pd.DataFrame:
    return _embedded_cached().copy()


def _in_eur(frame: pd.DataFrame) -> pd.Series:
    """Every row's amount in EUR at its announcement day's ECB reference rate."""
    from .._money._convert import convert

    done = convert(
        frame[["amount", "currency", "announced"]], "EUR", date="announced", out="_eur"
    )
    return done["_eur"].astype("float64")


# --------------------------------------------------------------------------------------------
# the report's method section
# --------------------------------------------------------------------------------------------

def coverage_html(locale: LocaleLike = "en", *, table: pd.DataFrame | None = None) -> str:
    """The coverage table as an HTML block for the report's method section.

    Parameters
    ----------
    locale
        Language of the headings and words (en, de, fr, it, ja, uk; others fall back to en).
    table
        A table from :func:`coverage_table`; default that of the embedded dataset.

    Returns
    -------
    str
        An ``<h3>`` heading, a paragraph saying what the figures mean, and a ``<table>``.

    Examples
    --------
    >>> block = coverage_html("de")
    >>> block.startswith("<h3>Abdeckung des eingebauten Datensatzes</h3>")
    True
    >>> "JPN" in block and "%" in block
    True
    """
    text = Labels(locale)
    data = coverage_table() if table is None else table
    head = "".join(f"<th>{_esc(text(f'coverage_col_{c}'))}</th>" for c in _HTML_COLUMNS)
    body = [_html_row(row, text) for row in data.to_dict("records")]
    return (
        f"<h3>{_esc(text('coverage_title'))}</h3><p class=\"note\">"
        f"{_esc(text('coverage_intro'))}</p>"
        f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"
    )


#: the columns of the HTML table (label keys ``coverage_col_<name>``)
_HTML_COLUMNS = ("donor", "category", "rows", "sum", "first", "last", "headline", "share")


def _esc(text: object) -> str:
    return html.escape(str(text))


def _day(value: Any) -> str:
    return "" if pd.isna(value) else f"{pd.Timestamp(value):%Y-%m-%d}"


def _html_row(row: dict[Any, Any], text: Labels) -> str:
    """One row of :func:`coverage_table` as an HTML table row, in ``text``'s language."""
    cat = text("coverage_all") if row["category"] == "all" else text(str(row["category"]))
    if pd.isna(row["share"]):
        headline, share = text("coverage_none"), ""
    else:
        scope = str(row["headline_scope"])
        scope_key = f"coverage_scope_{scope}"
        scope_text = text(scope_key) if has_label(scope_key) else scope
        headline = f"{row['headline_text']} ({_day(row['headline_date'])}, {scope_text})"
        share = f"{float(row['share']) * 100:.1f}%"
        bound = str(row["share_bound"])
        if bound in ("at_most", "at_least", "about"):
            share = text(f"coverage_{bound}", share=share)
    cells = (row["donor"], cat, row["rows"], f"{float(row['sum_eur']) / 1e6:,.1f}",
             _day(row["first"]), _day(row["last"]), headline, share)
    strong = ' class="total"' if row["category"] == "all" else ""
    return f"<tr{strong}>" + "".join(f"<td>{_esc(c)}</td>" for c in cells) + "</tr>"
