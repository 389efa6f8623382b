"""Categorise pledges: a documented taxonomy from CRS purpose codes and multilingual text.

The taxonomy, in order of precedence (when several match, the first wins):

``demining``
    mine action, unexploded ordnance and debris clearance (CRS 15250).
``energy``
    generation, transmission, distribution, heating, energy policy (CRS 230xx, 231xx-236xx).
``military``
    weapons, ammunition, air defence, military equipment. CRS has no military purpose code
    (152xx "conflict, peace and security" is civilian), so only text can say ``military``.
``humanitarian``
    emergency response, relief, shelter, refugees (CRS 720xx, 730xx other than 73010, 740xx).
``budget_support``
    general budget support and macro-financial assistance (CRS 51010).
``reconstruction``
    rehabilitation and recovery of infrastructure, housing and services (CRS 73010). Its
    words ("repair", "recovery", "rebuild") are general, so any named sector beats it:
    "repair the power grid" is ``energy``, "clear mines before rebuilding" is ``demining``.
``other``
    nothing matched (never a guess dressed as certainty).

Sources, strongest first: user ``overrides``, then values already in the output column
(a curated or hand-set ``category`` is a user override too; ``overwrite=True`` recomputes
it), then a CRS purpose code that maps to a sector
of the taxonomy (``datasets/crs_purpose_categories.csv``), then keywords in the text
(``datasets/category_keywords.csv``: en, de, fr, it, ja, uk, es, pt, pl, nl, sv, da, nb, fi,
cs, sk, lt, lv, et, ro, el, tr, ru, zh, ko; every pattern is searched in every text), else
``other``. A purpose code outside the taxonomy (e.g. 15210 security sector reform) gives
``other`` unless the text names a sector.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from functools import cache, lru_cache
from typing import Any, Final

import numpy as np
import pandas as pd

from .._base._columns import CATEGORIES, CATEGORY, DESCRIPTION, PURPOSE_CODE
from .._base._compat import renamed_argument
from .._base._dask import dask_aware
from .._base._errors import OptionTypeError, ValidationError, describe_rows, join_values
from .._base._frame_checks import (
    check_columns_exist,
    check_frame,
    check_out_names,
    column_list,
)

__all__ = [
    "CATEGORY_ORDER",
    "CATEGORY_SYNONYMS",
    "EXTRA_CATEGORIES",
    "OTHER",
    "TAXONOMY",
    "categorise",
    "keyword_table",
    "purpose_code_table",
]

TAXONOMY: Final = (
    "demining",
    "energy",
    "military",
    "humanitarian",
    "budget_support",
    "reconstruction",
    "other",
)
"""The built-in categories in order of precedence (``other`` last: nothing matched)."""

OTHER: Final = "other"

EXTRA_CATEGORIES: Final = ("all",)
"""Categories allowed besides the taxonomy: ``all`` marks headline totals (no sector)."""

CATEGORY_SYNONYMS: Final = {"total": "all", "totals": "all"}
"""Category values tables write for a category of :data:`EXTRA_CATEGORIES`: a headline
total's category ``total`` is ``all`` (every sector). :func:`aidcalc.pledges` reads them and
notes each row it read so."""

CATEGORY_ORDER: Final = (
    "energy",
    "demining",
    "reconstruction",
    "humanitarian",
    "budget_support",
    "military",
    OTHER,
    *EXTRA_CATEGORIES,
)
"""The same categories in the order charts and reports show them (the taxonomy and
:data:`EXTRA_CATEGORIES`; :data:`TAXONOMY` is the order of precedence)."""
_NO_BOUNDARY_LANGUAGES: Final = frozenset({"ja", "zh", "ko", "th"})
_SOURCE_SUFFIX: Final = "_source"


@cache
def purpose_code_table() -> pd.Series:
    """The CRS purpose code -> category mapping shipped with aidcalc (code strings as index).

    Examples
    --------
    >>> table = purpose_code_table()
    >>> table["15250"], table["23040"], table["73010"], table["72010"], table["15210"]
    ('demining', 'energy', 'reconstruction', 'humanitarian', 'other')
    """
    from .._base._datasets import read_dataset

    raw = read_dataset("crs_purpose_categories", copy=False)
    return pd.Series(raw["category"].to_numpy(), index=raw["code"].astype(str), name=CATEGORY)


@cache
def keyword_table() -> pd.DataFrame:
    """The built-in keyword table (``category``, ``language``, ``pattern``, ``example``,
    ``source``).

    All patterns are searched in every text, whatever its language: whole words for
    alphabetic scripts, anywhere for ja, zh, ko (no spaces between words, or particles
    attached to them). A pattern must therefore not match a word of another language that
    means something else (Polish "mina", Danish "mine", Spanish "minería" are not
    demining); ``tests/fixtures/category_negatives.csv`` lists such words.

    Examples
    --------
    >>> kw = keyword_table()
    >>> " ".join(kw["language"].unique())
    'en de fr it ja uk es pt pl nl sv da nb fi cs sk lt lv et ro el tr ru zh ko'
    >>> kw.loc[kw["example"] == "makrofinančná pomoc", "source"].item()[:45]
    'EUR-Lex Regulation (EU) 2022/2463 (macro-fina'
    """
    from .._base._datasets import read_dataset

    return read_dataset("category_keywords", copy=False)


_TURKISH_I: Final = {ord("ı"): "i", 0x307: None}
"""Read Turkish ı as i, and drop the dot that "İ".lower() leaves (i + U+0307): capital I
lowers to i, so "YARDIM" and "yardım" must read alike."""


def _lower_pattern(pattern: str) -> str:
    """Lower-case a pattern's literal characters, leaving escapes (``\\W``, ``\\S``) alone
    (Turkish ı and İ read as i, as in the texts: :func:`_lower_texts`)."""
    out, i = [], 0
    while i < len(pattern):
        if pattern[i] == "\\" and i + 1 < len(pattern):
            out.append(pattern[i : i + 2])
            i += 2
        else:
            out.append(pattern[i].lower().translate(_TURKISH_I))
            i += 1
    return "".join(out)


_Parts = tuple[tuple[str, ...], tuple[str, ...]]  # (whole-word patterns, anywhere patterns)


def _compile(keywords: pd.DataFrame) -> dict[str, _Parts]:
    """Lower-cased patterns per category, split into whole-word and anywhere (CJK) ones."""
    missing = {"category", "language", "pattern"} - set(keywords.columns)
    if missing:
        raise ValidationError(
            f"a keyword table needs columns category, language, pattern; missing {sorted(missing)}",
            problems=pd.DataFrame(),
        )
    out: dict[str, _Parts] = {}
    for category, grp in keywords.groupby("category", sort=False, observed=True):
        words: list[str] = []
        anywhere: list[str] = []
        for lang, pattern in zip(grp["language"], grp["pattern"], strict=True):
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ValidationError(
                    f"keyword pattern {pattern!r} ({category}, {lang}) is not a valid regular "
                    f"expression: {exc}",
                    problems=pd.DataFrame(),
                ) from None
            target = (
                anywhere
                if str(lang).split("_")[0].split("-")[0] in _NO_BOUNDARY_LANGUAGES
                else words
            )
            target.append(f"(?:{_lower_pattern(str(pattern))})")
        out[str(category)] = (tuple(words), tuple(anywhere))
    return out


def _regex(parts: _Parts) -> re.Pattern[str]:
    """One regular expression for a category, matched against lower-cased text.

    The text is lower-cased once instead of using ``re.IGNORECASE`` (which makes Python's
    ``re`` test every branch at every position: about 30 times slower here), and one
    look-behind/look-ahead pair wraps all whole-word patterns.
    """
    words, anywhere = parts
    branches = []
    if words:
        branches.append(rf"(?<!\w)(?:{'|'.join(words)})(?!\w)")
    branches.extend(anywhere)
    return re.compile("|".join(branches) if branches else r"(?!x)x")


@cache
def _builtin_patterns() -> dict[str, re.Pattern[str]]:
    """One reference regular expression per built-in category (lower-cased text)."""
    return {cat: _regex(parts) for cat, parts in _builtin_parts().items()}


@cache
def _builtin_parts() -> dict[str, _Parts]:
    return _compile(keyword_table())


def _sre_modules() -> tuple[Any, Any]:
    """Python's regex parser and constants (``re._parser`` from 3.11, ``sre_parse`` before)."""
    try:
        from re import _constants, _parser  # type: ignore[attr-defined]
    except ImportError:  # Python 3.10
        import sre_constants as _constants
        import sre_parse as _parser
    return _constants, _parser


