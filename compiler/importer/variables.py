"""Facts as variables: e-mail addresses, URLs and the organization's name that occur more than
once become variables, and their occurrences {placeholders}, so translations reuse them."""

from __future__ import annotations

import dataclasses
import re
from collections import Counter

from compiler.errors import Loc
from compiler.i18n.formatting import url_display
from compiler.inline import _EMAIL, _URL
from compiler.model import (
    Document,
    Emphasis,
    Inline,
    Link,
    Placeholder,
    Rich,
    Strong,
    Text,
    Variable,
    VarKind,
)
from compiler.model.walk import map_rich, rich_fields
from compiler.readers.draft import Finding, rich, short_name


def _name(value: str, kind: VarKind, used: set[str]) -> str:
    if kind is VarKind.EMAIL:
        base = re.sub(r"[^a-z0-9]+", "_", value.split("@", maxsplit=1)[0].lower()).strip("_") + "_email"
    elif kind is VarKind.URL:
        host = re.sub(r"^https?://(www\.)?", "", value).split("/")[0].split(".")[0]
        path = [p for p in re.sub(r"^https?://[^/]+", "", value).split("/") if p]
        words = re.findall(r"[a-z0-9]+", " ".join([host, *path[-1:]]).lower())
        base = "_".join(w for k, w in enumerate(words) if w not in words[:k])  # no repeats
        base = re.sub(r"[^a-z0-9]+", "_", base).strip("_")[:30].strip("_") + "_url"
    else:
        base = "company"
    if not re.match(r"[a-z_]", base):
        base = "v_" + base
    name, n = base, 2
    while name in used:
        name = f"{base}_{n}"
        n += 1
    used.add(name)
    return name


def _counts(doc: Document) -> Counter[tuple[VarKind, str]]:
    counts: Counter[tuple[VarKind, str]] = Counter()
    names: Counter[str] = Counter()
    for r in rich_fields((doc.meta.title, doc.preamble, doc.sections)):
        text = r.plain() + " " + " ".join(_hrefs(r.inlines))
        for m in _EMAIL.finditer(text):
            counts[(VarKind.EMAIL, m.group(0))] += 1
        for m in _URL.finditer(text):
            counts[(VarKind.URL, m.group(0))] += 1
        for org in dict.fromkeys((doc.meta.organization, short_name(doc.meta.organization))):
            if len(org) > 2:
                names[org] += len(re.findall(rf"(?<!\w){re.escape(org)}(?!\w)", r.plain()))
    if names:  # the organization's full name or its short one, whichever the text uses more
        org, n = max(names.items(), key=lambda kv: kv[1])
        counts[(VarKind.TEXT, org)] = n
    return counts


def _hrefs(nodes: tuple[Inline, ...]) -> list[str]:
    out: list[str] = []
    for n in nodes:
        match n:
            case Link(href=h, children=c):
                if h not in out and not h.startswith("#"):
                    out.append(h.removeprefix("mailto:"))
                out.extend(_hrefs(c))
            case Strong(children=c) | Emphasis(children=c):
                out.extend(_hrefs(c))
            case _:
                pass
    return out


def _replace(nodes: tuple[Inline, ...], facts: dict[str, str]) -> tuple[Inline, ...]:
    out: list[Inline] = []
    for n in nodes:
        match n:
            case Text(text=t):
                out.extend(replace_text(t, facts))
            case Strong(children=c):
                out.append(Strong(_replace(c, facts)))
            case Emphasis(children=c):
                out.append(Emphasis(_replace(c, facts)))
            case Link(href=h, children=c):
                bare = h.removeprefix("mailto:")
                label = "".join(x.text for x in c if isinstance(x, Text)) if all(
                    isinstance(x, Text) for x in c) else None
                if bare in facts and label == (bare if h.startswith("mailto:") else url_display(h)):
                    out.append(Placeholder(facts[bare]))  # the variable renders as this link
                elif bare in facts:
                    out.append(Link(("mailto:" if h.startswith("mailto:") else "")
                                    + "{" + facts[bare] + "}", _replace(c, facts)))
                else:
                    out.append(Link(h, _replace(c, facts)))
            case _:
                out.append(n)
    return tuple(out)


def replace_text(text: str, facts: dict[str, str]) -> list[Inline]:
    """Occurrences of the facts' values in a text as placeholders (longest value first)."""
    if not facts:
        return [Text(text)] if text else []
    values = sorted(facts, key=len, reverse=True)
    pattern = re.compile("|".join(rf"(?<![\w@./-]){re.escape(v)}(?![\w@-]|\.\w|/\w)"
                                  for v in values))
    out: list[Inline] = []
    pos = 0
    for m in pattern.finditer(text):
        if m.start() > pos:
            out.append(Text(text[pos:m.start()]))
        value = m.group(0)
        if value.startswith(("http://", "https://")):  # a URL variable shows without https://
            out.append(Link("{" + facts[value] + "}", (Text(value),)))
        else:
            out.append(Placeholder(facts[value]))
        pos = m.end()
    if pos < len(text):
        out.append(Text(text[pos:]))
    return out


def extract_variables(doc: Document, *, minimum: int = 2) -> tuple[Document, list[Finding]]:
    """The document with repeated facts as variables, and a finding for each one made."""
    counts = _counts(doc)
    used = {v.name for v in doc.variables}
    facts: dict[str, str] = {}
    variables = list(doc.variables)
    findings: list[Finding] = []
    first = Loc(doc.path, 1)
    for (kind, value), n in sorted(counts.items(), key=lambda kv: (kv[0][0].value, kv[0][1])):
        if n < minimum or value in facts:
            continue
        name = _name(value, kind, used)
        facts[value] = name
        variables.append(Variable(name, kind, value, first))
        findings.append(Finding("mapped", first, f"'{value}' ({n} times) became the variable "
                                f"{{{name}}}"))

    def fix(r: Rich) -> Rich:
        if r.context == "document" and r is doc.meta.title:
            return r
        nodes = _replace(r.inlines, facts)
        if nodes == r.inlines:
            return r
        out = rich(nodes, r.loc, r.context)
        return Rich(out.source, out.inlines, r.loc, r.context, r.comment)

    sections = map_rich(doc.sections, fix)
    return dataclasses.replace(doc, variables=tuple(variables), sections=sections,
                               preamble=map_rich(doc.preamble, fix)), findings
