"""The translator's round trip on a copy of the shipped project, edited as a user would:
long sentence edit, retitle, move, add, remove; update; msgfmt -c; update again; then
gettext's msgcat and translate-toolkit (what Weblate uses) read and write the catalogs."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from translate.storage import pypo

from compiler.i18n import pofile
from tests.helpers import ROOT, run_cli

LOCALES = ("ar", "de", "es", "fr", "ja", "pt_BR")
LONG_OLD = ("You can request deletion of your data at any time by contacting our support team. "
            "Some information may be retained as required by law.")
LONG_NEW = ("You can request deletion of your data at any time by contacting our support team "
            "or your account manager. Some information may be retained as required by law.")
LONG_NEWER = LONG_NEW.replace("account manager", "customer success manager")


@pytest.fixture
def project(tmp_path: Path) -> Path:
    dest = tmp_path / "project"
    shutil.copytree(ROOT / "source", dest / "source")
    shutil.copytree(ROOT / "locales", dest / "locales")
    return dest


def run(project: Path, *args: str) -> tuple[int, str]:
    return run_cli(project, *args)


def po(project: Path, locale: str = "de", domain: str = "privacy-policy") -> Path:
    return project / "locales" / locale / "LC_MESSAGES" / f"{domain}.po"


def catalog(path: Path) -> pofile.PoFile:
    return pofile.parse(path.read_bytes(), str(path))


def entries(path: Path) -> dict[tuple[str | None, str], str]:
    """Each message's whole text block, keyed by (msgctxt, msgid)."""
    return {m.key: "\n".join(pofile.message_lines(m)) for m in catalog(path).messages}


def msgfmt(path: Path) -> None:
    subprocess.run(["msgfmt", "-c", "--check-format", "-o", "/dev/null", str(path)],
                   check=True, capture_output=True)


def update_checked(project: Path) -> pofile.PoFile:
    """`policyc locale update`, then msgfmt -c on every locale's catalog; the German one."""
    code, out = run(project, "locale", "update")
    assert code == 0, out
    for locale in LOCALES:
        msgfmt(po(project, locale))
    return catalog(po(project))


def edit(project: Path, old: str, new: str) -> None:
    src = project / "source" / "privacy-policy.yaml"
    text = src.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    src.write_text(text.replace(old, new), encoding="utf-8")


def user_edits(project: Path) -> None:
    edit(project, LONG_OLD, LONG_NEW)  # a long sentence edited
    edit(project, "    title: Data Retention\n", "    title: How Long We Keep Your Data\n")
    # a subsection moved to the top level (its msgctxt path changes, its id does not)
    src = project / "source" / "privacy-policy.yaml"
    text = src.read_text(encoding="utf-8")
    start = text.index("      - id: usage-data\n")
    end = text.index("\n      - id: ", start)
    block = text[start:end]
    text = text[:start] + text[end:]
    moved = "\n".join(line[4:] if line.strip() else line for line in block.split("\n"))
    text = text.replace("\n  - id: data-retention\n", f"\n{moved}\n\n  - id: data-retention\n")
    src.write_text(text, encoding="utf-8")
    # a sentence added to the data-security section, and a new section whose title looks
    # like another section's (never a pre-fill from elsewhere)
    edit(project, "  - id: your-privacy-rights\n",
         "  - id: retention-exceptions\n    title: Data Retention Exceptions\n    blocks:\n"
         "      - We keep invoices longer when tax law requires it.\n\n"
         "  - id: your-privacy-rights\n")
    # a list item removed
    edit(project, "          - term: Usage Logs\n            text: Typically retained for "
         "{usage_log_retention}\n", "")