def _required_literals(pattern: str) -> frozenset[str] | None:
    r"""Literal strings of which every match of ``pattern`` contains at least one, or None.

    Read from the parsed pattern: consecutive literal characters in its top-level sequence
    (groups without flags count as part of the sequence) must all appear, in a row, in every
    match; a top-level alternation needs one of its branches, and a run followed by an
    alternation needs the run and one branch's first letters. Anything else (classes,
    repeats, look-arounds, flags) just ends a run, so the result can only be too weak,
    never wrong. Used as a cheap prefilter before the real regular expression.

    Examples
    --------
    >>> sorted(_required_literals("(?:land)?mines? (?:action|clearance)"))
    [' action', ' clearance']
    >>> sorted(_required_literals("aseet|aseiden"))  # parsed as ase(?:et|iden)
    ['aseet', 'aseiden']
    >>> sorted(_required_literals("power|energy"))
    ['energy', 'power']
    >>> _required_literals(r"\w+") is None
    True
    """
    try:
        sre_c, sre_p = _sre_modules()
        parsed = sre_p.parse(f"(?:{pattern})")
    except Exception:  # no prefilter, the real regex decides (and reports)
        return None
    return _LiteralReader(sre_c).required(parsed)


class _LiteralReader:
    """Reads the required literals of parsed ``sre`` items (:func:`_required_literals`)."""

    def __init__(self, c: Any) -> None:
        self.c = c

    def flat(self, items: object) -> list[tuple[object, object]]:
        """The items with groups without flags opened into the sequence."""
        out: list[tuple[object, object]] = []
        for op, av in items:  # type: ignore[attr-defined]
            if op is self.c.SUBPATTERN and not av[1] and not av[2]:
                out.extend(self.flat(av[3]))
            else:
                out.append((op, av))
        return out

    def lead(self, items: object) -> str:
        """The literal characters every match of ``items`` starts with."""
        chars: list[str] = []
        for op, av in self.flat(items):
            if op is not self.c.LITERAL:
                break
            chars.append(chr(av))  # type: ignore[arg-type]
        return "".join(chars)

    def required(self, items: object) -> frozenset[str] | None:
        candidates: list[frozenset[str]] = []
        run: list[str] = []
        for op, av in [*self.flat(items), (None, None)]:
            if op is self.c.LITERAL:
                run.append(chr(av))  # type: ignore[arg-type]
                continue
            if run:
                candidates.append(frozenset({"".join(run)}))
                if op is self.c.BRANCH:  # the run and each alternative's first letters
                    alts = av[1]  # type: ignore[index]
                    candidates.append(frozenset("".join(run) + self.lead(alt) for alt in alts))
                run = []
            if op is self.c.BRANCH:
                alternatives = [self.required(alt) for alt in av[1]]  # type: ignore[index]
                if alternatives and all(a is not None for a in alternatives):
                    candidates.append(frozenset().union(*alternatives))  # type: ignore[arg-type]
        if not candidates:
            return None
        # the most selective: longest shortest literal, then fewest literals
        return max(candidates, key=lambda c: (min(map(len, c)), -len(c)))


