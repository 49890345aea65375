"""DOCX reader (python-docx): heading styles and outline levels, Word numbering (legal levels
too), tables, hyperlinks, bold and italic, line breaks, document properties.

The package is checked before python-docx opens it: a zip, not encrypted, within size
bounds; python-docx's XML parser resolves no entities and fetches nothing.

Kept whole: _Body is one walk over the body whose state (the open list run, numbering,
the pending caption, the clause number above) every paragraph and table step shares.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import io
import re
import zipfile
from dataclasses import dataclass, field
from typing import Any

from compiler.errors import Category, CompilerError, Loc
from compiler.limits import MAX_DOCX_PART_BYTES, MAX_DOCX_PARTS, MAX_DOCX_TOTAL_BYTES, size
from compiler.limits import MAX_IMPORT_BYTES as MAX_BYTES
from compiler.model import (
    HISTORY_ID,
    Address,
    Block,
    CallToAction,
    Code,
    Contact,
    ContactEntry,
    Definition,
    Definitions,
    Emphasis,
    Inline,
    ItemList,
    Link,
    ListItem,
    ListStyle,
    Note,
    NoteKind,
    Paragraph,
    Strong,
    Table,
    Text,
)
from compiler.readers import known
from compiler.readers.draft import (
    BREAK,
    Collector,
    Heading,
    Hints,
    Reading,
    ReadOptions,
    assemble,
    clean,
    keep_link,
    list_item,
    normalize,
    paragraph,
    rich,
    split_lines,
    split_term,
    strip,
)

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def _q(tag: str) -> str:
    prefix, name = tag.split(":")
    return f"{{{W if prefix == 'w' else R}}}{name}"


def _check_package(data: bytes, shown: str) -> None:
    where = Loc(shown)
    if not data:
        raise CompilerError.at(where, "file is empty (nothing to import)", Category.IO)
    if len(data) > MAX_BYTES:
        raise CompilerError.at(where, f"file is {size(len(data))} (more than the "
                               f"{size(MAX_BYTES)} an import reads)", Category.IO)
    if data.startswith(OLE):
        raise CompilerError.at(where, "encrypted (password-protected) DOCX or old binary .doc: "
                               "remove the password in Word (File > Info > Protect Document) or "
                               "save as .docx, then import again", Category.IO)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            infos = z.infolist()
            names = {i.filename for i in infos}
    except zipfile.BadZipFile as err:
        raise CompilerError.at(where, "not a DOCX file (not a zip archive; expected a Word "
                               ".docx document)", Category.IO) from err
    if (len(infos) > MAX_DOCX_PARTS or sum(i.file_size for i in infos) > MAX_DOCX_TOTAL_BYTES
            or any(i.file_size > MAX_DOCX_PART_BYTES for i in infos)):
        raise CompilerError.at(where, f"DOCX unpacks to more than {size(MAX_DOCX_TOTAL_BYTES)} "
                               f"(or a part over {size(MAX_DOCX_PART_BYTES)}, or more than "
                               f"{MAX_DOCX_PARTS} parts): a zip bomb?", Category.IO)
    if "[Content_Types].xml" not in names or not any(n.startswith("word/") for n in names):
        raise CompilerError.at(where, "a zip archive but not a Word document (no "
                               "word/document.xml)", Category.IO)


@dataclass
class _Numbering:
    """Word numbering: numId -> abstract levels (format, text, start) and running counters."""

    levels: dict[str, dict[int, tuple[str, str, int]]] = field(default_factory=dict)
    counters: dict[str, list[int]] = field(default_factory=dict)

    @classmethod
    def of(cls, document: Any) -> _Numbering:
        out = cls()
        try:
            root = document.part.numbering_part.element
        except (KeyError, NotImplementedError, AttributeError):
            return out
        abstract: dict[str, dict[int, tuple[str, str, int]]] = {}
        for a in root.findall(_q("w:abstractNum")):
            lv: dict[int, tuple[str, str, int]] = {}
            for lvl in a.findall(_q("w:lvl")):
                fmt = lvl.find(_q("w:numFmt"))
                text = lvl.find(_q("w:lvlText"))
                start = lvl.find(_q("w:start"))
                lv[int(lvl.get(_q("w:ilvl"), "0"))] = (
                    fmt.get(_q("w:val"), "decimal") if fmt is not None else "decimal",
                    text.get(_q("w:val"), "") if text is not None else "",
                    int(start.get(_q("w:val"), "1")) if start is not None else 1)
            abstract[a.get(_q("w:abstractNumId"), "")] = lv
        for num in root.findall(_q("w:num")):
            ref = num.find(_q("w:abstractNumId"))
            if ref is not None:
                out.levels[num.get(_q("w:numId"), "")] = dict(abstract.get(ref.get(_q("w:val"), ""), {}))
        return out

    def ordered(self, num_id: str, ilvl: int) -> bool:
        fmt = self.levels.get(num_id, {}).get(ilvl, ("bullet", "", 1))[0]
        return fmt not in ("bullet", "none")

    def style(self, num_id: str, ilvl: int) -> ListStyle | None:
        """The policyc list style of a Word level, when its format maps to one."""
        fmt = self.levels.get(num_id, {}).get(ilvl, ("bullet", "", 1))[0]
        return _STYLES.get(fmt)

    def label(self, num_id: str, ilvl: int) -> str:
        """The number Word shows ('1.2', '(a)'), counting as Word does."""
        levels = self.levels.get(num_id, {})
        counts = self.counters.setdefault(num_id, [0] * 9)
        if ilvl >= 9:
            return ""
        counts[ilvl] = (counts[ilvl] or levels.get(ilvl, ("", "", 1))[2] - 1) + 1
        for deeper in range(ilvl + 1, 9):
            counts[deeper] = 0
        fmt, text, _ = levels.get(ilvl, ("decimal", f"%{ilvl + 1}.", 1))
        if fmt in ("bullet", "none"):
            return ""

        def number(match: re.Match[str]) -> str:
            lvl = int(match.group(1)) - 1
            f = levels.get(lvl, ("decimal", "", 1))[0]
            n = counts[lvl] or levels.get(lvl, ("", "", 1))[2]
            return _format(n, f)

        return re.sub(r"%(\d)", number, text)


_STYLES = {"decimal": ListStyle.DECIMAL, "lowerLetter": ListStyle.LOWER_ALPHA,
           "upperLetter": ListStyle.UPPER_ALPHA, "lowerRoman": ListStyle.LOWER_ROMAN,
           "upperRoman": ListStyle.UPPER_ROMAN}


def _format(n: int, fmt: str) -> str:
    if fmt in ("lowerLetter", "upperLetter"):
        s = ""
        while n > 0:
            n, r = divmod(n - 1, 26)
            s = chr(97 + r) + s
        return s.upper() if fmt == "upperLetter" else s
    if fmt in ("lowerRoman", "upperRoman"):
        vals = [(1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"),
                (50, "l"), (40, "xl"), (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i")]
        s = ""
        for v, sym in vals:
            while n >= v:
                s += sym
                n -= v
        return s.upper() if fmt == "upperRoman" else s
    return str(n)


def read(data: bytes, shown: str, options: ReadOptions) -> Reading:
    _check_package(data, shown)
    import docx

    try:
        document = docx.Document(io.BytesIO(data))
    except (KeyError, ValueError, zipfile.BadZipFile) as err:
        raise CompilerError.at(Loc(shown), f"cannot read DOCX: {err}", Category.IO) from err
    col = Collector(shown)
    hints = _properties(document, col, shown)
    reader = _Body(document, shown, col, hints, options)
    stream = reader.run()
    if not any(not isinstance(x, Heading) for x in stream) and not stream:
        raise CompilerError.at(Loc(shown), "no text found in the document body", Category.IO)
    stem = shown.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    return assemble(stream, hints, col, options, stem)


def _properties(document: Any, col: Collector, shown: str) -> Hints:
    """Core and custom document properties; policyc's own outputs carry all the metadata."""
    hints = Hints()
    where = Loc(shown)
    core = document.core_properties
    custom: dict[str, str] = {}
    try:
        from lxml import etree

        part = document.part.package.part_related_by(
            "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
            "custom-properties")
        root = etree.fromstring(part.blob, etree.XMLParser(resolve_entities=False,
                                                           no_network=True))
        for prop in root:
            if len(prop):
                custom[prop.get("name", "")] = (prop[0].text or "").strip()
    except (KeyError, etree.XMLSyntaxError):
        pass
    if custom.get("DocumentId"):
        hints.id = custom["DocumentId"]
    if custom.get("Version"):
        hints.version = custom["Version"]
    for key, attr in (("Updated", "updated"), ("Effective", "effective")):
        with contextlib.suppress(ValueError):
            setattr(hints, attr, dt.date.fromisoformat(custom.get(key, "")))
    hints.organization = custom.get("Company") or None
    if core.title and hints.id:  # policyc's own: the property is the title
        hints.title = (Text(core.title),)
        hints.title_loc = where
    elif core.title:  # elsewhere often stale ("Document1"): a heading says it better
        hints.fallback_title = (Text(core.title),)
    if core.language:
        hints.locale = core.language.replace("-", "_")
    if core.keywords:
        hints.keywords = tuple(k.strip() for k in core.keywords.split(",") if k.strip())
    if not hints.version and core.version and re.fullmatch(r"\d+\.\d+\.\d+", core.version):
        hints.version = core.version
    if not hints.organization and core.author and hints.id:
        hints.organization = core.author
    if custom:
        col.mapped(where, "document properties became metadata ("
                   + ", ".join(sorted(k for k in custom if custom[k])) + ")")
    if core.subject and core.subject != core.title and hints.id:
        hints.description = (Text(core.subject),)
    return hints


