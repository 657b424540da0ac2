"""Micboard's device library: wireless microphone receivers as vendor-neutral models.

Home-Assistant-free asyncio code. A consumer picks a manufacturer from ``MANUFACTURERS``,
probes hosts with its ``probe``, builds its backend with ``create_backend`` and listens for
``ChangeSet``s; it never needs to know a manufacturer's protocol, families or ports.
"""

from .backend import Backend, ChangeListener, ChangeSet, ConnectionStats, HostPort
from .errors import (
    DeviceError,
    ErrorKind,
    MicboardAuthError,
    MicboardConnectionError,
    MicboardError,
    MicboardProtocolError,
    UnsupportedDeviceError,
)
from .models import (
    Capability,
    Channel,
    Receiver,
    Snapshot,
    SyncResult,
    SyncStatus,
    Transmitter,
)
from .registry import MANUFACTURERS, get_manufacturer
from .spec import Announcement, DiscoveryKind, DiscoveryListener, ManufacturerSpec

__all__ = [
    "MANUFACTURERS",
    "Announcement",
    "Backend",
    "Capability",
    "ChangeListener",
    "ChangeSet",
    "Channel",
    "ConnectionStats",
    "DeviceError",
    "DiscoveryKind",
    "DiscoveryListener",
    "ErrorKind",
    "HostPort",
    "ManufacturerSpec",
    "MicboardAuthError",
    "MicboardConnectionError",
    "MicboardError",
    "MicboardProtocolError",
    "Receiver",
    "Snapshot",
    "SyncResult",
    "SyncStatus",
    "Transmitter",
    "UnsupportedDeviceError",
    "get_manufacturer",
]
