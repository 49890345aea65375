"""Every run of policyc in tests/ checks its exit code: a CliRunner invoke(...) result's
exit_code, a subprocess's returncode (or check=True), directly or through a helper that
returns them, whose callers then check what it returns. Read from the tests' syntax trees,
so a new test that drops the code fails here, not silently in review."""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from pathlib import Path

from tests.helpers import ROOT

TESTS = ROOT / "tests"
SUBPROCESS = {"run", "Popen", "check_output", "check_call", "call"}
CODES = {"exit_code", "returncode"}


def _parents(tree: ast.AST) -> dict[int, ast.AST]:
    return {id(child): node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}


def _launches_policyc(call: ast.Call) -> bool:
    """CliRunner's invoke, or a subprocess whose command is policyc (`-m compiler`, `-m
    compiler.cli`, a policyc executable), except `serve`. Python snippets run with -c are not
    recognized."""
    func = call.func
    if isinstance(func, ast.Attribute) and func.attr == "invoke":
        return True
    if not (isinstance(func, ast.Attribute) and func.attr in SUBPROCESS
            and ast.unparse(func.value) == "subprocess" and call.args):
        return False
    command = ast.unparse(call.args[0])
    if "'serve'" in command:  # runs until the test stops it: its exit code is the signal's
        return False
    return re.search(r"'compiler(\.\w+)*'", command) is not None or "policyc" in command


def _checks_itself(call: ast.Call) -> bool:
    """subprocess.run(..., check=True), check_output and check_call raise on a failure."""
    func = call.func
    if isinstance(func, ast.Attribute) and func.attr in ("check_output", "check_call"):
        return True
    return any(k.arg == "check" and isinstance(k.value, ast.Constant) and k.value.value is True
               for k in call.keywords)


def _function(node: ast.AST, parents: dict[int, ast.AST]) -> ast.AST:
    while not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Module):
        node = parents[id(node)]
    return node


def _uses(scope: ast.AST, name: str) -> list[tuple[ast.Name, ast.AST, bool]]:
    """Each read of name: the node, its parent, and whether it is inside a return."""
    parents = _parents(scope)
    out = []
    for n in ast.walk(scope):
        if isinstance(n, ast.Name) and n.id == name and isinstance(n.ctx, ast.Load):
            statement: ast.AST = n
            while not isinstance(statement, ast.stmt):
                statement = parents[id(statement)]
            out.append((n, parents[id(n)], isinstance(statement, ast.Return)))
    return out


def _code_read(name: str, scope: ast.AST) -> bool:
    """The exit code behind name is checked here (not only returned): name.exit_code,
    name.returncode, name[0] (a helper's (code, output)) or name compared."""
    for _node, parent, returned in _uses(scope, name):
        if returned:
            continue
        if isinstance(parent, ast.Attribute) and parent.attr in CODES:
            return True
        if isinstance(parent, ast.Subscript) and ast.unparse(parent.slice) == "0":
            return True
        if _equality(parent):
            return True
    return False


def _equality(node: ast.AST) -> bool:
    """A comparison of a whole result (its code included) by == or !=; `"x" in result`
    reads only its output."""
    return isinstance(node, ast.Compare) and all(isinstance(op, ast.Eq | ast.NotEq)
                                                 for op in node.ops)


def _each_checked(comprehension: ast.ListComp, module: _Module, scope: ast.AST) -> bool:
    """procs = [Popen(...) for ...], then `for p in procs:` reads each one's exit code."""
    assign = module.parents[id(comprehension)]
    if not (isinstance(assign, ast.Assign) and isinstance(assign.targets[0], ast.Name)):
        return False
    name = assign.targets[0].id
    return any(isinstance(loop, ast.For) and isinstance(loop.iter, ast.Name)
               and loop.iter.id == name and isinstance(loop.target, ast.Name)
               and _code_read(loop.target.id, loop) for loop in ast.walk(scope))


def _compared(name: str, scope: ast.AST) -> bool:
    """name (an exit code) is asserted on or compared somewhere in scope, not only returned."""
    parents = _parents(scope)
    for node, parent, returned in _uses(scope, name):
        if returned:
            continue
        if isinstance(parent, ast.Compare):
            return True
        statement: ast.AST = node
        while not isinstance(statement, ast.stmt):
            statement = parents[id(statement)]
        if isinstance(statement, ast.Assert) and node in ast.walk(statement.test):
            return True
    return False


@dataclass
class _Module:
    path: Path
    tree: ast.Module
    parents: dict[int, ast.AST] = field(init=False)

    def __post_init__(self) -> None:
        self.parents = _parents(self.tree)

    @property
    def shown(self) -> str:
        return self.path.relative_to(ROOT).as_posix()


