"""A ready Home Assistant for scripts/develop and tests/e2e, without a single click.

Two halves:

* ``write`` (before ``hass`` starts): ``configuration.yaml`` with only what the UI and the
  integration need, a symlink to this repo's ``custom_components/micboard``, onboarding
  pre-seeded except for the user step, and the HTTP server bound to 127.0.0.1 on the port
  asked for (seeded into ``.storage/http`` rather than YAML, which HA would stage as a
  *pending* change and revert after five minutes).
* ``bootstrap`` (after ``hass`` answers): creates the one user through the onboarding API
  (or logs in through trusted networks when it exists), adds the Micboard entry through the
  real config flow, waits for the entities and builds the "Micboard" dashboard from the
  entity registry, then makes it the default dashboard.

Run as ``python scripts/develop_config.py write|bootstrap|wait-simulator ...`` or import it
(the end-to-end tests load it by path).
"""

from __future__ import annotations

import argparse
import asyncio
from dataclasses import dataclass, field
import json
import os
from pathlib import Path
import re
import socket
import sys
import time
from typing import Any

import aiohttp

REPO = Path(__file__).resolve().parent.parent
DOMAIN = "micboard"
DASHBOARD_URL = "dashboard-micboard"
USER = {"name": "Micboard", "username": "micboard", "password": "micboard"}

CONFIGURATION_YAML = """\
# Written by scripts/develop_config.py for the simulated rig. Kept small on purpose:
# no default_config, only what the UI and Micboard need.
homeassistant:
  name: Micboard demo
  unit_system: metric
  time_zone: UTC
  country: US  # else a repair issue asks for it
  currency: USD
  auth_providers:
    # From this machine a browser lands straight on the dashboard (one user, no login).
    - type: trusted_networks
      trusted_networks:
        - 127.0.0.1
        - ::1
      allow_bypass_login: true
    - type: homeassistant

frontend:
config:
history:
logbook:
automation: !include automations.yaml
recorder:
  purge_keep_days: 2
  commit_interval: 1

logger:
  default: warning
  logs:
    homeassistant.core: info
    custom_components.micboard: info
    # HA 2026.10 always loads its default integrations; two of them look for system
    # programs this config never uses (ffmpeg for tts/cameras, libturbojpeg for cameras).
    haffmpeg: critical
    homeassistant.components.camera.img_util: critical
"""


# --------------------------------------------------------------------------- files


def _store(key: str, data: Any, version: int, minor_version: int = 1) -> str:
    doc = {"version": version, "minor_version": minor_version, "key": key, "data": data}
    return json.dumps(doc, indent=2) + "\n"


def write_config(config_dir: Path, *, port: int = 8123, repo: Path = REPO) -> Path:
    """Create (or refresh) a config dir; existing state (.storage, database) is kept."""
    config_dir = config_dir.resolve()
    storage = config_dir / ".storage"
    storage.mkdir(parents=True, exist_ok=True)
    (config_dir / "configuration.yaml").write_text(CONFIGURATION_YAML, encoding="utf-8")
    automations = config_dir / "automations.yaml"
    if not automations.exists():
        automations.write_text("[]\n", encoding="utf-8")

    # This repo's integration, live: edits show up on the next restart of hass.
    target = (repo / "custom_components" / DOMAIN).resolve()
    link = config_dir / "custom_components" / DOMAIN
    link.parent.mkdir(exist_ok=True)
    try:
        link_to: str | Path = os.path.relpath(target, link.parent)
    except ValueError:  # another drive (Windows); absolute then
        link_to = target
    if link.is_symlink() and link.resolve() != target:
        link.unlink()
    if not link.is_symlink():
        link.symlink_to(link_to, target_is_directory=True)

    # Every onboarding step done but the user; bootstrap() creates the user.
    onboarding = storage / "onboarding"
    if not onboarding.exists():
        done = {"done": ["core_config", "analytics", "integration"]}
        onboarding.write_text(_store("onboarding", done, 4), encoding="utf-8")

    # HTTP server on 127.0.0.1 only. Written in the store's version-1 shape: HA migrates
    # it through its own schema (all defaults filled in) and takes it as the confirmed,
    # "stable" config, so no pending-change trial and no revert to 8123.
    http = {"server_host": ["127.0.0.1"], "server_port": port}
    (storage / "http").write_text(_store("http", http, 1), encoding="utf-8")
    return config_dir


