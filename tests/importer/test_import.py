"""policyc import: real published policies in Markdown, DOCX and HTML, fidelity, errors."""

from __future__ import annotations

import contextlib
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from compiler.cli.app import main
from compiler.errors import CompilerError
from compiler.importer.run import import_file
from compiler.importer.verify import verify
from compiler.inline import parse_inline
from compiler.model import Emphasis, Link, Strong, Text
from compiler.readers import ReadOptions
from compiler.readers.markup import to_markup
from compiler.readers.yaml import load_text
from tests.helpers import FIXTURES

IMPORT = FIXTURES / "import"
REAL = sorted(p for folder in (IMPORT, FIXTURES / "legal" / "real") for p in folder.iterdir()
              if p.suffix in (".md", ".html", ".docx") and p.name != "README.md")


@pytest.mark.parametrize("path", REAL, ids=[p.name for p in REAL])
def test_real_policy_imports_with_every_sentence(path: Path) -> None:
    result = import_file(path, ReadOptions())
    ids = [s.id for s in result.document.walk_sections()]
    assert len(ids) == len(set(ids)) >= 1
    assert all(re.fullmatch(r"[a-z][a-z0-9]*(-[a-z0-9]+)*", i) for i in ids)
    load_text(result.yaml_text, "x.yaml")  # valid source
    fidelity = verify(path, result.format, path.read_bytes(), result.document)
    assert fidelity.share == 100.0, fidelity.misses


def test_markdown_structures_and_guesses(tmp_path: Path) -> None:
    md = tmp_path / "policy.md"
    md.write_text(
        "Preamble text.\n\n# Data *we* keep\n\nWrite to a@b.org. Literal {x} and * and [y].\n\n"
        "- **Account**: name and e-mail\n- plain\n  - nested\n\n1. one\n2. two\n\n"
        "| A | B |\n|---|---|\n| 1 | 2, 3 |\n\n> **Warning:** careful.\n\n"
        "## Data we keep\n\nSee [above](#data-we-keep) and [rel](other.md).\n"
        "Line one  \nline two. Last updated: March 3, 2024.\n", encoding="utf-8")
    result = import_file(md, ReadOptions())
    text = result.yaml_text
    assert result.document.meta.title.source == "Data *we* keep"
    assert r"Literal \{x\} and \* and \[y\]." in text
    assert "term: Account" in text and "text: name and e-mail" in text
    assert "kind: warning" in text
    assert "[above](#data-we-keep)" in text
    assert "# guessed: updated 2024-03-03 from the text" in text
    assert "updated: 2024-03-03" in text
    kinds = {(f.kind, f.loc.line) for f in result.findings}
    assert ("unmapped", 22) in kinds  # the relative link, with its line
    assert ("guessed", 1) in kinds


def test_variables_replace_repeated_facts(tmp_path: Path) -> None:
    md = tmp_path / "p.md"
    md.write_text("# Privacy\n\n## Contact\n\nMail privacy@acme.example or see "
                  "https://acme.example/help.\n\nAgain: privacy@acme.example, "
                  "[help](https://acme.example/help).\n", encoding="utf-8")
    result = import_file(md, ReadOptions(), variables=True)
    assert "privacy_email: {email: privacy@acme.example}" in result.yaml_text
    assert "{privacy_email}" in result.yaml_text
    assert "[help]({acme_help_url})" in result.yaml_text
    assert verify(md, "markdown", md.read_bytes(), result.document).share == 100.0


@pytest.mark.parametrize("inlines", [
    (Text("a * b [c] {d} \\* e\\"),),
    (Strong((Text("bold "), Emphasis((Text("it"),)))), Text(" tail")),
    (Link("https://x.example/a(b)", (Text("label ] x"),)),),
    (Text("see https://x.example/p and a@b.org"),),
])
def test_markup_round_trips(inlines: tuple) -> None:
    back, errors = parse_inline(to_markup(inlines))
    assert not errors
    from compiler.model import plain_text

    assert plain_text(back) == plain_text(inlines)


def _docx_error(tmp_path: Path, name: str, data: bytes) -> str:
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(CompilerError) as err:
        import_file(path, ReadOptions())
    return str(err.value)


