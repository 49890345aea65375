"""The visible signature stamp: localized text in the locale's fonts, shaped, tagged for PDF/A-a and UA.

pyHanko's own text stamp draws one font in one direction, which shows no Arabic or
Japanese glyphs. Here each run of text gets the Noto face that covers it, is shaped by
HarfBuzz (through pyHanko's GlyphAccumulator: joined Arabic, kana and kanji) and carries
its logical text as /ActualText, and an Arabic line is ordered right to left with the
numbers and Latin names inside it left to right (the two levels of the bidi algorithm that
a stamp needs).
"""

from __future__ import annotations

import io
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from pyhanko.pdf_utils import generic, layout
from pyhanko.pdf_utils.content import ResourceType
from pyhanko.pdf_utils.font.opentype import GlyphAccumulator
from pyhanko.pdf_utils.generic import pdf_name
from pyhanko.pdf_utils.writer import BasePdfFileWriter
from pyhanko.stamp import BaseStamp, BaseStampStyle

from compiler.signing.credentials import error

NOTO = Path("/usr/share/fonts/truetype/noto")
CJK = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
LATIN = NOTO / "NotoSans-Regular.ttf"
ARABIC = NOTO / "NotoNaskhArabic-Regular.ttf"  # the face print.css gives Arabic text
FONT_SIZE, MIN_FONT_SIZE, PADDING = 8.0, 5.0, 3.0
RTL_LANGUAGES = {"ar", "fa", "he", "ur", "ps", "yi"}


def language(locale: str) -> str:
    return locale.replace("-", "_").split("_")[0].lower()


def fonts_for(locale: str) -> tuple[str, ...]:
    """Faces in the order a character is looked up: the locale's own first (its Latin too)."""
    lang = language(locale)
    if lang in {"ja", "zh", "ko"}:
        return ("cjk", "latin", "arabic")
    if lang in {"ar", "fa", "ur", "ps"}:
        return ("arabic", "latin", "cjk")
    return ("latin", "arabic", "cjk")


@cache
def font_bytes(face: str) -> bytes:
    """The TrueType/OpenType bytes of a face; the CJK face is cut from its collection (.ttc)."""
    path = {"latin": LATIN, "arabic": ARABIC, "cjk": CJK}[face]
    package = "fonts-noto-cjk" if face == "cjk" else "fonts-noto-core"
    try:
        data = path.read_bytes()
    except OSError as err:
        raise error(path, f"cannot read the stamp font: {err.strerror} (install {package})") \
            from err
    if face != "cjk":
        return data
    from fontTools.ttLib import TTCollection

    collection = TTCollection(io.BytesIO(data))
    for font in collection.fonts:
        if font["name"].getDebugName(1) == "Noto Sans CJK JP":
            out = io.BytesIO()
            font.save(out)
            return out.getvalue()
    raise error(path, "no 'Noto Sans CJK JP' face in the collection (install fonts-noto-cjk)")


@cache
def _coverage(face: str) -> frozenset[int]:
    from fontTools.ttLib import TTFont

    cmap = TTFont(io.BytesIO(font_bytes(face)), lazy=True).getBestCmap()
    return frozenset(cmap)


@dataclass(frozen=True)
class Run:
    text: str
    face: str
    rtl: bool  # shaped right to left (Arabic letters)


def _strong(char: str) -> str | None:
    """'R', 'L' or None (neutral); numbers count as L inside a line (they read left to right)."""
    kind = unicodedata.bidirectional(char)
    if kind in {"R", "AL"}:
        return "R"
    if kind in {"L", "EN", "AN"}:
        return "L"
    return None


