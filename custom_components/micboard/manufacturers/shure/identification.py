"""Telling a receiver's family, model and channel count from what it reports.

From its MODEL where it answers one, else (older ULX-D/QLX-D firmware) from the keys and
channel indexes of its GET ALL burst. Never guessed: an answer that does not fit one family
for certain is no identity.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from .families import AXIENT, QLXD, SLXD, SLXD_PLUS, ULXD, Family

# Keys only the ULX-D/QLX-D key set has, and the ones only ULX-D has (sheet §3).
_ULX_QLX_KEYS = frozenset({"TX_TYPE", "BATT_BARS", "GROUP_CHAN"})
_ULX_ONLY_KEYS = frozenset({"AUDIO_MUTE", "RF_INT_DET"})
_CHANNELS_BY_SUFFIX = {"D": 2, "Q": 4}


@dataclass(frozen=True, slots=True)
class Identity:
    """What a receiver is: family, model name and channel count."""

    family: Family
    model: str
    channel_count: int


def family_of_model(model: str) -> tuple[Family, int] | None:
    """Family and channel count named by a MODEL string (``AD4Q-A`` -> Axient, 4)."""
    normalised = model.strip().upper()
    for prefix, family in (("ULXD4", ULXD), ("QLXD4", QLXD), ("SLXD4", SLXD), ("AD4", AXIENT)):
        if not normalised.startswith(prefix):
            continue
        suffix = normalised[len(prefix) : len(prefix) + 1]
        if family is QLXD:
            return QLXD, 1
        if family is AXIENT and suffix not in _CHANNELS_BY_SUFFIX:
            return None
        plus = family is SLXD and "+" in normalised
        return (SLXD_PLUS if plus else family), _CHANNELS_BY_SUFFIX.get(suffix, 1)
    return None


def identify(
    model: str | None, channel_keys: Collection[str], channel_indexes: Collection[int]
) -> Identity | None:
    """Tell the family from MODEL or, for firmware without MODEL, from a GET ALL burst.

    Returns None when the family cannot be told for certain: it is never guessed.
    """
    highest = max(channel_indexes, default=0)
    if model:
        found = family_of_model(model)
        if found is None:
            return None
        family, channels = found
        return Identity(family, model.strip(), max(channels, highest))
    keys = set(channel_keys)
    if not keys & _ULX_QLX_KEYS:
        return None
    family = ULXD if keys & _ULX_ONLY_KEYS else QLXD
    derived = family.models_by_channels.get(highest)
    return None if derived is None else Identity(family, derived, highest)
