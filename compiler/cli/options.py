"""What several commands share: list options, format and shard checks, loading sources."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from compiler.cli.settings import (  # noqa: F401  # click-free: the quick build uses them
    default_sources,
    project,
    project_defaults,
    split,
    split_locales,
)

if TYPE_CHECKING:
    from compiler.model import Document

locales_dir_option = click.option(
    "--locales-dir", type=click.Path(path_type=Path), help="Default: locales/ beside source/.")


def formats(values: tuple[str, ...], default: tuple[str, ...] | None = None) -> tuple[str, ...]:
    """--format values checked against the renderer registry (default: every format)."""
    from compiler.renderers import FORMATS

    fmts = split(values) or default or FORMATS
    unknown = [f for f in fmts if f not in FORMATS]
    if unknown:
        raise click.BadParameter(f"unknown format {unknown[0]!r} (expected: {', '.join(FORMATS)})",
                                 param_hint="--format")
    return fmts


def pdf_variant(value: str) -> str | None:
    """--pdf-variant: one WeasyPrint knows, or 'none' (None: a plain PDF)."""
    from compiler.renderers.variants import VARIANTS

    variant = value.lower()
    if variant == "none":
        return None
    if variant not in VARIANTS:
        raise click.BadParameter(f"unknown PDF variant {value!r} (expected one of: "
                                 f"{', '.join(VARIANTS)}, none)", param_hint="--pdf-variant")
    return variant


def shard(value: str | None) -> tuple[int, int]:
    """--shard K/N with 1 <= K <= N; no value is the whole build (1/1)."""
    if not value:
        return (1, 1)
    try:
        k, n = (int(x) for x in value.split("/"))
    except ValueError:
        k = n = 0
    if not 1 <= k <= n:
        raise click.BadParameter(f"expected K/N with 1 <= K <= N, got {value!r}",
                                 param_hint="--shard")
    return (k, n)


def documents(sources: tuple[Path, ...], override: Path | None) -> list[tuple[Document, Path]]:
    """Load each source with the locales folder it uses; every invalid source reported at once."""
    from compiler.errors import CompilerError, Diagnostics
    from compiler.project.layout import locales_dir
    from compiler.project.sources import discover
    from compiler.readers import read_file

    diag = Diagnostics()
    out = []
    for path in discover(list(sources)):
        try:
            doc = read_file(path, project()[1].variables)
        except CompilerError as err:
            diag.extend(err.diagnostics)
            continue
        out.append((doc, locales_dir(path, override)))
    diag.raise_if_errors()
    return out
