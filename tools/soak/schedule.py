"""The seeded fault schedule and transmitter driver: a list of timed steps (pure).

Every step is either a simulator control command (``ctl``: the same commands as
``python -m simulator ctl``) or a Home Assistant action (``reload`` an entry, ``restart``).
The same seed, minutes and rig give the same steps.
"""

from __future__ import annotations

from dataclasses import dataclass, field
import heapq
import random

SHURE, SENNHEISER = "shure", "sennheiser"

# Fault kinds; each is drawn at least once per run (restart and reload too).
SILENT = "silent"  # hung 6-20 s: sockets open, no answers
SILENT_SHORT = "silent-short"  # hung 1-3 s (under the liveness timeout)
DROP = "drop"  # every connection aborted (SSC: every subscription forgotten)
POWER = "power"  # switched off 6-40 s (port refuses), then on
GARBAGE = "garbage"  # junk between messages for 20 s, plus one burst of junk
SPLIT = "split"  # Shure: every message in pieces of 1-16 bytes for 20 s
FLAP = "flap"  # off/on 3-4 times, 0.5-1.5 s each
DATAGRAMS = "datagrams"  # Sennheiser: 20 % lost, 20 % duplicated, 20 % reordered for 30 s
RELOAD = "reload"  # a config-entry reload (Shure and Sennheiser in turn)
RESTART = "restart"  # Home Assistant restart with 3 receivers switched off across it
KINDS = [SILENT, SILENT_SHORT, DROP, POWER, GARBAGE, SPLIT, FLAP, DATAGRAMS, RELOAD, RESTART]
_WEIGHTS = {
    SILENT: 4,
    SILENT_SHORT: 2,
    DROP: 3,
    POWER: 4,
    GARBAGE: 2,
    SPLIT: 2,
    FLAP: 2,
    DATAGRAMS: 2,
    RELOAD: 1,
}
# The longest each fault lasts (s).
_LONGEST = {
    SILENT: 20.0,
    SILENT_SHORT: 3.0,
    DROP: 2.0,
    POWER: 40.0,
    GARBAGE: 20.0,
    SPLIT: 20.0,
    FLAP: 12.0,
    DATAGRAMS: 30.0,
}
# Seconds between fault starts (uniform), between transmitter changes (mean), and the share
# of changes that rename a channel / the receiver.
FAULT_GAP_S = (4.0, 12.0)
DRIVER_RATE = 0.6
RENAME_SHARE = 0.06
RX_RENAME_SHARE = 0.02
SWAP_BACK_SHARE = 0.7
SWAP_BACK_S = (2.0, 8.0)
# No fault starts closer than this to the end, so that each is over before the quiet tail.
_END_MARGIN_S = 5.0
_RESTART_LEAD_S = 8.0
_RESTART_BACK_S = 30.0
_RESTART_HOLD_S = 45.0
_RELOAD_HOLD_S = 15.0
_RESTART_EVERY_S = 600.0
# A receiver gets no other fault until this long after its last one ended.
_RECOVER_S = 15.0


@dataclass(frozen=True, slots=True)
class Receiver:
    """A simulated receiver as the schedule knows it."""

    port: int
    manufacturer: str
    channels: int
    transmitters: tuple[bool, ...]


@dataclass(order=True, frozen=True, slots=True)
class Step:
    """One thing to do ``at`` seconds after the schedule starts."""

    at: float
    order: int
    action: str = field(compare=False)  # "ctl", "reload" or "restart"
    args: tuple[str, ...] = field(compare=False, default=())
    fault: str = field(compare=False, default="")


@dataclass
class Schedule:
    """Steps in time order and how many faults of each kind they inject."""

    steps: list[Step]
    faults: dict[str, int]
    seconds: float


class _Builder:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.steps: list[Step] = []
        self.faults: dict[str, int] = {}

    def add(self, at: float, action: str, *args: str, fault: str = "") -> None:
        self.steps.append(Step(round(at, 3), len(self.steps), action, tuple(args), fault))

    def ctl(self, at: float, *args: str, fault: str = "") -> None:
        self.add(at, "ctl", *args, fault=fault)


