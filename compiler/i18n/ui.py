"""The template's own words: declared once, extracted into every POT, translated into Labels."""

from __future__ import annotations

from dataclasses import fields

from compiler.model import Labels

UI_CONTEXT = "ui"

# Labels field -> (English msgid, translator comment)
UI_MESSAGES: dict[str, tuple[str, str]] = {
    "contents": ("Contents", "Heading of the table of contents."),
    "version": ("Version", "Label before the version number, e.g. 'Version 1.0.0'."),
    "last_updated": ("Last updated", "Label before the date of the last update."),
    "effective": ("Effective", "Label before the date the text takes effect."),
    "page_of": ("Page {page} of {pages}",
                "Running footer. {page}: current page number; {pages}: number of pages."),
    "important": ("Important", "Label of a callout that must not be missed."),
    "warning": ("Warning", "Label of a warning callout."),
    "info": ("Note", "Label of an informational callout."),
    "languages": ("Languages", "Label of the language switcher."),
    "downloads": ("Download", "Label before the PDF and DOCX download links."),
    "permalink": ("Link to this section", "Accessible name of the permalink next to a heading."),
    "signed_by": ("Digitally signed by {signer} on {date}",
                  "Visible signature box of a signed PDF. {signer}: the signer's name; "
                  "{date}: the signing date."),
}

assert set(UI_MESSAGES) == {f.name for f in fields(Labels)}, "UI_MESSAGES must cover Labels"
