"""Family key maps, fed with the sheet's example exchanges (section 8)."""

from __future__ import annotations

import pytest

from custom_components.micboard.manufacturers import Capability, Channel, Transmitter
from custom_components.micboard.manufacturers.fleet import Change
from custom_components.micboard.manufacturers.shure.families import (
    AXIENT,
    QLXD,
    SLXD,
    SLXD_PLUS,
    ULXD,
    Family,
    apply_message,
)
from custom_components.micboard.manufacturers.shure.framing import MessageSplitter
from custom_components.micboard.manufacturers.shure.parser import Rep, parse_message
from custom_components.micboard.manufacturers.shure.state import DeviceState

ULXD4D_BURST = """\
< REP FW_VER {2.6.4.0           } >< REP DEVICE_ID {Rack 1  } >< REP ENCRYPTION OFF >
< REP AUDIO_SUMMING_MODE OFF >< REP FREQUENCY_DIVERSITY_MODE OFF >< REP HIGH_DENSITY OFF >
< REP 1 CHAN_NAME {VOX 1   } >< REP 1 METER_RATE 00000 >< REP 1 AUDIO_GAIN 018 >
< REP 1 AUDIO_MUTE OFF >< REP 1 GROUP_CHAN 01,05 >< REP 1 FREQUENCY 518250 >
< REP 1 ENCRYPTION_WARNING OFF >< REP 1 RF_INT_DET NONE >< REP 1 TX_TYPE ULXD2 >
< REP 1 TX_DEVICE_ID {        } >< REP 1 TX_OFFSET 000 >< REP 1 TX_RF_PWR NORMAL >
< REP 1 TX_MUTE_STATUS UNKN >< REP 1 TX_PWR_LOCK OFF >< REP 1 TX_MENU_LOCK OFF >
< REP 1 TX_MUTE_BUTTON_STATUS UNKN >< REP 1 TX_POWER_SOURCE UNKN >< REP 1 BATT_BARS 004 >
< REP 1 BATT_CHARGE 078 >< REP 1 BATT_CYCLE 00012 >< REP 1 BATT_RUN_TIME 00312 >
< REP 1 BATT_HEALTH 097 >< REP 1 BATT_TEMP_C 064 >< REP 1 BATT_TEMP_F 115 >
< REP 1 BATT_TYPE LION >< REP 2 CHAN_NAME {VOX 2   } >< REP 2 TX_TYPE UNKN >
< REP 2 BATT_BARS 255 >< REP 2 BATT_CHARGE 255 >< REP 2 BATT_CYCLE 65535 >
< REP 2 BATT_RUN_TIME 65535 >< REP 2 BATT_HEALTH 255 >< REP 2 BATT_TEMP_C 255 >
< REP 2 BATT_TEMP_F 255 >< REP 2 BATT_TYPE UNKN >
< REP 1 METER_RATE 01000 >< REP 2 METER_RATE 01000 >
< SAMPLE 1 ALL AX 079 034 >< SAMPLE 2 ALL XX 000 000 >"""

AD4Q_IDLE = """\
< REP DEVICE_ID {RF 5-8                         } >< REP ENCRYPTION_MODE OFF >
< REP FW_VER {1.1.43.0                } >< REP MODEL {AD4Q-A                          } >
< REP QUADVERSITY_MODE OFF >< REP RF_BAND {G57     } >< REP TRANSMISSION_MODE STANDARD >
< REP 1 CHAN_NAME {05                             } >< REP 1 METER_RATE 00100 >
< REP 1 AUDIO_GAIN 018 >< REP 1 AUDIO_MUTE OFF >< REP 1 GROUP_CHANNEL {--,--} >
< REP 1 FREQUENCY 0594075 >< REP 1 FD_MODE OFF >< REP 1 ENCRYPTION_STATUS OK >
< REP 1 INTERFERENCE_STATUS NONE >< REP 1 UNREGISTERED_TX_STATUS OK >
< REP 1 CHAN_QUALITY 255 >< REP 1 AUDIO_LED_BITMAP 000 >< REP 1 AUDIO_LEVEL_PEAK 005 >
< REP 1 AUDIO_LEVEL_RMS 020 >< REP 1 ANTENNA_STATUS XX >< REP 1 RSSI 1 011 >
< REP 1 RSSI 2 012 >< REP 1 RSSI_LED_BITMAP 1 00 >< REP 1 RSSI_LED_BITMAP 2 00 >
< REP 1 TX_MODEL UNKNOWN >< REP 1 TX_DEVICE_ID {                               } >
< REP 1 TX_OFFSET 255 >< REP 1 TX_INPUT_PAD 255 >< REP 1 TX_POWER_LEVEL 255 >
< REP 1 TX_MUTE_MODE_STATUS UNKNOWN >< REP 1 TX_POLARITY UNKNOWN >< REP 1 TX_LOCK UNKNOWN >
< REP 1 TX_TALK_SWITCH UNKNOWN >< REP 1 TX_BATT_BARS 255 >< REP 1 TX_BATT_CHARGE_PERCENT 255 >
< REP 1 TX_BATT_CYCLE_COUNT 65535 >< REP 1 TX_BATT_HEALTH_PERCENT 255 >
< REP 1 TX_BATT_MINS 65535 >< REP 1 TX_BATT_TEMP_C 255 >< REP 1 TX_BATT_TEMP_F 255 >
< REP 1 TX_BATT_TYPE UNKN >< REP 1 SLOT_STATUS 1 EMPTY >< REP 1 SLOT_TX_MODEL 8 UNKNOWN >
< SAMPLE 1 ALL 255 000 005 033 XX 00 011 00 012 >"""


