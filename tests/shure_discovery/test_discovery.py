"""Shure SLP discovery: the announcement parser and the listener, on the loopback only."""

from __future__ import annotations

import asyncio
import logging
import socket
from typing import Any

from hypothesis import given, strategies as st
import pytest

from custom_components.micboard.manufacturers import Announcement, DiscoveryKind
from custom_components.micboard.manufacturers.shure import SHURE, discovery
from custom_components.micboard.manufacturers.shure.discovery import (
    SLP_GROUP,
    SLP_PORT,
    ProtocolFactory,
    ShureAnnouncement,
    ShureDiscovery,
    open_multicast_transport,
    parse_announcement,
)
from simulator.shure_tcp.slp import announce, build_announcement

SLXD4DE_CID = "DDB0C8C5-0000-11DD-A000-000EDDCCCCCC"
SLXD4DE_DCID = "320CA2FC-2932-11ED-8BBF-0015C5F3F612"


def slxd4de() -> bytes:
    """The layout of the captured SLXD4DE announcement, rebuilt by the simulator."""
    return build_announcement(
        model="SLXD4DE_RX", name="SLXD4DE G57", ip="192.168.3.21", mac="00:0e:dd:b0:c8:c5"
    )


def slp_reply(attribute_list: bytes, *, error_code: int = 0) -> bytes:
    """An Attribute Reply around any attribute list, built independently of the simulator."""
    body = b"\x00\x02en" + error_code.to_bytes(2) + len(attribute_list).to_bytes(2)
    body += attribute_list + b"\x00"
    return b"\x02\x07" + (12 + len(body)).to_bytes(3) + bytes(5) + b"\x22\x3d" + body


# --- parse_announcement ------------------------------------------------------------------


def test_slxd4de_capture_layout() -> None:
    """Header fields and sizes match the sheet's decoding of the real SLXD4DE capture."""
    data = slxd4de()

    assert len(data) == 336
    assert data[:20].hex() == "02070001500000000000223d0002656e0000013b"
    assert data[-1] == 0
    assert data[20:-1] == (
        b"(cid=DDB0C8C5-0000-11DD-A000-000EDDCCCCCC),(acn-fctn=SLXD4DE_RX),"
        b"(acn-uacn=SLXD4DE G57),(acn-services=esta.dmp),"
        b"(csl-esta.dmp=esta.sdt/192.168.3.21:57383;"
        b"esta.dmp/cd:320CA2FC-2932-11ED-8BBF-0015C5F3F612),"
        b"(device-description=$:tftp://192.168.3.21/$.ddl),"
        b"(csl-esta.dmp.values=version:1_interfaceId:65552_extVersion:1)"
    )
    assert parse_announcement(data, "192.168.3.21") == ShureAnnouncement(
        ip="192.168.3.21",
        model="SLXD4DE",
        name="SLXD4DE G57",
        mac="00:0e:dd:b0:c8:c5",
        dcid=SLXD4DE_DCID,
        cid=SLXD4DE_CID,
    )


def test_qlxd4_cid_gives_mac() -> None:
    data = slp_reply(
        b"(cid=DD47E0D7-0000-11DD-A000-000EDDCCCCCC),(acn-fctn=QLXD4),(acn-uacn=QLXD4),"
        b"(csl-esta.dmp=esta.sdt/10.0.0.7:57383;esta.dmp/cd:cceac054-e139-11df-84ba-0015c5f3f612)"
    )

    announcement = parse_announcement(data, "10.0.0.7")

    assert announcement is not None
    assert announcement.mac == "00:0e:dd:47:e0:d7"
    assert announcement.identity == "00:0e:dd:47:e0:d7"
    assert announcement.model == "QLXD4"
    assert announcement.dcid == "CCEAC054-E139-11DF-84BA-0015C5F3F612"


