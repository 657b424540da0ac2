"""Shure wireless receivers over the TCP 2202 command-string protocol (no Home Assistant)."""

from collections.abc import Callable

from ..backend import ConnectionStats
from ..spec import Announcement, DiscoveryKind, DiscoveryListener, ManufacturerSpec
from .backend import ShureBackend
from .client import DEFAULT_PORT, MANUFACTURER, ClientOptions, probe
from .discovery import ShureAnnouncement, ShureDiscovery
from .families import FAMILIES, Family

# Receivers announce their ACN session port; they are always controlled on this one.
CONTROL_PORT = DEFAULT_PORT


def _listener(on_found: Callable[[Announcement], None]) -> DiscoveryListener:
    def found(announcement: ShureAnnouncement) -> None:
        on_found(
            Announcement(
                host=announcement.ip,
                port=CONTROL_PORT,
                name=announcement.name,
                model=announcement.model,
                mac=announcement.mac,
            )
        )

    return ShureDiscovery(found)


SHURE = ManufacturerSpec(
    code=MANUFACTURER,
    name="Shure",
    default_port=DEFAULT_PORT,
    probe=probe,
    create_backend=ShureBackend,
    discovery=DiscoveryKind.LISTENER,
    create_listener=_listener,
)

__all__ = [
    "DEFAULT_PORT",
    "FAMILIES",
    "MANUFACTURER",
    "SHURE",
    "ClientOptions",
    "ConnectionStats",
    "Family",
    "ShureBackend",
    "probe",
]
