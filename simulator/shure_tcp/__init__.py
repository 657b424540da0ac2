"""Shure front-end: the TCP 2202 command strings (ULX-D, QLX-D, SLX-D, SLX-D+, Axient Digital
receivers; SBC220/240, SBC840/840M and SBRC chargers).

Also the SLP announcements Shure receivers multicast (``slp``), for discovery tests.
"""

from .charger import ChargerOptions, SimulatedCharger
from .dialects import DIALECTS, Dialect
from .server import SimulatedReceiver

__all__ = ["DIALECTS", "ChargerOptions", "Dialect", "SimulatedCharger", "SimulatedReceiver"]
