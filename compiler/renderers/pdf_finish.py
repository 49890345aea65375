"""Last touches on WeasyPrint's PDF objects before they are written (its `finisher` hook).

- The catalog asks viewers to open with the bookmarks panel (/PageMode /UseOutlines).
- Each attachment is listed once in the catalog's /AF (WeasyPrint 70 lists an embedded
  file twice: once from the EmbeddedFiles name tree, once as a /Filespec object).
- The hyphens of hyphenation read back as soft hyphens, for extractors that ignore the
  /ActualText with which pdf_words makes a hyphenated word copy whole.
- A link whose generated parts (a TOC entry's text, its dotted leader and its page number)
  became nested /Link structure elements is one /Link: the inner ones' annotations and
  marked content move to the outermost, and the parent tree follows.
"""

from __future__ import annotations

from typing import Any


def _number(reference: Any) -> int | None:
    if isinstance(reference, bytes) and reference.endswith(b" R"):
        return int(reference.split()[0])
    return None


def _reference(obj: Any) -> bytes:
    """A pydyf object's "n 0 R"."""
    ref: bytes = obj.reference
    return ref


def finish(_document: Any, pdf: Any) -> None:
    pdf.catalog["PageMode"] = "/UseOutlines"
    dedupe_associated_files(pdf)
    merge_nested_links(pdf)
    soft_hyphens(pdf)


def soft_hyphens(pdf: Any) -> None:
    """Hyphenation hyphens read back as soft hyphens (U+00AD), so copying a hyphenated word
    gives the word: WeasyPrint draws the hyphen it adds at a line break with the font's
    U+2010 glyph, and here that glyph's ToUnicode entry becomes U+00AD, which the PDF
    standard (14.8.2.2.3) and Unicode define as a break artefact to drop. It cannot be
    done in the layout: HarfBuzz shapes U+00AD invisibly. A glyph the font shares with
    the ASCII hyphen-minus (E-Mail) maps to U+002D and is left alone."""
    for obj in pdf.objects:
        lines = getattr(obj, "stream", None)
        if not isinstance(lines, list) or not any(
                isinstance(line, bytes) and line.endswith(b"beginbfchar") for line in lines):
            continue
        for i, line in enumerate(lines):
            if isinstance(line, bytes) and line.endswith(b"> <2010>"):
                lines[i] = line[:-5] + b"00ad>"


def dedupe_associated_files(pdf: Any) -> None:
    files = pdf.catalog.get("AF")
    if files is None:
        return
    seen: list[bytes] = []
    for ref in files:
        if ref not in seen:
            seen.append(ref)
    files[:] = seen


def merge_nested_links(pdf: Any) -> None:
    """Fold each /Link structure element nested in another /Link into the outermost one."""
    objects = pdf.objects

    def element(ref: Any) -> Any:
        n = _number(ref)
        obj = objects[n] if n is not None and n < len(objects) else None
        return obj if isinstance(obj, dict) and obj.get("Type") == "/StructElem" else None

    def outermost_link(el: Any) -> Any:
        while (parent := element(el.get("P"))) is not None and parent.get("S") == "/Link":
            el = parent
        return el

    moved: dict[bytes, bytes] = {}  # inner element's reference -> outer link's reference
    for obj in reversed(objects):  # innermost first: each splices into a still-whole parent
        if not (isinstance(obj, dict) and obj.get("Type") == "/StructElem"
                and obj.get("S") == "/Link"):
            continue
        parent = element(obj.get("P"))
        if parent is None or parent.get("S") != "/Link":
            continue
        outer = outermost_link(obj)
        if outer.get("Pg") != obj.get("Pg"):
            continue  # marked content belongs to its element's page: keep a cross-page link
        _splice(parent, obj)
        moved[_reference(obj)] = _reference(outer)
    if not moved:
        return

    def final(ref: bytes) -> bytes:
        while ref in moved:
            ref = moved[ref]
        return ref

    for obj in objects:  # the kids left behind now sit directly under the outer link
        if isinstance(obj, dict) and obj.get("Type") == "/StructElem" and obj.get("P") in moved:
            obj["P"] = final(obj["P"])
    root = objects[_number(pdf.catalog["StructTreeRoot"]) or 0]
    tree = objects[_number(root["ParentTree"]) or 0]
    nums = tree["Nums"]
    for i in range(1, len(nums), 2):
        value = nums[i]
        if isinstance(value, list):
            value[:] = [final(r) if r in moved else r for r in value]
        elif value in moved:
            nums[i] = final(value)


def _splice(parent: Any, inner: Any) -> None:
    """Replace inner's reference in parent's kids by inner's own kids (in order)."""
    kids = parent["K"]
    index = kids.index(_reference(inner))
    kids[index:index + 1] = list(inner["K"])
    inner["K"] = type(inner["K"])()
