"""Safe XML reading: no entity expansion, no network, bounded memory, clear errors.

Everything aidcalc reads as XML goes through this module. It uses :mod:`defusedxml` on top of
the standard library's expat parser:

* a document that declares entities (the "billion laughs" bomb, external entities such as
  ``<!ENTITY x SYSTEM "file:///etc/passwd">``) or refers to an external resource is refused as
  soon as the declaration is seen, before anything is expanded or fetched;
* a document that is not well-formed raises :class:`aidcalc.InputFileError` naming the file, the
  line and the column;
* :class:`XmlSource` guards the bytes before the parser sees them: a file that does not start
  like XML (``/dev/zero``, a spreadsheet, JSON) is refused from its first bytes, the declared
  encoding is checked (an unknown one is a clear error; encodings expat cannot decode, such as
  Shift_JIS or UTF-32, are transcoded to UTF-8 on the fly), and a run of more than
  :data:`MAX_TOKEN_BYTES` without markup (a giant attribute or text node, an endless stream) is
  refused. Long tokens are handed to expat whole, so time stays linear in their length;
* :class:`BlockReader` is the ``recover=True`` reader: it streams the document and cuts it into
  ``<tag>...</tag>`` blocks textually (memory bounded by one block), so that one broken block
  costs only itself; every block it could not isolate (truncated file, missing end tag, stray
  text) is reported with its line;
* :func:`repair_text` escapes raw ``&`` that do not start an entity or character reference
  (the most common defect in real IATI files) and says where.
"""

from __future__ import annotations

import bisect
import codecs
import io
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import IO, Any
from xml.etree.ElementTree import Element, ParseError

from .._base._errors import InputFileError

__all__ = [
    "MAX_BLOCK_BYTES",
    "MAX_TOKEN_BYTES",
    "Block",
    "BlockReader",
    "XmlProblem",
    "XmlSource",
    "has_no_doctype",
    "iter_elements",
    "local_name",
    "parse_bytes",
    "repair_text",
]

#: longest run of bytes without ``<`` (one attribute value, text node or comment) accepted
MAX_TOKEN_BYTES = 32 * 2**20
#: largest single block (one activity) the recovering reader holds in memory
MAX_BLOCK_BYTES = 256 * 2**20
_CHUNK = 2**16  # bytes read from the file at a time (larger pieces make expat slower)
_HEAD = 65536  # bytes sniffed before parsing
_PROLOG_MAX = 2**20  # longest prolog (declaration, comments, DOCTYPE) before the root
_READ_AHEAD = 2**18  # an unfinished token longer than this is read ahead and fed whole
_MB = 2**20

# comments, CDATA sections and processing instructions, where a raw "&" is allowed
_NO_MARKUP = re.compile(rb"<!--.*?-->|<!\[CDATA\[.*?\]\]>|<\?.*?\?>", re.DOTALL)
# an "&" that does not start a predefined/named entity or a character reference
_RAW_AMP = re.compile(rb"&(?!(?:[A-Za-z_][\w.\-]*|#[0-9]+|#x[0-9A-Fa-f]+);)")
_DECLARATION = re.compile(rb"""^<\?xml[^>]*?\bencoding\s*=\s*(["'])([^"']*)\1""")
# encodings expat decodes itself: bytes are passed through unchanged
_EXPAT_NATIVE = {"utf-8": "UTF-8", "ascii": "US-ASCII", "iso8859-1": "ISO-8859-1"}


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


def _not_wellformed(path: str, exc: ParseError, line_offset: int = 0) -> InputFileError:
    line, column = getattr(exc, "position", (None, None))
    if line is not None:
        line += line_offset
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


# --- the guarded byte stream ------------------------------------------------------------------
def _read_up_to(stream: IO[bytes], size: int) -> bytes:
    """Read ``size`` bytes, or fewer at the end (pipes may answer in pieces)."""
    parts: list[bytes] = []
    got = 0
    while got < size:
        piece = stream.read(size - got)
        if not piece:
            break
        parts.append(piece)
        got += len(piece)
    return b"".join(parts)


