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
from simulator.core import Simulator

from .conftest import setup_entry


async def test_diagnostics(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    simulator: Simulator,
    snapshot: SnapshotAssertion,
) -> None:
    """The download describes the rig; timings are left out of the comparison."""
    receiver = await simulator.add_receiver(
        "ULXD4D", name="Stage L", port=42210, channel_names=["Vocal 1", "Vocal 2"]
    )
    receiver.set_transmitter(2, on=False)
    receiver.set_levels(1, rf_dbm=-60, audio_dbfs=-20)
    entry = await setup_entry(hass, receiver)
    diagnostics = await get_diagnostics_for_config_entry(hass, hass_client, entry)
    assert diagnostics == snapshot(exclude=props("duration_seconds"))
    assert {"api_key", "password"} <= TO_REDACT
