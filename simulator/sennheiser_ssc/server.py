"""One simulated Sennheiser SSC v1 receiver: JSON in UDP datagrams on 127.0.0.1.

Requests are JSON trees (``null`` leaves read, values write); the reply mirrors the tree,
good leaves as values and failed ones in a single ``osc/error`` tree in the same datagram.
Subscriptions (``osc/state/subscribe``) push changes, and meters, until their lifetime ends.
Where the sheet leaves a question open, ``SscOptions`` says which reading is played.
"""

from __future__ import annotations

import asyncio
from collections import deque
import contextlib
from dataclasses import dataclass, field
import json
import logging
import random
from typing import Literal

from ..frontend import DEFAULT_GARBAGE, LOOPBACK, FrontEnd
from ..rig import Device, TransitionLog
from .tree import (
    BAD_REQUEST,
    CHANNEL_NAME_MAX,
    DEVICE_NAME_MAX,
    LOCKED,
    NOT_ACCEPTABLE,
    NOT_FOUND,
    TERMINATES,
    Json,
    Path,
    SscError,
    Tree,
    ascii_name,
    error,
    put,
)

_LOGGER = logging.getLogger(__name__)

type Address = tuple[str, int]

# The real device listens here; tests and rigs normally use an ephemeral port instead.
SSC_PORT = 45
# DNS-SD service type every SSC device publishes (D6K p15); the simulator does not multicast.
MDNS_TYPE = "_ssc._udp.local."
# Without a lifetime a subscription lives 10 s (SL-DOC p24/p91); count defaults to 1000.
DEFAULT_LIFETIME = 10.0
DEFAULT_COUNT = 1000
# What the garbage switch sends ahead of each real datagram.
_JUNK_DATAGRAM = b"\x00\xff{junk"
_RECEIVED_LOG = 1000


@dataclass(frozen=True, slots=True)
class SscOptions:
    """Readings of the sheet's open questions (part 2 §12) and other knobs.

    Defaults are the readings the simulator plays; each can be switched per device.
    """

    # Q2: a direct read of m/rxN/* gets 404 ("error") or is left out of the reply ("omit").
    meter_read: Literal["error", "omit"] = "error"
    # Q2: seconds between meter notifications while a subscription holds m/ leaves.
    meter_interval: float = 0.2
    # Q3: when a transmitter goes off, subscribers get the 424 error tree for their mates
    # leaves ("errors") or nothing ("nothing"); values come back when it returns.
    tx_off_push: Literal["errors", "nothing"] = "errors"
    # Q4: an identical subscription from the same client renews the first ("renew") or runs
    # beside it ("add": notifications come twice).
    resubscribe: Literal["renew", "add"] = "renew"
    # Q5: expiry is announced with 310 "subscription terminates" (True) or silent (False).
    expiry_notice: bool = True
    # Q5: the subscription reply carries only the initial notification ("none", as the EW-DX
    # guide shows), also echoes the entry with "#" filled ("bundled"), or the echo goes in a
    # datagram of its own ahead of the notification ("separate", as D6000 shows it).
    ack: Literal["none", "bundled", "separate"] = "none"
    # Replies end with "\n" (WMSS strips one) or not.
    newline: bool = False
    # Seconds a reordered datagram is held back, so that later ones overtake it.
    reorder_delay: float = 0.05


@dataclass(eq=False, slots=True)
class _Subscription:
    """One entry of one client's ``osc/state/subscribe``."""

    address: Address
    key: str
    paths: list[Path]
    params: dict[str, Json]
    expires: float
    remaining: int
    meter_paths: list[Path] = field(default_factory=list)


class _Endpoint(asyncio.DatagramProtocol):
    def __init__(self, owner: SscReceiver) -> None:
        self._owner = owner
        self.closed: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.closed.done():
            self.closed.set_result(None)

    def datagram_received(self, data: bytes, addr: tuple[str | object, int]) -> None:
        host, port = addr
        self._owner.datagram_received(data, (str(host), port))

    def error_received(self, exc: Exception) -> None:
        # ICMP unreachable from a client that went away: nothing to do for a UDP server.
        _LOGGER.debug("SSC datagram error: %s", exc)


