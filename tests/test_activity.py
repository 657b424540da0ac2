"""The activity log read from the recorder: websocket, live, and the REST view."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from http import HTTPStatus
from typing import Any
from unittest.mock import patch

from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.components.recorder.common import (
    async_wait_recording_done,
)
from pytest_homeassistant_custom_component.typing import (
    ClientSessionGenerator,
    MockHAClientWebSocket,
    WebSocketGenerator,
)

from custom_components.micboard.activity import (
    ActivityFilter,
    InvalidQueryError,
    decode_cursor,
    encode_cursor,
)
from custom_components.micboard.const import (
    EVENT_DEVICE_OFFLINE,
    EVENT_DEVICE_ONLINE,
    EVENT_DEVICE_SYNCED,
)

from .helpers import FakeNetwork, channel, receiver, setup_fake_entry

MAC = "00:0e:dd:00:00:01"


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(recorder_mock: Any, enable_custom_integrations: Any) -> None:
    """The recorder must be set up before Home Assistant starts."""


async def _setup(hass: HomeAssistant, network: FakeNetwork) -> Any:
    """HTTP (for the view), then an entry with one receiver of one channel."""
    assert await async_setup_component(hass, "http", {})
    network.add(receiver("Stage L", api_device_id=MAC, channels=[channel(1, "Vocal 1")]))
    return await setup_fake_entry(hass, network)


async def _page(client: MockHAClientWebSocket, **params: Any) -> dict[str, Any]:
    await client.send_json_auto_id({"type": "micboard/activity", **params})
    msg = await client.receive_json()
    assert msg["success"], msg
    page: dict[str, Any] = msg["result"]
    return page


def _fire_many(hass: HomeAssistant, count: int) -> None:
    """``count`` offline events of two made-up devices, alternating, and two syncs."""
    for number in range(count):
        hass.bus.async_fire(
            EVENT_DEVICE_OFFLINE,
            {
                "service_code": "sennheiser" if number % 2 else "shure",
                "api_device_id": f"rx{number}",
                "device_type": "receiver",
                "device_id": f"dev{number % 2}",
                "name": f"RX {number}",
            },
        )
    for status in ("partial", "error"):
        hass.bus.async_fire(
            EVENT_DEVICE_SYNCED,
            {
                "service_code": "shure",
                "api_device_id": "shure",
                "device_type": "service",
                "name": "Shure",
                "sync_result": {
                    "device_count": 2,
                    "online_count": 1,
                    "error_count": 1,
                    "status": status,
                    "duration_seconds": 0.5,
                    "error_message": None,
                },
            },
        )


async def test_rows_newest_first_with_sentences(
    hass: HomeAssistant, hass_ws_client: WebSocketGenerator, network: FakeNetwork
) -> None:
    """Each row: time, type, data and the logbook's sentence, the newest first."""
    entry = await _setup(hass, network)
    backend = network.backend
    backend.go_offline("Stage L")
    backend.come_back("Stage L")
    await hass.async_block_till_done()
    await async_wait_recording_done(hass)
    client = await hass_ws_client(hass)

    page = await _page(client)
    assert page["next"] is None
    sentences = [row["sentence"] for row in page["rows"]]
    assert sentences == [
        "Stage L ULXD4 came online",
        "Stage L ULXD4 went offline",
        "Shure synced 1 device: 1 online, 0 errors in 0.25 s",
        "Discovered receiver device: Stage L ULXD4",
    ]
    online = page["rows"][0]
    assert online["event_type"] == EVENT_DEVICE_ONLINE
    assert online["name"] == "Stage L ULXD4"
    assert online["message"] == "came online"
    assert online["entity_id"] == "binary_sensor.stage_l_connectivity"
    assert online["data"]["api_device_id"] == MAC
    assert online["data"]["service_code"] == "shure"
    device_id = entry.runtime_data.devices.async_device_id((MAC, 0))
    assert online["data"]["device_id"] == device_id
    times = [dt_util.parse_datetime(row["time"]) for row in page["rows"]]
    assert times == sorted(times, reverse=True)  # type: ignore[type-var]

    # Filters: type, device, manufacturer, sync status.
    page = await _page(client, event_type=[EVENT_DEVICE_OFFLINE, EVENT_DEVICE_ONLINE])
    assert [row["message"] for row in page["rows"]] == ["came online", "went offline"]
    page = await _page(client, device_id=device_id)
    assert len(page["rows"]) == 3
    assert (await _page(client, service_code="sennheiser"))["rows"] == []
    page = await _page(client, sync_status="success")
    assert [row["event_type"] for row in page["rows"]] == [EVENT_DEVICE_SYNCED]
    assert (await _page(client, sync_status="error"))["rows"] == []


