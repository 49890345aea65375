"""Resource limits on untrusted inputs, in one place (README "Security model" lists them).

Each is enforced where the input is read, as a located error: no input may make policyc
crash, hang or take memory out of proportion to a real policy (the shipped privacy policy
is 14 kB, 6 levels of YAML, about 100 blocks).
"""

from __future__ import annotations

MAX_SOURCE_BYTES = 2 * 1024 * 1024  # a YAML source
MAX_CATALOG_BYTES = 8 * 1024 * 1024  # a PO catalog
MAX_REFERENCE_DOCX_BYTES = 20 * 1024 * 1024  # a reference DOCX (compressed)
MAX_DOCX_PART_BYTES = 20 * 1024 * 1024  # one part inside it, uncompressed
MAX_DOCX_TOTAL_BYTES = 60 * 1024 * 1024  # all of its parts, uncompressed
MAX_DOCX_PARTS = 500
MAX_IMPORT_BYTES = 20 * 1024 * 1024  # a Markdown, HTML or DOCX file `policyc import` reads
MAX_YAML_NODES = 100_000  # after alias expansion ("billion laughs")
MAX_EXPANDED_CHARS = 2 * MAX_SOURCE_BYTES  # characters of text after alias expansion
MAX_YAML_DEPTH = 100  # nested YAML collections (libyaml's composer recurses in C)
MAX_SECTION_DEPTH = 12  # nested sections
MAX_LIST_DEPTH = 12  # nested list items
MAX_INLINE_DEPTH = 16  # nested bold/italic/link markup in one string
MAX_BLOCKS = 5_000  # sections, blocks, list items, table cells, contact entries per document
# seconds one output may take to render (a layout that runs away fails that output only:
# build/deadline.py); the shipped policy's PDF takes ~1 s, a 130-page one ~10 s
MAX_RENDER_SECONDS = 300


def size(n: int) -> str:
    """1048576 -> '1 MiB' for messages."""
    for unit in ("bytes", "kiB", "MiB", "GiB"):
        if n < 1024 or unit == "GiB":
            return f"{n:g} {unit}" if unit != "bytes" else f"{n} bytes"
        n //= 1024
    raise AssertionError
