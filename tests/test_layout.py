"""How the test suite is laid out (issue 12): a test file and a snapshot per platform,
helpers in helpers modules, never imported from a ``conftest.py``."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from custom_components.micboard import PLATFORMS

TESTS = Path(__file__).resolve().parent


@pytest.mark.parametrize("platform", [str(platform) for platform in PLATFORMS])
def test_each_platform_has_its_tests_and_snapshot(platform: str) -> None:
    """``tests/test_<platform>.py`` snapshots all the platform's entities."""
    tests = TESTS / f"test_{platform}.py"
    assert tests.is_file()
    assert "snapshot_platform(" in tests.read_text(encoding="utf-8")
    assert (TESTS / "snapshots" / f"test_{platform}.ambr").is_file()


def conftest_imports(source: str) -> list[str]:
    """The imports in ``source`` that name a ``conftest`` module."""
    found: list[str] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom):
            module = (node.module or "").split(".")
            found.extend(
                f"{'.' * node.level}{node.module or ''} import {alias.name}"
                for alias in node.names
                if "conftest" in (module[-1], alias.name)
            )
        elif isinstance(node, ast.Import):
            found.extend(alias.name for alias in node.names if "conftest" in alias.name.split("."))
    return found


def test_no_test_imports_a_conftest() -> None:
    imports = {
        str(path.relative_to(TESTS)): found
        for path in sorted(TESTS.rglob("*.py"))
        if (found := conftest_imports(path.read_text(encoding="utf-8")))
    }
    assert imports == {}


def test_the_check_sees_conftest_imports() -> None:
    # Spelt with a placeholder, so that grepping the tests for such imports finds none.
    c = "conftest"
    source = (
        f"from .{c} import FAST\nfrom ..{c} import x\nfrom . import {c}\n"
        f"import tests.shure.{c}\nfrom .helpers import FAST\n"
    )
    assert conftest_imports(source) == [
        f".{c} import FAST",
        f"..{c} import x",
        f". import {c}",
        f"tests.shure.{c}",
    ]
