"""A simulated Shure networked charger (SBC220/240, SBC840/840M, SBRC) on TCP 2202.

Written from the shure-chargers sheet, independently of the client: the receivers' framing
(``< GET x KEY >``, ``REP``, no line endings, ``REP ERR`` for anything it does not take),
fixed widths (MODEL padded to 32, FW_VER 24, DEVICE_ID 31), every bay key with its
sentinels, temperatures sent as degrees + 40, no METER_RATE, and a REP pushed for every
change (the time to full once a charging minute). Linked SBC220/240 units answer behind
one address with bays numbered across the chain (unit k: bays 2k-1, 2k).

Where the sheet is open, ``ChargerOptions`` says which reading is played.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
import random
from typing import Literal

from ..frontend import LOOPBACK
from ..rig import ChargerBay, Device, Pack, PackState, TransitionLog
from .dialects import Prop, braced
from .server import _NAME, _NAME_MAX, CommandError, ShureTcpServer, _Client, _name

MODEL_WIDTH = 32
FIRMWARE_WIDTH = 24
DEVICE_ID_WIDTH = 31
# Sentinels (sheet §3): 3-digit 254 error / 255 unknown, 5-digit 65534 / 65535.
ERROR_BYTE, UNKNOWN_BYTE = "254", "255"
ERROR_COUNT, UNKNOWN_COUNT = "65534", "65535"
TTF_FULL, TTF_HOT, TTF_WARM, TTF_COLD, TTF_CALCULATING = 65529, 65530, 65531, 65532, 65533
TEMPERATURE_OFFSET = 40
# The order of a bay's keys in a dump (sheet §5).
BAY_KEYS = (
    "BATT_DETECTED",
    "BATT_TIME_TO_FULL",
    "BATT_STATE",
    "BATT_CHARGE",
    "BATT_CURRENT_CAPACITY",
    "BATT_CURRENT_CAPACITY_MAX",
    "BATT_CYCLE",
    "BATT_TEMP_F",
    "BATT_TEMP_C",
    "BATT_CAPACITY_MAX",
    "BATT_HEALTH",
    "BATT_BARS",
    "BATT_ERROR",
)
MODULE_KEY = "BATT_MODULE_TYPE"
# Module type codes (sheet §3.1): SBC220/240 primary and secondary units, SBRC inserts.
PRIMARY, SECONDARY, SBM910 = "129", "133", "005"
# How long FLASH stays on after SET FLASH ON (the identify blink).
FLASH_SECONDS = 2.0


@dataclass(frozen=True, slots=True)
class ChargerOptions:
    """Readings of the sheet's open questions (shure-chargers §8) and its [UNCERTAIN] facts."""

    # Q1: GET 0 ALL grouped by bay with the module types last ("bay"), grouped by key
    # ("key"), or each unit's module type after its bays ("interleaved").
    dump_order: Literal["bay", "key", "interleaved"] = "bay"
    # §5 [INF]: empty bays are in the dump (True) or left out (False).
    dump_empty_bays: bool = True
    # Q2: FLASH reports OFF by itself after the identify blink; GET FLASH is answered.
    flash_auto_off: bool = True
    get_flash: bool = True
    # Q3: NET_SETTINGS as SLX-D+ writes it ("padded" octets), plain octets, or REP ERR.
    net_settings: Literal["padded", "plain", "error"] = "padded"
    # Q4: SBC840/840M report BATT_MODULE_TYPE (one module) or not at all.
    sbc840_module: bool = False
    # Q5: a warm, hot or cold pack's time to full is the FW-HDR code (65531/65530/65532)
    # rather than minutes.
    temperature_codes: bool = False
    # Q6: BATT_ERROR 255 with a healthy pack present (seen on firmware 1.4.7.0).
    error_255_with_battery: bool = False
    # Q7: every changed key is pushed ("all"), or only BATT_TIME_TO_FULL ("time_to_full").
    push: Literal["all", "time_to_full"] = "all"
    # §3 [UNCERTAIN]: the word for a pack charging normally (Shure's list: NORMAL; one
    # third-party fixture: CHARGING).
    charging_word: Literal["NORMAL", "CHARGING"] = "NORMAL"


