"""An in-memory manufacturer for the Home Assistant layer's tests: no sockets, no real time.

``FakeNetwork`` stands for the show network: the receivers that answer at each host:port.
Its ``spec()`` is the Shure ``ManufacturerSpec`` with ``probe``, ``create_backend`` and
``create_listener`` replaced by in-memory ones, and ``patch_manufacturer`` puts it where the
integration looks manufacturers up (the edge; no production module has a test seam).

``FakeBackend`` implements ``manufacturers.backend.Backend``. A test changes what the
receivers report and either pushes the change at once with an explicit ``ChangeSet``
(``push``) or leaves it for the next full poll (``set``). A poll fails as a whole with
``fail(error)``; it is partial while some receivers are offline or unanswered (each then
counts as an error of the ``SyncResult``). Every call is counted in ``calls``. Writes
(identify, names, mute, gain) are checked with the library's own checks, recorded in
``writes`` and answered as ``write_outcome`` says: confirmed (and pushed, as the receiver's
REP would be), refused, or never confirmed.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable, Generator, Iterable, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import replace
from datetime import timedelta
import json
from pathlib import Path
import time
from typing import Any, Literal
from unittest.mock import patch

from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import Platform
from homeassistant.core import Event, HomeAssistant, callback
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_fire_time_changed

from custom_components.micboard.const import (
    CONF_ALLOW_CHANGES,
    CONF_AUTO_ADD_DISCOVERED,
    CONF_HOSTS,
    CONF_MANUFACTURER,
    DOMAIN,
    LIFECYCLE_EVENTS,
)
from custom_components.micboard.hosts import format_host
from custom_components.micboard.manufacturers import (
    Announcement,
    Battery,
    BatteryError,
    BatteryState,
    Bay,
    Capability,
    ChangeListener,
    ChangeSet,
    Channel,
    Charger,
    ConnectionStats,
    ControlNotSupportedError,
    Device,
    DeviceError,
    ErrorKind,
    GainRange,
    HostPort,
    ManufacturerSpec,
    MicboardConnectionError,
    MicboardError,
    NameRule,
    NotConfirmedError,
    Receiver,
    Snapshot,
    SyncResult,
    Transmitter,
    UnsupportedDeviceError,
    WriteRefusedError,
    check_audio_gain,
    check_audio_mute,
    check_channel_name,
    check_identify,
)
from custom_components.micboard.manufacturers.limits import SHURE_NAME_CHARACTERS
from custom_components.micboard.manufacturers.shure import SHURE

FIXTURES = Path(__file__).parent / "fixtures"

# What a Shure ULX-D reports and can be told; most tests need only a receiver of some kind.
ULXD_CAPABILITIES = frozenset(
    {
        Capability.ANTENNA,
        Capability.AUDIO_LEVEL,
        Capability.POWER_LOCK,
        Capability.RF_LEVEL,
        Capability.TX_MUTE,
        Capability.TX_OFFSET,
        Capability.WEB_UI,
        Capability.IDENTIFY,
        Capability.CHANNEL_IDENTIFY,
        Capability.CHANNEL_NAME,
        Capability.RX_MUTE,
        Capability.AUDIO_GAIN,
    }
)
# Shure's limits (every family): 8 characters of its set, -18 to +42 dB in 1 dB steps.
SHURE_NAMES = NameRule(max_length=8, allowed=SHURE_NAME_CHARACTERS)
SHURE_GAIN = GainRange(minimum_db=-18, maximum_db=42, step_db=1)
# QLX-D: names and gain, no identify and no receiver mute.
QLXD_CAPABILITIES = ULXD_CAPABILITIES - {
    Capability.IDENTIFY,
    Capability.CHANNEL_IDENTIFY,
    Capability.RX_MUTE,
}
SYNC_SECONDS = 0.25


def transmitter(**values: Any) -> Transmitter:
    """A linked ULXD2 transmitter with a full battery, unless told otherwise."""
    defaults: dict[str, Any] = {
        "model": "ULXD2",
        "battery_bars": 5,
        "battery_percent": 100,
        "battery_runtime_minutes": 480,
        "battery_type": "LION",
        "tx_offset_db": 0,
        "power_lock": False,
        "mute": False,
    }
    return Transmitter(**(defaults | values))


def channel(index: int, name: str | None = None, **values: Any) -> Channel:
    """A channel with a transmitter on and levels, unless told otherwise."""
    defaults: dict[str, Any] = {
        "name": name or f"CH {index}",
        "frequency_mhz": 470.0 + index * 0.4,
        "audio_gain_db": 0,
        "audio_mute": False,
        "rf_level_dbm": -60,
        "audio_level_dbfs": -30,
        "antenna": "A",
        "transmitter": transmitter(),
    }
    return Channel(index=index, **(defaults | values))


def receiver(
    name: str = "Stage L",
    *,
    port: int = 2202,
    host: str = "10.0.0.5",
    channels: Sequence[Channel] | int = 2,
    api_device_id: str | None = None,
    **values: Any,
) -> Receiver:
    """An identified, online ULX-D receiver (``channels``: the channels, or how many)."""
    if isinstance(channels, int):
        channels = [channel(index) for index in range(1, channels + 1)]
    defaults: dict[str, Any] = {
        "online": True,
        "identified": True,
        "model": {1: "ULXD4", 2: "ULXD4D", 4: "ULXD4Q"}.get(len(channels), "ULXD4Q"),
        "family": "ulxd",
        "firmware": "2.7.6.0",
        "capabilities": ULXD_CAPABILITIES,
        "name_rule": SHURE_NAMES,
        "gain_range": SHURE_GAIN,
    }
    return Receiver(
        manufacturer=SHURE.code,
        api_device_id=api_device_id or f"{host}:{port}",
        host=host,
        port=port,
        name=name,
        channels=tuple(channels),
        **(defaults | values),
    )


def battery(**values: Any) -> Battery:
    """A pack charging at 62 %, 83 minutes to full, unless told otherwise."""
    defaults: dict[str, Any] = {
        "state": BatteryState.CHARGING,
        "charge_percent": 62,
        "time_to_full_minutes": 83,
        "health_percent": 94,
        "cycle_count": 41,
        "temperature_c": 25,
        "error": BatteryError.NONE,
    }
    return Battery(**(defaults | values))


def charger(
    name: str = "Chargers A",
    *,
    port: int = 2202,
    host: str = "10.0.0.9",
    bays: Sequence[Battery | None] = (None, None),
    api_device_id: str | None = None,
    **values: Any,
) -> Charger:
    """An identified, online SBC charger; ``bays``: the battery in each bay (None: empty)."""
    defaults: dict[str, Any] = {
        "online": True,
        "identified": True,
        "model": "SBC220" if len(bays) <= 8 else "SBC840",
        "family": "sbc",
        "firmware": "1.4.53.0",
        "storage_mode": False,
        "capabilities": frozenset({Capability.IDENTIFY}),
    }
    return Charger(
        manufacturer=SHURE.code,
        api_device_id=api_device_id or f"{host}:{port}",
        host=host,
        port=port,
        name=name,
        bays=tuple(Bay(index=i, battery=b) for i, b in enumerate(bays, start=1)),
        **(defaults | values),
    )


def with_bay(device: Charger, index: int, battery: Battery | None) -> Charger:
    """``device`` with the battery of bay ``index`` replaced; other bays stay the same."""
    return replace(
        device,
        bays=tuple(
            replace(bay, battery=battery) if bay.index == index else bay for bay in device.bays
        ),
    )


def unanswered(host: str, port: int, error: DeviceError | None = None) -> Receiver:
    """A configured receiver that has not answered (yet): only its address is known."""
    return Receiver(
        manufacturer=SHURE.code,
        api_device_id=f"{host}:{port}",
        host=host,
        port=port,
        error=error or DeviceError(ErrorKind.NOT_CONNECTED, "not connected yet"),
    )


def with_channel(rx: Receiver, index: int, **values: Any) -> Receiver:
    """``rx`` with channel ``index`` changed; the other channels stay the same objects."""
    return replace(
        rx,
        channels=tuple(replace(ch, **values) if ch.index == index else ch for ch in rx.channels),
    )


def with_transmitter(rx: Receiver, index: int, **values: Any) -> Receiver:
    """``rx`` with the transmitter on channel ``index`` changed."""
    tx = rx.channel(index)
    assert tx is not None
    assert tx.transmitter is not None
    return with_channel(rx, index, transmitter=replace(tx.transmitter, **values))


def _decode_receiver(data: Mapping[str, Any]) -> Receiver:
    values = dict(data)
    values["capabilities"] = frozenset(Capability(c) for c in values["capabilities"])
    if values.get("name_rule") is not None:
        values["name_rule"] = NameRule(**values["name_rule"])
    if values.get("gain_range") is not None:
        values["gain_range"] = GainRange(**values["gain_range"])
    if values["error"] is not None:
        values["error"] = DeviceError(ErrorKind(values["error"]["kind"]), values["error"]["detail"])
    values["channels"] = tuple(
        Channel(
            **{
                **ch,
                "transmitter": Transmitter(**ch["transmitter"]) if ch["transmitter"] else None,
            }
        )
        for ch in values["channels"]
    )
    return Receiver(**values)


def load_receivers(name: str) -> list[Receiver]:
    """Receivers from ``tests/fixtures/<name>``.

    These were recorded from the Shure backend talking to the simulator (see the fixtures'
    README), so HA-layer tests see what a real rig reports without opening a socket.
    """
    return [_decode_receiver(item) for item in json.loads((FIXTURES / name).read_text())]


class FakeBackend:
    """An in-memory ``Backend`` of the receivers a ``FakeNetwork`` answers for.

    ``snapshot`` is what was last published; ``live`` (by host:port) is what the
    receivers report now. ``set`` changes ``live`` only (a full poll picks it up), ``push``
    changes both and tells the listeners at once, as a receiver's REP would.
    """

    def __init__(self, network: FakeNetwork, hosts: Sequence[HostPort]) -> None:
        """Watch ``hosts``; those the network does not answer for stay unanswered."""
        self.network = network
        self.calls: Counter[str] = Counter()
        self.listeners: list[ChangeListener] = []
        self.live: dict[HostPort, Device] = {}
        # Raised by the next polls while set (``fail``).
        self.refresh_error: MicboardError | None = None
        # Every write sent, as (what, api id, channel, value); how the devices answer them
        # ("confirm", "refuse": REP ERR, "silent": no confirmation); a gate writes wait on.
        self.writes: list[tuple[str, str, int, object]] = []
        self.write_outcome: Literal["confirm", "refuse", "silent"] = "confirm"
        self.write_gate: asyncio.Event | None = None
        # Set once a write waits at the gate.
        self.write_waiting = asyncio.Event()
        for host, port in dict.fromkeys(hosts):
            self.live[host, port] = unanswered(host, port)
        self._published: dict[HostPort, Device] = dict(self.live)
        self._last_sync: SyncResult | None = None

    # The Backend protocol.

    @property
    def manufacturer(self) -> str:
        """The Shure code: the fake stands in for Shure's backend."""
        return SHURE.code

    @property
    def snapshot(self) -> Snapshot:
        """What was last published."""
        return Snapshot(
            manufacturer=self.manufacturer,
            receivers={
                rx.api_device_id: rx for rx in self._published.values() if isinstance(rx, Receiver)
            },
            chargers={
                c.api_device_id: c for c in self._published.values() if isinstance(c, Charger)
            },
            last_sync=self._last_sync,
        )

    @property
    def connection_stats(self) -> Mapping[str, ConnectionStats]:
        """One connection per receiver, online as last published."""
        return {
            rx.api_device_id: ConnectionStats(
                host=host,
                port=port,
                online=rx.online,
                reconnects=0,
                last_error=rx.error,
            )
            for (host, port), rx in self._published.items()
        }

    # Controls: checked as the fleet checks them, then answered as ``write_outcome`` says.

    async def identify(self, api_id: str, channel: int = 0) -> None:
        """Identify: confirmed at once (nothing to publish), refused or unconfirmed."""
        device = self._writable(api_id)
        check_identify(device, channel)
        await self._answer(("identify", api_id, channel, True))

    async def set_channel_name(self, api_id: str, channel: int, name: str) -> str:
        """Rename; when confirmed, the new name is pushed as the receiver's REP would be."""
        device = self._writable(api_id)
        check_channel_name(device, channel, name)
        await self._answer(("name", api_id, channel, name))
        self.push(with_channel(self._now(api_id), channel, name=name))
        return name

    async def set_audio_mute(self, api_id: str, channel: int, muted: bool) -> bool:
        """Mute or unmute; pushed when confirmed."""
        device = self._writable(api_id)
        check_audio_mute(device, channel)
        await self._answer(("mute", api_id, channel, muted))
        self.push(with_channel(self._now(api_id), channel, audio_mute=muted))
        return muted

    async def set_audio_gain(self, api_id: str, channel: int, gain_db: int) -> int:
        """Set the gain; pushed when confirmed."""
        device = self._writable(api_id)
        check_audio_gain(device, channel, gain_db)
        await self._answer(("gain", api_id, channel, gain_db))
        self.push(with_channel(self._now(api_id), channel, audio_gain_db=gain_db))
        return gain_db

    def _writable(self, api_id: str) -> Device:
        for device in self._published.values():
            if device.api_device_id == api_id:
                if not device.online:
                    raise MicboardConnectionError(
                        "offline",
                        kind=ErrorKind.NOT_CONNECTED,
                        host=f"{device.host}:{device.port}",
                    )
                return device
        raise ControlNotSupportedError(f"no device {api_id} is watched")

    def _now(self, api_id: str) -> Receiver:
        """The receiver as published now (it may have changed while a write waited)."""
        device = self._writable(api_id)
        assert isinstance(device, Receiver)
        return device

    async def _answer(self, write: tuple[str, str, int, object]) -> None:
        self.calls["write"] += 1
        self.writes.append(write)
        if self.write_gate is not None:
            self.write_waiting.set()
            await self.write_gate.wait()
        if self.write_outcome == "refuse":
            raise WriteRefusedError("REP ERR", host=write[1])
        if self.write_outcome == "silent":
            raise NotConfirmedError("no answer within 3 s", host=write[1])

    def remember(self, receivers: Iterable[Device]) -> None:
        """Devices an earlier run knew: published offline until they answer, as the fleet's."""
        self.calls["remember"] += 1
        for rx in receivers:
            key = (rx.host, rx.port)
            if key in self.live and not self.live[key].identified:
                self.live[key] = self._published[key] = replace(rx, online=False)

    async def start(self) -> None:
        """Every receiver the network answers for answers now; the first poll publishes it."""
        self.calls["start"] += 1
        for key in self.live:
            if (answer := self.network.receivers.get(key)) is not None:
                self.live[key] = answer

    async def stop(self) -> None:
        """Nothing is left running (nothing ever ran)."""
        self.calls["stop"] += 1

    async def refresh(self) -> SyncResult:
        """Publish ``live``, telling the listeners what the poll changed, as Shure's does.

        A poll does not know which changes were meters only: it reports none as such.
        """
        self.calls["refresh"] += 1
        if self.refresh_error is not None:
            raise self.refresh_error
        changes = _Changes()
        for key, rx in self.live.items():
            before = self._published.get(key)
            if before == rx:
                continue
            changes.add(before, rx)
        self._published = dict(self.live)
        if changes:
            self.publish(changes.change_set())
        errors = {
            f"{host}:{port}": rx.error or DeviceError(ErrorKind.TIMED_OUT, "no answer")
            for (host, port), rx in self._published.items()
            if not rx.online
        }
        self._last_sync = SyncResult(
            device_count=len(self._published),
            online_count=len(self._published) - len(errors),
            error_count=len(errors),
            duration_seconds=SYNC_SECONDS,
            errors=errors,
        )
        return self._last_sync

    def add_listener(self, listener: ChangeListener) -> Callable[[], None]:
        """Call ``listener`` on every push."""
        self.calls["add_listener"] += 1
        self.listeners.append(listener)

        def remove() -> None:
            self.listeners.remove(listener)

        return remove

    async def add_receiver(self, host: str, port: int) -> Device:
        """Watch one more receiver; it appears at once (a structure change)."""
        self.calls["add_receiver"] += 1
        key = (host, port)
        if key not in self.live:
            found = self.network.receivers.get(key) or unanswered(host, port)
            self.push(found, structure=True)
        return self.live[key]

    async def remove_receiver(self, host: str, port: int) -> None:
        """Stop watching a receiver; it goes (a structure change)."""
        self.calls["remove_receiver"] += 1
        self.live.pop((host, port), None)
        if (gone := self._published.pop((host, port), None)) is not None:
            changes = _Changes()
            changes.add(gone, None)
            self.publish(changes.change_set())

    # What a test does.

    def receiver(self, name: str) -> Receiver:
        """The receiver (as the receivers report it now) with this name."""
        for rx in self.live.values():
            if isinstance(rx, Receiver) and rx.name == name:
                return rx
        raise KeyError(name)

    def charger(self, name: str) -> Charger:
        """The charger (as it reports itself now) with this name."""
        for device in self.live.values():
            if isinstance(device, Charger) and device.name == name:
                return device
        raise KeyError(name)

    def set(self, *receivers: Device) -> None:
        """Receivers now report this; the next full poll publishes it."""
        for rx in receivers:
            self.live[rx.host, rx.port] = rx

    def push(
        self,
        *receivers: Device,
        meters_only: bool = False,
        structure: bool = False,
    ) -> ChangeSet:
        """Devices pushed this: publish it at once and tell the listeners what changed.

        ``meters_only``: only meter readings changed (receivers); ``structure``: devices,
        channels or bays appeared, went or were identified (also found by comparing). An id
        that moves (host:port to MAC) is reported under both.
        """
        changes = _Changes(meters_only=meters_only, structure=structure)
        for rx in receivers:
            key = (rx.host, rx.port)
            changes.add(self._published.get(key), rx)
            self.live[key] = rx
            self._published[key] = rx
        change_set = changes.change_set()
        self.publish(change_set)
        return change_set

    def publish(self, changes: ChangeSet) -> None:
        """Tell every listener about ``changes`` to the published snapshot."""
        self.calls["publish"] += 1
        snapshot = self.snapshot
        for listener in list(self.listeners):
            listener(snapshot, changes)

    def fail(self, error: MicboardError | None = None) -> None:
        """Make every poll raise ``error`` (None: polls work again)."""
        self.refresh_error = error

    def go_offline(self, name: str, error: DeviceError | None = None) -> Receiver:
        """The receiver stops answering: pushed at once, as the liveness check would."""
        rx = replace(
            self.receiver(name),
            online=False,
            error=error or DeviceError(ErrorKind.SILENT, "stopped answering"),
        )
        self.push(rx)
        return rx

    def come_back(self, name: str) -> Receiver:
        """The receiver answers again."""
        rx = replace(self.receiver(name), online=True, error=None)
        self.push(rx)
        return rx


