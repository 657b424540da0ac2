"""Older import path of the Shure dialects; they now live in ``simulator.shure_tcp``."""

from .shure_tcp.dialects import DIALECTS, Dialect, Meter, Prop, resting_meter

__all__ = ["DIALECTS", "Dialect", "Meter", "Prop", "resting_meter"]
