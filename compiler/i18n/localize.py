"""Document -> Document in one locale: translations checked and applied, placeholders formatted."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable

from compiler import links
from compiler.errors import Category, Diagnostic, Diagnostics, Loc
from compiler.i18n import formatting, typography
from compiler.i18n.catalogs import Entry, Translations, policyc_word, shipped_labels
from compiler.i18n.checks import Verdict, gap, judge
from compiler.i18n.ui import UI_CONTEXT, UI_MESSAGES
from compiler.inline import merge_text, needs_translation, parse_inline
from compiler.limits import MAX_EXPANDED_CHARS
from compiler.model import (
    HISTORY_ID,
    Code,
    Completeness,
    Document,
    Emphasis,
    Inline,
    Labels,
    Link,
    LocalizedDocument,
    Meta,
    Placeholder,
    Ref,
    Rich,
    Section,
    Strong,
    Table,
    Text,
    Variable,
    VarKind,
    plain_text,
    walk,
)

# (document id, locale) -> (its title in that locale, the locale of the output to link to)
DocumentTitles = Callable[[str, str], "tuple[str, str] | None"]


@dataclasses.dataclass
class _Counter:
    total: int = 0
    translated: int = 0
    fuzzy: int = 0
    untranslated: int = 0


class _Localizer:
    def __init__(self, doc: Document, code: str, translations: Translations | None,
                 documents: DocumentTitles | None = None) -> None:
        self.doc = doc
        self.documents = documents
        self.code = code
        self.translations = translations
        self.is_source = code == doc.meta.source_locale
        self.diag = Diagnostics()
        self.count = _Counter()
        self.vars = {v.name: v for v in doc.variables}
        self.missing: list[str] = []
        self.english_labels: list[str] = []  # source-locale labels shown in English (F12)
        self.gaps: dict[tuple[str, str], Diagnostic] = {}  # (PO path, msgid) -> each once
        self.chars = 0  # characters of translated text used so far
        self.sections = {s.id: s for s in doc.walk_sections()}
        self.section_label = "Section {number}"  # replaced by the locale's in labels()
        self.ref_labels: dict[str, tuple[Inline, ...]] = {}
        self.source_tag = formatting.language(doc.meta.source_locale).tag

    def lookup(self, context: str, msgid: str, translations: Translations | None,
               ) -> tuple[str, Loc | None]:
        """The translation to use and where it came from; the source text as fallback.

        Every translation passes the checks of checks.py first: a broken one is an error
        (at its PO line), a blank one counts as untranslated."""
        self.count.total += 1
        if self.is_source:
            self.count.translated += 1
            return msgid, None
        entry = translations.get(context, msgid) if translations else None
        if entry is None or not entry.msgstr:
            self.count.untranslated += 1
            self.missing.append(f"{_quote(msgid)} untranslated"
                                + (f" at {entry.loc}" if entry else ""))
            self._gap(entry.loc if entry else None, translations, msgid,
                      "untranslated" if entry else "not in the catalog (run `policyc locale "
                      "update`)")
            return msgid, None
        if entry.fuzzy:
            self.count.fuzzy += 1
            self.missing.append(f"{_quote(msgid)} fuzzy at {entry.loc}")
            self._gap(entry.loc, translations, msgid, "fuzzy")
            return msgid, None
        verdict, problems = judge(context, msgid, entry.msgstr, entry.msgstr_loc)
        if verdict is Verdict.BROKEN:
            self.diag.extend(problems)
            self.count.untranslated += 1
            return msgid, None
        if verdict is Verdict.UNTRANSLATED:
            self.count.untranslated += 1
            self.missing.append(f"{_quote(msgid)} blank at {entry.loc}")
            self._gap(entry.loc, translations, msgid, "blank")
            return msgid, None
        before, self.chars = self.chars, self.chars + len(entry.msgstr)
        if before <= MAX_EXPANDED_CHARS < self.chars:  # one huge msgstr used many times
            self.diag.error(entry.msgstr_loc, f"translations make the document longer than "
                            f"{MAX_EXPANDED_CHARS} characters (the limit; see README, Security "
                            f"model), here with the translation of {_quote(msgid)}",
                            Category.TRANSLATION)
        if self.chars > MAX_EXPANDED_CHARS:
            return msgid, None
        self.count.translated += 1
        return entry.msgstr, entry.msgstr_loc

    def _gap(self, where: Loc | None, translations: Translations | None, msgid: str,
             how: str) -> None:
        path = where.path if where else translations.path if translations else ""
        self.gaps.setdefault((path, msgid), gap(where or Loc(path), self.code, msgid, how))

    def rich(self, rich: Rich) -> Rich:
        if not needs_translation(rich.inlines):
            resolved = self.resolve(rich.inlines, rich.loc)
            return dataclasses.replace(rich, inlines=typography.typeset(resolved, self.code))
        text, where = self.lookup(rich.context, rich.source, self.translations)
        if where is None:
            # the source text stands in: marked with its language (lang, /Lang, w:lang)
            lang = None if self.is_source else self.source_tag
            resolved = self.resolve(rich.inlines, rich.loc)
            return dataclasses.replace(rich, inlines=typography.typeset(resolved, self.code),
                                       lang=lang)
        translated, _ = parse_inline(text)
        resolved = self.resolve(translated, where, "the translation")
        return dataclasses.replace(rich, inlines=typography.typeset(resolved, self.code))

    def resolve(self, inlines: tuple[Inline, ...], loc: Loc, origin: str = "",
                in_link: bool = False) -> tuple[Inline, ...]:
        out: list[Inline] = []
        for node in inlines:
            match node:
                case Text():
                    out.append(node)
                case Strong(children=c):
                    out.append(Strong(self.resolve(c, loc, origin, in_link)))
                case Emphasis(children=c):
                    out.append(Emphasis(self.resolve(c, loc, origin, in_link)))
                case Link(href=href) if href.startswith(links.DOC_SCHEME):
                    out.append(self.document_link(href[len(links.DOC_SCHEME):], loc))
                case Link(href=href, children=c):
                    out.append(Link(self.href(href, loc, origin),
                                    self.resolve(c, loc, origin, in_link=True)))
                case Placeholder(name=name):
                    out.append(self.value(self.vars[name], loc, in_link))
                case Code():
                    out.append(node)
                case Ref(target=target):
                    out.append(Ref(target, self.ref_label(target)))
        return _merge(out)

    def document_link(self, doc_id: str, loc: Loc) -> Inline:
        """{doc:id}: the other document's title in this locale (in its source locale when it
        is not translated into this one), linking to that output."""
        found = self.documents(doc_id, self.code) if self.documents else (doc_id, self.code)
        if found is None:
            self.diag.error(loc, f"document link '{{doc:{doc_id}}}' names no document of the "
                            "project", Category.REFERENCE)
            return Text(doc_id)
        title, locale = found
        return Link(f"{links.DOC_SCHEME}{locale}/{doc_id}", (Text(title),))

    def ref_label(self, target: str) -> tuple[Inline, ...]:
        """What a cross-reference reads as: "Section 7.2" in the locale's words for a
        numbered section, the section's (translated) title otherwise."""
        if target in self.ref_labels:
            return self.ref_labels[target]
        self.ref_labels[target] = (Text(target),)  # a title citing itself stops here
        section = self.sections[target]
        if section.number:
            label: tuple[Inline, ...] = (
                Text(self.section_label.replace("{number}", section.number)),)
        else:
            inlines = section.title.inlines
            entry = (self.translations.get(section.title.context, section.title.source)
                     if self.translations and not self.is_source else None)
            if entry is not None and entry.msgstr and not entry.fuzzy:
                verdict, _ = judge(section.title.context, section.title.source, entry.msgstr,
                                   entry.msgstr_loc)
                if verdict is Verdict.TRANSLATED:
                    inlines, _ = parse_inline(entry.msgstr)
            label = (Text(plain_text(self.resolve(inlines, section.title.loc, "",
                                                             in_link=True))),)
        self.ref_labels[target] = label
        return label

    def value(self, var: Variable, loc: Loc, in_link: bool) -> Inline:
        text = self.display(var)
        if in_link or var.kind not in (VarKind.EMAIL, VarKind.URL, VarKind.PHONE):
            return Text(text)
        return Link(self.href("{" + var.name + "}", loc), (Text(text),))

    def display(self, var: Variable) -> str:
        value = var.value
        match var.kind:
            case VarKind.URL:
                return formatting.url_display(str(value))
            case VarKind.DATE:
                assert not isinstance(value, str | int | float)
                return formatting.long_date(value, self.code)  # type: ignore[arg-type]
            case VarKind.DURATION:
                return formatting.duration(value, self.code)  # type: ignore[arg-type]
            case VarKind.NUMBER:
                return formatting.number(value, self.code)  # type: ignore[arg-type]
            case _:
                return str(value)

    def href(self, href: str, loc: Loc, origin: str = "") -> str:
        """The final link target, judged by the link policy (compiler.links) wherever it came
        from: written in the source or translation, or filled in from variables."""
        final, refused = links.judge(href, self.vars, origin)
        if refused is not None:
            self.diag.error(loc, refused, Category.REFERENCE)
        return final

    def labels(self) -> Labels:
        """The template's words from the project's policyc.po (or, in catalogs written
        before it existed, from the document's own catalog). The source locale's documents
        take policyc's own labels of their language (a German source: "Inhalt", not
        "Contents"); an English one needs no translation of the English words, so a label
        its catalog leaves blank is the English, not an untranslated message."""
        ui = self.translations.ui if self.translations else None
        shipped = shipped_labels(self.code)
        values: dict[str, str] = {}
        for name, (msgid, _comment) in UI_MESSAGES.items():
            own = self.translations.get(UI_CONTEXT, msgid) if self.translations else None
            # a document catalog written before policyc.po existed keeps its own words
            source = self.translations if own is not None or ui is None else ui
            entry = source.get(UI_CONTEXT, msgid) if source else None
            msgstr, fuzzy = (entry.msgstr, entry.fuzzy) if entry else ("", False)
            if self.is_source or policyc_word(self.code, False, msgstr, fuzzy):
                self.count.total += 1
                self.count.translated += 1
                text = self.own_label(msgid, entry) or shipped.get(msgid, msgid)
                if (self.is_source and source is not None and (not msgstr or fuzzy)
                        and not policyc_word(self.code, True, "", False)):
                    self.unlabelled(msgid, entry, source)  # shown in English (review7 F12)
            else:
                text, _where = self.lookup(UI_CONTEXT, msgid, source)
            values[name] = typography.typeset_text(text, self.code)
        self.section_label = values["section"]
        return Labels(**values)

    def unlabelled(self, msgid: str, entry: Entry | None, source: Translations) -> None:
        """A label the project's policyc.po leaves blank (or fuzzy) in a source language
        policyc ships no labels for: it shows in English (review7 F12). A gap as a document
        message's is (--strict: an error at its line), else named in one warning."""
        self.english_labels.append(msgid)
        how = ("fuzzy" if entry.fuzzy else "untranslated") if entry else (
            "not in the catalog (run `policyc locale update`)")
        self._gap(entry.loc if entry else None, source, msgid, how)

    def own_label(self, msgid: str, entry: Entry | None) -> str | None:
        """The project's word for a label in the source locale (its policyc.po there: a
        language policyc ships none for, or a customised one); None: policyc's own."""
        if not self.is_source or entry is None or not entry.msgstr or entry.fuzzy:
            return None
        verdict, problems = judge(UI_CONTEXT, msgid, entry.msgstr, entry.msgstr_loc)
        if verdict is Verdict.BROKEN:
            self.diag.extend(problems)
        return entry.msgstr if verdict is Verdict.TRANSLATED else None

    def document(self, doc: Document) -> Document:
        """The document with every string localized, in reading order (model/walk.py)."""
        return walk.rebuild_document(doc, walk.Rebuild(self.rich, self.cta_href))

    def cta_href(self, href: str, loc: Loc) -> str:
        return self.href(href, loc, "the call to action's href")


