"""Print typography of the PDF in several locales, measured with pypdf and poppler."""

from __future__ import annotations

import itertools
import re
import statistics
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pypdf
import pytest

from compiler.build import BuildOptions, build, load_translations
from compiler.i18n.localize import localize
from compiler.model import Block, ItemList, LocalizedDocument
from compiler.readers import read_file as load
from tests.helpers import POLICY, ROOT, squash

LOCALES = ("en", "de", "fr", "es", "pt_BR", "ja", "ar")  # every locale of the policy
HYPHEN = "\u00ad"  # the hyphenation hyphen reads back as a soft hyphen (pdf_finish)


@pytest.fixture(scope="module")
def pdfs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("typo")
    build([POLICY], BuildOptions(out=out, locales=LOCALES, formats=("pdf",)))
    return out


def _localized(locale: str) -> LocalizedDocument:
    doc = load(POLICY)
    return localize(doc, locale, load_translations(doc, locale, ROOT / "locales"))[0]


def _pages(pdf: Path) -> list[str]:
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout
    return text.split("\f")[:-1]


def _lines(page: str) -> list[str]:
    return [line.strip() for line in page.splitlines() if line.strip()]


def _struct_kids(el: object) -> list[object]:
    kids = el.get("/K") if isinstance(el, dict) else None  # type: ignore[union-attr]
    if kids is None:
        return []
    return [k.get_object() if hasattr(k, "get_object") else k
            for k in (kids if isinstance(kids, list) else [kids])]


@pytest.mark.parametrize("locale", LOCALES)
def test_opens_with_bookmarks_and_lists_each_attachment_once(pdfs: Path, locale: str) -> None:
    root = pypdf.PdfReader(pdfs / locale / "privacy-policy.pdf").trailer["/Root"]
    assert root["/PageMode"] == "/UseOutlines"
    files = [ref.get_object()["/F"] for ref in root["/AF"]]
    assert files and len(files) == len(set(files)), files


@pytest.mark.parametrize("locale", ["en", "ar"])
def test_toc_entries_are_one_link_each(pdfs: Path, locale: str) -> None:
    reader = pypdf.PdfReader(pdfs / locale / "privacy-policy.pdf")
    root = reader.trailer["/Root"]["/StructTreeRoot"].get_object()
    links, nested = [], []

    def walk(el: object, parent: str | None) -> None:
        if not isinstance(el, dict):
            return
        if el.get("/S") == "/Link":
            links.append(el)
            if parent == "/Link":
                nested.append(el)
        for kid in _struct_kids(el):
            walk(kid, el.get("/S"))

    walk(root, None)
    assert nested == []
    doc = _localized(locale)
    toc_entries = sum(1 for s in doc.document.walk_sections() if s.level <= 2)
    assert len(links) >= toc_entries
    # every link annotation's structure parent is a Link element
    nums = root["/ParentTree"].get_object()["/Nums"]
    parents = dict(zip(nums[0::2], nums[1::2], strict=True))
    for page in reader.pages:
        for ref in page.get("/Annots", []):
            annot = ref.get_object()
            assert parents[annot["/StructParent"]].get_object()["/S"] == "/Link"


@pytest.mark.parametrize("locale", ["en", "de", "ja"])
def test_running_header_names_the_current_section(pdfs: Path, locale: str) -> None:
    doc = _localized(locale)
    titles = [doc.title] + [s.title.plain() for s in doc.sections]
    pages = _pages(pdfs / locale / "privacy-policy.pdf")
    previous = doc.title
    for number, page in enumerate(pages[1:], start=2):
        header = _lines(page)[0]
        current = next((t for t in titles if header.startswith(t)), None)
        assert current is not None, f"page {number}: header {header!r} names no section"
        # the header's section is the first that starts on the page, or the one running on
        starts = [t for t in titles[1:] if any(line.startswith(t) for line in _lines(page)[1:])]
        assert current == (starts[0] if starts else previous), (number, header)
        previous = starts[-1] if starts else previous


