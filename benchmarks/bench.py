"""Benchmark: policyc's builds against pandoc and WeasyPrint alone, as medians of several runs.

Not a test: run `python benchmarks/bench.py [--runs N]` from the project root. It installs
pandoc with apt-get when missing (as root), builds in temporary folders and prints ratios.
"""

from __future__ import annotations

import argparse
import contextlib
import json
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
# WeasyPrint alone: argv = base URL, runs, print HTML files (the first one is en's); prints
# the median time of all files and of the first one, after one warm-up pass.
WEASYPRINT_ALONE = """
import json, statistics, sys, time
import weasyprint
base_url, runs, files = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
pages = [open(f, encoding="utf-8").read() for f in files]
def write(h):
    weasyprint.HTML(string=h, base_url=base_url).write_pdf(pdf_variant="pdf/a-3a")
def median(fn, n):
    times = []
    for _ in range(n):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)
for h in pages:
    write(h)
print(json.dumps({"all": median(lambda: [write(h) for h in pages], runs),
                  "first": median(lambda: write(pages[0]), max(runs, 7))}))
"""


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


def localized_all() -> list[tuple[str, object, object]]:
    """(locale, localized document, render options) for every locale of the policy."""
    sys.path.insert(0, str(ROOT))
    from compiler.build import BuildOptions, load_translations, locales_dir_for, render_options
    from compiler.i18n.localize import localize
    from compiler.project.sources import Facts
    from compiler.readers import read_file as load

    doc = load(POLICY)
    out = []
    for code in doc.meta.locales:
        tr = load_translations(doc, code, locales_dir_for(POLICY, BuildOptions()))
        ldoc, _ = localize(doc, code, tr)
        ropts = render_options(Facts.of(doc), POLICY, code, ROOT / "locales", BuildOptions())
        out.append((code, ldoc, ropts))
    return out


def at_terminal(*cmd: str | Path) -> None:
    """cmd with its stderr on a pseudo-terminal (as a user runs policyc), read until it ends."""
    main_end, other_end = os.openpty()
    try:
        child = subprocess.Popen([str(c) for c in cmd], cwd=ROOT, stdin=subprocess.DEVNULL,
                                 stdout=subprocess.DEVNULL, stderr=other_end,
                                 env={k: v for k, v in os.environ.items() if k != "CI"})
        os.close(other_end)
        with contextlib.suppress(OSError):  # EIO once every holder of the terminal ended
            while os.read(main_end, 65536):
                pass
        if child.wait() != 0:
            sys.exit(f"benchmark: {' '.join(map(str, cmd))} failed at a terminal")
    finally:
        os.close(main_end)


