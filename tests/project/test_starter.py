"""`policyc init --source-locale xx` writes its starter policy in xx where policyc has one."""

from __future__ import annotations

from pathlib import Path

import lxml.html
import pytest

from compiler.project.starter import STARTERS
from tests.helpers import run_cli


def _init(root: Path, *args: str) -> tuple[int, str]:
    return run_cli(root, "init", "proj", "--organization", "Beispiel GmbH", *args)


def test_a_german_source_gets_a_german_starter(tmp_path: Path) -> None:
    code, out = _init(tmp_path, "--source-locale", "de", "--locale", "en")
    assert code == 0, out
    project = tmp_path / "proj"
    code, out = run_cli(project, "build", "--locale", "de", "--format", "html")
    assert code == 0, out
    page = lxml.html.fromstring((project / "dist" / "de" / "privacy-policy.html").read_bytes())
    main = page.xpath("//main")[0]
    texts = [" ".join(e.text_content().split()) for e in main.xpath(".//h1|.//h2|.//li|.//p")]
    assert texts[0] == "Datenschutzerklärung"
    assert "Erheben: nur, was wir brauchen." in texts
    assert "Diese Richtlinie erklärt, wie Beispiel GmbH mit den Themen umgeht, die sie regelt." \
        in texts
    assert "Fragen? Schreiben Sie an legal@example.com." in texts
    shown = " ".join(texts)
    assert not [s for s in STARTERS["en"] if s.replace("**", "").split("{")[0] in shown]
    # the English catalog asks for the German text
    pot = (project / "locales" / "privacy-policy.pot").read_text(encoding="utf-8")
    assert 'msgid "Was wir tun"' in pot and 'msgid "What We Do"' not in pot


@pytest.mark.parametrize("code", sorted(set(STARTERS) - {"en"}))
def test_every_starter_reads_and_builds(tmp_path: Path, code: str) -> None:
    """Each shipped starter is valid YAML and a valid policy (quotes where its text needs
    them: a French ' : ', a leading '¿'), and checks strictly."""
    assert _init(tmp_path, "--source-locale", code)[0] == 0
    code_, out = run_cli(tmp_path / "proj", "check", "--strict")
    assert code_ == 0, out
    text = (tmp_path / "proj" / "source" / "privacy-policy.yaml").read_text(encoding="utf-8")
    assert STARTERS[code].keep_text in text and STARTERS["en"].keep_text not in text


def test_the_english_starter_and_a_language_without_one(tmp_path: Path) -> None:
    assert _init(tmp_path)[0] == 0
    en = (tmp_path / "proj" / "source" / "privacy-policy.yaml").read_text(encoding="utf-8")
    assert "title: \"Privacy Policy\"\n" in en
    assert "\n      - paragraph: Questions? Write to {contact_email}.\n" in en
    code, out = run_cli(tmp_path, "init", "it", "--source-locale", "it")
    assert code == 0, out
    assert ("created it/source/privacy-policy.yaml (its text is English: policyc has no starter "
            "text in Italian; write yours in it)") in out
    it = (tmp_path / "it" / "source" / "privacy-policy.yaml").read_text(encoding="utf-8")
    assert it == en.replace("source_locale: en ", "source_locale: it ").replace(
        "locales: [en]", "locales: [it]").replace('"Beispiel GmbH"', '"Example Inc."')
