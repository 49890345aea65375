"""`policyc init`: the files of a new policy project, planned purely; existing files are kept.

The scaffold is a working project: `policyc build` right after `init` succeeds. The starter
policy teaches the format in comments; each translation locale gets its catalog (with
policyc's own labels already translated where policyc ships them).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
from dataclasses import dataclass
from pathlib import Path
from string import Template

from compiler.errors import Category, CompilerError, Diagnostics, Loc, display_path
from compiler.names import ID_PATTERN
from compiler.project.layout import CACHE_DIR, CONFIG_NAME, LOCALES_DIR, OUT_DIR, SOURCE_DIR
from compiler.project.starter import STARTERS, starter, yaml_values

CONFIG = Template("""\
# policyc project config (`policyc schema --config` prints its JSON Schema, for editors).
# Command-line options and POLICYC_* environment variables override these values.

[build]
out = "$out"
formats = ["html", "pdf", "docx"]
# locales = ["en"]            # default: every locale a source lists
# page-size = "A4"            # or "Letter"
# base-url = "https://example.com/legal"   # where dist/ is published (canonical links)

[theme]
# logo = "brand/logo.svg"     # SVG or PNG: web header, PDF title, DOCX header
# primary = "#1F5F99"         # headings and rules
# accent = "#0A7D6E"          # links
# footer = "$organization · legal@example.com"

[variables]
# Facts every document shares, used in text as {name}; a document's own variables win.
company = "$organization"
# legal_email = { email = "legal@example.com", comment = "Mailbox of the legal team" }
""")

SOURCE = Template("""\
# yaml-language-server: $$schema=policy.schema.json
# A starter policy. Edit the text; `policyc build` writes dist/<locale>/$id.html|pdf|docx.
# Translations live in locales/<locale>/LC_MESSAGES/$id.po (run `policyc locale update`
# after editing). Every key is described in policy.schema.json (`policyc schema`).
id: $id                      # stable: output file names and the catalogs' name
title: $title
version: 1.0.0               # semantic version of this text
updated: $today              # date of the last change (every date in the outputs comes from here)
effective: $today            # date the text takes effect
source_locale: $source_locale             # the language this file is written in
locales: [$locales]
organization: $organization
description: $description

# Facts written once and used in text as {name}. Plain strings are text; typed values
# ({email: ...}, {url: ...}, {phone: ...}, {date: ...}, {duration: 30 days}, {number: 16})
# are formatted for each locale and become links where they can. [variables] in
# policyc.toml holds the facts every document shares ({company} comes from there).
variables:
  contact_email: {email: legal@example.com, comment: "Where readers send questions"}
  notice_period: {duration: 30 days}

# The version history, shown as a table at the end of every format.
changes:
  - version: 1.0.0
    date: $today
    summary: $summary
    material: no

# Sections nest to any depth; each has a stable kebab-case id (its anchor and its
# translations' context). Blocks are paragraphs, bullets:, numbered:, note:, contact:,
# cta: and table:. Inline markup: **bold**, *italic*, [label](https://...), {variable}.
sections:
  - id: introduction
    title: $introduction
    blocks:
      - paragraph: $explains
      - note: $notice
        kind: important

  - id: what-we-do
    title: $what_we_do
    comment: $comment
    blocks:
      - bullets:
          - term: $collect
            text: $collect_text
          - term: $keep
            text: $keep_text

  - id: contact
    title: $contact
    blocks:
      - paragraph: $questions
""")

def gitignore(out: str = OUT_DIR) -> str:
    """policyc's .gitignore lines: the output folder, the caches, compiled catalogs."""
    return f"# policyc outputs and caches\n/{out}/\n{CACHE_DIR}/\n*.mo\n"


