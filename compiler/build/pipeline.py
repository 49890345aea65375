"""build(): plan the jobs, localize what is stale, run the pool, record state, manifest and index."""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from compiler import logs, termination
from compiler.build import plan as planning
from compiler.build.cutoff import Cutoff
from compiler.build.localizing import (
    Inputs,
    localize_checked,
    parsed_once,
    read_catalog,
    recording,
)
from compiler.build.manifest import Completeness, Output, PageInfo, index_html, manifest_bytes, withheld
from compiler.build.plan import BuildOptions, Job, input_digests, locales_dir_for
from compiler.build.provenance import Provenance
from compiler.build.refusal import refuse_incomplete
from compiler.build.run import Runner, head_start, start_pool
from compiler.build.stale import Scope, unpublish
from compiler.build.state import STALE, LocaleState, OutputState, State
from compiler.build.titles import Titles
from compiler.build.warm.later import Later
from compiler.errors import (
    Category,
    CompilerError,
    Diagnostic,
    Diagnostics,
    Loc,
    Severity,
    display_path,
)
from compiler.fs import folder_lock, remove_temporaries, write_atomic, write_if_changed, write_or_collect
from compiler.i18n.paths import po_path
from compiler.project.documents import Linked
from compiler.project.sources import Facts, check_ids, discover, read_facts, shared_digest
from compiler.renderers import embeds_inputs, warnings_of

if TYPE_CHECKING:
    from compiler.model import Document, LocalizedDocument

@dataclass
class BuildResult:
    """What one build did: the outputs it planned (built or up to date), warnings, completeness."""

    outputs: list[Output] = field(default_factory=list)
    warnings: list[Diagnostic] = field(default_factory=list)
    completeness: Completeness = field(default_factory=dict)
    seconds: float = 0.0
    removed: list[str] = field(default_factory=list)  # outputs no longer built (build/stale.py)
    # outputs on disk left as made from inputs since changed (or by a failed write): not
    # listed until a build makes them again (build/provenance.py)
    unlisted: list[str] = field(default_factory=list)
    warm: str | None = None  # a warm worker was started for the next build (build/warm/later)
    # what the next build would say if nothing changes (no-op: `warnings`); None when it
    # would have more to do (compiler/uptodate keeps it for that build)
    next_warnings: list[Diagnostic] | None = None

    @property
    def built(self) -> int:
        return sum(o.built for o in self.outputs)

    @property
    def skipped(self) -> int:
        return sum(not o.built for o in self.outputs)


def build(sources: Sequence[str | Path], options: BuildOptions,
          progress: Callable[[str, int, int], None] | None = None,
          done: Callable[[BuildResult], object] | None = None) -> BuildResult:
    """Build every document x locale x format; raise CompilerError with all user mistakes.

    The output folder is locked for the whole build: a second build into it waits, so
    outputs, state and manifest always come from one build. done(result) runs before the
    lock is released (the up-to-date memo: compiler/uptodate/record.py).
    """
    if options.base_url is not None:
        from compiler import links  # its patterns cost: only when there is a URL to check

        if why := links.canonical_problem(options.base_url):
            raise CompilerError.at(Loc("--base-url"), f"'{options.base_url}' is not allowed: "
                                   f"{why}", Category.REFERENCE)
    later = Later()  # the terminal's warm worker, started once the lock is released
    with later, folder_lock(options.out), contextlib.ExitStack() as cleanup:
        for left in remove_temporaries(options.out):  # of a build killed mid-write
            logs.logger(__name__).info("removed %s (left by an interrupted write)", left)
        result = _build(sources, options, progress, cleanup, later)  # later then sets .warm
        if done is not None:
            done(result)
        return result


