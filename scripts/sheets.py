"""Contact sheets of every output: page images to look at every locale before and after a change.

PDF pages come from pdftoppm, DOCX pages from a LibreOffice conversion to PDF (one soffice
call for all documents), HTML from headless Chromium at 1280 and 390 px (a tall window, the
blank bottom cropped). Each output gets one sheet, a grid of its pages, plus the full-size
page images beside it for a closer look:

    dist/sheets/<locale>/<id>.<pdf|docx|html-1280|html-390>.png     the contact sheet
    dist/sheets/<locale>/<id>.<kind>/page-01.png ...                 the pages

Usage: .venv/bin/python scripts/sheets.py [--dist dist] [--locale de] [--format pdf] [--dpi 60]
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from PIL import Image, ImageChops, ImageDraw

COLUMNS = 6
THUMB_WIDTH = 300
GAP = 12
HTML_WIDTHS = (1280, 390)
HTML_HEIGHT = 12000  # tall enough for a policy; the blank rest is cropped


def pdf_pages(pdf: Path, out: Path, dpi: int) -> list[Path]:
    """pdftoppm every page of pdf into out/page-NN.png."""
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("page-*.png"):
        old.unlink()
    subprocess.run(["pdftoppm", "-r", str(dpi), "-png", str(pdf), str(out / "page")],
                   check=True)
    return sorted(out.glob("page-*.png"))


def docx_to_pdf(files: list[Path], workdir: Path) -> dict[Path, Path]:
    """One LibreOffice run converts every DOCX; returns DOCX -> PDF."""
    if not files:
        return {}
    result: dict[Path, Path] = {}
    profile = workdir / "lo-profile"
    for i, path in enumerate(files):  # same names in every locale: one folder each
        target = workdir / f"docx-{i}"
        target.mkdir()
        subprocess.run(["soffice", f"-env:UserInstallation=file://{profile}", "--headless",
                        "--convert-to", "pdf", "--outdir", str(target), str(path)],
                       check=True, capture_output=True, timeout=300)
        result[path] = target / (path.stem + ".pdf")
    return result


def html_page(html: Path, out: Path, width: int) -> list[Path]:
    """A full-page screenshot of html at width px (Chromium, no network)."""
    out.mkdir(parents=True, exist_ok=True)
    shot = out / "page-01.png"
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run(
            ["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
             f"--user-data-dir={profile}", "--disable-background-networking",
             "--proxy-server=127.0.0.1:9", "--force-device-scale-factor=1",
             f"--window-size={width},{HTML_HEIGHT}", f"--screenshot={shot}",
             html.resolve().as_uri()],
            check=True, capture_output=True, timeout=120)
    with Image.open(shot) as image:
        cropped = _crop_bottom(image.convert("RGB"))
    cropped.save(shot)
    return [shot]


def _crop_bottom(image: Image.Image) -> Image.Image:
    """Drop the uniform background below the content."""
    background = Image.new("RGB", image.size, image.getpixel((image.width - 1, image.height - 1)))
    box = ImageChops.difference(image, background).getbbox()
    bottom = min(image.height, (box[3] if box else image.height) + 24)
    return image.crop((0, 0, image.width, bottom))


def contact_sheet(pages: list[Path], out: Path, label: str, columns: int = COLUMNS,
                  thumb_width: int = THUMB_WIDTH) -> None:
    """Pages side by side (thumb_width wide), numbered, with a caption."""
    thumbs = []
    for page in pages:
        with Image.open(page) as image:
            scale = thumb_width / image.width
            thumbs.append(image.convert("RGB").resize(
                (thumb_width, max(1, round(image.height * scale)))))
    columns = max(1, min(columns, len(thumbs)))
    rows = [thumbs[i:i + columns] for i in range(0, len(thumbs), columns)]
    heights = [max(t.height for t in row) for row in rows]
    width = columns * (thumb_width + GAP) + GAP
    height = 28 + sum(h + GAP + 14 for h in heights) + GAP
    sheet = Image.new("RGB", (width, height), (200, 204, 210))
    draw = ImageDraw.Draw(sheet)
    draw.text((GAP, 8), label, fill=(0, 0, 0))
    y, n = 28, 0
    for row, row_height in zip(rows, heights, strict=True):
        for c, thumb in enumerate(row):
            n += 1
            x = GAP + c * (thumb_width + GAP)
            draw.text((x, y), str(n), fill=(0, 0, 0))
            sheet.paste(thumb, (x, y + 14))
        y += row_height + GAP + 14
    out.parent.mkdir(parents=True, exist_ok=True)
    sheet.save(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dist", type=Path, default=Path("dist"))
    parser.add_argument("--locale", action="append", help="only these locales (repeatable)")
    parser.add_argument("--format", action="append", choices=["pdf", "docx", "html"],
                        help="only these formats (repeatable)")
    parser.add_argument("--dpi", type=int, default=60, help="page image resolution")
    args = parser.parse_args(argv)
    for tool in ("pdftoppm", "soffice", "chromium"):
        if shutil.which(tool) is None:
            print(f"sheets: error: {tool} not found (scripts/system-deps.sh test installs it)",
                  file=sys.stderr)
            return 2
    formats = set(args.format or ["pdf", "docx", "html"])
    sheets = args.dist / "sheets"
    outputs = sorted(p for p in args.dist.glob("*/*.*")
                     if p.parent.name not in ("sheets", "redline")
                     and (not args.locale or p.parent.name in args.locale)
                     and p.suffix[1:] in formats)
    if not outputs:
        print(f"sheets: error: no outputs under {args.dist} (run policyc build first)",
              file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        converted = docx_to_pdf([p for p in outputs if p.suffix == ".docx"], Path(tmp))
        for path in outputs:
            locale, stem, kind = path.parent.name, path.name.split(".")[0], path.suffix[1:]
            variant = ".".join(path.name.split(".")[1:-1])  # e.g. "annex" in x.annex.docx
            name = stem + (f".{variant}" if variant else "")
            if kind == "html":
                for width in HTML_WIDTHS:
                    folder = sheets / locale / f"{name}.html-{width}"
                    contact_sheet(html_page(path, folder, width),
                                  sheets / locale / f"{name}.html-{width}.png",
                                  f"{locale}/{path.name} at {width} px", columns=1,
                                  thumb_width=min(width, 640))
                    print(f"sheets: {locale}/{path.name} at {width} px")
                continue
            pdf = converted[path] if kind == "docx" else path
            folder = sheets / locale / f"{name}.{kind}"
            pages = pdf_pages(pdf, folder, args.dpi)
            contact_sheet(pages, sheets / locale / f"{name}.{kind}.png",
                          f"{locale}/{path.name}: {len(pages)} pages")
            print(f"sheets: {locale}/{path.name}: {len(pages)} pages")
    return 0


if __name__ == "__main__":
    sys.exit(main())