def _re2_literals(literals: frozenset[str]) -> str:
    """An RE2 alternation matching any of ``literals`` exactly (case-sensitive)."""
    return "|".join(
        "".join(ch if ch.isalnum() or not ch.isascii() else f"\\x{{{ord(ch):x}}}" for ch in lit)
        for lit in sorted(literals)
    )


class _Matcher:
    r"""Exact, faster equivalent of ``_regex(parts).search`` over many lower-cased texts.

    Whole-word and anywhere (CJK) patterns are searched separately (one alternation mixing
    a look-behind branch with literal branches is about twice as slow in Python's ``re``).
    Each half has up to two RE2 patterns run by pyarrow over an Arrow array (tens of
    milliseconds for 200,000 texts): a literal prefilter (``_required_literals`` of every
    pattern; a text without any of them cannot match) and a sufficient condition
    (``_sure``; a text it matches certainly matches). Only the texts left undecided go
    through Python's ``re``, which stays the reference (Unicode ``\w``, look-arounds).
    Without pyarrow, or when RE2 refuses a pattern, that step is skipped: same results.
    """

    def __init__(self, parts: _Parts) -> None:
        words, anywhere = parts
        self.halves: tuple[_Half | None, _Half | None] = (
            (
                re.compile(rf"(?<!\w)(?:{'|'.join(words)})(?!\w)"),
                _prefilter(words),
                _sure(words, words=True),
            )
            if words
            else None,
            (re.compile("|".join(anywhere)), _prefilter(anywhere), _sure(anywhere, words=False))
            if anywhere
            else None,
        )


_Half = tuple[re.Pattern[str], str | None, str | None]
"""(regular expression, RE2 literal prefilter, RE2 sufficient condition)."""


def _arrow_contains(arrow: object, pattern: str) -> np.ndarray | None:
    """Where the RE2 ``pattern`` matches in ``arrow`` (None if RE2 refused it)."""
    try:
        import pyarrow.compute as pc

        mask = pc.match_substring_regex(arrow, pattern)
        return np.asarray(mask.to_numpy(zero_copy_only=False), dtype=bool)
    except Exception:  # RE2 refused the pattern: Python's re decides
        return None


_RE2_NOT_WORD: Final = r"[\x{0}-\x{2f}\x{3a}-\x{40}\x{5b}-\x{5e}\x{60}\x{7b}-\x{7f}]"
_WORD_SPANS: Final = ((0x80, 0x24F), (0x300, 0x52F), (0x2000, 0x206F))
"""Latin-1 and Latin Extended-A/B, combining accents, Greek and Cyrillic, general punctuation:
the keywords' languages (CJK patterns match anywhere, without word ends). Kept to these
blocks: every character class in a certificate is copied into each ``\\w*``, and RE2
compiles the certificate anew in each call."""


@cache
def _re2_unicode_words() -> tuple[str, str]:
    r"""RE2 class members for the characters of :data:`_WORD_SPANS` that Python's ``\w``
    matches (``str.isalnum()`` or ``_``) and for those it does not, read from Python's own
    Unicode data: so a certificate using them is exactly as wide as Python's ``re``.

    Examples
    --------
    >>> word, not_word = _re2_unicode_words()
    >>> "\\x{d8}-\\x{f6}" in word, "\\x{d7}" in not_word  # Ø-ö letters, × not
    (True, True)
    """
    word: list[tuple[int, int]] = []
    not_word: list[tuple[int, int]] = []
    for lo, hi in _WORD_SPANS:
        for cp in range(lo, hi + 1):
            target = word if chr(cp).isalnum() else not_word
            if target and target[-1][1] == cp - 1:
                target[-1] = (target[-1][0], cp)
            else:
                target.append((cp, cp))

    def members(spans: list[tuple[int, int]]) -> str:
        return "".join(
            f"\\x{{{a:x}}}" if a == b else f"\\x{{{a:x}}}-\\x{{{b:x}}}" for a, b in spans
        )

    return members(word), members(not_word)