def runs(line: str, locale: str) -> list[Run]:
    """Split a line into runs of one face and one direction, in logical order."""
    rtl_line = language(locale) in RTL_LANGUAGES
    base = "R" if rtl_line else "L"
    strong = [_strong(c) for c in line]
    resolved = []
    for i, kind in enumerate(strong):
        if kind is not None:
            resolved.append(kind)
            continue
        before = next((k for k in reversed(strong[:i]) if k), base)  # a neutral takes the
        after = next((k for k in strong[i + 1:] if k), base)  # direction around it, else
        resolved.append(before if before == after else base)  # the line's
    order = fonts_for(locale)
    out: list[Run] = []
    for char, kind in zip(line, resolved, strict=True):
        face = next((f for f in order if ord(char) in _coverage(f)), order[0])
        rtl = kind == "R"
        if out and out[-1].face == face and out[-1].rtl == rtl:
            out[-1] = Run(out[-1].text + char, face, rtl)
        else:
            out.append(Run(char, face, rtl))
    return out


def visual_order(line_runs: list[Run], rtl_line: bool) -> list[Run]:
    """Runs left to right on the page: in an RTL line, groups of LTR runs keep their order."""
    if not rtl_line:
        return line_runs
    groups: list[list[Run]] = []
    for run in line_runs:
        if groups and not run.rtl and not groups[-1][0].rtl:
            groups[-1].append(run)
        else:
            groups.append([run])
    return [run for group in reversed(groups) for run in group]


