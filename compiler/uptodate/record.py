"""The memo of a build (see __init__.py), for the next build of the same command.

Written while the build still holds the output folder's lock, after it wrote its outputs,
state, manifest and index: what the next build would say if nothing changes is then known
(BuildResult.next_warnings: the warnings of reading and planning, and each locale's recorded
ones, as an up-to-date build says them), and every stamp is final. Only for sources in the
project's source/ folder (everything a build reads then lies in folders named here); not
for a build whose listings leave outputs out (the next one writes index.html again), nor
for an up-to-date build that logged something. Anything that cannot be stamped for sure
means no memo: the next build runs in full.
"""

from __future__ import annotations

import contextlib
import os
import stat
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

from compiler.build.state import STATE
from compiler.uptodate import memo

if TYPE_CHECKING:
    from compiler.build.pipeline import BuildResult
    from compiler.build.plan import BuildOptions
    from compiler.project.layout import Layout


MAX_FOLDERS = 2000  # a bigger project (or a link's loop) runs the build in full
MAX_RACY_BYTES = 256 * 1024 * 1024  # files changed just now, digested (a build's outputs)
# What editors keep beside a file open in them (vim's swap, rewritten every few seconds, and
# its write test; backups; macOS's folder file): no build reads them in source/ or locales/,
# so their stamps are not kept there, only their names (review8 R8-9)
EDITOR_FILES = (".swp", ".swo", ".swx", "~", "4913", ".DS_Store")  # endings, or whole names
UNUSED_DAYS = 30  # a memo neither made nor read for this long is removed (one per command
# line, folder and environment: they would pile up in the user's cache over the years)


class _Unsure(Exception):
    """Something the memo could not cover for sure."""


def record(args: list[str], result: BuildResult, options: BuildOptions, layout: Layout,
           sources: list[Path], started: int) -> bool:
    """Write the memo of this build's command for the next one; whether it did. started:
    time.time_ns() before the build read anything (a file changed since, but for what the
    build wrote, may not be what it read)."""
    from compiler.project.layout import LINKED

    cmd = memo.command(args)
    if cmd is None or result.next_warnings is None or (
            not result.built and "logging" in sys.modules):  # an up-to-date build that
        return False  # logged something (the memo would not say it again)
    asked_warm = options.keep_warm > 0 and not options.warm_later  # (POLICYC_KEEP_WARM)
    if options.force or options.signer is not None or asked_warm or \
            options.locales_dir is not None or LINKED:
        return False  # catalogs a config or POLICYC_LOCALES_DIR names, or a config's file
    out = options.out.absolute()  # named through a link: not stamped as the build reads them
    written = {str(o.path.absolute()) for o in result.outputs if o.built} | {
        str(out / name) for name in (STATE, "manifest.json", "index.html")}
    try:
        stamps, folders, racy = _read(layout, sources, out, _Found(started, written))
    except (_Unsure, OSError):
        return False
    memo_key = memo.key(cmd, os.getcwd(), os.environ)
    data = {"v": memo.VERSION, "key": memo_key, "stamps": stamps, "folders": folders,
            "racy": racy, "lock": str(out / memo.LOCK_NAME),
            "said": {"warnings": [str(w) for w in result.next_warnings],
                     "unlisted": [], "outputs": len(result.outputs)}}
    target = memo.path(os.environ, memo_key)
    _prune(Path(target).parent)
    return memo.write(target, data)


def _prune(folder: Path) -> None:
    """Remove memos not used for UNUSED_DAYS (a replay reads a memo: its access time)."""
    cutoff = time.time() - UNUSED_DAYS * 86400
    with contextlib.suppress(OSError), os.scandir(folder) as entries:
        for entry in entries:
            if entry.name.endswith(".json") and entry.is_file(follow_symlinks=False) and \
                    max(entry.stat().st_atime, entry.stat().st_mtime) < cutoff:
                with contextlib.suppress(OSError):
                    os.unlink(entry.path)


