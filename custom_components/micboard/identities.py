"""Who answered at each configured host, remembered across restarts.

A receiver switched off while Home Assistant starts would otherwise be an unknown address
until it answers: no devices, unavailable entities, no offline event. With its identity
(api device id, model, channels, capabilities) remembered, the backend publishes it as that
receiver, offline, from the first moment.
"""

from __future__ import annotations

from typing import Any

from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.storage import Store

from .const import DOMAIN
from .manufacturers import (
    Battery,
    BatteryState,
    Bay,
    Capability,
    Channel,
    Charger,
    Device,
    Receiver,
    Snapshot,
    Transmitter,
)

_VERSION = 1
# Identity changes come in bursts (a rig coming up): one write for the whole burst.
_SAVE_DELAY = 10.0


def identity_of(receiver: Receiver) -> dict[str, Any]:
    """What is remembered of an identified receiver (never its meters or battery)."""
    return {
        "host": receiver.host,
        "port": receiver.port,
        "api_device_id": receiver.api_device_id,
        "model": receiver.model,
        "family": receiver.family,
        "firmware": receiver.firmware,
        "name": receiver.name,
        "rf_band": receiver.rf_band,
        "mac_address": receiver.mac_address,
        # Whether it was online when last written: one announced offline then is not
        # announced offline again after a restart.
        "online": receiver.online,
        "capabilities": sorted(receiver.capabilities),
        # What lifecycle events track of a channel (and whether a transmitter was on it), so
        # that a receiver coming back as it was is no change, and one that comes back
        # changed announces just that.
        "channels": [
            {
                "index": c.index,
                "name": c.name,
                "frequency_mhz": c.frequency_mhz,
                "group_channel": c.group_channel,
                "transmitter_model": c.transmitter.model if c.transmitter else None,
            }
            for c in receiver.channels
        ],
    }


def receiver_from(manufacturer: str, data: dict[str, Any]) -> Receiver | None:
    """The remembered receiver (offline), or None when the stored record is unusable."""
    try:
        known = {str(value) for value in Capability}
        return Receiver(
            manufacturer=manufacturer,
            api_device_id=str(data["api_device_id"]),
            host=str(data["host"]),
            port=int(data["port"]),
            online=False,
            identified=True,
            model=data.get("model"),
            family=data.get("family"),
            firmware=data.get("firmware"),
            name=data.get("name"),
            rf_band=data.get("rf_band"),
            mac_address=data.get("mac_address"),
            capabilities=frozenset(
                Capability(value) for value in data.get("capabilities", ()) if value in known
            ),
            channels=tuple(
                Channel(
                    index=int(channel["index"]),
                    name=channel.get("name"),
                    frequency_mhz=channel.get("frequency_mhz"),
                    group_channel=channel.get("group_channel"),
                    transmitter=(
                        Transmitter(model=channel["transmitter_model"])
                        if channel.get("transmitter_model")
                        else None
                    ),
                )
                for channel in data.get("channels", ())
            ),
        )
    except KeyError, TypeError, ValueError:
        return None


def charger_identity_of(charger: Charger) -> dict[str, Any]:
    """What is remembered of an identified charger: identity, bays, which hold a battery."""
    return {
        "kind": "charger",
        "host": charger.host,
        "port": charger.port,
        "api_device_id": charger.api_device_id,
        "model": charger.model,
        "family": charger.family,
        "firmware": charger.firmware,
        "name": charger.name,
        "mac_address": charger.mac_address,
        "online": charger.online,
        "storage_mode": charger.storage_mode,
        # The battery state only: a charger coming back as it was is no change.
        "bays": [
            {
                "index": bay.index,
                "module": bay.module,
                "state": str(bay.battery.state) if bay.battery is not None else None,
            }
            for bay in charger.bays
        ],
    }


def charger_from(manufacturer: str, data: dict[str, Any]) -> Charger | None:
    """The remembered charger (offline), or None when the stored record is unusable."""
    try:
        return Charger(
            manufacturer=manufacturer,
            api_device_id=str(data["api_device_id"]),
            host=str(data["host"]),
            port=int(data["port"]),
            online=False,
            identified=True,
            model=data.get("model"),
            family=data.get("family"),
            firmware=data.get("firmware"),
            name=data.get("name"),
            mac_address=data.get("mac_address"),
            storage_mode=data.get("storage_mode"),
            bays=tuple(
                Bay(
                    index=int(bay["index"]),
                    module=bay.get("module"),
                    battery=(
                        Battery(state=BatteryState(bay["state"]))
                        if bay.get("state") not in (None, str(BatteryState.EMPTY))
                        else None
                    ),
                )
                for bay in data.get("bays", ())
            ),
        )
    except KeyError, TypeError, ValueError:
        return None


def _device_from(manufacturer: str, data: dict[str, Any]) -> Device | None:
    if data.get("kind") == "charger":
        return charger_from(manufacturer, data)
    return receiver_from(manufacturer, data)


class IdentityStore:
    """The remembered identities of one manufacturer entry, in Home Assistant's storage."""

    def __init__(self, hass: HomeAssistant, entry_id: str, manufacturer: str) -> None:
        """Bind to the entry's storage file (nothing is read yet)."""
        self._manufacturer = manufacturer
        self._store: Store[dict[str, Any]] = Store(
            hass, _VERSION, f"{DOMAIN}.{entry_id}.identities"
        )
        self._saved: dict[str, dict[str, Any]] = {}
        self._unsaved = False
        # Api ids of the remembered receivers that were offline when last written.
        self.offline_when_saved: set[str] = set()

    async def async_load(self) -> list[Device]:
        """Every remembered receiver and charger."""
        data = await self._store.async_load() or {}
        records = data.get("receivers", {})
        if not isinstance(records, dict):
            return []
        self._saved = {str(key): value for key, value in records.items() if isinstance(value, dict)}
        self.offline_when_saved = {
            str(record.get("api_device_id"))
            for record in self._saved.values()
            if record.get("online") is False
        }
        found = (_device_from(self._manufacturer, record) for record in self._saved.values())
        return [device for device in found if device is not None]

    @callback
    def async_update(self, snapshot: Snapshot) -> None:
        """Remember the identified devices of the snapshot (written a little later).

        Hosts no longer configured are not in the snapshot, so they are forgotten here too.
        """
        records = {
            f"{receiver.host}:{receiver.port}": identity_of(receiver)
            for receiver in snapshot.receivers.values()
            if receiver.identified
        }
        records.update(
            (f"{charger.host}:{charger.port}", charger_identity_of(charger))
            for charger in snapshot.chargers.values()
            if charger.identified
        )
        if records != self._saved:
            self._saved = records
            self._unsaved = True
            self._store.async_delay_save(self._data, _SAVE_DELAY)

    def _data(self) -> dict[str, Any]:
        self._unsaved = False
        return {"receivers": self._saved}

    async def async_remove(self) -> None:
        """Delete the file (the entry was deleted)."""
        await self._store.async_remove()

    async def async_flush(self) -> None:
        """Write a pending change now (the entry unloads: a reload must find it)."""
        if self._unsaved:
            await self._store.async_save(self._data())
