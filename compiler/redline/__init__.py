"""Redlines: what changed between two versions of a policy, in every locale and every format.

Only names live here, so that `policyc build` can find a redline without importing the rest.
"""

from __future__ import annotations

FOLDER = "redline"  # dist/redline/<locale>/<id>.redline.<ext>, beside dist/<locale>/


def file_name(doc_id: str, fmt: str) -> str:
    return f"{doc_id}.redline.{fmt}"
