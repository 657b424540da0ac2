"""Shure charger parsing: every sentinel, and both readings of each open question.

Frames are written from the shure-chargers sheet (§5.1 verbatim where it has them) and fed
through the client's own framing, parser and charger state; no sockets.
"""

from __future__ import annotations

import pytest

from custom_components.micboard.manufacturers import (
    BatteryError,
    BatteryState,
    Charger,
    ChargerModule,
    MicboardConnectionError,
    UnsupportedDeviceError,
)
from custom_components.micboard.manufacturers.shure.chargers import (
    MAX_BAYS,
    ChargerState,
    apply_charger_message,
    apply_charger_messages,
    bays_implied,
    charger_model_of,
)
from custom_components.micboard.manufacturers.shure.framing import MessageSplitter
from custom_components.micboard.manufacturers.shure.parser import (
    Message,
    battery_error,
    battery_state,
    charger_bars,
    charger_count,
    charger_percent,
    charger_temperature,
    module_type,
    parse_message,
    time_to_full,
    yes_no,
)
from custom_components.micboard.manufacturers.shure.reading import (
    ChargerReading,
    build_charger,
    identify_answer,
)

HOST, PORT = "10.0.0.9", 2202
# The verbatim slices of a live SBC220 dump (sheet §5.1): a full bay 1, a faulted bay 7.
LIVE_DUMP = """\
< REP DEVICE_ID {MA: 5-8                        } >
< REP 1 BATT_DETECTED YES >
< REP 1 BATT_TIME_TO_FULL 65529 >
< REP 1 BATT_STATE FULL >
< REP 1 BATT_CHARGE 100 >
< REP 1 BATT_CYCLE 00362 >
< REP 1 BATT_TEMP_F 115 >
< REP 1 BATT_HEALTH 084 >
< REP 1 BATT_BARS 005 >
< REP 1 BATT_ERROR 000 >
< REP 7 BATT_DETECTED YES >
< REP 7 BATT_TIME_TO_FULL 65534 >
< REP 7 BATT_STATE ERROR >
< REP 7 BATT_CHARGE 254 >
< REP 7 BATT_CYCLE 65534 >
< REP 7 BATT_TEMP_F 254 >
< REP 7 BATT_HEALTH 254 >
< REP 7 BATT_BARS 254 >
< REP 7 BATT_ERROR 007 >
"""
HEAD = """\
< REP MODEL {SBC220                          } >
< REP FW_VER {1.4.53.0                } >
< REP DEVICE_ID {MA: 1-2                        } >
< REP FLASH OFF >
< REP STORAGE_MODE OFF >
"""
# One bay charging (sheet §5.2, the illustrative one-unit SBC220).
CHARGING_BAY = """\
< REP 1 BATT_DETECTED YES >
< REP 1 BATT_TIME_TO_FULL 00083 >
< REP 1 BATT_STATE NORMAL >
< REP 1 BATT_CHARGE 062 >
< REP 1 BATT_CURRENT_CAPACITY 01277 >
< REP 1 BATT_CURRENT_CAPACITY_MAX 02060 >
< REP 1 BATT_CYCLE 00041 >
< REP 1 BATT_TEMP_F 117 >
< REP 1 BATT_TEMP_C 065 >
< REP 1 BATT_CAPACITY_MAX 02200 >
< REP 1 BATT_HEALTH 094 >
< REP 1 BATT_BARS 004 >
< REP 1 BATT_ERROR 000 >
"""


def empty_bay(index: int) -> str:
    """An empty bay as the sheet describes it: NO, NO_BATT, 255 and 65535 everywhere."""
    return f"""\
< REP {index} BATT_DETECTED NO >
< REP {index} BATT_TIME_TO_FULL 65535 >
< REP {index} BATT_STATE NO_BATT >
< REP {index} BATT_CHARGE 255 >
< REP {index} BATT_CURRENT_CAPACITY 65535 >
< REP {index} BATT_CURRENT_CAPACITY_MAX 65535 >
< REP {index} BATT_CYCLE 65535 >
< REP {index} BATT_TEMP_F 255 >
< REP {index} BATT_TEMP_C 255 >
< REP {index} BATT_CAPACITY_MAX 65535 >
< REP {index} BATT_HEALTH 255 >
< REP {index} BATT_BARS 255 >
< REP {index} BATT_ERROR 255 >
"""