r"""ASCII characters that are not ``\w`` for Python's ``re`` (so certainly a word boundary)."""


def _re2_char(ch: int) -> str:
    return chr(ch) if chr(ch).isascii() and chr(ch).isalnum() else f"\\x{{{ch:x}}}"


def _re2_sure(pattern: str) -> str | None:
    r"""An RE2 pattern whose every match is also a match of Python's ``pattern``, or None.

    Built from the parsed pattern with RE2's ASCII ``\w`` plus the Latin, Greek and Cyrillic
    word characters Python's own Unicode data names (:func:`_re2_unicode_words`), ASCII
    ``\d``, ``\s`` (subsets of Python's Unicode classes) and the same literals, classes,
    repeats and alternations; a whole word ends at an ASCII or listed non-word character. So
    RE2 finding it proves that Python's ``re`` would (a sufficient, not a necessary,
    condition). Patterns with look-arounds, back-references, flags, negated Unicode
    classes or word boundaries give None.

    Examples
    --------
    >>> _re2_sure(r"de-?min\w*")[:32]  # RE2's \w and Python's other word characters
    'de(?:\\x{2d}){0,1}min(?:[\\w\\x{aa}'
    >>> _re2_sure(r"(?<!x)y") is None
    True
    """
    try:
        c, sre_p = _sre_modules()
        parsed = sre_p.parse(f"(?:{pattern})")
    except Exception:  # no certificate, Python's re decides (and reports errors)
        return None
    try:
        return _Re2Writer(c).emit(parsed)
    except (ValueError, TypeError, IndexError):
        return None


class _Re2Writer:
    """Writes parsed ``sre`` items as RE2 text; raises ValueError for what RE2 cannot prove."""

    def __init__(self, c: Any) -> None:
        self.c = c
        self.categories = {
            c.CATEGORY_WORD: r"\w" + _re2_unicode_words()[0],
            c.CATEGORY_DIGIT: r"\d",
            c.CATEGORY_SPACE: r"\s",
        }

    def emit(self, items: object) -> str:
        return "".join(self.item(op, av) for op, av in items)  # type: ignore[attr-defined]

    def item(self, op: Any, av: Any) -> str:
        c = self.c
        simple = self.simple(op, av)
        if simple is not None:
            return simple
        if op is c.IN:
            return self.char_class(av)
        if op in (c.MAX_REPEAT, c.MIN_REPEAT):
            lo, hi, sub = av
            if lo > 1000 or (hi is not c.MAXREPEAT and hi > 1000):
                raise ValueError("repeat")
            top = "" if hi is c.MAXREPEAT else str(hi)
            return f"(?:{self.emit(sub)}){{{lo},{top}}}"
        if op is c.SUBPATTERN and not av[1] and not av[2]:
            return f"(?:{self.emit(av[3])})"
        if op is c.BRANCH:
            return f"(?:{'|'.join(self.emit(alt) for alt in av[1])})"
        raise ValueError(op)

    def simple(self, op: Any, av: Any) -> str | None:
        """Literals, ``.`` and the anchors (RE2's ``$``: end of text only, a subset of
        Python's); None for anything else."""
        c = self.c
        if op is c.LITERAL:
            return _re2_char(av)
        if op is c.NOT_LITERAL:
            return f"[^{_re2_char(av)}]"
        if op is c.ANY:
            return "."
        if op is c.AT and av in (c.AT_BEGINNING, c.AT_END):
            return "^" if av is c.AT_BEGINNING else "$"
        return None

    def char_class(self, av: Any) -> str:
        c = self.c
        negate = bool(av) and av[0][0] is c.NEGATE
        members = []
        for iop, iav in av[1:] if negate else av:
            if iop is c.LITERAL:
                members.append(_re2_char(iav))
            elif iop is c.RANGE:
                members.append(f"{_re2_char(iav[0])}-{_re2_char(iav[1])}")
            elif iop is c.CATEGORY and iav in self.categories and not negate:
                members.append(self.categories[iav])
            else:
                raise ValueError(iop)
        if not members:
            raise ValueError("empty class")
        return f"[{'^' if negate else ''}{''.join(members)}]"


def _sure(patterns: Sequence[str], *, words: bool) -> str | None:
    """RE2 certificate for a half: a match proves Python's ``re`` matches too (or None)."""
    sure = [t for t in map(_re2_sure, patterns) if t is not None]
    if not sure:
        return None
    joined = "|".join(sure)
    if not words:
        return joined
    boundary = f"[{_RE2_NOT_WORD[1:-1]}{_re2_unicode_words()[1]}]"
    return f"(?:^|{boundary})(?:{joined})(?:{boundary}|$)"


def _prefilter(patterns: Sequence[str]) -> str | None:
    """RE2 literal alternation that every match of any of ``patterns`` contains, or None."""
    literals: set[str] = set()
    for pattern in patterns:
        found = _required_literals(pattern)
        if not found or "" in found:
            return None
        literals |= found
    return _re2_literals(frozenset(literals))


@lru_cache(maxsize=64)
def _matcher(parts: _Parts) -> _Matcher:
    return _Matcher(parts)


