"""The pre-commit hooks run scripts/test's checks with scripts/test's arguments."""

from __future__ import annotations

from pathlib import Path
import shlex

import yaml

ROOT = Path(__file__).parents[1]


def _script_commands() -> dict[str, list[str]]:
    """scripts/test's tool command lines, by tool (``ruff check``, ``mypy`` ...)."""
    commands: dict[str, list[str]] = {}
    for line in (ROOT / "scripts" / "test").read_text(encoding="utf-8").splitlines():
        words = shlex.split(line.strip())
        if words and words[0] in {"ruff", "mypy", "node"}:
            commands[" ".join(words[:2]) if words[0] == "ruff" else words[0]] = words
    return commands


def _hooks() -> dict[str, dict[str, object]]:
    config = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    return {hook["id"]: hook for repo in config["repos"] for hook in repo["hooks"]}


def _entry(hook: dict[str, object]) -> list[str]:
    words = shlex.split(str(hook["entry"]))
    return [Path(words[0]).name, *words[1:]]


def test_every_check_of_scripts_test_has_its_hook() -> None:
    """ruff check, ruff format, mypy over the same paths and the cards' node tests."""
    script, hooks = _script_commands(), _hooks()
    assert set(script) == {"ruff check", "ruff format", "mypy", "node"}, script
    # Both ruff hooks: the same subcommands; the hooks fix and format the staged files.
    assert _entry(hooks["ruff-check"])[:2] == ["ruff", "check"]
    assert _entry(hooks["ruff-format"])[:2] == ["ruff", "format"]
    for hook_id in ("ruff-check", "ruff-format"):
        assert hooks[hook_id]["types"] == ["python"]
    # mypy: exactly scripts/test's command line, over the whole tree whatever changed.
    assert _entry(hooks["mypy"]) == script["mypy"]
    assert hooks["mypy"]["pass_filenames"] is False
    # The cards' tests, as scripts/test runs them.
    assert shlex.join(script["node"]) in str(hooks["cards"]["entry"])
    assert hooks["cards"]["pass_filenames"] is False