def _verdict(call: ast.Call, module: _Module) -> str | None:
    """None when the call's exit code is checked (or handed to the caller: 'return'), else
    what is wrong."""
    parent = module.parents[id(call)]
    scope = _function(call, module.parents)
    if isinstance(parent, ast.Return):
        return "return"
    if isinstance(parent, ast.Attribute):
        return None if parent.attr in CODES else f"only .{parent.attr} read"
    if isinstance(parent, ast.Subscript):
        return None if ast.unparse(parent.slice) == "0" else "exit code dropped by [...]"
    if _equality(parent):
        return None
    if isinstance(parent, ast.Assign | ast.AnnAssign | ast.withitem):
        target = (parent.targets[0] if isinstance(parent, ast.Assign) else
                  parent.target if isinstance(parent, ast.AnnAssign) else parent.optional_vars)
        if isinstance(target, ast.Name):
            if _code_read(target.id, scope):
                return None
            returned = any(r for _n, _p, r in _uses(scope, target.id))
            return "return" if returned else f"'{target.id}' never has its exit code read"
        if isinstance(target, ast.Tuple) and target.elts and isinstance(target.elts[0], ast.Name):
            first = target.elts[0].id
            if first != "_" and _compared(first, scope):
                return None
            return f"exit code '{first}' unpacked and never read"
    if isinstance(parent, ast.Tuple) and isinstance(module.parents[id(parent)], ast.Return):
        return "return"
    if isinstance(parent, ast.ListComp) and _each_checked(parent, module, scope):
        return None
    return f"result used as {type(parent).__name__} without its exit code"


def _runners(modules: list[_Module]) -> dict[str, set[str]]:
    """Per module, the functions that hand a run's exit code to their caller (run_cli, a
    signing test's run, ...), including those imported from another test module."""
    own: dict[str, set[str]] = {m.shown: set() for m in modules}
    changed = True
    while changed:  # a helper calling a helper (_build -> _run) is a runner too
        changed = False
        for m in modules:
            names = own[m.shown] | _imported(m, own)
            for call in (n for n in ast.walk(m.tree) if isinstance(n, ast.Call)):
                if not (_launches_policyc(call) or _called(call) in names):
                    continue
                function = _function(call, m.parents)
                if (isinstance(function, ast.FunctionDef) and _verdict(call, m) == "return"
                        and function.name not in own[m.shown]):
                    own[m.shown].add(function.name)
                    changed = True
    return own


def _imported(module: _Module, own: dict[str, set[str]]) -> set[str]:
    names = set()
    for node in ast.walk(module.tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("tests."):
            source = node.module.replace(".", "/") + ".py"  # type: ignore[union-attr]
            names |= {a.asname or a.name for a in node.names if a.name in own.get(source, ())}
    return names


def _is_fixture(function: ast.AST) -> bool:
    return isinstance(function, ast.FunctionDef) and any(
        "fixture" in ast.unparse(d) for d in function.decorator_list)


def _called(call: ast.Call) -> str:
    return call.func.id if isinstance(call.func, ast.Name) else ""


def _unchecked(modules: list[_Module]) -> list[str]:
    runners = _runners(modules)
    found = []
    for m in modules:
        names = runners[m.shown] | _imported(m, runners)
        for call in (n for n in ast.walk(m.tree) if isinstance(n, ast.Call)):
            launch = _launches_policyc(call)
            if not launch and _called(call) not in names:
                continue
            if launch and _checks_itself(call):
                continue
            function = _function(call, m.parents)
            name = function.name if isinstance(function, ast.FunctionDef) else "<module>"
            why = _verdict(call, m)
            if why == "return" and (name.startswith("test_") or _is_fixture(function)):
                why = "returned where no caller checks it (a test or fixture)"
            if why is not None and why != "return":
                found.append(f"{m.shown}:{call.lineno} in {name}: {why}: {ast.unparse(call)[:60]}")
    return found


def _parse(path: Path, text: str | None = None) -> _Module:
    return _Module(path, ast.parse(text if text is not None else path.read_text(encoding="utf-8")))


def test_every_policyc_run_checks_its_exit_code() -> None:
    modules = [_parse(p) for p in sorted(TESTS.rglob("*.py")) if "node_modules" not in p.parts]
    assert not _unchecked(modules), "\n".join(_unchecked(modules))


def test_the_scan_sees_dropped_exit_codes() -> None:
    """What it refuses and accepts, on small examples."""
    helper = _parse(TESTS / "x_helpers.py", """
from click.testing import CliRunner
def run(*args):
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.output
def asserted(*args):
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code == 0, result.output
    return result.output
""")
    bad = _parse(TESTS / "x_bad.py", """
import subprocess, sys
from tests.x_helpers import run
def test_a():
    CliRunner().invoke(main, ["build"])
def test_b():
    result = CliRunner().invoke(main, ["build"])
    assert "wrote" in result.output
def test_c():
    _, out = run("build")
def test_d():
    assert "x" in run("check")[1]
def test_e():
    proc = subprocess.run([sys.executable, "-m", "compiler", "check"], capture_output=True)
    assert proc.stderr == ""
def test_f():
    result = run("check")
    assert "error" in result
@pytest.fixture
def built():
    return run("build")
""")
    good = _parse(TESTS / "x_good.py", """
import subprocess, sys
from tests.x_helpers import asserted, run
def test_a():
    assert CliRunner().invoke(main, ["build"]).exit_code == 0
def test_b():
    code, out = run("build")
    assert code == 0, out
def test_c():
    assert run("check") == (0, "")
def test_d():
    subprocess.run([sys.executable, "-m", "compiler", "check"], check=True)
def test_e():
    assert "ok" in asserted("check")
def test_f():
    procs = [subprocess.Popen([sys.executable, "-m", "compiler", "build", s]) for s in "ab"]
    for p in procs:
        p.wait()
        assert p.returncode == 0
""")
    found = sorted(_unchecked([helper, bad, good]), key=lambda line: int(line.split(":")[1].split()[0]))
    assert [line.split(" in ")[1].split(":")[0] for line in found] == [
        "test_a", "test_b", "test_c", "test_d", "test_e", "test_f", "built"], found
    assert all(line.startswith("tests/x_bad.py:") for line in found), found
