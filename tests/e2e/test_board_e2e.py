"""End to end: the Micboard cards in headless Chromium against a real ``hass``.

The same simulator and Home Assistant as ``test_develop_e2e.py`` (session fixtures): the
dashboard ``scripts/develop`` builds opens on the board card (every channel of both
manufacturers, every bay of the demo's chargers) with the activity card beside it, and has a
TV view. The tests switch transmitters off in the simulator and watch the tiles and the
activity log follow, read the meters back from the canvas they are drawn on, put a pack in a
charger and charge it to full, and open the dashboard editor's card picker. Each test leaves
the transmitters it switched off on again (and the bays it filled empty).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
import contextlib
from pathlib import Path
import re
import time
from typing import Any
from urllib.parse import urlsplit

from homeassistant.util import slugify
import pytest

from tools import develop
from tools.develop.dashboard import BOARD_VIEW, TV_VIEW

from .helpers import CHROMIUM, CHROMIUM_ARGS, RunningHA, SimulatedRig

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason="/usr/bin/chromium missing (Debian packages chromium, "
        "chromium-driver; scripts/setup installs them)",
    ),
]

VIEWPORT = {"width": 1440, "height": 900}
BOARD = "micboard-card"
ACTIVITY = "micboard-activity-card"
OFFLINE = ["micboard_device_offline"]

# What a page can ask a card for (the board is an open shadow root).
TILES_JS = """card => [...card.shadowRoot.querySelectorAll('.tile')].map(tile => ({
    key: tile.dataset.key,
    name: tile.querySelector('.name').textContent,
    status: tile.dataset.status,
    text: tile.querySelector('.status').textContent,
    manufacturer: tile.dataset.manufacturer,
    striped: tile.classList.contains('striped'),
    box: (({width, height, top, bottom, left, right}) =>
        ({width, height, top, bottom, left, right}))(tile.getBoundingClientRect()),
}))"""
LEVELS_JS = """card => Object.fromEntries([...card.shadowRoot.querySelectorAll('.tile')]
    .map(tile => [tile.dataset.key, card.levelsShown(tile.dataset.key)]))"""
# What the tile named ``name`` shows of its battery: segments lit (null: none shown),
# percent, runtime, and whether it is a last reading (dimmed).
BATTERY_JS = """(card, name) => {
    const tile = [...card.shadowRoot.querySelectorAll('.tile')].find(
        t => t.querySelector('.name').textContent === name);
    const segs = tile.querySelector('.segs');
    return {
        segments: segs.classList.contains('hidden') ? null : segs.querySelectorAll('i.on').length,
        percent: tile.querySelector('.pct').textContent,
        runtime: tile.querySelector('.runtime').textContent,
        stale: tile.querySelector('.battery').classList.contains('stale'),
    };
}"""
# The chargers on the board: each one's heading and bays (index from the bay's key).
CHARGERS_JS = """card => [...card.shadowRoot.querySelectorAll('.group.charger')].map(section => ({
    name: section.querySelector('.group-name').firstChild.textContent,
    heading: section.querySelector('.group-name').textContent,
    offline: section.classList.contains('offline'),
    bays: [...section.querySelectorAll('.bay')].map(bay => ({
        index: Number(bay.dataset.key.split(':').pop()),
        state: bay.dataset.state,
        tone: bay.dataset.tone,
        dim: bay.classList.contains('dim'),
        opacity: Number(getComputedStyle(bay).opacity),
        background: getComputedStyle(bay).backgroundColor,
        charge: bay.querySelector('.charge').textContent,
        toFull: bay.querySelector('.to-full').textContent,
        label: bay.querySelector('.bay-state').textContent,
        note: bay.querySelector('.bay-note').textContent,
        box: (({top, bottom}) => ({top, bottom}))(bay.getBoundingClientRect()),
    })),
}))"""
# Until the bay ``index`` of the charger named ``charger`` is in one of ``states``.
BAY_STATE_JS = """([card, charger, index, states]) => {
    const section = [...card.shadowRoot.querySelectorAll('.group.charger')].find(
        s => s.querySelector('.group-name').firstChild.textContent === charger);
    const bay = section && [...section.querySelectorAll('.bay')].find(
        b => b.dataset.key.split(':').pop() === String(index));
    return Boolean(bay && states.includes(bay.dataset.state));
}"""


async def _channels(rig: SimulatedRig) -> list[dict[str, Any]]:
    """Every simulated channel: receiver name, port, manufacturer, channel index and name."""
    listed = (await rig.ctl("list"))["receivers"]
    return [
        {
            "receiver": rx["name"],
            "port": rig.port_of(rx["name"]),
            "manufacturer": rx["manufacturer"],
            "index": index,
            "name": ch["name"],
            "transmitter": ch["transmitter"] is not None,
        }
        for rx in listed
        for index, ch in enumerate(rx["channels"], start=1)
    ]


async def _simulated_chargers(rig: SimulatedRig) -> list[dict[str, Any]]:
    """Every simulated charger as ``ctl list`` describes it (name, port, bays)."""
    chargers: list[dict[str, Any]] = (await rig.ctl("list"))["chargers"]
    return chargers


async def _board_chargers(page: Any, card: Any, bays: int) -> list[dict[str, Any]]:
    """The board's chargers once it shows ``bays`` bays, each with a state."""
    await page.wait_for_function(
        "([card, count]) => card.shadowRoot.querySelectorAll('.bay[data-state]').length >= count",
        arg=[card, bays],
        timeout=20_000,
    )
    chargers: list[dict[str, Any]] = await card.evaluate(CHARGERS_JS)
    return chargers


