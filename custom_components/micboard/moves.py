"""Receivers whose id moved between two snapshots (pure, no Home Assistant imports).

A receiver first known by ``host:port`` whose MAC arrives later is published under a new
id. It is the same receiver when the new id sits at the same address, both observations
identified it, and the new id was not already known.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from .manufacturers import Receiver, Snapshot


def find_moves(
    previous: Snapshot, current: Snapshot, candidates: Iterable[str] | None = None
) -> list[tuple[Receiver, Receiver]]:
    """(old, new) for each receiver whose id moved; ``candidates`` limits the search."""
    ids = previous.receivers.keys() if candidates is None else candidates
    gone = [i for i in ids if i in previous.receivers and i not in current.receivers]
    if not gone:
        return []
    by_address = {(r.host, r.port): r for r in current.receivers.values()}
    moves = []
    for old_id in gone:
        old = previous.receivers[old_id]
        new = by_address.get((old.host, old.port))
        # A first answer (from an unidentified placeholder) is a discovery, not a move.
        if (
            new is not None
            and old.identified
            and new.identified
            and new.api_device_id not in previous.receivers
        ):
            moves.append((old, new))
    return moves


def rekeyed(previous: Snapshot, moves: Iterable[tuple[Receiver, Receiver]]) -> Snapshot:
    """``previous`` with each moved receiver under its new id (so a diff sees one receiver)."""
    receivers = dict(previous.receivers)
    for old, new in moves:
        receivers.pop(old.api_device_id)
        receivers[new.api_device_id] = replace(old, api_device_id=new.api_device_id)
    return replace(previous, receivers=receivers)
