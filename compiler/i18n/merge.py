"""`policyc locale update`: a new template merged into a catalog, each message from its own past.

As `msgmerge --previous` does, but never across sections: a message is matched
1. by its msgctxt and msgid (kept as is; an obsolete one comes back),
2. by its section id and msgid (the section moved: kept as is, the new msgctxt),
3. by its msgid alone, to an old message nothing above kept (a section renamed, or the
   message moved to another section): fuzzy, with `#| msgctxt` its old context, as msgmerge
   does. An old message whose section is still in the template is only *copied* (as msgmerge
   gives several new messages one fuzzy source): step 4 may still pair it with an edit of it
   in its own section. An old section whose id is gone and most of whose messages went to
   one new section this way was *renamed*: for step 4 its messages count as that section's.
4. within its *slot* (section id + what the message is: heading, paragraph, list item,
   table cell...), in order, to the old message it most resembles (an edit: fuzzy, with
   `#|` the text the translation was made for, kept over repeated edits). A heading is
   always its section's own past, however much it was retitled.
A layout word (msgctxt "ui") whose English changed only in letter case ("Version history" ->
"Version History") keeps its translation as is: each language cases its own labels.
Anything else is new and empty; an old message nothing matched becomes obsolete (`#~`).
The result depends only on the two inputs, so running update twice changes nothing.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from difflib import SequenceMatcher

from compiler.i18n.catalogs import po_header
from compiler.i18n.pofile import Message, PoFile
from compiler.i18n.ui import UI_CONTEXT

SIMILAR = 0.5  # word-level likeness for an edited sentence to inherit a translation


def leaf(context: str | None) -> str:
    return (context or "").rsplit("/", 1)[-1]


def role(m: Message) -> str:
    """What the message is, from the first line of its `#.` notes (written by extract)."""
    first = m.extracted_comments[0] if m.extracted_comments else ""
    return re.sub(r"\s*\([^)]*\)", "", first).strip()


def slot(m: Message) -> tuple[str, str]:
    return (leaf(m.context), role(m))


def _heading(m: Message) -> bool:
    return role(m).startswith(("Heading", "Title of the document"))


def similarity(a: str, b: str) -> float:
    """Likeness of two texts by their words (case and punctuation aside)."""
    words = re.compile(r"\w+")
    return SequenceMatcher(None, words.findall(a.lower()), words.findall(b.lower()),
                           autojunk=False).ratio()


def _align(olds: list[Message], news: list[Message]) -> list[tuple[Message, Message]]:
    """Order-preserving pairs with the greatest total likeness (each at least SIMILAR)."""
    n, k = len(olds), len(news)
    score = [[0.0] * (k + 1) for _ in range(n + 1)]
    sims = [[similarity(o.msgid, t.msgid) for t in news] for o in olds]
    for i in range(1, n + 1):
        for j in range(1, k + 1):
            best = max(score[i - 1][j], score[i][j - 1])
            if sims[i - 1][j - 1] >= SIMILAR:
                best = max(best, score[i - 1][j - 1] + sims[i - 1][j - 1])
            score[i][j] = best
    pairs: list[tuple[Message, Message]] = []
    i, j = n, k
    while i and j:
        if sims[i - 1][j - 1] >= SIMILAR and score[i][j] == score[i - 1][j - 1] + sims[i - 1][j - 1]:
            pairs.append((olds[i - 1], news[j - 1]))
            i, j = i - 1, j - 1
        elif score[i][j] == score[i - 1][j]:
            i -= 1
        else:
            j -= 1
    return pairs[::-1]


def _carry(t: Message, o: Message, edited: bool) -> Message:
    """The template's message with the translation, notes and state of its own past."""
    m = Message(t.msgid, context=t.context, msgid_plural=t.msgid_plural,
                extracted_comments=list(t.extracted_comments), references=list(t.references),
                flags=[f for f in t.flags if f != "fuzzy"],
                translator_comments=list(o.translator_comments))
    if not o.translated:
        return m
    m.msgstr, m.msgstr_plural = o.msgstr, list(o.msgstr_plural)
    if not edited and not o.fuzzy:
        return m  # translated for exactly this text
    if not edited and o.previous_msgid is None:
        m.set_fuzzy(True)  # marked fuzzy by a translator: stays so
        return m
    if o.fuzzy and o.previous_msgid is not None:  # edited again: keep what it was made for
        made_for = (o.previous_context if o.previous_context is not None else o.context,
                    o.previous_msgid)
    else:
        made_for = (o.context, o.msgid)
    if made_for[1] == t.msgid and leaf(made_for[0]) == leaf(t.context):
        return m  # back to the text the translation was made for
    m.set_fuzzy(True)
    m.previous_context = made_for[0] if made_for[0] != t.context else None
    m.previous_msgid = made_for[1]
    return m


