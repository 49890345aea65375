"""The brand in one place: logo, colours, fonts and footer, as each format needs them.

A Theme comes from the project config's [theme] table (and a Quarto/Shiny `_brand.yml`,
compiler/project/brand.py). HTML and PDF get a stylesheet appended after the built-in one
(so a project's own CSS still wins over both) and the logo as a data: URI (one
self-contained file, nothing fetched); the DOCX renderer asks for the colours, fonts and a
PNG of the logo.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

MIME = {".svg": "image/svg+xml", ".png": "image/png"}
SCRIPT_LANGUAGES = (("arabic", ("ar", "fa", "ur")), ("hebrew", ("he", "yi")),
                    ("cjk", ("ja", "zh", "ko")))
LOGO_PIXELS = 600  # width of the PNG rasterized from an SVG logo for DOCX (crisp at 5 cm)


@dataclass(frozen=True)
class Theme:
    """The brand; every field optional. Hashable: part of render options and job keys."""

    logo: Path | None = None
    primary: str | None = None  # "#RRGGBB"
    accent: str | None = None
    footer: str | None = None
    fonts: tuple[tuple[str, str], ...] = ()  # (script, family): latin, headings, arabic, ...

    def font(self, script: str) -> str | None:
        return dict(self.fonts).get(script)

    @property
    def link(self) -> str | None:
        """Links and highlights: the accent, else the primary colour."""
        return self.accent or self.primary

    def key(self) -> str:
        """What the outputs depend on: the values and the logo's bytes."""
        logo = hashlib.sha256(self.logo.read_bytes()).hexdigest() if self.logo else ""
        return repr((logo, self.primary, self.accent, self.footer, self.fonts))

    def logo_uri(self) -> str | None:
        return _data_uri(self.logo) if self.logo else None

    def logo_png(self) -> bytes | None:
        return _png(self.logo) if self.logo else None

    def web_css(self) -> str:
        rules = []
        light = []
        if self.link:
            light.append(f":root {{ --accent: {self.link}; }}")
        if self.primary:
            light.append(f".doc-header, thead th {{ border-color: {self.primary}; }}\n"
                         f"h1, h2, .org {{ color: {self.primary}; }}")
        if light:  # the built-in dark palette stays: a brand colour is chosen for light pages
            rules.append("@media not all and (prefers-color-scheme: dark) {\n"
                         + "\n".join(light) + "\n}")
        rules += self._font_css(body="body")
        rules.append(".brand-logo { display: block; height: 2.5rem; width: auto; max-width: 12rem; "
                     "margin-block-end: 0.25rem; }")
        return _banner(rules)

    def print_css(self) -> str:
        rules = []
        if self.link:
            rules.append(f"a, li::marker {{ color: {self.link}; }}\n"
                         f".button {{ background: {self.link}; }}\n"
                         f".note:not(.note-important):not(.note-warning) "
                         f"{{ border-color: {self.link}; }}")
        if self.primary:
            rules.append(f".title-block, thead th {{ border-color: {self.primary}; }}\n"
                         f"h1, h2, .org {{ color: {self.primary}; }}")
        rules += self._font_css(body="html")
        rules.append(".brand-logo { display: block; height: 14mm; width: auto; max-width: 60mm; "
                     "margin: 0 0 4mm; }")
        return _banner(rules)

    def _font_css(self, body: str) -> list[str]:
        rules = []
        latin = self.font("latin")
        if latin:
            rules.append(f"{body} {{ font-family: {css_family(latin)}, \"Noto Sans\", "
                         "\"Noto Sans CJK JP\", sans-serif; }")
        for script, languages in SCRIPT_LANGUAGES:
            family = self.font(script)
            if family:
                selector = ", ".join(f"{body}:lang({code})" if body == "html" else
                                     f":lang({code}) body, body:lang({code})"
                                     for code in languages)
                rules.append(f"{selector} {{ font-family: {css_family(family)}, "
                             f"{css_family(latin) + ', ' if latin else ''}sans-serif; }}")
        headings = self.font("headings")
        if headings:
            rules.append(f"h1, h2, h3, h4, h5, h6 {{ font-family: {css_family(headings)}, "
                         "inherit; }")
        return rules


def _banner(rules: list[str]) -> str:
    return "/* brand: policyc.toml [theme] */\n" + "\n".join(rules) + "\n" if rules else ""


def css_family(name: str) -> str:
    """A font family as a CSS string that cannot close its quotes or the style element."""
    return '"' + "".join(ch if ch.isalnum() or ch in " -_" else f"\\{ord(ch):x} "
                         for ch in name) + '"'


@cache
def _data_uri(path: Path) -> str:
    import base64  # here: a no-op build never embeds a logo (2 ms of its start, issue #18)

    data = path.read_bytes()
    return f"data:{MIME[path.suffix.lower()]};base64,{base64.b64encode(data).decode('ascii')}"


@cache
def _png(path: Path) -> bytes:
    """The logo as PNG: as is, or an SVG rasterized without fetching anything it references."""
    data = path.read_bytes()
    if path.suffix.lower() == ".png":
        return data
    import cairosvg  # unsafe=False (the default): no external files or entities

    png: bytes = cairosvg.svg2png(bytestring=data, output_width=LOGO_PIXELS)
    return png


def clear_caches() -> None:
    """The logo may change between builds of one process (the preview server)."""
    _data_uri.cache_clear()
    _png.cache_clear()


NO_THEME = Theme()  # policyc's own look
