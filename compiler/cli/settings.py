"""The command line's settings that need no click: the project around the working
directory, its config's defaults, and the BuildOptions of `policyc build`.

Kept apart from options.py (click's option types and checks) so that a build whose command
line is only sources and --out can run before click is imported (compiler/cli/quick.py):
click's import is ~19 ms of a ~80 ms no-op build (issue #18).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from compiler.limits import MAX_RENDER_SECONDS

if TYPE_CHECKING:
    from compiler.build.plan import BuildOptions
    from compiler.project.config import Config
    from compiler.project.layout import Layout
    from compiler.signing.options import SignerOptions


def split(values: tuple[str, ...]) -> tuple[str, ...]:
    """Repeated options that may each hold a comma-separated list: ('de,fr', 'ja')."""
    return tuple(v.strip() for value in values for v in value.split(",") if v.strip())


def split_locales(values: tuple[str, ...]) -> tuple[str, ...]:
    """--locale values (see split) in CLDR spelling: pt-BR -> pt_BR, as import reads them."""
    from compiler.names import cldr_code

    return tuple(cldr_code(v) for v in split(values))


@cache
def _project(cwd: Path) -> tuple[Layout, Config]:
    from compiler.project.config import load
    from compiler.project.layout import find_layout

    layout = find_layout(cwd)
    return layout, load(layout)


def project() -> tuple[Layout, Config]:
    """The project around the working directory and its checked config (read once)."""
    return _project(Path.cwd().resolve())


def project_defaults(command: str | None) -> dict[str, Any] | None:
    """click's default map from the project config: file < environment < command line.

    A broken config is reported (file:line) and ends the command before it starts.
    """
    if command not in ("build", "serve"):
        return None
    from compiler.cli.report import Report
    from compiler.errors import CompilerError
    from compiler.project.layout import OUT_DIR

    try:
        layout, config = project()
    except CompilerError as err:
        report = Report()
        report.add(err.diagnostics)
        report.finish()
        raise  # finish() exits; kept for the type checker
    defaults = config.defaults(command)
    if layout.config is not None:
        defaults.setdefault("out", layout.root / OUT_DIR)
    # relative to the working directory (the same folders): --help shows `dist`, not the
    # absolute path of the checkout (qa6 N18)
    return {command: {k: _relative(v) if isinstance(v, Path) else v
                      for k, v in defaults.items()}}


def _relative(path: Path) -> Path:
    import os

    try:
        return Path(os.path.relpath(path))
    except ValueError:  # another drive (Windows)
        return path


def default_sources(sources: tuple[Path, ...]) -> list[Path]:
    """The sources named, or the project's source/ folder when run below its root."""
    if sources:
        return list(sources)
    layout, _ = project()
    return [layout.sources] if layout.root != Path.cwd().resolve() else []


def build_options(out: Path, formats: tuple[str, ...], locales: tuple[str, ...],
                  signer: SignerOptions | None = None, allow_incomplete: bool = False,
                  docx_protect: bool = False, docx_annex: str | None = None,
                  locales_dir: Path | None = None, strict: bool = False,
                  page_size: str | None = None, pdf_variant: str | None = "pdf/a-3a",
                  reference_docx: Path | None = None, base_url: str | None = None,
                  jobs: int | None = None, warm: tuple[float, bool] = (0.0, False),
                  force: bool = False, shard: tuple[int, int] = (1, 1),
                  render_time_limit: float = MAX_RENDER_SECONDS) -> BuildOptions:
    """`policyc build`'s options, checked values in (formats: the renderers'; pdf_variant:
    a known one or None), with the project's templates, brand and variables; warm: the
    warm worker's idle minutes and whether they are a terminal's default (cli/build.py)."""
    import os

    from compiler.build.plan import BuildOptions
    from compiler.renderers.templates import Templates

    layout, config = project()
    return BuildOptions(out=out, formats=formats, locales=split_locales(locales), signer=signer,
                        allow_incomplete=allow_incomplete, docx_protect=docx_protect,
                        docx_annex=docx_annex.strip() if docx_annex else None,
                        locales_dir=locales_dir, strict=strict, page_size=page_size,
                        pdf_variant=pdf_variant, reference_docx=reference_docx,
                        base_url=base_url, jobs=jobs or os.cpu_count() or 1,
                        keep_warm=warm[0], warm_later=warm[1], force=force, shard=shard,
                        render_time_limit=render_time_limit,
                        templates=Templates.for_project(layout.templates),
                        theme=config.theme, variables=config.variables)


def run_build(sources: tuple[Path, ...], options: BuildOptions,
              memo_args: list[str] | None = None) -> None:
    """Build with the progress display (or none: -q) and print the summary; with
    memo_args (the command line), an up-to-date build leaves its memo for the next one
    (compiler/uptodate)."""
    from compiler import logs
    from compiler.build.pipeline import BuildResult, build
    from compiler.cli.progress import Reporter

    named = default_sources(sources)
    warned = logs.warned()

    def remember(result: BuildResult) -> None:
        if memo_args is not None and logs.warned() == warned:  # a warning logged: the
            from compiler import STARTED_NS  # memo would not say it (review8 R8-4)
            from compiler.uptodate.record import record

            record(memo_args, result, options, project()[0], named, STARTED_NS)

    level = logs.level()
    with Reporter(quiet=level >= logs.ERROR, verbose=level <= logs.INFO) as reporter:
        result = build(named, options, progress=reporter.advance, done=remember)
        reporter.summary(result)
