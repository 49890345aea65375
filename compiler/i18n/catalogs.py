"""PO catalogs on disk: where they live, reading them safely, their headers, init and status.

Merging a new template into a catalog (`locale update`) lives in merge.py; the checks of
each translation in checks.py; the file format itself in pofile.py.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from compiler.errors import Loc, display_path
from compiler.i18n import pofile
from compiler.i18n.paths import UI_DOMAIN as UI_DOMAIN  # noqa: PLC0414 (re-exported: named in paths.py)
from compiler.i18n.paths import catalog_folder as catalog_folder  # noqa: PLC0414
from compiler.i18n.paths import po_path as po_path  # noqa: PLC0414
from compiler.i18n.paths import pot_path as pot_path  # noqa: PLC0414
from compiler.i18n.pofile import PoFile

# policyc's own translations of the template's labels (compiler.i18n.ui), shipped as package
# data (<locale>.po): a new project's policyc.po starts from them (scripts/make_ui_catalogs.py
# copies them from this repository's locales/<locale>/LC_MESSAGES/policyc.po).
UI_CATALOGS = Path(__file__).resolve().parent / "ui_catalogs"

# Plural-Forms as gettext's msginit (0.21) writes them; Arabic from the gettext manual
# (msginit has no entry for it). Other languages: Babel's CLDR-derived rule.
_ONE = "nplurals=1; plural=0;"
_TWO = "nplurals=2; plural=(n != 1);"
_EAST_SLAVIC = ("nplurals=3; plural=(n%10==1 && n%100!=11 ? 0 : n%10>=2 && n%10<=4 && "
                "(n%100<10 || n%100>=20) ? 1 : 2);")
PLURAL_FORMS = {
    **dict.fromkeys(("ja", "ko", "vi"), _ONE),
    **dict.fromkeys(("da", "nl", "en", "de", "nb", "sv", "fi", "el", "he", "it", "es", "hu",
                     "tr", "bg", "pt", "et"), _TWO),
    "fr": "nplurals=2; plural=(n > 1);",
    "pt_BR": "nplurals=2; plural=(n > 1);",
    "ar": ("nplurals=6; plural=n==0 ? 0 : n==1 ? 1 : n==2 ? 2 : n%100>=3 && n%100<=10 ? 3 "
           ": n%100>=11 ? 4 : 5;"),
    "lv": "nplurals=3; plural=(n%10==1 && n%100!=11 ? 0 : n != 0 ? 1 : 2);",
    "ga": "nplurals=3; plural=n==1 ? 0 : n==2 ? 1 : 2;",
    "ro": "nplurals=3; plural=n==1 ? 0 : (n==0 || (n%100 > 0 && n%100 < 20)) ? 1 : 2;",
    "lt": ("nplurals=3; plural=(n%10==1 && n%100!=11 ? 0 : n%10>=2 && (n%100<10 || "
           "n%100>=20) ? 1 : 2);"),
    **dict.fromkeys(("ru", "uk", "be", "sr", "hr"), _EAST_SLAVIC),
    **dict.fromkeys(("cs", "sk"), "nplurals=3; plural=(n==1) ? 0 : (n>=2 && n<=4) ? 1 : 2;"),
    "pl": ("nplurals=3; plural=(n==1 ? 0 : n%10>=2 && n%10<=4 && (n%100<10 || n%100>=20) "
           "? 1 : 2);"),
    "sl": ("nplurals=4; plural=(n%100==1 ? 0 : n%100==2 ? 1 : n%100==3 || n%100==4 ? 2 "
           ": 3);"),
}


def plural_forms(locale: str) -> str:
    if locale in PLURAL_FORMS:
        return PLURAL_FORMS[locale]
    language = locale.split("_", maxsplit=1)[0]
    if language in PLURAL_FORMS:
        return PLURAL_FORMS[language]
    from babel.messages.plurals import get_plural

    return get_plural(locale).plural_forms


@dataclass(frozen=True)
class Entry:
    msgstr: str
    fuzzy: bool
    loc: Loc  # the PO line of its msgid, where msgfmt locates a message (fuzzy, blank)
    msgstr_line: int = 0  # the PO line of its msgstr, where its translation goes wrong

    @property
    def msgstr_loc(self) -> Loc:
        """Where a problem of the translation itself is (a placeholder, markup, a link):
        the msgstr line the translator edits (qa6 N2), not the msgid line above it."""
        return Loc(self.loc.path, self.msgstr_line or self.loc.line)


@dataclass(frozen=True)
class Translations:
    """One locale's catalog for one document, keyed by (msgctxt, msgid), with the
    project's catalog of template words (policyc.po) beside it."""

    path: str
    locale: str
    entries: dict[tuple[str | None, str], Entry]
    ui: Translations | None = field(default=None, compare=False)
    digest: str = field(default="", compare=False)  # sha256 of the bytes parsed ("": not known)

    def get(self, context: str, msgid: str) -> Entry | None:
        return self.entries.get((context, msgid))


