"""Finding sources: kept apart from build so that `policyc check` starts without the build machinery."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from compiler.errors import Category, CompilerError, Loc


def discover(paths: Sequence[str | Path]) -> list[Path]:
    """The sources named, or every source/*.yaml when none is."""
    if paths:
        out: list[Path] = []
        for p in map(Path, paths):
            out.extend(sorted(p.glob("*.yaml")) if p.is_dir() else [p])
        return out
    found = sorted(Path("source").glob("*.yaml"))
    if not found:
        raise CompilerError.at(Loc("source/"), "no sources found (expected source/*.yaml)",
                               Category.IO)
    return found
