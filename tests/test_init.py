"""Setting up, unloading and retrying an entry; which entities exist; deleting devices."""

from __future__ import annotations

from typing import Any

from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import EVENT_HOMEASSISTANT_STOP
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr, entity_registry as er
from homeassistant.setup import async_setup_component

from custom_components.micboard.const import DOMAIN
from custom_components.micboard.manufacturers import (
    Capability,
    MicboardConnectionError,
)

from .helpers import (
    ULXD_CAPABILITIES,
    FakeNetwork,
    channel,
    load_receivers,
    receiver,
    setup_fake_entry,
    state_of,
    unanswered,
)

# What only the "detail entities" option creates.
DETAIL_KEYS = frozenset(
    {
        *("audio_level", "frequency", "transmitter_model", "battery_bars", "antenna"),
        *("tx_offset", "power_lock", "firmware", "model", "rf_band"),
    }
)
MAC = "00:0e:dd:00:00:01"


async def test_setup_and_unload(hass: HomeAssistant, network: FakeNetwork) -> None:
    """Set-up starts the backend and listens to it; unload stops it and stops listening."""
    network.add(receiver("Pulpit"))
    entry = await setup_fake_entry(hass, network)
    backend = network.backend
    assert entry.state is ConfigEntryState.LOADED
    assert backend.calls["start"] == 1
    assert backend.calls["refresh"] == 1
    assert len(backend.listeners) == 1
    assert backend.calls["stop"] == 0

    await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    assert backend.calls["stop"] == 1
    assert backend.listeners == []
    assert len(network.backends) == 2
    assert network.backend.calls["start"] == 1

    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.NOT_LOADED
    assert network.backend.calls["stop"] == 1
    assert network.backend.listeners == []
    assert all(listener.running is False for listener in network.listeners)


async def test_home_assistant_stop_stops_backend(hass: HomeAssistant, network: FakeNetwork) -> None:
    """Receivers are told goodbye and the discovery socket is closed when Home Assistant
    stops, without an unload (the 60-minute soak counted one socket left per restart)."""
    network.add(receiver("Pulpit"))
    await setup_fake_entry(hass, network)
    assert [listener.running for listener in network.listeners] == [True]
    hass.bus.async_fire(EVENT_HOMEASSISTANT_STOP)
    await hass.async_block_till_done()
    assert network.backend.calls["stop"] == 1
    assert [listener.running for listener in network.listeners] == [False]


async def test_no_receiver_answers_retries_later(hass: HomeAssistant, network: FakeNetwork) -> None:
    """If no configured receiver answers, the entry is not ready and its backend is stopped."""
    entry = await setup_fake_entry(hass, network, unanswered("10.0.0.5", 2202))
    assert entry.state is ConfigEntryState.SETUP_RETRY
    failed = network.backend
    assert failed.calls["stop"] == 1
    assert failed.listeners == []

    network.add(receiver("Back"))
    await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.LOADED
    assert state_of(hass, "binary_sensor.back_connectivity") == "on"


async def test_backend_error_on_first_poll_retries_later(
    hass: HomeAssistant, network: FakeNetwork
) -> None:
    """A library error on the first poll: retry later, nothing left running."""
    network.add(receiver("Pulpit"))
    network.refresh_error = MicboardConnectionError("network down")
    entry = await setup_fake_entry(hass, network)
    assert entry.state is ConfigEntryState.SETUP_RETRY
    assert network.backend.calls["stop"] == 1


# Entities created disabled: their state changes restate a lifecycle event.
RESTATING_KEYS = {"receiver_events", "transmitter_events", "transmitter", "transmitter_mute"}


