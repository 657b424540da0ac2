"""The manufacturers this library speaks, by code. Adding one is adding its spec here."""

from __future__ import annotations

from types import MappingProxyType

from .sennheiser import SENNHEISER
from .shure import SHURE
from .spec import ManufacturerSpec

MANUFACTURERS: MappingProxyType[str, ManufacturerSpec] = MappingProxyType(
    {spec.code: spec for spec in (SHURE, SENNHEISER)}
)


def get_manufacturer(code: str) -> ManufacturerSpec:
    """The manufacturer with this code; KeyError when there is none."""
    return MANUFACTURERS[code]
