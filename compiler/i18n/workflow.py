"""The translator's workflow over a project's catalogs: extract, init, update, the catalogs on
disk. The commands in compiler/cli (extract.py, locale.py) print what these return.

Each project keeps, in locales/, one template per document (<id>.pot) and one for the
layout's own words (policyc.pot), and per locale the catalogs <locale>/LC_MESSAGES/<id>.po
and policyc.po, which serves every document of the project.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from compiler.errors import Category, CompilerError, Diagnostic, Loc, Severity, display_path
from compiler.fs import write_if_changed
from compiler.i18n import pofile
from compiler.i18n.catalogs import (
    UI_DOMAIN,
    Status,
    catalog_root,
    catalogs_on_disk,
    po_path,
    pot_path,
    read_po,
    shipped_labels,
    status,
)
from compiler.i18n.extract import template_catalog, ui_catalog, write_catalog
from compiler.i18n.merge import initial, merge
from compiler.i18n.pofile import PoFile
from compiler.i18n.ui import UI_CONTEXT
from compiler.model import Document

Docs = list[tuple[Document, Path]]  # each document with its locales folder


def reserved(docs: Docs) -> list[Diagnostic]:
    """A document may not take the id of the layout's catalog."""
    return [Diagnostic(Loc(doc.path), f"document id '{UI_DOMAIN}' is reserved for the catalog "
                       f"of policyc's own words (locales/<locale>/LC_MESSAGES/{UI_DOMAIN}.po); "
                       "choose another id", Severity.ERROR, Category.SCHEMA)
            for doc, _ in docs if doc.meta.id == UI_DOMAIN]


def written_in(docs: Docs, code: str) -> list[Diagnostic]:
    """`locale init` of the language the documents are written in: nothing to translate
    (their layout words are policyc's own labels of that language)."""
    if any(doc.meta.source_locale != code for doc, _ in docs):
        return []
    return [Diagnostic(Loc(doc.path), f"'{code}' is the source locale of this document: it "
                       f"is written in {code} and needs no catalog (its layout words are "
                       f"policyc's own labels in {code}); to translate it, name another "
                       "locale", Severity.ERROR, Category.TRANSLATION)
            for doc, _ in docs]


def write_templates(docs: Docs) -> list[tuple[Path, PoFile]]:
    """Write every POT: one per document, one policyc.pot per locales folder (dated by the
    newest `updated` of its documents). Returns (path, template), the shared one first."""
    newest: dict[Path, dt.date] = {}
    out: list[tuple[Path, PoFile]] = []
    for doc, ldir in docs:
        newest[ldir] = max(newest.get(ldir, doc.meta.updated), doc.meta.updated)
    for ldir, updated in newest.items():
        out.append((pot_path(ldir, UI_DOMAIN), ui_catalog(updated)))
    for doc, ldir in docs:
        out.append((pot_path(ldir, doc.meta.id), template_catalog(doc)))
    for path, template in out:
        write_catalog(template, path)
    return out


def _domain(pot: Path) -> str:
    return pot.name.removesuffix(".pot")


@dataclass(frozen=True)
class Created:
    path: Path
    messages: int
    prefilled: int  # translations taken from policyc's shipped UI catalog
    existed: bool


def init(docs: Docs, code: str) -> list[Created]:
    """The catalogs of a new locale: empty, the layout's words prefilled from policyc's own
    translations when it ships them. A catalog that exists is kept as it is."""
    out: list[Created] = []
    for pot, template in write_templates(docs):
        path = po_path(pot.parent, code, _domain(pot))
        if path.exists():
            out.append(Created(path, len(template.messages), 0, existed=True))
            continue
        po = initial(template, code)
        prefilled = _prefill_ui(po, code) if _domain(pot) == UI_DOMAIN else 0
        write_catalog(po, path)
        out.append(Created(path, len(template.messages), prefilled, existed=False))
    return out


def init_ui(ldir: Path, code: str, updated: dt.date) -> Path:
    """The locale's policyc.po, created (prefilled) if missing: for commands that write a
    document's catalog themselves (`policyc import --translation`, `policyc init`)."""
    path = po_path(ldir, code, UI_DOMAIN)
    template = ui_catalog(updated)
    write_catalog(template, pot_path(ldir, UI_DOMAIN))
    if not path.exists():
        po = initial(template, code)
        _prefill_ui(po, code)
        write_catalog(po, path)
    return path


def _prefill_ui(po: PoFile, code: str) -> int:
    """policyc's own labels in this language. English ones stay blank: a blank English label
    is the English word of the policyc that builds (counted translated), where a copy would
    freeze today's wording (review6 F11)."""
    if _english(code):
        return 0
    known = shipped_labels(code)
    prefilled = 0
    for m in po.messages:
        if m.context == UI_CONTEXT and known.get(m.msgid):
            m.msgstr = known[m.msgid]
            prefilled += 1
    return prefilled


def _english(code: str) -> bool:
    return code.split("_", maxsplit=1)[0] == "en"


def _blank_copies(po: PoFile) -> None:
    """An English label whose translation is its English word (a copy policyc wrote before
    review6 F11, or typed) is not customised: blank, so it follows policyc's English when
    that changes instead of being kept (case-only) or going fuzzy by the merge."""
    for m in po.messages:
        if m.context == UI_CONTEXT and m.msgstr == m.msgid and not m.fuzzy:
            m.msgstr = ""