_ARROW_MIN_ROWS: Final = 1000
"""Below this many distinct texts the prefilter costs more than it saves: pyarrow compiles
the RE2 patterns of the 25-language table anew in each call (about 15 ms in all; Python's
``re`` alone takes about as long for 1,000 texts, measured 2026-12-05)."""


def _to_arrow(lowered: list[str], min_rows: int) -> object | None:
    """The texts as an Arrow array for the RE2 prefilter (None: search everything)."""
    if len(lowered) < min_rows:
        return None
    try:
        import pyarrow as pa

        return pa.array(lowered, type=pa.large_string())
    except Exception:  # e.g. lone surrogates: no prefilter, same results
        return None


def _search_all(
    lowered: list[str], parts: Mapping[str, _Parts], *, arrow_min: int = _ARROW_MIN_ROWS
) -> dict[str, np.ndarray]:
    """Per category, whether each lower-cased text matches (same as ``_regex(parts).search``).

    Whole-word patterns first, then anywhere (CJK) patterns; a text already matched by the
    first half is not searched again. The anywhere halves of all categories share one RE2
    prefilter first (texts in one script rarely contain the other's words), and each
    category's own prefilter then runs only on the texts that passed it.
    """
    arrow = _to_arrow(lowered, arrow_min)
    n = len(lowered)
    hits = {cat: np.zeros(n, dtype=bool) for cat in parts}
    for kind in (0, 1):
        halves = {
            cat: half for cat, p in parts.items() if (half := _matcher(p).halves[kind]) is not None
        }
        rows = np.arange(n)
        sub = arrow
        prefilters = [prefilter for _, prefilter, _ in halves.values()]
        if kind == 1 and arrow is not None and halves and None not in prefilters:
            mask = _arrow_contains(arrow, "|".join(prefilters))  # type: ignore[arg-type]
            if mask is not None:
                rows = np.flatnonzero(mask)
                sub = arrow.take(rows)  # type: ignore[attr-defined]
        for cat, (rx, prefilter, sure) in halves.items():
            if not len(rows):
                break
            todo = ~hits[cat][rows]
            if prefilter is not None and sub is not None:
                maybe = _arrow_contains(sub, prefilter)
                if maybe is not None:
                    todo &= maybe
            if sure is not None and sub is not None:
                proven = _arrow_contains(sub, sure)
                if proven is not None:
                    proven &= todo
                    hits[cat][rows[proven]] = True
                    todo &= ~proven
            candidates = rows[todo]
            search = rx.search
            found = [search(lowered[i]) is not None for i in candidates.tolist()]
            hits[cat][candidates[np.asarray(found, dtype=bool)]] = True
    return hits


def _code_category(codes: pd.Series) -> pd.Series:
    """Category of each purpose code (NaN when the code is missing or unknown)."""
    text = codes.astype("string").str.strip().str.replace(r"\.0$", "", regex=True)
    table = purpose_code_table()
    uniques = text.dropna().unique()
    found = {c: table.get(c, np.nan) for c in uniques}
    # codes not in the list: apply the documented prefix rules
    for code in uniques:
        if isinstance(found[code], str) or not re.fullmatch(r"\d{5}(\d\d)?", code):
            continue
        c5 = code[:5]
        if c5 == "15250":
            found[code] = "demining"
        elif c5[:3] in {"230", "231", "232", "233", "234", "235", "236"}:
            found[code] = "energy"
        elif c5 == "73010":
            found[code] = "reconstruction"
        elif c5[:2] in {"72", "73", "74"}:
            found[code] = "humanitarian"
        elif c5 == "51010":
            found[code] = "budget_support"
    return text.map(found).astype(object)