def feed(family: Family, text: str, device: DeviceState | None = None) -> DeviceState:
    """Apply a wire text (line breaks ignored) to a receiver's state."""
    device = device or DeviceState()
    for line in MessageSplitter().feed(text.replace("\n", "").encode()):
        apply_message(family, device, parse_message(line))
    return device


def test_ulxd4d_burst() -> None:
    device = DeviceState()
    device.ensure_channels(2)
    feed(ULXD, ULXD4D_BURST, device)
    assert (device.firmware, device.name, device.model) == ("2.6.4.0", "Rack 1", None)
    first, second = device.built_channels()
    assert first == Channel(
        index=1,
        name="VOX 1",
        frequency_mhz=518.25,
        group_channel="01,05",
        audio_gain_db=0,
        audio_mute=False,
        rf_level_dbm=-49,
        audio_level_dbfs=-16,
        audio_peak=False,
        antenna="A",
        interference=False,
        encryption_error=False,
        transmitter=Transmitter(
            model="ULXD2",
            battery_bars=4,
            battery_percent=78,
            battery_runtime_minutes=312,
            battery_type="LION",
            battery_health_percent=97,
            battery_cycles=12,
            battery_temperature_c=24,
            tx_offset_db=0,
            rf_power="NORMAL",
            power_lock=False,
        ),
    )
    assert second.transmitter is None
    assert (second.antenna, second.rf_level_dbm, second.audio_level_dbfs) == (None, -128, -50)


def test_ulx_peak_threshold() -> None:
    device = DeviceState()
    device.ensure_channels(1)
    feed(ULXD, "< SAMPLE 1 ALL AB 100 048 >", device)
    channel = device.built_channels()[0]
    assert (channel.audio_peak, channel.audio_level_dbfs, channel.antenna) == (True, -2, "AB")
    feed(ULXD, "< SAMPLE 1 ALL AB 100 047 >< SAMPLE 1 ALL XB >", device)
    assert device.built_channels()[0].audio_peak is False


def test_ad4q_idle_dump() -> None:
    device = DeviceState()
    device.ensure_channels(4)
    feed(AXIENT, AD4Q_IDLE, device)
    assert (device.name, device.firmware, device.model, device.rf_band) == (
        "RF 5-8",
        "1.1.43.0",
        "AD4Q-A",
        "G57",
    )
    channel = device.built_channels()[0]
    assert channel.name == "05"
    assert channel.frequency_mhz == pytest.approx(594.075)
    assert channel.group_channel is None
    assert (channel.quality, channel.antenna, channel.transmitter) == (None, None, None)
    assert (channel.rf_level_dbm, channel.audio_level_dbfs) == (-108, -115)
    assert (channel.interference, channel.encryption_error, channel.audio_mute) == (
        False,
        False,
        False,
    )