# ------------------------------------------------------------------------- the API


class HAError(RuntimeError):
    """Home Assistant answered something unexpected."""


@dataclass
class HomeAssistantAPI:
    """REST and WebSocket access to a running Home Assistant, as the one admin user."""

    base_url: str
    session: aiohttp.ClientSession
    token: str = ""
    _ws: aiohttp.ClientWebSocketResponse | None = None
    _next_id: int = 1

    @property
    def client_id(self) -> str:
        return self.base_url + "/"

    async def wait_http(self, limit: float = 60, pid: int | None = None) -> None:
        """Until the HTTP server answers (a few seconds after the process starts)."""
        deadline = time.monotonic() + limit
        while True:
            if pid is not None and not _alive(pid):
                raise HAError("hass exited during start-up; see its log")
            try:
                # Needs no token (an unauthenticated /api/ would count as a failed login);
                # answers 400 "onboarding_required" until the first user exists.
                async with self.session.get(f"{self.base_url}/auth/providers") as resp:
                    if resp.status in (200, 400):
                        return
            except aiohttp.ClientError:
                pass
            if time.monotonic() > deadline:
                raise HAError(f"Home Assistant did not answer at {self.base_url}")
            await asyncio.sleep(0.2)

    async def login(self) -> str:
        """Create the user on first start, else log in through trusted networks."""
        # The onboarding views exist only until onboarding is complete.
        async with self.session.get(f"{self.base_url}/api/onboarding") as resp:
            steps = {s["step"]: s["done"] for s in await resp.json()} if resp.ok else {}
        if steps and not steps.get("user"):
            body = {**USER, "client_id": self.client_id, "language": "en"}
            data = await self._post("/api/onboarding/users", body)
            code = data["auth_code"]
        else:
            flow = await self._post(
                "/auth/login_flow",
                {
                    "client_id": self.client_id,
                    "handler": ["trusted_networks", None],
                    "redirect_uri": self.client_id,
                },
            )
            if flow.get("type") == "form":  # several users: take ours
                users = flow["data_schema"][0]["options"]
                user_id = next(uid for uid, name in users if name == USER["name"])
                flow = await self._post(
                    f"/auth/login_flow/{flow['flow_id']}",
                    {"client_id": self.client_id, "user": user_id},
                )
            if flow.get("type") != "create_entry":
                raise HAError(f"trusted-networks login failed: {flow}")
            code = flow["result"]
        form = {"grant_type": "authorization_code", "code": code, "client_id": self.client_id}
        async with self.session.post(f"{self.base_url}/auth/token", data=form) as resp:
            if resp.status != 200:
                raise HAError(f"/auth/token: {resp.status} {await resp.text()}")
            self.token = (await resp.json())["access_token"]
        return self.token

    @property
    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"} if self.token else {}

    async def _post(self, path: str, body: Any) -> Any:
        async with self.session.post(
            self.base_url + path, json=body, headers=self._headers
        ) as resp:
            if resp.status >= 400:
                raise HAError(f"POST {path}: {resp.status} {await resp.text()}")
            return await resp.json()

    async def get(self, path: str, **params: str) -> Any:
        async with self.session.get(
            self.base_url + path, headers=self._headers, params=params
        ) as resp:
            if resp.status >= 400:
                raise HAError(f"GET {path}: {resp.status} {await resp.text()}")
            return await resp.json()

    post = _post

    async def wait_running(self, limit: float = 60) -> None:
        """Until Home Assistant reports RUNNING (every integration set up)."""
        deadline = time.monotonic() + limit
        while (await self.get("/api/config"))["state"] != "RUNNING":
            if time.monotonic() > deadline:
                raise HAError("Home Assistant did not reach RUNNING")
            await asyncio.sleep(0.2)

    # -- websocket

    async def ws(self) -> aiohttp.ClientWebSocketResponse:
        if self._ws is None or self._ws.closed:
            url = self.base_url.replace("http", "ws", 1) + "/api/websocket"
            ws = await self.session.ws_connect(url, max_msg_size=0)
            if (await ws.receive_json())["type"] != "auth_required":
                raise HAError("websocket: expected auth_required")
            await ws.send_json({"type": "auth", "access_token": self.token})
            if (msg := await ws.receive_json())["type"] != "auth_ok":
                raise HAError(f"websocket auth: {msg}")
            self._ws = ws
        return self._ws

    async def call(self, type_: str, **fields: Any) -> Any:
        """One websocket command; its result (events of other subscriptions are skipped)."""
        ws = await self.ws()
        msg_id = self._next_id
        self._next_id += 1
        await ws.send_json({"id": msg_id, "type": type_, **fields})
        while True:
            msg = await ws.receive_json()
            if msg.get("id") == msg_id and msg["type"] == "result":
                if not msg["success"]:
                    raise HAError(f"{type_}: {msg['error']}")
                return msg["result"]

    async def close(self) -> None:
        if self._ws is not None:
            await self._ws.close()


