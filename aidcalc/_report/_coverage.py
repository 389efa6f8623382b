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

_TEXT: dict[str, dict[str, str]] = {
    "en": {
        "title": "Coverage of the embedded dataset",
        "intro": (
            "Pledge rows per donor and category (components, restatements and headline totals "
            "not counted), their sum in EUR at each announcement day's ECB rate, and the share "
            "of the donor's own headline total they account for (rows dated up to the "
            "headline). A low share means the bars understate that donor: compare donors only "
            "where both are well covered."
        ),
        "cols": "Donor|Category|Rows|Sum (EUR m)|First|Last|Headline|Share",
        "none": "no headline published",
        "at_most": "at most ",
        "at_least": "at least ",
        "about": "about ",
        "all": "all categories",
        "everything": "all aid incl. military",
        "civilian": "all civilian aid",
        "sector": "sector total",
    },
    "de": {
        "title": "Abdeckung des eingebauten Datensatzes",
        "intro": (
            "Zusagezeilen je Geber und Kategorie (Teilbeträge, Umrechnungen und Gesamtsummen "
            "nicht mitgezählt), ihre Summe in EUR zum EZB-Kurs des Ankündigungstags und ihr "
            "Anteil an der vom Geber selbst genannten Gesamtsumme (Zeilen bis zu deren Datum). "
            "Ein niedriger Anteil heißt: Der Balken unterschätzt diesen Geber."
        ),
        "cols": "Geber|Kategorie|Zeilen|Summe (Mio. EUR)|Erste|Letzte|Gesamtsumme|Anteil",
        "none": "keine Gesamtsumme veröffentlicht",
        "at_most": "höchstens ",
        "at_least": "mindestens ",
        "about": "etwa ",
        "all": "alle Kategorien",
        "everything": "alle Hilfe inkl. Militär",
        "civilian": "alle zivile Hilfe",
        "sector": "Summe des Sektors",
    },
    "fr": {
        "title": "Couverture du jeu de données intégré",
        "intro": (
            "Lignes d'annonces par donateur et catégorie (parties, conversions et totaux non "
            "comptés), leur somme en EUR au cours BCE du jour de l'annonce, et la part du total "
            "publié par le donateur qu'elles représentent (lignes jusqu'à la date de ce total). "
            "Une part faible signifie que la barre sous-estime ce donateur."
        ),
        "cols": "Donateur|Catégorie|Lignes|Somme (M EUR)|Première|Dernière|Total publié|Part",
        "none": "aucun total publié",
        "at_most": "au plus ",
        "at_least": "au moins ",
        "about": "environ ",
        "all": "toutes catégories",
        "everything": "toute l'aide, militaire comprise",
        "civilian": "toute l'aide civile",
        "sector": "total du secteur",
    },
    "it": {
        "title": "Copertura del dataset incorporato",
        "intro": (
            "Righe di impegni per donatore e categoria (parti, conversioni e totali non "
            "contati), la loro somma in EUR al cambio BCE del giorno dell'annuncio e la quota "
            "del totale dichiarato dal donatore che rappresentano (righe fino alla data del "
            "totale). Una quota bassa significa che la barra sottostima quel donatore."
        ),
        "cols": "Donatore|Categoria|Righe|Somma (mln EUR)|Prima|Ultima|Totale dichiarato|Quota",
        "none": "nessun totale pubblicato",
        "at_most": "al massimo ",
        "at_least": "almeno ",
        "about": "circa ",
        "all": "tutte le categorie",
        "everything": "tutti gli aiuti, militari compresi",
        "civilian": "tutti gli aiuti civili",
        "sector": "totale del settore",
    },
    "ja": {
        "title": "組み込みデータセットの網羅度",
        "intro": (
            "援助国・分野ごとの表明行数（内訳・換算・累計額は数えない）、発表日のECBレートによる"
            "ユーロ換算合計、援助国自身が公表した累計額に対する割合（累計額の日付までの行）。"
            "割合が低い場合、その援助国の棒は過小です。"
        ),
        "cols": "援助国|分野|行数|合計（百万ユーロ）|最初|最後|公表累計額|割合",
        "none": "累計額の公表なし",
        "at_most": "最大",
        "at_least": "最低",
        "about": "約",
        "all": "全分野",
        "everything": "軍事を含む全支援",
        "civilian": "非軍事の全支援",
        "sector": "分野の累計",
    },
    "uk": {
        "title": "Повнота вбудованого набору даних",
        "intro": (
            "Рядки зобов'язань за донором і категорією (частини, перерахунки й підсумки не "
            "враховано), їхня сума в EUR за курсом ЄЦБ на день оголошення та частка "
            "опублікованого донором підсумку, яку вони становлять (рядки до дати підсумку). "
            "Низька частка означає, що стовпчик занижує цього донора."
        ),
        "cols": "Донор|Категорія|Рядки|Сума (млн EUR)|Перший|Останній|Підсумок донора|Частка",
        "none": "підсумок не опубліковано",
        "at_most": "щонайбільше ",
        "at_least": "щонайменше ",
        "about": "близько ",
        "all": "усі категорії",
        "everything": "уся допомога з військовою",
        "civilian": "уся цивільна допомога",
        "sector": "підсумок сектору",
    },
}


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
    from .._base._locale import resolve_locale

    loc = resolve_locale(locale)
    words = _TEXT.get(loc.language, _TEXT["en"])
    data = coverage_table() if table is None else table
    from ..plot._style import get_label

    def esc(text: object) -> str:
        return html.escape(str(text))

    head = "".join(f"<th>{esc(c)}</th>" for c in words["cols"].split("|"))
    def day(value: Any) -> str:
        return "" if pd.isna(value) else f"{pd.Timestamp(value):%Y-%m-%d}"

    body = []
    for row in data.to_dict("records"):
        cat = words["all"] if row["category"] == "all" else get_label(str(row["category"]), loc)
        if pd.isna(row["share"]):
            headline, share = words["none"], ""
        else:
            scope = str(row["headline_scope"])
            headline = f"{row['headline_text']} ({day(row['headline_date'])}, "
            headline += f"{words.get(scope, scope)})"
            share = f"{words.get(str(row['share_bound']), '')}{float(row['share']) * 100:.1f}%"
        cells = (row["donor"], cat, row["rows"], f"{float(row['sum_eur']) / 1e6:,.1f}",
                 day(row["first"]), day(row["last"]), headline, share)
        strong = ' class="total"' if row["category"] == "all" else ""
        body.append(f"<tr{strong}>" + "".join(f"<td>{esc(c)}</td>" for c in cells) + "</tr>")
    return (
        f"<h3>{esc(words['title'])}</h3><p class=\"note\">{esc(words['intro'])}</p>"
        f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"
    )
