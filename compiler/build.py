"""Plans jobs (document x locale x format), runs them in parallel, writes atomically, writes the manifest."""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from compiler import __version__
from compiler.errors import Category, CompilerError, Diagnostic, Diagnostics, Loc, display_path
from compiler.fs import write_atomic
from compiler.i18n.catalogs import Translations, po_path, read_translations
from compiler.manifest import index_html, manifest_bytes
from compiler.model import Document, LocalizedDocument, Variable
from compiler.project import layout
from compiler.project.documents import Linked
from compiler.project.layout import locales_dir
from compiler.project.sources import Facts, code_digest, discover, read_facts, shared_digest
from compiler.renderers import FORMATS, Alternate, Download, RenderOptions, get_renderer
from compiler.renderers.templates import BUILTINS, Templates, clear_caches
from compiler.renderers.theme import NO_THEME, Theme
from compiler.renderers.theme import clear_caches as clear_theme_caches

if TYPE_CHECKING:
    from compiler.i18n.localize import DocumentTitles
    from compiler.signing.config import SignerOptions

log = logging.getLogger(__name__)

STATE = ".policyc-state.json"
State = dict[str, dict[str, Any]]  # {"outputs": {path: {...}}, "locales": {doc/locale: {...}}}
FONT_DIRS = (Path("/usr/share/fonts"),)
FONT_PREFIXES = ("NotoSans-", "NotoSansArabic", "NotoNaskhArabic", "NotoSansCJK", "NotoSansMono")


@dataclass(frozen=True)
class BuildOptions:
    out: Path = Path("dist")
    formats: tuple[str, ...] = FORMATS
    locales: tuple[str, ...] = ()  # empty: every locale the source lists
    locales_dir: Path | None = None  # default: <project>/locales beside source/
    templates: Templates = BUILTINS  # the project's templates/ before the built-ins
    theme: Theme = NO_THEME  # the brand (policyc.toml [theme], _brand.yml)
    variables: tuple[Variable, ...] = ()  # [variables] shared by every document
    strict: bool = False
    page_size: str | None = None
    pdf_variant: str | None = "pdf/a-3a"
    reference_docx: Path | None = None
    base_url: str | None = None
    jobs: int = 1
    force: bool = False
    shard: tuple[int, int] = (1, 1)  # (K, N): build the K-th of N deterministic slices
    signer: SignerOptions | None = None  # sign PDFs (and the manifest) in this process
    allow_incomplete: bool = False  # sign locales with fuzzy or untranslated messages too
    docx_protect: bool = False  # also write <id>.protected.docx for legal-approved copies
    docx_annex: str | None = None  # also write <id>.annex.docx labelled so ("Annex B")


@dataclass(frozen=True)
class Output:
    path: Path
    format: str
    locale: str
    document: str
    version: str
    size: int
    sha256: str
    built: bool = True


@dataclass
class BuildResult:
    outputs: list[Output] = field(default_factory=list)
    warnings: list[Diagnostic] = field(default_factory=list)
    completeness: dict[str, dict[str, dict[str, float | int]]] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def built(self) -> int:
        return sum(o.built for o in self.outputs)

    @property
    def skipped(self) -> int:
        return sum(not o.built for o in self.outputs)


def locales_dir_for(source: Path, options: BuildOptions) -> Path:
    return locales_dir(source, options.locales_dir)


def load_translations(doc: Document, locale: str, locales_dir: Path) -> Translations | None:
    if locale == doc.meta.source_locale:
        return None
    path = po_path(locales_dir, locale, doc.meta.id)
    if not path.exists():
        return None
    return read_translations(path, locale)


def localize_checked(doc: Document, locale: str, locales_dir: Path, strict: bool,
                     documents: DocumentTitles | None = None,
                     ) -> tuple[LocalizedDocument, list[Diagnostic]]:
    """Localize one locale; translation errors raise, warnings return (or raise if strict).
    documents answers {doc:id} links (see compiler.i18n.localize)."""
    from compiler.i18n.localize import localize

    translations = load_translations(doc, locale, locales_dir)
    localized, diag = localize(doc, locale, translations, documents)
    if translations is None and locale != doc.meta.source_locale:
        diag.warning(Loc(display_path(po_path(locales_dir, locale, doc.meta.id))),
                     f"no catalog for locale '{locale}': building it in "
                     f"{doc.meta.source_locale}", Category.TRANSLATION)
    diag.raise_if_errors(strict=strict)
    return localized, diag.warnings


