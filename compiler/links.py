"""The one link policy: which targets a published link may have, whatever their origin.

Every href a reader can click (inline links, auto-links, link-typed variables, call-to-action
buttons, translated links, redlines, the canonical URL) is judged here, after variables are
substituted and translations applied. Allowed: http(s) URLs with a host, mailto:, tel: and
internal #anchors. Anything else (javascript:, data:, file:, relative paths, protocol-relative
//host, targets hiding control characters or spaces) is refused with a reason.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from compiler.model import Variable

ALLOWED = "https://, http://, mailto:, tel: or #section-id"
# {doc:id} in text: a link to another document of the project, doc:<id> in a source and
# doc:<locale>/<id> once localized; each renderer publishes it as a path or URL of its format.
DOC_SCHEME = "doc:"
_DOC = re.compile(r"doc:(?:[a-z]{2,3}(?:_[A-Za-z0-9]+)*/)?[a-z][a-z0-9]*(?:-[a-z0-9]+)*")
PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")
_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*):")
_ANCHOR = re.compile(r"#[A-Za-z0-9_][A-Za-z0-9_.:-]*")
_TEL = re.compile(r"\+?[0-9][0-9().-]*")
# What a browser or PDF viewer silently strips or rewrites inside a URL: "java\tscript:",
# a leading space, a backslash read as '/', bidi controls hiding the real target.
_HIDDEN = re.compile(r"[\x00-\x20\x7f-\x9f\\\u00ad\u061c\u200b-\u200f\u202a-\u202e"
                     r"\u2028\u2029\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb]")


def problem(href: str) -> str | None:
    """Why href may not be published as a link, or None when it may."""
    if not href:
        return "empty link target"
    hidden = _HIDDEN.search(href)
    if hidden:
        return (f"link target contains {_describe(hidden.group())} at position "
                f"{hidden.start() + 1} (expected a plain {ALLOWED} target)")
    if href.startswith("#"):
        if _ANCHOR.fullmatch(href):
            return None
        return "internal link must be '#' followed by a section id"
    if href.startswith(DOC_SCHEME):
        return None if _DOC.fullmatch(href) else "document link must be {doc:document-id}"
    m = _SCHEME.match(href)
    if not m:
        return f"relative or scheme-less link target (expected {ALLOWED})"
    scheme = m.group(1).lower()
    rest = href[m.end():]
    if scheme in ("http", "https"):
        try:
            parts = urlsplit(href)
        except ValueError as err:
            return f"malformed URL ({err})"
        if not rest.startswith("//") or not parts.hostname:
            return f"URL without a host (expected {scheme}://host/...)"
        return None
    if scheme == "mailto":
        return None if "@" in rest else "mailto: link without an e-mail address"
    if scheme == "tel":
        return None if _TEL.fullmatch(rest) else "tel: link must hold a phone number"
    return f"scheme '{scheme}:' is not allowed (expected {ALLOWED})"


def document_href(href: str, fmt: str, locale: str, base_url: str | None) -> str:
    """Where a localized doc:<locale>/<id> link points in an output of format fmt written in
    <out>/<locale>/: relative in HTML (the site moves as a whole), absolute with base_url in
    PDF and DOCX (a downloaded file leaves its folder), relative when there is no base_url."""
    target_locale, _, doc_id = href[len(DOC_SCHEME):].rpartition("/")
    target_locale = target_locale or locale
    name = f"{doc_id}.{fmt}"
    if fmt != "html" and base_url:
        return f"{base_url.rstrip('/')}/{target_locale}/{name}"
    return name if target_locale == locale else f"../{target_locale}/{name}"


def canonical_problem(base_url: str) -> str | None:
    """A base URL for canonical links: http(s) only, as a page address must be."""
    why = problem(base_url)
    if why is None and not base_url.lower().startswith(("https://", "http://")):
        why = "a base URL must start with https:// or http://"
    return why


def has_placeholders(href: str) -> bool:
    return PLACEHOLDER.search(href) is not None


def _describe(ch: str) -> str:
    if ch == " ":
        return "a space"
    if ch == "\\":
        return "a backslash"
    return f"the invisible character U+{ord(ch):04X}"


def template_problem(href: str) -> str | None:
    """Judge a target as written, before variables are filled in: a bare {var} or
    mailto:{var} / tel:{var} is judged once its value is known; other placeholders must sit
    inside an otherwise allowed target (https://example.com/{lang}/)."""
    if re.fullmatch(r"(?:mailto:|tel:)?\{[A-Za-z_][A-Za-z0-9_]*\}", href):
        return None
    return problem(PLACEHOLDER.sub("x", href))


def tel_href(phone: str) -> str:
    return "tel:" + ("+" if phone.strip().startswith("+") else "") + re.sub(r"\D", "", phone)


def expand(href: str, variables: Mapping[str, Variable]) -> tuple[str, list[Variable]]:
    """Substitute raw values into a link target (a bare {var} gets its natural scheme); the
    variables used, so a refusal can name where the value came from."""
    from compiler.model import VarKind

    used: list[Variable] = []
    bare = PLACEHOLDER.fullmatch(href)
    if bare:
        var = variables[bare.group(1)]
        used.append(var)
        if var.kind is VarKind.EMAIL:
            return f"mailto:{var.value}", used
        if var.kind is VarKind.PHONE:
            return tel_href(str(var.value)), used
        return str(var.value), used

    def sub(m: re.Match[str]) -> str:
        var = variables[m.group(1)]
        used.append(var)
        if href.startswith("tel:"):
            return tel_href(str(var.value)).removeprefix("tel:")
        return str(var.value)

    return PLACEHOLDER.sub(sub, href), used


def judge(href: str, variables: Mapping[str, Variable],
          origin: str = "") -> tuple[str, str | None]:
    """The final target of href and, when it may not be published, why and from where."""
    final, used = expand(href, variables)
    why = problem(final)
    if why is None:
        return final, None
    sources = [origin] if origin else []
    sources += [f"variable '{v.name}' defined at {v.loc}" for v in used]
    came = f" (from {' and '.join(sources)})" if sources else ""
    shown = final if len(final) <= 60 else final[:59] + "…"
    return final, f"link target '{shown}' is not allowed: {why}{came}"