async def test_pagination_and_filters(
    hass: HomeAssistant, hass_ws_client: WebSocketGenerator, network: FakeNetwork
) -> None:
    """50 per page with a cursor to the next; filters apply across pages."""
    await _setup(hass, network)
    start = dt_util.utcnow()
    _fire_many(hass, 60)
    await hass.async_block_till_done()
    await async_wait_recording_done(hass)
    end = dt_util.utcnow()
    client = await hass_ws_client(hass)

    first = await _page(client, start=start.isoformat())
    assert len(first["rows"]) == 50
    assert [row["data"]["name"] for row in first["rows"][:3]] == ["Shure", "Shure", "RX 59"]
    assert first["next"]
    second = await _page(client, start=start.isoformat(), cursor=first["next"])
    assert [row["data"]["name"] for row in second["rows"]] == [f"RX {n}" for n in range(11, -1, -1)]
    assert second["next"] is None

    page = await _page(client, start=start.isoformat(), service_code="sennheiser")
    assert [row["data"]["name"] for row in page["rows"]][:2] == ["RX 59", "RX 57"]
    assert len(page["rows"]) == 30
    page = await _page(client, device_id=["dev0"], event_type=EVENT_DEVICE_OFFLINE)
    assert len(page["rows"]) == 30
    page = await _page(client, sync_status="partial,error")
    assert [row["data"]["sync_result"]["status"] for row in page["rows"]] == ["error", "partial"]
    assert page["rows"][0]["sentence"] == "Shure synced 2 devices: 1 online, 1 error in 0.50 s"
    # A date range: before anything happened, nothing.
    page = await _page(client, end=start.isoformat())
    assert all(row["data"].get("name") != "RX 0" for row in page["rows"])
    page = await _page(client, start=end.isoformat())
    assert page == {"rows": [], "next": None}

    # A filter that matches rarely: a short page and a cursor to carry on from.
    with (
        patch("custom_components.micboard.activity.BATCH_SIZE", 5),
        patch("custom_components.micboard.activity.MAX_SCAN", 10),
    ):
        page = await _page(client, start=start.isoformat(), service_code="nobody")
        assert page["rows"] == []
        assert page["next"]


async def test_invalid_queries(
    hass: HomeAssistant, hass_ws_client: WebSocketGenerator, network: FakeNetwork
) -> None:
    """An unknown event type, a bad date or cursor is refused."""
    await _setup(hass, network)
    client = await hass_ws_client(hass)
    for params in (
        {"event_type": "state_changed"},
        {"start": "yesterday"},
        {"cursor": "not a cursor"},
    ):
        await client.send_json_auto_id({"type": "micboard/activity", **params})
        msg = await client.receive_json()
        assert not msg["success"]
        assert msg["error"]["code"] == "invalid_format"


def test_cursor_and_filter() -> None:
    """Cursors round-trip; filters read lists or comma-separated strings."""
    assert decode_cursor(encode_cursor((1.5, 42))) == (1.5, 42)
    with pytest.raises(InvalidQueryError):
        decode_cursor("W10")
    flt = ActivityFilter.from_params({"service_code": "shure, sennheiser", "start": ""})
    assert flt.service_codes == {"shure", "sennheiser"}
    assert flt.start is None
    status_filter = ActivityFilter.from_params({"sync_status": "error"})
    assert not status_filter.matches(EVENT_DEVICE_SYNCED, {"sync_result": "broken"})
    assert not status_filter.matches(EVENT_DEVICE_OFFLINE, {})
    only_online = ActivityFilter.from_params({"event_type": [EVENT_DEVICE_ONLINE]})
    assert not only_online.matches(EVENT_DEVICE_OFFLINE, {})


