"""Older import path of the Shure receiver; it now lives in ``simulator.shure_tcp``."""

from .frontend import LOOPBACK
from .shure_tcp.server import CommandError, SimulatedReceiver

__all__ = ["LOOPBACK", "CommandError", "SimulatedReceiver"]