async def _wait_bay(
    page: Any, card: Any, bay: tuple[str, int], states: list[str], *, limit_ms: float = 5_000
) -> float:
    """Seconds until the tile of ``bay`` (charger name, index) shows one of ``states``
    (checked every frame)."""
    started = time.monotonic()
    await page.wait_for_function(
        BAY_STATE_JS, arg=[card, *bay, states], polling="raf", timeout=limit_ms
    )
    return time.monotonic() - started


@contextlib.asynccontextmanager
async def _page(
    home_assistant: RunningHA,
    path: str,
    *,
    theirs: str | None = None,
    viewport: dict[str, int] | None = None,
) -> AsyncIterator[Any]:
    """A logged-in page on ``path`` (trusted networks), every request kept on loopback.

    Requests elsewhere are aborted and fail the test, but for those starting with
    ``theirs`` (the frontend's own, e.g. its card picker's example images).
    """
    from playwright.async_api import async_playwright  # noqa: PLC0415

    outside: list[str] = []
    errors: list[str] = []
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS
        )
        try:
            context = await browser.new_context(viewport=viewport or VIEWPORT)

            async def local_only(route: Any) -> None:
                if urlsplit(route.request.url).hostname in {"127.0.0.1", None, ""}:
                    await route.continue_()
                else:
                    if not (theirs and route.request.url.startswith(theirs)):
                        outside.append(route.request.url)
                    await route.abort()

            await context.route("**/*", local_only)
            page = await context.new_page()
            # Errors of the cards' own modules (not of the rest of the frontend).
            page.on(
                "pageerror",
                lambda error: errors.append(str(error)) if "micboard" in str(error.stack) else None,
            )
            await page.goto(home_assistant.url + path)
            yield page
        finally:
            await browser.close()
    assert not outside, f"requests left 127.0.0.1: {outside}"
    assert not errors, f"the cards failed: {errors}"


async def _card(page: Any, tag: str) -> Any:
    """The card element once it is on the page (Playwright's css pierces shadow roots)."""
    locator = page.locator(tag).first
    await locator.wait_for(state="attached", timeout=20_000)
    return await locator.element_handle()


async def _tiles(page: Any, card: Any, count: int) -> list[dict[str, Any]]:
    """The board's tiles once it shows ``count`` of them."""
    await page.wait_for_function(
        "([card, count]) => card.shadowRoot.querySelectorAll('.tile[data-status]').length >= count",
        arg=[card, count],
        timeout=20_000,
    )
    tiles: list[dict[str, Any]] = await card.evaluate(TILES_JS)
    return tiles


