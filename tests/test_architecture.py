"""Dependencies run one way: command line (and its up-to-date answer) ->
build/redline/signing/project -> readers/i18n/
renderers -> model/errors/fs. Every import counts, those inside functions too."""

from __future__ import annotations

import ast
from functools import cache
from pathlib import Path

import pytest

from tests.helpers import ROOT

PACKAGE = ROOT / "compiler"

# Lowest layer first. A module may import its own layer and the layers below it.
LAYERS: tuple[tuple[str, ...], ...] = (
    ("compiler", "compiler.errors", "compiler.fs", "compiler.model", "compiler.inline",
     "compiler.chars", "compiler.limits", "compiler.links", "compiler.legal", "compiler.names",
     "compiler.summary"),
    ("compiler.readers", "compiler.i18n", "compiler.renderers"),
    ("compiler.build", "compiler.redline", "compiler.signing", "compiler.project",
     "compiler.importer", "compiler.serve"),
    ("compiler.cli", "compiler.__main__", "compiler.uptodate"),
)
MAX_LINES = 400
# Over the limit today, each to be split (remove the entry with the split).


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _imports(name: str, path: Path) -> set[str]:
    """Every compiler module `name` imports, at any depth of its code (functions included;
    `if TYPE_CHECKING:` blocks, which never run, left out)."""
    found: set[str] = set()
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    tree = ast.parse(path.read_text(encoding="utf-8"))
    typing_only = {id(n) for block in ast.walk(tree) if isinstance(block, ast.If)
                   and ast.unparse(block.test) in ("TYPE_CHECKING", "typing.TYPE_CHECKING")
                   for n in ast.walk(block)}
    for node in ast.walk(tree):
        if id(node) in typing_only:  # annotations only: never run
            continue
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                up = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*up, base] if base else up)
            found.add(base)
            found.update(f"{base}.{a.name}" for a in node.names)  # `from pkg import module`
        elif isinstance(node, ast.Call) and ast.unparse(node.func) in DYNAMIC_IMPORTS:
            found.update(_dynamic_targets(tree, node, f"{name}:{node.lineno}"))
    return {m for m in found if m == "compiler" or m.startswith("compiler.")}


DYNAMIC_IMPORTS = ("importlib.import_module", "import_module", "__import__")


def _dynamic_targets(tree: ast.Module, call: ast.Call, where: str) -> set[str]:
    """The modules an import by name can load: its literal argument, or every value of the
    module-level registry it looks up (`import_module(RENDERERS[fmt])`). Any other argument
    is refused, so that no import escapes the graph."""
    [arg] = call.args
    if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
        return {arg.value}
    assert isinstance(arg, ast.Subscript) and isinstance(arg.value, ast.Name), \
        f"{where}: an import by name must be a literal or REGISTRY[key]: {ast.unparse(arg)}"
    registry = arg.value.id
    for stmt in tree.body:
        targets = stmt.targets if isinstance(stmt, ast.Assign) else \
            [stmt.target] if isinstance(stmt, ast.AnnAssign) else []
        if any(isinstance(t, ast.Name) and t.id == registry for t in targets):
            value = stmt.value
            assert isinstance(value, ast.Dict) and all(
                isinstance(v, ast.Constant) and isinstance(v.value, str) for v in value.values), \
                f"{where}: {registry} must be a dict literal of module names"
            return {v.value for v in value.values if isinstance(v, ast.Constant)}
    raise AssertionError(f"{where}: no module-level {registry} to read the imports from")


@cache
def _graph() -> dict[str, set[str]]:
    """Module -> the compiler modules it imports, importing a.b.c meaning a and a.b too.

    A module's own parent packages are left out: Python has initialised them before it.
    """
    modules = _modules()
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        targets: set[str] = set()
        for imported in _imports(name, path):
            parts = imported.split(".")
            for i in range(2, len(parts) + 1):  # the parent packages run first
                prefix = ".".join(parts[:i])
                if prefix in modules:
                    targets.add(prefix)
        graph[name] = {t for t in targets if not (name == t or name.startswith(t + "."))}
    return graph


