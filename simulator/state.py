"""What a simulated receiver knows: plain values, independent of any wire format."""

from __future__ import annotations

from dataclasses import dataclass, field
import math

# A full Shure Li-ion pack runs a transmitter for about 8 hours.
FULL_RUNTIME_MINUTES = 480
BARS = 5


@dataclass(frozen=True, slots=True)
class ModelInfo:
    """A receiver model the simulator can play."""

    model: str
    family: str
    channels: int


MODELS: dict[str, ModelInfo] = {
    info.model: info
    for info in (
        ModelInfo("ULXD4", "ulxd", 1),
        ModelInfo("ULXD4D", "ulxd", 2),
        ModelInfo("ULXD4Q", "ulxd", 4),
        ModelInfo("QLXD4", "qlxd", 1),
        ModelInfo("SLXD4", "slxd", 1),
        ModelInfo("SLXD4D", "slxd", 2),
        ModelInfo("SLXD4+", "slxdplus", 1),
        ModelInfo("SLXD4D+", "slxdplus", 2),
        ModelInfo("SLXD4Q+", "slxdplus", 4),
        ModelInfo("AD4D", "axient", 2),
        ModelInfo("AD4Q", "axient", 4),
    )
}

DEFAULT_TRANSMITTER = {
    "ulxd": "ULXD2",
    "qlxd": "QLXD2",
    "slxd": "SLXD2",
    "slxdplus": "SLXD2+",
    "axient": "AD2",
}
DEFAULT_FIRMWARE = {
    "ulxd": "2.7.6.0",
    "qlxd": "2.4.6.0",
    "slxd": "2.0.15.2",
    "slxdplus": "2.0.38.9",
    "axient": "1.1.43.0",
}
DEFAULT_BAND = {"ulxd": "G50", "qlxd": "G50", "slxd": "G55", "slxdplus": "G58", "axient": "G57"}
# First frequency (kHz) of each family's default band; channels are spaced 400 kHz apart.
BAND_START_KHZ = {
    "ulxd": 470125,
    "qlxd": 470125,
    "slxd": 470100,
    "slxdplus": 470100,
    "axient": 470200,
}
# Metering shown for a channel whose transmitter is off.
NOISE_FLOOR_DBM = -110
SILENCE_DBFS = -120


@dataclass(slots=True)
class TransmitterState:
    """A linked transmitter; None values are reported as the protocol's sentinels."""

    model: str
    name: str = ""
    battery_bars: int | None = BARS
    battery_percent: int | None = 100
    battery_minutes: int | None = FULL_RUNTIME_MINUTES
    battery_type: str | None = "LION"
    battery_health: int | None = 100
    battery_cycles: int | None = 12
    battery_temp_c: int | None = 24
    offset_db: int = 0
    rf_power: str = "NORMAL"
    power_lock: bool = False
    muted: bool = False
    # Remaining charge 0-100 %, the source of the values above while the battery drains.
    charge: float = 100.0

    def drain(self, minutes: float) -> None:
        """Run the battery down by ``minutes`` of use."""
        self.charge = max(0.0, self.charge - minutes * 100 / FULL_RUNTIME_MINUTES)
        self.battery_bars = min(BARS, math.ceil(self.charge / (100 / BARS)))
        if self.battery_percent is not None:
            self.battery_percent = round(self.charge)
        if self.battery_minutes is not None:
            self.battery_minutes = round(self.charge * FULL_RUNTIME_MINUTES / 100)


@dataclass(slots=True)
class ChannelState:
    """One receiver channel."""

    index: int
    name: str
    frequency_khz: int
    group_channel: str | None = None
    gain_db: int = 0
    muted: bool = False
    interference: bool = False
    encryption_error: bool = False
    transmitter: TransmitterState | None = None
    # Levels the meter reports (before noise) while a transmitter is on.
    rf_dbm: float = -55.0
    audio_dbfs: float = -20.0
    # Antenna(s) receiving: "A", "B" or "AB".
    antenna: str = "A"


@dataclass(slots=True)
class ReceiverState:
    """The whole simulated receiver."""

    info: ModelInfo
    name: str
    firmware: str
    rf_band: str
    mac: str
    # Older ULX-D/QLX-D firmware does not answer MODEL.
    with_model: bool
    # What MODEL reports, e.g. "AD4Q-A"; defaults to the model name.
    model_string: str
    channels: list[ChannelState] = field(default_factory=list)

    def channel(self, index: int) -> ChannelState:
        """The channel with this 1-based index (KeyError if there is none)."""
        if not 1 <= index <= len(self.channels):
            raise KeyError(f"{self.info.model} has no channel {index}")
        return self.channels[index - 1]
