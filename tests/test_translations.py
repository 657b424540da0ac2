"""Every registered manufacturer has the strings its entry, discovery and repairs use.

Adding a manufacturer is files and data only (docs/architecture.md); this is the check
that its translations came with it, and that none are left for a manufacturer that went.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from custom_components.micboard.manufacturers import MANUFACTURERS

EN = Path(__file__).parents[1] / "custom_components" / "micboard" / "translations" / "en.json"
ACCESS = "access_disabled_"


@pytest.fixture(name="strings", scope="module")
def strings_fixture() -> dict[str, Any]:
    """The English translations."""
    loaded: dict[str, Any] = json.loads(EN.read_text(encoding="utf-8"))
    return loaded


@pytest.mark.parametrize("code", list(MANUFACTURERS))
def test_each_manufacturer_has_its_strings(strings: dict[str, Any], code: str) -> None:
    """The hosts step, the choice in the user step, the access repair issue."""
    name = MANUFACTURERS[code].name
    step = strings["config"]["step"][code]
    assert step["title"], step
    assert step["description"], step
    assert step["data"]["hosts"], step
    assert strings["selector"]["manufacturer"]["options"][code].startswith(name)
    assert name in strings["config"]["step"]["user"]["data_description"]["manufacturer"]
    issue = strings["issues"][f"{ACCESS}{code}"]
    assert issue["title"], issue
    assert "{host}" in issue["description"], issue
    assert "{name}" in issue["title"] + issue["description"], issue


def test_no_strings_for_unregistered_manufacturers(strings: dict[str, Any]) -> None:
    """A manufacturer's options and issues exist only while it is registered."""
    assert set(strings["selector"]["manufacturer"]["options"]) == set(MANUFACTURERS)
    issues = {key.removeprefix(ACCESS) for key in strings["issues"] if key.startswith(ACCESS)}
    assert issues == set(MANUFACTURERS)
