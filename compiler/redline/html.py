"""Redline pages: the policy's own HTML and print templates, with insertions and deletions
marked as <ins> and <del>, change bars beside edited blocks, and a banner listing what
changed. The PDF prints the same page through the policy's PDF renderer."""

from __future__ import annotations

from typing import assert_never

from markupsafe import Markup

from compiler.model import Block, ListItem, Rich
from compiler.redline.compare import Redline, Revisions, SectionDiff, Status
from compiler.redline.words import Op, Piece
from compiler.renderers import RenderOptions
from compiler.renderers.html import BodyWriter, Hooks, ItemMark, context
from compiler.renderers.pdf import css_string, located, running_css, write_pdf

_TAGS = {Op.INSERT: "ins", Op.DELETE: "del"}
_STATE = {Op.INSERT: "inserted", Op.DELETE: "deleted"}


def state(revisions: Revisions, obj: object) -> str | None:
    """inserted, deleted or changed for a merged block, item or row; None when untouched."""
    op = revisions.whole_op(obj)
    if op is not Op.EQUAL:
        return _STATE[op]
    return "changed" if revisions.is_changed(obj) else None


def versions_label(redline: Redline) -> str:
    """ "Changes from version 1.0.0 to version 1.1.0", in the document's language."""
    return (redline.new.labels.redline.replace("{old}", redline.old.meta.version)
            .replace("{new}", redline.new.meta.version))


class RedlineWriter:
    """Reads a comparison into the policy's own body markup: the policy's BodyWriter does the
    writing, and its Hooks hand this writer the strings that have pieces (as <ins>/<del>),
    each block (to bar a changed one) and each list item (to mark one added or removed
    whole). Sections come as SectionDiffs; added and removed ones are marked once, as a
    whole."""

    def __init__(self, redline: Redline) -> None:
        self.redline = redline
        self.whole = False  # inside an added or removed section: no per-block bars
        self.w = BodyWriter(redline.new, hooks=Hooks(
            owns=lambda rich: redline.revisions.of(rich) is not None, write=self.pieces,
            block=self.bar, item=self.item_mark))
        self.doc = redline.new

    def pieces(self, rich: Rich) -> Markup:
        revision = self.redline.revisions.of(rich)
        assert revision is not None  # Hooks.owns asked first
        return Markup("").join(self.piece(p) for p in revision.pieces)

    def piece(self, piece: Piece) -> Markup:
        inner = self.w.inlines(piece.inlines)
        match piece.op:
            case Op.EQUAL:
                return inner
            case Op.INSERT | Op.DELETE:
                return Markup("<{tag}>{inner}</{tag}>").format(tag=_TAGS[piece.op], inner=inner)
            case _:
                assert_never(piece.op)

    def bar(self, block: Block, inner: Markup) -> Markup:
        """A changed, added or removed block in a change bar (not inside a whole section)."""
        kind = None if self.whole else state(self.redline.revisions, block)
        if kind is None:
            return inner
        return Markup('<div class="rl-block rl-{}">{}</div>\n').format(kind, inner)

    def item_mark(self, item: ListItem) -> ItemMark | None:
        """An item added or removed whole: its <li> classed, its separator inserted/deleted."""
        op = self.redline.revisions.whole_op(item)
        return None if op is Op.EQUAL else ItemMark(_TAGS[op], f"rl-{_STATE[op]}")

    # sections

    def badges(self, s: SectionDiff) -> Markup:
        labels = self.doc.labels
        words = {Status.ADDED: [("inserted", labels.inserted)],
                 Status.REMOVED: [("deleted", labels.deleted)],
                 Status.MOVED: [("moved", labels.moved)]}.get(s.status, [])
        if s.edited:
            words.append(("changed", labels.changed))
        return Markup("").join(Markup(' <span class="rl-badge rl-badge-{}">{}</span>').format(k, w)
                               for k, w in words)

    def diff_sections(self, sections: tuple[SectionDiff, ...]) -> Markup:
        return Markup("").join(self.diff_section(s) for s in sections)

    def diff_section(self, s: SectionDiff) -> Markup:
        if s.status is Status.MOVED_AWAY:
            assert s.new is not None
            return Markup('<p class="rl-moved-away"><span class="rl-badge rl-badge-moved">{}'
                          '</span> <a href="#{}">{}</a></p>\n').format(
                self.doc.labels.moved, s.id, s.new.title.plain())
        level = min(s.depth + self.w.offset, 6)
        whole = s.status in (Status.ADDED, Status.REMOVED)
        outer, self.whole = self.whole, self.whole or whole
        shown = s.new if s.new is not None else s.old
        assert shown is not None
        self.w.clause_prefix = shown.number
        heading = Markup(
            '<h{lvl} id="{id}-title">{number}{title}{badges}'
            '<a class="permalink" href="#{id}" aria-label="{label}: {plain}">#</a></h{lvl}>'
        ).format(lvl=level, id=s.id, number=self.w.number(shown), title=self.w.rich(s.title),
                 badges=self.badges(s), label=self.doc.labels.permalink, plain=s.title.plain())
        body = Markup("").join(self.w.block(b, level) for b in s.blocks)
        children = self.diff_sections(s.children)
        self.whole = outer
        return Markup('<section id="{id}" aria-labelledby="{id}-title" class="level-{depth} '
                      'rl-{status}">\n{heading}\n{body}{children}</section>\n').format(
            id=s.id, depth=s.depth, status=s.status.value, heading=heading, body=body,
            children=children)

    def diff_toc(self, sections: tuple[SectionDiff, ...], depth: int = 2) -> Markup:
        entries = [s for s in sections if s.status is not Status.MOVED_AWAY]
        if not entries:
            return Markup("")
        items = []
        for s in entries:
            shown = s.new if s.new is not None else s.old
            assert shown is not None
            title: Markup = self.w.number(shown) + Markup("{}").format(s.title.plain())
            if s.status in (Status.ADDED, Status.REMOVED):
                tag = "ins" if s.status is Status.ADDED else "del"
                title = Markup("<{tag}>{t}</{tag}>").format(tag=tag, t=title)
            sub = self.diff_toc(s.children, depth) if s.depth < depth else ""
            items.append(Markup('<li><a href="#{}">{}</a>{}</li>').format(s.id, title, sub))
        return Markup("<ol>{}</ol>").format(Markup("").join(items))

    def banner(self) -> Markup:
        """What a reader needs first: which versions, the legend, the changed sections."""
        r, labels = self.redline, self.doc.labels
        dates = Markup("{} {} ({}) → {} {} ({})").format(
            labels.version, r.old.meta.version, r.old.updated_text,
            labels.version, r.new.meta.version, r.new.updated_text)
        changed = Markup("").join(
            Markup('<li><a href="#{}">{}</a>{}</li>').format(
                s.id, s.title.plain(), self.badges(s)) for s in r.changed())
        return Markup(
            '<section class="rl-banner" aria-labelledby="rl-title">\n'
            '<h2 id="rl-title">{title}</h2>\n<p class="rl-versions">{dates}</p>\n'
            '<p class="rl-legend"><ins>{inserted}</ins> <del>{deleted}</del></p>\n'
            '{changed}</section>\n').format(
            title=versions_label(r), dates=dates, inserted=labels.inserted,
            deleted=labels.deleted,
            changed=Markup('<ul class="rl-changes">{}</ul>\n').format(changed) if changed else "")