async def _wait_status(
    page: Any, card: Any, name: str, *, prev: bool, limit_ms: float = 10_000
) -> None:
    """Until the tile named ``name`` is (``prev``) or is not in a prev state (checked per frame)."""
    await page.wait_for_function(
        """([card, name, prev]) => [...card.shadowRoot.querySelectorAll('.tile')].some(
            tile => tile.querySelector('.name').textContent === name && tile.dataset.status
                && tile.dataset.status.startsWith('prev_') === prev)""",
        arg=[card, name, prev],
        polling="raf",
        timeout=limit_ms,
    )


async def test_board_shows_every_simulated_channel(
    rig: SimulatedRig, home_assistant: RunningHA, screenshot_dir: Path
) -> None:
    """ "/" opens on the board: one tile per simulated channel of both manufacturers."""
    channels = await _channels(rig)
    assert {c["manufacturer"] for c in channels} == {"shure", "sennheiser"}
    async with _page(home_assistant, "/") as page:
        card = await _card(page, BOARD)
        assert urlsplit(page.url).path == f"/{develop.DASHBOARD_URL}/{BOARD_VIEW}"
        tiles = await _tiles(page, card, len(channels))
        assert len(tiles) == len(channels)
        assert sorted(t["name"] for t in tiles) == sorted(c["name"] for c in channels)
        by_name = {t["name"]: t for t in tiles if t["name"] != "Lectern"}
        for channel in channels:
            tile = by_name.get(channel["name"])
            if tile is None:  # "Lectern" is a Shure channel and a Sennheiser receiver
                continue
            assert tile["manufacturer"] == channel["manufacturer"], channel
            # The text says the status too, not only the colour.
            assert tile["text"], tile
            if not channel["transmitter"]:
                assert tile["status"] == "unassigned", tile
        # Grouped by receiver, with the model and manufacturer beside its name.
        headings = await card.evaluate(
            "card => [...card.shadowRoot.querySelectorAll('.group-name')].map(h => h.textContent)"
        )
        for receiver in {c["receiver"] for c in channels}:
            assert any(h.startswith(receiver) for h in headings), (receiver, headings)
        assert any("Sennheiser" in h for h in headings)
        assert any("Shure" in h for h in headings)
        # Both cards are registered for the dashboard editor's card picker.
        registered = await page.evaluate("() => (window.customCards ?? []).map(c => c.type)")
        assert {BOARD, ACTIVITY} <= set(registered)
        # The status names are the integration's own, from Home Assistant's translations.
        labels = await card.evaluate("card => card._labels")
        assert labels["prev_good"] == "Off (was good)", labels
        await page.wait_for_timeout(400)
        await page.screenshot(path=screenshot_dir / "board-start.png")

        # Tapping a tile opens its status entity's dialog.
        vox = page.locator(f"{BOARD} .tile", has_text="Vox 1").first
        await vox.click()
        dialog = page.locator("ha-more-info-dialog")
        await dialog.get_by_text("Vox 1 Status").first.wait_for(timeout=10_000)


# The simulator's pack states as the board's bays name them.
BAY_STATES = {
    "calculating": "calculating",
    "charging": "charging",
    "warm": "warm",
    "hot": "hot",
    "cold": "cold",
    "full": "full",
    "fault": "error",
}


def _rgb(css: str) -> tuple[int, int, int]:
    red, green, blue = (int(v) for v in re.findall(r"\d+", css)[:3])
    return red, green, blue


