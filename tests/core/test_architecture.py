"""The architecture rules of design.md §2, enforced on the source tree.

Only annotator/gui imports PySide6 (or shiboken6); only annotator/store imports SQLAlchemy;
inner rings never import outer ones; no module grows past 500 lines; importing the core
packages does not load Qt.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

import annotator

PACKAGE = Path(annotator.__file__).resolve().parent
ROOT = PACKAGE.parent
MAX_LINES = 500
SOURCES = sorted(PACKAGE.rglob("*.py"))


def _relative(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> set[str]:
    return _imports_in(
        path.read_text(encoding="utf-8"), _module_name(path), path.name == "__init__.py"
    )


def _imports_in(source: str, module: str, is_package: bool) -> set[str]:
    """Absolute names of every module a source imports: import statements anywhere in the file
    (functions and TYPE_CHECKING blocks included), relative imports resolved, and
    importlib.import_module / __import__ calls with a literal name."""
    package = module if is_package else module.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            name = node.module or ""
            if node.level:
                parts = package.split(".")
                base = ".".join(parts[: len(parts) - node.level + 1])
                name = f"{base}.{name}" if name else base
            found.add(name)
            found.update(f"{name}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Call) and _dynamic_import(node):
            found.add(node.args[0].value)
    return found


def _dynamic_import(node: ast.Call) -> bool:
    func = node.func
    named = (isinstance(func, ast.Name) and func.id in {"__import__", "import_module"}) or (
        isinstance(func, ast.Attribute) and func.attr == "import_module"
    )
    return (
        named
        and bool(node.args)
        and isinstance(node.args[0], ast.Constant)
        and isinstance(node.args[0].value, str)
    )


def _top_levels(names: set[str]) -> set[str]:
    return {name.split(".")[0] for name in names}


def _inside(path: Path, package: str) -> bool:
    return _relative(path).startswith(f"annotator/{package}/")


def test_sources_are_found() -> None:
    assert any(_relative(p) == "annotator/store/project_store.py" for p in SOURCES)


def test_import_scanner_sees_every_kind_of_import() -> None:
    """A rule is only as good as what the scanner sees."""
    source = (
        "import os.path\n"
        "from . import sibling\n"
        "from ..gui.view import View\n"
        "if TYPE_CHECKING:\n    from sqlalchemy import Engine\n"
        "def late():\n    import PySide6.QtCore\n"
        "    importlib.import_module('shiboken6')\n    __import__('PyQt6')\n"
    )
    found = _imports_in(source, "annotator.store.thing", is_package=False)
    assert {"os.path", "annotator.store.sibling", "annotator.gui.view", "sqlalchemy",
            "PySide6.QtCore", "shiboken6", "PyQt6"} <= found  # fmt: skip
    assert "annotator.domain" in _imports_in("from .. import domain", "annotator.io", True)
    assert "sqlalchemy" in _top_levels(_imports(PACKAGE / "store" / "engine.py"))


@pytest.mark.parametrize("path", SOURCES, ids=_relative)
def test_only_gui_imports_qt(path: Path) -> None:
    if _inside(path, "gui"):
        return
    qt = _top_levels(_imports(path)) & {"PySide6", "shiboken6", "PyQt5", "PyQt6", "PySide2"}
    assert not qt, f"{_relative(path)} imports {sorted(qt)}; only annotator/gui may use Qt"


@pytest.mark.parametrize("path", SOURCES, ids=_relative)
def test_only_store_imports_sqlalchemy(path: Path) -> None:
    if _inside(path, "store"):
        return
    assert "sqlalchemy" not in _top_levels(_imports(path)), (
        f"{_relative(path)} imports sqlalchemy; only annotator/store speaks SQL"
    )


#: What each inner ring may import from annotator (design.md §2: inner never imports outer).
RINGS = {
    "domain": {"annotator.domain", "annotator.errors"},
    "store": {"annotator.domain", "annotator.errors", "annotator.resources", "annotator.store"},
    "io": {"annotator.domain", "annotator.errors", "annotator.resources", "annotator.io"},
}
OUTER = ("annotator.services", "annotator.gui", "annotator.cli")


@pytest.mark.parametrize("path", SOURCES, ids=_relative)
def test_inner_rings_do_not_import_outer_ones(path: Path) -> None:
    own = [name for name in _imports(path) if name == "annotator" or name.startswith("annotator.")]
    ring = next((r for r in RINGS if _inside(path, r)), None)
    if ring is not None:
        allowed = RINGS[ring]
        bad = [n for n in own if not any(n == a or n.startswith(f"{a}.") for a in allowed)]
        bad = [n for n in bad if n != "annotator"]
        assert not bad, f"{_relative(path)} ({ring}) imports {sorted(bad)}"
    elif _inside(path, "services"):
        bad = [n for n in own if n.startswith(("annotator.gui", "annotator.cli"))]
        assert not bad, f"{_relative(path)} (services) imports {sorted(bad)}"


@pytest.mark.parametrize("path", SOURCES, ids=_relative)
def test_module_length(path: Path) -> None:
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"{_relative(path)} has {lines} lines (limit {MAX_LINES})"


CORE_PACKAGES = [
    name
    for name in ("domain", "store", "services", "io")
    if (PACKAGE / name / "__init__.py").exists()
]

_PROBE = """
import importlib, json, pkgutil, sys
failed = {}
for package in sys.argv[1:]:
    module = importlib.import_module(package)
    for info in pkgutil.walk_packages(module.__path__, package + "."):
        try:
            importlib.import_module(info.name)
        except Exception as error:
            failed[info.name] = f"{type(error).__name__}: {error}"
