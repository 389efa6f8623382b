"""categorise: CRS purpose codes, multilingual keywords, precedence, overrides, properties."""

from __future__ import annotations

import functools
import re
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

import aidcalc
from aidcalc._pledges._categories import (
    CATEGORY_ORDER,
    EXTRA_CATEGORIES,
    TAXONOMY,
    keyword_table,
    purpose_code_table,
)


def cat(texts, **kw):
    return aidcalc.categorise(pd.DataFrame({"description": texts}), **kw)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # the issue's own examples, one per language
        ("demining", "demining"),
        ("Entminung", "demining"),
        ("déminage", "demining"),
        ("sminamento", "demining"),
        ("地雷除去", "demining"),
        ("розмінування", "demining"),
        ("power grid", "energy"),
        ("Stromnetz", "energy"),
        ("電力", "energy"),
        ("енергетика", "energy"),
        ("reconstruction", "reconstruction"),
        ("Wiederaufbau", "reconstruction"),
        ("復興", "reconstruction"),
        ("відбудова", "reconstruction"),
        # inflected / compound forms
        ("Mittel für die Entminungsarbeit", "demining"),
        ("ricostruzione del centro storico", "reconstruction"),
        ("aide humanitaire d'urgence", "humanitarian"),
        ("Makrofinanzhilfe der EU", "budget_support"),
        ("air defence systems", "military"),
        ("військова допомога", "military"),
        ("人道支援", "humanitarian"),
    ],
)
def test_keywords_in_six_languages(text, expected):
    assert cat([text])["category"].item() == expected


def test_precedence_named_sector_beats_general_recovery_word():
    out = cat(
        [
            "repair the power grid",
            "clear mines before rebuilding",
            "Wiederaufbau des Stromnetzes",
            "відновлення енергетики",
        ]
    )
    assert out["category"].tolist() == ["energy", "demining", "energy", "energy"]
    assert out["categories"].tolist() == [
        "energy;reconstruction",
        "demining;reconstruction",
        "energy;reconstruction",
        "energy;reconstruction",
    ]


@pytest.mark.parametrize(
    "text",
    [
        "the ministry determines priorities",
        "mineral resources",
        "armistice talks",
        "a regrettable delay",
        "Stromberg visit",
        "gridlock in parliament",
        "Sminuire il ruolo",
    ],
)
def test_word_boundaries_prevent_false_matches(text):
    out = cat([text])
    assert out["category"].item() == "other"
    assert out["category_source"].item() == "none"


def test_japanese_matches_without_spaces():
    out = cat(["ウクライナの地雷除去と電力インフラ復旧を支援"])
    assert out["category"].item() == "demining"
    assert out["categories"].item() == "demining;energy;reconstruction"


def test_nothing_matched_is_other_not_a_guess():
    out = cat(["school meals", None, ""])
    assert out["category"].tolist() == ["other"] * 3
    assert out["categories"].tolist() == [""] * 3


def test_every_keyword_example_matches_its_own_category():
    kw = keyword_table()
    out = cat(kw["example"].tolist())
    hits = [c in cats.split(";") for c, cats in zip(kw["category"], out["categories"], strict=True)]
    assert all(hits), kw.loc[[not h for h in hits], ["category", "example"]]
    # and the example is put in that category (no other category of higher precedence)
    wrong = out["category"].to_numpy() != kw["category"].to_numpy()
    assert not wrong.any(), kw.loc[wrong, ["category", "language", "example"]]
    assert set(kw["category"]) == set(TAXONOMY) - {"other"}
    for pattern in kw["pattern"]:
        re.compile(pattern)


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        (15250, "demining"),
        ("23040", "energy"),  # withdrawn 230xx still energy
        (23630, "energy"),
        (23210, "energy"),
        (73010, "reconstruction"),
        (72010, "humanitarian"),
        (74020, "humanitarian"),
        (51010, "budget_support"),
        (15210, "other"),  # security system reform: not military
        (15230, "other"),  # peacekeeping: not military
        (16040, "other"),
        (1520010, "other"),  # 7-digit TOSSD code
        (73099, "humanitarian"),  # not in the list: prefix rule 730xx other than 73010
    ],
)
def test_purpose_codes(code, expected):
    out = aidcalc.categorise(pd.DataFrame({"purpose_code": [code]}))
    assert out["category"].item() == expected
    assert out["category_source"].item() == "purpose_code"


