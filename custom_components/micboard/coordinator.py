"""The coordinator: owns one manufacturer backend and publishes lifecycle events."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from homeassistant.config_entries import ConfigEntry
from homeassistant.const import ATTR_DEVICE_ID
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.device_registry import DeviceInfo
from homeassistant.helpers.event import async_track_point_in_utc_time
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator, UpdateFailed
from homeassistant.util import dt as dt_util

from .const import (
    DEVICE_TYPE_RECEIVER,
    DEVICE_TYPE_SERVICE,
    DOMAIN,
    EVENT_DEVICE_DISCOVERED,
    EVENT_DEVICE_ONLINE,
    EVENT_DEVICE_SYNCED,
    EVENT_DEVICE_UPDATED,
    LOGGER,
    MANUFACTURER_NAMES,
    SCAN_INTERVAL,
)
from .lifecycle import (
    LifecycleEvent,
    channel_name,
    diff_snapshots,
    has_answered,
    receiver_name,
    synced_event,
)
from .manufacturers import (
    Backend,
    Channel,
    MicboardError,
    Receiver,
    Snapshot,
    SyncResult,
)
from .status import PREVIOUS_READING_WINDOW, ChannelMemory

type MicboardConfigEntry = ConfigEntry[MicboardCoordinator]

# Families whose receivers serve a web page of their own.
WEB_UI_FAMILIES = frozenset({"ulxd", "axient", "slxdplus"})

# Api device ids may contain ":" (host:port), so channel identifiers use their own separator.
CHANNEL_SEPARATOR = "/ch"

type ChannelKey = tuple[str, int]
"""(receiver api device id, channel index); channel 0 stands for the receiver itself."""

# Listener key of the entities of the manufacturer's service device (online counts).
SERVICE_KEY: ChannelKey = ("", 0)
# Events after which the device registry is brought up to date.
REGISTRY_EVENTS = frozenset({EVENT_DEVICE_DISCOVERED, EVENT_DEVICE_UPDATED})


def receiver_identifier(manufacturer: str, api_id: str) -> tuple[str, str]:
    """Device-registry identifier of a receiver."""
    return (DOMAIN, f"{manufacturer}:{api_id}")


def channel_identifier(manufacturer: str, api_id: str, index: int) -> tuple[str, str]:
    """Device-registry identifier of a channel (and the transmitter on it)."""
    return (DOMAIN, f"{manufacturer}:{api_id}{CHANNEL_SEPARATOR}{index}")


def service_identifier(manufacturer: str) -> tuple[str, str]:
    """Device-registry identifier of the manufacturer's service device."""
    return (DOMAIN, manufacturer)