def _sniff_family(head: bytes) -> tuple[str | None, int]:
    """The UTF-16/32 codec (or UTF-8 with BOM) the first bytes show, and the BOM length."""
    boms = (
        (codecs.BOM_UTF32_LE, "utf-32-le"),
        (codecs.BOM_UTF32_BE, "utf-32-be"),
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
    )
    for bom, codec in boms:
        if head.startswith(bom):
            return codec, len(bom)
    patterns = (
        (b"<\x00\x00\x00", "utf-32-le"),
        (b"\x00\x00\x00<", "utf-32-be"),
        (b"<\x00", "utf-16-le"),
        (b"\x00<", "utf-16-be"),
    )
    for start, codec in patterns:
        if head.startswith(start):
            return codec, 0
    return None, 0


class XmlSource:
    r"""One XML document as a guarded, file-like byte stream (``read`` only).

    Opening it sniffs the first bytes: an empty file, or one whose first character (after a
    byte order mark and white space) is not ``<``, is refused as "not XML"; the declared
    encoding must be one Python knows (else "unknown encoding"). Encodings expat cannot decode
    itself are transcoded to UTF-8 and the declaration rewritten. Reading refuses a run of more
    than ``max_token`` bytes without ``<``, and reads a long unfinished token ahead so the parser
    gets it in one piece (expat re-scans an unfinished token at every feed: fed in small
    pieces, a 50 MB attribute takes quadratic time).

    Parameters
    ----------
    source
        A path (regular file, device or pipe), or the document as bytes.
    name
        How to call the source in error messages (defaults to the path).
    max_token
        Longest run of bytes without markup accepted.

    Examples
    --------
    >>> src = XmlSource(b"<?xml version='1.0' encoding='shift_jis'?><a>\x93\xfa</a>")
    >>> src.read()
    b"<?xml version='1.0' encoding='UTF-8'?><a>\xe6\x97\xa5</a>"
    >>> XmlSource(b"\x00" * 100, name="zero")
    Traceback (most recent call last):
    ...
    aidcalc.InputFileError: zero: not XML: the file starts with b'\x00\x00\x00...
    >>> XmlSource(b"<?xml version='1.0' encoding='x-nope'?><a/>", name="a.xml")
    Traceback (most recent call last):
    ...
    aidcalc.InputFileError: a.xml: unknown encoding 'x-nope' declared ...
    """

    def __init__(
        self,
        source: str | Path | bytes,
        *,
        name: str | None = None,
        max_token: int = MAX_TOKEN_BYTES,
    ) -> None:
        self.label = name or (str(source) if not isinstance(source, bytes) else "<bytes>")
        self.max_token = max_token
        self.line = 1  # line number at the end of what was handed out so far
        self._run = 0  # bytes since the last "<"
        self._eof = False
        self._decoder: Any = None
        self._raw: IO[bytes]
        if isinstance(source, bytes):
            self._raw = io.BytesIO(source)
        else:
            path = Path(source)
            if not path.exists():
                raise InputFileError(
                    f"{self.label}: no such file", path=self.label, reason="missing file"
                )
            if path.is_dir():
                raise InputFileError(
                    f"{self.label}: is a folder, expected a file",
                    path=self.label,
                    reason="is a folder",
                )
            self._raw = open(path, "rb")  # noqa: SIM115 - closed by close()
        try:
            self._pending = self._open()
        except BaseException:
            self.close()
            raise
        self.head = self._pending[:_HEAD]

    # -- sniffing ---------------------------------------------------------------------------
    def _fail(self, message: str, reason: str) -> InputFileError:
        return InputFileError(
            f"{self.label}: {message}", path=self.label, line=None, column=None, reason=reason
        )

    def _open(self) -> bytes:
        raw = _read_up_to(self._raw, _HEAD)
        if not raw:
            raise self._fail("the file is empty, not XML", "not XML")
        family, bom = _sniff_family(raw)
        if family is not None and family != "utf-8":
            codec = family
        else:
            declared = _DECLARATION.match(raw[bom:].lstrip())
            name = declared.group(2).decode("ascii", "replace").strip() if declared else "utf-8"
            try:
                info = codecs.lookup(name)
                if not info._is_text_encoding:
                    raise LookupError(name)
            except LookupError:
                raise self._fail(
                    f"unknown encoding {name!r} declared in the XML declaration; save the file "
                    "as UTF-8 (or declare an encoding Python knows)",
                    "unknown encoding",
                ) from None
            if info.name.startswith(("utf-16", "utf-32")):
                raise self._fail(
                    f"declares encoding {name!r} but its bytes are not {name}: save the file "
                    "as UTF-8 or fix the declaration",
                    "unknown encoding",
                )
            codec = info.name
        self.encoding = codec
        if codec in _EXPAT_NATIVE:
            self.output_encoding = _EXPAT_NATIVE[codec]
            out = raw
        else:  # transcode to UTF-8 as we go
            self.output_encoding = "UTF-8"
            self._decoder = codecs.getincrementaldecoder(codec)("strict")
            out = self._transcode(raw, final=len(raw) < _HEAD).removeprefix(codecs.BOM_UTF8)
            match = _DECLARATION.match(out.lstrip())
            if match:
                at = out.index(match.group(0)) + match.start(2)
                out = out[:at] + b"UTF-8" + out[at + len(match.group(2)) :]
        start = out.removeprefix(codecs.BOM_UTF8).lstrip(b" \t\r\n")
        if not start.startswith(b"<"):
            shown = start[:24] + (b"..." if len(start) > 24 else b"")
            raise self._fail(
                f"not XML: the file starts with {shown!r}, not with '<' (IATI files are XML "
                "documents)",
                "not XML",
            )
        return out

    def _transcode(self, raw: bytes, *, final: bool) -> bytes:
        try:
            text: str = self._decoder.decode(raw, final)
        except UnicodeDecodeError as exc:
            raise self._fail(
                f"not valid {self.encoding} near line {self.line} ({exc.reason}); save the "
                "file in the encoding it declares",
                "bad encoding",
            ) from None
        return text.encode("utf-8")

    # -- reading ----------------------------------------------------------------------------
    def _next(self) -> bytes:
        if self._pending:
            out, self._pending = self._pending, b""
            return out
        if self._eof:
            return b""
        raw = _read_up_to(self._raw, _CHUNK)
        if len(raw) < _CHUNK:
            self._eof = True
        if self._decoder is not None:
            return self._transcode(raw, final=self._eof)
        return raw

    def _scan(self, chunk: bytes) -> None:
        first = chunk.find(b"<")
        if first < 0:
            self._run += len(chunk)
        else:
            self._run += first
            if self._run <= self.max_token:
                self._run = len(chunk) - chunk.rfind(b"<") - 1
        if self._run > self.max_token:
            raise InputFileError(
                f"{self.label}: more than {self.max_token // _MB} MB without markup near line "
                f"{self.line} (one attribute value, text or comment, or an endless stream): "
                "refused to bound time and memory; IATI values are never that long",
                path=self.label,
                line=self.line,
                column=None,
                reason="too long",
            )
        self.line += chunk.count(b"\n")

    def read(self, size: int = -1) -> bytes:
        """The next piece of the document (possibly longer than ``size``); ``b""`` at the end."""
        out = self._next()
        if not out:
            return b""
        self._scan(out)
        parts = [out]
        while self._run > _READ_AHEAD:  # an unfinished long token: give it to expat whole
            more = self._next()
            if not more:
                break
            self._scan(more)
            parts.append(more)
        return b"".join(parts) if len(parts) > 1 else out

    def close(self) -> None:
        """Close the underlying file."""
        self._raw.close()

    def __enter__(self) -> XmlSource:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def _check_root(label: str, root_tag: str, roots: tuple[str, ...] | None) -> None:
    name = local_name(root_tag)
    if roots is None or name in roots:
        return
    namespace = root_tag[1:].partition("}")[0] if root_tag.startswith("{") else ""
    ns = f" (namespace {namespace})" if namespace else ""
    expected = " or ".join(f"<{r}>" for r in roots)
    raise InputFileError(
        f"{label}: XML, but not the expected kind: the root element is <{name}>{ns}, not "
        f"{expected}",
        path=label,
        line=None,
        column=None,
        reason=f"root element <{name}>",
    )