def output_path(out: Path, doc_id: str, locale: str, fmt: str) -> Path:
    """<out>/<locale>/<id>.<fmt>; id and locale are checked again here, so that no input
    (a planted cache entry, a hand-edited state) can name a path outside out."""
    import re

    from compiler.readers.schema import ID_PATTERN, LOCALE_PATTERN

    if not (re.fullmatch(ID_PATTERN, doc_id) and re.fullmatch(LOCALE_PATTERN, locale)):
        raise CompilerError.at(Loc(display_path(out)), f"refusing to write output for id "
                               f"{doc_id!r} in locale {locale!r} (not a document id and locale)",
                               Category.IO)
    return out / locale / f"{doc_id}.{fmt}"


@cache
def fonts_digest() -> str:
    """Fonts come from the system: their names and sizes join every output's key."""
    h = hashlib.sha256()
    for root in FONT_DIRS:
        for p in sorted(root.glob("*/noto*/Noto*")):
            if p.name.startswith(FONT_PREFIXES):
                h.update(f"{p.name}:{p.stat().st_size}\n".encode())
    return h.hexdigest()


@cache
def _file_digest(path: Path) -> str:
    """A catalog's digest ("" when there is none), read as its reader will: a regular file
    within the size limit (a FIFO or /dev/zero named as a catalog must not hang the plan)."""
    from compiler.fs import read_input
    from compiler.limits import MAX_CATALOG_BYTES

    if not path.exists() and not path.is_symlink():
        return ""
    return hashlib.sha256(read_input(path, MAX_CATALOG_BYTES, "catalog")).hexdigest()


# The templates each format reads: editing one rebuilds only the outputs that use it.
TEMPLATE_USES = {"html": ("html/", "css/web.css"), "pdf": ("pdf/", "css/print.css"),
                 "docx": ("docx/",)}


@cache
def _theme_key(theme: Theme) -> str:
    return theme.key()


@cache
def _shared_inputs(templates: Templates, fmt: str) -> str:
    """One digest for what a format's jobs share: code, the templates it reads (the project's
    and the built-ins), fonts."""
    used = templates.digests(TEMPLATE_USES[fmt])
    shared = {"code": code_digest(), "templates": used, "fonts": fonts_digest()}
    return hashlib.sha256(json.dumps(shared, sort_keys=True).encode()).hexdigest()


def redline_link(out: Path, facts: Facts, locale: str) -> str | None:
    """The link from a policy page to its redline, when `policyc diff` wrote one beside the
    build (<out>/redline/<locale>/<id>.redline.html); None when there is none."""
    from compiler.redline import FOLDER, file_name

    name = file_name(facts.id, "html")
    return f"../{FOLDER}/{locale}/{name}" if (out / FOLDER / locale / name).is_file() else None


def render_options(facts: Facts, source: Path, locale: str, locales_dir: Path,
                   options: BuildOptions) -> RenderOptions:
    from compiler.i18n.formatting import language

    alternates = tuple(
        Alternate(language(code), f"../{code}/{facts.id}.html") for code in facts.locales
    )
    downloads = tuple(
        Download(fmt, f"{facts.id}.{fmt}") for fmt in ("pdf", "docx") if fmt in options.formats
    )
    attachments: list[tuple[str, Path]] = [(f"source/{source.name}", source)]
    po = po_path(locales_dir, locale, facts.id)
    if locale != facts.source_locale and po.exists():
        attachments.append((f"locales/{locale}/LC_MESSAGES/{po.name}", po))
    return RenderOptions(
        templates=options.templates,
        theme=options.theme,
        page_size=options.page_size or facts.page_size,
        pdf_variant=options.pdf_variant,
        reference_docx=options.reference_docx or (
            layout.reference_docx(source, facts.reference_docx) if facts.reference_docx
            else None),
        alternates=alternates if "html" in options.formats else (),
        downloads=downloads,
        base_url=options.base_url or facts.base_url,
        redline=redline_link(options.out, facts, locale) if "html" in options.formats else None,
        attachments=tuple(attachments),
    )


