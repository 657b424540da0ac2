"""Micboard's device library: wireless-mic receivers and battery chargers, vendor-neutral.

Home-Assistant-free asyncio code. A consumer picks a manufacturer from ``MANUFACTURERS``,
probes hosts with its ``probe``, builds its backend with ``create_backend`` and listens for
``ChangeSet``s; it never needs to know a manufacturer's protocol, families or ports.
"""

from .backend import Backend, ChangeListener, ChangeSet, ConnectionStats, HostPort
from .controls import (
    check_audio_gain,
    check_audio_mute,
    check_channel_name,
    check_control,
    check_identify,
)
from .errors import (
    ControlNotSupportedError,
    DeviceError,
    ErrorKind,
    InvalidReason,
    InvalidValueError,
    MicboardAuthError,
    MicboardConnectionError,
    MicboardControlError,
    MicboardError,
    MicboardProtocolError,
    NotConfirmedError,
    UnsupportedDeviceError,
    WriteRefusedError,
)
from .limits import GainRange, NameRule
from .models import (
    CHARGING_STATES,
    Battery,
    BatteryError,
    BatteryState,
    Bay,
    Capability,
    Channel,
    Charger,
    ChargerModule,
    Device,
    Receiver,
    Snapshot,
    SyncResult,
    SyncStatus,
    Transmitter,
)
from .registry import MANUFACTURERS, get_manufacturer
from .spec import Announcement, DiscoveryKind, DiscoveryListener, ManufacturerSpec

__all__ = [
    "CHARGING_STATES",
    "MANUFACTURERS",
    "Announcement",
    "Backend",
    "Battery",
    "BatteryError",
    "BatteryState",
    "Bay",
    "Capability",
    "ChangeListener",
    "ChangeSet",
    "Channel",
    "Charger",
    "ChargerModule",
    "ConnectionStats",
    "ControlNotSupportedError",
    "Device",
    "DeviceError",
    "DiscoveryKind",
    "DiscoveryListener",
    "ErrorKind",
    "GainRange",
    "HostPort",
    "InvalidReason",
    "InvalidValueError",
    "ManufacturerSpec",
    "MicboardAuthError",
    "MicboardConnectionError",
    "MicboardControlError",
    "MicboardError",
    "MicboardProtocolError",
    "NameRule",
    "NotConfirmedError",
    "Receiver",
    "Snapshot",
    "SyncResult",
    "SyncStatus",
    "Transmitter",
    "UnsupportedDeviceError",
    "WriteRefusedError",
    "check_audio_gain",
    "check_audio_mute",
    "check_channel_name",
    "check_control",
    "check_identify",
    "get_manufacturer",
]