class _Changes:
    """The ids a publish changed, by kind, as the fleet backend reports them."""

    def __init__(self, *, meters_only: bool = False, structure: bool | None = None) -> None:
        self.meters_only = meters_only
        # True or False: as told (a push); None: found by comparing (a poll).
        self.force_structure = structure
        self.receivers: set[str] = set()
        self.structure: set[str] = set()
        self.chargers: set[str] = set()
        self.charger_structure: set[str] = set()

    def __bool__(self) -> bool:
        return bool(self.receivers or self.chargers)

    def add(self, before: Device | None, after: Device | None) -> None:
        structural = (
            _structural(before, after) if self.force_structure is None else self.force_structure
        )
        for device in (before, after):
            if device is None:
                continue
            ids, shape = (
                (self.chargers, self.charger_structure)
                if isinstance(device, Charger)
                else (self.receivers, self.structure)
            )
            ids.add(device.api_device_id)
            if structural:
                shape.add(device.api_device_id)

    def change_set(self) -> ChangeSet:
        receivers = frozenset(self.receivers)
        return ChangeSet(
            receivers=receivers,
            meters_only=receivers if self.meters_only else frozenset(),
            structure=frozenset(self.structure),
            chargers=frozenset(self.chargers),
            charger_structure=frozenset(self.charger_structure),
        )