def _css(redline: Redline, options: RenderOptions, base: str, screen: bool) -> Markup:
    return Markup("\n".join(_sheets(redline, options, base, screen)))


def _sheets(redline: Redline, options: RenderOptions, base: str, screen: bool) -> list[str]:
    """The policy's stylesheet, the brand's, the redline's, and (on screen) the words screen
    readers announce around insertions and deletions, in the document's language."""
    names = [base, "redline.css", "redline-screen.css" if screen else "redline-print.css"]
    css = [options.templates.read_text(f"css/{name}") for name in names]
    css.insert(1, options.theme.web_css() if screen else options.theme.print_css())
    if screen:
        labels = redline.new.labels
        css.append(
            f"ins::before {{ content: {css_string(f'[{labels.inserted}] ')}; }}\n"
            f"del::before {{ content: {css_string(f'[{labels.deleted}] ')}; }}\n"
            f"ins::after, del::after {{ content: {css_string(f' [{labels.change_end}]')}; }}\n")
    return css


def _page(redline: Redline, options: RenderOptions, template: str, css: Markup,
          **extra: object) -> str:
    writer = RedlineWriter(redline)
    values = context(redline.new, options, writer.w)
    writer.w.cta_count = 0  # context() laid out the plain body; the comparison starts afresh
    values.update(body=writer.diff_sections(redline.sections),
                  toc=writer.diff_toc(redline.sections), banner=writer.banner())
    return options.templates.template(template).render(**values, css=css,
                                                                        **extra)


def render_html(redline: Redline, options: RenderOptions) -> bytes:
    page = _page(redline, options, "html/page.html.j2",
                 _css(redline, options, "web.css", screen=True), canonical=None)
    return page.encode("utf-8")


def print_html(redline: Redline, options: RenderOptions) -> str:
    """The redline's print page: the (project's) print.css alone in the first <style>, as
    the policy's print page has it (renderers/pdf.print_html); the brand's and the redline's
    own rules in the next, so a block that sheet leaves open cannot swallow them (pdf_css
    locates its complaints; policyc's own rules give none)."""
    new = redline.new
    end = "left" if new.direction == "rtl" else "right"
    sheet, *others = _sheets(redline, options, "print.css", screen=False)
    running = Markup("\n".join(others)) + Markup("\n") + running_css(new, options) + Markup(
        f"@page {{ @top-{end} {{ content: {css_string(versions_label(redline))}; }} }}\n"
        "@page :first { @top-left { content: none; } @top-right { content: none; } }\n")
    return _page(redline, options, "pdf/print.html.j2", Markup(sheet), running_css=running)


def render_pdf(redline: Redline, options: RenderOptions) -> bytes:
    """The redline's PDF, with the project's print.css warnings located as a build's are."""
    new = redline.new
    return located(options, lambda: write_pdf(
        new, options, print_html(redline, options),
        identifier=f"{new.meta.id}-{redline.old.meta.version}-{new.meta.version}-"
                   f"{new.language.code}-redline"))
