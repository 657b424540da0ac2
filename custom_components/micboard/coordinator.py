"""The coordinator: owns one manufacturer backend, keeps its snapshot, announces its lifecycle."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import partial
from typing import override

from homeassistant.config_entries import ConfigEntry
from homeassistant.const import EVENT_HOMEASSISTANT_STOP
from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.helpers.event import async_call_later
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator, UpdateFailed
from homeassistant.util import dt as dt_util

from .announcer import Announcer
from .const import (
    DOMAIN,
    LOGGER,
    SCAN_INTERVAL,
)
from .devices import DeviceSync
from .entity_links import EntityLinks
from .identifiers import SERVICE_KEY
from .identities import IdentityStore
from .lifecycle import synced_event
from .manufacturers import (
    MANUFACTURERS,
    Backend,
    ChangeSet,
    Charger,
    Device,
    MicboardError,
    Receiver,
    Snapshot,
    SyncResult,
)
from .moves import find_moves, rekeyed
from .repairs_issues import AccessIssues
from .status_tracker import StatusTracker

type MicboardConfigEntry = ConfigEntry[MicboardCoordinator]


def devices_of(snapshot: Snapshot) -> list[Device]:
    """Every receiver and charger of a snapshot."""
    return [*snapshot.receivers.values(), *snapshot.chargers.values()]


# A receiver remembered from an earlier run that has not answered this long after start is
# announced offline: the same window in which a live receiver's silence is detected.
OFFLINE_WINDOW = 4.5


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
        spec = MANUFACTURERS.get(self.manufacturer)
        self.title = spec.name if spec else self.manufacturer
        self.links = EntityLinks(self.manufacturer)
        self.status = StatusTracker(hass, self.links.listeners.call)
        self.devices = DeviceSync(hass, entry.entry_id, self.manufacturer, self.title)
        self.identities = IdentityStore(hass, entry.entry_id, self.manufacturer)
        self.announcer = Announcer(
            hass,
            manufacturer=self.manufacturer,
            title=self.title,
            devices=self.devices,
            status=self.status,
            identities=self.identities,
        )
        self.access_issues = AccessIssues(hass, entry.entry_id, self.manufacturer)
        self._unsub_backend: Callable[[], None] | None = None
        self.last_sync: SyncResult | None = None
        self.last_sync_time: datetime | None = None
        # True once the first full refresh has set the baseline snapshot.
        self._ready = False

    @override
    async def _async_setup(self) -> None:
        """Start the backend and learn which receivers earlier runs already announced."""
        self.announcer.async_start()
        self.devices.async_register_service()
        self.backend.remember(await self.identities.async_load())
        self.access_issues.async_start(self.backend.snapshot.receivers.values())
        await self.backend.start()
        self._unsub_backend = self.backend.add_listener(self._async_handle_push)
        # Home Assistant does not unload entries when it stops; receivers must still be
        # told goodbye (some receivers' firmware can lock up when metering is left on).
        self.config_entry.async_on_unload(
            self.hass.bus.async_listen_once(EVENT_HOMEASSISTANT_STOP, self._async_stop_backend)
        )

    async def _async_stop_backend(self, _event: Event) -> None:
        # Written at the final write as last announced: the next start knows what it told
        # and how long it was away.
        self._async_remember_now()
        self.identities.async_stopping()
        await self.backend.stop()

    @callback
    def _async_remember_now(self) -> None:
        if self._ready:
            self.identities.async_update(self.data)

    @override
    async def async_shutdown(self) -> None:
        """Stop polling, then close every connection of the backend."""
        await super().async_shutdown()
        if self._unsub_backend is not None:
            self._unsub_backend()
            self._unsub_backend = None
        self.status.async_cancel()
        self._async_remember_now()
        await self.backend.stop()
        await self.identities.async_flush()

    @override
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
        remembered = any(device.identified for device in devices_of(snapshot))
        if first and result.device_count and result.online_count == 0 and not remembered:
            # The retry keeps trying; a device the user must switch on says so meanwhile.
            self.access_issues.async_update(snapshot.receivers.values(), create=True)
            raise UpdateFailed(
                translation_domain=DOMAIN,
                translation_key="no_receiver_answered",
                translation_placeholders={"error": result.error_message or ""},
            )
        self.last_sync = result
        self.last_sync_time = dt_util.utcnow()
        previous: Snapshot | None = None
        if not first:
            previous, self.data = self.data, snapshot
            previous = self._async_follow_moves(previous, snapshot, None)
        self.announcer.async_process(previous, snapshot, None)
        self._ready = True
        self.announcer.async_fire(synced_event(self.manufacturer, self.title, result))
        self.identities.async_update(snapshot)
        self.access_issues.async_update(snapshot.receivers.values(), create=True)
        if first and (
            silent := [
                device.api_device_id
                for device in devices_of(snapshot)
                if device.identified
                and not device.online
                and device.api_device_id not in self.identities.offline_when_saved
            ]
        ):
            self.config_entry.async_on_unload(
                async_call_later(
                    self.hass, OFFLINE_WINDOW, partial(self._async_announce_silent, silent)
                )
            )
        return snapshot

    @callback
    def _async_announce_silent(self, api_ids: list[str], now: datetime) -> None:
        self.announcer.async_announce_silent(self.data, api_ids, now)

    @override
    @callback
    def _async_refresh_finished(self) -> None:
        """The sync log changes with every poll, even when no receiver did."""
        self.links.listeners.call(SERVICE_KEY)

    @callback
    def _async_handle_push(self, snapshot: Snapshot, changes: ChangeSet) -> None:
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
        # The snapshot first: entities that follow a moved receiver read it at once.
        previous, self.data = self.data, snapshot
        previous = self._async_follow_moves(previous, snapshot, changes.structure)
        settings = changes.receivers - changes.meters_only
        fired = self.announcer.async_process(previous, snapshot, settings, changes.chargers)
        self.access_issues.async_update(
            (r for i in settings if (r := snapshot.receivers.get(i)) is not None), create=False
        )
        if changes.structure or changes.charger_structure:
            # New receivers, chargers, channels or bays: every platform looks for entities.
            self.async_update_listeners()
            return
        for api_id in changes.chargers:
            if (charger := snapshot.chargers.get(api_id)) is not None and (
                before := previous.chargers.get(api_id)
            ) is not None:
                self.links.wake_charger(before, charger)
                fired = True  # the service device counts batteries
        now = dt_util.utcnow()
        for api_id in changes.receivers:
            if (new := snapshot.receivers.get(api_id)) is None:
                continue
            old = previous.receivers.get(api_id)
            if old is None:
                continue
            if api_id in changes.meters_only:
                self.links.wake_meters(old, new, now, self.status)
            else:
                self.links.wake_receiver(old, new)
        if fired:
            self.links.listeners.call(SERVICE_KEY)

    @callback
    def _async_follow_moves(
        self, previous: Snapshot, current: Snapshot, candidates: frozenset[str] | None
    ) -> Snapshot:
        """Receivers whose id moved (host:port to the MAC) keep their devices and entities.

        Returns ``previous`` with the moved receivers under their new ids, so that the
        lifecycle diff sees the same receiver (no second discovery, no false online).
        """
        if not (moves := find_moves(previous, current, candidates)):
            return previous
        for old, new in moves:
            old_id, new_id = old.api_device_id, new.api_device_id
            LOGGER.info("%s receiver %s is now known by %s", self.title, old_id, new_id)
            indexes = [channel.index for channel in old.channels]
            merged = self.devices.async_move(old_id, new_id, indexes)
            self.announcer.async_moved(old_id, new_id)
            self.status.async_move(old_id, new_id)
            self.links.moved(old, new_id, merged)
        return rekeyed(previous, moves)

    @override
    @callback
    def async_update_listeners(self) -> None:
        """Wake Home Assistant's listeners (platforms adding entities), then every entity."""
        super().async_update_listeners()
        self.links.listeners.call_all()

    def receiver(self, api_id: str) -> Receiver | None:
        """The receiver with this api device id in the current snapshot."""
        return self.data.receivers.get(api_id)

    def charger(self, api_id: str) -> Charger | None:
        """The charger with this api device id in the current snapshot."""
        return self.data.chargers.get(api_id)
