"""Measuring helpers shared by the load benchmarks (feedback_load.py, web.py).

On a shared machine the latency depends on what else is running; the server's own CPU time
per request and the machine's load during the run say how much of it was ours.
"""

from __future__ import annotations

import os
from pathlib import Path


def percentile(values: list[float], fraction: float) -> float:
    """The value below which ``fraction`` of ``values`` fall (nearest rank, no interpolation:
    every figure printed is a latency that was actually measured)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def server_cpu_seconds(master_pid: int) -> float:
    """User + system CPU seconds of gunicorn's workers so far (Linux /proc): the server's
    own cost, which the machine's other load does not change."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == master_pid:  # a worker: its parent is the master
            total += (int(fields[11]) + int(fields[12])) / ticks
    return total


def machine_cpu_times() -> tuple[float, float]:
    """(busy, total) CPU ticks of the whole machine so far (/proc/stat), to say how busy it
    was between two readings: ``machine_busy_share(before, after)``."""
    fields = [float(value) for value in Path("/proc/stat").read_text().split("\n")[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle and waiting for I/O
    return sum(fields) - idle, sum(fields)


def machine_busy_share(before: tuple[float, float], after: tuple[float, float]) -> float:
    """Share of all cores' time that was busy between two :func:`machine_cpu_times`."""
    total = after[1] - before[1]
    return (after[0] - before[0]) / total if total else 0.0
