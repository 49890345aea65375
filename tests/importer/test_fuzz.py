"""Any Markdown or HTML imports to a source that loads, or fails with a located error:
markup characters, quotes, YAML indicators and unicode never break the emitted YAML."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from compiler.errors import CompilerError
from compiler.importer.run import import_file
from compiler.readers import ReadOptions

PIECES = st.sampled_from([
    "# ", "## ", "- ", "1. ", "> ", "**", "*", "_", "`", "[", "]", "(", ")", "{", "}", "\\",
    ":", " #", "'", '"', "|", "---", "\n", "\n\n", "  \n", "<b>", "</b>", "<br>", "&amp;",
    "http://x.example/a_(b)", "a@b.example", "{ref:x}", "{x}", "yes", "no", "null", "~",
    "1.2", "@", "%", "!", "&", "?", "\t", "é", "日本", "\u202e", "word", " ",
])
DOCS = st.lists(PIECES, min_size=1, max_size=40).map("".join)


@settings(max_examples=150, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])
@given(text=DOCS, suffix=st.sampled_from([".md", ".html"]))
def test_random_input_gives_a_loadable_source_or_a_located_error(text: str, suffix: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"doc{suffix}"
        path.write_text(text, encoding="utf-8")
        try:
            result = import_file(path, ReadOptions(), variables=True)
        except CompilerError as err:
            assert all(str(d.loc).startswith(str(path)) or d.loc.path.endswith(path.name)
                       for d in err.diagnostics)
            return
        assert result.document.sections  # loaded back by the YAML reader inside import_file