def _structural(before: Device | None, after: Device | None) -> bool:
    if before is None or after is None or type(before) is not type(after):
        return True
    if before.api_device_id != after.api_device_id or before.identified != after.identified:
        return True
    if isinstance(before, Charger) and isinstance(after, Charger):
        return len(before.bays) != len(after.bays)
    assert isinstance(before, Receiver)
    assert isinstance(after, Receiver)
    return len(before.channels) != len(after.channels)


class FakeListener:
    """The discovery listener of a ``FakeNetwork``'s spec."""

    def __init__(self, on_found: Callable[[Announcement], None]) -> None:
        """Remember whom to tell."""
        self.on_found = on_found
        self.running = False

    async def start(self) -> None:
        """Start listening."""
        self.running = True

    async def stop(self) -> None:
        """Stop listening."""
        self.running = False


class FakeNetwork:
    """The receivers that answer at each host:port, and the backends built for them."""

    def __init__(self, *receivers: Device) -> None:
        """Receivers on the network (more can be added with ``add``)."""
        self.receivers: dict[HostPort, Device] = {}
        # Hosts where something that is not a receiver answers.
        self.unsupported: set[HostPort] = set()
        self.backends: list[FakeBackend] = []
        self.listeners: list[FakeListener] = []
        self.probed: list[HostPort] = []
        # Backends built from now on fail every poll with this (``FakeBackend.fail``).
        self.refresh_error: MicboardError | None = None
        self.add(*receivers)

    def add(self, *receivers: Device) -> None:
        """These receivers (or chargers) answer from now on."""
        for rx in receivers:
            self.receivers[rx.host, rx.port] = rx

    def host(self, rx: Device) -> str:
        """The receiver's entry as the hosts form would show it."""
        return format_host(rx.host, rx.port, SHURE.default_port)

    @property
    def backend(self) -> FakeBackend:
        """The backend built last (the loaded entry's)."""
        return self.backends[-1]

    async def probe(self, host: str, port: int, _timeout: float) -> Device:
        """The spec's probe: the receiver answering there, or the library's error."""
        self.probed.append((host, port))
        if (host, port) in self.unsupported:
            raise UnsupportedDeviceError("not a Shure receiver", host=f"{host}:{port}")
        if (rx := self.receivers.get((host, port))) is None:
            raise MicboardConnectionError("connection refused", host=f"{host}:{port}")
        return rx

    def create_backend(self, hosts: Sequence[HostPort]) -> FakeBackend:
        """The spec's backend factory."""
        backend = FakeBackend(self, hosts)
        backend.fail(self.refresh_error)
        self.backends.append(backend)
        return backend

    def create_listener(self, on_found: Callable[[Announcement], None]) -> FakeListener:
        """The spec's discovery listener factory."""
        listener = FakeListener(on_found)
        self.listeners.append(listener)
        return listener

    def announce(self, rx: Receiver) -> None:
        """The receiver announces itself to every running discovery listener."""
        announcement = Announcement(
            host=rx.host, port=rx.port, name=rx.name, model=rx.model, mac=rx.mac_address
        )
        for listener in self.listeners:
            if listener.running:
                listener.on_found(announcement)

    def spec(self) -> ManufacturerSpec:
        """Shure's spec, talking to this network instead of sockets."""
        return replace(
            SHURE,
            probe=self.probe,
            create_backend=self.create_backend,
            create_listener=self.create_listener,
        )


