"""Older home of the rig's plain values; everything now lives in ``simulator.rig``."""

from .rig import (
    BAND_START_KHZ,
    BARS,
    DEFAULT_BAND,
    DEFAULT_FIRMWARE,
    DEFAULT_TRANSMITTER,
    FULL_RUNTIME_MINUTES,
    MODELS,
    NOISE_FLOOR_DBM,
    SILENCE_DBFS,
    ChannelState,
    ModelInfo,
    ReceiverState,
    TransmitterState,
)

__all__ = [
    "BAND_START_KHZ",
    "BARS",
    "DEFAULT_BAND",
    "DEFAULT_FIRMWARE",
    "DEFAULT_TRANSMITTER",
    "FULL_RUNTIME_MINUTES",
    "MODELS",
    "NOISE_FLOOR_DBM",
    "SILENCE_DBFS",
    "ChannelState",
    "ModelInfo",
    "ReceiverState",
    "TransmitterState",
]
