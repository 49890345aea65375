"""Redline DOCX: the policy's Word document with real tracked changes, so a lawyer can accept
or reject each one in Word. Accepting all gives the new version's document, rejecting all
the old one's. Changes are authored by the organization and dated the new 'updated'."""

from __future__ import annotations

import io
from collections.abc import Iterator

from docx.document import Document as WordDocument
from docx.oxml.ns import qn
from docx.oxml.xmlchemy import BaseOxmlElement

from compiler import legal
from compiler.errors import Loc
from compiler.model import LocalizedDocument, Rich, Section, Text, plain_text
from compiler.redline.compare import Redline, SectionDiff, Status
from compiler.redline.html import versions_label
from compiler.redline.words import Op, by_character
from compiler.renderers import RenderOptions, docx_body, docx_styles, ooxml
from compiler.renderers import docx as policy
from compiler.renderers.docx_blocks import Writer
from compiler.renderers.docx_body import Hooks

_KIND = {Op.INSERT: ooxml.INS, Op.DELETE: ooxml.DEL}
# Moved sections: Word's move marks, so the review pane pairs both ends.
_ADDING = {Status.ADDED: ooxml.INS, Status.MOVED: ooxml.MOVE_TO}
_REMOVING = {Status.REMOVED: ooxml.DEL, Status.MOVED_AWAY: ooxml.MOVE_FROM}


def _text(value: str) -> Rich:
    return Rich(value, (Text(value),), Loc("<redline>"), "")


def _walk(section: Section) -> Iterator[Section]:
    yield section
    for sub in section.sections:
        yield from _walk(sub)


