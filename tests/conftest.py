"""Shared fixtures: load this repo's integration into Home Assistant's test harness.

The HA-layer tests run against the in-memory manufacturer of ``tests.helpers`` (no socket,
no real time); ``tests/integration`` keeps the few that drive the real simulator.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any
from unittest.mock import patch

import pytest
from pytest_homeassistant_custom_component.syrupy import HomeAssistantSnapshotExtension
from syrupy.assertion import SnapshotAssertion

# The test plugin mounts a custom_components package of its own; importing ours first makes
# Home Assistant find the integration.
import custom_components.micboard  # noqa: F401

from .helpers import QLXD_CAPABILITIES, FakeNetwork, channel, charger, patch_manufacturer, receiver


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(enable_custom_integrations: Any) -> None:
    """Let Home Assistant load custom integrations in every test."""


@pytest.fixture
def snapshot(snapshot: SnapshotAssertion) -> SnapshotAssertion:
    """Snapshots that leave out ids and timestamps Home Assistant makes up per run."""
    return snapshot.use_extension(HomeAssistantSnapshotExtension)


@pytest.fixture
def entity_registry_enabled_by_default() -> Generator[None]:
    """Create entities that are disabled by default as enabled."""
    with patch(
        "homeassistant.helpers.entity.Entity.entity_registry_enabled_default",
        return_value=True,
    ):
        yield


@pytest.fixture
def network() -> Generator[FakeNetwork]:
    """An empty show network the integration talks to instead of sockets."""
    network = FakeNetwork()
    with patch_manufacturer(network.spec()):
        yield network


@pytest.fixture
def no_jitter() -> Generator[None]:
    """Level sensors start their write window at the moment they are added."""
    with patch("custom_components.micboard.sensor.random.uniform", return_value=0.0):
        yield


@pytest.fixture
def control_rig(network: FakeNetwork) -> FakeNetwork:
    """A ULXD4D ("Stage L": Vox, Choir), a QLXD4 ("Podium": Pulpit) and a charger."""
    network.add(
        receiver("Stage L", channels=[channel(1, "Vox"), channel(2, "Choir")]),
        receiver(
            "Podium",
            host="10.0.0.6",
            channels=[channel(1, "Pulpit")],
            model="QLXD4",
            family="qlxd",
            capabilities=QLXD_CAPABILITIES,
        ),
        charger("Chargers A"),
    )
    return network