loaded = sorted(
    name for name in sys.modules if name.split(".")[0] in {"PySide6", "shiboken6", "sqlalchemy"}
)
print(json.dumps({"loaded": loaded, "failed": failed}))
"""


def _probe(*packages: str) -> dict:
    result = subprocess.run(
        [sys.executable, "-c", _PROBE, *packages],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_core_packages_exist() -> None:
    assert {"domain", "store"} <= set(CORE_PACKAGES)


def test_importing_the_core_does_not_load_qt() -> None:
    """Every module of domain, store, services and io, imported in a fresh interpreter."""
    packages = [f"annotator.{name}" for name in CORE_PACKAGES]
    report = _probe(*packages)
    assert report["failed"] == {}, report["failed"]
    qt = [name for name in report["loaded"] if name.split(".")[0] in {"PySide6", "shiboken6"}]
    assert qt == [], f"importing {packages} loaded {qt[:5]}"


def test_importing_the_domain_loads_neither_qt_nor_sqlalchemy() -> None:
    report = _probe("annotator.domain")
    assert report["failed"] == {}, report["failed"]
    assert report["loaded"] == []


# -- io holds pure converters (design.md §10): no project, no store ------------------------------
IO_SOURCES = [p for p in SOURCES if _inside(p, "io")]
FORBIDDEN_IO_PARAMETERS = {"project", "store"}


@pytest.mark.parametrize("path", IO_SOURCES, ids=_relative)
def test_io_converters_take_no_project_or_store(path: Path) -> None:
    """A reader gets bytes and an ImportContext, a writer an ExportSource: no function or
    method of io has a parameter called project or store, and none reads `.store`."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            arguments = node.args
            names = {a.arg for a in (*arguments.posonlyargs, *arguments.args)}
            names |= {a.arg for a in arguments.kwonlyargs}
            bad = names & FORBIDDEN_IO_PARAMETERS
            where = getattr(node, "name", "lambda")
            assert not bad, f"{_relative(path)}:{node.lineno} {where}() takes {sorted(bad)}"
        if isinstance(node, ast.Attribute) and node.attr == "store":
            raise AssertionError(f"{_relative(path)}:{node.lineno} reads .store")


@pytest.mark.parametrize("path", [p for p in SOURCES if _inside(p, "gui")], ids=_relative)
def test_gui_does_not_import_the_store(path: Path) -> None:
    """The GUI reaches the project file only through services."""
    bad = sorted(n for n in _imports(path) if n.startswith("annotator.store"))
    assert not bad, f"{_relative(path)} imports {bad}; go through annotator.services"


def test_the_io_rules_catch_a_project_parameter() -> None:
    source = "def read(project, path):\n    with project.store.read():\n        pass\n"
    tree = ast.parse(source)
    (function,) = [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)]
    assert {a.arg for a in function.args.args} & FORBIDDEN_IO_PARAMETERS == {"project"}
    assert any(isinstance(n, ast.Attribute) and n.attr == "store" for n in ast.walk(tree))
