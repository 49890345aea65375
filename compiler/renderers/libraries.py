"""WeasyPrint's C libraries, found without running a compiler for each guessed name.

WeasyPrint finds Pango, HarfBuzz and fontconfig by trying several names per library (the
Windows, macOS and Linux spellings). cffi hands each name it cannot open directly to
`ctypes.util.find_library`, which on Linux, after the dynamic loader's cache
(`ldconfig -p`), runs gcc and ld to look further: ~12 ms per name that is not there, 200 ms
of WeasyPrint's 480 ms import, paid again by every build worker (issue #18).

While WeasyPrint is imported, a name is looked up in the loader's cache only. The result
is the same library files: WeasyPrint's list of names for each library ends with its file
name (libpango-1.0.so.0, ...), which the loader opens from the same places it would open
what gcc or ld had named (find_library returns a name, not a path, on Linux). The cache is
listed once (`ldconfig -p`), not once for each of the ~22 names that miss.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Iterator


@contextlib.contextmanager
def loader_cache_only() -> Iterator[None]:
    """On Linux, `ctypes.util.find_library` answers from the loader's cache alone."""
    import ctypes.util

    if not sys.platform.startswith("linux") or not hasattr(ctypes.util, "_findSoname_ldconfig"):
        yield
        return
    original = ctypes.util.find_library
    ctypes.util.find_library = listed_once()  # type: ignore[assignment]
    try:
        yield
    finally:
        ctypes.util.find_library = original


def listed_once() -> Callable[[str], str | None]:
    """ctypes.util's search of the loader's cache (`_findSoname_ldconfig`: the same
    architecture tag and pattern), with `ldconfig -p` run on the first name only."""
    import os
    import re
    import struct
    import subprocess

    machine = os.uname().machine + ("-32" if struct.calcsize("l") == 4 else "-64")
    abi = {"x86_64-64": "libc6,x86-64", "ppc64-64": "libc6,64bit", "sparc64-64": "libc6,64bit",
           "s390x-64": "libc6,64bit", "ia64-64": "libc6,IA-64"}.get(machine, "libc6")
    listing: list[bytes] = []

    def lookup(name: str) -> str | None:
        if not listing:
            try:
                listing.append(subprocess.run(
                    ["/sbin/ldconfig", "-p"], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                    stderr=subprocess.DEVNULL, env={"LC_ALL": "C", "LANG": "C"},
                    check=False).stdout)
            except OSError:
                listing.append(b"")
        pattern = os.fsencode(rf"\s+(lib{re.escape(name)}\.[^\s]+)\s+\({abi}")
        found = re.search(pattern, listing[0])
        return os.fsdecode(found.group(1)) if found else None

    return lookup
