"""A build's closing lines, as text: the progress display (compiler/cli/progress.py) prints
them, and so does the up-to-date answer (compiler/uptodate/replay.py), which must not import
the command line. Imports nothing.
"""

from __future__ import annotations


def plural(n: int, word: str, suffix: str = "s") -> str:
    return f"{n} {word}{suffix if n != 1 else ''}"


def unlisted_line(unlisted: list[str]) -> str:
    return (f"policyc: not listed until built again (made from inputs changed since, or "
            f"not written): {', '.join(unlisted)}")


def summary_line(outputs: int, built: int, warnings: int, removed: int, seconds: float) -> str:
    return (f"policyc: {plural(outputs, 'output')}, {built} built, "
            f"{outputs - built} up to date, {plural(warnings, 'warning')}, "
            + (f"{removed} removed, " if removed else "")
            + f"{seconds:.1f}s")