async def test_without_detail_only_the_essentials_exist(
    hass: HomeAssistant, network: FakeNetwork, entity_registry: er.EntityRegistry
) -> None:
    """By default every family gets what a show watches, and nothing else.

    Enabled: what the board and the crew read. Disabled until enabled on the entity page:
    the entities whose state changes only restate a lifecycle event (the Activity view would
    show each transition several times).
    """
    network.add(*load_receivers("five_families.json"))
    entry = await setup_fake_entry(hass, network)
    entries = er.async_entries_for_config_entry(entity_registry, entry.entry_id)
    keys: dict[str, set[str]] = {}
    disabled: set[str] = set()
    for entity in entries:
        device_and_key = entity.unique_id.rpartition("-")
        if entity.disabled_by is not None:
            assert entity.disabled_by is er.RegistryEntryDisabler.INTEGRATION
            disabled.add(device_and_key[2])
        else:
            assert device_and_key[2] not in RESTATING_KEYS, entity.entity_id
        keys.setdefault(device_and_key[2], set()).add(device_and_key[0])
    assert not keys.keys() & DETAIL_KEYS
    assert set(keys) == {
        *("receivers_online", "receivers_total", "last_sync", "last_sync_duration"),
        *("last_sync_status", "last_sync_errors", "connectivity", "receiver_events"),
        *("battery", "battery_runtime", "rf_level", "status", "transmitter"),
        *("transmitter_events", "transmitter_mute", "quality"),
    }
    # Five receivers: 4 + 1 + 2 + 2 + 4 channels.
    assert len(keys["connectivity"]) == 5
    assert len(keys["status"]) == 13
    # Channel quality is Axient Digital's alone; mute is ULX-D's and Axient's.
    assert len(keys["quality"]) == 4
    assert len(keys["transmitter_mute"]) == 8
    assert disabled == RESTATING_KEYS
    for state in hass.states.async_all():
        assert state.state != "unavailable", state.entity_id


async def test_entities_follow_capabilities(
    hass: HomeAssistant, network: FakeNetwork, entity_registry: er.EntityRegistry
) -> None:
    """A description exists only where the receiver reports what it needs."""
    network.add(
        receiver(
            "Bare",
            port=2202,
            channels=[channel(1, "Plain")],
            capabilities=frozenset(),
            rf_band=None,
        ),
        receiver(
            "Full",
            port=2203,
            channels=[channel(1, "Rich", quality=4, rf_quality_percent=80)],
            capabilities=ULXD_CAPABILITIES | {Capability.QUALITY, Capability.RF_QUALITY},
            rf_band="G50",
        ),
    )
    await setup_fake_entry(hass, network, detail_entities=True)
    for entity_id in (
        "sensor.plain_rf_level",
        "sensor.plain_audio_level",
        "sensor.plain_antenna",
        "binary_sensor.plain_transmitter_mute",
        "sensor.bare_rf_band",
    ):
        assert entity_registry.async_get(entity_id) is None, entity_id
    assert state_of(hass, "sensor.full_rf_band") == "G50"
    assert state_of(hass, "sensor.rich_channel_quality") == "4"
    assert state_of(hass, "sensor.rich_rf_quality") == "80"
    assert state_of(hass, "sensor.rich_transmitter_model") == "ULXD2"


async def test_remove_stale_device(
    hass: HomeAssistant,
    network: FakeNetwork,
    device_registry: dr.DeviceRegistry,
    hass_ws_client: Any,
) -> None:
    """A device that no longer exists can be deleted; a live one or the service cannot."""
    assert await async_setup_component(hass, "config", {})
    network.add(receiver("Lectern", api_device_id=MAC, channels=1))
    entry = await setup_fake_entry(hass, network)

    def device(identifier: str) -> dr.DeviceEntry:
        found = device_registry.async_get_device_by_identifier((DOMAIN, identifier), entry.entry_id)
        assert found is not None
        return found

    stale = device_registry.async_get_or_create(
        config_entry_id=entry.entry_id, identifiers={(DOMAIN, "shure:00:0e:dd:99:99:99")}
    )
    stale_channel = device_registry.async_get_or_create(
        config_entry_id=entry.entry_id, identifiers={(DOMAIN, f"shure:{MAC}/ch7")}
    )
    other = device_registry.async_get_or_create(
        config_entry_id=entry.entry_id,
        identifiers={(DOMAIN, f"sennheiser:{MAC}"), ("other", "x")},
    )
    client = await hass_ws_client(hass)
    for dev, allowed in (
        (device(f"shure:{MAC}"), False),
        (device(f"shure:{MAC}/ch1"), False),
        (device("shure"), False),
        (stale, True),
        (stale_channel, True),
        (other, True),
    ):
        await client.send_json_auto_id(
            {"type": "config/device_registry/remove", "device_id": dev.id}
        )
        response = await client.receive_json()
        assert response["success"] is allowed, dev.identifiers
