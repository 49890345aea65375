"""The comparison of two texts, word by word (character by character in Chinese and Japanese).

Text keeps its markup: each token carries the bold, italic and link around it, so the
pieces of a comparison are inlines again and render like any text.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import assert_never

from compiler.model import Code, Emphasis, Inline, Link, Placeholder, Ref, Strong, Text

# Words keep inner apostrophes, dots, commas and hyphens (don't, 1.2.0, 1,000, e-mail).
WORD_TOKEN = re.compile(r"\w+(?:['’.,\-]\w+)*|\s+|[^\w\s]")
# Scripts written without spaces: every character is a token, Latin words stay whole.
CHAR_TOKEN = re.compile(r"[A-Za-z0-9]+(?:['’.,\-][A-Za-z0-9]+)*|\s+|.", re.DOTALL)
CHARACTER_LANGUAGES = ("ja", "zh")

Layer = tuple[str, ...]  # ("strong",), ("em",), ("link", href), ("code",) or ("ref", id)
REF_TOKEN = "\ufffc"  # a cross-reference is one token, equal when its target is
Token = tuple[str, tuple[Layer, ...]]  # text, and its markup from the outside in


class Op(enum.Enum):
    EQUAL = "equal"
    INSERT = "insert"
    DELETE = "delete"


@dataclass(frozen=True)
class Piece:
    """A stretch of text that was kept, inserted or deleted."""

    op: Op
    inlines: tuple[Inline, ...]


def by_character(language: str) -> bool:
    return re.split(r"[_-]", language, maxsplit=1)[0] in CHARACTER_LANGUAGES


def tokens(inlines: tuple[Inline, ...], characters: bool = False,
           layers: tuple[Layer, ...] = ()) -> list[Token]:
    pattern = CHAR_TOKEN if characters else WORD_TOKEN
    out: list[Token] = []
    for node in inlines:
        match node:
            case Text(text=t):
                out.extend((m.group(), layers) for m in pattern.finditer(t))
            case Strong(children=c):
                out.extend(tokens(c, characters, (*layers, ("strong",))))
            case Emphasis(children=c):
                out.extend(tokens(c, characters, (*layers, ("em",))))
            case Link(href=href, children=c):
                out.extend(tokens(c, characters, (*layers, ("link", href))))
            case Code(text=t):
                out.append((t, (*layers, ("code",))))
            case Ref(target=target):
                out.append((REF_TOKEN, (*layers, ("ref", target))))
            case Placeholder():
                raise AssertionError("compare localized text: placeholders are resolved")
            case _:
                assert_never(node)
    return out


def ref_labels(*trees: tuple[Inline, ...]) -> dict[str, tuple[Inline, ...]]:
    """Labels of the cross-references, the later trees' winning: a reference kept from the
    old text reads as the new document numbers it."""
    out: dict[str, tuple[Inline, ...]] = {}
    for inlines in trees:
        stack = list(inlines)
        while stack:
            node = stack.pop()
            if isinstance(node, Ref):
                out[node.target] = node.label
            elif isinstance(node, Strong | Emphasis | Link):
                stack.extend(node.children)
    return out


def inlines_of(toks: list[Token],
               labels: dict[str, tuple[Inline, ...]] | None = None) -> tuple[Inline, ...]:
    """Tokens back into inlines: runs with the same markup become one Text, wrapped again."""
    out: list[Inline] = []
    i = 0
    while i < len(toks):
        layers = toks[i][1]
        j = i
        while j < len(toks) and toks[j][1] == layers:
            j += 1
        node: Inline = Text("".join(t for t, _ in toks[i:j]))
        for layer in reversed(layers):
            if layer[0] == "code":
                node = Code("".join(t for t, _ in toks[i:j]))
            elif layer[0] == "ref":
                node = Ref(layer[1], (labels or {}).get(layer[1], ()))
            elif layer[0] == "strong":
                node = Strong((node,))
            elif layer[0] == "em":
                node = Emphasis((node,))
            else:
                node = Link(layer[1], (node,))
        out.append(node)
        i = j
    return tuple(out)


def _length(toks: list[Token]) -> int:
    return sum(len(t) for t, _ in toks)


# One edit: (deleted tokens, inserted tokens); an equal stretch: (tokens, None).
_Run = tuple[list[Token], list[Token] | None]


def _runs(old: list[Token], new: list[Token]) -> list[_Run]:
    runs: list[_Run] = []
    matcher = SequenceMatcher(None, old, new, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        previous = runs[-1] if runs else ([], None)
        if tag == "equal":
            runs.append((old[i1:i2], None))
        elif previous[1] is not None:  # a deletion next to an insertion: one edit
            previous[0].extend(old[i1:i2])
            previous[1].extend(new[j1:j2])
        else:
            runs.append((old[i1:i2], new[j1:j2]))
    return _cleanup(runs)


def _cleanup(runs: list[_Run]) -> list[_Run]:
    """Absorb an equal stretch between two edits when it is no longer than either edit
    (diff-match-patch's semantic cleanup): "the [old] of [the] service" reads worse than
    one deletion and one insertion. Whitespace-only stretches always go."""
    changed = True
    while changed:
        changed = False
        for k in range(1, len(runs) - 1):
            before, middle, after = runs[k - 1], runs[k], runs[k + 1]
            if middle[1] is not None or before[1] is None or after[1] is None:
                continue
            size = _length(middle[0])
            blank = all(not t.strip() for t, _ in middle[0])
            edit_before = max(_length(before[0]), _length(before[1]))
            edit_after = max(_length(after[0]), _length(after[1]))
            if blank or size <= min(edit_before, edit_after):
                merged = (before[0] + middle[0] + after[0], before[1] + middle[0] + after[1])
                runs[k - 1: k + 2] = [merged]
                changed = True
                break
    return runs


def compare(old: tuple[Inline, ...], new: tuple[Inline, ...],
            characters: bool = False) -> tuple[Piece, ...]:
    """The pieces that turn old into new: kept, deleted, inserted (deletion first)."""
    pieces: list[Piece] = []
    labels = ref_labels(old, new)
    old_labels = {**labels, **ref_labels(old)}
    for kept_or_deleted, inserted in _runs(tokens(old, characters), tokens(new, characters)):
        if inserted is None:
            pieces.append(Piece(Op.EQUAL, inlines_of(kept_or_deleted, labels)))
            continue
        if kept_or_deleted:
            pieces.append(Piece(Op.DELETE, inlines_of(kept_or_deleted, old_labels)))
        if inserted:
            pieces.append(Piece(Op.INSERT, inlines_of(inserted, labels)))
    return tuple(pieces)


def similarity(old: str, new: str, characters: bool = False) -> float:
    """0..1: how much of two plain texts is the same, counted in tokens."""
    pattern = CHAR_TOKEN if characters else WORD_TOKEN
    a = [m.group() for m in pattern.finditer(old) if m.group().strip()]
    b = [m.group() for m in pattern.finditer(new) if m.group().strip()]
    if not a and not b:
        return 1.0
    return SequenceMatcher(None, a, b, autojunk=False).ratio()


def count_words(pieces: tuple[Piece, ...], op: Op, characters: bool = False) -> int:
    """Words (or characters) inserted or deleted, for summaries."""
    from compiler.model import plain_text

    pattern = CHAR_TOKEN if characters else WORD_TOKEN
    return sum(1 for p in pieces if p.op is op
               for m in pattern.finditer(plain_text(p.inlines)) if re.search(r"\w", m.group()))
