"""Make the DOCX import fixtures from the Markdown ones, as a Word user would have them:
Markdown -> HTML (markdown-it) -> DOCX (LibreOffice, headless, its own profile folder).

    python scripts/make_import_docx_fixtures.py
"""

from __future__ import annotations

import re
import subprocess
import tempfile
from pathlib import Path

from markdown_it import MarkdownIt

FIXTURES = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "import"
SOURCES = ("basecamp-privacy.md", "mozilla-firefox-terms.en.md", "mozilla-firefox-terms.de.md")


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        pages = []
        for name in SOURCES:
            text = (FIXTURES / name).read_text(encoding="utf-8")
            text = re.sub(r"\A---\s*\n.*?\n---\s*\n", "", text, flags=re.DOTALL)
            text = re.sub(r"(?m)^\s*\{:[^}\n]*\}\s*$", "", text)  # kramdown attribute lists
            title = re.search(r"(?m)^# (.+)$", text)
            lang = "de" if ".de." in name else "en"
            body = MarkdownIt("commonmark").enable("table").render(text)
            page = work / (Path(name).stem + ".html")
            page.write_text(f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8">'
                            f"<title>{title.group(1) if title else name}</title></head>"
                            f"<body>{body}</body></html>", encoding="utf-8")
            pages.append(str(page))
        subprocess.run(["soffice", f"-env:UserInstallation=file://{work}/profile", "--headless",
                        "--convert-to", "docx:MS Word 2007 XML", "--outdir", str(FIXTURES),
                        *pages], check=True, capture_output=True)


if __name__ == "__main__":
    main()