@renamed_argument("frame")
@dask_aware
def categorise(
    data: pd.DataFrame,
    *,
    text: str | Sequence[str] | None = None,
    purpose_code: str | None = None,
    out: str = CATEGORY,
    overrides: Mapping[object, str] | pd.Series | str | None = None,
    taxonomy: pd.DataFrame | None = None,
    precedence: Sequence[str] | None = None,
    all_out: str = CATEGORIES,
    overwrite: bool = False,
) -> pd.DataFrame:
    """Put every pledge into one category of the taxonomy, and list every category that matched.

    Sources, strongest first: ``overrides``; values already in the ``out`` column (a curated
    or hand-set category, kept as a user override unless ``overwrite=True``: a pledge frame's
    ``"all"`` for headline totals stays ``"all"``); a CRS purpose code mapped to a sector; the
    text; else ``other``.

    Parameters
    ----------
    data
        A pledge frame (not changed).
    text
        Column(s) with free text (any of the 25 languages of :func:`keyword_table`: the
        donors' and the press's); default ``"description"``
        when present. Several columns are searched together.
    purpose_code
        Column with OECD DAC CRS purpose codes; default ``"purpose_code"`` when present.
        A code mapped to a sector decides before any text; a code outside the taxonomy
        (``other``) lets the text decide.
    out
        Column for the category. Non-empty values already there win (source ``existing``)
        unless ``overwrite=True``. A second column ``out + "_source"`` says where each
        category came from: ``override``, ``existing``, ``purpose_code``, ``text`` or
        ``none`` (nothing matched: ``other``).
    overrides
        Categories set by hand, which win over everything: a mapping ``{index label:
        category}``, a Series aligned on the index (missing = no override) or a column name.
        Each must be a known category (the taxonomy, ``taxonomy``/``precedence`` additions,
        or ``"all"`` for headline totals).
    taxonomy
        Extra keywords (columns ``category``, ``language``, ``pattern``) added to the built-in
        ones; new categories rank before ``reconstruction`` unless ``precedence`` says otherwise.
    precedence
        Full order of categories, most specific first.
    all_out
        Column listing every category that matched (code, text, existing value and override),
        ``;``-joined in precedence order.
    overwrite
        Recompute ``out`` for every row, ignoring the values already in it.

    Returns
    -------
    pandas.DataFrame
        A copy of ``frame`` with ``out``, ``out + "_source"`` and ``all_out`` set; same rows,
        order and index.

    Notes
    -----
    Work is done once per distinct combination of text, purpose code, override and existing
    value (descriptions repeat a lot in real tables), then spread back to the rows.

    Examples
    --------
    >>> f = pd.DataFrame({"description": [
    ...     "repair the power grid", "clear mines before rebuilding", "Wiederaufbau in Charkiw",
    ...     "地雷除去の支援", "розмінування територій", "school meals"]})
    >>> categorise(f)[["category", "categories", "category_source"]]
             category                 categories category_source
    0          energy      energy;reconstruction            text
    1        demining    demining;reconstruction            text
    2  reconstruction             reconstruction            text
    3        demining                   demining            text
    4        demining                   demining            text
    5           other                                       none
    >>> codes = pd.DataFrame({"purpose_code": [15250, 23630, 73010, 72010, 51010, 15210]})
    >>> categorise(codes)["category"].tolist()
    ['demining', 'energy', 'reconstruction', 'humanitarian', 'budget_support', 'other']
    >>> hand = pd.DataFrame({"description": ["power grid", "power grid"],
    ...                      "category": ["humanitarian", None]})
    >>> categorise(hand)[["category", "category_source"]].values.tolist()
    [['humanitarian', 'existing'], ['energy', 'text']]
    >>> categorise(hand, overwrite=True)["category"].tolist()
    ['energy', 'energy']
    """
    frame = data  # the argument is data= (as in seaborn); frame= still works
    check_frame(frame, "categorise")
    text_cols, purpose_code = _inputs(frame, text, purpose_code)
    check_out_names(
        "categorise",
        {"out": out, "all_out": all_out,
         **({"out + '_source'": out + _SOURCE_SUFFIX} if isinstance(out, str) else {})},
        reads={**{f"text[{i}]": c for i, c in enumerate(text_cols)}, "purpose_code": purpose_code},
    )  # fmt: skip
    keep_existing = not overwrite and out in frame.columns
    if not text_cols and purpose_code is None and overrides is None and not keep_existing:
        raise ValidationError(
            "categorise needs something to read: pass text='description' (free text), "
            "purpose_code='purpose_code' (CRS codes) or overrides=",
            problems=pd.DataFrame(),
        )
    patterns = _patterns(taxonomy)
    order = _precedence(patterns, precedence)
    over = _known_overrides(_overrides(frame, overrides), order)
    existing = _existing(frame[out]) if keep_existing else None

    # one key per distinct (texts, code, override, existing value); work on those only
    parts = [frame[c] for c in text_cols]
    parts += [frame[purpose_code]] if purpose_code is not None else []
    key, first = _distinct(parts + [over] + ([] if existing is None else [existing]))
    category, source, listed = _categorise_unique(
        frame.iloc[first],
        text_cols=text_cols,
        purpose_code=purpose_code,
        over=over.iloc[first].reset_index(drop=True),
        existing=None if existing is None else existing.iloc[first].reset_index(drop=True),
        patterns=patterns,
        order=order,
        precedence=precedence,
    )
    result = frame.copy()
    # take from small string arrays (building 1M Python strings into arrow costs more)
    result[out] = pd.array(category, dtype="str").take(key)
    result[out + _SOURCE_SUFFIX] = pd.array(source, dtype="str").take(key)
    result[all_out] = pd.array(listed, dtype="str").take(key)
    return result


def _inputs(
    frame: pd.DataFrame, text: str | Sequence[str] | None, purpose_code: str | None
) -> tuple[list[str], str | None]:
    """The text columns and the purpose-code column (defaults: ``description`` and
    ``purpose_code`` when present); each named column must be in the frame."""
    if text is None and DESCRIPTION in frame.columns:
        text = DESCRIPTION
    if purpose_code is None and PURPOSE_CODE in frame.columns:
        purpose_code = PURPOSE_CODE
    text_cols = column_list(text)
    check_columns_exist(
        [c for c in [*text_cols, purpose_code] if c is not None],
        frame,
        "categorise: column(s) {unknown} not in the frame (columns: {columns})",
    )
    return text_cols, purpose_code


def _patterns(taxonomy: pd.DataFrame | None) -> dict[str, _Parts]:
    """The built-in keyword patterns plus the user's ``taxonomy``, per category."""
    patterns = dict(_builtin_parts())
    if taxonomy is not None:
        for cat, (words, anywhere) in _compile(taxonomy).items():
            old_words, old_anywhere = patterns.get(cat, ((), ()))
            patterns[cat] = old_words + words, old_anywhere + anywhere
            _regex(patterns[cat])  # a pattern valid alone may still break the whole (re.error)
    return patterns