def test_user_edits_update_msgfmt_update(project: Path) -> None:
    before = {code: po(project, code).read_bytes() for code in LOCALES}
    old_entries = entries(po(project))
    user_edits(project)
    code, out = run(project, "locale", "update")
    assert code == 0, out
    for locale in LOCALES:
        msgfmt(po(project, locale))
        msgfmt(po(project, locale, "policyc"))
    de = catalog(po(project))

    edited = de.get("data-retention", LONG_NEW)
    assert edited is not None and edited.fuzzy
    assert edited.previous_msgid == LONG_OLD and edited.previous_context is None
    assert edited.msgstr == next(m.msgstr for m in catalog_from(before["de"]).messages
                                 if m.msgid == LONG_OLD)
    text = po(project).read_text(encoding="utf-8")
    assert f'#| msgid "{LONG_OLD}"\n' in text  # one line, as msgmerge --previous --no-wrap

    retitled = de.get("data-retention", "How Long We Keep Your Data")
    assert retitled is not None and retitled.fuzzy
    old_de = catalog_from(before["de"])
    heading = old_de.get("data-retention", "Data Retention")
    assert heading is not None and heading.msgstr
    assert retitled.previous_msgid == "Data Retention" and retitled.msgstr == heading.msgstr

    moved = de.get("usage-data", "Usage Data")
    assert moved is not None and not moved.fuzzy and moved.msgstr
    assert old_entries[("information-we-collect/usage-data", "Usage Data")] != ""
    assert de.get("information-we-collect/usage-data", "Usage Data") is None

    for msgid in ("Data Retention Exceptions", "We keep invoices longer when tax law requires it."):
        added = de.get("retention-exceptions", msgid)
        assert added is not None and added.msgstr == "" and not added.fuzzy, msgid

    removed = [m for m in de.obsolete if m.msgid == "Typically retained for {usage_log_retention}"]
    assert len(removed) == 1 and removed[0].msgstr and removed[0].context == "data-retention"

    # no churn: outside the edited sections every entry is byte for byte what it was
    edited_sections = {"data-retention", "retention-exceptions", "usage-data",
                       "information-we-collect/usage-data"}
    new_entries = entries(po(project))
    for key, block in old_entries.items():
        if key[0] not in edited_sections:
            assert new_entries.get(key) == block, key

    # a second update changes nothing, in any catalog
    after = {p: p.read_bytes() for p in (project / "locales").rglob("*.po*")}
    code, out = run(project, "locale", "update")
    assert code == 0, out
    assert {p: p.read_bytes() for p in (project / "locales").rglob("*.po*")} == after


def catalog_from(data: bytes) -> pofile.PoFile:
    return pofile.parse(data, "before.po")


def test_edited_twice_keeps_the_text_the_translation_was_made_for(project: Path) -> None:
    edit(project, LONG_OLD, LONG_NEW)
    assert run(project, "locale", "update")[0] == 0
    edit(project, LONG_NEW, LONG_NEWER)
    assert run(project, "locale", "update")[0] == 0
    m = catalog(po(project)).get("data-retention", LONG_NEWER)
    assert m is not None and m.fuzzy and m.previous_msgid == LONG_OLD
    msgfmt(po(project))
    # edited back: the translation fits again, no longer fuzzy
    edit(project, LONG_NEWER, LONG_OLD)
    assert run(project, "locale", "update")[0] == 0
    m = catalog(po(project)).get("data-retention", LONG_OLD)
    assert m is not None and not m.fuzzy and m.previous_msgid is None
    assert po(project).read_bytes() == (ROOT / "locales" / "de" / "LC_MESSAGES" /
                                        "privacy-policy.po").read_bytes()


def test_moved_and_edited_gets_previous_context(project: Path) -> None:
    user_edits(project)
    edit(project, "IP address and browser type", "IP address, browser type and version")
    assert run(project, "locale", "update")[0] == 0
    m = catalog(po(project)).get("usage-data", "IP address, browser type and version")
    assert m is not None and m.fuzzy
    assert m.previous_context == "information-we-collect/usage-data"
    assert "#| msgctxt \"information-we-collect/usage-data\"" in po(project).read_text()
    msgfmt(po(project))