@pytest.mark.parametrize(("locale", "least"), [("en", 3), ("de", 4), ("fr", 3)])
def test_hyphenation_leaves_whole_syllables(pdfs: Path, locale: str, least: int) -> None:
    """No 'ei-nem', 'so-wie', 'Da-tenschutz': both fragments have at least `least` letters,
    and only body paragraphs (justified prose) hyphenate, never list items or notes."""
    doc = _localized(locale)
    paragraphs = [b.text.plain().replace("\u00a0", " ") for s in doc.document.walk_sections()
                  for b in s.blocks if type(b).__name__ == "Paragraph"]
    # the glyphs as drawn (pypdf ignores the /ActualText that gives pdftotext whole words)
    lines = [line for page in pypdf.PdfReader(pdfs / locale / "privacy-policy.pdf").pages
             for line in _lines(page.extract_text())]
    found = 0
    for line, following in itertools.pairwise(lines):
        if not line.endswith(HYPHEN):
            continue
        found += 1
        head = re.findall(r"\w+", line[:-1])[-1]
        tail = re.findall(r"\w+", following)[0]
        assert len(head) >= least and len(tail) >= least, (line, following)
        word = head + tail
        assert any(word in text for text in paragraphs), f"{word} hyphenated outside prose"
    assert found, "justified body text hyphenates somewhere"


def _letters(text: str) -> str:
    """Letters and digits only: compares the PDF's lines with the model's text across
    spaces, separators and markers."""
    return "".join(ch for ch in text if ch.isalnum())


def _list_items(blocks: tuple[Block, ...]) -> Iterator[tuple[str, bool]]:
    """Each list item's text (squashed) and whether it is the last of a list of several."""
    for block in blocks:
        if isinstance(block, ItemList):
            for i, item in enumerate(block.items):
                term = item.term.plain() if item.term else ""
                text = item.text.plain() if item.text else ""
                yield _letters(term + text), len(block.items) > 1 and i == len(block.items) - 1
                yield from _list_items(item.blocks)
                if item.sublist:
                    yield from _list_items((item.sublist,))


@pytest.mark.parametrize("locale", LOCALES)
def test_no_lead_in_or_lone_history_at_a_page_end(pdfs: Path, locale: str) -> None:
    """No page ends with a lead-in or a section heading, no page opens with a list's last
    item alone, and the version history never stands alone on the last page."""
    doc = _localized(locale)
    pages = _pages(pdfs / locale / "privacy-policy.pdf")
    footer = re.compile(r"^\S*\s*\d+\D+\d+\S*$")
    titles = [squash(s.title.plain()) for s in doc.document.walk_sections()]
    items = [item for s in doc.document.walk_sections() for item in _list_items(s.blocks)]
    assert any(last for _, last in items)
    for number, page in enumerate(pages[1:-1], start=2):
        body = [line for line in _lines(page)[1:] if not footer.match(line)]
        assert not body[-1].endswith((":", "\uff1a")), f"page {number} ends with a lead-in"
        end = squash(body[-1])
        assert not any(title.startswith(end) for title in titles), \
            f"page {number} ends with the heading {body[-1]!r}"
    for number, page in enumerate(pages[1:], start=2):
        top = _lines(page)[1]
        if not top.startswith("\u2022"):  # the page opens inside a paragraph or item
            continue
        start = _letters(top)
        found = [last for text, last in items if text.startswith(start)]
        assert found, (number, top)
        assert not all(found), f"page {number} opens with a list's last item alone: {top!r}"
    last = [line for line in _lines(pages[-1])[1:] if not footer.match(line)]
    history = doc.labels.history
    assert not last[0].startswith(history), "the version history stands alone on the last page"


