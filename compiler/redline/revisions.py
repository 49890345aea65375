"""The two versions a redline compares: a source file, or a file in a git revision (read with
`git show`, no checkout), each with the catalogs that sat beside it."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from compiler.errors import Category, CompilerError, Loc, display_path
from compiler.i18n.catalogs import (
    UI_DOMAIN,
    Translations,
    catalog_root,
    parse_translations,
    po_path,
    read_po,
    read_translations,
    translations_before,
)
from compiler.limits import MAX_CATALOG_BYTES, MAX_SOURCE_BYTES
from compiler.model import Document, Variable

GIT_PREFIX = "git:"


@dataclass(frozen=True)
class GitTree:
    """One revision of a repository, read through `git show REV:PATH`."""

    repo: Path
    rev: str

    def spec(self, path: str) -> str:
        return f"{GIT_PREFIX}{self.rev}:{path}"

    def read(self, path: str, limit: int, what: str) -> bytes | None:
        """The file's bytes at this revision; None when the revision has no such file. Its
        size is asked first: a huge blob in history is refused, not read into memory."""
        from compiler.limits import size

        blob = f"{self.rev}:{path}"
        found = _git(self.repo, "cat-file", "-s", blob)
        if found.returncode != 0:
            return None
        if int(found.stdout.strip() or 0) > limit:
            raise CompilerError.at(Loc(self.spec(path)), f"{what} is larger than {size(limit)} "
                                   f"(the limit for a {what}; see README, Security model)",
                                   Category.IO)
        done = _git(self.repo, "show", blob)
        if done.returncode != 0:
            return None
        return done.stdout


@dataclass(frozen=True)
class Revision:
    """One side of a comparison: the document, and where its catalogs are."""

    spec: str  # as given: a path, or git:REV:PATH
    document: Document
    locales: Path | tuple[GitTree, str]  # a folder, or a folder inside a git revision
    folder: Path  # the source's folder in the working tree (for its reference_docx)
    # a copy outside any project's source/ folder: it has no catalogs of its own, so it is
    # read with the project's (locales), as they were before their last update
    borrowed: bool = False

    def reference_docx(self) -> Path | None:
        """The source's DOCX style reference, if it names one that exists (for a git
        revision: the working tree's copy)."""
        name = self.document.meta.reference_docx
        if not name:
            return None
        from compiler.project.layout import reference_docx

        path = reference_docx(self.folder / "source.yaml", name)  # inside the project
        return path if path.is_file() else None

    def translations(self, locale: str) -> tuple[Translations | None, str]:
        """The catalog of this version in one locale (None: there is none), with the
        layout's words (policyc.po) beside it, and where it is. In the source locale only
        the layout's words, if the project has them there (as the build reads them)."""
        doc_id = self.document.meta.id
        source = locale == self.document.meta.source_locale
        if isinstance(self.locales, Path):
            po = po_path(self.locales, locale, doc_id)
            shown = display_path(po)
            if not source and not po.exists():
                return None, shown
            root = catalog_root(self.locales)
            ui_po = po_path(self.locales, locale, UI_DOMAIN)
            ui = read_translations(ui_po, locale, root) if ui_po.exists() else None
            if source:
                return ui, shown
            if self.borrowed:
                return translations_before(read_po(po, root), shown, locale, ui), shown
            return read_translations(po, locale, root, ui), shown
        tree, folder = self.locales
        path = str(po_path(PurePosixPath(folder), locale, doc_id))
        shown = tree.spec(path)
        data = None if source else tree.read(path, MAX_CATALOG_BYTES, "catalog")
        ui_path = str(po_path(PurePosixPath(folder), locale, UI_DOMAIN))
        ui_data = tree.read(ui_path, MAX_CATALOG_BYTES, "catalog") if data is not None or source else None
        ui = (parse_translations(ui_data, tree.spec(ui_path), locale)
              if ui_data is not None else None)
        if data is None:
            return (ui if source else None), shown
        return parse_translations(data, shown, locale, ui), shown