def wait_warmed(policyc: Path, within: float = 60.0) -> None:
    """Until the project's warm worker has laid out its warm-ups (a user reading meanwhile)."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        shown = subprocess.run([str(policyc), "warm", "status"], cwd=ROOT, capture_output=True,
                               text=True, check=False).stdout
        if "warmed up for" in shown:
            return
        time.sleep(0.2)
    sys.exit("benchmark: the worker a build at a terminal starts did not warm up")


def parallel(tasks: list[Callable[[], None]], workers: int) -> None:
    """Run subprocess-launching tasks `workers` at a time (threads only wait on children)."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=workers) as pool:
        for f in [pool.submit(t) for t in tasks]:
            f.result()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    runs = args.runs
    workers = os.cpu_count() or 1
    pandoc = ensure_pandoc()
    policyc = BIN / "policyc"
    tmp = Path(tempfile.mkdtemp(prefix="policyc-bench-"))
    results: dict[str, float] = {}
    load_before = os.getloadavg()  # another busy process on the same cores skews everything
    # policyc's modules compiled once, as an installed package's are (pip compiles them when
    # it installs): run from a checkout with PYTHONDONTWRITEBYTECODE set, every process would
    # compile ~120 modules from source again (~45 ms of each no-op build and check).
    run(sys.executable, "-m", "compileall", "-q", ROOT / "compiler")

    def cold(jobs: int | None) -> Callable[[], None]:
        extra = ["--jobs", str(jobs)] if jobs else []
        return lambda: run(policyc, "-q", "build", POLICY, "--force", *extra,
                           "--out", tmp / f"cold{jobs}")

    # Interleaved (1, default, 1, default, ...): load that drifts during the run (another
    # process, the VM's neighbours) then weighs on both sides of the efficiency ratio alike.
    colds: dict[int | None, list[float]] = {1: [], None: []}
    for _ in range(runs):
        for jobs, times in colds.items():
            times.append(median_time(cold(jobs), 1))
    results["cold build --jobs 1"] = statistics.median(colds[1])
    results[f"cold build, default jobs ({workers})"] = statistics.median(colds[None])
    # The no-op rebuild: a build of the same command line after a build, nothing changed. A
    # build leaves the memo of what the next one would say (compiler/uptodate), and the next
    # answers from it; the first build after the --force ones above is up to date and leaves
    # it. Also timed: the same no-op through the build itself, as in another environment
    # or after a file's stamp (not its bytes) changed: each round touches the state file.
    noop = (policyc, "-q", "build", POLICY, "--out", tmp / "coldNone")
    run(*noop)
    results["no-op rebuild"] = median_time(lambda: run(*noop), max(runs, 7))
    state = tmp / "coldNone" / ".policyc-state.json"

    def touch_state() -> None:
        info = state.stat()
        os.utime(state, ns=(info.st_atime_ns, info.st_mtime_ns - 1000))

    results["no-op rebuild through the build (no memo)"] = median_time(
        lambda: run(*noop), max(runs, 7), setup=touch_state)

    # Edit one catalog: one translated word changes (a heading in the body and the TOC), so
    # all three of that locale's outputs really change and re-render; rebuild only those.
    # Interleaved: a fresh `policyc build` (today's path) and one through a warm worker
    # (--keep-warm, after one warm-up build), each edit measured both ways.
    po = ROOT / "locales" / "de" / "LC_MESSAGES" / "privacy-policy.po"
    original = po.read_bytes()
    words = (b"verwendeten", b"genutzten")  # "Arten der von uns verwendeten Cookies"
    if original.count(b" " + words[0] + b" Cookies") != 1:
        sys.exit(f"benchmark: the edited msgstr is no longer in {po}")
    edits = iter(range(1000))

    def edit() -> None:
        word = words[next(edits) % 2 == 0]
        po.write_bytes(original.replace(b" " + words[0] + b" Cookies", b" " + word + b" Cookies"))

    # The yardstick, in the same loop: de's three outputs rendered in this warm process.
    from compiler.renderers import docx as docx_renderer
    from compiler.renderers import html as html_renderer
    from compiler.renderers import pdf as pdf_renderer

    every = localized_all()  # before any edit
    de = next((ldoc, ropts) for code, ldoc, ropts in every if code == "de")

    def render_de() -> None:
        for renderer in (html_renderer, pdf_renderer, docx_renderer):
            start = time.perf_counter()
            renderer.render(*de)  # type: ignore[arg-type]
            if renderer is pdf_renderer:
                times["de pdf"].append(time.perf_counter() - start)

    times: dict[str, list[float]] = {"fresh": [], "warm": [], "render": [], "de pdf": [],
                                     "terminal": []}
    render_de()
    times["de pdf"].clear()  # the warm-up's
    warm_out = tmp / "warm"
    term_out = tmp / "terminal"
    try:
        for _ in range(max(runs, 5)):
            # The default at a terminal (build/warm/later.py): no worker runs; a cold build
            # starts one after itself, which warms up while the user edits; the rebuild after
            # the edit then goes to it. (--force: the previous loop left term_out up to date,
            # and a build with nothing to render starts no worker.)
            run(policyc, "warm", "stop")
            at_terminal(policyc, "build", POLICY, "--out", term_out, "--force")
            wait_warmed(policyc)
            edit()
            for name, task in (
                    ("terminal", lambda: at_terminal(policyc, "build", POLICY, "--out",
                                                     term_out)),
                    ("fresh", lambda: run(policyc, "-q", "build", POLICY, "--out",
                                          tmp / "coldNone")),
                    ("warm", lambda: run(policyc, "-q", "build", POLICY, "--out", warm_out,
                                         "--keep-warm-minutes=10")),
                    ("render", render_de)):
                start = time.perf_counter()
                task()
                times[name].append(time.perf_counter() - start)
    finally:
        po.write_bytes(original)
        run(policyc, "warm", "stop")
    results["rebuild after editing one catalog (fresh process)"] = statistics.median(
        times["fresh"])
    results["the same through a warm worker (--keep-warm)"] = statistics.median(times["warm"])
    results["the same, a build at a terminal (its default)"] = statistics.median(
        times["terminal"])
    results["de html+pdf+docx rendered in a warm worker"] = statistics.median(times["render"])
    results["de pdf alone, in that warm worker"] = statistics.median(times["de pdf"])
    results["policyc check"] = median_time(lambda: run(policyc, "check", POLICY), max(runs, 10))
    results[IMPORT_YAML] = median_time(
        lambda: run(sys.executable, "-c", "import yaml"), max(runs, 10))
    results["import weasyprint + docx (one worker's start)"] = median_time(
        lambda: run(sys.executable, "-c", "import weasyprint, docx"), runs)
    # What any fresh process pays before its first PDF: a new interpreter importing
    # policyc's PDF renderer (WeasyPrint), without the first render's own set-up.
    results["new process importing policyc's PDF renderer"] = median_time(
        lambda: run(sys.executable, "-c", "import compiler.renderers.pdf"), max(runs, 5))

    # pandoc on the same content, the same 7 locales x 3 formats, sequential and in parallel.
    md = markdown_sources(tmp)
    weasyprint_bin = BIN / "weasyprint"
    env = {**os.environ, "PATH": f"{BIN}:{os.environ['PATH']}"}

    def pandoc_tasks() -> list[Callable[[], None]]:
        tasks: list[Callable[[], None]] = []
        for code, path in md:
            base = tmp / f"pandoc-{code}"
            tasks.append(lambda p=path, b=base: run(pandoc, p, "-s", "-o", f"{b}.html"))
            tasks.append(lambda p=path, b=base: run(pandoc, p, "-o", f"{b}.docx"))
            tasks.append(lambda p=path, b=base: run(pandoc, p, "--pdf-engine", weasyprint_bin,
                                                    "-o", f"{b}.pdf", env=env))
        return tasks

    results["pandoc pipeline, sequential"] = median_time(
        lambda: parallel(pandoc_tasks(), 1), runs)
    results[f"pandoc pipeline, {workers} processes"] = median_time(
        lambda: parallel(pandoc_tasks(), workers), runs)

    # WeasyPrint alone on policyc's own print HTML of every locale, in one warm process of its
    # own: nothing of policyc loaded there (its PDF renderer wraps two WeasyPrint functions).
    base_url = str(ROOT / "templates") + "/"
    pages = []
    for code, ldoc, ropts in every:
        page = tmp / f"print-{code}.html"
        page.write_text(pdf_renderer.print_html(ldoc, ropts), encoding="utf-8")  # type: ignore[arg-type]
        pages.append(str(page))
    alone = json.loads(subprocess.run(
        [sys.executable, "-c", WEASYPRINT_ALONE, base_url, str(runs), *pages], check=True,
        capture_output=True, text=True).stdout)
    results["WeasyPrint alone, every locale's print HTML (warm)"] = alone["all"]
    results["WeasyPrint alone (en print HTML)"] = alone["first"]
    _, en_ldoc, en_ropts = every[0]
    pdf_renderer.render(en_ldoc, en_ropts)  # type: ignore[arg-type]  # warm, as WeasyPrint's
    results["policyc PDF job (en)"] = median_time(
        lambda: pdf_renderer.render(en_ldoc, en_ropts), max(runs, 7))  # type: ignore[arg-type]

    # Peak memory of one worker: a --jobs 1 build runs in this child process.
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    run(policyc, "-q", "build", POLICY, "--force", "--jobs", "1", "--out", tmp / "mem")
    peak_mb = max(before, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) / 1024

    print(f"machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}"
          f", {platform.platform()}")
    print(f"load average (1, 5, 15 min) before: {load_before[0]:.2f} {load_before[1]:.2f} "
          f"{load_before[2]:.2f}; after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"runs: median of {runs} (no-op and check: more)\n")
    for name, secs in results.items():
        print(f"  {name:<52} {secs:8.3f} s")
    cold1 = results["cold build --jobs 1"]
    coldn = results[f"cold build, default jobs ({workers})"]
    floor = (results["WeasyPrint alone, every locale's print HTML (warm)"] / workers
             + results["import weasyprint + docx (one worker's start)"])
    print("\nratios (targets in brackets):")
    rows = [
        ("cold build / WeasyPrint floor", coldn / floor, "<= 1.15"),
        (f"parallel efficiency (jobs 1 / (jobs {workers} x {workers}))", cold1 / (coldn * workers), ">= 0.90"),
        ("policyc PDF job / WeasyPrint alone", results["policyc PDF job (en)"]
         / results["WeasyPrint alone (en print HTML)"], "<= 1.05"),
        ("cold build / pandoc sequential", coldn / results["pandoc pipeline, sequential"], "<= 0.50"),
        (f"cold build / pandoc on {workers} processes",
         coldn / results[f"pandoc pipeline, {workers} processes"], "<= 0.65"),
        ("catalog edit, fresh process / warm render of its 3",
         results["rebuild after editing one catalog (fresh process)"]
         / results["de html+pdf+docx rendered in a warm worker"], "<= 1.20"),
        ("  its floor: new process + renderer import + de PDF, / the same",
         (results["new process importing policyc's PDF renderer"]
          + results["de pdf alone, in that warm worker"])
         / results["de html+pdf+docx rendered in a warm worker"], "none: over 1.20, no fresh "
         "process can meet it"),
        ("catalog edit, --keep-warm / warm render of its 3",
         results["the same through a warm worker (--keep-warm)"]
         / results["de html+pdf+docx rendered in a warm worker"], "<= 1.20"),
        ("catalog edit at a terminal (default) / warm render of its 3",
         results["the same, a build at a terminal (its default)"]
         / results["de html+pdf+docx rendered in a warm worker"], "<= 1.20"),
        ("no-op rebuild / cold build", results["no-op rebuild"] / coldn, "< 0.03"),
        ("  the same through the build (no memo) / cold build",
         results["no-op rebuild through the build (no memo)"] / coldn, "none: reported"),
        ("check / python -c 'import yaml'", results["policyc check"] / results[IMPORT_YAML], "< 2"),
    ]
    print(f"  floor = every locale's WeasyPrint render / {workers} workers + one import = {floor:.3f} s")
    for name, value, target in rows:
        print(f"  {name:<55} {value:6.3f}  [{target}]")
    print(f"  peak memory of one worker{'':<31} {peak_mb:6.0f} MB  [< 400 MB]")
    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
