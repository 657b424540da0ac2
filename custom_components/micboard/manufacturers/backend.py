"""What a manufacturer backend offers its consumer, and what it tells them on each change."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Protocol

from .errors import DeviceError
from .models import Device, Snapshot, SyncResult

type HostPort = tuple[str, int]


@dataclass(frozen=True, slots=True, kw_only=True)
class ChangeSet:
    """What one published snapshot changed, by api device id.

    The backend knows what each message it applied touched, so its consumers never need
    to compare fields to learn it.
    """

    # Every receiver whose public view changed. When a receiver's id moves (host:port to
    # its MAC), both ids are here.
    receivers: frozenset[str]
    # Of those, the ones where only meter readings changed (RF and audio levels, audio peak,
    # antenna, quality): nothing a lifecycle event or a non-meter value depends on.
    meters_only: frozenset[str] = frozenset()
    # Of those, the ones that appeared, went, were identified, or gained or lost channels:
    # whatever consumes receivers and channels as a list must look again.
    structure: frozenset[str] = frozenset()
    # Every charger whose public view changed (its bays and batteries included), by api
    # device id; both ids when its id moved. An endpoint identified as a charger leaves
    # ``receivers`` (its placeholder id is in ``receivers`` and ``structure``) and appears
    # here. Unchanged bays keep their ``Bay`` object, so a consumer finds the changed bays
    # of a charger by identity.
    chargers: frozenset[str] = frozenset()
    # Of those, the ones that appeared, went, were identified, or gained or lost bays.
    charger_structure: frozenset[str] = frozenset()


type ChangeListener = Callable[[Snapshot, ChangeSet], None]
"""Called with the new snapshot and what changed in it."""


@dataclass(frozen=True, slots=True)
class ConnectionStats:
    """Diagnostics of one device connection."""

    host: str
    port: int
    online: bool
    reconnects: int
    last_error: DeviceError | None


class Backend(Protocol):
    """What a consumer (the Home Assistant layer) needs from a manufacturer backend."""

    @property
    def manufacturer(self) -> str:
        """Manufacturer code, e.g. ``"shure"``."""

    @property
    def snapshot(self) -> Snapshot:
        """The current state of every configured device (receivers and chargers)."""

    async def start(self) -> None:
        """Open a connection to every device; returns once each has been tried once."""

    async def stop(self) -> None:
        """Close every connection politely; no task is left running."""

    async def refresh(self) -> SyncResult:
        """Re-read the full state of every device, a bounded number at a time."""

    def add_listener(self, listener: ChangeListener) -> Callable[[], None]:
        """Call ``listener`` on every published change; returns a function that removes it."""

    async def add_receiver(self, host: str, port: int) -> Device:
        """Start watching one more endpoint without a restart: a receiver or a charger.

        Returns the device as published after the first attempt (a placeholder receiver
        while it has not been identified).
        """

    async def remove_receiver(self, host: str, port: int) -> None:
        """Stop watching an endpoint (receiver or charger) and drop it from the snapshot."""

    def remember(self, devices: Iterable[Device]) -> None:
        """Identities learnt in an earlier run (by host and port); call before ``start``.

        A device that does not answer is then published as that receiver or charger,
        offline.
        """

    @property
    def connection_stats(self) -> Mapping[str, ConnectionStats]:
        """Per device (by api device id): connection state, reconnects, last error."""

    # Controls. Each checks the device's controls and limits first (nothing is sent when
    # they do not allow it: ``ControlNotSupportedError``, ``InvalidValueError``), then sends
    # the change and returns only once the device reported the new value, the snapshot
    # showing it; ``WriteRefusedError`` when the device answers with an error,
    # ``NotConfirmedError`` when it reports nothing in time, ``MicboardConnectionError``
    # while it is not connected.

    async def identify(self, api_id: str, channel: int = 0) -> None:
        """Make the device (channel 0) or one channel show where it is."""

    async def set_channel_name(self, api_id: str, channel: int, name: str) -> str:
        """Rename a channel; returns the name as the device reports it."""

    async def set_audio_mute(self, api_id: str, channel: int, muted: bool) -> bool:
        """Mute (or unmute) the receiver's output of a channel; returns the reported state."""

    async def set_audio_gain(self, api_id: str, channel: int, gain_db: int) -> int:
        """Set a channel's audio gain in dB; returns the gain the device reports."""
