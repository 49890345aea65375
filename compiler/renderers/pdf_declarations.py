"""WeasyPrint's C declarations loaded pre-parsed, not parsed by pycparser in every process.

weasyprint/text/ffi.py hands cffi ~450 lines of C declarations (Pango, HarfBuzz,
fontconfig) at import; cffi parses them with pycparser: ~50 ms of every worker's and
every --jobs 1 build's import, before its first PDF (issue #18). cffi's out-of-line ABI
mode keeps the parse as data (`_cffi_backend.FFI(name, _types=..., ...)`):
`pdf_declarations_data.py` holds it for the exact ffi.py it was made from (its SHA-256;
regenerate with `python scripts/weasyprint_declarations.py`). While WeasyPrint is
imported, its `cffi.FFI()` is that object and its `cdef` a check that the declarations
are the very ones parsed; any other ffi.py (another WeasyPrint), a missing cffi backend
or data of another format falls back to cffi's own parse.

A compiled FFI opens libraries with dlopen alone, never ctypes.util.find_library:
WeasyPrint's names for each library end with its file name (libpango-1.0.so.0, ...), so
the loader opens the same files (tests/renderers/test_libraries.py compares them).
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

_MODULE = "weasyprint.text.ffi"


def ffi_source() -> bytes | None:
    """weasyprint/text/ffi.py, found without importing WeasyPrint."""
    try:
        spec = importlib.util.find_spec("weasyprint")
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / "text" / "ffi.py"
    try:
        return path.read_bytes()
    except OSError:
        return None


@contextlib.contextmanager
def preparsed() -> Iterator[None]:
    """While WeasyPrint is imported, its FFI is the pre-parsed one (if it applies)."""
    ffi = _preparsed_ffi()
    if ffi is None:
        yield
        return
    import cffi

    original = cffi.FFI

    def make(*args: Any, **kwargs: Any) -> Any:
        if not args and not kwargs and sys._getframe(1).f_globals.get("__name__") == _MODULE:
            return ffi
        return original(*args, **kwargs)

    cffi.FFI = make  # type: ignore[misc,assignment]
    try:
        yield
    finally:
        cffi.FFI = original  # type: ignore[misc]


def _preparsed_ffi() -> Any | None:
    from compiler.renderers import pdf_declarations_data as data

    source = ffi_source()
    if source is None or hashlib.sha256(source).hexdigest() != data.FFI_PY_SHA256:
        return None
    try:
        import _cffi_backend
    except ImportError:
        return None

    class Declared(_cffi_backend.FFI):  # type: ignore[misc,name-defined]
        """The parsed declarations; `cdef` only checks they are the ones given."""

        def cdef(self, csource: str, *args: Any, **kwargs: Any) -> None:
            if hashlib.sha256(csource.encode()).hexdigest() != data.CDEF_SHA256 or args or kwargs:
                raise ImportError(f"{_MODULE}: C declarations other than the pre-parsed ones")

    try:
        return Declared(data.NAME, **data.DECLARATIONS)
    except (ImportError, TypeError, ValueError):  # data this cffi backend does not read
        return None
