"""The visible stamp in en, de, ja and ar: the locale's label and date, its fonts, shaped text
read back by pdftotext, tagged with alternate text; PDF/A kept (PDFBox Preflight)."""

from __future__ import annotations

import io
import re
import subprocess
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pypdf
import pytest
from babel.dates import format_date
from babel.messages.pofile import read_po
from PIL import Image

from compiler.cli.sign import sign
from tests.fixtures.signing.pki import SIGNER, Pki, make_pki
from tests.helpers import POLICY, ROOT, pdftotext
from tests.signing.helpers import pdfsig, pyhanko_statuses, run

LOCALES = ("en", "de", "ja", "ar")
FACES = {"en": ["NotoSans-Regular"], "de": ["NotoSans-Regular"],
         "ja": ["NotoSansCJKjp-Regular"], "ar": ["NotoNaskhArabic-Regular", "NotoSans-Regular"]}


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    return make_pki(tmp_path_factory.mktemp("pki"))


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from compiler.build import BuildOptions, build

    out = tmp_path_factory.mktemp("policy")
    build([POLICY], BuildOptions(out=out, locales=LOCALES, formats=("pdf",), jobs=1))
    return out


@pytest.fixture(scope="module")
def logo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("logo") / "logo.png"
    image = Image.new("RGBA", (40, 40), (0, 0, 0, 0))
    for x in range(8, 32):
        for y in range(8, 32):
            image.putpixel((x, y), (20, 60, 160, 255))
    image.save(path)
    return path


@pytest.fixture(scope="module")
def stamped(built: Path, pki: Pki, logo: Path, tmp_path_factory: pytest.TempPathFactory
            ) -> dict[str, Path]:
    """`policyc sign --visible` of each built PDF, without --locale: the PDF's /Lang decides."""
    out = tmp_path_factory.mktemp("stamped")
    signed = {}
    for locale in LOCALES:
        target = out / f"{locale}.pdf"
        args = ["--logo", logo] if locale == "ar" else []
        result = run(sign, built / locale / "privacy-policy.pdf", "--p12", pki.signer_p12,
                     "-o", target, "--visible", *args)
        assert result.exit_code == 0, result.output
        assert f"stamp in '{locale}'" in result.output
        signed[locale] = target
    return signed


def expected_label(locale: str) -> str:
    """From the catalog and CLDR directly, not through policyc's own code."""
    template = "Digitally signed by {signer} on {date}"
    if locale != "en":
        with (ROOT / "locales" / locale / "LC_MESSAGES" / "policyc.po").open("rb") as fh:
            message = read_po(fh).get(template, "ui")
        assert message is not None and message.string
        template = str(message.string)
    today = format_date(datetime.now(UTC).date(), "long", locale=locale)
    return template.replace("{signer}", SIGNER).replace("{date}", today)


def letters(text: str) -> str:
    """What must survive extraction: no spaces, bidi marks or Arabic vowel marks (harakat)."""
    return re.sub(r"[\s\u200e\u200f\u202a-\u202e\u064b-\u065f\u0670]", "", text)


def last_page_text(path: Path) -> str:
    pages = len(pypdf.PdfReader(path).pages)
    return subprocess.run(["pdftotext", "-enc", "UTF-8", "-f", str(pages), "-l", str(pages),
                           str(path), "-"], capture_output=True, text=True, check=True).stdout


@pytest.mark.parametrize("locale", LOCALES)
def test_stamp_reads_back_in_its_language(locale: str, stamped: dict[str, Path],
                                          pki: Pki) -> None:
    path = stamped[locale]
    assert letters(expected_label(locale)) in letters(last_page_text(path)), last_page_text(path)
    [status] = pyhanko_statuses(path, pki.ca_pem)
    assert status.bottom_line, status.pretty_print_details()
    assert pdftotext(path).count(SIGNER) == 1
    assert "Signature Validation: Signature is Valid." in pdfsig(path)


