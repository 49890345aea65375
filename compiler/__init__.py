"""policyc: compile structured YAML policy documents into localized HTML, PDF and DOCX."""

from __future__ import annotations

__version__ = "0.1.0"
