"""What the library says about each manufacturer: ``ManufacturerSpec`` and discovery types.

A consumer reads specs (from ``registry``) instead of knowing any manufacturer: the code and
display name, the default port, how to probe a host, how to build the backend, and how
devices are found.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from .backend import Backend, HostPort
from .models import Device


class DiscoveryKind(StrEnum):
    """How devices of a manufacturer announce themselves."""

    # The library runs its own listener (Shure SLP multicast).
    LISTENER = "listener"
    # By mDNS / DNS-SD; the consumer's zeroconf browser finds them (``zeroconf_types``).
    ZEROCONF = "zeroconf"
    NONE = "none"


@dataclass(frozen=True, slots=True, kw_only=True)
class Announcement:
    """A device that announced itself on the network."""

    host: str
    # The port to control it on (not necessarily the one it announced from).
    port: int
    name: str | None = None
    model: str | None = None
    mac: str | None = None


class DiscoveryListener(Protocol):
    """A running discovery listener."""

    async def start(self) -> None:
        """Start listening."""

    async def stop(self) -> None:
        """Stop listening and release the socket."""


type Probe = Callable[[str, int, float], Awaitable[Device]]
"""(host, port, timeout) -> the identified receiver or charger; raises ``MicboardError``."""
type BackendFactory = Callable[[Sequence[HostPort]], Backend]
type ListenerFactory = Callable[[Callable[[Announcement], None]], DiscoveryListener]


@dataclass(frozen=True, slots=True, kw_only=True)
class ManufacturerSpec:
    """Everything a consumer needs to offer one manufacturer."""

    code: str
    name: str
    default_port: int
    probe: Probe
    create_backend: BackendFactory
    discovery: DiscoveryKind = DiscoveryKind.NONE
    # DiscoveryKind.LISTENER: builds the listener, given the callback for each announcement.
    create_listener: ListenerFactory | None = None
    # DiscoveryKind.ZEROCONF: the service types devices announce.
    zeroconf_types: tuple[str, ...] = ()
    needs_credentials: bool = False
