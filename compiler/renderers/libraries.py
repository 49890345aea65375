"""WeasyPrint's C libraries, found without running a compiler for each guessed name.

WeasyPrint finds Pango, HarfBuzz and fontconfig by trying several names per library (the
Windows, macOS and Linux spellings). cffi hands each name it cannot open directly to
`ctypes.util.find_library`, which on Linux, after the dynamic loader's cache
(`ldconfig -p`), runs gcc and ld to look further: ~12 ms per name that is not there, 200 ms
of WeasyPrint's 480 ms import, paid again by every build worker (issue #18).

While WeasyPrint is imported, a name is looked up in the loader's cache only. The result
is the same library files: WeasyPrint's list of names for each library ends with its file
name (libpango-1.0.so.0, ...), which the loader opens from the same places it would open
what gcc or ld had named (find_library returns a name, not a path, on Linux).
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator


@contextlib.contextmanager
def loader_cache_only() -> Iterator[None]:
    """On Linux, `ctypes.util.find_library` answers from the loader's cache alone."""
    import ctypes.util

    lookup = getattr(ctypes.util, "_findSoname_ldconfig", None)
    if not sys.platform.startswith("linux") or lookup is None:
        yield
        return
    original = ctypes.util.find_library
    ctypes.util.find_library = lookup
    try:
        yield
    finally:
        ctypes.util.find_library = original