class _Subset(GlyphAccumulator):
    """pyHanko's font subset plus the /CIDSet that PDF/A-1 requires of a subset CIDFont."""

    def prepare_write(self) -> None:
        done = self._write_prepared
        super().prepare_write()
        if done:
            return
        cids = {0, *(cid for cid, _ in self._glyphs.values())}
        bits = bytearray(max(cids) // 8 + 1)
        for cid in cids:
            bits[cid // 8] |= 0x80 >> (cid % 8)
        descriptor = self.cidfont_obj._font_descriptor
        descriptor[pdf_name("/CIDSet")] = self.writer.add_object(
            generic.StreamObject(stream_data=bytes(bits)))


@dataclass(frozen=True)
class StampStyle(BaseStampStyle):
    """A framed box: the logo (if any) on the reading start side, the text beside it."""

    text: str = ""
    locale: str = "en"
    logo: Path | None = None

    def create_stamp(self, writer: BasePdfFileWriter, box: layout.BoxConstraints,
                     text_params: dict[str, Any]) -> LocalizedStamp:
        return LocalizedStamp(writer, self, box)


class LocalizedStamp(BaseStamp):
    style: StampStyle

    def __init__(self, writer: BasePdfFileWriter, style: StampStyle,
                 box: layout.BoxConstraints | None = None) -> None:
        super().__init__(writer, style, box)
        self._engines: dict[str, GlyphAccumulator] = {}

    def _engine(self, face: str, size: float) -> tuple[str, GlyphAccumulator]:
        name = f"F{face.capitalize()}"
        engine = self._engines.get(face)
        if engine is None:
            assert self.writer is not None
            engine = _Subset(self.writer, io.BytesIO(font_bytes(face)), font_size=size,
                             bcp47_lang_code=self.style.locale.replace("_", "-"))
            self._engines[face] = engine
            self.set_resource(ResourceType.FONT, pdf_name(f"/{name}"), engine.as_resource())
        engine.font_size = size  # type: ignore[assignment]  # annotated int; floats work
        return name, engine

    def _width(self, text: str, size: float) -> float:
        total = 0.0
        for run in runs(text, self.style.locale):
            total += self._shape(run, size)[2]
        return total

    def _shape(self, run: Run, size: float) -> tuple[str, bytes, float]:
        name, engine = self._engine(run.face, size)
        engine.writing_direction = "rtl" if run.rtl else "ltr"
        # poppler and Acrobat order right-to-left glyphs themselves: an /ActualText (in
        # logical order) would be reversed again, so RTL runs rely on ToUnicode alone.
        shaped = engine.shape(run.text, with_actual_text=not run.rtl)
        if run.rtl:
            _map_rtl_clusters(engine, run.text)
        return name, shaped.graphics_ops, shaped.x_advance * size

    def _lines(self, width: float, height: float) -> tuple[list[str], float]:
        """Greedy line breaks at spaces (anywhere in CJK), shrinking the size until it fits."""
        size = FONT_SIZE
        cjk = language(self.style.locale) in {"ja", "zh"}
        while True:
            lines: list[str] = []
            for paragraph in self.style.text.split("\n"):
                words = list(paragraph) if cjk else paragraph.split(" ")
                joiner = "" if cjk else " "
                current = ""
                for word in words:
                    candidate = f"{current}{joiner}{word}" if current else word
                    if current and self._width(candidate, size) > width:
                        lines.append(current)
                        current = word
                    else:
                        current = candidate
                lines.append(current)
            fits = len(lines) * size * 1.25 <= height and all(
                self._width(line, size) <= width for line in lines)
            if fits or size <= MIN_FONT_SIZE:
                return lines, size
            size -= 0.5

    def _render_inner_content(self) -> list[bytes]:
        box = self.box
        ops: list[bytes] = []
        left, right = PADDING, box.width - PADDING
        rtl_line = language(self.style.locale) in RTL_LANGUAGES
        if self.style.logo is not None:
            side = box.height - 2 * PADDING
            x = right - side if rtl_line else left
            ops.append(self._logo(x, PADDING, side))
            if rtl_line:
                right -= side + PADDING
            else:
                left += side + PADDING
        lines, size = self._lines(right - left, box.height - 2 * PADDING)
        leading = size * 1.25
        top = (box.height + leading * len(lines)) / 2 - size  # first baseline, block centred
        for n, line in enumerate(lines):
            shaped = [self._shape(run, size) for run in
                      visual_order(runs(line, self.style.locale), rtl_line)]
            width = sum(w for _, _, w in shaped)
            x = right - width if rtl_line else left
            y = top - n * leading
            for name, glyphs, advance in shaped:
                ops.append(b"BT /%s %g Tf %g %g Td %s ET" % (name.encode(), size, x, y, glyphs))
                x += advance
        return ops

    def _logo(self, x: float, y: float, side: float) -> bytes:
        from PIL import Image, UnidentifiedImageError
        from pyhanko.pdf_utils.images import PdfImage

        assert self.style.logo is not None
        try:
            image: Image.Image = Image.open(self.style.logo)
            image.load()
        except (OSError, UnidentifiedImageError) as err:
            raise error(self.style.logo, "cannot read the logo (expected PNG or JPEG)") from err
        if image.mode not in {"RGB", "L"}:  # no soft masks: PDF/A-1 forbids them
            background = Image.new("RGB", image.size, "white")
            background.paste(image, mask=image.convert("RGBA").getchannel("A"))
            image = background
        content = PdfImage(image, writer=self.writer)
        drawn = content.render()
        self.import_resources(content.resources)
        scale = side / max(image.size)
        w, h = image.size[0] * scale, image.size[1] * scale
        return b"q 1 0 0 1 %g %g cm %g 0 0 %g 0 0 cm %s Q" % (
            x + (side - w) / 2, y + (side - h) / 2, w / image.size[0], h / image.size[1], drawn)


def _map_rtl_clusters(engine: GlyphAccumulator, text: str) -> None:
    """Correct each glyph's ToUnicode text for a right-to-left run.

    pyHanko takes a cluster's text up to the next glyph's cluster, which in a right-to-left
    run is an earlier character: the first glyph got the whole run and the others nothing,
    so extracted Arabic read backwards. A cluster's text runs to the next larger cluster.
    """
    import uharfbuzz as hb

    buf = hb.Buffer()
    buf.add_str(text)
    buf.direction = "rtl"
    buf.guess_segment_properties()
    hb.shape(engine.hb_font, buf, engine.features)
    starts = sorted({info.cluster for info in buf.glyph_infos})
    ends = dict(zip(starts, [*starts[1:], len(text)], strict=True))
    glyphs: dict[int, list[tuple[int, int]]] = {}  # cluster -> (advance, CID) of its glyphs
    mapping = engine._cid_to_unicode
    for info, pos in zip(buf.glyph_infos, buf.glyph_positions, strict=True):
        if info.codepoint:
            cid, _ = engine._get_cid_and_width(info.codepoint)
            glyphs.setdefault(info.cluster, []).append((pos.x_advance, cid))
    for cluster, found in glyphs.items():
        chars = text[cluster:ends[cluster]]
        if len(found) == 1:
            mapping[found[0][1]] = chars
            continue
        # A letter and its marks: the widest glyph is the letter, the others its marks
        # (ToUnicode is per glyph, not per occurrence, so each keeps to its own part).
        placed = sorted(found, reverse=True)
        mapping[placed[0][1]] = "".join(c for c in chars if not unicodedata.combining(c))
        marks = "".join(c for c in chars if unicodedata.combining(c))
        for n, (_, cid) in enumerate(placed[1:]):
            if marks and cid not in mapping:
                mapping[cid] = marks if n == 0 else ""


# --- the stamp in the structure tree -------------------------------------------------------


def tag_widget(writer: Any, widget_ref: generic.IndirectObject, page_ref: generic.IndirectObject,
               alt: str, lang: str) -> bool:
    """Make the stamp's widget a /Form structure element with alternate text (PDF/UA 7.18).

    Returns False when the PDF has no structure tree (an untagged PDF stays untagged).
    """
    root = writer.root
    if "/StructTreeRoot" not in root:
        return False
    tree_ref = root.raw_get("/StructTreeRoot")
    tree = tree_ref.get_object()
    parent_tree = tree["/ParentTree"].get_object() if "/ParentTree" in tree else None
    if parent_tree is None or "/Nums" not in parent_tree:
        return False  # a deep number tree (with /Kids): leave the PDF as it is
    nums = parent_tree["/Nums"]
    items = [nums.raw_get(i) for i in range(len(nums))]
    keys = [int(k) for k in items[0::2]]
    key = max([int(tree.get("/ParentTreeNextKey", 0)), *(k + 1 for k in keys)])
    top_ref = tree.raw_get("/K")
    top = top_ref.get_object() if isinstance(top_ref, generic.IndirectObject) else top_ref
    if isinstance(top, generic.ArrayObject) and len(top) == 1:  # one Document element
        top_ref = top.raw_get(0)
        top = top_ref.get_object()
    if isinstance(top, generic.ArrayObject):  # several top-level elements: hang it on the root
        parent_ref, parent = tree_ref, tree
    else:
        parent_ref, parent = top_ref, top
    element = generic.DictionaryObject({
        pdf_name("/Type"): pdf_name("/StructElem"),
        pdf_name("/S"): pdf_name("/Form"),
        pdf_name("/P"): parent_ref,
        pdf_name("/Pg"): page_ref,
        pdf_name("/Alt"): generic.TextStringObject(alt),
        pdf_name("/Lang"): generic.TextStringObject(lang),
        pdf_name("/K"): generic.DictionaryObject({
            pdf_name("/Type"): pdf_name("/OBJR"), pdf_name("/Obj"): widget_ref,
            pdf_name("/Pg"): page_ref}),
    })
    element_ref = writer.add_object(element)
    old = parent.get("/K")
    kids = ([old.raw_get(i) for i in range(len(old))] if isinstance(old, generic.ArrayObject)
            else [] if old is None else [parent.raw_get("/K")])
    parent[pdf_name("/K")] = generic.ArrayObject([*kids, element_ref])
    writer.update_container(parent)
    parent_tree[pdf_name("/Nums")] = generic.ArrayObject(
        [*items, generic.NumberObject(key), element_ref])
    writer.update_container(parent_tree)
    tree[pdf_name("/ParentTreeNextKey")] = generic.NumberObject(key + 1)
    writer.update_container(tree)
    widget = widget_ref.get_object()
    widget[pdf_name("/StructParent")] = generic.NumberObject(key)
    widget[pdf_name("/TU")] = generic.TextStringObject(alt)  # the field's accessible name
    writer.update_container(widget)
    page = page_ref.get_object()
    if "/Tabs" not in page:
        page[pdf_name("/Tabs")] = pdf_name("/S")  # PDF/UA: annotations in structure order
        writer.update_container(page)
    return True
