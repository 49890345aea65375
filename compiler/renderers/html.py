"""HTML renderer: the published web page, and the body markup the PDF renderer prints."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import assert_never

import jinja2
from markupsafe import Markup, escape

from compiler import __version__, legal, links
from compiler.model import (
    Address,
    Block,
    CallToAction,
    Code,
    Contact,
    Definitions,
    Emphasis,
    Inline,
    ItemList,
    Link,
    ListItem,
    ListStyle,
    LocalizedDocument,
    Note,
    NoteKind,
    Paragraph,
    Placeholder,
    Ref,
    Rich,
    Section,
    Strong,
    Table,
    Text,
    plain_text,
)
from compiler.renderers import RenderOptions, bidi, names
from compiler.renderers.phrases import keep_phrases
from compiler.renderers.templates import Templates


def environment(templates: Templates) -> jinja2.Environment:
    """Autoescaping, strict environment: source and translations are data, never templates."""
    return templates.environment()


LONG_TOKEN = 18  # characters: an address this long stretches a justified line visibly


def has_long_address(nodes: tuple[Inline, ...]) -> bool:
    """A link showing an e-mail address or URL long enough that a justified line before it
    would open wide word gaps: such a paragraph is set ragged (class "ragged")."""
    for node in nodes:
        match node:
            case Link(href=href, children=c):
                text = plain_text(c)
                if _ltr_fragment(href) and " " not in text and len(text) >= LONG_TOKEN:
                    return True
            case Strong(children=c) | Emphasis(children=c):
                if has_long_address(c):
                    return True
            case Text() | Placeholder() | Code() | Ref():
                pass
            case _:
                assert_never(node)
    return False


def _ltr_fragment(href: str) -> bool:
    return href.startswith(("mailto:", "tel:", "http://", "https://"))


def _never(rich: Rich) -> bool:
    return False


def _unmarked(item: ListItem) -> ItemMark | None:
    return None


@dataclass(frozen=True)
class ItemMark:
    """A list item a caller marks as a whole (the redline: added or removed): tag is the
    element around its term's separator (ins, del), css_class the class of its <li>."""

    tag: str
    css_class: str


@dataclass(frozen=True)
class Hooks:
    """Where a caller takes over parts of the body (the redline writer marks insertions and
    deletions through them): write(rich) lays out a string that owns(rich) claims, instead
    of its inlines; block(block, markup) is what stands for a written block (change bars
    around it); item(item) marks a list item written whole. A caller that sets block keeps
    a list item's term before the item's blocks rather than inside its first paragraph,
    whose markup is then the caller's."""

    owns: Callable[[Rich], bool] = _never
    write: Callable[[Rich], Markup] | None = None
    block: Callable[[Block, Markup], Markup] | None = None
    item: Callable[[ListItem], ItemMark | None] = _unmarked