def messages(wire: str) -> list[Message]:
    """The wire text through the client's splitter and parser (newlines are outside <>)."""
    return [parse_message(text) for text in MessageSplitter().feed(wire.encode("ascii"))]


def charger_of(wire: str, model: str = "SBC220") -> Charger:
    """What the client publishes for a charger that sent ``wire``."""
    found = charger_model_of(model)
    assert found is not None
    state = ChargerState()
    for message in messages(wire):
        apply_charger_message(state, message)
    state.ensure_bays(bays_implied(found, state))
    return build_charger(HOST, PORT, ChargerReading(found, state), online=True, error=None)


# --- decoders: every sentinel ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "decoded"),
    [
        ("00000", 0),
        ("00107", 107),
        ("65528", 65528),
        ("65529", BatteryState.FULL),
        # FW-HDR codes (open question 5): hot, warm, cold; never minutes.
        ("65530", BatteryState.HOT),
        ("65531", BatteryState.WARM),
        ("65532", BatteryState.COLD),
        ("65533", BatteryState.CALCULATING),
        ("65534", BatteryState.ERROR),
        ("65535", None),
        ("UNKN", None),
        ("", None),
    ],
)
def test_time_to_full_codes_are_never_minutes(raw: str, decoded: object) -> None:
    assert time_to_full(raw) == decoded


@pytest.mark.parametrize(
    ("raw", "percent", "bars"),
    [("000", 0, 0), ("005", 5, 5), ("062", 62, None), ("100", 100, None), ("101", None, None)],
)
def test_percent_and_bars_ranges(raw: str, percent: int | None, bars: int | None) -> None:
    assert charger_percent(raw) == percent
    assert charger_bars(raw) == bars


@pytest.mark.parametrize("sentinel", ["254", "255"])
def test_byte_sentinels_are_none(sentinel: str) -> None:
    assert charger_percent(sentinel) is None
    assert charger_bars(sentinel) is None
    assert charger_temperature(sentinel) is None
    assert battery_error(sentinel) is None


@pytest.mark.parametrize(("raw", "value"), [("00000", 0), ("00362", 362), ("65533", 65533)])
def test_counts(raw: str, value: int) -> None:
    assert charger_count(raw) == value


@pytest.mark.parametrize("sentinel", ["65534", "65535", "ABCDE"])
def test_count_sentinels_are_none(sentinel: str) -> None:
    assert charger_count(sentinel) is None


@pytest.mark.parametrize(("raw", "celsius"), [("064", 24), ("062", 22), ("040", 0), ("000", -40)])
def test_temperatures_carry_a_40_offset(raw: str, celsius: int) -> None:
    # The live pairs C 064 / F 115 and C 062 / F 111 agree only with +40 on both keys.
    assert charger_temperature(raw) == celsius
    assert charger_temperature("115") == 75
    assert charger_temperature("111") == 71


@pytest.mark.parametrize(
    ("raw", "error"),
    [
        ("000", BatteryError.NONE),
        ("001", BatteryError.UNKNOWN_MODULE),
        ("002", BatteryError.UNRECOGNIZED_BATTERY),
        ("003", BatteryError.DEEP_DISCHARGE_RECOVERY_FAILED),
        ("004", BatteryError.CHARGE_FAILED),
        ("005", BatteryError.CHECK_BATTERY),
        ("006", BatteryError.CHECK_CHARGER),
        ("007", BatteryError.COMMUNICATION_FAILURE),
        ("099", BatteryError.OTHER),
        ("XYZ", None),
    ],
)
def test_battery_error_codes(raw: str, error: BatteryError | None) -> None:
    assert battery_error(raw) == error