# ------------------------------------------------------------------ the integration


async def ensure_entry(api: HomeAssistantAPI, hosts: list[str]) -> str:
    """The Micboard (Shure) entry, added through the real config flow if missing."""
    entries = await api.get("/api/config/config_entries/entry", domain=DOMAIN)
    if entries:
        return str(entries[0]["entry_id"])
    flow = await api.post("/api/config/config_entries/flow", {"handler": DOMAIN})
    steps = [{"manufacturer": "shure"}, {"hosts": "\n".join(hosts)}]
    for user_input in steps:
        if flow.get("type") != "form":
            break
        flow = await api.post(f"/api/config/config_entries/flow/{flow['flow_id']}", user_input)
    if flow.get("type") != "create_entry":
        raise HAError(f"Micboard config flow did not create the entry: {flow}")
    return str(flow["result"]["entry_id"])


def entity_key(entity: dict[str, Any]) -> str:
    """The entity description key (unique ids end in ``-<key>``)."""
    return str(entity.get("unique_id", "")).rsplit("-", 1)[-1]


@dataclass
class Rig:
    """Micboard's devices and entities as the registries hold them (in creation order)."""

    service: dict[str, Any]
    receivers: list[dict[str, Any]]
    channels: dict[str, list[dict[str, Any]]]  # receiver device id -> channel devices
    entities: dict[str, dict[str, str]] = field(default_factory=dict)  # device -> key -> id
    names: dict[str, str] = field(default_factory=dict)  # entity id -> name without device

    def entity(self, device_id: str, key: str) -> str | None:
        return self.entities.get(device_id, {}).get(key)


async def read_rig(api: HomeAssistantAPI, entry_id: str) -> Rig | None:
    devices = [
        d
        for d in await api.call("config/device_registry/list")
        if entry_id in d.get("config_entries", [])
    ]
    service = next((d for d in devices if d.get("entry_type") == "service"), None)
    if service is None:
        return None
    receivers = [d for d in devices if d.get("via_device_id") == service["id"]]
    channels: dict[str, list[dict[str, Any]]] = {r["id"]: [] for r in receivers}
    for device in devices:
        if device.get("via_device_id") in channels:
            channels[device["via_device_id"]].append(device)
    known = {d["id"] for d in devices}
    rig = Rig(service, receivers, channels)
    for entity in await api.call("config/entity_registry/list"):
        if entity.get("platform") == DOMAIN and entity.get("device_id") in known:
            rig.entities.setdefault(entity["device_id"], {})[entity_key(entity)] = entity[
                "entity_id"
            ]
            if name := entity.get("name") or entity.get("original_name"):
                rig.names[entity["entity_id"]] = name
    return rig


async def wait_rig(api: HomeAssistantAPI, entry_id: str, receivers: int, limit: float = 30) -> Rig:
    """Until every receiver and its channels have devices and entities."""
    deadline = time.monotonic() + limit
    while True:
        rig = await read_rig(api, entry_id)
        if (
            rig is not None
            and len(rig.receivers) >= receivers
            and all(rig.channels[r["id"]] for r in rig.receivers)
            and all(rig.entities.get(c["id"]) for ch in rig.channels.values() for c in ch)
        ):
            return rig
        if time.monotonic() > deadline:
            found = 0 if rig is None else len(rig.receivers)
            raise HAError(f"Micboard shows {found} of {receivers} receivers after {limit} s")
        await asyncio.sleep(0.3)


# ----------------------------------------------------------------------- dashboard