def build(seed: int, seconds: float, receivers: list[Receiver]) -> Schedule:
    """The fault schedule and the driver's transmitter changes for ``seconds``."""
    builder = _Builder(seed)
    _faults(builder, seconds, receivers)
    _driver(builder, random.Random(seed + 1), seconds, receivers)
    builder.steps.sort()
    return Schedule(builder.steps, builder.faults, seconds)


def _faults(b: _Builder, seconds: float, receivers: list[Receiver]) -> None:
    rng = b.rng
    busy: dict[int, float] = {rx.port: 0.0 for rx in receivers}
    ha_busy = 0.0
    restarts = max(1, round(seconds / _RESTART_EVERY_S))
    deck = [k for k in KINDS if k != RESTART]
    rng.shuffle(deck)
    restart_at = [seconds * (i + 0.5) / restarts for i in range(restarts)]
    reloads = 0
    t = 10.0
    while t < seconds - _END_MARGIN_S:
        if restart_at and t >= restart_at[0] - _RESTART_LEAD_S and t >= ha_busy:
            restart_at.pop(0)
            ha_busy = _restart(b, t, rng, receivers, busy)
            t += rng.uniform(*FAULT_GAP_S)
            continue
        kind = deck.pop() if deck else rng.choices(list(_WEIGHTS), list(_WEIGHTS.values()))[0]
        if kind == RELOAD:
            if t < ha_busy or any(r - _RESTART_LEAD_S - _RELOAD_HOLD_S < t for r in restart_at[:1]):
                t += 1.0
                continue
            b.add(t, "reload", SENNHEISER if reloads % 2 else SHURE, fault=RELOAD)
            b.faults[RELOAD] = b.faults.get(RELOAD, 0) + 1
            reloads += 1
            ha_busy = t + _RELOAD_HOLD_S
            t += rng.uniform(*FAULT_GAP_S)
            continue
        wanted = {SPLIT: SHURE, DATAGRAMS: SENNHEISER}.get(kind)
        free = [
            rx
            for rx in receivers
            if busy[rx.port] <= t and (wanted is None or rx.manufacturer == wanted)
        ]
        if not free:
            t += 1.0
            continue
        if t + _LONGEST[kind] > seconds - _END_MARGIN_S:
            # Too late for this one to be over before the quiet tail: a short one instead.
            if t + _LONGEST[DROP] > seconds - _END_MARGIN_S:
                break
            kind = DROP
        rx = rng.choice(free)
        end = _fault(b, kind, t, rx, rng)
        b.faults[kind] = b.faults.get(kind, 0) + 1
        busy[rx.port] = end + _RECOVER_S
        t += rng.uniform(*FAULT_GAP_S)


def _fault(b: _Builder, kind: str, t: float, rx: Receiver, rng: random.Random) -> float:
    """Add one fault's steps on ``rx`` from ``t``; returns when it is over."""
    port = str(rx.port)
    if kind == SILENT:
        end = t + rng.uniform(6.0, 20.0)
        b.ctl(t, "silent", port, fault=kind)
        b.ctl(end, "resume", port, fault=kind)
        return end
    if kind == SILENT_SHORT:
        end = t + rng.uniform(1.0, 3.0)
        b.ctl(t, "silent", port, fault=kind)
        b.ctl(end, "resume", port, fault=kind)
        return end
    if kind == DROP:
        b.ctl(t, "drop", port, fault=kind)
        return t + 2.0
    if kind == POWER:
        end = t + rng.uniform(6.0, 40.0)
        b.ctl(t, "power-off", port, fault=kind)
        b.ctl(end, "power-on", port, fault=kind)
        return end
    if kind == GARBAGE:
        end = t + 20.0
        b.ctl(t, "faults", port, "garbage=on", fault=kind)
        b.ctl(t + 5.0, "garbage", port, fault=kind)
        b.ctl(end, "faults", port, "garbage=off", fault=kind)
        return end
    if kind == SPLIT:
        end = t + 20.0
        b.ctl(t, "faults", port, "split=on", fault=kind)
        b.ctl(end, "faults", port, "split=off", fault=kind)
        return end
    if kind == FLAP:
        at = t
        for _ in range(rng.randint(3, 4)):
            b.ctl(at, "power-off", port, fault=kind)
            at += rng.uniform(0.5, 1.5)
            b.ctl(at, "power-on", port, fault=kind)
            at += rng.uniform(0.5, 1.5)
        return at
    assert kind == DATAGRAMS
    end = t + 30.0
    b.ctl(t, "faults", port, "loss=0.2", "duplicate=0.2", "reorder=0.2", fault=kind)
    b.ctl(end, "faults", port, "loss=0", "duplicate=0", "reorder=0", fault=kind)
    return end


