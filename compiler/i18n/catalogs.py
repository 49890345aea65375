"""PO catalogs on disk: where they live, reading them with their line numbers."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from compiler.errors import Category, CompilerError, Loc, display_path


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
    from babel.messages.pofile import PoFileError, read_po

    shown = display_path(path)
    try:
        with path.open("rb") as fh:
            catalog = read_po(fh, locale=locale, abort_invalid=True)
    except PoFileError as err:
        raise CompilerError.at(Loc(shown, err.lineno + 1), f"PO syntax error: {err.args[0]}"
                               .rsplit(" on ", 1)[0] + f" (in {err.line.strip()!r})",
                               Category.SYNTAX) from err
    except UnicodeDecodeError as err:
        raise CompilerError.at(Loc(shown), "catalog is not valid UTF-8", Category.SYNTAX) from err
    except (ValueError, OSError) as err:
        raise CompilerError.at(Loc(shown), f"cannot read catalog: {err}", Category.SYNTAX) from err
    entries: dict[tuple[str | None, str], Entry] = {}
    for message in catalog:
        if not message.id or not isinstance(message.id, str):
            continue
        msgstr = message.string if isinstance(message.string, str) else ""
        entries[(message.context, message.id)] = Entry(
            msgstr, message.fuzzy, Loc(shown, message.lineno or 0)
        )
    return Translations(shown, locale, entries)
