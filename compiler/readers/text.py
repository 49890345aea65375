"""Reading text inputs safely: a size bound and UTF-8 with a located error."""

from __future__ import annotations

from compiler.errors import Category, CompilerError, Loc
from compiler.limits import size


def decode(data: bytes, shown: str, limit: int) -> str:
    """The text of a Markdown or HTML input; empty, oversized or non-UTF-8 input is an error
    naming the file (and, for bad bytes, the line and column)."""
    if len(data) > limit:
        raise CompilerError.at(Loc(shown), f"file is {size(len(data))} (more than the "
                               f"{size(limit)} an import reads)", Category.IO)
    if not data.strip():
        raise CompilerError.at(Loc(shown, 1, 1), "file is empty (nothing to import)", Category.IO)
    return utf8(data, shown, "convert it to UTF-8 (e.g. iconv -f windows-1252 -t utf-8)"
                ).removeprefix("\ufeff")


def utf8(data: bytes, shown: str, advice: str) -> str:
    """UTF-8 text, or an error at the line and column of the first bad byte (sources and imports)."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as err:
        line = data[: err.start].count(b"\n") + 1
        column = err.start - (data.rfind(b"\n", 0, err.start) + 1) + 1
        raise CompilerError.at(
            Loc(shown, line, column),
            f"file is not valid UTF-8 (byte 0x{data[err.start]:02x}); {advice}",
            Category.SYNTAX) from err
