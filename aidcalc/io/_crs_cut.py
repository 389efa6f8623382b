"""How CRS text is cut into rows: the quoting rule, the same whatever the block size.

CRS bulk files are ``|``-separated text whose values are seldom quoted; a ``"`` in a project
title is usually just text. The rule, from the start of each line:

1. A field that starts with ``"`` is a quoted value when it closes properly: ``""`` inside is
   a quote, and the closing ``"`` is followed by the separator or a line end. Any other ``"``
   is text (a quote inside a field, or a quote that opens no properly closed value).
2. A row has exactly the header's number of fields. A line is a row when, read with its
   quoted values (none spanning a line end), it has that many fields. Else a quoted value may
   span line ends when the record it makes has that many fields **and none of the lines it
   takes in after the first is a row by itself** (has that many fields read as text): a line
   that is a whole row is never merged into another. Else the line is read with its stray
   quotes as text: with its properly quoted values, or, failing that, with every quote as
   text; the row is kept and reported. A line none of these make a row of is an error.

So two stray quotes never join the rows between them: each of those lines is a whole row.
Blank lines are skipped (as the parsers skip them).

:meth:`Cutter.cut` finds, in a block of bytes, where the last decided row ends (a row is only
decided when the bytes after the block cannot change its reading), and rewrites the rows with
stray quotes in standard CSV quoting, so that the parsers (pyarrow's, pandas') read every
block the same way, whatever its size.
"""

from __future__ import annotations

import functools
import re
from typing import Any, NamedTuple

__all__ = ["STRAY", "Cut", "Cutter", "Ragged", "cutter"]

#: The reason given in the rejected-rows report for a row read with its quotes as text.
STRAY = (
    "a '\"' that opens no properly closed quoted value (a stray quote): the row is read with "
    "its quotes as text"
)


class Cut(NamedTuple):
    """What :meth:`Cutter.cut` found in a block."""

    end: int  # end of the last row decided (0: none yet, read more)
    data: Any  # the rows to parse: the block's bytes up to ``end``, or them rewritten
    quoted: bool  # whether ``data`` has quoted values
    stray: list[int]  # byte offsets (in the block) of the rows read with their quotes as text
    spans: list[tuple[int, int]]  # (start, end) in the block of the rows over several lines