def test_unreadable_inputs_are_located_errors(tmp_path: Path) -> None:
    assert re.search(r"bad\.md:2:3: error: file is not valid UTF-8 \(byte 0xe9\)",
                     _docx_error(tmp_path, "bad.md", b"# T\nab\xe9\n"))
    assert "empty.md:1:1: error: file is empty" in _docx_error(tmp_path, "empty.md", b" \n")
    assert "empty.html:1:1: error: file is empty" in _docx_error(tmp_path, "empty.html", b"")
    assert "not a zip archive" in _docx_error(tmp_path, "x.docx", b"hello, not a zip")
    assert "encrypted" in _docx_error(tmp_path, "enc.docx",
                                      b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600)
    assert "empty.docx: error: file is empty" in _docx_error(tmp_path, "empty.docx", b"")
    zpath = tmp_path / "z.docx"
    with zipfile.ZipFile(zpath, "w") as z:
        z.writestr("hello.txt", "hi")
    assert "not a Word document" in _docx_error(tmp_path, "z.docx", zpath.read_bytes())


def test_cli_writes_a_source_that_checks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    src = IMPORT / "basecamp-privacy.md"
    runner = CliRunner()
    result = runner.invoke(main, ["import", str(src), "--variables"])
    assert result.exit_code == 0, result.output
    out = tmp_path / "source" / "privacy-policy.yaml"
    assert out.is_file()
    assert "import report:" in result.output
    again = runner.invoke(main, ["import", str(src), "-o", str(out)])
    assert again.exit_code == 1 and "file exists already" in again.output
    check = subprocess.run([sys.executable, "-m", "compiler", "check", str(out)],
                           capture_output=True, text=True, check=False)
    assert check.returncode == 0, check.stderr


def test_deep_lists_are_flattened_to_the_source_limit(tmp_path: Path) -> None:
    from compiler.limits import MAX_LIST_DEPTH

    depth = MAX_LIST_DEPTH + 3
    html = "<h1>T</h1><h2>S</h2>" + "<ul><li>x" * depth + "</li></ul>" * depth
    path = tmp_path / "deep.html"
    path.write_text(html, encoding="utf-8")
    result = import_file(path, ReadOptions())  # loads: within the limits
    assert any("nested more than" in f.message for f in result.findings)


def test_docx_entities_are_never_expanded_or_fetched(tmp_path: Path) -> None:
    """An XXE DOCX: its DTD names a local file and a URL; neither is read into the text."""
    import docx

    plain = tmp_path / "plain.docx"
    d = docx.Document()
    d.add_heading("Policy", 1)
    d.add_paragraph("MARKER")
    d.save(str(plain))
    evil = tmp_path / "evil.docx"
    with zipfile.ZipFile(plain) as zin, zipfile.ZipFile(evil, "w") as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "word/document.xml":
                text = data.decode("utf-8")
                head, rest = text.split("?>", 1)
                dtd = ('<!DOCTYPE w:document [<!ENTITY xxe SYSTEM "file:///etc/passwd">'
                       '<!ENTITY net SYSTEM "http://127.0.0.1:9/x">]>')
                data = (head + "?>" + dtd + rest.replace("MARKER", "A&xxe;B&net;C")).encode()
            zout.writestr(item, data)
    try:
        result = import_file(evil, ReadOptions())
    except CompilerError as err:  # refusing the document is fine too
        assert "root:" not in str(err)
        return
    assert "root:" not in result.yaml_text


