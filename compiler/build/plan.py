"""Planning a build, purely: options, jobs (document x locale x format) and their content keys.

Nothing here renders or writes: a plan is what the pool (run.py) executes and what the
incremental state (state.py) compares against.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from compiler import __version__
from compiler.errors import Category, CompilerError, Diagnostic, Diagnostics, Loc, display_path
from compiler.i18n.paths import UI_DOMAIN, po_path
from compiler.limits import MAX_CATALOG_BYTES, MAX_REFERENCE_DOCX_BYTES, MAX_RENDER_SECONDS
from compiler.project import layout
from compiler.project.layout import locales_dir
from compiler.project.sources import Facts, code_digest, shared_digest
from compiler.renderers import FORMATS, embeds_inputs
from compiler.renderers.templates import BUILTINS, Templates, clear_caches
from compiler.renderers.theme import NO_THEME, Theme
from compiler.renderers.theme import clear_caches as clear_theme_caches

if TYPE_CHECKING:
    from compiler.model import Variable
    from compiler.renderers.options import Alternate, RenderOptions
    from compiler.signing.config import SignerOptions

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
    keep_warm: float = 0.0  # minutes a warm render worker waits for the next build (0: none)
    # keep_warm as a terminal's default: a running worker is used, else one is started once
    # this build is done (build/warm/later.py)
    warm_later: bool = False
    render_time_limit: float = MAX_RENDER_SECONDS  # seconds one render may take (0: no limit)


def locales_dir_for(source: Path, options: BuildOptions) -> Path:
    """--locales-dir, else the project's rule (compiler/project/layout.py)."""
    return locales_dir(source, options.locales_dir)


def output_path(out: Path, doc_id: str, locale: str, fmt: str) -> Path:
    """<out>/<locale>/<id>.<fmt>; id and locale are checked again here, so that no input
    (a planted cache entry, a hand-edited state) can name a path outside out."""
    import re

    from compiler.names import ID_PATTERN, LOCALE_PATTERN

    if not (re.fullmatch(ID_PATTERN, doc_id) and re.fullmatch(LOCALE_PATTERN, locale)):
        raise CompilerError.at(Loc(display_path(out)), f"refusing to write output for id "
                               f"{doc_id!r} in locale {locale!r} (not a document id and locale)",
                               Category.IO)
    return out / locale / f"{doc_id}.{fmt}"


@dataclass(frozen=True, eq=False)
class Job:
    """One output to make: a document in a locale and a format, with its content key."""

    source: Path
    facts: Facts
    locale: str
    fmt: str
    target: Path
    key: str
    locales_dir: Path
    protect: bool = False
    annex: str | None = None
    # the key of everything but the catalogs' bytes: with what localization reads from
    # them (content_key), what the output depends on when it does not carry them inside
    base: str = ""
    # formats this page must not offer for download after all: a PDF that --sign refused
    # (decided once the locale is localized; the key holds what decides it: sign_gate)
    withheld: tuple[str, ...] = ()

    def render_options(self, options: BuildOptions, named: bool = True) -> RenderOptions:
        ropts = render_options(self.facts, self.source, self.locale, self.locales_dir, options,
                               named)
        downloads = tuple(d for d in ropts.downloads if d.format not in self.withheld)
        return dataclasses.replace(ropts, docx_protect=self.protect, docx_annex=self.annex,
                                   downloads=downloads)


def plan(sources_facts: list[tuple[Path, Facts]], options: BuildOptions,
         warnings: list[Diagnostic] | None = None,
         links_key: Callable[[Facts, str], object] = lambda facts, locale: ()) -> list[Job]:
    """Every job the options ask for (the shard's slice of them); unknown locales are errors.

    warnings receives those about a project's print.css when PDFs are planned
    (build/sheets.py). links_key gives what a document's {doc:id} links depend on in a
    locale (other sources and catalogs), which joins its job keys."""
    diag = Diagnostics()
    jobs: list[Job] = []
    for path, facts in sources_facts:
        for wanted in options.locales:
            if wanted not in facts.locales:
                diag.error(Loc(facts.path), f"locale '{wanted}' is not listed in 'locales' "
                           f"(expected one of: {', '.join(facts.locales)})")
        ldir = locales_dir_for(path, options)
        for locale in facts.locales:
            if options.locales and locale not in options.locales:
                continue
            documents = links_key(facts, locale)
            for fmt in options.formats:
                target = output_path(options.out, facts.id, locale, fmt)
                job = Job(path, facts, locale, fmt, target, "", ldir)
                jobs.append(_keyed(job, options, documents))
                if fmt == "docx" and options.docx_protect:
                    jobs.append(_keyed(dataclasses.replace(
                        job, target=target.with_name(f"{facts.id}.protected.docx"),
                        protect=True), options, documents))
                if fmt == "docx" and options.docx_annex:
                    jobs.append(_keyed(dataclasses.replace(
                        job, target=target.with_name(f"{facts.id}.annex.docx"),
                        annex=options.docx_annex), options, documents))
    diag.raise_if_errors()
    jobs = select_shard(jobs, options.shard)
    if warnings is not None:
        from compiler.build.sheets import sheet_warnings

        warnings.extend(w for w in sheet_warnings(options, jobs) if w not in warnings)
    return jobs


