"""`policyc manifest merge`: one manifest from the manifests of sharded builds."""

from __future__ import annotations

from pathlib import Path

import click

from compiler.cli.report import Report, reported


@click.group("manifest")
def manifest() -> None:
    """Build manifests: merge the manifests of sharded builds."""


@manifest.command("merge")
@click.argument("manifests", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--output", "-o", type=click.Path(path_type=Path), required=True,
              help="Where to write the merged manifest.")
@reported
def manifest_merge(report: Report, manifests: tuple[Path, ...], output: Path) -> None:
    """Join MANIFESTS (from --shard builds) into one."""
    from compiler.build.manifest import merge
    from compiler.fs import folder_lock, write_atomic

    merged = merge(list(manifests))
    # the folder's lock, as a build into it holds: a build starting meanwhile would remove
    # the merged manifest's temporary file as one left by a killed write
    with folder_lock(output.parent):
        write_atomic(output, merged)
    click.echo(f"policyc: merged {len(manifests)} manifests into {output}", err=True)