async def test_board_shows_the_chargers_bays(
    rig: SimulatedRig, home_assistant: RunningHA, screenshot_dir: Path
) -> None:
    """Every bay of the demo's SBC220 pair and SBC840: faulted red, empty dim, full green."""
    simulated = await _simulated_chargers(rig)
    assert {c["name"] for c in simulated} == {"Docks", "Packs"}
    async with _page(home_assistant, "/") as page:
        card = await _card(page, BOARD)
        shown = await _board_chargers(page, card, sum(len(c["bays"]) for c in simulated))
        by_name = {c["name"]: c for c in shown}
        assert set(by_name) == {"Docks", "Packs"}, shown
        for charger in simulated:
            board = by_name[charger["name"]]
            # The heading: name, model and manufacturer, and a summary of the packs.
            assert f"{charger['model']} · Shure" in board["heading"], board["heading"]
            assert "full" in board["heading"], board["heading"]
            assert not board["offline"]
            bays = {bay["index"]: bay for bay in board["bays"]}
            assert sorted(bays) == [bay["bay"] for bay in charger["bays"]]
            for bay in charger["bays"]:
                tile, battery = bays[bay["bay"]], bay["battery"]
                where = f"{charger['name']} bay {bay['bay']}: {tile}"
                if battery is None:  # empty: dim, nothing but the word
                    assert (tile["state"], tile["tone"], tile["label"]) == (
                        "empty",
                        "empty",
                        "Empty",
                    ), where
                    assert tile["dim"], where
                    assert tile["opacity"] < 0.6, where
                    assert tile["charge"] == "", where
                    continue
                assert tile["state"] == BAY_STATES[battery["state"]], (where, battery)
                assert not tile["dim"], where
                if tile["state"] == "error":  # the faulted pack: red, with the reason
                    assert (tile["tone"], tile["label"]) == ("critical", "Error"), where
                    assert tile["note"] == "Communication failure", where
                    red, green, blue = _rgb(tile["background"])
                    assert red > 150, where
                    assert max(green, blue) < 110, where
                    continue
                assert tile["charge"] == f"{battery['charge']} %", (where, battery)
                assert tile["note"] == "", where  # no error: nothing to say
                if tile["state"] == "full":
                    assert (tile["tone"], tile["label"], tile["toFull"]) == (
                        "good",
                        "Fully charged",
                        "",
                    ), where
                    red, green, _blue = _rgb(tile["background"])
                    assert green > red, where
                elif tile["state"] == "charging":
                    assert tile["tone"] == "progress", where
                    assert re.fullmatch(r"\d+:\d\d", tile["toFull"]), where
        packs = {bay["index"]: bay for bay in by_name["Packs"]["bays"]}
        assert packs[7]["state"] == "error", packs[7]
        assert packs[6]["state"] == packs[8]["state"] == "empty"
        assert packs[4]["tone"] == "warning", packs[4]  # 41 °C: charging, warm

        # Tapping a bay opens its battery state entity's dialog.
        await page.locator(f"{BOARD} .group.charger .bay").first.click()
        dialog = page.locator("ha-more-info-dialog")
        await dialog.get_by_text("Battery state").first.wait_for(timeout=10_000)


async def test_a_pack_put_in_charges_to_full_on_the_board(
    rig: SimulatedRig, home_assistant: RunningHA, screenshot_dir: Path
) -> None:
    """bay-insert: the bay's tile has the pack within 1 s, charging within 1 s of the
    charger's first minute, then full; taken out again it is empty."""
    packs = next(c for c in await _simulated_chargers(rig) if c["name"] == "Packs")
    port = str(packs["port"])
    empty = next(bay["bay"] for bay in packs["bays"] if bay["battery"] is None)
    async with _page(home_assistant, "/") as page:
        card = await _card(page, BOARD)
        await _board_chargers(page, card, len(packs["bays"]))
        await _wait_bay(page, card, ("Packs", empty), ["empty"])
        try:
            sent = time.monotonic()
            await rig.ctl("bay-insert", port, str(empty), "99")
            # A real charger works out a new pack for its first minute, then charges it.
            await _wait_bay(page, card, ("Packs", empty), ["calculating", "charging"])
            appeared = time.monotonic() - sent
            sent = time.monotonic()
            await rig.ctl("charge", port, "1")
            await _wait_bay(page, card, ("Packs", empty), ["charging"])
            charging = time.monotonic() - sent
            tile = next(
                bay
                for c in await card.evaluate(CHARGERS_JS)
                if c["name"] == "Packs"
                for bay in c["bays"]
                if bay["index"] == empty
            )
            assert (tile["tone"], tile["label"], tile["charge"]) == ("progress", "Charging", "99 %")
            assert re.fullmatch(r"0:0\d", tile["toFull"]), tile
            await page.wait_for_timeout(300)
            section = page.locator(f"{BOARD} .groups").first
            await section.screenshot(path=screenshot_dir / "chargers-board.png")
            await _chargers_screenshot(page, card, screenshot_dir / "chargers.png")
            # 1 % is 1.8 charging minutes: two more and the pack is full.
            await rig.ctl("charge", port, "2")
            await _wait_bay(page, card, ("Packs", empty), ["full"])
        finally:
            await rig.ctl("bay-remove", port, str(empty))
        await _wait_bay(page, card, ("Packs", empty), ["empty"])
    print(
        f"Packs bay {empty}: pack shown {appeared * 1000:.0f} ms after bay-insert, charging "
        f"{charging * 1000:.0f} ms after its first charging minute"
    )
    assert appeared <= 1.0, f"the pack showed {appeared:.2f} s after bay-insert"
    assert charging <= 1.0, f"charging showed {charging:.2f} s after the charger's minute"


