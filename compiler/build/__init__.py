"""Building outputs: plan.py (jobs and keys, pure), state.py (incremental state, folder lock),
run.py (the worker pool), manifest.py (manifest.json and index.html from a list of outputs),
localizing.py (catalogs parsed once, localize_checked), pipeline.py (build(), which ties
them together).

The usual names are importable from here; they load on first use, so that importing
compiler.build.manifest does not pull in the whole build.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "BuildOptions": "compiler.build.plan",
    "locales_dir_for": "compiler.build.plan",
    "render_options": "compiler.build.plan",
    "BuildResult": "compiler.build.pipeline",
    "build": "compiler.build.pipeline",
    "load_translations": "compiler.build.localizing",
    "localize_checked": "compiler.build.localizing",
    "Output": "compiler.build.manifest",
}

__all__ = ["BuildOptions", "BuildResult", "Output", "build", "load_translations",
           "locales_dir_for", "localize_checked", "render_options"]


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(name)