WORKFLOW = Template("""\
# Builds every document on each push and verifies the outputs against the manifest.
name: policies
on: [push, pull_request]
env:
  # What pip installs as policyc: $install_note.
  # Keep it pinned (a version, a commit or a file's hash) so CI builds with the policyc
  # that you tested; e.g. "policyc @ git+https://git.example.com/tools/policyc@<commit>",
  # or a wheel kept in this repository: "./tools/policyc-$version-py3-none-any.whl".
  POLICYC_PACKAGE: $install
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-python@v5
        with:
          python-version: "3.12"
      - name: System libraries (Pango for PDF, Noto fonts)
        run: |
          sudo apt-get update
          sudo apt-get install -y libpango-1.0-0 libpangoft2-1.0-0 fonts-noto-core fonts-noto-cjk
      - name: policyc (POLICYC_PACKAGE above)
        run: |
          if [ -z "$$POLICYC_PACKAGE" ]; then
            echo "::error::set POLICYC_PACKAGE (env, at the top of this file) to a policyc to install"
            exit 1
          fi
          pip install "$$POLICYC_PACKAGE"
          policyc --version
      - run: policyc check --strict
      - run: policyc locale status
      - run: policyc build
      - run: policyc verify --manifest $out/manifest.json --allow-unsigned
      - uses: actions/upload-artifact@v4
        with:
          name: policies
          path: $out/
""")


@dataclass(frozen=True)
class Scaffold:
    root: Path
    doc_id: str
    title: str
    source_locale: str
    locales: tuple[str, ...]  # the source locale first
    organization: str
    out: str = OUT_DIR  # the output folder, relative to root (an existing config's [build] out)

    @property
    def source(self) -> Path:
        return self.root / SOURCE_DIR / f"{self.doc_id}.yaml"

    def files(self, today: dt.date) -> dict[Path, str]:
        """Every file but the catalogs (made from the starter source once it is written)."""
        text = starter(self.source_locale) or STARTERS["en"]
        values = {**yaml_values(text), "id": self.doc_id, "title": _yaml_text(self.title),
                  "source_locale": self.source_locale, "locales": ", ".join(self.locales),
                  "organization": _yaml_text(self.organization), "today": today.isoformat(),
                  "out": self.out}
        from compiler.readers.schema import json_schema

        toml_values = {**values, "organization": _toml_text(self.organization)}
        install, note = install_spec()
        from compiler import __version__

        if not install:
            note = f"none yet ({note}); the workflow stops at its policyc step until this is set"
        workflow = {**values, "install": json.dumps(install), "install_note": note, "version": __version__}
        return {
            self.root / CONFIG_NAME: CONFIG.substitute(toml_values),
            self.source: SOURCE.substitute(values),
            self.root / SOURCE_DIR / "policy.schema.json":
                json.dumps(json_schema(), indent=2, ensure_ascii=False) + "\n",
            self.root / ".gitignore": gitignore(self.out),
            self.root / ".github" / "workflows" / "policies.yml": WORKFLOW.substitute(workflow),
        }

    def catalogs(self) -> list[Path]:
        """The templates, then each locale's catalogs (the document's and policyc.po)."""
        from compiler.i18n.catalogs import UI_DOMAIN, po_path, pot_path

        folder = self.root / LOCALES_DIR
        return [pot_path(folder, UI_DOMAIN), pot_path(folder, self.doc_id),
                *(po_path(folder, code, domain) for code in self.locales[1:]
                  for domain in (UI_DOMAIN, self.doc_id))]


def plan(root: Path, doc_id: str | None, title: str | None, source_locale: str,
         locales: tuple[str, ...], organization: str | None) -> Scaffold:
    """Check the arguments (every problem at once) and name the project's files."""
    from babel import localedata

    from compiler.readers.cldr import did_you_mean  # (codes in CLDR spelling: cli/init.py)

    diag = Diagnostics()
    doc_id = doc_id or (_slug(title) if title else "privacy-policy")
    if not re.fullmatch(ID_PATTERN, doc_id):
        diag.error(Loc("--id"), f"invalid document id '{doc_id}' (expected lowercase words "
                   "joined by '-', e.g. cookie-policy)")
    codes = tuple(dict.fromkeys((source_locale, *locales)))
    for code in codes:
        if not localedata.exists(code):
            diag.error(Loc("--locale"), f"unknown locale '{code}' (expected a CLDR code such "
                       f"as de, pt_BR{did_you_mean(code)})")
    diag.raise_if_errors()
    named = starter(source_locale) if doc_id == "privacy-policy" else None
    title = title or (named.title if named else doc_id.replace("-", " ").title())
    return Scaffold(root, doc_id, title, source_locale, codes,
                    organization or "Example Inc.")


