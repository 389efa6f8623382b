"""A reference reading of CRS text by the quoting rule of aidcalc.io._crs_cut, character by
character (slow, simple, independent of the regular expressions it checks).

``rule_rows(text, sep, width)`` -> ``(rows, stray)``: each row as its ``width`` field values
(None for an empty one), the indexes of the rows read with stray quotes as text; raises
``ValueError`` for a line that no reading makes a row of.
"""

from __future__ import annotations

ENDS = ("\r", "\n")


def _line_end(text: str, i: int) -> int:
    """The index after the line end at ``i`` (``\\r\\n``, ``\\r`` or ``\\n``)."""
    return i + 2 if text[i : i + 2] == "\r\n" else i + 1


def _quoted(text: str, i: int, sep: str, lines: bool) -> tuple[str, int] | None:
    """(value, index after the closing quote) of a properly quoted value at ``i``."""
    j, value = i + 1, []
    while j < len(text):
        c = text[j]
        if c == '"':
            if text[j + 1 : j + 2] == '"':
                value.append('"')
                j += 2
                continue
            after = text[j + 1 : j + 2]
            return ("".join(value), j + 1) if after == sep or after in ENDS else None
        if c in ENDS and not lines:
            return None
        value.append(c)
        j += 1
    return None


def _record(text: str, i: int, sep: str, width: int, quoted: str, text_quotes: bool):
    """(fields, end) of a record at ``i``: ``quoted`` "one" (values on one line), "any"
    (spanning lines) or "none"; ``text_quotes``: a field may start with a quote as text."""
    fields = []
    while True:
        got = None
        if quoted != "none" and text[i : i + 1] == '"':
            got = _quoted(text, i, sep, quoted == "any")
        if got is None:
            if text[i : i + 1] == '"' and not text_quotes:
                return None
            j = i
            while j < len(text) and text[j] != sep and text[j] not in ENDS:
                j += 1
            got = (text[i:j], j)
        fields.append(got[0])
        i = got[1]
        if i >= len(text):
            return None
        if text[i] == sep:
            i += 1
            continue
        return (fields, _line_end(text, i)) if len(fields) == width else None


def rule_rows(text: str, sep: str, width: int):
    if text and text[-1] not in ENDS:
        text += "\n"
    rows, stray, i = [], [], 0
    while i < len(text):
        if text[i] in ENDS:  # a blank line
            i = _line_end(text, i)
            continue
        got = _record(text, i, sep, width, "one", False)
        if got is None:
            got = _record(text, i, sep, width, "any", False)
            if got is not None and _takes_a_whole_row(text, i, got[1], sep, width):
                got = None
        if got is None:
            got = _record(text, i, sep, width, "one", True) or _record(
                text, i, sep, width, "none", True
            )
            if got is None:
                raise ValueError(f"ragged line at {i}")
            stray.append(len(rows))
        rows.append([v if v != "" else None for v in got[0]])
        i = got[1]
    return rows, stray


def _takes_a_whole_row(text: str, start: int, end: int, sep: str, width: int) -> bool:
    """Whether a record from ``start`` to ``end`` spans a line (after its first) that is a
    row by itself read as text."""
    i = start
    while i < end:
        if text[i] in ENDS:
            i = _line_end(text, i)
            if i < end and _record(text, i, sep, width, "none", True) is not None:
                return True
            continue
        i += 1
    return False