@pytest.mark.parametrize("locale", ["en", "ja", "ar"])
def test_call_to_action_is_centred(pdfs: Path, locale: str) -> None:
    """The box's title and text lines are centred on the page, as in every locale."""
    pdf = pdfs / locale / "privacy-policy.pdf"
    doc = _localized(locale)
    cta = next(b for s in doc.document.walk_sections() for b in s.blocks
               if type(b).__name__ == "CallToAction")
    html = subprocess.run(["pdftotext", "-bbox-layout", str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout
    width = float(re.search(r'<page width="([\d.]+)"', html).group(1))  # type: ignore[union-attr]
    lines = re.findall(r"<line xMin=\"([\d.]+)\" yMin=\"[\d.]+\" xMax=\"([\d.]+)\"[^>]*>(.*?)"
                       r"</line>", html, re.S)
    for text in (cta.title.plain(), cta.action.plain()):
        for x0, x1, inner in lines:
            words = "".join(re.findall(r">([^<]*)</word>", inner))
            # poppler's bbox output keeps right-to-left words in visual order: compare letters
            if words and sorted(words.replace(" ", "")) == sorted(text.replace(" ", "")):
                centre = (float(x0) + float(x1)) / 2
                assert abs(centre - width / 2) < 6, (text, centre, width)
                break
        else:
            pytest.fail(f"call-to-action line {text!r} not found in {pdf}")


def test_hyphenation_copies_as_soft_hyphen_and_real_hyphens_stay(pdfs: Path) -> None:
    """pypdf ignores /ActualText and reads the glyphs: the hyphen hyphenation draws reads
    as a soft hyphen (a viewer copying 'Informa-tionen' drops it); 'E-Mail' keeps its
    hyphen."""
    text = "\n".join(page.extract_text()
                     for page in pypdf.PdfReader(pdfs / "de" / "privacy-policy.pdf").pages)
    assert "\u2010" not in text
    assert re.search(r"\w\u00ad\n\w", text)
    assert "E-Mail" in text


@pytest.mark.parametrize("locale", ["de", "fr", "en"])
def test_a_word_broken_at_a_line_end_copies_whole(pdfs: Path, locale: str) -> None:
    """poppler follows /ActualText: each word pypdf reads broken at a line end (after the
    hyphen hyphenation drew, or after the word's own hyphen) reads whole in pdftotext,
    on the line where it starts, with no soft hyphen left."""
    pdf = pdfs / locale / "privacy-policy.pdf"
    glyphs = "\n".join(page.extract_text() for page in pypdf.PdfReader(pdf).pages)
    broken = re.findall(r"(\w+)([\u00ad-])\n(\w+)", glyphs)
    assert any(hyphen == "\u00ad" for _, hyphen, _ in broken), broken
    copied = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True,
                            check=True).stdout
    assert "\u00ad" not in copied and "\u2010" not in copied
    lines = copied.splitlines()
    for head, hyphen, tail in broken:
        word = head + ("-" if hyphen == "-" else "") + tail
        ends = [line for line in lines if re.search(rf"\b{word}$", line)]
        assert ends, (word, [line for line in lines if head in line])


@pytest.mark.parametrize("locale", LOCALES)
def test_no_name_or_variable_value_is_hyphenated(pdfs: Path, locale: str) -> None:
    """pt_BR once broke "WhatsApp Busi-ness": no hyphenation break (read from the glyphs,
    as drawn) falls inside the organization, a name the source lists or a variable's value."""
    doc = _localized(locale)
    assert {"WhatsApp Business", doc.meta.organization} <= set(doc.names)
    glyphs = "\n".join(page.extract_text()
                       for page in pypdf.PdfReader(pdfs / locale / "privacy-policy.pdf").pages)
    text, breaks, at = "", [], 0
    for m in re.finditer(r"\u00ad\n", glyphs):  # the words joined again, each break noted
        text += glyphs[at:m.start()]
        breaks.append(len(text))
        at = m.end()
    text = re.sub(r"\s", " ", text + glyphs[at:])
    for name in doc.names:
        for m in re.finditer(re.escape(re.sub(r"\s", " ", name)), text):
            inside = [b for b in breaks if m.start() < b < m.end()]
            assert not inside, f"{name!r} hyphenated: {text[m.start() - 20:m.end() + 20]!r}"


def _runt(line: str) -> bool:
    """A line made of at most two letters (CJK characters), punctuation aside."""
    return sum(1 for ch in line if ch.isalnum()) <= 2


@pytest.mark.parametrize("locale", [loc for loc in LOCALES if loc != "ar"])  # poppler: visual
def test_title_and_subtitle_leave_no_runt_and_copy_as_written(pdfs: Path, locale: str) -> None:
    """The ja subtitle once ended with "す。" alone on its line; lines now break between
    phrases (BudouX) and poppler and pypdf read the title and subtitle back unchanged."""
    doc = _localized(locale)
    assert doc.meta.description is not None
    pdf = pdfs / locale / "privacy-policy.pdf"
    lines = _lines(_pages(pdf)[0])
    for text in (doc.title, doc.meta.description.plain()):
        start = next(i for i, line in enumerate(lines) if text.startswith(line))
        shown: list[str] = []
        while "".join(shown) != text.replace(" ", ""):
            assert start + len(shown) < len(lines), (text, shown)
            shown.append(lines[start + len(shown)].replace(" ", ""))
        assert not any(_runt(line) for line in shown[1:]), shown
    extracted = pypdf.PdfReader(pdf).pages[0].extract_text()
    assert not set(extracted) & {"\u2060", "\u200b", "\ufeff"}
    if locale == "ja":
        assert lines[lines.index(doc.title) + 2] == "説明します。"


@pytest.mark.parametrize("locale", ["en", "de", "fr", "es", "pt_BR"])  # justified locales
def test_a_line_before_a_long_address_is_not_stretched(pdfs: Path, locale: str) -> None:
    """A paragraph holding a long e-mail address is set ragged (print HTML, read with lxml),
    so the line before the address keeps normal word spaces in the PDF (poppler's boxes)
    instead of the wide gaps justification would open ("...immediately at" + address)."""
    import lxml.html

    from compiler.renderers import RenderOptions
    from compiler.renderers.html import LONG_TOKEN
    from compiler.renderers.pdf import print_html

    page = lxml.html.fromstring(print_html(_localized(locale), RenderOptions()))
    addresses = set()
    for p in page.xpath("//main//p[a]"):
        long = [a.text_content() for a in p.xpath("a") if len(a.text_content()) >= LONG_TOKEN
                and " " not in a.text_content()]
        if long:
            assert "ragged" in p.get("class", "").split(), lxml.html.tostring(p)[:120]
            addresses.update(long)
    assert "privacy@infinitydesk.com" in addresses
    boxes = subprocess.run(["pdftotext", "-bbox-layout", str(pdfs / locale / "privacy-policy.pdf"),
                            "-"], capture_output=True, text=True, check=True).stdout
    lines = [re.findall(r'<word xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)"[^>]*>([^<]*)<',
                        inner) for inner in re.findall(r"<line [^>]*>(.*?)</line>", boxes, re.S)]
    gaps = [[float(b[0]) - float(a[1]) for a, b in itertools.pairwise(words)] for words in lines]
    space = statistics.median(g for line in gaps for g in line if g > 0.5)  # a plain space
    checked = 0
    for i, words in enumerate(lines):
        if not any(address in word for _, _, word in words for address in addresses):
            continue
        for k in (i - 1, i):  # the line before the address, and its own
            checked += 1
            assert max(gaps[k], default=0) < 1.4 * space, ([w for _, _, w in lines[k]], gaps[k])
    assert checked


def test_version_effective_and_updated_read_in_one_order_in_every_format(
        pdfs: Path, tmp_path: Path) -> None:
    """The title page's facts read version, effective date, last updated alike in the PDF
    (poppler), the HTML (lxml) and the DOCX (python-docx)."""
    import docx
    import lxml.html

    build([POLICY], BuildOptions(out=tmp_path, locales=("en", "de"), formats=("html", "docx")))
    for locale in ("en", "de"):
        labels = _localized(locale).labels
        wanted = [labels.version, labels.effective, labels.last_updated]
        page = lxml.html.fromstring((tmp_path / locale / "privacy-policy.html").read_bytes())
        texts = {
            "pdf": _pages(pdfs / locale / "privacy-policy.pdf")[0],
            "html": page.xpath("string(//main//p[@class='doc-meta'])"),
            "docx": "\n".join(p.text for p in
                              docx.Document(str(tmp_path / locale / "privacy-policy.docx"))
                              .paragraphs[:12]),
        }
        for fmt, text in texts.items():
            folded = text.casefold()  # the PDF sets the labels in capitals (CSS)
            at = [folded.find(label.casefold()) for label in wanted]
            assert -1 not in at and at == sorted(at), (locale, fmt, wanted, at)


@pytest.mark.parametrize("locale", ["en", "de", "ar"])
def test_facts_stand_side_by_side_and_contact_values_beside_their_labels(
        pdfs: Path, locale: str) -> None:
    """The title block's version, effective date and last update stand on one line in
    reading order; each contact label has its value beside it, the values in a column of
    their own (print.css sets them as inline blocks and a float, not flex)."""
    doc = _localized(locale)
    pages = _pages(pdfs / locale / "privacy-policy.pdf")
    labels = [doc.labels.version, doc.labels.effective, doc.labels.last_updated]
    if locale != "ar":
        labels = [label.upper() for label in labels]  # print.css: text-transform
    line = next(line for line in pages[0].splitlines() if labels[0] in line)
    where = [line.index(label) for label in labels]
    assert where == sorted(where, reverse=doc.direction == "rtl"), line
    entries = [e for s in doc.document.walk_sections() for b in s.blocks
               if type(b).__name__ == "Contact" for e in b.entries]  # type: ignore[attr-defined]
    assert entries
    text = "\n".join(pages)
    columns = set()
    for entry in entries:
        label, value = entry.label.plain(), entry.value.plain()
        start = value.split()[0].strip(",")
        row = next((line for line in text.splitlines() if label in line and start in line), "")
        assert row, f"{label!r} and {value!r} on no line together"
        columns.add(row.index(start))
    if doc.direction == "ltr":  # (poppler pads right-to-left lines by their marks)
        assert len(columns) == 1, columns  # the values start in one column