def _build(sources: Sequence[str | Path], options: BuildOptions,
           progress: Callable[[str, int, int], None] | None,
           cleanup: contextlib.ExitStack, later: Later) -> BuildResult:
    started = time.perf_counter()
    planning.forget_inputs()
    result = later.result = BuildResult()
    diag = Diagnostics()
    sources_facts: list[tuple[Path, Facts]] = []
    loaded: dict[Path, Document] = {}
    for path in discover(sources):
        try:
            facts, doc = read_facts(path, options.variables)
        except CompilerError as err:
            diag.extend(err.diagnostics)
            continue
        sources_facts.append((path, facts))
        diag.extend(facts.diagnostics())
        if doc is not None:
            loaded[path] = doc
    check_ids(sources_facts, diag, options.variables)
    diag.raise_if_errors(strict=options.strict)
    result.warnings.extend(diag.warnings)
    linked = Linked(sources_facts, lambda p: read_facts(p, options.variables)[0])
    linked.check(sources_facts, diag)

    def catalog_digest(path: Path, facts: Facts, locale: str) -> str:
        if locale == facts.source_locale:
            return ""
        return planning.file_digest(po_path(locales_dir_for(path, options), locale, facts.id))

    def document(path: Path) -> Document:
        """The full model, parsed only when something must be rendered."""
        if path not in loaded:
            from compiler.readers import read_file

            loaded[path] = parsed_once("source", path, lambda: read_file(path, options.variables),
                                 shared_digest(options.variables))
        return loaded[path]

    jobs = planning.plan(sources_facts, options, result.warnings,  # + print.css's (F1, F2)
                         lambda facts, locale: linked.key(facts, locale, catalog_digest))
    planned_warnings = len(result.warnings)  # those of any build of these inputs
    diag.raise_if_errors()
    state = State.read(options.out)
    fresh = {j for j in jobs if not options.force and state.is_fresh(options.out, j.target, j.key)}
    cutoff = Cutoff(state, options, read_catalog)  # catalog edits that change no translation
    not_fresh = [j for j in jobs if j not in fresh]
    options = later.choose(options, not_fresh)  # a running warm worker, or none
    # A warm worker's head start (it localizes its first PDF) goes out before the cutoff
    # reads the catalogs: a PDF carries them, so the cutoff never keeps one
    early = options.keep_warm > 0 and embeds_inputs("pdf", options.pdf_variant) and any(
        j.fmt == "pdf" for j in not_fresh)
    if early:
        logs.ready()  # what renders (workers, libraries) may log; a no-op build logs nothing
        pool, workers = start_pool(options, not_fresh, cleanup, result.warnings)
        head = head_start(pool, not_fresh, options)
    stale = cutoff.select(not_fresh)
    if not early:
        if stale:
            logs.ready()
        # workers warm up while the parent localizes
        pool, workers = start_pool(options, stale, cleanup, result.warnings)
        head = head_start(pool, stale, options)
    titles = Titles(linked, document, options)
    failed: dict[tuple[str, str], list[Diagnostic]] = {}  # one bad catalog fails one locale
    refused: list[Diagnostic] = []
    withdrawn: list[Job] = []
    unwritten: list[Diagnostic] = []  # outputs not written: the system refused, or a render overran
    by_pair: dict[tuple[str, str], list[Job]] = {}
    for job in stale:
        by_pair.setdefault((job.facts.id, job.locale), []).append(job)

    provenance = Provenance(sources_facts, options, linked)
    for job in fresh:
        entry = state.outputs[_rel(job, options)] = provenance.stamp(
            state.outputs[_rel(job, options)], job)
        result.outputs.append(_output(job, entry.size, entry.sha256, built=False))
    done = 0

    def finish(job: Job, data: bytes) -> None:
        nonlocal done
        # what the renderer found about the project's templates, once for all outputs
        result.warnings.extend(w for w in warnings_of(data) if w not in result.warnings)
        if job.fmt == "pdf" and options.signer is not None:
            from compiler.signing.batch import sign_localized

            data = sign_localized(data, titles.localized[(job.facts.id, job.locale)],
                                  options.signer, job.target)
        termination.check()  # a SIGTERM swallowed (signing, a render): this output unwritten
        if not write_or_collect(job.target, data, unwritten):  # this output only: the others
            return  # go on (its previous file stays, unlisted: _mark_stale)
        digest = hashlib.sha256(data).hexdigest()
        state.outputs[_rel(job, options)] = OutputState(
            job.key, len(data), digest, job.fmt, job.locale, job.facts.id, job.facts.version,
            cutoff.content(job), job.base, provenance.inputs(job.source, job.facts, job.locale),
            provenance.templates(job.fmt))
        result.outputs.append(_output(job, len(data), digest, built=True))
        done += 1
        logs.logger(__name__).info("wrote %s (%d bytes)", job.target, len(data))
        if progress:
            total = len(stale) - len(withdrawn) - sum(len(by_pair.get(p, ())) for p in failed)
            progress(f"{job.facts.id} {job.locale} {job.fmt}", done, total)

    inputs = input_digests(sources_facts, options)
    planned = {_rel(j, options): j.key for j in jobs}  # what each output is made from now
    runner = Runner(options, finish, pool, workers, head, lambda: _prepare_listings(options), unwritten)
    try:
        # Each locale's jobs go to the workers as soon as it is localized; nothing of a
        # failed locale is written (its previous outputs stay, and stay listed).
        for pair, ldoc, made_from in _localize(jobs, fresh, state, options, document, titles,
                                               result, failed, cutoff.before_localizing):
            kept, again = cutoff.settle(pair)
            for j, e in kept:  # the same bytes these inputs would make
                state.outputs[_rel(j, options)] = provenance.stamp(e, j)
            result.outputs.extend(_output(j, e.size, e.sha256, built=False) for j, e in kept)
            work = [*by_pair.get(pair, []), *again]
            if options.signer is not None and not options.allow_incomplete:
                work = refuse_incomplete(pair, ldoc, work, refused, withdrawn, state, options)
            runner.add(work, ldoc, made_from)
        runner.close()
    except BaseException:
        # Some outputs were replaced: state and manifest describe the files as they now are
        # (a failed write leaves its previous file, still listed as built before).
        with contextlib.suppress(CompilerError):
            _mark_stale(state, planned)
            provenance.mark_outdated(state)
            state.write(options.out)
            _write_listings(options, state, result, inputs, set(planned), failed=True)
        raise
    if options.shard == (1, 1):  # a shard does not plan the other slices' outputs
        scope = Scope.of(sources, {f.id for _, f in sources_facts}, options.locales,
                         options.formats)
        result.removed = unpublish(options.out, state, {
            _rel(j, options): (j.facts.id, j.locale) for j in jobs}, scope)
    _mark_stale(state, planned)  # a failed locale's outputs
    provenance.mark_outdated(state)  # those left as made from inputs since edited
    state.write(options.out)
    result.seconds = time.perf_counter() - started
    _write_listings(options, state, result, inputs, set(planned))
    if not result.unlisted:  # (a build listing fewer outputs than it recorded writes index.html)
        result.next_warnings = _next_warnings(result.warnings[:planned_warnings], jobs, state)
    if refused or failed or unwritten:  # everything else is built (and signed); these fail
        problems = [d for diagnostics in sorted(failed.items()) for d in diagnostics[1]]
        raise CompilerError([*refused, *unwritten, *problems],  # the build
                            [_failure_summary(failed, result)] if failed else [])
    return result