class _Body:
    """The body's paragraphs and tables in order -> headings and model blocks."""

    def __init__(self, document: Any, shown: str, col: Collector, hints: Hints,
                 options: ReadOptions) -> None:
        self.document = document
        self.shown = shown
        self.col = col
        self.hints = hints
        self.options = options
        self.policyc = bool(hints.id)  # built by policyc: its front matter is metadata
        self.numbering = _Numbering.of(document)
        self.styles = {s.get(_q("w:styleId"), ""): s
                       for s in document.styles.element.findall(_q("w:style"))}
        self.rels = document.part.rels
        self.count = 0
        self.out: list[Any] = []
        self.list_run: list[_Entry] = []
        self.section_number = ""  # the clause number of the heading above, for 7.1-style lists
        self.pending_caption: Any = None
        self.seen_title = False
        self.toc_seen = False

    # --- styles ---------------------------------------------------------------------

    def style_chain(self, style_id: str) -> list[Any]:
        chain, seen = [], set()
        while style_id and style_id in self.styles and style_id not in seen:
            seen.add(style_id)
            el = self.styles[style_id]
            chain.append(el)
            based = el.find(_q("w:basedOn"))
            style_id = based.get(_q("w:val"), "") if based is not None else ""
        return chain

    def style_name(self, style_id: str) -> str:
        el = self.styles.get(style_id)
        name = el.find(_q("w:name")) if el is not None else None
        return (name.get(_q("w:val"), "") if name is not None else style_id).strip()

    def ppr_value(self, p: Any, tag: str) -> Any:
        """A paragraph property from the paragraph or its style chain."""
        ppr = p.find(_q("w:pPr"))
        if ppr is not None and ppr.find(_q(tag)) is not None:
            return ppr.find(_q(tag))
        for el in self.style_chain(self.style_id(p)):
            spr = el.find(_q("w:pPr"))
            if spr is not None and spr.find(_q(tag)) is not None:
                return spr.find(_q(tag))
        return None

    def style_id(self, p: Any) -> str:
        ppr = p.find(_q("w:pPr"))
        ps = ppr.find(_q("w:pStyle")) if ppr is not None else None
        return ps.get(_q("w:val"), "") if ps is not None else ""

    def heading_level(self, p: Any, name: str) -> int | None:
        m = re.fullmatch(r"(?i)heading\s*(\d)", name)
        if m:
            return int(m.group(1))
        lvl = self.ppr_value(p, "w:outlineLvl")
        if lvl is not None:
            v = int(lvl.get(_q("w:val"), "9"))
            return v + 1 if v < 9 else None
        return None

    def num(self, p: Any) -> tuple[str, int] | None:
        numpr = self.ppr_value(p, "w:numPr")
        if numpr is None:
            return None
        nid = numpr.find(_q("w:numId"))
        ilvl = numpr.find(_q("w:ilvl"))
        num_id = nid.get(_q("w:val"), "0") if nid is not None else "0"
        if num_id == "0":
            return None
        return num_id, int(ilvl.get(_q("w:val"), "0")) if ilvl is not None else 0

    # --- the walk -------------------------------------------------------------------

    def run(self) -> list[Any]:
        body = self.document.element.body
        for el in body.iterchildren():
            self.element(el)
        self.flush_list()
        return merge_blocks(self.out)

    def element(self, el: Any) -> None:
        if el.tag == _q("w:p"):
            self.paragraph(el)
        elif el.tag == _q("w:tbl"):
            self.flush_list()
            self.table(el)
        elif el.tag == _q("w:sdt"):
            content = el.find(_q("w:sdtContent"))
            gallery = el.find(f"{_q('w:sdtPr')}/{_q('w:docPartObj')}/{_q('w:docPartGallery')}")
            if gallery is not None and "table of contents" in gallery.get(_q("w:val"), "").lower():
                self.col.mapped(self.loc(), "table of contents left out (policyc makes its own)")
                return
            for child in (content.iterchildren() if content is not None else ()):
                self.element(child)
        elif el.tag in (_q("w:customXml"), _q("w:ins")):
            for child in el.iterchildren():
                self.element(child)
        elif el.tag == _q("w:sectPr"):
            pass

    def loc(self) -> Loc:
        return Loc(self.shown, self.count)

    def paragraph(self, p: Any) -> None:
        self.count += 1
        loc = self.loc()
        sid = self.style_id(p)
        name = self.style_name(sid) if sid else "Normal"
        lname = name.lower()
        nodes, anchor = self.inlines(p, loc)
        text = clean(nodes)
        if lname.startswith("toc") or self._in_toc_field(p):
            if lname == "toc heading" or not self.list_run:
                self.flush_list()
            if self.count_toc(lname):
                self.col.mapped(loc, "table of contents left out (policyc makes its own)")
            return
        if not text:
            return
        if lname == "title" and not self.seen_title:
            self.flush_list()
            self.seen_title = True
            self.hints.title, self.hints.title_loc = text, loc
            self.col.mapped(loc, "'Title' paragraph became the document title")
            return
        if self.policyc and lname == "subtitle":
            self.col.mapped(loc, "version and date line left out (written from the metadata)")
            return
        if (self.policyc and self.hints.description is not None and not self.out
                and not self.list_run and lname == "normal"
                and [n.text for n in text if isinstance(n, Text)] == [
                    t.text for t in self.hints.description if isinstance(t, Text)]):
            self.hints.description = text
            self.col.mapped(loc, "description paragraph became the description")
            return
        number = self.num(p)
        level = self.heading_level(p, name)
        if level is not None and lname != "title":
            self.heading(level, text, loc, anchor, number)
            return
        if re.fullmatch(r"list continue(?: \d)?", lname) and self.list_run:
            self.list_run[-1].more.append(Paragraph(rich(text, loc), loc))  # the item's next
            return
        if lname == "caption":
            self.flush_list()
            self.pending_caption = rich(text, loc)
            return
        list_style = re.fullmatch(r"list (bullet|number)(?: (\d))?", lname)
        if number is not None or list_style:
            self.list_paragraph(text, loc, number, list_style)
            return
        self.flush_list()
        self.styled(name, text, nodes, loc)

    def heading(self, level: int, text: tuple[Inline, ...], loc: Loc, anchor: str | None,
                number: tuple[str, int] | None) -> None:
        """A heading; a clause number from Word numbering goes with it (not into its text)."""
        self.flush_list()
        label = self.numbering.label(*number) if number else ""
        if label and not re.fullmatch(r"\d+(\.\d+)*\.?", label):
            text = (Text(label + " "), *text)  # not a clause number policyc can make
            self.col.mapped(loc, f"heading number '{label}' (Word numbering) written into "
                            "the title")
            label = ""
        self.out.append(Heading(level, clean(text), loc, _anchor_id(anchor), label or None))
        self.section_number = label.rstrip(".")

    def list_paragraph(self, text: tuple[Inline, ...], loc: Loc,
                       number: tuple[str, int] | None, list_style: re.Match[str] | None) -> None:
        """A list item, by Word numbering (its format, level and count) or a List style."""
        entry = _Entry(0, False, list_item(text, loc), loc)
        if number is not None:
            num_id, ilvl = number
            entry.level, entry.ordered = ilvl, self.numbering.ordered(num_id, ilvl)
            label = self.numbering.label(num_id, ilvl)
            entry.value = self.numbering.counters[num_id][ilvl]
            entry.style = self.numbering.style(num_id, ilvl)
            if entry.ordered and self.section_number and label == (
                    f"{self.section_number}.{entry.value}"):
                entry.style = ListStyle.CLAUSE  # 7.1, 7.2: numbered from the section
                if not self.list_run:
                    self.col.mapped(loc, f"items numbered '{label}'... became a clause list")
            elif entry.ordered and label and entry.style is None:
                self.col.mapped(loc, f"item numbered '{label}' (Word numbering) became a "
                                "numbered list item")
        else:
            assert list_style
            entry.ordered = list_style.group(1) == "number"
            entry.level = int(list_style.group(2) or 1) - 1
        self.list_run.append(entry)

    def styled(self, name: str, text: tuple[Inline, ...], raw: tuple[Inline, ...],
               loc: Loc) -> None:
        """A paragraph that is neither heading nor list item, by its style (text: its
        inlines with line breaks joined; raw: as read)."""
        lname = name.lower()
        last = self.out[-1] if self.out else None
        if lname == "note":
            self.out.append(self.note(text, loc))
        elif lname == "definition term":
            self.out.append(_TermDraft(rich(text, loc), loc))
        elif lname == "definition" and isinstance(last, _TermDraft):
            self.out.pop()
            entry = Definition(last.term, rich(text, loc), last.loc)
            before = self.out[-1] if self.out else None
            if isinstance(before, Definitions):
                self.out[-1] = Definitions((*before.items, entry), before.loc)
            else:
                self.out.append(Definitions((entry,), last.loc))
        elif lname == "address":  # policyc's own: lines by line breaks, whatever they hold
            lines = split_lines(strip(normalize(raw, keep_breaks=True))) or [text]
            self.out.append(Address(tuple(rich(line, loc) for line in lines), loc))
        elif lname == "contact":
            term, value = split_term(text)
            contact = ContactEntry(rich(term or (Text("-"),), loc), rich(value, loc), loc)
            if isinstance(last, Contact):
                self.out[-1] = Contact((*last.entries, contact), last.loc)
            else:
                self.out.append(Contact((contact,), loc))
        elif lname == "call to action title":
            self.out.append(_CtaDraft(rich(text, loc), loc))
        elif lname == "call to action" and self.out and isinstance(self.out[-1], _CtaDraft):
            draft = self.out[-1]
            links = [n for n in text if isinstance(n, Link)]
            if draft.text is None:
                draft.text = rich(text, loc)
            elif links:
                action = clean(links[0].children)
                if len(action) == 1 and isinstance(action[0], Strong):
                    action = action[0].children  # the renderer makes the action bold
                self.out[-1] = CallToAction(draft.title, draft.text, rich(action, loc),
                                            links[0].href,
                                            draft.loc)
        else:
            if lname not in ("normal", "body text", "default", "list paragraph", "plain text"):
                self.col.mapped(loc, f"paragraph style '{name}' read as a paragraph")
            self.out.append(paragraph(raw, loc, self.col))

    def count_toc(self, lname: str) -> bool:
        """True for the first paragraph of a table of contents (reported once)."""
        first = not self.toc_seen
        self.toc_seen = True
        return first

    def _in_toc_field(self, p: Any) -> bool:
        instr = "".join(t.text or "" for t in p.iter(_q("w:instrText")))
        return instr.strip().upper().startswith("TOC")

    def note(self, text: tuple[Inline, ...], loc: Loc) -> Note:
        kind = NoteKind.INFO
        if text and isinstance(text[0], Strong):
            label = "".join(n.text for n in text[0].children if isinstance(n, Text))
            found = known.note_kind(label)
            if found is not None or re.search(r"[:：]\s*$", label):
                kind = found or NoteKind.IMPORTANT
                if found is None:
                    self.col.guessed(loc, f"note kind 'important' for the label {label.strip()!r}",
                                     "")
                text = clean(text[1:])
        return Note(kind, rich(text, loc), loc)

    def flush_list(self) -> None:
        if not self.list_run:
            return
        run, self.list_run = self.list_run, []
        base = min(e.level for e in run)
        for e in run:
            e.level -= base
            if e.more:  # an item of several paragraphs holds them as blocks
                first = Paragraph(e.item.text, e.loc) if e.item.text else None
                e.item = ListItem(e.item.term, None, None, e.loc,
                                  tuple(b for b in (first, *e.more) if b is not None))
        lst, rest = _build_list(run, 0)
        assert not rest
        self.out.append(lst)

    def table(self, tbl: Any) -> None:
        loc = Loc(self.shown, self.count + 1)
        rows: list[list[Any]] = []
        merged = False
        for tr in tbl.findall(_q("w:tr")):
            cells = []
            for tc in tr.findall(_q("w:tc")):
                parts: list[Inline] = []
                for p in tc.iter(_q("w:p")):
                    self.count += 1
                    nodes, _ = self.inlines(p, self.loc())
                    if parts and nodes:
                        parts.append(Text(BREAK))  # a cell may hold several lines
                    parts.extend(nodes)
                span = tc.find(f"{_q('w:tcPr')}/{_q('w:gridSpan')}")
                vmerge = tc.find(f"{_q('w:tcPr')}/{_q('w:vMerge')}")
                if vmerge is not None and vmerge.get(_q("w:val"), "continue") == "continue":
                    merged = True
                    parts = [Text("-")] if not clean(parts) else parts
                cell = strip(normalize(parts, keep_breaks=True)) or (Text("-"),)
                cells.append(rich(cell, loc))
                if span is not None:
                    merged = True
                    cells.extend(rich((Text("-"),), loc)
                                 for _ in range(int(span.get(_q("w:val"), "1")) - 1))
            if cells:
                rows.append(cells)
        if merged:
            self.col.unmapped(loc, "merged table cells were split (the extra cells hold '-')")
        if not rows:
            return
        width = max(len(r) for r in rows)
        rows = [r + [rich((Text("-"),), loc)] * (width - len(r)) for r in rows]
        caption, self.pending_caption = self.pending_caption, None
        table = Table(caption, tuple(rows[0]), tuple(tuple(r) for r in rows[1:]), loc,
                      _grid_widths(tbl, width))
        if self.out and isinstance(self.out[-1], Heading) and self.out[-1].anchor == HISTORY_ID:
            changes = known.history(table, self.hints.locale or "en",
                                    self.hints.updated)
            if changes:
                self.out.pop()
                self.hints.changes = changes
                self.col.mapped(loc, f"version history table became 'changes' ({len(changes)} "
                                "versions)")
                return
        self.out.append(table)

    # --- runs -------------------------------------------------------------------------

    def inlines(self, p: Any, loc: Loc) -> tuple[tuple[Inline, ...], str | None]:
        """The paragraph's runs as inlines, and the first bookmark name (a heading's anchor)."""
        out: list[Inline] = []
        anchor: str | None = None
        self._field_depth = 0
        self._field_instr = ""
        self._field_link: tuple[str, int] | None = None  # a HYPERLINK field: href, start in out
        self._out_len = 0
        for child in p.iterchildren():
            anchor = self.child(child, out, loc) or anchor
        return tuple(out), anchor

    def child(self, el: Any, out: list[Inline], loc: Loc) -> str | None:
        tag = el.tag
        if tag == _q("w:r"):
            self._out_len = len(out)
            parts = self.run_inlines(el, loc)
            if self._field_link is not None and self._field_depth == 0:  # the field ended
                href, start = self._field_link
                self._field_link = None
                label = out[start:]
                del out[start:]
                out.extend(keep_link(href, tuple(label), loc, self.col) if clean(label) else label)
            out.extend(parts)
        elif tag == _q("w:hyperlink"):
            children: list[Inline] = []
            for c in el.iterchildren():
                self.child(c, children, loc)
            target = self.link_target(el, loc)
            if target and clean(children):
                out.append(Link(target, tuple(children)))
            else:
                out.extend(children)
        elif tag == _q("w:bookmarkStart"):
            name = el.get(_q("w:name"), "")
            if name and not name.startswith("_"):
                return name
        elif tag in (_q("w:ins"), _q("w:smartTag"), _q("w:customXml"), _q("w:fldSimple"),
                     _q("w:sdt"), _q("w:sdtContent")):
            if tag == _q("w:ins"):
                self.col.unmapped(loc, "tracked insertion taken as accepted")
            if tag == _q("w:fldSimple"):
                self.col.mapped(loc, f"field {el.get(_q('w:instr'), '').strip()!r}: its shown "
                                "text kept")
            first = None
            for c in el.iterchildren():
                first = self.child(c, out, loc) or first
            return first
        elif tag in (_q("w:del"), _q("w:moveFrom")):
            self.col.unmapped(loc, "tracked deletion left out (taken as accepted)")
        elif tag == _q("w:commentRangeStart"):
            self.col.unmapped(loc, "comment left out (its anchored text kept)")
        return None

    def link_target(self, el: Any, loc: Loc) -> str | None:
        rid = el.get(_q("r:id"))
        if rid and rid in self.rels:
            rel = self.rels[rid]
            target = rel.target_ref if rel.is_external else ""
            from compiler import links

            why = links.problem(target)
            if why is None:
                return target
            self.col.unmapped(loc, f"link to {target[:80]!r} left out, its text kept ({why})")
            return None
        anchor = el.get(_q("w:anchor"))
        if anchor:
            return "#" + (_anchor_id(anchor) or anchor)
        return None

    def field_char(self, kind: str | None, pending: int) -> None:
        """Complex fields (begin, instruction, separate, shown result, end): the result is
        kept as text; a HYPERLINK field's result becomes a link when the field ends."""
        if kind == "begin":
            self._field_depth += 1
            self._field_instr = ""
        elif kind == "separate":
            self._field_depth = -abs(self._field_depth)  # showing the result now
            href = _hyperlink_field(self._field_instr)
            if href is not None:
                self._field_link = (href, self._out_len + pending)
        elif kind == "end":
            self._field_depth = 0

    def run_inlines(self, r: Any, loc: Loc) -> list[Inline]:
        rpr = r.find(_q("w:rPr"))
        bold = _on(rpr, "w:b") if rpr is not None else False
        italic = _on(rpr, "w:i") if rpr is not None else False
        code = False
        if rpr is not None:
            rs = rpr.find(_q("w:rStyle"))
            if rs is not None:
                code = self.style_name(rs.get(_q("w:val"), "")).lower() in ("code", "html code")
                for st in self.style_chain(rs.get(_q("w:val"), "")):
                    srpr = st.find(_q("w:rPr"))
                    if srpr is not None:
                        bold = bold or _on(srpr, "w:b")
                        italic = italic or _on(srpr, "w:i")
        parts: list[Inline] = []
        for c in r.iterchildren():
            tag = c.tag
            if tag == _q("w:fldChar"):
                self.field_char(c.get(_q("w:fldCharType")), len(parts))
            elif tag == _q("w:instrText"):
                self._field_instr += c.text or ""
            elif self._field_depth > 0:
                continue  # inside a field's instruction part
            elif tag == _q("w:t"):
                parts.append(Text(c.text or ""))
            elif tag == _q("w:tab"):
                parts.append(Text(" "))
            elif tag in (_q("w:br"), _q("w:cr")):
                if c.get(_q("w:type")) not in ("page", "column"):
                    parts.append(Text(BREAK))
            elif tag == _q("w:noBreakHyphen"):
                parts.append(Text("\u2011"))
            elif tag in (_q("w:drawing"), _q("w:pict"), _q("w:object")):
                self.col.unmapped(loc, "image or drawing left out")
            elif tag == _q("w:footnoteReference"):
                self.col.unmapped(loc, f"footnote {c.get(_q('w:id'))} left out")
            elif tag == _q("w:endnoteReference"):
                self.col.unmapped(loc, f"endnote {c.get(_q('w:id'))} left out")
            elif tag == _q("w:commentReference"):
                pass
            elif tag == _q("w:sym"):
                parts.append(Text(chr(int(c.get(_q("w:char"), "20"), 16) % 0xF000 or 0x20)))
        if not parts:
            return []
        node: list[Inline] = parts
        if code and all(isinstance(x, Text) for x in parts):
            node = [Code("".join(x.text for x in parts if isinstance(x, Text)))]
        if italic:
            node = [Emphasis(tuple(node))]
        if bold:
            node = [Strong(tuple(node))]
        return node


