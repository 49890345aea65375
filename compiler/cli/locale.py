"""`policyc locale init|update|status|check`: the translation catalogs of a project.

The work is done in compiler/i18n (workflow, merge, checks); these commands print it.
"""

from __future__ import annotations

import re
from pathlib import Path

import click

from compiler.cli import options as opt
from compiler.cli.report import Report, reported
from compiler.names import LOCALE_PATTERN


@click.group()
def locale() -> None:
    """Translation catalogs: init, update, status, check."""


@locale.command("init")
@click.argument("code")
@click.argument("sources", nargs=-1, type=click.Path(path_type=Path))
@opt.locales_dir_option
@reported
def locale_init(report: Report, code: str, sources: tuple[Path, ...],
                locales_dir: Path | None) -> None:
    """Start the catalogs of locale CODE and register CODE in each source's `locales:`."""
    from babel import localedata

    from compiler.errors import display_path
    from compiler.i18n import workflow
    from compiler.i18n.catalogs import UI_DOMAIN
    from compiler.i18n.register import add_locale
    from compiler.names import cldr_code
    from compiler.readers.cldr import did_you_mean

    given, code = code, cldr_code(code)  # pt-BR -> pt_BR, as import reads it (qa6 N11)
    if not re.fullmatch(LOCALE_PATTERN, code) or not localedata.exists(code):
        raise click.BadParameter(f"unknown locale {given!r} (expected a CLDR code such as de, "
                                 f"pt_BR{did_you_mean(given)})", param_hint="CODE")
    docs = opt.documents(sources, locales_dir)
    report.add(workflow.reserved(docs))
    report.add(workflow.written_in(docs, code))
    if report.errors:
        return
    for made in workflow.init([(d, ld) for d, ld in docs if d.meta.source_locale != code],
                              code):
        shown = display_path(made.path)
        if made.existed:
            click.echo(f"policyc: kept {shown} (it exists; 'policyc locale update' merges new "
                       "messages into it)", err=True)
            continue
        shared = " (shared by every document)" if made.path.stem == UI_DOMAIN else ""
        filled = (f", {made.prefilled} already translated by policyc" if made.prefilled else "")
        click.echo(f"policyc: created {shown}: {made.messages} messages to translate{shared}"
                   f"{filled}", err=True)
    for doc, _ldir in docs:
        shown = display_path(doc.path)
        if code == doc.meta.source_locale:
            continue
        if add_locale(Path(doc.path), code):
            click.echo(f"policyc: registered '{code}' in {shown} (locales: "
                       f"{', '.join([*doc.meta.locales, code])})", err=True)
        else:
            click.echo(f"policyc: '{code}' is already listed in {shown}", err=True)


@locale.command("update")
@click.argument("sources", nargs=-1, type=click.Path(path_type=Path))
@opt.locales_dir_option
@reported
def locale_update(report: Report, sources: tuple[Path, ...], locales_dir: Path | None) -> None:
    """Re-extract the templates and merge them into every catalog on disk (an edited message
    becomes fuzzy with its previous text; a removed one obsolete; nothing is lost)."""
    from compiler.i18n import workflow

    docs = opt.documents(sources, locales_dir)
    report.add(workflow.reserved(docs))
    if report.errors:
        return
    done, problems = workflow.update(docs)
    for st in done:
        click.echo(f"policyc: {'updated' if st.changed else 'unchanged'} {st.path}: "
                   f"{st.translated} translated, {st.fuzzy} fuzzy, "
                   f"{st.untranslated} untranslated, {st.errors} broken, {st.obsolete} "
                   "obsolete", err=True)
    report.add(problems)


@locale.command("status")
@click.argument("sources", nargs=-1, type=click.Path(path_type=Path))
@opt.locales_dir_option
@click.option("--min-complete", type=click.FloatRange(0, 100), default=None,
              help="Fail when a catalog is less complete than this percentage.")
