"""What changed, in short: a list of changed sections for the notification e-mail, and the same
as JSON for other tools."""

from __future__ import annotations

from typing import Any

from compiler.model import plain_text
from compiler.redline.compare import Redline, SectionDiff, Status
from compiler.redline.words import Op


def trail(redline: Redline, target: SectionDiff) -> tuple[SectionDiff, ...]:
    """The sections enclosing target, outermost first."""

    def search(sections: tuple[SectionDiff, ...], above: tuple[SectionDiff, ...]
               ) -> tuple[SectionDiff, ...] | None:
        for s in sections:
            if s is target:
                return above
            found = search(s.children, (*above, s))
            if found is not None:
                return found
        return None

    return search(redline.sections, ()) or ()


def statuses(s: SectionDiff) -> list[str]:
    out = {Status.ADDED: ["added"], Status.REMOVED: ["removed"],
           Status.MOVED: ["moved"]}.get(s.status, [])
    if s.retitled:
        out.append("retitled")
    if s.status in (Status.KEPT, Status.MOVED) and s.revisions.is_changed(s.blocks):
        out.append("changed")
    return out


def _words(s: SectionDiff, op: Op, characters: bool) -> int:
    from compiler.redline.words import count_words

    return sum(count_words(r.pieces, op, characters) for r in s.revisions.within((s.title, s.blocks)))


def _material(redline: Redline) -> dict[str, Any] | None:
    """The new version's entry in the version history, if it has one."""
    meta = redline.new.meta
    entry = next((c for c in meta.changes if c.version == meta.version), None)
    if entry is None:
        return None
    return {"material": entry.material, "summary": entry.summary.plain(),
            "date": entry.date.isoformat()}


def as_data(redline: Redline) -> dict[str, Any]:
    old, new = redline.old.meta, redline.new.meta
    sections = []
    for s in redline.changed():
        title = s.title.plain()
        entry: dict[str, Any] = {
            "id": s.id, "title": title,
            "path": [p.title.plain() for p in trail(redline, s)],
            "status": statuses(s),
            "inserted_words": _words(s, Op.INSERT, redline.characters),
            "deleted_words": _words(s, Op.DELETE, redline.characters),
        }
        if s.retitled and s.old is not None:
            entry["old_title"] = s.old.title.plain()
        sections.append(entry)
    return {
        "document": new.id, "title": redline.new.title, "locale": redline.new.language.code,
        "old": {"version": old.version, "updated": old.updated.isoformat()},
        "new": {"version": new.version, "updated": new.updated.isoformat(),
                "effective": new.effective.isoformat()},
        "history": _material(redline),
        "sections": sections,
    }


def as_text(redline: Redline) -> str:
    data = as_data(redline)
    lines = [f"{data['title']} ({data['document']}, {data['locale']}): version "
             f"{data['old']['version']} ({data['old']['updated']}) -> {data['new']['version']} "
             f"({data['new']['updated']}), effective {data['new']['effective']}"]
    history = data["history"]
    if history is not None:
        lines.append(f"Material change: {'yes' if history['material'] else 'no'}. "
                     f"{history['summary']}")
    if not data["sections"]:
        lines.append("No section changed.")
    else:
        lines.append("Changed sections:")
    for s in data["sections"]:
        title = " > ".join([*s["path"], s["title"]])
        was = f" (was \u201c{s['old_title']}\u201d)" if "old_title" in s else ""
        lines.append(f"  - {title}{was}: {', '.join(s['status'])}")
    return "\n".join(lines) + "\n"


def plain(redline: Redline) -> str:
    """Every piece as [+inserted+] and [-deleted-] text, for quick looks and tests."""
    marks = {Op.EQUAL: "{}", Op.INSERT: "[+{}+]", Op.DELETE: "[-{}-]"}
    return "\n".join("".join(marks[p.op].format(plain_text(p.inlines)) for p in r.pieces)
                     for r in redline.revisions.within(
                         tuple((s.title, s.blocks) for s in redline.walk())))