@pytest.mark.parametrize("locale", LOCALES)
def test_stamp_uses_the_locale_faces_embedded(locale: str, stamped: dict[str, Path]) -> None:
    widget = _widget(stamped[locale])
    fonts: Any = widget["/AP"]["/N"]["/Resources"]["/Font"]
    names = sorted(str(f.get_object()["/BaseFont"]).split("+")[-1].removesuffix("-Identity-H")
                   for f in fonts.values())
    assert names == sorted(FACES[locale])
    for font in fonts.values():
        descriptor = font.get_object()["/DescendantFonts"][0].get_object()["/FontDescriptor"]
        assert "/FontFile2" in descriptor or "/FontFile3" in descriptor
    # where reading ends: bottom right, bottom left in Arabic
    left, _, right, top = (float(v) for v in widget["/Rect"])
    middle = float(pypdf.PdfReader(stamped[locale]).pages[-1].mediabox.width) / 2
    assert (right < middle) if locale == "ar" else (left > middle)
    assert top < 100


@pytest.mark.parametrize("locale", ["de", "ar"])
def test_stamp_is_tagged_with_alternate_text(locale: str, stamped: dict[str, Path]) -> None:
    reader = pypdf.PdfReader(stamped[locale])
    widget_ref = _widget_ref(reader)
    widget = widget_ref.get_object()
    key = widget["/StructParent"]
    nums = reader.trailer["/Root"]["/StructTreeRoot"]["/ParentTree"]["/Nums"]
    element = dict(zip(nums[0::2], nums[1::2], strict=True))[key].get_object()
    assert element["/S"] == "/Form"
    assert element["/K"].raw_get("/Obj").idnum == widget_ref.idnum
    assert letters(element["/Alt"]) == letters(expected_label(locale))
    assert element["/Lang"] == locale
    assert widget["/TU"] == element["/Alt"]
    element_ref = dict(zip(nums[0::2], nums[1::2], strict=True))[key]  # pypdf: arrays keep refs
    parent = element["/P"].get_object()
    assert element_ref.idnum in [getattr(kid, "idnum", None) for kid in parent["/K"]]


def test_stamp_with_logo_keeps_pdfa_1b(built: Path, pki: Pki, logo: Path,
                                       tmp_path: Path) -> None:
    """PDFBox Preflight (PDF/A-1b, the only PDF/A validator obtainable here) on an Arabic
    PDF/A-1b, signed with a visible stamp and a logo: no new errors."""
    from compiler.build import BuildOptions, build

    build([POLICY], BuildOptions(out=tmp_path, locales=("ar",), formats=("pdf",),
                                 pdf_variant="pdf/a-1b"))
    signed = tmp_path / "signed.pdf"
    result = run(sign, tmp_path / "ar" / "privacy-policy.pdf", "--p12", pki.signer_p12, "-o",
                 signed, "--visible", "--logo", logo)
    assert result.exit_code == 0, result.output
    assert _preflight(signed) == []


def _preflight(path: Path) -> list[str]:
    jars = ["preflight", "pdfbox2", "fontbox2", "xmpbox", "commons-logging", "javax.activation",
            "jaxb-api"]
    classpath = ":".join(f"/usr/share/java/{jar}.jar" for jar in jars)
    proc = subprocess.run(["java", "-cp", classpath, "org.apache.pdfbox.preflight.Validator_A1b",
                           str(path)], capture_output=True, text=True, timeout=180, check=False)
    errors = [line.strip() for line in proc.stdout.splitlines()
              if line.strip()[:1].isdigit() and ":" in line]
    # xmpbox 2.0 cannot read namespaces declared on rdf:RDF (valid RDF, as WeasyPrint writes).
    return [e for e in errors if not (e.startswith("7.3") and "Schema is not set" in e)]


def _widget_ref(reader: pypdf.PdfReader) -> Any:
    annots: Any = reader.pages[-1]["/Annots"]
    [ref] = [a for a in annots if a.get_object().get("/FT") == "/Sig"]
    return ref


def _widget(path: Path) -> Any:
    return _widget_ref(pypdf.PdfReader(io.BytesIO(path.read_bytes()))).get_object()
