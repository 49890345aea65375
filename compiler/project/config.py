"""The project config, `policyc.toml` (or `[tool.policyc]` in pyproject.toml): declared once here.

Three tables: `[build]` holds defaults named like `policyc build`'s long options, `[theme]`
the brand, `[variables]` facts every document shares. The same declarations check the file
(unknown keys and wrong types are errors at their file:line) and produce its JSON Schema for
editors. The command line applies it as click's default map, so the precedence is
file < environment (POLICYC_* variables) < command line. Paths are relative to the file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from compiler.errors import Category, CompilerError, Diagnostics, Loc, display_path
from compiler.limits import MAX_RENDER_SECONDS
from compiler.names import LOCALE_PATTERN, cldr_code
from compiler.project.layout import CONFIG_NAME, Layout, resolved_path
from compiler.renderers.theme import NO_THEME, Theme

if TYPE_CHECKING:
    from compiler.model import Variable

COLOUR_PATTERN = r"^#[0-9A-Fa-f]{6}$"
NAME_PATTERN = r"^[A-Za-z_][A-Za-z0-9_]*$"
FORMATS = ("html", "pdf", "docx")


@dataclass(frozen=True)
class Setting:
    key: str  # as written in the file, e.g. page-size
    schema: dict[str, Any]
    doc: str
    path: bool = False  # a file or folder, relative to the config file

    @property
    def option(self) -> str:
        """The click parameter name of the matching command-line option."""
        return self.key.replace("-", "_")


_STRINGS = {"type": "array", "items": {"type": "string"}, "uniqueItems": True}

BUILD: tuple[Setting, ...] = (
    Setting("out", {"type": "string"}, "Output folder (default: dist).", path=True),
    Setting("formats", {"type": "array", "items": {"enum": list(FORMATS)}, "uniqueItems": True},
            "Formats to build (default: html, pdf, docx)."),
    Setting("locales", {"type": "array", "items": {"type": "string", "pattern": LOCALE_PATTERN},
                        "uniqueItems": True},
            "Locales to build (default: every locale each source lists)."),
    Setting("locales-dir", {"type": "string"}, "Catalogs folder (default: locales/ beside "
            "source/).", path=True),
    Setting("page-size", {"enum": ["A4", "Letter"]}, "PDF page size (default: the source's)."),
    Setting("pdf-variant", {"type": "string"}, "WeasyPrint PDF variant (pdf/a-3a, pdf/ua-1, "
            "...) or none."),
    Setting("jobs", {"type": "integer", "minimum": 1, "maximum": 256},
            "Parallel workers (default: number of CPUs)."),
    Setting("reference-docx", {"type": "string"}, "Style reference document for DOCX output "
            "(default: templates/docx/reference.docx, else policyc's).", path=True),
    Setting("base-url", {"type": "string", "pattern": "^https?://"},
            "Public URL of the published output folder (canonical and cross-document links)."),
    Setting("strict", {"type": "boolean"}, "Untranslated or fuzzy strings are errors."),
    Setting("docx-protect", {"type": "boolean"}, "Also write read-only-recommended DOCX copies."),
    Setting("render-time-limit", {"type": "integer", "minimum": 1, "maximum": 86400},
            f"Seconds one output may take to render before it is stopped and fails (default: "
            f"{MAX_RENDER_SECONDS})."),
)
# Options a project's file may not set for whoever builds it, and why (what to use instead).
NOT_FROM_PROJECT = {
    "keep-warm": "a project's config may not start a process that outlives your build; use "
                 "`policyc build --keep-warm` or POLICYC_KEEP_WARM=MINUTES",
}

FONTS: tuple[Setting, ...] = (
    Setting("latin", {"type": "string"}, "Font family for Latin, Greek and Cyrillic text."),
    Setting("headings", {"type": "string"}, "Font family for headings (default: latin)."),
    Setting("arabic", {"type": "string"}, "Font family for Arabic-script text."),
    Setting("hebrew", {"type": "string"}, "Font family for Hebrew text."),
    Setting("cjk", {"type": "string"}, "Font family for Chinese, Japanese and Korean text."),
)

THEME: tuple[Setting, ...] = (
    Setting("logo", {"type": "string", "pattern": r"(?i)\.(svg|png)$"},
            "Path to the logo, an SVG or PNG file.", path=True),
    Setting("primary", {"type": "string", "pattern": COLOUR_PATTERN},
            "Primary colour (#RRGGBB): headings, masthead, rules."),
    Setting("accent", {"type": "string", "pattern": COLOUR_PATTERN},
            "Accent colour (#RRGGBB): links and highlights."),
    Setting("footer", {"type": "string"}, "Footer text on every page of every format."),
    Setting("fonts", {"$ref": "#/$defs/fonts"}, "Font families per script."),
)

TABLES: dict[str, str] = {
    "build": "Defaults for `policyc build` (and `serve`), named like its long options.",
    "theme": "The brand: logo, colours, fonts and footer, in HTML, PDF and DOCX alike.",
    "variables": "Facts every document shares, used in text as {name}; a document's own "
                 "variables of the same name win.",
}
VARIABLE_KINDS = ("email", "url", "phone", "date", "duration", "number")


@dataclass(frozen=True)
class Config:
    path: Path | None = None
    root: Path | None = None
    build: dict[str, Any] = field(default_factory=dict)  # option name -> value, paths resolved
    theme: Theme = NO_THEME
    variables: tuple[Variable, ...] = ()  # shared by every document; theirs win by name
    lines: dict[str, int] = field(default_factory=dict)  # dotted key -> line, for messages

    def loc(self, dotted: str) -> Loc:
        return Loc(display_path(self.path), self.lines.get(dotted, 0)) if self.path else \
            Loc(CONFIG_NAME)

    def defaults(self, command: str) -> dict[str, Any]:
        """click's default map for one command (file < environment < command line)."""
        if command == "build":
            return dict(self.build)
        if command == "serve":
            return {k: v for k, v in self.build.items() if k in ("out", "locales")}
        return {}


