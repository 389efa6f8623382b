"""A table's headers in the donors' languages name their roles (``ROLE_ALIASES``): the same
table with German, French, Spanish, Japanese ... headers reads as with English ones, without
``mapping=``; no word names two roles."""

from __future__ import annotations

import warnings
from pathlib import Path

import pandas as pd
import pytest

import aidcalc
from aidcalc._pledges._frame import ROLE_ALIASES

ROLES = ("donor", "announced", "amount", "currency", "category", "status")
HEADERS = {
    "en": ("Donor", "Date", "Amount", "Currency", "Category", "Status"),
    "de": ("Geber", "Datum", "Betrag", "Währung", "Kategorie", "Status"),
    "fr": ("Bailleur", "Date", "Montant", "Devise", "Catégorie", "Statut"),
    "es": ("Donante", "Fecha", "Importe", "Moneda", "Categoría", "Estado"),
    "it": ("Donatore", "Date", "Importo", "Valuta", "Categoria", "Stato"),
    "nl": ("Donor", "Datum", "Bedrag", "Valuta", "Categorie", "Status"),
    "pl": ("Darczyńca", "Date", "Kwota", "Waluta", "Kategoria", "Status"),
    "ja": ("供与国", "日付", "金額", "通貨", "カテゴリー", "状態"),
    "ko": ("공여국", "날짜", "금액", "통화", "분야", "상태"),
    "uk": ("Донор", "Дата", "Сума", "Валюта", "Категорія", "Статус"),
}
ROWS = [("JPN", "2024-06-07", 1.25e9, "JPY", "energy", "pledged"),
        ("DEU", "2024-02-01", 5e8, "EUR", "demining", "committed")]  # fmt: skip


@pytest.mark.parametrize("language", sorted(HEADERS))
def test_a_table_in_the_donors_language_reads_as_in_english(
    language: str, tmp_path: Path
) -> None:
    table = pd.DataFrame(ROWS, columns=list(HEADERS[language]))
    english = pd.DataFrame(ROWS, columns=list(HEADERS["en"]))
    with warnings.catch_warnings():
        warnings.simplefilter("error", aidcalc.RejectedRowsWarning)  # nothing left out
        got, want = aidcalc.pledges(table), aidcalc.pledges(english)
        path = tmp_path / "t.csv"
        table.to_csv(path, index=False)
        read = aidcalc.io.read_table(path)
    assert list(got.columns) == list(ROLES)
    pd.testing.assert_frame_equal(got, want)
    pd.testing.assert_frame_equal(read[list(ROLES)], want, check_dtype=False)  # text dtypes


def test_a_header_below_a_title_is_found_by_its_german_words(tmp_path: Path) -> None:
    path = tmp_path / "zusagen.csv"
    path.write_text("Zusagen der G7 (Stand März 2024)\nGeber;Datum;Betrag (Mio. EUR)\n"
                    "Japan;07.06.2024;1.250,5\nDeutschland;01.02.2024;500\n",
                    encoding="utf-8")  # fmt: skip
    frame = aidcalc.io.read_table(path, locale="de")
    assert frame["amount"].tolist() == [1_250_500_000.0, 500_000_000.0]
    assert frame["donor"].tolist() == ["JPN", "DEU"] and frame.attrs["header_row"] == 2


def test_every_word_names_one_role_of_the_pledge_frame() -> None:
    roles = {"donor", "recipient", "announced", "amount", "currency", "amount_text",
             "category", "status"}  # fmt: skip
    assert set(ROLE_ALIASES.values()) <= roles
    for word in ROLE_ALIASES:
        assert word == word.strip().lower().replace(" ", "_"), word  # the form looked up
    assert not {"data", "land", "summe", "total"} & set(ROLE_ALIASES)  # other meanings
