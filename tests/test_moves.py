"""The pure move finder: which receivers changed their id between two snapshots."""

from __future__ import annotations

from dataclasses import replace

from custom_components.micboard.manufacturers import Snapshot
from custom_components.micboard.moves import find_moves, rekeyed

from .helpers import receiver, unanswered

MAC = "00:0e:dd:00:00:09"


def _snapshot(*receivers: object) -> Snapshot:
    return Snapshot(manufacturer="shure", receivers={r.api_device_id: r for r in receivers})  # type: ignore[attr-defined]


def test_host_port_to_mac_is_a_move_and_rekeys() -> None:
    """Same address, both identified, new id unknown before: one move, previous re-keyed."""
    old = receiver("Stage L")
    new = replace(old, api_device_id=MAC, mac_address=MAC)
    other = receiver("Other", port=2203)
    previous, current = _snapshot(old, other), _snapshot(new, other)
    assert find_moves(previous, current) == [(old, new)]
    assert find_moves(previous, current, {old.api_device_id, MAC}) == [(old, new)]
    # Limited to other receivers: nothing to find.
    assert find_moves(previous, current, {other.api_device_id}) == []
    moved = rekeyed(previous, [(old, new)])
    assert set(moved.receivers) == {MAC, other.api_device_id}
    assert moved.receivers[MAC] == replace(old, api_device_id=MAC)


def test_first_answer_gone_receiver_and_known_id_are_no_moves() -> None:
    """A placeholder answering, a receiver that went, or an id already present: no move."""
    placeholder = unanswered("10.0.0.5", 2202)
    found = receiver("Stage L", api_device_id=MAC)
    assert find_moves(_snapshot(placeholder), _snapshot(found)) == []
    old = receiver("Stage L")
    assert find_moves(_snapshot(old), _snapshot()) == []
    elsewhere = receiver("Elsewhere", port=2209, api_device_id=MAC)
    assert find_moves(_snapshot(old, elsewhere), _snapshot(replace(old, api_device_id=MAC))) == []
    assert find_moves(_snapshot(old), _snapshot(old)) == []