def _restart(
    b: _Builder, t: float, rng: random.Random, receivers: list[Receiver], busy: dict[int, float]
) -> float:
    """Three receivers off, Home Assistant restarted, the receivers on again later."""
    chosen: list[Receiver] = []
    for manufacturer, count in ((SHURE, 2), (SENNHEISER, 1)):
        free = [r for r in receivers if r.manufacturer == manufacturer and busy[r.port] <= t]
        chosen += rng.sample(free, min(count, len(free)))
    restart = t + _RESTART_LEAD_S
    back = restart + _RESTART_BACK_S
    for rx in chosen:
        b.ctl(t, "power-off", str(rx.port), fault=RESTART)
        b.ctl(back, "power-on", str(rx.port), fault=RESTART)
        busy[rx.port] = back + _RECOVER_S
    b.add(restart, "restart", *(str(rx.port) for rx in chosen), fault=RESTART)
    b.faults[RESTART] = b.faults.get(RESTART, 0) + 1
    return restart + _RESTART_HOLD_S


def _driver(b: _Builder, rng: random.Random, seconds: float, receivers: list[Receiver]) -> None:
    """Transmitters changing all along (whatever state their receiver is in)."""
    on = {(rx.port, i + 1): tx for rx in receivers for i, tx in enumerate(rx.transmitters)}
    pending: list[tuple[float, int, int]] = []  # (due, port, channel): a swap coming back
    swapping: set[tuple[int, int]] = set()
    renames = 0
    t = 5.0
    while True:
        t += rng.expovariate(DRIVER_RATE)
        while pending and pending[0][0] <= t:
            due, port, channel = heapq.heappop(pending)
            swapping.discard((port, channel))
            on[port, channel] = True
            b.ctl(due, "tx-on", str(port), str(channel))
        if t >= seconds - _END_MARGIN_S:
            break
        rx = rng.choice(receivers)
        channel = rng.randint(1, rx.channels)
        if (rx.port, channel) in swapping:
            continue
        pick = rng.random()
        if pick < RX_RENAME_SHARE:
            renames += 1
            b.ctl(t, "rename", str(rx.port), "0", f"R{renames:04d}")
        elif pick < RX_RENAME_SHARE + RENAME_SHARE:
            renames += 1
            b.ctl(t, "rename", str(rx.port), str(channel), f"C{renames:04d}")
        elif on[rx.port, channel]:
            on[rx.port, channel] = False
            b.ctl(t, "tx-off", str(rx.port), str(channel))
            if rng.random() < SWAP_BACK_SHARE:
                swapping.add((rx.port, channel))
                heapq.heappush(pending, (t + rng.uniform(*SWAP_BACK_S), rx.port, channel))
        else:
            on[rx.port, channel] = True
            b.ctl(t, "tx-on", str(rx.port), str(channel))
    for due, port, channel in sorted(pending):
        b.ctl(min(due, seconds), "tx-on", str(port), str(channel))
