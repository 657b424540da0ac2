"""Event entities: a receiver's and a channel's lifecycle, for the logbook and automations."""

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
)


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_all_entities(
    hass: HomeAssistant,
    network: FakeNetwork,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Entity ids, names, event types and states for one receiver of each family."""
    freezer.move_to("2026-11-26T20:00:00+00:00")
    network.add(*load_receivers("five_families.json"))
    entry = await setup_platform(hass, network, Platform.EVENT)
    await snapshot_platform(hass, entity_registry, snapshot, entry.entry_id)


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_event_entities_follow_the_lifecycle(
    hass: HomeAssistant, network: FakeNetwork
) -> None:
    """Nothing is fired for the first read; transmitter off/on and updates are."""
    rx = receiver("Stage L", channels=[channel(1, "Vox"), channel(2, "Gtr")])
    network.add(rx)
    await setup_fake_entry(hass, network)
    backend = network.backend
    assert state_of(hass, "event.vox_transmitter_events") == "unknown"
    assert state_of(hass, "event.stage_l_receiver_events") == "unknown"

    rx = with_channel(rx, 1, transmitter=None)
    backend.push(rx)
    await hass.async_block_till_done()
    state = hass.states.get("event.vox_transmitter_events")
    assert state is not None
    assert state.attributes["event_type"] == "device_offline"

    backend.push(with_channel(rx, 2, name="Bass"))
    await hass.async_block_till_done()
    state = hass.states.get("event.gtr_transmitter_events")
    assert state is not None
    assert state.attributes["event_type"] == "device_updated"
    assert state.attributes["new_data"] == {"name": "Bass"}
    assert state.attributes["changed"] == ["name"]


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_receiver_events_offline_online(hass: HomeAssistant, network: FakeNetwork) -> None:
    """The receiver's event entity stays available offline and shows the drop and return."""
    network.add(receiver("Wings", channels=[channel(1, "Sax")]))
    await setup_fake_entry(hass, network)
    network.backend.go_offline("Wings")
    await hass.async_block_till_done()
    state = hass.states.get("event.wings_receiver_events")
    assert state is not None
    assert state.attributes["event_type"] == "device_offline"
    # A channel's events are worth showing while its receiver is offline too.
    assert state_of(hass, "event.sax_transmitter_events") != "unavailable"
    network.backend.come_back("Wings")
    await hass.async_block_till_done()
    state = hass.states.get("event.wings_receiver_events")
    assert state is not None
    assert state.attributes["event_type"] == "device_online"


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_new_receiver_gets_entities_without_reload(
    hass: HomeAssistant, network: FakeNetwork
) -> None:
    """A receiver added at run time (auto-add) gets its entities at once, and says how."""
    first = receiver("Lectern", port=2202, channels=1)
    second = receiver("Side", port=2203, channels=2)
    network.add(first, second)
    entry = await setup_fake_entry(hass, network, first)
    await entry.runtime_data.backend.add_receiver(second.host, second.port)
    await hass.async_block_till_done()
    assert state_of(hass, "binary_sensor.side_connectivity") == "on"
    state = hass.states.get("event.side_receiver_events")
    assert state is not None
    assert state.attributes["event_type"] == "device_discovered"
    assert "device_data" not in state.attributes