def test_msgcat_then_update_gives_the_same_file(project: Path) -> None:
    user_edits(project)
    assert run(project, "locale", "update")[0] == 0
    for locale in LOCALES:
        path = po(project, locale)
        ours = path.read_bytes()
        # gettext keeps policyc's layout: msgcat --no-wrap is a no-op
        same = subprocess.run(["msgcat", "--no-wrap", str(path)], check=True,
                              capture_output=True).stdout
        assert same == ours
        # msgcat's 79-column wrapping (as Poedit and msgmerge write) comes back unwrapped
        subprocess.run(["msgcat", "-o", str(path), str(path)], check=True)
        assert path.read_bytes() != ours
        msgfmt(path)
    assert run(project, "locale", "update")[0] == 0
    for locale in LOCALES:
        assert catalog(po(project, locale)).messages  # parsed back
    code, out = run(project, "locale", "update")
    assert code == 0, out


def test_msgcat_wrapped_round_trip_is_byte_identical(project: Path) -> None:
    user_edits(project)
    assert run(project, "locale", "update")[0] == 0
    ours = {p: p.read_bytes() for p in (project / "locales").rglob("*.po")}
    for path in ours:
        subprocess.run(["msgcat", "-o", str(path), str(path)], check=True)
    assert run(project, "locale", "update")[0] == 0
    for path, data in ours.items():
        assert path.read_bytes() == data, path


def test_translate_toolkit_reads_and_writes_catalogs_unchanged(project: Path) -> None:
    user_edits(project)
    assert run(project, "locale", "update")[0] == 0
    for locale in LOCALES:
        path = po(project, locale)
        store = pypo.pofile.parsefile(str(path))
        assert bytes(store) == path.read_bytes()  # Weblate would save it unchanged
        ours = catalog(path)
        units = [u for u in store.units if not u.isheader() and not u.isobsolete()]
        assert [(u.getcontext(), u.source, u.target, u.isfuzzy()) for u in units] == [
            (m.context, m.msgid, m.msgstr, m.fuzzy) for m in ours.messages]
        edited = next(u for u in units if u.source == LONG_NEW)
        assert edited.prev_source == LONG_OLD  # the previous text reads as text, not garbage
    # a translator translates the new sentence and the retitled heading in Weblate
    # (translate-toolkit wraps an edited entry at 77 columns) and saves
    path = po(project, "fr")
    store = pypo.pofile.parsefile(str(path))
    added = "We keep invoices longer when tax law requires it."
    sentence = ("Nous conservons les factures plus longtemps lorsque la législation fiscale "
                "l'exige, et seulement pour la durée qu'elle impose.")
    next(u for u in store.units if u.source == added).target = sentence
    heading = next(u for u in store.units if u.source == "How Long We Keep Your Data")
    heading.target = "Combien de temps nous conservons vos données"
    heading.markfuzzy(False)
    path.write_bytes(bytes(store))
    assert f'msgstr "{sentence}"' not in path.read_text(encoding="utf-8")  # wrapped
    assert run(project, "locale", "update")[0] == 0
    text = path.read_text(encoding="utf-8")
    assert f'msgstr "{sentence}"' in text  # policyc's layout back, the translation kept
    m = catalog(path).get("data-retention", "How Long We Keep Your Data")
    assert m is not None and not m.fuzzy and m.previous_msgid is None
    same = subprocess.run(["msgcat", "--no-wrap", str(path)], check=True,
                          capture_output=True).stdout
    assert same == path.read_bytes()
    msgfmt(path)


