"""WeasyPrint's C declarations loaded pre-parsed (compiler/renderers/pdf_declarations.py):
the same PDF bytes as WeasyPrint's own parse, and its own parse whenever the data does not
belong to the installed WeasyPrint."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

import pytest

from compiler.renderers import pdf_declarations, pdf_declarations_data

ROOT = Path(__file__).resolve().parents[2]
_PAGE = ("<html lang=de><style>@page{size:A5}</style><h1>Datenschutz</h1><p>"
         + "Verantwortlicher für die Verarbeitung personenbezogener Daten. " * 40
         + "<p lang=ja>個人情報の取り扱いについて</p><p dir=rtl lang=ar>سياسة الخصوصية</p>")
_RENDER = ("import sys\n{prelude}\nimport weasyprint, weasyprint.text.ffi as f\n"
           "sys.stdout.buffer.write(weasyprint.HTML(string=sys.argv[1]).write_pdf())\n"
           "sys.stderr.write(type(f.ffi).__name__ + ' ' + str('pycparser' in sys.modules))")
_APPLIES = pdf_declarations.ffi_source() is not None and hashlib.sha256(
    pdf_declarations.ffi_source() or b"").hexdigest() == pdf_declarations_data.FFI_PY_SHA256


def _render(prelude: str) -> tuple[bytes, str]:
    done = subprocess.run([sys.executable, "-c", _RENDER.format(prelude=prelude), _PAGE],
                          capture_output=True, check=True, cwd=ROOT,
                          env={"SOURCE_DATE_EPOCH": "1700000000", "PATH": "/usr/bin:/bin"})
    return done.stdout, done.stderr.decode().strip().splitlines()[-1]


@pytest.mark.skipif(not _APPLIES, reason="the data is for another weasyprint/text/ffi.py")
def test_the_same_pdf_without_pycparser() -> None:
    plain, how_plain = _render("")
    quick, how_quick = _render(
        "from compiler.renderers.pdf_declarations import preparsed\nwith preparsed():\n"
        "    import weasyprint")
    assert how_plain.startswith("FFI True")  # cffi's own parse
    assert how_quick == "Declared False"  # the data: pycparser never imported
    assert plain.startswith(b"%PDF") and quick == plain


@pytest.mark.skipif(not _APPLIES, reason="the data is for another weasyprint/text/ffi.py")
def test_the_data_is_what_cffi_makes_of_the_installed_weasyprint() -> None:
    made = subprocess.run([sys.executable, "-c",
                           "import runpy, sys; sys.argv = ['x']\n"
                           "g = runpy.run_path('scripts/weasyprint_declarations.py')\n"
                           "sys.stdout.write(g['generate']())"],
                          capture_output=True, text=True, check=True, cwd=ROOT).stdout
    assert made == (ROOT / "compiler/renderers/pdf_declarations_data.py").read_text()


def test_another_weasyprint_gets_its_own_parse(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pdf_declarations_data, "FFI_PY_SHA256", "0" * 64)
    assert pdf_declarations._preparsed_ffi() is None
    import cffi

    before = cffi.FFI
    with pdf_declarations.preparsed():
        assert cffi.FFI is before  # nothing replaced


def test_data_of_another_format_gets_its_own_parse(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pdf_declarations, "ffi_source", lambda: b"ffi.py")
    monkeypatch.setattr(pdf_declarations_data, "FFI_PY_SHA256", hashlib.sha256(b"ffi.py").hexdigest())
    monkeypatch.setattr(pdf_declarations_data, "DECLARATIONS", {"_version": 0x9999, "_types": b""})
    assert pdf_declarations._preparsed_ffi() is None


@pytest.mark.skipif(not _APPLIES, reason="the data is for another weasyprint/text/ffi.py")
def test_other_declarations_are_refused_and_other_callers_get_a_real_ffi() -> None:
    ffi = pdf_declarations._preparsed_ffi()
    assert ffi is not None
    with pytest.raises(ImportError, match="other than the pre-parsed"):
        ffi.cdef("int puts(const char *);")
    import cffi

    with pdf_declarations.preparsed():
        assert type(cffi.FFI()).__module__ == "cffi.api"  # not called from weasyprint.text.ffi
