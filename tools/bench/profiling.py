"""cProfile and tracemalloc reports: where the loop's time and the memory held go."""

from __future__ import annotations

from collections import Counter, defaultdict
import cProfile
import pstats
import tracemalloc

from .accounting import top
from .const import MICBOARD_PATH
from .frames import short

# pstats' raw table: (file, line, function) -> (primitive calls, calls, tottime, cumtime, callers).
type _RawStats = dict[tuple[str, int, str], tuple[int, int, float, float, object]]


def cprofile_report(profile: cProfile.Profile, window: float) -> list[str]:
    """The loop's busy time, Micboard's part of it by file, and the top functions."""
    stats = pstats.Stats(profile)
    raw: _RawStats = stats.stats  # type: ignore[attr-defined]
    busy = 0.0
    micboard = 0.0
    by_file: defaultdict[str, float] = defaultdict(float)
    rows: list[tuple[float, float, int, str]] = []
    for (filename, line, name), (_, calls, tottime, cumtime, _) in raw.items():
        if "poll' of 'select.epoll" in name:
            continue
        busy += tottime
        if MICBOARD_PATH in filename:
            micboard += tottime
            by_file[short(filename, "")] += tottime
        rows.append((tottime, cumtime, calls, short(filename, name, line)))
    rows.sort(reverse=True)
    files = ", ".join(
        f"{name.removesuffix('()')} {100 * t / busy:.0f} %" for name, t in top(by_file, 8)
    )
    return [
        f"cProfile, {window:g} s of steady state (profiling slows "
        f"Python code ~2x): loop busy {busy:.2f} s; Micboard's own code (self time in "
        f"{MICBOARD_PATH}) {100 * micboard / busy:.0f} % of it",
        f"  self time by Micboard file: {files}",
        "  top functions by self time (tottime s, cumtime s, calls):",
        *(
            f"    {tottime:7.3f} {cumtime:7.3f} {calls:8d}  {name}"
            for tottime, cumtime, calls, name in rows[:18]
        ),
    ]


def _where(frame: tracemalloc.Frame) -> str:
    return short(frame.filename, "", frame.lineno).replace("()", "")


def tracemalloc_report(before: tracemalloc.Snapshot, after: tracemalloc.Snapshot) -> list[str]:
    """Where the memory still held after steady state was allocated (``--tracemalloc``)."""
    diff = after.compare_to(before, "traceback")
    total = sum(stat.size_diff for stat in diff)
    by_file: Counter[str] = Counter()
    for stat in diff:
        by_file[short(stat.traceback[-1].filename, "")] += stat.size_diff
    lines = [
        f"tracemalloc: {total / 2**20:.1f} MB more Python memory held after steady state; "
        "by file of the innermost frame:"
    ]
    lines += [
        f"  {size / 2**20:7.2f} MB  {name.removesuffix('()')}"
        for name, size in by_file.most_common(15)
    ]
    by_line: Counter[str] = Counter()
    by_cause: Counter[str] = Counter()
    for stat in diff:
        by_line[_where(stat.traceback[-1])] += stat.size_diff
        # The innermost Micboard frame: which of our lines made Home Assistant allocate it.
        ours = [f for f in stat.traceback if MICBOARD_PATH in f.filename]
        by_cause[_where(ours[-1]) if ours else "no Micboard frame"] += stat.size_diff
    lines.append("  by innermost line:")
    lines += [f"  {size / 2**20:7.2f} MB  {name}" for name, size in by_line.most_common(20)]
    lines.append("  by the innermost Micboard line on the way:")
    lines += [f"  {size / 2**20:7.2f} MB  {name}" for name, size in by_cause.most_common(15)]
    lines.append("  largest allocation sites (outermost frame first):")
    for stat in diff[:12]:
        frames = " <- ".join(_where(frame) for frame in reversed(stat.traceback))
        lines.append(f"  {stat.size_diff / 2**20:7.2f} MB {stat.count_diff:8d} blocks  {frames}")
    return lines