def test_catalog_headers_as_gettext_writes_them(project: Path, tmp_path: Path) -> None:
    for locale in (*LOCALES, "it"):
        if locale == "it":
            assert run(project, "locale", "init", "it")[0] == 0
        for domain in ("privacy-policy", "policyc"):
            cat = catalog(po(project, locale, domain))
            header = dict(cat.header)
            assert header["Language"] == locale
            assert header["Language-Team"] and "LL@li.org" not in header["Language-Team"]
            text = po(project, locale, domain).read_text(encoding="utf-8")
            for placeholder in ("FULL NAME", "EMAIL@ADDRESS", "YEAR-MO-DA", "PACKAGE VERSION",
                                "FIRST AUTHOR", "Generated-By"):
                assert placeholder not in text, (locale, placeholder)
            if locale != "ar":  # msginit (gettext 0.21) has no Arabic entry
                assert header["Plural-Forms"] == msginit_plural_forms(locale, tmp_path)
    ar = dict(catalog(po(project, "ar")).header)["Plural-Forms"]
    assert ar.startswith("nplurals=6; plural=n==0 ? 0 : n==1 ? 1 : n==2 ? 2 :")


def msginit_plural_forms(locale: str, tmp: Path) -> str:
    pot = tmp / "x.pot"
    pot.write_text('msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n')
    out = subprocess.run(["msginit", "--no-translator", "--no-wrap", "-l", locale, "-i",
                          str(pot), "-o", "-"], check=True, capture_output=True,
                         text=True).stdout
    line = next(x for x in out.splitlines() if x.startswith('"Plural-Forms:'))
    return line.removeprefix('"Plural-Forms: ').removesuffix('\\n"')


CONTACT_OLD = ("If you have questions, concerns, or requests regarding this Privacy Policy or our "
               "data practices, please contact us:")
CONTACT_NEW = CONTACT_OLD.replace("If you have questions", "If you have any questions")
CHANGE_OLD = "Request renewed consent where required by law"
CHANGE_NEW = "Request renewed consent where the law requires it"


def test_renamed_section_keeps_its_translations_fuzzy(project: Path) -> None:
    """Section ids are the msgctxt: a renamed id carries every translation over as fuzzy with
    `#| msgctxt` the old id (as msgmerge does), through later edits and a rename back."""
    original = {code: po(project, code).read_bytes() for code in LOCALES}
    old_de = catalog(po(project))
    was = {m.msgid: m.msgstr for m in old_de.messages if m.context == "contact-us"}
    assert len(was) >= 5 and all(was.values())
    # an edit first, then the section holding it renamed
    edit(project, CHANGE_OLD, CHANGE_NEW)
    assert run(project, "locale", "update")[0] == 0
    edit(project, "  - id: changes-to-this-policy\n", "  - id: policy-changes\n")
    # renamed and edited in the same update
    edit(project, "  - id: contact-us\n", "  - id: contact\n")
    edit(project, CONTACT_OLD, CONTACT_NEW)
    de = update_checked(project)
    assert not [m for m in de.messages if m.context == "contact" and not m.msgstr]
    for msgid, msgstr in was.items():
        now = de.get("contact", CONTACT_NEW if msgid == CONTACT_OLD else msgid)
        assert now is not None and now.fuzzy and now.msgstr == msgstr, msgid
        assert now.previous_context == "contact-us" and now.previous_msgid == msgid
    assert not [m for m in de.obsolete if m.context in ("contact-us", "changes-to-this-policy")]
    changed = de.get("policy-changes", CHANGE_NEW)
    assert changed is not None and changed.fuzzy and changed.msgstr
    assert (changed.previous_context, changed.previous_msgid) == ("changes-to-this-policy",
                                                                  CHANGE_OLD)
    text = po(project).read_text(encoding="utf-8")
    assert '#| msgctxt "contact-us"\n#| msgid "Contact Us"\nmsgctxt "contact"\n' in text
    # the build takes fuzzy entries as untranslated: English until a translator confirms them
    # (and a second update changes nothing)
    after = po(project).read_bytes()
    assert run(project, "locale", "update")[0] == 0
    assert po(project).read_bytes() == after
    # edited again: still fuzzy, still pointing at the text the translation was made for
    edit(project, CONTACT_NEW, CONTACT_NEW.replace("concerns, or requests", "or concerns"))
    edit(project, "    title: Contact Us\n", "    title: Get in Touch\n")
    assert run(project, "locale", "update")[0] == 0
    msgfmt(po(project))
    de = catalog(po(project))
    again = de.get("contact", CONTACT_NEW.replace("concerns, or requests", "or concerns"))
    assert again is not None and again.fuzzy and again.msgstr == was[CONTACT_OLD]
    assert (again.previous_context, again.previous_msgid) == ("contact-us", CONTACT_OLD)
    heading = de.get("contact", "Get in Touch")
    assert heading is not None and heading.fuzzy and heading.msgstr == was["Contact Us"]
    # everything put back: the translations fit again, the catalogs are what they were
    edit(project, "  - id: contact\n", "  - id: contact-us\n")
    edit(project, "  - id: policy-changes\n", "  - id: changes-to-this-policy\n")
    edit(project, "    title: Get in Touch\n", "    title: Contact Us\n")
    edit(project, CONTACT_NEW.replace("concerns, or requests", "or concerns"), CONTACT_OLD)
    edit(project, CHANGE_NEW, CHANGE_OLD)
    assert run(project, "locale", "update")[0] == 0
    for locale in LOCALES:
        assert po(project, locale).read_bytes() == original[locale], locale