def content_digest(translations: Translations) -> str:
    """What localization reads from a catalog: each message's text and fuzzy flag, by
    context and msgid; not their PO lines, order, comments or the header, which a
    translator's tool (Poedit, Weblate) rewrites without changing a translation."""
    import hashlib

    lines = sorted(repr((key, e.msgstr, e.fuzzy)) for key, e in translations.entries.items())
    return hashlib.sha256("\n".join([translations.locale, *lines]).encode()).hexdigest()


def catalog_root(locales_dir: Path) -> Path:
    """Catalogs must stay inside the folder that holds locales/ (the project)."""
    return locales_dir.resolve().parent


def read_bytes(path: Path, root: Path | None = None) -> bytes:
    """A catalog's bytes: a regular file inside root (symlinks may not lead out), within the
    size limit; a FIFO or device never blocks and nothing of the file is echoed."""
    from compiler.fs import read_input
    from compiler.limits import MAX_CATALOG_BYTES

    return read_input(path, MAX_CATALOG_BYTES, "catalog", root)


def read_po(path: Path, root: Path | None = None, plural_forms: bool = True) -> PoFile:
    """Read and parse a catalog; every problem is a located error (see pofile.parse)."""
    return pofile.parse(read_bytes(path, root), display_path(path), plural_forms)


def translations_of(po: PoFile, shown: str, locale: str,
                    ui: Translations | None = None, digest: str = "") -> Translations:
    entries = {m.key: Entry(m.msgstr, m.fuzzy, Loc(shown, m.line), m.msgstr_line)
               for m in po.messages if m.msgid and m.msgid_plural is None}
    return Translations(shown, locale, entries, ui, digest)


def translations_before(po: PoFile, shown: str, locale: str,
                        ui: Translations | None = None) -> Translations:
    """A catalog read for the text its messages had before its last update: its entries,
    the obsolete (#~) entries of messages since removed, and each fuzzy entry's translation
    under its previous msgid (#|), which is what that translation was made for (`policyc
    locale update` and msgmerge --previous keep both). For comparing an older copy of a
    source that has no catalogs of its own."""
    current = translations_of(po, shown, locale, ui)
    entries = dict(current.entries)
    for m in po.obsolete:
        if m.msgid and m.msgid_plural is None and m.msgstr:
            entries.setdefault(m.key, Entry(m.msgstr, m.fuzzy, Loc(shown, m.line)))
    for m in po.messages:
        if m.fuzzy and m.previous_msgid and m.msgid_plural is None and m.msgstr:
            context = m.previous_context if m.previous_context is not None else m.context
            entries.setdefault((context, m.previous_msgid),
                               Entry(m.msgstr, False, Loc(shown, m.line)))
    return Translations(shown, locale, entries, ui)


def read_translations(path: Path, locale: str, root: Path | None = None,
                      ui: Translations | None = None) -> Translations:
    """Read a PO file; a syntax error names the file and the PO line."""
    return parse_translations(read_bytes(path, root), display_path(path), locale, ui)


def parse_translations(data: bytes, shown: str, locale: str,
                       ui: Translations | None = None) -> Translations:
    """A catalog that is not a file on disk (a git revision's); shown names it in messages."""
    import hashlib

    return translations_of(pofile.parse(data, shown), shown, locale, ui,
                           hashlib.sha256(data).hexdigest())


def builtin_ui_catalog(locale: str) -> Path | None:
    """The shipped UI catalog for a locale (pt_BR, else pt), or None."""
    for name in dict.fromkeys((locale, locale.split("_", maxsplit=1)[0])):
        path = UI_CATALOGS / f"{name}.po"
        if path.is_file():
            return path
    return None


@cache
def shipped_labels(locale: str) -> dict[str, str]:
    """policyc's own labels in locale, by English msgid: the English themselves in English
    (en, en_GB, ...), else the translated entries of the shipped catalog ({} without one)."""
    from compiler.i18n.ui import UI_CONTEXT, UI_MESSAGES

    if locale.split("_", maxsplit=1)[0] == "en":
        return {msgid: msgid for msgid, _comment in UI_MESSAGES.values()}
    shipped = builtin_ui_catalog(locale)
    if shipped is None:
        return {}
    return {m.msgid: m.msgstr for m in read_po(shipped).messages
            if m.context == UI_CONTEXT and m.msgstr and not m.fuzzy}


