"""HTML renderer: the published web page, and the body markup the PDF renderer prints."""

from __future__ import annotations

import unicodedata
from typing import assert_never

import jinja2
from markupsafe import Markup, escape

from compiler import __version__
from compiler.model import (
    Block,
    CallToAction,
    Contact,
    Emphasis,
    Inline,
    ItemList,
    Link,
    LocalizedDocument,
    Note,
    NoteKind,
    Paragraph,
    Placeholder,
    Rich,
    Section,
    Strong,
    Table,
    Text,
)
from compiler.renderers import RenderOptions
from compiler.renderers.templates import Templates


def environment(templates: Templates) -> jinja2.Environment:
    """Autoescaping, strict environment: source and translations are data, never templates."""
    return templates.environment()


def text_direction(text: str) -> str:
    """ltr or rtl by the first strong character (what dir="auto" does, for WeasyPrint)."""
    for ch in text:
        kind = unicodedata.bidirectional(ch)
        if kind == "L":
            return "ltr"
        if kind in ("R", "AL"):
            return "rtl"
    return "ltr"


def _ltr_fragment(href: str) -> bool:
    return href.startswith(("mailto:", "tel:", "http://", "https://"))


class BodyWriter:
    """Turns the model into semantic HTML; each node type handled once (closed sets)."""

    def __init__(self, doc: LocalizedDocument, heading_offset: int = 1) -> None:
        self.doc = doc
        self.offset = heading_offset  # level-1 sections are <h2>: the title is the one <h1>
        self.rtl = doc.direction == "rtl"
        self.cta_count = 0

    def inlines(self, nodes: tuple[Inline, ...]) -> Markup:
        parts: list[Markup] = []
        for node in nodes:
            match node:
                case Text(text=t):
                    parts.append(escape(t))
                case Strong(children=c):
                    parts.append(Markup("<strong>{}</strong>").format(self.inlines(c)))
                case Emphasis(children=c):
                    parts.append(Markup("<em>{}</em>").format(self.inlines(c)))
                case Link(href=href, children=c):
                    # dir="ltr" isolates e-mail addresses, URLs and phone numbers in RTL text.
                    dir_attr = Markup(' dir="ltr"') if self.rtl and _ltr_fragment(href) else ""
                    parts.append(Markup('<a href="{}"{}>{}</a>').format(
                        href, dir_attr, self.inlines(c)))
                case Placeholder():
                    raise AssertionError("placeholders are resolved by localize()")
                case _:
                    assert_never(node)
        return Markup("").join(parts)

    def rich(self, rich: Rich | None) -> Markup:
        return self.inlines(rich.inlines) if rich else Markup("")

    def sections(self, sections: tuple[Section, ...]) -> Markup:
        return Markup("").join(self.section(s) for s in sections)

    def section(self, s: Section) -> Markup:
        level = min(s.level + self.offset, 6)
        heading = Markup(
            '<h{lvl} id="{id}-title">{title}'
            '<a class="permalink" href="#{id}" aria-label="{label}: {plain}">#</a></h{lvl}>'
        ).format(lvl=level, id=s.id, title=self.rich(s.title), label=self.doc.labels.permalink,
                 plain=s.title.plain())
        body = Markup("").join(self.block(b, level) for b in s.blocks)
        return Markup('<section id="{}" aria-labelledby="{}-title" class="level-{}">\n'
                      '{}\n{}{}</section>\n').format(
            s.id, s.id, s.level, heading, body, self.sections(s.sections))

    def block(self, block: Block, level: int) -> Markup:
        match block:
            case Paragraph(text=t):
                return Markup("<p>{}</p>\n").format(self.rich(t))
            case ItemList():
                return self.item_list(block)
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
                        self.rich(e.label), text_direction(e.value.plain()), self.rich(e.value))
                    for e in entries)
                return Markup('<dl class="contact">{}</dl>\n').format(rows)
            case CallToAction():
                return self.cta(block, level)
            case Table():
                return self.table(block)
            case _:
                assert_never(block)

    def item_list(self, lst: ItemList) -> Markup:
        tag = "ol" if lst.ordered else "ul"
        items: list[Markup] = []
        for item in lst.items:
            term = (Markup('<strong class="term">{}{}</strong>').format(
                self.rich(item.term), self.doc.term_separator if item.text else "")
                if item.term else "")
            sub = self.item_list(item.sublist) if item.sublist else ""
            items.append(Markup("<li>{}{}{}</li>").format(term, self.rich(item.text), sub))
        return Markup("<{tag}>{items}</{tag}>\n").format(tag=tag, items=Markup("\n").join(items))

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
        head = Markup("").join(Markup('<th scope="col">{}</th>').format(self.rich(c))
                               for c in table.header)
        rows = Markup("").join(
            Markup("<tr>{}</tr>").format(Markup("").join(
                Markup("<td>{}</td>").format(self.rich(c)) for c in row))
            for row in table.rows)
        return Markup(
            '<div class="table-wrap" tabindex="0" role="region" aria-label="{label}">'
            "<table>{caption}<thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table></div>\n"
        ).format(label=table.caption.plain() if table.caption else table.header[0].plain(),
                 caption=caption, head=head, rows=rows)

    def toc(self, sections: tuple[Section, ...], depth: int = 2) -> Markup:
        if not sections:
            return Markup("")
        items = Markup("").join(
            Markup('<li><a href="#{}">{}</a>{}</li>').format(
                s.id, s.title.plain(), self.toc(s.sections, depth) if s.level < depth else "")
            for s in sections)
        return Markup("<ol>{}</ol>").format(items)


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
        "labels": doc.labels,
        "body": writer.sections(doc.sections),
        "toc": writer.toc(doc.sections),
        "generator": f"policyc {__version__}",
        "org_dir": text_direction(meta.organization),
        "options": options,
        "page_of": doc.labels.page_of,
    }


def render(doc: LocalizedDocument, options: RenderOptions) -> bytes:
    writer = BodyWriter(doc)
    css = options.templates.read_text("css/web.css")
    template = environment(options.templates).get_template("html/page.html.j2")
    canonical = (f"{options.base_url.rstrip('/')}/{doc.language.code}/{doc.meta.id}.html"
                 if options.base_url else None)
    html = template.render(**context(doc, options, writer), css=Markup(css),
                           canonical=canonical)
    return html.encode("utf-8")
