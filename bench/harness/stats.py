"""Histograms and their summaries: microseconds recorded, milliseconds reported."""

from __future__ import annotations

import time
from collections.abc import Iterable

from hdrh.histogram import HdrHistogram


def new_histogram() -> HdrHistogram:
    # 1 µs to 60 s, 3 significant digits; values recorded in microseconds.
    return HdrHistogram(1, 60_000_000, 3)


def record_since(histogram: HdrHistogram, started_perf: float) -> None:
    """Record the time since ``started_perf`` (a ``time.perf_counter()`` reading)."""
    histogram.record_value(max(1, int((time.perf_counter() - started_perf) * 1e6)))


def histogram_of(milliseconds: Iterable[float]) -> HdrHistogram:
    histogram = new_histogram()
    for ms in milliseconds:
        histogram.record_value(max(1, int(ms * 1000)))
    return histogram


def summary_ms(histogram: HdrHistogram) -> dict[str, float]:
    def at(p: float) -> float:
        return round(histogram.get_value_at_percentile(p) / 1000, 2)

    return {
        "count": histogram.get_total_count(),
        "p50_ms": at(50),
        "p90_ms": at(90),
        "p99_ms": at(99),
        "p999_ms": at(99.9),
        "max_ms": round(histogram.get_max_value() / 1000, 2),
    }


def ratio(ours: float, floor: float) -> float | None:
    """How many times the floor (same run): the figure that travels between machines.
    None when the floor measured nothing (no rate met the limit)."""
    return round(ours / floor, 2) if floor else None
