"""locale init / status / check, localized link targets, one bad catalog failing one locale,
fallback text marked with its language, and the layout's words translated once per project."""

from __future__ import annotations

import json
import shutil
import subprocess
import zipfile
from pathlib import Path

import lxml.html
import pypdf
import pytest

from compiler.build import BuildOptions, build
from compiler.errors import CompilerError
from compiler.i18n import pofile
from compiler.i18n.ui import UI_MESSAGES
from tests.helpers import msgstr_line, run_cli, set_translation

SOURCE = "source/retention-schedule.yaml"


def run(project: Path, *args: str) -> tuple[int, str]:
    return run_cli(project, *args)


def po(project: Path, locale: str = "de", domain: str = "retention-schedule") -> Path:
    return project / "locales" / locale / "LC_MESSAGES" / f"{domain}.po"


def test_init_registers_the_locale_with_a_minimal_edit_and_says_so(project: Path) -> None:
    src = project / SOURCE
    before = src.read_text()
    code, out = run(project, "locale", "init", "it")
    assert code == 0, out
    assert "registered 'it' in source/retention-schedule.yaml (locales: en, de, it)" in out
    assert "created locales/it/LC_MESSAGES/retention-schedule.po" in out
    assert "created locales/it/LC_MESSAGES/policyc.po" in out
    assert src.read_text() == before.replace("locales: [en, de]", "locales: [en, de, it]")
    for domain in ("retention-schedule", "policyc"):
        subprocess.run(["msgfmt", "-c", "--check-format", "-o", "/dev/null",
                        str(po(project, "it", domain))], check=True)
    # the next build knows 'it'; status lists its catalogs
    code, out = run(project, "build", "--locale", "it", "--format", "html")
    assert code == 0, out
    code, out = run(project, "locale", "status")
    assert code == 0, out
    rows = [line.split() for line in out.splitlines()]
    assert ["retention-schedule", "it", "0", "0", "32", "0", "0", "0.0%"] in rows
    assert ["policyc", "it", "0", "0", str(len(UI_MESSAGES)), "0", "0", "0.0%"] in rows
    # a second init changes nothing and says why
    code, out = run(project, "locale", "init", "it")
    assert code == 0 and "'it' is already listed" in out and "kept locales/it" in out
    assert src.read_text().count(", it]") == 1


def test_init_keeps_a_block_list_its_comments_and_layout(project: Path) -> None:
    src = project / SOURCE
    src.write_text(src.read_text().replace(
        "locales: [en, de]", "locales:   # the languages we publish\n  - en\n  - de  # since 2024\n"
        "title_note: x"))
    src.write_text(src.read_text().replace("title_note: x\n", ""))
    before = src.read_text()
    code, out = run(project, "locale", "init", "fr")
    assert code == 0, out
    assert src.read_text() == before.replace("  - de  # since 2024\n",
                                             "  - de  # since 2024\n  - fr\n")


@pytest.mark.parametrize("code", ["../../../de", "xx", "de/../../x"])
def test_init_rejects_unknown_or_path_like_codes(project: Path, code: str) -> None:
    exit_code, out = run(project, "locale", "init", code)
    assert exit_code == 2 and "unknown locale" in out
    assert not (project / "locales" / code).exists()


def test_status_lists_unregistered_catalogs_and_counts_broken_and_blank(project: Path) -> None:
    shutil.copytree(project / "locales" / "de", project / "locales" / "fr")
    set_translation(po(project), "scope", "Scope", "   ")  # blank
    set_translation(po(project), "schedule", "Ask {records_email} when unsure.",
                    "Fragen Sie {record_email}.")  # broken placeholder
    set_translation(po(project), "scope",
                    "This schedule says how long **{company}** keeps records, and *why*.",
                    "Dieser Plan sagt, wie lange {company} Unterlagen aufbewahrt.")  # markup
    code, out = run(project, "locale", "status")
    assert code == 1
    rows = [line.split() for line in out.splitlines()]
    assert ["retention-schedule", "de", "29", "0", "1", "2", "0", "90.6%"] in rows
    assert ["retention-schedule", "fr", "32", "0", "0", "0", "0", "100.0%", "(not", "in",
            "the", "source's", "locales:)"] in rows
    assert "retention-schedule/de: 2 broken translations" in out


