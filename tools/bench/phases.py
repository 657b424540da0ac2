"""The benchmark's phases against one Home Assistant and one simulator worker."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Awaitable, Callable
import contextlib
import cProfile
import gc
import math
import time
import tracemalloc

from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er

from custom_components.micboard.const import DEVICE_TYPE_RECEIVER
from custom_components.micboard.coordinator import MicboardCoordinator
from custom_components.micboard.identifiers import description_key
from custom_components.micboard.manufacturers import get_manufacturer

from . import harness
from .accounting import GcWatch, LoopAccounting
from .board import BoardClient
from .const import (
    BOARD_SETTLE_S,
    LATENCY_MIN_CHANGES,
    LOOPBACK,
    SWAP_BACK_S,
    TARGET_OFFLINE_S,
    TARGET_RESYNC_S,
    TARGET_SETUP_S,
)
from .control import Worker
from .figures import (
    Window,
    board_rows,
    cpu_row,
    memory_row,
    recorder_rows_row,
    writes_row,
)
from .latency import LatencyRun, latency_row
from .options import Options
from .profiling import cprofile_report, tracemalloc_report
from .recorder import Recorder
from .results import MEASURES, Results
from .system import rss_mb, runqueue_wait, trimmed_rss_mb
from .timing import clock, say


async def run_bench(options: Options, worker: Worker, results: Results) -> None:
    """Every phase, in one Home Assistant, against the (ready) simulator worker."""
    async with harness.home_assistant() as hass:
        await worker.connect()
        bench = Bench(options, worker, results, hass)
        with harness.loopback_discovery():
            try:
                await bench.phases()
            finally:
                await bench.teardown()


class Bench:
    """Runs every phase against one Home Assistant and one simulator worker."""

    def __init__(
        self, options: Options, worker: Worker, results: Results, hass: HomeAssistant
    ) -> None:
        self.options = options
        self.worker = worker
        self.results = results
        self.hass = hass
        self.recorder = Recorder()
        # One entry per manufacturer, in the order the receivers name them (Shure first).
        self.entries: dict[str, harness.MockConfigEntry] = {}
        self.port_to_id: dict[int, str] = {}
        self.port_to_code: dict[int, str] = {}
        self.expected_channels = sum(rx["channels"] for rx in worker.receivers)
        self.wait_span = (0.0, 0.0)
        self.runqueue_ms_per_s = math.nan
        self.gc_watch = GcWatch()
        self.rss_before = 0.0
        self._malloc_before: tracemalloc.Snapshot | None = None
        # Home Assistant's HTTP port (127.0.0.1), for the board client.
        self.http_port = harness.http_port(hass)
        # Row 3's window, the board's baseline.
        self.steady: Window | None = None

    # --- helpers ---------------------------------------------------------------------------

    def _entity_id(self, domain: str, unique_id: str) -> str | None:
        return harness.entity_id(self.hass, domain, unique_id)

    def _resolve_key(self, entity_id: str) -> str:
        return harness.resolve_key(self.hass, entity_id)

    async def _wait_for(self, predicate: Callable[[], bool], within: float) -> bool:
        deadline = clock() + within
        while not predicate():
            if clock() > deadline:
                return False
            await asyncio.sleep(0.02)
        return True

    # --- phases ----------------------------------------------------------------------------

    async def phases(self) -> None:
        options = self.options
        recorder = self.recorder
        recorder.resolve = self._resolve_key
        recorder.listen(self.hass)

        gc.collect()
        self.rss_before = rss_mb()
        if options.tracemalloc:
            tracemalloc.start(options.tracemalloc)
            self._malloc_before = tracemalloc.take_snapshot()
        say(
            f"setting up the Micboard {' and '.join(self._hosts())} "
            f"entr{'ies' if len(self._hosts()) > 1 else 'y'} for "
            f"{len(self.worker.receivers)} receivers"
        )
        coordinators = await self._setup()
        for code, coordinator in coordinators.items():
            for receiver in coordinator.data.receivers.values():
                self.port_to_id[receiver.port] = receiver.api_device_id
                self.port_to_code[receiver.port] = code
        say(f"timing {options.resyncs} full resyncs each way")
        await self._resync(coordinators)

        self.wait_span = (clock(), runqueue_wait())
        self.gc_watch.start()
        await self.worker.set_rate(options.steady_rate, phase="settle")
        await asyncio.sleep(options.settle)
        say(f"steady state: {options.window:g} s of CPU accounting and state-write counting")
        await self._steady_state()
        # The bench's own full collection blocks the loop: no changes meanwhile (swap-backs
        # still due are made in phase M and left out of the latency, like those in phase C).
        await self.worker.set_rate(0, phase="M")
        self.gc_watch.stop()  # the bench's own full collection is not a pause Micboard causes
        gc.collect()
        rss_after = rss_mb()
        trimmed = trimmed_rss_mb()
        self.gc_watch.start()
        self._memory(rss_after, trimmed)
        if self._malloc_before is not None:
            gc.collect()
            after = tracemalloc.take_snapshot()
            tracemalloc.stop()
            self.results.profile += tracemalloc_report(self._malloc_before, after)
        say(f"one board subscribed: {options.board_window:g} s of the same accounting")
        await self._board()
        say(f"cProfile for {options.profile_window:g} s")
        await self._profile_window()
        say(f"latency burst for {options.burst_window:g} s")
        await self._latency_burst()
        span, waited = clock() - self.wait_span[0], runqueue_wait() - self.wait_span[1]
        self.runqueue_ms_per_s = 1000 * waited / span
        self.gc_watch.stop()
        self.results.notes.append(
            f"from the settle phase to the end of the latency burst ({span:.0f} s): "
            + self.gc_watch.summary(span)
        )
        await self.worker.set_rate(0)
        await asyncio.sleep(SWAP_BACK_S[1] + 0.5)
        await self._latency_report()
        say(f"silencing {options.offline_receivers} receivers until they are declared offline")
        await self._offline()
        if self.worker.chargers:
            self._charger_note()

    def _charger_note(self) -> None:
        """What the chargers beside the rig added: devices, entities and their events."""
        chargers = self.worker.chargers
        bays = sum(c["bays"] for c in chargers)
        prefixes = tuple(
            f"{code}:{api_id}{sep}"
            for code, entry in self.entries.items()
            for api_id in entry.runtime_data.data.chargers
            for sep in ("-", "/bay")
        )
        found = len(prefixes) // 2
        entity_count = sum(1 for e in self._registered() if e.unique_id.startswith(prefixes))
        events = ", ".join(
            f"{n} {kind} {event.removeprefix('micboard_device_')}"
            for (kind, event), n in sorted(self.recorder.charger_events.items())
        )
        self.results.notes.append(
            f"{len(chargers)} {chargers[0]['model']} chargers ({bays} bays, packs charging) "
            f"on the Shure entry beside the receivers: {found} identified, {entity_count} "
            f"charger and bay entities; their events during the run: {events or 'none'}"
        )

    def _hosts(self) -> dict[str, list[str]]:
        """The receivers' hosts by manufacturer code (one config entry each)."""
        hosts: dict[str, list[str]] = {}
        for rx in self.worker.receivers:
            hosts.setdefault(rx.get("manufacturer", "shure"), []).append(f"{LOOPBACK}:{rx['port']}")
        for charger in self.worker.chargers:
            hosts.setdefault(charger["manufacturer"], []).append(f"{LOOPBACK}:{charger['port']}")
        return hosts

    def _registered(self) -> list[er.RegistryEntry]:
        """The entity-registry entries of every Micboard entry."""
        return [
            e for entry in self.entries.values() for e in harness.entries(self.hass, entry.entry_id)
        ]

    async def _setup(self) -> dict[str, MicboardCoordinator]:
        """Row 1: from adding the entries until every channel and entity has a state.

        With several manufacturers the entries are set up at once, as Home Assistant does
        at start-up.
        """
        hass = self.hass
        by_code = self._hosts()
        for code, hosts in by_code.items():
            self.entries[code] = harness.add_entry(
                hass, hosts, detail_entities=self.options.detail_entities, manufacturer=code
            )
        started = clock()
        returned_at: dict[str, float] = {}

        async def set_up(code: str, entry: harness.MockConfigEntry) -> bool:
            done = await hass.config_entries.async_setup(entry.entry_id)
            returned_at[code] = clock()
            return done

        oks = await asyncio.gather(*(set_up(c, e) for c, e in self.entries.items()))
        ok = all(oks)
        returned = clock()

        def enabled() -> list[er.RegistryEntry]:
            return [e for e in self._registered() if e.disabled_by is None]

        def status_ready() -> int:
            return sum(
                1
                for e in enabled()
                if e.unique_id.endswith("-status")
                and (s := hass.states.get(e.entity_id)) is not None
                and s.state not in ("unknown", "unavailable")
            )

        def ready() -> bool:
            if not ok:
                return True
            entities = enabled()
            return status_ready() >= self.expected_channels and all(
                e.entity_id in self.recorder.first_state for e in entities
            )

        finished = await self._wait_for(ready, 60.0)
        entities = enabled()
        stamps = [self.recorder.first_state.get(e.entity_id) for e in entities]
        known = [s for s in stamps if s is not None]
        last = max(known, default=returned)
        setup_s = last - started
        channels = status_ready()
        disabled = len(self._registered()) - len(entities)
        hosts = [host for code_hosts in by_code.values() for host in code_hosts]
        if len(by_code) == 1:
            details = [
                f"config entry set-up returned after {returned - started:.2f} s "
                f"(first refresh of {len(hosts)} receivers, then the platforms)"
            ]
        else:
            details = [
                "config entries set up at once; "
                + ", ".join(
                    f"{get_manufacturer(code).name} ({len(by_code[code])} receivers) returned "
                    f"after {returned_at[code] - started:.2f} s"
                    for code in by_code
                )
                + " (first refresh, then the platforms)"
            ]
        details.append(
            f"{len(entities)} enabled entities with state ({disabled} disabled by default), "
            f"{channels} channel status sensors with a status"
        )
        if not ok or not finished:
            details.append(
                f"NOT READY: entry set-up {'ok' if ok else 'failed'}, {channels} of "
                f"{self.expected_channels} channels, {len(known)} of {len(entities)} entities"
            )
            self.results.unmeasured(1, *details)
            raise RuntimeError("the config entry did not reach a state for every channel")
        self.results.row(
            1,
            MEASURES[1][0].replace("all channels", f"all {self.expected_channels} channels"),
            f"{setup_s:.2f} s",
            MEASURES[1][1],
            setup_s < TARGET_SETUP_S,
            *details,
        )
        self.recorder.key_of.update({e.entity_id: description_key(e.unique_id) for e in entities})
        # Entities whose state the latency measurement times.
        for entity in entities:
            if entity.unique_id.endswith("-battery"):
                self.recorder.watched.add(entity.entity_id)
        return {code: entry.runtime_data for code, entry in self.entries.items()}

    async def _resync(self, coordinators: dict[str, MicboardCoordinator]) -> None:
        """Row 2: the backends' full refresh alone, then the coordinators'.

        With several entries every round refreshes them all at once (their 30 s timers are
        independent, so this is the worst case: both resyncs on the loop together); the
        figure is the wall time of the whole round.
        """
        backend_times: list[float] = []
        coordinator_times: list[float] = []
        # Per manufacturer, each entry's own wall time within the rounds.
        own: dict[str, list[float]] = {code: [] for code in coordinators}
        errors = 0

        async def timed[T](code: str, work: Awaitable[T]) -> T:
            began = clock()
            answer = await work
            own[code].append(clock() - began)
            return answer

        for _ in range(self.options.resyncs):
            started = clock()
            results = await asyncio.gather(*(c.backend.refresh() for c in coordinators.values()))
            backend_times.append(clock() - started)
            errors += sum(result.error_count for result in results)
        coordinator_cpu: list[float] = []
        for _ in range(self.options.resyncs):
            started, cpu = clock(), time.thread_time()
            await asyncio.gather(
                *(timed(code, c.async_refresh()) for code, c in coordinators.items())
            )
            coordinator_times.append(clock() - started)
            coordinator_cpu.append(time.thread_time() - cpu)
            errors += sum(1 for c in coordinators.values() if not c.last_update_success)
        worst = max(coordinator_times)
        what = "coordinator.async_refresh()"
        if len(coordinators) > 1:
            what = f"all {len(coordinators)} entries' coordinator.async_refresh() at once"
        details = [
            f"{what}, worst of "
            f"{len(coordinator_times)}: {', '.join(f'{t:.3f}' for t in coordinator_times)} s "
            "(backend refresh + snapshot diff + entity updates)",
        ]
        if len(coordinators) > 1:
            details.append(
                "each entry within those rounds: "
                + "; ".join(
                    f"{get_manufacturer(code).name} "
                    f"({sum(1 for c in self.port_to_code.values() if c == code)} receivers) "
                    + ", ".join(f"{t:.3f}" for t in times)
                    + " s"
                    for code, times in own.items()
                )
            )
        details += [
            f"backend.refresh() alone: {', '.join(f'{t:.3f}' for t in backend_times)} s; "
            f"receiver errors: {errors}",
            "event-loop CPU time of each coordinator resync: "
            + ", ".join(f"{t:.3f}" for t in coordinator_cpu)
            + " s (the rest of the wall time is waiting for the receivers' replies: at least "
            "the 0.1 s burst quiet time)",
        ]
        self.results.row(
            2,
            MEASURES[2][0].replace("all receivers", f"{len(self.port_to_id)} receivers"),
            f"{worst:.2f} s",
            MEASURES[2][1],
            worst < TARGET_RESYNC_S and errors == 0,
            *details,
        )

    async def _window(self, phase: str, seconds: float) -> Window:
        """One measurement window at the steady rate: the loop's CPU by owner, state writes."""
        await self.worker.set_rate(self.options.steady_rate, phase=phase)
        counts_before = Counter(self.recorder.counts)
        events_before = Counter(self.recorder.events)
        accounting = LoopAccounting(set(self.port_to_id), frozenset({self.http_port}))
        listener_before = self.recorder.listener_seconds
        wall0, loop0, proc0 = clock(), time.thread_time(), time.process_time()
        sim0, wait0 = self.worker.cpu, runqueue_wait()
        accounting.start()
        try:
            await asyncio.sleep(seconds)
        finally:
            accounting.stop()
        wall = clock() - wall0
        overhead = accounting.overhead
        return Window(
            accounting=accounting,
            wall=wall,
            loop_cpu=time.thread_time() - loop0 - overhead,
            proc_cpu=time.process_time() - proc0 - overhead,
            sim_cpu=self.worker.cpu - sim0,
            waited=runqueue_wait() - wait0,
            listeners=self.recorder.listener_seconds - listener_before,
            overhead=overhead,
            gc_summary=self.gc_watch.summary(wall, since=clock() - wall),
            counts=self.recorder.counts - counts_before,
            events=self.recorder.events - events_before,
        )

    async def _steady_state(self) -> None:
        """Rows 3, 4 and 8: CPU, its owners and the state writes over one steady-state window."""
        window = self.steady = await self._window("A", self.options.window)
        wall = window.wall
        self.results.notes.append(
            f"steady state window {wall:.1f} s at {self.options.steady_rate:g} transmitter "
            f"changes/s: event-loop thread CPU {window.pct(window.loop_cpu):.1f} % of a core, "
            f"whole HA process {window.pct(window.proc_cpu):.1f} %, simulator process "
            f"{window.pct(window.sim_cpu):.1f} % (separate process); the loop thread waited "
            f"{1000 * window.waited / wall:.1f} ms per s for a CPU"
        )
        cpu_row(self.results, window)
        writes_row(self.results, window, Counter(self.recorder.key_of.values()))
        recorder_rows_row(self.results, window, None)

    async def _board(self) -> None:
        """Rows 9 and 10: one board client subscribed to every channel through Home
        Assistant's websocket API, measured like row 3 (same run, same driver rate); then
        the browser's rows (``_browser``) while the driver keeps going."""
        assert self.steady is not None
        await self.worker.set_rate(self.options.steady_rate, phase="B")
        client = BoardClient(self.http_port, await harness.access_token(self.hass))
        await client.connect()
        try:
            await client.subscribe()
            await asyncio.sleep(BOARD_SETTLE_S)
            client.count_from_now()
            window = await self._window("B", self.options.board_window)
            traffic = client.count_from_now()
            await client.unsubscribe()
        finally:
            await client.close()
        board_rows(
            self.results,
            traffic=traffic,
            window=window,
            without=self.steady,
            channels=self.expected_channels,
            after_unsubscribe=client.after_unsubscribe,
            picture_bytes=client.picture_bytes,
            deflate=client.deflate,
        )
        recorder_rows_row(self.results, self.steady, window)

    def _memory(self, rss_after: float, trimmed: float) -> None:
        """Row 7: resident memory the entry added."""
        entries = self._registered()
        enabled = sum(1 for entry in entries if entry.disabled_by is None)
        memory_row(
            self.results,
            rss_before=self.rss_before,
            rss_after=rss_after,
            trimmed=trimmed,
            enabled=enabled,
            registered=len(entries),
        )

    async def _profile_window(self) -> None:
        await self.worker.set_rate(self.options.steady_rate, phase="C")
        profile = cProfile.Profile()
        profile.enable()
        await asyncio.sleep(self.options.profile_window)
        profile.disable()
        self.results.profile += cprofile_report(profile, self.options.profile_window)

    async def _latency_burst(self) -> None:
        done = await self.worker.count()
        window = self.options.burst_window
        rate = max(self.options.burst_rate, (LATENCY_MIN_CHANGES * 1.2 - done) / window)
        await self.worker.set_rate(rate, phase="L")
        await asyncio.sleep(window)
        self.results.notes.append(
            f"latency burst: {window:g} s at {rate:g} changes/s after {done} changes at "
            f"{self.options.steady_rate:g}/s"
        )

    async def _latency_report(self) -> None:
        """Row 5."""
        log = await self.worker.change_log()
        run = LatencyRun(
            changes=log["log"],
            drain_ticks=log["drain_ticks"],
            seen=self.recorder.seen,
            port_to_id=self.port_to_id,
            port_to_code=self.port_to_code,
            entity_id=self._entity_id,
            resyncs=self.recorder.resyncs,
            gc_pauses=self.gc_watch.pauses,
            runqueue_ms_per_s=self.runqueue_ms_per_s,
        )
        latency_row(self.results, run)

    async def _offline(self) -> None:
        """Row 6: silenced receivers until device_offline, then back until device_online."""
        ports = self._offline_ports()
        ids = {port: self.port_to_id[port] for port in ports}
        recorder = self.recorder
        recorder.offline.clear()
        recorder.online.clear()
        stamps = await self.worker.silence(ports)

        def all_offline() -> bool:
            gone = recorder.receivers_offline()
            return all(api in gone for api in ids.values())

        await self._wait_for(all_offline, 3 * TARGET_OFFLINE_S)
        detection = [_first(recorder.offline, api) - stamps[port] for port, api in ids.items()]
        resumed = await self.worker.resume(ports)

        def all_online() -> bool:
            back = recorder.receivers_online()
            return all(api in back for api in ids.values())

        await self._wait_for(all_online, 15.0)
        back = [_first(recorder.online, api) - resumed[port] for port, api in ids.items()]
        worst = max(detection)
        models = {rx["port"]: rx["model"] for rx in self.worker.receivers}
        several = len(set(self.port_to_code.values())) > 1

        def figures(values: list[float], digits: int) -> str:
            if not several:  # one manufacturer: as the table always read
                return ", ".join(f"{v:.{digits}f}" for v in values)
            return ", ".join(
                f"{models[port]} {v:.{digits}f}" for port, v in zip(ports, values, strict=True)
            )

        self.results.row(
            6,
            MEASURES[6][0],
            f"{worst:.2f} s",
            MEASURES[6][1],
            worst <= TARGET_OFFLINE_S,
            f"{len(ports)} receivers silenced at once "
            f"({'sockets left open' if not several else 'TCP sockets left open, UDP unanswered'}"
            "): " + figures(detection, 3) + " s; the worst counts",
            "back online after resume: " + figures(back, 2) + " s",
        )

    def _offline_ports(self) -> list[int]:
        by_model: dict[str, list[int]] = {}
        for rx in self.worker.receivers:
            by_model.setdefault(rx["model"], []).append(rx["port"])
        picked: list[int] = []
        for ports in by_model.values():
            picked += ports[: max(1, self.options.offline_receivers // len(by_model))]
        return picked[: max(self.options.offline_receivers, len(by_model))]

    async def teardown(self) -> None:
        if self.entries:
            with contextlib.suppress(Exception):
                await self.worker.set_rate(0)
        for entry in self.entries.values():
            try:
                await self.hass.config_entries.async_unload(entry.entry_id)
            except Exception as err:
                self.results.notes.append(f"unloading the {entry.title} entry failed: {err!r}")
        await self.hass.async_stop(force=True)


def _first(events: list[tuple[float, str, str]], api: str) -> float:
    """When a receiver's first such event came (inf: never)."""
    hits = [t for t, a, k in events if a == api and k == DEVICE_TYPE_RECEIVER]
    return min(hits) if hits else math.inf
