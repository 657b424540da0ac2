"""How each receiver family writes its state on the wire (protocol sheet sections 2-5).

Strict on purpose: fixed widths, zero padding, braces padded to the family's width, and
sentinels (255, 65535, UNKN/UNKNOWN) for unknown values.
"""

from __future__ import annotations

from dataclasses import dataclass
import math

from ..rig import (
    NOISE_FLOOR_DBM,
    SILENCE_DBFS,
    ChannelState,
    ReceiverState,
    TransmitterState,
)

# (key, second index or None, value as sent)
type Prop = tuple[str, int | None, str]

# SLX-D SAMPLE field orders (sheet §4.4, disputed): Shure's document, and what a real
# SLXD4DE was captured sending.
PEAK_RMS_RSSI = "peak_rms_rssi"
RSSI_PEAK_RMS = "rssi_peak_rms"
SAMPLE_ORDERS = (PEAK_RMS_RSSI, RSSI_PEAK_RMS)

UNKNOWN_BYTE = "255"
UNKNOWN_COUNT = "65535"
GAIN_OFFSET = 18


def braced(value: str, width: int) -> str:
    """A string value padded with spaces inside braces."""
    return "{" + value[:width].ljust(width) + "}"


def n3(value: int | None) -> str:
    """3-digit number; None is the 255 sentinel."""
    return UNKNOWN_BYTE if value is None else f"{max(0, min(value, 254)):03d}"


def n5(value: int | None) -> str:
    """5-digit number; None is the 65535 sentinel."""
    return UNKNOWN_COUNT if value is None else f"{max(0, min(value, 65532)):05d}"


def on_off(value: bool) -> str:
    """ON/OFF."""
    return "ON" if value else "OFF"


@dataclass(frozen=True, slots=True)
class Meter:
    """One metering reading of a channel."""

    rf_dbm: float
    audio_dbfs: float
    antenna: str  # "", "A", "B" or "AB"


def level(value: float, offset: int, top: int) -> str:
    """A level as a 3-digit offset value (dBm + 128, dBFS + 120 ...), clamped to range."""
    return f"{max(0, min(round(value) + offset, top)):03d}"


class Dialect:
    """Wire format of one family. Subclasses fill in the key lists."""

    family = ""
    tx_model_key = "TX_MODEL"
    tx_unknown = "UNKNOWN"
    # Metered keys are reported by GET but never pushed on change.
    metered: frozenset[str] = frozenset()
    refuses_get_all_zero = False
    net_settings = False

    def device_props(self, rx: ReceiverState) -> list[Prop]:
        """Device-level properties, in GET ALL order."""
        raise NotImplementedError

    def channel_props(self, rx: ReceiverState, ch: ChannelState) -> list[Prop]:
        """Every channel property, in GET ALL order (METER_RATE is added per connection)."""
        raise NotImplementedError

    def get_all_props(self, rx: ReceiverState, ch: ChannelState) -> list[Prop]:
        """What GET n ALL reports for a channel."""
        return self.channel_props(rx, ch)

    def sample_fields(self, ch: ChannelState, meter: Meter) -> str:
        """The fields after ``SAMPLE n ALL``."""
        raise NotImplementedError

    @staticmethod
    def frequency(ch: ChannelState, digits: int) -> str:
        """kHz with the family's digit count."""
        return f"{ch.frequency_khz:0{digits}d}"