# Where the integration looks a manufacturer up: by code, and the registry the flow lists.
_LOOKUPS = (
    "custom_components.micboard.get_manufacturer",
    "custom_components.micboard.discovery.get_manufacturer",
    "custom_components.micboard.config_flow.get_manufacturer",
)


@contextmanager
def patch_manufacturer(spec: ManufacturerSpec) -> Generator[None]:
    """Let the integration find ``spec`` (by its code) instead of the real one."""

    def lookup(code: str) -> ManufacturerSpec:
        if code != spec.code:
            raise KeyError(code)
        return spec

    registry = {spec.code: spec}
    with (
        patch(_LOOKUPS[0], lookup),
        patch(_LOOKUPS[1], lookup),
        patch(_LOOKUPS[2], lookup),
        patch("custom_components.micboard.config_flow.MANUFACTURERS", registry),
    ):
        yield


def mock_entry(hosts: Iterable[str], **options: Any) -> MockConfigEntry:
    """A Shure entry watching ``hosts`` (as the form writes them)."""
    return MockConfigEntry(
        domain=DOMAIN,
        title="Shure",
        unique_id="shure",
        data={CONF_MANUFACTURER: "shure"},
        options={
            CONF_HOSTS: list(hosts),
            CONF_AUTO_ADD_DISCOVERED: False,
            **options,
        },
    )


