"""The board in headless Chromium: how long one meter tick takes to render for 400 tiles.

``python -m tools.bench.browser`` (or ``scripts/bench``, after its Home Assistant figures):
serves the shipped card modules (``custom_components/micboard/cards/``) and a small test
page from an aiohttp server on 127.0.0.1, opens it in Debian's Chromium through Playwright
and feeds ``micboard-card`` through a synthetic ``hass`` whose ``micboard/subscribe``
subscription plays what the integration sends: first the whole picture of 400 channels
(50 ULXD4Q + 50 EW-DX EM 4 Dante, two entries, the shape ``board.entry_picture`` builds)
and 20 SBC840 chargers on the Shure entry (160 bays, as ``scripts/bench --chargers 20``),
then ``meters`` messages at 10 Hz (the shape ``BoardStream._async_tick`` sends), each tick
moving the RF and audio meters of every channel: the worst case, where a real rig changes
only some meters per tick.

Two figures, each against the target of issue 15:

* **render time of one tick**: the card's handling of the message plus the frame that
  shows it, from that frame's first animation-frame callback until the task after the
  frame runs (once its style, layout and paint are done); p95 over a 60 s run;
* **long tasks**: main-thread tasks over 50 ms (``PerformanceObserver`` ``longtask``)
  during the same 60 s.

The first render of the picture (400 tiles and 160 bays built at once) is reported, not
judged. Bays have no meters: a tick must not touch them.
"""

from __future__ import annotations

import argparse
import asyncio
from dataclasses import asdict, dataclass, field, replace
import json
import math
from pathlib import Path
import random
import sys
from typing import Any

from aiohttp import web

from .const import LOOPBACK, ROOT
from .options import Options, parse
from .timing import say

CARDS = ROOT / "custom_components" / "micboard" / "cards"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORT = {"width": 1920, "height": 1080}
# TV mode fills the screen with all 400 tiles: on a 4K screen they still have room for bars.
TV_VIEWPORT = {"width": 3840, "height": 2160}

TARGET_RENDER_P95_MS = 8.0
TARGET_LONG_TASKS = 0
LONG_TASK_MS = 50
TICK_HZ = 10

RENDER_MEASURE = "board render p95 (400 tiles)"
LONG_TASKS_MEASURE = "long tasks in 60 s"

# The receivers of the synthetic rig, one entry per manufacturer: (model, channels, count).
RIG = {
    "shure": ("ULXD4Q", 4, 50),
    "sennheiser": ("EW-DX EM 4 Dante", 4, 50),
}
# The chargers beside them: (model, bays, count) per manufacturer.
CHARGERS = {"shure": ("SBC840", 8, 20)}
BAY_STATES = ("charging", "charging", "full", "full", "full", "warm", "calculating", "empty")


def available() -> str | None:
    """Why the browser figures cannot be taken here (None: they can)."""
    if not CHROMIUM.exists():
        return f"{CHROMIUM} is missing (Debian packages chromium, chromium-driver)"
    try:
        import playwright.async_api  # noqa: F401, PLC0415
    except ImportError:
        return "Playwright for Python is not installed"
    return None


def _channel(rnd: random.Random, manufacturer: str, rx: int, index: int) -> dict[str, Any]:
    """One channel of the picture, with the keys ``board.entry_picture`` gives it."""
    linked = rnd.random() > 0.05
    percent = rnd.randrange(5, 101) if linked else None
    bars = None if percent is None else min(5, math.ceil(percent / 20))
    shure = manufacturer == "shure"
    status = "unassigned"
    if bars is not None:
        status = "good" if bars >= 4 else "replace" if bars == 3 else "critical"
    return {
        "index": index,
        "name": f"{'Vox' if shure else 'CH'} {rx * 4 + index}",
        "device_id": f"dev-{manufacturer}-{rx}-{index}",
        "status": status,
        "transmitter": linked,
        "transmitter_model": ("ULXD2" if shure else "SKM") if linked else None,
        "battery_percent": percent,
        "battery_bars": bars,
        "runtime_minutes": None if percent is None else percent * 5,
        "frequency": round(470 + rx * 0.8 + index * 0.2, 3),
        "rf_level": -60.0 if linked else None,
        "audio_level": -30.0 if linked else None,
        "audio_peak": False,
        "quality": None,
        "rf_quality": None if shure or not linked else 90,
        "antenna": ("AX" if shure else "1") if linked else None,
        "entity_ids": {"status": f"sensor.{manufacturer}_{rx}_{index}_status"},
    }


