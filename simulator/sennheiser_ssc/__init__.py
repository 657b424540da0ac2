"""Sennheiser front-end: SSC v1 (JSON over UDP, port 45 on real devices) for EW-DX EM 2/EM 4.

Devices announce ``_ssc._udp.local.`` over mDNS; the simulator does not multicast it (tests
hand Home Assistant's zeroconf info objects to the flow instead).
"""

from .server import MDNS_TYPE, SSC_PORT, SscOptions, SscReceiver
from .tree import SscError, Tree

__all__ = ["MDNS_TYPE", "SSC_PORT", "SscError", "SscOptions", "SscReceiver", "Tree"]
