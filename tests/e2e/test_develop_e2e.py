"""End to end: simulator -> real ``hass`` with Micboard -> REST/WebSocket API -> browser.

Runs once per module: the simulator's demo rig (five Shure and two Sennheiser receivers) and
a real Home Assistant set up exactly like ``scripts/develop`` does (onboarding, one config
flow per manufacturer, dashboard), on free loopback ports.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
import contextlib
from datetime import UTC, datetime, timedelta
import json
from pathlib import Path
import time
from typing import Any
from urllib.parse import urlsplit

import aiohttp
from homeassistant.util import slugify
import pytest

from tools import develop

from .helpers import CHROMIUM, CHROMIUM_ARGS, RunningHA, SimulatedRig

pytestmark = pytest.mark.e2e


MANUFACTURERS = {"shure": "Shure", "sennheiser": "Sennheiser"}


async def _entry_ids(api: Any) -> dict[str, str]:
    """Both entries, loaded, added by the user flow: entry id by manufacturer code."""
    entries = await api.get("/api/config/config_entries/entry", domain="micboard")
    assert sorted((e["title"], e["source"], e["state"]) for e in entries) == [
        ("Sennheiser", "user", "loaded"),
        ("Shure", "user", "loaded"),
    ]
    codes = {name: code for code, name in MANUFACTURERS.items()}
    return {codes[e["title"]]: str(e["entry_id"]) for e in entries}


async def _entry_id(api: Any, manufacturer: str = "shure") -> str:
    return (await _entry_ids(api))[manufacturer]


def _squash(model: str) -> str:
    """A model without spaces, hyphens and case: "EW-DX EM 4 Dante" ~ "EW-DX-EM4-DANTE"."""
    return "".join(ch for ch in model.upper() if ch not in " -_")


async def _states(api: Any) -> dict[str, dict[str, Any]]:
    return {s["entity_id"]: s for s in await api.get("/api/states")}


def _problems(found: Any, listed: list[dict[str, Any]], states: dict[str, Any]) -> list[str]:
    """What does not (yet) match the simulated rig; empty when everything is plausible."""
    problems: list[str] = []

    def state(device_id: str, key: str) -> str:
        entity_id = found.entity(device_id, key)
        return str(states[entity_id]["state"]) if entity_id in states else f"<no {key}>"

    def number(device_id: str, key: str, low: float, high: float) -> None:
        value = state(device_id, key)
        try:
            ok = low <= float(value) <= high
        except ValueError:
            ok = False
        if not ok:
            problems.append(f"{device_id} {key}={value}")

    def expect(device_id: str, key: str, wanted: set[str]) -> None:
        if (value := state(device_id, key)) not in wanted:
            problems.append(f"{device_id} {key}={value}, wanted {wanted}")

    svc = found.service["id"]
    expect(svc, "receivers_online", {str(len(listed))})
    expect(svc, "last_sync_status", {"success"})
    for receiver, rx in zip(found.receivers, listed, strict=True):
        expect(receiver["id"], "connectivity", {"on"})
        for channel, ch in zip(found.channels[receiver["id"]], rx["channels"], strict=True):
            cid = channel["id"]
            # The transmitter binary sensor is disabled by default: the status tells it.
            if ch["transmitter"] is None:
                expect(cid, "status", {"unassigned"})
                continue
            expect(cid, "status", {"good", "replace", "critical"})
            number(cid, "battery", 0, 100)
            number(cid, "rf_level", -120, 0)
    return problems


@pytest.mark.parametrize("manufacturer", ["shure", "sennheiser"])
async def test_rig_shows_up_with_plausible_states(
    api: Any, rig: SimulatedRig, home_assistant: RunningHA, manufacturer: str
) -> None:
    """Every simulated receiver and channel is a device of its manufacturer's entry."""
    listed = [
        rx for rx in (await rig.ctl("list"))["receivers"] if rx["manufacturer"] == manufacturer
    ]
    assert listed, f"the demo rig has no {manufacturer} receivers"
    found = await develop.read_rig(api, await _entry_id(api, manufacturer))
    assert found is not None
    assert found.service["name"] == MANUFACTURERS[manufacturer]
    assert [r["name"] for r in found.receivers] == [rx["name"] for rx in listed]
    for receiver, rx in zip(found.receivers, listed, strict=True):
        # AD4Q-A: model and band; "EW-DX EM 4 Dante": the SSC product string.
        assert _squash(receiver["model"]).startswith(_squash(rx["model"])), receiver["model"]
        assert receiver["manufacturer"] == MANUFACTURERS[manufacturer]
        channels = found.channels[receiver["id"]]
        assert [c["name"] for c in channels] == [ch["name"] for ch in rx["channels"]]

    # Meters arrive a moment after the entities; give them a few seconds.
    deadline = time.monotonic() + 10
    while problems := _problems(found, listed, await _states(api)):
        assert time.monotonic() < deadline, problems
        await asyncio.sleep(0.5)

    # Entity ids read the way the README promises.
    first = found.channels[found.receivers[0]["id"]][0]
    assert found.entity(first["id"], "status") == f"sensor.{slugify(first['name'])}_status"
    svc = found.service["id"]
    assert found.entity(svc, "receivers_online") == f"sensor.{manufacturer}_receivers_online"


