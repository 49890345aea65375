"""Inlines -> policyc inline markup, escaping only the characters the parser would read as markup.

The inverse of compiler.inline.parse_inline: bare e-mail addresses and URLs stay bare (the
parser links them again), and every result is checked by parsing it back.
"""

from __future__ import annotations

import re

from compiler.inline import _EMAIL, _URL, ESCAPABLE, parse_inline
from compiler.model import (
    Code,
    Emphasis,
    Inline,
    Link,
    Placeholder,
    Ref,
    Strong,
    Text,
    plain_text,
)

_ALWAYS = "*[]{}`"


def escape_text(text: str) -> str:
    out: list[str] = []
    for i, ch in enumerate(text):
        if ch in _ALWAYS:
            out.append("\\" + ch)
        elif ch == "\\" and (i + 1 == len(text) or text[i + 1] in ESCAPABLE):
            out.append("\\\\")
        else:
            out.append(ch)
    return "".join(out)


def _href(href: str) -> str:
    return href.replace(" ", "%20").replace(")", "%29").replace("(", "%28")


def _bare(link: Link) -> str | None:
    """The link's text when the parser would link it by itself."""
    if len(link.children) != 1 or not isinstance(link.children[0], Text):
        return None
    text = link.children[0].text
    if link.href == text and _URL.fullmatch(text):
        return text
    if link.href == "mailto:" + text and _EMAIL.fullmatch(text):
        return text
    return None


def _emit(nodes: tuple[Inline, ...]) -> str:
    out: list[str] = []
    for n in nodes:
        match n:
            case Text(text=t):
                out.append(escape_text(t))
            case Strong(children=c):
                out.append("**" + _emit(c) + "**")
            case Emphasis(children=c):
                out.append("*" + _emit(c) + "*")
            case Link():
                bare = _bare(n)
                out.append(bare if bare is not None else
                           "[" + _emit(n.children) + "](" + _href(n.href) + ")")
            case Placeholder(name=name):
                out.append("{" + name + "}")
            case Code(text=t):
                out.append(code_span(t))
            case Ref(target=target):
                out.append("{ref:" + target + "}")
    return "".join(out)


def code_span(text: str) -> str:
    """`text` with a fence longer than any backtick run inside, padded where it touches one."""
    runs = [len(r) for r in re.findall(r"`+", text)]
    fence = "`" * (max(runs, default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") or (
        text.startswith(" ") and text.endswith(" ") and text.strip()) else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def canonical(nodes: tuple[Inline, ...]) -> tuple[Inline, ...]:
    """Inlines as the parser would give them back (auto-links made, texts merged): the
    form two inline sequences are compared in."""
    inlines, _ = parse_inline(_emit(nodes))
    return inlines


def _unnest(nodes: tuple[Inline, ...], inside: type | None = None) -> tuple[Inline, ...]:
    """Drop italic inside bold and vice versa (the one nesting the markup cannot always say)."""
    out: list[Inline] = []
    for n in nodes:
        match n:
            case Strong(children=c) | Emphasis(children=c):
                if inside is not None:
                    out.extend(_unnest(c, inside))
                else:
                    out.append(type(n)(_unnest(c, type(n))))
            case Link(href=h, children=c):
                out.append(Link(h, _unnest(c, inside)))
            case _:
                out.append(n)
    return tuple(out)


def _unlabel(nodes: tuple[Inline, ...]) -> tuple[Inline, ...]:
    """Cross-references without their labels (a source's {ref:id} has none: localization
    writes "Section 7" or the title)."""
    out: list[Inline] = []
    for n in nodes:
        match n:
            case Ref(target=t):
                out.append(Ref(t))
            case Strong(children=c):
                out.append(Strong(_unlabel(c)))
            case Emphasis(children=c):
                out.append(Emphasis(_unlabel(c)))
            case Link(href=h, children=c):
                out.append(Link(h, _unlabel(c)))
            case _:
                out.append(n)
    return tuple(out)


def to_markup(nodes: tuple[Inline, ...]) -> str:
    """Markup whose parse gives these inlines back; when bold and italic nest in a way the
    grammar cannot express, the inner one is dropped (the text is always kept)."""
    nodes = _unlabel(nodes)
    text = _emit(nodes)
    back, errors = parse_inline(text)
    if not errors and plain_text(back) == plain_text(nodes) and _shape(back) == _shape(nodes):
        return text
    flat = _emit(_unnest(nodes))
    back, errors = parse_inline(flat)
    if not errors and plain_text(back) == plain_text(nodes):
        return flat
    return escape_text(plain_text(nodes))


def _shape(nodes: tuple[Inline, ...]) -> list[str]:
    out: list[str] = []
    for n in nodes:
        match n:
            case Strong(children=c):
                out.extend(["(b", *_shape(c), ")"])
            case Emphasis(children=c):
                out.extend(["(i", *_shape(c), ")"])
            case Link(children=c):
                out.extend(_shape(c))
            case _:
                pass
    return out


def has_markup_loss(nodes: tuple[Inline, ...]) -> bool:
    back, _ = parse_inline(to_markup(nodes))
    return _shape(back) != _shape(nodes) or re.sub(r"\s", "", plain_text(back)) != re.sub(
        r"\s", "", plain_text(nodes))
