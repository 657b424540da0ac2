"""The device registry: service device -> receivers -> channels, and -> chargers -> bays."""

from __future__ import annotations

from collections.abc import Iterable

from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import device_registry as dr

from .identifiers import SERVICE_KEY, ChannelKey, device_identifier, parse_identifier
from .lifecycle import bay_name, channel_name, charger_name, receiver_name
from .manufacturers import Capability, Charger, Receiver


class DeviceSync:
    """Creates and refreshes one manufacturer entry's devices, and finds them again."""

    def __init__(self, hass: HomeAssistant, entry_id: str, manufacturer: str, title: str) -> None:
        """Bind to the entry; nothing is registered until asked."""
        self._hass = hass
        self._entry_id = entry_id
        self._manufacturer = manufacturer
        self._title = title
        self._service_device_id: str | None = None

    @callback
    def async_known_receivers(self) -> set[str]:
        """Api ids of the receivers an earlier run registered (they are not new when seen)."""
        registry = dr.async_get(self._hass)
        known: set[str] = set()
        for device in dr.async_entries_for_config_entry(registry, self._entry_id):
            for identifier in device.identifiers:
                ref = parse_identifier(identifier)
                if (
                    ref is not None
                    and ref.manufacturer == self._manufacturer
                    and not ref.is_service
                    and not ref.is_channel
                ):
                    known.add(ref.receiver_id)
        return known

    @callback
    def async_register_service(self) -> None:
        """The manufacturer's own device, parent of every receiver."""
        self._service_device_id = (
            dr.async_get(self._hass)
            .async_get_or_create(
                config_entry_id=self._entry_id,
                identifiers={device_identifier(self._manufacturer, SERVICE_KEY)},
                manufacturer=self._title,
                name=self._title,
                model="Micboard",
                entry_type=dr.DeviceEntryType.SERVICE,
            )
            .id
        )

    @callback
    def async_register(self, receiver: Receiver) -> None:
        """Create or refresh the receiver's device and one device per channel."""
        registry = dr.async_get(self._hass)
        api_id = receiver.api_device_id
        configuration_url = (
            f"http://{receiver.host}" if Capability.WEB_UI in receiver.capabilities else None
        )
        connections = (
            {(dr.CONNECTION_NETWORK_MAC, receiver.mac_address)} if receiver.mac_address else set()
        )
        receiver_device = registry.async_get_or_create(
            config_entry_id=self._entry_id,
            identifiers={device_identifier(self._manufacturer, (api_id, 0))},
            connections=connections,
            manufacturer=self._title,
            model=receiver.model,
            name=receiver_name(receiver),
            sw_version=receiver.firmware,
            configuration_url=configuration_url,
            via_device_id=self._service_device_id,
        )
        for channel in receiver.channels:
            registry.async_get_or_create(
                config_entry_id=self._entry_id,
                identifiers={device_identifier(self._manufacturer, (api_id, channel.index))},
                manufacturer=self._title,
                model=f"{receiver.model} channel {channel.index}",
                name=channel_name(channel),
                via_device_id=receiver_device.id,
            )

    @callback
    def async_register_charger(self, charger: Charger) -> None:
        """Create or refresh the charger's device and one device per bay."""
        registry = dr.async_get(self._hass)
        api_id = charger.api_device_id
        connections = (
            {(dr.CONNECTION_NETWORK_MAC, charger.mac_address)} if charger.mac_address else set()
        )
        charger_device = registry.async_get_or_create(
            config_entry_id=self._entry_id,
            identifiers={device_identifier(self._manufacturer, (api_id, 0), bay=True)},
            connections=connections,
            manufacturer=self._title,
            model=charger.model,
            name=charger_name(charger),
            sw_version=charger.firmware,
            via_device_id=self._service_device_id,
        )
        for bay in charger.bays:
            registry.async_get_or_create(
                config_entry_id=self._entry_id,
                identifiers={device_identifier(self._manufacturer, (api_id, bay.index), bay=True)},
                manufacturer=self._title,
                model=f"{charger.model} bay {bay.index}",
                name=bay_name(charger, bay.index),
                via_device_id=charger_device.id,
            )

    @callback
    def async_device_id(self, key: ChannelKey, *, bay: bool = False) -> str | None:
        """The Home Assistant device id of the receiver or channel (``bay``: the charger or
        bay) at ``key``."""
        device = self.async_device_entry(key, bay=bay)
        return device.id if device else None

    @callback
    def async_device_entry(self, key: ChannelKey, *, bay: bool = False) -> dr.DeviceEntry | None:
        """The device-registry entry of the receiver, channel, charger or bay at ``key``."""
        return dr.async_get(self._hass).async_get_device_by_identifier(
            device_identifier(self._manufacturer, key, bay=bay), self._entry_id
        )

    @callback
    def async_move(self, old_id: str, new_id: str, indexes: list[int]) -> bool:
        """A receiver's id moved (host:port to its MAC): its devices follow, history kept.

        Where a device of the new id exists already (an earlier run knew the MAC), that one
        stays and the old device goes with its entities; returns whether that happened.
        """
        merged = False
        registry = dr.async_get(self._hass)
        for index in [0, *indexes]:
            old = registry.async_get_device_by_identifier(
                device_identifier(self._manufacturer, (old_id, index)), self._entry_id
            )
            if old is None:
                continue
            new_identifier = device_identifier(self._manufacturer, (new_id, index))
            target = registry.async_get_device_by_identifier(new_identifier, self._entry_id)
            if target is None:
                registry.async_update_device(old.id, new_identifiers={new_identifier})
                continue
            merged = True
            registry.async_remove_device(old.id)
        return merged

    @callback
    def async_remove(self, receivers: Iterable[Receiver], chargers: Iterable[Charger] = ()) -> None:
        """Remove the devices of receivers (and chargers) no longer watched, with their
        channels (and bays)."""
        registry = dr.async_get(self._hass)
        identifiers = {
            device_identifier(self._manufacturer, (receiver.api_device_id, index))
            for receiver in receivers
            for index in [0, *(channel.index for channel in receiver.channels)]
        } | {
            device_identifier(self._manufacturer, (charger.api_device_id, index), bay=True)
            for charger in chargers
            for index in [0, *(bay.index for bay in charger.bays)]
        }
        if not identifiers:
            return
        for device in registry.async_get_devices(
            identifiers=identifiers, config_entry_id=self._entry_id
        ):
            registry.async_remove_device(device.id)