class _TrackedWriter:
    """The policy's DOCX writer laying out a comparison: kept sections with word-level
    revisions, added, removed and moved sections rendered as the policy renders them and
    marked as a whole. The policy's Writer does the writing; its Hooks hand this writer
    every string that has a Revision, which it writes as tracked runs."""

    def __init__(self, document: WordDocument, redline: Redline, styles: dict[str, str]) -> None:
        self.w = Writer(document, redline.new, styles,
                        Hooks(owns=lambda rich: redline.revisions.of(rich) is not None,
                              write=self.tracked))
        self.document = document
        self.redline = redline
        self.characters = by_character(redline.new.language.code)
        new_ids = [s.id for s in redline.new.document.walk_sections()]
        self.new_ids = set(new_ids)
        self.anchors = ooxml.bookmark_names(dict.fromkeys(
            [*new_ids, *(s.id for s in redline.old.document.walk_sections())]))
        self.w.anchors = self.anchors  # sections of either version link and are bookmarked
        self.revisions = ooxml.Revisions(redline.new.meta.organization,
                                         redline.new.meta.updated)
        self.whole: dict[int, tuple[BaseOxmlElement, Op]] = {}  # paragraphs added or removed
        self.toc_entries: list[BaseOxmlElement] = []

    # strings: the pieces of a comparison become tracked runs

    def tracked(self, parent: BaseOxmlElement, rich: Rich, bold: bool, link: bool) -> None:
        """The Writer's hook for a string with a Revision: its pieces as tracked runs."""
        revision = self.redline.revisions.of(rich)
        assert revision is not None  # Hooks.owns asked first
        for piece in revision.pieces:
            start = len(parent)
            self.w.inlines(parent, piece.inlines, bold=bold, link=link)
            if piece.op is not Op.EQUAL:
                self.revisions.runs(list(parent)[start:], _KIND[piece.op])
        if revision.whole is not Op.EQUAL:
            p = parent
            while p.tag != qn("w:p"):
                p = p.getparent()
            self.whole[id(p)] = (p, revision.whole)

    def revised_line(self, style: str, old: str, new: str) -> None:
        """A line of the front matter or the TOC heading, compared as text."""
        self.w.rich(self.w.paragraph(style),
                    self.redline.revisions.revise(_text(old), _text(new), self.characters))

    # the document

    def front_matter(self) -> None:
        r = self.redline
        old, new = r.old, r.new
        self.w.rich(self.w.paragraph("Title"), r.title)
        if r.description is not None:
            self.w.rich(self.w.paragraph("Normal"), r.description)

        def lines(doc: LocalizedDocument) -> list[str]:
            labels, sep = doc.labels, doc.term_separator
            return [f"{labels.version} {doc.meta.version}",
                    f"{labels.effective}{sep}{doc.effective_text}",
                    f"{labels.last_updated}{sep}{doc.updated_text}"]

        for a, b in zip(lines(old), lines(new), strict=True):
            self.revised_line("Subtitle", a, b)

    def toc(self) -> None:
        """The policy's TOC field, pre-filled with the entries of both versions, marked as
        the headings they point to are."""
        self.revised_line("TOC Heading", self.redline.old.labels.contents,
                          self.redline.new.labels.contents)
        entries = [e for e in self.headings(self.redline.sections) if e[1] <= docx_styles.TOC_DEPTH]
        if not entries:
            p = self.w.paragraph("Normal")
            p.extend([*ooxml.field_start(docx_styles.TOC_INSTRUCTION), ooxml.field_end()])
            return
        for i, (title, level, ident, kind, number) in enumerate(entries):
            p = self.w.paragraph(f"TOC {level}")
            self.toc_entries.append(p)
            if i == 0:
                p.extend(ooxml.field_start(docx_styles.TOC_INSTRUCTION))
            target = ooxml.hyperlink(self.w.part, anchor=self.anchors[ident])
            p.append(target)
            if number:
                target.append(ooxml.run(legal.heading_number(number) + " "))
            revision = self.redline.revisions.of(title)
            if revision is not None:
                for piece in revision.pieces:
                    start = len(target)
                    target.append(ooxml.run(docx_body._plain(plain_text(piece.inlines))))
                    if piece.op is not Op.EQUAL:
                        self.revisions.runs(list(target)[start:], _KIND[piece.op])
            else:
                target.append(ooxml.run(docx_body._plain(title.plain())))
            if i == len(entries) - 1:
                p.append(ooxml.field_end())
            if kind is not None:  # move marks belong to the body's move ranges
                self.revisions.paragraph(p, ooxml.MARKS[kind])

    def headings(self, diffs: tuple[SectionDiff, ...]
                 ) -> Iterator[tuple[Rich, int, str, str | None, str]]:
        """(title, level, id, revision kind, number) of every heading, in the body's order."""
        for s in diffs:
            if s.status is Status.KEPT:
                assert s.new is not None
                yield s.title, s.depth, s.id, None, s.new.number
                yield from self.headings(s.children)
                continue
            adding = s.status in _ADDING
            root = s.new if adding else s.old
            assert root is not None
            kind = _ADDING[s.status] if adding else _REMOVING[s.status]
            for sub in _walk(root):
                yield sub.title, sub.level, sub.id, kind, sub.number

    def diff_section(self, s: SectionDiff) -> None:
        if s.status is Status.KEPT:
            assert s.new is not None
            p = self.w.heading(s.depth, s.new.number)
            self.w.clause_prefix = s.new.number
            self.w.rich(p, s.title)
            ooxml.bookmark(p, self.anchors[s.id], self.w.bookmarks)
            self.w.bookmarks += 1
            for block in s.blocks:
                self.w.block(block)
            for child in s.children:
                self.diff_section(child)
            return
        body = self.document.element.body
        start = body.index(self.w.end)
        adding = s.status in _ADDING
        root = s.new if adding else s.old
        assert root is not None
        kind = _ADDING[s.status] if adding else _REMOVING[s.status]
        self.w.section(root)
        produced = list(body)[start:body.index(self.w.end)]
        if kind in (ooxml.MOVE_FROM, ooxml.MOVE_TO):
            self.move_range(produced, kind, s.id)
        for element in produced:
            if not adding:
                self.unbookmark(element)
            self.revisions.block(element, kind)

    def unbookmark(self, element: BaseOxmlElement) -> None:
        """The old copy of a section that still exists leaves its bookmark to the new one."""
        names = {self.anchors[i] for i in self.new_ids}
        starts = [b for b in element.iter(qn("w:bookmarkStart"))
                  if b.get(qn("w:name")) in names]
        for b in starts:
            ident = b.get(qn("w:id"))
            for end in element.iter(qn("w:bookmarkEnd")):
                if end.get(qn("w:id")) == ident:
                    end.getparent().remove(end)
            b.getparent().remove(b)

    def move_range(self, produced: list[BaseOxmlElement], kind: str, ident: str) -> None:
        """Name both ends of a move (w:moveFromRangeStart ... w:moveToRangeEnd) alike."""
        paragraphs = [p for el in produced for p in el.iter(qn("w:p"))]
        if not paragraphs:
            return
        name = f"move_{self.anchors[ident]}"
        start = self.revisions.element(f"{kind}RangeStart")
        start.set(qn("w:name"), name)
        end = ooxml.OxmlElement(f"w:{kind}RangeEnd")
        end.set(qn("w:id"), start.get(qn("w:id")))
        first, last = paragraphs[0], paragraphs[-1]
        ppr = first.find(qn("w:pPr"))
        first.insert(0 if ppr is None else 1, start)
        last.append(end)

    def finish(self) -> None:
        """Mark the paragraphs whose unit was added or removed whole (their labels and
        separators too), and the table rows made only of such paragraphs."""
        rows: dict[int, BaseOxmlElement] = {}
        for p, op in self.whole.values():
            self.revisions.paragraph(p, _KIND[op])
            tr = p.getparent().getparent() if p.getparent().tag == qn("w:tc") else None
            if tr is not None and tr.tag == qn("w:tr"):
                rows[id(tr)] = tr
        for tr in rows.values():
            ops = {self.whole[id(p)][1] if id(p) in self.whole else None
                   for p in tr.iter(qn("w:p"))}
            only = ops.pop() if len(ops) == 1 else None
            if only is not None:
                self.revisions.row(tr, _KIND[only])
        # A paragraph cannot join a table or the section end: paragraphs before either are
        # settled in runs; the last TOC entry holds the field's end and cannot go either.
        run: list[BaseOxmlElement] = []
        toc = {id(p) for p in self.toc_entries}
        for element in self.document.element.body:
            if element.tag == qn("w:p") and id(element) not in toc:
                run.append(element)
            else:
                ooxml.shift_marks(run)
                run = []
        ooxml.shift_marks(self.toc_entries)