def iter_elements(
    source: str | Path | bytes,
    tag: str,
    *,
    name: str | None = None,
    roots: tuple[str, ...] | None = None,
    on_root: Callable[[Element], None] | None = None,
) -> Iterator[tuple[Element, Element | None]]:
    """Yield every element whose local name is ``tag``, streaming, then free it.

    Yields ``(element, root)`` pairs: the root element (attributes only, its finished
    children are removed) gives access to file-level attributes. Memory stays bounded by the
    size of one element, not of the file; the bytes go through :class:`XmlSource`.

    Parameters
    ----------
    source
        A path, or the document as bytes.
    tag
        Local name of the elements to yield (namespaces are ignored).
    name
        How to call the source in error messages (defaults to the path).
    roots
        Local names the root element may have; another root is an error naming it.
    on_root
        Called with the root element as soon as it starts.

    Raises
    ------
    InputFileError
        Not XML, unknown encoding, unsafe document (entities, external references), not
        well-formed (with line and column), an unexpected root element, or a token longer
        than :data:`MAX_TOKEN_BYTES`.

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
    >>> next(iter_elements(b"<svg/>", "b", name="x.svg", roots=("a",)))
    Traceback (most recent call last):
    ...
    aidcalc.InputFileError: x.svg: XML, but not the expected kind: the root element is <svg>...
    """
    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import _iterparse  # the pure-Python iterparse defusedxml wraps

    with XmlSource(source, name=name) as stream:
        label = stream.label
        parser = _make_parser()
        if has_no_doctype(stream.head):
            # no document type declaration, hence no entity can be declared or fetched: the
            # C-accelerated parser is as safe here and several times faster
            from xml.etree.ElementTree import iterparse as _iterparse_c

            events = _iterparse_c(stream, events=("start", "end"))
        else:
            events = _iterparse(stream, events=("start", "end"), parser=parser)
        root: Element | None = None
        depth = 0
        free_children = True
        try:
            for event, elem in events:
                if event == "start":
                    depth += 1
                    if root is None:
                        root = elem
                        _check_root(label, elem.tag, roots)
                        free_children = local_name(elem.tag) != tag
                        if on_root is not None:
                            on_root(elem)
                    continue
                depth -= 1
                if local_name(elem.tag) == tag:
                    yield elem, root
                    elem.clear()
                if depth == 1 and free_children and root is not None and root[-1:] == [elem]:
                    del root[-1]  # every finished child of the root is freed
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