@pytest.mark.parametrize(
    ("word", "state"),
    [
        ("FULL", BatteryState.FULL),
        ("WARM_FULL", BatteryState.FULL),
        ("CALCULATING", BatteryState.CALCULATING),
        ("NORMAL", BatteryState.CHARGING),
        ("WARM", BatteryState.WARM),
        ("HOT", BatteryState.HOT),
        ("COLD", BatteryState.COLD),
        ("PRECHARGE", BatteryState.PRECHARGE),
        ("READY_TO_STORE", BatteryState.STORAGE),
        ("DISCHARGE_CALC", BatteryState.CALCULATING),
        ("DISCHARGING", BatteryState.DISCHARGING),
        ("DISCHARGING_WARM", BatteryState.DISCHARGING),
        ("DISCHARGING_COLD", BatteryState.DISCHARGING),
        ("ERROR", BatteryState.ERROR),
        ("NO_BATT", BatteryState.EMPTY),
        # Not in Shure's list, seen in one fixture: read as plain charging.
        ("CHARGING", BatteryState.CHARGING),
        ("normal", BatteryState.CHARGING),
        ("SOMETHING_NEW", BatteryState.UNKNOWN),
        ("", None),
    ],
)
def test_every_battery_state_word(word: str, state: BatteryState | None) -> None:
    assert battery_state(word) == state


def test_yes_no_and_module_types() -> None:
    assert (yes_no("YES"), yes_no("no"), yes_no("UNKN")) == (True, False, None)
    assert module_type("000") == (False, None)
    assert module_type("129") == (True, "primary")
    assert module_type("133") == (True, "secondary")
    assert module_type("005") == (True, "SBM910")
    assert module_type("006") == (True, "SBM910M")
    assert module_type("042") == (True, None)
    assert module_type("255") == (None, None)


@pytest.mark.parametrize(
    ("model", "code"),
    [
        ("SBC220", "SBC220"),
        ("sbc240  ", "SBC240"),
        ("SBC840", "SBC840"),
        ("SBC840M", "SBC840M"),
        ("SBRC", "SBRC"),
        ("SBC441", "SBC441"),
        ("SBC250", None),
        ("ULXD4Q", None),
        (None, None),
    ],
)
def test_charger_models(model: str | None, code: str | None) -> None:
    found = charger_model_of(model)
    assert (found.code if found else None) == code


# --- bays ------------------------------------------------------------------------------------


def test_the_live_dump_decodes_a_full_bay_and_a_faulted_bay() -> None:
    charger = charger_of(HEAD.replace("{MA: 1-2  ", "{MA: 5-8  ") + LIVE_DUMP)
    assert (charger.model, charger.firmware, charger.name) == ("SBC220", "1.4.53.0", "MA: 5-8")
    assert charger.storage_mode is False
    assert [bay.index for bay in charger.bays] == list(range(1, 8))
    full = charger.bays[0].battery
    assert full is not None
    assert full.state is BatteryState.FULL
    assert full.full
    assert not full.charging
    assert (full.charge_percent, full.time_to_full_minutes) == (100, None)
    assert (full.cycle_count, full.health_percent, full.bars) == (362, 84, 5)
    # Only BATT_TEMP_F came: 115 - 40 = 75 F = 24 C.
    assert full.temperature_c == 24
    assert full.error is BatteryError.NONE
    faulted = charger.bay(7)
    assert faulted is not None
    assert faulted.battery is not None
    battery = faulted.battery
    assert battery.faulted
    assert battery.error is BatteryError.COMMUNICATION_FAILURE
    # Every number carried its error sentinel: none of them is a number.
    assert battery.charge_percent is None
    assert battery.time_to_full_minutes is None
    assert battery.cycle_count is None
    assert battery.temperature_c is None
    assert battery.health_percent is None
    assert battery.bars is None
    # Bays the dump did not mention are there, empty (the chain reports bays 1-8).
    assert [bay.state for bay in charger.bays[1:6]] == [BatteryState.EMPTY] * 5
    assert [bay.module for bay in charger.bays] == [1, 1, 2, 2, 3, 3, 4]


