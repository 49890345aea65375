"""PDF variants WeasyPrint can write, listed without importing WeasyPrint's renderer."""

from __future__ import annotations

# The pdf/a and pdf/ua variants of WeasyPrint 66+ (weasyprint.pdf.VARIANTS).
VARIANTS = ("pdf/a-1a", "pdf/a-1b", "pdf/a-2a", "pdf/a-2b", "pdf/a-2u", "pdf/a-3a", "pdf/a-3b",
            "pdf/a-3u", "pdf/a-4u", "pdf/a-4e", "pdf/a-4f", "pdf/ua-1", "pdf/ua-2")
