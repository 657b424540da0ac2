"""The soak run: Home Assistant with both entries, the schedule played, everything recorded."""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass, field
import math
from pathlib import Path
from typing import Any

from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr, entity_registry as er

from custom_components.micboard.coordinator import MicboardCoordinator
from tools.bench.const import LOOPBACK
from tools.bench.harness import loopback_discovery
from tools.bench.timing import clock

from . import harness
from .matching import SimEntry
from .observe import BusRecorder, LogCollector, LoopErrors, Resources, alive_objects, resources
from .schedule import SENNHEISER, SHURE, Receiver, Schedule, Step, build
from .simproc import SimProcess
from .timing import say

READY_TIMEOUT_S = 90.0
QUIET_S = 45.0
SAMPLE_EVERY_S = 60.0
_ENTRY_IDS = {SHURE: "soak_shure_entry", SENNHEISER: "soak_sennheiser_entry"}


@dataclass
class Observations:
    """Everything a run recorded, for the matcher and the report."""

    receivers: list[dict[str, Any]] = field(default_factory=list)
    api_ids: dict[int, str] = field(default_factory=dict)
    manufacturer_of: dict[int, str] = field(default_factory=dict)
    initial_tx: dict[int, dict[int, bool]] = field(default_factory=dict)
    initial_names: dict[int, dict[int, str]] = field(default_factory=dict)
    ha_blind: list[tuple[float, float, frozenset[int]]] = field(default_factory=list)
    lossy: dict[int, list[tuple[float, float]]] = field(default_factory=dict)
    samples: list[Resources] = field(default_factory=list)
    restarted_at: list[float] = field(default_factory=list)
    log: list[SimEntry] = field(default_factory=list)
    start: float = 0.0
    end: float = 0.0
    schedule: Schedule | None = None
    unavailable: list[str] = field(default_factory=list)
    entities_checked: int = 0
    notes: list[str] = field(default_factory=list)
    setup_s: list[float] = field(default_factory=list)
    late_steps: int = 0
    refused_steps: list[str] = field(default_factory=list)
    alive: dict[str, int] = field(default_factory=dict)


class Instance:
    """One Home Assistant test instance on the soak's config dir."""

    def __init__(self, config_dir: Path, specs: list[harness.EntrySpec], bus: BusRecorder) -> None:
        self.config_dir = config_dir
        self.specs = specs
        self.bus = bus
        self.hass: HomeAssistant | None = None
        self.entries: dict[str, harness.MockConfigEntry] = {}
        self._stack: contextlib.AsyncExitStack | None = None

    async def start(self) -> None:
        stack = self._stack = contextlib.AsyncExitStack()
        stack.enter_context(loopback_discovery())
        hass, entries = await stack.enter_async_context(
            harness.home_assistant(self.config_dir, self.specs)
        )
        self.hass = hass
        self.entries = {str(e.data["manufacturer"]): e for e in entries}
        self.bus.listen(hass)
        for entry in entries:
            # Setting up the first entry loads the integration, which sets up the other too.
            if entry.state is ConfigEntryState.NOT_LOADED:
                await hass.config_entries.async_setup(entry.entry_id)
        await hass.async_block_till_done()
        for entry in entries:
            if entry.state is not ConfigEntryState.LOADED:
                raise RuntimeError(f"the {entry.title} entry did not set up: {entry.state}")

    @property
    def hass_required(self) -> HomeAssistant:
        assert self.hass is not None
        return self.hass

    def coordinators(self) -> dict[str, MicboardCoordinator]:
        found: dict[str, MicboardCoordinator] = {}
        for code, entry in self.entries.items():
            coordinator: MicboardCoordinator = entry.runtime_data
            found[code] = coordinator
        return found

    def devices(self) -> int:
        assert self.hass is not None
        return len(dr.async_get(self.hass).devices)

    async def stop(self) -> None:
        self.bus.stop()
        if self.hass is not None:
            await self.hass.async_stop(force=True)
        if self._stack is not None:
            await self._stack.aclose()
        self.hass = None


