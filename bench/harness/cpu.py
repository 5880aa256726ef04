"""CPU time per process, from /proc: the figure that moves least from run to run on this
shared, noisy machine (latency tails move by 2x; CPU per request by a few percent)."""

from __future__ import annotations

import os
from pathlib import Path

CLOCK_TICKS_PER_S = os.sysconf("SC_CLK_TCK")
SERVERS = ("postgres", "kafka", "redis")


def _processes() -> dict[int, tuple[int, int, str]]:
    """pid -> (parent pid, CPU ticks, command line) for every process we can read."""
    found = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
            command = Path(f"/proc/{entry}/cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue  # gone meanwhile
        fields = stat.rsplit(")", 1)[1].split()
        found[int(entry)] = (int(fields[1]), int(fields[11]) + int(fields[12]), command)
    return found


def _server_of(command: str) -> str | None:
    if command.startswith("postgres"):
        return "postgres"
    if command.startswith("java") and "kafka" in command:
        return "kafka"
    if command.startswith("redis-server"):
        return "redis"
    return None


def cpu_seconds_by_group(services: dict[str, int]) -> dict[str, float]:
    """CPU seconds so far of: each named service (its pid and descendants), the servers
    (PostgreSQL, Kafka, Redis) and this benchmark process."""
    processes = _processes()
    groups = dict.fromkeys([*services, *SERVERS], 0.0)
    owner = {pid: name for name, pid in services.items()}
    for pid in sorted(processes):  # parents are older, so seen first
        parent = processes[pid][0]
        if parent in owner:
            owner[pid] = owner[parent]
    for pid, (_, ticks, command) in processes.items():
        group = owner.get(pid) or _server_of(command)
        if group is not None:
            groups[group] += ticks / CLOCK_TICKS_PER_S
    groups["benchmark"] = processes[os.getpid()][1] / CLOCK_TICKS_PER_S
    return groups


def cpu_ms_per_item(before: dict[str, float], after: dict[str, float], items: int) -> dict:
    """CPU milliseconds per item (post, request...) of each group between two readings,
    and of all of them together."""
    per = {group: round((after[group] - before[group]) * 1000 / max(items, 1), 2)
           for group in after}  # fmt: skip
    per["all"] = round(sum(per.values()), 2)
    return per


class CpuMeter:
    """CPU per item of each group over a stretch of a run: ``start()``, then ``per(n)``."""

    def __init__(self, services: dict[str, int]) -> None:
        self.services = services
        self.before: dict[str, float] = {}

    def start(self) -> CpuMeter:
        self.before = cpu_seconds_by_group(self.services)
        return self

    def per(self, items: int) -> dict:
        return cpu_ms_per_item(self.before, cpu_seconds_by_group(self.services), items)


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS")