def render_docx(redline: Redline, options: RenderOptions) -> bytes:
    new = redline.new
    reference = policy.reference_path(options)
    document = policy.open_reference(reference)
    need = {**policy.required_styles(redline.old), **policy.required_styles(new)}
    policy.add_fallback_styles(document, need)
    styles = policy.resolve_styles(document, need, reference)
    policy.page_setup(document, options.page_size)
    policy.number_headings(document, new, styles)
    writer = _TrackedWriter(document, redline, styles)
    writer.front_matter()
    writer.toc()
    writer.w.preamble()
    for section in redline.sections:
        writer.diff_section(section)
    writer.finish()
    parts = policy.header_footer(writer.w)
    header_runs = parts[0].findall(f"{qn('w:p')}/{qn('w:r')}/{qn('w:t')}")
    if header_runs:
        header_runs[-1].text = f"{new.title} \u00b7 {versions_label(redline)}"
    policy.language(document, new)
    policy.properties(document, new)
    document.core_properties.subject = versions_label(redline)
    settings = document.settings.element
    for stale in settings.findall(qn("w:updateFields")):  # a refresh would rebuild the TOC
        settings.remove(stale)                          # without its revision marks
    ooxml.child(settings, "trackRevisions", ooxml.SETTINGS_ORDER)  # later edits tracked too
    if new.direction == "rtl":
        for root in (document.element.body, *parts):
            ooxml.make_rtl(root)
        ooxml.mirror_borders(document.styles.element)
    out = io.BytesIO()
    document.save(out)
    return ooxml.normalize_zip(out.getvalue(), new.meta.updated)
