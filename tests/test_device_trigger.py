"""Device triggers: listed per device, and fired by the lifecycle events."""

from __future__ import annotations

from typing import Any

from homeassistant.components import automation
from homeassistant.components.device_automation import DeviceAutomationType
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_get_device_automations,
)

from custom_components.micboard import device_trigger
from custom_components.micboard.const import DOMAIN

from .helpers import FakeNetwork, channel, receiver, setup_fake_entry, with_channel

MAC = "00:0e:dd:00:00:01"


async def test_triggers_per_device(
    hass: HomeAssistant, network: FakeNetwork, device_registry: dr.DeviceRegistry
) -> None:
    """Receivers and channels list their own triggers; the service device and others none."""
    network.add(receiver("Stage L", api_device_id=MAC, channels=[channel(1, "Vocal 1")]))
    entry = await setup_fake_entry(hass, network)

    async def types(identifier: tuple[str, str]) -> list[str]:
        device = device_registry.async_get_device_by_identifier(identifier, entry.entry_id)
        assert device is not None
        triggers = await async_get_device_automations(hass, DeviceAutomationType.TRIGGER, device.id)
        return sorted(t["type"] for t in triggers if t["domain"] == DOMAIN)

    assert await types((DOMAIN, f"shure:{MAC}")) == [
        "device_updated",
        "receiver_offline",
        "receiver_online",
    ]
    assert await types((DOMAIN, f"shure:{MAC}/ch1")) == [
        "device_updated",
        "transmitter_off",
        "transmitter_on",
    ]
    assert await types((DOMAIN, "shure")) == []
    assert await device_trigger.async_get_triggers(hass, "no-such-device") == []
    foreign_entry = MockConfigEntry(domain="other")
    foreign_entry.add_to_hass(hass)
    foreign = device_registry.async_get_or_create(
        config_entry_id=foreign_entry.entry_id, identifiers={("other", "x")}
    )
    assert await device_trigger.async_get_triggers(hass, foreign.id) == []


async def test_device_triggers_fire_automations(
    hass: HomeAssistant, network: FakeNetwork, device_registry: dr.DeviceRegistry
) -> None:
    """Automations on a channel's triggers run for that channel's events only."""
    rx = receiver(
        "Stage L", api_device_id=MAC, channels=[channel(1, "Vocal 1"), channel(2, "Vocal 2")]
    )
    network.add(rx)
    entry = await setup_fake_entry(hass, network)
    ch_device = device_registry.async_get_device_by_identifier(
        (DOMAIN, f"shure:{MAC}/ch1"), entry.entry_id
    )
    rx_device = device_registry.async_get_device_by_identifier(
        (DOMAIN, f"shure:{MAC}"), entry.entry_id
    )
    assert ch_device is not None
    assert rx_device is not None

    calls: list[dict[str, Any]] = []
    hass.services.async_register("test", "record", lambda call: calls.append(dict(call.data)))
    assert await async_setup_component(
        hass,
        automation.DOMAIN,
        {
            automation.DOMAIN: [
                {
                    "triggers": [
                        {
                            "platform": "device",
                            "domain": DOMAIN,
                            "device_id": device_id,
                            "type": trigger_type,
                        }
                    ],
                    "actions": [
                        {
                            "action": "test.record",
                            "data": {"what": trigger_type, "name": "{{ trigger.event.data.name }}"},
                        }
                    ],
                }
                for device_id, trigger_type in (
                    (ch_device.id, "transmitter_off"),
                    (ch_device.id, "transmitter_on"),
                    (rx_device.id, "receiver_offline"),
                    (ch_device.id, "device_updated"),
                )
            ]
        },
    )
    backend = network.backend
    backend.push(with_channel(rx, 1, transmitter=None))
    await hass.async_block_till_done()
    backend.push(rx)
    await hass.async_block_till_done()
    # Vocal 2 is another device: its transmitter leaving runs nothing.
    backend.push(with_channel(rx, 2, transmitter=None))
    await hass.async_block_till_done()
    backend.push(with_channel(rx, 1, name="Pastor"))
    await hass.async_block_till_done()
    backend.go_offline("Stage L")
    await hass.async_block_till_done()
    assert calls == [
        {"what": "transmitter_off", "name": "Vocal 1"},
        {"what": "transmitter_on", "name": "Vocal 1"},
        {"what": "device_updated", "name": "Pastor"},
        {"what": "receiver_offline", "name": "Stage L"},
    ]