def _known_overrides(over: pd.Series, order: Sequence[str]) -> pd.Series:
    """``over``, once every override is a known category."""
    known = {*order, *TAXONOMY, *EXTRA_CATEGORIES}
    unknown = over.notna() & ~over.isin(known)
    if unknown.any():
        raise ValidationError(
            f"overrides name unknown categories {join_values(over[unknown].unique().tolist())} "
            f"in {describe_rows(over.index[unknown])}; use one of {', '.join(sorted(known))}, "
            "or add it with taxonomy=/precedence=",
            problems=pd.DataFrame(),
        )
    return over


def _distinct(parts: Sequence[pd.Series]) -> tuple[np.ndarray, np.ndarray]:
    """One key per row for its distinct combination of ``parts``, and the first row of
    each key (vectorised: factorised codes combined column by column)."""
    n = len(parts[0])
    key = np.zeros(n, dtype=np.int64)
    for part in parts:
        codes, uniques = pd.factorize(part, use_na_sentinel=True)
        key = pd.factorize(key * (len(uniques) + 1) + (codes + 1))[0].astype(np.int64)
    n_keys = int(key.max()) + 1 if n else 0
    first = np.full(n_keys, n, dtype=np.int64)
    np.minimum.at(first, key, np.arange(n, dtype=np.int64))
    return key, first


def _existing(column: pd.Series) -> pd.Series:
    """Values already in the output column that count as user overrides (non-empty)."""
    values = column.astype(object)
    usable = values.map(lambda v: isinstance(v, str) and v.strip() != "", na_action="ignore")
    return values.where(usable.fillna(False).astype(bool), np.nan)