def _name(device: dict[str, Any]) -> str:
    return str(device.get("name_by_user") or device.get("name") or "")


def _row(rig: Rig, entity_id: str | None) -> dict[str, Any] | None:
    if entity_id is None:
        return None
    row: dict[str, Any] = {"entity": entity_id}
    if name := rig.names.get(entity_id):
        row["name"] = name
    return row


def _device_page(device: dict[str, Any]) -> dict[str, str]:
    return {"action": "navigate", "navigation_path": f"/config/devices/device/{device['id']}"}


def _channel_tiles(rig: Rig, channel: dict[str, Any]) -> list[dict[str, Any]]:
    """A channel as classic Micboard shows it: its name and status, battery, RF level."""
    cid = channel["id"]
    tiles: list[dict[str, Any]] = []
    if status := rig.entity(cid, "status") or rig.entity(cid, "transmitter"):
        tiles.append(
            {
                "type": "tile",
                "entity": status,
                "name": _name(channel),
                "vertical": True,
                "tap_action": _device_page(channel),
                "icon_tap_action": _device_page(channel),
            }
        )
    for key, label in (("battery", "Battery"), ("rf_level", "RF")):
        if entity_id := rig.entity(cid, key):
            tiles.append({"type": "tile", "entity": entity_id, "name": label, "vertical": True})
    return tiles


def _receiver_card(rig: Rig, receiver: dict[str, Any]) -> dict[str, Any]:
    """Heading (name, connectivity) over a grid of its channels, one row each."""
    rid = receiver["id"]
    heading: dict[str, Any] = {
        "type": "heading",
        "heading": _name(receiver),
        "icon": "mdi:access-point",
        "tap_action": _device_page(receiver),
    }
    if connectivity := rig.entity(rid, "connectivity"):
        heading["badges"] = [{"type": "entity", "entity": connectivity, "state_content": "state"}]
    tiles = [tile for channel in rig.channels[rid] for tile in _channel_tiles(rig, channel)]
    grid = {"type": "grid", "columns": 3, "square": False, "cards": tiles}
    return {"type": "vertical-stack", "cards": [heading, grid]}


def _service_card(rig: Rig) -> dict[str, Any]:
    """The sync log (receivers online, last sync) and the activity feed."""
    svc = rig.service
    keys = (
        "receivers_online",
        "receivers_total",
        "last_sync_status",
        "last_sync",
        "last_sync_duration",
        "last_sync_errors",
    )
    rows = [row for key in keys if (row := _row(rig, rig.entity(svc["id"], key)))]
    # The event entities: one line per lifecycle transition ("Turned off", "Came online").
    # (The card filters by entity; /logbook also shows the integration's sentences.)
    events = [
        entity_id
        for device in [*rig.receivers, *(c for chans in rig.channels.values() for c in chans)]
        for key in ("receiver_events", "transmitter_events")
        if (entity_id := rig.entity(device["id"], key))
    ]
    cards: list[dict[str, Any]] = [
        {
            "type": "heading",
            "heading": _name(svc) or "Shure",
            "icon": "mdi:sync",
            "tap_action": _device_page(svc),
        },
        {"type": "entities", "entities": rows, "state_color": True},
    ]
    if events:
        cards += [
            {"type": "heading", "heading": "Activity", "icon": "mdi:format-list-bulleted"},
            {"type": "logbook", "target": {"entity_id": events}, "hours_to_show": 24},
        ]
    return {"type": "vertical-stack", "cards": cards}


def build_dashboard(rig: Rig) -> dict[str, Any]:
    """Classic Micboard's admin view: the sync log and activity, then every channel."""
    cards = [_service_card(rig), *(_receiver_card(rig, r) for r in rig.receivers)]
    return {
        "title": "Micboard",
        # Masonry packs receivers of different sizes without gaps: a whole rig per screen.
        "views": [
            {"title": "Micboard", "path": "rig", "icon": "mdi:microphone-variant", "cards": cards}
        ],
    }


