"""PO files read and written by policyc itself, exactly as gettext does.

Reading: the bytes are decoded as the header's charset says (an unknown charset, bytes
that are not in it, or UTF-8 text under a legacy charset are located errors), every
entry keeps its PO line, duplicates are errors as in msgfmt, and no error quotes the file's
content (a catalog may be a mistake such as a symlink to a secret).

Writing: gettext's layout without wrapping, so that `msgcat --no-wrap` leaves a policyc
catalog byte for byte unchanged, and a catalog that msgcat, msgmerge or Poedit rewrapped
at 79 columns comes back unchanged from the next `policyc locale update`. Previous
msgids (`#|`) are written as msgmerge --previous writes them.

Kept whole: reader and writer stay together in one module of about 430 lines: the two halves
of one grammar, and a change to one (a new comment kind) must change the other.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass, field

from compiler.errors import Category, CompilerError, Loc

PAGE_WIDTH = 79  # gettext wraps only the `#:` references at this width when --no-wrap


@dataclass
class Message:
    msgid: str
    msgstr: str = ""
    context: str | None = None
    msgid_plural: str | None = None
    msgstr_plural: list[str] = field(default_factory=list)
    translator_comments: list[str] = field(default_factory=list)
    extracted_comments: list[str] = field(default_factory=list)
    references: list[str] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)
    previous_context: str | None = None
    previous_msgid: str | None = None
    previous_msgid_plural: str | None = None
    obsolete: bool = False
    line: int = 0  # PO line of the msgid
    msgstr_line: int = 0  # PO line of the (first) msgstr

    @property
    def key(self) -> tuple[str | None, str]:
        return (self.context, self.msgid)

    @property
    def fuzzy(self) -> bool:
        return "fuzzy" in self.flags

    def set_fuzzy(self, fuzzy: bool) -> None:
        self.flags = [f for f in self.flags if f != "fuzzy"]
        if fuzzy:
            self.flags.insert(0, "fuzzy")

    @property
    def translated(self) -> bool:
        """Has a translation (possibly fuzzy): every msgstr is non-empty."""
        if self.msgid_plural is not None:
            return bool(self.msgstr_plural) and all(self.msgstr_plural)
        return bool(self.msgstr)


@dataclass
class PoFile:
    """A whole catalog: header comments and fields, messages in order, obsolete messages."""

    header_comments: list[str] = field(default_factory=list)  # without the leading '# '
    header: list[tuple[str, str]] = field(default_factory=list)
    header_flags: list[str] = field(default_factory=list)
    messages: list[Message] = field(default_factory=list)
    obsolete: list[Message] = field(default_factory=list)
    header_line: int = 0

    def field(self, name: str) -> str | None:
        for key, value in self.header:
            if key.lower() == name.lower():
                return value
        return None

    def set_field(self, name: str, value: str) -> None:
        for i, (key, _) in enumerate(self.header):
            if key.lower() == name.lower():
                self.header[i] = (key, value)
                return
        self.header.append((name, value))

    def get(self, context: str | None, msgid: str) -> Message | None:
        for m in self.messages:
            if m.key == (context, msgid):
                return m
        return None


# --- reading ----------------------------------------------------------------------------

_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "a": "\a", "b": "\b", "f": "\f", "v": "\v",
            '"': '"', "\\": "\\"}
_ESCAPE = re.compile(r'\\(?:([ntrabfv"\\])|([0-7]{1,3})|x([0-9A-Fa-f]{1,2})|(.?))')
_KEYWORD = re.compile(r"(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s*(.*)")
_CHARSET = re.compile(r"charset=([^\s;\\]+)", re.IGNORECASE)


class _Error(Exception):
    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


def _unquote(text: str, line: int) -> str:
    text = text.strip()
    if len(text) < 2 or not text.startswith('"') or not text.endswith('"'):
        raise _Error(line, "expected a string in double quotes")
    body = text[1:-1]
    if re.search(r'(?<!\\)(?:\\\\)*"', body):
        raise _Error(line, "unescaped double quote inside a string (write it as \\\")")

    def sub(m: re.Match[str]) -> str:
        if m.group(1):
            return _ESCAPES[m.group(1)]
        if m.group(2):
            return chr(int(m.group(2), 8))
        if m.group(3):
            return chr(int(m.group(3), 16))
        raise _Error(line, "invalid escape sequence (expected \\n, \\t, \\\", \\\\ ...)")

    return _ESCAPE.sub(sub, body)


def _charset(data: bytes) -> tuple[str | None, int]:
    """The charset the header entry declares, found before decoding (as msgfmt does)."""
    text = data.decode("latin-1")
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if stripped.startswith('"') and "content-type:" in stripped.lower():
            m = _CHARSET.search(stripped)
            return (m.group(1) if m else None), number
        if stripped.startswith(("msgid", "msgctxt")) and not re.match(r'msgid\s+""\s*$', stripped):
            break
    return None, 0


def decode(data: bytes, shown: str) -> str:
    """The text of a PO file, decoded as its header says; problems are located errors."""
    charset, line = _charset(data)
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8):]
    name = charset or "UTF-8"
    if name.upper() == "CHARSET":  # the POT placeholder: only ASCII is meaningful
        name = "ASCII"
    try:
        codec = codecs.lookup(name).name
    except LookupError:
        raise CompilerError.at(Loc(shown, line), f"unknown charset {name!r} in the Content-Type "
                               "header (expected UTF-8)", Category.SYNTAX) from None
    try:
        text = data.decode(codec)
    except UnicodeDecodeError as err:
        bad = data[: err.start].count(b"\n") + 1
        raise CompilerError.at(Loc(shown, bad), f"text is not valid {name} as the Content-Type "
                               "header declares (save the file as UTF-8 and say "
                               "charset=UTF-8)", Category.SYNTAX) from err
    if codec not in ("utf-8", "ascii") and any(b > 0x7F for b in data):
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            pass
        else:
            first = next(i for i, b in enumerate(data) if b > 0x7F)
            raise CompilerError.at(
                Loc(shown, data[:first].count(b"\n") + 1),
                f"the header says charset={name}, but the text is UTF-8 (it would read as "
                f"mojibake); say charset=UTF-8 in the Content-Type header", Category.SYNTAX)
    return text


def parse(data: bytes, shown: str, plural_forms: bool = True) -> PoFile:
    """Parse PO bytes; every problem is a located error at its PO line. plural_forms=False:
    a bad Plural-Forms header is let through (`locale update` writes the language's own)."""
    text = decode(data, shown)
    try:
        po = _Parser(shown).parse(text)
    except _Error as err:
        raise CompilerError.at(Loc(shown, err.line), f"PO syntax error: {err.message}",
                               Category.SYNTAX) from None
    if plural_forms:
        _check_plural_forms(po, text, shown)
    return po


def _check_plural_forms(po: PoFile, text: str, shown: str) -> None:
    """A Plural-Forms header msgfmt -c would reject is an error at its line."""
    from compiler.i18n.plurals import PluralError, check

    value = po.field("Plural-Forms")
    if value is None:
        return
    try:
        check(value)
    except PluralError as err:
        lines = text.split("\n")
        line = next((i for i in range(po.header_line, len(lines) + 1)
                     if "Plural-Forms:" in lines[i - 1]), po.header_line)
        raise CompilerError.at(Loc(shown, line), f"bad Plural-Forms header: {err}; "
                               "'policyc locale update' writes gettext's rule for the "
                               "language", Category.SYNTAX) from None


class _Parser:
    def __init__(self, shown: str) -> None:
        self.po = PoFile()
        self.current: Message | None = None
        self.has_msgid = False
        self.pending: list[tuple[str, str]] = []  # (kind, text) comments before the keywords
        self.field: str | None = None  # the keyword whose string a "..." line continues
        self.prev_field: str | None = None  # the same for '#|' lines
        self.seen: dict[tuple[str | None, str], int] = {}
        self.header_seen = False

    def parse(self, text: str) -> PoFile:
        lines = text.split("\n")
        for number, raw in enumerate(lines, 1):
            line = raw.rstrip("\r")
            stripped = line.strip()
            if not stripped:
                self.field = self.prev_field = None
            elif stripped.startswith(("#~|", "#|")):
                obsolete = stripped.startswith("#~")
                self._previous(stripped[3 if obsolete else 2:], number, obsolete)
            elif stripped.startswith("#~"):
                self._keyword_line(stripped[2:].strip(), number, obsolete=True)
            elif stripped.startswith("#"):
                self._between(number)
                kind = stripped[1:2] if stripped[1:2] and stripped[1:2] in ".:," else " "
                self.pending.append((kind, line))
                self.field = self.prev_field = None
            else:
                self._keyword_line(stripped, number, obsolete=False)
        self._between(len(lines))
        self._finish()
        return self.po

    def _between(self, number: int) -> None:
        """A comment starts: the message before must be complete."""
        if self.current is None:
            return
        if not self.current.msgstr_line:
            raise _Error(number, "comment inside a message (expected msgstr)")
        self._finish()

    def _finish(self) -> None:
        m = self.current
        if m is None:
            return
        self.current = None
        self.has_msgid = False
        if m.msgid == "" and m.context is None and not m.obsolete:
            if self.header_seen or self.po.messages:
                raise _Error(m.line, 'a second header entry (msgid "")')
            self.header_seen = True
            self.po.header_line = m.line
            self.po.header_flags = m.flags
            self.po.header_comments = m.translator_comments
            for entry in m.msgstr.split("\n"):
                if not entry.strip():
                    continue
                key, sep, value = entry.partition(":")
                if not sep:
                    raise _Error(m.msgstr_line, "header line without 'Name: value'")
                self.po.header.append((key.strip(), value.strip()))
            return
        if m.obsolete:
            self.po.obsolete.append(m)
            return
        if m.key in self.seen:
            raise _Error(m.line, f"duplicate message definition (first defined at line "
                         f"{self.seen[m.key]}; msgfmt rejects such a file)")
        self.seen[m.key] = m.line
        self.po.messages.append(m)

    def _start(self, number: int, obsolete: bool) -> Message:
        m = Message("", obsolete=obsolete, line=number)
        for kind, text in self.pending:
            if kind == " ":
                body = text.lstrip()[1:]
                m.translator_comments.append(body[1:] if body.startswith(" ") else body)
            elif kind == ".":
                body = text.lstrip()[2:]
                m.extracted_comments.append(body[1:] if body.startswith(" ") else body)
            elif kind == ":":
                m.references.extend(text.strip()[2:].split())
            elif kind == ",":
                m.flags.extend(f.strip() for f in text.strip()[2:].split(",") if f.strip())
            else:  # previous fields: "|msgid" starts one, "+msgid" continues it
                name = {"msgctxt": "context"}.get(kind[1:], kind[1:])
                old = getattr(m, "previous_" + name) or "" if kind[0] == "+" else ""
                setattr(m, "previous_" + name, old + text)
        self.pending = []
        self.current = m
        return m

    def _keyword_line(self, stripped: str, number: int, obsolete: bool) -> None:
        if stripped.startswith('"'):
            self._continue(stripped, number, obsolete)
            return
        match = _KEYWORD.fullmatch(stripped)
        if not match:
            raise _Error(number, "expected a keyword (msgctxt, msgid, msgid_plural, msgstr) "
                         "followed by a quoted string, or a comment")
        keyword, index, rest = match.groups()
        value = _unquote(rest, number)
        m = self.current
        if keyword in ("msgctxt", "msgid"):
            if m is not None and m.msgstr_line:
                self._finish()
                m = None
            if m is not None and (keyword == "msgctxt" or self.has_msgid):
                raise _Error(number, f"{keyword} where msgstr was expected")
            if m is None:
                m = self._start(number, obsolete)
        elif m is None or not self.has_msgid:
            raise _Error(number, f"{keyword} without msgid before it")
        if m.obsolete != obsolete:
            raise _Error(number, "obsolete (#~) and active lines mixed in one message")
        if keyword == "msgctxt":
            m.context = value
        elif keyword == "msgid":
            m.msgid = value
            m.line = number
            self.has_msgid = True
        elif keyword == "msgid_plural":
            if m.msgstr_line or m.msgid_plural is not None:
                raise _Error(number, "msgid_plural must follow msgid")
            m.msgid_plural = value
        elif index is not None:
            if m.msgid_plural is None:
                raise _Error(number, "msgstr[N] without msgid_plural")
            if int(index) != len(m.msgstr_plural):
                raise _Error(number, f"expected msgstr[{len(m.msgstr_plural)}]")
            m.msgstr_plural.append(value)
            m.msgstr_line = m.msgstr_line or number
        else:
            if m.msgid_plural is not None:
                raise _Error(number, "a plural message needs msgstr[0], msgstr[1] ...")
            if m.msgstr_line:
                raise _Error(number, "a second msgstr in one message")
            m.msgstr = value
            m.msgstr_line = number
        self.field = keyword if index is None else "msgstr[]"

    def _continue(self, stripped: str, number: int, obsolete: bool) -> None:
        m = self.current
        if m is None or self.field is None or m.obsolete != obsolete:
            raise _Error(number, "a string that continues nothing (expected a keyword before)")
        value = _unquote(stripped, number)
        if self.field == "msgctxt":
            m.context = (m.context or "") + value
        elif self.field == "msgid":
            m.msgid += value
        elif self.field == "msgid_plural":
            m.msgid_plural = (m.msgid_plural or "") + value
        elif self.field == "msgstr[]":
            m.msgstr_plural[-1] += value
        else:
            m.msgstr += value

    def _previous(self, rest: str, number: int, obsolete: bool) -> None:
        """`#| msgctxt`, `#| msgid`, `#| msgid_plural` and their continuation lines."""
        self._between(number)
        rest = rest.strip()
        if rest.startswith('"'):
            if self.prev_field is None:
                raise _Error(number, "a '#|' string that continues nothing")
            self.pending.append(("+" + self.prev_field, _unquote(rest, number)))
            return
        match = re.fullmatch(r"(msgctxt|msgid_plural|msgid)\s*(.*)", rest)
        if not match:
            raise _Error(number, "expected '#| msgctxt', '#| msgid' or '#| msgid_plural'")
        self.prev_field = match.group(1)
        self.pending.append(("|" + self.prev_field, _unquote(match.group(2), number)))


# --- writing ----------------------------------------------------------------------------

_WRITE_ESCAPES = {"\n": "\\n", "\t": "\\t", "\r": "\\r", "\a": "\\a", "\b": "\\b",
                  "\f": "\\f", "\v": "\\v", '"': '\\"', "\\": "\\\\"}


def _quote(text: str) -> str:
    return '"' + "".join(_WRITE_ESCAPES.get(c, c) for c in text) + '"'


def _string(prefix: str, keyword: str, value: str) -> list[str]:
    """gettext's --no-wrap layout: one line, or split after each \\n inside the string."""
    parts = value.split("\n")
    pieces = [p + "\n" for p in parts[:-1]] + ([parts[-1]] if parts[-1] else [])
    if len(pieces) <= 1:
        return [f"{prefix}{keyword} {_quote(value)}"]
    return [f'{prefix}{keyword} ""', *(f"{prefix}{_quote(p)}" for p in pieces)]


def _references(refs: list[str]) -> list[str]:
    lines: list[str] = []
    current = "#:"
    for ref in refs:
        if current != "#:" and len(current) + 1 + len(ref) > PAGE_WIDTH:
            lines.append(current)
            current = "#:"
        current += " " + ref
    if current != "#:":
        lines.append(current)
    return lines


def _comment(prefix: str, text: str) -> str:
    return f"{prefix} {text}" if text else prefix


def message_lines(m: Message) -> list[str]:
    out: list[str] = []
    out.extend(_comment("#", c) for c in m.translator_comments)
    out.extend(_comment("#.", c) for c in m.extracted_comments)
    if not m.obsolete:
        out.extend(_references(m.references))
    if m.flags:
        out.append("#, " + ", ".join(m.flags))
    prev = "#~| " if m.obsolete else "#| "
    if m.previous_context is not None:
        out.extend(_string(prev, "msgctxt", m.previous_context))
    if m.previous_msgid is not None:
        out.extend(_string(prev, "msgid", m.previous_msgid))
    if m.previous_msgid_plural is not None:
        out.extend(_string(prev, "msgid_plural", m.previous_msgid_plural))
    pre = "#~ " if m.obsolete else ""
    if m.context is not None:
        out.extend(_string(pre, "msgctxt", m.context))
    out.extend(_string(pre, "msgid", m.msgid))
    if m.msgid_plural is not None:
        out.extend(_string(pre, "msgid_plural", m.msgid_plural))
        for i, s in enumerate(m.msgstr_plural or ["", ""]):
            out.extend(_string(pre, f"msgstr[{i}]", s))
    else:
        out.extend(_string(pre, "msgstr", m.msgstr))
    return out


def write(po: PoFile) -> bytes:
    """The catalog in gettext's own layout (as `msgcat --no-wrap` writes it), UTF-8."""
    header = Message("", "".join(f"{k}: {v}\n" for k, v in po.header),
                     translator_comments=list(po.header_comments), flags=list(po.header_flags))
    blocks = [message_lines(header)]
    blocks.extend(message_lines(m) for m in po.messages)
    blocks.extend(message_lines(m) for m in po.obsolete)
    return ("\n\n".join("\n".join(b) for b in blocks) + "\n").encode("utf-8")
