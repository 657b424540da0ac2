"""The board's picture: every loaded entry's receivers and channels as plain JSON values.

With the entry's *Allow changes to receivers* option on, ``controls`` is true and a tile's
``entity_ids`` name its identify button (``identify``): the board offers identify there.

Values come straight from the coordinator's snapshot (and the status memory), never from
entity states, so the board can show meters at 10 Hz without touching the state machine or
the recorder. Each channel splits into its settings values (``channel_values``) and its
meters (``meter_values``) so a stream can send each only when it changed; the picture also
gives each channel its last battery reading (``last_battery``).
"""

from __future__ import annotations

from typing import Any

from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import entity_registry as er
from homeassistant.util import dt as dt_util

from .const import DOMAIN
from .controls import changes_allowed
from .coordinator import MicboardConfigEntry, MicboardCoordinator
from .identifiers import SERVICE_KEY, ChannelKey, description_key, parse_identifier
from .manufacturers import Bay, Channel, Charger, Receiver
from .status import battery_bars, battery_percent, channel_status

type EntityIds = dict[ChannelKey, dict[str, str]]


@callback
def loaded_entries(hass: HomeAssistant) -> list[MicboardConfigEntry]:
    """The Micboard entries that are loaded now, in the order they were added."""
    return list(hass.config_entries.async_loaded_entries(DOMAIN))


@callback
def entity_ids(hass: HomeAssistant, entry: MicboardConfigEntry) -> EntityIds:
    """The enabled entities of the entry's devices, by device key and description key."""
    registry = er.async_get(hass)
    by_device: EntityIds = {}
    for registry_entry in er.async_entries_for_config_entry(registry, entry.entry_id):
        if registry_entry.disabled:
            continue
        device_part = registry_entry.unique_id.rpartition("-")[0]
        if (ref := parse_identifier((DOMAIN, device_part))) is None:
            continue
        by_device.setdefault(ref.key, {})[description_key(registry_entry.unique_id)] = (
            registry_entry.entity_id
        )
    return by_device


def _linked(channel: Channel, value: Any) -> Any:
    """A channel value that means something only while a transmitter is linked."""
    return value if channel.transmitter is not None else None


def meter_values(channel: Channel) -> dict[str, Any]:
    """The channel's meters, as the level sensors read them (unknown without transmitter)."""
    return {
        "rf_level": _linked(channel, channel.rf_level_dbm),
        "audio_level": _linked(channel, channel.audio_level_dbfs),
        "audio_peak": channel.audio_peak,
        "quality": _linked(channel, channel.quality),
        "rf_quality": _linked(channel, channel.rf_quality_percent),
        "antenna": _linked(channel, channel.antenna),
    }


@callback
def channel_status_now(
    coordinator: MicboardCoordinator, receiver: Receiver, channel: Channel
) -> str | None:
    """The channel's status as its status sensor computes it."""
    memory = coordinator.status.memory.get((receiver.api_device_id, channel.index))
    if memory is None:
        return None
    return str(
        channel_status(
            receiver_online=receiver.online,
            channel=channel,
            memory=memory,
            now=dt_util.utcnow(),
        )
    )


@callback
def last_battery(
    coordinator: MicboardCoordinator, receiver: Receiver, channel: Channel
) -> dict[str, Any] | None:
    """The channel's last battery reading, from the status memory (None: never one).

    Only the picture carries it: a board opened while a transmitter is off shows the
    reading its ``prev_*`` status was computed from; changes carry the current battery.
    """
    memory = coordinator.status.memory.get((receiver.api_device_id, channel.index))
    if memory is None or memory.last_battery_bars is None:
        return None
    return {
        "bars": memory.last_battery_bars,
        "percent": memory.last_battery_percent,
        "runtime_minutes": memory.last_battery_minutes,
    }


@callback
def channel_values(
    coordinator: MicboardCoordinator, receiver: Receiver, channel: Channel
) -> dict[str, Any]:
    """Everything of a channel but its meters."""
    tx = channel.transmitter
    return {
        "name": channel.name,
        "device_id": coordinator.devices.async_device_id((receiver.api_device_id, channel.index)),
        "status": channel_status_now(coordinator, receiver, channel),
        "transmitter": tx is not None,
        "transmitter_model": tx.model if tx else None,
        "battery_percent": battery_percent(tx) if tx else None,
        "battery_bars": battery_bars(tx) if tx else None,
        "runtime_minutes": tx.battery_runtime_minutes if tx else None,
        "frequency": channel.frequency_mhz,
    }


@callback
def receiver_values(coordinator: MicboardCoordinator, receiver: Receiver) -> dict[str, Any]:
    """Everything of a receiver but its channels."""
    return {
        "name": receiver.name,
        "model": receiver.model,
        "online": receiver.online,
        "identified": receiver.identified,
        "device_id": coordinator.devices.async_device_id((receiver.api_device_id, 0)),
    }


@callback
def charger_values(coordinator: MicboardCoordinator, charger: Charger) -> dict[str, Any]:
    """Everything of a charger but its bays."""
    return {
        "name": charger.name,
        "model": charger.model,
        "online": charger.online,
        "identified": charger.identified,
        "storage_mode": charger.storage_mode,
        "device_id": coordinator.devices.async_device_id((charger.api_device_id, 0), bay=True),
    }


@callback
def bay_values(coordinator: MicboardCoordinator, charger: Charger, bay: Bay) -> dict[str, Any]:
    """What a bay tile shows: the battery's state, charge, time to full and health."""
    battery = bay.battery
    return {
        "device_id": coordinator.devices.async_device_id(
            (charger.api_device_id, bay.index), bay=True
        ),
        "state": str(bay.state),
        "charge_percent": battery.charge_percent if battery else None,
        "time_to_full_minutes": battery.time_to_full_minutes if battery else None,
        "health_percent": battery.health_percent if battery else None,
        "error": str(battery.error) if battery and battery.error else None,
    }


@callback
def entry_picture(hass: HomeAssistant, entry: MicboardConfigEntry) -> dict[str, Any]:
    """One entry's whole picture: its service device, receivers and channels, chargers and
    bays."""
    coordinator = entry.runtime_data
    ids = entity_ids(hass, entry)
    receivers = []
    for receiver in coordinator.data.receivers.values():
        api_id = receiver.api_device_id
        receivers.append(
            {
                "id": api_id,
                **receiver_values(coordinator, receiver),
                "entity_ids": ids.get((api_id, 0), {}),
                "channels": [
                    {
                        "index": channel.index,
                        **channel_values(coordinator, receiver, channel),
                        **meter_values(channel),
                        "last_battery": last_battery(coordinator, receiver, channel),
                        "entity_ids": ids.get((api_id, channel.index), {}),
                    }
                    for channel in receiver.channels
                ],
            }
        )
    chargers = [
        {
            "id": charger.api_device_id,
            **charger_values(coordinator, charger),
            "entity_ids": ids.get((charger.api_device_id, 0), {}),
            "bays": [
                {
                    "index": bay.index,
                    **bay_values(coordinator, charger, bay),
                    "entity_ids": ids.get((charger.api_device_id, bay.index), {}),
                }
                for bay in charger.bays
            ],
        }
        for charger in coordinator.data.chargers.values()
    ]
    return {
        "entry_id": entry.entry_id,
        "manufacturer": coordinator.manufacturer,
        "title": entry.title,
        "device_id": coordinator.devices.async_device_id(SERVICE_KEY),
        # Changes allowed: the board offers identify (``entity_ids["identify"]`` of a tile).
        "controls": changes_allowed(entry),
        "receivers": receivers,
        "chargers": chargers,
    }
