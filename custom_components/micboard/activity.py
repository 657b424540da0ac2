"""The activity log: Micboard's lifecycle events as recorded by Home Assistant's recorder.

``micboard/activity`` (websocket, optionally ``live``) and ``GET /api/micboard/activity``
(REST, authenticated) read the five lifecycle events from the recorder's events table in its
executor, newest first, 50 per page with an opaque ``next`` cursor, filtered by event type,
manufacturer (``service_code``), device (``device_id``), sync status
(``sync_result.status``) and date range. Each row carries the logbook's own sentence.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from http import HTTPStatus
import json
from typing import Any

from aiohttp import web
from homeassistant.components.websocket_api import async_register_command
from homeassistant.components.websocket_api.connection import ActiveConnection
from homeassistant.components.websocket_api.const import ERR_INVALID_FORMAT
from homeassistant.components.websocket_api.decorators import async_response, websocket_command
from homeassistant.components.websocket_api.messages import event_message
from homeassistant.core import CALLBACK_TYPE, Event, HomeAssistant, callback
from homeassistant.helpers.http import KEY_HASS, HomeAssistantView
from homeassistant.helpers.recorder import get_instance, session_scope
from homeassistant.util import dt as dt_util
from homeassistant.util.json import json_loads_object
import probatio
from sqlalchemy import and_, or_, select

from .const import LIFECYCLE_EVENTS
from .logbook import describe_event, describe_sentence

PAGE_SIZE = 50
# Rows read from the database per query, and at most per page: a filter that matches
# rarely returns a short page (with a cursor to carry on) instead of reading everything.
BATCH_SIZE = 200
MAX_SCAN = 5000

type Position = tuple[float, int]
"""Where a page ends: (time fired, event id) of its last row."""


class InvalidQueryError(ValueError):
    """A filter or cursor that cannot be understood."""


@dataclass(frozen=True, slots=True, kw_only=True)
class ActivityFilter:
    """Which lifecycle events a page shows; an empty collection means any."""

    event_types: frozenset[str] = frozenset(LIFECYCLE_EVENTS)
    service_codes: frozenset[str] = frozenset()
    device_ids: frozenset[str] = frozenset()
    sync_statuses: frozenset[str] = frozenset()
    start: datetime | None = None
    end: datetime | None = None

    @classmethod
    def from_params(cls, params: Mapping[str, Any]) -> ActivityFilter:
        """Build from query or websocket parameters (lists or comma-separated strings)."""
        event_types = _strings(params.get("event_type"))
        if unknown := event_types - set(LIFECYCLE_EVENTS):
            raise InvalidQueryError(f"unknown event type: {', '.join(sorted(unknown))}")
        return cls(
            event_types=event_types or frozenset(LIFECYCLE_EVENTS),
            service_codes=_strings(params.get("service_code")),
            device_ids=_strings(params.get("device_id")),
            sync_statuses=_strings(params.get("sync_status")),
            start=_time(params.get("start"), "start"),
            end=_time(params.get("end"), "end"),
        )

    def matches_time(self, timestamp: float) -> bool:
        """Whether an event fired at ``timestamp`` is in the date range."""
        if self.start is not None and timestamp < self.start.timestamp():
            return False
        return self.end is None or timestamp < self.end.timestamp()

    def matches(self, event_type: str, data: Mapping[str, Any]) -> bool:
        """Whether an event of ``event_type`` with ``data`` belongs on the page."""
        if event_type not in self.event_types:
            return False
        if self.service_codes and data.get("service_code") not in self.service_codes:
            return False
        if self.device_ids and data.get("device_id") not in self.device_ids:
            return False
        if self.sync_statuses:
            result = data.get("sync_result")
            status = result.get("status") if isinstance(result, Mapping) else None
            if status not in self.sync_statuses:
                return False
        return True


def _strings(value: Any) -> frozenset[str]:
    if value is None:
        return frozenset()
    items = value.split(",") if isinstance(value, str) else value
    return frozenset(str(item).strip() for item in items if str(item).strip())


def _time(value: Any, name: str) -> datetime | None:
    if value is None or value == "":
        return None
    parsed = dt_util.parse_datetime(str(value))
    if parsed is None:
        raise InvalidQueryError(f"{name} is not an ISO date and time: {value}")
    return dt_util.as_utc(parsed)


def encode_cursor(position: Position) -> str:
    """An opaque token for the page after ``position``."""
    raw = json.dumps([position[0], position[1]]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(token: str) -> Position:
    """The position a token from ``encode_cursor`` stands for."""
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        fired, event_id = json.loads(raw)
        return (float(fired), int(event_id))
    except (binascii.Error, ValueError, TypeError) as err:
        raise InvalidQueryError("invalid cursor") from err


@dataclass(frozen=True, slots=True)
class _Recorded:
    time_fired_ts: float
    event_type: str
    data: dict[str, Any]


def _read(
    hass: HomeAssistant, flt: ActivityFilter, after: Position | None
) -> tuple[list[_Recorded], Position | None]:
    """Matching rows newest first, and where the next page starts (recorder executor)."""
    # Imported here: the recorder's schema loads only where the recorder does.
    from homeassistant.components.recorder.db_schema import (  # noqa: PLC0415
        EventData,
        Events,
        EventTypes,
    )

    matched: list[tuple[_Recorded, Position]] = []
    scanned = 0
    position = after
    with session_scope(hass=hass, read_only=True) as session:
        while True:
            stmt = (
                select(
                    Events.event_id,
                    Events.time_fired_ts,
                    EventTypes.event_type,
                    EventData.shared_data,
                )
                .join(EventTypes, Events.event_type_id == EventTypes.event_type_id)
                .outerjoin(EventData, Events.data_id == EventData.data_id)
                .where(EventTypes.event_type.in_(flt.event_types))
            )
            if flt.start is not None:
                stmt = stmt.where(Events.time_fired_ts >= flt.start.timestamp())
            if flt.end is not None:
                stmt = stmt.where(Events.time_fired_ts < flt.end.timestamp())
            if position is not None:
                stmt = stmt.where(
                    or_(
                        Events.time_fired_ts < position[0],
                        and_(
                            Events.time_fired_ts == position[0],
                            Events.event_id < position[1],
                        ),
                    )
                )
            stmt = stmt.order_by(Events.time_fired_ts.desc(), Events.event_id.desc())
            rows = session.execute(stmt.limit(BATCH_SIZE)).all()
            for event_id, fired, event_type, shared_data in rows:
                scanned += 1
                position = (fired, event_id)
                data = json_loads_object(shared_data) if shared_data else {}
                if flt.matches(event_type, data):
                    matched.append((_Recorded(fired, event_type, dict(data)), position))
                    if len(matched) > PAGE_SIZE:
                        return [m for m, _ in matched[:PAGE_SIZE]], matched[PAGE_SIZE - 1][1]
            if len(rows) < BATCH_SIZE:
                return [m for m, _ in matched], None
            if scanned >= MAX_SCAN:
                return [m for m, _ in matched], position


@callback
def activity_row(
    hass: HomeAssistant, time_fired_ts: float, event_type: str, data: Mapping[str, Any]
) -> dict[str, Any]:
    """One line of the activity log, with the logbook's sentence."""
    values = dict(data)
    entry = describe_event(hass, event_type, values)
    return {
        "time": dt_util.utc_from_timestamp(time_fired_ts).isoformat(),
        "event_type": event_type,
        "data": values,
        "name": entry["name"],
        "message": entry["message"],
        "sentence": describe_sentence(hass, event_type, values),
        "entity_id": entry.get("entity_id"),
    }