def job_key(facts: Facts, locale: str, fmt: str, locales_dir: Path,
            options: BuildOptions, protect: bool, documents: object = (),
            annex: str | None = None) -> str:
    """Content hash of everything an output depends on: unchanged key, unchanged bytes.

    Made from raw inputs, without building RenderOptions, so a no-op build stays cheap.
    """
    from babel import __version__ as babel_version

    po = po_path(locales_dir, locale, facts.id)
    parts = {
        "policyc": __version__, "format": fmt, "locale": locale, "source": facts.digest,
        "catalog": _file_digest(po) if locale != facts.source_locale else "",
        "shared": _shared_inputs(options.templates, fmt),
        "theme": _theme_key(options.theme),
        "variables": shared_digest(options.variables),
        "documents": documents,  # the documents it links to: their sources and catalogs
        "options": repr((options.page_size or facts.page_size, options.pdf_variant,
                         options.base_url or facts.base_url, facts.locales,
                         options.formats, options.strict, protect, annex, babel_version)),
        "reference": _reference_digest(facts, Path(facts.path), options),
        "signer": options.signer.cache_key() if fmt == "pdf" and options.signer else "",
        "redline": redline_link(options.out, facts, locale) if fmt == "html" else None,
    }
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()


def _reference_digest(facts: Facts, source: Path, options: BuildOptions) -> str:
    """The reference document's bytes, read as the renderer will (regular file, size limit,
    inside the project when a source names it)."""
    path = options.reference_docx or (
        layout.reference_docx(source, facts.reference_docx) if facts.reference_docx else None)
    if path is None:
        return ""
    return _reference_file_digest(path)


@cache
def _reference_file_digest(path: Path) -> str:
    from compiler.fs import read_input
    from compiler.limits import MAX_REFERENCE_DOCX_BYTES

    return hashlib.sha256(read_input(path, MAX_REFERENCE_DOCX_BYTES,
                                     "reference document")).hexdigest()


# --- workers -------------------------------------------------------------------------


def _warm_worker() -> None:
    """Import the heavy libraries once per worker process, not once per job."""
    import docx  # noqa: F401
    import weasyprint  # noqa: F401


def _render(fmt: str, ldoc: LocalizedDocument, ropts: RenderOptions) -> bytes:
    return get_renderer(fmt)(ldoc, ropts)


@dataclass(frozen=True, eq=False)
class _Job:
    source: Path
    facts: Facts
    locale: str
    fmt: str
    target: Path
    key: str
    locales_dir: Path
    protect: bool = False
    annex: str | None = None

    def render_options(self, options: BuildOptions) -> RenderOptions:
        ropts = render_options(self.facts, self.source, self.locale, self.locales_dir, options)
        return dataclasses.replace(ropts, docx_protect=self.protect, docx_annex=self.annex)


def _select_shard(jobs: list[_Job], shard: tuple[int, int]) -> list[_Job]:
    k, n = shard
    ordered = sorted(jobs, key=lambda j: (j.facts.id, j.locale, j.fmt))
    return [j for i, j in enumerate(ordered) if i % n == k - 1]


def build(sources: Sequence[str | Path], options: BuildOptions,
          progress: Callable[[str, int, int], None] | None = None) -> BuildResult:
    """Build every document x locale x format; raise CompilerError with all user mistakes.

    The output folder is locked for the whole build: a second build into it waits, so
    outputs, state and manifest always come from one build.
    """
    from compiler import links
    from compiler.fs import folder_lock

    if options.base_url is not None and (why := links.canonical_problem(options.base_url)):
        raise CompilerError.at(Loc("--base-url"), f"'{options.base_url}' is not allowed: {why}",
                               Category.REFERENCE)
    with folder_lock(options.out):
        return _build(sources, options, progress)