async def test_sennheiser_channel_readings(api: Any, home_assistant: RunningHA) -> None:
    """The demo's EW-DX channels as the rig sets them: battery %, RF dBm, status, units."""
    found = await develop.read_rig(api, await _entry_id(api, "sennheiser"))
    assert found is not None
    theatre = next(r for r in found.receivers if r["name"] == "Theatre")
    channels = {c["name"]: c for c in found.channels[theatre["id"]]}
    states = await _states(api)

    def read(channel: str, key: str) -> dict[str, Any]:
        entity_id = found.entity(channels[channel]["id"], key)
        assert entity_id in states, f"{channel} has no {key} entity"
        return dict(states[entity_id])

    # LEAD 80 %, ALTO 45 %, HOST 8 % (critical), SPARE without a transmitter.
    for channel, percent in (("LEAD", 80), ("ALTO", 45), ("HOST", 8)):
        battery = read(channel, "battery")
        assert abs(float(battery["state"]) - percent) <= 2, (channel, battery["state"])
        assert battery["attributes"].get("unit_of_measurement") == "%"
        rf = read(channel, "rf_level")
        assert -107 <= float(rf["state"]) <= 0, (channel, rf["state"])
        assert rf["attributes"].get("unit_of_measurement") == "dBm"
    assert read("HOST", "status")["state"] == "critical"
    assert read("LEAD", "status")["state"] in {"good", "replace"}
    assert read("SPARE", "status")["state"] == "unassigned"
    assert read("SPARE", "battery")["state"] == "unknown"


@contextlib.asynccontextmanager
async def _subscribe(
    home_assistant: RunningHA, token: str, *event_types: str
) -> AsyncIterator[asyncio.Queue[dict[str, Any]]]:
    """A websocket of its own, subscribed to the event types; events land in a queue."""
    queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    async with (
        aiohttp.ClientSession() as session,
        session.ws_connect(home_assistant.url.replace("http", "ws") + "/api/websocket") as ws,
    ):
        assert (await ws.receive_json())["type"] == "auth_required"
        await ws.send_json({"type": "auth", "access_token": token})
        assert (await ws.receive_json())["type"] == "auth_ok"
        for msg_id, event_type in enumerate(event_types, start=1):
            await ws.send_json({"id": msg_id, "type": "subscribe_events", "event_type": event_type})
            result = await ws.receive_json()
            assert result["success"], result

        async def pump() -> None:
            async for msg in ws:
                data = json.loads(msg.data)
                if data.get("type") == "event":
                    queue.put_nowait(data["event"])

        task = asyncio.create_task(pump())
        try:
            yield queue
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task