def test_check_locates_each_problem_and_lists_changed_link_targets(project: Path) -> None:
    assert run(project, "locale", "check")[0] == 0
    link = "Security, see [Scope](#scope)"
    set_translation(po(project), "schedule", link, "Sicherheit, siehe [Geltung](#geltung)")
    line = msgstr_line(po(project), "schedule", link)  # the translation's line
    code, out = run(project, "locale", "check")
    assert code == 0, out  # same kind of target (an anchor): allowed, and listed
    assert f"locales/de/LC_MESSAGES/retention-schedule.po:{line}: #scope -> #geltung" in out
    set_translation(po(project), "schedule", link, "Sicherheit, siehe [Geltung](mailto:x@y.de)")
    set_translation(po(project), "schedule", "Ask {records_email} when unsure.",
                    "Fragen Sie {record_email}.")
    # each at its msgstr line (qa6 N2)
    bad = msgstr_line(po(project), "schedule", link)
    broken = msgstr_line(po(project), "schedule", "Ask {records_email} when unsure.")
    code, out = run(project, "locale", "check", "de")
    assert code == 1
    lines = out.splitlines()
    assert (f"locales/de/LC_MESSAGES/retention-schedule.po:{broken}: error: placeholder "
            "{records_email} missing; placeholder {record_email} not in the source in "
            'translation of "Ask {records_email} when unsure."') in lines
    assert (f"locales/de/LC_MESSAGES/retention-schedule.po:{bad}: error: link target "
            "mailto:x@y.de is not of the same kind as the source's #scope (expected a # target) "
            'in translation of "Security, see [Scope](#scope)"') in lines
    assert lines[-1] == "policyc: 2 errors"


def test_check_reports_unreadable_catalogs_at_their_line(project: Path) -> None:
    path = po(project)
    path.write_bytes(path.read_bytes().replace(b"charset=UTF-8", b"charset=ISO-8859-1"))
    code, out = run(project, "locale", "check")
    assert code == 1
    assert "the header says charset=ISO-8859-1, but the text is UTF-8" in out


def test_translation_may_localize_a_link_target_of_the_same_kind(project: Path) -> None:
    src = project / SOURCE
    src.write_text(src.read_text().replace(
        "      - note: We review this schedule before {review_date}.\n",
        "      - note: We review this schedule before {review_date}.\n"
        "      - See the [tax rules](https://example.com/tax) and [write us](mailto:{records_email}).\n"))
    assert run(project, "locale", "update")[0] == 0
    msgid = "See the [tax rules](https://example.com/tax) and [write us](mailto:{records_email})."
    set_translation(po(project), "scope", msgid, "Siehe die [Steuerregeln]"
                    "(https://example.com/intl/de/steuer) und [schreiben Sie uns]"
                    "(mailto:{records_email}).")
    code, out = run(project, "locale", "check")
    assert code == 0, out
    assert "https://example.com/tax -> https://example.com/intl/de/steuer" in out
    build([project / SOURCE], BuildOptions(out=project / "dist", formats=("html",)))
    page = lxml.html.fromstring((project / "dist" / "de" / "retention-schedule.html").read_bytes())
    assert "https://example.com/intl/de/steuer" in page.xpath("//a/@href")
    # a link from a variable cannot be changed; another scheme neither
    for target, message in [("mailto:info@example.de", "comes from a variable"),
                            ("https://example.com/kontakt", "comes from a variable")]:
        set_translation(po(project), "scope", msgid, "Siehe die [Steuerregeln]"
                        f"(https://example.com/tax) und [schreiben Sie uns]({target}).")
        code, out = run(project, "locale", "check")
        assert code == 1 and message in out, out
    set_translation(po(project), "scope", msgid, "Siehe die [Steuerregeln](mailto:tax@example.de)"
                    " und [schreiben Sie uns](mailto:{records_email}).")
    code, out = run(project, "locale", "check")
    assert code == 1 and "is not of the same kind as the source's https://example.com/tax" in out


