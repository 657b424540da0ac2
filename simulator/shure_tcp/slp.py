"""Shure SLP announcements as receivers multicast them, for tests on the loopback interface.

Written from the wire format, not from the parser, so a round trip through both checks them.
"""

from __future__ import annotations

import asyncio
import ipaddress
import re
import uuid

SLP_PORT = 8427

# Device Class IDs seen on real receivers (Shure's DCIDMap.xml, micboard's dcid.json).
_DCID_BY_MODEL = {
    "QLXD4": "CCEAC054-E139-11DF-84BA-0015C5F3F612",
    "ULXD4D": "CCCF5206-E139-11DF-8870-0015C5F3F612",
    "AD4Q": "042D5A00-FD5A-11E3-A553-0015C5F3F612",
    "SLXD4DE": "320CA2FC-2932-11ED-8BBF-0015C5F3F612",
}
_MAC = re.compile(r"[0-9a-f]{2}(:[0-9a-f]{2}){5}")
# RFC 2608 reserved characters, escaped as `\HH` inside attribute values.
_RESERVED = re.compile(r"[(),\\!<=>~\x00-\x1f\x7f]")


def build_announcement(
    *,
    model: str,
    name: str,
    ip: str,
    mac: str,
    port: int = 57383,
    dcid: str | None = None,
    xid: int = 0x223D,
) -> bytes:
    """An SLPv2 Attribute Reply (function 7) as a Shure receiver multicasts it.

    ``model`` goes into ``acn-fctn`` verbatim: pass ``"SLXD4DE_RX"`` to mimic an SLX-D.
    ``dcid`` defaults to the real one of the model where known, else a stable made-up one.
    """
    if not _MAC.fullmatch(mac.lower()):
        raise ValueError(f"MAC address must look like 00:0e:dd:47:e0:d7, not {mac!r}")
    ipaddress.ip_address(ip)
    octets = mac.upper().split(":")
    # First group: the MAC's last 4 bytes; last group: its OUI then Shure's constant filler.
    cid = f"{''.join(octets[2:])}-0000-11DD-A000-{''.join(octets[:3])}CCCCCC"
    if dcid is None:
        base_model = model.removesuffix("_RX")
        dcid = _DCID_BY_MODEL.get(base_model) or str(uuid.uuid5(uuid.NAMESPACE_DNS, base_model))
    attributes = ",".join(
        f"({tag}={value})"
        for tag, value in (
            ("cid", cid),
            ("acn-fctn", _escape(model)),
            ("acn-uacn", _escape(name)),
            ("acn-services", "esta.dmp"),
            ("csl-esta.dmp", f"esta.sdt/{ip}:{port};esta.dmp/cd:{dcid.upper()}"),
            ("device-description", f"$:tftp://{ip}/$.ddl"),
            ("csl-esta.dmp.values", "version:1_interfaceId:65552_extVersion:1"),
        )
    ).encode()
    language = b"en"
    body = (
        len(language).to_bytes(2)
        + language
        + (0).to_bytes(2)  # error code
        + len(attributes).to_bytes(2)
        + attributes
        + (0).to_bytes(1)  # authentication blocks
    )
    header_length = 12
    header = (
        bytes([2, 7])  # SLP version, Attribute Reply
        + (header_length + len(body)).to_bytes(3)
        + (0).to_bytes(2)  # flags
        + (0).to_bytes(3)  # next extension offset
        + xid.to_bytes(2)
    )
    return header + body


def _escape(value: str) -> str:
    return _RESERVED.sub(lambda match: f"\\{ord(match[0]):02X}", value)


async def announce(datagram: bytes, host: str = "127.0.0.1", port: int = SLP_PORT) -> None:
    """Send one announcement by unicast UDP to a loopback address (never to the network)."""
    if not ipaddress.ip_address(host).is_loopback:
        raise ValueError(f"announce only sends to loopback addresses, not {host}")
    transport, _ = await asyncio.get_running_loop().create_datagram_endpoint(
        asyncio.DatagramProtocol, remote_addr=(host, port)
    )
    try:
        transport.sendto(datagram)
    finally:
        transport.close()
