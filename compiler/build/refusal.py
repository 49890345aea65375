"""build --sign: a locale with untranslated or fuzzy text gets no signed PDF, and no page
links the PDF it would not find (qa6 D8, review6 F3/F4)."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from compiler.build import plan
from compiler.build.plan import BuildOptions, Job
from compiler.build.state import STALE, State
from compiler.errors import Category, Diagnostic, Loc, Severity, display_path

if TYPE_CHECKING:
    from compiler.model import LocalizedDocument


def _rel(job: Job, options: BuildOptions) -> str:
    return job.target.relative_to(options.out).as_posix()


def refuse_incomplete(pair: tuple[str, str], ldoc: LocalizedDocument, work: list[Job],
                       refused: list[Diagnostic], withdrawn: list[Job], state: State,
                       options: BuildOptions) -> list[Job]:
    """With --sign: a locale with untranslated or fuzzy text gets no PDF (an older signed
    one is removed: it would pass for the current text); the jobs left to render."""
    from compiler.signing.batch import refuse_incomplete as refusals

    pdf = any(j.fmt == "pdf" for j in work)
    page = any(j.fmt == "html" for j in work)
    # a page whose PDF another --shard slice signs (or refuses) is checked too
    if not pdf and not (page and plan.sign_gate(options)):
        return work
    refusal = refusals({pair: ldoc}, [pair]).get(pair)
    if refusal is None:
        return work
    if pdf:  # the slice that signs the PDF says so (and fails)
        refused.append(refusal)
    for job in work:
        if job.fmt == "pdf":
            withdrawn.append(job)
            job.target.unlink(missing_ok=True)
            state.outputs.pop(_rel(job, options), None)
    if pdf and not page:
        refused.extend(_stale_page(pair, ldoc, state, options))
    # its page offers no PDF it would not find (the key of a page built under this gate
    # holds the source and catalogs that decided the refusal: plan.sign_gate)
    return [replace(j, withheld=("pdf",)) if j.fmt == "html" else j
            for j in work if j.fmt != "pdf"]


def _stale_page(pair: tuple[str, str], ldoc: LocalizedDocument, state: State,
                options: BuildOptions) -> list[Diagnostic]:
    """A refused PDF's page this build does not render (--format pdf, or up to date) still
    links the PDF just withdrawn: a warning, and it is recorded stale (not listed; the next
    build rendering pages remakes it without the link) (review6 F3)."""
    page = plan.output_path(options.out, pair[0], pair[1], "html")
    rel = page.relative_to(options.out).as_posix()
    entry = state.outputs.get(rel)
    if entry is None or not page.is_file():
        return []
    state.outputs[rel] = replace(entry, key=STALE, content="")  # listed nowhere until remade
    return [Diagnostic(Loc(ldoc.document.path), f"{display_path(page)} still links "
                       f"its withdrawn PDF until pages are built again (policyc build "
                       f"--format html)", Severity.WARNING, Category.TRANSLATION)]
