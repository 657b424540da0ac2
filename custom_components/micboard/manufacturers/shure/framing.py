"""Split the receiver's byte stream into ``< ... >`` messages.

Receivers send no line endings: messages follow each other directly, several may share one
read and one may be split across reads. A message runs from ``<`` to the next ``>`` that is
not inside a ``{...}`` string value (names may legally contain ``<`` and ``>``).
"""

from __future__ import annotations

import logging

_LOGGER = logging.getLogger(__name__)

# Longest plausible message: an Axient REP with a 31-character padded value is ~60 bytes.
MAX_MESSAGE_BYTES = 1024

_OPEN = ord("<")
_CLOSE = ord(">")
_BRACE_OPEN = ord("{")
_BRACE_CLOSE = ord("}")


class MessageSplitter:
    """Incremental splitter: feed it bytes, get back complete messages without ``<``/``>``."""

    def __init__(self, max_message_bytes: int = MAX_MESSAGE_BYTES) -> None:
        self._buffer = bytearray()
        self._max = max_message_bytes

    def feed(self, data: bytes) -> list[str]:
        """Add bytes from the stream; return the text inside every message now complete."""
        self._buffer += data
        messages: list[str] = []
        buffer = self._buffer
        start = -1
        in_braces = False
        position = 0
        consumed = 0
        while position < len(buffer):
            byte = buffer[position]
            if in_braces:
                if byte == _BRACE_CLOSE:
                    in_braces = False
                elif position - start > self._max:
                    # An unterminated brace would swallow the stream: resync after this '<'.
                    _LOGGER.debug("Dropping over-long message: %r", bytes(buffer[start:position]))
                    consumed = start + 1
                    position = consumed
                    start = -1
                    in_braces = False
                    continue
            elif byte == _OPEN:
                # Outside braces '<' only starts a message; anything before it is garbage.
                if start >= 0 or position > consumed:
                    self._log_garbage(buffer[consumed:position])
                start = position
            elif byte == _CLOSE:
                if start >= 0:
                    text = buffer[start + 1 : position].decode("ascii", errors="replace")
                    messages.append(text)
                else:
                    self._log_garbage(buffer[consumed : position + 1])
                consumed = position + 1
                start = -1
            elif byte == _BRACE_OPEN and start >= 0:
                in_braces = True
            position += 1

        if start < 0:
            # No message in progress: whatever is left is garbage.
            if consumed < len(buffer):
                self._log_garbage(buffer[consumed:])
            consumed = len(buffer)
        elif len(buffer) - start > self._max:
            _LOGGER.debug("Dropping over-long message: %r", bytes(buffer[start:]))
            consumed = len(buffer)
        else:
            consumed = start
        del buffer[:consumed]
        return messages

    @staticmethod
    def _log_garbage(data: bytes | bytearray) -> None:
        if data.strip():
            _LOGGER.debug("Skipping bytes outside any message: %r", bytes(data))
