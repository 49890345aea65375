"""What policyc's own outputs carry besides the content (labels, localized dates), so that
its HTML and DOCX import back to the source they were built from."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from functools import cache

from compiler.model import CHANGES_CONTEXT, Change, NoteKind, Table

YES = frozenset({"yes", "ja", "oui", "sí", "si", "sim", "はい", "نعم", "是", "예", "sì", "tak", "да"})


@cache
def _long_dates(locale: str, start: int, end: int) -> dict[str, dt.date]:
    from compiler.i18n import formatting

    out: dict[str, dt.date] = {}
    day = dt.date.fromordinal(start)
    while day.toordinal() <= end:
        out.setdefault(formatting.long_date(day, locale), day)
        day += dt.timedelta(days=1)
    return out


def parse_long_date(text: str, locale: str, near: dt.date | None) -> dt.date | None:
    """A date as policyc writes it in a locale ('15. Januar 2025'), found by formatting the
    days of the ten years up to 'near' (or ISO / English forms)."""
    from compiler.readers.draft import parse_english_date

    text = re.sub(r"\s+", " ", text.replace("\u200f", "").replace("\u200e", "")).strip()
    found = parse_english_date(text)
    if found:
        return found
    anchor = near or dt.date.today()
    try:
        table = _long_dates(locale, anchor.toordinal() - 3660, anchor.toordinal() + 370)
    except (ValueError, LookupError):
        return None
    return table.get(text)


def history(table: Table, locale: str, near: dt.date | None) -> tuple[Change, ...] | None:
    """policyc's version history table (version, date, summary and, when the log states it,
    material) back to changes; None when the table is not one."""
    out: list[Change] = []
    for row in table.rows:
        cells = [c.plain().strip() for c in row]
        if len(cells) not in (3, 4) or not cells[0]:
            return None
        date = parse_long_date(cells[1], locale, near)
        if date is None:
            return None
        summary = dataclasses.replace(row[2], context=CHANGES_CONTEXT)
        material = None
        if len(cells) == 4 and cells[3] not in ("", "-"):
            material = cells[3].lower() in YES
        out.append(Change(cells[0], date, summary, material, row[0].loc))
    return tuple(out) or None


NOTE_WORDS = {
    NoteKind.IMPORTANT: ("important", "wichtig", "important", "importante", "重要", "هام", "مهم"),
    NoteKind.WARNING: ("warning", "caution", "warnung", "achtung", "avertissement", "attention",
                       "advertencia", "aviso", "atenção", "警告", "注意", "تحذير"),
}


def note_kind(label: str) -> NoteKind | None:
    word = re.sub(r"[\s:：\u202f\u00a0]+$", "", label).strip().lower()
    for kind, words in NOTE_WORDS.items():
        if word in words:
            return kind
    return None
