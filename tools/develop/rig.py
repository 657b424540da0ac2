"""Micboard's devices and entities as Home Assistant's registries hold them."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
import time

from .client import HAError, HomeAssistantAPI
from .const import DOMAIN, JSONObject


def entity_key(entity: JSONObject) -> str:
    """The entity description key (unique ids end in ``-<key>``)."""
    return str(entity.get("unique_id", "")).rsplit("-", 1)[-1]


def device_name(device: JSONObject) -> str:
    """A device's name as the UI shows it (the user's name first)."""
    return str(device.get("name_by_user") or device.get("name") or "")


@dataclass
class Rig:
    """Micboard's devices and entities as the registries hold them (in creation order)."""

    service: JSONObject
    receivers: list[JSONObject]
    channels: dict[str, list[JSONObject]]  # receiver device id -> channel devices
    entities: dict[str, dict[str, str]] = field(default_factory=dict)  # device -> key -> id
    names: dict[str, str] = field(default_factory=dict)  # entity id -> name without device
    chargers: list[JSONObject] = field(default_factory=list)
    bays: dict[str, list[JSONObject]] = field(default_factory=dict)  # charger id -> bays

    def entity(self, device_id: str, key: str) -> str | None:
        return self.entities.get(device_id, {}).get(key)


async def read_rig(api: HomeAssistantAPI, entry_id: str) -> Rig | None:
    """The entry's service device, receivers, channels and entities; None before set-up."""
    devices: list[JSONObject] = [
        d
        for d in await api.call("config/device_registry/list")
        if entry_id in d.get("config_entries", [])
    ]
    service = next((d for d in devices if d.get("entry_type") == "service"), None)
    if service is None:
        return None
    top = [d for d in devices if d.get("via_device_id") == service["id"]]
    children: dict[str, list[JSONObject]] = {d["id"]: [] for d in top}
    for device in devices:
        if device.get("via_device_id") in children:
            children[device["via_device_id"]].append(device)
    # A charger's children are bays (identifiers ``<code>:<id>/bay<n>``).
    chargers = [d for d in top if any(_is_bay(c) for c in children[d["id"]])]
    receivers = [d for d in top if d not in chargers]
    known = {d["id"] for d in devices}
    rig = Rig(
        service,
        receivers,
        {r["id"]: children[r["id"]] for r in receivers},
        chargers=chargers,
        bays={c["id"]: children[c["id"]] for c in chargers},
    )
    entity: JSONObject
    for entity in await api.call("config/entity_registry/list"):
        if entity.get("platform") == DOMAIN and entity.get("device_id") in known:
            rig.entities.setdefault(entity["device_id"], {})[entity_key(entity)] = entity[
                "entity_id"
            ]
            if name := entity.get("name") or entity.get("original_name"):
                rig.names[entity["entity_id"]] = name
    return rig


async def wait_rig(
    api: HomeAssistantAPI, entry_id: str, receivers: int, limit: float = 30, *, chargers: int = 0
) -> Rig:
    """Until every receiver and its channels (every charger and its bays) have devices and
    entities."""
    deadline = time.monotonic() + limit
    while True:
        rig = await read_rig(api, entry_id)
        if (
            rig is not None
            and len(rig.receivers) >= receivers
            and len(rig.chargers) >= chargers
            and all(rig.channels[r["id"]] for r in rig.receivers)
            and all(rig.entities.get(c["id"]) for ch in rig.channels.values() for c in ch)
            and all(rig.entities.get(b["id"]) for bays in rig.bays.values() for b in bays)
        ):
            return rig
        if time.monotonic() > deadline:
            found = (0, 0) if rig is None else (len(rig.receivers), len(rig.chargers))
            raise HAError(
                f"Micboard shows {found[0]} of {receivers} receivers and {found[1]} of "
                f"{chargers} chargers after {limit} s"
            )
        await asyncio.sleep(0.3)


def _is_bay(device: JSONObject) -> bool:
    return any("/bay" in str(ident[1]) for ident in device.get("identifiers", []))
