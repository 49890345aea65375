"""The import pipeline: pick a reader, read, offer variables, emit YAML, check it loads."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path

from compiler.errors import Category, CompilerError, Loc, display_path
from compiler.limits import MAX_IMPORT_BYTES
from compiler.model import Document
from compiler.readers import IMPORT_SUFFIXES, Reading, ReadOptions, get_importer, importer_for
from compiler.readers.draft import Finding


@dataclass(frozen=True)
class Imported:
    yaml_text: str
    document: Document  # as loaded back from yaml_text
    findings: tuple[Finding, ...]
    format: str


def input_format(path: Path, data: bytes, given: str | None) -> str:
    """The reader for a file: --from, else its suffix, else its first bytes."""
    if given:
        return given
    fmt = importer_for(path)
    if fmt:
        return fmt
    head = data[:512].lstrip().lower()
    if data[:4] == b"PK\x03\x04":
        return "docx"
    if head.startswith((b"<!doctype html", b"<html", b"<?xml")):
        return "html"
    if path.suffix.lower() in (".yaml", ".yml"):
        raise CompilerError.at(Loc.file(path), "this is already a policyc source (YAML); "
                               "import reads Markdown, DOCX, HTML or plain text", Category.IO)
    known = ", ".join(sorted(IMPORT_SUFFIXES))
    raise CompilerError.at(Loc.file(path), f"cannot tell the format of '{path.name}' "
                           f"(expected one of: {known}; or pass --from)", Category.IO)


def read_file(path: Path) -> bytes:
    """An input's bytes: a regular file within the import size limit (compiler.fs rules)."""
    from compiler.fs import read_input

    return read_input(path, MAX_IMPORT_BYTES, "file")


def read(path: Path, options: ReadOptions, fmt: str | None = None) -> tuple[Reading, str]:
    data = read_file(path)
    fmt = input_format(path, data, fmt)
    return get_importer(fmt)(data, display_path(path), options), fmt


def import_file(path: Path, options: ReadOptions, *, fmt: str | None = None,
                variables: bool = False) -> Imported:
    """Read an existing policy and turn it into a policyc source that loads cleanly."""
    from compiler.importer.emit_yaml import emit
    from compiler.readers.yaml import load_text

    reading, fmt = read(path, options, fmt)
    doc, findings = reading.document, list(reading.findings)
    if variables:
        from compiler.importer.variables import extract_variables

        doc, found = extract_variables(doc)
        findings.extend(found)
    text = emit(doc, findings, path.name)
    out_name = f"{doc.meta.id}.yaml"
    try:
        loaded = load_text(text, out_name)
    except CompilerError as err:  # a bug of the import: say so with the YAML it made
        raise AssertionError(f"imported YAML does not load:\n{err}\n---\n{text}") from err
    loaded = dataclasses.replace(loaded, path=out_name)
    return Imported(text, loaded, tuple(findings), fmt)