def test_purpose_code_beats_text_and_override_beats_both():
    f = pd.DataFrame(
        {
            "description": ["power grid", "power grid", "power grid", "power grid"],
            "purpose_code": [15250, None, 15250, 99999],
        }
    )
    out = aidcalc.categorise(f, overrides={2: "military"})
    assert out["category"].tolist() == ["demining", "energy", "military", "energy"]
    assert out["category_source"].tolist() == ["purpose_code", "text", "override", "text"]
    assert out["categories"].tolist()[0] == "demining;energy"


def test_code_outside_the_taxonomy_lets_text_decide():
    f = pd.DataFrame(
        {"description": ["mine clearance", "school meals"], "purpose_code": [99810, 99810]}
    )
    out = aidcalc.categorise(f)
    assert out["category"].tolist() == ["demining", "other"]
    assert out["category_source"].tolist() == ["text", "purpose_code"]


def test_overrides_as_series_and_column():
    f = pd.DataFrame(
        {"description": ["power grid", "demining"], "mine": [None, "humanitarian"]},
        index=["a", "b"],
    )
    assert aidcalc.categorise(f, overrides="mine")["category"].tolist() == [
        "energy",
        "humanitarian",
    ]
    s = pd.Series({"a": "budget_support"})
    assert aidcalc.categorise(f, overrides=s)["category"].tolist() == ["budget_support", "demining"]


def test_output_keeps_rows_index_and_user_columns_and_does_not_mutate():
    f = pd.DataFrame({"description": ["demining", "x"], "mine": [1, 2]}, index=[7, 3])
    before = f.copy()
    out = aidcalc.categorise(f)
    pd.testing.assert_frame_equal(f, before)
    assert out.index.tolist() == [7, 3]
    assert out["mine"].tolist() == [1, 2]


def test_user_taxonomy_extends_and_ranks_before_reconstruction():
    extra = pd.DataFrame({"category": ["water"], "language": ["en"], "pattern": [r"water\w*"]})
    out = cat(["restore water supply", "water and power grid"], taxonomy=extra)
    assert out["category"].tolist() == ["water", "energy"]
    assert out["categories"].tolist() == ["water;reconstruction", "energy;water"]


def test_multiple_text_columns():
    f = pd.DataFrame({"title": ["Winter package", "x"], "description": ["generators", "y"]})
    out = aidcalc.categorise(f, text=["title", "description"])
    assert out["category"].tolist() == ["energy", "other"]


def test_errors_are_clear():
    f = pd.DataFrame({"description": ["x"]})
    with pytest.raises(aidcalc.ValidationError, match=r"column\(s\) \['text'\] not in the frame"):
        aidcalc.categorise(f, text="text")
    with pytest.raises(aidcalc.ValidationError, match="needs something to read"):
        aidcalc.categorise(pd.DataFrame({"amount": [1]}))
    with pytest.raises(aidcalc.ValidationError, match="index labels not in the frame: 5"):
        aidcalc.categorise(f, overrides={5: "energy"})
    with pytest.raises(aidcalc.ValidationError, match="non-empty category names"):
        aidcalc.categorise(f, overrides={0: 3})
    bad = pd.DataFrame({"category": ["x"], "language": ["en"], "pattern": ["(unclosed"]})
    with pytest.raises(aidcalc.ValidationError, match="not a valid regular expression"):
        aidcalc.categorise(f, taxonomy=bad)
    with pytest.raises(aidcalc.ValidationError, match="precedence does not list"):
        aidcalc.categorise(f, precedence=["energy"])
    with pytest.raises(TypeError, match="DataFrame"):
        aidcalc.categorise(["demining"])


def test_crs_table_covers_every_reference_code(reference):
    codes = pd.read_csv(reference / "codelists" / "crs_purpose_codes.csv", dtype=str)
    table = purpose_code_table()
    assert len(table) == len(codes) == 333
    assert set(table.index) == set(codes["code"])
    energy = codes["code"].str[:3].isin(["230", "231", "232", "233", "234", "235", "236"])
    assert (table[codes.loc[energy, "code"]] == "energy").all()
    assert (
        table[
            codes.loc[
                ~energy
                & (codes["code"] != "15250")
                & ~codes["code"].str[:2].isin(["72", "73", "74"])
                & (codes["code"] != "51010"),
                "code",
            ]
        ]
        == "other"
    ).all()