def _build(sources: Sequence[str | Path], options: BuildOptions,
           progress: Callable[[str, int, int], None] | None = None) -> BuildResult:
    started = time.perf_counter()
    for memo in (_file_digest, _shared_inputs, _reference_file_digest, _theme_key):  # inputs may change
        memo.cache_clear()
    clear_caches()
    clear_theme_caches()
    result = BuildResult()
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
    diag.raise_if_errors(strict=options.strict)
    result.warnings.extend(diag.warnings)
    linked = Linked(sources_facts, lambda p: read_facts(p, options.variables)[0])
    linked.check(sources_facts, diag)

    def catalog_digest(path: Path, facts: Facts, locale: str) -> str:
        if locale == facts.source_locale:
            return ""
        return _file_digest(po_path(locales_dir_for(path, options), locale, facts.id))

    def document(path: Path) -> Document:
        """The full model, parsed only when something must be rendered."""
        if path not in loaded:
            from compiler.readers import read_file

            loaded[path] = read_file(path, options.variables)
        return loaded[path]

    state = _read_state(options.out)
    jobs: list[_Job] = []
    for path, facts in sources_facts:
        for wanted in options.locales:
            if wanted not in facts.locales:
                diag.error(Loc(facts.path), f"locale '{wanted}' is not listed in 'locales' "
                           f"(expected one of: {', '.join(facts.locales)})")
        ldir = locales_dir_for(path, options)
        for locale in facts.locales:
            if options.locales and locale not in options.locales:
                continue
            links_key = linked.key(facts, locale, catalog_digest)
            for fmt in options.formats:
                target = output_path(options.out, facts.id, locale, fmt)
                key = job_key(facts, locale, fmt, ldir, options, protect=False,
                              documents=links_key)
                jobs.append(_Job(path, facts, locale, fmt, target, key, ldir))
                if fmt == "docx" and options.docx_protect:
                    jobs.append(_Job(path, facts, locale, fmt,
                                     target.with_name(f"{facts.id}.protected.docx"),
                                     job_key(facts, locale, fmt, ldir, options, protect=True,
                                             documents=links_key),
                                     ldir, protect=True))
                if fmt == "docx" and options.docx_annex:
                    label = options.docx_annex
                    jobs.append(_Job(path, facts, locale, fmt,
                                     target.with_name(f"{facts.id}.annex.docx"),
                                     job_key(facts, locale, fmt, ldir, options, protect=False,
                                             documents=links_key, annex=label),
                                     ldir, annex=label))
    diag.raise_if_errors()
    jobs = _select_shard(jobs, options.shard)

    fresh = {j for j in jobs if not options.force and _is_fresh(j, options.out, state)}
    stale = [j for j in jobs if j not in fresh]
    localized: dict[tuple[str, str], LocalizedDocument] = {}
    titles: dict[tuple[str, str], str] = {}

    def document_title(doc_id: str, locale: str) -> tuple[str, str] | None:
        """{doc:id} from a page in locale: the other document's title there, and where."""
        target = linked.target_locale(doc_id, locale)
        if target is None:
            return None
        if (doc_id, target) not in titles:
            if (doc_id, target) in localized:
                titles[(doc_id, target)] = localized[(doc_id, target)].title
            else:
                from compiler.i18n.localize import localize

                path = linked.by_id[doc_id][0]
                other = document(path)
                translations = load_translations(other, target, locales_dir_for(path, options))
                titles[(doc_id, target)] = localize(other, target, translations)[0].title
        return titles[(doc_id, target)], target

    seen: set[tuple[str, str]] = set()
    for job in jobs:
        pair = (job.facts.id, job.locale)
        if pair in seen:
            continue
        seen.add(pair)
        if all(j in fresh for j in jobs if (j.facts.id, j.locale) == pair):
            cached = state["locales"].get(f"{pair[0]}/{pair[1]}")
            if cached:
                result.completeness.setdefault(pair[0], {})[pair[1]] = cached["completeness"]
                result.warnings.extend(_diagnostic(w) for w in cached["warnings"])
                continue
        try:
            ldoc, warnings = localize_checked(document(job.source), job.locale,
                                              locales_dir_for(job.source, options), options.strict,
                                              document_title)
        except CompilerError as err:
            diag.extend(err.diagnostics)
            continue
        localized[pair] = ldoc
        c = ldoc.completeness
        completeness = {"total": c.total, "translated": c.translated, "fuzzy": c.fuzzy,
                        "untranslated": c.untranslated, "percent": c.percent}
        result.completeness.setdefault(pair[0], {})[pair[1]] = completeness
        result.warnings.extend(warnings)
        state["locales"][f"{pair[0]}/{pair[1]}"] = {
            "completeness": completeness, "title": ldoc.title, "updated": ldoc.updated_text,
            "language": ldoc.language.native_name, "direction": ldoc.direction,
            "warnings": [[str(w.loc.path), w.loc.line, w.message] for w in warnings]}
    refused: list[Diagnostic] = []
    if options.signer is not None and not options.allow_incomplete:
        from compiler.signing.batch import refuse_incomplete

        refusals = refuse_incomplete(localized, ((j.facts.id, j.locale) for j in stale
                                                 if j.fmt == "pdf"))
        refused = list(refusals.values())
        withdrawn = [j for j in stale if j.fmt == "pdf" and (j.facts.id, j.locale) in refusals]
        stale = [j for j in stale if j not in withdrawn]
        for job in withdrawn:  # an older signed PDF would pass for the current text: withdraw it
            job.target.unlink(missing_ok=True)
            state["outputs"].pop(job.target.relative_to(options.out).as_posix(), None)
    diag.raise_if_errors()

    for job in fresh:
        entry = state["outputs"][job.target.relative_to(options.out).as_posix()]
        result.outputs.append(_output(job, entry["size"], entry["sha256"], built=False))
    done = 0

    def finish(job: _Job, data: bytes) -> None:
        nonlocal done
        if job.fmt == "pdf" and options.signer is not None:
            from compiler.signing.batch import sign_localized

            data = sign_localized(data, localized[(job.facts.id, job.locale)],
                                  options.signer, job.target)
        write_atomic(job.target, data)
        digest = hashlib.sha256(data).hexdigest()
        state["outputs"][job.target.relative_to(options.out).as_posix()] = {
            "key": job.key, "size": len(data), "sha256": digest}
        result.outputs.append(_output(job, len(data), digest, built=True))
        done += 1
        log.info("wrote %s (%d bytes)", job.target, len(data))
        if progress:
            progress(f"{job.facts.id} {job.locale} {job.fmt}", done, len(stale))

    work = sorted(stale, key=lambda j: (j.fmt != "pdf", j.facts.id, j.locale, j.fmt))
    try:
        if options.jobs > 1 and len(work) > 1:
            from concurrent.futures import ProcessPoolExecutor, as_completed

            with ProcessPoolExecutor(max_workers=min(options.jobs, len(work)),
                                     initializer=_warm_worker) as pool:
                futures = {pool.submit(_render, j.fmt, localized[(j.facts.id, j.locale)],
                                       j.render_options(options)): j for j in work}
                for future in as_completed(futures):
                    finish(futures[future], future.result())
        else:
            for job in work:
                finish(job, _render(job.fmt, localized[(job.facts.id, job.locale)],
                                    job.render_options(options)))
    except BaseException:
        # Some outputs were replaced: state and manifest must describe the files as they now
        # are (a failed write leaves its previous file, which the manifest then omits).
        with contextlib.suppress(CompilerError):
            _write_state(options.out, state)
            if _write_if_changed(options.out / "manifest.json", manifest_bytes(
                    options.out, result, input_digests(sources_facts, options))):
                # a half-built publication is not vouched for: its signature goes
                (options.out / "manifest.json.p7s").unlink(missing_ok=True)
        raise

    result.seconds = time.perf_counter() - started
    _write_state(options.out, state)
    inputs = input_digests(sources_facts, options)
    manifest = options.out / "manifest.json"
    changed = _write_if_changed(manifest, manifest_bytes(options.out, result, inputs))
    if options.signer is not None:
        from compiler.signing.batch import sign_manifest_file

        sign_manifest_file(manifest, options.signer, changed=changed)
    elif changed:  # a signature of the previous manifest would now fail: remove it
        manifest.with_name(manifest.name + ".p7s").unlink(missing_ok=True)
    index = options.out / "index.html"
    if result.built or not index.exists():
        write_atomic(index, index_html(options, result, state))
    if refused:  # everything else is built and signed; the refused locales fail the build
        raise CompilerError(refused)
    return result


