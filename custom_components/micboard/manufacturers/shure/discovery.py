"""Find Shure receivers by the SLP announcements they multicast on the show network.

ACN-capable Shure receivers multicast an SLPv2 Attribute Reply about every 2 s to
239.255.254.253:8427/UDP (one digit off standard SLP, so stock SLP libraries miss it).
This module parses those datagrams and keeps a list of the receivers currently announcing.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
import contextlib
from dataclasses import dataclass
import ipaddress
import logging
import re
import socket
import struct
import time
from typing import override

_LOGGER = logging.getLogger(__name__)

SLP_GROUP = "239.255.254.253"
SLP_PORT = 8427

_SLP_VERSION = 2
_ATTRIBUTE_REPLY = 7
# Version, function, length (3), flags (2), next-extension offset (3), XID (2).
_LANGUAGE_TAG_LENGTH_OFFSET = 12

# Shure's OUI; the cid's last group carries it, its first group the last 4 bytes of the MAC.
_SHURE_OUI = "000EDD"
_CID = re.compile(r"([0-9A-F]{8})-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-([0-9A-F]{12})")

# `(tag=value)`; a value may hold one level of unescaped parentheses, as in "Stage (L)".
_ATTRIBUTE = re.compile(r"\(([^()=]+)=([^()]*(?:\([^()]*\)[^()]*)*)\)")
_ESCAPE = re.compile(r"\\([0-9A-Fa-f]{2})")
_RX_SUFFIX = re.compile(r"[_-]RX$")

# acn-fctn prefixes of the receivers this project supports (ULX-D, QLX-D, SLX-D and SLX-D+,
# Axient Digital), compared without punctuation so "ULX-D4Q" or "SLXD4Q+" still match.
_RECEIVER_PREFIXES = ("ULXD4", "QLXD4", "SLXD4", "AD4D", "AD4Q")


@dataclass(frozen=True, slots=True, kw_only=True)
class ShureAnnouncement:
    """One Shure receiver as it describes itself in its SLP announcement."""

    ip: str
    # Model without the `_RX` suffix SLX-D adds, e.g. "QLXD4", "SLXD4DE", "AD4Q".
    model: str
    # User-assigned name (acn-uacn); the model when the receiver has none.
    name: str
    # Lower-case colon form, e.g. "00:0e:dd:47:e0:d7"; None when the cid does not carry it.
    mac: str | None = None
    # Device Class ID, which Shure's DCIDMap.xml maps to a model and RF band.
    dcid: str | None = None
    # ACN component id (a UUID), upper case.
    cid: str | None = None

    @property
    def identity(self) -> str:
        """What stays the same for this receiver: its MAC, else its cid, else its IP."""
        return self.mac or self.cid or self.ip


def parse_announcement(data: bytes, source_ip: str) -> ShureAnnouncement | None:
    """Parse one datagram; None unless it is a supported receiver's SLP Attribute Reply.

    ``source_ip`` (the datagram's sender) is used when the announcement names no address.
    Never raises: malformed datagrams and other devices or software give None.
    """
    attribute_list = _attribute_list(data)
    if attribute_list is None:
        return None
    attributes = _attributes(attribute_list.decode("utf-8", errors="replace"))
    model = _RX_SUFFIX.sub("", attributes.get("acn-fctn", "").strip().upper())
    if not _is_supported_receiver(model):
        return None
    ip, dcid = _session_address(attributes.get("csl-esta.dmp", ""))
    cid = attributes.get("cid", "").strip().upper() or None
    return ShureAnnouncement(
        ip=ip or source_ip,
        model=model,
        name=attributes.get("acn-uacn", "").strip() or model,
        mac=_mac_from_cid(cid) if cid else None,
        dcid=dcid,
        cid=cid,
    )


def _attribute_list(data: bytes) -> bytes | None:
    """The attribute list of an SLPv2 Attribute Reply without error, else None."""
    if len(data) < _LANGUAGE_TAG_LENGTH_OFFSET + 2:
        return None
    if data[0] != _SLP_VERSION or data[1] != _ATTRIBUTE_REPLY:
        return None
    language_tag_length = int.from_bytes(data[12:14])
    offset = _LANGUAGE_TAG_LENGTH_OFFSET + 2 + language_tag_length
    if len(data) < offset + 4:
        return None
    error_code = int.from_bytes(data[offset : offset + 2])
    attribute_list_length = int.from_bytes(data[offset + 2 : offset + 4])
    offset += 4
    attribute_list = data[offset : offset + attribute_list_length]
    if error_code != 0 or len(attribute_list) != attribute_list_length:
        return None
    return attribute_list


def _attributes(text: str) -> dict[str, str]:
    """``{tag: value}`` of an SLP attribute list; escapes (``\\2C``) decoded."""
    return {
        match[1].strip().lower(): _ESCAPE.sub(lambda m: chr(int(m[1], 16)), match[2])
        for match in _ATTRIBUTE.finditer(text)
    }


def _is_supported_receiver(model: str) -> bool:
    compact = re.sub(r"[^A-Z0-9+]", "", model)
    return compact.startswith(_RECEIVER_PREFIXES)


def _session_address(value: str) -> tuple[str | None, str | None]:
    """IP and DCID from ``esta.sdt/<ip>:<port>;esta.dmp/cd:<DCID>`` (possibly multi-valued)."""
    ip: str | None = None
    dcid: str | None = None
    for raw_part in re.split(r"[;,]", value):
        part = raw_part.strip()
        if part.startswith("esta.sdt/") and ip is None:
            host = part.removeprefix("esta.sdt/").rpartition(":")[0]
            ip = _usable_ip(host.strip("[]"))
        elif part.startswith("esta.dmp/cd:") and dcid is None:
            dcid = part.removeprefix("esta.dmp/cd:").strip().upper() or None
    return ip, dcid


def _usable_ip(host: str) -> str | None:
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return None
    return None if address.is_unspecified else str(address)


def _mac_from_cid(cid: str) -> str | None:
    """``DD47E0D7-0000-11DD-A000-000EDDCCCCCC`` -> ``00:0e:dd:47:e0:d7``."""
    match = _CID.fullmatch(cid)
    if match is None:
        return None
    last_four_bytes, tail = match.groups()
    # The OUI's last byte is also the first of the four: both halves must agree.
    if _SHURE_OUI not in tail or not last_four_bytes.startswith(_SHURE_OUI[4:]):
        return None
    mac = (_SHURE_OUI[:4] + last_four_bytes).lower()
    return ":".join(mac[index : index + 2] for index in range(0, 12, 2))


type ProtocolFactory = Callable[[], asyncio.DatagramProtocol]
type TransportFactory = Callable[[ProtocolFactory], Awaitable[asyncio.DatagramTransport]]
"""Opens the listening socket for the protocol the factory builds; returns its transport."""


async def open_multicast_transport(
    protocol_factory: ProtocolFactory,
    *,
    group: str = SLP_GROUP,
    port: int = SLP_PORT,
    bind_host: str = "0.0.0.0",
) -> asyncio.DatagramTransport:
    """Listen on ``bind_host:port`` after joining ``group`` on every interface that allows it.

    Raises OSError when the socket cannot be bound or the group cannot be joined at all.
    """
    sock = _multicast_socket(group, port, bind_host)
    try:
        transport, _ = await asyncio.get_running_loop().create_datagram_endpoint(
            protocol_factory, sock=sock
        )
    except BaseException:
        sock.close()
        raise
    return transport


def _multicast_socket(group: str, port: int, bind_host: str) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM, socket.IPPROTO_UDP)
    try:
        # Other listeners (Wireless Workbench, a second integration) may share the port.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if hasattr(socket, "SO_REUSEPORT"):
            with contextlib.suppress(OSError):
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        sock.bind((bind_host, port))
        _join_group(sock, group)
        sock.setblocking(False)
    except BaseException:
        sock.close()
        raise
    return sock


def _join_group(sock: socket.socket, group: str) -> None:
    """Join on every interface (the show network is often not the default route).

    Falls back to the kernel's choice of interface where per-interface joins are unavailable.
    """
    group_address = socket.inet_aton(group)
    any_address = socket.inet_aton("0.0.0.0")
    joined = 0
    try:
        interfaces = socket.if_nameindex()
    except OSError:
        interfaces = []
    for index, _name in interfaces:
        # struct ip_mreqn: group, local address, interface index.
        request = group_address + any_address + struct.pack("@i", index)
        try:
            sock.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, request)
        except OSError:
            continue
        joined += 1
    if not joined:
        sock.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, group_address + any_address)


@dataclass(slots=True)
class _Sighting:
    announcement: ShureAnnouncement
    last_seen: float


class _AnnouncementProtocol(asyncio.DatagramProtocol):
    def __init__(self, discovery: ShureDiscovery) -> None:
        self._discovery = discovery
        self.closed: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    @override
    def datagram_received(self, data: bytes, addr: tuple[str | int, ...]) -> None:
        self._discovery._announcement_received(data, str(addr[0]))

    @override
    def error_received(self, exc: Exception) -> None:
        _LOGGER.debug("Shure discovery socket error: %s", exc)

    @override
    def connection_lost(self, exc: Exception | None) -> None:
        if not self.closed.done():
            self.closed.set_result(None)


class ShureDiscovery:
    """Listen for Shure SLP announcements and report each receiver once when it appears.

    A receiver that has not announced itself for ``expire_after`` seconds is forgotten, and
    reported again when it comes back.

    Without ``transport_factory`` it listens through ``open_multicast_transport`` (looked up
    when it starts, so that a test can patch that one function); with it, the factory opens
    the socket instead (a loopback one, say).
    """

    def __init__(
        self,
        on_found: Callable[[ShureAnnouncement], None],
        *,
        group: str = SLP_GROUP,
        port: int = SLP_PORT,
        bind_host: str = "0.0.0.0",
        expire_after: float = 30.0,
        transport_factory: TransportFactory | None = None,
    ) -> None:
        self._on_found = on_found
        self._group = group
        self._port = port
        self._bind_host = bind_host
        self._expire_after = expire_after
        self._transport_factory = transport_factory or self._open_multicast
        self._transport: asyncio.DatagramTransport | None = None
        self._protocol: _AnnouncementProtocol | None = None
        self._sightings: dict[str, _Sighting] = {}
        self._start_failure_logged = False

    @property
    def running(self) -> bool:
        """Whether the listening socket is open."""
        return self._transport is not None

    @property
    def known(self) -> Mapping[str, ShureAnnouncement]:
        """Latest announcement of every receiver seen recently, keyed by its ``identity``."""
        self._forget_expired(time.monotonic())
        return {key: sighting.announcement for key, sighting in self._sightings.items()}

    async def start(self) -> None:
        """Start listening. If the socket cannot be opened, log it and stay stopped."""
        if self._transport is not None:
            return
        protocol: _AnnouncementProtocol | None = None

        def build_protocol() -> asyncio.DatagramProtocol:
            nonlocal protocol
            protocol = _AnnouncementProtocol(self)
            return protocol

        try:
            transport = await self._transport_factory(build_protocol)
        except OSError as err:
            # Typical on hosts without multicast (containers, no route): not an error of ours.
            log = _LOGGER.debug if self._start_failure_logged else _LOGGER.warning
            log(
                "Shure network discovery is off: cannot listen on %s:%s (%s)",
                self._group,
                self._port,
                err,
            )
            self._start_failure_logged = True
            return
        self._transport, self._protocol = transport, protocol
        _LOGGER.debug("Listening for Shure announcements on %s:%s", self._group, self._port)

    async def stop(self) -> None:
        """Stop listening, close the socket and forget every receiver."""
        transport, protocol = self._transport, self._protocol
        self._transport = self._protocol = None
        self._sightings.clear()
        if transport is None:
            return
        transport.close()
        if protocol is not None:
            await asyncio.wait([protocol.closed], timeout=1.0)

    def _announcement_received(self, data: bytes, source_ip: str) -> None:
        """Handle one datagram: remember the receiver and report it if it is new."""
        announcement = parse_announcement(data, source_ip)
        if announcement is None:
            return
        now = time.monotonic()
        self._forget_expired(now)
        key = announcement.identity
        is_new = key not in self._sightings
        self._sightings[key] = _Sighting(announcement, now)
        if not is_new:
            return
        _LOGGER.debug("Found Shure %s %r at %s", announcement.model, announcement.name, key)
        try:
            self._on_found(announcement)
        except Exception:
            _LOGGER.exception("Error handling discovered Shure receiver %s", key)

    async def _open_multicast(self, protocol_factory: ProtocolFactory) -> asyncio.DatagramTransport:
        # By its module-level name at call time: the documented patch point for tests.
        return await open_multicast_transport(
            protocol_factory, group=self._group, port=self._port, bind_host=self._bind_host
        )

    def _forget_expired(self, now: float) -> None:
        expired = [
            key
            for key, sighting in self._sightings.items()
            if now - sighting.last_seen > self._expire_after
        ]
        for key in expired:
            del self._sightings[key]
