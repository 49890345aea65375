"""HTML reader (lxml, no network, no entities): h1-h6, p, ul/ol, table, a, strong/em, br;
policyc's own pages (sections, notes, contacts, calls to action, version history) too.

Kept whole: _Walker is one walk over the HTML tree whose state (loose text, the section
it is in, hints) every element step shares, as _Body is in the DOCX reader.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from compiler.errors import Category, CompilerError, Loc
from compiler.limits import MAX_IMPORT_BYTES as MAX_BYTES
from compiler.model import (
    HISTORY_ID,
    Address,
    CallToAction,
    Code,
    Contact,
    ContactEntry,
    Definition,
    Definitions,
    Emphasis,
    Inline,
    ItemList,
    ListItem,
    ListStyle,
    Note,
    NoteKind,
    Paragraph,
    Ref,
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
    demoted,
    keep_link,
    list_item,
    normalize,
    paragraph,
    rich,
    split_term,
)
from compiler.readers.text import decode

SKIP = frozenset({"script", "style", "template", "noscript", "nav", "form", "button", "svg",
                  "iframe", "object", "embed", "head", "footer", "input", "select", "textarea"})
INLINE = frozenset({"a", "strong", "b", "em", "i", "span", "code", "br", "u", "sup", "sub",
                    "small", "abbr", "cite", "q", "mark", "time", "bdi", "bdo", "kbd", "var",
                    "s", "del", "ins", "img", "label", "font", "tt", "dfn", "samp", "wbr"})
HEADINGS = {f"h{i}": i for i in range(1, 7)}
BLOCKS = frozenset({"p", "div", "table", "blockquote", "pre", "dl", "aside", "ul", "ol"})
_OL_TYPES = {"1": ListStyle.DECIMAL, "a": ListStyle.LOWER_ALPHA, "A": ListStyle.UPPER_ALPHA,
             "i": ListStyle.LOWER_ROMAN, "I": ListStyle.UPPER_ROMAN}


def _list_style(el: Any) -> tuple[ListStyle | None, int]:
    """An <ol>'s counting style (policyc's class, else its type) and start."""
    style = next((st for st in ListStyle if st.value in _classes(el)), None)
    if style is None:
        style = _OL_TYPES.get(el.get("type") or "")
    start = el.get("start") or "1"
    return style, int(start) if start.isdigit() else 1


def _cell(nodes: list[Inline]) -> tuple[Inline, ...]:
    """A cell's inlines; its line breaks stay (a cell may hold several lines)."""
    lines = _split_lines(nodes)
    out: list[Inline] = []
    for k, line in enumerate(lines):
        if k:
            out.append(Text(BREAK))
        out.extend(line)
    return normalize(out, keep_breaks=True) or (Text("-"),)


def _widths(table: Any, columns: int) -> tuple[float, ...]:
    """Relative column widths from <col style="width: 28.57%"> (policyc's own tables)."""
    found = [re.search(r"width:\s*([\d.]+)%", c.get("style") or "")
             for c in table.xpath("./colgroup/col")]
    if len(found) != columns or not all(found):
        return ()
    values = [float(m.group(1)) for m in found if m]
    if min(values) <= 0:
        return ()
    return tuple(round(v / min(values), 2) for v in values)


def _split_lines(nodes: list[Inline]) -> list[tuple[Inline, ...]]:
    lines: list[list[Inline]] = [[]]
    for n in nodes:
        if isinstance(n, Text) and BREAK in n.text:
            parts = n.text.split(BREAK)
            lines[-1].append(Text(parts[0]))
            lines.extend([Text(p)] for p in parts[1:])
        else:
            lines[-1].append(n)
    return [c for c in (clean(line) for line in lines) if c]


def read(data: bytes, shown: str, options: ReadOptions) -> Reading:
    from lxml import etree
    from lxml import html as lhtml

    text = decode(data, shown, MAX_BYTES)
    col = Collector(shown)
    text = _internal_subset(text, shown, col)
    parser = lhtml.HTMLParser(no_network=True, remove_comments=True, remove_pis=True,
                              huge_tree=False)
    try:
        root = lhtml.document_fromstring(text, parser=parser)
    except (etree.ParserError, ValueError) as err:
        raise CompilerError.at(Loc(shown, 1, 1), f"cannot parse HTML: {err}",
                               Category.SYNTAX) from err
    hints = _head(root, col, shown)
    policyc = hints.id is not None
    stem = shown.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    if policyc and not hints.id and re.fullmatch(r"[a-z][a-z0-9]*(-[a-z0-9]+)*", stem):
        hints.id = stem  # policyc names its pages <id>.html
    content = _content(root, policyc)
    walker = _Walker(shown, col, hints, policyc)
    walker.container(content)
    walker.flush_text()
    if not walker.out:
        raise CompilerError.at(Loc(shown, 1, 1), "no text found (expected headings, paragraphs, "
                               "lists or tables)", Category.SYNTAX)
    return assemble(walker.out, hints, col, options, stem)


