"""The one place that knows a project's layout: where sources, catalogs and caches are.

A project is a folder holding `source/*.yaml`, `locales/` beside `source/`, and
`.policyc-cache/`. Every command asks here instead of re-deriving the rule; a project
config (policyc.toml) builds on these functions.
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath

SOURCE_DIR = "source"
LOCALES_DIR = "locales"
CACHE_DIR = ".policyc-cache"


def project_root(source: Path) -> Path:
    """The folder holding source/, locales/ and the cache."""
    return source.resolve().parent.parent


def locales_dir(source: Path, override: Path | None = None) -> Path:
    """The catalogs of a source: `override` (--locales-dir) or locales/ beside source/."""
    return override or project_root(source) / LOCALES_DIR


def revision_locales_dir(source: PurePosixPath) -> PurePosixPath:
    """The same rule for a path inside a git revision (never resolved on disk)."""
    return source.parent.parent / LOCALES_DIR


def cache_dir(source: Path) -> Path:
    """Where validated facts of a source are cached (like a linter's cache)."""
    return project_root(source) / CACHE_DIR
