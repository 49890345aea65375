"""Document properties, the package (deterministic zip), editing protection."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

from docx.opc.constants import CONTENT_TYPE as CT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import Part
from docx.oxml.ns import qn
from docx.oxml.xmlchemy import BaseOxmlElement
from docx.package import Package
from lxml import etree

from compiler.renderers.ooxml.schema import SETTINGS_ORDER, child

# --- document properties -----------------------------------------------------------------

CUSTOM_NS = "http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"
APP_NS = "http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"
VT_NS = "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"
FMTID = "{D5CDD505-2E9C-101B-9397-08002B2CF9AE}"  # the one fmtid for user-defined properties


def _replace_part(package: Package, reltype: str, partname: str, content_type: str,
                  blob: bytes) -> None:
    for rid, rel in list(package.rels.items()):
        if rel.reltype == reltype:
            del package.rels[rid]
    package.relate_to(Part(PackURI(partname), content_type, blob, package), reltype)


def _existing(package: Package, reltype: str) -> etree._Element | None:
    for rel in package.rels.values():
        if rel.reltype == reltype and not rel.is_external:
            return etree.fromstring(rel.target_part.blob)
    return None


def set_custom_properties(package: Package, values: dict[str, str]) -> None:
    """docProps/custom.xml for DOCPROPERTY fields; the reference's own custom
    properties (a sensitivity label, a SharePoint content type) are kept."""
    root = _existing(package, RT.CUSTOM_PROPERTIES)
    if root is None:
        root = etree.Element(f"{{{CUSTOM_NS}}}Properties", nsmap={None: CUSTOM_NS, "vt": VT_NS})
    for prop in list(root):
        if prop.get("name") in values:
            root.remove(prop)
    for name, value in values.items():
        prop = etree.SubElement(root, f"{{{CUSTOM_NS}}}property", fmtid=FMTID, name=name)
        etree.SubElement(prop, f"{{{VT_NS}}}lpwstr").text = value
    for pid, prop in enumerate(root, start=2):
        prop.set("pid", str(pid))
    _replace_part(package, RT.CUSTOM_PROPERTIES, "/docProps/custom.xml",
                  CT.OFC_CUSTOM_PROPERTIES, _xml(root))


def set_company(package: Package, company: str) -> None:
    """The built-in Company property (docProps/app.xml) that DOCPROPERTY Company reads."""
    root = _existing(package, RT.EXTENDED_PROPERTIES)
    if root is None:
        root = etree.Element(f"{{{APP_NS}}}Properties", nsmap={None: APP_NS, "vt": VT_NS})
    element = root.find(f"{{{APP_NS}}}Company")
    if element is None:
        element = etree.SubElement(root, f"{{{APP_NS}}}Company")
    element.text = company
    _replace_part(package, RT.EXTENDED_PROPERTIES, "/docProps/app.xml",
                  CT.OFC_EXTENDED_PROPERTIES, _xml(root))


def _xml(root: etree._Element) -> bytes:
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True))


# --- the package -----------------------------------------------------------------------

FIRST = "[Content_Types].xml"


def normalize_zip(data: bytes, date: dt.date) -> bytes:
    """Rewrite a package byte-reproducibly: [Content_Types].xml first (some readers
    sniff it), other entries sorted, one timestamp, fixed permissions, deflated."""
    stamp = max(date, dt.date(1980, 1, 1))
    with zipfile.ZipFile(io.BytesIO(data)) as src:
        entries = {name: src.read(name) for name in src.namelist()}
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as dst:
        for name in sorted(entries, key=lambda n: (n != FIRST, n)):
            info = zipfile.ZipInfo(name, date_time=(stamp.year, stamp.month, stamp.day, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3
            info.external_attr = 0o100644 << 16
            dst.writestr(info, entries[name], compresslevel=9)
    return out.getvalue()


def protect_settings(settings: BaseOxmlElement) -> None:
    """Read-only recommended on open, editing restricted to comments, no password.

    For legal-approved copies: anyone can read, and Word keeps accidental edits out.
    w:updateFields is dropped so Word does not offer to change a protected copy on open.
    """
    for name in ("writeProtection", "documentProtection", "updateFields"):
        for old in settings.findall(qn(f"w:{name}")):
            settings.remove(old)
    child(settings, "writeProtection", SETTINGS_ORDER, recommended="1")
    child(settings, "documentProtection", SETTINGS_ORDER, edit="comments", enforcement="1")