def _layer(module: str) -> tuple[int, str]:
    best = (-1, "")
    for level, names in enumerate(LAYERS):
        for owner in names:
            if (module == owner or module.startswith(owner + ".")) and len(owner) > len(best[1]):
                best = (level, owner)
    assert best[0] >= 0, f"{module}: in no layer of tests/test_architecture.py"
    return best


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import circle, if any (depth-first search with colours)."""
    colour: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        colour[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if colour.get(nxt) == 1:
                return [*stack[stack.index(nxt):], nxt]
            if nxt not in colour and (found := visit(nxt)):
                return found
        stack.pop()
        colour[node] = 2
        return None

    for node in sorted(graph):
        if node not in colour and (found := visit(node)):
            return found
    return None


def test_imports_follow_the_layers() -> None:
    wrong = [f"{m} -> {t}" for m, targets in _graph().items() for t in sorted(targets)
             if _layer(t)[0] > _layer(m)[0]]
    assert not wrong, "imports against the layers:\n" + "\n".join(wrong)


def test_no_import_circle_between_modules() -> None:
    cycle = _cycle(_graph())
    assert cycle is None, "import circle: " + " -> ".join(cycle or [])


def test_no_import_circle_between_packages() -> None:
    """build, redline, signing and project share a layer; they may not import each other back."""
    packages: dict[str, set[str]] = {}
    for module, targets in _graph().items():
        owner = _layer(module)[1]
        packages.setdefault(owner, set()).update(
            _layer(t)[1] for t in targets if _layer(t)[1] != owner)
    packages.pop("compiler", None)  # the root package (its __version__) imports nothing
    cycle = _cycle(packages)
    assert cycle is None, "import circle: " + " -> ".join(cycle or [])


def test_the_registries_imports_by_name_are_edges() -> None:
    """The registries import their modules by name on first use; those imports count."""
    graph = _graph()
    assert "compiler.renderers.pdf" in graph["compiler.renderers"]
    assert "compiler.readers.yaml" in graph["compiler.readers"]
    assert {"compiler.readers.markdown", "compiler.readers.docx",
            "compiler.readers.html"} <= graph["compiler.readers"]
    assert "compiler.build.pipeline" in graph["compiler.build"]
    assert {"compiler.cli.build", "compiler.cli.importing"} <= graph["compiler.cli.app"]


def test_an_import_by_name_outside_a_registry_is_refused() -> None:
    tree = ast.parse("import importlib\ndef f(n):\n    return importlib.import_module(n)\n")
    [call] = [n for n in ast.walk(tree) if isinstance(n, ast.Call)]
    with pytest.raises(AssertionError, match="a literal or REGISTRY"):
        _dynamic_targets(tree, call, "m:3")


def _exits(tree: ast.AST) -> list[str]:
    """Ways out of the process other than the Report: sys.exit, os._exit, exit(), quit(),
    raising SystemExit, click's ctx.exit(code). (Re-raising one in an except is no exit.)"""
    def ends(node: ast.AST) -> bool:
        if isinstance(node, ast.Call):
            func = ast.unparse(node.func)
            return func in ("sys.exit", "os._exit", "exit", "quit", "_exit") or (
                func.endswith(".exit") and bool(node.args or node.keywords))
        if isinstance(node, ast.Raise):
            return node.exc is not None and "SystemExit" in ast.unparse(node.exc)
        return isinstance(node, ast.ImportFrom) and node.module in ("sys", "os") and bool(
            {a.name for a in node.names} & {"exit", "_exit"})

    found = sorted((n for n in ast.walk(tree) if ends(n)), key=lambda n: getattr(n, "lineno", 0))
    return [f"{getattr(n, 'lineno', 0)}: {ast.unparse(n)}" for n in found]