@dataclass
class _TermDraft:
    """A Definition Term paragraph waiting for its Definition."""

    term: Any
    loc: Loc


@dataclass
class _CtaDraft:
    title: Any
    loc: Loc
    text: Any = None


def _grid_widths(tbl: Any, columns: int) -> tuple[float, ...]:
    """Relative column widths from the table grid, when they differ."""
    cols = tbl.findall(f"{_q('w:tblGrid')}/{_q('w:gridCol')}")
    values = [int(c.get(_q("w:w"), "0") or 0) for c in cols]
    if len(values) != columns or min(values, default=0) <= 0 or len(set(values)) == 1:
        return ()
    return tuple(round(v / min(values), 2) for v in values)


def _hyperlink_field(instr: str) -> str | None:
    """The target of a HYPERLINK field ('HYPERLINK "https://x" \\l "anchor"'), or None."""
    m = re.match(r'\s*HYPERLINK\s+"([^"]*)"(?:.*?\\l\s+"([^"]*)")?', instr)
    if not m:
        return None
    return m.group(1) + (f"#{m.group(2)}" if m.group(2) else "") if m.group(1) else (
        f"#{_anchor_id(m.group(2))}" if m.group(2) else None)


def _on(rpr: Any, tag: str) -> bool:
    el = rpr.find(_q(tag))
    return el is not None and el.get(_q("w:val"), "true").lower() not in ("0", "false", "off")