def _bay(rnd: random.Random, manufacturer: str, charger: int, index: int) -> dict[str, Any]:
    """One bay of the picture, with the keys ``board.entry_picture`` gives it."""
    state = rnd.choice(BAY_STATES)
    charge = None if state == "empty" else 100 if state == "full" else rnd.randrange(5, 100)
    return {
        "index": index,
        "device_id": f"dev-{manufacturer}-charger-{charger}-{index}",
        "state": state,
        "charge_percent": charge,
        "time_to_full_minutes": (100 - charge) * 2 if charge is not None and charge < 100 else None,
        "health_percent": None if charge is None else rnd.randrange(70, 101),
        "error": None,
        "entity_ids": {"battery_state": f"sensor.{manufacturer}_bay_{charger}_{index}_state"},
    }


def _chargers(rnd: random.Random, manufacturer: str) -> list[dict[str, Any]]:
    model, bays, count = CHARGERS.get(manufacturer, ("", 0, 0))
    return [
        {
            "id": f"{manufacturer}-charger-{number:02d}",
            "name": f"Packs {number + 1}",
            "model": model,
            "online": True,
            "identified": True,
            "storage_mode": False,
            "device_id": f"dev-{manufacturer}-charger-{number}",
            "entity_ids": {},
            "bays": [_bay(rnd, manufacturer, number, i) for i in range(1, bays + 1)],
        }
        for number in range(count)
    ]


def picture(seed: int = 1) -> dict[str, Any]:
    """The first ``micboard/subscribe`` message of the synthetic rig (400 channels, 160
    bays)."""
    rnd = random.Random(seed)
    entries = []
    for manufacturer, (model, channels, count) in RIG.items():
        receivers = [
            {
                "id": f"{manufacturer}-{rx:03d}",
                "name": f"{model.split()[0]} {rx + 1}",
                "model": model,
                "online": True,
                "identified": True,
                "device_id": f"dev-{manufacturer}-{rx}",
                "entity_ids": {},
                "channels": [_channel(rnd, manufacturer, rx, i) for i in range(1, channels + 1)],
            }
            for rx in range(count)
        ]
        entries.append(
            {
                "entry_id": f"entry-{manufacturer}",
                "manufacturer": manufacturer,
                "title": manufacturer.title(),
                "device_id": f"dev-{manufacturer}",
                "receivers": receivers,
                "chargers": _chargers(rnd, manufacturer),
            }
        )
    return {"type": "picture", "entries": entries}


