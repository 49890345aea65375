"""Early cutoff: a catalog edit that changes no translation re-renders nothing.

A translator's tool (Poedit, Weblate) rewrites a catalog's header (PO-Revision-Date,
Last-Translator), its comments and its order; the catalog's bytes, and so the job keys of
its locale's outputs, change, but not one word of the outputs. As build systems with early
cutoff do (Shake, Bazel), a stale job is compared once more on what its output depends on:
its key with what localization reads from the catalogs (each message's text and fuzzy flag)
in place of their bytes (plan.content_key, recorded in the state as each output is built).
Equal to the last build's, the output is kept and its new key recorded; the locale is
still localized, so its warnings and errors are this catalog's, not the last build's.
An output that carries its catalogs inside (a PDF/A-3's attachments) has its job key as
content key: any change to their bytes re-renders it.

What localization read is digested before it reads (the catalogs are parsed once, kept by
build.localizing's cache); a catalog saved in between then only costs a re-render.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from compiler.build import plan as planning
from compiler.build.plan import BuildOptions, Job
from compiler.build.state import OutputState, State
from compiler.errors import CompilerError
from compiler.i18n.paths import UI_DOMAIN, po_path

if TYPE_CHECKING:
    from compiler.i18n.catalogs import Translations

Pair = tuple[str, str]  # (document id, locale)


class Cutoff:
    """Which stale jobs need no render, and the content key each built output records."""

    def __init__(self, state: State, options: BuildOptions,
                 load: Callable[[Path, str, Path], Translations]) -> None:
        self.state = state
        self.options = options
        self.load = load  # a catalog's translations, parsed once per build (or process)
        self.catalogs: dict[Pair, str | None] = {}  # what localizing a pair read
        self.kept: dict[Pair, list[Job]] = {}  # stale jobs whose outputs are kept

    def select(self, stale: list[Job]) -> list[Job]:
        """The stale jobs that still need rendering; the others wait in `kept` for their
        locale's localization (settle). --force keeps nothing."""
        if self.options.force:
            return stale
        render = []
        for job in stale:
            entry = self.state.outputs.get(job.target.relative_to(self.options.out).as_posix())
            if entry is None or entry.base != job.base:
                render.append(job)  # more than the catalogs changed: no need to read them
            elif self._unchanged(job, self._catalogs(job)):
                self.kept.setdefault(_pair(job), []).append(job)
            else:
                render.append(job)
        return render

    def before_localizing(self, job: Job) -> None:
        """Digest what localizing job's locale will read, before it reads it."""
        self.catalogs[_pair(job)] = self._catalogs(job)

    def settle(self, pair: Pair) -> tuple[list[tuple[Job, OutputState]], list[Job]]:
        """After pair localized: (jobs kept, with their state now recording their new keys;
        jobs to render after all, a catalog having changed since select)."""
        kept, render = [], []
        for job in self.kept.pop(pair, []):
            if self._unchanged(job, self.catalogs.get(pair)):
                rel = job.target.relative_to(self.options.out).as_posix()
                self.state.outputs[rel] = replace(self.state.outputs[rel], key=job.key)
                kept.append((job, self.state.outputs[rel]))
            else:
                render.append(job)
        return kept, render

    def content(self, job: Job) -> str:
        """The content key a built output records ("" when its catalogs were not read)."""
        catalogs = self.catalogs.get(_pair(job))
        return "" if catalogs is None else planning.content_key(job, catalogs, self.options)

    def _unchanged(self, job: Job, catalogs: str | None) -> bool:
        entry = self.state.outputs.get(job.target.relative_to(self.options.out).as_posix())
        return (catalogs is not None and entry is not None and bool(entry.content)
                and self.state.is_fresh(self.options.out, job.target, entry.key)
                and planning.content_key(job, catalogs, self.options) == entry.content)

    def _catalogs(self, job: Job) -> str | None:
        """What localization reads from job's catalogs, as build.localizing.load_translations
        finds them; None when one does not parse (localization reports it)."""
        source = job.locale == job.facts.source_locale  # its layout words only, if any
        ui = po_path(job.locales_dir, job.locale, UI_DOMAIN)
        if source and not (ui.exists() or ui.is_symlink()):
            return ""
        from compiler.i18n.catalogs import content_digest  # stale jobs only: a no-op needs no PO reader

        parts = []
        for domain in (UI_DOMAIN,) if source else (job.facts.id, UI_DOMAIN):
            path = po_path(job.locales_dir, job.locale, domain)
            if not (path.exists() or path.is_symlink()):
                parts.append("-")
                if domain == job.facts.id:
                    break  # no catalog: the UI catalog is not read either
                continue
            try:
                parts.append(content_digest(self.load(path, job.locale, job.locales_dir)))
            except CompilerError:
                return None
        return " ".join(parts)


def _pair(job: Job) -> Pair:
    return (job.facts.id, job.locale)