@dataclass(frozen=True)
class Done:
    """What init did with one file: "created", "kept" (it existed: never overwritten),
    "appended" (policyc's lines added to an existing .gitignore), "updated" (a catalog
    template, made again from the source) or "registered" (a locale added to an existing
    source's `locales:`, detail: its code)."""

    path: Path
    action: str
    detail: str = ""


def write(scaffold: Scaffold, today: dt.date, done: list[Done] | None = None) -> list[Done]:
    """Write the files of the project that are missing, in an existing repository too: a file
    that exists is kept as it is (an existing source/<id>.yaml gets its missing catalogs and
    its `locales:` the new codes, as `policyc locale init` would do), an existing .gitignore
    gets the lines policyc needs that it lacks. Refuses only when nothing is left to create.
    What is done goes into `done` as it is done, so a caller can say what was written before
    an error (an existing source that does not read: review6 F9)."""
    from compiler.fs import write_atomic
    from compiler.i18n import workflow
    from compiler.project.config import load
    from compiler.project.layout import find_config, find_layout
    from compiler.readers import read_file

    config = find_config(scaffold.root.resolve())
    existing = load(find_layout(scaffold.root)) if config is not None and \
        config.parent == scaffold.root.resolve() else None  # a broken one: before any write
    if existing is not None:
        scaffold = dataclasses.replace(scaffold, out=_out_folder(existing.build.get("out"),
                                                                 scaffold.root))
    files = scaffold.files(today)
    if existing is not None:
        files.pop(scaffold.root / CONFIG_NAME)  # pyproject.toml's [tool.policyc] is the config
        if not any(v.name == "company" for v in existing.variables):  # the starter text names {company}
            files[scaffold.source] = _own_company(files[scaffold.source], scaffold.organization)
    done = [] if done is None else done
    if config is not None and config.parent == scaffold.root.resolve():
        done.append(Done(config, "kept", "" if config.name == CONFIG_NAME else
                         "its [tool.policyc] table is the project's config"))
    for path, text in files.items():
        if path.name == ".gitignore" and path.is_file():
            missing = _missing_lines(path.read_text(encoding="utf-8", errors="replace"),
                                     scaffold.out)
            if missing:
                _append(path, missing)
                done.append(Done(path, "appended", ", ".join(missing)))
                continue
        if path.exists():
            done.append(Done(path, "kept"))
            continue
        write_atomic(path, text.encode())
        done.append(Done(path, "created", _workflow_note() if path.suffix == ".yml" else
                         _starter_note(scaffold.source_locale) if path == scaffold.source else ""))
    existed = {p for p in scaffold.catalogs() if p.exists()}
    doc = read_file(scaffold.source, load(find_layout(scaffold.root)).variables)
    registered: list[Done] = []
    workflow.write_templates([(doc, scaffold.root / LOCALES_DIR)])  # with no locale too
    for code in scaffold.locales[1:]:  # the layout's words come translated where policyc can
        workflow.init([(doc, scaffold.root / LOCALES_DIR)], code)
        if code not in (doc.meta.source_locale, *doc.meta.locales):  # an existing source
            from compiler.i18n.register import add_locale

            add_locale(scaffold.source, code)
            registered.append(Done(scaffold.source, "registered", code))
    for path in scaffold.catalogs():  # a template (.pot) is made from the source each time
        done.append(Done(path, "created" if path not in existed else
                         "kept" if path.suffix == ".po" else "updated"))
    done.extend(registered)
    if all(d.action in ("kept", "updated") for d in done):
        raise CompilerError.at(Loc(display_path(scaffold.root)), "nothing to create: every file "
                               "of the project exists already (policyc init never overwrites)",
                               Category.IO)
    return done


def _out_folder(out: object, root: Path) -> str:
    """An existing config's output folder as the workflow and .gitignore name it."""
    import os

    if not isinstance(out, (str, Path)):
        return OUT_DIR
    relative = Path(os.path.relpath(Path(out).resolve(), root.resolve()))
    return OUT_DIR if relative.parts[:1] in ((), ("..",), (".",)) else relative.as_posix()


