"""Scale benchmark: how build time and worker memory grow with the number of documents and pages.

Not a test: run `python benchmarks/scale.py [--runs N] [--docs 1,3,10] [--jobs 1,2]` from the
project root. It generates a corpus in a temporary project (copies of the shipped privacy
policy under other ids, each with its six catalogs, so every copy builds in 7 locales x 3
formats; and one long English document made of the policy's sections repeated, ~150 pages
with the default --long-repeat; the page count is printed) and drives only the installed
`policyc` command, so it measures what a user runs.

Configurations: the corpus of each --docs size; the policy alone in English (one copy of its
sections) and the long document alone; and the largest corpus with the long document beside
it, named to sort last, so that with several jobs it is laid out in a worker that has
rendered other documents before it (a process's memory depends on what it did before; with
one job the long PDF goes first, longest first, while the process holds every localized
document). Each on every --jobs value.

Reported per configuration: wall time (median of --runs), time per output, and the peak
resident memory of the largest process (a worker, or the build itself with one job), read
from getrusage(RUSAGE_CHILDREN) of a wrapper process so each run is measured on its own.
Issue #18's bound: under 400 MB per process.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
POLICY = ROOT / "source" / "privacy-policy.yaml"
LOCALES = ROOT / "locales"
BIN = Path(sys.executable).parent

# A wrapper so that RUSAGE_CHILDREN covers one build (policyc and its pool workers) only.
WRAPPER = (
    "import resource, subprocess, sys\n"
    "rc = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL).returncode\n"
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
    "sys.exit(rc)\n"
)


def make_corpus(project: Path, docs: int) -> None:
    """`docs` copies of the shipped policy, each under its own id with its own catalogs."""
    (project / "source").mkdir(parents=True)
    text = POLICY.read_text(encoding="utf-8")
    for n in range(1, docs + 1):
        doc_id = f"policy-{n:02d}"
        (project / "source" / f"{doc_id}.yaml").write_text(
            re.sub(r"(?m)^id: .*$", f"id: {doc_id}", text, count=1), encoding="utf-8")
        for po in LOCALES.glob("*/LC_MESSAGES/*.po"):
            target = project / "locales" / po.relative_to(LOCALES)
            target.parent.mkdir(parents=True, exist_ok=True)
            if po.stem == "privacy-policy":
                target = target.with_name(f"{doc_id}.po")
            shutil.copy2(po, target)
    if (ROOT / "policyc.toml").is_file():
        shutil.copy2(ROOT / "policyc.toml", project / "policyc.toml")


def make_long(project: Path, repeat: int, doc_id: str = "long-policy") -> None:
    """One English document: the policy's sections repeated `repeat` times under fresh ids."""
    import yaml

    (project / "source").mkdir(parents=True, exist_ok=True)
    data = yaml.safe_load(POLICY.read_text(encoding="utf-8"))
    sections = data["sections"]

    def renamed(section: dict, k: int) -> dict:
        out = dict(section)
        out["id"] = f"{section['id']}-{k}"
        if "sections" in section:
            out["sections"] = [renamed(s, k) for s in section["sections"]]
        return out

    data["id"] = doc_id
    data["locales"] = ["en"]
    data["sections"] = [renamed(s, k) for k in range(repeat) for s in sections]
    # JSON is valid YAML and keeps every value's type exactly as loaded.
    (project / "source" / f"{doc_id}.yaml").write_text(
        json.dumps(data, ensure_ascii=False, indent=1, default=str), encoding="utf-8")


def build_once(project: Path, jobs: int) -> tuple[float, int, float]:
    """(seconds, outputs, peak MB) of one cold build."""
    out = project / "dist"
    shutil.rmtree(out, ignore_errors=True)
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-c", WRAPPER, str(BIN / "policyc"), "-q", "build", "--force",
         "--jobs", str(jobs), "--out", str(out)],
        cwd=project, capture_output=True, text=True, check=False)
    secs = time.perf_counter() - start
    if proc.returncode != 0:
        sys.exit(f"build failed in {project}:\n{proc.stderr}")
    outputs = sum(1 for p in out.glob("*/*.*") if p.suffix in {".html", ".pdf", ".docx"})
    return secs, outputs, int(proc.stdout.split()[-1]) / 1024