# The page: the card fed by a synthetic hass; `runBench` plays the ticks and measures.
PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><title>micboard board bench</title>
<style>
  body { margin: 0; padding: 8px; font-family: sans-serif; background: #111418; color: #e1e1e1;
    --primary-text-color: #e1e1e1; --secondary-text-color: #9b9b9b; --divider-color: #2f3338;
    --card-background-color: #1c1f23; --primary-color: #03a9f4; }
  ha-card { display: block; background: var(--card-background-color); border-radius: 12px; }
</style></head>
<body><div id="board"></div>
<script type="module">
  const params = new URLSearchParams(location.search);
  await import("/cards/micboard-card.js?v=bench");
  customElements.define("home-assistant", class extends HTMLElement {});
  await customElements.whenDefined("micboard-card");
  let feed = null;
  const hass = {
    locale: { language: "en" }, language: "en", devices: {}, areas: {}, states: {},
    connection: {
      subscribeMessage(callback, message) {
        if (message.type === "micboard/subscribe") feed = callback;
        return Promise.resolve(() => {});
      },
    },
    callWS: async () => ({ resources: {} }),
  };
  const card = document.createElement("micboard-card");
  card.setConfig({ layout: params.get("layout") ?? "auto" });
  card.hass = hass;
  document.getElementById("board").append(card);

  // Applies a message as the websocket would, then times the frame that shows it: from its
  // first animation-frame callback (registered before the card's, so it runs first) to the
  // task after the frame, which runs once the frame's style, layout and paint are done.
  const apply = (message) => new Promise((resolve) => {
    let frameStart = 0;
    requestAnimationFrame(() => { frameStart = performance.now(); });
    const fed = performance.now();
    feed(message);
    const handled = performance.now() - fed;
    requestAnimationFrame(() => {
      const script = performance.now();
      const channel = new MessageChannel();
      channel.port1.onmessage = () =>
        resolve({ handled, frameStart, script, done: performance.now() });
      channel.port2.postMessage(0);
    });
  });

  // A small seeded generator: every run plays the same meters.
  let seed = 12345;
  const random = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);

  window.runBench = async ({ picture, seconds, hz, share }) => {
    while (!feed) await new Promise((r) => setTimeout(r, 10));
    // A second run on the same page plays ticks only (the picture of the first stays).
    const first = picture ? await apply(picture) : { handled: 0, done: 0, frameStart: 0 };
    picture ??= window.lastPicture;
    window.lastPicture = picture;
    const tiles = card.shadowRoot.querySelectorAll(".tile").length;
    const bays = card.shadowRoot.querySelectorAll(".bay").length;
    const channels = [];
    for (const entry of picture.entries)
      for (const rx of entry.receivers)
        for (const ch of rx.channels)
          if (ch.rf_level !== null)
            channels.push({ entry_id: entry.entry_id, receiver_id: rx.id, index: ch.index });
    await new Promise((r) => setTimeout(r, 500));

    const longTasks = [];
    const observer = new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) longTasks.push(Math.round(entry.duration));
    });
    observer.observe({ type: "longtask" });
    const render = [], script = [];
    const ticks = Math.round(seconds * hz);
    const began = performance.now();
    for (let n = 0; n < ticks; n += 1) {
      // Wait for the tick's slot (10 Hz), then apply it as a websocket message would.
      const due = began + (n * 1000) / hz;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      const message = { type: "meters", channels: [] };
      for (const ch of channels) {
        if (random() >= share) continue;
        const rf_level = Math.round(-90 + 45 * random());
        const audio_level = Math.round(-50 + 48 * random());
        message.channels.push({ ...ch, rf_level, audio_level });
      }
      const frame = await apply(message);
      render.push(frame.handled + frame.done - frame.frameStart);
      script.push(frame.handled + frame.script - frame.frameStart);
    }
    const elapsed = (performance.now() - began) / 1000;
    await new Promise((r) => setTimeout(r, 200));
    observer.disconnect();
    return {
      tiles, bays, ticks, elapsed, render, script, longTasks,
      firstRender: first.handled + first.done - first.frameStart,
      channelsPerTick: Math.round(channels.length * share),
    };
  };
  document.title = "ready";