def _missing_lines(text: str, out: str) -> list[str]:
    """The patterns of policyc's .gitignore that an existing one does not hold already."""
    have = {line.strip() for line in text.splitlines()}
    wanted = [line for line in gitignore(out).splitlines() if line and not line.startswith("#")]
    return [line for line in wanted if line not in have and
            line.strip("/") not in {h.strip("/") for h in have}]


def _append(path: Path, lines: list[str]) -> None:
    """Add lines at the end of a file (after a newline if it lacks its last one); the
    existing bytes are kept as they are (no rewrite, line endings untouched)."""
    with path.open("rb") as fh:
        data = fh.read()
    newline = b"\r\n" if b"\r\n" in data else b"\n"
    head = b"" if not data or data.endswith(b"\n") else newline
    text = newline.join([gitignore().splitlines()[0].encode(), *(x.encode() for x in lines)])
    with path.open("ab") as fh:
        fh.write(head + (newline if data.strip() else b"") + text + newline)


def _own_company(source: str, organization: str) -> str:
    """The starter source with {company} among its own variables: the project's existing
    config does not define it."""
    return source.replace("({company} comes from there)", "(this project's has no {company}, "
                          "so it is defined here)", 1).replace(
        "variables:\n", f"variables:\n  company: {_yaml_text(organization)}\n", 1)


def _starter_note(code: str) -> str:
    """Said when the starter text is not in the source locale."""
    if starter(code) is not None:
        return ""
    from compiler.i18n.formatting import babel_locale

    return (f"its text is English: policyc has no starter text in "
            f"{babel_locale(code).english_name}; write yours in it")


def _workflow_note() -> str:
    install, note = install_spec()
    return f"CI installs {install}" if install else f"set its POLICYC_PACKAGE: {note}"


def install_spec() -> tuple[str, str]:
    """What the starter CI workflow installs: the policyc running now, pinned, when CI can
    reach where it came from (pip's record of it, PEP 610 direct_url.json): a git commit, a
    file on the web with its hash, or a version from a package index; else (a local
    checkout or wheel) nothing, and the workflow fails with a message saying what to set.
    Never the bare name: a package of that name on PyPI may not be this project's."""
    import importlib.metadata

    try:
        dist = importlib.metadata.distribution("policyc")
    except importlib.metadata.PackageNotFoundError:
        return "", "policyc runs from a source tree here"
    version = dist.version
    if str(getattr(dist, "_path", "")).endswith(".egg-info"):  # metadata of a checkout
        return "", "policyc runs from a source tree here"
    try:
        recorded = json.loads(dist.read_text("direct_url.json") or "null")
    except ValueError:
        recorded = None
    if not isinstance(recorded, dict):
        return (f"policyc=={version}", f"policyc {version} from a package index, as it was "
                "installed where `policyc init` ran (add --index-url if it is not PyPI)")
    url = str(recorded.get("url", ""))
    vcs = recorded.get("vcs_info")
    if isinstance(vcs, dict) and vcs.get("commit_id") and not url.startswith("file:"):
        return (f"policyc @ {vcs.get('vcs', 'git')}+{url}@{vcs['commit_id']}",
                f"policyc {version} at the commit it was installed from")
    archive = recorded.get("archive_info")
    if url.startswith("https://"):
        digest = archive.get("hash", "") if isinstance(archive, dict) else ""
        return (f"policyc @ {url}" + (f"#{digest}" if digest else ""),
                f"policyc {version} from the file it was installed from")
    return "", (f"policyc {version} was installed from a local folder, which CI cannot reach")


def _slug(title: str) -> str:
    from compiler.names import ascii_letters

    slug = re.sub(r"[^a-z0-9]+", "-", ascii_letters(title).lower()).strip("-") or "policy"
    return slug if slug[0].isalpha() else f"policy-{slug}"


def _yaml_text(text: str) -> str:
    """A YAML scalar that stays text whatever it holds (a colon, a leading #, 'yes')."""
    return json.dumps(text, ensure_ascii=False)


def _toml_text(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)[1:-1]