def merge(template: PoFile, old: PoFile, locale: str) -> PoFile:
    comments, header = po_header(template, locale, old)
    result: list[Message | None] = [None] * len(template.messages)
    used: set[int] = set()
    past = [*old.messages, *old.obsolete]

    def take(i: int, o: Message, edited: bool) -> None:
        used.add(id(o))
        result[i] = _carry(template.messages[i], o, edited)

    by_key: dict[tuple[str | None, str], Message] = {}
    for o in reversed(past):  # an active message wins over an obsolete one
        by_key[o.key] = o
    for i, t in enumerate(template.messages):
        same = by_key.get(t.key)
        if same is not None and id(same) not in used:
            take(i, same, edited=False)
    by_case: dict[tuple[str | None, str], Message] = {
        (o.context, o.msgid.casefold()): o for o in reversed(past) if o.context == UI_CONTEXT}
    for i, t in enumerate(template.messages):
        same = by_case.get((t.context, t.msgid.casefold()))
        if result[i] is None and same is not None and id(same) not in used:
            take(i, same, edited=False)
    by_slot_id: dict[tuple[tuple[str, str], str], list[Message]] = {}
    for o in past:
        by_slot_id.setdefault((slot(o), o.msgid), []).append(o)
    for i, t in enumerate(template.messages):
        if result[i] is None:
            for o in by_slot_id.get((slot(t), t.msgid), []):
                if id(o) not in used:
                    take(i, o, edited=False)
                    break
    copied: set[int] = set()
    renamed = _moved(template, old, result, take, used, copied)
    olds: dict[tuple[str, str], list[Message]] = {}
    for o in old.messages:
        if id(o) not in used:
            section, what = slot(o)
            olds.setdefault((renamed.get(section, section), what), []).append(o)
    news: dict[tuple[str, str], list[int]] = {}
    for i, t in enumerate(template.messages):
        if result[i] is None:
            news.setdefault(slot(t), []).append(i)
    for key, indexes in news.items():
        candidates = olds.get(key, [])
        if not candidates:
            continue
        if len(indexes) == 1 and len(candidates) == 1 and _heading(candidates[0]):
            take(indexes[0], candidates[0], edited=True)
            continue
        for o, t in _align(candidates, [template.messages[i] for i in indexes]):
            take(next(i for i in indexes if template.messages[i] is t), o, edited=True)
    messages = [r if r is not None else _new(t) for r, t in zip(result, template.messages,
                                                                 strict=True)]
    used |= copied  # a copied message lives on where it went: not obsolete
    obsolete: dict[tuple[str | None, str], Message] = {}
    for o in [*old.obsolete, *old.messages]:
        if id(o) in used or not o.translated or not o.msgid:
            continue
        obsolete.pop(o.key, None)
        obsolete[o.key] = _obsolete(o)
    return PoFile(comments, header, [], messages, list(obsolete.values()))


def _moved(template: PoFile, old: PoFile, result: list[Message | None],
           take: Callable[[int, Message, bool], None], used: set[int],
           copied: set[int]) -> dict[str, str]:
    """Step 3: a message still unmatched takes the translation of an old one with the same
    msgid that nothing kept (same role first, then one from a section gone or obsolete, an
    active one before an obsolete one). An old message whose section is still in the template
    is not consumed, only copied (its id added to `copied`): step 4 may still find the edit
    of it there. Returns {old section id: new section id} for the sections renamed (see the
    module's docstring)."""
    now = {leaf(t.context) for t in template.messages}

    def stays(o: Message) -> bool:
        return not o.obsolete and leaf(o.context) in now

    before = {leaf(o.context) for o in old.messages}
    spare: dict[str, list[Message]] = {}
    for o in [*old.messages, *old.obsolete]:
        if id(o) not in used and o.translated and o.context != UI_CONTEXT:
            spare.setdefault(o.msgid, []).append(o)
    went: dict[str, dict[str, int]] = {}
    for i, t in enumerate(template.messages):
        if result[i] is not None or t.context == UI_CONTEXT:
            continue
        free = [o for o in spare.get(t.msgid, []) if id(o) not in used]
        if not free:
            continue
        o = min(free, key=lambda o: (role(o) != role(t), stays(o), o.obsolete))
        take(i, o, True)
        if stays(o):
            used.discard(id(o))
            copied.add(id(o))
        if leaf(o.context) not in now and leaf(t.context) not in before:
            counts = went.setdefault(leaf(o.context), {})
            counts[leaf(t.context)] = counts.get(leaf(t.context), 0) + 1
    return {gone: max(counts, key=lambda s: counts[s]) for gone, counts in went.items()}


def _new(t: Message) -> Message:
    return Message(t.msgid, context=t.context, msgid_plural=t.msgid_plural,
                   extracted_comments=list(t.extracted_comments),
                   references=list(t.references), flags=[f for f in t.flags if f != "fuzzy"])


def _obsolete(o: Message) -> Message:
    """As msgmerge and translate-toolkit keep one: translator comments, flags, previous."""
    return Message(o.msgid, o.msgstr, o.context, o.msgid_plural, list(o.msgstr_plural),
                   list(o.translator_comments), [], [], list(o.flags),
                   o.previous_context, o.previous_msgid, o.previous_msgid_plural, obsolete=True)


def initial(template: PoFile, locale: str) -> PoFile:
    """A new catalog: every message empty, the header msginit would write (real values)."""
    comments, header = po_header(template, locale, None)
    return PoFile(comments, header, [], [_new(t) for t in template.messages], [])