def _keyed(job: Job, options: BuildOptions, documents: object) -> Job:
    """job with its key, and its key but for the catalogs' bytes (Job.base)."""
    parts = key_parts(job.facts, job.locale, job.fmt, job.locales_dir, options, job.protect,
                      documents, job.annex)
    return dataclasses.replace(job, key=_digest(parts), base=_digest({**parts, "catalog": ""}))


# Files keys read outside source/, locales/, templates/, fonts and code (a reference
# document, a logo, Babel's release): the up-to-date memo stamps them (compiler/uptodate)
_READ: set[Path] = set()


def read_by_keys() -> frozenset[Path]:
    return frozenset(_READ)


def forget_inputs() -> None:
    """Inputs may change between two builds in one process (serve, tests): digest again."""
    for memo in (file_digest, _shared_inputs, _reference_file_digest, _theme_key):
        memo.cache_clear()
    babel_key.cache_clear()
    _READ.clear()
    clear_caches()
    clear_theme_caches()


def select_shard(jobs: list[Job], shard: tuple[int, int]) -> list[Job]:
    """The K-th of N deterministic slices, the same on every machine."""
    k, n = shard
    ordered = sorted(jobs, key=lambda j: (j.facts.id, j.locale, j.fmt))
    return [j for i, j in enumerate(ordered) if i % n == k - 1]


@cache
def fonts_digest() -> str:
    """Fonts come from the system: their names and sizes join every output's key."""
    h = hashlib.sha256()
    for p in font_files():
        h.update(f"{p.name}:{p.stat().st_size}\n".encode())
    return h.hexdigest()


def font_files() -> list[Path]:  # the system fonts a key names (the memo stamps them too)
    return [p for root in FONT_DIRS
            for p in sorted(root.glob("*/noto*/Noto*"), key=lambda p: p.parts)  # Path order, cheaper
            if p.name.startswith(FONT_PREFIXES)]


@cache
def file_digest(path: Path) -> str:
    """A catalog's digest ("" when there is none), read as its reader will: a regular file
    within the size limit (a FIFO or /dev/zero named as a catalog must not hang the plan)."""
    from compiler.fs import read_input

    if not path.exists() and not path.is_symlink():
        return ""
    return hashlib.sha256(read_input(path, MAX_CATALOG_BYTES, "catalog")).hexdigest()


# The templates each format reads: editing one rebuilds only the outputs that use it.
TEMPLATE_USES = {"html": ("html/", "css/web.css"), "pdf": ("pdf/", "css/print.css"),
                 "docx": ("docx/",)}
@cache
def _theme_key(theme: Theme) -> str:
    if theme.logo:
        _READ.add(theme.logo)
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


def alternates(doc_id: str, locales: tuple[str, ...]) -> tuple[Alternate, ...]:
    """The language switcher: the document's HTML in each locale, named in that locale."""
    from compiler.i18n.formatting import language
    from compiler.renderers.options import Alternate

    return tuple(Alternate(language(code), f"../{code}/{doc_id}.html") for code in locales)


def download_formats(facts: Facts, locale: str, options: BuildOptions) -> tuple[str, ...]:
    """The files a page offers for download: those dist/ will hold after this build, the
    formats it builds and, of the others, those an earlier build left there (a --format html
    build keeps the PDF and DOCX buttons). A PDF that --sign refuses is taken off later
    (Job.withheld). What the page links to is part of its key."""
    return tuple(fmt for fmt in ("pdf", "docx") if fmt in options.formats
                 or output_path(options.out, facts.id, locale, fmt).is_file())


def sign_gate(options: BuildOptions) -> bool:
    """Whether this build refuses to sign (so to publish) the PDF of an incomplete locale:
    with the source and catalogs, what decides whether a page links to its PDF."""
    return (options.signer is not None and not options.allow_incomplete
            and "pdf" in options.formats)


def render_options(facts: Facts, source: Path, locale: str, locales_dir: Path,
                   options: BuildOptions, named: bool = True) -> RenderOptions:
    """named=False: without the language switcher (needing Babel's names and the model),
    which the warm worker adds to a recipe's options (build/warm/recipe.py)."""
    from compiler.renderers.options import Download, RenderOptions

    downloads = tuple(Download(fmt, f"{facts.id}.{fmt}")
                      for fmt in download_formats(facts, locale, options))
    attachments: list[tuple[str, Path]] = [(f"source/{source.name}", source)]
    for domain in (facts.id, UI_DOMAIN):  # the document's catalog and the layout's words
        po = po_path(locales_dir, locale, domain)
        if (locale != facts.source_locale or domain == UI_DOMAIN) and po.exists():
            attachments.append((str(po_path(PurePosixPath("locales"), locale, domain)), po))
    return RenderOptions(
        templates=options.templates,
        theme=options.theme,
        page_size=options.page_size or facts.page_size,
        pdf_variant=options.pdf_variant,
        reference_docx=options.reference_docx or (
            layout.reference_docx(source, facts.reference_docx) if facts.reference_docx
            else None),
        alternates=alternates(facts.id, facts.locales)
        if "html" in options.formats and named else (),
        downloads=downloads,
        base_url=options.base_url or facts.base_url,
        redline=redline_link(options.out, facts, locale) if "html" in options.formats else None,
        attachments=tuple(attachments),
        cache=layout.cache_dir(source),
    )