def test_a_charging_bay_and_an_empty_bay() -> None:
    charger = charger_of(HEAD + CHARGING_BAY + empty_bay(2) + "< REP 1 BATT_MODULE_TYPE 129 >")
    bay1, bay2 = charger.bays
    battery = bay1.battery
    assert battery is not None
    assert battery.state is BatteryState.CHARGING
    assert battery.charging
    assert battery.raw_state == "NORMAL"
    assert (battery.charge_percent, battery.time_to_full_minutes) == (62, 83)
    assert (battery.temperature_c, battery.health_percent, battery.cycle_count) == (25, 94, 41)
    assert (battery.capacity_mah, battery.full_charge_capacity_mah) == (2200, 2060)
    assert battery.remaining_capacity_mah == 1277
    assert battery.bars == 4
    assert bay2.battery is None
    assert not bay2.occupied
    assert bay2.state is BatteryState.EMPTY
    assert charger.modules == (ChargerModule(index=1, present=True, kind="primary"),)
    assert (charger.full_count, charger.charging_count) == (0, 1)


def test_a_fault_from_the_error_code_alone_or_the_state_word_alone() -> None:
    by_code = charger_of(HEAD + CHARGING_BAY.replace("BATT_ERROR 000", "BATT_ERROR 004"))
    battery = by_code.bays[0].battery
    assert battery is not None
    assert battery.state is BatteryState.ERROR
    assert battery.error is BatteryError.CHARGE_FAILED
    assert battery.time_to_full_minutes is None
    by_word = charger_of(HEAD + CHARGING_BAY.replace("STATE NORMAL", "STATE ERROR"))
    battery = by_word.bays[0].battery
    assert battery is not None
    assert battery.state is BatteryState.ERROR
    assert battery.error is BatteryError.NONE


def test_occupancy_from_detected_or_from_the_state_word() -> None:
    # Without BATT_DETECTED, BATT_STATE tells (NO_BATT empty, anything else occupied).
    no_detected = CHARGING_BAY.replace("< REP 1 BATT_DETECTED YES >\n", "")
    assert charger_of(HEAD + no_detected).bays[0].occupied
    empty_word = empty_bay(1).replace("< REP 1 BATT_DETECTED NO >\n", "")
    assert not charger_of(HEAD + empty_word).bays[0].occupied
    # BATT_DETECTED wins: a faulted pack still says YES; NO is empty whatever else came.
    assert (
        not charger_of(HEAD + CHARGING_BAY.replace("DETECTED YES", "DETECTED NO")).bays[0].occupied
    )


def test_error_255_with_a_pack_present_either_reading() -> None:
    """Open question 6: firmware 1.4.7.0 sends BATT_ERROR 255 with a battery present."""
    with_255 = charger_of(HEAD + CHARGING_BAY.replace("BATT_ERROR 000", "BATT_ERROR 255"))
    battery = with_255.bays[0].battery
    assert battery is not None
    assert battery.state is BatteryState.CHARGING
    assert battery.error is None
    # The documented reading: 255 with an empty bay.
    assert not charger_of(HEAD + empty_bay(1)).bays[0].occupied


@pytest.mark.parametrize(
    ("code", "state"),
    [("65530", BatteryState.HOT), ("65531", BatteryState.WARM), ("65532", BatteryState.COLD)],
)
def test_temperature_codes_either_reading(code: str, state: BatteryState) -> None:
    """Open question 5: the FW-HDR codes 65530-65532 reach the wire, or the word says it."""
    word = state.name
    as_code = charger_of(HEAD + CHARGING_BAY.replace("TIME_TO_FULL 00083", f"TIME_TO_FULL {code}"))
    battery = as_code.bays[0].battery
    assert battery is not None
    assert (battery.state, battery.time_to_full_minutes) == (state, None)
    assert battery.charging
    as_word = charger_of(HEAD + CHARGING_BAY.replace("STATE NORMAL", f"STATE {word}"))
    battery = as_word.bays[0].battery
    assert battery is not None
    assert (battery.state, battery.time_to_full_minutes) == (state, 83)


