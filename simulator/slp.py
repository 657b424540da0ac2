"""Older import path of the Shure SLP announcements; they now live in ``simulator.shure_tcp``."""

from .shure_tcp.slp import SLP_PORT, announce, build_announcement

__all__ = ["SLP_PORT", "announce", "build_announcement"]
