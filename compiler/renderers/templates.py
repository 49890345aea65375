"""Where templates come from: a project's own templates/ first, then policyc's built-ins.

The built-in templates (Jinja pages, CSS, the DOCX style reference) ship inside the package
(`compiler/templates/`), so an installed policyc works in any folder. A project overrides
them one file at a time by putting a file with the same relative name in its own
`templates/` folder; a Jinja template there can still `{% extends "builtin/html/page.html.j2" %}`
to change one block of the built-in page.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import jinja2

# compiler/templates is a link to the repository's templates/ in a checkout; resolved, so that
# this repository (whose templates/ is the built-in set) has no override layer.
BUILTIN = (Path(__file__).resolve().parent.parent / "templates").resolve()
TEMPLATES = BUILTIN
BUILTIN_PREFIX = "builtin"  # {% extends "builtin/html/page.html.j2" %} reaches the built-in file


@dataclass(frozen=True)
class Templates:
    """An ordered search path of template folders; the first folder holding a name wins.

    Hashable, so render options stay hashable and Jinja environments are cached per set.
    """

    roots: tuple[Path, ...] = (BUILTIN,)

    @classmethod
    def for_project(cls, folder: Path | None) -> Templates:
        """A project's templates folder (when it exists) in front of the built-ins."""
        if folder is not None and folder.is_dir() and folder.resolve() != BUILTIN:
            return cls((folder.resolve(), BUILTIN))
        return cls()

    @property
    def project(self) -> Path | None:
        """The project's own folder, or None when only the built-ins are used."""
        return self.roots[0] if len(self.roots) > 1 else None

    def find(self, name: str) -> Path:
        """The file that wins for a relative name such as css/web.css."""
        for root in self.roots:
            path = root / name
            if path.is_file():
                return path
        return BUILTIN / name  # reading it raises FileNotFoundError naming the built-in path

    def read_text(self, name: str) -> str:
        return self.find(name).read_text(encoding="utf-8")

    def environment(self) -> jinja2.Environment:
        return _environment(self)

    def template(self, name: str) -> jinja2.Template:
        """The template `name`, compiled. A syntax error in it (a project's own template,
        or one it extends or includes) is the project's mistake: an error at its file and
        line, the same whichever process renders, not a policyc bug."""
        import jinja2

        from compiler.errors import Category, CompilerError, Loc, display_path

        try:
            return _environment(self).get_template(name)
        except jinja2.TemplateSyntaxError as err:
            where = display_path(err.filename or self.find(err.name or name))
            raise CompilerError.at(Loc(where, err.lineno or 0), f"in a template: {err.message}",
                                   Category.SYNTAX) from err

    def names(self) -> dict[str, Path]:
        """Every template name with the file that wins for it."""
        found: dict[str, Path] = {}
        for root in reversed(self.roots):
            for path in sorted(root.rglob("*")):
                if _is_template(path):
                    found[path.relative_to(root).as_posix()] = path
        return dict(sorted(found.items()))

    def digests(self, prefixes: tuple[str, ...] = ("",)) -> dict[str, str]:
        """Content digests of the files that win for each name under prefixes, plus the
        built-ins they shadow as builtin/<name> (the name a project template extends).

        So editing a project override, or policyc's own file under it, changes the key.
        """
        out: dict[str, str] = {}
        for root in reversed(self.roots):
            for name, digest in _tree_digests(root).items():
                if name.startswith(prefixes):
                    if name in out and root != BUILTIN:
                        out[f"{BUILTIN_PREFIX}/{name}"] = out[name]
                    out[name] = digest
        return dict(sorted(out.items()))


def clear_caches() -> None:
    """Template files may change between builds in one process (the preview server)."""
    _tree_digests.cache_clear()
    _environment.cache_clear()


@cache
def _tree_digests(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*"), key=lambda p: p.parts) if _is_template(p)}


def _is_template(path: Path) -> bool:
    """Files that render: not caches, not the folder's README (which explains the folder)."""
    return path.is_file() and "__pycache__" not in path.parts and path.name != "README.md"


@cache
def _environment(templates: Templates) -> jinja2.Environment:
    """Autoescaping, strict environment: source and translations are data, never templates."""
    import jinja2

    search = jinja2.FileSystemLoader([str(r) for r in templates.roots])
    builtin = jinja2.PrefixLoader({BUILTIN_PREFIX: jinja2.FileSystemLoader(str(BUILTIN))})
    return jinja2.Environment(
        loader=jinja2.ChoiceLoader([builtin, search]),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


BUILTINS = Templates()  # policyc's own templates alone


def builtin_print_css() -> str:
    """The built-in print.css, which gives no warnings (tested)."""
    return (BUILTIN / "css" / "print.css").read_text(encoding="utf-8")


def project_print_css(templates: Templates) -> tuple[Path, str] | None:
    """A project's own print.css and its text; None without one (read here, where a build
    that renders nothing looks: renderers/pdf_css, which checks one, imports logging)."""
    return _project_sheet(templates, "css/print.css")


def project_web_css(templates: Templates) -> tuple[Path, str] | None:
    """A project's own web.css and its text; None without one (renderers/web_css checks
    it)."""
    return _project_sheet(templates, "css/web.css")


def _project_sheet(templates: Templates, name: str) -> tuple[Path, str] | None:
    sheet = templates.find(name)
    project = templates.project
    text = sheet.read_text(encoding="utf-8") if project and sheet.is_relative_to(project) else ""
    if not text or text == (BUILTIN / name).read_text(encoding="utf-8"):  # (this repository's
        return None  # templates/ is a copy)
    return sheet, text