def _names(meta: Meta, values: Iterable[str], code: str) -> tuple[str, ...]:
    """What print keeps whole: the organization, the source's names and the variables'
    values, each as written and as this locale's typography sets it, longest first."""
    found = {meta.organization, *meta.names, *values}
    found |= {typography.typeset_text(name, code) for name in found}
    return tuple(sorted((n for n in found if n.strip()), key=lambda n: (-len(n), n)))


def _merge(nodes: list[Inline]) -> tuple[Inline, ...]:
    return merge_text(nodes)


def _quote(text: str, limit: int = 60) -> str:
    return '"' + (text if len(text) <= limit else text[: limit - 1] + "…") + '"'


def history_section(meta: Meta, labels: Labels, code: str) -> Section | None:
    """The version history as the document's last section, so that every renderer (and the
    redline, which compares it like any section) shows it: a table of version, date,
    summary and whether the change is material, in the document's language."""
    if not meta.changes:
        return None

    def cell(text: str, loc: Loc) -> Rich:
        return Rich(text, (Text(text),), loc, UI_CONTEXT)

    where = meta.changes[0].loc
    # The materiality column only when the log states it (published logs often do not).
    material = any(c.material is not None for c in meta.changes)
    header = tuple(cell(label, where) for label in (
        labels.version, labels.history_date, labels.history_summary,
        *((labels.material,) if material else ())))
    rows = tuple(
        (cell(c.version, c.loc), cell(formatting.long_date(c.date, code), c.loc), c.summary,
         *((cell("" if c.material is None else labels.yes if c.material else labels.no,
                 c.loc),) if material else ()))
        for c in meta.changes)
    return Section(HISTORY_ID, cell(labels.history, where), 1,
                   (Table(None, header, rows, where),), (), where)