</script></body></html>
"""


@dataclass(frozen=True)
class Setting:
    """One run: the card's layout, the browser's viewport and how long the ticks play."""

    layout: str
    width: int
    height: int
    seconds: float


@dataclass
class Run:
    """What one run of the page measured."""

    setting: Setting
    tiles: int
    ticks: int
    bays: int
    elapsed_s: float
    channels_per_tick: int
    first_render_ms: float
    render_ms: list[float] = field(default_factory=list)
    script_ms: list[float] = field(default_factory=list)
    long_tasks_ms: list[int] = field(default_factory=list)
    browser_version: str = ""


def percentile(values: list[float], share: float) -> float:
    """The nearest-rank percentile (nan for no values)."""
    if not values:
        return math.nan
    ranked = sorted(values)
    return ranked[min(len(ranked) - 1, max(0, math.ceil(share * len(ranked)) - 1))]


async def _serve() -> tuple[web.AppRunner, str]:
    """The cards and the page on a free 127.0.0.1 port."""

    async def page(_request: web.Request) -> web.Response:
        return web.Response(text=PAGE, content_type="text/html")

    app = web.Application()
    app.router.add_get("/", page)
    app.router.add_static("/cards/", CARDS)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, LOOPBACK, 0)
    await site.start()
    port = runner.addresses[0][1]
    return runner, f"http://{LOOPBACK}:{port}/"


def settings(seconds: float) -> list[Setting]:
    """The default layout on a 1080p screen (judged), then TV mode on a 4K one (a detail)."""
    return [
        Setting("auto", VIEWPORT["width"], VIEWPORT["height"], seconds),
        Setting("kiosk", TV_VIEWPORT["width"], TV_VIEWPORT["height"], min(seconds, 20)),
    ]


async def measure(runs_of: list[Setting], share: float = 1.0) -> list[Run]:
    """One run per setting, in a fresh page each."""
    from playwright.async_api import Error, ViewportSize, async_playwright  # noqa: PLC0415

    runner, url = await _serve()
    runs: list[Run] = []
    try:
        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(
                executable_path=str(CHROMIUM), args=CHROMIUM_ARGS
            )
            try:
                for setting in runs_of:
                    viewport: ViewportSize = {"width": setting.width, "height": setting.height}
                    page = await browser.new_page(viewport=viewport)
                    errors: list[str] = []

                    def failed(error: Error, errors: list[str] = errors) -> None:
                        errors.append(str(error))

                    page.on("pageerror", failed)
                    await page.goto(f"{url}?layout={setting.layout}")
                    await page.wait_for_function("document.title === 'ready'", timeout=20_000)
                    result = await page.evaluate(
                        "args => runBench(args)",
                        {
                            "picture": picture(),
                            "seconds": setting.seconds,
                            "hz": TICK_HZ,
                            "share": share,
                        },
                    )
                    await page.close()
                    if errors:
                        raise RuntimeError(f"the bench page failed: {errors}")
                    runs.append(
                        Run(
                            setting=setting,
                            tiles=int(result["tiles"]),
                            ticks=int(result["ticks"]),
                            bays=int(result["bays"]),
                            elapsed_s=float(result["elapsed"]),
                            channels_per_tick=int(result["channelsPerTick"]),
                            first_render_ms=float(result["firstRender"]),
                            render_ms=[float(v) for v in result["render"]],
                            script_ms=[float(v) for v in result["script"]],
                            long_tasks_ms=[int(v) for v in result["longTasks"]],
                            browser_version=browser.version,
                        )
                    )
            finally:
                await browser.close()
    finally:
        await runner.cleanup()
    return runs


@dataclass
class Row:
    """A row of the report: measure, figure, target, PASS/FAIL and details."""

    measure: str
    figure: str
    target: str
    passed: bool
    details: list[str]


def _where(run: Run) -> str:
    name = {"auto": "default layout", "kiosk": "TV mode"}.get(
        run.setting.layout, run.setting.layout
    )
    return f"{name} at {run.setting.width}x{run.setting.height}"


def rows(runs: list[Run]) -> list[Row]:
    """The two figures, judged on the first run; the others add details."""
    main = runs[0]
    p95 = percentile(main.render_ms, 0.95)
    details = [
        f"{_where(main)}: {main.tiles} tiles and {main.bays} charger bays, {main.ticks} ticks "
        f"at {TICK_HZ} Hz in "
        f"{main.elapsed_s:.1f} s, {main.channels_per_tick} channels' RF and audio per tick",
        f"p50 {percentile(main.render_ms, 0.5):.2f} ms, p99 {percentile(main.render_ms, 0.99):.2f}"
        f" ms, max {max(main.render_ms, default=math.nan):.2f} ms (message handling, "
        "then the frame from its first callback to the task after its paint)",
        f"of which scripts (message handling and the card's frame callback) p95 "
        f"{percentile(main.script_ms, 0.95):.2f} ms",
        f"first render of the picture ({main.tiles} tiles and {main.bays} bays built): "
        f"{main.first_render_ms:.0f} ms",
    ]
    for run in runs[1:]:
        details.append(
            f"{_where(run)} ({run.tiles} tiles, {run.elapsed_s:.0f} s): p95 "
            f"{percentile(run.render_ms, 0.95):.2f} ms, p50 {percentile(run.render_ms, 0.5):.2f}"
            f" ms, long tasks {len(run.long_tasks_ms)}, first render {run.first_render_ms:.0f} ms"
        )
    long_tasks = len(main.long_tasks_ms)
    return [
        Row(
            RENDER_MEASURE,
            f"{p95:.2f} ms",
            f"<= {TARGET_RENDER_P95_MS:g} ms",
            p95 <= TARGET_RENDER_P95_MS,
            details,
        ),
        Row(
            LONG_TASKS_MEASURE,
            str(long_tasks),
            f"{TARGET_LONG_TASKS}",
            long_tasks <= TARGET_LONG_TASKS,
            [
                f"tasks over {LONG_TASK_MS} ms during the {main.elapsed_s:.0f} s of ticks"
                + (f": {main.long_tasks_ms} ms" if main.long_tasks_ms else "")
            ],
        ),
    ]


def format_rows(found: list[Row], title: str) -> str:
    """The rows as a small table, like the main report's."""
    header = f"    {'measure':<40} {'figure':>12}  {'target':<14} result"
    out = ["", title, header, "-" * len(header)]
    for row in found:
        result = "PASS" if row.passed else "FAIL  <<<"
        out.append(f"    {row.measure:<40} {row.figure:>12}  {row.target:<14} {result}")
    out += ["-" * len(header), "details:"]
    for row in found:
        out.append(f"    {row.measure}")
        out += [f"    - {line}" for line in row.details]
    return "\n".join(out)


