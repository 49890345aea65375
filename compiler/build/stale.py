"""Outputs an earlier build recorded that this build no longer makes: unpublished.

A source deleted (or its id changed), a locale dropped from its `locales:`, an option not
given again (--docx-annex, --docx-protect): the build state still lists their files, and
without this the manifest and index.html would go on publishing (and a signed manifest
vouching for) what the project no longer builds. Only what this build covers is looked at,
so a partial build (--locale de, --format pdf, one named source) keeps the others' outputs.
"""

from __future__ import annotations

import contextlib
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from compiler.build.state import OutputState, State
from compiler.errors import display_path
from compiler.fs import sha256_file
from compiler.project.layout import find_layout


@dataclass(frozen=True)
class Scope:
    """What a build covers: documents (None: any, the whole project), locales (None: any),
    formats. An output outside it is another build's business."""

    documents: frozenset[str] | None
    locales: frozenset[str] | None
    formats: frozenset[str]

    @classmethod
    def of(cls, sources: Sequence[str | Path], ids: Collection[str], locales: Sequence[str],
           formats: Sequence[str]) -> Scope:
        """sources as named on the command line: none, or the source/ folder of the project
        around the working directory, build the whole project (its deleted sources
        included); named files, or any other folder (`policyc build drafts/`, `.`,
        `old/source`), cover the documents found there only."""
        project = find_layout().sources.resolve() if sources else None  # around the cwd
        whole = all(Path(s).resolve() == project for s in sources)
        return cls(None if whole else frozenset(ids), frozenset(locales) or None,
                   frozenset(formats))

    def covers(self, entry: OutputState) -> bool:
        return self.covers_pair(entry.document, entry.locale) and entry.format in self.formats

    def covers_pair(self, document: str, locale: str) -> bool:
        return ((self.documents is None or document in self.documents)
                and (self.locales is None or locale in self.locales))


def unpublish(out: Path, state: State, planned: dict[str, tuple[str, str]],
              scope: Scope) -> list[str]:
    """Forget the recorded outputs the scope covers that are not planned (planned: each
    planned output's path in OUT, with its document and locale), and delete each
    one's file when it is still the bytes policyc wrote (a file changed since is left where
    it is, unlisted). The messages saying what happened to each, for the build's report."""
    said: list[str] = []
    for rel, entry in sorted(state.outputs.items()):
        if rel in planned or not scope.covers(entry):
            continue
        del state.outputs[rel]
        path = out / rel
        shown = display_path(path)
        if not _inside(out, rel) or not path.is_file():  # the state file is only data: a
            continue  # key naming a file elsewhere (.., absolute, a symlink) is dropped
        if path.stat().st_size == entry.size and sha256_file(path) == entry.sha256:
            path.unlink()
            if path.parent != out:
                with contextlib.suppress(OSError):  # the locale's folder, when now empty
                    path.parent.rmdir()
            said.append(f"removed {shown} (no longer built)")
        else:
            said.append(f"no longer listed {shown} (no longer built; left in place: changed "
                        "since policyc wrote it)")
    pairs = {(e.document, e.locale) for e in state.outputs.values()} | set(planned.values())
    for key in list(state.locales):  # what localizing a pair found, when it has no outputs
        document, _, locale = key.partition("/")
        if (document, locale) not in pairs and scope.covers_pair(document, locale):
            del state.locales[key]
    return said


def _inside(out: Path, rel: str) -> bool:
    """Whether `rel` (a key of the state file) names a file policyc could have written in
    OUT: relative, no '..', no symlink on the way, and resolving inside OUT."""
    parts = PurePosixPath(rel).parts
    if not parts or PurePosixPath(rel).is_absolute() or ".." in parts or "\\" in rel:
        return False
    path = out.joinpath(*parts)
    here = out
    for part in parts:
        here = here / part
        if here.is_symlink():
            return False
    try:
        return path.resolve().is_relative_to(out.resolve())
    except (OSError, RuntimeError):
        return False
