"""The limits of what a device takes: channel names and audio gain, as data.

Kept as data (not just as checks) so that a consumer can show them (a text field's length
and pattern, a number's range and step) and check a whole batch before sending any of it.
Names are never cut or changed to fit: ``problem`` says why a name cannot be taken.
"""

from __future__ import annotations

from dataclasses import dataclass

from .errors import InvalidReason, InvalidValueError

# Characters Shure takes in names (SLX-D, ULX-D and Axient documents): letters, digits,
# space and this punctuation; not "{", "}" or "|".
SHURE_NAME_CHARACTERS = (
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789 !\"#$%&'()*+,-./:;<=>?@[\\]^_`~"
)
# SSC strings: printable ASCII 32-126.
PRINTABLE_ASCII = "".join(chr(code) for code in range(32, 127))

# Characters a regular-expression character class needs escaped (in Python and in the
# browser's ``u`` mode alike; escaping others would be an error there).
_CLASS_SPECIALS = frozenset("\\]^-[")


@dataclass(frozen=True, slots=True, kw_only=True)
class NameRule:
    """What a device takes as a channel name."""

    max_length: int
    # Every character the device takes, each once.
    allowed: str
    min_length: int = 1
    # The device may report the name in another letter case than it was sent in
    # (Sennheiser clients upper-case names before writing them; whether the device itself
    # does is not known): a reply that differs only in case still confirms.
    case_insensitive: bool = False

    def problem(self, name: str) -> InvalidValueError | None:
        """Why the device cannot take ``name``, or None when it can."""
        if len(name) < self.min_length:
            return InvalidValueError(
                f"a name needs at least {self.min_length} character(s)",
                reason=InvalidReason.TOO_SHORT,
                limits={"min_length": str(self.min_length)},
            )
        if len(name) > self.max_length:
            return InvalidValueError(
                f"{name!r} is {len(name)} characters; the device takes at most {self.max_length}",
                reason=InvalidReason.TOO_LONG,
                limits={"max_length": str(self.max_length), "length": str(len(name))},
            )
        if bad := "".join(dict.fromkeys(char for char in name if char not in self.allowed)):
            return InvalidValueError(
                f"{name!r} has characters the device does not take: {bad!r}",
                reason=InvalidReason.CHARACTERS,
                limits={"characters": bad},
            )
        if name != name.strip(" "):
            return InvalidValueError(
                f"{name!r} starts or ends with a space, which the device does not keep",
                reason=InvalidReason.EDGE_SPACE,
            )
        return None

    def check(self, name: str) -> None:
        """Raise ``InvalidValueError`` when the device cannot take ``name``."""
        if (problem := self.problem(name)) is not None:
            raise problem

    def same(self, sent: str, reported: str | None) -> bool:
        """Whether what the device reports is the name that was sent."""
        if reported is None:
            return False
        if self.case_insensitive:
            return sent.casefold() == reported.casefold()
        return sent == reported

    @property
    def pattern(self) -> str:
        """A regular expression matching exactly the names ``problem`` accepts (by characters:
        length is separate): allowed characters, no space at either end."""
        inner = _character_class(self.allowed)
        edge = _character_class(self.allowed.replace(" ", ""))
        return f"^{edge}(?:{inner}*{edge})?$"


def _character_class(characters: str) -> str:
    """``[...]`` for exactly these characters, runs of three or more as ranges."""
    codes = sorted({ord(char) for char in characters})
    parts: list[str] = []
    start = 0
    while start < len(codes):
        end = start
        while end + 1 < len(codes) and codes[end + 1] == codes[end] + 1:
            end += 1
        if end - start >= 2:
            parts.append(f"{_escaped(codes[start])}-{_escaped(codes[end])}")
        else:
            parts.extend(_escaped(code) for code in codes[start : end + 1])
        start = end + 1
    return "[" + "".join(parts) + "]"


def _escaped(code: int) -> str:
    char = chr(code)
    return f"\\{char}" if char in _CLASS_SPECIALS else char


@dataclass(frozen=True, slots=True, kw_only=True)
class GainRange:
    """The audio gain a channel takes, in dB."""

    minimum_db: int
    maximum_db: int
    step_db: int = 1

    def problem(self, gain_db: int) -> InvalidValueError | None:
        """Why the device cannot take ``gain_db``, or None when it can."""
        limits = {
            "minimum": str(self.minimum_db),
            "maximum": str(self.maximum_db),
            "step": str(self.step_db),
        }
        if not self.minimum_db <= gain_db <= self.maximum_db:
            return InvalidValueError(
                f"{gain_db} dB is outside {self.minimum_db} to {self.maximum_db} dB",
                reason=InvalidReason.OUT_OF_RANGE,
                limits=limits,
            )
        if (gain_db - self.minimum_db) % self.step_db:
            return InvalidValueError(
                f"{gain_db} dB is not on the device's {self.step_db} dB steps "
                f"from {self.minimum_db} dB",
                reason=InvalidReason.STEP,
                limits=limits,
            )
        return None

    def check(self, gain_db: int) -> None:
        """Raise ``InvalidValueError`` when the device cannot take ``gain_db``."""
        if (problem := self.problem(gain_db)) is not None:
            raise problem