async def _chargers_screenshot(page: Any, card: Any, path: Path) -> None:
    """The board's chargers as one picture."""
    await page.locator(f"{BOARD} .group.charger").first.scroll_into_view_if_needed()
    box = await card.evaluate(
        """card => {
            const sections = [...card.shadowRoot.querySelectorAll('.group.charger')];
            const rects = sections.map(s => s.getBoundingClientRect());
            const top = Math.min(...rects.map(r => r.top));
            const left = Math.min(...rects.map(r => r.left));
            return {x: left, y: top, width: Math.max(...rects.map(r => r.right)) - left,
                height: Math.max(...rects.map(r => r.bottom)) - top};
        }"""
    )
    pad = 12
    clip = {
        "x": max(0, box["x"] - pad),
        "y": max(0, box["y"] - pad),
        "width": box["width"] + 2 * pad,
        "height": box["height"] + 2 * pad,
    }
    await page.screenshot(path=path, clip=clip)


async def test_board_is_compact_on_a_phone(
    rig: SimulatedRig, home_assistant: RunningHA, screenshot_dir: Path
) -> None:
    """On a phone-sized screen the board switches to its compact layout: one row a channel."""
    channels = await _channels(rig)
    async with _page(home_assistant, "/", viewport={"width": 390, "height": 844}) as page:
        card = await _card(page, BOARD)
        tiles = await _tiles(page, card, len(channels))
        assert await card.evaluate("card => card.hasAttribute('compact')")
        # Full-width rows, far wider than tall.
        for tile in tiles:
            assert tile["box"]["width"] > 300, tile
            assert tile["box"]["height"] < 0.5 * tile["box"]["width"], tile
        await page.screenshot(path=screenshot_dir / "phone.png")


@pytest.mark.parametrize(("receiver", "index"), [("Stage L", 3), ("Lectern", 1)])
async def test_transmitter_off_turns_its_tile_prev_within_a_second(
    rig: SimulatedRig, home_assistant: RunningHA, screenshot_dir: Path, receiver: str, index: int
) -> None:
    """tx-off in the simulator: the tile is striped "Off (was ...)" within 1 s of the command,
    with the last battery reading, which a reloaded page shows too."""
    channel = next(
        c for c in await _channels(rig) if c["receiver"] == receiver and c["index"] == index
    )
    name, port = channel["name"], channel["port"]
    async with _page(home_assistant, "/") as page:
        card = await _card(page, BOARD)
        await _tiles(page, card, 1)
        await _wait_status(page, card, name, prev=False)
        try:
            sent = time.monotonic()
            await rig.ctl("tx-off", port, str(index))
            await _wait_status(page, card, name, prev=True, limit_ms=5_000)
            latency = time.monotonic() - sent
            tile = next(t for t in await card.evaluate(TILES_JS) if t["name"] == name)
            assert tile["striped"], tile
            assert tile["text"].startswith("Off (was "), tile
            assert latency <= 1.0, f"{name}: prev after {latency:.2f} s"
            # The board with a transmitter off (the README's picture), its row in the log.
            wanted = f"{name} transmitter went offline"
            await page.locator(f"{ACTIVITY} li", has_text=wanted).first.wait_for(timeout=10_000)
            await page.screenshot(path=screenshot_dir / f"board-{slugify(receiver)}-off.png")
            shown = await card.evaluate(BATTERY_JS, name)
            # Reloaded, the page saw no reading of the transmitter: the integration's
            # memory gives the board the same last battery.
            await page.reload()
            card = await _card(page, BOARD)
            await _wait_status(page, card, name, prev=True)
            reloaded = await card.evaluate(BATTERY_JS, name)
            assert shown["stale"], shown
            assert shown["segments"] is not None, shown
            assert reloaded == shown, (shown, reloaded)
        finally:
            await rig.ctl("tx-on", port, str(index))
        await _wait_status(page, card, name, prev=False, limit_ms=5_000)
        print(f"{receiver} {name}: tile prev {latency * 1000:.0f} ms after tx-off")