class UlxdDialect(Dialect):
    """ULX-D (and, through a subclass, QLX-D)."""

    family = "ulxd"
    tx_model_key = "TX_TYPE"
    tx_unknown = "UNKN"
    net_settings = True
    receiver_mute = True

    def device_props(self, rx: ReceiverState) -> list[Prop]:
        # Older firmware has the 18-character FW_VER and no MODEL (sheet §14.1).
        props: list[Prop] = [
            ("FW_VER", None, braced(rx.firmware, 24 if rx.with_model else 18)),
            ("DEVICE_ID", None, braced(rx.name, 8)),
        ]
        if rx.with_model:
            props.append(("MODEL", None, braced(rx.model_string, 32)))
        props.append(("ENCRYPTION", None, "OFF"))
        if rx.info.channels > 1:
            props += [
                ("AUDIO_SUMMING_MODE", None, "OFF"),
                ("FREQUENCY_DIVERSITY_MODE", None, "OFF"),
            ]
        props.append(("HIGH_DENSITY", None, "OFF"))
        return props

    def channel_props(self, rx: ReceiverState, ch: ChannelState) -> list[Prop]:
        tx = ch.transmitter
        props: list[Prop] = [
            ("CHAN_NAME", None, braced(ch.name, 8)),
            ("AUDIO_GAIN", None, n3(ch.gain_db + GAIN_OFFSET)),
        ]
        if self.receiver_mute:
            props.append(("AUDIO_MUTE", None, on_off(ch.muted)))
        props += [
            ("GROUP_CHAN", None, ch.group_channel or "--,--"),
            ("FREQUENCY", None, self.frequency(ch, 6)),
            ("ENCRYPTION_WARNING", None, on_off(ch.encryption_error)),
        ]
        if self.receiver_mute:
            props.append(("RF_INT_DET", None, "CRITICAL" if ch.interference else "NONE"))
        return props + self._transmitter_props(tx)

    def _transmitter_props(self, tx: TransmitterState | None) -> list[Prop]:
        if tx is None:
            unknown = "UNKN"
            return [
                ("TX_TYPE", None, unknown),
                ("TX_DEVICE_ID", None, braced("", 8)),
                ("TX_OFFSET", None, UNKNOWN_BYTE),
                ("TX_RF_PWR", None, unknown),
                ("TX_MUTE_STATUS", None, unknown),
                ("TX_PWR_LOCK", None, unknown),
                ("TX_MENU_LOCK", None, unknown),
                ("TX_MUTE_BUTTON_STATUS", None, unknown),
                ("TX_POWER_SOURCE", None, unknown),
                ("BATT_BARS", None, UNKNOWN_BYTE),
                ("BATT_CHARGE", None, UNKNOWN_BYTE),
                ("BATT_CYCLE", None, UNKNOWN_COUNT),
                ("BATT_RUN_TIME", None, UNKNOWN_COUNT),
                ("BATT_HEALTH", None, UNKNOWN_BYTE),
                ("BATT_TEMP_C", None, UNKNOWN_BYTE),
                ("BATT_TEMP_F", None, UNKNOWN_BYTE),
                ("BATT_TYPE", None, unknown),
            ]
        temp_c = tx.battery_temp_c
        return [
            ("TX_TYPE", None, tx.model),
            ("TX_DEVICE_ID", None, braced(tx.name, 8)),
            ("TX_OFFSET", None, n3(tx.offset_db)),
            ("TX_RF_PWR", None, tx.rf_power),
            ("TX_MUTE_STATUS", None, on_off(tx.muted)),
            ("TX_PWR_LOCK", None, on_off(tx.power_lock)),
            ("TX_MENU_LOCK", None, "OFF"),
            ("TX_MUTE_BUTTON_STATUS", None, "UNKN"),
            ("TX_POWER_SOURCE", None, "BATTERY"),
            ("BATT_BARS", None, n3(tx.battery_bars)),
            ("BATT_CHARGE", None, n3(tx.battery_percent)),
            ("BATT_CYCLE", None, n5(tx.battery_cycles)),
            ("BATT_RUN_TIME", None, n5(tx.battery_minutes)),
            ("BATT_HEALTH", None, n3(tx.battery_health)),
            ("BATT_TEMP_C", None, n3(None if temp_c is None else temp_c + 40)),
            ("BATT_TEMP_F", None, n3(None if temp_c is None else round(temp_c * 9 / 5 + 32) + 40)),
            ("BATT_TYPE", None, tx.battery_type or "UNKN"),
        ]

    def sample_fields(self, ch: ChannelState, meter: Meter) -> str:
        # antenna LEDs, RF as dBm + 128 (000-115), audio as dBFS + 50 (000-050)
        flags = ("A" if "A" in meter.antenna else "X") + ("B" if "B" in meter.antenna else "X")
        return f"{flags} {level(meter.rf_dbm, 128, 115)} {level(meter.audio_dbfs, 50, 50)}"


class QlxdDialect(UlxdDialect):
    """QLX-D: ULX-D keys without receiver mute/interference, plus MAC_ADDR."""

    family = "qlxd"
    net_settings = False
    receiver_mute = False

    def device_props(self, rx: ReceiverState) -> list[Prop]:
        props = super().device_props(rx)
        return [*props, ("MAC_ADDR", None, rx.mac)]


