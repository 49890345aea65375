"""A DOCX style reference read defensively: it lends styles, numbering, theme, settings,
headers and footers, and nothing else reaches the published document.

A reference document comes from whoever edits the project, so it is treated like any other
untrusted input: the ZIP is read within limits on part count and uncompressed size (a zip
bomb is refused, not inflated), every XML part is parsed without DTDs or entities, parts
other than the ones lent are dropped (comments, macros, embedded objects, custom XML, the
body), and so are external relationships (a remote attachedTemplate, linked images,
hyperlinks in headers) and field codes that fetch files (INCLUDEPICTURE, INCLUDETEXT...).
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
from collections.abc import Callable
from pathlib import Path

from lxml import etree

from compiler.errors import Category, CompilerError, Loc, display_path
from compiler.limits import (
    MAX_DOCX_PART_BYTES,
    MAX_DOCX_PARTS,
    MAX_DOCX_TOTAL_BYTES,
    MAX_REFERENCE_DOCX_BYTES,
    size,
)

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PR = "http://schemas.openxmlformats.org/package/2006/relationships"
CTYPES = "http://schemas.openxmlformats.org/package/2006/content-types"

# The parts a reference lends (and the package plumbing around them).
LENT = re.compile(
    r"\[Content_Types\]\.xml|_rels/\.rels|docProps/(core|app)\.xml"
    r"|word/(document|styles|stylesWithEffects|numbering|settings|fontTable|webSettings)\.xml"
    r"|word/theme/theme\d*\.xml|word/(header|footer)\d*\.xml"
    r"|word/_rels/(document|styles|numbering|settings|header\d*|footer\d*)\.xml\.rels"
    r"|word/theme/_rels/theme\d*\.xml\.rels"
    r"|word/media/[A-Za-z0-9_.-]+\.(png|jpe?g|gif|emf|wmf|svg)"
)
# Field instructions that make Word fetch or run something when fields update.
_FETCHING_FIELDS = re.compile(r"^\s*(INCLUDEPICTURE|INCLUDETEXT|LINK|DDE|DDEAUTO|IMPORT|"
                              r"HYPERLINK|MACROBUTTON|AUTOTEXT|DATABASE)\b", re.IGNORECASE)
# Settings pointing outside the document, or at footnote/endnote parts that are not lent.
_DROPPED_SETTINGS = ("attachedTemplate", "mailMerge", "docVars", "saveThroughXslt",
                     "footnotePr", "endnotePr")
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                          dtd_validation=False, huge_tree=False, remove_comments=True,
                          remove_pis=True)


def read_reference(path: Path) -> bytes:
    """The reference document's bytes, cleaned: only what a reference may lend."""
    from compiler.fs import read_input

    data = read_input(path, MAX_REFERENCE_DOCX_BYTES, "reference document")
    return clean(data, display_path(path))


