"""Who answered at each configured host, remembered across restarts.

A receiver switched off while Home Assistant starts would otherwise be an unknown address
until it answers: no devices, unavailable entities, no offline event. With its identity
(api device id, model, channels, capabilities) remembered, the backend publishes it as that
receiver, offline, from the first moment.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.storage import Store
from homeassistant.util import dt as dt_util

from .const import DOMAIN
from .manufacturers import (
    Battery,
    BatteryState,
    Bay,
    Capability,
    Channel,
    Charger,
    Device,
    GainRange,
    NameRule,
    Receiver,
    Snapshot,
    Transmitter,
)

_VERSION = 1
# Identity changes come in bursts (a rig coming up): one write for the whole burst.
_SAVE_DELAY = 10.0
# Home Assistant back within this time of the last write (a restart or a reload mid-show):
# what changed meanwhile on devices that stayed up is announced at the first read. After a
# longer break the first read is a baseline: old news is not announced hours late.
CATCH_UP_WINDOW = timedelta(minutes=10)


def _device_identity(device: Device) -> dict[str, Any]:
    """What is remembered of any identified device, receiver or charger."""
    return {
        "host": device.host,
        "port": device.port,
        "api_device_id": device.api_device_id,
        "model": device.model,
        "family": device.family,
        "firmware": device.firmware,
        "name": device.name,
        "mac_address": device.mac_address,
        # Whether it was online when last written: one announced offline then is not
        # announced offline again after a restart.
        "online": device.online,
        "capabilities": sorted(device.capabilities),
    }


def _device_fields(manufacturer: str, data: dict[str, Any]) -> dict[str, Any]:
    """The fields of a remembered device (offline) that every kind has."""
    return {
        "manufacturer": manufacturer,
        "api_device_id": str(data["api_device_id"]),
        "host": str(data["host"]),
        "port": int(data["port"]),
        "online": False,
        "identified": True,
        "model": data.get("model"),
        "family": data.get("family"),
        "firmware": data.get("firmware"),
        "name": data.get("name"),
        "mac_address": data.get("mac_address"),
        "capabilities": _capabilities_from(data),
    }


def identity_of(receiver: Receiver) -> dict[str, Any]:
    """What is remembered of an identified receiver (never its meters or battery)."""
    return {
        **_device_identity(receiver),
        "rf_band": receiver.rf_band,
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
                "audio_gain_db": c.audio_gain_db,
                "audio_mute": c.audio_mute,
            }
            for c in receiver.channels
        ],
        # The limits the controls show while the receiver is switched off.
        "name_rule": _name_rule_data(receiver.name_rule),
        "gain_range": _gain_range_data(receiver.gain_range),
    }


def _name_rule_data(rule: NameRule | None) -> dict[str, Any] | None:
    if rule is None:
        return None
    return {
        "max_length": rule.max_length,
        "min_length": rule.min_length,
        "allowed": rule.allowed,
        "case_insensitive": rule.case_insensitive,
    }


def _gain_range_data(gain: GainRange | None) -> dict[str, Any] | None:
    if gain is None:
        return None
    return {"minimum_db": gain.minimum_db, "maximum_db": gain.maximum_db, "step_db": gain.step_db}


def _name_rule_from(data: Any) -> NameRule | None:
    if not isinstance(data, dict):
        return None
    return NameRule(
        max_length=int(data["max_length"]),
        min_length=int(data.get("min_length", 1)),
        allowed=str(data["allowed"]),
        case_insensitive=bool(data.get("case_insensitive", False)),
    )


def _gain_range_from(data: Any) -> GainRange | None:
    if not isinstance(data, dict):
        return None
    return GainRange(
        minimum_db=int(data["minimum_db"]),
        maximum_db=int(data["maximum_db"]),
        step_db=int(data.get("step_db", 1)),
    )


def _capabilities_from(data: dict[str, Any]) -> frozenset[Capability]:
    known = {str(value) for value in Capability}
    return frozenset(Capability(value) for value in data.get("capabilities", ()) if value in known)


def receiver_from(manufacturer: str, data: dict[str, Any]) -> Receiver | None:
    """The remembered receiver (offline), or None when the stored record is unusable."""
    try:
        return Receiver(
            **_device_fields(manufacturer, data),
            rf_band=data.get("rf_band"),
            name_rule=_name_rule_from(data.get("name_rule")),
            gain_range=_gain_range_from(data.get("gain_range")),
            channels=tuple(
                Channel(
                    index=int(channel["index"]),
                    name=channel.get("name"),
                    frequency_mhz=channel.get("frequency_mhz"),
                    group_channel=channel.get("group_channel"),
                    audio_gain_db=channel.get("audio_gain_db"),
                    audio_mute=channel.get("audio_mute"),
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
        **_device_identity(charger),
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
            **_device_fields(manufacturer, data),
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
        # Every remembered receiver and charger by api id, as it was remembered (offline),
        # and the ids of those that were offline (and announced so) when last written.
        self.remembered: dict[str, Device] = {}
        self.offline_when_saved: frozenset[str] = frozenset()
        # When the file was last written (Home Assistant stopping or the entry unloading
        # writes it), None when it never was or says nothing.
        self.saved_at: datetime | None = None

    async def async_load(self) -> list[Device]:
        """Every remembered receiver and charger."""
        data = await self._store.async_load() or {}
        records = data.get("receivers", {})
        if not isinstance(records, dict):
            return []
        self._saved = {str(key): value for key, value in records.items() if isinstance(value, dict)}
        found = [
            (record.get("online") is False, device)
            for record in self._saved.values()
            if (device := _device_from(self._manufacturer, record)) is not None
        ]
        self.remembered = {device.api_device_id: device for _away, device in found}
        self.offline_when_saved = frozenset(device.api_device_id for away, device in found if away)
        saved_at = data.get("saved_at")
        self.saved_at = dt_util.parse_datetime(saved_at) if isinstance(saved_at, str) else None
        return [device for _away, device in found]

    def back_soon(self, now: datetime) -> bool:
        """Whether this run started within ``CATCH_UP_WINDOW`` of the last write."""
        return self.saved_at is not None and timedelta(0) <= now - self.saved_at <= CATCH_UP_WINDOW

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
            self._store.async_delay_save(self._data, _SAVE_DELAY)

    def _data(self) -> dict[str, Any]:
        return {"receivers": self._saved, "saved_at": dt_util.utcnow().isoformat()}

    @callback
    def async_stopping(self) -> None:
        """Home Assistant stops: written once more at its final write, with the time."""
        self._store.async_delay_save(self._data, 0)

    async def async_remove(self) -> None:
        """Delete the file (the entry was deleted)."""
        await self._store.async_remove()

    async def async_flush(self) -> None:
        """Write now, with the time (the entry unloads: a reload must find it)."""
        await self._store.async_save(self._data())
