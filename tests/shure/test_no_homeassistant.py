"""The manufacturer layer, the simulator and their own tests must not import Home Assistant."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
HA_FREE = [ROOT / "custom_components" / "micboard" / "manufacturers", ROOT / "simulator"]
# The suites that test them (and the waiting they share) run without Home Assistant too.
HA_FREE_TESTS = [
    ROOT / "tests" / "waiting.py",
    *(ROOT / "tests" / suite for suite in ("contract", "sennheiser", "shure", "simulator")),
]


def imported_modules(path: Path) -> set[str]:
    """Top-level names of every module a file imports."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module.split(".")[0])
    return names


def resolved_imports(source: str, package: tuple[str, ...]) -> set[str]:
    """Every module imported ``from`` in a module of ``package``, relative ones resolved."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else ()
            module = [*base, *([node.module] if node.module else [])]
            names.add(".".join(module))
            # ``from .. import helpers`` imports the module ``tests.helpers`` too.
            names.update(".".join([*module, alias.name]) for alias in node.names)
    return names


def imports_of(path: Path) -> set[str]:
    """``resolved_imports`` of a file of this repository."""
    return resolved_imports(path.read_text(encoding="utf-8"), path.relative_to(ROOT).parent.parts)


@pytest.mark.parametrize(
    "path",
    [path for folder in HA_FREE for path in sorted(folder.rglob("*.py"))],
    ids=lambda path: str(path.relative_to(ROOT)),
)
def test_no_homeassistant_import(path: Path) -> None:
    assert "homeassistant" not in imported_modules(path)


@pytest.mark.parametrize(
    "path",
    [
        path
        for where in HA_FREE_TESTS
        for path in (sorted(where.rglob("*.py")) if where.is_dir() else [where])
    ],
    ids=lambda path: str(path.relative_to(ROOT)),
)
def test_library_tests_import_no_homeassistant(path: Path) -> None:
    """Neither Home Assistant nor the HA-layer tests' ``tests.helpers`` (which imports it)."""
    modules = imported_modules(path)
    assert "homeassistant" not in modules
    assert "pytest_homeassistant_custom_component" not in modules
    assert "tests.helpers" not in imports_of(path)


def test_the_check_sees_imports(tmp_path: Path) -> None:
    source = tmp_path / "module.py"
    source.write_text("import homeassistant.core\nfrom homeassistant import config_entries\n")
    assert imported_modules(source) == {"homeassistant"}


def test_relative_imports_are_resolved() -> None:
    assert {"tests.shure.helpers", "tests.waiting"} <= imports_of(
        ROOT / "tests" / "shure" / "test_backend.py"
    )
    suite = ("tests", "shure")
    for source in ("from ..helpers import receiver\n", "from .. import helpers\n"):
        assert "tests.helpers" in resolved_imports(source, suite)
    assert "tests.helpers" not in resolved_imports("from .helpers import FAST\n", suite)
