"""Shure wireless receivers over the TCP 2202 command-string protocol (no Home Assistant).

Layout: ``session`` (one TCP connection), ``reading`` (full read, identification, probe),
``connection`` (staying connected), ``backend`` (the fleet of connections); ``families``
(key tables and capabilities), ``identification`` (which family a receiver is), ``parser``
and ``framing`` (the wire), ``discovery`` (SLP announcements).
"""

from collections.abc import Callable

from ..spec import Announcement, DiscoveryKind, DiscoveryListener, ManufacturerSpec
from .backend import ShureBackend
from .const import DEFAULT_PORT, MANUFACTURER
from .discovery import ShureAnnouncement, ShureDiscovery
from .families import FAMILIES, Family
from .options import ClientOptions
from .reading import probe


def _listener(on_found: Callable[[Announcement], None]) -> DiscoveryListener:
    def found(announcement: ShureAnnouncement) -> None:
        # Receivers announce their ACN session port; control is always on DEFAULT_PORT.
        on_found(
            Announcement(
                host=announcement.ip,
                port=DEFAULT_PORT,
                name=announcement.name,
                model=announcement.model,
                mac=announcement.mac,
            )
        )

    # The real multicast socket (``discovery.open_multicast_transport``).
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
    "Family",
    "ShureBackend",
    "probe",
]
