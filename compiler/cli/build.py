"""`policyc build`: every document x locale x format into OUT/<locale>/<id>.<ext>."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from compiler import logs
from compiler.build.warm import DEFAULT_MINUTES
from compiler.cli import options as opt
from compiler.cli.report import Report, reported
from compiler.cli.sign import signer_options, signing_options
from compiler.limits import MAX_RENDER_SECONDS


@click.command()
@click.argument("sources", nargs=-1, type=click.Path(path_type=Path))
@click.option("--format", "formats", multiple=True, envvar="POLICYC_FORMATS",
              help="html,pdf,docx (default: all).")
@click.option("--locale", "locales", multiple=True, envvar="POLICYC_LOCALES",
              help="Locales to build (default: all listed).")
@click.option("--out", type=click.Path(path_type=Path), default=Path("dist"), show_default=True,
              envvar="POLICYC_OUT", help="The output folder ([build] out of policyc.toml, "
              "else dist/ beside source/).")
@click.option("--locales-dir", type=click.Path(path_type=Path), envvar="POLICYC_LOCALES_DIR",
              help="Default: locales/ beside source/.")
@click.option("--strict", is_flag=True, envvar="POLICYC_STRICT",
              help="Untranslated or fuzzy strings are errors.")
@click.option("--page-size", type=click.Choice(["A4", "Letter"]), envvar="POLICYC_PAGE_SIZE",
              help="PDF page size.")
@click.option("--pdf-variant", default="pdf/a-3a", show_default=True, envvar="POLICYC_PDF_VARIANT",
              help="WeasyPrint PDF variant (pdf/a-3a, pdf/a-3u, pdf/a-2b, pdf/ua-1...) or 'none'.")
@click.option("--reference-docx", type=click.Path(path_type=Path, exists=True, dir_okay=False),
              envvar="POLICYC_REFERENCE_DOCX", help="Style reference document for DOCX output.")
@click.option("--base-url", envvar="POLICYC_BASE_URL",
              help="Public URL of the published dist/ folder (canonical links).")
@click.option("-j", "--jobs", type=click.IntRange(1, 256), default=None, envvar="POLICYC_JOBS",
              help="Parallel workers (default: number of CPUs).")
@click.option("--keep-warm/--no-keep-warm", default=False, help="Keep a render worker "
              f"running between builds, for {DEFAULT_MINUTES:g} idle minutes: a rebuild after "
              "an edit starts its PDF at once. `policyc warm stop` ends it. Default at a "
              "terminal outside CI: use a running one, else start one after the build.")
@click.option("--keep-warm-minutes", type=click.FloatRange(0, 1440), default=None,
              envvar="POLICYC_KEEP_WARM", metavar="MINUTES", help="--keep-warm for MINUTES "
              "idle minutes instead (0: no worker).")
@click.option("--render-time-limit", type=click.IntRange(1, 86400), default=MAX_RENDER_SECONDS,
              show_default=True, envvar="POLICYC_RENDER_TIME_LIMIT", metavar="SECONDS",
              help="Stop an output whose render takes longer, and fail it (the others build).")
@click.option("--force", is_flag=True, help="Rebuild outputs whose inputs did not change.")
@click.option("--shard", help="K/N: build the K-th of N deterministic slices of the jobs.")
@click.option("--sign", is_flag=True, help="Sign every PDF (PAdES) and the manifest with "
              "--p12 or a PKCS#11 key (the signing options below).")
@click.option("--allow-incomplete", is_flag=True,
              help="With --sign: also sign locales with fuzzy or untranslated messages.")
@signing_options
@click.option("--docx-protect", is_flag=True, envvar="POLICYC_DOCX_PROTECT",
              help="Also write <id>.protected.docx: opens read-only recommended, editing "
              "restricted to comments (no password).")
@click.option("--docx-annex", metavar="LABEL", help="Also write <id>.annex.docx to insert "
              "into a contract: no title page or TOC, opens with 'LABEL – <title>', headings "
              "numbered from LABEL's last word (B.1, B.2), styles named 'Policy ...'.")
@reported
def build(report: Report, sources: tuple[Path, ...], formats: tuple[str, ...],
          locales: tuple[str, ...], out: Path, locales_dir: Path | None, strict: bool,
          page_size: str | None, pdf_variant: str, reference_docx: Path | None,
          base_url: str | None, jobs: int | None, keep_warm: bool,
          keep_warm_minutes: float | None, render_time_limit: int, force: bool,
          shard: str | None, sign: bool,
          allow_incomplete: bool, docx_protect: bool, docx_annex: str | None,
          **signing: Any) -> None:
    """Build SOURCES (default: source/*.yaml) into OUT/<locale>/<id>.<ext>."""
    from compiler.cli.settings import build_options, run_build

    fmts = opt.formats(formats)
    variant = opt.pdf_variant(pdf_variant)
    if sign:
        logs.ready()  # the key's libraries may log
    signer = signer_options(signing) if sign else None
    options = build_options(out, fmts, locales, signer=signer, allow_incomplete=allow_incomplete,
                            docx_protect=docx_protect, docx_annex=docx_annex,
                            locales_dir=locales_dir, strict=strict, page_size=page_size,
                            pdf_variant=variant, reference_docx=reference_docx,
                            base_url=base_url, jobs=jobs,
                            warm=_keep_warm(keep_warm, keep_warm_minutes), force=force,
                            shard=opt.shard(shard), render_time_limit=render_time_limit)
    try:
        run_build(sources, options, memo_args=_memo_args(sources))
    finally:
        if signer is not None:
            signer.credentials.close()


def _memo_args(sources: tuple[Path, ...]) -> list[str] | None:
    """The command line, when it is one an up-to-date build's memo answers (compiler/
    uptodate: `[-q] build [SOURCE...] [--out DIR]`, here with settings from the project's
    config or POLICYC_* variables, which the memo's key and stamps hold) and is this
    command's (not a caller's in the same process)."""
    import sys

    from click.core import ParameterSource

    from compiler.uptodate import memo

    args = sys.argv[1:]
    cmd = memo.command(args)
    if cmd is None or list(cmd[1]) != [str(s) for s in sources]:
        return None
    context = click.get_current_context()
    given = {name for name in context.params  # on this command line, as click parsed it
             if context.get_parameter_source(name) == ParameterSource.COMMANDLINE}
    return args if given <= {"sources", "out"} and ("out" in given) == (cmd[2] is not None) \
        else None


def _keep_warm(flag: bool, minutes: float | None) -> tuple[float, bool]:
    """The warm worker's idle minutes (0: none), and whether it is the terminal's default
    (build/warm/later.py): --keep-warm (DEFAULT_MINUTES) or --keep-warm-minutes, or
    POLICYC_KEEP_WARM=MINUTES unless CI is set (a CI job leaves no process behind unless
    its command asks; never from a project's policyc.toml, see
    project/config.NOT_FROM_PROJECT); else the default (--no-keep-warm: none)."""
    import os
    import sys

    from click.core import ParameterSource

    from compiler.build.warm import by_default

    context = click.get_current_context()
    said = context.get_parameter_source("keep_warm") == ParameterSource.COMMANDLINE
    if minutes is None:
        if said or not by_default(os.environ, sys.stderr):
            return (DEFAULT_MINUTES if flag else 0.0), False
        return DEFAULT_MINUTES, True
    source = context.get_parameter_source("keep_warm_minutes")
    if not flag and source != ParameterSource.COMMANDLINE and os.environ.get(
            "CI", "").lower() not in ("", "0", "false"):
        logs.logger(__name__).info("POLICYC_KEEP_WARM ignored: CI is set (give "
                                         "--keep-warm on the command line to keep a worker)")
        return 0.0, False
    return (0.0 if said and not flag else minutes), False
