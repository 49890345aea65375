"""The warm worker's head start (compiler/build/warm/recipe.py): after a catalog edit the
worker localizes the first PDF itself from the files the build planned. The bytes are a cold
build's through edit after edit; a catalog that fails gives the build's usual diagnostic
and writes nothing of its locale; the worker reads only the files a recipe names, inside
its project, as they were planned."""

from __future__ import annotations

import dataclasses
import hashlib
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from compiler.build import BuildOptions, build
from compiler.build.warm import client
from compiler.build.warm import folder as wf
from compiler.build.warm.recipe import Kitchen, Recipe, Refused
from compiler.errors import CompilerError
from tests.helpers import FIXTURES, pdftotext, run_cli, squash
from tests.test_build_warm import MINUTES, _cache, _cold, _source, warm_project

pytestmark = pytest.mark.skipif(not wf.supported(), reason="the warm worker needs Linux")

CATALOG = Path("locales/de/LC_MESSAGES/retention-schedule.po")
UI_CATALOG = Path("locales/de/LC_MESSAGES/policyc.po")


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    yield from warm_project(tmp_path, monkeypatch)


@pytest.fixture
def sent(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many head starts each build sent (a spy on pipeline.head_start): a test of what
    the worker does with a recipe must first know that one went out."""
    from compiler.build import pipeline

    real, counts = pipeline.head_start, []

    def spy(*args: object) -> object:
        head = real(*args)  # type: ignore[arg-type]
        counts.append(len(head))
        return head

    monkeypatch.setattr(pipeline, "head_start", spy)
    return counts


def _edit(root: Path, old: str, new: str) -> None:
    po = root / CATALOG
    text = po.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    po.write_text(text.replace(old, new), encoding="utf-8")


def _recipes() -> int:
    return _renders()[1]


def _renders() -> tuple[int, int]:
    """(renders, of which from a recipe) of the project's worker so far."""
    found = client.status(_cache())
    assert found is not None, "no warm worker is running"
    return int(found["renders"]), int(found["recipes"])


def test_edit_after_edit_the_worker_localizes_and_gives_the_cold_bytes(project: Path) -> None:
    """Two catalog edits, each rebuilt through the warm worker from a recipe (in a fresh
    process, as `policyc build --keep-warm` runs): every output is a cold build's, and the
    PDF shows the edit. (The worker renders each request in a thread of its own, the later
    ones with the font configuration the first one made: pdf._font_config.)"""
    _cold(project, "warm", keep_warm=MINUTES)  # starts the worker
    before = _recipes()
    outputs = {}
    for n, (old, new, shown) in enumerate([
            ("Plan legt fest", "Plan bestimmt", "Dieser Plan bestimmt"),
            ("vor dem {review_date}", "bis zum {review_date}", "diesen Plan bis zum")]):
        _edit(project, old, new)
        warm = _cold(project, "warm", keep_warm=MINUTES)
        assert _recipes() == before + n + 1  # de's PDF came from the worker's localization
        cold = _cold(project, f"cold{n}")
        assert warm == cold
        text = squash(pdftotext(project / "warm" / "de" / "retention-schedule.pdf"))
        assert squash(shown) in text and squash(old.split(" {")[0]) not in text
        outputs[n] = warm
    assert outputs[0]["de/retention-schedule.pdf"] != outputs[1]["de/retention-schedule.pdf"]
    assert outputs[0]["en/retention-schedule.pdf"] == outputs[1]["en/retention-schedule.pdf"]


def test_a_catalog_that_fails_is_reported_as_without_the_worker(project: Path,
                                                                sent: list[int]) -> None:
    """A broken placeholder: the build's own file:line error, the same with and without
    --keep-warm (the recipe went out: the worker's localization fails as the build's);
    the locale's previous outputs stay as they were, nothing half-written."""
    assert run_cli(project, "-q", "build", "--keep-warm-minutes", str(MINUTES))[0] == 0
    dist = project / "dist"
    kept = {p.name: p.read_bytes() for p in (dist / "de").iterdir()}
    _edit(project, "vor dem {review_date}", "vor dem {review_datum}")
    before = _renders()
    code, warm = run_cli(project, "-q", "build", "--keep-warm-minutes", str(MINUTES))
    assert code == 1
    assert sent[-1] == 1 and _renders() == before  # sent, and the worker rendered nothing
    assert f"{CATALOG}:74:" in warm and "review_datum" in warm, warm  # the msgstr line
    assert {p.name: p.read_bytes() for p in (dist / "de").iterdir()} == kept
    assert not [p for p in dist.rglob("*") if p.suffix == ".tmp"]  # no temporary file
    code, cold = run_cli(project, "-q", "build", "--out", "cold")  # (en built here too)
    assert code == 1

    def errors(output: str) -> list[str]:
        return [line.split("; built:")[0] for line in output.splitlines() if "error" in line]

    assert errors(warm) == errors(cold) and len(errors(warm)) == 3


def test_a_rewritten_header_rebuilds_the_pdf_from_a_recipe_and_keeps_the_rest(
        project: Path) -> None:
    """The head start goes out before the cutoff reads the catalogs: a header-only rewrite
    (a translator's tool) still keeps de's HTML and DOCX, and re-renders only its PDF (which
    carries the catalog), from a recipe, with a cold build's bytes."""
    options = BuildOptions(out=project / "warm", keep_warm=MINUTES, jobs=2)
    build([_source(project)], options)
    before = _recipes()
    _edit(project, "PO-Revision-Date: 2025-03-01 00:00", "PO-Revision-Date: 2025-04-01 09:30")
    result = build([_source(project)], options)
    assert sorted(o.path.name for o in result.outputs if o.built) == ["retention-schedule.pdf"]
    assert [o.locale for o in result.outputs if o.built] == ["de"]
    assert _recipes() == before + 1
    warm = {o.path.relative_to(project / "warm").as_posix():
            hashlib.sha256(o.path.read_bytes()).hexdigest() for o in result.outputs}
    assert warm == _cold(project, "cold")


def test_strict_warnings_fail_the_recipe_too(project: Path, sent: list[int]) -> None:
    """With --strict an untranslated message fails the locale: the worker, localizing as
    strictly from the recipe it was sent, renders nothing for it (the build does not wait
    for a PDF it cannot use)."""
    _cold(project, "warm", keep_warm=MINUTES)
    before = _renders()
    _edit(project, 'msgstr "Plan"', 'msgstr ""')
    with pytest.raises(CompilerError, match="untranslated"):
        build([_source(project)], BuildOptions(out=project / "warm", keep_warm=MINUTES,
                                               strict=True, jobs=2))
    assert sent[-1] == 1 and _recipes() == before[1]  # (other locales' PDFs: rendered)


def _recipe(root: Path, **changes: object) -> Recipe:
    def digest(path: Path) -> str:
        return hashlib.sha256(path.read_bytes()).hexdigest()

    recipe = Recipe(_source(root), digest(_source(root)), "de", root / "locales",
                    ((root / CATALOG, digest(root / CATALOG)),
                     (root / UI_CATALOG, digest(root / UI_CATALOG))), variables=(),
                    strict=False, alternates=("en", "de"), max_units=400)
    return dataclasses.replace(recipe, **changes)


@pytest.fixture
def kitchen(tmp_path: Path) -> tuple[Kitchen, Path]:
    root = tmp_path / "project"
    import shutil

    shutil.copytree(FIXTURES / "project", root)
    return Kitchen(root, tmp_path / "cache"), root


def test_a_recipe_localizes_as_the_build_and_keeps_what_it_parsed(
        kitchen: tuple[Kitchen, Path]) -> None:
    """The worker's localized document and render options (the language switcher added) are
    the build's; the source is parsed once, an edited catalog again."""
    from compiler.build.localizing import localize_checked
    from compiler.build.plan import render_options
    from compiler.project.sources import Facts
    from compiler.readers import read_file

    cook, root = kitchen
    doc = read_file(_source(root))
    ropts = render_options(Facts.of(doc), _source(root), "de", root / "locales", BuildOptions())
    unnamed = render_options(Facts.of(doc), _source(root), "de", root / "locales",
                             BuildOptions(), named=False)
    assert unnamed.alternates == () and ropts.alternates
    ldoc, followed = cook.follow(_recipe(root), unnamed)
    assert followed == ropts
    assert ldoc == localize_checked(doc, "de", root / "locales", False)[0]
    assert cook.localized(_recipe(root)) == ldoc
    assert len(cook.sources) == 1 and len(cook.catalogs) == 2
    _edit(root, "Plan legt fest", "Plan bestimmt")
    edited = cook.localized(_recipe(root))
    assert edited != ldoc and len(cook.sources) == 1 and len(cook.catalogs) == 3


def test_a_recipe_reads_only_planned_named_files_inside_its_project(
        kitchen: tuple[Kitchen, Path], tmp_path: Path) -> None:
    cook, root = kitchen
    planned = _recipe(root)
    _edit(root, "Plan legt fest", "Plan bestimmt")  # changed since the build planned
    with pytest.raises(Refused, match="changed since the build planned"):
        cook.localized(planned)
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "x.yaml").write_bytes(_source(root).read_bytes())
    with pytest.raises(Refused, match="outside the worker's project"):
        cook.localized(_recipe(root, source=outside / "x.yaml"))
    link = root / "source" / "linked.yaml"
    link.symlink_to(outside / "x.yaml")
    with pytest.raises(Refused, match="outside the worker's project"):
        cook.localized(_recipe(root, source=link))
    with pytest.raises(Refused, match="outside the worker's project"):
        cook.localized(_recipe(root, catalogs=((Path("/etc/passwd"), ""),)))
    recipe = _recipe(root)
    with pytest.raises(Refused, match="the build named catalogs"):  # the UI catalog unnamed
        cook.localized(dataclasses.replace(recipe, catalogs=recipe.catalogs[:1]))
    with pytest.raises(Refused, match="long document"):
        cook.localized(_recipe(root, max_units=3))