def test_one_report_decides_exit_codes() -> None:
    """Only compiler/cli/report.py ends the process with a code (Report.finish, the internal
    error's 70). click's own usage errors keep its exit 2; `--version` is ctx.exit() (0).
    A forked render worker ends with os._exit (it must never return into the build's code
    it was forked from); no other way out is allowed there either. The up-to-date answer
    (compiler/uptodate/replay.py) runs before the Report could be imported: it ends with 0
    (answered) or, when its reader has gone, the Report's 141, nothing else."""
    modules = _modules()
    found = [f"{name}:{where}" for name, path in modules.items()
             if name not in ("compiler.cli.report", "compiler.build.forked",
                             "compiler.uptodate.replay")
             for where in _exits(ast.parse(path.read_text(encoding="utf-8")))]
    assert found == []
    answers = _exits(ast.parse(modules["compiler.uptodate.replay"].read_text(encoding="utf-8")))
    assert sorted(end.partition(": ")[2] for end in answers) == [
        "os._exit(0)", "os._exit(PIPE_CLOSED)"]
    worker_ends = _exits(ast.parse(modules["compiler.build.forked"].read_text(encoding="utf-8")))
    assert worker_ends and all(end.endswith(": os._exit(code)") for end in worker_ends)
    assert _exits(ast.parse("import sys\nsys.exit(2)\nctx.exit(1)\nraise SystemExit(3)\n"
                            "ctx.exit()\ntry:\n    pass\nexcept SystemExit:\n    raise\n")) \
        == ["2: sys.exit(2)", "3: ctx.exit(1)", "4: raise SystemExit(3)"]


def test_every_command_reports_through_the_report() -> None:
    """Each click command's callback is wrapped by `reported` (its wrapper's code), so the
    Report alone picks its exit code; the groups themselves only dispatch."""
    import click

    from compiler.cli import main
    from compiler.cli.report import Report, reported

    def chain(func: object) -> list[object]:
        funcs = [func]
        while hasattr(funcs[-1], "__wrapped__"):
            funcs.append(funcs[-1].__wrapped__)
        return funcs

    def leaves(command: click.Command, path: str) -> list[tuple[str, click.Command]]:
        if isinstance(command, click.Group):  # the top group imports its commands on demand
            ctx = click.Context(command)
            subs = [(name, command.get_command(ctx, name)) for name in command.list_commands(ctx)]
            return [leaf for name, sub in subs if sub is not None
                    for leaf in leaves(sub, f"{path} {name}")]
        return [(path, command)]

    def noop(report: Report) -> None:
        return None

    code = getattr(reported(noop), "__code__")  # noqa: B009 (the wrapper's code object)
    commands = leaves(main, "policyc")
    assert len(commands) > 10
    unreported = [path for path, command in commands
                  if not any(getattr(f, "__code__", None) is code for f in chain(command.callback))]
    assert unreported == []


