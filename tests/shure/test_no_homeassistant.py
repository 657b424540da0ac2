"""The manufacturer layer and the simulator must not import Home Assistant."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
HA_FREE = [ROOT / "custom_components" / "micboard" / "manufacturers", ROOT / "simulator"]


def imported_modules(path: Path) -> set[str]:
    """Top-level names of every module a file imports."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize(
    "path",
    [path for folder in HA_FREE for path in sorted(folder.rglob("*.py"))],
    ids=lambda path: str(path.relative_to(ROOT)),
)
def test_no_homeassistant_import(path: Path) -> None:
    assert "homeassistant" not in imported_modules(path)


def test_the_check_sees_imports(tmp_path: Path) -> None:
    source = tmp_path / "module.py"
    source.write_text("import homeassistant.core\nfrom homeassistant import config_entries\n")
    assert imported_modules(source) == {"homeassistant"}