class MicboardCoordinator(DataUpdateCoordinator[Snapshot]):
    """Keeps one manufacturer's receivers current and announces their lifecycle."""

    config_entry: MicboardConfigEntry

    def __init__(self, hass: HomeAssistant, entry: MicboardConfigEntry, backend: Backend) -> None:
        """Wrap a (not yet started) backend."""
        super().__init__(
            hass,
            LOGGER,
            config_entry=entry,
            name=f"{DOMAIN} {backend.manufacturer}",
            update_interval=SCAN_INTERVAL,
            always_update=False,
        )
        self.backend = backend
        self.manufacturer = backend.manufacturer
        self.title = MANUFACTURER_NAMES.get(self.manufacturer, self.manufacturer)
        self.memory: dict[ChannelKey, ChannelMemory] = {}
        self._channel_listeners: dict[ChannelKey, list[CALLBACK_TYPE]] = {}
        self._meter_listeners: dict[ChannelKey, list[CALLBACK_TYPE]] = {}
        self._event_listeners: dict[ChannelKey, list[Callable[[LifecycleEvent], None]]] = {}
        self._device_infos: dict[tuple[str, str], DeviceInfo] = {}
        # Discoveries made after start, kept until the new device's event entity exists.
        self.pending_discovered: dict[ChannelKey, LifecycleEvent] = {}
        self._known: set[str] = set()
        self._never_answered_warned: set[str] = set()
        self._unsub_backend: Callable[[], None] | None = None
        self._service_device_id: str | None = None
        self._recheck_timers: dict[tuple[ChannelKey, str], CALLBACK_TYPE] = {}
        self._recheck_due: dict[tuple[ChannelKey, str], datetime] = {}
        self.last_sync: SyncResult | None = None
        # True once the first full refresh has set the baseline snapshot.
        self._ready = False
        self.last_sync_time: datetime | None = None

    # Set-up and tear-down -------------------------------------------------------------------

    async def _async_setup(self) -> None:
        """Start the backend and learn which receivers earlier runs already announced."""
        registry = dr.async_get(self.hass)
        prefix = f"{self.manufacturer}:"
        for device in dr.async_entries_for_config_entry(registry, self.config_entry.entry_id):
            for domain, ident in device.identifiers:
                if domain == DOMAIN and ident.startswith(prefix) and CHANNEL_SEPARATOR not in ident:
                    self._known.add(ident.removeprefix(prefix))
        self._async_register_service_device()
        await self.backend.start()
        self._unsub_backend = self.backend.add_listener(self._async_handle_push)

    async def async_shutdown(self) -> None:
        """Stop polling, then close every connection of the backend."""
        await super().async_shutdown()
        if self._unsub_backend is not None:
            self._unsub_backend()
            self._unsub_backend = None
        for unsub in self._recheck_timers.values():
            unsub()
        self._recheck_timers.clear()
        await self.backend.stop()

    # Polling -------------------------------------------------------------------------------

    async def _async_update_data(self) -> Snapshot:
        """Full resync of every receiver; the first one must reach at least one receiver."""
        try:
            result = await self.backend.refresh()
        except MicboardError as err:
            raise UpdateFailed(
                translation_domain=DOMAIN,
                translation_key="refresh_failed",
                translation_placeholders={"error": str(err)},
            ) from err
        snapshot = self.backend.snapshot
        first = not self._ready
        if first and result.device_count and result.online_count == 0:
            raise UpdateFailed(
                translation_domain=DOMAIN,
                translation_key="no_receiver_answered",
                translation_placeholders={"error": result.error_message or ""},
            )
        self.last_sync = result
        self.last_sync_time = dt_util.utcnow()
        self._async_process(None if first else self.data, snapshot, None)
        self._ready = True
        self._async_fire(synced_event(self.manufacturer, self.title, result))
        return snapshot

    @callback
    def _async_refresh_finished(self) -> None:
        """The sync log changes with every poll, even when no receiver did."""
        self._async_call(SERVICE_KEY)

    # Pushed changes ----------------------------------------------------------------------------

    @callback
    def _async_handle_push(self, snapshot: Snapshot, changed: frozenset[str]) -> None:
        """Apply a change the receivers pushed, at once.

        This deliberately does not use ``async_set_updated_data``: that reschedules the next
        poll on every call, so metering pushes every second would postpone the resync forever,
        and it wakes every entity of the show where a meter reading concerns one channel.
        Here only the entities of what changed are woken (for a meter reading, only those
        that show meters), and all of them only when receivers or channels appear or go.
        """
        if not self._ready:
            # The first refresh sets the baseline; until then there is nothing to diff.
            return
        previous = self.data
        self.data = snapshot
        metered = frozenset(
            api_id
            for api_id in changed
            if _meter_only(previous.receivers.get(api_id), snapshot.receivers.get(api_id))
        )
        events = self._async_process(previous, snapshot, changed - metered)
        if _structure_changed(previous, snapshot, changed):
            # New receivers or channels: every platform looks for entities to add.
            self.async_update_listeners()
            return
        for api_id in changed:
            if (new := snapshot.receivers.get(api_id)) is None:
                continue
            old = previous.receivers.get(api_id)
            if api_id in metered and old is not None:
                self._async_notify_meters(old, new)
            else:
                self._async_notify_receiver(old, new)
        if events:
            self._async_call(SERVICE_KEY)

    @callback
    def _async_notify_meters(self, old: Receiver, new: Receiver) -> None:
        """A meter reading: only the entities that show meters (and the peak) look again."""
        now = dt_util.utcnow()
        api_id = new.api_device_id
        for before, channel in zip(old.channels, new.channels, strict=True):
            if before is channel or before == channel:
                continue
            key = (api_id, channel.index)
            if channel.audio_peak and (memory := self.memory.get(key)) is not None:
                memory.observe(channel, now)
                if memory.peak_until is not None:
                    self._async_schedule_recheck(key, "peak", memory.peak_until)
            for listener in self._meter_listeners.get(key, ()):
                listener()

    @callback
    def _async_notify_receiver(self, old: Receiver | None, new: Receiver) -> None:
        api_id = new.api_device_id
        old_channels = {c.index: c for c in old.channels} if old else {}
        if old is None or _receiver_fields_changed(old, new):
            self._async_call((api_id, 0))
        # Channel entities are available only while their receiver is online.
        every_channel = old is None or old.online != new.online
        for channel in new.channels:
            if every_channel or old_channels.get(channel.index) != channel:
                self._async_call((api_id, channel.index))

    @callback
    def _async_call(self, key: ChannelKey) -> None:
        for listener in self._channel_listeners.get(key, ()):
            listener()

    @callback
    def async_add_channel_listener(
        self, key: ChannelKey, listener: CALLBACK_TYPE, *, meters: bool = False
    ) -> None:
        """Call ``listener`` when the receiver (index 0) or that channel changes.

        With ``meters`` it is also called for meter readings (levels, antenna, quality),
        which every other entity ignores. Every listener is also called after each full
        refresh, like Home Assistant's own coordinator listeners. Entities register here
        rather than with ``async_add_listener`` and remove themselves with
        ``async_remove_channel_listener``: no closure per entity, which counts in a show
        of several thousand entities.
        """
        self._channel_listeners.setdefault(key, []).append(listener)
        if meters:
            self._meter_listeners.setdefault(key, []).append(listener)

    @callback
    def async_remove_channel_listener(self, key: ChannelKey, listener: CALLBACK_TYPE) -> None:
        """Stop calling ``listener`` (added with ``async_add_channel_listener``)."""
        for table in (self._channel_listeners, self._meter_listeners):
            if (listeners := table.get(key)) is not None and listener in listeners:
                listeners.remove(listener)
                if not listeners:
                    del table[key]

    @callback
    def async_update_listeners(self) -> None:
        """Wake Home Assistant's listeners (platforms adding entities), then every entity."""
        super().async_update_listeners()
        for listeners in list(self._channel_listeners.values()):
            for listener in list(listeners):
                listener()

    @callback
    def async_add_event_listener(
        self, key: ChannelKey, listener: Callable[[LifecycleEvent], None]
    ) -> None:
        """Call ``listener`` with every lifecycle event of that receiver or channel."""
        self._event_listeners.setdefault(key, []).append(listener)

    @callback
    def async_remove_event_listener(
        self, key: ChannelKey, listener: Callable[[LifecycleEvent], None]
    ) -> None:
        """Stop calling ``listener`` (added with ``async_add_event_listener``)."""
        if (listeners := self._event_listeners.get(key)) is not None and listener in listeners:
            listeners.remove(listener)
            if not listeners:
                del self._event_listeners[key]

    @callback
    def device_info(self, identifier: tuple[str, str]) -> DeviceInfo:
        """The device link of an entity, one shared object per device."""
        if (info := self._device_infos.get(identifier)) is None:
            info = self._device_infos[identifier] = DeviceInfo(identifiers={identifier})
        return info

    # Lifecycle -----------------------------------------------------------------------------------

    @callback
    def _async_process(
        self, previous: Snapshot | None, current: Snapshot, only: frozenset[str] | None
    ) -> bool:
        """Remember channel readings and fire lifecycle events; True if any event fired.

        The first snapshot after start is the baseline: it announces receivers never seen
        before and nothing else, so a restart does not re-announce old state.
        """
        now = dt_util.utcnow()
        ids = current.receivers.keys() if only is None else only
        for api_id in ids:
            receiver = current.receivers.get(api_id)
            if receiver is None:
                continue
            if not has_answered(receiver):
                self._async_warn_never_answered(receiver)
                continue
            for channel in receiver.channels:
                key = (api_id, channel.index)
                memory = self.memory.setdefault(key, ChannelMemory())
                had_transmitter = memory.linked
                memory.observe(channel, now)
                if channel.audio_peak and memory.peak_until is not None:
                    self._async_schedule_recheck(key, "peak", memory.peak_until)
                if had_transmitter and channel.transmitter is None and memory.last_battery_at:
                    # prev_* turns into tx_com_error when the last reading gets too old.
                    self._async_schedule_recheck(
                        key, "previous", memory.last_battery_at + PREVIOUS_READING_WINDOW
                    )

        baseline = previous is None
        if baseline:
            # What changed while Home Assistant was down reaches the device registry now.
            for receiver in current.receivers.values():
                if has_answered(receiver):
                    self._async_register_devices(receiver)
        events = diff_snapshots(
            previous or Snapshot(manufacturer=self.manufacturer),
            current,
            known=self._known,
            only=only,
        )
        if baseline:
            events = [e for e in events if e.event_type == EVENT_DEVICE_DISCOVERED]
        for event in events:
            receiver = current.receivers[event.receiver_id]
            key = (event.receiver_id, event.channel_index)
            if event.event_type == EVENT_DEVICE_DISCOVERED:
                self._known.add(receiver.api_device_id)
                if not baseline:
                    self.pending_discovered[key] = event
            if not baseline and (
                event.event_type in REGISTRY_EVENTS
                or (event.event_type == EVENT_DEVICE_ONLINE and event.channel_index == 0)
            ):
                self._async_register_devices(receiver)
            self._async_fire(event)
            for listener in self._event_listeners.get(key, ()):
                listener(event)
        return bool(events)

    @callback
    def _async_warn_never_answered(self, receiver: Receiver) -> None:
        if receiver.api_device_id in self._never_answered_warned:
            return
        self._never_answered_warned.add(receiver.api_device_id)
        LOGGER.warning(
            "%s receiver at %s:%s has not answered yet (%s); it will be added when it does",
            self.title,
            receiver.host,
            receiver.port,
            receiver.error or "no answer",
        )

    @callback
    def _async_schedule_recheck(self, key: ChannelKey, reason: str, when: datetime) -> None:
        """Re-evaluate the channel's entities when a time-bound status runs out.

        An audio peak renews its hold on every sample, so a pending timer is not replaced:
        when it fires early it simply waits for the latest deadline.
        """
        timer = (key, reason)
        self._recheck_due[timer] = when
        if timer in self._recheck_timers:
            return

        @callback
        def _recheck(now: datetime) -> None:
            self._recheck_timers.pop(timer, None)
            due = self._recheck_due.pop(timer)
            if due > now:
                self._async_schedule_recheck(key, reason, due)
                return
            self._async_call(key)

        self._recheck_timers[timer] = async_track_point_in_utc_time(self.hass, _recheck, when)

    @callback
    def _async_fire(self, event: LifecycleEvent) -> None:
        data: dict[str, Any] = {
            "service_code": event.service_code,
            "api_device_id": event.api_device_id,
            "device_type": event.device_type,
        }
        if event.device_type != DEVICE_TYPE_SERVICE:
            data[ATTR_DEVICE_ID] = self._async_device_id(event)
        data["name"] = event.name
        data.update(event.extra)
        if event.event_type == EVENT_DEVICE_SYNCED:
            LOGGER.debug("%s: %s %s", event.event_type, event.name, event.extra["sync_result"])
        else:
            LOGGER.info(
                "%s: %s %s %s%s",
                event.event_type,
                event.device_type,
                event.name,
                event.api_device_id,
                f" {event.extra['changed']}" if event.event_type == EVENT_DEVICE_UPDATED else "",
            )
        self.hass.bus.async_fire(event.event_type, data)

    # Device registry -----------------------------------------------------------------------------

    @callback
    def _async_device_id(self, event: LifecycleEvent) -> str | None:
        registry = dr.async_get(self.hass)
        if event.device_type == DEVICE_TYPE_RECEIVER:
            ident = receiver_identifier(self.manufacturer, event.receiver_id)
        else:
            ident = channel_identifier(self.manufacturer, event.receiver_id, event.channel_index)
        device = registry.async_get_device_by_identifier(ident, self.config_entry.entry_id)
        return device.id if device else None

    @callback
    def _async_register_service_device(self) -> None:
        self._service_device_id = (
            dr.async_get(self.hass)
            .async_get_or_create(
                config_entry_id=self.config_entry.entry_id,
                identifiers={service_identifier(self.manufacturer)},
                manufacturer=self.title,
                name=self.title,
                model="Micboard",
                entry_type=dr.DeviceEntryType.SERVICE,
            )
            .id
        )

    @callback
    def _async_register_devices(self, receiver: Receiver) -> None:
        """Create or refresh the receiver's device and one device per channel."""
        registry = dr.async_get(self.hass)
        entry_id = self.config_entry.entry_id
        receiver_ident = receiver_identifier(self.manufacturer, receiver.api_device_id)
        configuration_url = (
            f"http://{receiver.host}" if receiver.family in WEB_UI_FAMILIES else None
        )
        connections = (
            {(dr.CONNECTION_NETWORK_MAC, receiver.mac_address)} if receiver.mac_address else set()
        )
        receiver_device = registry.async_get_or_create(
            config_entry_id=entry_id,
            identifiers={receiver_ident},
            connections=connections,
            manufacturer=self.title,
            model=receiver.model,
            name=receiver_name(receiver),
            sw_version=receiver.firmware,
            configuration_url=configuration_url,
            via_device_id=self._service_device_id,
        )
        for channel in receiver.channels:
            registry.async_get_or_create(
                config_entry_id=entry_id,
                identifiers={
                    channel_identifier(self.manufacturer, receiver.api_device_id, channel.index)
                },
                manufacturer=self.title,
                model=f"{receiver.model} channel {channel.index}",
                name=channel_name(channel),
                via_device_id=receiver_device.id,
            )

    # Read access for entities --------------------------------------------------------------------

    def receiver(self, api_id: str) -> Receiver | None:
        """The receiver with this api device id in the current snapshot."""
        return self.data.receivers.get(api_id)