async def setup_fake_entry(
    hass: HomeAssistant, network: FakeNetwork, *receivers: Device, **options: Any
) -> MockConfigEntry:
    """Set up an entry watching ``receivers`` (default: every receiver on the network)."""
    watched = receivers or tuple(network.receivers.values())
    entry = mock_entry((network.host(rx) for rx in watched), **options)
    entry.add_to_hass(hass)
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    return entry


async def setup_with_changes(hass: HomeAssistant, network: FakeNetwork) -> MockConfigEntry:
    """Set up every receiver of the network with *Allow changes to receivers* on."""
    return await setup_fake_entry(hass, network, **{CONF_ALLOW_CHANGES: True})


def device_id_of(hass: HomeAssistant, key: tuple[str, int]) -> str:
    """The device registry id of a (host:port, channel) of the only Micboard entry."""
    (entry,) = hass.config_entries.async_entries(DOMAIN)
    device_id = entry.runtime_data.devices.async_device_id(key)
    assert device_id is not None
    return device_id


async def setup_platform(
    hass: HomeAssistant, network: FakeNetwork, platform: Platform, **options: Any
) -> MockConfigEntry:
    """Set up every receiver of the network, detail entities included, on one platform only.

    ``options`` are added to the entry's (``allow_changes=True`` for the control platforms).
    """
    with patch("custom_components.micboard.PLATFORMS", [platform]):
        return await setup_fake_entry(hass, network, **{"detail_entities": True, **options})