def test_one_bad_catalog_fails_one_locale(project: Path) -> None:
    shutil.copytree(project / "locales" / "de", project / "locales" / "fr")
    src = project / SOURCE
    src.write_text(src.read_text().replace("locales: [en, de]", "locales: [en, de, fr]"))
    out_dir = project / "dist"
    build([src], BuildOptions(out=out_dir, formats=("html",)))
    old_de = (out_dir / "de" / "retention-schedule.html").read_bytes()
    set_translation(po(project), "scope", "Scope", "Geltung")
    set_translation(po(project, "fr"), "scope", "Scope", "Portée")
    set_translation(po(project), "schedule", "Ask {records_email} when unsure.",
                    "Fragen Sie {record_email}.")
    code, out = run(project, "build", "--format", "html")
    assert code == 1
    # the problem once, then the locale named (not the problem again), and one error counted
    assert out.count("placeholder {records_email} missing") == 1, out
    assert ("policyc: failed locales, nothing of them published: retention-schedule/de (1 "
            "error); built: retention-schedule/en, retention-schedule/fr") in out.splitlines()
    assert out.splitlines()[-1] == "policyc: 1 error"
    assert "built: retention-schedule/de, retention-schedule/en, retention-schedule/fr" not in out
    assert "Portée" in (out_dir / "fr" / "retention-schedule.html").read_text()
    assert (out_dir / "de" / "retention-schedule.html").read_bytes() == old_de
    manifest = (out_dir / "manifest.json").read_text()
    # the previous output stays on disk, but is not listed beside the catalog it was not
    # built from (qa6 D2); nor are fr and en, built, whose language switchers link that
    # stale page (review7 F15: a listed page links no unlisted output)
    assert json.loads(manifest)["outputs"] == []
    with pytest.raises(CompilerError, match="failed locales"):
        build([src], BuildOptions(out=out_dir, formats=("html",)))


def test_fallback_text_is_marked_with_its_language(project: Path) -> None:
    set_translation(po(project), "scope", "Scope", "")
    set_translation(po(project), "schedule", "Delete it.", "Weg damit.", fuzzy=True)
    out_dir = project / "dist"
    build([project / SOURCE], BuildOptions(out=out_dir, locales=("de",),
                                           formats=("html", "docx", "pdf")))
    page = lxml.html.fromstring((out_dir / "de" / "retention-schedule.html").read_bytes())
    assert page.get("lang") == "de"
    marked = {e.text_content() for e in page.xpath("//*[@lang='en']")}
    assert {"Scope", "Delete it."} <= marked
    assert "Schedule" not in marked and page.xpath("//h2[@lang='en']") == []
    xml = zipfile.ZipFile(out_dir / "de" / "retention-schedule.docx").read("word/document.xml")
    from lxml import etree

    w = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    root = etree.fromstring(xml)
    english = ["".join(t.text or "" for t in r.iter(f"{w}t")) for r in root.iter(f"{w}r")
               if r.find(f"{w}rPr/{w}lang") is not None
               and r.find(f"{w}rPr/{w}lang").get(f"{w}val") == "en"]
    assert "Scope" in english and "Delete it." in english
    assert not any("Aufbewahrung" in t for t in english)
    # PDF: the structure element of the fallback text carries /Lang (pypdf reads the tree)
    reader = pypdf.PdfReader(out_dir / "de" / "retention-schedule.pdf")
    assert reader.trailer["/Root"]["/Lang"] == "de"
    tagged: list[str] = []

    def walk(node: object) -> None:
        node = node.get_object() if hasattr(node, "get_object") else node
        if not isinstance(node, dict):
            return
        if node.get("/Lang") == "en":
            tagged.append(str(node["/S"]))
        kids = node.get("/K")
        for kid in kids if isinstance(kids, list) else [kids]:
            walk(kid)

    walk(reader.trailer["/Root"]["/StructTreeRoot"])
    assert tagged.count("/Span") == 2  # "Scope" and "Delete it."


