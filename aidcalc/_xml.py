"""Safe XML reading: no entity expansion, no network, clear errors with file, line and column.

Everything aidcalc reads as XML goes through this module. It uses :mod:`defusedxml` on top of
the standard library's expat parser:

* a document that declares entities (the "billion laughs" bomb, external entities such as
  ``<!ENTITY x SYSTEM "file:///etc/passwd">``) or refers to an external resource is refused as
  soon as the declaration is seen, before anything is expanded or fetched;
* a document that is not well-formed raises :class:`aidcalc.InputFileError` naming the file, the
  line and the column;
* :func:`repair_text` is the ``recover=True`` pre-pass: it escapes raw ``&`` that do not start an
  entity or character reference (the most common defect in real IATI files) and says where.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any
from xml.etree.ElementTree import Element, ParseError

from ._errors import InputFileError

__all__ = [
    "XmlProblem",
    "has_no_doctype",
    "iter_elements",
    "local_name",
    "parse_bytes",
    "repair_text",
]

# comments, CDATA sections and processing instructions, where a raw "&" is allowed
_NO_MARKUP = re.compile(rb"<!--.*?-->|<!\[CDATA\[.*?\]\]>|<\?.*?\?>", re.DOTALL)
# an "&" that does not start a predefined/named entity or a character reference
_RAW_AMP = re.compile(rb"&(?!(?:[A-Za-z_][\w.\-]*|#[0-9]+|#x[0-9A-Fa-f]+);)")


@dataclass(frozen=True)
class XmlProblem:
    """Something the recovering reader changed or skipped, and where."""

    line: int | None
    column: int | None
    reason: str


def local_name(tag: str) -> str:
    """The tag without its ``{namespace}``.

    Examples
    --------
    >>> local_name("{http://example.org/ns}value")
    'value'
    >>> local_name("value")
    'value'
    """
    return tag.rpartition("}")[2]


def _refusal(path: str, exc: Exception, line: int | None, column: int | None) -> InputFileError:
    from defusedxml import DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden

    where = f" (line {line}, column {column})" if line else ""
    if isinstance(exc, EntitiesForbidden):
        reason = (
            f"declares the entity {exc.name!r}; entity declarations are refused because they "
            "can expand without bound (billion laughs) or read local files and URLs "
            "(external entities); IATI files never need them"
        )
    elif isinstance(exc, ExternalReferenceForbidden):
        reason = f"refers to an external resource {exc.sysid!r}; aidcalc never fetches those"
    elif isinstance(exc, DTDForbidden):  # pragma: no cover - DTDs are allowed, entities are not
        reason = "has a document type declaration, which is refused"
    else:  # pragma: no cover - defensive
        reason = str(exc)
    return InputFileError(
        f"{path}: unsafe XML refused{where}: the document {reason}",
        path=path,
        line=line,
        column=column,
        reason="unsafe XML",
    )


def _not_wellformed(path: str, exc: ParseError) -> InputFileError:
    line, column = getattr(exc, "position", (None, None))
    # expat counts columns from 0; editors count from 1
    column = column + 1 if column is not None else None
    detail = str(exc).split(":")[0]
    return InputFileError(
        f"{path}: not well-formed XML at line {line}, column {column}: {detail}; fix the file "
        "or read it with recover=True to skip what cannot be read",
        path=path,
        line=line,
        column=column,
        reason=f"not well-formed XML: {detail}",
    )


def _make_parser() -> Any:
    from defusedxml.ElementTree import DefusedXMLParser

    return DefusedXMLParser(forbid_dtd=False, forbid_entities=True, forbid_external=True)


def iter_elements(
    source: str | Path | bytes, tag: str, *, name: str | None = None
) -> Iterator[tuple[Element, Element | None]]:
    """Yield every element whose local name is ``tag``, streaming, then free it.

    Yields ``(element, root)`` pairs: the root element (attributes only, its finished
    children are cleared) gives access to file-level attributes. Memory stays bounded by the
    size of one element, not of the file.

    Parameters
    ----------
    source
        A path, or the document as bytes.
    tag
        Local name of the elements to yield (namespaces are ignored).
    name
        How to call the source in error messages (defaults to the path).

    Raises
    ------
    InputFileError
        Unsafe document (entities, external references) or not well-formed (with line and
        column).

    Examples
    --------
    >>> doc = b"<a x='1'><b>1</b><b>2</b></a>"
    >>> [(e.text, r.get("x")) for e, r in iter_elements(doc, "b")]
    [('1', '1'), ('2', '1')]
    >>> bomb = b'<!DOCTYPE a [<!ENTITY x "xx">]><a>&x;</a>'
    >>> next(iter_elements(bomb, "a", name="bomb.xml"))
    Traceback (most recent call last):
    ...
    aidcalc.InputFileError: bomb.xml: unsafe XML refused (line 1, column ...
    """
    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import _iterparse  # the pure-Python iterparse defusedxml wraps

    label = name or (str(source) if not isinstance(source, bytes) else "<bytes>")
    stream: IO[bytes] | str
    if isinstance(source, bytes):
        stream = io.BytesIO(source)
    else:
        path = Path(source)
        if not path.is_file():
            raise InputFileError(
                f"{label}: no such file", path=label, reason="missing file", line=None, column=None
            )
        stream = str(path)
    if isinstance(source, bytes):
        head = source[:65536]
    else:
        with open(stream, "rb") as fh:  # type: ignore[arg-type]
            head = fh.read(65536)
    parser = _make_parser()
    if has_no_doctype(head):
        # no document type declaration, hence no entity can be declared or fetched: the
        # C-accelerated parser is as safe here and several times faster
        from xml.etree.ElementTree import iterparse as _iterparse_c

        events = _iterparse_c(stream, events=("start", "end"))
    else:
        events = _iterparse(stream, events=("start", "end"), parser=parser)
    root: Element | None = None
    try:
        for event, elem in events:
            if event == "start":
                if root is None:
                    root = elem
                continue
            if local_name(elem.tag) == tag:
                yield elem, root
                elem.clear()
                if root is not None and len(root) and root[-1] is elem:
                    root.remove(elem)
    except DefusedXmlException as exc:
        p = parser.parser
        raise _refusal(label, exc, p.CurrentLineNumber, p.CurrentColumnNumber + 1) from None
    except ParseError as exc:
        raise _not_wellformed(label, exc) from None


_PROLOG_SKIP = re.compile(rb"<!--.*?-->|<\?.*?\?>", re.DOTALL)


def has_no_doctype(head: bytes) -> bool:
    r"""True when the prolog (before the root element) surely has no DOCTYPE.

    Only comments, processing instructions and white space may come before the root element
    for this to hold; anything else (a DOCTYPE, an unfinished comment, a prolog longer than
    ``head``, a UTF-16 document) answers ``False`` and the defused parser is used.

    Examples
    --------
    >>> has_no_doctype(b"\xef\xbb\xbf<?xml version='1.0'?>\n<!-- c <a> -->\n<root/>")
    True
    >>> has_no_doctype(b"<!-- <a> --><!DOCTYPE r [<!ENTITY x 'y'>]><r/>")
    False
    >>> has_no_doctype(b"\xff\xfe<\x00r\x00/\x00>\x00")
    False
    """
    head = head.removeprefix(b"\xef\xbb\xbf")
    if not head[:1].isascii() or b"\x00" in head[:4]:
        return False  # not ASCII-compatible (UTF-16, UTF-32, EBCDIC): take the careful path
    text = _PROLOG_SKIP.sub(b"", head)
    start = re.search(rb"<(?![!?])", text)
    if start is None:
        return False
    return text[: start.start()].strip() == b""


def parse_bytes(data: bytes, *, name: str = "<bytes>") -> Element:
    """Parse a whole (small) document safely and return its root element.

    Examples
    --------
    >>> parse_bytes(b"<a><b/></a>").tag
    'a'
    >>> parse_bytes(b"<a><b></a>", name="x.xml")
    Traceback (most recent call last):
    ...
    aidcalc.InputFileError: x.xml: not well-formed XML at line 1, column 9: ...
    """
    from defusedxml import DefusedXmlException

    parser = _make_parser()
    try:
        parser.feed(data)
        return parser.close()
    except DefusedXmlException as exc:
        p = parser.parser
        raise _refusal(name, exc, p.CurrentLineNumber, p.CurrentColumnNumber + 1) from None
    except ParseError as exc:
        raise _not_wellformed(name, exc) from None


def _position(data: bytes, offset: int) -> tuple[int, int]:
    line = data.count(b"\n", 0, offset) + 1
    column = offset - (data.rfind(b"\n", 0, offset) + 1) + 1
    return line, column


def repair_text(data: bytes) -> tuple[bytes, list[XmlProblem]]:
    """Escape raw ``&`` characters (not part of an entity or character reference).

    Returns the repaired bytes and one :class:`XmlProblem` per repair, with its position in the
    original text. Nothing else is changed.

    Examples
    --------
    >>> fixed, problems = repair_text(b"<a>R&D &amp; more</a>")
    >>> fixed
    b'<a>R&amp;D &amp; more</a>'
    >>> problems[0].line, problems[0].column
    (1, 5)
    >>> repair_text(b"<!-- R&D --><a/>")
    (b'<!-- R&D --><a/>', [])
    """
    skip = [(m.start(), m.end()) for m in _NO_MARKUP.finditer(data)]
    problems = []
    for match in _RAW_AMP.finditer(data):
        if any(a <= match.start() < b for a, b in skip):
            continue
        line, column = _position(data, match.start())
        snippet = data[max(0, match.start() - 12) : match.start() + 12].decode("utf-8", "replace")
        problems.append(
            XmlProblem(line, column, f"raw '&' escaped as '&amp;' (near {snippet.strip()!r})")
        )
    if not problems:
        return data, problems

    def fix(match: re.Match[bytes]) -> bytes:
        inside = any(a <= match.start() < b for a, b in skip)
        return match.group(0) if inside else b"&amp;"

    return _RAW_AMP.sub(fix, data), problems


def split_blocks(data: bytes, tag: str) -> Iterator[tuple[int, bytes]]:
    """Yield ``(offset, bytes)`` of every ``<tag ...>...</tag>`` block (textual, no parsing).

    Used by the recovering reader to isolate a broken block from its neighbours.

    Examples
    --------
    >>> [b for _, b in split_blocks(b"<r><x a='1'>1</x><x>2</x></r>", "x")]
    [b"<x a='1'>1</x>", b'<x>2</x>']
    """
    pattern = re.compile(rb"<" + tag.encode() + rb"[\s>].*?</" + tag.encode() + rb"\s*>", re.DOTALL)
    for match in pattern.finditer(data):
        yield match.start(), match.group(0)


def line_of(data: bytes, offset: int) -> int:
    """Line number (1-based) of a byte offset.

    Examples
    --------
    >>> line_of(b"a\\nb\\nc", 4)
    3
    """
    return _position(data, offset)[0]