def job_key(facts: Facts, locale: str, fmt: str, locales_dir: Path,
            options: BuildOptions, protect: bool, documents: object = (),
            annex: str | None = None) -> str:
    """Content hash of everything an output depends on: unchanged key, unchanged bytes.

    Made from raw inputs, without building RenderOptions, so a no-op build stays cheap.
    """
    return _digest(key_parts(facts, locale, fmt, locales_dir, options, protect, documents,
                             annex))


def _digest(parts: dict[str, object]) -> str:
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()


def key_parts(facts: Facts, locale: str, fmt: str, locales_dir: Path, options: BuildOptions,
              protect: bool, documents: object = (), annex: str | None = None,
              ) -> dict[str, object]:
    """What job_key hashes; "catalog" holds the locale's catalogs' byte digests."""
    po = po_path(locales_dir, locale, facts.id)
    parts: dict[str, object] = {
        "policyc": __version__, "format": fmt, "locale": locale, "source": facts.digest,
        "catalog": (file_digest(po) if locale != facts.source_locale else "")
        + file_digest(po_path(locales_dir, locale, UI_DOMAIN)),  # the source's labels too
        "shared": _shared_inputs(options.templates, fmt),
        "theme": _theme_key(options.theme),
        "variables": shared_digest(options.variables),
        "documents": documents,  # the documents it links to: their sources and catalogs
        "options": repr((options.page_size or facts.page_size, options.pdf_variant,
                         options.base_url or facts.base_url, facts.locales,
                         options.formats, options.strict, protect, annex, babel_key())),
        "reference": _reference_digest(facts, Path(facts.path), options) if fmt == "docx" else "",
        # a signed PDF: who signs and how, and whether an incomplete locale is refused (a PDF
        # signed under --allow-incomplete is not up to date for a build that refuses it)
        "signer": [options.signer.cache_key(), sign_gate(options)]
        if fmt == "pdf" and options.signer else "",
        "redline": redline_link(options.out, facts, locale) if fmt == "html" else None,
    }
    if fmt == "html":  # its download buttons: what dist/ holds, what --sign may refuse
        parts["downloads"] = [download_formats(facts, locale, options), sign_gate(options)]
    return parts


@cache
def babel_key() -> str:
    """Babel's release (its CLDR data formats dates and numbers), without importing Babel:
    the digest of its package's __init__.py, which names the version (importing Babel took
    ~5 ms of a no-op build's ~100, issue #18)."""
    import importlib.util

    spec = importlib.util.find_spec("babel")
    if spec is not None and spec.origin is not None and spec.origin.endswith("__init__.py"):
        _READ.add(Path(spec.origin))
        return hashlib.sha256(Path(spec.origin).read_bytes()).hexdigest()[:16]
    from babel import __version__

    return __version__


def content_key(job: Job, catalogs: str, options: BuildOptions) -> str:
    """What an output depends on, with `catalogs` (what localization reads from the locale's
    catalogs: compiler.i18n.catalogs.content_digest) in place of the catalogs' bytes.

    Equal to the last build's, the output would come out the same: a translator's tool
    rewriting a catalog's header, comments or order changes no output but its key (early
    cutoff, issue #18). An output that carries its catalogs inside (a PDF/A-3's attached
    inputs) depends on their bytes: its content key is its job key.
    """
    if embeds_inputs(job.fmt, options.pdf_variant):
        return job.key
    return hashlib.sha256(f"{job.base}\0{catalogs}".encode()).hexdigest()


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

    _READ.add(path)
    return hashlib.sha256(read_input(path, MAX_REFERENCE_DOCX_BYTES,
                                     "reference document")).hexdigest()


def input_digests(sources_facts: list[tuple[Path, Facts]],
                  options: BuildOptions) -> dict[str, dict[str, str]]:
    inputs: dict[str, dict[str, str]] = {
        "templates": options.templates.digests(), "sources": {}, "catalogs": {}}
    for path, facts in sources_facts:
        inputs["sources"][display_path(path)] = facts.digest
        ldir = locales_dir_for(path, options)
        for locale in facts.locales:
            for domain in (facts.id, UI_DOMAIN):
                po = po_path(ldir, locale, domain)
                if po.exists() and (locale != facts.source_locale or domain == UI_DOMAIN):
                    inputs["catalogs"][display_path(po)] = file_digest(po)
    return inputs