async def test_live(
    hass: HomeAssistant, hass_ws_client: WebSocketGenerator, network: FakeNetwork
) -> None:
    """Live: the first page, then each new matching row as it happens."""
    await _setup(hass, network)
    await async_wait_recording_done(hass)
    client = await hass_ws_client(hass)
    await client.send_json_auto_id(
        {"type": "micboard/activity", "live": True, "event_type": [EVENT_DEVICE_OFFLINE]}
    )
    result = await client.receive_json()
    assert result["success"]
    subscription = result["id"]
    page = (await client.receive_json())["event"]
    assert page == {"type": "page", "rows": [], "next": None}

    network.backend.go_offline("Stage L")
    network.backend.come_back("Stage L")
    await hass.async_block_till_done()
    append = (await client.receive_json())["event"]
    assert append["type"] == "append"
    assert [row["sentence"] for row in append["rows"]] == ["Stage L ULXD4 went offline"]
    await client.send_json_auto_id({"type": "unsubscribe_events", "subscription": subscription})
    assert (await client.receive_json())["success"]

    # A live page that starts with rows; what fired while it was read follows it once.
    await client.send_json_auto_id({"type": "micboard/activity", "live": True})
    assert (await client.receive_json())["success"]
    hass.bus.async_fire(EVENT_DEVICE_OFFLINE, {"name": "Late", "service_code": "shure"})
    page = (await client.receive_json())["event"]
    assert page["type"] == "page"
    sentences = [row["sentence"] for row in page["rows"]]
    # "Late" fired while the page was read: it is on the page or follows it, never both.
    if sentences[0] != "Late went offline":
        append = (await client.receive_json())["event"]
        assert [row["sentence"] for row in append["rows"]] == ["Late went offline"]
    else:
        sentences.pop(0)
    assert sentences[0] == "Stage L ULXD4 came online"
    await client.send_json_auto_id({"type": "ping"})
    assert (await client.receive_json())["type"] == "pong"


async def test_live_unsubscribed_while_reading(
    hass: HomeAssistant, hass_ws_client: WebSocketGenerator, network: FakeNetwork
) -> None:
    """A client that leaves before the first page is read gets nothing more."""
    await _setup(hass, network)
    client = await hass_ws_client(hass)
    release = asyncio.Event()

    async def slow_page(*_args: Any) -> tuple[dict[str, Any], None]:
        await release.wait()
        return {"rows": [], "next": None}, None

    with patch("custom_components.micboard.activity._async_page", slow_page):
        await client.send_json_auto_id({"type": "micboard/activity", "live": True})
        result = await client.receive_json()
        assert result["success"]
        await client.send_json_auto_id({"type": "unsubscribe_events", "subscription": result["id"]})
        assert (await client.receive_json())["success"]
        release.set()
        await hass.async_block_till_done()
    await client.send_json_auto_id({"type": "ping"})
    assert (await client.receive_json())["type"] == "pong"


async def test_rest_view(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    hass_client_no_auth: ClientSessionGenerator,
    network: FakeNetwork,
) -> None:
    """GET /api/micboard/activity needs a token; with one it returns the page."""
    await _setup(hass, network)
    network.backend.go_offline("Stage L")
    await hass.async_block_till_done()
    await async_wait_recording_done(hass)

    anonymous = await hass_client_no_auth()
    assert (await anonymous.get("/api/micboard/activity")).status == HTTPStatus.UNAUTHORIZED

    client = await hass_client()
    response = await client.get(
        "/api/micboard/activity", params={"event_type": EVENT_DEVICE_OFFLINE}
    )
    assert response.status == HTTPStatus.OK
    body = await response.json()
    assert [row["sentence"] for row in body["rows"]] == ["Stage L ULXD4 went offline"]
    assert body["next"] is None
    response = await client.get("/api/micboard/activity", params={"service_code": "shure"})
    assert len((await response.json())["rows"]) == 3

    for params in ({"event_type": "nope"}, {"cursor": "%%%"}, {"end": "soon"}):
        response = await client.get("/api/micboard/activity", params=params)
        assert response.status == HTTPStatus.BAD_REQUEST


async def test_live_respects_the_date_range(
    hass: HomeAssistant, hass_ws_client: WebSocketGenerator, network: FakeNetwork
) -> None:
    """A live log that ends in the past appends nothing."""
    await _setup(hass, network)
    client = await hass_ws_client(hass)
    past = dt_util.utcnow().isoformat()
    future = (dt_util.utcnow() + timedelta(days=1)).isoformat()
    for bound in ({"end": past}, {"start": future}):
        await client.send_json_auto_id({"type": "micboard/activity", "live": True, **bound})
        assert (await client.receive_json())["success"]
        assert (await client.receive_json())["event"]["type"] == "page"
    network.backend.go_offline("Stage L")
    await hass.async_block_till_done()
    await client.send_json_auto_id({"type": "ping"})
    assert (await client.receive_json())["type"] == "pong"
