"""The one place that knows a project's layout: where sources, catalogs, templates and caches are.

A project is a folder holding `source/*.yaml`, `locales/` beside `source/`, its own
`templates/` (overrides of policyc's built-ins) and `.policyc-cache/`. Its root is the folder
holding `policyc.toml` (or a `pyproject.toml` with a `[tool.policyc]` table), found by
walking up from the working directory as git and ruff find theirs; without one, the working
directory is the project. Every command asks here instead of re-deriving the rule; the
project config (config.py) builds on these functions.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path, PurePosixPath

SOURCE_DIR = "source"
LOCALES_DIR = "locales"
TEMPLATES_DIR = "templates"
CACHE_DIR = ".policyc-cache"
CONFIG_NAME = "policyc.toml"
PYPROJECT = "pyproject.toml"
OUT_DIR = "dist"


def project_root(source: Path) -> Path:
    """The folder holding source/, locales/ and the cache."""
    return source.resolve().parent.parent


def project_of(source: Path) -> Path | None:
    """The project of a source in a project's source/ folder; None for a stray source."""
    return project_root(source) if source.resolve().parent.name == SOURCE_DIR else None


def locales_dir(source: Path, override: Path | None = None) -> Path:
    """The catalogs of a source: `override` (--locales-dir) or locales/ beside source/."""
    return override or project_root(source) / LOCALES_DIR


def revision_locales_dir(source: PurePosixPath) -> PurePosixPath:
    """The same rule for a path inside a git revision (never resolved on disk)."""
    return source.parent.parent / LOCALES_DIR


CACHE_ENV = "POLICYC_CACHE_DIR"


def cache_dir(source: Path) -> Path | None:
    """Where validated facts of a source are cached (like a linter's cache): $POLICYC_CACHE_DIR
    when set (the tests point it outside the repository); else the project's .policyc-cache/
    when the source sits in a project's source/ folder, else the user's cache folder
    ($XDG_CACHE_HOME/policyc) -- never a folder above a stray source, which could be shared
    with whoever planted a cache there. None when the project's folder is refused (`_ours`):
    the command then runs without caches. Every cache (sources.json, hyphenation, the warm
    worker's folder) is found here."""
    import os

    if os.environ.get(CACHE_ENV):
        return Path(os.environ[CACHE_ENV])
    resolved = source.resolve()
    if resolved.parent.name == SOURCE_DIR:
        return _ours(project_root(source) / CACHE_DIR)
    home = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(home) / "policyc"


_REFUSED: set[Path] = set()  # warned about once per process


def _ours(cache: Path) -> Path | None:
    """The project's .policyc-cache, unless a cloned or unpacked project brought one that is
    not ours: a symlink (every cache would be written and read wherever it points, ~/.ssh
    say), not a folder, or another user's folder. Refused with a warning; a missing folder
    is created by the first cache written (a real folder, ours). The files inside are each
    checked again by their readers (owner, mode, no link)."""
    import os
    import stat

    try:
        info = os.lstat(cache)
    except FileNotFoundError:
        return cache
    except OSError as err:
        problem = f"cannot be checked ({err.strerror or err})"
    else:
        if stat.S_ISLNK(info.st_mode):
            problem = "is a symlink"
        elif not stat.S_ISDIR(info.st_mode):
            problem = "is not a folder"
        elif hasattr(os, "getuid") and info.st_uid != os.getuid():
            problem = "belongs to another user"
        else:
            return cache
    if cache not in _REFUSED:
        _REFUSED.add(cache)
        from compiler import logs

        logs.logger(__name__).warning(
            "%s: the cache folder %s; building without caches (remove it to have them "
            "again)", cache, problem)
    return None


@dataclass(frozen=True)
class Layout:
    """The project around the working directory: its root and its config file, if any."""

    root: Path  # absolute
    config: Path | None = None  # policyc.toml, or pyproject.toml holding [tool.policyc]

    @property
    def sources(self) -> Path:
        return self.root / SOURCE_DIR

    @property
    def templates(self) -> Path:
        return self.root / TEMPLATES_DIR

    @property
    def locales(self) -> Path:
        return self.root / LOCALES_DIR


def _has_tool_table(pyproject: Path) -> bool:
    import tomllib

    try:
        data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return False  # not ours to report: some other tool's broken file
    tool = data.get("tool")
    return isinstance(tool, dict) and "policyc" in tool


# Where a pyproject.toml can hold the key tool.policyc: TOML headers and dotted keys stay on
# one line, so [tool.policyc] or tool.policyc = ... has both words on a line; under a [tool]
# header, or in a top-level `tool = {...}`, the key needs that header or key line. An escape
# in a quoted key ("\u0070olicyc") can spell either word. No match: no table, no parse.
_TOOL_POLICYC = (rb"(?m)^[ \t]*\[[ \t]*[\"']?tool[\"']?[ \t]*\]|^[ \t]*[\"']?tool[\"']?[ \t]*[=.]"
                 rb"|tool.*policyc|policyc.*tool|\\[uU]")


def _may_hold_tool_table(text: bytes) -> bool:
    """False only when text cannot hold [tool.policyc] in any TOML spelling: tomllib's
    import and parse are skipped for pyproject.toml files that merely name policyc (this
    repository's names it in [project]; ~3 ms of a ~0.1 s no-op build, issue #18)."""
    import re

    return (b"policyc" in text or b"\\u" in text or b"\\U" in text) and \
        re.search(_TOOL_POLICYC, text) is not None


def find_config(start: Path) -> Path | None:
    """The nearest policyc.toml, or pyproject.toml with [tool.policyc], from start upwards.

    In one folder policyc.toml wins over pyproject.toml, as ruff.toml does over ruff's table.
    """
    for folder in (start, *start.parents):
        candidate = folder / CONFIG_NAME
        if candidate.is_file():
            return candidate
        pyproject = folder / PYPROJECT
        if pyproject.is_file() and _may_hold_tool_table(pyproject.read_bytes()) and \
                _has_tool_table(pyproject):
            return pyproject
    return None


def find_layout(start: Path | None = None) -> Layout:
    """The project around start (default: the working directory)."""
    here = (start or Path.cwd()).resolve()
    config = find_config(here)
    return Layout(config.parent if config else here, config)


# Files the project's config or brand names through a symbolic link: read resolved, they
# would be stamped by their targets' names, so such a project leaves no up-to-date memo
# (compiler/uptodate/record.py)
LINKED: set[Path] = set()


def resolved_path(folder: Path, name: str) -> Path:
    """folder/name resolved, as the config reads a path setting, noting a link on the way."""
    import os

    named = folder / name
    path = named.resolve()
    if str(path) != os.path.normpath(named.absolute()):
        LINKED.add(named)
    return path


def reference_docx(source: Path, name: str) -> Path:
    """The DOCX style reference a source names: relative to the source's folder, and inside
    the project once symlinks are resolved (a source must not lend out /etc or ~/.ssh)."""
    from compiler.errors import Category, CompilerError, Loc
    from compiler.fs import is_inside

    path = source.parent / name
    root = project_root(source)
    if Path(name).is_absolute() or not is_inside(path, root):
        raise CompilerError.at(Loc.file(source), f"reference_docx '{name}' lies outside the "
                               f"project folder {root} (symlinks resolved)", Category.REFERENCE)
    return path
