"""Making redlines: both versions localized in each locale (each with its own catalogs),
compared, and rendered to HTML, PDF and DOCX bytes; the command writes them."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path

from compiler.errors import Category, Diagnostic, Diagnostics, Loc
from compiler.i18n.localize import localize
from compiler.model import LocalizedDocument
from compiler.redline import file_name
from compiler.redline.compare import Redline, compare_documents
from compiler.redline.revisions import Revision
from compiler.renderers import FORMATS, Alternate, Download, RenderOptions


def redline_path(out: Path, locale: str, doc_id: str, fmt: str) -> Path:
    """<out>/<locale>/<id>.redline.<fmt>: with the default out, ../redline/<locale>/ seen
    from the policy's dist/<locale>/ pages."""
    return out / locale / file_name(doc_id, fmt)


def _localized(revision: Revision, locale: str, diag: Diagnostics) -> LocalizedDocument:
    doc = revision.document
    translations, shown = revision.translations(locale)
    ldoc, found = localize(doc, locale, translations)
    if revision.borrowed:  # the other side may read the same catalog: say which text this is
        found.items = [dataclasses.replace(d, message=f"{d.message} (reading {revision.spec})")
                       for d in found.items]
    diag.extend(found)
    if translations is None and locale != doc.meta.source_locale:
        whose = "this project" if revision.borrowed else revision.spec
        diag.warning(Loc(shown), f"no catalog for locale '{locale}' in {whose}: the text of "
                     f"{revision.spec} is compared in {doc.meta.source_locale}",
                     Category.TRANSLATION)
    return ldoc


def borrowed_note(revision: Revision) -> str | None:
    """What the command says when a version is read with catalogs not its own."""
    if not revision.borrowed or not isinstance(revision.locales, Path):
        return None
    from compiler.errors import display_path

    return (f"{revision.spec} is not in a project's source/ folder, so it has no catalogs of "
            f"its own: it is translated with this project's ({display_path(revision.locales)}"
            "/), taking the translations they held before their last update (obsolete #~ and "
            "previous #| entries) where its text differs; to compare each version with its "
            "own catalogs, name a git revision (git:REV:PATH)")


def compare_revisions(old: Revision, new: Revision, locales: tuple[str, ...] = (),
                      strict: bool = False) -> tuple[list[Redline], list[Diagnostic]]:
    """One comparison per locale (default: every locale the new version lists). Raises
    CompilerError with every problem; returns the warnings (untranslated strings...)."""
    diag = Diagnostics()
    old_meta, new_meta = old.document.meta, new.document.meta
    if old_meta.id != new_meta.id:
        diag.error(new_meta.title.loc, f"comparing two different documents ('{old_meta.id}' in "
                   f"{old.spec}, '{new_meta.id}' here): expected two versions of one")
    for wanted in locales:
        if wanted not in new_meta.locales:
            diag.error(Loc(new.spec), f"locale '{wanted}' is not listed in 'locales' "
                       f"(expected one of: {', '.join(new_meta.locales)})")
    diag.raise_if_errors()
    redlines: list[Redline] = []
    for locale in locales or new_meta.locales:
        if locale not in old_meta.locales:
            diag.warning(Loc(old.spec), f"no redline in '{locale}': the old version "
                         f"({old_meta.version}) was not published in it")
            continue
        pair = _localized(old, locale, diag), _localized(new, locale, diag)
        redlines.append(compare_documents(*pair))
    diag.raise_if_errors(strict=strict)
    return redlines, diag.warnings


def redline_options(redline: Redline, redlines: list[Redline], formats: tuple[str, ...],
                    page_size: str | None = None, pdf_variant: str | None = "pdf/a-3a",
                    reference_docx: Path | None = None,
                    look: RenderOptions | None = None) -> RenderOptions:
    """Render options of one redline: links to the other locales' redlines and to its own
    PDF and DOCX, the new version's DOCX style reference, the project's templates and brand
    (look's: the policy's own look), no canonical URL (a redline is not the policy)."""
    doc_id = redline.new.meta.id
    alternates = tuple(Alternate(r.new.language,
                                 f"../{r.new.language.code}/{file_name(doc_id, 'html')}")
                       for r in redlines) if "html" in formats else ()
    downloads = tuple(Download(fmt, file_name(doc_id, fmt))
                      for fmt in ("pdf", "docx") if fmt in formats)
    look = look or RenderOptions()
    return RenderOptions(templates=look.templates, theme=look.theme,
                         page_size=page_size or redline.new.meta.page_size,
                         pdf_variant=pdf_variant, alternates=alternates, downloads=downloads,
                         reference_docx=reference_docx)


def renderer(fmt: str) -> Callable[[Redline, RenderOptions], bytes]:
    """The redline writer of one format (imported on use: WeasyPrint and python-docx are slow)."""
    assert fmt in FORMATS, fmt
    if fmt == "docx":
        from compiler.redline.docx import render_docx

        return render_docx
    from compiler.redline import html

    return html.render_pdf if fmt == "pdf" else html.render_html


def render(redline: Redline, fmt: str, options: RenderOptions) -> bytes:
    return renderer(fmt)(redline, options)