def json_schema() -> dict[str, Any]:
    def table(settings: tuple[Setting, ...]) -> dict[str, Any]:
        return {"type": "object", "additionalProperties": False,
                "properties": {s.key: {**s.schema, "description": s.doc} for s in settings}}

    variable = {"oneOf": [
        {"type": "string"}, {"type": "number"},
        {"type": "object", "additionalProperties": False, "minProperties": 1,
         "properties": {**{k: {"type": ["string", "number"] if k == "number" else "string"}
                           for k in VARIABLE_KINDS},
                        "comment": {"type": "string", "description": "A note for translators."}}},
    ]}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "policyc project config (policyc.toml)",
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "build": {**table(BUILD), "description": TABLES["build"]},
            "theme": {**table(THEME), "description": TABLES["theme"]},
            "variables": {"type": "object", "description": TABLES["variables"],
                          "patternProperties": {NAME_PATTERN: variable},
                          "additionalProperties": False},
        },
        "$defs": {"fonts": {**table(FONTS), "description": "Font families per script."}},
    }


# --- reading -------------------------------------------------------------------------


def key_lines(text: str, prefix: str = "") -> dict[str, int]:
    """Dotted key -> 1-based line, from table headers and `key =` lines.

    tomllib keeps no positions; this small scan of the same text gives them for messages.
    prefix is dropped from table names ("tool.policyc" in pyproject.toml).
    """
    lines: dict[str, int] = {}
    table = ""
    header = re.compile(r"\s*\[\s*([^\]\[]+?)\s*\]\s*(#.*)?$")
    assign = re.compile(r"""\s*("[^"]*"|'[^']*'|[A-Za-z0-9_.-]+)\s*=""")
    for number, line in enumerate(text.splitlines(), 1):
        m = header.match(line)
        if m:
            table = _unquote(m.group(1))
            if prefix and (table == prefix or table.startswith(prefix + ".")):
                table = table[len(prefix):].lstrip(".")
            lines.setdefault(table, number)
            continue
        m = assign.match(line)
        if m:
            key = _unquote(m.group(1))
            lines.setdefault(f"{table}.{key}" if table else key, number)
    return lines


