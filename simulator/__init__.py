"""Simulated Shure wireless receivers on 127.0.0.1, speaking the TCP 2202 command strings.

Used by tests, benchmarks and ``scripts/develop``; see README.md for the command line.
"""

from .core import Simulator
from .receiver import LOOPBACK, SimulatedReceiver
from .state import MODELS

__all__ = ["LOOPBACK", "MODELS", "SimulatedReceiver", "Simulator"]
