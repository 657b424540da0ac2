"""The "Micboard" dashboard: the board, TV mode, and a view built from the registries."""

from __future__ import annotations

from .client import HomeAssistantAPI
from .const import DASHBOARD_URL, JSONObject
from .rig import Rig, device_name


def _row(rig: Rig, entity_id: str | None) -> JSONObject | None:
    if entity_id is None:
        return None
    row: JSONObject = {"entity": entity_id}
    if name := rig.names.get(entity_id):
        row["name"] = name
    return row


def _device_page(device: JSONObject) -> dict[str, str]:
    return {"action": "navigate", "navigation_path": f"/config/devices/device/{device['id']}"}


def _channel_tiles(rig: Rig, channel: JSONObject) -> list[JSONObject]:
    """A channel as classic Micboard shows it: its name and status, battery, RF level."""
    cid = channel["id"]
    tiles: list[JSONObject] = []
    if status := rig.entity(cid, "status") or rig.entity(cid, "transmitter"):
        tiles.append(
            {
                "type": "tile",
                "entity": status,
                "name": device_name(channel),
                "vertical": True,
                "tap_action": _device_page(channel),
                "icon_tap_action": _device_page(channel),
            }
        )
    for key, label in (("battery", "Battery"), ("rf_level", "RF")):
        if entity_id := rig.entity(cid, key):
            tiles.append({"type": "tile", "entity": entity_id, "name": label, "vertical": True})
    return tiles


def _receiver_card(rig: Rig, receiver: JSONObject) -> JSONObject:
    """Heading (name, connectivity) over a grid of its channels, one row each."""
    rid = receiver["id"]
    heading: JSONObject = {
        "type": "heading",
        "heading": device_name(receiver),
        "icon": "mdi:access-point",
        "tap_action": _device_page(receiver),
    }
    if connectivity := rig.entity(rid, "connectivity"):
        heading["badges"] = [{"type": "entity", "entity": connectivity, "state_content": "state"}]
    tiles = [tile for channel in rig.channels[rid] for tile in _channel_tiles(rig, channel)]
    grid = {"type": "grid", "columns": 3, "square": False, "cards": tiles}
    return {"type": "vertical-stack", "cards": [heading, grid]}


def _charger_card(rig: Rig, charger: JSONObject) -> JSONObject:
    """Heading (name, connectivity) over its bays' battery states."""
    heading: JSONObject = {
        "type": "heading",
        "heading": device_name(charger),
        "icon": "mdi:battery-charging",
        "tap_action": _device_page(charger),
    }
    if connectivity := rig.entity(charger["id"], "connectivity"):
        heading["badges"] = [{"type": "entity", "entity": connectivity, "state_content": "state"}]
    tiles: list[JSONObject] = []
    for bay in rig.bays[charger["id"]]:
        if state := rig.entity(bay["id"], "battery_state"):
            tiles.append(
                {
                    "type": "tile",
                    "entity": state,
                    "name": device_name(bay),
                    "vertical": True,
                    "tap_action": _device_page(bay),
                }
            )
    grid = {"type": "grid", "columns": 4, "square": False, "cards": tiles}
    return {"type": "vertical-stack", "cards": [heading, grid]}


_SYNC_KEYS = (
    "receivers_online",
    "receivers_total",
    "batteries_ready",
    "batteries_charging",
    "last_sync_status",
    "last_sync",
    "last_sync_duration",
    "last_sync_errors",
)


def _sync_cards(rig: Rig) -> list[JSONObject]:
    """One manufacturer's service device: its sync log (receivers online, last sync)."""
    svc = rig.service
    rows = [row for key in _SYNC_KEYS if (row := _row(rig, rig.entity(svc["id"], key)))]
    return [
        {
            "type": "heading",
            "heading": device_name(svc) or "Micboard",
            "icon": "mdi:sync",
            "tap_action": _device_page(svc),
        },
        {"type": "entities", "entities": rows, "state_color": True},
    ]


def _activity_entities(rig: Rig) -> list[str]:
    """What the Activity card follows: each receiver's connectivity and channel's status.

    One line per transition ("Vox 2 Status: Off (was good)"); the card filters by entity,
    so the lifecycle sentences themselves are in the Activity panel (/logbook).
    """
    return [
        entity_id
        for device in [*rig.receivers, *(c for chans in rig.channels.values() for c in chans)]
        for key in ("connectivity", "status")
        if (entity_id := rig.entity(device["id"], key))
    ]


def _service_card(rigs: list[Rig]) -> JSONObject:
    """Every manufacturer's sync log, then one activity feed over all of them."""
    cards = [card for rig in rigs for card in _sync_cards(rig)]
    # (The card filters by entity; /logbook also shows the integration's sentences.)
    if watched := [entity_id for rig in rigs for entity_id in _activity_entities(rig)]:
        cards += [
            {"type": "heading", "heading": "Activity", "icon": "mdi:format-list-bulleted"},
            {"type": "logbook", "target": {"entity_id": watched}, "hours_to_show": 24},
        ]
    return {"type": "vertical-stack", "cards": cards}


# The views, in order: the first is where the dashboard opens.
BOARD_VIEW = "board"
TV_VIEW = "tv"
RIG_VIEW = "rig"


def _board_view() -> JSONObject:
    """The Micboard board (every channel of both manufacturers), the activity log beside it."""
    return {
        "title": "Board",
        "path": BOARD_VIEW,
        "icon": "mdi:view-grid",
        "type": "sidebar",
        "cards": [
            {"type": "custom:micboard-card", "title": "Micboard"},
            {"type": "custom:micboard-activity-card", "view_layout": {"position": "sidebar"}},
        ],
    }


def _tv_view() -> JSONObject:
    """The board as a screen by the rack shows it during the show: the channels' tiles as
    large as they go, filling the whole view (the chargers are on the board view)."""
    card = {
        "type": "custom:micboard-card",
        "layout": "kiosk",
        "palette": "classic",
        "show": "receivers",
    }
    return {
        "title": "TV",
        "path": TV_VIEW,
        "icon": "mdi:television",
        "type": "panel",
        "cards": [card],
    }


def build_dashboard(rigs: Rig | list[Rig]) -> JSONObject:
    """The board and its activity log, the board in TV mode, then the entities' own view.

    ``rigs``: one per manufacturer's entry; receivers follow manufacturer by manufacturer.
    The last view is classic Micboard's admin view built from Home Assistant's own cards:
    the sync logs and activity, then every channel's status, battery and RF entities, and
    every charger's bays (the board shows chargers by itself).
    """
    rigs = [rigs] if isinstance(rigs, Rig) else rigs
    cards = [
        _service_card(rigs),
        *(_receiver_card(rig, r) for rig in rigs for r in rig.receivers),
        *(_charger_card(rig, c) for rig in rigs for c in rig.chargers),
    ]
    return {
        "title": "Micboard",
        "views": [
            _board_view(),
            _tv_view(),
            # Masonry packs receivers of different sizes without gaps: a whole rig per screen.
            {
                "title": "Entities",
                "path": RIG_VIEW,
                "icon": "mdi:format-list-bulleted",
                "cards": cards,
            },
        ],
    }


async def ensure_dashboard(api: HomeAssistantAPI, rigs: Rig | list[Rig]) -> str:
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
    await api.call("lovelace/config/save", url_path=DASHBOARD_URL, config=build_dashboard(rigs))
    await api.call("frontend/set_system_data", key="core", value={"default_panel": DASHBOARD_URL})
    return f"{api.base_url}/{DASHBOARD_URL}/{BOARD_VIEW}"