def parse_bytes(
    data: bytes, *, name: str = "<bytes>", line_offset: int = 0, trusted_prolog: bool = False
) -> Element:
    """Parse a whole (small) document safely and return its root element.

    ``line_offset`` is added to the line numbers of errors (for a piece of a larger file).
    ``trusted_prolog=True`` says the caller wrote the prolog itself (no DOCTYPE): no entity can
    be declared, so the C parser is as safe and faster.

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

    if trusted_prolog:
        from xml.etree.ElementTree import XMLParser

        fast = XMLParser()
        try:
            fast.feed(data)
            return fast.close()
        except ParseError as exc:
            raise _not_wellformed(name, exc, line_offset) from None
    parser = _make_parser()
    try:
        parser.feed(data)
        return parser.close()
    except DefusedXmlException as exc:
        p = parser.parser
        raise _refusal(
            name, exc, p.CurrentLineNumber + line_offset, p.CurrentColumnNumber + 1
        ) from None
    except ParseError as exc:
        raise _not_wellformed(name, exc, line_offset) from None


def repair_text(data: bytes, *, first_line: int = 1) -> tuple[bytes, list[XmlProblem]]:
    """Escape raw ``&`` characters (not part of an entity or character reference).

    Returns the repaired bytes and one :class:`XmlProblem` per repair, with its position in the
    original text (lines counted from ``first_line``). Nothing else is changed. Time is linear
    in the length of ``data``.

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
    if b"&" not in data:
        return data, []
    spans = [(m.start(), m.end()) for m in _NO_MARKUP.finditer(data)]
    starts = [a for a, _ in spans]

    def inside(offset: int) -> bool:
        i = bisect.bisect_right(starts, offset) - 1
        return i >= 0 and offset < spans[i][1]

    problems: list[XmlProblem] = []
    pieces: list[bytes] = []
    last = 0
    line, counted = first_line, 0
    for match in _RAW_AMP.finditer(data):
        at = match.start()
        if inside(at):
            continue
        line += data.count(b"\n", counted, at)
        counted = at
        column = at - (data.rfind(b"\n", 0, at) + 1) + 1
        snippet = data[max(0, at - 12) : at + 12].decode("utf-8", "replace")
        problems.append(
            XmlProblem(line, column, f"raw '&' escaped as '&amp;' (near {snippet.strip()!r})")
        )
        pieces.append(data[last:at])
        pieces.append(b"&amp;")
        last = at + 1
    if not problems:
        return data, problems
    pieces.append(data[last:])
    return b"".join(pieces), problems