def test_round_trip_through_simulator() -> None:
    data = build_announcement(model="AD4Q", name="Band", ip="10.1.2.3", mac="00:0E:DD:01:02:03")

    announcement = parse_announcement(data, "10.9.9.9")

    assert announcement == ShureAnnouncement(
        ip="10.1.2.3",
        model="AD4Q",
        name="Band",
        mac="00:0e:dd:01:02:03",
        dcid="042D5A00-FD5A-11E3-A553-0015C5F3F612",
        cid="DD010203-0000-11DD-A000-000EDDCCCCCC",
    )


@pytest.mark.parametrize(
    ("fctn", "model"),
    [
        ("ULXD4", "ULXD4"),
        ("ULXD4D", "ULXD4D"),
        ("ULXD4Q", "ULXD4Q"),
        ("QLXD4", "QLXD4"),
        ("SLXD4_RX", "SLXD4"),
        ("SLXD4D_RX", "SLXD4D"),
        ("SLXD4DE_RX", "SLXD4DE"),
        ("SLXD4Q+_RX", "SLXD4Q+"),
        ("slxd4d-rx", "SLXD4D"),
        ("AD4D", "AD4D"),
        ("AD4Q", "AD4Q"),
        ("ULX-D4Q", "ULX-D4Q"),
    ],
)
def test_supported_receivers(fctn: str, model: str) -> None:
    data = build_announcement(model=fctn, name="Rx", ip="10.0.0.2", mac="00:0e:dd:00:00:01")

    announcement = parse_announcement(data, "10.0.0.2")

    assert announcement is not None
    assert announcement.model == model


@pytest.mark.parametrize(
    "fctn", ["WWB6", "SOFTWARE_UPDATE_UTILITY", "P10T", "UR4D", "MXWAPT8", "SLXD2_TX", ""]
)
def test_software_and_other_devices_are_ignored(fctn: str) -> None:
    data = build_announcement(model=fctn, name="x", ip="10.0.0.2", mac="00:0e:dd:00:00:01")

    assert parse_announcement(data, "10.0.0.2") is None


def test_announcement_without_function_is_ignored() -> None:
    assert (
        parse_announcement(slp_reply(b"(cid=DD000001-0000-11DD-A000-000EDDCCCCCC)"), "1.2.3.4")
        is None
    )


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"\x02\x07",
        b"\xff\xfe\x00\x01",
        b"(acn-fctn=QLXD4)",  # the attributes alone, without an SLP header
        slp_reply(b"(acn-fctn=QLXD4)").replace(b"\x02\x07", b"\x01\x07", 1),  # SLPv1
        slp_reply(b"(acn-fctn=QLXD4)").replace(b"\x02\x07", b"\x02\x06", 1),  # not a reply
        slp_reply(b"(acn-fctn=QLXD4)", error_code=2),
        slp_reply(b"(acn-fctn=QLXD4)")[:-8],  # attribute list cut short
        slp_reply(b"(acn-fctn=QLXD4)")[:17],  # header cut inside the language tag
    ],
)
def test_malformed_datagrams_give_none(data: bytes) -> None:
    assert parse_announcement(data, "10.0.0.1") is None


def test_address_falls_back_to_datagram_source() -> None:
    data = slp_reply(b"(acn-fctn=ULXD4Q),(acn-uacn=Stage Left)")

    announcement = parse_announcement(data, "10.0.0.9")

    assert announcement == ShureAnnouncement(ip="10.0.0.9", model="ULXD4Q", name="Stage Left")
    assert announcement.identity == "10.0.0.9"


@pytest.mark.parametrize(
    "session", [b"esta.sdt/0.0.0.0:57383", b"esta.sdt/not-an-ip:57383", b"esta.sdt/", b"junk"]
)
def test_unusable_session_address_falls_back_to_source(session: bytes) -> None:
    data = slp_reply(b"(acn-fctn=QLXD4),(csl-esta.dmp=" + session + b")")

    announcement = parse_announcement(data, "10.0.0.9")

    assert announcement is not None
    assert announcement.ip == "10.0.0.9"
    assert announcement.dcid is None