class SlxdDialect(Dialect):
    """SLX-D, as in Shure's SLX-D command strings v3.0.

    ``sample_order`` picks the SAMPLE field order: the document's (``PEAK_RMS_RSSI``, the
    default) or the captured SLXD4DE's (``RSSI_PEAK_RMS``). Give a receiver the other one
    with ``rx.dialect = SlxdDialect(sample_order=RSSI_PEAK_RMS)`` before clients connect.
    """

    family = "slxd"
    metered = frozenset({"AUDIO_LEVEL_PEAK", "AUDIO_LEVEL_RMS", "RSSI", "ANTENNA_STATUS"})

    def __init__(self, *, sample_order: str = PEAK_RMS_RSSI) -> None:
        if sample_order not in SAMPLE_ORDERS:
            raise ValueError(f"unknown SLX-D SAMPLE order {sample_order!r}")
        self.sample_order = sample_order

    def device_props(self, rx: ReceiverState) -> list[Prop]:
        return [
            ("MODEL", None, braced(rx.model_string, 32)),
            ("DEVICE_ID", None, braced(rx.name, 8)),
            ("RF_BAND", None, braced(rx.rf_band, 8)),
            ("LOCK_STATUS", None, "OFF"),
            ("FW_VER", None, braced(rx.firmware, 24)),
        ]

    def receiver_props(self, ch: ChannelState) -> list[Prop]:
        """Receiver-side channel keys (without metering and transmitter)."""
        return [
            ("CHAN_NAME", None, braced(ch.name, 31)),
            ("AUDIO_GAIN", None, n3(ch.gain_db + GAIN_OFFSET)),
            ("AUDIO_OUT_LVL_SWITCH", None, "MIC"),
            ("GROUP_CHANNEL", None, braced(ch.group_channel or "--,--", 5)),
            ("FREQUENCY", None, self.frequency(ch, 7)),
        ]

    def meter_props(self, ch: ChannelState) -> list[Prop]:
        """Metered channel keys as GET reports them."""
        meter = resting_meter(ch)
        rssi = level(meter.rf_dbm, 120, 120)
        return [
            ("AUDIO_LEVEL_PEAK", None, level(meter.audio_dbfs, 120, 120)),
            ("AUDIO_LEVEL_RMS", None, level(meter.audio_dbfs - 6, 120, 120)),
            ("RSSI", 1, rssi),
            ("RSSI", 2, rssi),
        ]

    def transmitter_props(self, ch: ChannelState) -> list[Prop]:
        """TX_MODEL and the two battery keys."""
        tx = ch.transmitter
        return [
            ("TX_MODEL", None, tx.model if tx else "UNKNOWN"),
            ("TX_BATT_BARS", None, n3(tx.battery_bars if tx else None)),
            ("TX_BATT_MINS", None, n5(tx.battery_minutes if tx else None)),
        ]

    def channel_props(self, rx: ReceiverState, ch: ChannelState) -> list[Prop]:
        return self.receiver_props(ch) + self.meter_props(ch) + self.transmitter_props(ch)

    def sample_fields(self, ch: ChannelState, meter: Meter) -> str:
        # audio peak, audio RMS, RSSI (or RSSI first): all value - 120
        peak = level(meter.audio_dbfs, 120, 120)
        rms = level(meter.audio_dbfs - 6, 120, 120)
        rssi = level(meter.rf_dbm, 120, 120)
        if self.sample_order == RSSI_PEAK_RMS:
            return f"{rssi} {peak} {rms}"
        return f"{peak} {rms} {rssi}"


class SlxdPlusDialect(SlxdDialect):
    """SLX-D+ as observed on fw 2.0.38.9: refuses GET 0 ALL, single RSSI, two TX slots."""

    family = "slxdplus"
    tx_unknown = "UNKNOWN"
    refuses_get_all_zero = True
    net_settings = True

    def device_props(self, rx: ReceiverState) -> list[Prop]:
        props = super().device_props(rx)
        if rx.info.channels > 1:
            props.append(("AUDIO_SUMMING_MODE", None, "OFF"))
        return [*props, ("ENCRYPTION_MODE", None, "OFF"), ("APP_CONNECTION_ENABLED", None, "ON")]

    def meter_props(self, ch: ChannelState) -> list[Prop]:
        meter = resting_meter(ch)
        antenna = ("A" if "A" in meter.antenna else "X") + ("B" if "B" in meter.antenna else "X")
        return [
            ("AUDIO_LEVEL_PEAK", None, level(meter.audio_dbfs, 120, 120)),
            ("AUDIO_LEVEL_RMS", None, level(meter.audio_dbfs - 6, 120, 120)),
            ("RSSI", None, level(meter.rf_dbm, 120, 120)),
            ("ANTENNA_STATUS", None, antenna),
        ]

    def transmitter_props(self, ch: ChannelState) -> list[Prop]:
        tx = ch.transmitter
        return [
            *super().transmitter_props(ch),
            ("SLOT_TX_MODEL", 1, braced(tx.model if tx else "", 10)),
            ("SLOT_TX_MODEL", 2, braced("", 10)),
            ("LINK_STATUS", 1, "online" if tx else "offline"),
            ("LINK_STATUS", 2, "offline"),
        ]

    def channel_props(self, rx: ReceiverState, ch: ChannelState) -> list[Prop]:
        status: list[Prop] = [
            ("ENCRYPTION_STATUS", None, "ERROR" if ch.encryption_error else "OK"),
            ("INTERFERENCE_STATUS", None, "DETECTED" if ch.interference else "NONE"),
        ]
        return self.receiver_props(ch) + self.meter_props(ch) + status + self.transmitter_props(ch)

    def get_all_props(self, rx: ReceiverState, ch: ChannelState) -> list[Prop]:
        # An empty channel's GET n ALL reports only its transmitter keys (sheet §4.5).
        if ch.transmitter is None:
            return self.transmitter_props(ch)
        return self.channel_props(rx, ch)


