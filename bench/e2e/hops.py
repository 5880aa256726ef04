"""Where a post's time goes, read back from the services' JSON logs by trace id.

Three lines of one trace mark the hops (``docs/operations.md``): the posts API's
``POST /posts 201`` (the answer is sent), the relay's ``published posts...`` (the broker
acknowledged the event) and the gateway's ``delivered ...`` (the frame is written to
the sockets). The log clock has millisecond resolution.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path

from bench.harness.stats import new_histogram, summary_ms

LOG_TIME_FORMAT = "%Y-%m-%d %H:%M:%S,%f"
MARKS = {
    "answered": "POST /posts 201",
    "on_kafka": "published posts",
    "dispatched": "delivered ",
}


def marks(lines: Iterable[str]) -> dict[str, dict[str, float]]:
    """trace id -> {mark: first time seen, in seconds}, for the lines that carry one."""
    found: dict[str, dict[str, float]] = {}
    for line in lines:
        if '"trace_id": "' not in line:
            continue
        try:
            record = json.loads(line)
        except ValueError:
            continue
        for mark, prefix in MARKS.items():
            if record["message"].startswith(prefix):
                at = datetime.strptime(record["time"], LOG_TIME_FORMAT).timestamp()
                found.setdefault(record["trace_id"], {}).setdefault(mark, at)
    return found


def hops(logs: Iterable[Path]) -> dict[str, dict[str, float]]:
    """Latency of each hop (p50, p99...) over the posts whose three marks were found."""
    found: dict[str, dict[str, float]] = {}
    for log in logs:
        with open(log, errors="replace") as lines:
            for trace, seen in marks(lines).items():
                found.setdefault(trace, {}).update(seen)
    answered_to_kafka, kafka_to_sockets = new_histogram(), new_histogram()
    for seen in found.values():
        if len(seen) == len(MARKS):
            for histogram, start, end in (
                (answered_to_kafka, "answered", "on_kafka"),
                (kafka_to_sockets, "on_kafka", "dispatched"),
            ):
                histogram.record_value(max(1, int((seen[end] - seen[start]) * 1e6)))
    return {
        "http_answer_to_kafka_ack": summary_ms(answered_to_kafka),
        "kafka_ack_to_gateway_write": summary_ms(kafka_to_sockets),
    }