def title(runs: list[Run]) -> str:
    """The section title, with the browser's version."""
    version = runs[0].browser_version if runs else "?"
    return f"Board in headless Chromium ({CHROMIUM} {version}, Playwright, software rendering):"


def run_for_report(options: Options, status: int = 0) -> int:
    """After scripts/bench's table: measure and print this section (and add it to --json).

    1 when it could not be measured and was asked for (``--browser``), as the report does
    for its own rows; without Chromium and without ``--browser`` a note says why not.
    """
    if reason := available():
        print(f"\nBoard in headless Chromium: not measured ({reason})", flush=True)
        return 1 if options.browser else status
    say(f"timing the board card in headless Chromium ({options.browser_seconds:g} s of ticks)")
    try:
        runs = asyncio.run(measure(settings(options.browser_seconds)))
    except Exception as err:  # reported; the exit status says it
        print(f"\nBoard in headless Chromium: not measured ({err!r})", flush=True)
        return 1
    found = rows(runs)
    print(format_rows(found, title(runs)), flush=True)
    if options.json:
        path = Path(options.json)
        data = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
        data["browser"] = [asdict(row) for row in found]
        path.write_text(json.dumps(data, indent=2), encoding="utf-8")
    return status


def main(argv: list[str] | None = None) -> int:
    """``python -m tools.bench.browser [--seconds S] [--json FILE]``: this section only."""
    parser = argparse.ArgumentParser(prog="python -m tools.bench.browser", description=__doc__)
    parser.add_argument("--seconds", type=float, default=60.0, help="meter ticks for this long")
    parser.add_argument("--json", help="add the rows to this JSON file (key 'browser')")
    args = parser.parse_args(argv)
    options = parse([f"--browser-seconds={args.seconds}", "--browser"])
    return run_for_report(replace(options, json=args.json))


if __name__ == "__main__":
    sys.exit(main())