def recorder_ready(hass: HomeAssistant) -> bool:
    """Whether the recorder runs (the activity log is read from it)."""
    return "recorder" in hass.config.components


async def async_activity_page(
    hass: HomeAssistant, flt: ActivityFilter, cursor: str | None = None
) -> dict[str, Any]:
    """One page of the activity log: ``{"rows": [...], "next": token or None}``."""
    return (await _async_page(hass, flt, cursor))[0]


async def _async_page(
    hass: HomeAssistant, flt: ActivityFilter, cursor: str | None
) -> tuple[dict[str, Any], float | None]:
    """A page, and when its newest row fired (None: no rows)."""
    after = decode_cursor(cursor) if cursor else None
    recorded, position = await get_instance(hass).async_add_executor_job(_read, hass, flt, after)
    page = {
        "rows": [activity_row(hass, r.time_fired_ts, r.event_type, r.data) for r in recorded],
        "next": encode_cursor(position) if position is not None else None,
    }
    return page, max((r.time_fired_ts for r in recorded), default=None)


@callback
def async_listen_activity(
    hass: HomeAssistant, flt: ActivityFilter, on_row: Callable[[float, dict[str, Any]], None]
) -> CALLBACK_TYPE:
    """Call ``on_row(time fired, row)`` for each matching lifecycle event as it fires."""

    @callback
    def fired(event: Event) -> None:
        data = dict(event.data)
        fired_ts = event.time_fired_timestamp
        event_type = str(event.event_type)
        if flt.matches(event_type, data) and flt.matches_time(fired_ts):
            on_row(fired_ts, activity_row(hass, fired_ts, event_type, data))

    unsubs = [hass.bus.async_listen(event_type, fired) for event_type in flt.event_types]

    @callback
    def unsubscribe() -> None:
        for unsub in unsubs:
            unsub()

    return unsubscribe