@reported
def locale_status(report: Report, sources: tuple[Path, ...], locales_dir: Path | None,
                  min_complete: float | None) -> None:
    """Counts of every catalog on disk, registered or not: translated, fuzzy, untranslated,
    broken, obsolete. A translation failing a check (placeholders, markup, links) is broken
    and a blank one untranslated: neither counts as translated."""
    from compiler.errors import CompilerError, display_path
    from compiler.i18n import workflow
    from compiler.i18n.catalogs import catalog_root, read_po, status

    docs = opt.documents(sources, locales_dir)
    report.add(workflow.reserved(docs))
    if report.errors:
        return
    click.echo(f"  {'catalog':<22} {'locale':<8} {'translated':>10} {'fuzzy':>6} "
               f"{'untransl.':>9} {'broken':>6} {'obsolete':>8} {'complete':>9}")
    for found in workflow.catalogs(docs):
        try:
            st = status(read_po(found.path, catalog_root(found.path.parents[2])),
                        display_path(found.path), found.code,
                        workflow.source_labels(docs, found))
        except CompilerError as err:
            report.add(err.diagnostics)
            click.echo(f"  {found.domain:<22} {found.code:<8} {'(unreadable: see below)':>50}")
            continue
        note = "" if found.registered else "  (not in the source's locales:)"
        click.echo(f"  {found.domain:<22} {found.code:<8} {st.translated:>10} {st.fuzzy:>6} "
                   f"{st.untranslated:>9} {st.errors:>6} {st.obsolete:>8} {st.percent:>8.1f}%"
                   f"{note}")
        if st.errors:
            report.fail(f"{found.domain}/{found.code}: {st.errors} broken translation"
                        f"{'s' if st.errors != 1 else ''} ('policyc locale check' shows them)")
        if min_complete is not None and st.percent < min_complete:
            report.fail(f"below --min-complete: {found.domain}/{found.code}: "
                        f"{st.percent:.1f}% < {min_complete:g}%")
    for doc_id, code in workflow.missing(docs):
        click.echo(f"  {doc_id:<22} {code:<8} {'(no catalog)':>50}")
        if min_complete is not None:
            report.fail(f"below --min-complete: {doc_id}/{code}: no catalog")


@locale.command("check")
@click.argument("codes", nargs=-1)
@click.option("--source", "sources", multiple=True, type=click.Path(path_type=Path),
              help="Sources whose catalogs to check (default: source/*.yaml).")
@opt.locales_dir_option
@click.option("--strict", is_flag=True, envvar="POLICYC_STRICT",
              help="Untranslated, fuzzy and blank messages are errors, each at its PO line "
                   "(as `build --strict` fails on them).")
@reported
def locale_check(report: Report, codes: tuple[str, ...], sources: tuple[Path, ...],
                 locales_dir: Path | None, strict: bool) -> None:
    """Validate every catalog (or those of CODES) without building: syntax, charset,
    duplicates, characters, placeholders, markup and link targets, each at its PO line.
    Lists every link target a translation changed, so that a reviewer sees them."""
    from compiler.errors import CompilerError, Diagnostic, Loc, Severity, display_path
    from compiler.i18n import workflow
    from compiler.i18n.catalogs import catalog_root, policyc_word, read_po
    from compiler.i18n.checks import Verdict, changed_links, gap, judge, unit
    from compiler.i18n.ui import UI_CONTEXT

    docs = opt.documents(sources, locales_dir)
    report.add(workflow.reserved(docs))
    if report.errors:
        return
    codes = opt.split_locales(codes)  # pt-BR -> pt_BR
    checked = 0
    for found in workflow.catalogs(docs, codes):
        shown = display_path(found.path)
        try:
            catalog = read_po(found.path, catalog_root(found.path.parents[2]))
        except CompilerError as err:
            report.add(err.diagnostics)
            continue
        checked += 1
        changed: list[str] = []
        gaps: list[Diagnostic] = []
        source = workflow.source_labels(docs, found)
        for m in catalog.messages:
            if m.context == UI_CONTEXT and policyc_word(found.code, source, m.msgstr, m.fuzzy):
                continue  # policyc's own word, as the build takes it (review7 F10)
            if not m.msgid or not m.msgstr or m.fuzzy:
                if strict and m.msgid:
                    gaps.append(gap(Loc(shown, m.line), found.code, m.msgid,
                                    "fuzzy" if m.msgstr else "untranslated"))
                continue
            loc = Loc(shown, m.msgstr_line or m.line)  # the translation's line (qa6 N2)
            verdict, problems = judge(m.context, m.msgid, m.msgstr, loc)
            report.add(p for p in problems if p.severity.value == "error")
            if strict and verdict is Verdict.UNTRANSLATED:
                gaps.append(gap(Loc(shown, m.line), found.code, m.msgid, "blank"))
            changed += [f"  {loc}: {old} -> {new}"
                        for old, new in changed_links(unit(m.context, m.msgid, m.msgstr))]
        if changed:
            click.echo(f"{found.code}: {len(changed)} link target"
                       f"{'s' if len(changed) != 1 else ''} changed by the translation in "
                       f"{shown}:")
            for line in changed:
                click.echo(line)
        report.add(Diagnostic(g.loc, g.message, Severity.ERROR, g.category) for g in gaps)
    report.add(workflow.uncatalogued(docs, codes))
    if not report.errors:
        click.echo(f"policyc: {checked} catalog{'s' if checked != 1 else ''} OK", err=True)