# --- the recovering block reader ---------------------------------------------------------------
_PROLOG_ITEM = re.compile(
    rb"\s+|<\?.*?\?>|<!--.*?-->|<!DOCTYPE(?:[^\[>]|\[.*?\])*>", re.DOTALL | re.IGNORECASE
)
_OPEN_TAG = re.compile(
    rb"""<([A-Za-z_][\w.\-]*(?::[A-Za-z_][\w.\-]*)?)"""
    rb"""((?:\s+[^\s=/>]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*(/?)>"""
)
_JUNK_SKIP = re.compile(rb"<!--.*?-->|<\?.*?\?>|\s+", re.DOTALL)


@dataclass(frozen=True)
class Block:
    """One ``<tag>...</tag>`` block (``data``) or a part of the file that is not one (``problem``).

    ``line`` is the line where it starts; ``kind`` says what a problem is: a block lost
    (``"truncated"``: the file ends inside it, ``"unterminated"``: no end tag before the next
    block, ``"broken-start"``: an end tag whose start tag is unreadable), text outside any block
    (``"stray"``), a lone end tag (``"stray-end"``, nothing lost) or a file that ends before the
    root's end tag (``"unfinished"``)."""

    line: int
    data: bytes | None = None
    problem: str | None = None
    kind: str | None = None


