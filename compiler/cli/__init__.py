"""The command line: one module per command, one Report (report.py) deciding exit codes.

`main` is loaded lazily so that `compiler.cli.report` (used by the fast `policyc check`
path in compiler/__main__.py) does not pull in click and every command.
"""

from __future__ import annotations

from typing import Any


def __getattr__(name: str) -> Any:
    if name == "main":
        from compiler.cli.app import main

        return main
    raise AttributeError(name)