def _internal_subset(text: str, shown: str, col: Collector) -> str:
    """The page with its DOCTYPE's internal subset blanked and its entities' references left
    out, each reported (compiler/readers/doctype.py)."""
    from compiler.readers import doctype

    found = doctype.subset(text)
    if found is None:
        return text
    start, _, names = found
    col.unmapped(Loc(shown, text.count("\n", 0, start) + 1),
                 f"DOCTYPE's internal subset left out ({len(names)} "
                 f"entit{'y' if len(names) == 1 else 'ies'} declared, never expanded: "
                 f"{', '.join(names)[:80] or 'none'})")
    return doctype.blank(text, found, lambda line, ref: col.unmapped(
        Loc(shown, line), f"entity reference {ref!r} left out (declared in the DOCTYPE)"))


def _meta(root: Any, name: str) -> str | None:
    found = root.xpath(f"//meta[@name='{name}']/@content")
    return str(found[0]).strip() if found else None


def _head(root: Any, col: Collector, shown: str) -> Hints:
    hints = Hints()
    where = Loc(shown, 1)
    lang = root.get("lang") or (root.xpath("//html/@lang") or [None])[0]
    if lang:
        hints.locale = str(lang).replace("-", "_")
    generator = _meta(root, "generator") or ""
    if generator.startswith("policyc"):
        hints.organization = _meta(root, "author")
        keywords = _meta(root, "keywords")
        if keywords:
            hints.keywords = tuple(k.strip() for k in keywords.split(",") if k.strip())
        header = root.xpath("//header[contains(@class,'doc-header')]")
        if header:
            h = header[0]
            title = h.xpath(".//h1")
            if title:
                hints.title = clean((Text(title[0].text_content()),))
                hints.title_loc = Loc(shown, title[0].sourceline or 0)
            lede = h.xpath(".//p[contains(@class,'lede')]")
            if lede:
                hints.description = clean((Text(lede[0].text_content()),))
            times = h.xpath(".//p[contains(@class,'doc-meta')]//time/@datetime")
            dates = [dt.date.fromisoformat(str(t)) for t in times if re.fullmatch(
                r"\d{4}-\d{2}-\d{2}", str(t))]
            if len(dates) == 2:
                hints.updated, hints.effective = dates  # older pages: updated, effective
            for name in ("updated", "effective"):  # pages that say which is which
                marked = h.xpath(f".//p[contains(@class,'doc-meta')]//span[@class='{name}']"
                                 "//time/@datetime")
                if marked and re.fullmatch(r"\d{4}-\d{2}-\d{2}", str(marked[0])):
                    setattr(hints, name, dt.date.fromisoformat(str(marked[0])))
            meta_text = " ".join(x.text_content() for x in h.xpath(".//p[contains(@class,'doc-meta')]"))
            m = re.search(r"\d+\.\d+\.\d+(?:[-+][\w.]+)?", meta_text)
            if m:
                hints.version = m.group(0)
        canonical = root.xpath("//link[@rel='canonical']/@href")
        ident = re.search(r"/([a-z][a-z0-9-]*)\.html$", str(canonical[0])) if canonical else None
        hints.id = ident.group(1) if ident else ""
        col.mapped(where, "policyc page: header, <meta> and dates became metadata")
        return hints
    title = root.xpath("//title")
    if title and title[0].text_content().strip():  # the page's <h1> says it better, if any
        site = re.split(r"\s[|·–—-]\s", title[0].text_content())[0]
        hints.fallback_title = clean((Text(site),))
    description = _meta(root, "description")
    if description:
        hints.description = (Text(description),)
        col.mapped(where, "<meta name=description> became the description")
    author = _meta(root, "author")
    if author:
        hints.organization = author
    keywords = _meta(root, "keywords")
    if keywords:
        hints.keywords = tuple(k.strip() for k in keywords.split(",") if k.strip())
    return hints