def update(docs: Docs) -> tuple[list[Status], list[Diagnostic]]:
    """Merge each new template into every catalog on disk (registered or not). One broken
    catalog is reported and left alone; the others are updated."""
    done: list[Status] = []
    problems: list[Diagnostic] = []
    for pot, template in write_templates(docs):
        domain = _domain(pot)
        ldir = pot.parent
        root = catalog_root(ldir)
        on_disk: dict[str, Path | PoFile] = dict(catalogs_on_disk(ldir, domain))
        if domain == UI_DOMAIN:
            on_disk |= _ui_from_documents(ldir, set(on_disk), problems)
        for code, source in on_disk.items():
            try:
                old = (source if isinstance(source, PoFile)
                       else read_po(source, root, plural_forms=False))
            except CompilerError as err:
                problems.extend(err.diagnostics)
                continue
            path = po_path(ldir, code, domain)
            if domain != UI_DOMAIN and po_path(ldir, code, UI_DOMAIN).exists():
                # the layout's words moved to policyc.po (see _ui_from_documents)
                old.messages = [m for m in old.messages if m.context != UI_CONTEXT]
            if domain == UI_DOMAIN and _english(code):
                _blank_copies(old)  # before the merge: compared with the words they copied
            merged = merge(template, old, code)
            # a catalog whose bytes stay is not rewritten (nor reported updated: qa6 N3)
            changed = write_if_changed(path, pofile.write(merged), "catalog")
            done.append(dataclasses.replace(status(merged, display_path(path), code),
                                            changed=changed))
    return done, problems


def _ui_from_documents(ldir: Path, existing: set[str],
                       problems: list[Diagnostic]) -> dict[str, PoFile]:
    """Catalogs written before policyc.po existed carry the layout's words themselves: the
    first update moves those translations into a new policyc.po of the locale."""
    found: dict[str, PoFile] = {}
    for child in sorted(ldir.glob("*/LC_MESSAGES/*.po")):
        code = child.parent.parent.name
        if code in existing or child.stem == UI_DOMAIN:
            continue
        try:
            old = read_po(child, catalog_root(ldir), plural_forms=False)
        except CompilerError as err:
            problems.extend(err.diagnostics)
            continue
        ui = [m for m in old.messages if m.context == UI_CONTEXT]
        if ui:
            po = found.setdefault(code, PoFile(header=list(old.header)))
            known = {m.key for m in po.messages}
            po.messages.extend(m for m in ui if m.key not in known)
    return found


@dataclass(frozen=True)
class OnDisk:
    domain: str
    code: str
    path: Path
    registered: bool  # listed in the document's locales: (policyc.po: always)


def catalogs(docs: Docs, codes: tuple[str, ...] = ()) -> Iterator[OnDisk]:
    """Every catalog on disk of these documents and their projects, each once."""
    seen: set[Path] = set()
    for doc, ldir in docs:
        for domain in (doc.meta.id, UI_DOMAIN):
            for code, path in catalogs_on_disk(ldir, domain).items():
                if path in seen or (codes and code not in codes):
                    continue
                seen.add(path)
                yield OnDisk(domain, code, path, domain == UI_DOMAIN or code in doc.meta.locales)


def source_labels(docs: Docs, found: OnDisk) -> bool:
    """Whether this catalog gives the layout labels of its documents' source locale (a
    policyc.po in the source locale of every document of its project that uses it): there
    a blank label may mean policyc's own word (catalogs.policyc_word)."""
    if found.domain != UI_DOMAIN:
        return False
    users = [doc for doc, ldir in docs if po_path(ldir, found.code, UI_DOMAIN) == found.path
             and found.code in (doc.meta.source_locale, *doc.meta.locales)]
    return bool(users) and all(doc.meta.source_locale == found.code for doc in users)


def missing(docs: Docs) -> list[tuple[str, str]]:
    """(document id, locale) of every registered locale without a catalog."""
    return [(doc.meta.id, code) for doc, ldir in docs for code in doc.meta.locales
            if code != doc.meta.source_locale and not po_path(ldir, code, doc.meta.id).exists()]


def uncatalogued(docs: Docs, codes: tuple[str, ...] = ()) -> list[Diagnostic]:
    """`locale check`: every listed locale (of codes, if given) without its document's
    catalog, which a build would publish in the source language; and each code given that
    has no catalog at all."""
    found = [Diagnostic(Loc(display_path(po_path(ldir, code, doc.meta.id))),
                        f"no catalog for locale '{code}', listed in {display_path(doc.path)}: "
                        f"a build publishes its {doc.meta.source_locale} text under "
                        f"dist/{code}/ (expected this file; 'policyc locale init {code}' "
                        "starts it)", Severity.ERROR, Category.TRANSLATION)
             for doc, ldir in docs for code in doc.meta.locales
             if code != doc.meta.source_locale and (not codes or code in codes)
             and not po_path(ldir, code, doc.meta.id).exists()]
    listed = {code for doc, _ in docs for code in (*doc.meta.locales, doc.meta.source_locale)}
    have = {c.code for c in catalogs(docs)}
    found += [Diagnostic(Loc(display_path(docs[0][1] / code)),
                         f"no catalogs for locale '{code}' (expected "
                         f"locales/{code}/LC_MESSAGES/*.po; 'policyc locale init {code}' "
                         "starts them)", Severity.ERROR, Category.TRANSLATION)
              for code in codes if docs and code not in listed and code not in have]
    return found