def _categorise_unique(
    sub: pd.DataFrame,
    *,
    text_cols: list[str],
    purpose_code: str | None,
    over: pd.Series,
    existing: pd.Series | None,
    patterns: Mapping[str, _Parts],
    order: list[str],
    precedence: Sequence[str] | None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(category, source, categories) for rows that are all distinct inputs."""
    n = len(sub)
    hits: dict[str, np.ndarray] = {cat: np.zeros(n, dtype=bool) for cat in order}
    text_choice = pd.Series(np.nan, index=range(n), dtype=object)
    if text_cols:
        text_choice = _text_hits(sub, text_cols, patterns, hits, order)
    code_choice = pd.Series(np.nan, index=range(n), dtype=object)
    if purpose_code is not None:
        code_choice = _code_hits(sub[purpose_code], hits)
    for series in [over, *([] if existing is None else [existing])]:
        _add_hits(hits, series)
    new = [c for c in hits if c not in order]
    if new:  # existing values outside the taxonomy ("all", the user's own): listed last
        order = [*order[:-1], *new, order[-1]] if order[-1] == OTHER else [*order, *new]
    category, source = _choose(over, existing, code_choice, text_choice)
    return category, source, _listed(hits, order, n)


def _text_hits(
    sub: pd.DataFrame,
    text_cols: list[str],
    patterns: Mapping[str, _Parts],
    hits: dict[str, np.ndarray],
    order: list[str],
) -> pd.Series:
    """Mark the categories the texts match in ``hits``; the first in precedence per row."""
    # Python's re decides (look-behinds, Unicode \w); RE2 only prefilters literals
    joined = _as_text(sub[text_cols[0]])
    for col in text_cols[1:]:
        joined = joined.str.cat(_as_text(sub[col]), sep=" | ")
    for cat, found in _search_all(_lower_texts(joined.tolist()), patterns).items():
        hits[cat] |= found
    return _first(hits, order)


def _lower_texts(texts: list[str]) -> list[str]:
    """The texts lower-cased as the patterns are (:func:`_lower_pattern`): ``str.lower``,
    then Turkish ı read as i and the dot that a capital İ leaves (``"İ".lower()`` is ``i`` +
    U+0307) dropped, since a capital I lowers to i: "İNSANİ YARDIM" reads as "insani yardım"
    does, "insani yardim".

    Examples
    --------
    >>> _lower_texts(["İNSANİ YARDIM", "insani yardım", "Déminage"])
    ['insani yardim', 'insani yardim', 'déminage']
    """
    lowered = [t.lower() for t in texts]
    return [
        t.translate(_TURKISH_I) if "ı" in t or "\u0307" in t else t for t in lowered
    ]


def _code_hits(codes: pd.Series, hits: dict[str, np.ndarray]) -> pd.Series:
    """Mark the sector of each purpose code in ``hits`` (not ``other``); the sector per row."""
    code_choice = _code_category(codes).reset_index(drop=True)
    _add_hits(hits, code_choice[code_choice != OTHER])
    return code_choice


def _add_hits(hits: dict[str, np.ndarray], series: pd.Series) -> None:
    """Mark each row's category of ``series`` (missing: none) in ``hits``."""
    n = len(next(iter(hits.values()))) if hits else len(series)
    for cat in series.dropna().unique():
        hits.setdefault(cat, np.zeros(n, dtype=bool))
        hits[cat] |= (series.reindex(range(n)) == cat).to_numpy()


def _choose(
    over: pd.Series,
    existing: pd.Series | None,
    code_choice: pd.Series,
    text_choice: pd.Series,
) -> tuple[np.ndarray, np.ndarray]:
    """The category of each row and its source, strongest source first: override, existing
    value, a code mapped to a taxonomy sector, text, else ``other`` (a code outside the
    taxonomy lets the text decide)."""
    n = len(over)
    has_code = (code_choice.notna() & (code_choice != OTHER)).to_numpy()
    code_other = (code_choice == OTHER).to_numpy() & ~has_code
    from_text = text_choice.notna().to_numpy()
    has_over = over.notna().to_numpy()
    has_existing = np.zeros(n, dtype=bool) if existing is None else existing.notna().to_numpy()
    existing_values = (
        np.full(n, None, dtype=object) if existing is None else existing.to_numpy(dtype=object)
    )
    category = np.select(
        [has_over, has_existing, has_code, from_text],
        [
            over.to_numpy(dtype=object),
            existing_values,
            code_choice.to_numpy(dtype=object),
            text_choice.to_numpy(dtype=object),
        ],
        default=OTHER,
    )
    source = np.select(
        [has_over, has_existing, has_code, from_text, code_other],
        ["override", "existing", "purpose_code", "text", "purpose_code"],
        default="none",
    ).astype(object)
    return np.asarray(category, dtype=object), source


def _listed(hits: Mapping[str, np.ndarray], order: Sequence[str], n: int) -> np.ndarray:
    """The ``;``-joined matches of each row in precedence order (built once per distinct
    combination of hits)."""
    listed_cats = [cat for cat in order if cat != OTHER and cat in hits]
    combo = np.zeros(n, dtype=object if len(listed_cats) > 62 else np.int64)
    for bit, cat in enumerate(listed_cats):
        combo = combo + hits[cat].astype(combo.dtype) * (1 << bit)
    combos, inverse = np.unique(combo, return_inverse=True)
    names = np.array(
        [";".join(c for bit, c in enumerate(listed_cats) if (int(v) >> bit) & 1) for v in combos],
        dtype=object,
    )
    return names[inverse.reshape(-1)]


def _as_text(column: pd.Series) -> pd.Series:
    text = column.astype(object)
    return text.where(text.notna(), "").astype(str).astype(object)


def _precedence(patterns: Mapping[str, object], precedence: Sequence[str] | None) -> list[str]:
    if precedence is not None:
        order = list(precedence)
        unknown = [c for c in patterns if c not in order]
        if unknown:
            raise ValidationError(
                f"precedence does not list the categories {unknown}; give the full order",
                problems=pd.DataFrame(),
            )
        return order
    builtin = [c for c in TAXONOMY if c != OTHER]
    new = [c for c in patterns if c not in TAXONOMY]
    general = builtin.index("reconstruction")
    return [*builtin[:general], *new, *builtin[general:], OTHER]


def _first(hits: Mapping[str, np.ndarray], order: Sequence[str]) -> pd.Series:
    """The first matching category in precedence order, NaN where none matched."""
    n = len(next(iter(hits.values()))) if hits else 0
    cats = [c for c in order if c in hits and c != OTHER]
    if not cats:
        return pd.Series(np.full(n, np.nan, dtype=object))
    chosen = np.select(
        [hits[c] for c in cats],
        [np.full(n, c, dtype=object) for c in cats],
        default=np.full(n, None, dtype=object),
    )
    return pd.Series(chosen, dtype=object)


def _overrides(frame: pd.DataFrame, overrides: object) -> pd.Series:
    if overrides is None:
        return pd.Series(np.nan, index=frame.index, dtype=object)
    if isinstance(overrides, str):
        if overrides not in frame.columns:
            raise ValidationError(
                f"overrides column {overrides!r} not in the frame", problems=pd.DataFrame()
            )
        series = frame[overrides]
    elif isinstance(overrides, pd.Series):
        extra = overrides.index.difference(frame.index)
        if len(extra):
            raise ValidationError(
                f"overrides name {describe_rows(extra)} that are not in the frame",
                problems=pd.DataFrame(),
            )
        series = overrides.reindex(frame.index)
    elif isinstance(overrides, Mapping):
        unknown = [k for k in overrides if k not in frame.index]
        if unknown:
            raise ValidationError(
                f"overrides name index labels not in the frame: {join_values(unknown)}",
                problems=pd.DataFrame(),
            )
        series = pd.Series(overrides, dtype=object).reindex(frame.index)
    else:
        raise OptionTypeError(
            "overrides must be a mapping {index label: category}, a Series or a column name",
            option="overrides",
            value=overrides,
            accepted="a mapping {index label: category}, a Series or a column name",
            problems=None,
        )
    series = series.astype(object).where(series.notna(), np.nan)
    bad = series.notna() & ~series.map(lambda v: isinstance(v, str) and v.strip() != "")
    if bad.any():
        raise ValidationError(
            f"overrides must be non-empty category names; got {join_values(series[bad].tolist())} "
            f"in {describe_rows(series.index[bad])}",
            problems=pd.DataFrame(),
        )
    return series