def test_precision_on_the_curated_dataset():
    g7 = aidcalc.load_dataset("g7_ukraine_pledges")
    rated = g7[g7["category"] != "all"]  # headline totals have no sector
    out = aidcalc.categorise(rated.drop(columns=["category", "categories"]))
    decided = out["category_source"] == "text"
    precision = (out.loc[decided, "category"] == rated.loc[decided, "category"]).mean()
    coverage = decided.mean()
    agreement = (out["category"] == rated["category"]).mean()
    # measured 2026-11-28: 68 of the 72 rows decided by text are right (94.4%); 72 of 81 rows
    # decided (88.9%); overall agreement with the hand-set category 71/81 (87.7%). The misses
    # are mixed packages whose text names demining first (hand-set: reconstruction).
    assert precision >= 0.9
    assert coverage >= 0.85
    assert agreement >= 0.85


TEXTS = st.sampled_from(
    [
        "repair the power grid",
        "Entminung",
        "地雷除去と復興",
        "humanitarian relief",
        "school",
        "budget support",
        "military aid and demining",
        "",
        "Wiederaufbau",
        "відбудова енергетики",
    ]
)


@given(st.lists(TEXTS, min_size=1, max_size=12), st.randoms(use_true_random=False))
def test_deterministic_and_independent_of_row_order(texts, rnd):
    f = pd.DataFrame({"description": texts})
    once = aidcalc.categorise(f)
    pd.testing.assert_frame_equal(once, aidcalc.categorise(f))
    order = list(range(len(f)))
    rnd.shuffle(order)
    shuffled = aidcalc.categorise(f.iloc[order])
    pd.testing.assert_frame_equal(shuffled.loc[f.index], once)


# --- QA A5: existing categories are user overrides, not overwritten silently ----------------


def test_existing_category_wins_unless_overwrite():
    f = pd.DataFrame(
        {
            "description": ["x", "power grid", "power grid", "totals"],
            "category": ["humanitarian", None, "", "all"],
        }
    )
    out = aidcalc.categorise(f)
    assert out["category"].tolist() == ["humanitarian", "energy", "energy", "all"]
    assert out["category_source"].tolist() == ["existing", "text", "text", "existing"]
    assert out["categories"].tolist() == ["humanitarian", "energy", "energy", "all"]
    again = aidcalc.categorise(f, overwrite=True)
    assert again["category"].tolist() == ["other", "energy", "energy", "other"]
    # explicit overrides still beat the existing values
    assert aidcalc.categorise(f, overrides={0: "military"})["category"].iloc[0] == "military"
    # a frame with only a category column is fine: everything is kept
    only = aidcalc.categorise(pd.DataFrame({"category": ["energy"]}))
    assert only["category_source"].tolist() == ["existing"]


def test_curated_dataset_keeps_its_hand_set_categories():
    g7 = aidcalc.load_dataset("g7_ukraine_pledges")
    out = aidcalc.categorise(g7)
    assert (out["category"] == g7["category"]).all()  # QA A5: 18 of 89 were changed
    assert (out["category_source"] == "existing").all()
    assert (out.loc[g7["category"] == "all", "category"] == "all").all()


# --- QA C12: overrides must name known categories -------------------------------------------


def test_unknown_override_category_is_refused():
    f = pd.DataFrame({"description": ["a", "b"]}, index=["a", "b"])
    with pytest.raises(
        aidcalc.ValidationError, match=r"unknown categories 'space' in 1 row \(index b\)"
    ):
        aidcalc.categorise(f, overrides={"b": "space"})
    # "all" (headline totals) and user taxonomy categories are known
    assert aidcalc.categorise(f, overrides={"b": "all"})["category"].tolist() == ["other", "all"]
    extra = pd.DataFrame({"category": ["space"], "language": ["en"], "pattern": ["rocket"]})
    out = aidcalc.categorise(f, overrides={"b": "space"}, taxonomy=extra)
    assert out["category"].tolist() == ["other", "space"]


# --- QA D15: work on distinct inputs only -----------------------------------------------------


def test_each_distinct_input_is_searched_once(monkeypatch):
    from aidcalc._pledges import _categories

    seen = []
    real = _categories._categorise_unique

    def spy(sub, **kw):
        seen.append(len(sub))
        return real(sub, **kw)

    monkeypatch.setattr(_categories, "_categorise_unique", spy)
    texts = ["power grid", "demining", "power grid", None] * 2500
    codes = [None, 15250, None, None] * 2500
    out = aidcalc.categorise(pd.DataFrame({"description": texts, "purpose_code": codes}))
    assert seen == [3]  # 10,000 rows, 3 distinct (text, code) combinations
    assert out["category"].tolist()[:4] == ["energy", "demining", "energy", "other"]
    assert out["category_source"].tolist()[:4] == ["text", "purpose_code", "text", "none"]


