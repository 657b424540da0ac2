"""A tiny EW-DX stand-in on 127.0.0.1, written from the fact sheet's wire examples.

Only for the client's own tests until (and besides) the simulator's SSC front-end: it
answers null-leaf reads, collects failed leaves in one ``osc/error`` tree (404 unknown,
424 ``mates/txN`` without a transmitter), keeps subscriptions with a lifetime and pushes
changed values and meters to them. Switches make it behave like the open questions'
other readings (no xid echo, ack bundled or apart, 310 on expiry, silence).
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import dataclass, field
import json
from typing import Any

type Path = tuple[str, ...]


def flatten(node: Any, path: Path = ()) -> Iterator[Path]:
    """Leaf paths of a request tree."""
    if isinstance(node, dict) and node:
        for key, child in node.items():
            yield from flatten(child, (*path, key))
    else:
        yield path


def tree(leaves: dict[Path, Any]) -> dict[str, Any]:
    """Nest path -> value into a JSON tree."""
    root: dict[str, Any] = {}
    for path, value in leaves.items():
        node = root
        for part in path[:-1]:
            node = node.setdefault(part, {})
        node[path[-1]] = value
    return root


def em2_leaves() -> dict[Path, Any]:
    """An EW-DX EM 2 with a handheld on channel 1 and nothing on channel 2."""
    leaves: dict[Path, Any] = {
        ("device", "identity", "product"): "EWDX EM 2",
        ("device", "identity", "serial"): "1454100930",
        ("device", "identity", "version"): "3.0.3",
        ("device", "identity", "vendor"): "Sennheiser electronic GmbH & Co. KG",
        ("device", "name"): "EWDXEM2",
        ("device", "network", "ether", "macs"): ["00:1B:66:7D:F8:99"],
        ("device", "frequency_code"): "Q1-9",
    }
    for index, (name, khz) in enumerate((("VOX1", 470200), ("VOX2", 471000)), start=1):
        leaves |= {
            (f"rx{index}", "name"): name,
            (f"rx{index}", "frequency"): khz,
            (f"rx{index}", "mute"): False,
            (f"rx{index}", "gain"): 12,
            (f"rx{index}", "warnings"): [],
            ("m", f"rx{index}", "rssi"): -60.4,
            ("m", f"rx{index}", "rsqi"): 96,
            ("m", f"rx{index}", "divi"): 1,
            ("m", f"rx{index}", "af"): -32.5,
        }
        leaves |= transmitter_leaves(index, name=f"SKM{index}")
    # Channel 2's transmitter is off.
    leaves[("rx2", "warnings")] = ["NoLink"]
    leaves[("m", "rx2", "rsqi")] = 0
    return leaves


def transmitter_leaves(index: int, **values: Any) -> dict[Path, Any]:
    """The ``mates/txN`` leaves of a linked SKM; ``battery__gauge=40`` sets a nested leaf."""
    base = {
        ("battery", "gauge"): 65,
        ("battery", "lifetime"): 300,
        ("battery", "type"): "Battery",
        ("type",): "SKM",
        ("name",): "SKM1",
        ("mute",): False,
        ("warnings",): [],
    }
    base |= {tuple(key.split("__")): value for key, value in values.items()}
    return {("mates", f"tx{index}", *leaf): value for leaf, value in base.items()}


@dataclass
class Subscription:
    """One subscription entry of one client."""

    client: tuple[str, int]
    paths: list[Path]
    expires: float


@dataclass(repr=False)
class FakeDevice(asyncio.DatagramProtocol):
    """Answers SSC v1 on 127.0.0.1 at an ephemeral port."""

    leaves: dict[Path, Any] = field(default_factory=em2_leaves)
    # Channels with a linked transmitter (``mates/txN`` answers).
    linked: set[int] = field(default_factory=lambda: {1})
    echo_xid: bool = True
    # Send the subscription acknowledgement as its own datagram before the notification.
    separate_ack: bool = False
    send_310_on_expiry: bool = True
    silent: bool = False
    # Requests to leave unanswered before answering again (lost datagrams).
    drop_requests: int = 0
    # Send every datagram twice (duplicated datagrams).
    duplicate: bool = False
    # Answer reads but drop every subscription request (a renewal that goes unanswered).
    ignore_subscribe: bool = False
    # Honour subscription requests but lose their replies (lost datagrams on the way back).
    mute_subscribe_replies: bool = False
    meter_interval: float = 0.1
    requests: list[dict[str, Any]] = field(default_factory=list)
    subscriptions: list[Subscription] = field(default_factory=list)
    port: int = 0
    _transport: asyncio.DatagramTransport | None = None
    _task: asyncio.Task[None] | None = None

    async def start(self) -> FakeDevice:
        """Bind and start pushing meters."""
        loop = asyncio.get_running_loop()
        transport, _ = await loop.create_datagram_endpoint(
            lambda: self, local_addr=("127.0.0.1", 0)
        )
        self._transport = transport
        self.port = transport.get_extra_info("sockname")[1]
        self._task = asyncio.create_task(self._push_meters())
        return self

    async def stop(self) -> None:
        """Close."""
        if self._task is not None:
            self._task.cancel()
        if self._transport is not None:
            self._transport.close()

    def link(self, index: int, **values: Any) -> None:
        """Switch a transmitter on (link up)."""
        self.linked.add(index)
        self.leaves |= transmitter_leaves(index, **values)
        self.leaves[("m", f"rx{index}", "rsqi")] = 96
        self.set((f"rx{index}", "warnings"), [])
        self.notify([path for path in self.leaves if path[:2] == ("mates", f"tx{index}")])

    def unlink(self, index: int) -> None:
        """Switch a transmitter off: mates answers 424, rsqi 0, NoLink."""
        self.linked.discard(index)
        self.set((f"rx{index}", "warnings"), ["NoLink"])
        self.leaves[("m", f"rx{index}", "rsqi")] = 0
        errors = {path: [424, {"desc": "failed dependency"}] for path in self._tx_paths(index)}
        self._push_to_subscribers(list(errors), {"osc": {"error": [tree(errors)]}})

    def set(self, path: Path, value: Any) -> None:
        """Change a leaf and notify subscribers."""
        self.leaves[path] = value
        self.notify([path])

    def notify(self, paths: list[Path]) -> None:
        """Push current values of ``paths`` to whoever subscribed to them."""
        values = {path: self.leaves[path] for path in paths if self._readable(path)}
        self._push_to_subscribers(list(values), tree(values))

    def _tx_paths(self, index: int) -> list[Path]:
        return [path for path in self.leaves if path[:2] == ("mates", f"tx{index}")]

    def _readable(self, path: Path) -> bool:
        if path not in self.leaves:
            return False
        if path[0] == "mates":
            return int(path[1].removeprefix("tx")) in self.linked
        return True

    def _push_to_subscribers(self, paths: list[Path], message: dict[str, Any]) -> None:
        now = asyncio.get_running_loop().time()
        clients = {
            sub.client
            for sub in self.subscriptions
            if sub.expires > now and set(sub.paths) & set(paths)
        }
        for client in clients:
            self._send(message, client)

    def _send(self, message: dict[str, Any], client: tuple[str, int]) -> None:
        if self._transport is not None and not self.silent:
            for _ in range(2 if self.duplicate else 1):
                self._transport.sendto(json.dumps(message).encode() + b"\n", client)

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        """Answer one request."""
        if self.silent:
            return
        if self.drop_requests:
            self.drop_requests -= 1
            return
        try:
            request = json.loads(data)
        except ValueError:
            self._send({"osc": {"error": [{"osc": [400, {"desc": "not understood"}]}]}}, addr)
            return
        self.requests.append(json.loads(data))
        osc = request.pop("osc", {})
        reply_osc: dict[str, Any] = {}
        if self.echo_xid and "xid" in osc:
            reply_osc["xid"] = osc["xid"]
        subscribe = osc.get("state", {}).get("subscribe")
        if subscribe and self.ignore_subscribe:
            return
        paths = [path for path in flatten(request) if path]
        for entry in subscribe or []:
            params = entry.pop("#", {})
            entry_paths = list(flatten(entry))
            paths += entry_paths
            lifetime = params.get("lifetime", 10)
            now = asyncio.get_running_loop().time()
            self.subscriptions.append(Subscription(addr, entry_paths, now + lifetime))
        values = {path: self.leaves[path] for path in paths if self._readable(path)}
        errors = {
            path: [424, {"desc": "failed dependency"}]
            if path[0] == "mates" and path in self.leaves
            else [404, {"desc": "address not found"}]
            for path in paths
            if not self._readable(path) and path[0] != "m"
        }
        # Meters are subscribe-only: a direct read gets nothing for them.
        values = {path: value for path, value in values.items() if path[0] != "m" or subscribe}
        if subscribe and self.mute_subscribe_replies:
            return
        if subscribe and self.separate_ack:
            ack = {**reply_osc, "state": {"subscribe": osc["state"]["subscribe"]}}
            self._send({"osc": ack}, addr)
        reply: dict[str, Any] = tree(values)
        if errors:
            reply_osc["error"] = [tree(errors)]
        if reply_osc:
            reply["osc"] = reply_osc
        self._send(reply, addr)

    async def _push_meters(self) -> None:
        while True:
            await asyncio.sleep(self.meter_interval)
            now = asyncio.get_running_loop().time()
            for sub in list(self.subscriptions):
                if sub.expires <= now:
                    self.subscriptions.remove(sub)
                    if self.send_310_on_expiry:
                        error = {
                            path: [310, {"desc": "subscription terminates"}] for path in sub.paths
                        }
                        self._send({"osc": {"error": [tree(error)]}}, sub.client)
            meters = [path for path in self.leaves if path[0] == "m"]
            for sub in self.subscriptions:
                wanted = {p: self.leaves[p] for p in meters if p in sub.paths}
                if wanted:
                    self._send(tree(wanted), sub.client)