def test_generic_html_page(tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    page.write_text(
        "<!DOCTYPE html><html lang='fr'><head><title>Politique | Site</title>"
        "<meta name='description' content='Notre politique.'><script>alert(1)</script></head>"
        "<body><nav><a href='/'>Accueil</a></nav><main><h1>Politique de confidentialité</h1>"
        "<p>Texte <b>gras</b> et <i>italique</i><br>suite, <a href='/rel'>relatif</a>, "
        "<img src='x.png' alt='logo'>.</p><h2>Données</h2><table><tr><td>A</td><td>B</td></tr>"
        "<tr><td colspan='2'>C</td></tr></table><dl><dt>Terme</dt><dd>définition</dd></dl>"
        "<blockquote>Citation.</blockquote></main><footer>© Site</footer></body></html>",
        encoding="utf-8")
    result = import_file(page, ReadOptions())
    doc = result.document
    assert doc.meta.title.plain() == "Politique de confidentialité"
    assert doc.meta.source_locale == "fr"
    assert doc.meta.description is not None
    text = result.yaml_text
    assert "Texte **gras** et *italique* suite, relatif, ." in text
    assert "alert" not in text and "Accueil" not in text and "© Site" not in text
    messages = " | ".join(str(f) for f in result.findings)
    assert "- definitions:\n          - term: Terme\n            text: définition" in text
    for expected in ("relative", "image 'x.png'", "merged table cells", "first row taken",
                     "block quote"):
        assert expected in messages, expected
    assert verify(page, "html", page.read_bytes(), doc).share == 100.0


def test_cli_verify_reports_the_share_of_sentences(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    src = IMPORT / "mozilla-firefox-terms.en.docx"
    result = CliRunner().invoke(main, ["import", str(src), "--verify", "--brief", "-o", "-"])
    assert result.exit_code == 0, result.output
    assert "policyc: verify: 59 of 59 sentences of the input found in the built HTML (100.0 %)" \
        in result.output
    assert "id: firefox-terms-of-use" in result.output


def test_markdown_lists_keep_their_numbers_and_blocks(tmp_path: Path) -> None:
    md = tmp_path / "lists.md"
    md.write_text("# T\n\n## Steps\n\n3. third\n4. fourth, with `code`:\n\n   1. inner one\n"
                  "   2. inner two\n\n5. **Term**: first paragraph.\n\n   Second paragraph.\n",
                  encoding="utf-8")
    result = import_file(md, ReadOptions())
    text = result.yaml_text
    assert "start: 3" in text  # the list goes on counting from 3
    assert "fourth, with `code`:" in text
    assert "style: decimal" in text  # the inner list counts 1. 2. as Markdown does
    assert "term: Term" in text and "- paragraph: Second paragraph." in text
    assert verify(md, "markdown", md.read_bytes(), result.document).share == 100.0


def test_hostile_metadata_never_breaks_the_source(tmp_path: Path) -> None:
    """Metadata an input states is checked like a source's: a bad id, version or language
    is reported and replaced, so the YAML always loads."""
    page = tmp_path / "x.html"
    page.write_text(
        "<html lang='zz-Nowhere'><head><meta name='generator' content='policyc 9'>"
        "<meta name='author' content='Evil: Corp\n# not a comment'>"
        "<link rel='canonical' href='https://x.example/en/Bad Id!.html'></head><body>"
        "<article class='policy'><header class='doc-header'><h1>T</h1>"
        "<p class='doc-meta'><span>Version v1</span></p></header>"
        "<div class='body'><h2>S</h2><p>Text.</p></div></article></body></html>",
        encoding="utf-8")
    result = import_file(page, ReadOptions())
    assert result.document.meta.source_locale == "en"
    assert result.document.meta.version == "1.0.0"
    messages = " | ".join(str(f) for f in result.findings)
    assert "not a locale policyc knows" in messages
    docx_path = tmp_path / "bad.docx"
    import docx

    d = docx.Document()
    d.add_heading("Policy", 1)
    d.add_paragraph("Text.")
    d.core_properties.language = "xx-YY"
    d.core_properties.version = "not-a-version"
    d.save(str(docx_path))
    assert import_file(docx_path, ReadOptions()).document.meta.source_locale == "en"
    assert CliRunner().invoke(main, ["import", str(page), "--id", "Bad Id", "-o", "-"]
                              ).exit_code == 2


def test_yaml_words_stay_strings(tmp_path: Path) -> None:
    md = tmp_path / "null.md"
    md.write_text("# Null\n\n## Yes\n\nOn.\n\n## No\n\n~\n", encoding="utf-8")
    result = import_file(md, ReadOptions(locale="no"))
    assert result.document.meta.id == "null"
    assert [s.id for s in result.document.sections] == ["yes", "no"]
    assert result.document.meta.source_locale == "no"


def test_imported_docx_builds_to_html_and_docx(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """An imported source is a source: `policyc build` makes its outputs."""
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    imported = runner.invoke(main, ["import", str(IMPORT / "basecamp-privacy.docx"),
                                    "--variables", "--brief"])
    assert imported.exit_code == 0, imported.output
    built = runner.invoke(main, ["build", "--format", "html,docx", "--jobs", "1"])
    assert built.exit_code == 0, built.output
    outputs = sorted(p.name for p in (tmp_path / "dist").rglob("*.*") if p.suffix in
                     (".html", ".docx") and p.name != "index.html")
    assert outputs == ["privacy-policy.docx", "privacy-policy.html"]


def test_import_picks_an_id_no_other_source_has(tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """Two imported policies titled alike would share an id, so outputs and catalogs (qa6
    D0): import takes the next free one and says so; --id naming a used id is refused; with
    --force the file it replaces does not count."""
    monkeypatch.chdir(tmp_path)
    src = IMPORT / "basecamp-privacy.md"
    runner = CliRunner()
    assert runner.invoke(main, ["import", str(src)]).exit_code == 0
    second = runner.invoke(main, ["import", str(src)])
    assert second.exit_code == 0, second.output
    assert "guessed: id 'privacy-policy-2' ('privacy-policy' is the id of another source" \
        in second.output
    assert "id: privacy-policy-2" in (tmp_path / "source" / "privacy-policy-2.yaml").read_text()
    third = runner.invoke(main, ["import", str(src), "-o", "source/web.yaml"])
    assert "id: privacy-policy-3" in (tmp_path / "source" / "web.yaml").read_text()
    assert third.exit_code == 0
    again = runner.invoke(main, ["import", str(src), "-o", "source/web.yaml", "--force"])
    assert again.exit_code == 0 and "guessed: id 'privacy-policy-3'" in again.output
    taken = runner.invoke(main, ["import", str(src), "--id", "privacy-policy-2", "-o", "x.yaml"])
    assert taken.exit_code == 1
    assert ("--id: error: id 'privacy-policy-2' is already the id of "
            "source/privacy-policy-2.yaml") in taken.output
    replaced = runner.invoke(main, ["import", str(src), "--force"])
    assert replaced.exit_code == 0 and "guessed: id 'privacy-policy' from" in replaced.output
    check = subprocess.run([sys.executable, "-m", "compiler", "check"], capture_output=True,
                           text=True, check=False)
    assert check.returncode == 0 and "3 sources OK" in check.stderr, check.stderr


def test_front_matter_title_repeated_as_the_only_h1_is_the_title(tmp_path: Path) -> None:
    """qa6 D4: front matter `title:` and the same `# H1` (Jekyll, Hugo): the H1 is the title,
    not one section holding the whole policy; the Markdown gives the sections the DOCX of
    the same text gives. A different H1 stays a section (the front matter names the title)."""
    md = import_file(IMPORT / "basecamp-privacy.md", ReadOptions())
    docx = import_file(IMPORT / "basecamp-privacy.docx", ReadOptions())
    assert md.document.meta.title.plain() == "Privacy policy"
    ids = [s.id for s in md.document.sections]
    assert len(ids) == 9 and "privacy-policy" not in ids
    assert ids == [s.id for s in docx.document.sections]
    assert any(f.kind == "mapped" and f.loc.line == 6 and "repeats the title" in f.message
               for f in md.findings)
    other = tmp_path / "other.md"
    other.write_text("---\ntitle: Privacy\n---\n\n#  privacy   POLICY \n\nText.\n\n"
                     "## Data\n\nMore.\n", encoding="utf-8")
    same = import_file(other, ReadOptions())
    assert same.document.meta.title.plain() == "Privacy"
    assert [s.id for s in same.document.sections] == ["privacy-policy"]  # differs: a section
    other.write_text("---\ntitle: Privacy  policy\n---\n\n# *Privacy* POLICY\n\nText.\n\n"
                     "## Data\n\nMore.\n", encoding="utf-8")
    same = import_file(other, ReadOptions())
    assert [s.id for s in same.document.sections] == ["data"]
    assert [b.text.plain() for b in same.document.preamble] == ["Text."]  # type: ignore[attr-defined]


@pytest.mark.parametrize(("name", "organization", "why"), [
    # qa6 D7: the one link to eff.org made 'Eff'; the text defines its own name first
    ("opengov-privacy-policy.md", "The OpenGov Foundation",
     "defined in the text: 'The OpenGov Foundation (OpenGov)'"),
    ("github-privacy-statement.md", "GitHub, Inc.", "'GitHub' used"),
    ("basecamp-privacy.md", "37signals LLC", "'37signals' used"),  # not 'Basecamp' or 'HEY'
    ("mozilla-firefox-terms.en.md", "Mozilla Corporation", "defined in the text"),
])
def test_organization_is_the_name_the_text_uses(name: str, organization: str, why: str) -> None:
    result = import_file(IMPORT / name, ReadOptions())
    assert result.document.meta.organization == organization
    comment = f"# guessed: organization '{organization}' ("
    assert comment in result.yaml_text and why in result.yaml_text.split(comment, 1)[1]


def test_organization_never_made_from_a_link_domain(tmp_path: Path) -> None:
    md = tmp_path / "p.md"
    md.write_text("# Privacy\n\nSee the [EFF's advice](https://www.eff.org/wp/osp) and "
                  "[Tor](https://www.torproject.org/).\n", encoding="utf-8")
    assert import_file(md, ReadOptions()).document.meta.organization == "Your Organization"
    md.write_text("# Privacy\n\nWrite to privacy@acme-widgets.example or see "
                  "[eff.org](https://eff.org).\n", encoding="utf-8")
    result = import_file(md, ReadOptions())  # an e-mail domain is the sender's own
    assert result.document.meta.organization == "Acme-widgets"
    md.write_text("# Privacy\n\nWe, Acme Widgets, run acmewidgets.example. Acme Widgets keeps "
                  "logs; see [eff.org](https://eff.org).\n", encoding="utf-8")
    assert import_file(md, ReadOptions()).document.meta.organization == "Acme Widgets"


def test_organization_guess_is_linear_in_a_long_word(tmp_path: Path) -> None:
    """review7 F8: a long token (a pasted blob; imports take 20 MB) made the name patterns try
    every position inside it: 20,000 letters took 11 s of CPU. Twice the token, about twice
    the time (CPU time, the best of three: the suite shares its cores)."""
    import time

    times = [float("inf"), float("inf")]
    for _ in range(3):
        for i, size in enumerate((40_000, 80_000)):
            md = tmp_path / f"long{i}.md"
            md.write_text("# Privacy Policy\n\n## Scope\n\nWe collect data. " + "A" * size
                          + " and " + "1" * size + " and " + "(A" * (size // 2) + "\n",
                          encoding="utf-8")
            started = time.process_time()
            import_file(md, ReadOptions())
            times[i] = min(times[i], time.process_time() - started)
    assert times[1] < 4 * times[0] + 0.1, times
    assert times[1] < 5, times


def test_plain_text_seed_names_its_company() -> None:
    result = import_file(FIXTURES / "seed" / "infinitydesk-privacy-policy.txt", ReadOptions())
    assert result.document.meta.organization == "InfinityDesk Inc."  # as source/ says
    # --variables: {company} is the short name the text repeats, as source/ has it
    with_vars = import_file(FIXTURES / "seed" / "infinitydesk-privacy-policy.txt", ReadOptions(),
                            variables=True)
    assert [(v.name, v.value) for v in with_vars.document.variables] == [
        ("company", "InfinityDesk")]


def test_xxe_html_page_reports_what_it_did(tmp_path: Path) -> None:
    """qa6 N14: a DOCTYPE's internal subset read as text gave a preamble of junk ('\\]>', the
    head's title, '&xxe;') under 'text before the first heading became the preamble'."""
    page = tmp_path / "evil.html"
    page.write_text('<?xml version="1.0"?>\n<!DOCTYPE html [<!ENTITY xxe SYSTEM '
                    '"file:///etc/passwd">]>\n<html><head><title>T</title></head><body>'
                    "<h1>Policy</h1><p>&xxe;</p><h2>A</h2><p>Text.</p></body></html>\n",
                    encoding="utf-8")
    result = import_file(page, ReadOptions())
    report = [f"{f.loc.line}: {f.kind}: {f.message}" for f in result.findings]
    assert not result.document.preamble and "\nblocks:" not in result.yaml_text
    assert not any("preamble" in line for line in report)
    assert "root:" not in result.yaml_text and "xxe" not in result.yaml_text
    assert "2: unmapped: DOCTYPE's internal subset left out (1 entity declared, " \
        "never expanded: xxe)" in report
    assert "3: unmapped: entity reference '&xxe;' left out (declared in the " \
        "DOCTYPE)" in report
    assert [s.title.plain() for s in result.document.sections] == ["A"]


def test_a_quoted_close_or_an_html_entity_name_does_not_fool_the_subset(tmp_path: Path) -> None:
    """review7 F7: a ']>' inside a quoted entity value ended the subset there (its rest and the
    head's title became the policy's text), and a subset declaring 'amp' removed every
    '&amp;' the HTML parser reads as '&'."""
    page = tmp_path / "q.html"
    page.write_text('<!DOCTYPE html [<!ENTITY a "x]>LEAKED"><!ENTITY amp "x">]>\n<html><head>'
                    "<title>T</title></head><body><h1>Policy</h1><p>Smith &amp; Sons keep data."
                    "</p><p>&a;</p><h2>A</h2><p>Text.</p></body></html>\n", encoding="utf-8")
    result = import_file(page, ReadOptions())
    assert "LEAKED" not in result.yaml_text and "&a;" not in result.yaml_text
    texts = [b.text.plain() for b in result.document.preamble]  # type: ignore[attr-defined]
    assert texts == ["Smith & Sons keep data."]
    report = [f.message for f in result.findings]
    assert "entity reference '&a;' left out (declared in the DOCTYPE)" in report
    assert not any("'&amp;'" in m for m in report)


def test_a_doctype_subset_costs_linear_time(tmp_path: Path) -> None:
    """review7 F6: the subset's pattern was searched over the whole page: 200 KB of
    '<!DOCTYPE[' took 17 s. Only a DOCTYPE at the start counts, closing within a bound;
    twice the page, about twice the time (CPU time, the best of three)."""
    import time

    times = [float("inf"), float("inf")]
    for _ in range(3):
        for i, size in enumerate((100_000, 200_000)):
            page = tmp_path / f"dos{i}.html"
            page.write_text("<!DOCTYPE[" + "<!DOCTYPE[" * size + "<html><body><h1>T</h1><p>x</p>"
                            + "&x;" * size + "</body></html>", encoding="utf-8")
            started = time.process_time()
            with contextlib.suppress(CompilerError):
                import_file(page, ReadOptions())
            times[i] = min(times[i], time.process_time() - started)
    assert times[1] < 4 * times[0] + 0.2, times
    assert times[1] < 10, times


def test_bare_email_link_target_becomes_mailto(tmp_path: Path) -> None:
    """qa6 N9: '[x@y.org](x@y.org)' was 'unmapped ... left out'."""
    md = tmp_path / "p.md"
    md.write_text("# P\n\nWrite to [privacy@example.org](privacy@example.org) or "
                  "[us](team@example.org).\n", encoding="utf-8")
    result = import_file(md, ReadOptions())
    assert not [f for f in result.findings if f.kind == "unmapped"]
    from lxml import html as lhtml

    from compiler.importer.verify import built_html

    page = lhtml.document_fromstring(built_html(result.document))
    hrefs = page.xpath("//div[@class='body']//p//a/@href")
    assert hrefs == ["mailto:privacy@example.org", "mailto:team@example.org"]


def test_url_variable_names_do_not_repeat_words() -> None:
    """qa6 N9: basecamp.com/.../basecamp-gdpr-dpa.pdf was {basecamp_basecamp_gdpr_dpa_pdf_url}."""
    result = import_file(IMPORT / "basecamp-privacy.md", ReadOptions(), variables=True)
    names = [v.name for v in result.document.variables]
    assert "basecamp_gdpr_dpa_pdf_url" in names
    assert not any(re.search(r"(?:^|_)(\w+)_\1(?:_|$)", n) for n in names), names


def test_verify_accepts_a_note_whose_label_the_reader_dropped(tmp_path: Path) -> None:
    """A Markdown block quote opening with '**Note:**' becomes an info note without the word
    (review7 F4, as for plain text): verify finds its sentence; a lost note text is missing."""
    md = tmp_path / "n.md"
    md.write_text("# Acme Privacy Policy\n\n## Scope\n\nWe keep your data safe.\n\n"
                  "> **Note:** we never sell data.\n\n> **Warning:** we log access.\n\n"
                  "Note: this paragraph is no note.\n", encoding="utf-8")
    doc = import_file(md, ReadOptions()).document
    fidelity = verify(md, "markdown", md.read_bytes(), doc)
    assert fidelity.found == fidelity.total == 6, fidelity.misses
    lost = md.read_text(encoding="utf-8").replace("we never sell", "we sell")
    md.write_text(lost, encoding="utf-8")  # imported without 'never', verified with it
    fidelity = verify(md, "markdown", md.read_bytes().replace(b"we sell", b"we never sell"),
                      import_file(md, ReadOptions()).document)
    assert fidelity.misses == ("missing: 'Note: we never sell data.'",)
