"""PO catalogs on disk: where they live, reading them with their line numbers."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from compiler.errors import Category, CompilerError, Loc, display_path

# policyc's own translations of the template's labels (compiler.i18n.ui), shipped as package
# data (<locale>.po); regenerated from this repository's catalogs by scripts/make_ui_catalogs.py.
UI_CATALOGS = Path(__file__).resolve().parent / "ui_catalogs"


@dataclass(frozen=True)
class Entry:
    msgstr: str
    fuzzy: bool
    loc: Loc


@dataclass(frozen=True)
class Translations:
    """One locale's catalog for one document, keyed by (msgctxt, msgid)."""

    path: str
    locale: str
    entries: dict[tuple[str | None, str], Entry]

    def get(self, context: str, msgid: str) -> Entry | None:
        return self.entries.get((context, msgid))


def pot_path(locales_dir: Path, doc_id: str) -> Path:
    return locales_dir / f"{doc_id}.pot"


def po_path(locales_dir: Path, locale: str, doc_id: str) -> Path:
    return locales_dir / locale / "LC_MESSAGES" / f"{doc_id}.po"


def read_translations(path: Path, locale: str) -> Translations:
    """Read a PO file; a syntax error names the file and the PO line."""
    return _translations(_read_catalog(path, locale), display_path(path), locale)


def parse_translations(data: bytes, shown: str, locale: str) -> Translations:
    """A catalog that is not a file on disk (a git revision's); shown names it in messages."""
    return _translations(_parse_catalog(data, shown, locale), shown, locale)


def _translations(catalog: Any, shown: str, locale: str) -> Translations:
    entries: dict[tuple[str | None, str], Entry] = {}
    for message in catalog:
        if not message.id or not isinstance(message.id, str):
            continue
        msgstr = message.string if isinstance(message.string, str) else ""
        entries[(message.context, message.id)] = Entry(
            msgstr, message.fuzzy, Loc(shown, message.lineno or 0)
        )
    return Translations(shown, locale, entries)


# --- the translator's workflow: init, update, status ------------------------------


@dataclass(frozen=True)
class Status:
    locale: str
    path: str
    total: int
    translated: int
    fuzzy: int
    untranslated: int
    obsolete: int

    @property
    def percent(self) -> float:
        return 100.0 if not self.total else round(100.0 * self.translated / self.total, 1)


_PO_LINE = re.compile(
    r'\s*(?:#.*|(?:#~\s*)?(?:(?:msgctxt|msgid|msgid_plural|msgstr(?:\[\d+\])?)\s+)?'
    r'"(?:[^"\\]|\\.)*"\s*|)'
)


def _lex_check(data: bytes, shown: str) -> None:
    """Babel's reader forgives unterminated strings and stray text; translators need the line."""
    try:
        lines = data.decode("utf-8").splitlines()
    except UnicodeDecodeError as err:
        raise CompilerError.at(Loc(shown), "catalog is not valid UTF-8", Category.SYNTAX) from err
    for number, line in enumerate(lines, 1):
        if not _PO_LINE.fullmatch(line):
            raise CompilerError.at(
                Loc(shown, number),
                f"PO syntax error: expected a keyword (msgctxt, msgid, msgstr) followed by a "
                f"quoted string, or a comment (in {line.strip()!r})", Category.SYNTAX)


def _read_catalog(path: Path, locale: str | None = None) -> Any:
    shown = display_path(path)
    try:
        data = path.read_bytes()
    except OSError as err:
        raise CompilerError.at(Loc(shown), f"cannot read catalog: {err}", Category.SYNTAX) from err
    return _parse_catalog(data, shown, locale)


def _parse_catalog(data: bytes, shown: str, locale: str | None = None) -> Any:
    from io import BytesIO

    from babel.messages.pofile import PoFileError, read_po

    _lex_check(data, shown)
    try:
        return read_po(BytesIO(data), locale=locale, abort_invalid=True)
    except PoFileError as err:
        raise CompilerError.at(
            Loc(shown, err.lineno + 1),
            f"PO syntax error: {err.args[0].rsplit(' on ', 1)[0]} (in {err.line.strip()!r})",
            Category.SYNTAX) from err
    except UnicodeDecodeError as err:
        raise CompilerError.at(Loc(shown), "catalog is not valid UTF-8", Category.SYNTAX) from err
    except (ValueError, OSError) as err:
        raise CompilerError.at(Loc(shown), f"cannot read catalog: {err}", Category.SYNTAX) from err


def init_catalog(template: Any, locale: str, path: Path) -> Any:
    """A new catalog for a locale, with its plural forms and language header; the template's
    own labels come translated from policyc's UI catalog for the locale when it has one."""
    from babel import Locale
    from babel.messages.catalog import Catalog

    if path.exists():
        raise CompilerError.at(Loc(display_path(path)), f"catalog for '{locale}' exists already "
                               "(use 'policyc locale update')", Category.IO)
    catalog = Catalog(locale=Locale.parse(locale), domain=template.domain,
                      project=template.project, version=template.version,
                      copyright_holder=template.copyright_holder,
                      creation_date=template.creation_date,
                      revision_date=template.creation_date, fuzzy=False)
    catalog.update(template, no_fuzzy_matching=True, update_creation_date=True)
    _prefill_ui(catalog, locale)
    return catalog


def builtin_ui_catalog(locale: str) -> Path | None:
    """The shipped UI catalog for a locale (pt_BR, else pt), or None."""
    for name in dict.fromkeys((locale, locale.split("_", maxsplit=1)[0])):
        path = UI_CATALOGS / f"{name}.po"
        if path.is_file():
            return path
    return None


def _prefill_ui(catalog: Any, locale: str) -> None:
    from compiler.i18n.ui import UI_CONTEXT

    shipped = builtin_ui_catalog(locale)
    if shipped is None:
        return
    known = _read_catalog(shipped, locale)
    for message in catalog:
        if message.context == UI_CONTEXT and message.id and not message.string:
            found = known.get(message.id, UI_CONTEXT)
            if found is not None and found.string and not found.fuzzy:
                message.string = found.string


def update_catalog(template: Any, path: Path, locale: str) -> Any:
    """Merge a new template: kept, fuzzy (with #| previous msgid), or obsolete; nothing lost.

    Sections keep stable ids, so a message whose msgid is unchanged but whose context path
    changed because its section moved keeps its translation as is (not fuzzy).
    """
    catalog = _read_catalog(path, locale)
    wanted = {(m.context, m.id) for m in template if m.id}
    for message in list(catalog):
        if not message.id or (message.context, message.id) in wanted or not message.context:
            continue
        leaf = message.context.rsplit("/", 1)[-1]
        for ctx, msgid in wanted:
            if (msgid == message.id and ctx.rsplit("/", 1)[-1] == leaf
                    and catalog.get(msgid, ctx) is None):
                catalog.delete(message.id, message.context)
                message.context = ctx
                catalog[message.id] = message
                break
    catalog.update(template, no_fuzzy_matching=False, update_header_comment=False,
                   keep_user_comments=True, update_creation_date=True)
    return catalog


def status(path: Path, locale: str) -> Status:
    catalog = _read_catalog(path, locale)
    total = translated = fuzzy = 0
    for m in catalog:
        if not m.id:
            continue
        total += 1
        if m.fuzzy:
            fuzzy += 1
        elif m.string:
            translated += 1
    return Status(locale, display_path(path), total, translated, fuzzy,
                  total - translated - fuzzy, len(catalog.obsolete))