def test_multi_valued_session_address_uses_first_usable() -> None:
    data = slp_reply(
        b"(acn-fctn=QLXD4),(csl-esta.dmp=esta.sdt/10.0.0.5:57383;esta.dmp/cd:AAA,"
        b"esta.sdt/10.0.0.6:57383;esta.dmp/cd:BBB)"
    )

    announcement = parse_announcement(data, "10.0.0.9")

    assert announcement is not None
    assert (announcement.ip, announcement.dcid) == ("10.0.0.5", "AAA")


@pytest.mark.parametrize(
    "cid",
    [
        "AABB1122-0000-11DD-A000-000000000000",  # no Shure OUI in the tail
        "AA47E0D7-0000-11DD-A000-000EDDCCCCCC",  # first byte disagrees with the OUI
        "not-a-uuid",
    ],
)
def test_cid_without_shure_mac_keeps_cid_as_identity(cid: str) -> None:
    data = slp_reply(b"(cid=" + cid.encode() + b"),(acn-fctn=AD4D)")

    announcement = parse_announcement(data, "10.0.0.9")

    assert announcement is not None
    assert announcement.mac is None
    assert announcement.identity == cid.upper()


def test_missing_name_falls_back_to_model() -> None:
    announcement = parse_announcement(slp_reply(b"(acn-fctn=QLXD4),(acn-uacn=  )"), "10.0.0.9")

    assert announcement is not None
    assert announcement.name == "QLXD4"


def test_unescaped_parentheses_and_commas_in_name() -> None:
    data = slp_reply(b"(acn-fctn=QLXD4),(acn-uacn=Stage (L), vocals),(cid=x)")

    announcement = parse_announcement(data, "10.0.0.9")

    assert announcement is not None
    assert announcement.name == "Stage (L), vocals"
    assert announcement.cid == "X"


@given(st.binary(max_size=600))
def test_arbitrary_bytes_never_raise(data: bytes) -> None:
    parse_announcement(data, "10.0.0.1")


@given(st.binary(max_size=400))
def test_arbitrary_attribute_lists_never_raise(attribute_list: bytes) -> None:
    parse_announcement(slp_reply(b"(acn-fctn=QLXD4)," + attribute_list), "10.0.0.1")


@given(st.text(min_size=1, max_size=40).map(str.strip).filter(bool))
def test_any_name_round_trips(name: str) -> None:
    data = build_announcement(model="QLXD4", name=name, ip="10.0.0.3", mac="00:0e:dd:aa:bb:cc")

    announcement = parse_announcement(data, "10.0.0.3")

    assert announcement is not None
    assert announcement.name == name


# --- simulator ---------------------------------------------------------------------------


def test_simulator_dcid_defaults() -> None:
    known = parse_announcement(
        build_announcement(model="ULXD4D", name="a", ip="10.0.0.1", mac="00:0e:dd:00:00:01"),
        "10.0.0.1",
    )
    made_up = parse_announcement(
        build_announcement(model="ULXD4Q", name="a", ip="10.0.0.1", mac="00:0e:dd:00:00:01"),
        "10.0.0.1",
    )
    given_dcid = parse_announcement(
        build_announcement(
            model="ULXD4Q", name="a", ip="10.0.0.1", mac="00:0e:dd:00:00:01", dcid="abc"
        ),
        "10.0.0.1",
    )

    assert known is not None
    assert known.dcid == "CCCF5206-E139-11DF-8870-0015C5F3F612"
    assert made_up is not None
    assert made_up.dcid is not None
    assert given_dcid is not None
    assert given_dcid.dcid == "ABC"


def test_simulator_rejects_bad_arguments() -> None:
    with pytest.raises(ValueError, match="MAC address"):
        build_announcement(model="QLXD4", name="a", ip="10.0.0.1", mac="000edd000001")
    with pytest.raises(ValueError, match="does not appear to be an IPv4 or IPv6 address"):
        build_announcement(model="QLXD4", name="a", ip="host", mac="00:0e:dd:00:00:01")