class SscReceiver(FrontEnd):
    """An EW-DX receiver on UDP; every change reaches its subscribers."""

    def __init__(
        self,
        device: Device,
        *,
        rng: random.Random,
        noise: bool,
        meter_jitter: float,
        log: TransitionLog | None = None,
        options: SscOptions | None = None,
    ) -> None:
        super().__init__(device, rng=rng, noise=noise, meter_jitter=meter_jitter, log=log)
        self.options = options or SscOptions()
        self.tree = Tree(device, rng=rng, noise=noise)
        self._transport: asyncio.DatagramTransport | None = None
        self._endpoint: _Endpoint | None = None
        self._subscriptions: list[_Subscription] = []
        # Clients that sent anything (garbage goes to them too).
        self._peers: set[Address] = set()
        self._ticker: asyncio.Task[None] | None = None
        # Every request received (parsed JSON, or the raw text if it did not parse).
        self.received: deque[Json] = deque(maxlen=_RECEIVED_LOG)

    # --- sockets ---------------------------------------------------------------------------

    @property
    def connection_count(self) -> int:
        """Clients with a live subscription."""
        return len({sub.address for sub in self._subscriptions})

    @property
    def subscriptions(self) -> int:
        """Live subscriptions, all clients together."""
        return len(self._subscriptions)

    async def listen(self, port: int) -> None:
        """Bind UDP 127.0.0.1:port (0 picks a free one)."""
        loop = asyncio.get_running_loop()
        transport, endpoint = await loop.create_datagram_endpoint(
            lambda: _Endpoint(self), local_addr=(LOOPBACK, port)
        )
        self._transport, self._endpoint = transport, endpoint
        self.port = transport.get_extra_info("sockname")[1]
        if self._ticker is None:
            self._ticker = asyncio.create_task(self._tick())

    async def _stop_listening(self) -> None:
        # A closed UDP port on loopback answers datagrams with ICMP port unreachable, which
        # a connected client socket sees as ConnectionRefusedError: the "refuse" fault.
        transport, endpoint = self._transport, self._endpoint
        if transport is not None and endpoint is not None:
            # Nothing may be sent on a closing transport.
            self._transport = self._endpoint = None
            transport.close()
            # The socket closes on the next loop turn; until then datagrams would still land.
            await endpoint.closed

    async def close(self) -> None:
        """Stop the meter clock, close the port, forget subscriptions."""
        if self._ticker is not None:
            self._ticker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._ticker
            self._ticker = None
        await super().close()

    async def drop_connections(self) -> None:
        """UDP has no connections: forget every subscription at once (as a reboot would)."""
        self._subscriptions.clear()

    async def send_garbage(self, data: bytes = DEFAULT_GARBAGE) -> None:
        """Send one junk datagram to every client seen."""
        for address in self._peers:
            self._raw_send(data, address)

    def check_name(self, name: str, channel: int | None) -> None:
        """SSC names are ASCII 32-126, at most 8 (channel) or 18 (device) characters."""
        try:
            ascii_name(name, DEVICE_NAME_MAX if channel is None else CHANNEL_NAME_MAX)
        except SscError as err:
            raise ValueError(f"SSC cannot carry the name {name!r}") from err

    def mdns_service(self) -> dict[str, object]:
        """What the device would announce over DNS-SD, for tests that build zeroconf info.

        The instance name is the device name, as SSC requires. TXT values were never seen
        (sheet part 2 §10, open): this reading sends ``model`` as the product in upper case
        (what WMSS searches for "4" and "DANTE") and ``id`` as the MAC's hex digits.
        """
        device = self.device
        return {
            "type": MDNS_TYPE,
            "name": f"{device.name}.{MDNS_TYPE}",
            "hostname": f"{device.model.lower()}-{device.serial}.local.",
            "port": self.port,
            "addresses": [LOOPBACK],
            "properties": {
                "id": device.mac.replace(":", "").lower(),
                "model": device.model_string.upper(),
            },
        }

    def _describe_extra(self) -> dict[str, object]:
        return {"subscriptions": len(self._subscriptions), "serial": self.device.serial}

    # --- incoming ----------------------------------------------------------------------------

    def datagram_received(self, data: bytes, address: Address) -> None:
        """Answer one request datagram."""
        self._peers.add(address)
        if self.device.faults.silent:
            self.received.append(data.decode("ascii", errors="replace"))
            return
        request = _parse(data)
        if request is None:
            self.received.append(data.decode("ascii", errors="replace"))
            # Malformed messages "MUST NOT be partially parsed or executed": one 400, no path.
            self._send({"osc": {"error": [error(BAD_REQUEST).leaf()]}}, address)
            return
        self.received.append(request)
        for reply in self._answer(request, address):
            self._send(reply, address)

    def _answer(self, request: dict[str, Json], address: Address) -> list[dict[str, Json]]:
        reply: dict[str, Json] = {}
        errors: dict[str, Json] = {}
        acks: list[Json] = []
        xid: Json = None
        has_xid = False
        for key, value in request.items():
            if key == "osc" and isinstance(value, dict):
                # osc/xid and the subscription verbs are not leaves of the tree.
                rest: dict[str, Json] = {}
                for osc_key, osc_value in value.items():
                    if osc_key == "xid":
                        xid, has_xid = osc_value, True
                    elif osc_key == "state" and isinstance(osc_value, dict):
                        state = self._state_verbs(osc_value, address, reply, errors, acks)
                        if state:
                            rest["state"] = state
                    else:
                        rest[osc_key] = osc_value
                if rest:
                    self._visit(("osc",), rest, reply, errors)
            else:
                self._visit((key,), value, reply, errors)
        osc = reply.setdefault("osc", {})
        assert isinstance(osc, dict)
        if has_xid:
            osc["xid"] = xid
        if errors:
            osc["error"] = [errors]
        datagrams: list[dict[str, Json]] = []
        if acks:
            ack: dict[str, Json] = {"state": {"subscribe": acks}}
            if has_xid:
                ack["xid"] = xid
            if self.options.ack == "separate":
                datagrams.append({"osc": ack})
            elif self.options.ack == "bundled":
                put(reply, ("osc", "state", "subscribe"), acks)
        if not osc:
            del reply["osc"]
        datagrams.append(reply)
        return datagrams

    def _visit(
        self, path: Path, value: Json, reply: dict[str, Json], errors: dict[str, Json]
    ) -> None:
        leaf = self.tree.leaves.get(path)
        if leaf is not None:
            if value is None:
                self._read(path, reply, errors)
                return
            if leaf.write is None:
                put(errors, path, error(NOT_ACCEPTABLE).leaf())
                return
            if self.device.faults.locked:
                put(errors, path, error(LOCKED).leaf())
                return
            write = leaf.write
            try:
                self._change(lambda: write(value))
            except SscError as err:
                put(errors, path, err.leaf())
                return
            # The reply carries the value as the device adapted it.
            self._read(path, reply, errors)
            return
        if path in self.tree.containers:
            if value is None:
                # Container read (open question 8): this reading answers every leaf below.
                for below in self.tree.under(path):
                    self._read(below, reply, errors)
            elif isinstance(value, dict):
                for key, child in value.items():
                    self._visit((*path, key), child, reply, errors)
            else:
                put(errors, path, error(NOT_ACCEPTABLE).leaf())
            return
        put(errors, path, error(NOT_FOUND).leaf())

    def _read(
        self,
        path: Path,
        reply: dict[str, Json],
        errors: dict[str, Json],
        *,
        subscribed: bool = False,
    ) -> None:
        leaf = self.tree.leaves[path]
        if leaf.meter and not subscribed:
            # "Meters are subscribe-only" (sheet §4, CHEAT).
            if self.options.meter_read == "error":
                put(errors, path, error(NOT_FOUND).leaf())
            return
        try:
            put(reply, path, leaf.read())
        except SscError as err:
            put(errors, path, err.leaf())

    # --- subscriptions -------------------------------------------------------------------------

    def _state_verbs(
        self,
        state: dict[str, Json],
        address: Address,
        reply: dict[str, Json],
        errors: dict[str, Json],
        acks: list[Json],
    ) -> dict[str, Json]:
        """Handle subscribe/~subscribe; return the osc/state keys left for the tree."""
        rest: dict[str, Json] = {}
        for key, value in state.items():
            if key == "subscribe" and isinstance(value, list):
                for entry in value:
                    ack = self._subscribe(entry, address, reply, errors)
                    if ack is not None:
                        acks.append(ack)
            elif key == "subscribe" and value is None:
                put(reply, ("osc", "state", "subscribe"), self._listing(address))
            elif key == "~subscribe" and isinstance(value, list):
                # Not documented for EW-DX (WMSS lists it in a schema): this reading drops
                # the client's subscriptions whose trees match.
                for entry in value:
                    self._unsubscribe(entry, address)
                put(reply, ("osc", "state", "~subscribe"), value)
            else:
                rest[key] = value
        return rest

    def _subscribe(
        self,
        entry: Json,
        address: Address,
        reply: dict[str, Json],
        errors: dict[str, Json],
    ) -> Json:
        if not isinstance(entry, dict):
            put(errors, ("osc", "state", "subscribe"), error(NOT_ACCEPTABLE).leaf())
            return None
        params = entry.get("#", {})
        tree = {key: value for key, value in entry.items() if key != "#"}
        if not isinstance(params, dict):
            put(errors, ("osc", "state", "subscribe"), error(NOT_ACCEPTABLE).leaf())
            return None
        lifetime = params.get("lifetime", DEFAULT_LIFETIME)
        count = params.get("count", DEFAULT_COUNT)
        if isinstance(lifetime, bool) or not isinstance(lifetime, int | float) or lifetime <= 0:
            put(errors, ("osc", "state", "subscribe"), error(NOT_ACCEPTABLE).leaf())
            return None
        if isinstance(count, bool) or not isinstance(count, int) or count <= 0:
            put(errors, ("osc", "state", "subscribe"), error(NOT_ACCEPTABLE).leaf())
            return None
        paths: list[Path] = []
        self._collect((), tree, paths, errors)
        if not paths:
            return None
        # min/max/bw are accepted and echoed; this simulator does not throttle (sheet [INF L]).
        filled: dict[str, Json] = {
            "min": params.get("min", 0),
            "max": params.get("max", 0),
            "count": count,
            "lifetime": lifetime,
        }
        key = json.dumps(tree, sort_keys=True)
        now = asyncio.get_running_loop().time()
        existing = next(
            (s for s in self._subscriptions if s.address == address and s.key == key), None
        )
        if existing is not None and self.options.resubscribe == "renew":
            existing.params = filled
            existing.expires = now + float(lifetime)
            existing.remaining = count
        else:
            leaves = self.tree.leaves
            self._subscriptions.append(
                _Subscription(
                    address=address,
                    key=key,
                    paths=[path for path in paths if not leaves[path].meter],
                    params=filled,
                    expires=now + float(lifetime),
                    remaining=count,
                    meter_paths=[path for path in paths if leaves[path].meter],
                )
            )
        # The initial notification rides in the reply (the server "MUST send" one).
        for path in paths:
            self._read(path, reply, errors, subscribed=True)
        return {"#": filled, **tree}

    def _collect(
        self, prefix: Path, node: Json, paths: list[Path], errors: dict[str, Json]
    ) -> None:
        if prefix and prefix in self.tree.leaves:
            paths.append(prefix)
        elif prefix and prefix in self.tree.containers and not isinstance(node, dict):
            paths.extend(self.tree.under(prefix))
        elif isinstance(node, dict) and (not prefix or prefix in self.tree.containers):
            for key, child in node.items():
                self._collect((*prefix, key), child, paths, errors)
        else:
            put(errors, prefix, error(NOT_FOUND).leaf())

    def _unsubscribe(self, entry: Json, address: Address) -> None:
        if not isinstance(entry, dict):
            return
        key = json.dumps({k: v for k, v in entry.items() if k != "#"}, sort_keys=True)
        self._subscriptions = [
            s for s in self._subscriptions if not (s.address == address and s.key == key)
        ]

    def _listing(self, address: Address) -> Json:
        listing: list[Json] = []
        for sub in self._subscriptions:
            if sub.address == address:
                tree = json.loads(sub.key)
                assert isinstance(tree, dict)
                listing.append({"#": sub.params, **tree})
        return listing

    def _notify(self, sub: _Subscription, paths: list[Path]) -> None:
        if self.device.faults.silent:
            # A hung device sends nothing, so nothing counts against the subscription.
            return
        values: dict[str, Json] = {}
        errors: dict[str, Json] = {}
        for path in paths:
            self._read(path, values, errors, subscribed=True)
        if errors and self.options.tx_off_push == "errors":
            values["osc"] = {"error": [errors]}
        if not values:
            return
        self._send(values, sub.address)
        sub.remaining -= 1
        if sub.remaining <= 0:
            self._end(sub)

    def _end(self, sub: _Subscription) -> None:
        if sub in self._subscriptions:
            self._subscriptions.remove(sub)
        if self.options.expiry_notice:
            terminated: dict[str, Json] = {}
            for path in sub.paths + sub.meter_paths:
                put(terminated, path, error(TERMINATES).leaf())
            self._send({"osc": {"error": [terminated]}}, sub.address)

    async def _tick(self) -> None:
        """Expire subscriptions and stream meters, every ``meter_interval``."""
        loop = asyncio.get_running_loop()
        while True:
            interval = self.options.meter_interval
            if self._meter_jitter:
                interval += self._rng.uniform(0, self._meter_jitter)
            await asyncio.sleep(interval)
            now = loop.time()
            for sub in list(self._subscriptions):
                if sub.expires <= now:
                    self._end(sub)
                elif sub.meter_paths and sub in self._subscriptions:
                    self._notify(sub, sub.meter_paths)

    # --- state changes -------------------------------------------------------------------------

    def _snapshot(self) -> object:
        values: dict[Path, Json] = {}
        for path, leaf in self.tree.leaves.items():
            if leaf.meter:
                continue
            try:
                values[path] = leaf.read()
            except SscError as err:
                values[path] = [err.code]
        return values

    def _publish(self, before: object) -> bool:
        assert isinstance(before, dict)
        after = self._snapshot()
        assert isinstance(after, dict)
        changed = {path for path, value in after.items() if before.get(path) != value}
        if not changed:
            return False
        for sub in list(self._subscriptions):
            paths = [path for path in sub.paths if path in changed]
            if paths:
                self._notify(sub, paths)
        return True

    # --- outgoing ------------------------------------------------------------------------------

    def _send(self, message: dict[str, Json], address: Address) -> None:
        if self.device.faults.silent or self._transport is None:
            return
        data = json.dumps(message, ensure_ascii=True, separators=(",", ":")).encode("ascii")
        if self.options.newline:
            data += b"\n"
        faults = self.device.faults
        if faults.garbage:
            self._raw_send(_JUNK_DATAGRAM, address)
        if faults.loss and self._rng.random() < faults.loss:
            return
        copies = 2 if faults.duplicate and self._rng.random() < faults.duplicate else 1
        if faults.reorder and self._rng.random() < faults.reorder:
            loop = asyncio.get_running_loop()
            for _ in range(copies):
                loop.call_later(self.options.reorder_delay, self._raw_send, data, address)
            return
        for _ in range(copies):
            self._raw_send(data, address)

    def _raw_send(self, data: bytes, address: Address) -> None:
        if self._transport is not None and not self.device.faults.silent:
            self._transport.sendto(data, address)


def _parse(data: bytes) -> dict[str, Json] | None:
    """The request as JSON, or None when it is not a well-formed SSC message."""
    try:
        text = data.decode("ascii").strip()
    except UnicodeDecodeError:
        return None
    # SSC strings are ASCII 32-126 plus simple escapes; \\uXXXX is not supported.
    if "\\u" in text:
        return None
    try:
        request = json.loads(text)
    except ValueError:
        return None
    return request if isinstance(request, dict) else None
