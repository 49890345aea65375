"""scripts/sheets.py: contact sheets from real page images (pdftoppm), one per output."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))
import sheets

from tests.helpers import require_tools


def test_pdf_contact_sheet(en_build: Path, tmp_path: Path) -> None:
    require_tools("pdftoppm")
    dist = tmp_path / "dist"
    (dist / "en").mkdir(parents=True)
    shutil.copy(en_build / "en" / "privacy-policy.pdf", dist / "en")
    pages = sheets.pdf_pages(dist / "en" / "privacy-policy.pdf", tmp_path / "pages", 20)
    assert len(pages) >= 3
    out = tmp_path / "sheet.png"
    sheets.contact_sheet(pages, out, "en", columns=3)
    with Image.open(out) as sheet, Image.open(pages[0]) as first:
        assert sheet.width == 3 * (sheets.THUMB_WIDTH + sheets.GAP) + sheets.GAP
        assert sheet.height > first.height * sheets.THUMB_WIDTH / first.width
