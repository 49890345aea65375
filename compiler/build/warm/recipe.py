"""A head start: the warm worker localizes a document itself, from the files the build planned.

After a catalog edit the build's PDF used to reach the warm worker only after the build
had read the source, parsed the catalogs and localized (~0.1 s of a fresh process's
first calls: Babel's data, the YAML reader, regular expressions), while the warm worker,
which has paid all of those, waited. Now, as soon as the jobs are planned, the build sends
the PDF of its first stale locale as a Recipe: the files to read, with the digests the plan
computed from them, and the variables. The worker reads exactly those files (inside its
project), checks each against its digest, keeps what it parsed by digest (the unchanged
source is not parsed again, only the edited catalog), localizes with the build's own
function (build.localizing.localize_checked: the same code, which the worker's identity
vouches for) and renders; the build meanwhile localizes for its HTML, DOCX, state and
report as before, and uses the PDF only if its own localization succeeds (a catalog
that fails is reported by the build, as without the worker, and nothing of it written),
from the very files the recipe named (Recipe.inputs: a file saved after the worker read
it and before the build did would give a PDF of the old text beside HTML of the new).

Whatever the worker cannot do from a recipe (a file changed since the plan, a path outside
its project, a translation error, a long document) fails the head start; the build then
sends its own localized document, as it always did.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from compiler.build.localizing import Inputs
    from compiler.build.plan import BuildOptions, Job
    from compiler.i18n.catalogs import Translations
    from compiler.model import Document, LocalizedDocument, Variable
    from compiler.renderers import RenderOptions

KEEP = 8  # parsed sources and catalogs the worker keeps (the last ones used)


@dataclass(frozen=True)
class Recipe:
    """A document in a locale, as the build planned it: every file named with its digest."""

    source: Path
    digest: str  # sha256 of the source's bytes (the plan's Facts.digest)
    locale: str
    locales_dir: Path
    catalogs: tuple[tuple[Path, str], ...]  # (path, sha256) of each catalog localizing reads
    variables: tuple[Variable, ...]  # the project's [variables]
    strict: bool  # --strict: warnings fail it, as they fail the build's localization
    alternates: tuple[str, ...]  # the locales the language switcher names (plan.alternates)
    max_units: int  # a document this long is refused (client.LONG_UNITS: a fresh process's)

    @property
    def inputs(self) -> Inputs:
        """What the worker localizes from (it refuses a recipe whose files are not these)."""
        from compiler.build.localizing import Inputs

        return Inputs(self.digest, frozenset(self.catalogs))


class Refused(Exception):
    """The recipe cannot be followed here; the message says why (the build's log shows it)."""


def recipe_for(job: Job, options: BuildOptions, max_units: int) -> Recipe | None:
    """The recipe of job's localized document; None when the worker could not follow one:
    a document linking others ({doc:id}: their titles come from the build's other sources)."""
    from compiler.build import plan as planning
    from compiler.build.localizing import catalog_paths

    if job.facts.documents:
        return None
    paths = catalog_paths(job.facts.id, job.facts.source_locale, job.locale, job.locales_dir)
    catalogs = tuple((p, planning.file_digest(p)) for p in paths)
    named = job.facts.locales if "html" in options.formats else ()  # as plan.render_options
    return Recipe(job.source, job.facts.digest, job.locale, job.locales_dir, catalogs,
                  options.variables, options.strict, named, max_units)


class Kitchen:
    """The worker's side: follows recipes of builds of one project, keeping what it parsed."""

    def __init__(self, root: Path, cache: Path) -> None:
        self.root = root.resolve()
        self.cache = cache
        self.sources: OrderedDict[tuple[Any, ...], Document] = OrderedDict()
        self.catalogs: OrderedDict[tuple[Any, ...], Translations] = OrderedDict()

    def follow(self, recipe: Recipe, ropts: RenderOptions
               ) -> tuple[LocalizedDocument, RenderOptions]:
        """The recipe's localized document, and ropts with the language switcher the build
        left out (plan.render_options(named=False)), as the build makes them."""
        from compiler.build.plan import alternates

        ldoc = self.localized(recipe)
        return ldoc, dataclasses.replace(ropts, alternates=alternates(ldoc.meta.id,
                                                                      recipe.alternates))

    def localized(self, recipe: Recipe) -> LocalizedDocument:
        """The recipe's localized document, exactly as the build localizes it; Refused when
        a file is not the one planned, lies outside the project or was not named."""
        from compiler.build import autonyms
        from compiler.build.localizing import catalog_paths, localize_checked
        from compiler.errors import CompilerError
        from compiler.fs import is_inside

        for path in (recipe.source, recipe.locales_dir, *(p for p, _ in recipe.catalogs)):
            if not is_inside(path, self.root):
                raise Refused(f"{path} lies outside the worker's project {self.root}")
        digests = dict(recipe.catalogs)
        try:
            doc = self._source(recipe)
            named = catalog_paths(doc.meta.id, doc.meta.source_locale, recipe.locale,
                                  recipe.locales_dir)
            if tuple(named) != tuple(digests):
                raise Refused(f"the build named catalogs {list(map(str, digests))}, the "
                              f"document reads {list(map(str, named))}")
            autonyms.prime(doc.meta.locales, self.cache)  # the names the build primed too

            def read(path: Path, locale: str, locales_dir: Path) -> Translations:
                return self._catalog(path, locale, locales_dir, digests[path])

            ldoc, _ = localize_checked(doc, recipe.locale, recipe.locales_dir, recipe.strict,
                                       read=read)
        except CompilerError as err:  # the build reports it (at the same file and line)
            raise Refused(f"localizing failed: {err.diagnostics[0]}") from err
        units = sum(1 + len(s.blocks) for s in ldoc.document.walk_sections())
        if units >= recipe.max_units:
            raise Refused(f"a long document ({units} sections and blocks)")
        return ldoc

    def _source(self, recipe: Recipe) -> Document:
        from compiler.errors import display_path
        from compiler.fs import read_input
        from compiler.limits import MAX_SOURCE_BYTES
        from compiler.project.sources import shared_digest
        from compiler.readers import read_bytes

        data = read_input(recipe.source, MAX_SOURCE_BYTES, "source", self.root)
        _check(data, recipe.digest, recipe.source)
        key = (display_path(recipe.source), recipe.digest, shared_digest(recipe.variables))
        return _kept(self.sources, key,
                     lambda: read_bytes(data, recipe.source, recipe.variables))

    def _catalog(self, path: Path, locale: str, locales_dir: Path, digest: str
                 ) -> Translations:
        from compiler.errors import display_path
        from compiler.i18n.catalogs import catalog_root, parse_translations, read_bytes

        data = read_bytes(path, catalog_root(locales_dir))  # as the build reads it
        _check(data, digest, path)
        shown = display_path(path)
        return _kept(self.catalogs, (shown, locale, digest),
                     lambda: parse_translations(data, shown, locale))


def _check(data: bytes, digest: str, path: Path) -> None:
    if hashlib.sha256(data).hexdigest() != digest:
        raise Refused(f"{path} changed since the build planned")


def _kept(kept: OrderedDict[tuple[Any, ...], Any], key: tuple[Any, ...], make: Any) -> Any:
    """kept[key], made if missing; only the last KEEP stay."""
    if key in kept:
        kept.move_to_end(key)
        return kept[key]
    value = kept[key] = make()
    while len(kept) > KEEP:
        kept.popitem(last=False)
    return value
