"""Render the cards against the fixture in headless Chromium and check how they update.

    python tests/js/browser_check.py [--screenshots DIR]

Not collected by pytest (it needs Chromium and Playwright, as the e2e test does): serves
the repository on a free loopback port, opens ``tests/js/fixture.html`` in each layout,
fails on any page error, and checks that 10 Hz meter ticks for two channels redraw those two
channels' bars only (on their canvas: no element changes, on the charger's bays neither),
that the canvas holds what the card says it drew, that the bays show their states, and that
the manufacturers are named as the integration's registry names them.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import http.server
import json
from pathlib import Path
import sys
import threading
from typing import Any

from playwright.sync_api import sync_playwright

REPO = Path(__file__).resolve().parents[2]
METERED = ["00:0e:dd:aa:00:01:1", "00:0e:dd:aa:00:02:1"]
BAYS = {
    f"00:0e:dd:cc:00:02:{index}": tone
    for index, tone in enumerate(
        ["good", "progress", "warning", "neutral", "critical", "empty"], start=1
    )
}

DETAILS = sorted(["ULXD4D · Shure", "AD4Q · Shure", "EM 2 Dante · Sennheiser", "SBC840 · Shure"])


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        """No request log."""


def _activity_problems(result: dict[str, Any]) -> list[str]:
    """What the activity card got wrong: live row, paging, filter."""
    expected = {
        "liveFirst": "a live row",
        "pageRequest": {"type": "micboard/activity", "cursor": "page-2"},
        "lastRow": "an older page",
        "moreLeft": False,
        "filterRequest": {
            "type": "micboard/activity",
            "event_type": ["micboard_device_offline"],
            "live": True,
        },
        "filteredRows": ["Stage Right went offline"],
        # The manufacturers of the integration's registry, by its names.
        "manufacturerFilter": [
            ["", "All manufacturers"],
            ["shure", "Shure"],
            ["sennheiser", "Sennheiser"],
        ],
    }
    return [
        f"activity {key}: {result.get(key)!r}, expected {value!r}"
        for key, value in expected.items()
        if result.get(key) != value
    ]


def main() -> int:
    """Run the checks; 0 when all pass."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--screenshots", type=Path)
    args = parser.parse_args()
    handler = functools.partial(_Quiet, directory=str(REPO))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}/tests/js/fixture.html"
    failures: list[str] = []
    with contextlib.ExitStack() as stack:
        stack.callback(server.shutdown)
        playwright = stack.enter_context(sync_playwright())
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium",
            args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run"],
        )
        stack.callback(browser.close)
        for layout in ("grid", "compact", "kiosk"):
            page = browser.new_page(viewport={"width": 1280, "height": 800})
            errors: list[str] = []
            page.on("pageerror", lambda error, errors=errors: errors.append(str(error)))
            page.goto(f"{base}?layout={layout}&check=1")
            page.wait_for_function("document.title.startsWith('{')", timeout=15000)
            result = json.loads(page.title())
            print(f"{layout}: {dict(result, bars='...')}")
            if errors:
                failures.append(f"{layout}: page errors {errors}")
            if result["tiles"] != 6:
                failures.append(f"{layout}: {result['tiles']} tiles, expected 6")
            # Meter ticks redraw the bars of the two metered channels, on their canvas only.
            if result["touched"] or result["mutations"]:
                failures.append(f"{layout}: meter ticks changed elements: {result['touched']}")
            if result["redrawn"] != METERED:
                failures.append(f"{layout}: meter ticks redrew the bars of {result['redrawn']}")
            for key, bars in result["bars"].items():
                # What is on the canvas is what the card says it drew.
                seen = bars and (bars["rfPixels"], bars["audioPixels"])
                if seen and seen != (bars["rfPx"], bars["audioPx"]):
                    failures.append(f"{layout}: {key} bars drawn {bars}")
            if result["moreInfo"] != "sensor.vox_1_status":
                failures.append(f"{layout}: tapping Vox 1 opened {result['moreInfo']}")
            # The charger's bays, each in its state's colour; tapping one opens its battery state.
            if result["bays"] != BAYS:
                failures.append(f"{layout}: bays {result['bays']}, expected {BAYS}")
            if result["bayMoreInfo"] != "sensor.bay_2_of_packs_battery_state":
                failures.append(f"{layout}: tapping bay 2 opened {result['bayMoreInfo']}")
            # Model and manufacturer beside each group's name, the registry naming the maker
            # (on a TV the receivers' groups have no heading, the charger's has).
            details = ["SBC840 · Shure"] if layout == "kiosk" else DETAILS
            if result["details"] != details:
                failures.append(f"{layout}: group details {result['details']}, expected {details}")
            if layout != "kiosk":
                failures.extend(f"{layout}: {problem}" for problem in _activity_problems(result))
            if args.screenshots:
                args.screenshots.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(args.screenshots / f"{layout}.png"), full_page=True)
            page.close()
    for failure in failures:
        print("FAIL", failure)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
