"""The streams a gateway serves: each partition's position and its resume buffer.

Every gateway reads every partition of the public topics (and of notifications.v1 and
conversations.v1)
itself, from ``resume_events_per_partition`` before the end, so all gateways hold the
same window and a cursor from one resumes on any other.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from services.gateway.domain.subscriptions import RoutingFacts

POST, REPLY, NOTIFICATION = "post", "reply", "notification"
CONVERSATION = "conversation"


@dataclass(frozen=True, slots=True)
class Entry:
    """One event as the gateway keeps it: routing facts and its encoded projection."""

    slot: int
    offset: int
    timestamp_ms: int
    kind: str  # POST, REPLY, NOTIFICATION or CONVERSATION
    event_id: str
    post_id: str | None
    member_id: str | None
    facts: RoutingFacts | None
    payload: bytes  # {"type", "id", "time", "data"}, JSON
    duplicate: bool = False  # a notification id seen before: never delivered
    trace_id: str | None = None  # from the record's traceparent, for the delivery log
    # A conversation's two members: its events go to them, and to nobody else.
    members: tuple[str, ...] = ()


class Streams:
    def __init__(self, partitions: Sequence[tuple[str, int]], window: int) -> None:
        """``partitions``: (topic, partition) pairs; their order is the cursor's."""
        self.partitions = list(partitions)
        self.slot_of = {tp: slot for slot, tp in enumerate(self.partitions)}
        self.positions = [-1] * len(self.partitions)
        # Everything after covered_from - 1 is in the buffer (or not yet read).
        self.covered_from = [0] * len(self.partitions)
        self.buffers: list[deque[Entry]] = [deque() for _ in self.partitions]
        self.window = window

    def start_at(self, slot: int, offset: int) -> None:
        """Reading of this partition begins at ``offset``."""
        self.covered_from[slot] = offset
        self.positions[slot] = offset - 1

    def append(self, entry: Entry) -> None:
        buffer = self.buffers[entry.slot]
        buffer.append(entry)
        if len(buffer) > self.window:
            evicted = buffer.popleft()
            self.covered_from[entry.slot] = evicted.offset + 1
        self.positions[entry.slot] = entry.offset

    def skip(self, slot: int, offset: int) -> None:
        """A record that is not served (undecodable): the position moves past it."""
        self.positions[slot] = offset

    def caught_up(self, ends: dict[tuple[str, int], int]) -> bool:
        return all(self.positions[self.slot_of[tp]] >= end - 1 for tp, end in ends.items())

    def covers(self, slot: int, after_offset: int) -> bool:
        """Can everything after ``after_offset`` of this partition be replayed?"""
        return after_offset + 1 >= self.covered_from[slot] and after_offset <= self.positions[slot]

    def after(self, offsets: Sequence[int], slots: Iterable[int]) -> list[Entry]:
        """The buffered entries past the cursor on these partitions, oldest first."""
        found: list[Entry] = []
        for slot in slots:
            after = offsets[slot]
            found += [e for e in self.buffers[slot] if e.offset > after]
        found.sort(key=lambda e: (e.timestamp_ms, e.slot, e.offset))
        return found

    def slots_of(self, topics: Iterable[str]) -> list[int]:
        wanted = set(topics)
        return [slot for slot, (topic, _) in enumerate(self.partitions) if topic in wanted]