def test_ad_linked_transmitter() -> None:
    device = DeviceState()
    device.ensure_channels(2)
    feed(
        AXIENT,
        "< REP 2 TX_BATT_BARS 004 >< REP 2 TX_MODEL AD2 >< REP 2 TX_OFFSET 015 >"
        "< REP 2 TX_POWER_LEVEL 010 >< REP 2 TX_MUTE_MODE_STATUS MUTE >< REP 2 TX_LOCK ALL >"
        "< REP 2 TX_BATT_CHARGE_PERCENT 086 >< REP 2 TX_BATT_MINS 65534 >"
        "< REP 2 TX_DEVICE_ID {Host                           } >"
        "< REP 2 AUDIO_LED_BITMAP 255 >< REP 2 INTERFERENCE_STATUS DETECTED >"
        "< REP 2 ENCRYPTION_STATUS ERROR >< REP 2 CHAN_QUALITY 004 >< REP 2 ANTENNA_STATUS BX >",
        device,
    )
    channel = device.built_channels()[1]
    assert channel.transmitter == Transmitter(
        model="AD2",
        name="Host",
        battery_bars=4,
        battery_percent=86,
        battery_runtime_minutes=None,
        tx_offset_db=3,
        rf_power="10 mW",
        power_lock=True,
        mute=True,
    )
    assert (channel.audio_peak, channel.interference, channel.encryption_error) == (
        True,
        True,
        True,
    )
    assert (channel.quality, channel.antenna) == (4, "A")
    feed(AXIENT, "< REP 2 TX_LOCK MENU >< REP 2 TX_MUTE_MODE_STATUS ON >", device)
    transmitter = device.built_channels()[1].transmitter
    assert transmitter is not None
    assert (transmitter.power_lock, transmitter.mute) == (False, False)


@pytest.mark.parametrize(
    ("sample", "antenna", "rf", "peak"),
    [
        # spec example with both antennas active: strongest active antenna
        ("005 031 102 102 BB 31 086 31 065", "AB", -34, False),
        # quadversity: four antennas, D active
        ("005 255 119 110 XXXB 01 020 01 021 03 030 31 080", "D", -40, True),
        # FD-C: the second RF section is ignored
        ("005 031 102 102 BX 31 086 01 010 XB 01 011 31 090", "A", -34, False),
        # nothing active: strongest seen
        ("255 000 005 033 XX 00 011 00 012", None, -108, False),
    ],
)
def test_ad_sample_shapes(sample: str, antenna: str | None, rf: int, peak: bool) -> None:
    device = DeviceState()
    device.ensure_channels(1)
    feed(AXIENT, f"< SAMPLE 1 ALL {sample} >", device)
    channel = device.built_channels()[0]
    assert (channel.antenna, channel.rf_level_dbm, channel.audio_peak) == (antenna, rf, peak)


def test_short_samples_are_ignored() -> None:
    device = DeviceState()
    device.ensure_channels(1)
    for family in (ULXD, SLXD, AXIENT):
        assert not apply_message(family, device, parse_message("< SAMPLE 1 ALL 1 2 >"))
    assert not apply_message(ULXD, device, parse_message("< SAMPLE 9 ALL AX 079 034 >"))
    assert device.built_channels()[0] == Channel(index=1)


def test_slxd_keys_and_sample() -> None:
    device = DeviceState()
    device.ensure_channels(2)
    feed(
        SLXD,
        "< REP MODEL {SLXD4D                          } >< REP RF_BAND {G55     } >"
        "< REP 1 CHAN_NAME {Choir L                        } >< REP 1 AUDIO_GAIN 030 >"
        "< REP 1 GROUP_CHANNEL {01,05     } >< REP 1 FREQUENCY 0578350 >"
        "< REP 1 RSSI 1 083 >< REP 1 RSSI 2 064 >< REP 1 AUDIO_LEVEL_PEAK 119 >"
        "< REP 1 TX_MODEL SLXD2 >< REP 1 TX_BATT_BARS 003 >< REP 1 TX_BATT_MINS 00125 >",
        device,
    )
    channel = device.built_channels()[0]
    assert (channel.name, channel.audio_gain_db, channel.group_channel) == ("Choir L", 12, "01,05")
    assert channel.rf_level_dbm == -37  # strongest antenna
    assert (channel.audio_level_dbfs, channel.audio_peak) == (-1, True)
    assert channel.transmitter == Transmitter(
        model="SLXD2", battery_bars=3, battery_runtime_minutes=125
    )
    feed(SLXD, "< REP 1 RSSI 1 255 >", device)
    assert device.built_channels()[0].rf_level_dbm == -56
    # The sheet's example fits both field orders and neither REP level (sheet §4.4): only
    # what both orders agree on (peak -18 dBFS) is shown until the order is decided.
    feed(SLXD, "< SAMPLE 1 ALL 102 102 086 >", device)
    channel = device.built_channels()[0]
    assert (channel.audio_level_dbfs, channel.rf_level_dbm, channel.audio_peak) == (
        -18,
        None,
        False,
    )
    # Peak >= RMS holds only in the document's order here.
    feed(SLXD, "< SAMPLE 1 ALL 102 080 086 >", device)
    channel = device.built_channels()[0]
    assert (channel.audio_level_dbfs, channel.rf_level_dbm, channel.audio_peak) == (-18, -34, False)


