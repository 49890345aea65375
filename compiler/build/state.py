"""Typed incremental state of an output folder (OUT/.policyc-state.json).

What each output was built from (its job key) and what it came out as (size, sha256, and
the row it is in the manifest), and per document x locale what localization found. A build
reads it to skip fresh jobs, and writes it back with what it rebuilt; the manifest and the
index are written from the whole state, so a partial build (one locale, one format) does
not drop the outputs it did not touch. The build holds the folder's lock
(compiler.fs.folder_lock) while it reads and writes the state.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from compiler import __version__, logs
from compiler.errors import Category, Diagnostic, Loc, Severity, display_path
from compiler.fs import write_if_changed

STATE = ".policyc-state.json"
STALE = ""  # the key of an output left as an earlier build made it: matches no job, listed nowhere
MAX_BYTES = 64 * 1024 * 1024


@dataclass(frozen=True)
class OutputState:
    """One file in OUT: the key of the inputs it was built from and the bytes that came out."""

    key: str
    size: int
    sha256: str
    format: str
    locale: str
    document: str
    version: str
    # the key of what it depends on, with what localization reads from the catalogs in
    # place of their bytes (plan.content_key), and its key but for the catalogs (Job.base):
    # "" when not known
    content: str = ""
    base: str = ""
    # what it was made from (build/provenance.py): its source and catalogs with their
    # digests, as the manifest lists them, and a digest of its format's templates, the
    # theme and the shared variables; empty when not known
    inputs: dict[str, dict[str, str]] = field(default_factory=dict, hash=False)
    templates: str = ""


@dataclass(frozen=True)
class LocaleState:
    """What localizing a document into a locale found, for skipped jobs and the index."""

    completeness: dict[str, float | int]
    title: str
    updated: str
    language: str
    direction: str
    warnings: list[tuple[str, int, str]] = field(default_factory=list)  # (path, line, message)
    organization: str = ""  # the index names it
    source: bool = False  # the document's source locale (the index speaks it)

    def diagnostics(self) -> list[Diagnostic]:
        """The warnings, as a build that skips the pair says them again."""
        return [Diagnostic(Loc(path, line), message, Severity.WARNING, Category.TRANSLATION)
                for path, line, message in self.warnings]


@dataclass
class State:
    outputs: dict[str, OutputState] = field(default_factory=dict)  # path relative to OUT
    locales: dict[str, LocaleState] = field(default_factory=dict)  # "<document>/<locale>"

    @classmethod
    def read(cls, out: Path) -> State:
        """The previous build's state; anything unreadable or of the wrong shape (hand-edited,
        another version, truncated) is ignored: the build then rebuilds everything."""
        from compiler.errors import CompilerError
        from compiler.fs import read_input

        try:
            data = json.loads(read_input(out / STATE, MAX_BYTES, "build state"))
        except (CompilerError, ValueError):
            return cls()
        if _valid(data):
            return cls({k: OutputState(**v) for k, v in data["outputs"].items()},
                       {k: _locale_state(v) for k, v in data["locales"].items()})
        if (out / STATE).exists():
            logs.logger(__name__).warning("%s: ignoring a build state of another version or "
                                          "shape; rebuilding all", display_path(out / STATE))
        return cls()

    def write(self, out: Path) -> None:
        data: dict[str, Any] = {"policyc": __version__,
                                # vars, not asdict: the same JSON without deep copies
                                "outputs": {k: vars(v) for k, v in self.outputs.items()},
                                "locales": {k: vars(v) for k, v in self.locales.items()}}
        # compact: json's C encoder (an indent takes its Python one, ~1 ms of a no-op build)
        text = json.dumps(data, sort_keys=True, separators=(",", ":"))
        write_if_changed(out / STATE, (text + "\n").encode(), "build state")

    def is_fresh(self, out: Path, target: Path, key: str) -> bool:
        """Built before from the same inputs, and still there with the size it had."""
        entry = self.outputs.get(target.relative_to(out).as_posix())
        if entry is None or entry.key != key or not target.is_file():
            return False
        return target.stat().st_size == entry.size

    def present(self, out: Path) -> dict[str, OutputState]:
        """Every recorded output whose file is still in OUT, as built (same size)."""
        return {rel: entry for rel, entry in sorted(self.outputs.items())
                if (out / rel).is_file() and (out / rel).stat().st_size == entry.size}


def _valid(state: Any) -> bool:
    """Exactly the fields OutputState and LocaleState hold, each of its type."""
    def entries(value: Any) -> bool:
        return isinstance(value, dict) and all(
            isinstance(k, str) and isinstance(v, dict) for k, v in value.items())

    if not (isinstance(state, dict) and state.get("policyc") == __version__
            and entries(state.get("outputs")) and entries(state.get("locales"))):
        return False
    texts = ("key", "sha256", "format", "locale", "document", "version")
    optional = ("content", "base", "templates")
    for entry in state["outputs"].values():
        inputs = entry.get("inputs", {})
        if not (set(entry) - {*optional, "inputs"} == {*texts, "size"}
                and type(entry["size"]) is int
                and all(isinstance(entry[k], str) for k in (*texts, *optional) if k in entry)
                and isinstance(inputs, dict)
                and all(isinstance(kind, str) and isinstance(found, dict)
                        and all(isinstance(k, str) and isinstance(v, str)
                                for k, v in found.items())
                        for kind, found in inputs.items())):
            return False
    for entry in state["locales"].values():
        completeness, warnings = entry.get("completeness"), entry.get("warnings")
        if not (set(entry) - {"organization", "source"} == {
                "completeness", "title", "updated", "language", "direction", "warnings"}
                and isinstance(entry.get("organization", ""), str)
                and type(entry.get("source", False)) is bool
                and isinstance(completeness, dict) and isinstance(warnings, list)
                and all(isinstance(w, list) and len(w) == 3 and isinstance(w[0], str)
                        and type(w[1]) is int and isinstance(w[2], str) for w in warnings)
                and all(isinstance(entry.get(k), str)
                        for k in ("title", "updated", "language", "direction"))
                and all(type(completeness.get(k)) is int
                        for k in ("total", "translated", "fuzzy", "untranslated"))):
            return False
    return True


def _locale_state(raw: dict[str, Any]) -> LocaleState:
    warnings = [(str(p), int(line), str(m)) for p, line, m in raw.pop("warnings", [])]
    return LocaleState(**raw, warnings=warnings)
