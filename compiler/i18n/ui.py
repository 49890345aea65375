"""The template's own words: declared once, extracted into every POT, translated into Labels."""

from __future__ import annotations

from dataclasses import fields

from compiler.model import Labels

UI_CONTEXT = "ui"

# Labels field -> (English msgid, translator comment). The English is what English outputs
# show: headings, labels and column headers in title case (Chicago: short prepositions and
# articles lower case), sentences and accessible names in sentence case. Each translation
# follows its own language's casing (German nouns capitalized, French, Spanish and
# Portuguese sentence case).
UI_MESSAGES: dict[str, tuple[str, str]] = {
    "contents": ("Contents", "Heading of the table of contents."),
    "version": ("Version", "Label before the version number, e.g. 'Version 1.0.0'."),
    "last_updated": ("Last Updated", "Label before the date of the last update."),
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
    "history": ("Version History", "Heading of the table of the document's versions."),
    "history_date": ("Date", "Column header in the version history: when a version was "
                     "published."),
    "history_summary": ("Summary", "Column header in the version history: what changed."),
    "material": ("Material Change", "Column header in the version history: whether the "
                 "change is material (users are notified before it takes effect)."),
    "yes": ("Yes", "Version history: the change is material."),
    "no": ("No", "Version history: the change is not material."),
    "updated_on": ("Updated on {date}: see what changed",
                   "Link from the policy to its redline (the marked-up comparison with the "
                   "previous version). {date}: the date of the update."),
    "redline": ("Changes from Version {old} to Version {new}",
                "Title of a redline. {old}, {new}: version numbers such as 1.2.0."),
    "inserted": ("Inserted", "Redline legend and badge: text added in the new version."),
    "deleted": ("Deleted", "Redline legend and badge: text removed from the old version."),
    "moved": ("Moved", "Redline badge: a section moved to another place."),
    "changed": ("Changed", "Redline: a section whose text changed."),
    "section": ("Section {number}",
                "A cross-reference to a numbered section of the document, e.g. 'see Section "
                "7.2'. {number}: the section's number; word it as contracts in your language "
                "cite a clause (it may stand mid-sentence)."),
    "change_end": ("End of change", "Read by screen readers where an insertion or deletion "
                   "ends (not shown)."),
}

assert set(UI_MESSAGES) == {f.name for f in fields(Labels)}, "UI_MESSAGES must cover Labels"
