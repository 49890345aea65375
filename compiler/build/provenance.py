"""What each output was built from: recorded per output, so nothing is listed beside other inputs.

A partial build (`--locale en`, `--format pdf`, one named source) after an edit makes some
outputs from the new inputs and leaves the others as earlier builds made them. The build
state records, for each output, the source and catalogs it was made from (with their
digests, as the manifest names inputs) and a digest of what its format read besides (the
templates, the theme, the shared variables); the manifest lists each output with its own
inputs. An output whose recorded inputs are no longer the project's is recorded stale
(state.STALE): listed nowhere, by this build or a later one, until a build makes it again.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import replace
from pathlib import Path

from compiler.build import plan as planning
from compiler.build.plan import BuildOptions, Job
from compiler.build.state import STALE, OutputState, State
from compiler.errors import display_path
from compiler.i18n.paths import UI_DOMAIN, po_path
from compiler.project.documents import Linked
from compiler.project.sources import Facts, shared_digest

Inputs = dict[str, dict[str, str]]  # "sources" / "catalogs" -> display path -> sha256


class Provenance:
    """The inputs each output of this build's documents is made from now."""

    def __init__(self, sources_facts: list[tuple[Path, Facts]], options: BuildOptions,
                 linked: Linked) -> None:
        self.options = options
        self.linked = linked
        self.documents = {facts.id: (path, facts) for path, facts in sources_facts}
        self._inputs: dict[tuple[str, str], Inputs] = {}
        self._templates: dict[str, str] = {}
        self._theme: str | None = None
        self._places: dict[Path, tuple[str, Path]] = {}  # source -> (shown, its locales/)

    def inputs(self, source: Path, facts: Facts, locale: str) -> Inputs:
        """Its source, and the locale's catalogs that exist (for the source locale its
        policyc.po only), as the job key reads them (plan.key_parts); and, of each document
        its {doc:id} links name, the source and the catalog of the linked locale (the
        link reads as that title there: Linked.key), so a linked title edited since
        makes the output stale too (review7 F3)."""
        pair = (facts.id, locale)
        if pair not in self._inputs:
            shown, ldir = self._place(source)
            sources = {shown: facts.digest}
            catalogs = {}
            for domain in ((UI_DOMAIN,) if locale == facts.source_locale
                           else (facts.id, UI_DOMAIN)):
                po = po_path(ldir, locale, domain)
                if digest := planning.file_digest(po):
                    catalogs[display_path(po)] = digest
            for doc_id in sorted({d[0] for d in facts.documents}):
                target = self.linked.target_locale(doc_id, locale)
                if target is None:
                    continue
                path, other = self.linked.by_id[doc_id]
                other_shown, other_ldir = self._place(path)
                sources[other_shown] = other.digest
                po = po_path(other_ldir, target, other.id)
                if target != other.source_locale and (digest := planning.file_digest(po)):
                    catalogs[display_path(po)] = digest
            self._inputs[pair] = {"sources": sources, "catalogs": catalogs}
        return self._inputs[pair]

    def _place(self, source: Path) -> tuple[str, Path]:
        """How a source is shown, and its locales/ folder (each resolves the path, ~0.1 ms:
        once a source)."""
        if source not in self._places:
            self._places[source] = (display_path(source),
                                    planning.locales_dir_for(source, self.options))
        return self._places[source]

    def templates(self, fmt: str) -> str:
        """One digest of what every output of a format reads besides its source and
        catalogs: the templates it uses, the theme, the project's shared variables."""
        if fmt not in self._templates:
            options = self.options
            if self._theme is None:  # read once (the logo's bytes), for every format
                self._theme = options.theme.key()
            uses = planning.TEMPLATE_USES.get(fmt, ("",))
            self._templates[fmt] = hashlib.sha256(json.dumps(
                [options.templates.digests(uses), self._theme,
                 shared_digest(options.variables)], sort_keys=True).encode()).hexdigest()
        return self._templates[fmt]

    def stamp(self, entry: OutputState, job: Job) -> OutputState:
        """entry recording what job makes its output from (an output built, up to date, or
        kept by the cutoff is what these inputs make)."""
        inputs, templates = self.inputs(job.source, job.facts, job.locale), self.templates(job.fmt)
        if entry.inputs == inputs and entry.templates == templates:
            return entry
        return replace(entry, inputs=inputs, templates=templates)

    def mark_outdated(self, state: State) -> None:
        """Record stale every output whose inputs are no longer what it was made from: its
        document's source or catalogs (of the documents this build read) or its format's
        templates changed since. An output recorded before provenance was (no inputs) is
        stale too: nothing says what it was made from."""
        for rel, entry in state.outputs.items():
            if entry.key != STALE and self._outdated(entry):
                state.outputs[rel] = replace(entry, key=STALE)

    def _outdated(self, entry: OutputState) -> bool:
        if not entry.inputs or entry.templates != self.templates(entry.format):
            return True
        known = self.documents.get(entry.document)
        if known is None:  # a document this build did not read (another source named):
            return False  # its outputs list the inputs they were made from
        return _digests(self.inputs(known[0], known[1], entry.locale)) != _digests(entry.inputs)


def _digests(inputs: Inputs) -> dict[str, list[str]]:
    """The digests of each kind, not their paths (relative to the working directory, which
    may differ between two builds)."""
    return {kind: sorted(found.values()) for kind, found in inputs.items()}
