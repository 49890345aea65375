"""WeasyPrint's C libraries found from the loader's cache (compiler/renderers/libraries.py)."""

from __future__ import annotations

import ast
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
    # and as the PDF renderer imports it: its declarations pre-parsed, libraries opened
    # with dlopen alone (compiler/renderers/pdf_declarations.py)
    renderer = subprocess.run(
        [sys.executable, "-c", f"from compiler.renderers import pdf\n{_MAPPED}"],
        capture_output=True, text=True, check=True).stdout
    assert "libpango-1.0.so" in plain
    assert quick == plain
    system = [[p for p in ast.literal_eval(out) if p.startswith(("/usr/", "/lib"))]
              for out in (plain, renderer)]  # (policyc imports more Python modules)
    assert "libpango-1.0.so.0" in str(system[0]) and system[1] == system[0]


def test_find_library_is_restored() -> None:
    original = ctypes.util.find_library
    with pytest.raises(RuntimeError), loader_cache_only():
        if sys.platform.startswith("linux"):
            assert ctypes.util.find_library("surely-no-such-library-here") is None
        raise RuntimeError
    assert ctypes.util.find_library is original


@pytest.mark.skipif(not hasattr(ctypes.util, "_findSoname_ldconfig"), reason="glibc Linux")
def test_the_loader_cache_is_listed_once_with_the_same_answers(
        monkeypatch: pytest.MonkeyPatch) -> None:
    from compiler.renderers.libraries import listed_once

    names = ["pango-1.0", "gobject-2.0", "harfbuzz", "fontconfig", "c", "m",
             "gobject-2.0-0", "libpango-1.0-0.dll", "surely-no-such-library-here", "a.b+c"]
    expected = [ctypes.util._findSoname_ldconfig(n) for n in names]  # type: ignore[attr-defined]
    assert expected[0] is not None and expected[-2] is None
    runs: list[object] = []
    run = subprocess.run
    monkeypatch.setattr(subprocess, "run", lambda *a, **k: runs.append(a) or run(*a, **k))
    lookup = listed_once()
    assert [lookup(n) for n in names] == expected
    assert len(runs) == 1