async def test_simulator_only_announces_to_loopback() -> None:
    with pytest.raises(ValueError, match="loopback"):
        await announce(slxd4de(), host="239.255.254.253")


# --- ShureDiscovery ----------------------------------------------------------------------


class LoopbackFactory:
    """Binds to 127.0.0.1 on an ephemeral port, without joining any multicast group."""

    def __init__(self) -> None:
        self.transport: asyncio.DatagramTransport | None = None

    async def __call__(self, protocol_factory: ProtocolFactory) -> asyncio.DatagramTransport:
        loop = asyncio.get_running_loop()
        self.transport, _ = await loop.create_datagram_endpoint(
            protocol_factory, local_addr=("127.0.0.1", 0)
        )
        return self.transport

    @property
    def port(self) -> int:
        assert self.transport is not None
        port: int = self.transport.get_extra_info("sockname")[1]
        return port


class FakeTransport(asyncio.DatagramTransport):
    """Stands in for a socket; closing it reports the connection lost, as asyncio does."""

    def __init__(self, protocol: asyncio.DatagramProtocol) -> None:
        super().__init__()
        self.protocol = protocol
        self.closing = False

    def close(self) -> None:
        self.closing = True
        self.protocol.connection_lost(None)

    def is_closing(self) -> bool:
        return self.closing


class FakeFactory:
    """Hands datagrams straight to the protocol object, no socket at all."""

    def __init__(self) -> None:
        self.transports: list[FakeTransport] = []

    async def __call__(self, protocol_factory: ProtocolFactory) -> asyncio.DatagramTransport:
        self.transports.append(FakeTransport(protocol_factory()))
        return self.transports[-1]

    def feed(self, data: bytes, source: str = "10.0.0.1") -> None:
        self.transports[-1].protocol.datagram_received(data, (source, 8427))


class Found(list[ShureAnnouncement]):
    """An ``on_found`` callback that records announcements and can wait for more."""

    def __init__(self) -> None:
        super().__init__()
        self._changed = asyncio.Event()

    def __call__(self, announcement: ShureAnnouncement) -> None:
        self.append(announcement)
        self._changed.set()

    async def wait_for(self, count: int) -> None:
        async with asyncio.timeout(2):
            while len(self) < count:
                self._changed.clear()
                await self._changed.wait()


@pytest.mark.usefixtures("socket_enabled")
async def test_loopback_announcements() -> None:
    """Found once; a re-announcement is quiet; after expiry it is found again."""
    found = Found()
    factory = LoopbackFactory()
    listener = ShureDiscovery(found, expire_after=0.3, transport_factory=factory)
    await listener.start()
    try:
        datagram = slxd4de()

        await announce(datagram, port=factory.port)
        await found.wait_for(1)
        assert found[0].mac == "00:0e:dd:b0:c8:c5"
        assert found[0].ip == "192.168.3.21"
        assert set(listener.known) == {"00:0e:dd:b0:c8:c5"}

        # A re-announcement, then a second device proves the first datagram was handled.
        await announce(datagram, port=factory.port)
        other = build_announcement(
            model="QLXD4", name="Lectern", ip="192.168.3.22", mac="00:0e:dd:47:e0:d7"
        )
        await announce(other, port=factory.port)
        await found.wait_for(2)
        assert [a.name for a in found] == ["SLXD4DE G57", "Lectern"]

        await asyncio.sleep(0.4)
        assert listener.known == {}
        await announce(datagram, port=factory.port)
        await found.wait_for(3)
        assert found[2] == found[0]
    finally:
        await listener.stop()


@pytest.mark.usefixtures("socket_enabled")
async def test_stop_closes_socket_and_leaves_no_tasks() -> None:
    factory = LoopbackFactory()
    listener = ShureDiscovery(lambda _: None, transport_factory=factory)
    tasks_before = asyncio.all_tasks()

    await listener.start()
    await listener.start()  # already running: no second socket
    assert factory.transport is not None
    assert not factory.transport.is_closing()
    sock = factory.transport.get_extra_info("socket")
    await listener.stop()

    assert not listener.running
    assert factory.transport.is_closing()
    assert sock.fileno() == -1
    assert asyncio.all_tasks() == tasks_before
    await listener.stop()  # stopping twice is harmless