class Cutter:
    """The rule above for one separator and number of fields (see :func:`cutter`)."""

    def __init__(self, sep: str, width: int, eol: bytes) -> None:
        s = re.escape(sep.encode())
        not_s = rb"[^" + s + rb"\r\n]"
        nl = rb"(?:\r\n?|\n)"
        close = rb'"(?=[' + s + rb"\r\n])"
        one_line = rb'"(?:[^"\r\n]++|"")*+' + close  # a quoted value on one line
        any_line = rb'"(?:[^"]++|"")*+' + close  # a quoted value, line ends allowed
        plain = rb'(?:[^"' + s + rb"\r\n]" + not_s + rb"*+)?+"  # text not opening with "
        text = not_s + rb"*+"  # text, quotes included

        def record(value: bytes) -> bytes:
            field = rb"(?>" + value + rb")"
            return field + rb"(?:" + s + field + rb"){" + str(width - 1).encode() + rb"}" + nl

        literal = rb"(?:" + text + s + rb"){" + str(width - 1).encode() + rb"}" + text + nl
        self.eol, self.width = eol, width
        self.joiner = b'"' + sep.encode() + b'"'  # between two quoted values
        self.newline = re.compile(nl)
        # a quote at the start of a field (the quote first: searched as a literal, fast)
        self.opening = re.compile(rb'"(?<![^' + s + rb'\r\n]")')
        self.scan = re.compile(rb'"(?:[^"]++|"")*+')  # a quoted value up to its first lone "
        self.whole = re.compile(literal)  # a line that is a row read as text
        # lines that are rows with their quoted values; blank lines
        self.clean = re.compile(rb"(?:" + record(one_line + b"|" + plain) + b"|" + nl + rb")*+")
        self.spanning = re.compile(record(any_line + b"|" + plain))
        self.stray = re.compile(record(one_line + b"|" + text))
        self.values = (re.compile(one_line + b"|" + text), re.compile(text))

    def cut(self, data: bytearray | bytes, final: bool) -> Cut:
        """The rows of ``data`` decided by the rule (``final``: no bytes follow ``data``,
        which then ends with a line end); :class:`Ragged` for a line no reading makes a row."""
        if b'"' not in data or not self.opening.search(data):  # no quoted values: lines
            end = len(data) if final else data.rfind(self.eol) + 1
            return Cut(end, memoryview(data)[:end], False, [], [])
        pieces: list[Any] = []
        stray: list[int] = []
        spans: list[tuple[int, int]] = []
        view = memoryview(data)
        pos = done = 0
        while True:
            pos = self.clean.match(data, pos).end()  # type: ignore[union-attr]
            line = self.newline.search(data, pos)
            if line is None:
                break
            end = self._spanning(data, pos, line.end(), final)
            if end == 0:  # undecided: wait for more bytes
                break
            if end > 0:
                spans.append((pos, end))
                pos = end
                continue
            end, row = self._stray_row(data, pos)
            pieces += [view[done:pos], row]
            stray.append(pos)
            pos = done = end
        if not pieces:
            return Cut(pos, view[:pos], True, [], spans)
        pieces.append(view[done:pos])
        return Cut(pos, b"".join(pieces), True, stray, spans)

    def _spanning(self, data: Any, pos: int, first: int, final: bool) -> int:
        """The end of the record at ``pos`` whose quoted values span lines (rule 2); -1 when
        there is none, 0 while the bytes after ``data`` may still make one."""
        match = self.spanning.match(data, pos)
        if match is not None:
            if self._whole_row(data, first, match.end() - 1):
                return -1  # it would take in a whole row
            return match.end()
        if final or self._whole_row(data, first, len(data)):
            return -1  # more bytes could only make a record taking in every line up to them
        return 0

    def _whole_row(self, data: Any, start: int, end: int) -> bool:
        """Whether a line starting from ``start`` up to ``end`` is a row read as text."""
        if start < end and self.whole.match(data, start):
            return True
        lines = self.newline.finditer(data, start, end)
        return any(self.whole.match(data, line.end()) for line in lines if line.end() < end)

    def _stray_row(self, data: Any, pos: int) -> tuple[int, bytes]:
        """(end, the row in standard quoting) of the line at ``pos`` read with its stray
        quotes as text (rule 2)."""
        for row, value in ((self.stray, self.values[0]), (self.whole, self.values[1])):
            match = row.match(data, pos)
            if match is None:
                continue
            values = []
            at = pos
            for _ in range(self.width):
                field = value.match(data, at)
                raw = bytes(field.group())  # type: ignore[union-attr]
                if value is self.values[0]:  # a literal reading never unquotes
                    raw = self._unquoted(raw)
                values.append(raw.replace(b'"', b'""'))
                at = field.end() + 1  # type: ignore[union-attr]
            # the file's own line end: the rows keep the lines of the text they come from
            return match.end(), b'"' + self.joiner.join(values) + b'"' + self.eol
        raise Ragged(pos)

    def _unquoted(self, raw: bytes) -> bytes:
        """The value of a field: a properly quoted one without its quotes, text as it is."""
        if len(raw) >= 2 and raw.endswith(b'"') and self.scan.fullmatch(raw[:-1]):
            return raw[1:-1].replace(b'""', b'"')
        return raw


class Ragged(Exception):
    """A line that no reading makes a row of the header's width: its offset."""


@functools.cache
def cutter(sep: str, width: int, eol: bytes) -> Cutter:
    """The :class:`Cutter` of a separator, a number of fields and a line end (compiled once)."""
    return Cutter(sep, width, eol)