class BodyWriter:
    """Turns the model into semantic HTML; each node type handled once (closed sets)."""

    def __init__(self, doc: LocalizedDocument, heading_offset: int = 1,
                 hooks: Hooks | None = None) -> None:
        self.doc = doc
        self.hooks = hooks or Hooks()
        self.offset = heading_offset  # level-1 sections are <h2>: the title is the one <h1>
        self.rtl = doc.direction == "rtl"
        self.cta_count = 0
        self.breaks = False  # inside a table cell: line breaks in the text are kept
        self.clause_prefix = ""  # the number of the section being written (clause lists)
        self.link_format = "html"  # {doc:id} links point at this format's outputs
        self.base_url: str | None = None  # ... absolutely, for PDF, when the site has one
        self.names = names.pattern(doc.names)

    def inlines(self, nodes: tuple[Inline, ...]) -> Markup:
        parts: list[Markup] = []
        for node in nodes:
            match node:
                case Text(text=t):
                    if self.breaks and "\n" in t:
                        parts.append(Markup("<br>").join(self.text(x) for x in t.split("\n")))
                    else:
                        parts.append(self.text(t))
                case Code(text=t):
                    parts.append(Markup('<code translate="no">{}</code>').format(t))
                case Ref(target=target, label=label):
                    parts.append(Markup('<a class="xref" href="#{}">{}</a>').format(
                        target, self.link_text(label)))
                case Strong(children=c):
                    parts.append(Markup("<strong>{}</strong>").format(self.inlines(c)))
                case Emphasis(children=c):
                    parts.append(Markup("<em>{}</em>").format(self.inlines(c)))
                case Link(href=href, children=c):
                    if href.startswith(links.DOC_SCHEME):
                        href = links.document_href(href, self.link_format,
                                                   self.doc.language.code, self.base_url)
                    # dir="ltr" isolates e-mail addresses, URLs and phone numbers in RTL text.
                    dir_attr = Markup(' dir="ltr"') if self.rtl and _ltr_fragment(href) else ""
                    parts.append(Markup('<a href="{}"{}>{}</a>').format(
                        href, dir_attr, self.link_text(c)))
                case Placeholder():
                    raise AssertionError("placeholders are resolved by localize()")
                case _:
                    assert_never(node)
        return Markup("").join(parts)

    def link_text(self, nodes: tuple[Inline, ...]) -> Markup:
        """A link's text, names left unwrapped: a link never hyphenates (print.css), and a
        <span> inside it would stand between its PDF annotation and its /Link tag."""
        kept, self.names = self.names, None
        try:
            return self.inlines(nodes)
        finally:
            self.names = kept

    def text(self, text: str) -> Markup:
        """Escaped text, the document's names kept from hyphenation (renderers/names.py)."""
        return names.kept_whole(text, self.names)

    def rich(self, rich: Rich | None) -> Markup:
        if rich is None:
            return Markup("")
        if self.hooks.write is not None and self.hooks.owns(rich):
            return self.hooks.write(rich)
        if rich.lang:  # source text standing in for a missing translation
            return bidi.fallback(rich.lang, self.doc.direction, self.inlines(rich.inlines))
        return self.inlines(rich.inlines)

    def number(self, s: Section) -> Markup:
        """The clause number before a heading ("1." or "7.2"), as text a reader can copy."""
        if not s.number:
            return Markup("")
        return Markup('<span class="secnum">{}</span> ').format(legal.heading_number(s.number))

    def preamble(self, blocks: tuple[Block, ...]) -> Markup:
        """Blocks before the first section, without a heading of their own."""
        if not blocks:
            return Markup("")
        return Markup('<div class="preamble">\n{}</div>\n').format(
            Markup("").join(self.block(b, 1) for b in blocks))

    def sections(self, sections: tuple[Section, ...]) -> Markup:
        return Markup("").join(self.section(s) for s in sections)

    def section(self, s: Section) -> Markup:
        level = min(s.level + self.offset, 6)
        self.clause_prefix = s.number
        heading = Markup(
            '<h{lvl} id="{id}-title">{number}{title}'
            '<a class="permalink" href="#{id}" aria-label="{label}: {plain}">#</a></h{lvl}>'
        ).format(lvl=level, id=s.id, number=self.number(s), title=self.rich(s.title),
                 label=self.doc.labels.permalink, plain=s.title.plain())
        body = Markup("").join(self.block(b, level) for b in s.blocks)
        return Markup('<section id="{}" aria-labelledby="{}-title" class="level-{}">\n'
                      '{}\n{}{}</section>\n').format(
            s.id, s.id, s.level, heading, body, self.sections(s.sections))

    def block(self, block: Block, level: int) -> Markup:
        markup = self._block(block, level)
        return markup if self.hooks.block is None else self.hooks.block(block, markup)

    def _block(self, block: Block, level: int) -> Markup:
        match block:
            case Paragraph(text=t):
                classes = " ".join(
                    name for name, on in (
                        ("lead-in", t.plain().rstrip().endswith((":", "\uff1a"))),
                        ("ragged", has_long_address(t.inlines))) if on)
                if classes:
                    return Markup('<p class="{}">{}</p>\n').format(classes, self.rich(t))
                return Markup("<p>{}</p>\n").format(self.rich(t))
            case ItemList():
                return self.item_list(block, level)
            case Note(kind=kind, text=t):
                label = {NoteKind.IMPORTANT: self.doc.labels.important,
                         NoteKind.WARNING: self.doc.labels.warning,
                         NoteKind.INFO: None}[kind]
                lead = (Markup('<strong class="note-label">{}{}</strong>').format(
                    label, self.doc.term_separator) if label else "")
                return Markup('<aside class="note note-{}" role="note"><p>{}{}</p></aside>\n'
                              ).format(kind.value, lead, self.rich(t))
            case Contact(entries=entries):
                rows = Markup("").join(
                    Markup('<div><dt>{}</dt><dd><bdi dir="{}">{}</bdi></dd></div>').format(
                        self.rich(e.label), bidi.text_direction(e.value.plain()), self.rich(e.value))
                    for e in entries)
                return Markup('<dl class="contact">{}</dl>\n').format(rows)
            case CallToAction():
                return self.cta(block, level)
            case Table():
                return self.table(block)
            case Definitions(items=items):
                rows = Markup("").join(
                    Markup('<div><dt><dfn>{}</dfn></dt><dd>{}</dd></div>').format(
                        self.rich(d.term), self.rich(d.text)) for d in items)
                return Markup('<dl class="definitions">{}</dl>\n').format(rows)
            case Address(lines=lines):
                return Markup('<p class="lines">{}</p>\n').format(
                    Markup("<br>\n").join(self.rich(line) for line in lines))
            case _:
                assert_never(block)

    def separator(self, lst: ItemList) -> str:
        return self.doc.term_separator if lst.separator is None else lst.separator

    def list_open(self, lst: ItemList) -> Markup:
        """<ul>, or <ol> with its counting style and start; the markers themselves are text
        in each item (what a reader copies and cites), so the list's own markers are off."""
        if not lst.ordered or lst.style is None:
            return Markup("<ul>")
        start = Markup(' start="{}"').format(lst.start) if lst.start != 1 else ""
        return Markup('<ol class="numbered {}" type="{}"{}>').format(
            lst.style.value, _HTML_TYPE[lst.style], start)

    def marker(self, lst: ItemList, index: int) -> Markup:
        if not lst.ordered or lst.style is None:
            return Markup("")
        return Markup('<span class="marker">{}</span> ').format(
            legal.marker(lst.style, lst.start + index, self.clause_prefix))

    def item_body(self, item: ListItem, lst: ItemList, level: int,
                  mark: ItemMark | None = None) -> Markup:
        """An item's term and text, or its blocks (the term leads the first paragraph)."""
        has_text = item.text is not None or bool(item.blocks)
        separator: Markup | str = self.separator(lst) if has_text else ""
        if separator and mark is not None:
            separator = Markup("<{tag}>{sep}</{tag}>").format(tag=mark.tag, sep=separator)
        term = (Markup('<strong class="term">{}{}</strong>').format(
            self.rich(item.term), separator) if item.term else Markup(""))
        if not item.blocks:
            lang = bidi.item_fallback(item, self.doc.direction, self.hooks.owns)
            if lang and item.term and item.text:
                return bidi.fallback(lang, self.doc.direction, bidi.TERM_TEXT.format(
                    self.inlines(item.term.inlines), separator, self.inlines(item.text.inlines)))
            return term + self.rich(item.text)
        blocks = [self.block(b, level) for b in item.blocks]
        if self.hooks.block is not None:  # each block's markup is the caller's, kept whole
            return term + Markup("").join(blocks)
        first = item.blocks[0]
        if term and isinstance(first, Paragraph):
            blocks[0] = Markup("<p>{}{}</p>\n").format(term, self.rich(first.text))
        elif term:
            blocks.insert(0, Markup("<p>{}</p>\n").format(term))
        return Markup("").join(blocks)

    def item_list(self, lst: ItemList, level: int = 2) -> Markup:
        items: list[Markup] = []
        for i, item in enumerate(lst.items):
            mark = self.hooks.item(item)
            body = self.item_body(item, lst, level, mark)
            sub = self.item_list(item.sublist, level) if item.sublist else ""
            attr = Markup(' class="{}"').format(mark.css_class) if mark is not None else ""
            items.append(Markup("<li{}>{}{}{}</li>").format(attr, self.marker(lst, i), body, sub))
        close = "</ol>" if lst.ordered and lst.style is not None else "</ul>"
        return Markup("{}{}{}\n").format(self.list_open(lst), Markup("\n").join(items),
                                          Markup(close))

    def cta(self, cta: CallToAction, level: int) -> Markup:
        self.cta_count += 1
        return Markup(
            '<aside class="cta" aria-labelledby="cta-{n}-title">'
            '<h{lvl} class="cta-title" id="cta-{n}-title">{title}</h{lvl}>'
            '<p>{text}</p><p class="cta-action"><a class="button" href="{href}">{action}'
            "</a></p></aside>\n"
        ).format(lvl=min(level + 1, 6), n=self.cta_count, title=self.rich(cta.title),
                 text=self.rich(cta.text), href=cta.href, action=self.rich(cta.action))

    def table(self, table: Table) -> Markup:
        caption = (Markup("<caption>{}</caption>").format(self.rich(table.caption))
                   if table.caption else "")
        self.breaks = True
        head = Markup("").join(Markup('<th scope="col">{}</th>').format(self.rich(c))
                               for c in table.header)
        rows = Markup("").join(
            Markup("<tr>{}</tr>").format(Markup("").join(
                Markup("<td>{}</td>").format(self.rich(c)) for c in row))
            for row in table.rows)
        self.breaks = False
        cols = Markup("")
        if table.widths:
            total = sum(table.widths)
            cols = Markup("<colgroup>{}</colgroup>").format(Markup("").join(
                Markup('<col style="width: {:.2f}%">').format(100 * w / total)
                for w in table.widths))
        return Markup(
            '<div class="table-wrap" tabindex="0" role="region" aria-label="{label}">'
            '<table{fixed}>{caption}{cols}<thead><tr>{head}</tr></thead><tbody>{rows}</tbody>'
            "</table></div>\n"
        ).format(label=table.caption.plain() if table.caption else table.header[0].plain(),
                 fixed=Markup(' class="fixed"') if table.widths else "",
                 caption=caption, cols=cols, head=head, rows=rows)

    def toc(self, sections: tuple[Section, ...], depth: int = 2) -> Markup:
        if not sections:
            return Markup("")
        items = Markup("").join(
            Markup('<li><a href="#{}">{}{}</a>{}</li>').format(
                s.id, self.number(s), bidi.isolated(s.title, self.doc.direction, escape(s.title.plain())),
                self.toc(s.sections, depth) if s.level < depth else "")
            for s in sections)
        return Markup("<ol>{}</ol>").format(items)


