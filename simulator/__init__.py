"""Simulated wireless-microphone receivers and chargers on 127.0.0.1, on the real wires.

A neutral rig (``rig.py``: devices, channels, transmitters, faults, a transition log) is
served by one front-end per protocol: ``shure_tcp`` (Shure command strings over TCP 2202)
and ``sennheiser_ssc`` (Sennheiser SSC v1, JSON over UDP). Used by tests, benchmarks and
``scripts/develop``; see README.md for the command line and the Python API.

Independence: nothing here imports ``custom_components`` (the client), and the framing and
encoding are written again from the protocol sheets. A framing bug shared by client and
simulator would pass every test; two independent implementations make it show.
"""

from .core import Simulator
from .frontend import LOOPBACK, FrontEnd
from .rig import MODELS, Device, Faults, Pack, PackState, Transition, TransitionLog, find_model
from .sennheiser_ssc import SscOptions, SscReceiver
from .shure_tcp import ChargerOptions, SimulatedCharger, SimulatedReceiver

__all__ = [
    "LOOPBACK",
    "MODELS",
    "ChargerOptions",
    "Device",
    "Faults",
    "FrontEnd",
    "Pack",
    "PackState",
    "SimulatedCharger",
    "SimulatedReceiver",
    "Simulator",
    "SscOptions",
    "SscReceiver",
    "Transition",
    "TransitionLog",
    "find_model",
]