def test_a_message_moved_to_another_section_is_offered_fuzzy(project: Path) -> None:
    """A sentence moved from one section to another keeps its translation, fuzzy (its
    new neighbours may change how it reads), not obsolete."""
    moved = "Your continued use of {company} after changes become effective constitutes " \
            "acceptance of the updated policy."
    edit(project, f"      - paragraph: {moved}\n", "")
    edit(project, "    title: Contact Us\n    blocks:\n",
         f"    title: Contact Us\n    blocks:\n      - paragraph: {moved}\n")
    assert run(project, "locale", "update")[0] == 0
    msgfmt(po(project))
    m = catalog(po(project)).get("contact-us", moved)
    assert m is not None and m.fuzzy and m.msgstr
    assert m.previous_context == "changes-to-this-policy"


def test_an_edited_sentence_keeps_its_past_when_its_old_words_reappear_elsewhere(
        project: Path) -> None:
    """A lawyer edits a sentence and quotes its old wording in another section: the edited
    sentence stays fuzzy with its own translation (step 3 only copies an old message whose
    section is still there), and the quote elsewhere is offered it too, as msgmerge does.
    Edited again: still the text the translation was made for."""
    was = catalog(po(project)).get("contact-us", CONTACT_OLD)
    assert was is not None and was.msgstr and not was.fuzzy
    edit(project, CONTACT_OLD, CONTACT_NEW)
    edit(project, "    title: Changes to This Privacy Policy\n    blocks:\n",
         f"    title: Changes to This Privacy Policy\n    blocks:\n"
         f"      - paragraph: \"{CONTACT_OLD}\"\n")
    for newer in (CONTACT_NEW, CONTACT_NEW.replace("concerns, or requests", "or concerns")):
        if newer != CONTACT_NEW:
            edit(project, CONTACT_NEW, newer)
        de = update_checked(project)
        edited = de.get("contact-us", newer)
        assert edited is not None and edited.fuzzy and edited.msgstr == was.msgstr
        assert (edited.previous_context, edited.previous_msgid) == (None, CONTACT_OLD)
        quoted = de.get("changes-to-this-policy", CONTACT_OLD)
        assert quoted is not None and quoted.fuzzy and quoted.msgstr == was.msgstr
        assert quoted.previous_context == "contact-us"
        assert not [m for m in de.obsolete if m.msgid == CONTACT_OLD]
        after = po(project).read_bytes()
        assert run(project, "locale", "update")[0] == 0
        assert po(project).read_bytes() == after
