"""The traversal of the document model: every translatable string in reading order."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from compiler.model import Rich


def rich_fields(obj: Any) -> Iterator[Rich]:
    """Every Rich in reading order (dataclass fields in declaration order)."""
    import dataclasses

    if isinstance(obj, Rich):
        yield obj
    elif isinstance(obj, tuple):
        for x in obj:
            yield from rich_fields(x)
    elif dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        for f in dataclasses.fields(obj):
            if f.name != "variables":
                yield from rich_fields(getattr(obj, f.name))