class Soak:
    """Plays the schedule against one simulator and (successive) Home Assistant instances."""

    def __init__(
        self,
        *,
        sim: SimProcess,
        config_dir: Path,
        seed: int,
        minutes: float,
        bus: BusRecorder,
        logs: LogCollector,
        loop_errors: LoopErrors,
    ) -> None:
        self.sim = sim
        self.config_dir = config_dir
        self.seed = seed
        self.seconds = minutes * 60
        self.bus = bus
        self.logs = logs
        self.loop_errors = loop_errors
        self.obs = Observations()
        self.instance: Instance | None = None
        self.specs: list[harness.EntrySpec] = []

    async def run(self) -> Observations:
        obs = self.obs
        await self.sim.connect()
        obs.receivers = await self.sim.receivers()
        hosts: dict[str, list[str]] = {SHURE: [], SENNHEISER: []}
        for rx in obs.receivers:
            obs.manufacturer_of[int(rx["port"])] = str(rx["manufacturer"])
            hosts[str(rx["manufacturer"])].append(f"{LOOPBACK}:{rx['port']}")
        self.specs = [(_ENTRY_IDS[code], code, hosts[code]) for code in (SHURE, SENNHEISER)]
        say(
            f"setting up Home Assistant with both entries ({len(hosts[SHURE])} Shure, "
            f"{len(hosts[SENNHEISER])} Sennheiser receivers)"
        )
        await self._start_instance()
        coordinators = self._instance.coordinators()
        for coordinator in coordinators.values():
            for receiver in coordinator.data.receivers.values():
                obs.api_ids[receiver.port] = receiver.api_device_id
        warm_up = 30.0 if self.seconds >= 300 else 20.0
        say(f"warming up for {warm_up:g} s")
        await asyncio.sleep(warm_up)
        obs.samples.append(resources())
        for rx in obs.receivers:
            port = int(rx["port"])
            obs.initial_tx[port] = {
                int(c["channel"]): c["transmitter"] is not None for c in rx["channels"]
            }
            obs.initial_names[port] = {0: str(rx["name"])} | {
                int(c["channel"]): str(c["name"]) for c in rx["channels"]
            }
        schedule = obs.schedule = build(
            self.seed,
            self.seconds,
            [
                Receiver(
                    int(rx["port"]),
                    str(rx["manufacturer"]),
                    len(rx["channels"]),
                    tuple(c["transmitter"] is not None for c in rx["channels"]),
                )
                for rx in obs.receivers
            ],
        )
        say(
            f"playing {len(schedule.steps)} steps over {self.seconds:g} s: "
            + ", ".join(f"{n} {k}" for k, n in sorted(schedule.faults.items()))
        )
        obs.start = clock()
        sampler = asyncio.create_task(self._sample())
        try:
            await self._play(schedule.steps)
            say(f"schedule done; {QUIET_S:g} s quiet tail (every receiver on, no faults)")
            await asyncio.sleep(QUIET_S)
        finally:
            sampler.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await sampler
        obs.end = clock()
        obs.samples.append(resources())
        obs.alive = alive_objects()
        self._check_unavailable()
        obs.log = await self.sim.log()
        await self._instance.stop()
        return obs

    @property
    def _instance(self) -> Instance:
        assert self.instance is not None
        return self.instance

    async def _start_instance(self) -> float:
        """Start an instance; returns when its entries' set-up (the baseline) was done."""
        started = clock()
        self.instance = Instance(self.config_dir, self.specs, self.bus)
        await self.instance.start()
        baseline = clock()
        await self._wait_ready()
        self.obs.setup_s.append(clock() - started)
        return baseline

    async def _wait_ready(self) -> None:
        """Until every receiver the simulator has on answers (bounded)."""
        deadline = clock() + READY_TIMEOUT_S
        while clock() < deadline:
            on = {
                int(rx["port"])
                for rx in await self.sim.receivers()
                if rx["powered"] and not rx["silent"]
            }
            ready = {
                receiver.port
                for coordinator in self._instance.coordinators().values()
                for receiver in coordinator.data.receivers.values()
                if receiver.identified and receiver.online
            }
            if on <= ready:
                return
            await asyncio.sleep(0.25)
        self.obs.notes.append("not every receiver answered within the set-up timeout")

    async def _sample(self) -> None:
        while True:
            await asyncio.sleep(SAMPLE_EVERY_S)
            self.obs.samples.append(resources())

    async def _play(self, steps: list[Step]) -> None:
        start = self.obs.start
        for step in steps:
            delay = start + step.at - clock()
            if delay > 0:
                await asyncio.sleep(delay)
            elif delay < -1.0:
                self.obs.late_steps += 1
            if step.action == "ctl":
                await self._ctl(step)
            elif step.action == "reload":
                await self._reload(step.args[0])
            elif step.action == "restart":
                await self._restart([int(p) for p in step.args])

    async def _ctl(self, step: Step) -> None:
        command, *args = step.args
        reply = await self.sim.call(command, *args)
        if not reply.get("ok"):
            self.obs.refused_steps.append(f"{' '.join(step.args)}: {reply.get('error')}")
            return
        if command == "faults" and any(a.startswith("loss=") for a in args):
            port = int(args[0])
            windows = self.obs.lossy.setdefault(port, [])
            if "loss=0" in args:
                if windows:
                    windows[-1] = (windows[-1][0], clock())
            else:
                windows.append((clock(), math.inf))

    async def _reload(self, code: str) -> None:
        entry = self._instance.entries[code]
        say(f"reloading the {entry.title} entry")
        started = clock()
        await self._instance.hass_required.config_entries.async_reload(entry.entry_id)
        ports = frozenset(p for p, m in self.obs.manufacturer_of.items() if m == code)
        self.obs.ha_blind.append((started, clock(), ports))

    async def _restart(self, off: list[int]) -> None:
        say(f"restarting Home Assistant (receivers {', '.join(map(str, off))} switched off)")
        started = clock()
        await self._instance.stop()
        files = harness.storage_files(self.config_dir)
        baseline = await self._start_instance()
        devices = self._instance.devices()
        self.obs.notes.append(
            f"restart at +{started - self.obs.start:.0f} s took {clock() - started:.1f} s; the "
            f"new instance loaded {devices} devices from .storage ({', '.join(files)})"
        )
        self.obs.restarted_at.append(clock())
        self.obs.ha_blind.append((started, baseline, frozenset(self.obs.manufacturer_of)))

    def _check_unavailable(self) -> None:
        hass = self._instance.hass_required
        registry = er.async_get(hass)
        for entry in self._instance.entries.values():
            for entity in er.async_entries_for_config_entry(registry, entry.entry_id):
                if entity.disabled_by is not None:
                    continue
                self.obs.entities_checked += 1
                state = hass.states.get(entity.entity_id)
                if state is None or state.state == "unavailable":
                    self.obs.unavailable.append(
                        f"{entity.entity_id} ({'no state' if state is None else state.state})"
                    )
