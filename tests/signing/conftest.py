"""One small PDF/A-3a policy the signing tests sign again and again."""

from __future__ import annotations

import gc
import warnings
from pathlib import Path

import pytest
import weasyprint


@pytest.fixture(scope="session")
def unsigned_policy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("unsigned") / "policy.pdf"
    with warnings.catch_warnings():  # WeasyPrint 70 leaves its sRGB profile open
        warnings.filterwarnings("ignore", r"unclosed file .*sRGB2014\.icc", ResourceWarning)
        path.write_bytes(weasyprint.HTML(
            string='<html lang="en"><title>Policy</title><h1>Policy</h1><p>Hello</p></html>',
        ).write_pdf(pdf_variant="pdf/a-3a"))
        gc.collect()
    return path
