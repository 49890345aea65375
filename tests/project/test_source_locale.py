"""A project written in another language than English: its own documents show policyc's
labels of that language, an English translation needs no translation of the layout's English
words, and the id is the title spelled in ASCII as a reader of the language would spell it."""

from __future__ import annotations

import subprocess
from pathlib import Path

import lxml.html
import pytest

from compiler.i18n import pofile
from tests.helpers import run_cli

ID = "datenschutzerklaerung"


@pytest.fixture
def german(tmp_path: Path) -> Path:
    code, out = run_cli(tmp_path, "init", "legal", "--title", "Datenschutzerklärung",
                        "--source-locale", "de", "--locale", "en",
                        "--organization", "Beispiel GmbH")
    assert code == 0, out
    return tmp_path / "legal"


def pdf_text(path: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True,
                          capture_output=True, text=True).stdout


def toc_heading(path: Path) -> str:
    tree = lxml.html.fromstring(path.read_bytes())
    return " ".join(" ".join(h.text_content().split())
                    for h in tree.xpath("//*[@id='toc-title']"))


def test_source_language_documents_use_its_labels(german: Path) -> None:
    assert (german / "source" / f"{ID}.yaml").is_file()  # 'ä' spelled 'ae', not '-'
    code, out = run_cli(german, "build", "--format", "pdf", "--format", "html")
    assert code == 0, out
    # the English translation's layout words are the English ones, translated already
    assert "en: 13 untranslated and 0 fuzzy of 39 messages" in out
    de = pdf_text(german / "dist" / "de" / f"{ID}.pdf")
    for german_label in ("Inhalt", "Seite 1 von 2", "ZULETZT AKTUALISIERT", "GÜLTIG AB",
                         "Versionsverlauf"):
        assert german_label in de, german_label
    for english in ("Contents", "Page 1 of", "LAST UPDATED", "EFFECTIVE", "Version History"):
        assert english not in de, english
    assert "Inhalt" in toc_heading(german / "dist" / "de" / f"{ID}.html")
    en = pdf_text(german / "dist" / "en" / f"{ID}.pdf")
    assert "Contents" in en and "Page 1 of 2" in en and "LAST UPDATED" in en
    assert "Contents" in toc_heading(german / "dist" / "en" / f"{ID}.html")

    code, out = run_cli(german, "locale", "status")
    assert code == 0, out
    ui = next(line.split() for line in out.splitlines() if line.split()[:2] == ["policyc",
                                                                                  "en"])
    assert ui[2:5] == ["26", "0", "0"], out  # translated, fuzzy, untranslated


def test_an_older_english_catalog_left_blank_counts_as_translated(german: Path) -> None:
    """Projects started before policyc filled an English policyc.po: blank labels are the
    English words (not "untranslated"); a label the project did translate wins."""
    path = german / "locales" / "en" / "LC_MESSAGES" / "policyc.po"
    catalog = pofile.parse(path.read_bytes(), str(path))
    for m in catalog.messages:
        m.msgstr = "Table of Contents" if m.msgid == "Contents" else ""
    path.write_bytes(pofile.write(catalog))
    subprocess.run(["msgfmt", "-c", "-o", "/dev/null", str(path)], check=True)
    code, out = run_cli(german, "build", "--format", "html", "--locale", "en")
    assert code == 0, out
    assert "en: 13 untranslated and 0 fuzzy of 39 messages" in out
    assert "Table of Contents" in toc_heading(german / "dist" / "en" / f"{ID}.html")
    # edited again: the German catalog's own words, and the source edited, still German
    source = german / "source" / f"{ID}.yaml"
    source.write_text(source.read_text(encoding="utf-8").replace(
        "title: Introduction", "title: Einleitung"), encoding="utf-8")
    assert run_cli(german, "locale", "update")[0] == 0
    # ...and the update left the blank labels blank (they follow policyc's English, review6
    # F11), the customised kept
    updated = pofile.parse(path.read_bytes(), str(path))
    assert all(m.msgstr == ("Table of Contents" if m.msgid == "Contents" else "")
               for m in updated.messages)
    subprocess.run(["msgfmt", "-c", "-o", "/dev/null", str(path)], check=True)
    code, out = run_cli(german, "locale", "status")
    assert [line.split()[2:5] for line in out.splitlines()
            if line.split()[:2] == ["policyc", "en"]] == [["26", "0", "0"]], out
    code, out = run_cli(german, "build", "--format", "html")
    assert code == 0, out
    de = german / "dist" / "de" / f"{ID}.html"
    assert "Inhalt" in toc_heading(de) and "Einleitung" in de.read_text(encoding="utf-8")