def _failure_summary(failed: dict[tuple[str, str], list[Diagnostic]],
                     result: BuildResult) -> str:
    """One line naming the failed locales (their problems are reported above it, each
    once: qa6 N1) and what was built."""
    names = []
    for (doc_id, locale), diagnostics in sorted(failed.items()):
        errors = sum(d.severity is Severity.ERROR for d in diagnostics)
        names.append(f"{doc_id}/{locale} ({errors} error{'s' if errors != 1 else ''})")
    built = sorted({f"{o.document}/{o.locale}" for o in result.outputs
                    if (o.document, o.locale) not in failed})
    return (f"failed locales, nothing of them published: {'; '.join(names)}; "
            f"built: {', '.join(built) or 'nothing'}")


def _localize(jobs: list[Job], fresh: set[Job], state: State, options: BuildOptions,
              document: Callable[[Path], Document], titles: Titles, result: BuildResult,
              failed: dict[tuple[str, str], list[Diagnostic]], before: Callable[[Job], None],
              ) -> Iterator[tuple[tuple[str, str], LocalizedDocument, Inputs]]:
    """Localize each document x locale with a stale job, yielding each as it is done (in
    titles.localized too) with what it was made from; fresh ones reuse what state recorded.
    A locale whose localization fails (a broken catalog) lands in failed, not the others."""
    localized = titles.localized  # titles of linked documents come from these when built
    seen: set[tuple[str, str]] = set()
    for job in jobs:
        pair = (job.facts.id, job.locale)
        if pair in seen:
            continue
        seen.add(pair)
        if all(j in fresh for j in jobs if (j.facts.id, j.locale) == pair):
            cached = state.locales.get(f"{pair[0]}/{pair[1]}")
            if cached:
                result.completeness.setdefault(pair[0], {})[pair[1]] = cached.completeness
                result.warnings.extend(cached.diagnostics())
                continue
        before(job)
        from compiler.build import autonyms
        from compiler.project.layout import cache_dir

        autonyms.prime(job.facts.locales, cache_dir(job.source))
        read: dict[Path, str] = {}  # the catalogs it reads, with their digests
        try:
            doc = document(job.source)
            ldoc, warnings = localize_checked(doc, job.locale,
                                              locales_dir_for(job.source, options), options.strict,
                                              titles, read=recording(read))
        except CompilerError as err:
            failed[pair] = err.diagnostics
            continue
        localized[pair] = ldoc
        c = ldoc.completeness
        completeness: dict[str, float | int] = {
            "total": c.total, "translated": c.translated, "fuzzy": c.fuzzy,
            "untranslated": c.untranslated, "percent": c.percent}
        result.completeness.setdefault(pair[0], {})[pair[1]] = completeness
        result.warnings.extend(warnings)
        state.locales[f"{pair[0]}/{pair[1]}"] = LocaleState(
            completeness, ldoc.title, ldoc.updated_text, ldoc.language.native_name,
            ldoc.direction, [(str(w.loc.path), w.loc.line, w.message) for w in warnings],
            ldoc.meta.organization, pair[1] == doc.meta.source_locale)
        yield pair, ldoc, Inputs(doc.digest, frozenset(read.items()))