def _moved(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    """Channels whose bars were drawn at another width (read back from the canvas)."""
    return [
        key
        for key, shown in after.items()
        if shown
        and before.get(key)
        and (shown["rfPixels"], shown["audioPixels"])
        != (before[key]["rfPixels"], before[key]["audioPixels"])
    ]


async def test_meters_move_between_two_screenshots(
    rig: SimulatedRig, home_assistant: RunningHA, screenshot_dir: Path
) -> None:
    """The RF and audio bars follow the receivers' meters: widths read from the canvas."""
    channels = await _channels(rig)
    async with _page(home_assistant, "/") as page:
        card = await _card(page, BOARD)
        tiles = await _tiles(page, card, len(channels))
        await page.wait_for_timeout(1500)  # the first meter ticks
        before = await card.evaluate(LEVELS_JS)
        first = await card.screenshot()
        # Choir R's meters are set far apart; the rest move with the simulator's noise.
        choir = next(c for c in channels if c["name"] == "Choir R")
        key = next(t["key"] for t in tiles if t["name"] == choir["name"])
        await rig.ctl("levels", choir["port"], str(choir["index"]), "-95", "-55")
        await page.wait_for_timeout(2500)
        after = await card.evaluate(LEVELS_JS)
        second = await card.screenshot()
        (screenshot_dir / "meters-1.png").write_bytes(first)
        (screenshot_dir / "meters-2.png").write_bytes(second)

    assert first != second, "the board looked the same 2.5 s later"
    moved = _moved(before, after)
    assert len(moved) >= 3, f"only {moved} moved: {before} -> {after}"
    for shown in after.values():
        if shown:  # what the canvas holds is what the card drew, for the level it has
            assert (shown["rfPixels"], shown["audioPixels"]) == (shown["rfPx"], shown["audioPx"])
            assert abs(shown["rfPx"] - round(shown["rf"] * shown["width"])) <= 1, shown
    # Choir R: RF -95 dBm and audio -55 dBFS draw short bars (noise is a few dB).
    choir_r = after[key]
    assert choir_r["rfLevel"] < -85, choir_r
    assert choir_r["rfPixels"] < 0.3 * choir_r["width"], choir_r
    assert choir_r["audioPixels"] < 0.3 * choir_r["width"], choir_r


async def test_tv_mode_fills_the_screen_with_large_tiles(
    rig: SimulatedRig, home_assistant: RunningHA, screenshot_dir: Path
) -> None:
    """The TV view (``layout: kiosk``): every channel, tiles filling the view, larger."""
    channels = await _channels(rig)
    async with _page(home_assistant, "/") as page:
        card = await _card(page, BOARD)
        board = await _tiles(page, card, len(channels))
    async with _page(home_assistant, f"/{develop.DASHBOARD_URL}/{TV_VIEW}") as page:
        card = await _card(page, BOARD)
        tiles = await _tiles(page, card, len(channels))
        await page.wait_for_timeout(300)
        tiles = await card.evaluate(TILES_JS)
        await page.screenshot(path=screenshot_dir / "tv.png")

    assert len(tiles) == len(channels)
    area = min(t["box"]["width"] * t["box"]["height"] for t in tiles)
    board_area = max(t["box"]["width"] * t["box"]["height"] for t in board)
    assert area > 1.5 * board_area, (area, board_area)
    # One grid filling the view below the toolbar: no scrolling, little left over.
    bottom = max(t["box"]["bottom"] for t in tiles)
    assert VIEWPORT["height"] - 80 < bottom <= VIEWPORT["height"], bottom
    assert min(t["box"]["height"] for t in tiles) >= 150


async def _activity_rows(card: Any) -> list[dict[str, str]]:
    rows: list[dict[str, str]] = await card.evaluate(
        """card => [...card.shadowRoot.querySelectorAll('li')].map(li => ({
            type: li.dataset.eventType, manufacturer: li.dataset.manufacturer ?? '',
            sentence: li.querySelector('.sentence').textContent }))"""
    )
    return rows


async def test_activity_card_lists_offline_events_with_filters(
    api: Any, rig: SimulatedRig, home_assistant: RunningHA, screenshot_dir: Path
) -> None:
    """Filtered to Sennheiser offline events: the one from the recorder, then a live one."""
    channels = await _channels(rig)
    first = next(c for c in channels if c["receiver"] == "Lectern" and c["index"] == 2)
    live = next(c for c in channels if c["receiver"] == "Lectern" and c["index"] == 1)
    shure = next(c for c in channels if c["receiver"] == "Choir" and c["index"] == 1)
    off = [first]
    try:
        await rig.ctl("tx-off", first["port"], str(first["index"]))
        # In the recorder before the page asks for it.
        deadline = time.monotonic() + 10
        sentence = f"{first['name']} transmitter went offline"
        while not any(
            row["sentence"] == sentence
            for row in (await api.call("micboard/activity", event_type=OFFLINE))["rows"]
        ):
            assert time.monotonic() < deadline, "the offline event never reached the recorder"
            await asyncio.sleep(0.3)
        async with _page(home_assistant, "/") as page:
            card = await _card(page, ACTIVITY)
            await page.locator(f"{ACTIVITY} select").nth(0).select_option("micboard_device_offline")
            await page.locator(f"{ACTIVITY} select").nth(1).select_option("sennheiser")
            wanted = f"{first['name']} transmitter went offline"
            await page.locator(f"{ACTIVITY} li", has_text=wanted).first.wait_for(timeout=10_000)

            # Live: a Sennheiser transmitter going off appears on top; a Shure one does not.
            off += [shure, live]
            await rig.ctl("tx-off", shure["port"], str(shure["index"]))
            await rig.ctl("tx-off", live["port"], str(live["index"]))
            wanted = f"{live['name']} transmitter went offline"
            await page.locator(f"{ACTIVITY} li", has_text=wanted).first.wait_for(timeout=10_000)
            await page.wait_for_timeout(500)
            rows = await _activity_rows(card)
            await card.screenshot(path=screenshot_dir / "activity.png")
    finally:
        for channel in off:
            await rig.ctl("tx-on", channel["port"], str(channel["index"]))

    assert rows[0]["sentence"] == f"{live['name']} transmitter went offline", rows
    assert f"{first['name']} transmitter went offline" in [r["sentence"] for r in rows]
    assert {(r["type"], r["manufacturer"]) for r in rows} == {
        ("micboard_device_offline", "sennheiser")
    }, rows
    assert not any(shure["name"] in r["sentence"] for r in rows), rows


async def test_cards_are_in_the_card_picker_with_a_visual_editor(
    home_assistant: RunningHA, screenshot_dir: Path
) -> None:
    """Edit dashboard → Add card → By card → "Micboard": both cards; the board's editor."""
    async with _page(
        home_assistant,
        f"/{develop.DASHBOARD_URL}/{BOARD_VIEW}?edit=1",
        theirs="https://demo.home-assistant.io/",  # the core cards' previews
    ) as page:
        await page.get_by_text("Add card", exact=True).first.click(timeout=20_000)
        await page.get_by_text("By card", exact=True).click()
        await page.get_by_placeholder("Search cards").fill("Micboard")
        picker = page.locator("hui-card-picker")
        await picker.get_by_text("Micboard activity", exact=True).wait_for(timeout=10_000)
        board = picker.get_by_text("Micboard", exact=True)
        await board.wait_for()
        await page.screenshot(path=screenshot_dir / "card-picker.png")
        # The picker's cards are clicked through an overlay.
        await board.click(force=True)
        # The visual editor (ha-form with the card's own labels) and a live preview.
        await page.get_by_text("Group by", exact=True).wait_for(timeout=10_000)
        await page.get_by_text("Tapping a tile opens", exact=True).wait_for()
        preview = page.locator("hui-card-preview micboard-card, hui-dialog-edit-card micboard-card")
        await preview.first.locator(".tile").first.wait_for(timeout=10_000)
        await page.screenshot(path=screenshot_dir / "card-editor.png")