async def _next_event(queue: asyncio.Queue[dict[str, Any]], event_type: str, name: str) -> Any:
    """The next event of that type about ``name`` (others are skipped), within 5 s."""
    async with asyncio.timeout(5):
        while True:
            event = await queue.get()
            if event["event_type"] == event_type and event["data"].get("name") == name:
                return event


async def _logbook_line(api: Any, since: datetime, device_id: str, message: str) -> Any:
    """The logbook entry for the device with that message (the recorder commits each 1 s)."""
    deadline = time.monotonic() + 10
    while True:
        entries = await api.call(
            "logbook/get_events", start_time=since.isoformat(), device_ids=[device_id]
        )
        if hit := [e for e in entries if e.get("message") == message]:
            return hit[0]
        assert time.monotonic() < deadline, f"no logbook line {message!r} in {entries}"
        await asyncio.sleep(0.3)


@pytest.mark.parametrize(
    ("manufacturer", "receiver_name"), [("shure", "Stage L"), ("sennheiser", "Theatre")]
)
async def test_transmitter_off_and_on_reach_events_and_logbook(
    api: Any, rig: SimulatedRig, home_assistant: RunningHA, manufacturer: str, receiver_name: str
) -> None:
    """tx-off on the simulator -> micboard_device_offline + "went offline"; and back."""
    found = await develop.read_rig(api, await _entry_id(api, manufacturer))
    assert found is not None
    receiver = next(r for r in found.receivers if r["name"] == receiver_name)
    channel = found.channels[receiver["id"]][0]
    name, port = channel["name"], rig.port_of(receiver_name)
    status = found.entity(channel["id"], "status")
    since = datetime.now(UTC) - timedelta(seconds=1)

    async with _subscribe(
        home_assistant, api.token, "micboard_device_offline", "micboard_device_online"
    ) as events:
        sent = time.monotonic()
        await rig.ctl("tx-off", port, "1")
        offline = await _next_event(events, "micboard_device_offline", name)
        latency = time.monotonic() - sent
        assert offline["data"]["service_code"] == manufacturer
        assert offline["data"]["device_type"] == "transmitter"
        assert offline["data"]["device_id"] == channel["id"]
        assert offline["data"]["api_device_id"].endswith(":1")
        assert latency < 3, f"offline event took {latency:.2f} s"
        assert (await api.get(f"/api/states/{status}"))["state"].startswith("prev_")

        line = await _logbook_line(api, since, channel["id"], "went offline")
        assert name in line["name"]

        await rig.ctl("tx-on", port, "1")
        online = await _next_event(events, "micboard_device_online", name)
        assert online["data"]["service_code"] == manufacturer
        assert online["data"]["device_id"] == channel["id"]
        assert (await api.get(f"/api/states/{status}"))["state"] in {"good", "replace", "critical"}
        await _logbook_line(api, since, channel["id"], "came online")

    # The REST logbook tells the same story, in plain words.
    start = since.strftime("%Y-%m-%dT%H:%M:%S%z")
    rest = await api.get(f"/api/logbook/{start}")
    messages = [f"{e.get('name')} {e.get('message')}" for e in rest]
    assert f"{name} transmitter went offline" in messages
    assert f"{name} transmitter came online" in messages


@pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason="/usr/bin/chromium missing (Debian packages chromium, "
    "chromium-driver; scripts/setup installs them)",
)
async def test_browser_shows_the_rig(
    api: Any, rig: SimulatedRig, home_assistant: RunningHA, screenshot_dir: Path
) -> None:
    """Headless Chromium: the dashboard's board and Entities views, receiver pages, logbook."""
    from playwright.async_api import async_playwright, expect  # noqa: PLC0415

    found = await develop.read_rig(api, await _entry_id(api))
    senn = await develop.read_rig(api, await _entry_id(api, "sennheiser"))
    assert found is not None
    assert senn is not None
    receiver = found.receivers[0]
    channels = found.channels[receiver["id"]]
    channel_names = [c["name"] for c in channels]
    em = next(r for r in senn.receivers if r["name"] == "Theatre")
    em_channels = senn.channels[em["id"]]
    outside: list[str] = []

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS
        )
        try:
            context = await browser.new_context(viewport={"width": 1600, "height": 1060})

            async def local_only(route: Any) -> None:
                if urlsplit(route.request.url).hostname in {"127.0.0.1", None, ""}:
                    await route.continue_()
                else:  # the test rig talks to nothing but loopback
                    outside.append(route.request.url)
                    await route.abort()

            await context.route("**/*", local_only)
            page = await context.new_page()

            async def go(path: str) -> None:
                if page.url.startswith(home_assistant.url):  # in-app, as a click would
                    await page.evaluate(
                        """path => {
                            history.pushState(null, "", path);
                            window.dispatchEvent(new CustomEvent("location-changed"));
                        }""",
                        path,
                    )
                else:
                    await page.goto(home_assistant.url + path)

            async def shows(shot: str, *locators: Any) -> None:
                for locator in locators:  # css/text locators pierce HA's shadow DOM
                    await expect(locator.first).to_be_visible(timeout=20_000)
                await page.wait_for_timeout(600)  # let cards finish their entry animation
                await page.screenshot(path=screenshot_dir / shot)

            def text(value: str) -> Any:
                return page.get_by_text(value, exact=True)

            # "/" lands on the Micboard dashboard, logged in through trusted networks, on
            # the board (test_board_e2e.py looks at it closely).
            await go("/")
            await shows(
                "start.png",
                *map(text, channel_names),
                *(text(c["name"]) for c in em_channels),
                page.locator("micboard-activity-card li"),
            )
            assert urlsplit(page.url).path.startswith(f"/{develop.DASHBOARD_URL}")

            # The Entities view: both manufacturers' sync logs, their receivers' channels
            # and the activity feed, from Home Assistant's own cards.
            await go(f"/{develop.DASHBOARD_URL}/rig")
            await shows(
                "entities.png",
                *map(text, channel_names),
                *(text(c["name"]) for c in em_channels),
                text("Shure"),
                text("Sennheiser"),
                text("Activity"),
            )

            # A transmitter dies: its tile says so at once and the Activity card logs it
            # (one line: the channel's status).
            await rig.ctl("tx-off", str(rig.ports[0]), "2")
            off = page.get_by_text("Off (was ")
            await shows("dashboard.png", off, off.nth(1))

            # The receiver's page links each channel device, named after the channel.
            await go(f"/config/devices/device/{receiver['id']}")
            await shows(
                "receiver.png",
                text(receiver["name"]),
                *(
                    page.locator(f'a[href="/config/devices/device/{c["id"]}"]', has_text=c["name"])
                    for c in channels
                ),
            )

            # The Sennheiser receiver's page: its channels, named as on the receiver.
            await go(f"/config/devices/device/{em['id']}")
            await shows(
                "sennheiser-receiver.png",
                text(em["name"]),
                *(
                    page.locator(f'a[href="/config/devices/device/{c["id"]}"]', has_text=c["name"])
                    for c in em_channels
                ),
            )

            await go("/logbook")
            await shows(
                "logbook.png",
                text(channels[0]["name"]),
                page.get_by_text("went offline"),
                page.get_by_text("came online"),
            )
        finally:
            await browser.close()

    assert not outside, f"requests left 127.0.0.1: {outside}"
    shots = (
        "start.png",
        "entities.png",
        "dashboard.png",
        "receiver.png",
        "sennheiser-receiver.png",
        "logbook.png",
    )
    for shot in shots:
        assert (screenshot_dir / shot).stat().st_size > 10_000


async def test_hass_log_is_clean(home_assistant: RunningHA) -> None:
    """No errors, and nothing Home Assistant has to warn about in our integration."""
    lines = home_assistant.log.read_text(errors="replace").splitlines()
    errors = [line for line in lines if " ERROR " in line or "Traceback" in line]
    ours = [
        line
        for line in lines
        if " WARNING " in line
        and ("custom_components.micboard" in line or "integration 'micboard'" in line)
    ]
    assert not errors, "\n".join(errors)
    assert not ours, "\n".join(ours)