def policyc_word(locale: str, source: bool, msgstr: str, fuzzy: bool) -> bool:
    """The one rule (build, status, `locale check`) for a layout label of a project's
    policyc.po: True when the build shows policyc's own word for it, counted translated and
    never a gap. In English: a blank label (the English of the policyc that builds, review6
    F11; a fuzzy one is a gap as any). In a document's source locale policyc ships labels
    for: a blank or fuzzy one (a customised label is filled in). Never elsewhere: a target
    language, or a source language policyc ships no labels for (Italian), where a blank
    label shows in English (review7 F10, F12)."""
    if source and shipped_labels(locale):
        return not msgstr or fuzzy
    return locale.split("_", maxsplit=1)[0] == "en" and not msgstr and not fuzzy


def catalogs_on_disk(locales_dir: Path, domain: str) -> dict[str, Path]:
    """Every locales/<code>/LC_MESSAGES/<domain>.po, registered in a source or not."""
    found: dict[str, Path] = {}
    if not locales_dir.is_dir():
        return found
    for child in sorted(locales_dir.iterdir()):
        po = po_path(locales_dir, child.name, domain)
        if child.is_dir() and (po.exists() or po.is_symlink()):
            found[child.name] = po
    return found


# --- headers ---------------------------------------------------------------------------

_PLACEHOLDERS = ("FULL NAME", "EMAIL@ADDRESS", "LL@li.org", "YEAR-MO-DA", "PACKAGE VERSION",
                 "FIRST AUTHOR", "LANGUAGE <")


def english_name(locale: str) -> str:
    from babel import Locale

    return Locale.parse(locale).get_display_name("en") or locale


def po_header(template: PoFile, locale: str, old: PoFile | None) -> tuple[list[str],
                                                                        list[tuple[str, str]]]:
    """Header comments and fields of a catalog: the translator's own fields kept, gettext's
    fields in msginit's order with real values, no template placeholders left."""
    project = template.field("Project-Id-Version") or ""
    created = template.field("POT-Creation-Date") or ""
    kept = dict(old.header) if old else {}
    language = english_name(locale)

    def keep(name: str, default: str) -> str:
        value = kept.get(name, "")
        return value if value and not any(p in value for p in _PLACEHOLDERS) else default

    fields = [
        ("Project-Id-Version", project),
        ("POT-Creation-Date", created),
        ("PO-Revision-Date", keep("PO-Revision-Date", created)),
        ("Last-Translator", keep("Last-Translator", "Automatically generated")),
        ("Language-Team", keep("Language-Team", language)),
        ("Language", locale),
        ("MIME-Version", "1.0"),
        ("Content-Type", "text/plain; charset=UTF-8"),
        ("Content-Transfer-Encoding", "8bit"),
        ("Plural-Forms", plural_forms(locale)),  # policyc uses no plurals: gettext's own
    ]
    names = {n.lower() for n, _ in fields} | {"report-msgid-bugs-to", "generated-by"}
    extra = [(k, v) for k, v in (old.header if old else []) if k.lower() not in names]
    comments = [c for c in (old.header_comments if old else [])
                if not any(p in c for p in _PLACEHOLDERS)]
    if not comments:
        title = template.header_comments[0] if template.header_comments else project
        comments = [f"{language} translation: {title.removeprefix('Translation template: ')}",
                    *template.header_comments[1:2]]
    return comments, fields + extra


# --- status ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Status:
    locale: str
    path: str
    total: int
    translated: int
    fuzzy: int
    untranslated: int
    obsolete: int
    errors: int = 0  # translations that fail a check (broken placeholders, markup, links)
    changed: bool = True  # locale update: whether its bytes changed (qa6 N3)

    @property
    def percent(self) -> float:
        return 100.0 if not self.total else round(100.0 * self.translated / self.total, 1)


def status(po: PoFile, shown: str, locale: str, source: bool = False) -> Status:
    """Counts as a build sees them: a blank translation is untranslated (but a blank label
    that means policyc's own word, policyc_word: translated; source: the catalog
    gives its documents' source-locale labels), a broken one an error, never translated."""
    from compiler.i18n.checks import Verdict, judge
    from compiler.i18n.ui import UI_CONTEXT

    total = translated = fuzzy = errors = 0
    for m in po.messages:
        if not m.msgid:
            continue
        total += 1
        if m.context == UI_CONTEXT and policyc_word(locale, source, m.msgstr, m.fuzzy):
            translated += 1
            continue
        if m.fuzzy and m.translated:
            fuzzy += 1
            continue
        verdict, _ = judge(m.context, m.msgid, m.msgstr, Loc(shown, m.msgstr_line or m.line))
        if verdict is Verdict.TRANSLATED:
            translated += 1
        elif verdict is Verdict.BROKEN:
            errors += 1
    return Status(locale, shown, total, translated, fuzzy, total - translated - fuzzy - errors,
                  len(po.obsolete), errors)
