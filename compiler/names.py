"""The shapes of the names a project uses: document ids, versions, locale codes.

One place for the patterns the reader's schema, the configuration, `init` and the facts
cache check alike; it imports nothing, so the fast `policyc check` path can use them
without loading the document model.
"""

from __future__ import annotations

ID_PATTERN = r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$"
VERSION_PATTERN = (
    r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)"
    r"(?:-[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?(?:\+[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?$"
)
LOCALE_PATTERN = r"^[a-z]{2,3}(_[A-Z][a-z]{3})?(_[A-Z]{2}|_\d{3})?$"


def cldr_code(code: str) -> str:
    """A locale code as CLDR and gettext spell it, from the BCP 47 spelling or another case
    (qa6 N11): 'pt-BR' -> 'pt_BR', 'zh-hant-tw' -> 'zh_Hant_TW', 'DE' -> 'de'. Anything else
    comes back as given (the checks that follow report it)."""
    parts = code.strip().replace("-", "_").split("_")
    if not all(p.isascii() and p.isalnum() for p in parts):
        return code
    out = [parts[0].lower()]
    for part in parts[1:]:
        if len(part) == 4 and part.isalpha():
            out.append(part.title())  # script
        elif (len(part) == 2 and part.isalpha()) or (len(part) == 3 and part.isdigit()):
            out.append(part.upper())  # region
        else:
            out.append(part)
    return "_".join(out)


# Letters whose plain ASCII spelling is not their base letter (NFKD would make 'ä' an 'a':
# "Datenschutzerklärung" reads "datenschutzerklaerung" to a German speaker, as in URLs).
_SPELLED = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue",
                          "ß": "ss", "ẞ": "SS", "æ": "ae", "Æ": "Ae", "œ": "oe", "Œ": "Oe",
                          "ø": "oe", "Ø": "Oe", "å": "aa", "Å": "Aa", "þ": "th", "Þ": "Th",
                          "ð": "d", "Ð": "D", "đ": "d", "Đ": "D", "ł": "l", "Ł": "L",
                          "ı": "i"})


def ascii_letters(text: str) -> str:
    """text in ASCII for an id: umlauts and ligatures spelled out, other accents dropped
    ('Datenschutzerklärung' -> 'Datenschutzerklaerung', 'Café' -> 'Cafe'); letters without
    an ASCII spelling (Cyrillic, CJK) are left out."""
    import unicodedata

    spelled = unicodedata.normalize("NFC", text).translate(_SPELLED)
    return unicodedata.normalize("NFKD", spelled).encode("ascii", "ignore").decode()