def test_a_time_to_full_code_refines_normal_but_not_a_definite_word() -> None:
    # Pushed alone (open question 7), "target reached" while the word still says NORMAL.
    reached = charger_of(HEAD + CHARGING_BAY.replace("TIME_TO_FULL 00083", "TIME_TO_FULL 65529"))
    assert reached.bays[0].state is BatteryState.FULL
    stored = charger_of(
        HEAD.replace("STORAGE_MODE OFF", "STORAGE_MODE ON")
        + CHARGING_BAY.replace("TIME_TO_FULL 00083", "TIME_TO_FULL 65529")
    )
    assert stored.storage_mode is True
    assert stored.bays[0].state is BatteryState.STORAGE
    calculating = charger_of(HEAD + CHARGING_BAY.replace("00083", "65533"))
    assert calculating.bays[0].state is BatteryState.CALCULATING
    # A definite word is not overridden: WARM_FULL stays full with a stale minute count.
    warm_full = charger_of(HEAD + CHARGING_BAY.replace("STATE NORMAL", "STATE WARM_FULL"))
    battery = warm_full.bays[0].battery
    assert battery is not None
    assert (battery.state, battery.raw_state, battery.time_to_full_minutes) == (
        BatteryState.FULL,
        "WARM_FULL",
        None,
    )


def test_a_present_pack_without_a_state_word_takes_the_code_or_is_unknown() -> None:
    only_ttf = "< REP 1 BATT_DETECTED YES >< REP 1 BATT_TIME_TO_FULL 65533 >"
    assert charger_of(HEAD + only_ttf).bays[0].state is BatteryState.CALCULATING
    only_detected = "< REP 1 BATT_DETECTED YES >< REP 1 BATT_CHARGE 050 >"
    battery = charger_of(HEAD + only_detected).bays[0].battery
    assert battery is not None
    assert (battery.state, battery.charge_percent) == (BatteryState.UNKNOWN, 50)


def test_unknown_state_words_keep_the_raw_word() -> None:
    battery = charger_of(HEAD + CHARGING_BAY.replace("NORMAL", "TURBO")).bays[0].battery
    assert battery is not None
    assert (battery.state, battery.raw_state, battery.time_to_full_minutes) == (
        BatteryState.UNKNOWN,
        "TURBO",
        83,
    )


@pytest.mark.parametrize("word", ["NORMAL", "CHARGING"])
def test_the_charging_word_either_reading(word: str) -> None:
    battery = charger_of(HEAD + CHARGING_BAY.replace("NORMAL", word)).bays[0].battery
    assert battery is not None
    assert battery.state is BatteryState.CHARGING


def _bay_grouped(bays: list[str]) -> str:
    return "".join(bays)


def _key_grouped(bays: list[str]) -> str:
    lines = [[line for line in bay.splitlines() if line] for bay in bays]
    return "".join(line for column in zip(*lines, strict=True) for line in column)


def test_dump_order_either_reading() -> None:
    """Open question 1: bay-grouped or key-grouped, module types last or interleaved."""
    bays = [CHARGING_BAY, empty_bay(2), CHARGING_BAY.replace("< REP 1 ", "< REP 3 "), empty_bay(4)]
    modules = ["< REP 1 BATT_MODULE_TYPE 129 >", "< REP 2 BATT_MODULE_TYPE 133 >"]
    by_bay = charger_of(HEAD + _bay_grouped(bays) + "".join(modules))
    by_key = charger_of(HEAD + _key_grouped(bays) + "".join(modules))
    interleaved = charger_of(HEAD + bays[0] + bays[1] + modules[0] + bays[2] + bays[3] + modules[1])
    assert by_bay == by_key == interleaved
    assert len(by_bay.bays) == 4
    assert [bay.state for bay in by_bay.bays] == [
        BatteryState.CHARGING,
        BatteryState.EMPTY,
        BatteryState.CHARGING,
        BatteryState.EMPTY,
    ]


