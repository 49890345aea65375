"""`policyc warm status|stop`: the render worker that `policyc build --keep-warm` keeps."""

from __future__ import annotations

from pathlib import Path

import click

from compiler.cli import options as opt
from compiler.cli.report import Report, plural, reported


def _cache() -> Path | None:
    """The project's cache folder, where its worker's socket is (as a build finds it); None
    when it is refused (layout warns), where no build starts a worker."""
    from compiler.project.layout import SOURCE_DIR, cache_dir

    return cache_dir(opt.project()[0].root / SOURCE_DIR / "policy.yaml")


@click.group()
def warm() -> None:
    """The warm render worker of `policyc build` (at a terminal, or --keep-warm): status, stop."""


@warm.command("status")
@reported
def warm_status(report: Report) -> None:
    """Show the project's warm worker: process, renders, memory, idle timeout."""
    from compiler.build.warm.client import status

    cache = _cache()
    found = status(cache) if cache is not None else None
    if found is None:
        click.echo("no warm worker running")
        return
    if found.get("stuck"):
        click.echo(f"warm worker {found['pid']} does not answer (stopped or stuck); the next "
                   "build that uses one replaces it, `policyc warm stop` kills it")
        return
    state = "current" if found["current"] else "stale (replaced by the next build)"
    localized = (f" ({found.get('recipes', 0)} localized by it, for {found['root']})"
                 if found.get("root") else "")
    warmed = (" warming up," if found.get("warming") else
              f" warmed up for {plural(found['warmed'], 'locale')}," if found.get("warmed") else "")
    click.echo(f"warm worker {found['pid']}:{warmed} {found['renders']} renders{localized}, "
               f"{found['rss_mb']:.0f} MB (peak {found['peak_mb']:.0f} MB, recycles above "
               f"{found['max_mb']:.0f} MB), exits after {found['idle'] / 60:g} idle minutes; "
               f"{state}")


@warm.command("stop")
@reported
def warm_stop(report: Report) -> None:
    """Stop the project's warm worker (nothing to do when none is running)."""
    from compiler.build.warm.client import stop

    cache = _cache()
    stopped = stop(cache) if cache is not None else None
    if stopped is None:
        click.echo("no warm worker running")
    elif stopped[1]:
        click.echo(f"stopped warm worker {stopped[0]}")
    else:
        click.echo(f"killed warm worker {stopped[0]}: it did not answer")