def _read(layout: Layout, sources: list[Path], out: Path, found: _Found) -> tuple[
        list[list[object]], list[list[object]], dict[str, str]]:
    """The stamps and folder listings of everything a build of these sources reads, and the
    digest of each file changed just now (memo.racy: the outputs a build just wrote)."""
    from compiler.project.sources import discover

    root = layout.root
    folder = root / "source"
    if folder.is_symlink() or any(  # catalogs are found beside a source's real folder
            s.is_symlink() or s.absolute().parent != folder
            for s in (p if p.is_absolute() else Path.cwd() / p for p in discover(sources))):
        raise _Unsure("a source outside the project's source/ folder, or a link")
    # how the project was found (compiler/project/layout.find_config): each folder's
    # policyc.toml and pyproject.toml from the working directory up to the project's
    cwd = Path.cwd().resolve()
    for folder in (cwd, *cwd.parents):
        for name in ("policyc.toml", "pyproject.toml"):
            found.stamp(folder / name)
        if layout.config is not None and folder == layout.config.parent:
            break
    found.listing(root)  # _brand.yml, a config made since
    for name in ("_brand.yml", "policyc.toml", "pyproject.toml"):
        found.stamp(root / name)
    for part in ("source", "locales"):  # a build reads *.yaml and *.po there, and lists them
        found.tree(root / part, skip_stamp=EDITOR_FILES)
    found.tree(root / "templates")  # every file there is a template (renderers/templates)
    found.tree(out, inputs=False)  # every output, the state, manifest and index
    # policyc's own code and built-in templates and catalogs, the interpreter, the
    # installed libraries (a pip install changes their folder), the fonts a key names
    import compiler
    from compiler.build.plan import FONT_DIRS, font_files, read_by_keys

    found.tree(Path(compiler.__file__).parent, skip=("__pycache__",))
    found.stamp(sys.executable)
    for entry in sys.path:
        if entry and os.path.isdir(entry):
            found.stamp(os.path.abspath(entry))
    for fonts in FONT_DIRS:
        for folder in (fonts, *fonts.glob("*"), *fonts.glob("*/noto*")):
            found.listing(folder)
    for font in font_files():
        found.stamp(font)
    for path in sorted(read_by_keys()):  # a reference document, a logo, Babel's release
        named = os.path.normpath(path.absolute())
        if os.path.realpath(named) != named:
            raise _Unsure(f"{path} is read through a link")
        found.stamp(named)
    return found.stamps, found.folders, found.racy


class _Found:
    """Stamps and listings as they are read, and the digests of files changed just now."""

    def __init__(self, build_started: int, written: set[str]) -> None:
        self.build_started = build_started
        self.written = written  # what the build wrote: changed since it started, and ours
        self.started = time.time_ns()
        self.stamps: list[list[object]] = []
        self.folders: list[list[object]] = []
        self.racy: dict[str, str] = {}
        self.budget = MAX_RACY_BYTES

    def stamp(self, path: Path | str) -> None:
        found = memo.stamp(str(path))
        if found is not None and str(path) not in self.written and \
                memo.racy(found, self.build_started):
            raise _Unsure(f"{path} changed while the build ran")
        if found is not None and memo.racy(found, self.started):
            if not stat.S_ISREG(found[2]) or found[3] > self.budget:
                raise _Unsure(f"{path} changed just now")
            self.budget -= found[3]
            self.racy[str(path)] = memo.digest(str(path), found[3])
        self.stamps.append([str(path), found])

    def listing(self, folder: Path | str) -> list[str] | None:
        names = memo.names(str(folder))
        self.folders.append([str(folder), names])
        return names

    def tree(self, root: Path | str, skip: tuple[str, ...] = (),
             above: frozenset[tuple[int, int]] = frozenset(), inputs: bool = True,
             skip_stamp: tuple[str, ...] = ()) -> None:
        """Every folder's names and every file's stamp below root (which may be missing),
        through links (a file seen through a link changed elsewhere, or a link pointed
        elsewhere, has another stamp)."""
        try:
            info = os.stat(root)
            with os.scandir(root) as found:
                entries = sorted((e for e in found if e.name != memo.LOCK_NAME),
                                 key=lambda e: e.name)
        except (FileNotFoundError, NotADirectoryError):
            self.folders.append([str(root), None])
            return
        if inputs and memo.racy(memo.stamp_of(info), self.build_started):
            raise _Unsure(f"{root}: a file came or went while the build ran")
        folder = (info.st_dev, info.st_ino)
        if folder in above or len(self.folders) > MAX_FOLDERS:
            raise _Unsure(f"{root}: a link's loop, or too many folders")
        self.folders.append([str(root), [e.name for e in entries]])
        for entry in entries:
            if entry.name in skip:
                continue
            if entry.is_dir():
                self.tree(entry.path, skip, above | {folder}, inputs, skip_stamp)
            elif not (entry.name.endswith(skip_stamp) or entry.name in skip_stamp):
                self.stamp(entry.path)
