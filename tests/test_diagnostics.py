"""Config entry diagnostics: the snapshot of every receiver, connection state, last sync."""

from __future__ import annotations

from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator
from syrupy.assertion import SnapshotAssertion
from syrupy.filters import props

from custom_components.micboard.diagnostics import TO_REDACT
from custom_components.micboard.manufacturers import MicboardConnectionError

from .helpers import FakeNetwork, battery, charger, load_receivers, setup_fake_entry


async def test_diagnostics(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    network: FakeNetwork,
    snapshot: SnapshotAssertion,
) -> None:
    """The download describes the rig (receivers and chargers); timings are left out."""
    network.add(*load_receivers("ulxd4d.json"), charger("Docks", bays=[battery(), None]))
    entry = await setup_fake_entry(hass, network)
    diagnostics = await get_diagnostics_for_config_entry(hass, hass_client, entry)
    assert diagnostics == snapshot(exclude=props("duration_seconds"))
    assert {"api_key", "password"} <= TO_REDACT


async def test_diagnostics_after_failed_poll(
    hass: HomeAssistant, hass_client: ClientSessionGenerator, network: FakeNetwork
) -> None:
    """A failed poll shows in the download, and secrets of later manufacturers are redacted."""
    network.add(*load_receivers("ulxd4d.json"))
    entry = await setup_fake_entry(hass, network, password="hunter2")
    network.backend.fail(MicboardConnectionError("network down"))
    await entry.runtime_data.async_refresh()
    diagnostics = await get_diagnostics_for_config_entry(hass, hass_client, entry)
    assert diagnostics["last_update_success"] is False
    assert diagnostics["last_sync_status"] == "success"
    assert diagnostics["entry"]["options"]["password"] == "**REDACTED**"
