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