def _unquote(dotted: str) -> str:
    return ".".join(part.strip().strip("\"'") for part in dotted.split("."))


def load(layout: Layout) -> Config:
    """The project's config, checked, with its _brand.yml under [theme]; an empty Config
    (but the brand) when the project has none."""
    import dataclasses

    from compiler.project.brand import merge, read_brand

    brand = read_brand(layout.root)
    config = _load_file(layout) if layout.config else Config(root=layout.root)
    return dataclasses.replace(config, theme=merge(brand, config.theme))


def _load_file(layout: Layout) -> Config:
    import tomllib

    path = layout.config
    assert path is not None
    shown = display_path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise CompilerError.at(Loc(shown), f"cannot read the project config: {err}",
                               Category.IO) from err
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        m = re.search(r"\(at line (\d+), column (\d+)\)", str(err))
        loc = (Loc(shown, int(m.group(1)), int(m.group(2))) if m else
               Loc(shown, len(text.splitlines())) if "end of document" in str(err) else Loc(shown))
        message = re.sub(r"\s*\(at (line|end).*\)$", "", str(err))
        raise CompilerError.at(loc, f"TOML syntax error: {message}", Category.SYNTAX) from err
    prefix = ""
    if path.name != CONFIG_NAME:
        prefix = "tool.policyc"
        data = data["tool"]["policyc"]
    return _check(data, path, key_lines(text, prefix))


class _Checker:
    def __init__(self, path: Path, lines: dict[str, int]) -> None:
        self.path = path
        self.lines = lines
        self.diag = Diagnostics()

    def error(self, dotted: str, message: str) -> None:
        line = self.lines.get(dotted) or self.lines.get(dotted.rsplit(".", 1)[0], 0)
        self.diag.error(Loc(display_path(self.path), line), f"{dotted}: {message}")

    def unknown(self, dotted: str, key: str, expected: list[str]) -> None:
        import difflib  # only for a mistake

        hint = difflib.get_close_matches(key, expected, n=1)
        did = f"; did you mean '{hint[0]}'?" if hint else ""
        self.error(dotted, f"unknown key '{key}' (expected one of: {', '.join(expected)}){did}")

    def table(self, data: Any, where: str, settings: tuple[Setting, ...]) -> dict[str, Any]:
        if not isinstance(data, dict):
            self.error(where, f"expected a table, found {_kind(data)}")
            return {}
        known = {s.key: s for s in settings}
        out: dict[str, Any] = {}
        for key, given in data.items():
            dotted = f"{where}.{key}" if where else key
            value: Any = ([cldr_code(v) if isinstance(v, str) else v for v in given]  # pt-BR
                         if key == "locales" and isinstance(given, list) else given)
            setting = known.get(key)
            if setting is None and where == "build" and key in NOT_FROM_PROJECT:
                self.error(dotted, f"not read from the project's config: {NOT_FROM_PROJECT[key]}")
                continue
            if setting is None:
                self.unknown(dotted, key, list(known))
                continue
            if setting.key == "fonts":
                out[key] = self.table(value, dotted, FONTS)
                continue
            problem = _problem(value, setting.schema)
            if problem:
                self.error(dotted, problem)
                continue
            if setting.path:
                resolved = resolved_path(self.path.parent, value)
                if setting.key in ("logo", "reference-docx") and not resolved.is_file():
                    self.error(dotted, f"file '{display_path(resolved)}' does not exist")
                    continue
                out[key] = resolved
                continue
            out[key] = value
        return out