async def test_datagrams_fed_to_the_protocol() -> None:
    found: list[ShureAnnouncement] = []
    factory = FakeFactory()
    listener = ShureDiscovery(found.append, transport_factory=factory)
    await listener.start()

    factory.feed(b"garbage")
    factory.feed(build_announcement(model="WWB6", name="x", ip="10.0.0.1", mac="00:0e:dd:00:00:01"))
    factory.feed(slp_reply(b"(acn-fctn=ULXD4Q),(acn-uacn=Rack 1)"), source="10.0.0.8")
    factory.feed(slp_reply(b"(acn-fctn=ULXD4Q),(acn-uacn=Rack 1 renamed)"), source="10.0.0.8")

    assert [a.name for a in found] == ["Rack 1"]
    assert listener.known["10.0.0.8"].name == "Rack 1 renamed"

    await listener.stop()
    assert factory.transports[-1].is_closing()
    assert listener.known == {}

    # After a restart every receiver is new again.
    await listener.start()
    factory.feed(slp_reply(b"(acn-fctn=ULXD4Q),(acn-uacn=Rack 1)"), source="10.0.0.8")
    assert len(found) == 2
    await listener.stop()


async def test_error_in_callback_is_logged_not_raised(caplog: pytest.LogCaptureFixture) -> None:
    def explode(_: ShureAnnouncement) -> None:
        raise RuntimeError("boom")

    factory = FakeFactory()
    listener = ShureDiscovery(explode, transport_factory=factory)
    await listener.start()

    factory.feed(slxd4de())

    assert "Error handling discovered Shure receiver 00:0e:dd:b0:c8:c5" in caplog.text
    assert set(listener.known) == {"00:0e:dd:b0:c8:c5"}
    await listener.stop()


async def test_socket_errors_are_only_logged(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger=discovery.__name__)
    factory = FakeFactory()
    listener = ShureDiscovery(lambda _: None, transport_factory=factory)
    await listener.start()

    factory.transports[-1].protocol.error_received(OSError("unreachable"))

    assert "socket error: unreachable" in caplog.text
    await listener.stop()


async def test_start_failure_is_logged_once_and_stays_stopped(
    caplog: pytest.LogCaptureFixture,
) -> None:
    async def no_multicast(_: ProtocolFactory) -> asyncio.DatagramTransport:
        raise OSError(19, "No such device")

    listener = ShureDiscovery(lambda _: None, transport_factory=no_multicast)

    await listener.start()
    await listener.start()

    assert not listener.running
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert "239.255.254.253:8427" in warnings[0].getMessage()
    await listener.stop()


# --- default multicast socket (the group join itself is never exercised for real) ---------


class RecordingSocket:
    """Records multicast joins; refuses the interfaces listed in ``refuse``."""

    def __init__(self, refuse: set[int] | None = None, *, refuse_all: bool = False) -> None:
        self.requests: list[bytes] = []
        self.refuse = refuse or set()
        self.refuse_all = refuse_all

    def setsockopt(self, level: int, option: int, value: bytes) -> None:
        assert (level, option) == (socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP)
        index = int.from_bytes(value[8:], "little") if len(value) == 12 else None
        if self.refuse_all or index in self.refuse:
            raise OSError(19, "No such device")
        self.requests.append(value)


GROUP = socket.inet_aton("239.255.254.253")
ANY = socket.inet_aton("0.0.0.0")