def test_layout_words_are_translated_once_per_project(project: Path) -> None:
    src = project / "source" / "second.yaml"
    src.write_text("id: second\ntitle: Second Notice\nversion: 1.0.0\nupdated: 2025-03-01\n"
                   "effective: 2025-03-01\nsource_locale: en\nlocales: [en]\n"
                   "organization: Example GmbH\nsections:\n  - id: intro\n    title: Intro\n"
                   "    blocks:\n      - Hello.\n")
    code, out = run(project, "locale", "init", "de", "source/second.yaml")
    assert code == 0, out
    assert "created locales/de/LC_MESSAGES/second.po: 3 messages" in out
    assert "kept locales/de/LC_MESSAGES/policyc.po" in out
    second = pofile.parse(po(project, "de", "second").read_bytes(), "second.po")
    assert all(m.context != "ui" for m in second.messages)
    build([src], BuildOptions(out=project / "dist", locales=("de",), formats=("html",)))
    html = (project / "dist" / "de" / "second.html").read_text()
    assert ">Inhalt<" in html  # "Contents", from the project's policyc.po


def test_a_bad_plural_forms_header_fails_check_and_its_locale(project: Path) -> None:
    path = po(project)
    text = path.read_text(encoding="utf-8")
    start = text.index('"Plural-Forms: ')
    end = text.index("\n", start)
    path.write_text(text[:start] + '"Plural-Forms: nplurals=2; plural=(n != 1;\\n"' + text[end:],
                    encoding="utf-8")
    line = text[:start].count("\n") + 1
    assert subprocess.run(["msgfmt", "-c", "-o", "/dev/null", str(path)],
                          capture_output=True, check=False).returncode != 0
    code, out = run(project, "locale", "check", "de")
    assert code == 1, out
    assert (f"locales/de/LC_MESSAGES/retention-schedule.po:{line}: error: bad Plural-Forms "
            "header: invalid plural expression '(n != 1'") in out
    assert " OK" not in out
    code, out = run(project, "build", "--format", "html")
    assert code == 1, out
    assert "retention-schedule/de" in out
    assert not (project / "dist" / "de").exists()
    assert (project / "dist" / "en" / "retention-schedule.html").is_file()
    # locale update writes gettext's rule for German again; then the catalog passes both
    code, out = run(project, "locale", "update")
    assert code == 0, out
    assert '"Plural-Forms: nplurals=2; plural=(n != 1);\\n"' in path.read_text(encoding="utf-8")
    subprocess.run(["msgfmt", "-c", "-o", "/dev/null", str(path)], check=True)
    assert run(project, "locale", "check", "de")[0] == 0


def test_check_fails_for_a_listed_locale_without_its_catalog(project: Path) -> None:
    po(project).unlink()
    for args in (("de",), ()):
        code, out = run(project, "locale", "check", *args)
        assert code == 1, out
        assert ("locales/de/LC_MESSAGES/retention-schedule.po: error: no catalog for locale "
                "'de', listed in source/retention-schedule.yaml") in out
        assert " OK" not in out
    code, out = run(project, "locale", "check", "fr")  # neither listed nor started
    assert code == 1 and "locales/fr: error: no catalogs for locale 'fr'" in out
    assert run(project, "locale", "init", "de")[0] == 0
    code, out = run(project, "locale", "check", "de")
    assert code == 0 and "OK" in out, out