def _next_warnings(planned: list[Diagnostic], jobs: list[Job],
                   state: State) -> list[Diagnostic] | None:
    """What a build of the same inputs would say next, every output up to date: reading's
    and planning's warnings, then each pair's recorded ones in the jobs' order, as _localize
    says them (a renderer's only the build that rendered says). None when a pair has no
    record (that build would localize it)."""
    pairs = dict.fromkeys(f"{job.facts.id}/{job.locale}" for job in jobs)
    if any(pair not in state.locales for pair in pairs):
        return None
    return [*planned, *(w for pair in pairs for w in state.locales[pair].diagnostics())]


def _mark_stale(state: State, planned: dict[str, str]) -> None:
    """Planned outputs whose file is still what an earlier build made from other inputs (their write
    or their locale failed): recorded as stale, so no build lists them until one makes them again."""
    for rel, key in planned.items():
        entry = state.outputs.get(rel)
        if entry is not None and entry.key != key:
            state.outputs[rel] = dataclasses.replace(entry, key=STALE)


def _write_listings(options: BuildOptions, state: State, result: BuildResult,
                    inputs: dict[str, dict[str, str]], planned: set[str], failed: bool = False) -> None:
    """manifest.json and index.html list every output in OUT, not only this build's.

    A partial build (--locale de, --format pdf) keeps the other outputs an earlier build
    recorded, as long as their files are still there as built. An output this build
    planned is listed only when it is what this build's inputs make: one that a failed build
    (or a failed locale) left as an earlier build made it is marked stale (_mark_stale) and
    not listed, by this build or any later one until it is made again, so the manifest
    never lists it beside inputs it was not built from (qa6 D2, review6 F10); so is one a
    partial build left as made from a source or catalog edited since (provenance.py), nor a page
    linking an output it does not list (manifest.withheld). Each names the inputs it was made from.
    """
    out = options.out
    recorded = state.present(out)
    present = {rel: entry for rel, entry in recorded.items() if entry.key != STALE}
    gone = withheld(out, set(present), planned | set(state.outputs))
    for rel in gone:
        del present[rel]
    result.unlisted = [display_path(out / rel) + gone.get(rel, "") for rel in recorded
                       if rel not in present]
    outputs = [Output(out / rel, e.format, e.locale, e.document, e.version, e.size, e.sha256,
                      built=False, inputs=e.inputs) for rel, e in present.items()]
    completeness: Completeness = {}
    pages: dict[tuple[str, str], PageInfo] = {}
    for o in outputs:
        info = state.locales.get(f"{o.document}/{o.locale}")
        if info is not None:
            completeness.setdefault(o.document, {})[o.locale] = info.completeness
            pages[(o.document, o.locale)] = PageInfo(info.title, info.updated, info.language,
                                                     info.direction, info.organization,
                                                     info.source)
    manifest = out / "manifest.json"
    changed = write_if_changed(manifest, manifest_bytes(out, outputs, inputs, completeness), "manifest")
    if options.signer is not None and not failed:
        from compiler.signing.batch import sign_manifest_file

        sign_manifest_file(manifest, options.signer, changed=changed)
    elif changed or failed:  # a signature of the previous manifest would now fail, and a
        manifest.with_name(manifest.name + ".p7s").unlink(missing_ok=True)  # failed build
        # is not vouched for
    index = out / "index.html"
    if result.built or result.removed or len(present) < len(recorded) or not index.exists():
        write_atomic(index, index_html(out, options.templates, options.theme, outputs,
                                       completeness, pages))


def _prepare_listings(options: BuildOptions) -> None:
    """index.html's template compiled (and Jinja imported, ~30 ms) while the last renders
    run elsewhere, instead of after them; a mistake in it is reported where it is used."""
    with contextlib.suppress(CompilerError):
        options.templates.template("html/index.html.j2")


def _rel(job: Job, options: BuildOptions) -> str:
    return job.target.relative_to(options.out).as_posix()


def _output(job: Job, size: int, sha256: str, built: bool) -> Output:
    return Output(job.target, job.fmt, job.locale, job.facts.id, job.facts.version, size,
                  sha256, built)