_LIST = probatio.Any(str, [str])


@websocket_command(
    {
        probatio.Required("type"): "micboard/activity",
        probatio.Optional("event_type"): _LIST,
        probatio.Optional("service_code"): _LIST,
        probatio.Optional("device_id"): _LIST,
        probatio.Optional("sync_status"): _LIST,
        probatio.Optional("start"): str,
        probatio.Optional("end"): str,
        probatio.Optional("cursor"): str,
        probatio.Optional("live", default=False): bool,
    }
)
@async_response
async def ws_activity(
    hass: HomeAssistant, connection: ActiveConnection, msg: dict[str, Any]
) -> None:
    """A page of the activity log; with ``live``, then every new row as it happens."""
    if not recorder_ready(hass):
        connection.send_error(msg["id"], "recorder_unavailable", "The recorder is not running")
        return
    try:
        flt = ActivityFilter.from_params(msg)
        if msg.get("cursor"):
            decode_cursor(msg["cursor"])
    except InvalidQueryError as err:
        connection.send_error(msg["id"], ERR_INVALID_FORMAT, str(err))
        return
    if not msg["live"]:
        connection.send_result(msg["id"], await async_activity_page(hass, flt, msg.get("cursor")))
        return

    # Listen first: what fires while the first page is read is sent right after it.
    buffered: list[tuple[float, dict[str, Any]]] | None = []

    @callback
    def on_row(fired_ts: float, row: dict[str, Any]) -> None:
        if buffered is not None:
            buffered.append((fired_ts, row))
            return
        connection.send_message(event_message(msg["id"], {"type": "append", "rows": [row]}))

    connection.subscriptions[msg["id"]] = async_listen_activity(hass, flt, on_row)
    connection.send_result(msg["id"])
    # What fired before the subscription must be in the database before it is read.
    if commit := get_instance(hass).async_get_commit_future():
        await commit
    page, newest = await _async_page(hass, flt, msg.get("cursor"))
    if msg["id"] not in connection.subscriptions:
        return
    connection.send_message(event_message(msg["id"], {"type": "page", **page}))
    pending, buffered = buffered or [], None
    rows = [row for fired_ts, row in pending if newest is None or fired_ts > newest]
    if rows:
        connection.send_message(event_message(msg["id"], {"type": "append", "rows": rows}))


class ActivityView(HomeAssistantView):
    """``GET /api/micboard/activity``: one page of the activity log as JSON."""

    url = "/api/micboard/activity"
    name = "api:micboard:activity"
    requires_auth = True

    async def get(self, request: web.Request) -> web.Response:
        """The page the query parameters ask for."""
        hass = request.app[KEY_HASS]
        if not recorder_ready(hass):
            return self.json_message("The recorder is not running", HTTPStatus.SERVICE_UNAVAILABLE)
        try:
            flt = ActivityFilter.from_params(request.query)
            cursor = request.query.get("cursor") or None
            if cursor:
                decode_cursor(cursor)
        except InvalidQueryError as err:
            return self.json_message(str(err), HTTPStatus.BAD_REQUEST)
        return self.json(await async_activity_page(hass, flt, cursor))


@callback
def async_register_activity(hass: HomeAssistant) -> None:
    """Register the activity command, and the REST view where HTTP is loaded."""
    async_register_command(hass, ws_activity)
    if hass.http is not None:
        hass.http.register_view(ActivityView())