def test_linked_units_bays_1_to_8_and_modules_imply_bays() -> None:
    four_units = "".join(
        f"< REP {m} BATT_MODULE_TYPE {129 if m == 1 else 133} >" for m in range(1, 5)
    )
    # Module types alone (the bays not yet read) give the chain's eight bays.
    charger = charger_of(HEAD + four_units)
    assert [bay.index for bay in charger.bays] == list(range(1, 9))
    assert [bay.module for bay in charger.bays] == [1, 1, 2, 2, 3, 3, 4, 4]
    assert [module.kind for module in charger.modules] == ["primary"] + ["secondary"] * 3
    # A bay beyond the units known so far is taken (the chain grew); beyond MAX_BAYS not.
    grown = charger_of(
        HEAD + "< REP 6 BATT_DETECTED NO >" + f"< REP {MAX_BAYS + 1} BATT_STATE FULL >"
    )
    assert [bay.index for bay in grown.bays] == list(range(1, 7))
    # A unit reported absent implies no bays.
    absent = charger_of(HEAD + "< REP 1 BATT_MODULE_TYPE 129 >< REP 2 BATT_MODULE_TYPE 000 >")
    assert len(absent.bays) == 2
    assert absent.modules[1] == ChargerModule(index=2, present=False, kind=None)


def test_sbc840_module_type_either_reading() -> None:
    """Open question 4: an SBC840 reports BATT_MODULE_TYPE, or not at all."""
    head = HEAD.replace("SBC220  ", "SBC840  ")
    without = charger_of(head + empty_bay(1), model="SBC840")
    with_module = charger_of(head + empty_bay(1) + "< REP 1 BATT_MODULE_TYPE 129 >", "SBC840")
    assert len(without.bays) == len(with_module.bays) == 8
    assert without.modules == ()
    assert with_module.modules == (ChargerModule(index=1, present=True, kind="primary"),)
    assert {bay.module for bay in with_module.bays} == {None}


def test_sbrc_modules_hold_two_bays_each() -> None:
    inserts = "".join(f"< REP {m} BATT_MODULE_TYPE 005 >" for m in range(1, 5))
    charger = charger_of(HEAD.replace("SBC220  ", "SBRC    ") + inserts, model="SBRC")
    assert [bay.module for bay in charger.bays] == [1, 1, 2, 2, 3, 3, 4, 4]
    assert {module.kind for module in charger.modules} == {"SBM910"}


@pytest.mark.parametrize(
    "line",
    [
        "< REP NET_SETTINGS SC AUTO 192.168.001.025 255.255.255.000 000.000.000.000 "
        "00:0E:DD:45:60:EB >",
        "< REP NET_SETTINGS SC MANUAL 192.168.1.25 255.255.255.0 0.0.0.0 00:0e:dd:45:60:eb >",
    ],
)
def test_net_settings_either_padding_gives_the_mac(line: str) -> None:
    """Open question 3: padded or plain octets; the MAC is the last field."""
    charger = charger_of(HEAD + line)
    assert charger.mac_address == "00:0e:dd:45:60:eb"
    assert charger.api_device_id == "00:0e:dd:45:60:eb"


def test_without_net_settings_the_id_is_the_address() -> None:
    charger = charger_of(HEAD + "< REP ERR >")
    assert charger.mac_address is None
    assert charger.api_device_id == f"{HOST}:{PORT}"


def test_flash_and_other_keys_change_nothing() -> None:
    """Open question 2: FLASH may report OFF by itself, or GET FLASH be refused: no matter."""
    state = ChargerState()
    for message in messages(HEAD):
        apply_charger_message(state, message)
    for line in ["< REP FLASH ON >", "< REP FLASH OFF >", "< REP ERR >", "< SAMPLE 1 ALL 1 2 >"]:
        assert not any(apply_charger_message(state, message) for message in messages(line))


