"""``python -m tools.soak.rematch RUN.json``: the matcher again on a run's raw inputs.

``scripts/soak --json RUN.json`` keeps the simulator's log, the events and the windows; this
replays :func:`.matching.match` on them (for working on the rules without a new run).
"""

from __future__ import annotations

import json
from pathlib import Path
import re
import sys
from typing import Any

from .matching import BusEvent, Inputs, Outcome, SimEntry, match


def load(path: Path) -> Inputs:
    """The inputs a ``--json`` file kept."""
    raw: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))["inputs"]
    return Inputs(
        log=[SimEntry(**e) for e in raw["log"]],
        events=[BusEvent(**e) for e in raw["events"]],
        api_ids={int(k): str(v) for k, v in raw["api_ids"].items()},
        initial_tx={
            int(k): {int(c): bool(on) for c, on in v.items()} for k, v in raw["initial_tx"].items()
        },
        initial_names={
            int(k): {int(c): str(n) for c, n in v.items()} for k, v in raw["initial_names"].items()
        },
        ha_blind=[
            (float(s), float(e), frozenset(int(p) for p in re.findall(r"\d+", str(ports))))
            for s, e, ports in raw["ha_blind"]
        ],
        lossy={int(k): [(float(s), float(e)) for s, e in v] for k, v in raw["lossy"].items()},
        start=float(raw["start"]),
        end=float(raw["end"]),
    )


def main(argv: list[str]) -> int:
    outcome: Outcome = match(load(Path(argv[0])))
    for label in ("lost", "duplicated", "out_of_order", "unexplained", "collapsed"):
        items: list[str] = getattr(outcome, label)
        print(f"{label}: {len(items)}")
        for item in items:
            print(f"  {item}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