@pytest.mark.parametrize(("title", "expected"), [
    ("Datenschutzerklärung", "datenschutzerklaerung"),
    ("Conditions générales d'utilisation", "conditions-generales-d-utilisation"),
    ("Størrelse og Æble", "stoerrelse-og-aeble"),
    ("Straße", "strasse"),
    ("2024 Terms", "policy-2024-terms"),
])
def test_init_spells_the_id_in_ascii(tmp_path: Path, title: str, expected: str) -> None:
    code, out = run_cli(tmp_path, "init", "p", "--title", title)
    assert code == 0, out
    assert (tmp_path / "p" / "source" / f"{expected}.yaml").is_file(), out


def test_locale_init_of_the_source_language_refuses(german: Path) -> None:
    code, out = run_cli(german, "locale", "init", "de")
    assert code == 1
    assert (f"source/{ID}.yaml: error: 'de' is the source locale of this document" in out)
    assert not (german / "locales" / "de").exists()


def _set_label(po: Path, msgid: str, msgstr: str) -> None:
    text = po.read_text(encoding="utf-8")
    start = text.index(f'msgid "{msgid}"\n')
    end = text.index("\n\n", start) if "\n\n" in text[start:] else len(text)
    po.write_text(text[:start] + f'msgid "{msgid}"\nmsgstr "{msgstr}"' + text[end:],
                  encoding="utf-8")


def test_a_source_language_without_labels_warns_and_takes_the_projects(tmp_path: Path) -> None:
    """Italian: policyc ships no labels, so the Italian outputs say "Contents"; the build says
    so once, at the source_locale line, naming the catalog to add; once added (a copy of the
    template), its words are used, edited again they follow, and locale update keeps them."""
    code, out = run_cli(tmp_path, "init", "legal", "--source-locale", "it", "--locale", "en")
    assert code == 0, out
    project = tmp_path / "legal"
    code, out = run_cli(project, "build", "--format", "html")
    assert code == 0, out
    ui = "locales/it/LC_MESSAGES/policyc.po"
    warnings = [line for line in out.splitlines() if "layout labels" in line]
    assert warnings == [
        "source/privacy-policy.yaml:10:16: warning: policyc ships no layout labels in Italian "
        "('it'): this document's it outputs show them in English (Contents, Page 1 of 2, Version "
        f"History); add {ui} (a copy of locales/policyc.pot with each msgstr filled in) to give "
        "them"], out
    page = project / "dist" / "it" / "privacy-policy.html"
    assert toc_heading(page) == "Contents"
    assert run_cli(project, "build", "--strict", "--format", "html")[0] == 1

    po = project / ui
    po.parent.mkdir(parents=True)
    po.write_text((project / "locales" / "policyc.pot").read_text(encoding="utf-8"),
                  encoding="utf-8")
    _set_label(po, "Contents", "Indice")
    code, out = run_cli(project, "build", "--format", "html")
    assert code == 0 and "1 built, 1 up to date" in out, out
    # the 25 labels it leaves blank still show in English: named (review7 F12)
    assert f"{ui}: warning: it: 25 of 26 layout labels are blank or fuzzy" in out, out
    assert "policyc ships no layout labels" not in out, out
    assert toc_heading(page) == "Indice"
    assert toc_heading(project / "dist" / "en" / "privacy-policy.html") == "Contents"
    _set_label(po, "Contents", "Sommario")  # a second edit
    code, out = run_cli(project, "build", "--format", "html")
    assert code == 0 and "1 built, 1 up to date" in out, out
    assert toc_heading(page) == "Sommario"
    code, out = run_cli(project, "locale", "update")
    assert code == 0, out
    subprocess.run(["msgfmt", "-c", "-o", "/dev/null", str(po)], check=True)
    assert 'msgstr "Sommario"' in po.read_text(encoding="utf-8")
    code, out = run_cli(project, "build", "--format", "html")
    assert code == 0 and "0 built, 2 up to date" in out, out
    assert toc_heading(page) == "Sommario"


def test_a_source_language_label_the_project_customised_wins(german: Path) -> None:
    """A German source with the project's own German policyc.po (a site mixing German- and
    English-source documents, review6 nit): its customised word is used, not policyc's."""
    po = german / "locales" / "de" / "LC_MESSAGES" / "policyc.po"
    po.parent.mkdir(parents=True, exist_ok=True)
    po.write_text((german / "locales" / "policyc.pot").read_text(encoding="utf-8"),
                  encoding="utf-8")
    _set_label(po, "Contents", "Übersicht")
    code, out = run_cli(german, "build", "--strict", "--format", "html", "--locale", "de")
    assert code == 0 and "layout labels" not in out, out
    # its 25 blank labels are policyc's German, for locale check as for the build (review7 F10)
    code, out = run_cli(german, "locale", "check", "--strict", "de")
    assert code == 0 and "policyc.po" not in out, out
    # a fuzzy label there is policyc's German for the build: not a gap for check either
    catalog = pofile.parse(po.read_bytes(), str(po))
    fuzzy = next(m for m in catalog.messages if m.msgid == "Version History")
    fuzzy.msgstr = "Änderungen"
    fuzzy.set_fuzzy(True)
    po.write_bytes(pofile.write(catalog))
    code, out = run_cli(german, "build", "--strict", "--format", "html", "--locale", "de")
    assert code == 0, out
    assert "Versionsverlauf" in (german / "dist" / "de" / f"{ID}.html").read_text(
        encoding="utf-8")
    code, out = run_cli(german, "locale", "check", "--strict", "de")
    assert code == 0 and "policyc.po" not in out, out
    code, out = run_cli(german, "locale", "status")
    assert [line.split()[2:5] for line in out.splitlines()
            if line.split()[:2] == ["policyc", "de"]] == [["26", "0", "0"]], out
    assert toc_heading(german / "dist" / "de" / f"{ID}.html") == "Übersicht"
    html = (german / "dist" / "de" / f"{ID}.html").read_text(encoding="utf-8")
    assert "Versionsverlauf" in html  # the labels it leaves blank: policyc's German


