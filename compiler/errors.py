"""Located diagnostics: every user mistake names a file, a line and what was expected."""

from __future__ import annotations

import enum
import os
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path


@dataclass(frozen=True, order=True)
class Loc:
    """A 1-based position in a source or catalog file; column 0 means 'whole line'."""

    path: str
    line: int = 0
    column: int = 0

    def __str__(self) -> str:
        if self.line and self.column:
            return f"{self.path}:{self.line}:{self.column}"
        if self.line:
            return f"{self.path}:{self.line}"
        return self.path

    @classmethod
    def file(cls, path: str | Path) -> Loc:
        return cls(display_path(path))


def display_path(path: str | Path) -> str:
    """Paths relative to the working directory read better in messages and stay stable."""
    p = Path(path)
    try:
        return str(p.resolve().relative_to(_resolved(os.getcwd())))  # noqa: PTH109 (a str key)
    except ValueError:
        return str(p)


@lru_cache(maxsize=8)
def _resolved(cwd: str) -> Path:
    """The working directory with links resolved, once per directory (not once per path)."""
    return Path(cwd).resolve()


class Category(enum.Enum):
    SYNTAX = "syntax"
    SCHEMA = "schema"
    REFERENCE = "reference"
    TRANSLATION = "translation"
    IO = "io"
    SIGNING = "signing"


class Severity(enum.Enum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class Diagnostic:
    loc: Loc
    message: str
    severity: Severity = Severity.ERROR
    category: Category = Category.SCHEMA

    def __str__(self) -> str:
        return escape(f"{self.loc}: {self.severity.value}: {self.message}")


# Characters a terminal or log viewer would act on rather than show: a quoted YAML key or
# msgstr with ESC sequences, newlines or bidi overrides must not forge or hide output lines.
# (A pattern string: compiled by re on first use, not by every process that prints nothing.)
_UNSAFE = ("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e"
           "\u2066-\u2069]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def escape(text: str) -> str:
    """User data made safe to print: control and bidi characters shown as escapes."""
    return re.sub(_UNSAFE, lambda m: _NAMED.get(m.group()) or (
        f"\\x{ord(m.group()):02x}" if ord(m.group()) < 0x100 else f"\\u{ord(m.group()):04x}"),
        text)


class CompilerError(Exception):
    """A user mistake (or several): printed as located diagnostics, never as a traceback."""

    def __init__(self, diagnostics: list[Diagnostic] | Diagnostic,
                 failures: list[str] | None = None) -> None:
        self.diagnostics = (
            [diagnostics] if isinstance(diagnostics, Diagnostic) else list(diagnostics)
        )
        # what the command could not do, said once after the diagnostics, which it sums
        # up: not one more problem (the Report counts only the diagnostics as errors)
        self.failures = list(failures or [])
        super().__init__("\n".join([*(str(d) for d in self.diagnostics),
                                    *(escape(f"policyc: {f}") for f in self.failures)]))

    def __reduce__(self) -> tuple[type[CompilerError], tuple[list[Diagnostic], list[str]]]:
        """Pickled with its diagnostics (a render worker's error reaches the build whole)."""
        return type(self), (self.diagnostics, self.failures)

    @classmethod
    def at(cls, loc: Loc, message: str, category: Category = Category.SCHEMA) -> CompilerError:
        return cls(Diagnostic(loc, message, Severity.ERROR, category))


@dataclass
class Diagnostics:
    """Collects every problem of a stage so one run reports them all, then raises once."""

    items: list[Diagnostic] = field(default_factory=list)

    def error(self, loc: Loc, message: str, category: Category = Category.SCHEMA) -> None:
        self.items.append(Diagnostic(loc, message, Severity.ERROR, category))

    def warning(self, loc: Loc, message: str, category: Category = Category.SCHEMA) -> None:
        self.items.append(Diagnostic(loc, message, Severity.WARNING, category))

    def extend(self, other: Diagnostics | list[Diagnostic]) -> None:
        self.items.extend(other.items if isinstance(other, Diagnostics) else other)

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.items if d.severity is Severity.ERROR]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.items if d.severity is Severity.WARNING]

    def raise_if_errors(self, strict: bool = False) -> None:
        """Raise every error at once; with strict, warnings count as errors too."""
        failing = self.items if strict else self.errors
        if failing:
            promoted = [
                Diagnostic(d.loc, d.message, Severity.ERROR, d.category) for d in failing
            ]
            raise CompilerError(sorted(promoted, key=lambda d: d.loc))