def _check(data: dict[str, Any], path: Path, lines: dict[str, int]) -> Config:
    checker = _Checker(path, lines)
    for key in data:
        if key not in TABLES:
            checker.unknown(key, key, list(TABLES))
    build = checker.table(data.get("build", {}), "build", BUILD)
    theme = checker.table(data.get("theme", {}), "theme", THEME)
    raw = data.get("variables", {})
    variables: tuple[Variable, ...] = ()
    if not isinstance(raw, dict):
        checker.error("variables", f"expected a table, found {_kind(raw)}")
    elif raw:
        try:
            variables = _variables(raw, path, lines)
        except CompilerError as err:
            checker.diag.extend(err.diagnostics)
    checker.diag.raise_if_errors()
    settings = {s.key: s for s in BUILD}
    return Config(
        path=path, root=path.parent,
        build={settings[k].option: v for k, v in build.items()},
        theme=Theme(logo=theme.get("logo"), primary=theme.get("primary"),
                    accent=theme.get("accent"), footer=theme.get("footer"),
                    fonts=tuple(sorted(theme.get("fonts", {}).items()))),
        variables=variables, lines=lines)


def _variables(raw: dict[str, Any], path: Path, lines: dict[str, int]) -> tuple[Variable, ...]:
    """[variables] checked by the source reader itself (the same kinds, checks and messages),
    given as YAML nodes whose marks are the TOML file's lines."""
    import datetime as dt

    from yaml.error import Mark
    from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

    from compiler.readers.yaml import shared_variables

    shown = display_path(path)

    def node(value: Any, line: int) -> Node:
        mark = Mark(shown, 0, max(line - 1, 0), 0, None, 0)
        if isinstance(value, dict):
            return MappingNode("tag:yaml.org,2002:map",
                               [(node(k, line), node(v, line)) for k, v in value.items()],
                               mark, mark)
        if isinstance(value, list):
            return SequenceNode("tag:yaml.org,2002:seq", [node(v, line) for v in value],
                                mark, mark)
        if isinstance(value, bool):
            tag = "tag:yaml.org,2002:bool"
        elif isinstance(value, int):
            tag = "tag:yaml.org,2002:int"
        elif isinstance(value, float):
            tag = "tag:yaml.org,2002:float"
        else:
            tag = "tag:yaml.org,2002:str"
        if isinstance(value, dt.date | dt.datetime | dt.time):
            value = value.isoformat()
        return ScalarNode(tag, str(value).lower() if isinstance(value, bool) else str(value),
                          mark, mark)

    table = lines.get("variables", 0)
    root = MappingNode("tag:yaml.org,2002:map", [
        (node(name, lines.get(f"variables.{name}", table)),
         node(value, lines.get(f"variables.{name}", table))) for name, value in raw.items()],
        Mark(shown, 0, max(table - 1, 0), 0, None, 0), None)
    return shared_variables(root, shown)


def _kind(value: Any) -> str:
    return {bool: "a boolean", int: "an integer", float: "a number", str: "a string",
            list: "an array", dict: "a table"}.get(type(value), type(value).__name__)


def _problem(value: Any, schema: dict[str, Any]) -> str | None:
    """The subset of JSON Schema these declarations use, checked with readable messages."""
    if "enum" in schema:
        if value not in schema["enum"]:
            return f"expected one of: {', '.join(map(str, schema['enum']))}; found {value!r}"
        return None
    kind = schema.get("type")
    if kind == "string":
        if not isinstance(value, str):
            return f"expected a string, found {_kind(value)}"
        if "pattern" in schema and not re.search(schema["pattern"], value):
            return f"invalid value {value!r}{_PATTERN_HINTS.get(schema['pattern'], '')}"
    elif kind == "integer":
        if not isinstance(value, int) or isinstance(value, bool):
            return f"expected an integer, found {_kind(value)}"
        if not schema.get("minimum", value) <= value <= schema.get("maximum", value):
            return f"expected {schema['minimum']} to {schema['maximum']}, found {value}"
    elif kind == "boolean":
        if not isinstance(value, bool):
            return f"expected true or false, found {_kind(value)}"
    elif kind == "array":
        if not isinstance(value, list):
            return f"expected an array, found {_kind(value)}"
        for item in value:
            problem = _problem(item, schema["items"])
            if problem:
                return problem
    return None


_PATTERN_HINTS = {
    COLOUR_PATTERN: " (expected a colour such as #1F5F99)",
    LOCALE_PATTERN: " (expected a locale code such as en, de, pt_BR)",
    "^https?://": " (expected https://...)",
    r"(?i)\.(svg|png)$": " (expected an .svg or .png file)",
}