def input_digests(sources_facts: list[tuple[Path, Facts]],
                  options: BuildOptions) -> dict[str, dict[str, str]]:
    inputs: dict[str, dict[str, str]] = {
        "templates": options.templates.digests(), "sources": {}, "catalogs": {}}
    for path, facts in sources_facts:
        inputs["sources"][display_path(path)] = facts.digest
        ldir = locales_dir_for(path, options)
        for locale in facts.locales:
            po = po_path(ldir, locale, facts.id)
            if po.exists() and locale != facts.source_locale:
                inputs["catalogs"][display_path(po)] = _file_digest(po)
    return inputs


def _write_if_changed(path: Path, data: bytes) -> bool:
    try:
        if path.read_bytes() == data:
            return False
    except OSError:
        pass
    write_atomic(path, data)
    return True


def _output(job: _Job, size: int, sha256: str, built: bool) -> Output:
    return Output(job.target, job.fmt, job.locale, job.facts.id, job.facts.version, size,
                  sha256, built)


def _diagnostic(raw: list[object]) -> Diagnostic:
    from compiler.errors import Severity

    return Diagnostic(Loc(str(raw[0]), int(raw[1])), str(raw[2]),  # type: ignore[call-overload]
                      Severity.WARNING, Category.TRANSLATION)