def test_slxd_plus_keys() -> None:
    device = DeviceState()
    device.ensure_channels(1)
    feed(
        SLXD_PLUS,
        "< REP 1 RSSI 096 >< REP 1 ANTENNA_STATUS XB >< REP 1 ENCRYPTION_STATUS OK >"
        "< REP 1 INTERFERENCE_STATUS NONE >< REP 1 TX_MODEL SLXD1+ >"
        "< REP NET_SETTINGS SC AUTO na na na 00:0E:DD:01:02:03 >",
        device,
    )
    channel = device.built_channels()[0]
    assert (channel.rf_level_dbm, channel.antenna, channel.interference) == (-24, "B", False)
    assert device.mac_address == "00:0e:dd:01:02:03"
    feed(SLXD_PLUS, "< REP NET_SETTINGS SC AUTO na na na na >", device)
    assert device.mac_address == "00:0e:dd:01:02:03"


def test_channel_zero_and_unknown_keys() -> None:
    device = DeviceState()
    device.ensure_channels(2)
    assert apply_message(QLXD, device, Rep(0, "AUDIO_GAIN", None, "020"))
    assert [channel.audio_gain_db for channel in device.built_channels()] == [2, 2]
    assert not apply_message(QLXD, device, Rep(3, "AUDIO_GAIN", None, "020"))
    assert not apply_message(QLXD, device, Rep(1, "SLOT_STATUS", 1, "EMPTY"))
    assert not apply_message(QLXD, device, Rep(None, "ENCRYPTION", None, "OFF"))
    assert not apply_message(QLXD, device, parse_message("< REP ERR >"))
    assert apply_message(QLXD, device, Rep(None, "MAC_ADDR", None, "00:0E:DD:00:00:01"))
    assert device.mac_address == "00:0e:dd:00:00:01"


def test_change_kinds_say_what_a_message_touched() -> None:
    device = DeviceState()
    device.ensure_channels(2)

    def apply(family: Family, text: str) -> Change | None:
        return apply_message(family, device, parse_message(text))

    # A SAMPLE is a meter reading; the same SAMPLE again changes nothing.
    assert apply(ULXD, "< SAMPLE 1 ALL AX 079 034 >") is Change.METERS
    assert apply(ULXD, "< SAMPLE 1 ALL AX 079 034 >") is None
    assert apply(ULXD, "< SAMPLE 1 ALL XB 079 034 >") is Change.METERS
    # Settings, transmitter values and device values are not.
    assert apply(ULXD, "< REP 1 CHAN_NAME {Vox} >") is Change.STATE
    assert apply(ULXD, "< REP 1 CHAN_NAME {Vox} >") is None
    assert apply(ULXD, "< REP 1 BATT_BARS 004 >") is Change.STATE
    assert apply(ULXD, "< REP 1 BATT_BARS 004 >") is None
    assert apply(ULXD, "< REP DEVICE_ID {Rack} >") is Change.STATE
    assert apply(ULXD, "< REP DEVICE_ID {Rack} >") is None
    # Channel 0 changes every channel; unchanged, it changes nothing.
    assert apply(ULXD, "< REP 0 AUDIO_GAIN 020 >") is Change.STATE
    assert apply(ULXD, "< REP 0 AUDIO_GAIN 020 >") is None


@pytest.mark.parametrize(
    "text",
    [
        "< REP 1 RSSI 1 083 >",
        "< REP 1 AUDIO_LEVEL_PEAK 100 >",
        "< REP 1 CHAN_QUALITY 004 >",
        "< REP 1 AUDIO_LED_BITMAP 255 >",
        "< REP 1 ANTENNA_STATUS BX >",
        "< SAMPLE 1 ALL 005 031 102 102 BX 31 086 31 065 >",
    ],
)
def test_axient_meter_keys_are_meters(text: str) -> None:
    device = DeviceState()
    device.ensure_channels(1)
    assert apply_message(AXIENT, device, parse_message(text)) is Change.METERS
    assert apply_message(AXIENT, device, parse_message(text)) is None


