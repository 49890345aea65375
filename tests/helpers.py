"""Shared test helpers: the seed's sentences and text normalization for independent readers."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
SEED = FIXTURES / "seed" / "infinitydesk-privacy-policy.txt"
POLICY = ROOT / "source" / "privacy-policy.yaml"
BROWSER = ROOT / "tests" / "browser"
VNU = BROWSER / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
REQUIRE_TOOLS = "POLICYC_REQUIRE_TOOLS"  # set by `make test`: a missing tool fails the test


def require_tools(*tools: str) -> None:
    """Skip when a checking tool is missing, or fail under `make test` (POLICYC_REQUIRE_TOOLS=1),
    so that a machine without them never passes the accessibility checks silently."""
    present = {"java": lambda: shutil.which("java"), "node": lambda: shutil.which("node"),
               "vnu": VNU.exists, "chromium": Path("/usr/bin/chromium").exists,
               "soffice": lambda: shutil.which("soffice"),
               "pdftoppm": lambda: shutil.which("pdftoppm")}
    missing = [t for t in tools if not present[t]()]
    if missing:
        message = (f"missing {', '.join(missing)}: make test installs LibreOffice, poppler-utils, "
                   "vnu-jar, axe-core, playwright-core and chromium")
        if os.environ.get(REQUIRE_TOOLS) == "1":
            pytest.fail(message)
        pytest.skip(message)



def seed_lines() -> list[str]:
    """Every heading, sentence and list item of the original text, e-mails restored."""
    lines = []
    privacy, dpo = "privacy@infinitydesk.com", "dpo@infinitydesk.com"
    for raw in SEED.read_text(encoding="utf-8").splitlines():
        line = raw.replace("\u00a0", " ").strip().lstrip("•").strip()
        if not line:
            continue
        if line.startswith("Data Protection Officer:"):
            line = line.replace("[email protected]", dpo)
        line = line.replace("[email protected]", privacy)
        lines.append(line)
    return lines


QUOTES = str.maketrans("\u2018\u2019\u201c\u201d\u201e", "''\"\"\"")


def squash(text: str) -> str:
    """Compare text across layouts: no whitespace, no hyphens (line-break hyphenation)."""
    text = re.sub("[\u00ad\u200e\u200f\u202a-\u202e\u2066-\u2069]", "", text)  # bidi marks
    text = text.translate(QUOTES)  # locale typography: the source's straight quotes curled
    return re.sub(r"[\s\-\u2010\u2011]+", "", text)


def pdftotext(path: Path, raw: bool = False) -> str:
    """poppler's text; raw keeps drawing order, so a wrapped table cell stays in one piece."""
    return subprocess.run(["pdftotext", "-enc", "UTF-8", *(["-raw"] if raw else []), str(path),
                           "-"], check=True, capture_output=True, text=True).stdout


CONTACT_LABELS = ("Email", "Data Protection Officer", "Address", "Support Portal", "Phone")


def missing_lines(text: str, lines: list[str]) -> list[str]:
    """Seed lines not found; a contact line ('Email: x') may show its label and value apart."""
    hay = squash(text)
    missing = []
    for line in lines:
        label, _, value = line.partition(": ")
        if label in CONTACT_LABELS and value:
            if squash(label) not in hay or squash(value) not in hay:
                missing.append(line)
        elif squash(line) not in hay:
            missing.append(line)
    return missing


def start_server(cwd: Path, *args: str) -> tuple[subprocess.Popen[str], str]:
    """`policyc serve --port 0 ARGS` in cwd, and the URL it says it serves at."""
    import os
    import sys
    import time

    server = subprocess.Popen(
        [sys.executable, "-m", "compiler", "serve", "--port", "0", *args], cwd=cwd,
        stderr=subprocess.PIPE, text=True,
        env={"PYTHONPATH": str(ROOT), "PATH": os.environ["PATH"], "PYTHONUNBUFFERED": "1"})
    assert server.stderr is not None
    url, deadline = "", time.monotonic() + 60
    while not url and time.monotonic() < deadline:
        m = re.search(r"at (http://127\.0\.0\.1:\d+/)", server.stderr.readline())
        url = m.group(1) if m else ""
    if not url:
        server.terminate()
        raise AssertionError("server did not start")
    return server, url


def stop_server(server: subprocess.Popen[str]) -> None:
    server.terminate()
    server.wait(timeout=10)
    if server.stderr is not None:
        server.stderr.close()


def set_translation(po: Path, context: str, msgid: str, msgstr: str,
                    fuzzy: bool = False) -> int:
    """Edit one translation as a translator's tool would; returns its PO line (the msgid's)."""
    from compiler.i18n import pofile

    catalog = pofile.parse(po.read_bytes(), str(po))
    message = catalog.get(context, msgid)
    assert message is not None, (context, msgid)
    message.msgstr = msgstr
    message.set_fuzzy(fuzzy)
    po.write_bytes(pofile.write(catalog))
    found = pofile.parse(po.read_bytes(), str(po)).get(context, msgid)
    assert found is not None
    return found.line


def msgstr_line(po: Path, context: str, msgid: str) -> int:
    """The PO line of a message's msgstr (where a broken translation is reported), found by
    reading the file's lines, not by policyc's parser."""
    lines = po.read_text(encoding="utf-8").splitlines()
    quoted = '"' + msgid.replace("\\", "\\\\").replace('"', '\\"') + '"'
    for number, line in enumerate(lines):
        if line == f'msgctxt "{context}"' and lines[number + 1] == f"msgid {quoted}":
            return next(n + 1 for n in range(number + 1, len(lines))
                        if lines[n].startswith("msgstr"))
    raise AssertionError((context, msgid))


def run_cli(cwd: Path, *args: str) -> tuple[int, str]:
    """policyc ARGS run in cwd, in this process; a traceback fails the test."""
    import os

    from click.testing import CliRunner

    from compiler.cli import main

    old = Path.cwd()
    os.chdir(cwd)
    try:
        result = CliRunner().invoke(main, list(args))
    finally:
        os.chdir(old)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, result.output