_HTML_TYPE = {ListStyle.DECIMAL: "1", ListStyle.LOWER_ALPHA: "a", ListStyle.UPPER_ALPHA: "A",
              ListStyle.LOWER_ROMAN: "i", ListStyle.UPPER_ROMAN: "I", ListStyle.CLAUSE: "1"}


def context(doc: LocalizedDocument, options: RenderOptions, writer: BodyWriter) -> dict[str, object]:
    """What both page templates need: plain values and pre-rendered, escaped markup."""
    meta = doc.meta
    return {
        "doc": doc,
        "meta": meta,
        "lang": doc.language.tag,
        "dir": doc.direction,
        "title": doc.title,
        "description": meta.description.plain() if meta.description else "",
        # the same, shown as headings: Japanese/Chinese lines break between phrases only
        "title_shown": bidi.isolated(meta.title, doc.direction, keep_phrases(doc.title, doc.language.tag)),
        # in the page's chrome (the footer's "organization · title · version" line)
        "title_inline": bidi.isolated(meta.title, doc.direction, escape(doc.title)),
        "description_shown": bidi.isolated(meta.description, doc.direction, keep_phrases(
            meta.description.plain(), doc.language.tag)) if meta.description else "",
        "labels": doc.labels,
        "body": writer.preamble(doc.document.preamble) + writer.sections(doc.sections),
        "toc": writer.toc(doc.sections),
        "generator": f"policyc {__version__}",
        "org_dir": bidi.text_direction(meta.organization),
        "options": options,
        "page_of": doc.labels.page_of,
        "theme": options.theme,
        "logo": options.theme.logo_uri(),
    }


def render(doc: LocalizedDocument, options: RenderOptions) -> bytes:
    writer = BodyWriter(doc)
    css = options.templates.read_text("css/web.css") + options.theme.web_css()
    template = options.templates.template("html/page.html.j2")
    canonical = (f"{options.base_url.rstrip('/')}/{doc.language.code}/{doc.meta.id}.html"
                 if options.base_url else None)
    html = template.render(**context(doc, options, writer), css=Markup(css),
                           canonical=canonical)
    return html.encode("utf-8")