def test_duplicate_columns_and_wrong_types():
    dup = pd.DataFrame([["a", "b"]], columns=["description", "description"])
    with pytest.raises(aidcalc.ValidationError, match="duplicate column names 'description'"):
        aidcalc.categorise(dup)
    with pytest.raises(aidcalc.AidcalcError, match="categorise expects a pandas DataFrame"):
        aidcalc.categorise("demining")


# --- fast path (RE2 prefilter + RE2 certificate + Python re) == per-pattern matching ---------

_CJK = {"ja", "zh", "ko", "th"}


_DOTLESS = {ord("ı"): "i", 0x307: None}  # Turkish ı, and the dot "İ".lower() leaves: read as i


def _lower(pattern: str) -> str:
    # independent copy of the documented rule: literals lower-cased (Turkish ı/İ as i),
    # escapes (\W, \S) kept
    return re.sub(
        r"\\.|[^\\]+",
        lambda m: m[0] if m[0].startswith("\\") else m[0].lower().translate(_DOTLESS),
        pattern,
    )


@functools.lru_cache(maxsize=8)
def _compiled(rows):
    """Each (category, language, pattern) compiled by the documented rule (once: the table
    has more patterns than ``re``'s own cache holds)."""
    return [
        (
            category,
            re.compile(
                _lower(pattern) if language in _CJK else rf"(?<!\w)(?:{_lower(pattern)})(?!\w)"
            ),
        )
        for category, language, pattern in rows
    ]


def _reference(texts, keywords):
    """Per pattern, per text: the documented matching rule, with nothing shared with the code."""
    compiled = _compiled(
        tuple(zip(keywords["category"], keywords["language"], keywords["pattern"], strict=True))
    )
    out = {c: [False] * len(texts) for c in dict.fromkeys(keywords["category"])}
    for i, text in enumerate(texts):
        low = text.lower().translate(_DOTLESS)
        for category, rx in compiled:
            if not out[category][i] and rx.search(low):
                out[category][i] = True
    return out


@functools.lru_cache(maxsize=8)
def _parts(rows):
    """The code's compiled table, once per table (its check compiles every pattern)."""
    from aidcalc._pledges._categories import _compile

    return _compile(pd.DataFrame(list(rows), columns=["category", "language", "pattern"]))


def _fast(texts, keywords, arrow_min=64):
    from aidcalc._pledges._categories import _lower_texts, _search_all

    rows = tuple(zip(keywords["category"], keywords["language"], keywords["pattern"], strict=True))
    hits = _search_all(_lower_texts(texts), _parts(rows), arrow_min=arrow_min)
    return {c: hits[c].tolist() for c in hits}


def _examples():
    kw = keyword_table()
    g7 = aidcalc.load_dataset("g7_ukraine_pledges")
    return [*g7["description"].astype(str), *kw["example"]]


def test_fast_path_equals_reference_on_curated_texts_and_keyword_examples():
    texts = _examples()
    assert len(texts) >= 64  # large enough for the Arrow prefilter path (arrow_min=64)
    variants = [
        *texts,
        *(t.upper() for t in texts),
        *(f"x{t}" for t in texts),  # glued to a word character: whole-word patterns fail
        *(f"{t}é" for t in texts),  # non-ASCII word character after the keyword
        *(f"_{t}_" for t in texts),
        *(f"({t})." for t in texts),
    ]
    kw = keyword_table()
    expected = _reference(variants, kw)
    assert _fast(variants, kw) == expected
    small = variants[:20]
    assert _fast(small, kw, arrow_min=1000) == _reference(small, kw)  # no Arrow path
    assert _fast(small, kw, arrow_min=1) == _reference(small, kw)
    # and through the public function: the categories column lists exactly these
    out = aidcalc.categorise(pd.DataFrame({"description": variants}))
    order = [c for c in TAXONOMY if c != "other"]
    listed = [";".join(c for c in order if expected[c][i]) for i in range(len(variants))]
    assert out["categories"].tolist() == listed
    assert out["category"].tolist() == [s.split(";")[0] or "other" for s in listed]
    assert sum(any(expected[c][i] for c in order) for i in range(len(variants))) > 300