def test_update_says_which_catalogs_it_changed(project: Path) -> None:
    """qa6 N3: a catalog whose bytes stay is reported unchanged and not rewritten; an edit,
    then a second and third update."""
    assert run(project, "locale", "update")[0] == 0
    catalogs = sorted((project / "locales").glob("*/LC_MESSAGES/*.po"))
    before = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in catalogs}
    code, out = run(project, "locale", "update")
    assert code == 0 and "updated" not in out, out
    assert all(f"unchanged {p.relative_to(project)}:" in out for p in catalogs), out
    assert {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in catalogs} == before
    src = project / SOURCE
    src.write_text(src.read_text().replace("Ask {records_email} when unsure.",
                                           "Ask {records_email} if unsure."))
    code, out = run(project, "locale", "update")
    assert code == 0, out
    assert "updated locales/de/LC_MESSAGES/retention-schedule.po: " in out
    assert "unchanged locales/de/LC_MESSAGES/policyc.po: " in out
    assert po(project).read_bytes() != before[po(project)][0]
    for path in catalogs:
        subprocess.run(["msgfmt", "-c", "-o", "/dev/null", str(path)], check=True)
    code, out = run(project, "locale", "update")
    assert code == 0 and "updated" not in out, out


def test_strict_lists_each_message_left_in_the_source_language(project: Path) -> None:
    """qa6 N10: build --strict and locale check --strict name each untranslated, fuzzy or
    blank message at its PO line (as a refused signature does), not only their count."""
    fuzzy = set_translation(po(project), "scope", "Scope", "Geltung", fuzzy=True)
    empty = set_translation(po(project), "schedule", "Ask {records_email} when unsure.", "")
    shown = "locales/de/LC_MESSAGES/retention-schedule.po"
    listed = [f'{shown}:{fuzzy}: error: de: fuzzy: "Scope"',
              f'{shown}:{empty}: error: de: untranslated: "Ask {{records_email}} when unsure."']
    code, out = run(project, "build", "--format", "html", "--strict")
    assert code == 1
    assert [line for line in out.splitlines() if ": error: " in line] == listed, out
    assert out.splitlines()[-1] == "policyc: 2 errors"
    code, out = run(project, "locale", "check", "--strict", "de")
    assert code == 1 and out.splitlines() == [*listed, "policyc: 2 errors"], out
    code, out = run(project, "locale", "check", "de")  # without --strict: not errors
    assert code == 0, out
    code, out = run(project, "build", "--format", "html")  # ... and one counting warning
    assert code == 0 and "de: 1 untranslated and 1 fuzzy of" in out, out
    set_translation(po(project), "scope", "Scope", "Geltung")
    set_translation(po(project), "schedule", "Ask {records_email} when unsure.",
                    "Fragen Sie im Zweifel {records_email}.")
    code, out = run(project, "locale", "check", "--strict")
    assert code == 0, out
    assert run(project, "build", "--format", "html", "--strict")[0] == 0


def test_locale_codes_in_bcp47_spelling_are_read_as_cldr_codes(project: Path) -> None:
    """qa6 N11, N6: `pt-BR` (how browsers and import write it) is pt_BR wherever the command
    line names a locale; a country code for a language gets a did-you-mean."""
    code, out = run(project, "locale", "init", "pt-BR")
    assert code == 0, out
    assert "registered 'pt_BR' in source/retention-schedule.yaml (locales: en, de, pt_BR)" in out
    for domain in ("retention-schedule", "policyc"):
        subprocess.run(["msgfmt", "-c", "-o", "/dev/null", str(po(project, "pt_BR", domain))],
                       check=True)
    code, out = run(project, "build", "--locale", "pt-BR", "--format", "html")
    assert code == 0, out
    page = lxml.html.parse(str(project / "dist" / "pt_BR" / "retention-schedule.html"))
    assert page.getroot().get("lang") == "pt-BR"
    assert run(project, "locale", "check", "--strict", "pt-br")[0] == 1  # its catalog, read
    (project / "policyc.toml").write_text('[build]\nlocales = ["pt-BR"]\nformats = ["docx"]\n')
    code, out = run(project, "build")  # the project config's spelling too
    assert code == 0, out
    assert (project / "dist" / "pt_BR" / "retention-schedule.docx").is_file()
    code, out = run(project, "locale", "init", "jp")
    assert code == 2 and "unknown locale 'jp'" in out and "did you mean 'ja'?" in out
    assert not (project / "locales" / "jp").exists()
