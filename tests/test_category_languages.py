"""categorise in the languages donors and the press write: a labelled corpus per language and
category, words of one language that look like another's keywords, and the matching rules
(case, Turkish İ, Greek accents, CJK without spaces, precedence) on any phrase."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

import aidcalc
from aidcalc._pledges._categories import TAXONOMY, keyword_table

FIXTURES = Path(__file__).parent / "fixtures"
LANGUAGES = [
    "en", "de", "fr", "it", "ja", "uk", "es", "pt", "pl", "nl", "sv", "da", "nb", "fi", "cs",
    "sk", "lt", "lv", "et", "ro", "el", "tr", "ru", "zh", "ko",
]  # fmt: skip
SECTORS = [c for c in TAXONOMY if c != "other"]


def _read(name: str) -> pd.DataFrame:
    return pd.read_csv(FIXTURES / name, keep_default_na=False, dtype=str)


PHRASES = _read("category_phrases.csv")
NEGATIVES = _read("category_negatives.csv")


def categorise_texts(texts: list[str]) -> pd.DataFrame:
    return aidcalc.categorise(pd.DataFrame({"description": texts}))


def test_corpus_covers_every_language_and_category():
    counts = PHRASES.groupby(["language", "category"]).size()
    for lang in LANGUAGES:
        for category in TAXONOMY:
            assert counts.get((lang, category), 0) >= 6, (lang, category)
    assert set(PHRASES["language"]) == set(LANGUAGES)
    assert not PHRASES.duplicated(["phrase", "language"]).any()  # cs/sk, ja/zh share some


@pytest.mark.parametrize("lang", LANGUAGES)
def test_corpus_phrases_get_their_labelled_category(lang):
    rows = PHRASES[PHRASES["language"] == lang]
    out = categorise_texts(rows["phrase"].tolist())
    wrong = out["category"].to_numpy() != rows["category"].to_numpy()
    assert not wrong.any(), rows[wrong].assign(got=out["category"].to_numpy()[wrong])


def test_every_language_has_patterns_for_every_sector_with_sources():
    kw = keyword_table()
    assert set(kw["language"]) == set(LANGUAGES)
    have = set(zip(kw["language"], kw["category"], strict=True))
    missing = [(lang, c) for lang in LANGUAGES for c in SECTORS if (lang, c) not in have]
    assert not missing
    assert (kw["source"].str.strip() != "").all()
    official = kw["source"] != "aidcalc project"
    assert official.sum() >= 8
    assert (
        kw.loc[official, "source"].str.contains(r"^EUR-Lex .* https://eur-lex\.europa\.eu/").all()
    )
    # a source names the text's own language version
    for lang, source in zip(kw.loc[official, "language"], kw.loc[official, "source"], strict=True):
        assert f"/legal-content/{lang.upper()}/" in source


def test_words_that_only_look_like_keywords_are_not_categorised():
    out = categorise_texts(NEGATIVES["phrase"].tolist())
    got = out["category"].to_numpy()
    wrong = got != NEGATIVES["expected"].to_numpy()
    assert not wrong.any(), NEGATIVES[wrong].assign(got=got[wrong])
    assert "demining" not in set(got)


# words of many languages that contain a keyword's letters but mean something else
LOOKALIKES = [
    "Minister", "ministre", "ministro", "Ministerium", "ministerstvo", "ministeri", "ministrija",
    "ministras", "Ministerul", "министр", "міністр", "administration", "administración",
    "administracji", "determination", "determinación", "examination", "minería", "mina",
    "minero", "mineral", "minerals", "Mineralwasser", "demineralised", "minimum", "minimal",
    "minute", "minuta", "minut", "mine", "min", "mitt", "mijn", "mijnbouw", "minu", "minä",
    "minun", "minę", "miny", "Minas", "Gerais", "mayıs", "MAYIS", "ναρκωτικά", "ναρκισσισμός",
    "išmintis", "Karina", "kaivos", "gruva", "Bergbau", "mining", "coal", "gold", "mines",
    "naprawdę", "energiek", "energieke", "energetic", "electronic", "Elektronische",
    "електронне", "электронное", "Ηλεκτρονική", "sähköposti", "bancos", "centrales",
    "矿山", "探地雷达", "무기한", "광산", "発展", "经济发展", "obnovení", "jednání",
]  # fmt: skip
FILLERS = [" ", ", ", " / ", " - ", " the ", " y ", " i ", " и ", " och ", " ja ", " und "]


def _cased(text: str, flags: list[bool]) -> str:
    return "".join(ch.upper() if flags[i % len(flags)] else ch for i, ch in enumerate(text))


@given(
    st.lists(st.sampled_from(LOOKALIKES), min_size=1, max_size=6),
    st.lists(st.sampled_from(FILLERS), min_size=6, max_size=6),
    st.lists(st.booleans(), min_size=1, max_size=8),
)
def test_no_lookalike_text_is_ever_demining_or_any_category(words, fillers, flags):
    text = _cased("".join(w + fillers[i] for i, w in enumerate(words)), flags)
    out = categorise_texts([text])
    assert out["categories"].item() == "", text


@given(
    st.sampled_from(PHRASES.index.tolist()),
    st.sampled_from(PHRASES.index[PHRASES["category"] == "other"].tolist()),
    st.lists(st.booleans(), min_size=1, max_size=8),
    st.sampled_from([": ", " - ", ". ", " (", ", "]),
)
def test_category_does_not_depend_on_case_or_an_unrelated_phrase_beside_it(i, j, flags, sep):
    """Any casing (capitals drop Greek accents, Turkish İ lowers to i + U+0307) and an
    unrelated phrase of any language before or after leave the category as labelled."""
    phrase, expected = PHRASES.at[i, "phrase"], PHRASES.at[i, "category"]
    other = PHRASES.at[j, "phrase"]
    texts = [_cased(phrase, flags), f"{other}{sep}{phrase}", f"{phrase}{sep}{other}"]
    assert categorise_texts(texts)["category"].tolist() == [expected] * 3, texts


@pytest.mark.parametrize(
    ("text", "listed"),
    [
        ("energy equipment for demining teams", "demining;energy"),
        ("Sprzęt energetyczny dla zespołów rozminowania", "demining;energy"),
        ("Generatoren für Minenräumteams", "demining;energy"),
        ("지뢰 제거팀을 위한 발전기", "demining;energy"),
        ("Reparación de la red eléctrica", "energy;reconstruction"),
        ("Відновлення енергетики", "energy;reconstruction"),
        ("Humanitär minröjning", "demining;humanitarian"),
        ("Patlamamış mühimmatın imhası", "demining;military"),
        ("人道主义排雷", "demining;humanitarian"),
    ],
)
def test_precedence_is_the_same_in_every_language(text, listed):
    out = categorise_texts([text])
    assert out["categories"].item() == listed
    assert out["category"].item() == listed.split(";")[0]


def test_prefilter_literals_are_in_every_text_a_table_pattern_matches():
    """The RE2 prefilter skips texts without any of a pattern's required literals: on every
    labelled phrase, negative and example, a pattern that matches leaves one in the text."""
    from aidcalc._pledges._categories import _lower_pattern, _lower_texts, _required_literals

    kw = keyword_table()
    texts = _lower_texts([*PHRASES["phrase"], *NEGATIVES["phrase"], *kw["example"]])
    for pattern in kw["pattern"]:
        low = _lower_pattern(pattern)
        literals = _required_literals(low)
        if literals is None:
            continue
        rx = re.compile(low)
        for text in texts:
            if rx.search(text):
                assert any(lit in text for lit in literals), (pattern, text, literals)


_PIECES = st.text(alphabet="abcé-", min_size=0, max_size=3)


@given(
    st.lists(_PIECES, min_size=1, max_size=3),
    st.lists(_PIECES, min_size=1, max_size=4),
    st.sampled_from(["", "?", "\\w*", "s?"]),
    st.text(alphabet="abcé- x", max_size=16),
)
def test_run_before_an_alternation_is_required_with_a_branch(runs, alts, tail, text):
    """ "ab(?:c|d)" and what the parser makes of "abc|abd" (a common prefix taken out):
    every match contains the run followed by one branch's first letters."""
    from aidcalc._pledges._categories import _required_literals

    pattern = "".join(map(re.escape, runs)) + "(?:" + "|".join(map(re.escape, alts)) + ")" + tail
    for candidate in (pattern, "|".join(re.escape("".join(runs) + a) for a in alts)):
        literals = _required_literals(candidate)
        if literals is not None and re.search(candidate, text):
            assert any(lit in text for lit in literals), (candidate, text, literals)