@pytest.mark.parametrize(
    ("family", "text"),
    [
        (SLXD, "< REP 1 RSSI 1 083 >"),
        (SLXD, "< REP 1 AUDIO_LEVEL_PEAK 100 >"),
        (SLXD_PLUS, "< REP 1 ANTENNA_STATUS XB >"),
        (SLXD, "< SAMPLE 1 ALL 102 102 086 >"),
    ],
)
def test_slx_meter_keys_are_meters(family: Family, text: str) -> None:
    device = DeviceState()
    device.ensure_channels(1)
    assert apply_message(family, device, parse_message(text)) is Change.METERS
    assert apply_message(family, device, parse_message(text)) is None


def test_unchanged_channels_are_the_same_object() -> None:
    device = DeviceState()
    device.ensure_channels(2)
    feed(ULXD, ULXD4D_BURST, device)
    first, second = device.built_channels()
    # The same burst again (a resync that found everything as it was).
    feed(ULXD, ULXD4D_BURST, device)
    again = device.built_channels()
    assert again[0] is first
    assert again[1] is second
    feed(ULXD, "< SAMPLE 2 ALL XB 090 020 >", device)
    after = device.built_channels()
    assert after[0] is first
    assert after[1] is not second
    assert (after[1].antenna, after[1].rf_level_dbm, after[1].audio_level_dbfs) == ("B", -38, -30)
    assert after[1].name == second.name


_CONTROLS = {
    Capability.IDENTIFY,
    Capability.CHANNEL_IDENTIFY,
    Capability.CHANNEL_NAME,
    Capability.AUDIO_GAIN,
}


@pytest.mark.parametrize(
    ("family", "capabilities"),
    [
        (
            ULXD,
            {
                Capability.RF_LEVEL,
                Capability.AUDIO_LEVEL,
                Capability.TX_MUTE,
                Capability.POWER_LOCK,
                Capability.TX_OFFSET,
                Capability.ANTENNA,
                Capability.WEB_UI,
                Capability.RX_MUTE,
                *_CONTROLS,
            },
        ),
        (
            # No FLASH and no receiver mute (sheet §1.7, §3).
            QLXD,
            {
                Capability.RF_LEVEL,
                Capability.AUDIO_LEVEL,
                Capability.POWER_LOCK,
                Capability.TX_OFFSET,
                Capability.ANTENNA,
                Capability.CHANNEL_NAME,
                Capability.AUDIO_GAIN,
            },
        ),
        # No mute of any kind (sheet §4.3).
        (SLXD, {Capability.RF_LEVEL, Capability.AUDIO_LEVEL, *_CONTROLS}),
        (
            SLXD_PLUS,
            {
                Capability.RF_LEVEL,
                Capability.AUDIO_LEVEL,
                Capability.ANTENNA,
                Capability.WEB_UI,
                *_CONTROLS,
            },
        ),
        (
            AXIENT,
            {
                Capability.RF_LEVEL,
                Capability.AUDIO_LEVEL,
                Capability.TX_MUTE,
                Capability.POWER_LOCK,
                Capability.TX_OFFSET,
                Capability.ANTENNA,
                Capability.QUALITY,
                Capability.WEB_UI,
                Capability.RX_MUTE,
                *_CONTROLS,
            },
        ),
    ],
)
def test_capabilities_per_family(family: Family, capabilities: set[Capability]) -> None:
    assert family.capabilities == capabilities


def test_qlxd_has_no_transmitter_mute() -> None:
    """QLX-D sends TX_MUTE_STATUS (the ULX-D key list) but its transmitters have no mute.

    Sheet §2.3: TX_MUTE_STATUS is the "ULXD6/ULXD8 mute state"; §3: a QLX-D's transmitters
    are QLXD1/QLXD2, and the real QLXD4 dump reports ``TX_MUTE_STATUS UNKN``.
    """
    device = DeviceState()
    device.ensure_channels(1)
    feed(QLXD, "< REP 1 TX_TYPE QLXD2 >", device)
    assert apply_message(QLXD, device, parse_message("< REP 1 TX_MUTE_STATUS ON >")) is None
    transmitter = device.built_channels()[0].transmitter
    assert transmitter is not None
    assert transmitter.mute is None
    assert "TX_MUTE_STATUS" not in QLXD.channel_keys
    # ULX-D parses it.
    ulx = feed(ULXD, "< REP 1 TX_TYPE ULXD6 >< REP 1 TX_MUTE_STATUS ON >", _one_channel())
    ulx_transmitter = ulx.built_channels()[0].transmitter
    assert ulx_transmitter is not None
    assert ulx_transmitter.mute is True


def _one_channel() -> DeviceState:
    device = DeviceState()
    device.ensure_channels(1)
    return device
