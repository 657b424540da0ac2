"""Shure front-end: the TCP 2202 command strings (ULX-D, QLX-D, SLX-D, SLX-D+, Axient Digital).

Also the SLP announcements Shure receivers multicast (``slp``), for discovery tests.
"""

from .dialects import DIALECTS, Dialect
from .server import SimulatedReceiver

__all__ = ["DIALECTS", "Dialect", "SimulatedReceiver"]
