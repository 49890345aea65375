"""Plans jobs (document x locale x format), runs them, writes outputs atomically, writes the manifest."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from compiler import __version__
from compiler.errors import Category, CompilerError, Diagnostic, Diagnostics, Loc, display_path
from compiler.i18n.catalogs import Translations, po_path, read_translations
from compiler.i18n.localize import localize
from compiler.loader import load
from compiler.model import Document, LocalizedDocument
from compiler.renderers import FORMATS, TEMPLATES, Alternate, Download, RenderOptions, get_renderer

log = logging.getLogger(__name__)

EXTENSIONS = {"html": "html", "pdf": "pdf", "docx": "docx"}


@dataclass(frozen=True)
class BuildOptions:
    out: Path = Path("dist")
    formats: tuple[str, ...] = FORMATS
    locales: tuple[str, ...] = ()  # empty: every locale the source lists
    locales_dir: Path | None = None  # default: <project>/locales beside source/
    templates: Path = TEMPLATES
    strict: bool = False
    page_size: str | None = None
    pdf_variant: str | None = None
    reference_docx: Path | None = None
    base_url: str | None = None


@dataclass(frozen=True)
class Output:
    path: Path
    format: str
    locale: str
    document: str
    version: str
    size: int
    sha256: str


@dataclass
class BuildResult:
    outputs: list[Output] = field(default_factory=list)
    warnings: list[Diagnostic] = field(default_factory=list)
    completeness: dict[str, dict[str, dict[str, float | int]]] = field(default_factory=dict)
    seconds: float = 0.0


def discover(paths: Sequence[str | Path]) -> list[Path]:
    """The sources named, or every source/*.yaml when none is."""
    if paths:
        out: list[Path] = []
        for p in map(Path, paths):
            out.extend(sorted(p.glob("*.yaml")) if p.is_dir() else [p])
        return out
    found = sorted(Path("source").glob("*.yaml"))
    if not found:
        raise CompilerError.at(Loc("source/"), "no sources found (expected source/*.yaml)",
                               Category.IO)
    return found


def locales_dir_for(source: Path, options: BuildOptions) -> Path:
    return options.locales_dir or source.resolve().parent.parent / "locales"


def load_translations(doc: Document, locale: str, locales_dir: Path) -> Translations | None:
    if locale == doc.meta.source_locale:
        return None
    path = po_path(locales_dir, locale, doc.meta.id)
    if not path.exists():
        return None
    return read_translations(path, locale)


def localize_checked(doc: Document, locale: str, locales_dir: Path,
                     strict: bool) -> tuple[LocalizedDocument, list[Diagnostic]]:
    """Localize one locale; translation errors raise, warnings return (or raise if strict)."""
    translations = load_translations(doc, locale, locales_dir)
    localized, diag = localize(doc, locale, translations)
    if translations is None and locale != doc.meta.source_locale:
        diag.warning(Loc(display_path(po_path(locales_dir, locale, doc.meta.id))),
                     f"no catalog for locale '{locale}': building it in "
                     f"{doc.meta.source_locale}", Category.TRANSLATION)
    diag.raise_if_errors(strict=strict)
    return localized, diag.warnings


def output_path(out: Path, doc_id: str, locale: str, fmt: str) -> Path:
    return out / locale / f"{doc_id}.{EXTENSIONS[fmt]}"


def write_atomic(path: Path, data: bytes) -> None:
    """Write beside the target, then rename: readers never see half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def render_options(doc: Document, locale: str, locales: Iterable[str],
                   options: BuildOptions) -> RenderOptions:
    from compiler.i18n.formatting import language

    alternates = tuple(
        Alternate(language(code), f"../{code}/{doc.meta.id}.html") for code in locales
    )
    downloads = tuple(
        Download(fmt, f"{doc.meta.id}.{EXTENSIONS[fmt]}")
        for fmt in ("pdf", "docx") if fmt in options.formats
    )
    return RenderOptions(
        templates=options.templates,
        page_size=options.page_size or doc.meta.page_size,
        pdf_variant=options.pdf_variant,
        reference_docx=options.reference_docx,
        alternates=alternates if "html" in options.formats else (),
        downloads=downloads,
        base_url=options.base_url or doc.meta.base_url,
    )


def build(sources: Sequence[str | Path], options: BuildOptions,
          progress: Callable[[str], None] | None = None) -> BuildResult:
    """Build every document x locale x format; raise CompilerError with all user mistakes."""
    started = time.perf_counter()
    result = BuildResult()
    docs: list[tuple[Path, Document]] = []
    diag = Diagnostics()
    for path in discover(sources):
        try:
            docs.append((path, load(path)))
        except CompilerError as err:
            diag.extend(err.diagnostics)
    diag.raise_if_errors()
    for path, doc in docs:
        locales = [loc for loc in doc.meta.locales if not options.locales or loc in options.locales]
        for wanted in options.locales:
            if wanted not in doc.meta.locales:
                diag.error(Loc(doc.path), f"locale '{wanted}' is not listed in 'locales' "
                           f"(expected one of: {', '.join(doc.meta.locales)})")
        ldir = locales_dir_for(path, options)
        localized: list[LocalizedDocument] = []
        for locale in locales:
            try:
                ldoc, warnings = localize_checked(doc, locale, ldir, options.strict)
            except CompilerError as err:
                diag.extend(err.diagnostics)
                continue
            result.warnings.extend(warnings)
            localized.append(ldoc)
            c = ldoc.completeness
            result.completeness.setdefault(doc.meta.id, {})[locale] = {
                "total": c.total, "translated": c.translated, "fuzzy": c.fuzzy,
                "untranslated": c.untranslated, "percent": c.percent}
        diag.raise_if_errors()
        for ldoc in localized:
            ropts = render_options(doc, ldoc.language.code, doc.meta.locales, options)
            for fmt in options.formats:
                target = output_path(options.out, doc.meta.id, ldoc.language.code, fmt)
                if progress:
                    progress(f"{doc.meta.id} {ldoc.language.code} {fmt}")
                data = get_renderer(fmt)(ldoc, ropts)
                write_atomic(target, data)
                result.outputs.append(Output(
                    target, fmt, ldoc.language.code, doc.meta.id, doc.meta.version, len(data),
                    hashlib.sha256(data).hexdigest()))
                log.info("wrote %s (%d bytes)", target, len(data))
    result.seconds = time.perf_counter() - started
    write_manifest(options.out, docs, result, options)
    return result


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def write_manifest(out: Path, docs: list[tuple[Path, Document]], result: BuildResult,
                   options: BuildOptions) -> None:
    """dist/manifest.json: what was built from what, with hashes to check it later."""
    templates = sorted(p for p in options.templates.rglob("*") if p.is_file())
    inputs: dict[str, object] = {
        "templates": {str(p.relative_to(options.templates)): _sha256(p) for p in templates},
        "sources": {}, "catalogs": {},
    }
    for path, doc in docs:
        inputs["sources"][display_path(path)] = doc.digest  # type: ignore[index]
        ldir = locales_dir_for(path, options)
        for locale in doc.meta.locales:
            po = po_path(ldir, locale, doc.meta.id)
            if po.exists():
                inputs["catalogs"][display_path(po)] = _sha256(po)  # type: ignore[index]
    manifest = {
        "policyc": __version__,
        "outputs": [
            {"path": o.path.relative_to(out).as_posix(), "format": o.format, "locale": o.locale,
             "document": o.document, "version": o.version, "size": o.size, "sha256": o.sha256}
            for o in sorted(result.outputs, key=lambda o: o.path.as_posix())
        ],
        "inputs": inputs,
        "completeness": result.completeness,
    }
    write_atomic(out / "manifest.json",
                 (json.dumps(manifest, indent=2, ensure_ascii=False, sort_keys=True) + "\n")
                 .encode())
