"""What every benchmark shares: the metric record, timing helpers, a scratch database.

A metric compares a measured value with a baseline measured in the same run on the
same machine, so the ratio means something even on a noisy machine:

    {"name", "value", "unit", "baseline", "ratio", "target", "met", ...extra}

``ratio`` is value / baseline. ``target`` says in words what "good" is, ``met``
whether this run reached it.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def metric(name: str, value: float, unit: str, *, baseline: float | None, target: str, met: bool,
           **extra) -> dict:
    ratio = round(value / baseline, 3) if baseline else None
    return {"name": name, "value": round(value, 4), "unit": unit,
            "baseline": round(baseline, 4) if baseline is not None else None,
            "ratio": ratio, "target": target, "met": bool(met), **extra}


def best_of(repeat: int, action: Callable[[], object]) -> float:
    """The fastest of ``repeat`` runs in seconds (the least disturbed by the machine)."""
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return min(times)


def percentile(values: list[float], p: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))
    return ordered[index]


def median(values: list[float]) -> float:
    return statistics.median(values) if values else 0.0
