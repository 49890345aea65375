"""Generate compiler/i18n/ui_catalogs/<locale>.po: policyc's own words, translated, as package data.

The template's labels ("Contents", "Page {page} of {pages}", ...) are translated once in this
repository's catalogs (locales/<locale>/LC_MESSAGES/privacy-policy.po, msgctxt "ui"); this
script copies them into catalogs that ship inside the package, so `policyc init --locale de`
and `policyc locale init de` start a new project's catalog with them already translated.

Usage: .venv/bin/python scripts/make_ui_catalogs.py
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from compiler.i18n.catalogs import UI_CATALOGS  # noqa: E402
from compiler.i18n.ui import UI_CONTEXT, UI_MESSAGES  # noqa: E402


def ui_catalog(po: Path, locale: str) -> bytes:
    with po.open("rb") as fh:
        source = read_po(fh, locale=locale)
    out = Catalog(locale=locale, project="policyc", fuzzy=False, version=None,
                  copyright_holder="policyc contributors",
                  creation_date=source.creation_date, revision_date=source.revision_date,
                  last_translator="policyc contributors", language_team="policyc contributors")
    for msgid, comment in UI_MESSAGES.values():
        message = source.get(msgid, UI_CONTEXT)
        if message is not None and message.string and not message.fuzzy:
            out.add(msgid, message.string, context=UI_CONTEXT, auto_comments=[comment],
                    flags=message.flags - {"fuzzy"})
    buf = io.BytesIO()
    write_po(buf, out, width=100, omit_header=False, sort_output=False, include_lineno=False,
             include_previous=False)
    return buf.getvalue()


def main() -> None:
    UI_CATALOGS.mkdir(exist_ok=True)
    for po in sorted((ROOT / "locales").glob("*/LC_MESSAGES/privacy-policy.po")):
        locale = po.parent.parent.name
        (UI_CATALOGS / f"{locale}.po").write_bytes(ui_catalog(po, locale))
        print(f"wrote {UI_CATALOGS.relative_to(ROOT)}/{locale}.po")


if __name__ == "__main__":
    main()