def test_lower_case_and_crlf_either_reading() -> None:
    """Open question 8: case and CRLF are not known; both are read."""
    wire = "< rep model {SBC220} >\r\n< rep 1 batt_detected yes >\r\n< rep 1 batt_state full >\r\n"
    charger = charger_of(wire)
    assert charger.model == "SBC220"
    assert charger.bays[0].state is BatteryState.FULL


def test_bay_zero_addresses_every_bay() -> None:
    charger = charger_of(HEAD + empty_bay(1) + empty_bay(2) + "< REP 0 BATT_HEALTH 090 >")
    # Two empty bays stay empty; the value landed on both (seen once they hold packs).
    assert [bay.battery for bay in charger.bays] == [None, None]
    state = ChargerState()
    for message in messages(CHARGING_BAY + CHARGING_BAY.replace("< REP 1 ", "< REP 2 ")):
        apply_charger_message(state, message)
    assert any(apply_charger_message(state, m) for m in messages("< REP 0 BATT_HEALTH 090 >"))
    assert {bay.health for bay in state.bays.values()} == {90}


def test_unchanged_bays_keep_their_objects() -> None:
    found = charger_model_of("SBC220")
    assert found is not None
    state = ChargerState()
    for message in messages(HEAD + CHARGING_BAY + empty_bay(2)):
        apply_charger_message(state, message)
    first = state.built_bays(found)
    assert not apply_charger_message(state, parse_message("REP 2 BATT_CHARGE 255"))
    assert apply_charger_message(state, parse_message("REP 1 BATT_TIME_TO_FULL 00082"))
    second = state.built_bays(found)
    assert second[1] is first[1]
    assert second[0] is not first[0]
    battery = second[0].battery
    assert battery is not None
    assert battery.time_to_full_minutes == 82


def test_a_bay_whose_time_to_full_changes_kind_is_read_again() -> None:
    state = ChargerState()
    apply_charger_messages(state, messages(CHARGING_BAY + empty_bay(2)))
    # A minute tick: no re-read.
    assert apply_charger_messages(state, messages("< REP 1 BATT_TIME_TO_FULL 00082 >")) == (
        True,
        [],
    )
    # Full, or a pack put in, pushed as the time to full alone: read those bays again.
    changed, again = apply_charger_messages(
        state, messages("< REP 1 BATT_TIME_TO_FULL 65529 >< REP 2 BATT_TIME_TO_FULL 65533 >")
    )
    assert changed
    assert again == [1, 2]
    # With the state word in the same read, nothing is asked.
    assert apply_charger_messages(
        state, messages("< REP 1 BATT_TIME_TO_FULL 00010 >< REP 1 BATT_STATE NORMAL >")
    ) == (True, [])


# --- telling a charger from a receiver --------------------------------------------------------


def test_identify_answer_tells_chargers_by_model() -> None:
    found = identify_answer("where", messages(HEAD + CHARGING_BAY))
    assert found == charger_model_of("SBC220")
    assert identify_answer("where", messages("< REP MODEL {SBC840M} >")) == charger_model_of(
        "SBC840M"
    )


def test_charger_keys_without_a_model_are_never_a_receiver() -> None:
    # BATT_BARS is a ULX-D/QLX-D key too: without MODEL this must not become a QLXD4.
    with pytest.raises(UnsupportedDeviceError, match="charger that reports no model"):
        identify_answer("where", messages("< REP DEVICE_ID {X} >" + CHARGING_BAY))
    # Only a time-to-full tick came before the dump: busy, try again.
    with pytest.raises(MicboardConnectionError, match="no full answer yet"):
        identify_answer("where", messages("< REP 1 BATT_TIME_TO_FULL 00106 >"))
    with pytest.raises(UnsupportedDeviceError, match="SBC250"):
        identify_answer("where", messages("< REP MODEL {SBC250} >"))