def pdf_pages(project: Path, doc_id: str) -> int:
    from pypdf import PdfReader

    return len(PdfReader(project / "dist" / "en" / f"{doc_id}.pdf").pages)


def measure(project: Path, jobs: int, runs: int) -> dict[str, float]:
    samples = [build_once(project, jobs) for _ in range(runs)]
    secs = statistics.median(s[0] for s in samples)
    outputs = samples[0][1]
    return {"seconds": secs, "outputs": outputs, "per_output": secs / outputs,
            "peak_mb": max(s[2] for s in samples)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--docs", default="1,3,10")
    parser.add_argument("--jobs", default="1,2")
    parser.add_argument("--long-repeat", type=int, default=29,
                        help="copies of the policy's sections in the long document "
                             "(29: ~150 pages, ~5 pages a copy)")
    args = parser.parse_args()
    docs_list = [int(x) for x in args.docs.split(",")]
    jobs_list = [int(x) for x in args.jobs.split(",")]
    tmp = Path(tempfile.mkdtemp(prefix="policyc-scale-"))
    load_before = os.getloadavg()  # another busy process on the same cores skews everything
    rows: list[tuple[str, int, dict[str, float]]] = []
    try:
        for docs in docs_list:
            project = tmp / f"docs{docs}"
            make_corpus(project, docs)
            for jobs in jobs_list:
                rows.append((f"{docs} document(s) x 7 locales", jobs, measure(project, jobs, args.runs)))
        long = tmp / "long"
        make_long(long, args.long_repeat)
        short = tmp / "short"
        make_long(short, 1)
        mixed = tmp / "mixed"  # the largest corpus and, sorting last, the long document
        make_corpus(mixed, docs_list[-1])
        make_long(mixed, args.long_repeat, "zz-long-policy")
        pages: dict[Path, int] = {}
        for project in (short, long):
            for jobs in jobs_list:
                r = measure(project, jobs, args.runs)
                pages[project] = pdf_pages(project, "long-policy")
                rows.append((f"1 document, en, {pages[project]} pages", jobs, r))
        for jobs in jobs_list:
            r = measure(mixed, jobs, args.runs)
            rows.append((f"{docs_list[-1]} document(s) x 7 locales + the "
                         f"{pdf_pages(mixed, 'zz-long-policy')}-page one, last", jobs, r))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    print(f"machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}"
          f", {platform.platform()}")
    print(f"load average (1, 5, 15 min) before: {' '.join(f'{x:.2f}' for x in load_before)}; "
          f"after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"cold builds, median of {args.runs} run(s)\n")
    print("| corpus | jobs | outputs | wall | per output | peak MB (largest process) |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, jobs, r in rows:
        print(f"| {name} | {jobs} | {r['outputs']:.0f} | {r['seconds']:.2f} s | "
              f"{r['per_output'] * 1000:.0f} ms | {r['peak_mb']:.0f} |")
    by = {(name, jobs): r for name, jobs, r in rows}
    print("\ngrowth (time per output relative to the smallest corpus, same jobs; 1.00 = linear):")
    for jobs in jobs_list:
        base = by.get((f"{docs_list[0]} document(s) x 7 locales", jobs))
        for docs in docs_list[1:]:
            r = by.get((f"{docs} document(s) x 7 locales", jobs))
            if base and r:
                print(f"  jobs {jobs}: {docs} docs / {docs_list[0]} doc  "
                      f"{r['per_output'] / base['per_output']:.2f}")
    print("\ngrowth with pages (time per page of the long document relative to the short one, "
          "same jobs; 1.00 = linear):")
    for jobs in jobs_list:
        a = by.get((f"1 document, en, {pages[short]} pages", jobs))
        b = by.get((f"1 document, en, {pages[long]} pages", jobs))
        if a and b:
            print(f"  jobs {jobs}: {pages[long]} pages / {pages[short]} pages  "
                  f"{(b['seconds'] / pages[long]) / (a['seconds'] / pages[short]):.2f}")


if __name__ == "__main__":
    main()