def clean(data: bytes, shown: str) -> bytes:
    where = Loc(shown)

    def refuse(message: str) -> CompilerError:
        return CompilerError.at(where, f"cannot read reference document: {message}", Category.IO)

    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as err:
        raise refuse(f"not a DOCX (ZIP) file ({err})") from err
    if len(infos) > MAX_DOCX_PARTS:
        raise refuse(f"{len(infos)} parts (the limit is {MAX_DOCX_PARTS})")
    if sum(i.file_size for i in infos) > MAX_DOCX_TOTAL_BYTES:
        raise refuse(f"it unpacks to more than {size(MAX_DOCX_TOTAL_BYTES)} (a zip bomb?)")
    parts: dict[str, bytes] = {}
    total = 0
    for info in infos:
        name = info.filename
        if not LENT.fullmatch(name):
            continue
        try:
            with archive.open(info) as fh:
                body = fh.read(MAX_DOCX_PART_BYTES + 1)
        except (zipfile.BadZipFile, NotImplementedError, OSError, EOFError,
                RuntimeError) as err:
            raise refuse(f"part {name} cannot be read ({err})") from err
        total += len(body)
        if len(body) > MAX_DOCX_PART_BYTES or total > MAX_DOCX_TOTAL_BYTES:
            raise refuse(f"part {name} unpacks to more than its declared size or the limit "
                         f"of {size(MAX_DOCX_PART_BYTES)} (a zip bomb?)")
        parts[name] = body
    for required in ("[Content_Types].xml", "word/document.xml", "word/styles.xml"):
        if required not in parts:
            raise refuse(f"part {required} is missing (expected a Word document)")
    trees = {name: _parse(name, body, refuse) for name, body in parts.items()
             if name.endswith((".xml", ".rels"))}
    dropped: dict[str, set[str]] = {}
    for name, tree in trees.items():
        if name.endswith(".rels"):
            owner = _rels_owner(name)
            dropped[owner] = _filter_relationships(tree, owner, parts)
    for name, tree in trees.items():
        if name.endswith(".rels"):
            continue
        _drop_references(tree, dropped.get(name, set()))
        _drop_fetching_fields(tree)
        if name == "word/settings.xml":
            for local in _DROPPED_SETTINGS:
                for el in tree.findall(f"{{{W}}}{local}"):
                    tree.remove(el)
    _filter_content_types(trees["[Content_Types].xml"], parts)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dest:
        for name, body in parts.items():
            tree = trees.get(name)
            dest.writestr(name, body if tree is None else etree.tostring(
                tree, xml_declaration=True, encoding="UTF-8", standalone=True))
    return out.getvalue()


def _parse(name: str, body: bytes, refuse: Callable[[str], CompilerError]) -> etree._Element:
    head = body[:4096].upper()
    if b"<!DOCTYPE" in head or b"<!ENTITY" in body.upper():
        raise refuse(f"part {name} declares a DTD or XML entities (not allowed)")
    try:
        root = etree.fromstring(body, _PARSER)
    except etree.XMLSyntaxError as err:
        raise refuse(f"part {name} is not well-formed XML ({err})") from err
    if root.getroottree().docinfo.doctype:
        raise refuse(f"part {name} declares a DTD or XML entities (not allowed)")
    return root


def _rels_owner(rels: str) -> str:
    """word/_rels/document.xml.rels -> word/document.xml; _rels/.rels -> '' (the package)."""
    folder, file = posixpath.split(rels)
    return posixpath.join(posixpath.dirname(folder), file.removesuffix(".rels"))


def _filter_relationships(tree: etree._Element, owner: str, parts: dict[str, bytes]) -> set[str]:
    """Drop external relationships and those to parts not lent; the ids dropped."""
    base = posixpath.dirname(owner)
    dropped: set[str] = set()
    for rel in list(tree.findall(f"{{{PR}}}Relationship")):
        target = rel.get("Target", "")
        external = rel.get("TargetMode", "").lower() == "external"
        part = (target.lstrip("/") if target.startswith("/")
                else posixpath.normpath(posixpath.join(base, target)))
        if external or part not in parts:
            dropped.add(rel.get("Id", ""))
            tree.remove(rel)
    return dropped


def _drop_references(tree: etree._Element, ids: set[str]) -> None:
    """Attributes naming a dropped relationship (r:link on an image, r:id on a hyperlink)."""
    if not ids:
        return
    for el in tree.iter():
        for attr in [a for a in el.attrib if a.startswith(f"{{{R}}}")]:
            if el.attrib[attr] in ids:
                del el.attrib[attr]


def _drop_fetching_fields(tree: etree._Element) -> None:
    for el in list(tree.iter(f"{{{W}}}fldSimple")):
        if _FETCHING_FIELDS.match(el.get(f"{{{W}}}instr", "")):
            parent = el.getparent()
            if parent is not None:
                for child in list(el):  # keep the field's shown result as plain runs
                    el.addprevious(child)
                parent.remove(el)
    for el in tree.iter(f"{{{W}}}instrText"):
        if _FETCHING_FIELDS.match(el.text or ""):
            el.text = ""


def _filter_content_types(tree: etree._Element, parts: dict[str, bytes]) -> None:
    for el in list(tree.findall(f"{{{CTYPES}}}Override")):
        if el.get("PartName", "").lstrip("/") not in parts:
            tree.remove(el)