async def advance(hass: HomeAssistant, freezer: FrozenDateTimeFactory, delta: timedelta) -> None:
    """Move the clock on and run every timer that came due (no real waiting)."""
    freezer.tick(delta)
    async_fire_time_changed(hass)
    await hass.async_block_till_done()


def state_of(hass: HomeAssistant, entity_id: str) -> str:
    """The state of an entity that must exist."""
    state = hass.states.get(entity_id)
    assert state is not None, entity_id
    return state.state


def capture_lifecycle(hass: HomeAssistant) -> list[Event]:
    """Every Micboard lifecycle event fired from now on, in order."""
    events: list[Event] = []

    # A callback runs in the loop as the event fires; a plain function (``events.append``)
    # would run in the executor, and two events could land in either order.
    @callback
    def _append(event: Event) -> None:
        events.append(event)

    for event_type in LIFECYCLE_EVENTS:
        hass.bus.async_listen(event_type, _append)
    return events


async def wait_for_event(
    hass: HomeAssistant, events: list[Event], event_type: str, seconds: float
) -> Event:
    """Wait in real time (the clients' timers are real) for the first event of a type."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        await hass.async_block_till_done()
        for event in events:
            if event.event_type == event_type:
                return event
        await asyncio.sleep(0.05)
    raise AssertionError(f"no {event_type} within {seconds} s: {[e.event_type for e in events]}")
