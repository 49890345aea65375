"""Registering a locale in a source's `locales:` list with the smallest text edit.

The YAML is composed (not loaded and dumped) to find where the list sits; one item is
inserted in the list's own style, so the writer's comments, quoting and layout stay.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from compiler.errors import Category, CompilerError, Loc, display_path


def add_locale(path: Path, code: str) -> bool:
    """Add code to the `locales:` list of the source at path; False if it was there."""
    text = path.read_text(encoding="utf-8")
    shown = display_path(path)
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as err:
        raise CompilerError.at(Loc(shown), f"cannot register locale: {err}",
                               Category.SYNTAX) from err
    if not isinstance(root, yaml.MappingNode):
        raise CompilerError.at(Loc(shown), "cannot register locale: the source is not a mapping",
                               Category.SCHEMA)
    node = next((v for k, v in root.value if getattr(k, "value", None) == "locales"), None)
    if not isinstance(node, yaml.SequenceNode):
        line = node.start_mark.line + 1 if node is not None else 0
        raise CompilerError.at(Loc(shown, line), "cannot register locale: expected a "
                               "'locales:' list such as [en, de]", Category.SCHEMA)
    values = [getattr(item, "value", None) for item in node.value]
    if code in values:
        return False
    if node.flow_style or not node.value:
        if node.value:
            at = node.value[-1].end_mark.index
            new = text[:at] + f", {code}" + text[at:]
        else:
            at = text.index("[", node.start_mark.index) + 1
            new = text[:at] + code + text[at:]
    else:
        last = node.value[-1]
        line_start = text.rfind("\n", 0, last.start_mark.index) + 1
        prefix = text[line_start:last.start_mark.index]  # "  - "
        line_end = text.find("\n", last.end_mark.index)
        line_end = len(text) if line_end < 0 else line_end
        new = text[:line_end] + f"\n{prefix}{code}" + text[line_end:]
    check = yaml.safe_load(new)
    if not isinstance(check, dict) or check.get("locales") != [*values, code]:
        raise CompilerError.at(Loc(shown, node.start_mark.line + 1), "cannot register locale: "
                               "the 'locales:' list has a layout policyc cannot edit safely; "
                               f"add {code} yourself", Category.SCHEMA)
    from compiler.fs import write_atomic

    write_atomic(path, new.encode("utf-8"))
    return True
