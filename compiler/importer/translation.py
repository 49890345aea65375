"""`policyc import --translation`: a translated document aligned to a source's messages,
written as the locale's PO catalog through the project's own catalog code."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from compiler.errors import Category, CompilerError, Loc, display_path
from compiler.importer.align import Alignment, Pair, align
from compiler.readers import ReadOptions
from compiler.readers.draft import Finding

_META = frozenset({"id", "title", "version", "updated", "effective", "source_locale",
                   "organization"})


@dataclass(frozen=True)
class TranslationImport:
    path: Path  # the catalog written
    alignment: Alignment
    findings: tuple[Finding, ...]
    messages: int  # document messages in the catalog


def import_translation(file: Path, source: Path, locale: str, locales_dir: Path, *,
                       fmt: str | None = None, force: bool = False) -> TranslationImport:
    from babel import Locale, UnknownLocaleError

    from compiler.i18n.catalogs import po_path
    from compiler.i18n.extract import template_catalog, write_catalog
    from compiler.i18n.merge import initial
    from compiler.i18n.ui import UI_CONTEXT
    from compiler.i18n.workflow import init_ui
    from compiler.importer.run import read
    from compiler.readers import read_file

    try:
        Locale.parse(locale)
    except (ValueError, UnknownLocaleError) as err:
        raise CompilerError.at(Loc("--translation"), f"unknown locale '{locale}' (expected a "
                               "code such as de, fr, pt_BR)", Category.SCHEMA) from err
    doc = read_file(source)
    if locale == doc.meta.source_locale:
        raise CompilerError.at(Loc(display_path(source)), f"'{locale}' is the source's own "
                               "language (expected the language of the translation)")
    reading, _ = read(file, ReadOptions(locale=locale), fmt)
    alignment = align(doc, reading.document, locale)
    target = po_path(locales_dir, locale, doc.meta.id)
    if target.exists() and not force:
        raise CompilerError.at(Loc(display_path(target)), "catalog exists already (pass --force "
                               "to replace it with the aligned translation)", Category.IO)
    catalog = initial(template_catalog(doc), locale)
    chosen: dict[tuple[str, str], Pair] = {}
    for pair in alignment.pairs:
        key = (pair.source.context, pair.source.source)
        previous = chosen.get(key)
        if previous is None or (previous.fuzzy and not pair.fuzzy):
            chosen[key] = pair
    messages = 0
    origin = display_path(file)
    for message in catalog.messages:
        if not message.msgid or message.context == UI_CONTEXT:
            continue
        messages += 1
        match = chosen.get((message.context or "", message.msgid))
        if match is None:
            message.translator_comments.append(f"policyc import: no matching text in {origin}")
            continue
        message.msgstr = match.msgstr
        if match.fuzzy:
            message.set_fuzzy(True)
            for note in match.notes:
                message.translator_comments.append(f"policyc import: {note}")
    write_catalog(catalog, target)
    init_ui(locales_dir, locale, doc.meta.updated)  # the layout's words, if not there yet
    # what the reader guessed about the translation's own metadata (its id, dates, version,
    # organization) is not written anywhere: the catalog belongs to the source's document
    findings = [f for f in reading.findings if not (f.kind == "guessed" and f.key in _META)]
    findings.extend(Finding("unmapped", r.loc, f"no source message for {r.plain()[:60]!r}")
                    for r in alignment.leftover)
    return TranslationImport(target, alignment, tuple(findings), messages)
