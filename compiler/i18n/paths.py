"""Where a project's catalogs are (names and paths only): kept apart from catalogs.py so that
a no-op build, which only hashes the catalogs' bytes, does not import the PO reader."""

from __future__ import annotations

from pathlib import Path, PurePath
from typing import TypeVar

P = TypeVar("P", bound=PurePath)

UI_DOMAIN = "policyc"  # locales/<locale>/LC_MESSAGES/policyc.po: the template's own words


def pot_path(locales_dir: Path, domain: str) -> Path:
    return locales_dir / f"{domain}.pot"


def catalog_folder(locales_dir: P, locale: str) -> P:
    """Where a locale's catalogs are: the one layout rule for them (a file system path, or a
    path inside a git revision, or a PDF attachment's name)."""
    return locales_dir / locale / "LC_MESSAGES"


def po_path(locales_dir: P, locale: str, domain: str) -> P:
    return catalog_folder(locales_dir, locale) / f"{domain}.po"
