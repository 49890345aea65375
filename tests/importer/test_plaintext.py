"""policyc import of plain text (.txt): structure read from layout, reported as guesses (qa6 D10)."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner
from lxml import html as lhtml

from compiler.cli.app import main
from compiler.importer.run import import_file
from compiler.importer.verify import built_html, verify
from compiler.readers import ReadOptions
from compiler.readers.yaml import load_text
from tests.helpers import FIXTURES, ROOT

SEED = FIXTURES / "seed" / "infinitydesk-privacy-policy.txt"


def _tree(sections: tuple, depth: int = 0) -> list[tuple[int, str]]:
    out: list[tuple[int, str]] = []
    for s in sections:
        out.append((depth, s.title.source))
        out.extend(_tree(s.sections, depth + 1))
    return out


def test_seed_imports_into_the_shipped_structure() -> None:
    result = import_file(SEED, ReadOptions())
    doc = result.document
    shipped = load_text((ROOT / "source" / "privacy-policy.yaml").read_text("utf-8"), "p.yaml")
    # every section of the shipped source, at its depth, in order (the shipped one ends with a
    # call to action the text shows as a heading and two lines)
    got = _tree(doc.sections)
    assert got[: len(_tree(shipped.sections))] == _tree(shipped.sections)
    assert got[len(_tree(shipped.sections)):] == [(0, "Questions About Your Privacy?")]
    # read independently: the built page's list items are the text's bullet lines, one each
    page = lhtml.document_fromstring(built_html(doc))
    items = [" ".join(li.text_content().split())
             for li in page.xpath("//div[@class='body']//li")]
    bullets = [line.strip().removeprefix("• ") for line in SEED.read_text("utf-8").splitlines()
               if line.strip().startswith("•")]
    assert len(items) == len(bullets) == 61
    assert items[0] == ("Account Information: Name, email address, phone number, company name, "
                        "job title")
    assert items[4] == "IP address and browser type"
    body = "//div[@class='body']"
    headings = [(h.tag, " ".join(h.text_content().split()).rstrip("#"))
                for h in page.xpath(f"{body}//h2|{body}//h3")]
    assert ("h2", "Information We Collect") in headings and ("h3", "Usage Data") in headings
    notes = page.xpath("//aside[contains(@class, 'note')]")
    assert any("data processor" in n.text_content() for n in notes)
    # each heading read from layout is a guess, commented beside its section in the YAML
    guesses = [f for f in result.findings if f.kind == "guessed" and f.key.startswith("section:")]
    assert len(guesses) == 18 and guesses[0].loc.line == 1
    assert "  # guessed: a short line standing alone read as a subheading of 'Information We " \
        "Collect'" in result.yaml_text
    assert result.format == "text"


def test_verify_checks_lines_that_stand_alone() -> None:
    result = import_file(SEED, ReadOptions())
    fidelity = verify(SEED, "text", SEED.read_bytes(), result.document)
    assert fidelity.share == 100.0 and fidelity.lines_total == 109
    assert fidelity.lines_found == fidelity.lines_total, fidelity.misses
    # the text read as CommonMark (what .txt was before): sentences all there, bullets merged
    flat = import_file(SEED, ReadOptions(), fmt="markdown")
    merged = verify(SEED, "text", SEED.read_bytes(), flat.document)
    assert merged.share == 100.0
    assert merged.lines_total - merged.lines_found >= 61
    assert any("Billing Information" in m for m in merged.misses)


def test_cli_verify_reports_and_fails_on_merged_lines(tmp_path: Path) -> None:
    runner = CliRunner()
    out = tmp_path / "s.yaml"
    r = runner.invoke(main, ["import", str(SEED), "-o", str(out), "--verify"])
    assert r.exit_code == 0, r.output
    assert "109 of 109 lines standing alone" in r.output
    assert "(14 sections)" in r.output
    r = runner.invoke(main, ["import", str(SEED), "-o", str(tmp_path / "m.yaml"), "--verify",
                             "--from", "markdown"])
    assert r.exit_code == 0  # markdown's verify compares sentences only


def test_layout_rules(tmp_path: Path) -> None:
    txt = tmp_path / "terms.txt"
    txt.write_text(
        "1. Scope\n\nThese terms apply to\nthe service we run.\n\n"
        "2. Your Account\n\n"
        "- First item\n  - nested one\n  - nested two\n- Second item that wraps\n  onto a line\n\n"
        "Underlined Title\n================\n\n"
        "Email: help@example.org\n\n"
        "a) lower case line\n\n"
        "3. Last Words\n\n"
        "1) one\n\n2) two\n\n"
        "Closing Line\n", encoding="utf-8")
    result = import_file(txt, ReadOptions())
    doc = result.document
    assert doc.meta.numbering == "decimal"  # '1. Scope', '2. Your Account', '3. Last Words'
    titles = [s.title.source for s in doc.sections]
    assert titles == ["Scope", "Your Account", "Underlined Title", "Last Words"]
    scope, account, under, last = doc.sections
    assert scope.blocks[0].text.source == "These terms apply to the service we run."
    lst = account.blocks[0]
    assert [i.text.source for i in lst.items] == ["First item",
                                                  "Second item that wraps onto a line"]
    assert [i.text.source for i in lst.items[0].sublist.items] == ["nested one", "nested two"]
    assert under.blocks[0].text.source == "Email: help@example.org"  # 'Label: value' is text
    ordered = last.blocks[0]
    assert ordered.ordered and [i.text.source for i in ordered.items] == ["one", "two"]
    assert last.blocks[-1].text.source == "Closing Line"  # the last line heads nothing
    load_text(result.yaml_text, "x.yaml")
    fidelity = verify(txt, "text", txt.read_bytes(), doc)
    assert fidelity.share == 100.0 and fidelity.lines_found == fidelity.lines_total, fidelity.misses


def test_first_line_naming_a_document_is_the_title(tmp_path: Path) -> None:
    txt = tmp_path / "pasted.txt"
    txt.write_text("Privacy Policy\n\nLast updated: March 3, 2024\n\nIntroduction\n\n"
                   "We keep little.\n\nContact\n\nWrite to us.\n", encoding="utf-8")
    result = import_file(txt, ReadOptions())
    doc = result.document
    assert doc.meta.title.source == "Privacy Policy"
    assert [s.title.source for s in doc.sections] == ["Introduction", "Contact"]
    assert doc.meta.updated.isoformat() == "2024-03-03"
    assert "# guessed: title 'Privacy Policy': the first line, naming a kind of document, " \
        "read as the title\ntitle: Privacy Policy" in result.yaml_text
    # a first line that names no kind of document stays a section (the seed's 'Introduction')
    assert import_file(SEED, ReadOptions()).document.sections[0].title.source == "Introduction"


def test_verify_accepts_the_readers_own_notes_and_title(tmp_path: Path) -> None:
    """review7 F4: the 'Note:' word the reader drops (an info note draws no label) and the
    title line (the page's h1, outside its body) were reported missing / merged."""
    txt = tmp_path / "t4.txt"
    txt.write_text("Acme Privacy Policy\n\nWe keep your data safe.\n\nNote: we never sell data."
                   "\n\nCaution: we log access.\n\nImportant: ask us.\n\nMore text.\n",
                   encoding="utf-8")
    r = CliRunner().invoke(main, ["import", str(txt), "-o", str(tmp_path / "t4.yaml"),
                                  "--verify"])
    assert r.exit_code == 0, r.output
    assert "missing" not in r.output and "not on its own" not in r.output
    assert "6 of 6 sentences" in r.output and "6 of 6 lines standing alone" in r.output
    # the check still bites: a note whose text the page lost is missing
    doc = import_file(txt, ReadOptions()).document
    page = built_html(doc).replace(b"we never sell data.", b"we sell data.")
    from compiler.importer import verify as v

    units = v.html_units(page)
    assert v._unit("we never sell data.") not in units


def test_underlined_heading_with_its_text_right_under_the_rule(tmp_path: Path) -> None:
    """review7 F5: 'Cookies / ------- / We use cookies.' (no blank line after the rule) is a
    section, as 'Sharing / ------- / (blank) / ...' is; verify sees 'Cookies' stand alone."""
    txt = tmp_path / "t5.txt"
    txt.write_text("Acme Policy\n\nIntro.\n\nCookies\n-------\nWe use cookies.\n\n"
                   "Sharing\n=======\n\nWe share nothing.\n", encoding="utf-8")
    result = import_file(txt, ReadOptions())
    doc = result.document
    assert [s.title.source for s in doc.sections] == ["Cookies", "Sharing"]
    assert doc.sections[0].blocks[0].text.source == "We use cookies."
    assert [b.text.source for b in doc.preamble] == ["Intro."]
    assert not [f for f in result.findings if "rule" in f.message]
    fidelity = verify(txt, "text", txt.read_bytes(), doc)
    assert fidelity.lines_total == 6 and fidelity.lines_found == 6, fidelity.misses