class BlockReader:
    """Stream a document as ``<tag>...</tag>`` blocks, for reading past broken parts.

    The prolog and the root's start tag are parsed with the defused parser first (so an
    entity declaration is refused exactly as by :func:`iter_elements`); then the rest is cut
    into blocks textually, holding at most one block (plus one read) in memory. Each block is
    yielded with its line; :meth:`wrap` makes a small document of it (XML declaration, the
    root's start tag, the block, the root's end tag) for :func:`parse_bytes`. Whatever is not a
    complete block is yielded as a :class:`Block` with a ``problem``: a block without its end
    tag (the file ends inside it, or the next block starts first), text outside any block
    (e.g. an end tag whose start tag is broken), a document that ends before the root's end
    tag. Time is linear in the size of the file.

    Examples
    --------
    >>> doc = b"<r a='1'>\\n<x>1</x>\\n<x>2<x>3</x>\\n<x>4"
    >>> reader = BlockReader(doc, "x", name="d.xml")
    >>> [(b.line, b.data, b.problem) for b in reader]  # doctest: +NORMALIZE_WHITESPACE
    [(2, b'<x>1</x>', None),
     (3, None, 'no </x> before the next <x> (line 3): this block is skipped'),
     (3, b'<x>3</x>', None),
     (4, None, 'the file ends inside this <x>: it is truncated; this block is skipped')]
    >>> reader.root_name, reader.wrap(b"<x/>")
    ('r', b'<?xml version="1.0" encoding="UTF-8"?><r a=\\'1\\'><x/></r>')
    """

    def __init__(
        self,
        source: str | Path | bytes,
        tag: str,
        *,
        name: str | None = None,
        roots: tuple[str, ...] | None = None,
        max_block: int = MAX_BLOCK_BYTES,
    ) -> None:
        self.tag = tag
        self.max_block = max_block
        self._stream = XmlSource(source, name=name)
        self.label = self._stream.label
        try:
            self._start(roots)
        except BaseException:
            self._stream.close()
            raise

    def _start(self, roots: tuple[str, ...] | None) -> None:
        buf = bytearray()
        eof = False
        pos = 0
        while True:  # the prolog, then the root's start tag
            if pos == 0 and buf.startswith(codecs.BOM_UTF8):
                pos = len(codecs.BOM_UTF8)
            match = _PROLOG_ITEM.match(buf, pos)
            if match is not None and match.end() < len(buf):
                pos = match.end()
                continue
            opening = _OPEN_TAG.match(buf, pos)
            if opening is not None:
                break
            if eof or len(buf) > _PROLOG_MAX:
                raise InputFileError(
                    f"{self.label}: no readable root element at the start of the document "
                    "(before it only an XML declaration, comments and a DOCTYPE may come)",
                    path=self.label,
                    line=buf.count(b"\n", 0, pos) + 1,
                    column=None,
                    reason="not XML",
                )
            more = self._stream.read()
            eof = not more
            buf += more
        qname = opening.group(1)
        self.root_name = qname.decode("utf-8", "replace").rpartition(":")[2]
        _check_root(self.label, self.root_name, roots)
        prolog = bytes(buf[: opening.start()])
        head = bytes(opening.group(0))
        self_closing = opening.group(3) == b"/"
        close = b"" if self_closing else b"</" + qname + b">"
        # entity declarations, external references, a broken prolog: refused as in strict mode
        parse_bytes(prolog + head + close, name=self.label)
        self._declaration = f'<?xml version="1.0" encoding="{self._stream.output_encoding}"?>'
        if self.root_name == self.tag:
            self._head, self._close, start = b"", b"", opening.start()
        else:
            self._head, self._close, start = head, close, opening.end()
        self._root_qname = qname
        self._self_closing = self_closing
        self._buf = buf
        self._pos = start
        self._line = buf.count(b"\n", 0, start) + 1
        self._eof = eof
        name_re = rb"(?:[A-Za-z_][\w.\-]*:)?" + re.escape(self.tag.encode())
        self._start_re = re.compile(rb"<" + name_re + rb"(?=[\s/>])")
        self._end_re = re.compile(rb"</" + name_re + rb"\s*>")
        self._root_end_re = re.compile(rb"</" + re.escape(qname) + rb"\s*>")
        self._overlap = len(self.tag) + 64

    @property
    def prefix_lines(self) -> int:
        """Line breaks :meth:`wrap` puts before the block (in the root's start tag)."""
        return self._head.count(b"\n")

    def close(self) -> None:
        """Close the file (done by iterating to the end)."""
        self._stream.close()

    def wrap(self, block: bytes) -> bytes:
        """A small document holding one block under (a copy of) the root element."""
        return self._declaration.encode() + self._head + block + self._close

    # -- scanning ---------------------------------------------------------------------------
    def _more(self) -> bool:
        """Drop what was consumed, read the next piece; False at the end of the file."""
        if self._eof:
            return False
        if self._pos:
            del self._buf[: self._pos]
            self._pos = 0
        more = self._stream.read()
        if not more:
            self._eof = True
            return False
        self._buf += more
        return True

    def _advance(self, to: int) -> None:
        self._line += self._buf.count(b"\n", self._pos, to)
        self._pos = to

    def _junk(self, end: int) -> Iterator[Block]:
        """Report what lies between blocks (besides comments, white space, the root's end)."""
        region = bytes(self._buf[self._pos : end])
        if self._root_end_re.search(region):
            self._root_closed = True
            region = self._root_end_re.sub(b"", region)
        rest = _JUNK_SKIP.sub(b"", region)
        if rest and self._eof and not self._root_closed and end == len(self._buf):
            self._tail = rest[:40].decode("utf-8", "replace")  # said with the truncation
        elif rest:
            line = self._line + self._buf.count(
                b"\n", self._pos, self._pos + max(region.find(rest[:1]), 0)
            )
            if self._end_re.fullmatch(rest):
                yield Block(
                    line,
                    problem=f"a stray end tag </{self.tag}> (without a start tag) ignored",
                    kind="stray-end",
                )
            elif self._end_re.search(rest):
                yield Block(
                    line,
                    problem=f"an end tag </{self.tag}> without its start tag (a broken "
                    f"<{self.tag} ...> tag?): this block is skipped",
                    kind="broken-start",
                )
            else:
                shown = rest[:60].decode("utf-8", "replace")
                yield Block(
                    line,
                    problem=f"text outside any <{self.tag}> skipped: {shown!r}",
                    kind="stray",
                )
        self._advance(end)

    def __iter__(self) -> Iterator[Block]:
        try:
            yield from self._blocks()
        finally:
            self._stream.close()

    def _blocks(self) -> Iterator[Block]:
        self._root_closed = self._self_closing or self.root_name == self.tag
        self._tail = ""
        if self._self_closing:
            return
        search = self._pos
        while True:
            found = self._start_re.search(self._buf, search)
            if found is None:
                if self._eof:
                    yield from self._junk(len(self._buf))
                    break
                keep = max(self._pos, len(self._buf) - self._overlap)
                if keep - self._pos > self.max_block:  # a long stretch of stray text
                    yield from self._junk(keep)
                resume = keep - self._pos
                self._more()
                search = self._pos + resume
                continue
            yield from self._junk(found.start())
            yield from self._block()
            search = self._pos
        if not self._root_closed:
            tail = f" (it ends with {self._tail!r})" if self._tail else ""
            yield Block(
                self._line,
                problem=f"the file ends before </{self._root_qname.decode()}>{tail}: it is "
                f"truncated; anything after line {self._line} is missing",
                kind="unfinished",
            )

    def _block(self) -> Iterator[Block]:
        """The block starting at ``self._pos`` (a start tag is there)."""
        opening = _OPEN_TAG.match(self._buf, self._pos)
        if opening is not None and opening.group(3) == b"/":
            yield Block(self._line, data=bytes(opening.group(0)))
            self._advance(opening.end())
            return
        end_from = next_from = self._pos + 1
        while True:
            end = self._end_re.search(self._buf, end_from)
            nxt = self._start_re.search(self._buf, next_from)
            if nxt is not None and (end is None or nxt.start() < end.start()):
                line = self._line + self._buf.count(b"\n", self._pos, nxt.start())
                yield Block(
                    self._line,
                    problem=f"no </{self.tag}> before the next <{self.tag}> (line {line}): "
                    "this block is skipped",
                    kind="unterminated",
                )
                self._advance(nxt.start())
                return
            if end is not None:
                yield Block(self._line, data=bytes(self._buf[self._pos : end.end()]))
                self._advance(end.end())
                return
            if len(self._buf) - self._pos > self.max_block:
                raise InputFileError(
                    f"{self.label}: the <{self.tag}> starting at line {self._line} is larger "
                    f"than {self.max_block // _MB} MB: refused to bound memory",
                    path=self.label,
                    line=self._line,
                    column=None,
                    reason="too long",
                )
            resume = max(0, len(self._buf) - self._overlap - self._pos)
            if not self._more():
                self._root_closed = True  # said once, here
                yield Block(
                    self._line,
                    problem=f"the file ends inside this <{self.tag}>: it is truncated; "
                    "this block is skipped",
                    kind="truncated",
                )
                self._advance(len(self._buf))
                return
            end_from = next_from = self._pos + max(resume, 1)