def _anchor_id(name: str | None) -> str | None:
    """policyc writes section ids as bookmarks with '_' for '-'."""
    if not name:
        return None
    return name.replace("_", "-").lower()


@dataclass
class _Entry:
    """A list paragraph while its list is being gathered."""

    level: int
    ordered: bool
    item: ListItem
    loc: Loc
    style: ListStyle | None = None
    value: int = 1  # the number Word shows for it
    more: list[Block] = field(default_factory=list)  # List Continue paragraphs after it


def _build_list(run: list[_Entry], depth: int) -> tuple[ItemList, list[_Entry]]:
    items: list[ListItem] = []
    head = run[0]
    while run and run[0].level >= depth:
        entry = run[0]
        if entry.level > depth:
            sub, run = _build_list(run, entry.level)
            if items:
                last = items[-1]
                merged = sub if last.sublist is None else dataclasses.replace(
                    last.sublist, items=(*last.sublist.items, *sub.items))
                items[-1] = dataclasses.replace(last, sublist=merged)
            else:
                items.extend(sub.items)
            continue
        items.append(entry.item)
        run = run[1:]
    style = head.style if head.ordered else None
    start = head.value if head.ordered and style is not None else 1
    return ItemList(head.ordered, tuple(items), head.loc, style, start), run


def merge_blocks(stream: list[Any]) -> list[Block | Heading]:
    """Drops unfinished call-to-action drafts (a title paragraph without its link) as paragraphs."""
    out: list[Any] = []
    for x in stream:
        if isinstance(x, _TermDraft):
            out.append(Paragraph(x.term, x.loc))
        elif isinstance(x, _CtaDraft):
            out.append(Paragraph(x.title, x.loc))
            if x.text is not None:
                out.append(Paragraph(x.text, x.loc))
        else:
            out.append(x)
    return out