def _meter_only(old: Receiver | None, new: Receiver | None) -> bool:
    """Whether nothing but meter readings changed between two observations of a receiver."""
    if old is None or new is None or _receiver_fields_changed(old, new):
        return False
    if len(old.channels) != len(new.channels):
        return False
    return all(
        before is after or _channel_settings(before) == _channel_settings(after)
        for before, after in zip(old.channels, new.channels, strict=True)
    )


def _channel_settings(channel: Channel) -> tuple[object, ...]:
    """Everything of a channel but its meters (levels, peak, antenna, quality)."""
    return (
        channel.index,
        channel.name,
        channel.frequency_mhz,
        channel.group_channel,
        channel.audio_gain_db,
        channel.audio_mute,
        channel.interference,
        channel.encryption_error,
        channel.transmitter,
    )


def _structure_changed(previous: Snapshot, current: Snapshot, changed: frozenset[str]) -> bool:
    """Whether a receiver or channel appeared or went, so entities may be missing."""
    for api_id in changed:
        old = previous.receivers.get(api_id)
        new = current.receivers.get(api_id)
        if old is None or new is None:
            return True
        if has_answered(old) != has_answered(new):
            return True
        if [c.index for c in old.channels] != [c.index for c in new.channels]:
            return True
    return False


def _receiver_fields_changed(old: Receiver, new: Receiver) -> bool:
    """Whether anything but the channels changed (cheaper than comparing channels too)."""
    return (
        old.online != new.online
        or old.name != new.name
        or old.firmware != new.firmware
        or old.model != new.model
        or old.rf_band != new.rf_band
        or old.host != new.host
        or old.error != new.error
    )
