"""Benchmark: policyc's builds against pandoc and WeasyPrint alone, as medians of several runs.

Not a test: run `python benchmarks/bench.py [--runs N]` from the project root. It installs
pandoc with apt-get when missing (as root), builds in temporary folders and prints ratios.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
POLICY = ROOT / "source" / "privacy-policy.yaml"
BIN = Path(sys.executable).parent
IMPORT_YAML = "python -c 'import yaml'"


def median_time(fn: Callable[[], object], runs: int, setup: Callable[[], object] | None = None
                ) -> float:
    times = []
    for _ in range(runs):
        if setup:
            setup()
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def run(*cmd: str | Path, cwd: Path = ROOT, env: dict[str, str] | None = None) -> None:
    subprocess.run([str(c) for c in cmd], cwd=cwd, check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL, env=env)


def ensure_pandoc() -> str:
    found = shutil.which("pandoc")
    if found:
        return found
    if os.geteuid() != 0:
        sys.exit("benchmark needs pandoc: sudo apt-get install -y pandoc")
    run("apt-get", "update", "-qq")
    run("apt-get", "install", "-y", "-qq", "--no-install-recommends", "pandoc")
    return shutil.which("pandoc") or sys.exit("pandoc install failed")


def markdown_sources(workdir: Path) -> list[tuple[str, Path]]:
    """The same localized content as Markdown, one file per locale, for pandoc."""
    sys.path.insert(0, str(ROOT))
    from compiler.build import BuildOptions, load_translations, locales_dir_for
    from compiler.i18n.localize import localize
    from compiler.model import CallToAction, Contact, ItemList, Note, Paragraph, Table, plain_text
    from compiler.readers import read_file as load

    doc = load(POLICY)
    out = []
    for code in doc.meta.locales:
        tr = load_translations(doc, code, locales_dir_for(POLICY, BuildOptions()))
        ldoc, _ = localize(doc, code, tr)
        lines = [f"---\ntitle: \"{ldoc.title}\"\nlang: {ldoc.language.tag}\n"
                 f"dir: {ldoc.direction}\n---\n"]
        for s in ldoc.document.walk_sections():
            lines.append("#" * (s.level + 1) + " " + s.title.plain() + "\n")
            for b in s.blocks:
                if isinstance(b, Paragraph):
                    lines.append(b.text.plain() + "\n")
                elif isinstance(b, ItemList):
                    for i in b.items:
                        term = f"**{i.term.plain()}:** " if i.term else ""
                        lines.append(f"- {term}{i.text.plain() if i.text else ''}")
                    lines.append("")
                elif isinstance(b, Note):
                    lines.append("> " + b.text.plain() + "\n")
                elif isinstance(b, Contact):
                    for e in b.entries:
                        lines.append(f"**{e.label.plain()}:** {e.value.plain()}  ")
                    lines.append("")
                elif isinstance(b, CallToAction):
                    lines.append(f"**{b.title.plain()}**\n\n{b.text.plain()}\n\n"
                                 f"[{b.action.plain()}]({b.href})\n")
                elif isinstance(b, Table):
                    lines.append(" | ".join(plain_text(c.inlines) for c in b.header))
        path = workdir / f"{code}.md"
        path.write_text("\n".join(lines), encoding="utf-8")
        out.append((code, path))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    runs = args.runs
    pandoc = ensure_pandoc()
    policyc = BIN / "policyc"
    tmp = Path(tempfile.mkdtemp(prefix="policyc-bench-"))
    results: dict[str, float] = {}

    def cold(jobs: int) -> Callable[[], None]:
        return lambda: run(policyc, "-q", "build", "--force", "--jobs", str(jobs),
                           "--out", tmp / f"cold{jobs}")

    results["cold build --jobs 1"] = median_time(cold(1), runs)
    results["cold build --jobs 2"] = median_time(cold(2), runs)
    results["no-op rebuild"] = median_time(
        lambda: run(policyc, "-q", "build", "--out", tmp / "cold2"), max(runs, 5))

    # Edit one catalog (a translator's comment line), rebuild only that locale's outputs.
    po = ROOT / "locales" / "de" / "LC_MESSAGES" / "privacy-policy.po"
    original = po.read_bytes()
    counter = iter(range(1000))
    try:
        results["rebuild after editing one catalog"] = median_time(
            lambda: run(policyc, "-q", "build", "--out", tmp / "cold2"), runs,
            setup=lambda: po.write_bytes(original + f"\n# bench {next(counter)}\n".encode()))
    finally:
        po.write_bytes(original)
    results["policyc check"] = median_time(lambda: run(policyc, "check"), max(runs, 10))
    cache = ROOT / ".policyc-cache"
    results["policyc check, cache cleared"] = median_time(
        lambda: run(policyc, "check"), max(runs, 10),
        setup=lambda: shutil.rmtree(cache, ignore_errors=True))
    results[IMPORT_YAML] = median_time(
        lambda: run(sys.executable, "-c", "import yaml"), max(runs, 10))

    # pandoc on the same content, the same 7 locales x 3 formats.
    md = markdown_sources(tmp)
    weasyprint_bin = BIN / "weasyprint"

    def pandoc_all() -> None:
        for code, path in md:
            base = tmp / f"pandoc-{code}"
            run(pandoc, path, "-s", "-o", f"{base}.html")
            run(pandoc, path, "-o", f"{base}.docx")
            run(pandoc, path, "--pdf-engine", weasyprint_bin, "-o", f"{base}.pdf",
                env={**os.environ, "PATH": f"{BIN}:{os.environ['PATH']}"})

    results["pandoc pipeline (html+docx+pdf)"] = median_time(pandoc_all, runs)

    # WeasyPrint alone on policyc's own print HTML, against policyc's PDF job.
    sys.path.insert(0, str(ROOT))
    import weasyprint

    from compiler.build import BuildOptions, render_options
    from compiler.i18n.localize import localize
    from compiler.project.sources import Facts
    from compiler.readers import read_file as load
    from compiler.renderers import pdf as pdf_renderer

    doc = load(POLICY)
    ldoc, _ = localize(doc, "en", None)
    ropts = render_options(Facts.of(doc), POLICY, "en", ROOT / "locales", BuildOptions())
    html = pdf_renderer.print_html(ldoc, ropts)
    results["WeasyPrint alone (en print HTML)"] = median_time(
        lambda: weasyprint.HTML(string=html, base_url=str(ROOT / "compiler" / "templates") + "/").write_pdf(
            pdf_variant="pdf/a-3a"), runs)
    results["policyc PDF job (en)"] = median_time(lambda: pdf_renderer.render(ldoc, ropts), runs)

    # Peak memory of one worker: a --jobs 1 build runs in this child process.
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    run(policyc, "-q", "build", "--force", "--jobs", "1", "--out", tmp / "mem")
    peak_mb = max(before, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) / 1024

    print(f"machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}"
          f", {platform.platform()}")
    print(f"runs: median of {runs} (no-op and check: more)\n")
    for name, secs in results.items():
        print(f"  {name:<40} {secs:8.3f} s")
    cold2 = results["cold build --jobs 2"]
    print("\nratios (targets in brackets):")
    print(f"  cold build / pandoc pipeline          {cold2 / results['pandoc pipeline (html+docx+pdf)']:.2f}  [<= 0.50]")
    print(f"  policyc PDF job / WeasyPrint alone    {results['policyc PDF job (en)'] / results['WeasyPrint alone (en print HTML)']:.2f}  [<= 1.10]")
    print(f"  no-op rebuild / cold build            {results['no-op rebuild'] / cold2:.3f}  [< 0.03]")
    print(f"  check / python -c 'import yaml'       {results['policyc check'] / results[IMPORT_YAML]:.2f}  [< 2]")
    print(f"  peak memory of one worker             {peak_mb:.0f} MB  [< 400 MB]")
    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
