"""The one link policy, enforced after localization for every origin of a link target."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from compiler import links
from compiler.errors import CompilerError
from compiler.i18n.localize import localize
from compiler.model import Variable, VarKind
from compiler.readers.yaml import load_text

ALLOWED = ["https://example.com/a?b#c", "http://example.com", "mailto:dpo@example.com",
           "tel:+49301234", "#data-retention"]
REFUSED = ["javascript:alert(1)", "JavaScript:alert(1)", "data:text/html,x", "file:///etc/passwd",
           "vbscript:x", "//evil.example/", "relative/page.html", " https://x.example",
           "java\tscript:alert(1)", "https:\\\\evil.example", "https://", "http:///path",
           "https://x.example/\u202egpj.exe", "mailto:", "tel:call-me", "#", "#a b", "",
           "http://[::1", "ftp://example.com/"]


@pytest.mark.parametrize("href", ALLOWED)
def test_allowed_targets(href: str) -> None:
    assert links.problem(href) is None


@pytest.mark.parametrize("href", REFUSED)
def test_refused_targets(href: str) -> None:
    assert links.problem(href) is not None


DOC = """\
id: links
title: Links
version: 1.0.0
updated: 2025-01-01
effective: 2025-01-01
source_locale: en
locales: [en]
organization: Example
variables:
  portal: "https://portal.example/"
  mail: {email: dpo@example.com}
sections:
  - id: one
    title: One
    blocks:
      - "See [the portal]({portal}) or write to {mail}."
      - cta: {title: Go, text: Now, action: Open, href: "{portal}"}
"""


def test_text_variable_as_target_is_refused_at_check(tmp_path: Path) -> None:
    with pytest.raises(CompilerError) as err:
        load_text(DOC.replace("https://portal.example/", "javascript:alert(1)"), "s.yaml")
    refused = ("link target 'javascript:alert(1)' is not allowed: scheme 'javascript:' is not "
               "allowed (expected https://, http://, mailto:, tel: or #section-id) (from "
               "variable 'portal' defined at s.yaml:10:11)")
    assert [str(d) for d in err.value.diagnostics] == [
        f"s.yaml:16:9: error: {refused}",  # the inline link
        f"s.yaml:17:57: error: {refused}"]  # the CTA href


def test_localization_judges_every_final_target() -> None:
    """Whatever reaches localize (a cached model, a redline revision), the policy holds."""
    doc = load_text(DOC, "s.yaml")
    evil = [dataclasses.replace(v, kind=VarKind.TEXT, value="data:text/html,x")
            if v.name == "portal" else v for v in doc.variables]
    evil_doc = dataclasses.replace(doc, variables=tuple(evil))
    _, diag = localize(evil_doc, "en", None)
    found = [str(d) for d in diag.errors]
    assert len(found) == 2, found  # the inline link and the CTA
    assert all("'data:text/html,x' is not allowed" in m and "variable 'portal'" in m
               for m in found)
    bad_mail: list[Variable] = [dataclasses.replace(v, value="x@y.example\u0000")
                                if v.name == "mail" else v for v in doc.variables]
    _, diag = localize(dataclasses.replace(doc, variables=tuple(bad_mail)), "en", None)
    assert [str(d) for d in diag.errors] == [
        "s.yaml:16:9: error: link target 'mailto:x@y.example\\x00' is not allowed: link target "
        "contains the invisible character U+0000 at position 19 (expected a plain https://, "
        "http://, mailto:, tel: or #section-id target) (from variable 'mail' defined at "
        "s.yaml:11:9)"]


def test_base_url_must_be_http() -> None:
    with pytest.raises(CompilerError) as err:
        load_text(DOC.replace("organization: Example\n",
                              "organization: Example\nbase_url: javascript:alert(1)\n"), "s.yaml")
    assert "s.yaml:9:11: error: base_url: 'javascript:alert(1)' is not allowed" in str(err.value)
    doc = load_text(DOC, "s.yaml")
    evil = dataclasses.replace(doc, meta=dataclasses.replace(doc.meta, base_url="file:///x"))
    _, diag = localize(evil, "en", None)
    assert "base_url \"file:///x\" is not allowed" in str(diag.errors[0])


def test_autolink_never_links_a_refused_target() -> None:
    from compiler.inline import parse_inline
    from compiler.model import Link

    nodes, _ = parse_inline("go to https://\u202eevil.example now")
    assert not any(isinstance(n, Link) for n in nodes)


def test_base_url_option_is_judged_too(tmp_path: Path) -> None:
    from compiler.build import BuildOptions, build
    from tests.helpers import FIXTURES

    with pytest.raises(CompilerError, match=r"--base-url: error: 'javascript:x' is not allowed"):
        build([FIXTURES / "project" / "source" / "retention-schedule.yaml"],
              BuildOptions(out=tmp_path, formats=("html",), base_url="javascript:x"))


def test_redline_refuses_a_new_version_with_an_injected_link(tmp_path: Path) -> None:
    """policyc diff localizes both versions, so the same policy holds for redlines."""
    import subprocess
    import sys

    from tests.helpers import FIXTURES, ROOT

    old = FIXTURES / "project" / "source" / "retention-schedule.yaml"
    new = tmp_path / "source" / "retention-schedule.yaml"
    new.parent.mkdir()
    new.write_text(old.read_text().replace('portal: {url: "https://portal.example.com/"}',
                                           'portal: "javascript:alert(1)"').replace(
        "Confirm at {portal}.", "Confirm at [the portal]({portal})."))
    proc = subprocess.run([sys.executable, "-m", "compiler", "diff", str(old), str(new),
                           "--out", str(tmp_path / "out"), "--locale", "en"], cwd=ROOT,
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 1, proc.stderr
    assert "link target 'javascript:alert(1)' is not allowed" in proc.stderr
    assert "internal error" not in proc.stderr
    assert not list((tmp_path / "out").rglob("*.redline.*"))
