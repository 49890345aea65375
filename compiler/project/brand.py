"""`_brand.yml` (the brand.yml format Quarto and Shiny read) as a policyc Theme.

One brand file can serve a company's reports and its policies: policyc reads `logo`,
`color.primary` (palette names resolved), the link colour (`typography.link.color`, else
`color.secondary`) and the font families of `typography.base` and `typography.headings`.
The project config's [theme] table wins key by key. Quarto applies the brand to HTML and
PDF; policyc to DOCX as well.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from compiler.errors import Category, CompilerError, Diagnostics, Loc, display_path
from compiler.project.layout import resolved_path
from compiler.renderers.theme import Theme

BRAND_NAME = "_brand.yml"
_HEX = re.compile(r"#([0-9A-Fa-f]{6}|[0-9A-Fa-f]{3})")


def read_brand(root: Path) -> Theme | None:
    """The Theme of root/_brand.yml, or None when the project has none."""
    path = root / BRAND_NAME
    if not path.is_file():
        return None
    import yaml

    shown = display_path(path)
    try:
        text = path.read_text(encoding="utf-8")
        data = yaml.safe_load(text)
    except (OSError, UnicodeDecodeError) as err:
        raise CompilerError.at(Loc(shown), f"cannot read the brand file: {err}",
                               Category.IO) from err
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        loc = Loc(shown, mark.line + 1, mark.column + 1) if mark else Loc(shown)
        raise CompilerError.at(loc, f"YAML syntax error: {getattr(err, 'problem', err)}",
                               Category.SYNTAX) from err
    if not isinstance(data, dict):
        raise CompilerError.at(Loc(shown), "expected a mapping (logo, color, typography)")
    diag = Diagnostics()

    def error(key: str, message: str) -> None:
        m = re.search(rf"^\s*{re.escape(key)}\s*:", text, re.M)
        diag.error(Loc(shown, text[: m.start()].count("\n") + 1 if m else 0),
                   f"{key}: {message}")

    color = _mapping(data.get("color"))
    palette = {str(k): v for k, v in _mapping(color.get("palette")).items()}
    typography = _mapping(data.get("typography"))
    primary = _colour(color.get("primary"), palette, color, "primary", error)
    link = _mapping(typography.get("link")).get("color") or color.get("secondary")
    accent = _colour(link, palette, color, "secondary", error)
    logo = _logo(data.get("logo"), root, error)
    fonts = {"latin": _family(typography.get("base")),
             "headings": _family(typography.get("headings"))}
    diag.raise_if_errors()
    return Theme(logo=logo, primary=primary, accent=accent,
                 fonts=tuple(sorted((k, v) for k, v in fonts.items() if v)))


def merge(brand: Theme | None, theme: Theme) -> Theme:
    """policyc.toml's [theme] over _brand.yml, key by key."""
    if brand is None:
        return theme
    fonts = {**dict(brand.fonts), **dict(theme.fonts)}
    return Theme(logo=theme.logo or brand.logo, primary=theme.primary or brand.primary,
                 accent=theme.accent or brand.accent, footer=theme.footer or brand.footer,
                 fonts=tuple(sorted(fonts.items())))


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _colour(value: Any, palette: dict[str, Any], color: dict[str, Any], key: str,
            error: Any) -> str | None:
    if value is None:
        return None
    for _ in range(5):  # a palette name, or another theme colour's name, maybe in turn a name
        if not isinstance(value, str) or _HEX.fullmatch(value.strip()):
            break
        resolved = palette.get(value) or (color.get(value) if value != key else None)
        if resolved is None:
            break
        value = resolved
    if not isinstance(value, str) or not _HEX.fullmatch(value.strip()):
        error(key, f"expected a colour such as #447099 or a palette name, found {value!r}")
        return None
    hexa = value.strip()[1:]
    if len(hexa) == 3:
        hexa = "".join(ch * 2 for ch in hexa)
    return f"#{hexa.upper()}"


def _logo(value: Any, root: Path, error: Any) -> Path | None:
    """A path, or the brand.yml forms: {medium|large|small: name-or-path}, {path:, alt:},
    {light:, dark:}; names refer to logo.images."""
    images = {}
    if isinstance(value, dict):
        images = _mapping(value.get("images"))
        value = next((value[k] for k in ("medium", "large", "small") if k in value), None)
    for _ in range(3):
        if isinstance(value, dict):
            value = value.get("light") or value.get("path")
        if isinstance(value, str) and value in images:
            value = images[value]
    if value is None:
        return None
    if not isinstance(value, str):
        error("logo", f"expected a path to an SVG or PNG file, found {value!r}")
        return None
    path = resolved_path(root, value)
    if path.suffix.lower() not in (".svg", ".png"):
        error("logo", f"expected an .svg or .png file, found '{value}'")
        return None
    if not path.is_file():
        error("logo", f"file '{display_path(path)}' does not exist")
        return None
    return path


def _family(value: Any) -> str | None:
    if isinstance(value, dict):
        value = value.get("family")
    return value if isinstance(value, str) and value.strip() else None
