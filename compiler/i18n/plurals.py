"""The `Plural-Forms` header checked as `msgfmt -c` checks it: `nplurals` a positive number,
`plural` a C expression in n whose value stays below nplurals, without dividing by zero.

The expression is parsed here (never evaluated by Python's eval): numbers, n, parentheses,
the unary `!` and `-`, `* / %`, `+ -`, comparisons, `&& ||` and `?:`, as gettext's grammar.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import NoReturn

MAX_CHARS = 500  # the longest rule in use (Arabic's) has about 100
MAX_DEPTH = 40  # nested parentheses and operators; real rules (Arabic) nest about 6
SAMPLES = range(0, 1001)  # msgfmt evaluates n over a range of this kind

_TOKEN = re.compile(r"\s*(?:(\d+)|(n)|(\|\||&&|==|!=|<=|>=|[-+*/%<>!?:()]))")
_BINARY = [("||",), ("&&",), ("==", "!="), ("<", ">", "<=", ">="), ("+", "-"),
           ("*", "/", "%")]

Expr = Callable[[int], int]


class PluralError(ValueError):
    """What is wrong with a Plural-Forms value (msgfmt's words)."""


def check(value: str) -> None:
    """Raise PluralError when msgfmt -c would reject this Plural-Forms value."""
    fields = dict(_field(part) for part in value.split(";") if part.strip())
    nplurals = fields.get("nplurals")
    count = None
    if nplurals is not None:
        if not re.fullmatch(r"\d+", nplurals):
            raise PluralError(f"invalid nplurals value {nplurals!r} (expected a number, "
                              "e.g. nplurals=2; plural=(n != 1);)")
        count = int(nplurals)
        if count < 1:
            raise PluralError(f"invalid nplurals value {count} (expected 1 or more)")
    plural = fields.get("plural")
    if plural is None:
        return
    if len(plural) > MAX_CHARS:
        raise PluralError(f"plural expression of {len(plural)} characters (expected at most "
                          f"{MAX_CHARS})")
    expr = _Parser(plural).parse()
    if count is None:
        return
    largest = 0
    for n in SAMPLES:
        try:
            largest = max(largest, expr(n))
        except ZeroDivisionError:
            raise PluralError(f"plural expression {plural!r} can divide by zero (at n={n}; "
                              "expected a value for every n)") from None
    if largest >= count:
        raise PluralError(f"nplurals = {count} but plural expression {plural!r} can produce "
                          f"values as large as {largest} (expected 0 to {count - 1})")


def _field(part: str) -> tuple[str, str]:
    name, sep, value = part.partition("=")
    if not sep:
        raise PluralError(f"expected 'name=value' in Plural-Forms, found {part.strip()!r} "
                          "(e.g. nplurals=2; plural=(n != 1);)")
    return name.strip(), value.strip()


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens: list[str] = []
        pos = 0
        while text[pos:].strip():
            m = _TOKEN.match(text, pos)
            if m is None:
                self.fail(f"unexpected {text[pos:].strip()[0]!r}")
            self.tokens.append(m.group(m.lastindex or 0))
            pos = m.end()
        self.pos = 0
        self.depth = 0

    def fail(self, why: str) -> NoReturn:
        shown = self.text if len(self.text) <= 60 else self.text[:59] + "…"
        raise PluralError(f"invalid plural expression {shown!r}: {why} (expected a C "
                          "expression in n, e.g. plural=(n != 1);)")

    def peek(self) -> str | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self, token: str) -> None:
        if self.peek() != token:
            found = self.peek()
            self.fail(f"expected {token!r}, found " + (repr(found) if found else "the end"))
        self.pos += 1

    def parse(self) -> Expr:
        expr = self.ternary()
        if self.peek() is not None:
            self.fail(f"unexpected {self.peek()!r}")
        return expr

    def ternary(self) -> Expr:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            self.fail("nested too deeply")
        cond = self.binary(0)
        if self.peek() == "?":
            self.pos += 1
            yes = self.ternary()
            self.take(":")
            no = self.ternary()
            self.depth -= 1
            return lambda n: yes(n) if cond(n) else no(n)
        self.depth -= 1
        return cond

    def binary(self, level: int) -> Expr:
        if level == len(_BINARY):
            return self.unary()
        left = self.binary(level + 1)
        while self.peek() in _BINARY[level]:
            op = self.tokens[self.pos]
            self.pos += 1
            left = _apply(op, left, self.binary(level + 1))
        return left

    def unary(self) -> Expr:
        token = self.peek()
        if token in ("!", "-"):
            self.pos += 1
            self.depth += 1
            if self.depth > MAX_DEPTH:
                self.fail("nested too deeply")
            inner = self.unary()
            self.depth -= 1
            return (lambda n: int(not inner(n))) if token == "!" else (lambda n: -inner(n))
        if token == "(":
            self.pos += 1
            inner = self.ternary()
            self.take(")")
            return inner
        if token == "n":
            self.pos += 1
            return lambda n: n
        if token is not None and token.isdigit():
            self.pos += 1
            value = int(token)
            return lambda n: value
        return self.fail("expected a number, n or '(', found "
                         + (repr(token) if token else "the end"))


def _apply(op: str, a: Expr, b: Expr) -> Expr:
    match op:
        case "||":
            return lambda n: int(bool(a(n)) or bool(b(n)))
        case "&&":
            return lambda n: int(bool(a(n)) and bool(b(n)))
        case "==":
            return lambda n: int(a(n) == b(n))
        case "!=":
            return lambda n: int(a(n) != b(n))
        case "<":
            return lambda n: int(a(n) < b(n))
        case ">":
            return lambda n: int(a(n) > b(n))
        case "<=":
            return lambda n: int(a(n) <= b(n))
        case ">=":
            return lambda n: int(a(n) >= b(n))
        case "+":
            return lambda n: a(n) + b(n)
        case "-":
            return lambda n: a(n) - b(n)
        case "*":
            return lambda n: a(n) * b(n)
        case "/":
            return lambda n: _c_div(a(n), b(n))
        case "%":
            return lambda n: _c_mod(a(n), b(n))
    raise AssertionError(op)


def _c_div(x: int, y: int) -> int:
    if y == 0:
        raise ZeroDivisionError
    q = abs(x) // abs(y)
    return q if (x >= 0) == (y >= 0) else -q


def _c_mod(x: int, y: int) -> int:
    return x - y * _c_div(x, y)