def _is_fresh(job: _Job, out: Path, state: State) -> bool:
    entry = state["outputs"].get(job.target.relative_to(out).as_posix())
    if not entry or entry.get("key") != job.key or not job.target.exists():
        return False
    return job.target.stat().st_size == entry.get("size")


def _read_state(out: Path) -> State:
    """The previous build's state; anything unreadable or of the wrong shape (hand-edited,
    another version, truncated) is ignored: the build then rebuilds everything."""
    from compiler.fs import read_input

    try:
        state = json.loads(read_input(out / STATE, 64 * 1024 * 1024, "build state"))
    except (CompilerError, ValueError):
        return {"outputs": {}, "locales": {}}
    if _valid_state(state):
        return {"outputs": state["outputs"], "locales": state["locales"]}
    if (out / STATE).exists():
        log.warning("%s: ignoring a build state of another version or shape; rebuilding all",
                    display_path(out / STATE))
    return {"outputs": {}, "locales": {}}


def _valid_state(state: Any) -> bool:
    def entries(value: Any) -> bool:
        return isinstance(value, dict) and all(
            isinstance(k, str) and isinstance(v, dict) for k, v in value.items())

    if not (isinstance(state, dict) and state.get("policyc") == __version__
            and entries(state.get("outputs")) and entries(state.get("locales"))):
        return False
    for entry in state["outputs"].values():
        if not (isinstance(entry.get("key"), str) and type(entry.get("size")) is int
                and isinstance(entry.get("sha256"), str)):
            return False
    for entry in state["locales"].values():
        completeness, warnings = entry.get("completeness"), entry.get("warnings")
        if not (isinstance(completeness, dict) and isinstance(warnings, list)
                and all(isinstance(w, list) and len(w) == 3 and isinstance(w[0], str)
                        and type(w[1]) is int and isinstance(w[2], str) for w in warnings)
                and all(isinstance(entry.get(k), str)
                        for k in ("title", "updated", "language", "direction"))
                and all(type(completeness.get(k)) is int
                        for k in ("total", "translated", "fuzzy", "untranslated"))):
            return False
    return True


def _write_state(out: Path, state: State) -> None:
    data = {"policyc": __version__, **state}
    write_atomic(out / STATE, (json.dumps(data, indent=1, sort_keys=True) + "\n").encode())
