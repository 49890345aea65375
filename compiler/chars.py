"""Characters a published document cannot carry, and diagnostics that quote user data safely.

XML 1.0 (HTML, DOCX) forbids most C0 controls, surrogates and U+FFFE/U+FFFF; PDF text
extraction and terminals misread the rest of the C0/C1 controls. Text holding any of them is
a located error at `check` time (sources) or when a catalog is read (translations).
"""

from __future__ import annotations

import re

_NONCHARACTERS = "".join(f"{chr(p * 0x10000 + 0xFFFE)}{chr(p * 0x10000 + 0xFFFF)}"
                         for p in range(1, 17))
INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef"
                     f"\ufffe\uffff{_NONCHARACTERS}]")


def invalid_char(text: str) -> tuple[int, str] | None:
    """The offset and a description of the first character text may not hold."""
    m = INVALID.search(text)
    if m is None:
        return None
    return m.start(), f"U+{ord(m.group()):04X} ({_kind(m.group())})"


def invalid_message(description: str) -> str:
    return (f"character {description} is not allowed in text (HTML, PDF and DOCX cannot "
            "carry it); remove it")


def _kind(ch: str) -> str:
    cp = ord(ch)
    if cp < 0x20 or 0x7F <= cp <= 0x9F:
        return "a control character"
    if 0xD800 <= cp <= 0xDFFF:
        return "a lone surrogate"
    return "a non-character"