def _n3(value: int) -> str:
    return f"{max(0, min(value, 253)):03d}"


def _n5(value: int) -> str:
    return f"{max(0, min(value, 65528)):05d}"


def _state_word(state: PackState, charging_word: str) -> str:
    return {
        PackState.CALCULATING: "CALCULATING",
        PackState.CHARGING: charging_word,
        PackState.WARM: "WARM",
        PackState.HOT: "HOT",
        PackState.COLD: "COLD",
        PackState.FULL: "FULL",
        PackState.DISCHARGING: "DISCHARGING",
        PackState.STORED: "READY_TO_STORE",
        PackState.FAULT: "ERROR",
    }[state]


class SimulatedCharger(ShureTcpServer):
    """A Shure charger the tests and the CLI can drive; every change is pushed as REP."""

    def __init__(
        self,
        device: Device,
        *,
        rng: random.Random,
        noise: bool,
        meter_jitter: float,
        log: TransitionLog | None = None,
        options: ChargerOptions | None = None,
    ) -> None:
        super().__init__(device, rng=rng, noise=noise, meter_jitter=meter_jitter, log=log)
        self.options = options or ChargerOptions()
        self.flash = False
        self._flash_off: asyncio.TimerHandle | None = None

    # --- what the charger reports ----------------------------------------------------------

    def device_props(self) -> list[Prop]:
        """MODEL, FW_VER, DEVICE_ID, FLASH, STORAGE_MODE, in the dump's order (sheet §2)."""
        device = self.device
        return [
            ("MODEL", None, braced(device.model_string, MODEL_WIDTH)),
            ("FW_VER", None, braced(device.firmware, FIRMWARE_WIDTH)),
            ("DEVICE_ID", None, braced(device.name, DEVICE_ID_WIDTH)),
            ("FLASH", None, "ON" if self.flash else "OFF"),
            ("STORAGE_MODE", None, "ON" if device.storage_mode else "OFF"),
        ]

    def bay_props(self, index: int) -> list[Prop]:
        """A bay's keys: an empty bay's sentinels, a faulted pack's error codes, or values."""
        pack = self.device.bay(index).pack
        if pack is None:
            values = [
                "NO",
                UNKNOWN_COUNT,
                "NO_BATT",
                UNKNOWN_BYTE,
                UNKNOWN_COUNT,
                UNKNOWN_COUNT,
                UNKNOWN_COUNT,
                UNKNOWN_BYTE,
                UNKNOWN_BYTE,
                UNKNOWN_COUNT,
                UNKNOWN_BYTE,
                UNKNOWN_BYTE,
                UNKNOWN_BYTE,
            ]
        elif pack.fault is not None:
            # The real faulted-bay pattern (sheet §5.1, bay 7): YES, every number its error
            # sentinel, the state ERROR and the error code.
            values = [
                "YES",
                ERROR_COUNT,
                "ERROR",
                ERROR_BYTE,
                ERROR_COUNT,
                ERROR_COUNT,
                ERROR_COUNT,
                ERROR_BYTE,
                ERROR_BYTE,
                ERROR_COUNT,
                ERROR_BYTE,
                ERROR_BYTE,
                f"{pack.fault:03d}",
            ]
        else:
            values = self._pack_values(pack)
        return [(key, None, value) for key, value in zip(BAY_KEYS, values, strict=True)]

    def _pack_values(self, pack: Pack) -> list[str]:
        device, options = self.device, self.options
        state = pack.state(device.storage_mode)
        if state is PackState.CALCULATING:
            ttf = f"{TTF_CALCULATING:05d}"
        elif state in {PackState.FULL, PackState.STORED}:
            ttf = f"{TTF_FULL:05d}"
        elif options.temperature_codes and state in {
            PackState.WARM,
            PackState.HOT,
            PackState.COLD,
        }:
            ttf = str({PackState.WARM: TTF_WARM, PackState.HOT: TTF_HOT}.get(state, TTF_COLD))
        else:
            ttf = _n5(pack.minutes_to_target(device.storage_mode))
        full_charge = round(pack.capacity_mah * pack.health / 100)
        remaining = round(full_charge * pack.percent / 100)
        temp_f = round(pack.temp_c * 9 / 5 + 32)
        error = "255" if options.error_255_with_battery else "000"
        return [
            "YES",
            ttf,
            _state_word(state, options.charging_word),
            _n3(pack.percent),
            _n5(remaining),
            _n5(full_charge),
            _n5(pack.cycles),
            _n3(temp_f + TEMPERATURE_OFFSET),
            _n3(pack.temp_c + TEMPERATURE_OFFSET),
            _n5(pack.capacity_mah),
            _n3(pack.health),
            _n3(min(5, (pack.percent + 19) // 20)),
            error,
        ]

    def modules(self) -> list[tuple[int, str]]:
        """(module, BATT_MODULE_TYPE) of each linked unit or insert the charger reports."""
        info = self.device.info
        if info.bays_per_module is None:
            return [(1, PRIMARY)] if self.options.sbc840_module else []
        count = len(self.device.bays) // info.bays_per_module
        if info.model == "SBRC":
            return [(index, SBM910) for index in range(1, count + 1)]
        return [(index, PRIMARY if index == 1 else SECONDARY) for index in range(1, count + 1)]

    def _module_of(self, bay: int) -> int | None:
        per = self.device.info.bays_per_module
        return None if per is None else (bay - 1) // per + 1

    # --- pushes ------------------------------------------------------------------------------

    def _pushable(self) -> list[tuple[int | None, Prop]]:
        values: list[tuple[int | None, Prop]] = [(None, prop) for prop in self.device_props()]
        for bay in self.device.bays:
            values += [(bay.index, prop) for prop in self.bay_props(bay.index)]
        values += [(module, (MODULE_KEY, None, code)) for module, code in self.modules()]
        return values

    def _pushes(self, prop: Prop) -> bool:
        # Open question 7's narrow reading pushes BATT_TIME_TO_FULL alone.
        return self.options.push == "all" or prop[0] == "BATT_TIME_TO_FULL"

    # --- commands ----------------------------------------------------------------------------

    def _answer(self, client: _Client, tokens: list[str]) -> list[str]:
        if len(tokens) < 2 or tokens[0] not in {"GET", "SET"}:
            raise CommandError
        verb, rest = tokens[0], tokens[1:]
        index: int | None = None
        if rest[0].isdigit():
            index = int(rest[0])
            rest = rest[1:]
            if not rest:
                raise CommandError
        if verb == "GET":
            return self._get(index, rest)
        return self._set(index, rest)

    def _get(self, index: int | None, rest: list[str]) -> list[str]:
        key = rest[0]
        if index is None:
            if key == "NET_SETTINGS":
                return self._net_settings(rest[1:])
            if key == "FLASH" and not self.options.get_flash:
                raise CommandError
            props = [prop for prop in self.device_props() if prop[0] == key]
            if not props or len(rest) > 1:
                raise CommandError
            return [self._rep(None, prop) for prop in props]
        if len(rest) > 1:
            raise CommandError
        if key == "ALL":
            return self._dump(index)
        if key == MODULE_KEY:
            lines = [
                self._rep(module, (MODULE_KEY, None, code))
                for module, code in self.modules()
                if index in {0, module}
            ]
        elif key in BAY_KEYS:
            lines = [
                self._rep(bay.index, prop)
                for bay in self._bays(index)
                for prop in self.bay_props(bay.index)
                if prop[0] == key
            ]
        else:
            # METER_RATE among them: a live SBC220 answers it with REP ERR (sheet §1).
            raise CommandError
        if not lines:
            raise CommandError
        return lines

    def _bays(self, index: int) -> list[ChargerBay]:
        bays = self.device.bays
        if index == 0:
            return list(bays)
        if not 1 <= index <= len(bays):
            raise CommandError
        return [bays[index - 1]]

    def _dump(self, index: int) -> list[str]:
        """``GET x ALL``: device keys, then the bay(s) and module type(s) (sheet §1.1, §5)."""
        lines = [self._rep(None, prop) for prop in self.device_props()]
        bays = [
            bay
            for bay in self.device.bays
            if index in {0, bay.index} and (bay.pack is not None or self.options.dump_empty_bays)
        ]
        if index and not 1 <= index <= len(self.device.bays):
            raise CommandError
        # GET n ALL: bay n, and module n's type by the literal doc wording.
        modules = [(m, code) for m, code in self.modules() if index in {0, m}]
        module_lines = {m: self._rep(m, (MODULE_KEY, None, code)) for m, code in modules}
        order = self.options.dump_order
        if order == "key":
            for key in BAY_KEYS:
                lines += [
                    self._rep(bay.index, prop)
                    for bay in bays
                    for prop in self.bay_props(bay.index)
                    if prop[0] == key
                ]
            return lines + list(module_lines.values())
        for bay in bays:
            lines += [self._rep(bay.index, prop) for prop in self.bay_props(bay.index)]
            module = self._module_of(bay.index)
            per = self.device.info.bays_per_module
            last_of_module = per is not None and bay.index % per == 0
            if order == "interleaved" and last_of_module and module in module_lines:
                lines.append(module_lines.pop(module))
        return lines + list(module_lines.values())

    def _net_settings(self, rest: list[str]) -> list[str]:
        if rest not in (["SC"], []) or self.options.net_settings == "error":
            # Chargers have no Dante interfaces (D1/D2): REP ERR [INF].
            raise CommandError
        mac = self.device.mac.upper()
        if self.options.net_settings == "padded":
            address = "127.000.000.001 255.000.000.000 000.000.000.000"
        else:
            address = f"{LOOPBACK} 255.0.0.0 0.0.0.0"
        return [f"< REP NET_SETTINGS SC MANUAL {address} {mac} >"]

    def _set(self, index: int | None, rest: list[str]) -> list[str]:
        key, args = rest[0], rest[1:]
        if index is not None or self.device.faults.locked:
            raise CommandError
        device = self.device
        if key == "DEVICE_ID" and len(args) == 1:
            name = _name(args[0])
            if self._change(lambda: setattr(device, "name", name)):
                return []
            return [self._rep(None, p) for p in self.device_props() if p[0] == key]
        if key == "STORAGE_MODE" and len(args) == 1 and args[0] in {"ON", "OFF", "TOGGLE"}:
            on = not device.storage_mode if args[0] == "TOGGLE" else args[0] == "ON"
            if self._change(lambda: setattr(device, "storage_mode", on)):
                return []
            return [self._rep(None, p) for p in self.device_props() if p[0] == key]
        if key == "FLASH" and args in (["ON"], ["OFF"]):
            # Pushed to every connection when it changed; else answered to the asker.
            return [] if self._flash(args == ["ON"]) else [f"< REP FLASH {args[0]} >"]
        if key == "REBOOT" and not args:
            return []  # no REP (sheet §2); the simulator does not restart
        raise CommandError

    def _flash(self, on: bool) -> bool:
        """FLASH on (off again by itself, open question 2) or off; True if pushed."""
        if self._flash_off is not None:
            self._flash_off.cancel()
            self._flash_off = None
        pushed = self._change(lambda: setattr(self, "flash", on))
        if on and self.options.flash_auto_off:
            loop = asyncio.get_running_loop()
            self._flash_off = loop.call_later(FLASH_SECONDS, self._flash, False)
        return pushed

    async def close(self) -> None:
        """Stop listening, drop every connection, forget a pending FLASH OFF."""
        if self._flash_off is not None:
            self._flash_off.cancel()
            self._flash_off = None
        await super().close()

    def check_name(self, name: str, channel: int | None) -> None:
        """DEVICE_ID: 1-8 characters of Shure's set (what SET DEVICE_ID takes, sheet §2)."""
        if not name or len(name) > _NAME_MAX or not _NAME.match(name):
            raise ValueError(f"a Shure charger cannot carry the name {name!r}")

    def _describe_extra(self) -> dict[str, object]:
        return {"flash": self.flash}