def _git(repo: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    try:
        return subprocess.run(["git", "-C", str(repo), *args], capture_output=True, check=False)
    except FileNotFoundError as err:
        raise CompilerError.at(Loc(GIT_PREFIX), "git is not installed (needed to read "
                               "git: revisions)", Category.IO) from err


def _repo_root(start: Path, spec: str) -> Path:
    done = _git(start, "rev-parse", "--show-toplevel")
    if done.returncode != 0:
        raise CompilerError.at(Loc(spec), f"not inside a git repository ({start.resolve()}): "
                               "git: revisions need one", Category.IO)
    return Path(done.stdout.decode().strip())


def _split_git(spec: str) -> tuple[str, str | None]:
    """git:REV:PATH -> (REV, PATH); git:REV -> (REV, None)."""
    rev, _, path = spec.removeprefix(GIT_PREFIX).partition(":")
    return rev, path or None


def repo_path(path: Path, repo: Path) -> str:
    """A working-tree file as a path inside the repository (what REV:PATH names)."""
    try:
        return path.resolve().relative_to(repo.resolve()).as_posix()
    except ValueError as err:
        raise CompilerError.at(Loc(display_path(path)), f"'{display_path(path)}' is outside "
                               f"the git repository {repo}", Category.IO) from err


def read_revision(spec: str, other: str | None = None, cwd: Path | None = None,
                  shared: tuple[Variable, ...] = ()) -> Revision:
    """Load one side. A git: spec without a path takes the other side's file. shared: the
    project's [variables] (today's policyc.toml, for both sides).

    A file in a project's source/ folder has that project's catalogs (locales/ beside
    source/); any other file (a copy such as old.yaml beside source/, or in /tmp) has none
    of its own and borrows those of the project around cwd (never a folder above it)."""
    from compiler.project.layout import find_layout, locales_dir, project_of, revision_locales_dir
    from compiler.project.sources import read_document
    from compiler.readers import read_bytes

    where = cwd or Path.cwd()
    if not spec.startswith(GIT_PREFIX):
        path = Path(spec) if Path(spec).is_absolute() else where / spec
        document = read_document(path, shared)
        if project_of(path) is None:
            return Revision(spec, document, find_layout(where).locales, path.resolve().parent,
                            borrowed=True)
        return Revision(spec, document, locales_dir(path), path.resolve().parent)
    repo = _repo_root(where, spec)
    rev, file = _split_git(spec)
    if not rev:
        raise CompilerError.at(Loc(spec), f"'{spec}' names no revision (expected "
                               "git:REV:PATH, e.g. git:v2.0.0:source/privacy-policy.yaml)",
                               Category.IO)
    if _git(repo, "rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}").returncode != 0:
        raise CompilerError.at(Loc(spec), f"unknown git revision '{rev}' (expected a commit, "
                               "tag or branch of this repository)", Category.IO)
    if file is None:
        if other is None or (other.startswith(GIT_PREFIX) and _split_git(other)[1] is None):
            raise CompilerError.at(Loc(spec), f"'{spec}' names no file (expected "
                                   f"git:{rev}:PATH)", Category.IO)
        file = (_split_git(other)[1] if other.startswith(GIT_PREFIX)
                else repo_path(Path(other) if Path(other).is_absolute() else where / other, repo))
    assert file is not None
    tree = GitTree(repo, rev)
    full = tree.spec(file)
    data = tree.read(file, MAX_SOURCE_BYTES, "source")
    if data is None:
        raise CompilerError.at(Loc(full), f"revision '{rev}' has no file '{file}'", Category.IO)
    document = read_bytes(data, full, shared)
    folder = revision_locales_dir(PurePosixPath(file))
    return Revision(full, document, (tree, str(folder)), repo / PurePosixPath(file).parent)
