"""The source format, declared once: the loader checks keys against it, the JSON Schema is built from it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from compiler.model import DURATION_UNITS, ListStyle, NoteKind, VarKind
from compiler.names import ID_PATTERN, LOCALE_PATTERN, VERSION_PATTERN

DURATION_PATTERN = r"^\s*(\d+)\s*(" + "|".join(DURATION_UNITS) + r")s?\s*$"


@dataclass(frozen=True)
class Key:
    name: str
    schema: dict[str, Any]
    doc: str
    required: bool = False


RICH = {"type": "string", "description": "Text with inline markup: **bold**, *italic*, "
        "[label](https://...), {variable}, {ref:section-id} (a cross-reference), `code`; "
        "e-mail addresses and URLs become links."}
COMMENT = Key("comment", {"type": "string"}, "A note for translators (PO '#.' comment).")
DATE = {"type": "string", "format": "date"}


def _obj(keys: tuple[Key, ...], **extra: Any) -> dict[str, Any]:
    schema: dict[str, Any] = {
        "type": "object",
        "properties": {k.name: {**k.schema, "description": k.doc} for k in keys},
        "additionalProperties": False,
        **extra,
    }
    required = [k.name for k in keys if k.required]
    if required:
        schema["required"] = required
    return schema


DOCUMENT: tuple[Key, ...] = (
    Key("id", {"type": "string", "pattern": ID_PATTERN},
        "Stable document id: output file names and the gettext domain.", True),
    Key("title", RICH, "The document title.", True),
    Key("version", {"type": "string", "pattern": VERSION_PATTERN},
        "Semantic version of this text, e.g. 2.1.0.", True),
    Key("updated", DATE, "Date of the last update (ISO, YYYY-MM-DD).", True),
    Key("effective", DATE, "Date the text takes effect (ISO, YYYY-MM-DD).", True),
    Key("source_locale", {"type": "string", "pattern": LOCALE_PATTERN},
        "Locale the source is written in.", True),
    Key("locales", {"type": "array", "items": {"type": "string", "pattern": LOCALE_PATTERN},
                    "minItems": 1, "uniqueItems": True},
        "Locales to build, the source locale included.", True),
    Key("organization", {"type": "string"}, "The publishing organization (author metadata).",
        True),
    Key("description", RICH, "One-sentence summary (HTML/PDF/DOCX subject metadata)."),
    Key("keywords", {"type": "array", "items": {"type": "string"}},
        "Metadata keywords (PDF, HTML and DOCX properties): one keyword or phrase per item, "
        "no commas; each is a catalog message, translated like the title."),
    Key("names", {"type": "array", "items": {"type": "string", "minLength": 1}},
        "Product and brand names written in the text (e.g. WhatsApp Business): never "
        "hyphenated in the PDF, like the organization and every variable's value."),
    Key("page_size", {"enum": ["A4", "Letter"]}, "PDF page size (default A4)."),
    Key("base_url", {"type": "string", "pattern": "^https://"},
        "Public URL of the published HTML folder, for canonical links."),
    Key("reference_docx", {"type": "string"},
        "Style reference document for the DOCX, relative to this file "
        "(default: templates/docx/reference.docx)."),
    Key("changes", {"type": "array", "items": {"$ref": "#/$defs/change"}},
        "Version history, rendered as a table in every format."),
    Key("variables", {"$ref": "#/$defs/variables"}, "Facts written once, used as {name}."),
    Key("numbering", {"enum": ["none", "decimal"]},
        "Section numbers: decimal numbers sections 1, 1.1, 1.1.1 in headings, contents, "
        "bookmarks and cross-references (default none)."),
    Key("blocks", {"type": "array", "items": {"$ref": "#/$defs/block"}},
        "A preamble: blocks before the first section, without a heading."),
    Key("sections", {"type": "array", "items": {"$ref": "#/$defs/section"}, "minItems": 1},
        "The sections, nested to any depth.", True),
)

CHANGE: tuple[Key, ...] = (
    Key("version", {"type": "string", "minLength": 1},
        "The version this entry describes: 1.1.0, or a date such as 2024-02-01.", True),
    Key("date", DATE, "When that version was published (ISO, YYYY-MM-DD).", True),
    Key("summary", RICH, "What changed (translatable).", True),
    # yes/no are booleans in YAML 1.1 (PyYAML) and strings in YAML 1.2 (editors): accept both.
    Key("material", {"anyOf": [{"type": "boolean"}, {"enum": ["yes", "no"]}]},
        "Whether the change is material: users are told before it takes effect "
        "(optional; left blank when not given)."),
    COMMENT,
)

SECTION: tuple[Key, ...] = (
    Key("id", {"type": "string", "pattern": ID_PATTERN},
        "Stable id: HTML anchor, PDF/DOCX bookmark and translation context.", True),
    Key("title", RICH, "Section heading.", True),
    Key("numbered", {"type": "boolean"},
        "false keeps this section and its subsections unnumbered in a numbered document "
        "(a preamble, an annex)."),
    Key("blocks", {"type": "array", "items": {"$ref": "#/$defs/block"}}, "The section's content."),
    Key("sections", {"type": "array", "items": {"$ref": "#/$defs/section"}}, "Subsections."),
    COMMENT,
)

ITEM: tuple[Key, ...] = (
    Key("term", RICH, "A bold lead term (without the colon)."),
    Key("text", RICH, "The item text."),
    Key("blocks", {"type": "array", "items": {"$ref": "#/$defs/block"}},
        "Several blocks (paragraphs, lists, notes, tables) instead of one text."),
    Key("items", {"type": "array", "items": {"$ref": "#/$defs/item"}},
        "A nested list of the same kind."),
    COMMENT,
)

CONTACT_ENTRY: tuple[Key, ...] = (
    Key("label", RICH, "What the value is (Email, Address...).", True),
    Key("value", RICH, "The value; e-mail, URL and phone variables become links.", True),
    COMMENT,
)

CTA: tuple[Key, ...] = (
    Key("title", RICH, "Title of the box.", True),
    Key("text", RICH, "The invitation.", True),
    Key("action", RICH, "Label of the button.", True),
    Key("href", {"type": "string"}, "Where the button leads: https://, mailto:{email_var}...",
        True),
)

TABLE: tuple[Key, ...] = (
    Key("caption", RICH, "Table caption."),
    Key("widths", {"type": "array", "items": {"type": "number", "exclusiveMinimum": 0}},
        "Relative column widths, one per column: [1, 3, 2]."),
    Key("header", {"type": "array", "items": RICH, "minItems": 1}, "Header row cells.", True),
    Key("rows", {"type": "array", "items": {"type": "array", "items": RICH}},
        "Body rows, each as many cells as the header; a cell may hold several lines.", True),
)

DEFINITION: tuple[Key, ...] = (
    Key("term", RICH, "The defined term.", True),
    Key("text", RICH, "Its definition.", True),
    COMMENT,
)
LINES = {"anyOf": [{"type": "array", "items": RICH, "minItems": 1}, {"type": "string"}]}
LIST_STYLES = [s.value for s in ListStyle]

# Each block is a mapping led by exactly one of these keys; a plain string is a paragraph.
BLOCK_KINDS: dict[str, tuple[dict[str, Any], str]] = {
    "paragraph": (RICH, "A paragraph."),
    "bullets": ({"type": "array", "items": {"$ref": "#/$defs/item"}}, "A bulleted list."),
    "numbered": ({"type": "array", "items": {"$ref": "#/$defs/item"}}, "A numbered list."),
    "note": (RICH, "A callout; set its kind."),
    "contact": ({"type": "array", "items": _obj(CONTACT_ENTRY)}, "A contact block."),
    "cta": (_obj(CTA), "A call-to-action box."),
    "table": (_obj(TABLE), "A table with a header row."),
    "definitions": ({"type": "array", "items": _obj(DEFINITION), "minItems": 1},
                    "Defined terms with their definitions."),
    "address": (LINES, "Lines kept as lines: a postal address (a list, or a '|' block)."),
    "lines": (LINES, "Lines kept as lines: a signature block (same as address)."),
}
SEPARATOR = Key("separator", {"type": "string"},
                "What follows an item's bold term (default ': ' in the locale's style; "
                "'. ' for run-in headings; '' for none).")
BLOCK_EXTRA: dict[str, tuple[Key, ...]] = {
    "note": (Key("kind", {"enum": [k.value for k in NoteKind]},
                 "important, warning or info (default)."),),
    "bullets": (SEPARATOR,),
    "numbered": (
        Key("style", {"enum": LIST_STYLES},
            "decimal, lower-alpha, upper-alpha, lower-roman or upper-roman (default: by "
            "nesting, 1. then (a) then (i))."),
        Key("start", {"type": "integer", "minimum": 0}, "The first item's number (default 1)."),
        SEPARATOR,
    ),
}

VARIABLE_KINDS = tuple(k.value for k in VarKind)


def _variable_schema() -> dict[str, Any]:
    typed = {
        "email": {"type": "string", "format": "email"},
        "url": {"type": "string", "format": "uri", "pattern": "^https?://"},
        "phone": {"type": "string", "pattern": r"^\+?[0-9 ()./-]+$"},
        "date": DATE,
        "duration": {"type": "string", "pattern": DURATION_PATTERN},
        "number": {"type": "number"},
        "text": {"type": "string"},
    }
    variants: list[dict[str, Any]] = [{"type": "string"}, {"type": "number"}]
    for kind, schema in typed.items():
        variants.append(_obj((Key(kind, schema, f"A {kind} value.", True), COMMENT)))
    return {"oneOf": variants}


def json_schema() -> dict[str, Any]:
    """JSON Schema (2020-12) of the YAML source, for editors' validation and completion."""
    block_variants: list[dict[str, Any]] = [{"type": "string", "description": "A paragraph."}]
    for kind, (schema, doc) in BLOCK_KINDS.items():
        keys = (Key(kind, schema, doc, True), *BLOCK_EXTRA.get(kind, ()), COMMENT)
        block_variants.append(_obj(keys))
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://policyc.dev/schema/policy.schema.json",
        "title": "policyc policy source",
        **_obj(DOCUMENT),
        "$defs": {
            "section": _obj(SECTION),
            "block": {"oneOf": block_variants},
            "item": {"oneOf": [{"type": "string"}, _obj(ITEM)]},
            "change": _obj(CHANGE),
            "variables": {
                "type": "object",
                "patternProperties": {"^[A-Za-z_][A-Za-z0-9_]*$": _variable_schema()},
                "additionalProperties": False,
            },
        },
    }
