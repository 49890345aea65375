"""`policyc diff`: redlines of two versions of a policy, in every locale and every format."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import click

from compiler.cli import options as opt
from compiler.cli.report import Report, plural, reported
from compiler.redline import FOLDER

if TYPE_CHECKING:
    from compiler.errors import Diagnostic
    from compiler.renderers import RenderOptions


@click.command()
@click.argument("old", metavar="OLD")
@click.argument("new", metavar="NEW")
@click.option("--out", type=click.Path(path_type=Path), default=Path("dist") / FOLDER,
              show_default=True, help="Writes OUT/<locale>/<id>.redline.html|pdf|docx.")
@click.option("--locale", "locales", multiple=True,
              help="Locales to compare (default: every locale NEW lists; with --summary or "
                   "--json, the source locale).")
@click.option("--format", "formats", multiple=True, help="html,pdf,docx (default: all).")
@click.option("--summary", is_flag=True,
              help="Print the changed sections (for the notification e-mail); write no files.")
@click.option("--json", "as_json", is_flag=True,
              help="Print what --summary prints as JSON, for other tools; write no files.")
@click.option("--strict", is_flag=True, help="Untranslated or fuzzy strings are errors.")
@reported
def diff(report: Report, *, old: str, new: str, out: Path, locales: tuple[str, ...], formats: tuple[str, ...],
         summary: bool, as_json: bool, strict: bool) -> None:
    """Redlines of NEW against OLD, in each locale.

    OLD and NEW are source files or git revisions, git:REV:PATH (read with `git show`, no
    checkout; git:REV alone takes the other side's path), each with the catalogs of its
    own version. Sections are matched by id (moved, added, removed, retitled), then
    blocks, then words (characters in Chinese and Japanese), after placeholders are
    filled in. HTML and PDF mark insertions and deletions; the DOCX carries Word tracked
    changes to accept or reject.

    \b
      policyc diff git:v1.0.0:source/privacy-policy.yaml source/privacy-policy.yaml
      policyc diff git:v1.0.0 source/privacy-policy.yaml --summary
    """
    from compiler import termination
    from compiler.errors import display_path
    from compiler.fs import folder_lock, write_atomic
    from compiler.redline import make
    from compiler.redline import summary as brief
    from compiler.redline.revisions import read_revision
    from compiler.renderers import RenderOptions, warnings_of
    from compiler.renderers.templates import Templates

    fmts = opt.formats(formats)
    layout, config = opt.project()
    shared = config.variables
    before = read_revision(old, other=new, shared=shared)
    after = read_revision(new, other=old, shared=shared)
    wanted = opt.split_locales(locales)
    if (summary or as_json) and not wanted:
        wanted = (after.document.meta.source_locale,)
    from compiler import logs

    quiet = logs.level() >= logs.ERROR
    if not quiet:
        for side in (before, after):
            note = make.borrowed_note(side)
            if note is not None:
                click.echo(f"policyc: {note}", err=True)
    redlines, warnings = make.compare_revisions(before, after, wanted, strict=strict)
    report.add(warnings)
    if summary or as_json:
        if as_json:
            data = [brief.as_data(r) for r in redlines]
            click.echo(json.dumps(data[0] if len(data) == 1 else data, indent=2,
                                  ensure_ascii=False))
        else:
            click.echo("\n".join(brief.as_text(r) for r in redlines), nl=False)
        return
    # the policy's own look: the project's templates and brand, as its build uses them
    look = RenderOptions(templates=Templates.for_project(layout.templates), theme=config.theme)
    said = sheet_warnings(look, fmts, strict)  # --strict fails here, before anything is written
    report.add(said)
    written = 0
    with folder_lock(out):  # a build or another diff into the same folder waits
        for redline in redlines:
            options = make.redline_options(redline, redlines, fmts,
                                           reference_docx=after.reference_docx(), look=look)
            for fmt in fmts:
                target = make.redline_path(out, redline.new.language.code,
                                           redline.new.meta.id, fmt)
                rendered = make.render(redline, fmt, options)
                report.add(w for w in warnings_of(rendered) if w not in said)
                said += warnings_of(rendered)
                termination.check()  # a SIGTERM the render swallowed: nothing written (R8-12)
                write_atomic(target, rendered)
                written += 1
    if quiet:
        return
    codes = ", ".join(r.new.language.code for r in redlines)
    click.echo(f"policyc: wrote {plural(written, 'redline')} "
               f"({before.document.meta.version} -> {after.document.meta.version}; {codes}) "
               f"to {display_path(out)}", err=True)


def sheet_warnings(look: RenderOptions, formats: tuple[str, ...],
                   strict: bool) -> tuple[Diagnostic, ...]:
    """The project's print.css warnings, located (renderers/pdf.sheet_warnings), when PDF
    redlines are asked for: said once, as a build says them; errors with --strict."""
    if "pdf" not in formats:
        return ()
    from compiler.errors import Diagnostics
    from compiler.renderers.pdf import sheet_warnings as found

    warnings = found(look.templates) or ()
    said = Diagnostics()
    said.extend(list(warnings))
    said.raise_if_errors(strict=strict)
    return warnings
