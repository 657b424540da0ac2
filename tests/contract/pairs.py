"""The (backend, simulator front-end) pairs the contract suite runs against: one list each.

A new backend is one more ``Pair`` in ``PAIRS``: which registry entry builds the backend,
which simulated model stands in for its devices, and how to add one to the simulator. A
backend that speaks to chargers too adds a ``ChargerPair`` to ``CHARGER_PAIRS``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from simulator import Simulator
from simulator.frontend import FrontEnd


@dataclass(frozen=True, slots=True, kw_only=True)
class Pair:
    """One backend and the simulator front-end that plays its devices."""

    # pytest id, e.g. "shure-tcp"
    id: str
    # The backend's code in ``manufacturers.MANUFACTURERS``.
    manufacturer: str
    # The simulated model, and how many channels the backend must find on it.
    model: str
    channels: int
    # Adds one device of ``model`` to the simulator (every transmitter on).
    add_device: Callable[[Simulator, str], Awaitable[FrontEnd]]


async def _add_shure(sim: Simulator, model: str) -> FrontEnd:
    return await sim.add_receiver(model, name="Contract", transmitters=True)


async def _add_sennheiser(sim: Simulator, model: str) -> FrontEnd:
    return await sim.add_sennheiser(model, name="Contract", transmitters=True)


PAIRS: list[Pair] = [
    Pair(id="shure-tcp", manufacturer="shure", model="ULXD4D", channels=2, add_device=_add_shure),
    Pair(
        id="sennheiser-ssc",
        manufacturer="sennheiser",
        model="EW-DX-EM2",
        channels=2,
        add_device=_add_sennheiser,
    ),
]


@dataclass(frozen=True, slots=True, kw_only=True)
class ChargerPair:
    """One backend and the simulated charger model that plays its chargers."""

    id: str
    manufacturer: str
    model: str
    # Bays the backend must find on it.
    bays: int


CHARGER_PAIRS: list[ChargerPair] = [
    ChargerPair(id="shure-sbc840", manufacturer="shure", model="SBC840", bays=8),
    ChargerPair(id="shure-sbc220-pair", manufacturer="shure", model="SBC220", bays=4),
    ChargerPair(id="sennheiser-chg70n", manufacturer="sennheiser", model="CHG70N", bays=2),
]