def test_english_labels_are_not_frozen_by_copies(german: Path) -> None:
    """review6 F11: an English policyc.po is written with its labels blank (they are the
    English of the policyc that builds), and a catalog that copies hold (written by policyc
    before) is unfrozen by locale update: when policyc rewords a label (here: the POT's
    "Version History" stands for a later policyc's "Version history"), the English outputs
    follow it; a customised label stays."""
    path = german / "locales" / "en" / "LC_MESSAGES" / "policyc.po"
    fresh = pofile.parse(path.read_bytes(), str(path))
    assert [m.msgstr for m in fresh.messages if m.msgid] == [""] * 26
    code, out = run_cli(german, "locale", "status")
    assert [line.split()[2:5] for line in out.splitlines()
            if line.split()[:2] == ["policyc", "en"]] == [["26", "0", "0"]], out
    # a catalog of copies, as init wrote it before, made under an older English wording
    for m in fresh.messages:
        if m.msgid:
            m.msgstr = "Table of Contents" if m.msgid == "Contents" else m.msgid
        if m.msgid == "Version History":
            m.msgid = m.msgstr = "Version history"
    path.write_bytes(pofile.write(fresh))
    assert run_cli(german, "locale", "update")[0] == 0
    subprocess.run(["msgfmt", "-c", "-o", "/dev/null", str(path)], check=True)
    updated = {m.msgid: (m.msgstr, m.fuzzy) for m in pofile.parse(path.read_bytes(),
                                                                   str(path)).messages}
    assert updated["Version History"] == ("", False)
    assert updated["Contents"] == ("Table of Contents", False)
    code, out = run_cli(german, "build", "--format", "html", "--locale", "en")
    assert code == 0 and "fuzzy" not in out.replace("0 fuzzy", ""), out
    page = (german / "dist" / "en" / f"{ID}.html").read_text(encoding="utf-8")
    assert "Version History" in page and "Version history" not in page
    assert "Table of Contents" in toc_heading(german / "dist" / "en" / f"{ID}.html")
    assert run_cli(german, "locale", "update")[0] == 0  # a second update changes nothing
    assert {m.msgid: (m.msgstr, m.fuzzy) for m in pofile.parse(
        path.read_bytes(), str(path)).messages} == updated


def test_a_redline_in_the_source_language_uses_the_projects_labels(tmp_path: Path) -> None:
    """policyc diff reads the source locale's policyc.po as the build does: the Italian
    redline's legend is Italian, from a file beside source/ and from a git revision."""
    code, out = run_cli(tmp_path, "init", "legal", "--source-locale", "it")
    assert code == 0, out
    project = tmp_path / "legal"
    po = project / "locales" / "it" / "LC_MESSAGES" / "policyc.po"
    po.parent.mkdir(parents=True)
    po.write_text((project / "locales" / "policyc.pot").read_text(encoding="utf-8"),
                  encoding="utf-8")
    _set_label(po, "Inserted", "Inserito")
    _set_label(po, "Deleted", "Eliminato")
    source = project / "source" / "privacy-policy.yaml"
    (project / "old.yaml").write_text(source.read_text(encoding="utf-8"), encoding="utf-8")
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.com"]
    subprocess.run([*git, "init", "-q"], cwd=project, check=True)
    subprocess.run([*git, "add", "-A"], cwd=project, check=True)
    subprocess.run([*git, "commit", "-qm", "v1"], cwd=project, check=True)
    source.write_text(source.read_text(encoding="utf-8").replace(
        "only what we need.", "only what we truly need."), encoding="utf-8")
    for old, out_dir in (("old.yaml", "a"), ("git:HEAD", "b")):
        code, out = run_cli(project, "diff", old, "source/privacy-policy.yaml", "--format",
                            "html", "--out", out_dir)
        assert code == 0, out
        page = lxml.html.fromstring((project / out_dir / "it" / "privacy-policy.redline.html")
                                    .read_bytes())
        words = " ".join(page.xpath("string(//body)").split())
        assert "Inserito" in words and "Eliminato" in words, words[:400]
        assert "Inserted" not in words and "Deleted" not in words, words[:400]