def _content(root: Any, policyc: bool) -> Any:
    if policyc:
        body = root.xpath("//div[contains(concat(' ', @class, ' '), ' body ')]")
        if body:
            return body[0]
    for path in ("//main", "//article", "//body"):
        found = root.xpath(path)
        if found:
            return found[0]
    return root


def _classes(el: Any) -> set[str]:
    return set((el.get("class") or "").split())


class _Walker:
    def __init__(self, shown: str, col: Collector, hints: Hints, policyc: bool) -> None:
        self.shown = shown
        self.col = col
        self.hints = hints
        self.policyc = policyc
        self.out: list[Any] = []
        self.loose: list[Inline] = []
        self.loose_loc = Loc(shown)
        self.section_id: str | None = None

    def loc(self, el: Any) -> Loc:
        return Loc(self.shown, el.sourceline or 0)

    def flush_text(self) -> None:
        nodes = clean(self.loose)
        self.loose = []
        if nodes:
            self.out.append(paragraph(nodes, self.loose_loc))

    def container(self, el: Any) -> None:
        """A block container: its block children in order; loose text becomes paragraphs."""
        if el.text and el.text.strip():
            self.loose_loc = self.loc(el)
            self.loose.append(Text(el.text))
        for child in el.iterchildren():
            if not isinstance(child.tag, str):
                continue
            tag = child.tag.lower()
            if tag in INLINE:
                if not self.loose:
                    self.loose_loc = self.loc(child)
                self.loose.extend(self.inline(child, self.loc(child)))
            else:
                self.flush_text()
                self.block(child, tag)
            if child.tail and child.tail.strip():
                self.loose.append(Text(child.tail))
        self.flush_text()

    def block(self, el: Any, tag: str) -> None:
        loc = self.loc(el)
        cls = _classes(el)
        if tag in SKIP or "toc" in cls:
            if tag not in ("script", "style", "head", "template"):
                self.col.unmapped(loc, f"<{tag}> left out (navigation or page furniture)")
            return
        if tag in HEADINGS:
            self.heading(el, tag, loc)
        elif tag == "p" and not ("lines" in cls and self.policyc):
            raw = tuple(self.inline_children(el, loc))
            if clean(raw):
                self.out.append(paragraph(raw, loc, self.col))
        elif tag in ("ul", "ol"):
            self.item_list(el, tag == "ol", loc)
        elif tag == "table":
            self.table(el, loc)
        elif tag == "aside" and "note" in cls:
            self.note(el, cls, loc)
        elif tag == "aside" and "cta" in cls:
            self.cta(el, loc)
        elif tag == "dl":
            self.definition_list(el, "contact" in cls, loc)
        elif tag == "p" and "lines" in cls and self.policyc:
            lines = _split_lines(self.inline_children(el, loc))
            self.out.append(Address(tuple(rich(line, loc) for line in lines), loc))
        elif tag == "blockquote":
            nodes = clean(self.inline_children(el, loc))
            if nodes:
                self.col.mapped(loc, "block quote became a note (kind: info)")
                self.out.append(Note(NoteKind.INFO, rich(nodes, loc), loc))
        elif tag == "hr":
            self.col.unmapped(loc, "horizontal rule (a layout device) left out")
        elif tag in ("pre",):
            self.col.mapped(loc, "preformatted block became a paragraph")
            self.out.append(paragraph(clean((Text(el.text_content()),)), loc))
        elif tag in ("figure", "picture", "video", "audio", "canvas", "map"):
            self.col.unmapped(loc, f"<{tag}> left out")
        elif tag == "section" and self.policyc:
            outer, self.section_id = self.section_id, el.get("id")
            self.container(el)
            self.section_id = outer
        else:
            if tag == "aside":
                self.col.mapped(loc, "<aside> read as ordinary content")
            self.container(el)

    def heading(self, el: Any, tag: str, loc: Loc) -> None:
        anchor = el.get("id") or None
        if self.section_id and anchor == f"{self.section_id}-title":
            anchor = self.section_id
        for permalink in el.xpath(".//a[contains(@class,'permalink')]"):
            permalink.drop_tree()
        number = None
        for secnum in el.xpath("./span[contains(@class,'secnum')]"):
            number = secnum.text_content().strip()  # policyc's clause number
            secnum.drop_tree()
        self.out.append(Heading(HEADINGS[tag], clean(self.inline_children(el, loc)), loc,
                                anchor, number))

    def inline_children(self, el: Any, loc: Loc) -> list[Inline]:
        out: list[Inline] = []
        if el.text:
            out.append(Text(el.text))
        for child in el.iterchildren():
            if isinstance(child.tag, str):
                out.extend(self.inline(child, loc))
            if child.tail:
                out.append(Text(child.tail))
        return out

    def inline(self, el: Any, loc: Loc) -> list[Inline]:
        tag = el.tag.lower() if isinstance(el.tag, str) else ""
        if tag == "br":
            return [Text(BREAK)]
        if tag == "img":
            self.col.unmapped(loc, f"image {el.get('src')!r} left out (alt text: "
                              f"{el.get('alt', '')!r})")
            return []
        if tag in SKIP:
            return []
        children = self.inline_children(el, loc)
        if tag in ("strong", "b"):
            return [Strong(tuple(children))]
        if tag in ("em", "i", "cite"):
            return [Emphasis(tuple(children))]
        if tag == "code":
            return [Code(el.text_content())]
        if tag == "a" and "xref" in _classes(el) and (el.get("href") or "").startswith("#"):
            return [Ref(el.get("href", "")[1:], tuple(children))]  # policyc's cross-reference
        if tag == "a":
            href = (el.get("href") or "").strip()
            return list(keep_link(href, tuple(children), loc, self.col)) if href else children
        if tag in ("ul", "ol", "p", "div", "table") or tag in HEADINGS:
            return [Text(" "), *children, Text(" ")]
        return children

    def item_list(self, el: Any, ordered: bool, loc: Loc) -> None:
        items: list[ListItem] = []
        lis = [c for c in el.iterchildren() if isinstance(c.tag, str) and c.tag.lower() == "li"]
        if any(li.xpath("./h1|./h2|./h3|./h4|./h5|./h6") for li in lis):
            # numbered clauses: each item a heading and its text (legal documents in HTML)
            self.col.mapped(loc, "list of headed clauses read as sections (their numbers "
                            "written into the titles)")
            for n, li in enumerate(lis, start=1):
                heads = li.xpath("./h1|./h2|./h3|./h4|./h5|./h6")
                if heads and ordered:
                    head = heads[0]
                    head.text = f"{n}. " + (head.text or "")
                self.container(li)
            return
        for li in lis:
            for marker in li.xpath("./span[contains(@class,'marker')]"):
                marker.drop_tree()  # policyc writes list numbers as text; the list counts
            item = self.list_item(li)
            if item is not None:
                items.append(item)
        if items:
            style, start = _list_style(el) if ordered else (None, 1)
            self.out.append(ItemList(ordered, tuple(items), loc, style, start))

    def list_item(self, li: Any) -> ListItem | None:
        """An item: its text (and a nested list), or, when it holds several blocks, those."""
        item_loc = self.loc(li)
        kids = [c for c in li.iterchildren() if isinstance(c.tag, str)]
        blocky = [c for c in kids if c.tag.lower() in BLOCKS]
        if len(blocky) >= 2 or any(c.tag.lower() in BLOCKS - {"p", "div"} for c in blocky):
            inner = _Walker(self.shown, self.col, self.hints, self.policyc)
            inner.container(li)
            blocks = [demoted(b, self.col) for b in inner.out]
            sub = blocks.pop() if blocks and isinstance(blocks[-1], ItemList) and len(
                blocks) > 1 and kids and kids[-1].tag.lower() in ("ul", "ol") else None
            if len(blocks) == 1 and isinstance(blocks[0], Paragraph):
                return list_item(blocks[0].text.inlines, item_loc, sub)
            term = None
            if blocks and isinstance(blocks[0], Paragraph):
                found, rest = split_term(blocks[0].text.inlines)
                if found:
                    term = rich(found, item_loc)
                    blocks[0] = Paragraph(rich(rest, item_loc), blocks[0].loc)
            return ListItem(term, None, sub, item_loc, tuple(blocks)) if blocks or sub else None
        parts: list[Inline] = []
        sub = None
        if li.text:
            parts.append(Text(li.text))
        for child in kids:
            ctag = child.tag.lower()
            if ctag in ("ul", "ol"):
                nested = _Walker(self.shown, self.col, self.hints, self.policyc)
                nested.item_list(child, ctag == "ol", self.loc(child))
                got = [x for x in nested.out if isinstance(x, ItemList)]
                if got:
                    sub = got[0] if sub is None else ItemList(
                        sub.ordered, (*sub.items, *got[0].items), sub.loc, sub.style, sub.start)
            elif ctag in ("p", "div"):
                if parts:
                    parts.append(Text(" "))
                parts.extend(self.inline_children(child, item_loc))
            else:
                parts.extend(self.inline(child, item_loc))
            if child.tail:
                parts.append(Text(child.tail))
        text = clean(parts)
        return list_item(text, item_loc, sub) if text or sub else None

    def table(self, el: Any, loc: Loc) -> None:
        caption = el.xpath("./caption")
        cap = clean(self.inline_children(caption[0], loc)) if caption else ()
        rows: list[list[Any]] = []
        header: list[Any] = []
        spans = False
        for tr in el.xpath("./tr|./thead/tr|./tbody/tr|./tfoot/tr"):
            cells = []
            all_th = True
            for cell in tr.xpath("./th|./td"):
                all_th = all_th and cell.tag == "th"
                nodes = _cell(self.inline_children(cell, loc))
                cells.append(rich(nodes, self.loc(cell)))
                span = int(cell.get("colspan") or 1) if (cell.get("colspan") or "1").isdigit() else 1
                if span > 1 or (cell.get("rowspan") or "1") != "1":
                    spans = True
                    cells.extend(rich((Text("-"),), loc) for _ in range(span - 1))
            if not cells:
                continue
            if not header and not rows and (all_th or tr.getparent().tag == "thead"):
                header = cells
            else:
                rows.append(cells)
        if spans:
            self.col.unmapped(loc, "merged table cells were split (the extra cells hold '-')")
        if not header and rows:
            header = rows.pop(0)
            self.col.guessed(loc, "the table's first row taken as its header", "")
        if not header:
            return
        width = max(len(r) for r in [header, *rows])
        fill = lambda r: tuple(r) + tuple(rich((Text("-"),), loc) for _ in range(width - len(r)))  # noqa: E731
        table = Table(rich(cap, loc) if cap else None, fill(header), tuple(fill(r) for r in rows),
                      loc, _widths(el, width))
        last = self.out[-1] if self.out else None
        if isinstance(last, Heading) and last.anchor == HISTORY_ID:
            changes = known.history(table, self.hints.locale or "en", self.hints.updated)
            if changes:
                self.out.pop()
                self.hints.changes = changes
                self.col.mapped(loc, f"version history table became 'changes' "
                                f"({len(changes)} versions)")
                return
        self.out.append(table)

    def note(self, el: Any, cls: set[str], loc: Loc) -> None:
        for label in el.xpath(".//strong[contains(@class,'note-label')]"):
            label.drop_tree()
        kind = next((k for k in NoteKind if f"note-{k.value}" in cls), NoteKind.INFO)
        nodes = clean(self.inline_children(el[0] if len(el) and el[0].tag == "p" else el, loc))
        if nodes:
            self.out.append(Note(kind, rich(nodes, loc), loc))

    def cta(self, el: Any, loc: Loc) -> None:
        title = el.xpath(".//*[contains(@class,'cta-title')]")
        paras = [p for p in el.xpath(".//p") if "cta-action" not in _classes(p)]
        action = el.xpath(".//p[contains(@class,'cta-action')]//a")
        if not (title and paras and action):
            self.container(el)
            return
        self.out.append(CallToAction(
            rich(clean(self.inline_children(title[0], loc)), loc),
            rich(clean(self.inline_children(paras[0], loc)), loc),
            rich(clean(self.inline_children(action[0], loc)), loc),
            action[0].get("href", ""), loc))

    def definition_list(self, el: Any, contact: bool, loc: Loc) -> None:
        pairs: list[tuple[Any, Any]] = []
        term = None
        for dd_or_dt in el.iter("dt", "dd"):
            if dd_or_dt.tag == "dt":
                term = dd_or_dt
            elif term is not None:
                pairs.append((term, dd_or_dt))
                term = None
        if contact:
            entries = tuple(
                ContactEntry(rich(clean(self.inline_children(t, loc)), loc),
                             rich(clean(self.inline_children(d, loc)), loc), loc)
                for t, d in pairs)
            if entries:
                self.out.append(Contact(entries, loc))
            return
        definitions = tuple(Definition(rich(clean(self.inline_children(t, loc)), loc),
                                       rich(clean(self.inline_children(d, loc)), loc), loc)
                            for t, d in pairs)
        if definitions:
            self.out.append(Definitions(definitions, loc))