def localize(doc: Document, code: str, translations: Translations | None,
             documents: DocumentTitles | None = None, *, list_gaps: bool = False,
             ) -> tuple[LocalizedDocument, Diagnostics]:
    """Translate and format for one locale; missing/fuzzy strings fall back with a warning.

    documents answers {doc:id} links: (title, locale of the output linked to), or None for
    an id the project does not have; without it a link reads as the id. list_gaps (for
    --strict, where each is an error): one warning per message shown in the source
    language, at its PO line, instead of the one that counts them.
    """
    loc = _Localizer(doc, code, translations, documents)
    if doc.meta.base_url is not None:
        why = links.canonical_problem(doc.meta.base_url)
        if why is not None:
            loc.diag.error(Loc(doc.path), f"base_url {_quote(doc.meta.base_url)} is not "
                           f"allowed: {why}", Category.REFERENCE)
    labels = loc.labels()
    localized = loc.document(doc)
    history = history_section(localized.meta, labels, code)
    if history is not None:
        localized = dataclasses.replace(localized, sections=(*localized.sections, history))
    c = loc.count
    if list_gaps and loc.gaps:
        loc.diag.extend(sorted(loc.gaps.values(), key=lambda d: (d.loc, d.message)))
    elif translations is not None and (c.untranslated or c.fuzzy):
        where = Loc(translations.path)
        loc.diag.warning(where, f"{code}: {c.untranslated} untranslated and {c.fuzzy} fuzzy "
                         f"of {c.total} messages fall back to the source text",
                         Category.TRANSLATION)
    if loc.english_labels and not list_gaps and translations is not None:
        names = ", ".join(_quote(m, 30) for m in loc.english_labels)
        loc.diag.warning(Loc(translations.path), f"{code}: {len(loc.english_labels)} of "
                         f"{len(UI_MESSAGES)} layout labels are blank or fuzzy here and policyc "
                         f"ships no '{code}' labels: they show in English: {names}",
                         Category.TRANSLATION)
    meta = doc.meta
    result = LocalizedDocument(
        document=localized,
        language=formatting.language(code),
        direction=formatting.direction(code),
        labels=labels,
        updated_text=formatting.long_date(meta.updated, code),
        effective_text=formatting.long_date(meta.effective, code),
        languages=tuple(formatting.language(c) for c in meta.locales),
        completeness=Completeness(c.total, c.translated, c.fuzzy, c.untranslated,
                                  tuple(loc.missing)),
        term_separator=formatting.term_separator(code),
        names=_names(meta, (loc.display(v) for v in doc.variables), code),
    )
    return result, loc.diag
