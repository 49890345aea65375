"""policyc: compile structured YAML policy documents into localized HTML, PDF and DOCX."""

from __future__ import annotations

import time

__version__ = "0.1.0"
# When this process began reading (before any project file): a file changed since then,
# but for the outputs a build writes, may not be what the build read (compiler/uptodate)
STARTED_NS = time.time_ns()
