"""SSC v1 wire format: JSON trees in UDP datagrams, flattened into path -> value.

A request mirrors the device's address tree with ``null`` leaves for reads; the reply
mirrors it back with values. One reply may carry good leaves and an ``osc/error`` tree
at once (partial success), so decoding never stops at the first error. Everything here
is pure: bytes in, ``Reply`` out, or ``SscDecodeError`` for what is not an SSC message.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
import json
import math
from typing import Any, TypeIs

type Path = tuple[str, ...]

# Error codes the client acts on (the rest are reported by their first digit only).
NOT_FOUND = 404
FAILED_DEPENDENCY = 424
SUBSCRIPTION_TERMINATES = 310
UNAUTHORIZED = 401
FORBIDDEN = 403
# Codes that refuse a write (not acceptable, conflict, unprocessable, locked): the leaf keeps
# the value it had.
WRITE_REFUSALS = frozenset({406, 409, 422, 423})

# The most leaves (addresses read, written or subscribed to) one request carries. SSC v1
# states no limit for EW-DX, but large messages may fail (error 413/414, IP fragmentation)
# and one measured limit on another SSC product was 29 tokens (sheet part 1, large
# messages): "a few dozen", kept below that. Micboard's largest request today is an EM 4's
# meter subscription (16 leaves); anything longer is split into several requests.
MAX_LEAVES_PER_REQUEST = 24

# Names are ASCII 32-126 on the device; anything else is dropped, never passed on.
_PRINTABLE_MIN = 32
_PRINTABLE_MAX = 126


class SscDecodeError(ValueError):
    """A datagram that is not a JSON object (garbage, truncated, wrong encoding)."""


@dataclass(frozen=True, slots=True)
class Reply:
    """One decoded datagram.

    ``values`` holds every non-``osc`` leaf that came with a value (``null`` leaves are
    left out: they say nothing); ``errors`` the code per failed leaf. ``echoed`` are the
    paths a subscription acknowledgement repeated back, which count as an answer too.
    """

    values: Mapping[Path, object] = field(default_factory=dict)
    errors: Mapping[Path, int] = field(default_factory=dict)
    xid: int | None = None
    echoed: frozenset[Path] = frozenset()

    @property
    def paths(self) -> frozenset[Path]:
        """Every path this datagram says anything about."""
        return frozenset(self.values) | frozenset(self.errors) | self.echoed


def chunked(paths: Iterable[Path], size: int = MAX_LEAVES_PER_REQUEST) -> list[tuple[Path, ...]]:
    """``paths`` in order, in runs of at most ``size`` (none for no paths)."""
    if size < 1:
        raise ValueError(f"a request carries at least one leaf, not {size}")
    paths = tuple(paths)
    return [paths[start : start + size] for start in range(0, len(paths), size)]


def merged(replies: Iterable[Reply]) -> Reply:
    """The answers to the parts of one split request, as if they were one (no xid)."""
    values: dict[Path, object] = {}
    errors: dict[Path, int] = {}
    echoed: set[Path] = set()
    for reply in replies:
        values |= reply.values
        errors |= reply.errors
        echoed |= reply.echoed
    return Reply(values=values, errors=errors, echoed=frozenset(echoed))


def request_tree(paths: Iterable[Path]) -> dict[str, Any]:
    """The read request for ``paths``: a nested object with ``null`` leaves."""
    tree: dict[str, Any] = {}
    for path in paths:
        node = tree
        for part in path[:-1]:
            node = node.setdefault(part, {})
        node[path[-1]] = None
    return tree


def write_tree(path: Path, value: object) -> dict[str, Any]:
    """The write request for one leaf: a nested object with ``value`` at ``path``."""
    tree: dict[str, Any] = {}
    node = tree
    for part in path[:-1]:
        node = node.setdefault(part, {})
    node[path[-1]] = value
    return tree


def encode(tree: Mapping[str, Any]) -> bytes:
    """A request as the device wants it: compact JSON, ASCII only."""
    return json.dumps(tree, separators=(",", ":"), ensure_ascii=True).encode("ascii")


def _merge_pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    # A repeated key is merged instead of the last one winning: the SpeechLine guide's
    # own example sends {"osc":{"xid":1},"osc":{"state":...}}.
    merged: dict[str, Any] = dict(pairs)
    if len(merged) == len(pairs):
        return merged  # no key repeated: the usual case, built in C
    merged = {}
    for key, value in pairs:
        previous = merged.get(key)
        if isinstance(previous, dict) and isinstance(value, dict):
            merged[key] = _merge_pairs([*previous.items(), *value.items()])
        else:
            merged[key] = value
    return merged


def decode(data: bytes) -> Reply:
    """Decode one datagram; raise ``SscDecodeError`` when it is not an SSC message."""
    # Devices send ASCII; a stray byte must not cost the whole message, so undecodable
    # bytes become U+FFFD and are dropped later where text is sanitised.
    text = data.decode("utf-8", errors="replace").strip()
    try:
        document = json.loads(text, object_pairs_hook=_merge_pairs)
    except (ValueError, RecursionError) as err:
        raise SscDecodeError(f"not JSON: {err}") from err
    if not isinstance(document, dict):
        raise SscDecodeError(f"not a JSON object: {type(document).__name__}")
    values: dict[Path, object] = {}
    errors: dict[Path, int] = {}
    echoed: set[Path] = set()
    xid: int | None = None
    for key, node in document.items():
        if key != "osc":
            _flatten(node, (key,), values)
            continue
        if not isinstance(node, dict):
            continue
        if _is_int(candidate := node.get("xid")):
            xid = candidate
        for tree in _as_list(node.get("error")):
            _collect_errors(tree, (), errors)
        state = node.get("state")
        if isinstance(state, dict):
            for entry in _as_list(state.get("subscribe")):
                if isinstance(entry, dict):
                    _collect_echo(entry, (), echoed)
    return Reply(values=values, errors=errors, xid=xid, echoed=frozenset(echoed))


def _is_int(value: object) -> TypeIs[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def _as_list(value: object) -> list[Any]:
    # The error and subscribe nodes are arrays on the wire; a lone object is accepted too.
    if isinstance(value, list):
        return value
    if isinstance(value, dict):
        return [value]
    return []


def _flatten(node: object, path: Path, out: dict[Path, object]) -> None:
    if isinstance(node, dict):
        for key, child in node.items():
            _flatten(child, (*path, key), out)
    elif node is not None:
        out[path] = node


def _collect_errors(node: object, path: Path, out: dict[Path, int]) -> None:
    # A failed leaf is [code] or [code, {"desc": ...}]; a bare code is accepted too.
    if isinstance(node, dict):
        for key, child in node.items():
            _collect_errors(child, (*path, key), out)
    elif path and isinstance(node, list) and node and _is_int(node[0]):
        out[path] = node[0]
    elif path and _is_int(node):
        out[path] = node


def _collect_echo(node: dict[str, Any], path: Path, out: set[Path]) -> None:
    for key, child in node.items():
        if key == "#":
            continue  # the subscription's own parameters, not an address
        if isinstance(child, dict) and child:
            _collect_echo(child, (*path, key), out)
        else:
            out.add((*path, key))


def clean_text(value: object, *, limit: int = 64) -> str | None:
    """Printable ASCII of a text value, trimmed; None when nothing printable is left."""
    if not isinstance(value, str):
        return None
    text = "".join(ch for ch in value if _PRINTABLE_MIN <= ord(ch) <= _PRINTABLE_MAX)
    return text.strip()[:limit] or None


def as_number(value: object, low: float, high: float) -> float | None:
    """A finite number within [low, high], else None (bools are not numbers here)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    number = float(value)
    if not math.isfinite(number) or not low <= number <= high:
        return None
    return number


def as_bool(value: object) -> bool | None:
    """A JSON boolean, else None."""
    return value if isinstance(value, bool) else None


def as_strings(value: object) -> frozenset[str] | None:
    """A list of strings (e.g. warnings) as a set; None when it is not a list."""
    if not isinstance(value, list):
        return None
    return frozenset(text for item in value if (text := clean_text(item)))