def test_a_worker_of_another_project_follows_none_of_its_recipes(
        project: Path, tmp_path: Path) -> None:
    """Two projects sharing one cache folder (POLICYC_CACHE_DIR): the worker, started by
    the first, takes the second's localized documents, never its recipes."""
    import shutil

    _cold(project, "warm", keep_warm=MINUTES)
    other = tmp_path / "other"
    shutil.copytree(FIXTURES / "project", other)
    _edit(other, "Plan legt fest", "Plan bestimmt")
    before = _recipes()
    assert _cold(other, "warm", keep_warm=MINUTES) == _cold(other, "cold")
    assert _recipes() == before
    assert client.status(_cache())["root"] == str(project.resolve())  # type: ignore[index]
    assert os.environ["POLICYC_CACHE_DIR"]


def _change(root: Path, saved: str, old: str, new: str) -> None:
    path = _source(root) if saved == "source" else root / CATALOG
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new), encoding="utf-8")


@pytest.mark.parametrize(("saved", "variant"), [("catalog", None), ("source", None),
                                                ("catalog", "pdf/a-3a")])
def test_a_file_saved_during_the_build_never_leaves_an_old_pdf(
        project: Path, monkeypatch: pytest.MonkeyPatch, saved: str, variant: str | None
        ) -> None:
    """A file saved after the worker read it for its head start and before the build read
    it: the worker's PDF (the old text) is not used, the build renders its own, so the PDF
    says what the HTML says, and is a cold build's; the next build keeps it so (a PDF that
    carries no catalogs used to be kept stale for good by the early cutoff)."""
    import subprocess

    from compiler.build import pipeline

    new = {"catalog": ("Plan regelt", "Plan ordnet"),
           "source": ("company: Example", "company: Initech")}[saved]
    options = BuildOptions(out=project / "warm", keep_warm=MINUTES, jobs=2,
                           pdf_variant=variant, locales=("de",), formats=("html", "pdf"))
    build([_source(project)], options)  # starts the worker
    _edit(project, "Plan legt fest", "Plan bestimmt")
    before = _renders()
    build([_source(project)], options)
    assert _renders() == (before[0] + 1, before[1] + 1)  # the head start's PDF used
    _edit(project, "Plan bestimmt", "Plan regelt")
    real = pipeline.head_start

    def saved_again(*args: object) -> object:
        head = real(*args)  # type: ignore[arg-type]
        assert head, "no head start sent"
        for future, _ in head.values():
            future.exception(timeout=60)  # the worker has read the files (and rendered)
        _change(project, saved, *new)  # the translator (or author) saves again
        return head

    monkeypatch.setattr(pipeline, "head_start", saved_again)
    before = _renders()
    build([_source(project)], options)
    word = new[1].split()[-1]
    pdf, html = project / "warm/de/retention-schedule.pdf", project / "warm/de/retention-schedule.html"

    def text(path: Path) -> str:
        return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True,
                              check=True).stdout

    assert word in html.read_text(encoding="utf-8")
    assert word in text(pdf), "the PDF has the old text"
    monkeypatch.setenv("POLICYC_PDF_VARIANT", variant or "none")
    cold = _cold(project, "cold", ("pdf", "html"), ("de",))
    for path in (pdf, html):
        assert hashlib.sha256(path.read_bytes()).hexdigest() == cold[f"de/{path.name}"]
    assert _renders() == (before[0] + 2, before[1] + 1)  # the head start's PDF not used
    monkeypatch.setattr(pipeline, "head_start", real)
    build([_source(project)], options)  # the next build (kept, or rendered, alike)
    assert hashlib.sha256(pdf.read_bytes()).hexdigest() == cold["de/retention-schedule.pdf"]