class AxientDialect(Dialect):
    """Axient Digital AD4D/AD4Q (standard mode: quadversity and FD off)."""

    family = "axient"
    metered = frozenset(
        {
            "CHAN_QUALITY",
            "AUDIO_LED_BITMAP",
            "AUDIO_LEVEL_PEAK",
            "AUDIO_LEVEL_RMS",
            "ANTENNA_STATUS",
            "RSSI",
            "RSSI_LED_BITMAP",
        }
    )
    slots = 8

    def device_props(self, rx: ReceiverState) -> list[Prop]:
        return [
            ("DEVICE_ID", None, braced(rx.name, 31)),
            ("ENCRYPTION_MODE", None, "OFF"),
            ("FW_VER", None, braced(rx.firmware, 24)),
            ("MODEL", None, braced(rx.model_string, 32)),
            ("QUADVERSITY_MODE", None, "OFF"),
            ("RF_BAND", None, braced(rx.rf_band, 8)),
            ("TRANSMISSION_MODE", None, "STANDARD"),
        ]

    def channel_props(self, rx: ReceiverState, ch: ChannelState) -> list[Prop]:
        meter = resting_meter(ch)
        quality, bitmap, peak, rms, antennas, pairs = self._meter_fields(ch, meter)
        props: list[Prop] = [
            ("CHAN_NAME", None, braced(ch.name, 31)),
            ("AUDIO_GAIN", None, n3(ch.gain_db + GAIN_OFFSET)),
            ("AUDIO_MUTE", None, on_off(ch.muted)),
            ("GROUP_CHANNEL", None, braced(ch.group_channel or "--,--", 5)),
            ("FREQUENCY", None, self.frequency(ch, 7)),
            ("FD_MODE", None, "OFF"),
            ("ENCRYPTION_STATUS", None, "ERROR" if ch.encryption_error else "OK"),
            ("INTERFERENCE_STATUS", None, "DETECTED" if ch.interference else "NONE"),
            ("UNREGISTERED_TX_STATUS", None, "OK"),
            ("CHAN_QUALITY", None, quality),
            ("AUDIO_LED_BITMAP", None, bitmap),
            ("AUDIO_LEVEL_PEAK", None, peak),
            ("AUDIO_LEVEL_RMS", None, rms),
            ("ANTENNA_STATUS", None, antennas),
        ]
        props += [("RSSI", antenna, rssi) for antenna, (_, rssi) in enumerate(pairs, 1)]
        props += [("RSSI_LED_BITMAP", antenna, bm) for antenna, (bm, _) in enumerate(pairs, 1)]
        return props + self._transmitter_props(ch.transmitter) + self._slot_props(ch.transmitter)

    @staticmethod
    def _transmitter_props(tx: TransmitterState | None) -> list[Prop]:
        if tx is None:
            return [
                ("TX_MODEL", None, "UNKNOWN"),
                ("TX_DEVICE_ID", None, braced("", 31)),
                ("TX_OFFSET", None, UNKNOWN_BYTE),
                ("TX_INPUT_PAD", None, UNKNOWN_BYTE),
                ("TX_POWER_LEVEL", None, UNKNOWN_BYTE),
                ("TX_MUTE_MODE_STATUS", None, "UNKNOWN"),
                ("TX_POLARITY", None, "UNKNOWN"),
                ("TX_LOCK", None, "UNKNOWN"),
                ("TX_TALK_SWITCH", None, "UNKNOWN"),
                ("TX_BATT_BARS", None, UNKNOWN_BYTE),
                ("TX_BATT_CHARGE_PERCENT", None, UNKNOWN_BYTE),
                ("TX_BATT_CYCLE_COUNT", None, UNKNOWN_COUNT),
                ("TX_BATT_HEALTH_PERCENT", None, UNKNOWN_BYTE),
                ("TX_BATT_MINS", None, UNKNOWN_COUNT),
                ("TX_BATT_TEMP_C", None, UNKNOWN_BYTE),
                ("TX_BATT_TEMP_F", None, UNKNOWN_BYTE),
                ("TX_BATT_TYPE", None, "UNKN"),
            ]
        temp_c = tx.battery_temp_c
        return [
            ("TX_MODEL", None, tx.model),
            ("TX_DEVICE_ID", None, braced(tx.name, 31)),
            # Axient writes the offset as dB + 12.
            ("TX_OFFSET", None, n3(tx.offset_db + 12)),
            ("TX_INPUT_PAD", None, "012"),
            ("TX_POWER_LEVEL", None, n3({"LOW": 2, "NORMAL": 10, "HIGH": 50}.get(tx.rf_power))),
            ("TX_MUTE_MODE_STATUS", None, "MUTE" if tx.muted else "ON"),
            ("TX_POLARITY", None, "POSITIVE"),
            ("TX_LOCK", None, "POWER" if tx.power_lock else "NONE"),
            ("TX_TALK_SWITCH", None, "OFF"),
            ("TX_BATT_BARS", None, n3(tx.battery_bars)),
            ("TX_BATT_CHARGE_PERCENT", None, n3(tx.battery_percent)),
            ("TX_BATT_CYCLE_COUNT", None, n5(tx.battery_cycles)),
            ("TX_BATT_HEALTH_PERCENT", None, n3(tx.battery_health)),
            ("TX_BATT_MINS", None, n5(tx.battery_minutes)),
            ("TX_BATT_TEMP_C", None, n3(None if temp_c is None else temp_c + 40)),
            (
                "TX_BATT_TEMP_F",
                None,
                n3(None if temp_c is None else round(temp_c * 9 / 5 + 32) + 40),
            ),
            ("TX_BATT_TYPE", None, tx.battery_type or "UNKN"),
        ]

    def _slot_props(self, tx: TransmitterState | None) -> list[Prop]:
        props: list[Prop] = []
        for slot in range(1, self.slots + 1):
            linked = tx is not None and slot == 1
            props.append(("SLOT_STATUS", slot, "LINKED.ACTIVE" if linked else "EMPTY"))
            props.append(("SLOT_TX_MODEL", slot, tx.model if tx and linked else "UNKNOWN"))
        return props

    @staticmethod
    def _meter_fields(
        ch: ChannelState, meter: Meter
    ) -> tuple[str, str, str, str, str, list[tuple[str, str]]]:
        linked = ch.transmitter is not None
        quality = "005" if linked else UNKNOWN_BYTE
        # Eight audio LEDs 6 dB apart from -48 dBFS; the top one (bit 7) is overload.
        lit = max(0, min(8, math.floor((meter.audio_dbfs + 54) / 6))) if linked else 0
        if meter.audio_dbfs >= -2:
            lit = 8
        bitmap = f"{(1 << lit) - 1:03d}"
        peak = level(meter.audio_dbfs, 120, 120)
        rms = level(meter.audio_dbfs - 6, 120, 120)
        status = "".join("B" if letter in meter.antenna else "X" for letter in "AB")
        pairs: list[tuple[str, str]] = []
        for letter in "AB":
            rf = meter.rf_dbm if letter in meter.antenna else NOISE_FLOOR_DBM + 2
            leds = max(0, min(6, math.floor((rf + 95) / 10))) if linked else 0
            pairs.append((f"{(1 << leds) - 1:02d}", level(rf, 120, 120)))
        return quality, bitmap, peak, rms, status, pairs

    def sample_fields(self, ch: ChannelState, meter: Meter) -> str:
        quality, bitmap, peak, rms, status, pairs = self._meter_fields(ch, meter)
        rf = " ".join(f"{bm} {rssi}" for bm, rssi in pairs)
        return f"{quality} {bitmap} {peak} {rms} {status} {rf}"


def resting_meter(ch: ChannelState) -> Meter:
    """The channel's metering without noise (what GET reports for metered keys)."""
    if ch.transmitter is None:
        return Meter(NOISE_FLOOR_DBM, SILENCE_DBFS, "")
    return Meter(ch.rf_dbm, ch.audio_dbfs, ch.antenna)


DIALECTS: dict[str, Dialect] = {
    dialect.family: dialect
    for dialect in (
        UlxdDialect(),
        QlxdDialect(),
        SlxdDialect(),
        SlxdPlusDialect(),
        AxientDialect(),
    )
}
