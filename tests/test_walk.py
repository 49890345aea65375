"""model/walk.py: the one typed traversal. Reading (rich_fields) and rebuilding (rebuild_*,
map_rich) visit the same strings in the same order, put every rebuilt string back where it
was, and a node type the traversal forgets is a type error."""

from __future__ import annotations

import dataclasses
import re
import subprocess
import sys
from pathlib import Path

import pytest

from compiler.model import (
    CallToAction,
    Code,
    Emphasis,
    Link,
    Placeholder,
    Ref,
    Rich,
    Strong,
    Text,
)
from compiler.model.walk import Rebuild, inlines, map_rich, rebuild_document, rich_fields
from compiler.readers import read_file
from tests.helpers import FIXTURES, ROOT

DOCUMENTS = sorted([*ROOT.glob("source/*.yaml"), *FIXTURES.glob("legal/**/*.yaml"),
                    *FIXTURES.glob("redline/*/*/source/*.yaml")])


def _marked(rich: Rich) -> Rich:
    return dataclasses.replace(rich, source=f"<{rich.source}>")


def test_the_documents_cover_every_kind_of_string() -> None:
    """The documents below hold every node type that carries a string."""
    kinds = {type(node).__name__ for path in DOCUMENTS for section in
             read_file(path).walk_sections() for node in (*section.blocks, section)}
    assert {"Paragraph", "ItemList", "Note", "Contact", "CallToAction", "Table",
            "Definitions", "Address", "Section"} <= kinds


@pytest.mark.parametrize("path", DOCUMENTS, ids=lambda p: str(p.relative_to(ROOT)))
def test_rebuilding_visits_the_strings_reading_yields(path: Path) -> None:
    doc = read_file(path)
    seen: list[Rich] = []

    def keep(rich: Rich) -> Rich:
        seen.append(rich)
        return rich

    assert rebuild_document(doc, Rebuild(keep)) == doc
    expected = list(rich_fields(doc))
    assert expected, "a document has strings"
    assert len(seen) == len(expected)
    assert all(a is b for a, b in zip(seen, expected, strict=True)), "same strings, same order"
    # every rebuilt string lands where it was read, and nothing else changes
    rebuilt = rebuild_document(doc, Rebuild(_marked))
    assert [r.source for r in rich_fields(rebuilt)] == [f"<{r.source}>" for r in expected]
    assert [s.id for s in rebuilt.walk_sections()] == [s.id for s in doc.walk_sections()]
    assert rebuilt.variables is doc.variables
    # parts of a document: blocks, list items, table rows, one by one
    for section in doc.walk_sections():
        for block in section.blocks:
            assert list(rich_fields(map_rich(block, _marked))) == [
                _marked(r) for r in rich_fields(block)]


def test_a_call_to_actions_href_goes_through_its_own_door() -> None:
    doc = read_file(next(p for p in DOCUMENTS if "cta:" in p.read_text(encoding="utf-8")))
    rebuilt = rebuild_document(doc, Rebuild(lambda r: r, href=lambda href, loc: f"{href}#x"))
    before = [b for s in doc.walk_sections() for b in s.blocks if isinstance(b, CallToAction)]
    after = [b for s in rebuilt.walk_sections() for b in s.blocks
             if isinstance(b, CallToAction)]
    assert before
    assert [b.href for b in after] == [f"{b.href}#x" for b in before]


def test_inlines_in_reading_order_without_reference_labels() -> None:
    code, placeholder = Code("x"), Placeholder("p")
    link = Link("{url}", (placeholder,))
    emphasis = Emphasis((code,))
    strong = Strong((emphasis, link))
    ref = Ref("fees", (Text("Section 2"),))
    walked = list(inlines((Text("a "), strong, ref)))
    assert walked == [Text("a "), strong, emphasis, code, link, placeholder, ref]
    assert Text("Section 2") not in walked  # written by localization, not the string's markup


PROBES = {  # (function, the case line removed): each must leave assert_never reachable
    "rich_fields": "        case Address():\n            yield from rich_fields(node.lines)\n",
    "rebuild_block": ("        case Address():\n"
                      "            return dataclasses.replace(block, lines=m.strings(block.lines))\n"),
    "_rebuild": "        case Definition():\n            return rebuild_definition(node, m)\n",
    "inlines": "            case Text() | Placeholder() | Code() | Ref():\n                pass\n",
}


def test_a_forgotten_node_type_is_a_type_error(tmp_path: Path) -> None:
    """mypy rejects the traversal with any one case removed, and accepts it whole."""
    source = (ROOT / "compiler" / "model" / "walk.py").read_text(encoding="utf-8")
    files = {"whole": source}
    for name, case in PROBES.items():
        assert source.count(case) == 1, f"{name}: the probed case is in walk.py once"
        files[name] = source.replace(case, "")
    for name, text in files.items():
        (tmp_path / f"probe_{name}.py").write_text(text, encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--no-incremental", "--cache-dir", str(tmp_path / "c"),
         *sorted(str(p) for p in tmp_path.glob("probe_*.py"))],
        cwd=ROOT, capture_output=True, text=True, check=False)
    errors = re.findall(r"probe_(\w+)\.py:(\d+): error: (.*)", result.stdout)
    assert result.returncode == 1, result.stdout + result.stderr
    flagged = {name for name, _line, message in errors if '"assert_never"' in message}
    assert flagged == set(PROBES), result.stdout
    assert {name for name, _line, _message in errors} == set(PROBES), result.stdout


EXTRACTED = sorted({*DOCUMENTS, *FIXTURES.glob("project/source/*.yaml")})


@pytest.mark.parametrize("path", EXTRACTED, ids=lambda p: str(p.relative_to(ROOT)))
def test_extraction_visits_the_strings_reading_yields(path: Path) -> None:
    """i18n/extract.py's `roles` walks the tree itself, to say what each string is (a heading
    of its level, a numbered list item, a callout of its kind): the same strings, the same
    objects, in the same order as the one traversal."""
    from compiler.i18n.extract import roles

    doc = read_file(path)
    extracted = [rich for rich, _ in roles(doc)]
    expected = list(rich_fields(doc))
    assert len(extracted) == len(expected)
    assert all(a is b for a, b in zip(extracted, expected, strict=True)), "same strings, same order"
