"""The real client and backend against the simulator's independent SSC v1 front-end.

The simulator's framing was written apart from the client's, so a framing bug cannot
hide on both sides. Every reading of the sheet's open questions that the simulator can
play (``SscOptions``) is driven through the same scenarios.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from dataclasses import replace
import time

import pytest

from custom_components.micboard.manufacturers import ErrorKind, Receiver
from custom_components.micboard.manufacturers.sennheiser import (
    ClientOptions,
    SennheiserBackend,
    probe,
)
from simulator import Simulator
from simulator.sennheiser_ssc import SscOptions, SscReceiver

from ..waiting import eventually
from .helpers import FAST

# Timings a little slower than FAST: the simulator's meters come every 0.2 s.
SIM = replace(
    FAST,
    liveness_timeout=1.2,
    keepalive_after=0.4,
    request_timeout=0.4,
    subscription_lifetime=1,
    renew_interval=0.3,
)

READINGS = {
    "defaults": SscOptions(),
    "no-310-omit-meters": SscOptions(meter_read="omit", expiry_notice=False),
    "tx-off-silent": SscOptions(tx_off_push="nothing"),
    "resubscribe-adds": SscOptions(resubscribe="add"),
    "ack-bundled": SscOptions(ack="bundled", newline=True),
    "ack-separate": SscOptions(ack="separate"),
    "every-other-reading": SscOptions(
        meter_read="omit",
        tx_off_push="nothing",
        resubscribe="add",
        expiry_notice=False,
        ack="separate",
        newline=True,
    ),
}


@pytest.fixture
async def sim() -> AsyncIterator[Simulator]:
    """A deterministic simulator: seeded, no noise, no battery drain."""
    async with Simulator(seed=7, noise=False, battery_drain=0) as simulator:
        yield simulator


class Watched:
    """A backend watching one simulated receiver."""

    def __init__(self, backend: SennheiserBackend, device: SscReceiver) -> None:
        self.backend = backend
        self.device = device

    @property
    def receiver(self) -> Receiver:
        (receiver,) = self.backend.snapshot.receivers.values()
        return receiver

    async def until(self, condition: Callable[[Receiver], bool], within: float = 3.0) -> None:
        await eventually(lambda: condition(self.receiver), within)


@pytest.fixture
async def watch(sim: Simulator) -> AsyncIterator[Callable[..., object]]:
    backends: list[SennheiserBackend] = []

    async def start(
        model: str = "EW-DX-EM2",
        options: ClientOptions = SIM,
        ssc: SscOptions | None = None,
    ) -> Watched:
        device = await sim.add_sennheiser(model, options=ssc)
        backend = SennheiserBackend([("127.0.0.1", device.port)], options=options)
        backends.append(backend)
        await backend.start()
        return Watched(backend, device)

    yield start
    for backend in backends:
        await backend.stop()


@pytest.mark.parametrize(
    ("model", "channels"),
    [("EW-DX-EM2", 2), ("EW-DX-EM2-DANTE", 2), ("EW-DX-EM4-DANTE", 4)],
)
async def test_probe_models(sim: Simulator, model: str, channels: int) -> None:
    device = await sim.add_sennheiser(model)
    receiver = await probe("127.0.0.1", device.port, 3.0)
    assert receiver.identified
    assert receiver.online
    assert len(receiver.channels) == channels
    assert receiver.api_device_id == device.device.mac.lower()
    assert receiver.name == device.device.name
    assert receiver.firmware == device.device.firmware


async def test_probe_refused(sim: Simulator) -> None:
    device = await sim.add_sennheiser()
    await device.refuse_connections()
    with pytest.raises(Exception) as caught:  # noqa: PT011 - the kind is what matters
        await probe("127.0.0.1", device.port, 1.0)
    assert getattr(caught.value, "kind", None) is ErrorKind.REFUSED


async def test_probe_silent(sim: Simulator) -> None:
    device = await sim.add_sennheiser()
    device.go_silent()
    with pytest.raises(Exception) as caught:  # noqa: PT011 - the kind is what matters
        await probe("127.0.0.1", device.port, 0.8)
    assert getattr(caught.value, "kind", None) is ErrorKind.TIMED_OUT


@pytest.mark.parametrize("reading", list(READINGS.values()), ids=list(READINGS))
async def test_transmitter_off_and_on(watch: Callable[..., object], reading: SscOptions) -> None:
    watched: Watched = await watch(ssc=reading)  # type: ignore[misc]
    assert watched.receiver.online
    assert watched.receiver.channels[0].transmitter is not None
    watched.device.set_transmitter(1, on=False)
    await watched.until(lambda r: r.channels[0].transmitter is None)
    watched.device.set_transmitter(1, on=True, name="LEAD", battery_percent=55)
    await watched.until(
        lambda r: (
            (tx := r.channels[0].transmitter) is not None
            and tx.name == "LEAD"
            and tx.battery_percent == 55
        )
    )


@pytest.mark.parametrize("reading", list(READINGS.values()), ids=list(READINGS))
async def test_meters_keep_coming_past_the_lifetime(
    watch: Callable[..., object], reading: SscOptions
) -> None:
    watched: Watched = await watch(ssc=reading)  # type: ignore[misc]
    await watched.until(lambda r: r.channels[0].rf_level_dbm is not None)
    channel = watched.receiver.channels[0]
    assert channel.rf_level_dbm == -55
    assert channel.rf_quality_percent == 90
    assert channel.antenna in {"A", "B"}
    # Past the subscription lifetime: only renewals keep meters flowing. (A real sleep: the
    # loop must run meanwhile, for the renewals and for the device's expiry alike.)
    await asyncio.sleep(2 * SIM.subscription_lifetime)
    watched.device.set_levels(1, rf_dbm=-71, audio_dbfs=-12, antenna="B")
    await watched.until(lambda r: (r.channels[0].rf_level_dbm, r.channels[0].antenna) == (-71, "B"))
    assert watched.receiver.online


async def test_renames_and_battery(watch: Callable[..., object]) -> None:
    watched: Watched = await watch()  # type: ignore[misc]
    watched.device.rename_channel(2, "VOX 2")
    watched.device.rename("STAGE L")
    watched.device.set_battery(1, percent=35, minutes=140)
    await watched.until(lambda r: r.channels[1].name == "VOX 2")
    await watched.until(lambda r: r.name == "STAGE L")
    await watched.until(
        lambda r: (
            (tx := r.channels[0].transmitter) is not None
            and (tx.battery_percent, tx.battery_runtime_minutes) == (35, 140)
        )
    )
    # Bars are the HA layer's to derive.
    assert watched.receiver.channels[0].transmitter.battery_bars is None  # type: ignore[union-attr]


async def test_silent_device_goes_offline_within_5_s_and_recovers(
    watch: Callable[..., object],
) -> None:
    watched: Watched = await watch(options=replace(ClientOptions(), reconnect_max=2.0))  # type: ignore[misc]
    assert watched.receiver.online
    watched.device.go_silent()
    started = time.monotonic()
    await watched.until(lambda r: not r.online, within=6.0)
    assert time.monotonic() - started <= 5.0
    error = watched.receiver.error
    assert error is not None
    assert error.kind is ErrorKind.SILENT
    watched.device.resume()
    await watched.until(lambda r: r.online, within=5.0)


async def test_power_cycle(watch: Callable[..., object]) -> None:
    watched: Watched = await watch()  # type: ignore[misc]
    mac = watched.receiver.api_device_id
    await watched.device.power_off()
    await watched.until(lambda r: not r.online)
    assert watched.receiver.api_device_id == mac
    await watched.device.power_on()
    await watched.until(lambda r: r.online)


async def test_forgotten_subscriptions_come_back(watch: Callable[..., object]) -> None:
    watched: Watched = await watch()  # type: ignore[misc]
    await watched.device.drop_connections()
    watched.device.set_levels(1, rf_dbm=-80)
    await watched.until(lambda r: r.channels[0].rf_level_dbm == -80)
    assert watched.receiver.online


async def test_garbage_datagrams(watch: Callable[..., object]) -> None:
    watched: Watched = await watch()  # type: ignore[misc]
    watched.device.set_faults(garbage=True)
    await watched.device.send_garbage()
    watched.device.rename_channel(1, "AFTER")
    await watched.until(lambda r: r.channels[0].name == "AFTER")
    watched.device.set_levels(1, audio_dbfs=-6)
    await watched.until(lambda r: r.channels[0].audio_level_dbfs == -6)
    assert watched.receiver.online


async def test_lost_duplicated_and_reordered_datagrams(watch: Callable[..., object]) -> None:
    # Default timings: several renewals and keep-alives may be lost before anything lapses.
    watched: Watched = await watch(options=ClientOptions())  # type: ignore[misc]
    watched.device.set_faults(loss=0.2, duplicate=0.2, reorder=0.2)
    offline: list[float] = []
    watched.backend.add_listener(
        lambda snapshot, _change: offline.extend(
            time.monotonic() for r in snapshot.receivers.values() if not r.online
        )
    )
    watched.device.rename_channel(1, "LOSSY")
    watched.device.set_transmitter(2, on=False)
    await watched.until(lambda r: r.channels[0].name == "LOSSY", within=8.0)
    await watched.until(lambda r: r.channels[1].transmitter is None, within=8.0)
    watched.device.set_transmitter(2, on=True, name="BACK")
    await watched.until(
        lambda r: (tx := r.channels[1].transmitter) is not None and tx.name == "BACK",
        within=8.0,
    )
    assert not offline


async def test_audio_peak_comes_and_goes(watch: Callable[..., object]) -> None:
    watched: Watched = await watch()  # type: ignore[misc]
    watched.device.set_levels(1, audio_dbfs=-0.5)
    await watched.until(lambda r: r.channels[0].audio_peak)
    watched.device.set_levels(1, audio_dbfs=-30)
    await watched.until(lambda r: not r.channels[0].audio_peak)
