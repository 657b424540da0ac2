"""Binary sensors: receiver connectivity, transmitter on, power lock and mute."""

from __future__ import annotations

from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import snapshot_platform
from syrupy.assertion import SnapshotAssertion

from .helpers import (
    FakeNetwork,
    channel,
    load_receivers,
    receiver,
    setup_fake_entry,
    setup_platform,
    state_of,
    with_channel,
    with_transmitter,
)


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_all_entities(
    hass: HomeAssistant,
    network: FakeNetwork,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Entity ids, names, classes and states for one receiver of each family."""
    freezer.move_to("2026-11-26T20:00:00+00:00")
    network.add(*load_receivers("five_families.json"))
    entry = await setup_platform(hass, network, Platform.BINARY_SENSOR)
    await snapshot_platform(hass, entity_registry, snapshot, entry.entry_id)


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_transmitter_values_follow_pushes(hass: HomeAssistant, network: FakeNetwork) -> None:
    """Transmitter on/off, mute and lock follow pushed changes; unknown with no transmitter."""
    rx = receiver("Stage L", channels=[channel(1, "Vox"), channel(2, "Gtr")])
    network.add(rx)
    await setup_fake_entry(hass, network, detail_entities=True)
    backend = network.backend
    assert state_of(hass, "binary_sensor.vox_transmitter") == "on"
    assert state_of(hass, "binary_sensor.vox_transmitter_mute") == "off"
    assert state_of(hass, "binary_sensor.vox_transmitter_power_lock") == "off"

    rx = with_transmitter(rx, 1, mute=True, power_lock=True)
    backend.push(rx)
    await hass.async_block_till_done()
    assert state_of(hass, "binary_sensor.vox_transmitter_mute") == "on"
    assert state_of(hass, "binary_sensor.vox_transmitter_power_lock") == "on"

    backend.push(with_channel(rx, 1, transmitter=None))
    await hass.async_block_till_done()
    assert state_of(hass, "binary_sensor.vox_transmitter") == "off"
    assert state_of(hass, "binary_sensor.vox_transmitter_mute") == "unknown"
    assert state_of(hass, "binary_sensor.vox_transmitter_power_lock") == "unknown"
    assert state_of(hass, "binary_sensor.gtr_transmitter") == "on"


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_connectivity_stays_available_offline(
    hass: HomeAssistant, network: FakeNetwork
) -> None:
    """An unreachable receiver reads off (not unavailable); its channels are unavailable."""
    network.add(receiver("Wings", channels=[channel(1, "Sax")]))
    await setup_fake_entry(hass, network)
    network.backend.go_offline("Wings")
    await hass.async_block_till_done()
    assert state_of(hass, "binary_sensor.wings_connectivity") == "off"
    assert state_of(hass, "binary_sensor.sax_transmitter") == "unavailable"
    network.backend.come_back("Wings")
    await hass.async_block_till_done()
    assert state_of(hass, "binary_sensor.wings_connectivity") == "on"
    assert state_of(hass, "binary_sensor.sax_transmitter") == "on"