def test_group_joined_on_every_interface(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(socket, "if_nameindex", lambda: [(1, "lo"), (2, "eth0"), (3, "show")])
    sock = RecordingSocket(refuse={1})

    discovery._join_group(sock, "239.255.254.253")  # type: ignore[arg-type]

    assert sock.requests == [
        GROUP + ANY + (2).to_bytes(4, "little"),
        GROUP + ANY + (3).to_bytes(4, "little"),
    ]


def test_group_join_falls_back_to_default_interface(monkeypatch: pytest.MonkeyPatch) -> None:
    def unavailable() -> list[tuple[int, str]]:
        raise OSError("not supported")

    monkeypatch.setattr(socket, "if_nameindex", unavailable)
    sock = RecordingSocket()

    discovery._join_group(sock, "239.255.254.253")  # type: ignore[arg-type]

    assert sock.requests == [GROUP + ANY]


def test_group_join_failure_raises(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(socket, "if_nameindex", lambda: [(2, "eth0")])

    with pytest.raises(OSError, match="No such device"):
        discovery._join_group(RecordingSocket(refuse_all=True), "239.255.254.253")  # type: ignore[arg-type]


@pytest.fixture
def joins(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Replace the multicast join by a record of the groups it would join."""
    groups: list[str] = []
    monkeypatch.setattr(discovery, "_join_group", lambda _sock, group: groups.append(group))
    return groups


@pytest.mark.usefixtures("socket_enabled")
async def test_default_factory_binds_and_joins(joins: list[str]) -> None:
    found = Found()
    listener = ShureDiscovery(found, bind_host="127.0.0.1", port=0)

    await listener.start()
    try:
        assert joins == ["239.255.254.253"]
        assert listener.running
        assert listener._transport is not None
        port = listener._transport.get_extra_info("sockname")[1]
        await announce(slxd4de(), port=port)
        await found.wait_for(1)
    finally:
        await listener.stop()


@pytest.mark.usefixtures("socket_enabled")
async def test_default_factory_closes_socket_when_bind_fails(joins: list[str]) -> None:
    listener = ShureDiscovery(lambda _: None, bind_host="192.0.2.1", port=0)

    await listener.start()

    assert not listener.running
    assert joins == []


@pytest.mark.usefixtures("socket_enabled")
async def test_open_multicast_transport_closes_socket_on_failure(
    joins: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: list[socket.socket] = []
    real_socket = discovery._multicast_socket

    def remember(*args: Any) -> socket.socket:
        opened.append(real_socket(*args))
        return opened[-1]

    monkeypatch.setattr(discovery, "_multicast_socket", remember)

    def broken_protocol() -> asyncio.DatagramProtocol:
        raise RuntimeError("protocol factory failed")

    with pytest.raises(RuntimeError, match="protocol factory failed"):
        await open_multicast_transport(broken_protocol, bind_host="127.0.0.1", port=0)
    assert opened[0].fileno() == -1


# --- the manufacturer spec's listener -----------------------------------------------------


async def test_spec_listener_opens_the_multicast_transport(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """``SHURE.create_listener`` listens through ``discovery.open_multicast_transport``.

    That function is the one patch point for consumers' tests (no module-level factory).
    """
    factory = FakeFactory()
    opened_with: list[dict[str, Any]] = []

    async def fake_open(
        protocol_factory: ProtocolFactory, **where: Any
    ) -> asyncio.DatagramTransport:
        opened_with.append(where)
        return await factory(protocol_factory)

    monkeypatch.setattr(discovery, "open_multicast_transport", fake_open)
    found: list[Announcement] = []
    assert SHURE.discovery is DiscoveryKind.LISTENER
    assert SHURE.create_listener is not None
    listener = SHURE.create_listener(found.append)
    await listener.start()
    try:
        assert opened_with == [{"group": SLP_GROUP, "port": SLP_PORT, "bind_host": "0.0.0.0"}]
        factory.feed(
            build_announcement(
                model="QLXD4", name="Lectern", ip="192.168.3.22", mac="00:0e:dd:47:e0:d7"
            )
        )
        # Announced from the ACN session port; controlled on the command-string port.
        assert found == [
            Announcement(
                host="192.168.3.22",
                port=2202,
                name="Lectern",
                model="QLXD4",
                mac="00:0e:dd:47:e0:d7",
            )
        ]
    finally:
        await listener.stop()
    assert factory.transports[-1].is_closing()
