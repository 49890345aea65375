"""WeasyPrint's C libraries found from the loader's cache (compiler/renderers/libraries.py)."""

from __future__ import annotations

import ctypes.util
import subprocess
import sys

import pytest

from compiler.renderers.libraries import loader_cache_only

_MAPPED = ("print(sorted({l.split()[-1] for l in open('/proc/self/maps') "
           "if '.so' in l.split()[-1]}))")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux lookup only")
def test_the_same_library_files_are_loaded() -> None:
    plain = subprocess.run([sys.executable, "-c", f"import weasyprint\n{_MAPPED}"],
                           capture_output=True, text=True, check=True).stdout
    quick = subprocess.run(
        [sys.executable, "-c", "from compiler.renderers.libraries import loader_cache_only\n"
         f"with loader_cache_only():\n    import weasyprint\n{_MAPPED}"],
        capture_output=True, text=True, check=True).stdout
    assert "libpango-1.0.so" in plain
    assert quick == plain


def test_find_library_is_restored() -> None:
    original = ctypes.util.find_library
    with pytest.raises(RuntimeError), loader_cache_only():
        if sys.platform.startswith("linux"):
            assert ctypes.util.find_library("surely-no-such-library-here") is None
        raise RuntimeError
    assert ctypes.util.find_library is original