def test_only_the_command_line_imports_click() -> None:
    for name, path in _modules().items():
        if _layer(name)[1] == "compiler.cli":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names = {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
        names |= {n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
        assert not {n for n in names if n == "click" or n.startswith("click.")}, name


def test_the_yaml_reader_never_imports_the_facts_cache() -> None:
    graph = _graph()
    reached: set[str] = set()
    todo = [m for m in graph if _layer(m)[1] == "compiler.readers"]
    while todo:
        m = todo.pop()
        if m not in reached:
            reached.add(m)
            todo.extend(graph[m])
    assert not [m for m in reached if m.startswith("compiler.project")]


def test_the_yaml_reader_is_bytes_to_document() -> None:
    """readers/yaml*.py import no file-system module and call no open(): a source's bytes
    come in, a Document goes out; the files a source names beside it are checked by the
    project (project/sources.py), which CLDR's data lookup (readers/cldr.py) is not."""
    modules = {name: path for name, path in _modules().items()
               if name.rpartition(".")[2].startswith("yaml") and name.startswith(
                   "compiler.readers.")}
    assert len(modules) >= 4, modules  # yaml, yaml_nodes, yaml_meta, yaml_blocks
    file_modules = {"os", "pathlib", "shutil", "glob", "tempfile", "io"}
    pure_fs = {"relative_inside"}  # compiler.fs's check of a written path, as a string

    def reaches_files(node: ast.AST) -> list[str]:
        if isinstance(node, ast.Import):
            return [a.name for a in node.names if a.name.split(".")[0] in file_modules
                    or a.name.startswith(("compiler.fs", "compiler.project"))]
        if isinstance(node, ast.ImportFrom):
            module, names = node.module or "", {a.name for a in node.names}
            if module.split(".")[0] in file_modules or module.startswith("compiler.project"):
                return [module]
            return [f"{module}.{n}" for n in sorted(names - pure_fs)
                    if module == "compiler.fs"]
        if isinstance(node, ast.Call) and ast.unparse(node.func) in ("open", "io.open"):
            return [f"line {node.lineno}: {ast.unparse(node)}"]
        return []

    found = [f"{name}: {hit}" for name, path in modules.items()
             for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
             for hit in reaches_files(node)]
    assert not found, found


def _says_why(doc: str) -> bool:
    return any(line.startswith("Kept whole:") and len(line) > len("Kept whole:") + 20
               for line in doc.splitlines())


def test_only_a_kept_whole_line_with_a_reason_exempts() -> None:
    assert _says_why("Title.\n\nKept whole: one walk whose state every step shares.")
    assert not _says_why("Title of about 500 lines.")  # mentioning lines is no reason
    assert not _says_why("Title.\n\nKept whole:")  # no reason given
    assert not _says_why("Title.\n  see: Kept whole: quoted, not a line of its own")


def test_modules_stay_small_unless_they_say_why() -> None:
    """Files over ~400 lines say why in their module docstring: a line starting 'Kept whole:'
    followed by the reason (a mention of 'lines' or a to-do list is not a reason)."""
    long = []
    for name, path in _modules().items():
        text = path.read_text(encoding="utf-8")
        doc = ast.get_docstring(ast.parse(text)) or ""
        if text.count("\n") > MAX_LINES and not _says_why(doc):
            long.append(f"{name}: {text.count(chr(10))} lines")
    assert not long, long


def test_redline_composes_with_the_model_and_the_writers() -> None:
    """Redline data does not subclass model nodes, and no redline class subclasses a private
    class or any renderer's class: the DOCX Writer and the HTML BodyWriter are reached
    through their Hooks."""
    from compiler import model

    nodes = {name for name, value in vars(model).items() if isinstance(value, type)}
    writers = {node.name for name, path in _modules().items()
               if name.startswith("compiler.renderers")
               for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
               if isinstance(node, ast.ClassDef)}
    assert {"Writer", "BodyWriter"} <= writers
    found = []
    for name, path in _modules().items():
        if not name.startswith("compiler.redline"):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef):
                for base in node.bases:
                    text = ast.unparse(base)
                    last = text.rpartition(".")[2]
                    if last in nodes or last.startswith("_") or last in writers:
                        found.append(f"{name}.{node.name}({text})")
    assert not found, found


def _reflection(tree: ast.AST) -> list[str]:
    """Calls that walk dataclass instances by reflection: is_dataclass(x), fields(x) on a
    value (fields(Labels) names a class in the code: a static list), and replace(x, **changes)
    whose field names are computed."""
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        called = ast.unparse(node.func).rpartition(".")[2]
        computed_fields = any(k.arg is None for k in node.keywords)
        on_a_value = bool(node.args) and not (isinstance(node.args[0], ast.Name)
                                             and node.args[0].id[:1].isupper())
        if (called in ("is_dataclass", "asdict", "astuple")
                or (called == "fields" and on_a_value)
                or (called == "replace" and computed_fields)):
            found.append(f"line {node.lineno}: {ast.unparse(node)[:70]}")
    return found


def test_no_walk_over_the_model_by_reflection() -> None:
    """Localization, redline and the importers rebuild documents through model/walk.py's
    typed traversal, not by reflection over dataclass fields (which skips or enters fields
    silently: its exclusions hidden in field names). The build state (not the model) may
    turn its own records into JSON with asdict."""
    allowed = {"compiler.build.state"}  # asdict of its own OutputState/LocaleState records
    found = [f"{name} {hit}" for name, path in _modules().items() if name not in allowed
             for hit in _reflection(ast.parse(path.read_text(encoding="utf-8")))]
    assert not found, found
    # the check sees the reflection the three walkers used before walk.py rebuilt trees
    old = ast.parse("def transform(obj):\n"
                    "    if dataclasses.is_dataclass(obj):\n"
                    "        return dataclasses.replace(obj, **{f.name: transform(getattr(obj, "
                    "f.name)) for f in dataclasses.fields(obj)})\n")
    assert len(_reflection(old)) == 3
    assert not _reflection(ast.parse("fields(Labels)\nreplace(rich, source='x')"))