_FILLER = st.sampled_from(
    [" ", "  ", ", ", ".", "-", "_", "x", "é", "ß", "İ", "\u0301", "7", "٣", "の", "й", "\n",
     "(", "'", "ä", "Ж", "the", "and", "für", "de", "de-", "mine", "min", "mines", "power",
     "grid", "#12", "\u00a0", "\t", "EN", "re", "ção"]
)  # fmt: skip
_KEYWORD_WORDS = st.sampled_from(
    sorted({w for t in keyword_table()["example"] for w in re.split(r"(\s+)", t) if w})
)


@given(
    st.lists(
        st.lists(st.one_of(_FILLER, _KEYWORD_WORDS), min_size=1, max_size=8).map("".join),
        min_size=64,
        max_size=90,
    )
)
def test_fast_path_equals_reference_on_random_keyword_and_filler_texts(texts):
    kw = keyword_table()
    assert _fast(texts, kw) == _reference(texts, kw)


_UNICODE_FILLER = st.sampled_from(
    ["«", "»", "–", "—", "’", "ʼ", "×", "·", "\u0301", "\u00a0", "、", "。", "ά", "ё", "ł",
     "ő", "ǅ", "ª", "²", "µ", "ſ", "ı", "İ", "Σ", "ς", " ", "-", "x", "ţ", "ș", "ΐ", "ﬁ"]
)  # fmt: skip
_PHRASE_WORDS = st.sampled_from(
    sorted(
        {
            w
            for t in pd.read_csv(
                Path(__file__).parent / "fixtures" / "category_phrases.csv",
                keep_default_na=False,
            )["phrase"]
            for w in t.split()
        }
    )
)


@given(
    st.lists(
        st.lists(st.one_of(_UNICODE_FILLER, _PHRASE_WORDS), min_size=1, max_size=6).map("".join),
        min_size=64,
        max_size=80,
    )
)
def test_fast_path_equals_reference_next_to_non_ascii_letters_and_punctuation(texts):
    """The RE2 certificate's word characters and word ends are Python's own (Latin, Greek,
    Cyrillic letters; general and CJK punctuation): keywords of 25 languages glued to them
    match exactly as Python's ``re`` decides."""
    kw = keyword_table()
    assert _fast(texts, kw) == _reference(texts, kw)


_TRICKY = pd.DataFrame(
    {
        "category": ["a", "a", "b", "b", "c", "c", "d", "d", "e", "e"],
        "language": ["en", "ja", "en", "de", "fr", "en", "en", "it", "ja", "en"],
        "pattern": [
            r"(?<=x)mine",  # look-behind inside: no RE2 certificate
            r"[^\w]grid",  # negated Unicode class in an anywhere pattern
            r"(\w)\1",  # back-reference: no literal, no certificate
            r"Power\W?grid",
            r"\bmin\w+",
            r"de\s*min$",
            r"(?i:Grid)",  # scoped flag
            r"[é-ü]+x",
            r"の.*電力",
            r"mines?|ordnance|\d{2,}",
        ],
    }
)


@given(
    st.lists(
        st.lists(st.one_of(_FILLER, _KEYWORD_WORDS), min_size=1, max_size=6).map("".join),
        min_size=64,
        max_size=80,
    )
)
def test_fast_path_equals_reference_for_user_patterns_re2_cannot_take(texts):
    assert _fast(texts, _TRICKY) == _reference(texts, _TRICKY)


@given(st.text(alphabet="mineGRIDpowerdexé _-\n7の電力", max_size=14), st.integers(0, 9))
def test_required_literals_are_really_required(text, i):
    from aidcalc._pledges._categories import _required_literals

    pattern = _lower(_TRICKY["pattern"][i])
    literals = _required_literals(pattern)
    if literals is not None and re.search(pattern, text):
        assert any(lit in text for lit in literals)


def test_one_category_list_for_pipeline_charts_and_report():
    """The display order lists exactly the taxonomy plus "all"; charts and validate use it."""
    from aidcalc._pledges._frame import default_categories
    from aidcalc.plot import _style

    assert sorted(CATEGORY_ORDER) == sorted({*TAXONOMY, *EXTRA_CATEGORIES})
    assert len(set(CATEGORY_ORDER)) == len(CATEGORY_ORDER)
    assert _style.CATEGORY_ORDER is CATEGORY_ORDER
    assert set(default_categories()) == set(CATEGORY_ORDER)


def test_one_status_order():
    from aidcalc._pledges._lifecycle import STATUS_ORDER
    from aidcalc.plot import _style

    assert _style.STATUS_ORDER is STATUS_ORDER