async def ensure_dashboard(api: HomeAssistantAPI, rig: Rig) -> str:
    """Create (or refresh) the Micboard storage dashboard and make it the default one."""
    dashboards = await api.call("lovelace/dashboards/list")
    if not any(d["url_path"] == DASHBOARD_URL for d in dashboards):
        await api.call(
            "lovelace/dashboards/create",
            url_path=DASHBOARD_URL,
            title="Micboard",
            icon="mdi:microphone-variant",
            show_in_sidebar=True,
            require_admin=False,
            mode="storage",
        )
    await api.call("lovelace/config/save", url_path=DASHBOARD_URL, config=build_dashboard(rig))
    await api.call("frontend/set_system_data", key="core", value={"default_panel": DASHBOARD_URL})
    return f"{api.base_url}/{DASHBOARD_URL}/rig"


@dataclass
class Bootstrapped:
    token: str
    entry_id: str
    rig: Rig
    dashboard_url: str


async def bootstrap(
    base_url: str, hosts: list[str], *, limit: float = 60, pid: int | None = None
) -> Bootstrapped:
    """User, Micboard entry, dashboard: everything a first start needs, idempotent."""
    async with aiohttp.ClientSession() as session:
        api = HomeAssistantAPI(base_url, session)
        try:
            await api.wait_http(limit, pid)
            await api.login()
            await api.wait_running(limit)
            entry_id = await ensure_entry(api, hosts)
            rig = await wait_rig(api, entry_id, len(hosts))
            url = await ensure_dashboard(api, rig)
        finally:
            await api.close()
    return Bootstrapped(api.token, entry_id, rig, url)


# ----------------------------------------------------------------------- simulator

HOST_LINE = re.compile(r"^(127\.0\.0\.1:\d+)\s+(\S+)\s+(.*)$")


def read_simulator_hosts(log: Path) -> list[str]:
    """``127.0.0.1:PORT MODEL NAME`` lines the simulator printed."""
    text = log.read_text(encoding="utf-8", errors="replace") if log.exists() else ""
    return [m.group(1) for line in text.splitlines() if (m := HOST_LINE.match(line.strip()))]


def wait_simulator(log: Path, pid: int | None = None, timeout: float = 20) -> list[str]:
    """Until the simulator has listed its receivers (its last line names the control port)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        text = log.read_text(encoding="utf-8", errors="replace") if log.exists() else ""
        if re.search(r"^control 127\.0\.0\.1:\d+$", text, re.MULTILINE):
            return read_simulator_hosts(log)
        if pid is not None and not _alive(pid):
            raise HAError(f"the simulator exited; see {log}")
        time.sleep(0.05)
    raise HAError(f"the simulator listed no receivers within {timeout} s; see {log}")


def port_free(port: int) -> bool:
    """Whether 127.0.0.1:port can be bound (what hass and the simulator will do)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:  # a zombie child is gone for our purposes
        status = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError, IndexError:
        return True
    return status != "Z"


# ---------------------------------------------------------------------------- CLI


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    write = sub.add_parser("write", help="write or refresh the config dir")
    write.add_argument("--config", type=Path, required=True)
    write.add_argument("--port", type=int, default=8123)
    wait = sub.add_parser("wait-simulator", help="print the hosts the simulator listed")
    wait.add_argument("--log", type=Path, required=True)
    wait.add_argument("--pid", type=int)
    boot = sub.add_parser("bootstrap", help="user, Micboard entry and dashboard")
    boot.add_argument("--url", required=True)
    boot.add_argument("--hosts", nargs="+", required=True)
    boot.add_argument("--pid", type=int, help="the hass process, to stop waiting if it dies")
    ports = sub.add_parser("check-ports", help="fail if a 127.0.0.1 port is taken")
    ports.add_argument("ports", type=int, nargs="+")
    args = parser.parse_args(argv)

    try:
        if args.command == "write":
            print(write_config(args.config, port=args.port))
        elif args.command == "wait-simulator":
            print(" ".join(wait_simulator(args.log, args.pid)))
        elif args.command == "check-ports":
            if taken := [port for port in args.ports if not port_free(port)]:
                print(
                    f"develop: 127.0.0.1 port(s) in use: {', '.join(map(str, taken))}",
                    file=sys.stderr,
                )
                return 1
        else:
            done = asyncio.run(bootstrap(args.url, args.hosts, pid=args.pid))
            receivers = ", ".join(_name(r) for r in done.rig.receivers)
            print(f"develop: Micboard watches {len(done.rig.receivers)} receivers: {receivers}")
            print(f"develop: dashboard {done.dashboard_url}")
    except HAError as err:
        print(f"develop: {err}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
